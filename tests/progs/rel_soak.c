/* rel_soak.c -- allocate at full speed for SECONDS: a window of 4096 live
 * blocks of 96..344 bytes, each replaced in turn (free, then malloc), so
 * the live heap stays bounded while calls never stop.  Writes its pid to
 * PIDFILE at the start; at the end frees everything, prints "soak N" (the
 * number of malloc calls it made) and exits 0.
 * usage: rel_soak SECONDS PIDFILE */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 4096

static void *blocks[WINDOW];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned long n = 0;
    double end;
    FILE *f;
    if (argc != 3 || !(f = fopen(argv[2], "w")))
        return 2;
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    end = now_s() + atof(argv[1]);
    for (;;) {
        for (int i = 0; i < WINDOW; i++) {
            free(blocks[i]);
            blocks[i] = malloc(96 + (size_t)((n * 7) % 32) * 8);
            n++;
        }
        if (now_s() >= end)
            break;
    }
    for (int i = 0; i < WINDOW; i++)
        free(blocks[i]);
    printf("soak %lu\n", n);
    return 0;
}
