/* test_report_summary.c -- `report summary` on the fixture in its three
 * formats, and the recording states: truncated, still recording (live
 * collector), unfinished (collector gone), not symbolized. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include <sys/wait.h>

#include "an_report.h"

static void test_text(const char *path)
{
    char *s = fx_summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "heapql summary of fx.db\n"
                    "  command        ./app --fast\n"
                    "  status         complete\n"
                    "  run time       2.000 s\n"
                    "  processes      1 (pid 100, exited 0)\n"
                    "  allocations    22 calls, 79.50 KiB\n"));
    CHECK(fx_has(s, "  allocations    22 calls, 79.50 KiB\n"
                    "                   malloc                     20 calls   90.9%\n"
                    "                   calloc                      1 calls    4.5%\n"
                    "                   realloc                     1 calls    4.5%\n"));
    CHECK(fx_has(s, "  frees          15\n"
                    "  peak heap      79.21 KiB in 9 blocks at 0.999 s (RSS then 4.00 MiB)\n"
                    "  leaked         74.27 KiB in 7 blocks\n"
                    "  temporary      13 allocations (59.1%)\n"
                    "  failed         1\n"
                    "  ring waits     3 (12.0 us waiting)\n"));
    CHECK(fx_has(s, "top 5 call sites by peak (self)\n"));
    CHECK(fx_has(s, "  1       1  72.00 KiB  72.00 KiB  72.00 KiB          0  (anonymous "
                    "namespace)::pool::pool() (libstdc++.so.6+0x9000)\n"));
    CHECK(fx_has(s, "  5       3      300 B      300 B      300 B          0  leak_three (app.c:10)\n"));
    CHECK(strstr(s, "0xdeadbeef") == NULL); /* 6th by peak */
    CHECK(strstr(s, "note:") == NULL);
    free(s);
}

static void test_json_csv(const char *path)
{
    char *s = fx_summary(path, AN_FMT_JSON, NULL);
    CHECK(fx_has(s, "\"report\": \"summary\""));
    CHECK(fx_has(s, "\"alloc_calls\": 22,\n  \"alloc_bytes\": 81404,"));
    CHECK(fx_has(s, "\"kind\": \"malloc\",\n      \"calls\": 20\n    },"));
    CHECK(fx_has(s, "\"free_calls\": 15,\n  \"peak_bytes\": 81116,\n  \"peak_blocks\": 9,\n"
                    "  \"peak_ns\": 999000000,\n  \"peak_rss_bytes\": 4194304,\n"
                    "  \"leaked_bytes\": 76052,\n  \"leaked_blocks\": 7,\n  \"temporary\": 13,\n"
                    "  \"failed\": 1,\n  \"ring_waits\": 3,\n  \"ring_wait_ns\": 12000,"));
    CHECK(fx_has(s, "\"top_by_peak\": ["));
    free(s);
    s = fx_summary(path, AN_FMT_CSV, NULL);
    CHECK(fx_has(s, "key,value\ncommand,./app --fast\nstatus,complete\nrun_ns,2000000000\n"
                    "processes,1\nalloc_calls,22\nalloc_bytes,81404\ncalls.malloc,20\n"
                    "calls.calloc,1\ncalls.realloc,1\nfree_calls,15\npeak_bytes,81116\n"));
    CHECK(fx_has(s, "leaked_bytes,76052\nleaked_blocks,7\ntemporary,13\nfailed,1\n"));
    free(s);
}

static void test_states(const char *dir)
{
    char path[128], sql[256];
    snprintf(path, sizeof path, "%s/state.db", dir);

    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "UPDATE meta SET value='truncated' WHERE key='status';"
                           "INSERT INTO meta VALUES ('truncated_reason','interrupted by the user')"), 0);
    char *s = fx_summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "note: the recording is truncated: interrupted by the user\n"));
    CHECK(fx_has(s, "  status         truncated: interrupted by the user\n"));
    free(s);

    /* still recording: the parent process plays the live collector (to the
     * collector itself its file is never live: an_db.c), and the figures
     * come from the rows (callsite_stats is not trusted yet) */
    CHECK_EQ(fx_create(path), 0);
    snprintf(sql, sizeof sql, "UPDATE meta SET value='recording' WHERE key='status';"
             "INSERT INTO meta VALUES ('collector_pid', %d); DELETE FROM callsite_stats;",
             (int)getppid());
    CHECK_EQ(fx_exec(path, sql), 0);
    s = fx_summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "note: still recording: figures so far"));
    CHECK(fx_has(s, "  status         still recording\n"));
    CHECK(fx_has(s, "  leaked         74.27 KiB in 7 blocks\n"));
    CHECK(fx_has(s, "  temporary      13 allocations (59.1%)\n"));
    free(s);

    /* the collector is gone */
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    snprintf(sql, sizeof sql, "UPDATE meta SET value=%d WHERE key='collector_pid'", (int)child);
    CHECK_EQ(fx_exec(path, sql), 0);
    s = fx_summary(path, AN_FMT_JSON, NULL);
    CHECK(fx_has(s, "\"status\": \"recording\""));
    CHECK(fx_has(s, "\"note\": \"the recording did not finish (its collector is gone)"));
    free(s);

    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "UPDATE meta SET value=0 WHERE key='symbolized'"), 0);
    s = fx_summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "note: not symbolized: frames show module+offset"));
    free(s);
    unlink(path);
}

