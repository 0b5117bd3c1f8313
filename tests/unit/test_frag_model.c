/* test_frag_model.c -- the fragmentation model on a recording laid out by
 * hand: regions, pages, occupancy, holes, pins, waste, program mappings,
 * RSS, the map levels; the moment's boundaries (alloc_ns <= t < free_ns). */
#include "testhelper.h"
#include "test_frag_db.h"

#define DB "test_frag_model.db"
#define B 0x555555600000ull  /* brk heap: above the executable */
#define AR 0x7ffff0000000ull /* a 64 MiB-aligned arena heap */
#define CH 0x7ffff7000000ull /* an mmap chunk */
#define T5 (5 * TF_S)

/*
 * brk heap, pages 0..7 from B (sites: 1 f_one, 2 f_keep, 3 f_big, 4 f_tiny):
 *   p0  b1 [0x10, +1016) s1, b2 [0x800, +2040) s1    3056 live  hole 1000
 *   p1  b3 [0x1100, +104) s2, alloc 1 s               104 live   hole 248  (pinned by s2)
 *   p3..p5  b4 [0x3010, +10008) s3                  4080 / 4096 / 1832   hole 7832
 *   p5  b5 [0x5800, +24) s4                          (+24: 1856)  hole 200
 *   p7  b6 [0x7010, +56) s2, b7 [0x7100, +24) s4,
 *       b9 [0x7800, +24) s4 allocated at t           104 live   holes 6120, 168, 1752
 * not live: b8 freed before t, b10 freed at t, b11 allocated after t.
 * arena: a1 [0x8d0, +200), a2 [0xa00, +200) s5: 400 live (pinned by s5), hole 88.
 * chunk: [CH + 0x10, +200688) s7: 49 pages.
 */
static void build(void)
{
    sqlite3 *db = tdb_create(DB);
    const char *names[] = {"f_one",   "f_keep",      "f_big",  "f_tiny",
                           "f_arena", "map_scratch", "f_chunk"};
    tdb_exec(db, "INSERT INTO meta VALUES ('symbolized', '1')");
    tf_process(db, 1, 100, 0, 10 * TF_S, T5);
    tf_process(db, 2, 200, 1 * TF_S, 2 * TF_S, -1); /* a child that allocated nothing */
    tf_main_module(db, 100, 0x555555554000ull, 0x555555559000ull);
    for (int i = 0; i < 7; i++)
        tf_site(db, i + 1, names[i]);
    tf_block(db, 100, B + 0x10, 990, 1016, 1, 100, -1);
    tf_block(db, 100, B + 0x800, 2000, 2040, 1, 200, -1);
    tf_block(db, 100, B + 0x1100, 100, 104, 2, 1 * TF_S, -1);
    tf_block(db, 100, B + 0x2010, 100, 104, 1, 300, 400);                  /* b8 */
    tf_block(db, 100, B + 0x3010, 10000, 10008, 3, 500, 9 * TF_S);
    tf_block(db, 100, B + 0x5800, 24, 24, 4, 600, -1);
    tf_block(db, 100, B + 0x6010, 100, 104, 1, 700, T5);                   /* b10 */
    tf_block(db, 100, B + 0x7010, 50, 56, 2, 800, -1);
    tf_block(db, 100, B + 0x7100, 20, 24, 4, 900, -1);
    tf_block(db, 100, B + 0x7800, 8, 24, 4, T5, -1);                      /* b9 */
    tf_block(db, 100, B + 0x6800, 100, 104, 4, T5 + 1, -1);               /* b11 */
    tf_block(db, 100, AR + 0x8d0, 200, 200, 5, 1000, -1);
    tf_block(db, 100, AR + 0xa00, 200, 200, 5, 1100, 8 * TF_S);
    tf_block(db, 100, CH + 0x10, 200000, 200688, 7, 1200, -1);
    tf_vm(db, 100, 64, 0x7ffff6000000ull, 65536, 0, 6, 1 * TF_S);          /* mmap 64 KiB */
    tf_vm(db, 100, 65, 0x7ffff6004000ull, 16384, 0, 6, 2 * TF_S);          /* munmap a hole */
    tf_vm(db, 100, 64, 0x7ffff5000000ull, 65536, 0, 6, 6 * TF_S);          /* after t */
    tf_vm(db, 100, 67, 0x555555710000ull, 0, 0x555555700000ull, 6, 1 * TF_S); /* brk +64 KiB */
    tf_sample(db, 100, 4900000000LL, 1000000);
    tf_sample(db, 100, 5200000000LL, 2000000);
    CHECK(tdb_is(db, "14", "SELECT count(*) FROM allocations"));
    sqlite3_close(db);
}

static const an_frag_region_t *region(const an_frag_model_t *m, an_frag_rkind_t k, int nth)
{
    for (size_t i = 0; i < m->nregions; i++)
        if (m->regions[i].kind == k && nth-- == 0)
            return &m->regions[i];
    return NULL;
}

