/*
 * shim_cxx.c -- C++ operator new and delete, every variant, by their
 * Itanium mangled names.  Each forwards to the real operator (libstdc++'s or
 * libc++'s, so the new-handler loop and std::bad_alloc stay theirs) with
 * the guard held: the malloc/free the runtime makes inside is the same
 * event and passes through.
 *
 * Built with -fexceptions (shim/CMakeLists.txt): when the real operator new
 * throws, the cleanup below still runs, records HQ_REC_ALLOC_FAIL and
 * releases the guard while std::bad_alloc unwinds through this frame.
 *
 * Not part of that event, although the real operator new runs it: the
 * new-handler, and exception objects (the runtime allocates std::bad_alloc,
 * __cxa_allocate_exception -> malloc, before the throw leaves the operator,
 * and frees it where it is caught: after the hook returned, or inside the
 * runtime's nothrow operators, which call the throwing one and catch).
 * So std::get_new_handler and __cxa_allocate_exception/__cxa_free_exception
 * are hooked too: while a cxx_new holds the guard around the real
 * call (cxx_open), they run the handler and the allocation with the
 * thread's hook state set aside, and what those allocate and free is
 * recorded like any other block and pairs.  Anywhere else they only forward.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include "shim.h"

#ifndef __EXCEPTIONS
#error "shim_cxx.c must be compiled with -fexceptions"
#endif

enum cxx_shape {
    NEW_PLAIN,           /* (size) */
    NEW_NOTHROW,         /* (size, nothrow) */
    NEW_ALIGNED,         /* (size, align) */
    NEW_ALIGNED_NOTHROW, /* (size, align, nothrow) */
    DEL_PLAIN,           /* (p) */
    DEL_SIZED,           /* (p, size) */
    DEL_ALIGNED,         /* (p, align) */
    DEL_SIZED_ALIGNED,   /* (p, size, align) */
    DEL_NOTHROW,         /* (p, nothrow) */
    DEL_ALIGNED_NOTHROW  /* (p, align, nothrow) */
};

/* One real function: where it is cached and its mangled name. */
typedef struct cxx_fn_s {
    void *real;
    const char *name;
} cxx_fn_t;

typedef struct cxx_new_s {
    shim_tls_t *t;
    hq_ring_hdr_t *r; /* NULL: passing through */
    unsigned kind;
    size_t size, align;
    int done; /* the real call returned */
} cxx_new_t;

/* 1 while this thread's cxx_new holds the guard around the real operator
 * new: the thread is then in the runtime (or in code it calls: the
 * new-handler, a nested operator passing through), never in the shim's own
 * record path, so the guard may be set aside for an exception object. */
static __thread uint32_t cxx_open __attribute__((tls_model("initial-exec")));

static void *cxx_call_new(void *f, int shape, size_t n, size_t al, const void *nt)
{
    switch (shape) {
    case NEW_PLAIN:
        return ((void *(*)(size_t))f)(n);
    case NEW_NOTHROW:
        return ((void *(*)(size_t, const void *))f)(n, nt);
    case NEW_ALIGNED:
        return ((void *(*)(size_t, size_t))f)(n, al);
    default:
        return ((void *(*)(size_t, size_t, const void *))f)(n, al, nt);
    }
}

/* No C++ runtime within shim_boot_cxx's reach defines the operator (rare:
 * a runtime linked statically into a plugin loaded with RTLD_LOCAL, no
 * libstdc++ or libc++ in the process): plain allocation, and abort where
 * std::bad_alloc would be thrown (docs/RELIABILITY.md, "Known gaps"). */
static void *cxx_fallback_new(int shape, size_t n, size_t al)
{
    void *p = NULL;
    if (n == 0)
        n = 1;
    if (shape == NEW_ALIGNED || shape == NEW_ALIGNED_NOTHROW) {
        if (shim_real.posix_memalign(&p, al < sizeof(void *) ? sizeof(void *) : al, n) != 0)
            p = NULL;
    } else {
        p = shim_real.malloc(n);
    }
    if (!p && (shape == NEW_PLAIN || shape == NEW_ALIGNED))
        abort();
    return p;
}

/* Runs on return and while an exception unwinds this frame. */
static void cxx_new_end(cxx_new_t *c)
{
    if (!c->r)
        return;
    cxx_open = 0;
    if (!c->done)
        shim_rec_alloc(c->r, c->t, c->kind, NULL, c->size, c->align);
    c->t->quiet--;
    shim_leave(c->t);
}

