/*
 * an_sym_progress.h -- "symbolizing N/M frames" on stderr, redrawn in
 * place at most ten times a second, only when asked for and stderr is a
 * terminal (the one output an_sym_run makes, as its contract says).
 */
#ifndef AN_SYM_PROGRESS_H
#define AN_SYM_PROGRESS_H

typedef struct an_sym_progress_s {
    int on;
    int shown;  /* a line is on screen */
    long long total, done;
    long long last_ms;
} an_sym_progress_t;

void an_sym_progress_begin(an_sym_progress_t *p, int wanted, long long total);
void an_sym_progress_step(an_sym_progress_t *p);
/* Erase the line. */
void an_sym_progress_end(an_sym_progress_t *p);

#endif
