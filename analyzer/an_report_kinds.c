/*
 * an_report_kinds.c -- allocation calls per kind, for the summary.
 *
 * A finished recording has them in kind_stats (written by the collector at
 * the end, all rows at once; also in aggregated recordings): a handful of
 * rows.  Otherwise (a recording still being written, one that ended before
 * the collector could write them, a file older than kind_stats) they are
 * counted from allocations, the one full scan the summary then makes,
 * tuned for it (10M rows, measured):
 *   - a C aggregate (heapql_kinds) instead of GROUP BY, which sorts every
 *     row: 4.4 s against 0.42 s of CPU;
 *   - the kind column only: decoding size as well doubles the cost, so
 *     bytes per kind are not shown;
 *   - the rowid range split over one read-only connection per CPU (up to
 *     8), each on its own thread.
 * Small tables are counted on the caller's connection alone.  A sampled
 * recording (small by design) sums the rows' weights in SQL; an aggregated
 * one without kind_stats has no rows, so no kinds.
 */
#include "an_report_summary.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KINDS_MAX 256          /* kinds at or above land in the last slot */
#define KINDS_THREADS_MAX 8
#define KINDS_ROWS_PER_THREAD 500000

typedef struct kinds_acc_s {
    long long count[KINDS_MAX];
} kinds_acc_t;

typedef struct kinds_job_s {
    sqlite3 *db;        /* NULL: open path read-only */
    const char *path;
    long long lo, hi;   /* rowid range [lo, hi] */
    kinds_acc_t acc;
    int rc;
    char err[256];
} kinds_job_t;

static void kinds_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    kinds_acc_t *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (!a)
        return;
    long long k = sqlite3_value_int64(argv[0]);
    k = k < 0 || k >= KINDS_MAX ? KINDS_MAX - 1 : k;
    a->count[k]++;
}

