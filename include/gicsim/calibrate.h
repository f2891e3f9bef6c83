/* gicsim: fitting a platform's primitive costs to measured micro-bench
 * figures (docs/calibration.md).
 *
 * The unknowns are the cycle counts of a chosen set of costs; every other
 * cost, the clocks and VHE stay as in the base configuration. Each measured
 * figure is simulated with gicsim_mb_run (gicsim/microbench.h); the fit
 * minimizes the sum of squared relative errors, sum_i ((sim_i - meas_i) /
 * meas_i)^2, with every cycle count >= 0:
 *
 *   - coefficients by forward finite differences of gicsim_mb_run around
 *     the current point (step: max(1 cycle, 2% of the value)), so a figure's
 *     row holds how many ns it gains per cycle of each fitted cost;
 *   - Gauss-Newton: each iteration solves the linearized problem with
 *     non-negative least squares (Lawson-Hanson), with the unknowns scaled by
 *     their starting values so that costs of 20 and of 4000 cycles weigh
 *     alike; a step that makes the residual worse is halved (at most 4
 *     times); the iteration stops when no cycle count moves by 0.01% or
 *     more (or the integer point repeats), after at most 10 iterations;
 *   - the final values are rounded to integer cycles and simulated again:
 *     the result's figures and errors are those of the rounded timing.
 *
 * The fit needs each fitted cost to be visible in the measured figures and
 * separable from the others: the Jacobian at the starting point must have
 * rank n_fit, otherwise the call fails (GICSIM_E_INVAL) and says which cost.
 * The figures are sums of costs along each test's path (with a max() where
 * two PEs race), so the problem is nearly linear and the fit usually
 * settles in two or three iterations.
 */
#ifndef GICSIM_CALIBRATE_H
#define GICSIM_CALIBRATE_H

#include <gicsim/common.h>
#include <gicsim/microbench.h>
#include <gicsim/scenario.h>
#include <gicsim/timing.h>

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
    bool has_clock[GICSIM_CLK__COUNT];
    uint64_t clock_hz[GICSIM_CLK__COUNT];
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
 *     syntax of a preset's calibration block, and optionally the machine's
 *     description, vhe (bool) and clocks ({cpu: HZ, gic: HZ}) as in a
 *     preset.
 * GICSIM_E_IO (cannot read), GICSIM_E_PARSE (YAML syntax, a malformed or
 * repeated result line, a log without results), GICSIM_E_INVAL (schema:
 * unknown key or test, a value that is not a number > 0, no figures), with
 * `diag` (may be NULL) naming file, line, column and key. */
GICSIM_API gicsim_status gicsim_calib_measured_load(const char *path, gicsim_calib_measured *out,
                                                    gicsim_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
