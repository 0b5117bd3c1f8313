/*
 * tui_app_results.c -- models arriving from the workers, and the live
 * tick.  A new summary tells whether the recording moved on (rows, status,
 * symbols); then a new snapshot is asked for, and the views that show it
 * re-derive their rows, keeping their cursors on the same stack, node or
 * line.  While the collector writes, the tick asks for a summary about
 * once a second; when the recording ends the final figures are loaded
 * and the status bar says so.
 */
#include "tui_app.h"
#include "tui_views.h"

#include <stdlib.h>
#include <string.h>

#define RESULTS_BATCH 16

static double results_tick_ms(const tui_app_t *a)
{
    return (a->opts.tick_s > 0 ? a->opts.tick_s : 1.0) * 1000.0;
}

static void results_live(tui_app_t *a, const tui_summary_t *old, const tui_summary_t *s)
{
    if (s->state.live) {
        a->was_live = 1;
        if (a->next_tick <= 0)
            a->next_tick = tui_now_ms() + results_tick_ms(a);
    } else if (a->was_live && !a->ended) {
        a->ended = 1; /* the status bar says so from now on */
        a->epoch++;
        tui_req_kinds(a);
    }
    if (old && old->state.symbolized != s->state.symbolized)
        a->epoch++; /* frames were rewritten: fresh connections, fresh caches */
    /* after the end, keep polling until the symbols are in */
    if (a->was_live && a->ended && (s->state.symbolized || s->state.crashed))
        a->next_tick = 0;
}

static void results_summary(tui_app_t *a, tui_summary_t *s)
{
    tui_summary_t *old = a->sum;
    int first = !old;
    a->sum = s;
    results_live(a, old, s);
    if (first && !s->state.live && s->peak_ns >= 0) {
        tui_time_set(a, s->peak_ns);
        a->follow = 0;
    }
    if (a->follow)
        a->t_cursor = tui_time_end(a);
    if (old && (tui_state_changed(&old->state, &s->state) || a->epoch_seen != a->epoch)) {
        tui_frag_flush(a);
        a->snap_dirty = 1;
    }
    a->epoch_seen = a->epoch;
    if (a->snap_dirty && !tui_worker_busy(a->wk, TUI_JOB_SNAP))
        tui_req_snap(a, 0);
    if (a->view == TUI_V_FRAG)
        tui_req_frag(a);
    tui_summary_free(old);
}

static void results_snap(tui_app_t *a, tui_snap_t *s)
{
    tui_snap_t *old = a->snap;
    /* the per-kind count scans every row: after the first snapshot, so as
     * not to slow it down (live: once the recording has ended) */
    if (!old && !s->state.live && !a->kinds)
        tui_req_kinds(a);
    int window_changed = !old || old->window != s->window || old->from_ns != s->from_ns ||
                         old->to_ns != s->to_ns;
    a->snap = s;
    a->sel_node = a->sel_valid ? an_tree_find(s->tree, a->sel_site) : -1;
    tui_sites_sync(a);
    tui_leaks_sync(a);
    tui_tree_sync(a); /* an open stack popup holds copies: it stays */
    if (a->vsrc.file[0])
        tui_req_source(a, a->vsrc.file, a->src ? tui_source_line(a) : a->vsrc.want_line);
    if (a->view == TUI_V_SOURCE)
        tui_source_show(a); /* started on it: the first selection is there now */
    if (a->view == TUI_V_ALLOCS && (window_changed || s->state.live))
        tui_req_allocs(a, 1);
    else if (window_changed)
        a->vallocs.asked_valid = 0;
    tui_snap_unref(old);
    if (a->snap_dirty)
        tui_req_snap(a, 0);
}

static void results_frag(tui_app_t *a, tui_frag_t *f)
{
    if (a->nfrag == TUI_FRAG_CACHE) { /* the oldest goes */
        tui_frag_free(a->frag[0]);
        memmove(a->frag, a->frag + 1, (TUI_FRAG_CACHE - 1) * sizeof *a->frag);
        a->nfrag--;
    }
    a->frag[a->nfrag++] = f;
    if (a->view == TUI_V_FRAG)
        tui_req_frag(a); /* the cursor may have moved on meanwhile */
}

static void results_one(tui_app_t *a, tui_done_t *d)
{
    void *data = d->data;
    tui_timing_log(a, "job %d rc %d %.3f ms%s%s", d->job.kind, d->rc, d->ms,
                   d->rc ? ": " : "", d->rc ? d->err : "");
    if (d->rc != 0) {
        snprintf(a->errmsg, sizeof a->errmsg, "%s", d->err);
        tui_app_message(a, TUI_R_ERROR, "%s", d->err);
        tui_done_free(d);
        return;
    }
    d->data = NULL;
    switch (d->job.kind) {
    case TUI_JOB_SUMMARY: results_summary(a, data); break;
    case TUI_JOB_SNAP: results_snap(a, data); break;
    case TUI_JOB_SOURCE:
        tui_source_free(a->src);
        a->src = data;
        tui_source_sync(a);
        break;
    case TUI_JOB_ALLOCS:
        tui_allocs_free(a->allocs);
        a->allocs = data;
        tui_allocs_sync(a);
        break;
    case TUI_JOB_KINDS: free(a->kinds); a->kinds = data; break;
    case TUI_JOB_FRAG: results_frag(a, data); break;
    }
    tui_done_free(d);
}

void tui_app_results(tui_app_t *a)
{
    tui_done_t d[RESULTS_BATCH];
    tui_worker_t *w[2] = {a->wk, a->wf};
    for (int k = 0; k < 2; k++) {
        size_t n;
        while ((n = tui_worker_collect(w[k], d, RESULTS_BATCH)) > 0)
            for (size_t i = 0; i < n; i++)
                results_one(a, &d[i]);
    }
}

void tui_app_tick(tui_app_t *a)
{
    a->next_tick = tui_now_ms() + results_tick_ms(a);
    if (!tui_worker_busy(a->wk, TUI_JOB_SUMMARY))
        tui_req_summary(a);
}
