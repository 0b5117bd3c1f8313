/* tui_select.c -- the stack the user picked last (in Call sites, Call
 * tree or Leaks): the Allocations view lists its rows, the Source view
 * opens its innermost frame with a source line. */
#include "tui_app.h"

#include <stdio.h>
#include <string.h>

void tui_select_site(tui_app_t *a, const tui_site_t *s)
{
    if (!s)
        return;
    a->sel_valid = 1;
    a->sel_site = s->callsite;
    a->sel_node = s->node;
    if (a->snap)
        tui_site_label(a->snap, s, a->sel_label, sizeof a->sel_label);
}

void tui_select_node(tui_app_t *a, int node)
{
    const tui_snap_t *s = a->snap;
    if (!s || node < 0 || (size_t)node >= s->tree->n_nodes)
        return;
    for (size_t i = 0; i < s->nsites; i++)
        if (s->sites[i].node == node) {
            tui_select_site(a, &s->sites[i]);
            return;
        }
}

void tui_goto_source(tui_app_t *a, const char *file, int line)
{
    if (!file || !*file) {
        tui_app_message(a, TUI_R_WARN, "no source line for this frame");
        return;
    }
    a->view = TUI_V_SOURCE;
    if (a->src && !strcmp(a->src->file, file) && a->vsrc.inclusive == a->src->inclusive) {
        a->vsrc.want_line = line;
        tui_source_sync(a);
        return;
    }
    a->vsrc.shown_file[0] = '\0'; /* another file: open it at its line */
    tui_req_source(a, file, line);
}
