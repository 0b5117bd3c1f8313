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

/* Sorted by the figure, kept next to the row (the figures are spread
 * over the whole stats array: comparing through it misses the caches). */
typedef struct sel_key_s {
    long long v;
    int row;
} sel_key_t;

static int sel_cmp(const void *pa, const void *pb, void *arg)
{
    const sel_key_t *a = pa, *b = pb;
    int r = a->v != b->v ? (a->v > b->v ? -1 : 1) : a->row - b->row;
    return *(const int *)arg ? -r : r;
}

static int sel_sort(const tui_snap_t *s, int *v, size_t n, an_metric_t m, int reverse)
{
    sel_key_t *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; i < n; i++)
        k[i] = (sel_key_t){an_stat_metric(&s->stats[s->sites[v[i]].node], m), v[i]};
    if (n > 1)
        qsort_r(k, n, sizeof *k, sel_cmp, &reverse);
    for (size_t i = 0; i < n; i++)
        v[i] = k[i].row;
    free(k);
    return 0;
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
    if (sel_sort(s, v, k, m, reverse) != 0) {
        free(v);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}
