/* gicsim: tests of the hypervisor delivery policies (gicsim/hypervisor.h) as
 * they show in a running system: VM exits per interrupt for each built-in
 * policy and trigger, the re-trigger storm that only trap-inject-nomask has,
 * policies registered from outside the library, and the rule that VMs
 * sharing a PE agree on the host's EOImode.
 *
 * Exit counts are exact: with guest_busy the guest computes when an
 * interrupt arrives, so each physical interrupt meets a running guest and
 * costs a VM exit (a trapped WFI would block the vCPU instead, and the
 * interrupt would wake it without an exit). Only the public API is used. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>
#include <gicsim/hypervisor.h>

#include "support/fixtures.h"

#include <stdio.h>
#include <string.h>

#define SPI 40u
#define N_IRQS 20u
#define N_BUILTIN 11u /* trap-inject ... direct-vtimer, gicv5-direct ... gicv5-did */
#define PERIOD GICSIM_US(100)

/* ---- helpers ---------------------------------------------------------------- */

/* A periodic SPI source (`n` arrivals, 100 us apart) on vCPU 0 of `vm`. */
static uint32_t spi_source(gicsim_system *s, uint32_t vm, gicsim_source_kind kind, uint32_t n,
                           gicsim_time_t handler, gicsim_time_t hold)
{
    gicsim_source_config sc = tf_source_config(kind, vm, 0, SPI);
    sc.handler = handler;
    sc.hold = hold;
    sc.period = PERIOD;
    sc.limit = n;
    return tf_source_add(s, &sc);
}

/* ---- exits per interrupt ---------------------------------------------------- */

typedef struct exit_case {
    const char *policy;
    gicsim_source_kind kind;
    uint32_t irq, maintenance; /* exits per interrupt */
} exit_case;

/* KVM-like delivery with a running guest: trap-inject completes the
 * physical interrupt at once (EOImode=0) and, for a level source, masks it
 * and asks for an EOI maintenance interrupt to resample the line: 1 exit
 * (edge) or 2 (level). eoi-split leaves the physical interrupt active and
 * lets the guest's deactivation reach it through HW=1: 1 exit for both.
 * trap-inject-nomask behaves like trap-inject for an edge, and for a level
 * whose handler lowers the line before it ends. */
static void test_exits_per_interrupt(void **state)
{
    (void)state;
    static const exit_case cases[] = {
        {"trap-inject", GICSIM_SRC_SPI_EDGE, 1, 0},
        {"trap-inject", GICSIM_SRC_SPI_LEVEL, 1, 1},
        {"eoi-split", GICSIM_SRC_SPI_EDGE, 1, 0},
        {"eoi-split", GICSIM_SRC_SPI_LEVEL, 1, 0},
        {"trap-inject-nomask", GICSIM_SRC_SPI_EDGE, 1, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const exit_case *k = &cases[c];
        gicsim_system *s = tf_system(GICSIM_GICV3, 2);
        uint32_t vm = tf_vm_on_pe(s, k->policy, 0, true, true);
        spi_source(s, vm, k->kind, N_IRQS, GICSIM_US(2), 0);
        gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));

        tf_check_all_completed(s, N_IRQS);
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.exits[GICSIM_EXIT_IRQ], N_IRQS * k->irq);
        assert_int_equal(st.exits[GICSIM_EXIT_MAINTENANCE], N_IRQS * k->maintenance);
        assert_int_equal(st.exits_total, N_IRQS * (k->irq + k->maintenance));
        assert_int_equal(st.maintenance_irqs, N_IRQS * k->maintenance);
        assert_int_equal(st.lr_spills, 0);
        for (size_t i = 0; i < N_IRQS; i++) {
            const gicsim_irq_record *r = gicsim_system_record(s, i);
            assert_int_equal(r->intid, SPI);
            assert_int_equal(r->exits[GICSIM_EXIT_IRQ], k->irq);
            assert_int_equal(r->exits[GICSIM_EXIT_MAINTENANCE], k->maintenance);
            assert_int_equal(r->maintenance, k->maintenance);
            for (int e = GICSIM_EXIT_WFI; e < GICSIM_EXIT__COUNT; e++)
                assert_int_equal(r->exits[e], 0);
            assert_true(r->hyp_time > 0);
        }
        gicsim_system_destroy(s);
    }
}

