/* gicsim: tests of the calibration (gicsim/calibrate.h) and of the platform
 * API (gicsim/platform.h).
 *
 * The solver runs first on synthetic models (calib_fit with a function in
 * place of the simulator): linear figures are recovered exactly from a
 * distant start, a max() of two paths converges, a figure that would need a
 * negative cost leaves that cost at 0, and fit sets the figures cannot
 * determine fail naming the cost. The MAP fit, its report, intervals and
 * cross-validation (calib_fit_ex) on synthetic linear models against
 * closed-form answers: the MAP point and posterior of a small linear
 * problem, an underdetermined one, a known inseparable pair and the rank,
 * hand-computed intervals, leave-one-out that predicts exactly, facts and
 * bad inputs. Then the real thing: the figures of a
 * shipped preset (ampere-altra-kvm-vhe when it exists, else generic; and
 * generic without VHE) are simulated, and a fit of the default cost set from
 * a base with those costs doubled must bring every cost and every figure
 * back within 1%; a MAP fit of generic's own figures stays at generic; the
 * analysis of a shipped exact preset. Last, the measured-figure files
 * (kvm-unit-tests logs and YAML, with uncertainties, sources and facts) and
 * the platform object's getters and errors. Last, the intervals of a
 * caller's metrics (calib_metric_intervals) against hand-computed answers:
 * linear metrics, a constant, one clamped at 0, a quantised one whose slope
 * is the secant over a prior sigma, the evaluations counted; and its
 * errors (no measured figures, no metric, a failing or non-finite
 * callback, a failing figure).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "calibrate/calibrate_internal.h"
#include "calibrate/linalg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if !defined(GICSIM_TEST_DATA_DIR) || !defined(GICSIM_PRESET_DIR) || !defined(GICSIM_TEST_TMP)
#error "GICSIM_TEST_DATA_DIR, GICSIM_PRESET_DIR and GICSIM_TEST_TMP must be defined"
#endif

/* ---- Synthetic models -------------------------------------------------------------- */

/* figure(test) = offset[test] + sum over costs of coef[test][cost] * cycles;
 * race_test's figure has a further max(race . cycles, race_floor): a wait
 * on another PE that is either on the critical path or not. */
typedef struct lin_model {
    double offset[GICSIM_MB__COUNT];
    double coef[GICSIM_MB__COUNT][GICSIM_COST__COUNT];
    double race[GICSIM_COST__COUNT];
    double race_floor;
    int race_test; /* -1: none */
    int fail_test; /* -1: none; else that test fails with GICSIM_E_STATE */
    unsigned calls;
} lin_model;

static gicsim_status lin_run(void *ctx, const gicsim_mb_config *cfg, gicsim_mb_test t, double *ns)
{
    lin_model *m = ctx;
    m->calls++;
    if ((int)t == m->fail_test)
        return GICSIM_E_STATE;
    double a = 0, b = 0;
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        a += m->coef[t][c] * (double)cfg->timing.cycles[c];
        b += m->race[c] * (double)cfg->timing.cycles[c];
    }
    if ((int)t == m->race_test)
        a += b > m->race_floor ? b : m->race_floor;
    *ns = m->offset[t] + a;
    return GICSIM_OK;
}

static void lin_init(lin_model *m)
{
    memset(m, 0, sizeof *m);
    m->race_test = -1;
    m->fail_test = -1;
}

/* Figures of `tests` under `cfg`. */
static void lin_figures(lin_model *m, const gicsim_mb_config *cfg, const gicsim_mb_test *tests,
                        size_t n, double *out)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(lin_run(m, cfg, tests[i], &out[i]), GICSIM_OK);
}

static const gicsim_mb_test three[] = {GICSIM_MB_HVC, GICSIM_MB_EOI, GICSIM_MB_IPI};
static const gicsim_cost_id three_costs[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_ICV_EOIR_WRITE,
                                             GICSIM_COST_VCPU_KICK};

/* hvc = 100 + hvc_handle/3 + exc_to_el2/3; eoi = 10 + icv_eoir_write/3;
 * ipi = 500 + vcpu_kick/3 + hvc_handle/6 + icv_eoir_write/3 (ns, 3 GHz). */
static void three_model(lin_model *m)
{
    lin_init(m);
    m->offset[GICSIM_MB_HVC] = 100;
    m->coef[GICSIM_MB_HVC][GICSIM_COST_HVC_HANDLE] = 1.0 / 3;
    m->coef[GICSIM_MB_HVC][GICSIM_COST_EXC_TO_EL2] = 1.0 / 3;
    m->offset[GICSIM_MB_EOI] = 10;
    m->coef[GICSIM_MB_EOI][GICSIM_COST_ICV_EOIR_WRITE] = 1.0 / 3;
    m->offset[GICSIM_MB_IPI] = 500;
    m->coef[GICSIM_MB_IPI][GICSIM_COST_VCPU_KICK] = 1.0 / 3;
    m->coef[GICSIM_MB_IPI][GICSIM_COST_HVC_HANDLE] = 1.0 / 6;
    m->coef[GICSIM_MB_IPI][GICSIM_COST_ICV_EOIR_WRITE] = 1.0 / 3;
}

static void test_solver_linear(void **state)
{
    (void)state;
    lin_model m;
    three_model(&m);
    gicsim_mb_config truth, base;
    gicsim_mb_config_init(&truth);
    truth.timing.cycles[GICSIM_COST_HVC_HANDLE] = 612;
    truth.timing.cycles[GICSIM_COST_ICV_EOIR_WRITE] = 7;
    truth.timing.cycles[GICSIM_COST_VCPU_KICK] = 1234;
    double meas[3];
    lin_figures(&m, &truth, three, 3, meas);
    gicsim_mb_config_init(&base); /* 200, 40, 200: far from the truth */
    gicsim_calib_result r;
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, three_costs, 3, &r), GICSIM_OK);
    assert_string_equal(r.message, "");
    assert_int_equal(r.n_fit, 3);
    assert_int_equal(r.rank, 3);
    assert_true(r.converged);
    assert_true(r.iterations >= 1 && r.iterations <= 3);
    assert_int_equal(r.timing.cycles[GICSIM_COST_HVC_HANDLE], 612);
    assert_int_equal(r.timing.cycles[GICSIM_COST_ICV_EOIR_WRITE], 7);
    assert_int_equal(r.timing.cycles[GICSIM_COST_VCPU_KICK], 1234);
    /* Costs outside the fit keep the base's values. */
    assert_int_equal(r.timing.cycles[GICSIM_COST_EXC_TO_EL2],
                     base.timing.cycles[GICSIM_COST_EXC_TO_EL2]);
    assert_int_equal(r.n_tests, 3);
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(r.simulated_ns[i] - meas[i]) < 1e-9);
        assert_true(fabs(r.rel_error[i]) < 1e-12);
    }
    assert_true(r.max_abs_rel_error < 1e-12);
}

static void test_solver_default_set(void **state)
{
    (void)state;
    lin_model m;
    three_model(&m);
    /* The default costs of hvc, eoi and ipi are the three the model uses. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(gicsim_calib_default_cost(three[i]), three_costs[i]);
    gicsim_mb_config truth, base;
    gicsim_mb_config_init(&truth);
    truth.timing.cycles[GICSIM_COST_VCPU_KICK] = 450;
    double meas[3];
    lin_figures(&m, &truth, three, 3, meas);
    gicsim_mb_config_init(&base);
    gicsim_calib_result r;
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, NULL, 0, &r), GICSIM_OK);
    assert_int_equal(r.n_fit, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(r.fit[i], three_costs[i]);
    assert_int_equal(r.timing.cycles[GICSIM_COST_VCPU_KICK], 450);
}

static void test_default_table(void **state)
{
    (void)state;
    bool used[GICSIM_COST__COUNT] = {false};
    for (int t = 0; t < GICSIM_MB__COUNT; t++) {
        gicsim_cost_id c = gicsim_calib_default_cost((gicsim_mb_test)t);
        assert_true((unsigned)c < GICSIM_COST__COUNT);
        assert_false(used[c]); /* one cost per test */
        used[c] = true;
    }
    assert_int_equal(gicsim_calib_default_cost(GICSIM_MB__COUNT), GICSIM_COST__COUNT);
}

static void test_solver_race(void **state)
{
    (void)state;
    /* ipi waits for max(hvc_handle / 6, 60 ns): at the start (hvc_handle
     * 200) the fixed 60 ns is on the critical path and ipi looks blind to
     * hvc_handle; at the truth (612) hvc_handle is. The linearization is
     * wrong at first; the iterations correct it. */
    lin_model m;
    three_model(&m);
    m.race_test = GICSIM_MB_IPI;
    m.coef[GICSIM_MB_IPI][GICSIM_COST_HVC_HANDLE] = 0;
    m.race[GICSIM_COST_HVC_HANDLE] = 1.0 / 6;
    m.race_floor = 60;
    gicsim_mb_config truth, base;
    gicsim_mb_config_init(&truth);
    truth.timing.cycles[GICSIM_COST_VCPU_KICK] = 900;
    truth.timing.cycles[GICSIM_COST_HVC_HANDLE] = 612;
    double meas[3];
    lin_figures(&m, &truth, three, 3, meas);
    gicsim_mb_config_init(&base);
    gicsim_calib_result r;
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, three_costs, 3, &r), GICSIM_OK);
    assert_true(r.converged);
    assert_true(r.iterations >= 2);
    assert_true(r.max_abs_rel_error < 0.001);
    assert_int_equal(r.timing.cycles[GICSIM_COST_HVC_HANDLE], 612);
    assert_true(fabs((double)r.timing.cycles[GICSIM_COST_VCPU_KICK] - 900) <= 2);
}

static void test_solver_active_constraint(void **state)
{
    (void)state;
    /* eoi measured below its fixed part (10 ns): icv_eoir_write cannot go
     * negative, so it stops at 0 and eoi keeps a residual; the others fit. */
    lin_model m;
    three_model(&m);
    gicsim_mb_config truth, base;
    gicsim_mb_config_init(&truth);
    double meas[3];
    lin_figures(&m, &truth, three, 3, meas);
    meas[1] = 8;
    gicsim_mb_config_init(&base);
    gicsim_calib_result r;
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, three_costs, 3, &r), GICSIM_OK);
    assert_int_equal(r.timing.cycles[GICSIM_COST_ICV_EOIR_WRITE], 0);
    assert_true(fabs(r.rel_error[1] - 0.25) < 1e-9); /* 10 ns for 8 */
    assert_true(fabs(r.max_abs_rel_error - 0.25) < 1e-9);
    assert_true(fabs(r.rel_error[0]) < 1e-3);
    /* ipi absorbs the lost eoi term through vcpu_kick. */
    assert_true(fabs(r.rel_error[2]) < 1e-3);
}

