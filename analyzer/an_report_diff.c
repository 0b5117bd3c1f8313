/*
 * an_report_diff.c -- `report A.db diff B.db`: stacks matched between two
 * recordings by their symbolized frames (function name and source file
 * name of every frame, inlined ones included; never addresses, which move
 * between builds), with the change in allocations, bytes, peak and leaks,
 * sorted by the absolute change of --sort (default bytes).
 */
#include "an_report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_PEAK_SQL "SELECT max(peak_heap_bytes) FROM processes"

typedef struct diff_row_s {
    const char *sig;        /* pooled signature */
    an_stat_t st[2];        /* A, B */
    int node[2];            /* heaviest stack on each side, -1 */
} diff_row_t;

typedef struct diff_s {
    an_ctx_t *ctx[2];
    an_pool_t pool;
    an_map_t ix;
    diff_row_t *rows;
    size_t n, cap;
    char *buf;
    size_t size;
    an_stat_t total[2];
    long long peak[2];
    an_metric_t m;
} diff_t;

/* "function@file.c;caller@file.c;..." innermost first. */
static int diff_sig(diff_t *df, const an_stackbuf_t *b)
{
    size_t len = 0;
    for (int i = 0; i < b->n; i++) {
        const an_frame_t *f = &b->v[i].f;
        const char *fn = f->function ? f->function : "?";
        const char *where = f->file     ? an_fmt_base(f->file)
                            : f->module ? an_fmt_base(f->module)
                                        : "";
        size_t need = len + strlen(fn) + strlen(where) + 3;
        if (need > df->size) {
            char *p = realloc(df->buf, need * 2);
            if (!p)
                return -1;
            df->buf = p;
            df->size = need * 2;
        }
        len += (size_t)sprintf(df->buf + len, "%s%s@%s", i ? ";" : "", fn, where);
    }
    if (!df->buf && !(df->buf = calloc(1, df->size = 16)))
        return -1;
    df->buf[len] = '\0';
    return 0;
}

static int diff_row(diff_t *df, const char *sig)
{
    int oom = 0;
    const char *s = an_pool_intern(&df->pool, sig, &oom);
    if (oom)
        return -1;
    int r = an_map_get(&df->ix, (long long)(uintptr_t)s);
    if (r >= 0)
        return r;
    if (df->n == df->cap) {
        size_t cap = df->cap ? df->cap * 2 : 256;
        diff_row_t *v = realloc(df->rows, cap * sizeof *v);
        if (!v)
            return -1;
        df->rows = v;
        df->cap = cap;
    }
    memset(&df->rows[df->n], 0, sizeof *df->rows);
    df->rows[df->n].sig = s;
    df->rows[df->n].node[0] = df->rows[df->n].node[1] = -1;
    if (an_map_put(&df->ix, (long long)(uintptr_t)s, (int)df->n) != 0)
        return -1;
    return (int)df->n++;
}

