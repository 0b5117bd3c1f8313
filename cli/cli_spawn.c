/* cli_spawn.c -- see cli_spawn.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_spawn.h"

extern char **environ;

static int spawn_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    return access(path, X_OK) == 0 ? 0 : errno;
}

int cli_find_program(const char *prog, char *buf, size_t len)
{
    const char *pathvar = getenv("PATH");
    int last = ENOENT;
    if (!*prog)
        return ENOENT;
    if (strchr(prog, '/')) {
        int rc = spawn_executable(prog);
        if (rc == 0)
            snprintf(buf, len, "%s", prog);
        return rc;
    }
    if (!pathvar)
        pathvar = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = pathvar;; p++) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char cand[PATH_MAX];
        if (n == 0)
            snprintf(cand, sizeof cand, "./%s", prog);
        else
            snprintf(cand, sizeof cand, "%.*s/%s", (int)n, p, prog);
        int rc = spawn_executable(cand);
        if (rc == 0) {
            snprintf(buf, len, "%s", cand);
            return 0;
        }
        if (rc != ENOENT && rc != ENOTDIR)
            last = rc;
        if (!end)
            break;
        p = end;
    }
    return last;
}

static int env_ours(const char *entry)
{
    static const char *const names[] = {"LD_PRELOAD=", "HEAPQL_SOCKET=", "HEAPQL_OUTPUT="};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(entry, names[i], strlen(names[i])) == 0)
            return 1;
    return 0;
}

char **cli_env_build(const char *shim, const char *socket_path)
{
    const char *old = getenv("LD_PRELOAD");
    size_t n = 0, k = 0;
    char **env;
    while (environ[n])
        n++;
    env = calloc(n + 3, sizeof *env);
    if (!env)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!env_ours(environ[i]) && !(env[k++] = strdup(environ[i])))
            goto fail;
    if (asprintf(&env[k++], "LD_PRELOAD=%s%s%s", shim, old && *old ? " " : "",
                 old && *old ? old : "") < 0 ||
        asprintf(&env[k++], "HEAPQL_SOCKET=%s", socket_path) < 0) {
        env[--k] = NULL;
        goto fail;
    }
    return env;
fail:
    cli_env_free(env);
    return NULL;
}

void cli_env_free(char **env)
{
    if (!env)
        return;
    for (size_t i = 0; env[i]; i++)
        free(env[i]);
    free(env);
}

/* In the child: wait at the gate, then exec; report a failed exec. */
static void spawn_child(const cli_child_t *c, int gate, int errw, const char *path,
                        char *const argv[], char *const envp[])
{
    char go = 0;
    ssize_t n;
    if ((c->in_fd >= 0 && dup2(c->in_fd, 0) < 0) ||
        (c->out_fd >= 0 && (dup2(c->out_fd, 1) < 0 || dup2(c->out_fd, 2) < 0)))
        _exit(127);
    do
        n = read(gate, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1 || go != 'g')
        _exit(127);
    close(gate);
    execve(path, argv, envp);
    int e = errno;
    if (write(errw, &e, sizeof e) < 0) {
        /* nothing more to say: the parent sees EOF and a 127 status */
    }
    _exit(127);
}

int cli_spawn_gated(cli_child_t *c, const char *path, char *const argv[], char *const envp[])
{
    int gate[2], err[2];
    if (pipe2(gate, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(gate[0]);
        close(gate[1]);
        return -1;
    }
    c->pid = fork();
    if (c->pid < 0) {
        int e = errno;
        close(gate[0]); close(gate[1]); close(err[0]); close(err[1]);
        errno = e;
        return -1;
    }
    if (c->pid == 0) {
        close(gate[1]);
        close(err[0]);
        spawn_child(c, gate[0], err[1], path, argv, envp);
    }
    close(gate[0]);
    close(err[1]);
    c->gate_fd = gate[1];
    c->err_fd = err[0];
    return 0;
}

int cli_spawn_release(cli_child_t *c)
{
    int e = 0;
    ssize_t n;
    if (write(c->gate_fd, "g", 1) != 1) {
        cli_spawn_abort(c);
        return EPIPE;
    }
    close(c->gate_fd);
    c->gate_fd = -1;
    do
        n = read(c->err_fd, &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(c->err_fd);
    c->err_fd = -1;
    if (n == (ssize_t)sizeof e && e != 0) {
        waitpid(c->pid, NULL, 0);
        return e;
    }
    return 0;
}

void cli_spawn_abort(cli_child_t *c)
{
    if (c->gate_fd >= 0)
        close(c->gate_fd);
    if (c->err_fd >= 0)
        close(c->err_fd);
    c->gate_fd = c->err_fd = -1;
    waitpid(c->pid, NULL, 0);
}
