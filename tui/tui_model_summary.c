/* tui_model_summary.c -- the figures of the Summary view: meta, the
 * processes rows, totals over callsite_stats, the peak and the samples.
 * Everything here is an aggregate or a small table, so it stays instant
 * on 10M allocations; a recording in progress has no totals yet (the
 * snapshot's scan supplies them). */
#include "tui_model.h"

#include <stdlib.h>
#include <string.h>

static int sum_dberr(an_db_t *d, char *err, size_t errlen)
{
    snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
    return -1;
}

/* The totals over the process images; the peak is the highest one's
 * that has one. */
static int sum_procs(an_db_t *d, tui_summary_t *s, char *err, size_t errlen)
{
    if (an_db_procs(d, &s->procs, &s->nprocs, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < s->nprocs; i++) {
        const an_proc_t *p = &s->procs[i];
        if (p->peak_ns >= 0 && (p->peak_bytes > s->peak_bytes || s->peak_pid < 0)) {
            s->peak_bytes = p->peak_bytes;
            s->peak_blocks = p->peak_blocks;
            s->peak_ns = p->peak_ns;
            s->peak_rss = p->peak_rss;
            s->peak_pid = p->pid;
        }
        s->allocs += p->allocs;
        s->frees += p->frees;
        s->failed += p->failed;
        if (!s->command[0] && p->cmdline[0])
            snprintf(s->command, sizeof s->command, "%s", p->cmdline);
    }
    return 0;
}

static int sum_totals(an_db_t *d, tui_summary_t *s, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(d->db, "SELECT count(*), sum(alloc_bytes), sum(leaked_bytes), "
                           "sum(leaked_blocks), sum(temporary_count) FROM callsite_stats", -1,
                           &st, NULL) != SQLITE_OK)
        return sum_dberr(d, err, errlen);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s->has_totals = sqlite3_column_int64(st, 0) > 0;
        s->bytes = sqlite3_column_int64(st, 1);
        s->leaked_bytes = sqlite3_column_int64(st, 2);
        s->leaked_blocks = sqlite3_column_int64(st, 3);
        s->temporary = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : sum_dberr(d, err, errlen);
}

/* No peak in processes yet (still recording): the highest sample so far. */
static void sum_peak_from_series(tui_summary_t *s)
{
    const tui_series_t *v = &s->series;
    for (size_t i = 0; i < v->n; i++)
        if (v->heap[i] > s->peak_bytes || (s->peak_ns < 0 && v->heap[i] > 0)) {
            s->peak_bytes = v->heap[i];
            s->peak_blocks = v->blocks[i];
            s->peak_ns = v->ns[i];
            s->peak_rss = v->rss[i];
        }
}

/* The samples (every ~10 ms) may miss the recorder's exact peak: the chart
 * gets it as a point of its own. */
static int sum_peak_missing(const tui_summary_t *s)
{
    for (size_t i = 0; i < s->series.n; i++)
        if (s->series.heap[i] >= s->peak_bytes)
            return 0;
    return s->peak_bytes > 0;
}

/* RSS at the peak when the recorder did not write it: the sample before. */
static void sum_peak_rss(tui_summary_t *s)
{
    long i;
    if (s->peak_rss >= 0 || s->peak_ns < 0)
        return;
    if ((i = tui_series_at(&s->series, s->peak_ns)) >= 0)
        s->peak_rss = s->series.rss[i];
}

static int sum_run_time(an_db_t *d, tui_summary_t *s, char *err, size_t errlen)
{
    char buf[64];
    an_db_meta(d, "duration_ns", buf, sizeof buf);
    if (buf[0] && atoll(buf) > 0) {
        s->run_ns = atoll(buf);
        return 0;
    }
    return an_db_int64(d,
                       "SELECT max(ifnull((SELECT max(ifnull(end_ns, start_ns)) FROM processes), 0),"
                       " ifnull((SELECT max(ns) FROM samples), 0),"
                       " ifnull((SELECT max(alloc_ns, ifnull(free_ns, 0)) FROM allocations "
                       "ORDER BY id DESC LIMIT 1), 0))", 0, &s->run_ns, err, errlen);
}

static int sum_gather(an_db_t *d, tui_summary_t *s, char *err, size_t errlen)
{
    s->peak_pid = s->peak_ns = s->peak_rss = -1;
    s->heap_now = s->rss_now = -1;
    if (tui_state_read(d, &s->state, err, errlen) != 0)
        return -1;
    an_db_meta(d, "command", s->command, sizeof s->command);
    if (sum_procs(d, s, err, errlen) != 0 || sum_totals(d, s, err, errlen) != 0 ||
        tui_series_load(d, &s->series, err, errlen) != 0 || sum_run_time(d, s, err, errlen) != 0)
        return -1;
    if (s->peak_ns < 0)
        sum_peak_from_series(s);
    else if (s->nprocs == 1 && sum_peak_missing(s) && tui_series_insert(&s->series, s->peak_ns, s->peak_bytes,
                                                      s->peak_blocks) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sum_peak_rss(s);
    if (s->series.n) {
        s->heap_now = s->series.heap[s->series.n - 1];
        s->rss_now = s->series.rss[s->series.n - 1];
    }
    return 0;
}

int tui_summary_load(an_db_t *d, tui_summary_t **out, char *err, size_t errlen)
{
    tui_summary_t *s = calloc(1, sizeof *s);
    int began = sqlite3_get_autocommit(d->db);
    *out = NULL;
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* one read transaction: every figure from the same commit */
    if (began && sqlite3_exec(d->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        tui_summary_free(s);
        return sum_dberr(d, err, errlen);
    }
    int rc = sum_gather(d, s, err, errlen);
    if (began)
        sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
    if (rc != 0) {
        tui_summary_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void tui_summary_free(tui_summary_t *s)
{
    if (!s)
        return;
    free(s->procs);
    tui_series_free(&s->series);
    free(s);
}
