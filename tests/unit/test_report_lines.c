/* test_report_lines.c -- `report lines`: self and inclusive figures per
 * source line (inline chains, recursion counted once), the function's range
 * with context, whole files, the source text, a missing source file (table
 * kept, warning set), names of C++ functions, windows. */
#include "testhelper.h"
#include "test_report_fixture.h"

#include "an_report.h"
#include "an_report_lines.h"

static char dir[64];

static char *lines(an_db_t *d, an_report_opts_t *o, int want_rc, char *err)
{
    char *text = NULL;
    int rc = fx_run(an_report_lines, d, o, &text, err, 256);
    CHECK_EQ(rc, want_rc);
    if (rc != want_rc)
        fprintf(stderr, "lines: %s\n", err);
    return text;
}

/* /DIR/app.c with 60 numbered lines and a few real ones. */
static void write_source(const char *path)
{
    FILE *f = fopen(path, "w");
    for (int i = 1; f && i <= 60; i++) {
        if (i == 18) fputs("static char *make_buf(void)\n", f);
        else if (i == 21) fputs("\treturn helper(5000);\n", f);
        else if (i == 40) fputs("    leak_three();\n", f);
        else fprintf(f, "/* %d */\n", i);
    }
    if (f)
        fclose(f);
}

static void test_function(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.target = "make_buf";
    char *s = lines(d, &o, 0, err);
    CHECK(fx_has(s, "make_buf in "));
    CHECK(fx_has(s, "/app.c, lines 18-24 -- self: allocations made on the line itself (inlined "
                    "code included); --inclusive adds callees\n"
                    "Line   Allocated      Peak  Leaked  Calls  Line contents\n"
                    "18                                         static char *make_buf(void)\n"
                    "19                                         /* 19 */\n"));
    CHECK(fx_has(s, "\n21      4.88 KiB  4.88 KiB     0 B      1          return helper(5000);\n"));
    CHECK(fx_has(s, "\n24                                         /* 24 */\n"
                    "total   4.88 KiB  4.88 KiB     0 B      1\n"));
    CHECK(o.warning[0] == '\0');
    free(s);

    o.target = "main";
    o.inclusive = 1;
    o.format = AN_FMT_CSV;
    s = lines(d, &o, 0, err);
    CHECK(fx_has(s, "file,line,allocated_bytes,peak_bytes,leaked_bytes,calls,text\n"));
    CHECK(fx_has(s, "/app.c,37,,,,,/* 37 */\n"));
    CHECK(fx_has(s, "/app.c,40,428,364,300,5,    leak_three();\n"));
    CHECK(fx_has(s, "/app.c,41,5000,5000,0,1,/* 41 */\n"));
    CHECK(fx_has(s, "/app.c,42,160,0,0,10,/* 42 */\n"));
    CHECK(fx_has(s, "/app.c,43,1024,1024,1024,1,/* 43 */\n"));
    CHECK(fx_has(s, "/app.c,44,64,0,0,2,/* 44 */\n"));
    CHECK(fx_has(s, "/app.c,47,,,,,/* 47 */\n"));
    CHECK(strstr(s, ",48,") == NULL && strstr(s, ",36,") == NULL);
    free(s);

    /* self: main calls the allocator nowhere itself */
    o.inclusive = 0;
    o.format = AN_FMT_TEXT;
    s = lines(d, &o, 0, err);
    CHECK(fx_has(s, "no allocation is attributed to these lines directly (try --inclusive)\n"));
    CHECK(fx_has(s, "total        0 B   0 B     0 B      0\n"));
    free(s);

    /* recursion: rec's line 50 is on the stack twice, counted once */
    o.target = "rec";
    o.inclusive = 1;
    o.format = AN_FMT_JSON;
    s = lines(d, &o, 0, err);
    CHECK(fx_has(s, "\"line\": 50,\n          \"allocated_bytes\": 64,\n          \"peak_bytes\": 0,\n"
                    "          \"leaked_bytes\": 0,\n          \"calls\": 2,"));
    CHECK(fx_has(s, "\"total\": {\n        \"allocated_bytes\": 64,\n        \"peak_bytes\": 0,\n"
                    "        \"leaked_bytes\": 0,\n        \"calls\": 2\n      }"));
    CHECK(fx_has(s, "\"first_line\": 47,\n      \"last_line\": 55,"));
    free(s);
    an_report_opts_free(&o);
}

