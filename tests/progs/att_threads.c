/*
 * att_threads.c -- 8 threads busy allocating, for heapql attach; the main
 * thread waits in pause() until SIGTERM or SIGINT.
 *
 * Worker t, iteration i (from 0): a tag block of TAG_BASE + i % 65536
 * bytes, then a small block of 16 + i % 48 bytes, freed, then one leak of
 * LEAK_SIZE bytes when i % LEAK_EVERY == 0, then the tag is freed.  No
 * pause: the threads are inside malloc and free most of the time.
 * With --busy-main the main thread is the eighth worker: no thread ever
 * blocks, an attach has to borrow one that is running.
 * At the end: "threads done: N iterations, L leaks", exit 0.
 * usage: att_threads [--busy-main]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 8
#define TAG_BASE 40000
#define LEAK_SIZE 4242
#define LEAK_EVERY 4096

static volatile sig_atomic_t stop;
static unsigned long counts[THREADS], leaks[THREADS];

static void on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static void *worker(void *arg)
{
    long t = (long)arg;
    unsigned long i;
    for (i = 0; !stop; i++) {
        char *tag = malloc(TAG_BASE + i % 65536), *small = malloc(16 + i % 48);
        tag[0] = small[0] = 1;
        free(small);
        if (i % LEAK_EVERY == 0 && malloc(LEAK_SIZE))
            leaks[t]++;
        free(tag);
    }
    counts[t] = i;
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t th[THREADS];
    struct sigaction sa;
    unsigned long n = 0, l = 0;
    int busy = argc > 1 && !strcmp(argv[1], "--busy-main"), spawned = busy ? THREADS - 1 : THREADS;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    for (long t = 0; t < spawned; t++)
        pthread_create(&th[t], NULL, worker, (void *)t);
    if (busy)
        worker((void *)(long)(THREADS - 1));
    while (!stop)
        pause();
    for (int t = 0; t < spawned; t++) {
        pthread_join(th[t], NULL);
    }
    for (int t = 0; t < THREADS; t++) {
        n += counts[t];
        l += leaks[t];
    }
    printf("threads done: %lu iterations, %lu leaks\n", n, l);
    return 0;
}
