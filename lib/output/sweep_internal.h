/* gicsim (internal): what the sweep's files share (gicsim/sweep.h): the
 * plan's structure, built by the spec expander (config/sweep.c) and read
 * back from plan.csv (sweep_plan.c), and the CSV reading and writing of
 * plan.csv, results.csv and summary.csv (sweep_plan.c, sweep_tables.c,
 * output_plot.c). Not installed. */
#ifndef GICSIM_OUTPUT_SWEEP_INTERNAL_H
#define GICSIM_OUTPUT_SWEEP_INTERNAL_H

#include "output_internal.h"

#include <gicsim/sweep.h>

typedef struct sweep_plan_row {
    char id[16];
    char **values; /* [n_axes] */
    char *platform, *policy;
    uint32_t replication;
    uint64_t seed;
} sweep_plan_row;

struct gicsim_sweep_plan {
    char **axes;
    size_t n_axes;
    sweep_plan_row *rows;
    size_t n_runs, cap;
    uint32_t replications;
};

/* An empty plan with these axes (copied) and replications; NULL when out
 * of memory. */
gicsim_sweep_plan *sweep_plan_new(const char *const *axes, size_t n_axes, uint32_t replications);
/* Append run n_runs (strings copied). GICSIM_E_NOMEM. */
gicsim_status sweep_plan_add(gicsim_sweep_plan *p, const char *id, const char *const *values,
                             const char *platform, const char *policy, uint32_t replication,
                             uint64_t seed);

/* ---- CSV (RFC 4180) ------------------------------------------------------------------ */

/* A field, quoted when it holds a comma, a quote, a line break or leading
 * or trailing spaces. */
void csv_field(out_buf *b, const char *s);

/* A whole CSV file: rows of cells (row 0: the header), every row as long as
 * the header. */
typedef struct csv_table {
    char ***cell; /* [n_rows][n_cols] */
    size_t n_rows, n_cols;
} csv_table;

/* Read and split `path`. GICSIM_E_IO (diag: the file and strerror) or
 * GICSIM_E_PARSE (diag: the position of the problem). */
gicsim_status csv_read(const char *path, csv_table **out, gicsim_diag *diag);
void csv_free(csv_table *t);
/* The column named `name`, or SIZE_MAX. */
size_t csv_column(const csv_table *t, const char *name);

/* Write `b` to `path` through a temporary file renamed into place. */
gicsim_status sweep_write_atomic(const char *path, out_buf *b);

#endif
