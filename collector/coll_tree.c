/*
 * coll_tree.c -- modules, frames and the callsite prefix tree.
 *
 * Each image keeps its loaded modules as disjoint ranges sorted by start.
 * A pc maps to (module, rel_pc = pc - load_bias), or (NULL, pc) outside
 * every module; frames are deduplicated by that pair, callsites by (parent,
 * frame), both across the whole run.  A stack's outermost pc (pcs[depth-1])
 * is depth 0; its leaf callsite is pcs[0]'s.  Return addresses (pcs[i],
 * i > 0) are looked up as pc - 1, so a call that ends a module still maps
 * into it; rel_pc keeps the raw pc (the analyzer subtracts 1).
 */
#include "coll_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TREE_BUILD_ID_MAX 64 /* bytes kept of a build-id (GNU: 20) */

static const coll_module_t *tree_find(const coll_proc_t *p, uint64_t pc)
{
    size_t lo = 0, hi = p->nmods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->mods[mid].start <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || pc >= p->mods[lo - 1].end)
        return NULL;
    return &p->mods[lo - 1];
}

/* Insert a module range; ranges it overlaps are gone (remapped). */
static int tree_mods_insert(coll_proc_t *p, const coll_module_t *m)
{
    size_t out = 0, at;
    for (size_t i = 0; i < p->nmods; i++)
        if (p->mods[i].end <= m->start || p->mods[i].start >= m->end)
            p->mods[out++] = p->mods[i];
    p->nmods = out;
    if (p->nmods == p->mods_cap) {
        size_t cap = p->mods_cap ? p->mods_cap * 2 : 32;
        coll_module_t *mods = realloc(p->mods, cap * sizeof *mods);
        if (!mods)
            return -1;
        p->mods = mods;
        p->mods_cap = cap;
    }
    for (at = 0; at < p->nmods && p->mods[at].start < m->start; at++)
        ;
    memmove(&p->mods[at + 1], &p->mods[at], (p->nmods - at) * sizeof *m);
    p->mods[at] = *m;
    p->nmods++;
    return 0;
}

static void tree_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

