/* Tests of the calibration benchmarks (models/microbench.c): each
 * kvm-unit-tests figure is the exact sum of the primitive costs on the
 * test's path, every cost on a path counts and no other does, VHE and nVHE
 * differ by the world switches, runs are deterministic, bad arguments are
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gicsim/gicsim.h>
#include <gicsim/microbench.h>

#include <string.h>

/* Costs that are distinct powers of two-ish primes, so a wrong sum of them
 * cannot match by accident. */
static void odd_costs(gicsim_mb_config *c)
{
    gicsim_mb_config_init(c);
    c->timing.clock_hz[GICSIM_CLK_CPU] = 1000000000; /* 1 cycle = 1 ns */
    c->timing.clock_hz[GICSIM_CLK_GIC] = 1000000000;
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        c->timing.cycles[i] = 100 + 37 * (uint64_t)i;
    c->iterations = 32;
}

static double cyc(const gicsim_mb_config *c, gicsim_cost_id id)
{
    return (double)c->timing.cycles[id];
}

static double run(const gicsim_mb_config *c, gicsim_mb_test t, gicsim_mb_result *r)
{
    gicsim_mb_result tmp;
    if (!r)
        r = &tmp;
    assert_int_equal(gicsim_mb_run(c, t, r), GICSIM_OK);
    gicsim_mb_result_free(r);
    return r->value_ns;
}

/* The trap round trip every exit-based test shares: the trapping
 * instruction, exception entry and context save, the fold and flush of the
 * list registers (6 ICH accesses), the context restore and ERET, plus the
 * second counter read. */
static double trap_round_trip(const gicsim_mb_config *c)
{
    return cyc(c, GICSIM_COST_ICC_SYSREG) + cyc(c, GICSIM_COST_EXCEPTION_ENTRY) +
           cyc(c, GICSIM_COST_GUEST_CTX_SAVE) + 6 * cyc(c, GICSIM_COST_ICH_ACCESS) +
           cyc(c, GICSIM_COST_GUEST_CTX_RESTORE) + cyc(c, GICSIM_COST_EXCEPTION_RETURN) +
           cyc(c, GICSIM_COST_COUNTER_READ);
}

static void test_names(void **state)
{
    (void)state;
    for (int i = 0; i < GICSIM_MB__COUNT; i++) {
        gicsim_mb_test t;
        const char *n = gicsim_mb_test_name((gicsim_mb_test)i);
        assert_non_null(n);
        assert_non_null(gicsim_mb_test_description((gicsim_mb_test)i));
        assert_int_equal(gicsim_mb_test_lookup(n, &t), GICSIM_OK);
        assert_int_equal(t, i);
    }
    assert_null(gicsim_mb_test_name(GICSIM_MB__COUNT));
    assert_int_equal(gicsim_mb_test_lookup("hvc2", NULL), GICSIM_E_NOTFOUND);
    assert_int_equal(gicsim_mb_test_lookup(NULL, NULL), GICSIM_E_INVAL);
}

static void test_trap_tests_exact(void **state)
{
    (void)state;
    gicsim_mb_config c;
    odd_costs(&c);
    gicsim_mb_result r;
    double rt = trap_round_trip(&c);
    assert_true(run(&c, GICSIM_MB_HVC, &r) == rt + cyc(&c, GICSIM_COST_HVC_HANDLE));
    assert_int_equal(r.iterations, 32);
    assert_int_equal(r.exits, 32);
    assert_true(r.min_ns == r.max_ns);
    assert_true(run(&c, GICSIM_MB_MMIO_READ_USER, NULL) ==
                rt + cyc(&c, GICSIM_COST_MMIO_DECODE) + cyc(&c, GICSIM_COST_MMIO_USER));
    assert_true(run(&c, GICSIM_MB_MMIO_READ_VGIC, NULL) ==
                rt + cyc(&c, GICSIM_COST_MMIO_DECODE) + cyc(&c, GICSIM_COST_MMIO_KERNEL));
    assert_true(run(&c, GICSIM_MB_EOI, &r) ==
                cyc(&c, GICSIM_COST_ICV_EOIR_WRITE) + cyc(&c, GICSIM_COST_COUNTER_READ));
    assert_int_equal(r.exits, 0); /* ICV_EOIR1 of 1023 does not trap */
}

