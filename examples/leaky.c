/*
 * leaky.c -- a tiny "request handler" with the three problems heapql is
 * for: a leak on one code path, temporary buffers in a hot loop, and a
 * cache that keeps growing.  The README's demo records it.
 *
 * Known behaviour with the default 1000 requests:
 *   - every 10th request leaks its 256-byte session (100 blocks, 25600 B)
 *   - each request formats into a 512-byte scratch buffer freed at once
 *   - the cache holds the last 64 entries of 1 KiB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 64

typedef struct session { int id; char user[252]; } session_t;

static char *cache[CACHE_SLOTS];

static session_t *session_open(int id)
{
    session_t *s = malloc(sizeof *s);
    s->id = id;
    snprintf(s->user, sizeof s->user, "user%d", id);
    return s;
}

static size_t format_reply(int id)
{
    char *scratch = malloc(512);
    size_t n = (size_t)snprintf(scratch, 512, "reply to request %d", id);
    free(scratch);
    return n;
}

static void cache_put(int id)
{
    int slot = id % CACHE_SLOTS;
    free(cache[slot]);
    cache[slot] = calloc(1, 1024);
    cache[slot][0] = (char)id;
}

static size_t handle_request(int id)
{
    session_t *s = session_open(id);
    size_t n = format_reply(s->id);
    cache_put(id);
    if (id % 10 != 0) /* the bug: the error path forgets the session */
        free(s);
    return n;
}

int main(int argc, char **argv)
{
    int requests = argc > 1 ? atoi(argv[1]) : 1000;
    size_t total = 0;
    for (int i = 0; i < requests; i++)
        total += handle_request(i);
    for (int i = 0; i < CACHE_SLOTS; i++)
        free(cache[i]);
    printf("handled %d requests, %zu bytes of replies\n", requests, total);
    return 0;
}
