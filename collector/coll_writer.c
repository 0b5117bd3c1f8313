/*
 * coll_writer.c -- the writer thread.  SQLite costs ~600 ns of CPU per
 * allocations row on the target machine, the loop (drain, pairing) ~250 ns
 * per allocation/free pair; with the inserts on a thread of their own the
 * two run side by side.  The loop hands over full blocks of rows
 * (coll_batch.c) through a FIFO; at most WRITER_MAX_PENDING blocks wait, so
 * a writer that falls behind slows the loop, and with it the rings, instead
 * of growing memory without bound.
 *
 * The connection is shared under w->db: the writer holds it per block and
 * for the periodic COMMIT, the loop for the few statements it runs itself
 * (meta).  The
 * thread blocks every signal: they belong to the command layer.
 *
 * Without a running writer (before the first coll_step, after
 * coll_writer_stop) blocks are written at once by the caller.
 */
#include "coll_int.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WRITER_MAX_PENDING 8

int coll_writer_init(coll_writer_t *w, sqlite3 *db)
{
    memset(w, 0, sizeof *w);
    w->dbh = db;
    w->marker = calloc(1, sizeof *w->marker);
    if (!w->marker)
        return -1;
    if (pthread_mutex_init(&w->lock, NULL) != 0)
        return -1;
    if (pthread_mutex_init(&w->db, NULL) != 0 || pthread_cond_init(&w->cond, NULL) != 0)
        return -1;
    w->inited = 1;
    return 0;
}

void coll_writer_destroy(coll_writer_t *w)
{
    if (!w->inited)
        return;
    coll_writer_stop(w);
    free(w->marker);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->db);
    pthread_cond_destroy(&w->cond);
    w->inited = 0;
}

/* Record the first error; returns -1. */
int coll_writer_error(coll_writer_t *w, const char *msg)
{
    pthread_mutex_lock(&w->lock);
    if (!w->failed)
        snprintf(w->fail, sizeof w->fail, "%s", msg);
    w->failed = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return -1;
}

int coll_writer_failed(coll_writer_t *w, char *buf, size_t len)
{
    int failed;
    pthread_mutex_lock(&w->lock);
    failed = w->failed;
    if (failed && buf)
        snprintf(buf, len, "%s", w->fail);
    pthread_mutex_unlock(&w->lock);
    return failed;
}

static int writer_block(coll_writer_t *w, coll_rows_t *r)
{
    char msg[256];
    int rc;
    pthread_mutex_lock(&w->db);
    rc = coll_batch_write(r->batch, r);
    if (rc != 0)
        coll_batch_errmsg(r->batch, msg, sizeof msg);
    pthread_mutex_unlock(&w->db);
    return rc == 0 ? 0 : coll_writer_error(w, msg);
}

/* COMMIT then BEGIN, on the writer's side of the connection. */
static void writer_commit(coll_writer_t *w)
{
    char msg[256] = "";
    pthread_mutex_lock(&w->db);
    if (sqlite3_exec(w->dbh, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(w->dbh, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        coll_db_errmsg(w->dbh, msg, sizeof msg);
    pthread_mutex_unlock(&w->db);
    if (msg[0])
        coll_writer_error(w, msg);
}

/* With w->lock held. */
static void writer_enqueue(coll_writer_t *w, coll_rows_t *r)
{
    r->next = NULL;
    if (w->head)
        w->tail->next = r;
    else
        w->head = r;
    w->tail = r;
    pthread_cond_broadcast(&w->cond);
}

static void *writer_main(void *arg)
{
    coll_writer_t *w = arg;
    pthread_setname_np(pthread_self(), "heapql-writer");
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->cond, &w->lock);
        coll_rows_t *r = w->head;
        if (!r)
            break;
        w->head = r->next;
        int failed = w->failed;
        if (r == w->marker) { /* a commit, after the blocks queued before it */
            w->commit = 0;
            pthread_mutex_unlock(&w->lock);
            if (!failed)
                writer_commit(w);
            pthread_mutex_lock(&w->lock);
            continue;
        }
        pthread_mutex_unlock(&w->lock);
        if (!failed) /* after an error blocks are dropped: the run is lost anyway */
            writer_block(w, r);
        pthread_mutex_lock(&w->lock);
        r->rows = r->text_len = 0;
        r->next = r->batch->spare;
        r->batch->spare = r;
        w->pending--;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int coll_writer_start(coll_writer_t *w)
{
    sigset_t all, old;
    int rc;
    if (w->running)
        return 0;
    w->stop = 0;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&w->thread, NULL, writer_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1; /* not fatal: blocks are written inline */
    w->running = 1;
    return 0;
}

/* Hand b's current block to the writer; b gets an empty one. */
int coll_writer_submit(coll_writer_t *w, coll_batch_t *b)
{
    coll_rows_t *fresh;
    pthread_mutex_lock(&w->lock);
    writer_enqueue(w, b->cur);
    w->pending++;
    while (!b->spare && w->pending >= WRITER_MAX_PENDING)
        pthread_cond_wait(&w->cond, &w->lock);
    fresh = b->spare;
    if (fresh)
        b->spare = fresh->next;
    pthread_mutex_unlock(&w->lock);
    if (!fresh)
        fresh = coll_batch_block(b);
    pthread_mutex_lock(&w->lock);
    while (!fresh && !b->spare) /* out of memory: the block just queued comes back */
        pthread_cond_wait(&w->cond, &w->lock);
    if (!fresh) {
        fresh = b->spare;
        b->spare = fresh->next;
    }
    int failed = w->failed;
    pthread_mutex_unlock(&w->lock);
    b->cur = fresh;
    return failed ? -1 : 0;
}

/* Ask for a commit once the blocks before it are written.  Returns 1 when
 * the writer takes it, 0 when no writer runs (the caller commits). */
int coll_writer_commit(coll_writer_t *w)
{
    if (!w->running)
        return 0;
    pthread_mutex_lock(&w->lock);
    if (!w->commit) { /* one commit waiting is enough */
        w->commit = 1;
        writer_enqueue(w, w->marker);
    }
    pthread_mutex_unlock(&w->lock);
    return 1;
}

/* Until every submitted block is written (or dropped after an error). */
static void writer_wait(coll_writer_t *w)
{
    if (!w->running)
        return;
    pthread_mutex_lock(&w->lock);
    while (w->pending)
        pthread_cond_wait(&w->cond, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

void coll_writer_stop(coll_writer_t *w)
{
    if (!w->running)
        return;
    writer_wait(w);
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->running = 0;
}

void coll_writer_lock(coll_writer_t *w)
{
    if (w->running)
        pthread_mutex_lock(&w->db);
}

void coll_writer_unlock(coll_writer_t *w)
{
    if (w->running)
        pthread_mutex_unlock(&w->db);
}
