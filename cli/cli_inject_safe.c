/*
 * cli_inject_safe.c -- may the stopped thread call dlopen() now?  Not if
 * it holds a lock dlopen needs: malloc's arena lock (inside malloc, or in a
 * signal handler that interrupted malloc), the loader's locks, our own.
 * Such a thread has a frame of the C library, the loader or heapql above
 * (inner to) a frame of the program.
 *
 * Its stack is unwound (libdw, with the CFI of the mapped objects, so a
 * stripped libc is fine) and every frame is classed by its object:
 *   - the innermost frames may be C library code only when the thread is
 *     in a system call that blocks waiting for the outside world (read,
 *     poll, epoll_wait, accept, nanosleep, ...: never made by malloc with
 *     its lock held), or in a futex wait of a public wait function
 *     (pthread_cond_wait, pthread_join, sem_wait, pthread_mutex_lock...),
 *     and never loader or heapql code;
 *   - below the first program frame, C library frames are allowed only at
 *     the bottom of the stack (__libc_start_main and _start, start_thread
 *     and clone3).
 * Otherwise the caller lets the thread run a moment and looks again.
 */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "cli_inject_int.h"

#if defined(__x86_64__)
#define SAFE_MAX_FRAMES 64

enum safe_class { SAFE_PROGRAM, SAFE_LIBC, SAFE_LOADER, SAFE_HEAPQL };

typedef struct safe_frame_s {
    int cls;
    int waits; /* inside a public wait function of the C library */
} safe_frame_t;

typedef struct safe_walk_s {
    Dwfl *dwfl;
    safe_frame_t f[SAFE_MAX_FRAMES];
    int n;
} safe_walk_t;

static const char *const safe_libc[] = {"libc.so", "libc-2.", "libpthread", "libdl.so",
                                        "libdl-", "librt.so", "librt-", NULL};
static const char *const safe_loader[] = {"ld-linux", "ld64.so", "ld.so", NULL};
static const char *const safe_heapql[] = {"libheapql", "libunwind", "liblzma", NULL};
static const char *const safe_waits[] = {
    "pthread_cond_wait", "pthread_cond_timedwait", "pthread_cond_clockwait", "pthread_join",
    "pthread_timedjoin_np", "pthread_clockjoin_np", "sem_wait", "sem_timedwait", "sem_clockwait",
    "pthread_mutex_lock", "pthread_mutex_timedlock", "pthread_mutex_clocklock",
    "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", "pthread_rwlock_timedrdlock",
    "pthread_rwlock_timedwrlock", "pthread_rwlock_clockrdlock", "pthread_rwlock_clockwrlock",
    "pthread_barrier_wait", NULL};

/* System calls that wait for the outside world. */
static const long safe_blocking[] = {
    SYS_read, SYS_readv, SYS_pread64, SYS_preadv, SYS_write, SYS_writev, SYS_poll, SYS_ppoll,
    SYS_select, SYS_pselect6, SYS_epoll_wait, SYS_epoll_pwait, SYS_nanosleep, SYS_clock_nanosleep,
    SYS_pause, SYS_rt_sigsuspend, SYS_rt_sigtimedwait, SYS_accept, SYS_accept4, SYS_recvfrom,
    SYS_recvmsg, SYS_recvmmsg, SYS_sendto, SYS_sendmsg, SYS_connect, SYS_wait4, SYS_waitid,
    SYS_msgrcv, SYS_semtimedop, SYS_io_getevents,
#ifdef SYS_epoll_pwait2
    SYS_epoll_pwait2,
#endif
};

static int safe_find_debuginfo(Dwfl_Module *m, void **u, const char *mod, Dwarf_Addr base,
                               const char *file, const char *debuglink, GElf_Word crc,
                               char **debuginfo_file_name)
{
    (void)m, (void)u, (void)mod, (void)base, (void)file, (void)debuglink, (void)crc;
    *debuginfo_file_name = NULL;
    return -1; /* the CFI in .eh_frame is all the unwinder needs */
}

static const Dwfl_Callbacks safe_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = safe_find_debuginfo,
};

int inj_safe_open(inj_t *in)
{
    Dwfl *d = dwfl_begin(&safe_callbacks);
    if (!d)
        return inj_fail(in, "cannot start the unwinder: %s", dwfl_errmsg(-1));
    dwfl_report_begin(d);
    if (dwfl_linux_proc_report(d, in->pid) != 0 || dwfl_report_end(d, NULL, NULL) != 0 ||
        dwfl_linux_proc_attach(d, in->pid, true) != 0) {
        inj_fail(in, "cannot read the objects of process %d: %s", (int)in->pid, dwfl_errmsg(-1));
        dwfl_end(d);
        return -1;
    }
    in->dwfl = d;
    return 0;
}

void inj_safe_close(inj_t *in)
{
    dwfl_end(in->dwfl);
    in->dwfl = NULL;
}

