/* an_frag_sort.c -- live blocks by address.  Blocks come in allocation
 * order, which follows addresses in long stretches: check before sorting. */
#include "an_frag_int.h"

#include <stdlib.h>

static int sort_cmp(const void *a, const void *b)
{
    uint64_t x = ((const an_frag_blk_t *)a)->ptr, y = ((const an_frag_blk_t *)b)->ptr;
    return (x > y) - (x < y);
}

int an_frag_sort(an_frag_live_t *live)
{
    size_t i;
    for (i = 1; i < live->n && live->v[i - 1].ptr <= live->v[i].ptr; i++)
        ;
    if (i < live->n)
        qsort(live->v, live->n, sizeof live->v[0], sort_cmp);
    return 0;
}
