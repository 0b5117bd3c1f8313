/*
 * an_frag_vm.c -- the memory the program mapped itself (mmap, mremap) or
 * took by moving the break (brk, sbrk), still held at t: vm_events of the
 * image replayed in time order (see an_frag_vm in an_frag_int.h).  Kinds
 * are the fixed codes of schema/README.md (64 mmap .. 68 sbrk).
 */
#include "an_frag_int.h"

#include <stdio.h>
#include <stdlib.h>

enum { VM_MMAP = 64, VM_MUNMAP = 65, VM_MREMAP = 66, VM_BRK = 67, VM_SBRK = 68 };

typedef struct vm_map_s {
    uint64_t start, end;
    int prot, flags, brk;
    long long callsite;
} vm_map_t;

typedef struct vm_set_s {
    vm_map_t *v;
    size_t n, cap;
} vm_set_t;

static uint64_t vm_round(uint64_t len)
{
    return (len + AN_FRAG_PAGE - 1) & ~(AN_FRAG_PAGE - 1);
}

static int vm_push(vm_set_t *s, vm_map_t m)
{
    if (m.end <= m.start)
        return 0;
    if (an_frag_grow((void **)&s->v, s->n, &s->cap, sizeof m) != 0)
        return -1;
    s->v[s->n++] = m;
    return 0;
}

/* Take [a, b) out of every mapping; *old gets the first one it hit. */
static int vm_remove(vm_set_t *s, uint64_t a, uint64_t b, vm_map_t *old)
{
    size_t n = s->n;
    int hit = 0;
    for (size_t i = 0; i < n; i++) {
        vm_map_t m = s->v[i], hi = m;
        if (m.end <= a || m.start >= b)
            continue;
        if (old && !hit++)
            *old = m;
        s->v[i].end = m.start < a ? a : m.start; /* low piece (maybe empty) */
        hi.start = b;
        if (hi.end > hi.start && vm_push(s, hi) != 0)
            return -1;
    }
    return 0;
}

static int vm_event(vm_set_t *s, sqlite3_stmt *st)
{
    int kind = sqlite3_column_int(st, 0);
    uint64_t addr = (uint64_t)sqlite3_column_int64(st, 1);
    uint64_t len = vm_round((uint64_t)sqlite3_column_int64(st, 2));
    uint64_t old_addr = (uint64_t)sqlite3_column_int64(st, 5);
    uint64_t old_len = vm_round((uint64_t)sqlite3_column_int64(st, 6));
    vm_map_t m = {addr, addr + len, sqlite3_column_int(st, 3), sqlite3_column_int(st, 4), 0,
                  sqlite3_column_int64(st, 7)};
    switch (kind) {
    case VM_MMAP:
        return vm_remove(s, m.start, m.end, NULL) || vm_push(s, m);
    case VM_MUNMAP:
        return vm_remove(s, m.start, m.end, NULL);
    case VM_MREMAP:
        if (vm_remove(s, old_addr, old_addr + old_len, &m) != 0)
            return -1;
        m.start = addr;
        m.end = addr + len;
        return vm_remove(s, m.start, m.end, NULL) || vm_push(s, m);
    case VM_BRK:
    case VM_SBRK:
        if (!old_addr || addr == old_addr)
            return 0;
        if (addr < old_addr)
            return vm_remove(s, addr, old_addr, NULL);
        m = (vm_map_t){old_addr, addr, 3, 0, 1, m.callsite};
        return vm_push(s, m);
    }
    return 0;
}

static int vm_replay(an_db_t *db, const an_frag_sel_t *sel, vm_set_t *s, char *err, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT kind, addr, length, prot, flags, old_addr, old_length, "
                           "callsite_id FROM vm_events WHERE pid = ?1 AND ns BETWEEN ?2 AND ?3 "
                           "AND result = 0 ORDER BY ns, id", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, sel->pid);
    sqlite3_bind_int64(st, 2, sel->start_ns);
    sqlite3_bind_int64(st, 3, sel->t_ns);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (vm_event(s, st) != 0) {
            sqlite3_finalize(st);
            snprintf(err, len, "out of memory");
            return -1;
        }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
        return -1;
    }
    return 0;
}

static int vm_region(an_frag_model_t *m, an_frag_hmap_t *ids, const vm_map_t *v)
{
    an_frag_region_t *r;
    int site = v->callsite ? an_frag_site_of(m, ids, v->callsite) : -1;
    if ((v->callsite && site < 0) ||
        an_frag_grow((void **)&m->regions, m->nregions, &m->regions_cap, sizeof *r) != 0)
        return -1;
    r = &m->regions[m->nregions++];
    *r = (an_frag_region_t){.kind = v->brk ? AN_FRAG_R_PROG_BRK : AN_FRAG_R_PROG_MMAP,
                            .start = v->start, .end = v->end, .prot = v->prot,
                            .flags = v->flags, .site = site};
    m->mapped_bytes += (long long)(v->end - v->start);
    return 0;
}

int an_frag_vm(an_db_t *db, const an_frag_sel_t *sel, an_frag_model_t *m,
               an_frag_hmap_t *ids, char *err, size_t len)
{
    vm_set_t s = {0};
    int rc = vm_replay(db, sel, &s, err, len);
    for (size_t i = 0; rc == 0 && i < s.n; i++)
        if (s.v[i].end > s.v[i].start && vm_region(m, ids, &s.v[i]) != 0) {
            snprintf(err, len, "out of memory");
            rc = -1;
        }
    free(s.v);
    return rc;
}
