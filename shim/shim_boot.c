/*
 * shim_boot.c -- the real functions behind our hooks, found with
 * dlsym(RTLD_NEXT), and the static buffer that serves the allocations dlsym
 * itself makes before malloc is known (heaptrack's bootstrap).
 */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "shim.h"

#define BOOT_BYTES (64u * 1024u)
#define BOOT_HDR 16u /* size word before every block, blocks 16-aligned */

enum { BOOT_NONE = 0, BOOT_RUNNING, BOOT_DONE };

shim_real_t shim_real;

static _Alignas(64) unsigned char boot_buf[BOOT_BYTES];
static size_t boot_used;
static int boot_state;

int shim_boot_owns(const void *p)
{
    return (const unsigned char *)p >= boot_buf && (const unsigned char *)p < boot_buf + BOOT_BYTES;
}

size_t shim_boot_size(const void *p)
{
    return ((const size_t *)p)[-1];
}

/* Bump allocation, never freed.  align: a power of two (0: 16). */
void *shim_boot_alloc(size_t size, size_t align)
{
    size_t pad, need, off;
    if ((align & (align - 1)) || size > BOOT_BYTES || align > BOOT_BYTES / 4) {
        errno = EINVAL;
        return NULL;
    }
    if (align < BOOT_HDR)
        align = BOOT_HDR;
    pad = align - BOOT_HDR; /* worst case to reach the alignment */
    need = (BOOT_HDR + pad + size + 15u) & ~(size_t)15u;
    off = __atomic_fetch_add(&boot_used, need, __ATOMIC_RELAXED);
    if (off + need > BOOT_BYTES) {
        errno = ENOMEM;
        return NULL;
    }
    uintptr_t data = ((uintptr_t)(boot_buf + off + BOOT_HDR) + align - 1) & ~(uintptr_t)(align - 1);
    ((size_t *)data)[-1] = size;
    return (void *)data; /* static storage: already zero, fine for calloc */
}

#define BOOT_SYM(field, name) \
    __atomic_store_n((void **)&shim_real.field, dlsym(RTLD_NEXT, name), __ATOMIC_RELEASE)

static void boot_lookup(void)
{
    BOOT_SYM(malloc, "malloc"); /* first: dlsym's own allocations may need it */
    BOOT_SYM(free, "free");
    BOOT_SYM(calloc, "calloc");
    BOOT_SYM(realloc, "realloc");
    BOOT_SYM(reallocarray, "reallocarray");
    BOOT_SYM(posix_memalign, "posix_memalign");
    BOOT_SYM(aligned_alloc, "aligned_alloc");
    BOOT_SYM(memalign, "memalign");
    BOOT_SYM(valloc, "valloc");
    BOOT_SYM(pvalloc, "pvalloc");
    BOOT_SYM(malloc_usable_size, "malloc_usable_size");
    BOOT_SYM(mmap, "mmap");
    BOOT_SYM(munmap, "munmap");
    BOOT_SYM(mremap, "mremap");
    BOOT_SYM(brk, "brk");
    BOOT_SYM(sbrk, "sbrk");
    BOOT_SYM(dlopen, "dlopen");
    BOOT_SYM(dlclose, "dlclose");
    BOOT_SYM(exit, "exit");
    BOOT_SYM(exit_, "_exit");
    BOOT_SYM(Exit, "_Exit");
    BOOT_SYM(libc_start_main, "__libc_start_main");
    BOOT_SYM(pthread_cancel, "pthread_cancel");
}

/* Returns 0 once every pointer is set; -1 while another call (this
 * thread's dlsym re-entering, or another thread) is resolving: the caller
 * then serves itself from the buffer. */
int shim_boot_resolve(void)
{
    int expect = BOOT_NONE, saved = errno;
    if (__atomic_load_n(&boot_state, __ATOMIC_ACQUIRE) == BOOT_DONE)
        return 0;
    if (!__atomic_compare_exchange_n(&boot_state, &expect, BOOT_RUNNING, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return expect == BOOT_DONE ? 0 : -1;
    shim_tls.guard++;
    boot_lookup();
    shim_tls.guard--;
    __atomic_store_n(&boot_state, BOOT_DONE, __ATOMIC_RELEASE);
    errno = saved;
    return 0;
}

/* The runtimes that define operator new/delete, for objects loaded with
 * RTLD_LOCAL (their symbols are not in our RTLD_NEXT scope). */
static void *boot_cxx_local(const char *name)
{
    static const char *const libs[] = {"libstdc++.so.6", "libc++.so.1"};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        void *h = shim_real.dlopen ? shim_real.dlopen(libs[i], RTLD_LAZY | RTLD_NOLOAD) : NULL;
        void *f = h ? dlsym(h, name) : NULL;
        if (f)
            return f; /* the handle is kept: the runtime stays loaded */
    }
    return NULL;
}

void *shim_boot_cxx(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    int saved;
    if (SHIM_LIKELY(f != NULL))
        return f;
    saved = errno;
    shim_boot_resolve();
    shim_tls.guard++;
    shim_tls.quiet++;
    f = dlsym(RTLD_NEXT, name);
    if (!f)
        f = boot_cxx_local(name);
    shim_tls.quiet--;
    shim_tls.guard--;
    if (f)
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    errno = saved;
    return f;
}
