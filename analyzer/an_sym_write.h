/*
 * an_sym_write.h -- the symbolizer's writes: frames' symbol columns,
 * frame_inlines, the symbolization table and meta 'symbolized', through
 * statements prepared once.  The caller owns the transaction.
 */
#ifndef AN_SYM_WRITE_H
#define AN_SYM_WRITE_H

#include <stddef.h>
#include <sqlite3.h>

#include "an_sym_result.h"

typedef struct an_sym_writer_s {
    sqlite3 *db;
    sqlite3_stmt *frame;
    sqlite3_stmt *inl;
    sqlite3_stmt *status;
} an_sym_writer_t;

int an_sym_writer_open(an_sym_writer_t *w, sqlite3 *db, char *err, size_t errlen);
void an_sym_writer_close(an_sym_writer_t *w);

/* Store r for frame frame_id: the innermost location in frames (inlined = 1
 * when r has a chain), the chain in frame_inlines (depth 0 outermost).
 * r->n = 0 writes nothing. */
int an_sym_write_frame(an_sym_writer_t *w, long long frame_id, const an_sym_result_t *r,
                       char *err, size_t errlen);

/* One row of the symbolization table (debug_file, message may be NULL). */
int an_sym_write_status(an_sym_writer_t *w, long long module_id, const char *status,
                        const char *debug_file, const char *message, char *err, size_t errlen);

/* meta 'symbolized' = 1. */
int an_sym_write_done(an_sym_writer_t *w, char *err, size_t errlen);

#endif
