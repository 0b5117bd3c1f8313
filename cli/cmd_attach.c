/*
 * cmd_attach.c -- `heapql attach PID [-o DB] [--duration TIME] [--live]`:
 * record the allocations of a process that is already running, from now
 * until Ctrl-C, --duration or its exit; detaching leaves it running as
 * before (docs/ATTACH.md).  The collector runs in this process; the shim
 * is loaded into the target and started with cli_inject_run.
 * Exit status: 0 recorded (also when the target exited meanwhile), 1
 * runtime error, 2 usage.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "an_sym.h"
#include "cli.h"
#include "cli_inject.h"
#include "cli_live.h"
#include "coll.h"
#include "hq_attach.h"
#include "hq_proto.h"

#define ATTACH_STEP_MS 10
#define ATTACH_END_FIRST_MS 500 /* detach: look this long for a safe point undisturbed */

typedef struct attach_opts_s {
    pid_t pid;
    const char *output;
    uint64_t duration_ns; /* 0: until Ctrl-C or the target's exit */
    unsigned depth;
    int force, quiet, symbolize, live;
} attach_opts_t;

typedef struct attach_state_s {
    char sockdir[PATH_MAX], sock[PATH_MAX + 16], db[PATH_MAX], shim[PATH_MAX];
    char comm[64], cmdline[4096];
    coll_t *coll;
    int coll_failed;
    char coll_err[256];
    pid_t tui;
    uint64_t rec_start, rec_stop; /* CLOCK_MONOTONIC: attached, detached (or seen gone) */
} attach_state_t;

static volatile sig_atomic_t attach_stop;

static void attach_usage(void)
{
    fprintf(stderr,
            "usage: heapql attach PID [-o DB] [--duration TIME] [--live] [--depth N] [--force]\n"
            "                     [--quiet] [--no-symbolize]\n"
            "  record PID's allocations from now until Ctrl-C, the end of --duration\n"
            "  (30, 30s, 500ms, 2m) or its exit; detaching leaves it running as before\n"
            "  --live  browse the recording in the terminal UI while it runs\n");
}

/* 30, 30s, 500ms, 2m, 1h: a whole number with an optional unit. */
static int attach_parse_duration(const char *s, uint64_t *ns)
{
    static const struct { const char *unit; uint64_t ns; } units[] = {
        {"", 1000000000ull}, {"s", 1000000000ull}, {"ms", 1000000ull},
        {"m", 60000000000ull}, {"h", 3600000000000ull}};
    char *end;
    unsigned long long v;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || v == 0 || v > 1000000000ull)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].unit)) {
            *ns = v * units[i].ns;
            return 0;
        }
    return -1;
}

static const char *attach_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        cli_error("option %s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

/* One option at argv[*i]: 0 taken, -1 usage error. */
static int attach_option(int argc, char **argv, int *i, attach_opts_t *o)
{
    const char *a = argv[*i], *v;
    uint64_t n;
    if (!strcmp(a, "-o") || !strcmp(a, "--output"))
        return (o->output = attach_value(argc, argv, i)) ? 0 : -1;
    if (!strcmp(a, "--duration")) {
        if (!(v = attach_value(argc, argv, i)))
            return -1;
        if (attach_parse_duration(v, &o->duration_ns) == 0)
            return 0;
        cli_error("--duration must be a positive whole number with an optional unit "
                  "(30, 30s, 500ms, 2m), not '%s'", v);
        return -1;
    }
    if (!strcmp(a, "--depth")) {
        if (!(v = attach_value(argc, argv, i)))
            return -1;
        if (cli_parse_u64(v, 1, HQ_DEPTH_MAX, &n) == 0) {
            o->depth = (unsigned)n;
            return 0;
        }
        cli_error("--depth must be a whole number from 1 to %u, not '%s'", HQ_DEPTH_MAX, v);
        return -1;
    }
    if (!strcmp(a, "--force") || !strcmp(a, "--live") || !strcmp(a, "-q") ||
        !strcmp(a, "--quiet")) {
        *(!strcmp(a, "--force") ? &o->force : !strcmp(a, "--live") ? &o->live : &o->quiet) = 1;
        return 0;
    }
    if (!strcmp(a, "--no-symbolize")) {
        o->symbolize = 0;
        return 0;
    }
    cli_error("unknown option '%s' for attach", a);
    return -1;
}

static int attach_parse(int argc, char **argv, attach_opts_t *o)
{
    const char *pid = NULL;
    uint64_t n;
    memset(o, 0, sizeof *o);
    o->depth = HQ_DEPTH_DEFAULT;
    o->symbolize = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            cli_help("attach");
            return 1;
        }
        if (argv[i][0] == '-') {
            if (attach_option(argc, argv, &i, o) != 0)
                return -1;
            continue;
        }
        if (pid) {
            cli_error("attach takes one PID, not '%s' as well", argv[i]);
            return -1;
        }
        pid = argv[i];
    }
    if (!pid || cli_parse_u64(pid, 1, INT_MAX, &n) != 0) {
        cli_error(pid ? "not a process id: '%s'" : "attach needs the PID of a running process%s",
                  pid ? pid : "");
        return -1;
    }
    o->pid = (pid_t)n;
    if (o->live && !cli_live_possible()) {
        cli_error("--live needs a terminal on stdin and stdout");
        return -1;
    }
    return 0;
}

