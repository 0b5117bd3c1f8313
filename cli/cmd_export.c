/*
 * cmd_export.c -- `heapql export DB --format FORMAT [-o FILE] [options]`:
 * parse the arguments, open (and if needed symbolize) the database, write
 * one export from analyzer/an_export.h to FILE or stdout.  A FILE that
 * could not be written completely is removed.  Exit 0 ok, 1 runtime
 * error, 2 usage (also: binary pprof to a terminal).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "an_db.h"
#include "an_export.h"
#include "cli.h"
#include "cli_db.h"

typedef struct exp_args_s {
    const char *db, *output;
    int have_format;
    an_export_opts_t o;
} exp_args_t;

static int exp_format(exp_args_t *a, const char *v)
{
    int f = an_export_format_parse(v);
    if (f < 0) {
        cli_error("--format must be massif, pprof, speedscope, folded or csv, not '%s'", v);
        return -1;
    }
    a->o.format = (an_export_format_t)f;
    a->have_format = 1;
    return 0;
}

static int exp_pid(exp_args_t *a, const char *v)
{
    uint64_t pid;
    if (cli_parse_u64(v, 1, 0x7fffffff, &pid) != 0) {
        cli_error("--pid needs a process id, not '%s'", v);
        return -1;
    }
    a->o.pid = (long long)pid;
    return 0;
}

static int exp_time_unit(exp_args_t *a, const char *v)
{
    if (strcmp(v, "ms") && strcmp(v, "B")) {
        cli_error("--time-unit must be ms or B, not '%s'", v);
        return -1;
    }
    a->o.time_bytes = v[0] == 'B';
    return 0;
}

/* One option with its value; -1 after a message. */
static int exp_value(exp_args_t *a, const char *opt, const char *v)
{
    char err[256];
    if (!strcmp(opt, "--format"))
        return exp_format(a, v);
    if (!strcmp(opt, "--pid"))
        return exp_pid(a, v);
    if (!strcmp(opt, "--time-unit"))
        return exp_time_unit(a, v);
    if (!strcmp(opt, "--metric") && an_export_metrics_parse(v, &a->o.metrics, err, sizeof err)) {
        cli_error("%s", err);
        return -1;
    }
    if (!strcmp(opt, "-o") || !strcmp(opt, "--output"))
        a->output = v;
    return 0;
}

static int exp_option(exp_args_t *a, int argc, char **argv, int *i)
{
    static const char *const valued[] = {"--format", "-o", "--output", "--metric", "--pid",
                                         "--time-unit"};
    char name[32];
    const char *arg = argv[*i], *eq, *v;
    cli_opt_split(arg, name, sizeof name, &eq);
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
        if (strcmp(name, valued[k]))
            continue;
        return cli_opt_value(argc, argv, i, name, eq, &v) != 0 ? -1 : exp_value(a, name, v);
    }
    cli_error("unknown option '%s' for export (see 'heapql help export')", arg);
    return -1;
}

/* 1 when both paths name one existing file. */
static int exp_same_file(const char *x, const char *y)
{
    struct stat sx, sy;
    return stat(x, &sx) == 0 && stat(y, &sy) == 0 && sx.st_dev == sy.st_dev &&
           sx.st_ino == sy.st_ino;
}

static int exp_parse(exp_args_t *a, int argc, char **argv)
{
    char err[256];
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if (exp_option(a, argc, argv, &i) != 0)
                return -1;
        } else if (!a->db) {
            a->db = argv[i];
        } else {
            cli_error("one database only (got '%s' and '%s')", a->db, argv[i]);
            return -1;
        }
    }
    if (!a->db || !a->have_format) {
        cli_error("export needs a database and --format: heapql export DB --format "
                  "massif|pprof|speedscope|folded|csv [-o FILE]");
        return -1;
    }
    if (an_export_check(&a->o, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    if (a->output && exp_same_file(a->output, a->db)) {
        cli_error("-o %s is the database itself", a->output);
        return -1;
    }
    if (a->o.format == AN_EXPORT_PPROF && !a->output && isatty(STDOUT_FILENO)) {
        cli_error("a pprof profile is binary: give -o FILE or redirect standard output");
        return -1;
    }
    return 0;
}

/* Write the export to f; 0, or -1 after a message. */
static int exp_write(exp_args_t *a, an_db_t *d, FILE *f, const char *name)
{
    char err[1024];
    if (an_export_run(d, &a->o, f, err, sizeof err) != 0) {
        cli_error("%s", err);
        return -1;
    }
    if (fflush(f) != 0 || ferror(f)) {
        cli_error("cannot write %s: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

static int exp_run(exp_args_t *a)
{
    an_db_t d;
    FILE *f = stdout;
    int rc;
    if (cli_db_open(&d, a->db) != 0)
        return CLI_EXIT_ERROR;
    a->o.db_path = a->db;
    if (a->output && !(f = fopen(a->output, "wb"))) {
        cli_error("cannot create %s: %s", a->output, strerror(errno));
        an_db_close(&d);
        return CLI_EXIT_ERROR;
    }
    rc = exp_write(a, &d, f, a->output ? a->output : "standard output");
    if (a->output && fclose(f) != 0 && rc == 0) {
        cli_error("cannot write %s: %s", a->output, strerror(errno));
        rc = -1;
    }
    if (rc != 0 && a->output)
        unlink(a->output);
    an_db_close(&d);
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}

int cmd_export(int argc, char **argv)
{
    exp_args_t a;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return cli_help("export");
    memset(&a, 0, sizeof a);
    an_export_opts_init(&a.o);
    if (exp_parse(&a, argc, argv) != 0)
        return CLI_EXIT_USAGE;
    return exp_run(&a);
}
