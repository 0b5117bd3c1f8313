/*
 * tui_view_frag.c -- 6 Fragmentation: the heap map of one process at the
 * time cursor (an_frag_model: pages by address shaded by their live
 * share), its metrics, and the call sites pinning nearly empty pages.
 * Moving the cursor asks the fragmentation worker for the new moment
 * (a newer request interrupts the older one); the last map stays on
 * screen, marked, until the new one arrives.
 */
#include "tui_views.h"

#include "an_frag_render.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_ADDR_W 15

static const tui_role_t frag_level_role[5] = {TUI_R_NORMAL, TUI_R_MAP1, TUI_R_MAP2, TUI_R_MAP3,
                                              TUI_R_MAP4};

void tui_frag_show(tui_app_t *a)
{
    tui_req_frag(a);
}

/* The map to show: the cursor's, else the newest one computed. */
static const tui_frag_t *frag_shown(const tui_app_t *a, int *stale)
{
    const tui_frag_t *f = tui_frag_current(a);
    *stale = 0;
    if (f || a->nfrag == 0)
        return f;
    *stale = 1;
    return a->frag[a->nfrag - 1];
}

static int frag_metrics(const an_frag_model_t *m, tui_rect_t r, int y)
{
    char b[6][32];
    double ratio = an_frag_ratio(m->pages_touched, m->live_bytes);
    tui_textf(y++, r.x + 1, r.w - 2, tui_attr(TUI_R_NORMAL),
              "live %s in %s blocks, usable %s: internal waste %s (%s)",
              an_fmt_bytes(m->live_bytes, b[0], sizeof b[0]),
              an_fmt_count(m->blocks, b[1], sizeof b[1]),
              an_fmt_bytes(m->usable_bytes, b[2], sizeof b[2]),
              an_fmt_bytes(m->internal_bytes, b[3], sizeof b[3]),
              an_fmt_pct((double)m->internal_bytes, (double)m->usable_bytes, b[4], sizeof b[4]));
    tui_textf(y++, r.x + 1, r.w - 2, tui_attr(TUI_R_NORMAL),
              "pages touched %lld (ratio %.2f), %lld under 25%% live (%s); holes %lld, %s, "
              "largest %s", m->pages_touched, ratio, m->pages_low,
              an_fmt_pct((double)m->pages_low, (double)m->pages_touched, b[0], sizeof b[0]),
              m->holes, an_fmt_bytes(m->hole_bytes, b[1], sizeof b[1]),
              an_fmt_bytes((long long)m->largest_hole, b[2], sizeof b[2]));
    if (m->rss_bytes >= 0)
        tui_textf(y++, r.x + 1, r.w - 2, tui_attr(TUI_R_NORMAL),
                  "RSS %s: %s not explained by live blocks; median block age %s",
                  an_fmt_bytes(m->rss_bytes, b[0], sizeof b[0]),
                  an_fmt_bytes(m->rss_bytes - m->live_bytes, b[1], sizeof b[1]),
                  an_fmt_ns(m->age_med, b[2], sizeof b[2]));
    return y;
}

static void frag_cells_row(const an_frag_cell_t *c, size_t n, int y, int x)
{
    const tui_glyphs_t *g = tui_glyphs();
    for (size_t i = 0; i < n; i++) {
        int lv = an_frag_level(&c[i]);
        tui_text(y, x + (int)i, 1, g->shade[lv], tui_attr(frag_level_role[lv]));
    }
}

