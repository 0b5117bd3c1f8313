/*
 * cmd_frag.c -- `heapql frag DB [--at SECONDS|peak|end] [--pid PID]
 * [--format text|json] [--points N] [--top N] [--color auto|always|never]`:
 * fragmentation of one process image at one moment (docs/FRAGMENTATION.md).
 * The analysis is the analyzer's (an_frag_model.h); this layer parses the
 * arguments, asks the terminal what it can show, and prints.
 */
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "an_db.h"
#include "an_frag_model.h"
#include "an_frag_render.h"
#include "cli.h"

enum { FRAG_COLOR_AUTO, FRAG_COLOR_ALWAYS, FRAG_COLOR_NEVER };

typedef struct frag_opts_s {
    const char *db;
    an_frag_sel_t sel;
    an_frag_opts_t model;
    int json, color;
} frag_opts_t;

static void frag_usage(void)
{
    fprintf(stdout,
            "usage: heapql frag DB [--at SECONDS|peak|end] [--pid PID] [--format text|json]\n"
            "                      [--points N] [--top N] [--color auto|always|never]\n");
}

static int frag_at(frag_opts_t *o, const char *s)
{
    char *end = NULL;
    double sec;
    if (!strcmp(s, "peak") || !strcmp(s, "end")) {
        o->sel.when = s[0] == 'p' ? AN_FRAG_AT_PEAK : AN_FRAG_AT_END;
        return 0;
    }
    sec = strtod(s, &end);
    if (!*s || *end || !isfinite(sec) || sec < 0 || sec > 9e9) {
        cli_error("--at takes seconds since the recording started, 'peak' or 'end', not '%s'", s);
        return -1;
    }
    o->sel.when = AN_FRAG_AT_NS;
    o->sel.at_ns = llround(sec * 1e9);
    return 0;
}

static int frag_number(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
    if (cli_parse_u64(s, min, max, v) != 0) {
        cli_error("%s must be a whole number from %llu to %llu, not '%s'", opt,
                  (unsigned long long)min, (unsigned long long)max, s);
        return -1;
    }
    return 0;
}

static int frag_enum(const char *opt, const char *s, const char *const *names, int n, int *out)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i])) {
            *out = i;
            return 0;
        }
    cli_error("%s does not take '%s'", opt, s);
    return -1;
}

/* One option with its value; -1 on a usage error. */
static int frag_option(frag_opts_t *o, const char *opt, const char *val)
{
    static const char *const formats[] = {"text", "json"};
    static const char *const colors[] = {"auto", "always", "never"};
    uint64_t v;
    if (!strcmp(opt, "--at"))
        return frag_at(o, val);
    if (!strcmp(opt, "--pid")) {
        if (frag_number(opt, val, 0, 0x7fffffff, &v) != 0)
            return -1;
        o->sel.pid = (long long)v;
        return 0;
    }
    if (!strcmp(opt, "--format"))
        return frag_enum(opt, val, formats, 2, &o->json);
    if (!strcmp(opt, "--color"))
        return frag_enum(opt, val, colors, 3, &o->color);
    if (!strcmp(opt, "--points") || !strcmp(opt, "--top")) {
        int points = opt[2] == 'p';
        if (frag_number(opt, val, points ? 0 : 1, points ? 10000 : 1000, &v) != 0)
            return -1;
        *(points ? &o->model.points : &o->model.top) = (int)v;
        return 0;
    }
    cli_error("unknown option '%s' (see 'heapql frag --help')", opt);
    return -1;
}

static int frag_takes_value(const char *a)
{
    static const char *const with[] = {"--at", "--pid", "--format", "--color", "--points", "--top"};
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
        if (!strcmp(a, with[i]))
            return 1;
    return 0;
}

/* "--opt=value" or "--opt value"; positional DB. */
static int frag_arg(frag_opts_t *o, int argc, char **argv, int *i)
{
    char opt[32];
    const char *a = argv[*i], *eq = strchr(a, '=');
    if (a[0] != '-' || !a[1]) {
        if (o->db) {
            cli_error("one database only (got '%s' and '%s')", o->db, a);
            return -1;
        }
        o->db = a;
        return 0;
    }
    if (eq && eq - a < (long)sizeof opt) {
        snprintf(opt, sizeof opt, "%.*s", (int)(eq - a), a);
        return frag_option(o, opt, eq + 1);
    }
    if (!frag_takes_value(a))
        return frag_option(o, a, NULL);
    if (*i + 1 >= argc) {
        cli_error("option %s needs a value", a);
        return -1;
    }
    *i += 1;
    return frag_option(o, a, argv[*i]);
}

static int frag_parse(frag_opts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->sel.pid = -1;
    o->sel.when = AN_FRAG_AT_PEAK;
    o->model = (an_frag_opts_t){100, 10};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
        if (frag_arg(o, argc, argv, &i) != 0)
            return -1;
    }
    if (!o->db) {
        cli_error("frag needs a database: heapql frag DB [--at SECONDS|peak|end] [--pid PID]");
        return -1;
    }
    return 0;
}

static int frag_env_int(const char *name)
{
    const char *s = getenv(name);
    uint64_t v;
    return s && cli_parse_u64(s, 1, 100000, &v) == 0 ? (int)v : 0;
}

/* Size, character set and colours of the terminal standard output goes to. */
static void frag_term(an_frag_view_t *v, int color)
{
    struct winsize ws;
    const char *cs, *term = getenv("TERM"), *no_color = getenv("NO_COLOR");
    int tty = isatty(STDOUT_FILENO);
    v->cols = frag_env_int("COLUMNS");
    v->rows = frag_env_int("LINES");
    if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
        if (!v->cols && ws.ws_col)
            v->cols = ws.ws_col;
        if (!v->rows && ws.ws_row)
            v->rows = ws.ws_row;
    }
    v->cols = v->cols ? v->cols : 80;
    v->rows = v->rows ? v->rows : 24;
    setlocale(LC_CTYPE, "");
    cs = nl_langinfo(CODESET);
    v->utf8 = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
    v->color = color == FRAG_COLOR_ALWAYS ||
               (color == FRAG_COLOR_AUTO && tty && term && *term && strcmp(term, "dumb") != 0 &&
                !(no_color && *no_color));
}

static int frag_write(const frag_opts_t *o, const an_frag_model_t *m)
{
    an_frag_view_t v = {0};
    int rc;
    frag_term(&v, o->color);
    v.db_path = o->db;
    rc = o->json ? an_frag_write_json(m, &v, stdout) : an_frag_write_text(m, &v, stdout);
    if (rc != 0) {
        cli_error("out of memory while writing the report");
        return CLI_EXIT_ERROR;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("cannot write the report");
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}

int cmd_frag(int argc, char **argv)
{
    frag_opts_t o;
    an_db_t db;
    an_frag_model_t m;
    char err[512] = "";
    int rc = frag_parse(&o, argc, argv);
    if (rc > 0)
        frag_usage();
    if (rc != 0)
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (an_db_open(&db, o.db, AN_DB_READ, err, sizeof err) != 0) {
        cli_error("%s", err);
        return CLI_EXIT_ERROR;
    }
    if (an_frag_select(&db, &o.sel, err, sizeof err) != 0 ||
        an_frag_compute(&db, &o.sel, &o.model, &m, err, sizeof err) != 0) {
        cli_error("%s", err);
        an_db_close(&db);
        return CLI_EXIT_ERROR;
    }
    an_db_close(&db);
    rc = frag_write(&o, &m);
    an_frag_free(&m);
    return rc;
}
