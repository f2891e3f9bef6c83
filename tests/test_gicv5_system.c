/* Tests of a virtualized system on a GICv5 (models/gicv5_host.c, the policies gicv5-direct,
 * gicv5-wired-direct and gicv5-did; docs/gicv5.md, "The host"): what the C API accepts and
 * refuses, every kind of source under every GICv5 policy with the accounting, the rules the
 * scheme rests on (the timer and IPIs with no exit, the doorbell's priority mask, residency
 * and its cost, level wired interrupts), determinism, and the invariant checker's view of the
 * host's state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "support/fixtures.h"

static const char *const v5_policies[] = {"gicv5-direct", "gicv5-wired-direct", "gicv5-did"};

static gicsim_system *v5_system(uint32_t pes, bool its)
{
    gicsim_system_config c = tf_system_config(GICSIM_GICV5, pes);
    c.gic.its = its;
    return tf_system_new(&c);
}

static gicsim_time_t cost_ps(const gicsim_system *s, gicsim_cost_id id)
{
    return gicsim_timing_ps(gicsim_system_timing(s), id);
}

static uint32_t record_exits(const gicsim_irq_record *r)
{
    uint32_t n = 0;
    for (int k = 0; k < GICSIM_EXIT__COUNT; k++)
        n += r->exits[k];
    return n;
}

/* What gicsim_system_create and gicsim_vm_add and gicsim_source_add take on a GICv5. */
static void test_api_checks(void **state)
{
    (void)state;
    gicsim_system *s = v5_system(2, true);
    gicsim_vm_config vc = tf_vm_config("eoi-split", 1, false, true);
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_E_UNSUPPORTED); /* a GICv3/v4 policy */
    uint32_t vm = tf_vm(s, "gicv5-direct", 2, false, true);
    gicsim_source_config c = tf_source_config(GICSIM_SRC_SPI_EDGE, vm, 0, 40);
    c.iwb = true;
    c.intid = GICSIM_SPI_BASE + 64; /* the default IWB has 64 wires */
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_INVAL);
    c.intid = GICSIM_SPI_BASE + 63;
    tf_source_add(s, &c);
    c = tf_source_config(GICSIM_SRC_MSI, vm, 1, 8300);
    c.event_id = 32; /* a device's EventIDs: 0..31 */
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_INVAL);
    gicsim_system_destroy(s);

    /* No ITS: no MSIs and no IWB. */
    s = v5_system(2, false);
    vm = tf_vm(s, "gicv5-direct", 1, false, true);
    c = tf_source_config(GICSIM_SRC_MSI, vm, 0, 8300);
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_UNSUPPORTED);
    c = tf_source_config(GICSIM_SRC_SPI_LEVEL, vm, 0, 40);
    c.iwb = true;
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_UNSUPPORTED);
    gicsim_system_destroy(s);

    /* A GICv5 policy on a GICv4.1, where the IWB key is ignored. */
    s = tf_system(GICSIM_GICV4_1, 2);
    vc = tf_vm_config("gicv5-direct", 1, false, true);
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_E_UNSUPPORTED);
    vm = tf_vm(s, "gicv41-vsgi", 1, false, true);
    c = tf_source_config(GICSIM_SRC_SPI_EDGE, vm, 0, 40);
    c.iwb = true;
    tf_source_add(s, &c);
    gicsim_system_destroy(s);
}

/* Every kind of source under `policy`: a 4-vCPU VM with an idle guest, SPIs of the IRS and
 * IWB wires (edge and level), an MSI, two timers, an IPI and an IPI ping-pong, and a host
 * timer on a PE of its own. */
