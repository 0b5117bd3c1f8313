/*
 * tui_view_sites.c -- 2 Call sites: one row per allocating stack (a leaf
 * callsite) with allocations, bytes, peak, leaked and temporary, sorted
 * and filtered (tui_sites_select); Enter opens the stack.  The cursor
 * stays on the same stack when the snapshot is rebuilt (live, a range).
 */
#include "tui_views.h"

#include <stdlib.h>
#include <string.h>

static const tui_col_t sites_cols[] = {
    {"Allocs", 11, AN_M_ALLOCS}, {"Bytes", 11, AN_M_BYTES}, {"Peak", 11, AN_M_PEAK},
    {"Leaked", 11, AN_M_LEAKED}, {"Temp", 9, AN_M_TEMPORARY},
};
#define SITES_NCOLS (int)(sizeof sites_cols / sizeof sites_cols[0])

void tui_sites_free(tui_app_t *a)
{
    free(a->vsites.rows);
    a->vsites.rows = NULL;
    a->vsites.nrows = 0;
}

static const tui_site_t *sites_at(const tui_app_t *a, long i)
{
    if (!a->snap || i < 0 || (size_t)i >= a->vsites.nrows)
        return NULL;
    return &a->snap->sites[a->vsites.rows[i]];
}

/* The stack under the cursor is the shared selection. */
static void sites_selected(tui_app_t *a)
{
    const tui_site_t *s = sites_at(a, a->vsites.list.cur);
    if (!s)
        return;
    a->vsites.keep = s->callsite;
    a->vsites.keep_valid = 1;
    tui_select_site(a, s);
}

void tui_sites_sync(tui_app_t *a)
{
    tui_sites_v_t *v = &a->vsites;
    int *rows = NULL;
    size_t n = 0;
    if (!a->snap)
        return;
    if (tui_sites_select(a->snap, 0, v->filter, v->metric, v->reverse, &rows, &n) != 0) {
        tui_app_message(a, TUI_R_ERROR, "out of memory");
        return;
    }
    free(v->rows);
    v->rows = rows;
    v->nrows = n;
    tui_list_set(&v->list, (long)n);
    for (size_t i = 0; v->keep_valid && i < n; i++)
        if (a->snap->sites[rows[i]].callsite == v->keep) {
            tui_list_goto(&v->list, (long)i);
            break;
        }
    if (a->view == TUI_V_SITES || !a->sel_valid)
        sites_selected(a);
}

static void sites_row(void *ctx, long i, int y, int x, int w, int sel)
{
    tui_app_t *a = ctx;
    const tui_site_t *s = sites_at(a, i);
    const an_stat_t *st = &a->snap->stats[s->node];
    char buf[1024];
    int ncols = a->vsites.ncols, cx = x;
    attr_t num = sel ? tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_NORMAL);
    for (int k = 0; k < ncols; k++) {
        an_metric_t m = (an_metric_t)sites_cols[k].metric;
        long long val = an_stat_metric(st, m);
        tui_textr(y, cx, sites_cols[k].w, val ? tui_fmt_metric(m, val, buf, sizeof buf) : "-",
                  m == a->vsites.metric && !sel ? num | A_BOLD : num);
        cx += sites_cols[k].w + 1;
    }
    cx++;
    cx += tui_textc(y, cx, x + w - cx, tui_site_label(a->snap, s, buf, sizeof buf),
                    sel ? num : tui_attr(TUI_R_FUNC));
    if (st->failed > 0 && x + w - cx > 12) {
        snprintf(buf, sizeof buf, " [%lld failed]", st->failed);
        cx += tui_text(y, cx, x + w - cx, buf, sel ? num : tui_attr(TUI_R_WARN));
    }
    if (s->caller && x + w - cx > 8) {
        snprintf(buf, sizeof buf, " < %s", s->caller);
        tui_textc(y, cx, x + w - cx, buf, sel ? num : tui_attr(TUI_R_DIM));
    }
}

