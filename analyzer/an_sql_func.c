/* an_sql_func.c -- stacks for SQL (an_sql_stack) and the SQL functions
 * stack() and kind_name() (an_sql.h). */
#include <stdlib.h>
#include <string.h>

#include "an_sql_ctx.h"

/* 1 when callsite id exists, 0 when not, -1 on a database error. */
static int func_callsite_exists(sqlite3 *db, long long id)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.callsites WHERE id = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        int step = sqlite3_step(st);
        rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(st);
    return rc;
}

int an_sql_stack(an_sql_ctx_t *ctx, long long callsite_id,
                 int (*fn)(const an_frame_t *f, void *arg), void *arg, char **errmsg)
{
    an_db_t d = {.db = ctx->db};
    char err[512];

    if (an_stack_walk(&d, callsite_id, fn, arg, err, sizeof err) == 0)
        return 1;
    /* an_stack_walk fails alike for an unknown id and a damaged table. */
    if (func_callsite_exists(ctx->db, callsite_id) == 0)
        return 0;
    *errmsg = sqlite3_mprintf("%s", err);
    return -1;
}

/* One line per frame, an_frame_label's text, inlined functions marked. */
static int func_stack_line(const an_frame_t *f, void *arg)
{
    sqlite3_str *s = arg;
    char buf[8192];
    if (sqlite3_str_length(s) > 0)
        sqlite3_str_appendchar(s, 1, '\n');
    sqlite3_str_appendall(s, an_frame_label(f, buf, sizeof buf));
    if (f->inlined)
        sqlite3_str_appendall(s, " [inlined]");
    return 0;
}

void an_sql_stack_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    an_sql_ctx_t *ctx = sqlite3_user_data(c);
    sqlite3_str *s;
    char *msg = NULL, *text;
    int rc, oom;

    if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER)
        return; /* NULL */
    s = sqlite3_str_new(ctx->db);
    rc = an_sql_stack(ctx, sqlite3_value_int64(argv[0]), func_stack_line, s, &msg);
    oom = sqlite3_str_errcode(s) == SQLITE_NOMEM;
    text = sqlite3_str_finish(s); /* NULL when there was no frame */
    if (rc < 0)
        sqlite3_result_error(c, msg, -1);
    else if (oom)
        sqlite3_result_error_nomem(c);
    else if (rc == 1 && text) {
        sqlite3_result_text(c, text, -1, sqlite3_free);
        text = NULL;
    }
    sqlite3_free(text);
    sqlite3_free(msg);
}

/* The kinds table, read once (the collector writes it at the start). */
static int func_load_kinds(an_sql_ctx_t *ctx)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(ctx->db, "SELECT id, name FROM main.kinds", -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        an_sql_kind_t *p = realloc(ctx->kinds, (size_t)(n + 1) * sizeof *p);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!p)
            break;
        ctx->kinds = p;
        ctx->kinds[n].id = sqlite3_column_int64(st, 0);
        ctx->kinds[n].name = strdup(name ? name : "");
        n += ctx->kinds[n].name != NULL;
    }
    sqlite3_finalize(st);
    ctx->nkinds = n;
    return 0;
}

void an_sql_kind_name_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    an_sql_ctx_t *ctx = sqlite3_user_data(c);
    long long kind;

    if (sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER)
        return;
    kind = sqlite3_value_int64(argv[0]);
    if (ctx->nkinds < 0 && func_load_kinds(ctx) != 0) {
        sqlite3_result_error(c, sqlite3_errmsg(ctx->db), -1);
        return;
    }
    for (int i = 0; i < ctx->nkinds; i++) {
        if (ctx->kinds[i].id == kind) {
            sqlite3_result_text(c, ctx->kinds[i].name, -1, SQLITE_TRANSIENT);
            return;
        }
    }
}

void an_sql_ctx_free(void *p)
{
    an_sql_ctx_t *ctx = p;
    if (!ctx)
        return;
    for (int i = 0; i < ctx->nkinds; i++)
        free(ctx->kinds[i].name);
    free(ctx->kinds);
    free(ctx);
}
