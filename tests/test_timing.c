/* gicsim: tests of the clock domains and the named cost table
 * (gicsim/timing.h), of gicsim_strerror and of the version query. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include <stdio.h>
#include <string.h>

/* ---- defaults ---- */

static void test_init_defaults(void **state)
{
    (void)state;
    gicsim_timing t;
    memset(&t, 0xA5, sizeof t);
    gicsim_timing_init(&t);
    assert_int_equal(t.clock_hz[GICSIM_CLK_CPU], 3000000000ull);
    assert_int_equal(t.clock_hz[GICSIM_CLK_GIC], 1000000000ull);
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        assert_int_equal(t.cycles[i], gicsim_cost_default_cycles((gicsim_cost_id)i));
    /* The documented values of the cost table. */
    assert_int_equal(t.cycles[GICSIM_COST_DIST_TO_REDIST], 20);
    assert_int_equal(t.cycles[GICSIM_COST_REDIST_TO_CPUIF], 10);
    assert_int_equal(t.cycles[GICSIM_COST_SGI_ROUTE], 290);
    assert_int_equal(t.cycles[GICSIM_COST_ICC_IAR_READ], 45);
    assert_int_equal(t.cycles[GICSIM_COST_ICC_EOIR_WRITE], 40);
    assert_int_equal(t.cycles[GICSIM_COST_ICC_SYSREG], 15);
    gicsim_timing_init(NULL); /* tolerated */
}

static void test_cost_domains(void **state)
{
    (void)state;
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_DIST_TO_REDIST), GICSIM_CLK_GIC);
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_REDIST_TO_CPUIF), GICSIM_CLK_GIC);
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_SGI_ROUTE), GICSIM_CLK_GIC);
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_EXC_TO_EL2), GICSIM_CLK_CPU);
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_ERET_TO_GUEST), GICSIM_CLK_CPU);
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_ICC_IAR_READ), GICSIM_CLK_CPU);
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_ICC_EOIR_WRITE), GICSIM_CLK_CPU);
    assert_int_equal(gicsim_cost_domain(GICSIM_COST_ICC_SYSREG), GICSIM_CLK_CPU);
    /* Out of range ids. */
    assert_null(gicsim_cost_name(GICSIM_COST__COUNT));
    assert_null(gicsim_cost_description(GICSIM_COST__COUNT));
    assert_int_equal(gicsim_cost_default_cycles(GICSIM_COST__COUNT), 0);
    assert_null(gicsim_clock_name(GICSIM_CLK__COUNT));
}

/* ---- cycle conversion ---- */

static void test_cycles_to_ps_exact(void **state)
{
    (void)state;
    assert_int_equal(gicsim_cycles_to_ps(3, 3000000000ull), 1000);
    assert_int_equal(gicsim_cycles_to_ps(3000, 3000000000ull), 1000000);
    assert_int_equal(gicsim_cycles_to_ps(1, 1000000000ull), 1000);
    assert_int_equal(gicsim_cycles_to_ps(20, 1000000000ull), 20000);
    assert_int_equal(gicsim_cycles_to_ps(0, 3000000000ull), 0);
    assert_int_equal(gicsim_cycles_to_ps(1, 1), 1000000000000ull);
    assert_int_equal(gicsim_cycles_to_ps(7, 1000000000000ull), 7); /* 1 THz: 1 ps per cycle */
    /* hz == 0 is documented to give 0. */
    assert_int_equal(gicsim_cycles_to_ps(12345, 0), 0);
}

