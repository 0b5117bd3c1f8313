/*
 * shim_session.c -- attaching to a collector and the process's life cycle.
 *
 * Attach: from our constructor, or earlier from the first hook that finds
 * libc initialised (allocations in constructors that run before ours are
 * then recorded).  HEAPQL_SOCKET: join that collector.  Only HEAPQL_OUTPUT:
 * start one (shim_spawn.c); the constructor then sets HEAPQL_SOCKET and
 * removes HEAPQL_OUTPUT so descendants join it (the only change the
 * program can see).  Neither, or any failure: detached, for good.
 *
 * fork: the forking thread passes through from prepare until the child
 * has its own ring (handshake with HQ_HELLO_FORK, fresh stack table, every
 * module sent again); the parent's ring is unmapped in the child before
 * anything could write it.  vfork/posix_spawn children only exec or _exit
 * and write nothing (the exit hooks check the pid).
 *
 * Exit: exit(), _exit(), _Exit() and main's return (through a wrapper of
 * main installed by __libc_start_main) write HQ_REC_EXIT.  Our destructor
 * runs among the last; it sets hdr->exited and stops recording.
 *
 * heapql attach (shim_attach.c): loaded by dlopen into a running process,
 * the constructor leaves the shim dormant (no HEAPQL_* variable, or our
 * symbols do not interpose: not preloaded); shim_session_join and
 * shim_session_leave then start and end each recording.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"
#include "shim_attach.h"

enum { SESS_NONE = 0, SESS_BUSY, SESS_DONE };

hq_ring_hdr_t *_Atomic shim_ring;
uint32_t shim_depth = HQ_DEPTH_DEFAULT;
pid_t shim_pid;

extern char **environ;

static int sess_state;
static char sess_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
static hq_ring_hdr_t *sess_map; /* this process's ring mapping, even once detached */
static uint64_t sess_map_bytes;
static int sess_standalone; /* 1: we spawned the collector, env still to swap; 2: swapped */
static int sess_atfork;
static unsigned sess_joins; /* handshakes made in this process image */

typedef int (*sess_main_t)(int, char **, char **, void *);
static sess_main_t sess_main_real;

/* Handshake and modules; the ring is not published yet. */
static hq_ring_hdr_t *sess_connect(uint32_t flags, pid_t ppid)
{
    hq_ring_hdr_t *r;
    uint64_t bytes;
    uint32_t depth;
    if (shim_connect(sess_socket, flags, ppid, &r, &bytes, &depth) != 0)
        return NULL;
    sess_joins++;
    shim_depth = depth;
    shim_pid = getpid();
    sess_map = r;
    sess_map_bytes = bytes;
    shim_modules_scan(r);
    if (__atomic_load_n(&r->detached, __ATOMIC_ACQUIRE))
        return NULL; /* the collector went away already */
    return r;
}

/* Handshake, modules, then publish the ring: hooks record from here on. */
static int sess_attach(uint32_t flags, pid_t ppid)
{
    hq_ring_hdr_t *r = sess_connect(flags, ppid);
    if (!r)
        return -1;
    __atomic_store_n(&shim_ring, r, __ATOMIC_RELEASE);
    return 0;
}

static void sess_prepare(void)
{
    shim_tls.guard++;
    shim_tls.quiet++;
}

static void sess_parent(void)
{
    shim_tls.quiet--;
    shim_tls.guard--;
}

static void sess_child(void)
{
    hq_ring_hdr_t *parent_ring = __atomic_exchange_n(&shim_ring, NULL, __ATOMIC_ACQ_REL);
    pid_t parent = shim_pid;
    if (sess_map)
        shim_real.munmap(sess_map, sess_map_bytes);
    sess_map = NULL;
    shim_pid = 0;
    shim_thread_forget(&shim_tls);
    shim_got_forked();
    if (parent_ring) {
        shim_cancel_init();
        shim_stack_reset();
        shim_modules_forget();
        sess_attach(HQ_HELLO_FORK, parent);
    }
    shim_tls.quiet--;
    shim_tls.guard--;
}

/* Where to connect: 0 with sess_socket set, -1 to stay detached. */
static int sess_find_socket(void)
{
    const char *sock = getenv(HQ_ENV_SOCKET), *out = getenv(HQ_ENV_OUTPUT);
    if (sock && *sock)
        return shim_concat(sess_socket, sizeof sess_socket, sock, NULL);
    if (!out || !*out)
        return -1;
    sess_standalone = 1; /* even if the spawn fails: descendants must not retry */
    return shim_spawn_collector(out, sess_socket, sizeof sess_socket);
}

