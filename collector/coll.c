/*
 * coll.c -- the life cycle of coll.h: open, root, step, finish, close.
 * The loop itself is in coll_watch.c (waiting), coll_drain.c (records) and
 * coll_proc.c (process images).
 */
#include "coll_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hq_ring.h"
#include "hq_sample.h"

int coll_fail(coll_t *c, const char *fmt, ...)
{
    va_list ap;
    if (c->failed)
        return -1;  /* keep the first message: it names the cause */
    va_start(ap, fmt);
    vsnprintf(c->fail, sizeof c->fail, fmt, ap);
    va_end(ap);
    c->failed = 1;
    return -1;
}

void coll_truncate(coll_t *c, const char *fmt, ...)
{
    va_list ap;
    if (c->truncated)
        return;  /* the first reason is the one reported */
    va_start(ap, fmt);
    vsnprintf(c->reason, sizeof c->reason, fmt, ap);
    va_end(ap);
    c->truncated = 1;
}

/* Tell every shim to stop: nothing will drain its ring any more. */
void coll_detach_all(coll_t *c)
{
    for (size_t i = 0; i < c->nprocs; i++) {
        coll_proc_t *p = c->procs[i];
        if (p->hdr) {
            __atomic_store_n(&p->hdr->detached, 1, __ATOMIC_RELEASE);
            p->we_detached = 1;
        }
    }
}

void coll_detach(coll_t *c)
{
    if (c)
        coll_detach_all(c);
}

int64_t coll_rel_now(const coll_t *c)
{
    return (int64_t)(hq_now_ns() - c->t0);
}

static void coll_copy_err(const coll_t *c, char *err, size_t errlen)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", c->fail[0] ? c->fail : "collector error");
}

static int coll_check_config(const coll_config_t *cfg, char *err, size_t errlen)
{
    if (!cfg || !cfg->db_path || !cfg->db_path[0]) {
        snprintf(err, errlen, "no database path given");
        return -1;
    }
    if (cfg->listen_fd < 0 && (!cfg->socket_path || !cfg->socket_path[0])) {
        snprintf(err, errlen, "no socket to listen on");
        return -1;
    }
    if (cfg->depth > HQ_DEPTH_MAX) {
        snprintf(err, errlen, "stack depth %u out of range 1..%u", cfg->depth, HQ_DEPTH_MAX);
        return -1;
    }
    if (cfg->sample_rate > HQ_SAMPLE_RATE_MAX) {
        snprintf(err, errlen, "sample rate %llu out of range 0..%llu bytes",
                 (unsigned long long)cfg->sample_rate, (unsigned long long)HQ_SAMPLE_RATE_MAX);
        return -1;
    }
    return 0;
}

static coll_t *coll_alloc(const coll_config_t *cfg)
{
    coll_t *c = calloc(1, sizeof *c);
    struct timespec rt;
    if (!c)
        return NULL;
    c->listen_fd = cfg->listen_fd;
    c->root_pidfd = c->db_fd = -1;
    c->depth = cfg->depth ? cfg->depth : HQ_DEPTH_DEFAULT;
    c->sample_rate = cfg->sample_rate;
    c->aggregate = cfg->aggregate != 0;
    c->unit_shift = cfg->sample_rate ? COLL_SAMPLED_UNIT_SHIFT : 0;
    c->mode = cfg->listen_fd >= 0 ? "standalone" : "run";
    c->before_complete = cfg->before_complete;
    c->before_complete_arg = cfg->before_complete_arg;
    c->next_frame_id = c->next_callsite_id = c->next_module_id = c->next_proc_id = 1;
    c->t0 = hq_now_ns();
    clock_gettime(CLOCK_REALTIME, &rt);
    c->start_unix_ns = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec;
    c->next_sample = c->t0 + COLL_SAMPLE_NS;
    c->next_commit = c->t0 + COLL_COMMIT_NS;
    c->recbuf = malloc(HQ_REC_MAX + 8);
    if (!c->recbuf || coll_kmap_init(&c->frame_of, 4096) ||
        coll_kmap_init(&c->callsite_of, 4096)) {
        coll_close(c);
        return NULL;
    }
    return c;
}

/* coll_open failed after the file was created: remove what we made. */
static void coll_open_undo(coll_t *c)
{
    char *path = c->db_path ? strdup(c->db_path) : NULL;
    coll_db_close(c);
    if (path) {
        char side[4096];
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
        free(path);
    }
}

