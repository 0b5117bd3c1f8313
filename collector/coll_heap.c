/*
 * coll_heap.c -- pairing frees with allocations, the heap total and its
 * peak, per-callsite figures, temporaries.
 *
 * A block's row is written once, when it ends (freed, or still live when its
 * image ends: free_ns NULL), so rows, and their ids, are in the order
 * blocks ended.  realloc arrives as REALLOC_FREE (old block,
 * before the real call) then an ALLOC of kind realloc on the same thread;
 * the old block is parked on its thread in between so that REALLOC_FAIL can
 * revive it.
 *
 * Per-callsite peak in O(1) per event (lazy epoch snapshots): the image's
 * epoch rises at each new peak; before a callsite slot changes, a slot whose
 * snapshot is of an older epoch first copies its live values (they are the
 * values at the latest peak, untouched since).  At the end a slot's peak
 * contribution is its snapshot when that is of the current epoch, else its
 * live values.
 *
 * Temporary (heaptrack): freed before the allocating thread allocated
 * anything else, i.e. the block is still its thread's last allocation.
 *
 * Sampled runs (c->sample_rate): only sampled blocks arrive, every free
 * does.  A free of a block not held is one of an unsampled block
 * (unsampled_frees).  Each block adds its estimate (heap_est) to the
 * figures; the heap total, its peak and the per-callsite peaks are then
 * those of the estimated heap.  Whether a block is temporary the shim
 * says itself for a same-thread free (HQ_FREE_LAST); a cross-thread free
 * falls back to the thread's last *sampled* allocation, which overstates.
 * Aggregated runs (c->aggregate) do all of this and write no rows.
 */
#include "coll_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hq_sample.h"

#define HEAP_FAR_BYTES (1ull << 32) /* an address this far from the first base may be the second */

/* What one block stands for: itself in a full run; in a sampled run its
 * weight w (hq_sample.h): w * size bytes, w blocks in units. */
typedef struct heap_est_s {
    uint64_t bytes, usable, units;
} heap_est_t;

static inline heap_est_t heap_est(const coll_t *c, const coll_block_t *b)
{
    double w;
    if (!c->sample_rate)
        return (heap_est_t){b->size, b->usable, 1};
    w = hq_sample_weight(b->size, c->sample_rate);
    return (heap_est_t){(uint64_t)llround((double)b->size * w),
                        (uint64_t)llround((double)b->usable * w),
                        (uint64_t)llround(w * (double)(1ull << c->unit_shift))};
}

static inline coll_slot_t *heap_touch(coll_proc_t *p, uint32_t s)
{
    coll_slot_t *sl = &p->slots[s];
    if (sl->snap_epoch != p->epoch) {
        sl->snap_bytes = sl->live_bytes;
        sl->snap_blocks = sl->live_blocks;
        sl->snap_epoch = p->epoch;
    }
    return sl;
}

static inline void heap_add(coll_proc_t *p, const coll_block_t *b, heap_est_t e, int64_t t)
{
    coll_slot_t *sl = heap_touch(p, b->slot);
    sl->live_bytes += e.bytes;
    sl->live_blocks += e.units;
    p->heap_bytes += e.bytes;
    p->heap_blocks += e.units;
    if (p->heap_bytes > p->peak_bytes) {
        p->peak_bytes = p->heap_bytes;
        p->peak_blocks = p->heap_blocks;
        p->peak_ns = t;
        p->epoch++;
    }
}

static inline void heap_sub(coll_proc_t *p, const coll_block_t *b, heap_est_t e)
{
    coll_slot_t *sl = heap_touch(p, b->slot);
    sl->live_bytes -= e.bytes;
    sl->live_blocks -= e.units;
    p->heap_bytes -= e.bytes;
    p->heap_blocks -= e.units;
}

/* glibc's malloc_usable_size for a request of size bytes (not mmapped):
 * alloc_rows stores usable sizes as the difference from it.  The view
 * computes the same as ((size + 23) & -16) + ((size < 9) << 4) - 8. */
