/* main.c -- dispatch `heapql COMMAND ...` to its cmd_*() function. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct cli_command_s {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command_t;

static const cli_command_t commands[] = {
    {"run", cmd_run, "record a program:  heapql run [-o DB] [--depth N] -- PROG ARGS..."},
    {"attach", cmd_attach, "record a running process:  heapql attach PID [-o DB] [--duration 30s] [--live]"},
    {"report", cmd_report, "reports on a recording:  heapql report DB [summary|top|leaks|...]"},
    {"sql", cmd_sql, "query a recording:  heapql sql DB [QUERY]"},
    {"frag", cmd_frag, "fragmentation at a moment:  heapql frag DB [--at SECONDS|peak|end] [--pid PID]"},
    {"export", cmd_export, "convert for other tools:  heapql export DB --format massif|pprof|speedscope|folded|csv"},
    {"tui", cmd_tui, "browse a recording (live while it records):  heapql tui DB"},
    {"symbolize", cmd_symbolize, "symbolize a recording now:  heapql symbolize DB"},
    {"collect", cmd_collect, "(internal) the collector a standalone shim starts"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: heapql COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n  heapql --version    print the version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("heapql %s\n", HEAPQL_VERSION);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc > 2)
            return cli_help(argv[2]);
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    cli_error("unknown command '%s' (see 'heapql --help')", argv[1]);
    return CLI_EXIT_USAGE;
}
