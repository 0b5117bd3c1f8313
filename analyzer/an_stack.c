/*
 * an_stack.c -- see an_stack.h.
 *
 * Each connection gets one an_tree_t, kept between calls: a report or a
 * `stack()` SQL function walks thousands of stacks that share their outer
 * frames.  The first walks fetch rows by primary key; after AN_STACK_BULK
 * misses the whole tables are read in one pass each (cheaper than point
 * queries from there on).  The cache lives as the user data of a dummy SQL
 * function on the connection, so SQLite frees it when the connection
 * closes; a small list maps connections to caches.  No statement outlives a
 * call, so closing the connection never fails because of us.
 */
#include "an_stack.h"
#include "an_report_tree.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AN_STACK_BULK 2048

typedef struct stack_cache_s {
    sqlite3 *db;
    an_tree_t *tree;
    struct stack_cache_s *next;
} stack_cache_t;

static pthread_mutex_t stack_lock = PTHREAD_MUTEX_INITIALIZER;
static stack_cache_t *stack_caches;

static void stack_cache_destroy(void *p)
{
    stack_cache_t *c = p, **pp;
    pthread_mutex_lock(&stack_lock);
    for (pp = &stack_caches; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    pthread_mutex_unlock(&stack_lock);
    an_tree_free(c->tree);
    free(c);
}

static void stack_cache_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    sqlite3_result_null(ctx);
}

static stack_cache_t *stack_cache_find(sqlite3 *db)
{
    stack_cache_t *c;
    pthread_mutex_lock(&stack_lock);
    for (c = stack_caches; c && c->db != db; c = c->next)
        ;
    pthread_mutex_unlock(&stack_lock);
    return c;
}

static stack_cache_t *stack_cache_get(sqlite3 *db, char *err, size_t errlen)
{
    stack_cache_t *c = stack_cache_find(db);
    if (c)
        return c;
    if (!(c = calloc(1, sizeof *c)) || !(c->tree = an_tree_new(db))) {
        free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->db = db;
    /* On failure SQLite has already called stack_cache_destroy(c). */
    if (sqlite3_create_function_v2(db, "heapql_stack_cache", 0, SQLITE_UTF8, c, stack_cache_fn,
                                   NULL, NULL, stack_cache_destroy) != SQLITE_OK) {
        snprintf(err, errlen, "cannot cache stacks: %s", sqlite3_errmsg(db));
        return NULL;
    }
    pthread_mutex_lock(&stack_lock);
    c->next = stack_caches;
    stack_caches = c;
    pthread_mutex_unlock(&stack_lock);
    return c;
}

static int stack_emit(an_stackbuf_t *b, int (*fn)(const an_frame_t *f, void *arg), void *arg)
{
    for (int i = 0; i < b->n; i++)
        if (fn(&b->v[i].f, arg) != 0)
            break;
    return 0;
}

int an_stack_walk(an_db_t *d, long long callsite_id,
                  int (*fn)(const an_frame_t *f, void *arg), void *arg,
                  char *err, size_t errlen)
{
    an_stackbuf_t b = {0};
    stack_cache_t *c = stack_cache_get(d->db, err, errlen);
    int rc = -1, ni;
    if (!c)
        return -1;
    c->tree->bulk_after = AN_STACK_BULK;
    ni = an_tree_node(c->tree, callsite_id, err, errlen);
    if (ni >= 0 && an_tree_stack(c->tree, ni, &b, err, errlen) == 0)
        rc = stack_emit(&b, fn, arg);
    an_tree_release(c->tree);
    an_stackbuf_free(&b);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

char *an_label_clean(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    return s;
}

const char *an_frame_label(const an_frame_t *f, char *buf, size_t len)
{
    if (f->function && f->file && f->line > 0)
        snprintf(buf, len, "%s (%s:%d)", f->function, f->file, f->line);
    else if (f->function && f->file)
        snprintf(buf, len, "%s (%s)", f->function, f->file);
    else if (f->function && f->module)
        snprintf(buf, len, "%s (%s+0x%llx)", f->function, base_name(f->module), f->rel_pc);
    else if (f->function)
        snprintf(buf, len, "%s", f->function);
    else if (f->module)
        snprintf(buf, len, "%s+0x%llx", base_name(f->module), f->rel_pc);
    else
        snprintf(buf, len, "0x%llx", f->rel_pc);
    return an_label_clean(buf);
}
