/*
 * tui_app.h -- the state of the running UI and what its parts share.
 *
 * One input loop (tui_app.c) owns getch, KEY_RESIZE, the live tick and
 * the painting: key handlers (*_key) return TUI_* flags, and the loop
 * paints at most once per turn.  Models arrive from the workers as
 * results (tui_app_results.c) and replace the ones the views read.
 * Every view is a pair of functions (*_draw, *_key) in tui_view_*.c,
 * drawing through the list widget and the draw primitives.
 */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <stdio.h>

#include "tui.h"
#include "tui_draw.h"
#include "tui_list.h"
#include "tui_model.h"
#include "tui_theme.h"
#include "tui_worker.h"

typedef enum tui_view_id_e {
    TUI_V_SUMMARY = 0, TUI_V_SITES, TUI_V_TREE, TUI_V_SOURCE, TUI_V_LEAKS, TUI_V_FRAG,
    TUI_V_ALLOCS, TUI_V_COUNT
} tui_view_id_t;

/* The smallest terminal the views are laid out for. */
#define TUI_MIN_COLS 40
#define TUI_MIN_ROWS 10
#define TUI_FRAG_CACHE 8
#define TUI_FILTER_MAX 128

typedef struct tui_rect_s {
    int y, x, h, w;
} tui_rect_t;

typedef struct tui_app_s tui_app_t;

typedef struct tui_view_s {
    const char *name;        /* tab and title: "Call sites" */
    const char *tab;         /* short tab on narrow terminals */
    void (*draw)(tui_app_t *a, tui_rect_t r);
    int (*key)(tui_app_t *a, int ch);
    int (*mouse)(tui_app_t *a, const MEVENT *m);
    void (*show)(tui_app_t *a); /* became visible (ask for its data) */
} tui_view_t;

/* A set of 64-bit path hashes (open tree nodes, kept across rebuilds). */
typedef struct tui_hset_s {
    unsigned long long *v;
    size_t cap, n;
} tui_hset_t;

int tui_hset_has(const tui_hset_t *s, unsigned long long h);
int tui_hset_add(tui_hset_t *s, unsigned long long h);
void tui_hset_del(tui_hset_t *s, unsigned long long h);
void tui_hset_clear(tui_hset_t *s);

typedef struct tui_sites_v_s {
    tui_list_t list;
    int *rows;
    size_t nrows;
    an_metric_t metric;
    int reverse;
    char filter[TUI_FILTER_MAX];
    long long keep;          /* callsite id under the cursor, kept across rebuilds */
    int keep_valid;
    int ncols;               /* figure columns that fit (set when drawn) */
} tui_sites_v_t;

typedef struct tui_tree_v_s {
    tui_list_t list;
    tui_tree_ops_t ops;
    int bottom_up;
    an_metric_t metric;
    int *rows, *depth;       /* open nodes flattened */
    size_t nrows, cap;
    tui_hset_t open[2];      /* per direction */
    int opened[2];           /* the heaviest path was opened once */
    int all[2];              /* '+': all open, the set lists closed nodes */
    unsigned long long keep[2];
    int sorted_metric[2];    /* metric the snapshot's kids are sorted by, -1 */
    const tui_snap_t *built; /* snapshot the rows index */
    int ncols;
} tui_tree_v_t;

typedef struct tui_src_v_s {
    tui_list_t list;
    int hscroll;
    int inclusive;
    char file[4096];         /* requested */
    int want_line;           /* scroll there when the file arrives (0: stay) */
    const tui_source_t *shown;
    char shown_file[4096];
    unsigned seq;            /* selection the view last followed */
    int ncols;
} tui_src_v_t;

typedef struct tui_leaks_v_s {
    tui_list_t list;
    int *rows;
    size_t nrows;
    an_metric_t metric;
    int reverse;
    int runtime;             /* list runtime one-time allocations too */
    char filter[TUI_FILTER_MAX];
    long long keep;
    int keep_valid;
    int stack_scroll;
    int ncols;
} tui_leaks_v_t;

