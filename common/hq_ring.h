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

/* Copy n bytes to ring position pos + off, wrapping at the end. */
void hq_ring_write(hq_ring_hdr_t *hdr, uint64_t pos, uint32_t off, const void *src, uint32_t n);

/* Seal the record at pos: type and len are written, then the seal. */
void hq_ring_commit(hq_ring_hdr_t *hdr, uint64_t pos, uint16_t type, uint16_t len);

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

#endif
