/* frag_alternate.c -- N blocks of 64 bytes in a row, then every other one
 * freed: at the end every touched page of the brk heap is ~45% live (72
 * usable bytes live out of every 160) and the holes are all the size of
 * the freed blocks (72 usable bytes: glibc's 80-byte chunks stay apart in
 * the fastbins).  No stdio: nothing else on the heap. */
#include <stdlib.h>

#define N 4096

static void *blocks[N];

static void alloc_all(void)
{
    for (int i = 0; i < N; i++)
        blocks[i] = malloc(64);
}

static void free_odd(void)
{
    for (int i = 1; i < N; i += 2)
        free(blocks[i]);
}

int main(void)
{
    alloc_all();
    free_odd();
    return 0; /* the even blocks stay live until the end */
}
