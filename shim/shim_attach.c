/*
 * shim_attach.c -- heapql attach (docs/ATTACH.md): the two functions the
 * injector makes a thread of the target call after dlopen
 * (common/hq_attach.h), and the route of the program's own dlopen calls
 * while its GOT leads to us.
 *
 * Begin: the hooks get what a constructor would have given them, every GOT
 * slot is redirected (shim_got.c), the handshake says HQ_HELLO_ATTACH, the
 * modules are sent, and only then is the ring published: recording starts
 * at one instant for every thread (redirected calls made before it pass
 * through unrecorded).
 *
 * End: the ring is withdrawn (recording stops at one instant), the slots
 * are put back, the collector reads what was reserved before the stop
 * (attach_settle), then the ring mapping is replaced, in one mremap,
 * by private memory whose header says "detached": a hook that still holds
 * the old pointer fails its reservation or writes where nobody reads, and
 * the target keeps no page of the shared ring.  The library stays loaded,
 * dormant; the next attach begins again (dlopen returns the same handle).
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hq_attach.h"
#include "shim.h"
#include "shim_attach.h"

#define ATTACH_SETTLE_NS 3000000000ull /* at most, for the collector to read what was reserved */

static int attach_busy;       /* a begin or end is running */
static int attach_exit_hooked; /* attach_on_exit is registered */
static void *attach_retired;  /* the last session's ring address, now private memory */
static uint64_t attach_retired_bytes;

/* ---- begin ------------------------------------------------------------------ */

static void attach_drop_retired(void)
{
    if (attach_retired)
        shim_real.munmap(attach_retired, attach_retired_bytes);
    attach_retired = NULL;
}

static void attach_retire(hq_ring_hdr_t *map, uint64_t bytes);

/* exit() and main's return: glibc's own call to exit does not go through
 * any GOT, so the exit status comes from an on_exit handler (a no-op while
 * dormant; registered once, the library is never unloaded). */
static void attach_on_exit(int status, void *arg)
{
    (void)arg;
    shim_session_exit(status, HQ_EXIT_EXIT);
}

static int attach_begin(const char *path)
{
    hq_ring_hdr_t *r, *stale;
    uint64_t bytes = 0;
    if (!path || !*path || !shim_session_idle())
        return HQ_ATTACH_EBUSY;
    if (shim_session_prepare() != 0)
        return HQ_ATTACH_ESETUP;
    if (!attach_exit_hooked && on_exit(attach_on_exit, NULL) == 0)
        attach_exit_hooked = 1;
    attach_drop_retired();
    /* the ring of a recording that ended without us (heapql run, or a
     * collector that died): a late hook may still hold it */
    if ((stale = shim_session_leave(&bytes)) != NULL)
        attach_retire(stale, bytes);
    if (shim_got_patch() < 0)
        return HQ_ATTACH_EPATCH;
    r = shim_session_join(path);
    if (!r) {
        shim_got_restore();
        return HQ_ATTACH_ECONNECT;
    }
    shim_session_publish(r);
    return HQ_ATTACH_OK;
}

/* ---- end --------------------------------------------------------------------- */

/* Until the collector has read every record reserved before the stop
 * (writers that waited for room in a full ring included), or it told us to
 * stop writing, or ATTACH_SETTLE_NS.  No sleep: a thread borrowed from
 * nanosleep() keeps its restart block intact. */
static void attach_settle(hq_ring_hdr_t *r)
{
    uint64_t until = hq_now_ns() + ATTACH_SETTLE_NS;
    while (hq_now_ns() < until && !__atomic_load_n(&r->detached, __ATOMIC_ACQUIRE) &&
           __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) < __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
        sched_yield();
}

/* Replace the shared ring at map by private memory with a detached header
 * (capacity kept: a writer past its reservation stays inside).  On failure
 * the shared mapping simply stays. */
static void attach_retire(hq_ring_hdr_t *map, uint64_t bytes)
{
    hq_ring_hdr_t *d = shim_real.mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (d == MAP_FAILED)
        return;
    hq_ring_init(d, map->capacity, map->pid);
    d->collector_pid = map->collector_pid;
    __atomic_store_n(&d->detached, 1, __ATOMIC_RELEASE);
    if (shim_real.mremap(d, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, map) == MAP_FAILED) {
        shim_real.munmap(d, bytes);
        return;
    }
    attach_retired = map;
    attach_retired_bytes = bytes;
}

static int attach_end(void)
{
    uint64_t bytes = 0;
    hq_ring_hdr_t *map = shim_session_leave(&bytes);
    shim_got_restore();
    if (map) {
        attach_settle(map);
        attach_retire(map, bytes);
    }
    return HQ_ATTACH_OK;
}

