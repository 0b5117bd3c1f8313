/* an_report_scan.c -- one pass over the allocations in id order, and the
 * process images that say where each allocation's peak is.  The pass
 * walks alloc_rows, the storage behind the view `allocations`, and decodes
 * its columns as the view does (schema/v1.sql): the rowid order costs no
 * sort; a 10M-row scan still takes seconds, which is why reports use
 * callsite_stats whenever they can.  In a sampled recording each row
 * carries its weight (an_arow_t.n, .bytes). */
#include "an_report_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_MAX_WEIGHT 1e12 /* 1 / p(1 byte) at the largest rate is about 2^30 */

/* The view's pid_base and ns_base, the same expression. */
#define SCAN_BASE_SQL(key) "SELECT ifnull((SELECT value FROM meta WHERE key = '" key "'), 0)"

typedef struct scan_call_s {
    an_ctx_t *c;
    int (*fn)(const an_arow_t *r, void *arg, char *err, size_t errlen);
    void *arg;
    long long pid_base, ns_base;
    int failed;
    double carry;       /* sampled: weight not yet handed out as whole blocks */
    char err[512];
} scan_call_t;

static int scan_node(an_ctx_t *c, sqlite3_value *v)
{
    if (sqlite3_value_type(v) == SQLITE_NULL)
        return c->unknown_node;
    int ni = an_tree_find(c->tree, sqlite3_value_int64(v));
    return ni >= 0 ? ni : c->unknown_node;
}

/* alloc_rows.who = ((pid - pid_base) << 37) + ((tid - pid) << 5) + kind,
 * decoded as the view does (arithmetic shifts; unsigned sums wrap where
 * SQLite's would turn to floating point on a damaged row). */
static void scan_who(long long base, long long who, an_arow_t *r)
{
    int64_t proc = (int64_t)((uint64_t)who + (1ull << 36)) >> 37;
    int64_t thread = (int64_t)((uint64_t)who << 27) >> 32;
    r->pid = (long long)((uint64_t)base + (uint64_t)proc);
    r->tid = (long long)((uint64_t)r->pid + (uint64_t)thread);
    r->kind = who & 31;
}

/* A row no recording can hold: the reports' arithmetic is not meant for it. */
static int scan_impossible(const an_arow_t *r, sqlite3_value *life_v, char *err, size_t errlen)
{
    const char *what = r->size < 0 || r->size > AN_DB_MAX_SIZE             ? "size"
                       : r->alloc_ns < 0 || r->alloc_ns > AN_DB_MAX_NS     ? "alloc_ns"
                       : sqlite3_value_type(life_v) != SQLITE_NULL &&
                               (r->free_ns < 0 || r->free_ns > AN_DB_MAX_NS) ? "free_ns"
                                                                        : NULL;
    if (!what)
        return 0;
    snprintf(err, errlen, "allocation %lld has an impossible %s (damaged database)", r->id, what);
    return -1;
}

/* What the row stands for: itself, or (a 7th argument) its weight (NULL:
 * 1).  The whole blocks handed out follow the running sum of the weights. */
static int scan_weigh(scan_call_t *sc, an_arow_t *r, int argc, sqlite3_value **v)
{
    double w;
    if (argc < 7 || sqlite3_value_type(v[6]) == SQLITE_NULL) {
        r->n = 1;
        r->bytes = r->size;
        return 0;
    }
    w = sqlite3_value_double(v[6]);
    if (!(w >= 1.0 && w <= SCAN_MAX_WEIGHT)) {
        snprintf(sc->err, sizeof sc->err, "allocation %lld has an impossible weight (damaged "
                 "database)", r->id);
        return -1;
    }
    sc->carry += w;
    r->n = (long long)sc->carry;
    sc->carry -= (double)r->n;
    r->bytes = llround((double)r->size * w);
    return 0;
}

/* The scan runs as an aggregate: SQLite hands each row's values to this
 * step without the per-column API calls (and their mutexes) of a step
 * loop, which halves the cost on 10M rows. */
static void scan_step(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
    scan_call_t *sc = sqlite3_user_data(ctx);
    an_arow_t r;
    if (sc->failed)
        return;
    r.id = sqlite3_value_int64(v[0]);
    scan_who(sc->pid_base, sqlite3_value_int64(v[1]), &r);
    r.size = sqlite3_value_int64(v[2]);
    r.node = scan_node(sc->c, v[3]);
    r.alloc_ns = (long long)((uint64_t)sc->ns_base + (uint64_t)sqlite3_value_int64(v[4]));
    r.free_ns = -1;
    r.temporary = 0;
    if (sqlite3_value_type(v[5]) != SQLITE_NULL) { /* lifetime, ~lifetime when temporary */
        int64_t life = sqlite3_value_int64(v[5]);
        r.temporary = life < 0;
        r.free_ns = (long long)((uint64_t)r.alloc_ns + (uint64_t)(life < 0 ? ~life : life));
    }
    if (scan_impossible(&r, v[5], sc->err, sizeof sc->err) || scan_weigh(sc, &r, argc, v) ||
        sc->fn(&r, sc->arg, sc->err, sizeof sc->err) != 0) {
        sc->failed = 1;
        sqlite3_result_error(ctx, sc->err, -1);
    }
}

