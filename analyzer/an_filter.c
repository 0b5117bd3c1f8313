/* an_filter.c -- see an_filter.h. */
#include "an_filter.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const filter_opt[AN_FILTER_N] = {"--function", "--file", "--module"};

void an_filter_init(an_filter_t *f)
{
    memset(f, 0, sizeof *f);
    f->from_ns = 0;
    f->to_ns = -1;
}

void an_filter_free(an_filter_t *f)
{
    if (!f)
        return;
    for (int i = 0; i < AN_FILTER_N; i++) {
        if (f->has[i])
            regfree(&f->re[i]);
        f->has[i] = 0;
        an_map_free(&f->cache[i]);
    }
}

int an_filter_regex(an_filter_t *f, int field, const char *re, char *err, size_t errlen)
{
    char msg[256];
    if (field < 0 || field >= AN_FILTER_N)
        return -1;
    if (f->has[field]) {
        regfree(&f->re[field]);
        f->has[field] = 0;
    }
    int rc = regcomp(&f->re[field], re, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        regerror(rc, &f->re[field], msg, sizeof msg);
        snprintf(err, errlen, "bad %s regex '%s': %s", filter_opt[field], re, msg);
        return -1;
    }
    f->has[field] = 1;
    return 0;
}

int an_filter_time(an_filter_t *f, int is_to, const char *arg, char *err, size_t errlen)
{
    const char *opt = is_to ? "--to" : "--from";
    char *end = NULL;
    double s;
    if (!arg || !*arg) {
        snprintf(err, errlen, "%s needs a time in seconds or 'peak'", opt);
        return -1;
    }
    if (strcmp(arg, "peak") != 0) {
        errno = 0;
        s = strtod(arg, &end);
        if (errno || *end || !isfinite(s) || s < 0 || s > 1e9) {
            snprintf(err, errlen, "%s must be seconds since the start (e.g. 1.5) or 'peak', "
                     "not '%s'", opt, arg);
            return -1;
        }
    }
    if (is_to)
        f->to_arg = arg;
    else
        f->from_arg = arg;
    f->window = 1;
    return 0;
}

long long an_filter_peak_ns(an_db_t *d)
{
    long long ns = -1;
    char err[256];
    if (an_db_int64(d, "SELECT peak_ns FROM processes WHERE peak_ns IS NOT NULL "
                    "ORDER BY peak_heap_bytes DESC, peak_ns LIMIT 1", -1, &ns, err,
                    sizeof err) != 0)
        return -1;
    return ns;
}

static int filter_time_ns(an_db_t *d, const char *arg, long long *ns, char *err, size_t errlen)
{
    if (strcmp(arg, "peak") == 0) {
        *ns = an_filter_peak_ns(d);
        if (*ns < 0) {
            snprintf(err, errlen, "the recording has no heap peak to use as a time");
            return -1;
        }
        return 0;
    }
    *ns = (long long)llround(strtod(arg, NULL) * 1e9);
    return 0;
}

int an_filter_resolve(an_filter_t *f, an_db_t *d, char *err, size_t errlen)
{
    if (!f->window)
        return 0;
    f->from_ns = 0;
    f->to_ns = INT64_MAX;
    if (f->from_arg && filter_time_ns(d, f->from_arg, &f->from_ns, err, errlen) != 0)
        return -1;
    if (f->to_arg && filter_time_ns(d, f->to_arg, &f->to_ns, err, errlen) != 0)
        return -1;
    if (f->from_ns > f->to_ns) {
        snprintf(err, errlen, "--from (%.3f s) is after --to (%.3f s)", (double)f->from_ns / 1e9,
                 (double)f->to_ns / 1e9);
        return -1;
    }
    return 0;
}

int an_filter_any_regex(const an_filter_t *f)
{
    return f->has[0] || f->has[1] || f->has[2];
}

static int filter_match(an_filter_t *f, int field, const char *s)
{
    long long key = (long long)(uintptr_t)s;
    int v = an_map_get(&f->cache[field], key);
    if (v >= 0)
        return v;
    v = regexec(&f->re[field], s ? s : "", 0, NULL, 0) == 0;
    an_map_put(&f->cache[field], key, v); /* out of memory: just not cached */
    return v;
}

int an_filter_frame(an_filter_t *f, const an_tree_t *t, const an_xframe_t *x)
{
    if (f->has[AN_FILTER_FUNCTION] && !filter_match(f, AN_FILTER_FUNCTION, x->f.function))
        return 0;
    if (f->has[AN_FILTER_FILE] && !filter_match(f, AN_FILTER_FILE, x->f.file))
        return 0;
    if (f->has[AN_FILTER_MODULE] &&
        !filter_match(f, AN_FILTER_MODULE, x->module >= 0 ? t->mods[x->module].path : NULL))
        return 0;
    return 1;
}

int an_filter_stack(an_filter_t *f, const an_tree_t *t, const an_stackbuf_t *b)
{
    if (!an_filter_any_regex(f))
        return 1;
    for (int i = 0; i < b->n; i++)
        if (an_filter_frame(f, t, &b->v[i]))
            return 1;
    return 0;
}

int an_filter_in_window(const an_filter_t *f, long long alloc_ns)
{
    return !f->window || (alloc_ns >= f->from_ns && alloc_ns <= f->to_ns);
}
