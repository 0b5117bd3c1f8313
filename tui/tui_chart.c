/* tui_chart.c -- see tui_chart.h. */
#include "tui_chart.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct chart_s {
    int px, py, pw, ph;       /* plot area */
    long long t1;             /* time at the right edge (t0 = 0) */
    long long ymax;
    long long *heap, *rss2;   /* per column; rss at two steps per column */
    long long *scratch;
    unsigned char *dots;      /* braille dots per cell [ph * pw] */
} chart_t;

static int chart_col(const chart_t *c, long long t)
{
    long long x = c->t1 > 0 ? (long long)((double)t / (double)c->t1 * c->pw) : 0;
    return x < 0 ? 0 : x >= c->pw ? c->pw - 1 : (int)x;
}

long long tui_chart_time(const tui_app_t *a, int col)
{
    long long end = tui_time_end(a);
    if (a->chart_w <= 0)
        return 0;
    return (long long)((double)end * col / a->chart_w);
}

static int chart_alloc(chart_t *c)
{
    c->heap = malloc((size_t)c->pw * sizeof *c->heap);
    c->rss2 = malloc((size_t)c->pw * 2 * sizeof *c->rss2);
    c->scratch = malloc((size_t)c->pw * 2 * sizeof *c->scratch);
    c->dots = calloc((size_t)c->pw * (size_t)c->ph, 1);
    return c->heap && c->rss2 && c->scratch && c->dots ? 0 : -1;
}

static void chart_free(chart_t *c)
{
    free(c->heap);
    free(c->rss2);
    free(c->scratch);
    free(c->dots);
}

/* Heap per column, RSS per half column (none when hidden: the heap then
 * gets the whole height), and the scale: the highest of both. */
static void chart_scale(chart_t *c, const tui_series_t *s, int no_rss)
{
    tui_series_columns(s, 0, c->t1, c->pw, c->heap, c->scratch);
    tui_series_columns(s, 0, c->t1, c->pw * 2, c->scratch, c->rss2);
    for (int x = 0; no_rss && x < 2 * c->pw; x++)
        c->rss2[x] = -1;
    c->ymax = 1;
    for (int x = 0; x < c->pw; x++)
        if (c->heap[x] > c->ymax)
            c->ymax = c->heap[x];
    for (int x = 0; x < 2 * c->pw; x++)
        if (c->rss2[x] > c->ymax)
            c->ymax = c->rss2[x];
}

/* RSS: one braille dot per half column at its quarter-cell height. */
static void chart_dots(chart_t *c)
{
    static const unsigned char left[4] = {0x40, 0x04, 0x02, 0x01}; /* from the bottom */
    static const unsigned char right[4] = {0x80, 0x20, 0x10, 0x08};
    for (int h = 0; h < 2 * c->pw; h++) {
        if (c->rss2[h] <= 0)
            continue;
        long long q = (long long)((double)c->rss2[h] / (double)c->ymax * c->ph * 4 + 0.5) - 1;
        q = q < 0 ? 0 : q >= c->ph * 4 ? c->ph * 4 - 1 : q;
        int row = c->ph - 1 - (int)(q / 4);
        c->dots[row * c->pw + h / 2] |= (h % 2 ? right : left)[q % 4];
    }
}

static int chart_in_range(const tui_app_t *a, const chart_t *c, int x)
{
    long long t0 = (long long)((double)c->t1 * x / c->pw);
    long long t1 = (long long)((double)c->t1 * (x + 1) / c->pw);
    return a->range && t1 > a->r_from && t0 <= a->r_to;
}

/* One cell: heap area first, else the RSS dots, else the cursor line or
 * the range's background. */
static void chart_cell(const tui_app_t *a, const chart_t *c, int row, int x, int cursor)
{
    const tui_glyphs_t *g = tui_glyphs();
    char br[4];
    long long e = (long long)((double)c->heap[x] / (double)c->ymax * c->ph * 8 + 0.5);
    long long fill = e - (long long)(c->ph - 1 - row) * 8;
    unsigned char d = c->dots[row * c->pw + x];
    int in = chart_in_range(a, c, x), y = c->py + row, sx = c->px + x;
    if (fill > 0) {
        tui_text(y, sx, 1, g->eighth[fill > 8 ? 8 : fill],
                 cursor ? tui_attr(TUI_R_CURSOR) : tui_attr(TUI_R_HEAP) | (in ? A_BOLD : 0));
    } else if (d) {
        const char *s = g->utf8 ? tui_braille(d, br) : (d & 0x1b) ? "'" : ".";
        tui_text(y, sx, 1, s,
                 cursor ? tui_attr(TUI_R_CURSOR) : tui_attr(TUI_R_RSS) | (in ? A_BOLD : 0));
    } else if (cursor) {
        tui_text(y, sx, 1, g->vbar, tui_attr(TUI_R_CURSOR));
    } else if (in) {
        tui_text(y, sx, 1, " ", tui_attr(TUI_R_RANGE));
    }
}

