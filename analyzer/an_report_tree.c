/* an_report_tree.c -- see an_report_tree.h.  Bulk loading is in
 * an_report_treeload.c; this file holds the arrays, point queries and
 * stack expansion. */
#include "an_report_tree.h"
#include "an_report_treeint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More callsite steps than this from a leaf to the root means a cycle: the
 * recorder caps stacks at 1024 frames. */
#define TREE_MAX_STEPS 65536

an_tree_t *an_tree_new(sqlite3 *db)
{
    an_tree_t *t = calloc(1, sizeof *t);
    if (t)
        t->db = db;
    return t;
}

void an_tree_release(an_tree_t *t)
{
    if (!t)
        return;
    sqlite3_finalize(t->q_node);
    sqlite3_finalize(t->q_frame);
    sqlite3_finalize(t->q_inl);
    sqlite3_finalize(t->q_mod);
    t->q_node = t->q_frame = t->q_inl = t->q_mod = NULL;
}

void an_tree_free(an_tree_t *t)
{
    if (!t)
        return;
    an_tree_release(t);
    an_pool_free(&t->pool);
    an_map_free(&t->mod_ix);
    an_map_free(&t->frame_ix);
    an_map_free(&t->node_ix);
    free(t->dense);
    free(t->mods);
    free(t->frames);
    free(t->inl);
    free(t->nodes);
    free(t);
}

int an__tree_grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

int an__tree_oom(char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory reading the call stacks");
    return -1;
}

int an__tree_dberr(an_tree_t *t, char *err, size_t errlen)
{
    snprintf(err, errlen, "database error reading call stacks: %s", sqlite3_errmsg(t->db));
    return -1;
}

