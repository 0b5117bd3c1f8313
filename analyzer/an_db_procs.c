/*
 * an_db_procs.c -- the processes table as rows, for the summaries of the
 * report and of the TUI (an_db.h).
 */
#include "an_db.h"

#include <stdio.h>
#include <stdlib.h>

static long long procs_col(sqlite3_stmt *st, int i, long long null)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? null : sqlite3_column_int64(st, i);
}

static void procs_text(sqlite3_stmt *st, int i, char *buf, size_t len, const char *fallback)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    snprintf(buf, len, "%s", t ? t : fallback);
}

/* Columns 0-5 and 8-9 may be NULL (-1); the counts read NULL as 0. */
static void procs_row(sqlite3_stmt *st, an_proc_t *p)
{
    long long *v[] = {&p->pid, &p->ppid, &p->start_ns, &p->end_ns, &p->exit_code,
                      &p->exit_signal, &p->peak_bytes, &p->peak_blocks, &p->peak_ns,
                      &p->peak_rss, &p->allocs, &p->frees, &p->failed, &p->unknown_frees,
                      &p->ring_waits, &p->ring_wait_ns, &p->lost_events};
    for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
        *v[i] = procs_col(st, i, i < 6 || i == 8 || i == 9 ? -1 : 0);
    procs_text(st, 17, p->exe, sizeof p->exe, "?");
    procs_text(st, 18, p->end_reason, sizeof p->end_reason, "");
    procs_text(st, 19, p->cmdline, sizeof p->cmdline, "");
}

int an_db_procs(an_db_t *d, an_proc_t **out, size_t *n, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    an_proc_t *rows = NULL, *v;
    size_t cap = 0, k = 0;
    int rc;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(d->db,
                           "SELECT pid, ppid, start_ns, end_ns, exit_code, exit_signal, "
                           "peak_heap_bytes, peak_heap_blocks, peak_ns, peak_rss_bytes, "
                           "alloc_calls, free_calls, failed_allocs, unknown_frees, ring_waits, "
                           "ring_wait_ns, lost_events, exe, end_reason, cmdline FROM processes "
                           "ORDER BY start_ns, id", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            if (!(v = realloc(rows, (cap = cap ? cap * 2 : 8) * sizeof *v))) {
                rc = SQLITE_NOMEM;
                break;
            }
            rows = v;
        }
        procs_row(st, &rows[k++]);
    }
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_NOMEM)
            snprintf(err, errlen, "out of memory");
        else
            snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        sqlite3_finalize(st);
        free(rows);
        return -1;
    }
    sqlite3_finalize(st);
    *out = rows;
    *n = k;
    return 0;
}