static inline int64_t heap_glibc_usable(uint64_t size)
{
    uint64_t chunk = size + 23 > 32 ? size + 23 : 32;
    return (int64_t)((chunk & ~15ull) - 8);
}

/* alloc_rows.ptr: twice the distance to the nearer base, plus 1 for the
 * second base. */
static inline int64_t heap_ptr(const coll_t *c, uint64_t ptr)
{
    int64_t d0 = (int64_t)(ptr - (uint64_t)c->ptr_base[0]);
    int64_t d1 = (int64_t)(ptr - (uint64_t)c->ptr_base[1]);
    if (c->ptr_bases > 1 && (d1 < 0 ? -(uint64_t)d1 : (uint64_t)d1) <
                                (d0 < 0 ? -(uint64_t)d0 : (uint64_t)d0))
        return (int64_t)(((uint64_t)d1 << 1) | 1);
    return (int64_t)((uint64_t)d0 << 1);
}

/* The bases of alloc_rows.ptr: the first address allocated (meta
 * 'ptr_base'), then the first one 4 GiB or more away from it (typically the
 * main heap, then the mmap area with the thread arenas; meta 'ptr_far' is
 * its distance to the first).  Chosen before any row uses them. */
static int heap_ptr_base(coll_t *c, uint64_t ptr)
{
    uint64_t d = ptr - (uint64_t)c->ptr_base[0];
    if (c->ptr_bases == 1 && (d < HEAP_FAR_BYTES || -d < HEAP_FAR_BYTES))
        return 0;
    c->ptr_base[c->ptr_bases] = (int64_t)ptr;
    if (c->ptr_bases++ == 0)
        return coll_db_meta_int(c, "ptr_base", (int64_t)ptr);
    return coll_db_meta_int(c, "ptr_far", (int64_t)d);
}

/* alloc_rows.who: ((pid - pid_base) << 37) + ((tid - pid) << 5) + kind. */
static inline int64_t heap_who(const coll_t *c, const coll_proc_t *p, const coll_block_t *b)
{
    uint64_t proc = (uint64_t)((int64_t)p->pid - c->pid_base);
    uint64_t thread = (uint64_t)((int64_t)b->tid - (int64_t)p->pid);
    return (int64_t)((proc << 37) + (thread << 5) + (b->kind & 31u));
}

/* The block's row, encoded as schema/v1.sql says (the view allocations
 * decodes it); its id is the next rowid (coll_batch.c).  temp: freed
 * before its thread allocated anything else. */
