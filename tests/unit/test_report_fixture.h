/*
 * test_report_fixture.h -- a symbolized heapql database with exactly known
 * figures, for the report tests.  One process (pid 100) runs 2 s, peaks at
 * 0.999 s with 81116 bytes in 9 blocks.
 *
 * Leaf stacks (innermost first) and their allocations:
 *   A cs3   leak_three app.c:10 <- main app.c:40 <- __libc_start_call_main
 *           3 x 100 B never freed; 1 failed allocation
 *   B cs5   helper util.h:5 (inlined into make_buf app.c:21) <- main app.c:41
 *           1 x 5000 B, live at the peak, freed at 1.35 s
 *   C cs7   churn app.c:30 <- main app.c:42: 10 x 16 B, each freed 500 ns
 *           later, before the next allocation (temporary, short-lived)
 *   D cs9   (anonymous namespace)::pool::pool() [libstdc++] <- _dl_init [ld.so]
 *           1 x 73728 B never freed (runtime one-time)
 *   E cs10  _dl_new_object [ld.so] <- _dl_init: 2 x 500 B never freed (runtime)
 *   F cs12  _IO_file_doallocate [libc] <- main app.c:43: 1 x 1024 B never freed
 *   G cs17  0xdeadbeef (no module) <- main app.c:40: a 64 B calloc freed at
 *           1.5 s, and a 64 B realloc on thread 101 freed 50 ns later
 *   H cs16  rec app.c:52 <- rec app.c:50 <- rec app.c:50 <- main app.c:44
 *           2 x 32 B, both temporary
 * Totals: 22 allocations (malloc 20, calloc 1, realloc 1), 81404 B, 15 frees,
 * leaked 76052 B in 7 blocks (user: 300 B in 3), temporary 13 (flagged as
 * the recorder flags them: allocations.temporary).
 */
#ifndef TEST_REPORT_FIXTURE_H
#define TEST_REPORT_FIXTURE_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fx_data_sql[] =
    "INSERT INTO meta VALUES ('status','complete'),('symbolized',1),"
    " ('command','./app --fast'),('start_unix_ns',1700000000000000000);"
    "INSERT INTO kinds VALUES (0,'malloc','alloc'),(1,'calloc','alloc'),(2,'realloc','alloc'),"
    " (32,'free','free');"
    "INSERT INTO processes (id,pid,ppid,exe,cmdline,start_ns,end_ns,exit_code,end_reason,"
    " peak_heap_bytes,peak_heap_blocks,peak_ns,peak_rss_bytes,alloc_calls,free_calls,"
    " failed_allocs,ring_waits,ring_wait_ns) VALUES (1,100,1,'/src/app','./app --fast',0,"
    " 2000000000,0,'exit',81116,9,999000000,4194304,22,15,1,3,12000);"
    "INSERT INTO threads VALUES (100,100,'app',0,2000000000),(100,101,'worker',1,2000000000);"
    "INSERT INTO modules (id,pid,path,build_id,start,end,file_offset,load_bias,is_main) VALUES"
    " (1,100,'/src/app','ab',4096,65536,0,0,1),"
    " (2,100,'/lib/x86_64-linux-gnu/libc.so.6','cd',1048576,4194304,0,1048576,0),"
    " (3,100,'/lib64/ld-linux-x86-64.so.2','ef',8388608,9437184,0,8388608,0),"
    " (4,100,'/usr/lib/x86_64-linux-gnu/libstdc++.so.6','01',16777216,20971520,0,16777216,0);"
    "INSERT INTO frames (id,module_id,rel_pc,function,file,line,inlined) VALUES"
    " (1,2,160202,'__libc_start_call_main',NULL,NULL,0),"
    " (2,1,4352,'main','/src/app.c',40,0),"
    " (3,1,4368,'main','/src/app.c',41,0),"
    " (4,1,4384,'main','/src/app.c',42,0),"
    " (5,1,4608,'leak_three','/src/app.c',10,0),"
    " (6,1,4864,'helper','/src/util.h',5,1),"
    " (7,1,5120,'churn','/src/app.c',30,0),"
    " (8,3,20480,'_dl_new_object',NULL,NULL,0),"
    " (9,3,24576,'_dl_init',NULL,NULL,0),"
    " (10,4,36864,'(anonymous namespace)::pool::pool()',NULL,NULL,0),"
    " (11,2,524288,'_IO_file_doallocate',NULL,NULL,0),"
    " (12,1,4400,'main','/src/app.c',43,0),"
    " (14,NULL,3735928559,NULL,NULL,NULL,0),"
    " (15,1,5376,'rec','/src/app.c',50,0),"
    " (16,1,5392,'rec','/src/app.c',52,0),"
    " (17,1,4416,'main','/src/app.c',44,0);"
    "INSERT INTO frame_inlines VALUES (6,0,'make_buf','/src/app.c',21),"
    " (6,1,'helper','/src/util.h',5);"
    "INSERT INTO callsites VALUES (1,NULL,1,0),(2,1,2,1),(3,2,5,2),(4,1,3,1),(5,4,6,2),"
    " (6,1,4,1),(7,6,7,2),(8,NULL,9,0),(9,8,10,1),(10,8,8,1),(11,1,12,1),(12,11,11,2),"
    " (13,1,17,1),(14,13,15,2),(15,14,15,3),(16,15,16,4),(17,2,14,2);"
    "INSERT INTO allocations (id,pid,tid,kind,ptr,size,usable_size,callsite_id,alloc_ns,free_ns)"
    " VALUES (1,100,100,0,4096,500,504,10,1000,NULL),(2,100,100,0,8192,500,504,10,2000,NULL),"
    " (3,100,100,0,12288,73728,73736,9,3000,NULL),(4,100,100,0,90112,1024,1032,12,4000,NULL),"
    " (5,100,100,0,100000,100,104,3,10000,NULL),(6,100,100,0,100200,100,104,3,11000,NULL),"
    " (7,100,100,0,100400,100,104,3,12000,NULL);"
    "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k WHERE i < 9)"
    " INSERT INTO allocations (id,pid,tid,kind,ptr,size,usable_size,callsite_id,alloc_ns,free_ns,temporary)"
    " SELECT 8+i,100,100,0,200000,16,24,7,100000+i*1000,100500+i*1000,1"
    " FROM k;"
    "INSERT INTO allocations (id,pid,tid,kind,ptr,size,usable_size,callsite_id,alloc_ns,free_ns,"
    "temporary) VALUES (18,100,100,1,300000,64,72,17,200000,1500000000,0),"
    " (19,100,100,0,400000,5000,5008,5,999000000,1350000000,0),"
    " (20,100,100,0,500000,32,40,16,1300000000,1300000100,1),"
    " (21,100,100,0,500000,32,40,16,1300001000,1900000000,1),"
    " (22,100,101,2,600000,64,72,17,1400000000,1400000050,1);"
    "INSERT INTO callsite_stats VALUES"
    " (3,100,3,300,312,0,3,300,3,300,0,1),(5,100,1,5000,5008,1,1,5000,0,0,0,0),"
    " (7,100,10,160,240,10,0,0,0,0,10,0),(9,100,1,73728,73736,0,1,73728,1,73728,0,0),"
    " (10,100,2,1000,1008,0,2,1000,2,1000,0,0),(12,100,1,1024,1032,0,1,1024,1,1024,0,0),"
    " (17,100,2,128,144,2,1,64,0,0,1,0),(16,100,2,64,80,2,0,0,0,0,2,0);"
    "INSERT INTO samples VALUES (100,0,1048576,0,0),(100,500000000,2097152,76116,8),"
    " (100,999000000,4194304,81116,9),(100,1500000000,4194304,76116,8),"
    " (100,2000000000,3145728,76052,7);";

