/*
 * test_mode_sampler.c -- the shim's sampler (common/hq_sample.h, the code
 * shim_rec_alloc runs): the libm-free logarithm, the distribution of the
 * countdown, the probability that a block of each size is recorded, and
 * that the collector's weights make unbiased estimates.
 *
 * Statistical checks compare a count with its expectation within 5
 * standard deviations (computed, not guessed): with fixed seeds the test is
 * deterministic, and any other seed fails with probability < 1e-6 per check.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hq_sample.h"
#include "testhelper.h"

#define RATE 4096u

/* |got - want| <= 5 sd (+ slack for discreteness); says what it compared. */
static int near(const char *what, double got, double want, double sd, double slack)
{
    int ok = fabs(got - want) <= 5.0 * sd + slack;
    if (!ok)
        fprintf(stderr, "%s: %.6g, expected %.6g +- 5 x %.6g\n", what, got, want, sd);
    return ok;
}

static void test_ln(void)
{
    uint64_t rng = 12345;
    static const double fixed[] = {1.0, 0.5, 0.70710678118654752, 1.4142135623730951, 2.0,
                                   1e-300, 1.0 / 9007199254740992.0, 0.999999999, 1e300, 3.0};
    double worst = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        double e = fabs(hq_sample_ln(fixed[i]) - log(fixed[i]));
        worst = fmax(worst, e / fmax(1.0, fabs(log(fixed[i]))));
    }
    for (int i = 0; i < 1000000; i++) {
        double u = (double)((hq_sample_next(&rng) >> 11) + 1) * (1.0 / 9007199254740992.0);
        double e = fabs(hq_sample_ln(u) - log(u));
        worst = fmax(worst, e / fmax(1.0, fabs(log(u))));
    }
    if (worst > 1e-14)
        fprintf(stderr, "ln: worst error %.3g\n", worst);
    CHECK(worst <= 1e-14);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The countdown is floor(X), X exponential of mean RATE: mean, variance, and
 * the empirical distribution function at the deciles. */
static void test_draw(void)
{
    enum { N = 400000 };
    double *v = malloc(N * sizeof *v), sum = 0, sq = 0;
    uint64_t rng = hq_sample_mix(42);
    int negative = 0;
    for (int i = 0; i < N; i++) {
        v[i] = (double)hq_sample_draw(&rng, RATE);
        negative |= v[i] < 0;
        sum += v[i];
    }
    CHECK(!negative);
    double mean = sum / N;
    for (int i = 0; i < N; i++)
        sq += (v[i] - mean) * (v[i] - mean);
    double var = sq / (N - 1);
    /* E floor(X) = 1 / (e^(1/R) - 1) ~ R - 1/2; sd of the mean R / sqrt(N) */
    CHECK(near("mean of the countdown", mean, 1.0 / expm1(1.0 / RATE), RATE / sqrt(N), 0));
    /* exponential: Var(sample variance) ~ 8 R^4 / N */
    CHECK(near("variance / R^2", var / ((double)RATE * RATE), 1.0, sqrt(8.0 / N), 0.001));
    qsort(v, N, sizeof *v, dbl_cmp);
    for (int d = 1; d < 10; d++) {
        double q = d / 10.0, x = -log(1.0 - q) * RATE; /* P(X < x) = q */
        size_t below = 0;
        while (below < N && v[below] < floor(x))
            below++;
        double want = 1.0 - exp(-floor(x) / RATE); /* P(floor X < floor x) */
        CHECK(near("decile", (double)below / N, want, sqrt(want * (1 - want) / N), 0));
    }
    free(v);
}

/* A stream of blocks of one size: the share recorded is p(s). */
static void test_inclusion(void)
{
    static const uint64_t sizes[] = {0, 1, 16, 64, 1000, 4095, 4096, 4097, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        enum { N = 200000 };
        hq_sampler_t s;
        long k = 0;
        uint64_t sz = sizes[i] ? sizes[i] : 1;
        double p = sz >= RATE ? 1.0 : -expm1(-(double)sz / RATE);
        hq_sample_seed(&s, 1000 + i, RATE);
        for (int n = 0; n < N; n++)
            k += hq_sample_take(&s, sizes[i], RATE);
        CHECK(near("recorded blocks of one size", (double)k, N * p, sqrt(N * p * (1 - p)), 1));
        CHECK(fabs(hq_sample_weight(sizes[i], RATE) - 1.0 / p) < 1e-9 / p);
    }
}