static int sess_hooks_ready(void)
{
    return shim_boot_resolve() != 0 || shim_modules_init() != 0 || shim_thread_init() != 0 ||
                   shim_stack_init() != 0
               ? -1
               : 0;
}

static int sess_fork_handlers(void)
{
    if (!sess_atfork && pthread_atfork(sess_prepare, sess_parent, sess_child) != 0)
        return -1;
    sess_atfork = 1;
    return 0;
}

static void sess_setup(void)
{
    if (sess_hooks_ready() != 0 || sess_find_socket() != 0 || sess_fork_handlers() != 0)
        return;
    shim_cancel_init();
    sess_attach(0, getppid());
}

static void sess_start(void)
{
    int expect = SESS_NONE, saved = errno;
    if (!__atomic_compare_exchange_n(&sess_state, &expect, SESS_BUSY, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return;
    shim_tls.guard++;
    sess_setup();
    shim_tls.guard--;
    __atomic_store_n(&sess_state, SESS_DONE, __ATOMIC_RELEASE);
    errno = saved;
}

/* Standalone: descendants join our collector (or, if it failed, do not
 * start another).  Only from the constructor: setenv takes libc's lock. */
static void sess_swap_env(void)
{
    if (sess_standalone != 1)
        return;
    sess_standalone = 2;
    shim_tls.guard++;
    if (__atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE))
        setenv(HQ_ENV_SOCKET, sess_socket, 1);
    unsetenv(HQ_ENV_OUTPUT);
    shim_tls.guard--;
}

hq_ring_hdr_t *shim_session_lazy(void)
{
    if (SHIM_LIKELY(__atomic_load_n(&sess_state, __ATOMIC_ACQUIRE) != SESS_NONE) || !environ)
        return NULL;
    sess_start();
    return __atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE);
}

void shim_session_detach(void)
{
    __atomic_store_n(&shim_ring, NULL, __ATOMIC_RELEASE);
}

void shim_session_exit(int status, uint32_t how)
{
    shim_tls_t *t = &shim_tls;
    hq_ring_hdr_t *r = __atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE);
    int saved = errno;
    hq_rec_exit_t rec = {.h = {.type = HQ_REC_EXIT, .len = sizeof rec}, .status = status,
                         .how = how};
    if (!r || getpid() != shim_pid)
        return; /* detached, or a vfork child sharing our memory */
    t->guard++;
    rec.tid = t->tid ? t->tid : shim_gettid();
    rec.ns = shim_stamp();
    shim_put(r, &rec.h);
    if (how == HQ_EXIT_UNDERSCORE) {
        __atomic_store_n(&r->exited, 1, __ATOMIC_RELEASE);
        shim_session_detach();
    }
    t->guard--;
    errno = saved;
}

/* Our symbols interpose (LD_PRELOAD): the program's __libc_start_main is ours. */
static int sess_preloaded(void)
{
    Dl_info self, found;
    void *f = dlsym(RTLD_DEFAULT, "__libc_start_main");
    return f && dladdr((void *)&sess_preloaded, &self) && dladdr(f, &found) &&
           self.dli_fbase == found.dli_fbase;
}

/* Nothing to record unless we were preloaded with HEAPQL_SOCKET or
 * HEAPQL_OUTPUT set: then stay dormant (heapql attach loads us by dlopen
 * and starts each recording itself). */
static void sess_ctor_dormant(void)
{
    const char *sock = getenv(HQ_ENV_SOCKET), *out = getenv(HQ_ENV_OUTPUT);
    int expect = SESS_NONE, wanted;
    shim_tls.guard++; /* dlsym may allocate: not a reason to start */
    wanted = ((sock && *sock) || (out && *out)) && sess_preloaded();
    shim_tls.guard--;
    if (wanted)
        return;
    __atomic_compare_exchange_n(&sess_state, &expect, SESS_DONE, 0, __ATOMIC_ACQ_REL,
                                __ATOMIC_ACQUIRE);
}

__attribute__((constructor(101))) static void sess_ctor(void)
{
    sess_ctor_dormant();
    sess_start();
    sess_swap_env();
}

