/*
 * an_sym_jit.h -- names for frames outside every module (module_id NULL:
 * JIT-compiled code) from the perf maps of the processes that used them.
 */
#ifndef AN_SYM_JIT_H
#define AN_SYM_JIT_H

#include <stddef.h>

#include "an_sym.h"
#include "an_sym_write.h"

/* Resolve every frame with module_id NULL whose process left a perf map
 * (an_sym_perfmap.h), writing through w; adds to stats->resolved.
 * Returns 0, or -1 on a database error (err set). */
int an_sym_jit_run(an_sym_writer_t *w, an_sym_stats_t *stats, char *err, size_t errlen);

#endif
