/* tui_glyph.c -- the glyph sets (see tui_draw.h). */
#include "tui_draw.h"

static const tui_glyphs_t glyphs_utf8 = {
    .utf8 = 1,
    .hline = "\u2500", .vline = "\u2502", .tl = "\u256d", .tr = "\u256e",
    .bl = "\u2570", .br = "\u256f",
    .shade = {" ", "\u2591", "\u2592", "\u2593", "\u2588"},
    .eighth = {" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
               "\u2588"},
    .open = "\u25be", .closed = "\u25b8", .leaf = " ",
    .up = "\u25b2", .down = "\u25bc", .ellipsis = "\u2026", .vbar = "\u2502",
    .dot = "\u25cf", .peak = "\u25b2", .thumb = "\u2588", .track = "\u2502",
    .sep = "\u2502",
};

static const tui_glyphs_t glyphs_ascii = {
    .utf8 = 0,
    .hline = "-", .vline = "|", .tl = "+", .tr = "+", .bl = "+", .br = "+",
    .shade = {" ", ".", ":", "#", "@"},
    .eighth = {" ", "_", "_", "_", "=", "=", "=", "#", "#"},
    .open = "-", .closed = "+", .leaf = " ",
    .up = "^", .down = "v", .ellipsis = "~", .vbar = "|",
    .dot = "*", .peak = "^", .thumb = "#", .track = "|",
    .sep = "|",
};

static const tui_glyphs_t *glyphs = &glyphs_ascii;

void tui_glyphs_init(int utf8)
{
    glyphs = utf8 ? &glyphs_utf8 : &glyphs_ascii;
}

const tui_glyphs_t *tui_glyphs(void)
{
    return glyphs;
}

const char *tui_braille(unsigned dots, char out[4])
{
    unsigned cp = 0x2800u + (dots & 0xffu);
    if (!glyphs->utf8) {
        out[0] = '\0';
        return out;
    }
    out[0] = (char)(0xe0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    out[3] = '\0';
    return out;
}