/* ipi: the sender traps and emulates the SGI1R write, queues the SGI and
 * kicks; the kick flies to PE 1 (sgi_route, redist_to_cpuif), vCPU 1 exits,
 * the host takes the kick (irq entry, IAR, EOIR+DIR), flushes and re-enters;
 * vCPU 1 takes the vIRQ; its flag reaches vCPU 0 one cache-line transfer
 * later; the second counter read. */
static void test_ipi_exact(void **state)
{
    (void)state;
    gicsim_mb_config c;
    odd_costs(&c);
    gicsim_mb_result r;
    double sender = cyc(&c, GICSIM_COST_ICC_SYSREG) + cyc(&c, GICSIM_COST_EXCEPTION_ENTRY) +
                    cyc(&c, GICSIM_COST_GUEST_CTX_SAVE) + 3 * cyc(&c, GICSIM_COST_ICH_ACCESS) +
                    cyc(&c, GICSIM_COST_SGI_EMULATE) + cyc(&c, GICSIM_COST_VIRQ_INJECT) +
                    cyc(&c, GICSIM_COST_VCPU_KICK);
    double flight = cyc(&c, GICSIM_COST_SGI_ROUTE) + cyc(&c, GICSIM_COST_REDIST_TO_CPUIF);
    double receiver = cyc(&c, GICSIM_COST_EXCEPTION_ENTRY) + cyc(&c, GICSIM_COST_GUEST_CTX_SAVE) +
                      3 * cyc(&c, GICSIM_COST_ICH_ACCESS) + cyc(&c, GICSIM_COST_HOST_IRQ_ENTRY) +
                      cyc(&c, GICSIM_COST_ICC_IAR_READ) + 2 * cyc(&c, GICSIM_COST_ICC_EOIR_WRITE) +
                      6 * cyc(&c, GICSIM_COST_ICH_ACCESS) + cyc(&c, GICSIM_COST_GUEST_CTX_RESTORE) +
                      cyc(&c, GICSIM_COST_EXCEPTION_RETURN);
    double guest = cyc(&c, GICSIM_COST_EXCEPTION_ENTRY) + cyc(&c, GICSIM_COST_ICV_IAR_READ);
    double tail = cyc(&c, GICSIM_COST_CACHELINE_TRANSFER) + cyc(&c, GICSIM_COST_COUNTER_READ);
    double v = run(&c, GICSIM_MB_IPI, &r);
    assert_true(v == sender + flight + receiver + guest + tail);
    assert_int_equal(r.exits, 2 * 32); /* SGI trap on vCPU 0, kick on vCPU 1 */

    /* GICv4.1: vCPU 1 takes the vSGI without exiting. */
    double hw = run(&c, GICSIM_MB_IPI_HW, &r);
    assert_int_equal(r.exits, 32);
    assert_true(hw < v);
}

static void test_lpi_and_timer(void **state)
{
    (void)state;
    gicsim_mb_config c;
    odd_costs(&c);
    gicsim_mb_result r;
    double ipi = run(&c, GICSIM_MB_IPI, NULL);
    double lpi = run(&c, GICSIM_MB_LPI, &r);
    assert_int_equal(r.exits, 2 * 32); /* the CWRITER trap, the kick */
    /* The same receiver path; the sender's SGI1R emulation is replaced by
     * the MMIO trap and the emulated ITS running the INT command. */
    assert_true(lpi - ipi == cyc(&c, GICSIM_COST_MMIO_DECODE) + cyc(&c, GICSIM_COST_MMIO_KERNEL) +
                                 cyc(&c, GICSIM_COST_ITS_EMULATE) -
                                 cyc(&c, GICSIM_COST_SGI_EMULATE));

    double t = run(&c, GICSIM_MB_TIMER_10MS, &r);
    assert_int_equal(r.exits, r.iterations); /* one IRQ exit per expiry */
    assert_true(r.iterations > 0 && r.iterations <= 64);
    assert_true(t > 0 && t < 100000);
    /* host_irq_entry is on the timer's path once per iteration. */
    c.timing.cycles[GICSIM_COST_HOST_IRQ_ENTRY] += 1000;
    assert_true(run(&c, GICSIM_MB_TIMER_10MS, NULL) == t + 1000);
}

