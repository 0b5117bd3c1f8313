// rel_oom.cpp -- allocations that fail, and a program that survives them.
// usage: rel_oom
// Part 1: 10 each of malloc, calloc (overflowing n*size), realloc,
// reallocarray (overflowing), posix_memalign, aligned_alloc, memalign with
// impossible sizes, operator new (std::bad_alloc caught) and new(nothrow).
// Part 2: RLIMIT_AS at the current size + 64 MiB, then malloc(1 MiB) until
// it fails and 10 more tries; everything freed.
// Prints "oom FAILED OK1M" (all failures counted by the program, 1 MiB
// blocks obtained), exits 0.
#include <errno.h>
#include <malloc.h>
#include <new>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static char outbuf[4096];
static void *volatile sink;
static volatile size_t huge_size = SIZE_MAX / 2; // volatile: no compile-time warning

static long part1()
{
    const size_t huge = huge_size, quarter = huge_size / 2;
    long failed = 0;
    void *keep = malloc(40);
    for (int i = 0; i < 10; i++) {
        void *p = nullptr;
        failed += (sink = malloc(huge)) == nullptr;
        failed += (sink = calloc(quarter, 8)) == nullptr;
        failed += (sink = realloc(keep, huge)) == nullptr; // keep stays valid
        failed += (sink = reallocarray(keep, huge, 4)) == nullptr;
        failed += posix_memalign(&p, 64, huge) == ENOMEM;
        failed += (sink = aligned_alloc(64, huge & ~(size_t)63)) == nullptr;
        failed += (sink = memalign(64, huge)) == nullptr;
        try {
            sink = operator new(huge);
        } catch (const std::bad_alloc &) {
            failed++;
        }
        failed += (sink = operator new(huge, std::nothrow)) == nullptr;
    }
    free(keep);
    return failed;
}

static long vm_size()
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0;
    if (f) {
        if (fscanf(f, "%ld", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * 4096;
}

int main()
{
    static void *blocks[4096];
    long failed, n = 0;
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf); // printf must not need malloc
    failed = part1();
    rlimit lim;
    lim.rlim_cur = lim.rlim_max = (rlim_t)vm_size() + (64 << 20);
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        return 1;
    while (n < 4096 && (blocks[n] = malloc(1 << 20)) != nullptr)
        n++;
    failed++;
    for (int i = 0; i < 10; i++)
        failed += (sink = malloc(1 << 20)) == nullptr;
    for (long i = 0; i < n; i++)
        free(blocks[i]);
    printf("oom %ld %ld\n", failed, n);
    return 0;
}
