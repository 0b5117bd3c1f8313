/*
 * coll_map.h -- the collector's hash maps.  Both use open addressing with
 * linear probing, backward-shift deletion (no tombstones) and grow at half
 * load, so a lookup touches one or two cache lines.
 *
 *   coll_blocks  the live heap blocks of one process image, keyed by address.
 *                The hot path: one insert and one removal per allocation.
 *   coll_kmap    (a, b) -> value for the rest: frames, callsites, threads,
 *                callsite slots.  The key (UINT64_MAX, UINT64_MAX) is reserved.
 */
#ifndef COLL_MAP_H
#define COLL_MAP_H

#include <stddef.h>
#include <stdint.h>

/* One live block.  ptr 0 marks an empty slot (no allocation returns 0). */
typedef struct coll_block_s {
    uint64_t ptr;
    uint64_t size;
    uint64_t usable;
    int64_t alloc_ns;  /* strictly increasing in its image: with ptr, the block's identity */
    uint32_t tid;
    uint32_t slot;     /* callsite slot in the process image (coll_slot_t) */
    uint16_t kind;
    uint16_t flags;    /* COLL_BLOCK_* */
} coll_block_t;

/* Its thread ended with this block as its last allocation: freeing it is
 * freeing before the thread allocated anything else. */
#define COLL_BLOCK_LAST_OF_THREAD 1u

typedef struct coll_blocks_s {
    coll_block_t *slots;
    size_t mask;       /* capacity - 1 */
    size_t count;
} coll_blocks_t;

static inline size_t coll_block_hash(uint64_t ptr)
{
    uint64_t h = (ptr >> 4) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h ^ (h >> 29));
}

/* Start loading the slot where ptr's block is or will be: the drain calls
 * this a few records ahead, so the insert or take finds it in the cache
 * (the table is far larger than the caches; every probe would miss). */
static inline void coll_map_prefetch(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    /* GCC 12's dead-code pass drops a __builtin_prefetch whose address is
     * loaded from memory read nowhere else (the ring, in coll_drain.c) */
    __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p);
#endif
}

static inline void coll_blocks_prefetch(const coll_blocks_t *m, uint64_t ptr)
{
    if (m->slots) {
        const coll_block_t *b = &m->slots[coll_block_hash(ptr) & m->mask];
        coll_map_prefetch(b);
        coll_map_prefetch((const char *)(b + 1) - 1);
    }
}

/* 0 ok, -1 out of memory. */
int coll_blocks_init(coll_blocks_t *m, size_t capacity_pow2);
void coll_blocks_free(coll_blocks_t *m);

/* The slot of ptr (ptr != 0): the block already there (*existed = 1), or a
 * fresh slot with ptr set and the rest zero (*existed = 0).  NULL when out
 * of memory.  The pointer is valid until the next insert or take. */
coll_block_t *coll_blocks_insert(coll_blocks_t *m, uint64_t ptr, int *existed);

/* The live block at ptr, or NULL. */
coll_block_t *coll_blocks_find(coll_blocks_t *m, uint64_t ptr);

/* Remove ptr and copy its block to *out.  1 found, 0 not live. */
int coll_blocks_take(coll_blocks_t *m, uint64_t ptr, coll_block_t *out);

typedef struct coll_kentry_s {
    uint64_t a, b;
    uint64_t value;
} coll_kentry_t;

typedef struct coll_kmap_s {
    coll_kentry_t *slots;
    size_t mask;
    size_t count;
} coll_kmap_t;

int coll_kmap_init(coll_kmap_t *m, size_t capacity_pow2);
void coll_kmap_free(coll_kmap_t *m);
/* Pointer to the value of (a, b), or NULL. */
uint64_t *coll_kmap_find(const coll_kmap_t *m, uint64_t a, uint64_t b);
/* Insert or overwrite.  0 ok, -1 out of memory. */
int coll_kmap_put(coll_kmap_t *m, uint64_t a, uint64_t b, uint64_t value);
/* 1 removed, 0 absent. */
int coll_kmap_del(coll_kmap_t *m, uint64_t a, uint64_t b);

#endif
