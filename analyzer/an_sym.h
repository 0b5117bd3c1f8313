/*
 * an_sym.h -- offline symbolization: fills frames.function/file/line/inlined,
 * frame_inlines and the symbolization table from the binaries and debug
 * files on disk (libdw), then sets meta 'symbolized' = 1.  Runs once per
 * database; a second call on a symbolized database does nothing.
 */
#ifndef AN_SYM_H
#define AN_SYM_H

#include <stddef.h>

typedef struct an_sym_stats_s {
    long long frames;        /* frames looked up */
    long long resolved;      /* with a function name */
    long long with_line;     /* with file and line */
    long long modules;
    long long modules_bad;   /* missing, unreadable or build-id mismatch */
} an_sym_stats_t;

/* Symbolize the database at path (opened for writing).  progress = 1 shows
 * progress on stderr when it is a terminal.  Returns 0 (also when there was
 * nothing to do), -1 with err set. */
int an_sym_run(const char *path, int progress, an_sym_stats_t *stats, char *err, size_t errlen);

#endif
