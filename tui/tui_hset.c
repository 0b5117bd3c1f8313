/* tui_hset.c -- a set of 64-bit path hashes (open addressing): which call
 * tree nodes are open, remembered by path so that a rebuilt tree opens
 * the same nodes. */
#include "tui_app.h"

#include <stdlib.h>
#include <string.h>

/* 0 marks an empty slot: a hash of 0 is stored as 1 (a harmless merge). */
static unsigned long long hset_key(unsigned long long h)
{
    return h ? h : 1;
}

static int hset_grow(tui_hset_t *s)
{
    size_t cap = s->cap ? s->cap * 2 : 256;
    unsigned long long *v = calloc(cap, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->v[i])
            continue;
        size_t j = s->v[i] & (cap - 1);
        while (v[j])
            j = (j + 1) & (cap - 1);
        v[j] = s->v[i];
    }
    free(s->v);
    s->v = v;
    s->cap = cap;
    return 0;
}

int tui_hset_has(const tui_hset_t *s, unsigned long long h)
{
    h = hset_key(h);
    if (!s->cap)
        return 0;
    for (size_t j = h & (s->cap - 1); s->v[j]; j = (j + 1) & (s->cap - 1))
        if (s->v[j] == h)
            return 1;
    return 0;
}

int tui_hset_add(tui_hset_t *s, unsigned long long h)
{
    h = hset_key(h);
    if (tui_hset_has(s, h))
        return 0;
    if ((s->n + 1) * 2 > s->cap && hset_grow(s) != 0)
        return -1;
    size_t j = h & (s->cap - 1);
    while (s->v[j])
        j = (j + 1) & (s->cap - 1);
    s->v[j] = h;
    s->n++;
    return 0;
}

/* Removal by rebuilding the probe run after the slot (linear probing). */
void tui_hset_del(tui_hset_t *s, unsigned long long h)
{
    h = hset_key(h);
    if (!s->cap)
        return;
    size_t j = h & (s->cap - 1);
    while (s->v[j] && s->v[j] != h)
        j = (j + 1) & (s->cap - 1);
    if (!s->v[j])
        return;
    s->v[j] = 0;
    s->n--;
    for (size_t k = (j + 1) & (s->cap - 1); s->v[k]; k = (k + 1) & (s->cap - 1)) {
        unsigned long long x = s->v[k];
        s->v[k] = 0;
        s->n--;
        tui_hset_add(s, x);
    }
}

void tui_hset_clear(tui_hset_t *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
