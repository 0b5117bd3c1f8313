/* an_frag_json.c -- the fragmentation model as JSON (an_frag_render.h):
 * the figures of the text, raw integers (bytes, nanoseconds, addresses),
 * every touched page of the heap regions, and the map as level strings. */
#include "an_frag_render.h"

#include <stdlib.h>

static void js_process(an_json_t *j, const an_frag_model_t *m, const an_frag_view_t *v)
{
    const an_frag_sel_t *s = &m->sel;
    an_json_str(j, "database", v->db_path);
    an_json_obj(j, "process");
    an_json_int(j, "pid", s->pid);
    an_json_str(j, "exe", s->exe);
    an_json_int(j, "start_ns", s->start_ns);
    an_json_int(j, "end_ns", s->end_ns);
    if (s->peak_ns >= 0)
        an_json_int(j, "peak_ns", s->peak_ns);
    else
        an_json_null(j, "peak_ns");
    an_json_end(j, '}');
    an_json_obj(j, "moment");
    an_json_str(j, "at", s->when == AN_FRAG_AT_PEAK  ? "peak"
                         : s->when == AN_FRAG_AT_END ? "end"
                                                     : "time");
    an_json_int(j, "t_ns", s->t_ns);
    an_json_end(j, '}');
    an_json_bool(j, "symbolized", m->symbolized);
}

static void js_totals(an_json_t *j, const an_frag_model_t *m)
{
    an_json_obj(j, "totals");
    an_json_int(j, "blocks", m->blocks);
    an_json_int(j, "live_bytes", m->live_bytes);
    an_json_int(j, "usable_bytes", m->usable_bytes);
    an_json_int(j, "internal_bytes", m->internal_bytes);
    an_json_int(j, "pages_touched", m->pages_touched);
    an_json_int(j, "touched_bytes", m->pages_touched * (long long)AN_FRAG_PAGE);
    an_json_num(j, "fragmentation_ratio", an_frag_ratio(m->pages_touched, m->live_bytes));
    an_json_int(j, "pages_low", m->pages_low);
    an_json_num(j, "low_fraction",
                m->pages_touched ? (double)m->pages_low / (double)m->pages_touched : 0);
    an_json_int(j, "holes", m->holes);
    an_json_int(j, "hole_bytes", m->hole_bytes);
    an_json_int(j, "largest_hole", (long long)m->largest_hole);
    an_json_int(j, "largest_hole_addr", (long long)m->largest_hole_addr);
    an_json_int(j, "age_median_ns", m->age_med);
    an_json_int(j, "program_mapped_bytes", m->mapped_bytes);
    if (m->rss_bytes >= 0) {
        an_json_int(j, "rss_bytes", m->rss_bytes);
        an_json_int(j, "rss_sample_ns", m->rss_ns);
        an_json_int(j, "unexplained_rss_bytes", m->rss_bytes - m->live_bytes);
    } else {
        an_json_null(j, "rss_bytes");
        an_json_null(j, "rss_sample_ns");
        an_json_null(j, "unexplained_rss_bytes");
    }
    an_json_end(j, '}');
}

/* [size, count] by size */
static void js_hole_sizes(an_json_t *j, const an_frag_model_t *m, const an_frag_region_t *r)
{
    an_json_arr(j, "hole_sizes");
    for (size_t i = r->size0; i < r->size0 + r->nsizes; i++) {
        an_json_arr(j, NULL);
        an_json_int(j, NULL, (long long)m->hole_sizes[i].size);
        an_json_int(j, NULL, m->hole_sizes[i].count);
        an_json_end(j, ']');
    }
    an_json_end(j, ']');
}

/* [address, pages, live bytes on each] by address */
static void js_pages(an_json_t *j, const an_frag_model_t *m, const an_frag_region_t *r)
{
    an_json_arr(j, "pages");
    for (size_t i = r->page0; i < r->page0 + r->npages; i++) {
        an_json_arr(j, NULL);
        an_json_int(j, NULL, (long long)m->pages[i].addr);
        an_json_int(j, NULL, m->pages[i].npages);
        an_json_int(j, NULL, m->pages[i].bytes);
        an_json_end(j, ']');
    }
    an_json_end(j, ']');
}

