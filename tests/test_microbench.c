/* Tests of the calibration benchmarks (models/microbench.c): each figure is
 * the exact sum of the primitive costs along KVM's steps on the test's path
 * (docs/virtualization.md has the table), every cost on a path counts and
 * no other does, VHE and nVHE differ by the EL1 host's transitions, the
 * SGI target search follows the KVM version, runs are deterministic, bad
 * arguments are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gicsim/gicsim.h>
#include <gicsim/microbench.h>

#include <string.h>

/* Costs that all differ (100 + 37 i cycles at 1 GHz), so a wrong sum of
 * them cannot match by accident. */
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

#define C(id) cyc(c, GICSIM_COST_##id)

static double run(const gicsim_mb_config *c, gicsim_mb_test t, gicsim_mb_result *r)
{
    gicsim_mb_result tmp;
    if (!r)
        r = &tmp;
    assert_int_equal(gicsim_mb_run(c, t, r), GICSIM_OK);
    gicsim_mb_result_free(r);
    return r->value_ns;
}

/* The trap round trip every exit-based test of vCPU 0 shares, whose pending
 * list is empty (no vGIC sync or flush work): the trapping instruction, the
 * exception to EL2 with the Spectre-BHB mitigation, __guest_exit and the
 * state save, one pass of the run loop, handle_exit, the state restore and
 * the ERET, plus the second counter read. */
static double trap_round_trip(const gicsim_mb_config *c)
{
    return C(ICC_SYSREG) + C(EXC_TO_EL2) + C(SPECTRE_BHB) + C(GUEST_STATE_SAVE) + C(RUN_LOOP) +
           C(HANDLE_EXIT) + C(GUEST_STATE_RESTORE) + C(ERET_TO_GUEST) + C(COUNTER_READ);
}

/* The MMIO bus of the micro-bench's VM: the distributor, 2 redistributors,
 * the ITS: 3 steps of the binary search. */
static double io_bus(const gicsim_mb_config *c)
{
    return 3 * C(IO_BUS_STEP);
}

/* The vGIC state vcpu_load and vcpu_put switch: ICH_VMCR, ICH_AP0R0 and
 * ICH_AP1R0 (5 priority bits). */
static double vgic_switch(const gicsim_mb_config *c)
{
    return 3 * C(ICH_ACCESS);
}

/* A vCPU that spins and took one interrupt since its last exit: the exit
 * (its sync finds that interrupt's used list register: ICH_HCR, the list
 * register read and cleared, the fold, the prune's walk of one entry) and
 * the run loop, up to the handling of the exit's reason. */
static double irq_exit(const gicsim_mb_config *c)
{
    return C(EXC_TO_EL2) + C(SPECTRE_BHB) + C(GUEST_STATE_SAVE) + C(AP_LIST_ENTRY) +
           3 * C(ICH_ACCESS) + C(LR_FOLD) + C(RUN_LOOP);
}

/* The flush of one pending interrupt (the walk of one entry, one list
 * register built and written, ICH_HCR) and the entry. */
static double flush_one_entry(const gicsim_mb_config *c)
{
    return C(AP_LIST_ENTRY) + C(LR_WRITE) + 2 * C(ICH_ACCESS) + C(GUEST_STATE_RESTORE) +
           C(ERET_TO_GUEST);
}

/* The receiver of a kick: the exit, the host's exception, interrupt entry,
 * acknowledge, IPI handler, EOIR and DIR (EOImode 1), return, the flush and
 * the entry, then the guest's exception: its handler stores the flag before
 * it reads ICV_IAR1. */
