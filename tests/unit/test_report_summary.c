/* test_report_summary.c -- `report summary` on the fixture in its three
 * formats, and the recording states: truncated, still recording (live
 * collector), unfinished (collector gone), not symbolized. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include <sys/wait.h>

#include "an_report.h"

static char *summary(const char *path, an_format_t fmt, an_db_t *keep)
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

static void test_text(const char *path)
{
    char *s = summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "heapql summary of fx.db\n"
                    "  command        ./app --fast\n"
                    "  status         complete\n"
                    "  run time       2.000 s\n"
                    "  processes      1 (pid 100, exited 0)\n"
                    "  allocations    22 calls, 79.50 KiB\n"));
    CHECK(fx_has(s, "malloc                     20 calls     79.37 KiB\n"));
    CHECK(fx_has(s, "calloc                      1 calls          64 B\n"));
    CHECK(fx_has(s, "realloc                     1 calls          64 B\n"));
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
    char *s = summary(path, AN_FMT_JSON, NULL);
    CHECK(fx_has(s, "\"report\": \"summary\""));
    CHECK(fx_has(s, "\"alloc_calls\": 22,\n  \"alloc_bytes\": 81404,"));
    CHECK(fx_has(s, "\"kind\": \"malloc\",\n      \"calls\": 20,\n      \"bytes\": 81276"));
    CHECK(fx_has(s, "\"free_calls\": 15,\n  \"peak_bytes\": 81116,\n  \"peak_blocks\": 9,\n"
                    "  \"peak_ns\": 999000000,\n  \"peak_rss_bytes\": 4194304,\n"
                    "  \"leaked_bytes\": 76052,\n  \"leaked_blocks\": 7,\n  \"temporary\": 13,\n"
                    "  \"failed\": 1,\n  \"ring_waits\": 3,\n  \"ring_wait_ns\": 12000,"));
    CHECK(fx_has(s, "\"top_by_peak\": ["));
    free(s);
    s = summary(path, AN_FMT_CSV, NULL);
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
    char *s = summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "note: the recording is truncated: interrupted by the user\n"));
    CHECK(fx_has(s, "  status         truncated: interrupted by the user\n"));
    free(s);

    /* still recording: this test process plays the live collector, and the
     * figures come from the rows (callsite_stats is not trusted yet) */
    CHECK_EQ(fx_create(path), 0);
    snprintf(sql, sizeof sql, "UPDATE meta SET value='recording' WHERE key='status';"
             "INSERT INTO meta VALUES ('collector_pid', %d); DELETE FROM callsite_stats;",
             (int)getpid());
    CHECK_EQ(fx_exec(path, sql), 0);
    s = summary(path, AN_FMT_TEXT, NULL);
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
    s = summary(path, AN_FMT_JSON, NULL);
    CHECK(fx_has(s, "\"status\": \"recording\""));
    CHECK(fx_has(s, "\"note\": \"the recording did not finish (its collector is gone)"));
    free(s);

    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "UPDATE meta SET value=0 WHERE key='symbolized'"), 0);
    s = summary(path, AN_FMT_TEXT, NULL);
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
    char *s = summary(path, AN_FMT_TEXT, NULL);
    CHECK(fx_has(s, "  allocations    0 calls, 0 B\n"));
    CHECK(fx_has(s, "  peak heap      0 B in 0 blocks\n"));
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
    unlink(path);
    rmdir(dir);
    return th_done("test_report_summary");
}
