/* rec_kill.c -- allocate N blocks of 64 bytes, then die by SIGKILL.
 * usage: rec_kill [N=1000] */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static void *volatile sink;

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000;
    for (long i = 0; i < n; i++)
        sink = malloc(64);
    kill(getpid(), SIGKILL);
    return 0;
}
