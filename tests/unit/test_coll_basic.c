/*
 * test_coll_basic.c -- one process image through the real collector with a
 * fake shim: modules, stacks, the callsite tree, allocations, frees,
 * realloc (also a failed one), unknown frees, failed allocations, leaks,
 * the peak (total and per callsite), temporaries, threads, vm events,
 * samples, the exit status, and the finished file.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_coll_fake.h"
#include "testhelper.h"

#define MAIN_BIAS 0x400000ull
#define LIB_BIAS 0x7f0000000000ull

static void write_modules(ft_t *f, uint64_t t)
{
    const uint64_t main_segs[] = {0x0, 0x8000, 0x0, 0x9000, 0x7000, 0x9000};
    const uint64_t lib_segs[] = {0x1000, 0x2000, 0x1000};
    const uint8_t bid[] = {0xab, 0xcd, 0x01};
    ft_module(f, "/usr/bin/fake", MAIN_BIAS, main_segs, 2, bid, 0, 1, t);
    ft_module(f, "/lib/libfake.so", LIB_BIAS, lib_segs, 1, bid, 3, 0, t + 1);
}

/* Stacks 1 and 2 share their two outer frames; stack 3 is outside every
 * module; stack 4 is in a library unloaded before it is defined. */
static void write_stacks(ft_t *f)
{
    const uint64_t s1[] = {MAIN_BIAS + 0x100, LIB_BIAS + 0x1500, MAIN_BIAS + 0x500};
    const uint64_t s2[] = {MAIN_BIAS + 0x200, LIB_BIAS + 0x1500, MAIN_BIAS + 0x500};
    const uint64_t s3[] = {0x1234};
    ft_stack(f, 1, s1, 3);
    ft_stack(f, 2, s2, 3);
    ft_stack(f, 3, s3, 1);
}

/* The event sequence; comments give the heap after each event. */
static void write_events(ft_t *f, uint64_t t)
{
    ft_thread(f, 7, HQ_THREAD_START, "worker", t);
    ft_alloc(f, 7, HQ_KIND_MALLOC, 1, 0x1000, 100, t + 10);    /* A: 100 */
    ft_alloc(f, 7, HQ_KIND_NEW, 2, 0x2000, 200, t + 20);       /* B: 300 */
    ft_free(f, 7, 0x1000, t + 30);                             /* A freed (not temporary): 200 */
    ft_alloc(f, 7, HQ_KIND_CALLOC, 1, 0x3000, 50, t + 40);     /* C: 250 */
    ft_free(f, 7, 0x3000, t + 50);                             /* C temporary: 200 */
    ft_alloc(f, 7, HQ_KIND_MALLOC, 3, 0x4000, 400, t + 60);    /* D: 600, the peak */
    ft_free(f, 7, 0x4000, t + 70);                             /* D temporary: 200 */
    ft_free_rec(f, HQ_REC_FREE, 7, HQ_KIND_REALLOC_FREE, 0x2000, t + 80); /* B parked: 0 */
    ft_alloc(f, 7, HQ_KIND_REALLOC, 2, 0x5000, 300, t + 90);   /* R replaces B: 300 */
    ft_free_rec(f, HQ_REC_FREE, 7, HQ_KIND_REALLOC_FREE, 0x5000, t + 100);
    ft_free_rec(f, HQ_REC_REALLOC_FAIL, 7, HQ_KIND_REALLOC_FREE, 0x5000, t + 110); /* R lives */
    ft_free(f, 7, 0x9999, t + 120);                            /* unknown */
    ft_alloc_fail(f, 7, HQ_KIND_MALLOC, 1, 1ull << 50, t + 130);
    ft_alloc(f, 7, HQ_KIND_MALLOC, 1, 0x6000, 10, t + 140);    /* E leaks: 310 */
    ft_vm(f, 7, HQ_KIND_MMAP, 3, 0x7000000, 8192, t + 150);
    ft_unload(f, LIB_BIAS, t + 155);
    const uint64_t s5[] = {LIB_BIAS + 0x1600};
    ft_stack(f, 5, s5, 1); /* in the unloaded library: no module now */
    ft_thread(f, 7, HQ_THREAD_END, "worker2", t + 160);
    ft_exit(f, 1, 3, t + 170);
}

