/*
 * tui_bar.c -- the tab bar (top line: the views, the current one
 * highlighted, the database on the right) and the status bar (bottom
 * line: LIVE or how the recording ended, the time range, what is being
 * computed, the last message, the help key).  Tabs shrink to short names,
 * then to numbers, as the terminal narrows.
 */
#include "tui_app.h"

#include <limits.h>
#include <string.h>

/* Tab labels at detail level 0 (names), 1 (short), 2 (numbers). */
static void bar_label(int v, int level, char *buf, size_t len)
{
    if (level == 0)
        snprintf(buf, len, " %d %s ", v + 1, tui_views[v].name);
    else if (level == 1)
        snprintf(buf, len, " %d %s ", v + 1, tui_views[v].tab);
    else
        snprintf(buf, len, " %d ", v + 1);
}

static int bar_level(void)
{
    char buf[64];
    for (int level = 0; level < 2; level++) {
        int w = 8;
        for (int v = 0; v < TUI_V_COUNT; v++) {
            bar_label(v, level, buf, sizeof buf);
            w += (int)strlen(buf);
        }
        if (w <= COLS)
            return level;
    }
    return 2;
}

void tui_bar_tabs(tui_app_t *a)
{
    char buf[64];
    int level = bar_level(), x;
    tui_fill(0, 0, COLS, tui_attr(TUI_R_BAR));
    x = tui_text(0, 0, COLS, " heapql ", tui_attr(TUI_R_BAR) | A_BOLD);
    for (int v = 0; v < TUI_V_COUNT; v++) {
        bar_label(v, level, buf, sizeof buf);
        x += tui_text(0, x, COLS - x, buf,
                      tui_attr(v == a->view ? TUI_R_TAB_ACTIVE : TUI_R_TAB));
    }
    if (COLS - x > (int)strlen(a->name) + 3)
        tui_textr(0, x, COLS - x - 1, a->name, tui_attr(TUI_R_BAR));
}

int tui_bar_mouse(tui_app_t *a, const MEVENT *m)
{
    char buf[64];
    int level = bar_level(), x = 8;
    if (!(m->bstate & BUTTON1_PRESSED))
        return TUI_HANDLED;
    for (int v = 0; v < TUI_V_COUNT; v++) {
        bar_label(v, level, buf, sizeof buf);
        int w = (int)strlen(buf);
        if (m->x >= x && m->x < x + w) {
            tui_app_switch(a, v);
            return TUI_REFRESH;
        }
        x += w;
    }
    return TUI_HANDLED;
}

/* The recording's state, leftmost: LIVE, ended, truncated, unfinished. */
static int bar_state(tui_app_t *a, int y, int x)
{
    const tui_state_t *s = a->sum ? &a->sum->state : NULL;
    const tui_glyphs_t *g = tui_glyphs();
    char buf[320];
    if (!s)
        return tui_text(y, x, COLS - x, " loading ", tui_attr(TUI_R_STATUS) | A_BOLD);
    if (s->live) {
        snprintf(buf, sizeof buf, " %s LIVE ", g->dot);
        return tui_text(y, x, COLS - x, buf, tui_attr(TUI_R_LIVE));
    }
    if (a->ended)
        snprintf(buf, sizeof buf, " recording ended: %s%s ", s->status,
                 s->symbolized ? "" : " (symbolizing...)");
    else if (s->crashed)
        snprintf(buf, sizeof buf, " unfinished: the collector is gone ");
    else if (!strcmp(s->status, "truncated"))
        snprintf(buf, sizeof buf, " truncated%s%s ", s->reason[0] ? ": " : "", s->reason);
    else if (!s->symbolized)
        snprintf(buf, sizeof buf, " not symbolized ");
    else
        return 0;
    return tui_text(y, x, COLS - x, buf, tui_attr(a->ended ? TUI_R_OK : TUI_R_WARN) | A_REVERSE);
}

static const char *bar_busy(tui_app_t *a)
{
    if (tui_worker_busy(a->wk, TUI_JOB_SNAP))
        return a->snap ? "updating..." : "reading call sites...";
    if (tui_worker_busy(a->wk, TUI_JOB_SOURCE))
        return "reading source...";
    if (tui_worker_busy(a->wk, TUI_JOB_ALLOCS))
        return "reading allocations...";
    if (tui_worker_busy(a->wf, TUI_JOB_FRAG))
        return "computing map...";
    return NULL;
}

static int bar_range(tui_app_t *a, int y, int x)
{
    char buf[96];
    if (!a->range)
        return 0;
    if (a->r_to == LLONG_MAX)
        snprintf(buf, sizeof buf, " range %.3f s - end ", (double)a->r_from / 1e9);
    else
        snprintf(buf, sizeof buf, " range %.3f - %.3f s ", (double)a->r_from / 1e9,
                 (double)a->r_to / 1e9);
    return tui_text(y, x, COLS - x, buf, tui_attr(TUI_R_STATUS) | A_BOLD);
}

static void bar_prompt(tui_app_t *a, int y)
{
    int x = tui_text(y, 0, COLS, " filter: ", tui_attr(TUI_R_STATUS) | A_BOLD);
    x += tui_text(y, x, COLS - x - 1, a->prompt.buf, tui_attr(TUI_R_STATUS));
    tui_text(y, x, 1, "_", tui_attr(TUI_R_STATUS) ^ A_REVERSE);
    tui_textr(y, x + 1, COLS - x - 2, "Enter: keep  Esc: cancel ", tui_attr(TUI_R_STATUS));
}

void tui_bar_status(tui_app_t *a)
{
    int y = LINES - 1, x = 0;
    const char *busy = bar_busy(a), *help = " ? help  q quit ";
    tui_fill(y, 0, COLS, tui_attr(TUI_R_STATUS));
    if (a->prompt.active) {
        bar_prompt(a, y);
        return;
    }
    x += bar_state(a, y, x);
    x += bar_range(a, y, x);
    if (a->msg[0])
        x += tui_textc(y, x + 1, COLS - x - (int)strlen(help) - 2, a->msg,
                       tui_attr(TUI_R_STATUS) | A_BOLD) + 1;
    else if (busy)
        x += tui_text(y, x + 1, COLS - x - (int)strlen(help) - 2, busy,
                      tui_attr(TUI_R_STATUS)) + 1;
    if (COLS - x > (int)strlen(help))
        tui_textr(y, x, COLS - x, help, tui_attr(TUI_R_STATUS));
}
