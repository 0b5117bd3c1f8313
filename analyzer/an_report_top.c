/*
 * an_report_top.c -- `report top`: functions ranked by a metric, like
 * heaptrack's top lists.  Self: the function of the innermost frame (after
 * inline expansion) of each allocation.  Inclusive: every function on the
 * stack, each counted once per allocation even when recursion puts it on
 * the stack several times.  Rows are keyed by function name and module
 * (unknown functions by their frame).  Each row shows the function's frame
 * in its heaviest stack followed by that stack's callers.
 */
#include "an_report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct top_build_s {
    an_ctx_t *c;
    an_top_t *top;
    an_map_t by_func, by_frame;
    an_metric_t m;
} top_build_t;

static int top_new_row(an_top_t *top, const an_xframe_t *x)
{
    if (top->n == top->cap) {
        size_t cap = top->cap ? top->cap * 2 : 256;
        an_toprow_t *v = realloc(top->rows, cap * sizeof *v);
        if (!v)
            return -1;
        top->rows = v;
        top->cap = cap;
    }
    an_toprow_t *r = &top->rows[top->n];
    memset(r, 0, sizeof *r);
    r->function = x->f.function;
    r->module = x->module;
    r->frame = x->frame;
    r->best_leaf = r->last_leaf = -1;
    r->next = -1;
    return (int)top->n++;
}

/* The row of x's function, created on first sight; -1 out of memory. */
static int top_row(top_build_t *b, const an_xframe_t *x)
{
    an_map_t *m = x->f.function ? &b->by_func : &b->by_frame;
    long long key = x->f.function ? (long long)(uintptr_t)x->f.function : x->frame;
    int first = an_map_get(m, key), r = first, prev = -1;
    for (; r >= 0; prev = r, r = b->top->rows[r].next)
        if (b->top->rows[r].module == x->module)
            return r;
    if ((r = top_new_row(b->top, x)) < 0)
        return -1;
    if (prev >= 0)
        b->top->rows[prev].next = r;
    else if (an_map_put(m, key, r) != 0)
        return -1;
    return r;
}

static void top_credit(top_build_t *b, int r, int leaf, int pos)
{
    an_toprow_t *row = &b->top->rows[r];
    const an_stat_t *st = &b->c->stats[leaf];
    long long v = an_stat_metric(st, b->m);
    an_stat_add(&row->st, st);
    row->n_stacks++;
    row->last_leaf = leaf;
    if (row->best_leaf < 0 || v > row->best_val) {
        row->best_leaf = leaf;
        row->best_pos = pos;
        row->best_val = v;
    }
}

/* One leaf: 1 when it counted somewhere, 0 when filtered out, -1 OOM. */
static int top_leaf(top_build_t *b, int leaf, int inclusive)
{
    an_ctx_t *c = b->c;
    an_filter_t *f = &c->o->filter;
    int counted = 0, n = inclusive ? c->sb.n : (c->sb.n > 0);
    for (int k = 0; k < n; k++) {
        if (!an_filter_frame(f, c->tree, &c->sb.v[k]))
            continue;
        int r = top_row(b, &c->sb.v[k]);
        if (r < 0)
            return -1;
        if (b->top->rows[r].last_leaf != leaf)
            top_credit(b, r, leaf, k);
        counted = 1;
    }
    return counted;
}

static int top_cmp(const void *pa, const void *pb, void *arg)
{
    const an_toprow_t *a = pa, *b = pb;
    an_metric_t m = *(const an_metric_t *)arg;
    long long va = an_stat_metric(&a->st, m);
    long long vb = an_stat_metric(&b->st, m);
    if (va != vb)
        return va > vb ? -1 : 1;
    if (a->st.allocs != b->st.allocs)
        return a->st.allocs > b->st.allocs ? -1 : 1;
    if (a->best_pos != b->best_pos) /* a tie: the frame nearer the allocation first */
        return a->best_pos - b->best_pos;
    if (a->function && b->function)
        return strcmp(a->function, b->function);
    return (a->function == NULL) - (b->function == NULL);
}

