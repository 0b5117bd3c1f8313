/*
 * cli_db.h -- opening a recording for the read-only commands (report,
 * export): symbolized first, once, when nobody else writes it.
 */
#ifndef CLI_DB_H
#define CLI_DB_H

#include "an_db.h"

/* Open path for reading.  When its frames are not symbolized yet, it is
 * not live and we may write it, symbolize it first (a failure is a
 * warning: frames then show addresses).  0, or -1 after a message. */
int cli_db_open(an_db_t *d, const char *path);

#endif
