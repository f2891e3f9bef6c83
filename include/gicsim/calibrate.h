/* gicsim: fitting a platform's primitive costs to measured micro-bench
 * figures, and what the figures tell about them (docs/calibration.md).
 *
 * Two methods share one Gauss-Newton solver. Each measured figure is
 * simulated with gicsim_mb_run (gicsim/microbench.h); the figures are sums
 * of costs along each test's path (with a max() where two PEs race), so the
 * problem is nearly linear:
 *
 *   - coefficients by forward finite differences of gicsim_mb_run around
 *     the current integer point (step: max(1 cycle, 2% of the value)), so a
 *     figure's row holds how many ns it gains per cycle of each free cost;
 *   - each iteration solves the linearised problem with non-negative least
 *     squares (Lawson-Hanson), every cycle count >= 0, and steps to the
 *     rounded solution; a step that makes the objective worse is halved (at
 *     most 4 times); at most 10 iterations;
 *   - the result is an integer point, simulated again: the figures and
 *     errors reported are those of the rounded timing.
 *
 * MAP (gicsim_calibrate_ex, GICSIM_CALIB_MAP; the default): the unknowns are
 * every cost (or the caller's subset) except the facts; cost j has a
 * Gaussian prior centred on the base's value clamped into its plausible
 * range [lo_j, hi_j] (gicsim_cost_prior), with sigma_j = (hi_j - lo_j) / 4
 * (at least 0.25 cycle), and figure i a relative uncertainty u_i (default
 * 3%). The fit minimises
 *     sum_i ((sim_i - m_i) / (u_i m_i))^2 + sum_j ((c_j - c0_j) / sigma_j)^2
 * over c >= 0, starting from the prior centres: every step stacks the prior
 * rows under the weighted residual rows, so fewer figures than costs still
 * give a unique answer (a cost no figure sees stays at its centre). The
 * iteration stops when the figures simulated at the new point agree with
 * the linearisation within 5% of each figure's uncertainty, when no cycle
 * count moves by 0.01% or more, or when the integer point repeats.
 *
 * EXACT (gicsim_calibrate, and GICSIM_CALIB_EXACT): no priors; the unknowns
 * are a fit set (default: gicsim_calib_default_cost of each test), at most
 * one per figure, and the fit minimises sum_i ((sim_i - m_i) / m_i)^2 (each
 * term divided by u_i / min_k u_k when the uncertainties differ), with the
 * unknowns scaled by their starting values. The Jacobian at the start must
 * have rank n_fit, otherwise the call fails (GICSIM_E_INVAL) naming the
 * cost; the iteration stops when no cycle count moves by 0.01% or more or no
 * step improves. The shipped presets of before MAP were fitted this way.
 */
#ifndef GICSIM_CALIBRATE_H
#define GICSIM_CALIBRATE_H

#include <gicsim/common.h>
#include <gicsim/microbench.h>
#include <gicsim/scenario.h>
#include <gicsim/timing.h>
#include <gicsim/variation.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The cost a test's figure calibrates when the caller names none: the
 * primitive on that test's path that the other tests' paths lack most (the
 * table and its reasons are in lib/calibrate/calibrate.c and
 * docs/calibration.md).
 * GICSIM_COST__COUNT for an out-of-range test. */
GICSIM_API gicsim_cost_id gicsim_calib_default_cost(gicsim_mb_test test);

typedef struct gicsim_calib_result {
    gicsim_timing timing; /* the base timing with the fitted costs' rounded values */
    size_t n_fit;
    gicsim_cost_id fit[GICSIM_COST__COUNT]; /* the costs fitted (the default set if none given) */
    size_t n_tests;
    double simulated_ns[GICSIM_MB__COUNT]; /* per test, in the caller's order, with `timing` */
    double rel_error[GICSIM_MB__COUNT];    /* (simulated - measured) / measured */
    double max_abs_rel_error;              /* the largest |rel_error| */
    unsigned iterations;                   /* Gauss-Newton iterations run */
    bool converged;                        /* the cycle counts settled within 10 iterations */
    size_t rank;                           /* rank of the weighted Jacobian at the start */
    char message[512];                     /* why the call failed; "" when it returned GICSIM_OK */
} gicsim_calib_result;

