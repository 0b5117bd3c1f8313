/*
 * an_export.h -- `heapql export`: a recording written in the formats other
 * tools read.  Each writer takes an open database and writes one document
 * to the caller's FILE; 0, or -1 with a one-line message in err.
 *
 *   massif      massif.out for valgrind's ms_print and massif-visualizer:
 *               the heap of one process image over time, with detailed
 *               snapshots (call trees of the live blocks) at the peak, every
 *               10th snapshot and the end (an_export_massif*.c)
 *   pprof       gzipped profile.proto for go tool pprof, Pyroscope, Parca:
 *               alloc_objects/alloc_space/inuse_objects/inuse_space per
 *               stack (an_export_pprof*.c)
 *   speedscope  speedscope's JSON file format: shared frames, one sampled
 *               profile per metric (an_export_speedscope.c)
 *   folded      the flamegraph report's folded stacks (an_report_flame.c)
 *   csv         every allocation, one row each (an_export_csv.c)
 *
 * Figures are the reports' (an_report_int.h): per-callsite self figures
 * from callsite_stats, or from a scan of allocations while recording.
 */
#ifndef AN_EXPORT_H
#define AN_EXPORT_H

#include <stdio.h>

#include "an_db.h"
#include "an_report.h"

typedef enum an_export_format_e {
    AN_EXPORT_MASSIF = 0,
    AN_EXPORT_PPROF,
    AN_EXPORT_SPEEDSCOPE,
    AN_EXPORT_FOLDED,
    AN_EXPORT_CSV,
    AN_EXPORT_COUNT
} an_export_format_t;

typedef struct an_export_opts_s {
    an_export_format_t format;
    unsigned metrics;     /* bit (1u << an_metric_t) per metric; 0: the format's default */
    long long pid;        /* massif: this process (-1: the image with the highest peak) */
    int time_bytes;       /* massif: time axis in bytes allocated (massif's --time-unit=B) */
    const char *db_path;  /* named in the output */
} an_export_opts_t;

/* Defaults: massif, default metrics, pid -1, time in ms. */
void an_export_opts_init(an_export_opts_t *o);

/* "massif" -> AN_EXPORT_MASSIF ...; -1 when unknown. */
int an_export_format_parse(const char *s);
const char *an_export_format_name(an_export_format_t f);

/* "bytes" or "allocs,bytes" -> bit set in *metrics.  -1 with err on an
 * unknown name. */
int an_export_metrics_parse(const char *s, unsigned *metrics, char *err, size_t errlen);

/* Whether the options fit the format (metrics it takes, how many;
 * options only massif has).  0, or -1 with err: a usage error. */
int an_export_check(const an_export_opts_t *o, char *err, size_t errlen);

/* The format's default metrics when o->metrics is 0, else o->metrics. */
unsigned an_export_metrics(const an_export_opts_t *o);

/* 1 when table has column col (columns added to schema v1 later, such as
 * allocations.weight of sampled runs, are absent from older files). */
int an_export_has_column(an_db_t *d, const char *table, const char *col);

/* Write the export o asks for.  pprof output is binary (gzip). */
int an_export_run(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err, size_t errlen);

int an_export_massif(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err,
                     size_t errlen);
int an_export_pprof(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err, size_t errlen);
int an_export_speedscope(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err,
                         size_t errlen);
int an_export_folded(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err,
                     size_t errlen);
int an_export_csv(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err, size_t errlen);

#endif