typedef struct tui_frag_v_s {
    long long pid;           /* -1: the root process */
    long long asked;         /* moment last requested, -1 */
    int pin_scroll;
} tui_frag_v_t;

typedef struct tui_allocs_v_s {
    tui_list_t list;
    int sort, reverse;
    long long asked;         /* callsite requested */
    int asked_valid;
} tui_allocs_v_t;

typedef struct tui_popup_frame_s {
    char label[512];
    char file[1024];
    int line, inlined;
} tui_popup_frame_t;

typedef struct tui_popup_s {
    int open;
    char title[256];
    tui_popup_frame_t *f;
    int n;
    tui_list_t list;
} tui_popup_t;

typedef struct tui_prompt_s {
    int active;
    int view;                /* whose filter */
    char buf[TUI_FILTER_MAX], saved[TUI_FILTER_MAX];
} tui_prompt_t;

typedef struct tui_timing_s {
    FILE *f;
    double t0;
    int first_paint, first_data;
} tui_timing_t;

struct tui_app_s {
    tui_opts_t opts;
    char name[256];          /* database file name, for the status bar */
    tui_worker_t *wk, *wf;   /* models; fragmentation maps */
    int wake[2];
    int epoch;               /* bumped when the database is rewritten */
    int epoch_seen;          /* epoch of the last summary handled */
    int view;
    int utf8, theme;
    /* models */
    tui_summary_t *sum;
    tui_kinds_t *kinds;
    tui_snap_t *snap;
    tui_source_t *src;
    tui_allocs_t *allocs;
    tui_frag_t *frag[TUI_FRAG_CACHE];
    int nfrag;
    char errmsg[256];        /* last model error */
    /* the recording */
    int was_live, ended;
    int snap_dirty;          /* data changed since the snapshot was asked */
    /* time */
    long long t_cursor;
    int follow;              /* live: the cursor follows the end */
    int range;
    long long r_from, r_to;
    /* selection shared by the views */
    int sel_valid;
    long long sel_site;      /* callsite id of the selected stack */
    int sel_node;            /* its tree node in the current snapshot, -1 */
    char sel_label[512];
    char sel_file[4096];     /* the selection's source location ("" none) */
    int sel_line;
    unsigned sel_seq;        /* bumped when the selection moves */
    /* views and overlays */
    tui_sites_v_t vsites;
    tui_tree_v_t vtree;
    tui_src_v_t vsrc;
    tui_leaks_v_t vleaks;
    tui_frag_v_t vfrag;
    tui_allocs_v_t vallocs;
    int chart_x, chart_w, chart_y, chart_h; /* the summary chart, for the mouse */
    int hide_rss;            /* the chart shows the heap alone */
    int help;
    tui_list_t help_list;
    tui_popup_t popup;
    tui_prompt_t prompt;
    char msg[256];
    int msg_role;
    double msg_until;
    double next_tick;
    tui_timing_t timing;
    int quit;
};

extern const tui_view_t tui_views[TUI_V_COUNT];

