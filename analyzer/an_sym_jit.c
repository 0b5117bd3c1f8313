/* an_sym_jit.c -- see an_sym_jit.h. */
#include "an_sym_jit.h"

#include <stdio.h>
#include <stdlib.h>

#include "an_sym_perfmap.h"

/* The processes whose stacks hold each unmapped frame: up the callsite
 * tree from the callsites that allocations and vm events name. */
static const char jit_owner_sql[] =
    "WITH RECURSIVE up(id, pid) AS ("
    "  SELECT callsite_id, pid FROM allocations WHERE callsite_id IS NOT NULL"
    "  UNION SELECT callsite_id, pid FROM vm_events WHERE callsite_id IS NOT NULL"
    "  UNION SELECT c.parent_id, up.pid FROM up JOIN callsites c ON c.id = up.id"
    "        WHERE c.parent_id IS NOT NULL)"
    " SELECT DISTINCT f.id, f.rel_pc, up.pid FROM up"
    "  JOIN callsites c ON c.id = up.id JOIN frames f ON f.id = c.frame_id"
    "  WHERE f.module_id IS NULL ORDER BY f.id, up.pid";

typedef struct jit_use_s {
    long long frame_id;
    uint64_t pc;
    long pid;
} jit_use_t;

typedef struct jit_map_s {
    long pid;
    an_sym_perfmap_t *map;
} jit_map_t;

typedef struct jit_s {
    jit_map_t *maps;
    size_t nmaps;
    jit_use_t *uses; /* by frame_id, then pid */
    size_t nuses;
} jit_t;

static void jit_free(jit_t *j)
{
    for (size_t i = 0; i < j->nmaps; i++)
        an_sym_perfmap_free(j->maps[i].map);
    free(j->maps);
    free(j->uses);
}

static int jit_db_error(sqlite3 *db, sqlite3_stmt *st, char *err, size_t errlen)
{
    snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return -1;
}

static void jit_add_map(jit_t *j, long pid)
{
    an_sym_perfmap_t *map = an_sym_perfmap_load(pid);
    jit_map_t *p = map ? realloc(j->maps, (j->nmaps + 1) * sizeof *p) : NULL;
    if (!p) {
        an_sym_perfmap_free(map);
        return;
    }
    j->maps = p;
    j->maps[j->nmaps++] = (jit_map_t){pid, map};
}

/* Load the perf map of every recorded pid that has one. */
static int jit_load_maps(sqlite3 *db, jit_t *j, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(db, "SELECT DISTINCT pid FROM processes", -1, &st, NULL) != SQLITE_OK)
        return jit_db_error(db, st, err, errlen);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        jit_add_map(j, (long)sqlite3_column_int64(st, 0));
    if (rc != SQLITE_DONE)
        return jit_db_error(db, st, err, errlen);
    sqlite3_finalize(st);
    return 0;
}

/* Read every (unmapped frame, process) pair before writing any frame. */
static int jit_load_uses(sqlite3 *db, jit_t *j, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc;
    if (sqlite3_prepare_v2(db, jit_owner_sql, -1, &st, NULL) != SQLITE_OK)
        return jit_db_error(db, st, err, errlen);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (j->nuses == cap) {
            jit_use_t *p = realloc(j->uses, (cap = cap ? 2 * cap : 256) * sizeof *p);
            if (!p) {
                sqlite3_finalize(st);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            j->uses = p;
        }
        j->uses[j->nuses++] = (jit_use_t){sqlite3_column_int64(st, 0),
                                          (uint64_t)sqlite3_column_int64(st, 1),
                                          (long)sqlite3_column_int64(st, 2)};
    }
    if (rc != SQLITE_DONE)
        return jit_db_error(db, st, err, errlen);
    sqlite3_finalize(st);
    return 0;
}

static const char *jit_name(const jit_t *j, const jit_use_t *u)
{
    for (size_t i = 0; i < j->nmaps; i++)
        if (j->maps[i].pid == u->pid && u->pc > 0)
            return an_sym_perfmap_lookup(j->maps[i].map, u->pc - 1);
    return NULL;
}

/* Name every unmapped frame from the first of its processes that knows it. */
static int jit_resolve(an_sym_writer_t *w, const jit_t *j, an_sym_stats_t *stats, char *err,
                       size_t errlen)
{
    long long done = -1;
    for (size_t i = 0; i < j->nuses; i++) {
        const jit_use_t *u = &j->uses[i];
        const char *name = u->frame_id != done ? jit_name(j, u) : NULL;
        an_sym_result_t r = {.loc = {{name, NULL, 0}}, .n = 1};
        if (!name)
            continue;
        done = u->frame_id;
        if (an_sym_write_frame(w, u->frame_id, &r, err, errlen) != 0)
            return -1;
        stats->resolved++;
    }
    return 0;
}

int an_sym_jit_run(an_sym_writer_t *w, an_sym_stats_t *stats, char *err, size_t errlen)
{
    jit_t j = {0};
    sqlite3_stmt *st = NULL;
    int unmapped = 0, rc;

    if (sqlite3_prepare_v2(w->db, "SELECT 1 FROM frames WHERE module_id IS NULL LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return jit_db_error(w->db, st, err, errlen);
    unmapped = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!unmapped)
        return 0;
    rc = jit_load_maps(w->db, &j, err, errlen);
    if (rc == 0 && j.nmaps > 0)
        rc = jit_load_uses(w->db, &j, err, errlen);
    if (rc == 0)
        rc = jit_resolve(w, &j, stats, err, errlen);
    jit_free(&j);
    return rc;
}
