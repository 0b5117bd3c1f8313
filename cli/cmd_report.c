/*
 * cmd_report.c -- `heapql report DB [SUBCOMMAND] [options]`: parse the
 * arguments, open (and if needed symbolize) the database, run one report
 * from analyzer/an_report.h on stdout.  Exit 0 ok, 1 runtime error (also a
 * report that succeeded with a warning, e.g. a missing source file), 2 usage.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "an_db.h"
#include "an_report.h"
#include "cli.h"
#include "cli_db.h"

enum rep_opt {
    RO_FORMAT = 1 << 0, RO_TOP = 1 << 1, RO_FRAMES = 1 << 2, RO_FILTER = 1 << 3,
    RO_WINDOW = 1 << 4, RO_SORT = 1 << 5, RO_INCL = 1 << 6, RO_SUPP = 1 << 7,
    RO_ALL = 1 << 8, RO_LIFE = 1 << 9, RO_CALLSITE = 1 << 10, RO_METRIC = 1 << 11
};

typedef int (*rep_fn)(an_db_t *, an_report_opts_t *, FILE *, char *, size_t);

typedef struct rep_cmd_s {
    const char *name, *alias;
    rep_fn fn;
    unsigned opts;
    const char *arg; /* positional argument it needs, NULL for none */
    an_metric_t metric;
} rep_cmd_t;

static const rep_cmd_t rep_cmds[] = {
    {"summary", NULL, an_report_summary, RO_FORMAT, NULL, AN_M_PEAK},
    {"top", NULL, an_report_top,
     RO_FORMAT | RO_TOP | RO_FRAMES | RO_FILTER | RO_WINDOW | RO_SORT | RO_INCL, NULL, AN_M_PEAK},
    {"leaks", NULL, an_report_leaks, RO_FORMAT | RO_TOP | RO_FILTER | RO_WINDOW | RO_SUPP | RO_ALL,
     NULL, AN_M_LEAKED},
    {"temporary", "temp", an_report_temp,
     RO_FORMAT | RO_TOP | RO_FRAMES | RO_FILTER | RO_WINDOW | RO_LIFE, NULL, AN_M_TEMPORARY},
    {"lines", NULL, an_report_lines, RO_FORMAT | RO_INCL | RO_WINDOW, "FUNCTION|FILE", AN_M_BYTES},
    {"histogram", "hist", an_report_hist, RO_FORMAT | RO_FILTER | RO_WINDOW | RO_CALLSITE, NULL,
     AN_M_ALLOCS},
    {"timeline", NULL, an_report_timeline, RO_FORMAT | RO_WINDOW, NULL, AN_M_PEAK},
    {"diff", NULL, an_report_diff, RO_FORMAT | RO_TOP | RO_FRAMES | RO_FILTER | RO_SORT, "B.db",
     AN_M_BYTES},
    {"flamegraph", "flame", an_report_flame, RO_FORMAT | RO_FILTER | RO_WINDOW | RO_METRIC, NULL,
     AN_M_BYTES},
};

/* ---- parsing --------------------------------------------------------------- */

typedef struct rep_args_s {
    const char *db;
    const rep_cmd_t *cmd;
    const char *positional;
    an_report_opts_t o;
} rep_args_t;

static const rep_cmd_t *rep_find(const char *name)
{
    for (size_t i = 0; i < sizeof rep_cmds / sizeof rep_cmds[0]; i++)
        if (!strcmp(name, rep_cmds[i].name) ||
            (rep_cmds[i].alias && !strcmp(name, rep_cmds[i].alias)))
            return &rep_cmds[i];
    return NULL;
}

static int rep_number(const char *opt, const char *v, long long min, long long max, long long *out)
{
    uint64_t u;
    if (cli_parse_u64(v, (uint64_t)min, (uint64_t)max, &u) != 0) {
        cli_error("%s needs a whole number from %lld to %lld, not '%s'", opt, min, max, v);
        return -1;
    }
    *out = (long long)u;
    return 0;
}

static int rep_metric(const char *opt, const char *v, int allow_temp, an_metric_t *out)
{
    int m = an_metric_parse(v);
    if (m < 0 || (!allow_temp && m == AN_M_TEMPORARY)) {
        cli_error("%s must be one of allocs, bytes, peak, leaked%s; not '%s'", opt,
                  allow_temp ? ", temporary" : "", v);
        return -1;
    }
    *out = (an_metric_t)m;
    return 0;
}

