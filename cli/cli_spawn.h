/*
 * cli_spawn.h -- start the program to record, held at a gate: the child is
 * forked first (so its pid names the database), waits until the collector
 * is ready, and only then execs.  A failed exec is reported back through a
 * close-on-exec pipe, so `heapql run` can tell "not started" from "exited".
 */
#ifndef CLI_SPAWN_H
#define CLI_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

typedef struct cli_child_s {
    pid_t pid;
    int gate_fd; /* write end: one byte opens the gate */
    int err_fd;  /* read end: errno of a failed exec, or EOF after exec */
    int in_fd;   /* >= 0: becomes the child's stdin (set before spawning) */
    int out_fd;  /* >= 0: becomes the child's stdout and stderr */
} cli_child_t;

/* Resolve prog as execvp would (PATH search unless it contains '/').
 * Returns 0 with the path in buf, or an errno value (ENOENT, EACCES...). */
int cli_find_program(const char *prog, char *buf, size_t len);

/* Environment for the child: the current one without LD_PRELOAD and heapql
 * variables, plus LD_PRELOAD=<shim>[ <previous LD_PRELOAD>] and
 * HEAPQL_SOCKET=<socket>.  NULL-terminated, heap-allocated; free with
 * cli_env_free. */
char **cli_env_build(const char *shim, const char *socket_path);
void cli_env_free(char **env);

/* Fork the gated child (set c->in_fd / c->out_fd first, -1 to inherit).  Returns 0, or -1 with errno set. */
int cli_spawn_gated(cli_child_t *c, const char *path, char *const argv[], char *const envp[]);

/* Open the gate.  Returns 0 when the exec succeeded, else the exec's errno
 * (the child has exited with 127 and been reaped). */
int cli_spawn_release(cli_child_t *c);

/* Close the gate without exec: the child exits; it is reaped. */
void cli_spawn_abort(cli_child_t *c);

#endif
