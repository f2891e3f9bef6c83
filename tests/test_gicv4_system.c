/* System-level tests of GICv4 direct injection and the policies built on it:
 * gicv4-direct, gicv41-vsgi, did and vlpi-emulated, driven through the
 * public API (the host programs the ITS and the redistributors itself). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"

#define N_IRQS 10u
#define PERIOD GICSIM_US(100)
#define LPI 8200u

/* N_IRQS MSIs, PERIOD apart, for `lpi` of vCPU `vcpu` of `vm`. */
static uint32_t add_msi(gicsim_system *s, uint32_t vm, uint32_t vcpu, uint32_t lpi)
{
    gicsim_source_config sc = tf_source_config(GICSIM_SRC_MSI, vm, vcpu, lpi);
    sc.period = PERIOD;
    sc.limit = N_IRQS;
    sc.handler = GICSIM_US(2);
    return tf_source_add(s, &sc);
}

/* A vLPI to a resident vPE arrives with 0 exits: the ITS translates the MSI,
 * the redistributor presents the vLPI to the running guest's virtual CPU
 * interface, and no hypervisor code runs. */
static void test_vlpi_resident_no_exit(void **state)
{
    (void)state;
    gicsim_system *s = tf_system(GICSIM_GICV4_0, 2);
    uint32_t vm = tf_vm(s, "gicv4-direct", 1, true, true);
    add_msi(s, vm, 0, LPI);
    gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
    tf_check_all_completed(s, N_IRQS);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.exits_total, 0);
    assert_int_equal(st.doorbells, 0);
    for (size_t i = 0; i < gicsim_system_record_count(s); i++)
        assert_int_equal(tf_record_exits(gicsim_system_record(s, i)), 0);
    gicsim_system_destroy(s);
}

/* A vLPI to a non-resident vPE arrives through the doorbell with exactly one
 * host wake-up: the guest idles (trapped WFI), its vCPU is put and its vPE
 * made non-resident; each MSI raises the doorbell, the host wakes the vCPU,
 * the vPE becomes resident again and the vLPI is presented. */
static void test_vlpi_doorbell_one_wakeup(void **state)
{
    (void)state;
    gicsim_gic_version versions[] = {GICSIM_GICV4_0, GICSIM_GICV4_1};
    for (size_t k = 0; k < 2; k++) {
        gicsim_system *s = tf_system(versions[k], 2);
        uint32_t vm = tf_vm(s, "gicv4-direct", 1, false, true);
        add_msi(s, vm, 0, LPI);
        gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
        tf_check_all_completed(s, N_IRQS);
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.doorbells, N_IRQS);
        assert_int_equal(st.wakeups, N_IRQS);
        assert_int_equal(st.exits[GICSIM_EXIT_IRQ], 0);
        assert_int_equal(st.exits[GICSIM_EXIT_MAINTENANCE], 0);
        gicsim_system_destroy(s);
    }
}

/* A resident vPE is cheaper than one woken by its doorbell, and both are
 * cheaper than a trapped MSI of a GICv3 host. */
static void test_latency_order(void **state)
{
    (void)state;
    gicsim_time_t lat[3];
    const char *pol[3] = {"gicv4-direct", "gicv4-direct", "eoi-split"};
    const bool busy[3] = {true, false, true};
    for (int i = 0; i < 3; i++) {
        gicsim_system *s = tf_system(GICSIM_GICV4_1, 2);
        uint32_t vm = tf_vm(s, pol[i], 1, busy[i], true);
        add_msi(s, vm, 0, LPI);
        gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
        tf_check_all_completed(s, N_IRQS);
        lat[i] = gicsim_histogram_max(gicsim_system_latency(s, UINT32_MAX));
        gicsim_system_destroy(s);
    }
    assert_true(lat[0] < lat[2]); /* resident direct < trapped */
    assert_true(lat[0] < lat[1]); /* resident < doorbell */
}

/* MSIs without direct injection trap as physical LPIs: one irq exit per
 * interrupt; eoi-split translates through KVM's translation cache,
 * vlpi-emulated (KVM before the cache) walks its lists every time: the
 * latency differs by exactly the walk less the cache lookup. */
