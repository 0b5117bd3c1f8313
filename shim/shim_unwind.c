/*
 * shim_unwind.c -- the stack walk of every hook: the return addresses
 * libunwind's fast trace (unw_backtrace, Debian 1.6.2) would give, for a
 * fraction of its cost.  Anything that trace does not treat as a plain
 * frame is left to it: shim_unwind returns -1 and the caller runs
 * unw_backtrace, so the stacks are the same either way (a build with
 * -DSHIM_UNWIND_VERIFY checks every walk against unw_backtrace).
 *
 * Two levels:
 *   1. A rule per return address, cached for the whole process: what
 *      libunwind's tdep_stash_frame calls a standard frame, from the CFI
 *      row of pc - 1 -- CFA = RSP or RBP + offset (|offset| < 2^28), return
 *      address at CFA-8, RBP unchanged or saved at CFA + offset (|offset| <
 *      2^14, not -1), RSP unchanged, undefined or saved likewise; or the
 *      last frame (return address or RBP undefined: _start, clone3).
 *      Everything else is BAIL: no object or eh_frame_hdr table, pc
 *      outside its FDE, a signal frame ('S'), a CFA or register given by
 *      an expression, registers >= 17, 64-bit DWARF, CIE version 4,
 *      unknown opcodes or augmentations, deep remember_state.  On the
 *      benchmarks only ld.so's _dl_start_user (constructors run by
 *      _dl_init) bails, and signal trampolines in the tests.
 *   2. Each thread's last walk (below): a walk that reaches one of its
 *      frames re-reads the words that walk read and copies the rest.
 * Per frame: about 40 instructions walked, 11 copied, against about 80 in
 * libunwind's trace (its per-thread cache lookup included).
 *
 * The walk reads the stack as libunwind's trace does (no validation), and
 * gives up (-1) where libunwind would go on with a frame we doubt: a CFA
 * not above the previous one, or more than 1 GiB above it.
 *
 * The rule cache: open addressing in mmap'd memory, shared by all threads,
 * never locked.  key = pc | generation << 48 (user pcs are below 2^47).  A
 * slot's key is claimed once by CAS and never changes; its rule (never 0
 * once written) is stored after, so a reader that finds its key uses the
 * rule or, while it is still 0, computes its own.  Code can be unmapped
 * (dlclose, shim_modules_scan seeing an object gone): shim_unwind_flush
 * bumps the generation, so the old entries stop matching (they stay as
 * dead slots).  Past 3/4 full or 2^16 generations a miss is BAIL:
 * libunwind's own per-thread cache takes over.
 *
 * Rules are computed (shim_cfi.c) from the CFI with _dl_find_object (glibc >= 2.35: no
 * lock, no allocation; libunwind goes through dl_iterate_phdr and the
 * loader's lock) and the CFI program run on the stack (about 2.5 KiB).
 */
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "shim.h"
#include "shim_cfi.h"

#define UNW_BITS 16
#define UNW_SLOTS (1u << UNW_BITS)
#define UNW_LIMIT (UNW_SLOTS / 4u * 3u)
#define UNW_PROBES 16
#define UNW_GEN_MAX 0xffffu
#define UNW_SPAN_MAX (1ull << 30) /* a frame this large is not one */
#define UNW_PC_MIN 0x4000ull       /* libunwind's trace stops below this */
#define UNW_PC_END (1ull << 47)    /* keys hold the generation above */

typedef struct unw_slot_s {
    uint64_t key; /* 0: empty */
    uint64_t rule; /* 0: not written yet */
} unw_slot_t;

#ifdef SHIM_UNWIND_VERIFY
uintptr_t shim_unwind_bail_pc; /* the last pc whose rule was BAIL (shim_stack.c reports it) */
#endif

static unw_slot_t *unw_table;
static uint32_t unw_used;
static uint32_t unw_gen;

int shim_unwind_init(void)
{
    void *p;
#if !defined(DLFO_STRUCT_HAS_EH_DBASE) || !defined(__x86_64__)
    return -1; /* no _dl_find_object, or not x86-64 CFI: every stack goes to libunwind */
#endif
    if (__atomic_load_n(&unw_table, __ATOMIC_ACQUIRE))
        return 0;
    if (__atomic_load_n(&unw_gen, __ATOMIC_ACQUIRE) >= UNW_GEN_MAX)
        return -1; /* generations used up (shim_unwind_flush) */
    /* one slot more, never used: unw_next looks at the slot after its own */
    p = shim_real.mmap(NULL, (size_t)(UNW_SLOTS + 1) * sizeof(unw_slot_t), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    __atomic_store_n(&unw_table, (unw_slot_t *)p, __ATOMIC_RELEASE);
    return 0;
}

void shim_unwind_flush(void)
{
    if (__atomic_add_fetch(&unw_gen, 1, __ATOMIC_ACQ_REL) >= UNW_GEN_MAX)
        __atomic_store_n(&unw_table, NULL, __ATOMIC_RELEASE); /* leaked: readers may hold it */
}

static inline uint32_t unw_index(uint64_t key)
{
    return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - UNW_BITS));
}