/* The schema from the source tree, read once. */
static __attribute__((unused)) char *fx_schema(void)
{
    char path[4096];
    const char *slash = strrchr(__FILE__, '/');
    int dir = slash ? (int)(slash - __FILE__) : 0;
    snprintf(path, sizeof path, "%.*s/../../schema/v1.sql", dir, __FILE__);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *s = calloc(1, 1 << 16);
    if (s)
        fread(s, 1, (1 << 16) - 1, f);
    fclose(f);
    return s;
}

/* Create path (removed first) with the schema, user_version 1 and the given
 * SQL.  0 ok, -1 (message printed). */
static __attribute__((unused)) int fx_create_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *schema = fx_schema(), *msg = NULL;
    int rc = -1;
    unlink(path);
    if (!schema || sqlite3_open(path, &db) != SQLITE_OK)
        goto out;
    if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, &msg) != SQLITE_OK ||
        (sql && sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)) {
        fprintf(stderr, "fixture: %s\n", msg ? msg : "?");
        goto out;
    }
    rc = 0;
out:
    sqlite3_free(msg);
    sqlite3_close(db);
    free(schema);
    return rc;
}

static __attribute__((unused)) int fx_create(const char *path)
{
    return fx_create_sql(path, fx_data_sql);
}

/* Run SQL on an existing fixture (to vary it). */
static __attribute__((unused)) int fx_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(path, &db) == SQLITE_OK &&
             sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "fixture: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc;
}

/* A temporary directory for a test's files; path must hold 64 bytes. */
static __attribute__((unused)) int fx_tmpdir(char *path)
{
    snprintf(path, 64, "/tmp/heapql-unit.XXXXXX");
    return mkdtemp(path) ? 0 : -1;
}

/* Run a report into a memory buffer; returns its rc, *text malloc'd. */
#include "an_report.h"
typedef int (*fx_report_fn)(an_db_t *, an_report_opts_t *, FILE *, char *, size_t);

static __attribute__((unused)) int fx_run(fx_report_fn fn, an_db_t *d, an_report_opts_t *o, char **text, char *err,
                  size_t errlen)
{
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    if (!f)
        return -2;
    int rc = fn(d, o, f, err, errlen);
    fclose(f);
    return rc;
}

/* `report summary` of path in fmt (as if the file were fx.db); the text, or
 * NULL.  keep: the database is left open there instead of closed. */
static __attribute__((unused)) char *fx_summary(const char *path, an_format_t fmt, an_db_t *keep)
{
    an_db_t d;
    an_report_opts_t o;
    char err[256], *text = NULL;
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    an_report_opts_init(&o);
    o.format = fmt;
    o.db_path = "fx.db";
    int rc = fx_run(an_report_summary, &d, &o, &text, err, sizeof err);
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "summary: %s\n", err);
    if (keep)
        *keep = d;
    else
        an_db_close(&d);
    an_report_opts_free(&o);
    return text;
}

/* 1 when needle occurs in hay (and prints hay otherwise, to debug). */
static __attribute__((unused)) int fx_has(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        return 1;
    fprintf(stderr, "--- missing '%s' in:\n%s\n---\n", needle, hay ? hay : "(null)");
    return 0;
}

#endif
