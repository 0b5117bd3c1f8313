/* tui_model_series.c -- heap and RSS over time from `samples`, with the
 * processes of the recording summed (a process's last sample counts until
 * it ends), as `report timeline` draws them. */
#include "tui_model.h"

#include <stdlib.h>
#include <string.h>

typedef struct series_proc_s {
    long long pid, end_ns, heap, rss, blocks;
} series_proc_t;

typedef struct series_build_s {
    tui_series_t *s;
    size_t cap;
    series_proc_t *p;
    size_t np;
} series_build_t;

static int series_grow(series_build_t *b)
{
    size_t cap = b->cap ? b->cap * 2 : 1024;
    long long *v[4] = {b->s->ns, b->s->heap, b->s->rss, b->s->blocks};
    for (int i = 0; i < 4; i++) {
        long long *n = realloc(v[i], cap * sizeof *n);
        if (!n)
            return -1;
        v[i] = n;
        b->s->ns = v[0], b->s->heap = v[1], b->s->rss = v[2], b->s->blocks = v[3];
    }
    b->cap = cap;
    return 0;
}

static series_proc_t *series_proc(series_build_t *b, an_db_t *d, long long pid)
{
    char sql[128], err[64];
    for (size_t i = 0; i < b->np; i++)
        if (b->p[i].pid == pid)
            return &b->p[i];
    series_proc_t *v = realloc(b->p, (b->np + 1) * sizeof *v);
    if (!v)
        return NULL;
    b->p = v;
    v = &b->p[b->np++];
    memset(v, 0, sizeof *v);
    v->pid = pid;
    snprintf(sql, sizeof sql, "SELECT max(ifnull(end_ns, -1)) FROM processes WHERE pid = %lld",
             pid);
    if (an_db_int64(d, sql, -1, &v->end_ns, err, sizeof err) != 0)
        v->end_ns = -1;
    return v;
}

/* Append the sum over the processes alive at ns. */
static int series_push(series_build_t *b, long long ns)
{
    long long heap = 0, rss = 0, blocks = 0;
    int rss_known = 0;
    if (b->s->n == b->cap && series_grow(b) != 0)
        return -1;
    for (size_t i = 0; i < b->np; i++)
        if (b->p[i].end_ns < 0 || b->p[i].end_ns >= ns) {
            heap += b->p[i].heap;
            blocks += b->p[i].blocks;
            if (b->p[i].rss >= 0) {
                rss += b->p[i].rss;
                rss_known = 1;
            }
        }
    b->s->ns[b->s->n] = ns;
    b->s->heap[b->s->n] = heap;
    b->s->rss[b->s->n] = rss_known ? rss : -1;
    b->s->blocks[b->s->n++] = blocks;
    return 0;
}

static int series_row(series_build_t *b, an_db_t *d, sqlite3_stmt *st)
{
    series_proc_t *p = series_proc(b, d, sqlite3_column_int64(st, 0));
    if (!p)
        return -1;
    p->rss = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
    p->heap = sqlite3_column_int64(st, 3);
    p->blocks = sqlite3_column_int64(st, 4);
    return series_push(b, sqlite3_column_int64(st, 1));
}

int tui_series_load(an_db_t *d, tui_series_t *s, char *err, size_t errlen)
{
    series_build_t b = {.s = s};
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    memset(s, 0, sizeof *s);
    if (sqlite3_prepare_v2(d->db, "SELECT pid, ns, rss_bytes, heap_bytes, heap_blocks FROM "
                           "samples ORDER BY ns, pid", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(d->db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (series_row(&b, d, st) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
    if (rc != SQLITE_DONE)
        snprintf(err, errlen, rc == SQLITE_NOMEM ? "out of memory" : "database error: %s",
                 sqlite3_errmsg(d->db));
    sqlite3_finalize(st);
    free(b.p);
    if (rc != SQLITE_DONE) {
        tui_series_free(s);
        return -1;
    }
    return 0;
}

void tui_series_free(tui_series_t *s)
{
    if (!s)
        return;
    free(s->ns);
    free(s->heap);
    free(s->rss);
    free(s->blocks);
    memset(s, 0, sizeof *s);
}

long tui_series_at(const tui_series_t *s, long long ns)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) { /* first sample after ns */
        size_t mid = (lo + hi) / 2;
        if (s->ns[mid] <= ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

void tui_series_columns(const tui_series_t *s, long long t0, long long t1, int w,
                        long long *heap, long long *rss)
{
    double span = t1 > t0 ? (double)t1 - (double)t0 : 1.0;
    for (int x = 0; x < w; x++)
        heap[x] = rss[x] = -1;
    if (w <= 0)
        return;
    long first = tui_series_at(s, t0);
    for (size_t i = first > 0 ? (size_t)first : 0; i < s->n && s->ns[i] < t1; i++) {
        int x = s->ns[i] < t0 ? 0 : (int)((double)(s->ns[i] - t0) / span * w);
        x = x < 0 ? 0 : x >= w ? w - 1 : x;
        if (s->heap[i] > heap[x])
            heap[x] = s->heap[i];
        if (s->rss[i] > rss[x])
            rss[x] = s->rss[i];
    }
    for (int x = 1; x < w; x++) { /* columns between samples keep the last value */
        if (heap[x] < 0)
            heap[x] = heap[x - 1];
        if (rss[x] < 0)
            rss[x] = rss[x - 1];
    }
}

int tui_series_insert(tui_series_t *s, long long ns, long long heap, long long blocks)
{
    long at = tui_series_at(s, ns);
    size_t i = (size_t)(at + 1), cap = s->n + 1;
    long long *v[4] = {s->ns, s->heap, s->rss, s->blocks};
    for (int k = 0; k < 4; k++) {
        long long *n = realloc(v[k], cap * sizeof *n);
        if (!n)
            return -1;
        v[k] = n;
        s->ns = v[0], s->heap = v[1], s->rss = v[2], s->blocks = v[3];
    }
    for (int k = 0; k < 4; k++)
        memmove(v[k] + i + 1, v[k] + i, (s->n - i) * sizeof *v[k]);
    s->ns[i] = ns;
    s->heap[i] = heap;
    s->blocks[i] = blocks;
    s->rss[i] = at >= 0 ? s->rss[at] : -1;
    s->n++;
    return 0;
}