static void check_totals(const an_frag_model_t *m)
{
    CHECK_EQ(m->sel.t_ns, T5);
    CHECK_EQ(m->blocks, 11);
    CHECK_EQ(m->live_bytes, 990 + 2000 + 100 + 10000 + 24 + 50 + 20 + 8 + 400 + 200000);
    CHECK_EQ(m->usable_bytes, 1016 + 2040 + 104 + 10008 + 24 + 56 + 24 + 24 + 400 + 200688);
    CHECK_EQ(m->internal_bytes, 26 + 40 + 4 + 8 + 6 + 4 + 16 + 688);
    CHECK_EQ(m->pages_touched, 6 + 1 + 49);
    CHECK_EQ(m->pages_low, 3);
    CHECK_EQ(m->holes, 8);
    CHECK_EQ(m->hole_bytes, 1000 + 248 + 7832 + 200 + 6120 + 168 + 1752 + 88);
    CHECK_EQ(m->largest_hole, 7832);
    CHECK_EQ(m->largest_hole_addr, B + 0x1168);
    CHECK_EQ(m->rss_bytes, 1000000);
    CHECK_EQ(m->rss_ns, 4900000000LL);
    CHECK_EQ(m->mapped_bytes, 49152 + 65536);
}

static void check_brk(const an_frag_model_t *m)
{
    const an_frag_region_t *r = region(m, AN_FRAG_R_BRK, 0);
    static const unsigned bytes[] = {3056, 104, 4080, 4096, 1856, 104};
    static const unsigned long long pages[] = {0, 1, 3, 4, 5, 7};
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_EQ(r->start, B);
    CHECK_EQ(r->end, B + 0x8000);
    CHECK_EQ(r->blocks, 8);
    CHECK_EQ(r->pages_touched, 6);
    CHECK_EQ(r->pages_low, 2);
    CHECK_EQ(r->holes, 7);
    CHECK_EQ(r->npages, 6);
    for (size_t i = 0; i < 6 && i < r->npages; i++) {
        CHECK_EQ(m->pages[r->page0 + i].addr, B + pages[i] * 4096);
        CHECK_EQ(m->pages[r->page0 + i].bytes, bytes[i]);
        CHECK_EQ(m->pages[r->page0 + i].npages, 1);
    }
    CHECK_EQ(r->nsizes, 7); /* all different */
    CHECK_EQ(m->hole_sizes[r->size0].size, 168);
    CHECK_EQ(m->hole_sizes[r->size0 + 6].size, 7832);
}

static void check_other_regions(const an_frag_model_t *m)
{
    const an_frag_region_t *a = region(m, AN_FRAG_R_ARENA, 0), *c = region(m, AN_FRAG_R_CHUNK, 0);
    const an_frag_region_t *p0 = region(m, AN_FRAG_R_PROG_MMAP, 0);
    const an_frag_region_t *p1 = region(m, AN_FRAG_R_PROG_MMAP, 1);
    const an_frag_region_t *pb = region(m, AN_FRAG_R_PROG_BRK, 0);
    CHECK_EQ(m->nregions, 6);
    CHECK(a && c && p0 && p1 && pb);
    if (!a || !c || !p0 || !p1 || !pb)
        return;
    CHECK_EQ(a->start, AR);
    CHECK_EQ(a->blocks, 2);
    CHECK_EQ(a->pages_low, 1);
    CHECK_EQ(a->largest_hole, 88);
    CHECK_EQ(c->start, CH);
    CHECK_EQ(c->end, CH + 49 * 4096);
    CHECK_EQ(c->pages_touched, 49);
    CHECK_EQ(c->pages_low, 0);
    CHECK_EQ(m->pages[c->page0 + 1].npages, 47); /* the inner run */
    CHECK_EQ(p0->start, 0x7ffff6000000ull);
    CHECK_EQ(p0->end, 0x7ffff6004000ull);
    CHECK_EQ(p1->start, 0x7ffff6008000ull);
    CHECK_EQ(p1->end, 0x7ffff6010000ull);
    CHECK_EQ(pb->start, 0x555555700000ull);
    CHECK_EQ(pb->end, 0x555555710000ull);
    CHECK(p0->site >= 0 && m->sites[p0->site].nframes == 1 &&
          !strcmp(m->sites[p0->site].frames[0].function, "map_scratch"));
    for (size_t i = 1; i < m->nregions; i++)
        CHECK(m->regions[i - 1].start < m->regions[i].start);
}

