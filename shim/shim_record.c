/*
 * shim_record.c -- the records every hook pushes.  Fixed size, built on the
 * stack, one hq_ring_put each.  An allocation's record is built after the
 * real call returned, a free's before the real free runs (the callers keep
 * that order).  Each function preserves errno.
 */
#include <errno.h>

#include "shim.h"

int shim_put(hq_ring_hdr_t *r, hq_rec_t *rec)
{
    uint64_t pos;
    if (shim_reserve_fast(r, rec->len, &pos) != 0)
        return -1;
    hq_ring_fill(r, pos, rec, rec->len); /* the seal word last */
    return 0;
}

/* Out of line, like the sampled path, so that shim_rec_alloc stays a test
 * and a tail call: the unsampled hot path pays one predictable branch. */
static __attribute__((noinline)) void rec_alloc(hq_ring_hdr_t *r, shim_tls_t *t, unsigned kind,
                                                const void *p, uint64_t size, uint64_t align)
{
    int saved = errno;
    hq_rec_alloc_t rec = {
        .h = {.type = p ? HQ_REC_ALLOC : HQ_REC_ALLOC_FAIL, .len = sizeof rec},
        .tid = t->tid,
        .kind = (uint16_t)kind,
        .align = align > UINT32_MAX ? UINT32_MAX : (uint32_t)align,
        .ptr = (uintptr_t)p,
        .size = size,
    };
    rec.stack_id = shim_stack_capture(r);
    rec.usable = p ? shim_real.malloc_usable_size((void *)p) : 0;
    rec.ns = shim_stamp();
    shim_put_fixed(r, &rec.h, sizeof rec);
    errno = saved;
}

/* A sampled run's successful allocation: one the sampler passes over ends
 * here (no stack, no record). */
static __attribute__((noinline)) void rec_alloc_sampled(hq_ring_hdr_t *r, shim_tls_t *t,
                                                        unsigned kind, const void *p,
                                                        uint64_t size, uint64_t align)
{
    if (shim_sample_take(t, p, size))
        rec_alloc(r, t, kind, p, size, align);
}

/* p NULL: HQ_REC_ALLOC_FAIL (counted by the collector, never live; always
 * recorded, sampled run or not). */
void shim_rec_alloc(hq_ring_hdr_t *r, shim_tls_t *t, unsigned kind, const void *p,
                    uint64_t size, uint64_t align)
{
    if (SHIM_UNLIKELY(shim_sample_rate != 0) && p)
        rec_alloc_sampled(r, t, kind, p, size, align);
    else
        rec_alloc(r, t, kind, p, size, align);
}

/* type: HQ_REC_FREE or HQ_REC_REALLOC_FAIL.  last_ptr is 0 unless sampling. */
void shim_rec_free(hq_ring_hdr_t *r, shim_tls_t *t, uint16_t type, unsigned kind, const void *p)
{
    int saved = errno;
    hq_rec_free_t rec = {
        .h = {.type = type, .len = sizeof rec},
        .tid = t->tid,
        .kind = (uint16_t)kind,
        .flags = (uint16_t)((uintptr_t)p == t->last_ptr ? HQ_FREE_LAST : 0),
        .ptr = (uintptr_t)p,
    };
    rec.ns = shim_stamp();
    shim_put_fixed(r, &rec.h, sizeof rec);
    errno = saved;
}

void shim_rec_unknown_free(shim_tls_t *t, const void *p)
{
    hq_ring_hdr_t *r;
    if (!p || t->quiet || shim_boot_owns(p))
        return;
    r = __atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE);
    if (r)
        __atomic_fetch_add(&r->unknown_frees, 1, __ATOMIC_RELAXED);
}
