/*
 * tui_model_ctree.c -- the call tree merged by function (heaptrack's
 * top-down and bottom-up trees), from the snapshot's stacks.  A node is a
 * function reached through one path of functions; its inclusive figures
 * sum the stacks through it, its self figures the stacks whose innermost
 * frame it is.  Inlined frames are nodes of their own.  Children are found
 * through one open-addressing table keyed by (parent, function), built
 * once; the tree of a 10M-allocation recording (20,000 stacks of depth up
 * to 40) has a few hundred thousand nodes.
 */
#include "tui_model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct ct_key_s {
    int parent;
    int frame;            /* -1 when keyed by function */
    const char *function;
} ct_key_t;

typedef struct ct_build_s {
    tui_ctree_t *t;
    int *slots;           /* node index + 1, 0 empty */
    size_t cap;           /* power of two */
    int *first, *next;    /* kid lists while building */
    size_t list_cap;
} ct_build_t;

static unsigned long long ct_mix(unsigned long long h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static unsigned long long ct_key_hash(const ct_key_t *k)
{
    return ct_mix((unsigned long long)k->parent * 0x9e3779b97f4a7c15ull ^
                  (unsigned long long)(uintptr_t)k->function ^ (unsigned long long)(k->frame + 1) << 40);
}

static int ct_node_is(const tui_ctree_t *t, int i, const ct_key_t *k)
{
    const tui_cnode_t *n = &t->n[i];
    return n->parent == k->parent && n->function == k->function &&
           (k->frame < 0 || n->frame == k->frame);
}

static int ct_rehash(ct_build_t *b)
{
    size_t cap = b->cap ? b->cap * 2 : 4096;
    int *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 1; i < b->t->nn; i++) {
        const tui_cnode_t *n = &b->t->n[i];
        ct_key_t k = {n->parent, n->function ? -1 : n->frame, n->function};
        size_t j = ct_key_hash(&k) & (cap - 1);
        while (s[j])
            j = (j + 1) & (cap - 1);
        s[j] = (int)i + 1;
    }
    free(b->slots);
    b->slots = s;
    b->cap = cap;
    return 0;
}

static int ct_grow(ct_build_t *b)
{
    tui_ctree_t *t = b->t;
    if (t->nn == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        tui_cnode_t *v = realloc(t->n, cap * sizeof *v);
        if (!v)
            return -1;
        t->n = v;
        t->cap = cap;
    }
    if (t->nn == b->list_cap) {
        size_t cap = b->list_cap ? b->list_cap * 2 : 1024;
        int *f = realloc(b->first, cap * sizeof *f), *nx;
        if (!f)
            return -1;
        b->first = f;
        if (!(nx = realloc(b->next, cap * sizeof *nx)))
            return -1;
        b->next = nx;
        b->list_cap = cap;
    }
    if ((t->nn + 1) * 2 > b->cap && ct_rehash(b) != 0)
        return -1;
    return 0;
}

static unsigned long long ct_frame_hash(const an_xframe_t *x)
{
    unsigned long long h = x->f.function ? an_hash_str(x->f.function)
                                         : x->f.rel_pc ^ an_hash_str(x->f.module ? x->f.module : "");
    return ct_mix(h + 0x632be59bd9b4e019ull);
}

static int ct_new(ct_build_t *b, const ct_key_t *k, const an_xframe_t *x)
{
    tui_ctree_t *t = b->t;
    if (ct_grow(b) != 0)
        return -1;
    int i = (int)t->nn++;
    tui_cnode_t *n = &t->n[i];
    memset(n, 0, sizeof *n);
    n->function = x->f.function;
    n->file = x->f.file;
    n->line = x->f.line;
    n->frame = x->frame;
    n->inlined = x->f.inlined;
    n->parent = k->parent;
    n->best_leaf = -1;
    n->best_val = -1;
    n->hash = ct_mix(t->n[k->parent].hash * 31 + ct_frame_hash(x));
    b->first[i] = -1;
    b->next[i] = b->first[k->parent];
    b->first[k->parent] = i;
    return i;
}

/* The kid of parent for frame x, created on first sight; -1 out of memory. */
static int ct_kid(ct_build_t *b, int parent, const an_xframe_t *x)
{
    ct_key_t k = {parent, x->f.function ? -1 : x->frame, x->f.function};
    unsigned long long h = ct_key_hash(&k);
    size_t j;
    for (j = h & (b->cap - 1); b->slots[j]; j = (j + 1) & (b->cap - 1))
        if (ct_node_is(b->t, b->slots[j] - 1, &k))
            return b->slots[j] - 1;
    int i = ct_new(b, &k, x); /* may rebuild the table (without the new node) */
    if (i < 0)
        return -1;
    for (j = h & (b->cap - 1); b->slots[j]; j = (j + 1) & (b->cap - 1))
        ;
    b->slots[j] = i + 1;
    return i;
}

