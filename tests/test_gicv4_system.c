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

/* The ITS statistics of a system's GIC. */
static gicsim_its_stats sys_its_stats(gicsim_system *s)
{
    gicsim_its_stats st;
    assert_int_equal(gicsim_its_get_stats(gicsim_system_gic(s), &st), GICSIM_OK);
    return st;
}

/* MSI sources sharing a device: the host maps the device once (one MAPD,
 * one ITT) and each event to its own LPI, so both are delivered; a
 * non-direct MSI's MAPTI is followed by a SYNC of its collection. */
static void test_msi_sources_share_device(void **state)
{
    (void)state;
    const char *policies[] = {"trap-inject", "gicv4-direct"};
    for (size_t k = 0; k < 2; k++) {
        gicsim_system *s = tf_system(GICSIM_GICV4_1, 2);
        uint32_t vm = tf_vm(s, policies[k], 1, true, true);
        gicsim_system_run_for(s, GICSIM_US(5)); /* the boot's commands */
        uint64_t syncs = sys_its_stats(s).commands_by_opcode[GICSIM_ITS_CMD_SYNC];
        for (uint32_t ev = 0; ev < 2; ev++) {
            gicsim_source_config sc = tf_source_config(GICSIM_SRC_MSI, vm, 0, LPI + ev);
            sc.device_id = 40;
            sc.event_id = ev;
            sc.period = PERIOD;
            sc.start = PERIOD + ev * GICSIM_US(30);
            sc.limit = N_IRQS;
            tf_source_add(s, &sc);
        }
        gicsim_system_run_for(s, GICSIM_US(5)); /* the ITS has done the commands */
        gicsim_its_stats its = sys_its_stats(s);
        assert_int_equal(its.command_errors, 0);
        assert_int_equal(its.commands_by_opcode[GICSIM_ITS_CMD_MAPD], 1);
        assert_int_equal(its.commands_by_opcode[GICSIM_ITS_CMD_SYNC] - syncs, k ? 0 : 2);
        gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
        tf_check_all_completed(s, 2 * N_IRQS);
        its = sys_its_stats(s);
        assert_int_equal(its.command_errors, 0);
        assert_int_equal(its.dropped, 0);
        gicsim_system_destroy(s);
    }
}

/* Many MSI sources in one VM: each guest LPI finds its own source in the
 * VM's LPI-to-source index, even when every INTID collides in its hash (a
 * multiple of 1024 apart: the same low bits), so each instance is delivered
 * once and recorded against its source. */
static void test_many_msi_sources(void **state)
{
    (void)state;
    enum { N = 50 };
    const char *policies[] = {"trap-inject", "gicv4-direct"};
    for (size_t k = 0; k < 2; k++) {
        gicsim_system *s = tf_system(GICSIM_GICV4_1, 2);
        uint32_t vm = tf_vm(s, policies[k], 1, true, true);
        uint32_t src[N];
        for (uint32_t i = 0; i < N; i++) {
            gicsim_source_config sc = tf_source_config(GICSIM_SRC_MSI, vm, 0, 8192 + 1024 * i);
            sc.arrival = GICSIM_ARRIVE_MANUAL;
            src[i] = tf_source_add(s, &sc);
        }
        gicsim_system_run_for(s, GICSIM_US(50));
        for (uint32_t i = 0; i < N; i++) {
            assert_int_equal(gicsim_source_trigger(s, src[i]), GICSIM_OK);
            gicsim_system_run_for(s, GICSIM_US(10));
        }
        gicsim_system_run_for(s, GICSIM_US(100));
        tf_check_all_completed(s, N);
        for (uint32_t i = 0; i < N; i++) {
            const gicsim_irq_record *r = tf_record(s, i);
            assert_int_equal(r->source, src[i]);
            assert_int_equal(r->intid, 8192 + 1024 * i);
        }
        gicsim_system_destroy(s);
    }
}

/* The host's ITS tables (gicv4_init): flat, 4 KiB pages, sized for 4096
 * DeviceIDs, ICIDs and vPEIDs: GITS_BASER<n>.Size is the page count less
 * one: 8 pages of 8-byte entries, 32 pages of 32-byte vPE entries. */
