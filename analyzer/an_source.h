/*
 * an_source.h -- the text of a recorded source file, for the line views
 * (`report lines`, the TUI's Source view).
 */
#ifndef AN_SOURCE_H
#define AN_SOURCE_H

#include <stddef.h>

#include "an_db.h"

#define AN_SOURCE_MAX_BYTES (64 << 20)

/* The whole of file, NUL-terminated (malloc'd), read from the path the
 * debug information recorded or, for a relative one not found as it is,
 * against meta 'cwd'.  NULL when it is missing, unreadable or larger than
 * AN_SOURCE_MAX_BYTES.  path (may be NULL) receives the path read ("" when
 * none). */
char *an_source_read(an_db_t *d, const char *file, char *path, size_t pathlen);

#endif
