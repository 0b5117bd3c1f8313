/*
 * an_db.h -- open a heapql database for reading (or for the symbolizer's
 * writes), with the checks every analyzer entry point needs: the file is a
 * SQLite database, carries a heapql schema this build understands, and has
 * the tables of schema v1.  Errors are one line in the caller's buffer.
 */
#ifndef AN_DB_H
#define AN_DB_H

#include <stddef.h>
#include <sqlite3.h>

#define AN_SCHEMA_VERSION 1

/* Beyond these a size or a time read from a database is damage, not data
 * (the readers refuse it): no address space holds 2^56 bytes, no recording
 * lasts 2^62 ns (146 years). */
#define AN_DB_MAX_SIZE (1LL << 56)
#define AN_DB_MAX_NS (1LL << 62)

typedef struct an_db_s {
    sqlite3 *db;
    int schema_version;
    char status[16];   /* meta 'status': recording, complete, truncated */
    int live;          /* 1: status 'recording' and its collector is alive */
    int crashed;       /* 1: status 'recording' but the collector is gone */
    int symbolized;    /* meta 'symbolized' = 1 */
} an_db_t;

enum an_db_mode { AN_DB_READ = 0, AN_DB_WRITE = 1 };

/* Returns 0 with out filled, -1 with err set (and nothing to close). */
int an_db_open(an_db_t *out, const char *path, int mode, char *err, size_t errlen);
void an_db_close(an_db_t *d);

/* One integer from a query with no parameters; fallback when no row or NULL.
 * Returns -1 on SQL error (err set), 0 otherwise. */
int an_db_int64(an_db_t *d, const char *sql, long long fallback, long long *out,
                char *err, size_t errlen);

/* meta value as text into buf ("" when absent). */
void an_db_meta(an_db_t *d, const char *key, char *buf, size_t len);

/* One row of processes (an_db_procs.c); -1 stands for NULL. */
typedef struct an_proc_s {
    long long pid, ppid, start_ns, end_ns, exit_code, exit_signal;
    long long peak_bytes, peak_blocks, peak_ns, peak_rss;
    long long allocs, frees, failed, unknown_frees, ring_waits, ring_wait_ns, lost_events;
    char exe[256], end_reason[16], cmdline[1024];
} an_proc_t;

/* Every process image in start order: *out (free() it) with *n rows.
 * 0, or -1 with err set (and *out NULL). */
int an_db_procs(an_db_t *d, an_proc_t **out, size_t *n, char *err, size_t errlen);

#endif
