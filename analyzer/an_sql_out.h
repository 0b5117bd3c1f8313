/*
 * an_sql_out.h -- the rows of any SQL statement written out, for
 * `heapql sql`: an aligned table with a header (text), CSV with a header
 * line, or a JSON array of objects keyed by column name.  Writes to the
 * FILE the caller chose.
 */
#ifndef AN_SQL_OUT_H
#define AN_SQL_OUT_H

#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

#include "an_fmt.h"

/* Rows kept to size the text table's columns; later rows reuse the widths. */
#define AN_SQL_OUT_MEASURE 10000

/* Step st to its end, writing its rows to f.  A statement without result
 * columns writes nothing.  Returns 0, or -1 with SQLite's message in err
 * (rows before the error may have been written). */
int an_sql_out(sqlite3_stmt *st, an_format_t fmt, FILE *f, char *err, size_t errlen);

#endif
