/* test_frag_db.h -- synthetic recordings for the fragmentation tests: the
 * real schema (test_sym_db.h) with rows written by hand, so every figure
 * the model computes is known in advance. */
#ifndef TEST_FRAG_DB_H
#define TEST_FRAG_DB_H

#include "test_sym_db.h"

#include "an_frag_model.h"

#define TF_S 1000000000LL /* one second in ns */

/* A process image [start, end] (end < 0: NULL) with its peak. */
/* "NULL" for v < 0, else v, in buf. */
static inline const char *tf_opt(long long v, char *buf, size_t len)
{
    if (v < 0)
        snprintf(buf, len, "NULL");
    else
        snprintf(buf, len, "%lld", v);
    return buf;
}

static inline void tf_process(sqlite3 *db, long long id, long long pid, long long start,
                              long long end, long long peak)
{
    char b1[32], b2[32];
    tdb_exec(db, "INSERT INTO processes (id, pid, exe, start_ns, end_ns, peak_ns) "
                 "VALUES (%lld, %lld, '/bin/prog', %lld, %s, %s)", id, pid, start,
             tf_opt(end, b1, sizeof b1), tf_opt(peak, b2, sizeof b2));
}

static inline void tf_main_module(sqlite3 *db, long long pid, unsigned long long start,
                           unsigned long long end)
{
    tdb_exec(db, "INSERT INTO modules (pid, path, start, end, file_offset, load_bias, is_main) "
                 "VALUES (%lld, '/bin/prog', %lld, %lld, 0, %lld, 1)", pid, (long long)start,
             (long long)end, (long long)start);
}

/* Callsite id (a root callsite) whose frame names function. */
static inline void tf_site(sqlite3 *db, long long id, const char *function)
{
    tdb_exec(db, "INSERT INTO frames (id, module_id, rel_pc, function, file, line) "
                 "VALUES (%lld, NULL, %lld, %Q, 'prog.c', %lld)", id, 0x1000 + id, function, id);
    tdb_exec(db, "INSERT INTO callsites (id, parent_id, frame_id, depth) "
                 "VALUES (%lld, NULL, %lld, 0)", id, id);
}

/* A block; free_ns < 0: never freed. */
static inline void tf_block(sqlite3 *db, long long pid, unsigned long long ptr, long long size,
                     long long usable, long long site, long long alloc_ns, long long free_ns)
{
    char b[32];
    tdb_exec(db, "INSERT INTO allocations (pid, tid, kind, ptr, size, usable_size, callsite_id, "
                 "alloc_ns, free_ns) VALUES (%lld, %lld, 0, %lld, %lld, %lld, %lld, %lld, %s)",
             pid, pid, (long long)ptr, size, usable, site, alloc_ns,
             tf_opt(free_ns, b, sizeof b));
}

static inline void tf_vm(sqlite3 *db, long long pid, int kind, unsigned long long addr,
                         long long length, unsigned long long old_addr, long long site,
                         long long ns)
{
    tdb_exec(db, "INSERT INTO vm_events (pid, tid, kind, addr, length, prot, flags, callsite_id, "
                 "ns, old_addr, old_length, result) VALUES (%lld, %lld, %d, %lld, %lld, 3, 34, "
                 "%lld, %lld, %lld, 0, 0)", pid, pid, kind, (long long)addr, length, site, ns,
             (long long)old_addr);
}

static inline void tf_sample(sqlite3 *db, long long pid, long long ns, long long rss)
{
    tdb_exec(db, "INSERT INTO samples (pid, ns, rss_bytes, heap_bytes, heap_blocks) "
                 "VALUES (%lld, %lld, %lld, 0, 0)", pid, ns, rss);
}

/* Open path with an_db_open, select (pid, when, at) and compute. */
static inline int tf_model(const char *path, long long pid, an_frag_when_t when, long long at,
                    int points, an_frag_model_t *m, char *err, size_t len)
{
    an_db_t d;
    an_frag_sel_t sel = {.pid = pid, .when = when, .at_ns = at};
    an_frag_opts_t o = {points, 10};
    int rc;
    if (an_db_open(&d, path, AN_DB_READ, err, len) != 0)
        return -1;
    rc = an_frag_select(&d, &sel, err, len);
    if (rc == 0)
        rc = an_frag_compute(&d, &sel, &o, m, err, len);
    an_db_close(&d);
    return rc;
}

/* Index of the site with callsite id cs in m, -1 if absent. */
static inline int tf_site_index(const an_frag_model_t *m, long long cs)
{
    for (size_t i = 0; i < m->nsites; i++)
        if (m->sites[i].callsite_id == cs)
            return (int)i;
    return -1;
}

#endif