static int tree_module_row(coll_t *c, const coll_proc_t *p, const hq_rec_module_t *r,
                           const coll_module_t *m, uint64_t file_offset, int64_t t)
{
    const hq_seg_t *seg = (const hq_seg_t *)(r + 1);
    const uint8_t *bid = (const uint8_t *)(seg + r->nseg);
    const char *path = (const char *)(bid + r->build_id_len);
    char hex[2 * TREE_BUILD_ID_MAX + 1];
    coll_batch_t *rows = &c->batch[COLL_B_MODULES];
    size_t bid_len = r->build_id_len < TREE_BUILD_ID_MAX ? r->build_id_len : TREE_BUILD_ID_MAX;
    tree_hex(bid, bid_len, hex);
    int64_t path_v = coll_batch_text(rows, path, r->path_len);
    int64_t bid_v = coll_batch_text(rows, bid_len ? hex : NULL, 2 * bid_len);
    const int64_t v[] = {m->id, p->pid, path_v, bid_v, (int64_t)m->start, (int64_t)m->end,
                         (int64_t)file_offset, (int64_t)m->bias, (r->flags & HQ_MODULE_MAIN) != 0,
                         t};
    memcpy(coll_batch_slot(rows), v, sizeof v);
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

int coll_tree_module(coll_t *c, coll_proc_t *p, const hq_rec_module_t *r, int64_t t)
{
    const hq_seg_t *seg = (const hq_seg_t *)(r + 1);
    uint64_t lo = UINT64_MAX, hi = 0;
    coll_module_t m = {.bias = r->load_bias, .id = c->next_module_id++};
    for (unsigned i = 0; i < r->nseg; i++) {
        if (seg[i].vaddr < lo)
            lo = seg[i].vaddr;
        if (seg[i].vaddr + seg[i].memsz > hi)
            hi = seg[i].vaddr + seg[i].memsz;
    }
    m.start = r->nseg ? lo + r->load_bias : r->load_bias;
    m.end = r->nseg ? hi + r->load_bias : r->load_bias;
    if (tree_module_row(c, p, r, &m, r->nseg ? seg[0].offset : 0, t) != 0)
        return -1;
    if (m.end > m.start && tree_mods_insert(p, &m) != 0)
        return coll_fail(c, "out of memory");
    return 0;
}

/* The UPDATE follows the module's INSERT: that batch goes first. */
static int tree_unload_row(coll_t *c, int64_t module_id, int64_t t)
{
    coll_batch_t *rows = &c->batch[COLL_B_UNLOAD];
    int64_t *v;
    if (coll_batch_flush(&c->batch[COLL_B_MODULES]) != 0)
        return coll_db_failed(c);
    v = coll_batch_slot(rows);
    v[0] = module_id;
    v[1] = t;
    return coll_batch_push(rows) == 0 ? 0 : coll_db_failed(c);
}

int coll_tree_unload(coll_t *c, coll_proc_t *p, const hq_rec_unload_t *r, int64_t t)
{
    for (size_t i = 0; i < p->nmods; i++) {
        if (p->mods[i].bias != r->load_bias)
            continue;
        if (!p->mods[i].inherited && tree_unload_row(c, p->mods[i].id, t) != 0)
            return -1;
        memmove(&p->mods[i], &p->mods[i + 1], (p->nmods - i - 1) * sizeof p->mods[0]);
        p->nmods--;
        return 0;
    }
    return 0;
}

static int64_t tree_frame(coll_t *c, int64_t module_id, uint64_t rel_pc)
{
    uint64_t *v = coll_kmap_find(&c->frame_of, (uint64_t)module_id, rel_pc);
    int64_t id;
    if (v)
        return (int64_t)*v;
    id = c->next_frame_id++;
    int64_t *row = coll_batch_slot(&c->batch[COLL_B_FRAMES]);
    row[0] = id;
    row[1] = module_id ? module_id : COLL_NULL;
    row[2] = (int64_t)rel_pc;
    if (coll_batch_push(&c->batch[COLL_B_FRAMES]) != 0)
        return coll_db_failed(c);
    if (coll_kmap_put(&c->frame_of, (uint64_t)module_id, rel_pc, (uint64_t)id) != 0)
        return coll_fail(c, "out of memory");
    return id;
}

static int64_t tree_callsite(coll_t *c, int64_t parent, int64_t frame, int depth)
{
    uint64_t *v = coll_kmap_find(&c->callsite_of, (uint64_t)parent, (uint64_t)frame);
    int64_t id;
    if (v)
        return (int64_t)*v;
    id = c->next_callsite_id++;
    int64_t *row = coll_batch_slot(&c->batch[COLL_B_CALLSITES]);
    row[0] = id;
    row[1] = parent ? parent : COLL_NULL;
    row[2] = frame;
    row[3] = depth;
    if (coll_batch_push(&c->batch[COLL_B_CALLSITES]) != 0)
        return coll_db_failed(c);
    if (coll_kmap_put(&c->callsite_of, (uint64_t)parent, (uint64_t)frame, (uint64_t)id) != 0)
        return coll_fail(c, "out of memory");
    return id;
}

static int tree_set_stack(coll_proc_t *p, uint32_t stack_id, uint32_t slot)
{
    if (stack_id >= p->stacks_cap) {
        uint32_t cap = p->stacks_cap ? p->stacks_cap : 256;
        while (cap <= stack_id)
            cap *= 2;
        uint32_t *s = realloc(p->stack_slot, cap * sizeof *s);
        if (!s)
            return -1;
        memset(s + p->stacks_cap, 0, (cap - p->stacks_cap) * sizeof *s);
        p->stack_slot = s;
        p->stacks_cap = cap;
    }
    p->stack_slot[stack_id] = slot;
    return 0;
}

int coll_tree_stack(coll_t *c, coll_proc_t *p, const hq_rec_stack_t *r)
{
    int64_t parent = 0;
    uint32_t slot = 0;
    for (int i = (int)r->depth - 1; i >= 0; i--) {
        uint64_t pc = r->pcs[i];
        const coll_module_t *m = tree_find(p, i > 0 ? pc - 1 : pc);
        int64_t frame = tree_frame(c, m ? m->id : 0, m ? pc - m->bias : pc);
        if (frame < 0)
            return -1;
        parent = tree_callsite(c, parent, frame, (int)r->depth - 1 - i);
        if (parent < 0)
            return -1;
    }
    if (parent && (slot = coll_heap_slot(p, parent)) == UINT32_MAX)
        return coll_fail(c, "out of memory");
    if (tree_set_stack(p, r->stack_id, slot) != 0)
        return coll_fail(c, "out of memory");
    return 0;
}

/* A fork child starts with its parent's modules and stacks (the shim may
 * or may not send them again: a record of the child replaces them). */
int coll_tree_inherit(coll_proc_t *child, const coll_proc_t *parent)
{
    for (size_t i = 0; i < parent->nmods; i++) {
        coll_module_t m = parent->mods[i];
        m.inherited = 1;
        if (tree_mods_insert(child, &m) != 0)
            return -1;
    }
    for (uint32_t id = 0; id < parent->stacks_cap; id++) {
        uint32_t ps = parent->stack_slot[id], slot;
        if (!ps)
            continue;
        slot = coll_heap_slot(child, parent->slots[ps].callsite_id);
        if (slot == UINT32_MAX || tree_set_stack(child, id, slot) != 0)
            return -1;
    }
    return 0;
}
