/*
 * test_coll_peak.c -- the per-callsite peak from lazy epoch snapshots over a
 * sequence with four successive peaks, temporaries per thread (also for a
 * thread that ended), an address allocated again while live (a missed
 * free), realloc(p, 0), and an interrupted recording of a process still
 * running.
 */
#include "test_coll_fake.h"
#include "testhelper.h"

#define S1 1
#define S2 2

/* The heap after each event is in the comment. */
static void write_sequence(ft_t *f, uint64_t t)
{
    ft_alloc(f, 1, HQ_KIND_MALLOC, S1, 0x1, 100, t + 1);  /* a1: 100, peak */
    ft_alloc(f, 1, HQ_KIND_MALLOC, S2, 0x2, 50, t + 2);   /* a2: 150, peak */
    ft_free(f, 1, 0x1, t + 3);                            /* 50 */
    ft_alloc(f, 1, HQ_KIND_MALLOC, S1, 0x3, 30, t + 4);   /* a3: 80 */
    ft_alloc(f, 1, HQ_KIND_MALLOC, S2, 0x4, 200, t + 5);  /* a4: 280, peak */
    ft_free(f, 1, 0x3, t + 6);                            /* 250 */
    ft_alloc(f, 1, HQ_KIND_MALLOC, S1, 0x5, 10, t + 7);   /* a5: 260 */
    ft_free(f, 1, 0x2, t + 8);                            /* 210 */
    ft_alloc(f, 1, HQ_KIND_MALLOC, S2, 0x6, 60, t + 9);   /* a6: 270 */
    ft_alloc(f, 1, HQ_KIND_MALLOC, S1, 0x7, 20, t + 10);  /* a7: 290, the peak: a4 a5 a6 a7 */
    ft_free(f, 1, 0x4, t + 11);                           /* 90 */
    ft_free(f, 1, 0x7, t + 12);                           /* 70, a7 temporary */
    ft_alloc(f, 2, HQ_KIND_MALLOC, S1, 0x8, 5, t + 13);   /* x by thread 2 */
    ft_alloc(f, 3, HQ_KIND_MALLOC, S2, 0x9, 5, t + 14);   /* y by thread 3 */
    ft_free(f, 1, 0x8, t + 15);                           /* x temporary: thread 2's last */
    ft_thread(f, 4, HQ_THREAD_START, "short", t + 16);
    ft_alloc(f, 4, HQ_KIND_MALLOC, S2, 0xa, 7, t + 17);   /* z by thread 4 */
    ft_thread(f, 4, HQ_THREAD_END, "", t + 18);
    ft_free(f, 1, 0xa, t + 19);                           /* z temporary: thread 4 ended */
    ft_alloc(f, 3, HQ_KIND_MALLOC, S1, 0xb, 1, t + 20);   /* w by thread 3 */
    ft_free(f, 1, 0x9, t + 21);                           /* y not temporary */
    ft_alloc(f, 1, HQ_KIND_MALLOC, S1, 0x5, 8, t + 22);   /* a8 at a5's address: a5's free missed */
    /* realloc(p, 0) by a thread that then ends: p was freed at the realloc */
    ft_alloc(f, 5, HQ_KIND_MALLOC, S2, 0xc, 3, t + 23);
    ft_free_rec(f, HQ_REC_FREE, 5, HQ_KIND_REALLOC_FREE, 0xc, t + 24);
    ft_thread(f, 5, HQ_THREAD_END, "", t + 25);
    /* the same by a thread that lives on: still freed when the image ends */
    ft_alloc(f, 6, HQ_KIND_MALLOC, S2, 0xd, 4, t + 26);
    ft_free_rec(f, HQ_REC_FREE, 6, HQ_KIND_REALLOC_FREE, 0xd, t + 27);
}

static long long stat_of(const char *db, const char *col, int ptr)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM callsite_stats WHERE callsite_id = "
                              "(SELECT callsite_id FROM allocations WHERE ptr = %d LIMIT 1)", col, ptr);
    return ft_q(db, sql);
}