/* Fit the costs `fit[0..n_fit)` (n_fit 0: gicsim_calib_default_cost of each
 * test, duplicates dropped) so that test i simulates to measured_ns[i]
 * (n_tests distinct tests, each value > 0 and finite). `base` gives the
 * starting point, the other costs, clocks, VHE and iterations. Returns
 * GICSIM_OK with `out` filled, whatever the residuals (the caller judges
 * them); GICSIM_E_INVAL for bad arguments (an unknown or repeated test or
 * cost, a non-positive figure, more costs than figures) or a fit set that
 * the figures cannot determine (rank < n_fit: a cost that no measured test
 * depends on, or two costs that move every figure in the same proportion),
 * GICSIM_E_NOMEM, or an error of gicsim_mb_run; out->message then says
 * what, naming the cost or test. */
GICSIM_API gicsim_status gicsim_calibrate(const gicsim_mb_config *base, const gicsim_mb_test *tests,
                                          const double *measured_ns, size_t n_tests,
                                          const gicsim_cost_id *fit, size_t n_fit,
                                          gicsim_calib_result *out);

/* ---- MAP fits, identifiability, intervals and cross-validation ------------------------ */

typedef enum gicsim_calib_method {
    GICSIM_CALIB_MAP = 0,  /* priors on every free cost (the default) */
    GICSIM_CALIB_EXACT = 1 /* no priors: least squares on a fit set (gicsim_calibrate) */
} gicsim_calib_method;

/* The relative uncertainty of a measured figure that states none (3%). */
#define GICSIM_CALIB_DEFAULT_UNCERTAINTY GICSIM_MB_DEFAULT_UNCERTAINTY
/* The figures named as pinning one cost, at most. */
#define GICSIM_CALIB_MAX_PINS 3

typedef struct gicsim_calib_options {
    gicsim_calib_method method;
    /* The free costs. NULL/0: MAP every cost but the facts; EXACT the
     * default set (gicsim_calib_default_cost of each measured test). */
    const gicsim_cost_id *fit;
    size_t n_fit;
    /* Per measured figure, relative (0.03 = 3%), in (0, 1]; NULL: every
     * figure has default_uncertainty. */
    const double *uncertainty;
    double default_uncertainty; /* in (0, 1]; 0: GICSIM_CALIB_DEFAULT_UNCERTAINTY */
    /* Costs known for the measured machine: set to fact_cycles[k], never
     * fitted, never varied in an interval. */
    const gicsim_cost_id *fact;
    const uint64_t *fact_cycles;
    size_t n_facts;
    /* No fit: report on the base's costs as they are (a calibrated preset's
     * intervals; the fit set and uncertainties are then the preset's). */
    bool analyse_only;
    /* An interval for every measured figure and for each test of `predict`
     * (NULL/0: every test not measured); false: none (no extra runs). */
    bool intervals;
    const gicsim_mb_test *predict;
    size_t n_predict;
    /* Leave-one-out over the measured figures (gicsim_calib_fit.cv). */
    bool cross_validate;
    /* Every prior Gaussian in cycles; false (the default): log-normal for
     * the costs whose plausible range starts above 0, Gaussian for the
     * others. */
    bool normal_priors;
} gicsim_calib_options;

/* MAP, default uncertainty, no facts, intervals for every test, no
 * cross-validation. */
GICSIM_API void gicsim_calib_options_init(gicsim_calib_options *opt);

