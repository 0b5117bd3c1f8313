/*
 * cli_inject.h -- making a running process call into libheapql.so, for
 * `heapql attach` (docs/ATTACH.md).  x86-64 Linux, glibc targets.
 *
 * One thread of the target is borrowed with ptrace (PTRACE_SEIZE +
 * PTRACE_INTERRUPT: the other threads keep running), at a moment where it
 * holds no lock the loader needs: blocked in a system call such as read()
 * or poll(), or running the program's own code with no C library frame
 * between it and the bottom of its stack (cli_inject_safe.c).  Its
 * registers are saved, it is made to call dlopen() and then the shim's
 * entry point, and its registers are put back, interrupted system call
 * included (the kernel restarts it).  Nothing is written into the target
 * but the strings on that thread's stack, below its red zone.
 *
 * Library code: 0 / -1 with one line in the caller's err buffer.
 */
#ifndef CLI_INJECT_H
#define CLI_INJECT_H

#include <stddef.h>
#include <sys/types.h>

/* Called about every millisecond while the target runs an injected call:
 * the collector serves the shim's handshake meanwhile. */
typedef void (*cli_inject_tick_t)(void *ctx);

typedef struct cli_inject_cfg_s {
    pid_t pid;
    const char *lib;       /* absolute path of libheapql.so */
    cli_inject_tick_t tick;
    void *ctx;
    unsigned pause_ms;     /* test hook: hold the borrowed thread this long first */
    unsigned borrow_ms;    /* give up finding a safe point after this long (0: 10 s) */
} cli_inject_cfg_t;

enum cli_inject_rc {
    CLI_INJECT_OK = 0,
    CLI_INJECT_ERROR = -1,
    CLI_INJECT_GONE = -2,  /* the target ended meanwhile */
    CLI_INJECT_BUSY = -3   /* no thread reached a safe point in time: nothing was done */
};

/* Everything that can be said before touching the process: it exists, is
 * not a kernel thread, is dynamically linked (libc.so in its maps), sees
 * lib at the same path, is not traced already, and may be traced by us
 * (uid, Yama ptrace_scope).  0, or -1 with the reason in err. */
int cli_inject_check(pid_t pid, const char *lib, char *err, size_t errlen);

/* Load cfg->lib into the target unless it is there already, then call its
 * function fn with arg (a string copied into the target) or with no
 * argument (arg NULL); *ret gets the int it returned.  Returns enum
 * cli_inject_rc. */
int cli_inject_run(const cli_inject_cfg_t *cfg, const char *fn, const char *arg, int *ret,
                   char *err, size_t errlen);

#endif
