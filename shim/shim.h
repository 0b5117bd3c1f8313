/*
 * shim.h -- internals of libheapql.so, the LD_PRELOAD shim (docs/ARCHITECTURE.md).
 *
 * Every hook takes the same four steps: guard against recursion
 * (shim_enter), call the real function, capture the stack and push one
 * record (shim_rec_*), release the guard (shim_leave).  Nothing here
 * prints, takes a lock the program could hold, or allocates with the real
 * malloc outside the guard.
 *
 * Files: shim_boot.c (real functions, bootstrap buffer), shim_thread.c (TLS
 * state, thread start/end), shim_record.c (records), shim_hooks.c (malloc
 * family), shim_cxx.c (operator new/delete), shim_vm.c (mmap & co),
 * shim_stack.c (stack capture, stack table), shim_unwind.c (the walk and its
 * rule cache), shim_modules.c (ELF objects,
 * dlopen/dlclose), shim_session.c (attach, fork, exit), shim_connect.c (ring
 * and handshake), shim_spawn.c (standalone collector), shim_cancel.c
 * (reservations vs pthread_cancel), shim_sample.c (--sample-rate), shim_util.c.
 */
#ifndef SHIM_H
#define SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hq_ring.h"
#include "hq_sample.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SHIM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- real functions (shim_boot.c) --------------------------------------- */
typedef struct shim_real_s {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*reallocarray)(void *, size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*memalign)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*malloc_usable_size)(void *);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    int (*munmap)(void *, size_t);
    void *(*mremap)(void *, size_t, size_t, int, ...);
    int (*brk)(void *);
    void *(*sbrk)(intptr_t);
    void *(*dlopen)(const char *, int);
    int (*dlclose)(void *);
    void (*exit)(int) __attribute__((noreturn));
    void (*exit_)(int) __attribute__((noreturn));  /* _exit */
    void (*Exit)(int) __attribute__((noreturn));   /* _Exit */
    int (*libc_start_main)(void *, int, char **, void (*)(void), void (*)(void),
                           void (*)(void), void *);
    int (*pthread_cancel)(unsigned long);
} shim_real_t;

extern shim_real_t shim_real;

/* Resolve every real function once (idempotent, thread-safe).  0 ok. */
int shim_boot_resolve(void);
/* The static buffer that serves allocations while dlsym runs. */
void *shim_boot_alloc(size_t size, size_t align);
int shim_boot_owns(const void *p);
size_t shim_boot_size(const void *p);
/* The real definition of a C++ runtime symbol (libstdc++ or libc++), looked
 * up again on every call until found; NULL if no loaded object has it. */
void *shim_boot_cxx(void **slot, const char *name);

/* ---- per-thread state (shim_thread.c) ----------------------------------- */
#define SHIM_PEND_MODULES 1u /* rescan modules before the next record */

typedef struct shim_tls_s {
    uint32_t guard;   /* > 0: inside a hook; nested calls pass through untracked */
    uint32_t quiet;   /* > 0: a nested free is part of the outer event (not an unknown free) */
    uint32_t tid;     /* 0: not announced yet in this process */
    uint32_t pending; /* SHIM_PEND_* */
    uint32_t ended;   /* the thread's key destructor ran */
    uint32_t ring_unprot; /* inside a reservation made with cancellation on (shim_cancel.c) */
    uint32_t sample_gen;  /* sampled run: shim_sample_gen when `sample` was seeded */
    hq_sampler_t sample;  /* sampled run: this thread's countdown (shim_sample.c) */
    uintptr_t last_ptr;   /* sampled run: this thread's last allocation, recorded or not */
    void *unw_last;       /* this thread's last stack walk, mmap'd (shim_unwind.c) */
} shim_tls_t;

extern __thread shim_tls_t shim_tls;

int shim_thread_init(void);
/* Work before this thread's next record: modules, THREAD start. */
void shim_thread_slow(hq_ring_hdr_t *r, shim_tls_t *t);
/* Fork child: forget the parent's thread identity. */
void shim_thread_forget(shim_tls_t *t);

/* ---- session (shim_session.c) ------------------------------------------- */
/* The ring while recording; NULL before attaching, when detached, in a fork
 * child until its own handshake, and after exit.  Published with release
 * once modules are sent, so a hook that sees it may record. */
extern hq_ring_hdr_t *_Atomic shim_ring;
extern uint32_t shim_depth;   /* stack depth from the ack, 1..HQ_DEPTH_MAX */
extern pid_t shim_pid;        /* the recorded process (0 before attaching) */