static gicsim_system *all_sources(const char *policy, gicsim_time_t run)
{
    gicsim_system *s = v5_system(5, true);
    gicsim_vm_config vc = tf_vm_config(policy, 4, false, true);
    vc.pe_count = 4;
    uint32_t vm = tf_vm_add(s, &vc);
    static const struct {
        gicsim_source_kind kind;
        uint32_t vcpu, intid;
        bool iwb;
    } srcs[] = {
        {GICSIM_SRC_SPI_EDGE, 0, 40, false}, {GICSIM_SRC_SPI_LEVEL, 1, 41, false},
        {GICSIM_SRC_SPI_EDGE, 2, 42, true},  {GICSIM_SRC_SPI_LEVEL, 3, 43, true},
        {GICSIM_SRC_MSI, 1, 8300, false},    {GICSIM_SRC_VTIMER, 0, 27, false},
        {GICSIM_SRC_VTIMER, 2, 27, false},   {GICSIM_SRC_SGI, 3, 1, false},
    };
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        gicsim_source_config c = tf_source_config(srcs[i].kind, vm, srcs[i].vcpu, srcs[i].intid);
        c.iwb = srcs[i].iwb;
        c.arrival = GICSIM_ARRIVE_POISSON;
        c.period = GICSIM_US(40 + 10 * i);
        c.seed = 7 + i;
        c.sender_vcpu = 2;
        if (srcs[i].kind == GICSIM_SRC_SPI_LEVEL)
            c.deassert_at = GICSIM_NS(300);
        tf_source_add(s, &c);
    }
    gicsim_source_config c = tf_source_config(GICSIM_SRC_SGI, vm, 1, 2);
    c.sender_vcpu = 0;
    c.reply = true;
    c.handler = GICSIM_NS(300);
    c.start = GICSIM_US(30);
    c.period = GICSIM_MS(1000);
    tf_source_add(s, &c);
    c = tf_source_config(GICSIM_SRC_HOST_TIMER, 0, 0, 0);
    c.route_pe = 4;
    c.period = GICSIM_US(100);
    tf_source_add(s, &c);
    gicsim_system_run_for(s, run);
    return s;
}

/* Every source delivers under every GICv5 policy, and every instance asserted is delivered,
 * merged or still pending (the records agree with the statistics, the invariants hold). */
static void test_all_sources(void **state)
{
    (void)state;
    for (size_t p = 0; p < 3; p++) {
        gicsim_system *s = all_sources(v5_policies[p], GICSIM_MS(4));
        tf_drain(s, GICSIM_US(200));
        for (uint32_t i = 0; i < gicsim_system_num_sources(s); i++) {
            gicsim_summary sm;
            gicsim_histogram_summary(gicsim_system_latency(s, i), &sm);
            if (sm.count == 0)
                fail_msg("%s: source %u delivered nothing", v5_policies[p], i);
        }
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.asserted, st.delivered + st.merged + st.pending);
        assert_int_equal(st.maintenance_irqs, 0);            /* no list registers */
        assert_int_equal(st.exits[GICSIM_EXIT_SGI_TRAP], 0); /* IPIs are the guest's LPIs */
        if (p == 2) { /* gicv5-did: nothing exits for an interrupt of the guest */
            for (size_t i = 0; i < gicsim_system_record_count(s); i++) {
                const gicsim_irq_record *r = tf_record(s, i);
                if (r->vm != UINT32_MAX)
                    assert_int_equal(record_exits(r), 0);
            }
        }
        gicsim_system_destroy(s);
    }
}

/* One scenario and seed, one result: the records of two runs are identical. */
static void test_determinism(void **state)
{
    (void)state;
    gicsim_system *a = all_sources("gicv5-direct", GICSIM_MS(2));
    gicsim_system *b = all_sources("gicv5-direct", GICSIM_MS(2));
    assert_int_equal(gicsim_system_record_count(a), gicsim_system_record_count(b));
    for (size_t i = 0; i < gicsim_system_record_count(a); i++)
        assert_memory_equal(tf_record(a, i), tf_record(b, i), sizeof(gicsim_irq_record));
    gicsim_system_destroy(a);
    gicsim_system_destroy(b);
}

/* A busy guest's virtual timer: on a GICv5 its PPI is injected directly while the vCPU runs
 * (ICH_PPI_DVIR), so no tick exits and the guest takes it its exception entry and CDIA after
 * the deadline; on a GICv4.1 every tick exits. */
