/*
 * coll_drain.c -- reading the rings: round-robin over the images with at
 * most COLL_DRAIN_MAX records per ring per turn, dispatch by record type,
 * the consumed bytes zeroed and the tail published once per batch.
 *
 * A record the collector cannot understand (bad length, unknown type or
 * kind) stops that ring: nothing after it can be trusted.  The shim is told
 * to stop (hdr->detached) so it never waits on a ring nobody reads, and the
 * run is marked truncated.
 *
 * Time: drain_time turns a record's stamp into ns since the run started,
 * strictly increasing per image in ring order; TSC stamps are converted to
 * CLOCK_MONOTONIC first (below).
 */
#include "coll_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hq_ring.h"

#define DRAIN_ZERO_CHUNK (1u << 30)
#define DRAIN_AHEAD 16 /* records whose live-block slot is prefetched before their turn */
/* hdr->heartbeat_ns shares a cache line with hdr->detached, which the shim
 * reads at every record: written at every pass, it would cost the program
 * a cache miss per record. */
#define DRAIN_HEARTBEAT_NS 10000000ull
static inline int64_t drain_time(const coll_t *c, coll_proc_t *p, uint64_t raw)
{
    int64_t t;
    if (p->hdr->clock == HQ_CLOCK_TSC)
        raw = coll_clock_tsc_ns(raw);
    t = (int64_t)(raw - c->t0);
    if (t <= p->last_ns)
        t = p->last_ns + 1;
    p->last_ns = t;
    return t;
}

/* Returns 1: the ring is stopped (the caller passes it on). */
static int drain_corrupt(coll_t *c, coll_proc_t *p, const char *what, unsigned value)
{
    p->stopped = 1;
    p->lost_events++;
    __atomic_store_n(&p->hdr->detached, 1, __ATOMIC_RELEASE);
    p->we_detached = 1;
    coll_truncate(c, "the ring of pid %d is corrupt (%s %u at offset %llu): recording of it stopped",
                  (int)p->pid, what, value, (unsigned long long)p->tail);
    return 1;
}

