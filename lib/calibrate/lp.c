/* gicsim: a dense bounded-variable simplex for small linear programs (see
 * lp.h). */
#include "lp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LP_EPS 1e-9    /* a reduced cost below this (objective scaled to 1) is 0 */
#define LP_PIVOT 1e-11 /* a tableau entry below this is no pivot */
#define LP_TIE 1e-12   /* step lengths closer than this are a tie (Bland's rule) */

typedef struct lp {
    size_t m, n, N; /* rows, structural columns, all columns (n + 2m) */
    double *T;      /* m x N tableau, B^-1 [A' I -I'] */
    double *c;      /* N costs of the current phase */
    double *U;      /* N upper bounds (lower bounds are all 0); INFINITY: none */
    double *val;    /* m values of the basic variables */
    size_t *basis;  /* m basic column per row */
    bool *is_basic, *at_upper;
    size_t pivots, max_pivots;
} lp;

/* How far entering column e can move in direction dir before row r's basic
 * variable reaches a bound: false when it never does. */
static bool row_limit(const lp *p, size_t r, size_t e, double dir, double *lim)
{
    double a = p->T[r * p->N + e] * dir;
    size_t b = p->basis[r];
    if (a > LP_PIVOT)
        *lim = p->val[r] / a;
    else if (a < -LP_PIVOT && isfinite(p->U[b]))
        *lim = (p->U[b] - p->val[r]) / -a;
    else
        return false;
    if (*lim < 0)
        *lim = 0;
    return true;
}

/* One phase: optimise p->c from the current basis. GICSIM_OK at an optimum,
 * GICSIM_E_STATE at the iteration limit or on an unbounded ray (which
 * finite bounds rule out). */
static gicsim_status run_phase(lp *p)
{
    const size_t m = p->m, N = p->N;
    for (;;) {
        /* Entering: the smallest index whose move improves the objective. */
        size_t e = N;
        for (size_t j = 0; j < N && e == N; j++) {
            if (p->is_basic[j] || !(p->U[j] > 0))
                continue;
            double d = p->c[j];
            for (size_t r = 0; r < m; r++)
                d -= p->c[p->basis[r]] * p->T[r * N + j];
            if ((!p->at_upper[j] && d < -LP_EPS) || (p->at_upper[j] && d > LP_EPS))
                e = j;
        }
        if (e == N)
            return GICSIM_OK;
        if (++p->pivots > p->max_pivots)
            return GICSIM_E_STATE;
        const double dir = p->at_upper[e] ? -1.0 : 1.0;
        /* Ratio test: the basic variables move by -T[r][e] * dir * t; the
         * leaving row is the one with the smallest step, ties to the
         * smallest basic index (Bland). */
        double tmin = INFINITY, lim;
        for (size_t r = 0; r < m; r++)
            if (row_limit(p, r, e, dir, &lim) && lim < tmin)
                tmin = lim;
        size_t leave = m;
        for (size_t r = 0; r < m; r++)
            if (row_limit(p, r, e, dir, &lim) && lim <= tmin + LP_TIE &&
                (leave == m || p->basis[r] < p->basis[leave]))
                leave = r;
        double tflip = p->U[e]; /* the entering variable's own range */
        if (leave == m && !isfinite(tflip))
            return GICSIM_E_STATE;
        double t = leave == m || tflip < tmin - LP_TIE ? tflip : tmin;
        for (size_t r = 0; r < m; r++)
            p->val[r] -= p->T[r * N + e] * dir * t;
        if (leave == m || tflip < tmin - LP_TIE) {
            p->at_upper[e] = !p->at_upper[e];
            continue;
        }
        /* Pivot: e enters in row `leave`, its basic variable leaves at the
         * bound it reached. */
        size_t b = p->basis[leave];
        double a = p->T[leave * N + e];
        p->at_upper[b] = a * dir < 0;
        p->is_basic[b] = false;
        p->val[leave] = (p->at_upper[e] ? p->U[e] : 0.0) + dir * t;
        p->at_upper[e] = false;
        p->is_basic[e] = true;
        p->basis[leave] = e;
        double *pr = &p->T[leave * N];
        for (size_t j = 0; j < N; j++)
            pr[j] /= a;
        pr[e] = 1.0;
        for (size_t r = 0; r < m; r++) {
            if (r == leave)
                continue;
            double f = p->T[r * N + e];
            if (f == 0)
                continue;
            double *row = &p->T[r * N];
            for (size_t j = 0; j < N; j++)
                row[j] -= f * pr[j];
            row[e] = 0.0;
        }
    }
}