/* Try to attach from a hook when nothing was tried yet; returns the ring or
 * NULL (pass through). */
hq_ring_hdr_t *shim_session_lazy(void);
/* The ring is unusable (collector gone): stop recording for good. */
void shim_session_detach(void);
/* exit()/_exit()/main's return: write HQ_REC_EXIT unless in a vfork child. */
void shim_session_exit(int status, uint32_t how);

/* ---- ring and handshake (shim_connect.c) -------------------------------- */
/* Records are stamped with the TSC (HQ_CLOCK_TSC: it is invariant here),
 * else with CLOCK_MONOTONIC.  Decided before the first handshake. */
extern int shim_clock_tsc;
static inline uint64_t shim_stamp(void)
{
    return SHIM_LIKELY(shim_clock_tsc) ? hq_tsc() : hq_now_ns();
}

/* Create a ring and hand it to the collector at socket path; fills *out and
 * *depth.  flags/ppid go into the hello.  0 ok, -1 (everything released). */
int shim_connect(const char *path, uint32_t flags, pid_t ppid, hq_ring_hdr_t **out,
                 uint64_t *map_bytes, uint32_t *depth);

/* ---- sampling (shim_sample.c, common/hq_sample.h) ------------------------ */
/* Bytes per sample from the ack (set before the ring is published); 0:
 * every allocation is recorded.  shim_sample_gen counts handshakes (a fork
 * child's, a new attach): a thread reseeds when it differs. */
extern uint64_t shim_sample_rate;
extern uint32_t shim_sample_gen;

/* Seed this thread's sampler (first use since the handshake). */
void shim_sample_seed(shim_tls_t *t);

/* Sampled run, successful allocation: is it recorded?  Frees are always
 * recorded; last_ptr lets the collector tell temporaries (HQ_FREE_LAST). */
static inline int shim_sample_take(shim_tls_t *t, const void *p, uint64_t size)
{
    t->last_ptr = (uintptr_t)p;
    if (SHIM_UNLIKELY(t->sample_gen != shim_sample_gen))
        shim_sample_seed(t);
    return hq_sample_take(&t->sample, size, shim_sample_rate);
}

/* ---- standalone collector (shim_spawn.c) -------------------------------- */
/* Start `heapql collect` writing to output; fills sock (the socket path).
 * 0 ok, -1 (nothing left behind). */
int shim_spawn_collector(const char *output, char *sock, size_t socklen);

/* ---- hooks' common steps (shim_record.c) --------------------------------- */
/* Begin an event: the ring with the guard taken, or NULL to pass through. */
static inline hq_ring_hdr_t *shim_enter(shim_tls_t *t)
{
    hq_ring_hdr_t *r;
    if (t->guard)
        return NULL;
    r = __atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE);
    if (SHIM_UNLIKELY(!r) && !(r = shim_session_lazy()))
        return NULL;
    t->guard = 1;
    if (SHIM_UNLIKELY(t->tid == 0 || t->pending))
        shim_thread_slow(r, t);
    return r;
}

static inline void shim_leave(shim_tls_t *t)
{
    t->guard = 0;
}

/* Records.  Each preserves errno and detaches the shim if the ring fails. */
void shim_rec_alloc(hq_ring_hdr_t *r, shim_tls_t *t, unsigned kind, const void *p,
                    uint64_t size, uint64_t align);
void shim_rec_free(hq_ring_hdr_t *r, shim_tls_t *t, uint16_t type, unsigned kind, const void *p);
/* A free the shim passes through untracked (recursion): count it. */
void shim_rec_unknown_free(shim_tls_t *t, const void *p);
int shim_put(hq_ring_hdr_t *r, hq_rec_t *rec);

/* ---- reservations and pthread_cancel (shim_cancel.c) ---------------------- */
/* Every reservation goes through here (a wait for room must never end in a
 * cancellation); on failure the shim detaches. */
int shim_reserve(hq_ring_hdr_t *r, uint32_t len, uint64_t *pos);
extern int shim_cancel_seen; /* the program called pthread_cancel */

/* shim_reserve with its usual case inline (no pthread_cancel seen yet, the
 * room is there): the same protocol, see shim_cancel.c. */