static int rep_lifetime(const char *v, long long *ns)
{
    char *end = NULL;
    errno = 0;
    double ms = strtod(v, &end);
    if (errno || !*v || *end || !isfinite(ms) || ms <= 0 || ms > 1e9) {
        cli_error("--max-lifetime needs milliseconds above 0 (e.g. 1 or 0.25), not '%s'", v);
        return -1;
    }
    *ns = (long long)llround(ms * 1e6);
    return *ns > 0 ? 0 : -1;
}

static int rep_format(const char *v, an_format_t *f)
{
    if (!strcmp(v, "text")) *f = AN_FMT_TEXT;
    else if (!strcmp(v, "json")) *f = AN_FMT_JSON;
    else if (!strcmp(v, "csv")) *f = AN_FMT_CSV;
    else {
        cli_error("--format must be text, json or csv, not '%s'", v);
        return -1;
    }
    return 0;
}

/* --function/--file/--module/--from/--to: the analyzer checks them. */
static int rep_filter(an_report_opts_t *o, const char *opt, const char *v)
{
    char err[512];
    int rc;
    if (!strcmp(opt, "--from") || !strcmp(opt, "--to"))
        rc = an_filter_time(&o->filter, !strcmp(opt, "--to"), v, err, sizeof err);
    else
        rc = an_filter_regex(&o->filter,
                             !strcmp(opt, "--function") ? AN_FILTER_FUNCTION
                             : !strcmp(opt, "--file")   ? AN_FILTER_FILE
                                                        : AN_FILTER_MODULE,
                             v, err, sizeof err);
    if (rc != 0)
        cli_error("%s", err);
    return rc;
}

/* Options with a value; -1 after a message. */
static int rep_valued(rep_args_t *a, const char *opt, const char *v)
{
    an_report_opts_t *o = &a->o;
    long long n = 0;
    int rc;
    if (!strcmp(opt, "--format"))
        return rep_format(v, &o->format);
    if (!strcmp(opt, "--sort"))
        return rep_metric(opt, v, strcmp(a->cmd->name, "diff") != 0, &o->metric);
    if (!strcmp(opt, "--metric"))
        return rep_metric(opt, v, 1, &o->metric);
    if (!strcmp(opt, "--max-lifetime"))
        return rep_lifetime(v, &o->max_lifetime_ns);
    if (!strcmp(opt, "--suppressions")) {
        o->suppressions = v;
        return 0;
    }
    if (!strcmp(opt, "--top")) {
        if ((rc = rep_number(opt, v, 0, 1000000000, &n)) == 0)
            o->top = n == 0 ? -1 : n;
        return rc;
    }
    if (!strcmp(opt, "--frames")) {
        if ((rc = rep_number(opt, v, 1, 1000, &n)) == 0)
            o->frames = (int)n;
        return rc;
    }
    if (!strcmp(opt, "--callsite"))
        return rep_number(opt, v, 0, INT64_MAX, &o->callsite);
    return rep_filter(o, opt, v);
}

static const struct {
    const char *name;
    unsigned bit;
    int valued;
} rep_optdefs[] = {
    {"--format", RO_FORMAT, 1}, {"--top", RO_TOP, 1}, {"--frames", RO_FRAMES, 1},
    {"--function", RO_FILTER, 1}, {"--file", RO_FILTER, 1}, {"--module", RO_FILTER, 1},
    {"--from", RO_WINDOW, 1}, {"--to", RO_WINDOW, 1}, {"--sort", RO_SORT, 1},
    {"--inclusive", RO_INCL, 0}, {"--suppressions", RO_SUPP, 1}, {"--all", RO_ALL, 0},
    {"--max-lifetime", RO_LIFE, 1}, {"--callsite", RO_CALLSITE, 1}, {"--metric", RO_METRIC, 1},
};

