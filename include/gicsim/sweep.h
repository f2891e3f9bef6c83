/* gicsim: parameter sweeps (docs/sweeps.md).
 *
 * A sweep spec (YAML) names a base scenario and what varies: axes (any
 * scenario key path, as an override takes it, with a list of values or a
 * range; axes in a `zip` group vary together), platforms, policies and a
 * number of replications. gicsim_sweep_load parses it, expands it into
 * runs in a fixed order and validates every run's scenario before anything
 * runs; errors name the spec's file:line:column like the scenario loader's.
 *
 * A run is one point (a value of every axis and a platform) under one
 * policy and one replication; it is `gicsim run SCENARIO -p o1 -p o2 ...`
 * with the overrides gicsim_sweep_run_overrides gives. Run i has index i
 * (the order: platform outermost, then the axes as written, then the
 * policy, then the replication) and an id: 12 hex digits (the first a
 * letter, so that no table reader takes it for a number) hashed from the
 * spec's scenario, its fixed `set` overrides and the run's values, the same
 * on every machine and for every shard.
 *
 * The plan (gicsim_sweep_plan) is the expanded list without the scenario:
 * what a sweep's output directory records (plan.csv) and what the result
 * tables and their merge need. The tables turn the runs' JSON summaries
 * (the "json" writer's) into results.csv (one row per run and source, plus
 * an all-sources row) and summary.csv (mean and 95% confidence interval
 * over the replications), which gicsim_sweep_csv_read reads back (`gicsim
 * plot` draws a summary with gicsim_output_lines_svg of <gicsim/output.h>).
 * Every output is deterministic: the same runs give the same bytes,
 * whatever order or machine they ran on.
 */
#ifndef GICSIM_SWEEP_H
#define GICSIM_SWEEP_H

#include <gicsim/common.h>
#include <gicsim/scenario.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most runs one spec may expand to. */
#define GICSIM_SWEEP_MAX_RUNS 100000u

typedef struct gicsim_sweep gicsim_sweep;
typedef struct gicsim_sweep_plan gicsim_sweep_plan;

/* ---- Specs ------------------------------------------------------------------------ */

/* Load, expand and validate a spec file: every run's scenario is loaded
 * with its overrides, so a bad value fails here, at its position in the
 * spec (GICSIM_E_INVAL), or, for an error the scenario file itself holds
 * for some point, at the scenario's position with the point named in the
 * message. GICSIM_E_IO / GICSIM_E_PARSE as for scenarios. `diag` may be
 * NULL; on error *out is NULL. */
GICSIM_API gicsim_status gicsim_sweep_load(const char *path, gicsim_sweep **out, gicsim_diag *diag);
/* The same from text; `name` (NULL: "<string>") is the file name of the
 * diagnostics and the base of the relative scenario path. At most
 * `max_runs` runs (0: GICSIM_SWEEP_MAX_RUNS). */
GICSIM_API gicsim_status gicsim_sweep_load_string(const char *yaml, const char *name,
                                                  size_t max_runs, gicsim_sweep **out,
                                                  gicsim_diag *diag);
GICSIM_API void gicsim_sweep_free(gicsim_sweep *sw);

/* The spec's name (its `name`, else the file name without .yaml). */
GICSIM_API const char *gicsim_sweep_name(const gicsim_sweep *sw);
/* The base scenario's path, resolved relative to the spec's directory. */
GICSIM_API const char *gicsim_sweep_scenario(const gicsim_sweep *sw);
/* The expanded runs (owned by the sweep). */
GICSIM_API const gicsim_sweep_plan *gicsim_sweep_plan_of(const gicsim_sweep *sw);
/* Run i's overrides, in the order they apply ("key.path=value": the spec's
 * `set`, the platform, the axes, `outputs={}` when the scenario names output
 * files, the policy of every VM, run.seed): a malloc'd NULL-terminated array
 * of malloc'd strings in *out (free it with gicsim_sweep_overrides_free),
 * *n (may be NULL) their count. GICSIM_E_RANGE for a bad index. */
GICSIM_API gicsim_status gicsim_sweep_run_overrides(const gicsim_sweep *sw, size_t run, char ***out,
                                                    size_t *n);
GICSIM_API void gicsim_sweep_overrides_free(char **v);

/* ---- Plans ------------------------------------------------------------------------ */

typedef struct gicsim_sweep_run {
    size_t index;
    const char *id;            /* 12 lowercase hex digits, the first a letter */
    const char *const *values; /* [axis count]: each axis's value, as its override writes it */
    const char *platform;      /* the platform preset's name */
    const char *policy;        /* forced on every VM; "none" for a scenario without VMs */
    uint32_t replication;      /* 0 .. replications - 1 */
    uint64_t seed;             /* run.seed of this run */
} gicsim_sweep_run;

GICSIM_API size_t gicsim_sweep_plan_run_count(const gicsim_sweep_plan *p);
/* The axes' key paths, in spec order (zip groups' members in order). */
GICSIM_API size_t gicsim_sweep_plan_axis_count(const gicsim_sweep_plan *p);
GICSIM_API const char *gicsim_sweep_plan_axis(const gicsim_sweep_plan *p, size_t i);
GICSIM_API uint32_t gicsim_sweep_plan_replications(const gicsim_sweep_plan *p);
/* Run i (its strings are the plan's). GICSIM_E_RANGE for a bad index. */
GICSIM_API gicsim_status gicsim_sweep_plan_run(const gicsim_sweep_plan *p, size_t i,
                                               gicsim_sweep_run *out);
