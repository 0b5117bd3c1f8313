/*
 * an_stack.h -- a callsite's stack as symbolized frames, innermost first.
 * Inlined frames (frame_inlines) come out as frames of their own, the
 * innermost inlined function first, each flagged inlined.
 */
#ifndef AN_STACK_H
#define AN_STACK_H

#include "an_db.h"

typedef struct an_frame_s {
    long long frame_id;
    const char *function; /* NULL when unknown */
    const char *file;     /* NULL when unknown */
    int line;             /* 0 when unknown */
    const char *module;   /* module path, NULL when the pc is in no module */
    unsigned long long rel_pc;
    int inlined;          /* 1: inlined into the next frame outwards */
} an_frame_t;

/* Calls fn for each frame of callsite_id, innermost first, until fn returns
 * non-zero.  Strings are valid only during the call.  Returns 0, or -1 on a
 * database error or a cycle in callsites (err set). */
int an_stack_walk(an_db_t *d, long long callsite_id,
                  int (*fn)(const an_frame_t *f, void *arg), void *arg,
                  char *err, size_t errlen);

/* "function (file:line)" or "module+0xrel_pc" into buf, control characters
 * made '?' (an_label_clean). */
const char *an_frame_label(const an_frame_t *f, char *buf, size_t len);

/* Control characters in s become '?': names from a (possibly hostile) file
 * never put terminal escapes on the user's screen.  Returns s. */
char *an_label_clean(char *s);

#endif
