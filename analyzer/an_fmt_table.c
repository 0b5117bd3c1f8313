/* an_fmt_table.c -- tables rendered as text, JSON or CSV (see an_fmt.h). */
#include "an_fmt.h"

#include <stdlib.h>
#include <string.h>

#define TABLE_MAX_COLS 24

typedef struct table_cell_s {
    int set;
    long long i;
    double d;
    char *s;
    an_frame_t *frames;
    int n_frames, text_frames;
} table_cell_t;

typedef struct table_col_s {
    char key[48], head[48];
    an_ctype_t type;
    int hidden;
} table_col_t;

struct an_table_s {
    table_col_t cols[TABLE_MAX_COLS];
    int n_cols;
    table_cell_t *cells; /* rows * n_cols */
    size_t rows, cap;
};

an_table_t *an_table_new(void)
{
    return calloc(1, sizeof(an_table_t));
}

void an_table_free(an_table_t *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * (size_t)t->n_cols; i++) {
        free(t->cells[i].s);
        free(t->cells[i].frames);
    }
    free(t->cells);
    free(t);
}

int an_table_col(an_table_t *t, const char *key, const char *head, an_ctype_t type,
                 int hidden_text)
{
    if (t->n_cols >= TABLE_MAX_COLS || t->rows > 0)
        return -1;
    table_col_t *c = &t->cols[t->n_cols];
    snprintf(c->key, sizeof c->key, "%s", key);
    snprintf(c->head, sizeof c->head, "%s", head);
    c->type = type;
    c->hidden = hidden_text;
    return t->n_cols++;
}

int an_table_row(an_table_t *t)
{
    size_t nc = (size_t)t->n_cols;
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        table_cell_t *c = realloc(t->cells, cap * nc * sizeof *c);
        if (!c)
            return -1;
        t->cells = c;
        t->cap = cap;
    }
    memset(&t->cells[t->rows * nc], 0, nc * sizeof *t->cells);
    t->rows++;
    return 0;
}

static table_cell_t *table_cell(an_table_t *t, int col)
{
    if (t->rows == 0 || col < 0 || col >= t->n_cols)
        return NULL;
    return &t->cells[(t->rows - 1) * (size_t)t->n_cols + (size_t)col];
}

void an_table_int(an_table_t *t, int col, long long v)
{
    table_cell_t *c = table_cell(t, col);
    if (c) {
        c->set = 1;
        c->i = v;
        c->d = (double)v;
    }
}

void an_table_num(an_table_t *t, int col, double v)
{
    table_cell_t *c = table_cell(t, col);
    if (c) {
        c->set = 1;
        c->d = v;
        c->i = (long long)v;
    }
}

int an_table_text(an_table_t *t, int col, const char *s)
{
    table_cell_t *c = table_cell(t, col);
    if (!c || !s)
        return 0;
    free(c->s);
    if (!(c->s = strdup(s)))
        return -1;
    c->set = 1;
    return 0;
}

int an_table_stack(an_table_t *t, int col, const an_frame_t *frames, int n, int text_frames)
{
    table_cell_t *c = table_cell(t, col);
    if (!c)
        return 0;
    free(c->frames);
    c->frames = NULL;
    if (n > 0 && !(c->frames = malloc((size_t)n * sizeof *frames)))
        return -1;
    if (n > 0)
        memcpy(c->frames, frames, (size_t)n * sizeof *frames);
    c->n_frames = n;
    c->text_frames = text_frames;
    c->set = 1;
    return 0;
}

size_t an_table_rows(const an_table_t *t)
{
    return t->rows;
}

/* ---- text ---------------------------------------------------------------- */

static const char *cell_text(const table_col_t *col, const table_cell_t *c, char *buf,
                             size_t len)
{
    if (!c->set)
        return "";
    switch (col->type) {
    case AN_C_TEXT: return c->s ? c->s : "";
    case AN_C_INT: return an_fmt_count(c->i, buf, len);
    case AN_C_BYTES: return an_fmt_bytes(c->i, buf, len);
    case AN_C_NS: return an_fmt_ns(c->i, buf, len);
    case AN_C_PCT: snprintf(buf, len, "%.1f%%", c->d); return buf;
    case AN_C_DELTA: return an_fmt_delta(c->i, 0, buf, len);
    case AN_C_DBYTES: return an_fmt_delta(c->i, 1, buf, len);
    case AN_C_STACK: return c->n_frames ? an_fmt_frame(&c->frames[0], buf, len) : "[no stack]";
    }
    return "";
}

static int col_left(const table_col_t *col)
{
    return col->type == AN_C_TEXT || col->type == AN_C_STACK;
}

static void text_widths(const an_table_t *t, int *w)
{
    char buf[4096];
    for (int c = 0; c < t->n_cols; c++) {
        w[c] = (int)strlen(t->cols[c].head);
        for (size_t r = 0; r < t->rows; r++) {
            int n = (int)strlen(cell_text(&t->cols[c], &t->cells[r * (size_t)t->n_cols + (size_t)c],
                                          buf, sizeof buf));
            if (n > w[c])
                w[c] = n;
        }
    }
}

static int last_visible(const an_table_t *t)
{
    int last = -1;
    for (int c = 0; c < t->n_cols; c++)
        if (t->cols[c].hidden != 1)
            last = c;
    return last;
}

static void text_field(FILE *f, const char *s, int width, int left, int last)
{
    if (last && left)
        fputs(s, f);
    else
        fprintf(f, left ? "%-*s" : "%*s", width, s);
    if (!last)
        fputs("  ", f);
}

