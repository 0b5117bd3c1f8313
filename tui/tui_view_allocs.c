/*
 * tui_view_allocs.c -- 7 Allocations: the raw rows of the selected stack
 * (address, size, thread, when, lifetime), sorted by time, size or
 * lifetime.  The rows are read once per stack by the worker
 * (tui_allocs_load) and paged from memory.
 */
#include "tui_views.h"

#include <string.h>

static const char *const allocs_sorts[TUI_AS_N] = {"time", "size", "lifetime"};

void tui_allocs_show(tui_app_t *a)
{
    tui_req_allocs(a, 0);
}

void tui_allocs_sync(tui_app_t *a)
{
    tui_allocs_v_t *v = &a->vallocs;
    if (!a->allocs)
        return;
    tui_allocs_sort(a->allocs, v->sort, v->reverse);
    tui_list_set(&v->list, (long)a->allocs->n);
}

static void allocs_row(void *ctx, long i, int y, int x, int w, int sel)
{
    tui_app_t *a = ctx;
    const tui_arow_t *r = &a->allocs->v[i];
    char id[32], size[32], life[32], line[256];
    attr_t base = sel ? tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_NORMAL);
    if (r->free_ns < 0)
        snprintf(life, sizeof life, "never freed");
    else
        an_fmt_ns(r->free_ns - r->alloc_ns, life, sizeof life);
    snprintf(line, sizeof line, "%13s  0x%012llx %11s %9lld  %12.6f s  ",
             an_fmt_count(r->id, id, sizeof id), (unsigned long long)r->ptr,
             an_fmt_bytes(r->size, size, sizeof size), r->tid, (double)r->alloc_ns / 1e9);
    int cx = x + tui_text(y, x, w, line, base);
    tui_text(y, cx, x + w - cx, life, r->free_ns < 0 && !sel ? tui_attr(TUI_R_WARN) : base);
}

static void allocs_detail(const tui_app_t *a, char *buf, size_t len)
{
    const tui_allocs_t *al = a->allocs;
    char n[32];
    int o = snprintf(buf, len, "%s: %s row%s by %s%s", a->sel_label,
                     an_fmt_count(al->matched, n, sizeof n), al->matched == 1 ? "" : "s",
                     allocs_sorts[a->vallocs.sort], a->vallocs.reverse ? " (reversed)" : "");
    if (al->capped)
        o += snprintf(buf + o, len - (size_t)o, ", the first %d kept", TUI_ALLOCS_MAX);
    if (a->range)
        snprintf(buf + o, len - (size_t)o, "  [allocated in range]");
}

void tui_allocs_draw(tui_app_t *a, tui_rect_t r)
{
    char detail[800];
    const tui_allocs_t *al = a->allocs;
    if (!a->sel_valid) {
        tui_view_title(a, r, NULL);
        tui_view_note(r, -1, TUI_R_DIM, "pick a stack in Call sites (2), Call tree (3) or Leaks (5)");
        return;
    }
    if (!al || al->callsite != a->sel_site) {
        tui_view_title(a, r, a->sel_label);
        tui_view_note(r, -1, TUI_R_DIM, "reading the allocations of this stack...");
        return;
    }
    allocs_detail(a, detail, sizeof detail);
    int y = tui_view_title(a, r, detail);
    tui_fill(y, r.x, r.w, tui_attr(TUI_R_HEADER));
    tui_text(y, r.x, r.w, "           Id  Address               Size    Thread    Allocated at  "
             "Lifetime", tui_attr(TUI_R_HEADER));
    tui_rect_t lr = {y + 1, r.x, r.y + r.h - y - 1, r.w};
    if (al->n == 0) {
        tui_view_note(lr, 1, TUI_R_DIM,
                      a->sum && a->sum->state.aggregate
                      ? "an aggregated recording keeps no allocation rows"
                      : a->sum && a->sum->state.live
                      ? "no row yet: blocks are written when freed or when the recording ends"
                      : "no allocation of this stack (in the range)");
        return;
    }
    tui_list_draw(&a->vallocs.list, lr.y, lr.x, lr.h, lr.w, allocs_row, a);
}

int tui_allocs_key(tui_app_t *a, int ch)
{
    tui_allocs_v_t *v = &a->vallocs;
    if (!a->allocs || a->allocs->callsite != a->sel_site)
        return TUI_UNHANDLED;
    switch (ch) {
    case 's':
        v->sort = (v->sort + 1) % TUI_AS_N;
        tui_allocs_sync(a);
        tui_list_goto(&v->list, 0);
        return TUI_REFRESH;
    case 'r':
        v->reverse = !v->reverse;
        tui_allocs_sync(a);
        tui_list_goto(&v->list, 0);
        return TUI_REFRESH;
    }
    return tui_list_key(&v->list, ch);
}

int tui_allocs_mouse(tui_app_t *a, const MEVENT *m)
{
    int act;
    if (!a->allocs)
        return TUI_HANDLED;
    return tui_list_mouse(&a->vallocs.list, m, &act) == TUI_UNHANDLED ? TUI_HANDLED : TUI_REFRESH;
}
