/* an_frag_map.c -- the page map as text: one label line per heap region,
 * rows of cells prefixed by their address, a legend (see an_frag_render.h).
 * Shades by level (an_frag_level): Unicode blocks or ASCII, in colour
 * when the view allows (low occupancy red, full green). */
#include "an_frag_render.h"

#include <stdlib.h>

#define MAP_ADDR_W 16 /* "  " + 12 hex digits + " " + margin */

static const char *const map_utf8[5] = {" ", "\u2591", "\u2592", "\u2593", "\u2588"};
static const char *const map_ascii[5] = {" ", ".", ":", "#", "@"};
static const char *const map_colors[5] = {"", "\033[31m", "\033[33m", "\033[36m", "\033[32m"};

static const char *map_glyph(const an_frag_view_t *v, int level)
{
    return v->utf8 ? map_utf8[level] : map_ascii[level];
}

static void map_row(const an_frag_view_t *v, const an_frag_cell_t *c, size_t n, FILE *f)
{
    int prev = -1;
    for (size_t i = 0; i < n; i++) {
        int lv = an_frag_level(&c[i]);
        if (v->color && lv != prev)
            fputs(lv ? map_colors[lv] : "\033[0m", f);
        fputs(map_glyph(v, lv), f);
        prev = lv;
    }
    if (v->color && prev > 0)
        fputs("\033[0m", f);
    fputc('\n', f);
}

static int map_region(const an_frag_model_t *m, const an_frag_region_t *r,
                      const an_frag_layout_t *l, const an_frag_view_t *v, FILE *f)
{
    size_t n = an_frag_ncells(r, l->cell_pages), per = (size_t)l->cols;
    unsigned long long row_bytes = per * l->cell_pages * AN_FRAG_PAGE;
    an_frag_cell_t *c = malloc((n ? n : 1) * sizeof *c);
    char b1[32], b2[32];
    if (!c)
        return -1;
    an_frag_cells(m, r, l->cell_pages, c);
    fprintf(f, "%s%s 0x%llx-0x%llx%s: %s live in %lld touched pages, %s%s\n",
            v->color ? "\033[1m" : "", an_frag_kind_name(r->kind), r->start, r->end,
            v->color ? "\033[0m" : "", an_fmt_bytes(r->live_bytes, b1, sizeof b1),
            r->pages_touched, an_fmt_pct((double)r->pages_low, (double)r->pages_touched, b2,
                                         sizeof b2), " of them under 25% live");
    for (size_t i = 0; i < n; i += per) {
        fprintf(f, "  %12llx ", r->start + (unsigned long long)(i / per) * row_bytes);
        map_row(v, c + i, n - i < per ? n - i : per, f);
    }
    free(c);
    return 0;
}

static void map_legend(const an_frag_view_t *v, FILE *f)
{
    static const char *const what[5] = {"nothing live", "<25%", "25-50%", "50-75%", ">=75%"};
    fputs("legend:", f);
    for (int i = 0; i < 5; i++) {
        fprintf(f, "  %s'", v->color && i ? map_colors[i] : "");
        fputs(map_glyph(v, i), f);
        fprintf(f, "'%s %s", v->color && i ? "\033[0m" : "", what[i]);
    }
    fputs(" of the touched pages' bytes live\n", f);
}

static int map_heap_regions(const an_frag_model_t *m)
{
    int n = 0;
    for (size_t i = 0; i < m->nregions; i++)
        n += an_frag_has_map(&m->regions[i]);
    return n;
}

int an_frag_view_layout(const an_frag_model_t *m, const an_frag_view_t *v, an_frag_layout_t *l)
{
    int cols = v->cols > 0 ? v->cols : 80, rows = v->rows > 0 ? v->rows : 24;
    return an_frag_layout(m, cols - MAP_ADDR_W, rows - 4, l);
}

int an_frag_write_map(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f)
{
    int nheap = map_heap_regions(m), rc = 0;
    an_frag_layout_t l;
    char b[32];
    if (nheap == 0)
        return 0;
    if (an_frag_view_layout(m, v, &l) != 0)
        return -1;
    fprintf(f, "map: one cell = %s (%llu page%s), shaded by the live share of its touched pages\n",
            an_fmt_bytes((long long)(l.cell_pages * AN_FRAG_PAGE), b, sizeof b), l.cell_pages,
            l.cell_pages == 1 ? "" : "s");
    for (int i = 0; i < l.drawn && rc == 0; i++)
        rc = map_region(m, &m->regions[l.order[i]], &l, v, f);
    if (l.drawn < nheap)
        fprintf(f, "(%d more heap regions not drawn: the fewest touched pages)\n",
                nheap - l.drawn);
    map_legend(v, f);
    an_frag_layout_free(&l);
    return rc;
}