static void test_vlpi_emulated(void **state)
{
    (void)state;
    gicsim_time_t lat[2];
    const char *pol[2] = {"eoi-split", "vlpi-emulated"};
    for (int i = 0; i < 2; i++) {
        gicsim_system *s = tf_system(GICSIM_GICV3, 2);
        uint32_t vm = tf_vm(s, pol[i], 1, true, true);
        add_msi(s, vm, 0, LPI);
        gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
        tf_check_all_completed(s, N_IRQS);
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.exits[GICSIM_EXIT_IRQ], N_IRQS);
        assert_int_equal(st.exits_total, N_IRQS);
        for (size_t r = 0; r < gicsim_system_record_count(s); r++)
            assert_int_equal(gicsim_system_record(s, r)->exits[GICSIM_EXIT_IRQ], 1);
        /* The first MSI misses the ITS's translation cache; the others hit
         * and take the same time. */
        lat[i] = gicsim_histogram_min(gicsim_system_latency(s, UINT32_MAX));
        gicsim_system_destroy(s);
    }
    /* eoi-split finds the translation in KVM's cache (its_cache_op);
     * vlpi-emulated, KVM without the cache, walks the device list and the
     * device's events to its (device, event): 2 entries here. */
    gicsim_timing t;
    gicsim_timing_init(&t);
    assert_int_equal((int64_t)lat[1] - (int64_t)lat[0],
                     2 * (int64_t)gicsim_timing_ps(&t, GICSIM_COST_ITS_WALK_STEP) -
                         (int64_t)gicsim_timing_ps(&t, GICSIM_COST_ITS_CACHE_OP));
}

/* A vSGI arrives with 0 exits on the receiver (GICv4.1): the sender's write
 * of ICC_SGI1R_EL1 still traps, the host forwards it with GITS_SGIR, and the
 * receiving vPE takes it directly. */
static void test_vsgi_receiver_no_exit(void **state)
{
    (void)state;
    gicsim_system *s = tf_system(GICSIM_GICV4_1, 2);
    uint32_t vm = tf_vm(s, "gicv41-vsgi", 2, true, true);
    gicsim_source_config sc = tf_source_config(GICSIM_SRC_SGI, vm, 1, 3);
    sc.sender_vcpu = 0;
    sc.period = PERIOD;
    sc.limit = N_IRQS;
    sc.handler = GICSIM_NS(500);
    assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_OK);
    gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
    tf_check_all_completed(s, N_IRQS);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.exits[GICSIM_EXIT_SGI_TRAP], N_IRQS); /* the sender */
    assert_int_equal(st.exits_total, N_IRQS);                 /* nothing on the receiver */
    assert_int_equal(st.kicks, 0);
    for (size_t i = 0; i < gicsim_system_record_count(s); i++) {
        const gicsim_irq_record *r = gicsim_system_record(s, i);
        assert_int_equal(r->exits[GICSIM_EXIT_SGI_TRAP], 1);
        assert_int_equal(r->exits[GICSIM_EXIT_IRQ], 0);
    }
    gicsim_system_destroy(s);
}

/* did: WFI is not trapped, vCPUs are pinned, device interrupts are vLPIs:
 * an idle guest still takes its MSIs with no exit at all (its vPE stays
 * resident while it waits in hardware), while its timer still traps. */
static void test_did(void **state)
{
    (void)state;
    gicsim_system *s = tf_system(GICSIM_GICV4_0, 2);
    uint32_t vm = tf_vm(s, "did", 1, false, true /* overridden by the policy */);
    add_msi(s, vm, 0, LPI);
    gicsim_source_config tc;
    gicsim_source_config_init(&tc);
    tc.kind = GICSIM_SRC_VTIMER;
    tc.vm = vm;
    tc.period = GICSIM_US(330);
    tc.limit = 3;
    assert_int_equal(gicsim_source_add(s, &tc, NULL), GICSIM_OK);
    gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
    tf_check_all_completed(s, N_IRQS + 3);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.exits[GICSIM_EXIT_WFI], 0);
    assert_int_equal(st.doorbells, 0);
    assert_int_equal(st.exits[GICSIM_EXIT_IRQ], 3); /* the timer's */
    for (size_t i = 0; i < gicsim_system_record_count(s); i++) {
        const gicsim_irq_record *r = gicsim_system_record(s, i);
        assert_int_equal(tf_record_exits(r), r->intid == GICSIM_PPI_VTIMER ? 1u : 0u);
    }
    gicsim_system_destroy(s);
}

