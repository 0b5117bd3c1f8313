/*
 * an_report_linesout.c -- `report lines` output: the source listing with
 * per-line figures, like memory_profiler's line-by-line view.  The source
 * is read from the path the debug information recorded (relative paths
 * against meta 'cwd', then the current directory).  A missing file still
 * gets its table, without source text, and a warning.
 */
#include "an_report_lines.h"
#include "an_source.h"

#include <stdlib.h>
#include <string.h>

#define LINES_CONTEXT 3

typedef struct src_s {
    char *buf;
    char **line; /* [n + 1], 1-based */
    int n;
} src_t;

static int src_split(src_t *s)
{
    int cap = 1024;
    char *p = s->buf;
    if (!(s->line = malloc((size_t)cap * sizeof *s->line)))
        return -1;
    s->line[0] = NULL;
    while (*p) {
        if (s->n + 2 >= cap) {
            char **v = realloc(s->line, (size_t)(cap *= 2) * sizeof *v);
            if (!v)
                return -1;
            s->line = v;
        }
        s->line[++s->n] = p;
        p += strcspn(p, "\n");
        if (*p)
            *p++ = '\0';
    }
    return 0;
}

static int src_load(an_ctx_t *c, const char *file, src_t *s)
{
    memset(s, 0, sizeof *s);
    if (!(s->buf = an_source_read(c->d, file, NULL, 0)))
        return -1;
    return src_split(s);
}

static void src_free(src_t *s)
{
    free(s->buf);
    free(s->line);
    memset(s, 0, sizeof *s);
}

/* Tabs to 8-column stops, control characters to '?', no '\r'. */
static void src_clean(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (; in && *in && o + 9 < len; in++) {
        if (*in == '\t') {
            do
                out[o++] = ' ';
            while (o % 8);
        } else if (*in == '\r') {
            continue;
        } else {
            out[o++] = ((unsigned char)*in < 0x20 || *in == 0x7f) ? '?' : *in;
        }
    }
    out[o] = '\0';
}

/* ---- one file ------------------------------------------------------------- */

enum { LC_FILE, LC_LINE_TEXT, LC_LINE, LC_BYTES, LC_PEAK, LC_LEAKED, LC_CALLS, LC_SRC };

static an_table_t *lines_table(void)
{
    an_table_t *t = an_table_new();
    if (!t || an_table_col(t, "file", "File", AN_C_TEXT, 1) < 0 ||
        an_table_col(t, "line_text", "Line", AN_C_TEXT, 2) < 0 ||
        an_table_col(t, "line", "Line", AN_C_INT, 1) < 0 ||
        an_table_col(t, "allocated_bytes", "Allocated", AN_C_BYTES, 0) < 0 ||
        an_table_col(t, "peak_bytes", "Peak", AN_C_BYTES, 0) < 0 ||
        an_table_col(t, "leaked_bytes", "Leaked", AN_C_BYTES, 0) < 0 ||
        an_table_col(t, "calls", "Calls", AN_C_INT, 0) < 0 ||
        an_table_col(t, "text", "Line contents", AN_C_TEXT, 0) < 0) {
        an_table_free(t);
        return NULL;
    }
    return t;
}

static void row_figs(an_table_t *t, const lines_fig_t *g)
{
    an_table_int(t, LC_BYTES, g->bytes);
    an_table_int(t, LC_PEAK, g->peak);
    an_table_int(t, LC_LEAKED, g->leaked);
    an_table_int(t, LC_CALLS, g->allocs);
}

static int row_line(an_table_t *t, const lines_file_t *f, const src_t *s, int line, int width)
{
    char num[32], text[8192];
    if (an_table_row(t) != 0)
        return -1;
    snprintf(num, sizeof num, "%*d", width, line);
    an_table_text(t, LC_FILE, f->file);
    an_table_text(t, LC_LINE_TEXT, num);
    an_table_int(t, LC_LINE, line);
    if (line <= f->max && (f->fig[line].allocs || f->fig[line].leaked))
        row_figs(t, &f->fig[line]);
    if (s->buf && line <= s->n) {
        src_clean(s->line[line], text, sizeof text);
        return an_table_text(t, LC_SRC, text);
    }
    return 0;
}

/* Lines to list: the target's range with context when the source is
 * there (all of it for a file), else the lines that have figures. */
static void lines_range(const lines_t *l, const lines_file_t *f, const src_t *s, int *from,
                        int *to)
{
    if (!s->buf) {
        *from = f->lo;
        *to = f->hi;
    } else if (l->by_function) {
        *from = f->lo - LINES_CONTEXT > 1 ? f->lo - LINES_CONTEXT : 1;
        *to = f->hi + LINES_CONTEXT < s->n ? f->hi + LINES_CONTEXT : s->n;
    } else {
        *from = 1;
        *to = s->n;
    }
    if (*to < f->hi)
        *to = f->hi;
}

