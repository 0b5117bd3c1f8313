/*
 * test_coll_fork.c -- two real processes, standalone mode: the root (a
 * child of this test) is watched through a pidfd; it forks a child whose
 * hello carries HQ_HELLO_FORK.  The fork child sends no stacks of its own:
 * it uses the parent's, which the collector lets it inherit; it also frees
 * a block its parent allocated (an unknown free there).  coll_step returns
 * COLL_STEP_DONE once both have ended.
 */
#include <signal.h>
#include <sys/wait.h>

#include "test_coll_fake.h"
#include "testhelper.h"

#define BIAS 0x400000ull

static void root_records(ft_t *f)
{
    const uint64_t segs[] = {0x0, 0x10000, 0x0};
    const uint64_t s1[] = {BIAS + 0x100, BIAS + 0x900};
    const uint64_t s2[] = {BIAS + 0x200, BIAS + 0x900};
    uint64_t t = hq_now_ns();
    ft_module(f, "/usr/bin/root", BIAS, segs, 1, NULL, 0, 1, t);
    ft_stack(f, 1, s1, 2);
    ft_stack(f, 2, s2, 2);
    ft_alloc(f, 11, HQ_KIND_MALLOC, 1, 0xa000, 64, t + 1);
    ft_alloc(f, 11, HQ_KIND_MALLOC, 2, 0xb000, 32, t + 2);
}

/* The grandchild: its own ring, a fork hello, records on inherited stacks. */
static void fork_child(const char *sock, pid_t parent)
{
    ft_t f;
    if (ft_ring(&f, 1 << 16, getpid()) != 0 || ft_hello(&f, sock, NULL, parent, HQ_HELLO_FORK) != 0)
        _exit(20);
    uint64_t t = hq_now_ns();
    ft_alloc(&f, 12, HQ_KIND_MALLOC, 1, 0xc000, 100, t);       /* inherited stack 1 */
    ft_alloc(&f, 12, HQ_KIND_MALLOC, 2, 0xd000, 200, t + 1);   /* inherited stack 2 */
    ft_free(&f, 12, 0xd000, t + 2);
    ft_free(&f, 12, 0xa000, t + 3);                            /* the parent's block */
    ft_exit(&f, 12, 0, t + 4);
    _exit(0);
}

static void root_main(const char *sock)
{
    ft_t f;
    int st;
    if (ft_ring(&f, 1 << 16, getpid()) != 0 || ft_hello(&f, sock, NULL, getppid(), 0) != 0)
        _exit(10);
    root_records(&f);
    pid_t child = fork();
    if (child == 0)
        fork_child(sock, getppid());
    waitpid(child, &st, 0);
    ft_free(&f, 11, 0xb000, hq_now_ns());
    ft_exit(&f, 11, 5, hq_now_ns());
    _exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 5 : 11);
}

static void check_db(const char *db, pid_t root)
{
    char sql[256];
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'status'"), "complete"));
    CHECK(!strcmp(ft_qs(db, "SELECT value FROM meta WHERE key = 'mode'"), "attach"));
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM processes"), 2);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM processes WHERE forked = 1 AND ppid = %d", root);
    CHECK_EQ(ft_q(db, sql), 1);
    snprintf(sql, sizeof sql, "SELECT exit_code FROM processes WHERE pid = %d", root);
    CHECK_EQ(ft_q(db, sql), 5);
    CHECK_EQ(ft_q(db, "SELECT exit_code FROM processes WHERE forked = 1"), 0);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM processes WHERE end_reason = 'exit' AND end_ns > start_ns"), 2);
    CHECK_EQ(ft_q(db, "SELECT unknown_frees FROM processes WHERE forked = 1"), 1);
    CHECK_EQ(ft_q(db, "SELECT unknown_frees FROM processes WHERE forked = 0"), 0);
    CHECK_EQ(ft_q(db, "SELECT alloc_calls FROM processes WHERE forked = 1"), 2);
    CHECK_EQ(ft_q(db, "SELECT peak_heap_bytes FROM processes WHERE forked = 1"), 300);
    CHECK_EQ(ft_q(db, "SELECT peak_heap_bytes FROM processes WHERE forked = 0"), 96);
    /* the child's blocks name the callsites of the parent's stacks */
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM allocations WHERE callsite_id IS NULL"), 0);
    CHECK_EQ(ft_q(db, "SELECT a.callsite_id = b.callsite_id FROM allocations a, allocations b "
                      "WHERE a.ptr = 0xa000 AND b.ptr = 0xc000"), 1);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM frames"), 3);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM modules"), 1);
    /* one callsite_stats row per callsite, summed over both images */
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM callsite_stats"), 2);
    CHECK_EQ(ft_q(db, "SELECT alloc_count FROM callsite_stats WHERE callsite_id = "
                      "(SELECT callsite_id FROM allocations WHERE ptr = 0xa000)"), 2);
    CHECK_EQ(ft_q(db, "SELECT leaked_bytes FROM callsite_stats WHERE callsite_id = "
                      "(SELECT callsite_id FROM allocations WHERE ptr = 0xa000)"), 164);
    CHECK_EQ(ft_q(db, "SELECT count(*) FROM leaks"), 2); /* 0xa000 (root), 0xc000 (child) */
    CHECK(ft_q(db, "SELECT count(DISTINCT pid) FROM samples") == 2);
}

int main(void)
{
    ft_env_t e;
    coll_summary_t s;
    char err[256];
    int rc = 0, st = 0;
    uint64_t deadline;
    if (ft_env_open(&e, 8) != 0)
        return 1;
    pid_t root = fork();
    if (root == 0)
        root_main(e.sock);
    CHECK_EQ(coll_set_root(e.c, root, 0, err, sizeof err), 0);
    deadline = hq_now_ns() + 20000000000ull;
    while (hq_now_ns() < deadline && (rc = coll_step(e.c, 50, err, sizeof err)) != COLL_STEP_DONE)
        if (rc < 0)
            break;
    CHECK_EQ(rc, COLL_STEP_DONE);
    CHECK_EQ(coll_connected(e.c), 2);
    waitpid(root, &st, 0); /* reaped after the collector read its status from /proc */
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
    CHECK_EQ(coll_finish(e.c, 0, &s, err, sizeof err), 0);
    coll_close(e.c);
    CHECK_EQ(s.processes, 2);
    CHECK_EQ(s.alloc_calls, 4);
    CHECK_EQ(s.free_calls, 2);
    CHECK_EQ(s.peak_bytes, 96); /* the root's */
    CHECK_EQ(s.leaked_blocks, 2);
    check_db(e.db, root);
    ft_env_clean(&e);
    return th_done("test_coll_fork");
}