/* Direct policies need the GIC version that has the feature; an MSI source
 * needs an ITS. */
static void test_unsupported(void **state)
{
    (void)state;
    gicsim_system *s = tf_system(GICSIM_GICV3, 1);
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    vc.policy = "gicv4-direct";
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_E_UNSUPPORTED);
    vc.policy = "did";
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_E_UNSUPPORTED);
    gicsim_system_destroy(s);
    s = tf_system(GICSIM_GICV4_0, 1);
    vc.policy = "gicv41-vsgi";
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_E_UNSUPPORTED);
    vc.policy = "gicv4-direct";
    uint32_t vm;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    gicsim_source_config sc;
    gicsim_source_config_init(&sc);
    sc.kind = GICSIM_SRC_MSI;
    sc.vm = vm;
    sc.intid = 100; /* not an LPI */
    assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_E_INVAL);
    sc.intid = LPI;
    assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_OK);
    assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_E_INVAL); /* same LPI again */
    gicsim_system_destroy(s);
    gicsim_system_config c;
    gicsim_system_config_init(&c);
    c.gic.its = false;
    assert_int_equal(gicsim_system_create(&c, &s), GICSIM_OK);
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_UNSUPPORTED);
    vc.policy = "eoi-split";
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    sc.vm = vm;
    assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_E_UNSUPPORTED);
    gicsim_system_destroy(s);
}

/* Several direct VMs: each VM's vLPI configuration table is found by the
 * ITS (GICv4.1 VMAPP carries it with 64 KiB granularity), so a vLPI for the
 * second VM's sleeping vCPU rings its doorbell and is delivered. */
static void test_two_vms(void **state)
{
    (void)state;
    gicsim_gic_version versions[] = {GICSIM_GICV4_0, GICSIM_GICV4_1};
    for (size_t k = 0; k < 2; k++) {
        gicsim_system *s = tf_system(versions[k], 2);
        tf_vm_on_pe(s, "gicv4-direct", 0, false, true);
        uint32_t vm1 = tf_vm_on_pe(s, "gicv4-direct", 1, false, true);
        add_msi(s, vm1, 0, LPI);
        gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
        tf_check_all_completed(s, N_IRQS);
        assert_int_equal(tf_system_stats(s).doorbells, N_IRQS);
        gicsim_system_destroy(s);
    }
}

/* Identical runs give identical records. */
static void test_deterministic(void **state)
{
    (void)state;
    gicsim_irq_record rec[2][N_IRQS];
    for (int run = 0; run < 2; run++) {
        gicsim_system *s = tf_system(GICSIM_GICV4_1, 2);
        uint32_t vm = tf_vm(s, "gicv4-direct", 2, false, true);
        add_msi(s, vm, 0, LPI);
        assert_int_equal(gicsim_system_record_count(s), 0);
        gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
        assert_int_equal(gicsim_system_record_count(s), N_IRQS);
        for (size_t i = 0; i < N_IRQS; i++)
            rec[run][i] = *gicsim_system_record(s, i);
        gicsim_system_destroy(s);
    }
    assert_memory_equal(rec[0], rec[1], sizeof rec[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vlpi_resident_no_exit),
        cmocka_unit_test(test_vlpi_doorbell_one_wakeup),
        cmocka_unit_test(test_latency_order),
        cmocka_unit_test(test_vlpi_emulated),
        cmocka_unit_test(test_vsgi_receiver_no_exit),
        cmocka_unit_test(test_did),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_two_vms),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