static void test_timer_without_exit(void **state)
{
    (void)state;
    for (int v5 = 0; v5 < 2; v5++) {
        gicsim_system *s = v5 ? v5_system(1, true) : tf_system(GICSIM_GICV4_1, 1);
        uint32_t vm = tf_vm(s, v5 ? "gicv5-direct" : "gicv41-vsgi", 1, true, true);
        gicsim_source_config c = tf_source_config(GICSIM_SRC_VTIMER, vm, 0, 27);
        c.period = GICSIM_US(100);
        tf_source_add(s, &c);
        gicsim_system_run_for(s, GICSIM_MS(1));
        tf_drain(s, GICSIM_US(10));
        size_t n = gicsim_system_record_count(s);
        assert_true(n >= 9);
        gicsim_time_t take = cost_ps(s, GICSIM_COST_EXC_LOCAL) + cost_ps(s, GICSIM_COST_GICV5_CDIA);
        for (size_t i = 0; i < n; i++) {
            const gicsim_irq_record *r = tf_record(s, i);
            assert_true(r->t_ack != GICSIM_TIME_NEVER);
            if (v5) {
                assert_int_equal(record_exits(r), 0);
                assert_int_equal(r->t_ack - r->t_assert, take);
            } else {
                assert_int_equal(r->exits[GICSIM_EXIT_IRQ], 1);
            }
        }
        gicsim_system_destroy(s);
    }
}

/* A guest's IPI between two busy vCPUs: its GIC CDPEND (no trap) reaches the IRS, which reads
 * the LPI's ISTE and forwards it: gicv5_cpuif_to_irs + gicv5_ist_read + gicv5_irs_to_cpuif,
 * then the receiver's exception entry and CDIA. */
static void test_ipi_without_exit(void **state)
{
    (void)state;
    gicsim_system *s = v5_system(2, true);
    uint32_t vm = tf_vm(s, "gicv5-direct", 2, true, true);
    gicsim_source_config c = tf_source_config(GICSIM_SRC_SGI, vm, 1, 3);
    c.sender_vcpu = 0;
    c.period = GICSIM_US(50);
    tf_source_add(s, &c);
    gicsim_system_run_for(s, GICSIM_MS(1));
    gicsim_time_t path = cost_ps(s, GICSIM_COST_GICV5_CPUIF_TO_IRS) +
                         cost_ps(s, GICSIM_COST_GICV5_IST_READ) +
                         cost_ps(s, GICSIM_COST_GICV5_IRS_TO_CPUIF) +
                         cost_ps(s, GICSIM_COST_EXC_LOCAL) + cost_ps(s, GICSIM_COST_GICV5_CDIA);
    size_t n = gicsim_system_record_count(s);
    assert_true(n >= 15);
    for (size_t i = 0; i < n; i++) {
        const gicsim_irq_record *r = tf_record(s, i);
        assert_int_equal(record_exits(r), 0);
        assert_int_equal(r->t_ack - r->t_assert, path);
    }
    assert_int_equal(tf_system_stats(s).exits_total, 0);
    tf_drain(s, GICSIM_US(10));
    gicsim_system_destroy(s);
}

/* An MSI to a vCPU blocked in WFI: the IRS rings its doorbell, the host wakes and loads it,
 * ICH_CONTEXTR_EL2 makes it resident and gicv5_vpe_resident later the IRS forwards the vLPI.
 * Returns the latency of the one instance. */
