/* an_report_supp.c -- leak suppressions (see an_report_supp.h). */
#include "an_report_supp.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One-time caches of the C and C++ runtimes: a frame in a system library
 * whose function matches (TemplateMatch syntax). */
static const struct {
    const char *pattern, *reason;
} supp_runtime_funcs[] = {
    {"_IO_file_doallocate", "stdio buffer"},
    {"__tls_get_addr", "thread-local storage"},
    {"_dl_allocate_tls", "thread-local storage"},
    {"__gnu_cxx::__freeres", "libstdc++ emergency exception pool"},
    {"_GLOBAL__sub_I_eh_alloc.cc", "libstdc++ emergency exception pool"},
    {"setlocale", "locale data"},
    {"^_nl_", "locale data"},
    {"^__gconv", "iconv modules"},
    {"tzset", "time zone data"},
    {"__tzfile_read", "time zone data"},
    {"__new_exitfn", "atexit list"},
    {"^__nss_", "NSS modules"},
    {"^nss_", "NSS modules"},
    {"_dlerror_run", "dlerror state"},
    {"__libc_dlopen_mode", "dynamic loading"},
    {"__libc_early_init", "libc initialisation"},
};

int an_supp_template(const char *templ, const char *str)
{
    int start = 0, asterisk = 0;
    if (!str || !*str || !templ)
        return 0;
    if (*templ == '^') {
        start = 1;
        templ++;
    }
    while (*templ) {
        if (*templ == '*') {
            templ++;
            start = 0;
            asterisk = 1;
            continue;
        }
        if (*templ == '$')
            return *str == '\0' || asterisk;
        size_t seg = strcspn(templ, "*$"), len = strlen(str);
        const char *spos;
        if (templ[seg] == '$' && templ[seg + 1] == '\0') /* anchored at the end */
            spos = len >= seg && !memcmp(str + len - seg, templ, seg) ? str + len - seg : NULL;
        else
            spos = memmem(str, len, templ, seg);
        if (!spos || (start && spos != str))
            return 0;
        str = spos + seg;
        templ += seg;
        start = asterisk = 0;
    }
    return 1;
}

static char *supp_trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int supp_add(an_supp_t *s, const char *pattern, int line)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **p = realloc(s->patterns, cap * sizeof *p);
        if (!p)
            return -1;
        s->patterns = p;
        int *l = realloc(s->lines, cap * sizeof *l);
        if (!l)
            return -1;
        s->lines = l;
        s->cap = cap;
    }
    if (!(s->patterns[s->n] = strdup(pattern)))
        return -1;
    s->lines[s->n++] = line;
    return 0;
}

static int supp_line(an_supp_t *s, char *raw, int line, char *err, size_t errlen)
{
    char *l = supp_trim(raw);
    if (!*l || *l == '#')
        return 0;
    if (strncmp(l, "leak:", 5) != 0) {
        snprintf(err, errlen, "%s:%d: expected 'leak:PATTERN', not '%.60s'", s->path, line, l);
        return -1;
    }
    l = supp_trim(l + 5);
    if (!*l) {
        snprintf(err, errlen, "%s:%d: empty pattern after 'leak:'", s->path, line);
        return -1;
    }
    if (supp_add(s, l, line) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int an_supp_load(an_supp_t *s, const char *path, char *err, size_t errlen)
{
    char buf[4096];
    int line = 0, rc = 0;
    FILE *f;
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", path);
    if (!(f = fopen(path, "r"))) {
        snprintf(err, errlen, "cannot read suppressions %s: %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && fgets(buf, sizeof buf, f)) {
        line++;
        if (!strchr(buf, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", path, line);
            rc = -1;
        } else {
            rc = supp_line(s, buf, line, err, errlen);
        }
    }
    fclose(f);
    if (rc != 0)
        an_supp_free(s);
    return rc;
}

void an_supp_free(an_supp_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->patterns[i]);
    free(s->patterns);
    free(s->lines);
    s->patterns = NULL;
    s->lines = NULL;
    s->n = s->cap = 0;
}

int an_supp_match(const an_supp_t *s, const an_tree_t *t, const an_stackbuf_t *b)
{
    for (size_t p = 0; p < s->n; p++)
        for (int i = 0; i < b->n; i++) {
            const an_xframe_t *x = &b->v[i];
            if (an_supp_template(s->patterns[p], x->f.function) ||
                an_supp_template(s->patterns[p], x->f.file) ||
                (x->module >= 0 && an_supp_template(s->patterns[p], t->mods[x->module].path)))
                return (int)p;
        }
    return -1;
}

static unsigned frame_mod_flags(const an_tree_t *t, const an_xframe_t *x)
{
    return x->module >= 0 ? t->mods[x->module].flags : 0;
}

/* A loader frame with only system-library frames inside it. */
static int supp_loader_init(const an_tree_t *t, const an_stackbuf_t *b)
{
    for (int i = 0; i < b->n; i++) {
        unsigned fl = frame_mod_flags(t, &b->v[i]);
        if (fl & AN_MOD_LOADER)
            return 1;
        if (!(fl & AN_MOD_SYSTEM))
            return 0;
    }
    return 0;
}

/* Index of the runtime pattern function matches, -1: none; remembered per
 * pooled name in memo (may be NULL). */
static int supp_runtime_func(const char *function, an_map_t *memo)
{
    long long key = (long long)(intptr_t)function;
    int k = memo ? an_map_get(memo, key) : -1;
    if (k >= 0)
        return k - 1;
    for (size_t i = 0; i < sizeof supp_runtime_funcs / sizeof supp_runtime_funcs[0]; i++)
        if (an_supp_template(supp_runtime_funcs[i].pattern, function)) {
            k = (int)i;
            break;
        }
    if (memo)
        an_map_put(memo, key, k + 1); /* out of memory: not remembered, that is all */
    return k;
}

const char *an_supp_runtime(const an_tree_t *t, const an_stackbuf_t *b)
{
    return an_supp_runtime_memo(t, b, NULL);
}

const char *an_supp_runtime_memo(const an_tree_t *t, const an_stackbuf_t *b, an_map_t *memo)
{
    int k;
    if (b->n == 0)
        return NULL;
    if (frame_mod_flags(t, &b->v[0]) & AN_MOD_LOADER)
        return "dynamic loader";
    if (supp_loader_init(t, b))
        return "system library initialisation";
    for (int i = 0; i < b->n; i++) {
        const an_xframe_t *x = &b->v[i];
        if (!(frame_mod_flags(t, x) & AN_MOD_SYSTEM))
            continue;
        if ((k = supp_runtime_func(x->f.function, memo)) >= 0)
            return supp_runtime_funcs[k].reason;
        if (x->f.file && an_supp_template("eh_alloc.cc$", x->f.file))
            return "libstdc++ emergency exception pool";
    }
    return NULL;
}