static int safe_prefixed(const char *path, const char *const *prefixes)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    base = base ? base + 1 : path;
    for (; base && *prefixes; prefixes++)
        if (!strncmp(base, *prefixes, strlen(*prefixes)))
            return 1;
    return 0;
}

/* pc lies inside (not merely after) one of the public wait functions. */
static int safe_in_wait(Dwfl_Module *m, Dwarf_Addr pc)
{
    GElf_Off off = 0;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(m, pc, &off, &sym, NULL, NULL, NULL);
    if (!name || off >= sym.st_size)
        return 0;
    for (const char *const *w = safe_waits; *w; w++)
        if (!strcmp(name, *w))
            return 1;
    return 0;
}

static int safe_frame_cb(Dwfl_Frame *state, void *arg)
{
    safe_walk_t *w = arg;
    Dwarf_Addr pc;
    bool activation;
    Dwfl_Module *m;
    const char *name;
    safe_frame_t *f = &w->f[w->n];
    if (!dwfl_frame_pc(state, &pc, &activation))
        return DWARF_CB_ABORT;
    if (!activation)
        pc--; /* a return address: the call is the instruction before */
    m = dwfl_addrmodule(w->dwfl, pc);
    name = m ? dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL) : NULL;
    f->cls = safe_prefixed(name, safe_libc)     ? SAFE_LIBC
             : safe_prefixed(name, safe_loader) ? SAFE_LOADER
             : safe_prefixed(name, safe_heapql) ? SAFE_HEAPQL
                                                : SAFE_PROGRAM;
    f->waits = f->cls == SAFE_LIBC && safe_in_wait(m, pc);
    return ++w->n < SAFE_MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* The system call the stop caught the thread in, -1 if none. */
static long safe_syscall(const inj_t *in)
{
    long long nr = (long long)in->saved.orig_rax;
    return nr >= 0 ? (long)nr : -1;
}

int inj_safe_in_syscall(const inj_t *in)
{
    return safe_syscall(in) >= 0;
}

static int safe_blocking_call(long nr)
{
    for (size_t i = 0; i < sizeof safe_blocking / sizeof safe_blocking[0]; i++)
        if (safe_blocking[i] == nr)
            return 1;
    return 0;
}

/* The innermost frames outside the program: 1 acceptable, else 0 (why). */
static int safe_prefix(const inj_t *in, const safe_walk_t *w, int prefix, char *why, size_t len)
{
    long nr = safe_syscall(in);
    int waits = 0;
    for (int i = 0; i < prefix; i++) {
        if (w->f[i].cls == SAFE_LOADER || w->f[i].cls == SAFE_HEAPQL) {
            snprintf(why, len, "inside the %s", w->f[i].cls == SAFE_LOADER ? "dynamic loader"
                                                                           : "heapql library");
            return 0;
        }
        waits |= w->f[i].waits;
    }
    if (prefix == 0 || safe_blocking_call(nr) || (nr == SYS_futex && waits))
        return 1;
    if (nr >= 0)
        snprintf(why, len, "in system call %ld inside the C library", nr);
    else
        snprintf(why, len, "running inside the C library");
    return 0;
}

static int safe_judge(const inj_t *in, const safe_walk_t *w, int complete, char *why, size_t len)
{
    int i = 0;
    while (i < w->n && w->f[i].cls != SAFE_PROGRAM)
        i++;
    if (w->n == 0) {
        snprintf(why, len, "its stack cannot be read");
        return 0;
    }
    if (!safe_prefix(in, w, i, why, len))
        return 0;
    for (; i < w->n && w->f[i].cls == SAFE_PROGRAM; i++)
        ;
    if (i == w->n)
        return 1; /* the program's frames down to where the walk ended */
    if (!complete) {
        snprintf(why, len, "library frames below its own could not be followed");
        return 0;
    }
    for (int j = i; j < w->n - 1; j++)
        if (w->f[j].cls == SAFE_PROGRAM) {
            snprintf(why, len, "called back by the C library (or in a signal handler)");
            return 0;
        }
    return 1;
}

int inj_safe_point(inj_t *in, char *why, size_t len)
{
    safe_walk_t w;
    int rc;
    memset(&w, 0, sizeof w);
    w.dwfl = in->dwfl;
    rc = dwfl_getthread_frames(in->dwfl, in->tid, safe_frame_cb, &w);
    return safe_judge(in, &w, rc == 0, why, len);
}
#else /* system call numbers and registers above are x86-64's */
int inj_safe_open(inj_t *in)
{
    return inj_fail(in, "heapql attach supports x86-64 processes only");
}

void inj_safe_close(inj_t *in)
{
    (void)in;
}

int inj_safe_point(inj_t *in, char *why, size_t len)
{
    (void)in, (void)why, (void)len;
    return -1;
}

int inj_safe_in_syscall(const inj_t *in)
{
    (void)in;
    return 0;
}
#endif
