/*
 * an_report_int.h -- what the an_report_*.c files share: a context holding
 * the database, the in-memory call tree, the per-callsite figures and the
 * output; the scan over `allocations`; small helpers.
 */
#ifndef AN_REPORT_INT_H
#define AN_REPORT_INT_H

#include "an_report.h"
#include "an_report_tree.h"

#include <limits.h>

/* Figures read from a damaged (or hostile) file can be anything: sums of
 * them saturate instead of overflowing. */
static inline long long an_sat_add(long long a, long long b)
{
    long long r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? LLONG_MAX : LLONG_MIN;
    return r;
}

/* a - b, saturated (figures of a hostile file can be anything). */
static inline long long an_sat_sub(long long a, long long b)
{
    long long r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? LLONG_MAX : LLONG_MIN;
    return r;
}

/* Self figures of one callsite (allocations whose innermost callsite it
 * is), or sums of them. */
typedef struct an_stat_s {
    long long allocs, bytes, frees;
    long long peak_blocks, peak_bytes;     /* live at their process's peak */
    long long leaked_blocks, leaked_bytes; /* never freed */
    long long temporary;                   /* freed before the thread's next allocation */
    long long failed;
    long long short_lived;                 /* freed within max_lifetime_ns (scans only) */
} an_stat_t;

typedef struct an_ctx_s {
    an_db_t *d;
    an_report_opts_t *o;
    FILE *out;
    an_json_t json;
    an_tree_t *tree;
    an_stat_t *stats;   /* [tree->n_nodes] after an_ctx_stats */
    size_t n_stats;
    int scanned;        /* stats computed from allocations (not callsite_stats) */
    int unknown_node;   /* node standing for allocations without a stack, -1 */
    an_stackbuf_t sb;   /* scratch stack for the report */
    long long peak_ns;  /* highest process peak, -1 */
    int began;          /* we opened the read transaction (one snapshot per report) */
    long long sample_rate; /* meta sample_rate: > 0, figures are estimates (an_report_mode.c) */
    int aggregate;      /* meta aggregate: no allocations rows */
    int leaked_only;    /* opened with AN_CTX_LEAKED: figures of leaking callsites only */
} an_ctx_t;

/* What an_ctx_open loads (its full argument). */
enum an_ctx_load {
    AN_CTX_LEAVES = 0, /* the leaves; ancestors come on demand (reports walking a few stacks) */
    AN_CTX_FULL = 1,   /* every callsite */
    AN_CTX_LEAKED = 2  /* the leaking stacks; an_ctx_stats then gives only their figures
                        * (unless it scans, which loads everything) */
};

/* Resolve the time window and load the tree (full: enum an_ctx_load).
 * 0 / -1. */
int an_ctx_open(an_ctx_t *c, an_db_t *d, an_report_opts_t *o, FILE *out, int full, char *err,
                size_t errlen);
void an_ctx_close(an_ctx_t *c);

/* Per-callsite self figures: from callsite_stats when the recording is
 * finished, there is no time window and no short-lived count is wanted;
 * otherwise one scan of allocations.  0 / -1. */
int an_ctx_stats(an_ctx_t *c, int want_short_lived, char *err, size_t errlen);

/* Open the document: JSON {"report", "database", "status"...; text: a note
 * line when the recording is unfinished, truncated or unsymbolized. */
void an_ctx_begin(an_ctx_t *c, const char *report);
void an_ctx_end(an_ctx_t *c);
int an_ctx_text(const an_ctx_t *c);
/* A note about the recording's state, or NULL when complete. */
const char *an_ctx_note(const an_ctx_t *c, char *buf, size_t len);

/* Sampled and aggregated recordings (an_report_mode.c): read the mode from
 * meta (an_ctx_open does); the note the reports print ("sampled:
 * estimates ...") or NULL; and -1 with the reason an aggregated recording
 * cannot give what (plural noun: "time windows") in err. */
