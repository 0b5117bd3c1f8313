/*
 * an_export_speedscope.c -- `export --format speedscope`: speedscope's JSON
 * file format (https://www.speedscope.app/file-format-schema.json).
 *
 * One shared frame per function (name and file: a function is one box
 * whatever line of it called on), inlined functions as frames of their
 * own.  One "sampled" profile per metric: each call site with a non-zero
 * figure is a sample whose stack lists frame indexes from the outermost
 * frame (the root, as speedscope reads them) to the innermost, weighted
 * by the figure.  Arrays are written one element per line, compactly:
 * these files run to millions of numbers.
 */
#include "an_export.h"
#include "an_report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct ss_frame_s {
    const char *name, *file; /* pooled; file may be NULL */
} ss_frame_t;

typedef struct ss_sample_s {
    size_t off; /* into stk */
    int len;
    int node;
} ss_sample_t;

typedef struct ss_s {
    an_ctx_t c;
    an_pool_t pool;
    an_map_t frame_ix;  /* pooled "name\x1ffile" -> frame index */
    ss_frame_t *frames;
    size_t n_frames, cap_frames;
    int *stk;           /* every sample's stack, outermost first */
    size_t n_stk, cap_stk;
    ss_sample_t *samples;
    size_t n_samples, cap_samples;
    char *key;          /* scratch for frame keys */
    size_t key_size;
} ss_t;

static int ss_grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

/* The pooled key of a frame: name, 0x1f, file. */
static const char *ss_key(ss_t *s, const char *name, const char *file, int *oom)
{
    size_t need = strlen(name) + (file ? strlen(file) : 0) + 2;
    if (need > s->key_size) {
        char *k = realloc(s->key, need);
        if (!k) {
            *oom = 1;
            return NULL;
        }
        s->key = k;
        s->key_size = need;
    }
    snprintf(s->key, s->key_size, "%s\x1f%s", name, file ? file : "");
    return an_pool_intern(&s->pool, s->key, oom);
}

/* Index of the speedscope frame of x, added on first use; -1 on OOM. */
static int ss_frame(ss_t *s, const an_xframe_t *x)
{
    char label[1024];
    int oom = 0;
    const char *name = x->f.function ? x->f.function : an_frame_label(&x->f, label, sizeof label);
    const char *file = x->f.function ? x->f.file : NULL;
    const char *key = ss_key(s, name, file, &oom);
    if (oom)
        return -1;
    int fi = an_map_get(&s->frame_ix, (long long)(uintptr_t)key);
    if (fi >= 0)
        return fi;
    if (ss_grow((void **)&s->frames, &s->cap_frames, s->n_frames, sizeof *s->frames) != 0)
        return -1;
    s->frames[s->n_frames].name = an_pool_intern(&s->pool, name, &oom);
    s->frames[s->n_frames].file = file ? an_pool_intern(&s->pool, file, &oom) : NULL;
    if (oom || an_map_put(&s->frame_ix, (long long)(uintptr_t)key, (int)s->n_frames) != 0)
        return -1;
    return (int)s->n_frames++;
}

/* c.sb (innermost first) as a sample of node, outermost first. */
static int ss_add_sample(ss_t *s, int node)
{
    if (ss_grow((void **)&s->samples, &s->cap_samples, s->n_samples, sizeof *s->samples) != 0)
        return -1;
    s->samples[s->n_samples++] = (ss_sample_t){s->n_stk, s->c.sb.n, node};
    for (int i = s->c.sb.n - 1; i >= 0; i--) {
        int fi = ss_frame(s, &s->c.sb.v[i]);
        if (fi < 0 || ss_grow((void **)&s->stk, &s->cap_stk, s->n_stk, sizeof *s->stk) != 0)
            return -1;
        s->stk[s->n_stk++] = fi;
    }
    return 0;
}

static int ss_wanted(const an_stat_t *st, unsigned metrics)
{
    for (int m = 0; m < AN_M_COUNT; m++)
        if ((metrics & (1u << m)) && an_stat_metric(st, (an_metric_t)m) > 0)
            return 1;
    return 0;
}

