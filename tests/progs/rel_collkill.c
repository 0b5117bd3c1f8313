/* rel_collkill.c -- a program whose collector is killed while it runs.
 * usage: rel_collkill DIR N M
 * Phase 1: N malloc(101)/free pairs (their rows are committed while it
 * waits), then DIR/pid and DIR/ready are written and it waits for DIR/go
 * (at most 300 s: exit 3).  Phase 2: M malloc(102)/free pairs (many rings
 * full: the shim must notice the collector is gone and detach), a fork
 * child that allocates and exits 0, then "collkill done M" and exit 42. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *volatile sink;

static void touch(const char *dir, const char *name, long value)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s.tmp", dir, name);
    f = fopen(path, "w");
    if (!f)
        exit(4);
    fprintf(f, "%ld\n", value);
    fclose(f);
    char final[4096];
    snprintf(final, sizeof final, "%s/%s", dir, name);
    rename(path, final); /* the file appears whole */
}

static int wait_go(const char *dir)
{
    char path[4096];
    struct timespec ts = {0, 10000000};
    snprintf(path, sizeof path, "%s/go", dir);
    for (int i = 0; i < 30000; i++) {
        if (access(path, F_OK) == 0)
            return 0;
        nanosleep(&ts, NULL);
    }
    return -1;
}

int main(int argc, char **argv)
{
    long n, m;
    int st = 0;
    if (argc != 4)
        return 2;
    n = atol(argv[2]);
    m = atol(argv[3]);
    for (long i = 0; i < n; i++)
        free(malloc(101));
    touch(argv[1], "pid", (long)getpid());
    touch(argv[1], "ready", n);
    if (wait_go(argv[1]) != 0)
        return 3;
    for (long i = 0; i < m; i++)
        free(malloc(102));
    pid_t pid = fork();
    if (pid == 0) {
        sink = malloc(104);
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return 5;
    printf("collkill done %ld\n", m);
    return 42;
}