static void test_solver_rank(void **state)
{
    (void)state;
    lin_model m;
    three_model(&m);
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    double meas[3];
    lin_figures(&m, &base, three, 3, meas);
    gicsim_calib_result r;
    /* A cost no measured figure depends on. */
    const gicsim_cost_id none[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_DOORBELL};
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, none, 2, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "doorbell has no effect"));
    assert_int_equal(r.rank, 1);
    /* hvc_handle and exc_to_el2 move only hvc, in the same proportion. */
    const gicsim_cost_id same[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_ICV_EOIR_WRITE,
                                   GICSIM_COST_EXC_TO_EL2};
    m.coef[GICSIM_MB_IPI][GICSIM_COST_HVC_HANDLE] = 0;
    lin_figures(&m, &base, three, 3, meas);
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, same, 3, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "hvc_handle and exc_to_el2 are not separable"));
    /* More costs than figures. */
    const gicsim_cost_id four[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_ICV_EOIR_WRITE,
                                   GICSIM_COST_VCPU_KICK, GICSIM_COST_EXC_TO_EL2};
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, four, 4, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "4 costs cannot be fitted to 3"));
}

static void test_solver_errors(void **state)
{
    (void)state;
    lin_model m;
    three_model(&m);
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    double meas[3] = {300, 20, 700};
    gicsim_calib_result r;
    gicsim_mb_test bad[] = {GICSIM_MB_HVC, (gicsim_mb_test)42, GICSIM_MB_IPI};
    assert_int_equal(calib_fit(lin_run, &m, &base, bad, meas, 3, NULL, 0, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "unknown micro-bench test 42"));
    gicsim_mb_test twice[] = {GICSIM_MB_HVC, GICSIM_MB_EOI, GICSIM_MB_HVC};
    assert_int_equal(calib_fit(lin_run, &m, &base, twice, meas, 3, NULL, 0, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "hvc is given twice"));
    double zero[3] = {300, 0, 700}, nan3[3] = {300, NAN, 700};
    assert_int_equal(calib_fit(lin_run, &m, &base, three, zero, 3, NULL, 0, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "eoi"));
    assert_int_equal(calib_fit(lin_run, &m, &base, three, nan3, 3, NULL, 0, &r), GICSIM_E_INVAL);
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 0, NULL, 0, &r), GICSIM_E_INVAL);
    const gicsim_cost_id dup[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_HVC_HANDLE};
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, dup, 2, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "hvc_handle is given twice"));
    const gicsim_cost_id out_of_range[] = {GICSIM_COST__COUNT};
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, out_of_range, 1, &r),
                     GICSIM_E_INVAL);
    assert_int_equal(calib_fit(lin_run, &m, NULL, three, meas, 3, NULL, 0, &r), GICSIM_E_INVAL);
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, NULL, 0, NULL), GICSIM_E_INVAL);
    /* A model error stops the fit and names the test. */
    m.fail_test = GICSIM_MB_EOI;
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, NULL, 0, &r), GICSIM_E_STATE);
    assert_non_null(strstr(r.message, "simulating eoi failed"));
}

/* ---- MAP, identifiability, intervals, cross-validation (calib_fit_ex) ------------------ */

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, expected %.17g (+-%g)", got, want, tol);
}

/* calib_fit_ex that must succeed. */
static gicsim_calib_fit *fit_ex(lin_model *m, const gicsim_mb_config *base,
                                const gicsim_mb_test *tests, const double *meas, size_t n,
                                const gicsim_calib_options *o)
{
    gicsim_calib_fit *r = NULL;
    gicsim_status st = calib_fit_ex(lin_run, m, base, tests, meas, n, o, &r);
    assert_non_null(r);
    if (st != GICSIM_OK)
        fail_msg("calib_fit_ex: %s (%s)", r->message, gicsim_strerror(st));
    assert_string_equal(r->message, "");
    return r;
}

static const gicsim_calib_cost *free_cost(const gicsim_calib_fit *r, gicsim_cost_id c)
{
    for (size_t j = 0; j < r->n_free; j++)
        if (r->free[j].cost == c)
            return &r->free[j];
    fail_msg("%s is not free", gicsim_cost_name(c));
    return NULL;
}

static void prior_of(gicsim_cost_id c, const gicsim_mb_config *base, double *c0, double *sigma)
{
    uint64_t lo, hi;
    assert_int_equal(gicsim_cost_prior(c, &lo, &hi), GICSIM_OK);
    double v = (double)base->timing.cycles[c];
    *c0 = v < (double)lo ? (double)lo : v > (double)hi ? (double)hi : v;
    *sigma = (double)(hi - lo) / 4;
}

static void test_map_closed_form(void **state)
{
    (void)state;
    /* three_model with four free costs and three figures, Gaussian priors:
     * the MAP point is (A'WA + P)^-1 (A'W (m - offset) + P c0), the posterior covariance
     * (A'WA + P)^-1; nothing is active (the solution is positive). */
    lin_model m;
    three_model(&m);
    static const gicsim_cost_id four[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_ICV_EOIR_WRITE,
                                          GICSIM_COST_VCPU_KICK, GICSIM_COST_EXC_TO_EL2};
    const double meas[3] = {300, 25, 800}, unc[3] = {0.03, 0.05, 0.02};
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    double H[16] = {0}, rhs[4] = {0}, C[16], c0[4], sg[4];
    for (int a = 0; a < 4; a++) {
        prior_of(four[a], &base, &c0[a], &sg[a]);
        H[a * 4 + a] = 1 / (sg[a] * sg[a]);
        rhs[a] = c0[a] / (sg[a] * sg[a]);
    }
    for (int i = 0; i < 3; i++) {
        double w = 1 / (unc[i] * meas[i] * unc[i] * meas[i]);
        for (int a = 0; a < 4; a++) {
            rhs[a] += m.coef[three[i]][four[a]] * w * (meas[i] - m.offset[three[i]]);
            for (int b = 0; b < 4; b++)
                H[a * 4 + b] += m.coef[three[i]][four[a]] * w * m.coef[three[i]][four[b]];
        }
    }
    assert_int_equal(la_spd_inverse(H, 4, C), GICSIM_OK);
    double want[4];
    for (int a = 0; a < 4; a++) {
        want[a] = 0;
        for (int b = 0; b < 4; b++)
            want[a] += C[a * 4 + b] * rhs[b];
        assert_true(want[a] > 0);
    }
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.fit = four;
    o.n_fit = 4;
    o.uncertainty = unc;
    o.normal_priors = true; /* the closed form is the Gaussian one */
    gicsim_calib_fit *r = fit_ex(&m, &base, three, meas, 3, &o);
    assert_int_equal(r->method, GICSIM_CALIB_MAP);
    assert_int_equal(r->n_free, 4);
    assert_true(r->converged);
    for (int a = 0; a < 4; a++) {
        const gicsim_calib_cost *c = free_cost(r, four[a]);
        /* The integer point next to the optimum. */
        assert_near((double)c->cycles, want[a], 0.5 + 1e-6);
        assert_int_equal(r->timing.cycles[four[a]], c->cycles);
        assert_near(c->prior_centre, c0[a], 0);
        assert_near(c->prior_sigma, sg[a], 0);
        assert_near(c->posterior_sigma, sqrt(C[a * 4 + a]), 1e-9 * sqrt(C[a * 4 + a]));
        assert_near(c->determined, 1 - C[a * 4 + a] / (sg[a] * sg[a]), 1e-9);
        assert_true(c->seen);
    }
    /* The same with every cost free: the others stay at their centres. */
    o.fit = NULL;
    o.n_fit = 0;
    gicsim_calib_fit *all = fit_ex(&m, &base, three, meas, 3, &o);
    assert_int_equal(all->n_free, GICSIM_COST__COUNT);
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        double cc0, csg;
        prior_of((gicsim_cost_id)c, &base, &cc0, &csg);
        bool in_four = false;
        for (int a = 0; a < 4; a++)
            in_four |= four[a] == (gicsim_cost_id)c;
        if (in_four)
            assert_int_equal(all->timing.cycles[c], r->timing.cycles[c]);
        else
            assert_near((double)all->timing.cycles[c], cc0, 0);
    }
    assert_int_equal(all->n_seen, 4);
    gicsim_calib_fit_free(r);
    gicsim_calib_fit_free(all);
}

static void test_map_underdetermined(void **state)
{
    (void)state;
    /* One figure, hvc = (hvc_handle + exc_to_el2) / 3, three free
     * costs, Gaussian priors: Gaussian conditioning gives the answer, with g = (1/3, 1/3),
     * S = diag(sigma^2), t the figure's uncertainty in ns:
     *   c = c0 + S g (m - g'c0) / (g'Sg + t^2),
     *   post^2 = sigma^2 - (sigma^2 / 3)^2 / (g'Sg + t^2);
     * vcpu_kick, which no figure sees, stays at its centre with its prior. */
    lin_model m;
    lin_init(&m);
    m.coef[GICSIM_MB_HVC][GICSIM_COST_HVC_HANDLE] = 1.0 / 3;
    m.coef[GICSIM_MB_HVC][GICSIM_COST_EXC_TO_EL2] = 1.0 / 3;
    static const gicsim_cost_id fit[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_EXC_TO_EL2,
                                         GICSIM_COST_VCPU_KICK};
    const gicsim_mb_test hvc[] = {GICSIM_MB_HVC};
    const double meas[] = {200};
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.fit = fit;
    o.n_fit = 3;
    o.default_uncertainty = 0.04;
    o.normal_priors = true;
    gicsim_calib_fit *r = fit_ex(&m, &base, hvc, meas, 1, &o);
    double a0, sa, b0, sb, k0, sk;
    prior_of(fit[0], &base, &a0, &sa);
    prior_of(fit[1], &base, &b0, &sb);
    prior_of(fit[2], &base, &k0, &sk);
    double t = 0.04 * meas[0], gsg = (sa * sa + sb * sb) / 9, den = gsg + t * t;
    double innov = meas[0] - (a0 + b0) / 3;
    assert_near((double)free_cost(r, fit[0])->cycles, a0 + sa * sa / 3 * innov / den, 0.5);
    assert_near((double)free_cost(r, fit[1])->cycles, b0 + sb * sb / 3 * innov / den, 0.5);
    assert_near(free_cost(r, fit[0])->posterior_sigma, sqrt(sa * sa - pow(sa * sa / 3, 2) / den),
                1e-6);
    assert_near(free_cost(r, fit[1])->posterior_sigma, sqrt(sb * sb - pow(sb * sb / 3, 2) / den),
                1e-6);
    const gicsim_calib_cost *k = free_cost(r, fit[2]);
    assert_int_equal(k->cycles, (uint64_t)k0);
    assert_false(k->seen);
    assert_near(k->posterior_sigma, sk, 1e-9);
    assert_near(k->determined, 0, 1e-12);
    assert_int_equal(k->n_pins, 0);
    /* The report: 2 costs seen, rank 1, and they form one group. */
    assert_int_equal(r->n_seen, 2);
    assert_int_equal(r->rank, 1);
    assert_int_equal(r->n_groups, 1);
    assert_int_equal(free_cost(r, fit[0])->group, 1);
    assert_int_equal(free_cost(r, fit[1])->group, 1);
    assert_int_equal(k->group, 0);
    assert_int_equal(free_cost(r, fit[0])->n_pins, 1);
    assert_int_equal(free_cost(r, fit[0])->pin_test[0], GICSIM_MB_HVC);
    assert_near(free_cost(r, fit[0])->pin_share[0], 1, 1e-12);
    gicsim_calib_fit_free(r);
}

