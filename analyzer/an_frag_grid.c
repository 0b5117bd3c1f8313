/* an_frag_grid.c -- the page map of the heap regions: cells, their
 * shading level, and the cell size that fits a screen area (see "the map"
 * in an_frag_model.h).  Shared by the text view and the TUI. */
#include "an_frag_int.h"

#include <stdlib.h>

size_t an_frag_ncells(const an_frag_region_t *r, unsigned long long cell_pages)
{
    unsigned long long pages = (r->end - r->start) >> AN_FRAG_PAGE_SHIFT;
    return (size_t)((pages + cell_pages - 1) / cell_pages);
}

void an_frag_cells(const an_frag_model_t *m, const an_frag_region_t *r,
                   unsigned long long cell_pages, an_frag_cell_t *out)
{
    size_t n = an_frag_ncells(r, cell_pages);
    for (size_t i = 0; i < n; i++)
        out[i] = (an_frag_cell_t){0, 0};
    for (size_t i = r->page0; i < r->page0 + r->npages; i++) {
        const an_frag_page_t *p = &m->pages[i];
        unsigned long long pi = (p->addr - r->start) >> AN_FRAG_PAGE_SHIFT, left = p->npages;
        while (left > 0) {
            unsigned long long k = cell_pages - pi % cell_pages;
            an_frag_cell_t *c = &out[pi / cell_pages];
            if (k > left)
                k = left;
            c->touched += (long long)k;
            c->live += k * p->bytes;
            pi += k;
            left -= k;
        }
    }
}

int an_frag_level(const an_frag_cell_t *c)
{
    unsigned long long pct;
    if (c->touched == 0)
        return 0;
    pct = c->live * 100 / ((unsigned long long)c->touched * AN_FRAG_PAGE);
    return pct < 25 ? 1 : pct < 50 ? 2 : pct < 75 ? 3 : 4;
}

static int grid_by_touched(const void *a, const void *b, void *arg)
{
    const an_frag_region_t *r = arg;
    const an_frag_region_t *x = &r[*(const int *)a], *y = &r[*(const int *)b];
    if (x->pages_touched != y->pages_touched)
        return x->pages_touched > y->pages_touched ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static int grid_by_index(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Lines the drawn regions take at cell_pages per cell. */
static unsigned long long grid_lines(const an_frag_model_t *m, const an_frag_layout_t *l,
                                     unsigned long long cell_pages)
{
    unsigned long long lines = 0;
    for (int i = 0; i < l->drawn; i++) {
        size_t n = an_frag_ncells(&m->regions[l->order[i]], cell_pages);
        lines += 1 + (n + (size_t)l->cols - 1) / (size_t)l->cols;
    }
    return lines;
}

int an_frag_layout(const an_frag_model_t *m, int cols, int rows, an_frag_layout_t *l)
{
    int n = 0, max_drawn;
    *l = (an_frag_layout_t){1, cols < 1 ? 1 : cols, 0, NULL};
    rows = rows < 2 ? 2 : rows;
    if (!(l->order = malloc((m->nregions ? m->nregions : 1) * sizeof *l->order)))
        return -1;
    for (size_t i = 0; i < m->nregions; i++)
        if (an_frag_has_map(&m->regions[i]))
            l->order[n++] = (int)i;
    qsort_r(l->order, (size_t)n, sizeof *l->order, grid_by_touched, m->regions);
    max_drawn = rows / 2;
    l->drawn = n < max_drawn ? n : max_drawn;
    qsort(l->order, (size_t)l->drawn, sizeof *l->order, grid_by_index);
    while (l->cell_pages < (1ull << 40) && grid_lines(m, l, l->cell_pages) > (unsigned)rows)
        l->cell_pages *= 2;
    return 0;
}

void an_frag_layout_free(an_frag_layout_t *l)
{
    if (l) {
        free(l->order);
        l->order = NULL;
    }
}