static void check_db(const char *db)
{
    CHECK_EQ(ft_q(db, "SELECT peak_heap_bytes FROM processes"), 290);
    CHECK_EQ(ft_q(db, "SELECT peak_heap_blocks FROM processes"), 4);
    CHECK_EQ(ft_q(db, "SELECT p.peak_ns = a.alloc_ns FROM processes p, allocations a WHERE a.ptr = 7"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM live_at_peak"), 4);
    CHECK_EQ(stat_of(db, "peak_bytes", 1), 30);
    CHECK_EQ(stat_of(db, "peak_blocks", 1), 2);
    CHECK_EQ(stat_of(db, "peak_bytes", 2), 260);
    CHECK_EQ(stat_of(db, "peak_blocks", 2), 2);
    CHECK_EQ(stat_of(db, "temporary_count", 1), 2);
    CHECK_EQ(stat_of(db, "temporary_count", 2), 3); /* z, and both realloc(p, 0) blocks */
    CHECK_EQ(stat_of(db, "alloc_count", 1), 7);
    CHECK_EQ(stat_of(db, "free_count", 1), 4);
    CHECK_EQ(stat_of(db, "leaked_blocks", 1), 2);
    CHECK_EQ(stat_of(db, "leaked_bytes", 1), 9);
    CHECK_EQ(stat_of(db, "alloc_count", 2), 7);
    CHECK_EQ(stat_of(db, "free_count", 2), 6);
    CHECK_EQ(ft_q(db, "SELECT free_ns - alloc_ns FROM allocations WHERE ptr = 0xc"), 1);
    CHECK_EQ(ft_q(db, "SELECT free_ns - alloc_ns FROM allocations WHERE ptr = 0xd"), 1);
    CHECK_EQ(stat_of(db, "leaked_bytes", 2), 60);
    /* the per-callsite peaks are exactly the blocks live at the peak */
    CHECK_EQ(ft_q(db, "SELECT sum(peak_bytes) FROM callsite_stats"),
             ft_q(db, "SELECT sum(size) FROM live_at_peak"));
    CHECK_EQ(ft_q(db, "SELECT missed_frees FROM processes"), 1);
    CHECK_EQ(ft_q(db, "SELECT free_ns - alloc_ns FROM allocations WHERE ptr = 5 AND size = 10"), 15);
    CHECK_EQ(ft_q(db, "SELECT alloc_calls FROM processes"), 14);
    CHECK_EQ(ft_q(db, "SELECT free_calls FROM processes"), 10);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM leaks"), 3);
    CHECK_EQ(ft_q(db, "SELECT sum(size) FROM leaks"), 69);
    CHECK_EQ(ft_q(db, "SELECT heap_bytes FROM samples ORDER BY ns DESC LIMIT 1"), 69);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM threads"), 6);
    CHECK_EQ(ft_q(db, "SELECT end_ns - start_ns FROM threads WHERE tid = 4"), 2);
    CHECK(!strcmp(ft_qs(db, "SELECT name FROM threads WHERE tid = 4"), "short"));
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM threads WHERE start_ns IS NULL"), 5);
    /* interrupted while the process runs */
    CHECK(!strcmp(ft_qs(db, "SELECT end_reason FROM processes"), "running"));
    CHECK_EQ(ft_q(db, "SELECT end_ns FROM processes"), -1);
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'status'"), "truncated"));
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'truncated_reason'"),
                  "recording interrupted"));
}

int main(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256];
    const uint64_t pc1[] = {0x111}, pc2[] = {0x222};
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0)
        return 1;
    CHECK_EQ(coll_set_root(e.c, getpid(), 1, err, sizeof err), 0);
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    ft_stack(&f, S1, pc1, 1);
    ft_stack(&f, S2, pc2, 1);
    write_sequence(&f, hq_now_ns());
    ft_settle(e.c);
    CHECK_EQ(coll_finish(e.c, 1, &s, err, sizeof err), 0);
    coll_close(e.c);
    CHECK_EQ(f.hdr->detached, 1);
    CHECK_EQ(s.truncated, 1);
    CHECK_EQ(s.peak_bytes, 290);
    CHECK_EQ(s.leaked_bytes, 69);
    check_db(e.db);
    ft_ring_free(&f);
    ft_env_clean(&e);
    return th_done("test_coll_peak");
}
