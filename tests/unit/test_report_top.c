/* test_report_top.c -- `report top` on the fixture: self and inclusive
 * figures per function, sorting, --top, filters, time windows; and the
 * scan of allocations agreeing with callsite_stats figure by figure. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_report_int.h"

static char *run_top(an_db_t *d, an_report_opts_t *o)
{
    char *text = NULL, err[256] = "";
    int rc = fx_run(an_report_top, d, o, &text, err, sizeof err);
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "top: %s\n", err);
    return text;
}

static void test_self_csv(an_db_t *d)
{
    an_report_opts_t o;
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    char *s = run_top(d, &o);
    const char *want =
        "rank,allocs,bytes,peak_bytes,leaked_bytes,temporary,peak_blocks,leaked_blocks,frees,"
        "failed,stacks,function,callsite\n"
        "1,1,73728,73728,73728,0,1,1,0,0,1,(anonymous namespace)::pool::pool(),(anonymous "
        "namespace)::pool::pool() (libstdc++.so.6+0x9000);_dl_init (ld-linux-x86-64.so.2+0x6000)\n"
        "2,1,5000,5000,0,0,1,0,1,0,1,helper,helper (/src/util.h:5);make_buf (/src/app.c:21);"
        "main (/src/app.c:41);__libc_start_call_main (libc.so.6+0x271ca)\n"
        "3,1,1024,1024,1024,0,1,1,0,0,1,_IO_file_doallocate,_IO_file_doallocate "
        "(libc.so.6+0x80000);main (/src/app.c:43);__libc_start_call_main (libc.so.6+0x271ca)\n"
        "4,2,1000,1000,1000,0,2,2,0,0,1,_dl_new_object,_dl_new_object "
        "(ld-linux-x86-64.so.2+0x5000);_dl_init (ld-linux-x86-64.so.2+0x6000)\n"
        "5,3,300,300,300,0,3,3,0,1,1,leak_three,leak_three (/src/app.c:10);main (/src/app.c:40);"
        "__libc_start_call_main (libc.so.6+0x271ca)\n"
        "6,2,128,64,0,1,1,0,2,0,1,0xdeadbeef,0xdeadbeef;main (/src/app.c:40);"
        "__libc_start_call_main (libc.so.6+0x271ca)\n";
    CHECK(s && !strcmp(s, want));
    if (s && strcmp(s, want))
        fprintf(stderr, "got:\n%s\nwant:\n%s\n", s, want);
    free(s);
    an_report_opts_free(&o);
}

static void test_inclusive(an_db_t *d)
{
    an_report_opts_t o;
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    o.inclusive = 1;
    o.metric = AN_M_ALLOCS;
    o.top = -1;
    char *s = run_top(d, &o);
    /* main and its caller: every stack but the loader's two, once each */
    /* a tie: the frame nearer the allocation first */
    CHECK(fx_has(s, "\n1,19,6676,6388,1324,13,6,4,15,1,6,main,"));
    CHECK(fx_has(s, "\n2,19,6676,6388,1324,13,6,4,15,1,6,__libc_start_call_main,"));
    CHECK(fx_has(s, ",3,74728,74728,74728,0,3,3,0,0,2,_dl_init,"));
    /* recursion: rec is on its stack three times, counted once */
    CHECK(fx_has(s, ",2,64,0,0,2,0,0,2,0,1,rec,rec (/src/app.c:52);rec (/src/app.c:50)"));
    /* the inlined caller gets its own row */
    CHECK(fx_has(s, ",1,5000,5000,0,0,1,0,1,0,1,make_buf,make_buf (/src/app.c:21);main"));
    CHECK(fx_has(s, ",1,5000,5000,0,0,1,0,1,0,1,helper,helper (/src/util.h:5);make_buf"));
    free(s);

    o.format = AN_FMT_TEXT;
    o.top = 2;
    s = run_top(d, &o);
    CHECK(fx_has(s, "top 2 of 12 functions by allocs (inclusive)\n"));
    CHECK(fx_has(s, "all call sites: 22 allocations, 79.50 KiB; peak 79.21 KiB; leaked 74.27 KiB; "
                    "13 temporary\n"));
    CHECK(fx_has(s, "\n1      19  6.52 KiB  6.24 KiB  1.29 KiB         13  main (app.c:42)\n"
                    "                                                      from __libc_start_call_main"));
    free(s);
    an_report_opts_free(&o);
}

