/* an_export_csv.c -- `export --format csv`: every allocation as one row
 * (RFC 4180, header line first), in allocation order, for spreadsheets and
 * pandas.  Integers are plain decimals as in the database (ptr too);
 * free_ns is empty for a block never freed; function is the innermost
 * frame's function (the innermost inlined one), module+0xoffset when it
 * has no name, empty when no stack was recorded; weight is the number of
 * blocks the row stands for (1, but in a sampled run). */
#include "an_export.h"

#include <string.h>

/* %s: the weight column of sampled runs, or 1 where the file has none. */
static const char csv_sql[] =
    "SELECT a.id, a.pid, a.tid, ifnull(k.name, a.kind), a.ptr, a.size, a.usable_size, "
    "a.alloc_ns, a.free_ns, a.callsite_id, c.id, f.function, m.path, f.rel_pc, %s "
    "FROM allocations a "
    "LEFT JOIN kinds k ON k.id = a.kind "
    "LEFT JOIN callsites c ON c.id = a.callsite_id "
    "LEFT JOIN frames f ON f.id = c.frame_id "
    "LEFT JOIN modules m ON m.id = f.module_id "
    "ORDER BY a.id";

static void csv_opt_int(FILE *out, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        fputc(',', out);
    else
        an_csv_int(out, sqlite3_column_int64(st, col), 0);
}

static void csv_function(FILE *out, sqlite3_stmt *st)
{
    char buf[1024];
    an_frame_t f;
    if (sqlite3_column_type(st, 10) == SQLITE_NULL) { /* no stack, or a dangling id */
        an_csv_str(out, "", 0);
        return;
    }
    memset(&f, 0, sizeof f);
    f.function = (const char *)sqlite3_column_text(st, 11);
    f.module = (const char *)sqlite3_column_text(st, 12);
    f.rel_pc = (unsigned long long)sqlite3_column_int64(st, 13);
    an_csv_str(out, f.function ? f.function : an_frame_label(&f, buf, sizeof buf), 0);
}

static void csv_row(FILE *out, sqlite3_stmt *st)
{
    for (int col = 0; col < 3; col++)
        an_csv_int(out, sqlite3_column_int64(st, col), 0);
    an_csv_str(out, (const char *)sqlite3_column_text(st, 3), 0);
    for (int col = 4; col < 8; col++)
        an_csv_int(out, sqlite3_column_int64(st, col), 0);
    csv_opt_int(out, st, 8);
    csv_opt_int(out, st, 9);
    csv_function(out, st);
    fprintf(out, "%.15g\n", sqlite3_column_double(st, 14));
}

int an_export_csv(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char sql[sizeof csv_sql + 16];
    int rc;
    (void)o;
    snprintf(sql, sizeof sql, csv_sql,
             an_export_has_column(d, "allocations", "weight") ? "a.weight" : "1");
    if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        return -1;
    }
    fputs("id,pid,tid,kind,ptr,size,usable_size,alloc_ns,free_ns,callsite_id,function,weight\n",
          out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        csv_row(out, st);
    if (rc != SQLITE_DONE)
        snprintf(err, errlen, "database error reading allocations: %s", sqlite3_errmsg(d->db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