static inline int shim_reserve_fast(hq_ring_hdr_t *r, uint32_t len, uint64_t *pos)
{
    shim_tls_t *t = &shim_tls;
    int rc;
    t->ring_unprot = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* the other half is membarrier */
    if (SHIM_UNLIKELY(__atomic_load_n(&shim_cancel_seen, __ATOMIC_RELAXED))) {
        __atomic_store_n(&t->ring_unprot, 0, __ATOMIC_RELEASE);
        return shim_reserve(r, len, pos);
    }
    rc = hq_ring_reserve_fast(r, len, pos);
    __atomic_store_n(&t->ring_unprot, 0, __ATOMIC_RELEASE);
    if (SHIM_UNLIKELY(rc != 0))
        shim_session_detach();
    return rc;
}

/* One fixed-size record (len: its sizeof) into the ring. */
static inline int shim_put_fixed(hq_ring_hdr_t *r, const hq_rec_t *rec, uint32_t len)
{
    uint64_t pos;
    if (shim_reserve_fast(r, len, &pos) != 0)
        return -1;
    hq_ring_fill(r, pos, rec, len);
    return 0;
}
/* At attach and in a fork child: register for membarrier. */
void shim_cancel_init(void);

/* ---- stacks (shim_stack.c) ---------------------------------------------- */
int shim_stack_init(void);
/* Fork child: a fresh table, ids from 1. */
int shim_stack_reset(void);
/* Capture the caller's stack; returns its stack_id (its HQ_REC_STACK sent
 * first if new), 0 if none. */
uint32_t shim_stack_capture(hq_ring_hdr_t *r);

/* A stack walk (shim_unwind.c): the caller's stack as unw_backtrace(pcs,
 * max) would give it (frame 0: the return address into the caller), minus
 * the frames shim_stack_capture drops: leading ones of ours or libunwind's
 * (at most SHIM_STACK_SKIP), later ones of ours.  The kept frames are
 * pcs[0, own) then, when own < kept, frames of the thread's last walk that
 * shim_unwind_fill copies out. */
#define SHIM_STACK_SKIP 8
typedef struct shim_walk_s {
    int raw;      /* frames walked, dropped ones included (== max: cut short) */
    int kept;     /* frames kept */
    int own;      /* of which in pcs */
    int from;     /* where the others start in the last walk */
    int hashed;   /* hash covers kept frames own..kept-1 */
    uint64_t hash; /* shim_stack_mix from SHIM_STACK_SEED over them, outermost first */
} shim_walk_t;

/* 0, or -1 when a frame needs libunwind itself.  pcs: max slots. */
int shim_unwind(void **pcs, int max, shim_walk_t *w);
/* Kept frames w->own..n-1 into pcs (n <= w->kept); advances w->own. */
void shim_unwind_fill(void **pcs, shim_walk_t *w, int n);

#define SHIM_STACK_SEED 0x9e3779b97f4a7c15ull
static inline uint64_t shim_stack_mix(uint64_t h, uint64_t pc)
{
    h = (h ^ pc) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}
/* At init: the rule cache (-1: every stack goes to libunwind). */
int shim_unwind_init(void);
/* Code may have been unmapped: forget every cached rule. */
void shim_unwind_flush(void);
/* The thread is exiting: release its last walk. */
void shim_unwind_thread_end(shim_tls_t *t);

/* ---- modules (shim_modules.c) -------------------------------------------- */
/* Our own and libunwind's text, found at init (frames to skip): an
 * address range as start and length, tested inline for every frame. */
typedef struct shim_text_s {
    uintptr_t lo, len;
} shim_text_t;
extern shim_text_t shim_self_text, shim_unw_text;

int shim_modules_init(void);
static inline int shim_in_self(uintptr_t pc)
{
    return pc - shim_self_text.lo < shim_self_text.len;
}
static inline int shim_in_unwinder(uintptr_t pc)
{
    return pc - shim_unw_text.lo < shim_unw_text.len;
}
/* Diff the loaded objects against those sent; send MODULE / MODULE_UNLOAD. */
void shim_modules_scan(hq_ring_hdr_t *r);
/* Cheap: rescan only if the loader's load/unload counters moved. */
void shim_modules_check(hq_ring_hdr_t *r);
/* Fork child: everything must be sent again. */
void shim_modules_forget(void);

/* ---- utilities (shim_util.c) --------------------------------------------- */
/* Decimal text of v into buf (>= 21 bytes); returns buf. */
char *shim_utoa(uint64_t v, char *buf);
/* Concatenate NULL-terminated strings into buf; -1 if it does not fit. */
int shim_concat(char *buf, size_t len, ...) __attribute__((sentinel));
uint32_t shim_gettid(void);

#endif
