/*
 * an_frag_int.h -- the pieces of an_frag_compute (internal to an_frag_*.c).
 *
 * Order of work: scan (live blocks + series) -> sort by address ->
 * regions (classify) -> pages (sweep: pages, holes, low pages, pins) ->
 * sites (rankings, lifetimes) -> vm (program mappings) -> names.
 */
#ifndef AN_FRAG_INT_H
#define AN_FRAG_INT_H

#include <stdint.h>

#include "an_frag_model.h"

enum { AN_FRAG_B_PIN = 1 }; /* on a page its site pins */

/* A block live at t. */
typedef struct an_frag_blk_s {
    uint64_t ptr, end;   /* [ptr, end): end = ptr + max(usable, size, 1) */
    uint64_t size, usable;
    int64_t alloc_ns, free_ns; /* free_ns -1: never freed */
    uint32_t site;       /* index into model.sites */
    uint32_t flags;
} an_frag_blk_t;

typedef struct an_frag_live_s {
    an_frag_blk_t *v;
    size_t n, cap;
} an_frag_live_t;

/* ---- an_frag_hmap.c: uint64 key -> int64 value (open addressing) ---------- */
typedef struct an_frag_hmap_s {
    uint64_t *keys; /* key + 1; 0 empty */
    int64_t *vals;
    size_t cap, n;
} an_frag_hmap_t;

/* The value slot of key, inserted as 0 when new (*created = 1); NULL when
 * memory runs out.  Slots move when the map grows. */
int64_t *an_frag_hmap_at(an_frag_hmap_t *h, uint64_t key, int *created);
void an_frag_hmap_free(an_frag_hmap_t *h);

/* ---- an_frag_series.c: the series, fed one allocation row at a time ------ */
typedef struct an_frag_sweep_s an_frag_sweep_t;

an_frag_sweep_t *an_frag_sweep_new(long long start_ns, long long end_ns, int points);
/* One allocation of the image, in any order: [ptr, end) as in
 * an_frag_blk_t, free_ns -1 when never freed.  0, -1 out of memory. */
int an_frag_sweep_feed(an_frag_sweep_t *s, uint64_t ptr, uint64_t end, uint64_t size,
                       int64_t alloc_ns, int64_t free_ns);
/* Close every point into m->series.  0, -1 out of memory. */
int an_frag_sweep_finish(an_frag_sweep_t *s, an_frag_model_t *m);
void an_frag_sweep_free(an_frag_sweep_t *s);

/* ---- an_frag_scan.c ---------------------------------------------------------
 * One pass over the image's allocations: live blocks at t into live (with
 * their sites in m->sites), every row into the series when points > 0. */
int an_frag_scan(an_db_t *db, const an_frag_sel_t *sel, int points, an_frag_model_t *m,
                 an_frag_hmap_t *ids, an_frag_live_t *live, char *err, size_t len);
/* The site index of callsite_id (created with zero counts; ids maps
 * callsite ids to site indices).  -1 out of memory. */
int an_frag_site_of(an_frag_model_t *m, an_frag_hmap_t *ids, long long callsite_id);

/* ---- an_frag_sort.c: live blocks by address ---------------------------------- */
int an_frag_sort(an_frag_live_t *live);

/* ---- an_frag_region.c: heap regions, each a run of blocks ------------------- */
typedef struct an_frag_run_s {
    size_t first, n; /* blocks [first, first + n) of the sorted live set */
} an_frag_run_t;

/* Classify the sorted live blocks; appends the heap regions to m and their
 * runs (same order) to *runs.  0, or -1 with err. */
int an_frag_regions(an_db_t *db, const an_frag_sel_t *sel, const an_frag_live_t *live,
                    an_frag_model_t *m, an_frag_run_t **runs, char *err, size_t len);

/* ---- an_frag_pages.c: the address sweep of one region ------------------------ */
int an_frag_pages(an_frag_model_t *m, size_t region, an_frag_live_t *live,
                  const an_frag_run_t *run);

/* ---- an_frag_sites.c: rankings and pin lifetimes ----------------------------- */
int an_frag_sites(an_frag_model_t *m, const an_frag_live_t *live, int top);

/* ---- an_frag_vm.c: program mappings live at t --------------------------------- */
int an_frag_vm(an_db_t *db, const an_frag_sel_t *sel, an_frag_model_t *m,
               an_frag_hmap_t *ids, char *err, size_t len);

/* ---- an_frag_rss.c: samples ---------------------------------------------------- */
/* rss of the sample nearest each m->series point and t.  0, or -1 with err. */
int an_frag_rss(an_db_t *db, const an_frag_sel_t *sel, an_frag_model_t *m, char *err,
                size_t len);

/* ---- an_frag_names.c: frames of the sites the model shows ---------------------- */
int an_frag_names(an_db_t *db, an_frag_model_t *m, char *err, size_t len);

/* ---- growth helper --------------------------------------------------------------- */
/* Make room for one more element in *v (n used, *cap allocated).  0 / -1. */
int an_frag_grow(void **v, size_t n, size_t *cap, size_t elem);

/* Median (upper) of v[0..n) in O(n); reorders v.  n > 0. */
long long an_frag_median(long long *v, size_t n);

#endif