static void scan_final(sqlite3_context *ctx)
{
    sqlite3_result_null(ctx);
}

/* NOT INDEXED makes it a walk of the table's b-tree: rowid (= id) order,
 * no sort.  (An ordered subquery would guarantee the same at twice the
 * cost: it copies every row through a co-routine; the view allocations
 * cannot be walked NOT INDEXED.) */
int an_scan(an_ctx_t *c, int (*fn)(const an_arow_t *r, void *arg, char *err, size_t errlen),
            void *arg, char *err, size_t errlen)
{
    scan_call_t sc = {.c = c, .fn = fn, .arg = arg};
    sqlite3_stmt *st = NULL;
    int rc, nargs = c->sample_rate > 0 ? 7 : 6; /* weight matters in sampled recordings */
    if (an_db_int64(c->d, SCAN_BASE_SQL("pid_base"), 0, &sc.pid_base, err, errlen) != 0 ||
        an_db_int64(c->d, SCAN_BASE_SQL("ns_base"), 0, &sc.ns_base, err, errlen) != 0)
        return -1;
    if (sqlite3_create_function(c->d->db, "heapql_scan", nargs, SQLITE_UTF8, &sc, NULL,
                                scan_step, scan_final) != SQLITE_OK ||
        sqlite3_prepare_v2(c->d->db,
                           nargs == 7 ? "SELECT heapql_scan(rowid, who, size, callsite_id, alloc_ns, "
                                        "lifetime_ns, weight) FROM alloc_rows NOT INDEXED"
                                      : "SELECT heapql_scan(rowid, who, size, callsite_id, alloc_ns, "
                                        "lifetime_ns) FROM alloc_rows NOT INDEXED",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(c->d->db));
        return -1;
    }
    rc = sqlite3_step(st);
    if (sc.failed)
        snprintf(err, errlen, "%s", sc.err);
    else if (rc != SQLITE_ROW)
        snprintf(err, errlen, "database error reading allocations: %s", sqlite3_errmsg(c->d->db));
    sqlite3_finalize(st);
    /* the function points at this stack frame: take it away again */
    sqlite3_create_function(c->d->db, "heapql_scan", nargs, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    return !sc.failed && rc == SQLITE_ROW ? 0 : -1;
}

/* ---- process images ------------------------------------------------------ */

int an_procs_load(an_db_t *d, an_procs_t *p, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;
    memset(p, 0, sizeof *p);
    if (sqlite3_prepare_v2(d->db, "SELECT pid, start_ns, end_ns, peak_ns FROM processes "
                           "ORDER BY pid, start_ns", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->n == cap) {
            an_pimage_t *v = realloc(p->v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            if (!v) {
                sqlite3_finalize(st);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            p->v = v;
        }
        an_pimage_t *x = &p->v[p->n++];
        x->pid = sqlite3_column_int64(st, 0);
        x->start_ns = sqlite3_column_int64(st, 1);
        x->end_ns = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
        x->peak_ns = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        return -1;
    }
    return 0;
}

/* The last image of pid started at or before ns (the first one if ns is
 * before all of them). */
long long an_procs_peak(an_procs_t *p, long long pid, long long ns)
{
    size_t lo = 0, hi = p->n, best = (size_t)-1;
    an_pimage_t *h = p->last < p->n ? &p->v[p->last] : NULL;
    if (h && h->pid == pid && h->start_ns <= ns &&
        (p->last + 1 == p->n || p->v[p->last + 1].pid != pid || p->v[p->last + 1].start_ns > ns))
        return h->peak_ns;
    while (lo < hi) { /* first index with (pid, start) > (pid, ns) */
        size_t mid = (lo + hi) / 2;
        const an_pimage_t *m = &p->v[mid];
        if (m->pid < pid || (m->pid == pid && m->start_ns <= ns))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && p->v[lo - 1].pid == pid)
        best = lo - 1;
    else if (lo < p->n && p->v[lo].pid == pid)
        best = lo;
    if (best == (size_t)-1)
        return -1;
    p->last = best;
    return p->v[best].peak_ns;
}

void an_procs_free(an_procs_t *p)
{
    if (p) {
        free(p->v);
        memset(p, 0, sizeof *p);
    }
}