static void test_map_lognormal(void **state)
{
    (void)state;
    /* The default priors: log-normal for costs whose range starts above 0,
     * ln c ~ N(ln c0, lsig^2) with lsig = ln(hi / lo) / 4. The fit is the
     * minimum of
     *   F(c) = sum_i ((A c + offset - m)_i / t_i)^2 + sum_j ((ln c_j - ln c0_j) / lsig_j)^2,
     * so at the continuous optimum c* the gradient vanishes; at the integer
     * point returned, c* + d with |d_k| <= 1/2, each component of the
     * gradient is at most sum_k |H_jk| / 2 (H the Hessian). The prior pulls
     * in ratios: a cost twice its centre costs what half of it does. */
    lin_model m;
    three_model(&m);
    static const gicsim_cost_id four[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_ICV_EOIR_WRITE,
                                          GICSIM_COST_VCPU_KICK, GICSIM_COST_EXC_TO_EL2};
    const double meas[3] = {300, 25, 800}, unc[3] = {0.03, 0.05, 0.02};
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.fit = four;
    o.n_fit = 4;
    o.uncertainty = unc;
    gicsim_calib_fit *r = fit_ex(&m, &base, three, meas, 3, &o);
    assert_true(r->converged);
    double c[4], c0[4], ls[4], g[4] = {0}, H[16] = {0};
    for (int a = 0; a < 4; a++) {
        const gicsim_calib_cost *fc = free_cost(r, four[a]);
        uint64_t lo, hi;
        assert_int_equal(gicsim_cost_prior(four[a], &lo, &hi), GICSIM_OK);
        assert_true(lo > 0);
        assert_true(fc->prior_log);
        c[a] = (double)fc->cycles;
        c0[a] = fc->prior_centre;
        ls[a] = log((double)hi / (double)lo) / 4;
        if (ls[a] < 0.05)
            ls[a] = 0.05;
        assert_near(fc->prior_sigma, c0[a] * ls[a], 1e-9 * c0[a]);
        double x = log(c[a] / c0[a]);
        g[a] = 2 * x / (ls[a] * ls[a] * c[a]);
        H[a * 4 + a] = 2 * (1 - x) / (ls[a] * ls[a] * c[a] * c[a]);
    }
    for (int i = 0; i < 3; i++) {
        double res = m.offset[three[i]] - meas[i], t = unc[i] * meas[i];
        for (int a = 0; a < 4; a++)
            res += m.coef[three[i]][four[a]] * c[a];
        for (int a = 0; a < 4; a++) {
            g[a] += 2 * m.coef[three[i]][four[a]] * res / (t * t);
            for (int b = 0; b < 4; b++)
                H[a * 4 + b] += 2 * m.coef[three[i]][four[a]] * m.coef[three[i]][four[b]] / (t * t);
        }
    }
    for (int a = 0; a < 4; a++) {
        double bound = 0;
        for (int b = 0; b < 4; b++)
            bound += fabs(H[a * 4 + b]) / 2;
        if (!(fabs(g[a]) <= bound * 1.01 + 1e-12))
            fail_msg("%s: gradient %g at the fit, more than rounding allows (%g)",
                     gicsim_cost_name(four[a]), g[a], bound);
    }
    /* The Gaussian fit of the same problem differs: the shape matters. */
    o.normal_priors = true;
    gicsim_calib_fit *n = fit_ex(&m, &base, three, meas, 3, &o);
    bool differs = false;
    for (int a = 0; a < 4; a++) {
        assert_false(free_cost(n, four[a])->prior_log);
        differs |= free_cost(n, four[a])->cycles != free_cost(r, four[a])->cycles;
    }
    assert_true(differs);
    gicsim_calib_fit_free(r);
    gicsim_calib_fit_free(n);
}

static void test_map_identifiability(void **state)
{
    (void)state;
    /* three_model without hvc_handle on ipi's path: hvc_handle and
     * exc_to_el2 are seen by hvc alone (exc_to_el2 at twice the
     * weight: still proportional), so the figures cannot separate them.
     * Four costs are seen; three figures: rank 3. */
    lin_model m;
    three_model(&m);
    m.coef[GICSIM_MB_IPI][GICSIM_COST_HVC_HANDLE] = 0;
    m.coef[GICSIM_MB_HVC][GICSIM_COST_EXC_TO_EL2] = 2.0 / 3;
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    const double meas[3] = {180, 25, 800};
    gicsim_calib_fit *r = fit_ex(&m, &base, three, meas, 3, NULL);
    assert_int_equal(r->n_free, GICSIM_COST__COUNT);
    assert_int_equal(r->n_seen, 4);
    assert_int_equal(r->rank, 3);
    assert_int_equal(r->n_groups, 1);
    assert_int_equal(free_cost(r, GICSIM_COST_HVC_HANDLE)->group, 1);
    assert_int_equal(free_cost(r, GICSIM_COST_EXC_TO_EL2)->group, 1);
    assert_int_equal(free_cost(r, GICSIM_COST_ICV_EOIR_WRITE)->group, 0);
    assert_int_equal(free_cost(r, GICSIM_COST_VCPU_KICK)->group, 0);
    assert_true(free_cost(r, GICSIM_COST_ICV_EOIR_WRITE)->seen);
    assert_false(free_cost(r, GICSIM_COST_DOORBELL)->seen);
    /* eoi alone pins icv_eoir_write's estimate (ipi's figure has vcpu_kick
     * of its own to absorb it); hvc pins the pair. */
    const gicsim_calib_cost *e = free_cost(r, GICSIM_COST_ICV_EOIR_WRITE);
    assert_true(e->n_pins >= 1);
    assert_int_equal(e->pin_test[0], GICSIM_MB_EOI);
    assert_int_equal(free_cost(r, GICSIM_COST_HVC_HANDLE)->pin_test[0], GICSIM_MB_HVC);
    assert_int_equal(free_cost(r, GICSIM_COST_VCPU_KICK)->pin_test[0], GICSIM_MB_IPI);
    /* The priors split what hvc pins in proportion to sigma^2 * weight. */
    assert_true(free_cost(r, GICSIM_COST_HVC_HANDLE)->determined > 0.1);
    gicsim_calib_fit_free(r);
    /* The exact fit of the pair is refused before fitting, as before. */
    static const gicsim_cost_id pair[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_EXC_TO_EL2};
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.method = GICSIM_CALIB_EXACT;
    o.fit = pair;
    o.n_fit = 2;
    gicsim_calib_fit *x = NULL;
    assert_int_equal(calib_fit_ex(lin_run, &m, &base, three, meas, 3, &o, &x), GICSIM_E_INVAL);
    assert_non_null(strstr(x->message, "hvc_handle and exc_to_el2 are not separable"));
    gicsim_calib_fit_free(x);
}

static void test_intervals_hand(void **state)
{
    (void)state;
    /* hvc = hvc_handle / 3 measured at the middle of hvc_handle's range
     * (M = (lo + hi) / 6 ns) +-3%: hvc_handle in [3 M 0.97, 3 M 1.03];
     * ipi = 500 + vcpu_kick / 3 + hvc_handle / 6 is not measured, vcpu_kick
     * anywhere in its range [klo, khi]: ipi in [500 + klo/3 + M 0.97 / 2,
     * 500 + khi/3 + M 1.03 / 2]; hvc's own interval is M +- 3%. */
    lin_model m;
    lin_init(&m);
    m.coef[GICSIM_MB_HVC][GICSIM_COST_HVC_HANDLE] = 1.0 / 3;
    m.offset[GICSIM_MB_IPI] = 500;
    m.coef[GICSIM_MB_IPI][GICSIM_COST_VCPU_KICK] = 1.0 / 3;
    m.coef[GICSIM_MB_IPI][GICSIM_COST_HVC_HANDLE] = 1.0 / 6;
    static const gicsim_cost_id fit[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_VCPU_KICK};
    const gicsim_mb_test hvc[] = {GICSIM_MB_HVC}, ipi[] = {GICSIM_MB_IPI};
    uint64_t hlo, hhi, klo, khi;
    gicsim_cost_prior(GICSIM_COST_HVC_HANDLE, &hlo, &hhi);
    gicsim_cost_prior(GICSIM_COST_VCPU_KICK, &klo, &khi);
    const double M = (double)(hlo + hhi) / 6;
    assert_true(3 * M * 0.97 >= (double)hlo && 3 * M * 1.03 <= (double)hhi);
    double meas[] = {M};
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.fit = fit;
    o.n_fit = 2;
    o.predict = ipi;
    o.n_predict = 1;
    gicsim_calib_fit *r = fit_ex(&m, &base, hvc, meas, 1, &o);
    assert_int_equal(r->n_measured, 1);
    assert_int_equal(r->n_figures, 2);
    assert_true(r->figure[0].measured && r->figure[0].has_interval);
    assert_near(r->figure[0].lo_ns, M * 0.97, 1e-6);
    assert_near(r->figure[0].hi_ns, M * 1.03, 1e-6);
    const gicsim_calib_figure *g = &r->figure[1];
    assert_int_equal(g->test, GICSIM_MB_IPI);
    assert_false(g->measured);
    assert_true(g->has_interval);
    assert_near(g->lo_ns, 500 + (double)klo / 3 + M * 0.97 / 2, 1e-6);
    assert_near(g->hi_ns, 500 + (double)khi / 3 + M * 1.03 / 2, 1e-6);
    assert_true(g->lo_ns <= g->simulated_ns && g->simulated_ns <= g->hi_ns);
    gicsim_calib_fit_free(r);
    /* A figure the prior ranges cannot reach (six times hvc_handle's
     * upper end): the fit leaves the range, the interval is widened to
     * contain it and the simulated figures. */
    meas[0] = 2.0 * (double)hhi;
    r = fit_ex(&m, &base, hvc, meas, 1, &o);
    assert_true(r->free[0].cycles > hhi);
    for (size_t i = 0; i < r->n_figures; i++)
        assert_true(r->figure[i].lo_ns <= r->figure[i].simulated_ns &&
                    r->figure[i].simulated_ns <= r->figure[i].hi_ns);
    gicsim_calib_fit_free(r);
    /* No intervals asked: no prediction rows. */
    o.intervals = false;
    r = fit_ex(&m, &base, hvc, meas, 1, &o);
    assert_int_equal(r->n_figures, 1);
    assert_false(r->figure[0].has_interval);
    gicsim_calib_fit_free(r);
}

/* hvc, eoi, ipi, lpi as sums of three shared costs a, b, c (ns = cycles / 3):
 * a + b, b + c, a + c, a + b + c. Any three figures determine the costs. */
