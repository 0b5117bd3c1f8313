/*
 * an_filter.h -- the filters every report shares:
 *   --function REGEX, --file REGEX, --module REGEX  (POSIX extended regex,
 *       searched anywhere in the name; the module is its full path)
 *   --from S, --to S  time window in seconds since the run started, or
 *       "peak" (the peak of the process image with the highest peak).
 * A frame matches when it matches every regex given; a stack matches when
 * one of its frames does.  Regex results are cached per pooled string, so a
 * report pays one regexec per distinct name, not per frame.
 */
#ifndef AN_FILTER_H
#define AN_FILTER_H

#include <regex.h>
#include <stddef.h>

#include "an_db.h"
#include "an_report_tree.h"

enum an_filter_field { AN_FILTER_FUNCTION = 0, AN_FILTER_FILE, AN_FILTER_MODULE, AN_FILTER_N };

typedef struct an_filter_s {
    regex_t re[AN_FILTER_N];
    int has[AN_FILTER_N];
    an_map_t cache[AN_FILTER_N];  /* pooled string address -> 0/1 */
    /* time window: the raw arguments until an_filter_resolve */
    const char *from_arg, *to_arg;
    long long from_ns, to_ns;     /* inclusive bounds on alloc_ns once resolved */
    int window;                   /* 1: --from or --to given */
} an_filter_t;

void an_filter_init(an_filter_t *f);
void an_filter_free(an_filter_t *f);

/* Compile a regex for field; -1 with err "bad --function regex ...". */
int an_filter_regex(an_filter_t *f, int field, const char *re, char *err, size_t errlen);

/* Record --from / --to ("12.5" or "peak"); -1 with err when malformed. */
int an_filter_time(an_filter_t *f, int is_to, const char *arg, char *err, size_t errlen);

/* Turn the window into nanoseconds with the database ("peak").  -1 with err
 * when the recording has no peak or from > to. */
int an_filter_resolve(an_filter_t *f, an_db_t *d, char *err, size_t errlen);

int an_filter_any_regex(const an_filter_t *f);

/* 1 when the frame matches every regex given (1 when none is given). */
int an_filter_frame(an_filter_t *f, const an_tree_t *t, const an_xframe_t *x);

/* 1 when some frame of the expanded stack matches (1 when no regex). */
int an_filter_stack(an_filter_t *f, const an_tree_t *t, const an_stackbuf_t *b);

/* 1 when alloc_ns lies in the window (1 without one). */
int an_filter_in_window(const an_filter_t *f, long long alloc_ns);

/* Nanoseconds of the highest process peak; -1 when there is none. */
long long an_filter_peak_ns(an_db_t *d);

#endif
