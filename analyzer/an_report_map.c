/* an_report_map.c -- see an_report_map.h. */
#include "an_report_map.h"

#include <stdlib.h>
#include <string.h>

static size_t map_slot(long long key, size_t cap)
{
    unsigned long long h = (unsigned long long)key * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

static int map_grow(an_map_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    long long *keys = malloc(cap * sizeof *keys);
    int *vals = malloc(cap * sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    memset(vals, 0xff, cap * sizeof *vals);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->vals[i] < 0)
            continue;
        size_t s = map_slot(m->keys[i], cap);
        while (vals[s] >= 0)
            s = (s + 1) & (cap - 1);
        keys[s] = m->keys[i];
        vals[s] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int an_map_put(an_map_t *m, long long key, int val)
{
    if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
        return -1;
    size_t s = map_slot(key, m->cap);
    while (m->vals[s] >= 0 && m->keys[s] != key)
        s = (s + 1) & (m->cap - 1);
    if (m->vals[s] < 0)
        m->n++;
    m->keys[s] = key;
    m->vals[s] = val;
    return 0;
}

int an_map_get(const an_map_t *m, long long key)
{
    if (m->cap == 0)
        return -1;
    size_t s = map_slot(key, m->cap);
    while (m->vals[s] >= 0) {
        if (m->keys[s] == key)
            return m->vals[s];
        s = (s + 1) & (m->cap - 1);
    }
    return -1;
}

void an_map_free(an_map_t *m)
{
    if (!m)
        return;
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- string pool --------------------------------------------------------- */

#define POOL_CHUNK 65536

struct an_pool_chunk_s {
    an_pool_chunk_t *next;
    size_t used, size;
    char data[];
};

unsigned long long an_hash_str(const char *s)
{
    unsigned long long h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static char *pool_copy(an_pool_t *p, const char *s)
{
    size_t len = strlen(s) + 1;
    an_pool_chunk_t *c = p->chunks;
    if (!c || c->size - c->used < len) {
        size_t size = len > POOL_CHUNK ? len : POOL_CHUNK;
        if (!(c = malloc(sizeof *c + size)))
            return NULL;
        c->next = p->chunks;
        c->used = 0;
        c->size = size;
        p->chunks = c;
    }
    char *out = c->data + c->used;
    memcpy(out, s, len);
    c->used += len;
    return out;
}

static int pool_grow(an_pool_t *p)
{
    size_t cap = p->cap ? p->cap * 2 : 1024;
    const char **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < p->cap; i++) {
        if (!p->slots[i])
            continue;
        size_t s = (size_t)an_hash_str(p->slots[i]) & (cap - 1);
        while (slots[s])
            s = (s + 1) & (cap - 1);
        slots[s] = p->slots[i];
    }
    free(p->slots);
    p->slots = slots;
    p->cap = cap;
    return 0;
}

const char *an_pool_intern(an_pool_t *p, const char *s, int *oom)
{
    if (!s)
        return NULL;
    if ((p->n + 1) * 2 > p->cap && pool_grow(p) != 0) {
        *oom = 1;
        return NULL;
    }
    size_t i = (size_t)an_hash_str(s) & (p->cap - 1);
    while (p->slots[i]) {
        if (strcmp(p->slots[i], s) == 0)
            return p->slots[i];
        i = (i + 1) & (p->cap - 1);
    }
    char *copy = pool_copy(p, s);
    if (!copy) {
        *oom = 1;
        return NULL;
    }
    p->slots[i] = copy;
    p->n++;
    return copy;
}

void an_pool_free(an_pool_t *p)
{
    if (!p)
        return;
    while (p->chunks) {
        an_pool_chunk_t *next = p->chunks->next;
        free(p->chunks);
        p->chunks = next;
    }
    free(p->slots);
    memset(p, 0, sizeof *p);
}