static void test_cycles_to_ps_rounding(void **state)
{
    (void)state;
    /* 1 cycle at 3 GHz is 333.33 ps -> 333; 2 cycles 666.67 -> 667. */
    assert_int_equal(gicsim_cycles_to_ps(1, 3000000000ull), 333);
    assert_int_equal(gicsim_cycles_to_ps(2, 3000000000ull), 667);
    assert_int_equal(gicsim_cycles_to_ps(4, 3000000000ull), 1333);
    assert_int_equal(gicsim_cycles_to_ps(5, 3000000000ull), 1667);
    /* 1 cycle at 7 GHz = 142.857 ps -> 143. */
    assert_int_equal(gicsim_cycles_to_ps(1, 7000000000ull), 143);
    /* Ties round up: 1 cycle at 2 THz = 0.5 ps -> 1; 1 cycle at 4 THz = 0.25 -> 0. */
    assert_int_equal(gicsim_cycles_to_ps(1, 2000000000000ull), 1);
    assert_int_equal(gicsim_cycles_to_ps(1, 4000000000000ull), 0);
    assert_int_equal(gicsim_cycles_to_ps(3, 2000000000000ull), 2); /* 1.5 -> 2 */
}

static void test_cycles_to_ps_huge(void **state)
{
    (void)state;
    /* 10^15 cycles at 3 GHz = 333333.333... s = 333333333333333333.33 ps.
     * A naive cycles * 10^12 would overflow 64 bits by a factor of 50. */
    assert_int_equal(gicsim_cycles_to_ps(1000000000000000ull, 3000000000ull),
                     333333333333333333ull);
    /* (10^15 + 2) / 3e9 s = 333333.333333334 s exactly. */
    assert_int_equal(gicsim_cycles_to_ps(1000000000000002ull, 3000000000ull),
                     333333333333334000ull);
    /* 10^16 cycles at 1 GHz = 10^19 ps, still below 2^64 = 1.8e19. */
    assert_int_equal(gicsim_cycles_to_ps(10000000000000000ull, 1000000000ull),
                     10000000000000000000ull);
    /* The documented exactness bound: cycles < 2^64 / 10^12 * hz. At 3 GHz
     * that is ~5.5e16 cycles; 5e16 cycles = 16666666.666... s. */
    assert_int_equal(gicsim_cycles_to_ps(50000000000000000ull, 3000000000ull),
                     16666666666666666667ull);
    /* A remainder just under one second keeps full precision. */
    assert_int_equal(gicsim_cycles_to_ps(2999999999ull, 3000000000ull), 999999999667ull);
}

static void test_timing_ps_domains(void **state)
{
    (void)state;
    gicsim_timing t;
    gicsim_timing_init(&t);
    t.cycles[GICSIM_COST_EXC_TO_EL2] = 60;
    /* Defaults: GIC costs at 1 GHz (1 ns per cycle), CPU costs at 3 GHz. */
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_DIST_TO_REDIST), 20000);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_REDIST_TO_CPUIF), 10000);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_SGI_ROUTE), 290000);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_EXC_TO_EL2), 20000); /* 60 / 3 GHz */
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_ICC_IAR_READ), 15000);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_ICC_SYSREG), 5000);

    /* Changing one domain's clock changes exactly the costs of that domain. */
    t.clock_hz[GICSIM_CLK_GIC] = 500000000ull; /* 2 ns per cycle */
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_DIST_TO_REDIST), 40000);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_SGI_ROUTE), 580000);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_EXC_TO_EL2), 20000);
    t.clock_hz[GICSIM_CLK_CPU] = 2000000000ull;
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_EXC_TO_EL2), 30000);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_ICC_SYSREG), 7500);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_REDIST_TO_CPUIF), 20000);

    /* The cycle count is per cost. */
    t.cycles[GICSIM_COST_ICC_SYSREG] = 1;
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_ICC_SYSREG), 500);
    t.cycles[GICSIM_COST_ICC_SYSREG] = 0;
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST_ICC_SYSREG), 0);

    /* Invalid arguments give 0. */
    assert_int_equal(gicsim_timing_ps(NULL, GICSIM_COST_SGI_ROUTE), 0);
    assert_int_equal(gicsim_timing_ps(&t, GICSIM_COST__COUNT), 0);
}

/* ---- names ---- */

