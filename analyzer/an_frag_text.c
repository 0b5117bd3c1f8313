/* an_frag_text.c -- the fragmentation model as text (an_frag_render.h):
 * heading, metrics, regions, hole sizes, map, pinning, waste, series. */
#include "an_frag_render.h"

#define TXT_CHUNKS 10    /* mmap chunks listed in the region table */
#define TXT_SIZES 6      /* hole sizes listed per region */

const char *an_frag_when_name(an_frag_when_t w)
{
    return w == AN_FRAG_AT_PEAK ? "the heap peak" : w == AN_FRAG_AT_END ? "the end" : "--at";
}

static void txt_heading(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f)
{
    const an_frag_sel_t *s = &m->sel;
    fprintf(f, "fragmentation of %s%spid %lld%s%s%s at %.3f s (%s; recorded %.3f-%.3f s)\n",
            v->db_path ? v->db_path : "", v->db_path ? ", " : "", s->pid, s->exe[0] ? " (" : "",
            s->exe, s->exe[0] ? ")" : "", (double)s->t_ns / 1e9, an_frag_when_name(s->when),
            (double)s->start_ns / 1e9, (double)s->end_ns / 1e9);
    if (!m->symbolized)
        fprintf(f, "note: not symbolized yet: call sites show as module+offset "
                   "(heapql symbolize DB)\n");
}

static void txt_live(const an_frag_model_t *m, FILE *f)
{
    char a[32], b[32], c[32], d[32];
    fprintf(f, "\n  live blocks       %s blocks, %s requested, %s usable\n",
            an_fmt_count(m->blocks, a, sizeof a), an_fmt_bytes(m->live_bytes, b, sizeof b),
            an_fmt_bytes(m->usable_bytes, c, sizeof c));
    fprintf(f, "  internal waste    %s (%s of usable bytes)\n",
            an_fmt_bytes(m->internal_bytes, a, sizeof a),
            an_fmt_pct((double)m->internal_bytes, (double)m->usable_bytes, b, sizeof b));
    if (m->live_bytes > 0)
        snprintf(d, sizeof d, "%.2f", an_frag_ratio(m->pages_touched, m->live_bytes));
    else
        snprintf(d, sizeof d, "-");
    fprintf(f, "  pages touched     %s (%s); fragmentation ratio %s "
               "(touched-page bytes / live bytes)\n",
            an_fmt_count(m->pages_touched, a, sizeof a),
            an_fmt_bytes(m->pages_touched * (long long)AN_FRAG_PAGE, b, sizeof b), d);
    fprintf(f, "  low pages         %s of %s touched pages under %d%% live (%s)\n",
            an_fmt_count(m->pages_low, a, sizeof a), an_fmt_count(m->pages_touched, b, sizeof b),
            AN_FRAG_LOW_PCT,
            an_fmt_pct((double)m->pages_low, (double)m->pages_touched, c, sizeof c));
    if (m->holes == 0)
        fprintf(f, "  holes             none between live blocks\n");
    else
        fprintf(f, "  holes             %s, %s in all; largest %s at 0x%llx\n",
                an_fmt_count(m->holes, a, sizeof a), an_fmt_bytes(m->hole_bytes, b, sizeof b),
                an_fmt_bytes((long long)m->largest_hole, c, sizeof c), m->largest_hole_addr);
    fprintf(f, "  median block age  %s\n", an_fmt_ns(m->blocks ? m->age_med : -1, d, sizeof d));
}

static void txt_rss(const an_frag_model_t *m, FILE *f)
{
    char a[32], b[32], c[32], d[32], e[32];
    long long slack = m->pages_touched * (long long)AN_FRAG_PAGE - m->usable_bytes;
    long long unexplained = m->rss_bytes - m->live_bytes;
    if (m->rss_bytes < 0) {
        fprintf(f, "  rss               unknown (no sample)\n");
        return;
    }
    fprintf(f, "  rss               %s (sample at %.3f s); not explained by live blocks: %s\n",
            an_fmt_bytes(m->rss_bytes, a, sizeof a), (double)m->rss_ns / 1e9,
            an_fmt_bytes(unexplained, b, sizeof b));
    fprintf(f, "                    = internal waste %s + free bytes on touched pages %s\n"
               "                      + the rest %s (code, stacks, libraries, allocator\n"
               "                      metadata, freed pages malloc kept; program mappings: %s)\n",
            an_fmt_bytes(m->internal_bytes, c, sizeof c), an_fmt_bytes(slack, d, sizeof d),
            an_fmt_bytes(unexplained - m->internal_bytes - slack, e, sizeof e),
            an_fmt_bytes(m->mapped_bytes, a, sizeof a));
}

