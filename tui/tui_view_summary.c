/*
 * tui_view_summary.c -- 1 Summary: the run's key figures, the chart of heap
 * and RSS with the peak, the time cursor and the range, and the figures of
 * the range.  Figures come from tui_summary_t (aggregates) and, while the
 * recording runs or a range is set, from the snapshot's totals.
 */
#include "tui_app.h"
#include "tui_chart.h"
#include "tui_views.h"

#include <string.h>

typedef struct sum_line_s {
    const char *label;
    char value[512];
    tui_role_t role;
} sum_line_t;

#define SUM_MAX_LINES 16

typedef struct sum_lines_s {
    sum_line_t v[SUM_MAX_LINES];
    int n;
} sum_lines_t;

static char *sum_add(sum_lines_t *l, const char *label, tui_role_t role)
{
    if (l->n == SUM_MAX_LINES)
        return l->v[l->n - 1].value;
    sum_line_t *x = &l->v[l->n++];
    x->label = label;
    x->role = role;
    x->value[0] = '\0';
    return x->value;
}

static void sum_procs(const tui_summary_t *s, char *out, size_t len)
{
    const an_proc_t *p = s->nprocs ? &s->procs[0] : NULL;
    if (!p) {
        snprintf(out, len, "none yet");
    } else if (p->end_ns < 0) {
        snprintf(out, len, "%zu (pid %lld, running)", s->nprocs, p->pid);
    } else if (p->exit_signal > 0) {
        snprintf(out, len, "%zu (pid %lld, killed by signal %lld)", s->nprocs, p->pid,
                 p->exit_signal);
    } else {
        snprintf(out, len, "%zu (pid %lld, %s %lld)", s->nprocs, p->pid,
                 !strcmp(p->end_reason, "exec") ? "exec," : "exited", p->exit_code);
    }
}

static void sum_kinds(const tui_app_t *a, char *out, size_t len)
{
    char c[32];
    size_t o = 0;
    for (int i = 0; a->kinds && i < a->kinds->n && i < 4 && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%s%s %s", i ? ", " : "", a->kinds->name[i],
                              an_fmt_count(a->kinds->count[i], c, sizeof c));
}

static void sum_status(const tui_app_t *a, const tui_summary_t *s, sum_lines_t *l)
{
    const tui_state_t *st = &s->state;
    if (st->live)
        snprintf(sum_add(l, "status", TUI_R_LIVE), 512, "recording (live: figures so far)");
    else if (st->crashed)
        snprintf(sum_add(l, "status", TUI_R_WARN), 512, "unfinished: the collector is gone");
    else if (!strcmp(st->status, "truncated"))
        snprintf(sum_add(l, "status", TUI_R_WARN), 512, "truncated%s%s",
                 st->reason[0] ? ": " : "", st->reason);
    else
        snprintf(sum_add(l, "status", a->ended ? TUI_R_OK : TUI_R_NORMAL), 512, "%s%s%s",
                 st->status[0] ? st->status : "?", a->ended ? " (recording ended)" : "",
                 st->symbolized ? "" : ", not symbolized");
}

/* Live: rows so far (freed blocks), the heap now, the peak so far. */
static void sum_live(const tui_app_t *a, const tui_summary_t *s, sum_lines_t *l)
{
    char b1[32], b2[32], b3[32];
    const tui_snap_t *sn = a->snap;
    if (s->heap_now >= 0)
        snprintf(sum_add(l, "heap now", TUI_R_NUM), 512, "%s (RSS %s)",
                 an_fmt_bytes(s->heap_now, b1, sizeof b1),
                 s->rss_now >= 0 ? an_fmt_bytes(s->rss_now, b2, sizeof b2) : "?");
    snprintf(sum_add(l, "allocations", TUI_R_NUM), 512, "%s freed so far, %s "
             "(blocks still live are written at the end)",
             sn ? an_fmt_count(sn->total.allocs, b1, sizeof b1) : "...",
             sn ? an_fmt_bytes(sn->total.bytes, b3, sizeof b3) : "...");
    if (s->peak_ns >= 0)
        snprintf(sum_add(l, "peak so far", TUI_R_NUM), 512, "%s in %s blocks at %.3f s",
                 an_fmt_bytes(s->peak_bytes, b1, sizeof b1),
                 an_fmt_count(s->peak_blocks, b2, sizeof b2), (double)s->peak_ns / 1e9);
    snprintf(sum_add(l, "leaked", TUI_R_DIM), 512, "known when the recording ends");
}

