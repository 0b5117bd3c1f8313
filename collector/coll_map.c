/* coll_map.c -- see coll_map.h. */
#include "coll_map.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define KMAP_EMPTY UINT64_MAX
#define MAP_HUGE_BYTES (2u << 20)

/* Zeroed slots; tables of 2 MiB and more in transparent huge pages: the
 * live blocks of a big heap take hundreds of MiB probed at random, where
 * with 4 KiB pages nearly every probe also misses the TLB (a replay of a
 * CPython recording's 19M allocations and frees: about 100 ns per insert or
 * take, 60 with huge pages). */
static void *map_alloc(size_t bytes)
{
    size_t len = bytes + MAP_HUGE_BYTES;
    char *p, *q;
    if (bytes < MAP_HUGE_BYTES)
        return calloc(1, bytes);
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    q = (char *)(((uintptr_t)p + MAP_HUGE_BYTES - 1) & ~(uintptr_t)(MAP_HUGE_BYTES - 1));
    if (q > p)
        munmap(p, (size_t)(q - p));
    if (p + len > q + bytes)
        munmap(q + bytes, (size_t)(p + len - (q + bytes)));
    madvise(q, bytes, MADV_HUGEPAGE); /* a kernel without them: plain pages */
    return q;
}

static void map_release(void *slots, size_t bytes)
{
    if (slots && bytes < MAP_HUGE_BYTES)
        free(slots);
    else if (slots)
        munmap(slots, bytes);
}

int coll_blocks_init(coll_blocks_t *m, size_t capacity_pow2)
{
    m->slots = map_alloc(capacity_pow2 * sizeof *m->slots);
    m->mask = capacity_pow2 - 1;
    m->count = 0;
    return m->slots ? 0 : -1;
}

void coll_blocks_free(coll_blocks_t *m)
{
    if (m->slots)
        map_release(m->slots, (m->mask + 1) * sizeof *m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

static int blocks_grow(coll_blocks_t *m)
{
    coll_blocks_t bigger;
    if (coll_blocks_init(&bigger, (m->mask + 1) * 2) != 0)
        return -1;
    for (size_t i = 0; i <= m->mask; i++) {
        coll_block_t *b = &m->slots[i];
        if (!b->ptr)
            continue;
        size_t j = coll_block_hash(b->ptr) & bigger.mask;
        while (bigger.slots[j].ptr)
            j = (j + 1) & bigger.mask;
        bigger.slots[j] = *b;
    }
    bigger.count = m->count;
    map_release(m->slots, (m->mask + 1) * sizeof *m->slots);
    *m = bigger;
    return 0;
}

coll_block_t *coll_blocks_insert(coll_blocks_t *m, uint64_t ptr, int *existed)
{
    if ((m->count + 1) * 2 > m->mask + 1 && blocks_grow(m) != 0)
        return NULL;
    size_t i = coll_block_hash(ptr) & m->mask;
    while (m->slots[i].ptr) {
        if (m->slots[i].ptr == ptr) {
            *existed = 1;
            return &m->slots[i];
        }
        i = (i + 1) & m->mask;
    }
    *existed = 0;
    memset(&m->slots[i], 0, sizeof m->slots[i]);
    m->slots[i].ptr = ptr;
    m->count++;
    return &m->slots[i];
}

/* Backward-shift deletion: move later members of the probe run into the
 * hole when their home position allows it. */
static void blocks_remove_at(coll_blocks_t *m, size_t hole)
{
    size_t i = hole;
    for (;;) {
        i = (i + 1) & m->mask;
        if (!m->slots[i].ptr)
            break;
        size_t home = coll_block_hash(m->slots[i].ptr) & m->mask;
        if (((i - home) & m->mask) >= ((i - hole) & m->mask)) {
            m->slots[hole] = m->slots[i];
            hole = i;
        }
    }
    m->slots[hole].ptr = 0;
    m->count--;
}

coll_block_t *coll_blocks_find(coll_blocks_t *m, uint64_t ptr)
{
    size_t i = coll_block_hash(ptr) & m->mask;
    while (m->slots[i].ptr) {
        if (m->slots[i].ptr == ptr)
            return &m->slots[i];
        i = (i + 1) & m->mask;
    }
    return NULL;
}

int coll_blocks_take(coll_blocks_t *m, uint64_t ptr, coll_block_t *out)
{
    size_t i = coll_block_hash(ptr) & m->mask;
    while (m->slots[i].ptr) {
        if (m->slots[i].ptr == ptr) {
            *out = m->slots[i];
            blocks_remove_at(m, i);
            return 1;
        }
        i = (i + 1) & m->mask;
    }
    return 0;
}

/* ---- coll_kmap ---------------------------------------------------------- */

static inline size_t kmap_hash(uint64_t a, uint64_t b)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) * 0xc2b2ae3d27d4eb4full;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    return (size_t)(h ^ (h >> 29));
}