static int drain_vm(coll_t *c, coll_proc_t *p, const hq_rec_vm_t *r)
{
    coll_batch_t *rows = &c->batch[COLL_B_VM];
    int64_t *v;
    if (r->kind < HQ_KIND_MMAP || r->kind >= HQ_KIND_VM_END)
        return drain_corrupt(c, p, "vm kind", r->kind);
    v = coll_batch_slot(rows);
    v[0] = p->pid;
    v[1] = r->tid;
    v[2] = r->kind;
    v[3] = (int64_t)r->addr;
    v[4] = (int64_t)r->length;
    v[5] = r->prot;
    v[6] = r->mflags;
    v[7] = coll_heap_callsite(p, r->stack_id);
    v[8] = drain_time(c, p, r->ns);
    v[9] = (int64_t)r->old_addr;
    v[10] = (int64_t)r->old_length;
    v[11] = r->result;
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

static int drain_exit(coll_t *c, coll_proc_t *p, const hq_rec_exit_t *r)
{
    drain_time(c, p, r->ns);
    p->have_exit_rec = 1;
    p->exit_rec_status = r->status;
    return 0;
}

/* Minimum length of each record type (0: unknown type). */
static uint32_t drain_min_len(uint16_t type)
{
    switch (type) {
    case HQ_REC_ALLOC:
    case HQ_REC_ALLOC_FAIL: return sizeof(hq_rec_alloc_t);
    case HQ_REC_FREE:
    case HQ_REC_REALLOC_FAIL: return sizeof(hq_rec_free_t);
    case HQ_REC_STACK: return sizeof(hq_rec_stack_t);
    case HQ_REC_VM: return sizeof(hq_rec_vm_t);
    case HQ_REC_MODULE: return sizeof(hq_rec_module_t);
    case HQ_REC_MODULE_UNLOAD: return sizeof(hq_rec_unload_t);
    case HQ_REC_THREAD: return sizeof(hq_rec_thread_t);
    case HQ_REC_EXIT: return sizeof(hq_rec_exit_t);
    default: return 0;
    }
}

/* 0 ok, 1 the ring is stopped, -1 fatal. */
static int drain_dispatch(coll_t *c, coll_proc_t *p, const hq_rec_t *r, uint32_t len)
{
    uint32_t min = drain_min_len(r->type);
    if (!min)
        return drain_corrupt(c, p, "record type", r->type);
    if (len < min)
        return drain_corrupt(c, p, "record length", len);
    switch (r->type) {
    case HQ_REC_ALLOC: {
        const hq_rec_alloc_t *a = (const hq_rec_alloc_t *)r;
        if (a->kind >= HQ_KIND_ALLOC_COUNT)
            return drain_corrupt(c, p, "allocation kind", a->kind);
        return coll_heap_alloc(c, p, a, drain_time(c, p, a->ns));
    }
    case HQ_REC_FREE: {
        const hq_rec_free_t *f = (const hq_rec_free_t *)r;
        if (f->kind < HQ_KIND_FREE || f->kind >= HQ_KIND_FREE_END)
            return drain_corrupt(c, p, "free kind", f->kind);
        return coll_heap_free(c, p, f, drain_time(c, p, f->ns));
    }
    case HQ_REC_ALLOC_FAIL: {
        const hq_rec_alloc_t *a = (const hq_rec_alloc_t *)r;
        if (a->kind >= HQ_KIND_ALLOC_COUNT)
            return drain_corrupt(c, p, "allocation kind", a->kind);
        drain_time(c, p, a->ns);
        return coll_heap_alloc_fail(c, p, a);
    }
    case HQ_REC_REALLOC_FAIL: {
        const hq_rec_free_t *f = (const hq_rec_free_t *)r;
        return coll_heap_realloc_fail(c, p, f, drain_time(c, p, f->ns));
    }
    case HQ_REC_STACK: {
        const hq_rec_stack_t *s = (const hq_rec_stack_t *)r;
        if (len < min + (uint32_t)s->depth * 8u)
            return drain_corrupt(c, p, "stack length", len);
        if (s->stack_id == 0 || s->stack_id >= COLL_MAX_STACK_ID)
            return drain_corrupt(c, p, "stack id", s->stack_id);
        return coll_tree_stack(c, p, s);
    }
    case HQ_REC_VM: return drain_vm(c, p, (const hq_rec_vm_t *)r);
    case HQ_REC_MODULE: {
        const hq_rec_module_t *m = (const hq_rec_module_t *)r;
        if (len < min + m->nseg * sizeof(hq_seg_t) + m->build_id_len + m->path_len)
            return drain_corrupt(c, p, "module length", len);
        return coll_tree_module(c, p, m, drain_time(c, p, m->ns));
    }
    case HQ_REC_MODULE_UNLOAD: {
        const hq_rec_unload_t *u = (const hq_rec_unload_t *)r;
        return coll_tree_unload(c, p, u, drain_time(c, p, u->ns));
    }
    case HQ_REC_THREAD: {
        const hq_rec_thread_t *t = (const hq_rec_thread_t *)r;
        return coll_thread_record(c, p, t, drain_time(c, p, t->ns));
    }
    default: return drain_exit(c, p, (const hq_rec_exit_t *)r);
    }
}

/* Zero [from, to) of the ring (hq_ring_consume takes 32-bit lengths). */
static void drain_zero(hq_ring_hdr_t *hdr, uint64_t from, uint64_t to)
{
    while (from < to) {
        uint64_t n = to - from > DRAIN_ZERO_CHUNK ? DRAIN_ZERO_CHUNK : to - from;
        from = hq_ring_consume(hdr, from, (uint32_t)n);
    }
}

static void drain_release(coll_proc_t *p, uint64_t from, uint64_t to)
{
    drain_zero(p->hdr, from, to);
    hq_ring_publish(p->hdr, to);
    p->tail = to;
}

/* If a sealed record is at *pos: prefetch the live-block slot it will
 * touch, step *pos past it and return 1.  It reads the ring in place and
 * trusts nothing it reads: a wrong guess only loads a useless line. */
static int drain_peek(coll_proc_t *p, uint64_t *pos)
{
    const uint8_t *d = hq_ring_data(p->hdr);
    uint64_t mask = p->capacity - 1;
    const hq_rec_t *r = (const hq_rec_t *)(d + (*pos & mask));
    size_t off = 0;
    uint32_t len;
    if (__atomic_load_n(&r->seal, __ATOMIC_ACQUIRE) != HQ_SEAL(*pos))
        return 0;
    len = r->len;
    if (len < sizeof(hq_rec_t) || (len & 7u))
        return 0;
    if (r->type == HQ_REC_ALLOC && len >= sizeof(hq_rec_alloc_t))
        off = offsetof(hq_rec_alloc_t, ptr);
    else if (r->type == HQ_REC_FREE && len >= sizeof(hq_rec_free_t))
        off = offsetof(hq_rec_free_t, ptr);
    if (off) /* 8-aligned: never split by the end of the ring */
        coll_blocks_prefetch(&p->blocks, *(const uint64_t *)(d + ((*pos + off) & mask)));
    *pos += len;
    return 1;
}

long coll_drain_ring(coll_t *c, coll_proc_t *p, long max)
{
    uint64_t start = p->tail, ahead = p->tail; /* [tail, ahead): peeked at */
    long n = 0;
    int rc = 0, peeked = 0;
    if (p->stopped || !p->hdr)
        return 0;
    if (p->hdr->capacity != p->capacity) {
        drain_corrupt(c, p, "capacity changed to", (unsigned)p->hdr->capacity);
        return 0;
    }
    while (n < max) {
        while (peeked < DRAIN_AHEAD && drain_peek(p, &ahead))
            peeked++;
        int len = hq_ring_read(p->hdr, p->tail, c->recbuf, HQ_REC_MAX);
        if (len == 0)
            break;
        if (len < 0) {
            drain_corrupt(c, p, "record length", 0);
            break;
        }
        rc = drain_dispatch(c, p, (const hq_rec_t *)c->recbuf, (uint32_t)len);
        if (rc < 0)
            break;
        p->tail += (uint32_t)len;
        n++;
        if (peeked > 0 && ahead >= p->tail) {
            peeked--;
        } else {
            ahead = p->tail;
            peeked = 0;
        }
        if (rc > 0)
            break;
    }
    if (p->tail != start)
        drain_release(p, start, p->tail);
    if (c->now - p->heartbeat >= DRAIN_HEARTBEAT_NS) {
        __atomic_store_n(&p->hdr->heartbeat_ns, c->now, __ATOMIC_RELAXED);
        p->heartbeat = c->now;
    }
    return rc < 0 ? -1 : n;
}

int coll_drain_pending(coll_proc_t *p)
{
    if (!p->hdr || p->stopped)
        return 0;
    return __atomic_load_n(&p->hdr->head, __ATOMIC_ACQUIRE) != p->tail;
}

/* Could a sealed record start at pos?  Used to step over a dead writer's
 * unsealed reservation. */
static int drain_looks_sealed(hq_ring_hdr_t *hdr, uint64_t pos, uint64_t head)
{
    const hq_rec_t *r = (const hq_rec_t *)(hq_ring_data(hdr) + (pos & (hdr->capacity - 1)));
    uint32_t seal = __atomic_load_n(&r->seal, __ATOMIC_ACQUIRE);
    return seal != 0 && seal == HQ_SEAL(pos) && drain_min_len(r->type) && r->len >= 8 &&
           (r->len & 7) == 0 && pos + r->len <= head;
}

/* The record at the tail of a dead image was reserved and never sealed:
 * skip to the next sealed record (or the head), counting one lost event. */
int coll_drain_skip(coll_t *c, coll_proc_t *p)
{
    uint64_t head = __atomic_load_n(&p->hdr->head, __ATOMIC_ACQUIRE);
    uint64_t limit = head - p->tail > p->hdr->capacity ? p->tail + p->hdr->capacity : head;
    uint64_t pos = p->tail + 8;
    while (pos < limit && !drain_looks_sealed(p->hdr, pos, head))
        pos += 8;
    uint64_t next = pos < limit ? pos : head;
    coll_truncate(c, "pid %d ended while writing a record: %llu bytes of its ring were lost",
                  (int)p->pid, (unsigned long long)(next - p->tail));
    drain_zero(p->hdr, p->tail, pos < limit ? pos : limit);
    hq_ring_publish(p->hdr, next);
    p->tail = next;
    p->lost_events++;
    return 0;
}

int coll_drain_all(coll_t *c)
{
    long total = 0;
    size_t n = c->nprocs;
    c->now = hq_now_ns();
    coll_clock_pass();
    for (size_t k = 0; k < n; k++) {
        coll_proc_t *p = c->procs[(c->rr + k) % n];
        if (p->state == COLL_PROC_DONE || p->stopped)
            continue;
        long got = coll_drain_ring(c, p, COLL_DRAIN_MAX);
        if (got < 0)
            return -1;
        total += got;
    }
    c->rr++;
    return total > INT32_MAX ? INT32_MAX : (int)total;
}
