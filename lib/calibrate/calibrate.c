/* gicsim: fitting primitive costs to measured micro-bench figures (see
 * gicsim/calibrate.h for the method): the default fit set, the
 * Gauss-Newton solver shared by the MAP and the exact fit, and the drivers
 * gicsim_calibrate and gicsim_calibrate_ex. The analysis of a fit is in
 * analysis.c, reading measured figures in measured.c. */
#include "calibrate_internal.h"
#include "nnls.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The default fit set ---------------------------------------------------------------
 *
 * One cost per test: a primitive on the test's path that the fewest other
 * tests' paths have, read off the finite-difference Jacobian of every cost
 * against every test (generic platform, VHE and nVHE: the choice must hold
 * for both), so that each figure pins down its own cost and any subset of
 * the ten has full rank:
 *
 *   hvc             hvc_handle      only hvc dispatches a hypercall
 *   mmio_read_user  vmm_mmio        only this test goes to the VMM
 *   mmio_read_vgic  vgic_mmio       also on lpi's path (the GITS_CREADR
 *                                   read), which has its_cmd_emulate of its own
 *   eoi             icv_eoir_write  only eoi writes ICV_EOIR1_EL1 by itself
 *   ipi             vcpu_kick       ipi and lpi kick vCPU 1 out of the guest
 *   ipi_hw          sgi_dispatch    the trapped ICC_SGI1R_EL1 write's
 *                                   dispatch, ipi's too; nothing else is on
 *                                   ipi_hw's path but shared primitives
 *   lpi             its_cmd_emulate only lpi runs the host's software ITS
 *   timer_10ms      timer_irq       kvm_arch_timer_handler: only the timer
 *   timer_bm        idle_exit       the idle PE's wake-up; timer_vm's too
 *   timer_vm        sched_wakeup    only timer_vm wakes a blocked vCPU
 *   vcpu_load       vpe_resident    only the GICv4 load makes a vPE resident
 *   doorbell_enable doorbell_enable the GICv4.0 doorbell's unmask
 *   msi_inject      its_cache_op    KVM's translation cache lookup
 */
static const gicsim_cost_id default_cost[GICSIM_MB__COUNT] = {
    [GICSIM_MB_HVC] = GICSIM_COST_HVC_HANDLE,
    [GICSIM_MB_MMIO_READ_USER] = GICSIM_COST_VMM_MMIO,
    [GICSIM_MB_MMIO_READ_VGIC] = GICSIM_COST_VGIC_MMIO,
    [GICSIM_MB_EOI] = GICSIM_COST_ICV_EOIR_WRITE,
    [GICSIM_MB_IPI] = GICSIM_COST_VCPU_KICK,
    [GICSIM_MB_IPI_HW] = GICSIM_COST_SGI_DISPATCH,
    [GICSIM_MB_LPI] = GICSIM_COST_ITS_CMD_EMULATE,
    [GICSIM_MB_TIMER_10MS] = GICSIM_COST_TIMER_IRQ,
    [GICSIM_MB_TIMER_BM] = GICSIM_COST_IDLE_EXIT,
    [GICSIM_MB_TIMER_VM] = GICSIM_COST_SCHED_WAKEUP,
    [GICSIM_MB_VCPU_LOAD] = GICSIM_COST_VPE_RESIDENT,
    [GICSIM_MB_DOORBELL_ENABLE] = GICSIM_COST_DOORBELL_ENABLE,
    [GICSIM_MB_MSI_INJECT] = GICSIM_COST_ITS_CACHE_OP,
};

gicsim_cost_id gicsim_calib_default_cost(gicsim_mb_test test)
{
    return (unsigned)test < GICSIM_MB__COUNT ? default_cost[test] : GICSIM_COST__COUNT;
}

/* ---- The solver ---------------------------------------------------------------------- */

#define MAX_ITERATIONS 10
#define MAX_HALVINGS 4
#define MOVE_TOL 1e-4  /* converged: no cycle count moved by 0.01% or more */
#define STEP_REL 0.02  /* finite-difference step: 2% of the value, at least 1 cycle */
#define RANK_TOL 1e-2  /* a column with < 1% of its norm independent of the others */
#define MAX_CYCLES 1e9 /* no cost is fitted above 10^9 cycles */
#define LIN_TOL                                                                                    \
    0.05 /* MAP converged: every figure within 5% of its uncertainty of the linearisation */
#define MIN_SIGMA 0.25      /* the smallest prior sigma, cycles */
#define MIN_LSIG 0.05       /* the narrowest log-normal prior: a factor of 1.05 per sigma */
#define MAX_PRIOR_STEPS 50  /* re-linearisations of the log-normal prior rows per step */
#define PRIOR_STEP_TOL 1e-7 /* ... until no cost moves by this fraction */

