/*
 * att_server.c -- a "server" that runs until it is told to stop, for
 * heapql attach: one request about every millisecond (it sleeps in
 * nanosleep in between), forever.
 *
 * Request i (from 0): a tag block of TAG_BASE + i % 65536 bytes (the
 * request id, readable from the database), a response block of 64 bytes,
 * freed, then one leak of LEAK_SIZE bytes when i % LEAK_EVERY == 0, then
 * the tag is freed.  At start it allocates OLD blocks of 3000 + k bytes;
 * SIGUSR1 lets go of them: the first half freed, the second half
 * realloc'ed to 5000 + k bytes (pre-existing blocks, for an attach).
 * SIGTERM or SIGINT: prints "served N requests, leaked L" and exits 0.
 * usage: att_server
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAG_BASE 40000
#define LEAK_SIZE 4242
#define LEAK_EVERY 7
#define OLD 50

static volatile sig_atomic_t stop, release;
static char *old[OLD];

static void on_stop(int sig)
{
    (void)sig;
    stop = 1;
}

static void on_release(int sig)
{
    (void)sig;
    release = 1;
}

static int request(unsigned long i)
{
    char *tag = malloc(TAG_BASE + i % 65536), *resp = malloc(64);
    int leaked = 0;
    memset(tag, 1, 16);
    snprintf(resp, 64, "response %lu", i);
    free(resp);
    if (i % LEAK_EVERY == 0 && malloc(LEAK_SIZE))
        leaked = 1;
    free(tag);
    return leaked;
}

static void let_go_old(void)
{
    for (int k = 0; k < OLD / 2; k++)
        free(old[k]);
    for (int k = OLD / 2; k < OLD; k++)
        old[k] = realloc(old[k], 5000 + k);
}

int main(void)
{
    struct sigaction sa;
    struct timespec ms = {0, 1000000};
    unsigned long i, leaks = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_release;
    sigaction(SIGUSR1, &sa, NULL);
    for (int k = 0; k < OLD; k++)
        old[k] = malloc(3000 + k);
    for (i = 0; !stop; i++) {
        if (release) {
            release = 0;
            let_go_old();
        }
        leaks += request(i);
        nanosleep(&ms, NULL);
    }
    printf("served %lu requests, leaked %lu\n", i, leaks);
    return 0;
}
