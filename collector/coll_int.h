/*
 * coll_int.h -- the collector's internal types and the functions its files
 * share.  Nothing here is visible outside collector/.
 *
 * One coll_t owns the database, the listening socket and every process
 * image (coll_proc_t) that completed a handshake.  A process image lives
 * from its hello to its end (exit, signal, exec or the end of the
 * recording); at its end its rows are written and its maps freed, only a
 * few figures stay for the summary.
 *
 * Functions return 0 or -1 unless said otherwise.  A -1 from anything that
 * touches the database is fatal: the message is in c->fail (coll_fail).
 */
#ifndef COLL_INT_H
#define COLL_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pollfd;

#include "coll.h"
#include "coll_map.h"
#include "hq_proto.h"

#define COLL_NULL INT64_MIN                /* a NULL column in a batch row */
#define COLL_NS_BASE 2147483648ll          /* meta 'ns_base': alloc_rows.alloc_ns is relative to it */
#define COLL_SAMPLE_NS 10000000ull         /* RSS samples every 10 ms */
#define COLL_COMMIT_NS 200000000ull        /* commit every 200 ms */
#define COLL_GRACE_NS 100000000ull         /* wait for an unsealed record of an ended process */
#define COLL_HELLO_NS 2000000000ull        /* a connection has this long to send its hello */
#define COLL_DRAIN_MAX 16384               /* records per ring per turn */
#define COLL_MAX_CONNS 64                  /* handshakes in progress */
#define COLL_MAX_STACK_ID (1u << 26)       /* larger stack ids are taken as corruption */
#define COLL_REASON_LEN 160
/* 16 KiB pages: appends cost the same from 4 to 64 KiB, inserts in the
 * middle of alloc_rows (long-lived blocks) a little less than with 64 KiB
 * (a shallower binary search per page), and each small table wastes a
 * quarter as much. */
#define COLL_DB_PAGE_SIZE 16384

/* ---- rows for the database (coll_batch.c, coll_writer.c) ------------------ */
struct coll_batch_s;

/* A block of rows for one statement. */
typedef struct coll_rows_s {
    struct coll_rows_s *next;
    struct coll_batch_s *batch;
    size_t rows;
    char *text;               /* text columns: NUL-terminated, rows hold offsets */
    size_t text_len, text_cap;
    int64_t vals[];           /* batch->cap rows of batch->ncols values */
} coll_rows_t;

/* What heapql_rows shows while a statement runs: rows [first, end) of a
 * block (coll_batch.c).  One per connection, under its mutex. */
typedef struct coll_batch_src_s {
    const struct coll_batch_s *batch;
    const coll_rows_t *rows;
    size_t first, end;
} coll_batch_src_t;

typedef struct coll_writer_s {
    int inited, running;      /* running: read and written by the loop only */
    pthread_t thread;
    pthread_mutex_t lock;     /* the queue, spares, stop, failure */
    pthread_cond_t cond;
    pthread_mutex_t db;       /* the connection, while the writer runs */
    sqlite3 *dbh;
    coll_rows_t *head, *tail;
    size_t pending;           /* blocks queued or being written */
    coll_rows_t *marker;      /* queued: COMMIT+BEGIN once the blocks before it are written */
    coll_batch_src_t src;     /* the rows a statement reads (coll_batch.c) */
    int stop, failed, commit; /* commit: the marker is queued */
    char fail[256];
} coll_writer_t;

typedef struct coll_batch_s {
    coll_writer_t *w;
    sqlite3 *db;
    sqlite3_stmt *insert;     /* INSERT ... SELECT FROM heapql_rows; NULL for an UPDATE */
    sqlite3_stmt *single;     /* the UPDATE, one row per execution */
    int ncols;                /* parameters per row */
    uint32_t text_cols;       /* bit i: column i is text */
    uint32_t real_cols;       /* bit i: column i is a double (coll_batch_real) */
    int oom;
    size_t cap;               /* rows per block */
    coll_rows_t *cur;         /* filled by the loop */
    coll_rows_t *spare;       /* written blocks (under w->lock) */
} coll_batch_t;