static void vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    if (buf && size)
        vsnprintf(buf, size, fmt, ap);
}

gicsim_status cp_fail(calib_problem *P, gicsim_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(P->msg, P->msg_size, fmt, ap);
    va_end(ap);
    return st;
}

static void append(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t l = strlen(buf);
    if (l + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + l, size - l, fmt, ap);
    va_end(ap);
}

gicsim_status cp_eval(calib_problem *P, const double *c, size_t r0, size_t r1, double *f)
{
    for (size_t j = 0; j < P->n; j++)
        P->cfg.timing.cycles[P->cost[j]] = (uint64_t)c[j];
    for (size_t i = r0; i < r1; i++) {
        double *fi = &f[i - r0];
        P->runs++;
        gicsim_status st = P->model(P->mctx, &P->cfg, P->test[i], fi);
        if (st == GICSIM_OK && !isfinite(*fi))
            st = GICSIM_E_STATE;
        if (st != GICSIM_OK) {
            char where[256] = "";
            for (size_t j = 0; j < P->n; j++)
                append(where, sizeof where, "%s%s = %.0f", j ? ", " : "",
                       gicsim_cost_name(P->cost[j]), c[j]);
            return cp_fail(P, st, "simulating %s failed (%s) with %s",
                           gicsim_mb_test_name(P->test[i]), gicsim_strerror(st), where);
        }
    }
    return GICSIM_OK;
}

double cp_step(double c)
{
    double h = round(STEP_REL * c);
    return h < 1 ? 1 : h;
}

gicsim_status cp_jacobian(calib_problem *P, const double *c, const double *f0, size_t r0, size_t r1,
                          double *J)
{
    const size_t n = P->n, k = r1 - r0;
    double *pt = malloc((n + k) * sizeof *pt);
    if (!pt)
        return cp_fail(P, GICSIM_E_NOMEM, "out of memory");
    double *fj = pt + n;
    gicsim_status st = GICSIM_OK;
    for (size_t j = 0; j < n && st == GICSIM_OK; j++) {
        double h = cp_step(c[j]);
        memcpy(pt, c, n * sizeof *pt);
        pt[j] += h;
        if ((st = cp_eval(P, pt, r0, r1, fj)) != GICSIM_OK)
            break;
        for (size_t i = 0; i < k; i++)
            J[i * n + j] = (fj[i] - f0[i]) / h;
    }
    free(pt);
    return st;
}

/* The objective at figures f (measured rows) and point c: residuals in the
 * fit's unit over the used rows, plus the prior rows (MAP). The square root
 * of the sum, as compared between steps. */
static double objective(const calib_problem *P, const bool *use, const double *c, const double *f)
{
    double s = 0;
    for (size_t i = 0; i < P->m; i++) {
        if (use && !use[i])
            continue;
        double r = (f[i] - P->meas[i]) / P->unit[i];
        s += r * r;
    }
    for (size_t j = 0; P->priors && j < P->n; j++) {
        double r = cp_prior_residual(P, j, c[j]);
        s += r * r;
    }
    return sqrt(s);
}

/* A log-normal prior is evaluated at no less than a tenth of its range's
 * low end (the fit keeps c >= 0; ln 0 is not finite). */
static double log_floor(const calib_problem *P, size_t j, double c)
{
    double lo = P->lo[j] / 10;
    return c > lo ? c : lo;
}

double cp_prior_residual(const calib_problem *P, size_t j, double c)
{
    if (P->logp[j])
        return (log(log_floor(P, j, c)) - log(P->c0[j])) / P->lsig[j];
    return (c - P->c0[j]) / P->sigma[j];
}

/* Prior row k of the linearised step at the point ck (in unknowns y = c /
 * scale): Gaussian, (c - c0) / sigma; log-normal, ln c around ln ck:
 * (c / ck + ln ck - 1 - ln c0) / lsig. */
static void prior_row(const calib_problem *P, size_t k, double ck, double *a, double *b)
{
    if (P->logp[k]) {
        double x = log_floor(P, k, ck);
        *a = P->scale[k] / (x * P->lsig[k]);
        *b = (log(P->c0[k]) - log(x) + 1) / P->lsig[k];
    } else {
        *a = P->scale[k] / P->sigma[k];
        *b = P->c0[k] / P->sigma[k];
    }
}

/* EXACT: the rank of the scaled Jacobian A (mu used rows x n) at the start;
 * GICSIM_E_INVAL naming the cost when it is not n. */
