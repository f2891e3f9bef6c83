/* gicsim: result outputs of a system run (JSON summary, per-interrupt CSV,
 * Perfetto/Chrome trace, VCD waveforms, latency CDF as SVG).
 *
 * An output writer is a gicsim_output_ops: a name, a description and two
 * callbacks. Writers are looked up by name in a table that holds the built-in
 * ones ("json", "csv", "perfetto", "vcd", "cdf", in that order) and those a
 * program registers with gicsim_output_register.
 *
 * Use: build the system (VMs and sources), call begin() of every writer
 * wanted, run, then call end() of each. begin() registers the observers and
 * line listeners the writer needs (a system takes at most 8 observers, a GIC
 * 8 line and 8 vline listeners) and opens the file, so a bad path fails
 * before the run. end() writes what remains, closes the file and frees the
 * state; it must be called exactly once for every successful begin(), and the
 * system must not run afterwards (its observers still point at the freed
 * state: destroy the system instead). Streaming writers ("perfetto", "vcd")
 * assume that begin() is called before the system first runs.
 *
 * Every output is deterministic: identical runs give byte-identical files
 * (no host time, addresses or locale-dependent formatting). The table is not
 * thread-safe: register writers before using it from several threads.
 */
#ifndef GICSIM_OUTPUT_H
#define GICSIM_OUTPUT_H

#include <gicsim/common.h>
#include <gicsim/histogram.h>
#include <gicsim/system.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the library cannot know about the run. Every field may be NULL / 0.
 * Missing names default to "src<i>" and "vm<i>". */
typedef struct gicsim_output_info {
    const char *scenario;             /* scenario name */
    const char *policy;               /* policy (or policies) the run used */
    const char *resolved_config_json; /* the resolved configuration as a JSON value,
                                         embedded verbatim in the summary; NULL: null */
    const char *const *source_names;  /* [n_sources]: name of source i */
    size_t n_sources;
    const char *const *vm_names; /* [n_vms]: name of VM i */
    size_t n_vms;
} gicsim_output_info;

typedef struct gicsim_output_ops {
    const char *name;        /* unique key of the table, e.g. "json" */
    const char *description; /* one line, for --help style listings */
    /* Before the run: allocate *state, register observers/listeners, open `path`. */
    gicsim_status (*begin)(void **state, gicsim_system *sys, const char *path,
                           const gicsim_output_info *info);
    /* After the run: write, close, free `state`. */
    gicsim_status (*end)(void *state, gicsim_system *sys, const gicsim_output_info *info);
} gicsim_output_ops;

/* Add a writer. The ops struct is referenced, not copied: it must outlive its
 * use. GICSIM_E_INVAL for NULL ops, an empty name or a missing callback,
 * GICSIM_E_EXISTS for a name already in the table, GICSIM_E_FULL when the
 * table (32 entries) is full. */
GICSIM_API gicsim_status gicsim_output_register(const gicsim_output_ops *ops);
/* The writer called `name`, or NULL. */
GICSIM_API const gicsim_output_ops *gicsim_output_find(const char *name);
GICSIM_API size_t gicsim_output_count(void);
/* Writer i (0 .. count-1) in registration order, built-ins first; NULL beyond. */
GICSIM_API const gicsim_output_ops *gicsim_output_at(size_t i);

/* The run summary the "json" writer writes, as a malloc'd NUL-terminated
 * string (one JSON object, no trailing newline; free() it), so a program can
 * embed several runs in one document. `info` may be NULL. */
GICSIM_API gicsim_status gicsim_output_summary_json(gicsim_system *sys,
                                                    const gicsim_output_info *info, char **json);

/* The "csv" writer's begin() with a choice of columns: with
 * `policy_column` every row starts with a `policy` column holding
 * info->policy, so that the files of several runs of one scenario under
 * different policies say which is which. Rows are written as the records
 * complete (a record sink: before the first instance is raised, else
 * GICSIM_E_STATE); finish with the "csv" writer's end()
 * (gicsim_output_find("csv")->end), which writes the records still open.
 * `info` may be NULL (it is copied). */
GICSIM_API gicsim_status gicsim_output_csv_begin(gicsim_system *sys, const char *path,
                                                 const gicsim_output_info *info, bool policy_column,
                                                 void **state);

