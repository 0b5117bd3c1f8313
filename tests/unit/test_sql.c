/* test_sql.c -- the SQL helpers (an_sql.h) on a hand-made, already
 * symbolized database: callsite_frames rows, stack() text, kind_name(),
 * plans, errors, and that the file is left as it was. */
#include <string.h>
#include <unistd.h>

#include "an_sql.h"
#include "testhelper.h"
#include "test_sym_db.h"

#define DB "test_sql.db"

/*
 * Two stacks sharing their outer frames:
 *   callsite 3: leaf (app.c:30) <- helper inlined into mid (app.c:20/21) <- main (app.c:10)
 *   callsite 4: libc.so.6+0x1f (no symbol) <- 0x7f00 (no module) <- main
 */
static void fill(sqlite3 *db)
{
    tdb_exec(db, "INSERT INTO kinds VALUES (0, 'malloc', 'alloc'), (32, 'free', 'free');"
                 "INSERT INTO modules (id, pid, path, start, end, file_offset, load_bias) VALUES"
                 " (1, 7, '/opt/app', 0, 0, 0, 0), (2, 7, '/lib/libc.so.6', 0, 0, 0, 0);"
                 "INSERT INTO frames VALUES (1, 1, 4096, 'main', 'app.c', 10, 0),"
                 " (2, 1, 8192, 'helper', 'app.c', 21, 1), (3, 1, 12288, 'leaf', 'app.c', 30, 0),"
                 " (4, 2, 31, NULL, NULL, NULL, 0), (5, NULL, 32512, NULL, NULL, NULL, 0),"
                 " (6, 1, 16384, 'cold', NULL, NULL, 0);"
                 "INSERT INTO frame_inlines VALUES (2, 0, 'mid', 'app.c', 20),"
                 " (2, 1, 'helper', 'app.c', 21);"
                 "INSERT INTO callsites VALUES (1, NULL, 1, 0), (2, 1, 2, 1), (3, 2, 3, 2),"
                 " (5, 1, 5, 1), (4, 5, 4, 2), (6, NULL, 6, 0);"
                 "INSERT INTO allocations (pid, tid, kind, ptr, size, usable_size, callsite_id,"
                 " alloc_ns) VALUES (7, 7, 0, 16, 100, 104, 3, 1), (7, 7, 0, 32, 50, 56, 4, 2);");
}

static void test_rows(sqlite3 *db)
{
    CHECK(tdb_is(db, "0:3:leaf:app.c:30:0,1:2:helper:app.c:21:1,2:2:mid:app.c:20:0,"
                     "3:1:main:app.c:10:0",
                 "SELECT group_concat(depth || ':' || frame_id || ':' || function || ':' || file"
                 " || ':' || line || ':' || inlined) FROM callsite_frames WHERE callsite_id = 3"));
    CHECK(tdb_is(db, "0:/lib/libc.so.6:31:,1::32512:,2:/opt/app:4096:main",
                 "SELECT group_concat(depth || ':' || ifnull(module, '') || ':' || rel_pc || ':'"
                 " || ifnull(function, '')) FROM callsite_frames WHERE callsite_id = 4"));
    CHECK(tdb_is(db, "14", "SELECT count(*) FROM callsite_frames"));
    CHECK(tdb_is(db, "1,2,2,2,3,3,3,3,4,4,4,5,5,6",
                 "SELECT group_concat(callsite_id) FROM callsite_frames"));
    CHECK(tdb_is(db, "7", "SELECT count(*) FROM callsite_frames WHERE callsite_id IN (3, 4)"));
    CHECK(tdb_is(db, NULL, "SELECT * FROM callsite_frames WHERE callsite_id = 99"));
    CHECK(tdb_is(db, NULL, "SELECT * FROM callsite_frames WHERE callsite_id = NULL"));
    /* A join on callsite_id: the leaf function of every allocation. */
    CHECK(tdb_is(db, "100:leaf,50:",
                 "SELECT group_concat(a.size || ':' || ifnull(cf.function, '')) FROM allocations a"
                 " JOIN callsite_frames cf ON cf.callsite_id = a.callsite_id AND cf.depth = 0"));
    /* Which callsites have main in their stack (a full scan). */
    CHECK(tdb_is(db, "1,2,3,4,5", "SELECT group_concat(DISTINCT callsite_id) FROM callsite_frames"
                                  " WHERE function = 'main'"));
}

/* The query plan of sql, its lines joined by '|'. */
static void plan(sqlite3 *db, const char *sql, char *out, size_t len)
{
    sqlite3_stmt *st = NULL;
    char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW)
            snprintf(out + strlen(out), len - strlen(out), "%s|", sqlite3_column_text(st, 3));
    sqlite3_finalize(st);
    sqlite3_free(q);
}

