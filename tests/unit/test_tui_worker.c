/* test_tui_worker.c -- the worker threads: results come back through the
 * wake pipe; a newer request of a kind replaces the one still waiting; a
 * request that cancels interrupts the running scan of its kind; stopping
 * a worker in the middle of a scan is quick and frees what is queued.
 * Also the fragmentation model at a moment, and outside the run. */
#include "testhelper.h"
#include "test_tui_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>

#include "tui_worker.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Results until none of kind is busy (at most ms); returns how many. */
static size_t drain(tui_worker_t *w, int fd, tui_done_t *out, size_t max, int kind, double ms)
{
    size_t n = 0;
    double end = now_ms() + ms;
    char buf[64];
    while (now_ms() < end) {
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, 20);
        while (read(fd, buf, sizeof buf) > 0)
            ;
        n += tui_worker_collect(w, out + n, max - n);
        if (!tui_worker_busy(w, kind)) {
            n += tui_worker_collect(w, out + n, max - n);
            break;
        }
    }
    return n;
}

static void test_jobs(const char *path, int fd[2])
{
    char err[256];
    tui_done_t d[16];
    tui_job_t j;
    tui_worker_t *w = tui_worker_start(path, fd[1], err, sizeof err);
    CHECK(w != NULL);
    if (!w)
        return;
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_SUMMARY;
    tui_worker_submit(w, &j, 0);
    size_t n = drain(w, fd[0], d, 16, TUI_JOB_SUMMARY, 5000);
    CHECK_EQ(n, 1);
    if (n == 1) {
        CHECK_EQ(d[0].rc, 0);
        CHECK_EQ(((tui_summary_t *)d[0].data)->allocs, 22);
        tui_done_free(&d[0]);
    }
    /* the fragmentation model at the peak, then after the end */
    j.kind = TUI_JOB_FRAG;
    j.u.frag.pid = -1;
    j.u.frag.at_ns = 999000000LL;
    tui_worker_submit(w, &j, 1);
    n = drain(w, fd[0], d, 16, TUI_JOB_FRAG, 5000);
    CHECK_EQ(n, 1);
    if (n == 1) {
        tui_frag_t *f = d[0].data;
        CHECK_EQ(d[0].rc, 0);
        CHECK(f && f->ok);
        if (f && f->ok) {
            CHECK_EQ(f->m.blocks, 9);
            CHECK_EQ(f->m.live_bytes, 81116);
            CHECK_EQ(f->m.sel.pid, 100);
        }
        tui_done_free(&d[0]);
    }
    j.u.frag.at_ns = 9000000000LL;
    tui_worker_submit(w, &j, 1);
    n = drain(w, fd[0], d, 16, TUI_JOB_FRAG, 5000);
    CHECK(n == 1 && d[0].rc == 0 && !((tui_frag_t *)d[0].data)->ok &&
          ((tui_frag_t *)d[0].data)->err[0]);
    for (size_t i = 0; i < n; i++)
        tui_done_free(&d[i]);
    tui_worker_stop(w);
}

/* 400,000 more allocations make a scan that takes a while. */
static void make_big(const char *path)
{
    CHECK_EQ(fx_exec(path, "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k "
                           "WHERE i < 399999) INSERT INTO allocations (id,pid,tid,kind,ptr,size,"
                           "usable_size,callsite_id,alloc_ns,free_ns) SELECT 100+i,100,100,0,"
                           "800000+i*64,48,56,7,2000+i,2100+i FROM k;"), 0);
}

static void test_cancel(const char *path, int fd[2])
{
    char err[256];
    tui_done_t d[16];
    tui_job_t j;
    double t0, one;
    tui_worker_t *w = tui_worker_start(path, fd[1], err, sizeof err);
    if (!w)
        return;
    memset(&j, 0, sizeof j);
    j.kind = TUI_JOB_SNAP;
    j.u.snap.window = 1;
    j.u.snap.to_ns = 1000000000LL;
    t0 = now_ms();
    tui_worker_submit(w, &j, 0);
    size_t n = drain(w, fd[0], d, 16, TUI_JOB_SNAP, 20000);
    one = now_ms() - t0;
    CHECK(n == 1 && d[0].rc == 0 && ((tui_snap_t *)d[0].data)->total.allocs == 400000 + 19);
    for (size_t i = 0; i < n; i++)
        tui_done_free(&d[i]);
    /* a scan, then a newer one that interrupts it: one result, the newer */
    j.u.snap.to_ns = 1000000001LL;
    t0 = now_ms();
    tui_worker_submit(w, &j, 0);
    struct timespec pause = {0, (long)(one / 4 * 1e6)};
    nanosleep(&pause, NULL);
    j.u.snap.to_ns = 1500000000LL;
    tui_worker_submit(w, &j, 1);
    /* meanwhile three maps: only the last one waits and runs */
    j.kind = TUI_JOB_FRAG;
    for (int i = 1; i <= 3; i++) {
        j.u.frag.pid = -1;
        j.u.frag.at_ns = i * 100000000LL;
        tui_worker_submit(w, &j, 0);
    }
    n = drain(w, fd[0], d, 16, TUI_JOB_FRAG, 20000);
    n += drain(w, fd[0], d + n, 16 - n, TUI_JOB_SNAP, 20000);
    /* Latest wins: the newer scan's result is delivered last.  The older one
     * is interrupted -- unless, on a loaded machine, it finished before the
     * newer request arrived; then it is delivered first, complete. */
    int snaps = 0, frags = 0;
    long long last_snap = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i].job.kind == TUI_JOB_SNAP) {
            snaps++;
            if (snaps == 1 && d[i].job.u.snap.to_ns != 1500000000LL)
                CHECK_EQ(d[i].job.u.snap.to_ns, 1000000001LL);
            last_snap = d[i].job.u.snap.to_ns;
        } else if (d[i].job.kind == TUI_JOB_FRAG) {
            frags++;
            CHECK_EQ(d[i].job.u.frag.at_ns, 300000000LL);
        }
        tui_done_free(&d[i]);
    }
    CHECK(snaps == 1 || snaps == 2);
    CHECK_EQ(last_snap, 1500000000LL);
    CHECK_EQ(frags, 1);
    fprintf(stderr, "  one scan %.0f ms; interrupted + newer %.0f ms\n", one, now_ms() - t0);
    /* stop in the middle of a scan: interrupted, joined, freed */
    j.kind = TUI_JOB_SNAP;
    tui_worker_submit(w, &j, 0);
    nanosleep(&pause, NULL);
    t0 = now_ms();
    tui_worker_stop(w);
    CHECK(now_ms() - t0 < one);
}

int main(void)
{
    char dir[64], path[256];
    int fd[2];
    if (fx_tmpdir(dir) != 0 || tx_make(dir, "fx.db", path, sizeof path) != 0 || pipe(fd) != 0)
        return 2;
    fcntl(fd[0], F_SETFL, O_NONBLOCK);
    fcntl(fd[1], F_SETFL, O_NONBLOCK);
    test_jobs(path, fd);
    make_big(path);
    test_cancel(path, fd);
    close(fd[0]);
    close(fd[1]);
    unlink(path);
    rmdir(dir);
    return th_done("test_tui_worker");
}
