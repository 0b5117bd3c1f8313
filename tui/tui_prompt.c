/* tui_prompt.c -- the '/' filter line: typing narrows the view's rows at
 * once, Enter keeps the filter, Esc restores the one before. */
#include "tui_app.h"

#include <string.h>

void tui_prompt_start(tui_app_t *a, int view, const char *current)
{
    a->prompt.active = 1;
    a->prompt.view = view;
    snprintf(a->prompt.saved, sizeof a->prompt.saved, "%s", current);
    snprintf(a->prompt.buf, sizeof a->prompt.buf, "%s", current);
}

int tui_prompt_key(tui_app_t *a, int ch)
{
    tui_prompt_t *p = &a->prompt;
    size_t n = strlen(p->buf);
    switch (ch) {
    case '\r': case '\n': case KEY_ENTER:
        p->active = 0;
        return TUI_REFRESH;
    case 27:
        p->active = 0;
        tui_filter_apply(a, p->view, p->saved);
        return TUI_REFRESH;
    case KEY_BACKSPACE: case 127: case 8:
        if (n == 0)
            return TUI_HANDLED;
        p->buf[n - 1] = '\0';
        break;
    case 21: /* ^U */
        p->buf[0] = '\0';
        break;
    case KEY_RESIZE:
        return TUI_REDRAW;
    default:
        if (ch < 0x20 || ch > 0x7e || n + 1 >= sizeof p->buf)
            return TUI_HANDLED;
        p->buf[n] = (char)ch;
        p->buf[n + 1] = '\0';
    }
    tui_filter_apply(a, p->view, p->buf);
    return TUI_REFRESH;
}

void tui_filter_apply(tui_app_t *a, int view, const char *text)
{
    if (view == TUI_V_SITES) {
        snprintf(a->vsites.filter, sizeof a->vsites.filter, "%s", text);
        tui_sites_sync(a);
    } else if (view == TUI_V_LEAKS) {
        snprintf(a->vleaks.filter, sizeof a->vleaks.filter, "%s", text);
        tui_leaks_sync(a);
    }
}
