/*
 * coll_watch.c -- waiting without missing anything: one poll() over the
 * listening socket, the handshakes in progress and the pidfds, then the
 * resulting work (accept, hellos, process ends, images being drained to
 * their end).
 *
 * The rings have no descriptor to wake us: while records flowed in the last
 * WATCH_HOT_NS the loop sleeps at most 1 ms, otherwise 10 ms (a 32 MiB ring
 * absorbs far more than that before a writer has to wait).
 */
#include "coll_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "hq_ring.h"

#define WATCH_HOT_NS 50000000ull
#define WATCH_HOT_MS 1
#define WATCH_IDLE_MS 10

enum { WATCH_LISTEN, WATCH_CONN, WATCH_ROOT, WATCH_PROC };

int coll_watch_pidfd_ended(int pidfd)
{
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    return pidfd >= 0 && poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR));
}

static int watch_grow(coll_t *c, size_t need)
{
    if (need <= c->pfd_cap)
        return 0;
    size_t cap = need * 2;
    struct pollfd *pfd = realloc(c->pfd, cap * sizeof *pfd);
    if (pfd)
        c->pfd = pfd;
    coll_proc_t **who = realloc(c->pfd_proc, cap * sizeof *who);
    if (who)
        c->pfd_proc = who;
    if (!pfd || !who)
        return coll_fail(c, "out of memory");
    c->pfd_cap = cap;
    return 0;
}

static void watch_add(coll_t *c, size_t *n, int fd, coll_proc_t *who)
{
    c->pfd[*n] = (struct pollfd){.fd = fd, .events = POLLIN};
    c->pfd_proc[*n] = who;
    (*n)++;
}

/* The pidfd of an image is watched unless the command layer reaps it. */
static int watch_proc_fd(const coll_t *c, const coll_proc_t *p)
{
    if (p->state != COLL_PROC_LIVE || p->pidfd < 0)
        return 0;
    return !(c->root_reaped && p->pid == c->root_pid);
}

/* Poll set: [listen] [connections] [root] [images]; returns its size. */
static size_t watch_fill(coll_t *c, size_t *first_proc)
{
    size_t n = 0;
    watch_add(c, &n, c->listen_fd, NULL);
    for (size_t i = 0; i < c->nconns; i++)
        watch_add(c, &n, c->conns[i].fd, NULL);
    watch_add(c, &n, !c->root_dead ? c->root_pidfd : -1, NULL);
    *first_proc = n;
    for (size_t i = 0; i < c->nprocs; i++)
        if (watch_proc_fd(c, c->procs[i]))
            watch_add(c, &n, c->procs[i]->pidfd, c->procs[i]);
    return n;
}

static int watch_timeout(const coll_t *c, int timeout_ms, uint64_t now)
{
    int cap = now - c->last_busy < WATCH_HOT_NS ? WATCH_HOT_MS : WATCH_IDLE_MS;
    for (size_t i = 0; i < c->nprocs; i++)
        if (c->procs[i]->state == COLL_PROC_ENDING)
            cap = WATCH_HOT_MS;
    if (c->next_sample > now && (c->next_sample - now) / 1000000 < (uint64_t)cap)
        cap = (int)((c->next_sample - now) / 1000000);
    return timeout_ms < cap ? (timeout_ms < 0 ? 0 : timeout_ms) : cap;
}

/* Images without a pidfd (old kernels): /proc tells whether they are gone. */
static void watch_fallback(coll_t *c, uint64_t now)
{
    if (now < c->next_alive_check)
        return;
    c->next_alive_check = now + COLL_SAMPLE_NS;
    for (size_t i = 0; i < c->nprocs; i++) {
        coll_proc_t *p = c->procs[i];
        unsigned long long start = 0;
        char state = 0;
        int code;
        if (p->state != COLL_PROC_LIVE || p->pidfd >= 0 || (c->root_reaped && p->pid == c->root_pid))
            continue;
        if (coll_procfs_stat(p->pid, &start, &state, &code) != 0 || start != p->starttime ||
            state == 'Z' || state == 'X')
            coll_proc_begin_end(c, p, now);
    }
    if (!c->root_reaped && c->root_pid && !c->root_dead && c->root_pidfd < 0) {
        unsigned long long start;
        char state = 0;
        int code;
        if (coll_procfs_stat(c->root_pid, &start, &state, &code) != 0 || state == 'Z' ||
            state == 'X')
            c->root_dead = 1;
    }
}

static int watch_ends(coll_t *c, uint64_t now)
{
    for (size_t i = 0; i < c->nprocs; i++)
        if (c->procs[i]->state == COLL_PROC_ENDING &&
            coll_proc_progress_end(c, c->procs[i], now) != 0)
            return -1;
    return 0;
}

int coll_watch(coll_t *c, int timeout_ms, uint64_t now)
{
    size_t first_proc, n;
    int ready;
    if (watch_grow(c, 2 + c->nconns + c->nprocs) != 0)
        return -1;
    n = watch_fill(c, &first_proc);
    ready = poll(c->pfd, n, watch_timeout(c, timeout_ms, now));
    if (ready < 0 && errno != EINTR)
        return coll_fail(c, "poll failed: %s", strerror(errno));
    now = c->now = hq_now_ns();
    if (ready > 0 && (c->pfd[0].revents & POLLIN) && coll_session_accept(c) != 0)
        return -1;
    if (ready > 0 && c->pfd[first_proc - 1].revents)
        c->root_dead = 1;
    for (size_t i = first_proc; ready > 0 && i < n; i++)
        if (c->pfd[i].revents)
            coll_proc_begin_end(c, c->pfd_proc[i], now);
    if (c->nconns && coll_session_serve(c, now) != 0)
        return -1;
    watch_fallback(c, now);
    return watch_ends(c, now);
}
