/*
 * cmd_run.c -- `heapql run [options] -- PROG ARGS...`: start PROG with the
 * shim preloaded and the collector in this process, wait for it, finalize
 * and symbolize the database, print a short summary on stderr, and exit
 * with the program's own status (128+signal when a signal killed it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "an_sym.h"
#include "cli.h"
#include "cli_live.h"
#include "cli_spawn.h"
#include "coll.h"
#include "hq_proto.h"
#include "hq_sample.h"

typedef struct run_opts_s {
    const char *output;
    unsigned depth;
    unsigned ring_mb;
    int force, quiet, symbolize, live;
    uint64_t sample_rate; /* --sample-rate: bytes per sample, 0 = every allocation */
    int aggregate;        /* --aggregate: totals only, no allocation rows */
    char **argv; /* the program and its arguments */
} run_opts_t;

static volatile sig_atomic_t run_pending_signal;

static void run_usage(void)
{
    fprintf(stderr,
            "usage: heapql run [-o DB] [--depth N] [--ring-mb N] [--force] [--quiet]\n"
            "                  [--no-symbolize] [--live] [--sample-rate BYTES] [--aggregate]\n"
            "                  [--] PROG [ARGS...]\n"
            "  --sample-rate BYTES  record one allocation per BYTES allocated on average\n"
            "          (Poisson sampling, larger blocks always): figures become estimates\n"
            "  --aggregate  keep per-call-site totals and the heap over time, no rows\n"
            "  --live  browse the recording in the terminal UI while it runs; the program's\n"
            "          output goes to DB.log\n");
}

/* Value of an option given as "--opt VALUE"; NULL (and a message) if absent. */
static const char *run_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        cli_error("option %s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static int run_parse_number(const char *opt, const char *s, uint64_t min, uint64_t max,
                            unsigned *out)
{
    uint64_t v;
    if (!s)
        return -1;
    if (cli_parse_u64(s, min, max, &v) != 0) {
        cli_error("%s must be a whole number from %llu to %llu, not '%s'", opt,
                  (unsigned long long)min, (unsigned long long)max, s);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* --sample-rate: bytes per sample, 0 (every allocation) to HQ_SAMPLE_RATE_MAX. */
static int run_parse_rate(const char *s, uint64_t *out)
{
    if (!s)
        return -1;
    if (cli_parse_u64(s, 0, HQ_SAMPLE_RATE_MAX, out) != 0) {
        cli_error("--sample-rate must be a whole number of bytes from 0 (record every "
                  "allocation) to %llu, not '%s'", HQ_SAMPLE_RATE_MAX, s);
        return -1;
    }
    return 0;
}

static int run_parse(int argc, char **argv, run_opts_t *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->depth = HQ_DEPTH_DEFAULT;
    o->symbolize = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-')
            break;
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!(o->output = run_value(argc, argv, &i)))
                return -1;
        } else if (!strcmp(a, "--depth")) {
            if (run_parse_number(a, run_value(argc, argv, &i), 1, HQ_DEPTH_MAX, &o->depth))
                return -1;
        } else if (!strcmp(a, "--ring-mb")) {
            if (run_parse_number(a, run_value(argc, argv, &i), 1, 1024, &o->ring_mb))
                return -1;
            if (o->ring_mb & (o->ring_mb - 1)) {
                cli_error("--ring-mb must be a power of two, not %u", o->ring_mb);
                return -1;
            }
        } else if (!strcmp(a, "--sample-rate")) {
            if (run_parse_rate(run_value(argc, argv, &i), &o->sample_rate))
                return -1;
        } else if (!strcmp(a, "--aggregate")) {
            o->aggregate = 1;
        } else if (!strcmp(a, "--force")) {
            o->force = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--live")) {
            o->live = 1;
        } else if (!strcmp(a, "--no-symbolize")) {
            o->symbolize = 0;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            run_usage();
            return -1;
        } else {
            cli_error("unknown option '%s' for run", a);
            return -1;
        }
    }
    if (i >= argc) {
        cli_error("run needs a program to record");
        run_usage();
        return -1;
    }
    o->argv = argv + i;
    if (o->live && !cli_live_possible()) {
        cli_error("--live needs a terminal on stdin and stdout");
        return -1;
    }
    return 0;
}

static void run_on_signal(int sig)
{
    run_pending_signal = sig;
}

/* Ctrl-C and Ctrl-\ reach the program through the terminal: ignore them
 * here.  SIGTERM and SIGHUP aimed at heapql are passed on to the program. */
static void run_signals_setup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = run_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void run_forward_signal(pid_t pid)
{
    int sig = run_pending_signal;
    if (sig) {
        run_pending_signal = 0;
        kill(pid, sig);
    }
}

static int run_exit_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return CLI_EXIT_ERROR;
}

/* Drive the collector until the program ends.  Returns the wait status.
 * If the collector fails, it stops recording, err says why, and the program
 * runs on. */