static gicsim_time_t blocked_msi_latency(uint64_t resident_cycles, uint64_t *doorbells)
{
    gicsim_system_config sc = tf_system_config(GICSIM_GICV5, 1);
    sc.timing.cycles[GICSIM_COST_GICV5_VPE_RESIDENT] = resident_cycles;
    gicsim_system *s = tf_system_new(&sc);
    uint32_t vm = tf_vm(s, "gicv5-direct", 1, false, true);
    gicsim_source_config c = tf_source_config(GICSIM_SRC_MSI, vm, 0, 8400);
    c.arrival = GICSIM_ARRIVE_MANUAL;
    uint32_t src = tf_source_add(s, &c);
    gicsim_system_run_for(s, GICSIM_US(50)); /* booted, blocked */
    assert_int_equal(gicsim_source_trigger(s, src), GICSIM_OK);
    tf_drain(s, GICSIM_US(50));
    tf_check_all_completed(s, 1);
    *doorbells = tf_system_stats(s).doorbells;
    gicsim_time_t lat = tf_record(s, 0)->t_ack - tf_record(s, 0)->t_assert;
    gicsim_system_destroy(s);
    return lat;
}

/* Residency costs what it says: 1000 GIC cycles more of gicv5_vpe_resident delay a blocked
 * vCPU's MSI by exactly 1 us, all on its path. */
static void test_residency_cost(void **state)
{
    (void)state;
    uint64_t db0 = 0, db1 = 0;
    gicsim_time_t a = blocked_msi_latency(250, &db0), b = blocked_msi_latency(1250, &db1);
    assert_int_equal(db0, 1);
    assert_int_equal(db1, 1);
    assert_int_equal(b - a, GICSIM_US(1));
}

/* The doorbell's priority mask: when the vCPU blocks, KVM asks for a doorbell with DBPM from
 * the guest's mask (ICH_VMCR_EL2.VPMR, here 10): an MSI at priority 0xA0 (20 in the GICv5's
 * five bits) does not ring and stays pending in the VM's IST; one at 0x40 (8) rings and
 * wakes the vCPU. */
static void test_doorbell_priority_mask(void **state)
{
    (void)state;
    gicsim_system *s = v5_system(1, true);
    gicsim_gic *g = gicsim_system_gic(s);
    uint32_t vm = tf_vm(s, "gicv5-direct", 1, false, true);
    gicsim_source_config c = tf_source_config(GICSIM_SRC_MSI, vm, 0, 8400);
    c.arrival = GICSIM_ARRIVE_MANUAL;
    uint32_t low = tf_source_add(s, &c);
    c = tf_source_config(GICSIM_SRC_MSI, vm, 0, 8401);
    c.arrival = GICSIM_ARRIVE_MANUAL;
    c.priority = 0x40;
    uint32_t high = tf_source_add(s, &c);
    /* Run until the vCPU is first loaded (its vPE named in ICH_CONTEXTR_EL2), then mask. */
    uint64_t ctx = 0;
    for (int i = 0; i < 1000 && !(ctx & GICSIM_GICV5_CONTEXTR_V); i++) {
        gicsim_system_run_for(s, GICSIM_NS(10));
        gicsim_gicv5_sysreg_read(g, 0, GICSIM_GICV5_ICH_CONTEXTR, &ctx);
    }
    assert_true(ctx & GICSIM_GICV5_CONTEXTR_V);
    assert_int_equal(gicsim_gicv5_sysreg_write(g, 0, GICSIM_GICV5_ICH_VMCR, 1u | (10ull << 27)),
                     GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(50)); /* the guest blocks in WFI */
    uint64_t db = tf_system_stats(s).doorbells;
    assert_int_equal(gicsim_source_trigger(s, low), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(50));
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.doorbells, db);
    assert_int_equal(st.delivered, 0);
    gicsim_irq_state vs;
    assert_int_equal(
        gicsim_gicv5_virq_state(g, vm, GICSIM_GICV5_INTID(GICSIM_GICV5_LPI, 8400), &vs), GICSIM_OK);
    assert_int_equal(vs, GICSIM_IRQ_PENDING);
    assert_int_equal(gicsim_source_trigger(s, high), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(50));
    st = tf_system_stats(s);
    assert_int_equal(st.doorbells, db + 1);
    assert_int_equal(st.delivered, 1); /* the 0x40 one; the 0xA0 one stays masked */
    tf_check_accounting(s);
    gicsim_system_destroy(s);
}

