/*
 * an_export_massif_tree.c -- the heap tree of a detailed massif snapshot,
 * as massif writes it:
 *     n2: 91904 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
 *      n1: 65536 0x12D3: cache_put (leaky.c:41)
 *       n0: 65536 0x12D3: main (leaky.c:60)
 *      n0: 512 in 1 place, below massif's threshold (1.00%)
 * One space of indent per level; below the root, the function that called
 * the allocator, then its callers.  Inlined functions are levels of their
 * own with their caller's address (as massif shows them).  Stacks stop at
 * main, as massif's do.  Children come largest first; those under 1% of
 * the snapshot's heap are summed into one "in N places" line.
 *
 * Each site's stack is flattened once into (frame, place in its inline
 * chain) pairs; a level groups the sites by their pair at that depth
 * (sorting the index range in place) and recurses into each group.
 */
#include "an_export_massif.h"

#include <stdlib.h>
#include <string.h>

typedef struct mt_fr_s {
    int fi;  /* tree frame index */
    int pos; /* place in its inline expansion, innermost 0 */
} mt_fr_t;

typedef struct mt_ent_s {
    size_t off; /* into fr */
    int len;
    long long bytes;
} mt_ent_t;

typedef struct mt_grp_s {
    size_t start, n;
    long long bytes;
} mt_grp_t;

typedef struct mt_s {
    an_ctx_t *c;
    FILE *out;
    long long total;
    mt_fr_t *fr;
    size_t n_fr, cap_fr;
    mt_ent_t *ent;
    an_xframe_t *x; /* scratch for one frame's expansion */
    int x_cap;
    int depth;      /* the level being sorted */
} mt_t;

/* ---- flattening ------------------------------------------------------------- */

/* Expand frame fi into m->x; its length, -1 on OOM. */
static int mt_expand(mt_t *m, int fi)
{
    int need = m->c->tree->frames[fi].inl_n + 1;
    if (need > m->x_cap) {
        an_xframe_t *x = realloc(m->x, (size_t)need * sizeof *x);
        if (!x)
            return -1;
        m->x = x;
        m->x_cap = need;
    }
    return an_tree_expand(m->c->tree, fi, m->x, need);
}

/* Append frame fi's expansion; 1 when it reached main, -1 on OOM. */
static int mt_push_frame(mt_t *m, int fi)
{
    int n = mt_expand(m, fi);
    if (n < 0)
        return -1;
    for (int pos = 0; pos < n; pos++) {
        if (m->n_fr == m->cap_fr) {
            size_t cap = m->cap_fr ? m->cap_fr * 2 : 1024;
            mt_fr_t *v = realloc(m->fr, cap * sizeof *v);
            if (!v)
                return -1;
            m->fr = v;
            m->cap_fr = cap;
        }
        m->fr[m->n_fr++] = (mt_fr_t){fi, pos};
        if (m->x[pos].f.function && !strcmp(m->x[pos].f.function, "main"))
            return 1;
    }
    return 0;
}

