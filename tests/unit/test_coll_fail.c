/*
 * test_coll_fail.c -- the database cannot grow (RLIMIT_FSIZE stands in for
 * a full disk) while records keep coming: coll_step fails with a message,
 * the shim is told to stop (its ring is detached, so it never waits on a
 * collector that no longer drains), coll_finish fails too, and the file
 * left behind is a valid database whose status is not 'complete', holding
 * what was committed before.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "test_coll_fake.h"
#include "testhelper.h"

/* In a child: its exit status says what it saw (0 = as expected). */
static int record_until_full(ft_env_t *e)
{
    ft_t f;
    coll_summary_t s;
    char err[256] = "";
    struct rlimit lim = {4u << 20, 4u << 20};
    int rc = 0;
    signal(SIGXFSZ, SIG_IGN);
    if (ft_env_start(e, 8) != 0 || ft_ring(&f, 1 << 20, getpid()) != 0 ||
        ft_hello(&f, e->sock, e->c, getppid(), 0) != 0)
        return 10;
    for (uint64_t i = 0; i < 1000; i++) { /* committed before the disk is "full" */
        ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x100000000 + 16 * i, 24, hq_now_ns());
        ft_free(&f, 1, 0x100000000 + 16 * i, hq_now_ns());
    }
    for (uint64_t until = hq_now_ns() + 300000000ull; hq_now_ns() < until;)
        coll_step(e->c, 5, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &lim);
    for (uint64_t i = 0; i < 2000000 && rc >= 0; i++) {
        ft_alloc(&f, 1, HQ_KIND_MALLOC, 0, 0x1000 + 16 * i, 24, hq_now_ns());
        ft_free(&f, 1, 0x1000 + 16 * i, hq_now_ns());
        if (i % 1000 == 0)
            rc = coll_step(e->c, 0, err, sizeof err);
    }
    while (rc >= 0 && (rc = coll_step(e->c, 1, err, sizeof err)) != -1)
        ; /* the writer may report the error a moment later */
    if (!strstr(err, "database error"))
        return 11;
    if (!f.hdr->detached)
        return 12;
    if (coll_finish(e->c, 0, &s, err, sizeof err) != -1 || !s.truncated)
        return 13;
    coll_close(e->c);
    return 0;
}

int main(void)
{
    ft_env_t e;
    int status = -1;
    if (ft_env_dir(&e) != 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0)
        _exit(record_until_full(&e));
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    CHECK_EQ(ft_q(e.db, "PRAGMA user_version"), 1);
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM meta WHERE key = 'status' AND value = 'complete'"), 0);
    CHECK(ft_q(e.db, "SELECT count(*) FROM meta WHERE key = 'status'") == 1);
    CHECK(!strcmp(ft_qs(e.db, "PRAGMA integrity_check"), "ok"));
    /* 'truncated' when that could still be written; with the file at its
     * limit nothing can, and the status stays 'recording' (of a dead
     * collector: an_db calls it crashed) */
    const char *st = ft_qs(e.db, "SELECT value FROM meta WHERE key = 'status'");
    CHECK(!strcmp(st, "recording") || !strcmp(st, "truncated"));
    CHECK_EQ(ft_q(e.db, "SELECT count(*) FROM allocations WHERE ptr >= 0x100000000"), 1000);
    ft_env_clean(&e);
    return th_done("test_coll_fail");
}
