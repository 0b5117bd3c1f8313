/*
 * tui_model_snap.c -- the analysis snapshot (tui_model.h): the report
 * context of the analyzer (an_ctx_open with every callsite, an_ctx_stats:
 * callsite_stats when the recording is complete and no time range is set,
 * else one scan of allocations), then the list of stacks, the leaks and
 * both call trees.  The tree and the figures are taken over from the
 * context so that they outlive its read transaction.
 */
#include "tui_model.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "an_report_supp.h"

static double snap_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int snap_window(an_report_opts_t *o, const tui_snap_req_t *r, char *from, char *to,
                       size_t len, char *err, size_t errlen)
{
    if (!r || !r->window)
        return 0;
    snprintf(from, len, "%.9f", (double)r->from_ns / 1e9);
    snprintf(to, len, "%.9f", (double)r->to_ns / 1e9);
    if (an_filter_time(&o->filter, 0, from, err, errlen) != 0 ||
        an_filter_time(&o->filter, 1, to, err, errlen) != 0)
        return -1;
    return 0;
}

static int snap_site(tui_snap_t *s, an_ctx_t *c, int node, char *err, size_t errlen)
{
    tui_site_t *t = &s->sites[s->nsites];
    const an_xframe_t *x;
    if (an_ctx_stack(c, node, err, errlen) != 0)
        return -1;
    memset(t, 0, sizeof *t);
    t->node = node;
    t->callsite = c->tree->nodes[node].id;
    t->frame = c->tree->nodes[node].frame;
    if (c->sb.n > 0) {
        x = &c->sb.v[0];
        t->function = x->f.function;
        t->file = x->f.file;
        t->line = x->f.line;
        t->frame = x->frame;
    }
    if (c->sb.n > 1)
        t->caller = c->sb.v[1].f.function;
    if (c->stats[node].leaked_blocks > 0)
        t->runtime = an_supp_runtime(c->tree, &c->sb);
    s->nsites++;
    return 0;
}

static int snap_sites(tui_snap_t *s, an_ctx_t *c, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_stats; i++)
        n += !an_stat_zero(&c->stats[i]);
    s->sites = malloc((n ? n : 1) * sizeof *s->sites);
    s->leaks = malloc((n ? n : 1) * sizeof *s->leaks);
    if (!s->sites || !s->leaks) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < c->n_stats; i++) {
        if (an_stat_zero(&c->stats[i]))
            continue;
        an_stat_add(&s->total, &c->stats[i]);
        if (snap_site(s, c, (int)i, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int leak_cmp(const void *pa, const void *pb, void *arg)
{
    const tui_snap_t *s = arg;
    const an_stat_t *a = &s->stats[s->sites[*(const int *)pa].node];
    const an_stat_t *b = &s->stats[s->sites[*(const int *)pb].node];
    if (a->leaked_bytes != b->leaked_bytes)
        return a->leaked_bytes > b->leaked_bytes ? -1 : 1;
    if (a->leaked_blocks != b->leaked_blocks)
        return a->leaked_blocks > b->leaked_blocks ? -1 : 1;
    return *(const int *)pa - *(const int *)pb;
}

/* Stacks with leaked blocks, biggest first; runtime one-time allocations
 * are counted apart (the view lists them on request). */
static void snap_leaks(tui_snap_t *s)
{
    for (size_t i = 0; i < s->nsites; i++) {
        const an_stat_t *st = &s->stats[s->sites[i].node];
        if (st->leaked_blocks <= 0)
            continue;
        s->leaks[s->nleaks++] = (int)i;
        if (s->sites[i].runtime) {
            an_stat_add(&s->leak_runtime, st);
            s->leak_runtime_stacks++;
        } else {
            an_stat_add(&s->leak_shown, st);
        }
    }
    if (s->nleaks > 1)
        qsort_r(s->leaks, s->nleaks, sizeof *s->leaks, leak_cmp, s);
}

static int snap_fill(an_db_t *d, const tui_snap_req_t *r, tui_snap_t *s, char *err, size_t errlen)
{
    an_report_opts_t o;
    an_ctx_t c;
    char from[64], to[64];
    int rc = -1;
    an_report_opts_init(&o);
    memset(&c, 0, sizeof c);
    if (snap_window(&o, r, from, to, sizeof from, err, errlen) != 0)
        goto done;
    if (an_ctx_open(&c, d, &o, NULL, 1, err, errlen) != 0 ||
        tui_state_read(d, &s->state, err, errlen) != 0 || an_ctx_stats(&c, 0, err, errlen) != 0)
        goto done;
    s->window = o.filter.window;
    s->from_ns = o.filter.from_ns;
    s->to_ns = o.filter.to_ns;
    s->scanned = c.scanned;
    s->unknown_node = c.unknown_node;
    /* the tree and the figures are the snapshot's from here on */
    s->tree = c.tree;
    s->stats = c.stats;
    s->n_stats = c.n_stats;
    if (snap_sites(s, &c, err, errlen) != 0)
        goto done;
    rc = 0;
done:
    if (s->tree == c.tree) /* taken over; otherwise the context frees them */
        c.tree = NULL;
    if (s->stats == c.stats)
        c.stats = NULL;
    if (c.d)
        an_ctx_close(&c);
    an_report_opts_free(&o);
    return rc;
}

int tui_snap_build(an_db_t *d, const tui_snap_req_t *r, tui_snap_t **out, char *err,
                   size_t errlen)
{
    double t0 = snap_now_ms();
    tui_snap_t *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    atomic_init(&s->refs, 1);
    if (snap_fill(d, r, s, err, errlen) == 0)
        snap_leaks(s);
    else
        goto fail;
    if (tui_ctree_build(s, 0, &s->td, err, errlen) != 0 ||
        tui_ctree_build(s, 1, &s->bu, err, errlen) != 0)
        goto fail;
    s->build_ms = snap_now_ms() - t0;
    *out = s;
    return 0;
fail:
    tui_snap_unref(s);
    return -1;
}

tui_snap_t *tui_snap_ref(tui_snap_t *s)
{
    if (s)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

void tui_snap_unref(tui_snap_t *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    tui_ctree_free(&s->td);
    tui_ctree_free(&s->bu);
    an_tree_free(s->tree);
    free(s->stats);
    free(s->sites);
    free(s->leaks);
    free(s);
}

int tui_snap_stack(const tui_snap_t *s, int node, an_stackbuf_t *b, char *err, size_t errlen)
{
    if (node < 0 || (size_t)node >= s->tree->n_nodes) {
        snprintf(err, errlen, "no such stack");
        return -1;
    }
    /* a fully loaded tree: the walk only reads */
    return an_tree_stack(s->tree, node, b, err, errlen);
}