static unsigned mod_flags(const char *path, const char *base, int is_main)
{
    static const char *const sys[] = {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"};
    unsigned f = is_main ? AN_MOD_MAIN : 0;
    if (!strncmp(base, "ld-linux", 8) || !strcmp(base, "ld.so") ||
        (!strncmp(base, "ld-", 3) && strstr(base, ".so")))
        f |= AN_MOD_LOADER;
    for (size_t i = 0; i < sizeof sys / sizeof sys[0]; i++)
        if (!strncmp(path, sys[i], strlen(sys[i])))
            f |= AN_MOD_SYSTEM;
    return f;
}

int an__tree_add_mod(an_tree_t *t, long long id, const char *path, int is_main)
{
    int oom = 0;
    if (an__tree_grow((void **)&t->mods, &t->cap_mods, t->n_mods, sizeof *t->mods) != 0)
        return -1;
    an_tmod_t *m = &t->mods[t->n_mods];
    m->id = id;
    m->path = an_pool_intern(&t->pool, path ? path : "?", &oom);
    if (oom)
        return -1;
    const char *slash = strrchr(m->path, '/');
    m->base = slash ? slash + 1 : m->path;
    m->flags = mod_flags(m->path, m->base, is_main);
    if (an_map_put(&t->mod_ix, id, (int)t->n_mods) != 0)
        return -1;
    return (int)t->n_mods++;
}

int an__tree_add_frame(an_tree_t *t, const an__tree_frame_row_t *r)
{
    int oom = 0;
    if (an__tree_grow((void **)&t->frames, &t->cap_frames, t->n_frames, sizeof *t->frames) != 0)
        return -1;
    an_tframe_t *f = &t->frames[t->n_frames];
    memset(f, 0, sizeof *f);
    f->id = r->id;
    f->function = an_pool_intern(&t->pool, r->function, &oom);
    f->file = an_pool_intern(&t->pool, r->file, &oom);
    f->line = r->line;
    f->inlined = r->inlined;
    f->module = r->module;
    f->rel_pc = r->rel_pc;
    if (oom || an_map_put(&t->frame_ix, r->id, (int)t->n_frames) != 0)
        return -1;
    return (int)t->n_frames++;
}

int an__tree_add_inl(an_tree_t *t, int fi, const char *function, const char *file, int line)
{
    int oom = 0;
    if (an__tree_grow((void **)&t->inl, &t->cap_inl, t->n_inl, sizeof *t->inl) != 0)
        return -1;
    an_tinl_t *e = &t->inl[t->n_inl];
    e->function = an_pool_intern(&t->pool, function, &oom);
    e->file = an_pool_intern(&t->pool, file, &oom);
    e->line = line;
    if (oom)
        return -1;
    if (t->frames[fi].inl_n == 0)
        t->frames[fi].inl_first = (int)t->n_inl;
    t->frames[fi].inl_n++;
    t->n_inl++;
    return 0;
}

int an__tree_add_node(an_tree_t *t, long long id, int has_parent, long long parent_id, int fi,
                  int depth)
{
    if (an__tree_grow((void **)&t->nodes, &t->cap_nodes, t->n_nodes, sizeof *t->nodes) != 0)
        return -1;
    an_tnode_t *n = &t->nodes[t->n_nodes];
    n->id = id;
    n->has_parent = has_parent;
    n->parent_id = parent_id;
    n->parent = has_parent ? -2 : -1;
    n->frame = fi;
    n->depth = depth;
    if (an_map_put(&t->node_ix, id, (int)t->n_nodes) != 0)
        return -1;
    return (int)t->n_nodes++;
}

/* ---- point queries ------------------------------------------------------- */

static int tree_prepare(an_tree_t *t, sqlite3_stmt **st, const char *sql, char *err,
                        size_t errlen)
{
    if (*st) {
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
        return 0;
    }
    if (sqlite3_prepare_v2(t->db, sql, -1, st, NULL) != SQLITE_OK)
        return an__tree_dberr(t, err, errlen);
    return 0;
}

/* Module index for id (fetching it), -1 when absent; -2 on error. */
static int tree_module(an_tree_t *t, long long id, char *err, size_t errlen)
{
    int mi = an_map_get(&t->mod_ix, id);
    if (mi >= 0 || t->loaded)
        return mi;
    if (tree_prepare(t, &t->q_mod, "SELECT path, is_main FROM main.modules WHERE id = ?", err,
                     errlen) != 0)
        return -2;
    sqlite3_bind_int64(t->q_mod, 1, id);
    int rc = sqlite3_step(t->q_mod);
    if (rc == SQLITE_DONE)
        return -1;
    if (rc != SQLITE_ROW)
        return an__tree_dberr(t, err, errlen) - 1;
    mi = an__tree_add_mod(t, id, (const char *)sqlite3_column_text(t->q_mod, 0),
                      sqlite3_column_int(t->q_mod, 1));
    return mi < 0 ? an__tree_oom(err, errlen) - 1 : mi;
}

static int tree_fetch_inlines(an_tree_t *t, int fi, char *err, size_t errlen)
{
    if (tree_prepare(t, &t->q_inl,
                     "SELECT function, file, line FROM main.frame_inlines WHERE frame_id = ? "
                     "ORDER BY depth", err, errlen) != 0)
        return -1;
    sqlite3_bind_int64(t->q_inl, 1, t->frames[fi].id);
    int rc;
    while ((rc = sqlite3_step(t->q_inl)) == SQLITE_ROW)
        if (an__tree_add_inl(t, fi, (const char *)sqlite3_column_text(t->q_inl, 0),
                         (const char *)sqlite3_column_text(t->q_inl, 1),
                         sqlite3_column_int(t->q_inl, 2)) != 0)
            return an__tree_oom(err, errlen);
    return rc == SQLITE_DONE ? 0 : an__tree_dberr(t, err, errlen);
}

/* A frame row that does not exist becomes an unknown frame, so a damaged
 * stack still prints. */
static int tree_fetch_frame(an_tree_t *t, long long id, char *err, size_t errlen)
{
    an__tree_frame_row_t r = {.id = id, .module = -1};
    if (tree_prepare(t, &t->q_frame,
                     "SELECT module_id, rel_pc, function, file, line, inlined FROM main.frames "
                     "WHERE id = ?", err, errlen) != 0)
        return -1;
    sqlite3_bind_int64(t->q_frame, 1, id);
    int rc = sqlite3_step(t->q_frame);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return an__tree_dberr(t, err, errlen);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(t->q_frame, 0) != SQLITE_NULL) {
            r.module = tree_module(t, sqlite3_column_int64(t->q_frame, 0), err, errlen);
            if (r.module == -2)
                return -1;
        }
        r.rel_pc = (unsigned long long)sqlite3_column_int64(t->q_frame, 1);
        r.function = (const char *)sqlite3_column_text(t->q_frame, 2);
        r.file = (const char *)sqlite3_column_text(t->q_frame, 3);
        r.line = sqlite3_column_int(t->q_frame, 4);
        r.inlined = sqlite3_column_int(t->q_frame, 5);
    }
    int fi = an__tree_add_frame(t, &r);
    if (fi < 0)
        return an__tree_oom(err, errlen);
    if (rc == SQLITE_ROW && tree_fetch_inlines(t, fi, err, errlen) != 0)
        return -1;
    return fi;
}

int an_tree_frame(an_tree_t *t, long long id, char *err, size_t errlen)
{
    int fi = an_map_get(&t->frame_ix, id);
    if (fi >= 0)
        return fi;
    t->misses++;
    return tree_fetch_frame(t, id, err, errlen);
}