static gicsim_status check_rank(calib_problem *P, const bool *use, const double *A, size_t mu)
{
    bool combo[GICSIM_COST__COUNT];
    bool zero = false;
    size_t rank, dep;
    gicsim_status st = nnls_column_rank(A, mu, P->n, RANK_TOL, &rank, &dep, combo, &zero);
    if (st != GICSIM_OK)
        return cp_fail(P, st, "the rank check failed (%s)", gicsim_strerror(st));
    P->start_rank = rank;
    if (rank == P->n)
        return GICSIM_OK;
    char tests[256] = "";
    size_t k = 0;
    for (size_t i = 0; i < P->m; i++)
        if (!use || use[i])
            append(tests, sizeof tests, "%s%s", k++ ? ", " : "", gicsim_mb_test_name(P->test[i]));
    const char *name = gicsim_cost_name(P->cost[dep]);
    if (zero)
        return cp_fail(P, GICSIM_E_INVAL,
                       "cost %s has no effect on any measured test (%s): it cannot be fitted; "
                       "measure a test whose path has it or leave it out of the fit",
                       name, tests);
    char others[256] = "";
    size_t n_others = 0;
    for (size_t j = 0; j < dep; j++)
        if (combo[j])
            append(others, sizeof others, "%s%s", n_others++ ? ", " : "",
                   gicsim_cost_name(P->cost[j]));
    if (n_others == 1)
        return cp_fail(P, GICSIM_E_INVAL,
                       "costs %s and %s are not separable: every measured test (%s) depends on "
                       "them in the same proportion; fit one of them",
                       others, name, tests);
    return cp_fail(P, GICSIM_E_INVAL,
                   "cost %s is not separable from %s: its effect on the measured tests (%s) is a "
                   "combination of theirs (Jacobian rank %zu < %zu costs)",
                   name, others, tests, rank, P->n);
}

gicsim_status cp_gauss_newton(calib_problem *P, const bool *use, bool lin_stop, bool check,
                              double *c, double *f, double *J, bool *have_J, unsigned *iterations,
                              bool *converged)
{
    const size_t m = P->m, n = P->n;
    size_t mu = 0;
    for (size_t i = 0; i < m; i++)
        mu += !use || use[i];
    const size_t rows = mu + (P->priors ? n : 0);
    if (mu == 0 && !P->priors)
        return cp_fail(P, GICSIM_E_INVAL, "no measured figures");
    double *buf = malloc((rows * n + rows + m * 2 + n * 3) * sizeof *buf);
    if (!buf)
        return cp_fail(P, GICSIM_E_NOMEM, "out of memory");
    double *A = buf, *b = A + rows * n, *fc = b + rows, *flin = fc + m;
    double *y = flin + m, *cand = y + n, *newc = cand + n;
    gicsim_status st = GICSIM_OK;
    *converged = false;
    double res0 = objective(P, use, c, f);
    for (unsigned it = 1; it <= MAX_ITERATIONS; it++) {
        *iterations = it;
        if (!*have_J) {
            if ((st = cp_jacobian(P, c, f, 0, m, J)) != GICSIM_OK)
                goto out;
            *have_J = true;
        }
        /* Linearised at c: f(x) ~ f + J (x - c). In scaled unknowns
         * y = x / scale, minimise || A y - b || with y >= 0: the used rows
         * in the fit's residual unit, then (MAP) the prior rows. */
        size_t r = 0;
        for (size_t i = 0; i < m; i++) {
            if (use && !use[i])
                continue;
            for (size_t j = 0; j < n; j++)
                A[r * n + j] = J[i * n + j] * P->scale[j] / P->unit[i];
            double s = (P->meas[i] - f[i]) / P->unit[i];
            for (size_t j = 0; j < n; j++)
                s += A[r * n + j] * c[j] / P->scale[j];
            b[r++] = s;
        }
        if (it == 1 && check && (st = check_rank(P, use, A, mu)) != GICSIM_OK)
            goto out;
        /* The prior rows; log-normal ones are re-linearised at the step's
         * solution until it settles (the figures' rows stay: the model's
         * Jacobian is that of the current point). */
        memcpy(newc, c, n * sizeof *newc);
        for (int inner = 0; inner < (P->priors ? MAX_PRIOR_STEPS : 1); inner++) {
            size_t rr = r;
            bool nonlinear = false;
            for (size_t k = 0; P->priors && k < n; k++, rr++) {
                for (size_t j = 0; j < n; j++)
                    A[rr * n + j] = 0.0;
                prior_row(P, k, newc[k], &A[rr * n + k], &b[rr]);
                nonlinear |= P->logp[k];
            }
            /* GICSIM_E_STATE (the iteration limit) still leaves a feasible y.
             * nnls_solve keeps A and b. */
            st = nnls_solve(A, rows, n, b, y, NULL);
            if (st != GICSIM_OK && st != GICSIM_E_STATE) {
                cp_fail(P, st, "the least-squares step failed (%s)", gicsim_strerror(st));
                goto out;
            }
            double moved = 0;
            for (size_t j = 0; j < n; j++) {
                double v = y[j] * P->scale[j];
                if (v > MAX_CYCLES)
                    v = MAX_CYCLES;
                double d = fabs(v - newc[j]) / (newc[j] > 1 ? newc[j] : 1);
                moved = d > moved ? d : moved;
                newc[j] = v;
            }
            if (!nonlinear || moved < PRIOR_STEP_TOL)
                break;
        }
        /* Step to the rounded solution; halve a step that makes things worse. */
        double lam = 1, resc = 0;
        bool accepted = false, same = true;
        for (int h = 0; h <= MAX_HALVINGS; h++, lam /= 2) {
            same = true;
            for (size_t j = 0; j < n; j++) {
                cand[j] = round(c[j] + lam * (newc[j] - c[j]));
                if (cand[j] < 0)
                    cand[j] = 0;
                same &= cand[j] == c[j];
            }
            if (same)
                break;
            if ((st = cp_eval(P, cand, 0, m, fc)) != GICSIM_OK)
                goto out;
            resc = objective(P, use, cand, fc);
            if (resc <= res0) {
                accepted = true;
                break;
            }
        }
        if (!accepted) {
            /* The integer point is where the linear model leads, or no step
             * along it improves: settled. */
            *converged = true;
            break;
        }
        double move = 0;
        bool linear = lin_stop;
        for (size_t j = 0; j < n; j++) {
            double d = fabs(cand[j] - c[j]) / (c[j] > 1 ? c[j] : 1);
            if (d > move)
                move = d;
        }
        for (size_t i = 0; linear && i < m; i++) {
            if (use && !use[i])
                continue;
            flin[i] = f[i];
            for (size_t j = 0; j < n; j++)
                flin[i] += J[i * n + j] * (cand[j] - c[j]);
            linear = fabs(fc[i] - flin[i]) <= LIN_TOL * P->tol[i];
        }
        memcpy(c, cand, n * sizeof *c);
        memcpy(f, fc, m * sizeof *f);
        res0 = resc;
        if (move < MOVE_TOL || linear) {
            /* The Jacobian of this iteration describes the new point too. */
            *converged = true;
            break;
        }
        *have_J = false;
    }
    if (!*have_J)
        st = cp_jacobian(P, c, f, 0, m, J);
    else
        st = GICSIM_OK;
    *have_J = st == GICSIM_OK;
out:
    free(buf);
    return st;
}

