/*
 * an_frag_select.c -- which process image and which moment (see
 * an_frag_select in an_frag_model.h).  An image is a processes row; its
 * allocations are those of its pid with start_ns <= alloc_ns <= end.
 */
#include "an_frag_int.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef struct sel_img_s {
    long long id, start, end, peak;
    int end_known, peak_known;
    char exe[512];
} sel_img_t;

static int sel_fail(an_db_t *db, char *err, size_t len)
{
    snprintf(err, len, "database error: %s", sqlite3_errmsg(db->db));
    return -1;
}

static int sel_root_pid(an_db_t *db, long long *pid, char *err, size_t len)
{
    if (an_db_int64(db, "SELECT pid FROM processes ORDER BY start_ns, id LIMIT 1", -1, pid,
                    err, len) != 0)
        return -1;
    if (*pid < 0) {
        snprintf(err, len, "the recording has no process");
        return -1;
    }
    return 0;
}

static void sel_row(sqlite3_stmt *st, sel_img_t *im)
{
    const unsigned char *exe = sqlite3_column_text(st, 4);
    im->id = sqlite3_column_int64(st, 0);
    im->start = sqlite3_column_int64(st, 1);
    im->end_known = sqlite3_column_type(st, 2) != SQLITE_NULL;
    im->end = sqlite3_column_int64(st, 2);
    im->peak_known = sqlite3_column_type(st, 3) != SQLITE_NULL;
    im->peak = sqlite3_column_int64(st, 3);
    snprintf(im->exe, sizeof im->exe, "%s", exe ? (const char *)exe : "");
}

/* Images of pid, by start; at most max.  -1 on a database error. */
static int sel_images(an_db_t *db, long long pid, sel_img_t *v, int max, char *err, size_t len)
{
    sqlite3_stmt *st = NULL;
    int n = 0, rc;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT id, start_ns, end_ns, peak_ns, exe FROM processes "
                           "WHERE pid = ?1 ORDER BY start_ns, id", -1, &st, NULL) != SQLITE_OK)
        return sel_fail(db, err, len);
    sqlite3_bind_int64(st, 1, pid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (n < max)
            sel_row(st, &v[n++]);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sel_fail(db, err, len);
    return n;
}

/* One integer from sql with ?1 pid, ?2 start, ?3 end. */
static int sel_int(an_db_t *db, const char *sql, long long pid, long long a, long long b,
                   long long fallback, long long *out, char *err, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *out = fallback;
    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sel_fail(db, err, len);
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, a);
    sqlite3_bind_int64(st, 3, b);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sel_fail(db, err, len);
}

/* An image still running when the recording stopped ends at its last event. */
static int sel_end(an_db_t *db, long long pid, sel_img_t *im, long long next_start, char *err,
                   size_t len)
{
    long long last = im->start;
    if (im->end_known)
        return 0;
    if (sel_int(db,
                "SELECT max(x) FROM (SELECT max(alloc_ns) AS x FROM allocations "
                "WHERE pid = ?1 AND alloc_ns BETWEEN ?2 AND ?3 UNION ALL "
                "SELECT max(free_ns) FROM allocations "
                "WHERE pid = ?1 AND alloc_ns BETWEEN ?2 AND ?3 UNION ALL "
                "SELECT max(ns) FROM samples WHERE pid = ?1 AND ns BETWEEN ?2 AND ?3)",
                pid, im->start, next_start > LLONG_MIN ? next_start - 1 : next_start, im->start,
                &last, err, len) != 0)
        return -1;
    im->end = last > im->start ? last : im->start;
    return 0;
}

static int sel_has_allocs(an_db_t *db, long long pid, const sel_img_t *im, int *yes,
                          char *err, size_t len)
{
    long long n = 0;
    if (sel_int(db,
                "SELECT EXISTS (SELECT 1 FROM allocations WHERE pid = ?1 "
                "AND alloc_ns BETWEEN ?2 AND ?3)", pid, im->start, im->end, 0, &n, err,
                len) != 0)
        return -1;
    *yes = n != 0;
    return 0;
}

/* The peak time; from the samples when the recording did not write it. */
static int sel_peak(an_db_t *db, long long pid, sel_img_t *im, char *err, size_t len)
{
    if (im->peak_known)
        return 0;
    if (sel_int(db,
                "SELECT ns FROM samples WHERE pid = ?1 AND ns BETWEEN ?2 AND ?3 "
                "ORDER BY heap_bytes DESC, ns LIMIT 1", pid, im->start, im->end, -1, &im->peak,
                err, len) != 0)
        return -1;
    im->peak_known = im->peak >= 0;
    return 0;
}

