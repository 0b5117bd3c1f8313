/* an_sql_out.c -- see an_sql_out.h.  CSV and JSON go through an_fmt's
 * writers; the text table is SQL's own (cells of any width, several lines
 * in a cell as stack() returns them). */
#include "an_sql_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct out_cell_s {
    char *text; /* NULL: SQL NULL */
    int num;    /* right-aligned */
} out_cell_t;

typedef struct out_table_s {
    int ncol;
    char **names;
    int *width;
    out_cell_t *cells; /* rows * ncol, until printed */
    size_t rows, cap;
} out_table_t;

static int out_fail(sqlite3_stmt *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", sqlite3_errmsg(sqlite3_db_handle(st)));
    return -1;
}

static char *out_hex(const unsigned char *p, int n)
{
    char *s = malloc(2 * (size_t)n + 4);
    if (!s)
        return NULL;
    strcpy(s, "x'");
    for (int i = 0; i < n; i++)
        snprintf(s + 2 + 2 * i, 3, "%02x", p[i]);
    strcpy(s + 2 + 2 * n, "'");
    return s;
}

/* ---- text -------------------------------------------------------------- */

/* A copy safe for a terminal: control characters other than newline shown
 * as '?' (tab as a space). */
static char *out_clean(const char *s)
{
    char *c = strdup(s);
    for (char *p = c; p && *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\t')
            *p = ' ';
        else if ((ch < 0x20 && ch != '\n') || ch == 0x7f)
            *p = '?';
    }
    return c;
}

/* Characters in the first len bytes of s (UTF-8 continuation bytes not
 * counted). */
static int out_span_width(const char *s, size_t len)
{
    int w = 0;
    for (size_t i = 0; i < len; i++)
        w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

/* Widest line of s in characters. */
static int out_width(const char *s)
{
    int max = 0;
    while (s && *s) {
        size_t len = strcspn(s, "\n");
        int w = out_span_width(s, len);
        if (w > max)
            max = w;
        s += len + (s[len] == '\n');
    }
    return max;
}

static out_cell_t out_cell(sqlite3_stmt *st, int i)
{
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL)
        return (out_cell_t){NULL, 0};
    if (type == SQLITE_BLOB)
        return (out_cell_t){out_hex(sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i)), 0};
    const char *s = (const char *)sqlite3_column_text(st, i);
    return (out_cell_t){out_clean(s ? s : ""), type != SQLITE_TEXT};
}

static int out_add_row(out_table_t *t, sqlite3_stmt *st)
{
    size_t nc = (size_t)t->ncol;
    if (t->rows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        out_cell_t *c = realloc(t->cells, cap * nc * sizeof *c);
        if (!c)
            return -1;
        t->cells = c;
        t->cap = cap;
    }
    out_cell_t *row = &t->cells[t->rows++ * nc];
    for (int i = 0; i < t->ncol; i++) {
        row[i] = out_cell(st, i);
        int w = out_width(row[i].text);
        if (w > t->width[i])
            t->width[i] = w;
    }
    return 0;
}

/* Line `line` of s (NULL when s has fewer lines), its length in *len. */
static const char *out_line(const char *s, int line, int *len)
{
    for (; s && line > 0; line--) {
        s = strchr(s, '\n');
        s = s ? s + 1 : NULL;
    }
    if (!s)
        return NULL;
    *len = (int)strcspn(s, "\n");
    return s;
}

static int out_lines(const char *s)
{
    int n = 1;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* Write the line in s without its trailing spaces, then a newline. */
static void out_put_line(sqlite3_str *s, FILE *f)
{
    const char *line = sqlite3_str_value(s);
    int n = sqlite3_str_length(s);
    while (n > 0 && line[n - 1] == ' ')
        n--;
    if (n > 0)
        fwrite(line, 1, (size_t)n, f);
    fputc('\n', f);
    sqlite3_str_reset(s);
}

static void out_print_cells(const out_table_t *t, const out_cell_t *row, FILE *f)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    int lines = 1;
    for (int i = 0; i < t->ncol; i++)
        if (out_lines(row[i].text) > lines)
            lines = out_lines(row[i].text);
    for (int l = 0; l < lines; l++) {
        for (int i = 0; i < t->ncol; i++) {
            int len = 0;
            const char *c = out_line(row[i].text, l, &len);
            int pad = t->width[i] - (c ? out_span_width(c, (size_t)len) : 0);
            sqlite3_str_appendchar(s, i ? 2 : 0, ' ');
            sqlite3_str_appendchar(s, row[i].num && pad > 0 ? pad : 0, ' ');
            if (c)
                sqlite3_str_append(s, c, len);
            sqlite3_str_appendchar(s, !row[i].num && pad > 0 ? pad : 0, ' ');
        }
        out_put_line(s, f);
    }
    sqlite3_free(sqlite3_str_finish(s));
}

static void out_free_cells(out_table_t *t)
{
    for (size_t i = 0; i < t->rows * (size_t)t->ncol; i++)
        free(t->cells[i].text);
    t->rows = 0;
}