/* ---- the loop and its parts ---------------------------------------------- */
double tui_now_ms(void);
void tui_app_paint(tui_app_t *a, int full);
int tui_app_key(tui_app_t *a, int ch);
void tui_app_results(tui_app_t *a);
void tui_app_tick(tui_app_t *a);
void tui_app_switch(tui_app_t *a, int view);
void tui_app_message(tui_app_t *a, tui_role_t role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- requests to the workers (tui_app_req.c) ------------------------------ */
void tui_req_summary(tui_app_t *a);
void tui_req_snap(tui_app_t *a, int cancel);
void tui_req_kinds(tui_app_t *a);
void tui_req_source(tui_app_t *a, const char *file, int line);
void tui_req_allocs(tui_app_t *a, int force);
void tui_req_frag(tui_app_t *a);
/* The frag result for the cursor's moment (cached), NULL while computing. */
const tui_frag_t *tui_frag_current(const tui_app_t *a);
/* Drop the cached maps (the data changed). */
void tui_frag_flush(tui_app_t *a);

/* ---- time (tui_app_time.c) ------------------------------------------------ */
long long tui_time_end(const tui_app_t *a);   /* length of the run so far */
void tui_time_move(tui_app_t *a, int columns); /* cursor by chart columns */
void tui_time_set(tui_app_t *a, long long ns);
int tui_time_key(tui_app_t *a, int ch);       /* [ ] c, shared by every view */

/* ---- selection shared by the views ----------------------------------------- */
void tui_select_site(tui_app_t *a, const tui_site_t *s);
/* A tree node of the snapshot: its heaviest stack, and the node's own
 * source location (file may be NULL). */
void tui_select_node(tui_app_t *a, int node, const char *file, int line);
/* Open the stack popup for a snapshot tree node. */
void tui_popup_open(tui_app_t *a, int node, const char *title);
void tui_popup_close(tui_app_t *a);
void tui_popup_draw(tui_app_t *a);
int tui_popup_key(tui_app_t *a, int ch);
int tui_popup_mouse(tui_app_t *a, const MEVENT *m);
/* Show the source of file at line (the Source view). */
void tui_goto_source(tui_app_t *a, const char *file, int line);

/* ---- bars, help, prompt ------------------------------------------------------ */
void tui_bar_tabs(tui_app_t *a);
void tui_bar_status(tui_app_t *a);
int tui_bar_mouse(tui_app_t *a, const MEVENT *m);
void tui_help_draw(tui_app_t *a);
int tui_help_key(tui_app_t *a, int ch);
void tui_prompt_start(tui_app_t *a, int view, const char *current);
int tui_prompt_key(tui_app_t *a, int ch);
/* The view's filter changed (prompt typing): recompute its rows. */
void tui_filter_apply(tui_app_t *a, int view, const char *text);

/* ---- the views' model-side upkeep (on a new snapshot) ------------------------- */
void tui_sites_sync(tui_app_t *a);
void tui_leaks_sync(tui_app_t *a);
void tui_tree_sync(tui_app_t *a);
void tui_tree_free(tui_app_t *a);
void tui_sites_free(tui_app_t *a);
void tui_leaks_free(tui_app_t *a);
void tui_source_sync(tui_app_t *a);
/* The line under the Source view's cursor (0: none). */
int tui_source_line(const tui_app_t *a);
void tui_allocs_sync(tui_app_t *a);

/* ---- shared drawing helpers (tui_view_common.c) -------------------------------- */
/* The title line of a view: name, then detail; returns the next row. */
int tui_view_title(tui_app_t *a, tui_rect_t r, const char *detail);
/* A centred message in the area (loading, empty, errors). */
void tui_view_note(tui_rect_t r, int row, tui_role_t role, const char *text);
/* Figure columns: header cells, right-aligned, with the sort mark. */
typedef struct tui_col_s {
    const char *head;
    int w;
    int metric;              /* an_metric_t the column shows, -1 */
} tui_col_t;
int tui_cols_head(int y, int x, int w, const tui_col_t *c, int n, int sort, int reverse,
                  const char *last);
/* Columns fitting in w: the first n that leave min_last for the label. */
int tui_cols_fit(const tui_col_t *c, int n, int w, int min_last);
const char *tui_fmt_metric(an_metric_t m, long long v, char *buf, size_t len);
const char *tui_metric_title(an_metric_t m);
/* "session_open (leaky.c:22)" or "module+0x1f" for an expanded frame. */
const char *tui_site_label(const tui_snap_t *s, const tui_site_t *t, char *buf, size_t len);
/* The stack of a snapshot node drawn as frames in the area, from row skip. */
void tui_stack_draw(tui_app_t *a, int node, tui_rect_t r, int skip);
/* Timing log (HEAPQL_TUI_TIMING). */
void tui_timing_log(tui_app_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