static bool finite_all(const double *v, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

gicsim_status lp_solve(const double *A, size_t m, size_t n, const double *b, const double *lo,
                       const double *hi, const double *obj, bool maximize, double *x, double *value)
{
    if (n == 0 || !lo || !hi || !obj || (m && (!A || !b)) || !finite_all(lo, n) ||
        !finite_all(hi, n) || !finite_all(obj, n) ||
        (m && (!finite_all(A, m * n) || !finite_all(b, m))))
        return GICSIM_E_INVAL;
    for (size_t j = 0; j < n; j++)
        if (lo[j] > hi[j])
            return GICSIM_E_INVAL;
    const size_t N = n + 2 * m;
    lp p = {0};
    p.n = n;
    p.N = N;
    p.T = calloc(m * N + 1, sizeof *p.T);
    p.c = calloc(N, sizeof *p.c);
    p.U = calloc(N, sizeof *p.U);
    p.val = calloc(m + 1, sizeof *p.val);
    p.basis = calloc(m + 1, sizeof *p.basis);
    p.is_basic = calloc(N, sizeof *p.is_basic);
    p.at_upper = calloc(N, sizeof *p.at_upper);
    double *z = calloc(n, sizeof *z);
    gicsim_status st = GICSIM_OK;
    if (!p.T || !p.c || !p.U || !p.val || !p.basis || !p.is_basic || !p.at_upper || !z) {
        st = GICSIM_E_NOMEM;
        goto out;
    }
    /* x_j = lo_j + (hi_j - lo_j) z_j with z_j in [0, 1] ([0, 0] when fixed). */
    for (size_t j = 0; j < n; j++)
        p.U[j] = hi[j] > lo[j] ? 1.0 : 0.0;
    /* Rows: A' z + s = b - A lo, scaled to a largest coefficient of 1; a
     * row the start z = 0 violates is negated and gets an artificial. */
    size_t rows = 0;
    double infeas_tol = 0;
    for (size_t i = 0; i < m; i++) {
        double rhs = b[i], scale = 0, mag = fabs(b[i]);
        for (size_t j = 0; j < n; j++) {
            rhs -= A[i * n + j] * lo[j];
            mag += fabs(A[i * n + j] * lo[j]);
            double a = fabs(A[i * n + j] * (hi[j] - lo[j]));
            if (a > scale)
                scale = a;
        }
        if (scale <= 1e-14 * mag || scale == 0) {
            /* No variable moves this row: it holds or it never can. */
            if (rhs < -1e-9 * (mag > 1 ? mag : 1)) {
                st = GICSIM_E_STATE;
                goto out;
            }
            continue;
        }
        size_t r = rows++;
        double sign = rhs < 0 ? -1.0 : 1.0;
        for (size_t j = 0; j < n; j++)
            p.T[r * N + j] = sign * A[i * n + j] * (hi[j] - lo[j]) / scale;
        p.T[r * N + n + r] = sign;
        p.U[n + r] = INFINITY;
        p.val[r] = sign * rhs / scale;
        if (sign > 0) {
            p.basis[r] = n + r;
        } else {
            p.T[r * N + n + m + r] = 1.0;
            p.U[n + m + r] = INFINITY;
            p.c[n + m + r] = 1.0;
            p.basis[r] = n + m + r;
            infeas_tol += 1e-9;
        }
        p.is_basic[p.basis[r]] = true;
    }
    /* The tableau has `rows` rows; its columns keep their full numbering. */
    p.m = rows;
    p.max_pivots = 50 * N;
    if (infeas_tol > 0) {
        if ((st = run_phase(&p)) != GICSIM_OK)
            goto out;
        double sum = 0;
        for (size_t r = 0; r < rows; r++)
            if (p.basis[r] >= n + m)
                sum += p.val[r];
        if (sum > infeas_tol) {
            st = GICSIM_E_STATE;
            goto out;
        }
    }
    /* Phase 2: the artificials are fixed at 0, the objective scaled to a
     * largest coefficient of 1. */
    double cmax = 0;
    for (size_t j = 0; j < n; j++)
        if (fabs(obj[j] * (hi[j] - lo[j])) > cmax)
            cmax = fabs(obj[j] * (hi[j] - lo[j]));
    for (size_t j = 0; j < N; j++) {
        p.c[j] = 0;
        if (j >= n + m)
            p.U[j] = 0;
    }
    for (size_t j = 0; cmax > 0 && j < n; j++)
        p.c[j] = (maximize ? -1.0 : 1.0) * obj[j] * (hi[j] - lo[j]) / cmax;
    for (size_t r = 0; r < rows; r++) {
        size_t bv = p.basis[r];
        if (p.val[r] < 0)
            p.val[r] = 0;
        if (p.val[r] > p.U[bv])
            p.val[r] = p.U[bv];
    }
    if (cmax > 0 && (st = run_phase(&p)) != GICSIM_OK)
        goto out;
    for (size_t j = 0; j < n; j++)
        z[j] = p.at_upper[j] ? p.U[j] : 0.0;
    for (size_t r = 0; r < rows; r++)
        if (p.basis[r] < n)
            z[p.basis[r]] = p.val[r];
    double v = 0;
    for (size_t j = 0; j < n; j++) {
        double zj = z[j] < 0 ? 0 : z[j] > 1 ? 1 : z[j];
        double xj = hi[j] > lo[j] ? lo[j] + (hi[j] - lo[j]) * zj : lo[j];
        if (x)
            x[j] = xj;
        v += obj[j] * xj;
    }
    if (value)
        *value = v;
out:
    free(p.T);
    free(p.c);
    free(p.U);
    free(p.val);
    free(p.basis);
    free(p.is_basic);
    free(p.at_upper);
    free(z);
    return st;
}