static void kinds_final(sqlite3_context *ctx)
{
    kinds_acc_t *a = sqlite3_aggregate_context(ctx, 0);
    if (a)
        sqlite3_result_blob(ctx, a, sizeof *a, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

static int kinds_run(kinds_job_t *j, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_create_function(db, "heapql_kinds", 1, SQLITE_UTF8, NULL, NULL, kinds_step,
                                kinds_final) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT heapql_kinds(kind) FROM allocations "
                           "WHERE id BETWEEN ?1 AND ?2", -1, &st, NULL) != SQLITE_OK) {
        snprintf(j->err, sizeof j->err, "database error: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, j->lo);
    sqlite3_bind_int64(st, 2, j->hi);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == sizeof j->acc)
        memcpy(&j->acc, sqlite3_column_blob(st, 0), sizeof j->acc);
    if (rc != SQLITE_ROW)
        snprintf(j->err, sizeof j->err, "database error: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static void *kinds_thread(void *arg)
{
    kinds_job_t *j = arg;
    sqlite3 *db = j->db;
    if (!db && sqlite3_open_v2(j->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(j->err, sizeof j->err, "cannot open %s: %s", j->path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        j->rc = -1;
    } else {
        sqlite3_busy_timeout(db, 5000);
        j->rc = kinds_run(j, db);
    }
    if (!j->db)
        sqlite3_close(db);
    return NULL;
}

static int kinds_threads(unsigned long long rows)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned long long t = rows / KINDS_ROWS_PER_THREAD;
    if (cpus > 0 && t > (unsigned long long)cpus)
        t = (unsigned long long)cpus;
    if (t > KINDS_THREADS_MAX)
        t = KINDS_THREADS_MAX;
    return t < 1 ? 1 : (int)t;
}

/* Split [lo, hi] over n jobs; job 0 runs on the caller's connection.  In
 * unsigned arithmetic: a hostile file's ids may span more than a long long. */
static int kinds_parallel(an_ctx_t *c, kinds_job_t *jobs, int n, long long lo, long long hi,
                          char *err, size_t errlen)
{
    pthread_t th[KINDS_THREADS_MAX];
    int started[KINDS_THREADS_MAX] = {0}, rc = 0;
    const char *path = sqlite3_db_filename(c->d->db, "main");
    unsigned long long span = ((unsigned long long)hi - (unsigned long long)lo) / (unsigned)n + 1;
    for (int i = 0; i < n; i++) {
        jobs[i].db = i == 0 || !path || !*path ? c->d->db : NULL;
        jobs[i].path = path;
        jobs[i].lo = (long long)((unsigned long long)lo + span * (unsigned)i);
        jobs[i].hi = i == n - 1 ? hi
                                : (long long)((unsigned long long)lo + span * (unsigned)(i + 1) - 1);
    }
    for (int i = 1; i < n; i++)
        if (jobs[i].db == NULL)
            started[i] = pthread_create(&th[i], NULL, kinds_thread, &jobs[i]) == 0;
    for (int i = 0; i < n; i++)
        if (!started[i])
            kinds_thread(&jobs[i]); /* here: job 0, and any thread that did not start */
    for (int i = 1; i < n; i++)
        if (started[i])
            pthread_join(th[i], NULL);
    for (int i = 0; i < n && rc == 0; i++)
        if (jobs[i].rc != 0) {
            snprintf(err, errlen, "%s", jobs[i].err);
            rc = -1;
        }
    return rc;
}

static int kinds_name(an_ctx_t *c, long long kind, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(c->d->db, "SELECT name FROM kinds WHERE id = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, kind);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(buf, len, "%s", sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (!buf[0])
        snprintf(buf, len, kind == KINDS_MAX - 1 ? "other kinds" : "kind %lld", kind);
    return 0;
}

static int kinds_cmp(const void *pa, const void *pb)
{
    const sum_kind_t *a = pa, *b = pb;
    return a->count != b->count ? (a->count > b->count ? -1 : 1) : strcmp(a->name, b->name);
}

/* Calls per kind from a query of (kind, calls) rows, calls rounded: the
 * sampled rows' summed weights, or kind_stats. */
static int kinds_query(an_ctx_t *c, summary_t *s, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(c->d->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(c->d->db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && s->n_kinds < SUM_MAX_KINDS) {
        sum_kind_t *kd = &s->kinds[s->n_kinds++];
        long long k = sqlite3_column_int64(st, 0);
        kinds_name(c, k < 0 || k >= KINDS_MAX ? KINDS_MAX - 1 : k, kd->name, sizeof kd->name);
        kd->count = llround(sqlite3_column_double(st, 1));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(c->d->db));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return -1;
    if (s->n_kinds > 1)
        qsort(s->kinds, (size_t)s->n_kinds, sizeof *s->kinds, kinds_cmp);
    return 0;
}

/* 1: kind_stats holds the recording's kinds; 0: count them from the rows. */
static int kinds_have_table(an_ctx_t *c, char *err, size_t errlen)
{
    long long have = 0;
    if (c->d->live || c->d->crashed || !strcmp(c->d->status, "recording"))
        return 0;
    if (an_db_int64(c->d, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                    "AND name = 'kind_stats'", 0, &have, err, errlen) != 0)
        return -1;
    if (have && an_db_int64(c->d, "SELECT EXISTS (SELECT 1 FROM kind_stats)", 0, &have, err,
                            errlen) != 0)
        return -1;
    return have != 0;
}

int an_sum_kinds(an_ctx_t *c, summary_t *s, char *err, size_t errlen)
{
    kinds_job_t *jobs;
    long long lo = 0, hi = -1;
    int n, table = kinds_have_table(c, err, errlen);
    if (table != 0)
        return table < 0 ? -1
                         : kinds_query(c, s, "SELECT kind, total(alloc_count) FROM kind_stats "
                                       "GROUP BY kind", err, errlen);
    if (c->aggregate)
        return 0;
    if (c->sample_rate > 0)
        return kinds_query(c, s, "SELECT kind, sum(weight) FROM allocations GROUP BY kind", err,
                           errlen);
    if (an_db_int64(c->d, "SELECT min(id) FROM allocations", 0, &lo, err, errlen) != 0 ||
        an_db_int64(c->d, "SELECT max(id) FROM allocations", -1, &hi, err, errlen) != 0)
        return -1;
    if (hi < lo)
        return 0;
    n = kinds_threads((unsigned long long)hi - (unsigned long long)lo);
    if (!(jobs = calloc((size_t)n, sizeof *jobs))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = kinds_parallel(c, jobs, n, lo, hi, err, errlen);
    for (int k = 0; rc == 0 && k < KINDS_MAX && s->n_kinds < SUM_MAX_KINDS; k++) {
        long long cnt = 0;
        for (int i = 0; i < n; i++)
            cnt += jobs[i].acc.count[k];
        if (cnt == 0)
            continue;
        sum_kind_t *kd = &s->kinds[s->n_kinds++];
        kinds_name(c, k, kd->name, sizeof kd->name);
        kd->count = cnt;
    }
    free(jobs);
    if (rc == 0 && s->n_kinds > 1)
        qsort(s->kinds, (size_t)s->n_kinds, sizeof *s->kinds, kinds_cmp);
    return rc;
}
