/*
 * cli.h -- the heapql command layer: one cmd_*() per subcommand, each taking
 * the arguments after its name (argv[0] is the subcommand) and returning the
 * process exit status.  Exit codes: 0 ok, 1 runtime error, 2 usage error;
 * `run` returns the program's own status.  Only this layer prints to the
 * user, always as one line "heapql: ..." per error (cli_error).
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_ERROR 1
#define CLI_EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_symbolize(int argc, char **argv);
int cmd_frag(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* `heapql help CMD`: CMD's usage on stdout; an exit status. */
int cli_help(const char *cmd);

/* CMD's usage on f (stderr after a usage error); an exit status. */
int cli_help_to(const char *cmd, FILE *f);

/* Print "heapql: <message>\n" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a whole decimal number in [min, max]; 0 ok, -1 otherwise. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Directory holding the running heapql executable (no trailing slash). */
int cli_self_dir(char *buf, size_t len);

/* Path of libheapql.so: $HEAPQL_SHIM, else next to the executable's
 * ../lib/ or ../lib/heapql/.  0 ok, -1 not found. */
int cli_shim_path(char *buf, size_t len);

/* An option argument, "--name=value" or "--name" ("-o" too): its name
 * into name (truncated to len), *inline_value what follows '=' (NULL when
 * nothing does). */
void cli_opt_split(const char *arg, char *name, size_t len, const char **inline_value);

/* The value of option name: inline_value, else the next argument (*i moves
 * to it).  0, or -1 with "option NAME needs a value" printed. */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char *inline_value,
                  const char **out);

/* Human-readable byte count ("1.50 MiB") into buf. */
const char *cli_bytes(uint64_t bytes, char *buf, size_t len);

#endif
