/*
 * an_sym_file.h -- one binary on disk opened for symbol lookups: checked
 * against the build-id recorded for it, reported to libdwfl at address 0 (so
 * module addresses are the recorded rel_pc), with its debug info found by
 * dwfl_standard_find_debuginfo (/usr/lib/debug/.build-id, .gnu_debuglink,
 * and debuginfod when DEBUGINFOD_URLS is set).
 */
#ifndef AN_SYM_FILE_H
#define AN_SYM_FILE_H

#include <stdint.h>

#include "an_sym_result.h"

typedef struct an_sym_file_s an_sym_file_t;

/* Open path, expected to carry build_id (lowercase hex; NULL: not checked).
 * Returns NULL only when out of memory; otherwise a file whose status says
 * whether lookups can be made (an_sym_file_usable). */
an_sym_file_t *an_sym_file_open(const char *path, const char *build_id);

/* 1 when status is 'ok' or 'symtab'. */
int an_sym_file_usable(const an_sym_file_t *f);

/* What the symbolization table records: status ('ok', 'symtab', 'missing',
 * 'mismatch', 'unreadable'), where the debug info came from (NULL: none),
 * and a one-line message (NULL: nothing to say). */
const char *an_sym_file_status(const an_sym_file_t *f);
const char *an_sym_file_debug_file(const an_sym_file_t *f);
const char *an_sym_file_message(const an_sym_file_t *f);

/* 1 when f was opened for this path and build-id. */
int an_sym_file_is(const an_sym_file_t *f, const char *path, const char *build_id);

/* Resolve the module address addr (a return address minus one) into r.
 * Strings in r live as long as f (r->owned until an_sym_result_clear). */
void an_sym_file_lookup(an_sym_file_t *f, uint64_t addr, an_sym_result_t *r);

void an_sym_file_close(an_sym_file_t *f);

#endif