static void test_host_its_tables(void **state)
{
    (void)state;
    gicsim_system *s = tf_system(GICSIM_GICV4_0, 2);
    const uint64_t want[3] = {7, 7, 31};
    for (uint32_t n = 0; n < 3; n++) {
        uint64_t baser = 0;
        assert_int_equal(gicsim_its_read(gicsim_system_gic(s), GICSIM_GITS_BASER(n), 8, &baser),
                         GICSIM_OK);
        assert_true(baser & GICSIM_GITS_BASER_VALID);
        assert_int_equal(baser & GICSIM_GITS_BASER_SIZE_MASK, want[n]);
    }
    gicsim_system_destroy(s);
}

/* With 20 LPI INTID bits the direct timer's vINTID is still 2^16 - 1, the
 * last one a vLPI can have (16-bit vINTIDs), and the timer works. */
static void test_direct_vtimer_wide_lpi_ids(void **state)
{
    (void)state;
    gicsim_system_config c = tf_system_config(GICSIM_GICV4_1, 2);
    c.gic.lpi_id_bits = 20;
    gicsim_system *s = tf_system_new(&c);
    uint32_t vm = tf_vm_on_pe(s, "direct-vtimer", 0, true, true);
    gicsim_source_config sc;
    gicsim_source_config_init(&sc);
    sc.kind = GICSIM_SRC_VTIMER;
    sc.vm = vm;
    sc.period = PERIOD;
    sc.limit = 3;
    tf_source_add(s, &sc);
    gicsim_system_run_for(s, PERIOD * 5);
    tf_check_all_completed(s, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(tf_record(s, i)->intid, 65535);
    assert_int_equal(sys_its_stats(s).command_errors, 0);
    gicsim_system_destroy(s);
}

/* The time the first VM entry of a direct VM takes includes making its vPE
 * resident: two GIC register writes (GICR_VPROPBASER, GICR_VPENDBASER), and
 * at the first flush vgic_v4_commit's read of GICR_VPENDBASER, which finds
 * the parse of an empty VPT done. Raising gic_mmio by d delays the first
 * entry by exactly 3 d. */
static gicsim_time_t first_entry(const gicsim_timing *t)
{
    gicsim_system_config c = tf_system_config(GICSIM_GICV4_1, 1);
    c.timing = *t;
    gicsim_system *s = tf_system_new(&c);
    gicsim_time_t first = GICSIM_TIME_NEVER;
    tf_vm_on_pe(s, "gicv4-direct", 0, true, true);
    for (gicsim_time_t now = 0; first == GICSIM_TIME_NEVER && now < GICSIM_US(100);) {
        gicsim_system_run_for(s, GICSIM_NS(1));
        now += GICSIM_NS(1);
        gicsim_system_stats st = tf_system_stats(s);
        if (st.guest_time > 0)
            first = now - st.guest_time;
    }
    gicsim_system_destroy(s);
    return first;
}

static void test_vpe_resident_cost(void **state)
{
    (void)state;
    gicsim_timing t;
    gicsim_timing_init(&t);
    t.cycles[GICSIM_COST_VPT_SCAN] = 1; /* done by the first read: no poll */
    gicsim_time_t base = first_entry(&t);
    assert_true(base != GICSIM_TIME_NEVER);
    gicsim_timing t2 = t;
    t2.cycles[GICSIM_COST_GIC_MMIO] += 1000;
    gicsim_time_t later = first_entry(&t2);
    assert_int_equal(later - base, 3 * (gicsim_timing_ps(&t2, GICSIM_COST_GIC_MMIO) -
                                        gicsim_timing_ps(&t, GICSIM_COST_GIC_MMIO)));
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
        cmocka_unit_test(test_msi_sources_share_device),
        cmocka_unit_test(test_host_its_tables),
        cmocka_unit_test(test_many_msi_sources),
        cmocka_unit_test(test_direct_vtimer_wide_lpi_ids),
        cmocka_unit_test(test_vpe_resident_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
