/*
 * coll_batch.c -- buffered rows for one statement.  The loop fills blocks
 * of rows (64-bit values, COLL_NULL for NULL, text columns as offsets into
 * the block's text arena); a full block goes to the writer thread
 * (coll_writer.c), or is written at once when no writer runs.
 *
 * Real columns (allocations.weight in a sampled run) hold the bits of their
 * double.
 *
 * Writing a block: COLL_BATCH_ROWS rows per execution of one prepared
 * multi-row "INSERT ... VALUES (...),(...)" statement, the rest row by row.
 * Sorted batches (allocations) are written in rowid order: appending
 * inserts cost half as much as inserts that seek (measured here: 1.6M vs
 * 0.8M rows/s of CPU for the allocations table).
 */
#include "coll_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_TEXT_MIN 4096

/* "head (?,..),(?,..)... tail" for rows rows. */
static char *batch_sql(const char *head, const char *tail, int nparams, int rows)
{
    size_t len = strlen(head) + strlen(tail) + 8 + ((size_t)nparams * 2 + 3) * (size_t)rows;
    char *sql = malloc(len), *p;
    if (!sql)
        return NULL;
    p = sql + sprintf(sql, "%s", head);
    for (int r = 0; r < rows; r++) {
        *p++ = r ? ',' : ' ';
        *p++ = '(';
        for (int i = 0; i < nparams; i++) {
            if (i)
                *p++ = ',';
            *p++ = '?';
        }
        *p++ = ')';
    }
    strcpy(p, tail);
    return sql;
}

static int batch_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) == SQLITE_OK ? 0 : -1;
}

static int batch_statements(coll_batch_t *b, const char *head, const char *tail)
{
    char *multi, *single;
    int rc;
    if (!tail) /* a whole single-row statement (UPDATE) */
        return batch_prepare(b->db, head, &b->single);
    multi = batch_sql(head, tail, b->ncols, COLL_BATCH_ROWS);
    single = batch_sql(head, tail, b->ncols, 1);
    rc = multi && single && batch_prepare(b->db, multi, &b->multi) == 0 &&
                 batch_prepare(b->db, single, &b->single) == 0 ? 0 : -1;
    free(multi);
    free(single);
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
    if (!b->cur || batch_statements(b, head, tail) != 0)
        return -1;
    if (flags & COLL_BATCH_SORTED) {
        b->tmp = coll_batch_block(b);
        b->keys = malloc(2 * cap_rows * sizeof *b->keys);
        if (!b->tmp || !b->keys)
            return -1;
    }
    return 0;
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

static int batch_run(coll_batch_t *b, sqlite3_stmt *st, const coll_rows_t *r, size_t first,
                     size_t rows)
{
    const int64_t *v = r->vals + first * (size_t)b->ncols;
    int n = (int)rows * b->ncols;
    for (int i = 0; i < n; i++) {
        if (v[i] == COLL_NULL)
            sqlite3_bind_null(st, i + 1);
        else
            sqlite3_bind_int64(st, i + 1, v[i]);
    }
    for (int i = 0; b->text_cols && i < n; i++) /* rare tables: rebind their text */
        if (v[i] != COLL_NULL && (b->text_cols & (1u << (i % b->ncols))))
            sqlite3_bind_text(st, i + 1, r->text + v[i], -1, SQLITE_TRANSIENT);
    for (int i = 0; b->real_cols && i < n; i++) /* and their doubles */
        if (v[i] != COLL_NULL && (b->real_cols & (1u << (i % b->ncols)))) {
            double d;
            memcpy(&d, &v[i], sizeof d);
            sqlite3_bind_double(st, i + 1, d);
        }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Writer side (the writer thread, or the loop when none runs), with the
 * connection held.  0 ok, -1 SQLite error. */
int coll_batch_write(coll_batch_t *b, coll_rows_t *r)
{
    size_t done = 0;
    int rc = 0;
    if (b->flags & COLL_BATCH_SORTED)
        r = batch_sort(b, r);
    while (rc == 0 && b->multi && r->rows - done >= COLL_BATCH_ROWS) {
        rc = batch_run(b, b->multi, r, done, COLL_BATCH_ROWS);
        done += COLL_BATCH_ROWS;
    }
    while (rc == 0 && done < r->rows)
        rc = batch_run(b, b->single, r, done++, 1);
    return rc;
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
    return rc == 0 ? 0 : coll_writer_error(b->w, coll_db_errmsg(b->db, msg, sizeof msg));
}

void coll_batch_free(coll_batch_t *b)
{
    coll_rows_t *all[] = {b->cur, b->tmp};
    sqlite3_finalize(b->multi);
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
