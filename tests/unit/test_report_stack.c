/* test_report_stack.c -- an_stack_walk and an_frame_label on the fixture:
 * frame order, inline expansion, modules, unknown frames, errors, the
 * per-connection cache (bulk switch, closing, use inside a running query). */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_db.h"
#include "an_stack.h"

typedef struct walk_s {
    char labels[16][256];
    int inlined[16];
    int n, stop_after;
} walk_t;

static int collect(const an_frame_t *f, void *arg)
{
    walk_t *w = arg;
    if (w->n < 16) {
        an_frame_label(f, w->labels[w->n], sizeof w->labels[0]);
        w->inlined[w->n] = f->inlined;
    }
    w->n++;
    return w->stop_after && w->n >= w->stop_after;
}

static void test_walk(an_db_t *d)
{
    walk_t w = {0};
    char err[256];
    CHECK_EQ(an_stack_walk(d, 5, collect, &w, err, sizeof err), 0);
    CHECK_EQ(w.n, 4);
    CHECK(!strcmp(w.labels[0], "helper (/src/util.h:5)"));
    CHECK_EQ(w.inlined[0], 1);
    CHECK(!strcmp(w.labels[1], "make_buf (/src/app.c:21)"));
    CHECK_EQ(w.inlined[1], 0);
    CHECK(!strcmp(w.labels[2], "main (/src/app.c:41)"));
    CHECK(!strcmp(w.labels[3], "__libc_start_call_main (libc.so.6+0x271ca)"));

    memset(&w, 0, sizeof w);
    CHECK_EQ(an_stack_walk(d, 17, collect, &w, err, sizeof err), 0);
    CHECK_EQ(w.n, 3);
    CHECK(!strcmp(w.labels[0], "0xdeadbeef"));

    memset(&w, 0, sizeof w);
    CHECK_EQ(an_stack_walk(d, 10, collect, &w, err, sizeof err), 0);
    CHECK(!strcmp(w.labels[0], "_dl_new_object (ld-linux-x86-64.so.2+0x5000)"));

    memset(&w, 0, sizeof w); /* recursion: rec appears twice at line 50 */
    CHECK_EQ(an_stack_walk(d, 16, collect, &w, err, sizeof err), 0);
    CHECK_EQ(w.n, 5);
    CHECK(!strcmp(w.labels[1], "rec (/src/app.c:50)") && !strcmp(w.labels[2], w.labels[1]));

    memset(&w, 0, sizeof w); /* fn stops the walk */
    w.stop_after = 2;
    CHECK_EQ(an_stack_walk(d, 16, collect, &w, err, sizeof err), 0);
    CHECK_EQ(w.n, 2);

    CHECK_EQ(an_stack_walk(d, 999, collect, &w, err, sizeof err), -1);
    CHECK(fx_has(err, "no callsite with id 999"));
}

static void test_label(void)
{
    char buf[128];
    an_frame_t f = {.function = "f", .file = "a.c", .line = 3};
    CHECK(!strcmp(an_frame_label(&f, buf, sizeof buf), "f (a.c:3)"));
    f.line = 0;
    CHECK(!strcmp(an_frame_label(&f, buf, sizeof buf), "f (a.c)"));
    f = (an_frame_t){.module = "/lib/libm.so.6", .rel_pc = 0x10};
    CHECK(!strcmp(an_frame_label(&f, buf, sizeof buf), "libm.so.6+0x10"));
    f.function = "g";
    CHECK(!strcmp(an_frame_label(&f, buf, sizeof buf), "g (libm.so.6+0x10)"));
    CHECK(!strcmp(an_frame_label(&f, buf, 4), "g ("));
}

/* stack() as another engineer's SQL function would call it: inside a
 * running statement on the same connection. */
static void sql_stack_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    an_db_t *d = sqlite3_user_data(ctx);
    walk_t w = {0};
    char err[256];
    if (an_stack_walk(d, sqlite3_value_int64(argv[0]), collect, &w, err, sizeof err) != 0) {
        sqlite3_result_error(ctx, err, -1);
        return;
    }
    sqlite3_result_text(ctx, w.labels[0], -1, SQLITE_TRANSIENT);
}

static void test_inside_query(const char *path)
{
    an_db_t d;
    char err[256];
    sqlite3_stmt *st = NULL;
    int rows = 0, ok = 1;
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    sqlite3_create_function(d.db, "stack", 1, SQLITE_UTF8, &d, sql_stack_fn, NULL, NULL);
    CHECK_EQ(sqlite3_prepare_v2(d.db, "SELECT stack(callsite_id) FROM allocations ORDER BY id",
                                -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (rows == 4 && (!s || strcmp(s, "leak_three (/src/app.c:10)")))
            ok = 0;
        rows++;
    }
    CHECK_EQ(sqlite3_finalize(st), SQLITE_OK);
    CHECK_EQ(rows, 22);
    CHECK(ok);
    an_db_close(&d);
    CHECK(d.db == NULL);
}

/* Thousands of callsites: the cache switches to bulk loading; results stay
 * the same and the connection still closes cleanly (ASan checks leaks). */
static void test_bulk(const char *dir)
{
    char path[128], err[256];
    an_db_t d;
    snprintf(path, sizeof path, "%s/bulk.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "WITH RECURSIVE k(i) AS (SELECT 100 UNION ALL SELECT i+1 FROM k "
                           "WHERE i < 5099) INSERT INTO callsites SELECT i, 2, 5, 2 FROM k;"), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    int bad = 0;
    for (long long id = 100; id < 5100; id++) {
        walk_t w = {0};
        if (an_stack_walk(&d, id, collect, &w, err, sizeof err) != 0 || w.n != 3 ||
            strcmp(w.labels[0], "leak_three (/src/app.c:10)"))
            bad++;
    }
    CHECK_EQ(bad, 0);
    an_db_close(&d);
    /* a second connection gets a fresh cache */
    CHECK_EQ(fx_exec(path, "UPDATE frames SET function = 'renamed' WHERE id = 5"), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    walk_t w = {0};
    CHECK_EQ(an_stack_walk(&d, 4000, collect, &w, err, sizeof err), 0);
    CHECK(!strcmp(w.labels[0], "renamed (/src/app.c:10)"));
    an_db_close(&d);
}

static void test_cycle(const char *dir)
{
    char path[128], err[256];
    an_db_t d;
    walk_t w = {0};
    snprintf(path, sizeof path, "%s/cycle.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "UPDATE callsites SET parent_id = 3 WHERE id = 1;"
                           "INSERT INTO callsites VALUES (50, 51, 5, 3);"), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    CHECK_EQ(an_stack_walk(&d, 3, collect, &w, err, sizeof err), -1);
    CHECK(fx_has(err, "cycle in callsites"));
    CHECK_EQ(an_stack_walk(&d, 50, collect, &w, err, sizeof err), -1);
    CHECK(fx_has(err, "parent 51, which does not exist"));
    an_db_close(&d);
}

int main(void)
{
    char dir[64], path[128], err[256];
    an_db_t d;
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    test_walk(&d);
    an_db_close(&d);
    test_label();
    test_inside_query(path);
    test_bulk(dir);
    test_cycle(dir);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
    return th_done("test_report_stack");
}
