/* gicsim: what a calibration's figures say about its costs (see
 * gicsim/calibrate.h and docs/calibration.md): the identifiability report
 * (posterior sigmas by the Laplace approximation, the figures that pin each
 * cost, the rank and the inseparable groups), prediction intervals (a linear
 * program around the fit) and leave-one-out cross-validation. */
#include "calibrate_internal.h"
#include "linalg.h"
#include "lp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEEN_TOL                                                                                   \
    1e-6 /* a 1-sigma move of the cost shifts some figure by > 1e-6 of its uncertainty */
#define GROUP_TOL 1e-4 /* proportional columns: cosine above 1 - GROUP_TOL */
#define RANK_SV 1e-2   /* a singular value of the unit-norm columns above this counts */
#define PIN_SHARE 0.1  /* a figure pins a cost with at least 10% of the data's variance */

static size_t uf_find(size_t *parent, size_t a)
{
    while (parent[a] != a)
        a = parent[a] = parent[parent[a]];
    return a;
}

gicsim_status ca_identifiability(const calib_problem *P, const double *J, gicsim_calib_fit *out)
{
    const size_t m = P->m, n = P->n;
    double *B = calloc(m * n + 2 * n * n + m * n + m * m + m + m * m, sizeof *B);
    size_t *seen = malloc(2 * n * sizeof *seen);
    if (!B || !seen) {
        free(B);
        free(seen);
        return GICSIM_E_NOMEM;
    }
    double *H = B + m * n, *C = H + n * n, *Nrm = C + n * n, *G = Nrm + m * n, *ev = G + m * m,
           *share = ev + m;
    size_t *parent = seen + n;
    /* B = W^1/2 J: each figure's row in units of its uncertainty. */
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            B[i * n + j] = J[i * n + j] / P->tol[i];
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            double s = 0;
            for (size_t i = 0; i < m; i++)
                s += B[i * n + a] * B[i * n + b];
            if (a == b && P->priors)
                s += 1 / (P->sigma[a] * P->sigma[a]);
            H[a * n + b] = s;
        }
    gicsim_status st = la_spd_inverse(H, n, C);
    bool have_C = st == GICSIM_OK;
    if (st == GICSIM_E_NOMEM)
        goto out;
    st = GICSIM_OK;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        gicsim_calib_cost *fc = &out->free[j];
        double norm = 0;
        fc->seen = false;
        for (size_t i = 0; i < m; i++) {
            fc->seen |= fabs(B[i * n + j]) * (P->sigma[j] > 1 ? P->sigma[j] : 1) > SEEN_TOL;
            norm += B[i * n + j] * B[i * n + j];
        }
        fc->posterior_sigma = have_C ? sqrt(C[j * n + j]) : NAN;
        fc->determined = 0;
        if (have_C) {
            double d = 1 - C[j * n + j] / (P->sigma[j] * P->sigma[j]);
            fc->determined = d < 0 ? 0 : d > 1 ? 1 : d;
        }
        fc->n_pins = 0;
        fc->group = 0;
        if (!fc->seen)
            continue;
        norm = sqrt(norm);
        for (size_t i = 0; i < m; i++)
            Nrm[i * n + k] = B[i * n + j] / norm;
        seen[k++] = j;
        /* The pins: ĉ_j moves by K_ji = (C B')_ji per standard deviation
         * of figure i; its share of sum_i K_ji^2. */
        if (!have_C)
            continue;
        double total = 0;
        for (size_t i = 0; i < m; i++) {
            double kji = 0;
            for (size_t l = 0; l < n; l++)
                kji += C[j * n + l] * B[i * n + l];
            share[i] = kji * kji;
            total += share[i];
        }
        while (total > 0 && fc->n_pins < GICSIM_CALIB_MAX_PINS) {
            size_t best = m;
            for (size_t i = 0; i < m; i++)
                if (share[i] >= 0 && (best == m || share[i] > share[best]))
                    best = i;
            if (best == m || share[best] / total < PIN_SHARE)
                break;
            fc->pin_test[fc->n_pins] = P->test[best];
            fc->pin_share[fc->n_pins++] = share[best] / total;
            share[best] = -1;
        }
    }
    out->n_seen = k;
    /* Groups: seen costs whose columns are proportional. The normalised
     * columns are in Nrm[i * n + 0..k). */
    for (size_t a = 0; a < k; a++)
        parent[a] = a;
    for (size_t a = 0; a < k; a++)
        for (size_t b = a + 1; b < k; b++) {
            double dot = 0;
            for (size_t i = 0; i < m; i++)
                dot += Nrm[i * n + a] * Nrm[i * n + b];
            if (dot >= 1 - GROUP_TOL)
                parent[uf_find(parent, b)] = uf_find(parent, a);
        }
    out->n_groups = 0;
    for (size_t a = 0; a < k; a++) {
        size_t root = uf_find(parent, a);
        if (root != a) {
            out->free[seen[a]].group = out->free[seen[root]].group;
            continue;
        }
        bool shared = false;
        for (size_t b = a + 1; b < k && !shared; b++)
            shared = uf_find(parent, b) == a;
        if (shared)
            out->free[seen[a]].group = (unsigned)++out->n_groups;
    }
    /* The rank: singular values of the normalised columns, from the
     * eigenvalues of Nrm Nrm' (m x m). */
    out->rank = 0;
    if (k > 0) {
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++) {
                double s = 0;
                for (size_t l = 0; l < k; l++)
                    s += Nrm[a * n + l] * Nrm[b * n + l];
                G[a * m + b] = s;
            }
        st = la_sym_eigen(G, m, ev, NULL);
        if (st == GICSIM_E_NOMEM)
            goto out;
        st = GICSIM_OK;
        for (size_t a = 0; a < m; a++)
            out->rank += ev[a] > RANK_SV * RANK_SV;
    }
