/*
 * coll.h -- the collector: drains the rings of every recorded process into
 * one SQLite database (schema/v1.sql).  Runs in its own process (the
 * `heapql run` process, or `heapql collect` spawned by a standalone shim),
 * so a target that crashes loses nothing it wrote.
 *
 * Life cycle, driven by the command layer:
 *   coll_open      create the database (0600, O_EXCL, no symlinks) and the
 *                  listening socket; nothing is started yet
 *   coll_set_root  name the process whose end ends the recording
 *   coll_step      one turn of the loop: accept handshakes, drain rings,
 *                  pair frees with allocations, sample RSS, commit batches
 *   coll_root_ended  the command layer reaped the root (wait status)
 *   coll_finish    drain what is left, write per-callsite totals, mark the
 *                  run complete or truncated, fill *summary
 *   coll_close     release everything (NULL is fine)
 *
 * Errors: functions return 0 or -1 and write one line, without a trailing
 * newline, into the caller's err buffer.  Nothing here prints.
 */
#ifndef COLL_H
#define COLL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct coll_s coll_t;

typedef struct coll_config_s {
    const char *db_path;     /* database to create */
    const char *socket_path; /* unix socket to listen on (its directory must be private) */
    unsigned depth;          /* stack depth for the shims, 1..HQ_DEPTH_MAX */
    int force;               /* replace an existing regular file at db_path */
    int listen_fd;           /* >= 0: already listening socket to use (standalone); else create socket_path.
                              * The collector owns it from coll_open on (closed by coll_close,
                              * or by coll_open when that fails). */
    const char *command;     /* the recorded command line, for meta */
    uint64_t sample_rate;    /* 0: record every allocation; else Poisson sampling, one sample
                              * per sample_rate bytes (common/hq_sample.h), <= HQ_SAMPLE_RATE_MAX;
                              * aggregated figures become estimates */
    int aggregate;           /* 1: per-callsite and process totals and samples only, no
                              * allocations rows */
    /* Optional: called by coll_finish once the data is committed and the
     * file is self-contained, before meta says 'complete' (so a reader who
     * waits for 'complete' never meets a writer).  The collector's own
     * connection is idle then; the hook may write with another one. */
    void (*before_complete)(const char *db_path, void *arg);
    void *before_complete_arg;
} coll_config_t;

/* In a sampled run (sample_rate > 0) calls, frees, bytes, peak and leaks
 * are estimates. */
typedef struct coll_summary_s {
    uint64_t alloc_calls;    /* successful allocations, all processes */
    uint64_t free_calls;
    uint64_t failed_allocs;
    uint64_t alloc_bytes;
    uint64_t peak_bytes;     /* of the root process image with the highest peak */
    uint64_t peak_ns;
    uint64_t leaked_blocks;
    uint64_t leaked_bytes;
    uint64_t ring_waits;
    uint64_t processes;      /* process images recorded */
    uint64_t duration_ns;
    int truncated;           /* 1: something was not recorded completely */
    char truncated_reason[160];
    uint64_t sample_rate;    /* as configured */
    int aggregate;
} coll_summary_t;

enum coll_step_result {
    COLL_STEP_IDLE = 0,  /* nothing happened */
    COLL_STEP_BUSY = 1,  /* records were processed */
    COLL_STEP_DONE = 2   /* standalone mode: every recorded process has ended */
};

int coll_open(coll_t **out, const coll_config_t *cfg, char *err, size_t errlen);

/* The process whose end ends the recording.  With reaped = 1 the command
 * layer waits for it and reports through coll_root_ended; with reaped = 0
 * (standalone, attach) the collector watches it through a pidfd. */
int coll_set_root(coll_t *c, pid_t pid, int reaped, char *err, size_t errlen);

/* One loop turn, sleeping at most timeout_ms when there is nothing to do.
 * Returns enum coll_step_result, or -1 on a fatal error (err filled). */
int coll_step(coll_t *c, int timeout_ms, char *err, size_t errlen);

/* heapql attach: every shim stops writing now (a hook passes through from
 * its next event on; one waiting for room in a full ring gives up its
 * event); what the rings hold is still read by coll_finish. */
void coll_detach(coll_t *c);

/* The root process ended with this wait status (from waitpid). */
void coll_root_ended(coll_t *c, int wait_status);

/* Number of processes that completed the handshake so far. */
uint64_t coll_connected(const coll_t *c);

/* Stop: drain, aggregate, finalize the database.  interrupted = 1 when the
 * user stopped the recording (the database is marked truncated). */
int coll_finish(coll_t *c, int interrupted, coll_summary_t *summary, char *err, size_t errlen);

void coll_close(coll_t *c);

#endif
