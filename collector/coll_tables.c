/*
 * coll_tables.c -- the statements a recording writes through, one batch
 * each (coll_batch.c).  Only the meta table is written directly.
 *
 * Batches are independent FIFOs: a row that must follow a row of another
 * batch (the UPDATE of a process or module after its INSERT) is pushed
 * after flushing that batch (coll_proc.c, coll_tree.c).
 */
#include "coll_int.h"

#include <stdio.h>

#define TABLES_ALLOCS_CAP 16384 /* rows per allocations block */
/* alloc_rows without its id (SQLite appends), as schema/v1.sql encodes them
 * (coll_heap.c) */
#define TABLES_ALLOCS_COLS "who, ptr, size, usable_delta, callsite_id, alloc_ns, lifetime_ns"

typedef struct tables_def_s {
    int id;
    const char *head, *tail; /* INSERT INTO t(cols) and what follows its rows; tail NULL:
                              * head is a whole single-row statement */
    int ncols;
    size_t cap;
    uint32_t text_cols;
} tables_def_t;

/* A callsite shared by several process images (fork children that
 * inherited the parent's stacks) gets one callsite_stats row: the sums. */
#define TABLES_STATS_UPSERT                                                                       \
    " ON CONFLICT(callsite_id) DO UPDATE SET alloc_count=alloc_count+excluded.alloc_count, "       \
    "alloc_bytes=alloc_bytes+excluded.alloc_bytes, "                                              \
    "usable_bytes=usable_bytes+excluded.usable_bytes, free_count=free_count+excluded.free_count, " \
    "peak_blocks=peak_blocks+excluded.peak_blocks, peak_bytes=peak_bytes+excluded.peak_bytes, "    \
    "leaked_blocks=leaked_blocks+excluded.leaked_blocks, "                                        \
    "leaked_bytes=leaked_bytes+excluded.leaked_bytes, "                                           \
    "temporary_count=temporary_count+excluded.temporary_count, "                                  \
    "failed_count=failed_count+excluded.failed_count"

static const tables_def_t tables_defs[] = {
    {COLL_B_ALLOCS,
     "INSERT INTO alloc_rows(" TABLES_ALLOCS_COLS ")", "", 7, TABLES_ALLOCS_CAP, 0},
    {COLL_B_SAMPLES, "INSERT INTO samples(pid, ns, rss_bytes, heap_bytes, heap_blocks)", "",
     5, 1024, 0},
    {COLL_B_VM,
     "INSERT INTO vm_events(pid, tid, kind, addr, length, prot, flags, callsite_id, ns, old_addr, "
     "old_length, result)", "", 12, 1024, 0},
    {COLL_B_FRAMES, "INSERT INTO frames(id, module_id, rel_pc)", "", 3, 4096, 0},
    {COLL_B_CALLSITES, "INSERT INTO callsites(id, parent_id, frame_id, depth)", "", 4, 4096, 0},
    {COLL_B_THREADS, "INSERT INTO threads(pid, tid, name, start_ns, end_ns)", "", 5, 256,
     1u << 2},
    {COLL_B_STATS,
     "INSERT INTO callsite_stats(callsite_id, pid, alloc_count, alloc_bytes, usable_bytes, "
     "free_count, peak_blocks, peak_bytes, leaked_blocks, leaked_bytes, temporary_count, "
     "failed_count)", TABLES_STATS_UPSERT, 12, 1024, 0},
    {COLL_B_PROCS, "INSERT INTO processes(id, pid, ppid, exe, cmdline, start_ns, forked)",
     "", 7, 64, 1u << 3 | 1u << 4},
    {COLL_B_PROC_END,
     "UPDATE processes SET end_ns=?2, exit_code=?3, exit_signal=?4, end_reason=?5, "
     "peak_heap_bytes=?6, peak_heap_blocks=?7, peak_ns=?8, peak_rss_bytes=?9, alloc_calls=?10, "
     "free_calls=?11, failed_allocs=?12, unknown_frees=?13, ring_waits=?14, ring_wait_ns=?15, "
     "lost_events=?16, missed_frees=?17, unsampled_frees=?18, preexisting_frees=?19 WHERE id=?1",
     NULL, 19, 64, 1u << 4},
    {COLL_B_MODULES,
     "INSERT INTO modules(id, pid, path, build_id, start, end, file_offset, load_bias, is_main, "
     "load_ns)", "", 10, 256, 1u << 2 | 1u << 3},
    {COLL_B_UNLOAD, "UPDATE modules SET unload_ns=?2 WHERE id=?1", NULL, 2, 64, 0},
};

/* A sampled run: each row also carries its weight (column 7, a double). */
static const tables_def_t tables_allocs_sampled = {
    COLL_B_ALLOCS, "INSERT INTO alloc_rows(" TABLES_ALLOCS_COLS ", weight)", "", 8,
    TABLES_ALLOCS_CAP, 0};

int coll_tables_init(coll_t *c)
{
    if (coll_writer_init(&c->w, c->db) != 0)
        return coll_fail(c, "cannot create the writer's locks");
    if (coll_rowsrc_register(c->db, &c->w.src) != 0)
        return coll_fail(c, "cannot register heapql_rows: %s", sqlite3_errmsg(c->db));
    for (size_t i = 0; i < sizeof tables_defs / sizeof tables_defs[0]; i++) {
        const tables_def_t *d = &tables_defs[i];
        if (d->id == COLL_B_ALLOCS && c->sample_rate)
            d = &tables_allocs_sampled;
        coll_batch_t *b = &c->batch[d->id];
        if (coll_batch_init(b, &c->w, c->db, d->head, d->tail, d->ncols, d->cap) != 0)
            return coll_fail(c, "cannot prepare batch inserts: %s", sqlite3_errmsg(c->db));
        b->text_cols = d->text_cols;
        b->real_cols = d == &tables_allocs_sampled ? 1u << 7 : 0;
    }
    return 0;
}

int coll_db_failed(coll_t *c)
{
    char msg[256];
    if (!coll_writer_failed(&c->w, msg, sizeof msg))
        snprintf(msg, sizeof msg, "unknown error");
    return coll_fail(c, "database error: %s", msg);
}

int coll_db_flush(coll_t *c)
{
    for (int i = 0; i < COLL_B_COUNT; i++)
        if (coll_batch_flush(&c->batch[i]) != 0)
            return coll_db_failed(c);
    return 0;
}
