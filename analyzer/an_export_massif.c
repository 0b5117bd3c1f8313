/*
 * an_export_massif.c -- `export --format massif`: a massif.out file (the
 * format of valgrind's massif, read by ms_print and massif-visualizer) of
 * one process image.
 *
 * Snapshots: 100 evenly spaced from the image's start to its end, plus one
 * exactly at its peak (processes.peak_ns: there mem_heap_B is the peak).
 * Detailed ones (with a heap tree): every 10th, as massif's default
 * --detailed-freq, the last (what was never freed), and the peak, marked
 * heap_tree=peak.  mem_heap_B is the requested bytes of the live blocks,
 * mem_heap_extra_B their usable_size - size, mem_stacks_B 0.  Time is
 * milliseconds since the recording started, or with time_bytes the bytes
 * allocated so far (massif's --time-unit=B, better for short programs).
 * A sampled run's rows count as many blocks as their weight says; an
 * aggregated run (no allocations kept) cannot be exported this way.
 */
#include "an_export_massif.h"

#include <stdlib.h>
#include <string.h>

#define MS_SNAPSHOTS 100
#define MS_DETAILED_FREQ 10

/* ---- the process image ------------------------------------------------------- */

static const char ms_image_sql[] =
    "SELECT pid, start_ns, ifnull(end_ns, -1), ifnull(peak_ns, -1), peak_heap_bytes, "
    "coalesce(cmdline, exe, '') FROM processes WHERE ?1 < 0 OR pid = ?1 "
    "ORDER BY peak_heap_bytes DESC, id LIMIT 1";

/* The last event of the image, for one still running when recording stopped. */
static long long ms_last_event(ms_t *m)
{
    char sql[256];
    long long v = m->img.start_ns;
    snprintf(sql, sizeof sql,
             "SELECT max(max(alloc_ns), ifnull(max(free_ns), 0)) FROM allocations "
             "WHERE pid = %lld AND alloc_ns >= %lld", m->img.pid, m->img.start_ns);
    if (an_db_int64(m->c.d, sql, v, &v, NULL, 0) != 0 || v < m->img.start_ns)
        v = m->img.start_ns;
    return v;
}

static int ms_image(ms_t *m, long long pid, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(m->c.d->db, ms_image_sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(m->c.d->db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, pid);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        m->img.pid = sqlite3_column_int64(st, 0);
        m->img.start_ns = sqlite3_column_int64(st, 1);
        m->img.end_ns = sqlite3_column_int64(st, 2);
        m->img.peak_ns = sqlite3_column_int64(st, 3);
        m->img.peak_bytes = sqlite3_column_int64(st, 4);
        snprintf(m->img.cmd, sizeof m->img.cmd, "%s", (const char *)sqlite3_column_text(st, 5));
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, pid < 0 ? "the recording has no process" :
                 "no process %lld in the recording", pid);
    } else {
        snprintf(err, errlen, "database error: %s", sqlite3_errmsg(m->c.d->db));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW && m->img.end_ns < m->img.start_ns)
        m->img.end_ns = ms_last_event(m);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- choosing the snapshots -------------------------------------------------- */

static void ms_snap_set(ms_snap_t *s, long long ns)
{
    memset(s, 0, sizeof *s);
    s->ns = ns;
    s->detail = -1;
}

/* Evenly spaced times (distinct), the peak time among them. */
static int ms_times(ms_t *m)
{
    long long a = m->img.start_ns, span = m->img.end_ns - a, peak = m->img.peak_ns;
    int with_peak = peak >= a && peak <= m->img.end_ns;
    if (!(m->snaps = calloc(MS_SNAPSHOTS + 1, sizeof *m->snaps)))
        return -1;
    for (int k = 0; k < MS_SNAPSHOTS; k++) {
        long long ns = a + (long long)((double)span * k / (MS_SNAPSHOTS - 1));
        if (with_peak && ns >= peak && (m->n_snaps == 0 || m->snaps[m->n_snaps - 1].ns < peak)) {
            ms_snap_set(&m->snaps[m->n_snaps++], peak);
            m->snaps[m->n_snaps - 1].peak = 1;
        }
        if (m->n_snaps == 0 || m->snaps[m->n_snaps - 1].ns < ns)
            ms_snap_set(&m->snaps[m->n_snaps++], ns);
    }
    return 0;
}