static inline int kmap_empty(const coll_kentry_t *e)
{
    return e->a == KMAP_EMPTY && e->b == KMAP_EMPTY;
}

int coll_kmap_init(coll_kmap_t *m, size_t capacity_pow2)
{
    m->slots = malloc(capacity_pow2 * sizeof *m->slots);
    m->mask = capacity_pow2 - 1;
    m->count = 0;
    if (!m->slots)
        return -1;
    for (size_t i = 0; i < capacity_pow2; i++)
        m->slots[i].a = m->slots[i].b = KMAP_EMPTY;
    return 0;
}

void coll_kmap_free(coll_kmap_t *m)
{
    free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}

static int kmap_grow(coll_kmap_t *m)
{
    coll_kmap_t bigger;
    if (coll_kmap_init(&bigger, (m->mask + 1) * 2) != 0)
        return -1;
    for (size_t i = 0; i <= m->mask; i++) {
        coll_kentry_t *e = &m->slots[i];
        if (kmap_empty(e))
            continue;
        size_t j = kmap_hash(e->a, e->b) & bigger.mask;
        while (!kmap_empty(&bigger.slots[j]))
            j = (j + 1) & bigger.mask;
        bigger.slots[j] = *e;
    }
    bigger.count = m->count;
    free(m->slots);
    *m = bigger;
    return 0;
}

uint64_t *coll_kmap_find(const coll_kmap_t *m, uint64_t a, uint64_t b)
{
    size_t i = kmap_hash(a, b) & m->mask;
    while (!kmap_empty(&m->slots[i])) {
        if (m->slots[i].a == a && m->slots[i].b == b)
            return &m->slots[i].value;
        i = (i + 1) & m->mask;
    }
    return NULL;
}

int coll_kmap_put(coll_kmap_t *m, uint64_t a, uint64_t b, uint64_t value)
{
    uint64_t *v = coll_kmap_find(m, a, b);
    if (v) {
        *v = value;
        return 0;
    }
    if ((m->count + 1) * 2 > m->mask + 1 && kmap_grow(m) != 0)
        return -1;
    size_t i = kmap_hash(a, b) & m->mask;
    while (!kmap_empty(&m->slots[i]))
        i = (i + 1) & m->mask;
    m->slots[i] = (coll_kentry_t){a, b, value};
    m->count++;
    return 0;
}

int coll_kmap_del(coll_kmap_t *m, uint64_t a, uint64_t b)
{
    size_t hole = kmap_hash(a, b) & m->mask;
    while (!kmap_empty(&m->slots[hole]) && !(m->slots[hole].a == a && m->slots[hole].b == b))
        hole = (hole + 1) & m->mask;
    if (kmap_empty(&m->slots[hole]))
        return 0;
    for (size_t i = hole;;) {
        i = (i + 1) & m->mask;
        if (kmap_empty(&m->slots[i]))
            break;
        size_t home = kmap_hash(m->slots[i].a, m->slots[i].b) & m->mask;
        if (((i - home) & m->mask) >= ((i - hole) & m->mask)) {
            m->slots[hole] = m->slots[i];
            hole = i;
        }
    }
    m->slots[hole].a = m->slots[hole].b = KMAP_EMPTY;
    m->count--;
    return 1;
}