/* ---- the process, the files ---------------------------------------------------- */

static void attach_read_proc(pid_t pid, const char *what, char *buf, size_t len)
{
    char path[64];
    size_t n = 0;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
    buf[0] = '\0';
    if (!(f = fopen(path, "re")))
        return;
    n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++) /* cmdline: NUL between arguments */
        if (buf[i] == '\0' || buf[i] == '\n')
            buf[i] = i + 1 < n ? ' ' : '\0';
}

/* Root attaching to another user's process: the target must be able to
 * reach the socket, nobody else (the directory stays 0700, its owner). */
static int attach_share_socket(const attach_opts_t *o, const attach_state_t *st)
{
    char proc[64];
    struct stat ps;
    snprintf(proc, sizeof proc, "/proc/%d", (int)o->pid);
    if (stat(proc, &ps) != 0 || ps.st_uid == geteuid())
        return 0;
    if (chown(st->sockdir, ps.st_uid, ps.st_gid) != 0 || chown(st->sock, ps.st_uid, ps.st_gid) != 0) {
        cli_error("cannot hand the socket to uid %d: %s", (int)ps.st_uid, strerror(errno));
        return -1;
    }
    return 0;
}

static int attach_prepare(const attach_opts_t *o, attach_state_t *st)
{
    const char *tmp = getenv("TMPDIR");
    char err[512];
    attach_read_proc(o->pid, "comm", st->comm, sizeof st->comm);
    attach_read_proc(o->pid, "cmdline", st->cmdline, sizeof st->cmdline);
    snprintf(st->sockdir, sizeof st->sockdir, "%s/heapql-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(st->sockdir)) {
        cli_error("cannot create a private directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
                  strerror(errno));
        st->sockdir[0] = '\0';
        return -1;
    }
    snprintf(st->sock, sizeof st->sock, "%s/sock", st->sockdir);
    if (o->output)
        snprintf(st->db, sizeof st->db, "%s", o->output);
    else
        snprintf(st->db, sizeof st->db, "heapql.%s.%d.db", st->comm[0] ? st->comm : "attach",
                 (int)o->pid);
    coll_config_t cfg = {.db_path = st->db, .socket_path = st->sock, .depth = o->depth,
                         .force = o->force, .listen_fd = -1, .command = st->cmdline};
    if (coll_open(&st->coll, &cfg, err, sizeof err) != 0 ||
        coll_set_root(st->coll, o->pid, 0, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    return attach_share_socket(o, st);
}

static void attach_remove_db(const char *db)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char path[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(path, sizeof path, "%s%s", db, suffix[i]);
        unlink(path);
    }
}

static void attach_cleanup(attach_state_t *st)
{
    coll_close(st->coll);
    st->coll = NULL;
    if (st->sockdir[0]) {
        unlink(st->sock);
        rmdir(st->sockdir);
    }
    st->sockdir[0] = '\0';
}

/* ---- attaching and detaching ------------------------------------------------------- */

static void attach_on_signal(int sig)
{
    (void)sig;
    attach_stop = 1;
}

static void attach_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = attach_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL); /* dying while a thread is borrowed would crash the target */
}

