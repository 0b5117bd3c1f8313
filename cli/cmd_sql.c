/* cmd_sql.c -- `heapql sql [--csv|--json] DB [QUERY]`: SQL on a recording,
 * with the helpers of an_sql.h (callsite_frames, stack(), kind_name()).
 * Without QUERY, statements are read from stdin (a prompt when it is a
 * terminal).  The database is opened read-only; it is symbolized first
 * when that has not happened yet and the file can be written. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "an_db.h"
#include "an_sql.h"
#include "an_sql_out.h"
#include "an_sym.h"
#include "cli.h"

typedef struct sql_opts_s {
    an_format_t fmt;
    const char *db;
    const char *query; /* NULL: read stdin */
} sql_opts_t;

static void sql_usage(FILE *f)
{
    fprintf(f,
            "usage: heapql sql [--csv | --json | --table] DB [QUERY]\n"
            "  Run QUERY (one or more SQL statements) on the recording DB, or read\n"
            "  statements from stdin (';' ends one, .help lists commands).\n"
            "  Besides the tables: callsite_frames, stack(callsite_id), kind_name(kind)\n"
            "  (see docs/SQL.md).\n");
}

/* 0 ok, 1 help shown, -1 usage error. */
static int sql_parse(int argc, char **argv, sql_opts_t *o)
{
    int positional = 0, opts_done = 0;
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && !strcmp(a, "--")) {
            opts_done = 1;
        } else if (!opts_done && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            return 1;
        } else if (!opts_done && !strcmp(a, "--csv")) {
            o->fmt = AN_FMT_CSV;
        } else if (!opts_done && !strcmp(a, "--json")) {
            o->fmt = AN_FMT_JSON;
        } else if (!opts_done && !strcmp(a, "--table")) {
            o->fmt = AN_FMT_TEXT;
        } else if (!opts_done && a[0] == '-' && a[1] == '-') {
            cli_error("sql: unknown option '%s'", a);
            return -1;
        } else if (positional == 0) {
            o->db = a;
            positional++;
        } else if (positional == 1) {
            o->query = a;
            positional++;
        } else {
            cli_error("sql: more than one QUERY (quote the whole query as one argument)");
            return -1;
        }
    }
    if (!o->db) {
        cli_error("sql: no database given");
        return -1;
    }
    return 0;
}

/* SQLite messages in one line. */
static void sql_error(const char *msg)
{
    char line[1024];
    snprintf(line, sizeof line, "%s", msg);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    cli_error("sql error: %s", line);
}

/* Run every statement of text; stops at the first error (printed). */
static int sql_exec(sqlite3 *db, const char *text, an_format_t fmt, int *results)
{
    char err[1024];
    const char *tail = text;
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
            sql_error(sqlite3_errmsg(db));
            return -1;
        }
        if (!st)
            continue;
        if (sqlite3_column_count(st) > 0 && fmt == AN_FMT_TEXT && (*results)++ > 0)
            putchar('\n');
        int rc = an_sql_out(st, fmt, stdout, err, sizeof err);
        sqlite3_finalize(st);
        if (rc != 0) {
            sql_error(err);
            return -1;
        }
    }
    fflush(stdout);
    return 0;
}

static int sql_writable(const char *path)
{
    char *copy = strdup(path);
    int ok = copy && access(path, W_OK) == 0 && access(dirname(copy), W_OK) == 0;
    free(copy);
    return ok;
}

/* Symbolize first when it has not been done and can be; a failure is
 * worth a warning, not the query. */
static void sql_symbolize(const an_db_t *d, const char *path)
{
    an_sym_stats_t stats;
    char err[512];
    if (d->symbolized || d->live || !sql_writable(path))
        return;
    if (an_sym_run(path, 1, &stats, err, sizeof err) != 0)
        cli_error("warning: stacks are not symbolized: %s", err);
    else if (stats.modules_bad > 0)
        cli_error("warning: %lld module%s could not be symbolized ('heapql symbolize %s' "
                  "lists them)", stats.modules_bad, stats.modules_bad == 1 ? "" : "s", path);
}

static int sql_open(const sql_opts_t *o, an_db_t *d)
{
    char err[512];
    if (an_db_open(d, o->db, AN_DB_READ, err, sizeof err) != 0) {
        /* Not every message names the file (a damaged one, say). */
        if (strstr(err, o->db))
            cli_error("%s", err);
        else
            cli_error("%s: %s", o->db, err);
        return -1;
    }
    if (d->live)
        cli_error("warning: %s is still being recorded: answers cover what is written so far",
                  o->db);
    else if (d->crashed)
        cli_error("warning: the recording of %s did not finish (its collector is gone)", o->db);
    sql_symbolize(d, o->db);
    if (an_sql_register(d->db, err, sizeof err) != 0) {
        cli_error("%s", err);
        an_db_close(d);
        return -1;
    }
    return 0;
}

/* ---- statements from stdin ---------------------------------------------- */

typedef struct sql_repl_s {
    sqlite3 *db;
    an_format_t fmt;
    int tty;
    int errors;
    int results;
    char *buf; /* the statement being typed */
    size_t len, cap;
} sql_repl_t;

