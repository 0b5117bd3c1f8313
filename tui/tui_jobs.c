/* tui_jobs.c -- what each job kind runs (the models of tui_model.h) and
 * how its result is freed. */
#include "tui_worker.h"

#include <stdlib.h>

int tui_job_run(an_db_t *d, const tui_job_t *j, void **data, char *err, size_t errlen)
{
    switch (j->kind) {
    case TUI_JOB_SUMMARY:
        return tui_summary_load(d, (tui_summary_t **)data, err, errlen);
    case TUI_JOB_SNAP:
        return tui_snap_build(d, &j->u.snap, (tui_snap_t **)data, err, errlen);
    case TUI_JOB_SOURCE:
        return tui_source_build(d, &j->u.source, (tui_source_t **)data, err, errlen);
    case TUI_JOB_ALLOCS:
        return tui_allocs_load(d, &j->u.allocs, (tui_allocs_t **)data, err, errlen);
    case TUI_JOB_KINDS:
        return tui_kinds_load(d, (tui_kinds_t **)data, err, errlen);
    case TUI_JOB_FRAG:
        return tui_frag_load(d, &j->u.frag, (tui_frag_t **)data, err, errlen);
    }
    snprintf(err, errlen, "unknown job");
    return -1;
}

void tui_job_release(tui_job_t *j)
{
    if (j->kind == TUI_JOB_SOURCE) {
        tui_snap_unref(j->u.source.snap);
        j->u.source.snap = NULL;
    }
}

void tui_done_free(tui_done_t *d)
{
    if (!d)
        return;
    switch (d->job.kind) {
    case TUI_JOB_SUMMARY: tui_summary_free(d->data); break;
    case TUI_JOB_SNAP: tui_snap_unref(d->data); break;
    case TUI_JOB_SOURCE: tui_source_free(d->data); break;
    case TUI_JOB_ALLOCS: tui_allocs_free(d->data); break;
    case TUI_JOB_KINDS: free(d->data); break;
    case TUI_JOB_FRAG: tui_frag_free(d->data); break;
    }
    d->data = NULL;
    tui_job_release(&d->job);
}
