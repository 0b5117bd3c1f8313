/* test_report_temp.c -- `report temporary`: heaptrack's temporary count per
 * stack (from the scan, agreeing with callsite_stats), short-lived counts
 * for several --max-lifetime values, windows, filters, formats. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_report.h"

static char *temp(an_db_t *d, an_report_opts_t *o)
{
    char *text = NULL, err[256] = "";
    int rc = fx_run(an_report_temp, d, o, &text, err, sizeof err);
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "temporary: %s\n", err);
    return text;
}

static void test_default(an_db_t *d)
{
    an_report_opts_t o;
    an_report_opts_init(&o);
    char *s = temp(d, &o);
    CHECK(fx_has(s, "13 of 22 allocations (59.1%) were temporary: freed before their thread "
                    "allocated again\n12 (54.5%) lived less than 1.0 ms\n\n"
                    "pooling candidates: top 3 of 3 stacks by temporary count\n"
                    "Allocs  Temporary       %  < 1.0 ms       %  Bytes  Callsite  Allocated at\n"
                    "    10         10  100.0%        10  100.0%  160 B         7  churn (app.c:30)\n"
                    "                                                                from main (app.c:42)\n"));
    free(s);
    o.format = AN_FMT_CSV;
    s = temp(d, &o);
    CHECK(fx_has(s, "allocs,temporary,temporary_pct,short_lived,short_lived_pct,bytes,callsite,stack\n"
                    "10,10,100,10,100,160,7,churn (/src/app.c:30);main (/src/app.c:42);"
                    "__libc_start_call_main (libc.so.6+0x271ca)\n"
                    "2,2,100,1,50,64,16,rec (/src/app.c:52);"));
    CHECK(fx_has(s, "\n2,1,50,1,50,128,17,0xdeadbeef;main (/src/app.c:40);"));
    free(s);
    an_report_opts_free(&o);
}

static void test_lifetime(an_db_t *d)
{
    an_report_opts_t o;
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    o.max_lifetime_ns = 100; /* only the 50 ns realloc is shorter */
    char *s = temp(d, &o);
    CHECK(fx_has(s, "\n10,10,100,0,0,160,7,"));
    CHECK(fx_has(s, "\n2,2,100,0,0,64,16,"));
    CHECK(fx_has(s, "\n2,1,50,1,50,128,17,"));
    free(s);
    o.max_lifetime_ns = 2000000000LL; /* 2 s: everything freed */
    o.format = AN_FMT_JSON;
    s = temp(d, &o);
    CHECK(fx_has(s, "\"allocs\": 22,\n  \"temporary\": 13,\n  \"short_lived\": 15,\n"
                    "  \"max_lifetime_ns\": 2000000000,\n  \"stacks\": 4,"));
    free(s);
    an_report_opts_free(&o);
}

static void test_window_filter(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    CHECK_EQ(an_filter_time(&o.filter, 0, "1.3", err, sizeof err), 0);
    char *s = temp(d, &o);
    CHECK(fx_has(s, "short_lived_pct,bytes,callsite,stack\n2,2,100,1,50,64,16,"));
    CHECK(fx_has(s, "\n1,1,100,1,100,64,17,"));
    CHECK(strstr(s, "churn") == NULL);
    free(s);
    an_report_opts_free(&o);

    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_FILE, "app\\.c$", err, sizeof err), 0);
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_FUNCTION, "^rec$", err, sizeof err), 0);
    s = temp(d, &o);
    CHECK(fx_has(s, "stack\n2,2,100,1,50,64,16,rec"));
    CHECK(strchr(strchr(s, '\n') + 1, '\n')[1] == '\0');
    free(s);
    an_report_opts_free(&o);
}

int main(void)
{
    char dir[64], path[128], err[256];
    an_db_t d;
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0)
        return 1;
    test_default(&d);
    test_lifetime(&d);
    test_window_filter(&d);
    an_db_close(&d);
    unlink(path);
    rmdir(dir);
    return th_done("test_report_temp");
}
