/*
 * cli_inject.c -- the checks before attaching, and one injection from
 * start to end (cli_inject.h): borrow a thread at a safe point, dlopen the
 * library unless it is loaded already, call its entry point, give the
 * thread back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cli_inject_int.h"

#define INJ_BORROW_MS 10000u /* looking for a safe point at most this long, by default */
#define INJ_MAX_THREADS 4096
#define INJ_TICK_NS 5000000ull
#define INJ_BLOCKED_ROUNDS 20 /* first rounds: only threads blocked in a system call */
#define INJ_RTLD_NOW 2

static const char *const inj_libc_names[] = {"libc.so", "libc-2.", NULL};
static const char *const inj_musl_names[] = {"ld-musl", "libc.musl", NULL};

int inj_fail(inj_t *in, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(in->err, in->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

uint64_t inj_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void inj_idle(inj_t *in)
{
    struct timespec ts = {0, 100000};
    uint64_t now = inj_now();
    if (in->cfg && in->cfg->tick && now - in->last_tick >= INJ_TICK_NS) {
        in->cfg->tick(in->cfg->ctx);
        in->last_tick = inj_now();
        return;
    }
    nanosleep(&ts, NULL);
}

/* ---- before touching anything ------------------------------------------------ */

static int inj_check_exists(inj_t *in)
{
    char st = inj_proc_state(in->pid, 0);
    if (in->pid == getpid())
        return inj_fail(in, "cannot attach to heapql itself");
    if (st == 0)
        return inj_fail(in, "no such process: %d", (int)in->pid);
    if (st == 'Z' || st == 'X')
        return inj_fail(in, "process %d has exited (it is a zombie)", (int)in->pid);
    return 0;
}

/* Traced by someone else (a debugger, strace, another heapql attach). */
static int inj_check_tracer(inj_t *in)
{
    pid_t tids[INJ_MAX_THREADS];
    int n = inj_proc_tids(in->pid, tids, INJ_MAX_THREADS);
    char v[32], comm[64] = "";
    for (int i = -1; i < n; i++) {
        long tracer;
        if (inj_proc_status(in->pid, i < 0 ? 0 : tids[i], "TracerPid", v, sizeof v) != 0)
            continue;
        tracer = strtol(v, NULL, 10);
        if (tracer <= 0)
            continue;
        inj_proc_status((pid_t)tracer, 0, "Name", comm, sizeof comm);
        return inj_fail(in, "cannot attach: process %d is already being traced by process %ld%s%s%s "
                            "(a debugger or tracer; detach it first)", (int)in->pid, tracer,
                        comm[0] ? " (" : "", comm, comm[0] ? ")" : "");
    }
    return 0;
}

/* Opening /proc/PID/mem takes the same permission as ptrace itself. */
static int inj_check_permission(inj_t *in)
{
    char uid[128] = "?", path[64], yama[96] = "";
    int scope = inj_proc_ptrace_scope(), fd;
    snprintf(path, sizeof path, "/proc/%d/mem", (int)in->pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    if (errno != EACCES && errno != EPERM)
        return inj_fail(in, "cannot open %s: %s", path, strerror(errno));
    inj_proc_status(in->pid, 0, "Uid", uid, sizeof uid);
    uid[strcspn(uid, " \t")] = '\0';
    if (scope >= 0)
        snprintf(yama, sizeof yama, ", kernel.yama.ptrace_scope is %d", scope);
    else if (strtol(uid, NULL, 10) == (long)geteuid())
        snprintf(yama, sizeof yama, ", and it is not dumpable: setuid, or PR_SET_DUMPABLE 0");
    if (scope == 3)
        return inj_fail(in, "cannot attach to process %d: not permitted (ptrace is disabled on "
                            "this system: kernel.yama.ptrace_scope is 3)", (int)in->pid);
    return inj_fail(in, "cannot attach to process %d: not permitted (it runs as uid %s, heapql as "
                        "uid %d%s); run heapql as the same user with "
                        "/proc/sys/kernel/yama/ptrace_scope set to 0, or as root "
                        "(CAP_SYS_PTRACE)", (int)in->pid, uid, (int)geteuid(), yama);
}

static int inj_check_linking(inj_t *in)
{
    inj_match_t libc = {inj_libc_names, 0, 0, 0}, musl = {inj_musl_names, 0, 0, 0};
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/maps", (int)in->pid);
    if (stat(path, &st) != 0)
        return inj_fail(in, "no such process: %d", (int)in->pid);
    if (inj_proc_find(in->pid, &libc, &in->libc) == 0)
        return 0;
    if (inj_proc_find(in->pid, &musl, &in->libc) == 0)
        return inj_fail(in, "cannot attach: process %d uses musl, heapql needs glibc", (int)in->pid);
    if (inj_proc_status(in->pid, 0, "Kthread", path, sizeof path) == 0 && path[0] == '1')
        return inj_fail(in, "cannot attach: process %d is a kernel thread", (int)in->pid);
    return inj_fail(in, "cannot attach: %d is statically linked (no libc.so in /proc/%d/maps): "
                        "a library cannot be loaded into it", (int)in->pid, (int)in->pid);
}

/* The target opens the library by path: it must be the same file there. */
static int inj_check_visible(inj_t *in, const char *lib)
{
    char there[INJ_PATH + 64];
    struct stat a, b;
    if (stat(lib, &a) != 0)
        return inj_fail(in, "cannot use %s: %s", lib, strerror(errno));
    snprintf(there, sizeof there, "/proc/%d/root%s", (int)in->pid, lib);
    if (stat(there, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return inj_fail(in, "cannot attach: process %d runs in another mount namespace or chroot "
                            "(a container?): %s is not visible to it", (int)in->pid, lib);
    return 0;
}

static int inj_check_signals(inj_t *in)
{
    if (inj_proc_sig_in(in->pid, 0, "SigIgn", SIGSEGV))
        return inj_fail(in, "cannot attach: process %d ignores SIGSEGV, which the injected call "
                            "uses to hand control back", (int)in->pid);
    return 0;
}

int cli_inject_check(pid_t pid, const char *lib, char *err, size_t errlen)
{
    inj_t in = {.pid = pid, .mem = -1, .err = err, .errlen = errlen};
#if !defined(__x86_64__)
    (void)lib;
    return inj_fail(&in, "heapql attach supports x86-64 processes only");
#else
    if (pid <= 0)
        return inj_fail(&in, "no such process: %d", (int)pid);
    return inj_check_exists(&in) || inj_check_permission(&in) || inj_check_tracer(&in) ||
                   inj_check_linking(&in) || inj_check_visible(&in, lib) ||
                   inj_check_signals(&in)
               ? -1
               : 0;
#endif
}

/* ---- borrowing a thread --------------------------------------------------------- */

static void inj_nap(inj_t *in, unsigned attempt)
{
    uint64_t until = inj_now() + 1000000ull + (attempt * 7919u) % 2000000u;
    while (inj_now() < until)
        inj_idle(in);
}

/* Try thread tid: 1 borrowed (stopped at a safe point), 0 not now, or
 * CLI_INJECT_GONE.  blocked: only if it stopped inside a system call. */
static int inj_try_thread(inj_t *in, pid_t tid, int blocked, char *why, size_t len)
{
    char st = inj_proc_state(in->pid, tid);
    int rc;
    if (st == 0 || st == 'D' || st == 'Z' || st == 'X' || st == 't' ||
        inj_proc_sig_in(in->pid, tid, "SigBlk", SIGSEGV))
        return 0;
    rc = inj_stop(in, tid);
    if (rc == CLI_INJECT_GONE)
        return rc;
    if (rc != CLI_INJECT_OK) {
        inj_release(in);
        return 0;
    }
    if ((!blocked || inj_safe_in_syscall(in)) && inj_safe_point(in, why, len) == 1)
        return 1;
    inj_release(in);
    return 0;
}

/* One round over the threads, those blocked in a system call first (a
 * quiet moment of the program: between two requests of a server, say);
 * in the first rounds only those. */
static int inj_round(inj_t *in, unsigned attempt, char *why, size_t len)
{
    pid_t tids[INJ_MAX_THREADS];
    int n = inj_proc_tids(in->pid, tids, INJ_MAX_THREADS);
    if (n <= 0)
        return CLI_INJECT_GONE;
    for (int pass = 0; pass < (attempt < INJ_BLOCKED_ROUNDS ? 1 : 2); pass++)
        for (int k = 0; k < n; k++) {
            pid_t tid = tids[(k + attempt) % (unsigned)n];
            int rc;
            if ((inj_proc_syscall(in->pid, tid) >= 0) != (pass == 0))
                continue;
            rc = inj_try_thread(in, tid, pass == 0, why, len);
            if (rc != 0)
                return rc;
        }
    return 0;
}

static int inj_borrow(inj_t *in)
{
    unsigned ms = in->cfg->borrow_ms ? in->cfg->borrow_ms : INJ_BORROW_MS;
    uint64_t deadline = inj_now() + (uint64_t)ms * 1000000ull;
    char why[160] = "no thread could be stopped";
    if (inj_safe_open(in) != 0)
        return CLI_INJECT_ERROR;
    for (unsigned attempt = 0; inj_now() < deadline; attempt++) {
        int rc = inj_round(in, attempt, why, sizeof why);
        if (rc == 1)
            return CLI_INJECT_OK;
        if (rc == CLI_INJECT_GONE)
            return rc;
        inj_nap(in, attempt);
    }
    inj_fail(in, "no thread of process %d reached a point where it may call into a library "
                 "within %.1f s (the last one tried was %s); try again", (int)in->pid,
             ms / 1000.0, why);
    return CLI_INJECT_BUSY;
}

/* Test hook: keep the thread stopped a while (the target may die meanwhile). */
static int inj_pause(inj_t *in)
{
    uint64_t until = inj_now() + (uint64_t)in->cfg->pause_ms * 1000000ull;
    while (inj_now() < until) {
        char st = inj_proc_state(in->pid, 0);
        if (st == 0 || st == 'Z' || st == 'X' || inj_proc_state(in->pid, in->tid) == 'Z')
            return CLI_INJECT_GONE;
        inj_nap(in, 0);
    }
    return CLI_INJECT_OK;
}

/* ---- the calls ---------------------------------------------------------------- */

static int inj_find_lib(inj_t *in)
{
    struct stat st;
    inj_match_t m = {NULL, 0, 0, 0};
    if (stat(in->cfg->lib, &st) != 0)
        return -1;
    m.ino = (unsigned long long)st.st_ino;
    m.dev_major = major(st.st_dev);
    m.dev_minor = minor(st.st_dev);
    return inj_proc_find(in->pid, &m, &in->shim);
}

/* dlopen(lib) in the target; on failure dlerror()'s text. */
static int inj_dlopen(inj_t *in)
{
    uintptr_t dlopen_fn, dlerror_fn, path;
    uint64_t h = 0, msg = 0;
    char text[256] = "";
    int rc;
    if (inj_elf_sym(in, &in->libc, "dlopen", &dlopen_fn) != 0 ||
        inj_push_str(in, in->cfg->lib, &path) != 0)
        return CLI_INJECT_ERROR;
    if ((rc = inj_call(in, dlopen_fn, path, INJ_RTLD_NOW, &h)) != CLI_INJECT_OK)
        return rc;
    if (h && inj_find_lib(in) == 0)
        return CLI_INJECT_OK;
    if (inj_elf_sym(in, &in->libc, "dlerror", &dlerror_fn) == 0 &&
        inj_call(in, dlerror_fn, 0, 0, &msg) == CLI_INJECT_OK && msg)
        inj_mem_read(in, (uintptr_t)msg, text, sizeof text - 1);
    text[sizeof text - 1] = '\0';
    return inj_fail(in, "process %d could not load %s: %s", (int)in->pid, in->cfg->lib,
                    text[0] ? text : "dlopen failed");
}

static int inj_entry(inj_t *in, const char *fn, const char *arg, int *ret)
{
    uintptr_t f, a = 0;
    uint64_t rax = 0;
    int rc;
    if (!in->shim.found && (rc = inj_dlopen(in)) != CLI_INJECT_OK)
        return rc;
    if (inj_elf_sym(in, &in->shim, fn, &f) != 0 || (arg && inj_push_str(in, arg, &a) != 0))
        return CLI_INJECT_ERROR;
    rc = inj_call(in, f, a, 0, &rax);
    *ret = (int)(uint32_t)rax;
    return rc;
}

static int inj_open(inj_t *in)
{
    char path[64];
    inj_match_t libc = {inj_libc_names, 0, 0, 0};
    snprintf(path, sizeof path, "/proc/%d/mem", (int)in->pid);
    in->mem = open(path, O_RDWR | O_CLOEXEC);
    if (in->mem < 0)
        return errno == ENOENT || errno == ESRCH
                   ? CLI_INJECT_GONE
                   : inj_fail(in, "cannot open %s: %s", path, strerror(errno));
    if (inj_proc_find(in->pid, &libc, &in->libc) != 0)
        return inj_proc_state(in->pid, 0) ? inj_fail(in, "no libc.so in process %d", (int)in->pid)
                                          : CLI_INJECT_GONE;
    inj_find_lib(in); /* loaded already: a second attach */
    return CLI_INJECT_OK;
}

int cli_inject_run(const cli_inject_cfg_t *cfg, const char *fn, const char *arg, int *ret,
                   char *err, size_t errlen)
{
    inj_t in = {.cfg = cfg, .pid = cfg->pid, .mem = -1, .err = err, .errlen = errlen};
    int rc;
    err[0] = '\0';
    rc = inj_open(&in);
    if (rc == CLI_INJECT_OK)
        rc = inj_borrow(&in);
    if (rc == CLI_INJECT_OK && cfg->pause_ms)
        rc = inj_pause(&in);
    if (rc == CLI_INJECT_OK)
        rc = inj_entry(&in, fn, arg, ret);
    inj_release(&in);
    inj_safe_close(&in);
    if (in.mem >= 0)
        close(in.mem);
    if (rc == CLI_INJECT_GONE)
        snprintf(err, errlen, "process %d exited during attach", (int)cfg->pid);
    return rc == CLI_INJECT_OK || rc == CLI_INJECT_GONE || rc == CLI_INJECT_BUSY ? rc
                                                                               : CLI_INJECT_ERROR;
}
