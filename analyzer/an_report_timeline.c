/*
 * an_report_timeline.c -- `report timeline`: heap (requested bytes of live
 * blocks) and RSS over time from `samples`, drawn as a text chart sized to
 * the terminal, the peak marked.  With several processes the chart shows
 * their sum (each process's last sample counts until it ends).  JSON and
 * CSV give the samples themselves.
 */
#include "an_report_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct tl_sample_s {
    long long pid, ns, rss, heap, blocks; /* rss -1: unknown */
} tl_sample_t;

typedef struct tl_s {
    tl_sample_t *v;
    size_t n, cap;
    long long t0, t1;            /* chart time range */
    long long peak_bytes, peak_ns;
} tl_t;

static int tl_load(an_ctx_t *c, tl_t *t, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(c->d->db, "SELECT pid, ns, rss_bytes, heap_bytes, heap_blocks FROM "
                           "samples ORDER BY ns, pid", -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long ns = sqlite3_column_int64(st, 1);
        if (!an_filter_in_window(&c->o->filter, ns))
            continue;
        if (t->n == t->cap) {
            tl_sample_t *v = realloc(t->v, (t->cap = t->cap ? t->cap * 2 : 1024) * sizeof *v);
            if (!v) {
                sqlite3_finalize(st);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            t->v = v;
        }
        t->v[t->n++] = (tl_sample_t){
            sqlite3_column_int64(st, 0), ns,
            sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2),
            sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4)};
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
dberr:
    snprintf(err, errlen, "database error: %s", sqlite3_errmsg(c->d->db));
    return -1;
}

static int tl_peak(an_ctx_t *c, tl_t *t, char *err, size_t errlen)
{
    t->peak_ns = c->peak_ns;
    if (an_db_int64(c->d, "SELECT max(peak_heap_bytes) FROM processes", 0, &t->peak_bytes, err,
                    errlen) != 0)
        return -1;
    t->t0 = c->o->filter.window ? c->o->filter.from_ns : 0;
    t->t1 = t->n ? t->v[t->n - 1].ns : 0;
    if (c->o->filter.window && c->o->filter.to_ns != INT64_MAX)
        t->t1 = c->o->filter.to_ns;
    if (t->peak_ns > t->t1 && !c->o->filter.window)
        t->t1 = t->peak_ns;
    if (t->t1 <= t->t0)
        t->t1 = t->t0 + 1;
    return 0;
}

/* ---- the chart ------------------------------------------------------------- */

typedef struct tl_proc_s {
    long long pid, end_ns, heap, rss;
} tl_proc_t;

typedef struct tl_chart_s {
    int w, h;
    long long *heap, *rss; /* per column: the highest sum seen in it (-1: no sample yet) */
} tl_chart_t;

static long long tl_proc_end(an_ctx_t *c, long long pid)
{
    char sql[128];
    char err[64];
    long long v = -1;
    snprintf(sql, sizeof sql, "SELECT max(ifnull(end_ns, -1)) FROM processes WHERE pid = %lld",
             pid);
    an_db_int64(c->d, sql, -1, &v, err, sizeof err);
    return v;
}

/* The chart column of time ns, 0 .. w - 1, in doubles: any two times of a
 * hostile file subtract without overflow, and NaN lands in column 0. */
static int tl_column(const tl_t *t, long long ns, int w)
{
    double x = ((double)ns - (double)t->t0) / ((double)t->t1 - (double)t->t0) * (w - 1) + 0.5;
    return !(x >= 0) ? 0 : x >= w ? w - 1 : (int)x;
}

static void tl_sum(const tl_proc_t *p, size_t np, long long ns, long long *heap, long long *rss)
{
    *heap = *rss = 0;
    for (size_t i = 0; i < np; i++)
        if (p[i].end_ns < 0 || p[i].end_ns >= ns) {
            *heap = an_sat_add(*heap, p[i].heap);
            *rss = an_sat_add(*rss, p[i].rss > 0 ? p[i].rss : 0);
        }
}

