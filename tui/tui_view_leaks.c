/*
 * tui_view_leaks.c -- 5 Leaks: never-freed blocks grouped by stack,
 * biggest first (`report leaks`), the stack under the cursor in a panel
 * below.  Runtime one-time allocations (loader, libc and libstdc++
 * caches) are counted apart and listed on request ('a').  A recording
 * still in progress has no leaks yet: blocks are written when freed or
 * when the recording ends, and the view says so.
 */
#include "tui_views.h"

#include <stdlib.h>
#include <string.h>

static const tui_col_t leak_cols[] = {
    {"Leaked", 11, AN_M_LEAKED}, {"Blocks", 9, -1}, {"%", 6, -1}, {"Allocs", 9, AN_M_ALLOCS},
};
#define LEAK_NCOLS (int)(sizeof leak_cols / sizeof leak_cols[0])

void tui_leaks_free(tui_app_t *a)
{
    free(a->vleaks.rows);
    a->vleaks.rows = NULL;
    a->vleaks.nrows = 0;
}

static const tui_site_t *leaks_at(const tui_app_t *a, long i)
{
    if (!a->snap || i < 0 || (size_t)i >= a->vleaks.nrows)
        return NULL;
    return &a->snap->sites[a->vleaks.rows[i]];
}

static void leaks_selected(tui_app_t *a)
{
    const tui_site_t *s = leaks_at(a, a->vleaks.list.cur);
    if (!s)
        return;
    a->vleaks.keep = s->callsite;
    a->vleaks.keep_valid = 1;
    a->vleaks.stack_scroll = 0;
    tui_select_site(a, s);
}

void tui_leaks_sync(tui_app_t *a)
{
    tui_leaks_v_t *v = &a->vleaks;
    int *rows = NULL;
    size_t n = 0, k = 0;
    if (!a->snap)
        return;
    if (tui_sites_select(a->snap, 1, v->filter, v->metric, v->reverse, &rows, &n) != 0) {
        tui_app_message(a, TUI_R_ERROR, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) /* runtime one-time allocations only on request */
        if (v->runtime || !a->snap->sites[rows[i]].runtime)
            rows[k++] = rows[i];
    free(v->rows);
    v->rows = rows;
    v->nrows = k;
    tui_list_set(&v->list, (long)k);
    for (size_t i = 0; v->keep_valid && i < k; i++)
        if (a->snap->sites[rows[i]].callsite == v->keep) {
            tui_list_goto(&v->list, (long)i);
            break;
        }
    if (a->view == TUI_V_LEAKS)
        leaks_selected(a);
}

static long long leaks_base(const tui_app_t *a)
{
    const tui_snap_t *s = a->snap;
    return s->leak_shown.leaked_bytes + (a->vleaks.runtime ? s->leak_runtime.leaked_bytes : 0);
}

static void leaks_row(void *ctx, long i, int y, int x, int w, int sel)
{
    tui_app_t *a = ctx;
    const tui_site_t *s = leaks_at(a, i);
    const an_stat_t *st = &a->snap->stats[s->node];
    char buf[1024], c[4][32];
    const char *cells[LEAK_NCOLS] = {
        an_fmt_bytes(st->leaked_bytes, c[0], sizeof c[0]),
        an_fmt_count(st->leaked_blocks, c[1], sizeof c[1]),
        an_fmt_pct((double)st->leaked_bytes, (double)leaks_base(a), c[2], sizeof c[2]),
        an_fmt_count(st->allocs, c[3], sizeof c[3])};
    attr_t base = sel ? tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_NORMAL);
    int ncols = a->vleaks.ncols, cx = x;
    for (int k = 0; k < ncols; k++) {
        tui_textr(y, cx, leak_cols[k].w, cells[k], k == 0 && !sel ? tui_attr(TUI_R_WARN) : base);
        cx += leak_cols[k].w + 1;
    }
    cx++;
    cx += tui_textc(y, cx, x + w - cx, tui_site_label(a->snap, s, buf, sizeof buf),
                    sel ? base : tui_attr(TUI_R_FUNC));
    if (s->runtime && x + w - cx > 10) {
        snprintf(buf, sizeof buf, "  [runtime: %s]", s->runtime);
        tui_textc(y, cx, x + w - cx, buf, sel ? base : tui_attr(TUI_R_DIM));
    } else if (s->caller && x + w - cx > 8) {
        snprintf(buf, sizeof buf, " < %s", s->caller);
        tui_textc(y, cx, x + w - cx, buf, sel ? base : tui_attr(TUI_R_DIM));
    }
}

static void leaks_detail(const tui_app_t *a, char *buf, size_t len)
{
    const tui_snap_t *s = a->snap;
    char b1[32], b2[32], b3[32];
    int o = snprintf(buf, len, "%s leaked in %s blocks from %zu stack%s",
                     an_fmt_bytes(s->leak_shown.leaked_bytes, b1, sizeof b1),
                     an_fmt_count(s->leak_shown.leaked_blocks, b2, sizeof b2),
                     s->nleaks - (size_t)s->leak_runtime_stacks,
                     s->nleaks - (size_t)s->leak_runtime_stacks == 1 ? "" : "s");
    if (s->leak_runtime_stacks)
        o += snprintf(buf + o, len - (size_t)o, "; runtime one-time: %s in %lld stack%s (a: %s)",
                      an_fmt_bytes(s->leak_runtime.leaked_bytes, b3, sizeof b3),
                      s->leak_runtime_stacks, s->leak_runtime_stacks == 1 ? "" : "s",
                      a->vleaks.runtime ? "hide" : "list");
    if (a->vleaks.filter[0])
        o += snprintf(buf + o, len - (size_t)o, ", filter \"%s\"", a->vleaks.filter);
    if (s->window)
        snprintf(buf + o, len - (size_t)o, "  [allocated in range]");
}

