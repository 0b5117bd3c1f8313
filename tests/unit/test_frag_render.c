/* test_frag_render.c -- the text and JSON views of one model: the map's
 * glyphs (Unicode, ASCII fallback), colour only when asked, the cell size
 * chosen to fit the area, the pinning call site named, JSON keys. */
#include "testhelper.h"
#include "test_frag_db.h"
#include "an_frag_render.h"

#include <stdlib.h>

#define DB "test_frag_render.db"
#define B 0x555555600000ull

/* Pages 0..3 of the brk heap: p0 full (one 4080-byte block), p1 ~1% live
 * (keep_me, 40 bytes), p2 empty, p3 ~45% (alternating 72-byte blocks). */
static void build(void)
{
    sqlite3 *db = tdb_create(DB);
    tf_process(db, 1, 42, 0, 3 * TF_S, 2 * TF_S);
    tf_main_module(db, 42, 0x555555554000ull, 0x555555559000ull);
    tf_site(db, 1, "fill_page");
    tf_site(db, 2, "keep_me");
    tf_site(db, 3, "alternate");
    tf_block(db, 42, B + 0x10, 4000, 4080, 1, 100, -1);
    tf_block(db, 42, B + 0x1010, 32, 40, 2, 200, -1);
    for (int i = 0; i < 25; i++)
        tf_block(db, 42, B + 0x3010 + (unsigned long long)i * 160, 64, 72, 3, 300 + i, -1);
    tf_sample(db, 42, 2 * TF_S, 8 << 20);
    CHECK(tdb_is(db, "27", "SELECT count(*) FROM allocations"));
    sqlite3_close(db);
}

static char *render(const an_frag_model_t *m, int json, int utf8, int color, int cols, int rows)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    an_frag_view_t v = {cols, rows, utf8, color, 0, "x.db"};
    CHECK(f != NULL);
    CHECK_EQ(json ? an_frag_write_json(m, &v, f) : an_frag_write_text(m, &v, f), 0);
    fclose(f);
    return buf;
}

static void check_text(const an_frag_model_t *m)
{
    char *s = render(m, 0, 1, 0, 80, 24);
    CHECK(strstr(s, "  555555600000 \u2588\u2591 \u2592\n") != NULL); /* full, low, empty, ~45% */
    CHECK(strstr(s, "keep_me (prog.c:2)") != NULL);
    CHECK(strstr(s, "call sites pinning pages") < strstr(s, "keep_me"));
    CHECK(strstr(s, "fragmentation ratio") != NULL);
    CHECK(strstr(s, "\033[") == NULL);
    free(s);
    s = render(m, 0, 0, 0, 80, 24);
    CHECK(strstr(s, "  555555600000 @. :\n") != NULL);
    CHECK(strstr(s, "\u2588") == NULL);
    free(s);
    s = render(m, 0, 1, 1, 80, 24);
    CHECK(strstr(s, "\033[31m\u2591") != NULL); /* low pages in red */
    free(s);
    s = render(m, 0, 0, 0, 18, 24); /* 2 cells a row: 2 rows */
    CHECK(strstr(s, "  555555600000 @.\n  555555602000  :\n") != NULL);
    free(s);
    s = render(m, 0, 0, 0, 18, 5); /* 1 map line: 2 pages a cell */
    CHECK(strstr(s, "one cell = 8.00 KiB (2 pages)") != NULL);
    CHECK(strstr(s, "  555555600000 #:\n") != NULL);
    free(s);
}

static void check_json(const an_frag_model_t *m)
{
    char *s = render(m, 1, 1, 1, 80, 24);
    CHECK(strstr(s, "\"levels\": \"4102\"") != NULL);
    CHECK(strstr(s, "\"pages_touched\": 3") != NULL);
    CHECK(strstr(s, "\"function\": \"keep_me\"") != NULL);
    CHECK(strstr(s, "\"pinning\"") != NULL && strstr(s, "\"internal_waste\"") != NULL);
    CHECK(strstr(s, "\"series\"") != NULL);
    CHECK(strstr(s, "\"rss_bytes\": 8388608") != NULL);
    CHECK(strstr(s, "\033[") == NULL); /* never colour in JSON */
    free(s);
}

int main(void)
{
    an_frag_model_t m;
    char err[256] = "";
    build();
    CHECK_EQ(tf_model(DB, -1, AN_FRAG_AT_END, 0, 20, &m, err, sizeof err), 0);
    CHECK_EQ(m.pages_touched, 3);
    CHECK_EQ(m.npin, 1);
    check_text(&m);
    check_json(&m);
    an_frag_free(&m);
    remove(DB);
    return th_done("test_frag_render");
}
