/*
 * test_ring.c -- the shared ring on its own: 8 writer threads against one
 * reader through a small ring (so it wraps thousands of times and writers
 * wait), records of varying length; every record arrives exactly once, each
 * writer's records in its own order, none corrupted.  Then a detached ring
 * refuses writes, and a corrupt length is reported.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hq_ring.h"
#include "testhelper.h"

#define WRITERS 8
#define PER_WRITER 200000
#define CAPACITY (64u * 1024u)

typedef struct test_rec_s {
    hq_rec_t h;
    uint32_t writer;
    uint32_t seq;
    uint64_t payload[6]; /* first n words carry a checksum pattern */
} test_rec_t;

static hq_ring_hdr_t *ring;

static void *writer(void *arg)
{
    uint32_t w = (uint32_t)(uintptr_t)arg;
    test_rec_t r;
    for (uint32_t i = 0; i < PER_WRITER; i++) {
        uint32_t words = i % 7; /* 0..6 payload words: lengths 16..64 */
        memset(&r, 0, sizeof r);
        r.h.type = 1;
        r.h.len = (uint16_t)(16 + 8 * words);
        r.writer = w;
        r.seq = i;
        for (uint32_t k = 0; k < words; k++)
            r.payload[k] = ((uint64_t)w << 32 | i) ^ (0x9e3779b97f4a7c15ull * (k + 1));
        if (hq_ring_put(ring, &r.h) != 0)
            abort();
    }
    return NULL;
}

static int check_record(const test_rec_t *r, uint32_t *next)
{
    uint32_t words = (r->h.len - 16) / 8;
    if (r->h.type != 1 || r->writer >= WRITERS || r->seq != next[r->writer])
        return 0;
    if (words != r->seq % 7)
        return 0;
    for (uint32_t k = 0; k < words; k++)
        if (r->payload[k] != (((uint64_t)r->writer << 32 | r->seq) ^ (0x9e3779b97f4a7c15ull * (k + 1))))
            return 0;
    next[r->writer]++;
    return 1;
}

static void test_many_writers(void)
{
    pthread_t t[WRITERS];
    uint32_t next[WRITERS] = {0};
    uint64_t tail = 0, got = 0, bad = 0;
    static uint8_t buf[HQ_REC_MAX];

    ring = aligned_alloc(4096, HQ_RING_HDR_SIZE + CAPACITY);
    memset(ring, 0, HQ_RING_HDR_SIZE + CAPACITY);
    hq_ring_init(ring, CAPACITY, getpid());
    CHECK_EQ(hq_ring_validate(ring, HQ_RING_HDR_SIZE + CAPACITY), 0);
    CHECK_EQ(hq_ring_validate(ring, HQ_RING_HDR_SIZE + CAPACITY / 2), -1);
    for (uintptr_t i = 0; i < WRITERS; i++)
        pthread_create(&t[i], NULL, writer, (void *)i);
    while (got < (uint64_t)WRITERS * PER_WRITER) {
        int n = hq_ring_read(ring, tail, buf, sizeof buf);
        if (n < 0)
            break;
        if (n == 0) {
            hq_ring_publish(ring, tail);
            continue;
        }
        bad += !check_record((const test_rec_t *)buf, next);
        tail = hq_ring_consume(ring, tail, (uint32_t)n);
        got++;
        if ((got & 63) == 0)
            hq_ring_publish(ring, tail);
    }
    hq_ring_publish(ring, tail);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(got, (uint64_t)WRITERS * PER_WRITER);
    CHECK_EQ(bad, 0);
    CHECK_EQ(__atomic_load_n(&ring->head, __ATOMIC_RELAXED), tail);
    CHECK(__atomic_load_n(&ring->waits, __ATOMIC_RELAXED) > 0); /* the small ring filled */
    CHECK_EQ(hq_ring_read(ring, tail, buf, sizeof buf), 0);     /* nothing more */
}

static void test_detached_and_corrupt(void)
{
    test_rec_t r;
    uint8_t buf[HQ_REC_MAX];
    memset(&r, 0, sizeof r);
    r.h.type = 1;
    r.h.len = 16;
    __atomic_store_n(&ring->detached, 1, __ATOMIC_RELEASE);
    CHECK_EQ(hq_ring_put(ring, &r.h), -1);
    __atomic_store_n(&ring->detached, 0, __ATOMIC_RELEASE);

    uint64_t tail = __atomic_load_n(&ring->tail, __ATOMIC_RELAXED);
    CHECK_EQ(hq_ring_put(ring, &r.h), 0);
    CHECK_EQ(hq_ring_read(ring, tail, buf, sizeof buf), 16);
    /* A sealed record with an impossible length is corruption, not data. */
    hq_rec_t *raw = (hq_rec_t *)(hq_ring_data(ring) + (tail & (CAPACITY - 1)));
    raw->len = 12;
    CHECK_EQ(hq_ring_read(ring, tail, buf, sizeof buf), -1);
    free(ring);
}

int main(void)
{
    test_many_writers();
    test_detached_and_corrupt();
    return th_done("test_ring");
}
