/*
 * an_report_leaks.c -- `report leaks`: blocks never freed, grouped by their
 * full stack (one callsite), biggest first, with runtime one-time
 * allocations and user suppressions set apart (an_report_supp.h).  Reads
 * callsite_stats.leaked_* and only the stacks that leak (an_tree_load_leaked);
 * a recording that did not finish is scanned.
 */
#include "an_report_int.h"
#include "an_report_supp.h"

#include <stdlib.h>
#include <string.h>

typedef struct leak_row_s {
    int node;
    an_stat_t st;
    const char *runtime; /* runtime reason, or NULL */
    int user;            /* index of the matching user pattern, -1 */
} leak_row_t;

typedef struct leak_sum_s {
    long long bytes, blocks, stacks;
} leak_sum_t;

typedef struct leaks_s {
    leak_row_t *rows;
    size_t n, cap;
    leak_sum_t shown, runtime, user;
    an_supp_t supp;
    an_map_t runtime_memo; /* an_supp_runtime_memo's */
} leaks_t;

static int leak_push(leaks_t *l, const leak_row_t *r)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        leak_row_t *v = realloc(l->rows, cap * sizeof *v);
        if (!v)
            return -1;
        l->rows = v;
        l->cap = cap;
    }
    l->rows[l->n++] = *r;
    return 0;
}

static void leak_sum(leak_sum_t *s, const an_stat_t *st)
{
    s->bytes = an_sat_add(s->bytes, st->leaked_bytes);
    s->blocks = an_sat_add(s->blocks, st->leaked_blocks);
    s->stacks++;
}

