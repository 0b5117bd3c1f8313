/*
 * shim_attach.h -- heapql attach inside the shim (docs/ATTACH.md): the
 * shim loaded by dlopen into a running process, where LD_PRELOAD can no
 * longer take effect.
 *
 * Files: shim_attach.c (the exported entry points, the dlopen route, the
 * ring retired at the end), shim_got.c (GOT slots redirected to our hooks
 * and put back), shim_got_fns.c (which functions, ours and the real ones),
 * shim_got_page.c (writing a slot), shim_session.c (join/publish/leave).
 */
#ifndef SHIM_ATTACH_H
#define SHIM_ATTACH_H

#include "shim.h"

/* ---- GOT slots (shim_got.c) ------------------------------------------------
 * Every loaded object but the shim: its JUMP_SLOT and GLOB_DAT relocations
 * of the allocation functions (and mmap & co, dlopen/dlclose, exit, ...)
 * get our function; what was there is kept for shim_got_restore. */

/* Patch every object now.  Returns the number of slots redirected, -1 on
 * failure (nothing left patched). */
int shim_got_patch(void);
/* While patched: patch objects loaded since, forget those unloaded.  Cheap
 * when the loader's counters did not move.  A no-op when not patched. */
void shim_got_refresh(void);
/* After a dlopen the program made, outside the loader's locks: as refresh,
 * and a C++ runtime loaded by it gets its operators hooked too. */
void shim_got_loaded(void);
/* Put back every slot that still holds our value; not patched afterwards. */
void shim_got_restore(void);
/* Fork child: a parent thread may have held our lock. */
void shim_got_forked(void);

/* What the slots of one function get (shim_got_fns.c). */
typedef struct shim_got_fn_s {
    const char *name;
    size_t field;          /* offsetof(shim_real_t, ...); SIZE_MAX: a C++ operator */
    uintptr_t ours, real;  /* our hook (0: none); what it forwards to (0: not known) */
} shim_got_fn_t;

/* Our hooks, from our own object (self_bias: its load bias).  0 ok. */
int shim_got_fns_ours(uintptr_t *self_bias);
/* The real functions; a C++ runtime loaded since is looked up again. */
void shim_got_fns_reals(void);
/* The hooked function named name, NULL if we do not hook it. */
const shim_got_fn_t *shim_got_fn(const char *name);

/* Writing slots (shim_got_page.c): the page being written, opened (made
 * writable) at most once for a run of slots on it. */
typedef struct shim_got_page_s {
    uintptr_t page;
    int prot;   /* as /proc/self/maps reported it; -1: unknown, not written */
    int opened;
} shim_got_page_t;

/* *at = value, the page made writable for it if need be.  0, or -1 (left
 * alone: the page is not mapped or cannot be made writable). */
int shim_got_store(shim_got_page_t *pg, uintptr_t *at, uintptr_t value);
/* Give the page its protection back. */
void shim_got_page_close(shim_got_page_t *pg);

/* ---- session (shim_session.c) ---------------------------------------------- */
/* 1 when nothing records: the shim is dormant (loaded by dlopen, or a
 * recording that ended: its ring detached or its collector gone) and an
 * attach may begin. */
int shim_session_idle(void);
/* Everything the hooks need, as a constructor would have set it up.  0 ok. */
int shim_session_prepare(void);
/* Handshake with the collector at path (HQ_HELLO_ATTACH) and send the
 * modules.  The ring is returned unpublished (hooks do not record yet);
 * NULL on failure.  An earlier ring must have been left already. */
hq_ring_hdr_t *shim_session_join(const char *path);
/* Hooks record into r from here on. */
void shim_session_publish(hq_ring_hdr_t *r);
/* Stop recording.  Returns this process's ring mapping (its size in
 * *bytes), now owned by the caller; NULL if there was none. */
void *shim_session_leave(uint64_t *bytes);

/* ---- dlopen (shim_modules.c, shim_attach.c) -------------------------------- */
/* The real dlopen for the dlopen stub; marks the thread's modules pending. */
void *shim_dlopen_target(void);
/* What the GOT slots of dlopen get: the real dlopen, then the objects it
 * loaded are patched before the program can call into them. */
void *shim_attach_dlopen(const char *file, int mode);

#endif
