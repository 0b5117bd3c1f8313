/*
 * an_fmt.h -- how reports write: human units for text, a streaming JSON
 * writer, CSV quoting, and a table that renders itself in all three
 * formats.  Text shows human units ("1.50 MiB", "12,345"); JSON and CSV
 * carry raw integers (bytes, nanoseconds) so scripts never parse units.
 * Nothing here decides what goes to the terminal: every writer takes the
 * FILE the caller chose.
 */
#ifndef AN_FMT_H
#define AN_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "an_stack.h"

typedef enum an_format_e { AN_FMT_TEXT = 0, AN_FMT_JSON, AN_FMT_CSV } an_format_t;

/* ---- human units (text) -------------------------------------------------- */
const char *an_fmt_bytes(long long bytes, char *buf, size_t len);   /* "1.50 MiB", "512 B" */
const char *an_fmt_count(long long n, char *buf, size_t len);       /* "1,234,567" */
const char *an_fmt_ns(long long ns, char *buf, size_t len);         /* "1.23 s", "15.0 ms" */
const char *an_fmt_pct(double part, double whole, char *buf, size_t len); /* "12.3%", "-" */
/* Signed change: "+1.50 MiB" / "-3" / "0". */
const char *an_fmt_delta(long long d, int bytes, char *buf, size_t len);
/* file without its directories */
const char *an_fmt_base(const char *path);
/* "function (file.c:12)" with the file's base name; else an_frame_label. */
const char *an_fmt_frame(const an_frame_t *f, char *buf, size_t len);

/* ---- JSON ------------------------------------------------------------------
 * Streaming writer: keys are given inside objects and NULL inside arrays;
 * commas and nesting are tracked.  Strings are escaped (control characters,
 * quotes, backslashes; invalid UTF-8 bytes become U+FFFD). */
#define AN_JSON_MAX_DEPTH 32
typedef struct an_json_s {
    FILE *f;
    int depth;
    int count[AN_JSON_MAX_DEPTH];
} an_json_t;

void an_json_init(an_json_t *j, FILE *f);
void an_json_obj(an_json_t *j, const char *key);   /* { */
void an_json_arr(an_json_t *j, const char *key);   /* [ */
void an_json_end(an_json_t *j, char close);        /* '}' or ']' */
void an_json_str(an_json_t *j, const char *key, const char *s); /* NULL -> null */
void an_json_int(an_json_t *j, const char *key, long long v);
void an_json_num(an_json_t *j, const char *key, double v);
void an_json_bool(an_json_t *j, const char *key, int v);
void an_json_null(an_json_t *j, const char *key);
/* v, or null when v < 0 (a figure the database does not have). */
void an_json_opt(an_json_t *j, const char *key, long long v);
/* A frame as {"function","file","line","module","rel_pc","inlined"}. */
void an_json_frame(an_json_t *j, const char *key, const an_frame_t *f);

/* ---- CSV (RFC 4180) ------------------------------------------------------- */
void an_csv_str(FILE *f, const char *s, int last);  /* quoted when needed */
void an_csv_int(FILE *f, long long v, int last);
void an_csv_num(FILE *f, double v, int last);
/* Frame labels joined with ';', innermost first, as one field. */
void an_csv_stack(FILE *f, const an_frame_t *v, int n, int last);

/* ---- tables ---------------------------------------------------------------- */
typedef enum an_ctype_e {
    AN_C_TEXT,    /* left-aligned string */
    AN_C_INT,     /* count */
    AN_C_BYTES,   /* bytes: human units in text */
    AN_C_NS,      /* nanoseconds: "1.23 s" in text */
    AN_C_PCT,     /* percentage 0..100 (double): "12.3%" */
    AN_C_DELTA,   /* signed count change: "+3" */
    AN_C_DBYTES,  /* signed bytes change: "+1.50 MiB" */
    AN_C_STACK    /* frames, innermost first: text shows the first ones, one per line */
} an_ctype_t;

typedef struct an_table_s an_table_t;

/* Columns: key (JSON/CSV name), head (text header), type.  hidden_text:
 * 0 everywhere, 1 only in JSON/CSV, 2 only in text. */
an_table_t *an_table_new(void);
void an_table_free(an_table_t *t);
int an_table_col(an_table_t *t, const char *key, const char *head, an_ctype_t type,
                 int hidden_text);
/* Start a row, then set cells by column index; unset cells are empty. */
int an_table_row(an_table_t *t);
void an_table_int(an_table_t *t, int col, long long v);
void an_table_num(an_table_t *t, int col, double v);
int an_table_text(an_table_t *t, int col, const char *s);            /* copied */
/* frames copied (strings must outlive the table); text shows at most
 * text_frames of them. */
int an_table_stack(an_table_t *t, int col, const an_frame_t *frames, int n, int text_frames);
size_t an_table_rows(const an_table_t *t);

/* Text: aligned columns with a header line, indented by indent spaces.
 * JSON: an array of objects under key.  CSV: a header line and rows
 * (stacks joined with ';', outermost last). */
void an_table_write(an_table_t *t, an_format_t fmt, FILE *f, an_json_t *j, const char *key,
                    int indent);
/* CSV rows, with the header line only when header = 1. */
void an_table_csv(const an_table_t *t, FILE *f, int header);

#endif