static int frag_region(const an_frag_model_t *m, const an_frag_region_t *rg,
                       const an_frag_layout_t *l, tui_rect_t r, int y)
{
    char b1[32], b2[32];
    size_t n = an_frag_ncells(rg, l->cell_pages), per = (size_t)l->cols;
    unsigned long long row_bytes = per * l->cell_pages * AN_FRAG_PAGE;
    an_frag_cell_t *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return y;
    an_frag_cells(m, rg, l->cell_pages, c);
    tui_textf(y++, r.x + 1, r.w - 2, tui_attr(TUI_R_TITLE),
              "%s 0x%llx-0x%llx: %s live in %lld touched pages, %s under 25%% live",
              an_frag_kind_name(rg->kind), rg->start, rg->end,
              an_fmt_bytes(rg->live_bytes, b1, sizeof b1), rg->pages_touched,
              an_fmt_pct((double)rg->pages_low, (double)rg->pages_touched, b2, sizeof b2));
    for (size_t i = 0; i < n && y < r.y + r.h; i += per, y++) {
        tui_textf(y, r.x, FRAG_ADDR_W, tui_attr(TUI_R_DIM), "  %12llx",
                  rg->start + (unsigned long long)(i / per) * row_bytes);
        frag_cells_row(c + i, n - i < per ? n - i : per, y, r.x + FRAG_ADDR_W);
    }
    free(c);
    return y;
}

static int frag_legend(tui_rect_t r, int y, unsigned long long cell_pages)
{
    static const char *const what[5] = {"nothing live", "<25%", "25-50%", "50-75%", ">=75%"};
    const tui_glyphs_t *g = tui_glyphs();
    char b[32];
    int x = r.x + 1;
    x += tui_textf(y, x, r.w - 2, tui_attr(TUI_R_DIM), "cell = %s:",
                   an_fmt_bytes((long long)(cell_pages * AN_FRAG_PAGE), b, sizeof b));
    for (int i = 0; i < 5 && x < r.x + r.w - 4; i++) {
        x += tui_text(y, x + 1, 1, g->shade[i], tui_attr(frag_level_role[i]) | (i ? 0 : A_REVERSE)) + 1;
        x += tui_text(y, x + 1, r.x + r.w - x - 1, what[i], tui_attr(TUI_R_DIM)) + 1;
    }
    return y + 1;
}

static int frag_map(const an_frag_model_t *m, tui_rect_t r, int y, int rows)
{
    an_frag_layout_t l;
    int nheap = 0;
    for (size_t i = 0; i < m->nregions; i++)
        nheap += an_frag_has_map(&m->regions[i]);
    if (nheap == 0 || rows < 3) {
        tui_textc(y++, r.x + 1, r.w - 2, nheap ? "(no room for the map: enlarge the terminal)"
                                             : "no heap region has live blocks at this moment",
                  tui_attr(TUI_R_DIM));
        return y;
    }
    if (an_frag_layout(m, r.w - FRAG_ADDR_W - 1, rows - 1, &l) != 0)
        return y;
    tui_rect_t mr = {y, r.x, rows - 1, r.w};
    for (int i = 0; i < l.drawn && y < mr.y + mr.h; i++)
        y = frag_region(m, &m->regions[l.order[i]], &l, mr, y);
    if (l.drawn < nheap && y < mr.y + mr.h)
        tui_textf(y++, r.x + 1, r.w - 2, tui_attr(TUI_R_DIM),
                  "(%d more heap regions not drawn)", nheap - l.drawn);
    y = frag_legend(r, y, l.cell_pages);
    an_frag_layout_free(&l);
    return y;
}

static void frag_pins(tui_app_t *a, const an_frag_model_t *m, tui_rect_t r, int y)
{
    char b1[32], b2[32], label[600];
    int end = r.y + r.h;
    if (y >= end)
        return;
    if (m->npin == 0) {
        tui_textc(y, r.x + 1, r.w - 2, "no call site pins nearly empty pages at this moment",
                  tui_attr(TUI_R_DIM));
        return;
    }
    tui_fill(y, r.x, r.w, tui_attr(TUI_R_HEADER));
    tui_textc(y++, r.x, r.w, "  Pinned  Blocks       Bytes    Age med  Call site pinning "
              "pages under 25% live (J/K scroll)", tui_attr(TUI_R_HEADER));
    int skip = a->vfrag.pin_scroll < (int)m->npin ? a->vfrag.pin_scroll : (int)m->npin - 1;
    for (size_t i = (size_t)(skip > 0 ? skip : 0); i < m->npin && y < end; i++, y++) {
        const an_frag_site_t *s = &m->sites[m->by_pin[i]];
        label[0] = '\0';
        if (s->nframes > 0)
            an_fmt_frame(&s->frames[0], label, sizeof label);
        int x = r.x + tui_textf(y, r.x, r.w, tui_attr(TUI_R_NORMAL), "%8lld %7lld %11s %10s  ",
                                s->pages_pinned, s->pin_blocks,
                                an_fmt_bytes(s->pin_bytes, b1, sizeof b1),
                                an_fmt_ns(s->age_med, b2, sizeof b2));
        tui_textc(y, x, r.x + r.w - x, label[0] ? label : "[no stack recorded]",
                  tui_attr(TUI_R_FUNC));
    }
}

