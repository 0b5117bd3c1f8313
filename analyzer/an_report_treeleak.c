/*
 * an_report_treeleak.c -- an_tree_load_leaked: the stacks that leak, without
 * building the whole call tree (report leaks).  Two ways, by what is cheaper:
 *
 * - A walk from the leaking leaves up (one recursive query), largest id
 *   first: the recorder gives a callsite a larger id than its parent, so
 *   the queue reads the table backwards, page after page.  About 1.5 us a
 *   callsite visited: the way when few callsites lie on leaking stacks.
 * - One pass over every callsite (an aggregate function, as in
 *   an_report_scan.c: no per-column API calls) into an array indexed by id,
 *   then a backward sweep in which each marked callsite marks its parent.
 *   About 0.18 us a callsite: the way when many do.
 * The walk gives up after 1/WALK_SHARE of the callsites (at most about as
 * much time lost as the pass then takes) and the pass takes over.
 * Either way nodes are added in id order, as an_tree_load adds them
 * (reports break ties by node index).  A parent with a larger id than its
 * child (not something the recorder writes) is fetched by an_tree_parent
 * when the stack is walked.
 *
 * Measured on the 2-core VM: a clang recording (1.29M callsites, 58,600 on
 * leaking stacks) walk 0.09 s of CPU, pass 0.23 s; bench/gen_db.c's (365k,
 * 177,000 of them on leaking stacks) walk 0.4 s, pass 0.05 s; an_tree_load
 * 0.5 s and 0.15 s.
 */
#include "an_report_tree.h"
#include "an_report_treeint.h"

#include <stdint.h>
#include <stdlib.h>

#define LEAK_MAX_SPAN (1LL << 26) /* ids: 1 GiB of array at most; wider loads everything */
#define WALK_SHARE 16             /* the walk gives up after span / WALK_SHARE callsites */

enum { LEAK_ABSENT = -3, LEAK_FAR = -2, LEAK_ROOT = -1 }; /* leak_cs_t.parent, else id - lo */

typedef struct leak_cs_s {
    int64_t frame;
    int32_t parent;
    int32_t depth;
} leak_cs_t;

typedef struct walk_row_s {
    long long id, parent_id, frame;
    int has_parent, depth;
} walk_row_t;

typedef struct leak_pass_s {
    leak_cs_t *cs;         /* [span] */
    unsigned char *need;   /* [span] */
    long long lo, span;
} leak_pass_t;

/* id's index in the pass, or -1 outside it (any id: a hostile file's may
 * be anything, so the difference is taken unsigned). */
static long long leak_index(const leak_pass_t *p, long long id)
{
    unsigned long long d = (unsigned long long)id - (unsigned long long)p->lo;
    return d < (unsigned long long)p->span ? (long long)d : -1;
}

static void leak_step(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
    leak_pass_t *p = sqlite3_user_data(ctx);
    long long id = leak_index(p, sqlite3_value_int64(v[0]));
    long long par = leak_index(p, sqlite3_value_int64(v[1]));
    (void)argc;
    if (id < 0) /* cannot happen: lo and span come from the table */
        return;
    leak_cs_t *c = &p->cs[id];
    c->parent = sqlite3_value_type(v[1]) == SQLITE_NULL ? LEAK_ROOT
                : par >= 0                              ? (int32_t)par
                                                        : LEAK_FAR;
    c->frame = sqlite3_value_int64(v[2]);
    c->depth = sqlite3_value_int(v[3]);
}

static void leak_final(sqlite3_context *ctx)
{
    sqlite3_result_null(ctx);
}

static int leak_exec(an_tree_t *t, leak_pass_t *p, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_create_function(t->db, "heapql_leak_pass", 4, SQLITE_UTF8, p, NULL,
                                     leak_step, leak_final);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(t->db, "SELECT heapql_leak_pass(id, parent_id, frame_id, depth) "
                                "FROM main.callsites", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
    if (rc != SQLITE_OK)
        an__tree_dberr(t, err, errlen);
    sqlite3_finalize(st);
    /* the function points at the caller's frame: take it away again */
    sqlite3_create_function(t->db, "heapql_leak_pass", 4, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : -1;
}

/* The leaking leaves, then their ancestors in one backward sweep. */
static int leak_mark(an_tree_t *t, leak_pass_t *p, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(t->db, "SELECT callsite_id FROM main.callsite_stats "
                           "WHERE leaked_blocks > 0", -1, &st, NULL) != SQLITE_OK)
        return an__tree_dberr(t, err, errlen);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long i = leak_index(p, sqlite3_column_int64(st, 0));
        if (i >= 0)
            p->need[i] = 1;
    }
    if (rc != SQLITE_DONE)
        an__tree_dberr(t, err, errlen);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -1;
    for (long long i = p->span - 1; i >= 0; i--)
        if (p->need[i] && p->cs[i].parent >= 0)
            p->need[p->cs[i].parent] = 1;
    return 0;
}

/* Marked callsites in id order; one whose parent lies outside the ids is
 * read again by point query (an_tree_node), which knows its parent id. */
