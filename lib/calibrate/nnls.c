/* gicsim: dense least squares for the calibration (see nnls.h). */
#include "nnls.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double col_norm(const double *A, size_t m, size_t n, size_t j)
{
    double s = 0;
    for (size_t i = 0; i < m; i++)
        s += A[i * n + j] * A[i * n + j];
    return sqrt(s);
}

static bool all_finite(const double *v, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

gicsim_status nnls_lstsq(const double *A, size_t m, size_t n, const double *b, double *x)
{
    if (!A || !b || !x || n == 0 || m < n)
        return GICSIM_E_INVAL;
    double *R = malloc(m * n * sizeof *R);
    double *y = malloc(m * sizeof *y);
    double *v = malloc(m * sizeof *v);
    if (!R || !y || !v) {
        free(R);
        free(y);
        free(v);
        return GICSIM_E_NOMEM;
    }
    memcpy(R, A, m * n * sizeof *R);
    memcpy(y, b, m * sizeof *y);
    double scale = 0;
    for (size_t j = 0; j < n; j++) {
        double c = col_norm(A, m, n, j);
        if (c > scale)
            scale = c;
    }
    /* Householder reflections H_k = I - 2 v v^T / (v^T v) zero column k
     * below the diagonal; they are applied to R's later columns and to y. */
    for (size_t k = 0; k < n; k++) {
        double norm = 0;
        for (size_t i = k; i < m; i++)
            norm += R[i * n + k] * R[i * n + k];
        norm = sqrt(norm);
        if (norm == 0)
            continue;
        double alpha = R[k * n + k] > 0 ? -norm : norm;
        double vv = 0;
        for (size_t i = k; i < m; i++) {
            v[i] = R[i * n + k] - (i == k ? alpha : 0);
            vv += v[i] * v[i];
        }
        if (vv == 0)
            continue;
        for (size_t j = k; j < n; j++) {
            double dot = 0;
            for (size_t i = k; i < m; i++)
                dot += v[i] * R[i * n + j];
            double f = 2 * dot / vv;
            for (size_t i = k; i < m; i++)
                R[i * n + j] -= f * v[i];
        }
        double dot = 0;
        for (size_t i = k; i < m; i++)
            dot += v[i] * y[i];
        double f = 2 * dot / vv;
        for (size_t i = k; i < m; i++)
            y[i] -= f * v[i];
    }
    /* Back substitution; a (numerically) dependent column gets 0. */
    double tol = 1e-12 * scale;
    for (size_t kk = n; kk-- > 0;) {
        double d = R[kk * n + kk];
        if (fabs(d) <= tol) {
            x[kk] = 0;
            continue;
        }
        double s = y[kk];
        for (size_t j = kk + 1; j < n; j++)
            s -= R[kk * n + j] * x[j];
        x[kk] = s / d;
    }
    free(R);
    free(y);
    free(v);
    return GICSIM_OK;
}

gicsim_status nnls_column_rank(const double *A, size_t m, size_t n, double rel_tol, size_t *rank,
                               size_t *first_dep, bool *combo, bool *zero)
{
    if (!A || !rank || !first_dep || m == 0 || n == 0 || !(rel_tol >= 0))
        return GICSIM_E_INVAL;
    double *Q = malloc(m * n * sizeof *Q); /* orthonormal basis, one column per row of Q */
    double *r = malloc(m * sizeof *r);
    size_t *basis = malloc(n * sizeof *basis);
    if (!Q || !r || !basis) {
        free(Q);
        free(r);
        free(basis);
        return GICSIM_E_NOMEM;
    }
    double scale = 0;
    for (size_t j = 0; j < n; j++) {
        double c = col_norm(A, m, n, j);
        if (c > scale)
            scale = c;
    }
    size_t nb = 0;
    gicsim_status st = GICSIM_OK;
    *first_dep = n;
    if (zero)
        *zero = false;
    if (combo)
        memset(combo, 0, n * sizeof *combo);
    for (size_t j = 0; j < n; j++) {
        double na = col_norm(A, m, n, j);
        bool is_zero = na <= 1e-12 * scale || na == 0;
        double nr = 0;
        if (!is_zero) {
            for (size_t i = 0; i < m; i++)
                r[i] = A[i * n + j];
            /* Gram-Schmidt twice ("twice is enough") keeps the basis orthogonal. */
            for (int pass = 0; pass < 2; pass++)
                for (size_t k = 0; k < nb; k++) {
                    double dot = 0;
                    for (size_t i = 0; i < m; i++)
                        dot += Q[k * m + i] * r[i];
                    for (size_t i = 0; i < m; i++)
                        r[i] -= dot * Q[k * m + i];
                }
            for (size_t i = 0; i < m; i++)
                nr += r[i] * r[i];
            nr = sqrt(nr);
        }
        if (!is_zero && nr > rel_tol * na) {
            for (size_t i = 0; i < m; i++)
                Q[nb * m + i] = r[i] / nr;
            basis[nb++] = j;
            continue;
        }
        if (*first_dep != n)
            continue;
        *first_dep = j;
        if (zero)
            *zero = is_zero;
        if (is_zero || !combo || nb == 0 || m < nb)
            continue;
        /* Which earlier columns reproduce it: least squares on them. */
        double *S = malloc(m * nb * sizeof *S);
        double *a = malloc(m * sizeof *a);
        double *c = malloc(nb * sizeof *c);
        if (S && a && c) {
            for (size_t i = 0; i < m; i++) {
                a[i] = A[i * n + j];
                for (size_t k = 0; k < nb; k++)
                    S[i * nb + k] = A[i * n + basis[k]];
            }
            st = nnls_lstsq(S, m, nb, a, c);
            for (size_t k = 0; st == GICSIM_OK && k < nb; k++)
                combo[basis[k]] = fabs(c[k]) * col_norm(A, m, n, basis[k]) >= 0.01 * na;
        } else {
            st = GICSIM_E_NOMEM;
        }
        free(S);
        free(a);
        free(c);
    }
    *rank = nb;
    free(Q);
    free(r);
    free(basis);
    return st;
}

/* z = the least-squares solution on the passive columns (z = 0 elsewhere). */
static gicsim_status solve_passive(const double *A, size_t m, size_t n, const double *b,
                                   const bool *passive, double *sub, double *zs, double *z)
{
    size_t k = 0;
    size_t idx[64];
    size_t *ix = n <= 64 ? idx : malloc(n * sizeof *ix);
    if (!ix)
        return GICSIM_E_NOMEM;
    for (size_t j = 0; j < n; j++)
        if (passive[j])
            ix[k++] = j;
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < k; c++)
            sub[i * k + c] = A[i * n + ix[c]];
    gicsim_status st = GICSIM_OK;
    memset(z, 0, n * sizeof *z);
    if (k > m) {
        /* More passive columns than rows: they cannot all be independent;
         * Lawson-Hanson never gets here with exact arithmetic. */
        st = GICSIM_E_STATE;
    } else if (k > 0) {
        st = nnls_lstsq(sub, m, k, b, zs);
        for (size_t c = 0; st == GICSIM_OK && c < k; c++)
            z[ix[c]] = zs[c];
    }
    if (ix != idx)
        free(ix);
    return st;
}

