/*
 * tui_model.h -- what the views of `heapql tui` show, computed from the
 * database by the analyzer's models (an_report_*, an_frag_*) and held in
 * memory.  Models never draw; views never query.  Every builder here runs
 * on a worker thread (tui_worker.h) with that thread's own connection;
 * what it returns is read-only afterwards and may be read by the UI thread
 * and another worker at the same time (snapshots are reference counted).
 *
 * Builders return 0, or -1 with one line in err.  Free functions accept
 * NULL.
 */
#ifndef TUI_MODEL_H
#define TUI_MODEL_H

#include <stdatomic.h>
#include <stddef.h>

#include "an_db.h"
#include "an_frag_model.h"
#include "an_report_int.h"
#include "an_report_lines.h"

/* ---- the recording's state (cheap; polled once a second while live) -------- */
typedef struct tui_state_s {
    char status[16];        /* meta status: recording, complete, truncated */
    char reason[256];       /* truncated_reason */
    int live;               /* recording and the collector is alive */
    int crashed;            /* recording but the collector is gone */
    int symbolized;
    long long max_id;       /* highest allocations.id (rows so far), 0 none */
    long long samples;      /* rows in samples */
    long long sample_rate;  /* meta sample_rate: > 0 a sampled recording */
    int aggregate;          /* meta aggregate = 1: no allocation rows */
} tui_state_t;

int tui_state_read(an_db_t *d, tui_state_t *s, char *err, size_t errlen);
/* 1 when b differs from a in anything a snapshot depends on. */
int tui_state_changed(const tui_state_t *a, const tui_state_t *b);

/* ---- heap and RSS over time (samples; several processes summed) ------------ */
typedef struct tui_series_s {
    long long *ns, *heap, *rss, *blocks; /* rss -1: unknown */
    size_t n;
} tui_series_t;

int tui_series_load(an_db_t *d, tui_series_t *s, char *err, size_t errlen);
void tui_series_free(tui_series_t *s);
/* Add a point (the recorder's peak, which falls between two samples);
 * RSS is that of the sample before.  0, -1 out of memory. */
int tui_series_insert(tui_series_t *s, long long ns, long long heap, long long blocks);
/* Index of the last sample at or before ns, -1 when none. */
long tui_series_at(const tui_series_t *s, long long ns);
/* Per column x of w covering [t0, t1): the highest heap and RSS of the
 * samples in it (carried over columns without one; -1 before the first). */
void tui_series_columns(const tui_series_t *s, long long t0, long long t1, int w,
                        long long *heap, long long *rss);

/* ---- summary figures --------------------------------------------------------- */
typedef struct tui_summary_s {
    tui_state_t state;
    char command[1024];
    long long run_ns;                 /* length of the run so far */
    long long allocs, frees, failed;  /* from processes (0 until they end) */
    long long bytes, leaked_bytes, leaked_blocks, temporary; /* callsite_stats */
    int has_totals;                   /* callsite_stats is there */
    long long peak_bytes, peak_blocks, peak_ns, peak_rss; /* peak_ns -1: none yet */
    long long peak_pid;
    long long heap_now, rss_now;      /* the last sample (live) */
    an_proc_t *procs;
    size_t nprocs;
    tui_series_t series;
} tui_summary_t;

int tui_summary_load(an_db_t *d, tui_summary_t **out, char *err, size_t errlen);
void tui_summary_free(tui_summary_t *s);

/* Allocation calls per kind (a scan: computed after the first screen). */
typedef struct tui_kinds_s {
    char name[32][32];
    long long count[32];
    int n;
} tui_kinds_t;

int tui_kinds_load(an_db_t *d, tui_kinds_t **out, char *err, size_t errlen);

/* ---- the analysis snapshot: call tree, per-stack figures, leaks -------------- */
enum { TUI_M_N = AN_M_COUNT };

/* One stack (a leaf callsite) with figures. */
typedef struct tui_site_s {
    int node;                 /* index into tree->nodes */
    long long callsite;       /* callsites.id (LLONG_MIN: no stack recorded) */
    const char *function;     /* innermost frame (pooled in the tree), NULL unknown */
    const char *file;
    int line;
    int frame;                /* innermost frame index (its label when function is NULL) */
    const char *caller;       /* function of the next frame outwards, NULL */
    const char *runtime;      /* runtime one-time allocation (why), NULL */
} tui_site_t;

/* The call tree merged by function: top-down (callers first) or bottom-up
 * (allocating functions first, their callers below).  Node 0 is a virtual
 * root; kids are stored contiguously (kids[kid0 .. kid0 + nkids)). */
typedef struct tui_cnode_s {
    const char *function;     /* pooled; NULL: unknown, keyed by frame */
    const char *file;         /* location in the heaviest stack through the node */
    int line;
    int frame;                /* frame index (module+offset label when unknown) */
    int inlined;
    int parent, kid0, nkids;
    int best_leaf;            /* tree node of the heaviest stack through here (bytes) */
    long long best_val;
    unsigned long long hash;  /* of the path from the root: stable across rebuilds */
    long long incl[TUI_M_N], self[TUI_M_N];
} tui_cnode_t;

/* The shape of the tree again, compact: a walk over a few hundred thousand
 * nodes (flattening an all-open tree) reads 16 bytes a node instead of a
 * whole tui_cnode_t, which keeps it within the caches. */
typedef struct tui_cshape_s {
    int kid0, nkids;
    unsigned long long hash;
} tui_cshape_t;

