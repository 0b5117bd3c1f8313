/*
 * cli_db.c -- opening a recording for the read-only commands (cli_db.h).
 */
#include <unistd.h>

#include "an_sym.h"
#include "cli.h"
#include "cli_db.h"

int cli_db_open(an_db_t *d, const char *path)
{
    char err[1024];
    an_sym_stats_t st;
    if (an_db_open(d, path, AN_DB_READ, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    if (d->symbolized || d->live || access(path, W_OK) != 0)
        return 0;
    an_db_close(d);
    if (an_sym_run(path, 1, &st, err, sizeof err) != 0)
        cli_error("warning: symbolization failed: %s (frames show addresses)", err);
    if (an_db_open(d, path, AN_DB_READ, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    return 0;
}
