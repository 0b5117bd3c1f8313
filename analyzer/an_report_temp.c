/*
 * an_report_temp.c -- `report temporary`: the pooling candidates.  Per
 * stack (leaf callsite): how many blocks were temporary (freed before the
 * allocating thread allocated anything else, heaptrack's definition) and
 * how many were short-lived (freed within --max-lifetime, default 1 ms).
 * Lifetimes are not aggregated by the recorder, so this scans allocations.
 */
#include "an_report_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct temp_row_s {
    int node;
    an_stat_t st;
} temp_row_t;

static int temp_cmp(const void *pa, const void *pb)
{
    const temp_row_t *a = pa, *b = pb;
    if (a->st.temporary != b->st.temporary)
        return a->st.temporary > b->st.temporary ? -1 : 1;
    if (a->st.short_lived != b->st.short_lived)
        return a->st.short_lived > b->st.short_lived ? -1 : 1;
    return a->node - b->node;
}

/* Stacks with temporary or short-lived blocks, passing the filters. */
static int temp_rows(an_ctx_t *c, temp_row_t **out, size_t *n, an_stat_t *total, char *err,
                     size_t errlen)
{
    temp_row_t *v = calloc(c->n_stats ? c->n_stats : 1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *n = 0;
    for (size_t i = 0; i < c->n_stats; i++) {
        const an_stat_t *st = &c->stats[i];
        if (st->allocs == 0)
            continue;
        if (an_ctx_stack(c, (int)i, err, errlen) != 0) {
            free(v);
            return -1;
        }
        if (!an_filter_stack(&c->o->filter, c->tree, &c->sb))
            continue;
        an_stat_add(total, st);
        if (st->temporary || st->short_lived)
            v[(*n)++] = (temp_row_t){(int)i, *st};
    }
    if (*n > 1)
        qsort(v, *n, sizeof *v, temp_cmp);
    *out = v;
    return 0;
}

enum { TT_ALLOCS, TT_TEMP, TT_TEMPPCT, TT_SHORT, TT_SHORTPCT, TT_BYTES, TT_ID, TT_SITE };

static an_table_t *temp_table(an_ctx_t *c, const temp_row_t *rows, size_t n, char *err,
                              size_t errlen)
{
    char head[64], ms[32];
    an_table_t *t = an_table_new();
    an_fmt_ns(c->o->max_lifetime_ns, ms, sizeof ms);
    snprintf(head, sizeof head, "< %s", ms);
    if (!t || an_table_col(t, "allocs", "Allocs", AN_C_INT, 0) < 0 ||
        an_table_col(t, "temporary", "Temporary", AN_C_INT, 0) < 0 ||
        an_table_col(t, "temporary_pct", "%", AN_C_PCT, 0) < 0 ||
        an_table_col(t, "short_lived", head, AN_C_INT, 0) < 0 ||
        an_table_col(t, "short_lived_pct", "%", AN_C_PCT, 0) < 0 ||
        an_table_col(t, "bytes", "Bytes", AN_C_BYTES, 0) < 0 ||
        an_table_col(t, "callsite", "Callsite", AN_C_INT, 0) < 0 ||
        an_table_col(t, "stack", "Allocated at", AN_C_STACK, 0) < 0)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        const an_stat_t *st = &rows[i].st;
        an_frame_t *fr;
        if (an_ctx_stack(c, rows[i].node, err, errlen) != 0) {
            an_table_free(t);
            return NULL;
        }
        if (an_table_row(t) != 0 || !(fr = an_ctx_frames(c)))
            goto oom;
        an_table_int(t, TT_ALLOCS, st->allocs);
        an_table_int(t, TT_TEMP, st->temporary);
        an_table_num(t, TT_TEMPPCT, 100.0 * (double)st->temporary / (double)st->allocs);
        an_table_int(t, TT_SHORT, st->short_lived);
        an_table_num(t, TT_SHORTPCT, 100.0 * (double)st->short_lived / (double)st->allocs);
        an_table_int(t, TT_BYTES, st->bytes);
        an_table_int(t, TT_ID, c->tree->nodes[rows[i].node].id);
        int rc = an_table_stack(t, TT_SITE, fr, c->sb.n, c->o->frames > 0 ? c->o->frames : 3);
        free(fr);
        if (rc != 0)
            goto oom;
    }
    return t;
oom:
    an_table_free(t);
    snprintf(err, errlen, "out of memory");
    return NULL;
}

static void temp_head(an_ctx_t *c, const an_stat_t *total, size_t stacks, size_t shown)
{
    char a[32], b[32], p[32], q[32], ms[32], w[160];
    an_ctx_window_text(c, w, sizeof w);
    if (c->o->format == AN_FMT_JSON) {
        an_json_int(&c->json, "allocs", total->allocs);
        an_json_int(&c->json, "temporary", total->temporary);
        an_json_int(&c->json, "short_lived", total->short_lived);
        an_json_int(&c->json, "max_lifetime_ns", c->o->max_lifetime_ns);
        an_json_int(&c->json, "stacks", (long long)stacks);
        return;
    }
    if (c->o->format != AN_FMT_TEXT)
        return;
    fprintf(c->out, "%s of %s allocations (%s) were temporary: freed before their thread "
            "allocated again%s\n", an_fmt_count(total->temporary, a, sizeof a),
            an_fmt_count(total->allocs, b, sizeof b),
            an_fmt_pct((double)total->temporary, (double)total->allocs, p, sizeof p), w);
    fprintf(c->out, "%s (%s) lived less than %s\n", an_fmt_count(total->short_lived, a, sizeof a),
            an_fmt_pct((double)total->short_lived, (double)total->allocs, q, sizeof q),
            an_fmt_ns(c->o->max_lifetime_ns, ms, sizeof ms));
    if (shown)
        fprintf(c->out, "\npooling candidates: top %zu of %zu stacks by temporary count\n", shown,
                stacks);
}

int an_report_temp(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    an_stat_t total = {0};
    temp_row_t *rows = NULL;
    an_table_t *t = NULL;
    size_t n = 0, limit = o->top > 0 ? (size_t)o->top : o->top < 0 ? (size_t)-1 : 10;
    int rc = -1;
    if (an_ctx_open(&c, d, o, out, 1, err, errlen) != 0 || an_ctx_stats(&c, 1, err, errlen) != 0 ||
        temp_rows(&c, &rows, &n, &total, err, errlen) != 0 ||
        !(t = temp_table(&c, rows, n < limit ? n : limit, err, errlen)))
        goto done;
    an_ctx_begin(&c, "temporary");
    temp_head(&c, &total, n, an_table_rows(t));
    if (o->format != AN_FMT_TEXT || an_table_rows(t) > 0)
        an_table_write(t, o->format, out, &c.json, "rows", 0);
    an_ctx_end(&c);
    rc = 0;
done:
    an_table_free(t);
    free(rows);
    an_ctx_close(&c);
    return rc;
}