static void sum_done(const tui_app_t *a, const tui_summary_t *s, sum_lines_t *l)
{
    char b1[32], b2[32], b3[32], k[256];
    const tui_snap_t *sn = a->snap && !a->snap->window ? a->snap : NULL;
    long long allocs = s->allocs, bytes = s->bytes, lb = s->leaked_bytes,
              lk = s->leaked_blocks, tmp = s->temporary;
    if (!s->has_totals && sn) { /* no callsite_stats (an unfinished run): the scan */
        bytes = sn->total.bytes, lb = sn->total.leaked_bytes, lk = sn->total.leaked_blocks;
        tmp = sn->total.temporary;
        if (allocs < sn->total.allocs)
            allocs = sn->total.allocs;
    }
    sum_kinds(a, k, sizeof k);
    snprintf(sum_add(l, "allocations", TUI_R_NUM), 512, "%s calls, %s%s%s%s",
             an_fmt_count(allocs, b1, sizeof b1), an_fmt_bytes(bytes, b2, sizeof b2),
             k[0] ? " (" : "", k, k[0] ? ")" : "");
    snprintf(sum_add(l, "frees", TUI_R_NUM), 512, "%s", an_fmt_count(s->frees, b1, sizeof b1));
    if (s->peak_ns >= 0)
        snprintf(sum_add(l, "peak heap", TUI_R_PEAK), 512, "%s in %s blocks at %.3f s%s%s%s",
                 an_fmt_bytes(s->peak_bytes, b1, sizeof b1),
                 an_fmt_count(s->peak_blocks, b2, sizeof b2), (double)s->peak_ns / 1e9,
                 s->peak_rss >= 0 ? " (RSS then " : "",
                 s->peak_rss >= 0 ? an_fmt_bytes(s->peak_rss, b3, sizeof b3) : "",
                 s->peak_rss >= 0 ? ")" : "");
    snprintf(sum_add(l, "leaked", lb ? TUI_R_WARN : TUI_R_NUM), 512, "%s in %s blocks",
             an_fmt_bytes(lb, b1, sizeof b1), an_fmt_count(lk, b2, sizeof b2));
    snprintf(sum_add(l, "temporary", TUI_R_NUM), 512, "%s allocations (%s)",
             an_fmt_count(tmp, b1, sizeof b1), an_fmt_pct((double)tmp, (double)allocs, b2, sizeof b2));
    snprintf(sum_add(l, "failed", s->failed ? TUI_R_WARN : TUI_R_NUM), 512, "%s",
             an_fmt_count(s->failed, b1, sizeof b1));
}

static void sum_range(const tui_app_t *a, sum_lines_t *l)
{
    char b1[32], b2[32], b3[32], b4[32];
    const tui_snap_t *sn = a->snap;
    char *v = sum_add(l, "in range", TUI_R_WARN);
    if (!sn || !sn->window) {
        snprintf(v, 512, "computing...");
        return;
    }
    snprintf(v, 512, "%s allocations, %s; peak %s; leaked %s; %s temporary",
             an_fmt_count(sn->total.allocs, b1, sizeof b1),
             an_fmt_bytes(sn->total.bytes, b2, sizeof b2),
             an_fmt_bytes(sn->total.peak_bytes, b3, sizeof b3),
             an_fmt_bytes(sn->total.leaked_bytes, b4, sizeof b4),
             an_fmt_count(sn->total.temporary, b1, sizeof b1));
}

static void sum_collect(const tui_app_t *a, sum_lines_t *l)
{
    const tui_summary_t *s = a->sum;
    char *v = sum_add(l, "command", TUI_R_NORMAL);
    snprintf(v, 512, "%.500s", s->command[0] ? s->command : "?");
    sum_status(a, s, l);
    snprintf(sum_add(l, "run time", TUI_R_NUM), 512, "%.3f s%s", (double)s->run_ns / 1e9,
             s->state.live ? " so far" : "");
    if (s->state.sample_rate > 0)
        snprintf(sum_add(l, "sampled", TUI_R_WARN), 512, "one sample per %lld bytes on average: "
                 "figures are estimates", s->state.sample_rate);
    if (s->state.aggregate)
        snprintf(sum_add(l, "aggregated", TUI_R_WARN), 512, "per-call-site totals only, no "
                 "allocation rows");
    sum_procs(s, sum_add(l, "processes", TUI_R_NORMAL), 512);
    if (s->state.live)
        sum_live(a, s, l);
    else
        sum_done(a, s, l);
    if (a->range)
        sum_range(a, l);
}

/* The figures in one column, or two when the terminal is wide enough for
 * the first column's longest value and 50 more columns. */