int coll_open(coll_t **out, const coll_config_t *cfg, char *err, size_t errlen)
{
    coll_t *c;
    *out = NULL;
    if (coll_check_config(cfg, err, errlen) != 0)
        return -1;
    c = coll_alloc(cfg);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (coll_env_check(c) != 0 || coll_db_create(c, cfg) != 0 ||
        coll_session_listen(c, cfg) != 0) {
        coll_copy_err(c, err, errlen);
        coll_open_undo(c);
        c->finished = 1;
        coll_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

static int coll_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int coll_set_root(coll_t *c, pid_t pid, int reaped, char *err, size_t errlen)
{
    if (pid <= 0) {
        snprintf(err, errlen, "invalid root pid %d", (int)pid);
        return -1;
    }
    if (c->root_pidfd >= 0)
        close(c->root_pidfd);
    c->root_pidfd = -1;
    c->root_pid = pid;
    c->root_reaped = reaped;
    c->root_dead = 0;
    if (!reaped) {
        c->root_pidfd = coll_pidfd_open(pid);
        if (c->root_pidfd < 0 && errno == ESRCH)
            c->root_dead = 1;
        if (strcmp(c->mode, "run") == 0) {
            c->mode = "attach";
            if (coll_db_meta_text(c, "mode", c->mode) != 0) {
                coll_copy_err(c, err, errlen);
                return -1;
            }
        }
    }
    return 0;
}

/* The root's newest image that has not ended yet ends with this status. */
void coll_root_ended(coll_t *c, int wait_status)
{
    if (!c)
        return;
    c->root_dead = 1;
    c->root_status_set = 1;
    c->root_status = wait_status;
    for (size_t i = c->nprocs; i-- > 0;) {
        coll_proc_t *p = c->procs[i];
        if (p->pid != c->root_pid || p->state == COLL_PROC_DONE)
            continue;
        p->have_status = 1;
        p->wait_status = wait_status;
        coll_proc_begin_end(c, p, hq_now_ns());
        return;
    }
}

uint64_t coll_connected(const coll_t *c)
{
    return c ? c->connected : 0;
}

/* Standalone: the root and every registered process have ended. */
static int coll_all_done(const coll_t *c)
{
    if (c->root_reaped || !c->root_pid || !c->root_dead || c->nconns)
        return 0;
    for (size_t i = 0; i < c->nprocs; i++)
        if (c->procs[i]->state != COLL_PROC_DONE)
            return 0;
    return 1;
}

static int coll_periodic(coll_t *c, uint64_t now)
{
    if (now >= c->next_sample) {
        c->next_sample = now + COLL_SAMPLE_NS;
        if (coll_sample_all(c) != 0)
            return -1;
    }
    if (now >= c->next_commit) {
        c->next_commit = now + COLL_COMMIT_NS;
        if (coll_db_commit(c) != 0)
            return -1;
    }
    return 0;
}

/* A fatal error: every shim stops (none may wait on a ring nobody drains)
 * and the socket goes away, so a process starting from now on (a fork
 * child, an exec) is refused at once instead of waiting for an ack that
 * never comes.  Returns -1. */
static int coll_step_failed(coll_t *c, char *err, size_t errlen)
{
    coll_detach_all(c);
    coll_session_close(c);
    coll_copy_err(c, err, errlen);
    return -1;
}

int coll_step(coll_t *c, int timeout_ms, char *err, size_t errlen)
{
    long n;
    uint64_t now;
    if (c->finished) {
        snprintf(err, errlen, "the recording is finished");
        return -1;
    }
    if (c->failed) {
        coll_copy_err(c, err, errlen);
        return -1;
    }
    /* Started here rather than in coll_open: the command layer forks the
     * program in between, better from a process with one thread. */
    coll_writer_start(&c->w);
    if (coll_writer_failed(&c->w, NULL, 0)) {
        coll_db_failed(c);
        return coll_step_failed(c, err, errlen);
    }
    n = coll_drain_all(c);
    now = hq_now_ns();
    if (n > 0)
        c->last_busy = now;
    if (n < 0 || coll_watch(c, n > 0 ? 0 : timeout_ms, now) != 0 ||
        coll_periodic(c, hq_now_ns()) != 0)
        return coll_step_failed(c, err, errlen);
    if (coll_all_done(c))
        return COLL_STEP_DONE;
    return n > 0 ? COLL_STEP_BUSY : COLL_STEP_IDLE;
}

int coll_finish(coll_t *c, int interrupted, coll_summary_t *summary, char *err, size_t errlen)
{
    coll_summary_t dummy;
    if (!summary)
        summary = &dummy;
    memset(summary, 0, sizeof *summary);
    if (!c || c->finished) {
        snprintf(err, errlen, "the recording is already finished");
        return -1;
    }
    if (coll_finish_run(c, interrupted, summary) != 0) {
        coll_copy_err(c, err, errlen);
        return -1;
    }
    return 0;
}

void coll_close(coll_t *c)
{
    if (!c)
        return;
    if (!c->finished && c->db)
        coll_finish_abort(c, c->failed ? c->fail
                                       : "recording aborted: the collector was closed before finishing");
    for (size_t i = 0; i < c->nprocs; i++)
        coll_proc_free(c->procs[i]);
    free(c->procs);
    coll_session_close(c);
    if (c->root_pidfd >= 0)
        close(c->root_pidfd);
    coll_db_close(c);
    coll_kmap_free(&c->frame_of);
    coll_kmap_free(&c->callsite_of);
    free(c->recbuf);
    free(c->pfd);
    free(c->pfd_proc);
    free(c->db_path);
    free(c);
}