static int diff_side(diff_t *df, int side, char *err, size_t errlen)
{
    an_ctx_t *c = df->ctx[side];
    for (size_t i = 0; i < c->n_stats; i++) {
        const an_stat_t *st = &c->stats[i];
        if (an_stat_zero(st))
            continue;
        if (an_ctx_stack(c, (int)i, err, errlen) != 0)
            return -1;
        if (!an_filter_stack(&c->o->filter, c->tree, &c->sb))
            continue;
        int r = diff_sig(df, &c->sb) == 0 ? diff_row(df, df->buf) : -1;
        if (r < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        diff_row_t *row = &df->rows[r];
        if (row->node[side] < 0 ||
            an_stat_metric(st, df->m) > an_stat_metric(&c->stats[row->node[side]], df->m))
            row->node[side] = (int)i;
        an_stat_add(&row->st[side], st);
        an_stat_add(&df->total[side], st);
    }
    return 0;
}

static long long diff_abs(const diff_row_t *r, an_metric_t m)
{
    long long d = an_sat_sub(an_stat_metric(&r->st[1], m), an_stat_metric(&r->st[0], m));
    return d == LLONG_MIN ? LLONG_MAX : d < 0 ? -d : d;
}

static int diff_cmp(const void *pa, const void *pb, void *arg)
{
    const diff_row_t *a = pa, *b = pb;
    an_metric_t m = *(const an_metric_t *)arg;
    long long da = diff_abs(a, m), db = diff_abs(b, m);
    if (da != db)
        return da > db ? -1 : 1;
    da = diff_abs(a, AN_M_BYTES);
    db = diff_abs(b, AN_M_BYTES);
    if (da != db)
        return da > db ? -1 : 1;
    return strcmp(a->sig, b->sig);
}

static int diff_changed(const diff_row_t *r)
{
    for (int m = AN_M_ALLOCS; m <= AN_M_LEAKED; m++)
        if (diff_abs(r, (an_metric_t)m))
            return 1;
    return 0;
}

static void diff_sort(diff_t *df)
{
    size_t keep = 0;
    for (size_t i = 0; i < df->n; i++)
        if (diff_changed(&df->rows[i]))
            df->rows[keep++] = df->rows[i];
    df->n = keep;
    if (df->n > 1)
        qsort_r(df->rows, df->n, sizeof *df->rows, diff_cmp, &df->m);
}

/* ---- output ---------------------------------------------------------------- */

/* "+1.50 KiB (+25.0%)", "new: 300 B", "gone: -300 B", "0". */
static const char *change_text(long long a, long long b, int bytes, char *buf, size_t len)
{
    char d[48], v[48];
    an_fmt_delta(an_sat_sub(b, a), bytes, d, sizeof d);
    if (a == b)
        snprintf(buf, len, "0");
    else if (a == 0)
        snprintf(buf, len, "new %s",
                 bytes ? an_fmt_bytes(b, v, sizeof v) : an_fmt_count(b, v, sizeof v));
    else if (b == 0)
        snprintf(buf, len, "gone %s", d);
    else
        snprintf(buf, len, "%s (%+.1f%%)", d, 100.0 * ((double)b - (double)a) / (double)a);
    return buf;
}

enum { DC_AA, DC_AB, DC_BA, DC_BB, DC_PA, DC_PB, DC_LA, DC_LB, DC_TA, DC_TB, DC_TP, DC_TL,
       DC_SITE };

static int diff_columns(an_table_t *t)
{
    static const char *const keys[8] = {"allocs_a", "allocs_b", "bytes_a", "bytes_b",
                                        "peak_bytes_a", "peak_bytes_b", "leaked_bytes_a",
                                        "leaked_bytes_b"};
    for (int i = 0; i < 8; i++)
        if (an_table_col(t, keys[i], keys[i], AN_C_INT, 1) < 0)
            return -1;
    return (an_table_col(t, "allocs_change", "Allocs", AN_C_TEXT, 2) < 0 ||
            an_table_col(t, "bytes_change", "Bytes", AN_C_TEXT, 2) < 0 ||
            an_table_col(t, "peak_change", "Peak", AN_C_TEXT, 2) < 0 ||
            an_table_col(t, "leaked_change", "Leaked", AN_C_TEXT, 2) < 0 ||
            an_table_col(t, "stack", "Call site", AN_C_STACK, 0) < 0) ? -1 : 0;
}

static int diff_add(diff_t *df, an_table_t *t, const diff_row_t *r, int frames, char *err,
                    size_t errlen)
{
    char buf[96];
    const an_stat_t *a = &r->st[0], *b = &r->st[1];
    int side = r->node[1] >= 0 ? 1 : 0;
    an_ctx_t *c = df->ctx[side];
    an_frame_t *fr;
    if (an_ctx_stack(c, r->node[side], err, errlen) != 0)
        return -1;
    if (an_table_row(t) != 0 || !(fr = an_ctx_frames(c)))
        goto oom;
    an_table_int(t, DC_AA, a->allocs); an_table_int(t, DC_AB, b->allocs);
    an_table_int(t, DC_BA, a->bytes); an_table_int(t, DC_BB, b->bytes);
    an_table_int(t, DC_PA, a->peak_bytes); an_table_int(t, DC_PB, b->peak_bytes);
    an_table_int(t, DC_LA, a->leaked_bytes); an_table_int(t, DC_LB, b->leaked_bytes);
    an_table_text(t, DC_TA, change_text(a->allocs, b->allocs, 0, buf, sizeof buf));
    an_table_text(t, DC_TB, change_text(a->bytes, b->bytes, 1, buf, sizeof buf));
    an_table_text(t, DC_TP, change_text(a->peak_bytes, b->peak_bytes, 1, buf, sizeof buf));
    an_table_text(t, DC_TL, change_text(a->leaked_bytes, b->leaked_bytes, 1, buf, sizeof buf));
    int rc = an_table_stack(t, DC_SITE, fr, c->sb.n, frames);
    free(fr);
    if (rc == 0)
        return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

static void diff_totals_text(an_ctx_t *c, diff_t *df)
{
    char a[48], b[48], d[96];
    static const char *const names[] = {"allocations", "bytes", "peak heap", "leaked"};
    long long v[4][2];
    for (int s = 0; s < 2; s++) {
        v[0][s] = df->total[s].allocs;
        v[1][s] = df->total[s].bytes;
        v[2][s] = df->peak[s];
        v[3][s] = df->total[s].leaked_bytes;
    }
    fprintf(c->out, "diff %s -> %s (stacks matched by function and file names)\n",
            c->o->db_path, c->o->other_path);
    fprintf(c->out, "  %-12s %14s %14s  %s\n", "", "A", "B", "change");
    for (int i = 0; i < 4; i++)
        fprintf(c->out, "  %-12s %14s %14s  %s\n", names[i],
                i ? an_fmt_bytes(v[i][0], a, sizeof a) : an_fmt_count(v[i][0], a, sizeof a),
                i ? an_fmt_bytes(v[i][1], b, sizeof b) : an_fmt_count(v[i][1], b, sizeof b),
                change_text(v[i][0], v[i][1], i > 0, d, sizeof d));
}

static void diff_totals_json(an_ctx_t *c, diff_t *df)
{
    static const char *const side[2] = {"a", "b"};
    an_json_str(&c->json, "database_b", c->o->other_path);
    an_json_str(&c->json, "sort", an_metric_name(df->m));
    for (int s = 0; s < 2; s++) {
        an_json_obj(&c->json, side[s]);
        an_json_int(&c->json, "allocs", df->total[s].allocs);
        an_json_int(&c->json, "bytes", df->total[s].bytes);
        an_json_int(&c->json, "peak_heap_bytes", df->peak[s]);
        an_json_int(&c->json, "leaked_bytes", df->total[s].leaked_bytes);
        an_json_end(&c->json, '}');
    }
    an_json_int(&c->json, "changed_stacks", (long long)df->n);
}

static int diff_write(diff_t *df, char *err, size_t errlen)
{
    an_ctx_t *c = df->ctx[0];
    size_t limit = c->o->top > 0 ? (size_t)c->o->top : c->o->top < 0 ? (size_t)-1 : 20;
    an_table_t *t = an_table_new();
    if (!t || diff_columns(t) != 0) {
        an_table_free(t);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < df->n && i < limit; i++)
        if (diff_add(df, t, &df->rows[i], c->o->frames > 0 ? c->o->frames : 3, err, errlen)) {
            an_table_free(t);
            return -1;
        }
    an_ctx_begin(c, "diff");
    if (c->o->format == AN_FMT_TEXT) {
        diff_totals_text(c, df);
        fprintf(c->out, "\n%zu stack%s changed%s", df->n, df->n == 1 ? "" : "s",
                df->n ? "" : "\n");
        if (df->n)
            fprintf(c->out, "; top %zu by change in %s\n", an_table_rows(t), an_metric_name(df->m));
    } else if (c->o->format == AN_FMT_JSON) {
        diff_totals_json(c, df);
    }
    if (c->o->format != AN_FMT_TEXT || df->n)
        an_table_write(t, c->o->format, c->out, &c->json, "rows", 0);
    an_ctx_end(c);
    an_table_free(t);
    return 0;
}

int an_report_diff(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t a, b;
    diff_t df;
    int rc = -1;
    memset(&df, 0, sizeof df);
    memset(&b, 0, sizeof b);
    df.ctx[0] = &a;
    df.ctx[1] = &b;
    df.m = o->metric == AN_M_TEMPORARY ? AN_M_BYTES : o->metric;
    if (!o->other) {
        snprintf(err, errlen, "report diff needs a second database");
        return -1;
    }
    if (an_ctx_open(&a, d, o, out, 1, err, errlen) == 0 && an_ctx_stats(&a, 0, err, errlen) == 0 &&
        an_ctx_open(&b, o->other, o, out, 1, err, errlen) == 0 &&
        an_ctx_stats(&b, 0, err, errlen) == 0 && diff_side(&df, 0, err, errlen) == 0 &&
        diff_side(&df, 1, err, errlen) == 0 &&
        an_db_int64(d, DIFF_PEAK_SQL, 0, &df.peak[0], err, errlen) == 0 &&
        an_db_int64(o->other, DIFF_PEAK_SQL, 0, &df.peak[1], err, errlen) == 0) {
        diff_sort(&df);
        rc = diff_write(&df, err, errlen);
    }
    an_pool_free(&df.pool);
    an_map_free(&df.ix);
    free(df.rows);
    free(df.buf);
    an_ctx_close(&b);
    an_ctx_close(&a);
    return rc;
}
