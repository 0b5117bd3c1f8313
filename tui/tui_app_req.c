/*
 * tui_app_req.c -- what the UI asks the workers for.  Model jobs go to
 * the main worker; fragmentation maps and the per-kind count to the
 * other, so neither delays a call-site table.  Requests carry the time range
 * and the connection epoch.
 */
#include "tui_app.h"

#include <stdint.h>
#include <string.h>

/* an_filter_time accepts up to 1e9 s: "to the end" is that. */
#define REQ_OPEN_END 999999999000000000LL

static void req_window(const tui_app_t *a, int *window, long long *from, long long *to)
{
    *window = a->range;
    *from = a->r_from;
    *to = a->r_to > REQ_OPEN_END ? REQ_OPEN_END : a->r_to;
}

void tui_req_summary(tui_app_t *a)
{
    tui_job_t j;
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_SUMMARY;
    j.epoch = a->epoch;
    tui_worker_submit(a->wk, &j, 0);
}

/* The per-kind count scans every row: it runs on the map worker, idle
 * unless the Fragmentation view is used, so the model jobs never wait. */
void tui_req_kinds(tui_app_t *a)
{
    tui_job_t j;
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_KINDS;
    j.epoch = a->epoch;
    tui_worker_submit(a->wf, &j, 1);
}

void tui_req_snap(tui_app_t *a, int cancel)
{
    tui_job_t j;
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_SNAP;
    j.epoch = a->epoch;
    req_window(a, &j.u.snap.window, &j.u.snap.from_ns, &j.u.snap.to_ns);
    a->snap_dirty = 0;
    tui_worker_submit(a->wk, &j, cancel);
}

void tui_req_source(tui_app_t *a, const char *file, int line)
{
    tui_job_t j;
    if (file != a->vsrc.file)
        snprintf(a->vsrc.file, sizeof a->vsrc.file, "%s", file);
    a->vsrc.want_line = line;
    if (!a->snap || !a->vsrc.file[0])
        return; /* asked again when the snapshot arrives */
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_SOURCE;
    j.epoch = a->epoch;
    snprintf(j.u.source.file, sizeof j.u.source.file, "%s", a->vsrc.file);
    j.u.source.inclusive = a->vsrc.inclusive;
    j.u.source.snap = tui_snap_ref(a->snap);
    tui_worker_submit(a->wk, &j, 1);
}

void tui_req_allocs(tui_app_t *a, int force)
{
    tui_job_t j;
    if (!a->sel_valid)
        return;
    if (!force && a->vallocs.asked_valid && a->vallocs.asked == a->sel_site)
        return;
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_ALLOCS;
    j.epoch = a->epoch;
    j.u.allocs.callsite = a->sel_site;
    req_window(a, &j.u.allocs.window, &j.u.allocs.from_ns, &j.u.allocs.to_ns);
    a->vallocs.asked = a->sel_site;
    a->vallocs.asked_valid = 1;
    tui_worker_submit(a->wk, &j, 1);
}

const tui_frag_t *tui_frag_current(const tui_app_t *a)
{
    for (int i = 0; i < a->nfrag; i++)
        if (a->frag[i]->at_ns == a->t_cursor)
            return a->frag[i];
    return NULL;
}

void tui_req_frag(tui_app_t *a)
{
    tui_job_t j;
    if (!a->sum || tui_frag_current(a))
        return;
    if (a->vfrag.asked == a->t_cursor && tui_worker_busy(a->wf, TUI_JOB_FRAG))
        return;
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_FRAG;
    j.epoch = a->epoch;
    j.u.frag.at_ns = a->t_cursor;
    j.u.frag.pid = a->vfrag.pid;
    a->vfrag.asked = a->t_cursor;
    tui_worker_submit(a->wf, &j, 1);
}

void tui_frag_flush(tui_app_t *a)
{
    for (int i = 0; i < a->nfrag; i++)
        tui_frag_free(a->frag[i]);
    a->nfrag = 0;
    a->vfrag.asked = -1;
}