/* One free cost: its values, its prior and what the data say about it. */
typedef struct gicsim_calib_cost {
    gicsim_cost_id cost;
    uint64_t start_cycles;     /* the base's value (the facts applied) */
    uint64_t cycles;           /* the fitted value (analyse_only: the start) */
    double prior_lo, prior_hi; /* its plausible range, cycles (gicsim_cost_prior) */
    double prior_centre;       /* the start clamped into [prior_lo, prior_hi] */
    double prior_sigma;        /* the prior's width in cycles at prior_centre: prior_centre *
                                  ln(prior_hi / prior_lo) / 4 (log-normal: a range above 0), else
                                  (prior_hi - prior_lo) / 4; at least 0.25 */
    bool prior_log;            /* the prior is log-normal: ln c ~ N(ln prior_centre,
                                  (ln(prior_hi / prior_lo) / 4)^2) */
    /* Laplace approximation at the fit: sqrt of the diagonal of
     * (J' W J + P)^-1 (EXACT: (J' W J)^-1), J the measured figures'
     * Jacobian, W = diag(1 / (u_i m_i)^2), P = diag(1 / sigma_j^2). NAN when
     * EXACT and J' W J is singular. */
    double posterior_sigma;
    double determined; /* 1 - posterior^2 / prior^2, clamped to [0, 1] */
    bool seen;         /* some measured figure depends on it */
    unsigned group;    /* 0, or k: in inseparable group k (1..n_groups) */
    /* The figures the estimate rests on, largest first: each one's share of
     * the data's part of the posterior variance (>= 10%). */
    size_t n_pins;
    gicsim_mb_test pin_test[GICSIM_CALIB_MAX_PINS];
    double pin_share[GICSIM_CALIB_MAX_PINS];
} gicsim_calib_cost;

/* One figure: measured (fitted to) or predicted. */
typedef struct gicsim_calib_figure {
    gicsim_mb_test test;
    bool measured;
    double measured_ns;  /* 0 when not measured */
    double uncertainty;  /* relative; 0 when not measured */
    double simulated_ns; /* with the fitted timing */
    double rel_error;    /* (simulated - measured) / measured; 0 when not measured */
    /* The range of the linearised figure over the free costs within their
     * prior ranges whose linearised measured figures are all within their
     * uncertainty (docs/calibration.md, "Intervals"). */
    bool has_interval;
    double lo_ns, hi_ns;
} gicsim_calib_figure;

/* One leave-one-out fold: the figure held out, predicted from the others. */
typedef struct gicsim_calib_cv {
    gicsim_mb_test test;
    gicsim_status status; /* GICSIM_OK, or why the others could not be fitted (message) */
    double measured_ns, predicted_ns, rel_error;
    bool has_interval;
    double lo_ns, hi_ns;
    char message[256];
} gicsim_calib_cv;

typedef struct gicsim_calib_fit {
    gicsim_calib_method method;
    bool analysed_only;
    gicsim_timing timing; /* the base's timing with the facts and fitted values */
    double uncertainty;   /* the default relative uncertainty used */
    size_t n_free;
    gicsim_calib_cost
        free[GICSIM_COST__COUNT]; /* in the fit set's order (MAP default: table order) */
    size_t n_facts;
    gicsim_cost_id fact[GICSIM_COST__COUNT];
    /* Measured figures first, in the caller's order, then the predictions. */
    size_t n_measured, n_figures;
    gicsim_calib_figure figure[GICSIM_MB__COUNT];
    double max_abs_rel_error; /* over the measured figures */
    double data_misfit;       /* sum_i ((sim_i - m_i) / (u_i m_i))^2 */
    double prior_misfit;      /* sum_j ((c_j - c0_j) / sigma_j)^2 (also reported for EXACT) */
    unsigned iterations;      /* Gauss-Newton iterations run */
    bool converged;
    /* Identifiability: the free costs some figure depends on, the rank of
     * the weighted Jacobian over them (singular values of the unit-norm
     * columns above 0.01), and groups of costs whose columns are
     * proportional (cosine above 1 - 1e-4): the figures move with their
     * weighted sum only, so only the priors split it. */
    size_t n_seen, rank, n_groups;
    size_t n_cv;
    gicsim_calib_cv cv[GICSIM_MB__COUNT]; /* in the measured figures' order */
    double cv_mean_abs_error;             /* over the folds with status GICSIM_OK */
    size_t cv_ok;
    unsigned model_runs;  /* simulations run (gicsim_mb_run calls) */
    char message[512];    /* why the call failed; "" when it returned GICSIM_OK */
    unsigned metric_runs; /* gicsim_calib_metric_intervals: metric evaluations (callback calls) */
} gicsim_calib_fit;

