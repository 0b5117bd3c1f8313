/*
 * an_export_massif.h -- internal to the massif export: the process image
 * and its snapshots (an_export_massif.c), the one scan of its allocations
 * that measures them (an_export_massif_scan.c), and the heap trees of the
 * detailed ones (an_export_massif_tree.c).
 */
#ifndef AN_EXPORT_MASSIF_H
#define AN_EXPORT_MASSIF_H

#include "an_export.h"
#include "an_report_int.h"

/* Bytes live at one detailed snapshot, per call site (tree node). */
typedef struct ms_site_s {
    int node;
    long long bytes;
} ms_site_t;

typedef struct ms_detail_s {
    an_map_t ix;        /* node -> index in sites */
    ms_site_t *sites;
    size_t n, cap;
} ms_detail_t;

typedef struct ms_snap_s {
    long long ns;       /* since the recording started */
    long long heap;     /* requested bytes of the blocks live at ns */
    long long extra;    /* their usable_size - size */
    long long cum;      /* bytes allocated by ns (the time axis in B) */
    int detail;         /* index into details, -1: not detailed */
    int peak;
} ms_snap_t;

typedef struct ms_image_s {
    long long pid, start_ns, end_ns, peak_ns, peak_bytes; /* peak_ns -1: none */
    char cmd[1024];
} ms_image_t;

typedef struct ms_s {
    an_ctx_t c;
    ms_image_t img;
    ms_snap_t *snaps;
    int n_snaps;
    ms_detail_t *details;
    int n_details;
} ms_t;

/* Fill heap, extra, cum and the detailed sites of every snapshot from
 * the image's allocations: a block is live at t when alloc_ns <= t <
 * free_ns.  0 / -1. */
int ms_scan(ms_t *m, char *err, size_t errlen);

/* The heap tree of sites (massif's "n<children>: <bytes> <label>" lines,
 * callers below callees, children by size, those under 1% of total
 * merged into one line).  0 / -1. */
int ms_tree_write(an_ctx_t *c, const ms_site_t *sites, size_t n, long long total, FILE *out,
                  char *err, size_t errlen);

#endif