/* The collector keeps going while the target runs an injected call. */
static void attach_tick(void *ctx)
{
    attach_state_t *st = ctx;
    if (!st->coll_failed && coll_step(st->coll, 1, st->coll_err, sizeof st->coll_err) < 0)
        st->coll_failed = 1;
}

static const char *attach_begin_error(int ret)
{
    switch (ret) {
    case HQ_ATTACH_ECONNECT:
        return "could not connect to heapql's collector";
    case HQ_ATTACH_EBUSY:
        return "it is being recorded already (by heapql run, or another heapql attach)";
    case HQ_ATTACH_ESETUP:
        return "the heapql library could not start in it";
    case HQ_ATTACH_EPATCH:
        return "none of its calls to malloc could be redirected (does it use its own "
               "allocator, such as jemalloc or tcmalloc?)";
    default:
        return "unexpected answer from the heapql library";
    }
}

static unsigned attach_test_pause(void)
{
    const char *s = getenv("HEAPQL_TEST_ATTACH_PAUSE_MS");
    uint64_t v = 0;
    return s && cli_parse_u64(s, 0, 60000, &v) == 0 ? (unsigned)v : 0;
}

/* 0 recording; -1 nothing to undo; -2 the shim began but heapql cannot go on. */
static int attach_begin(const attach_opts_t *o, attach_state_t *st)
{
    cli_inject_cfg_t cfg = {.pid = o->pid, .lib = st->shim, .tick = attach_tick, .ctx = st,
                            .pause_ms = attach_test_pause()};
    char err[512];
    int ret = 0, rc = cli_inject_run(&cfg, HQ_ATTACH_BEGIN_FN, st->sock, &ret, err, sizeof err);
    if (rc == CLI_INJECT_GONE) {
        cli_error("cannot attach: %s", err);
        return -1;
    }
    if (rc != CLI_INJECT_OK) {
        cli_error("cannot attach to process %d: %s", (int)o->pid, err);
        return -1;
    }
    if (ret != HQ_ATTACH_OK) {
        cli_error("cannot attach to process %d: %s", (int)o->pid,
                  st->coll_failed ? st->coll_err : attach_begin_error(ret));
        return -1;
    }
    if (st->coll_failed || coll_connected(st->coll) == 0) {
        cli_error("cannot attach to process %d: %s", (int)o->pid,
                  st->coll_failed ? st->coll_err : "its handshake did not reach the collector");
        return -2;
    }
    return 0;
}

/* Back to how it was: slots restored, the library dormant.  Threads that
 * allocate without pause spend their time in our hooks (not a safe point):
 * when none is found soon, the shim is told to stop writing first, which
 * lets them out (an event waiting for room in a full ring is dropped). */
static void attach_end(const attach_opts_t *o, attach_state_t *st)
{
    cli_inject_cfg_t cfg = {.pid = o->pid, .lib = st->shim, .tick = attach_tick, .ctx = st,
                            .borrow_ms = ATTACH_END_FIRST_MS};
    char err[512];
    int ret = 0, rc = cli_inject_run(&cfg, HQ_ATTACH_END_FN, NULL, &ret, err, sizeof err);
    if (rc == CLI_INJECT_BUSY) {
        coll_detach(st->coll);
        cfg.borrow_ms = 0;
        cfg.tick = NULL; /* the shim writes nothing more: the collector can wait */
        rc = cli_inject_run(&cfg, HQ_ATTACH_END_FN, NULL, &ret, err, sizeof err);
    }
    if (rc == CLI_INJECT_ERROR || rc == CLI_INJECT_BUSY)
        cli_error("warning: could not detach cleanly from process %d: %s (it stops recording "
                  "anyway; heapql's library stays in its path, inactive)", (int)o->pid, err);
}

