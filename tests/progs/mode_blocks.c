/*
 * mode_blocks.c -- programs of known behaviour for the long-run modes
 * (tests/e2e/mode_*.sh).  Deterministic: the same allocations, from the
 * same call sites, in the same order on every run.
 *   mode_blocks mix          every kind of event: blocks kept, freed, leaked;
 *                            temporaries; calloc, a realloc chain, malloc(0),
 *                            posix_memalign, 3 MiB blocks, a failed malloc; a
 *                            second thread (run while main waits) frees half
 *                            of main's blocks and makes temporaries
 *   mode_blocks uniform N S  N blocks of S bytes from site_uniform, all live
 *                            at once, then all freed
 *   mode_blocks big R        2000 blocks of 100 bytes from site_small with 20
 *                            of R and 20 of 2R bytes from site_big among them
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *keep[1000];
static volatile size_t huge = SIZE_MAX / 2; /* volatile: no compile-time warning */

__attribute__((noinline)) static void *site_keep(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) static void site_temp(size_t n)
{
    void *p = malloc(n);
    free(p);
}

__attribute__((noinline)) static void *site_uniform(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) static void *site_small(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) static void *site_big(size_t n)
{
    return malloc(n);
}

static void *worker(void *arg)
{
    (void)arg;
    for (int i = 1; i < 1000; i += 2)
        free(keep[i]); /* cross-thread frees */
    for (int i = 0; i < 300; i++)
        site_temp(48);
    return NULL;
}

static int mix(void)
{
    void *r = NULL, *p;
    pthread_t t;
    for (int i = 0; i < 1000; i++)
        keep[i] = site_keep(64 + (size_t)(i % 7));
    for (int i = 0; i < 1000; i += 4)
        free(keep[i]);
    for (int i = 0; i < 500; i++)
        site_temp(100);
    for (int i = 0; i < 100; i++)
        free(calloc(10, 30));
    for (size_t i = 1; i <= 200; i++)
        r = realloc(r, i * 16);
    free(r);
    for (int i = 0; i < 10; i++)
        free(malloc(0));
    for (int i = 0; i < 50; i++)
        if (posix_memalign(&p, 64, 200) == 0)
            free(p);
    for (int i = 0; i < 5; i++)
        free(malloc(3u << 20));
    if (malloc(huge) != NULL)
        return 1;
    if (pthread_create(&t, NULL, worker, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    /* keep[i] with i % 4 == 2 leak: 250 blocks */
    puts("mix done");
    return 0;
}

static int uniform(long n, size_t size)
{
    void **v = calloc((size_t)n, sizeof *v);
    if (!v)
        return 1;
    for (long i = 0; i < n; i++)
        v[i] = site_uniform(size);
    for (long i = 0; i < n; i++)
        free(v[i]);
    free(v);
    printf("uniform %ld x %zu done\n", n, size);
    return 0;
}

static int big(size_t rate)
{
    for (int i = 0; i < 2000; i++) {
        free(site_small(100));
        if (i % 50 == 0) {
            free(site_big(rate));
            free(site_big(2 * rate));
        }
    }
    puts("big done");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "mix"))
        return mix();
    if (argc >= 4 && !strcmp(argv[1], "uniform"))
        return uniform(atol(argv[2]), (size_t)atol(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "big"))
        return big((size_t)atol(argv[2]));
    fprintf(stderr, "usage: mode_blocks mix | uniform N SIZE | big RATE\n");
    return 2;
}
