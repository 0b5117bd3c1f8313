/*
 * an_frag_model.h -- fragmentation of one process image at one moment:
 * internal waste, the heap regions laid out by address (pages touched,
 * occupancy, holes), the call sites whose few long-lived blocks pin
 * otherwise empty pages, unexplained RSS, and the same figures as a series
 * through the run.  docs/FRAGMENTATION.md explains every figure and the
 * region heuristics.
 *
 * Use: fill an an_frag_sel_t (pid, moment), an_frag_select() resolves it
 * against the database, an_frag_compute() fills the model, the renderers
 * (an_frag_render.h) or a TUI read it, an_frag_free() releases it.  The
 * model holds no database handle: it can outlive the connection.
 *
 * Cost: one scan of the image's allocations (the series rides along), a
 * sort of the live blocks by address, one linear sweep: ~1 s for 1M live
 * blocks (bench/frag_bench.sh).
 */
#ifndef AN_FRAG_MODEL_H
#define AN_FRAG_MODEL_H

#include <stddef.h>

#include "an_db.h"
#include "an_stack.h"

#define AN_FRAG_PAGE 4096ull
#define AN_FRAG_PAGE_SHIFT 12
/* A touched page is "low" when under this percentage of it is live. */
#define AN_FRAG_LOW_PCT 25
/* A call site pins a low page when it holds at least this share (percent)
 * of the page's live bytes: it is (nearly) the only thing keeping it. */
#define AN_FRAG_PIN_PCT 90
/* glibc's chunk header: a gap of g bytes between two live blocks can hold
 * a block of g - 16 usable bytes; that is the hole size we report. */
#define AN_FRAG_HDR 16ull
/* Non-main glibc arenas live in heaps of this size, aligned to it. */
#define AN_FRAG_ARENA_ALIGN (64ull << 20)
/* How far above the executable the brk heap may reach. */
#define AN_FRAG_BRK_SPAN (1ull << 40)
/* Frames kept per named call site. */
#define AN_FRAG_FRAMES 8

typedef enum an_frag_when_e {
    AN_FRAG_AT_PEAK = 0, /* the image's heap peak (processes.peak_ns) */
    AN_FRAG_AT_END,      /* the image's end */
    AN_FRAG_AT_NS        /* sel.at_ns, nanoseconds since the run started */
} an_frag_when_t;

typedef struct an_frag_sel_s {
    /* in */
    long long pid;          /* -1: the root process (first recorded) */
    an_frag_when_t when;
    long long at_ns;        /* AN_FRAG_AT_NS only */
    /* out, from an_frag_select */
    long long proc_id;      /* processes.id of the chosen image */
    long long start_ns;     /* image start */
    long long end_ns;       /* image end (last event when still running) */
    long long peak_ns;
    long long t_ns;         /* the moment */
    int images;             /* images recorded under this pid */
    char exe[512];
} an_frag_sel_t;

typedef enum an_frag_rkind_e {
    AN_FRAG_R_BRK = 0,   /* the brk heap: glibc's main arena */
    AN_FRAG_R_ARENA,     /* one 64 MiB-aligned heap of another glibc arena */
    AN_FRAG_R_CHUNK,     /* one block malloc mapped on its own */
    AN_FRAG_R_PROG_MMAP, /* mapped by the program itself (vm_events) */
    AN_FRAG_R_PROG_BRK   /* the break moved by the program itself */
} an_frag_rkind_t;

/* Live bytes on a page, or on each page of a run of full pages. */
typedef struct an_frag_page_s {
    unsigned long long addr; /* page address */
    unsigned npages;         /* > 1 only for runs inside one block */
    unsigned bytes;          /* live bytes on each page */
} an_frag_page_t;

typedef struct an_frag_hole_s {
    unsigned long long size; /* usable bytes a block in the hole would get */
    long long count;
} an_frag_hole_t;

typedef struct an_frag_region_s {
    an_frag_rkind_t kind;
    /* Heap regions: from the page of the first live block to the end of
     * the page of the last one.  Chunks: their pages.  Program regions:
     * the mapping. */
    unsigned long long start, end;
    long long blocks, live_bytes, usable_bytes;
    long long pages_touched, pages_low;
    long long holes, hole_bytes;
    unsigned long long largest_hole, largest_hole_addr;
    size_t page0, npages; /* entries in model.pages, by address */
    size_t size0, nsizes; /* its distinct hole sizes in model.hole_sizes, by size */
    int prot, flags;      /* program mappings */
    int site;             /* program mappings: who mapped it (-1 unknown) */
} an_frag_region_t;

/* A call site (innermost callsite of the allocating stack) with live
 * blocks at the moment. */