/* A level interrupt under trap-inject costs a maintenance exit more than an
 * edge one, and its record's hypervisor time covers that exit too: at least
 * the exception entry, the context save, the run loop, the restore and the
 * return. */
static void test_maintenance_exit_time_attributed(void **state)
{
    (void)state;
    gicsim_timing t;
    gicsim_timing_init(&t);
    gicsim_time_t min_exit = gicsim_timing_ps(&t, GICSIM_COST_EXC_TO_EL2) +
                             gicsim_timing_ps(&t, GICSIM_COST_GUEST_STATE_SAVE) +
                             gicsim_timing_ps(&t, GICSIM_COST_RUN_LOOP) +
                             gicsim_timing_ps(&t, GICSIM_COST_GUEST_STATE_RESTORE) +
                             gicsim_timing_ps(&t, GICSIM_COST_ERET_TO_GUEST);
    gicsim_time_t hyp[2];
    for (int level = 0; level < 2; level++) {
        gicsim_system *s = tf_system(GICSIM_GICV3, 1);
        uint32_t vm = tf_vm_on_pe(s, "trap-inject", 0, true, true);
        spi_source(s, vm, level ? GICSIM_SRC_SPI_LEVEL : GICSIM_SRC_SPI_EDGE, 1, GICSIM_US(2), 0);
        gicsim_system_run_for(s, 2 * PERIOD);
        tf_check_all_completed(s, 1);
        hyp[level] = gicsim_system_record(s, 0)->hyp_time;
        assert_true(hyp[level] >= min_exit);
        assert_true(hyp[level] <= tf_system_stats(s).hyp_time);
        gicsim_system_destroy(s);
    }
    assert_true(hyp[1] >= hyp[0] + min_exit);
}

/* ---- the re-trigger storm --------------------------------------------------- */

/* A level SPI whose device holds its line `hold` after raising it, with a
 * handler longer than that: the irq and maintenance exits per interrupt,
 * and the shortest delivery latency. */
typedef struct storm {
    double irq;
    uint32_t maint;
    gicsim_time_t lat_min;
} storm;

static storm storm_run(const char *policy, gicsim_time_t hold)
{
    const uint32_t n = 5;
    gicsim_system *s = tf_system(GICSIM_GICV3, 1);
    uint32_t vm = tf_vm_on_pe(s, policy, 0, true, true);
    spi_source(s, vm, GICSIM_SRC_SPI_LEVEL, n, GICSIM_US(20), hold);
    gicsim_system_run_for(s, PERIOD * (n + 2));
    tf_check_all_completed(s, n);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.exits_total, st.exits[GICSIM_EXIT_IRQ] + st.exits[GICSIM_EXIT_MAINTENANCE]);
    assert_int_equal(st.exits[GICSIM_EXIT_MAINTENANCE] % n, 0);
    storm r = {(double)st.exits[GICSIM_EXIT_IRQ] / n,
               (uint32_t)(st.exits[GICSIM_EXIT_MAINTENANCE] / n), GICSIM_TIME_NEVER};
    for (size_t i = 0; i < n; i++) {
        const gicsim_irq_record *rec = gicsim_system_record(s, i);
        if (rec->t_ack - rec->t_assert < r.lat_min)
            r.lat_min = rec->t_ack - rec->t_assert;
    }
    gicsim_system_destroy(s);
    return r;
}

/* Without masking, the host's EOIR deactivates a level interrupt whose line
 * is still high: it fires again as soon as the guest is re-entered and the
 * guest never gets to run its handler, until the device drops the line. The
 * number of exits grows with the time the line stays high. trap-inject
 * (masked until the guest's EOI) and eoi-split (active until the guest's
 * deactivation) are immune. */
static void test_retrigger_storm_only_without_mask(void **state)
{
    (void)state;
    for (int h = 1; h <= 2; h++) {
        storm t = storm_run("trap-inject", GICSIM_US(5) * h);
        assert_true(t.irq == 1.0);
        assert_int_equal(t.maint, 1);
        assert_true(t.lat_min < GICSIM_US(1));
        storm e = storm_run("eoi-split", GICSIM_US(5) * h);
        assert_true(e.irq == 1.0);
        assert_int_equal(e.maint, 0);
        assert_true(e.lat_min < GICSIM_US(1));
    }
    storm n5 = storm_run("trap-inject-nomask", GICSIM_US(5));
    storm n10 = storm_run("trap-inject-nomask", GICSIM_US(10));
    /* The guest acknowledges only once the line has dropped; then its EOI
     * maintenance interrupt finds the line low. */
    assert_true(n5.lat_min > GICSIM_US(5));
    assert_true(n10.lat_min > GICSIM_US(10));
    assert_int_equal(n5.maint, 1);
    assert_int_equal(n10.maint, 1);
    assert_true(n5.irq > 2.0); /* a storm: several exits where the others take one */
    /* Twice the hold, about twice the exits. */
    assert_true(n10.irq > 1.6 * n5.irq);
    assert_true(n10.irq < 2.4 * n5.irq);
}

