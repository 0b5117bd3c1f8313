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
 */
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
    void *p;
    int done; /* the real call returned */
} cxx_new_t;

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

/* No C++ runtime defines the operator (nothing loaded can have called it
 * through the runtime, so this is near impossible): plain allocation, and
 * abort where std::bad_alloc would be thrown. */
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
    if (!c->done)
        shim_rec_alloc(c->r, c->t, c->kind, NULL, c->size, c->align);
    c->t->quiet--;
    shim_leave(c->t);
}

static void *cxx_new(cxx_fn_t *fn, unsigned kind, int shape, size_t n, size_t al, const void *nt)
{
    void *f = shim_boot_cxx(&fn->real, fn->name);
    __attribute__((cleanup(cxx_new_end))) cxx_new_t c = {
        .t = &shim_tls, .kind = kind, .size = n, .align = al};
    c.r = shim_enter(c.t);
    if (c.r)
        c.t->quiet++;
    c.p = f ? cxx_call_new(f, shape, n, al, nt) : cxx_fallback_new(shape, n, al);
    c.done = 1;
    if (c.r)
        shim_rec_alloc(c.r, c.t, kind, c.p, n, al);
    return c.p;
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
