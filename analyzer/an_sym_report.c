/* an_sym_report.c -- see an_sym_report.h. */
#include "an_sym_report.h"

#include <stdio.h>

int an_sym_problems(an_db_t *d, int (*fn)(const an_sym_problem_t *p, void *arg), void *arg,
                    char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(d->db,
                           "SELECT s.status, m.path, max(s.message), count(*)"
                           " FROM symbolization s JOIN modules m ON m.id = s.module_id"
                           " WHERE s.status <> 'ok' GROUP BY s.status, m.path"
                           " ORDER BY s.status, m.path", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        an_sym_problem_t p = {(const char *)sqlite3_column_text(st, 0),
                              (const char *)sqlite3_column_text(st, 1),
                              (const char *)sqlite3_column_text(st, 2),
                              sqlite3_column_int64(st, 3)};
        if (fn(&p, arg) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
