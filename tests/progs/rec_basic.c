/*
 * rec_basic.c -- every allocation kind of the C library once, with exactly
 * known figures (no stdio: its buffers would add allocations):
 *   allocations 21: malloc 11, calloc 1, realloc 3, reallocarray 1,
 *     posix_memalign 1, aligned_alloc 1, memalign 1, valloc 1, pvalloc 1
 *   failed 2 (a huge malloc, an overflowing calloc)
 *   leaked 5 blocks of 100 bytes = 500; peak 5500 bytes (at the 5000-byte block)
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static void *volatile sink;
static volatile size_t huge = (size_t)1 << 40; /* hidden from the compiler's checks */

int main(void)
{
    void *a[10], *p, *r, *big;
    for (int i = 0; i < 10; i++)
        a[i] = malloc(100);                 /* heap 1000 */
    for (int i = 0; i < 10; i += 2)
        free(a[i]);                         /* heap 500 */
    p = calloc(4, 25);                      /* 600 */
    free(p);                                /* 500 */
    r = realloc(NULL, 10);                  /* 510 */
    r = realloc(r, 20);                     /* 520 */
    r = realloc(r, 30);                     /* 530 */
    free(r);                                /* 500 */
    if (posix_memalign(&p, 64, 200) != 0) return 1;
    free(p);
    p = aligned_alloc(128, 256); free(p);
    p = memalign(32, 48); free(p);
    p = valloc(100); free(p);
    p = pvalloc(100); free(p);
    sink = malloc((size_t)1 << 62);         /* fails */
    sink = calloc(huge, huge);              /* overflows: fails */
    p = reallocarray(NULL, 3, 7); free(p);  /* 21 bytes */
    big = malloc(5000);                     /* peak: 5500 */
    free(big);
    for (int i = 1; i < 10; i += 2)
        sink = a[i];                        /* a[1], a[3].. leak: 500 bytes */
    return write(1, "basic done\n", 11) == 11 ? 0 : 1;
}
