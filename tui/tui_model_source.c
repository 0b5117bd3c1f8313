/*
 * tui_model_source.c -- one source file with figures per line, for the
 * Source view: the attribution is the `report lines` model
 * (an_lines_collect) run on the snapshot's tree and figures; the text is
 * read from the recorded path (relative paths against meta 'cwd').  A
 * missing file still gives the figures, without text.
 */
#include "tui_model.h"

#include "an_source.h"

#include <stdlib.h>
#include <string.h>

static void src_load(an_db_t *d, tui_source_t *s)
{
    s->buf = an_source_read(d, s->file, s->path, sizeof s->path);
}

/* Text lines: count them, then point each at its start (NUL-terminated). */
static int src_split(tui_source_t *s, int min_lines)
{
    int n = 0;
    for (char *p = s->buf; p && *p; n++) {
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
    s->n = n > min_lines ? n : min_lines;
    if (!(s->line = calloc((size_t)s->n + 1, sizeof *s->line)))
        return -1;
    char *p = s->buf;
    for (int i = 1; p && *p && i <= n; i++) {
        s->line[i].text = p;
        p += strcspn(p, "\n");
        if (*p)
            *p++ = '\0';
    }
    return 0;
}

/* The collected file matching the request: the exact path, else the first. */
static const lines_file_t *src_pick(const lines_t *l, const char *file)
{
    for (size_t i = 0; i < l->n_files; i++)
        if (!strcmp(l->files[i].file, file))
            return &l->files[i];
    return l->n_files ? &l->files[0] : NULL;
}

static int src_figures(tui_source_t *s, const lines_file_t *f)
{
    int k = 0;
    if (!f)
        return 0;
    s->total = f->total;
    for (int i = 1; i <= f->max && i <= s->n; i++) {
        const lines_fig_t *g = &f->fig[i];
        s->line[i].allocs = g->allocs;
        s->line[i].bytes = g->bytes;
        s->line[i].peak = g->peak;
        s->line[i].leaked = g->leaked;
        s->nhot += g->allocs || g->leaked;
    }
    if (!(s->hot = malloc((size_t)(s->nhot ? s->nhot : 1) * sizeof *s->hot)))
        return -1;
    for (int i = 1; i <= f->max && i <= s->n; i++)
        if (f->fig[i].allocs || f->fig[i].leaked)
            s->hot[k++] = i;
    return 0;
}

/* The report context over the snapshot (its tree only reads). */
static void src_ctx(an_ctx_t *c, an_db_t *d, an_report_opts_t *o, tui_snap_t *snap)
{
    memset(c, 0, sizeof *c);
    c->d = d;
    c->o = o;
    c->tree = snap->tree;
    c->stats = snap->stats;
    c->n_stats = snap->n_stats;
    c->unknown_node = snap->unknown_node;
    c->scanned = snap->scanned;
    c->peak_ns = -1;
}

int tui_source_build(an_db_t *d, const tui_source_req_t *r, tui_source_t **out, char *err,
                     size_t errlen)
{
    an_report_opts_t o;
    an_ctx_t c;
    lines_t l;
    char lerr[256];
    tui_source_t *s = calloc(1, sizeof *s);
    int rc = -1, collected;
    *out = NULL;
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(s->file, sizeof s->file, "%s", r->file);
    s->inclusive = r->inclusive;
    an_report_opts_init(&o);
    o.target = s->file;
    o.inclusive = r->inclusive;
    src_ctx(&c, d, &o, r->snap);
    collected = an_lines_collect(&c, &l, lerr, sizeof lerr) == 0;
    src_load(d, s);
    s->found = s->buf != NULL;
    const lines_file_t *f = collected ? src_pick(&l, s->file) : NULL;
    if (src_split(s, f ? f->max : 0) != 0 || src_figures(s, f) != 0)
        snprintf(err, errlen, "out of memory");
    else
        rc = 0;
    an_lines_free(&l); /* collect starts by clearing l: safe after a failure */
    an_stackbuf_free(&c.sb);
    an_report_opts_free(&o);
    if (rc != 0) {
        tui_source_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void tui_source_free(tui_source_t *s)
{
    if (!s)
        return;
    free(s->buf);
    free(s->line);
    free(s->hot);
    free(s);
}