/* The "csv" writer's file in one call, after a run of a system that kept
 * its records (gicsim_system_keep_records): the header, then one row per
 * record of `sys`, gzip-compressed when `path` ends in ".gz"; columns as
 * gicsim_output_csv_begin. GICSIM_E_STATE when the records were streamed
 * instead of kept, GICSIM_E_INVAL (NULL sys or path), GICSIM_E_IO,
 * GICSIM_E_NOMEM. */
GICSIM_API gicsim_status gicsim_output_csv_write(gicsim_system *sys, const char *path,
                                                 const gicsim_output_info *info,
                                                 bool policy_column);

/* The page of an SVG chart: its size in pixels and its base font size;
 * 0 picks the chart's default (a CDF with its tail view 960 x 440, one
 * panel 620 x 440, a line chart 640 x 440; font 13). */
typedef struct gicsim_plot_style {
    unsigned width, height;
    unsigned font_size;
} gicsim_plot_style;

/* What a CDF chart shows: the CDF and the tail view (1 - CDF on a
 * logarithmic y axis) side by side, or one of them. */
typedef enum gicsim_cdf_view {
    GICSIM_CDF_VIEW_BOTH = 0,
    GICSIM_CDF_VIEW_CDF = 1,
    GICSIM_CDF_VIEW_TAIL = 2
} gicsim_cdf_view;

/* Write an SVG chart of the cumulative distributions of `n` latency
 * histograms (values in picoseconds), one curve per histogram labelled
 * labels[i] (NULL: "series <i>"), with the tail view next to it. x: latency
 * in microseconds, logarithmic when the largest value exceeds 100 times the
 * smallest, linear otherwise; y: 0..1 (tail: 1/n .. 1, logarithmic). The
 * curves have the sweep plots' style: colour-blind-safe colours, a marker
 * (at the 50th, 90th and 99th percentiles) and a dash pattern each. An
 * empty histogram gets a legend entry but no curve. `title` may be NULL.
 * GICSIM_E_INVAL for a NULL path or n > 0 with NULL arrays or a NULL
 * histogram, GICSIM_E_IO when the file cannot be written. */
GICSIM_API gicsim_status gicsim_output_cdf_svg(const char *path, const char *title,
                                               const char *const *labels,
                                               const gicsim_histogram *const *hists, size_t n);
/* The same with a choice of view and page (style may be NULL: defaults). */
GICSIM_API gicsim_status gicsim_output_cdf_svg_styled(const char *path, const char *title,
                                                      const char *const *labels,
                                                      const gicsim_histogram *const *hists,
                                                      size_t n, gicsim_cdf_view view,
                                                      const gicsim_plot_style *style);

/* One line of a line chart: n points (x[i], y[i]), drawn in this order
 * (sort them by x), with an optional band from lo[i] to hi[i] (a
 * confidence interval; both NULL: none). A point whose x or y is not finite,
 * or not above 0 on a logarithmic axis, is left out. */
typedef struct gicsim_plot_series {
    const char *label; /* the legend's text; NULL: "series <i>" */
    const double *x, *y;
    const double *lo, *hi;
    size_t n;
    unsigned colour; /* palette index; the marker shape goes with it */
    unsigned dash;   /* dash pattern index (0: solid) */
} gicsim_plot_series;

typedef struct gicsim_line_chart {
    const char *title, *x_label, *y_label; /* each may be NULL */
    bool log_x, log_y;
    /* categories on x (x values are their indices 0 .. n - 1); NULL: numbers */
    const char *const *x_categories;
    size_t n_categories;
    const gicsim_plot_series *series;
    size_t n_series;
    gicsim_plot_style style; /* 0s: 640 x 440, font 13 */
} gicsim_line_chart;

/* Write a line chart as SVG, in the CDF's style: the Okabe-Ito
 * colour-blind-safe palette with a marker shape per colour and a dash
 * pattern; series drawn in order, each thinner than the one before and with
 * smaller hollow markers, so identical lines stay visible; bands translucent
 * under every line (kept above 0 when every y is >= 0); a linear y axis
 * starts at 0 for data >= 0; the legend inside the plot where it hides no
 * line, the y axis growing to make room when needed. GICSIM_E_INVAL for a
 * NULL argument, series without arrays or an x category index out of range;
 * GICSIM_E_IO when the file cannot be written. */
GICSIM_API gicsim_status gicsim_output_lines_svg(const char *path, const gicsim_line_chart *chart);

#ifdef __cplusplus
}
#endif

#endif
