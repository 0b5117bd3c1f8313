/* test_tui_widgets.c -- the parts of the UI that hold state without a
 * terminal: the list widget's cursor and scrolling under every navigation
 * key, its tree keys through callbacks, the set of open tree paths
 * (add, delete in the middle of probe runs, grow), braille and the glyph
 * sets, fitting figure columns. */
#include "testhelper.h"

#include <stdlib.h>
#include <string.h>

#include "tui_app.h"

static void test_list(void)
{
    tui_list_t l;
    memset(&l, 0, sizeof l);
    l.h = 10;
    tui_list_set(&l, 100);
    CHECK_EQ(tui_list_key(&l, KEY_DOWN), TUI_REFRESH);
    CHECK_EQ(l.cur, 1);
    CHECK_EQ(tui_list_key(&l, 'k'), TUI_REFRESH);
    CHECK_EQ(tui_list_key(&l, KEY_UP), TUI_HANDLED); /* at the top: nothing moves */
    CHECK_EQ(tui_list_key(&l, KEY_NPAGE), TUI_REFRESH);
    CHECK_EQ(l.cur, 9);
    CHECK_EQ(tui_list_key(&l, 'j'), TUI_REFRESH);
    CHECK_EQ(l.cur, 10);
    CHECK_EQ(l.top, 1);
    CHECK_EQ(tui_list_key(&l, 'G'), TUI_REFRESH);
    CHECK_EQ(l.cur, 99);
    CHECK_EQ(l.top, 90);
    CHECK_EQ(tui_list_key(&l, KEY_PPAGE), TUI_REFRESH);
    CHECK_EQ(l.cur, 90);
    CHECK_EQ(tui_list_key(&l, KEY_HOME), TUI_REFRESH);
    CHECK_EQ(l.cur, 0);
    CHECK_EQ(l.top, 0);
    CHECK_EQ(tui_list_key(&l, 'x'), TUI_UNHANDLED);
    tui_list_goto(&l, 50);
    tui_list_set(&l, 20); /* the rows shrank: the cursor follows */
    CHECK_EQ(l.cur, 19);
    CHECK(l.top <= 19 && l.top >= 10);
    tui_list_set(&l, 0);
    CHECK_EQ(l.cur, 0);
    CHECK_EQ(tui_list_key(&l, KEY_DOWN), TUI_HANDLED);
}

/* A tree of rows: 0 (open) > 1, 2 (closed, kids hidden); 3 leaf. */
typedef struct fake_s {
    int open[4];
    int toggled;
} fake_t;

static int f_depth(void *ctx, long i) { (void)ctx; return i == 1 || i == 2 ? 1 : 0; }
static int f_state(void *ctx, long i)
{
    fake_t *f = ctx;
    return i == 0 || i == 2 ? (f->open[i] ? 2 : 1) : 0;
}
static void f_toggle(void *ctx, long i, int open)
{
    fake_t *f = ctx;
    f->open[i] = open;
    f->toggled++;
}
static long f_parent(void *ctx, long i) { (void)ctx; return i == 1 || i == 2 ? 0 : -1; }

static void test_tree_keys(void)
{
    static const tui_tree_ops_t ops = {f_depth, f_state, f_toggle, f_parent};
    fake_t f = {{1, 0, 0, 0}, 0};
    tui_list_t l;
    memset(&l, 0, sizeof l);
    l.h = 10;
    l.tree = &ops;
    l.ctx = &f;
    tui_list_set(&l, 4);
    tui_list_goto(&l, 2);
    CHECK_EQ(tui_list_key(&l, KEY_RIGHT), TUI_REFRESH); /* opens 2 */
    CHECK_EQ(f.open[2], 1);
    CHECK_EQ(tui_list_key(&l, KEY_LEFT), TUI_REFRESH);  /* closes 2 */
    CHECK_EQ(f.open[2], 0);
    CHECK_EQ(tui_list_key(&l, KEY_LEFT), TUI_REFRESH);  /* to the parent */
    CHECK_EQ(l.cur, 0);
    CHECK_EQ(tui_list_key(&l, KEY_RIGHT), TUI_REFRESH); /* open: to the first kid */
    CHECK_EQ(l.cur, 1);
    CHECK_EQ(tui_list_key(&l, '\r'), TUI_HANDLED);      /* a leaf */
    tui_list_goto(&l, 0);
    CHECK_EQ(tui_list_key(&l, '\r'), TUI_REFRESH);      /* toggles */
    CHECK_EQ(f.open[0], 0);
    CHECK_EQ(f.toggled, 3);
}