#define SEL_MAX_IMAGES 64

/* *chosen: the image containing at_ns, or the first that allocated; -1. */
static int sel_pick(an_db_t *db, an_frag_sel_t *sel, sel_img_t *v, int n, int *chosen,
                    char *err, size_t len)
{
    *chosen = -1;
    for (int i = 0; i < n; i++) {
        long long next = i + 1 < n ? v[i + 1].start : (1ll << 62);
        int yes = 0;
        if (sel_end(db, sel->pid, &v[i], next, err, len) != 0)
            return -1;
        if (sel->when == AN_FRAG_AT_NS) {
            if (sel->at_ns >= v[i].start && sel->at_ns <= v[i].end)
                *chosen = i;
            continue;
        }
        if (*chosen < 0 && sel_has_allocs(db, sel->pid, &v[i], &yes, err, len) != 0)
            return -1;
        if (*chosen < 0 && yes)
            *chosen = i;
    }
    return 0;
}

static void sel_fill(an_frag_sel_t *sel, const sel_img_t *im, int n)
{
    sel->proc_id = im->id;
    sel->start_ns = im->start;
    sel->end_ns = im->end;
    sel->peak_ns = im->peak_known ? im->peak : -1;
    sel->images = n;
    snprintf(sel->exe, sizeof sel->exe, "%s", im->exe);
    an_label_clean(sel->exe); /* printed in the heading */
}

static int sel_outside(const an_frag_sel_t *sel, const sel_img_t *v, int n, char *err,
                       size_t len)
{
    snprintf(err, len,
             "--at %.3f s is outside the run: pid %lld was recorded from %.3f s to %.3f s",
             (double)sel->at_ns / 1e9, sel->pid, (double)v[0].start / 1e9,
             (double)v[n - 1].end / 1e9);
    return -1;
}

static int sel_moment(an_db_t *db, an_frag_sel_t *sel, sel_img_t *im, char *err, size_t len)
{
    int yes = 0;
    if (sel_has_allocs(db, sel->pid, im, &yes, err, len) != 0)
        return -1;
    if (!yes) {
        snprintf(err, len, "pid %lld recorded no allocations%s", sel->pid,
                 sel->when == AN_FRAG_AT_NS ? " in the image running at that moment" : "");
        return -1;
    }
    if (sel->when == AN_FRAG_AT_PEAK && sel_peak(db, sel->pid, im, err, len) != 0)
        return -1;
    if (sel->when == AN_FRAG_AT_PEAK && !im->peak_known) {
        snprintf(err, len, "pid %lld has no recorded peak: use --at SECONDS or --at end",
                 sel->pid);
        return -1;
    }
    sel->t_ns = sel->when == AN_FRAG_AT_PEAK ? im->peak
              : sel->when == AN_FRAG_AT_END  ? im->end : sel->at_ns;
    return 0;
}

int an_frag_select(an_db_t *db, an_frag_sel_t *sel, char *err, size_t len)
{
    sel_img_t v[SEL_MAX_IMAGES];
    int n, i;
    if (sel->pid < 0 && sel_root_pid(db, &sel->pid, err, len) != 0)
        return -1;
    if ((n = sel_images(db, sel->pid, v, SEL_MAX_IMAGES, err, len)) < 0)
        return -1;
    if (n == 0) {
        snprintf(err, len, "no process with pid %lld in this recording", sel->pid);
        return -1;
    }
    if (sel_pick(db, sel, v, n, &i, err, len) != 0)
        return -1;
    if (i < 0 && sel->when == AN_FRAG_AT_NS)
        return sel_outside(sel, v, n, err, len);
    if (i < 0)
        i = 0;
    if (sel_moment(db, sel, &v[i], err, len) != 0)
        return -1;
    if (v[i].start < 0 || v[i].end < v[i].start || v[i].end > AN_DB_MAX_NS || sel->t_ns < 0 ||
        sel->t_ns > AN_DB_MAX_NS) {
        snprintf(err, len, "process image %lld has an impossible start, end or peak time "
                 "(damaged database)", v[i].id);
        return -1;
    }
    sel_fill(sel, &v[i], n);
    return 0;
}