static int run_loop(coll_t *c, pid_t pid, int *failed, char *err, size_t errlen)
{
    int status = 0;
    for (;;) {
        if (!*failed && coll_step(c, 10, err, errlen) < 0) {
            cli_error("recording stopped: %s (the program keeps running)", err);
            *failed = 1;
        }
        run_forward_signal(pid);
        pid_t w = waitpid(pid, &status, *failed ? 0 : WNOHANG);
        if (w == pid)
            return status;
        if (w < 0 && errno != EINTR)
            return status;
    }
}

static void run_summary(const run_opts_t *o, const char *db, pid_t pid, const coll_summary_t *s)
{
    char a[32], b[32];
    cli_error("recorded %s (pid %d, %llu process%s) in %.2f s%s", o->argv[0], (int)pid,
              (unsigned long long)s->processes, s->processes == 1 ? "" : "es",
              (double)s->duration_ns / 1e9, s->truncated ? " -- TRUNCATED" : "");
    if (s->truncated && s->truncated_reason[0])
        cli_error("  truncated: %s", s->truncated_reason);
    if (s->sample_rate)
        cli_error("  sampled: estimates (1 sample per %llu bytes)",
                  (unsigned long long)s->sample_rate);
    if (s->aggregate)
        cli_error("  aggregated: per-call-site totals only, no allocation rows");
    cli_error("  allocations %llu calls, %s; frees %llu; failed %llu",
              (unsigned long long)s->alloc_calls, cli_bytes(s->alloc_bytes, a, sizeof a),
              (unsigned long long)s->free_calls, (unsigned long long)s->failed_allocs);
    cli_error("  peak heap   %s at %.3f s", cli_bytes(s->peak_bytes, a, sizeof a),
              (double)s->peak_ns / 1e9);
    cli_error("  leaked      %s in %llu blocks", cli_bytes(s->leaked_bytes, b, sizeof b),
              (unsigned long long)s->leaked_blocks);
    cli_error("database: %s", db);
    cli_error("next: heapql report %s  (also: top, leaks, lines FUNCTION, sql)", db);
}

/* Default output name: heapql.<program>.<pid>.db in the current directory. */
static void run_default_output(char *buf, size_t len, const char *prog, pid_t pid)
{
    const char *base = strrchr(prog, '/');
    snprintf(buf, len, "heapql.%s.%d.db", base ? base + 1 : prog, (int)pid);
}

static char *run_command_line(char **argv)
{
    size_t n = 1;
    char *s;
    for (char **a = argv; *a; a++)
        n += strlen(*a) + 1;
    if (!(s = calloc(1, n)))
        return NULL;
    for (char **a = argv; *a; a++) {
        if (a != argv)
            strcat(s, " ");
        strcat(s, *a);
    }
    return s;
}

typedef struct run_state_s {
    char sockdir[PATH_MAX], sock[PATH_MAX + 16], db[PATH_MAX], prog[PATH_MAX], shim[PATH_MAX];
    char log[PATH_MAX + 8]; /* --live: where the program's output goes */
    char **env;
    char *cmdline;
    cli_child_t child;
    coll_t *coll;
} run_state_t;

static void run_cleanup(run_state_t *st)
{
    coll_close(st->coll);
    st->coll = NULL;
    if (st->sockdir[0])
        rmdir(st->sockdir);
    cli_env_free(st->env);
    free(st->cmdline);
    st->env = NULL;
    st->cmdline = NULL;
    if (st->child.in_fd >= 0)
        close(st->child.in_fd);
    if (st->child.out_fd >= 0)
        close(st->child.out_fd);
    st->child.in_fd = st->child.out_fd = -1;
}

/* --live: the program's stdout and stderr go to a log file (0600, never
 * through a symlink), its stdin is /dev/null: the terminal is the TUI's.
 * Without -o the database name is known only after the fork, so the log
 * starts under a temporary name that run_name_log renames. */
