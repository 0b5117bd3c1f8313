/*
 * tui_live.c -- a program that keeps allocating for a while, for the live
 * mode of `heapql tui` (tests/e2e/tui_live.sh).  Every 20 ms, for argv[1]
 * milliseconds (default 3000):
 *   - 10 blocks of 64 bytes from churn(), freed at once (rows appear while
 *     recording, since a row is written when its block is freed);
 *   - one block of 1000 bytes from hold(), kept in a ring of 50 slots and
 *     freed when its slot comes round again;
 *   - every 25th step, one block of 4096 bytes from leak_page(), never freed.
 * Then it frees the ring and exits 0.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define RING 50

static void *volatile ring[RING];
static void *volatile sink;

static void churn(void)
{
    void *v[10];
    for (int i = 0; i < 10; i++)
        v[i] = malloc(64);
    for (int i = 0; i < 10; i++)
        free(v[i]);
}

static void hold(int step)
{
    free(ring[step % RING]);
    ring[step % RING] = malloc(1000);
}

static void leak_page(void)
{
    sink = malloc(4096);
}

int main(int argc, char **argv)
{
    int ms = argc > 1 ? atoi(argv[1]) : 3000;
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (int step = 0; step * 20 < ms; step++) {
        churn();
        hold(step);
        if (step % 25 == 0)
            leak_page();
        nanosleep(&pause, NULL);
    }
    for (int i = 0; i < RING; i++)
        free(ring[i]);
    return write(1, "live done\n", 10) == 10 ? 0 : 1;
}
