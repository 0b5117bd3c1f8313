/* an_frag_spark.c -- the series as text: the fragmentation ratio and the
 * RSS live blocks do not explain, one sparkline each, resampled to the
 * width (each column the highest point it covers), and a marker under the
 * moment t (see an_frag_render.h). */
#include "an_frag_render.h"

#include <math.h>

#define SPARK_LEVELS 8

static const char *const spark_utf8[SPARK_LEVELS] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                                     "\u2585", "\u2586", "\u2587", "\u2588"};
static const char spark_ascii[SPARK_LEVELS + 1] = "_.-~=+*#";

double an_frag_ratio(long long pages, long long live_bytes)
{
    return live_bytes > 0 ? (double)pages * (double)AN_FRAG_PAGE / (double)live_bytes : 0;
}

/* Value of point i; NAN when unknown. */
typedef double (*spark_fn)(const an_frag_point_t *p);

static double spark_ratio(const an_frag_point_t *p)
{
    return p->live_bytes > 0 ? an_frag_ratio(p->pages, p->live_bytes) : NAN;
}

static double spark_unexplained(const an_frag_point_t *p)
{
    return p->rss_bytes >= 0 ? (double)(p->rss_bytes - p->live_bytes) : NAN;
}

/* Highest known value among the points column c of w covers. */
static double spark_col(const an_frag_model_t *m, spark_fn fn, int c, int w)
{
    size_t a = m->npoints * (size_t)c / (size_t)w, b = m->npoints * (size_t)(c + 1) / (size_t)w;
    double best = NAN;
    if (b <= a)
        b = a + 1;
    for (size_t i = a; i < b && i < m->npoints; i++) {
        double x = fn(&m->series[i]);
        if (!isnan(x) && (isnan(best) || x > best))
            best = x;
    }
    return best;
}

static void spark_range(const an_frag_model_t *m, spark_fn fn, double *lo, double *hi)
{
    *lo = NAN;
    *hi = NAN;
    for (size_t i = 0; i < m->npoints; i++) {
        double x = fn(&m->series[i]);
        if (isnan(x))
            continue;
        if (isnan(*lo) || x < *lo)
            *lo = x;
        if (isnan(*hi) || x > *hi)
            *hi = x;
    }
}

static void spark_line(const an_frag_model_t *m, const an_frag_view_t *v, spark_fn fn, int w,
                       FILE *f)
{
    double lo, hi;
    spark_range(m, fn, &lo, &hi);
    fputs("  ", f);
    for (int c = 0; c < w; c++) {
        double x = spark_col(m, fn, c, w);
        int lv = isnan(x)  ? -1
               : hi > lo ? (int)((x - lo) / (hi - lo) * (SPARK_LEVELS - 1) + 0.5)
                         : 0;
        if (lv < 0)
            fputc(' ', f);
        else if (v->utf8)
            fputs(spark_utf8[lv], f);
        else
            fputc(spark_ascii[lv], f);
    }
    fputc('\n', f);
}

static void spark_marker(const an_frag_model_t *m, int w, FILE *f)
{
    long long start = m->sel.start_ns, dur = m->sel.end_ns - m->sel.start_ns;
    int c = dur > 0 ? (int)((double)(m->sel.t_ns - start) / (double)dur * w) : 0;
    if (c >= w)
        c = w - 1;
    if (c < 0)
        c = 0;
    fprintf(f, "  %*s^ t = %.3f s\n", c, "", (double)m->sel.t_ns / 1e9);
}

static void spark_head(const char *what, spark_fn fn, const an_frag_model_t *m, int bytes,
                       FILE *f)
{
    double lo, hi;
    char b1[32], b2[32];
    spark_range(m, fn, &lo, &hi);
    if (isnan(lo)) {
        fprintf(f, "%s: unknown (no samples)\n", what);
        return;
    }
    if (bytes)
        fprintf(f, "%s: %s to %s\n", what, an_fmt_bytes((long long)lo, b1, sizeof b1),
                an_fmt_bytes((long long)hi, b2, sizeof b2));
    else
        fprintf(f, "%s: %.2f to %.2f\n", what, lo, hi);
}

void an_frag_write_spark(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f)
{
    int cols = v->cols > 0 ? v->cols : 80;
    int w = (int)m->npoints < cols - 4 ? (int)m->npoints : cols - 4;
    if (m->npoints == 0 || w <= 0)
        return;
    fprintf(f, "over time: %zu points from %.3f s to %.3f s\n", m->npoints,
            (double)m->sel.start_ns / 1e9, (double)m->sel.end_ns / 1e9);
    spark_head("fragmentation ratio (touched-page bytes / live bytes)", spark_ratio, m, 0, f);
    spark_line(m, v, spark_ratio, w, f);
    spark_marker(m, w, f);
    spark_head("RSS not explained by live blocks", spark_unexplained, m, 1, f);
    spark_line(m, v, spark_unexplained, w, f);
    spark_marker(m, w, f);
}
