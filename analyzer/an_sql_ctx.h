/*
 * an_sql_ctx.h -- what the SQL helpers of one connection share (an_sql.h).
 * The context lives as long as the connection (freed by the module's
 * destructor).  Stacks come from an_stack_walk, as in the reports, so SQL
 * and reports show the same frames.
 */
#ifndef AN_SQL_CTX_H
#define AN_SQL_CTX_H

#include <sqlite3.h>

#include "an_stack.h"

typedef struct an_sql_kind_s {
    long long id;
    char *name;
} an_sql_kind_t;

typedef struct an_sql_ctx_s {
    sqlite3 *db;
    an_sql_kind_t *kinds; /* read on the first kind_name() call */
    int nkinds;           /* -1: not read yet */
} an_sql_ctx_t;

/* an_stack_walk on ctx's connection.  Returns 1 when the callsite exists
 * (fn saw its frames), 0 when there is no such callsite, -1 on an error
 * with *errmsg a sqlite3_malloc'd message. */
int an_sql_stack(an_sql_ctx_t *ctx, long long callsite_id,
                 int (*fn)(const an_frame_t *f, void *arg), void *arg, char **errmsg);

/* The callsite_frames virtual table module; client data an_sql_ctx_t *. */
extern const sqlite3_module an_sql_vtab_module;

/* SQL functions; user data an_sql_ctx_t *. */
void an_sql_stack_fn(sqlite3_context *c, int argc, sqlite3_value **argv);
void an_sql_kind_name_fn(sqlite3_context *c, int argc, sqlite3_value **argv);

/* Free ctx and what it holds. */
void an_sql_ctx_free(void *ctx);

#endif
