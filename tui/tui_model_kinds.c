/* tui_model_kinds.c -- allocation calls per kind, through the summary
 * report's parallel count (an_sum_kinds): the one scan the Summary view
 * makes, run after the first screen is up. */
#include "tui_model.h"

#include <stdlib.h>
#include <string.h>

#include "an_report_summary.h"

int tui_kinds_load(an_db_t *d, tui_kinds_t **out, char *err, size_t errlen)
{
    an_ctx_t c;
    summary_t *s = calloc(1, sizeof *s);
    tui_kinds_t *k = calloc(1, sizeof *k);
    int rc = -1;
    *out = NULL;
    memset(&c, 0, sizeof c);
    c.d = d;
    if (!s || !k) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (an_sum_kinds(&c, s, err, errlen) != 0)
        goto done;
    for (int i = 0; i < s->n_kinds && k->n < 32; i++, k->n++) {
        snprintf(k->name[k->n], sizeof k->name[k->n], "%s", s->kinds[i].name);
        k->count[k->n] = s->kinds[i].count;
    }
    *out = k;
    k = NULL;
    rc = 0;
done:
    free(s);
    free(k);
    return rc;
}