out:
    free(B);
    free(seen);
    return st;
}

gicsim_status ca_interval(const calib_problem *P, const bool *use, const double *c, const double *f,
                          const double *J, double g0, const double *G, bool nonneg, double *lo_ns,
                          double *hi_ns)
{
    const size_t m = P->m, n = P->n;
    size_t mu = 0;
    for (size_t i = 0; i < m; i++)
        mu += !use || use[i];
    double *A = malloc((2 * mu * n + 2 * mu + 2 * n) * sizeof *A);
    if (!A)
        return GICSIM_E_NOMEM;
    double *b = A + 2 * mu * n, *lo = b + 2 * mu, *hi = lo + n;
    for (size_t j = 0; j < n; j++) {
        lo[j] = c[j] < P->lo[j] ? c[j] : P->lo[j];
        hi[j] = c[j] > P->hi[j] ? c[j] : P->hi[j];
    }
    size_t r = 0;
    for (size_t i = 0; i < m; i++) {
        if (use && !use[i])
            continue;
        double T = fabs(f[i] - P->meas[i]);
        if (T < P->tol[i])
            T = P->tol[i];
        double jc = 0;
        for (size_t j = 0; j < n; j++) {
            jc += J[i * n + j] * c[j];
            A[r * n + j] = J[i * n + j];
            A[(r + 1) * n + j] = -J[i * n + j];
        }
        /* |f_i + J_i (x - c) - meas_i| <= T, c itself just inside. */
        T *= 1 + 1e-9;
        b[r] = P->meas[i] + T - f[i] + jc;
        b[r + 1] = -(P->meas[i] - T - f[i] + jc);
        r += 2;
    }
    double gc = 0, vmin = 0, vmax = 0;
    for (size_t j = 0; j < n; j++)
        gc += G[j] * c[j];
    gicsim_status st = lp_solve(A, r, n, b, lo, hi, G, false, NULL, &vmin);
    if (st == GICSIM_OK)
        st = lp_solve(A, r, n, b, lo, hi, G, true, NULL, &vmax);
    free(A);
    if (st != GICSIM_OK)
        return st;
    double l = g0 + (vmin - gc), h = g0 + (vmax - gc);
    /* The fit is feasible: the interval holds its own figure. */
    if (l > g0)
        l = g0;
    if (h < g0)
        h = g0;
    /* Clamped at 0 (but never above the value itself). */
    *lo_ns = nonneg && l < 0 ? fmin(0, g0) : l;
    *hi_ns = h;
    return GICSIM_OK;
}

gicsim_status ca_cross_validate(calib_problem *P, const double *c, const double *f, const double *J,
                                gicsim_calib_fit *out)
{
    const size_t m = P->m, n = P->n;
    const bool exact = !P->priors;
    double *buf = malloc((n + m + m * n) * sizeof *buf);
    bool *use = malloc(m * sizeof *use);
    if (!buf || !use) {
        free(buf);
        free(use);
        return cp_fail(P, GICSIM_E_NOMEM, "out of memory");
    }
    double *cc = buf, *ff = cc + n, *JJ = ff + m;
    char *msg = P->msg;
    size_t msg_size = P->msg_size;
    gicsim_status st = GICSIM_OK;
    double sum = 0;
    out->n_cv = 0;
    out->cv_ok = 0;
    for (size_t k = 0; k < m; k++) {
        gicsim_calib_cv *row = &out->cv[out->n_cv++];
        memset(row, 0, sizeof *row);
        row->test = P->test[k];
        row->measured_ns = P->meas[k];
        P->msg = row->message;
        P->msg_size = sizeof row->message;
        /* From the full fit, with its Jacobian: the model is nearly
         * linear, so one step usually settles. */
        memcpy(cc, c, n * sizeof *cc);
        memcpy(ff, f, m * sizeof *ff);
        memcpy(JJ, J, m * n * sizeof *JJ);
        for (size_t i = 0; i < m; i++)
            use[i] = i != k;
        bool have_J = true, converged = false;
        unsigned it = 0;
        gicsim_status fs;
        if (exact && n > m - 1)
            fs = cp_fail(P, GICSIM_E_INVAL,
                         "%zu costs cannot be fitted to the other %zu measured figures", n, m - 1);
        else
            fs = cp_gauss_newton(P, use, !exact, exact, cc, ff, JJ, &have_J, &it, &converged);
        if (fs == GICSIM_OK)
            fs = ca_interval(P, use, cc, ff, JJ, ff[k], &JJ[k * n], true, &row->lo_ns, &row->hi_ns);
        if (fs == GICSIM_E_NOMEM) {
            st = fs;
            break;
        }
        row->status = fs;
        if (fs != GICSIM_OK) {
            if (!row->message[0])
                snprintf(row->message, sizeof row->message, "%s", gicsim_strerror(fs));
            continue;
        }
        row->has_interval = true;
        row->predicted_ns = ff[k];
        row->rel_error = (ff[k] - P->meas[k]) / P->meas[k];
        sum += fabs(row->rel_error);
        out->cv_ok++;
    }
    out->cv_mean_abs_error = out->cv_ok ? sum / (double)out->cv_ok : 0;
    P->msg = msg;
    P->msg_size = msg_size;
    if (st != GICSIM_OK)
        cp_fail(P, st, "out of memory");
    free(buf);
    free(use);
    return st;
}

