/*
 * an_sql_vtab.c -- the callsite_frames virtual table (an_sql.h).  Plan
 * CF_BY_ID (callsite_id fixed by = or IN, or a join on it): one stack per
 * value; otherwise every callsite in id order.  A callsite's frames are
 * copied out of an_stack_walk into the cursor, then served row by row.
 * A bound on depth (=, <, <=) stops each walk early: joining a million
 * allocations with their depth-0 frame took 3.8 s walking whole stacks.
 */
#include <stdlib.h>
#include <string.h>

#include "an_sql_ctx.h"

/* No stack is deeper (frames expanded through their inline chains). */
#define CF_NO_LIMIT (1LL << 40)

enum cf_col {
    CF_CALLSITE_ID = 0, CF_DEPTH, CF_FRAME_ID, CF_MODULE, CF_REL_PC, CF_FUNCTION, CF_FILE,
    CF_LINE, CF_INLINED
};

/* idxNum bits. */
enum { CF_BY_ID = 1, CF_DEPTH_MAX = 2 };

typedef struct cf_vtab_s {
    sqlite3_vtab base;
    an_sql_ctx_t *ctx;
} cf_vtab_t;

/* A frame of the current callsite; strings are offsets into text, -1 NULL. */
typedef struct cf_row_s {
    long long frame_id;
    unsigned long long rel_pc;
    int line, inlined;
    long module, function, file;
} cf_row_t;

typedef struct cf_cursor_s {
    sqlite3_vtab_cursor base;
    sqlite3_stmt *ids;   /* plan 0: every callsite id */
    long long callsite_id;
    cf_row_t *rows;
    int n, cap, pos;
    long long max_depth; /* frames past it are not needed */
    char *text;
    size_t tlen, tcap;
    int oom;
    sqlite3_int64 rowid;
} cf_cursor_t;

static int cf_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                      sqlite3_vtab **out, char **errmsg)
{
    cf_vtab_t *t;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(callsite_id INTEGER, depth INTEGER, "
                                      "frame_id INTEGER, module TEXT, rel_pc INTEGER, "
                                      "function TEXT, file TEXT, line INTEGER, inlined INTEGER)");
    if (rc != SQLITE_OK)
        return rc;
    t = sqlite3_malloc(sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->ctx = aux;
    *out = &t->base;
    return SQLITE_OK;
}

static int cf_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

/* ORDER BY the table delivers as is: callsite_id then depth for plan 0,
 * depth alone for a single callsite. */
static int cf_order_consumed(const sqlite3_index_info *info, int plan)
{
    int n = info->nOrderBy;
    const struct sqlite3_index_orderby *o = info->aOrderBy;
    if (n == 0 || n > 2 || o[0].desc || (n > 1 && o[1].desc))
        return 0;
    if (plan == 0)
        return o[0].iColumn == CF_CALLSITE_ID && (n == 1 || o[1].iColumn == CF_DEPTH);
    return n == 1 && o[0].iColumn == CF_DEPTH;
}

/* A constraint on depth that bounds it from above; -1 when none. */
static int cf_depth_bound(const sqlite3_index_info *info)
{
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->usable && c->iColumn == CF_DEPTH &&
            (c->op == SQLITE_INDEX_CONSTRAINT_EQ || c->op == SQLITE_INDEX_CONSTRAINT_LT ||
             c->op == SQLITE_INDEX_CONSTRAINT_LE))
            return i;
    }
    return -1;
}

static int cf_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    int eq = -1, bound = cf_depth_bound(info), argc = 0;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (c->usable && c->iColumn == CF_CALLSITE_ID && c->op == SQLITE_INDEX_CONSTRAINT_EQ)
            eq = i;
    }
    info->idxNum = 0;
    if (eq >= 0) {
        info->aConstraintUsage[eq].argvIndex = ++argc;
        info->aConstraintUsage[eq].omit = 1;
        info->idxNum |= CF_BY_ID;
    }
    if (bound >= 0) {
        /* SQLite still checks it: the bound only ends walks early. */
        info->aConstraintUsage[bound].argvIndex = ++argc;
        info->idxNum |= CF_DEPTH_MAX;
        info->idxStr = sqlite3_mprintf("%d", info->aConstraint[bound].op);
        info->needToFreeIdxStr = 1;
        if (!info->idxStr)
            return SQLITE_NOMEM;
    }
    /* (SQLite itself drops this for an IN list: one xFilter per value.) */
    info->orderByConsumed = cf_order_consumed(info, eq >= 0);
    info->estimatedCost = eq >= 0 ? (bound >= 0 ? 5 : 20) : (bound >= 0 ? 1e8 : 1e9);
    info->estimatedRows = eq >= 0 ? (bound >= 0 ? 1 : 20) : 10000000;
    return SQLITE_OK;
}