/* A level SPI under gicv5-direct: the host takes it, masks it (CDDIS), sets the VM's SPI
 * pending with VDPEND and unmasks it once it sees, at the vCPU's next exit or put, that the
 * guest has ended it: every instance is delivered by the host. A busy guest that never exits
 * keeps it masked: the next instance waits. Under gicv5-wired-direct the SPI is the VM's
 * (IRS_SPI_VMR): the host never takes it and a busy guest gets every instance. */
static void test_level_wired(void **state)
{
    (void)state;
    for (int direct = 0; direct < 2; direct++) {
        for (int busy = 0; busy < 2; busy++) {
            gicsim_system *s = v5_system(2, true);
            const char *pol = direct ? "gicv5-wired-direct" : "gicv5-direct";
            uint32_t vm = tf_vm(s, pol, 1, busy, true);
            gicsim_source_config c = tf_source_config(GICSIM_SRC_SPI_LEVEL, vm, 0, 50);
            c.period = GICSIM_US(20);
            c.deassert_at = GICSIM_NS(500);
            tf_source_add(s, &c);
            gicsim_system_run_for(s, GICSIM_MS(1));
            tf_drain(s, GICSIM_US(100));
            gicsim_gic_stats gs;
            gicsim_gic_get_stats(gicsim_system_gic(s), &gs);
            gicsim_system_stats st = tf_system_stats(s);
            size_t n = gicsim_system_record_count(s);
            assert_true(n >= 45);
            if (busy && !direct) { /* masked after the first: the line never drops for it */
                assert_int_equal(st.delivered, 1);
            } else {
                tf_check_all_completed(s, n);
                /* The host's acknowledges: the SPI's each time, and the doorbells. */
                assert_int_equal(gs.acknowledged, (direct ? 0 : n) + st.doorbells);
            }
            gicsim_system_destroy(s);
        }
    }
}

/* An IPI sent at time 0 wakes its blocked sender before the IRS has made the VM and its vPEs
 * valid: the vCPU is not loaded before (its vPE could not be made resident), and the boot
 * queue's end makes it runnable once, like the others; every IPI is delivered. */
static void test_wake_before_boot(void **state)
{
    (void)state;
    gicsim_system *s = v5_system(2, true);
    uint32_t vm = tf_vm(s, "gicv5-direct", 2, false, true);
    gicsim_source_config c = tf_source_config(GICSIM_SRC_SGI, vm, 1, 3);
    c.sender_vcpu = 0;
    c.start = 0;
    c.period = GICSIM_US(20);
    tf_source_add(s, &c);
    char msg[512];
    for (int i = 0; i < 200; i++) {
        gicsim_system_run_for(s, GICSIM_NS(5));
        if (gicsim_system_check_invariants(s, msg, sizeof msg) != GICSIM_OK)
            fail_msg("at %d ns: %s", 5 * (i + 1), msg);
    }
    gicsim_system_run_for(s, GICSIM_US(200));
    tf_drain(s, GICSIM_US(50));
    tf_check_all_completed(s, gicsim_system_record_count(s));
    assert_true(gicsim_system_record_count(s) >= 10);
    gicsim_system_destroy(s);
}

/* The shipped default scenario under gicv5-direct with every CPU cost scaled by `jitter`
 * (platform_overrides.variation.jitter.all), run with its records kept, checked (invariants,
 * accounting) and returned; `sc` to free after it. */