/* The metrics at c with cost `moved` (P->n: none) raised by h into v[]:
 * P->cfg.timing with the free costs set, the callback's status, or
 * GICSIM_E_STATE for a value that is not finite. */
static gicsim_status metric_eval(calib_problem *P, const double *c, size_t moved, double h,
                                 const gicsim_calib_metrics *mx, double *v, unsigned *runs)
{
    gicsim_timing t = P->cfg.timing;
    for (size_t j = 0; j < P->n; j++)
        t.cycles[P->cost[j]] = (uint64_t)(c[j] + (j == moved ? h : 0));
    (*runs)++;
    gicsim_status st = mx->eval(mx->ctx, &t, v);
    size_t bad = mx->n;
    for (size_t k = 0; st == GICSIM_OK && k < mx->n && bad == mx->n; k++)
        if (!isfinite(v[k]))
            bad = k;
    if (st == GICSIM_OK && bad == mx->n)
        return GICSIM_OK;
    char where[128] = "at the fit";
    if (moved < P->n)
        snprintf(where, sizeof where, "with %s = %.0f cycles (the fit's + %.0f)",
                 gicsim_cost_name(P->cost[moved]), c[moved] + h, h);
    if (st != GICSIM_OK)
        return cp_fail(P, st, "the metric failed (%s) %s", gicsim_strerror(st), where);
    return cp_fail(P, GICSIM_E_STATE, "metric %zu is not a finite number %s", bad, where);
}

gicsim_status ca_metric_intervals(calib_problem *P, const double *c, const double *f,
                                  const double *J, const gicsim_calib_metrics *mx,
                                  gicsim_calib_interval *out, unsigned *runs)
{
    const size_t n = P->n, k = mx->n;
    double *v0 = malloc((2 * k + k * n) * sizeof *v0);
    if (!v0)
        return cp_fail(P, GICSIM_E_NOMEM, "out of memory");
    double *v1 = v0 + k, *G = v1 + k;
    /* Cost j: one evaluation with the figures' step h; if no metric moves,
     * none depends on j (G = 0). Otherwise a second one a prior sigma
     * away, and the slope is that secant: a scenario's metrics are
     * quantised (a histogram percentile moves by whole buckets of 0.8%)
     * and a 1-cycle step can reorder two events, so a slope from a few
     * cycles, extrapolated over the whole prior range, would measure the
     * quantisation, not the cost. */
    gicsim_status st = metric_eval(P, c, n, 0, mx, v0, runs);
    for (size_t j = 0; j < n && st == GICSIM_OK; j++) {
        double h = cp_step(c[j]);
        if ((st = metric_eval(P, c, j, h, mx, v1, runs)) != GICSIM_OK)
            break;
        bool moved = false;
        for (size_t i = 0; i < k; i++)
            moved |= v1[i] != v0[i];
        double wide = round(P->sigma[j]);
        if (moved && wide > h) {
            h = wide;
            if ((st = metric_eval(P, c, j, h, mx, v1, runs)) != GICSIM_OK)
                break;
        }
        for (size_t i = 0; i < k; i++)
            G[i * n + j] = (v1[i] - v0[i]) / h;
    }
    for (size_t i = 0; i < k && st == GICSIM_OK; i++) {
        out[i].value = v0[i];
        st = ca_interval(P, NULL, c, f, J, v0[i], &G[i * n], mx->nonnegative, &out[i].lo,
                         &out[i].hi);
        if (st != GICSIM_OK)
            cp_fail(P, st, "metric %zu: the interval's linear program failed (%s)", i,
                    gicsim_strerror(st));
    }
    free(v0);
    return st;
}