/* ---- cache and walk --------------------------------------------------------- */

static __attribute__((noinline)) uint64_t unw_miss(unw_slot_t *tab, uint64_t key, uintptr_t pc)
{
    uint32_t i = unw_index(key);
    uint64_t rule = 0;
    for (unsigned probe = 0; probe < UNW_PROBES; probe++, i = (i + 1) & (UNW_SLOTS - 1)) {
        uint64_t k = __atomic_load_n(&tab[i].key, __ATOMIC_ACQUIRE);
        if (k == 0) {
            if (__atomic_load_n(&unw_used, __ATOMIC_RELAXED) >= UNW_LIMIT)
                return RULE_BAIL;
            if (!rule)
                rule = shim_cfi_rule(pc);
            if (!__atomic_compare_exchange_n(&tab[i].key, &k, key, 0, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE) &&
                k != key)
                continue; /* another pc took it */
            if (k == 0)
                __atomic_fetch_add(&unw_used, 1, __ATOMIC_RELAXED);
        } else if (k != key) {
            continue;
        }
        if (!rule && !(rule = __atomic_load_n(&tab[i].rule, __ATOMIC_ACQUIRE)))
            rule = shim_cfi_rule(pc);
        __atomic_store_n(&tab[i].rule, rule, __ATOMIC_RELEASE);
        return rule;
    }
    return RULE_BAIL;
}

/* ---- the walk ---------------------------------------------------------------
 *
 * The state at a frame is (pc, rsp, rbp); one step from it reads the word
 * at CFA-8 (the next pc) and, if the rule saved RBP, one more.  Nothing
 * else goes in: two walks that reach the same state and then read the same
 * words go on identically.  So each thread keeps its last walk (states and
 * the addresses it read), and a walk that reaches one of its states
 * re-reads those words in order and, while they hold what they held,
 * copies the frames instead of computing them (a CPython allocation shares
 * most of its stack with the previous one).  rbp takes part in the match
 * only where the rest of the walk uses it before reloading it ("live").
 * Every word read this way is one the plain walk would read, in the same
 * order; the first that differs ends the copy and the plain walk goes on.
 */

enum { END_LAST = 1, END_SMALL, END_MAX }; /* how a walk ended */

typedef struct unw_frame_s {
    uintptr_t pc, rsp, rbp;
    uintptr_t rbp_at; /* the step from here read rbp there (0: it kept rbp) */
    uintptr_t chk_at; /* the step to here read rbp there and the rest needs it (0: nothing) */
    uint64_t hash;    /* shim_stack_mix of the kept pcs from the last frame down to here */
    uint32_t nkeep;   /* kept frames from here to the last */
    uint8_t live;     /* the rest of the walk depends on this frame's rbp */
    uint8_t by_rbp;   /* this frame's CFA is rbp-based */
    uint8_t keep;     /* not a frame of ours */
    uint8_t pad;
} unw_frame_t;

/* A thread's last walk: frames [base, cap) of f, innermost first, at most
 * cap / 2 of them (a walk that reuses frames may be longer than max); a
 * new walk writes its frames in [0, cap / 2) first.  end_at/end_val: the last
 * word read when the walk ended at a return address below 0x4000. */
typedef struct unw_last_s {
    uint64_t gen;
    uint32_t cap, base, end;
    uintptr_t end_at, end_val;
    size_t bytes;
    unw_frame_t f[];
} unw_last_t;

typedef struct unw_walk_s {
    uintptr_t pc, rsp, rbp;
    uint64_t gen;
    unw_slot_t *tab;
} unw_walk_t;

/* One frame up: 1 with w->pc the caller's return address, 0 at the last
 * frame, 2 at a return address below 0x4000 (the end too), -1 when the
 * frame needs libunwind.  fr (may be NULL) records the step. */
