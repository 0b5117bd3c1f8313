/*
 * tui_model_sites.c -- which stacks a list shows, in which order: a text
 * filter over every frame of a stack (function or source file, inline
 * chains included, case-insensitive) and a sort by one metric.  Matching
 * is decided once per frame and once per callsite (a stack matches when
 * its own frame or its parent's stack does), so typing a filter over
 * 20,000 stacks costs milliseconds.
 */
#include "tui_model.h"

#include <stdlib.h>
#include <string.h>

static int sel_has(const char *s, const char *needle)
{
    return s && strcasestr(s, needle) != NULL;
}

/* Per frame: 1 when its function or file (or an inlined one) matches. */
static unsigned char *sel_frames(const an_tree_t *t, const char *needle)
{
    unsigned char *m = calloc(t->n_frames ? t->n_frames : 1, 1);
    if (!m)
        return NULL;
    for (size_t i = 0; i < t->n_frames; i++) {
        const an_tframe_t *f = &t->frames[i];
        int hit = sel_has(f->function, needle) || sel_has(f->file, needle);
        for (int k = 0; !hit && k < f->inl_n; k++)
            hit = sel_has(t->inl[f->inl_first + k].function, needle) ||
                  sel_has(t->inl[f->inl_first + k].file, needle);
        if (!hit && !f->function && f->module >= 0)
            hit = sel_has(t->mods[f->module].base, needle);
        m[i] = (unsigned char)hit;
    }
    return m;
}

/* Per callsite node: 0 unknown, 1 no match, 2 match.  One walk up finds
 * the answer (a matching frame, a node already decided, or the root), a
 * second records it on the way, so every node is decided once. */
static int sel_node(const an_tree_t *t, const unsigned char *fm, unsigned char *memo, int i)
{
    int j = i, v = 1, steps = 0;
    while (j >= 0 && !memo[j] && !fm[t->nodes[j].frame] && ++steps < 65536)
        j = t->nodes[j].parent;
    if (j >= 0)
        v = memo[j] ? memo[j] : fm[t->nodes[j].frame] ? 2 : 1;
    for (int k = i; k >= 0 && k != j; k = t->nodes[k].parent)
        memo[k] = (unsigned char)v;
    if (j >= 0)
        memo[j] = (unsigned char)v;
    return v;
}

typedef struct sel_sort_s {
    const tui_snap_t *s;
    an_metric_t m;
    int reverse;
} sel_sort_t;

static int sel_cmp(const void *pa, const void *pb, void *arg)
{
    const sel_sort_t *c = arg;
    int ia = *(const int *)pa, ib = *(const int *)pb;
    long long a = an_stat_metric(&c->s->stats[c->s->sites[ia].node], c->m);
    long long b = an_stat_metric(&c->s->stats[c->s->sites[ib].node], c->m);
    int r = a != b ? (a > b ? -1 : 1) : ia - ib;
    return c->reverse ? -r : r;
}

int tui_sites_select(const tui_snap_t *s, int leaks, const char *filter, an_metric_t m,
                     int reverse, int **out, size_t *n)
{
    size_t total = leaks ? s->nleaks : s->nsites, k = 0;
    int *v = malloc((total ? total : 1) * sizeof *v);
    unsigned char *fm = NULL, *memo = NULL;
    *out = NULL;
    *n = 0;
    if (!v)
        return -1;
    if (filter && *filter) {
        fm = sel_frames(s->tree, filter);
        memo = calloc(s->tree->n_nodes ? s->tree->n_nodes : 1, 1);
        if (!fm || !memo) {
            free(fm);
            free(memo);
            free(v);
            return -1;
        }
    }
    for (size_t i = 0; i < total; i++) {
        int si = leaks ? s->leaks[i] : (int)i;
        if (!fm || sel_node(s->tree, fm, memo, s->sites[si].node) == 2)
            v[k++] = si;
    }
    free(fm);
    free(memo);
    sel_sort_t c = {s, m, reverse};
    if (k > 1)
        qsort_r(v, k, sizeof *v, sel_cmp, &c);
    *out = v;
    *n = k;
    return 0;
}