static void js_region(an_json_t *j, const an_frag_model_t *m, const an_frag_region_t *r)
{
    an_json_obj(j, NULL);
    an_json_str(j, "kind", an_frag_kind_name(r->kind));
    an_json_int(j, "start", (long long)r->start);
    an_json_int(j, "end", (long long)r->end);
    an_json_int(j, "blocks", r->blocks);
    an_json_int(j, "live_bytes", r->live_bytes);
    an_json_int(j, "usable_bytes", r->usable_bytes);
    an_json_int(j, "pages_touched", r->pages_touched);
    an_json_int(j, "pages_low", r->pages_low);
    an_json_int(j, "holes", r->holes);
    an_json_int(j, "hole_bytes", r->hole_bytes);
    an_json_int(j, "largest_hole", (long long)r->largest_hole);
    an_json_int(j, "largest_hole_addr", (long long)r->largest_hole_addr);
    js_hole_sizes(j, m, r);
    js_pages(j, m, r);
    if (r->kind >= AN_FRAG_R_PROG_MMAP) {
        an_json_int(j, "prot", r->prot);
        an_json_int(j, "flags", r->flags);
    }
    an_json_arr(j, "mapped_by");
    for (int i = 0; r->site >= 0 && i < m->sites[r->site].nframes; i++)
        an_json_frame(j, NULL, &m->sites[r->site].frames[i]);
    an_json_end(j, ']');
    an_json_end(j, '}');
}

static int js_map_region(an_json_t *j, const an_frag_model_t *m, int ri,
                         const an_frag_layout_t *l)
{
    const an_frag_region_t *r = &m->regions[ri];
    size_t n = an_frag_ncells(r, l->cell_pages);
    an_frag_cell_t *c = malloc((n ? n : 1) * sizeof *c);
    char *s = malloc(n + 1);
    if (!c || !s) {
        free(c);
        free(s);
        return -1;
    }
    an_frag_cells(m, r, l->cell_pages, c);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('0' + an_frag_level(&c[i]));
    s[n] = '\0';
    an_json_obj(j, NULL);
    an_json_int(j, "region", ri);
    an_json_int(j, "start", (long long)r->start);
    an_json_str(j, "levels", s);
    an_json_end(j, '}');
    free(c);
    free(s);
    return 0;
}

static int js_map(an_json_t *j, const an_frag_model_t *m, const an_frag_view_t *v)
{
    an_frag_layout_t l;
    int rc = 0;
    if (an_frag_view_layout(m, v, &l) != 0)
        return -1;
    an_json_obj(j, "map");
    an_json_int(j, "cell_pages", (long long)l.cell_pages);
    an_json_int(j, "cells_per_row", l.cols);
    an_json_arr(j, "regions");
    for (int i = 0; i < l.drawn && rc == 0; i++)
        rc = js_map_region(j, m, l.order[i], &l);
    an_json_end(j, ']');
    an_json_end(j, '}');
    an_frag_layout_free(&l);
    return rc;
}

static void js_series(an_json_t *j, const an_frag_model_t *m)
{
    an_json_arr(j, "series");
    for (size_t i = 0; i < m->npoints; i++) {
        const an_frag_point_t *p = &m->series[i];
        an_json_obj(j, NULL);
        an_json_int(j, "t_ns", p->t_ns);
        an_json_int(j, "blocks", p->blocks);
        an_json_int(j, "live_bytes", p->live_bytes);
        an_json_int(j, "usable_bytes", p->usable_bytes);
        an_json_int(j, "pages_touched", p->pages);
        an_json_num(j, "fragmentation_ratio", an_frag_ratio(p->pages, p->live_bytes));
        if (p->rss_bytes >= 0) {
            an_json_int(j, "rss_bytes", p->rss_bytes);
            an_json_int(j, "unexplained_rss_bytes", p->rss_bytes - p->live_bytes);
        } else {
            an_json_null(j, "rss_bytes");
            an_json_null(j, "unexplained_rss_bytes");
        }
        an_json_end(j, '}');
    }
    an_json_end(j, ']');
}

static int js_table(an_json_t *j, an_table_t *t, const char *key)
{
    if (!t)
        return -1;
    an_table_write(t, AN_FMT_JSON, j->f, j, key, 0);
    an_table_free(t);
    return 0;
}

int an_frag_write_json(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f)
{
    an_json_t j;
    int rc;
    an_json_init(&j, f);
    an_json_obj(&j, NULL);
    js_process(&j, m, v);
    js_totals(&j, m);
    an_json_arr(&j, "regions");
    for (size_t i = 0; i < m->nregions; i++)
        js_region(&j, m, &m->regions[i]);
    an_json_end(&j, ']');
    rc = js_map(&j, m, v);
    if (rc == 0)
        rc = js_table(&j, an_frag_pin_table(m, AN_FRAG_FRAMES), "pinning");
    if (rc == 0)
        rc = js_table(&j, an_frag_waste_table(m, AN_FRAG_FRAMES), "internal_waste");
    js_series(&j, m);
    an_json_end(&j, '}');
    return rc;
}
