/* tui_theme.c -- the theme tables (see tui_theme.h).  -1 is the
 * terminal's default colour (use_default_colors). */
#include "tui_theme.h"

#include <stdlib.h>

typedef struct theme_entry_s {
    short fg, bg;
    attr_t attr;
} theme_entry_t;

static const char *const role_names[TUI_R_COUNT] = {
#define TUI_ROLE_NAME(name) #name,
    TUI_ROLES(TUI_ROLE_NAME)
#undef TUI_ROLE_NAME
};

/* 256 colours: xterm palette numbers. */
static const theme_entry_t theme_256[TUI_R_COUNT] = {
    [TUI_R_NORMAL] = {-1, -1, A_NORMAL},     [TUI_R_DIM] = {245, -1, A_NORMAL},
    [TUI_R_BAR] = {252, 236, A_NORMAL},      [TUI_R_TAB] = {252, 236, A_NORMAL},
    [TUI_R_TAB_ACTIVE] = {16, 75, A_BOLD},   [TUI_R_TITLE] = {75, -1, A_BOLD},
    [TUI_R_HEADER] = {255, 238, A_BOLD},     [TUI_R_SELECTED] = {255, 25, A_BOLD},
    [TUI_R_STATUS] = {252, 236, A_NORMAL},   [TUI_R_LIVE] = {16, 203, A_BOLD},
    [TUI_R_OK] = {114, -1, A_BOLD},          [TUI_R_WARN] = {221, -1, A_BOLD},
    [TUI_R_ERROR] = {203, -1, A_BOLD},       [TUI_R_NUM] = {-1, -1, A_BOLD},
    [TUI_R_FUNC] = {153, -1, A_NORMAL},      [TUI_R_FILE] = {244, -1, A_NORMAL},
    [TUI_R_HEAP] = {78, -1, A_NORMAL},       [TUI_R_RSS] = {215, -1, A_NORMAL},
    [TUI_R_PEAK] = {203, -1, A_BOLD},        [TUI_R_CURSOR] = {16, 226, A_NORMAL},
    [TUI_R_RANGE] = {-1, 237, A_NORMAL},     [TUI_R_MAP1] = {203, -1, A_NORMAL},
    [TUI_R_MAP2] = {221, -1, A_NORMAL},      [TUI_R_MAP3] = {80, -1, A_NORMAL},
    [TUI_R_MAP4] = {78, -1, A_NORMAL},       [TUI_R_HOT] = {222, -1, A_BOLD},
    [TUI_R_KEY] = {117, -1, A_BOLD},         [TUI_R_POPUP] = {252, 235, A_NORMAL},
    [TUI_R_BORDER] = {75, 235, A_NORMAL},    [TUI_R_AXIS] = {244, -1, A_NORMAL},
};

/* 8 colours. */
static const theme_entry_t theme_8[TUI_R_COUNT] = {
    [TUI_R_NORMAL] = {-1, -1, A_NORMAL},
    [TUI_R_DIM] = {-1, -1, A_DIM},
    [TUI_R_BAR] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [TUI_R_TAB] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [TUI_R_TAB_ACTIVE] = {COLOR_BLACK, COLOR_CYAN, A_BOLD},
    [TUI_R_TITLE] = {COLOR_CYAN, -1, A_BOLD},
    [TUI_R_HEADER] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
    [TUI_R_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [TUI_R_STATUS] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [TUI_R_LIVE] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TUI_R_OK] = {COLOR_GREEN, -1, A_BOLD},
    [TUI_R_WARN] = {COLOR_YELLOW, -1, A_BOLD},
    [TUI_R_ERROR] = {COLOR_RED, -1, A_BOLD},
    [TUI_R_NUM] = {-1, -1, A_BOLD},
    [TUI_R_FUNC] = {COLOR_CYAN, -1, A_NORMAL},
    [TUI_R_FILE] = {-1, -1, A_DIM},
    [TUI_R_HEAP] = {COLOR_GREEN, -1, A_NORMAL},
    [TUI_R_RSS] = {COLOR_YELLOW, -1, A_NORMAL},
    [TUI_R_PEAK] = {COLOR_RED, -1, A_BOLD},
    [TUI_R_CURSOR] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
    [TUI_R_RANGE] = {-1, COLOR_BLUE, A_NORMAL},
    [TUI_R_MAP1] = {COLOR_RED, -1, A_NORMAL},
    [TUI_R_MAP2] = {COLOR_YELLOW, -1, A_NORMAL},
    [TUI_R_MAP3] = {COLOR_CYAN, -1, A_NORMAL},
    [TUI_R_MAP4] = {COLOR_GREEN, -1, A_NORMAL},
    [TUI_R_HOT] = {COLOR_YELLOW, -1, A_BOLD},
    [TUI_R_KEY] = {COLOR_CYAN, -1, A_BOLD},
    [TUI_R_POPUP] = {COLOR_WHITE, COLOR_BLACK, A_NORMAL},
    [TUI_R_BORDER] = {COLOR_CYAN, COLOR_BLACK, A_NORMAL},
    [TUI_R_AXIS] = {-1, -1, A_NORMAL},
};

