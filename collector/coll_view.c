/*
 * coll_view.c -- the finished file's `allocations` view, with its constants
 * written in.
 *
 * While recording, the view of schema/v1.sql reads the constants of the
 * compact encoding (meta 'pid_base', 'ptr_base', 'ptr_far', 'ns_base') with
 * scalar subqueries, because the collector learns most of them as the run
 * goes.  SQLite evaluates those subqueries per row, which about doubles the
 * cost of a query that reads every column.  Once the recording ends they cannot
 * change: the view and its INSTEAD OF triggers (dropped with it) are made
 * again from the schema's own text, each subquery replaced by its value,
 * in the caller's transaction.  The schema's text stays the one
 * definition; this only substitutes numbers into it.
 *
 * A full recording's rows all weigh 1, and SQLite stores even a NULL as a
 * byte of every record.  So alloc_rows is made without its weight column
 * (coll_view_create: the view reads 1.0 and the triggers leave the column
 * out, again by substitution in the schema's text) and gets it back when
 * the recording ends (coll_view_bake, or coll_finish_abort): rows older
 * than an ADD COLUMN read its default, NULL, as the view expects.
 */
#include "coll_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char coll_schema_v1_sql[];

#define VIEW_FIRST "CREATE VIEW allocations AS"
#define VIEW_LAST "CREATE TRIGGER allocations_delete"
#define VIEW_KEYS 4

static const char *const view_keys[VIEW_KEYS] = {"pid_base", "ptr_base", "ptr_far", "ns_base"};

/* The statements from CREATE VIEW allocations to the END; of the last
 * trigger, copied; NULL if the schema text is not shaped so. */
static char *view_text(void)
{
    const char *a = strstr(coll_schema_v1_sql, VIEW_FIRST), *b, *e;
    char *s;
    if (!a || !(b = strstr(a, VIEW_LAST)) || !(e = strstr(b, "END;")))
        return NULL;
    e += 4;
    if (!(s = malloc((size_t)(e - a) + 1)))
        return NULL;
    memcpy(s, a, (size_t)(e - a));
    s[e - a] = 0;
    return s;
}

static int view_value(coll_t *c, const char *key, long long *out)
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT CAST(ifnull(max(value), 0) AS INTEGER) FROM meta WHERE key = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* Every occurrence of pattern in *s replaced by with (a new string). */
static int view_replace(char **s, const char *pattern, const char *with)
{
    size_t pl = strlen(pattern), wl = strlen(with), n = 0;
    char *out, *o;
    const char *p, *q;
    for (p = *s; (q = strstr(p, pattern)); p = q + pl)
        n++;
    if (!(out = malloc(strlen(*s) + n * wl + 1)))
        return -1;
    for (o = out, p = *s; (q = strstr(p, pattern)); p = q + pl) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, with, wl);
        o += wl;
    }
    strcpy(o, p);
    free(*s);
    *s = out;
    return 0;
}

/* The weight column in the schema's text, and what it becomes for a full
 * recording: each pattern occurs once, and in this order no pattern is
 * part of what an earlier one left. */
static const char *const view_weighed[][2] = {
    {"lifetime_ns,\n    weight", "lifetime_ns"},
    {"weight = nullif(NEW.weight, 1.0),", ""},
    {"nullif(NEW.weight, 1.0), ", ""},
    {"(weight, rowid", "(rowid"},
    {"ifnull(weight, 1.0) AS weight", "1.0 AS weight"},
};

/* The schema without alloc_rows.weight; NULL if it is not shaped so. */
static char *view_unweighed(void)
{
    size_t n = sizeof view_weighed / sizeof view_weighed[0];
    char *sql = strdup(coll_schema_v1_sql);
    for (size_t i = 0; sql && i < n; i++) {
        const char *at = strstr(sql, view_weighed[i][0]);
        if (!at || strstr(at + 1, view_weighed[i][0]) ||
            view_replace(&sql, view_weighed[i][0], view_weighed[i][1]) != 0) {
            free(sql);
            return NULL;
        }
    }
    if (sql && (strstr(sql, "(weight") || strstr(sql, ".weight") || strstr(sql, "ifnull(weight"))) {
        free(sql);
        return NULL;
    }
    return sql;
}

int coll_view_create(coll_t *c)
{
    char *sql;
    int rc;
    if (c->sample_rate != 0)
        return coll_db_exec(c, coll_schema_v1_sql);
    if (!(sql = view_unweighed())) {
        coll_fail(c, "the schema's weight column is not written as coll_view.c expects");
        return -1;
    }
    rc = coll_db_exec(c, sql);
    free(sql);
    return rc;
}

int coll_view_bake(coll_t *c)
{
    char *sql = view_text(), pattern[96], value[32];
    long long v;
    int rc = -1;
    if (!sql) {
        coll_fail(c, "the schema has no allocations view to finish");
        return -1;
    }
    if (c->sample_rate == 0 && coll_db_exec(c, "ALTER TABLE alloc_rows ADD COLUMN weight") != 0)
        goto out; /* a full recording's table was made without it (coll_view_create) */
    for (int i = 0; i < VIEW_KEYS; i++) {
        snprintf(pattern, sizeof pattern, "(SELECT ifnull(max(value), 0) FROM meta WHERE key = '%s')",
                 view_keys[i]);
        if (view_value(c, view_keys[i], &v) != 0)
            goto out;
        snprintf(value, sizeof value, "(%lld)", v);
        if (view_replace(&sql, pattern, value) != 0)
            goto out;
    }
    rc = coll_db_exec(c, "DROP VIEW allocations") || coll_db_exec(c, sql) ? -1 : 0;
out:
    if (rc != 0 && !c->failed)
        coll_fail(c, "cannot finish the allocations view: %s", sqlite3_errmsg(c->db));
    free(sql);
    return rc;
}