/* Each cost moves exactly the tests whose path has it. */
static void test_costs_on_paths(void **state)
{
    (void)state;
    gicsim_mb_config c;
    odd_costs(&c);
    c.iterations = 8;
    static const gicsim_mb_test kut[] = {GICSIM_MB_HVC,
                                         GICSIM_MB_MMIO_READ_USER,
                                         GICSIM_MB_MMIO_READ_VGIC,
                                         GICSIM_MB_EOI,
                                         GICSIM_MB_IPI,
                                         GICSIM_MB_IPI_HW,
                                         GICSIM_MB_LPI,
                                         GICSIM_MB_TIMER_10MS};
    double base[8];
    for (int t = 0; t < 8; t++)
        base[t] = run(&c, kut[t], NULL);
    static const struct {
        gicsim_cost_id id;
        bool on[8];
    } expect[] = {
        {GICSIM_COST_HVC_HANDLE, {1, 0, 0, 0, 0, 0, 0, 0}},
        {GICSIM_COST_MMIO_USER, {0, 1, 0, 0, 0, 0, 0, 0}},
        {GICSIM_COST_MMIO_KERNEL, {0, 0, 1, 0, 0, 0, 1, 0}},
        {GICSIM_COST_ICV_EOIR_WRITE, {0, 0, 0, 1, 0, 0, 0, 0}},
        {GICSIM_COST_ITS_EMULATE, {0, 0, 0, 0, 0, 0, 1, 0}},
        {GICSIM_COST_SGI_ROUTE, {0, 0, 0, 0, 1, 0, 1, 0}},
        {GICSIM_COST_HOST_IRQ_ENTRY, {0, 0, 0, 0, 1, 0, 1, 1}},
        {GICSIM_COST_COUNTER_READ, {1, 1, 1, 1, 1, 1, 1, 1}},
        {GICSIM_COST_WORLD_SWITCH, {0, 0, 0, 0, 0, 0, 0, 0}}, /* VHE */
        {GICSIM_COST_SCHED_SWITCH, {0, 0, 0, 0, 0, 0, 0, 0}},
    };
    for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
        c.timing.cycles[expect[k].id] += 500;
        for (int t = 0; t < 8; t++) {
            double d = run(&c, kut[t], NULL) - base[t];
            if (expect[k].on[t])
                assert_true(d > 0);
            else
                assert_true(d == 0);
        }
        c.timing.cycles[expect[k].id] -= 500;
    }
}

static void test_nvhe(void **state)
{
    (void)state;
    gicsim_mb_config c;
    odd_costs(&c);
    double vhe = run(&c, GICSIM_MB_HVC, NULL);
    c.vhe = false;
    double nvhe = run(&c, GICSIM_MB_HVC, NULL);
    /* Without VHE a trap goes to the host kernel at EL1 and back. */
    assert_true(nvhe - vhe == 2 * cyc(&c, GICSIM_COST_WORLD_SWITCH));
}

static void test_deterministic_and_errors(void **state)
{
    (void)state;
    gicsim_mb_config c;
    gicsim_mb_config_init(&c);
    gicsim_mb_result a, b;
    for (int t = 0; t < GICSIM_MB_TIMER_BM; t++) {
        assert_int_equal(gicsim_mb_run(&c, (gicsim_mb_test)t, &a), GICSIM_OK);
        assert_int_equal(gicsim_mb_run(&c, (gicsim_mb_test)t, &b), GICSIM_OK);
        assert_true(a.value_ns == b.value_ns && a.exits == b.exits);
        assert_int_equal(a.iterations, t == GICSIM_MB_TIMER_10MS ? 64 : 1024);
        gicsim_mb_result_free(&a);
        gicsim_mb_result_free(&b);
    }
    assert_int_equal(gicsim_mb_run(NULL, GICSIM_MB_HVC, &a), GICSIM_E_INVAL);
    assert_int_equal(gicsim_mb_run(&c, GICSIM_MB__COUNT, &a), GICSIM_E_INVAL);
    assert_int_equal(gicsim_mb_run(&c, GICSIM_MB_HVC, NULL), GICSIM_E_INVAL);
    c.timing.clock_hz[GICSIM_CLK_GIC] = 0;
    assert_int_equal(gicsim_mb_run(&c, GICSIM_MB_HVC, &a), GICSIM_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_trap_tests_exact),
        cmocka_unit_test(test_ipi_exact),
        cmocka_unit_test(test_lpi_and_timer),
        cmocka_unit_test(test_costs_on_paths),
        cmocka_unit_test(test_nvhe),
        cmocka_unit_test(test_deterministic_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