/* ---- the policy table --------------------------------------------------------- */

/* The built-ins come first, in this order, whatever was registered later. */
static void test_builtin_policies_listed(void **state)
{
    (void)state;
    static const char *const names[] = {"trap-inject",  "trap-inject-nomask", "eoi-split",
                                        "gicv4-direct", "gicv41-vsgi",        "did",
                                        "vlpi-emulated"};
    static const bool eoimode[] = {false, false, true, true, true, true, true};
    static const bool direct_msi[] = {false, false, false, true, true, true, false};
    static const bool direct_sgi[] = {false, false, false, false, true, false, false};
    assert_true(gicsim_hyp_policy_count() >= 7);
    for (size_t i = 0; i < 7; i++) {
        const gicsim_hyp_policy *p = gicsim_hyp_policy_at(i);
        assert_non_null(p);
        assert_string_equal(p->name, names[i]);
        assert_ptr_equal(gicsim_hyp_policy_find(names[i]), p);
        assert_int_equal(p->host_eoimode, eoimode[i]);
        assert_int_equal(p->direct_msi, direct_msi[i]);
        assert_int_equal(p->direct_sgi, direct_sgi[i]);
        assert_int_equal(p->wfi_native, !strcmp(names[i], "did"));
        assert_int_equal(p->emulated_its, !strcmp(names[i], "vlpi-emulated"));
        assert_non_null(p->phys_irq);
        assert_non_null(p->description);
    }
    /* Then direct-vtimer and the GICv5 ones: gicv5-direct (KVM's vgic-v5), the same with wired
     * interrupts in hardware, and that with WFI not trapped. */
    static const char *const v5[] = {"gicv5-direct", "gicv5-wired-direct", "gicv5-did"};
    assert_string_equal(gicsim_hyp_policy_at(7)->name, "direct-vtimer");
    for (size_t i = 0; i < 3; i++) {
        const gicsim_hyp_policy *p = gicsim_hyp_policy_at(8 + i);
        assert_string_equal(p->name, v5[i]);
        assert_int_equal(p->gic, GICSIM_GICV5);
        assert_true(p->host_eoimode && p->direct_msi && p->phys_irq && p->eoi_maintenance);
        assert_false(p->direct_sgi || p->direct_timer || p->emulated_its);
        assert_int_equal(p->direct_wired, i > 0);
        assert_int_equal(p->wfi_native, i == 2);
    }
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(gicsim_hyp_policy_at(i)->gic, 0);
    assert_null(gicsim_hyp_policy_at(gicsim_hyp_policy_count()));
    assert_null(gicsim_hyp_policy_find("no-such-policy"));
    assert_null(gicsim_hyp_policy_find(NULL));
    assert_null(gicsim_hyp_policy_find(""));
}

/* A policy of the test program: eoi-split's scheme (EOImode=1, EOIR then
 * HW=1 injection) with an extra fixed cost, counting its calls. */
typedef struct counts {
    uint32_t phys_irq, eoi_maintenance;
    uint32_t last_intid, last_vm, last_vcpu, last_pe;
    gicsim_system *sys;
} counts;

static counts g_counts;
#define EXTRA_COST GICSIM_NS(777)

static void counting_phys_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    g_counts.phys_irq++;
    g_counts.last_intid = intid;
    g_counts.last_vm = vm;
    g_counts.last_vcpu = vcpu;
    g_counts.last_pe = gicsim_hyp_pe(h);
    g_counts.sys = gicsim_hyp_system(h);
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid);
    gicsim_virq q = {.vintid = intid,
                     .level = gicsim_hyp_irq_is_level(h, intid),
                     .line = true,
                     .hw = true,
                     .pintid = intid};
    gicsim_hyp_inject(h, vm, vcpu, &q);
    gicsim_hyp_charge_ps(h, EXTRA_COST);
}

