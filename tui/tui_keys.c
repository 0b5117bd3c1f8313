/*
 * tui_keys.c -- where a key goes: the prompt when one is open, then the
 * overlays (help, the stack popup), then the current view, then the keys
 * every view shares (views, help, quit, the time range).
 */
#include "tui_app.h"

static int keys_global(tui_app_t *a, int ch)
{
    switch (ch) {
    case 'q': case 'Q': return TUI_QUIT;
    case '\t': tui_app_switch(a, (a->view + 1) % TUI_V_COUNT); return TUI_REFRESH;
    case KEY_BTAB: tui_app_switch(a, (a->view + TUI_V_COUNT - 1) % TUI_V_COUNT); return TUI_REFRESH;
    case '?': case KEY_F(1):
        a->help = 1;
        return TUI_REFRESH;
    }
    if (ch >= '1' && ch < '1' + TUI_V_COUNT) {
        tui_app_switch(a, ch - '1');
        return TUI_REFRESH;
    }
    return tui_time_key(a, ch);
}

static int keys_mouse(tui_app_t *a)
{
    MEVENT m;
    if (getmouse(&m) != OK)
        return TUI_HANDLED;
    if (a->help) {
        int act;
        return tui_list_mouse(&a->help_list, &m, &act) ? TUI_REFRESH : TUI_HANDLED;
    }
    if (a->popup.open)
        return tui_popup_mouse(a, &m);
    if (m.y == 0)
        return tui_bar_mouse(a, &m);
    if (tui_views[a->view].mouse)
        return tui_views[a->view].mouse(a, &m);
    return TUI_HANDLED;
}

static int keys_too_small(void)
{
    return COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS;
}

int tui_app_key(tui_app_t *a, int ch)
{
    int rc;
    if (ch == KEY_RESIZE || ch == 12 /* ^L */)
        return TUI_REDRAW;
    if (a->prompt.active)
        return tui_prompt_key(a, ch);
    if (keys_too_small())
        return ch == 'q' || ch == 'Q' ? TUI_QUIT : TUI_HANDLED;
    if (ch == KEY_MOUSE)
        return keys_mouse(a);
    if (a->help)
        return tui_help_key(a, ch);
    if (a->popup.open)
        return tui_popup_key(a, ch);
    if ((rc = tui_views[a->view].key(a, ch)) != TUI_UNHANDLED)
        return rc;
    rc = keys_global(a, ch);
    return rc != TUI_UNHANDLED ? rc : TUI_HANDLED;
}

void tui_app_switch(tui_app_t *a, int view)
{
    if (view < 0 || view >= TUI_V_COUNT)
        return;
    a->view = view;
    if (tui_views[view].show)
        tui_views[view].show(a);
}