static int ss_collect(ss_t *s, unsigned metrics, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->c.n_stats; i++) {
        if (!ss_wanted(&s->c.stats[i], metrics))
            continue;
        if (an_ctx_stack(&s->c, (int)i, err, errlen) != 0)
            return -1;
        if (ss_add_sample(s, (int)i) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------------- */

static void ss_string(FILE *out, const char *str)
{
    an_json_t j;
    an_json_init(&j, out);
    an_json_str(&j, NULL, str);
}

static void ss_write_frames(ss_t *s, FILE *out)
{
    fputs("  \"shared\": {\"frames\": [", out);
    for (size_t i = 0; i < s->n_frames; i++) {
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        ss_string(out, s->frames[i].name);
        if (s->frames[i].file) {
            fputs(", \"file\": ", out);
            ss_string(out, s->frames[i].file);
        }
        fputc('}', out);
    }
    fputs("\n  ]},\n", out);
}

static const char *const ss_titles[AN_M_COUNT] = {
    "allocations", "bytes allocated", "bytes live at the peak", "bytes leaked (never freed)",
    "temporary allocations"};

static long long ss_total(const ss_t *s, an_metric_t m)
{
    long long total = 0;
    for (size_t i = 0; i < s->n_samples; i++)
        total += an_stat_metric(&s->c.stats[s->samples[i].node], m);
    return total;
}

static void ss_write_samples(const ss_t *s, an_metric_t m, FILE *out)
{
    int first = 1;
    fputs("      \"samples\": [", out);
    for (size_t i = 0; i < s->n_samples; i++) {
        const ss_sample_t *x = &s->samples[i];
        if (an_stat_metric(&s->c.stats[x->node], m) <= 0)
            continue;
        fputs(first ? "\n        [" : ",\n        [", out);
        first = 0;
        for (int k = 0; k < x->len; k++)
            fprintf(out, k ? ",%d" : "%d", s->stk[x->off + (size_t)k]);
        fputc(']', out);
    }
    fputs("\n      ],\n      \"weights\": [", out);
    first = 1;
    for (size_t i = 0; i < s->n_samples; i++) {
        long long v = an_stat_metric(&s->c.stats[s->samples[i].node], m);
        if (v <= 0)
            continue;
        fprintf(out, first ? "%lld" : ",%lld", v);
        first = 0;
    }
    fputs("]\n", out);
}

static void ss_write_profile(const ss_t *s, an_metric_t m, int first, FILE *out)
{
    int bytes = m == AN_M_BYTES || m == AN_M_PEAK || m == AN_M_LEAKED;
    fputs(first ? "\n    {" : ",\n    {", out);
    fputs("\"type\": \"sampled\", \"name\": ", out);
    ss_string(out, ss_titles[m]);
    fprintf(out, ", \"unit\": \"%s\", \"startValue\": 0, \"endValue\": %lld,\n",
            bytes ? "bytes" : "none", ss_total(s, m));
    ss_write_samples(s, m, out);
    fputs("    }", out);
}

static void ss_write(ss_t *s, unsigned metrics, FILE *out)
{
    char cmd[1024], name[1200];
    int n = 0, active = 0;
    an_db_meta(s->c.d, "command", cmd, sizeof cmd);
    snprintf(name, sizeof name, "heapql: %s", cmd[0] ? cmd : s->c.o->db_path ? s->c.o->db_path : "");
    fputs("{\n  \"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n", out);
    fputs("  \"exporter\": \"heapql " HEAPQL_VERSION "\",\n  \"name\": ", out);
    ss_string(out, name);
    fputs(",\n", out);
    ss_write_frames(s, out);
    fputs("  \"profiles\": [", out);
    for (int m = 0; m < AN_M_COUNT; m++) {
        if (!(metrics & (1u << m)))
            continue;
        if (m == AN_M_BYTES)
            active = n;
        ss_write_profile(s, (an_metric_t)m, n++ == 0, out);
    }
    fprintf(out, "\n  ],\n  \"activeProfileIndex\": %d\n}\n", active);
}

static void ss_free(ss_t *s)
{
    an_pool_free(&s->pool);
    an_map_free(&s->frame_ix);
    free(s->frames);
    free(s->stk);
    free(s->samples);
    free(s->key);
    an_ctx_close(&s->c);
}

int an_export_speedscope(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err,
                         size_t errlen)
{
    an_report_opts_t ro;
    ss_t s;
    unsigned metrics = an_export_metrics(o);
    int rc = -1;
    memset(&s, 0, sizeof s);
    an_report_opts_init(&ro);
    ro.db_path = o->db_path;
    if (an_ctx_open(&s.c, d, &ro, out, 1, err, errlen) == 0 &&
        an_ctx_stats(&s.c, 0, err, errlen) == 0 && ss_collect(&s, metrics, err, errlen) == 0) {
        ss_write(&s, metrics, out);
        rc = 0;
    }
    ss_free(&s);
    an_report_opts_free(&ro);
    return rc;
}