static void *cxx_new(cxx_fn_t *fn, unsigned kind, int shape, size_t n, size_t al, const void *nt)
{
    void *f = shim_boot_cxx(&fn->real, fn->name), *p;
    __attribute__((cleanup(cxx_new_end))) cxx_new_t c = {
        .t = &shim_tls, .kind = kind, .size = n, .align = al};
    c.r = shim_enter(c.t);
    if (c.r) {
        c.t->quiet++;
        cxx_open = 1;
    }
    p = f ? cxx_call_new(f, shape, n, al, nt) : cxx_fallback_new(shape, n, al);
    if (c.r)
        cxx_open = 0;
    c.done = 1;
    if (c.r)
        shim_rec_alloc(c.r, c.t, kind, p, n, al);
    return p;
}

static void cxx_call_delete(void *f, int shape, void *p, size_t sz, size_t al, const void *nt)
{
    switch (shape) {
    case DEL_PLAIN:
        ((void (*)(void *))f)(p);
        break;
    case DEL_SIZED:
        ((void (*)(void *, size_t))f)(p, sz);
        break;
    case DEL_ALIGNED:
        ((void (*)(void *, size_t))f)(p, al);
        break;
    case DEL_SIZED_ALIGNED:
        ((void (*)(void *, size_t, size_t))f)(p, sz, al);
        break;
    case DEL_NOTHROW:
        ((void (*)(void *, const void *))f)(p, nt);
        break;
    default:
        ((void (*)(void *, size_t, const void *))f)(p, al, nt);
        break;
    }
}

static void cxx_delete(cxx_fn_t *fn, unsigned kind, int shape, void *p, size_t sz, size_t al,
                       const void *nt)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r;
    void *f;
    if (!p || shim_boot_owns(p))
        return;
    f = shim_boot_cxx(&fn->real, fn->name);
    r = shim_enter(t);
    if (r)
        shim_rec_free(r, t, HQ_REC_FREE, kind, p);
    else
        shim_rec_unknown_free(t, p);
    t->quiet++;
    if (f)
        cxx_call_delete(f, shape, p, sz, al, nt);
    else
        shim_real.free(p);
    t->quiet--;
    if (r)
        shim_leave(t);
}

#define CXX_FN(var, sym) static cxx_fn_t var = {NULL, #sym}

CXX_FN(fn_nw, _Znwm);
CXX_FN(fn_na, _Znam);
CXX_FN(fn_nw_nt, _ZnwmRKSt9nothrow_t);
CXX_FN(fn_na_nt, _ZnamRKSt9nothrow_t);
CXX_FN(fn_nw_al, _ZnwmSt11align_val_t);
CXX_FN(fn_na_al, _ZnamSt11align_val_t);
CXX_FN(fn_nw_al_nt, _ZnwmSt11align_val_tRKSt9nothrow_t);
CXX_FN(fn_na_al_nt, _ZnamSt11align_val_tRKSt9nothrow_t);
CXX_FN(fn_dl, _ZdlPv);
CXX_FN(fn_da, _ZdaPv);
CXX_FN(fn_dl_sz, _ZdlPvm);
CXX_FN(fn_da_sz, _ZdaPvm);
CXX_FN(fn_dl_al, _ZdlPvSt11align_val_t);
CXX_FN(fn_da_al, _ZdaPvSt11align_val_t);
CXX_FN(fn_dl_sz_al, _ZdlPvmSt11align_val_t);
CXX_FN(fn_da_sz_al, _ZdaPvmSt11align_val_t);
CXX_FN(fn_dl_nt, _ZdlPvRKSt9nothrow_t);
CXX_FN(fn_da_nt, _ZdaPvRKSt9nothrow_t);
CXX_FN(fn_dl_al_nt, _ZdlPvSt11align_val_tRKSt9nothrow_t);
CXX_FN(fn_da_al_nt, _ZdaPvSt11align_val_tRKSt9nothrow_t);

/* Inside the real operator new, with cxx_new's guard held, the runtime
 * may run code whose allocations are not the operator's: the new-handler,
 * and the exception objects of a throw (made before it leaves the
 * operator, freed where it is caught).  These run with the thread's hook
 * state set aside (guard, quiet and cxx_open zero, restored after, also
 * when an exception unwinds through), so they are recorded like any other
 * code.  cxx_aside_t is that state (t NULL: nothing was set aside). */
typedef struct cxx_aside_s {
    shim_tls_t *t;
    uint32_t guard, quiet;
} cxx_aside_t;

