/* tui_views.c -- the views in tab order (keys 1-7). */
#include "tui_views.h"

const tui_view_t tui_views[TUI_V_COUNT] = {
    [TUI_V_SUMMARY] = {"Summary", "Summary", tui_summary_draw, tui_summary_key,
                       tui_summary_mouse, NULL},
    [TUI_V_SITES] = {"Call sites", "Sites", tui_sites_draw, tui_sites_key, tui_sites_mouse,
                     NULL},
    [TUI_V_TREE] = {"Call tree", "Tree", tui_tree_draw, tui_tree_key, tui_tree_mouse, NULL},
    [TUI_V_SOURCE] = {"Source", "Source", tui_source_draw, tui_source_key, tui_source_mouse,
                      tui_source_show},
    [TUI_V_LEAKS] = {"Leaks", "Leaks", tui_leaks_draw, tui_leaks_key, tui_leaks_mouse, NULL},
    [TUI_V_FRAG] = {"Fragmentation", "Frag", tui_frag_draw, tui_frag_key, NULL, tui_frag_show},
    [TUI_V_ALLOCS] = {"Allocations", "Allocs", tui_allocs_draw, tui_allocs_key,
                      tui_allocs_mouse, tui_allocs_show},
};