enum coll_batch_id {
    COLL_B_ALLOCS, COLL_B_SAMPLES, COLL_B_VM, COLL_B_FRAMES, COLL_B_CALLSITES, COLL_B_THREADS,
    COLL_B_STATS, COLL_B_PROCS, COLL_B_PROC_END, COLL_B_MODULES, COLL_B_UNLOAD, COLL_B_COUNT
};

/* ---- one leaf callsite within one process image ---------------------------
 * Counts (alloc, free, live, snap, temporary) are in units of 1 << unit_shift
 * blocks (coll_t): 1 in a full run; in a sampled run each recorded block adds
 * its weight (hq_sample.h) in those units and its estimated bytes, and
 * coll_units rounds the sums back to blocks.  failed_count is always exact. */
typedef struct coll_slot_s {
    int64_t callsite_id;  /* 0 in slot 0: no callsite */
    uint64_t live_bytes, live_blocks;
    uint64_t snap_bytes, snap_blocks, snap_epoch; /* values at the peak of epoch snap_epoch */
    uint64_t alloc_count, alloc_bytes, usable_bytes;
    uint64_t free_count, temporary_count, failed_count;
} coll_slot_t;

typedef struct coll_thread_s {
    uint32_t tid;
    int started;          /* an HQ_THREAD_START was seen */
    int64_t start_ns, end_ns;
    char name[HQ_TNAME_LEN + 1];
    int has_last;            /* for temporaries: its last allocation, (ptr, alloc_ns) */
    uint64_t last_alloc_ptr;
    int64_t last_alloc_ns;
    int ended;            /* HQ_THREAD_END seen: end_ns moves to its last event */
    int parked;           /* a REALLOC_FREE waits for its realloc */
    int park_temp;
    int64_t park_ns;
    coll_block_t park;
} coll_thread_t;

typedef struct coll_module_s {
    uint64_t start, end, bias;
    int64_t id;           /* modules.id */
    int inherited;        /* copied from the parent at fork: its row is the parent's */
} coll_module_t;

enum coll_proc_state { COLL_PROC_LIVE = 0, COLL_PROC_ENDING, COLL_PROC_DONE };

typedef struct coll_proc_s {
    int64_t id;           /* processes.id */
    pid_t pid, ppid;
    int forked;
    int attached;         /* heapql attach: the shim was loaded into it running (HQ_HELLO_ATTACH) */
    int state;
    int stopped;          /* ring unreadable: nothing more is read */
    hq_ring_hdr_t *hdr;
    size_t map_bytes;
    uint64_t capacity;    /* as validated: a header that changes it is corrupt */
    uint64_t tail;
    uint64_t heartbeat;   /* c->now last written to hdr->heartbeat_ns */
    int pidfd;            /* -1: none */
    int statm_fd;
    unsigned long long starttime; /* /proc/PID/stat field 22, to recognize the process */

    int64_t start_ns, last_ns, end_ns;
    uint64_t end_deadline;        /* ENDING: monotonic ns until unsealed records are waited for */
    int64_t end_detect_ns;        /* when the end was seen */
    int have_status;              /* wait_status is known (root: waitpid; others: /proc) */
    int wait_status;
    int have_exit_rec;            /* an HQ_REC_EXIT was read */
    int exit_rec_status;
    int we_detached;              /* hdr->detached was set by the collector */

    /* heap */
    coll_blocks_t blocks;
    uint64_t heap_bytes, heap_blocks;
    uint64_t peak_bytes, peak_blocks, epoch;
    int64_t peak_ns;              /* -1: no peak yet */
    int64_t rss_last, rss_last_ns; /* last RSS sample (-1: none) */
    int64_t peak_rss, peak_rss_dist; /* the sample nearest to the peak of epoch peak_rss_epoch */
    uint64_t peak_rss_epoch;

    coll_slot_t *slots;
    uint32_t nslots, slots_cap;
    coll_kmap_t slot_of;          /* callsite id -> slot */
    uint32_t *stack_slot;         /* stack id -> slot (0: none) */
    uint32_t stacks_cap;

    coll_module_t *mods;          /* sorted by start, disjoint */
    size_t nmods, mods_cap;

    coll_thread_t *threads;
    size_t nthreads, threads_cap;
    coll_kmap_t thread_of;        /* tid -> index in threads */
    size_t thread_hint;           /* index of the thread found last (coll_thread_find) */
    size_t threads_ended;         /* of those, ended (coll_thread.c) */

    uint64_t alloc_calls, free_calls, failed_allocs, unknown_frees, missed_frees;
    uint64_t unsampled_frees;     /* sampled run: frees of blocks the collector does not hold */
    uint64_t preexisting_frees;   /* attached image: frees of blocks allocated before the attach */
    uint64_t alloc_bytes, lost_events;
    uint64_t ring_waits, ring_wait_ns;
    uint64_t leaked_blocks, leaked_bytes;
    uint64_t kind_calls[HQ_KIND_ALLOC_COUNT]; /* per allocation kind, in units (kind_stats) */
    uint64_t kind_bytes[HQ_KIND_ALLOC_COUNT];
} coll_proc_t;

