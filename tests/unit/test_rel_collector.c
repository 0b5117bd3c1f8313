/*
 * test_rel_collector.c -- the collector under faults (docs/RELIABILITY.md):
 *  - live readers in other processes never take the WAL away from it
 *    (closing a second descriptor of the file used to drop its locks);
 *  - malformed HEAPQL_RING_MB / HEAPQL_DEPTH / HEAPQL_FAULT_DB_MAX_PAGES are
 *    refused before anything is created;
 *  - a full database (HEAPQL_FAULT_DB_MAX_PAGES): coll_step fails with the
 *    cause, every shim is detached, the socket refuses newcomers at once,
 *    the file says truncated;
 *  - a thread's events after its HQ_THREAD_END (later key destructors) stay
 *    in its one `threads` row.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_coll_fake.h"
#include "testhelper.h"

/* Step the collector for ms milliseconds: commits happen on their clock. */
static void step_for(coll_t *c, int ms)
{
    char err[256];
    for (uint64_t end = hq_now_ns() + (uint64_t)ms * 1000000ull; hq_now_ns() < end;)
        coll_step(c, 5, err, sizeof err);
}

/* Count in another program with a read-write connection, as `sqlite3 DB`
 * would (this test exec'd again: a fork alone would share SQLite's
 * in-process lock records), which then closes it: the count, or -1.  A
 * read-write connection that closes while it finds no other lock on a WAL
 * database checkpoints it and deletes the -wal. */
static long long count_elsewhere(const char *db, const char *sql)
{
    int fds[2], status = 0;
    long long n = -1;
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        execl("/proc/self/exe", "test_rel_collector", "--count", db, sql, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    if (pid > 0 && read(fds[0], &n, sizeof n) != (ssize_t)sizeof n)
        n = -1;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, &status, 0);
    return n;
}

static void pairs(ft_t *f, uint64_t base, int n, uint64_t size)
{
    for (int i = 0; i < n; i++) {
        ft_alloc(f, 1, HQ_KIND_MALLOC, 0, base + 64 * (uint64_t)i, size, hq_now_ns());
        ft_free(f, 1, base + 64 * (uint64_t)i, hq_now_ns());
    }
}

static void test_wal_and_readers(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char wal[400];
    struct stat st;
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 20, getpid()) != 0 ||
        ft_hello(&f, e.sock, e.c, getppid(), 0) != 0) {
        CHECK(0);
        return;
    }
    snprintf(wal, sizeof wal, "%s-wal", e.db);
    pairs(&f, 0x10000, 1000, 24);
    step_for(e.c, 400);
    CHECK_EQ(count_elsewhere(e.db, "SELECT count(*) FROM allocations WHERE size = 24"), 1000);
    CHECK(stat(wal, &st) == 0); /* the reader that closed left it in place */
    pairs(&f, 0x100000, 500, 32);
    step_for(e.c, 400);
    CHECK_EQ(count_elsewhere(e.db, "SELECT count(*) FROM allocations WHERE size = 32"), 500);
    CHECK_EQ(count_elsewhere(e.db, "SELECT count(*) FROM allocations WHERE size = 24"), 1000);
    CHECK_EQ(coll_finish(e.c, 0, &s, e.err, sizeof e.err), 0);
    coll_close(e.c);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM meta WHERE key = 'status' AND value = 'complete'"), 1);
    ft_ring_free(&f);
    ft_env_clean(&e);
}

/* coll_open refuses var=value with a message naming it, creating nothing. */
static void refused(const char *var, const char *value)
{
    ft_env_t e;
    struct stat st;
    if (ft_env_dir(&e) != 0) {
        CHECK(0);
        return;
    }
    setenv(var, value, 1);
    CHECK_EQ(ft_env_start(&e, 8), -1);
    CHECK(strstr(e.err, var) != NULL && strstr(e.err, "must be") != NULL);
    CHECK(stat(e.db, &st) != 0 && stat(e.sock, &st) != 0);
    unsetenv(var);
    ft_env_clean(&e);
}

