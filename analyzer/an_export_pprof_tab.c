/* an_export_pprof_tab.c -- the tables of a pprof profile: the arena, the
 * string table, functions, mappings and locations (see an_export_pprof.h). */
#include "an_export_pprof.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pp_chunk_s {
    pp_chunk_t *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

#define PP_CHUNK 65536

void *pp_alloc(pp_t *p, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (!p->arena || p->arena->used + size > p->arena->size) {
        size_t cap = size > PP_CHUNK ? size : PP_CHUNK;
        pp_chunk_t *c = calloc(1, sizeof *c + cap);
        if (!c)
            return NULL;
        c->size = cap;
        c->next = p->arena;
        p->arena = c;
    }
    void *r = p->arena->data + p->arena->used;
    p->arena->used += size;
    return r;
}

int pp_push(pp_vec_t *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        void **n = realloc(v->v, cap * sizeof *n);
        if (!n)
            return -1;
        v->v = n;
        v->cap = cap;
    }
    v->v[v->n++] = item;
    return 0;
}

long long pp_str(pp_t *p, const char *s)
{
    int oom = 0;
    const char *k = an_pool_intern(&p->pool, s ? s : "", &oom);
    if (oom)
        return -1;
    int ix = an_map_get(&p->str_ix, (long long)(uintptr_t)k);
    if (ix >= 0)
        return ix;
    if (pp_push(&p->strs, (void *)k) != 0 ||
        an_map_put(&p->str_ix, (long long)(uintptr_t)k, (int)p->strs.n - 1) != 0)
        return -1;
    return (long long)p->strs.n - 1;
}

/* ---- functions ---------------------------------------------------------------- */

static const char *pp_fn_key(pp_t *p, const char *name, const char *file)
{
    int oom = 0;
    size_t need = strlen(name) + (file ? strlen(file) : 0) + 2;
    if (need > p->key_size) {
        char *k = realloc(p->key, need);
        if (!k)
            return NULL;
        p->key = k;
        p->key_size = need;
    }
    snprintf(p->key, p->key_size, "%s\x1f%s", name, file ? file : "");
    const char *r = an_pool_intern(&p->pool, p->key, &oom);
    return oom ? NULL : r;
}

/* Function id of (name, file), made on first use; 0 on OOM. */
static unsigned long long pp_function(pp_t *p, const char *name, const char *file)
{
    const char *key = pp_fn_key(p, name, file);
    if (!key)
        return 0;
    int ix = an_map_get(&p->fn_ix, (long long)(uintptr_t)key);
    if (ix >= 0)
        return (unsigned long long)ix + 1;
    pp_function_t *f = pp_alloc(p, sizeof *f);
    if (!f)
        return 0;
    perftools__profiles__function__init(f);
    f->id = p->fns.n + 1;
    f->name = f->system_name = pp_str(p, name);
    f->filename = pp_str(p, file);
    if (f->name < 0 || f->filename < 0 || pp_push(&p->fns, f) != 0 ||
        an_map_put(&p->fn_ix, (long long)(uintptr_t)key, (int)p->fns.n - 1) != 0)
        return 0;
    return f->id;
}

/* ---- mappings ----------------------------------------------------------------- */

static const char pp_mod_sql[] =
    "SELECT m.id, m.path, m.build_id, m.start, m.end, m.file_offset, m.load_bias, "
    "ifnull(s.status, ''), m.pid FROM modules m LEFT JOIN symbolization s ON s.module_id = m.id "
    "ORDER BY m.is_main DESC, m.id";

