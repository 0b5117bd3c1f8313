/*
 * an_report_mode.c -- recordings made with `heapql run --sample-rate N`
 * (meta sample_rate > 0) or `--aggregate` (meta aggregate = 1): what the
 * reports say about them, and the refusal of what they cannot answer.
 *
 * Sampled: processes, callsite_stats and samples already hold estimates
 * (the collector weighs each sampled block, schema/README.md); a scan of
 * allocations weighs each row by its `weight` (an_scan fills an_arow_t.n
 * and .bytes), so every report shows estimates and says so once.
 * Aggregated: no allocations rows.  Whatever callsite_stats, processes and
 * samples answer still works (summary, top, leaks, lines, flamegraph,
 * diff, timeline); time windows, lifetimes and histograms cannot.
 * Databases older than these modes have neither key: a full recording.
 */
#include "an_report_int.h"

#include <stdlib.h>
#include <string.h>

void an_ctx_mode_load(an_ctx_t *c)
{
    char buf[32];
    an_db_meta(c->d, "sample_rate", buf, sizeof buf);
    c->sample_rate = buf[0] ? atoll(buf) : 0;
    if (c->sample_rate < 0)
        c->sample_rate = 0;
    an_db_meta(c->d, "aggregate", buf, sizeof buf);
    c->aggregate = buf[0] && atoll(buf) != 0;
}

const char *an_ctx_mode_note(const an_ctx_t *c, char *buf, size_t len)
{
    if (!c->sample_rate && !c->aggregate)
        return NULL;
    if (c->sample_rate && c->aggregate)
        snprintf(buf, len, "sampled: estimates (1 sample per %lld bytes); aggregated: "
                 "per-call-site totals only", c->sample_rate);
    else if (c->sample_rate)
        snprintf(buf, len, "sampled: estimates (1 sample per %lld bytes)", c->sample_rate);
    else
        snprintf(buf, len, "aggregated: per-call-site totals only, no allocation rows");
    return buf;
}

int an_ctx_no_rows(const an_ctx_t *c, const char *what, char *err, size_t errlen)
{
    if (c->d->live || c->d->crashed || !strcmp(c->d->status, "recording"))
        snprintf(err, errlen, "this recording is aggregated (heapql run --aggregate): its "
                 "per-call-site totals are written when it ends, %s (the heap over time is "
                 "in 'report timeline')", c->d->crashed ? "and it never ended" : "not yet");
    else
        snprintf(err, errlen, "this recording is aggregated (heapql run --aggregate): it keeps "
                 "per-call-site totals, not the allocation rows that %s need%s", what,
                 strstr(what, "lifetime") ? "; temporary counts per call site: 'report top "
                                            "--sort temporary'" : "");
    return -1;
}
