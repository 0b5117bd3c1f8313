/* rel_mtkill.c -- SIGKILL in the middle of heavy multi-threaded allocation.
 * usage: rel_mtkill THREADS K FILE      (record)
 *        rel_mtkill --dump THREADS FILE (print "tid count" per thread)
 * Each thread makes K malloc(200)/free pairs, meets the others at a barrier,
 * then allocates malloc(208)/free non-stop; after each malloc(208) returns
 * it publishes its count in FILE (a shared mapping: it survives the kill).
 * Once every thread has published 1000, the main thread raises SIGKILL.
 * A count of n proves n records of size 208 were sealed in the ring before
 * the kill (the shim writes the record before malloc returns). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef struct slot_s {
    uint64_t tid;
    uint64_t count;
} slot_t;

static slot_t *slots;
static long per_thread;
static pthread_barrier_t barrier;

static void *worker(void *arg)
{
    slot_t *s = &slots[(intptr_t)arg];
    __atomic_store_n(&s->tid, (uint64_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    for (long i = 0; i < per_thread; i++)
        free(malloc(200));
    pthread_barrier_wait(&barrier);
    for (uint64_t n = 1;; n++) {
        void *p = malloc(208);
        __atomic_store_n(&s->count, n, __ATOMIC_RELEASE);
        free(p);
    }
    return NULL;
}

static slot_t *map_slots(const char *path, long threads, int create)
{
    size_t len = (size_t)threads * sizeof(slot_t);
    int fd = open(path, O_RDWR | (create ? O_CREAT | O_TRUNC : 0), 0600);
    void *p;
    if (fd < 0 || (create && ftruncate(fd, (off_t)len) != 0))
        return NULL;
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

static int all_busy(long threads)
{
    for (long i = 0; i < threads; i++)
        if (__atomic_load_n(&slots[i].count, __ATOMIC_ACQUIRE) < 1000)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    struct timespec ms = {0, 1000000};
    long threads;
    if (argc == 4 && !strcmp(argv[1], "--dump")) {
        threads = atol(argv[2]);
        if (!(slots = map_slots(argv[3], threads, 0)))
            return 1;
        for (long i = 0; i < threads; i++)
            printf("%llu %llu\n", (unsigned long long)slots[i].tid,
                   (unsigned long long)slots[i].count);
        return 0;
    }
    if (argc != 4)
        return 2;
    threads = atol(argv[1]);
    per_thread = atol(argv[2]);
    if (threads < 1 || !(slots = map_slots(argv[3], threads, 1)) ||
        pthread_barrier_init(&barrier, NULL, (unsigned)threads + 1) != 0)
        return 1;
    for (long i = 0; i < threads; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, (void *)(intptr_t)i) != 0)
            return 1;
    }
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 120000 && !all_busy(threads); i++)
        nanosleep(&ms, NULL);
    raise(SIGKILL);
    return 3;
}
