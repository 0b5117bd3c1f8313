/* cmd_symbolize.c -- `heapql symbolize DB`: resolve the recorded frames to
 * functions and source lines now (heapql sql and the reports do it on
 * first use), print what was resolved and which binaries could not be
 * used, one line each. */
#include <stdio.h>
#include <string.h>

#include "an_db.h"
#include "an_sym.h"
#include "an_sym_report.h"
#include "cli.h"

static void sym_usage(FILE *f)
{
    fprintf(f, "usage: heapql symbolize DB\n"
               "  Resolve the frames of the recording DB to functions, files and lines\n"
               "  (debug info from the binaries, /usr/lib/debug, .gnu_debuglink).\n");
}

/* One line per binary not fully used; counts those not used at all. */
static int sym_print_problem(const an_sym_problem_t *p, void *arg)
{
    int *unusable = arg;
    printf("  %-10s %s\n", p->status, p->message ? p->message : p->path);
    *unusable += strcmp(p->status, "symtab") != 0;
    return 0;
}

static void sym_print_summary(const char *path, const an_sym_stats_t *s)
{
    printf("%s: %lld frames, %lld with a function name, %lld with file:line; "
           "%lld modules, %lld not usable\n",
           path, s->frames, s->resolved, s->with_line, s->modules, s->modules_bad);
}

/* The database must open (and be valid) before anything is attempted. */
static int sym_state(const char *path, an_db_t *d)
{
    char err[512];
    if (an_db_open(d, path, AN_DB_READ, err, sizeof err) != 0) {
        /* Not every message names the file (a damaged one, say). */
        if (strstr(err, path))
            cli_error("%s", err);
        else
            cli_error("%s: %s", path, err);
        return -1;
    }
    if (d->crashed)
        cli_error("warning: the recording of %s did not finish (its collector is gone)", path);
    return 0;
}

int cmd_symbolize(int argc, char **argv)
{
    char err[512];
    an_sym_stats_t stats;
    an_db_t d;
    int was_done, unusable = 0;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        sym_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        sym_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (sym_state(argv[1], &d) != 0)
        return CLI_EXIT_ERROR;
    was_done = d.symbolized;
    an_db_close(&d);
    if (!was_done && an_sym_run(argv[1], 1, &stats, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_ERROR;
    }
    if (was_done)
        printf("%s: already symbolized\n", argv[1]);
    else
        sym_print_summary(argv[1], &stats);
    if (an_db_open(&d, argv[1], AN_DB_READ, err, sizeof err) != 0 ||
        an_sym_problems(&d, sym_print_problem, &unusable, err, sizeof err) != 0) {
        an_db_close(&d);
        cli_error("%s", err);
        return CLI_EXIT_ERROR;
    }
    an_db_close(&d);
    if (unusable)
        cli_error("%d binar%s could not be used: %s frames stay unsymbolized", unusable,
                  unusable == 1 ? "y" : "ies", unusable == 1 ? "its" : "their");
    return unusable ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
