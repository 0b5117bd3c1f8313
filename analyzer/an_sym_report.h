/*
 * an_sym_report.h -- the modules symbolization could not fully use, from
 * the symbolization table: what `heapql symbolize` lists after its summary.
 */
#ifndef AN_SYM_REPORT_H
#define AN_SYM_REPORT_H

#include <stddef.h>

#include "an_db.h"

typedef struct an_sym_problem_s {
    const char *status;  /* symtab, missing, mismatch, unreadable */
    const char *path;
    const char *message; /* may be NULL */
    long long modules;   /* module rows (one per process) sharing it */
} an_sym_problem_t;

/* fn for each binary whose status is not 'ok', by status then path, until
 * fn returns non-zero.  Strings live during the call.  0, or -1 (err set). */
int an_sym_problems(an_db_t *d, int (*fn)(const an_sym_problem_t *p, void *arg), void *arg,
                    char *err, size_t errlen);

#endif