static const gicsim_hyp_policy counting_policy = {
    .name = "test-counting",
    .description = "eoi-split plus 777 ns, counting its calls",
    .host_eoimode = true,
    .phys_irq = counting_phys_irq,
};

/* trap-inject's scheme for an edge, but asking for an EOI maintenance
 * interrupt: the callback runs once per interrupt, after the guest's EOI. */
static void maint_phys_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    g_counts.phys_irq++;
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid);
    gicsim_virq q = {.vintid = intid, .eoi_maint = true};
    gicsim_hyp_inject(h, vm, vcpu, &q);
}

static void maint_eoi(gicsim_hyp *h, uint32_t vintid, uint32_t vm, uint32_t vcpu)
{
    (void)h;
    g_counts.eoi_maintenance++;
    g_counts.last_intid = vintid;
    g_counts.last_vm = vm;
    g_counts.last_vcpu = vcpu;
}

static const gicsim_hyp_policy maint_policy = {
    .name = "test-eoi-maint",
    .description = "trap-inject with an EOI maintenance request for every interrupt",
    .host_eoimode = false,
    .phys_irq = maint_phys_irq,
    .eoi_maintenance = maint_eoi,
};

/* t_ack of a single edge SPI under `policy` with a busy guest. */
static gicsim_time_t single_irq(const char *policy, gicsim_time_t *hyp_time)
{
    gicsim_system *s = tf_system(GICSIM_GICV3, 2);
    /* A second VM first, so the policy's VM is not VM 0 and its vCPU 1 is
     * the one that receives. */
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    vc.pe_first = 1;
    vc.pe_count = 1;
    vc.policy = "trap-inject";
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_OK);
    vc.policy = policy;
    vc.num_vcpus = 2;
    vc.guest_busy = true;
    vc.pe_first = 0;
    vc.pe_count = 1;
    uint32_t vm = 0;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    assert_int_equal(vm, 1);
    gicsim_source_config sc;
    gicsim_source_config_init(&sc);
    sc.vm = vm;
    sc.vcpu = 0;
    sc.intid = SPI;
    sc.limit = 1;
    assert_int_equal(gicsim_source_add(s, &sc, NULL), GICSIM_OK);
    uint32_t calls = g_counts.phys_irq;
    gicsim_system_run_for(s, 2 * PERIOD);
    tf_check_all_completed(s, 1);
    if (g_counts.phys_irq != calls)
        assert_ptr_equal(g_counts.sys, s);
    const gicsim_irq_record *r = gicsim_system_record(s, 0);
    gicsim_time_t lat = r->t_ack - r->t_assert;
    *hyp_time = r->hyp_time;
    gicsim_system_destroy(s);
    return lat;
}

/* A policy registered by the program is found by name, a VM uses it, and
 * its callbacks run at the documented steps; the time a callback charges
 * elapses on the PE before the hypervisor's next step. */
static void test_custom_policy(void **state)
{
    (void)state;
    size_t n0 = gicsim_hyp_policy_count();
    assert_int_equal(gicsim_hyp_policy_register(&counting_policy), GICSIM_OK);
    assert_int_equal(gicsim_hyp_policy_register(&maint_policy), GICSIM_OK);
    assert_int_equal(gicsim_hyp_policy_count(), n0 + 2);
    assert_ptr_equal(gicsim_hyp_policy_at(n0), &counting_policy);
    assert_ptr_equal(gicsim_hyp_policy_at(n0 + 1), &maint_policy);
    assert_ptr_equal(gicsim_hyp_policy_find("test-counting"), &counting_policy);
    assert_ptr_equal(gicsim_hyp_policy_find("test-eoi-maint"), &maint_policy);
    assert_string_equal(gicsim_hyp_policy_at(2)->name, "eoi-split");

    /* Its phys_irq runs once per interrupt, for the right (vm, vcpu) on the
     * PE the SPI is routed to; its extra cost shows exactly in the latency
     * and the exit's hypervisor time. */
    memset(&g_counts, 0, sizeof g_counts);
    gicsim_time_t hyp_ref = 0, hyp_custom = 0;
    gicsim_time_t lat_ref = single_irq("eoi-split", &hyp_ref);
    assert_int_equal(g_counts.phys_irq, 0);
    gicsim_time_t lat_custom = single_irq("test-counting", &hyp_custom);
    assert_int_equal(g_counts.phys_irq, 1);
    assert_int_equal(g_counts.last_intid, SPI);
    assert_int_equal(g_counts.last_vm, 1);
    assert_int_equal(g_counts.last_vcpu, 0);
    assert_int_equal(g_counts.last_pe, 0);
    assert_int_equal(lat_custom - lat_ref, EXTRA_COST);
    assert_int_equal(hyp_custom - hyp_ref, EXTRA_COST);

    /* Both callbacks of a policy with EOI maintenance: one maintenance exit
     * per interrupt, found while folding the list registers. */
    memset(&g_counts, 0, sizeof g_counts);
    gicsim_system *s = tf_system(GICSIM_GICV3, 2);
    uint32_t vm = tf_vm_on_pe(s, "test-eoi-maint", 0, true, true);
    spi_source(s, vm, GICSIM_SRC_SPI_EDGE, N_IRQS, GICSIM_US(2), 0);
    gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
    tf_check_all_completed(s, N_IRQS);
    assert_int_equal(g_counts.phys_irq, N_IRQS);
    assert_int_equal(g_counts.eoi_maintenance, N_IRQS);
    assert_int_equal(g_counts.last_intid, SPI);
    assert_int_equal(g_counts.last_vm, vm);
    assert_int_equal(g_counts.last_vcpu, 0);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.exits[GICSIM_EXIT_IRQ], N_IRQS);
    assert_int_equal(st.exits[GICSIM_EXIT_MAINTENANCE], N_IRQS);
    gicsim_system_destroy(s);
}

