/*
 * att_plugin.c -- a program that loads a plugin now and then, for heapql
 * attach: objects loaded after the attach must have their allocations
 * recorded too.  Sleeps in 1 ms steps; on SIGUSR1 it dlopen()s PATH (a
 * path: the shim opens it for the program and patches the plugin before
 * dlopen returns), on SIGUSR2 NAME (a bare name, found through the
 * executable's RUNPATH: the call must stay the program's, the plugin is
 * patched at the thread's next allocation), then calls plug_work(10) and
 * dlclose()s it.  plug_work leaks 10 blocks of 7777 bytes and frees one of
 * 8888.  SIGTERM: prints "loaded N times" and exits 0 (3 if a load failed).
 * usage: att_plugin PATH NAME
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop, by_path, by_name;

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        by_path = 1;
    else if (sig == SIGUSR2)
        by_name = 1;
    else
        stop = 1;
}

static int load(const char *file, int touch)
{
    void *h = dlopen(file, RTLD_NOW);
    void (*work)(int);
    if (!h) {
        printf("dlopen %s: %s\n", file, dlerror());
        return -1;
    }
    if (touch)
        free(malloc(1));
    work = (void (*)(int))dlsym(h, "plug_work");
    if (!work)
        return -1;
    work(10);
    dlclose(h);
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    struct timespec ms = {0, 1000000};
    int loads = 0, failed = 0;
    if (argc != 3)
        return 2;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    while (!stop) {
        if (by_path || by_name) {
            failed |= load(by_path ? argv[1] : argv[2], !by_path) != 0;
            by_path = by_name = 0;
            loads++;
        }
        nanosleep(&ms, NULL);
    }
    printf("loaded %d times\n", loads);
    return failed ? 3 : 0;
}
