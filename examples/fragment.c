/*
 * fragment.c -- a heap that RSS cannot give back: many small blocks, every
 * other one freed, and a few long-lived blocks pinned among short-lived
 * ones.  Used by the fragmentation demo.
 * usage: fragment [BLOCKS=100000]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void *long_lived(size_t n) { return malloc(n); }
__attribute__((noinline)) static void *short_lived(size_t n) { return malloc(n); }

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    void **blocks = calloc((size_t)n, sizeof *blocks);
    void *pins[256];
    int npins = 0;
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0 && npins < 256)
            pins[npins++] = long_lived(96);
        blocks[i] = short_lived(96);
        memset(blocks[i], 1, 96);
    }
    for (long i = 0; i < n; i += 2)
        free(blocks[i]);
    printf("holding %ld of %ld blocks and %d pins\n", n / 2, n, npins);
    for (long i = 1; i < n; i += 2)
        free(blocks[i]);
    for (int i = 0; i < npins; i++)
        free(pins[i]);
    free(blocks);
    return 0;
}
