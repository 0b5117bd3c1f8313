/* test_export_formats.c -- `heapql export` on the report fixture: option
 * rules, massif snapshots and heap trees (exact text), speedscope frames
 * and profiles, csv rows, folded = the flamegraph report.  The consumers
 * themselves (ms_print, python's csv and jsonschema, go tool pprof) read
 * real recordings in tests/e2e/export_*.sh. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_export.h"

static char *run_export(an_db_t *d, an_export_opts_t *o)
{
    char *text = NULL, err[256] = "";
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int rc = an_export_run(d, o, f, err, sizeof err);
    fclose(f);
    CHECK_EQ(rc, 0);
    if (rc)
        fprintf(stderr, "%s: %s\n", an_export_format_name(o->format), err);
    return text;
}

static char *export_fmt(an_db_t *d, an_export_format_t fmt, unsigned metrics)
{
    an_export_opts_t o;
    an_export_opts_init(&o);
    o.format = fmt;
    o.metrics = metrics;
    o.db_path = "fx.db";
    return run_export(d, &o);
}

static int check_fails(an_export_format_t fmt, unsigned metrics, long long pid, const char *msg)
{
    char err[256] = "";
    an_export_opts_t o;
    an_export_opts_init(&o);
    o.format = fmt;
    o.metrics = metrics;
    o.pid = pid;
    return an_export_check(&o, err, sizeof err) == -1 && strstr(err, msg) != NULL;
}

#define B(m) (1u << (m))

static void test_options(void)
{
    char err[256];
    unsigned m = 0;
    CHECK_EQ(an_export_format_parse("speedscope"), AN_EXPORT_SPEEDSCOPE);
    CHECK_EQ(an_export_format_parse("perf"), -1);
    CHECK_EQ(an_export_metrics_parse("allocs,leaked", &m, err, sizeof err), 0);
    CHECK_EQ(m, B(AN_M_ALLOCS) | B(AN_M_LEAKED));
    CHECK_EQ(an_export_metrics_parse("bytes,nope", &m, err, sizeof err), -1);
    CHECK(strstr(err, "'nope'") != NULL);
    CHECK_EQ(an_export_metrics_parse("", &m, err, sizeof err), -1);
    CHECK(check_fails(AN_EXPORT_MASSIF, B(AN_M_BYTES), -1, "does not apply"));
    CHECK(check_fails(AN_EXPORT_CSV, B(AN_M_BYTES), -1, "does not apply"));
    CHECK(check_fails(AN_EXPORT_PPROF, B(AN_M_TEMPORARY), -1, "allocs, bytes, peak or leaked"));
    CHECK(check_fails(AN_EXPORT_FOLDED, B(AN_M_BYTES) | B(AN_M_PEAK), -1, "one --metric"));
    CHECK(check_fails(AN_EXPORT_CSV, 0, 100, "massif only"));
    CHECK(!check_fails(AN_EXPORT_SPEEDSCOPE, B(AN_M_BYTES) | B(AN_M_TEMPORARY), -1, ""));
    CHECK(!check_fails(AN_EXPORT_MASSIF, 0, 100, ""));
}

/* The text of snapshot n (up to the next one), malloc'd. */
static char *snapshot(const char *doc, int n)
{
    char head[64];
    snprintf(head, sizeof head, "\nsnapshot=%d\n", n);
    const char *a = doc ? strstr(doc, head) : NULL;
    if (!a)
        return strdup("");
    const char *b = strstr(a + 1, "\n#-----------\nsnapshot=");
    return strndup(a, b ? (size_t)(b - a) + 1 : strlen(a));
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; p && (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_massif(an_db_t *d)
{
    char *s = export_fmt(d, AN_EXPORT_MASSIF, 0);
    CHECK(fx_has(s, "desc: heapql export --format massif (pid 100) fx.db\n"
                    "cmd: ./app --fast\ntime_unit: ms\n"));
    CHECK_EQ(count(s, "\nsnapshot="), 101); /* 100 evenly spaced and the peak */
    CHECK_EQ(count(s, "heap_tree=peak"), 1);
    CHECK_EQ(count(s, "heap_tree=detailed"), 11); /* 9, 19 ... 99 and the last */
    /* the peak: 0.999 s, 81116 B in 9 blocks; slack 2x4 + 3x4 + 4x8 */
    char *peak = snapshot(s, 50);
    CHECK(fx_has(peak, "time=999\nmem_heap_B=81116\nmem_heap_extra_B=52\nmem_stacks_B=0\n"
                       "heap_tree=peak\n"
                       "n5: 81116 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n"
                       " n1: 73728 0x9000: (anonymous namespace)::pool::pool() "
                       "(in /usr/lib/x86_64-linux-gnu/libstdc++.so.6)\n"
                       "  n0: 73728 0x6000: _dl_init (in /lib64/ld-linux-x86-64.so.2)\n"
                       " n1: 5000 0x1300: helper (util.h:5)\n"
                       "  n1: 5000 0x1300: make_buf (app.c:21)\n"
                       "   n0: 5000 0x1110: main (app.c:41)\n"
                       " n1: 1024 0x80000: _IO_file_doallocate (in /lib/x86_64-linux-gnu/libc.so.6)\n"
                       "  n0: 1024 0x1130: main (app.c:43)\n"
                       " n1: 1000 0x5000: _dl_new_object (in /lib64/ld-linux-x86-64.so.2)\n"
                       "  n0: 1000 0x6000: _dl_init (in /lib64/ld-linux-x86-64.so.2)\n"
                       " n0: 364 in 2 places, below massif's threshold (1.00%)\n"));
    /* the end: what was never freed */
    char *end = snapshot(s, 100);
    CHECK(fx_has(end, "time=2000\nmem_heap_B=76052\n"));
    CHECK(fx_has(end, "heap_tree=detailed\nn4: 76052 (heap allocation functions)"));
    /* before the first allocation: nothing */
    char *first = snapshot(s, 0);
    CHECK(fx_has(first, "time=0\nmem_heap_B=0\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=empty"));
    free(first);
    free(end);
    free(peak);
    free(s);
}

static void test_massif_bytes(an_db_t *d)
{
    an_export_opts_t o;
    an_export_opts_init(&o);
    o.format = AN_EXPORT_MASSIF;
    o.time_bytes = 1;
    o.pid = 100;
    char *s = run_export(d, &o);
    CHECK(fx_has(s, "time_unit: B\n"));
    char *end = snapshot(s, 100);
    CHECK(fx_has(end, "time=81404\n")); /* every byte allocated by the end */
    free(end);
    free(s);
    o.pid = 4242;
    o.time_bytes = 0;
    char err[256] = "";
    FILE *f = fopen("/dev/null", "w");
    CHECK_EQ(an_export_run(d, &o, f, err, sizeof err), -1);
    CHECK(strstr(err, "no process 4242") != NULL);
    fclose(f);
}

static void test_speedscope(an_db_t *d)
{
    char *s = export_fmt(d, AN_EXPORT_SPEEDSCOPE, 0);
    CHECK(fx_has(s, "\"$schema\": \"https://www.speedscope.app/file-format-schema.json\""));
    CHECK(fx_has(s, "\"name\": \"heapql: ./app --fast\""));
    CHECK(fx_has(s, "{\"name\": \"helper\", \"file\": \"/src/util.h\"}"));
    CHECK(fx_has(s, "{\"name\": \"make_buf\", \"file\": \"/src/app.c\"}"));
    CHECK(fx_has(s, "{\"name\": \"0xdeadbeef\"}"));
    CHECK(fx_has(s, "\"name\": \"allocations\", \"unit\": \"none\", \"startValue\": 0, "
                    "\"endValue\": 22,"));
    CHECK(fx_has(s, "\"name\": \"bytes allocated\", \"unit\": \"bytes\", \"startValue\": 0, "
                    "\"endValue\": 81404,"));
    CHECK(fx_has(s, "\"endValue\": 81116,"));
    CHECK(fx_has(s, "\"endValue\": 76052,"));
    CHECK(fx_has(s, "\"activeProfileIndex\": 1\n}\n"));
    CHECK_EQ(count(s, "\"type\": \"sampled\""), 4);
    free(s);
    s = export_fmt(d, AN_EXPORT_SPEEDSCOPE, B(AN_M_TEMPORARY));
    CHECK_EQ(count(s, "\"type\": \"sampled\""), 1);
    CHECK(fx_has(s, "\"name\": \"temporary allocations\", \"unit\": \"none\", \"startValue\": 0, "
                    "\"endValue\": 13,"));
    free(s);
}

static void test_csv(an_db_t *d)
{
    char *s = export_fmt(d, AN_EXPORT_CSV, 0);
    CHECK(s && !strncmp(s, "id,pid,tid,kind,ptr,size,usable_size,alloc_ns,free_ns,callsite_id,"
                           "function,weight\n1,100,100,malloc,4096,500,504,1000,,10,_dl_new_object,1\n",
                        129));
    CHECK_EQ(count(s, "\n"), 23);
    CHECK(fx_has(s, "\n5,100,100,malloc,100000,100,104,10000,,3,leak_three,1\n"));
    CHECK(fx_has(s, "\n18,100,100,calloc,300000,64,72,200000,1500000000,17,0xdeadbeef,1\n"));
    CHECK(fx_has(s, "\n19,100,100,malloc,400000,5000,5008,999000000,1350000000,5,helper,1\n"));
    CHECK(fx_has(s, "\n22,100,101,realloc,600000,64,72,1400000000,1400000050,17,0xdeadbeef,1\n"));
    free(s);
}

/* A sampled run: rows stand for `weight` blocks (allocations.weight; added
 * here when the schema this test builds against predates it). */
static void test_sampled(const char *dir)
{
    char path[128], err[256];
    an_db_t d;
    snprintf(path, sizeof path, "%s/sampled.db", dir);
    CHECK_EQ(fx_create(path), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0) {
        th_failed++;
        return;
    }
    int has = an_export_has_column(&d, "allocations", "weight");
    an_db_close(&d);
    CHECK_EQ(fx_exec(path, has ? "UPDATE allocations SET weight = 4 WHERE id = 19"
                               : "ALTER TABLE allocations ADD COLUMN weight REAL NOT NULL "
                                 "DEFAULT 1; UPDATE allocations SET weight = 4 WHERE id = 19"), 0);
    CHECK_EQ(fx_exec(path, "INSERT INTO meta VALUES ('sample_rate', 4096)"), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    char *s = export_fmt(&d, AN_EXPORT_CSV, 0);
    CHECK(fx_has(s, "\n19,100,100,malloc,400000,5000,5008,999000000,1350000000,5,helper,4\n"));
    free(s);
    s = export_fmt(&d, AN_EXPORT_MASSIF, 0);
    char *peak = snapshot(s, 50); /* the 5000-byte block counts 4 times */
    CHECK(fx_has(peak, "time=999\nmem_heap_B=96116\nmem_heap_extra_B=76\n"));
    CHECK(fx_has(peak, " n1: 20000 0x1300: helper (util.h:5)\n"));
    free(peak);
    free(s);
    an_db_close(&d);
    CHECK_EQ(fx_exec(path, "INSERT INTO meta VALUES ('aggregate', 1); DELETE FROM allocations"), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    an_export_opts_t o;
    an_export_opts_init(&o);
    FILE *f = fopen("/dev/null", "w");
    CHECK_EQ(an_export_run(&d, &o, f, err, sizeof err), -1);
    CHECK(strstr(err, "aggregated recording") != NULL);
    fclose(f);
    an_db_close(&d);
    unlink(path);
}

static void test_folded(an_db_t *d)
{
    char *flame = NULL, err[256];
    an_report_opts_t ro;
    an_report_opts_init(&ro);
    ro.metric = AN_M_LEAKED;
    CHECK_EQ(fx_run(an_report_flame, d, &ro, &flame, err, sizeof err), 0);
    char *s = export_fmt(d, AN_EXPORT_FOLDED, B(AN_M_LEAKED));
    CHECK(s && flame && !strcmp(s, flame));
    CHECK(fx_has(s, "__libc_start_call_main;main;leak_three 300\n"));
    free(s);
    free(flame);
    an_report_opts_free(&ro);
}

/* A recording whose collector died: no end time, no callsite_stats (the
 * figures come from a scan), the last event ends the massif time axis. */
static void test_unfinished(const char *dir)
{
    char path[128], err[256];
    an_db_t d;
    snprintf(path, sizeof path, "%s/crashed.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "UPDATE processes SET end_ns = NULL; DELETE FROM callsite_stats;"
                           "UPDATE meta SET value = 'recording' WHERE key = 'status';"
                           "INSERT INTO meta VALUES ('collector_pid', 2147483646);"), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        th_failed++;
        return;
    }
    CHECK(d.crashed);
    char *s = export_fmt(&d, AN_EXPORT_MASSIF, 0);
    char *end = snapshot(s, 100);
    CHECK(fx_has(end, "time=1900\nmem_heap_B=76052\n")); /* the last free: 1.9 s */
    free(end);
    free(s);
    s = export_fmt(&d, AN_EXPORT_SPEEDSCOPE, B(AN_M_BYTES) | B(AN_M_LEAKED));
    CHECK(fx_has(s, "\"endValue\": 81404,"));
    CHECK(fx_has(s, "\"endValue\": 76052,"));
    free(s);
    an_db_close(&d);
    unlink(path);
}

int main(void)
{
    char dir[64], path[128], err[256];
    an_db_t d;
    test_options();
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    test_massif(&d);
    test_massif_bytes(&d);
    test_speedscope(&d);
    test_csv(&d);
    test_folded(&d);
    test_unfinished(dir);
    test_sampled(dir);
    an_db_close(&d);
    unlink(path);
    rmdir(dir);
    return th_done("test_export_formats");
}
