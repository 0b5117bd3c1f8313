/* test_report_kinds.c -- the summary's calls per kind come from kind_stats
 * in a finished recording (complete, truncated, aggregated) and from the
 * allocations rows otherwise (still recording, unfinished, no kind_stats
 * rows).  The fixture's rows say malloc 20, calloc 1, realloc 1; the
 * kind_stats rows written here say otherwise, so the output tells which
 * was read. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_report.h"

#define KIND_ROWS                                                                   \
    "INSERT INTO kind_stats (process_id, pid, kind, alloc_count, alloc_bytes) VALUES " \
    "(1, 100, 0, 4, 400), (1, 100, 1, 17, 1700), (1, 100, 2, 1, 64);"

/* 1: the kinds came from kind_stats; 0: from the rows; -1: neither. */
static int kinds_source(const char *path, const char *sql)
{
    char *s;
    int from;
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, sql), 0);
    s = fx_summary(path, AN_FMT_JSON, NULL);
    from = s && strstr(s, "\"kind\": \"calloc\",\n      \"calls\": 17\n") ? 1
           : s && strstr(s, "\"kind\": \"malloc\",\n      \"calls\": 20\n") ? 0
                                                                            : -1;
    if (from < 0)
        fprintf(stderr, "--- no kinds in:\n%s\n", s ? s : "(null)");
    free(s);
    return from;
}

int main(void)
{
    char dir[64], path[128];
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(kinds_source(path, KIND_ROWS), 1);
    CHECK_EQ(kinds_source(path, KIND_ROWS "UPDATE meta SET value = 'truncated' "
                                          "WHERE key = 'status';"), 1);
    CHECK_EQ(kinds_source(path, "SELECT 1;"), 0); /* no rows: ended before writing them */
    CHECK_EQ(kinds_source(path, "DROP TABLE kind_stats;"), 0); /* a file older than it */
    /* unfinished (status recording, its collector gone): rows even if present */
    CHECK_EQ(kinds_source(path, KIND_ROWS "UPDATE meta SET value = 'recording' WHERE key = "
                                          "'status'; INSERT INTO meta VALUES "
                                          "('collector_pid', 2147483646);"), 0);
    /* aggregated: no rows, the kinds only in kind_stats */
    CHECK_EQ(kinds_source(path, KIND_ROWS "DELETE FROM allocations; INSERT INTO meta VALUES "
                                          "('aggregate', 1);"), 1);
    unlink(path);
    rmdir(dir);
    return th_done("test_report_kinds");
}