void an_ctx_mode_load(an_ctx_t *c);
const char *an_ctx_mode_note(const an_ctx_t *c, char *buf, size_t len);
int an_ctx_no_rows(const an_ctx_t *c, const char *what, char *err, size_t errlen);

/* ", allocated from 0.500 s to 0.999 s (peak)" for a window, "" otherwise. */
void an_ctx_window_text(const an_ctx_t *c, char *buf, size_t len);

/* The expanded stack of node i in c->sb.  0 / -1. */
int an_ctx_stack(an_ctx_t *c, int node, char *err, size_t errlen);
/* Only node i's own frame (expanded) in c->sb: no ancestors.  0 / -1. */
int an_ctx_leaf(an_ctx_t *c, int node, char *err, size_t errlen);
/* Frames of c->sb as public frames, into a malloc'd array (NULL on OOM). */
an_frame_t *an_ctx_frames(const an_ctx_t *c);

long long an_stat_metric(const an_stat_t *s, an_metric_t m);
void an_stat_add(an_stat_t *a, const an_stat_t *b);
int an_stat_zero(const an_stat_t *s);

/* ---- the scan over allocations (an_report_scan.c) ------------------------ */
typedef struct an_arow_s {
    long long id, pid, tid, kind, size, alloc_ns;
    long long free_ns;  /* -1: never freed */
    int temporary;      /* freed before its thread allocated anything else */
    int node;           /* tree node index (the unknown node for NULL/bad callsites) */
    long long n, bytes; /* blocks and bytes the row stands for: 1 and size, or in a sampled
                         * recording its weight (rounded so that the scan's sum of n is the
                         * sum of weights) and size * weight */
} an_arow_t;

/* Calls fn for every allocation in id order (the order blocks ended); fn
 * returns non-zero to fail (its err set).  0 / -1. */
int an_scan(an_ctx_t *c, int (*fn)(const an_arow_t *r, void *arg, char *err, size_t errlen),
            void *arg, char *err, size_t errlen);

/* Process images, to find the peak an allocation belongs to. */
typedef struct an_pimage_s {
    long long pid, start_ns, end_ns, peak_ns; /* end_ns/peak_ns -1 when NULL */
} an_pimage_t;

typedef struct an_procs_s {
    an_pimage_t *v;
    size_t n;
    size_t last; /* lookup hint */
} an_procs_t;

int an_procs_load(an_db_t *d, an_procs_t *p, char *err, size_t errlen);
/* peak_ns of the image of pid alive at ns; -1 when unknown. */
long long an_procs_peak(an_procs_t *p, long long pid, long long ns);
void an_procs_free(an_procs_t *p);

/* The "[no stack recorded]" node, created on first use; -1 on OOM. */
int an_ctx_unknown_node(an_ctx_t *c);

/* ---- top (an_report_top.c), also used by summary ------------------------ */
typedef struct an_toprow_s {
    const char *function;  /* pooled; NULL: unknown, keyed by frame */
    int module, frame;
    an_stat_t st;
    int n_stacks;          /* leaf callsites contributing */
    int best_leaf, best_pos; /* heaviest contributing stack and this function's place in it */
    long long best_val;
    int next;              /* same function, other module */
    int last_leaf;         /* inclusive: counted for this leaf already */
} an_toprow_t;

typedef struct an_top_s {
    an_toprow_t *rows;
    size_t n, cap;
    an_stat_t total;       /* every allocation that passed the filters, once */
    size_t leaves;         /* callsites with figures */
} an_top_t;

/* Group the figures by function (self: innermost frame; inclusive: every
 * frame, once per stack), rows matching the filters, sorted by metric. */
int an_top_compute(an_ctx_t *c, an_metric_t m, int inclusive, an_top_t *top, char *err,
                   size_t errlen);
/* A table of the first limit rows (columns rank, figures, call site). */
an_table_t *an_top_table(an_ctx_t *c, an_top_t *top, size_t limit, int frames, char *err,
                         size_t errlen);
void an_top_free(an_top_t *top);

#endif