typedef struct coll_conn_s {
    int fd;
    uint64_t deadline;
} coll_conn_t;

struct coll_s {
    sqlite3 *db;
    int db_fd;                    /* the file as created, open as long as db (coll_db.c) */
    sqlite3_stmt *meta;
    coll_writer_t w;
    coll_batch_t batch[COLL_B_COUNT];
    int in_txn;

    char *db_path, *socket_path;
    int created_socket, listen_fd;
    unsigned depth;
    uint64_t sample_rate;         /* 0: every allocation is recorded (coll_config_t) */
    int aggregate;                /* 1: no allocations rows */
    int64_t pid_base;             /* meta 'pid_base': alloc_rows.who holds pids relative to it */
    int pid_base_set;
    int64_t ptr_base[2];          /* alloc_rows.ptr is relative to one of them (meta */
    int ptr_bases;                /* 'ptr_base', 'ptr_far'): how many are chosen (coll_heap.c) */
    unsigned unit_shift;          /* counts are kept in units of 1 << unit_shift blocks */
    const char *mode;
    void (*before_complete)(const char *db_path, void *arg); /* coll_config_t */
    void *before_complete_arg;
    uint64_t t0;                  /* CLOCK_MONOTONIC at coll_open: time 0 */
    int64_t start_unix_ns;
    int64_t attach_stop_ns;       /* heapql attach: when the attached image stopped recording */

    coll_proc_t **procs;
    size_t nprocs, procs_cap;
    size_t rr;                    /* round-robin start */
    coll_conn_t conns[COLL_MAX_CONNS];
    size_t nconns;
    uint64_t connected;

    pid_t root_pid;
    int root_reaped, root_pidfd, root_dead, root_status_set, root_status;

    int64_t next_frame_id, next_callsite_id, next_module_id, next_proc_id;
    coll_kmap_t frame_of;         /* (module id, rel_pc) -> frame id */
    coll_kmap_t callsite_of;      /* (parent id, frame id) -> callsite id */

    uint64_t next_sample, next_commit, last_busy;
    int truncated;
    char reason[COLL_REASON_LEN];
    int failed;                   /* a fatal error happened: only finishing is left */
    char fail[256];
    int finished;

    uint64_t *recbuf;             /* one record, HQ_REC_MAX bytes */
    struct pollfd *pfd;           /* coll_watch's poll set */
    coll_proc_t **pfd_proc;
    size_t pfd_cap;
    uint64_t now;                 /* CLOCK_MONOTONIC of the current pass */
    uint64_t next_alive_check;
};