static int rep_option(rep_args_t *a, int argc, char **argv, int *i)
{
    char name[64];
    const char *arg = argv[*i], *eq, *v = NULL;
    cli_opt_split(arg, name, sizeof name, &eq);
    for (size_t k = 0; k < sizeof rep_optdefs / sizeof rep_optdefs[0]; k++) {
        if (strcmp(name, rep_optdefs[k].name))
            continue;
        if (!(a->cmd->opts & rep_optdefs[k].bit)) {
            cli_error("option %s does not apply to 'report %s'", name, a->cmd->name);
            return -1;
        }
        if (!rep_optdefs[k].valued) {
            if (eq) {
                cli_error("option %s takes no value", name);
                return -1;
            }
            if (rep_optdefs[k].bit == RO_INCL) a->o.inclusive = 1;
            else a->o.all = 1;
            return 0;
        }
        if (cli_opt_value(argc, argv, i, name, eq, &v) != 0)
            return -1;
        return rep_valued(a, name, v);
    }
    cli_error("unknown option '%s' for 'report %s' (see 'heapql report --help')", arg,
              a->cmd->name);
    return -1;
}

static int rep_parse(rep_args_t *a, int argc, char **argv)
{
    int i = 2;
    a->cmd = &rep_cmds[0];
    a->db = argv[1];
    if (i < argc && argv[i][0] != '-') {
        if (!(a->cmd = rep_find(argv[i]))) {
            cli_error("unknown report '%s' (summary, top, leaks, temporary, lines, histogram, "
                      "timeline, diff, flamegraph)", argv[i]);
            return -1;
        }
        i++;
    }
    a->o.metric = a->cmd->metric;
    for (; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if (rep_option(a, argc, argv, &i) != 0)
                return -1;
        } else if (a->cmd->arg && !a->positional) {
            a->positional = argv[i];
        } else {
            cli_error("unexpected argument '%s' for 'report %s'", argv[i], a->cmd->name);
            return -1;
        }
    }
    if (a->cmd->arg && !a->positional) {
        cli_error("'report %s' needs %s", a->cmd->name, a->cmd->arg);
        return -1;
    }
    return 0;
}

/* ---- running --------------------------------------------------------------- */

static int rep_env_int(const char *name, int fallback)
{
    const char *v = getenv(name);
    long n = v ? strtol(v, NULL, 10) : 0;
    return n > 0 && n < 100000 ? (int)n : fallback;
}

static void rep_terminal(an_report_opts_t *o)
{
    struct winsize ws;
    int have = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0;
    o->width = rep_env_int("COLUMNS", have && ws.ws_col ? ws.ws_col : 80);
    o->height = rep_env_int("LINES", have && ws.ws_row ? ws.ws_row : 24);
}

static int rep_run(rep_args_t *a)
{
    char err[1024];
    an_db_t d, other;
    int rc = CLI_EXIT_ERROR, have_other = 0;
    if (cli_db_open(&d, a->db) != 0)
        return CLI_EXIT_ERROR;
    a->o.db_path = a->db;
    if (!strcmp(a->cmd->name, "diff")) {
        if (cli_db_open(&other, a->positional) != 0)
            goto out;
        have_other = 1;
        a->o.other = &other;
        a->o.other_path = a->positional;
    } else {
        a->o.target = a->positional;
    }
    rep_terminal(&a->o);
    if (a->cmd->fn(&d, &a->o, stdout, err, sizeof err) != 0) {
        fflush(stdout);
        cli_error("%s", err);
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write the report: %s", strerror(errno));
    } else if (a->o.warning[0]) {
        cli_error("%s", a->o.warning);
    } else {
        rc = CLI_EXIT_OK;
    }
out:
    if (have_other)
        an_db_close(&other);
    an_db_close(&d);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    rep_args_t a;
    int rc;
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        return cli_help("report");
    }
    if (argc < 2 || argv[1][0] == '-') {
        cli_help_to("report", stderr);
        return CLI_EXIT_USAGE;
    }
    if (rep_find(argv[1]) && access(argv[1], F_OK) != 0) {
        cli_error("the database comes first: heapql report DB %s ...", argv[1]);
        return CLI_EXIT_USAGE;
    }
    memset(&a, 0, sizeof a);
    an_report_opts_init(&a.o);
    if (rep_parse(&a, argc, argv) != 0)
        rc = CLI_EXIT_USAGE;
    else
        rc = rep_run(&a);
    an_report_opts_free(&a.o);
    return rc;
}
