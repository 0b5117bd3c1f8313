/*
 * tui_draw.h -- the few primitives every view draws with: clipped text in
 * display columns (UTF-8 aware; in an ASCII-only locale every non-ASCII
 * byte shows as '?'), fills, boxes, and the glyph set of the terminal:
 * box drawing, shades, eighth blocks and braille in UTF-8, plain ASCII
 * otherwise (LANG=C).
 */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include <curses.h>

typedef struct tui_glyphs_s {
    int utf8;
    const char *hline, *vline, *tl, *tr, *bl, *br;
    const char *shade[5];      /* map levels 0-4 */
    const char *eighth[9];     /* 0..8 eighths of a cell filled from below */
    const char *open, *closed, *leaf; /* tree expanders */
    const char *up, *down;     /* sort direction */
    const char *ellipsis;
    const char *vbar;          /* time cursor */
    const char *dot;           /* LIVE marker */
    const char *peak;          /* under the peak */
    const char *thumb, *track; /* scroll bar */
    const char *sep;           /* between status bar fields */
} tui_glyphs_t;

/* Choose the set: UTF-8 when the locale's codeset is UTF-8. */
void tui_glyphs_init(int utf8);
const tui_glyphs_t *tui_glyphs(void);
/* One braille cell (U+2800 + dots) as UTF-8 into out[4]; "" in ASCII. */
const char *tui_braille(unsigned dots, char out[4]);

/* Text at (y, x) in at most w columns; returns the columns drawn. */
int tui_text(int y, int x, int w, const char *s, attr_t a);
/* The same, ending in an ellipsis when s does not fit. */
int tui_textc(int y, int x, int w, const char *s, attr_t a);
/* Right-aligned in w columns (clipped on the left when too long). */
int tui_textr(int y, int x, int w, const char *s, attr_t a);
int tui_textf(int y, int x, int w, attr_t a, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Display columns of s (as tui_text would draw it). */
int tui_width(const char *s);
void tui_fill(int y, int x, int w, attr_t a);
void tui_box(int y, int x, int h, int w, attr_t a);

#endif