static void shared_sum_model(lin_model *m, const gicsim_cost_id *abc)
{
    lin_init(m);
    const gicsim_mb_test t[] = {GICSIM_MB_HVC, GICSIM_MB_EOI, GICSIM_MB_IPI, GICSIM_MB_LPI};
    const int uses[4][3] = {{1, 1, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 1}};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 3; k++)
            m->coef[t[i]][abc[k]] = uses[i][k] / 3.0;
}

static void test_cross_validation(void **state)
{
    (void)state;
    static const gicsim_cost_id abc[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_VCPU_KICK,
                                         GICSIM_COST_SGI_DISPATCH};
    const gicsim_mb_test tests[] = {GICSIM_MB_HVC, GICSIM_MB_EOI, GICSIM_MB_IPI, GICSIM_MB_LPI};
    lin_model m;
    shared_sum_model(&m, abc);
    gicsim_mb_config truth, base;
    gicsim_mb_config_init(&truth);
    truth.timing.cycles[abc[0]] = 612;
    truth.timing.cycles[abc[1]] = 450;
    truth.timing.cycles[abc[2]] = 900;
    double meas[4];
    lin_figures(&m, &truth, tests, 4, meas);
    gicsim_mb_config_init(&base);
    /* Exact fit of the three: each held-out figure is predicted exactly. */
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.method = GICSIM_CALIB_EXACT;
    o.fit = abc;
    o.n_fit = 3;
    o.cross_validate = true;
    gicsim_calib_fit *r = fit_ex(&m, &base, tests, meas, 4, &o);
    assert_int_equal(r->n_cv, 4);
    assert_int_equal(r->cv_ok, 4);
    for (int k = 0; k < 4; k++) {
        const gicsim_calib_cv *c = &r->cv[k];
        assert_int_equal(c->test, tests[k]);
        assert_int_equal(c->status, GICSIM_OK);
        assert_near(c->measured_ns, meas[k], 0);
        assert_near(c->predicted_ns, meas[k], 1e-9);
        assert_near(c->rel_error, 0, 1e-12);
        assert_true(c->has_interval && c->lo_ns <= c->predicted_ns && c->predicted_ns <= c->hi_ns);
    }
    assert_near(r->cv_mean_abs_error, 0, 1e-12);
    gicsim_calib_fit_free(r);
    /* MAP with 0.01% figures: the priors hardly pull; same predictions. */
    o.method = GICSIM_CALIB_MAP;
    o.fit = NULL;
    o.n_fit = 0;
    o.default_uncertainty = 1e-4;
    r = fit_ex(&m, &base, tests, meas, 4, &o);
    assert_int_equal(r->cv_ok, 4);
    for (int k = 0; k < 4; k++)
        assert_true(fabs(r->cv[k].rel_error) < 1e-3);
    assert_true(r->cv_mean_abs_error < 1e-3);
    for (int k = 0; k < 3; k++)
        assert_int_equal(r->timing.cycles[abc[k]], truth.timing.cycles[abc[k]]);
    gicsim_calib_fit_free(r);
    /* Exact with as many costs as figures: every fold is refused (and the
     * call still succeeds). */
    o.method = GICSIM_CALIB_EXACT;
    o.fit = abc;
    o.n_fit = 3;
    r = fit_ex(&m, &base, tests, meas, 3, &o);
    assert_int_equal(r->n_cv, 3);
    assert_int_equal(r->cv_ok, 0);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(r->cv[k].status, GICSIM_E_INVAL);
        assert_non_null(strstr(r->cv[k].message, "3 costs cannot be fitted to the other 2"));
    }
    gicsim_calib_fit_free(r);
}

static void test_facts(void **state)
{
    (void)state;
    lin_model m;
    three_model(&m);
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    const double meas[3] = {300, 25, 800};
    static const gicsim_cost_id fact[] = {GICSIM_COST_VCPU_KICK};
    static const uint64_t cycles[] = {999};
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.fact = fact;
    o.fact_cycles = cycles;
    o.n_facts = 1;
    o.intervals = false;
    gicsim_calib_fit *r = fit_ex(&m, &base, three, meas, 3, &o);
    assert_int_equal(r->timing.cycles[GICSIM_COST_VCPU_KICK], 999);
    assert_int_equal(r->n_free, GICSIM_COST__COUNT - 1);
    for (size_t j = 0; j < r->n_free; j++)
        assert_int_not_equal(r->free[j].cost, GICSIM_COST_VCPU_KICK);
    assert_int_equal(r->n_facts, 1);
    assert_int_equal(r->fact[0], GICSIM_COST_VCPU_KICK);
    gicsim_calib_fit_free(r);
}

static void test_ex_errors(void **state)
{
    (void)state;
    lin_model m;
    three_model(&m);
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    const double meas[3] = {300, 25, 800};
    static const struct {
        int kind; /* what to break */
        const char *msg;
    } cases[] = {
        {0, "eoi: the measured figure must be a number > 0"},
        {1, "eoi: the uncertainty must be a fraction in (0, 1], got 0"},
        {2, "eoi: the uncertainty must be a fraction in (0, 1], got nan"},
        {3, "the default uncertainty must be a fraction"},
        {4, "fact 0: unknown cost"},
        {5, "cost vcpu_kick is a fact and fitted"},
        {6, "fact vcpu_kick is given twice"},
        {7, "unknown method 7"},
        {8, "prediction 0: unknown micro-bench test"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double ms[3] = {300, 25, 800}, unc[3] = {0.03, 0.03, 0.03};
        gicsim_calib_options o;
        gicsim_calib_options_init(&o);
        static const gicsim_cost_id kick[] = {GICSIM_COST_VCPU_KICK},
                                    twice[] = {GICSIM_COST_VCPU_KICK, GICSIM_COST_VCPU_KICK},
                                    bad[] = {GICSIM_COST__COUNT};
        static const uint64_t cyc[] = {1, 2};
        static const gicsim_mb_test bad_test[] = {GICSIM_MB__COUNT};
        o.fact_cycles = cyc;
        switch (cases[k].kind) {
        case 0:
            ms[1] = NAN;
            break;
        case 1:
            unc[1] = 0;
            o.uncertainty = unc;
            break;
        case 2:
            unc[1] = NAN;
            o.uncertainty = unc;
            break;
        case 3:
            o.default_uncertainty = 2;
            break;
        case 4:
            o.fact = bad;
            o.n_facts = 1;
            break;
        case 5:
            o.fact = kick;
            o.n_facts = 1;
            o.fit = kick;
            o.n_fit = 1;
            break;
        case 6:
            o.fact = twice;
            o.n_facts = 2;
            break;
        case 7:
            o.method = (gicsim_calib_method)7;
            break;
        default:
            o.predict = bad_test;
            o.n_predict = 1;
            break;
        }
        gicsim_calib_fit *r = NULL;
        assert_int_equal(calib_fit_ex(lin_run, &m, &base, three, ms, 3, &o, &r), GICSIM_E_INVAL);
        assert_non_null(r);
        if (!strstr(r->message, cases[k].msg))
            fail_msg("case %zu: \"%s\", expected \"%s\"", k, r->message, cases[k].msg);
        gicsim_calib_fit_free(r);
    }
    /* Every cost a fact: nothing to fit. */
    gicsim_cost_id all[GICSIM_COST__COUNT];
    uint64_t cyc[GICSIM_COST__COUNT];
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        all[c] = (gicsim_cost_id)c;
        cyc[c] = 100;
    }
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.fact = all;
    o.fact_cycles = cyc;
    o.n_facts = GICSIM_COST__COUNT;
    gicsim_calib_fit *r = NULL;
    assert_int_equal(calib_fit_ex(lin_run, &m, &base, three, meas, 3, &o, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r->message, "every cost is a fact"));
    gicsim_calib_fit_free(r);
    assert_int_equal(calib_fit_ex(lin_run, &m, &base, three, meas, 3, NULL, NULL), GICSIM_E_INVAL);
    /* A model error: the message names the test. */
    m.fail_test = GICSIM_MB_IPI;
    assert_int_equal(calib_fit_ex(lin_run, &m, &base, three, meas, 3, NULL, &r), GICSIM_E_STATE);
    assert_non_null(strstr(r->message, "simulating ipi failed"));
    gicsim_calib_fit_free(r);
    gicsim_calib_fit_free(NULL);
}

/* ---- The simulator: round trip ------------------------------------------------------- */