static int heap_row(coll_t *c, const coll_proc_t *p, const coll_block_t *b, int64_t free_ns,
                    int temp)
{
    coll_batch_t *rows = &c->batch[COLL_B_ALLOCS];
    int64_t *v, cs;
    if (c->aggregate)
        return 0;
    v = coll_batch_slot(rows);
    cs = p->slots[b->slot].callsite_id;
    v[0] = heap_who(c, p, b);
    v[1] = heap_ptr(c, b->ptr);
    v[2] = (int64_t)b->size;
    v[3] = (int64_t)(b->usable - (uint64_t)heap_glibc_usable(b->size));
    v[4] = cs ? cs : COLL_NULL;
    v[5] = b->alloc_ns - COLL_NS_BASE;
    v[6] = free_ns == COLL_NULL ? COLL_NULL : free_ns - b->alloc_ns;
    if (temp && free_ns != COLL_NULL)
        v[6] = ~v[6]; /* a temporary: the lifetime's complement, below 0 */
    if (c->sample_rate)
        v[7] = coll_batch_real(hq_sample_weight(b->size, c->sample_rate));
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

/* The block (already off the heap total) was freed at free_ns. */
static int heap_freed(coll_t *c, coll_proc_t *p, const coll_block_t *b, heap_est_t e,
                      int64_t free_ns, int temp)
{
    coll_slot_t *sl = &p->slots[b->slot];
    sl->free_count += e.units;
    sl->temporary_count += temp ? e.units : 0;
    p->free_calls += e.units;
    return heap_row(c, p, b, free_ns, temp);
}

/* r: the free (sampled runs: the shim knows a same-thread temporary). */
static int heap_is_temp(const coll_t *c, coll_proc_t *p, const coll_block_t *b,
                        const hq_rec_free_t *r)
{
    const coll_thread_t *th;
    if (c->sample_rate && r->tid == b->tid)
        return (r->flags & HQ_FREE_LAST) != 0;
    if (b->flags & COLL_BLOCK_LAST_OF_THREAD)
        return 1;
    th = coll_thread_find(p, b->tid);
    return th && th->has_last && th->last_alloc_ptr == b->ptr && th->last_alloc_ns == b->alloc_ns;
}

/* An address handed out again while we think it is live: its free was
 * never seen (untracked by the shim).  The old block ends now. */
static int heap_missed(coll_t *c, coll_proc_t *p, const coll_block_t *old, int64_t t)
{
    p->missed_frees++;
    heap_sub(p, old, heap_est(c, old));
    return heap_row(c, p, old, t, 0);
}

static inline uint32_t heap_stack_slot(const coll_proc_t *p, uint32_t stack_id)
{
    return stack_id < p->stacks_cap ? p->stack_slot[stack_id] : 0;
}

int64_t coll_heap_callsite(const coll_proc_t *p, uint32_t stack_id)
{
    int64_t cs = p->slots[heap_stack_slot(p, stack_id)].callsite_id;
    return cs ? cs : COLL_NULL;
}

int coll_heap_unpark(coll_t *c, coll_proc_t *p, coll_thread_t *th)
{
    th->parked = 0;
    return heap_freed(c, p, &th->park, heap_est(c, &th->park), th->park_ns, th->park_temp);
}

int coll_heap_alloc(coll_t *c, coll_proc_t *p, const hq_rec_alloc_t *r, int64_t t)
{
    coll_thread_t *th;
    coll_block_t *b;
    coll_slot_t *sl;
    heap_est_t e;
    int existed;
    if (!r->ptr)
        return 0;
    if (c->ptr_bases < 2 && heap_ptr_base(c, r->ptr) != 0)
        return -1;
    th = coll_thread_get(p, r->tid);
    if (!th)
        return coll_fail(c, "out of memory");
    coll_thread_saw(th, t);
    if (th->parked && (r->kind == HQ_KIND_REALLOC || r->kind == HQ_KIND_REALLOCARRAY) &&
        coll_heap_unpark(c, p, th) != 0)
        return -1;
    b = coll_blocks_insert(&p->blocks, r->ptr, &existed);
    if (!b)
        return coll_fail(c, "out of memory");
    if (existed && heap_missed(c, p, b, t) != 0)
        return -1;
    *b = (coll_block_t){.ptr = r->ptr, .size = r->size,
                        .usable = r->usable, .alloc_ns = t, .tid = r->tid,
                        .slot = heap_stack_slot(p, r->stack_id), .kind = r->kind};
    th->has_last = 1;
    th->last_alloc_ptr = b->ptr;
    th->last_alloc_ns = b->alloc_ns;
    e = heap_est(c, b);
    sl = &p->slots[b->slot];
    sl->alloc_count += e.units;
    sl->alloc_bytes += e.bytes;
    sl->usable_bytes += e.usable;
    p->alloc_calls += e.units;
    p->alloc_bytes += e.bytes;
    p->kind_calls[r->kind] += e.units; /* r->kind < HQ_KIND_ALLOC_COUNT: coll_drain.c */
    p->kind_bytes[r->kind] += e.bytes;
    heap_add(p, b, e, t);
    return 0;
}

int coll_heap_alloc_fail(coll_t *c, coll_proc_t *p, const hq_rec_alloc_t *r)
{
    p->failed_allocs++;
    p->slots[heap_stack_slot(p, r->stack_id)].failed_count++;
    return 0;
}

int coll_heap_free(coll_t *c, coll_proc_t *p, const hq_rec_free_t *r, int64_t t)
{
    coll_block_t b;
    coll_thread_t *th;
    heap_est_t e;
    int temp;
    if (!r->ptr)
        return 0;
    if (p->threads_ended && (th = coll_thread_find(p, r->tid)) != NULL)
        coll_thread_saw(th, t); /* a free in a late key destructor */
    if (!coll_blocks_take(&p->blocks, r->ptr, &b)) {
        if (c->sample_rate)
            p->unsampled_frees++;
        else if (p->attached)
            p->preexisting_frees++; /* allocated before the attach */
        else
            p->unknown_frees++;
        return 0;
    }
    temp = heap_is_temp(c, p, &b, r);
    e = heap_est(c, &b);
    heap_sub(p, &b, e);
    if (r->kind != HQ_KIND_REALLOC_FREE)
        return heap_freed(c, p, &b, e, t, temp);
    th = coll_thread_get(p, r->tid);
    if (!th)
        return coll_fail(c, "out of memory");
    if (th->parked && coll_heap_unpark(c, p, th) != 0)
        return -1;
    th->parked = 1;
    th->park = b;
    th->park_ns = t;
    th->park_temp = temp;
    return 0;
}

/* realloc failed: the block parked by this thread's REALLOC_FREE lives on.
 * A failed allocation of the process (the shim sends no ALLOC_FAIL for it;
 * the record names no stack, so no callsite counts it). */
int coll_heap_realloc_fail(coll_t *c, coll_proc_t *p, const hq_rec_free_t *r, int64_t t)
{
    coll_thread_t *th = coll_thread_find(p, r->tid);
    coll_block_t *b;
    int existed;
    p->failed_allocs++;
    if (!th || !th->parked || th->park.ptr != r->ptr)
        return 0;
    th->parked = 0;
    b = coll_blocks_insert(&p->blocks, r->ptr, &existed);
    if (!b)
        return coll_fail(c, "out of memory");
    if (existed && heap_missed(c, p, b, t) != 0)
        return -1;
    *b = th->park;
    heap_add(p, b, heap_est(c, b), t);
    return 0;
}

static int heap_cmp_time(const void *a, const void *b)
{
    const coll_block_t *x = a, *y = b;
    return x->alloc_ns < y->alloc_ns ? -1 : x->alloc_ns > y->alloc_ns;
}

/* The image ended: its live blocks become rows with free_ns NULL, in
 * allocation order.  Slot live values stay: they are
 * the leaks per callsite. */
int coll_heap_end(coll_t *c, coll_proc_t *p)
{
    coll_block_t *live = malloc((p->blocks.count + 1) * sizeof *live);
    size_t n = 0;
    int rc = 0;
    if (!live)
        return coll_fail(c, "out of memory");
    for (size_t i = 0; p->blocks.slots && i <= p->blocks.mask; i++)
        if (p->blocks.slots[i].ptr)
            live[n++] = p->blocks.slots[i];
    if (!c->aggregate)
        qsort(live, n, sizeof *live, heap_cmp_time);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        heap_est_t e = heap_est(c, &live[i]);
        p->leaked_blocks += e.units;
        p->leaked_bytes += e.bytes;
        rc = heap_row(c, p, &live[i], COLL_NULL, 0);
    }
    free(live);
    return rc;
}

uint32_t coll_heap_slot(coll_proc_t *p, int64_t callsite_id)
{
    uint64_t *v = coll_kmap_find(&p->slot_of, (uint64_t)callsite_id, 0);
    if (v)
        return (uint32_t)*v;
    if (p->nslots == p->slots_cap) {
        coll_slot_t *s = realloc(p->slots, p->slots_cap * 2 * sizeof *s);
        if (!s)
            return UINT32_MAX;
        p->slots = s;
        p->slots_cap *= 2;
    }
    memset(&p->slots[p->nslots], 0, sizeof p->slots[0]);
    p->slots[p->nslots].callsite_id = callsite_id;
    if (coll_kmap_put(&p->slot_of, (uint64_t)callsite_id, 0, p->nslots) != 0)
        return UINT32_MAX;
    return p->nslots++;
}
