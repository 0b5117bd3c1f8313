/* rel_sigalloc.c -- allocation inside signal handlers.
 * usage: rel_sigalloc K M
 * Part 1 (exact): K x raise(SIGUSR1); the handler, on an alternate signal
 * stack, makes one malloc(81)/free pair and keeps one malloc(82).
 * Part 2 (asynchronous): a 50 us interval timer (SIGALRM) while the main
 * thread makes M malloc(83)/free pairs; the handler maps and unmaps 12288
 * bytes (mmap is async-signal-safe, malloc is not) and counts itself.  A
 * handler that interrupts a hook runs with the hook's recursion guard
 * held: its mmap/munmap pass through unrecorded.
 * Prints "sigalloc K M H" (H: part-2 handler runs), exits 0. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>

static void *kept[100000];
static volatile sig_atomic_t nkept;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    free(malloc(81));
    if (nkept < (sig_atomic_t)(sizeof kept / sizeof kept[0]))
        kept[nkept++] = malloc(82);
}

static void on_alrm(int sig)
{
    (void)sig;
    void *p = mmap(NULL, 12288, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED)
        munmap(p, 12288);
    handled++;
}

static int setup(void)
{
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK | SA_RESTART;
    if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGUSR1, &sa, NULL) != 0)
        return -1;
    sa.sa_handler = on_alrm;
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGALRM, &sa, NULL);
}

int main(int argc, char **argv)
{
    struct itimerval on = {{0, 50}, {0, 50}}, off;
    long k, m;
    if (argc != 3 || setup() != 0)
        return 2;
    k = atol(argv[1]);
    m = atol(argv[2]);
    for (long i = 0; i < k; i++)
        raise(SIGUSR1);
    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &on, NULL);
    for (long i = 0; i < m; i++)
        free(malloc(83));
    setitimer(ITIMER_REAL, &off, NULL);
    printf("sigalloc %ld %ld %ld\n", k, m, (long)handled);
    return 0;
}
