/*
 * shim_spawn.c -- standalone use (`LD_PRELOAD=libheapql.so
 * HEAPQL_OUTPUT=out.db ./prog`): the shim starts `heapql collect` itself.
 *
 *   private dir (mkdtemp under $TMPDIR or /tmp) + listening SOCK_SEQPACKET
 *   socket in it; raw clone twice (no atfork handlers of the program run,
 *   and the intermediate has no exit signal: the program sees neither a
 *   SIGCHLD nor a child); the grandchild starts its own session, takes
 *   /dev/null as stdin, keeps only stdout/stderr and the listening socket
 *   (as fd 3), drops LD_PRELOAD from its environment and execs
 *     heapql collect --listen-fd 3 --socket PATH --output OUT --root PID [--depth D]
 *   A CLOEXEC pipe tells the parent whether the exec happened.
 *
 * The heapql binary: $HEAPQL_BIN, else <dir of libheapql.so>/../bin/heapql
 * (build tree), else <dir>/../../bin/heapql (installed in lib/heapql/).
 * Everything after the clone is async-signal-safe and allocation-free.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#define SPAWN_LISTEN_FD 3
#define SPAWN_STATUS_FD 4
#define SPAWN_ENV_MAX 4096
#define SPAWN_FD_SCAN 65536

extern char **environ;

typedef struct spawn_s {
    char dir[PATH_MAX];
    char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
    char bin[PATH_MAX];
    char root[24];
    const char *argv[14];
    int lfd;
} spawn_t;

static spawn_t spawn; /* static: the grandchild reads it after the clone */
static const char *spawn_envp[SPAWN_ENV_MAX + 1];

static int spawn_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || tmp[0] != '/' || shim_concat(spawn.dir, sizeof spawn.dir, tmp, "/heapql.XXXXXX", NULL))
        shim_concat(spawn.dir, sizeof spawn.dir, "/tmp/heapql.XXXXXX", NULL);
    if (!mkdtemp(spawn.dir))
        return -1;
    if (shim_concat(spawn.sock, sizeof spawn.sock, spawn.dir, "/sock", NULL) == 0)
        return 0;
    rmdir(spawn.dir);
    return -1;
}

static int spawn_listen(void)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    memcpy(addr.sun_path, spawn.sock, strlen(spawn.sock) + 1);
    if (s < 0)
        return -1;
    if (bind(s, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s, SOMAXCONN) != 0) {
        close(s);
        return -1;
    }
    return s;
}

static int spawn_try_bin(const char *dir, const char *rel)
{
    if (shim_concat(spawn.bin, sizeof spawn.bin, dir, rel, NULL) != 0)
        return -1;
    return access(spawn.bin, X_OK);
}

static int spawn_find_bin(void)
{
    const char *env = getenv("HEAPQL_BIN");
    char dir[PATH_MAX];
    Dl_info info;
    char *slash;
    if (env && *env)
        return spawn_try_bin(env, "");
    if (!dladdr((void *)&spawn_find_bin, &info) || !info.dli_fname ||
        shim_concat(dir, sizeof dir, info.dli_fname, NULL) != 0)
        return -1;
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        shim_concat(dir, sizeof dir, ".", NULL);
    if (spawn_try_bin(dir, "/../bin/heapql") == 0)
        return 0;
    return spawn_try_bin(dir, "/../../bin/heapql");
}

static void spawn_args(const char *output)
{
    const char *depth = getenv(HQ_ENV_DEPTH);
    const char **a = spawn.argv;
    shim_utoa((uint64_t)getpid(), spawn.root);
    *a++ = spawn.bin;
    *a++ = "collect";
    *a++ = "--listen-fd";
    *a++ = "3";
    *a++ = "--socket";
    *a++ = spawn.sock;
    *a++ = "--output";
    *a++ = output;
    *a++ = "--root";
    *a++ = spawn.root;
    if (depth && *depth) {
        *a++ = "--depth";
        *a++ = depth;
    }
    *a = NULL;
}

/* The environment minus LD_PRELOAD: the collector must not load the shim. */
static void spawn_env(void)
{
    size_t n = 0;
    for (char **e = environ; e && *e && n < SPAWN_ENV_MAX; e++)
        if (strncmp(*e, "LD_PRELOAD=", 11) != 0)
            spawn_envp[n++] = *e;
    spawn_envp[n] = NULL;
}

static void spawn_close_rest(void)
{
    if (syscall(SYS_close_range, SPAWN_STATUS_FD + 1, ~0u, 0) == 0)
        return;
    for (int fd = SPAWN_STATUS_FD + 1; fd < SPAWN_FD_SCAN; fd++)
        close(fd);
}

/* The grandchild: never returns. */
static void spawn_exec(int status_fd)
{
    sigset_t none;
    int lfd = fcntl(spawn.lfd, F_DUPFD, 10), sfd = fcntl(status_fd, F_DUPFD, 10), err, nul;
    if (lfd < 0 || sfd < 0 || dup2(lfd, SPAWN_LISTEN_FD) < 0 ||
        dup3(sfd, SPAWN_STATUS_FD, O_CLOEXEC) < 0)
        syscall(SYS_exit_group, 127);
    spawn_close_rest();
    nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nul >= 0 && nul != 0)
        dup2(nul, 0);
    setsid();
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    spawn_env();
    execve(spawn.bin, (char *const *)spawn.argv, (char *const *)spawn_envp);
    err = errno;
    if (write(SPAWN_STATUS_FD, &err, sizeof err) < 0)
        err = 0;
    syscall(SYS_exit_group, 127);
}

/* Double fork by raw clone; 0 once heapql collect runs. */
static int spawn_run(void)
{
    int pipefd[2], err = 0, status;
    long pid;
    ssize_t n;
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return -1;
    pid = syscall(SYS_clone, 0UL, NULL, NULL, NULL, NULL);
    if (pid == 0) {
        long grandchild = syscall(SYS_clone, (unsigned long)SIGCHLD, NULL, NULL, NULL, NULL);
        if (grandchild == 0) {
            close(pipefd[0]);
            spawn_exec(pipefd[1]);
        }
        err = errno;
        if (grandchild < 0 && write(pipefd[1], &err, sizeof err) < 0)
            err = 0;
        syscall(SYS_exit_group, 0);
    }
    close(pipefd[1]);
    if (pid > 0)
        while (waitpid((pid_t)pid, &status, __WALL) < 0 && errno == EINTR)
            ;
    do
        n = pid > 0 ? read(pipefd[0], &err, sizeof err) : -1;
    while (n < 0 && errno == EINTR);
    close(pipefd[0]);
    return n == 0 ? 0 : -1;
}

int shim_spawn_collector(const char *output, char *sock, size_t socklen)
{
    int rc = -1;
    if (spawn_find_bin() != 0 || spawn_dir() != 0)
        return -1;
    spawn.lfd = spawn_listen();
    if (spawn.lfd >= 0) {
        spawn_args(output);
        rc = spawn_run();
        close(spawn.lfd);
    }
    if (rc == 0 && shim_concat(sock, socklen, spawn.sock, NULL) == 0)
        return 0;
    unlink(spawn.sock);
    rmdir(spawn.dir);
    return -1;
}
