/* rel_disk.c -- a program that outlives its recording: N malloc(111)/free
 * pairs (enough to fill a small database), then C fork children one after
 * the other (each 10 x malloc(112), exit 0), timed.  Prints "disk done N"
 * and "slowest child MS ms", exits 7 (3 when a child failed).
 * usage: rel_disk N C */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *volatile sink;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
    long n, kids, slowest = 0;
    if (argc != 3)
        return 2;
    n = atol(argv[1]);
    kids = atol(argv[2]);
    for (long i = 0; i < n; i++)
        free(malloc(111));
    for (long k = 0; k < kids; k++) {
        long t0 = now_ms();
        int st = 0;
        pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < 10; i++)
                sink = malloc(112);
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return 3;
        if (now_ms() - t0 > slowest)
            slowest = now_ms() - t0;
    }
    printf("disk done %ld\nslowest child %ld ms\n", n, slowest);
    return 7;
}