static void test_cost_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < GICSIM_COST__COUNT; i++) {
        const char *name = gicsim_cost_name((gicsim_cost_id)i);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        const char *desc = gicsim_cost_description((gicsim_cost_id)i);
        assert_non_null(desc);
        assert_true(strlen(desc) > 0);
        gicsim_cost_id id = GICSIM_COST__COUNT;
        assert_int_equal(gicsim_cost_lookup(name, &id), GICSIM_OK);
        assert_int_equal(id, i);
        /* Names are unique. */
        for (int j = 0; j < i; j++)
            assert_string_not_equal(name, gicsim_cost_name((gicsim_cost_id)j));
    }
    assert_string_equal(gicsim_cost_name(GICSIM_COST_DIST_TO_REDIST), "dist_to_redist");
    assert_string_equal(gicsim_cost_name(GICSIM_COST_REDIST_TO_CPUIF), "redist_to_cpuif");
    assert_string_equal(gicsim_cost_name(GICSIM_COST_SGI_ROUTE), "sgi_route");
    assert_string_equal(gicsim_cost_name(GICSIM_COST_ICC_SYSREG), "icc_sysreg");
    /* A NULL out pointer is allowed for an existence check. */
    assert_int_equal(gicsim_cost_lookup("sgi_route", NULL), GICSIM_OK);
}

static void test_cost_lookup_unknown(void **state)
{
    (void)state;
    gicsim_cost_id id = GICSIM_COST_SGI_ROUTE;
    assert_int_equal(gicsim_cost_lookup("no_such_cost", &id), GICSIM_E_NOTFOUND);
    assert_int_equal(id, GICSIM_COST_SGI_ROUTE); /* untouched */
    assert_int_equal(gicsim_cost_lookup("", &id), GICSIM_E_NOTFOUND);
    assert_int_equal(gicsim_cost_lookup("SGI_ROUTE", &id), GICSIM_E_NOTFOUND); /* case-sensitive */
    assert_int_equal(gicsim_cost_lookup("sgi_route ", &id), GICSIM_E_NOTFOUND);
    assert_int_equal(gicsim_cost_lookup("sgi_rout", &id), GICSIM_E_NOTFOUND);
    assert_int_equal(gicsim_cost_lookup(NULL, &id), GICSIM_E_INVAL);
}

static void test_clock_names_round_trip(void **state)
{
    (void)state;
    for (int d = 0; d < GICSIM_CLK__COUNT; d++) {
        const char *name = gicsim_clock_name((gicsim_clock_domain)d);
        assert_non_null(name);
        gicsim_clock_domain out = GICSIM_CLK__COUNT;
        assert_int_equal(gicsim_clock_lookup(name, &out), GICSIM_OK);
        assert_int_equal(out, d);
    }
    assert_string_equal(gicsim_clock_name(GICSIM_CLK_CPU), "cpu");
    assert_string_equal(gicsim_clock_name(GICSIM_CLK_GIC), "gic");
    gicsim_clock_domain out = GICSIM_CLK_GIC;
    assert_int_equal(gicsim_clock_lookup("dram", &out), GICSIM_E_NOTFOUND);
    assert_int_equal(gicsim_clock_lookup("CPU", &out), GICSIM_E_NOTFOUND);
    assert_int_equal(gicsim_clock_lookup("", &out), GICSIM_E_NOTFOUND);
    assert_int_equal(out, GICSIM_CLK_GIC);
    assert_int_equal(gicsim_clock_lookup(NULL, &out), GICSIM_E_INVAL);
}

/* ---- status texts and version ---- */

static void test_strerror_distinct(void **state)
{
    (void)state;
    const int codes[] = {GICSIM_OK,         GICSIM_E_INVAL,  GICSIM_E_NOMEM,      GICSIM_E_RANGE,
                         GICSIM_E_NOTFOUND, GICSIM_E_EXISTS, GICSIM_E_FULL,       GICSIM_E_STATE,
                         GICSIM_E_IO,       GICSIM_E_PARSE,  GICSIM_E_UNSUPPORTED};
    const size_t n = sizeof codes / sizeof codes[0];
    const char *unknown = gicsim_strerror(-1000);
    assert_non_null(unknown);
    assert_non_null(gicsim_strerror(1));
    for (size_t i = 0; i < n; i++) {
        const char *s = gicsim_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        /* Every defined code has its own text, different from the fallback. */
        assert_string_not_equal(s, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, gicsim_strerror(codes[j]));
    }
}

