/* rel_fdenv.c -- what a recorded program can see of heapql: its open file
 * descriptors, its environment, the socket directory it was given, and how
 * its ring is mapped; then the descriptors of a fork child (which made a
 * handshake of its own) and of a program it execs without the shim.  One line each:
 *   fd N cloexec|inherit KIND | env NAME=VALUE | sockdir MODE UID |
 *   sock socket | map PATH | child fd ... | exec fd ...
 * KIND: pipe, socket, memfd, file (anything else).
 * usage: rel_fdenv [--exec-list] */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static void *volatile sink;

static const char *fd_kind(const char *name)
{
    char path[64], target[4096];
    ssize_t n;
    snprintf(path, sizeof path, "/proc/self/fd/%s", name);
    n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    if (!strncmp(target, "pipe:", 5))
        return "pipe";
    if (!strncmp(target, "socket:", 7))
        return "socket";
    if (!strncmp(target, "/memfd:", 7))
        return "memfd";
    return "file";
}

static void list_fds(const char *prefix)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd == dirfd(d))
            continue;
        printf("%sfd %d %s %s\n", prefix, fd, (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? "cloexec" : "inherit",
               fd_kind(e->d_name));
    }
    closedir(d);
}

static void show_socket(void)
{
    const char *sock = getenv("HEAPQL_SOCKET");
    char dir[4096], *slash;
    struct stat st;
    if (!sock)
        return;
    snprintf(dir, sizeof dir, "%s", sock);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (stat(dir, &st) == 0)
        printf("sockdir %o %d\n", (unsigned)(st.st_mode & 07777), (int)st.st_uid);
    if (lstat(sock, &st) == 0)
        printf("sock %s\n", S_ISSOCK(st.st_mode) ? "socket" : "other");
}

static void show_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "heapql") && !strstr(line, "libheapql"))
            printf("map %s", strchr(line, '/') ? strchr(line, '/') : line);
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    int st = 0;
    if (argc == 2 && !strcmp(argv[1], "--exec-list")) {
        list_fds("exec ");
        return 0;
    }
    sink = malloc(10);
    fflush(stdout);
    list_fds("");
    for (char **e = environ; *e; e++)
        printf("env %s\n", *e);
    show_socket();
    show_maps();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sink = malloc(11);
        list_fds("child ");
        fflush(stdout);
        unsetenv("LD_PRELOAD"); /* the exec'd image runs without the shim */
        execl("/proc/self/exe", argv[0], "--exec-list", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
