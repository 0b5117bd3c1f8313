/* test_tui_fixture.h -- the report fixture (test_report_fixture.h: one
 * process, 8 stacks, exactly known figures) opened the way the TUI's
 * workers open it, plus small helpers for the TUI model tests. */
#ifndef TEST_TUI_FIXTURE_H
#define TEST_TUI_FIXTURE_H

#include "test_report_fixture.h"
#include "tui_model.h"

/* A fresh fixture at dir/name; 0 ok. */
static __attribute__((unused)) int tx_make(const char *dir, const char *name, char *path,
                                           size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    return fx_create(path);
}

static __attribute__((unused)) int tx_open(const char *path, an_db_t *d)
{
    char err[256];
    if (an_db_open(d, path, AN_DB_READ, err, sizeof err) != 0) {
        fprintf(stderr, "open %s: %s\n", path, err);
        return -1;
    }
    return 0;
}

/* The snapshot of the fixture (window when to_ns > 0). */
static __attribute__((unused)) tui_snap_t *tx_snap(const char *path, long long from_ns,
                                                   long long to_ns)
{
    an_db_t d;
    tui_snap_t *s = NULL;
    tui_snap_req_t r = {to_ns > 0, from_ns, to_ns};
    char err[256];
    if (tx_open(path, &d) != 0)
        return NULL;
    if (tui_snap_build(&d, &r, &s, err, sizeof err) != 0)
        fprintf(stderr, "snapshot: %s\n", err);
    an_db_close(&d);
    return s;
}

/* The site of callsite id cs in the snapshot, NULL when absent. */
static __attribute__((unused)) const tui_site_t *tx_site(const tui_snap_t *s, long long cs)
{
    for (size_t i = 0; i < s->nsites; i++)
        if (s->sites[i].callsite == cs)
            return &s->sites[i];
    return NULL;
}

/* The kid of node named function (NULL: keyed by frame), -1 when none. */
static __attribute__((unused)) int tx_kid(const tui_ctree_t *t, int node, const char *function)
{
    for (int k = 0; k < t->n[node].nkids; k++) {
        int i = t->kids[t->n[node].kid0 + k];
        const char *f = t->n[i].function;
        if ((!f && !function) || (f && function && !strcmp(f, function)))
            return i;
    }
    return -1;
}

#endif
