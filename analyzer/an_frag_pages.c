/*
 * an_frag_pages.c -- the address sweep of one heap region: its blocks in
 * address order give its touched pages (with their live bytes), its holes,
 * its low pages and who is on them (see an_frag_pages in an_frag_int.h).
 *
 * The blocks on a page are consecutive in address order, so a page is
 * accumulated in one cursor and written when the sweep leaves it; the
 * pages strictly inside a block are full and written as one run.
 */
#include "an_frag_int.h"

#include <stdlib.h>

#define PG_MAX_OWNERS 64

typedef struct pg_cur_s {
    uint64_t page, bytes;
    size_t first, last; /* blocks on the page */
    int valid;
} pg_cur_t;

typedef struct pg_ctx_s {
    an_frag_model_t *m;
    an_frag_region_t *r;
    an_frag_live_t *live;
    pg_cur_t cur;
    an_frag_hmap_t sizes; /* hole size -> count */
} pg_ctx_t;

typedef struct pg_owner_s {
    uint32_t site;
    uint64_t bytes;
} pg_owner_t;

static uint64_t pg_overlap(const an_frag_blk_t *b, uint64_t page)
{
    uint64_t lo = page << AN_FRAG_PAGE_SHIFT, hi = lo + AN_FRAG_PAGE;
    uint64_t a = b->ptr > lo ? b->ptr : lo, e = b->end < hi ? b->end : hi;
    return e > a ? e - a : 0;
}

static int pg_owners(pg_ctx_t *c, pg_owner_t *own)
{
    int n = 0;
    for (size_t j = c->cur.first; j <= c->cur.last; j++) {
        const an_frag_blk_t *b = &c->live->v[j];
        uint64_t ov = pg_overlap(b, c->cur.page);
        int k;
        for (k = 0; k < n && own[k].site != b->site; k++)
            ;
        if (k == n && n == PG_MAX_OWNERS)
            continue;
        if (k == n)
            own[n++] = (pg_owner_t){b->site, 0};
        own[k].bytes += ov;
    }
    return n;
}

/* A low page: who is on it, and whether one site pins it. */
static void pg_low(pg_ctx_t *c)
{
    pg_owner_t own[PG_MAX_OWNERS];
    int n = pg_owners(c, own), top = 0;
    c->r->pages_low++;
    for (int k = 0; k < n; k++) {
        c->m->sites[own[k].site].pages_low++;
        if (own[k].bytes > own[top].bytes)
            top = k;
    }
    if (n == 0 || own[top].bytes * 100 < (uint64_t)AN_FRAG_PIN_PCT * c->cur.bytes)
        return;
    c->m->sites[own[top].site].pages_pinned++;
    for (size_t j = c->cur.first; j <= c->cur.last; j++)
        if (c->live->v[j].site == own[top].site && pg_overlap(&c->live->v[j], c->cur.page))
            c->live->v[j].flags |= AN_FRAG_B_PIN;
}

static int pg_emit(pg_ctx_t *c, uint64_t page, uint64_t npages, uint64_t bytes)
{
    an_frag_model_t *m = c->m;
    while (npages > 0) {
        unsigned n = npages > 0x40000000u ? 0x40000000u : (unsigned)npages;
        if (an_frag_grow((void **)&m->pages, m->npages, &m->pages_cap, sizeof *m->pages) != 0)
            return -1;
        m->pages[m->npages++] = (an_frag_page_t){page << AN_FRAG_PAGE_SHIFT, n, (unsigned)bytes};
        c->r->npages++;
        c->r->pages_touched += n;
        page += n;
        npages -= n;
    }
    return 0;
}

static int pg_flush(pg_ctx_t *c)
{
    if (!c->cur.valid)
        return 0;
    c->cur.valid = 0;
    if (c->cur.bytes * 100 < (uint64_t)AN_FRAG_LOW_PCT * AN_FRAG_PAGE)
        pg_low(c);
    return pg_emit(c, c->cur.page, 1, c->cur.bytes);
}

static int pg_add(pg_ctx_t *c, uint64_t page, uint64_t bytes, size_t blk)
{
    if (c->cur.valid && c->cur.page == page) {
        c->cur.bytes += bytes;
        c->cur.last = blk;
        return 0;
    }
    if (pg_flush(c) != 0)
        return -1;
    c->cur = (pg_cur_t){page, bytes, blk, blk, 1};
    return 0;
}

