/* gicsim (internal): the SVG charts' common parts, shared by the latency
 * CDF (output_cdf.c) and the sweep plots (output_plot.c). Not installed.
 *
 * - the page: size, font size, title, side-by-side panels;
 * - axes: linear ("nice" 1-2-5 ticks), logarithmic (decades, or 1-2-5 ticks
 *   over two decades or less) or categorical, with a frame, grid, tick
 *   labels (SI prefixes from 10^4 on) and axis titles;
 * - series styles: the Okabe-Ito colour-blind-safe palette, a marker shape
 *   and a dash pattern per series, and line widths and marker sizes that
 *   shrink with the series index: series are drawn in order, so a later
 *   series lies thinner on top of an earlier one and two identical curves
 *   both stay visible; markers are hollow;
 * - confidence bands, markers, and a legend inside the plot area, in the
 *   corner that covers the fewest data points.
 * Numbers go through out_double (no locale): the same chart, the same bytes.
 */
#ifndef GICSIM_OUTPUT_SVG_H
#define GICSIM_OUTPUT_SVG_H

#include "output_internal.h"

#define SVG_MAX_TICKS 64

typedef struct svg_axis {
    bool log;
    double lo, hi; /* the range shown, in data units */
    double p0, p1; /* page coordinates of lo and hi */
    double step;   /* linear: the tick spacing (decides the labels' decimals) */
    size_t n_ticks;
    double tick[SVG_MAX_TICKS];
    bool major[SVG_MAX_TICKS];     /* labelled and with a grid line */
    const char *const *categories; /* a categorical axis: labels of 0 .. n - 1 */
    size_t n_categories;
} svg_axis;

/* A numeric axis covering [lo, hi] (lo <= hi; both > 0 when log), widened
 * to tick values. `zero`: a linear axis starts at 0 when lo >= 0. */
void svg_axis_numeric(svg_axis *a, double lo, double hi, bool log, bool zero);
/* Exactly lo .. hi (linear) with a labelled tick every `step`. */
void svg_axis_fixed(svg_axis *a, double lo, double hi, double step);
/* Exactly 10^dlo .. 10^dhi (log, dlo < dhi), decades labelled. */
void svg_axis_decades(svg_axis *a, int dlo, int dhi);
/* Categories 0 .. n - 1, half a slot of margin on each side. */
void svg_axis_categories(svg_axis *a, const char *const *names, size_t n);
/* Where the axis lies on the page: lo at p0, hi at p1. */
void svg_axis_place(svg_axis *a, double p0, double p1);
/* The page coordinate of v (clamped to the axis). */
double svg_pos(const svg_axis *a, double v);

/* A plot area on the page. */
typedef struct svg_panel {
    double x, y, w, h;
} svg_panel;

typedef struct svg_chart {
    out_buf *b;
    double width, height, font;
    bool title;
} svg_chart;

/* Start a chart of the style's size (0s: def_w x def_h, font 13). */
void svg_begin(svg_chart *c, out_buf *b, const gicsim_plot_style *style, unsigned def_w,
               unsigned def_h, const char *title);
void svg_end(svg_chart *c);
/* Panel k of n side by side, with room for tick labels and axis titles. */
svg_panel svg_layout(const svg_chart *c, size_t k, size_t n);
/* Grid, ticks, tick labels, the frame and the axis titles. */
void svg_frame(svg_chart *c, const svg_panel *p, const svg_axis *x, const svg_axis *y,
               const char *x_title, const char *y_title);

typedef struct svg_style {
    const char *color;
    const char *dash; /* NULL: solid */
    unsigned marker;  /* shape index */
    double width, marker_r;
} svg_style;

/* The style of series i. */
void svg_style_of(size_t i, svg_style *s);
/* A style from a colour, a marker and a dash pattern index, its line
 * width and marker size from the series' drawing order. */
void svg_style_mix(size_t colour, size_t marker, size_t dash, size_t order, svg_style *s);
/* Page coordinates. */
void svg_polyline(svg_chart *c, const svg_style *s, const double *px, const double *py, size_t n);
void svg_marker(svg_chart *c, const svg_style *s, double x, double y);
/* A translucent band between plo and phi along px. */
void svg_band(svg_chart *c, const svg_style *s, const double *px, const double *plo,
              const double *phi, size_t n);

/* Points that a legend should not hide (page coordinates). */
typedef struct svg_points {
    double *x, *y;
    size_t n, cap;
    bool oom;
} svg_points;

/* Add a point. */
void svg_points_push(svg_points *pts, double x, double y);
/* Add a polyline's vertices and points along its segments. */
void svg_points_add_line(svg_points *pts, const double *px, const double *py, size_t n);
void svg_points_free(svg_points *pts);

/* The size of the legend of n series. */
void svg_legend_size(const svg_chart *c, const char *const *labels, size_t n, double *w, double *h);
/* Where a legend of w x h goes in panel p: *x, *y of the place with the
 * fewest of pts under it (corners first); returns that number. */
size_t svg_legend_spot(const svg_panel *p, double w, double h, const svg_points *pts, double *x,
                       double *y);
/* The legend of n series inside panel p, in the place with the fewest of
 * pts under it (svg_legend_spot). */
void svg_legend(svg_chart *c, const svg_panel *p, const char *const *labels,
                const svg_style *styles, size_t n, const svg_points *pts);

/* Text at (x, y); `anchor`: start, middle or end; `size` 0: the chart's font. */
void svg_text(svg_chart *c, double x, double y, const char *anchor, double size, const char *s);
/* A page coordinate (2 decimals). */
void svg_num(out_buf *b, double v);
/* The chart in `b` to the file `path`: GICSIM_E_NOMEM when the buffer ran
 * out of memory, GICSIM_E_IO when the file cannot be written. */
gicsim_status svg_write(const char *path, out_buf *b);

#endif
