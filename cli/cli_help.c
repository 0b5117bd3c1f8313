/*
 * cli_help.c -- `heapql help COMMAND`: one command's usage and options on
 * stdout.  The same text as the man page (packaging/heapql.1) and the
 * bash completion (packaging/heapql.bash-completion); tests/e2e/pkg_docs.sh
 * checks that the three and each command's own --help agree.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct cli_help_s {
    const char *name;
    const char *text;
} cli_help_t;

static const cli_help_t cli_helps[] = {
    {"run",
     "usage: heapql run [-o DB] [--depth N] [--ring-mb N] [--force] [--quiet]\n"
     "                  [--no-symbolize] [--live] [--sample-rate BYTES] [--aggregate]\n"
     "                  [--] PROG [ARGS...]\n"
     "\n"
     "Record PROG: start it with libheapql.so preloaded, collect every allocation into\n"
     "DB, symbolize DB when PROG ends, print a summary on stderr.  Exits with PROG's\n"
     "own status (128+N when signal N killed it), 127 when PROG cannot be run.\n"
     "\n"
     "  -o, --output DB   the database (default heapql.PROG.PID.db here)\n"
     "  --depth N         stack frames to capture, 1 to 1024 (default 128)\n"
     "  --ring-mb N       shared ring per process in MiB, a power of two up to 1024\n"
     "                    (default 32)\n"
     "  --force           replace an existing DB\n"
     "  -q, --quiet       no summary, no progress\n"
     "  --no-symbolize    leave symbolization to the first report\n"
     "  --live            browse the recording in the terminal UI while it runs; the\n"
     "                    program's output goes to DB.log\n"
     "  --sample-rate BYTES  record one allocation per BYTES allocated on average\n"
     "                    (Poisson sampling as heapprofd; blocks of BYTES or more always;\n"
     "                    0: all): much cheaper, and every figure becomes an estimate\n"
     "  --aggregate       keep per-call-site totals, processes and the heap over time,\n"
     "                    no allocation rows: the cheapest recording, exact totals, but\n"
     "                    no time windows, lifetimes or histograms\n"},
    {"report",
     "usage: heapql report DB [SUBCOMMAND] [options]\n"
     "\n"
     "  summary                 the run at a glance (default)\n"
     "  top                     functions by --sort allocs|bytes|peak|leaked|temporary\n"
     "                          (default peak), --inclusive, --top N (0: all), --frames N\n"
     "  leaks                   never-freed blocks by stack; --suppressions FILE (LSan\n"
     "                          leak:PATTERN lines), --all lists suppressed ones too\n"
     "  temporary               short-lived and temporary allocations by stack;\n"
     "                          --max-lifetime MS (default 1)\n"
     "  lines FUNCTION|FILE     source listing with figures per line; --inclusive\n"
     "  histogram               sizes and lifetimes; --callsite ID\n"
     "  timeline                heap and RSS over time\n"
     "  diff B.db               call sites that grew or shrank from DB to B.db;\n"
     "                          --sort allocs|bytes|peak|leaked (default bytes)\n"
     "  flamegraph              folded stacks for flamegraph.pl, inferno, speedscope;\n"
     "                          --metric allocs|bytes|peak|leaked|temporary (default bytes)\n"
     "\n"
     "common options (where they apply):\n"
     "  --format text|json|csv\n"
     "  --function REGEX  --file REGEX  --module REGEX   stacks with a matching frame\n"
     "  --from S  --to S  allocations made in this window (seconds, or 'peak')\n"},
    {"sql",
     "usage: heapql sql [--csv | --json | --table] DB [QUERY]\n"
     "\n"
     "Run QUERY (one or more SQL statements) on the recording DB, or read statements\n"
     "from stdin (';' ends one, .help lists commands).  Besides the tables:\n"
     "callsite_frames, stack(callsite_id), kind_name(kind) (see docs/SQL.md).\n"
     "\n"
     "  --table   aligned columns (default)\n"
     "  --csv     CSV with a header line\n"
     "  --json    an array of objects\n"},
    {"frag",
     "usage: heapql frag DB [--at SECONDS|peak|end] [--pid PID] [--format text|json]\n"
     "                      [--points N] [--top N] [--color auto|always|never]\n"
     "\n"
     "Heap fragmentation of one process at one moment: pages, free holes, what pins\n"
     "them, and RSS the heap does not explain.\n"
     "\n"
     "  --at SECONDS|peak|end   the moment (default peak)\n"
     "  --pid PID               the process (default the first one recorded)\n"
     "  --format text|json      output format (default text)\n"
     "  --points N              length of the series through the run (default 100; 0: none)\n"
     "  --top N                 call sites per ranking (default 10)\n"
     "  --color auto|always|never   colour (default auto)\n"},
    {"export",
     "usage: heapql export DB --format massif|pprof|speedscope|folded|csv [-o FILE]\n"
     "                    [--metric M[,M...]] [--pid PID] [--time-unit ms|B]\n"
     "\n"
     "Write the recording DB in a format other tools read (see docs/EXPORTS.md):\n"
     "  massif       massif.out for ms_print and massif-visualizer: the heap of one\n"
     "               process over time, heap trees at the peak and every 10th snapshot\n"
     "  pprof        gzipped protobuf for go tool pprof, Pyroscope, Parca: sample types\n"
     "               alloc_objects, alloc_space, inuse_objects, inuse_space\n"
     "  speedscope   JSON for speedscope: one profile per metric\n"
     "  folded       folded stacks (as 'report flamegraph') for flamegraph.pl, inferno\n"
     "  csv          every allocation, one row each\n"
     "\n"
     "  -o, --output FILE   write FILE instead of stdout (pprof needs a file or a pipe)\n"
     "  --metric M          allocs|bytes|peak|leaked|temporary: folded: the one weight\n"
     "                      (default bytes); speedscope: a comma list of profiles\n"
     "                      (default allocs,bytes,peak,leaked); pprof: the default\n"
     "                      sample type (allocs, bytes, leaked; peak makes inuse_* the\n"
     "                      blocks live at the peak instead of those never freed)\n"
     "  --pid PID           massif: the process (default: the one with the highest peak)\n"
     "  --time-unit ms|B    massif: time axis in milliseconds (default) or bytes\n"
     "                      allocated so far\n"},
    {"attach",
     "usage: heapql attach PID [-o DB] [--duration TIME] [--live] [--depth N] [--force]\n"
     "                     [--quiet] [--no-symbolize]\n"
     "\n"
     "Record the allocations of the running process PID from now until Ctrl-C, the\n"
     "end of --duration or the process's exit; detaching leaves it running as before.\n"
     "Needs the right to ptrace PID (same user with kernel.yama.ptrace_scope 0,\n"
     "or root).  Blocks allocated before the attach are not reported as leaks.\n"
     "\n"
     "  -o, --output DB   the database (default heapql.PROGRAM.PID.db here)\n"
     "  --duration TIME   stop after TIME: 30, 30s, 500ms, 2m, 1h\n"
     "  --live            browse the recording in the terminal UI while it runs\n"
     "  --depth N         stack frames to capture, 1 to 1024 (default 128)\n"
     "  --force           replace an existing DB\n"
     "  -q, --quiet       no summary\n"
     "  --no-symbolize    leave symbolization to the first report\n"},
    {"tui",
     "usage: heapql tui DB [--view summary|sites|tree|source|leaks|frag|allocs]\n"
     "                     [--wait SECONDS]\n"
     "\n"
     "Browse the recording DB in the terminal, live while it is being recorded.\n"
     "Press ? for the keys (see docs/TUI.md).\n"
     "\n"
     "  --view NAME       the view to start in (default summary)\n"
     "  --wait SECONDS    wait up to SECONDS (0 to 3600) for DB to appear\n"},
    {"symbolize",
     "usage: heapql symbolize DB\n"
     "\n"
     "Resolve the frames of the recording DB to functions, files and lines now (debug\n"
     "info from the binaries, /usr/lib/debug, .gnu_debuglink); reports and sql do it\n"
     "on first use.\n"},
    {"collect",
     "usage: heapql collect --listen-fd FD --socket PATH --output DB --root PID [--depth N]\n"
     "\n"
     "(internal) The collector that libheapql.so starts when a program runs with\n"
     "LD_PRELOAD and HEAPQL_OUTPUT set; not meant to be typed.\n"},
    {"help",
     "usage: heapql help [COMMAND]\n"
     "\n"
     "The list of commands, or COMMAND's usage and options.\n"},
};

int cli_help_to(const char *cmd, FILE *f)
{
    for (size_t i = 0; i < sizeof cli_helps / sizeof cli_helps[0]; i++) {
        if (cmd && !strcmp(cmd, cli_helps[i].name)) {
            fputs(cli_helps[i].text, f);
            return fflush(f) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
        }
    }
    cli_error("no command '%s' (run, attach, report, sql, frag, export, tui, symbolize)",
              cmd ? cmd : "");
    return CLI_EXIT_USAGE;
}

int cli_help(const char *cmd)
{
    return cli_help_to(cmd, stdout);
}
