/* an_fmt.c -- human units, JSON and CSV writers (see an_fmt.h); tables are
 * in an_fmt_table.c. */
#include "an_fmt.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- human units --------------------------------------------------------- */

const char *an_fmt_bytes(long long bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    unsigned long long mag = bytes < 0 ? 0ull - (unsigned long long)bytes
                                       : (unsigned long long)bytes;
    double v = (double)mag;
    unsigned u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%s%llu B", bytes < 0 ? "-" : "", mag);
    else
        snprintf(buf, len, "%s%.2f %s", bytes < 0 ? "-" : "", v, units[u]);
    return buf;
}

const char *an_fmt_count(long long n, char *buf, size_t len)
{
    char digits[32], out[48];
    unsigned long long mag = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
    int nd = snprintf(digits, sizeof digits, "%llu", mag), o = 0;
    if (n < 0)
        out[o++] = '-';
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, len, "%s", out);
    return buf;
}

const char *an_fmt_ns(long long ns, char *buf, size_t len)
{
    double v = (double)ns;
    if (ns < 0)
        snprintf(buf, len, "-");
    else if (ns < 1000)
        snprintf(buf, len, "%lld ns", ns);
    else if (ns < 1000000)
        snprintf(buf, len, "%.1f us", v / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, len, "%.1f ms", v / 1e6);
    else
        snprintf(buf, len, "%.3f s", v / 1e9);
    return buf;
}

const char *an_fmt_pct(double part, double whole, char *buf, size_t len)
{
    if (whole == 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f%%", 100.0 * part / whole);
    return buf;
}

const char *an_fmt_delta(long long d, int bytes, char *buf, size_t len)
{
    char tmp[48];
    long long mag = d == LLONG_MIN ? LLONG_MAX : d < 0 ? -d : d; /* a hostile file's figures */
    if (d == 0) {
        snprintf(buf, len, "0");
        return buf;
    }
    if (bytes)
        an_fmt_bytes(mag, tmp, sizeof tmp);
    else
        an_fmt_count(mag, tmp, sizeof tmp);
    snprintf(buf, len, "%c%s", d < 0 ? '-' : '+', tmp);
    return buf;
}

const char *an_fmt_base(const char *path)
{
    const char *s = path ? strrchr(path, '/') : NULL;
    return s ? s + 1 : path;
}

const char *an_fmt_frame(const an_frame_t *f, char *buf, size_t len)
{
    if (f->function && f->file && f->line > 0)
        snprintf(buf, len, "%s (%s:%d)", f->function, an_fmt_base(f->file), f->line);
    else if (f->function && f->file)
        snprintf(buf, len, "%s (%s)", f->function, an_fmt_base(f->file));
    else
        an_frame_label(f, buf, len);
    return an_label_clean(buf);
}

/* ---- JSON ---------------------------------------------------------------- */

void an_json_init(an_json_t *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

/* Length of the valid UTF-8 sequence at s, 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
    int n;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

static void json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        int n = utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", f);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p++);
        } else if (*p == '\n') {
            fputs("\\n", f);
            p++;
        } else if (*p == '\t') {
            fputs("\\t", f);
            p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, (size_t)n, f);
            p += n;
        }
    }
    fputc('"', f);
}

static void json_key(an_json_t *j, const char *key)
{
    if (j->count[j->depth]++ > 0)
        fputc(',', j->f);
    if (j->depth > 0) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    if (key) {
        json_string(j->f, key);
        fputs(": ", j->f);
    }
}

static void json_open(an_json_t *j, const char *key, char c)
{
    json_key(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < AN_JSON_MAX_DEPTH)
        j->depth++;
    j->count[j->depth] = 0;
}

void an_json_obj(an_json_t *j, const char *key)
{
    json_open(j, key, '{');
}

void an_json_arr(an_json_t *j, const char *key)
{
    json_open(j, key, '[');
}

void an_json_end(an_json_t *j, char close)
{
    int had = j->count[j->depth] > 0;
    if (j->depth > 0)
        j->depth--;
    if (had) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    fputc(close, j->f);
    if (j->depth == 0)
        fputc('\n', j->f);
}

void an_json_str(an_json_t *j, const char *key, const char *s)
{
    json_key(j, key);
    if (s)
        json_string(j->f, s);
    else
        fputs("null", j->f);
}

void an_json_int(an_json_t *j, const char *key, long long v)
{
    json_key(j, key);
    fprintf(j->f, "%lld", v);
}

void an_json_num(an_json_t *j, const char *key, double v)
{
    json_key(j, key);
    if (isfinite(v))
        fprintf(j->f, "%.6g", v);
    else
        fputs("null", j->f);
}

void an_json_bool(an_json_t *j, const char *key, int v)
{
    json_key(j, key);
    fputs(v ? "true" : "false", j->f);
}

void an_json_null(an_json_t *j, const char *key)
{
    json_key(j, key);
    fputs("null", j->f);
}

void an_json_opt(an_json_t *j, const char *key, long long v)
{
    if (v >= 0)
        an_json_int(j, key, v);
    else
        an_json_null(j, key);
}

void an_json_frame(an_json_t *j, const char *key, const an_frame_t *f)
{
    an_json_obj(j, key);
    an_json_str(j, "function", f->function);
    an_json_str(j, "file", f->file);
    if (f->line > 0)
        an_json_int(j, "line", f->line);
    else
        an_json_null(j, "line");
    an_json_str(j, "module", f->module);
    an_json_int(j, "rel_pc", (long long)f->rel_pc);
    an_json_bool(j, "inlined", f->inlined);
    an_json_end(j, '}');
}

/* ---- CSV ----------------------------------------------------------------- */

void an_csv_str(FILE *f, const char *s, int last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else if (s) {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

void an_csv_int(FILE *f, long long v, int last)
{
    fprintf(f, "%lld%c", v, last ? '\n' : ',');
}

void an_csv_num(FILE *f, double v, int last)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    fputc(last ? '\n' : ',', f);
}
