/* tui_view_common.c -- what the views draw alike: title lines, notes,
 * figure columns with the sort mark, figures in human units, stack
 * labels, a stack as a list of frames. */
#include "tui_app.h"

#include <string.h>

int tui_view_title(tui_app_t *a, tui_rect_t r, const char *detail)
{
    const tui_view_t *v = &tui_views[a->view];
    int x = r.x + tui_text(r.y, r.x, r.w, " ", tui_attr(TUI_R_TITLE));
    x += tui_text(r.y, x, r.w - x, v->name, tui_attr(TUI_R_TITLE));
    if (detail && *detail) {
        x += tui_text(r.y, x, r.w - x, "  ", tui_attr(TUI_R_DIM));
        tui_textc(r.y, x, r.x + r.w - x, detail, tui_attr(TUI_R_DIM));
    }
    return r.y + 1;
}

void tui_view_note(tui_rect_t r, int row, tui_role_t role, const char *text)
{
    int w = tui_width(text), x = r.x + (r.w - w) / 2;
    if (row < 0 || row >= r.h)
        row = r.h / 2;
    tui_textc(r.y + row, x > r.x ? x : r.x + 1, r.w - 2, text, tui_attr(role));
}

const char *tui_fmt_metric(an_metric_t m, long long v, char *buf, size_t len)
{
    if (m == AN_M_ALLOCS || m == AN_M_TEMPORARY)
        return an_fmt_count(v, buf, len);
    return an_fmt_bytes(v, buf, len);
}

const char *tui_metric_title(an_metric_t m)
{
    static const char *const t[AN_M_COUNT] = {"allocations", "bytes", "peak", "leaked",
                                              "temporary"};
    return m < AN_M_COUNT ? t[m] : "?";
}

int tui_cols_fit(const tui_col_t *c, int n, int w, int min_last)
{
    int used = 0, k;
    for (k = 0; k < n; k++) {
        if (used + c[k].w + 1 + min_last > w)
            break;
        used += c[k].w + 1;
    }
    return k;
}

int tui_cols_head(int y, int x, int w, const tui_col_t *c, int n, int sort, int reverse,
                  const char *last)
{
    const tui_glyphs_t *g = tui_glyphs();
    char buf[64];
    int cx = x;
    tui_fill(y, x, w, tui_attr(TUI_R_HEADER));
    for (int k = 0; k < n; k++) {
        int mark = c[k].metric >= 0 && c[k].metric == sort;
        snprintf(buf, sizeof buf, "%s%s", mark ? (reverse ? g->up : g->down) : "", c[k].head);
        tui_textr(y, cx, c[k].w, buf, tui_attr(TUI_R_HEADER));
        cx += c[k].w + 1;
    }
    if (last)
        tui_text(y, cx + 1, x + w - cx - 1, last, tui_attr(TUI_R_HEADER));
    return cx + 1;
}

const char *tui_site_label(const tui_snap_t *s, const tui_site_t *t, char *buf, size_t len)
{
    an_frame_t f;
    const an_tframe_t *tf = t->frame >= 0 ? &s->tree->frames[t->frame] : NULL;
    memset(&f, 0, sizeof f);
    f.function = t->function;
    f.file = t->file;
    f.line = t->line;
    if (tf) {
        f.rel_pc = tf->rel_pc;
        f.module = tf->module >= 0 ? s->tree->mods[tf->module].path : NULL;
    }
    return an_fmt_frame(&f, buf, len);
}

void tui_stack_draw(tui_app_t *a, int node, tui_rect_t r, int skip)
{
    an_stackbuf_t sb = {0};
    char err[128], label[1024];
    if (!a->snap || tui_snap_stack(a->snap, node, &sb, err, sizeof err) != 0) {
        an_stackbuf_free(&sb);
        return;
    }
    for (int i = skip, row = 0; i < sb.n && row < r.h; i++, row++) {
        const an_frame_t *f = &sb.v[i].f;
        int x = r.x + tui_textf(r.y + row, r.x, r.w, tui_attr(TUI_R_DIM), "  #%-3d", i);
        x += tui_textc(r.y + row, x, r.x + r.w - x,
                       f->function ? f->function : an_frame_label(f, label, sizeof label),
                       tui_attr(TUI_R_FUNC));
        if (f->inlined)
            x += tui_text(r.y + row, x, r.x + r.w - x, " [inlined]", tui_attr(TUI_R_DIM));
        if (f->file) {
            snprintf(label, sizeof label, "  %s:%d", an_fmt_base(f->file), f->line);
            tui_textc(r.y + row, x, r.x + r.w - x, label, tui_attr(TUI_R_FILE));
        }
    }
    an_stackbuf_free(&sb);
}