static double kicked_receiver(const gicsim_mb_config *c)
{
    return irq_exit(c) + C(EXC_LOCAL) + C(HOST_IRQ_ENTRY) + C(ICC_IAR_READ) + C(IPI_HANDLER) +
           2 * C(ICC_EOIR_WRITE) + C(ERET_LOCAL) + flush_one_entry(c) + C(EXC_LOCAL);
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
    gicsim_mb_config cfg;
    gicsim_mb_config *c = &cfg;
    odd_costs(c);
    gicsim_mb_result r;
    double rt = trap_round_trip(c);
    assert_true(run(c, GICSIM_MB_HVC, &r) == rt + C(HVC_HANDLE));
    assert_int_equal(r.iterations, 32);
    assert_int_equal(r.exits, 32);
    assert_true(r.min_ns == r.max_ns);
    /* The abort, the bus search, then the vGIC's register in the kernel or
     * the round trip to the VMM: KVM_RUN returns (vcpu_put), one system
     * call's return and entry, the VMM, KVM_RUN again (vcpu_load). */
    double abort = C(GUEST_ABORT) + io_bus(c);
    assert_true(run(c, GICSIM_MB_MMIO_READ_VGIC, NULL) ==
                rt + abort + C(VGIC_MMIO) + C(MMIO_COMPLETE));
    assert_true(run(c, GICSIM_MB_MMIO_READ_USER, NULL) ==
                rt + abort + C(KVM_IOCTL) + C(VCPU_PUT) + vgic_switch(c) + C(SYSCALL) +
                    C(SPECTRE_BHB) + C(VMM_MMIO) + C(VCPU_LOAD) + vgic_switch(c) +
                    C(MMIO_COMPLETE));
    assert_true(run(c, GICSIM_MB_EOI, &r) == C(ICV_EOIR_WRITE) + C(COUNTER_READ));
    assert_int_equal(r.exits, 0); /* ICV_EOIR1 of 1023 does not trap */
}

/* ipi: the sender traps and emulates the SGI1R write, queues the SGI and
 * kicks; the kick flies to PE 1 (sgi_route, redist_to_cpuif), vCPU 1 exits,
 * takes the kick in the host, re-enters and takes the vIRQ; its flag
 * reaches vCPU 0 one cache-line transfer later; the second counter read. */
static void test_ipi_exact(void **state)
{
    (void)state;
    gicsim_mb_config cfg;
    gicsim_mb_config *c = &cfg;
    odd_costs(c);
    gicsim_mb_result r;
    double sender = C(ICC_SYSREG) + C(EXC_TO_EL2) + C(SPECTRE_BHB) + C(GUEST_STATE_SAVE) +
                    C(RUN_LOOP) + C(HANDLE_EXIT) + C(SYSREG_TRAP) + C(SGI_DISPATCH) + C(IRQ_QUEUE) +
                    C(VCPU_KICK);
    double flight = C(SGI_ROUTE) + C(REDIST_TO_CPUIF);
    double tail = C(CACHELINE_TRANSFER) + C(COUNTER_READ);
    double v = run(c, GICSIM_MB_IPI, &r);
    assert_true(v == sender + flight + kicked_receiver(c) + tail);
    assert_int_equal(r.exits, 2 * 32); /* SGI trap on vCPU 0, kick on vCPU 1 */

    /* With KVM's linear search for the target (before Linux 6.7), the
     * vCPUs up to the target are compared: vCPU 1 is the second. */
    cfg.kvm.sgi_lookup = GICSIM_SGI_LOOKUP_VCPU_WALK;
    assert_true(run(c, GICSIM_MB_IPI, NULL) == v + 2 * C(SGI_VCPU_WALK));
    cfg.kvm.sgi_lookup = GICSIM_SGI_LOOKUP_MPIDR_TABLE;

    /* GICv4.1: vCPU 1 takes the vSGI without exiting. */
    double hw = run(c, GICSIM_MB_IPI_HW, &r);
    assert_int_equal(r.exits, 32);
    assert_true(hw < v);
}

/* lpi: the sender's GITS_CWRITER write traps to the kernel's emulated ITS,
 * which runs the INT command (find_ite walks one device and one event,
 * caches the translation), queues the LPI and kicks; the receiver is ipi's;
 * the sender then reads GITS_CREADR (a second kernel MMIO trap) before it
 * waits for the flag: the figure ends when both are done. */
static void test_lpi_exact(void **state)
{
    (void)state;
    gicsim_mb_config cfg;
    gicsim_mb_config *c = &cfg;
    odd_costs(c);
    gicsim_mb_result r;
    double kick = C(ICC_SYSREG) + C(EXC_TO_EL2) + C(SPECTRE_BHB) + C(GUEST_STATE_SAVE) +
                  C(RUN_LOOP) + C(HANDLE_EXIT) + C(GUEST_ABORT) + io_bus(c) + C(VGIC_MMIO) +
                  C(ITS_CMD_EMULATE) + 2 * C(ITS_WALK_STEP) + C(ITS_CACHE_OP) + C(IRQ_QUEUE) +
                  C(VCPU_KICK);
    double flag =
        kick + C(SGI_ROUTE) + C(REDIST_TO_CPUIF) + kicked_receiver(c) + C(CACHELINE_TRANSFER);
    double back = kick + C(MMIO_COMPLETE) + C(GUEST_STATE_RESTORE) + C(ERET_TO_GUEST);
    double creadr = back + trap_round_trip(c) - C(COUNTER_READ) + C(GUEST_ABORT) + io_bus(c) +
                    C(VGIC_MMIO) + C(MMIO_COMPLETE);
    double lpi = run(c, GICSIM_MB_LPI, &r);
    assert_true(lpi == (flag > creadr ? flag : creadr) + C(COUNTER_READ));
    assert_int_equal(r.exits, 3 * 32); /* CWRITER, CREADR, the kick */
}

