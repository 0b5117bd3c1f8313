/*
 * shim_stack.c -- stack capture (libunwind's unw_backtrace fast path, with
 * a per-thread cache) and the table that makes each distinct stack cross
 * the ring once.
 *
 * Caching policy NONE, not PER_THREAD: Debian's libunwind 1.6 is built
 * without per-thread caches and silently turns PER_THREAD into GLOBAL,
 * whose lock it holds across dl_iterate_phdr; a program allocating inside
 * its own dl_iterate_phdr callback (holding the loader's lock) then
 * deadlocks against any other thread's first unwind of a new pc.  NONE
 * takes no lock.  unw_backtrace's per-thread trace cache (the fast path for
 * pcs seen before) does not depend on the policy; new pcs cost ~15% more.
 *
 * The table: open addressing in mmap'd memory (never malloc), keyed by a
 * 64-bit hash of pcs + depth + flags.  The thread whose CAS claims an empty
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

#define STACK_SLOTS (1u << 19) /* 8 MiB of address space, touched on demand */
#define STACK_LIMIT (STACK_SLOTS / 4u * 3u)
#define STACK_SKIP_MAX 8 /* libunwind's and our frames above the caller */
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
    while (i < n && i < STACK_SKIP_MAX &&
           (shim_in_unwinder((uintptr_t)pcs[i]) || shim_in_self((uintptr_t)pcs[i])))
        i++;
    for (; i < n && k < depth; i++)
        if (!shim_in_self((uintptr_t)pcs[i]))
            pcs[k++] = pcs[i];
    return k;
}

static uint64_t stack_hash(void *const *pcs, uint32_t n, uint32_t flags)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)flags << 32 | n);
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ (uintptr_t)pcs[i]) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
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

static uint32_t stack_lookup(hq_ring_hdr_t *r, void *const *pcs, uint32_t n, uint16_t flags)
{
    uint64_t key = stack_hash(pcs, n, flags);
    stack_slot_t *tab = stack_table;
    uint32_t i;
    int checked = 0;
    if (!tab) {
        shim_modules_check(r);
        return stack_fresh(r, pcs, n, flags);
    }
    for (i = (uint32_t)key & (STACK_SLOTS - 1);; i = (i + 1) & (STACK_SLOTS - 1)) {
        uint64_t k = __atomic_load_n(&tab[i].key, __ATOMIC_ACQUIRE);
        if (k == key)
            return stack_wait(&tab[i]);
        if (k != 0)
            continue;
        if (!checked) {
            shim_modules_check(r);
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
}

uint32_t shim_stack_capture(hq_ring_hdr_t *r)
{
    uint32_t depth = shim_depth;
    int want = (int)depth + STACK_SKIP_MAX, n;
    void *pcs[want];
    uint32_t k;
    uint16_t flags = 0;
    n = unw_backtrace(pcs, want);
    if (n <= 0)
        return 0;
    k = stack_filter(pcs, n, depth);
    if (n == want)
        flags |= HQ_STACK_TRUNCATED;
    return k ? stack_lookup(r, pcs, k, flags) : 0;
}