static cxx_aside_t cxx_aside_begin(void)
{
    cxx_aside_t a = {NULL, 0, 0};
    if (SHIM_LIKELY(!cxx_open))
        return a;
    a.t = &shim_tls;
    a.guard = a.t->guard;
    a.quiet = a.t->quiet;
    cxx_open = 0; /* first: a signal handler in between passes through */
    a.t->quiet = 0;
    a.t->guard = 0;
    return a;
}

static void cxx_aside_end(cxx_aside_t *a)
{
    if (!a->t)
        return;
    a->t->guard = a->guard;
    a->t->quiet = a->quiet;
    cxx_open = 1;
}

/* No runtime within shim_boot_cxx's reach (the global scope, a loaded
 * libstdc++ or libc++): the definition the calling object binds to without
 * us, as when a plugin loaded with RTLD_LOCAL has a runtime linked in
 * statically and exported.  Looked up on every call: only that setting
 * pays, on its throws. */
static void *cxx_real_near(const char *name, const void *caller)
{
    Dl_info di;
    void *h, *f = NULL;
    if (!shim_real.dlopen || !shim_real.dlclose)
        return NULL;
    shim_tls.guard++;
    shim_tls.quiet++;
    if (dladdr(caller, &di) && di.dli_fname &&
        (h = shim_real.dlopen(di.dli_fname, RTLD_LAZY | RTLD_NOLOAD)) != NULL) {
        f = dlsym(h, name); /* the object, then its dependencies */
        shim_real.dlclose(h);
    }
    shim_tls.quiet--;
    shim_tls.guard--;
    return f && !shim_in_self((uintptr_t)f) ? f : NULL;
}

/* The runtime's definition of a hook below, for a call from caller.  Only
 * code linked against a runtime calls them; abort() if none is found. */
static void *cxx_real(cxx_fn_t *fn, const void *caller)
{
    void *f = shim_boot_cxx(&fn->real, fn->name);
    if (SHIM_UNLIKELY(!f) && !(f = cxx_real_near(fn->name, caller)))
        abort();
    return f;
}

#define CXX_CALLER __builtin_return_address(0)

CXX_FN(fn_ax, __cxa_allocate_exception);
CXX_FN(fn_fx, __cxa_free_exception);
CXX_FN(fn_gnh, _ZSt15get_new_handlerv);

typedef void (*cxx_handler_t)(void);

/* The handler the runtime asked for last inside this thread's real
 * operator new (what cxx_handler_run stands for). */
static __thread cxx_handler_t cxx_handler __attribute__((tls_model("initial-exec")));

/* Stands for the new-handler inside the real operator new.  Called out of
 * that context (its address kept, or passed to another thread), it calls
 * the handler installed now; none: it returns, and a runtime's loop tries
 * again and then finds no handler itself. */
static void cxx_handler_run(void)
{
    cxx_handler_t h = cxx_open ? cxx_handler : NULL;
    __attribute__((cleanup(cxx_aside_end))) cxx_aside_t a = cxx_aside_begin();
    if (!h)
        h = ((cxx_handler_t(*)(void))cxx_real(&fn_gnh, CXX_CALLER))();
    if (h && h != cxx_handler_run)
        h();
}

SHIM_EXPORT void *__cxa_allocate_exception(size_t n)
{
    void *f = cxx_real(&fn_ax, CXX_CALLER);
    __attribute__((cleanup(cxx_aside_end))) cxx_aside_t a = cxx_aside_begin();
    return ((void *(*)(size_t))f)(n);
}

SHIM_EXPORT void __cxa_free_exception(void *p)
{
    void *f = cxx_real(&fn_fx, CXX_CALLER);
    __attribute__((cleanup(cxx_aside_end))) cxx_aside_t a = cxx_aside_begin();
    ((void (*)(void *))f)(p);
}

/* std::get_new_handler: the real answer, except to the real operator new
 * (libstdc++'s and libc++'s loops call it and then the handler at once),
 * which gets cxx_handler_run standing for a non-null handler. */
SHIM_EXPORT cxx_handler_t _ZSt15get_new_handlerv(void)
{
    cxx_handler_t h = ((cxx_handler_t(*)(void))cxx_real(&fn_gnh, CXX_CALLER))();
    if (SHIM_LIKELY(!cxx_open) || !h)
        return h;
    cxx_handler = h;
    return cxx_handler_run;
}

