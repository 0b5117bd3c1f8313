/*
 * cli_inject_int.h -- what the injector's files share (cli_inject.h says
 * what it does).
 *
 *   cli_inject.c        checks before attaching, one injection from start to end
 *   cli_inject_proc.c   /proc/PID: status fields, maps, threads, system calls
 *   cli_inject_elf.c    symbols of an object, read from the target's memory
 *   cli_inject_ptrace.c borrowing a thread, its memory, a call made by it
 *   cli_inject_safe.c   whether a stopped thread may call the loader
 */
#ifndef CLI_INJECT_INT_H
#define CLI_INJECT_INT_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "cli_inject.h"

#define INJ_PATH 4096
#define INJ_MAX_SIGS 32

/* An ELF object mapped in the target, as /proc/PID/maps shows it. */
typedef struct inj_obj_s {
    int found;
    uintptr_t lo, hi;   /* from its first to its last mapping */
    uintptr_t base;     /* its mapping at file offset 0: the ELF header */
    unsigned long long ino;
    unsigned dev_major, dev_minor;
    char path[INJ_PATH];
} inj_obj_t;

typedef struct inj_s {
    const cli_inject_cfg_t *cfg;
    pid_t pid, tid;          /* tid: the borrowed thread (0: none) */
    int mem;                 /* /proc/PID/mem */
    int stopped;             /* tid is seized and stopped by us */
    int regs_changed;        /* a call changed its registers: saved must go back */
    struct user_regs_struct saved;
    int sigs[INJ_MAX_SIGS];  /* signals held back, delivered when it is released */
    int nsigs;
    uintptr_t scratch;       /* strings go below this, on the thread's stack */
    inj_obj_t libc, ld, shim;
    void *dwfl;              /* cli_inject_safe.c */
    char *err;
    size_t errlen;
    uint64_t last_tick;
} inj_t;

/* Write the one-line message (printf format) into in->err; returns -1. */
int inj_fail(inj_t *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A short wait while the target works: the collector's tick at most every
 * INJ_TICK_NS (a tick may drain a full ring: tens of milliseconds), a
 * 100 us nap otherwise. */
void inj_idle(inj_t *in);
uint64_t inj_now(void);

/* ---- /proc (cli_inject_proc.c) ---------------------------------------------- */
/* The value of "Key:" in /proc/PID/status (tid 0) or /proc/PID/task/TID/status. */
int inj_proc_status(pid_t pid, pid_t tid, const char *key, char *out, size_t len);
/* A signal's bit in a SigBlk/SigIgn/... mask of that file. */
int inj_proc_sig_in(pid_t pid, pid_t tid, const char *key, int sig);
/* The first object whose path matches: basename begins with one of the
 * NULL-terminated prefixes, or (ino != 0) that device and inode. */
typedef struct inj_match_s {
    const char *const *prefixes;
    unsigned long long ino;
    unsigned dev_major, dev_minor;
} inj_match_t;
int inj_proc_find(pid_t pid, const inj_match_t *m, inj_obj_t *o);
/* Thread ids of pid, at most max.  Returns the count, -1 if pid is gone. */
int inj_proc_tids(pid_t pid, pid_t *tids, int max);
/* The system call tid is blocked in (/proc/.../syscall), -1 if none. */
long inj_proc_syscall(pid_t pid, pid_t tid);
/* State letter of the thread (R, S, D, T, t, Z...), 0 if unknown. */
char inj_proc_state(pid_t pid, pid_t tid);
/* /proc/sys/kernel/yama/ptrace_scope, -1 without Yama. */
int inj_proc_ptrace_scope(void);

/* ---- symbols (cli_inject_elf.c) ----------------------------------------------- */
/* Address of the dynamic symbol name (default version preferred) of the
 * object o, read from the target's memory.  0, or -1 (in->err). */
int inj_elf_sym(inj_t *in, const inj_obj_t *o, const char *name, uintptr_t *addr);

/* ---- ptrace (cli_inject_ptrace.c) --------------------------------------------- */
int inj_mem_read(inj_t *in, uintptr_t addr, void *buf, size_t len);
int inj_mem_write(inj_t *in, uintptr_t addr, const void *buf, size_t len);
/* Seize tid and stop it; its registers in in->saved.  enum cli_inject_rc;
 * CLI_INJECT_ERROR when it did not stop (skip it). */
int inj_stop(inj_t *in, pid_t tid);
/* Registers back if changed, held signals delivered, detached. */
void inj_release(inj_t *in);
/* Copy s onto the borrowed thread's stack; *addr its address there. */
int inj_push_str(inj_t *in, const char *s, uintptr_t *addr);
/* Make the borrowed thread call fn(a0, a1); *ret its rax.  enum cli_inject_rc. */
int inj_call(inj_t *in, uintptr_t fn, uint64_t a0, uint64_t a1, uint64_t *ret);

/* ---- safe points (cli_inject_safe.c) ---------------------------------------- */
int inj_safe_open(inj_t *in);
void inj_safe_close(inj_t *in);
/* 1 when the stop caught the thread inside a system call. */
int inj_safe_in_syscall(const inj_t *in);
/* 1 when the stopped thread may call the loader, 0 when not (why says
 * where it is), -1 on error. */
int inj_safe_point(inj_t *in, char *why, size_t len);

#endif
