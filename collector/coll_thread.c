/*
 * coll_thread.c -- threads of a process image: what the heap needs per
 * thread (last allocation, parked realloc block) and the `threads` rows.
 * A thread's row is written after it ends or when its image ends; a thread
 * seen only through its allocations gets a row without start/name.
 *
 * HQ_THREAD_END comes from the shim's pthread key destructor, and the
 * destructors of keys created later run after it (they may allocate and
 * free): an ended thread stays known, its end moving to its last event,
 * until its tid starts again, its image ends, or more than
 * THREAD_ENDED_MAX ended threads wait (then they are written).
 */
#include "coll_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREAD_ENDED_MAX 64

/* Consecutive records mostly come from one thread: the last one found is
 * tried before the map (an entry moved by thread_remove fails the check). */
coll_thread_t *coll_thread_find(coll_proc_t *p, uint32_t tid)
{
    uint64_t *v;
    if (p->thread_hint < p->nthreads && p->threads[p->thread_hint].tid == tid)
        return &p->threads[p->thread_hint];
    v = coll_kmap_find(&p->thread_of, tid, 0);
    if (!v)
        return NULL;
    p->thread_hint = (size_t)*v;
    return &p->threads[*v];
}

/* heapql attach: a thread announced to an earlier attach sends no START
 * again; its name comes from /proc while it runs. */
static void thread_comm(const coll_proc_t *p, coll_thread_t *th)
{
    char path[64];
    ssize_t n;
    int fd;
    snprintf(path, sizeof path, "/proc/%d/task/%u/comm", (int)p->pid, th->tid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    n = read(fd, th->name, HQ_TNAME_LEN);
    close(fd);
    th->name[n > 0 ? n : 0] = '\0';
    th->name[strcspn(th->name, "\n")] = '\0';
}

coll_thread_t *coll_thread_get(coll_proc_t *p, uint32_t tid)
{
    coll_thread_t *th = coll_thread_find(p, tid);
    if (th)
        return th;
    if (p->nthreads == p->threads_cap) {
        size_t cap = p->threads_cap ? p->threads_cap * 2 : 8;
        coll_thread_t *t = realloc(p->threads, cap * sizeof *t);
        if (!t)
            return NULL;
        p->threads = t;
        p->threads_cap = cap;
    }
    if (coll_kmap_put(&p->thread_of, tid, 0, p->nthreads) != 0)
        return NULL;
    th = &p->threads[p->nthreads++];
    memset(th, 0, sizeof *th);
    th->tid = tid;
    th->start_ns = th->end_ns = -1;
    if (p->attached)
        thread_comm(p, th);
    return th;
}

static void thread_remove(coll_proc_t *p, coll_thread_t *th)
{
    size_t i = (size_t)(th - p->threads), last = p->nthreads - 1;
    coll_kmap_del(&p->thread_of, th->tid, 0);
    if (i != last) {
        p->threads[i] = p->threads[last];
        coll_kmap_put(&p->thread_of, p->threads[i].tid, 0, i); /* overwrite: no allocation */
    }
    p->nthreads--;
}

/* The thread's row; its parked realloc block (if any) was freed, and its
 * last allocation, if still live, stays temporary-eligible without it. */
static int thread_close(coll_t *c, coll_proc_t *p, coll_thread_t *th)
{
    coll_batch_t *rows = &c->batch[COLL_B_THREADS];
    int64_t *v;
    coll_block_t *last = th->has_last ? coll_blocks_find(&p->blocks, th->last_alloc_ptr) : NULL;
    if (last && last->alloc_ns == th->last_alloc_ns)
        last->flags |= COLL_BLOCK_LAST_OF_THREAD;
    if (th->parked && coll_heap_unpark(c, p, th) != 0)
        return -1;
    int64_t name = coll_batch_text(rows, th->name[0] ? th->name : NULL, strlen(th->name));
    v = coll_batch_slot(rows);
    v[0] = p->pid;
    v[1] = th->tid;
    v[2] = name;
    v[3] = th->start_ns < 0 ? COLL_NULL : th->start_ns;
    v[4] = th->end_ns < 0 ? COLL_NULL : th->end_ns;
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

static void thread_name(coll_thread_t *th, const char *name)
{
    if (name[0]) {
        memcpy(th->name, name, HQ_TNAME_LEN);
        th->name[HQ_TNAME_LEN] = '\0';
    }
}

/* Write the rows of the ended threads still held, but the one of tid keep
 * (it ended just now: its late events are still to come). */
static int thread_close_ended(coll_t *c, coll_proc_t *p, uint32_t keep)
{
    for (size_t i = 0; i < p->nthreads;) {
        coll_thread_t *th = &p->threads[i];
        if (!th->ended || th->tid == keep) {
            i++;
            continue;
        }
        if (thread_close(c, p, th) != 0)
            return -1;
        thread_remove(p, th); /* the last one moves to i */
    }
    p->threads_ended = 1;
    return 0;
}

int coll_thread_record(coll_t *c, coll_proc_t *p, const hq_rec_thread_t *r, int64_t t)
{
    coll_thread_t *th = coll_thread_find(p, r->tid);
    if (r->event == HQ_THREAD_START && th && (th->started || th->ended)) {
        /* tid reused (with or without an end seen): close the earlier thread first */
        if (thread_close(c, p, th) != 0)
            return -1;
        p->threads_ended -= th->ended != 0;
        thread_remove(p, th);
        th = NULL;
    }
    if (!th && !(th = coll_thread_get(p, r->tid)))
        return coll_fail(c, "out of memory");
    thread_name(th, r->name);
    if (r->event == HQ_THREAD_START) {
        th->started = 1;
        th->start_ns = t;
        return 0;
    }
    if (r->event != HQ_THREAD_END || th->ended)
        return 0;
    th->end_ns = t;
    th->ended = 1;
    if (th->parked && coll_heap_unpark(c, p, th) != 0) /* realloc(p, 0) was its last act */
        return -1;
    return ++p->threads_ended > THREAD_ENDED_MAX ? thread_close_ended(c, p, r->tid) : 0;
}

int coll_thread_end_all(coll_t *c, coll_proc_t *p)
{
    for (size_t i = 0; i < p->nthreads; i++)
        if (thread_close(c, p, &p->threads[i]) != 0)
            return -1;
    return 0;
}
