/* an_report_ctx.c -- the report context, options and metrics shared by
 * every report (see an_report_int.h). */
#include "an_report_int.h"
#include "an_report_treeint.h"

#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[AN_M_COUNT] = {"allocs", "bytes", "peak", "leaked",
                                                     "temporary"};

void an_report_opts_init(an_report_opts_t *o)
{
    memset(o, 0, sizeof *o);
    an_filter_init(&o->filter);
    o->metric = AN_M_PEAK;
    o->max_lifetime_ns = 1000000;
    o->callsite = -1;
}

void an_report_opts_free(an_report_opts_t *o)
{
    an_filter_free(&o->filter);
}

int an_metric_parse(const char *s)
{
    for (int i = 0; i < AN_M_COUNT; i++)
        if (s && !strcmp(s, metric_names[i]))
            return i;
    return -1;
}

const char *an_metric_name(an_metric_t m)
{
    return m < AN_M_COUNT ? metric_names[m] : "?";
}

long long an_stat_metric(const an_stat_t *s, an_metric_t m)
{
    switch (m) {
    case AN_M_ALLOCS: return s->allocs;
    case AN_M_BYTES: return s->bytes;
    case AN_M_PEAK: return s->peak_bytes;
    case AN_M_LEAKED: return s->leaked_bytes;
    case AN_M_TEMPORARY: return s->temporary;
    default: return 0;
    }
}

void an_stat_add(an_stat_t *a, const an_stat_t *b)
{
    a->allocs = an_sat_add(a->allocs, b->allocs);
    a->bytes = an_sat_add(a->bytes, b->bytes);
    a->frees = an_sat_add(a->frees, b->frees);
    a->peak_blocks = an_sat_add(a->peak_blocks, b->peak_blocks);
    a->peak_bytes = an_sat_add(a->peak_bytes, b->peak_bytes);
    a->leaked_blocks = an_sat_add(a->leaked_blocks, b->leaked_blocks);
    a->leaked_bytes = an_sat_add(a->leaked_bytes, b->leaked_bytes);
    a->temporary = an_sat_add(a->temporary, b->temporary);
    a->failed = an_sat_add(a->failed, b->failed);
    a->short_lived = an_sat_add(a->short_lived, b->short_lived);
}

int an_stat_zero(const an_stat_t *s)
{
    return s->allocs == 0 && s->failed == 0 && s->leaked_blocks == 0;
}

int an_ctx_unknown_node(an_ctx_t *c)
{
    if (c->unknown_node >= 0)
        return c->unknown_node;
    an__tree_frame_row_t r = {.id = LLONG_MIN, .module = -1, .function = "[no stack recorded]"};
    int fi = an__tree_add_frame(c->tree, &r);
    if (fi < 0)
        return -1;
    c->unknown_node = an__tree_add_node(c->tree, LLONG_MIN, 0, 0, fi, 0);
    return c->unknown_node;
}

/* Walking this many unknown ancestors costs more than reading them all. */
#define CTX_BULK_AFTER 4096

