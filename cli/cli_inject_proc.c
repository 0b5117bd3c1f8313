/* cli_inject_proc.c -- what /proc/PID says about the target (cli_inject_int.h). */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_inject_int.h"

static FILE *proc_open(pid_t pid, pid_t tid, const char *what)
{
    char path[96];
    if (tid > 0)
        snprintf(path, sizeof path, "/proc/%d/task/%d/%s", (int)pid, (int)tid, what);
    else
        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
    return fopen(path, "re");
}

int inj_proc_status(pid_t pid, pid_t tid, const char *key, char *out, size_t len)
{
    char line[512];
    size_t klen = strlen(key);
    FILE *f = proc_open(pid, tid, "status");
    int rc = -1;
    if (!f)
        return -1;
    while (rc != 0 && fgets(line, sizeof line, f)) {
        char *v = line + klen + 1;
        if (strncmp(line, key, klen) != 0 || line[klen] != ':')
            continue;
        v += strspn(v, " \t");
        v[strcspn(v, "\n")] = '\0';
        snprintf(out, len, "%s", v);
        rc = 0;
    }
    fclose(f);
    return rc;
}

int inj_proc_sig_in(pid_t pid, pid_t tid, const char *key, int sig)
{
    char v[64];
    unsigned long long mask;
    if (inj_proc_status(pid, tid, key, v, sizeof v) != 0)
        return 0;
    mask = strtoull(v, NULL, 16);
    return sig >= 1 && sig <= 64 && ((mask >> (sig - 1)) & 1u);
}

static int proc_matches(const inj_match_t *m, const char *path, unsigned long long ino,
                        unsigned maj, unsigned min)
{
    const char *base = strrchr(path, '/');
    if (m->ino)
        return ino == m->ino && maj == m->dev_major && min == m->dev_minor;
    base = base ? base + 1 : path;
    for (const char *const *p = m->prefixes; p && *p; p++)
        if (!strncmp(base, *p, strlen(*p)))
            return 1;
    return 0;
}

/* One maps line into o, when it is (part of) the object looked for. */
static void proc_maps_line(const char *line, const inj_match_t *m, inj_obj_t *o)
{
    uintptr_t lo, hi;
    unsigned long long off, ino;
    unsigned maj, min;
    char perms[8];
    int at = 0;
    if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %llx %x:%x %llu %n", &lo, &hi, perms, &off,
               &maj, &min, &ino, &at) < 7 || at == 0 || line[at] != '/')
        return;
    char path[INJ_PATH];
    snprintf(path, sizeof path, "%s", line + at);
    path[strcspn(path, "\n")] = '\0';
    if (o->found ? strcmp(path, o->path) != 0 : !proc_matches(m, path, ino, maj, min))
        return;
    if (!o->found) {
        o->found = 1;
        o->lo = lo;
        o->ino = ino;
        o->dev_major = maj;
        o->dev_minor = min;
        snprintf(o->path, sizeof o->path, "%s", path);
    }
    if (off == 0 && !o->base)
        o->base = lo;
    o->hi = hi;
}

int inj_proc_find(pid_t pid, const inj_match_t *m, inj_obj_t *o)
{
    char line[INJ_PATH + 128];
    FILE *f = proc_open(pid, 0, "maps");
    memset(o, 0, sizeof *o);
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        proc_maps_line(line, m, o);
    fclose(f);
    return o->found && o->base ? 0 : -1;
}

int inj_proc_tids(pid_t pid, pid_t *tids, int max)
{
    char path[64];
    struct dirent *e;
    DIR *d;
    int n = 0;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    if (!(d = opendir(path)))
        return -1;
    while ((e = readdir(d)) != NULL && n < max) {
        long t = strtol(e->d_name, NULL, 10);
        if (t > 0)
            tids[n++] = (pid_t)t;
    }
    closedir(d);
    return n;
}

long inj_proc_syscall(pid_t pid, pid_t tid)
{
    char line[256];
    FILE *f = proc_open(pid, tid, "syscall");
    long nr = -1;
    if (!f)
        return -1;
    if (fgets(line, sizeof line, f) && line[0] >= '0' && line[0] <= '9')
        nr = strtol(line, NULL, 10);
    fclose(f);
    return nr;
}

char inj_proc_state(pid_t pid, pid_t tid)
{
    char line[1024], *paren;
    FILE *f = proc_open(pid, tid, "stat");
    char st = 0;
    if (!f)
        return 0;
    if (fgets(line, sizeof line, f) && (paren = strrchr(line, ')')) != NULL && paren[1] == ' ')
        st = paren[2];
    fclose(f);
    return st;
}

int inj_proc_ptrace_scope(void)
{
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
    int v = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%d", &v) != 1)
        v = -1;
    fclose(f);
    return v;
}