/* No colour: attributes carry the meaning. */
static const attr_t theme_mono[TUI_R_COUNT] = {
    [TUI_R_NORMAL] = A_NORMAL,   [TUI_R_DIM] = A_NORMAL,
    [TUI_R_BAR] = A_REVERSE,     [TUI_R_TAB] = A_REVERSE,
    [TUI_R_TAB_ACTIVE] = A_BOLD, [TUI_R_TITLE] = A_BOLD,
    [TUI_R_HEADER] = A_UNDERLINE | A_BOLD, [TUI_R_SELECTED] = A_REVERSE,
    [TUI_R_STATUS] = A_REVERSE,  [TUI_R_LIVE] = A_BOLD,
    [TUI_R_OK] = A_BOLD,         [TUI_R_WARN] = A_BOLD,
    [TUI_R_ERROR] = A_BOLD,      [TUI_R_NUM] = A_BOLD,
    [TUI_R_FUNC] = A_NORMAL,     [TUI_R_FILE] = A_NORMAL,
    [TUI_R_HEAP] = A_NORMAL,     [TUI_R_RSS] = A_NORMAL,
    [TUI_R_PEAK] = A_BOLD,       [TUI_R_CURSOR] = A_REVERSE,
    [TUI_R_RANGE] = A_UNDERLINE, [TUI_R_MAP1] = A_NORMAL,
    [TUI_R_MAP2] = A_NORMAL,     [TUI_R_MAP3] = A_NORMAL,
    [TUI_R_MAP4] = A_NORMAL,     [TUI_R_HOT] = A_BOLD,
    [TUI_R_KEY] = A_BOLD,        [TUI_R_POPUP] = A_NORMAL,
    [TUI_R_BORDER] = A_NORMAL,   [TUI_R_AXIS] = A_NORMAL,
};

static attr_t role_attr[TUI_R_COUNT];

/* defaults: -1 allowed (use_default_colors worked); else white on black */
static void theme_apply(const theme_entry_t *t, int defaults)
{
    for (int r = 0; r < TUI_R_COUNT; r++) {
        short fg = t[r].fg < 0 && !defaults ? COLOR_WHITE : t[r].fg;
        short bg = t[r].bg < 0 && !defaults ? COLOR_BLACK : t[r].bg;
        init_pair((short)(r + 1), fg, bg);
        role_attr[r] = COLOR_PAIR(r + 1) | t[r].attr;
    }
}

tui_theme_kind_t tui_theme_init(int no_color)
{
    for (int r = 0; r < TUI_R_COUNT; r++)
        role_attr[r] = theme_mono[r];
    if (no_color || !has_colors() || start_color() != OK || COLOR_PAIRS <= TUI_R_COUNT)
        return TUI_THEME_MONO;
    int defaults = use_default_colors() == OK;
    if (COLORS >= 256) {
        theme_apply(theme_256, defaults);
        return TUI_THEME_256;
    }
    theme_apply(theme_8, defaults);
    return TUI_THEME_8;
}

attr_t tui_attr(tui_role_t r)
{
    return r < TUI_R_COUNT ? role_attr[r] : A_NORMAL;
}

const char *tui_role_name(tui_role_t r)
{
    return r < TUI_R_COUNT ? role_names[r] : "?";
}
