/* test_report_leaks.c -- `report leaks`: grouping by stack, runtime
 * one-time allocations suppressed by default, --all, LSan suppression files
 * (format errors, TemplateMatch semantics), filters, JSON and CSV. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_report.h"
#include "an_report_supp.h"

static char dir[64];

static char *leaks(an_db_t *d, an_report_opts_t *o, int want_rc, char *err)
{
    char *text = NULL;
    int rc = fx_run(an_report_leaks, d, o, &text, err, 256);
    CHECK_EQ(rc, want_rc);
    if (rc != want_rc)
        fprintf(stderr, "leaks: %s\n", err);
    return text;
}

static void test_default(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    char *s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "300 B leaked in 3 blocks from 1 stack\n"
                    "suppressed: 73.98 KiB in 4 blocks from 3 stacks of runtime one-time "
                    "allocations (loader, libc, libstdc++); --all lists them\n\n"
                    "300 B in 3 blocks (100.0% of the leaked bytes), callsite 3\n"
                    "    #0  leak_three (/src/app.c:10)\n"
                    "    #1  main (/src/app.c:40)\n"
                    "    #2  __libc_start_call_main (libc.so.6+0x271ca)\n"));
    CHECK(strstr(s, "_dl_init") == NULL);
    free(s);

    o.all = 1;
    s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "72.00 KiB in 1 block (96.9% of the leaked bytes), callsite 9 [suppressed: "
                    "runtime: system library initialisation]\n"));
    CHECK(fx_has(s, "1.00 KiB in 1 block (1.3% of the leaked bytes), callsite 12 [suppressed: "
                    "runtime: stdio buffer]\n"));
    CHECK(fx_has(s, "1000 B in 2 blocks (1.3% of the leaked bytes), callsite 10 [suppressed: "
                    "runtime: dynamic loader]\n"));
    CHECK(fx_has(s, "300 B in 3 blocks (0.4% of the leaked bytes), callsite 3\n"));
    CHECK(strstr(s, "--all lists them") == NULL);
    free(s);

    o.format = AN_FMT_CSV;
    s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "callsite,leaked_bytes,leaked_blocks,allocs,suppressed,stack\n"
                    "9,73728,1,1,runtime: system library initialisation,(anonymous namespace)::"
                    "pool::pool() (libstdc++.so.6+0x9000);_dl_init (ld-linux-x86-64.so.2+0x6000)\n"
                    "12,1024,1,1,runtime: stdio buffer,"));
    CHECK(fx_has(s, "\n3,300,3,3,,leak_three (/src/app.c:10);main (/src/app.c:40);"
                    "__libc_start_call_main (libc.so.6+0x271ca)\n"));
    free(s);

    o.format = AN_FMT_JSON;
    o.all = 0;
    s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "\"leaked\": {\n    \"bytes\": 300,\n    \"blocks\": 3,\n    \"stacks\": 1\n  },\n"
                    "  \"suppressed_runtime\": {\n    \"bytes\": 75752,\n    \"blocks\": 4,\n"
                    "    \"stacks\": 3\n  },"));
    CHECK(fx_has(s, "\"callsite\": 3,\n      \"leaked_bytes\": 300,\n      \"leaked_blocks\": 3,\n"
                    "      \"allocs\": 3,\n      \"suppressed\": null,"));
    CHECK(fx_has(s, "\"function\": \"leak_three\",\n          \"file\": \"/src/app.c\",\n"
                    "          \"line\": 10,"));
    free(s);
    an_report_opts_free(&o);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_user(an_db_t *d)
{
    an_report_opts_t o;
    char err[256], supp[128];
    snprintf(supp, sizeof supp, "%s/supp.txt", dir);
    write_file(supp, "# my suppressions\n\n  leak:^main$  \nleak:nothing_matches_this\n");
    an_report_opts_init(&o);
    o.suppressions = supp;
    char *s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "0 B leaked in 0 blocks from 0 stacks\n"));
    CHECK(fx_has(s, "suppressed: 1.29 KiB in 4 blocks from 2 stacks by "));
    CHECK(fx_has(s, "suppressed: 72.98 KiB in 3 blocks from 2 stacks of runtime"));
    free(s);
    o.all = 1;
    o.format = AN_FMT_CSV;
    s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "\n3,300,3,3,leak:^main$ ("));
    CHECK(fx_has(s, "supp.txt:3),leak_three"));
    free(s);

    /* a file pattern, and a module glob */
    write_file(supp, "leak:app.c\n");
    o.all = 0;
    o.format = AN_FMT_JSON;
    s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "\"suppressed_user\": {\n    \"bytes\": 1324,"));
    free(s);
    write_file(supp, "leak:libstdc++*.so*\n");
    s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "\"suppressed_user\": {\n    \"bytes\": 73728,"));
    free(s);

    write_file(supp, "leak:ok\nrace:foo\n");
    s = leaks(d, &o, -1, err);
    CHECK(fx_has(err, "supp.txt:2: expected 'leak:PATTERN', not 'race:foo'"));
    free(s);
    write_file(supp, "leak:   \n");
    s = leaks(d, &o, -1, err);
    CHECK(fx_has(err, "supp.txt:1: empty pattern after 'leak:'"));
    free(s);
    o.suppressions = "/nonexistent/supp.txt";
    s = leaks(d, &o, -1, err);
    CHECK(fx_has(err, "cannot read suppressions /nonexistent/supp.txt: No such file"));
    free(s);
    unlink(supp);
    an_report_opts_free(&o);
}