static void check_tree(const char *db)
{
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM modules"), 2);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM modules WHERE unload_ns IS NOT NULL AND NOT is_main"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM modules WHERE unload_ns > load_ns"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM frames WHERE module_id IS NULL AND rel_pc = 0x7f0000001600"), 1);
    CHECK_EQ(ft_q(db, "SELECT start FROM modules WHERE is_main"), MAIN_BIAS);
    CHECK_EQ(ft_q(db, "SELECT end FROM modules WHERE is_main"), MAIN_BIAS + 0x10000);
    CHECK_EQ(ft_q(db, "SELECT start FROM modules WHERE NOT is_main"), LIB_BIAS + 0x1000);
    CHECK_EQ(ft_q(db, "SELECT end FROM modules WHERE NOT is_main"), LIB_BIAS + 0x3000);
    CHECK_EQ(ft_q(db, "SELECT file_offset FROM modules WHERE NOT is_main"), 0x1000);
    CHECK(!strcmp(ft_qs(db, "SELECT build_id FROM modules WHERE NOT is_main"), "abcd01"));
    CHECK(!strcmp(ft_qs(db, "SELECT build_id FROM modules WHERE is_main"), "(null)"));
    CHECK(!strcmp(ft_qs(db, "SELECT path FROM modules WHERE NOT is_main"), "/lib/libfake.so"));
    /* frames: 0x500, 0x1500 (lib), 0x100, 0x200, 0x1234 and lib+0x1600 (no module) */
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM frames"), 6);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM frames WHERE module_id IS NULL AND rel_pc = 0x1234"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM frames f JOIN modules m ON m.id = f.module_id "
                      "WHERE m.is_main = 0 AND f.rel_pc = 0x1500"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM callsites"), 6);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM callsites WHERE depth = 0 AND parent_id IS NULL"), 3);
    /* the outermost frame of stacks 1 and 2 is main+0x500, at depth 0 */
    CHECK_EQ(ft_q(db, "SELECT f.rel_pc FROM callsites c JOIN frames f ON f.id = c.frame_id "
                      "JOIN modules m ON m.id = f.module_id WHERE c.depth = 0"), 0x500);
    /* both leaves hang under the same depth-1 callsite */
    CHECK_EQ(ft_q(db, "SELECT count(DISTINCT parent_id) FROM callsites WHERE depth = 2"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM callsites WHERE depth = 2"), 2);
    CHECK_EQ(ft_q(db, "SELECT f.rel_pc FROM allocations a JOIN callsites c ON c.id = a.callsite_id "
                      "JOIN frames f ON f.id = c.frame_id WHERE a.ptr = 0x1000"), 0x100);
    CHECK_EQ(ft_q(db, "SELECT p.depth FROM allocations a JOIN callsites c ON c.id = a.callsite_id "
                      "JOIN callsites p ON p.id = c.parent_id WHERE a.ptr = 0x2000"), 1);
}

static void check_allocations(const char *db)
{
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations"), 6);
    /* rows are written as blocks end: freed ones in the order of their
     * frees, then the live ones in allocation order */
    CHECK_EQ(ft_q(db, "SELECT group_concat(id) = '1,2,3,4,5,6' FROM (SELECT id FROM allocations "
                      "ORDER BY free_ns IS NULL, free_ns, alloc_ns)"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations WHERE free_ns IS NULL"), 2);
    CHECK_EQ(ft_q(db, "SELECT sum(size) FROM leaks"), 310);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM leaks WHERE ptr IN (0x5000, 0x6000)"), 2);
    CHECK_EQ(ft_q(db, "SELECT kind FROM allocations WHERE ptr = 0x2000"), HQ_KIND_NEW);
    CHECK_EQ(ft_q(db, "SELECT kind FROM allocations WHERE ptr = 0x5000"), HQ_KIND_REALLOC);
    CHECK_EQ(ft_q(db, "SELECT usable_size FROM allocations WHERE ptr = 0x3000"), 58);
    CHECK_EQ(ft_q(db, "SELECT tid FROM allocations WHERE ptr = 0x3000"), 7);
    /* B ends at its REALLOC_FREE (t+80), before R starts (t+90) */
    CHECK_EQ(ft_q(db, "SELECT r.alloc_ns - b.free_ns FROM allocations b, allocations r "
                      "WHERE b.ptr = 0x2000 AND r.ptr = 0x5000"), 10);
    CHECK_EQ(ft_q(db, "SELECT free_ns - alloc_ns FROM allocations WHERE ptr = 0x1000"), 20);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations WHERE callsite_id IS NULL"), 0);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations a JOIN callsites c ON c.id = a.callsite_id "
                      "JOIN frames f ON f.id = c.frame_id WHERE f.module_id IS NULL"), 1);
}

static void check_process(const char *db)
{
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM processes"), 1);
    CHECK_EQ(ft_q(db, "SELECT peak_heap_bytes FROM processes"), 600);
    CHECK_EQ(ft_q(db, "SELECT peak_heap_blocks FROM processes"), 2);
    CHECK_EQ(ft_q(db, "SELECT p.peak_ns = a.alloc_ns FROM processes p, allocations a WHERE a.ptr = 0x4000"), 1);
    CHECK(ft_q(db, "SELECT peak_rss_bytes FROM processes") > 0);
    CHECK_EQ(ft_q(db, "SELECT alloc_calls FROM processes"), 6);
    CHECK_EQ(ft_q(db, "SELECT free_calls FROM processes"), 4);
    CHECK_EQ(ft_q(db, "SELECT failed_allocs FROM processes"), 2); /* + the failed realloc */
    CHECK_EQ(ft_q(db, "SELECT unknown_frees FROM processes"), 1);
    CHECK_EQ(ft_q(db, "SELECT lost_events FROM processes"), 0);
    CHECK_EQ(ft_q(db, "SELECT exit_code FROM processes"), 3);
    CHECK_EQ(ft_q(db, "SELECT exit_signal FROM processes"), -1);
    CHECK(!strcmp(ft_qs(db, "SELECT end_reason FROM processes"), "exit"));
    CHECK_EQ(ft_q(db, "SELECT end_ns > (SELECT max(alloc_ns) FROM allocations) FROM processes"), 1);
    CHECK_EQ(ft_q(db, "SELECT start_ns < (SELECT min(alloc_ns) FROM allocations) FROM processes"), 1);
    CHECK_EQ(ft_q(db, "SELECT pid FROM processes"), getpid());
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM live_at_peak"), 2);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM samples"), ft_q(db, "SELECT count(*) FROM samples"));
    CHECK(ft_q(db, "SELECT count(*) FROM samples") >= 10);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM samples WHERE rss_bytes > 0"),
             ft_q(db, "SELECT count(*) FROM samples") - 1); /* the last one: at the end */
    CHECK_EQ(ft_q(db, "SELECT heap_bytes FROM samples ORDER BY ns DESC LIMIT 1"), 310);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM threads"), 1);
    CHECK(!strcmp(ft_qs(db, "SELECT name FROM threads WHERE tid = 7"), "worker2"));
    CHECK_EQ(ft_q(db, "SELECT end_ns - start_ns FROM threads WHERE tid = 7"), 160);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM vm_events WHERE kind = 64 AND length = 8192 "
                      "AND callsite_id IS NOT NULL"), 1);
}

