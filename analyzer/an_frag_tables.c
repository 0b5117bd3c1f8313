/* an_frag_tables.c -- regions, pinning call sites and internal waste as
 * an_table_t, so text and JSON show the same columns (an_frag_render.h). */
#include "an_frag_render.h"

#include <stdio.h>

enum { TB_HIDDEN = 1 };

static int tb_site_stack(an_table_t *t, int col, const an_frag_site_t *s, int text_frames)
{
    return an_table_stack(t, col, s->frames, s->nframes, text_frames);
}

static int tb_addr(an_table_t *t, int col, unsigned long long a)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", a);
    return an_table_text(t, col, buf);
}

static const char *tb_sizes(const an_frag_site_t *s, char *buf, size_t len)
{
    if (s->min_size == s->max_size)
        snprintf(buf, len, "%llu", s->min_size);
    else
        snprintf(buf, len, "%llu-%llu", s->min_size, s->max_size);
    return buf;
}

static int tb_pin_row(an_table_t *t, const an_frag_site_t *s, int text_frames)
{
    char buf[64];
    if (an_table_row(t) != 0)
        return -1;
    an_table_int(t, 0, s->pages_pinned);
    an_table_int(t, 1, s->pages_low);
    an_table_int(t, 2, s->pin_blocks);
    an_table_int(t, 3, s->pin_bytes);
    an_table_int(t, 4, s->age_min);
    an_table_int(t, 5, s->age_med);
    an_table_int(t, 6, s->age_max);
    snprintf(buf, sizeof buf, "%lld of %lld", s->pin_freed, s->pin_blocks);
    if (an_table_text(t, 7, buf) != 0)
        return -1;
    an_table_int(t, 8, s->pin_freed);
    an_table_int(t, 9, s->life_med);
    an_table_int(t, 10, s->callsite_id);
    return tb_site_stack(t, 11, s, text_frames);
}

an_table_t *an_frag_pin_table(const an_frag_model_t *m, int text_frames)
{
    an_table_t *t = an_table_new();
    if (!t)
        return NULL;
    an_table_col(t, "pages_pinned", "pages", AN_C_INT, 0);
    an_table_col(t, "pages_low", "low pages", AN_C_INT, 0);
    an_table_col(t, "blocks", "blocks", AN_C_INT, 0);
    an_table_col(t, "bytes", "bytes", AN_C_BYTES, 0);
    an_table_col(t, "age_min_ns", "age min", AN_C_NS, 0);
    an_table_col(t, "age_median_ns", "median", AN_C_NS, 0);
    an_table_col(t, "age_max_ns", "max", AN_C_NS, 0);
    an_table_col(t, "freed_later_text", "freed later", AN_C_TEXT, 0);
    an_table_col(t, "freed_later", "freed later", AN_C_INT, TB_HIDDEN);
    an_table_col(t, "lifetime_median_ns", "lifetime", AN_C_NS, TB_HIDDEN);
    an_table_col(t, "callsite_id", "callsite", AN_C_INT, TB_HIDDEN);
    an_table_col(t, "stack", "call site", AN_C_STACK, 0);
    for (size_t i = 0; i < m->npin; i++)
        if (tb_pin_row(t, &m->sites[m->by_pin[i]], text_frames) != 0) {
            an_table_free(t);
            return NULL;
        }
    return t;
}

static int tb_waste_row(an_table_t *t, const an_frag_site_t *s, int text_frames)
{
    char buf[64];
    long long waste = s->usable_bytes - s->live_bytes;
    if (an_table_row(t) != 0)
        return -1;
    an_table_int(t, 0, waste);
    an_table_num(t, 1, s->usable_bytes ? 100.0 * (double)waste / (double)s->usable_bytes : 0);
    an_table_int(t, 2, s->blocks);
    an_table_int(t, 3, s->live_bytes);
    an_table_int(t, 4, s->usable_bytes);
    if (an_table_text(t, 5, tb_sizes(s, buf, sizeof buf)) != 0)
        return -1;
    an_table_int(t, 6, (long long)s->min_size);
    an_table_int(t, 7, (long long)s->max_size);
    an_table_int(t, 8, s->callsite_id);
    return tb_site_stack(t, 9, s, text_frames);
}

