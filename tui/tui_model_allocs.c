/*
 * tui_model_allocs.c -- the raw rows of one stack for the Allocations
 * view.  `allocations` has no index on callsite_id (the recorder writes
 * only what it must), so paging with LIMIT/OFFSET would rescan the table
 * for every page of a rare stack.  Instead one scan (about a second on
 * 10M rows, off the UI thread, interruptible) keeps the stack's rows in
 * memory, and every page after that is an array slice.
 */
#include "tui_model.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int al_push(tui_allocs_t *a, size_t *cap, const tui_arow_t *r)
{
    if (a->n == *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        tui_arow_t *v = realloc(a->v, c * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        *cap = c;
    }
    a->v[a->n++] = *r;
    return 0;
}

static int al_prepare(an_db_t *d, const tui_allocs_req_t *r, sqlite3_stmt **st)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT id, ptr, size, tid, alloc_ns, free_ns FROM allocations WHERE %s%s",
             r->callsite == LLONG_MIN ? "callsite_id IS NULL" : "callsite_id = ?1",
             r->window ? " AND alloc_ns BETWEEN ?2 AND ?3" : "");
    if (sqlite3_prepare_v2(d->db, sql, -1, st, NULL) != SQLITE_OK)
        return -1;
    if (r->callsite != LLONG_MIN)
        sqlite3_bind_int64(*st, 1, r->callsite);
    if (r->window) {
        sqlite3_bind_int64(*st, 2, r->from_ns);
        sqlite3_bind_int64(*st, 3, r->to_ns);
    }
    return 0;
}

int tui_allocs_load(an_db_t *d, const tui_allocs_req_t *r, tui_allocs_t **out, char *err,
                    size_t errlen)
{
    tui_allocs_t *a = calloc(1, sizeof *a);
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc = SQLITE_ERROR;
    *out = NULL;
    if (!a || al_prepare(d, r, &st) != 0)
        goto fail;
    a->callsite = r->callsite;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tui_arow_t row = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                          sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                          sqlite3_column_int64(st, 4),
                          sqlite3_column_type(st, 5) == SQLITE_NULL ? -1
                                                                    : sqlite3_column_int64(st, 5)};
        a->matched++;
        if (a->n >= TUI_ALLOCS_MAX) {
            a->capped = 1;
            continue;
        }
        if (al_push(a, &cap, &row) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    *out = a;
    return 0;
fail:
    snprintf(err, errlen, rc == SQLITE_NOMEM || !a ? "out of memory" : "database error: %s",
             sqlite3_errmsg(d->db));
    sqlite3_finalize(st);
    tui_allocs_free(a);
    return -1;
}

void tui_allocs_free(tui_allocs_t *a)
{
    if (!a)
        return;
    free(a->v);
    free(a);
}

static long long al_life(const tui_arow_t *r)
{
    return r->free_ns < 0 ? LLONG_MAX : r->free_ns - r->alloc_ns;
}

static int al_cmp(const void *pa, const void *pb, void *arg)
{
    const tui_arow_t *a = pa, *b = pb;
    int key = ((const int *)arg)[0], rev = ((const int *)arg)[1], r;
    long long x = key == TUI_AS_SIZE ? a->size : key == TUI_AS_LIFE ? al_life(a) : 0;
    long long y = key == TUI_AS_SIZE ? b->size : key == TUI_AS_LIFE ? al_life(b) : 0;
    if (key == TUI_AS_TIME || x == y) /* time ascending; ties in time order */
        r = a->alloc_ns != b->alloc_ns ? (a->alloc_ns < b->alloc_ns ? -1 : 1)
                                       : (a->id < b->id ? -1 : a->id > b->id);
    else
        r = x > y ? -1 : 1;
    return rev ? -r : r;
}

void tui_allocs_sort(tui_allocs_t *a, int key, int reverse)
{
    int arg[2] = {key, reverse};
    if (a && a->n > 1)
        qsort_r(a->v, a->n, sizeof *a->v, al_cmp, arg);
}