static gicsim_system *default_v5(const char *jitter, gicsim_scenario **sc)
{
    char path[512], ov_jitter[128];
    snprintf(path, sizeof path, "%s/default.yaml", GICSIM_SCENARIO_DIR);
    snprintf(ov_jitter, sizeof ov_jitter, "platform_overrides.variation.jitter.all=%s", jitter);
    const char *ov[] = {"vms.0.policy=gicv5-direct", "gic.version=v5", ov_jitter};
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    if (gicsim_scenario_load(path, ov, sizeof ov / sizeof ov[0], sc, &d) != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_scenario_build(*sc, "gicv5-direct", &s, &d), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
    gicsim_system_run_for(s, gicsim_scenario_duration(*sc));
    char msg[512];
    if (gicsim_system_check_invariants(s, msg, sizeof msg) != GICSIM_OK)
        fail_msg("jitter.all %s: %s", jitter, msg);
    tf_check_accounting(s);
    return s;
}

/* default_v5 with jitter.all 0 (every CPU cost 0) and 0.5. The disk's level SPI: the guest
 * ends an instance, the host finds the line still high at the exit's fold and again at the
 * put, before the first VDPEND has landed, and sets the VM's SPI pending twice. The record
 * rides the first VDPEND only; the second lands on its pending state (VMERGE) and must not
 * mark merged the record the guest then acknowledges (docs/invariants.md (e)). */
static void test_level_resampled_twice(void **state)
{
    (void)state;
    static const char *const jitter[] = {"0", "0.5"};
    for (size_t j = 0; j < sizeof jitter / sizeof jitter[0]; j++) {
        gicsim_scenario *sc = NULL;
        gicsim_system *s = default_v5(jitter[j], &sc);
        assert_true(gicsim_histogram_count(gicsim_system_latency(s, 1)) >= 25); /* the disk */
        gicsim_system_destroy(s);
        gicsim_scenario_free(sc);
    }
}

/* A level SPI's deactivation on its way to the IRS when the host looks: with the CPU costs
 * halved (default_v5 with jitter.all 0.5), the guest's CDDI of the disk's SPI, its WFI exit
 * and the put all come within gicv5_cpuif_to_irs, so the state read (at the fold and at the
 * put) found the SPI still active and the line stayed masked until the vCPU's next exit: its
 * timer, up to 1 ms later (50 of ~240 delivered). The read follows the PE's CDDI at the IRS:
 * the disk's path is a few microseconds. */
static void test_deactivation_in_flight(void **state)
{
    (void)state;
    gicsim_scenario *sc = NULL;
    gicsim_system *s = default_v5("0.5", &sc);
    const gicsim_histogram *disk = gicsim_system_latency(s, 1);
    assert_true(gicsim_histogram_count(disk) >= 200); /* Poisson, 200 us over 50 ms */
    assert_true(gicsim_histogram_max(disk) < GICSIM_US(20));
    gicsim_system_destroy(s);
    gicsim_scenario_free(sc);
}

/* The invariant checker follows the host's residency: a PE whose ICH_CONTEXTR_EL2 is changed
 * behind the host's back (the vPE of its loaded vCPU no longer named) is reported. */
static void test_invariant_residency(void **state)
{
    (void)state;
    gicsim_system *s = v5_system(1, true);
    tf_vm(s, "gicv5-direct", 1, true, true);
    gicsim_system_run_for(s, GICSIM_US(20));
    assert_int_equal(gicsim_system_check_invariants(s, NULL, 0), GICSIM_OK);
    gicsim_gicv5_sysreg_write(gicsim_system_gic(s), 0, GICSIM_GICV5_ICH_CONTEXTR, 0);
    char msg[512];
    assert_int_not_equal(gicsim_system_check_invariants(s, msg, sizeof msg), GICSIM_OK);
    assert_non_null(strstr(msg, "ICH_CONTEXTR_EL2"));
    gicsim_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_checks),
        cmocka_unit_test(test_all_sources),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_timer_without_exit),
        cmocka_unit_test(test_ipi_without_exit),
        cmocka_unit_test(test_residency_cost),
        cmocka_unit_test(test_doorbell_priority_mask),
        cmocka_unit_test(test_level_wired),
        cmocka_unit_test(test_wake_before_boot),
        cmocka_unit_test(test_level_resampled_twice),
        cmocka_unit_test(test_deactivation_in_flight),
        cmocka_unit_test(test_invariant_residency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
