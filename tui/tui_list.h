/*
 * tui_list.h -- the one list widget every view uses: a cursor and a scroll
 * position over n rows, drawn by a callback per visible row, moved by the
 * usual keys (arrows, j/k, PgUp/PgDn, Home/End, g/G) and the mouse wheel.
 * Trees are lists too: the view flattens its open nodes into rows and
 * gives the widget tree callbacks, which add Left/Right (close or go to
 * the parent / open or go to the first child), Enter (toggle) and the
 * drawn indentation and expander.
 */
#ifndef TUI_LIST_H
#define TUI_LIST_H

#include <curses.h>

/* Key handler results (htop's Panel.h): what the input loop must do. */
enum {
    TUI_UNHANDLED = 0,
    TUI_HANDLED = 1,  /* consumed; nothing changed on screen */
    TUI_REFRESH = 2,  /* draw the view again (curses sends only what changed) */
    TUI_REDRAW = 4,   /* clear and repaint the whole terminal */
    TUI_QUIT = 8
};

typedef void (*tui_row_fn)(void *ctx, long i, int y, int x, int w, int selected);

typedef struct tui_tree_ops_s {
    int (*depth)(void *ctx, long i);
    int (*state)(void *ctx, long i);        /* 0 leaf, 1 closed, 2 open */
    void (*toggle)(void *ctx, long i, int open);
    long (*parent)(void *ctx, long i);      /* row of the parent, -1 at the top */
} tui_tree_ops_t;

typedef struct tui_list_s {
    long n, cur, top;
    int y, x, h, w;                 /* where it was drawn last */
    const tui_tree_ops_t *tree;     /* NULL: a plain list */
    void *ctx;
} tui_list_t;

/* Set the row count, keeping the cursor in range. */
void tui_list_set(tui_list_t *l, long n);
/* Put the cursor on row i and scroll it into view. */
void tui_list_goto(tui_list_t *l, long i);
/* Draw rows top.. into the area (h rows); a scroll bar in the last
 * column when the rows do not fit. */
void tui_list_draw(tui_list_t *l, int y, int x, int h, int w, tui_row_fn row, void *ctx);
/* Navigation keys; TUI_UNHANDLED for the rest. */
int tui_list_key(tui_list_t *l, int ch);
/* Wheel and click inside the list's area; *activated = 1 on a double
 * click (or a click on the selected row).  TUI_UNHANDLED outside. */
int tui_list_mouse(tui_list_t *l, const MEVENT *m, int *activated);
/* Trees: indentation and expander of row i at (y, x); returns columns. */
int tui_list_tree_prefix(const tui_list_t *l, long i, int y, int x, int w, attr_t a);

#endif
