/* an_export.c -- formats, options and dispatch of `heapql export` (see
 * an_export.h). */
#include "an_export.h"

#include <string.h>

static const char *const export_names[AN_EXPORT_COUNT] = {"massif", "pprof", "speedscope",
                                                          "folded", "csv"};

#define M(x) (1u << (x))
#define ALL_METRICS (M(AN_M_COUNT) - 1u)

/* Per format: the metrics it takes, how many at most, its default. */
static const struct {
    unsigned allowed;
    int max;
    unsigned dflt;
} export_metric_rules[AN_EXPORT_COUNT] = {
    [AN_EXPORT_MASSIF] = {0, 0, 0},
    [AN_EXPORT_PPROF] = {M(AN_M_ALLOCS) | M(AN_M_BYTES) | M(AN_M_PEAK) | M(AN_M_LEAKED), 1,
                         M(AN_M_BYTES)},
    [AN_EXPORT_SPEEDSCOPE] = {ALL_METRICS, AN_M_COUNT,
                              M(AN_M_ALLOCS) | M(AN_M_BYTES) | M(AN_M_PEAK) | M(AN_M_LEAKED)},
    [AN_EXPORT_FOLDED] = {ALL_METRICS, 1, M(AN_M_BYTES)},
    [AN_EXPORT_CSV] = {0, 0, 0},
};

void an_export_opts_init(an_export_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->pid = -1;
}

int an_export_format_parse(const char *s)
{
    for (int i = 0; i < AN_EXPORT_COUNT; i++)
        if (s && !strcmp(s, export_names[i]))
            return i;
    return -1;
}

const char *an_export_format_name(an_export_format_t f)
{
    return f < AN_EXPORT_COUNT ? export_names[f] : "?";
}

int an_export_metrics_parse(const char *s, unsigned *metrics, char *err, size_t errlen)
{
    char name[32];
    *metrics = 0;
    while (s && *s) {
        size_t n = strcspn(s, ",");
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), s);
        int m = an_metric_parse(name);
        if (m < 0 || n >= sizeof name) {
            snprintf(err, errlen, "unknown metric '%.*s' (allocs, bytes, peak, leaked, temporary)",
                     (int)n, s);
            return -1;
        }
        *metrics |= M(m);
        s += n + (s[n] == ',');
    }
    if (!*metrics) {
        snprintf(err, errlen, "--metric needs a metric name");
        return -1;
    }
    return 0;
}

static int export_count_bits(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

int an_export_check(const an_export_opts_t *o, char *err, size_t errlen)
{
    const char *name = an_export_format_name(o->format);
    if (o->format >= AN_EXPORT_COUNT) {
        snprintf(err, errlen, "unknown export format");
        return -1;
    }
    if (o->format != AN_EXPORT_MASSIF && (o->pid >= 0 || o->time_bytes)) {
        snprintf(err, errlen, "--pid and --time-unit apply to --format massif only");
        return -1;
    }
    if (!o->metrics)
        return 0;
    if (!export_metric_rules[o->format].max) {
        snprintf(err, errlen, "--metric does not apply to --format %s", name);
        return -1;
    }
    if (o->metrics & ~export_metric_rules[o->format].allowed) {
        snprintf(err, errlen, "--format %s takes --metric allocs, bytes, peak or leaked", name);
        return -1;
    }
    if (export_count_bits(o->metrics) > export_metric_rules[o->format].max) {
        snprintf(err, errlen, "--format %s takes one --metric", name);
        return -1;
    }
    return 0;
}

unsigned an_export_metrics(const an_export_opts_t *o)
{
    if (o->metrics || o->format >= AN_EXPORT_COUNT)
        return o->metrics;
    return export_metric_rules[o->format].dflt;
}

int an_export_has_column(an_db_t *d, const char *table, const char *col)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(d->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int an_export_run(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err, size_t errlen)
{
    static int (*const fns[AN_EXPORT_COUNT])(an_db_t *, const an_export_opts_t *, FILE *,
                                             char *, size_t) = {
        an_export_massif, an_export_pprof, an_export_speedscope, an_export_folded,
        an_export_csv};
    if (an_export_check(o, err, errlen) != 0)
        return -1;
    return fns[o->format](d, o, out, err, errlen);
}
