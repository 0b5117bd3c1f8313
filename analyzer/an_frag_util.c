/* an_frag_util.c -- array growth and the median (see an_frag_int.h). */
#include "an_frag_int.h"

#include <stdlib.h>

int an_frag_grow(void **v, size_t n, size_t *cap, size_t elem)
{
    size_t ncap;
    void *nv;
    if (n < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 64;
    nv = realloc(*v, ncap * elem);
    if (!nv)
        return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

static void swap_ll(long long *a, long long *b)
{
    long long t = *a;
    *a = *b;
    *b = t;
}

/* Hoare-style partition around the middle element; returns the split. */
static size_t median_partition(long long *v, size_t lo, size_t hi)
{
    long long pivot = v[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    for (;;) {
        while (v[i] < pivot)
            i++;
        while (v[j] > pivot)
            j--;
        if (i >= j)
            return j;
        swap_ll(&v[i++], &v[j--]);
    }
}

long long an_frag_median(long long *v, size_t n)
{
    size_t k = n / 2, lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t p = median_partition(v, lo, hi);
        if (k <= p)
            hi = p;
        else
            lo = p + 1;
    }
    return v[k];
}
