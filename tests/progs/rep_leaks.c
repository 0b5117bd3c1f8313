/*
 * rep_leaks.c -- known leaks for the report tests.  No stdio (its buffer
 * would be one more allocation):
 *   leak_three(N)  N blocks of 100 bytes never freed (N = argv[1], default 3)
 *   leak_one()     1 block of 64 bytes never freed
 *   churn()        5 blocks of 40 bytes, each freed at once (temporary)
 * Totals with N = 3: 9 allocations, 564 bytes, 5 frees, leaked 364 bytes in
 * 4 blocks, peak 404 bytes (the last churn block on top of the leaks).
 */
#include <stdlib.h>
#include <unistd.h>

static void *volatile keep[64];

static void leak_three(int n)
{
    for (int i = 0; i < n && i < 64; i++)
        keep[i] = malloc(100); /* LEAK-THREE */
}

static void leak_one(void)
{
    keep[63] = malloc(64); /* LEAK-ONE */
}

static void churn(void)
{
    for (int i = 0; i < 5; i++)
        free(malloc(40)); /* CHURN */
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    leak_three(n);
    leak_one();
    churn();
    return write(1, "leaks done\n", 11) == 11 ? 0 : 1;
}