/* operator new / new[] */
SHIM_EXPORT void *_Znwm(size_t n)
{
    return cxx_new(&fn_nw, HQ_KIND_NEW, NEW_PLAIN, n, 0, NULL);
}

SHIM_EXPORT void *_Znam(size_t n)
{
    return cxx_new(&fn_na, HQ_KIND_NEW_ARRAY, NEW_PLAIN, n, 0, NULL);
}

SHIM_EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, const void *nt)
{
    return cxx_new(&fn_nw_nt, HQ_KIND_NEW_NOTHROW, NEW_NOTHROW, n, 0, nt);
}

SHIM_EXPORT void *_ZnamRKSt9nothrow_t(size_t n, const void *nt)
{
    return cxx_new(&fn_na_nt, HQ_KIND_NEW_ARRAY_NOTHROW, NEW_NOTHROW, n, 0, nt);
}

SHIM_EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t al)
{
    return cxx_new(&fn_nw_al, HQ_KIND_NEW_ALIGNED, NEW_ALIGNED, n, al, NULL);
}

SHIM_EXPORT void *_ZnamSt11align_val_t(size_t n, size_t al)
{
    return cxx_new(&fn_na_al, HQ_KIND_NEW_ARRAY_ALIGNED, NEW_ALIGNED, n, al, NULL);
}

SHIM_EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
    return cxx_new(&fn_nw_al_nt, HQ_KIND_NEW_ALIGNED_NOTHROW, NEW_ALIGNED_NOTHROW, n, al, nt);
}

SHIM_EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t al, const void *nt)
{
    return cxx_new(&fn_na_al_nt, HQ_KIND_NEW_ARRAY_ALIGNED_NOTHROW, NEW_ALIGNED_NOTHROW, n, al, nt);
}

/* operator delete / delete[] */
SHIM_EXPORT void _ZdlPv(void *p)
{
    cxx_delete(&fn_dl, HQ_KIND_DELETE, DEL_PLAIN, p, 0, 0, NULL);
}

SHIM_EXPORT void _ZdaPv(void *p)
{
    cxx_delete(&fn_da, HQ_KIND_DELETE_ARRAY, DEL_PLAIN, p, 0, 0, NULL);
}

SHIM_EXPORT void _ZdlPvm(void *p, size_t sz)
{
    cxx_delete(&fn_dl_sz, HQ_KIND_DELETE_SIZED, DEL_SIZED, p, sz, 0, NULL);
}

SHIM_EXPORT void _ZdaPvm(void *p, size_t sz)
{
    cxx_delete(&fn_da_sz, HQ_KIND_DELETE_ARRAY_SIZED, DEL_SIZED, p, sz, 0, NULL);
}

SHIM_EXPORT void _ZdlPvSt11align_val_t(void *p, size_t al)
{
    cxx_delete(&fn_dl_al, HQ_KIND_DELETE_ALIGNED, DEL_ALIGNED, p, 0, al, NULL);
}

SHIM_EXPORT void _ZdaPvSt11align_val_t(void *p, size_t al)
{
    cxx_delete(&fn_da_al, HQ_KIND_DELETE_ARRAY_ALIGNED, DEL_ALIGNED, p, 0, al, NULL);
}

SHIM_EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t sz, size_t al)
{
    cxx_delete(&fn_dl_sz_al, HQ_KIND_DELETE_ALIGNED, DEL_SIZED_ALIGNED, p, sz, al, NULL);
}

SHIM_EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t sz, size_t al)
{
    cxx_delete(&fn_da_sz_al, HQ_KIND_DELETE_ARRAY_ALIGNED, DEL_SIZED_ALIGNED, p, sz, al, NULL);
}

SHIM_EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const void *nt)
{
    cxx_delete(&fn_dl_nt, HQ_KIND_DELETE, DEL_NOTHROW, p, 0, 0, nt);
}

SHIM_EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const void *nt)
{
    cxx_delete(&fn_da_nt, HQ_KIND_DELETE_ARRAY, DEL_NOTHROW, p, 0, 0, nt);
}

SHIM_EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt)
{
    cxx_delete(&fn_dl_al_nt, HQ_KIND_DELETE_ALIGNED, DEL_ALIGNED_NOTHROW, p, 0, al, nt);
}

SHIM_EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t al, const void *nt)
{
    cxx_delete(&fn_da_al_nt, HQ_KIND_DELETE_ARRAY_ALIGNED, DEL_ALIGNED_NOTHROW, p, 0, al, nt);
}
