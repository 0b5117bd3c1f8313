/*
 * tui_theme.h -- colours by role.  A view never names a colour: it asks
 * for the attribute of a role (TUI_R_HEAP, TUI_R_SELECTED...).  Themes
 * are tables of (foreground, background, attributes) per role: one for
 * 256-colour terminals, one for 8 colours, and a monochrome one
 * (attributes only) for vt100, NO_COLOR or a terminal without colours.
 */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include <curses.h>

#define TUI_ROLES(X)                                                          \
    X(NORMAL) X(DIM) X(BAR) X(TAB) X(TAB_ACTIVE) X(TITLE) X(HEADER)           \
    X(SELECTED) X(STATUS) X(LIVE) X(OK) X(WARN) X(ERROR) X(NUM) X(FUNC)       \
    X(FILE) X(HEAP) X(RSS) X(PEAK) X(CURSOR) X(RANGE) X(MAP1) X(MAP2)         \
    X(MAP3) X(MAP4) X(HOT) X(KEY) X(POPUP) X(BORDER) X(AXIS)

typedef enum tui_role_e {
#define TUI_ROLE_ENUM(name) TUI_R_##name,
    TUI_ROLES(TUI_ROLE_ENUM)
#undef TUI_ROLE_ENUM
    TUI_R_COUNT
} tui_role_t;

typedef enum tui_theme_kind_e { TUI_THEME_MONO = 0, TUI_THEME_8, TUI_THEME_256 } tui_theme_kind_t;

/* Pick the theme for the terminal curses opened (NO_COLOR, has_colors,
 * COLORS) and set up its colour pairs.  Returns the kind chosen. */
tui_theme_kind_t tui_theme_init(int no_color);
/* The attribute (colour pair included) of a role. */
attr_t tui_attr(tui_role_t r);
/* Role name, for tests and the timing log. */
const char *tui_role_name(tui_role_t r);

#endif