static int mt_flatten(mt_t *m, mt_ent_t *e, int node, char *err, size_t errlen)
{
    int steps = 0, r = 0;
    e->off = m->n_fr;
    for (int i = node; i >= 0 && r == 0; i = an_tree_parent(m->c->tree, i, err, errlen)) {
        if (++steps > (1 << 20)) {
            snprintf(err, errlen, "cycle in callsites (damaged database)");
            return -1;
        }
        if ((r = mt_push_frame(m, m->c->tree->nodes[i].frame)) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    e->len = (int)(m->n_fr - e->off);
    return 0;
}

/* ---- writing ---------------------------------------------------------------- */

static void mt_text(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static void mt_label(mt_t *m, const mt_fr_t *f)
{
    const an_tframe_t *tf = &m->c->tree->frames[f->fi];
    const an_frame_t *x;
    if (mt_expand(m, f->fi) <= f->pos) {
        fputs("???\n", m->out);
        return;
    }
    x = &m->x[f->pos].f;
    fprintf(m->out, "0x%llX: ", tf->rel_pc);
    mt_text(m->out, x->function ? x->function : "???");
    if (x->function && x->file) {
        fputs(" (", m->out);
        mt_text(m->out, an_fmt_base(x->file));
        if (x->line > 0)
            fprintf(m->out, ":%d", x->line);
        fputc(')', m->out);
    } else if (x->module) {
        fputs(" (in ", m->out);
        mt_text(m->out, x->module);
        fputc(')', m->out);
    }
    fputc('\n', m->out);
}

/* Sort key of entry e at depth d: LLONG_MAX when its stack ends above. */
static long long mt_key(const mt_t *m, const mt_ent_t *e, int d)
{
    if (e->len <= d)
        return 0x7fffffffffffffffLL;
    const mt_fr_t *f = &m->fr[e->off + (size_t)d];
    return ((long long)f->fi << 16) | f->pos;
}

static int mt_cmp_key(const void *a, const void *b, void *arg)
{
    const mt_t *m = arg;
    long long ka = mt_key(m, &m->ent[*(const size_t *)a], m->depth);
    long long kb = mt_key(m, &m->ent[*(const size_t *)b], m->depth);
    return ka < kb ? -1 : ka > kb;
}

static int mt_cmp_grp(const void *a, const void *b)
{
    const mt_grp_t *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The children of a level: runs of equal keys, largest first. */
static mt_grp_t *mt_groups(mt_t *m, size_t *idx, size_t n, int depth, size_t *ng)
{
    mt_grp_t *g = malloc((n ? n : 1) * sizeof *g);
    *ng = 0;
    if (!g)
        return NULL;
    m->depth = depth;
    qsort_r(idx, n, sizeof *idx, mt_cmp_key, m);
    for (size_t i = 0; i < n && m->ent[idx[i]].len > depth; i++) {
        long long k = mt_key(m, &m->ent[idx[i]], depth);
        if (*ng == 0 || mt_key(m, &m->ent[idx[g[*ng - 1].start]], depth) != k)
            g[(*ng)++] = (mt_grp_t){i, 0, 0};
        g[*ng - 1].n++;
        g[*ng - 1].bytes += m->ent[idx[i]].bytes;
    }
    qsort(g, *ng, sizeof *g, mt_cmp_grp);
    return g;
}

static int mt_node(mt_t *m, size_t *idx, size_t n, int depth, long long bytes,
                   const mt_fr_t *label)
{
    size_t ng, sig = 0;
    long long small = 0;
    mt_grp_t *g = mt_groups(m, idx, n, depth, &ng);
    if (!g)
        return -1;
    while (sig < ng && g[sig].bytes * 100 >= m->total)
        sig++;
    for (size_t i = sig; i < ng; i++)
        small += g[i].bytes;
    fprintf(m->out, "%*sn%zu: %lld ", depth, "", sig + (sig < ng), bytes);
    if (label)
        mt_label(m, label);
    else
        fputs("(heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n", m->out);
    for (size_t i = 0; i < sig; i++) {
        const mt_fr_t *f = &m->fr[m->ent[idx[g[i].start]].off + (size_t)depth];
        if (mt_node(m, idx + g[i].start, g[i].n, depth + 1, g[i].bytes, f) != 0) {
            free(g);
            return -1;
        }
    }
    if (sig < ng)
        fprintf(m->out, "%*sn0: %lld in %zu place%s, below massif's threshold (1.00%%)\n",
                depth + 1, "", small, ng - sig, ng - sig == 1 ? "" : "s");
    free(g);
    return 0;
}

static int mt_build(mt_t *m, const ms_site_t *sites, size_t n, size_t *idx, size_t *n_ent,
                    char *err, size_t errlen)
{
    *n_ent = 0;
    for (size_t i = 0; i < n; i++) {
        if (sites[i].bytes <= 0)
            continue;
        mt_ent_t *e = &m->ent[*n_ent];
        if (mt_flatten(m, e, sites[i].node, err, errlen) != 0)
            return -1;
        e->bytes = sites[i].bytes;
        idx[*n_ent] = *n_ent;
        ++*n_ent;
    }
    return 0;
}

int ms_tree_write(an_ctx_t *c, const ms_site_t *sites, size_t n, long long total, FILE *out,
                  char *err, size_t errlen)
{
    mt_t m = {.c = c, .out = out, .total = total};
    size_t *idx = malloc((n ? n : 1) * sizeof *idx), n_ent = 0;
    long long sum = 0;
    int rc = -1;
    m.ent = malloc((n ? n : 1) * sizeof *m.ent);
    if (!idx || !m.ent)
        snprintf(err, errlen, "out of memory");
    else if (mt_build(&m, sites, n, idx, &n_ent, err, errlen) == 0) {
        for (size_t i = 0; i < n_ent; i++)
            sum += m.ent[i].bytes;
        rc = mt_node(&m, idx, n_ent, 0, sum, NULL);
        if (rc != 0)
            snprintf(err, errlen, "out of memory");
    }
    free(idx);
    free(m.ent);
    free(m.fr);
    free(m.x);
    return rc;
}
