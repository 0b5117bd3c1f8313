/*
 * tui_term.h -- owning the terminal: curses in cbreak mode with keypad,
 * mouse and the alternate screen; the terminal restored by tui_term_close
 * and, on a fatal or terminating signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT, SIGTERM, SIGINT, SIGHUP, SIGQUIT), by a handler that writes
 * the saved reset sequences and terminal modes with async-signal-safe
 * calls only and then re-raises the signal with its default action.
 */
#ifndef TUI_TERM_H
#define TUI_TERM_H

#include <stddef.h>

typedef struct tui_term_info_s {
    int utf8;     /* the locale's codeset is UTF-8 */
    int theme;    /* tui_theme_kind_t */
    int mouse;    /* the terminal reports mouse events */
} tui_term_info_t;

/* Start curses on the process's terminal.  -1 with err when there is no
 * usable terminal (unknown TERM, not a tty). */
int tui_term_open(int no_color, tui_term_info_t *info, char *err, size_t errlen);
void tui_term_close(void);

#endif
