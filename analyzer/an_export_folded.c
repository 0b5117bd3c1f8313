/* an_export_folded.c -- `export --format folded`: the flamegraph report's
 * folded stacks (an_report_flame.c), one metric, text only. */
#include "an_export.h"

int an_export_folded(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err, size_t errlen)
{
    an_report_opts_t ro;
    unsigned m = an_export_metrics(o);
    int metric = 0, rc;
    while (metric < AN_M_COUNT && !(m & (1u << metric)))
        metric++;
    an_report_opts_init(&ro);
    ro.format = AN_FMT_TEXT;
    ro.metric = metric < AN_M_COUNT ? (an_metric_t)metric : AN_M_BYTES;
    ro.db_path = o->db_path;
    rc = an_report_flame(d, &ro, out, err, errlen);
    an_report_opts_free(&ro);
    return rc;
}
