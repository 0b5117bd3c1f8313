/*
 * coll_finish.c -- the end of a recording: every image ends (dead ones are
 * drained to their head, live ones are told to stop and end as 'running'
 * or 'detached'), per-callsite and per-kind totals, the final meta, and a
 * database that is one self-contained file again (WAL checkpointed,
 * journal_mode DELETE).
 *
 * Whatever fails, the file keeps a valid schema and a status that is not
 * 'complete': 'recording' until the final commit, 'truncated' when the
 * failure could still be written down.
 */
#include "coll_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hq_ring.h"

#define FINISH_BUSY_MS 2000 /* a live reader may hold the WAL a moment */

/* One callsite_stats row per leaf callsite slot with allocations (counts
 * from units to blocks: estimates in a sampled run). */
int coll_finish_stats(coll_t *c, coll_proc_t *p)
{
    coll_batch_t *rows = &c->batch[COLL_B_STATS];
    for (uint32_t i = 1; i < p->nslots; i++) {
        const coll_slot_t *s = &p->slots[i];
        int at_peak = s->snap_epoch == p->epoch;
        const int64_t v[] = {s->callsite_id, p->pid, (int64_t)coll_units(c, s->alloc_count),
                             (int64_t)s->alloc_bytes, (int64_t)s->usable_bytes,
                             (int64_t)coll_units(c, s->free_count),
                             (int64_t)coll_units(c, at_peak ? s->snap_blocks : s->live_blocks),
                             (int64_t)(at_peak ? s->snap_bytes : s->live_bytes),
                             (int64_t)coll_units(c, s->live_blocks), (int64_t)s->live_bytes,
                             (int64_t)coll_units(c, s->temporary_count),
                             (int64_t)s->failed_count};
        if (!s->alloc_count && !s->failed_count)
            continue;
        memcpy(coll_batch_slot(rows), v, sizeof v);
        if (coll_batch_push(rows) != 0)
            return coll_db_failed(c);
    }
    return 0;
}

static void finish_sleep_ms(int ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* Dead images: drain to their head (bounded by COLL_GRACE_NS each). */
static int finish_ending(coll_t *c)
{
    for (;;) {
        int left = 0;
        c->now = hq_now_ns();
        for (size_t i = 0; i < c->nprocs; i++) {
            coll_proc_t *p = c->procs[i];
            if (p->state != COLL_PROC_ENDING)
                continue;
            if (coll_proc_progress_end(c, p, c->now) != 0)
                return -1;
            left += p->state == COLL_PROC_ENDING;
        }
        if (!left)
            return 0;
        finish_sleep_ms(1);
    }
}

/* Live images: stop their shims, take what is in the ring, end them. */
static int finish_live(coll_t *c, coll_proc_t *p)
{
    int shim_gone = __atomic_load_n(&p->hdr->detached, __ATOMIC_ACQUIRE) != 0;
    long n;
    if (p->attached)
        c->attach_stop_ns = coll_rel_now(c); /* heapql attach detached from it */
    if (!shim_gone) {
        __atomic_store_n(&p->hdr->detached, 1, __ATOMIC_RELEASE);
        p->we_detached = 1;
    }
    while ((n = coll_drain_ring(c, p, COLL_DRAIN_MAX)) > 0)
        ;
    if (n < 0)
        return -1;
    return coll_proc_finalize(c, p, shim_gone || p->attached ? "detached" : "running", -1);
}

static int finish_procs(coll_t *c)
{
    c->now = hq_now_ns();
    for (size_t i = 0; i < c->nprocs; i++) {
        coll_proc_t *p = c->procs[i];
        if (p->state == COLL_PROC_LIVE && coll_watch_pidfd_ended(p->pidfd))
            coll_proc_begin_end(c, p, c->now);
    }
    if (finish_ending(c) != 0)
        return -1;
    for (size_t i = 0; i < c->nprocs; i++)
        if (c->procs[i]->state == COLL_PROC_LIVE && finish_live(c, c->procs[i]) != 0)
            return -1;
    return 0;
}

static void finish_summary(const coll_t *c, coll_summary_t *s)
{
    const coll_proc_t *peak = NULL;
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < c->nprocs; i++) {
        const coll_proc_t *p = c->procs[i];
        s->alloc_calls += coll_units(c, p->alloc_calls);
        s->free_calls += coll_units(c, p->free_calls);
        s->failed_allocs += p->failed_allocs;
        s->alloc_bytes += p->alloc_bytes;
        s->leaked_blocks += coll_units(c, p->leaked_blocks);
        s->leaked_bytes += p->leaked_bytes;
        s->ring_waits += p->ring_waits;
        if (p->pid == c->root_pid && (!peak || p->peak_bytes > peak->peak_bytes))
            peak = p;
    }
    for (size_t i = 0; !peak && i < c->nprocs; i++) /* no root image: the highest */
        if (i == 0 || c->procs[i]->peak_bytes > peak->peak_bytes)
            peak = c->procs[i];
    s->peak_bytes = peak ? peak->peak_bytes : 0;
    s->peak_ns = peak && peak->peak_ns > 0 ? (uint64_t)peak->peak_ns : 0;
    s->processes = c->nprocs;
    s->duration_ns = c->now - c->t0;
    s->truncated = c->truncated;
    snprintf(s->truncated_reason, sizeof s->truncated_reason, "%s", c->truncated ? c->reason : "");
    s->sample_rate = c->sample_rate;
    s->aggregate = c->aggregate;
}

