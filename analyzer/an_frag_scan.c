/*
 * an_frag_scan.c -- one pass over the image's allocations (see
 * an_frag_scan in an_frag_int.h), in the table's order: the series takes
 * rows in any order, so nothing is sorted.
 */
#include "an_frag_int.h"

#include <stdio.h>
#include <stdlib.h>

static const char scan_sql[] =
    "SELECT ptr, size, usable_size, callsite_id, alloc_ns, free_ns FROM allocations "
    "WHERE pid = ?1 AND alloc_ns BETWEEN ?2 AND ?3";

int an_frag_site_of(an_frag_model_t *m, an_frag_hmap_t *ids, long long callsite_id)
{
    int created;
    int64_t *slot = an_frag_hmap_at(ids, (uint64_t)callsite_id, &created);
    if (!slot)
        return -1;
    if (!created)
        return (int)*slot;
    *slot = (int64_t)m->nsites;
    if (an_frag_grow((void **)&m->sites, m->nsites, &m->sites_cap, sizeof *m->sites) != 0)
        return -1;
    m->sites[m->nsites] = (an_frag_site_t){.callsite_id = callsite_id, .min_size = UINT64_MAX,
                                           .life_med = -1};
    return (int)m->nsites++;
}

static void scan_site_add(an_frag_site_t *s, const an_frag_blk_t *b)
{
    s->blocks++;
    s->live_bytes += (long long)b->size;
    s->usable_bytes += (long long)b->usable;
    if (b->size < s->min_size)
        s->min_size = b->size;
    if (b->size > s->max_size)
        s->max_size = b->size;
}

static int scan_live(an_frag_model_t *m, an_frag_hmap_t *ids, an_frag_live_t *live,
                     an_frag_blk_t *b, long long callsite_id)
{
    int site = an_frag_site_of(m, ids, callsite_id);
    if (site < 0 || an_frag_grow((void **)&live->v, live->n, &live->cap, sizeof *b) != 0)
        return -1;
    b->site = (uint32_t)site;
    scan_site_add(&m->sites[site], b);
    live->v[live->n++] = *b;
    return 0;
}

/* 0, or -1 for a row no recording can hold (its arithmetic would overflow). */
static int scan_row(sqlite3_stmt *st, an_frag_blk_t *b, long long *callsite_id)
{
    uint64_t ext;
    long long ptr = sqlite3_column_int64(st, 0), size = sqlite3_column_int64(st, 1);
    long long usable = sqlite3_column_int64(st, 2);
    if (ptr < 0 || ptr > INT64_MAX - 2 * AN_DB_MAX_SIZE || size < 0 || size > AN_DB_MAX_SIZE ||
        usable < 0 || usable > AN_DB_MAX_SIZE || sqlite3_column_int64(st, 4) < 0 ||
        (sqlite3_column_type(st, 5) != SQLITE_NULL &&
         (sqlite3_column_int64(st, 5) < 0 || sqlite3_column_int64(st, 5) > AN_DB_MAX_NS)))
        return -1;
    b->ptr = (uint64_t)sqlite3_column_int64(st, 0);
    b->size = (uint64_t)sqlite3_column_int64(st, 1);
    b->usable = (uint64_t)sqlite3_column_int64(st, 2);
    *callsite_id = sqlite3_column_int64(st, 3); /* NULL reads as 0 */
    b->alloc_ns = sqlite3_column_int64(st, 4);
    b->free_ns = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5);
    ext = b->usable > b->size ? b->usable : b->size;
    b->end = b->ptr + (ext ? ext : 1);
    b->flags = 0;
    return 0;
}

/* Rows into the sweep (when sw) and the live set. */
static int scan_loop(sqlite3_stmt *st, const an_frag_sel_t *sel, an_frag_sweep_t *sw,
                     an_frag_model_t *m, an_frag_hmap_t *ids, an_frag_live_t *live)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        an_frag_blk_t b;
        long long cs;
        if (scan_row(st, &b, &cs) != 0)
            return -3;
        if (sw && an_frag_sweep_feed(sw, b.ptr, b.end, b.size, b.alloc_ns, b.free_ns) != 0)
            return -2;
        if (b.alloc_ns <= sel->t_ns && (b.free_ns < 0 || b.free_ns > sel->t_ns) &&
            scan_live(m, ids, live, &b, cs) != 0)
            return -2;
    }
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int an_frag_scan(an_db_t *db, const an_frag_sel_t *sel, int points, an_frag_model_t *m,
                 an_frag_hmap_t *ids, an_frag_live_t *live, char *err, size_t len)
{
    sqlite3_stmt *st = NULL;
    an_frag_sweep_t *sw = NULL;
    int rc = -2;
    if (points > 0 && !(sw = an_frag_sweep_new(sel->start_ns, sel->end_ns, points)))
        goto out;
    rc = -1;
    if (sqlite3_prepare_v2(db->db, scan_sql, -1, &st, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_int64(st, 1, sel->pid);
    sqlite3_bind_int64(st, 2, sel->start_ns);
    sqlite3_bind_int64(st, 3, sel->end_ns);
    rc = scan_loop(st, sel, sw, m, ids, live);
    if (rc == 0 && sw && an_frag_sweep_finish(sw, m) != 0)
        rc = -2;
out:
    if (rc == -1)
        snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
    else if (rc == -2)
        snprintf(err, len, "out of memory");
    else if (rc == -3)
        snprintf(err, len, "an allocation of pid %lld has an impossible address, size or time "
                 "(damaged database)", sel->pid);
    sqlite3_finalize(st);
    an_frag_sweep_free(sw);
    return rc == 0 ? 0 : -1;
}