static void test_env(void)
{
    refused("HEAPQL_RING_MB", "3");
    refused("HEAPQL_RING_MB", "2048");
    refused("HEAPQL_RING_MB", "16x");
    refused("HEAPQL_DEPTH", "0");
    refused("HEAPQL_DEPTH", "1025");
    refused("HEAPQL_DEPTH", "-5");
    refused("HEAPQL_FAULT_DB_MAX_PAGES", "many");
    refused("HEAPQL_FAULT_DB_MAX_PAGES", "0");
}

static void test_full(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    char err[256] = "";
    int rc = 0;
    setenv("HEAPQL_FAULT_DB_MAX_PAGES", "30", 1);
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 20, getpid()) != 0 ||
        ft_hello(&f, e.sock, e.c, getppid(), 0) != 0) {
        unsetenv("HEAPQL_FAULT_DB_MAX_PAGES");
        CHECK(0);
        return;
    }
    unsetenv("HEAPQL_FAULT_DB_MAX_PAGES");
    for (int round = 0; round < 200 && rc >= 0 && !f.hdr->detached; round++) {
        pairs(&f, 0x1000000 + (uint64_t)round * 0x100000, 2000, 40);
        for (int i = 0; i < 50 && rc >= 0; i++)
            rc = coll_step(e.c, 1, err, sizeof err);
    }
    while (rc >= 0 && (rc = coll_step(e.c, 1, err, sizeof err)) != -1)
        ; /* the writer thread may report a moment later */
    CHECK(strstr(err, "database or disk is full") != NULL);
    CHECK(f.hdr->detached);
    CHECK(ft_connect(e.sock) < 0); /* no newcomer waits on a dead session */
    CHECK_EQ(coll_finish(e.c, 1, &s, e.err, sizeof e.err), -1);
    CHECK(s.truncated);
    coll_close(e.c);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM meta WHERE key = 'status' AND value = 'truncated'"), 1);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM meta WHERE key = 'truncated_reason' "
                        "AND value LIKE '%disk is full%'"), 1);
    ft_ring_free(&f);
    ft_env_clean(&e);
}

static void test_late_thread_events(void)
{
    ft_env_t e;
    ft_t f;
    coll_summary_t s;
    if (ft_env_open(&e, 8) != 0 || ft_ring(&f, 1 << 20, getpid()) != 0 ||
        ft_hello(&f, e.sock, e.c, getppid(), 0) != 0) {
        CHECK(0);
        return;
    }
    /* 100 threads, one after another: start, allocate, end, then their late
     * key destructors allocate and free after the end */
    for (uint32_t tid = 100; tid < 200; tid++) {
        uint64_t p = 0x5000000 + 0x1000 * (uint64_t)tid;
        ft_thread(&f, tid, HQ_THREAD_START, "worker", hq_now_ns());
        ft_alloc(&f, tid, HQ_KIND_MALLOC, 0, p, 90, hq_now_ns());
        ft_thread(&f, tid, HQ_THREAD_END, "worker", hq_now_ns());
        ft_free(&f, tid, p, hq_now_ns());
        ft_alloc(&f, tid, HQ_KIND_MALLOC, 0, p + 64, 92, hq_now_ns());
        if (tid % 10 == 0)
            ft_settle(e.c);
    }
    ft_settle(e.c);
    CHECK_EQ(coll_finish(e.c, 0, &s, e.err, sizeof e.err), 0);
    coll_close(e.c);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM threads WHERE tid BETWEEN 100 AND 199"), 100);
    CHECK_EQ(ft_q(e.db, "SELECT count(DISTINCT tid) FROM threads WHERE tid BETWEEN 100 AND 199"), 100);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM threads WHERE tid BETWEEN 100 AND 199 "
                        "AND (name IS NULL OR start_ns IS NULL OR end_ns IS NULL)"), 0);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations a JOIN threads t ON t.tid = a.tid "
                        "WHERE a.alloc_ns > t.end_ns OR a.free_ns > t.end_ns"), 0);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations WHERE size = 92 AND free_ns IS NULL"), 100);
    ft_ring_free(&f);
    ft_env_clean(&e);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--count")) {
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        long long v = -1;
        if (sqlite3_open_v2(argv[2], &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(h, argv[3], -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(h);
        return write(1, &v, sizeof v) == (ssize_t)sizeof v ? 0 : 1;
    }
    test_wal_and_readers();
    test_env();
    test_full();
    test_late_thread_events();
    return th_done("test_rel_collector");
}
