/* cli_util.c -- small helpers shared by the subcommands (see cli.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("heapql: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_self_dir(char *buf, size_t len)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    char *slash;
    if (n <= 0)
        return -1;
    path[n] = '\0';
    slash = strrchr(path, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    if ((size_t)snprintf(buf, len, "%s", path) >= len)
        return -1;
    return 0;
}

int cli_shim_path(char *buf, size_t len)
{
    static const char *const rel[] = {"../lib/libheapql.so", "../lib/heapql/libheapql.so",
                                      "libheapql.so"};
    const char *env = getenv("HEAPQL_SHIM");
    char dir[PATH_MAX], cand[PATH_MAX + 64];

    if (env && *env) {
        if (access(env, R_OK) != 0)
            return -1;
        return (size_t)snprintf(buf, len, "%s", env) < len ? 0 : -1;
    }
    if (cli_self_dir(dir, sizeof dir) != 0)
        return -1;
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(cand, sizeof cand, "%s/%s", dir, rel[i]);
        if (access(cand, R_OK) == 0 && realpath(cand, dir) != NULL)
            return (size_t)snprintf(buf, len, "%s", dir) < len ? 0 : -1;
    }
    return -1;
}

const char *cli_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    unsigned u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%llu B", (unsigned long long)bytes);
    else
        snprintf(buf, len, "%.2f %s", v, units[u]);
    return buf;
}

void cli_opt_split(const char *arg, char *name, size_t len, const char **inline_value)
{
    const char *eq = arg[0] == '-' && arg[1] == '-' ? strchr(arg, '=') : NULL;
    snprintf(name, len, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
    *inline_value = eq ? eq + 1 : NULL;
}

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char *inline_value,
                  const char **out)
{
    if (inline_value) {
        *out = inline_value;
        return 0;
    }
    if (*i + 1 >= argc) {
        cli_error("option %s needs a value", name);
        return -1;
    }
    *out = argv[++*i];
    return 0;
}
