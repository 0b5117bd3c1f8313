/* an_report_treeload.c -- an_tree_load: one scan per table.  Rows already
 * present (from earlier point queries) are kept as they are. */
#include "an_report_tree.h"
#include "an_report_treeint.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*load_row_fn)(an_tree_t *t, sqlite3_stmt *st, size_t first, char *err,
                           size_t errlen);

static int load_each(an_tree_t *t, const char *sql, load_row_fn fn, size_t first, char *err,
                     size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(t->db, sql, -1, &st, NULL) != SQLITE_OK)
        return an__tree_dberr(t, err, errlen);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(t, st, first, err, errlen) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
    if (rc != SQLITE_DONE) {
        an__tree_dberr(t, err, errlen);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static int load_mod(an_tree_t *t, sqlite3_stmt *st, size_t first, char *err, size_t errlen)
{
    long long id = sqlite3_column_int64(st, 0);
    if (an_map_get(&t->mod_ix, id) >= 0)
        return 0;
    if (an__tree_add_mod(t, id, (const char *)sqlite3_column_text(st, 1),
                         sqlite3_column_int(st, 2)) < 0)
        return an__tree_oom(err, errlen);
    return 0;
}

static int load_frame(an_tree_t *t, sqlite3_stmt *st, size_t first, char *err, size_t errlen)
{
    an__tree_frame_row_t r = {.id = sqlite3_column_int64(st, 0), .module = -1};
    if (an_map_get(&t->frame_ix, r.id) >= 0)
        return 0;
    if (sqlite3_column_type(st, 1) != SQLITE_NULL)
        r.module = an_map_get(&t->mod_ix, sqlite3_column_int64(st, 1));
    r.rel_pc = (unsigned long long)sqlite3_column_int64(st, 2);
    r.function = (const char *)sqlite3_column_text(st, 3);
    r.file = (const char *)sqlite3_column_text(st, 4);
    r.line = sqlite3_column_int(st, 5);
    r.inlined = sqlite3_column_int(st, 6);
    return an__tree_add_frame(t, &r) < 0 ? an__tree_oom(err, errlen) : 0;
}

/* Only frames added by this load take chains: older ones have theirs. */
static int load_inl(an_tree_t *t, sqlite3_stmt *st, size_t first, char *err, size_t errlen)
{
    int fi = an_map_get(&t->frame_ix, sqlite3_column_int64(st, 0));
    if (fi < 0 || (size_t)fi < first)
        return 0;
    if (an__tree_add_inl(t, fi, (const char *)sqlite3_column_text(st, 1),
                         (const char *)sqlite3_column_text(st, 2),
                         sqlite3_column_int(st, 3)) != 0)
        return an__tree_oom(err, errlen);
    return 0;
}

/* A callsite naming a frame row that does not exist gets an unknown frame. */
int an__tree_add_callsite(an_tree_t *t, long long id, int has_parent, long long parent_id,
                          long long frame, int depth, char *err, size_t errlen)
{
    if (an_map_get(&t->node_ix, id) >= 0)
        return 0;
    int fi = an_map_get(&t->frame_ix, frame);
    if (fi < 0) {
        an__tree_frame_row_t r = {.id = frame, .module = -1};
        if ((fi = an__tree_add_frame(t, &r)) < 0)
            return an__tree_oom(err, errlen);
    }
    if (an__tree_add_node(t, id, has_parent, parent_id, fi, depth) < 0)
        return an__tree_oom(err, errlen);
    return 0;
}

static int load_node(an_tree_t *t, sqlite3_stmt *st, size_t first, char *err, size_t errlen)
{
    return an__tree_add_callsite(t, sqlite3_column_int64(st, 0),
                                 sqlite3_column_type(st, 1) != SQLITE_NULL,
                                 sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                                 sqlite3_column_int(st, 3), err, errlen);
}

/* Resolve every parent index now: walks then never query. */
static int load_link(an_tree_t *t, char *err, size_t errlen)
{
    for (size_t i = 0; i < t->n_nodes; i++) {
        an_tnode_t *n = &t->nodes[i];
        if (n->parent != -2)
            continue;
        n->parent = an_map_get(&t->node_ix, n->parent_id);
        if (n->parent < 0) {
            snprintf(err, errlen, "callsite %lld names parent %lld, which does not exist "
                     "(damaged database)", n->id, n->parent_id);
            return -1;
        }
    }
    return 0;
}

int an__tree_load_frames(an_tree_t *t, char *err, size_t errlen)
{
    size_t first_frame = t->n_frames;
    an_tree_release(t);
    return load_each(t, "SELECT id, path, is_main FROM main.modules", load_mod, 0, err, errlen) ||
           load_each(t, "SELECT id, module_id, rel_pc, function, file, line, inlined "
                     "FROM main.frames", load_frame, 0, err, errlen) ||
           load_each(t, "SELECT frame_id, function, file, line FROM main.frame_inlines "
                     "ORDER BY frame_id, depth", load_inl, first_frame, err, errlen) ? -1 : 0;
}

/* Callsite ids are dense (1..N from the recorder): an array beats the hash
 * map for the scans, which look one up per allocation.  Skipped (the map
 * serves) when the ids are sparse or memory is short. */
static void load_dense(an_tree_t *t)
{
    long long lo = 0, hi = -1;
    for (size_t i = 0; i < t->n_nodes; i++) {
        long long id = t->nodes[i].id;
        if (id == LLONG_MIN)
            continue;
        if (hi < lo || id < lo)
            lo = id;
        if (hi < lo || id > hi)
            hi = id;
    }
    free(t->dense);
    t->dense = NULL;
    if (hi < lo || (unsigned long long)hi - (unsigned long long)lo > 4ull * t->n_nodes + 1024)
        return;
    if (!(t->dense = malloc((size_t)(hi - lo + 1) * sizeof *t->dense)))
        return;
    memset(t->dense, 0xff, (size_t)(hi - lo + 1) * sizeof *t->dense);
    for (size_t i = 0; i < t->n_nodes; i++)
        if (t->nodes[i].id != LLONG_MIN)
            t->dense[t->nodes[i].id - lo] = (int)i;
    t->dense_lo = lo;
    t->dense_n = hi - lo + 1;
}

int an_tree_load(an_tree_t *t, char *err, size_t errlen)
{
    if (an__tree_load_frames(t, err, errlen) ||
        load_each(t, "SELECT id, parent_id, frame_id, depth FROM main.callsites", load_node, 0, err,
                  errlen) ||
        load_link(t, err, errlen))
        return -1;
    load_dense(t);
    t->loaded = 1;
    return 0;
}

/* Parents stay unresolved (-2): an_tree_parent fetches them on demand. */
int an_tree_load_leaves(an_tree_t *t, char *err, size_t errlen)
{
    return an__tree_load_frames(t, err, errlen) ||
           load_each(t, "SELECT c.id, c.parent_id, c.frame_id, c.depth "
                     "FROM main.callsite_stats s JOIN main.callsites c ON c.id = s.callsite_id",
                     load_node, 0, err, errlen) ? -1 : 0;
}
