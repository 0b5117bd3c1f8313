/* test_report_diff.c -- `report diff` (stacks matched by names and files
 * across builds whose addresses and lines moved, changes and their sort)
 * and `report flamegraph` (folded stacks, merged, per metric, filtered). */
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

/* B: another build (every pc and line of the program moved), leak_three
 * leaks 5 blocks, churn runs twice as often, rec is gone, a new stack. */
static const char diff_b_sql[] =
    "UPDATE frames SET rel_pc = rel_pc + 64, line = line + 2 WHERE module_id = 1;"
    "UPDATE frame_inlines SET line = line + 2;"
    "UPDATE callsite_stats SET alloc_count=5, alloc_bytes=500, leaked_blocks=5, leaked_bytes=500,"
    " peak_blocks=5, peak_bytes=500 WHERE callsite_id=3;"
    "UPDATE callsite_stats SET alloc_count=20, alloc_bytes=320, free_count=20, temporary_count=20"
    " WHERE callsite_id=7;"
    "DELETE FROM callsite_stats WHERE callsite_id=16;"
    "INSERT INTO frames VALUES (40,1,9999,'fresh','/src/new.c',3,0);"
    "INSERT INTO callsites VALUES (40,1,40,1);"
    "INSERT INTO callsite_stats VALUES (40,100,1,4096,4096,0,1,4096,1,4096,0,0);"
    "UPDATE processes SET peak_heap_bytes=85412;";

static void test_diff(an_db_t *a, an_db_t *b)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.other = b;
    o.db_path = "a.db";
    o.other_path = "b.db";
    o.metric = AN_M_BYTES;
    o.format = AN_FMT_CSV;
    char *s = run(an_report_diff, a, &o, 0, err);
    CHECK(s && !strcmp(s,
        "allocs_a,allocs_b,bytes_a,bytes_b,peak_bytes_a,peak_bytes_b,leaked_bytes_a,"
        "leaked_bytes_b,stack\n"
        "0,1,0,4096,0,4096,0,4096,fresh (/src/new.c:3);__libc_start_call_main (libc.so.6+0x271ca)\n"
        "3,5,300,500,300,500,300,500,leak_three (/src/app.c:12);main (/src/app.c:42);"
        "__libc_start_call_main (libc.so.6+0x271ca)\n"
        "10,20,160,320,0,0,0,0,churn (/src/app.c:32);main (/src/app.c:44);"
        "__libc_start_call_main (libc.so.6+0x271ca)\n"
        "2,0,64,0,0,0,0,0,rec (/src/app.c:52);rec (/src/app.c:50);rec (/src/app.c:50);"
        "main (/src/app.c:44);__libc_start_call_main (libc.so.6+0x271ca)\n"));
    if (s && !strstr(s, "fresh"))
        fprintf(stderr, "%s", s);
    free(s);

    o.format = AN_FMT_TEXT;
    s = run(an_report_diff, a, &o, 0, err);
    CHECK(fx_has(s, "diff a.db -> b.db (stacks matched by function and file names)\n"
                    "                            A              B  change\n"
                    "  allocations              22             33  +11 (+50.0%)\n"
                    "  bytes             79.50 KiB      83.79 KiB  +4.29 KiB (+5.4%)\n"
                    "  peak heap         79.21 KiB      83.41 KiB  +4.20 KiB (+5.3%)\n"
                    "  leaked            74.27 KiB      78.46 KiB  +4.20 KiB (+5.6%)\n\n"
                    "4 stacks changed; top 4 by change in bytes\n"));
    CHECK(fx_has(s, "\nnew 1          new 4.00 KiB      new 4.00 KiB     new 4.00 KiB     fresh (new.c:3)\n"));
    CHECK(fx_has(s, "\n+2 (+66.7%)    +200 B (+66.7%)   +200 B (+66.7%)  +200 B (+66.7%)  leak_three (app.c:12)\n"));
    CHECK(fx_has(s, "\ngone -2        gone -64 B        0                0                rec (app.c:52)\n"));
    free(s);

    /* sorted by allocations instead: churn's +10 first */
    o.metric = AN_M_ALLOCS;
    o.format = AN_FMT_JSON;
    o.top = 1;
    s = run(an_report_diff, a, &o, 0, err);
    CHECK(fx_has(s, "\"rows\": [\n    {\n      \"allocs_a\": 10,\n      \"allocs_b\": 20,"));
    CHECK(fx_has(s, "\"changed_stacks\": 4,"));
    CHECK(strstr(s, "\"allocs_a\": 3,") == NULL);
    free(s);

    /* a database against itself: nothing changed */
    o.other = a;
    o.format = AN_FMT_TEXT;
    s = run(an_report_diff, a, &o, 0, err);
    CHECK(fx_has(s, "\n0 stacks changed\n"));
    free(s);
    an_report_opts_free(&o);
}

