/* gicsim: dense symmetric-matrix tools for the calibration (see linalg.h). */
#include "linalg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool finite_all(const double *v, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

gicsim_status la_spd_inverse(const double *S, size_t n, double *inv)
{
    if (!S || !inv || n == 0 || !finite_all(S, n * n))
        return GICSIM_E_INVAL;
    double *L = calloc(n * n, sizeof *L);
    double *y = malloc(n * sizeof *y);
    if (!L || !y) {
        free(L);
        free(y);
        return GICSIM_E_NOMEM;
    }
    double dmax = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(S[i * n + i]) > dmax)
            dmax = fabs(S[i * n + i]);
    gicsim_status st = GICSIM_OK;
    /* L, row by row: L[j][j] = sqrt(S[j][j] - sum_k L[j][k]^2),
     * L[i][j] = (S[i][j] - sum_k L[i][k] L[j][k]) / L[j][j]. */
    for (size_t j = 0; j < n && st == GICSIM_OK; j++) {
        double d = S[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= L[j * n + k] * L[j * n + k];
        if (!(d > 1e-12 * dmax) || dmax == 0) {
            st = GICSIM_E_STATE;
            break;
        }
        double ljj = sqrt(d);
        L[j * n + j] = ljj;
        for (size_t i = j + 1; i < n; i++) {
            double s = S[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= L[i * n + k] * L[j * n + k];
            L[i * n + j] = s / ljj;
        }
    }
    /* Column c of S^-1: solve L y = e_c, then L^T x = y. */
    for (size_t c = 0; c < n && st == GICSIM_OK; c++) {
        for (size_t i = 0; i < n; i++) {
            double s = i == c ? 1.0 : 0.0;
            for (size_t k = 0; k < i; k++)
                s -= L[i * n + k] * y[k];
            y[i] = s / L[i * n + i];
        }
        for (size_t i = n; i-- > 0;) {
            double s = y[i];
            for (size_t k = i + 1; k < n; k++)
                s -= L[k * n + i] * inv[k * n + c];
            inv[i * n + c] = s / L[i * n + i];
        }
    }
    free(L);
    free(y);
    return st;
}

gicsim_status la_sym_eigen(const double *S, size_t n, double *eval, double *evec)
{
    if (!S || !eval || n == 0 || !finite_all(S, n * n))
        return GICSIM_E_INVAL;
    double *A = malloc(n * n * sizeof *A);
    double *V = malloc(n * n * sizeof *V);
    size_t *order = malloc(n * sizeof *order);
    if (!A || !V || !order) {
        free(A);
        free(V);
        free(order);
        return GICSIM_E_NOMEM;
    }
    double norm = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            /* The upper triangle, mirrored. */
            A[i * n + j] = i <= j ? S[i * n + j] : S[j * n + i];
            V[i * n + j] = i == j ? 1.0 : 0.0;
            norm += A[i * n + j] * A[i * n + j];
        }
    norm = sqrt(norm);
    gicsim_status st = GICSIM_E_STATE;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++)
                off += 2 * A[p * n + q] * A[p * n + q];
        if (sqrt(off) <= 1e-14 * norm || norm == 0) {
            st = GICSIM_OK;
            break;
        }
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++) {
                double apq = A[p * n + q];
                if (apq == 0)
                    continue;
                /* The rotation (c, s) that zeroes A[p][q] (GVL Alg. 8.5.1). */
                double tau = (A[q * n + q] - A[p * n + p]) / (2 * apq);
                double t = (tau >= 0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1 + tau * tau));
                double c = 1 / sqrt(1 + t * t), s = t * c;
                for (size_t k = 0; k < n; k++) {
                    double akp = A[k * n + p], akq = A[k * n + q];
                    A[k * n + p] = c * akp - s * akq;
                    A[k * n + q] = s * akp + c * akq;
                }
                for (size_t k = 0; k < n; k++) {
                    double apk = A[p * n + k], aqk = A[q * n + k];
                    A[p * n + k] = c * apk - s * aqk;
                    A[q * n + k] = s * apk + c * aqk;
                }
                for (size_t k = 0; k < n; k++) {
                    double vkp = V[k * n + p], vkq = V[k * n + q];
                    V[k * n + p] = c * vkp - s * vkq;
                    V[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    /* Decreasing order (insertion sort: n is small). */
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        while (k > 0 && A[order[k - 1] * n + order[k - 1]] < A[i * n + i]) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    for (size_t k = 0; k < n; k++) {
        eval[k] = A[order[k] * n + order[k]];
        if (evec)
            for (size_t i = 0; i < n; i++)
                evec[i * n + k] = V[i * n + order[k]];
    }
    free(A);
    free(V);
    free(order);
    return st;
}
