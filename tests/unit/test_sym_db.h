/* test_sym_db.h -- databases for the symbolizer and SQL tests: the real
 * schema (as the collector embeds it), filled by hand. */
#ifndef TEST_SYM_DB_H
#define TEST_SYM_DB_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

extern const char coll_schema_v1_sql[];

/* printf-style statement; aborts the test on error (a broken fixture). */
static void tdb_exec(sqlite3 *db, const char *fmt, ...)
{
    char *err = NULL;
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "fixture: %s: %s\n", sql, err);
        exit(2);
    }
    sqlite3_free(sql);
}

/* A new database at path (replaced), schema v1, status complete. */
static sqlite3 *tdb_create(const char *path)
{
    sqlite3 *db = NULL;
    remove(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "fixture: cannot create %s\n", path);
        exit(2);
    }
    tdb_exec(db, "%s", coll_schema_v1_sql);
    tdb_exec(db, "PRAGMA user_version = 1; INSERT INTO meta VALUES ('status', 'complete')");
    return db;
}

/* First column of the first row as text (malloc'd), NULL for no row/NULL. */
static char *tdb_text(sqlite3 *db, const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fixture: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(2);
    }
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return out;
}

/* tdb_text compared with expected (NULL: expect no value); 1 when equal. */
static int tdb_is(sqlite3 *db, const char *expected, const char *sql)
{
    char *got = tdb_text(db, "%s", sql);
    int ok = expected ? got && !strcmp(got, expected) : !got;
    if (!ok)
        fprintf(stderr, "  %s -> '%s', expected '%s'\n", sql, got ? got : "(null)",
                expected ? expected : "(null)");
    sqlite3_free(got);
    return ok;
}

#endif