static int cf_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
    cf_cursor_t *cur = sqlite3_malloc(sizeof *cur);
    if (!cur)
        return SQLITE_NOMEM;
    memset(cur, 0, sizeof *cur);
    *out = &cur->base;
    return SQLITE_OK;
}

static int cf_close(sqlite3_vtab_cursor *vc)
{
    cf_cursor_t *cur = (cf_cursor_t *)vc;
    sqlite3_finalize(cur->ids);
    free(cur->rows);
    free(cur->text);
    sqlite3_free(cur);
    return SQLITE_OK;
}

static long cf_add_text(cf_cursor_t *cur, const char *s)
{
    size_t len = s ? strlen(s) + 1 : 0;
    if (!s)
        return -1;
    if (cur->tlen + len > cur->tcap) {
        size_t cap = cur->tcap ? cur->tcap : 4096;
        while (cap < cur->tlen + len)
            cap *= 2;
        char *p = realloc(cur->text, cap);
        if (!p) {
            cur->oom = 1;
            return -1;
        }
        cur->text = p;
        cur->tcap = cap;
    }
    memcpy(cur->text + cur->tlen, s, len);
    cur->tlen += len;
    return (long)(cur->tlen - len);
}

static int cf_add_frame(const an_frame_t *f, void *arg)
{
    cf_cursor_t *cur = arg;
    if (cur->n > cur->max_depth)
        return 1;
    if (cur->n == cur->cap) {
        int cap = cur->cap ? 2 * cur->cap : 64;
        cf_row_t *p = realloc(cur->rows, (size_t)cap * sizeof *p);
        if (!p) {
            cur->oom = 1;
            return 1;
        }
        cur->rows = p;
        cur->cap = cap;
    }
    cur->rows[cur->n++] = (cf_row_t){f->frame_id, f->rel_pc, f->line, f->inlined,
                                     cf_add_text(cur, f->module), cf_add_text(cur, f->function),
                                     cf_add_text(cur, f->file)};
    return cur->oom;
}

static int cf_error(cf_cursor_t *cur, char *msg)
{
    sqlite3_free(cur->base.pVtab->zErrMsg);
    cur->base.pVtab->zErrMsg = msg;
    return SQLITE_ERROR;
}

/* Load the frames of callsite id (none when it does not exist). */
static int cf_load(cf_cursor_t *cur, long long id)
{
    cf_vtab_t *t = (cf_vtab_t *)cur->base.pVtab;
    char *msg = NULL;
    cur->callsite_id = id;
    cur->n = cur->pos = 0;
    cur->tlen = 0;
    cur->oom = 0;
    if (an_sql_stack(t->ctx, id, cf_add_frame, cur, &msg) < 0)
        return cf_error(cur, msg);
    return cur->oom ? SQLITE_NOMEM : SQLITE_OK;
}

/* Plan 0: on to the next callsite that has frames. */
static int cf_next_callsite(cf_cursor_t *cur)
{
    int rc;
    cur->n = cur->pos = 0;
    while ((rc = sqlite3_step(cur->ids)) == SQLITE_ROW) {
        if ((rc = cf_load(cur, sqlite3_column_int64(cur->ids, 0))) != SQLITE_OK || cur->n > 0)
            return rc;
    }
    if (rc != SQLITE_DONE)
        return cf_error(cur, sqlite3_mprintf("%s", sqlite3_errmsg(sqlite3_db_handle(cur->ids))));
    return SQLITE_OK;
}