/* Rows whose metric is zero say nothing about that metric: dropped. */
static void top_sort(an_top_t *top, an_metric_t m)
{
    size_t keep = 0;
    for (size_t i = 0; i < top->n; i++)
        if (an_stat_metric(&top->rows[i].st, m) != 0)
            top->rows[keep++] = top->rows[i];
    top->n = keep;
    if (top->n > 1)
        qsort_r(top->rows, top->n, sizeof *top->rows, top_cmp, &m);
}

int an_top_compute(an_ctx_t *c, an_metric_t m, int inclusive, an_top_t *top, char *err,
                   size_t errlen)
{
    top_build_t b = {.c = c, .top = top, .m = m};
    int rc = 0;
    memset(top, 0, sizeof *top);
    for (size_t i = 0; i < c->n_stats && rc == 0; i++) {
        if (an_stat_zero(&c->stats[i]))
            continue;
        if ((inclusive ? an_ctx_stack(c, (int)i, err, errlen)
                       : an_ctx_leaf(c, (int)i, err, errlen)) != 0) {
            rc = -1;
            break;
        }
        int counted = top_leaf(&b, (int)i, inclusive);
        if (counted < 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        } else if (counted) {
            an_stat_add(&top->total, &c->stats[i]);
            top->leaves++;
        }
    }
    an_map_free(&b.by_func);
    an_map_free(&b.by_frame);
    if (rc == 0)
        top_sort(top, m);
    return rc;
}

void an_top_free(an_top_t *top)
{
    if (top) {
        free(top->rows);
        memset(top, 0, sizeof *top);
    }
}

/* ---- output -------------------------------------------------------------- */

enum { TC_RANK, TC_ALLOCS, TC_BYTES, TC_PEAK, TC_LEAKED, TC_TEMP, TC_PEAKB, TC_LEAKB, TC_FREES,
       TC_FAILED, TC_STACKS, TC_FUNC, TC_SITE };

static int top_columns(an_table_t *t)
{
    return (an_table_col(t, "rank", "#", AN_C_INT, 0) < 0 ||
            an_table_col(t, "allocs", "Allocs", AN_C_INT, 0) < 0 ||
            an_table_col(t, "bytes", "Bytes", AN_C_BYTES, 0) < 0 ||
            an_table_col(t, "peak_bytes", "Peak", AN_C_BYTES, 0) < 0 ||
            an_table_col(t, "leaked_bytes", "Leaked", AN_C_BYTES, 0) < 0 ||
            an_table_col(t, "temporary", "Temporary", AN_C_INT, 0) < 0 ||
            an_table_col(t, "peak_blocks", "Peak blocks", AN_C_INT, 1) < 0 ||
            an_table_col(t, "leaked_blocks", "Leaked blocks", AN_C_INT, 1) < 0 ||
            an_table_col(t, "frees", "Frees", AN_C_INT, 1) < 0 ||
            an_table_col(t, "failed", "Failed", AN_C_INT, 1) < 0 ||
            an_table_col(t, "stacks", "Stacks", AN_C_INT, 1) < 0 ||
            an_table_col(t, "function", "Function", AN_C_TEXT, 1) < 0 ||
            an_table_col(t, "callsite", "Function / call site", AN_C_STACK, 0) < 0)
               ? -1 : 0;
}