static const char sql_repl_help[] =
    "Statements end with ';'.  Commands:\n"
    "  .tables              tables and views, the helpers included\n"
    "  .schema [NAME]       CREATE statements\n"
    "  .mode table|csv|json how results are printed\n"
    "  .quit                leave (also end of input)\n";

static void sql_repl_exec(sql_repl_t *r, const char *text)
{
    if (sql_exec(r->db, text, r->fmt, &r->results) != 0)
        r->errors++;
}

static void sql_repl_mode(sql_repl_t *r, const char *arg)
{
    if (!strcmp(arg, "table"))
        r->fmt = AN_FMT_TEXT;
    else if (!strcmp(arg, "csv"))
        r->fmt = AN_FMT_CSV;
    else if (!strcmp(arg, "json"))
        r->fmt = AN_FMT_JSON;
    else {
        cli_error("sql: .mode takes table, csv or json");
        r->errors++;
    }
}

/* The CREATE statements (of NAME only when given), as SQL text. */
static void sql_repl_schema(sql_repl_t *r, const char *name)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, "SELECT sql FROM (SELECT name, sql FROM main.sqlite_schema"
                                       " UNION ALL SELECT name, sql FROM temp.sqlite_schema)"
                                       " WHERE sql IS NOT NULL AND (?1 = '' OR name = ?1)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            printf("%s;\n", (const char *)sqlite3_column_text(st, 0));
    }
    if (rc != SQLITE_DONE) {
        sql_error(sqlite3_errmsg(r->db));
        r->errors++;
    }
    sqlite3_finalize(st);
}

/* A line starting with '.'; returns 1 to leave. */
static int sql_repl_dot(sql_repl_t *r, const char *line)
{
    char cmd[32] = "", arg[256] = "";
    sscanf(line, "%31s %255s", cmd, arg);
    if (!strcmp(cmd, ".quit") || !strcmp(cmd, ".exit"))
        return 1;
    if (!strcmp(cmd, ".help"))
        fputs(sql_repl_help, stdout);
    else if (!strcmp(cmd, ".tables"))
        sql_repl_exec(r, "SELECT name, type FROM (SELECT name, type FROM main.sqlite_schema"
                         " UNION ALL SELECT name, 'temp ' || type FROM temp.sqlite_schema)"
                         " WHERE type LIKE '%table' OR type LIKE '%view' ORDER BY name");
    else if (!strcmp(cmd, ".schema"))
        sql_repl_schema(r, arg);
    else if (!strcmp(cmd, ".mode"))
        sql_repl_mode(r, arg);
    else {
        cli_error("sql: unknown command '%s' (.help lists them)", cmd);
        r->errors++;
    }
    return 0;
}

static int sql_repl_append(sql_repl_t *r, const char *line, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4096;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *p = realloc(r->buf, cap);
        if (!p)
            return -1;
        r->buf = p;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, line, n);
    r->len += n;
    r->buf[r->len] = '\0';
    return 0;
}

static int sql_blank(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

/* One line of input; returns 1 to leave, -1 when out of memory. */
static int sql_repl_line(sql_repl_t *r, const char *line, size_t n)
{
    if ((r->len == 0 || sql_blank(r->buf)) && line[strspn(line, " \t")] == '.') {
        r->len = 0;
        return sql_repl_dot(r, line + strspn(line, " \t"));
    }
    if (sql_repl_append(r, line, n) != 0)
        return -1;
    if (sqlite3_complete(r->buf)) {
        if (!sql_blank(r->buf))
            sql_repl_exec(r, r->buf);
        r->len = 0;
        r->buf[0] = '\0';
    }
    return 0;
}

static int sql_repl(sqlite3 *db, an_format_t fmt)
{
    sql_repl_t r = {.db = db, .fmt = fmt, .tty = isatty(STDIN_FILENO)};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;

    if (r.tty)
        printf("heapql sql: statements end with ';', .help lists commands, .quit leaves\n");
    for (;;) {
        if (r.tty) {
            fputs(r.len && !sql_blank(r.buf) ? "   ...> " : "heapql> ", stdout);
            fflush(stdout);
        }
        if ((n = getline(&line, &cap, stdin)) <= 0 || (rc = sql_repl_line(&r, line, (size_t)n)))
            break;
    }
    if (rc < 0)
        cli_error("sql: out of memory");
    else if (n <= 0 && r.len && !sql_blank(r.buf))
        sql_repl_exec(&r, r.buf); /* the last statement may lack its ';' */
    if (r.tty && n <= 0)
        putchar('\n');
    free(line);
    free(r.buf);
    return rc < 0 || (r.errors && !r.tty) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

int cmd_sql(int argc, char **argv)
{
    sql_opts_t o;
    an_db_t d;
    int rc, results = 0;

    rc = sql_parse(argc, argv, &o);
    if (rc != 0) {
        sql_usage(rc > 0 ? stdout : stderr);
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (sql_open(&o, &d) != 0)
        return CLI_EXIT_ERROR;
    if (o.query)
        rc = sql_exec(d.db, o.query, o.fmt, &results) == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    else
        rc = sql_repl(d.db, o.fmt);
    an_db_close(&d);
    return rc;
}
