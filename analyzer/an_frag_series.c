/*
 * an_frag_series.c -- touched pages and live bytes at evenly spaced
 * moments t_k = start + (end - start) * (k + 1) / K, from the allocations
 * in any order (a recording's rows are in the order blocks ended).
 *
 * Bucket k holds the events in (t_{k-1}, t_k].  A block allocated in
 * bucket a and freed in bucket f is live at t_a .. t_{f-1}: a block that
 * is born and dies within one bucket never shows and is skipped (the bulk
 * of a churning program).  Others wait in the list of bucket a.  At the
 * end the buckets are closed in time order: closing bucket k adds its
 * allocations (their frees join the list of bucket f), applies its frees
 * and takes point k.
 *
 * Pages: a block [p, e) adds its bytes to its first and last page in a
 * hash map (page -> live bytes); the pages strictly between are its own
 * (live blocks never overlap) and only counted.  Touched pages = map
 * entries above zero + those counted.  Within a bucket, entries may dip
 * below zero (a free applied before an allocation on the same page); at
 * t_k every entry is back to its true value, so "non-zero" counts right.
 */
#include "an_frag_int.h"

#include <stdlib.h>

typedef struct sw_ev_s {
    uint64_t ptr, end, size;
    int kf; /* the bucket of its free; K: never freed before the last point */
} sw_ev_t;

typedef struct sw_list_s {
    sw_ev_t *v;
    size_t n, cap;
} sw_list_t;

struct an_frag_sweep_s {
    long long start, dur;
    int k;                /* points */
    long long *tk;        /* point times */
    sw_list_t *allocs;    /* per bucket */
    sw_list_t *frees;     /* per bucket, filled as buckets close */
    an_frag_hmap_t pages;
    long long nonzero, inner;
    long long blocks, live, usable;
    an_frag_point_t *pts;
};

an_frag_sweep_t *an_frag_sweep_new(long long start_ns, long long end_ns, int points)
{
    an_frag_sweep_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->start = start_ns;
    s->dur = end_ns > start_ns ? end_ns - start_ns : 0;
    s->k = points;
    s->tk = calloc((size_t)points, sizeof *s->tk);
    s->allocs = calloc((size_t)points, sizeof *s->allocs);
    s->frees = calloc((size_t)points, sizeof *s->frees);
    s->pts = calloc((size_t)points, sizeof *s->pts);
    if (!s->tk || !s->allocs || !s->frees || !s->pts) {
        an_frag_sweep_free(s);
        return NULL;
    }
    for (int i = 0; i < points; i++)
        s->tk[i] = start_ns + (long long)((unsigned long long)s->dur * (unsigned)(i + 1) /
                                          (unsigned)points);
    return s;
}

void an_frag_sweep_free(an_frag_sweep_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->k; i++) {
        free(s->allocs ? s->allocs[i].v : NULL);
        free(s->frees ? s->frees[i].v : NULL);
    }
    free(s->allocs);
    free(s->frees);
    free(s->tk);
    free(s->pts);
    an_frag_hmap_free(&s->pages);
    free(s);
}

/* The bucket of time x: the first k with x <= t_k; s->k when after the end. */
static int sw_bucket(const an_frag_sweep_t *s, long long x)
{
    long long k;
    if (x <= s->tk[0])
        return 0;
    if (x > s->tk[s->k - 1])
        return s->k;
    k = (long long)((unsigned long long)(x - s->start) * (unsigned)s->k /
                    (unsigned long long)(s->dur ? s->dur : 1));
    if (k >= s->k)
        k = s->k - 1;
    while (k > 0 && s->tk[k - 1] >= x)
        k--;
    while (s->tk[k] < x)
        k++;
    return (int)k;
}

static int sw_page(an_frag_sweep_t *s, uint64_t page, long long d)
{
    int created;
    int64_t *v = an_frag_hmap_at(&s->pages, page, &created);
    long long old;
    if (!v)
        return -1;
    old = *v;
    *v += d;
    s->nonzero += (old == 0 && *v != 0) - (old != 0 && *v == 0);
    return 0;
}

/* Add (sign 1) or remove (sign -1) a block. */
static int sw_apply(an_frag_sweep_t *s, const sw_ev_t *e, int sign)
{
    uint64_t fa = e->ptr >> AN_FRAG_PAGE_SHIFT, lb = (e->end - 1) >> AN_FRAG_PAGE_SHIFT;
    uint64_t first_end = (fa + 1) << AN_FRAG_PAGE_SHIFT;
    s->blocks += sign;
    s->live += sign * (long long)e->size;
    s->usable += sign * (long long)(e->end - e->ptr);
    if (sw_page(s, fa, sign * (long long)((e->end < first_end ? e->end : first_end) - e->ptr)))
        return -1;
    if (lb == fa)
        return 0;
    s->inner += sign * (long long)(lb - fa - 1);
    return sw_page(s, lb, sign * (long long)(e->end - (lb << AN_FRAG_PAGE_SHIFT)));
}

static int sw_push(sw_list_t *l, const sw_ev_t *e)
{
    if (an_frag_grow((void **)&l->v, l->n, &l->cap, sizeof *e) != 0)
        return -1;
    l->v[l->n++] = *e;
    return 0;
}

static void sw_drop(sw_list_t *l)
{
    free(l->v);
    *l = (sw_list_t){0};
}

/* Bucket k: its allocations in, its frees out, point k. */
static int sw_close(an_frag_sweep_t *s, int k)
{
    sw_list_t *a = &s->allocs[k], *f = &s->frees[k];
    for (size_t i = 0; i < a->n; i++)
        if (sw_apply(s, &a->v[i], 1) != 0 ||
            (a->v[i].kf < s->k && sw_push(&s->frees[a->v[i].kf], &a->v[i]) != 0))
            return -1;
    sw_drop(a);
    for (size_t i = 0; i < f->n; i++)
        if (sw_apply(s, &f->v[i], -1) != 0)
            return -1;
    sw_drop(f);
    s->pts[k] = (an_frag_point_t){s->tk[k], s->blocks, s->live, s->usable,
                                  s->nonzero + s->inner, -1};
    return 0;
}

int an_frag_sweep_feed(an_frag_sweep_t *s, uint64_t ptr, uint64_t end, uint64_t size,
                       int64_t alloc_ns, int64_t free_ns)
{
    int ka = sw_bucket(s, alloc_ns), kf = free_ns < 0 ? s->k : sw_bucket(s, free_ns);
    sw_ev_t e = {ptr, end, size, kf};
    if (ka >= s->k || kf <= ka)
        return 0;
    return sw_push(&s->allocs[ka], &e);
}

int an_frag_sweep_finish(an_frag_sweep_t *s, an_frag_model_t *m)
{
    for (int k = 0; k < s->k; k++)
        if (sw_close(s, k) != 0)
            return -1;
    m->series = s->pts;
    m->npoints = (size_t)s->k;
    s->pts = NULL;
    return 0;
}
