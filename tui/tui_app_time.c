/*
 * tui_app_time.c -- the time cursor and the time range.  The cursor moves
 * by columns of the Summary chart (the Fragmentation map follows it); the
 * range [start, end] set with '[' and ']' filters every view: figures,
 * stacks, leaks, lines and rows are those of the allocations made in it.
 */
#include "tui_app.h"

#include <limits.h>

long long tui_time_end(const tui_app_t *a)
{
    return a->sum && a->sum->run_ns > 0 ? a->sum->run_ns : 1;
}

void tui_time_set(tui_app_t *a, long long ns)
{
    long long end = tui_time_end(a);
    a->t_cursor = ns < 0 ? 0 : ns > end ? end : ns;
    a->follow = a->sum && a->sum->state.live && a->t_cursor == end;
}

void tui_time_move(tui_app_t *a, int columns)
{
    int w = a->chart_w > 0 ? a->chart_w : 100;
    long long end = tui_time_end(a), step = end / w;
    if (step < 1)
        step = 1;
    /* snap to column starts so that moving back and forth hits cached maps */
    long long col = a->t_cursor / step + columns;
    tui_time_set(a, col * step);
}

static void time_range_changed(tui_app_t *a)
{
    tui_req_snap(a, 1);
    a->vallocs.asked_valid = 0;
    if (a->view == TUI_V_ALLOCS)
        tui_req_allocs(a, 1);
}

static void time_range_message(tui_app_t *a)
{
    if (!a->range)
        tui_app_message(a, TUI_R_OK, "time range cleared: every view shows the whole run");
    else if (a->r_to == LLONG_MAX)
        tui_app_message(a, TUI_R_OK, "range from %.3f s to the end (']' sets the end)",
                        (double)a->r_from / 1e9);
    else
        tui_app_message(a, TUI_R_OK, "range %.3f s - %.3f s: views show allocations made in it",
                        (double)a->r_from / 1e9, (double)a->r_to / 1e9);
}

int tui_time_key(tui_app_t *a, int ch)
{
    switch (ch) {
    case '[':
        a->r_from = a->t_cursor;
        if (!a->range)
            a->r_to = LLONG_MAX;
        break;
    case ']':
        a->r_to = a->t_cursor;
        if (!a->range)
            a->r_from = 0;
        break;
    case 'c':
        if (!a->range)
            return TUI_HANDLED;
        a->range = 0;
        time_range_message(a);
        time_range_changed(a);
        return TUI_REFRESH;
    default:
        return TUI_UNHANDLED;
    }
    if (a->r_from > a->r_to) {
        long long t = a->r_from;
        a->r_from = a->r_to;
        a->r_to = t;
    }
    a->range = 1;
    time_range_message(a);
    time_range_changed(a);
    return TUI_REFRESH;
}
