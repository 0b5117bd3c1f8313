/*
 * rep_peak.c -- a known peak: grow() holds four 1 MiB blocks at once (the
 * peak: 4 MiB in 4 blocks), frees them, then once() takes one more 1 MiB
 * block and frees it.  5 allocations of 1 MiB, nothing leaked.
 * argv[1] = milliseconds to sleep while the peak is held (default 50), so
 * the RSS sampler sees it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024 * 1024)

static void grow(int ms)
{
    char *b[4];
    for (int i = 0; i < 4; i++) {
        b[i] = malloc(MIB); /* GROW */
        memset(b[i], 1, MIB);
    }
    usleep((useconds_t)ms * 1000);
    for (int i = 0; i < 4; i++)
        free(b[i]);
}

static void once(void)
{
    char *p = malloc(MIB); /* ONCE */
    memset(p, 2, MIB);
    free(p);
}

int main(int argc, char **argv)
{
    grow(argc > 1 ? atoi(argv[1]) : 50);
    usleep(50000);
    once();
    return write(1, "peak done\n", 10) == 10 ? 0 : 1;
}
