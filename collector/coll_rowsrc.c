/*
 * coll_rowsrc.c -- heapql_rows, the eponymous virtual table the writer's
 * INSERT ... SELECT statements read (coll_batch.c): the rows [first, end)
 * of one block (coll_batch_src_t), as SQLite values: integers, NULL,
 * and the text or doubles of the few tables that have them.  Registered on
 * the collector's connection only; nothing of it is in the file.
 */
#include "coll_int.h"

#include <string.h>

typedef struct batch_vtab_s {
    sqlite3_vtab base;
    const coll_batch_src_t *src;
} batch_vtab_t;

/* The row it is on, and what src_column needs without going through the
 * batch: the writer reads each row once, just after another core wrote it. */
typedef struct batch_cursor_s {
    sqlite3_vtab_cursor base;
    const int64_t *row, *end;
    const char *text;
    int ncols;
    uint32_t text_cols, real_cols;
} batch_cursor_t;

#define BATCH_PREFETCH_ROWS 4

static int src_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                       sqlite3_vtab **out, char **err)
{
    batch_vtab_t *t;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, "
                                      "c10, c11, c12, c13, c14, c15)");
    if (rc != SQLITE_OK)
        return rc;
    if (!(t = sqlite3_malloc(sizeof *t)))
        return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->src = aux;
    *out = &t->base;
    return SQLITE_OK;
}

static int src_disconnect(sqlite3_vtab *t)
{
    sqlite3_free(t);
    return SQLITE_OK;
}

static int src_best_index(sqlite3_vtab *t, sqlite3_index_info *info)
{
    info->estimatedCost = 16384;
    info->estimatedRows = 16384;
    return SQLITE_OK;
}

static int src_open(sqlite3_vtab *t, sqlite3_vtab_cursor **out)
{
    batch_cursor_t *cur = sqlite3_malloc(sizeof *cur);
    if (!cur)
        return SQLITE_NOMEM;
    memset(cur, 0, sizeof *cur);
    *out = &cur->base;
    return SQLITE_OK;
}

static int src_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int src_filter(sqlite3_vtab_cursor *vc, int idx, const char *idx_str, int argc,
                      sqlite3_value **argv)
{
    batch_cursor_t *cur = (batch_cursor_t *)vc;
    const coll_batch_src_t *src = ((const batch_vtab_t *)vc->pVtab)->src;
    const coll_batch_t *b = src->batch;
    cur->ncols = b->ncols;
    cur->row = src->rows->vals + src->first * (size_t)b->ncols;
    cur->end = src->rows->vals + src->end * (size_t)b->ncols;
    cur->text = src->rows->text;
    cur->text_cols = b->text_cols;
    cur->real_cols = b->real_cols;
    return SQLITE_OK;
}

static int src_next(sqlite3_vtab_cursor *vc)
{
    batch_cursor_t *cur = (batch_cursor_t *)vc;
    cur->row += cur->ncols;
    __builtin_prefetch(cur->row + BATCH_PREFETCH_ROWS * cur->ncols);
    return SQLITE_OK;
}

static int src_eof(sqlite3_vtab_cursor *vc)
{
    const batch_cursor_t *cur = (const batch_cursor_t *)vc;
    return cur->row >= cur->end;
}

static int src_column(sqlite3_vtab_cursor *vc, sqlite3_context *ctx, int i)
{
    const batch_cursor_t *cur = (const batch_cursor_t *)vc;
    int64_t v = i < cur->ncols ? cur->row[i] : COLL_NULL;
    if (v == COLL_NULL) {
        sqlite3_result_null(ctx);
    } else if (!((cur->text_cols | cur->real_cols) & (1u << i))) {
        sqlite3_result_int64(ctx, v);
    } else if (cur->text_cols & (1u << i)) { /* rare tables: their text */
        sqlite3_result_text(ctx, cur->text + v, -1, SQLITE_TRANSIENT);
    } else { /* and their doubles */
        double d;
        memcpy(&d, &v, sizeof d);
        sqlite3_result_double(ctx, d);
    }
    return SQLITE_OK;
}

static int src_rowid(sqlite3_vtab_cursor *vc, sqlite3_int64 *rowid)
{
    const batch_cursor_t *cur = (const batch_cursor_t *)vc;
    *rowid = (sqlite3_int64)(cur->end - cur->row);
    return SQLITE_OK;
}

/* Eponymous only (no xCreate): "FROM heapql_rows" needs no CREATE. */
static const sqlite3_module batch_src_module = {
    .xConnect = src_connect,
    .xBestIndex = src_best_index,
    .xDisconnect = src_disconnect,
    .xOpen = src_open,
    .xClose = src_close,
    .xFilter = src_filter,
    .xNext = src_next,
    .xEof = src_eof,
    .xColumn = src_column,
    .xRowid = src_rowid,
};

int coll_rowsrc_register(sqlite3 *db, coll_batch_src_t *src)
{
    memset(src, 0, sizeof *src);
    return sqlite3_create_module(db, "heapql_rows", &batch_src_module, src) == SQLITE_OK ? 0 : -1;
}

