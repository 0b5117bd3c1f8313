/*
 * tui_worker.h -- the threads that run the models, so that no query runs
 * on the UI thread.  A worker owns one read-only connection (SQLite WAL:
 * it reads while the collector writes) and one pending slot per job kind:
 * a newer request of a kind replaces the older one still waiting (the
 * time cursor moving over the fragmentation map asks for one map, not
 * twenty).  A request may also interrupt the running job of its kind
 * (sqlite3_progress_handler), so a superseded scan stops within
 * milliseconds.  Finished jobs wait in a queue; the worker writes a byte
 * to wake_fd so the input loop's poll() returns.
 */
#ifndef TUI_WORKER_H
#define TUI_WORKER_H

#include <stddef.h>

#include "tui_model.h"

typedef enum tui_job_kind_e {
    TUI_JOB_SUMMARY = 0, /* tui_summary_t: state, figures, samples */
    TUI_JOB_SNAP,        /* tui_snap_t: call sites, tree, leaks */
    TUI_JOB_SOURCE,      /* tui_source_t */
    TUI_JOB_ALLOCS,      /* tui_allocs_t */
    TUI_JOB_KINDS,       /* tui_kinds_t */
    TUI_JOB_FRAG,        /* tui_frag_t */
    TUI_JOB_N
} tui_job_kind_t;

typedef struct tui_job_s {
    int kind;
    unsigned long long seq;  /* set by submit: increasing per worker */
    int epoch;               /* the connection is reopened when this changes */
    union {
        tui_snap_req_t snap;
        tui_source_req_t source; /* holds a snapshot reference */
        tui_allocs_req_t allocs;
        tui_frag_req_t frag;
    } u;
} tui_job_t;

typedef struct tui_done_s {
    tui_job_t job;
    int rc;                  /* 0: data valid */
    char err[256];
    void *data;
    double ms;               /* time the job took */
} tui_done_t;

typedef struct tui_worker_s tui_worker_t;

/* Start a worker for the database at path.  NULL with err on failure. */
tui_worker_t *tui_worker_start(const char *path, int wake_fd, char *err, size_t errlen);
/* Queue j (copied; a snapshot reference in it passes to the worker).
 * cancel_running: interrupt a running job of the same kind. */
void tui_worker_submit(tui_worker_t *w, const tui_job_t *j, int cancel_running);
/* 1 when a job of kind is waiting or running. */
int tui_worker_busy(tui_worker_t *w, int kind);
/* Move up to max finished jobs into out; returns how many. */
size_t tui_worker_collect(tui_worker_t *w, tui_done_t *out, size_t max);
/* Interrupt, join, free everything still queued.  NULL is fine. */
void tui_worker_stop(tui_worker_t *w);

/* ---- the jobs (tui_jobs.c) --------------------------------------------- */
int tui_job_run(an_db_t *d, const tui_job_t *j, void **data, char *err, size_t errlen);
/* Release what a job holds (its snapshot reference). */
void tui_job_release(tui_job_t *j);
/* Free a result's data and the job it answers. */
void tui_done_free(tui_done_t *d);

#endif