static int cf_next(sqlite3_vtab_cursor *vc)
{
    cf_cursor_t *cur = (cf_cursor_t *)vc;
    cur->rowid++;
    if (++cur->pos < cur->n || !cur->ids)
        return SQLITE_OK;
    return cf_next_callsite(cur);
}

/* The largest depth the constraint (op, v) lets through; -1: none. */
static long long cf_max_depth(const char *op, sqlite3_value *v)
{
    if (sqlite3_value_numeric_type(v) != SQLITE_INTEGER)
        return sqlite3_value_type(v) == SQLITE_NULL ? -1 : CF_NO_LIMIT;
    long long d = sqlite3_value_int64(v);
    return op && atoi(op) == SQLITE_INDEX_CONSTRAINT_LT ? d - 1 : d;
}

static int cf_filter(sqlite3_vtab_cursor *vc, int plan, const char *op, int argc,
                     sqlite3_value **argv)
{
    cf_cursor_t *cur = (cf_cursor_t *)vc;
    cf_vtab_t *t = (cf_vtab_t *)vc->pVtab;

    sqlite3_finalize(cur->ids);
    cur->ids = NULL;
    cur->n = cur->pos = 0;
    cur->max_depth = plan & CF_DEPTH_MAX ? cf_max_depth(op, argv[argc - 1]) : CF_NO_LIMIT;
    if (cur->max_depth < 0)
        return SQLITE_OK;
    if (plan & CF_BY_ID) {
        if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER)
            return SQLITE_OK;
        return cf_load(cur, sqlite3_value_int64(argv[0]));
    }
    if (sqlite3_prepare_v2(t->ctx->db, "SELECT id FROM main.callsites ORDER BY id", -1, &cur->ids,
                           NULL) != SQLITE_OK)
        return cf_error(cur, sqlite3_mprintf("%s", sqlite3_errmsg(t->ctx->db)));
    return cf_next_callsite(cur);
}

static int cf_eof(sqlite3_vtab_cursor *vc)
{
    const cf_cursor_t *cur = (const cf_cursor_t *)vc;
    return cur->pos >= cur->n;
}

static void cf_result_text(sqlite3_context *c, const cf_cursor_t *cur, long off)
{
    if (off >= 0)
        sqlite3_result_text(c, cur->text + off, -1, SQLITE_TRANSIENT);
}

static int cf_column(sqlite3_vtab_cursor *vc, sqlite3_context *c, int col)
{
    const cf_cursor_t *cur = (const cf_cursor_t *)vc;
    const cf_row_t *r = &cur->rows[cur->pos];
    switch (col) {
    case CF_CALLSITE_ID: sqlite3_result_int64(c, cur->callsite_id); break;
    case CF_DEPTH: sqlite3_result_int(c, cur->pos); break;
    case CF_FRAME_ID: sqlite3_result_int64(c, r->frame_id); break;
    case CF_MODULE: cf_result_text(c, cur, r->module); break;
    case CF_REL_PC: sqlite3_result_int64(c, (sqlite3_int64)r->rel_pc); break;
    case CF_FUNCTION: cf_result_text(c, cur, r->function); break;
    case CF_FILE: cf_result_text(c, cur, r->file); break;
    case CF_LINE: if (r->line > 0) sqlite3_result_int(c, r->line); break;
    case CF_INLINED: sqlite3_result_int(c, r->inlined); break;
    }
    return SQLITE_OK;
}

static int cf_rowid(sqlite3_vtab_cursor *vc, sqlite3_int64 *out)
{
    *out = ((cf_cursor_t *)vc)->rowid;
    return SQLITE_OK;
}

const sqlite3_module an_sql_vtab_module = {
    .iVersion = 0,
    .xCreate = cf_connect,
    .xConnect = cf_connect,
    .xBestIndex = cf_best_index,
    .xDisconnect = cf_disconnect,
    .xDestroy = cf_disconnect,
    .xOpen = cf_open,
    .xClose = cf_close,
    .xFilter = cf_filter,
    .xNext = cf_next,
    .xEof = cf_eof,
    .xColumn = cf_column,
    .xRowid = cf_rowid,
};
