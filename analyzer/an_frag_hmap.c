/* an_frag_hmap.c -- uint64 -> int64 map (see an_frag_int.h).  Linear
 * probing, Fibonacci hashing, load <= 1/2, no deletion: tuned for page
 * numbers and callsite ids, which come in runs of neighbours. */
#include "an_frag_int.h"

#include <stdlib.h>

static size_t hmap_slot(const an_frag_hmap_t *h, uint64_t k)
{
    return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20) & (h->cap - 1);
}

static int hmap_grow(an_frag_hmap_t *h)
{
    size_t ncap = h->cap ? h->cap * 2 : 1024;
    uint64_t *keys = calloc(ncap, sizeof *keys);
    int64_t *vals = malloc(ncap * sizeof *vals);
    an_frag_hmap_t nh = {keys, vals, ncap, h->n};
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->keys[i])
            continue;
        size_t s = hmap_slot(&nh, h->keys[i]);
        while (keys[s])
            s = (s + 1) & (ncap - 1);
        keys[s] = h->keys[i];
        vals[s] = h->vals[i];
    }
    an_frag_hmap_free(h);
    *h = nh;
    return 0;
}

int64_t *an_frag_hmap_at(an_frag_hmap_t *h, uint64_t key, int *created)
{
    uint64_t k = key + 1;
    size_t s;
    *created = 0;
    if ((h->n + 1) * 2 > h->cap && hmap_grow(h) != 0)
        return NULL;
    for (s = hmap_slot(h, k); h->keys[s]; s = (s + 1) & (h->cap - 1))
        if (h->keys[s] == k)
            return &h->vals[s];
    h->keys[s] = k;
    h->vals[s] = 0;
    h->n++;
    *created = 1;
    return &h->vals[s];
}

void an_frag_hmap_free(an_frag_hmap_t *h)
{
    if (!h)
        return;
    free(h->keys);
    free(h->vals);
    h->keys = NULL;
    h->vals = NULL;
    h->cap = h->n = 0;
}
