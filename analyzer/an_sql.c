/* an_sql.c -- see an_sql.h: registration of the helpers on a connection. */
#include "an_sql.h"

#include <stdio.h>
#include <stdlib.h>

#include "an_sql_ctx.h"

static int sql_registered(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM temp.sqlite_schema WHERE name = 'callsite_frames'",
                           -1, &st, NULL) == SQLITE_OK)
        found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static int sql_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "cannot register %s: %s", what, sqlite3_errmsg(db));
    return -1;
}

int an_sql_register(sqlite3 *db, char *err, size_t errlen)
{
    an_sql_ctx_t *ctx;

    if (sql_registered(db))
        return 0;
    ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ctx->db = db;
    ctx->nkinds = -1;
    /* The module owns ctx from here: freed with it, also on failure. */
    if (sqlite3_create_module_v2(db, "heapql_callsite_frames", &an_sql_vtab_module, ctx,
                                 an_sql_ctx_free) != SQLITE_OK)
        return sql_fail(db, "callsite_frames", err, errlen);
    if (sqlite3_create_function_v2(db, "stack", 1, SQLITE_UTF8, ctx, an_sql_stack_fn, NULL,
                                   NULL, NULL) != SQLITE_OK)
        return sql_fail(db, "stack()", err, errlen);
    if (sqlite3_create_function_v2(db, "kind_name", 1, SQLITE_UTF8, ctx,
                                   an_sql_kind_name_fn, NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(db, "kind_name()", err, errlen);
    if (sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.callsite_frames USING heapql_callsite_frames",
                     NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(db, "callsite_frames", err, errlen);
    return 0;
}