static int run_open_log(const run_opts_t *o, run_state_t *st)
{
    int fd;
    if (o->output) {
        snprintf(st->log, sizeof st->log, "%s.log", o->output);
        fd = open(st->log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    } else {
        snprintf(st->log, sizeof st->log, "heapql-live.XXXXXX");
        fd = mkostemp(st->log, O_CLOEXEC);
    }
    if (fd < 0) {
        cli_error("cannot create %s: %s", st->log, strerror(errno));
        return -1;
    }
    st->child.out_fd = fd;
    st->child.in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return 0;
}

static int run_name_log(run_state_t *st)
{
    char final[sizeof st->log];
    snprintf(final, sizeof final, "%s.log", st->db);
    if (strcmp(final, st->log) != 0 && rename(st->log, final) != 0) {
        cli_error("cannot rename %s to %s: %s", st->log, final, strerror(errno));
        return -1;
    }
    snprintf(st->log, sizeof st->log, "%s", final);
    return 0;
}

/* Everything before the program may start: program, shim, socket, the
 * gated child, the database.  Returns 0, or an exit status. */
static int run_prepare(const run_opts_t *o, run_state_t *st)
{
    const char *tmp = getenv("TMPDIR");
    char err[512];
    int e = cli_find_program(o->argv[0], st->prog, sizeof st->prog);
    if (e != 0) {
        cli_error("cannot run '%s': %s", o->argv[0], e == ENOENT ? "program not found" : strerror(e));
        return 127;
    }
    if (cli_shim_path(st->shim, sizeof st->shim) != 0) {
        cli_error("cannot find libheapql.so next to heapql (set HEAPQL_SHIM to its path)");
        return CLI_EXIT_ERROR;
    }
    snprintf(st->sockdir, sizeof st->sockdir, "%s/heapql-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(st->sockdir)) {
        cli_error("cannot create a private directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
                  strerror(errno));
        st->sockdir[0] = '\0';
        return CLI_EXIT_ERROR;
    }
    snprintf(st->sock, sizeof st->sock, "%s/sock", st->sockdir);
    if (o->ring_mb) {
        char mb[16];
        snprintf(mb, sizeof mb, "%u", o->ring_mb);
        setenv(HQ_ENV_RING_MB, mb, 1);
    }
    st->env = cli_env_build(st->shim, st->sock);
    st->cmdline = run_command_line(o->argv);
    if (!st->env || !st->cmdline) {
        cli_error("out of memory");
        return CLI_EXIT_ERROR;
    }
    if (o->live && run_open_log(o, st) != 0)
        return CLI_EXIT_ERROR;
    if (cli_spawn_gated(&st->child, st->prog, o->argv, st->env) != 0) {
        cli_error("cannot start '%s': %s", o->argv[0], strerror(errno));
        return CLI_EXIT_ERROR;
    }
    if (o->output)
        snprintf(st->db, sizeof st->db, "%s", o->output);
    else
        run_default_output(st->db, sizeof st->db, o->argv[0], st->child.pid);
    if (o->live && run_name_log(st) != 0)
        return CLI_EXIT_ERROR;
    coll_config_t cfg = {.db_path = st->db, .socket_path = st->sock, .depth = o->depth,
                         .force = o->force, .listen_fd = -1, .command = st->cmdline,
                         .sample_rate = o->sample_rate, .aggregate = o->aggregate};
    if (coll_open(&st->coll, &cfg, err, sizeof err) != 0 ||
        coll_set_root(st->coll, st->child.pid, 1, err, sizeof err) != 0) {
        cli_error("%s", err);
        cli_spawn_abort(&st->child);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

static void run_symbolize(const run_opts_t *o, const char *db)
{
    an_sym_stats_t ss;
    char err[512];
    if (an_sym_run(db, !o->quiet, &ss, err, sizeof err) != 0)
        cli_error("symbolization failed: %s (reports will show addresses)", err);
}

int cmd_run(int argc, char **argv)
{
    run_opts_t o;
    run_state_t st;
    coll_summary_t sum;
    char err[512], stop_err[512] = "";
    int rc, status, failed = 0;
    uint64_t connected;
    pid_t tui = -1;

    if (run_parse(argc, argv, &o) != 0)
        return CLI_EXIT_USAGE;
    memset(&st, 0, sizeof st);
    st.child.gate_fd = st.child.err_fd = st.child.in_fd = st.child.out_fd = -1;
    if ((rc = run_prepare(&o, &st)) != 0) {
        run_cleanup(&st);
        return rc;
    }
    run_signals_setup();
    rc = cli_spawn_release(&st.child);
    if (rc != 0) {
        cli_error("cannot run '%s': %s", o.argv[0], strerror(rc));
        run_cleanup(&st);
        unlink(st.db);
        return 127;
    }
    if (o.live && (tui = cli_live_start(st.db)) < 0)
        cli_error("cannot start the terminal UI: %s (recording goes on)", strerror(errno));
    status = run_loop(st.coll, st.child.pid, &failed, stop_err, sizeof stop_err);
    coll_root_ended(st.coll, status);
    memset(&sum, 0, sizeof sum);
    if (coll_finish(st.coll, failed, &sum, err, sizeof err) != 0) {
        if (!failed || strcmp(err, stop_err) != 0) /* the loop said it already */
            cli_error("could not finish the database: %s", err);
        failed = 1;
    }
    connected = coll_connected(st.coll);
    run_cleanup(&st);
    if (connected == 0)
        cli_error("warning: %s was not recorded (statically linked, setuid, or it replaced "
                  "LD_PRELOAD)", o.argv[0]);
    if (!failed && o.symbolize)
        run_symbolize(&o, st.db);
    cli_live_wait(tui);
    if (!o.quiet)
        run_summary(&o, st.db, st.child.pid, &sum);
    if (o.live && !o.quiet)
        cli_error("program output: %s", st.log);
    return run_exit_status(status);
}
