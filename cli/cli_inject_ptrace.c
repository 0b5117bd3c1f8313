/*
 * cli_inject_ptrace.c -- one thread of the target, borrowed (x86-64).
 *
 * inj_stop: PTRACE_SEIZE (nothing is sent: the thread runs on), then
 * PTRACE_INTERRUPT and a wait for the stop.  A thread blocked in a system
 * call stops inside it: orig_rax names the call, rax holds -ERESTART*.
 * A signal that was pending shows up as the stop instead; it is held back.
 *
 * inj_call: a frame below the red zone and the strings pushed there,
 * 16-byte aligned at the call, return address 0; rip = fn, rdi/rsi the
 * arguments, orig_rax = -1 so that this resume restarts no system call.
 * When fn returns to 0 the thread faults: a SIGSEGV stop at rip 0 with the
 * frame popped is the end of the call (rax the result; the signal is
 * suppressed).  Asynchronous signals arriving meanwhile are held back; a
 * fault anywhere else means the call crashed.
 *
 * inj_release: the saved registers go back, orig_rax and rax included, so
 * that on resume the kernel restarts an interrupted read() exactly as it
 * would after any signal; held signals are delivered; PTRACE_DETACH.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_inject_int.h"

#define PTRACE_RED_ZONE 128u
#define PTRACE_MARGIN 256u        /* between the red zone and our strings */
#define PTRACE_STRINGS_MAX 8192u  /* bytes of strings per borrowed thread */
#define PTRACE_X86_DF 0x400ull    /* the ABI wants the direction flag clear at a call */

int inj_mem_read(inj_t *in, uintptr_t addr, void *buf, size_t len)
{
    ssize_t n = pread(in->mem, buf, len, (off_t)addr);
    if (n == (ssize_t)len)
        return 0;
    return inj_fail(in, "cannot read the memory of process %d at %#lx: %s", (int)in->pid,
                    (unsigned long)addr, n < 0 ? strerror(errno) : "short read");
}

int inj_mem_write(inj_t *in, uintptr_t addr, const void *buf, size_t len)
{
    ssize_t n = pwrite(in->mem, buf, len, (off_t)addr);
    if (n == (ssize_t)len)
        return 0;
    return inj_fail(in, "cannot write the memory of process %d at %#lx: %s", (int)in->pid,
                    (unsigned long)addr, n < 0 ? strerror(errno) : "short write");
}

#if defined(__x86_64__)
/* waitpid for tid without blocking the collector.  Returns the pid, -1. */
static pid_t ptrace_wait(inj_t *in, pid_t tid, int *st)
{
    for (;;) {
        pid_t w = waitpid(tid, st, __WALL | WNOHANG);
        if (w != 0 && !(w < 0 && errno == EINTR))
            return w;
        inj_idle(in);
    }
}

static void ptrace_hold(inj_t *in, int sig)
{
    if (in->nsigs < INJ_MAX_SIGS)
        in->sigs[in->nsigs++] = sig;
}

static int ptrace_process_gone(inj_t *in)
{
    char st = inj_proc_state(in->pid, 0);
    return st == 0 || st == 'Z' || st == 'X';
}

int inj_stop(inj_t *in, pid_t tid)
{
    int st;
    if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) != 0) {
        if (errno == ESRCH)
            return ptrace_process_gone(in) ? CLI_INJECT_GONE : CLI_INJECT_ERROR;
        return inj_fail(in, "cannot trace thread %d of process %d: %s", (int)tid, (int)in->pid,
                        strerror(errno));
    }
    in->tid = tid;
    in->nsigs = 0;
    in->regs_changed = 0;
    if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0 || ptrace_wait(in, tid, &st) != tid) {
        in->tid = 0;
        return ptrace_process_gone(in) ? CLI_INJECT_GONE : CLI_INJECT_ERROR;
    }
    if (WIFEXITED(st) || WIFSIGNALED(st)) {
        in->tid = 0; /* that thread ended; the process may live on */
        return ptrace_process_gone(in) ? CLI_INJECT_GONE : CLI_INJECT_ERROR;
    }
    in->stopped = 1;
    if ((st >> 16) == 0)
        ptrace_hold(in, WSTOPSIG(st)); /* a signal was on its way: later */
    if (ptrace(PTRACE_GETREGS, tid, NULL, &in->saved) != 0)
        return inj_fail(in, "cannot read the registers of thread %d: %s", (int)tid,
                        strerror(errno));
    in->scratch = (uintptr_t)in->saved.rsp - PTRACE_RED_ZONE - PTRACE_MARGIN;
    return CLI_INJECT_OK;
}

