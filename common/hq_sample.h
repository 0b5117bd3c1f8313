/*
 * hq_sample.h -- the sampling contract between the shim and the collector
 * (`heapql run --sample-rate R`, hq_ack_t.sample_rate).
 *
 * The shim samples as Perfetto's heapprofd does: every byte is sampled with
 * probability 1/R.  Each thread keeps a countdown of bytes drawn from the
 * exponential distribution of mean R; an allocation of s bytes is recorded
 * when the countdown runs out within it, and the countdown is drawn afresh.
 * A block of R bytes or more is always recorded and leaves the countdown
 * alone.  The exponential is memoryless, so a block of s < R bytes is
 * recorded with probability exactly p(s) = 1 - exp(-s / R), whatever came
 * before it; a block of size 0 counts as 1 byte (so malloc(0) calls are
 * estimated too).
 *
 * The collector weighs each recorded block by 1 / p(s) (1 for s >= R):
 * Horvitz-Thompson, so the sums of weights and of weight * size are
 * unbiased estimates of the allocation count and bytes.  R = 1 samples every
 * block with weight 1: the exact figures.
 *
 * The shim side (hq_sample_take and what it calls) needs no libm, takes no
 * lock and never allocates; hq_sample_weight (collector) uses expm1.
 */
#ifndef HQ_SAMPLE_H
#define HQ_SAMPLE_H

#include <math.h>
#include <stdint.h>

#define HQ_SAMPLE_RATE_MAX (1ull << 30) /* 1 GiB: one sample per GiB allocated */

typedef struct hq_sampler_s {
    int64_t left;  /* bytes the countdown still covers (floor of the draw), minus those spent */
    uint64_t rng;  /* xorshift64* state, never 0 once seeded */
} hq_sampler_t;

/* splitmix64: turns a poor seed (tid, time) into a well-mixed state. */
static inline uint64_t hq_sample_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* xorshift64* (Vigna): 64 bits of output per step, period 2^64 - 1. */
static inline uint64_t hq_sample_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Natural logarithm of a finite normal x > 0, without libm: x = m * 2^e with
 * m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(z) = 2 (z + z^3/3 + ...) with
 * z = (m - 1) / (m + 1), |z| < 0.172: nine terms leave a relative error
 * below 1e-14 (tests/unit/test_mode_sampler.c checks against libm). */
static inline double hq_sample_ln(double x)
{
    union {
        double d;
        uint64_t u;
    } v = {x};
    int e = (int)((v.u >> 52) & 0x7ff) - 1023;
    v.u = (v.u & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m = v.d;
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    double z = (m - 1.0) / (m + 1.0), w = z * z;
    double s = 1.0 + w * (1.0 / 3 + w * (1.0 / 5 + w * (1.0 / 7 + w * (1.0 / 9 + w * (1.0 / 11 +
               w * (1.0 / 13 + w * (1.0 / 15 + w * (1.0 / 17))))))));
    return e * 0.69314718055994530942 + 2.0 * z * s;
}

/* A countdown: floor(-ln(U) * rate) with U uniform in (0, 1] (53 bits). */
static inline int64_t hq_sample_draw(uint64_t *rng, uint64_t rate)
{
    double u = (double)((hq_sample_next(rng) >> 11) + 1) * (1.0 / 9007199254740992.0);
    return (int64_t)(-hq_sample_ln(u) * (double)rate);
}

/* A sampler ready to use, from any seed. */
static inline void hq_sample_seed(hq_sampler_t *s, uint64_t seed, uint64_t rate)
{
    s->rng = hq_sample_mix(seed);
    if (!s->rng)
        s->rng = 0x2545f4914f6cdd1dull;
    s->left = hq_sample_draw(&s->rng, rate);
}

/* Is a block of size bytes recorded?  rate > 0, s seeded. */
static inline int hq_sample_take(hq_sampler_t *s, uint64_t size, uint64_t rate)
{
    if (size == 0)
        size = 1;
    if (size >= rate)
        return 1;
    s->left -= (int64_t)size;
    if (__builtin_expect(s->left >= 0, 1))
        return 0;
    s->left = hq_sample_draw(&s->rng, rate);
    return 1;
}

/* How many blocks of this size a recorded one stands for: 1 / p(size), 1
 * when every block is recorded (rate 0) or the block is at least rate. */
static inline double hq_sample_weight(uint64_t size, uint64_t rate)
{
    if (size == 0)
        size = 1;
    if (rate == 0 || size >= rate)
        return 1.0;
    return -1.0 / expm1(-(double)size / (double)rate);
}

#endif
