/*
 * coll_env.c -- the environment the collector reads, checked before the
 * database is created:
 *
 *   HEAPQL_RING_MB, HEAPQL_DEPTH, HEAPQL_SAMPLE_RATE, HEAPQL_AGGREGATE
 *       settings the shim and `heapql collect` take from the environment.  The shim cannot print, so it would
 *       silently use its default for a malformed value; the collector
 *       refuses it instead, with one line naming the variable.
 *   HEAPQL_FAULT_DB_MAX_PAGES=N    a test hook (docs/RELIABILITY.md): the
 *       database may hold at most N times 64 KiB (PRAGMA max_page_count, in
 *       pages of COLL_DB_PAGE_SIZE), so a full disk can be had on demand.
 *       Unset or empty: no limit.
 */
#include "coll_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "hq_sample.h"

#define ENV_RING_MB_MAX 1024u
#define ENV_FAULT_PAGES "HEAPQL_FAULT_DB_MAX_PAGES"
#define ENV_FAULT_UNIT 65536u            /* the hook counts in 64 KiB */
#define ENV_FAULT_PAGES_MAX (2147483647ull / (ENV_FAULT_UNIT / COLL_DB_PAGE_SIZE)) /* SQLite's */

/* A whole decimal number in [min, max]: 0 and *out set, else -1. */
static int env_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > max)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Printable excerpt of a hostile value for the message. */
static const char *env_shown(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++)
        buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    buf[i] = '\0';
    return buf;
}

int coll_env_check(coll_t *c)
{
    const char *ring = getenv(HQ_ENV_RING_MB), *depth = getenv(HQ_ENV_DEPTH);
    const char *pages = getenv(ENV_FAULT_PAGES);
    const char *rate = getenv(HQ_ENV_SAMPLE_RATE), *aggr = getenv(HQ_ENV_AGGREGATE);
    char shown[48];
    uint64_t v;
    if (ring && *ring && (env_number(ring, 1, ENV_RING_MB_MAX, &v) != 0 || (v & (v - 1))))
        return coll_fail(c, "%s must be a power of two from 1 to %u (MiB), not '%s'",
                         HQ_ENV_RING_MB, ENV_RING_MB_MAX, env_shown(ring, shown, sizeof shown));
    if (depth && *depth && env_number(depth, 1, HQ_DEPTH_MAX, &v) != 0)
        return coll_fail(c, "%s must be a whole number from 1 to %u, not '%s'", HQ_ENV_DEPTH,
                         HQ_DEPTH_MAX, env_shown(depth, shown, sizeof shown));
    if (rate && *rate && env_number(rate, 0, HQ_SAMPLE_RATE_MAX, &v) != 0)
        return coll_fail(c, "%s must be a whole number of bytes from 0 (every allocation) to "
                         "%llu, not '%s'", HQ_ENV_SAMPLE_RATE, HQ_SAMPLE_RATE_MAX,
                         env_shown(rate, shown, sizeof shown));
    if (aggr && *aggr && env_number(aggr, 0, 1, &v) != 0)
        return coll_fail(c, "%s must be 0 or 1, not '%s'", HQ_ENV_AGGREGATE,
                         env_shown(aggr, shown, sizeof shown));
    if (pages && *pages && env_number(pages, 1, ENV_FAULT_PAGES_MAX, &v) != 0)
        return coll_fail(c, "%s must be a whole number of pages from 1 to %llu, not '%s'",
                         ENV_FAULT_PAGES, ENV_FAULT_PAGES_MAX, env_shown(pages, shown, sizeof shown));
    return 0;
}

int coll_env_db_faults(coll_t *c)
{
    const char *pages = getenv(ENV_FAULT_PAGES);
    char sql[64];
    uint64_t v;
    if (!pages || !*pages || env_number(pages, 1, ENV_FAULT_PAGES_MAX, &v) != 0)
        return 0;
    snprintf(sql, sizeof sql, "PRAGMA max_page_count=%llu",
             (unsigned long long)v * (ENV_FAULT_UNIT / COLL_DB_PAGE_SIZE));
    return coll_db_exec(c, sql);
}