static int tl_columns(an_ctx_t *c, const tl_t *t, tl_chart_t *ch)
{
    tl_proc_t *p = NULL;
    size_t np = 0;
    for (int x = 0; x < ch->w; x++)
        ch->heap[x] = ch->rss[x] = -1;
    for (size_t i = 0; i < t->n; i++) {
        const tl_sample_t *s = &t->v[i];
        size_t k;
        for (k = 0; k < np && p[k].pid != s->pid; k++)
            ;
        if (k == np) {
            tl_proc_t *v = realloc(p, (np + 1) * sizeof *v);
            if (!v) {
                free(p);
                return -1;
            }
            p = v;
            p[np++] = (tl_proc_t){s->pid, tl_proc_end(c, s->pid), 0, 0};
        }
        p[k].heap = s->heap;
        p[k].rss = s->rss;
        long long heap, rss;
        tl_sum(p, np, s->ns, &heap, &rss);
        int x = tl_column(t, s->ns, ch->w);
        if (heap > ch->heap[x]) ch->heap[x] = heap;
        if (rss > ch->rss[x]) ch->rss[x] = rss;
    }
    free(p);
    for (int x = 1; x < ch->w; x++) { /* carry values over columns without samples */
        if (ch->heap[x] < 0) ch->heap[x] = ch->heap[x - 1];
        if (ch->rss[x] < 0) ch->rss[x] = ch->rss[x - 1];
    }
    return 0;
}

static void tl_draw_rows(an_ctx_t *c, const tl_chart_t *ch, long long ymax)
{
    char lab[32];
    for (int r = 0; r < ch->h; r++) {
        double lo = (double)ymax * (ch->h - r - 1) / ch->h, hi = (double)ymax * (ch->h - r) / ch->h;
        if (r == 0 || r == ch->h / 2 || r == ch->h - 1)
            an_fmt_bytes((long long)(r == ch->h - 1 ? 0 : hi), lab, sizeof lab);
        else
            lab[0] = '\0';
        fprintf(c->out, "%11s |", lab);
        for (int x = 0; x < ch->w; x++) {
            double hv = (double)ch->heap[x], rv = (double)ch->rss[x];
            fputc(hv > lo && hv > 0 ? '#' : rv > lo && rv > 0 ? '.' : ' ', c->out);
        }
        fputc('\n', c->out);
        (void)hi;
    }
}

static void tl_draw_axis(an_ctx_t *c, const tl_t *t, const tl_chart_t *ch)
{
    char a[32], b[32], m[32];
    fprintf(c->out, "%11s +", "");
    for (int x = 0; x < ch->w; x++)
        fputc('-', c->out);
    fputc('\n', c->out);
    if (t->peak_ns >= t->t0 && t->peak_ns <= t->t1 && t->peak_bytes > 0) {
        char text[96];
        int x = tl_column(t, t->peak_ns, ch->w);
        int n = snprintf(text, sizeof text, "peak %s at %.3f s",
                         an_fmt_bytes(t->peak_bytes, a, sizeof a), (double)t->peak_ns / 1e9);
        if (x + 2 + n <= ch->w) /* the text after the caret, else before it, else below */
            fprintf(c->out, "%11s  %*s^ %s\n", "", x, "", text);
        else if (x >= n + 1)
            fprintf(c->out, "%11s  %*s ^\n", "", x, text);
        else
            fprintf(c->out, "%11s  %*s^\n%11s  %s\n", "", x, "", "", text);
    }
    snprintf(a, sizeof a, "%.3f s", (double)t->t0 / 1e9);
    snprintf(m, sizeof m, "%.3f s", ((double)t->t0 + ((double)t->t1 - (double)t->t0) / 2) / 1e9);
    snprintf(b, sizeof b, "%.3f s", (double)t->t1 / 1e9);
    int half = ch->w / 2 - (int)strlen(a) - (int)strlen(m) / 2;
    int rest = ch->w - (int)strlen(a) - half - (int)strlen(m) - (int)strlen(b);
    fprintf(c->out, "%11s  %s%*s%s%*s%s\n", "", a, half > 1 ? half : 1, "", m,
            rest > 1 ? rest : 1, "", b);
}

