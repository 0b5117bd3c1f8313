/*
 * shim_hooks.c -- the malloc family.  Each hook: guard (shim_enter), real
 * call, record, release.  Allocations are recorded after the real call
 * returns, frees before the real free runs.  realloc protocol (the collector
 * relies on it): the old block is an HQ_KIND_REALLOC_FREE before the call;
 * the result an allocation of kind realloc; a failure HQ_REC_REALLOC_FAIL
 * (the old block lives on); realloc(p, 0) is only the free.
 * malloc_usable_size is interposed only to answer for bootstrap blocks.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/* The real function is known, resolving it now if nobody is resolving. */
#define REAL_READY(f) (SHIM_LIKELY(shim_real.f != NULL) || (shim_boot_resolve() == 0 && shim_real.f))

static uint64_t hooks_mul(size_t a, size_t b)
{
    size_t n;
    return __builtin_mul_overflow(a, b, &n) ? UINT64_MAX : n;
}

static size_t hooks_page(void)
{
    static size_t page;
    if (!page)
        page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

SHIM_EXPORT void *malloc(size_t n)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r;
    void *p;
    if (!REAL_READY(malloc))
        return shim_boot_alloc(n, 0);
    if (!(r = shim_enter(t)))
        return shim_real.malloc(n);
    p = shim_real.malloc(n);
    shim_rec_alloc(r, t, HQ_KIND_MALLOC, p, n, 0);
    shim_leave(t);
    return p;
}

SHIM_EXPORT void free(void *p)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r;
    if (!p || shim_boot_owns(p) || !REAL_READY(free))
        return;
    if (!(r = shim_enter(t))) {
        shim_rec_unknown_free(t, p);
        shim_real.free(p);
        return;
    }
    shim_rec_free(r, t, HQ_REC_FREE, HQ_KIND_FREE, p);
    shim_real.free(p);
    shim_leave(t);
}

SHIM_EXPORT void *calloc(size_t n, size_t size)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r;
    void *p;
    if (!REAL_READY(calloc)) {
        uint64_t bytes = hooks_mul(n, size);
        return bytes == UINT64_MAX ? NULL : shim_boot_alloc(bytes, 0); /* static: zeroed */
    }
    if (!(r = shim_enter(t)))
        return shim_real.calloc(n, size);
    p = shim_real.calloc(n, size);
    shim_rec_alloc(r, t, HQ_KIND_CALLOC, p, hooks_mul(n, size), 0);
    shim_leave(t);
    return p;
}

/* realloc of a bootstrap block: copy it out (the block itself is never
 * reused).  The new block is recorded as a malloc. */
static void *hooks_boot_realloc(void *p, uint64_t n)
{
    size_t old = shim_boot_size(p);
    void *q;
    if (n == 0 || n == UINT64_MAX)
        return NULL;
    q = malloc(n);
    if (q)
        memcpy(q, p, old < n ? old : n);
    return q;
}

static void *hooks_realloc_call(void *p, size_t a, size_t b, unsigned kind)
{
    return kind == HQ_KIND_REALLOC ? shim_real.realloc(p, a) : shim_real.reallocarray(p, a, b);
}

/* realloc (kind HQ_KIND_REALLOC, a = size) and reallocarray (a * b). */
static void *hooks_realloc(void *p, size_t a, size_t b, unsigned kind)
{
    shim_tls_t *t = &shim_tls;
    uint64_t size = kind == HQ_KIND_REALLOC ? a : hooks_mul(a, b);
    hq_ring_hdr_t *r;
    void *q;
    if (p && shim_boot_owns(p))
        return hooks_boot_realloc(p, size);
    if (!(r = shim_enter(t))) {
        q = hooks_realloc_call(p, a, b, kind);
        if (p && q != p && (q || size == 0))
            shim_rec_unknown_free(t, p);
        return q;
    }
    if (p)
        shim_rec_free(r, t, HQ_REC_FREE, HQ_KIND_REALLOC_FREE, p);
    t->quiet++; /* glibc's reallocarray calls realloc: same event */
    q = hooks_realloc_call(p, a, b, kind);
    t->quiet--;
    if (q || !p)
        shim_rec_alloc(r, t, kind, q, size, 0);
    else if (size != 0)
        shim_rec_free(r, t, HQ_REC_REALLOC_FAIL, HQ_KIND_REALLOC_FREE, p);
    shim_leave(t);
    return q;
}

SHIM_EXPORT void *realloc(void *p, size_t n)
{
    if (!REAL_READY(realloc))
        return p ? NULL : shim_boot_alloc(n, 0);
    return hooks_realloc(p, n, 0, HQ_KIND_REALLOC);
}

SHIM_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    if (!REAL_READY(reallocarray)) {
        uint64_t bytes = hooks_mul(n, size);
        return p || bytes == UINT64_MAX ? NULL : shim_boot_alloc(bytes, 0);
    }
    return hooks_realloc(p, n, size, HQ_KIND_REALLOCARRAY);
}

SHIM_EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r;
    int rc;
    if (!REAL_READY(posix_memalign)) {
        void *p = shim_boot_alloc(n, align);
        if (!p)
            return errno;
        *out = p;
        return 0;
    }
    if (!(r = shim_enter(t)))
        return shim_real.posix_memalign(out, align, n);
    rc = shim_real.posix_memalign(out, align, n);
    shim_rec_alloc(r, t, HQ_KIND_POSIX_MEMALIGN, rc == 0 ? *out : NULL, n, align);
    shim_leave(t);
    return rc;
}

/* aligned_alloc, memalign, valloc, pvalloc: the real call picked by kind. */
static void *hooks_aligned_call(unsigned kind, size_t align, size_t n)
{
    switch (kind) {
    case HQ_KIND_ALIGNED_ALLOC:
        return shim_real.aligned_alloc(align, n);
    case HQ_KIND_MEMALIGN:
        return shim_real.memalign(align, n);
    case HQ_KIND_VALLOC:
        return shim_real.valloc(n);
    default:
        return shim_real.pvalloc(n);
    }
}

static void *hooks_aligned(unsigned kind, size_t align, size_t n)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r;
    void *p;
    if (shim_boot_resolve() != 0)
        return shim_boot_alloc(n, align);
    if (!(r = shim_enter(t)))
        return hooks_aligned_call(kind, align, n);
    p = hooks_aligned_call(kind, align, n);
    shim_rec_alloc(r, t, kind, p, n, align);
    shim_leave(t);
    return p;
}

SHIM_EXPORT void *aligned_alloc(size_t align, size_t n)
{
    return hooks_aligned(HQ_KIND_ALIGNED_ALLOC, align, n);
}

SHIM_EXPORT void *memalign(size_t align, size_t n)
{
    return hooks_aligned(HQ_KIND_MEMALIGN, align, n);
}

SHIM_EXPORT void *valloc(size_t n)
{
    return hooks_aligned(HQ_KIND_VALLOC, hooks_page(), n);
}

SHIM_EXPORT void *pvalloc(size_t n)
{
    return hooks_aligned(HQ_KIND_PVALLOC, hooks_page(), n);
}

SHIM_EXPORT size_t malloc_usable_size(void *p)
{
    if (p && shim_boot_owns(p))
        return shim_boot_size(p);
    if (!REAL_READY(malloc_usable_size))
        return 0;
    return shim_real.malloc_usable_size(p);
}