int an_tree_node(an_tree_t *t, long long id, char *err, size_t errlen)
{
    int ni = an_map_get(&t->node_ix, id);
    if (ni >= 0)
        return ni;
    t->misses++;
    if (!t->loaded && t->bulk_after > 0 && t->misses > t->bulk_after) {
        if (an_tree_load(t, err, errlen) != 0)
            return -1;
        if ((ni = an_map_get(&t->node_ix, id)) >= 0)
            return ni;
    }
    if (tree_prepare(t, &t->q_node,
                     "SELECT parent_id, frame_id, depth FROM main.callsites WHERE id = ?", err,
                     errlen) != 0)
        return -1;
    sqlite3_bind_int64(t->q_node, 1, id);
    int rc = sqlite3_step(t->q_node);
    if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "no callsite with id %lld", id);
        return -1;
    }
    if (rc != SQLITE_ROW)
        return an__tree_dberr(t, err, errlen);
    int has_parent = sqlite3_column_type(t->q_node, 0) != SQLITE_NULL;
    long long parent = sqlite3_column_int64(t->q_node, 0);
    long long frame = sqlite3_column_int64(t->q_node, 1);
    int depth = sqlite3_column_int(t->q_node, 2);
    int fi = an_tree_frame(t, frame, err, errlen);
    if (fi < 0)
        return -1;
    ni = an__tree_add_node(t, id, has_parent, parent, fi, depth);
    return ni < 0 ? an__tree_oom(err, errlen) : ni;
}

int an_tree_parent(an_tree_t *t, int i, char *err, size_t errlen)
{
    an_tnode_t *n = &t->nodes[i];
    if (n->parent != -2)
        return n->parent;
    long long pid = n->parent_id, id = n->id;
    int p = an_tree_node(t, pid, err, errlen);
    if (p < 0) {
        snprintf(err, errlen, "callsite %lld names parent %lld, which does not exist "
                 "(damaged database)", id, pid);
        return -2;
    }
    t->nodes[i].parent = p; /* re-index: the array may have moved */
    return p;
}

/* ---- expansion ----------------------------------------------------------- */

static void xframe_set(an_xframe_t *x, const an_tree_t *t, int fi, const char *function,
                       const char *file, int line, int inlined)
{
    const an_tframe_t *f = &t->frames[fi];
    x->frame = fi;
    x->module = f->module;
    x->f.frame_id = f->id;
    x->f.function = function;
    x->f.file = file;
    x->f.line = line > 0 ? line : 0;
    x->f.module = f->module >= 0 ? t->mods[f->module].path : NULL;
    x->f.rel_pc = f->rel_pc;
    x->f.inlined = inlined;
}

/* frames names the innermost inlined function; the chain (depth 0 =
 * outermost) may or may not repeat it as its last entry. */
int an_tree_expand(const an_tree_t *t, int fi, an_xframe_t *out, int max)
{
    const an_tframe_t *f = &t->frames[fi];
    int n = 0, last = f->inl_n - 1;
    xframe_set(&out[n++], t, fi, f->function, f->file, f->line, f->inl_n > 0);
    if (f->inl_n == 0)
        return 1;
    const an_tinl_t *c = &t->inl[f->inl_first];
    if (c[last].function == f->function && c[last].file == f->file && c[last].line == f->line)
        last--;
    for (int d = last; d >= 0 && n < max; d--)
        xframe_set(&out[n++], t, fi, c[d].function, c[d].file, c[d].line, d > 0);
    out[n - 1].f.inlined = 0;
    return n;
}

static int stackbuf_room(an_stackbuf_t *b, int need)
{
    if (b->n + need <= b->cap)
        return 0;
    int cap = b->cap ? b->cap * 2 : 64;
    while (cap < b->n + need)
        cap *= 2;
    an_xframe_t *v = realloc(b->v, (size_t)cap * sizeof *v);
    if (!v)
        return -1;
    b->v = v;
    b->cap = cap;
    return 0;
}

int an_tree_stack(an_tree_t *t, int i, an_stackbuf_t *b, char *err, size_t errlen)
{
    int steps = 0;
    b->n = 0;
    while (i >= 0) {
        if (++steps > TREE_MAX_STEPS) {
            snprintf(err, errlen, "cycle in callsites at id %lld (damaged database)",
                     t->nodes[i].id);
            return -1;
        }
        const an_tframe_t *f = &t->frames[t->nodes[i].frame];
        if (stackbuf_room(b, f->inl_n + 1) != 0)
            return an__tree_oom(err, errlen);
        b->n += an_tree_expand(t, t->nodes[i].frame, b->v + b->n, f->inl_n + 1);
        i = an_tree_parent(t, i, err, errlen);
        if (i == -2)
            return -1;
    }
    return 0;
}

void an_stackbuf_free(an_stackbuf_t *b)
{
    if (!b)
        return;
    free(b->v);
    memset(b, 0, sizeof *b);
}
