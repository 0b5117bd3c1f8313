/* an_export_massif_scan.c -- one scan of a process image's allocations
 * measures every snapshot at once: each block adds its size to the
 * snapshots it is live at (a range of them, kept as a difference array)
 * and, per call site, to the detailed snapshots in that range. */
#include "an_export_massif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* %s: the weight column of sampled runs, or 1 where the file has none. */
static const char ms_scan_sql[] =
    "SELECT size, usable_size, callsite_id, alloc_ns, free_ns, %s FROM allocations "
    "WHERE pid = ?1 AND alloc_ns >= ?2 AND alloc_ns <= ?3";

/* First snapshot at or after ns (n_snaps when none). */
static int ms_first_at(const ms_t *m, long long ns)
{
    int lo = 0, hi = m->n_snaps;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (m->snaps[mid].ns < ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int ms_detail_add(ms_detail_t *d, int node, long long bytes)
{
    int i = an_map_get(&d->ix, node);
    if (i >= 0) {
        d->sites[i].bytes += bytes;
        return 0;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        ms_site_t *v = realloc(d->sites, cap * sizeof *v);
        if (!v)
            return -1;
        d->sites = v;
        d->cap = cap;
    }
    d->sites[d->n] = (ms_site_t){node, bytes};
    return an_map_put(&d->ix, node, (int)d->n++);
}

typedef struct ms_row_s {
    long long size, usable, alloc_ns, free_ns; /* free_ns -1: never freed */
    int node;
} ms_row_t;

static int ms_row_add(ms_t *m, const ms_row_t *r, long long *dheap, long long *dextra,
                      long long *dcum)
{
    int k0 = ms_first_at(m, r->alloc_ns);
    int k1 = r->free_ns < 0 ? m->n_snaps : ms_first_at(m, r->free_ns);
    dcum[k0] += r->size;
    if (k0 >= k1)
        return 0;
    dheap[k0] += r->size;
    dheap[k1] -= r->size;
    dextra[k0] += r->usable - r->size;
    dextra[k1] -= r->usable - r->size;
    for (int k = k0; k < k1; k++)
        if (m->snaps[k].detail >= 0 &&
            ms_detail_add(&m->details[m->snaps[k].detail], r->node, r->size) != 0)
            return -1;
    return 0;
}

static void ms_read_row(ms_t *m, sqlite3_stmt *st, ms_row_t *r)
{
    double w = sqlite3_column_double(st, 5);
    r->size = llround((double)sqlite3_column_int64(st, 0) * w);
    r->usable = llround((double)sqlite3_column_int64(st, 1) * w);
    r->node = -1;
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        r->node = an_tree_find(m->c.tree, sqlite3_column_int64(st, 2));
    if (r->node < 0)
        r->node = m->c.unknown_node;
    r->alloc_ns = sqlite3_column_int64(st, 3);
    r->free_ns = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
}

/* Prefix sums of the difference arrays into the snapshots. */
static void ms_sum(ms_t *m, const long long *dheap, const long long *dextra,
                   const long long *dcum)
{
    long long heap = 0, extra = 0, cum = 0;
    for (int k = 0; k < m->n_snaps; k++) {
        heap += dheap[k];
        extra += dextra[k];
        cum += dcum[k];
        m->snaps[k].heap = heap;
        m->snaps[k].extra = extra;
        m->snaps[k].cum = cum;
    }
}

static int ms_rows(ms_t *m, sqlite3_stmt *st, long long *d, char *err, size_t errlen)
{
    size_t n = (size_t)m->n_snaps + 1;
    ms_row_t r;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ms_read_row(m, st, &r);
        if (ms_row_add(m, &r, d, d + n, d + 2 * n) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "database error reading allocations: %s",
                 sqlite3_errmsg(m->c.d->db));
        return -1;
    }
    ms_sum(m, d, d + n, d + 2 * n);
    return 0;
}

int ms_scan(ms_t *m, char *err, size_t errlen)
{
    sqlite3 *db = m->c.d->db;
    sqlite3_stmt *st = NULL;
    size_t n = (size_t)m->n_snaps + 1;
    long long *d = calloc(3 * n, sizeof *d);
    char sql[sizeof ms_scan_sql + 16];
    int rc = -1;
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(sql, sizeof sql, ms_scan_sql,
             an_export_has_column(m->c.d, "allocations", "weight") ? "weight" : "1.0");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
    } else {
        sqlite3_bind_int64(st, 1, m->img.pid);
        sqlite3_bind_int64(st, 2, m->img.start_ns);
        sqlite3_bind_int64(st, 3, m->img.end_ns);
        rc = ms_rows(m, st, d, err, errlen);
    }
    sqlite3_finalize(st);
    free(d);
    return rc;
}