/* A policy that uses every optional hook: each counts its calls, and the
 * entry hook charges a fixed time. */
typedef struct hook_counts {
    uint32_t load, put, put_blocking, exit, exit_reason[GICSIM_EXIT__COUNT], entry, wfi;
} hook_counts;

static hook_counts g_hooks;

#define HOOK_ENTRY_COST GICSIM_NS(100)

static void hooks_load(gicsim_hyp *h, uint32_t vm, uint32_t vcpu)
{
    (void)h, (void)vm, (void)vcpu;
    g_hooks.load++;
}

static void hooks_put(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, bool blocking)
{
    (void)h, (void)vm, (void)vcpu;
    g_hooks.put++;
    g_hooks.put_blocking += blocking;
}

static void hooks_exit(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, gicsim_exit_reason r)
{
    (void)h, (void)vm, (void)vcpu;
    g_hooks.exit++;
    g_hooks.exit_reason[r]++;
}

static void hooks_entry(gicsim_hyp *h, uint32_t vm, uint32_t vcpu)
{
    (void)vm, (void)vcpu;
    g_hooks.entry++;
    gicsim_hyp_charge_ps(h, HOOK_ENTRY_COST);
}

static void hooks_wfi(gicsim_hyp *h, uint32_t vm, uint32_t vcpu)
{
    (void)h, (void)vm, (void)vcpu;
    g_hooks.wfi++;
}

static void hooks_phys_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid);
    gicsim_virq q = {.vintid = intid, .hw = true, .pintid = intid};
    gicsim_hyp_inject(h, vm, vcpu, &q);
}

static const gicsim_hyp_policy hooks_policy = {
    .name = "test-hooks",
    .description = "eoi-split with every optional hook counting its calls",
    .host_eoimode = true,
    .phys_irq = hooks_phys_irq,
    .vcpu_load = hooks_load,
    .vcpu_put = hooks_put,
    .vcpu_exit = hooks_exit,
    .vcpu_entry = hooks_entry,
    .wfi = hooks_wfi,
};

/* The optional hooks run at their steps: one entry per entry (and its
 * charge shows exactly in the latency), one exit hook per VM exit with its
 * reason, one wfi hook per trapped WFI, loads and puts as the vCPU is
 * scheduled, puts after a WFI marked blocking. */
