/* test_tui_model.c -- the models behind the Summary, Call sites and Leaks
 * views on the report fixture: figures, stacks, leak grouping and
 * ordering, runtime one-time leaks set apart, the text filter and the
 * sort, a time range. */
#include "testhelper.h"
#include "test_tui_fixture.h"

static void test_summary(const char *path)
{
    an_db_t d;
    tui_summary_t *s = NULL;
    char err[256];
    if (tx_open(path, &d) != 0)
        return;
    CHECK_EQ(tui_summary_load(&d, &s, err, sizeof err), 0);
    an_db_close(&d);
    if (!s)
        return;
    CHECK(!strcmp(s->command, "./app --fast"));
    CHECK(!strcmp(s->state.status, "complete"));
    CHECK_EQ(s->state.live, 0);
    CHECK_EQ(s->state.symbolized, 1);
    CHECK_EQ(s->state.max_id, 22);
    CHECK_EQ(s->run_ns, 2000000000LL);
    CHECK_EQ(s->allocs, 22);
    CHECK_EQ(s->frees, 15);
    CHECK_EQ(s->failed, 1);
    CHECK_EQ(s->has_totals, 1);
    CHECK_EQ(s->bytes, 81404);
    CHECK_EQ(s->leaked_bytes, 76052);
    CHECK_EQ(s->leaked_blocks, 7);
    CHECK_EQ(s->temporary, 13);
    CHECK_EQ(s->peak_bytes, 81116);
    CHECK_EQ(s->peak_blocks, 9);
    CHECK_EQ(s->peak_ns, 999000000LL);
    CHECK_EQ(s->peak_rss, 4194304);
    CHECK_EQ(s->nprocs, 1);
    CHECK_EQ(s->procs[0].pid, 100);
    CHECK_EQ(s->procs[0].exit_code, 0);
    CHECK_EQ(s->series.n, 5); /* the peak is a sample: no point added */
    CHECK_EQ(s->heap_now, 76052);
    CHECK_EQ(s->rss_now, 3145728);
    tui_summary_free(s);
}

static void test_kinds(const char *path)
{
    an_db_t d;
    tui_kinds_t *k = NULL;
    char err[256];
    if (tx_open(path, &d) != 0)
        return;
    CHECK_EQ(tui_kinds_load(&d, &k, err, sizeof err), 0);
    an_db_close(&d);
    if (!k)
        return;
    CHECK_EQ(k->n, 3);
    CHECK(!strcmp(k->name[0], "malloc"));
    CHECK_EQ(k->count[0], 20);
    free(k);
}

static void test_sites(const tui_snap_t *s)
{
    const tui_site_t *t;
    CHECK_EQ(s->nsites, 8);
    CHECK_EQ(s->scanned, 0);  /* complete, no range: callsite_stats */
    CHECK_EQ(s->total.allocs, 22);
    CHECK_EQ(s->total.bytes, 81404);
    CHECK_EQ(s->total.peak_bytes, 81116);
    CHECK_EQ(s->total.leaked_bytes, 76052);
    CHECK_EQ(s->total.temporary, 13);
    if ((t = tx_site(s, 3))) {
        CHECK(!strcmp(t->function, "leak_three"));
        CHECK(!strcmp(t->file, "/src/app.c"));
        CHECK_EQ(t->line, 10);
        CHECK(t->caller && !strcmp(t->caller, "main"));
        CHECK(t->runtime == NULL);
        CHECK_EQ(s->stats[t->node].failed, 1);
    } else {
        CHECK(!"callsite 3");
    }
    if ((t = tx_site(s, 5))) { /* helper inlined into make_buf */
        CHECK(!strcmp(t->function, "helper"));
        CHECK(!strcmp(t->file, "/src/util.h"));
        CHECK(t->caller && !strcmp(t->caller, "make_buf"));
    } else {
        CHECK(!"callsite 5");
    }
    CHECK(tx_site(s, 17) && tx_site(s, 17)->function == NULL);
}