static void check_sites(const an_frag_model_t *m)
{
    int s2 = tf_site_index(m, 2), s4 = tf_site_index(m, 4), s5 = tf_site_index(m, 5);
    CHECK(s2 >= 0 && s4 >= 0 && s5 >= 0);
    if (s2 < 0 || s4 < 0 || s5 < 0)
        return;
    CHECK_EQ(m->npin, 2);
    if (m->npin != 2)
        return;
    CHECK_EQ(m->sites[m->by_pin[0]].callsite_id, 2); /* tie on pages: fewer bytes first */
    CHECK_EQ(m->sites[m->by_pin[1]].callsite_id, 5);
    CHECK_EQ(m->sites[s2].pages_pinned, 1);
    CHECK_EQ(m->sites[s2].pages_low, 2);
    CHECK_EQ(m->sites[s2].pin_blocks, 1);
    CHECK_EQ(m->sites[s2].pin_bytes, 100);
    CHECK_EQ(m->sites[s2].age_min, 4 * TF_S);
    CHECK_EQ(m->sites[s2].age_max, 4 * TF_S);
    CHECK_EQ(m->sites[s2].pin_freed, 0);
    CHECK_EQ(m->sites[s2].life_med, -1);
    CHECK_EQ(m->sites[s4].pages_pinned, 0);
    CHECK_EQ(m->sites[s4].pages_low, 1);
    CHECK_EQ(m->sites[s5].pin_blocks, 2);
    CHECK_EQ(m->sites[s5].pin_freed, 1);
    CHECK_EQ(m->sites[s5].life_med, 8 * TF_S - 1100);
    CHECK(m->sites[s2].nframes == 1 && !strcmp(m->sites[s2].frames[0].function, "f_keep"));
    CHECK_EQ(m->nwaste, 5);
    static const long long waste_order[] = {7, 1, 4, 2, 3};
    for (size_t i = 0; i < 5 && i < m->nwaste; i++)
        CHECK_EQ(m->sites[m->by_waste[i]].callsite_id, waste_order[i]);
}

static void check_map(const an_frag_model_t *m)
{
    const an_frag_region_t *r = region(m, AN_FRAG_R_BRK, 0);
    an_frag_cell_t cells[8];
    an_frag_layout_t l;
    char levels[9];
    CHECK(r != NULL && an_frag_ncells(r, 1) == 8);
    if (!r || an_frag_ncells(r, 1) != 8)
        return;
    an_frag_cells(m, r, 1, cells);
    for (int i = 0; i < 8; i++)
        levels[i] = (char)('0' + an_frag_level(&cells[i]));
    levels[8] = '\0';
    CHECK(!strcmp(levels, "31044201"));
    an_frag_cells(m, r, 4, cells); /* p0..p3, p4..p7 */
    CHECK_EQ(cells[0].touched, 3);
    CHECK_EQ(cells[0].live, 3056 + 104 + 4080);
    CHECK_EQ(cells[1].touched, 3);
    /* 2 heap regions (brk 8 pages, arena 1), 4 cells a row, 4 lines: 2 pages a cell */
    CHECK_EQ(an_frag_layout(m, 4, 4, &l), 0);
    CHECK_EQ(l.cell_pages, 2);
    CHECK_EQ(l.drawn, 2);
    an_frag_layout_free(&l);
    CHECK_EQ(an_frag_layout(m, 4, 3, &l), 0); /* room for one region only */
    CHECK_EQ(l.drawn, 1);
    CHECK_EQ(m->regions[l.order[0]].kind, AN_FRAG_R_BRK);
    an_frag_layout_free(&l);
}

static void check_moments(void)
{
    an_frag_model_t m;
    char err[256];
    /* --at just before b9: one block fewer */
    CHECK_EQ(tf_model(DB, -1, AN_FRAG_AT_NS, T5 - 1, 0, &m, err, sizeof err), 0);
    CHECK_EQ(m.blocks, 11); /* b9 not yet, b10 still live */
    CHECK_EQ(m.npoints, 0);
    an_frag_free(&m);
    CHECK_EQ(tf_model(DB, 100, AN_FRAG_AT_END, 0, 10, &m, err, sizeof err), 0);
    CHECK_EQ(m.sel.t_ns, 10 * TF_S);
    CHECK_EQ(m.blocks, 10); /* b4 and a2 freed, b11 born */
    CHECK_EQ(m.npoints, 10);
    CHECK_EQ(m.series[9].blocks, 10);
    CHECK_EQ(m.series[4].t_ns, T5);
    CHECK_EQ(m.series[4].blocks, 11);
    CHECK_EQ(m.series[4].pages, 56);
    CHECK_EQ(m.series[4].rss_bytes, 1000000);
    an_frag_free(&m);
}

int main(void)
{
    an_frag_model_t m;
    char err[256] = "";
    build();
    CHECK_EQ(tf_model(DB, -1, AN_FRAG_AT_PEAK, 0, 0, &m, err, sizeof err), 0);
    if (err[0])
        fprintf(stderr, "error: %s\n", err);
    check_totals(&m);
    check_brk(&m);
    check_other_regions(&m);
    check_sites(&m);
    check_map(&m);
    an_frag_free(&m);
    check_moments();
    remove(DB);
    return th_done("test_frag_model");
}