static void out_print_head(const out_table_t *t, FILE *f)
{
    out_cell_t head[t->ncol];
    for (int i = 0; i < t->ncol; i++)
        head[i] = (out_cell_t){t->names[i], 0};
    out_print_cells(t, head, f);
    for (int i = 0; i < t->ncol; i++) {
        fputs(i ? "  " : "", f);
        for (int k = 0; k < t->width[i]; k++)
            fputc('-', f);
    }
    fputc('\n', f);
}

/* Print what is buffered (the header first when first), then drop it. */
static void out_flush(out_table_t *t, int first, FILE *f)
{
    if (first)
        out_print_head(t, f);
    for (size_t r = 0; r < t->rows; r++)
        out_print_cells(t, &t->cells[r * (size_t)t->ncol], f);
    out_free_cells(t);
}

static int out_text_rows(out_table_t *t, sqlite3_stmt *st, FILE *f, char *err, size_t errlen)
{
    size_t seen = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out_add_row(t, st) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        /* Widths are fixed by the first rows; past them, print as we go. */
        if (++seen >= AN_SQL_OUT_MEASURE)
            out_flush(t, seen == AN_SQL_OUT_MEASURE, f);
    }
    if (rc != SQLITE_DONE)
        return out_fail(st, err, errlen);
    out_flush(t, seen < AN_SQL_OUT_MEASURE, f);
    return 0;
}

static int out_text(sqlite3_stmt *st, FILE *f, char *err, size_t errlen)
{
    out_table_t t = {.ncol = sqlite3_column_count(st)};
    int rc = -1;
    t.names = calloc((size_t)t.ncol, sizeof *t.names);
    t.width = calloc((size_t)t.ncol, sizeof *t.width);
    for (int i = 0; t.names && t.width && i < t.ncol; i++) {
        const char *n = sqlite3_column_name(st, i);
        t.names[i] = out_clean(n ? n : "");
        t.width[i] = out_width(t.names[i]);
    }
    if (t.names && t.width)
        rc = out_text_rows(&t, st, f, err, errlen);
    else
        snprintf(err, errlen, "out of memory");
    out_free_cells(&t);
    for (int i = 0; t.names && i < t.ncol; i++)
        free(t.names[i]);
    free(t.names);
    free(t.width);
    free(t.cells);
    return rc;
}

/* ---- CSV and JSON ------------------------------------------------------ */

static int out_csv(sqlite3_stmt *st, FILE *f, char *err, size_t errlen)
{
    int n = sqlite3_column_count(st), rc;
    for (int i = 0; i < n; i++)
        an_csv_str(f, sqlite3_column_name(st, i), i == n - 1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            int last = i == n - 1, type = sqlite3_column_type(st, i);
            if (type == SQLITE_INTEGER) {
                an_csv_int(f, sqlite3_column_int64(st, i), last);
            } else if (type == SQLITE_BLOB) {
                char *hex = out_hex(sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
                an_csv_str(f, hex, last);
                free(hex);
            } else {
                an_csv_str(f, (const char *)sqlite3_column_text(st, i), last);
            }
        }
    }
    return rc == SQLITE_DONE ? 0 : out_fail(st, err, errlen);
}

static void out_json_value(an_json_t *j, sqlite3_stmt *st, int i)
{
    const char *key = sqlite3_column_name(st, i);
    double d;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        an_json_int(j, key, sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        d = sqlite3_column_double(st, i);
        if (d == floor(d) && fabs(d) < 9007199254740992.0)
            an_json_int(j, key, (long long)d);
        else
            an_json_num(j, key, d);
        break;
    case SQLITE_BLOB: {
        char *hex = out_hex(sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
        an_json_str(j, key, hex);
        free(hex);
        break;
    }
    case SQLITE_NULL:
        an_json_null(j, key);
        break;
    default:
        an_json_str(j, key, (const char *)sqlite3_column_text(st, i));
    }
}

static int out_json(sqlite3_stmt *st, FILE *f, char *err, size_t errlen)
{
    an_json_t j;
    int n = sqlite3_column_count(st), rc;
    an_json_init(&j, f);
    an_json_arr(&j, NULL);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        an_json_obj(&j, NULL);
        for (int i = 0; i < n; i++)
            out_json_value(&j, st, i);
        an_json_end(&j, '}');
    }
    an_json_end(&j, ']');
    return rc == SQLITE_DONE ? 0 : out_fail(st, err, errlen);
}

int an_sql_out(sqlite3_stmt *st, an_format_t fmt, FILE *f, char *err, size_t errlen)
{
    int rc;
    if (sqlite3_column_count(st) == 0) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        return rc == SQLITE_DONE ? 0 : out_fail(st, err, errlen);
    }
    if (fmt == AN_FMT_CSV)
        return out_csv(st, f, err, errlen);
    if (fmt == AN_FMT_JSON)
        return out_json(st, f, err, errlen);
    return out_text(st, f, err, errlen);
}