static void frag_title(tui_app_t *a, tui_rect_t r, const tui_frag_t *f, int stale)
{
    char d[700];
    int o;
    if (f && f->ok)
        o = snprintf(d, sizeof d, "pid %lld (%s) at %.3f s", f->m.sel.pid, f->m.sel.exe,
                     (double)f->m.sel.t_ns / 1e9);
    else
        o = snprintf(d, sizeof d, "at %.3f s", (double)a->t_cursor / 1e9);
    if (stale)
        o += snprintf(d + o, sizeof d - (size_t)o, "  [computing %.3f s...]",
                      (double)a->t_cursor / 1e9);
    snprintf(d + o, sizeof d - (size_t)o, "  (<-/-> move, p peak, P process)");
    tui_view_title(a, r, d);
}

void tui_frag_draw(tui_app_t *a, tui_rect_t r)
{
    int stale;
    const tui_frag_t *f = frag_shown(a, &stale);
    frag_title(a, r, f, stale);
    if (!f) {
        tui_view_note(r, -1, TUI_R_DIM, a->sum ? "computing the heap map..." : "loading...");
        return;
    }
    if (!f->ok) {
        tui_view_note(r, -1, TUI_R_WARN, f->err);
        return;
    }
    int y = frag_metrics(&f->m, r, r.y + 1);
    int pins = f->m.npin ? (int)(f->m.npin < 5 ? f->m.npin : 5) + 1 : 1;
    int rows = r.y + r.h - y - pins - 1;
    y = frag_map(&f->m, r, y, rows);
    frag_pins(a, &f->m, r, y < r.y + r.h - pins ? r.y + r.h - pins : y);
}

static void frag_next_process(tui_app_t *a)
{
    const tui_summary_t *s = a->sum;
    size_t i = 0;
    if (!s || s->nprocs < 2)
        return;
    while (i < s->nprocs && s->procs[i].pid != a->vfrag.pid)
        i++;
    a->vfrag.pid = s->procs[i < s->nprocs ? (i + 1) % s->nprocs : 1].pid;
    tui_frag_flush(a);
    tui_app_message(a, TUI_R_OK, "process %lld", a->vfrag.pid);
}

int tui_frag_key(tui_app_t *a, int ch)
{
    if (!a->sum)
        return TUI_UNHANDLED;
    switch (ch) {
    case KEY_LEFT: case 'h': tui_time_move(a, -1); break;
    case KEY_RIGHT: case 'l': tui_time_move(a, 1); break;
    case KEY_SLEFT: case 'H': tui_time_move(a, -10); break;
    case KEY_SRIGHT: case 'L': tui_time_move(a, 10); break;
    case KEY_HOME: case 'g': tui_time_set(a, 0); break;
    case KEY_END: case 'G': tui_time_set(a, tui_time_end(a)); break;
    case 'p':
        if (a->sum->peak_ns >= 0)
            tui_time_set(a, a->sum->peak_ns);
        break;
    case 'P': frag_next_process(a); break;
    case 'J': case KEY_DOWN: case 'j': a->vfrag.pin_scroll++; return TUI_REFRESH;
    case 'K': case KEY_UP: case 'k':
        a->vfrag.pin_scroll -= a->vfrag.pin_scroll > 0;
        return TUI_REFRESH;
    default: return TUI_UNHANDLED;
    }
    tui_req_frag(a);
    return TUI_REFRESH;
}