static void test_file(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.target = "app.c";
    o.format = AN_FMT_CSV;
    char *s = lines(d, &o, 0, err);
    CHECK(fx_has(s, "/app.c,1,,,,,/* 1 */\n"));
    CHECK(fx_has(s, "/app.c,10,300,300,300,3,/* 10 */\n"));
    CHECK(fx_has(s, "/app.c,21,5000,5000,0,1,        return helper(5000);\n"));
    CHECK(fx_has(s, "/app.c,30,160,0,0,10,/* 30 */\n"));
    CHECK(fx_has(s, "/app.c,40,,,,,    leak_three();\n"));
    CHECK(fx_has(s, "/app.c,52,64,0,0,2,/* 52 */\n"));
    CHECK(fx_has(s, "/app.c,60,,,,,/* 60 */\n"));
    free(s);
    /* a window: only what was allocated from 1.3 s on */
    CHECK_EQ(an_filter_time(&o.filter, 0, "1.3", err, sizeof err), 0);
    o.inclusive = 1;
    s = lines(d, &o, 0, err);
    CHECK(fx_has(s, "/app.c,40,64,0,0,1,    leak_three();\n"));
    CHECK(fx_has(s, "/app.c,44,64,0,0,2,/* 44 */\n"));
    CHECK(fx_has(s, "/app.c,41,,,,,/* 41 */\n"));
    free(s);
    an_report_opts_free(&o);
}

static void test_missing(an_db_t *d)
{
    an_report_opts_t o;
    char err[256];
    an_report_opts_init(&o);
    o.target = "leak_three";
    char *s = lines(d, &o, 0, err);
    CHECK(fx_has(s, "leak_three in /src/app.c, line 10 -- self"));
    CHECK(fx_has(s, "source file /src/app.c not found: figures without source text\n"
                    "Line   Allocated   Peak  Leaked  Calls  Line contents\n"
                    "10         300 B  300 B   300 B      3\n"
                    "total      300 B  300 B   300 B      3\n"));
    CHECK(fx_has(o.warning, "source file /src/app.c not found: figures shown without source text"));
    free(s);
    o.target = "nope";
    o.warning[0] = '\0';
    s = lines(d, &o, -1, err);
    CHECK(fx_has(err, "no function or source file named 'nope'"));
    free(s);
    an_report_opts_free(&o);
}

/* Code of another function written inside main's lines (a lambda) counts
 * for main's listing; lines outside main's range do not. */
static void test_lambda(const char *path)
{
    an_db_t d;
    an_report_opts_t o;
    char err[256];
    CHECK_EQ(fx_exec(path, "INSERT INTO frames VALUES (60,1,9000,'main::{lambda()#1}::operator()() "
                           "const','/src/app.c',42,0),(61,1,9100,'other','/src/app.c',48,0);"
                           "INSERT INTO callsites VALUES (60,1,60,1),(61,1,61,1);"
                           "INSERT INTO callsite_stats VALUES (60,100,1,8,16,1,0,0,0,0,1,0),"
                           " (61,100,1,9,16,1,0,0,0,0,1,0);"), 0);
    CHECK_EQ(an_db_open(&d, path, AN_DB_READ, err, sizeof err), 0);
    an_report_opts_init(&o);
    o.target = "main";
    o.format = AN_FMT_CSV;
    char *s = lines(&d, &o, 0, err);
    CHECK(fx_has(s, "/src/app.c,42,8,0,0,1,\n"));
    CHECK(strstr(s, ",48,") == NULL); /* past main's last line (44) + context */
    free(s);
    an_report_opts_free(&o);
    an_db_close(&d);
}

static void test_names(void)
{
    CHECK_EQ(an_lines_name_match("foo", "foo"), 1);
    CHECK_EQ(an_lines_name_match("foo(int)", "foo"), 1);
    CHECK_EQ(an_lines_name_match("ns::foo(int)", "foo"), 1);
    CHECK_EQ(an_lines_name_match("A::foo(int) const", "foo"), 1);
    CHECK_EQ(an_lines_name_match("A::foo(int) const", "A::foo"), 1);
    CHECK_EQ(an_lines_name_match("foobar", "foo"), 0);
    CHECK_EQ(an_lines_name_match("xfoo", "foo"), 0);
    CHECK_EQ(an_lines_name_match("ns::foobar()", "foo"), 0);
    CHECK_EQ(an_lines_name_match(NULL, "foo"), 0);
}

int main(void)
{
    char path[128], src[128], sql[512], err[256];
    an_db_t d, m;
    CHECK_EQ(fx_tmpdir(dir), 0);
    snprintf(src, sizeof src, "%s/app.c", dir);
    write_source(src);
    snprintf(path, sizeof path, "%s/missing.db", dir);
    CHECK_EQ(fx_create(path), 0);
    CHECK_EQ(an_db_open(&m, path, AN_DB_READ, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/fx.db", dir);
    CHECK_EQ(fx_create(path), 0);
    snprintf(sql, sizeof sql, "UPDATE frames SET file = replace(file, '/src/', '%s/');"
             "UPDATE frame_inlines SET file = replace(file, '/src/', '%s/');", dir, dir);
    CHECK_EQ(fx_exec(path, sql), 0);
    if (an_db_open(&d, path, AN_DB_READ, err, sizeof err) != 0)
        return 1;
    test_function(&d);
    test_file(&d);
    test_missing(&m);
    test_names();
    an_db_close(&m);
    snprintf(path, sizeof path, "%s/missing.db", dir);
    test_lambda(path);
    an_db_close(&d);
    snprintf(sql, sizeof sql, "rm -rf %s", dir);
    CHECK_EQ(system(sql), 0);
    return th_done("test_report_lines");
}
