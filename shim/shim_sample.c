/*
 * shim_sample.c -- Poisson sampling of allocations (`heapql run
 * --sample-rate R`), the contract in common/hq_sample.h.
 *
 * Cost model: with sampling off, a hook pays one predictable branch
 * (shim_rec_alloc tests shim_sample_rate).  With it on, an allocation that
 * is not recorded costs a TLS countdown update and skips the unwind, the
 * clock, malloc_usable_size and the ring; one that is recorded also draws
 * the next countdown (one xorshift step and a logarithm, no libm, no lock).
 * Frees are always recorded: the shim does not know which blocks were
 * sampled, the collector drops the rest (processes.unsampled_frees).
 *
 * Each thread's generator is seeded from its tid, the clock, the pid and
 * the address of its TLS, and again after every handshake (a fork child,
 * a new attach: shim_sample_gen moved), so parent and child do not sample
 * in lockstep and a new rate takes effect with a fresh countdown.
 */
#include "shim.h"

uint64_t shim_sample_rate;
uint32_t shim_sample_gen;

void shim_sample_seed(shim_tls_t *t)
{
    uint64_t seed = hq_now_ns() ^ ((uint64_t)(uint32_t)shim_pid << 32) ^
                    ((uint64_t)(t->tid ? t->tid : shim_gettid()) * 0x9e3779b97f4a7c15ull) ^
                    (uint64_t)(uintptr_t)t;
    hq_sample_seed(&t->sample, seed, shim_sample_rate ? shim_sample_rate : 1);
    t->sample_gen = shim_sample_gen;
}