/* ---- The drivers ------------------------------------------------------------------------- */

static gicsim_status check_args(calib_problem *P, const gicsim_mb_config *base,
                                const gicsim_mb_test *tests, const double *measured_ns,
                                size_t n_tests, const gicsim_calib_options *o)
{
    if (!base || (n_tests && (!tests || !measured_ns)) || (o->n_fit && !o->fit) ||
        (o->n_facts && (!o->fact || !o->fact_cycles)) || (o->n_predict && !o->predict))
        return cp_fail(P, GICSIM_E_INVAL, "a NULL argument");
    if (n_tests == 0)
        return cp_fail(P, GICSIM_E_INVAL, "no measured figures");
    if (n_tests > GICSIM_MB__COUNT)
        return cp_fail(P, GICSIM_E_INVAL, "%zu measured figures: at most one per test", n_tests);
    for (size_t i = 0; i < n_tests; i++) {
        if ((unsigned)tests[i] >= GICSIM_MB__COUNT)
            return cp_fail(P, GICSIM_E_INVAL, "figure %zu: unknown micro-bench test %d", i,
                           (int)tests[i]);
        for (size_t k = 0; k < i; k++)
            if (tests[k] == tests[i])
                return cp_fail(P, GICSIM_E_INVAL, "test %s is given twice",
                               gicsim_mb_test_name(tests[i]));
        if (!(measured_ns[i] > 0) || !isfinite(measured_ns[i]))
            return cp_fail(P, GICSIM_E_INVAL, "%s: the measured figure must be a number > 0",
                           gicsim_mb_test_name(tests[i]));
        double u = o->uncertainty ? o->uncertainty[i] : GICSIM_CALIB_DEFAULT_UNCERTAINTY;
        if (!(u > 0 && u <= 1))
            return cp_fail(P, GICSIM_E_INVAL,
                           "%s: the uncertainty must be a fraction in (0, 1], got %g",
                           gicsim_mb_test_name(tests[i]), u);
    }
    if (!(o->default_uncertainty >= 0 && o->default_uncertainty <= 1))
        return cp_fail(P, GICSIM_E_INVAL,
                       "the default uncertainty must be a fraction in (0, 1], got %g",
                       o->default_uncertainty);
    if ((unsigned)o->method > GICSIM_CALIB_EXACT)
        return cp_fail(P, GICSIM_E_INVAL, "unknown method %d", (int)o->method);
    for (size_t j = 0; j < o->n_fit; j++) {
        if ((unsigned)o->fit[j] >= GICSIM_COST__COUNT)
            return cp_fail(P, GICSIM_E_INVAL, "fitted cost %zu: unknown cost %d", j,
                           (int)o->fit[j]);
        for (size_t k = 0; k < j; k++)
            if (o->fit[k] == o->fit[j])
                return cp_fail(P, GICSIM_E_INVAL, "cost %s is given twice",
                               gicsim_cost_name(o->fit[j]));
    }
    for (size_t j = 0; j < o->n_facts; j++) {
        if ((unsigned)o->fact[j] >= GICSIM_COST__COUNT)
            return cp_fail(P, GICSIM_E_INVAL, "fact %zu: unknown cost %d", j, (int)o->fact[j]);
        for (size_t k = 0; k < j; k++)
            if (o->fact[k] == o->fact[j])
                return cp_fail(P, GICSIM_E_INVAL, "fact %s is given twice",
                               gicsim_cost_name(o->fact[j]));
        for (size_t k = 0; k < o->n_fit; k++)
            if (o->fit[k] == o->fact[j])
                return cp_fail(P, GICSIM_E_INVAL,
                               "cost %s is a fact and fitted: a fact is fixed, leave it out of "
                               "the fit",
                               gicsim_cost_name(o->fact[j]));
    }
    for (size_t k = 0; k < o->n_predict; k++)
        if ((unsigned)o->predict[k] >= GICSIM_MB__COUNT)
            return cp_fail(P, GICSIM_E_INVAL, "prediction %zu: unknown micro-bench test %d", k,
                           (int)o->predict[k]);
    return GICSIM_OK;
}