static int top_add_row(an_ctx_t *c, an_table_t *t, const an_toprow_t *r, size_t rank,
                       int frames, char *err, size_t errlen)
{
    char label[1024];
    an_frame_t *fr;
    if (an_ctx_stack(c, r->best_leaf, err, errlen) != 0)
        return -1;
    if (!(fr = an_ctx_frames(c)) || an_table_row(t) != 0) {
        free(fr);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    an_table_int(t, TC_RANK, (long long)rank);
    an_table_int(t, TC_ALLOCS, r->st.allocs);
    an_table_int(t, TC_BYTES, r->st.bytes);
    an_table_int(t, TC_PEAK, r->st.peak_bytes);
    an_table_int(t, TC_LEAKED, r->st.leaked_bytes);
    an_table_int(t, TC_TEMP, r->st.temporary);
    an_table_int(t, TC_PEAKB, r->st.peak_blocks);
    an_table_int(t, TC_LEAKB, r->st.leaked_blocks);
    an_table_int(t, TC_FREES, r->st.frees);
    an_table_int(t, TC_FAILED, r->st.failed);
    an_table_int(t, TC_STACKS, r->n_stacks);
    an_table_text(t, TC_FUNC, r->function ? r->function
                                          : an_frame_label(&fr[r->best_pos], label, sizeof label));
    int rc = an_table_stack(t, TC_SITE, fr + r->best_pos, c->sb.n - r->best_pos, frames);
    free(fr);
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    return rc;
}

an_table_t *an_top_table(an_ctx_t *c, an_top_t *top, size_t limit, int frames, char *err,
                         size_t errlen)
{
    an_table_t *t = an_table_new();
    if (!t || top_columns(t) != 0) {
        an_table_free(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < top->n && i < limit; i++)
        if (top_add_row(c, t, &top->rows[i], i + 1, frames, err, errlen) != 0) {
            an_table_free(t);
            return NULL;
        }
    return t;
}

/* ---- the report ---------------------------------------------------------- */

static void top_text_head(an_ctx_t *c, const an_top_t *top, size_t shown)
{
    char w[128], a[32], b[32], p[32], l[32];
    an_ctx_window_text(c, w, sizeof w);
    fprintf(c->out, "top %zu of %zu functions by %s (%s)%s\n", shown, top->n,
            an_metric_name(c->o->metric), c->o->inclusive ? "inclusive" : "self", w);
    fprintf(c->out, "all call sites: %s allocations, %s; peak %s; leaked %s; %s temporary\n\n",
            an_fmt_count(top->total.allocs, a, sizeof a),
            an_fmt_bytes(top->total.bytes, b, sizeof b),
            an_fmt_bytes(top->total.peak_bytes, p, sizeof p),
            an_fmt_bytes(top->total.leaked_bytes, l, sizeof l),
            an_fmt_count(top->total.temporary, w, sizeof w));
}

static void top_json_head(an_ctx_t *c, const an_top_t *top)
{
    an_json_t *j = &c->json;
    an_json_str(j, "sort", an_metric_name(c->o->metric));
    an_json_bool(j, "inclusive", c->o->inclusive);
    if (c->o->filter.window) {
        an_json_int(j, "from_ns", c->o->filter.from_ns);
        an_json_int(j, "to_ns", c->o->filter.to_ns);
    }
    an_json_int(j, "functions", (long long)top->n);
    an_json_obj(j, "total");
    an_json_int(j, "allocs", top->total.allocs);
    an_json_int(j, "bytes", top->total.bytes);
    an_json_int(j, "peak_bytes", top->total.peak_bytes);
    an_json_int(j, "leaked_bytes", top->total.leaked_bytes);
    an_json_int(j, "temporary", top->total.temporary);
    an_json_end(j, '}');
}

int an_report_top(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    an_top_t top = {0};
    an_table_t *t = NULL;
    int rc = -1;
    size_t limit = o->top > 0 ? (size_t)o->top : o->top < 0 ? (size_t)-1 : 10;
    if (an_ctx_open(&c, d, o, out, o->inclusive, err, errlen) != 0 ||
        an_ctx_stats(&c, 0, err, errlen) != 0 ||
        an_top_compute(&c, o->metric, o->inclusive, &top, err, errlen) != 0 ||
        !(t = an_top_table(&c, &top, limit, o->frames > 0 ? o->frames : 3, err, errlen)))
        goto done;
    an_ctx_begin(&c, "top");
    if (o->format == AN_FMT_TEXT)
        top_text_head(&c, &top, an_table_rows(t));
    else if (o->format == AN_FMT_JSON)
        top_json_head(&c, &top);
    if (o->format == AN_FMT_TEXT && an_table_rows(t) == 0)
        fprintf(out, "no call site has a %s figure%s\n", an_metric_name(o->metric),
                an_filter_any_regex(&o->filter) ? " matching the filters" : "");
    else
        an_table_write(t, o->format, out, &c.json, "rows", 0);
    an_ctx_end(&c);
    rc = 0;
done:
    an_table_free(t);
    an_top_free(&top);
    an_ctx_close(&c);
    return rc;
}