static inline int unw_next(unw_walk_t *w, unw_frame_t *fr)
{
    uint64_t key = w->pc | w->gen, rule = 0;
    const unw_slot_t *s = &w->tab[unw_index(key)];
    uintptr_t cfa, pc, rbp_at = 0;
    int16_t rbp_off;
    if (SHIM_LIKELY(__atomic_load_n(&s->key, __ATOMIC_RELAXED) == key) ||
        SHIM_LIKELY(__atomic_load_n(&(++s)->key, __ATOMIC_RELAXED) == key))
        rule = __atomic_load_n(&s->rule, __ATOMIC_RELAXED);
    if (SHIM_UNLIKELY(!(rule & RULE_STD))) {
        if (RULE_KIND(rule) == 0)
            rule = unw_miss(w->tab, key, w->pc);
        if (RULE_KIND(rule) == RULE_LAST)
            return 0;
        if (!(rule & RULE_STD)) {
#ifdef SHIM_UNWIND_VERIFY
            shim_unwind_bail_pc = w->pc;
#endif
            return -1;
        }
    }
    cfa = ((rule & RULE_CFA_RSP) ? w->rsp : w->rbp) + (uintptr_t)RULE_CFA_OFF(rule);
    if (SHIM_UNLIKELY(cfa - w->rsp - 1 >= UNW_SPAN_MAX)) /* not above the last frame */
        return -1;
    pc = ((const uintptr_t *)cfa)[-1];
    rbp_off = RULE_RBP_OFF(rule);
    if (rbp_off != -1) {
        rbp_at = cfa + (uintptr_t)(intptr_t)rbp_off;
        w->rbp = *(const uintptr_t *)rbp_at;
    }
    if (fr) {
        fr->rbp_at = rbp_at;
        fr->by_rbp = !(rule & RULE_CFA_RSP);
    }
    w->rsp = cfa;
    w->pc = pc;
    if (SHIM_LIKELY(pc - UNW_PC_MIN < UNW_PC_END - UNW_PC_MIN))
        return 1;
    return pc < UNW_PC_MIN ? 2 : -1;
}

/* This thread's last walk, with room for max new frames; NULL: none. */
static unw_last_t *unw_last_get(shim_tls_t *t, int max, uint64_t gen)
{
    unw_last_t *l = t->unw_last;
    size_t bytes = sizeof *l + (size_t)max * 2 * sizeof(unw_frame_t);
    void *p;
    if (SHIM_LIKELY(l && l->cap >= (uint32_t)max * 2)) {
        if (l->gen != gen)
            l->base = l->cap; /* its rules are gone */
        return l;
    }
    if (t->ended || t->guard != 1)
        return NULL; /* a key destructor after ours, or not inside a hook */
    if (l) {
        shim_real.munmap(l, l->bytes);
        t->unw_last = NULL;
    }
    p = shim_real.mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    l = p;
    l->bytes = bytes;
    l->cap = l->base = (uint32_t)max * 2;
    t->unw_last = l;
    return l;
}

void shim_unwind_thread_end(shim_tls_t *t)
{
    unw_last_t *l = t->unw_last;
    t->unw_last = NULL;
    if (l)
        shim_real.munmap(l, l->bytes);
}

/* The new frames [0, n) precede next (NULL: the walk ended after them,
 * `end` telling how): liveness, checks, kept counts, hashes. */
static void unw_finish(unw_frame_t *f, uint32_t n, unw_frame_t *next, uint32_t end)
{
    uint32_t live = next ? next->live : end == END_MAX, nkeep = next ? next->nkeep : 0;
    uint64_t hash = next ? next->hash : SHIM_STACK_SEED;
    while (n-- > 0) {
        unw_frame_t *fr = &f[n];
        if (next)
            next->chk_at = next->live ? fr->rbp_at : 0;
        live = fr->by_rbp || (!fr->rbp_at && live);
        fr->live = (uint8_t)live;
        nkeep += fr->keep;
        fr->nkeep = nkeep;
        if (fr->keep)
            hash = shim_stack_mix(hash, fr->pc);
        fr->hash = hash;
        next = fr;
    }
    if (next)
        next->chk_at = 0;
}

/* The walk reached frame j of the last one with room for `room` more
 * frames (j included).  Re-read the words the last walk read after j:
 * 1 with *cnt the frames taken from it if they all still hold the same
 * values (and the walk ends the same way), else 0. */
static int unw_reuse(const unw_last_t *l, uint32_t j, uint32_t room, uint32_t *cnt)
{
    const unw_frame_t *f = l->f;
    uint32_t avail = l->cap - j, c = room < avail ? room : avail;
    for (uint32_t e = j + 1; e < j + c; e++)
        if (*(const uintptr_t *)(f[e].rsp - 8) != f[e].pc ||
            (f[e].chk_at && *(const uintptr_t *)f[e].chk_at != f[e].rbp))
            return 0;
    if (room > avail && (l->end == END_MAX ||
                         (l->end == END_SMALL && *(const uintptr_t *)l->end_at != l->end_val)))
        return 0;
    *cnt = c;
    return 1;
}

