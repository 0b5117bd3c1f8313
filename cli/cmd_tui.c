/*
 * cmd_tui.c -- `heapql tui DB [--view NAME] [--wait SECONDS]`: the
 * interactive browser (docs/TUI.md).  This layer checks the database
 * before the terminal is taken over (a bad file is one line on stderr,
 * like every other command), symbolizes it when that has not happened
 * and may (as `report` does), and hands over to the UI (tui/tui.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "an_db.h"
#include "an_sym.h"
#include "cli.h"
#include "tui.h"

static const char *const tui_view_names[] = {"summary", "sites", "tree", "source",
                                             "leaks", "frag", "allocs"};
#define TUI_NVIEWS (int)(sizeof tui_view_names / sizeof tui_view_names[0])

typedef struct tui_args_s {
    const char *db;
    int view;
    double wait_s;
} tui_args_t;

static void tui_usage(void)
{
    printf("usage: heapql tui DB [--view summary|sites|tree|source|leaks|frag|allocs]\n"
           "                     [--wait SECONDS]\n"
           "Browse a recording; live while it is being recorded.  Press ? for the keys.\n"
           "  --view     the view to start in (default summary)\n"
           "  --wait     wait up to SECONDS for DB to appear (a recording starting)\n"
           "Environment: NO_COLOR (monochrome), HEAPQL_TUI_TIMING=FILE (log times)\n");
}

static int tui_view_arg(const char *s, int *view)
{
    for (int i = 0; i < TUI_NVIEWS; i++)
        if (!strcmp(s, tui_view_names[i]) || (s[0] == '1' + i && !s[1])) {
            *view = i;
            return 0;
        }
    cli_error("--view takes summary, sites, tree, source, leaks, frag or allocs, not '%s'", s);
    return -1;
}

static int tui_wait_arg(const char *s, double *out)
{
    uint64_t v;
    if (cli_parse_u64(s, 0, 3600, &v) != 0) {
        cli_error("--wait takes whole seconds from 0 to 3600, not '%s'", s);
        return -1;
    }
    *out = (double)v;
    return 0;
}

/* 1: help shown; 0 ok; -1 usage error (printed). */
static int tui_parse(tui_args_t *a, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help"))
            return 1;
        if (!strcmp(s, "--view") || !strcmp(s, "--wait")) {
            if (i + 1 >= argc) {
                cli_error("option %s needs a value", s);
                return -1;
            }
            if (s[2] == 'v' ? tui_view_arg(argv[++i], &a->view) : tui_wait_arg(argv[++i], &a->wait_s))
                return -1;
        } else if (!strncmp(s, "--view=", 7) || !strncmp(s, "--wait=", 7)) {
            if (s[2] == 'v' ? tui_view_arg(s + 7, &a->view) : tui_wait_arg(s + 7, &a->wait_s))
                return -1;
        } else if (s[0] == '-' && s[1]) {
            cli_error("unknown option '%s' (see 'heapql tui --help')", s);
            return -1;
        } else if (a->db) {
            cli_error("one database only (got '%s' and '%s')", a->db, s);
            return -1;
        } else {
            a->db = s;
        }
    }
    if (!a->db) {
        cli_error("tui needs a database: heapql tui DB");
        return -1;
    }
    return 0;
}

/* Open, waiting up to wait_s for a recording that is still starting (the
 * file missing, empty, or without its schema yet). */
static int tui_open(const tui_args_t *a, an_db_t *d, char *err, size_t errlen)
{
    struct timespec pause = {0, 100 * 1000 * 1000};
    double waited = 0;
    for (;;) {
        if (an_db_open(d, a->db, AN_DB_READ, err, errlen) == 0)
            return 0;
        if (waited >= a->wait_s)
            return -1;
        nanosleep(&pause, NULL);
        waited += 0.1;
    }
}

/* As `report` does: symbolize once when nobody else is writing. */
static void tui_symbolize(const char *path, an_db_t *d)
{
    char err[1024];
    an_sym_stats_t st;
    if (d->symbolized || d->live || access(path, W_OK) != 0)
        return;
    an_db_close(d);
    if (an_sym_run(path, 1, &st, err, sizeof err) != 0)
        cli_error("warning: symbolization failed: %s (frames show addresses)", err);
}

int cmd_tui(int argc, char **argv)
{
    tui_args_t args;
    tui_opts_t o;
    an_db_t d;
    char err[1024];
    const char *nc = getenv("NO_COLOR");
    int rc = tui_parse(&args, argc, argv);
    if (rc != 0) {
        if (rc > 0)
            tui_usage();
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (tui_open(&args, &d, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_ERROR;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        an_db_close(&d);
        cli_error("tui needs a terminal (use 'heapql report' for text output)");
        return CLI_EXIT_ERROR;
    }
    tui_symbolize(args.db, &d);
    an_db_close(&d);
    memset(&o, 0, sizeof o);
    o.db_path = args.db;
    o.start_view = args.view;
    o.timing_path = getenv("HEAPQL_TUI_TIMING");
    o.no_color = nc && *nc;
    if (tui_run(&o, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}
