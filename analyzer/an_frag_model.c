/* an_frag_model.c -- an_frag_compute: the steps of an_frag_int.h in
 * order, the totals, and releasing the model. */
#include "an_frag_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *an_frag_kind_name(an_frag_rkind_t k)
{
    switch (k) {
    case AN_FRAG_R_BRK: return "brk heap";
    case AN_FRAG_R_ARENA: return "arena heap";
    case AN_FRAG_R_CHUNK: return "mmap chunk";
    case AN_FRAG_R_PROG_MMAP: return "program mmap";
    case AN_FRAG_R_PROG_BRK: return "program brk";
    }
    return "?";
}

int an_frag_has_map(const an_frag_region_t *r)
{
    return r->kind == AN_FRAG_R_BRK || r->kind == AN_FRAG_R_ARENA;
}

static void mdl_totals(an_frag_model_t *m, const an_frag_live_t *live)
{
    for (size_t i = 0; i < live->n; i++) {
        m->blocks++;
        m->live_bytes += (long long)live->v[i].size;
        m->usable_bytes += (long long)live->v[i].usable;
    }
    m->internal_bytes = m->usable_bytes - m->live_bytes;
    for (size_t i = 0; i < m->nregions; i++) {
        const an_frag_region_t *r = &m->regions[i];
        m->pages_touched += r->pages_touched;
        m->pages_low += r->pages_low;
        m->holes += r->holes;
        m->hole_bytes += r->hole_bytes;
        if (r->largest_hole > m->largest_hole) {
            m->largest_hole = r->largest_hole;
            m->largest_hole_addr = r->largest_hole_addr;
        }
    }
}

static int mdl_region_cmp(const void *a, const void *b)
{
    const an_frag_region_t *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static int mdl_heap(an_db_t *db, an_frag_model_t *m, an_frag_live_t *live, int top,
                    char *err, size_t len)
{
    an_frag_run_t *runs = NULL;
    int rc = an_frag_sort(live);
    if (rc != 0)
        snprintf(err, len, "out of memory");
    if (rc == 0)
        rc = an_frag_regions(db, &m->sel, live, m, &runs, err, len);
    for (size_t i = 0; rc == 0 && i < m->nregions; i++)
        if (an_frag_pages(m, i, live, &runs[i]) != 0) {
            snprintf(err, len, "out of memory");
            rc = -1;
        }
    if (rc == 0 && an_frag_sites(m, live, top) != 0) {
        snprintf(err, len, "out of memory");
        rc = -1;
    }
    free(runs);
    return rc;
}

int an_frag_compute(an_db_t *db, const an_frag_sel_t *sel, const an_frag_opts_t *opts,
                    an_frag_model_t *m, char *err, size_t len)
{
    an_frag_opts_t o = opts ? *opts : (an_frag_opts_t){100, 10};
    an_frag_live_t live = {0};
    an_frag_hmap_t ids = {0};
    int rc;
    memset(m, 0, sizeof *m);
    m->sel = *sel;
    m->symbolized = db->symbolized;
    rc = an_frag_scan(db, sel, o.points, m, &ids, &live, err, len);
    if (rc == 0)
        rc = mdl_heap(db, m, &live, o.top, err, len);
    if (rc == 0)
        mdl_totals(m, &live);
    if (rc == 0)
        rc = an_frag_vm(db, sel, m, &ids, err, len);
    if (rc == 0) {
        if (m->nregions > 1)
            qsort(m->regions, m->nregions, sizeof *m->regions, mdl_region_cmp);
        rc = an_frag_rss(db, sel, m, err, len);
    }
    if (rc == 0)
        rc = an_frag_names(db, m, err, len);
    free(live.v);
    an_frag_hmap_free(&ids);
    if (rc != 0)
        an_frag_free(m);
    return rc;
}

static void mdl_site_free(an_frag_site_t *s)
{
    for (int i = 0; s->frames && i < s->nframes; i++) {
        free((char *)s->frames[i].function);
        free((char *)s->frames[i].file);
        free((char *)s->frames[i].module);
    }
    free(s->frames);
}

void an_frag_free(an_frag_model_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nsites; i++)
        mdl_site_free(&m->sites[i]);
    free(m->sites);
    free(m->regions);
    free(m->pages);
    free(m->hole_sizes);
    free(m->by_waste);
    free(m->by_pin);
    free(m->series);
    memset(m, 0, sizeof *m);
}
