/* gicsim (internal): small dense symmetric-matrix tools for the calibration's
 * identifiability report (lib/calibrate/analysis.c). Not part of the public
 * API.
 *
 * Matrices are row-major arrays of doubles, n x n, n small (tens); every
 * function allocates its own scratch space.
 */
#ifndef GICSIM_LINALG_H
#define GICSIM_LINALG_H

#include <gicsim/common.h>

/* The inverse of a symmetric positive definite S by Cholesky factorisation
 * S = L L^T: inv[n*n] gets S^-1 (inv may not alias S). GICSIM_E_STATE when S
 * is not numerically positive definite (a pivot at most 1e-12 times the
 * largest diagonal element), GICSIM_E_INVAL for n 0 or a NULL or non-finite
 * input, GICSIM_E_NOMEM. */
gicsim_status la_spd_inverse(const double *S, size_t n, double *inv);

/* Eigenvalues and eigenvectors of a symmetric S by cyclic Jacobi rotations
 * (Golub and Van Loan, Matrix Computations, 4th ed., 8.5): eval[n] in
 * decreasing order, evec[n*n] (may be NULL) with eigenvector k in column k
 * (evec[i * n + k]), orthonormal. Only S's upper triangle is read.
 * GICSIM_E_INVAL for n 0 or a NULL or non-finite input, GICSIM_E_NOMEM,
 * GICSIM_E_STATE when 100 sweeps leave the off-diagonal part above 1e-14
 * of the matrix's norm (the results are then the last sweep's). */
gicsim_status la_sym_eigen(const double *S, size_t n, double *eval, double *evec);

#endif
