/*
 * shim_stack.c -- stack capture and the table that makes each distinct
 * stack cross the ring once.
 *
 * Capture: shim_unwind (shim_unwind.c) walks the stack as libunwind's
 * unw_backtrace would, from its own rule cache and the thread's last walk;
 * the few stacks it leaves to libunwind (signal frames, code without CFI)
 * go through unw_backtrace itself.  Measured on bench/ (callgrind, issue
 * 2): the target's instructions for churn 200000 pairs 844.5M -> 343M,
 * CPython building a 30000-key dict 4969M -> 2469M.
 *
 * libunwind's caching policy NONE, not PER_THREAD: Debian's libunwind 1.6
 * is built without per-thread caches and silently turns PER_THREAD into
 * GLOBAL, whose lock it holds across dl_iterate_phdr; a program allocating
 * inside its own dl_iterate_phdr callback (holding the loader's lock) then
 * deadlocks against any other thread's first unwind of a new pc.  NONE
 * takes no lock.  shim_unwind takes none either (_dl_find_object).
 *
 * The table: open addressing in mmap'd memory (never malloc), keyed by a
 * 64-bit hash of the pcs, their count and flags (stack_key).  The thread whose CAS claims an empty
 * slot takes the next stack_id, writes HQ_REC_STACK, then publishes the id
 * (release); a thread that finds the key before the id is published waits
 * for it.  Once the table is 3/4 full nothing is inserted: a new stack is
 * sent each time under a fresh id (the collector dedups by its callsite
 * tree).  Two stacks with the same 64-bit hash share an id (odds about
 * n^2 / 2^65: ~2^-25 for a million distinct stacks).
 */
#include <fcntl.h>
#include <libunwind.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "shim.h"

#ifdef SHIM_UNWIND_VERIFY
#include <dlfcn.h>
#include <link.h>
#endif

#define STACK_SLOTS (1u << 19) /* 8 MiB of address space, touched on demand */
#define STACK_LIMIT (STACK_SLOTS / 4u * 3u)
#define STACK_SPINS 64
#define STACK_FD_FLOOR_MAX 1024 /* libunwind's pipe goes below this... */
#define STACK_FD_SPARE 8        /* ...and this far below RLIMIT_NOFILE */

typedef struct stack_slot_s {
    uint64_t key; /* 0: empty */
    uint32_t id;  /* 0: not published yet */
    uint32_t pad;
} stack_slot_t;

static stack_slot_t *stack_table;
static uint32_t stack_count;
static uint32_t stack_next_id = 1;

static stack_slot_t *stack_map(void)
{
    void *p = shim_real.mmap(NULL, (size_t)STACK_SLOTS * sizeof(stack_slot_t),
                             PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                             -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* libunwind opens a pipe (it validates memory by writing to it) when it
 * initialises.  Left alone that pipe takes the lowest free fds, 3 and 4,
 * which the program expects from its own open() and may dup2 onto (then
 * libunwind would read and write the program's files).  Fill every free
 * fd below a floor while it initialises, so the pipe lands near the top. */
static void stack_unwinder_init(void)
{
    static uint64_t held[STACK_FD_FLOOR_MAX / 64];
    struct rlimit rl;
    int floor = STACK_FD_FLOOR_MAX, base, fd;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)floor)
        floor = (int)rl.rlim_cur;
    floor -= STACK_FD_SPARE;
    base = open("/dev/null", O_RDONLY | O_CLOEXEC);
    while (base >= 0 && base < floor && (fd = fcntl(base, F_DUPFD_CLOEXEC, 0)) >= 0) {
        if (fd >= floor) {
            close(fd);
            break;
        }
        held[fd / 64] |= 1ull << (fd % 64);
    }
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_NONE);
    for (fd = 0; fd < STACK_FD_FLOOR_MAX; fd++)
        if (held[fd / 64] & (1ull << (fd % 64)))
            close(fd);
    memset(held, 0, sizeof held);
    if (base >= 0)
        close(base);
}

int shim_stack_init(void)
{
    static int unwinder_ready;
    if (!unwinder_ready) {
        stack_unwinder_init();
        unwinder_ready = 1;
    }
    if (!stack_table)
        stack_table = stack_map();
    shim_unwind_init(); /* failed: libunwind walks every stack */
    return 0; /* without a table every stack is sent each time: still correct */
}

int shim_stack_reset(void)
{
    if (stack_table)
        shim_real.munmap(stack_table, (size_t)STACK_SLOTS * sizeof(stack_slot_t));
    stack_table = stack_map();
    stack_count = 0;
    stack_next_id = 1;
    return 0;
}

/* Drop the frames of libunwind and of the shim: leading ones, and our
 * main() wrapper at the bottom.  Compacts into pcs; returns the count. */
static uint32_t stack_filter(void **pcs, int n, uint32_t depth)
{
    int i = 0;
    uint32_t k = 0;
    while (i < n && i < SHIM_STACK_SKIP &&
           (shim_in_unwinder((uintptr_t)pcs[i]) || shim_in_self((uintptr_t)pcs[i])))
        i++;
    for (; i < n && k < depth; i++) {
        pcs[k] = pcs[i];
        k += !shim_in_self((uintptr_t)pcs[i]);
    }
    return k;
}