static gicsim_platform *load_platform(const char *name_or_path)
{
    gicsim_platform *p = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_platform_load(name_or_path, &p, &d);
    if (st != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    return p;
}

static void round_trip(const gicsim_mb_config *truth, const char *label)
{
    gicsim_mb_test tests[GICSIM_MB__COUNT];
    double meas[GICSIM_MB__COUNT];
    for (int t = 0; t < GICSIM_MB__COUNT; t++) {
        gicsim_mb_result res;
        memset(&res, 0, sizeof res);
        tests[t] = (gicsim_mb_test)t;
        assert_int_equal(gicsim_mb_run(truth, tests[t], &res), GICSIM_OK);
        meas[t] = res.value_ns;
        gicsim_mb_result_free(&res);
        assert_true(meas[t] > 0);
    }
    /* Start from the truth with every default fitted cost doubled (a cost
     * at 0 starts at 100 cycles). */
    gicsim_mb_config base = *truth;
    for (int t = 0; t < GICSIM_MB__COUNT; t++) {
        gicsim_cost_id c = gicsim_calib_default_cost((gicsim_mb_test)t);
        uint64_t v = truth->timing.cycles[c];
        base.timing.cycles[c] = v ? 2 * v : 100;
    }
    gicsim_calib_result *r = malloc(sizeof *r);
    assert_non_null(r);
    gicsim_status st = gicsim_calibrate(&base, tests, meas, GICSIM_MB__COUNT, NULL, 0, r);
    if (st != GICSIM_OK)
        fail_msg("%s: %s (%s)", label, r->message, gicsim_strerror(st));
    assert_int_equal(r->n_fit, GICSIM_MB__COUNT);
    assert_int_equal(r->rank, GICSIM_MB__COUNT);
    assert_true(r->converged);
    for (size_t j = 0; j < r->n_fit; j++) {
        double want = (double)truth->timing.cycles[r->fit[j]];
        double got = (double)r->timing.cycles[r->fit[j]];
        if (fabs(got - want) > 0.01 * want + 0.5)
            fail_msg("%s: %s fitted to %.0f cycles, truth %.0f", label, gicsim_cost_name(r->fit[j]),
                     got, want);
    }
    for (int t = 0; t < GICSIM_MB__COUNT; t++)
        if (fabs(r->rel_error[t]) > 0.01)
            fail_msg("%s: %s simulates to %.2f ns, measured %.2f", label,
                     gicsim_mb_test_name(tests[t]), r->simulated_ns[t], meas[t]);
    free(r);
}

static void test_round_trip(void **state)
{
    (void)state;
    const char *path = GICSIM_PRESET_DIR "/ampere-altra-kvm-vhe.yaml";
    FILE *f = fopen(path, "r");
    if (f)
        fclose(f);
    else
        path = GICSIM_PRESET_DIR "/generic.yaml";
    gicsim_platform *p = load_platform(path);
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(p, &cfg);
    round_trip(&cfg, gicsim_platform_name(p));
    gicsim_platform_free(p);
}

/* Every shipped calibrated preset is a fixed point of its own fit: its
 * measured tests simulated with the preset, fitted the way the preset says
 * (MAP: every cost of `fitted` with its prior centred on the preset itself
 * and the preset's uncertainties; exact: from a base in which the fit set
 * is doubled) give back the preset's costs (within 1%) and its figures. A
 * MAP preset with a cost beyond its plausible range is not one (the prior
 * centre is clamped into the range): its re-fit must still give back each
 * figure within the figure's uncertainty. */
static void test_round_trip_presets(void **state)
{
    (void)state;
    static const char *const presets[] = {"ampere-altra-kvm-vhe", "neoverse-n1-kvm-vhe",
                                          "kunpeng-920-kvm-vhe",  "phytium-s2500-kvm-nonvhe",
                                          "jetson-xavier-nx-vhe", "xgene-kvm-nonvhe"};
    for (size_t k = 0; k < sizeof presets / sizeof presets[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.yaml", GICSIM_PRESET_DIR, presets[k]);
        gicsim_platform *p = load_platform(path);
        gicsim_mb_config truth, base;
        gicsim_platform_mb_config(p, &truth);
        size_t n = gicsim_platform_measured_count(p), nf = gicsim_platform_fitted_count(p);
        bool map = gicsim_platform_fitted_with_priors(p);
        assert_true(n > 0 && nf > 0 && (map || nf <= n));
        gicsim_mb_test tests[GICSIM_MB__COUNT];
        double meas[GICSIM_MB__COUNT], unc[GICSIM_MB__COUNT];
        for (size_t i = 0; i < n; i++) {
            gicsim_mb_result res;
            memset(&res, 0, sizeof res);
            tests[i] = gicsim_platform_measured_test(p, i);
            unc[i] = gicsim_platform_measured_uncertainty(p, i);
            assert_int_equal(gicsim_mb_run(&truth, tests[i], &res), GICSIM_OK);
            meas[i] = res.value_ns;
            gicsim_mb_result_free(&res);
        }
        gicsim_cost_id fit[GICSIM_COST__COUNT];
        base = truth;
        for (size_t j = 0; j < nf; j++) {
            fit[j] = gicsim_platform_fitted_cost(p, j);
            if (!map)
                base.timing.cycles[fit[j]] = 2 * truth.timing.cycles[fit[j]] + 100;
        }
        gicsim_calib_options o;
        gicsim_calib_options_init(&o);
        o.method = map ? GICSIM_CALIB_MAP : GICSIM_CALIB_EXACT;
        o.fit = fit;
        o.n_fit = nf;
        o.uncertainty = unc;
        o.intervals = false;
        gicsim_calib_fit *r = NULL;
        gicsim_status st = gicsim_calibrate_ex(&base, tests, meas, n, &o, &r);
        if (st != GICSIM_OK)
            fail_msg("%s: %s (%s)", presets[k], r ? r->message : "", gicsim_strerror(st));
        bool in_range = true;
        for (size_t j = 0; j < nf; j++) {
            uint64_t lo, hi;
            assert_int_equal(gicsim_cost_prior(fit[j], &lo, &hi), GICSIM_OK);
            in_range &= truth.timing.cycles[fit[j]] >= lo && truth.timing.cycles[fit[j]] <= hi;
        }
        for (size_t j = 0; j < nf && (in_range || !map); j++) {
            double want = (double)truth.timing.cycles[fit[j]];
            double got = (double)r->timing.cycles[fit[j]];
            if (fabs(got - want) > 0.01 * want + 0.5)
                fail_msg("%s: %s fitted to %.0f cycles, the preset has %.0f", presets[k],
                         gicsim_cost_name(fit[j]), got, want);
        }
        for (size_t i = 0; i < n; i++) {
            double tol = in_range || !map ? 0.01 : unc[i];
            if (!(fabs(r->figure[i].rel_error) <= tol))
                fail_msg("%s: %s off by %.2f%% after the re-fit", presets[k],
                         gicsim_mb_test_name(tests[i]), 100 * r->figure[i].rel_error);
        }
        gicsim_calib_fit_free(r);
        gicsim_platform_free(p);
    }
}

static void test_round_trip_nvhe(void **state)
{
    (void)state;
    gicsim_mb_config cfg;
    gicsim_mb_config_init(&cfg);
    cfg.vhe = false;
    round_trip(&cfg, "generic, nVHE");
}

static void test_simulator_errors(void **state)
{
    (void)state;
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    gicsim_calib_result r;
    const gicsim_mb_test bad[] = {GICSIM_MB__COUNT};
    const double one[] = {300};
    assert_int_equal(gicsim_calibrate(&base, bad, one, 1, NULL, 0, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "unknown micro-bench test"));
    /* doorbell is on no kvm-unit-tests path (vCPU 1 stays resident). */
    const gicsim_mb_test hvc[] = {GICSIM_MB_HVC};
    const gicsim_cost_id doorbell[] = {GICSIM_COST_DOORBELL};
    assert_int_equal(gicsim_calibrate(&base, hvc, one, 1, doorbell, 1, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "doorbell has no effect on any measured test (hvc)"));
    /* hvc_handle and icc_sysreg (the HVC instruction) are both on hvc's path
     * and on none of eoi's: hvc and eoi cannot tell them apart. */
    const gicsim_mb_test two[] = {GICSIM_MB_HVC, GICSIM_MB_EOI};
    const double meas2[] = {306, 14};
    const gicsim_cost_id pair[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_ICC_SYSREG};
    assert_int_equal(gicsim_calibrate(&base, two, meas2, 2, pair, 2, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "hvc_handle and icc_sysreg are not separable"));
    assert_int_equal(r.rank, 1);
    /* A platform the simulator refuses: the error is passed on. */
    base.timing.clock_hz[GICSIM_CLK_CPU] = 0;
    assert_int_equal(gicsim_calibrate(&base, hvc, one, 1, NULL, 0, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "simulating hvc failed"));
}

/* A MAP fit of generic's own figures from generic: every prior is centred
 * on the truth and the data agree, so nothing moves; every interval holds
 * its figure. */
static void test_map_generic_self(void **state)
{
    (void)state;
    gicsim_mb_config cfg;
    gicsim_mb_config_init(&cfg);
    const gicsim_mb_test tests[] = {GICSIM_MB_HVC, GICSIM_MB_EOI, GICSIM_MB_IPI, GICSIM_MB_LPI};
    double meas[4];
    for (int i = 0; i < 4; i++) {
        gicsim_mb_result res;
        memset(&res, 0, sizeof res);
        assert_int_equal(gicsim_mb_run(&cfg, tests[i], &res), GICSIM_OK);
        meas[i] = res.value_ns;
        gicsim_mb_result_free(&res);
    }
    gicsim_calib_fit *r = NULL;
    gicsim_status st = gicsim_calibrate_ex(&cfg, tests, meas, 4, NULL, &r);
    if (st != GICSIM_OK)
        fail_msg("%s", r ? r->message : gicsim_strerror(st));
    for (int c = 0; c < GICSIM_COST__COUNT; c++)
        if (r->timing.cycles[c] != cfg.timing.cycles[c])
            fail_msg("%s moved from %llu to %llu", gicsim_cost_name((gicsim_cost_id)c),
                     (unsigned long long)cfg.timing.cycles[c],
                     (unsigned long long)r->timing.cycles[c]);
    assert_true(r->max_abs_rel_error < 1e-12);
    assert_true(r->n_seen > 0 && r->rank <= 4 && r->rank >= 1);
    assert_int_equal(r->n_figures, GICSIM_MB__COUNT);
    for (size_t i = 0; i < r->n_figures; i++) {
        const gicsim_calib_figure *g = &r->figure[i];
        assert_true(g->has_interval);
        if (!(g->lo_ns <= g->simulated_ns && g->simulated_ns <= g->hi_ns))
            fail_msg("%s: %.3f outside [%.3f, %.3f]", gicsim_mb_test_name(g->test), g->simulated_ns,
                     g->lo_ns, g->hi_ns);
    }
    assert_true(r->model_runs > 0);
    gicsim_calib_fit_free(r);
}

/* The analysis of a shipped preset at its own costs: the figures determine
 * as many combinations of the fit set as there are figures (MAP; exact: the
 * whole fit set) and each measured figure's interval is its measurement
 * +- 3%. */
static void test_analyse_preset(void **state)
{
    (void)state;
    gicsim_platform *p = load_platform(GICSIM_PRESET_DIR "/xgene-kvm-nonvhe.yaml");
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(p, &cfg);
    size_t n = gicsim_platform_measured_count(p), nf = gicsim_platform_fitted_count(p);
    gicsim_mb_test tests[GICSIM_MB__COUNT];
    double meas[GICSIM_MB__COUNT];
    gicsim_cost_id fit[GICSIM_COST__COUNT];
    for (size_t i = 0; i < n; i++) {
        tests[i] = gicsim_platform_measured_test(p, i);
        meas[i] = gicsim_platform_measured_ns(p, i);
    }
    for (size_t j = 0; j < nf; j++)
        fit[j] = gicsim_platform_fitted_cost(p, j);
    const gicsim_mb_test pred[] = {GICSIM_MB_EOI};
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.method = gicsim_platform_fitted_with_priors(p) ? GICSIM_CALIB_MAP : GICSIM_CALIB_EXACT;
    o.analyse_only = true;
    o.fit = fit;
    o.n_fit = nf;
    o.predict = pred;
    o.n_predict = 1;
    gicsim_calib_fit *r = NULL;
    gicsim_status st = gicsim_calibrate_ex(&cfg, tests, meas, n, &o, &r);
    if (st != GICSIM_OK)
        fail_msg("%s", r ? r->message : gicsim_strerror(st));
    assert_true(r->analysed_only);
    assert_int_equal(r->iterations, 0);
    for (size_t j = 0; j < nf; j++)
        assert_int_equal(r->free[j].cycles, cfg.timing.cycles[fit[j]]);
    assert_int_equal(r->rank, o.method == GICSIM_CALIB_MAP ? n : nf);
    assert_int_equal(r->n_figures, n + 1);
    for (size_t i = 0; i < n; i++) {
        assert_true(r->figure[i].lo_ns <= meas[i] && meas[i] <= r->figure[i].hi_ns);
        assert_true(r->figure[i].hi_ns <= meas[i] * 1.03 + 1e-6);
    }
    assert_true(r->figure[n].has_interval && r->figure[n].test == GICSIM_MB_EOI);
    gicsim_calib_fit_free(r);
    gicsim_platform_free(p);
}

/* ---- Measured figures from files ------------------------------------------------------ */

static const char *tmp_file(const char *name, const char *text)
{
    static char path[4][1024];
    static int next;
    char *p = path[next++ % 4];
    if (mkdir(GICSIM_TEST_TMP, 0777) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", GICSIM_TEST_TMP, strerror(errno));
    snprintf(p, sizeof path[0], "%s/%s", GICSIM_TEST_TMP, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return p;
}

/* One result line the way arm/micro-bench prints it. */
static void kut_line(char *buf, size_t size, const char *name, unsigned long total, unsigned tf,
                     unsigned long avg, unsigned af)
{
    size_t l = strlen(buf);
    snprintf(buf + l, size - l, "%-30s%15lu.%-15u%15lu.%-15u\r\n", name, total, tf, avg, af);
}

static void test_measured_kvm_unit_tests(void **state)
{
    (void)state;
    char log[4096] = "/usr/bin/qemu-system-aarch64 -machine virt -cpu host -smp 2 ...\r\n"
                     "Timer Frequency 25000000 Hz (Output in microseconds)\r\n\r\n";
    size_t l = strlen(log);
    snprintf(log + l, sizeof log - l, "%-30s%18s%13s%18s%13s\r\n", "name", "total ns", "", "avg ns",
             "");
    strcat(log, "----------------------------------------------------------------------------\r\n");
    kut_line(log, sizeof log, "hvc", 20054016, 0, 306, 0);
    kut_line(log, sizeof log, "mmio_read_user", 110297088, 3, 1683, 0);
    kut_line(log, sizeof log, "eoi", 917504, 0, 14, 5);
    strcat(log, "ipi_hw test skipped\r\n");
    kut_line(log, sizeof log, "some_new_test", 1000, 0, 10, 0);
    kut_line(log, sizeof log, "lpi", 142802944, 0, 2179, 0);
    strcat(log, "EXIT: STATUS=1\r\n");
    gicsim_calib_measured m;
    gicsim_diag d;
    gicsim_status st = gicsim_calib_measured_load(tmp_file("kut.log", log), &m, &d);
    if (st != GICSIM_OK)
        fail_msg("%s:%u: %s: %s", d.file, d.line, d.key, d.message);
    assert_true(m.kvm_unit_tests);
    assert_string_equal(m.reference, "");
    assert_int_equal(m.n, 4);
    assert_int_equal(m.n_ignored, 1);
    assert_int_equal(m.test[0], GICSIM_MB_HVC);
    assert_true(m.ns[0] == 306.0);
    assert_int_equal(m.test[1], GICSIM_MB_MMIO_READ_USER);
    assert_true(m.ns[1] == 1683.0);
    assert_int_equal(m.test[2], GICSIM_MB_EOI);
    assert_true(m.ns[2] == 14.5);
    assert_int_equal(m.test[3], GICSIM_MB_LPI);

    /* A damaged result line: file, line and the test's name. */
    char bad[1024] = "";
    kut_line(bad, sizeof bad, "hvc", 20054016, 0, 306, 0);
    strcat(bad, "mmio_read_user   110297088.0   oops\n");
    assert_int_equal(gicsim_calib_measured_load(tmp_file("bad.log", bad), &m, &d), GICSIM_E_PARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 1);
    assert_string_equal(d.key, "mmio_read_user");
    assert_non_null(strstr(d.message, "malformed result line"));
    assert_int_equal(m.n, 0);
    /* Two runs in one file. */
    char twice[1024] = "";
    kut_line(twice, sizeof twice, "hvc", 20054016, 0, 306, 0);
    kut_line(twice, sizeof twice, "hvc", 20054016, 0, 307, 0);
    assert_int_equal(gicsim_calib_measured_load(tmp_file("twice.log", twice), &m, &d),
                     GICSIM_E_PARSE);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.message, "first is on line 1"));
    /* Only tests gicsim does not model. */
    char other[1024] = "name    total ns    avg ns\n";
    kut_line(other, sizeof other, "some_new_test", 1000, 0, 10, 0);
    assert_int_equal(gicsim_calib_measured_load(tmp_file("other.log", other), &m, &d),
                     GICSIM_E_PARSE);
    assert_non_null(strstr(d.message, "no result line"));
}

static void test_measured_yaml(void **state)
{
    (void)state;
    gicsim_calib_measured m;
    gicsim_diag d;
    const char *ok = "reference: \"GIC-NOTES \xc2\xa7"
                     "3: kvm-unit-tests, Ampere Altra\"\n"
                     "measured:\n  lpi: 2179\n  eoi: 14.25\n  timer_vm: 1.5e3\n";
    gicsim_status st = gicsim_calib_measured_load(tmp_file("m.yaml", ok), &m, &d);
    if (st != GICSIM_OK)
        fail_msg("%s:%u: %s: %s", d.file, d.line, d.key, d.message);
    assert_false(m.kvm_unit_tests);
    assert_string_equal(m.reference, "GIC-NOTES \xc2\xa7"
                                     "3: kvm-unit-tests, Ampere Altra");
    assert_int_equal(m.n, 3);
    assert_int_equal(m.test[0], GICSIM_MB_LPI);
    assert_true(m.ns[1] == 14.25);
    assert_int_equal(m.test[2], GICSIM_MB_TIMER_VM);
    assert_true(m.ns[2] == 1500.0);

    /* Uncertainties, sources and facts. */
    const char *full = "uncertainty: 5%\n"
                       "facts: {world_switch: 0, idle_exit: 1200}\n"
                       "measured:\n"
                       "  hvc: {ns: 306, uncertainty: 8%, source: \"GIC-NOTES\"}\n"
                       "  eoi: 14\n"
                       "  ipi: {ns: 1926, source: paper}\n"
                       "  lpi: {ns: 2179, uncertainty: 2.5%}\n";
    st = gicsim_calib_measured_load(tmp_file("full.yaml", full), &m, &d);
    if (st != GICSIM_OK)
        fail_msg("%s:%u: %s: %s", d.file, d.line, d.key, d.message);
    assert_int_equal(m.n, 4);
    assert_true(m.ns[0] == 306 && m.ns[2] == 1926 && m.ns[3] == 2179);
    assert_near(m.uncertainty[0], 0.08, 1e-15);
    assert_true(m.uncertainty[1] == 0 && m.uncertainty[2] == 0);
    assert_near(m.uncertainty[3], 0.025, 1e-15);
    assert_string_equal(m.source[0], "GIC-NOTES");
    assert_string_equal(m.source[1], "");
    assert_string_equal(m.source[2], "paper");
    assert_near(m.default_uncertainty, 0.05, 1e-15);
    assert_int_equal(m.n_facts, 2);
    assert_int_equal(m.fact[0], GICSIM_COST_WORLD_SWITCH);
    assert_int_equal(m.fact_cycles[0], 0);
    assert_int_equal(m.fact[1], GICSIM_COST_IDLE_EXIT);
    assert_int_equal(m.fact_cycles[1], 1200);

    static const struct {
        const char *text;
        gicsim_status st;
        unsigned line, column;
        const char *key, *msg;
    } bad[] = {
        {"measured: {hvc: 1}\nfacts: {spectre_bhx: 0}\n", GICSIM_E_INVAL, 2, 9, "facts.spectre_bhx",
         "unknown cost \"spectre_bhx\""},
        {"measured: {hvc: 1}\nfacts: {world_switch: -1}\n", GICSIM_E_INVAL, 2, 23,
         "facts.world_switch", "non-negative integer"},
        {"measured: {hvc: 1}\nfacts: [world_switch]\n", GICSIM_E_INVAL, 2, 8, "facts",
         "expected a mapping of cost names"},
        {"measured: {hvc: 1}\nuncertainty: 0%\n", GICSIM_E_INVAL, 2, 14, "uncertainty",
         "greater than 0"},
        {"measured: {hvc: 1}\nuncertainty: 3\n", GICSIM_E_INVAL, 2, 14, "uncertainty",
         "such as 3%"},
        {"measured: {hvc: 1}\nuncertainty: 101%\n", GICSIM_E_INVAL, 2, 14, "uncertainty",
         "at most 100%"},
        {"measured: {hvc: 1}\nuncertainty: nan%\n", GICSIM_E_INVAL, 2, 14, "uncertainty",
         "a percentage"},
        {"measured:\n  hvc: {ns: 0}\n", GICSIM_E_INVAL, 2, 13, "measured.hvc.ns", "greater than 0"},
        {"measured:\n  hvc: {uncertainty: 5%}\n", GICSIM_E_INVAL, 2, 8, "measured.hvc.ns",
         "missing"},
        {"measured:\n  hvc: {ns: 10, error: 5%}\n", GICSIM_E_INVAL, 2, 17, "measured.hvc.error",
         "unknown key"},
        {"measured:\n  hvc: {ns: 10, uncertainty: -5%}\n", GICSIM_E_INVAL, 2, 30,
         "measured.hvc.uncertainty", "greater than 0"},
        {"measured:\n  hvc: {ns: 10, source: \"\"}\n", GICSIM_E_INVAL, 2, 25, "measured.hvc.source",
         "must not be empty"},
        {"measured:\n  hvc: 306\n  hvcc: 10\n", GICSIM_E_INVAL, 3, 3, "measured.hvcc",
         "unknown micro-bench test \"hvcc\""},
        {"measured:\n  hvc: 0\n", GICSIM_E_INVAL, 2, 8, "measured.hvc", "greater than 0"},
        {"measured:\n  hvc: fast\n", GICSIM_E_INVAL, 2, 8, "measured.hvc", "a number of ns"},
        {"measured:\n  hvc: \"306\"\n", GICSIM_E_INVAL, 2, 8, "measured.hvc", "a number of ns"},
        {"measured: [hvc]\n", GICSIM_E_INVAL, 1, 11, "measured", "expected a mapping"},
        {"measured: {}\n", GICSIM_E_INVAL, 1, 11, "measured", "no measured figures"},
        {"reference: x\n", GICSIM_E_INVAL, 1, 1, "measured", "missing required key"},
        {"measured: {hvc: 1}\nfitted: [hvc_handle]\n", GICSIM_E_INVAL, 2, 1, "fitted",
         "unknown key"},
        {"measured: {hvc: 1\n", GICSIM_E_PARSE, 0, 0, "", NULL},
        {"", GICSIM_E_INVAL, 1, 1, "", "empty"},
        {"- hvc\n", GICSIM_E_INVAL, 1, 1, "", "got a list"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st = gicsim_calib_measured_load(tmp_file("bad.yaml", bad[i].text), &m, &d);
        if (st != bad[i].st ||
            (bad[i].line && (d.line != bad[i].line || d.column != bad[i].column)) ||
            strcmp(d.key, bad[i].key) || (bad[i].msg && !strstr(d.message, bad[i].msg)))
            fail_msg("case %zu: %s at %u:%u key \"%s\": %s", i, gicsim_strerror(st), d.line,
                     d.column, d.key, d.message);
        assert_true(strstr(d.file, "bad.yaml") != NULL);
    }
    assert_int_equal(gicsim_calib_measured_load(GICSIM_TEST_TMP "/none.yaml", &m, &d), GICSIM_E_IO);
    assert_int_equal(gicsim_calib_measured_load(NULL, &m, &d), GICSIM_E_INVAL);
}

/* ---- The platform object ---------------------------------------------------------------- */

static void test_platform_api(void **state)
{
    (void)state;
    gicsim_platform *p = load_platform(GICSIM_TEST_DATA_DIR "/platforms/testplat.yaml");
    assert_string_equal(gicsim_platform_name(p), "testplat");
    assert_string_equal(gicsim_platform_description(p), "test preset - slower cores, no VHE");
    assert_string_equal(gicsim_platform_file(p), GICSIM_TEST_DATA_DIR "/platforms/testplat.yaml");
    assert_false(gicsim_platform_vhe(p));
    const gicsim_timing *t = gicsim_platform_timing(p);
    assert_int_equal(t->clock_hz[GICSIM_CLK_CPU], 1500000000ull);
    assert_int_equal(t->cycles[GICSIM_COST_SCHED_WAKEUP], 0x800);
    assert_int_equal(t->cycles[GICSIM_COST_VCPU_KICK],
                     gicsim_cost_default_cycles(GICSIM_COST_VCPU_KICK));
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(p, &cfg);
    assert_false(cfg.vhe);
    assert_int_equal(cfg.iterations, 0);
    assert_int_equal(cfg.timing.cycles[GICSIM_COST_WORLD_SWITCH], 900);
    assert_string_equal(gicsim_platform_reference(p), "nothing: a test fixture");
    assert_int_equal(gicsim_platform_measured_count(p), 2);
    assert_int_equal(gicsim_platform_measured_test(p, 0), GICSIM_MB_HVC);
    assert_true(gicsim_platform_measured_ns(p, 0) == 306.0);
    assert_int_equal(gicsim_platform_measured_test(p, 1), GICSIM_MB_EOI);
    assert_int_equal(gicsim_platform_measured_test(p, 2), GICSIM_MB__COUNT);
    assert_true(gicsim_platform_measured_ns(p, 2) == 0.0);
    double ns = 0;
    assert_true(gicsim_platform_find_measured(p, GICSIM_MB_EOI, &ns));
    assert_true(ns == 14.5);
    assert_false(gicsim_platform_find_measured(p, GICSIM_MB_LPI, &ns));
    assert_int_equal(gicsim_platform_fitted_count(p), 1);
    assert_int_equal(gicsim_platform_fitted_cost(p, 0), GICSIM_COST_HVC_HANDLE);
    assert_int_equal(gicsim_platform_fitted_cost(p, 1), GICSIM_COST__COUNT);
    assert_int_equal(gicsim_platform_predicts_count(p), 2);
    assert_int_equal(gicsim_platform_predicts_test(p, 0), GICSIM_MB_IPI_HW);
    assert_int_equal(gicsim_platform_predicts_test(p, 1), GICSIM_MB_TIMER_BM);
    assert_int_equal(gicsim_platform_predicts_test(p, 2), GICSIM_MB__COUNT);
    assert_true(gicsim_platform_is_predicted(p, GICSIM_MB_TIMER_BM));
    assert_false(gicsim_platform_is_predicted(p, GICSIM_MB_HVC));
    gicsim_platform_free(p);

    /* A MAP preset: uncertainties (own, the preset's default), sources,
     * facts, more fitted costs than figures. */
    p = load_platform(GICSIM_TEST_DATA_DIR "/platforms/calib-map.yaml");
    assert_true(gicsim_platform_fitted_with_priors(p));
    assert_int_equal(gicsim_platform_measured_count(p), 3);
    assert_near(gicsim_platform_measured_uncertainty(p, 0), 0.08, 1e-15);
    assert_near(gicsim_platform_measured_uncertainty(p, 1), 0.05, 1e-15);
    assert_near(gicsim_platform_measured_ns(p, 2), 1926, 0);
    assert_near(gicsim_platform_measured_uncertainty(p, 3), 0, 0);
    assert_string_equal(gicsim_platform_measured_source(p, 0), "GIC-NOTES \xc2\xa7"
                                                               "3");
    assert_null(gicsim_platform_measured_source(p, 1));
    assert_string_equal(gicsim_platform_measured_source(p, 2), "a second source");
    assert_null(gicsim_platform_measured_source(p, 3));
    assert_int_equal(gicsim_platform_fact_count(p), 1);
    assert_int_equal(gicsim_platform_fact_cost(p, 0), GICSIM_COST_WORLD_SWITCH);
    assert_int_equal(gicsim_platform_fact_cost(p, 1), GICSIM_COST__COUNT);
    assert_int_equal(gicsim_platform_fitted_count(p), 4);
    gicsim_platform_free(p);
    /* testplat has no fit_method: exact, the default 3%. */
    p = load_platform(GICSIM_TEST_DATA_DIR "/platforms/testplat.yaml");
    assert_false(gicsim_platform_fitted_with_priors(p));
    assert_near(gicsim_platform_measured_uncertainty(p, 0), GICSIM_CALIB_DEFAULT_UNCERTAINTY, 0);
    assert_int_equal(gicsim_platform_fact_count(p), 0);
    gicsim_platform_free(p);

    /* By name: the built-in search path finds generic, which has no
     * calibration block. */
    p = load_platform("generic");
    assert_string_equal(gicsim_platform_name(p), "generic");
    assert_true(gicsim_platform_vhe(p));
    assert_null(gicsim_platform_reference(p));
    assert_int_equal(gicsim_platform_measured_count(p), 0);
    assert_int_equal(gicsim_platform_fitted_count(p), 0);
    assert_int_equal(gicsim_platform_predicts_count(p), 0);
    gicsim_platform_free(p);
    gicsim_platform_free(NULL);
    assert_null(gicsim_platform_name(NULL));
    assert_int_equal(gicsim_platform_measured_count(NULL), 0);
}

static void test_platform_errors(void **state)
{
    (void)state;
    gicsim_platform *p = (gicsim_platform *)(uintptr_t)1;
    gicsim_diag d;
    assert_int_equal(gicsim_platform_load("no-such-preset", &p, &d), GICSIM_E_NOTFOUND);
    assert_null(p);
    assert_string_equal(d.key, "platform");
    assert_int_equal(d.line, 0);
    assert_non_null(strstr(d.message, "unknown platform \"no-such-preset\""));
    assert_non_null(strstr(d.message, "configs/platforms"));
    assert_int_equal(gicsim_platform_load("no/such/file.yaml", &p, &d), GICSIM_E_IO);
    assert_string_equal(d.file, "no/such/file.yaml");
    assert_int_equal(gicsim_platform_load("bad name", &p, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_platform_load(GICSIM_TEST_DATA_DIR "/platforms/mismatch.yaml", &p, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "name");
    assert_int_equal(gicsim_platform_load(NULL, &p, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_platform_load("generic", NULL, &d), GICSIM_E_INVAL);
    /* The calibration block is checked like the rest of the preset. */
    assert_int_equal(gicsim_platform_load(
                         GICSIM_TEST_DATA_DIR "/platforms/calib-predicts-measured.yaml", &p, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "predicts.1");
    assert_non_null(strstr(d.message, "is in measured"));
    /* The MAP block's keys are checked too. */
    static const struct {
        const char *name, *text, *key, *msg;
    } bad[] = {
        {"calib-method", "fit_method: bayes\n", "fit_method", "expected one of"},
        {"calib-fact", "facts: [hvc_handle, nope]\n", "facts.1", "unknown cost \"nope\""},
        {"calib-fact-fitted", "measured: {hvc: 306}\nfacts: [hvc_handle]\nfitted: [hvc_handle]\n",
         "fitted.0", "also in facts"},
        {"calib-unc", "uncertainty: 3 %\n", "uncertainty", "a percentage"},
        {"calib-exact-many",
         "measured: {hvc: 306}\nfit_method: exact\n"
         "fitted: [hvc_handle, exc_to_el2]\n",
         "fitted", "an exact fit needs"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char file[64], text[512];
        snprintf(file, sizeof file, "%s.yaml", bad[k].name);
        snprintf(text, sizeof text, "name: %s\n%s", bad[k].name, bad[k].text);
        gicsim_status st = gicsim_platform_load(tmp_file(file, text), &p, &d);
        if (st != GICSIM_E_INVAL || strcmp(d.key, bad[k].key) || !strstr(d.message, bad[k].msg))
            fail_msg("%s: %s, key \"%s\": %s", bad[k].name, gicsim_strerror(st), d.key, d.message);
    }
    /* A MAP fit may have more free costs than figures. */
    gicsim_platform *ok = load_platform(
        tmp_file("calib-map-many.yaml", "name: calib-map-many\nmeasured: {hvc: 306}\n"
                                        "fit_method: map\nfitted: [hvc_handle, exc_to_el2]\n"));
    assert_int_equal(gicsim_platform_fitted_count(ok), 2);
    gicsim_platform_free(ok);
}

/* ---- Intervals of any metric (calib_metric_intervals) ---------------------------------- */

/* A metric callback on the synthetic model: linear metrics, a constant, and
 * one quantised in steps of 10 per 50 cycles of vcpu_kick; it checks that
 * only the free costs move and counts its calls. fail_at >= 0: that call
 * fails (or, nan_at, returns NaN). */
typedef struct metric_ctx {
    gicsim_timing base;
    const gicsim_cost_id *free_costs;
    size_t n_free;
    double c900; /* metric 2 is c900 - sgi_dispatch */
    unsigned calls;
    int fail_at, nan_at;
} metric_ctx;

#define N_METRICS 4

static gicsim_status hand_metrics(void *ctx, const gicsim_timing *t, double *v)
{
    metric_ctx *x = ctx;
    unsigned call = x->calls++;
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        bool free_cost = false;
        for (size_t j = 0; j < x->n_free; j++)
            free_cost |= x->free_costs[j] == (gicsim_cost_id)c;
        if (!free_cost || call == 0)
            assert_int_equal(t->cycles[c], x->base.cycles[c]);
    }
    if ((int)call == x->fail_at)
        return GICSIM_E_STATE;
    double kick = (double)t->cycles[GICSIM_COST_VCPU_KICK];
    v[0] = 500 + kick / 3 + (double)t->cycles[GICSIM_COST_HVC_HANDLE] / 6;
    v[1] = 7;
    v[2] = x->c900 - (double)t->cycles[GICSIM_COST_SGI_DISPATCH];
    v[3] = 10 * floor(kick / 50);
    if ((int)call == x->nan_at)
        v[1] = NAN;
    return GICSIM_OK;
}

/* A preset's analysis (no fit, no figures' intervals) over the costs fit[0..n). */
static void analyse_options(gicsim_calib_options *o, const gicsim_cost_id *fit, size_t n)
{
    gicsim_calib_options_init(o);
    o->analyse_only = true;
    o->intervals = false;
    o->fit = fit;
    o->n_fit = n;
}

static void test_metric_intervals_hand(void **state)
{
    (void)state;
    /* hvc = hvc_handle / 3 measured at hvc_handle's mid-range value
     * (M = hmid / 3 ns) +-3%: hvc_handle in [hmid 0.97, hmid 1.03]. The
     * metrics, at the preset's costs as they are (analyse_only), with
     * vcpu_kick and sgi_dispatch free within their ranges:
     *   0: 500 + kick/3 + hvc_handle/6 in [500 + klo/3 + hmid 0.97 / 6,
     *      500 + khi/3 + hmid 1.03 / 6];
     *   1: 7, depends on nothing: [7, 7];
     *   2: C - sgi_dispatch, C at 90% of its range: [C - shi, C - slo], the
     *      low end negative, so clamped at 0 when the metrics are
     *      non-negative;
     *   3: 10 floor(kick / 50), kick just below a step: the figures' step
     *      crosses it (a slope of 10 / h), the secant over a prior sigma
     *      gives the slope the interval uses. icv_eoir_write is free and
     *      moves nothing: one evaluation. */
    lin_model m;
    lin_init(&m);
    m.coef[GICSIM_MB_HVC][GICSIM_COST_HVC_HANDLE] = 1.0 / 3;
    static const gicsim_cost_id fit[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_VCPU_KICK,
                                         GICSIM_COST_SGI_DISPATCH, GICSIM_COST_ICV_EOIR_WRITE};
    const gicsim_mb_test hvc[] = {GICSIM_MB_HVC};
    uint64_t hlo, hhi, klo, khi, slo, shi;
    gicsim_cost_prior(GICSIM_COST_HVC_HANDLE, &hlo, &hhi);
    gicsim_cost_prior(GICSIM_COST_VCPU_KICK, &klo, &khi);
    gicsim_cost_prior(GICSIM_COST_SGI_DISPATCH, &slo, &shi);
    const double hmid = (double)((hlo + hhi) / 2), smid = (double)((slo + shi) / 2);
    const double kmid = 50 * floor((double)(klo + khi) / 100) + 49;
    assert_true(hmid * 0.97 >= (double)hlo && hmid * 1.03 <= (double)hhi);
    assert_true(kmid > (double)klo && kmid < (double)khi);
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    base.timing.cycles[GICSIM_COST_HVC_HANDLE] = (uint64_t)hmid;
    base.timing.cycles[GICSIM_COST_VCPU_KICK] = (uint64_t)kmid;
    base.timing.cycles[GICSIM_COST_SGI_DISPATCH] = (uint64_t)smid;
    double meas[] = {hmid / 3};
    gicsim_calib_options o;
    analyse_options(&o, fit, 4);
    metric_ctx x = {.base = base.timing,
                    .free_costs = fit,
                    .n_free = 4,
                    .c900 = (double)slo + 0.9 * (double)(shi - slo),
                    .fail_at = -1,
                    .nan_at = -1};
    assert_true(x.c900 < (double)shi && x.c900 > smid);
    gicsim_calib_metrics mx = {.n = N_METRICS, .eval = hand_metrics, .ctx = &x};
    gicsim_calib_interval iv[N_METRICS];
    gicsim_calib_fit *r = NULL;
    gicsim_status st = calib_metric_intervals(lin_run, &m, &base, hvc, meas, 1, &o, &mx, iv, &r);
    assert_non_null(r);
    if (st != GICSIM_OK)
        fail_msg("calib_metric_intervals: %s (%s)", r->message, gicsim_strerror(st));
    /* One evaluation at the fit, one per free cost, one more for each of
     * the three costs a metric depends on; the figures' Jacobian: one
     * figure at the fit and per cost. */
    assert_int_equal(r->metric_runs, 1 + 4 + 3);
    assert_int_equal(x.calls, 1 + 4 + 3);
    assert_int_equal(r->model_runs, 1 * (1 + 4));
    assert_near(iv[0].value, 500 + kmid / 3 + hmid / 6, 1e-9);
    assert_near(iv[0].lo, 500 + (double)klo / 3 + hmid * 0.97 / 6, 1e-6);
    assert_near(iv[0].hi, 500 + (double)khi / 3 + hmid * 1.03 / 6, 1e-6);
    assert_true(iv[1].value == 7 && iv[1].lo == 7 && iv[1].hi == 7);
    assert_near(iv[2].value, x.c900 - smid, 1e-9);
    assert_near(iv[2].lo, x.c900 - (double)shi, 1e-6);
    assert_near(iv[2].hi, x.c900 - (double)slo, 1e-6);
    /* The quantised metric: the secant over vcpu_kick's prior sigma. */
    const gicsim_calib_cost *kc = free_cost(r, GICSIM_COST_VCPU_KICK);
    double wide = round(kc->prior_sigma), q0 = 10 * floor(kmid / 50);
    double slope = (10 * floor((kmid + wide) / 50) - q0) / wide;
    double h = round(0.02 * kmid) < 1 ? 1 : round(0.02 * kmid);
    assert_true(wide > h && slope < 0.5 * 10 / h);
    assert_near(iv[3].value, q0, 0);
    assert_near(iv[3].lo, q0 + slope * ((double)klo - kmid), 1e-6);
    assert_near(iv[3].hi, q0 + slope * ((double)khi - kmid), 1e-6);
    for (size_t k = 0; k < N_METRICS; k++)
        assert_true(iv[k].lo <= iv[k].value && iv[k].value <= iv[k].hi);
    gicsim_calib_fit_free(r);
    /* Non-negative metrics: metric 2's low end clamped at 0; no fit
     * asked back. */
    mx.nonnegative = true;
    x.calls = 0;
    assert_int_equal(calib_metric_intervals(lin_run, &m, &base, hvc, meas, 1, &o, &mx, iv, NULL),
                     GICSIM_OK);
    assert_true(iv[2].lo == 0);
    assert_near(iv[2].hi, x.c900 - (double)slo, 1e-6);
    assert_near(iv[0].lo, 500 + (double)klo / 3 + hmid * 0.97 / 6, 1e-6);
}

static void test_metric_intervals_errors(void **state)
{
    (void)state;
    lin_model m;
    lin_init(&m);
    m.coef[GICSIM_MB_HVC][GICSIM_COST_HVC_HANDLE] = 1.0 / 3;
    static const gicsim_cost_id fit[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_VCPU_KICK};
    const gicsim_mb_test hvc[] = {GICSIM_MB_HVC};
    gicsim_mb_config base;
    gicsim_mb_config_init(&base);
    double meas[] = {(double)base.timing.cycles[GICSIM_COST_HVC_HANDLE] / 3};
    gicsim_calib_options o;
    analyse_options(&o, fit, 2);
    metric_ctx x = {
        .base = base.timing, .free_costs = fit, .n_free = 2, .fail_at = -1, .nan_at = -1};
    gicsim_calib_metrics mx = {.n = N_METRICS, .eval = hand_metrics, .ctx = &x};
    gicsim_calib_interval iv[N_METRICS];
    gicsim_calib_fit *r = NULL;
    /* No measured figures: an uncalibrated preset. */
    assert_int_equal(calib_metric_intervals(lin_run, &m, &base, hvc, meas, 0, &o, &mx, iv, &r),
                     GICSIM_E_INVAL);
    assert_string_equal(r->message, "no measured figures");
    assert_int_equal(x.calls, 0);
    gicsim_calib_fit_free(r);
    assert_int_equal(gicsim_calib_metric_intervals(&base, hvc, meas, 0, &o, &mx, iv, NULL),
                     GICSIM_E_INVAL);
    /* No metric, none per evaluation, no callback, nowhere to put them. */
    gicsim_calib_metrics none = mx, zero = mx;
    none.eval = NULL;
    zero.n = 0;
    const gicsim_calib_metrics *bad_mx[] = {NULL, &none, &zero, &mx};
    for (size_t k = 0; k < 4; k++) {
        r = NULL;
        gicsim_status st = calib_metric_intervals(lin_run, &m, &base, hvc, meas, 1, &o, bad_mx[k],
                                                  k == 3 ? NULL : iv, &r);
        assert_int_equal(st, GICSIM_E_INVAL);
        assert_non_null(strstr(r->message, "no metric"));
        gicsim_calib_fit_free(r);
    }
    assert_int_equal(x.calls, 0);
    /* The callback fails at the fit, then at the second cost's step: the
     * call returns its status, the message says where. */
    static const struct {
        int fail_at, nan_at;
        gicsim_status st;
        const char *msg;
    } cases[] = {
        {0, -1, GICSIM_E_STATE, "the metric failed (" /* ... */},
        {-1, 0, GICSIM_E_STATE, "metric 1 is not a finite number at the fit"},
        {3, -1, GICSIM_E_STATE, "with vcpu_kick = "},
        {-1, 3, GICSIM_E_STATE, "metric 1 is not a finite number with vcpu_kick = "},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        x.calls = 0;
        x.fail_at = cases[k].fail_at;
        x.nan_at = cases[k].nan_at;
        r = NULL;
        gicsim_status st =
            calib_metric_intervals(lin_run, &m, &base, hvc, meas, 1, &o, &mx, iv, &r);
        if (st != cases[k].st || !strstr(r->message, cases[k].msg))
            fail_msg("case %zu: %s: %s", k, gicsim_strerror(st), r->message);
        /* It stops at the failed call. */
        assert_int_equal(
            x.calls, (unsigned)(cases[k].fail_at >= 0 ? cases[k].fail_at : cases[k].nan_at) + 1);
        gicsim_calib_fit_free(r);
    }
    /* An error of the figures' model stops the call before any metric. */
    x.calls = 0;
    x.fail_at = x.nan_at = -1;
    m.fail_test = GICSIM_MB_HVC;
    r = NULL;
    assert_int_equal(calib_metric_intervals(lin_run, &m, &base, hvc, meas, 1, &o, &mx, iv, &r),
                     GICSIM_E_STATE);
    assert_non_null(strstr(r->message, "simulating hvc failed"));
    assert_int_equal(x.calls, 0);
    gicsim_calib_fit_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solver_linear),
        cmocka_unit_test(test_solver_default_set),
        cmocka_unit_test(test_default_table),
        cmocka_unit_test(test_solver_race),
        cmocka_unit_test(test_solver_active_constraint),
        cmocka_unit_test(test_solver_rank),
        cmocka_unit_test(test_solver_errors),
        cmocka_unit_test(test_map_closed_form),
        cmocka_unit_test(test_map_underdetermined),
        cmocka_unit_test(test_map_lognormal),
        cmocka_unit_test(test_map_identifiability),
        cmocka_unit_test(test_intervals_hand),
        cmocka_unit_test(test_cross_validation),
        cmocka_unit_test(test_facts),
        cmocka_unit_test(test_ex_errors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_presets),
        cmocka_unit_test(test_round_trip_nvhe),
        cmocka_unit_test(test_simulator_errors),
        cmocka_unit_test(test_map_generic_self),
        cmocka_unit_test(test_analyse_preset),
        cmocka_unit_test(test_measured_kvm_unit_tests),
        cmocka_unit_test(test_measured_yaml),
        cmocka_unit_test(test_platform_api),
        cmocka_unit_test(test_platform_errors),
        cmocka_unit_test(test_metric_intervals_hand),
        cmocka_unit_test(test_metric_intervals_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