static void test_plans(sqlite3 *db)
{
    char p[1024];
    plan(db, "SELECT * FROM callsite_frames WHERE callsite_id = 3", p, sizeof p);
    CHECK(strstr(p, "VIRTUAL TABLE INDEX 1:") != NULL);
    plan(db, "SELECT * FROM allocations a JOIN callsite_frames cf"
             " ON cf.callsite_id = a.callsite_id", p, sizeof p);
    CHECK(strstr(p, "VIRTUAL TABLE INDEX 1:") != NULL);
    /* ORDER BY the table delivers in order needs no sorter... */
    plan(db, "SELECT * FROM callsite_frames WHERE callsite_id = 3 ORDER BY depth", p, sizeof p);
    CHECK(strstr(p, "B-TREE") == NULL);
    plan(db, "SELECT * FROM callsite_frames ORDER BY callsite_id, depth", p, sizeof p);
    CHECK(strstr(p, "B-TREE") == NULL);
    /* ...others do, and get it right. */
    CHECK(tdb_is(db, "3,2,1,0", "SELECT group_concat(depth) FROM (SELECT depth FROM"
                                " callsite_frames WHERE callsite_id = 3 ORDER BY depth DESC)"));
    CHECK(tdb_is(db, "4,4,4,3,3,3,3", "SELECT group_concat(callsite_id) FROM (SELECT callsite_id"
                                      " FROM callsite_frames WHERE callsite_id IN (4, 3)"
                                      " ORDER BY callsite_id DESC, depth)"));
    CHECK(tdb_is(db, "1:0,2:0,2:1,3:0,3:1,4:0,4:1,5:0,5:1,6:0",
                 "SELECT group_concat(callsite_id || ':' || depth) FROM (SELECT callsite_id, depth"
                 " FROM callsite_frames WHERE depth IN (1, 0) ORDER BY callsite_id, depth)"));
    CHECK(tdb_is(db, "0:3,1:3,0:4,1:4", "SELECT group_concat(depth || ':' || callsite_id) FROM"
                                        " callsite_frames WHERE callsite_id IN (3, 4) AND depth < 2"));
    CHECK(tdb_is(db, "1", "SELECT count(*) FROM callsite_frames WHERE callsite_id = 3 AND depth = 3"));
    CHECK(tdb_is(db, "4", "SELECT count(*) FROM callsite_frames WHERE callsite_id = 3 AND depth <= 9"));
    CHECK(tdb_is(db, "0", "SELECT count(*) FROM callsite_frames WHERE callsite_id = 3 AND depth < 0"));
    CHECK(tdb_is(db, "0,0,1,1,2,2,3", "SELECT group_concat(depth) FROM (SELECT depth"
                                      " FROM callsite_frames WHERE callsite_id IN (4, 3)"
                                      " ORDER BY depth)"));
}

static void test_functions(sqlite3 *db)
{
    CHECK(tdb_is(db, "leaf (app.c:30)\nhelper (app.c:21) [inlined]\nmid (app.c:20)\n"
                     "main (app.c:10)", "SELECT stack(3)"));
    CHECK(tdb_is(db, "libc.so.6+0x1f\n0x7f00\nmain (app.c:10)", "SELECT stack(4)"));
    CHECK(tdb_is(db, "cold (app+0x4000)", "SELECT stack(6)"));
    CHECK(tdb_is(db, NULL, "SELECT stack(99)"));
    CHECK(tdb_is(db, NULL, "SELECT stack(NULL)"));
    CHECK(tdb_is(db, "2", "SELECT count(stack(callsite_id)) FROM allocations"));
    CHECK(tdb_is(db, "malloc", "SELECT kind_name(0)"));
    CHECK(tdb_is(db, "free", "SELECT kind_name(32)"));
    CHECK(tdb_is(db, NULL, "SELECT kind_name(5)"));
    CHECK(tdb_is(db, NULL, "SELECT kind_name(NULL)"));
}

/* A cycle in callsites is an error, not a hang. */
static void test_cycle(void)
{
    sqlite3 *db = tdb_create(DB);
    char err[256];
    char *msg = NULL;
    fill(db);
    tdb_exec(db, "UPDATE callsites SET parent_id = 3 WHERE id = 1");
    CHECK_EQ(an_sql_register(db, err, sizeof err), 0);
    CHECK(sqlite3_exec(db, "SELECT stack(3)", NULL, NULL, &msg) == SQLITE_ERROR);
    CHECK(msg && strstr(msg, "cycle"));
    sqlite3_free(msg);
    msg = NULL;
    CHECK(sqlite3_exec(db, "SELECT * FROM callsite_frames WHERE callsite_id = 2", NULL, NULL,
                       &msg) == SQLITE_ERROR);
    CHECK(msg && strstr(msg, "cycle"));
    sqlite3_free(msg);
    CHECK_EQ(sqlite3_close(db), SQLITE_OK);
}

int main(void)
{
    sqlite3 *db = tdb_create(DB);
    char err[256];

    fill(db);
    sqlite3_close(db);
    CHECK_EQ(sqlite3_open_v2(DB, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_EQ(an_sql_register(db, err, sizeof err), 0);
    CHECK_EQ(an_sql_register(db, err, sizeof err), 0);
    test_rows(db);
    test_plans(db);
    test_functions(db);
    /* Everything is TEMP: the file's schema is as the collector made it. */
    CHECK(tdb_is(db, "0", "SELECT count(*) FROM main.sqlite_schema WHERE name = 'callsite_frames'"));
    /* Cached statements do not keep the connection from closing. */
    CHECK_EQ(sqlite3_close(db), SQLITE_OK);
    test_cycle();
    remove(DB);
    return th_done("test_sql");
}
