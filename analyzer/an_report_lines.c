/* an_report_lines.c -- which lines the target covers, and their figures
 * (see an_report_lines.h). */
#include "an_report_lines.h"

#include <stdlib.h>
#include <string.h>

#define LINES_MAX_LINE 10000000

int an_lines_name_match(const char *fn, const char *target)
{
    size_t n = strlen(target);
    const char *p;
    if (!fn || !n)
        return 0;
    if (!strcmp(fn, target))
        return 1;
    if (!strncmp(fn, target, n) && fn[n] == '(')
        return 1;
    /* "ns::target" or "ns::target(...)": one pass over the "::"s (a
     * strstr per occurrence of target is quadratic on a damaged file's
     * megabyte-long name made of it) */
    for (p = fn; p[0] && p[1]; p++)
        if (p[0] == ':' && p[1] == ':' && !strncmp(p + 2, target, n) &&
            (p[2 + n] == '\0' || p[2 + n] == '('))
            return 1;
    return 0;
}

static int file_match(const char *file, const char *target)
{
    size_t fl, tl = strlen(target);
    if (!file)
        return 0;
    if (!strcmp(file, target))
        return 1;
    fl = strlen(file);
    return fl > tl && file[fl - tl - 1] == '/' && !strcmp(file + fl - tl, target);
}

/* Does expanded frame x belong to the target? */
static int lines_wanted(const lines_t *l, const an_xframe_t *x)
{
    if (!x->f.file || x->f.line <= 0 || x->f.line > LINES_MAX_LINE)
        return 0;
    return l->by_function ? an_lines_name_match(x->f.function, l->target)
                          : file_match(x->f.file, l->target);
}

static lines_file_t *lines_file(lines_t *l, const char *file, int add)
{
    for (size_t i = 0; i < l->n_files; i++)
        if (l->files[i].file == file)
            return &l->files[i];
    if (!add)
        return NULL;
    lines_file_t *v = realloc(l->files, (l->n_files + 1) * sizeof *v);
    if (!v)
        return NULL;
    l->files = v;
    lines_file_t *f = &v[l->n_files++];
    memset(f, 0, sizeof *f);
    f->file = file;
    f->lo = f->hi = -1;
    f->seen_leaf = -1;
    return f;
}

/* Pass 1: every frame of the tree that belongs to the target. */
static int lines_scan_frames(an_ctx_t *c, lines_t *l)
{
    an_xframe_t x[256];
    for (size_t fi = 0; fi < c->tree->n_frames; fi++) {
        int n = an_tree_expand(c->tree, (int)fi, x, 256);
        for (int k = 0; k < n; k++) {
            if (!lines_wanted(l, &x[k]))
                continue;
            lines_file_t *f = lines_file(l, x[k].f.file, 1);
            if (!f)
                return -1;
            if (f->lo < 0 || x[k].f.line < f->lo)
                f->lo = x[k].f.line;
            if (x[k].f.line > f->hi)
                f->hi = f->max = x[k].f.line;
        }
    }
    return 0;
}

static int lines_alloc(lines_t *l)
{
    for (size_t i = 0; i < l->n_files; i++) {
        lines_file_t *f = &l->files[i];
        f->fig = calloc((size_t)f->max + 1, sizeof *f->fig);
        f->seen = malloc(((size_t)f->max + 1) * sizeof *f->seen);
        if (!f->fig || !f->seen)
            return -1;
        memset(f->seen, 0xff, ((size_t)f->max + 1) * sizeof *f->seen);
    }
    return 0;
}

static void fig_add(lines_fig_t *g, const an_stat_t *st)
{
    g->allocs = an_sat_add(g->allocs, st->allocs);
    g->bytes = an_sat_add(g->bytes, st->bytes);
    g->peak = an_sat_add(g->peak, st->peak_bytes);
    g->leaked = an_sat_add(g->leaked, st->leaked_bytes);
}

/* Pass 2: credit one leaf's figures to the lines on its stack: any frame
 * at a line of the target (for a function: within its range, whichever
 * function the frame names -- a lambda or inlined code written there). */
static void lines_leaf(an_ctx_t *c, lines_t *l, int leaf)
{
    const an_stackbuf_t *b = &c->sb;
    const an_stat_t *st = &c->stats[leaf];
    int n = b->n;
    if (!c->o->inclusive)
        for (n = 1; n < b->n && b->v[n].frame == b->v[0].frame; n++)
            ;
    for (int k = 0; k < n; k++) {
        const an_xframe_t *x = &b->v[k];
        lines_file_t *f;
        if (!x->f.file || !(f = lines_file(l, x->f.file, 0)) || x->f.line < f->lo ||
            x->f.line > f->max)
            continue;
        if (f->seen[x->f.line] != leaf) {
            f->seen[x->f.line] = leaf;
            fig_add(&f->fig[x->f.line], st);
            f->has = 1;
        }
        if (f->seen_leaf != leaf) {
            f->seen_leaf = leaf;
            fig_add(&f->total, st);
        }
    }
}

int an_lines_collect(an_ctx_t *c, lines_t *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    l->target = c->o->target;
    l->by_function = 1;
    if (lines_scan_frames(c, l) != 0)
        goto oom;
    if (l->n_files == 0) {
        l->by_function = 0;
        if (lines_scan_frames(c, l) != 0)
            goto oom;
    }
    if (l->n_files == 0) {
        snprintf(err, errlen, "no function or source file named '%s' in the recording's stacks "
                 "(names need symbols with line information; see 'report top --inclusive')",
                 l->target);
        return -1;
    }
    if (lines_alloc(l) != 0)
        goto oom;
    for (size_t i = 0; i < c->n_stats; i++) {
        if (an_stat_zero(&c->stats[i]))
            continue;
        if (an_ctx_stack(c, (int)i, err, errlen) != 0)
            return -1;
        lines_leaf(c, l, (int)i);
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

void an_lines_free(lines_t *l)
{
    for (size_t i = 0; i < l->n_files; i++) {
        free(l->files[i].fig);
        free(l->files[i].seen);
    }
    free(l->files);
    memset(l, 0, sizeof *l);
}

int an_report_lines(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    lines_t l;
    int rc = -1;
    memset(&l, 0, sizeof l);
    if (!o->target || !*o->target) {
        snprintf(err, errlen, "report lines needs a FUNCTION or FILE");
        return -1;
    }
    if (an_ctx_open(&c, d, o, out, 1, err, errlen) == 0 && an_ctx_stats(&c, 0, err, errlen) == 0 &&
        an_lines_collect(&c, &l, err, errlen) == 0)
        rc = an_lines_write(&c, &l, err, errlen);
    an_lines_free(&l);
    an_ctx_close(&c);
    return rc;
}
