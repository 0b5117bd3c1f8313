/*
 * tui_view_source.c -- 4 Source: the file of the selected frame, scrolled
 * to its line, with allocated / peak / leaked bytes and calls per line in
 * a margin (`report lines` as a view).  n/p jump between the lines that
 * allocate.  Without the file on disk the lines with figures are listed
 * alone, and the title says the file is missing.
 */
#include "tui_views.h"

#include <string.h>

static const tui_col_t src_cols[] = {
    {"Line", 6, -1}, {"Allocated", 11, -1}, {"Peak", 11, -1}, {"Leaked", 11, -1},
    {"Calls", 8, -1},
};
#define SRC_NCOLS (int)(sizeof src_cols / sizeof src_cols[0])

/* Rows: every line of the text, or only the lines with figures. */
static long src_rows(const tui_source_t *s)
{
    return s->found ? s->n : s->nhot;
}

static int src_line_of(const tui_source_t *s, long row)
{
    return s->found ? (int)row + 1 : s->hot[row];
}

static long src_row_of(const tui_source_t *s, int line)
{
    if (s->found)
        return line - 1;
    for (int i = 0; i < s->nhot; i++)
        if (s->hot[i] >= line)
            return i;
    return s->nhot - 1;
}

int tui_source_line(const tui_app_t *a)
{
    if (!a->src || a->vsrc.list.n == 0)
        return a->vsrc.want_line;
    return src_line_of(a->src, a->vsrc.list.cur);
}

/* A new file opens with its line a third down the screen; the same file
 * again (new figures, a jump) only scrolls as far as needed. */
void tui_source_sync(tui_app_t *a)
{
    tui_src_v_t *v = &a->vsrc;
    const tui_source_t *s = a->src;
    int same = v->shown_file[0] && !strcmp(v->shown_file, s ? s->file : "");
    if (!s)
        return;
    tui_list_set(&v->list, src_rows(s));
    if (v->want_line > 0) {
        tui_list_goto(&v->list, src_row_of(s, v->want_line));
        if (!same) {
            v->list.top = v->list.cur - (v->list.h > 0 ? v->list.h / 3 : 5);
            if (v->list.top < 0)
                v->list.top = 0;
        }
        v->want_line = 0;
    }
    snprintf(v->shown_file, sizeof v->shown_file, "%s", s->file);
    v->shown = s;
}

/* Follow the selection (a stack or a tree node picked since the last
 * time), else stay on the file shown. */
void tui_source_show(tui_app_t *a)
{
    if (a->vsrc.seq == a->sel_seq || !a->sel_file[0])
        return;
    a->vsrc.seq = a->sel_seq;
    if (a->src && !strcmp(a->src->file, a->sel_file) && a->vsrc.inclusive == a->src->inclusive) {
        a->vsrc.want_line = a->sel_line;
        tui_source_sync(a);
        return;
    }
    a->vsrc.shown_file[0] = '\0';
    tui_req_source(a, a->sel_file, a->sel_line);
}

static void src_expand(const char *in, int skip, char *out, size_t len)
{
    size_t o = 0;
    int col = 0;
    for (; in && *in && o + 2 < len; in++) {
        if (*in == '\t') {
            do {
                if (col++ >= skip && o + 2 < len)
                    out[o++] = ' ';
            } while (col % 8);
        } else if (*in != '\r') {
            if (col++ >= skip)
                out[o++] = *in;
        }
    }
    out[o] = '\0';
}

static void src_row(void *ctx, long i, int y, int x, int w, int sel)
{
    tui_app_t *a = ctx;
    const tui_source_t *s = a->src;
    int line = src_line_of(s, i), ncols = a->vsrc.ncols, cx = x;
    const tui_srcline_t *l = &s->line[line];
    int hot = l->allocs || l->leaked;
    attr_t base = sel ? tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_NORMAL);
    attr_t fig = sel ? base : tui_attr(TUI_R_HOT);
    long long v[SRC_NCOLS] = {line, l->bytes, l->peak, l->leaked, l->allocs};
    char buf[4096];
    for (int k = 0; k < ncols; k++) {
        if (k == 0)
            snprintf(buf, sizeof buf, "%d", line);
        else if (!hot)
            buf[0] = '\0';
        else if (k == 4)
            an_fmt_count(v[k], buf, sizeof buf);
        else
            an_fmt_bytes(v[k], buf, sizeof buf);
        tui_textr(y, cx, src_cols[k].w, buf, k == 0 ? (sel ? base : tui_attr(TUI_R_DIM)) : fig);
        cx += src_cols[k].w + 1;
    }
    tui_text(y, cx, 1, tui_glyphs()->vline, sel ? base : tui_attr(TUI_R_AXIS));
    cx += 2;
    if (l->text) {
        src_expand(l->text, a->vsrc.hscroll, buf, sizeof buf);
        tui_text(y, cx, x + w - cx, buf, hot && !sel ? base | A_BOLD : base);
    }
}

