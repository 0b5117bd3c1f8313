/* rel_die.c -- a program that dies in one of many ways after a known
 * number of allocations.  usage: rel_die MODE N [PROG ARGS...]
 * First (in the thread that dies, for the thread modes): N blocks of 64
 * bytes kept live and N malloc(65)/free pairs.  Then, by MODE:
 *   kill         raise(SIGKILL)
 *   segv         a store through NULL (no core file: RLIMIT_CORE 0)
 *   abort        abort()
 *   _exit        _exit(7)
 *   thread-exit  the allocations and exit(9) happen in a second thread
 *                while the main thread allocates malloc(66)/free non-stop
 *                (the second thread starts once the main one has)
 *   exec         execv(PROG, ARGS): the image ends by exec
 *   thread-exec  exec from a second thread while the main thread allocates
 * Returns 2 on a usage error, 99 if it survived its own death. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void *volatile sink;
static long count;
static char **exec_argv;
static volatile int *volatile null_ptr;
static volatile int spinning; /* the main thread has allocated */

static void allocate(void)
{
    for (long i = 0; i < count; i++)
        sink = malloc(64);
    for (long i = 0; i < count; i++)
        free(malloc(65));
}

static void *spin(void *arg)
{
    (void)arg;
    for (;;) {
        free(malloc(66));
        spinning = 1;
    }
    return NULL;
}

static void wait_spinning(void)
{
    while (!spinning)
        sched_yield();
}

static void *thread_exit(void *arg)
{
    (void)arg;
    wait_spinning();
    allocate();
    exit(9);
}

static void *thread_exec(void *arg)
{
    (void)arg;
    wait_spinning();
    allocate();
    execv(exec_argv[0], exec_argv);
    _exit(98);
}

/* Start fn in a second thread; the main thread allocates until the process ends. */
static int in_thread(void *(*fn)(void *))
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, NULL) != 0)
        return 97;
    spin(NULL);
    return 99;
}

int main(int argc, char **argv)
{
    struct rlimit no_core = {0, 0};
    const char *mode;
    if (argc < 3)
        return 2;
    mode = argv[1];
    count = atol(argv[2]);
    exec_argv = argv + 3;
    if ((!strcmp(mode, "exec") || !strcmp(mode, "thread-exec")) && argc < 4)
        return 2;
    setrlimit(RLIMIT_CORE, &no_core);
    if (!strcmp(mode, "thread-exit"))
        return in_thread(thread_exit);
    if (!strcmp(mode, "thread-exec"))
        return in_thread(thread_exec);
    allocate();
    if (!strcmp(mode, "kill"))
        raise(SIGKILL);
    else if (!strcmp(mode, "segv"))
        *null_ptr = 1;
    else if (!strcmp(mode, "abort"))
        abort();
    else if (!strcmp(mode, "_exit"))
        _exit(7);
    else if (!strcmp(mode, "exec"))
        execv(exec_argv[0], exec_argv);
    else
        return 2;
    return 99;
}
