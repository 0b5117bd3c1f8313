/* tui_select.c -- the stack the user picked last (in Call sites, Call
 * tree or Leaks): the Allocations view lists its rows, the Source view
 * follows its location (a stack: its innermost frame with a source line;
 * a tree node: the node's own line). */
#include "tui_app.h"

#include <stdio.h>
#include <string.h>

static void select_location(tui_app_t *a, const char *file, int line)
{
    if (!strcmp(a->sel_file, file ? file : "") && a->sel_line == line)
        return;
    snprintf(a->sel_file, sizeof a->sel_file, "%s", file ? file : "");
    a->sel_line = line;
    a->sel_seq++;
}

/* The innermost frame of the stack that has a source line. */
static void select_stack_location(tui_app_t *a, int node)
{
    an_stackbuf_t sb = {0};
    char err[64];
    if (tui_snap_stack(a->snap, node, &sb, err, sizeof err) == 0)
        for (int i = 0; i < sb.n; i++)
            if (sb.v[i].f.file && sb.v[i].f.line > 0) {
                select_location(a, sb.v[i].f.file, sb.v[i].f.line);
                break;
            }
    an_stackbuf_free(&sb);
}

void tui_select_site(tui_app_t *a, const tui_site_t *s)
{
    if (!s || !a->snap)
        return;
    if (a->sel_valid && a->sel_site == s->callsite && a->sel_node == s->node)
        return;
    a->sel_valid = 1;
    a->sel_site = s->callsite;
    a->sel_node = s->node;
    tui_site_label(a->snap, s, a->sel_label, sizeof a->sel_label);
    select_stack_location(a, s->node);
}

void tui_select_node(tui_app_t *a, int node, const char *file, int line)
{
    const tui_snap_t *s = a->snap;
    if (!s || node < 0 || (size_t)node >= s->tree->n_nodes)
        return;
    for (size_t i = 0; i < s->nsites; i++)
        if (s->sites[i].node == node) {
            tui_select_site(a, &s->sites[i]);
            break;
        }
    if (file && line > 0)
        select_location(a, file, line);
}

void tui_goto_source(tui_app_t *a, const char *file, int line)
{
    if (!file || !*file) {
        tui_app_message(a, TUI_R_WARN, "no source line for this frame");
        return;
    }
    a->view = TUI_V_SOURCE;
    a->vsrc.seq = a->sel_seq; /* an explicit frame: the view stays on it */
    if (a->src && !strcmp(a->src->file, file) && a->vsrc.inclusive == a->src->inclusive) {
        a->vsrc.want_line = line;
        tui_source_sync(a);
        return;
    }
    a->vsrc.shown_file[0] = '\0'; /* another file: open it at its line */
    tui_req_source(a, file, line);
}
