/* tui_paint.c -- one paint of the screen: the tab bar, the view (or the
 * help), the popup, the status bar.  curses sends the terminal only the
 * cells that changed; a full repaint (resize, ^L) clears first. */
#include "tui_app.h"

#include <stdio.h>

static void paint_too_small(void)
{
    char line[128];
    int y = LINES / 2 - 1;
    snprintf(line, sizeof line, "terminal too small: %dx%d", COLS, LINES);
    tui_text(y > 0 ? y : 0, 0, COLS, line, tui_attr(TUI_R_WARN));
    snprintf(line, sizeof line, "heapql tui needs %dx%d", TUI_MIN_COLS, TUI_MIN_ROWS);
    tui_text(y + 1 > 0 ? y + 1 : 1, 0, COLS, line, tui_attr(TUI_R_NORMAL));
    tui_text(y + 2 > 0 ? y + 2 : 2, 0, COLS, "(q quits)", tui_attr(TUI_R_DIM));
}

void tui_app_paint(tui_app_t *a, int full)
{
    double t0 = tui_now_ms();
    if (full)
        clearok(curscr, TRUE);
    erase();
    if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
        paint_too_small();
    } else {
        tui_rect_t r = {1, 0, LINES - 2, COLS};
        tui_bar_tabs(a);
        if (a->help)
            tui_help_draw(a);
        else
            tui_views[a->view].draw(a, r);
        if (a->popup.open && !a->help)
            tui_popup_draw(a);
        tui_bar_status(a);
    }
    refresh();
    if (!a->timing.first_paint) {
        a->timing.first_paint = 1;
        tui_timing_log(a, "first-paint %.3f ms", tui_now_ms() - t0);
    }
    if (!a->timing.first_data && a->sum) {
        a->timing.first_data = 1;
        tui_timing_log(a, "first-data-paint");
    }
}
