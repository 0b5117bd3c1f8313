/*
 * an_frag_render.h -- the fragmentation model as text (metrics, regions,
 * the page map, pinning and waste tables, the series as sparklines) or as
 * JSON with the same data.  Writers take the FILE the caller chose and
 * decide nothing about the terminal: the caller says how big it is and
 * what it can show.
 */
#ifndef AN_FRAG_RENDER_H
#define AN_FRAG_RENDER_H

#include <stdio.h>

#include "an_fmt.h"
#include "an_frag_model.h"

typedef struct an_frag_view_s {
    int cols, rows;      /* screen area for the map; 0: 80x24 */
    int utf8;            /* block characters; else ASCII ' .:#@' */
    int color;           /* ANSI colours */
    int frames;          /* frames per call site in text; 0: 3 */
    const char *db_path; /* shown in the heading */
} an_frag_view_t;

/* 0, or -1 when memory runs out (output may be partial). */
int an_frag_write_text(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f);
int an_frag_write_json(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f);

/* ---- shared by the writers (an_frag_text.c, an_frag_json.c) ---------------- */
/* Pinning and internal-waste rankings as tables (text and JSON). */
an_table_t *an_frag_pin_table(const an_frag_model_t *m, int text_frames);
an_table_t *an_frag_waste_table(const an_frag_model_t *m, int text_frames);
/* Regions by address; mmap chunks after the first max_chunks left out
 * (-1: all). */
an_table_t *an_frag_region_table(const an_frag_model_t *m, long long max_chunks);
/* The layout of the map in the view's area (address column and the
 * heading and legend lines taken off).  0, -1 out of memory. */
int an_frag_view_layout(const an_frag_model_t *m, const an_frag_view_t *v, an_frag_layout_t *l);
/* The map (label lines, rows of cells, legend) in the view's area. */
int an_frag_write_map(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f);
/* The series as two sparklines with a marker at t. */
void an_frag_write_spark(const an_frag_model_t *m, const an_frag_view_t *v, FILE *f);
/* "the heap peak", "the end", "--at" */
const char *an_frag_when_name(an_frag_when_t w);
/* Touched-page bytes over live bytes; 0 when nothing is live. */
double an_frag_ratio(long long pages, long long live_bytes);

#endif
