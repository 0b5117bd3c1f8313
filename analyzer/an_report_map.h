/*
 * an_report_map.h -- the two containers the reports are built on:
 *   an_map_t   64-bit id -> non-negative int index (open addressing, linear
 *              probing, load <= 1/2); tuned for dense database ids looked up
 *              millions of times per report.
 *   an_pool_t  interned strings: equal strings share one pointer, so frames
 *              compare function and file names by pointer.
 * Both return -1 only when memory runs out.
 */
#ifndef AN_REPORT_MAP_H
#define AN_REPORT_MAP_H

#include <stddef.h>

typedef struct an_map_s {
    long long *keys;
    int *vals; /* -1: empty slot */
    size_t cap, n;
} an_map_t;

/* Insert or overwrite; val must be >= 0.  0 ok, -1 out of memory. */
int an_map_put(an_map_t *m, long long key, int val);
/* The value for key, or -1. */
int an_map_get(const an_map_t *m, long long key);
void an_map_free(an_map_t *m);

typedef struct an_pool_chunk_s an_pool_chunk_t;

typedef struct an_pool_s {
    const char **slots; /* hash set of interned strings */
    size_t cap, n;
    an_pool_chunk_t *chunks;
} an_pool_t;

/* The pooled copy of s (NULL for NULL), or NULL with *oom = 1. */
const char *an_pool_intern(an_pool_t *p, const char *s, int *oom);
void an_pool_free(an_pool_t *p);

/* FNV-1a over a NUL-terminated string. */
unsigned long long an_hash_str(const char *s);

#endif