/* Fit (or, analyse_only, analyse) the costs of `base` to measured_ns[i] of
 * tests[i] (n_tests distinct tests, each value > 0 and finite) with `opt`
 * (NULL: gicsim_calib_options_init's), then report identifiability, the
 * intervals and, if asked, the cross-validation. *out is allocated (free it
 * with gicsim_calib_fit_free) whatever the status, unless `out` is NULL or
 * memory ran out; on an error its message says what, naming the cost or
 * test. GICSIM_OK whatever the residuals; GICSIM_E_INVAL for bad arguments
 * (an unknown or repeated test or cost, a non-positive or non-finite figure
 * or uncertainty, a cost both fact and fitted, EXACT with more costs than
 * figures or a fit set the figures cannot determine), GICSIM_E_NOMEM, or an
 * error of gicsim_mb_run. A fold of the cross-validation that fails has its
 * own status and message and does not fail the call. */
GICSIM_API gicsim_status gicsim_calibrate_ex(const gicsim_mb_config *base,
                                             const gicsim_mb_test *tests, const double *measured_ns,
                                             size_t n_tests, const gicsim_calib_options *opt,
                                             gicsim_calib_fit **out);
GICSIM_API void gicsim_calib_fit_free(gicsim_calib_fit *fit);

/* ---- Intervals of any metric ------------------------------------------------------------
 *
 * The interval of a figure (gicsim_calib_figure), for anything a caller can
 * compute from a platform's timing: a scenario's latency percentiles, its
 * exits per interrupt, a throughput. */

/* Evaluates the metrics with `timing` (the clocks and every cost; between
 * two calls of one gicsim_calib_metric_intervals only free costs differ)
 * into values[0..n), n the gicsim_calib_metrics' n. Anything but GICSIM_OK
 * stops the call, which returns that status. */
typedef gicsim_status (*gicsim_calib_metric_fn)(void *ctx, const gicsim_timing *timing,
                                                double *values);

typedef struct gicsim_calib_metrics {
    size_t n;                    /* metrics per evaluation, >= 1 */
    gicsim_calib_metric_fn eval; /* called with ctx */
    void *ctx;
    /* The metrics cannot be negative (times, counts, ratios of counts):
     * each interval's low end is clamped at 0, as a figure's is (at the
     * value, were it negative). */
    bool nonnegative;
} gicsim_calib_metrics;

typedef struct gicsim_calib_interval {
    double value;  /* the metric at the fit's timing (gicsim_calib_fit.timing) */
    double lo, hi; /* lo <= value <= hi */
} gicsim_calib_interval;

/* Each metric's interval: gicsim_calibrate_ex(base, tests, measured_ns,
 * n_tests, opt, fit) (with opt->analyse_only, a calibrated preset's costs as
 * they are: pass its calibration block as `gicsim microbench` does,
 * docs/calibration.md), then the metrics at the fit's timing and their
 * sensitivity to each free cost j by forward differences: a step of the
 * figures' Jacobian (max(1 cycle, 2% of the value), rounded) tells whether
 * any metric depends on j (slope 0 when none moves); when one does, a
 * second step of cost j's prior sigma at the fit (rounded, when larger:
 * prior_sigma's rule with the fitted cycles for a log-normal prior, as
 * the posterior uses) gives the slope, the secant over it (a
 * simulated metric is quantised and a step of a cycle or two can reorder
 * events: such a slope, extrapolated over the prior range, would measure
 * the noise). out[k] is the value and the min and max of the linearised
 * metric over the polytope of the figures' intervals: the free costs
 * within their prior ranges, every linearised measured figure within its
 * uncertainty.
 *
 * Cost: metrics->eval is called 1 + n_free + d times (fit->metric_runs):
 * once at the fit, once per free cost and once more for each of the d
 * free costs some metric depends on, so at most 1 + 2 n_free; every metric
 * comes from the same calls. On top of that the calibration's own
 * gicsim_mb_run calls (fit->model_runs): with analyse_only and no
 * predictions (opt->intervals false), n_tests * (n_free + 1).
 *
 * `fit` may be NULL; otherwise *fit is allocated as by gicsim_calibrate_ex
 * (free it with gicsim_calib_fit_free) whatever the status, its message
 * saying what failed. GICSIM_OK; GICSIM_E_INVAL for bad arguments (those of
 * gicsim_calibrate_ex, no measured figures among them; NULL metrics, eval
 * or out, n 0); an error of gicsim_mb_run; the status of a failed
 * metrics->eval, or GICSIM_E_STATE for a value that is not finite (the
 * message names the cost that was moved, if any); GICSIM_E_NOMEM. */
