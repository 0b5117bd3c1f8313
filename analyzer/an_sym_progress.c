/* an_sym_progress.c -- see an_sym_progress.h. */
#include "an_sym_progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long progress_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void an_sym_progress_begin(an_sym_progress_t *p, int wanted, long long total)
{
    p->on = wanted && isatty(STDERR_FILENO);
    p->total = total;
    p->done = 0;
    p->shown = 0;
    p->last_ms = progress_now_ms();
}

void an_sym_progress_step(an_sym_progress_t *p)
{
    p->done++;
    if (!p->on || (p->done & 255) != 0)
        return;
    long long now = progress_now_ms();
    if (now - p->last_ms < 100)
        return;
    p->last_ms = now;
    p->shown = 1;
    fprintf(stderr, "\rheapql: symbolizing %lld/%lld frames", p->done, p->total);
    fflush(stderr);
}

void an_sym_progress_end(an_sym_progress_t *p)
{
    if (p->shown)
        fprintf(stderr, "\r\033[K");
    p->on = p->shown = 0;
}
