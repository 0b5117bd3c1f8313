/*
 * an_sym_result.h -- what one code address resolved to: its inline chain,
 * outermost (the real function) first, the location of the address itself
 * last.  Shared by the symbolizer's lookup (an_sym_file, an_sym_cu) and its
 * writer (an_sym_write).
 */
#ifndef AN_SYM_RESULT_H
#define AN_SYM_RESULT_H

#define AN_SYM_MAX_INLINE 64

typedef struct an_sym_loc_s {
    const char *function; /* NULL: unknown */
    const char *file;     /* NULL: unknown */
    int line;             /* 0: unknown */
} an_sym_loc_t;

/* n = 0: nothing known.  n > 1: loc[0] is the real function, its file:line
 * the call site of loc[1]; loc[n-1] is the innermost inlined function at
 * the address.  Strings stay valid until the next lookup in the same file
 * (or an_sym_result_clear). */
typedef struct an_sym_result_s {
    an_sym_loc_t loc[AN_SYM_MAX_INLINE];
    int n;
    char *owned; /* storage of a name that belongs to this result only */
} an_sym_result_t;

/* Empty r, freeing what it owned. */
void an_sym_result_clear(an_sym_result_t *r);

#endif