/* stack 1: A, C, E (+1 failed); stack 2: B, R; stack 3: D */
static void check_stats(const char *db)
{
    const char *by_ptr = "SELECT %s FROM callsite_stats WHERE callsite_id = "
                         "(SELECT callsite_id FROM allocations WHERE ptr = %#x)";
    char sql[512];
    struct { const char *col; int ptr; long long want; } c[] = {
        {"alloc_count", 0x1000, 3}, {"alloc_bytes", 0x1000, 160}, {"free_count", 0x1000, 2},
        {"peak_bytes", 0x1000, 0}, {"peak_blocks", 0x1000, 0}, {"leaked_blocks", 0x1000, 1},
        {"leaked_bytes", 0x1000, 10}, {"temporary_count", 0x1000, 1}, {"failed_count", 0x1000, 1},
        {"alloc_count", 0x2000, 2}, {"alloc_bytes", 0x2000, 500}, {"free_count", 0x2000, 1},
        {"peak_bytes", 0x2000, 200}, {"peak_blocks", 0x2000, 1}, {"leaked_bytes", 0x2000, 300},
        {"temporary_count", 0x2000, 0},
        {"alloc_count", 0x4000, 1}, {"peak_bytes", 0x4000, 400}, {"temporary_count", 0x4000, 1},
        {"leaked_blocks", 0x4000, 0}, {"usable_bytes", 0x4000, 408},
    };
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM callsite_stats"), 3);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        snprintf(sql, sizeof sql, by_ptr, c[i].col, c[i].ptr);
        long long got = ft_q(db, sql);
        if (got != c[i].want)
            fprintf(stderr, "%s of %#x: %lld, want %lld\n", c[i].col, c[i].ptr, got, c[i].want);
        CHECK_EQ(got, c[i].want);
    }
    CHECK_EQ(ft_q(db, "SELECT sum(peak_bytes) FROM callsite_stats"), 600);
}

