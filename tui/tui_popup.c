/*
 * tui_popup.c -- the stack of one call site in a box over the view: every
 * frame, innermost first, inlined frames marked.  Enter opens the
 * selected frame's source line, 'a' the stack's allocations; Esc or q
 * closes it.  The frames are copied: the box survives a new snapshot.
 */
#include "tui_app.h"

#include <stdlib.h>
#include <string.h>

static void popup_frame(tui_popup_frame_t *p, const an_xframe_t *x)
{
    char buf[512];
    snprintf(p->label, sizeof p->label, "%s",
             x->f.function ? x->f.function : an_frame_label(&x->f, buf, sizeof buf));
    snprintf(p->file, sizeof p->file, "%s", x->f.file ? x->f.file : "");
    p->line = x->f.line;
    p->inlined = x->f.inlined;
}

void tui_popup_open(tui_app_t *a, int node, const char *title)
{
    an_stackbuf_t sb = {0};
    char err[256];
    tui_popup_close(a);
    if (!a->snap || tui_snap_stack(a->snap, node, &sb, err, sizeof err) != 0) {
        tui_app_message(a, TUI_R_ERROR, "no stack: %s", a->snap ? err : "not loaded yet");
        an_stackbuf_free(&sb);
        return;
    }
    a->popup.f = calloc((size_t)(sb.n ? sb.n : 1), sizeof *a->popup.f);
    if (!a->popup.f) {
        an_stackbuf_free(&sb);
        return;
    }
    for (int i = 0; i < sb.n; i++)
        popup_frame(&a->popup.f[i], &sb.v[i]);
    a->popup.n = sb.n;
    snprintf(a->popup.title, sizeof a->popup.title, "%s", title);
    memset(&a->popup.list, 0, sizeof a->popup.list);
    tui_list_set(&a->popup.list, sb.n);
    /* start on the first frame with a source line: usually the program's */
    for (int i = 0; i < sb.n; i++)
        if (a->popup.f[i].file[0] && a->popup.f[i].line > 0) {
            a->popup.list.cur = i;
            break;
        }
    a->popup.open = 1;
    an_stackbuf_free(&sb);
}

void tui_popup_close(tui_app_t *a)
{
    free(a->popup.f);
    a->popup.f = NULL;
    a->popup.n = 0;
    a->popup.open = 0;
}

static void popup_row(void *ctx, long i, int y, int x, int w, int sel)
{
    tui_app_t *a = ctx;
    const tui_popup_frame_t *f = &a->popup.f[i];
    char loc[1100];
    attr_t base = sel ? tui_attr(TUI_R_SELECTED) : tui_attr(TUI_R_POPUP);
    int used = tui_textf(y, x, w, base, "#%-3ld", i);
    used += tui_textc(y, x + used, w - used, f->label, sel ? base : tui_attr(TUI_R_FUNC));
    if (f->inlined && used + 10 < w)
        used += tui_text(y, x + used, w - used, " [inlined]", sel ? base : tui_attr(TUI_R_DIM));
    if (f->file[0]) {
        snprintf(loc, sizeof loc, "  %s:%d", f->file, f->line);
        tui_textc(y, x + used, w - used, loc, sel ? base : tui_attr(TUI_R_FILE));
    }
}

static tui_rect_t popup_rect(void)
{
    tui_rect_t r;
    r.w = COLS - 4 < 110 ? COLS - 4 : 110;
    r.h = LINES - 4;
    r.y = 2;
    r.x = (COLS - r.w) / 2;
    return r;
}

void tui_popup_draw(tui_app_t *a)
{
    tui_rect_t r = popup_rect();
    int rows = a->popup.n + 3;
    if (rows < r.h)
        r.h = rows < 5 ? 5 : rows;
    for (int y = r.y; y < r.y + r.h; y++)
        tui_fill(y, r.x, r.w, tui_attr(TUI_R_POPUP));
    tui_box(r.y, r.x, r.h, r.w, tui_attr(TUI_R_BORDER));
    tui_textc(r.y, r.x + 2, r.w - 4, a->popup.title, tui_attr(TUI_R_TITLE) | A_BOLD);
    tui_list_draw(&a->popup.list, r.y + 1, r.x + 1, r.h - 3, r.w - 2, popup_row, a);
    tui_textc(r.y + r.h - 2, r.x + 2, r.w - 4,
              "Enter: source of the frame   a: allocations   Esc/q: close",
              tui_attr(TUI_R_DIM));
}

int tui_popup_key(tui_app_t *a, int ch)
{
    const tui_popup_frame_t *f;
    int rc;
    switch (ch) {
    case 27: case 'q': case KEY_BACKSPACE:
        tui_popup_close(a);
        return TUI_REFRESH;
    case '\r': case '\n': case KEY_ENTER:
        if (!a->popup.n)
            return TUI_HANDLED;
        f = &a->popup.f[a->popup.list.cur];
        if (!f->file[0]) {
            tui_app_message(a, TUI_R_WARN, "no source line for %s", f->label);
            return TUI_REFRESH;
        }
        tui_goto_source(a, f->file, f->line);
        tui_popup_close(a);
        return TUI_REFRESH;
    case 'a':
        tui_popup_close(a);
        tui_app_switch(a, TUI_V_ALLOCS);
        return TUI_REFRESH;
    }
    rc = tui_list_key(&a->popup.list, ch);
    return rc != TUI_UNHANDLED ? rc : TUI_HANDLED;
}

int tui_popup_mouse(tui_app_t *a, const MEVENT *m)
{
    int act;
    if (tui_list_mouse(&a->popup.list, m, &act) == TUI_UNHANDLED) {
        if (m->bstate & BUTTON1_PRESSED) { /* a click outside closes */
            tui_popup_close(a);
            return TUI_REFRESH;
        }
        return TUI_HANDLED;
    }
    return act ? tui_popup_key(a, '\r') : TUI_REFRESH;
}
