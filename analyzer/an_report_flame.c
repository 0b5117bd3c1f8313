/*
 * an_report_flame.c -- `report flamegraph`: folded stacks, one line per
 * distinct stack, outermost frame first:
 *     main;parse;xmalloc 12345
 * as flamegraph.pl, inferno and speedscope read them.  Frames are function
 * names (module+0xoffset when unknown), inlined functions included; ';'
 * inside a name becomes ':' and whitespace a plain space, so each line
 * splits unambiguously.  Stacks with the same names are merged.  Lines are
 * sorted, so the output is deterministic.
 */
#include "an_report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct flame_row_s {
    const char *folded; /* pooled */
    long long value;
} flame_row_t;

typedef struct flame_s {
    an_pool_t pool;
    an_map_t ix;        /* pooled string -> row */
    flame_row_t *rows;
    size_t n, cap;
    char *buf;          /* the folded line being built */
    size_t len, size;
} flame_t;

static int buf_put(flame_t *f, const char *s, int raw)
{
    size_t n = strlen(s);
    if (f->len + n + 2 > f->size) {
        size_t size = (f->len + n + 2) * 2;
        char *b = realloc(f->buf, size);
        if (!b)
            return -1;
        f->buf = b;
        f->size = size;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!raw)
            ch = ch == ';' ? ':' : (ch == '\n' || ch == '\r' || ch == '\t') ? ' '
               : ((unsigned char)ch < 0x20 || ch == 0x7f) ? '?' : ch; /* no terminal escapes */
        f->buf[f->len++] = ch;
    }
    f->buf[f->len] = '\0';
    return 0;
}

static const char *frame_name(const an_xframe_t *x, char *buf, size_t len)
{
    if (x->f.function)
        return x->f.function;
    return an_frame_label(&x->f, buf, len);
}

static int flame_fold(an_ctx_t *c, flame_t *f)
{
    char label[1024];
    f->len = 0;
    if (buf_put(f, "", 1) != 0)
        return -1;
    for (int i = c->sb.n - 1; i >= 0; i--) {
        if ((i < c->sb.n - 1 && buf_put(f, ";", 1) != 0) ||
            buf_put(f, frame_name(&c->sb.v[i], label, sizeof label), 0) != 0)
            return -1;
    }
    return 0;
}

static int flame_add(flame_t *f, long long value)
{
    int oom = 0;
    const char *s = an_pool_intern(&f->pool, f->buf, &oom);
    if (oom)
        return -1;
    int r = an_map_get(&f->ix, (long long)(uintptr_t)s);
    if (r >= 0) {
        f->rows[r].value = an_sat_add(f->rows[r].value, value);
        return 0;
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 256;
        flame_row_t *v = realloc(f->rows, cap * sizeof *v);
        if (!v)
            return -1;
        f->rows = v;
        f->cap = cap;
    }
    f->rows[f->n] = (flame_row_t){s, value};
    return an_map_put(&f->ix, (long long)(uintptr_t)s, (int)f->n++);
}

static int flame_collect(an_ctx_t *c, flame_t *f, char *err, size_t errlen)
{
    for (size_t i = 0; i < c->n_stats; i++) {
        long long v = an_stat_metric(&c->stats[i], c->o->metric);
        if (v <= 0)
            continue;
        if (an_ctx_stack(c, (int)i, err, errlen) != 0)
            return -1;
        if (!an_filter_stack(&c->o->filter, c->tree, &c->sb))
            continue;
        if (flame_fold(c, f) != 0 || flame_add(f, v) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

static int flame_cmp(const void *pa, const void *pb)
{
    return strcmp(((const flame_row_t *)pa)->folded, ((const flame_row_t *)pb)->folded);
}

static void flame_write(an_ctx_t *c, flame_t *f)
{
    if (f->n > 1)
        qsort(f->rows, f->n, sizeof *f->rows, flame_cmp);
    if (c->o->format == AN_FMT_JSON) {
        an_json_str(&c->json, "metric", an_metric_name(c->o->metric));
        an_json_arr(&c->json, "stacks");
    } else if (c->o->format == AN_FMT_CSV) {
        fputs("stack,value\n", c->out);
    }
    for (size_t i = 0; i < f->n; i++) {
        const flame_row_t *r = &f->rows[i];
        if (c->o->format == AN_FMT_TEXT) {
            fprintf(c->out, "%s %lld\n", r->folded, r->value);
        } else if (c->o->format == AN_FMT_CSV) {
            an_csv_str(c->out, r->folded, 0);
            an_csv_int(c->out, r->value, 1);
        } else {
            an_json_obj(&c->json, NULL);
            an_json_str(&c->json, "folded", r->folded);
            an_json_int(&c->json, "value", r->value);
            an_json_end(&c->json, '}');
        }
    }
    if (c->o->format == AN_FMT_JSON)
        an_json_end(&c->json, ']');
}

int an_report_flame(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    flame_t f;
    int rc = -1;
    memset(&f, 0, sizeof f);
    if (an_ctx_open(&c, d, o, out, 1, err, errlen) == 0 && an_ctx_stats(&c, 0, err, errlen) == 0 &&
        flame_collect(&c, &f, err, errlen) == 0) {
        if (o->format == AN_FMT_JSON) /* text stays pure folded lines: no note */
            an_ctx_begin(&c, "flamegraph");
        flame_write(&c, &f);
        if (o->format == AN_FMT_JSON)
            an_ctx_end(&c);
        rc = 0;
    }
    an_pool_free(&f.pool);
    an_map_free(&f.ix);
    free(f.rows);
    free(f.buf);
    an_ctx_close(&c);
    return rc;
}
