/*
 * an_report_hist.c -- `report histogram`: allocation sizes in power-of-two
 * buckets and lifetimes in power-of-ten buckets (<1 us ... >=10 s, never
 * freed), for every allocation or those under --callsite ID (the callsite
 * and everything it calls) or with a frame matching --function/--file/
 * --module.  One scan of allocations.  Text draws bars sized to the
 * terminal width.
 */
#include "an_report_int.h"

#include <stdlib.h>
#include <string.h>

#define HIST_SIZES 65    /* [0] size 0, [k] sizes in [2^(k-1), 2^k) */
#define HIST_LIFES 10
#define HIST_MAX_STEPS 65536 /* leaf to root; more is a cycle (stacks are <= 1024 frames) */

static const char *const life_label[HIST_LIFES] = {
    "< 1 us", "1 - 10 us", "10 - 100 us", "100 us - 1 ms", "1 - 10 ms", "10 - 100 ms",
    "100 ms - 1 s", "1 - 10 s", ">= 10 s", "never freed"};

typedef struct hist_s {
    an_ctx_t *c;
    signed char *want;  /* per node: -1 unknown, 0 no, 1 yes */
    long long callsite_node;
    long long size_n[HIST_SIZES], size_b[HIST_SIZES];
    long long life_n[HIST_LIFES], life_b[HIST_LIFES];
    long long count, bytes;
} hist_t;

static int size_bucket(long long size)
{
    if (size <= 0)
        return 0;
    int k = 64 - __builtin_clzll((unsigned long long)size); /* 2^(k-1) <= size < 2^k */
    return k < HIST_SIZES - 1 ? k : HIST_SIZES - 2;
}

static int life_bucket(long long ns)
{
    long long lim = 1000;
    int k = 0;
    if (ns < 0)
        return HIST_LIFES - 1;
    while (k < 8 && ns >= lim) {
        lim *= 10;
        k++;
    }
    return k;
}

/* Is node i (an allocation's callsite) selected?  Memoised per node. */
static int hist_wanted(hist_t *h, int i, char *err, size_t errlen)
{
    an_ctx_t *c = h->c;
    if (h->want[i] >= 0)
        return h->want[i];
    int yes = 1;
    if (h->callsite_node >= 0) {
        int steps = 0;
        yes = 0;
        for (int p = i; p >= 0 && !yes; p = c->tree->nodes[p].parent) {
            if (++steps > HIST_MAX_STEPS) { /* a parent_id cycle */
                snprintf(err, errlen, "cycle in callsites at id %lld (damaged database)",
                         c->tree->nodes[i].id);
                return -1;
            }
            yes = p == h->callsite_node;
        }
    }
    if (yes && an_filter_any_regex(&c->o->filter)) {
        if (an_ctx_stack(c, i, err, errlen) != 0)
            return -1;
        yes = an_filter_stack(&c->o->filter, c->tree, &c->sb);
    }
    h->want[i] = (signed char)yes;
    return yes;
}

static int hist_row(const an_arow_t *r, void *arg, char *err, size_t errlen)
{
    hist_t *h = arg;
    int w;
    if (!an_filter_in_window(&h->c->o->filter, r->alloc_ns))
        return 0;
    if ((w = hist_wanted(h, r->node, err, errlen)) <= 0)
        return w;
    int s = size_bucket(r->size);
    int l = life_bucket(r->free_ns < 0 ? -1 : r->free_ns - r->alloc_ns);
    h->size_n[s] = an_sat_add(h->size_n[s], r->n); /* weighed in a sampled recording */
    h->size_b[s] = an_sat_add(h->size_b[s], r->bytes);
    h->life_n[l] = an_sat_add(h->life_n[l], r->n);
    h->life_b[l] = an_sat_add(h->life_b[l], r->bytes);
    h->count = an_sat_add(h->count, r->n);
    h->bytes = an_sat_add(h->bytes, r->bytes);
    return 0;
}

