/* gicsim (internal): the calibration with the simulator replaced by any
 * function, so the solver can be tested on synthetic models, and the
 * problem the fit (calibrate.c) and its analysis (analysis.c) share. Not
 * part of the public API. */
#ifndef GICSIM_CALIBRATE_INTERNAL_H
#define GICSIM_CALIBRATE_INTERNAL_H

#include <gicsim/calibrate.h>

/* The figure of `test` (ns) under `cfg`; an error stops the fit and is
 * returned by calib_fit. */
typedef gicsim_status (*calib_model_fn)(void *ctx, const gicsim_mb_config *cfg, gicsim_mb_test test,
                                        double *ns);

/* gicsim_calibrate with `model` (called with `ctx`) in place of
 * gicsim_mb_run. */
gicsim_status calib_fit(calib_model_fn model, void *ctx, const gicsim_mb_config *base,
                        const gicsim_mb_test *tests, const double *measured_ns, size_t n_tests,
                        const gicsim_cost_id *fit, size_t n_fit, gicsim_calib_result *out);

/* gicsim_calibrate_ex with `model` in place of gicsim_mb_run. */
gicsim_status calib_fit_ex(calib_model_fn model, void *ctx, const gicsim_mb_config *base,
                           const gicsim_mb_test *tests, const double *measured_ns, size_t n_tests,
                           const gicsim_calib_options *opt, gicsim_calib_fit **out);

/* gicsim_calib_metric_intervals with `model` in place of gicsim_mb_run;
 * `fit` may be NULL. */
gicsim_status calib_metric_intervals(calib_model_fn model, void *ctx, const gicsim_mb_config *base,
                                     const gicsim_mb_test *tests, const double *measured_ns,
                                     size_t n_tests, const gicsim_calib_options *opt,
                                     const gicsim_calib_metrics *metrics,
                                     gicsim_calib_interval *out, gicsim_calib_fit **fit);

/* ---- The problem ------------------------------------------------------------------------
 *
 * Rows are figures: the measured ones [0, m), then the predictions [m, R).
 * Columns are the n free costs. A point c[n] holds integer cycle counts. */
typedef struct calib_problem {
    calib_model_fn model;
    void *mctx;
    gicsim_mb_config cfg; /* the base with the facts; the free costs are set per run */
    bool priors;          /* MAP: prior rows in every step */
    size_t m, R;
    gicsim_mb_test test[GICSIM_MB__COUNT];
    double meas[GICSIM_MB__COUNT]; /* measured rows: the figure, ns */
    double unc[GICSIM_MB__COUNT];  /* measured rows: the relative uncertainty */
    double tol[GICSIM_MB__COUNT];  /* measured rows: unc * meas, one standard deviation in ns */
    double unit[GICSIM_MB__COUNT]; /* measured rows: the fit's residual unit (see calibrate.h) */
    size_t n;
    gicsim_cost_id cost[GICSIM_COST__COUNT];
    double lo[GICSIM_COST__COUNT], hi[GICSIM_COST__COUNT]; /* prior ranges */
    double c0[GICSIM_COST__COUNT], sigma[GICSIM_COST__COUNT];
    /* MAP: a cost whose range starts above 0 has a log-normal prior, ln c
     * ~ N(ln c0, lsig^2) with lsig = ln(hi / lo) / 4, so a cost is known
     * within a factor, not within cycles; sigma[] is then its local width
     * c * lsig (at c0 before the fit, at the fit after it). A range from 0
     * (a mitigation that may be off, an idle state that may be shallow) is
     * Gaussian in cycles, sigma = (hi - lo) / 4. */
    bool logp[GICSIM_COST__COUNT];
    double lsig[GICSIM_COST__COUNT];
    double scale[GICSIM_COST__COUNT]; /* the unknowns' scale in each step */
    size_t start_rank;                /* EXACT: the rank found at the first iteration */
    unsigned runs;                    /* model calls */
    char *msg;                        /* where an error is described */
    size_t msg_size;
} calib_problem;

/* Cost j's prior residual at c_j, in prior sigmas (log-normal or Gaussian,
 * see logp). */
double cp_prior_residual(const calib_problem *P, size_t j, double c);

/* The figures of rows [r0, r1) at c: f[r1 - r0]. */
gicsim_status cp_eval(calib_problem *P, const double *c, size_t r0, size_t r1, double *f);

/* The forward-difference step of a cost at c cycles: max(1, round(2% c)). */
double cp_step(double c);

/* Forward differences at c for rows [r0, r1), whose figures at c are f0:
 * J[(r1 - r0) x n], ns per cycle. */
gicsim_status cp_jacobian(calib_problem *P, const double *c, const double *f0, size_t r0, size_t r1,
                          double *J);

/* Gauss-Newton over the measured rows with use[i] (NULL: all). On entry c
 * is the start and f its measured rows' figures; J (m x n) is the Jacobian
 * there when *have_J. On return c, f are the result and J the Jacobian of
 * the last iteration (*have_J true). lin_stop: stop once the simulated
 * figures agree with the linearisation (MAP); check_rank: fail unless the
 * used rows' Jacobian has rank n at the start (EXACT). */
gicsim_status cp_gauss_newton(calib_problem *P, const bool *use, bool lin_stop, bool check_rank,
                              double *c, double *f, double *J, bool *have_J, unsigned *iterations,
                              bool *converged);

/* The printf-style message of an error into P->msg; returns st. */
gicsim_status cp_fail(calib_problem *P, gicsim_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- The analysis (analysis.c) ------------------------------------------------------------ */

/* The identifiability report at the fit (J: the measured rows' Jacobian):
 * out->free[].posterior_sigma, determined, seen, group, pins; out->n_seen,
 * rank, n_groups. */
gicsim_status ca_identifiability(const calib_problem *P, const double *J, gicsim_calib_fit *out);

/* The interval of a figure whose value at c is g0 and whose gradient is
 * G[n]: min and max of g0 + G (x - c) over lo <= x <= hi (each widened to
 * contain c) with every used measured row (use NULL: all) within
 * max(tol_i, |f_i - meas_i|) of its measurement, linearised with J; the low
 * end clamped at min(0, g0) when nonneg. */
gicsim_status ca_interval(const calib_problem *P, const bool *use, const double *c, const double *f,
                          const double *J, double g0, const double *G, bool nonneg, double *lo_ns,
                          double *hi_ns);

/* The metrics' values at c and their intervals (gicsim_calib_metric_intervals)
 * from the fit c, f, J: out[mx->n]; *runs counts the evaluations. */
gicsim_status ca_metric_intervals(calib_problem *P, const double *c, const double *f,
                                  const double *J, const gicsim_calib_metrics *mx,
                                  gicsim_calib_interval *out, unsigned *runs);

/* Leave-one-out over the measured rows from the fit c, f, J: out->cv[],
 * n_cv, cv_ok, cv_mean_abs_error. */
gicsim_status ca_cross_validate(calib_problem *P, const double *c, const double *f, const double *J,
                                gicsim_calib_fit *out);

#endif
