/* tui_draw.c -- clipped text, fills and boxes (see tui_draw.h). */
#include "tui_draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define DRAW_BUF 4096

/* Copy what fits in w columns of s into out (control characters and, in
 * ASCII, non-ASCII bytes as '?'); *cols gets the columns; returns the
 * bytes of s consumed. */
static size_t draw_fit(const char *s, int w, char *out, size_t outlen, int *cols)
{
    size_t i = 0, o = 0, len = strlen(s);
    mbstate_t st;
    int utf8 = tui_glyphs()->utf8;
    memset(&st, 0, sizeof st);
    *cols = 0;
    while (i < len && *cols < w && o + 8 < outlen) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 || !utf8) {
            out[o++] = c < 0x20 || c == 0x7f || c >= 0x80 ? '?' : (char)c;
            (*cols)++;
            i++;
            continue;
        }
        wchar_t wc;
        size_t n = mbrtowc(&wc, s + i, len - i, &st);
        int cw = n == (size_t)-1 || n == (size_t)-2 ? -1 : wcwidth(wc);
        if (cw < 0) { /* invalid or unprintable: one '?' per byte */
            memset(&st, 0, sizeof st);
            out[o++] = '?';
            (*cols)++;
            i++;
            continue;
        }
        if (*cols + cw > w)
            break;
        memcpy(out + o, s + i, n);
        o += n;
        i += n;
        *cols += cw;
    }
    out[o] = '\0';
    return i;
}

int tui_text(int y, int x, int w, const char *s, attr_t a)
{
    char buf[DRAW_BUF];
    int cols = 0;
    if (w <= 0 || !s || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + w > COLS)
        w = COLS - x;
    draw_fit(s, w, buf, sizeof buf, &cols);
    attrset(a);
    mvaddstr(y, x, buf);
    attrset(A_NORMAL);
    return cols;
}

int tui_width(const char *s)
{
    char buf[DRAW_BUF];
    int cols = 0;
    if (s)
        draw_fit(s, DRAW_BUF / 8, buf, sizeof buf, &cols);
    return cols;
}

int tui_textc(int y, int x, int w, const char *s, attr_t a)
{
    char buf[DRAW_BUF];
    int cols = 0;
    if (w <= 0 || !s)
        return 0;
    size_t used = draw_fit(s, w, buf, sizeof buf, &cols);
    if (used >= strlen(s) || w < 2)
        return tui_text(y, x, w, s, a);
    cols = tui_text(y, x, w - 1, s, a);
    return cols + tui_text(y, x + cols, 1, tui_glyphs()->ellipsis, a);
}

int tui_textr(int y, int x, int w, const char *s, attr_t a)
{
    int sw = tui_width(s);
    if (sw > w) { /* keep the end: figures lose their first digits last */
        const char *p = s;
        while (*p && tui_width(p) > w)
            p++;
        return tui_text(y, x, w, p, a);
    }
    return tui_text(y, x + w - sw, sw, s, a);
}

int tui_textf(int y, int x, int w, attr_t a, const char *fmt, ...)
{
    char buf[DRAW_BUF];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return tui_text(y, x, w, buf, a);
}

void tui_fill(int y, int x, int w, attr_t a)
{
    if (y < 0 || y >= LINES || x >= COLS || w <= 0)
        return;
    if (x + w > COLS)
        w = COLS - x;
    attrset(a);
    mvhline(y, x, ' ', w);
    attrset(A_NORMAL);
}

void tui_box(int y, int x, int h, int w, attr_t a)
{
    const tui_glyphs_t *g = tui_glyphs();
    if (h < 2 || w < 2)
        return;
    for (int r = y; r < y + h; r++) {
        const char *l = r == y ? g->tl : r == y + h - 1 ? g->bl : g->vline;
        const char *rr = r == y ? g->tr : r == y + h - 1 ? g->br : g->vline;
        tui_text(r, x, 1, l, a);
        tui_text(r, x + w - 1, 1, rr, a);
        if (r == y || r == y + h - 1)
            for (int c = x + 1; c < x + w - 1; c++)
                tui_text(r, c, 1, g->hline, a);
    }
}