void gicsim_calib_options_init(gicsim_calib_options *opt)
{
    if (!opt)
        return;
    memset(opt, 0, sizeof *opt);
    opt->method = GICSIM_CALIB_MAP;
    opt->default_uncertainty = GICSIM_CALIB_DEFAULT_UNCERTAINTY;
    opt->intervals = true;
}

void gicsim_calib_fit_free(gicsim_calib_fit *fit)
{
    free(fit);
}

/* The problem of a call: rows, free costs, priors, scales. */
static gicsim_status setup(calib_problem *P, const gicsim_mb_config *base,
                           const gicsim_mb_test *tests, const double *measured_ns, size_t n_tests,
                           const gicsim_calib_options *o, gicsim_calib_fit *out)
{
    const bool exact = o->method == GICSIM_CALIB_EXACT;
    P->cfg = *base;
    P->priors = !exact;
    for (size_t k = 0; k < o->n_facts; k++) {
        P->cfg.timing.cycles[o->fact[k]] = o->fact_cycles[k];
        out->fact[out->n_facts++] = o->fact[k];
    }
    double u_def =
        o->default_uncertainty > 0 ? o->default_uncertainty : GICSIM_CALIB_DEFAULT_UNCERTAINTY;
    out->uncertainty = u_def;
    double u_min = INFINITY;
    P->m = n_tests;
    for (size_t i = 0; i < n_tests; i++) {
        P->test[i] = tests[i];
        P->meas[i] = measured_ns[i];
        P->unc[i] = o->uncertainty ? o->uncertainty[i] : u_def;
        P->tol[i] = P->unc[i] * P->meas[i];
        if (P->unc[i] < u_min)
            u_min = P->unc[i];
    }
    for (size_t i = 0; i < n_tests; i++)
        /* EXACT: relative residuals (scaled when the uncertainties differ;
         * u/u_min is exactly 1 when they do not). */
        P->unit[i] = exact ? P->meas[i] * (P->unc[i] / u_min) : P->tol[i];
    P->R = P->m;
    if (o->intervals) {
        for (int t = 0; t < GICSIM_MB__COUNT; t++) {
            bool want = true, measured = false;
            if (o->n_predict) {
                want = false;
                for (size_t k = 0; k < o->n_predict; k++)
                    want |= o->predict[k] == (gicsim_mb_test)t;
            }
            for (size_t i = 0; i < P->m; i++)
                measured |= P->test[i] == (gicsim_mb_test)t;
            if (want && !measured)
                P->test[P->R++] = (gicsim_mb_test)t;
        }
    }
    /* The free costs. */
    if (o->n_fit) {
        memcpy(P->cost, o->fit, o->n_fit * sizeof *o->fit);
        P->n = o->n_fit;
    } else if (exact) {
        for (size_t i = 0; i < n_tests; i++) {
            gicsim_cost_id id = default_cost[tests[i]];
            bool dup = false;
            for (size_t k = 0; k < P->n; k++)
                dup |= P->cost[k] == id;
            if (!dup)
                P->cost[P->n++] = id;
        }
    } else {
        for (int c = 0; c < GICSIM_COST__COUNT; c++) {
            bool fact = false;
            for (size_t k = 0; k < o->n_facts; k++)
                fact |= o->fact[k] == (gicsim_cost_id)c;
            if (!fact)
                P->cost[P->n++] = (gicsim_cost_id)c;
        }
    }
    if (P->n == 0)
        return cp_fail(P, GICSIM_E_INVAL, "no cost to fit: every cost is a fact");
    if (exact && P->n > P->m && !o->analyse_only)
        return cp_fail(P, GICSIM_E_INVAL,
                       "%zu costs cannot be fitted to %zu measured figures: fit at most as many "
                       "costs as there are figures",
                       P->n, P->m);
    for (size_t j = 0; j < P->n; j++) {
        uint64_t lo = 0, hi = 0;
        gicsim_cost_prior(P->cost[j], &lo, &hi);
        double start = (double)P->cfg.timing.cycles[P->cost[j]];
        P->lo[j] = (double)lo;
        P->hi[j] = (double)(hi > lo ? hi : lo);
        P->c0[j] = start < P->lo[j] ? P->lo[j] : start > P->hi[j] ? P->hi[j] : start;
        P->logp[j] = !o->normal_priors && P->lo[j] > 0;
        if (P->logp[j]) {
            P->lsig[j] = log(P->hi[j] / P->lo[j]) / 4;
            if (P->lsig[j] < MIN_LSIG)
                P->lsig[j] = MIN_LSIG;
            P->sigma[j] = P->c0[j] * P->lsig[j];
        } else {
            P->sigma[j] = (P->hi[j] - P->lo[j]) / 4;
        }
        if (P->sigma[j] < MIN_SIGMA)
            P->sigma[j] = MIN_SIGMA;
        if (exact) {
            double s = start > MAX_CYCLES ? MAX_CYCLES : start;
            /* The unknowns are solved for relative to their starting values. */
            P->scale[j] = s > 1 ? s : 1;
        } else {
            P->scale[j] = P->sigma[j];
        }
        gicsim_calib_cost *fc = &out->free[j];
        fc->cost = P->cost[j];
        fc->start_cycles = P->cfg.timing.cycles[P->cost[j]];
        fc->prior_lo = P->lo[j];
        fc->prior_hi = P->hi[j];
        fc->prior_centre = P->c0[j];
        fc->prior_sigma = P->sigma[j];
        fc->prior_log = P->logp[j];
    }
    out->n_free = P->n;
    return GICSIM_OK;
}

