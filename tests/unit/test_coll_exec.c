/*
 * test_coll_exec.c -- a second hello from a live pid is an exec: the old
 * image is drained completely (records written after the last coll_step
 * included), ends with end_reason 'exec', and its live blocks become rows
 * with free_ns NULL; the new image starts after it ended.  A free in the
 * new image of an address the old one left live is an unknown free.
 */
#include "test_coll_fake.h"
#include "testhelper.h"

static void check_db(const char *db)
{
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'status'"), "complete"));
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM processes"), 2);
    CHECK_EQ(ft_q(db, "SELECT count(DISTINCT pid) FROM processes"), 1);
    CHECK(!strcmp(ft_qs(db, "SELECT end_reason FROM processes ORDER BY id LIMIT 1"), "exec"));
    CHECK(!strcmp(ft_qs(db, "SELECT end_reason FROM processes ORDER BY id DESC LIMIT 1"), "signal"));
    CHECK_EQ(ft_q(db, "SELECT exit_signal FROM processes ORDER BY id DESC LIMIT 1"), 9);
    CHECK_EQ(ft_q(db, "SELECT exit_code FROM processes ORDER BY id LIMIT 1"), -1);
    CHECK_EQ(ft_q(db, "SELECT a.end_ns < b.start_ns FROM processes a, processes b "
                      "WHERE a.id = 1 AND b.id = 2"), 1);
    /* the old image: 3 blocks, one freed, the one written after the last step included */
    CHECK_EQ(ft_q(db, "SELECT alloc_calls FROM processes WHERE id = 1"), 3);
    CHECK_EQ(ft_q(db, "SELECT free_calls FROM processes WHERE id = 1"), 1);
    CHECK_EQ(ft_q(db, "SELECT peak_heap_bytes FROM processes WHERE id = 1"), 70);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations a JOIN processes p ON p.id = 1 "
                      "WHERE a.alloc_ns > p.start_ns AND a.alloc_ns < p.end_ns"), 3);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations a JOIN processes p ON p.id = 1 "
                      "WHERE a.alloc_ns < p.end_ns AND a.free_ns IS NULL"), 2);
    CHECK_EQ(ft_q(db, "SELECT unknown_frees FROM processes WHERE id = 2"), 1);
    CHECK_EQ(ft_q(db, "SELECT alloc_calls FROM processes WHERE id = 2"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations a JOIN processes p ON p.id = 2 "
                      "WHERE a.alloc_ns > p.start_ns AND a.ptr = 0x3000"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM leaks"), 3);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM live_at_peak"), 3);
    /* the modules of each image: the new image's frame is in its own module */
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM modules"), 2);
    CHECK_EQ(ft_q(db, "SELECT count(DISTINCT module_id) FROM frames"), 2);
}

int main(void)
{
    ft_env_t e;
    ft_t old, img;
    coll_summary_t s;
    char err[256];
    const uint64_t segs[] = {0x0, 0x1000, 0x0};
    const uint64_t pcs[] = {0x400100};
    if (ft_env_open(&e, 8) != 0 || ft_ring(&old, 1 << 16, getpid()) != 0 ||
        ft_ring(&img, 1 << 16, getpid()) != 0)
        return 1;
    CHECK_EQ(coll_set_root(e.c, getpid(), 1, err, sizeof err), 0);
    CHECK_EQ(ft_hello(&old, e.sock, e.c, getppid(), 0), 0);
    uint64_t t = hq_now_ns();
    ft_module(&old, "/bin/old", 0x400000, segs, 1, NULL, 0, 1, t);
    ft_stack(&old, 1, pcs, 1);
    ft_alloc(&old, 1, HQ_KIND_MALLOC, 1, 0x1000, 10, t + 1);
    ft_alloc(&old, 1, HQ_KIND_MALLOC, 1, 0x2000, 20, t + 2);
    ft_free(&old, 1, 0x1000, t + 3);
    ft_settle(e.c);
    ft_alloc(&old, 1, HQ_KIND_MALLOC, 1, 0x5000, 50, t + 4); /* not drained before the exec */

    CHECK_EQ(ft_hello(&img, e.sock, e.c, getppid(), 0), 0);
    CHECK_EQ(coll_connected(e.c), 2);
    CHECK_EQ(old.hdr->detached, 1);  /* the old image's ring is done with */
    t = hq_now_ns();
    ft_module(&img, "/bin/new", 0x400000, segs, 1, NULL, 0, 1, t);
    ft_stack(&img, 1, pcs, 1);
    ft_free(&img, 1, 0x2000, t + 1);                         /* left live by the old image */
    ft_alloc(&img, 1, HQ_KIND_MALLOC, 1, 0x3000, 30, t + 2);
    ft_settle(e.c);
    coll_root_ended(e.c, 9); /* killed by SIGKILL */
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    coll_close(e.c);
    CHECK_EQ(s.processes, 2);
    CHECK_EQ(s.peak_bytes, 70); /* the root image with the highest peak */
    CHECK_EQ(s.leaked_blocks, 3);
    check_db(e.db);
    ft_ring_free(&old);
    ft_ring_free(&img);
    ft_env_clean(&e);
    return th_done("test_coll_exec");
}