/* The index of the run with this id, or SIZE_MAX. */
GICSIM_API size_t gicsim_sweep_plan_find(const gicsim_sweep_plan *p, const char *id);

/* plan.csv: a header (index, id, the axes, platform, policy, replication,
 * seed) and one row per run. Written to a temporary file renamed into
 * place, so a reader never sees half a plan. GICSIM_E_IO on failure. */
GICSIM_API gicsim_status gicsim_sweep_plan_write(const gicsim_sweep_plan *p, const char *path);
/* A plan read back from plan.csv (GICSIM_E_PARSE with a position when it is
 * not one); free it with gicsim_sweep_plan_free. */
GICSIM_API gicsim_status gicsim_sweep_plan_read(const char *path, gicsim_sweep_plan **out,
                                                gicsim_diag *diag);
/* Same axes and runs. */
GICSIM_API bool gicsim_sweep_plan_equal(const gicsim_sweep_plan *a, const gicsim_sweep_plan *b);
/* Frees a plan of gicsim_sweep_plan_read (not one of gicsim_sweep_plan_of). */
GICSIM_API void gicsim_sweep_plan_free(gicsim_sweep_plan *p);

/* ---- Result tables ------------------------------------------------------------------ */

typedef struct gicsim_sweep_tables gicsim_sweep_tables;

/* Start results.csv and summary.csv (either path may be NULL: not
 * written). The files are written under temporary names and renamed into
 * place by gicsim_sweep_tables_close. */
GICSIM_API gicsim_status gicsim_sweep_tables_open(const gicsim_sweep_plan *p,
                                                  const char *results_csv, const char *summary_csv,
                                                  gicsim_sweep_tables **out);
/* Add run `run`'s JSON summary (a run that failed is simply not added).
 * Runs must come in increasing index order. GICSIM_E_PARSE (diag: the
 * position in the text) when it is not a run summary, GICSIM_E_STATE when
 * out of order, GICSIM_E_RANGE for a bad index. */
GICSIM_API gicsim_status gicsim_sweep_tables_add(gicsim_sweep_tables *t, size_t run,
                                                 const char *json, gicsim_diag *diag);
/* Write the rest, close and rename the files, free t. With `commit`
 * false the files are removed instead (after an error). */
GICSIM_API gicsim_status gicsim_sweep_tables_close(gicsim_sweep_tables *t, bool commit);

/* ---- Reading the tables back ----------------------------------------------------------- */

/* A sweep's CSV file (plan.csv, results.csv, summary.csv) as a table of
 * strings: gicsim plot reads summary.csv with it. */
typedef struct gicsim_sweep_csv gicsim_sweep_csv;

/* Read a CSV file (RFC 4180: quoted fields, "" for a quote; every row as
 * long as the header). GICSIM_E_IO (diag: strerror) or GICSIM_E_PARSE (diag:
 * line and column). */
GICSIM_API gicsim_status gicsim_sweep_csv_read(const char *path, gicsim_sweep_csv **out,
                                               gicsim_diag *diag);
GICSIM_API void gicsim_sweep_csv_free(gicsim_sweep_csv *t);
/* The data rows (the header not counted) and the columns. */
GICSIM_API size_t gicsim_sweep_csv_rows(const gicsim_sweep_csv *t);
GICSIM_API size_t gicsim_sweep_csv_columns(const gicsim_sweep_csv *t);
/* Column col's name; NULL beyond the last. */
GICSIM_API const char *gicsim_sweep_csv_header(const gicsim_sweep_csv *t, size_t col);
/* The cell of data row `row` (0: the first after the header) and column
 * `col`; NULL out of range. */
GICSIM_API const char *gicsim_sweep_csv_cell(const gicsim_sweep_csv *t, size_t row, size_t col);
/* The column named `name`, or SIZE_MAX. */
GICSIM_API size_t gicsim_sweep_csv_find(const gicsim_sweep_csv *t, const char *name);
/* A cell as the tables write numbers ("[-]digits[.digits]"), read without
 * the locale; false for an empty cell or anything else. */
GICSIM_API bool gicsim_sweep_csv_number(const char *cell, double *v);

/* ---- Replications and their statistics ---------------------------------------------
 *
 * What summary.csv computes over a point's replications, for any caller
 * (`gicsim run` and `compare` with run.replications). */

/* The seed of replication r of a run whose run.seed is `base`: base itself
 * for r = 0, then a splitmix64 step of base + r (neighbouring seeds share
 * nothing). */
GICSIM_API uint64_t gicsim_sweep_replication_seed(uint64_t base, uint32_t r);
/* The mean of x[0..n) (Welford's update, in order) and the half-width of
 * its 95% Student-t confidence interval (0 when n < 2). */
GICSIM_API void gicsim_sweep_mean_ci(const double *x, size_t n, double *mean, double *half);
/* The difference of the means, mean(y) - mean(x), and the half-width of its
 * 95% confidence interval (Welch: the variances are not assumed equal;
 * degrees of freedom rounded down). 0 when either sample has fewer than 2
 * values. The difference is within noise when |diff| <= half. */
GICSIM_API void gicsim_sweep_diff_ci(const double *x, size_t nx, const double *y, size_t ny,
                                     double *diff, double *half);

#ifdef __cplusplus
}
#endif

#endif