typedef struct an_frag_site_s {
    long long callsite_id;  /* 0: allocations without a stack */
    long long blocks, live_bytes, usable_bytes;
    unsigned long long min_size, max_size;
    long long pages_low;    /* low pages holding any of its blocks */
    long long pages_pinned; /* low pages where it holds >= AN_FRAG_PIN_PCT% */
    /* its blocks on the pages it pins */
    long long pin_blocks, pin_bytes;
    long long age_min, age_med, age_max; /* t - alloc_ns */
    long long pin_freed;                 /* of them, freed later in the run */
    long long life_med;                  /* median lifetime of those freed, -1 none */
    /* frames, innermost first: only for the sites the model names */
    int nframes;
    an_frame_t *frames;
} an_frag_site_t;

typedef struct an_frag_point_s {
    long long t_ns;
    long long blocks, live_bytes, usable_bytes;
    long long pages;     /* touched pages */
    long long rss_bytes; /* nearest sample; -1 unknown */
} an_frag_point_t;

typedef struct an_frag_opts_s {
    int points; /* series length; 0: no series */
    int top;    /* sites named per ranking */
} an_frag_opts_t;

typedef struct an_frag_model_s {
    an_frag_sel_t sel;
    int symbolized;
    /* live blocks at t (all regions) */
    long long blocks, live_bytes, usable_bytes, internal_bytes;
    long long pages_touched, pages_low;
    long long holes, hole_bytes;
    unsigned long long largest_hole, largest_hole_addr;
    long long age_med;       /* median age of all live blocks */
    long long mapped_bytes;  /* program mappings live at t */
    long long rss_bytes;     /* -1: no sample */
    long long rss_ns;
    an_frag_region_t *regions; /* by start address */
    size_t nregions, regions_cap;
    an_frag_page_t *pages;
    size_t npages, pages_cap;
    an_frag_hole_t *hole_sizes;
    size_t nhole_sizes, hole_sizes_cap;
    an_frag_site_t *sites;
    size_t nsites, sites_cap;
    int *by_waste;   /* sites with internal waste, most first (top only) */
    size_t nwaste;
    int *by_pin;     /* sites pinning pages, most pages first (top only) */
    size_t npin;
    an_frag_point_t *series;
    size_t npoints;
} an_frag_model_t;

/* Resolve sel->pid and sel->when: the image (with --pid, the first image
 * of that pid that allocated, or the one containing at_ns) and t.
 * 0, or -1 with err: no such pid, no allocations, moment outside the run. */
int an_frag_select(an_db_t *db, an_frag_sel_t *sel, char *err, size_t len);

/* Fill m for a selection an_frag_select resolved.  opts NULL: defaults
 * (100 points, top 10).  0, or -1 with err (m freed). */
int an_frag_compute(an_db_t *db, const an_frag_sel_t *sel, const an_frag_opts_t *opts,
                    an_frag_model_t *m, char *err, size_t len);
void an_frag_free(an_frag_model_t *m);

/* Region kind as shown ("brk heap", "arena heap", "mmap chunk", ...). */
const char *an_frag_kind_name(an_frag_rkind_t k);
/* Heap regions get a page map; chunks and program regions a line each. */
int an_frag_has_map(const an_frag_region_t *r);

/* ---- the map ---------------------------------------------------------------
 * A region is drawn as cells of cell_pages pages from r->start.  A cell's
 * occupancy is its live bytes over the bytes of its touched pages; its
 * level: 0 no live byte, 1 under 25%, 2 under 50%, 3 under 75%, 4 above. */
typedef struct an_frag_cell_s {
    long long touched;            /* pages with a live byte */
    unsigned long long live;      /* live bytes */
} an_frag_cell_t;

typedef struct an_frag_layout_s {
    unsigned long long cell_pages;
    int cols;         /* cells per row */
    int drawn;        /* heap regions that fit, most touched pages first */
    int *order;       /* region indices drawn, by address (model order) */
} an_frag_layout_t;

/* Cells in r at cell_pages per cell. */
size_t an_frag_ncells(const an_frag_region_t *r, unsigned long long cell_pages);
/* Fill out[0 .. an_frag_ncells) (zeroed here). */
void an_frag_cells(const an_frag_model_t *m, const an_frag_region_t *r,
                   unsigned long long cell_pages, an_frag_cell_t *out);
int an_frag_level(const an_frag_cell_t *c);
/* The smallest power-of-two cell size at which the heap regions fit in
 * cols cells per row and rows lines (one label line per region plus its
 * rows).  0, or -1 out of memory.  an_frag_layout_free releases order. */
int an_frag_layout(const an_frag_model_t *m, int cols, int rows, an_frag_layout_t *l);
void an_frag_layout_free(an_frag_layout_t *l);

#endif