static void test_flame(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.metric = AN_M_BYTES;
    char *s = run(an_report_flame, d, &o, 0, err);
    CHECK(s && !strcmp(s,
        "__libc_start_call_main;main;0xdeadbeef 128\n"
        "__libc_start_call_main;main;_IO_file_doallocate 1024\n"
        "__libc_start_call_main;main;churn 160\n"
        "__libc_start_call_main;main;leak_three 300\n"
        "__libc_start_call_main;main;make_buf;helper 5000\n"
        "__libc_start_call_main;main;rec;rec;rec 64\n"
        "_dl_init;(anonymous namespace)::pool::pool() 73728\n"
        "_dl_init;_dl_new_object 1000\n"));
    free(s);
    o.metric = AN_M_TEMPORARY;
    s = run(an_report_flame, d, &o, 0, err);
    CHECK(s && !strcmp(s, "__libc_start_call_main;main;0xdeadbeef 1\n"
                          "__libc_start_call_main;main;churn 10\n"
                          "__libc_start_call_main;main;rec;rec;rec 2\n"));
    free(s);
    o.metric = AN_M_ALLOCS;
    o.format = AN_FMT_CSV;
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_MODULE, "ld-linux", err, sizeof err), 0);
    s = run(an_report_flame, d, &o, 0, err);
    CHECK(s && !strcmp(s, "stack,value\n_dl_init;(anonymous namespace)::pool::pool(),1\n"
                          "_dl_init;_dl_new_object,2\n"));
    free(s);
    an_report_opts_free(&o);
}

/* Two callsites whose names fold the same merge into one line; ';' and
 * newlines inside names cannot break the format. */
static void test_flame_merge(const char *dir)
{
    char path[128], err[256];
    an_db_t d;
    an_report_opts_t o;
    snprintf(path, sizeof path, "%s/merge.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(fx_exec(path, "INSERT INTO frames VALUES (50,1,7777,'leak_three','/src/app.c',11,0),"
                           " (51,1,7778,'odd;name\nx',NULL,NULL,0);"
                           "INSERT INTO callsites VALUES (50,2,50,2),(51,2,51,2);"
                           "INSERT INTO callsite_stats VALUES (50,100,1,20,24,0,0,0,1,20,0,0),"
                           " (51,100,1,7,8,0,0,0,1,7,0,0);"), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    an_report_opts_init(&o);
    o.metric = AN_M_LEAKED;
    char *s = run(an_report_flame, &d, &o, 0, err);
    CHECK(fx_has(s, "__libc_start_call_main;main;leak_three 320\n"));
    CHECK(fx_has(s, "__libc_start_call_main;main;odd:name x 7\n"));
    free(s);
    an_report_opts_free(&o);
    an_db_close(&d);
    unlink(path);
}

int main(void)
{
    char dir[64], pa[128], pb[128], err[256];
    an_db_t a, b;
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(pa, sizeof pa, "%s/a.db", dir);
    snprintf(pb, sizeof pb, "%s/b.db", dir);
    CHECK_EQ(fx_create(pa), 0);
    CHECK_EQ(fx_create(pb), 0);
    CHECK_EQ(fx_exec(pb, diff_b_sql), 0);
    if (an_db_open(&a, pa, AN_DB_READ, err, sizeof err) != 0 ||
        an_db_open(&b, pb, AN_DB_READ, err, sizeof err) != 0)
        return 1;
    test_diff(&a, &b);
    test_flame(&a);
    test_flame_merge(dir);
    an_db_close(&a);
    an_db_close(&b);
    unlink(pa);
    unlink(pb);
    rmdir(dir);
    return th_done("test_report_diff");
}