static void src_detail(const tui_app_t *a, char *buf, size_t len)
{
    const tui_source_t *s = a->src;
    char b[32];
    snprintf(buf, len, "%s  %s (i: %s), %d line%s allocate, %s in all", s->file,
             s->inclusive ? "inclusive" : "self", s->inclusive ? "self" : "inclusive", s->nhot,
             s->nhot == 1 ? "" : "s", an_fmt_bytes(s->total.bytes, b, sizeof b));
}

void tui_source_draw(tui_app_t *a, tui_rect_t r)
{
    char detail[4400];
    const tui_source_t *s = a->src;
    if (!s) {
        tui_view_title(a, r, a->vsrc.file[0] ? a->vsrc.file : NULL);
        tui_view_note(r, -1, TUI_R_DIM,
                      a->vsrc.file[0] ? "reading the source..."
                                      : "no source yet: pick a call site (2), a tree node (3) "
                                        "or a leak (5), or open a stack and press Enter on a frame");
        return;
    }
    if (a->vsrc.shown != s)
        tui_source_sync(a);
    src_detail(a, detail, sizeof detail);
    int y = tui_view_title(a, r, detail);
    if (!s->found) {
        tui_textc(y++, r.x + 1, r.w - 2, "source file not found: figures shown without the "
                  "source text (lines that allocate only)", tui_attr(TUI_R_WARN));
    }
    int ncols = a->vsrc.ncols = tui_cols_fit(src_cols, SRC_NCOLS, r.w - 1, 36);
    tui_cols_head(y, r.x, r.w, src_cols, ncols, -1, 0, s->found ? "  Source" : NULL);
    tui_rect_t lr = {y + 1, r.x, r.y + r.h - y - 1, r.w};
    if (src_rows(s) == 0) {
        tui_view_note(lr, 1, TUI_R_DIM, "no allocation is attributed to this file");
        return;
    }
    tui_list_draw(&a->vsrc.list, lr.y, lr.x, lr.h, lr.w, src_row, a);
}

/* n / p: the next / previous line with figures. */
static int src_jump(tui_app_t *a, int dir)
{
    const tui_source_t *s = a->src;
    int line = src_line_of(s, a->vsrc.list.cur);
    for (int i = dir > 0 ? 0 : s->nhot - 1; i >= 0 && i < s->nhot; i += dir)
        if ((dir > 0 && s->hot[i] > line) || (dir < 0 && s->hot[i] < line)) {
            tui_list_goto(&a->vsrc.list, src_row_of(s, s->hot[i]));
            return TUI_REFRESH;
        }
    tui_app_message(a, TUI_R_DIM, "no %s line allocates", dir > 0 ? "later" : "earlier");
    return TUI_REFRESH;
}

int tui_source_key(tui_app_t *a, int ch)
{
    tui_src_v_t *v = &a->vsrc;
    if (!a->src)
        return TUI_UNHANDLED;
    switch (ch) {
    case 'n': return src_jump(a, 1);
    case 'p': return src_jump(a, -1);
    case 'i':
        v->inclusive = !v->inclusive;
        tui_req_source(a, v->file, src_line_of(a->src, v->list.cur));
        tui_app_message(a, TUI_R_OK, "%s figures", v->inclusive ? "inclusive" : "self");
        return TUI_REFRESH;
    case KEY_LEFT: case 'h':
        v->hscroll = v->hscroll >= 8 ? v->hscroll - 8 : 0;
        return TUI_REFRESH;
    case KEY_RIGHT: case 'l':
        v->hscroll += 8;
        return TUI_REFRESH;
    }
    return tui_list_key(&v->list, ch);
}

int tui_source_mouse(tui_app_t *a, const MEVENT *m)
{
    int act;
    if (!a->src)
        return TUI_HANDLED;
    return tui_list_mouse(&a->vsrc.list, m, &act) == TUI_UNHANDLED ? TUI_HANDLED : TUI_REFRESH;
}