static long long txt_chunks(const an_frag_model_t *m, long long *bytes)
{
    long long n = 0;
    *bytes = 0;
    for (size_t i = 0; i < m->nregions; i++)
        if (m->regions[i].kind == AN_FRAG_R_CHUNK) {
            n++;
            *bytes += (long long)(m->regions[i].end - m->regions[i].start);
        }
    return n;
}

static int txt_regions(const an_frag_model_t *m, FILE *f)
{
    an_table_t *t = an_frag_region_table(m, TXT_CHUNKS);
    long long bytes, n = txt_chunks(m, &bytes);
    char b[32];
    if (!t)
        return -1;
    fprintf(f, "\nregions, by address\n");
    if (an_table_rows(t) == 0)
        fprintf(f, "  (none)\n");
    else
        an_table_write(t, AN_FMT_TEXT, f, NULL, NULL, 2);
    if (n > TXT_CHUNKS)
        fprintf(f, "  ... and %lld more mmap chunks (%s mapped by malloc in all)\n",
                n - TXT_CHUNKS, an_fmt_bytes(bytes, b, sizeof b));
    an_table_free(t);
    return 0;
}

/* The TXT_SIZES most frequent hole sizes of r into top (most first). */
static size_t txt_top_sizes(const an_frag_model_t *m, const an_frag_region_t *r,
                            const an_frag_hole_t **top)
{
    size_t n = 0;
    for (size_t j = r->size0; j < r->size0 + r->nsizes; j++) {
        const an_frag_hole_t *h = &m->hole_sizes[j];
        size_t k = n < TXT_SIZES ? n++ : TXT_SIZES;
        while (k > 0 && top[k - 1]->count < h->count) {
            if (k < TXT_SIZES)
                top[k] = top[k - 1];
            k--;
        }
        if (k < TXT_SIZES)
            top[k] = h;
    }
    return n;
}

static void txt_hole_sizes(const an_frag_model_t *m, FILE *f)
{
    char b[32];
    int any = 0;
    for (size_t i = 0; i < m->nregions; i++) {
        const an_frag_region_t *r = &m->regions[i];
        const an_frag_hole_t *top[TXT_SIZES];
        size_t n = txt_top_sizes(m, r, top);
        if (n == 0)
            continue;
        if (!any++)
            fprintf(f, "\nhole sizes (usable bytes a block there would get), "
                       "most frequent first\n");
        fprintf(f, "  %s 0x%llx:", an_frag_kind_name(r->kind), r->start);
        for (size_t k = 0; k < n; k++)
            fprintf(f, "%s %s x%lld", k ? "," : "",
                    an_fmt_bytes((long long)top[k]->size, b, sizeof b), top[k]->count);
        fprintf(f, "%s\n", r->nsizes > n ? ", ..." : "");
    }
}

static int txt_table(an_table_t *t, const char *title, FILE *f)
{
    if (!t)
        return -1;
    fprintf(f, "\n%s\n", title);
    if (an_table_rows(t) == 0)
        fprintf(f, "  (none)\n");
    else
        an_table_write(t, AN_FMT_TEXT, f, NULL, NULL, 2);
    an_table_free(t);
    return 0;
}

int an_frag_write_text(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f)
{
    int frames = v->frames > 0 ? v->frames : 3;
    txt_heading(m, v, f);
    if (m->blocks == 0)
        fprintf(f, "\nno live blocks at this moment\n");
    txt_live(m, f);
    txt_rss(m, f);
    if (txt_regions(m, f) != 0)
        return -1;
    txt_hole_sizes(m, f);
    fputc('\n', f);
    if (an_frag_write_map(m, v, f) != 0)
        return -1;
    if (txt_table(an_frag_pin_table(m, frames),
                  "call sites pinning pages: touched pages under 25% live where one call site "
                  "holds >= 90% of the live bytes", f) != 0 ||
        txt_table(an_frag_waste_table(m, frames),
                  "internal waste by call site (usable - requested)", f) != 0)
        return -1;
    fputc('\n', f);
    an_frag_write_spark(m, v, f);
    return 0;
}
