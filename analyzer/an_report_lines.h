/*
 * an_report_lines.h -- internal to `report lines`: attribution of figures
 * to source lines (an_report_lines.c) and the listing (an_report_linesout.c).
 *
 * A line's figures come from every frame whose location is that file:line,
 * inline chains expanded.  Self: the frames of the innermost physical frame
 * (the code that called the allocator, including code inlined into it).
 * Inclusive: every frame of the stack, each allocation counted once per
 * line even when recursion repeats the line.
 */
#ifndef AN_REPORT_LINES_H
#define AN_REPORT_LINES_H

#include "an_report_int.h"

typedef struct lines_fig_s {
    long long allocs, bytes, peak, leaked;
} lines_fig_t;

typedef struct lines_file_s {
    const char *file;     /* pooled path as recorded */
    int lo, hi;           /* lowest and highest line attributed to the target */
    int max;              /* size of fig - 1 */
    lines_fig_t *fig;     /* [max + 1], by line */
    int *seen;            /* [max + 1]: last leaf credited, per line */
    int seen_leaf;        /* last leaf credited to the total */
    int has;              /* some line has figures */
    lines_fig_t total;
} lines_file_t;

typedef struct lines_s {
    const char *target;
    int by_function;      /* 1: target names a function; 0: a file */
    lines_file_t *files;
    size_t n_files;
} lines_t;

/* Find the target among the frames and attribute every stack.  -1 with err
 * when nothing is named so. */
int an_lines_collect(an_ctx_t *c, lines_t *l, char *err, size_t errlen);
void an_lines_free(lines_t *l);
int an_lines_write(an_ctx_t *c, lines_t *l, char *err, size_t errlen);

/* 1 when the demangled name fn is target: "foo" names "foo", "ns::foo",
 * "foo(int)" and "A::foo(int) const". */
int an_lines_name_match(const char *fn, const char *target);

#endif
