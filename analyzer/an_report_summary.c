/*
 * an_report_summary.c -- `report summary`: what happened in the run.  Totals
 * come from the processes rows and callsite_stats (written at the end);
 * the breakdown by kind is the one scan (an_report_kinds.c).
 */
#include "an_report_summary.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long col_or(sqlite3_stmt *st, int i, long long fallback)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? fallback : sqlite3_column_int64(st, i);
}

static int sum_dberr(an_ctx_t *c, char *err, size_t errlen)
{
    snprintf(err, errlen, "database error: %s", sqlite3_errmsg(c->d->db));
    return -1;
}

/* The totals over the process images; the peak is the highest one's. */
static int sum_processes(an_ctx_t *c, summary_t *s, char *err, size_t errlen)
{
    if (an_db_procs(c->d, &s->procs, &s->n_procs, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < s->n_procs; i++) {
        const an_proc_t *p = &s->procs[i];
        if (p->peak_bytes > s->peak_bytes || s->peak_pid < 0) {
            s->peak_bytes = p->peak_bytes;
            s->peak_blocks = p->peak_blocks;
            s->peak_ns = p->peak_ns;
            s->peak_rss = p->peak_rss;
            s->peak_pid = p->pid;
        }
        s->allocs = an_sat_add(s->allocs, p->allocs);
        s->frees = an_sat_add(s->frees, p->frees);
        s->failed = an_sat_add(s->failed, p->failed);
        s->unknown_frees = an_sat_add(s->unknown_frees, p->unknown_frees);
        s->ring_waits = an_sat_add(s->ring_waits, p->ring_waits);
        s->ring_wait_ns = an_sat_add(s->ring_wait_ns, p->ring_wait_ns);
        s->lost_events = an_sat_add(s->lost_events, p->lost_events);
        if (!s->command[0] && p->cmdline[0])
            snprintf(s->command, sizeof s->command, "%s", p->cmdline);
    }
    return 0;
}

/* The RSS at the peak: the recorder's figure, else the last sample before. */
static int sum_peak_rss(an_ctx_t *c, summary_t *s, char *err, size_t errlen)
{
    char sql[256];
    if (s->peak_rss >= 0 || s->peak_ns < 0)
        return 0;
    snprintf(sql, sizeof sql, "SELECT rss_bytes FROM samples WHERE pid = %lld AND ns <= %lld "
             "AND rss_bytes IS NOT NULL ORDER BY ns DESC LIMIT 1", s->peak_pid, s->peak_ns);
    return an_db_int64(c->d, sql, -1, &s->peak_rss, err, errlen);
}

/* No peak in processes yet (still recording): the highest sample. */
static int sum_peak_samples(an_ctx_t *c, summary_t *s, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(c->d->db, "SELECT heap_bytes, heap_blocks, ns, rss_bytes, pid "
                           "FROM samples ORDER BY heap_bytes DESC, ns LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return sum_dberr(c, err, errlen);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
        s->peak_bytes = sqlite3_column_int64(st, 0);
        s->peak_blocks = sqlite3_column_int64(st, 1);
        s->peak_ns = sqlite3_column_int64(st, 2);
        s->peak_rss = col_or(st, 3, -1);
        s->peak_pid = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sum_dberr(c, err, errlen);
}

/* Run time: the recorder's figure when it wrote one, else the last thing
 * that happened (a process end, a sample, the last allocation). */
static int sum_run_time(an_ctx_t *c, summary_t *s, char *err, size_t errlen)
{
    char buf[64];
    long long v = 0;
    an_db_meta(c->d, "duration_ns", buf, sizeof buf);
    if (buf[0]) {
        s->run_ns = atoll(buf);
        return 0;
    }
    if (an_db_int64(c->d,
                    "SELECT max(ifnull((SELECT max(end_ns) FROM processes), 0),"
                    " ifnull((SELECT max(ns) FROM samples), 0),"
                    " ifnull((SELECT max(alloc_ns, ifnull(free_ns, 0)) FROM allocations "
                    "ORDER BY id DESC LIMIT 1), 0))", 0, &v, err, errlen) != 0)
        return -1;
    s->run_ns = v;
    return 0;
}

static void sum_meta(an_ctx_t *c, summary_t *s)
{
    static const char *const reason_keys[] = {"truncated_reason", "status_reason", "reason"};
    static const char *const command_keys[] = {"command", "cmdline"};
    char buf[64];
    for (size_t i = 0; i < 2 && !s->command[0]; i++)
        an_db_meta(c->d, command_keys[i], s->command, sizeof s->command);
    for (size_t i = 0; i < 3 && !s->reason[0]; i++)
        an_db_meta(c->d, reason_keys[i], s->reason, sizeof s->reason);
    an_db_meta(c->d, "start_unix_ns", buf, sizeof buf);
    s->start_unix_ns = buf[0] ? atoll(buf) : -1;
}

/* A recording in progress has no process totals yet: use the rows. */
static void sum_from_stats(an_ctx_t *c, summary_t *s)
{
    an_stat_t t = {0};
    for (size_t i = 0; i < c->n_stats; i++)
        an_stat_add(&t, &c->stats[i]);
    s->bytes = t.bytes;
    s->temporary = t.temporary;
    s->leaked_bytes = t.leaked_bytes;
    s->leaked_blocks = t.leaked_blocks;
    if (c->scanned && s->allocs < t.allocs) {
        s->allocs = t.allocs;
        s->frees = t.frees;
    }
    if (s->failed < t.failed)
        s->failed = t.failed;
}

int an_sum_gather(an_ctx_t *c, summary_t *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->peak_pid = -1;
    s->peak_ns = -1;
    s->peak_rss = -1;
    sum_meta(c, s);
    if (sum_processes(c, s, err, errlen) != 0 || an_sum_kinds(c, s, err, errlen) != 0 ||
        sum_peak_rss(c, s, err, errlen) != 0 || sum_run_time(c, s, err, errlen) != 0)
        return -1;
    if (c->sample_rate > 0 && /* the column exists since sampling does */
        an_db_int64(c->d, "SELECT sum(unsampled_frees) FROM processes", 0, &s->unsampled_frees,
                    err, errlen) != 0)
        return -1;
    sum_from_stats(c, s);
    if (s->peak_bytes == 0 && sum_peak_samples(c, s, err, errlen) != 0)
        return -1;
    return an_top_compute(c, AN_M_PEAK, 0, &s->top, err, errlen);
}

void an_sum_free(summary_t *s)
{
    free(s->procs);
    an_top_free(&s->top);
    memset(s, 0, sizeof *s);
}

int an_report_summary(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    summary_t s;
    int rc = -1;
    memset(&s, 0, sizeof s);
    if (an_ctx_open(&c, d, o, out, 0, err, errlen) == 0 && an_ctx_stats(&c, 0, err, errlen) == 0 &&
        an_sum_gather(&c, &s, err, errlen) == 0)
        rc = an_sum_write(&c, &s, err, errlen);
    an_sum_free(&s);
    an_ctx_close(&c);
    return rc;
}
