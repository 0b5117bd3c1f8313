/*
 * an_report_supp.h -- which leaks not to report.
 *
 * User suppressions, in LeakSanitizer's format: one `leak:PATTERN` per
 * line, '#' comments and blank lines ignored.  PATTERN is matched like
 * LSan's TemplateMatch against the function, file and module path of every
 * frame: '*' matches any run of characters, a leading '^' and a trailing
 * '$' anchor, otherwise it may match anywhere.
 *
 * Runtime one-time allocations, suppressed by default (an_supp_runtime):
 *   - made by the dynamic loader itself (innermost frame in ld.so: link
 *     maps, dynamic TLS, dlopen bookkeeping);
 *   - made while the loader initialises system libraries (a frame in ld.so
 *     and only system-library frames inside it: libstdc++'s emergency
 *     exception pool, iostream init, libc's early init);
 *   - made by known one-time caches of the C and C++ runtimes, matched by
 *     function name anywhere on the stack (stdio buffers, locale, iconv,
 *     time zone, atexit lists, NSS, dlerror, __gnu_cxx::__freeres).
 */
#ifndef AN_REPORT_SUPP_H
#define AN_REPORT_SUPP_H

#include <stddef.h>

#include "an_report_tree.h"

typedef struct an_supp_s {
    char **patterns;
    int *lines;     /* line in the file, for messages */
    size_t n, cap;
    char path[512];
} an_supp_t;

/* Read a suppression file.  -1 with err "FILE:LINE: ..." on a bad line or
 * an unreadable file. */
int an_supp_load(an_supp_t *s, const char *path, char *err, size_t errlen);
void an_supp_free(an_supp_t *s);

/* Index of the first pattern matching a frame of the stack, or -1. */
int an_supp_match(const an_supp_t *s, const an_tree_t *t, const an_stackbuf_t *b);

/* Why the stack is a runtime one-time allocation ("dynamic loader", ...),
 * or NULL when it is not. */
const char *an_supp_runtime(const an_tree_t *t, const an_stackbuf_t *b);
/* The same, remembering per function name (t's pooled strings) whether it
 * is a runtime cache's: for many stacks (report leaks).  Free memo with
 * an_map_free. */
const char *an_supp_runtime_memo(const an_tree_t *t, const an_stackbuf_t *b, an_map_t *memo);

/* LSan's TemplateMatch: 1 when templ matches str. */
int an_supp_template(const char *templ, const char *str);

#endif