/* The key of a stack: its pcs outermost first (shim_unwind.c keeps the
 * hash of the outer part of the last walk: only the new frames are
 * hashed), then the count and flags, then a finalizer. */
static uint64_t stack_key(uint64_t h, void *const *pcs, uint32_t n, uint32_t k, uint32_t flags)
{
    while (n-- > 0)
        h = shim_stack_mix(h, (uintptr_t)pcs[n]);
    h = shim_stack_mix(h, (uint64_t)flags << 32 | k);
    h ^= h >> 29;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 32;
    return h ? h : 1;
}

/* HQ_REC_STACK for id.  The caller has made sure every module it can name
 * was sent (shim_modules_check, before claiming a slot: between the claim
 * and the publication nothing may wait for the loader's lock, which a
 * thread waiting for our id can hold). */
static void stack_send(hq_ring_hdr_t *r, uint32_t id, void *const *pcs, uint32_t n, uint16_t flags)
{
    hq_rec_stack_t hdr = {.stack_id = id, .depth = (uint16_t)n, .flags = flags};
    uint32_t len = (uint32_t)sizeof hdr + n * (uint32_t)sizeof(uint64_t);
    uint64_t pos;
    if (shim_reserve(r, len, &pos) != 0)
        return;
    hq_ring_write(r, pos, sizeof(uint32_t), (const uint8_t *)&hdr + sizeof(uint32_t),
                  (uint32_t)sizeof hdr - (uint32_t)sizeof(uint32_t));
    hq_ring_write(r, pos, sizeof hdr, pcs, n * (uint32_t)sizeof(uint64_t));
    hq_ring_commit(r, pos, HQ_REC_STACK, (uint16_t)len);
}

static uint32_t stack_fresh(hq_ring_hdr_t *r, void *const *pcs, uint32_t n, uint16_t flags)
{
    uint32_t id = __atomic_fetch_add(&stack_next_id, 1, __ATOMIC_RELAXED);
    stack_send(r, id, pcs, n, flags);
    return id;
}