/* The fit, its figures and the analysis into `out`; with mx, the metrics'
 * intervals into iv. */
static gicsim_status run(calib_problem *P, const gicsim_calib_options *o,
                         const gicsim_calib_metrics *mx, gicsim_calib_interval *iv,
                         gicsim_calib_fit *out)
{
    const size_t m = P->m, n = P->n, R = P->R;
    const bool exact = !P->priors;
    double *buf = malloc((n + R + R * n) * sizeof *buf);
    if (!buf)
        return cp_fail(P, GICSIM_E_NOMEM, "out of memory");
    double *c = buf, *f = c + n, *J = f + R;
    gicsim_status st;
    for (size_t j = 0; j < n; j++) {
        double start = (double)P->cfg.timing.cycles[P->cost[j]];
        c[j] = o->analyse_only ? start
               : exact         ? (start > MAX_CYCLES ? MAX_CYCLES : start)
                               : P->c0[j];
    }
    if ((st = cp_eval(P, c, 0, m, f)) != GICSIM_OK)
        goto out;
    bool have_J = false;
    if (o->analyse_only) {
        if ((st = cp_jacobian(P, c, f, 0, m, J)) != GICSIM_OK)
            goto out;
    } else if ((st = cp_gauss_newton(P, NULL, !exact, exact, c, f, J, &have_J, &out->iterations,
                                     &out->converged)) != GICSIM_OK) {
        out->rank = P->start_rank;
        goto out;
    }
    /* The result: the integer point c and its figures (simulated there). */
    out->analysed_only = o->analyse_only;
    out->timing = P->cfg.timing;
    for (size_t j = 0; j < n; j++) {
        out->timing.cycles[P->cost[j]] = (uint64_t)c[j];
        out->free[j].cycles = (uint64_t)c[j];
        double r = cp_prior_residual(P, j, c[j]);
        out->prior_misfit += r * r;
        /* The analysis (posterior widths) uses the prior's local width at
         * the fit. */
        if (P->priors && P->logp[j]) {
            P->sigma[j] = log_floor(P, j, c[j]) * P->lsig[j];
            if (P->sigma[j] < MIN_SIGMA)
                P->sigma[j] = MIN_SIGMA;
        }
    }
    out->n_measured = m;
    out->n_figures = R;
    for (size_t i = 0; i < m; i++) {
        gicsim_calib_figure *g = &out->figure[i];
        g->test = P->test[i];
        g->measured = true;
        g->measured_ns = P->meas[i];
        g->uncertainty = P->unc[i];
        g->simulated_ns = f[i];
        g->rel_error = (f[i] - P->meas[i]) / P->meas[i];
        if (fabs(g->rel_error) > out->max_abs_rel_error)
            out->max_abs_rel_error = fabs(g->rel_error);
        double r = (f[i] - P->meas[i]) / P->tol[i];
        out->data_misfit += r * r;
    }
    if ((st = ca_identifiability(P, J, out)) != GICSIM_OK)
        goto out;
    /* The predictions' figures and Jacobian rows at the fit. */
    if (R > m && ((st = cp_eval(P, c, m, R, f + m)) != GICSIM_OK ||
                  (st = cp_jacobian(P, c, f + m, m, R, J + m * n)) != GICSIM_OK))
        goto out;
    for (size_t i = m; i < R; i++) {
        out->figure[i].test = P->test[i];
        out->figure[i].simulated_ns = f[i];
    }
    for (size_t i = 0; o->intervals && i < R; i++) {
        gicsim_calib_figure *g = &out->figure[i];
        if ((st = ca_interval(P, NULL, c, f, J, f[i], &J[i * n], true, &g->lo_ns, &g->hi_ns)) !=
            GICSIM_OK)
            goto out;
        g->has_interval = true;
    }
    if (o->cross_validate && (st = ca_cross_validate(P, c, f, J, out)) != GICSIM_OK)
        goto out;
    if (mx)
        st = ca_metric_intervals(P, c, f, J, mx, iv, &out->metric_runs);
out:
    free(buf);
    return st;
}