/* The wheel scrolls, a click moves the cursor, a click on the cursor's row
 * activates it, clicks outside are not the list's. */
static void test_mouse(void)
{
    tui_list_t l;
    MEVENT m;
    int act = -1;
    memset(&l, 0, sizeof l);
    l.y = 2, l.x = 0, l.h = 10, l.w = 80;
    tui_list_set(&l, 50);
    tui_list_goto(&l, 20);
    memset(&m, 0, sizeof m);
    m.y = 5, m.x = 10, m.bstate = BUTTON4_PRESSED;
    CHECK(tui_list_mouse(&l, &m, &act) & TUI_REFRESH);
    CHECK_EQ(l.cur, 17);
    m.bstate = BUTTON1_PRESSED;
    CHECK(tui_list_mouse(&l, &m, &act) & TUI_REFRESH);
    CHECK_EQ(l.cur, l.top + 3);
    CHECK_EQ(act, 0);
    tui_list_mouse(&l, &m, &act);
    CHECK_EQ(act, 1);
    m.y = 30;
    CHECK_EQ(tui_list_mouse(&l, &m, &act), TUI_UNHANDLED);
    m.y = 11, m.x = 10;
    l.top = 45;
    tui_list_mouse(&l, &m, &act); /* below the last row: nothing */
    CHECK(l.cur < 50);
}

static void test_hset(void)
{
    tui_hset_t s;
    memset(&s, 0, sizeof s);
    CHECK(!tui_hset_has(&s, 42));
    for (unsigned long long i = 0; i < 5000; i++)
        CHECK_EQ(tui_hset_add(&s, i * 0x9e3779b97f4a7c15ull), 0);
    CHECK_EQ(s.n, 5000);
    CHECK_EQ(tui_hset_add(&s, 0), 0); /* present already (0 is stored as 1) */
    CHECK_EQ(s.n, 5000);
    for (unsigned long long i = 0; i < 5000; i += 2)
        tui_hset_del(&s, i * 0x9e3779b97f4a7c15ull);
    CHECK_EQ(s.n, 2500);
    int ok = 1;
    for (unsigned long long i = 0; i < 5000; i++)
        ok &= tui_hset_has(&s, i * 0x9e3779b97f4a7c15ull) == (int)(i % 2);
    CHECK(ok);
    tui_hset_del(&s, 12345); /* absent: nothing */
    CHECK_EQ(s.n, 2500);
    tui_hset_clear(&s);
    CHECK(!tui_hset_has(&s, 0x9e3779b97f4a7c15ull));
}

static void test_glyphs(void)
{
    char b[4];
    const tui_col_t cols[3] = {{"A", 10, -1}, {"B", 10, -1}, {"C", 10, -1}};
    tui_glyphs_init(1);
    CHECK(!strcmp(tui_braille(0x01, b), "\xe2\xa0\x81"));
    CHECK(!strcmp(tui_braille(0xff, b), "\xe2\xa3\xbf"));
    CHECK(!strcmp(tui_glyphs()->eighth[8], "\xe2\x96\x88"));
    tui_glyphs_init(0);
    CHECK(!strcmp(tui_braille(0x01, b), ""));
    for (int i = 0; i < 5; i++)
        CHECK(strlen(tui_glyphs()->shade[i]) == 1 && (unsigned char)tui_glyphs()->shade[i][0] < 0x80);
    CHECK_EQ(tui_cols_fit(cols, 3, 80, 16), 3);
    CHECK_EQ(tui_cols_fit(cols, 3, 40, 16), 2);
    CHECK_EQ(tui_cols_fit(cols, 3, 20, 16), 0);
}

int main(void)
{
    test_list();
    test_tree_keys();
    test_mouse();
    test_hset();
    test_glyphs();
    return th_done("test_tui_widgets");
}