static uint32_t stack_wait(const stack_slot_t *s)
{
    uint32_t id;
    unsigned turn = 0;
    while ((id = __atomic_load_n(&s->id, __ATOMIC_ACQUIRE)) == 0) {
        if (++turn < STACK_SPINS)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
    return id;
}

/* The slot is ours: send the stack and publish its id.  Others may be
 * waiting for the id, so the thread must not be cancelled in between (the
 * ring wait can sleep in nanosleep, a cancellation point). */
static uint32_t stack_publish(hq_ring_hdr_t *r, stack_slot_t *slot, void *const *pcs, uint32_t n,
                              uint16_t flags)
{
    uint32_t id;
    int cancel;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
    __atomic_fetch_add(&stack_count, 1, __ATOMIC_RELAXED);
    id = stack_fresh(r, pcs, n, flags);
    __atomic_store_n(&slot->id, id, __ATOMIC_RELEASE);
    pthread_setcancelstate(cancel, NULL);
    return id;
}

/* key: stack_key of pcs[0, n); pcs may still have to be completed from
 * the thread's last walk (w) before they are sent. */
static uint32_t stack_lookup(hq_ring_hdr_t *r, uint64_t key, void **pcs, uint32_t n,
                             uint16_t flags, shim_walk_t *w)
{
    stack_slot_t *tab = stack_table;
    uint32_t i;
    int checked = 0;
    for (i = (uint32_t)key & (STACK_SLOTS - 1); tab; i = (i + 1) & (STACK_SLOTS - 1)) {
        uint64_t k = __atomic_load_n(&tab[i].key, __ATOMIC_ACQUIRE);
        if (k == key)
            return stack_wait(&tab[i]);
        if (k != 0)
            continue;
        if (!checked) {
            shim_modules_check(r);
            shim_unwind_fill(pcs, w, (int)n);
            checked = 1;
        }
        if (__atomic_load_n(&stack_count, __ATOMIC_RELAXED) >= STACK_LIMIT)
            return stack_fresh(r, pcs, n, flags);
        if (!__atomic_compare_exchange_n(&tab[i].key, &k, key, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) {
            if (k == key)
                return stack_wait(&tab[i]);
            continue; /* another stack took the slot */
        }
        return stack_publish(r, &tab[i], pcs, n, flags);
    }
    shim_modules_check(r);
    shim_unwind_fill(pcs, w, (int)n);
    return stack_fresh(r, pcs, n, flags);
}

#ifdef SHIM_UNWIND_VERIFY
extern uintptr_t shim_unwind_bail_pc;

/* To stderr and appended to /tmp/heapql-verify.log (tests hide stderr). */
static void stack_verify_log(const char *line)
{
    int fd = open("/tmp/heapql-verify.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    (void)!write(2, line, strlen(line));
    if (fd >= 0) {
        (void)!write(fd, line, strlen(line));
        close(fd);
    }
}

/* Test builds (-DSHIM_UNWIND_VERIFY): every walk of shim_unwind is checked
 * against unw_backtrace from one frame deeper; a difference is written to
 * stderr, and so is every 2^k-th walk left to libunwind. */
static __attribute__((noinline)) void stack_verify(void **ours, int rc, shim_walk_t *walk,
                                                  uint32_t depth)
{
    static uint64_t walks, bails;
    int want = (int)depth + SHIM_STACK_SKIP, m, kk, i = 0, k;
    void *theirs[want + 1]; /* one more frame: ours */
    char line[240], a[24], b[24], c[24], d[24], e[24], f1[24], f2[24];
    __atomic_fetch_add(&walks, 1, __ATOMIC_RELAXED);
    if (rc < 0) {
        uint64_t nb = __atomic_add_fetch(&bails, 1, __ATOMIC_RELAXED);
        struct dl_find_object fo;
        const char *obj = "?";
        uintptr_t off = shim_unwind_bail_pc;
        if ((nb & (nb - 1)) != 0)
            return;
        if (_dl_find_object((void *)(shim_unwind_bail_pc - 1), &fo) == 0) {
            obj = fo.dlfo_link_map->l_name;
            off -= (uintptr_t)fo.dlfo_link_map->l_addr;
        }
        shim_concat(line, sizeof line, "heapql verify: bail ", shim_utoa(nb, a), " of ",
                    shim_utoa(walks, b), " pid ", shim_utoa((uint64_t)shim_pid, c), " at ", obj,
                    "+", shim_utoa(off, d), "\n", NULL);
        stack_verify_log(line);
        return;
    }
    k = walk->kept < (int)depth ? walk->kept : (int)depth;
    if (walk->own < k) {
        shim_walk_t copy = *walk;
        shim_unwind_fill(ours, &copy, k);
    }
    m = unw_backtrace(theirs, want + 1);
    void *last = m > 0 ? theirs[m - 1] : NULL;
    kk = m > 0 ? (int)stack_filter(theirs, m--, depth) : 0;
    while (i < k && i < kk && ours[i] == theirs[i])
        i++;
    if (k == kk && i == k && (walk->raw == want) == (m == want))
        return;
    shim_concat(line, sizeof line, "heapql verify: DIFF kept ", shim_utoa((uint64_t)k, a), "/",
                shim_utoa((uint64_t)kk, b), " walked ", shim_utoa((uint64_t)walk->raw, c), "/",
                shim_utoa((uint64_t)m, d), " first difference ", shim_utoa((uint64_t)i, e), " own ",
                shim_utoa((uint64_t)walk->own, f1), " from ", shim_utoa((uint64_t)walk->from, f2), "\n",
                NULL);
    stack_verify_log(line);
    {
        struct dl_find_object fo;
        if (last && _dl_find_object((char *)last - 1, &fo) == 0) {
            shim_concat(line, sizeof line, "heapql verify:   libunwind's last frame ",
                        fo.dlfo_link_map->l_name, "+",
                        shim_utoa((uintptr_t)last - fo.dlfo_link_map->l_addr, a), "\n", NULL);
            stack_verify_log(line);
        }
    }
}
#endif

uint32_t shim_stack_capture(hq_ring_hdr_t *r)
{
    uint32_t depth = shim_depth, k;
    int want = (int)depth + SHIM_STACK_SKIP;
    void *pcs[want];
    shim_walk_t w;
    uint64_t h = SHIM_STACK_SEED;
    uint16_t flags = 0;
    int rc = shim_unwind(pcs, want, &w);
#ifdef SHIM_UNWIND_VERIFY
    stack_verify(pcs, rc, &w, depth);
#endif
    if (rc != 0) { /* a frame only libunwind follows */
        int raw = unw_backtrace(pcs, want);
        if (raw <= 0)
            return 0;
        w = (shim_walk_t){.raw = raw, .kept = (int)stack_filter(pcs, raw, depth)};
        w.own = w.kept;
    }
    if (w.raw == want)
        flags |= HQ_STACK_TRUNCATED;
    k = (uint32_t)w.kept < depth ? (uint32_t)w.kept : depth;
    if (!k)
        return 0;
    if (w.own < (int)k && w.hashed && (uint32_t)w.kept <= depth)
        h = w.hash; /* the outer part: hashed by the walk that first saw it */
    else if (w.own < (int)k)
        shim_unwind_fill(pcs, &w, (int)k);
    uint64_t key = stack_key(h, pcs, (uint32_t)w.own < k ? (uint32_t)w.own : k, k, flags);
#ifdef SHIM_UNWIND_VERIFY
    {
        shim_walk_t copy = w;
        shim_unwind_fill(pcs, &copy, (int)k);
        if (stack_key(SHIM_STACK_SEED, pcs, k, k, flags) != key)
            stack_verify_log("heapql verify: KEY differs from the direct hash\n");
    }
#endif
    return stack_lookup(r, key, pcs, k, flags, &w);
}