an_table_t *an_frag_waste_table(const an_frag_model_t *m, int text_frames)
{
    an_table_t *t = an_table_new();
    if (!t)
        return NULL;
    an_table_col(t, "waste_bytes", "waste", AN_C_BYTES, 0);
    an_table_col(t, "waste_pct", "of usable", AN_C_PCT, 0);
    an_table_col(t, "blocks", "blocks", AN_C_INT, 0);
    an_table_col(t, "requested_bytes", "requested", AN_C_BYTES, 0);
    an_table_col(t, "usable_bytes", "usable", AN_C_BYTES, 0);
    an_table_col(t, "sizes", "sizes", AN_C_TEXT, 0);
    an_table_col(t, "min_size", "min", AN_C_INT, TB_HIDDEN);
    an_table_col(t, "max_size", "max", AN_C_INT, TB_HIDDEN);
    an_table_col(t, "callsite_id", "callsite", AN_C_INT, TB_HIDDEN);
    an_table_col(t, "stack", "call site", AN_C_STACK, 0);
    for (size_t i = 0; i < m->nwaste; i++)
        if (tb_waste_row(t, &m->sites[m->by_waste[i]], text_frames) != 0) {
            an_table_free(t);
            return NULL;
        }
    return t;
}

static int tb_region_row(an_table_t *t, const an_frag_model_t *m, const an_frag_region_t *r)
{
    int heap = r->kind <= AN_FRAG_R_CHUNK;
    if (an_table_row(t) != 0 || an_table_text(t, 0, an_frag_kind_name(r->kind)) != 0 ||
        tb_addr(t, 1, r->start) != 0 || tb_addr(t, 2, r->end) != 0)
        return -1;
    an_table_int(t, 3, (long long)(r->end - r->start));
    if (heap) {
        an_table_int(t, 4, r->blocks);
        an_table_int(t, 5, r->live_bytes);
        an_table_int(t, 6, r->pages_touched);
        an_table_int(t, 7, r->pages_low);
        an_table_int(t, 8, r->holes);
        an_table_int(t, 9, (long long)r->largest_hole);
    } else {
        an_table_int(t, 10, r->prot);
        an_table_int(t, 11, r->flags);
    }
    if (r->site >= 0)
        return tb_site_stack(t, 12, &m->sites[r->site], 1);
    return 0;
}

an_table_t *an_frag_region_table(const an_frag_model_t *m, long long max_chunks)
{
    long long chunks = 0;
    an_table_t *t = an_table_new();
    if (!t)
        return NULL;
    an_table_col(t, "kind", "kind", AN_C_TEXT, 0);
    an_table_col(t, "start", "start", AN_C_TEXT, 0);
    an_table_col(t, "end", "end", AN_C_TEXT, 0);
    an_table_col(t, "size", "size", AN_C_BYTES, 0);
    an_table_col(t, "blocks", "blocks", AN_C_INT, 0);
    an_table_col(t, "live_bytes", "live", AN_C_BYTES, 0);
    an_table_col(t, "pages_touched", "pages", AN_C_INT, 0);
    an_table_col(t, "pages_low", "low", AN_C_INT, 0);
    an_table_col(t, "holes", "holes", AN_C_INT, 0);
    an_table_col(t, "largest_hole", "largest hole", AN_C_BYTES, 0);
    an_table_col(t, "prot", "prot", AN_C_INT, TB_HIDDEN);
    an_table_col(t, "flags", "flags", AN_C_INT, TB_HIDDEN);
    an_table_col(t, "mapped_by", "mapped by", AN_C_STACK, 0);
    for (size_t i = 0; i < m->nregions; i++) {
        if (m->regions[i].kind == AN_FRAG_R_CHUNK && max_chunks >= 0 && chunks++ >= max_chunks)
            continue;
        if (tb_region_row(t, m, &m->regions[i]) != 0) {
            an_table_free(t);
            return NULL;
        }
    }
    return t;
}
