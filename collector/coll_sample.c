/*
 * coll_sample.c -- the `samples` rows: every COLL_SAMPLE_NS, for every live
 * image, its resident set (/proc/PID/statm) and its heap as drained so far;
 * one more at the image's start and at its end (estimates in a sampled
 * run, like every heap figure).  Also which sample is
 * nearest to the heap peak (processes.peak_rss_bytes), found lazily: the
 * first sample after a new peak compares itself with the one before.
 */
#include "coll_int.h"

#include <stdlib.h>

#include "hq_ring.h"

static int64_t sample_dist(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

static void sample_peak(coll_proc_t *p, int64_t ns, int64_t rss)
{
    int64_t d;
    if (p->peak_ns < 0)
        return;
    if (p->peak_rss_epoch != p->epoch) {
        p->peak_rss_epoch = p->epoch;
        p->peak_rss = p->rss_last;
        p->peak_rss_dist = p->rss_last >= 0 ? sample_dist(p->rss_last_ns, p->peak_ns) : INT64_MAX;
    }
    d = sample_dist(ns, p->peak_ns);
    if (d < p->peak_rss_dist) {
        p->peak_rss = rss;
        p->peak_rss_dist = d;
    }
}

int64_t coll_sample_peak_rss(const coll_proc_t *p)
{
    if (p->peak_ns < 0)
        return -1;
    return p->peak_rss_epoch == p->epoch ? p->peak_rss : p->rss_last;
}

/* rss < 0: unknown (the process is gone); 0 is what a zombie reads. */
int coll_sample_proc(coll_t *c, coll_proc_t *p, int64_t ns, int64_t rss)
{
    coll_batch_t *rows = &c->batch[COLL_B_SAMPLES];
    int64_t *v = coll_batch_slot(rows);
    if (rss == 0)
        rss = -1;
    if (rss > 0) {
        sample_peak(p, ns, rss);
        p->rss_last = rss;
        p->rss_last_ns = ns;
    }
    v[0] = p->pid;
    v[1] = ns;
    v[2] = rss > 0 ? rss : COLL_NULL;
    v[3] = (int64_t)p->heap_bytes;
    v[4] = (int64_t)coll_units(c, p->heap_blocks);
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

int coll_sample_all(coll_t *c)
{
    int64_t ns = coll_rel_now(c);
    for (size_t i = 0; i < c->nprocs; i++) {
        coll_proc_t *p = c->procs[i];
        if (p->state == COLL_PROC_LIVE &&
            coll_sample_proc(c, p, ns, coll_procfs_rss(p->statm_fd)) != 0)
            return -1;
    }
    return 0;
}
