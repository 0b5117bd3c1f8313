/* rel_deep.c -- stacks deeper than the depth limit: dive() recurses DEPTH
 * levels, keeping one malloc(334) per level, and makes N x malloc(333) at
 * the bottom (all kept).  usage: rel_deep DEPTH N */
#include <stdlib.h>

static void *volatile sink;
static long bottom_n;

static void dive(long level)
{
    if (level == 0) {
        for (long i = 0; i < bottom_n; i++)
            sink = malloc(333);
        return;
    }
    sink = malloc(334);
    dive(level - 1);
    sink = 0; /* not a tail call */
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    bottom_n = atol(argv[2]);
    dive(atol(argv[1]));
    return 0;
}