static uint64_t attach_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Record until stopped.  Returns 1 when the target ended, 0 when it lives on. */
static int attach_record(const attach_opts_t *o, attach_state_t *st)
{
    uint64_t end = o->duration_ns ? attach_now() + o->duration_ns : 0;
    for (;;) {
        int r = coll_step(st->coll, ATTACH_STEP_MS, st->coll_err, sizeof st->coll_err);
        if (r < 0) {
            cli_error("recording stopped: %s", st->coll_err);
            st->coll_failed = 1;
            return 0;
        }
        if (r == COLL_STEP_DONE)
            return 1;
        if (attach_stop || (end && attach_now() >= end) || cli_live_done(st->tui) == 1)
            return 0;
    }
}

/* ---- the end ------------------------------------------------------------------------- */

static void attach_summary(const attach_opts_t *o, const attach_state_t *st,
                           const coll_summary_t *s, int ended)
{
    char a[32], b[32];
    cli_error("recorded process %d (%s) for %.2f s, then %s%s", (int)o->pid, st->comm,
              (double)(st->rec_stop - st->rec_start) / 1e9,
              ended ? "it exited" : "detached (it runs on)", s->truncated ? " -- TRUNCATED" : "");
    if (s->truncated && s->truncated_reason[0])
        cli_error("  truncated: %s", s->truncated_reason);
    cli_error("  allocations %llu calls, %s; frees %llu; failed %llu",
              (unsigned long long)s->alloc_calls, cli_bytes(s->alloc_bytes, a, sizeof a),
              (unsigned long long)s->free_calls, (unsigned long long)s->failed_allocs);
    cli_error("  still live  %s in %llu blocks allocated while recording",
              cli_bytes(s->leaked_bytes, b, sizeof b), (unsigned long long)s->leaked_blocks);
    cli_error("database: %s", st->db);
    cli_error("next: heapql report %s  (also: top, leaks, sql)", st->db);
}

static int attach_finish(const attach_opts_t *o, attach_state_t *st, int ended)
{
    coll_summary_t sum;
    an_sym_stats_t ss;
    char err[512];
    int rc = CLI_EXIT_OK;
    memset(&sum, 0, sizeof sum);
    if (coll_finish(st->coll, 0, &sum, err, sizeof err) != 0) {
        cli_error("could not finish the database: %s", err);
        rc = CLI_EXIT_ERROR;
    }
    attach_cleanup(st);
    if (rc == CLI_EXIT_OK && o->symbolize &&
        an_sym_run(st->db, !o->quiet && !o->live, &ss, err, sizeof err) != 0)
        cli_error("symbolization failed: %s (reports will show addresses)", err);
    cli_live_wait(st->tui);
    if (!o->quiet)
        attach_summary(o, st, &sum, ended);
    return rc;
}

int cmd_attach(int argc, char **argv)
{
    attach_opts_t o;
    attach_state_t st;
    char err[512];
    int ended, rc;
    rc = attach_parse(argc, argv, &o);
    if (rc != 0) {
        if (rc > 0)
            return CLI_EXIT_OK; /* --help */
        attach_usage();
        return CLI_EXIT_USAGE;
    }
    memset(&st, 0, sizeof st);
    st.tui = -1;
    if (cli_shim_path(st.shim, sizeof st.shim) != 0) {
        cli_error("cannot find libheapql.so next to heapql (set HEAPQL_SHIM to its path)");
        return CLI_EXIT_ERROR;
    }
    if (cli_inject_check(o.pid, st.shim, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_ERROR;
    }
    attach_signals();
    if ((rc = attach_prepare(&o, &st)) != 0 || (rc = attach_begin(&o, &st)) != 0) {
        int created = st.coll != NULL;
        if (rc == -2)
            attach_end(&o, &st);
        attach_cleanup(&st);
        if (created)
            attach_remove_db(st.db);
        return CLI_EXIT_ERROR;
    }
    if (!o.quiet && !o.live)
        cli_error("attached to process %d (%s), recording into %s; Ctrl-C detaches", (int)o.pid,
                  st.comm, st.db);
    if (o.live && (st.tui = cli_live_start(st.db)) < 0)
        cli_error("cannot start the terminal UI: %s (recording goes on)", strerror(errno));
    st.rec_start = attach_now();
    ended = attach_record(&o, &st);
    if (!ended)
        attach_end(&o, &st);
    st.rec_stop = attach_now();
    return attach_finish(&o, &st, ended);
}
