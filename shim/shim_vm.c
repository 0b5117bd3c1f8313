/*
 * shim_vm.c -- mmap, mmap64, munmap, mremap, brk, sbrk as HQ_REC_VM
 * events, kept apart from the heap.  glibc's malloc maps memory through
 * internal calls, never through these symbols; calls made by libunwind
 * (its per-thread caches) are its own business and pass through too.
 *
 * A mapping is recorded after the call returns.  munmap and mremap release
 * address space, so their ring slot is reserved BEFORE the call (the order
 * against another thread's mmap of the same range) and sealed after it,
 * with the result.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "shim.h"

#define REAL_READY(f) (SHIM_LIKELY(shim_real.f != NULL) || (shim_boot_resolve() == 0 && shim_real.f))

/* NULL: pass through (guard not taken). */
static hq_ring_hdr_t *vm_enter(shim_tls_t *t, const void *caller)
{
    if (shim_in_unwinder((uintptr_t)caller))
        return NULL;
    return shim_enter(t);
}

static void vm_fill(hq_rec_vm_t *rec, hq_ring_hdr_t *r, const shim_tls_t *t, unsigned kind)
{
    rec->h.type = HQ_REC_VM;
    rec->h.len = sizeof *rec;
    rec->tid = t->tid;
    rec->kind = (uint16_t)kind;
    rec->stack_id = shim_stack_capture(r);
}

static void vm_put(hq_ring_hdr_t *r, hq_rec_vm_t *rec, int saved_errno)
{
    rec->ns = shim_stamp();
    shim_put(r, &rec->h);
    errno = saved_errno;
}

/* Reserve rec's slot now; vm_seal writes it after the call.  Returns 0, or
 * -1 when detached (the call is still made, nothing is written). */
static int vm_reserve(hq_ring_hdr_t *r, hq_rec_vm_t *rec, uint64_t *pos)
{
    rec->ns = shim_stamp();
    return shim_reserve(r, sizeof *rec, pos);
}

static void vm_seal(hq_ring_hdr_t *r, const hq_rec_vm_t *rec, uint64_t pos)
{
    hq_ring_write(r, pos, sizeof(uint32_t), (const uint8_t *)rec + sizeof(uint32_t),
                  sizeof *rec - (uint32_t)sizeof(uint32_t));
    hq_ring_commit(r, pos, HQ_REC_VM, sizeof *rec);
}

static void *vm_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
                     const void *caller)
{
    shim_tls_t *t = &shim_tls;
    hq_rec_vm_t rec = {.prot = prot, .mflags = flags, .length = len};
    hq_ring_hdr_t *r;
    void *p;
    int saved;
    if (!REAL_READY(mmap))
        return MAP_FAILED;
    if (!(r = vm_enter(t, caller)))
        return shim_real.mmap(addr, len, prot, flags, fd, off);
    p = shim_real.mmap(addr, len, prot, flags, fd, off);
    saved = errno;
    vm_fill(&rec, r, t, HQ_KIND_MMAP);
    rec.result = p == MAP_FAILED ? saved : 0;
    rec.addr = p == MAP_FAILED ? 0 : (uintptr_t)p;
    vm_put(r, &rec, saved);
    shim_leave(t);
    return p;
}

SHIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return vm_mmap(addr, len, prot, flags, fd, off, __builtin_return_address(0));
}

SHIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return vm_mmap(addr, len, prot, flags, fd, off, __builtin_return_address(0));
}

SHIM_EXPORT int munmap(void *addr, size_t len)
{
    shim_tls_t *t = &shim_tls;
    hq_rec_vm_t rec = {.addr = (uintptr_t)addr, .length = len};
    hq_ring_hdr_t *r;
    uint64_t pos;
    int rc, saved = errno;
    if (!REAL_READY(munmap))
        return -1;
    if (!(r = vm_enter(t, __builtin_return_address(0))))
        return shim_real.munmap(addr, len);
    vm_fill(&rec, r, t, HQ_KIND_MUNMAP);
    if (vm_reserve(r, &rec, &pos) != 0) {
        errno = saved;
        rc = shim_real.munmap(addr, len);
    } else {
        errno = saved;
        rc = shim_real.munmap(addr, len);
        saved = errno;
        rec.result = rc == 0 ? 0 : saved;
        vm_seal(r, &rec, pos);
        errno = saved;
    }
    shim_leave(t);
    return rc;
}

SHIM_EXPORT void *mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
    shim_tls_t *t = &shim_tls;
    hq_rec_vm_t rec = {.mflags = flags, .length = len, .old_addr = (uintptr_t)old,
                       .old_length = old_len};
    hq_ring_hdr_t *r;
    void *fixed = NULL, *p;
    uint64_t pos;
    int saved = errno, reserved;
    if (flags & MREMAP_FIXED) {
        va_list ap;
        va_start(ap, flags);
        fixed = va_arg(ap, void *);
        va_end(ap);
    }
    if (!REAL_READY(mremap))
        return MAP_FAILED;
    if (!(r = vm_enter(t, __builtin_return_address(0))))
        return shim_real.mremap(old, old_len, len, flags, fixed);
    vm_fill(&rec, r, t, HQ_KIND_MREMAP);
    reserved = vm_reserve(r, &rec, &pos) == 0;
    errno = saved;
    p = shim_real.mremap(old, old_len, len, flags, fixed);
    saved = errno;
    if (reserved) {
        rec.result = p == MAP_FAILED ? saved : 0;
        rec.addr = p == MAP_FAILED ? 0 : (uintptr_t)p;
        vm_seal(r, &rec, pos);
    }
    errno = saved;
    shim_leave(t);
    return p;
}

SHIM_EXPORT int brk(void *addr)
{
    shim_tls_t *t = &shim_tls;
    hq_rec_vm_t rec = {0};
    hq_ring_hdr_t *r;
    int rc, saved;
    if (!REAL_READY(brk))
        return -1;
    if (!(r = vm_enter(t, __builtin_return_address(0))))
        return shim_real.brk(addr);
    rec.old_addr = (uintptr_t)shim_real.sbrk(0);
    rc = shim_real.brk(addr);
    saved = errno;
    vm_fill(&rec, r, t, HQ_KIND_BRK);
    rec.result = rc == 0 ? 0 : saved;
    rec.addr = (uintptr_t)shim_real.sbrk(0);
    rec.length = rec.addr - rec.old_addr;
    vm_put(r, &rec, saved);
    shim_leave(t);
    return rc;
}

/* sbrk(0) only asks for the break: not an event. */
SHIM_EXPORT void *sbrk(intptr_t incr)
{
    shim_tls_t *t = &shim_tls;
    hq_rec_vm_t rec = {.length = (uint64_t)incr};
    hq_ring_hdr_t *r;
    void *old;
    int saved;
    if (!REAL_READY(sbrk))
        return (void *)-1;
    if (incr == 0 || !(r = vm_enter(t, __builtin_return_address(0))))
        return shim_real.sbrk(incr);
    old = shim_real.sbrk(incr);
    saved = errno;
    vm_fill(&rec, r, t, HQ_KIND_SBRK);
    if (old == (void *)-1) {
        rec.result = saved;
        rec.old_addr = rec.addr = (uintptr_t)shim_real.sbrk(0);
    } else {
        rec.old_addr = (uintptr_t)old;
        rec.addr = (uintptr_t)old + (uintptr_t)incr;
    }
    vm_put(r, &rec, saved);
    shim_leave(t);
    return old;
}