static int tl_text(an_ctx_t *c, const tl_t *t, char *err, size_t errlen)
{
    tl_chart_t ch;
    long long ymax = 1;
    char w[160];
    an_ctx_window_text(c, w, sizeof w);
    if (t->n == 0) {
        fprintf(c->out, "no samples in the recording%s\n", w);
        return 0;
    }
    ch.w = (c->o->width > 0 ? c->o->width : 80) - 14;
    ch.w = ch.w < 20 ? 20 : ch.w;
    ch.h = (c->o->height > 0 ? c->o->height : 24) - 8;
    ch.h = ch.h < 6 ? 6 : ch.h > 20 ? 20 : ch.h;
    ch.heap = malloc((size_t)ch.w * sizeof *ch.heap);
    ch.rss = malloc((size_t)ch.w * sizeof *ch.rss);
    if (!ch.heap || !ch.rss || tl_columns(c, t, &ch) != 0) {
        free(ch.heap);
        free(ch.rss);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int x = 0; x < ch.w; x++) {
        ymax = ch.heap[x] > ymax ? ch.heap[x] : ymax;
        ymax = ch.rss[x] > ymax ? ch.rss[x] : ymax;
    }
    fprintf(c->out, "heap (#) and RSS (.) over time, %zu samples%s\n\n", t->n, w);
    tl_draw_rows(c, &ch, ymax);
    tl_draw_axis(c, t, &ch);
    free(ch.heap);
    free(ch.rss);
    return 0;
}

static void tl_rows(an_ctx_t *c, const tl_t *t)
{
    if (c->o->format == AN_FMT_CSV)
        fputs("pid,ns,heap_bytes,heap_blocks,rss_bytes\n", c->out);
    else {
        an_json_int(&c->json, "peak_bytes", t->peak_bytes);
        an_json_opt(&c->json, "peak_ns", t->peak_ns);
        an_json_arr(&c->json, "samples");
    }
    for (size_t i = 0; i < t->n; i++) {
        const tl_sample_t *s = &t->v[i];
        if (c->o->format == AN_FMT_CSV) {
            fprintf(c->out, "%lld,%lld,%lld,%lld,", s->pid, s->ns, s->heap, s->blocks);
            if (s->rss >= 0)
                fprintf(c->out, "%lld", s->rss);
            fputc('\n', c->out);
            continue;
        }
        an_json_obj(&c->json, NULL);
        an_json_int(&c->json, "pid", s->pid);
        an_json_int(&c->json, "ns", s->ns);
        an_json_int(&c->json, "heap_bytes", s->heap);
        an_json_int(&c->json, "heap_blocks", s->blocks);
        an_json_opt(&c->json, "rss_bytes", s->rss);
        an_json_end(&c->json, '}');
    }
    if (c->o->format == AN_FMT_JSON)
        an_json_end(&c->json, ']');
}

int an_report_timeline(an_db_t *d, an_report_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_ctx_t c;
    tl_t t;
    int rc = -1;
    memset(&t, 0, sizeof t);
    if (an_ctx_open(&c, d, o, out, 0, err, errlen) == 0 && tl_load(&c, &t, err, errlen) == 0 &&
        tl_peak(&c, &t, err, errlen) == 0) {
        an_ctx_begin(&c, "timeline");
        rc = o->format == AN_FMT_TEXT ? tl_text(&c, &t, err, errlen) : (tl_rows(&c, &t), 0);
        an_ctx_end(&c);
    }
    free(t.v);
    an_ctx_close(&c);
    return rc;
}