void inj_release(inj_t *in)
{
    int first = in->nsigs ? in->sigs[0] : 0;
    if (!in->stopped)
        return;
    if (in->regs_changed)
        ptrace(PTRACE_SETREGS, in->tid, NULL, &in->saved);
    /* a signal given to PTRACE_DETACH is delivered only from a signal stop:
     * after a call the thread sits in one (the SIGSEGV of its return) */
    if (ptrace(PTRACE_DETACH, in->tid, NULL, (void *)(long)(in->regs_changed ? first : 0)) == 0)
        for (int i = in->regs_changed ? 1 : 0; i < in->nsigs; i++)
            syscall(SYS_tgkill, in->pid, in->tid, in->sigs[i]);
    in->stopped = in->regs_changed = 0;
    in->nsigs = 0;
    in->tid = 0;
}

int inj_push_str(inj_t *in, const char *s, uintptr_t *addr)
{
    size_t n = strlen(s) + 1;
    uintptr_t top = (uintptr_t)in->saved.rsp - PTRACE_RED_ZONE - PTRACE_MARGIN;
    if (n > PTRACE_STRINGS_MAX || top - (in->scratch - n) > PTRACE_STRINGS_MAX)
        return inj_fail(in, "string too long for the target's stack");
    in->scratch = (in->scratch - n) & ~(uintptr_t)7;
    *addr = in->scratch;
    return inj_mem_write(in, in->scratch, s, n);
}

static int ptrace_is_fault(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

/* Run the thread until the call returns to 0.  enum cli_inject_rc. */
static int ptrace_finish_call(inj_t *in, uintptr_t sp, uint64_t *ret)
{
    struct user_regs_struct r;
    int st, sig;
    for (;;) {
        if (ptrace_wait(in, in->tid, &st) != in->tid || WIFEXITED(st) || WIFSIGNALED(st)) {
            in->stopped = 0;
            return ptrace_process_gone(in) ? CLI_INJECT_GONE
                                           : inj_fail(in, "the borrowed thread %d ended during "
                                                          "the call", (int)in->tid);
        }
        sig = WSTOPSIG(st);
        if ((st >> 16) == 0 && ptrace_is_fault(sig))
            break;
        if ((st >> 16) == 0)
            ptrace_hold(in, sig);
        ptrace(PTRACE_CONT, in->tid, NULL, NULL);
    }
    if (ptrace(PTRACE_GETREGS, in->tid, NULL, &r) != 0)
        return inj_fail(in, "cannot read the registers of thread %d: %s", (int)in->tid,
                        strerror(errno));
    if (sig == SIGSEGV && r.rip == 0 && r.rsp == sp + 8) {
        *ret = r.rax;
        return CLI_INJECT_OK;
    }
    return inj_fail(in, "the call made in process %d faulted (signal %d at %#llx); the process "
                        "may be damaged", (int)in->pid, sig, (unsigned long long)r.rip);
}

int inj_call(inj_t *in, uintptr_t fn, uint64_t a0, uint64_t a1, uint64_t *ret)
{
    struct user_regs_struct r = in->saved;
    uintptr_t sp = ((in->scratch - 64) & ~(uintptr_t)15) - 8; /* rsp % 16 == 8 at entry */
    uint64_t zero = 0;
    if (inj_mem_write(in, sp, &zero, sizeof zero) != 0)
        return CLI_INJECT_ERROR;
    r.rsp = sp;
    r.rip = fn;
    r.rdi = a0;
    r.rsi = a1;
    r.rax = 0;
    r.orig_rax = (unsigned long long)-1;
    r.eflags &= ~PTRACE_X86_DF;
    if (ptrace(PTRACE_SETREGS, in->tid, NULL, &r) != 0)
        return inj_fail(in, "cannot set the registers of thread %d: %s", (int)in->tid,
                        strerror(errno));
    in->regs_changed = 1;
    if (ptrace(PTRACE_CONT, in->tid, NULL, NULL) != 0)
        return inj_fail(in, "cannot resume thread %d: %s", (int)in->tid, strerror(errno));
    return ptrace_finish_call(in, sp, ret);
}
#else /* the registers above are x86-64's: elsewhere cli_inject_check refuses */
int inj_stop(inj_t *in, pid_t tid)
{
    (void)tid;
    return inj_fail(in, "heapql attach supports x86-64 processes only");
}

void inj_release(inj_t *in)
{
    (void)in;
}

int inj_push_str(inj_t *in, const char *s, uintptr_t *addr)
{
    (void)s, (void)addr;
    return inj_fail(in, "heapql attach supports x86-64 processes only");
}

int inj_call(inj_t *in, uintptr_t fn, uint64_t a0, uint64_t a1, uint64_t *ret)
{
    (void)fn, (void)a0, (void)a1, (void)ret;
    return inj_fail(in, "heapql attach supports x86-64 processes only");
}
#endif
