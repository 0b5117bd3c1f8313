/*
 * shim_thread.c -- per-thread state (initial-exec TLS: no allocation, no
 * __tls_get_addr on the hot path) and HQ_REC_THREAD: a thread is announced
 * before its first record, and ended from a pthread key destructor, which
 * runs while the thread exits.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>

#include "shim.h"

__thread shim_tls_t shim_tls __attribute__((tls_model("initial-exec")));

static pthread_key_t thread_key;
static int thread_key_ok;

static void thread_send(hq_ring_hdr_t *r, const shim_tls_t *t, uint16_t event)
{
    hq_rec_thread_t rec;
    memset(&rec, 0, sizeof rec);
    rec.h.type = HQ_REC_THREAD;
    rec.h.len = sizeof rec;
    rec.tid = t->tid;
    rec.event = event;
    if (prctl(PR_GET_NAME, rec.name, 0, 0, 0) != 0)
        memset(rec.name, 0, sizeof rec.name);
    rec.name[HQ_TNAME_LEN - 1] = '\0';
    rec.ns = shim_stamp();
    shim_put(r, &rec.h);
}

/* Key destructor: the thread is exiting (not called for the main thread,
 * whose end is the process's). */
static void thread_end(void *value)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r = __atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE);
    int saved = errno;
    (void)value;
    if (t->ended || t->guard)
        return;
    t->ended = 1;
    shim_unwind_thread_end(t);
    if (!r || t->tid == 0)
        return;
    t->guard = 1;
    thread_send(r, t, HQ_THREAD_END);
    t->guard = 0;
    errno = saved;
}

int shim_thread_init(void)
{
    if (thread_key_ok)
        return 0;
    if (pthread_key_create(&thread_key, thread_end) != 0)
        return -1;
    thread_key_ok = 1;
    return 0;
}

void shim_thread_slow(hq_ring_hdr_t *r, shim_tls_t *t)
{
    int saved = errno;
    if (t->pending & SHIM_PEND_MODULES) {
        t->pending &= ~SHIM_PEND_MODULES;
        shim_modules_scan(r);
    }
    if (t->tid == 0) {
        t->tid = shim_gettid();
        if (!t->ended) {
            thread_send(r, t, HQ_THREAD_START);
            /* may calloc a key block: the guard is held, it passes through */
            if (thread_key_ok)
                pthread_setspecific(thread_key, (void *)1);
        }
    }
    errno = saved;
}

void shim_thread_forget(shim_tls_t *t)
{
    t->tid = 0;
    t->ended = 0;
    t->pending = 0;
}
