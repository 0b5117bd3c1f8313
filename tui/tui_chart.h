/*
 * tui_chart.h -- heap and RSS over time as a chart: the heap as an area of
 * eighth blocks, RSS as a braille line (two time steps per cell, four
 * heights), in ASCII '#' and '.'; the time cursor, the range and the peak
 * marked on the axis; y labels in bytes.
 */
#ifndef TUI_CHART_H
#define TUI_CHART_H

#include "tui_app.h"

/* Width of the y-label column. */
#define TUI_CHART_LABEL_W 11

/* Draw the chart of the app's series in r (at least 4 rows); sets
 * a->chart_x/chart_w/chart_y/chart_h for the cursor and the mouse. */
void tui_chart_draw(tui_app_t *a, tui_rect_t r);
/* The moment under plot column col. */
long long tui_chart_time(const tui_app_t *a, int col);

#endif
