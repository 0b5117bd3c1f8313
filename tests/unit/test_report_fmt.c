/* test_report_fmt.c -- human units, JSON escaping, CSV quoting, tables. */
#include "testhelper.h"

#include <stdlib.h>
#include <string.h>

#include "an_fmt.h"

static int eq(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return 1;
    fprintf(stderr, "  got '%s', want '%s'\n", a, b);
    return 0;
}

static void test_units(void)
{
    char b[64];
    CHECK(eq(an_fmt_bytes(0, b, sizeof b), "0 B"));
    CHECK(eq(an_fmt_bytes(1023, b, sizeof b), "1023 B"));
    CHECK(eq(an_fmt_bytes(1024, b, sizeof b), "1.00 KiB"));
    CHECK(eq(an_fmt_bytes(1536, b, sizeof b), "1.50 KiB"));
    CHECK(eq(an_fmt_bytes(5000, b, sizeof b), "4.88 KiB"));
    CHECK(eq(an_fmt_bytes(3LL << 30, b, sizeof b), "3.00 GiB"));
    CHECK(eq(an_fmt_bytes(-2048, b, sizeof b), "-2.00 KiB"));
    CHECK(eq(an_fmt_count(0, b, sizeof b), "0"));
    CHECK(eq(an_fmt_count(999, b, sizeof b), "999"));
    CHECK(eq(an_fmt_count(1000, b, sizeof b), "1,000"));
    CHECK(eq(an_fmt_count(1234567, b, sizeof b), "1,234,567"));
    CHECK(eq(an_fmt_count(-1234, b, sizeof b), "-1,234"));
    CHECK(eq(an_fmt_ns(500, b, sizeof b), "500 ns"));
    CHECK(eq(an_fmt_ns(1500, b, sizeof b), "1.5 us"));
    CHECK(eq(an_fmt_ns(1000000, b, sizeof b), "1.0 ms"));
    CHECK(eq(an_fmt_ns(2500000000LL, b, sizeof b), "2.500 s"));
    CHECK(eq(an_fmt_pct(1, 3, b, sizeof b), "33.3%"));
    CHECK(eq(an_fmt_pct(1, 0, b, sizeof b), "-"));
    CHECK(eq(an_fmt_delta(0, 1, b, sizeof b), "0"));
    CHECK(eq(an_fmt_delta(3, 0, b, sizeof b), "+3"));
    CHECK(eq(an_fmt_delta(-2048, 1, b, sizeof b), "-2.00 KiB"));
    CHECK(eq(an_fmt_base("/a/b/c.c"), "c.c"));
    CHECK(eq(an_fmt_base("c.c"), "c.c"));
    an_frame_t f = {.function = "f", .file = "/x/y.c", .line = 7};
    CHECK(eq(an_fmt_frame(&f, b, sizeof b), "f (y.c:7)"));
}

static char *capture_json(void (*fn)(an_json_t *j))
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    an_json_t j;
    an_json_init(&j, f);
    fn(&j);
    fclose(f);
    return s;
}

static void json_doc(an_json_t *j)
{
    an_json_obj(j, NULL);
    an_json_str(j, "s", "a\"b\\c\nd\te\x01" "f\xff" "g\xc3\xa9");
    an_json_int(j, "i", -5);
    an_json_num(j, "n", 1.5);
    an_json_bool(j, "b", 1);
    an_json_str(j, "z", NULL);
    an_json_arr(j, "a");
    an_json_int(j, NULL, 1);
    an_json_int(j, NULL, 2);
    an_json_end(j, ']');
    an_json_arr(j, "e");
    an_json_end(j, ']');
    an_json_end(j, '}');
}

static void test_json(void)
{
    char *s = capture_json(json_doc);
    CHECK(eq(s, "{\n  \"s\": \"a\\\"b\\\\c\\nd\\te\\u0001f\\ufffdg\xc3\xa9\",\n  \"i\": -5,\n"
                "  \"n\": 1.5,\n  \"b\": true,\n  \"z\": null,\n  \"a\": [\n    1,\n    2\n  ],\n"
                "  \"e\": []\n}\n"));
    free(s);
}

static void test_csv(void)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    an_csv_str(f, "plain", 0);
    an_csv_str(f, "a,b", 0);
    an_csv_str(f, "say \"hi\"", 0);
    an_csv_int(f, 42, 0);
    an_csv_str(f, NULL, 1);
    fclose(f);
    CHECK(eq(s, "plain,\"a,b\",\"say \"\"hi\"\"\",42,\n"));
    free(s);
}

static char *render(an_table_t *t, an_format_t fmt)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    an_json_t j;
    an_json_init(&j, f);
    if (fmt == AN_FMT_JSON)
        an_json_obj(&j, NULL);
    an_table_write(t, fmt, f, &j, "rows", 0);
    if (fmt == AN_FMT_JSON)
        an_json_end(&j, '}');
    fclose(f);
    return s;
}

static void test_table(void)
{
    an_frame_t fr[2] = {{.function = "leaf", .file = "/s/a.c", .line = 3},
                        {.function = "main", .file = "/s/a.c", .line = 9}};
    an_table_t *t = an_table_new();
    CHECK_EQ(an_table_col(t, "n", "N", AN_C_INT, 0), 0);
    CHECK_EQ(an_table_col(t, "bytes", "Bytes", AN_C_BYTES, 0), 1);
    CHECK_EQ(an_table_col(t, "raw", "Raw", AN_C_INT, 1), 2);
    CHECK_EQ(an_table_col(t, "txt", "Txt", AN_C_TEXT, 2), 3);
    CHECK_EQ(an_table_col(t, "stack", "Site", AN_C_STACK, 0), 4);
    CHECK_EQ(an_table_row(t), 0);
    an_table_int(t, 0, 1234);
    an_table_int(t, 1, 2048);
    an_table_int(t, 2, 7);
    an_table_text(t, 3, "x");
    CHECK_EQ(an_table_stack(t, 4, fr, 2, 2), 0);
    CHECK_EQ(an_table_row(t), 0);
    an_table_int(t, 0, 5);
    CHECK_EQ(an_table_rows(t), 2);

    char *s = render(t, AN_FMT_TEXT);
    CHECK(eq(s, "    N     Bytes  Txt  Site\n"
                "1,234  2.00 KiB  x    leaf (a.c:3)\n"
                "                        from main (a.c:9)\n"
                "    5\n"));
    free(s);
    s = render(t, AN_FMT_CSV);
    CHECK(eq(s, "n,bytes,raw,stack\n1234,2048,7,leaf (/s/a.c:3);main (/s/a.c:9)\n5,,,\n"));
    free(s);
    s = render(t, AN_FMT_JSON);
    CHECK(strstr(s, "\"n\": 1234,\n      \"bytes\": 2048,\n      \"raw\": 7,\n      \"stack\": [") != NULL);
    CHECK(strstr(s, "\"txt\"") == NULL);
    CHECK(strstr(s, "\"function\": \"main\"") != NULL);
    CHECK(strstr(s, "\"n\": 5,\n      \"bytes\": null") != NULL);
    free(s);
    an_table_free(t);
}

int main(void)
{
    test_units();
    test_json();
    test_csv();
    test_table();
    return th_done("test_report_fmt");
}
