/*
 * cli_live.h -- `--live`: the terminal UI (`heapql tui DB`) browsing a
 * recording while it is being written, in a child process that owns the
 * terminal.  Used by `heapql run` and `heapql attach`.
 */
#ifndef CLI_LIVE_H
#define CLI_LIVE_H

#include <sys/types.h>

/* 1 when stdin and stdout are terminals (the UI needs both). */
int cli_live_possible(void);

/* Start `heapql tui DB` (this very executable).  Returns its pid, or -1
 * with errno set. */
pid_t cli_live_start(const char *db);

/* 1 once the UI has exited (reaped), 0 while it runs; -1 for no UI. */
int cli_live_done(pid_t tui);

/* Wait for the UI to exit (the user quits it).  pid <= 0: no UI. */
void cli_live_wait(pid_t tui);

#endif
