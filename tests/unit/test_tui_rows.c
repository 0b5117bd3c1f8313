/* test_tui_rows.c -- the Allocations view's rows (one stack's blocks, a
 * time range, the three sorts) and the Summary chart's series (samples
 * summed, per column, the peak added as a point). */
#include "testhelper.h"
#include "test_tui_fixture.h"

#include <limits.h>

static tui_allocs_t *rows(const char *path, long long cs, long long from, long long to)
{
    an_db_t d;
    tui_allocs_t *a = NULL;
    tui_allocs_req_t r = {cs, to > 0, from, to};
    char err[256];
    if (tx_open(path, &d) != 0)
        return NULL;
    if (tui_allocs_load(&d, &r, &a, err, sizeof err) != 0)
        fprintf(stderr, "allocs: %s\n", err);
    an_db_close(&d);
    return a;
}

static void test_allocs(const char *path)
{
    tui_allocs_t *a = rows(path, 7, 0, 0);
    CHECK(a && a->n == 10 && a->matched == 10 && !a->capped);
    if (a && a->n == 10) {
        CHECK_EQ(a->v[0].size, 16);
        CHECK_EQ(a->v[0].alloc_ns, 100000);
        CHECK_EQ(a->v[0].free_ns - a->v[0].alloc_ns, 500);
        CHECK_EQ(a->v[0].ptr, 200000);
        CHECK_EQ(a->v[0].tid, 100);
        tui_allocs_sort(a, TUI_AS_TIME, 1);
        CHECK_EQ(a->v[0].alloc_ns, 109000);
    }
    tui_allocs_free(a);
    a = rows(path, 7, 100000, 103000); /* the range keeps 4 */
    CHECK(a && a->n == 4);
    tui_allocs_free(a);
    a = rows(path, 17, 0, 0); /* a calloc freed at 1.5 s, a realloc freed 50 ns later */
    CHECK(a && a->n == 2);
    if (a && a->n == 2) {
        tui_allocs_sort(a, TUI_AS_LIFE, 0);
        CHECK_EQ(a->v[0].id, 18); /* the longest life first */
        tui_allocs_sort(a, TUI_AS_LIFE, 1);
        CHECK_EQ(a->v[0].id, 22);
    }
    tui_allocs_free(a);
    a = rows(path, 3, 0, 0); /* never freed: -1, and the longest lifetime */
    CHECK(a && a->n == 3 && a->v[0].free_ns == -1);
    tui_allocs_free(a);
    a = rows(path, 999, 0, 0);
    CHECK(a && a->n == 0);
    tui_allocs_free(a);
    a = rows(path, LLONG_MIN, 0, 0); /* allocations without a stack */
    CHECK(a && a->n == 0);
    tui_allocs_free(a);
}

static void test_series(const char *path)
{
    an_db_t d;
    tui_series_t s;
    long long heap[4], rss[4];
    char err[256];
    if (tx_open(path, &d) != 0)
        return;
    CHECK_EQ(tui_series_load(&d, &s, err, sizeof err), 0);
    an_db_close(&d);
    CHECK_EQ(s.n, 5);
    CHECK_EQ(tui_series_at(&s, -1), -1);
    CHECK_EQ(tui_series_at(&s, 0), 0);
    CHECK_EQ(tui_series_at(&s, 999999999), 2);
    CHECK_EQ(tui_series_at(&s, 5000000000LL), 4);
    tui_series_columns(&s, 0, 2000000000LL, 4, heap, rss);
    CHECK_EQ(heap[0], 0);
    CHECK_EQ(heap[1], 81116);  /* the highest sample of the column */
    CHECK_EQ(heap[2], 81116);  /* no sample: carried over */
    CHECK_EQ(heap[3], 76116);
    CHECK_EQ(rss[1], 4194304);
    CHECK_EQ(tui_series_insert(&s, 1200000000LL, 90000, 10), 0);
    CHECK_EQ(s.n, 6);
    CHECK_EQ(s.ns[3], 1200000000LL);
    CHECK_EQ(s.heap[3], 90000);
    CHECK_EQ(s.rss[3], 4194304); /* the sample before's */
    tui_series_columns(&s, 0, 2000000000LL, 4, heap, rss);
    CHECK_EQ(heap[2], 90000);
    tui_series_free(&s);
}

/* Two processes: their samples add up while both run. */
static void test_series_procs(const char *dir)
{
    char path[256];
    an_db_t d;
    tui_series_t s;
    char err[256];
    snprintf(path, sizeof path, "%s/two.db", dir);
    CHECK_EQ(fx_create_sql(path,
        "INSERT INTO meta VALUES ('status','complete');"
        "INSERT INTO processes (id,pid,start_ns,end_ns) VALUES (1,10,0,300),(2,11,50,150);"
        "INSERT INTO samples VALUES (10,0,1000,100,1),(11,60,500,40,1),(10,100,1000,200,2),"
        " (10,200,1000,300,3);"), 0);
    if (tx_open(path, &d) != 0)
        return;
    CHECK_EQ(tui_series_load(&d, &s, err, sizeof err), 0);
    an_db_close(&d);
    CHECK_EQ(s.n, 4);
    if (s.n == 4) {
        CHECK_EQ(s.heap[1], 140);  /* 100 + 40 */
        CHECK_EQ(s.heap[2], 240);  /* 200 + 40 */
        CHECK_EQ(s.rss[2], 1500);
        CHECK_EQ(s.heap[3], 300);  /* 11 ended at 150 */
    }
    tui_series_free(&s);
    unlink(path);
}

int main(void)
{
    char dir[64], path[256];
    if (fx_tmpdir(dir) != 0 || tx_make(dir, "fx.db", path, sizeof path) != 0)
        return 2;
    test_allocs(path);
    test_series(path);
    test_series_procs(dir);
    unlink(path);
    rmdir(dir);
    return th_done("test_tui_rows");
}