/* Every 10th, the last and the peak get a heap tree. */
static int ms_details(ms_t *m)
{
    if (!(m->details = calloc((size_t)m->n_snaps, sizeof *m->details)))
        return -1;
    for (int k = 0; k < m->n_snaps; k++) {
        ms_snap_t *s = &m->snaps[k];
        if (s->peak || k % MS_DETAILED_FREQ == MS_DETAILED_FREQ - 1 || k == m->n_snaps - 1)
            s->detail = m->n_details++;
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------------- */

static void ms_header(const ms_t *m, const an_export_opts_t *o, FILE *out)
{
    fprintf(out, "desc: heapql export --format massif%s (pid %lld) %s\n",
            o->time_bytes ? " --time-unit B" : "", m->img.pid, o->db_path ? o->db_path : "");
    fputs("cmd: ", out);
    for (const char *p = m->img.cmd; *p; p++)
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
    fprintf(out, "\ntime_unit: %s\n", o->time_bytes ? "B" : "ms");
}

static int ms_snapshot(ms_t *m, int k, int time_bytes, FILE *out, char *err, size_t errlen)
{
    const ms_snap_t *s = &m->snaps[k];
    fprintf(out, "#-----------\nsnapshot=%d\n#-----------\n", k);
    fprintf(out, "time=%lld\n", time_bytes ? s->cum : s->ns / 1000000);
    fprintf(out, "mem_heap_B=%lld\nmem_heap_extra_B=%lld\nmem_stacks_B=0\n", s->heap, s->extra);
    if (s->detail < 0) {
        fputs("heap_tree=empty\n", out);
        return 0;
    }
    fprintf(out, "heap_tree=%s\n", s->peak ? "peak" : "detailed");
    const ms_detail_t *d = &m->details[s->detail];
    return ms_tree_write(&m->c, d->sites, d->n, s->heap, out, err, errlen);
}

static int ms_write(ms_t *m, const an_export_opts_t *o, FILE *out, char *err, size_t errlen)
{
    ms_header(m, o, out);
    for (int k = 0; k < m->n_snaps; k++)
        if (ms_snapshot(m, k, o->time_bytes, out, err, errlen) != 0)
            return -1;
    return 0;
}

static void ms_free(ms_t *m)
{
    for (int i = 0; m->details && i < m->n_details; i++) {
        an_map_free(&m->details[i].ix);
        free(m->details[i].sites);
    }
    free(m->details);
    free(m->snaps);
    an_ctx_close(&m->c);
}

static int ms_prepare(ms_t *m, const an_export_opts_t *o, char *err, size_t errlen)
{
    char agg[16];
    an_db_meta(m->c.d, "aggregate", agg, sizeof agg);
    if (!strcmp(agg, "1")) {
        snprintf(err, errlen, "an aggregated recording keeps no allocations, and massif's "
                 "heap over time needs them (the other formats work)");
        return -1;
    }
    if (ms_image(m, o->pid, err, errlen) != 0)
        return -1;
    if (ms_times(m) != 0 || ms_details(m) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return ms_scan(m, err, errlen);
}

int an_export_massif(an_db_t *d, const an_export_opts_t *o, FILE *out, char *err,
                     size_t errlen)
{
    an_report_opts_t ro;
    ms_t m;
    int rc = -1;
    memset(&m, 0, sizeof m);
    an_report_opts_init(&ro);
    ro.db_path = o->db_path;
    if (an_ctx_open(&m.c, d, &ro, out, 1, err, errlen) == 0 && ms_prepare(&m, o, err, errlen) == 0)
        rc = ms_write(&m, o, out, err, errlen);
    ms_free(&m);
    an_report_opts_free(&ro);
    return rc;
}
