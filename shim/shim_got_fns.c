/*
 * shim_got_fns.c -- the functions heapql attach redirects (shim_got.c): for
 * each, our definition and the real one our hook forwards to.  A GOT slot
 * is taken only when it holds that real function (or an unresolved lazy
 * PLT stub): then the program is served by the same allocator as before.
 */
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <string.h>

#include "shim.h"
#include "shim_attach.h"

#define GOT_CXX SIZE_MAX
#define GOT_C(name, field) {name, offsetof(shim_real_t, field), 0, 0}
#define GOT_OP(name) {name, GOT_CXX, 0, 0}

static shim_got_fn_t got_fns[] = {
    GOT_C("malloc", malloc), GOT_C("free", free), GOT_C("calloc", calloc),
    GOT_C("realloc", realloc), GOT_C("reallocarray", reallocarray),
    GOT_C("posix_memalign", posix_memalign), GOT_C("aligned_alloc", aligned_alloc),
    GOT_C("memalign", memalign), GOT_C("valloc", valloc), GOT_C("pvalloc", pvalloc),
    GOT_OP("_Znwm"), GOT_OP("_Znam"), GOT_OP("_ZnwmRKSt9nothrow_t"),
    GOT_OP("_ZnamRKSt9nothrow_t"), GOT_OP("_ZnwmSt11align_val_t"), GOT_OP("_ZnamSt11align_val_t"),
    GOT_OP("_ZnwmSt11align_val_tRKSt9nothrow_t"), GOT_OP("_ZnamSt11align_val_tRKSt9nothrow_t"),
    GOT_OP("_ZdlPv"), GOT_OP("_ZdaPv"), GOT_OP("_ZdlPvm"), GOT_OP("_ZdaPvm"),
    GOT_OP("_ZdlPvSt11align_val_t"), GOT_OP("_ZdaPvSt11align_val_t"),
    GOT_OP("_ZdlPvmSt11align_val_t"), GOT_OP("_ZdaPvmSt11align_val_t"),
    GOT_OP("_ZdlPvRKSt9nothrow_t"), GOT_OP("_ZdaPvRKSt9nothrow_t"),
    GOT_OP("_ZdlPvSt11align_val_tRKSt9nothrow_t"), GOT_OP("_ZdaPvSt11align_val_tRKSt9nothrow_t"),
    GOT_OP("__cxa_allocate_exception"), GOT_OP("__cxa_free_exception"),
    GOT_OP("_ZSt15get_new_handlerv"),
    GOT_C("mmap", mmap), GOT_C("mmap64", mmap), GOT_C("munmap", munmap),
    GOT_C("mremap", mremap), GOT_C("brk", brk), GOT_C("sbrk", sbrk),
    GOT_C("dlopen", dlopen), GOT_C("dlclose", dlclose),
    GOT_C("exit", exit), GOT_C("_exit", exit_), GOT_C("_Exit", Exit),
    GOT_C("pthread_cancel", pthread_cancel),
};
#define GOT_NFNS (sizeof got_fns / sizeof got_fns[0])

/* Our definitions, looked up in our own object (a plain reference to
 * malloc from here would bind to libc's: we are not in the global scope).
 * The handle comes from dlopen (RTLD_NOLOAD): a preloaded object's link
 * map is no valid dlsym handle before dlopen gave it a search list. */
int shim_got_fns_ours(uintptr_t *self_bias)
{
    Dl_info di;
    void *self;
    if (!dladdr((void *)&shim_got_fns_ours, &di) || !di.dli_fname || !shim_real.dlopen)
        return -1;
    self = shim_real.dlopen(di.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!self)
        return -1;
    *self_bias = (uintptr_t)di.dli_fbase;
    for (size_t i = 0; i < GOT_NFNS; i++) {
        void *f = strcmp(got_fns[i].name, "dlopen") ? dlsym(self, got_fns[i].name)
                                                    : (void *)&shim_attach_dlopen;
        got_fns[i].ours = f && shim_in_self((uintptr_t)f) ? (uintptr_t)f : 0;
    }
    return got_fns[0].ours ? 0 : -1;
}

/* The loaded C++ runtimes: [0] libstdc++, [1] libc++ (shim_boot.c prefers
 * the first). */
static int got_cxx_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    const char **rt = data, *base = strrchr(info->dlpi_name, '/');
    (void)size;
    base = base ? base + 1 : info->dlpi_name;
    if (!strncmp(base, "libstdc++.so", 12))
        rt[0] = info->dlpi_name;
    else if (!strncmp(base, "libc++.so", 9))
        rt[1] = info->dlpi_name;
    return 0;
}

/* The real functions, as the hooks find them: shim_real, and for a C++
 * operator the runtime's own definition (as shim_boot_cxx finds it), once
 * a runtime is loaded.  No dlsym that can fail while none is: a failed
 * dlsym leaves an error for the program's next dlerror(). */
void shim_got_fns_reals(void)
{
    const char *rt[2] = {NULL, NULL}, *use;
    void *h;
    int failed = 0;
    for (size_t i = 0; i < GOT_NFNS; i++)
        if (got_fns[i].field != GOT_CXX)
            memcpy(&got_fns[i].real, (const char *)&shim_real + got_fns[i].field,
                   sizeof(uintptr_t));
    dl_iterate_phdr(got_cxx_cb, rt);
    use = rt[0] ? rt[0] : rt[1];
    h = use && shim_real.dlopen ? shim_real.dlopen(use, RTLD_LAZY | RTLD_NOLOAD) : NULL;
    for (size_t i = 0; h && i < GOT_NFNS; i++) {
        if (got_fns[i].field != GOT_CXX || got_fns[i].real)
            continue;
        got_fns[i].real = (uintptr_t)dlsym(h, got_fns[i].name);
        failed |= !got_fns[i].real;
    }
    if (failed)
        dlerror(); /* an operator this runtime lacks: nothing to report */
}

const shim_got_fn_t *shim_got_fn(const char *name)
{
    for (size_t i = 0; i < GOT_NFNS; i++)
        if (name[0] == got_fns[i].name[0] && !strcmp(name, got_fns[i].name))
            return got_fns[i].ours ? &got_fns[i] : NULL;
    return NULL;
}