static void test_policy_hooks(void **state)
{
    (void)state;
    assert_int_equal(gicsim_hyp_policy_register(&hooks_policy), GICSIM_OK);

    /* Busy guest: one irq exit and one entry per interrupt. */
    gicsim_time_t hyp_ref = 0, hyp_hooks = 0;
    gicsim_time_t lat_ref = single_irq("eoi-split", &hyp_ref);
    memset(&g_hooks, 0, sizeof g_hooks);
    gicsim_time_t lat_hooks = single_irq("test-hooks", &hyp_hooks);
    assert_int_equal(lat_hooks - lat_ref, HOOK_ENTRY_COST);
    assert_int_equal(g_hooks.load, 1);
    assert_int_equal(g_hooks.exit, 1);
    assert_int_equal(g_hooks.exit_reason[GICSIM_EXIT_IRQ], 1);
    assert_int_equal(g_hooks.entry, 2); /* the first entry after the load, then after the exit */
    assert_int_equal(g_hooks.wfi, 0);
    assert_int_equal(g_hooks.put, 0);

    /* Idle guest with trapped WFI: every interrupt wakes the vCPU. */
    memset(&g_hooks, 0, sizeof g_hooks);
    gicsim_system *s = tf_system(GICSIM_GICV3, 2);
    uint32_t vm = tf_vm(s, "test-hooks", 1, false, true);
    spi_source(s, vm, GICSIM_SRC_SPI_EDGE, N_IRQS, GICSIM_US(2), 0);
    gicsim_system_run_for(s, PERIOD * (N_IRQS + 2));
    tf_check_all_completed(s, N_IRQS);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(g_hooks.exit, st.exits_total);
    assert_int_equal(g_hooks.exit_reason[GICSIM_EXIT_WFI], st.exits[GICSIM_EXIT_WFI]);
    assert_int_equal(g_hooks.wfi, st.exits[GICSIM_EXIT_WFI]);
    assert_int_equal(g_hooks.put, g_hooks.put_blocking);
    assert_int_equal(g_hooks.put, st.wakeups + 1); /* the last block has no wake-up yet */
    assert_int_equal(g_hooks.load, st.vcpu_switches);
    assert_int_equal(g_hooks.entry, g_hooks.load + st.exits_total - g_hooks.put);
    gicsim_system_destroy(s);
}

static void dummy_phys_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    (void)h;
    (void)intid;
    (void)vm;
    (void)vcpu;
}

/* Registration errors: a taken name (built-in or not), no name, no
 * phys_irq; and the table's room for 32 policies of the program. */
static void test_register_errors(void **state)
{
    (void)state;
    size_t n0 = gicsim_hyp_policy_count();
    gicsim_hyp_policy p = {.name = "eoi-split", .phys_irq = dummy_phys_irq};
    assert_int_equal(gicsim_hyp_policy_register(&p), GICSIM_E_EXISTS);
    static const gicsim_hyp_policy dup = {.name = "test-dup", .phys_irq = dummy_phys_irq};
    static const gicsim_hyp_policy dup2 = {
        .name = "test-dup", .phys_irq = dummy_phys_irq, .host_eoimode = true};
    assert_int_equal(gicsim_hyp_policy_register(&dup), GICSIM_OK);
    assert_int_equal(gicsim_hyp_policy_register(&dup2), GICSIM_E_EXISTS);
    assert_int_equal(gicsim_hyp_policy_register(&dup), GICSIM_E_EXISTS);
    assert_ptr_equal(gicsim_hyp_policy_find("test-dup"), &dup);
    static const gicsim_hyp_policy no_irq = {.name = "test-no-irq"};
    assert_int_equal(gicsim_hyp_policy_register(&no_irq), GICSIM_E_INVAL);
    /* The GIC a policy drives: a version, or 0; a GICv5 policy has none of GICv4's schemes,
     * and only a GICv5 one hands wired interrupts to the VM. */
    static const gicsim_hyp_policy bad_gic = {
        .name = "test-bad-gic", .phys_irq = dummy_phys_irq, .gic = (gicsim_gic_version)42};
    static const gicsim_hyp_policy v5_sgi = {.name = "test-v5-sgi",
                                             .phys_irq = dummy_phys_irq,
                                             .gic = GICSIM_GICV5,
                                             .direct_msi = true,
                                             .direct_sgi = true};
    static const gicsim_hyp_policy v5_its = {.name = "test-v5-its",
                                             .phys_irq = dummy_phys_irq,
                                             .gic = GICSIM_GICV5,
                                             .emulated_its = true};
    static const gicsim_hyp_policy v3_wired = {
        .name = "test-v3-wired", .phys_irq = dummy_phys_irq, .direct_wired = true};
    assert_int_equal(gicsim_hyp_policy_register(&bad_gic), GICSIM_E_INVAL);
    assert_int_equal(gicsim_hyp_policy_register(&v5_sgi), GICSIM_E_INVAL);
    assert_int_equal(gicsim_hyp_policy_register(&v5_its), GICSIM_E_INVAL);
    assert_int_equal(gicsim_hyp_policy_register(&v3_wired), GICSIM_E_INVAL);
    static const gicsim_hyp_policy no_name = {.phys_irq = dummy_phys_irq};
    assert_int_equal(gicsim_hyp_policy_register(&no_name), GICSIM_E_INVAL);
    static const gicsim_hyp_policy empty_name = {.name = "", .phys_irq = dummy_phys_irq};
    assert_int_equal(gicsim_hyp_policy_register(&empty_name), GICSIM_E_INVAL);
    assert_int_equal(gicsim_hyp_policy_register(NULL), GICSIM_E_INVAL);
    assert_null(gicsim_hyp_policy_find("test-no-irq"));
    assert_int_equal(gicsim_hyp_policy_count(), n0 + 1);

    /* 32 policies of the program at most (this file registered some
     * already): fill the table, then one more is refused. */
    static char names[40][16];
    static gicsim_hyp_policy extra[40];
    size_t user = gicsim_hyp_policy_count() - N_BUILTIN, added = 0;
    for (size_t i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "test-fill-%zu", i);
        extra[i] = (gicsim_hyp_policy){.name = names[i], .phys_irq = dummy_phys_irq};
        gicsim_status rc = gicsim_hyp_policy_register(&extra[i]);
        if (user + added < 32) {
            assert_int_equal(rc, GICSIM_OK);
            added++;
        } else {
            assert_int_equal(rc, GICSIM_E_FULL);
        }
    }
    assert_int_equal(gicsim_hyp_policy_count(), N_BUILTIN + 32);
}

