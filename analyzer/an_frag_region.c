/*
 * an_frag_region.c -- which heap region each live block belongs to.
 * The heuristics (docs/FRAGMENTATION.md, "Regions"):
 *
 *   brk heap    the blocks from the end of the executable's image (its
 *               last PT_LOAD, bss included; modules.end) up to
 *               AN_FRAG_BRK_SPAN above it: the kernel starts the break a
 *               random few MiB after the executable (32 MiB at most on
 *               x86-64), and the mmap area where everything else lives is
 *               tens of TiB away.
 *               Without a main module: from the lowest ordinary block.
 *   arena heap  other blocks grouped by ptr & ~(64 MiB - 1): glibc maps
 *               each non-main heap 64 MiB-aligned and reserves all of it,
 *               so nothing else shares the window.
 *   mmap chunk  a block outside the brk heap, in a window without ordinary
 *               blocks, that has the shape of a chunk malloc mapped for itself: the
 *               pointer 16 bytes into a page, usable size + 16 a multiple
 *               of the page (the mapping).
 */
#include "an_frag_int.h"

#include <stdio.h>
#include <stdlib.h>

#define RG_PAGE_MASK (AN_FRAG_PAGE - 1)

static int rg_chunk_shaped(const an_frag_blk_t *b)
{
    return (b->ptr & RG_PAGE_MASK) == AN_FRAG_HDR &&
           ((b->usable + AN_FRAG_HDR) & RG_PAGE_MASK) == 0 &&
           b->usable >= AN_FRAG_PAGE - AN_FRAG_HDR;
}

/* End of the executable's image at t, 0 when unknown. */
static int rg_main_end(an_db_t *db, const an_frag_sel_t *sel, uint64_t *end, char *err,
                       size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *end = 0;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT end FROM modules WHERE pid = ?1 AND is_main = 1 "
                           "AND ifnull(load_ns, ?2) <= ?3 "
                           "ORDER BY ifnull(load_ns, ?2) DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, sel->pid);
    sqlite3_bind_int64(st, 2, sel->start_ns);
    sqlite3_bind_int64(st, 3, sel->t_ns);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *end = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
        return -1;
    }
    return 0;
}

/* Without a main module: the lowest block that is not chunk-shaped. */
static uint64_t rg_brk_guess(const an_frag_live_t *live)
{
    for (size_t i = 0; i < live->n; i++)
        if (!rg_chunk_shaped(&live->v[i]))
            return live->v[i].ptr;
    return live->n ? live->v[0].ptr : 0;
}

static int rg_add(an_frag_model_t *m, an_frag_run_t **runs, an_frag_rkind_t kind,
                  const an_frag_live_t *live, size_t first, size_t n)
{
    an_frag_region_t *r;
    an_frag_run_t *nr;
    if (an_frag_grow((void **)&m->regions, m->nregions, &m->regions_cap, sizeof *r) != 0)
        return -1;
    nr = realloc(*runs, m->regions_cap * sizeof **runs);
    if (!nr)
        return -1;
    *runs = nr;
    nr[m->nregions] = (an_frag_run_t){first, n};
    r = &m->regions[m->nregions++];
    *r = (an_frag_region_t){.kind = kind, .site = -1};
    r->start = live->v[first].ptr & ~RG_PAGE_MASK;
    r->end = (live->v[first + n - 1].end + RG_PAGE_MASK) & ~RG_PAGE_MASK;
    return 0;
}

static uint64_t rg_key(uint64_t ptr)
{
    return ptr & ~(AN_FRAG_ARENA_ALIGN - 1);
}

/* Blocks [i, j) share one 64 MiB window outside the brk heap. */
static int rg_window(an_frag_model_t *m, an_frag_run_t **runs, const an_frag_live_t *live,
                     size_t i, size_t j)
{
    int arena = 0;
    for (size_t k = i; k < j && !arena; k++)
        arena = !rg_chunk_shaped(&live->v[k]);
    if (arena)
        return rg_add(m, runs, AN_FRAG_R_ARENA, live, i, j - i);
    for (size_t k = i; k < j; k++)
        if (rg_add(m, runs, AN_FRAG_R_CHUNK, live, k, 1) != 0)
            return -1;
    return 0;
}

static int rg_in_brk(uint64_t ptr, uint64_t lo)
{
    return ptr >= lo && ptr - lo < AN_FRAG_BRK_SPAN;
}

static int rg_walk(an_frag_model_t *m, an_frag_run_t **runs, const an_frag_live_t *live,
                   uint64_t brk_lo)
{
    size_t i = 0;
    while (i < live->n) {
        size_t j = i + 1;
        int in_brk = rg_in_brk(live->v[i].ptr, brk_lo);
        if (in_brk)
            while (j < live->n && rg_in_brk(live->v[j].ptr, brk_lo))
                j++;
        else
            while (j < live->n && !rg_in_brk(live->v[j].ptr, brk_lo) &&
                   rg_key(live->v[j].ptr) == rg_key(live->v[i].ptr))
                j++;
        if (in_brk ? rg_add(m, runs, AN_FRAG_R_BRK, live, i, j - i)
                   : rg_window(m, runs, live, i, j))
            return -1;
        i = j;
    }
    return 0;
}

int an_frag_regions(an_db_t *db, const an_frag_sel_t *sel, const an_frag_live_t *live,
                    an_frag_model_t *m, an_frag_run_t **runs, char *err, size_t len)
{
    uint64_t brk_lo;
    if (rg_main_end(db, sel, &brk_lo, err, len) != 0)
        return -1;
    if (!brk_lo)
        brk_lo = rg_brk_guess(live);
    if (rg_walk(m, runs, live, brk_lo) != 0) {
        snprintf(err, len, "out of memory");
        return -1;
    }
    return 0;
}
