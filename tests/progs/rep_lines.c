/*
 * rep_lines.c -- figures per source line for `report lines build`:
 *   LINE-A  malloc(1000), freed                 self: 1000 B, 1 call
 *   LINE-B  helper() -> malloc(200), freed      inclusive only: 200 B
 *   LINE-C  calloc(10, 10), never freed         self: 100 B, leaked 100 B
 * The peak (1300 bytes) is at LINE-C: all three blocks are live then.
 */
#include <stdlib.h>
#include <unistd.h>

static void *volatile keep;

static void *helper(void)
{
    return malloc(200); /* LINE-HELPER */
}

static void build(void)
{
    char *a = malloc(1000); /* LINE-A */
    void *h = helper();     /* LINE-B */
    keep = calloc(10, 10);  /* LINE-C */
    free(a);
    free(h);
}

int main(void)
{
    build();
    return write(1, "lines done\n", 11) == 11 ? 0 : 1;
}
