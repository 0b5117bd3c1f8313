/* an_source.c -- see an_source.h. */
#include "an_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *source_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && size <= AN_SOURCE_MAX_BYTES &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1))) {
        size_t n = fread(buf, 1, (size_t)size, f);
        buf[n] = '\0';
    }
    fclose(f);
    return buf;
}

char *an_source_read(an_db_t *d, const char *file, char *path, size_t pathlen)
{
    char cwd[1024], joined[4096];
    char *buf = source_file(file);
    const char *used = buf ? file : "";
    if (!buf && file[0] != '/') {
        an_db_meta(d, "cwd", cwd, sizeof cwd);
        if (cwd[0] && (size_t)snprintf(joined, sizeof joined, "%s/%s", cwd, file) < sizeof joined &&
            (buf = source_file(joined)))
            used = joined;
    }
    if (path && pathlen)
        snprintf(path, pathlen, "%s", used);
    return buf;
}
