/* rel_forkstorm.c -- N short-lived fork children, at most PAR alive at a
 * time; child i makes 3 x malloc(71), frees one, and ends by exit(0) (even
 * i) or _exit(0) (odd i).  Prints "forkstorm N", exits 0 when every child
 * exited 0.  usage: rel_forkstorm N PAR */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *volatile sink;

static void child(long i)
{
    void *a = malloc(71);
    sink = malloc(71);
    sink = malloc(71);
    free(a);
    if (i % 2)
        _exit(0);
    exit(0);
}

static int reap(void)
{
    int st;
    pid_t pid = wait(&st);
    return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    long n, par, alive = 0, bad = 0;
    if (argc != 3)
        return 2;
    n = atol(argv[1]);
    par = atol(argv[2]);
    for (long i = 0; i < n; i++) {
        if (alive == par) {
            bad += reap();
            alive--;
        }
        pid_t pid = fork();
        if (pid == 0)
            child(i);
        if (pid < 0)
            return 3;
        alive++;
    }
    while (alive-- > 0)
        bad += reap();
    printf("forkstorm %ld\n", n);
    return bad ? 1 : 0;
}