static int pp_mapping_row(pp_t *p, sqlite3_stmt *st)
{
    const char *status = (const char *)sqlite3_column_text(st, 7);
    int ok = status && !strcmp(status, "ok");
    pp_mapping_t *m = pp_alloc(p, sizeof *m);
    if (!m)
        return -1;
    perftools__profiles__mapping__init(m);
    m->id = p->maps.n + 1;
    m->memory_start = (uint64_t)sqlite3_column_int64(st, 3);
    m->memory_limit = (uint64_t)sqlite3_column_int64(st, 4);
    m->file_offset = (uint64_t)sqlite3_column_int64(st, 5);
    m->filename = pp_str(p, (const char *)sqlite3_column_text(st, 1));
    m->build_id = pp_str(p, (const char *)sqlite3_column_text(st, 2));
    m->has_functions = ok || (status && !strcmp(status, "symtab"));
    m->has_filenames = m->has_line_numbers = m->has_inline_frames = ok;
    if (m->filename < 0 || m->build_id < 0 || pp_push(&p->maps, m) != 0)
        return -1;
    if (p->maps.n > p->cap_mod) {
        size_t cap = p->cap_mod ? p->cap_mod * 2 : 64;
        pp_modinfo_t *v = realloc(p->mod, cap * sizeof *v);
        if (!v)
            return -1;
        p->mod = v;
        p->cap_mod = cap;
    }
    p->mod[p->maps.n - 1].bias = (unsigned long long)sqlite3_column_int64(st, 6);
    p->mod[p->maps.n - 1].pid = sqlite3_column_int64(st, 8);
    return an_map_put(&p->map_ix, sqlite3_column_int64(st, 0), (int)p->maps.n - 1);
}

int pp_mappings(pp_t *p, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    sqlite3 *db = p->c.d->db;
    int rc;
    if (sqlite3_prepare_v2(db, pp_mod_sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (pp_mapping_row(p, st) != 0) {
            sqlite3_finalize(st);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "database error reading modules: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* ---- locations ---------------------------------------------------------------- */

static int pp_line_add(pp_t *p, pp_location_t *l, const an_frame_t *f)
{
    pp_line_t *ln = pp_alloc(p, sizeof *ln);
    if (!ln)
        return -1;
    perftools__profiles__line__init(ln);
    ln->function_id = pp_function(p, f->function, f->file);
    ln->line = f->line;
    if (!ln->function_id)
        return -1;
    l->line[l->n_line++] = ln;
    return 0;
}

/* The lines of frame fi: its inline chain, innermost first, named
 * functions only.  0 / -1. */
static int pp_lines(pp_t *p, pp_location_t *l, int fi)
{
    const an_tree_t *t = p->c.tree;
    int max = t->frames[fi].inl_n + 1, n, rc = 0;
    an_xframe_t *x = malloc((size_t)max * sizeof *x);
    if (!x)
        return -1;
    n = an_tree_expand(t, fi, x, max);
    if (!(l->line = pp_alloc(p, (size_t)n * sizeof *l->line)))
        rc = -1;
    for (int i = 0; rc == 0 && i < n; i++)
        if (x[i].f.function)
            rc = pp_line_add(p, l, &x[i].f);
    free(x);
    return rc;
}

/* Mapping index of frame f, -1 for none. */
static int pp_frame_mapping(pp_t *p, const an_tframe_t *f)
{
    return f->module >= 0 ? an_map_get(&p->map_ix, p->c.tree->mods[f->module].id) : -1;
}

long long pp_frame_pid(pp_t *p, int fi)
{
    int mi = pp_frame_mapping(p, &p->c.tree->frames[fi]);
    return mi >= 0 ? p->mod[mi].pid : -1;
}

static void pp_loc_mapping(pp_t *p, const an_tframe_t *f, pp_location_t *l)
{
    int mi = pp_frame_mapping(p, f);
    l->mapping_id = mi >= 0 ? (uint64_t)mi + 1 : 0;
    l->address = f->rel_pc + (mi >= 0 ? p->mod[mi].bias : 0);
}

unsigned long long pp_location(pp_t *p, int fi)
{
    if (p->loc_of[fi])
        return (unsigned long long)p->loc_of[fi];
    pp_location_t *l = pp_alloc(p, sizeof *l);
    if (!l)
        return 0;
    perftools__profiles__location__init(l);
    l->id = p->locs.n + 1;
    pp_loc_mapping(p, &p->c.tree->frames[fi], l);
    if (pp_lines(p, l, fi) != 0 || pp_push(&p->locs, l) != 0)
        return 0;
    p->loc_of[fi] = (int)l->id;
    return l->id;
}

void pp_tables_free(pp_t *p)
{
    while (p->arena) {
        pp_chunk_t *next = p->arena->next;
        free(p->arena);
        p->arena = next;
    }
    an_pool_free(&p->pool);
    an_map_free(&p->str_ix);
    an_map_free(&p->fn_ix);
    an_map_free(&p->map_ix);
    free(p->strs.v);
    free(p->fns.v);
    free(p->maps.v);
    free(p->locs.v);
    free(p->samples.v);
    free(p->mod);
    free(p->loc_of);
    free(p->key);
}