/* w = A^T (b - A x) */
static void gradient(const double *A, size_t m, size_t n, const double *b, const double *x,
                     double *res, double *w)
{
    for (size_t i = 0; i < m; i++) {
        double s = b[i];
        for (size_t j = 0; j < n; j++)
            s -= A[i * n + j] * x[j];
        res[i] = s;
    }
    for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            s += A[i * n + j] * res[i];
        w[j] = s;
    }
}

/* The tolerance below which a gradient component is zero: rounding in
 * w = A^T (b - A x) is of the order of eps * |A| * (|b| + |A| |x|) per term
 * (the residual's own rounding grows with A x, not only with b). */
static double zero_tol(const double *x, size_t m, size_t n, double norm_a, double norm_b)
{
    double nx = 0;
    for (size_t j = 0; j < n; j++)
        nx += x[j] * x[j];
    return 10 * DBL_EPSILON * (double)(m > n ? m : n) * norm_a * (norm_b + norm_a * sqrt(nx));
}

gicsim_status nnls_solve(const double *A, size_t m, size_t n, const double *b, double *x,
                         double *rnorm)
{
    return nnls_solve_traced(A, m, n, b, x, rnorm, NULL);
}

gicsim_status nnls_solve_traced(const double *A, size_t m, size_t n, const double *b, double *x,
                                double *rnorm, nnls_trace *trace)
{
    if (trace)
        *trace = (nnls_trace){0};
    if (!A || !b || !x || m == 0 || n == 0 || !all_finite(A, m * n) || !all_finite(b, m))
        return GICSIM_E_INVAL;
    memset(x, 0, n * sizeof *x);
    double *w = malloc(n * sizeof *w);
    double *z = malloc(n * sizeof *z);
    double *zs = malloc(n * sizeof *zs);
    double *res = malloc(m * sizeof *res);
    double *sub = malloc(m * n * sizeof *sub);
    bool *passive = calloc(n, sizeof *passive);
    bool *blocked = calloc(n, sizeof *blocked);
    gicsim_status st = GICSIM_OK;
    if (!w || !z || !zs || !res || !sub || !passive || !blocked) {
        st = GICSIM_E_NOMEM;
        goto out;
    }
    double na = 0, nb = 0;
    for (size_t i = 0; i < m * n; i++)
        na += A[i] * A[i];
    for (size_t i = 0; i < m; i++)
        nb += b[i] * b[i];
    na = sqrt(na);
    nb = sqrt(nb);
    gradient(A, m, n, b, x, res, w);
    double tol = zero_tol(x, m, n, na, nb);
    size_t outer = 0;
    for (;;) {
        /* Step 1: the free variable whose increase reduces the residual most. */
        size_t t = n;
        for (size_t j = 0; j < n; j++)
            if (!passive[j] && !blocked[j] && w[j] > tol && (t == n || w[j] > w[t]))
                t = j;
        if (t == n)
            break;
        if (++outer > 3 * n) {
            st = GICSIM_E_STATE;
            break;
        }
        if (trace) {
            if (trace->outer < NNLS_TRACE_MAX)
                trace->entered[trace->outer] = t;
            trace->outer++;
        }
        passive[t] = true;
        bool first = true, moved = false;
        for (size_t inner = 0;; inner++) {
            if (inner > 3 * n) {
                st = GICSIM_E_STATE;
                goto out;
            }
            if ((st = solve_passive(A, m, n, b, passive, sub, zs, z)) != GICSIM_OK)
                goto out;
            if (first && z[t] <= 0) {
                /* Rounding made t's column look useful: leave it out until x moves. */
                passive[t] = false;
                blocked[t] = true;
                break;
            }
            first = false;
            bool feasible = true;
            for (size_t j = 0; j < n; j++)
                if (passive[j] && z[j] <= 0)
                    feasible = false;
            moved = true;
            if (feasible) {
                memcpy(x, z, n * sizeof *x);
                break;
            }
            /* Step back along x -> z to the first bound met, and free the
             * variables that reached 0. */
            double alpha = 1;
            size_t lim = n;
            for (size_t j = 0; j < n; j++)
                if (passive[j] && z[j] <= 0) {
                    double a = x[j] / (x[j] - z[j]);
                    if (lim == n || a < alpha) {
                        alpha = a;
                        lim = j;
                    }
                }
            if (trace)
                trace->steps++;
            for (size_t j = 0; j < n; j++) {
                x[j] += alpha * (z[j] - x[j]);
                if (passive[j] && (j == lim || x[j] <= 0)) {
                    passive[j] = false;
                    x[j] = 0;
                    if (trace) {
                        if (trace->n_left < NNLS_TRACE_MAX)
                            trace->left[trace->n_left] = j;
                        trace->n_left++;
                    }
                }
            }
        }
        if (moved) {
            memset(blocked, 0, n * sizeof *blocked);
            gradient(A, m, n, b, x, res, w);
            tol = zero_tol(x, m, n, na, nb);
        }
    }
out:
    if (rnorm && w && res) {
        gradient(A, m, n, b, x, res, w);
        double s = 0;
        for (size_t i = 0; i < m; i++)
            s += res[i] * res[i];
        *rnorm = sqrt(s);
    }
    free(w);
    free(z);
    free(zs);
    free(res);
    free(sub);
    free(passive);
    free(blocked);
    return st;
}