static int sum_draw_lines(const sum_lines_t *l, tui_rect_t r)
{
    int per = l->n, w0 = r.w;
    if (r.w >= 150 && l->n > 6) {
        int half = (l->n + 1) / 2, longest = 0;
        for (int i = 0; i < half; i++)
            if (tui_width(l->v[i].value) > longest)
                longest = tui_width(l->v[i].value);
        if (14 + longest + 3 <= r.w - 50) {
            per = half;
            w0 = 14 + longest + 3;
        }
    }
    for (int i = 0; i < l->n; i++) {
        int y = r.y + i % per, x = r.x + (i < per ? 0 : w0);
        int cw = i < per ? w0 : r.w - w0;
        if (y >= r.y + r.h)
            continue;
        tui_text(y, x + 1, 12, l->v[i].label, tui_attr(TUI_R_DIM));
        tui_textc(y, x + 14, cw - 15, l->v[i].value, tui_attr(l->v[i].role));
    }
    return per < r.h ? per : r.h;
}

static void sum_cursor_line(const tui_app_t *a, int y, int x, int w)
{
    char b1[32], b2[32], line[256];
    const tui_series_t *s = &a->sum->series;
    long i = tui_series_at(s, a->t_cursor);
    snprintf(line, sizeof line, "cursor %.3f s%s  heap %s  RSS %s", (double)a->t_cursor / 1e9,
             a->follow ? " (following the end)" : "",
             i >= 0 ? an_fmt_bytes(s->heap[i], b1, sizeof b1) : "-",
             i >= 0 && s->rss[i] >= 0 ? an_fmt_bytes(s->rss[i], b2, sizeof b2) : "-");
    static const char hint[] = "<-/-> move  [ ] range  c clear  p peak  R RSS";
    int n = tui_text(y, x + 1, w - 1, line, tui_attr(TUI_R_CURSOR) & ~A_COLOR);
    if (w - n - 4 >= (int)sizeof hint - 1)
        tui_textr(y, x + 1 + n, w - n - 2, hint, tui_attr(TUI_R_DIM));
}

void tui_summary_draw(tui_app_t *a, tui_rect_t r)
{
    sum_lines_t l;
    char detail[256];
    if (!a->sum) {
        tui_view_title(a, r, a->opts.db_path);
        tui_view_note(r, -1, TUI_R_DIM, a->errmsg[0] ? a->errmsg : "reading the recording...");
        return;
    }
    snprintf(detail, sizeof detail, "%s", a->opts.db_path);
    int y = tui_view_title(a, r, detail) + 1;
    l.n = 0;
    sum_collect(a, &l);
    tui_rect_t fr = {y, r.x, r.y + r.h - y, r.w};
    y += sum_draw_lines(&l, fr) + 1;
    tui_rect_t cr = {y, r.x, r.y + r.h - y - 1, r.w};
    if (a->sum->series.n == 0) {
        tui_view_note(cr, 1, TUI_R_DIM, "no samples yet: the chart appears with the first one");
        return;
    }
    if (cr.h < 4) {
        sum_cursor_line(a, r.y + r.h - 1, r.x, r.w);
        return;
    }
    tui_chart_draw(a, cr);
    sum_cursor_line(a, r.y + r.h - 1, r.x, r.w);
}

int tui_summary_key(tui_app_t *a, int ch)
{
    if (!a->sum)
        return TUI_UNHANDLED;
    switch (ch) {
    case KEY_LEFT: case 'h': tui_time_move(a, -1); return TUI_REFRESH;
    case KEY_RIGHT: case 'l': tui_time_move(a, 1); return TUI_REFRESH;
    case KEY_SLEFT: case 'H': tui_time_move(a, -10); return TUI_REFRESH;
    case KEY_SRIGHT: case 'L': tui_time_move(a, 10); return TUI_REFRESH;
    case KEY_HOME: case 'g': tui_time_set(a, 0); return TUI_REFRESH;
    case KEY_END: case 'G': tui_time_set(a, tui_time_end(a)); return TUI_REFRESH;
    case 'p':
        if (a->sum->peak_ns >= 0)
            tui_time_set(a, a->sum->peak_ns);
        return TUI_REFRESH;
    case 'R':
        a->hide_rss = !a->hide_rss;
        tui_app_message(a, TUI_R_OK, a->hide_rss ? "RSS hidden: the chart is scaled to the heap"
                                                 : "RSS shown");
        return TUI_REFRESH;
    }
    return TUI_UNHANDLED;
}

int tui_summary_mouse(tui_app_t *a, const MEVENT *m)
{
    if (!(m->bstate & BUTTON1_PRESSED) || m->x < a->chart_x || m->x >= a->chart_x + a->chart_w ||
        m->y < a->chart_y || m->y > a->chart_y + a->chart_h)
        return TUI_HANDLED;
    tui_time_set(a, tui_chart_time(a, m->x - a->chart_x));
    return TUI_REFRESH;
}
