/*
 * coll_proc.c -- process images: registration at the hello (a second hello
 * of a live pid is an exec and ends the image it replaces), the end of an
 * image (drain to the head, waiting COLL_GRACE_NS for a record reserved but
 * never sealed), and the final rows of an image.
 *
 * Times of an image: start_ns < every record's time < end_ns, and an exec'd
 * image starts after the one it replaces ended, so (pid, time) names one
 * image.
 */
#include "coll_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hq_ring.h"

coll_proc_t *coll_proc_live(coll_t *c, pid_t pid)
{
    for (size_t i = c->nprocs; i-- > 0;)
        if (c->procs[i]->pid == pid && c->procs[i]->state == COLL_PROC_LIVE)
            return c->procs[i];
    return NULL;
}

/* The newest image of pid that has not ended (it may be ending). */
static coll_proc_t *proc_current(coll_t *c, pid_t pid)
{
    for (size_t i = c->nprocs; i-- > 0;)
        if (c->procs[i]->pid == pid && c->procs[i]->state != COLL_PROC_DONE)
            return c->procs[i];
    return NULL;
}

static int proc_maps_init(coll_proc_t *p)
{
    if (coll_blocks_init(&p->blocks, 256) || coll_kmap_init(&p->slot_of, 64) ||
        coll_kmap_init(&p->thread_of, 16))
        return -1;
    p->slots = calloc(16, sizeof *p->slots);
    p->slots_cap = 16;
    p->nslots = 1; /* slot 0: allocations without a callsite */
    return p->slots ? 0 : -1;
}

static coll_proc_t *proc_new(coll_t *c, const hq_hello_t *h, hq_ring_hdr_t *hdr,
                             size_t map_bytes, int64_t start)
{
    coll_proc_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->id = c->next_proc_id++;
    p->pid = h->pid;
    p->ppid = h->ppid;
    p->forked = (h->flags & HQ_HELLO_FORK) != 0;
    p->attached = (h->flags & HQ_HELLO_ATTACH) != 0;
    p->hdr = hdr;
    p->map_bytes = map_bytes;
    p->tail = __atomic_load_n(&hdr->tail, __ATOMIC_ACQUIRE);
    p->capacity = hdr->capacity;
    p->pidfd = p->statm_fd = -1;
    p->start_ns = p->last_ns = start;
    p->peak_ns = p->rss_last = p->rss_last_ns = p->peak_rss = -1;
    if (proc_maps_init(p) != 0) {
        coll_proc_free(p);
        return NULL;
    }
    return p;
}

static void proc_release(coll_proc_t *p)
{
    if (p->hdr) {
        __atomic_store_n(&p->hdr->detached, 1, __ATOMIC_RELEASE);
        munmap(p->hdr, p->map_bytes);
        p->hdr = NULL;
    }
    if (p->pidfd >= 0)
        close(p->pidfd);
    if (p->statm_fd >= 0)
        close(p->statm_fd);
    p->pidfd = p->statm_fd = -1;
    coll_blocks_free(&p->blocks);
    coll_kmap_free(&p->slot_of);
    coll_kmap_free(&p->thread_of);
    free(p->slots);
    free(p->stack_slot);
    free(p->mods);
    free(p->threads);
    p->slots = NULL;
    p->stack_slot = NULL;
    p->mods = NULL;
    p->threads = NULL;
    p->nslots = p->stacks_cap = 0;
    p->nmods = p->nthreads = 0;
}

void coll_proc_free(coll_proc_t *p)
{
    if (!p)
        return;
    proc_release(p);
    free(p);
}

/* Everything a dead image wrote: sealed records, then unsealed ones skipped
 * as lost (nobody can seal them any more). */
static int proc_drain_dead(coll_t *c, coll_proc_t *p)
{
    for (;;) {
        long n;
        while ((n = coll_drain_ring(c, p, COLL_DRAIN_MAX)) > 0)
            ;
        if (n < 0)
            return -1;
        if (p->stopped || !coll_drain_pending(p))
            return 0;
        if (coll_drain_skip(c, p) != 0)
            return -1;
    }
}

/* The image replaced by an exec: it ends just before the new one starts. */
static int proc_exec_end(coll_t *c, coll_proc_t *old, int64_t *start, int *pidfd)
{
    if (proc_drain_dead(c, old) != 0)
        return -1;
    old->end_ns = old->last_ns + 1 > *start - 1 ? old->last_ns + 1 : *start - 1;
    if (*start <= old->end_ns)
        *start = old->end_ns + 1;
    *pidfd = old->pidfd;
    old->pidfd = -1;
    return coll_proc_finalize(c, old, "exec", old->end_ns);
}

