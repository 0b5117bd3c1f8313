/*
 * shim_attach.h -- heapql attach inside the shim (docs/ATTACH.md): the
 * shim loaded by dlopen into a running process, where LD_PRELOAD can no
 * longer take effect.
 *
 * Files: shim_attach.c (the exported entry points, the dlopen route, the
 * ring retired at the end), shim_got.c (GOT slots redirected to our hooks
 * and put back), shim_session.c (join/publish/leave below).
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