GICSIM_API gicsim_status gicsim_calib_metric_intervals(
    const gicsim_mb_config *base, const gicsim_mb_test *tests, const double *measured_ns,
    size_t n_tests, const gicsim_calib_options *opt, const gicsim_calib_metrics *metrics,
    gicsim_calib_interval *out, gicsim_calib_fit **fit);

/* ---- Fitting the spread (docs/calibration.md, "Spread") ----------------------------------
 *
 * The costs fix each figure's centre (its mean or median); the platform's
 * variation (<gicsim/variation.h>) fixes its spread. A spread fit sets up
 * to GICSIM_SPREAD_MAX_PARAMS numeric parameters of the variation
 * (gicsim_variation_param paths, each > 0 at the start) so that statistics
 * of the simulated tests match measured ones:
 *   - a percentile of a test's distribution (gicsim_mb_result.latency), and
 *   - the standard deviation of a test's figure over several runs (each
 *     replication r with the variation's seed
 *     gicsim_sweep_replication_seed(seed, r)).
 * It minimises sum_k (ln(sim_k / measured_k))^2 with Nelder-Mead over the
 * logarithms of the parameters (the start's simplex steps a factor 2; at
 * most 80 evaluations; stops when the simplex's values agree within 1e-5
 * and its points within 0.1%). Every evaluation uses the same seeds
 * (common random numbers), so the objective is smooth where the model
 * is. */

typedef enum gicsim_spread_stat {
    GICSIM_SPREAD_PERCENTILE = 0, /* percentile `pct` of the test's distribution */
    GICSIM_SPREAD_RUN_SD = 1      /* the sd of the test's figure over the replications */
} gicsim_spread_stat;

#define GICSIM_SPREAD_MAX_TARGETS 32

typedef struct gicsim_spread_target {
    gicsim_mb_test test;
    gicsim_spread_stat stat;
    double pct; /* PERCENTILE: in (0, 100) */
    double ns;  /* the measured value, > 0 */
} gicsim_spread_target;

/* The targets measured figures give: each percentile, and for a figure
 * with runs the sample sd of its runs (when > 0). At most `max`; returns
 * how many. */
GICSIM_API size_t gicsim_spread_targets(const gicsim_mb_test *tests, const gicsim_mb_spread *spread,
                                        size_t n, gicsim_spread_target *out, size_t max);

/* The run-to-run spread of `test`'s figure: the sample sd (ns) over
 * `replications` runs (0: 16, at most 1024), run r with the variation's
 * seed gicsim_sweep_replication_seed(cfg->variation.seed, r). The statistic
 * GICSIM_SPREAD_RUN_SD fits. GICSIM_E_INVAL for a NULL argument; an error of
 * gicsim_mb_run. */
GICSIM_API gicsim_status gicsim_mb_run_sd(const gicsim_mb_config *cfg, gicsim_mb_test test,
                                          uint32_t replications, double *sd_ns);

typedef struct gicsim_spread_fit {
    gicsim_variation variation; /* the base's with the fitted parameters */
    size_t n_params;
    char param[GICSIM_SPREAD_MAX_PARAMS][GICSIM_SPREAD_PARAM_LEN];
    double start[GICSIM_SPREAD_MAX_PARAMS], value[GICSIM_SPREAD_MAX_PARAMS];
    size_t n_targets;
    gicsim_spread_target target[GICSIM_SPREAD_MAX_TARGETS];
    double start_ns[GICSIM_SPREAD_MAX_TARGETS];     /* simulated at the start */
    double simulated_ns[GICSIM_SPREAD_MAX_TARGETS]; /* simulated at the fit */
    double misfit;                                  /* at the fit */
    uint32_t replications;                          /* per RUN_SD evaluation */
    unsigned evaluations;
    bool converged;
    char message[256]; /* why the call failed; "" when it returned GICSIM_OK */
} gicsim_spread_fit;

/* Fit params[0..n_params) of base->variation to targets[0..n_targets)
 * (replications: runs per RUN_SD statistic, 0: 16). GICSIM_OK with *out
 * filled; GICSIM_E_INVAL (out->message says which) for no targets or
 * parameters, too many, an unknown parameter, one listed twice or one
 * that is not > 0, a target that is not > 0 or a percentile outside
 * (0, 100); an error of gicsim_mb_run at the start values (or
 * GICSIM_E_NOMEM at any point: a point of the search whose values the
 * variation refuses or whose test cannot complete is only infeasible). */
