/*
 * cmd_collect.c -- `heapql collect`: the collector a standalone shim starts
 * (LD_PRELOAD=libheapql.so HEAPQL_OUTPUT=out.db prog).  Not meant to be
 * typed by users.  The shim hands over a listening socket (--listen-fd) and
 * names the process whose end ends the recording (--root).  Runs in a
 * session of its own so the terminal's Ctrl-C reaches only the program.
 * HEAPQL_SAMPLE_RATE and HEAPQL_AGGREGATE come through the environment
 * (checked by the collector, which refuses a malformed value).
 * Prints nothing unless something goes wrong.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "an_sym.h"
#include "cli.h"
#include "coll.h"
#include "hq_proto.h"
#include "hq_sample.h"

static volatile sig_atomic_t collect_stop;

static void collect_on_term(int sig)
{
    (void)sig;
    collect_stop = 1;
}

typedef struct collect_opts_s {
    uint64_t listen_fd, root, depth;
    const char *socket, *output;
} collect_opts_t;

static int collect_parse(int argc, char **argv, collect_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->depth = HQ_DEPTH_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = !v;
        if (!strcmp(a, "--listen-fd"))
            bad = bad || cli_parse_u64(v, 0, 1 << 20, &o->listen_fd);
        else if (!strcmp(a, "--root"))
            bad = bad || cli_parse_u64(v, 1, 1 << 30, &o->root);
        else if (!strcmp(a, "--depth")) {
            if (!bad && cli_parse_u64(v, 1, HQ_DEPTH_MAX, &o->depth) != 0) {
                cli_error("HEAPQL_DEPTH must be a whole number from 1 to %u, not '%s': "
                          "not recording", HQ_DEPTH_MAX, v);
                return -1;
            }
        } else if (!strcmp(a, "--socket"))
            o->socket = v;
        else if (!strcmp(a, "--output"))
            o->output = v;
        else
            bad = 1;
        if (bad) {
            cli_error("collect: bad or missing value for '%s'", a);
            return -1;
        }
        i++;
    }
    if (!o->output || !o->socket || !o->root) {
        cli_error("collect needs --listen-fd, --socket, --output and --root");
        return -1;
    }
    return 0;
}

static void collect_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = collect_on_term;
    sigaction(SIGTERM, &sa, NULL);
}

/* The shim made the socket in a private directory of its own; nobody can
 * join the session once the collector is gone, so both go. */
static void collect_remove_socket(const char *path)
{
    char dir[PATH_MAX];
    char *slash;
    snprintf(dir, sizeof dir, "%s", path);
    unlink(path);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        rmdir(dir); /* only succeeds when empty */
    }
}

/* A malformed value is left to coll_open, which names it and refuses. */
static void collect_modes(coll_config_t *cfg)
{
    const char *rate = getenv(HQ_ENV_SAMPLE_RATE), *aggr = getenv(HQ_ENV_AGGREGATE);
    uint64_t v;
    if (rate && cli_parse_u64(rate, 0, HQ_SAMPLE_RATE_MAX, &v) == 0)
        cfg->sample_rate = v;
    if (aggr && cli_parse_u64(aggr, 0, 1, &v) == 0)
        cfg->aggregate = (int)v;
}

/* Symbolized before meta says 'complete': whoever waits for that status
 * (nobody waits for a standalone collector's exit) then reads a finished
 * file that no one writes any more. */
static void collect_symbolize(const char *db_path, void *arg)
{
    an_sym_stats_t ss;
    char err[512];
    (void)arg;
    if (an_sym_run(db_path, 0, &ss, err, sizeof err) != 0)
        cli_error("symbolization of %s failed: %s", db_path, err);
}

int cmd_collect(int argc, char **argv)
{
    collect_opts_t o;
    coll_t *c = NULL;
    coll_summary_t sum;
    char err[512];
    int r = 0;

    if (collect_parse(argc, argv, &o) != 0)
        return CLI_EXIT_USAGE;
    setsid();
    collect_signals();
    coll_config_t cfg = {.db_path = o.output, .socket_path = o.socket, .depth = (unsigned)o.depth,
                         .listen_fd = (int)o.listen_fd, .command = "(standalone LD_PRELOAD)",
                         .before_complete = collect_symbolize};
    collect_modes(&cfg);
    if (coll_open(&c, &cfg, err, sizeof err) != 0 ||
        coll_set_root(c, (pid_t)o.root, 0, err, sizeof err) != 0) {
        cli_error("%s: not recording", err);
        coll_close(c);
        return CLI_EXIT_ERROR;
    }
    while (!collect_stop && (r = coll_step(c, 10, err, sizeof err)) != COLL_STEP_DONE) {
        if (r < 0) {
            cli_error("recording stopped: %s", err);
            break;
        }
    }
    if (coll_finish(c, r < 0 || collect_stop, &sum, err, sizeof err) != 0)
        cli_error("could not finish %s: %s", o.output, err);
    coll_close(c);
    collect_remove_socket(o.socket);
    return r < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