/* CPU time of this process (the loop and the writer thread). */
static int64_t finish_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* heapql attach: when recording stopped (the target's end, or the detach). */
static int finish_attach_meta(coll_t *c)
{
    char iso[64];
    int64_t stop = -1;
    for (size_t i = 0; i < c->nprocs; i++)
        if (c->procs[i]->attached)
            stop = c->procs[i]->end_ns > 0 ? c->procs[i]->end_ns : c->attach_stop_ns;
    if (stop < 0)
        return 0;
    coll_db_iso_time(c->start_unix_ns + stop, iso, sizeof iso);
    return coll_db_meta_int(c, "attach_stop_ns", stop) || coll_db_meta_text(c, "attach_stop", iso)
               ? -1
               : 0;
}

static int finish_meta(coll_t *c, const coll_summary_t *s)
{
    char iso[64];
    uint64_t lost = 0, wait_ns = 0;
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    coll_db_iso_time((int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec, iso, sizeof iso);
    for (size_t i = 0; i < c->nprocs; i++) {
        lost += c->procs[i]->lost_events;
        wait_ns += c->procs[i]->ring_wait_ns;
    }
    return coll_db_meta_text(c, "status", c->truncated ? "truncated" : "complete") ||
           coll_db_meta_text(c, "truncated_reason", c->truncated ? c->reason : NULL) ||
           coll_db_meta_text(c, "end_time", iso) ||
           coll_db_meta_int(c, "duration_ns", (int64_t)s->duration_ns) ||
           coll_db_meta_int(c, "events_lost", (int64_t)lost) ||
           coll_db_meta_int(c, "ring_waits", (int64_t)s->ring_waits) ||
           coll_db_meta_int(c, "ring_wait_ns", (int64_t)wait_ns) ||
           coll_db_meta_int(c, "collector_cpu_ns", finish_cpu_ns()) || finish_attach_meta(c)
               ? -1
               : 0;
}

/* One self-contained file: best effort, a reader may still hold the WAL. */
static void finish_unwal(coll_t *c)
{
    sqlite3_busy_timeout(c->db, FINISH_BUSY_MS);
    sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL; PRAGMA wal_checkpoint(TRUNCATE);"
                        "PRAGMA journal_mode=DELETE;", NULL, NULL, NULL);
}

static int finish_commit(coll_t *c)
{
    if (coll_db_exec(c, "COMMIT") != 0)
        return -1;
    c->in_txn = 0;
    return 0;
}

/* Every row queued so far is in the database (or the run failed). */
static void finish_rows(coll_t *c)
{
    if (!c->failed)
        coll_db_flush(c);
    coll_writer_stop(&c->w);
    if (coll_writer_failed(&c->w, NULL, 0))
        coll_db_failed(c);
}

static int finish_kinds_proc(coll_t *c, sqlite3_stmt *st, const coll_proc_t *p)
{
    char msg[256];
    for (int k = 0; k < HQ_KIND_ALLOC_COUNT; k++) {
        if (!p->kind_calls[k])
            continue;
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_int64(st, 2, p->pid);
        sqlite3_bind_int(st, 3, k);
        sqlite3_bind_int64(st, 4, (int64_t)coll_units(c, p->kind_calls[k]));
        sqlite3_bind_int64(st, 5, (int64_t)p->kind_bytes[k]);
        if (sqlite3_step(st) != SQLITE_DONE)
            return coll_fail(c, "database error: %s", coll_db_errmsg(c->db, msg, sizeof msg));
        sqlite3_reset(st);
    }
    return 0;
}

/* kind_stats: what the summary would otherwise count in a scan of every
 * allocation.  All rows or none (a reader takes rows as complete); written
 * by the loop, the writer thread has stopped. */
static int finish_kinds(coll_t *c)
{
    sqlite3_stmt *st = NULL;
    int rc = coll_db_exec(c, "SAVEPOINT kinds");
    if (rc == 0 && sqlite3_prepare_v2(c->db, "INSERT INTO kind_stats(process_id, pid, kind, "
                                      "alloc_count, alloc_bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
                                      -1, &st, NULL) != SQLITE_OK)
        rc = coll_fail(c, "database error: %s", sqlite3_errmsg(c->db));
    for (size_t i = 0; rc == 0 && i < c->nprocs; i++)
        rc = finish_kinds_proc(c, st, c->procs[i]);
    sqlite3_finalize(st);
    if (rc == 0)
        return coll_db_exec(c, "RELEASE kinds");
    sqlite3_exec(c->db, "ROLLBACK TO kinds; RELEASE kinds", NULL, NULL, NULL);
    return -1;
}

int coll_finish_run(coll_t *c, int interrupted, coll_summary_t *s)
{
    if (interrupted)
        coll_truncate(c, "recording interrupted");
    coll_session_close(c); /* no new process joins a finished recording */
    if (!c->failed)
        finish_procs(c);
    finish_rows(c);
    c->now = hq_now_ns();
    finish_summary(c, s);
    /* The data first, then one file again, then the status: a reader that
     * sees 'complete' never races with the end of the WAL. */
    if (c->failed || finish_kinds(c) != 0 || coll_view_bake(c) != 0 || finish_commit(c) != 0) {
        coll_finish_abort(c, c->fail);
        finish_summary(c, s);
        return -1;
    }
    finish_unwal(c);
    if (c->before_complete)
        c->before_complete(c->db_path, c->before_complete_arg);
    if (coll_db_exec(c, "BEGIN") != 0 || (c->in_txn = 1, finish_meta(c, s) != 0) ||
        finish_commit(c) != 0) {
        coll_finish_abort(c, c->fail);
        finish_summary(c, s);
        return -1;
    }
    c->finished = 1;
    return 0;
}

/* Something went wrong: keep what was recorded, say why it is incomplete. */
void coll_finish_abort(coll_t *c, const char *reason)
{
    char why[COLL_REASON_LEN];
    snprintf(why, sizeof why, "%s", reason);
    c->finished = 1;
    coll_detach_all(c);
    if (!c->db)
        return;
    coll_writer_stop(&c->w);
    c->truncated = 0; /* this reason is the one that matters */
    coll_truncate(c, "%s", why);
    if (c->in_txn) {
        int saved = coll_db_flush(c) == 0 && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) == 0;
        if (!saved)
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
    c->in_txn = 0;
    finish_unwal(c);
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    if (c->sample_rate == 0) /* the finished shape, if it can be had (coll_view.c) */
        sqlite3_exec(c->db, "ALTER TABLE alloc_rows ADD COLUMN weight", NULL, NULL, NULL);
    coll_db_meta_text(c, "status", "truncated");
    coll_db_meta_text(c, "truncated_reason", c->reason);
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}