/* The part of block i from a on (a > ptr when it overlaps its neighbour). */
static int pg_block(pg_ctx_t *c, size_t i, uint64_t a)
{
    const an_frag_blk_t *b = &c->live->v[i];
    uint64_t fa = a >> AN_FRAG_PAGE_SHIFT, lb = (b->end - 1) >> AN_FRAG_PAGE_SHIFT;
    uint64_t first_end = (fa + 1) << AN_FRAG_PAGE_SHIFT;
    if (pg_add(c, fa, (b->end < first_end ? b->end : first_end) - a, i) != 0)
        return -1;
    if (lb == fa)
        return 0;
    if (lb > fa + 1 && (pg_flush(c) != 0 || pg_emit(c, fa + 1, lb - fa - 1, AN_FRAG_PAGE) != 0))
        return -1;
    return pg_add(c, lb, b->end - (lb << AN_FRAG_PAGE_SHIFT), i);
}

static int pg_hole(pg_ctx_t *c, uint64_t prev_end, uint64_t next)
{
    uint64_t h;
    an_frag_region_t *r = c->r;
    if (next <= prev_end + AN_FRAG_HDR)
        return 0;
    h = next - prev_end - AN_FRAG_HDR;
    r->holes++;
    r->hole_bytes += (long long)h;
    if (h > r->largest_hole) {
        r->largest_hole = h;
        r->largest_hole_addr = prev_end;
    }
    int created;
    int64_t *count = an_frag_hmap_at(&c->sizes, h, &created);
    if (!count)
        return -1;
    ++*count;
    return 0;
}

static int pg_cmp_size(const void *a, const void *b)
{
    uint64_t x = ((const an_frag_hole_t *)a)->size, y = ((const an_frag_hole_t *)b)->size;
    return (x > y) - (x < y);
}

/* Distinct hole sizes with their counts into m->hole_sizes, by size. */
static int pg_hole_sizes(pg_ctx_t *c)
{
    an_frag_model_t *m = c->m;
    c->r->size0 = m->nhole_sizes;
    for (size_t i = 0; i < c->sizes.cap; i++) {
        if (!c->sizes.keys[i])
            continue;
        if (an_frag_grow((void **)&m->hole_sizes, m->nhole_sizes, &m->hole_sizes_cap,
                         sizeof *m->hole_sizes) != 0)
            return -1;
        m->hole_sizes[m->nhole_sizes++] = (an_frag_hole_t){c->sizes.keys[i] - 1, c->sizes.vals[i]};
    }
    c->r->nsizes = m->nhole_sizes - c->r->size0;
    if (c->r->nsizes > 1)
        qsort(m->hole_sizes + c->r->size0, c->r->nsizes, sizeof *m->hole_sizes, pg_cmp_size);
    return 0;
}

static void pg_count(an_frag_region_t *r, const an_frag_blk_t *b)
{
    r->blocks++;
    r->live_bytes += (long long)b->size;
    r->usable_bytes += (long long)b->usable;
}

int an_frag_pages(an_frag_model_t *m, size_t region, an_frag_live_t *live,
                  const an_frag_run_t *run)
{
    pg_ctx_t c = {m, &m->regions[region], live, {0}, {0}};
    uint64_t prev_end = 0;
    int rc = 0;
    c.r->page0 = m->npages;
    for (size_t i = run->first; i < run->first + run->n && rc == 0; i++) {
        const an_frag_blk_t *b = &live->v[i];
        uint64_t a = b->ptr > prev_end ? b->ptr : prev_end;
        pg_count(c.r, b);
        if (i > run->first)
            rc = pg_hole(&c, prev_end, b->ptr);
        if (rc == 0 && a < b->end)
            rc = pg_block(&c, i, a);
        if (b->end > prev_end)
            prev_end = b->end;
    }
    if (rc == 0)
        rc = pg_flush(&c);
    if (rc == 0)
        rc = pg_hole_sizes(&c);
    an_frag_hmap_free(&c.sizes);
    return rc;
}