static void sites_detail(const tui_app_t *a, char *buf, size_t len)
{
    const tui_sites_v_t *v = &a->vsites;
    char n[32];
    int o = snprintf(buf, len, "%s stacks, by %s%s", an_fmt_count((long long)v->nrows, n, sizeof n),
                     tui_metric_title(v->metric), v->reverse ? " (ascending)" : "");
    if (v->filter[0])
        o += snprintf(buf + o, len - (size_t)o, ", filter \"%s\"", v->filter);
    if (a->snap->state.live)
        o += snprintf(buf + o, len - (size_t)o, "  [live: figures so far]");
    if (a->snap->window)
        snprintf(buf + o, len - (size_t)o, "  [in range]");
}

void tui_sites_draw(tui_app_t *a, tui_rect_t r)
{
    char detail[512];
    if (!a->snap) {
        tui_view_title(a, r, NULL);
        tui_view_note(r, -1, TUI_R_DIM, a->errmsg[0] ? a->errmsg : "reading call sites...");
        return;
    }
    sites_detail(a, detail, sizeof detail);
    int y = tui_view_title(a, r, detail);
    int ncols = a->vsites.ncols = tui_cols_fit(sites_cols, SITES_NCOLS, r.w - 1, 28);
    tui_cols_head(y, r.x, r.w, sites_cols, ncols, a->vsites.metric, a->vsites.reverse,
                  "Call site (innermost frame < caller)");
    tui_rect_t lr = {y + 1, r.x, r.y + r.h - y - 1, r.w};
    if (a->vsites.nrows == 0) {
        tui_view_note(lr, 1, TUI_R_DIM, a->vsites.filter[0] ? "no stack matches the filter"
                                                            : "no allocations yet");
        return;
    }
    tui_list_draw(&a->vsites.list, lr.y, lr.x, lr.h, lr.w, sites_row, a);
}

static int sites_open(tui_app_t *a)
{
    const tui_site_t *s = sites_at(a, a->vsites.list.cur);
    char label[600], title[700];
    if (!s)
        return TUI_HANDLED;
    snprintf(title, sizeof title, " stack of %s (callsite %lld) ",
             tui_site_label(a->snap, s, label, sizeof label), s->callsite);
    tui_popup_open(a, s->node, title);
    return TUI_REFRESH;
}

static int sites_resort(tui_app_t *a, int next_metric)
{
    if (next_metric)
        a->vsites.metric = (an_metric_t)((a->vsites.metric + 1) % AN_M_COUNT);
    else
        a->vsites.reverse = !a->vsites.reverse;
    tui_sites_sync(a);
    tui_app_message(a, TUI_R_OK, "sorted by %s%s", tui_metric_title(a->vsites.metric),
                    a->vsites.reverse ? ", ascending" : "");
    return TUI_REFRESH;
}

int tui_sites_key(tui_app_t *a, int ch)
{
    int rc;
    if (!a->snap)
        return TUI_UNHANDLED;
    switch (ch) {
    case 's': return sites_resort(a, 1);
    case 'r': return sites_resort(a, 0);
    case '/': tui_prompt_start(a, TUI_V_SITES, a->vsites.filter); return TUI_REFRESH;
    case 27:
        if (!a->vsites.filter[0])
            return TUI_HANDLED;
        tui_filter_apply(a, TUI_V_SITES, "");
        return TUI_REFRESH;
    case '\r': case '\n': case KEY_ENTER: return sites_open(a);
    case 'a': tui_app_switch(a, TUI_V_ALLOCS); return TUI_REFRESH;
    }
    if ((rc = tui_list_key(&a->vsites.list, ch)) != TUI_UNHANDLED)
        sites_selected(a);
    return rc;
}

int tui_sites_mouse(tui_app_t *a, const MEVENT *m)
{
    int act, rc = tui_list_mouse(&a->vsites.list, m, &act);
    if (rc == TUI_UNHANDLED)
        return TUI_HANDLED;
    sites_selected(a);
    return act ? sites_open(a) : rc;
}
