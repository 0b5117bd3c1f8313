/* tui_model_frag.c -- the fragmentation model at the time cursor, for the
 * Fragmentation view: an_frag_select + an_frag_compute (an_frag_model.h)
 * with a short series.  A moment the model refuses (nothing allocated yet,
 * outside the process's run) is a result that says why, not a failure. */
#include "tui_model.h"

#include <stdlib.h>
#include <string.h>

int tui_frag_load(an_db_t *d, const tui_frag_req_t *r, tui_frag_t **out, char *err,
                  size_t errlen)
{
    an_frag_opts_t opts = {0, 8};
    an_frag_sel_t sel;
    tui_frag_t *f = calloc(1, sizeof *f);
    *out = NULL;
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    f->at_ns = r->at_ns;
    memset(&sel, 0, sizeof sel);
    sel.pid = r->pid;
    sel.when = AN_FRAG_AT_NS;
    sel.at_ns = r->at_ns;
    if (an_frag_select(d, &sel, f->err, sizeof f->err) != 0) {
        *out = f; /* nothing to map at this moment: the view says why */
        return 0;
    }
    if (an_frag_compute(d, &sel, &opts, &f->m, err, errlen) != 0) {
        free(f);
        return -1;
    }
    f->ok = 1;
    *out = f;
    return 0;
}

void tui_frag_free(tui_frag_t *f)
{
    if (!f)
        return;
    if (f->ok)
        an_frag_free(&f->m);
    free(f);
}