/* Every cost has a prior range [lo, hi] with lo <= hi that holds its own
 * default, and the accessor rejects ids outside the table. */
static void test_cost_priors(void **state)
{
    (void)state;
    for (int i = 0; i < GICSIM_COST__COUNT; i++) {
        uint64_t lo = UINT64_MAX, hi = 0;
        assert_int_equal(gicsim_cost_prior((gicsim_cost_id)i, &lo, &hi), GICSIM_OK);
        assert_true(lo <= hi);
        uint64_t def = gicsim_cost_default_cycles((gicsim_cost_id)i);
        assert_true(def >= lo && def <= hi);
    }
    assert_int_equal(gicsim_cost_prior(GICSIM_COST__COUNT, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_cost_prior((gicsim_cost_id)-1, NULL, NULL), GICSIM_E_INVAL);
}

static void test_version_string(void **state)
{
    (void)state;
    const char *v = gicsim_version_string();
    assert_non_null(v);
    assert_string_equal(v, GICSIM_VERSION_STRING);
    char expect[64];
    snprintf(expect, sizeof expect, "%d.%d.%d", GICSIM_VERSION_MAJOR, GICSIM_VERSION_MINOR,
             GICSIM_VERSION_PATCH);
    assert_string_equal(v, expect);
}

/* ---- the time macros of gicsim/common.h ---- */

/* Integer arguments give integer constant expressions, exact to 2^64 ps. */
_Static_assert(GICSIM_MS(18446744) == 18446744000000000ull, "exact large integer");
_Static_assert(GICSIM_US(3) == 3000000u, "integer microseconds");
enum { TIME_MACRO_ENUM = GICSIM_NS(7) };
/* Fractional constants are arithmetic constant expressions. */
static const gicsim_time_t time_macro_static[] = {GICSIM_US(1.5), GICSIM_NS(0.5), GICSIM_MS(0.25)};

static void test_time_macros_fractional(void **state)
{
    (void)state;
    assert_int_equal(TIME_MACRO_ENUM, 7000);
    assert_int_equal(time_macro_static[0], 1500000);
    assert_int_equal(time_macro_static[1], 500);
    assert_int_equal(time_macro_static[2], 250000000);
    volatile double us = 2.25;
    volatile float ns = 0.75f;
    assert_int_equal(GICSIM_US(us), 2250000);
    assert_int_equal(GICSIM_NS(ns), 750);
    assert_int_equal(GICSIM_NS(1.0004), 1000); /* rounded to the nearest ps */
    assert_int_equal(GICSIM_NS(1.0006), 1001);
    assert_int_equal(GICSIM_PS(2.5), 3);
    volatile uint64_t big = UINT64_MAX / 1000000u;
    assert_true(GICSIM_US(big) == big * 1000000u); /* integers stay exact */
    switch (GICSIM_NS(2)) {                        /* and usable as case labels */
    case GICSIM_NS(2):
        break;
    default:
        fail();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_defaults),          cmocka_unit_test(test_cost_domains),
        cmocka_unit_test(test_cycles_to_ps_exact),     cmocka_unit_test(test_cycles_to_ps_rounding),
        cmocka_unit_test(test_cycles_to_ps_huge),      cmocka_unit_test(test_timing_ps_domains),
        cmocka_unit_test(test_cost_names_round_trip),  cmocka_unit_test(test_cost_lookup_unknown),
        cmocka_unit_test(test_clock_names_round_trip), cmocka_unit_test(test_strerror_distinct),
        cmocka_unit_test(test_version_string),         cmocka_unit_test(test_cost_priors),
        cmocka_unit_test(test_time_macros_fractional),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