/* Continuation lines of stack cells: the callers, one per line. */
static void text_stack_more(const an_table_t *t, size_t r, const int *w, int indent, FILE *f)
{
    char buf[4096];
    for (int c = 0; c < t->n_cols; c++) {
        const table_cell_t *cell = &t->cells[r * (size_t)t->n_cols + (size_t)c];
        if (t->cols[c].hidden == 1 || t->cols[c].type != AN_C_STACK)
            continue;
        int pad = indent;
        for (int k = 0; k < c; k++)
            if (t->cols[k].hidden != 1)
                pad += w[k] + 2;
        int shown = cell->text_frames < cell->n_frames ? cell->text_frames : cell->n_frames;
        for (int i = 1; i < shown; i++)
            fprintf(f, "%*s  from %s\n", pad, "", an_fmt_frame(&cell->frames[i], buf, sizeof buf));
    }
}

/* Write the line collected in m (a memstream over *line) without its
 * trailing blanks, then start over. */
static void text_flush(FILE *m, char **line, size_t *len, FILE *f)
{
    fflush(m);
    size_t n = *len;
    while (n > 0 && (*line)[n - 1] == ' ')
        n--;
    fwrite(*line, 1, n, f);
    fputc('\n', f);
    rewind(m);
    *len = 0;
}

static void table_text(const an_table_t *t, FILE *f, int indent)
{
    int w[TABLE_MAX_COLS], last = last_visible(t);
    char buf[4096], *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    if (!m)
        return;
    text_widths(t, w);
    fprintf(m, "%*s", indent, "");
    for (int c = 0; c < t->n_cols; c++)
        if (t->cols[c].hidden != 1)
            text_field(m, t->cols[c].head, w[c], col_left(&t->cols[c]), c == last);
    text_flush(m, &line, &len, f);
    for (size_t r = 0; r < t->rows; r++) {
        fprintf(m, "%*s", indent, "");
        for (int c = 0; c < t->n_cols; c++) {
            if (t->cols[c].hidden == 1)
                continue;
            const char *s = cell_text(&t->cols[c], &t->cells[r * (size_t)t->n_cols + (size_t)c],
                                      buf, sizeof buf);
            text_field(m, s, w[c], col_left(&t->cols[c]), c == last);
        }
        text_flush(m, &line, &len, f);
        text_stack_more(t, r, w, indent, f);
    }
    fclose(m);
    free(line);
}

/* ---- JSON and CSV ---------------------------------------------------------- */

static void json_cell(an_json_t *j, const table_col_t *col, const table_cell_t *c)
{
    if (!c->set) {
        an_json_null(j, col->key);
        return;
    }
    switch (col->type) {
    case AN_C_TEXT: an_json_str(j, col->key, c->s); break;
    case AN_C_PCT: an_json_num(j, col->key, c->d); break;
    case AN_C_STACK:
        an_json_arr(j, col->key);
        for (int i = 0; i < c->n_frames; i++)
            an_json_frame(j, NULL, &c->frames[i]);
        an_json_end(j, ']');
        break;
    default: an_json_int(j, col->key, c->i); break;
    }
}

static void table_json(const an_table_t *t, an_json_t *j, const char *key)
{
    an_json_arr(j, key);
    for (size_t r = 0; r < t->rows; r++) {
        an_json_obj(j, NULL);
        for (int c = 0; c < t->n_cols; c++)
            if (t->cols[c].hidden != 2)
                json_cell(j, &t->cols[c], &t->cells[r * (size_t)t->n_cols + (size_t)c]);
        an_json_end(j, '}');
    }
    an_json_end(j, ']');
}

void an_csv_stack(FILE *f, const an_frame_t *v, int n, int last)
{
    char buf[4096], *s = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&s, &len);
    if (!m) {
        an_csv_str(f, "", last);
        return;
    }
    for (int i = 0; i < n; i++)
        fprintf(m, "%s%s", i ? ";" : "", an_frame_label(&v[i], buf, sizeof buf));
    fclose(m);
    an_csv_str(f, s, last);
    free(s);
}

static int csv_last(const an_table_t *t)
{
    int last = -1;
    for (int c = 0; c < t->n_cols; c++)
        if (t->cols[c].hidden != 2)
            last = c;
    return last;
}

void an_table_csv(const an_table_t *t, FILE *f, int header)
{
    int lastc = csv_last(t);
    for (int c = 0; header && c < t->n_cols; c++)
        if (t->cols[c].hidden != 2)
            an_csv_str(f, t->cols[c].key, c == lastc);
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < t->n_cols; c++) {
            const table_cell_t *cell = &t->cells[r * (size_t)t->n_cols + (size_t)c];
            int last = c == lastc;
            if (t->cols[c].hidden == 2)
                continue;
            if (!cell->set)
                an_csv_str(f, "", last);
            else if (t->cols[c].type == AN_C_TEXT)
                an_csv_str(f, cell->s, last);
            else if (t->cols[c].type == AN_C_STACK)
                an_csv_stack(f, cell->frames, cell->n_frames, last);
            else if (t->cols[c].type == AN_C_PCT)
                an_csv_num(f, cell->d, last);
            else
                an_csv_int(f, cell->i, last);
        }
}

void an_table_write(an_table_t *t, an_format_t fmt, FILE *f, an_json_t *j, const char *key,
                    int indent)
{
    if (fmt == AN_FMT_JSON)
        table_json(t, j, key);
    else if (fmt == AN_FMT_CSV)
        an_table_csv(t, f, 1);
    else
        table_text(t, f, indent);
}