GICSIM_API gicsim_status gicsim_calibrate_spread(const gicsim_mb_config *base,
                                                 const gicsim_spread_target *targets,
                                                 size_t n_targets, const char *const *params,
                                                 size_t n_params, uint32_t replications,
                                                 gicsim_spread_fit *out);

/* Measured figures read from a file (gicsim calibrate's MEASURED). */
typedef struct gicsim_calib_measured {
    char reference[512]; /* the file's reference ("" when it has none) */
    bool kvm_unit_tests; /* the file was a kvm-unit-tests arm/micro-bench log */
    size_t n;
    gicsim_mb_test test[GICSIM_MB__COUNT]; /* in file order */
    double ns[GICSIM_MB__COUNT];           /* > 0 */
    size_t n_ignored;                      /* log lines of tests gicsim does not model */
    /* YAML only, optional: facts about the measured machine that override
     * the base preset (they are not fitted): a description for the preset
     * written, whether its host runs with VHE, its clocks. */
    char description[512];
    bool has_vhe, vhe;
    /* ... and its KVM's version-dependent behaviour (`kvm:`, as in a
     * preset), applied to the base's when has_kvm. */
    bool has_kvm;
    gicsim_kvm_config kvm;
    bool has_clock[GICSIM_CLK__COUNT];
    uint64_t clock_hz[GICSIM_CLK__COUNT];
    /* YAML only, optional: each figure's relative uncertainty (0: none
     * given) and source ("": none); the file's default uncertainty (0:
     * none); facts: costs known for the machine, fixed rather than fitted. */
    double uncertainty[GICSIM_MB__COUNT];
    char source[GICSIM_MB__COUNT][256];
    double default_uncertainty;
    size_t n_facts;
    gicsim_cost_id fact[GICSIM_COST__COUNT];
    uint64_t fact_cycles[GICSIM_COST__COUNT];
    /* YAML only, optional: what each figure says about its spread
     * (`percentiles:`, `runs:`; see gicsim_mb_spread), the measured
     * machine's sources of spread known as facts (`variation:`, which
     * replaces the base preset's when has_variation; its values start the
     * spread fit) and the parameters the spread fit sets
     * (`spread_fit: [PATH, ...]`, gicsim_calibrate_spread). */
    gicsim_mb_spread spread[GICSIM_MB__COUNT];
    bool has_variation;
    gicsim_variation variation;
    size_t n_spread_fit;
    char spread_fit[GICSIM_SPREAD_MAX_PARAMS][GICSIM_SPREAD_PARAM_LEN];
} gicsim_calib_measured;

/* Read measured figures from `path`, either
 *   - the output of a kvm-unit-tests arm/micro-bench run (recognized by its
 *     "name  total ns  avg ns" header or by a result line: a test name, the
 *     total and the average in ns with one decimal each, as printed by
 *     "%-30s%15lu.%-15lu%15lu.%-15lu"); the average is the figure; "X test
 *     skipped" lines and other text (QEMU's command line, the timer
 *     frequency) are skipped, as are result lines of tests gicsim does not
 *     model (counted in n_ignored); or
 *   - a YAML mapping {reference: TEXT, measured: {TEST: NS, ...}} with the
 *     syntax of a preset's calibration block (a figure is NS or {ns: NS,
 *     uncertainty: P%, source: TEXT}), and optionally `uncertainty: P%`
 *     (the default of the figures that give none), `facts: {COST: CYCLES,
 *     ...}`, the machine's description, vhe (bool) and clocks ({cpu: HZ,
 *     gic: HZ}) as in a preset.
 * GICSIM_E_IO (cannot read), GICSIM_E_PARSE (YAML syntax, a malformed or
 * repeated result line, a log without results), GICSIM_E_INVAL (schema:
 * unknown key, test or cost, a value that is not a number > 0, an
 * uncertainty that is not a percentage in (0, 100%], no figures), with
 * `diag` (may be NULL) naming file, line, column and key. */
GICSIM_API gicsim_status gicsim_calib_measured_load(const char *path, gicsim_calib_measured *out,
                                                    gicsim_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