int an_ctx_open(an_ctx_t *c, an_db_t *d, an_report_opts_t *o, FILE *out, int full, char *err,
                size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->d = d;
    c->o = o;
    c->out = out;
    c->unknown_node = -1;
    an_json_init(&c->json, out);
    if (sqlite3_get_autocommit(d->db)) {
        if (sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
            return -1;
        }
        c->began = 1;
    }
    c->peak_ns = an_filter_peak_ns(d);
    an_ctx_mode_load(c);
    if (an_filter_resolve(&o->filter, d, err, errlen) != 0)
        return -1;
    if (!(c->tree = an_tree_new(d->db))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->tree->bulk_after = CTX_BULK_AFTER;
    c->leaked_only = full == AN_CTX_LEAKED;
    int rc = c->leaked_only ? an_tree_load_leaked(c->tree, err, errlen)
             : full         ? an_tree_load(c->tree, err, errlen)
                            : an_tree_load_leaves(c->tree, err, errlen);
    if (rc != 0)
        return -1;
    if (an_ctx_unknown_node(c) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void an_ctx_close(an_ctx_t *c)
{
    if (c->began)
        sqlite3_exec(c->d->db, "COMMIT", NULL, NULL, NULL);
    an_tree_free(c->tree);
    free(c->stats);
    an_stackbuf_free(&c->sb);
    memset(c, 0, sizeof *c);
}

int an_ctx_text(const an_ctx_t *c)
{
    return c->o->format == AN_FMT_TEXT;
}

static void ctx_reason(an_db_t *d, char *buf, size_t len)
{
    static const char *const keys[] = {"truncated_reason", "status_reason", "reason"};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !buf[0]; i++)
        an_db_meta(d, keys[i], buf, len);
}

const char *an_ctx_note(const an_ctx_t *c, char *buf, size_t len)
{
    char reason[256];
    if (c->d->live) {
        snprintf(buf, len, "still recording: figures so far (blocks still live are written "
                 "when the recording ends)");
    } else if (c->d->crashed) {
        snprintf(buf, len, "the recording did not finish (its collector is gone): blocks "
                 "live at that moment were never written");
    } else if (!strcmp(c->d->status, "truncated")) {
        ctx_reason(c->d, reason, sizeof reason);
        snprintf(buf, len, "the recording is truncated%s%s", reason[0] ? ": " : "", reason);
    } else if (!c->d->symbolized) {
        snprintf(buf, len, "not symbolized: frames show module+offset (run 'heapql symbolize' "
                 "with write access to the database)");
    } else {
        return NULL;
    }
    return buf;
}

void an_ctx_begin(an_ctx_t *c, const char *report)
{
    char note[512], mode[160];
    const char *n = an_ctx_note(c, note, sizeof note);
    const char *m = an_ctx_mode_note(c, mode, sizeof mode);
    if (c->o->format == AN_FMT_JSON) {
        an_json_obj(&c->json, NULL);
        an_json_str(&c->json, "report", report);
        an_json_str(&c->json, "database", c->o->db_path);
        an_json_str(&c->json, "status", c->d->live ? "recording" : c->d->status);
        an_json_bool(&c->json, "symbolized", c->d->symbolized);
        an_json_str(&c->json, "note", n);
        an_json_int(&c->json, "sample_rate", c->sample_rate);
        an_json_bool(&c->json, "aggregate", c->aggregate);
    } else if (c->o->format == AN_FMT_TEXT && (n || m)) {
        if (n)
            fprintf(c->out, "note: %s\n", n);
        if (m)
            fprintf(c->out, "note: %s\n", m);
        fputc('\n', c->out);
    }
}

void an_ctx_end(an_ctx_t *c)
{
    if (c->o->format == AN_FMT_JSON)
        an_json_end(&c->json, '}');
}

int an_ctx_stack(an_ctx_t *c, int node, char *err, size_t errlen)
{
    return an_tree_stack(c->tree, node, &c->sb, err, errlen);
}

int an_ctx_leaf(an_ctx_t *c, int node, char *err, size_t errlen)
{
    const an_tframe_t *f = &c->tree->frames[c->tree->nodes[node].frame];
    if (c->sb.cap < f->inl_n + 1) {
        an_xframe_t *v = realloc(c->sb.v, (size_t)(f->inl_n + 1) * sizeof *v);
        if (!v) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        c->sb.v = v;
        c->sb.cap = f->inl_n + 1;
    }
    c->sb.n = an_tree_expand(c->tree, c->tree->nodes[node].frame, c->sb.v, f->inl_n + 1);
    return 0;
}

an_frame_t *an_ctx_frames(const an_ctx_t *c)
{
    an_frame_t *v = malloc((size_t)(c->sb.n ? c->sb.n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (int i = 0; i < c->sb.n; i++)
        v[i] = c->sb.v[i].f;
    return v;
}

void an_ctx_window_text(const an_ctx_t *c, char *buf, size_t len)
{
    const an_filter_t *f = &c->o->filter;
    buf[0] = '\0';
    if (!f->window)
        return;
    if (f->to_ns == INT64_MAX)
        snprintf(buf, len, ", allocated from %.3f s%s on", (double)f->from_ns / 1e9,
                 f->from_arg && !strcmp(f->from_arg, "peak") ? " (peak)" : "");
    else
        snprintf(buf, len, ", allocated from %.3f s%s to %.3f s%s", (double)f->from_ns / 1e9,
                 f->from_arg && !strcmp(f->from_arg, "peak") ? " (peak)" : "",
                 (double)f->to_ns / 1e9,
                 f->to_arg && !strcmp(f->to_arg, "peak") ? " (peak)" : "");
}