typedef struct tui_ctree_s {
    tui_cnode_t *n;
    size_t nn, cap;
    int *kids;
    tui_cshape_t *shape;      /* [nn], filled with kids */
    int bottom_up;
} tui_ctree_t;

typedef struct tui_snap_s {
    atomic_int refs;
    an_tree_t *tree;          /* fully loaded: walks never query */
    an_stat_t *stats;         /* per tree node (self figures) */
    size_t n_stats;
    int unknown_node;
    int scanned;              /* figures from a scan of allocations (live, window) */
    int window;
    long long from_ns, to_ns;
    tui_state_t state;        /* the recording when the snapshot was taken */
    an_stat_t total;          /* every stack with figures */
    tui_site_t *sites;        /* stacks with an allocation or a leak */
    size_t nsites;
    int *leaks;               /* indexes into sites with leaked blocks, biggest first */
    size_t nleaks;
    an_stat_t leak_shown, leak_runtime; /* leaks listed / runtime one-time ones */
    long long leak_runtime_stacks;
    tui_ctree_t td, bu;
    double build_ms;
} tui_snap_t;

typedef struct tui_snap_req_s {
    int window;
    long long from_ns, to_ns; /* inclusive bounds on alloc_ns */
} tui_snap_req_t;

int tui_snap_build(an_db_t *d, const tui_snap_req_t *r, tui_snap_t **out, char *err,
                   size_t errlen);
tui_snap_t *tui_snap_ref(tui_snap_t *s);
void tui_snap_unref(tui_snap_t *s);
/* The stack of tree node, expanded, innermost first, into b.  0 / -1. */
int tui_snap_stack(const tui_snap_t *s, int node, an_stackbuf_t *b, char *err, size_t errlen);

/* Call trees (tui_model_ctree.c), built from a snapshot's stacks. */
int tui_ctree_build(tui_snap_t *s, int bottom_up, tui_ctree_t *t, char *err, size_t errlen);
void tui_ctree_free(tui_ctree_t *t);
/* Sort every node's kids by metric m, largest inclusive first. */
void tui_ctree_sort(tui_ctree_t *t, an_metric_t m);

/* ---- stacks list: order and filter (cheap, on the UI thread) ----------------- */
/* Indexes of the snapshot's sites (or of its leaks when leaks = 1) matching
 * the text filter (case-insensitive, any frame's function or file; "" all),
 * sorted by metric, descending unless reverse.  *out malloc'd. */
int tui_sites_select(const tui_snap_t *s, int leaks, const char *filter, an_metric_t m,
                     int reverse, int **out, size_t *n);

/* ---- source lines ------------------------------------------------------------ */
typedef struct tui_srcline_s {
    const char *text;         /* NULL: no source text */
    long long allocs, bytes, peak, leaked;
} tui_srcline_t;

typedef struct tui_source_s {
    char file[4096];          /* as recorded */
    char path[4096];          /* where the text was read from, "" when missing */
    int found;                /* the text is there */
    int inclusive;
    char *buf;
    tui_srcline_t *line;      /* [n + 1], 1-based */
    int n;
    int *hot;                 /* line numbers with figures, ascending */
    int nhot;
    lines_fig_t total;
} tui_source_t;

typedef struct tui_source_req_s {
    char file[4096];
    int inclusive;
    tui_snap_t *snap;         /* referenced by the request */
} tui_source_req_t;

int tui_source_build(an_db_t *d, const tui_source_req_t *r, tui_source_t **out, char *err,
                     size_t errlen);
void tui_source_free(tui_source_t *s);

/* ---- raw allocations of one stack -------------------------------------------- */
typedef struct tui_arow_s {
    long long id, ptr, size, tid, alloc_ns, free_ns; /* free_ns -1: never freed */
} tui_arow_t;

enum { TUI_AS_TIME = 0, TUI_AS_SIZE, TUI_AS_LIFE, TUI_AS_N };

typedef struct tui_allocs_s {
    long long callsite;
    tui_arow_t *v;
    size_t n;
    long long matched;        /* rows of the stack in the window (n may be capped) */
    int capped;
} tui_allocs_t;

typedef struct tui_allocs_req_s {
    long long callsite;
    int window;
    long long from_ns, to_ns;
} tui_allocs_req_t;

/* Rows kept at most (the rest are counted). */
#define TUI_ALLOCS_MAX 4000000

int tui_allocs_load(an_db_t *d, const tui_allocs_req_t *r, tui_allocs_t **out, char *err,
                    size_t errlen);
void tui_allocs_free(tui_allocs_t *a);
/* Sort rows by TUI_AS_*, descending when reverse (time: ascending). */
void tui_allocs_sort(tui_allocs_t *a, int key, int reverse);

/* ---- fragmentation at a moment ------------------------------------------------- */
typedef struct tui_frag_s {
    long long at_ns;          /* requested moment */
    int ok;                   /* model valid; else err says why */
    char err[256];
    an_frag_model_t m;
} tui_frag_t;

typedef struct tui_frag_req_s {
    long long at_ns;
    long long pid;            /* -1: the root process */
} tui_frag_req_t;

/* Never fails for a selection the model refuses (no allocations yet, a
 * moment outside the run): the result says so in err with ok = 0.  -1
 * only on an interrupted or failed computation. */
int tui_frag_load(an_db_t *d, const tui_frag_req_t *r, tui_frag_t **out, char *err,
                  size_t errlen);
void tui_frag_free(tui_frag_t *f);

#endif
