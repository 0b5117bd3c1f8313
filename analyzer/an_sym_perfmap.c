/* an_sym_perfmap.c -- see an_sym_perfmap.h. */
#include "an_sym_perfmap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct pm_entry_s {
    uint64_t start, size;
    size_t seq;  /* line order: the later wins */
    char *name;
} pm_entry_t;

struct an_sym_perfmap_s {
    pm_entry_t *e; /* sorted by start */
    size_t n, cap;
    uint64_t maxsize;
};

static int pm_cmp(const void *a, const void *b)
{
    const pm_entry_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Parse "START SIZE name"; 0 ok, -1 malformed, -2 out of memory. */
static int pm_parse(an_sym_perfmap_t *m, char *line)
{
    char *end, *name;
    uint64_t start = strtoull(line, &end, 16);
    if (end == line || *end != ' ')
        return -1;
    uint64_t size = strtoull(end + 1, &name, 16);
    if (name == end + 1 || *name != ' ' || size == 0)
        return -1;
    name[strcspn(name, "\r\n")] = '\0';
    if (!*++name)
        return -1;
    if (m->n == m->cap) {
        size_t ncap = m->cap ? 2 * m->cap : 256;
        pm_entry_t *p = realloc(m->e, ncap * sizeof *p);
        if (!p)
            return -2;
        m->e = p;
        m->cap = ncap;
    }
    m->e[m->n] = (pm_entry_t){start, size, m->n, strdup(name)};
    if (!m->e[m->n].name)
        return -2;
    if (size > m->maxsize)
        m->maxsize = size;
    m->n++;
    return 0;
}

static FILE *pm_open(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != geteuid() && st.st_uid != 0)) {
        close(fd);
        return NULL;
    }
    FILE *fp = fdopen(fd, "r");
    if (!fp)
        close(fd);
    return fp;
}

an_sym_perfmap_t *an_sym_perfmap_load_path(const char *path)
{
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    FILE *fp = pm_open(path);
    an_sym_perfmap_t *m = fp ? calloc(1, sizeof *m) : NULL;

    if (!m) {
        if (fp)
            fclose(fp);
        return NULL;
    }
    while (rc != -2 && getline(&line, &cap, fp) > 0)
        rc = pm_parse(m, line);
    free(line);
    fclose(fp);
    if (rc == -2 || m->n == 0) {
        an_sym_perfmap_free(m);
        return NULL;
    }
    qsort(m->e, m->n, sizeof *m->e, pm_cmp);
    return m;
}

an_sym_perfmap_t *an_sym_perfmap_load(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", pid);
    return an_sym_perfmap_load_path(path);
}

const char *an_sym_perfmap_lookup(const an_sym_perfmap_t *m, uint64_t pc)
{
    size_t lo = 0, hi = m->n;
    const pm_entry_t *best = NULL;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->e[mid].start <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Every region holding pc starts within maxsize below it. */
    for (size_t i = lo; i-- > 0 && pc - m->e[i].start < m->maxsize;) {
        if (pc - m->e[i].start < m->e[i].size && (!best || m->e[i].seq > best->seq))
            best = &m->e[i];
    }
    return best ? best->name : NULL;
}

void an_sym_perfmap_free(an_sym_perfmap_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->e[i].name);
    free(m->e);
    free(m);
}