/* calib_fit_ex, and with mx the metrics' intervals into iv. */
static gicsim_status fit_and_analyse(calib_model_fn model, void *mctx, const gicsim_mb_config *base,
                                     const gicsim_mb_test *tests, const double *measured_ns,
                                     size_t n_tests, const gicsim_calib_options *opt,
                                     const gicsim_calib_metrics *mx, gicsim_calib_interval *iv,
                                     gicsim_calib_fit **outp)
{
    gicsim_calib_fit *out = calloc(1, sizeof *out);
    *outp = out;
    if (!out)
        return GICSIM_E_NOMEM;
    calib_problem *P = calloc(1, sizeof *P);
    if (!P) {
        snprintf(out->message, sizeof out->message, "out of memory");
        return GICSIM_E_NOMEM;
    }
    P->model = model;
    P->mctx = mctx;
    P->msg = out->message;
    P->msg_size = sizeof out->message;
    gicsim_calib_options defaults;
    gicsim_calib_options_init(&defaults);
    const gicsim_calib_options *o = opt ? opt : &defaults;
    out->method = o->method;
    gicsim_status st;
    if (!model)
        st = cp_fail(P, GICSIM_E_INVAL, "no model");
    else if (mx && (!mx->eval || mx->n == 0 || !iv))
        st = cp_fail(P, GICSIM_E_INVAL,
                     "no metric: the callback, the count (>= 1) and the "
                     "intervals' array are needed");
    else if (mx && mx->n > SIZE_MAX / sizeof(double) / (GICSIM_COST__COUNT + 2))
        st = cp_fail(P, GICSIM_E_INVAL, "%zu metrics: too many", mx->n);
    else if ((st = check_args(P, base, tests, measured_ns, n_tests, o)) == GICSIM_OK &&
             (st = setup(P, base, tests, measured_ns, n_tests, o, out)) == GICSIM_OK)
        st = run(P, o, mx, iv, out);
    out->model_runs = P->runs;
    if (st == GICSIM_OK)
        out->message[0] = '\0';
    else if (!out->message[0])
        snprintf(out->message, sizeof out->message, "%s", gicsim_strerror(st));
    free(P);
    return st;
}

