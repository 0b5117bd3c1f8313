/*
 * coll_clock.c -- TSC stamps to CLOCK_MONOTONIC ns (rings whose shim stamps
 * records with rdtsc, HQ_CLOCK_TSC; see the comment below).
 */
#include "coll_int.h"

#include <stdint.h>
#include <time.h>

#include "hq_ring.h"

#define CLK_PAIR_TICKS 1000u           /* a pair whose two TSC reads are further apart is retaken */
#define CLK_TRIES 8
#define CLK_FIRST_NS 2000000           /* the first rate: from pairs at least 2 ms apart */
#define CLK_WINDOW_NS 1000000000ll     /* then from pairs 1 to 2 s apart (NTP slews the clock) */

/* ---- TSC stamps (HQ_CLOCK_TSC rings) --------------------------------------
 * The TSC is one counter for the machine; CLOCK_MONOTONIC is a line through
 * it.  Each drain pass takes a pair (rdtsc, clock_gettime, rdtsc: the
 * middle of the two counts); a stamp becomes the anchor's ns plus its
 * distance to the anchor (the pass's pair) at the rate measured over the
 * last 1-2 s.  Records are at most a ring's backlog from the anchor, so
 * the error is that distance times the rate error (below 1e-4 in the first
 * 2 ms, about 1e-7 after a second).  drain_time then keeps each image's
 * times strictly increasing, as for CLOCK_MONOTONIC stamps.  Process-wide:
 * one counter, whatever the number of recordings. */
typedef struct drain_clock_s {
    int used;                 /* a TSC ring was seen: take pairs */
    uint64_t tsc;             /* anchor */
    int64_t ns;
    uint64_t base_tsc, mid_tsc; /* the rate's window: base, and the next base */
    int64_t base_ns, mid_ns;
    double ns_per_tick;       /* 0: not measured yet */
} drain_clock_t;

static drain_clock_t drain_clk;

/* The tightest of a few (rdtsc, clock_gettime, rdtsc) reads. */
static void clock_pair(uint64_t *tsc, int64_t *ns)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < CLK_TRIES && best > CLK_PAIR_TICKS; i++) {
        uint64_t a = hq_tsc();
        int64_t t = (int64_t)hq_now_ns();
        uint64_t b = hq_tsc();
        if (b - a < best) {
            best = b - a;
            *tsc = a + (b - a) / 2;
            *ns = t;
        }
    }
}

/* A new anchor; the rate once the window is long enough. */
static void clock_sample(drain_clock_t *k)
{
    clock_pair(&k->tsc, &k->ns);
    if (!k->base_tsc) {
        k->base_tsc = k->mid_tsc = k->tsc;
        k->base_ns = k->mid_ns = k->ns;
        return;
    }
    if (k->ns - k->base_ns >= CLK_FIRST_NS && k->tsc > k->base_tsc)
        k->ns_per_tick = (double)(k->ns - k->base_ns) / (double)(k->tsc - k->base_tsc);
    if (k->ns - k->mid_ns >= CLK_WINDOW_NS) {
        k->base_tsc = k->mid_tsc;
        k->base_ns = k->mid_ns;
        k->mid_tsc = k->tsc;
        k->mid_ns = k->ns;
    }
}

/* CLOCK_MONOTONIC ns of a TSC stamp. */
uint64_t coll_clock_tsc_ns(uint64_t stamp)
{
    drain_clock_t *k = &drain_clk;
    if (!k->used) {
        k->used = 1;
        clock_sample(k);
    }
    for (int i = 0; k->ns_per_tick == 0; i++) { /* first use: 2 ms to measure a rate, once */
        struct timespec ts = {0, CLK_FIRST_NS / 4};
        if (i == 400) /* a counter that does not move: keep the stamps apart at least */
            k->ns_per_tick = 1.0;
        nanosleep(&ts, NULL);
        clock_sample(k);
    }
    return (uint64_t)(k->ns + (int64_t)((double)(int64_t)(stamp - k->tsc) * k->ns_per_tick));
}

void coll_clock_pass(void)
{
    if (drain_clk.used)
        clock_sample(&drain_clk);
}
