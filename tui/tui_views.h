/* tui_views.h -- the seven views, each a draw function and a key handler
 * (plus mouse and "became visible" where they need one); tui_views.c
 * lists them in tab order. */
#ifndef TUI_VIEWS_H
#define TUI_VIEWS_H

#include "tui_app.h"

void tui_summary_draw(tui_app_t *a, tui_rect_t r);
int tui_summary_key(tui_app_t *a, int ch);
int tui_summary_mouse(tui_app_t *a, const MEVENT *m);

void tui_sites_draw(tui_app_t *a, tui_rect_t r);
int tui_sites_key(tui_app_t *a, int ch);
int tui_sites_mouse(tui_app_t *a, const MEVENT *m);

void tui_tree_draw(tui_app_t *a, tui_rect_t r);
int tui_tree_key(tui_app_t *a, int ch);
int tui_tree_mouse(tui_app_t *a, const MEVENT *m);

void tui_source_draw(tui_app_t *a, tui_rect_t r);
int tui_source_key(tui_app_t *a, int ch);
int tui_source_mouse(tui_app_t *a, const MEVENT *m);
void tui_source_show(tui_app_t *a);

void tui_leaks_draw(tui_app_t *a, tui_rect_t r);
int tui_leaks_key(tui_app_t *a, int ch);
int tui_leaks_mouse(tui_app_t *a, const MEVENT *m);

void tui_frag_draw(tui_app_t *a, tui_rect_t r);
int tui_frag_key(tui_app_t *a, int ch);
void tui_frag_show(tui_app_t *a);

void tui_allocs_draw(tui_app_t *a, tui_rect_t r);
int tui_allocs_key(tui_app_t *a, int ch);
int tui_allocs_mouse(tui_app_t *a, const MEVENT *m);
void tui_allocs_show(tui_app_t *a);

#endif