/* ---- the entry points ---------------------------------------------------------- */

/* One at a time, with this thread's own calls passing through. */
static int attach_run(int (*fn)(const char *), const char *arg)
{
    int rc, saved = errno;
    if (__atomic_exchange_n(&attach_busy, 1, __ATOMIC_ACQUIRE))
        return HQ_ATTACH_EBUSY;
    shim_tls.guard++;
    shim_tls.quiet++;
    rc = fn(arg);
    shim_tls.quiet--;
    shim_tls.guard--;
    __atomic_store_n(&attach_busy, 0, __ATOMIC_RELEASE);
    errno = saved;
    return rc;
}

static int attach_end_arg(const char *unused)
{
    (void)unused;
    return attach_end();
}

SHIM_EXPORT int heapql_attach_begin(const char *socket_path)
{
    return attach_run(attach_begin, socket_path);
}

SHIM_EXPORT int heapql_attach_end(void)
{
    return attach_run(attach_end_arg, NULL);
}

/* ---- the program's dlopen while attached --------------------------------------- */

/* The object has its own library search path (DT_RPATH, DT_RUNPATH). */
static int attach_has_search_path(const struct link_map *lm)
{
    for (const ElfW(Dyn) *d = lm->l_ld; d && d->d_tag != DT_NULL; d++)
        if (d->d_tag == DT_RPATH || d->d_tag == DT_RUNPATH)
            return 1;
    return 0;
}

/* 1 when the real dlopen, called from the shim, opens what it would open
 * called from `caller`: no $ORIGIN-like token, the caller in the base
 * namespace, and a path or a caller without its own search path (glibc
 * picks the caller's RPATH/RUNPATH from the return address). */
static int attach_same_search(const char *file, uintptr_t caller)
{
    struct link_map *lm = NULL;
    Lmid_t ns = LM_ID_BASE;
    Dl_info di;
    if (!file)
        return 1;
    if (strchr(file, '$'))
        return 0;
    if (!dladdr1((void *)caller, &di, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
        return strchr(file, '/') != NULL;
    if (dlinfo(lm, RTLD_DI_LMID, &ns) != 0 || ns != LM_ID_BASE)
        return 0;
    return strchr(file, '/') != NULL || !attach_has_search_path(lm);
}

/* Our dlopen: the new objects are patched before the program can call
 * them (their constructors, run inside dlopen, are not recorded). */
static void *attach_dlopen_call(const char *file, int mode)
{
    void *h;
    int saved;
    if (!shim_real.dlopen)
        shim_boot_resolve();
    h = shim_real.dlopen ? shim_real.dlopen(file, mode) : NULL;
    saved = errno;
    shim_tls.guard++;
    if (h)
        shim_got_loaded();
    shim_tls.pending |= SHIM_PEND_MODULES;
    shim_tls.guard--;
    errno = saved;
    return h;
}

/* Called by the stub below: the function to jump to.  When the call has
 * to stay the program's, the real dlopen itself (the new objects are
 * patched at the next module scan). */
__attribute__((used)) void *shim_attach_dlopen_route(const char *file, uintptr_t caller)
{
    if (attach_same_search(file, caller))
        return (void *)attach_dlopen_call;
    return shim_dlopen_target();
}

#if defined(__x86_64__)
#ifdef __CET__
#define ATTACH_ENDBR "endbr64\n"
#else
#define ATTACH_ENDBR ""
#endif
/* shim_attach_dlopen(file, mode): the caller's return address goes to the
 * route; both arguments and that address are intact at the jump. */
__asm__(".text\n"
        ".globl shim_attach_dlopen\n"
        ".hidden shim_attach_dlopen\n"
        ".type shim_attach_dlopen, @function\n"
        ".p2align 4\n"
        "shim_attach_dlopen:\n"
        ".cfi_startproc\n" ATTACH_ENDBR
        "pushq %rdi\n"
        ".cfi_adjust_cfa_offset 8\n"
        "pushq %rsi\n"
        ".cfi_adjust_cfa_offset 8\n"
        "subq $8, %rsp\n"
        ".cfi_adjust_cfa_offset 8\n"
        "movq 24(%rsp), %rsi\n"
        "call shim_attach_dlopen_route\n"
        "addq $8, %rsp\n"
        ".cfi_adjust_cfa_offset -8\n"
        "popq %rsi\n"
        ".cfi_adjust_cfa_offset -8\n"
        "popq %rdi\n"
        ".cfi_adjust_cfa_offset -8\n"
        "jmp *%rax\n"
        ".cfi_endproc\n"
        ".size shim_attach_dlopen, .-shim_attach_dlopen\n");
#else
void *shim_attach_dlopen(const char *file, int mode)
{
    return attach_dlopen_call(file, mode);
}
#endif
