/* tui_model_state.c -- the recording's state, read cheaply enough to poll
 * once a second while the collector writes (see tui_model.h). */
#include "tui_model.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int state_alive(an_db_t *d)
{
    char buf[32];
    an_db_meta(d, "collector_pid", buf, sizeof buf);
    long pid = atol(buf);
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int tui_state_read(an_db_t *d, tui_state_t *s, char *err, size_t errlen)
{
    char buf[32];
    memset(s, 0, sizeof *s);
    an_db_meta(d, "status", s->status, sizeof s->status);
    an_db_meta(d, "truncated_reason", s->reason, sizeof s->reason);
    an_db_meta(d, "symbolized", buf, sizeof buf);
    s->symbolized = atoi(buf) == 1;
    an_db_meta(d, "sample_rate", buf, sizeof buf);
    s->sample_rate = atoll(buf);
    an_db_meta(d, "aggregate", buf, sizeof buf);
    s->aggregate = atoi(buf) == 1;
    if (!strcmp(s->status, "recording")) {
        s->live = state_alive(d);
        s->crashed = !s->live;
    }
    /* max(rowid) is a b-tree edge: instant on any table size */
    if (an_db_int64(d, "SELECT max(id) FROM allocations", 0, &s->max_id, err, errlen) != 0 ||
        an_db_int64(d, "SELECT max(rowid) FROM samples", 0, &s->samples, err, errlen) != 0)
        return -1;
    return 0;
}

int tui_state_changed(const tui_state_t *a, const tui_state_t *b)
{
    return strcmp(a->status, b->status) != 0 || a->live != b->live ||
           a->symbolized != b->symbolized || a->max_id != b->max_id;
}
