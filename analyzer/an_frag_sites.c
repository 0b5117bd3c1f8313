/*
 * an_frag_sites.c -- the two call-site rankings (internal waste; pinned
 * pages) and the lifetimes of the pinning blocks (see an_frag_sites in
 * an_frag_int.h).  Ages are at t; a lifetime is free_ns - alloc_ns of a
 * block freed later in the run.
 */
#include "an_frag_int.h"

#include <stdlib.h>

typedef struct st_pair_s {
    uint32_t site;
    long long v;
} st_pair_t;

static int st_pair_cmp(const void *a, const void *b)
{
    const st_pair_t *x = a, *y = b;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    return (x->v > y->v) - (x->v < y->v);
}

/* Per site over sorted pairs: fn(site, first, n). */
static void st_groups(const st_pair_t *p, size_t n, an_frag_model_t *m,
                      void (*fn)(an_frag_site_t *s, const st_pair_t *g, size_t n))
{
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && p[j].site == p[i].site)
            j++;
        fn(&m->sites[p[i].site], p + i, j - i);
        i = j;
    }
}

static void st_ages(an_frag_site_t *s, const st_pair_t *g, size_t n)
{
    s->age_min = g[0].v;
    s->age_med = g[n / 2].v;
    s->age_max = g[n - 1].v;
}

static void st_lives(an_frag_site_t *s, const st_pair_t *g, size_t n)
{
    s->pin_freed = (long long)n;
    s->life_med = g[n / 2].v;
}

static int st_pins(an_frag_model_t *m, const an_frag_live_t *live)
{
    st_pair_t *age = NULL, *life = NULL;
    size_t na = 0, nl = 0, ca = 0, cl = 0;
    int rc = 0;
    for (size_t i = 0; i < live->n && rc == 0; i++) {
        const an_frag_blk_t *b = &live->v[i];
        if (!(b->flags & AN_FRAG_B_PIN))
            continue;
        m->sites[b->site].pin_blocks++;
        m->sites[b->site].pin_bytes += (long long)b->size;
        rc = an_frag_grow((void **)&age, na, &ca, sizeof *age);
        if (rc == 0)
            age[na++] = (st_pair_t){b->site, m->sel.t_ns - b->alloc_ns};
        if (rc != 0 || b->free_ns < 0)
            continue;
        rc = an_frag_grow((void **)&life, nl, &cl, sizeof *life);
        if (rc == 0)
            life[nl++] = (st_pair_t){b->site, b->free_ns - b->alloc_ns};
    }
    if (rc == 0) {
        if (na > 1)
            qsort(age, na, sizeof *age, st_pair_cmp);
        if (nl > 1)
            qsort(life, nl, sizeof *life, st_pair_cmp);
        st_groups(age, na, m, st_ages);
        st_groups(life, nl, m, st_lives);
    }
    free(age);
    free(life);
    return rc;
}

static long long st_waste(const an_frag_site_t *s)
{
    return s->usable_bytes - s->live_bytes;
}

static int st_by_waste(const void *a, const void *b, void *arg)
{
    const an_frag_site_t *sites = arg;
    const an_frag_site_t *x = &sites[*(const int *)a], *y = &sites[*(const int *)b];
    if (st_waste(x) != st_waste(y))
        return st_waste(x) > st_waste(y) ? -1 : 1;
    return (x->callsite_id > y->callsite_id) - (x->callsite_id < y->callsite_id);
}

static int st_by_pin(const void *a, const void *b, void *arg)
{
    const an_frag_site_t *sites = arg;
    const an_frag_site_t *x = &sites[*(const int *)a], *y = &sites[*(const int *)b];
    if (x->pages_pinned != y->pages_pinned)
        return x->pages_pinned > y->pages_pinned ? -1 : 1;
    if (x->pin_bytes != y->pin_bytes)
        return x->pin_bytes < y->pin_bytes ? -1 : 1;
    return (x->callsite_id > y->callsite_id) - (x->callsite_id < y->callsite_id);
}

/* Sites passing keep, sorted by cmp, the first top of them into *out. */
static int st_rank(an_frag_model_t *m, int (*keep)(const an_frag_site_t *),
                   int (*cmp)(const void *, const void *, void *), int top, int **out,
                   size_t *n)
{
    int *v = malloc((m->nsites ? m->nsites : 1) * sizeof *v);
    size_t k = 0;
    if (!v)
        return -1;
    for (size_t i = 0; i < m->nsites; i++)
        if (keep(&m->sites[i]))
            v[k++] = (int)i;
    qsort_r(v, k, sizeof *v, cmp, m->sites);
    *out = v;
    *n = k < (size_t)top ? k : (size_t)top;
    return 0;
}

static int st_keep_waste(const an_frag_site_t *s)
{
    return s->blocks > 0 && st_waste(s) > 0;
}

static int st_keep_pin(const an_frag_site_t *s)
{
    return s->pages_pinned > 0;
}

static int st_age_median(an_frag_model_t *m, const an_frag_live_t *live)
{
    long long *v;
    if (live->n == 0)
        return 0;
    if (!(v = malloc(live->n * sizeof *v)))
        return -1;
    for (size_t i = 0; i < live->n; i++)
        v[i] = m->sel.t_ns - live->v[i].alloc_ns;
    m->age_med = an_frag_median(v, live->n);
    free(v);
    return 0;
}

int an_frag_sites(an_frag_model_t *m, const an_frag_live_t *live, int top)
{
    if (st_pins(m, live) != 0 || st_age_median(m, live) != 0)
        return -1;
    if (st_rank(m, st_keep_waste, st_by_waste, top, &m->by_waste, &m->nwaste) != 0)
        return -1;
    return st_rank(m, st_keep_pin, st_by_pin, top, &m->by_pin, &m->npin);
}
