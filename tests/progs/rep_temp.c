/*
 * rep_temp.c -- temporary and short-lived allocations of known count:
 *   temp_loop()  1000 x malloc(32) then free: temporary (freed before the
 *                thread allocates again) and short-lived
 *   pair()       a = malloc(64), b = malloc(64), free(a), free(b): b is
 *                temporary, a is not; both short-lived
 *   kept         malloc(128) at the start, freed after 300 ms and after the
 *                others: neither temporary nor short-lived
 * Totals: 1003 allocations, 1001 temporary, 1002 live under 100 ms.
 */
#include <stdlib.h>
#include <unistd.h>

static void *volatile sink;

static void temp_loop(void)
{
    for (int i = 0; i < 1000; i++) {
        void *p = malloc(32); /* TEMP-LOOP */
        sink = p;
        free(p);
    }
}

static void pair(void)
{
    void *a = malloc(64); /* PAIR-A */
    void *b = malloc(64); /* PAIR-B */
    free(a);
    free(b);
}

int main(void)
{
    void *kept = malloc(128); /* KEPT */
    temp_loop();
    pair();
    usleep(300000);
    free(kept);
    return write(1, "temp done\n", 10) == 10 ? 0 : 1;
}