static int leak_classify(an_ctx_t *c, leaks_t *l, int node, char *err, size_t errlen)
{
    leak_row_t r = {.node = node, .st = c->stats[node], .user = -1};
    if (an_ctx_stack(c, node, err, errlen) != 0)
        return -1;
    if (!an_filter_stack(&c->o->filter, c->tree, &c->sb))
        return 0;
    r.user = an_supp_match(&l->supp, c->tree, &c->sb);
    r.runtime = r.user < 0 ? an_supp_runtime_memo(c->tree, &c->sb, &l->runtime_memo) : NULL;
    leak_sum(r.user >= 0 ? &l->user : r.runtime ? &l->runtime : &l->shown, &r.st);
    if ((r.user >= 0 || r.runtime) && !c->o->all)
        return 0;
    if (leak_push(l, &r) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int leak_cmp(const void *pa, const void *pb)
{
    const leak_row_t *a = pa, *b = pb;
    if (a->st.leaked_bytes != b->st.leaked_bytes)
        return a->st.leaked_bytes > b->st.leaked_bytes ? -1 : 1;
    if (a->st.leaked_blocks != b->st.leaked_blocks)
        return a->st.leaked_blocks > b->st.leaked_blocks ? -1 : 1;
    return a->node - b->node;
}

static int leaks_collect(an_ctx_t *c, leaks_t *l, char *err, size_t errlen)
{
    if (c->o->suppressions && an_supp_load(&l->supp, c->o->suppressions, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < c->n_stats; i++)
        if (c->stats[i].leaked_blocks > 0 && leak_classify(c, l, (int)i, err, errlen) != 0)
            return -1;
    if (l->n > 1)
        qsort(l->rows, l->n, sizeof *l->rows, leak_cmp);
    return 0;
}

/* "runtime: dynamic loader", "leak:foo (supp.txt:3)", or NULL when shown. */
static const char *leak_why(const leaks_t *l, const leak_row_t *r, char *buf, size_t len)
{
    if (r->user >= 0)
        snprintf(buf, len, "leak:%s (%s:%d)", l->supp.patterns[r->user], l->supp.path,
                 l->supp.lines[r->user]);
    else if (r->runtime)
        snprintf(buf, len, "runtime: %s", r->runtime);
    else
        return NULL;
    return buf;
}

/* ---- text ---------------------------------------------------------------- */

static void text_head(an_ctx_t *c, const leaks_t *l)
{
    char a[32], b[32], n[32];
    FILE *f = c->out;
    if (c->d->live || c->d->crashed)
        fprintf(f, "(blocks still live when the rows were written are not known yet: the "
                "leak figures are incomplete)\n");
    fprintf(f, "%s leaked in %s blocks from %s stack%s%s\n",
            an_fmt_bytes(l->shown.bytes, a, sizeof a), an_fmt_count(l->shown.blocks, b, sizeof b),
            an_fmt_count(l->shown.stacks, n, sizeof n), l->shown.stacks == 1 ? "" : "s",
            an_filter_any_regex(&c->o->filter) ? " matching the filters" : "");
    if (l->runtime.stacks)
        fprintf(f, "suppressed: %s in %s blocks from %lld stack%s of runtime one-time "
                "allocations (loader, libc, libstdc++)%s\n",
                an_fmt_bytes(l->runtime.bytes, a, sizeof a),
                an_fmt_count(l->runtime.blocks, b, sizeof b), l->runtime.stacks,
                l->runtime.stacks == 1 ? "" : "s", c->o->all ? "" : "; --all lists them");
    if (l->user.stacks)
        fprintf(f, "suppressed: %s in %s blocks from %lld stack%s by %s%s\n",
                an_fmt_bytes(l->user.bytes, a, sizeof a), an_fmt_count(l->user.blocks, b, sizeof b),
                l->user.stacks, l->user.stacks == 1 ? "" : "s", l->supp.path,
                c->o->all ? "" : "; --all lists them");
}

/* Percentages are of what is listed: shown stacks, or all with --all. */
static long long leaks_base(const an_ctx_t *c, const leaks_t *l)
{
    return c->o->all ? an_sat_add(an_sat_add(l->shown.bytes, l->runtime.bytes), l->user.bytes)
                     : l->shown.bytes;
}

static int text_row(an_ctx_t *c, const leaks_t *l, const leak_row_t *r, char *err, size_t errlen)
{
    char a[32], b[32], p[32], why[700], label[4096];
    const char *w = leak_why(l, r, why, sizeof why);
    if (an_ctx_stack(c, r->node, err, errlen) != 0)
        return -1;
    fprintf(c->out, "\n%s in %s block%s (%s of the leaked bytes), callsite %lld%s%s%s\n",
            an_fmt_bytes(r->st.leaked_bytes, a, sizeof a),
            an_fmt_count(r->st.leaked_blocks, b, sizeof b), r->st.leaked_blocks == 1 ? "" : "s",
            an_fmt_pct((double)r->st.leaked_bytes, (double)leaks_base(c, l), p, sizeof p),
            c->tree->nodes[r->node].id, w ? " [suppressed: " : "", w ? w : "", w ? "]" : "");
    for (int i = 0; i < c->sb.n; i++)
        fprintf(c->out, "    #%-2d %s%s\n", i, an_frame_label(&c->sb.v[i].f, label, sizeof label),
                c->sb.v[i].f.inlined ? " [inlined]" : "");
    return 0;
}

/* ---- JSON / CSV ------------------------------------------------------------ */

static void json_sum(an_json_t *j, const char *key, const leak_sum_t *s)
{
    an_json_obj(j, key);
    an_json_int(j, "bytes", s->bytes);
    an_json_int(j, "blocks", s->blocks);
    an_json_int(j, "stacks", s->stacks);
    an_json_end(j, '}');
}

static int json_row(an_ctx_t *c, const leaks_t *l, const leak_row_t *r, char *err, size_t errlen)
{
    char why[700];
    an_json_t *j = &c->json;
    if (an_ctx_stack(c, r->node, err, errlen) != 0)
        return -1;
    an_json_obj(j, NULL);
    an_json_int(j, "callsite", c->tree->nodes[r->node].id);
    an_json_int(j, "leaked_bytes", r->st.leaked_bytes);
    an_json_int(j, "leaked_blocks", r->st.leaked_blocks);
    an_json_int(j, "allocs", r->st.allocs);
    an_json_str(j, "suppressed", leak_why(l, r, why, sizeof why));
    an_json_arr(j, "stack");
    for (int i = 0; i < c->sb.n; i++)
        an_json_frame(j, NULL, &c->sb.v[i].f);
    an_json_end(j, ']');
    an_json_end(j, '}');
    return 0;
}

static int csv_row(an_ctx_t *c, const leaks_t *l, const leak_row_t *r, char *err, size_t errlen)
{
    char why[700];
    an_frame_t *fr;
    if (an_ctx_stack(c, r->node, err, errlen) != 0)
        return -1;
    if (!(fr = an_ctx_frames(c))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fprintf(c->out, "%lld,%lld,%lld,%lld,", c->tree->nodes[r->node].id, r->st.leaked_bytes,
            r->st.leaked_blocks, r->st.allocs);
    an_csv_str(c->out, leak_why(l, r, why, sizeof why), 0);
    an_csv_stack(c->out, fr, c->sb.n, 1);
    free(fr);
    return 0;
}

static int leaks_write(an_ctx_t *c, leaks_t *l, char *err, size_t errlen)
{
    size_t limit = c->o->top > 0 ? (size_t)c->o->top : (size_t)-1;
    an_ctx_begin(c, "leaks");
    if (c->o->format == AN_FMT_TEXT)
        text_head(c, l);
    else if (c->o->format == AN_FMT_JSON) {
        json_sum(&c->json, "leaked", &l->shown);
        json_sum(&c->json, "suppressed_runtime", &l->runtime);
        json_sum(&c->json, "suppressed_user", &l->user);
        an_json_arr(&c->json, "rows");
    } else {
        fputs("callsite,leaked_bytes,leaked_blocks,allocs,suppressed,stack\n", c->out);
    }
    for (size_t i = 0; i < l->n && i < limit; i++) {
        int rc = c->o->format == AN_FMT_TEXT ? text_row(c, l, &l->rows[i], err, errlen)
                 : c->o->format == AN_FMT_JSON ? json_row(c, l, &l->rows[i], err, errlen)
                                               : csv_row(c, l, &l->rows[i], err, errlen);
        if (rc != 0)
            return -1;
    }
    if (c->o->format == AN_FMT_TEXT && l->n > limit)
        fprintf(c->out, "\n... %zu more stacks (--top 0 lists all)\n", l->n - limit);
    if (c->o->format == AN_FMT_JSON)
        an_json_end(&c->json, ']');
    an_ctx_end(c);
    return 0;
}

int an_report_leaks(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    leaks_t l;
    int rc = -1;
    memset(&l, 0, sizeof l);
    if (an_ctx_open(&c, d, o, out, AN_CTX_LEAKED, err, errlen) == 0 &&
        an_ctx_stats(&c, 0, err, errlen) == 0 && leaks_collect(&c, &l, err, errlen) == 0)
        rc = leaks_write(&c, &l, err, errlen);
    an_supp_free(&l.supp);
    an_map_free(&l.runtime_memo);
    free(l.rows);
    an_ctx_close(&c);
    return rc;
}
