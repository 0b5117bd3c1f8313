/* tui_worker.c -- see tui_worker.h.  One mutex guards the pending slots,
 * the finished queue and the running kind; the cancel flag is atomic
 * because SQLite's progress handler reads it in the middle of a query. */
#include "tui_worker.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Virtual machine steps between two looks at the cancel flag: ~0.1 ms. */
#define WORKER_PROGRESS_OPS 20000
/* Workers run a little nicer than the input loop: on a busy machine (or
 * two CPUs and two workers scanning) keys are still answered first. */
#define WORKER_NICE 5

struct tui_worker_s {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *path;
    int wake_fd;
    an_db_t db;
    int db_open, db_epoch;
    tui_job_t pending[TUI_JOB_N];
    int has_pending[TUI_JOB_N];
    int running;              /* kind, -1 idle */
    unsigned long long seq;
    atomic_int cancel;
    int stop;
    tui_done_t *done;
    size_t ndone, capdone;
};

static double worker_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int worker_progress(void *arg)
{
    tui_worker_t *w = arg;
    return atomic_load(&w->cancel);
}

static int worker_db(tui_worker_t *w, int epoch, char *err, size_t errlen)
{
    if (w->db_open && w->db_epoch == epoch)
        return 0;
    if (w->db_open)
        an_db_close(&w->db);
    w->db_open = 0;
    if (an_db_open(&w->db, w->path, AN_DB_READ, err, errlen) != 0)
        return -1;
    sqlite3_progress_handler(w->db.db, WORKER_PROGRESS_OPS, worker_progress, w);
    w->db_open = 1;
    w->db_epoch = epoch;
    return 0;
}

/* The waiting job to run next: the lowest kind (summary before the rest). */
static int worker_take(tui_worker_t *w, tui_job_t *j)
{
    for (int k = 0; k < TUI_JOB_N; k++)
        if (w->has_pending[k]) {
            *j = w->pending[k];
            w->has_pending[k] = 0;
            w->running = k;
            atomic_store(&w->cancel, 0);
            return 1;
        }
    return 0;
}

static void worker_post(tui_worker_t *w, tui_done_t *d)
{
    int keep = d->rc == 0 || !atomic_load(&w->cancel);
    pthread_mutex_lock(&w->mu);
    w->running = -1;
    if (keep && w->ndone == w->capdone) {
        size_t cap = w->capdone ? w->capdone * 2 : 8;
        tui_done_t *v = realloc(w->done, cap * sizeof *v);
        if (v) {
            w->done = v;
            w->capdone = cap;
        }
    }
    if (keep && w->ndone < w->capdone) {
        w->done[w->ndone++] = *d;
        d->data = NULL;
        d->job.kind = -1;
    }
    pthread_mutex_unlock(&w->mu);
    if (d->job.kind >= 0) /* superseded, or no memory to queue it */
        tui_done_free(d);
    if (write(w->wake_fd, "x", 1) < 0) {
        /* a full pipe already wakes the loop */
    }
}

static void worker_run(tui_worker_t *w, tui_job_t *j)
{
    tui_done_t d;
    double t0 = worker_ms();
    memset(&d, 0, sizeof d);
    d.job = *j;
    d.rc = worker_db(w, j->epoch, d.err, sizeof d.err);
    if (d.rc == 0)
        d.rc = tui_job_run(&w->db, j, &d.data, d.err, sizeof d.err);
    d.ms = worker_ms() - t0;
    worker_post(w, &d);
}

static void *worker_main(void *arg)
{
    tui_worker_t *w = arg;
    tui_job_t j;
    /* per thread on Linux (and inherited by threads it starts) */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE) != 0) {
        /* not allowed: run at the same priority */
    }
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        if (!worker_take(w, &j)) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        pthread_mutex_unlock(&w->mu);
        worker_run(w, &j);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    if (w->db_open)
        an_db_close(&w->db);
    return NULL;
}

tui_worker_t *tui_worker_start(const char *path, int wake_fd, char *err, size_t errlen)
{
    tui_worker_t *w = calloc(1, sizeof *w);
    sigset_t all, old;
    if (!w || !(w->path = strdup(path))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->wake_fd = wake_fd;
    w->running = -1;
    atomic_init(&w->cancel, 0);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    /* signals (resize, interrupt) belong to the UI thread */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start a worker thread");
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w->path);
        free(w);
        return NULL;
    }
    return w;
}

void tui_worker_submit(tui_worker_t *w, const tui_job_t *j, int cancel_running)
{
    pthread_mutex_lock(&w->mu);
    if (w->has_pending[j->kind])
        tui_job_release(&w->pending[j->kind]);
    w->pending[j->kind] = *j;
    w->pending[j->kind].seq = ++w->seq;
    w->has_pending[j->kind] = 1;
    if (cancel_running && w->running == j->kind)
        atomic_store(&w->cancel, 1);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int tui_worker_busy(tui_worker_t *w, int kind)
{
    pthread_mutex_lock(&w->mu);
    int busy = w->has_pending[kind] || w->running == kind;
    pthread_mutex_unlock(&w->mu);
    return busy;
}

size_t tui_worker_collect(tui_worker_t *w, tui_done_t *out, size_t max)
{
    size_t n;
    pthread_mutex_lock(&w->mu);
    n = w->ndone < max ? w->ndone : max;
    if (n > 0) {
        memcpy(out, w->done, n * sizeof *out);
        memmove(w->done, w->done + n, (w->ndone - n) * sizeof *w->done);
        w->ndone -= n;
    }
    pthread_mutex_unlock(&w->mu);
    return n;
}

void tui_worker_stop(tui_worker_t *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    atomic_store(&w->cancel, 1);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    for (int k = 0; k < TUI_JOB_N; k++)
        if (w->has_pending[k])
            tui_job_release(&w->pending[k]);
    for (size_t i = 0; i < w->ndone; i++)
        tui_done_free(&w->done[i]);
    free(w->done);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->path);
    free(w);
}