static int hist_collect(an_ctx_t *c, hist_t *h, char *err, size_t errlen)
{
    memset(h, 0, sizeof *h);
    h->c = c;
    h->callsite_node = -1;
    if (c->aggregate)
        return an_ctx_no_rows(c, "histograms", err, errlen);
    if (c->o->callsite >= 0) {
        h->callsite_node = an_map_get(&c->tree->node_ix, c->o->callsite);
        if (h->callsite_node < 0) {
            snprintf(err, errlen, "no callsite with id %lld", c->o->callsite);
            return -1;
        }
    }
    if (!(h->want = malloc(c->tree->n_nodes ? c->tree->n_nodes : 1))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memset(h->want, 0xff, c->tree->n_nodes);
    int rc = an_scan(c, hist_row, h, err, errlen);
    free(h->want);
    h->want = NULL;
    return rc;
}

/* ---- output ---------------------------------------------------------------- */

/* 2^k in the largest unit that keeps it whole: "512 B", "4 KiB", "1 MiB". */
static void pow2_text(int k, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    snprintf(buf, len, "%llu %s", 1ull << (k % 10), units[k / 10]);
}

/* Bucket k holds sizes in [2^(k-1), 2^k); bucket 0 size 0. */
static void size_label(int k, char *buf, size_t len)
{
    char lo[24], hi[24];
    if (k == 0) {
        snprintf(buf, len, "0 B");
        return;
    }
    pow2_text(k - 1, lo, sizeof lo);
    pow2_text(k, hi, sizeof hi);
    snprintf(buf, len, "[%s, %s)", lo, hi);
}

static void bar_line(FILE *f, const char *label, int lw, long long n, long long b,
                     long long total, long long max, int width)
{
    char cn[32], cb[32], pct[32];
    int room = width - lw - 33, len; /* 33: the figures and the blanks between */
    if (room < 4)
        room = 4;
    len = max > 0 ? (int)((double)n / (double)max * room + 0.5) : 0;
    if (n > 0 && len == 0)
        len = 1;
    fprintf(f, "  %*s %10s %10s %6s%s", lw, label, an_fmt_count(n, cn, sizeof cn),
            an_fmt_bytes(b, cb, sizeof cb), an_fmt_pct((double)n, (double)total, pct, sizeof pct),
            len ? "  " : "");
    for (int i = 0; i < len; i++)
        fputc('#', f);
    fputc('\n', f);
}

static void hist_range(const hist_t *h, int *lo, int *hi)
{
    *lo = 0;
    *hi = -1;
    for (int k = 0; k < HIST_SIZES; k++)
        if (h->size_n[k]) {
            if (*hi < 0)
                *lo = k;
            *hi = k;
        }
}

static void hist_text(an_ctx_t *c, const hist_t *h)
{
    char label[64], a[32], b[32], w[160];
    int lo, hi, width = c->o->width > 0 ? c->o->width : 80;
    long long max = 0;
    hist_range(h, &lo, &hi);
    an_ctx_window_text(c, w, sizeof w);
    fprintf(c->out, "%s allocations, %s%s\n", an_fmt_count(h->count, a, sizeof a),
            an_fmt_bytes(h->bytes, b, sizeof b), w);
    if (h->count == 0)
        return;
    fprintf(c->out, "\nsizes\n  %18s %10s %10s\n", "", "count", "bytes");
    for (int k = lo; k <= hi; k++)
        max = h->size_n[k] > max ? h->size_n[k] : max;
    for (int k = lo; k <= hi; k++) {
        size_label(k, label, sizeof label);
        bar_line(c->out, label, 18, h->size_n[k], h->size_b[k], h->count, max, width);
    }
    max = 0;
    for (int k = 0; k < HIST_LIFES; k++)
        max = h->life_n[k] > max ? h->life_n[k] : max;
    fprintf(c->out, "\nlifetimes\n  %18s %10s %10s\n", "", "count", "bytes");
    for (int k = 0; k < HIST_LIFES; k++)
        bar_line(c->out, life_label[k], 18, h->life_n[k], h->life_b[k], h->count, max, width);
}

static long long life_bound(int k)
{
    long long v = 1000;
    for (int i = 0; i < k; i++)
        v *= 10;
    return v;
}

static void hist_json(an_ctx_t *c, const hist_t *h)
{
    an_json_t *j = &c->json;
    int lo, hi;
    hist_range(h, &lo, &hi);
    an_json_int(j, "allocs", h->count);
    an_json_int(j, "bytes", h->bytes);
    an_json_arr(j, "sizes");
    for (int k = lo; k <= hi; k++) {
        an_json_obj(j, NULL);
        an_json_int(j, "from", k ? (long long)(1ull << (k - 1)) : 0);
        an_json_int(j, "below", k ? (long long)(1ull << (k < 63 ? k : 62)) : 1);
        an_json_int(j, "count", h->size_n[k]);
        an_json_int(j, "bytes", h->size_b[k]);
        an_json_end(j, '}');
    }
    an_json_end(j, ']');
    an_json_arr(j, "lifetimes");
    for (int k = 0; k < HIST_LIFES; k++) {
        an_json_obj(j, NULL);
        an_json_str(j, "label", life_label[k]);
        an_json_opt(j, "from_ns", k == HIST_LIFES - 1 ? -1 : k ? life_bound(k - 1) : 0);
        an_json_opt(j, "below_ns", k >= HIST_LIFES - 2 ? -1 : life_bound(k));
        an_json_int(j, "count", h->life_n[k]);
        an_json_int(j, "bytes", h->life_b[k]);
        an_json_end(j, '}');
    }
    an_json_end(j, ']');
}

static void hist_csv(an_ctx_t *c, const hist_t *h)
{
    char label[64];
    int lo, hi;
    hist_range(h, &lo, &hi);
    fputs("histogram,bucket,from,below,count,bytes\n", c->out);
    for (int k = lo; k <= hi; k++) {
        size_label(k, label, sizeof label);
        fprintf(c->out, "size,");
        an_csv_str(c->out, label, 0);
        fprintf(c->out, "%lld,%lld,%lld,%lld\n", k ? (long long)(1ull << (k - 1)) : 0,
                k ? (long long)(1ull << (k < 63 ? k : 62)) : 1, h->size_n[k], h->size_b[k]);
    }
    for (int k = 0; k < HIST_LIFES; k++) {
        fprintf(c->out, "lifetime,");
        an_csv_str(c->out, life_label[k], 0);
        if (k == HIST_LIFES - 1)
            fprintf(c->out, ",,");
        else if (k == HIST_LIFES - 2)
            fprintf(c->out, "%lld,,", life_bound(k - 1));
        else
            fprintf(c->out, "%lld,%lld,", k ? life_bound(k - 1) : 0, life_bound(k));
        fprintf(c->out, "%lld,%lld\n", h->life_n[k], h->life_b[k]);
    }
}

int an_report_hist(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    hist_t h;
    int rc = -1;
    if (an_ctx_open(&c, d, o, out, 1, err, errlen) == 0 && hist_collect(&c, &h, err, errlen) == 0) {
        an_ctx_begin(&c, "histogram");
        if (o->format == AN_FMT_TEXT)
            hist_text(&c, &h);
        else if (o->format == AN_FMT_JSON)
            hist_json(&c, &h);
        else
            hist_csv(&c, &h);
        an_ctx_end(&c);
        rc = 0;
    }
    an_ctx_close(&c);
    return rc;
}