static void test_template(void)
{
    CHECK_EQ(an_supp_template("foo", "xfoox"), 1);
    CHECK_EQ(an_supp_template("^foo", "xfoo"), 0);
    CHECK_EQ(an_supp_template("^foo", "foox"), 1);
    CHECK_EQ(an_supp_template("foo$", "xfoo"), 1);
    CHECK_EQ(an_supp_template("foo$", "foox"), 0);
    CHECK_EQ(an_supp_template("foo$", "foofoo"), 1);
    CHECK_EQ(an_supp_template("^foo$", "foo"), 1);
    CHECK_EQ(an_supp_template("^foo$", "foofoo"), 0);
    CHECK_EQ(an_supp_template("f*o", "fxyzo"), 1);
    CHECK_EQ(an_supp_template("a*b*c", "aXbYc"), 1);
    CHECK_EQ(an_supp_template("a*c", "ab"), 0);
    CHECK_EQ(an_supp_template("*", "anything"), 1);
    CHECK_EQ(an_supp_template("x*$", "xyz"), 1);
    CHECK_EQ(an_supp_template("libc.so*", "/lib/x86_64-linux-gnu/libc.so.6"), 1);
    CHECK_EQ(an_supp_template("foo", NULL), 0);
    CHECK_EQ(an_supp_template("foo", ""), 0);
}

static void test_filter(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.all = 1;
    o.format = AN_FMT_CSV;
    CHECK_EQ(an_filter_regex(&o.filter, AN_FILTER_FUNCTION, "^_dl_", err, sizeof err), 0);
    char *s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "\n9,73728,"));
    CHECK(fx_has(s, "\n10,1000,"));
    CHECK(strstr(s, "\n3,300") == NULL && strstr(s, "\n12,1024") == NULL);
    free(s);
    an_report_opts_free(&o);

    an_report_opts_init(&o);
    o.top = 1;
    o.all = 1;
    s = leaks(d, &o, 0, err);
    CHECK(fx_has(s, "callsite 9 ["));
    CHECK(fx_has(s, "\n... 3 more stacks (--top 0 lists all)\n"));
    free(s);
    an_report_opts_free(&o);
}

int main(void)
{
    char path[128], err[256];
    an_db_t d;
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    test_default(&d);
    test_user(&d);
    test_template();
    test_filter(&d);
    an_db_close(&d);
    unlink(path);
    rmdir(dir);
    return th_done("test_report_leaks");
}
