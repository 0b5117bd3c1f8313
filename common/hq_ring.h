/*
 * hq_ring.h -- the shared-memory ring: many writers (the target's threads),
 * one reader (the collector).  No locks.
 *
 * Writer protocol (hq_ring_reserve / hq_ring_write / hq_ring_commit):
 *   1. pos = fetch_add(head, len): the record's place in the total order of
 *      this process's events.  A free reserves BEFORE the real free runs, an
 *      allocation AFTER the real call returns, so address reuse between
 *      threads is always seen in the right order.
 *   2. wait until pos + len - tail <= capacity (the collector made room).
 *      A ring that stays full makes the writer wait, never drop; each wait
 *      is counted in hdr->waits.  If the collector is gone the writer sets
 *      hdr->detached and the reservation fails: the shim stops recording.
 *   3. copy the record (wrapping at the end of the data area), then store
 *      seal = HQ_SEAL(pos) with release order.
 *
 * Reader protocol (hq_ring_read / hq_ring_release): the record at tail is
 * ready when its seal matches.  The reader copies it out, ZEROES the bytes
 * in the ring (so stale bytes of an earlier lap can never look sealed) and
 * only then advances tail with release order.
 *
 * Nothing here allocates, locks or calls into libc beyond memcpy/memset and
 * raw system calls: it runs inside malloc hooks.
 */
#ifndef HQ_RING_H
#define HQ_RING_H

#include <stddef.h>
#include <stdint.h>

#include "hq_proto.h"

/* Data area of a mapped ring. */
static inline uint8_t *hq_ring_data(hq_ring_hdr_t *hdr)
{
    return (uint8_t *)hdr + HQ_RING_HDR_SIZE;
}

/* Fill a fresh header.  capacity must be a power of two >= 64 KiB. */
void hq_ring_init(hq_ring_hdr_t *hdr, uint64_t capacity, int32_t pid);

/* Check a header received from another process against the size of its
 * mapping.  Returns 0 if usable, -1 if not. */
int hq_ring_validate(const hq_ring_hdr_t *hdr, uint64_t map_bytes);

/* Reserve len bytes (a multiple of 8, <= HQ_REC_MAX) and wait for room.
 * Returns 0 and sets *pos, or -1 when the ring is detached (nothing may be
 * written).  Preserves errno. */
int hq_ring_reserve(hq_ring_hdr_t *hdr, uint32_t len, uint64_t *pos);

/* The waiting half of a reservation whose room is not there yet: 0 when
 * it is, -1 once detached.  Preserves errno. */
int hq_ring_wait_room(hq_ring_hdr_t *hdr, uint64_t pos, uint32_t len);

/* hq_ring_reserve with its usual case inline: the room is there. */
static inline int hq_ring_reserve_fast(hq_ring_hdr_t *hdr, uint32_t len, uint64_t *pos)
{
    uint64_t p;
    if (__atomic_load_n(&hdr->detached, __ATOMIC_RELAXED))
        return -1;
    *pos = p = __atomic_fetch_add(&hdr->head, len, __ATOMIC_RELAXED);
    if (__builtin_expect(p + len - __atomic_load_n(&hdr->tail, __ATOMIC_ACQUIRE) <= hdr->capacity, 1))
        return 0;
    return hq_ring_wait_room(hdr, p, len);
}

/* Copy n bytes to ring position pos + off, wrapping at the end. */
void hq_ring_write(hq_ring_hdr_t *hdr, uint64_t pos, uint32_t off, const void *src, uint32_t n);

/* Seal the record at pos: type and len are written, then the seal. */
void hq_ring_commit(hq_ring_hdr_t *hdr, uint64_t pos, uint16_t type, uint16_t len);

/* Copy a whole record (its header's seal word skipped) to its reserved
 * place and seal it: hq_ring_write + hq_ring_commit, inline.  With a
 * constant len the copy is a few moves. */
static inline void hq_ring_fill(hq_ring_hdr_t *hdr, uint64_t pos, const hq_rec_t *rec, uint32_t len)
{
    uint8_t *data = (uint8_t *)hdr + HQ_RING_HDR_SIZE;
    uint64_t at = pos & (hdr->capacity - 1);
    hq_rec_t *dst = (hq_rec_t *)(data + at);
    if (__builtin_expect(at + len <= hdr->capacity, 1)) {
        __builtin_memcpy((uint8_t *)dst + sizeof(uint32_t), (const uint8_t *)rec + sizeof(uint32_t),
                         len - sizeof(uint32_t));
        __atomic_store_n(&dst->seal, HQ_SEAL(pos), __ATOMIC_RELEASE);
        return;
    }
    hq_ring_write(hdr, pos, sizeof(uint32_t), (const uint8_t *)rec + sizeof(uint32_t),
                  len - (uint32_t)sizeof(uint32_t));
    hq_ring_commit(hdr, pos, rec->type, (uint16_t)len);
}

/* Reserve, copy and commit a whole record held in rec (its header's type
 * and len filled in).  Returns 0, or -1 when detached. */
int hq_ring_put(hq_ring_hdr_t *hdr, const hq_rec_t *rec);

/* Reader: if the record at *tail is sealed, copy it into buf (cap bytes,
 * >= HQ_REC_MAX) and return its length; 0 when nothing is ready; -1 when
 * the ring is corrupt (bad length).  Does not advance. */
int hq_ring_read(hq_ring_hdr_t *hdr, uint64_t tail, void *buf, size_t cap);

/* Reader: zero the consumed record at tail and return the new tail.
 * The caller publishes tails with hq_ring_publish (batched). */
uint64_t hq_ring_consume(hq_ring_hdr_t *hdr, uint64_t tail, uint32_t len);
void hq_ring_publish(hq_ring_hdr_t *hdr, uint64_t tail);

/* CLOCK_MONOTONIC in nanoseconds (vDSO, no allocation). */
uint64_t hq_now_ns(void);

/* The time stamp counter (0 where there is none): HQ_CLOCK_TSC stamps. */
static inline uint64_t hq_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}

#endif