static void check_file(const ft_env_t *e, const coll_summary_t *s)
{
    struct stat st;
    char wal[400];
    CHECK(!strcmp(ft_qs(e->db, "SELECT value FROM meta WHERE key = 'status'"), "complete"));
    CHECK_EQ(ft_q(e->db, "PRAGMA user_version"), 1);
    CHECK(!strcmp(ft_qs(e->db, "PRAGMA journal_mode"), "delete"));
    CHECK(!strcmp(ft_qs(e->db, "SELECT value FROM meta WHERE key = 'command'"), "fake --test"));
    CHECK_EQ(ft_q(e->db, "SELECT value FROM meta WHERE key = 'depth'"), 16);
    CHECK_EQ(ft_q(e->db, "SELECT value FROM meta WHERE key = 'events_lost'"), 0);
    CHECK_EQ(ft_q(e->db, "SELECT count(*) FROM meta WHERE key IN ('start_time', 'end_time', "
                         "'duration_ns', 'start_unix_ns', 'heapql_version', 'collector_pid', 'mode', "
                         "'schema_version', 'ring_waits', 'ring_wait_ns', 'collector_cpu_ns')"), 11);
    CHECK(ft_q(e->db, "SELECT count(*) FROM kinds WHERE family = 'alloc'") == HQ_KIND_ALLOC_COUNT);
    CHECK(!strcmp(ft_qs(e->db, "SELECT name FROM kinds WHERE id = 9"), "operator new"));
    snprintf(wal, sizeof wal, "%s-wal", e->db);
    CHECK(stat(wal, &st) != 0);
    CHECK(stat(e->db, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(stat(e->sock, &st) != 0); /* the socket is gone with the recording */
    CHECK_EQ(s->alloc_calls, 6);
    CHECK_EQ(s->free_calls, 4);
    CHECK_EQ(s->failed_allocs, 2);
    CHECK_EQ(s->peak_bytes, 600);
    CHECK_EQ(s->leaked_blocks, 2);
    CHECK_EQ(s->leaked_bytes, 310);
    CHECK_EQ(s->processes, 1);
    CHECK_EQ(s->alloc_bytes, 100 + 200 + 50 + 400 + 300 + 10);
    CHECK_EQ(s->truncated, 0);
}

int main(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256];
    if (ft_env_open(&e, 16) != 0 || ft_ring(&f, 1 << 16, getpid()) != 0)
        return 1;
    CHECK_EQ(coll_set_root(e.c, getpid(), 1, err, sizeof err), 0);
    CHECK_EQ(ft_hello(&f, e.sock, e.c, getppid(), 0), 0);
    CHECK_EQ(f.ack.magic, HQ_ACK_MAGIC);
    CHECK_EQ(f.ack.depth, 16);
    CHECK_EQ(f.ack.collector_pid, getpid());
    CHECK_EQ(f.hdr->collector_pid, getpid());
    CHECK_EQ(coll_connected(e.c), 1);
    /* a reader sees a valid database while recording */
    CHECK(!strcmp(ft_qs(e.db, "SELECT value FROM meta WHERE key = 'status'"), "recording"));
    CHECK_EQ(ft_q(e.db, "PRAGMA user_version"), 1);

    uint64_t t = hq_now_ns();
    write_modules(&f, t);
    write_stacks(&f);
    ft_settle(e.c);
    write_events(&f, t + 1000);
    ft_settle(e.c);
    CHECK(f.hdr->heartbeat_ns > 0);
    /* a reader sees the rows of the last commit while recording goes on */
    uint64_t until = hq_now_ns() + 300000000ull;
    while (hq_now_ns() < until)
        coll_step(e.c, 5, err, sizeof err);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations"), 4);
    CHECK(ft_q(e.db, "SELECT count(*) FROM samples") >= 10);
    coll_root_ended(e.c, 3 << 8);
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    coll_close(e.c);

    check_tree(e.db);
    check_allocations(e.db);
    check_process(e.db);
    check_stats(e.db);
    check_file(&e, &s);
    ft_ring_free(&f);
    ft_env_clean(&e);
    return th_done("test_coll_basic");
}
