/*
 * shim_cancel.c -- ring reservations and pthread_cancel.
 *
 * A reservation may wait for room in nanosleep, a cancellation point.  A
 * thread cancelled there leaves its slot unsealed: the collector stops at
 * it for good, the ring fills, the program hangs.  So no thread may wait
 * for room with cancellation enabled once the program cancels threads.
 *
 * Until the program first calls pthread_cancel this costs a TLS store and
 * one load: a reservation marks itself unprotected, then reads
 * shim_cancel_seen (inline: shim_reserve_fast in shim.h).
 * Our pthread_cancel sets it, runs membarrier (an asymmetric
 * Dekker: every thread's earlier store is now visible) and waits until the
 * target is out of any unprotected reservation before cancelling it.  From
 * then on reservations turn cancellation off around themselves.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

int shim_cancel_seen;
static int cancel_expedited; /* registered for MEMBARRIER_CMD_PRIVATE_EXPEDITED */

void shim_cancel_init(void)
{
    cancel_expedited =
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0) == 0;
}

int shim_reserve(hq_ring_hdr_t *r, uint32_t len, uint64_t *pos)
{
    shim_tls_t *t = &shim_tls;
    int rc, cancel;
    t->ring_unprot = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* the other half is membarrier */
    if (SHIM_LIKELY(!__atomic_load_n(&shim_cancel_seen, __ATOMIC_RELAXED))) {
        rc = hq_ring_reserve(r, len, pos);
        __atomic_store_n(&t->ring_unprot, 0, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&t->ring_unprot, 0, __ATOMIC_RELEASE);
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
        rc = hq_ring_reserve(r, len, pos);
        pthread_setcancelstate(cancel, NULL);
    }
    if (SHIM_UNLIKELY(rc != 0))
        shim_session_detach();
    return rc;
}

/* Our TLS block of another thread: initial-exec TLS sits at the same
 * offset from every thread's pointer (glibc: pthread_t is that pointer). */
static shim_tls_t *cancel_tls_of(pthread_t th)
{
    return (shim_tls_t *)((char *)th + ((char *)&shim_tls - (char *)pthread_self()));
}

static void cancel_barrier(void)
{
    if (!cancel_expedited || syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) != 0)
        syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0);
}

SHIM_EXPORT int pthread_cancel(pthread_t th)
{
    const shim_tls_t *target;
    int saved = errno;
    if (!shim_real.pthread_cancel && (shim_boot_resolve() != 0 || !shim_real.pthread_cancel))
        return ESRCH;
    __atomic_store_n(&shim_cancel_seen, 1, __ATOMIC_SEQ_CST);
    cancel_barrier();
    target = cancel_tls_of(th);
    while (__atomic_load_n(&target->ring_unprot, __ATOMIC_ACQUIRE))
        sched_yield();
    errno = saved;
    return shim_real.pthread_cancel(th);
}
