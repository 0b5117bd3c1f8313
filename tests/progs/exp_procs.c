/* exp_procs.c -- known figures for the export and package tests.  The
 * parent keeps 4 blocks of 4096 bytes from parent_work(), forks a child
 * whose child_work() keeps 16 blocks of 8192 bytes (its heap peaks at
 * 131072, the recording's highest peak) and exits 0 without freeing them;
 * the parent reaps it, frees its blocks and allocates 3 more blocks of
 * 100 bytes from parent_leak() that it never frees.  Exits 0. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

static void parent_work(void **keep)
{
    for (int i = 0; i < 4; i++) {
        keep[i] = malloc(4096);
        memset(keep[i], 1, 4096);
    }
}

static void child_work(void)
{
    for (int i = 0; i < 16; i++) {
        sink = malloc(8192);
        memset(sink, 2, 8192);
    }
}

static void parent_leak(void)
{
    for (int i = 0; i < 3; i++)
        sink = malloc(100);
}

int main(void)
{
    void *keep[4];
    int status = 0;
    parent_work(keep);
    pid_t pid = fork();
    if (pid == 0) {
        child_work();
        exit(0);
    }
    waitpid(pid, &status, 0);
    for (int i = 0; i < 4; i++)
        free(keep[i]);
    parent_leak();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
