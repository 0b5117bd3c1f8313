/*
 * an_report_summary.h -- internal to the summary report: the figures it
 * gathers (an_report_summary.c) and renders (an_report_sumout.c).
 */
#ifndef AN_REPORT_SUMMARY_H
#define AN_REPORT_SUMMARY_H

#include "an_report_int.h"

#define SUM_MAX_KINDS 64

typedef struct sum_kind_s {
    char name[32];
    long long count;
} sum_kind_t;

typedef struct summary_s {
    char command[1024], reason[256];
    long long run_ns, start_unix_ns;
    long long allocs, bytes, frees, failed, temporary;
    long long leaked_bytes, leaked_blocks;
    long long peak_bytes, peak_blocks, peak_ns, peak_rss, peak_pid;
    long long ring_waits, ring_wait_ns, unknown_frees, lost_events;
    long long unsampled_frees; /* sampled recording: frees of blocks not sampled */
    sum_kind_t kinds[SUM_MAX_KINDS];
    int n_kinds;
    an_proc_t *procs;
    size_t n_procs;
    an_top_t top;
} summary_t;

/* Calls per kind into s->kinds, most calls first. */
int an_sum_kinds(an_ctx_t *c, summary_t *s, char *err, size_t errlen);
int an_sum_gather(an_ctx_t *c, summary_t *s, char *err, size_t errlen);
void an_sum_free(summary_t *s);
int an_sum_write(an_ctx_t *c, summary_t *s, char *err, size_t errlen);

#endif
