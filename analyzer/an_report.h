/*
 * an_report.h -- the reports of `heapql report`.  Each takes an open
 * database, the options, and the FILE to write to; returns 0, or -1 with a
 * one-line message in err.  A report that succeeded but has something the
 * user must know (a source file that could not be read) fills
 * opts->warning; the command layer prints it and exits 1.
 *
 * Figures come from the aggregates the recorder writes at the end
 * (processes, callsite_stats) whenever the question allows: that is what
 * keeps summary, top and leaks well under a second on 10M allocations.
 * Time windows, lifetimes, histograms and recordings still in progress
 * scan `allocations` once.
 */
#ifndef AN_REPORT_H
#define AN_REPORT_H

#include <stdio.h>

#include "an_db.h"
#include "an_filter.h"
#include "an_fmt.h"

typedef enum an_metric_e {
    AN_M_ALLOCS = 0,
    AN_M_BYTES,
    AN_M_PEAK,
    AN_M_LEAKED,
    AN_M_TEMPORARY,
    AN_M_COUNT
} an_metric_t;

typedef struct an_report_opts_s {
    an_format_t format;
    int width, height;          /* terminal size for bars and charts (0: 80x24) */
    an_metric_t metric;         /* top --sort, flamegraph --metric, diff --sort */
    int inclusive;              /* top, lines */
    long long top;              /* rows to show; 0: the report's default */
    int frames;                 /* frames shown per call site in text; 0: default */
    an_filter_t filter;         /* --function/--file/--module/--from/--to */
    const char *suppressions;   /* leaks: LSan suppression file */
    int all;                    /* leaks: list suppressed stacks too */
    long long max_lifetime_ns;  /* temporary: short-lived threshold */
    long long callsite;         /* histogram: callsite id, -1 for none */
    const char *target;         /* lines: FUNCTION or FILE */
    const char *db_path;        /* shown in headers */
    an_db_t *other;             /* diff: database B */
    const char *other_path;
    char warning[512];          /* out */
} an_report_opts_t;

/* Defaults: text, all metrics at their defaults, callsite -1. */
void an_report_opts_init(an_report_opts_t *o);
void an_report_opts_free(an_report_opts_t *o);

/* "allocs" -> AN_M_ALLOCS ...; -1 when unknown. */
int an_metric_parse(const char *s);
const char *an_metric_name(an_metric_t m);

int an_report_summary(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_top(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_leaks(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_temp(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_lines(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_hist(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_timeline(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_diff(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);
int an_report_flame(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen);

#endif