/* Interleaved sizes: each size class is still recorded with its own p(s)
 * (the countdown is a Poisson process over the bytes: disjoint blocks are
 * independent). */
static void test_mixed(void)
{
    static const uint64_t sizes[] = {8, 64, 512, 3000, 5000};
    enum { N = 500000, K = sizeof sizes / sizeof sizes[0] };
    long taken[K] = {0}, seen[K] = {0};
    hq_sampler_t s;
    uint64_t pick = 7;
    hq_sample_seed(&s, 99, RATE);
    for (int n = 0; n < N; n++) {
        int c = (int)(hq_sample_next(&pick) % K);
        seen[c]++;
        taken[c] += hq_sample_take(&s, sizes[c], RATE);
    }
    for (int c = 0; c < K; c++) {
        double p = sizes[c] >= RATE ? 1.0 : -expm1(-(double)sizes[c] / RATE);
        CHECK(near("recorded blocks in a mix", (double)taken[c], seen[c] * p,
                   sqrt(seen[c] * p * (1 - p)), 1));
    }
}

/* Horvitz-Thompson: the weights of the recorded blocks sum to an unbiased
 * estimate of the count and bytes, with Var = sum (1 - p) / p (times s^2). */
static void test_estimator(void)
{
    enum { N = 300000 };
    hq_sampler_t s;
    uint64_t pick = 3;
    double est_n = 0, est_b = 0, var_n = 0, var_b = 0, true_b = 0;
    hq_sample_seed(&s, 7, RATE);
    for (int n = 0; n < N; n++) {
        uint64_t sz = hq_sample_next(&pick) % (3 * RATE); /* 0 .. 3R: some always recorded */
        double p = 1.0 / hq_sample_weight(sz, RATE);
        true_b += (double)sz;
        var_n += (1 - p) / p;
        var_b += (double)sz * (double)sz * (1 - p) / p;
        if (hq_sample_take(&s, sz, RATE)) {
            est_n += hq_sample_weight(sz, RATE);
            est_b += (double)sz * hq_sample_weight(sz, RATE);
        }
    }
    CHECK(near("estimated count", est_n, N, sqrt(var_n), 0));
    CHECK(near("estimated bytes", est_b, true_b, sqrt(var_b), 0));
}

static void test_edges(void)
{
    hq_sampler_t s, t;
    int all = 1, same = 1, differ = 0;
    /* rate 1: every block, weight 1 (the exact figures) */
    hq_sample_seed(&s, 5, 1);
    for (uint64_t sz = 0; sz < 5000; sz++) {
        all &= hq_sample_take(&s, sz, 1);
        all &= hq_sample_weight(sz, 1) == 1.0;
    }
    CHECK(all);
    CHECK(hq_sample_weight(12, 0) == 1.0);        /* not sampling */
    CHECK(hq_sample_weight(RATE, RATE) == 1.0);   /* always recorded */
    CHECK(hq_sample_weight(0, RATE) == hq_sample_weight(1, RATE));
    CHECK(hq_sample_weight(1, RATE) > hq_sample_weight(2, RATE));
    CHECK(fabs(hq_sample_weight(64, RATE) - 1.0 / (1.0 - exp(-64.0 / RATE))) < 1e-9);
    /* the largest rate: the countdown fits, a 1-byte block weighs ~rate */
    hq_sample_seed(&s, 1, HQ_SAMPLE_RATE_MAX);
    CHECK(s.left >= 0);
    CHECK(fabs(hq_sample_weight(1, HQ_SAMPLE_RATE_MAX) / (double)HQ_SAMPLE_RATE_MAX - 1) < 1e-6);
    /* seeds: same seed, same decisions; another seed, others */
    hq_sample_seed(&s, 11, RATE);
    hq_sample_seed(&t, 11, RATE);
    for (int i = 0; i < 10000; i++)
        same &= hq_sample_take(&s, 100, RATE) == hq_sample_take(&t, 100, RATE);
    hq_sample_seed(&t, 12, RATE);
    for (int i = 0; i < 10000; i++)
        differ |= hq_sample_take(&s, 100, RATE) != hq_sample_take(&t, 100, RATE);
    CHECK(same);
    CHECK(differ);
    hq_sample_seed(&s, 0, RATE); /* any seed gives a working generator */
    CHECK(s.rng != 0);
}

int main(void)
{
    test_ln();
    test_draw();
    test_inclusion();
    test_mixed();
    test_estimator();
    test_edges();
    return th_done("test_mode_sampler");
}