static void leaks_panel(tui_app_t *a, tui_rect_t r)
{
    const tui_site_t *s = leaks_at(a, a->vleaks.list.cur);
    const tui_glyphs_t *g = tui_glyphs();
    if (!s || r.h < 2)
        return;
    for (int x = r.x; x < r.x + r.w; x++)
        tui_text(r.y, x, 1, g->hline, tui_attr(TUI_R_AXIS));
    tui_textf(r.y, r.x + 2, r.w - 4, tui_attr(TUI_R_TITLE), " stack of callsite %lld "
              "(Enter: open, J/K: scroll) ", s->callsite);
    tui_rect_t sr = {r.y + 1, r.x, r.h - 1, r.w};
    tui_stack_draw(a, s->node, sr, a->vleaks.stack_scroll);
}

void tui_leaks_draw(tui_app_t *a, tui_rect_t r)
{
    char detail[512];
    if (!a->snap) {
        tui_view_title(a, r, NULL);
        tui_view_note(r, -1, TUI_R_DIM, a->errmsg[0] ? a->errmsg : "reading leaks...");
        return;
    }
    leaks_detail(a, detail, sizeof detail);
    int y = tui_view_title(a, r, detail);
    if (a->snap->state.live || a->snap->state.crashed) {
        tui_textc(y++, r.x + 1, r.w - 2, a->snap->state.live
                  ? "still recording: leaks are known when the recording ends (blocks are "
                    "written when freed)"
                  : "the recording did not finish: blocks live at the crash were never written",
                  tui_attr(TUI_R_WARN));
    }
    int ncols = a->vleaks.ncols = tui_cols_fit(leak_cols, LEAK_NCOLS, r.w - 1, 24);
    tui_cols_head(y, r.x, r.w, leak_cols, ncols, a->vleaks.metric, a->vleaks.reverse,
                  "Leaking stack (innermost frame < caller)");
    int rest = r.y + r.h - y - 1, listh = a->vleaks.nrows ? rest * 11 / 20 : rest;
    if ((long)listh > (long)a->vleaks.nrows && a->vleaks.nrows)
        listh = (int)a->vleaks.nrows < 3 ? 3 : (int)a->vleaks.nrows;
    tui_rect_t lr = {y + 1, r.x, listh, r.w};
    if (a->vleaks.nrows == 0) {
        tui_view_note(lr, 1, a->snap->leak_shown.leaked_blocks ? TUI_R_DIM : TUI_R_OK,
                      a->vleaks.filter[0] ? "no leak matches the filter"
                      : a->snap->state.live ? "no leaks known yet" : "no leaks");
        return;
    }
    tui_list_draw(&a->vleaks.list, lr.y, lr.x, lr.h, lr.w, leaks_row, a);
    tui_rect_t pr = {lr.y + lr.h, r.x, rest - listh, r.w};
    leaks_panel(a, pr);
}

static int leaks_open(tui_app_t *a)
{
    const tui_site_t *s = leaks_at(a, a->vleaks.list.cur);
    char label[600], title[700];
    if (!s)
        return TUI_HANDLED;
    snprintf(title, sizeof title, " leaking stack: %s ",
             tui_site_label(a->snap, s, label, sizeof label));
    tui_popup_open(a, s->node, title);
    return TUI_REFRESH;
}

int tui_leaks_key(tui_app_t *a, int ch)
{
    tui_leaks_v_t *v = &a->vleaks;
    int rc;
    if (!a->snap)
        return TUI_UNHANDLED;
    switch (ch) {
    case 's':
        v->metric = v->metric == AN_M_LEAKED ? AN_M_ALLOCS : AN_M_LEAKED;
        tui_leaks_sync(a);
        tui_app_message(a, TUI_R_OK, "sorted by %s", tui_metric_title(v->metric));
        return TUI_REFRESH;
    case 'r': v->reverse = !v->reverse; tui_leaks_sync(a); return TUI_REFRESH;
    case 'a': v->runtime = !v->runtime; tui_leaks_sync(a); return TUI_REFRESH;
    case '/': tui_prompt_start(a, TUI_V_LEAKS, v->filter); return TUI_REFRESH;
    case 27:
        if (!v->filter[0])
            return TUI_HANDLED;
        tui_filter_apply(a, TUI_V_LEAKS, "");
        return TUI_REFRESH;
    case 'J': v->stack_scroll++; return TUI_REFRESH;
    case 'K': v->stack_scroll -= v->stack_scroll > 0; return TUI_REFRESH;
    case '\r': case '\n': case KEY_ENTER: return leaks_open(a);
    }
    if ((rc = tui_list_key(&v->list, ch)) != TUI_UNHANDLED)
        leaks_selected(a);
    return rc;
}

int tui_leaks_mouse(tui_app_t *a, const MEVENT *m)
{
    int act, rc = tui_list_mouse(&a->vleaks.list, m, &act);
    if (rc == TUI_UNHANDLED)
        return TUI_HANDLED;
    leaks_selected(a);
    return act ? leaks_open(a) : rc;
}
