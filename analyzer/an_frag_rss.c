/* an_frag_rss.c -- resident set size at t and at each series point: the
 * sample of the image nearest in time (see an_frag_rss in an_frag_int.h). */
#include "an_frag_int.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct rss_sample_s {
    long long ns, rss;
} rss_sample_t;

typedef struct rss_set_s {
    rss_sample_t *v;
    size_t n, cap;
} rss_set_t;

static int rss_load(an_db_t *db, const an_frag_sel_t *sel, rss_set_t *s, char *err, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_DONE;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT ns, rss_bytes FROM samples WHERE pid = ?1 AND ns BETWEEN ?2 "
                           "AND ?3 AND rss_bytes IS NOT NULL ORDER BY ns", -1, &st,
                           NULL) != SQLITE_OK) {
        snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, sel->pid);
    sqlite3_bind_int64(st, 2, sel->start_ns);
    sqlite3_bind_int64(st, 3, sel->end_ns);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (an_frag_grow((void **)&s->v, s->n, &s->cap, sizeof *s->v) != 0) {
            sqlite3_finalize(st);
            snprintf(err, len, "out of memory");
            return -1;
        }
        s->v[s->n++] = (rss_sample_t){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)};
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
        return -1;
    }
    return 0;
}

/* Index of the sample nearest t (samples sorted, n > 0). */
static size_t rss_nearest(const rss_set_t *s, long long t)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) { /* first sample at or after t */
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].ns < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->n)
        return s->n - 1;
    if (lo > 0 && t - s->v[lo - 1].ns <= s->v[lo].ns - t)
        return lo - 1;
    return lo;
}

int an_frag_rss(an_db_t *db, const an_frag_sel_t *sel, an_frag_model_t *m, char *err,
                size_t len)
{
    rss_set_t s = {0};
    m->rss_bytes = -1;
    m->rss_ns = -1;
    if (rss_load(db, sel, &s, err, len) != 0) {
        free(s.v);
        return -1;
    }
    if (s.n > 0) {
        size_t i = rss_nearest(&s, sel->t_ns);
        m->rss_bytes = s.v[i].rss;
        m->rss_ns = s.v[i].ns;
        for (size_t k = 0; k < m->npoints; k++)
            m->series[k].rss_bytes = s.v[rss_nearest(&s, m->series[k].t_ns)].rss;
    }
    free(s.v);
    return 0;
}
