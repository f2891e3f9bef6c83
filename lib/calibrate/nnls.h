/* gicsim (internal): small dense least-squares tools for the calibration
 * (calibrate.c). Not part of the public API.
 *
 * Matrices are row-major arrays of doubles: A[i * n + j] is row i, column j
 * of an m x n matrix. Sizes are small (tens of rows and columns); every
 * function allocates its own scratch space.
 */
#ifndef GICSIM_NNLS_H
#define GICSIM_NNLS_H

#include <gicsim/common.h>

/* Non-negative least squares, Lawson and Hanson's active-set algorithm
 * (Solving Least Squares Problems, 1974, ch. 23): x[n] minimizing
 * ||A x - b||_2 subject to x >= 0. *rnorm (may be NULL) gets the residual
 * norm. Returns GICSIM_OK, GICSIM_E_INVAL (m or n is 0, a NULL pointer, a
 * non-finite input), GICSIM_E_NOMEM, or GICSIM_E_STATE when the iteration
 * limit (3n outer steps) is hit: x then holds the last feasible iterate.
 * A gradient component counts as positive only above the rounding of
 * A^T (b - A x), which grows with |A| |x| as well as |b|: so a problem with
 * m < n or with dependent columns, whose exact fit leaves a residual of
 * rounding size, is solved like any other. */
gicsim_status nnls_solve(const double *A, size_t m, size_t n, const double *b, double *x,
                         double *rnorm);

/* How many entries of each list nnls_trace keeps. */
#define NNLS_TRACE_MAX 16u

/* The path nnls_solve_traced took (for tests of the algorithm's choices):
 * `outer` variables entered the passive set, the first NNLS_TRACE_MAX of
 * them listed in `entered` in order (step 1: the one of largest gradient);
 * `steps` times the solution on the passive set was infeasible and x stepped
 * back towards it as far as the first bound (step 3), freeing the variables
 * listed in `left`, `n_left` of them. */
typedef struct nnls_trace {
    size_t outer, steps, n_left;
    size_t entered[NNLS_TRACE_MAX];
    size_t left[NNLS_TRACE_MAX];
} nnls_trace;

/* nnls_solve, recording its path in *trace (may be NULL). */
gicsim_status nnls_solve_traced(const double *A, size_t m, size_t n, const double *b, double *x,
                                double *rnorm, nnls_trace *trace);

/* Unconstrained least squares by Householder QR: x[n] minimizing
 * ||A x - b||_2 for an A of full column rank (m >= n). A column whose
 * component independent of the earlier columns is below 1e-12 of the
 * matrix's scale gets x = 0. GICSIM_E_INVAL for m < n or n == 0. */
gicsim_status nnls_lstsq(const double *A, size_t m, size_t n, const double *b, double *x);

/* The column rank of A, column by column: a column is dependent when the
 * part of it orthogonal to the earlier independent columns is at most
 * `rel_tol` times its own norm (a zero column always is). *rank gets the
 * number of independent columns; *first_dep the index of the first
 * dependent column, or n when there is none; with a dependent column,
 * combo[k] (n entries, may be NULL) is set for each earlier column that
 * takes a visible part (at least 1% of its norm) in reproducing it, and
 * *zero (may be NULL) tells a zero column. */
gicsim_status nnls_column_rank(const double *A, size_t m, size_t n, double rel_tol, size_t *rank,
                               size_t *first_dep, bool *combo, bool *zero);

#endif