/* timer_10ms: the deadline (armed one counter read after the start, as the
 * test reads CNTVCT before it programs the timer) raises PPI 27, which
 * reaches the PE (redist_to_cpuif) and makes vCPU 0 exit; the host's IRQ
 * window runs the timer's handler (kvm_arch_timer_handler), eoi-split's EOIR
 * and the injection; the flush and the entry; the guest's handler sets the
 * flag itself. */
static void test_timer_exact(void **state)
{
    (void)state;
    gicsim_mb_config cfg;
    gicsim_mb_config *c = &cfg;
    odd_costs(c);
    gicsim_mb_result r;
    double t = run(c, GICSIM_MB_TIMER_10MS, &r);
    assert_int_equal(r.exits, r.iterations); /* one IRQ exit per expiry */
    assert_true(r.iterations > 0 && r.iterations <= 64);
    assert_true(t == C(REDIST_TO_CPUIF) + irq_exit(c) + C(EXC_LOCAL) + C(HOST_IRQ_ENTRY) +
                         C(ICC_IAR_READ) + C(TIMER_IRQ) + C(ICC_EOIR_WRITE) + C(IRQ_QUEUE) +
                         C(ERET_LOCAL) + flush_one_entry(c) + C(EXC_LOCAL) + C(ICV_IAR_READ) +
                         2 * C(COUNTER_READ));
}

/* The host-side steps: msi_inject's call is one system call into the VM's
 * ioctl, the ITS found on the bus (distributor, one redistributor, ITS: 2
 * steps), the cached translation, the queueing and the kick;
 * doorbell_enable the IRQ core's work and the invalidation (the write, the
 * first GICR_SYNCR read, more reads while the redistributor re-reads the
 * configuration byte); vcpu_load the load with its vGIC state, the vPE made
 * resident (two register writes), the flush of the timer's interrupt, the
 * check of GICR_VPENDBASER.Dirty and the state restore. */
