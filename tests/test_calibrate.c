/* gicsim: tests of the calibration (gicsim/calibrate.h) and of the platform
 * API (gicsim/platform.h).
 *
 * The solver runs first on synthetic models (calib_fit with a function in
 * place of the simulator): linear figures are recovered exactly from a
 * distant start, a max() of two paths converges, a figure that would need a
 * negative cost leaves that cost at 0, and fit sets the figures cannot
 * determine fail naming the cost. Then the real thing: the figures of a
 * shipped preset (ampere-altra-kvm-vhe when it exists, else generic; and
 * generic without VHE) are simulated, and a fit of the default cost set from
 * a base with those costs doubled must bring every cost and every figure
 * back within 1%. Last, the measured-figure files (kvm-unit-tests logs and
 * YAML) and the platform object's getters and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "calibrate/calibrate_internal.h"

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

/* hvc = 100 + hvc_handle/3 + exception_entry/3; eoi = 10 + icv_eoir_write/3;
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
    /* hvc_handle and exception_entry move only hvc, in the same proportion. */
    const gicsim_cost_id same[] = {GICSIM_COST_HVC_HANDLE, GICSIM_COST_ICV_EOIR_WRITE,
                                   GICSIM_COST_EXC_TO_EL2};
    m.coef[GICSIM_MB_IPI][GICSIM_COST_HVC_HANDLE] = 0;
    lin_figures(&m, &base, three, 3, meas);
    assert_int_equal(calib_fit(lin_run, &m, &base, three, meas, 3, same, 3, &r), GICSIM_E_INVAL);
    assert_non_null(strstr(r.message, "hvc_handle and exception_entry are not separable"));
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

/* Every shipped calibrated preset: its own measured tests, simulated with the
 * preset, give back the preset's own fitted costs (within 1%) from a base in
 * which those costs are doubled, with the preset's own fit set. */
static void test_round_trip_presets(void **state)
{
    (void)state;
    static const char *const presets[] = {"ampere-altra-kvm-vhe", "neoverse-n1-kvm-vhe",
                                          "jetson-xavier-nx-vhe", "xgene-kvm-nonvhe"};
    for (size_t k = 0; k < sizeof presets / sizeof presets[0]; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.yaml", GICSIM_PRESET_DIR, presets[k]);
        gicsim_platform *p = load_platform(path);
        gicsim_mb_config truth, base;
        gicsim_platform_mb_config(p, &truth);
        size_t n = gicsim_platform_measured_count(p), nf = gicsim_platform_fitted_count(p);
        assert_true(n > 0 && nf > 0 && nf <= n);
        gicsim_mb_test tests[GICSIM_MB__COUNT];
        double meas[GICSIM_MB__COUNT];
        for (size_t i = 0; i < n; i++) {
            gicsim_mb_result res;
            memset(&res, 0, sizeof res);
            tests[i] = gicsim_platform_measured_test(p, i);
            assert_int_equal(gicsim_mb_run(&truth, tests[i], &res), GICSIM_OK);
            meas[i] = res.value_ns;
            gicsim_mb_result_free(&res);
        }
        gicsim_cost_id fit[GICSIM_COST__COUNT];
        base = truth;
        for (size_t j = 0; j < nf; j++) {
            fit[j] = gicsim_platform_fitted_cost(p, j);
            base.timing.cycles[fit[j]] = 2 * truth.timing.cycles[fit[j]] + 100;
        }
        gicsim_calib_result *r = malloc(sizeof *r);
        assert_non_null(r);
        gicsim_status st = gicsim_calibrate(&base, tests, meas, n, fit, nf, r);
        if (st != GICSIM_OK)
            fail_msg("%s: %s (%s)", presets[k], r->message, gicsim_strerror(st));
        for (size_t j = 0; j < nf; j++) {
            double want = (double)truth.timing.cycles[fit[j]];
            double got = (double)r->timing.cycles[fit[j]];
            if (fabs(got - want) > 0.01 * want + 0.5)
                fail_msg("%s: %s fitted to %.0f cycles, the preset has %.0f", presets[k],
                         gicsim_cost_name(fit[j]), got, want);
        }
        assert_true(r->max_abs_rel_error <= 0.01);
        free(r);
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

    static const struct {
        const char *text;
        gicsim_status st;
        unsigned line, column;
        const char *key, *msg;
    } bad[] = {
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
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_presets),
        cmocka_unit_test(test_round_trip_nvhe),
        cmocka_unit_test(test_simulator_errors),
        cmocka_unit_test(test_measured_kvm_unit_tests),
        cmocka_unit_test(test_measured_yaml),
        cmocka_unit_test(test_platform_api),
        cmocka_unit_test(test_platform_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
