/*
 * test_coll_lost.c -- rings that are not what they should be:
 *   1. a record reserved and never sealed (the writer was killed): after
 *      the grace period it is counted lost, the run is truncated, and the
 *      records after it are still read;
 *   2. a record of an unknown type: the ring is read no further, the shim
 *      is told to stop (detached), the run is truncated, nothing crashes;
 *   3. a ring whose life crosses 32 GiB (where (pos >> 3) wraps in 32 bits);
 *   4. a ring header whose capacity changes after the handshake.
 */
#include "test_coll_fake.h"
#include "testhelper.h"

static void test_unsealed(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256];
    uint64_t pos;
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0)
        return;
    coll_set_root(e.c, getpid(), 1, err, sizeof err);
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    uint64_t t = hq_now_ns();
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x1000, 10, t);
    CHECK_EQ(hq_ring_reserve(f.hdr, sizeof(hq_rec_alloc_t), &pos), 0); /* never sealed */
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x2000, 20, t + 2);
    ft_free(&f, 1, 0x1000, t + 3);
    ft_settle(e.c);
    uint64_t ended = hq_now_ns();
    coll_root_ended(e.c, 0);
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    CHECK(hq_now_ns() - ended >= 90000000ull); /* the grace period was waited for */
    coll_close(e.c);
    CHECK_EQ(s.truncated, 1);
    CHECK(strstr(s.truncated_reason, "while writing a record") != NULL);
    CHECK(!strcmp(ft_qs(e.db, "SELECT value FROM meta WHERE key = 'status'"), "truncated"));
    CHECK(strstr(ft_qs(e.db, "SELECT value FROM meta WHERE key = 'truncated_reason'"), "lost"));
    CHECK_EQ(ft_q(e.db, "SELECT value FROM meta WHERE key = 'events_lost'"), 1);
    CHECK_EQ(ft_q(e.db, "SELECT lost_events FROM processes"), 1);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations"), 2);
    CHECK_EQ(ft_q(e.db, "SELECT free_ns IS NOT NULL FROM allocations WHERE ptr = 0x1000"), 1);
    CHECK_EQ(ft_q(e.db, "SELECT free_ns IS NULL FROM allocations WHERE ptr = 0x2000"), 1);
    CHECK(!strcmp(ft_qs(e.db, "SELECT end_reason FROM processes"), "exit"));
    ft_ring_free(&f);
    ft_env_clean(&e);
}

/* A sealed record of type 77 between two good ones. */
static void put_unknown(ft_t *f)
{
    uint64_t pos;
    uint64_t body[4] = {1, 2, 3, 4};
    hq_ring_reserve(f->hdr, 8 + sizeof body, &pos);
    hq_ring_write(f->hdr, pos, 8, body, sizeof body);
    hq_ring_commit(f->hdr, pos, 77, 8 + sizeof body);
}

static void test_corrupt(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256];
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0)
        return;
    coll_set_root(e.c, getpid(), 1, err, sizeof err);
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    uint64_t t = hq_now_ns();
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x1000, 10, t);
    put_unknown(&f);
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x2000, 20, t + 2);
    ft_settle(e.c);
    CHECK_EQ(f.hdr->detached, 1);
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x3000, 30, t + 3); /* refused: detached */
    coll_root_ended(e.c, 0);
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    coll_close(e.c);
    CHECK_EQ(s.truncated, 1);
    CHECK(strstr(s.truncated_reason, "corrupt") != NULL);
    CHECK(strstr(s.truncated_reason, "record type 77") != NULL);
    CHECK(!strcmp(ft_qs(e.db, "SELECT value FROM meta WHERE key = 'status'"), "truncated"));
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations"), 1);
    CHECK_EQ(ft_q(e.db, "SELECT lost_events FROM processes"), 1);
    ft_ring_free(&f);
    ft_env_clean(&e);
}

/* Head and tail start just before 32 GiB: at 2^35 - 8 (the 46th record:
 * 15 rounds of alloc+alloc+free, 144 bytes each) (pos >> 3) wraps in 32
 * bits; a seal computed naively would be 0 there and the collector, which
 * looks at that place before it is written, would take zeroed memory for a
 * sealed record. */
static void test_seal_zero(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256];
    const uint64_t start = (1ull << 35) - 8 - 15 * (2 * sizeof(hq_rec_alloc_t) + sizeof(hq_rec_free_t));
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0)
        return;
    f.hdr->head = f.hdr->tail = start;
    coll_set_root(e.c, getpid(), 1, err, sizeof err);
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    CHECK(HQ_SEAL((1ull << 35) - 8) != 0); /* the seal is never 0 */
    uint64_t t = hq_now_ns();
    for (int i = 0; i < 200; i++) {
        ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x1000 + 16 * (uint64_t)i, 8, t + 2 * (uint64_t)i);
        if (i % 2)
            ft_free(&f, 1, 0x1000 + 16 * (uint64_t)i, t + 2 * (uint64_t)i + 1);
        coll_step(e.c, 0, err, sizeof err); /* read up to where the writer is */
    }
    ft_settle(e.c);
    CHECK(f.hdr->tail > (1ull << 35));
    coll_root_ended(e.c, 0);
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    coll_close(e.c);
    CHECK_EQ(s.truncated, 0);
    CHECK_EQ(s.alloc_calls, 200);
    CHECK_EQ(s.free_calls, 100);
    CHECK(!strcmp(ft_qs(e.db, "SELECT value FROM meta WHERE key = 'status'"), "complete"));
    ft_ring_free(&f);
    ft_env_clean(&e);
}

/* A header whose capacity changes after the handshake is not trusted. */
static void test_capacity(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256];
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0)
        return;
    coll_set_root(e.c, getpid(), 1, err, sizeof err);
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x1000, 10, hq_now_ns());
    ft_settle(e.c);
    f.hdr->capacity = 1 << 30;
    ft_settle(e.c);
    CHECK_EQ(f.hdr->detached, 1);
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    coll_close(e.c);
    CHECK(strstr(s.truncated_reason, "capacity") != NULL);
    CHECK_EQ(s.alloc_calls, 1);
    f.hdr->capacity = 1 << 16;
    ft_ring_free(&f);
    ft_env_clean(&e);
}

int main(void)
{
    test_capacity();
    test_unsealed();
    test_corrupt();
    test_seal_zero();
    return th_done("test_coll_lost");
}