__attribute__((destructor(101))) static void sess_dtor(void)
{
    hq_ring_hdr_t *r = __atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE);
    if (!r || getpid() != shim_pid)
        return;
    __atomic_store_n(&r->exited, 1, __ATOMIC_RELEASE);
    shim_session_detach();
}

/* ---- heapql attach (shim_attach.h) ------------------------------------------ */

/* A zombie still answers kill(pid, 0): its state in /proc/PID/stat. */
static int sess_pid_dead(pid_t pid)
{
    char path[48], buf[256], num[24], *paren;
    ssize_t n;
    int fd;
    if (kill(pid, 0) != 0)
        return errno == ESRCH;
    shim_concat(path, sizeof path, "/proc/", shim_utoa((uint64_t)pid, num), "/stat", NULL);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    paren = strrchr(buf, ')');
    return paren && (paren[2] == 'Z' || paren[2] == 'X');
}

/* The ring's reader is gone: detached, or its collector no longer runs. */
static int sess_ring_over(hq_ring_hdr_t *r)
{
    int saved = errno, gone;
    if (__atomic_load_n(&r->detached, __ATOMIC_ACQUIRE))
        return 1;
    gone = r->collector_pid > 0 && sess_pid_dead(r->collector_pid);
    errno = saved;
    return gone;
}

int shim_session_idle(void)
{
    hq_ring_hdr_t *r = __atomic_load_n(&shim_ring, __ATOMIC_ACQUIRE);
    return __atomic_load_n(&sess_state, __ATOMIC_ACQUIRE) == SESS_DONE &&
           (!r || sess_ring_over(r));
}

int shim_session_prepare(void)
{
    if (sess_hooks_ready() != 0 || sess_fork_handlers() != 0)
        return -1;
    shim_cancel_init();
    return 0;
}

hq_ring_hdr_t *shim_session_join(const char *path)
{
    hq_ring_hdr_t *r;
    if (shim_concat(sess_socket, sizeof sess_socket, path, NULL) != 0)
        return NULL;
    if (sess_joins) { /* a new collector: stack ids from 1, every module again */
        shim_stack_reset();
        shim_modules_forget();
    }
    r = sess_connect(HQ_HELLO_ATTACH, getppid());
    if (!r && sess_map) { /* never published: nobody writes it */
        shim_real.munmap(sess_map, sess_map_bytes);
        sess_map = NULL;
    }
    return r;
}

void shim_session_publish(hq_ring_hdr_t *r)
{
    __atomic_store_n(&shim_ring, r, __ATOMIC_RELEASE);
}

void *shim_session_leave(uint64_t *bytes)
{
    void *map = sess_map;
    __atomic_store_n(&shim_ring, NULL, __ATOMIC_RELEASE);
    sess_map = NULL;
    *bytes = sess_map_bytes;
    return map;
}

/* ---- exit hooks ------------------------------------------------------------ */

static void sess_real_exit(void (*f)(int), int status) __attribute__((noreturn));
static void sess_real_exit(void (*f)(int), int status)
{
    if (f)
        f(status);
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

SHIM_EXPORT void exit(int status)
{
    shim_session_exit(status, HQ_EXIT_EXIT);
    shim_boot_resolve();
    sess_real_exit(shim_real.exit, status);
}

SHIM_EXPORT void _exit(int status)
{
    shim_session_exit(status, HQ_EXIT_UNDERSCORE);
    shim_boot_resolve();
    sess_real_exit(shim_real.exit_, status);
}

SHIM_EXPORT void _Exit(int status)
{
    shim_session_exit(status, HQ_EXIT_UNDERSCORE);
    shim_boot_resolve();
    sess_real_exit(shim_real.Exit, status);
}

static int sess_main(int argc, char **argv, char **envp, void *auxv)
{
    int rc = sess_main_real(argc, argv, envp, auxv);
    shim_session_exit(rc, HQ_EXIT_EXIT);
    return rc;
}

/* Wrap main so that its return (glibc then calls exit internally, not
 * through our symbol) is recorded with its status. */
SHIM_EXPORT int __libc_start_main(void *main_fn, int argc, char **argv, void (*init)(void),
                                  void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    shim_boot_resolve();
    if (!shim_real.libc_start_main)
        syscall(SYS_exit_group, 127);
    sess_main_real = (sess_main_t)main_fn;
    return shim_real.libc_start_main((void *)sess_main, argc, argv, init, fini, rtld_fini,
                                     stack_end);
}