/* An empty recording: no allocations, no processes. */
static void test_empty(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/empty.db", dir);
    CHECK_EQ(fx_create_sql(path, "INSERT INTO meta VALUES ('status','complete'),"
                                 "('symbolized',1)"), 0);
    char *s = fx_summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "  allocations    0 calls, 0 B\n"));
    CHECK(fx_has(s, "  peak heap      0 B in 0 blocks\n"));
    free(s);
    unlink(path);
}

/* A forked child with a higher peak: listed, its peak is the run's peak
 * and the time 'peak' means; each allocation is live-at-peak against its
 * own process's peak. */
static void test_processes(const char *dir)
{
    char path[128], err[256];
    an_db_t d;
    snprintf(path, sizeof path, "%s/procs.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path,
        "INSERT INTO processes (id,pid,ppid,exe,cmdline,start_ns,end_ns,exit_code,end_reason,forked,"
        " peak_heap_bytes,peak_heap_blocks,peak_ns,alloc_calls,free_calls) VALUES (2,200,100,"
        " '/src/app','./app --fast',500000000,1000000000,3,'exit',1,100000,1,700000000,1,1);"
        "INSERT INTO callsites VALUES (70,4,6,2);"
        "INSERT INTO allocations (id,pid,tid,kind,ptr,size,usable_size,callsite_id,alloc_ns,free_ns,"
        " temporary) VALUES (23,200,200,0,4096,100000,100000,70,600000000,900000000,1);"
        "INSERT INTO callsite_stats VALUES (70,200,1,100000,100000,1,1,100000,0,0,1,0);"), 0);
    char *s = fx_summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "  processes      2\n"));
    CHECK(fx_has(s, "pid 100     exited 0               peak 79.21 KiB    22 allocations  app\n"));
    CHECK(fx_has(s, "pid 200     exited 3               peak 97.66 KiB    1 allocations  app\n"));
    CHECK(fx_has(s, "  allocations    23 calls, 177.15 KiB\n"));
    CHECK(fx_has(s, "  peak heap      97.66 KiB in 1 blocks at 0.700 s\n"));
    free(s);

    an_report_opts_t o;
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    CHECK_EQ(an_filter_time(&o.filter, 1, "peak", err, sizeof err), 0);
    s = NULL;
    CHECK_EQ(fx_run(an_report_top, &d, &o, &s, err, sizeof err), 0);
    /* up to 0.7 s: the child's block (live at its own peak) and the
     * parent's first 18 (those live at the parent's peak keep their peak) */
    CHECK(fx_has(s, "\n1,1,100000,100000,0,1,1,0,1,0,1,helper,"));
    CHECK(fx_has(s, ",2,1000,1000,1000,0,2,2,0,0,1,_dl_new_object,"));
    free(s);
    an_db_close(&d);
    an_report_opts_free(&o);
    unlink(path);
}

/* Enough rows for the kinds scan to split over connections (when there
 * are CPUs for it): the counts must add up exactly all the same. */
static void test_many(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/many.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "WITH RECURSIVE k(i) AS (SELECT 100 UNION ALL SELECT i+1 FROM k "
                           "WHERE i < 1200099) INSERT INTO allocations (id,pid,tid,kind,ptr,"
                           "size,usable_size,callsite_id,alloc_ns,free_ns) SELECT i,100,100,i%3,"
                           "i,8,16,3,i,i+1 FROM k"), 0);
    char *s = fx_summary(path, AN_FMT_CSV, NULL);
    CHECK(fx_has(s, "\ncalls.malloc,400020\ncalls.calloc,400001\ncalls.realloc,400001\n"));
    free(s);
    unlink(path);
}

int main(void)
{
    char dir[64], path[128];
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    test_text(path);
    test_json_csv(path);
    test_states(dir);
    test_empty(dir);
    test_processes(dir);
    test_many(dir);
    unlink(path);
    rmdir(dir);
    return th_done("test_report_summary");
}
