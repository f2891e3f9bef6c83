/* gicsim (internal): what the sweep's files share (gicsim/sweep.h): the
 * plan's structure, built by the spec expander (sweep.c) and read back from
 * plan.csv (sweep_plan.c); CSV reading and writing (plan.csv, results.csv,
 * summary.csv: sweep_plan.c, sweep_tables.c); strings built with stdio; and
 * numbers read and written without the locale. Not installed. */
#ifndef GICSIM_CONFIG_SWEEP_INTERNAL_H
#define GICSIM_CONFIG_SWEEP_INTERNAL_H

#include "yaml_tree.h"

#include <gicsim/sweep.h>

#include <stdio.h>

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

/* ---- Strings --------------------------------------------------------------------------- */

/* A string written with stdio (open_memstream). */
typedef struct sw_str {
    FILE *f;
    char *p;
    size_t len;
} sw_str;

/* false when out of memory. */
bool sw_str_open(sw_str *s);
/* The string (malloc'd; free it), or NULL when out of memory. */
char *sw_str_close(sw_str *s);

/* ---- Numbers (no locale) ----------------------------------------------------------------- */

double sw_pow10(int e);
/* "[-]digits[.digits]": *v; *point (may be NULL): it had a decimal point. */
bool sw_parse_decimal(const char *s, double *v, bool *point);
/* x rounded half away from zero to `decimals` digits (0..9), as out_double
 * writes it (lib/output): integer arithmetic only. */
void sw_fixed(FILE *f, double x, unsigned decimals);

/* ---- CSV (RFC 4180) ------------------------------------------------------------------ */

/* A field, quoted when it holds a comma, a quote, a line break or leading
 * or trailing spaces. */
void csv_field(FILE *f, const char *s);

/* A whole CSV file, the public gicsim_sweep_csv: rows of cells (row 0: the
 * header), every row as long as the header. */
struct gicsim_sweep_csv {
    char ***cell; /* [n_rows][n_cols] */
    size_t n_rows, n_cols;
};
typedef struct gicsim_sweep_csv csv_table;

/* Read and split `path`. GICSIM_E_IO (diag: the file and strerror) or
 * GICSIM_E_PARSE (diag: the position of the problem). */
gicsim_status csv_read(const char *path, csv_table **out, gicsim_diag *diag);
void csv_free(csv_table *t);
/* The column named `name`, or SIZE_MAX. */
size_t csv_column(const csv_table *t, const char *name);

/* A temporary file next to `path` (its name into tmp[size]), opened for
 * writing; NULL when it cannot be created. */
FILE *sw_open_tmp(const char *path, char *tmp, size_t size);
/* Close the temporary file and rename it to `path` (commit) or remove it.
 * GICSIM_E_IO when writing or renaming failed. */
gicsim_status sw_close_tmp(FILE *f, const char *tmp, const char *path, bool commit);

#endif
