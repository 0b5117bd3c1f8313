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
 * Sorted batches (alloc_rows) are written in rowid order: appending
 * inserts cost half as much as inserts that seek (measured here: 1.6M vs
 * 0.8M rows/s of CPU for the allocations table).  A run of rows that
 * continues the table's rowids exactly goes through the append statement,
 * which leaves the rowid to SQLite (the largest + 1): an explicit rowid
 * costs a seek from the root for its conflict check, about a quarter of a
 * row's CPU.
 */
#include "coll_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_TEXT_MIN 4096
#define BATCH_APPEND_MIN 32 /* shorter runs join the rows around them: a statement's own cost */

/* ---- statements ---------------------------------------------------------- */

/* "head SELECT c<skip>, .., c<ncols-1> FROM heapql_rows tail".  An upsert
 * tail needs a WHERE before it (SQLite's rule for INSERT ... SELECT). */
static char *batch_sql(const char *head, const char *tail, int ncols, int skip)
{
    size_t len = strlen(head) + strlen(tail) + 64 + (size_t)ncols * 6;
    char *sql = malloc(len), *p;
    if (!sql)
        return NULL;
    p = sql + sprintf(sql, "%s SELECT ", head);
    for (int i = skip; i < ncols; i++)
        p += sprintf(p, "%sc%d", i > skip ? ", " : "", i);
    sprintf(p, " FROM heapql_rows%s%s", *tail ? " WHERE 1 " : "", tail);
    return sql;
}

static int batch_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) == SQLITE_OK ? 0 : -1;
}

static int batch_statements(coll_batch_t *b, const char *head, const char *tail, int skip,
                            sqlite3_stmt **out)
{
    char *sql;
    int rc;
    if (!tail) /* a whole single-row statement (UPDATE) */
        return batch_prepare(b->db, head, &b->single);
    if (b->ncols > COLL_ROWSRC_COLS || !(sql = batch_sql(head, tail, b->ncols, skip)))
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
                    const char *tail, int ncols, size_t cap_rows, unsigned flags)
{
    memset(b, 0, sizeof *b);
    b->w = w;
    b->db = db;
    b->ncols = ncols;
    b->cap = cap_rows;
    b->flags = flags;
    b->cur = coll_batch_block(b);
    if (!b->cur || batch_statements(b, head, tail, 0, &b->insert) != 0)
        return -1;
    if (flags & COLL_BATCH_SORTED) {
        b->tmp = coll_batch_block(b);
        b->keys = malloc(2 * cap_rows * sizeof *b->keys);
        if (!b->tmp || !b->keys)
            return -1;
    }
    return 0;
}

int coll_batch_appends(coll_batch_t *b, const char *head)
{
    return batch_statements(b, head, "", 1, &b->append);
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

/* LSD radix sort of (key - min) in 11-bit digits: rows arrive nearly in
 * order, so the key range (and the number of passes) stays small. */
static void batch_radix(coll_batch_key_t *a, coll_batch_key_t *tmp, size_t n, int64_t min,
                        uint64_t range)
{
    for (int shift = 0; shift < 64 && (range >> shift); shift += 11) {
        size_t count[2048] = {0}, sum = 0;
        for (size_t i = 0; i < n; i++)
            count[((uint64_t)(a[i].key - min) >> shift) & 2047]++;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[((uint64_t)(a[i].key - min) >> shift) & 2047]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Rows of block r in the order of their first column (the rowid). */
static coll_rows_t *batch_sort(coll_batch_t *b, coll_rows_t *r)
{
    size_t n = r->rows, w = (size_t)b->ncols;
    int64_t min = INT64_MAX, max = INT64_MIN;
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        int64_t k = r->vals[i * w];
        b->keys[i] = (coll_batch_key_t){k, (uint32_t)i};
        sorted &= i == 0 || b->keys[i - 1].key < k;
        min = k < min ? k : min;
        max = k > max ? k : max;
    }
    if (sorted)
        return r;
    batch_radix(b->keys, b->keys + b->cap, n, min, (uint64_t)(max - min));
    for (size_t i = 0; i < n; i++)
        memcpy(b->tmp->vals + i * w, r->vals + (size_t)b->keys[i].row * w, w * sizeof(int64_t));
    b->tmp->rows = n;
    return b->tmp;
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

/* Rows [first, end) continue the table's rowids: appended (SQLite picks
 * the rowids, checked afterwards). */
static int batch_append(coll_batch_t *b, const coll_rows_t *r, size_t first, size_t end)
{
    int64_t last = r->vals[(end - 1) * (size_t)b->ncols];
    if (batch_range(b, b->append, r, first, end) != 0)
        return -1;
    if (sqlite3_last_insert_rowid(b->db) != last) { /* SQLite's rule is largest + 1 */
        b->why = "rows were given other ids than expected";
        return -1;
    }
    b->last_rowid = last;
    return 0;
}

/* Where the run of consecutive rowids that starts at row i ends. */
static size_t batch_run_end(const coll_batch_t *b, const coll_rows_t *r, size_t i)
{
    const size_t nc = (size_t)b->ncols;
    size_t j = i + 1;
    while (j < r->rows && r->vals[j * nc] == r->vals[(j - 1) * nc] + 1)
        j++;
    return j;
}

/* A sorted block: runs of BATCH_APPEND_MIN rows or more that continue the
 * table are appended, everything between them goes with its rowids. */
static int batch_sorted(coll_batch_t *b, const coll_rows_t *r)
{
    const size_t nc = (size_t)b->ncols;
    size_t i = 0, from = 0; /* [from, i): rows waiting to go with their rowids */
    while (i < r->rows) {
        size_t end = batch_run_end(b, r, i);
        int64_t last = from < i && r->vals[(i - 1) * nc] > b->last_rowid ? r->vals[(i - 1) * nc]
                                                                        : b->last_rowid;
        if (r->vals[i * nc] != last + 1 || end - i < BATCH_APPEND_MIN || !b->append) {
            i = end;
            continue;
        }
        if (from < i && batch_range(b, b->insert, r, from, i) != 0)
            return -1;
        b->last_rowid = last;
        if (batch_append(b, r, i, end) != 0)
            return -1;
        from = i = end;
    }
    if (from < i && batch_range(b, b->insert, r, from, i) != 0)
        return -1;
    if (from < i && r->vals[(i - 1) * nc] > b->last_rowid)
        b->last_rowid = r->vals[(i - 1) * nc];
    return 0;
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
    if (!(b->flags & COLL_BATCH_SORTED))
        return batch_range(b, b->insert, r, 0, r->rows);
    return batch_sorted(b, batch_sort(b, r));
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
    if (!b->why)
        return coll_db_errmsg(b->db, buf, len);
    snprintf(buf, len, "%s", b->why);
    return buf;
}

void coll_batch_free(coll_batch_t *b)
{
    coll_rows_t *all[] = {b->cur, b->tmp};
    sqlite3_finalize(b->insert);
    sqlite3_finalize(b->append);
    sqlite3_finalize(b->single);
    for (size_t i = 0; i < 2; i++)
        coll_batch_block_free(all[i]);
    while (b->spare) {
        coll_rows_t *next = b->spare->next;
        coll_batch_block_free(b->spare);
        b->spare = next;
    }
    free(b->keys);
    memset(b, 0, sizeof *b);
}

void coll_batch_block_free(coll_rows_t *r)
{
    if (r) {
        free(r->text);
        free(r);
    }
}