static int proc_insert_row(coll_t *c, const coll_proc_t *p, const char *exe, const char *cmdline)
{
    coll_batch_t *rows = &c->batch[COLL_B_PROCS];
    int64_t exe_v = coll_batch_text(rows, exe[0] ? exe : NULL, strlen(exe));
    int64_t cmd_v = coll_batch_text(rows, cmdline[0] ? cmdline : NULL, strlen(cmdline));
    int64_t *v = coll_batch_slot(rows);
    v[0] = p->id;
    v[1] = p->pid;
    v[2] = p->ppid;
    v[3] = exe_v;
    v[4] = cmd_v;
    v[5] = p->start_ns;
    v[6] = p->forked;
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

static int proc_append(coll_t *c, coll_proc_t *p)
{
    if (c->nprocs == c->procs_cap) {
        size_t cap = c->procs_cap ? c->procs_cap * 2 : 16;
        coll_proc_t **procs = realloc(c->procs, cap * sizeof *procs);
        if (!procs)
            return coll_fail(c, "out of memory");
        c->procs = procs;
        c->procs_cap = cap;
    }
    c->procs[c->nprocs++] = p;
    return 0;
}

/* /proc handles of a new image, and what its parent already told us. */
static int proc_attach(coll_t *c, coll_proc_t *p, int pidfd)
{
    char path[64], state;
    int code;
    coll_proc_t *parent;
    p->pidfd = pidfd >= 0 ? pidfd : (int)syscall(SYS_pidfd_open, p->pid, 0);
    snprintf(path, sizeof path, "/proc/%d/statm", (int)p->pid);
    p->statm_fd = open(path, O_RDONLY | O_CLOEXEC);
    coll_procfs_stat(p->pid, &p->starttime, &state, &code);
    if (!p->forked || !(parent = proc_current(c, p->ppid)))
        return 0;
    /* The parent's records before the fork define stacks the child may use. */
    while (coll_drain_ring(c, parent, COLL_DRAIN_MAX) > 0)
        ;
    if (c->failed)
        return -1;
    return coll_tree_inherit(p, parent) == 0 ? 0 : coll_fail(c, "out of memory");
}

/* heapql attach: which process, and when it began recording (its hello;
 * every event it records is later). */
static int proc_attach_meta(coll_t *c, const coll_proc_t *p)
{
    char iso[64];
    coll_db_iso_time(c->start_unix_ns + p->start_ns, iso, sizeof iso);
    return coll_db_meta_int(c, "attach_pid", p->pid) ||
           coll_db_meta_int(c, "attach_start_ns", p->start_ns) ||
           coll_db_meta_text(c, "attach_start", iso) ? -1 : 0;
}

coll_proc_t *coll_proc_register(coll_t *c, const hq_hello_t *h, hq_ring_hdr_t *hdr,
                                size_t map_bytes, const char *exe, const char *cmdline)
{
    int64_t start = (int64_t)(h->ns - c->t0);
    coll_proc_t *old = coll_proc_live(c, h->pid), *p;
    int pidfd = -1;
    if (start < 0)
        start = 0;
    if (old && coll_watch_pidfd_ended(old->pidfd)) {
        coll_proc_begin_end(c, old, c->now); /* that pid died and was reused */
        old = NULL;
    }
    if (old && proc_exec_end(c, old, &start, &pidfd) != 0)
        return NULL;
    p = proc_new(c, h, hdr, map_bytes, start);
    if (!p) {
        if (pidfd >= 0)
            close(pidfd);
        coll_fail(c, "out of memory");
        return NULL;
    }
    if (proc_attach(c, p, pidfd) != 0 || proc_insert_row(c, p, exe, cmdline) != 0 ||
        proc_append(c, p) != 0) {
        p->hdr = NULL; /* the caller unmaps it */
        coll_proc_free(p);
        return NULL;
    }
    c->connected++;
    if (!c->pid_base_set) { /* before any allocations row (coll_heap.c) */
        c->pid_base = p->pid;
        c->pid_base_set = 1;
        coll_db_meta_int(c, "pid_base", p->pid); /* a failure is in c->failed */
    }
    if (p->attached)
        proc_attach_meta(c, p); /* a failure is in c->failed */
    coll_sample_proc(c, p, start, coll_procfs_rss(p->statm_fd)); /* a failure is in c->failed */
    if (c->root_reaped && p->pid == c->root_pid && c->root_status_set) {
        /* the command layer reaped it while its hello waited in the backlog */
        p->have_status = 1;
        p->wait_status = c->root_status;
        coll_proc_begin_end(c, p, c->now);
    }
    return p;
}

void coll_proc_begin_end(coll_t *c, coll_proc_t *p, uint64_t now)
{
    unsigned long long starttime = 0;
    char state = 0;
    int code = -1;
    if (p->state != COLL_PROC_LIVE)
        return;
    p->state = COLL_PROC_ENDING;
    p->end_detect_ns = (int64_t)(now - c->t0);
    p->end_deadline = now + COLL_GRACE_NS;
    /* Not our child: its wait status is readable while it is a zombie. */
    if (!p->have_status && coll_procfs_stat(p->pid, &starttime, &state, &code) == 0 &&
        starttime == p->starttime && state == 'Z' && code >= 0) {
        p->have_status = 1;
        p->wait_status = code;
    }
}

static const char *proc_end_reason(const coll_proc_t *p, int *code, int *sig)
{
    *code = *sig = -1;
    if (p->have_status && WIFEXITED(p->wait_status)) {
        *code = WEXITSTATUS(p->wait_status);
        return "exit";
    }
    if (p->have_status && WIFSIGNALED(p->wait_status)) {
        *sig = WTERMSIG(p->wait_status);
        return "signal";
    }
    if (p->have_exit_rec) {
        *code = p->exit_rec_status & 0xff;
        return "exit";
    }
    return "signal"; /* gone without exit(): killed, signal unknown */
}

int coll_proc_progress_end(coll_t *c, coll_proc_t *p, uint64_t now)
{
    long n = coll_drain_ring(c, p, COLL_DRAIN_MAX);
    if (n < 0)
        return -1;
    if (!p->stopped && coll_drain_pending(p)) {
        if (n > 0 || now < p->end_deadline)
            return 0;
        if (coll_drain_skip(c, p) != 0)
            return -1;
        if (coll_drain_pending(p))
            return 0;
    }
    p->end_ns = p->last_ns + 1 > p->end_detect_ns ? p->last_ns + 1 : p->end_detect_ns;
    return coll_proc_finalize(c, p, NULL, p->end_ns);
}

static int64_t proc_opt(int64_t v)
{
    return v < 0 ? COLL_NULL : v;
}

/* The UPDATE follows the image's INSERT: that batch goes first. */
static int proc_update_row(coll_t *c, const coll_proc_t *p, const char *reason, int64_t end_ns,
                           int code, int sig, int64_t peak_rss)
{
    coll_batch_t *rows = &c->batch[COLL_B_PROC_END];
    if (coll_batch_flush(&c->batch[COLL_B_PROCS]) != 0)
        return coll_db_failed(c);
    int64_t why = coll_batch_text(rows, reason, strlen(reason));
    const int64_t v[] = {p->id, proc_opt(end_ns), proc_opt(code), proc_opt(sig), why,
                         (int64_t)p->peak_bytes, (int64_t)coll_units(c, p->peak_blocks),
                         proc_opt(p->peak_ns), proc_opt(peak_rss),
                         (int64_t)coll_units(c, p->alloc_calls),
                         (int64_t)coll_units(c, p->free_calls),
                         (int64_t)p->failed_allocs, (int64_t)p->unknown_frees,
                         (int64_t)p->ring_waits, (int64_t)p->ring_wait_ns,
                         (int64_t)p->lost_events, (int64_t)p->missed_frees,
                         (int64_t)p->unsampled_frees, (int64_t)p->preexisting_frees};
    memcpy(coll_batch_slot(rows), v, sizeof v);
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

/* Figures the shim keeps in the ring header. */
static void proc_ring_totals(coll_t *c, coll_proc_t *p)
{
    hq_ring_hdr_t *hdr = p->hdr;
    if (!hdr)
        return;
    p->ring_waits = __atomic_load_n(&hdr->waits, __ATOMIC_RELAXED);
    p->ring_wait_ns = __atomic_load_n(&hdr->wait_ns, __ATOMIC_RELAXED);
    p->unknown_frees += __atomic_load_n(&hdr->unknown_frees, __ATOMIC_RELAXED);
    if (__atomic_load_n(&hdr->detached, __ATOMIC_ACQUIRE) && !p->we_detached)
        coll_truncate(c, "the shim of pid %d stopped recording (detached)", (int)p->pid);
}

/* Write the image's rows and free its maps.  reason NULL: from its end
 * (exit status, exit record); end_ns -1: still running (NULL in the row). */
int coll_proc_finalize(coll_t *c, coll_proc_t *p, const char *reason, int64_t end_ns)
{
    int code = -1, sig = -1;
    const char *why = proc_end_reason(p, &code, &sig);
    if (p->state == COLL_PROC_DONE)
        return 0;
    p->state = COLL_PROC_DONE;
    if (reason) {
        why = reason;
        if (strcmp(reason, "exec") == 0 || end_ns < 0)
            code = sig = -1;
    }
    proc_ring_totals(c, p);
    int64_t ns = end_ns >= 0 ? end_ns : coll_rel_now(c);
    int64_t rss = end_ns >= 0 ? -1 : coll_procfs_rss(p->statm_fd);
    if (coll_thread_end_all(c, p) || coll_heap_end(c, p) || coll_finish_stats(c, p) ||
        coll_sample_proc(c, p, ns, rss) ||
        proc_update_row(c, p, why, end_ns, code, sig, coll_sample_peak_rss(p)))
        return -1;
    proc_release(p);
    return 0;
}
