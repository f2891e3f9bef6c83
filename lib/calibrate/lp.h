/* gicsim (internal): a small dense linear-program solver for the
 * calibration's prediction intervals (lib/calibrate/analysis.c). Not part of
 * the public API.
 *
 * The problem: minimise (or maximise) obj . x subject to A x <= b (m rows,
 * A row-major m x n) and lo <= x <= hi with finite bounds. The method is the
 * bounded-variable primal simplex on a dense tableau (Dantzig, Linear
 * Programming and Extensions, 1963, ch. 18; Chvatal, Linear Programming,
 * 1983, ch. 8): every x_j starts at its lower bound, a row that the start
 * violates gets an artificial variable, phase 1 drives the artificials to
 * zero and phase 2 optimises obj. Entering and leaving variables follow
 * Bland's rule (the smallest eligible index), which cannot cycle on
 * degenerate vertices. Internally each x_j is scaled to [0, 1] over its
 * bounds and each row to a largest coefficient of 1, so tolerances are
 * relative. Sizes are small (tens of variables and rows).
 */
#ifndef GICSIM_LP_H
#define GICSIM_LP_H

#include <gicsim/common.h>

/* x[n] (may be NULL) gets an optimal point and *value (may be NULL) the
 * optimum of obj . x. GICSIM_OK; GICSIM_E_STATE when no x satisfies the
 * constraints (within 1e-9 of each scaled row) or the iteration limit
 * (50 (n + 2m) pivots) is hit; GICSIM_E_INVAL for n 0, a NULL or non-finite
 * input, or lo > hi; GICSIM_E_NOMEM. m may be 0 (then A and b may be NULL). */
gicsim_status lp_solve(const double *A, size_t m, size_t n, const double *b, const double *lo,
                       const double *hi, const double *obj, bool maximize, double *x,
                       double *value);

#endif