static void ct_credit(tui_cnode_t *n, const an_stat_t *st, int leaf, const an_xframe_t *x,
                      int self)
{
    for (int m = 0; m < TUI_M_N; m++) {
        long long v = an_stat_metric(st, (an_metric_t)m);
        n->incl[m] += v;
        if (self)
            n->self[m] += v;
    }
    if (st->bytes > n->best_val) {
        n->best_val = st->bytes;
        n->best_leaf = leaf;
        n->file = x->f.file;
        n->line = x->f.line;
    }
}

/* One stack, innermost first in sb: top-down walks it outermost first. */
static int ct_add(ct_build_t *b, const an_stackbuf_t *sb, const an_stat_t *st, int leaf)
{
    int node = 0, n = sb->n;
    ct_credit(&b->t->n[0], st, leaf, &sb->v[0], 0);
    for (int k = 0; k < n; k++) {
        const an_xframe_t *x = &sb->v[b->t->bottom_up ? k : n - 1 - k];
        if ((node = ct_kid(b, node, x)) < 0)
            return -1;
        ct_credit(&b->t->n[node], st, leaf, x, b->t->bottom_up ? k == 0 : k == n - 1);
    }
    return 0;
}

/* Kid lists into one array, each node's kids contiguous. */
static int ct_pack(ct_build_t *b)
{
    tui_ctree_t *t = b->t;
    int pos = 0;
    if (!(t->kids = malloc((t->nn ? t->nn : 1) * sizeof *t->kids)) ||
        !(t->shape = malloc((t->nn ? t->nn : 1) * sizeof *t->shape)))
        return -1;
    for (size_t i = 0; i < t->nn; i++) {
        t->n[i].kid0 = pos;
        t->n[i].nkids = 0;
        for (int k = b->first[i]; k >= 0; k = b->next[k]) {
            t->kids[pos++] = k;
            t->n[i].nkids++;
        }
        t->shape[i] = (tui_cshape_t){t->n[i].kid0, t->n[i].nkids, t->n[i].hash};
    }
    return 0;
}

/* Node 0: the virtual root above the outermost (or innermost) frames. */
static int ct_root(ct_build_t *b)
{
    if (ct_grow(b) != 0)
        return -1;
    b->t->nn = 1;
    memset(&b->t->n[0], 0, sizeof b->t->n[0]);
    b->t->n[0].parent = -1;
    b->t->n[0].frame = -1;
    b->t->n[0].best_leaf = -1;
    b->first[0] = -1;
    return 0;
}

int tui_ctree_build(tui_snap_t *s, int bottom_up, tui_ctree_t *t, char *err, size_t errlen)
{
    ct_build_t b = {.t = t};
    an_stackbuf_t sb = {0};
    int rc = -1;
    memset(t, 0, sizeof *t);
    t->bottom_up = bottom_up;
    if (ct_root(&b) != 0)
        goto oom;
    for (size_t i = 0; i < s->nsites; i++) {
        int leaf = s->sites[i].node;
        if (tui_snap_stack(s, leaf, &sb, err, errlen) != 0)
            goto done;
        if (sb.n > 0 && ct_add(&b, &sb, &s->stats[leaf], leaf) != 0)
            goto oom;
    }
    if (ct_pack(&b) != 0)
        goto oom;
    tui_ctree_sort(t, AN_M_PEAK);
    rc = 0;
    goto done;
oom:
    snprintf(err, errlen, "out of memory building the call tree");
done:
    free(b.slots);
    free(b.first);
    free(b.next);
    an_stackbuf_free(&sb);
    if (rc != 0)
        tui_ctree_free(t);
    return rc;
}

void tui_ctree_free(tui_ctree_t *t)
{
    if (!t)
        return;
    free(t->n);
    free(t->kids);
    free(t->shape);
    memset(t, 0, sizeof *t);
}

static int ct_cmp(const void *pa, const void *pb, void *arg)
{
    const tui_ctree_t *t = ((const void **)arg)[0];
    an_metric_t m = *(const an_metric_t *)((const void **)arg)[1];
    const tui_cnode_t *a = &t->n[*(const int *)pa], *b = &t->n[*(const int *)pb];
    if (a->incl[m] != b->incl[m])
        return a->incl[m] > b->incl[m] ? -1 : 1;
    if (a->incl[AN_M_ALLOCS] != b->incl[AN_M_ALLOCS])
        return a->incl[AN_M_ALLOCS] > b->incl[AN_M_ALLOCS] ? -1 : 1;
    if (a->function && b->function && a->function != b->function)
        return strcmp(a->function, b->function);
    return *(const int *)pa - *(const int *)pb;
}

void tui_ctree_sort(tui_ctree_t *t, an_metric_t m)
{
    const void *arg[2] = {t, &m};
    for (size_t i = 0; i < t->nn; i++)
        if (t->n[i].nkids > 1)
            qsort_r(t->kids + t->n[i].kid0, (size_t)t->n[i].nkids, sizeof *t->kids, ct_cmp,
                    (void *)arg);
}