static void test_filters(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    o.metric = AN_M_ALLOCS;
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_MODULE, "ld-linux", err, sizeof err), 0);
    char *s = run_top(d, &o);
    CHECK(fx_has(s, "\n1,2,1000,1000,1000,0,2,2,0,0,1,_dl_new_object,"));
    CHECK(strchr(strchr(s, '\n') + 1, '\n')[1] == '\0'); /* one row only */
    free(s);
    an_report_opts_free(&o);

    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    o.inclusive = 1;
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_FUNCTION, "^rec$", err, sizeof err), 0);
    o.metric = AN_M_TEMPORARY;
    s = run_top(d, &o);
    CHECK(fx_has(s, "\n1,2,64,0,0,2,0,0,2,0,1,rec,"));
    free(s);
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_FUNCTION, "([", err, sizeof err), -1);
    CHECK(fx_has(err, "bad --function regex '(['"));
    an_report_opts_free(&o);
}

static void test_window(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    CHECK_EQ(an_filter_time(&o.filter, 0, "0.5", err, sizeof err), 0);
    CHECK_EQ(an_filter_time(&o.filter, 1, "peak", err, sizeof err), 0);
    char *s = run_top(d, &o);
    CHECK(fx_has(s, "\n1,1,5000,5000,0,0,1,0,1,0,1,helper,"));
    CHECK(strstr(s, "leak_three") == NULL);
    free(s);
    an_report_opts_free(&o);

    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    o.metric = AN_M_ALLOCS;
    CHECK_EQ(an_filter_time(&o.filter, 1, "0.001", err, sizeof err), 0);
    s = run_top(d, &o);
    CHECK(fx_has(s, "\n1,10,160,0,0,10,0,0,10,0,1,churn,"));
    CHECK(fx_has(s, ",1,64,64,0,0,1,0,1,0,1,0xdeadbeef,")); /* only the calloc, not temporary */
    CHECK(strstr(s, "helper") == NULL);
    free(s);
    o.format = AN_FMT_TEXT;
    s = run_top(d, &o);
    CHECK(fx_has(s, "by allocs (self), allocated from 0.000 s to 0.001 s\n"));
    free(s);
    an_report_opts_free(&o);

    an_report_opts_init(&o);
    CHECK_EQ(an_filter_time(&o.filter, 0, "abc", err, sizeof err), -1);
    CHECK(fx_has(err, "--from must be seconds"));
    CHECK_EQ(an_filter_time(&o.filter, 0, "1.5", err, sizeof err), 0);
    CHECK_EQ(an_filter_time(&o.filter, 1, "1", err, sizeof err), 0);
    char *t = NULL;
    CHECK_EQ(fx_run(an_report_top, d, &o, &t, err, sizeof err), -1);
    CHECK(fx_has(err, "--from (1.500 s) is after --to (1.000 s)"));
    free(t);
    an_report_opts_free(&o);
}

/* The scan computes what the recorder wrote into callsite_stats. */
static void test_scan_agrees(an_db_t *d)
{
    an_report_opts_t o;
    an_ctx_t a, b;
    char err[256];
    an_report_opts_init(&o);
    CHECK_EQ(an_ctx_open(&a, d, &o, stdout, 1, err, sizeof err), 0);
    CHECK_EQ(an_ctx_stats(&a, 0, err, sizeof err), 0);
    CHECK_EQ(a.scanned, 0);
    CHECK_EQ(an_ctx_open(&b, d, &o, stdout, 0, err, sizeof err), 0);
    CHECK_EQ(an_ctx_stats(&b, 1, err, sizeof err), 0);
    CHECK_EQ(b.scanned, 1);
    CHECK_EQ(a.n_stats, b.n_stats);
    CHECK(a.tree->loaded && b.tree->loaded); /* the scan needs every callsite */
    int diff = 0;
    long long temp = 0, shorts = 0;
    for (size_t i = 0; i < a.n_stats; i++) { /* b loaded leaves first: other indexes */
        int j = an_map_get(&b.tree->node_ix, a.tree->nodes[i].id);
        if (j < 0 || (size_t)j >= b.n_stats) {
            diff++;
            continue;
        }
        const an_stat_t *x = &a.stats[i], *y = &b.stats[j];
        diff += x->allocs != y->allocs || x->bytes != y->bytes || x->frees != y->frees ||
                x->peak_blocks != y->peak_blocks || x->peak_bytes != y->peak_bytes ||
                x->leaked_blocks != y->leaked_blocks || x->leaked_bytes != y->leaked_bytes ||
                x->temporary != y->temporary;
        temp += y->temporary;
        shorts += y->short_lived;
    }
    CHECK_EQ(diff, 0);
    CHECK_EQ(temp, 13);
    CHECK_EQ(shorts, 12); /* churn's 10, rec's first, the 50 ns realloc */
    an_ctx_close(&b);
    an_ctx_close(&a);
    an_report_opts_free(&o);
}

int main(void)
{
    char dir[64], path[128], err[256];
    an_db_t d;
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    test_self_csv(&d);
    test_inclusive(&d);
    test_filters(&d);
    test_window(&d);
    test_scan_agrees(&d);
    an_db_close(&d);
    unlink(path);
    rmdir(dir);
    return th_done("test_report_top");
}