static void chart_labels(const chart_t *c, int x0)
{
    char buf[32];
    int rows[3] = {0, c->ph / 2, c->ph - 1};
    long long v[3] = {c->ymax, c->ymax - c->ymax * (c->ph / 2) / c->ph, 0};
    for (int i = 0; i < 3; i++) {
        if (i == 1 && (rows[1] == 0 || rows[1] == c->ph - 1))
            continue;
        tui_textr(c->py + rows[i], x0, TUI_CHART_LABEL_W - 1, an_fmt_bytes(v[i], buf, sizeof buf),
                  tui_attr(TUI_R_AXIS));
    }
    for (int r = 0; r < c->ph; r++)
        tui_text(c->py + r, x0 + TUI_CHART_LABEL_W - 1, 1, tui_glyphs()->vline,
                 tui_attr(TUI_R_AXIS));
}

static void chart_axis(const tui_app_t *a, const chart_t *c, int cursor)
{
    const tui_glyphs_t *g = tui_glyphs();
    const tui_summary_t *s = a->sum;
    int y = c->py + c->ph;
    for (int x = 0; x < c->pw; x++)
        tui_text(y, c->px + x, 1, g->hline, tui_attr(TUI_R_AXIS));
    if (a->range) {
        tui_text(y, c->px + chart_col(c, a->r_from), 1, "[", tui_attr(TUI_R_WARN));
        if (a->r_to != LLONG_MAX)
            tui_text(y, c->px + chart_col(c, a->r_to), 1, "]", tui_attr(TUI_R_WARN));
    }
    if (s->peak_ns >= 0)
        tui_text(y, c->px + chart_col(c, s->peak_ns), 1, g->peak, tui_attr(TUI_R_PEAK));
    tui_text(y, c->px + cursor, 1, g->vbar, tui_attr(TUI_R_CURSOR));
}

static void chart_times(const tui_app_t *a, const chart_t *c)
{
    char left[32], right[32], peak[96], b[32];
    const tui_summary_t *s = a->sum;
    int y = c->py + c->ph + 1;
    snprintf(left, sizeof left, "0 s");
    snprintf(right, sizeof right, "%.3f s", (double)c->t1 / 1e9);
    tui_text(y, c->px, c->pw, left, tui_attr(TUI_R_AXIS));
    tui_textr(y, c->px, c->pw, right, tui_attr(TUI_R_AXIS));
    if (s->peak_ns < 0)
        return;
    int n = snprintf(peak, sizeof peak, "%s peak %s at %.3f s", tui_glyphs()->peak,
                     an_fmt_bytes(s->peak_bytes, b, sizeof b), (double)s->peak_ns / 1e9);
    int x = chart_col(c, s->peak_ns);
    if (x + n > c->pw - (int)strlen(right) - 1)
        x = c->pw - (int)strlen(right) - 1 - n;
    if (x < 4)
        x = 4;
    tui_text(y, c->px + x, c->pw - x, peak, tui_attr(TUI_R_PEAK));
}

void tui_chart_draw(tui_app_t *a, tui_rect_t r)
{
    chart_t c;
    memset(&c, 0, sizeof c);
    c.px = r.x + TUI_CHART_LABEL_W;
    c.pw = r.w - TUI_CHART_LABEL_W - 1;
    c.py = r.y;
    c.ph = r.h - 2;
    c.t1 = tui_time_end(a);
    a->chart_x = c.px, a->chart_w = c.pw, a->chart_y = c.py, a->chart_h = c.ph;
    if (c.pw < 4 || c.ph < 2 || !a->sum || chart_alloc(&c) != 0) {
        chart_free(&c);
        return;
    }
    chart_scale(&c, &a->sum->series, a->hide_rss);
    chart_dots(&c);
    int cursor = chart_col(&c, a->t_cursor);
    chart_labels(&c, r.x);
    for (int row = 0; row < c.ph; row++)
        for (int x = 0; x < c.pw; x++)
            chart_cell(a, &c, row, x, x == cursor);
    chart_axis(a, &c, cursor);
    chart_times(a, &c);
    chart_free(&c);
}
