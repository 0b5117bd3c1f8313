/*
 * tui.h -- `heapql tui DB`: the interactive browser of a recording (live
 * while it records).  The command layer validates the database and hands
 * over; the UI owns the terminal until it returns, and restores it on
 * every way out (return, SIGINT/SIGTERM/SIGHUP, a crash).
 */
#ifndef TUI_H
#define TUI_H

#include <stddef.h>

typedef struct tui_opts_s {
    const char *db_path;
    const char *timing_path;  /* HEAPQL_TUI_TIMING: log of times, or NULL */
    int no_color;             /* NO_COLOR set and not empty */
    int start_view;           /* 0..6 (--view) */
    double tick_s;            /* live refresh period; 0: 1 s */
} tui_opts_t;

/* Run the UI.  0 on a normal quit; -1 with err (one line) when the
 * terminal could not be set up or the UI failed. */
int tui_run(const tui_opts_t *o, char *err, size_t errlen);

#endif