static void test_leaks(const tui_snap_t *s)
{
    static const long long order[4] = {9, 12, 10, 3};
    CHECK_EQ(s->nleaks, 4);
    for (size_t i = 0; i < s->nleaks && i < 4; i++)
        CHECK_EQ(s->sites[s->leaks[i]].callsite, order[i]);
    /* runtime one-time: the libstdc++ pool, the loader, stdio's buffer */
    CHECK(tx_site(s, 9)->runtime != NULL);
    CHECK(tx_site(s, 10)->runtime != NULL);
    CHECK(tx_site(s, 12)->runtime != NULL);
    CHECK_EQ(s->leak_shown.leaked_bytes, 300);
    CHECK_EQ(s->leak_shown.leaked_blocks, 3);
    CHECK_EQ(s->leak_runtime.leaked_bytes, 75752);
    CHECK_EQ(s->leak_runtime_stacks, 3);
}

static long long site_cs(const tui_snap_t *s, const int *rows, size_t i)
{
    return s->sites[rows[i]].callsite;
}

static void test_select(const tui_snap_t *s)
{
    int *rows = NULL;
    size_t n = 0;
    CHECK_EQ(tui_sites_select(s, 0, "", AN_M_ALLOCS, 0, &rows, &n), 0);
    CHECK_EQ(n, 8);
    CHECK_EQ(site_cs(s, rows, 0), 7); /* churn: 10 allocations */
    CHECK_EQ(site_cs(s, rows, 1), 3);
    free(rows);
    CHECK_EQ(tui_sites_select(s, 0, NULL, AN_M_ALLOCS, 1, &rows, &n), 0);
    CHECK_EQ(site_cs(s, rows, 7), 7); /* reversed: churn last */
    free(rows);
    CHECK_EQ(tui_sites_select(s, 0, "churn", AN_M_PEAK, 0, &rows, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(n ? site_cs(s, rows, 0) : 0, 7);
    free(rows);
    CHECK_EQ(tui_sites_select(s, 0, "MAIN", AN_M_PEAK, 0, &rows, &n), 0);
    CHECK_EQ(n, 6); /* every stack through main; not the loader's two */
    free(rows);
    CHECK_EQ(tui_sites_select(s, 0, "util.h", AN_M_PEAK, 0, &rows, &n), 0);
    CHECK_EQ(n, 1); /* the file of an inlined frame */
    free(rows);
    CHECK_EQ(tui_sites_select(s, 0, "no such thing", AN_M_PEAK, 0, &rows, &n), 0);
    CHECK_EQ(n, 0);
    free(rows);
    CHECK_EQ(tui_sites_select(s, 1, "", AN_M_LEAKED, 0, &rows, &n), 0);
    CHECK_EQ(n, 4);
    CHECK_EQ(site_cs(s, rows, 0), 9);
    free(rows);
    CHECK_EQ(tui_sites_select(s, 1, "_dl_init", AN_M_LEAKED, 0, &rows, &n), 0);
    CHECK_EQ(n, 2);
    free(rows);
}

/* Range [0.5 s, 1.45 s]: the 5000-byte block (0.999 s) and the realloc
 * (1.4 s); the churn and leaks were allocated before. */
static void test_window(const char *path)
{
    tui_snap_t *s = tx_snap(path, 500000000LL, 1450000000LL);
    if (!s)
        return;
    CHECK_EQ(s->window, 1);
    CHECK_EQ(s->scanned, 1);
    CHECK_EQ(s->total.allocs, 4);
    CHECK_EQ(s->total.bytes, 5000 + 32 + 32 + 64);
    CHECK_EQ(s->nleaks, 0);
    CHECK(tx_site(s, 5) != NULL);
    CHECK(tx_site(s, 3) == NULL);
    tui_snap_unref(s);
}

int main(void)
{
    char dir[64], path[256];
    tui_snap_t *s;
    if (fx_tmpdir(dir) != 0 || tx_make(dir, "fx.db", path, sizeof path) != 0)
        return 2;
    test_summary(path);
    test_kinds(path);
    if ((s = tx_snap(path, 0, 0))) {
        test_sites(s);
        test_leaks(s);
        test_select(s);
        CHECK_EQ(atomic_load(&s->refs), 1);
        CHECK(tui_snap_ref(s) == s);
        tui_snap_unref(s);
        tui_snap_unref(s);
    } else {
        CHECK(!"snapshot");
    }
    test_window(path);
    unlink(path);
    rmdir(dir);
    return th_done("test_tui_model");
}