static void test_host_steps_exact(void **state)
{
    (void)state;
    gicsim_mb_config cfg;
    gicsim_mb_config *c = &cfg;
    odd_costs(c);
    gicsim_mb_result r;
    assert_true(run(c, GICSIM_MB_MSI_INJECT, &r) == C(SYSCALL) + C(SPECTRE_BHB) + C(KVM_IOCTL) +
                                                        2 * C(IO_BUS_STEP) + C(ITS_CACHE_OP) +
                                                        C(IRQ_QUEUE) + C(VCPU_KICK));
    assert_int_equal(r.iterations, 32);

    /* The configuration read is shorter than the write and the first read:
     * no second read of GICR_SYNCR. */
    cfg.timing.cycles[GICSIM_COST_LPI_CONFIG_READ] = 2 * (uint64_t)C(GIC_MMIO) - 1;
    double db = run(c, GICSIM_MB_DOORBELL_ENABLE, &r);
    assert_true(db == C(DOORBELL_ENABLE) + 2 * C(GIC_MMIO));
    assert_true(r.iterations > 0);
    /* Longer by 2.5 reads: three more reads. */
    cfg.timing.cycles[GICSIM_COST_LPI_CONFIG_READ] = (uint64_t)(4.5 * C(GIC_MMIO));
    assert_true(run(c, GICSIM_MB_DOORBELL_ENABLE, NULL) == db + 3 * C(GIC_MMIO));

    /* The parse is done by the time of the check: no wait. */
    cfg.timing.cycles[GICSIM_COST_VPT_SCAN] = 1;
    double load = C(VCPU_LOAD) + vgic_switch(c) + C(VPE_RESIDENT) + 2 * C(GIC_MMIO) +
                  C(AP_LIST_ENTRY) + C(LR_WRITE) + 2 * C(ICH_ACCESS) + C(VPE_COMMIT) + C(GIC_MMIO) +
                  C(GUEST_STATE_RESTORE);
    assert_true(run(c, GICSIM_MB_VCPU_LOAD, &r) == load);
    /* Not done (100 us of parse): KVM waits vpt_poll_delay (1 us) and reads
     * again until Dirty clears: whole polls, the last one the first to find
     * the parse done. */
    cfg.timing.cycles[GICSIM_COST_VPT_SCAN] = 100000;
    double waited = run(c, GICSIM_MB_VCPU_LOAD, NULL) - load, poll = 1000 + C(GIC_MMIO);
    double polls = waited / poll;
    assert_true(polls >= 1 && polls == (double)(uint64_t)polls);
    assert_true(load + waited > 100000 && load + waited - poll <= 100000 + load);

    /* Before Linux 5.11 (kvm.vpt_wait: load) the first read of
     * GICR_VPENDBASER follows its write inside the load, with no vpe_commit
     * at the flush; */
    cfg.kvm.vpt_wait = GICSIM_VPT_WAIT_LOAD;
    cfg.timing.cycles[GICSIM_COST_VPT_SCAN] = 1;
    double early = load - C(VPE_COMMIT);
    assert_true(run(c, GICSIM_MB_VCPU_LOAD, NULL) == early);
    /* a parse in progress is waited for there, in whole polls, and the flush
     * no longer overlaps it: never shorter than the wait at the flush. */
    cfg.timing.cycles[GICSIM_COST_VPT_SCAN] = 100000;
    double waited_load = run(c, GICSIM_MB_VCPU_LOAD, NULL) - early;
    polls = waited_load / poll;
    assert_true(polls >= 1 && polls == (double)(uint64_t)polls);
    assert_true(early + waited_load >= load + waited);
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
        {GICSIM_COST_VMM_MMIO, {0, 1, 0, 0, 0, 0, 0, 0}},
        {GICSIM_COST_VCPU_LOAD, {0, 1, 0, 0, 0, 0, 0, 0}},
        {GICSIM_COST_VGIC_MMIO, {0, 0, 1, 0, 0, 0, 1, 0}},
        {GICSIM_COST_GUEST_ABORT, {0, 1, 1, 0, 0, 0, 1, 0}},
        {GICSIM_COST_ICV_EOIR_WRITE, {0, 0, 0, 1, 0, 0, 0, 0}},
        {GICSIM_COST_ITS_CMD_EMULATE, {0, 0, 0, 0, 0, 0, 1, 0}},
        {GICSIM_COST_SYSREG_TRAP, {0, 0, 0, 0, 1, 1, 0, 0}},
        {GICSIM_COST_TIMER_IRQ, {0, 0, 0, 0, 0, 0, 0, 1}},
        {GICSIM_COST_RUN_LOOP, {1, 1, 1, 0, 1, 1, 1, 1}},
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
    /* Without VHE a trap goes to the host kernel at EL1 and back: an ERET
     * to EL1 and an HVC to EL2, and the EL1 context switched each way. */
    assert_true(nvhe - vhe == 2 * cyc(&c, GICSIM_COST_WORLD_SWITCH) +
                                  cyc(&c, GICSIM_COST_ERET_TO_HOST) +
                                  cyc(&c, GICSIM_COST_EXC_HOST_TO_EL2));
}

static void test_deterministic_and_errors(void **state)
{
    (void)state;
    gicsim_mb_config c;
    gicsim_mb_config_init(&c);
    gicsim_mb_result a, b;
    for (int t = 0; t < GICSIM_MB__COUNT; t++) {
        if (t == GICSIM_MB_TIMER_BM || t == GICSIM_MB_TIMER_VM)
            continue; /* seed 004's runs: a second each */
        assert_int_equal(gicsim_mb_run(&c, (gicsim_mb_test)t, &a), GICSIM_OK);
        assert_int_equal(gicsim_mb_run(&c, (gicsim_mb_test)t, &b), GICSIM_OK);
        assert_true(a.value_ns == b.value_ns && a.exits == b.exits);
        if (t < GICSIM_MB_TIMER_BM)
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
        cmocka_unit_test(test_lpi_exact),
        cmocka_unit_test(test_timer_exact),
        cmocka_unit_test(test_host_steps_exact),
        cmocka_unit_test(test_costs_on_paths),
        cmocka_unit_test(test_nvhe),
        cmocka_unit_test(test_deterministic_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