/* ---- VMs and the host's EOImode ------------------------------------------------ */

/* The host's ICC_CTLR_EL1.EOImode is a property of the PE: VMs whose
 * policies need different modes cannot share a PE. */
static void test_eoimode_conflict(void **state)
{
    (void)state;
    gicsim_system *s = tf_system(GICSIM_GICV3, 3);
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    uint32_t vm = UINT32_MAX;

    vc.policy = "eoi-split"; /* EOImode=1 on PE 0 */
    vc.pe_first = 0;
    vc.pe_count = 1;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    assert_int_equal(vm, 0);

    vm = UINT32_MAX;
    vc.policy = "trap-inject"; /* EOImode=0 on PE 0: refused */
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    assert_int_equal(vm, UINT32_MAX);
    vc.policy = "trap-inject-nomask";
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.pe_count = 2; /* PEs 0-1: PE 0 still conflicts */
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.pe_first = 1; /* PEs 1-2: free */
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    assert_int_equal(vm, 1);
    vc.policy = "trap-inject"; /* the same mode on PE 2 */
    vc.pe_first = 2;
    vc.pe_count = 1;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    assert_int_equal(vm, 2);
    vc.policy = "eoi-split"; /* all PEs (pe_count 0): PEs 1 and 2 conflict */
    vc.pe_first = 0;
    vc.pe_count = 0;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.pe_count = 1; /* PE 0 only: the same mode */
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    assert_int_equal(vm, 3);

    /* The host on each PE runs with the mode its VMs need. */
    uint64_t ctlr = 0;
    assert_int_equal(gicsim_icc_read(gicsim_system_gic(s), 0, GICSIM_ICC_CTLR, &ctlr), GICSIM_OK);
    assert_true(ctlr & GICSIM_ICC_CTLR_EOIMODE);
    assert_int_equal(gicsim_icc_read(gicsim_system_gic(s), 1, GICSIM_ICC_CTLR, &ctlr), GICSIM_OK);
    assert_false(ctlr & GICSIM_ICC_CTLR_EOIMODE);

    /* Unknown policies. */
    vm = UINT32_MAX;
    vc.policy = "no-such-policy";
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_NOTFOUND);
    vc.policy = NULL;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_NOTFOUND);
    assert_int_equal(vm, UINT32_MAX);

    /* The VMs that were refused left nothing behind. */
    vc.policy = "eoi-split";
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_OK);
    assert_int_equal(vm, 4);
    gicsim_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_policies_listed),
        cmocka_unit_test(test_exits_per_interrupt),
        cmocka_unit_test(test_maintenance_exit_time_attributed),
        cmocka_unit_test(test_retrigger_storm_only_without_mask),
        cmocka_unit_test(test_eoimode_conflict),
        cmocka_unit_test(test_custom_policy),
        cmocka_unit_test(test_policy_hooks),
        cmocka_unit_test(test_register_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