void shim_unwind_fill(void **pcs, shim_walk_t *w, int n)
{
    const unw_last_t *l = shim_tls.unw_last;
    if (!l)
        return;
    for (uint32_t e = (uint32_t)w->from; w->own < n && e < l->cap; e++)
        if (l->f[e].keep)
            pcs[w->own++] = (void *)l->f[e].pc;
}

__attribute__((noinline)) int shim_unwind(void **pcs, int max, shim_walk_t *out)
{
    const uintptr_t *fp = __builtin_frame_address(0);
    unw_walk_t w = {(uintptr_t)__builtin_return_address(0), (uintptr_t)(fp + 2), fp[0], 0, NULL};
    uintptr_t self_lo = shim_self_text.lo, self_len = shim_self_text.len;
    unw_last_t *l;
    unw_frame_t *f = NULL, *fr = NULL;
    uint32_t i = 0, j = 0, cap = 0, end = END_MAX, cnt, keep;
    uintptr_t at;
    int n = 1, k = 0, step = 1; /* n: frames walked, the current one included */
    out->hashed = 0;
    w.tab = __atomic_load_n(&unw_table, __ATOMIC_ACQUIRE);
    w.gen = (uint64_t)__atomic_load_n(&unw_gen, __ATOMIC_ACQUIRE) << 48;
    if (!w.tab || max <= 0)
        return -1;
    /* Leading frames of the shim (or libunwind) are dropped, at most SKIP. */
    while (n <= SHIM_STACK_SKIP && (shim_in_self(w.pc) || shim_in_unwinder(w.pc))) {
        if (n == max || (step = unw_next(&w, NULL)) <= 0)
            goto done;
        n++;
    }
    if ((l = unw_last_get(&shim_tls, max, w.gen)) != NULL) {
        f = l->f;
        j = l->base;
        cap = l->cap;
    }
    at = j < cap ? f[j].rsp : UINTPTR_MAX;
    for (;;) {
        while (SHIM_UNLIKELY(at < w.rsp)) /* the last walk's next frame not below ours */
            at = ++j < cap ? f[j].rsp : UINTPTR_MAX;
        if (at == w.rsp && f[j].pc == w.pc && (!f[j].live || f[j].rbp == w.rbp)) {
            if (unw_reuse(l, j, (uint32_t)(max - n + 1), &cnt)) {
                /* the last walk becomes frames [0, i) then its own from j */
                out->raw = n + (int)cnt - 1;
                out->own = k;
                out->kept = k + (int)(f[j].nkeep - (j + cnt < cap ? f[j + cnt].nkeep : 0));
                out->hashed = j + cnt == cap;
                out->hash = f[j].hash;
                out->from = (int)j;
                if (i + (cap - j) <= cap / 2) { /* else it stays: no more than cap / 2 frames */
                    unw_finish(f, i, &f[j], 0);
                    memmove(f + j - i, f, i * sizeof *f);
                    l->base = j - i;
                }
                return 0;
            }
            j = cap; /* changed: no more copying in this walk */
            at = UINTPTR_MAX;
        }
        keep = w.pc - self_lo >= self_len; /* our frames (main's wrapper) are dropped */
        pcs[k] = (void *)w.pc;             /* pcs has max slots and k < n <= max */
        k += (int)keep;
        if (f) {
            fr = &f[i++]; /* i <= max <= the last walk's first frame */
            *fr = (unw_frame_t){.pc = w.pc, .rsp = w.rsp, .rbp = w.rbp, .keep = (uint8_t)keep};
        }
        if (n == max)
            break;
        if ((step = unw_next(&w, fr)) != 1)
            break;
        n++;
    }
    if (step == 0)
        end = END_LAST;
    else if (step == 2)
        end = END_SMALL;
    if (f && step >= 0) {
        /* this walk replaces the last one: frames [cap - i, cap) */
        unw_finish(f, i, NULL, end);
        if (end == END_SMALL) {
            l->end_at = w.rsp - 8;
            l->end_val = w.pc;
        }
        l->end = end;
        l->gen = w.gen;
        memmove(f + cap - i, f, i * sizeof *f);
        l->base = cap - i;
    }
done:
    out->raw = n;
    out->own = out->kept = k;
    return step < 0 ? -1 : 0;
}
