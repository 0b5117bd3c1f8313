/*
 * churn.c -- allocation churn from deep stacks: N malloc/free pairs, each
 * from a call chain DEPTH frames deep.  The benchmark's microworkload.
 * usage: churn [PAIRS=2000000] [DEPTH=20] [THREADS=1]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long pairs = 2000000;
static int depth = 20;

__attribute__((noinline)) static size_t leaf(long i)
{
    void *p = malloc(16 + (size_t)(i % 64) * 8);
    size_t r = (size_t)p & 0xff;
    free(p);
    return r;
}

__attribute__((noinline)) static size_t descend(int d, long i)
{
    size_t r = d <= 1 ? leaf(i) : descend(d - 1, i);
    __asm__ volatile("" ::: "memory"); /* keep the frame: no tail call */
    return r;
}

static void *worker(void *arg)
{
    long n = (long)arg;
    size_t acc = 0;
    for (long i = 0; i < n; i++)
        acc += descend(depth - (int)(i % 4), i);
    return (void *)acc;
}

int main(int argc, char **argv)
{
    int threads = 1;
    if (argc > 1) pairs = atol(argv[1]);
    if (argc > 2) depth = atoi(argv[2]);
    if (argc > 3) threads = atoi(argv[3]);
    if (threads < 1 || threads > 256 || depth < 1 || pairs < 0) {
        fprintf(stderr, "usage: churn [PAIRS] [DEPTH] [THREADS]\n");
        return 2;
    }
    pthread_t t[256];
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, (void *)(pairs / threads));
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    printf("churned %ld pairs\n", pairs);
    return 0;
}
