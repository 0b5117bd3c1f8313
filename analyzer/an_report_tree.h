/*
 * an_report_tree.h -- callsites, frames (with their inline chains) and
 * modules of one database, in memory.  Everything a report or
 * an_stack_walk needs to turn a callsite id into frames, without a query
 * per frame.
 *
 * Four ways to fill it, freely mixed:
 *   an_tree_load        one scan of each table (reports walking most stacks)
 *   an_tree_load_leaves frames, and the callsites callsite_stats names
 *   an_tree_load_leaked frames, and the stacks callsite_stats says leak
 *   an_tree_node        a point query on a miss (an_stack_walk on a few
 *                       ids); after bulk_after misses it loads everything
 * Rows are immutable once written (a live recording only appends), so
 * entries never go stale -- except that symbolization rewrites frames:
 * build the tree after symbolizing.  Point-query statements live only
 * between an_tree_node and an_tree_release, so a connection can always be
 * closed.  Arrays grow: hold indexes, never pointers, across loads.
 * Not thread-safe: one thread per tree at a time.
 */
#ifndef AN_REPORT_TREE_H
#define AN_REPORT_TREE_H

#include <sqlite3.h>
#include <stddef.h>

#include "an_report_map.h"
#include "an_stack.h"

enum an_mod_flags {
    AN_MOD_LOADER = 1,   /* the dynamic loader (ld-linux*.so, ld.so) */
    AN_MOD_SYSTEM = 2,   /* under /lib, /lib64, /usr/lib, /usr/lib64 */
    AN_MOD_MAIN = 4      /* modules.is_main */
};

typedef struct an_tmod_s {
    long long id;
    const char *path; /* pooled */
    const char *base; /* the part after the last '/' */
    unsigned flags;
} an_tmod_t;

typedef struct an_tinl_s {
    const char *function, *file; /* pooled, may be NULL */
    int line;
} an_tinl_t;

typedef struct an_tframe_s {
    long long id;
    const char *function, *file; /* pooled, NULL when unknown */
    int line;
    int inlined;                 /* frames.inlined */
    int module;                  /* index into mods, -1: in no module */
    unsigned long long rel_pc;
    int inl_first, inl_n;        /* inline chain in inl[], depth 0 (outermost) first */
} an_tframe_t;

typedef struct an_tnode_s {
    long long id, parent_id;
    int has_parent;
    int parent;                  /* node index; -1 root; -2 not looked up yet */
    int frame;                   /* index into frames */
    int depth;
} an_tnode_t;

typedef struct an_tree_s {
    sqlite3 *db;
    an_pool_t pool;
    an_tmod_t *mods;
    an_tframe_t *frames;
    an_tinl_t *inl;
    an_tnode_t *nodes;
    size_t n_mods, n_frames, n_inl, n_nodes;
    size_t cap_mods, cap_frames, cap_inl, cap_nodes;
    an_map_t mod_ix, frame_ix, node_ix;
    int *dense;                  /* callsite id - dense_lo -> node index (-1), after a load */
    long long dense_lo, dense_n;
    int loaded;                  /* an_tree_load ran */
    long long misses;            /* point queries so far */
    long long bulk_after;        /* > 0: after this many misses, an_tree_load */
    sqlite3_stmt *q_node, *q_frame, *q_inl, *q_mod;
} an_tree_t;

/* One frame as reports see it: the public frame plus indexes. */
typedef struct an_xframe_s {
    an_frame_t f;
    int frame;  /* index into frames */
    int module; /* index into mods, -1 */
} an_xframe_t;

/* A growing buffer of expanded frames, innermost first. */
typedef struct an_stackbuf_s {
    an_xframe_t *v;
    int n, cap;
} an_stackbuf_t;

an_tree_t *an_tree_new(sqlite3 *db);
void an_tree_free(an_tree_t *t);

/* Read every module, frame, inline chain and callsite.  0 / -1. */
int an_tree_load(an_tree_t *t, char *err, size_t errlen);

/* Read every module, frame and inline chain, and only the callsites that
 * callsite_stats names (the leaves): enough for self figures; ancestors
 * come by point query when a stack is walked.  0 / -1. */
int an_tree_load_leaves(an_tree_t *t, char *err, size_t errlen);

/* Read every module, frame and inline chain, and the callsites
 * callsite_stats names with leaked blocks, with all their ancestors
 * (an_report_treeleak.c).  0 / -1. */
int an_tree_load_leaked(an_tree_t *t, char *err, size_t errlen);

/* Index of callsite id, querying the database on a miss; -1 with err set
 * when it does not exist or on a database error. */
int an_tree_node(an_tree_t *t, long long id, char *err, size_t errlen);

/* Index of callsite id if it is in memory, else -1 (no query). */
static inline int an_tree_find(const an_tree_t *t, long long id)
{
    if (t->dense && id >= t->dense_lo && id - t->dense_lo < t->dense_n &&
        t->dense[id - t->dense_lo] >= 0)
        return t->dense[id - t->dense_lo];
    return an_map_get(&t->node_ix, id);
}

/* Parent index of node i (-1 at the root), -2 with err set on error. */
int an_tree_parent(an_tree_t *t, int i, char *err, size_t errlen);

/* Finalize the point-query statements (call after a batch of lookups). */
void an_tree_release(an_tree_t *t);

/* Frames of frame index fi expanded through its inline chain, innermost
 * first, into out[max]; returns how many (at least 1). */
int an_tree_expand(const an_tree_t *t, int fi, an_xframe_t *out, int max);

/* The whole stack of node i, expanded, innermost first, into b (reset
 * first).  0, or -1 with err set (database error, cycle, out of memory). */
int an_tree_stack(an_tree_t *t, int i, an_stackbuf_t *b, char *err, size_t errlen);
void an_stackbuf_free(an_stackbuf_t *b);

/* Index of the frame row id (loads on a miss), -1 with err set. */
int an_tree_frame(an_tree_t *t, long long id, char *err, size_t errlen);

#endif
