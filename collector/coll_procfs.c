/* coll_procfs.c -- what /proc tells about a recorded process. */
#include "coll_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int coll_procfs_exe(pid_t pid, char *buf, size_t len)
{
    char path[64];
    ssize_t n;
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    n = readlink(path, buf, len - 1);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* Arguments joined by spaces (a long command line is cut at len - 1). */
int coll_procfs_cmdline(pid_t pid, char *buf, size_t len)
{
    char path[64];
    size_t got = 0;
    ssize_t n;
    int fd;
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
        got += (size_t)n;
    close(fd);
    while (got > 0 && buf[got - 1] == '\0')
        got--;
    for (size_t i = 0; i < got; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[got] = '\0';
    return 0;
}

/* Fields of /proc/PID/stat after the command name: state (3), starttime
 * (22) and exit_code (52, a wait status, meaningful for a zombie). */
int coll_procfs_stat(pid_t pid, unsigned long long *starttime, char *state, int *exit_code)
{
    char path[64], buf[2048], *p, *save = NULL;
    ssize_t n;
    int fd, field = 3;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = strrchr(buf, ')');
    if (!p)
        return -1;
    *exit_code = -1;
    for (char *tok = strtok_r(p + 1, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
        if (field == 3)
            *state = tok[0];
        else if (field == 22)
            *starttime = strtoull(tok, NULL, 10);
        else if (field == 52)
            *exit_code = atoi(tok);
        field++;
    }
    return field > 22 ? 0 : -1;
}

/* Resident bytes from an open /proc/PID/statm, -1 when unreadable. */
int64_t coll_procfs_rss(int statm_fd)
{
    char buf[128];
    unsigned long long size, resident;
    ssize_t n;
    if (statm_fd < 0)
        return -1;
    n = pread(statm_fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
        return -1;
    return (int64_t)resident * sysconf(_SC_PAGESIZE);
}
