/* tui_list.c -- the list/tree widget (see tui_list.h). */
#include "tui_list.h"

#include "tui_draw.h"
#include "tui_theme.h"

void tui_list_set(tui_list_t *l, long n)
{
    l->n = n < 0 ? 0 : n;
    if (l->cur >= l->n)
        l->cur = l->n - 1;
    if (l->cur < 0)
        l->cur = 0;
    if (l->top > l->cur)
        l->top = l->cur;
    if (l->top < 0)
        l->top = 0;
}

static void list_scroll(tui_list_t *l)
{
    int h = l->h > 0 ? l->h : 1;
    if (l->cur < l->top)
        l->top = l->cur;
    if (l->cur >= l->top + h)
        l->top = l->cur - h + 1;
    if (l->top > l->n - h)
        l->top = l->n - h;
    if (l->top < 0)
        l->top = 0;
}

void tui_list_goto(tui_list_t *l, long i)
{
    l->cur = i >= l->n ? l->n - 1 : i;
    if (l->cur < 0)
        l->cur = 0;
    list_scroll(l);
}

static void list_scrollbar(const tui_list_t *l, int y, int x, int h)
{
    const tui_glyphs_t *g = tui_glyphs();
    long thumb_h = (long)h * h / l->n, pos;
    thumb_h = thumb_h < 1 ? 1 : thumb_h;
    pos = l->n > h ? (long)(h - thumb_h) * l->top / (l->n - h) : 0;
    for (int r = 0; r < h; r++)
        tui_text(y + r, x, 1, r >= pos && r < pos + thumb_h ? g->thumb : g->track,
                 tui_attr(TUI_R_DIM));
}

void tui_list_draw(tui_list_t *l, int y, int x, int h, int w, tui_row_fn row, void *ctx)
{
    int bar = l->n > h && w > 10;
    l->y = y, l->x = x, l->h = h, l->w = w;
    l->ctx = ctx;
    list_scroll(l);
    for (int r = 0; r < h; r++) {
        long i = l->top + r;
        if (i < l->n) {
            int sel = i == l->cur;
            if (sel)
                tui_fill(y + r, x, w - bar, tui_attr(TUI_R_SELECTED));
            row(ctx, i, y + r, x, w - bar, sel);
        }
    }
    if (bar)
        list_scrollbar(l, y, x + w - 1, h);
}

static int list_move(tui_list_t *l, long to)
{
    long old = l->cur, oldtop = l->top;
    tui_list_goto(l, to);
    return l->cur != old || l->top != oldtop ? TUI_REFRESH : TUI_HANDLED;
}

/* Left: close an open node, else go to the parent.  Right: open a closed
 * node, else go to its first child. */
static int list_tree_key(tui_list_t *l, int ch)
{
    const tui_tree_ops_t *t = l->tree;
    if (!t || l->n == 0)
        return TUI_UNHANDLED;
    int st = t->state(l->ctx, l->cur);
    switch (ch) {
    case KEY_LEFT: case 'h':
        if (st == 2) {
            t->toggle(l->ctx, l->cur, 0);
            return TUI_REFRESH;
        }
        return t->parent(l->ctx, l->cur) >= 0 ? list_move(l, t->parent(l->ctx, l->cur))
                                              : TUI_HANDLED;
    case KEY_RIGHT: case 'l':
        if (st == 1) {
            t->toggle(l->ctx, l->cur, 1);
            return TUI_REFRESH;
        }
        return st == 2 ? list_move(l, l->cur + 1) : TUI_HANDLED;
    case '\n': case '\r': case KEY_ENTER: case ' ':
        if (st == 0)
            return TUI_HANDLED;
        t->toggle(l->ctx, l->cur, st == 1);
        return TUI_REFRESH;
    }
    return TUI_UNHANDLED;
}

int tui_list_key(tui_list_t *l, int ch)
{
    int page = l->h > 1 ? l->h - 1 : 1, rc = list_tree_key(l, ch);
    if (rc != TUI_UNHANDLED)
        return rc;
    switch (ch) {
    case KEY_UP: case 'k': return list_move(l, l->cur - 1);
    case KEY_DOWN: case 'j': return list_move(l, l->cur + 1);
    case KEY_PPAGE: case 2 /* ^B */: return list_move(l, l->cur - page);
    case KEY_NPAGE: case 6 /* ^F */: return list_move(l, l->cur + page);
    case KEY_HOME: case 'g': return list_move(l, 0);
    case KEY_END: case 'G': return list_move(l, l->n - 1);
    }
    return TUI_UNHANDLED;
}

int tui_list_mouse(tui_list_t *l, const MEVENT *m, int *activated)
{
    *activated = 0;
    if (m->y < l->y || m->y >= l->y + l->h || m->x < l->x || m->x >= l->x + l->w)
        return TUI_UNHANDLED;
    if (m->bstate & BUTTON4_PRESSED)
        return list_move(l, l->cur - 3);
#ifdef BUTTON5_PRESSED
    if (m->bstate & BUTTON5_PRESSED)
        return list_move(l, l->cur + 3);
#endif
    if (m->bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) {
        long i = l->top + (m->y - l->y);
        if (i >= l->n)
            return TUI_HANDLED;
        *activated = (m->bstate & BUTTON1_DOUBLE_CLICKED) || i == l->cur;
        return list_move(l, i) | TUI_REFRESH;
    }
    return TUI_HANDLED;
}

int tui_list_tree_prefix(const tui_list_t *l, long i, int y, int x, int w, attr_t a)
{
    const tui_glyphs_t *g = tui_glyphs();
    int d = l->tree ? l->tree->depth(l->ctx, i) : 0, st, used;
    if (!l->tree)
        return 0;
    st = l->tree->state(l->ctx, i);
    used = 2 * d < w / 2 ? 2 * d : w / 2; /* deep trees keep half the row for names */
    if (used < w)
        tui_text(y, x + used, 1, st == 2 ? g->open : st == 1 ? g->closed : g->leaf, a);
    return used + 2 <= w ? used + 2 : w;
}