static an_table_t *file_table(const lines_file_t *f, const src_t *s, int from, int to,
                              int with_total)
{
    char w[16];
    int width = snprintf(w, sizeof w, "%d", to);
    an_table_t *t = lines_table();
    if (!t)
        return NULL;
    for (int line = from; line <= to; line++) {
        int has = line <= f->max && (f->fig[line].allocs || f->fig[line].leaked);
        if ((!s->buf && !has) || row_line(t, f, s, line, width) != 0) {
            if (s->buf || has)
                goto oom;
        }
    }
    if (!with_total)
        return t;
    if (an_table_row(t) != 0)
        goto oom;
    an_table_text(t, LC_LINE_TEXT, "total");
    row_figs(t, &f->total);
    return t;
oom:
    an_table_free(t);
    return NULL;
}

static void file_head_text(an_ctx_t *c, const lines_t *l, const lines_file_t *f, const src_t *s,
                           int from, int to)
{
    FILE *o = c->out;
    if (l->by_function && from == to)
        fprintf(o, "%s in %s, line %d", l->target, f->file, from);
    else if (l->by_function)
        fprintf(o, "%s in %s, lines %d-%d", l->target, f->file, from, to);
    else
        fprintf(o, "%s", f->file);
    fprintf(o, " -- %s\n", c->o->inclusive
                               ? "inclusive: allocations made on the line or in what it calls"
                               : "self: allocations made on the line itself (inlined code "
                                 "included); --inclusive adds callees");
    if (!s->buf)
        fprintf(o, "source file %s not found: figures without source text\n", f->file);
    if (!f->has)
        fprintf(o, "no allocation is attributed to these lines%s\n",
                c->o->inclusive ? "" : " directly (try --inclusive)");
}

static int file_write(an_ctx_t *c, const lines_t *l, const lines_file_t *f, int *missing,
                      char *err, size_t errlen)
{
    src_t s;
    int from, to, rc = 0;
    an_table_t *t;
    if (src_load(c, f->file, &s) != 0) {
        src_free(&s);
        (*missing)++;
        if (!c->o->warning[0])
            snprintf(c->o->warning, sizeof c->o->warning, "source file %s not found: figures "
                     "shown without source text", f->file);
    }
    lines_range(l, f, &s, &from, &to);
    if (!(t = file_table(f, &s, from, to, c->o->format == AN_FMT_TEXT))) {
        snprintf(err, errlen, "out of memory");
        src_free(&s);
        return -1;
    }
    if (c->o->format == AN_FMT_TEXT) {
        file_head_text(c, l, f, &s, from, to);
        an_table_write(t, AN_FMT_TEXT, c->out, NULL, NULL, 0);
    } else if (c->o->format == AN_FMT_JSON) {
        an_json_obj(&c->json, NULL);
        an_json_str(&c->json, "file", f->file);
        an_json_bool(&c->json, "source_found", s.buf != NULL);
        an_json_int(&c->json, "first_line", from);
        an_json_int(&c->json, "last_line", to);
        an_table_write(t, AN_FMT_JSON, c->out, &c->json, "lines", 0);
        an_json_obj(&c->json, "total");
        an_json_int(&c->json, "allocated_bytes", f->total.bytes);
        an_json_int(&c->json, "peak_bytes", f->total.peak);
        an_json_int(&c->json, "leaked_bytes", f->total.leaked);
        an_json_int(&c->json, "calls", f->total.allocs);
        an_json_end(&c->json, '}');
        an_json_end(&c->json, '}');
    } else {
        an_table_csv(t, c->out, f == &l->files[0]);
    }
    an_table_free(t);
    src_free(&s);
    return rc;
}

int an_lines_write(an_ctx_t *c, lines_t *l, char *err, size_t errlen)
{
    int missing = 0;
    an_ctx_begin(c, "lines");
    if (c->o->format == AN_FMT_JSON) {
        an_json_str(&c->json, "target", l->target);
        an_json_str(&c->json, "kind", l->by_function ? "function" : "file");
        an_json_bool(&c->json, "inclusive", c->o->inclusive);
        an_json_arr(&c->json, "files");
    }
    for (size_t i = 0; i < l->n_files; i++) {
        if (i > 0 && c->o->format == AN_FMT_TEXT)
            fputc('\n', c->out);
        if (file_write(c, l, &l->files[i], &missing, err, errlen) != 0)
            return -1;
    }
    if (c->o->format == AN_FMT_JSON)
        an_json_end(&c->json, ']');
    an_ctx_end(c);
    if (missing > 1)
        snprintf(c->o->warning + strlen(c->o->warning), sizeof c->o->warning -
                 strlen(c->o->warning), " (and %d more files)", missing - 1);
    return 0;
}