static int leak_add(an_tree_t *t, const leak_pass_t *p, char *err, size_t errlen)
{
    for (long long i = 0; i < p->span; i++) {
        const leak_cs_t *c = &p->cs[i];
        if (!p->need[i] || c->parent == LEAK_ABSENT)
            continue;
        if (c->parent == LEAK_FAR ? an_tree_node(t, p->lo + i, err, errlen) < 0
                                  : an__tree_add_callsite(t, p->lo + i, c->parent != LEAK_ROOT,
                                                          p->lo + c->parent, c->frame, c->depth,
                                                          err, errlen) != 0)
            return -1;
    }
    an_tree_release(t);
    return 0;
}

/* Ids of callsites: lo .. hi, hi < lo when there are none. */
static int leak_range(an_tree_t *t, long long *lo, long long *hi, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *lo = 0;
    *hi = -1;
    /* two subqueries: each is one b-tree descent, min and max together a scan */
    if (sqlite3_prepare_v2(t->db, "SELECT (SELECT min(id) FROM main.callsites), "
                           "(SELECT max(id) FROM main.callsites)", -1, &st, NULL) != SQLITE_OK)
        return an__tree_dberr(t, err, errlen);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *lo = sqlite3_column_int64(st, 0);
        *hi = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_ROW)
        an__tree_dberr(t, err, errlen);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int walk_cmp(const void *pa, const void *pb)
{
    const walk_row_t *a = pa, *b = pb;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int walk_add(an_tree_t *t, walk_row_t *v, size_t n, char *err, size_t errlen)
{
    qsort(v, n, sizeof *v, walk_cmp);
    for (size_t i = 0; i < n; i++)
        if (an__tree_add_callsite(t, v[i].id, v[i].has_parent, v[i].parent_id, v[i].frame,
                                  v[i].depth, err, errlen) != 0)
            return -1;
    return 0;
}

/* The walk; 1 when it gave up after max callsites (nothing added). */
static int leak_walk(an_tree_t *t, long long max, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    walk_row_t *v = malloc((size_t)max * sizeof *v);
    size_t n = 0;
    int rc;
    if (!v)
        return an__tree_oom(err, errlen);
    if (sqlite3_prepare_v2(t->db, "WITH RECURSIVE up(id, parent_id, frame_id, depth) AS ("
                           " SELECT c.id, c.parent_id, c.frame_id, c.depth"
                           " FROM main.callsite_stats s JOIN main.callsites c"
                           " ON c.id = s.callsite_id WHERE s.leaked_blocks > 0"
                           " UNION SELECT c.id, c.parent_id, c.frame_id, c.depth"
                           " FROM up JOIN main.callsites c ON c.id = up.parent_id"
                           " ORDER BY 1 DESC) SELECT * FROM up", -1, &st, NULL) != SQLITE_OK) {
        free(v);
        return an__tree_dberr(t, err, errlen);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (size_t)max)
        v[n++] = (walk_row_t){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                              sqlite3_column_int64(st, 2),
                              sqlite3_column_type(st, 1) != SQLITE_NULL, sqlite3_column_int(st, 3)};
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        an__tree_dberr(t, err, errlen);
    sqlite3_finalize(st);
    rc = rc == SQLITE_ROW    ? 1 /* too many: the pass is cheaper */
         : rc == SQLITE_DONE ? walk_add(t, v, n, err, errlen)
                             : -1;
    free(v);
    return rc;
}

/* The pass over every callsite with ids lo .. lo + span - 1. */
static int leak_pass(an_tree_t *t, long long lo, long long span, char *err, size_t errlen)
{
    leak_pass_t p = {.lo = lo, .span = span};
    int rc = -1;
    p.cs = malloc((size_t)span * sizeof *p.cs);
    p.need = calloc((size_t)span, 1);
    if (!p.cs || !p.need)
        an__tree_oom(err, errlen);
    else {
        for (long long i = 0; i < span; i++)
            p.cs[i].parent = LEAK_ABSENT;
        rc = leak_exec(t, &p, err, errlen) || leak_mark(t, &p, err, errlen) ||
                     leak_add(t, &p, err, errlen)
                 ? -1
                 : 0;
    }
    free(p.cs);
    free(p.need);
    return rc;
}

int an_tree_load_leaked(an_tree_t *t, char *err, size_t errlen)
{
    long long lo, hi;
    int rc;
    if (an__tree_load_frames(t, err, errlen) != 0 || leak_range(t, &lo, &hi, err, errlen) != 0)
        return -1;
    if (hi < lo)
        return 0; /* no callsites */
    /* hi >= lo: the unsigned difference is exact, however far apart (a hostile file) */
    if ((unsigned long long)hi - (unsigned long long)lo >= (unsigned long long)LEAK_MAX_SPAN)
        return an_tree_load(t, err, errlen);
    if ((rc = leak_walk(t, (hi - lo + 1) / WALK_SHARE + 1024, err, errlen)) <= 0)
        return rc;
    return leak_pass(t, lo, hi - lo + 1, err, errlen);
}
