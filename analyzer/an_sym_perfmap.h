/*
 * an_sym_perfmap.h -- names of JIT-compiled code from the perf map a JIT
 * writes for its process: /tmp/perf-<pid>.map, one "START SIZE name" line
 * per code region (hex, optional 0x).  Later lines win where regions overlap
 * (a JIT reusing memory appends the new code).
 */
#ifndef AN_SYM_PERFMAP_H
#define AN_SYM_PERFMAP_H

#include <stdint.h>

typedef struct an_sym_perfmap_s an_sym_perfmap_t;

/* The map of process pid (/tmp/perf-<pid>.map).  NULL when there is none,
 * when it is not a regular file owned by this user or root (anyone can
 * write to /tmp), or when out of memory. */
an_sym_perfmap_t *an_sym_perfmap_load(long pid);

/* Same, from an explicit path. */
an_sym_perfmap_t *an_sym_perfmap_load_path(const char *path);

/* Name of the region holding pc, NULL when none.  Valid until freed. */
const char *an_sym_perfmap_lookup(const an_sym_perfmap_t *m, uint64_t pc);

void an_sym_perfmap_free(an_sym_perfmap_t *m);

#endif