/* coll.c */
void coll_detach_all(coll_t *c);
int coll_fail(coll_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void coll_truncate(coll_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t coll_rel_now(const coll_t *c);

#define COLL_SAMPLED_UNIT_SHIFT 16  /* weights to 1/65536 of a block in sampled runs */

/* A count kept in units (coll_slot_t) as blocks, rounded. */
static inline uint64_t coll_units(const coll_t *c, uint64_t v)
{
    return (v + ((1ull << c->unit_shift) >> 1)) >> c->unit_shift;
}

/* coll_db.c */
int coll_db_create(coll_t *c, const coll_config_t *cfg);
int coll_db_exec(coll_t *c, const char *sql);
/* sqlite3_errmsg, with the system's reason for an I/O error ("File too large") */
const char *coll_db_errmsg(sqlite3 *db, char *buf, size_t len);
int coll_db_meta_int(coll_t *c, const char *key, int64_t value);
int coll_db_meta_text(coll_t *c, const char *key, const char *value); /* NULL: NULL */
int coll_db_commit(coll_t *c);     /* every batch to the writer, then COMMIT and BEGIN */
void coll_db_iso_time(int64_t unix_ns, char *buf, size_t len); /* ISO-8601 UTC */
void coll_db_close(coll_t *c);

/* coll_env.c: HEAPQL_RING_MB/DEPTH/SAMPLE_RATE/AGGREGATE checked, test hooks (docs/RELIABILITY.md) */
int coll_env_check(coll_t *c);     /* before anything is created */
int coll_env_db_faults(coll_t *c); /* HEAPQL_FAULT_DB_MAX_PAGES on the new database */

/* coll_tables.c: one batch per statement the recording writes */
int coll_tables_init(coll_t *c);
int coll_db_failed(coll_t *c);     /* a batch failed: the writer's message into c->fail */
int coll_db_flush(coll_t *c);      /* every batch's rows to the writer */

/* coll_batch.c */
int coll_batch_init(coll_batch_t *b, coll_writer_t *w, sqlite3 *db, const char *head,
                    const char *tail, int ncols, size_t cap_rows);
/* coll_rowsrc.c: the virtual table heapql_rows (columns c0 .. c15) on db,
 * showing *src (before any batch). */
#define COLL_ROWSRC_COLS 16
int coll_rowsrc_register(sqlite3 *db, coll_batch_src_t *src);
coll_rows_t *coll_batch_block(coll_batch_t *b);
void coll_batch_block_free(coll_rows_t *r);
int64_t coll_batch_text(coll_batch_t *b, const char *s, size_t len); /* a text column's value */
int64_t coll_batch_real(double d);                                    /* a real column's value */
int coll_batch_flush(coll_batch_t *b);  /* to the writer, or written now; -1: w->fail */
int coll_batch_write(coll_batch_t *b, coll_rows_t *r);
const char *coll_batch_errmsg(const coll_batch_t *b, char *buf, size_t len); /* after a -1 */
void coll_batch_free(coll_batch_t *b);
static inline int64_t *coll_batch_slot(coll_batch_t *b)
{
    return b->cur->vals + b->cur->rows * (size_t)b->ncols;
}
/* The row at coll_batch_slot() is filled: keep it.  -1 when the writer failed. */
static inline int coll_batch_push(coll_batch_t *b)
{
    return ++b->cur->rows == b->cap ? coll_batch_flush(b) : 0;
}

/* coll_writer.c */
int coll_writer_init(coll_writer_t *w, sqlite3 *db);
int coll_writer_commit(coll_writer_t *w);
void coll_writer_destroy(coll_writer_t *w);
int coll_writer_start(coll_writer_t *w);
void coll_writer_stop(coll_writer_t *w);   /* waits for the queue, joins */
int coll_writer_submit(coll_writer_t *w, coll_batch_t *b);
int coll_writer_error(coll_writer_t *w, const char *msg);
int coll_writer_failed(coll_writer_t *w, char *buf, size_t len);
void coll_writer_lock(coll_writer_t *w);   /* the connection, from the loop */
void coll_writer_unlock(coll_writer_t *w);

/* coll_clock.c: a TSC stamp as CLOCK_MONOTONIC ns (the first call measures
 * the rate: about 2 ms); once per drain pass, a fresh anchor. */
uint64_t coll_clock_tsc_ns(uint64_t stamp);
void coll_clock_pass(void);

/* coll_view.c: the allocations view again with meta's constants written
 * in (a finished recording: they no longer change), alloc_rows' weight
 * column restored; 0, or -1 failed.  coll_view_create: the schema, in the
 * creating transaction (a full recording's alloc_rows without weight). */
int coll_view_bake(coll_t *c);
int coll_view_create(coll_t *c);

/* coll_session.c */
int coll_session_listen(coll_t *c, const coll_config_t *cfg);
int coll_session_accept(coll_t *c);
int coll_session_serve(coll_t *c, uint64_t now);
void coll_session_close(coll_t *c);

/* coll_proc.c */
/* Register a process image (an exec'd one ends the image it replaces).
 * NULL on failure: fatal when c->failed, else the hello is refused. */
coll_proc_t *coll_proc_register(coll_t *c, const hq_hello_t *h, hq_ring_hdr_t *hdr,
                                size_t map_bytes, const char *exe, const char *cmdline);
coll_proc_t *coll_proc_live(coll_t *c, pid_t pid);
void coll_proc_begin_end(coll_t *c, coll_proc_t *p, uint64_t now);
int coll_proc_progress_end(coll_t *c, coll_proc_t *p, uint64_t now);
int coll_proc_finalize(coll_t *c, coll_proc_t *p, const char *reason, int64_t end_ns);
void coll_proc_free(coll_proc_t *p);

/* coll_watch.c */
int coll_watch(coll_t *c, int timeout_ms, uint64_t now);
int coll_watch_pidfd_ended(int pidfd);

/* coll_procfs.c */
int coll_procfs_exe(pid_t pid, char *buf, size_t len);
int coll_procfs_cmdline(pid_t pid, char *buf, size_t len);
int coll_procfs_stat(pid_t pid, unsigned long long *starttime, char *state, int *exit_code);
int64_t coll_procfs_rss(int statm_fd);

/* coll_drain.c */
long coll_drain_ring(coll_t *c, coll_proc_t *p, long max);
int coll_drain_all(coll_t *c);
int coll_drain_skip(coll_t *c, coll_proc_t *p);
int coll_drain_pending(coll_proc_t *p);

/* coll_heap.c */
int coll_heap_alloc(coll_t *c, coll_proc_t *p, const hq_rec_alloc_t *r, int64_t t);
int coll_heap_alloc_fail(coll_t *c, coll_proc_t *p, const hq_rec_alloc_t *r);
int coll_heap_free(coll_t *c, coll_proc_t *p, const hq_rec_free_t *r, int64_t t);
int coll_heap_realloc_fail(coll_t *c, coll_proc_t *p, const hq_rec_free_t *r, int64_t t);
int coll_heap_end(coll_t *c, coll_proc_t *p);
int coll_heap_unpark(coll_t *c, coll_proc_t *p, coll_thread_t *th);
uint32_t coll_heap_slot(coll_proc_t *p, int64_t callsite_id); /* UINT32_MAX: out of memory */
int64_t coll_heap_callsite(const coll_proc_t *p, uint32_t stack_id);

/* coll_thread.c */
coll_thread_t *coll_thread_get(coll_proc_t *p, uint32_t tid);   /* creates; NULL: out of memory */
coll_thread_t *coll_thread_find(coll_proc_t *p, uint32_t tid);
/* An event of th at time t: an ended thread's end follows its last event. */
static inline void coll_thread_saw(coll_thread_t *th, int64_t t)
{
    if (th->ended && t > th->end_ns)
        th->end_ns = t;
}
int coll_thread_record(coll_t *c, coll_proc_t *p, const hq_rec_thread_t *r, int64_t t);
int coll_thread_end_all(coll_t *c, coll_proc_t *p);

/* coll_tree.c */
int coll_tree_module(coll_t *c, coll_proc_t *p, const hq_rec_module_t *r, int64_t t);
int coll_tree_unload(coll_t *c, coll_proc_t *p, const hq_rec_unload_t *r, int64_t t);
int coll_tree_stack(coll_t *c, coll_proc_t *p, const hq_rec_stack_t *r);
int coll_tree_inherit(coll_proc_t *child, const coll_proc_t *parent);

/* coll_sample.c */
int coll_sample_all(coll_t *c);
int coll_sample_proc(coll_t *c, coll_proc_t *p, int64_t ns, int64_t rss);
int64_t coll_sample_peak_rss(const coll_proc_t *p); /* -1: none */

/* coll_finish.c */
int coll_finish_stats(coll_t *c, coll_proc_t *p);
int coll_finish_run(coll_t *c, int interrupted, coll_summary_t *s);
void coll_finish_abort(coll_t *c, const char *reason);

#endif
