/*
 * an_report_stats.c -- per-callsite self figures (an_ctx_stats), from
 * callsite_stats or from one scan of allocations.
 *
 * The scan uses the recorder's definitions: a block is live at the peak
 * when alloc_ns <= peak_ns < free_ns of its process image; it is temporary
 * when the recorder flagged it so (allocations.temporary: freed before its
 * thread allocated anything else, the same flag callsite_stats counts);
 * leaked when never freed.  A time window selects allocations by alloc_ns.
 * A sampled recording's rows count by their weight.  An aggregated
 * recording has no rows: an_ctx_no_rows says so.
 */
#include "an_report_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct scan_state_s {
    an_ctx_t *c;
    an_procs_t procs;
    long long short_ns; /* 0: not counted */
} scan_state_t;

static int stats_alloc(an_ctx_t *c, char *err, size_t errlen)
{
    free(c->stats);
    c->n_stats = c->tree->n_nodes;
    if (!(c->stats = calloc(c->n_stats ? c->n_stats : 1, sizeof *c->stats))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int stats_row(const an_arow_t *r, void *arg, char *err, size_t errlen)
{
    scan_state_t *s = arg;
    an_stat_t *st = &s->c->stats[r->node];
    long long peak;
    (void)err;
    (void)errlen;
    if (!an_filter_in_window(&s->c->o->filter, r->alloc_ns))
        return 0;
    peak = an_procs_peak(&s->procs, r->pid, r->alloc_ns);
    st->allocs = an_sat_add(st->allocs, r->n);
    st->bytes = an_sat_add(st->bytes, r->bytes);
    if (r->free_ns >= 0)
        st->frees = an_sat_add(st->frees, r->n);
    else {
        st->leaked_blocks = an_sat_add(st->leaked_blocks, r->n);
        st->leaked_bytes = an_sat_add(st->leaked_bytes, r->bytes);
    }
    if (peak >= 0 && r->alloc_ns <= peak && (r->free_ns < 0 || r->free_ns > peak)) {
        st->peak_blocks = an_sat_add(st->peak_blocks, r->n);
        st->peak_bytes = an_sat_add(st->peak_bytes, r->bytes);
    }
    if (r->temporary && r->free_ns >= 0)
        st->temporary = an_sat_add(st->temporary, r->n);
    if (s->short_ns > 0 && r->free_ns >= 0 && r->free_ns - r->alloc_ns < s->short_ns)
        st->short_lived = an_sat_add(st->short_lived, r->n);
    return 0;
}

static int stats_scan(an_ctx_t *c, int want_short, char *err, size_t errlen)
{
    scan_state_t s;
    int rc;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.short_ns = want_short ? c->o->max_lifetime_ns : 0;
    if (an_procs_load(c->d, &s.procs, err, errlen) != 0)
        return -1;
    rc = an_scan(c, stats_row, &s, err, errlen);
    an_procs_free(&s.procs);
    c->scanned = 1;
    return rc;
}

/* Node of callsite id: the tree loaded the leaves in callsite_stats order,
 * so usually the one after the previous row's (no hash lookup). */
static int stats_node(const an_tree_t *t, long long id, int prev)
{
    size_t next = (size_t)(prev + 1); /* prev >= -1 */
    if (next < t->n_nodes && t->nodes[next].id == id)
        return (int)next;
    return an_map_get(&t->node_ix, id);
}

/* Leaking callsites only when the tree holds only their stacks: rows of
 * the others would land on the unknown node. */
static int stats_table(an_ctx_t *c, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc, ni = -1;
    if (sqlite3_prepare_v2(c->d->db,
                           c->leaked_only
                               ? "SELECT callsite_id, alloc_count, alloc_bytes, free_count, "
                                 "peak_blocks, peak_bytes, leaked_blocks, leaked_bytes, "
                                 "temporary_count, failed_count FROM callsite_stats "
                                 "WHERE leaked_blocks > 0"
                               : "SELECT callsite_id, alloc_count, alloc_bytes, free_count, "
                                 "peak_blocks, peak_bytes, leaked_blocks, leaked_bytes, "
                                 "temporary_count, failed_count FROM callsite_stats",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(c->d->db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ni = stats_node(c->tree, sqlite3_column_int64(st, 0), ni);
        if (ni >= (int)c->n_stats) /* cannot happen: the tree was loaded first */
            ni = -1;
        an_stat_t add = {
            sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
            sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6),
            sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9),
            0};
        an_stat_add(&c->stats[ni >= 0 ? ni : c->unknown_node], &add);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "database error reading callsite_stats: %s",
                 sqlite3_errmsg(c->d->db));
        return -1;
    }
    return 0;
}

/* callsite_stats is written when the recording ends: unusable before, and
 * empty in a run that ended without finishing. */
static int stats_need_scan(an_ctx_t *c, int want_short, char *err, size_t errlen)
{
    long long have_stats = 0, have_allocs = 0;
    if (want_short || c->o->filter.window || c->d->live || c->d->crashed ||
        !strcmp(c->d->status, "recording"))
        return 1;
    if (an_db_int64(c->d, "SELECT EXISTS (SELECT 1 FROM callsite_stats)", 0, &have_stats, err,
                    errlen) != 0 ||
        an_db_int64(c->d, "SELECT EXISTS (SELECT 1 FROM allocations)", 0, &have_allocs, err,
                    errlen) != 0)
        return -1;
    return !have_stats && have_allocs;
}

int an_ctx_stats(an_ctx_t *c, int want_short_lived, char *err, size_t errlen)
{
    int scan = stats_need_scan(c, want_short_lived, err, errlen);
    if (scan < 0)
        return -1;
    if (scan && c->aggregate)
        return an_ctx_no_rows(c, want_short_lived ? "lifetimes (short-lived blocks)"
                                 : c->o->filter.window ? "time windows (--from, --to)"
                                                       : "figures", err, errlen);
    if (scan && !c->tree->loaded && an_tree_load(c->tree, err, errlen) != 0)
        return -1;
    if (stats_alloc(c, err, errlen) != 0) /* the tree may have grown */
        return -1;
    return scan ? stats_scan(c, want_short_lived, err, errlen) : stats_table(c, err, errlen);
}
