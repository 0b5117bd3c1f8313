/*
 * rep_slow.c -- a recording that stays live: 10 blocks of 1000 bytes (5
 * freed at once), then sleeps argv[1] milliseconds (default 3000) so a
 * report can run while the collector is still writing.
 */
#include <stdlib.h>
#include <unistd.h>

static void *volatile keep[10];

int main(int argc, char **argv)
{
    int ms = argc > 1 ? atoi(argv[1]) : 3000;
    for (int i = 0; i < 10; i++)
        keep[i] = malloc(1000); /* SLOW */
    for (int i = 0; i < 10; i += 2)
        free(keep[i]);
    usleep((useconds_t)ms * 1000);
    return write(1, "slow done\n", 10) == 10 ? 0 : 1;
}
