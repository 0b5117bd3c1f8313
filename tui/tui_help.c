/*
 * tui_help.c -- '?': every key, for every view, in one scrollable page.
 * The table is the documentation of record (docs/TUI.md lists the same).
 */
#include "tui_app.h"

typedef struct help_key_s {
    const char *keys;     /* NULL: a section heading in text */
    const char *text;
} help_key_t;

static const help_key_t help_keys[] = {
    {NULL, "Everywhere"},
    {"1-7, Tab, Shift-Tab", "switch view (each keeps its place)"},
    {"Up/Down, j/k", "move"},
    {"PgUp/PgDn, ^B/^F", "page"},
    {"Home/End, g/G", "first / last"},
    {"s", "cycle the sort column"},
    {"r", "reverse the sort"},
    {"/", "filter by text (function or file of any frame); Esc clears"},
    {"[ / ]", "time range: start / end at the time cursor (filters every view)"},
    {"c", "clear the time range"},
    {"mouse", "wheel scrolls, click selects (again: opens), click a tab"},
    {"^L", "repaint the screen"},
    {"?, F1", "this help (Esc or q closes)"},
    {"q", "quit (closes a popup or the help first)"},
    {NULL, "1 Summary"},
    {"Left/Right, h/l", "move the time cursor one chart column"},
    {"Shift-Left/Right, H/L", "move it ten columns"},
    {"Home/End, g/G", "start / end of the run"},
    {"p", "cursor to the heap peak"},
    {"R", "hide / show RSS (the heap alone gets the chart's height)"},
    {"click on the chart", "cursor to that moment"},
    {NULL, "2 Call sites (one row per allocating stack)"},
    {"Enter", "open the stack (Enter on a frame: its source; a: its allocations)"},
    {"a", "the rows of the selected stack (Allocations view)"},
    {"s / r", "sort by allocations, bytes, peak, leaked, temporary / reverse"},
    {NULL, "3 Call tree"},
    {"b", "top-down (callers first) / bottom-up (allocating functions first)"},
    {"Enter, Right/l", "expand (Right again: first child)"},
    {"Left/h", "collapse, or go to the parent"},
    {"+ / -", "expand all / collapse all"},
    {"x", "open the heaviest stack through the node"},
    {"s", "figure shown: allocations, bytes, peak, leaked, temporary"},
    {NULL, "4 Source"},
    {"n / p", "next / previous line that allocates"},
    {"i", "self (the line's own allocations) / inclusive (with callees)"},
    {"Left/Right", "scroll sideways"},
    {NULL, "5 Leaks"},
    {"Enter", "open the stack"},
    {"a", "also list runtime one-time allocations (loader, libc, libstdc++)"},
    {"J / K", "scroll the stack panel"},
    {NULL, "6 Fragmentation"},
    {"Left/Right, h/l, H/L", "move the time cursor; the map follows"},
    {"p", "cursor to the heap peak"},
    {"P", "next process"},
    {"J / K", "scroll the pinning table"},
    {NULL, "7 Allocations (rows of the selected stack)"},
    {"s / r", "sort by time, size, lifetime / reverse"},
};

#define HELP_N (long)(sizeof help_keys / sizeof help_keys[0])

static void help_row(void *ctx, long i, int y, int x, int w, int sel)
{
    const help_key_t *k = &help_keys[i];
    (void)ctx;
    (void)sel;
    if (!k->keys) {
        tui_fill(y, x, w, tui_attr(TUI_R_NORMAL));
        tui_text(y, x + 1, w - 1, k->text, tui_attr(TUI_R_TITLE));
        return;
    }
    tui_fill(y, x, w, tui_attr(TUI_R_NORMAL));
    tui_text(y, x + 3, 24, k->keys, tui_attr(TUI_R_KEY));
    tui_textc(y, x + 28, w - 28, k->text, tui_attr(TUI_R_NORMAL));
}

void tui_help_draw(tui_app_t *a)
{
    tui_text(1, 0, COLS, " Help: keys of heapql tui (Esc or q closes, arrows scroll)",
             tui_attr(TUI_R_TITLE));
    tui_list_set(&a->help_list, HELP_N);
    tui_list_draw(&a->help_list, 2, 0, LINES - 3, COLS, help_row, a);
}

int tui_help_key(tui_app_t *a, int ch)
{
    int rc;
    switch (ch) {
    case 27: case 'q': case '?': case KEY_F(1):
        a->help = 0;
        return TUI_REFRESH;
    case KEY_UP: case 'k': /* scroll, not a cursor: the page moves */
        if (a->help_list.top > 0)
            a->help_list.top--;
        a->help_list.cur = a->help_list.top;
        return TUI_REFRESH;
    case KEY_DOWN: case 'j':
        if (a->help_list.top + a->help_list.h < a->help_list.n)
            a->help_list.top++;
        a->help_list.cur = a->help_list.top + a->help_list.h - 1;
        return TUI_REFRESH;
    }
    rc = tui_list_key(&a->help_list, ch);
    return rc != TUI_UNHANDLED ? rc : TUI_HANDLED;
}
