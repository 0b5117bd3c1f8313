/*
 * coll_batch.c -- buffered rows for one statement.  The loop fills blocks
 * of rows (64-bit values, COLL_NULL for NULL, text columns as offsets into
 * the block's text arena); a full block goes to the writer thread
 * (coll_writer.c), or is written at once when no writer runs.
 *
 * Real columns (alloc_rows.weight in a sampled run) hold the bits of their
 * double.
 *
 * Writing a block: "INSERT INTO t(...) SELECT c0, c1, ... FROM heapql_rows",
 * where heapql_rows (coll_rowsrc.c) is a virtual table over a range of the block's rows
 * (the writer's coll_batch_src_t): one execution per range, no parameter
 * to bind.  Measured with a stand-alone insert loop, that is 10-15 % less
 * CPU per row than binding 128-row "VALUES (?,..),(?,..)" statements, and
 * no block ends with rows written one statement each.
 *
 * alloc_rows names no id: SQLite gives each row the largest rowid + 1,
 * so every insert appends to the table's last page, which it fills.  An
 * explicit rowid costs a seek from the root for its conflict check, and
 * rowids in allocation order (rows are written when blocks end) put most
 * rows of a long-lived heap into the middle of the table: measured on the
 * CPython benchmark, 21 % more collector CPU and 8 % more bytes per row.
 */
#include "coll_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_TEXT_MIN 4096

/* ---- statements ---------------------------------------------------------- */

/* "head SELECT c0, .., c<ncols-1> FROM heapql_rows tail".  An upsert
 * tail needs a WHERE before it (SQLite's rule for INSERT ... SELECT). */
static char *batch_sql(const char *head, const char *tail, int ncols)
{
    size_t len = strlen(head) + strlen(tail) + 64 + (size_t)ncols * 6;
    char *sql = malloc(len), *p;
    if (!sql)
        return NULL;
    p = sql + sprintf(sql, "%s SELECT ", head);
    for (int i = 0; i < ncols; i++)
        p += sprintf(p, "%sc%d", i ? ", " : "", i);
    sprintf(p, " FROM heapql_rows%s%s", *tail ? " WHERE 1 " : "", tail);
    return sql;
}

static int batch_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) == SQLITE_OK ? 0 : -1;
}

static int batch_statements(coll_batch_t *b, const char *head, const char *tail,
                            sqlite3_stmt **out)
{
    char *sql;
    int rc;
    if (!tail) /* a whole single-row statement (UPDATE) */
        return batch_prepare(b->db, head, &b->single);
    if (b->ncols > COLL_ROWSRC_COLS || !(sql = batch_sql(head, tail, b->ncols)))
        return -1;
    rc = batch_prepare(b->db, sql, out);
    free(sql);
    return rc;
}

coll_rows_t *coll_batch_block(coll_batch_t *b)
{
    coll_rows_t *r = malloc(sizeof *r + b->cap * (size_t)b->ncols * sizeof(int64_t));
    if (r) {
        memset(r, 0, sizeof *r);
        r->batch = b;
    }
    return r;
}

int coll_batch_init(coll_batch_t *b, coll_writer_t *w, sqlite3 *db, const char *head,
                    const char *tail, int ncols, size_t cap_rows)
{
    memset(b, 0, sizeof *b);
    b->w = w;
    b->db = db;
    b->ncols = ncols;
    b->cap = cap_rows;
    b->cur = coll_batch_block(b);
    return !b->cur || batch_statements(b, head, tail, &b->insert) != 0 ? -1 : 0;
}

int64_t coll_batch_text(coll_batch_t *b, const char *s, size_t len)
{
    coll_rows_t *r = b->cur;
    int64_t at = (int64_t)r->text_len;
    if (!s)
        return COLL_NULL;
    if (r->text_len + len + 1 > r->text_cap) {
        size_t cap = r->text_cap ? r->text_cap : BATCH_TEXT_MIN;
        while (cap < r->text_len + len + 1)
            cap *= 2;
        char *t = realloc(r->text, cap);
        if (!t) {
            b->oom = 1;
            return COLL_NULL;
        }
        r->text = t;
        r->text_cap = cap;
    }
    memcpy(r->text + r->text_len, s, len);
    r->text[r->text_len + len] = '\0';
    r->text_len += len + 1;
    return at;
}

int64_t coll_batch_real(double d)
{
    int64_t v;
    memcpy(&v, &d, sizeof v);
    return v == COLL_NULL ? 0 : v; /* -0.0 has NULL's bits: store +0.0 */
}

/* One row of an UPDATE batch: its values bound as ?1, ?2, ... */
static int batch_update(coll_batch_t *b, const coll_rows_t *r, size_t row)
{
    const int64_t *v = r->vals + row * (size_t)b->ncols;
    for (int i = 0; i < b->ncols; i++) {
        if (v[i] == COLL_NULL)
            sqlite3_bind_null(b->single, i + 1);
        else if (b->text_cols & (1u << i))
            sqlite3_bind_text(b->single, i + 1, r->text + v[i], -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(b->single, i + 1, v[i]);
    }
    int rc = sqlite3_step(b->single);
    sqlite3_reset(b->single);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* st over rows [first, end) of r. */
static int batch_range(coll_batch_t *b, sqlite3_stmt *st, const coll_rows_t *r, size_t first,
                       size_t end)
{
    coll_batch_src_t *src = &b->w->src;
    *src = (coll_batch_src_t){b, r, first, end};
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    *src = (coll_batch_src_t){0};
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Writer side (the writer thread, or the loop when none runs), with the
 * connection held.  0 ok, -1 SQLite error. */
int coll_batch_write(coll_batch_t *b, coll_rows_t *r)
{
    if (!b->insert) {
        for (size_t i = 0; i < r->rows; i++)
            if (batch_update(b, r, i) != 0)
                return -1;
        return 0;
    }
    return batch_range(b, b->insert, r, 0, r->rows);
}

int coll_batch_flush(coll_batch_t *b)
{
    int rc;
    if (b->oom)
        return coll_writer_error(b->w, "out of memory");
    if (!b->cur->rows)
        return 0;
    if (b->w->running)
        return coll_writer_submit(b->w, b);
    char msg[256];
    rc = coll_batch_write(b, b->cur);
    b->cur->rows = b->cur->text_len = 0;
    return rc == 0 ? 0 : coll_writer_error(b->w, coll_batch_errmsg(b, msg, sizeof msg));
}

const char *coll_batch_errmsg(const coll_batch_t *b, char *buf, size_t len)
{
    return coll_db_errmsg(b->db, buf, len);
}

void coll_batch_free(coll_batch_t *b)
{
    sqlite3_finalize(b->insert);
    sqlite3_finalize(b->single);
    coll_batch_block_free(b->cur);
    while (b->spare) {
        coll_rows_t *next = b->spare->next;
        coll_batch_block_free(b->spare);
        b->spare = next;
    }
    memset(b, 0, sizeof *b);
}

void coll_batch_block_free(coll_rows_t *r)
{
    if (r) {
        free(r->text);
        free(r);
    }
}