gicsim_status calib_fit_ex(calib_model_fn model, void *mctx, const gicsim_mb_config *base,
                           const gicsim_mb_test *tests, const double *measured_ns, size_t n_tests,
                           const gicsim_calib_options *opt, gicsim_calib_fit **outp)
{
    if (!outp)
        return GICSIM_E_INVAL;
    return fit_and_analyse(model, mctx, base, tests, measured_ns, n_tests, opt, NULL, NULL, outp);
}

gicsim_status calib_metric_intervals(calib_model_fn model, void *mctx, const gicsim_mb_config *base,
                                     const gicsim_mb_test *tests, const double *measured_ns,
                                     size_t n_tests, const gicsim_calib_options *opt,
                                     const gicsim_calib_metrics *metrics,
                                     gicsim_calib_interval *out, gicsim_calib_fit **fit)
{
    gicsim_calib_fit *own = NULL;
    gicsim_calib_metrics none = {0};
    gicsim_status st = fit_and_analyse(model, mctx, base, tests, measured_ns, n_tests, opt,
                                       metrics ? metrics : &none, out, fit ? fit : &own);
    gicsim_calib_fit_free(own);
    return st;
}

gicsim_status calib_fit(calib_model_fn model, void *mctx, const gicsim_mb_config *base,
                        const gicsim_mb_test *tests, const double *measured_ns, size_t n_tests,
                        const gicsim_cost_id *fit, size_t n_fit, gicsim_calib_result *out)
{
    if (!out)
        return GICSIM_E_INVAL;
    memset(out, 0, sizeof *out);
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.method = GICSIM_CALIB_EXACT;
    o.fit = fit;
    o.n_fit = n_fit;
    o.intervals = false;
    gicsim_calib_fit *r = NULL;
    gicsim_status st = calib_fit_ex(model, mctx, base, tests, measured_ns, n_tests, &o, &r);
    if (!r)
        return st;
    snprintf(out->message, sizeof out->message, "%s", r->message);
    out->rank = r->rank;
    if (base)
        out->timing = base->timing;
    out->n_fit = r->n_free;
    for (size_t j = 0; j < r->n_free; j++)
        out->fit[j] = r->free[j].cost;
    if (st == GICSIM_OK) {
        out->timing = r->timing;
        out->n_tests = n_tests;
        out->rank = r->n_free; /* the fit ran: the start's rank was full */
        out->iterations = r->iterations;
        out->converged = r->converged;
        out->max_abs_rel_error = r->max_abs_rel_error;
        for (size_t i = 0; i < n_tests; i++) {
            out->simulated_ns[i] = r->figure[i].simulated_ns;
            out->rel_error[i] = r->figure[i].rel_error;
        }
    }
    gicsim_calib_fit_free(r);
    return st;
}

static gicsim_status mb_model(void *ctx, const gicsim_mb_config *cfg, gicsim_mb_test test,
                              double *ns)
{
    (void)ctx;
    gicsim_mb_result r;
    memset(&r, 0, sizeof r);
    gicsim_status st = gicsim_mb_run(cfg, test, &r);
    if (st == GICSIM_OK)
        *ns = r.value_ns;
    gicsim_mb_result_free(&r);
    return st;
}

gicsim_status gicsim_calibrate(const gicsim_mb_config *base, const gicsim_mb_test *tests,
                               const double *measured_ns, size_t n_tests, const gicsim_cost_id *fit,
                               size_t n_fit, gicsim_calib_result *out)
{
    return calib_fit(mb_model, NULL, base, tests, measured_ns, n_tests, fit, n_fit, out);
}

gicsim_status gicsim_calibrate_ex(const gicsim_mb_config *base, const gicsim_mb_test *tests,
                                  const double *measured_ns, size_t n_tests,
                                  const gicsim_calib_options *opt, gicsim_calib_fit **out)
{
    return calib_fit_ex(mb_model, NULL, base, tests, measured_ns, n_tests, opt, out);
}

gicsim_status gicsim_calib_metric_intervals(const gicsim_mb_config *base,
                                            const gicsim_mb_test *tests, const double *measured_ns,
                                            size_t n_tests, const gicsim_calib_options *opt,
                                            const gicsim_calib_metrics *metrics,
                                            gicsim_calib_interval *out, gicsim_calib_fit **fit)
{
    return calib_metric_intervals(mb_model, NULL, base, tests, measured_ns, n_tests, opt, metrics,
                                  out, fit);
}
