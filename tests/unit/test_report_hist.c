/* test_report_hist.c -- `report histogram` (size and lifetime buckets,
 * --callsite subtrees, --function, windows) and `report timeline` (samples,
 * the chart fitting the terminal, the peak marker). */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_report.h"

static char *run(fx_report_fn fn, an_db_t *d, an_report_opts_t *o, int want_rc, char *err)
{
    char *text = NULL;
    int rc = fx_run(fn, d, o, &text, err, 256);
    CHECK_EQ(rc, want_rc);
    if (rc != want_rc)
        fprintf(stderr, "report: %s\n", err);
    return text;
}

static void test_hist(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    char *s = run(an_report_hist, d, &o, 0, err);
    CHECK(s && !strcmp(s,
        "histogram,bucket,from,below,count,bytes\n"
        "size,\"[16 B, 32 B)\",16,32,10,160\n"
        "size,\"[32 B, 64 B)\",32,64,2,64\n"
        "size,\"[64 B, 128 B)\",64,128,5,428\n"
        "size,\"[128 B, 256 B)\",128,256,0,0\n"
        "size,\"[256 B, 512 B)\",256,512,2,1000\n"
        "size,\"[512 B, 1 KiB)\",512,1024,0,0\n"
        "size,\"[1 KiB, 2 KiB)\",1024,2048,1,1024\n"
        "size,\"[2 KiB, 4 KiB)\",2048,4096,0,0\n"
        "size,\"[4 KiB, 8 KiB)\",4096,8192,1,5000\n"
        "size,\"[8 KiB, 16 KiB)\",8192,16384,0,0\n"
        "size,\"[16 KiB, 32 KiB)\",16384,32768,0,0\n"
        "size,\"[32 KiB, 64 KiB)\",32768,65536,0,0\n"
        "size,\"[64 KiB, 128 KiB)\",65536,131072,1,73728\n"
        "lifetime,< 1 us,0,1000,12,256\n"
        "lifetime,1 - 10 us,1000,10000,0,0\n"
        "lifetime,10 - 100 us,10000,100000,0,0\n"
        "lifetime,100 us - 1 ms,100000,1000000,0,0\n"
        "lifetime,1 - 10 ms,1000000,10000000,0,0\n"
        "lifetime,10 - 100 ms,10000000,100000000,0,0\n"
        "lifetime,100 ms - 1 s,100000000,1000000000,2,5032\n"
        "lifetime,1 - 10 s,1000000000,10000000000,1,64\n"
        "lifetime,>= 10 s,10000000000,,0,0\n"
        "lifetime,never freed,,,7,76052\n"));
    if (s && !strstr(s, "never freed,,,7,76052"))
        fprintf(stderr, "%s", s);
    free(s);

    /* callsite 2 is main:40: leak_three's 3 blocks and the unknown frame's 2 */
    o.callsite = 2;
    o.format = AN_FMT_JSON;
    s = run(an_report_hist, d, &o, 0, err);
    CHECK(fx_has(s, "\"allocs\": 5,\n  \"bytes\": 428,\n  \"sizes\": [\n    {\n      \"from\": 64,\n"
                    "      \"below\": 128,\n      \"count\": 5,\n      \"bytes\": 428\n    }\n  ],"));
    CHECK(fx_has(s, "\"label\": \"never freed\",\n      \"from_ns\": null,\n      \"below_ns\": null,\n"
                    "      \"count\": 3,"));
    free(s);

    o.callsite = 999;
    s = run(an_report_hist, d, &o, -1, err);
    CHECK(fx_has(err, "no callsite with id 999"));
    free(s);

    o.callsite = -1;
    o.format = AN_FMT_TEXT;
    o.width = 60;
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_FUNCTION, "churn", err, sizeof err), 0);
    s = run(an_report_hist, d, &o, 0, err);
    CHECK(fx_has(s, "10 allocations, 160 B\n\nsizes\n"));
    CHECK(fx_has(s, "        [16 B, 32 B)         10      160 B 100.0%  #########\n"));
    CHECK(fx_has(s, "              < 1 us         10      160 B 100.0%  #########\n"));
    CHECK(fx_has(s, "         never freed          0        0 B   0.0%\n"));
    for (char *l = s; l && *l; l = strchr(l, '\n') + 1) /* bars fit 60 columns */
        CHECK((int)(strchr(l, '\n') - l) <= 60);
    free(s);
    an_report_opts_free(&o);
}

static void test_timeline(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.format = AN_FMT_CSV;
    char *s = run(an_report_timeline, d, &o, 0, err);
    CHECK(s && !strcmp(s, "pid,ns,heap_bytes,heap_blocks,rss_bytes\n"
                          "100,0,0,0,1048576\n100,500000000,76116,8,2097152\n"
                          "100,999000000,81116,9,4194304\n100,1500000000,76116,8,4194304\n"
                          "100,2000000000,76052,7,3145728\n"));
    free(s);

    o.format = AN_FMT_TEXT;
    o.width = 60;
    o.height = 20;
    s = run(an_report_timeline, d, &o, 0, err);
    CHECK(fx_has(s, "heap (#) and RSS (.) over time, 5 samples\n\n   4.00 MiB |"));
    int rows = 0, widest = 0, caret = -1;
    for (char *l = s; l && *l; l = strchr(l, '\n') + 1) {
        int len = (int)(strchr(l, '\n') - l);
        widest = len > widest ? len : widest;
        rows += len > 12 && l[12] == '|';
        if (memchr(l, '^', (size_t)len))
            caret = (int)((char *)memchr(l, '^', (size_t)len) - l);
    }
    CHECK_EQ(rows, 12);          /* LINES 20 - 8 */
    CHECK(widest <= 60);
    CHECK_EQ(caret, 13 + 22);    /* 0.999 s of 2 s across 46 columns */
    CHECK(fx_has(s, "\n             peak 79.21 KiB at 0.999 s\n"));
    CHECK(fx_has(s, "0.000 s") && fx_has(s, "2.000 s\n"));
    free(s);

    o.format = AN_FMT_JSON;
    CHECK_EQ(an_filter_time(&o.filter, 0, "0.5", err, sizeof err), 0);
    CHECK_EQ(an_filter_time(&o.filter, 1, "1.5", err, sizeof err), 0);
    s = run(an_report_timeline, d, &o, 0, err);
    CHECK(fx_has(s, "\"peak_bytes\": 81116,\n  \"peak_ns\": 999000000,\n  \"samples\": [\n    {\n"
                    "      \"pid\": 100,\n      \"ns\": 500000000,"));
    CHECK(strstr(s, "\"ns\": 2000000000") == NULL && strstr(s, "\"ns\": 0,") == NULL);
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
    test_hist(&d);
    test_timeline(&d);
    an_db_close(&d);
    unlink(path);
    rmdir(dir);
    return th_done("test_report_hist");
}
