/* gicsim: the bare-metal timer path and the what-if direct timer (issue #6,
 * seed 004's calibration):
 *
 * 1. GICSIM_SRC_HOST_TIMER, the host kernel's own hrtimer on a PE: its exact
 *    latency on an idle PE (idle_exit + exc_local + host_irq_entry +
 *    icc_iar_read + the
 *    redistributor's redist_to_cpuif, with costs that differ from the
 *    defaults so that a wrong sum fails), its EOI and deactivation under
 *    both host EOImodes, its exit when it interrupts a guest, and PPI 26
 *    shared with the software timers of descheduled vCPUs;
 * 2. idle_exit: charged on every path that wakes a PE idle in the host (a
 *    host timer, an hrtimer waking a blocked vCPU, a GICv4 doorbell, the
 *    reschedule IPI to the PE of a woken vCPU), never when the PE was in a
 *    guest (computing, or waiting in a WFI that does not trap);
 * 3. the direct-vtimer policy: a busy guest takes its timer with no exit, an
 *    idle one is woken through its vPE's doorbell, PPI 26 and 27 are never
 *    used, and the records still belong to the vtimer source;
 * 4. the scenario kind host-timer, its resolved JSON and CSV records
 *    without a VM, and configs/scenarios/seed004-timer.yaml under each of
 *    its policies.
 * Every run is checked for accounting (asserted == delivered + merged +
 * pending, time-stamps in order) and by the invariant checker. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>
#include <gicsim/hypervisor.h>

#include "support/fixtures.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NEVER GICSIM_TIME_NEVER
#define PERIOD GICSIM_US(200)
#define N_TICKS 8u
#define HOST_TIMER_PPI 26u

/* ---- helpers ---------------------------------------------------------------- */

/* Costs that differ from every default, so that a latency summing the wrong
 * primitives cannot match by accident. */
static void odd_costs(gicsim_timing *t, uint64_t idle_exit)
{
    gicsim_timing_init(t);
    t->cycles[GICSIM_COST_IDLE_EXIT] = idle_exit;
    t->cycles[GICSIM_COST_EXC_LOCAL] = 60;
    t->cycles[GICSIM_COST_HOST_IRQ_ENTRY] = 333;
    t->cycles[GICSIM_COST_ICC_IAR_READ] = 57;
    t->cycles[GICSIM_COST_REDIST_TO_CPUIF] = 23;
    t->cycles[GICSIM_COST_DIST_TO_REDIST] = 31;
    t->cycles[GICSIM_COST_HRTIMER_FIRE] = 1201;
    t->cycles[GICSIM_COST_ICC_EOIR_WRITE] = 41;
}

static gicsim_time_t ps(const gicsim_timing *t, gicsim_cost_id id)
{
    return gicsim_timing_ps(t, id);
}

static gicsim_system *sys_with(gicsim_gic_version ver, uint32_t pes, const gicsim_timing *t)
{
    gicsim_system_config c = tf_system_config(ver, pes);
    if (t)
        c.timing = *t;
    return tf_system_new(&c);
}

static uint32_t add_host_timer(gicsim_system *s, uint32_t pe, gicsim_time_t start, uint64_t limit)
{
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.kind = GICSIM_SRC_HOST_TIMER;
    c.route_pe = pe;
    c.vm = 7; /* ignored: a host timer has no VM */
    c.vcpu = 3;
    c.period = PERIOD;
    c.start = start;
    c.limit = limit;
    return tf_source_add(s, &c);
}

static uint32_t add_vtimer(gicsim_system *s, uint32_t vm, uint64_t limit)
{
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.kind = GICSIM_SRC_VTIMER;
    c.vm = vm;
    c.period = PERIOD;
    c.handler = GICSIM_US(2);
    c.limit = limit;
    return tf_source_add(s, &c);
}

/* Physical acknowledges of each PPI 26 / 27, on any PE. */
typedef struct ack_count {
    uint64_t ppi26, ppi27;
} ack_count;

static void count_acks(void *ctx, const gicsim_gic_event *ev)
{
    ack_count *c = ctx;
    if (ev->kind != GICSIM_GEV_ACK)
        return;
    if (ev->intid == HOST_TIMER_PPI)
        c->ppi26++;
    else if (ev->intid == GICSIM_PPI_VTIMER)
        c->ppi27++;
}

/* The latency of each delivered record of `source`, in record order. */
static size_t latencies(const gicsim_system *s, uint32_t source, gicsim_time_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < gicsim_system_record_count(s) && n < max; i++) {
        const gicsim_irq_record *r = tf_record(s, i);
        if (r->source == source && r->t_ack != NEVER)
            out[n++] = r->t_ack - r->t_assert;
    }
    return n;
}

/* ---- 1. the host timer ----------------------------------------------------------- */

/* Bare metal on an idle PE: the timer raises PPI 26 at its deadline, the
 * redistributor presents it to the CPU interface (redist_to_cpuif), the idle
 * PE wakes (idle_exit) and the host's interrupt entry reads ICC_IAR1
 * (host_irq_entry + icc_iar_read). Nothing else. With EOImode=0 (a PE no VM
 * uses) one EOIR after the handler (hrtimer_fire) ends it; with EOImode=1 (a
 * VM under eoi-split shares the PE, its vCPU blocked) the EOIR comes with
 * the acknowledge and the DIR after the handler. */
static void test_bare_metal_exact_latency(void **state)
{
    (void)state;
    gicsim_timing t;
    odd_costs(&t, 2100);
    const gicsim_time_t signal = ps(&t, GICSIM_COST_REDIST_TO_CPUIF);
    const gicsim_time_t lat = ps(&t, GICSIM_COST_IDLE_EXIT) + ps(&t, GICSIM_COST_EXC_LOCAL) +
                              ps(&t, GICSIM_COST_HOST_IRQ_ENTRY) +
                              ps(&t, GICSIM_COST_ICC_IAR_READ) + signal;
    /* 700 ns + 20 ns + 111 ns + 19 ns + 23 ns: the figures the test is about. */
    assert_int_equal(lat, GICSIM_NS(873));
    const gicsim_time_t handler = ps(&t, GICSIM_COST_HRTIMER_FIRE);
    const gicsim_time_t eoir = ps(&t, GICSIM_COST_ICC_EOIR_WRITE);
    for (int split = 0; split < 2; split++) {
        gicsim_system *s = sys_with(GICSIM_GICV3, 2, &t);
        if (split) /* an idle guest on PE 1: EOImode=1 there, its vCPU blocked */
            tf_vm_on_pe(s, "eoi-split", 1, false, true);
        uint32_t src = add_host_timer(s, 1, PERIOD, N_TICKS);
        const gicsim_source_config *c = gicsim_system_source_config(s, src);
        assert_int_equal(c->kind, GICSIM_SRC_HOST_TIMER);
        assert_int_equal(c->vm, UINT32_MAX);
        assert_int_equal(c->vcpu, UINT32_MAX);
        gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
        tf_check_accounting(s);
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.asserted, N_TICKS);
        assert_int_equal(st.delivered, N_TICKS);
        assert_int_equal(st.host_delivered, N_TICKS); /* all of them reached the host */
        assert_int_equal(st.pending, 0);
        assert_int_equal(st.exits_total, split ? 1 : 0); /* the guest's first WFI */
        for (uint32_t i = 0; i < N_TICKS; i++) {
            const gicsim_irq_record *r = tf_record(s, i);
            assert_int_equal(r->source, src);
            assert_int_equal(r->vm, UINT32_MAX);
            assert_int_equal(r->vcpu, UINT32_MAX);
            assert_int_equal(r->intid, HOST_TIMER_PPI);
            assert_false(r->merged);
            assert_int_equal(r->t_assert, PERIOD * (i + 1));
            assert_int_equal(r->t_signal - r->t_assert, signal);
            assert_int_equal(r->t_ack - r->t_assert, lat);
            if (split) {
                assert_int_equal(r->t_eoi, r->t_ack);
                assert_int_equal(r->t_deact - r->t_ack, eoir + handler);
            } else {
                assert_int_equal(r->t_eoi - r->t_ack, handler);
                assert_int_equal(r->t_deact, r->t_eoi);
            }
        }
        const gicsim_histogram *h = gicsim_system_latency(s, src);
        assert_int_equal(gicsim_histogram_count(h), N_TICKS);
        assert_int_equal(gicsim_histogram_min(h), lat);
        assert_int_equal(gicsim_histogram_max(h), lat);
        gicsim_system_destroy(s);
    }
}

/* A host timer on the PE of a running guest exits the guest like any host
 * interrupt (HCR_EL2.IMO), and the exit is charged to it; its latency is the
 * exit's (exc_to_el2 + spectre_bhb + guest_state_save, no vGIC sync with an
 * empty pending list, the run loop) then the host's exception entry,
 * interrupt entry and acknowledge, without idle_exit: the PE was not idle in
 * the host, whether the guest computed or waited in a WFI that does not
 * trap. */
static void test_host_timer_exits_guest(void **state)
{
    (void)state;
    gicsim_timing t;
    odd_costs(&t, 2100);
    const gicsim_time_t lat = ps(&t, GICSIM_COST_REDIST_TO_CPUIF) + ps(&t, GICSIM_COST_EXC_TO_EL2) +
                              ps(&t, GICSIM_COST_SPECTRE_BHB) +
                              ps(&t, GICSIM_COST_GUEST_STATE_SAVE) + ps(&t, GICSIM_COST_RUN_LOOP) +
                              ps(&t, GICSIM_COST_EXC_LOCAL) + ps(&t, GICSIM_COST_HOST_IRQ_ENTRY) +
                              ps(&t, GICSIM_COST_ICC_IAR_READ);
    for (int native = 0; native < 2; native++) {
        gicsim_system *s = sys_with(GICSIM_GICV3, 1, &t);
        tf_vm_on_pe(s, "eoi-split", 0, !native, !native);
        uint32_t src = add_host_timer(s, 0, PERIOD, N_TICKS);
        gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
        tf_check_accounting(s);
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.delivered, N_TICKS);
        assert_int_equal(st.exits[GICSIM_EXIT_IRQ], N_TICKS);
        assert_int_equal(st.exits_total, N_TICKS);
        for (uint32_t i = 0; i < N_TICKS; i++) {
            const gicsim_irq_record *r = tf_record(s, i);
            assert_int_equal(r->source, src);
            assert_int_equal(r->t_ack - r->t_assert, lat);
            assert_int_equal(r->exits[GICSIM_EXIT_IRQ], 1);
            assert_true(r->hyp_time > 0);
        }
        gicsim_system_destroy(s);
    }
}

/* PPI 26 is one line with several clients: a host timer and the software
 * timer standing in for a blocked vCPU's virtual timer, on the same PE. At
 * the same instant one acknowledge completes both; a host timer expiring
 * before the host acknowledges joins that interrupt (it was already being
 * presented); one expiring while the host handles the interrupt keeps the
 * line raised and is taken again after the deactivation. Every instance of
 * both is delivered, none merged. */
static void test_ppi26_shared(void **state)
{
    (void)state;
    /* The host acknowledges PPI 26 this long after it is raised. */
    gicsim_timing t;
    gicsim_timing_init(&t);
    gicsim_time_t iar = gicsim_timing_ps(&t, GICSIM_COST_EXC_LOCAL) +
                        gicsim_timing_ps(&t, GICSIM_COST_HOST_IRQ_ENTRY) +
                        gicsim_timing_ps(&t, GICSIM_COST_ICC_IAR_READ);
    const struct {
        gicsim_time_t offset;
        uint64_t acks; /* PPI 26 acknowledges per period */
    } cases[] = {{0, 1}, {iar / 2, 1}, {iar + GICSIM_NS(20), 2}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gicsim_system *s = sys_with(GICSIM_GICV3, 1, NULL);
        uint32_t vm = tf_vm_on_pe(s, "eoi-split", 0, false, true);
        uint32_t vt = add_vtimer(s, vm, N_TICKS);
        uint32_t ht = add_host_timer(s, 0, PERIOD + cases[k].offset, N_TICKS);
        ack_count acks = {0, 0};
        assert_int_equal(gicsim_gic_add_observer(gicsim_system_gic(s), count_acks, &acks),
                         GICSIM_OK);
        gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
        tf_drain(s, GICSIM_MS(1));
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.asserted, 2 * N_TICKS);
        assert_int_equal(st.delivered, 2 * N_TICKS);
        assert_int_equal(st.host_delivered, N_TICKS); /* the other half: the guest's timer */
        assert_int_equal(st.merged, 0);
        assert_int_equal(gicsim_histogram_count(gicsim_system_latency(s, vt)), N_TICKS);
        assert_int_equal(gicsim_histogram_count(gicsim_system_latency(s, ht)), N_TICKS);
        assert_int_equal(st.wakeups, N_TICKS);
        assert_int_equal(acks.ppi26, cases[k].acks * N_TICKS);
        for (size_t i = 0; i < gicsim_system_record_count(s); i++) {
            const gicsim_irq_record *r = tf_record(s, i);
            if (r->source == vt) {
                assert_int_equal(r->intid, GICSIM_PPI_VTIMER);
                assert_int_equal(r->vm, vm);
            } else {
                assert_int_equal(r->source, ht);
                assert_int_equal(r->vm, UINT32_MAX);
                assert_int_equal(r->t_assert % PERIOD, cases[k].offset);
            }
            assert_true(r->t_deact != NEVER);
        }
        gicsim_system_destroy(s);
    }
}

/* PPI 26 has no direct-vtimer client: a host timer expiring on the PE of a
 * blocked direct-vtimer vCPU, at the instant its timer writes its MSI, must
 * not inject a virtual PPI 27 for it (its timer is on its way as a vLPI). */
static void test_ppi26_not_for_direct_timer(void **state)
{
    (void)state;
    gicsim_system *s = sys_with(GICSIM_GICV4_1, 1, NULL);
    uint32_t vm = tf_vm_on_pe(s, "direct-vtimer", 0, false, true);
    uint32_t vt = add_vtimer(s, vm, N_TICKS);
    uint32_t ht = add_host_timer(s, 0, PERIOD, N_TICKS);
    gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
    tf_drain(s, GICSIM_MS(1));
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.delivered, 2 * N_TICKS);
    assert_int_equal(gicsim_histogram_count(gicsim_system_latency(s, vt)), N_TICKS);
    assert_int_equal(gicsim_histogram_count(gicsim_system_latency(s, ht)), N_TICKS);
    assert_int_equal(st.doorbells, N_TICKS);
    gicsim_system_destroy(s);
}

/* A host timer that expires while its previous instance is still pending at
 * the GIC (two manual triggers at one instant: the host has not acknowledged
 * the first) merges into it, as an hrtimer overrun, and is accounted. */
static void test_host_timer_merge_and_trigger(void **state)
{
    (void)state;
    gicsim_system *s = sys_with(GICSIM_GICV3, 1, NULL);
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.kind = GICSIM_SRC_HOST_TIMER;
    c.route_pe = 0;
    c.arrival = GICSIM_ARRIVE_MANUAL;
    uint32_t id = UINT32_MAX;
    assert_int_equal(gicsim_source_add(s, &c, &id), GICSIM_OK);
    assert_int_equal(gicsim_source_trigger(s, id), GICSIM_OK);
    assert_int_equal(gicsim_source_trigger(s, id), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(10));
    tf_check_accounting(s);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.asserted, 2);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.merged, 1);
    assert_true(tf_record(s, 1)->merged);
    gicsim_system_destroy(s);
}

static void test_host_timer_validation(void **state)
{
    (void)state;
    gicsim_system *s = sys_with(GICSIM_GICV3, 2, NULL);
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.kind = GICSIM_SRC_HOST_TIMER;
    assert_int_equal(c.route_pe, UINT32_MAX);
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_INVAL); /* no PE */
    c.route_pe = 2;
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_INVAL); /* no such PE */
    c.route_pe = 1;
    c.period = 0;
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_INVAL);
    c.period = PERIOD;
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_OK); /* no VM needed */
    assert_int_equal(gicsim_system_num_sources(s), 1);
    gicsim_system_destroy(s);
}

/* ---- 2. idle_exit on every wake of an idle PE ---------------------------------------- */

typedef enum wake_path {
    WAKE_HOST_TIMER, /* the host's own timer on an idle PE */
    WAKE_HRTIMER,    /* the hrtimer of a blocked vCPU (eoi-split) */
    WAKE_DOORBELL,   /* a GICv4 doorbell for a blocked vCPU (direct-vtimer) */
    WAKE_KICK,       /* an SPI on PE 0 wakes a vCPU blocked on PE 1: reschedule IPI */
    WAKE_BUSY_GUEST, /* not a wake: the host timer interrupts a computing guest */
    WAKE_NATIVE_WFI, /* not a wake: ... a guest waiting in an untrapped WFI */
    WAKE__COUNT
} wake_path;

/* The latencies of the path's first N_TICKS instances with idle_exit set to
 * `idle_exit` cycles. */
static size_t wake_run(wake_path p, uint64_t idle_exit, gicsim_time_t *lat)
{
    gicsim_timing t;
    odd_costs(&t, idle_exit);
    gicsim_system *s = sys_with(GICSIM_GICV4_1, 2, &t);
    uint32_t src = 0;
    switch (p) {
    case WAKE_HOST_TIMER:
        src = add_host_timer(s, 0, PERIOD, N_TICKS);
        break;
    case WAKE_HRTIMER:
        src = add_vtimer(s, tf_vm_on_pe(s, "eoi-split", 0, false, true), N_TICKS);
        break;
    case WAKE_DOORBELL:
        src = add_vtimer(s, tf_vm_on_pe(s, "direct-vtimer", 0, false, true), N_TICKS);
        break;
    case WAKE_KICK: {
        uint32_t vm = tf_vm_on_pe(s, "eoi-split", 1, false, true);
        gicsim_source_config c;
        gicsim_source_config_init(&c);
        c.kind = GICSIM_SRC_SPI_EDGE;
        c.vm = vm;
        c.intid = 40;
        c.route_pe = 0;
        c.period = PERIOD;
        c.limit = N_TICKS;
        assert_int_equal(gicsim_source_add(s, &c, &src), GICSIM_OK);
        break;
    }
    case WAKE_BUSY_GUEST:
    case WAKE_NATIVE_WFI:
        tf_vm_on_pe(s, "eoi-split", 0, p == WAKE_BUSY_GUEST, p == WAKE_BUSY_GUEST);
        src = add_host_timer(s, 0, PERIOD, N_TICKS);
        break;
    default:
        fail();
    }
    gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
    tf_check_accounting(s);
    size_t n = latencies(s, src, lat, N_TICKS);
    assert_int_equal(n, N_TICKS);
    if (p == WAKE_KICK)
        assert_true(tf_system_stats(s).kicks >= N_TICKS);
    if (p == WAKE_DOORBELL)
        assert_int_equal(tf_system_stats(s).doorbells, N_TICKS);
    gicsim_system_destroy(s);
    return n;
}

/* idle_exit is one primitive in the PE model, so every path that wakes a PE
 * idle in the host pays it exactly once per idle PE it wakes (the kick path
 * wakes two: PE 0 takes the SPI, PE 1 the reschedule IPI), and a PE that
 * was in a guest never pays it. */
static void test_idle_exit_every_path(void **state)
{
    (void)state;
    static const uint64_t woken[WAKE__COUNT] = {
        [WAKE_HOST_TIMER] = 1, [WAKE_HRTIMER] = 1,    [WAKE_DOORBELL] = 1,
        [WAKE_KICK] = 2,       [WAKE_BUSY_GUEST] = 0, [WAKE_NATIVE_WFI] = 0};
    const uint64_t idle_exit = 3000; /* 1 us at 3 GHz */
    for (int p = 0; p < WAKE__COUNT; p++) {
        gicsim_time_t with[N_TICKS], without[N_TICKS];
        wake_run((wake_path)p, idle_exit, with);
        wake_run((wake_path)p, 0, without);
        for (uint32_t i = 0; i < N_TICKS; i++)
            if (with[i] - without[i] != woken[p] * GICSIM_US(1))
                fail_msg("path %d, instance %u: idle_exit added %llu ps, expected %llu", p, i,
                         (unsigned long long)(with[i] - without[i]),
                         (unsigned long long)(woken[p] * GICSIM_US(1)));
    }
}

/* ---- 3. direct-vtimer --------------------------------------------------------------- */

static void test_direct_vtimer_policy(void **state)
{
    (void)state;
    const gicsim_hyp_policy *p = gicsim_hyp_policy_find("direct-vtimer");
    assert_non_null(p);
    assert_ptr_equal(gicsim_hyp_policy_at(7), p);
    assert_true(p->direct_timer);
    assert_true(p->direct_msi);
    assert_true(p->host_eoimode);
    assert_false(p->direct_sgi);
    assert_false(p->wfi_native);
    assert_non_null(strstr(p->description, "what-if"));
    for (size_t i = 0; i < gicsim_hyp_policy_count(); i++)
        if (gicsim_hyp_policy_at(i) != p)
            assert_false(gicsim_hyp_policy_at(i)->direct_timer);
    /* A direct timer needs the vPEs of direct_msi. */
    static gicsim_hyp_policy bad = {.name = "test-timer-without-vpes", .direct_timer = true};
    bad.phys_irq = p->phys_irq;
    assert_int_equal(gicsim_hyp_policy_register(&bad), GICSIM_E_INVAL);
    /* GICv4.0 or later with an ITS. */
    gicsim_system *s = sys_with(GICSIM_GICV3, 1, NULL);
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    vc.policy = "direct-vtimer";
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_E_UNSUPPORTED);
    gicsim_system_destroy(s);
}

/* The timer as a vLPI: the records belong to the vtimer source, carry the
 * timer's vINTID (the last vLPI INTID, 2^16 - 1 with 16 LPI bits), expire
 * at the deadlines the handler programs (it still reprograms CNTV_CVAL), and
 * the ITS translated one MSI per expiry with no command error. A busy guest
 * (resident vPE) takes it with no exit at all and no doorbell; an idle one
 * blocks in its trapped WFI (vPE not resident), and each expiry rings the
 * doorbell, which wakes it. Neither uses PPI 26 or PPI 27. */
static void test_direct_vtimer_delivery(void **state)
{
    (void)state;
    gicsim_gic_version versions[] = {GICSIM_GICV4_0, GICSIM_GICV4_1};
    for (size_t k = 0; k < 2; k++) {
        for (int busy = 0; busy < 2; busy++) {
            gicsim_system *s = sys_with(versions[k], 2, NULL);
            ack_count acks = {0, 0};
            assert_int_equal(gicsim_gic_add_observer(gicsim_system_gic(s), count_acks, &acks),
                             GICSIM_OK);
            uint32_t vm = tf_vm_on_pe(s, "direct-vtimer", 0, busy, true);
            uint32_t vt = add_vtimer(s, vm, N_TICKS);
            gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
            tf_check_accounting(s);
            gicsim_system_stats st = tf_system_stats(s);
            assert_int_equal(st.asserted, N_TICKS);
            assert_int_equal(st.delivered, N_TICKS);
            assert_int_equal(acks.ppi26, 0);
            assert_int_equal(acks.ppi27, 0);
            for (uint32_t i = 0; i < N_TICKS; i++) {
                const gicsim_irq_record *r = tf_record(s, i);
                assert_int_equal(r->source, vt);
                assert_int_equal(r->vm, vm);
                assert_int_equal(r->intid, 65535);
                assert_int_equal(r->t_assert, PERIOD * (i + 1));
                assert_true(r->t_deact != NEVER);
                assert_int_equal(r->exits[GICSIM_EXIT_IRQ], 0);
            }
            gicsim_its_stats its;
            assert_int_equal(gicsim_its_get_stats(gicsim_system_gic(s), &its), GICSIM_OK);
            assert_int_equal(its.command_errors, 0);
            assert_int_equal(its.vlpis, N_TICKS);
            if (busy) {
                assert_int_equal(st.exits_total, 0);
                assert_int_equal(st.doorbells, 0);
                assert_int_equal(st.wakeups, 0);
            } else {
                assert_int_equal(st.doorbells, N_TICKS);
                assert_int_equal(st.wakeups, N_TICKS);
                assert_int_equal(st.exits[GICSIM_EXIT_IRQ], 0);
                assert_int_equal(st.exits_total, st.exits[GICSIM_EXIT_WFI]);
            }
            gicsim_system_destroy(s);
        }
    }
}

/* The host reserves the timer's vINTID and its timer device: an MSI source
 * of the VM cannot take either; another VM's MSIs still work around them. */
static void test_direct_vtimer_reservations(void **state)
{
    (void)state;
    gicsim_system *s = sys_with(GICSIM_GICV4_1, 2, NULL);
    uint32_t vm = tf_vm_on_pe(s, "direct-vtimer", 0, false, true);
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.kind = GICSIM_SRC_MSI;
    c.vm = vm;
    c.intid = 65535;
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_INVAL);
    c.intid = 8300;
    c.device_id = 4095; /* the highest DeviceID of the device table: the timer's */
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_E_INVAL);
    c.device_id = 40;
    c.period = GICSIM_US(50);
    c.limit = N_TICKS;
    assert_int_equal(gicsim_source_add(s, &c, NULL), GICSIM_OK);
    add_vtimer(s, vm, N_TICKS);
    gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
    tf_check_accounting(s);
    assert_int_equal(tf_system_stats(s).delivered, 2 * N_TICKS);
    gicsim_system_destroy(s);
}

/* ---- 4. scenarios and outputs ---------------------------------------------------------- */

static const char host_yaml[] =
    "name: ht\n"
    "gic: {version: v4.1, pes: 2}\n"
    "vms:\n"
    "  - {name: vm0, pes: {first: 0, count: 1}}\n"
    "sources:\n"
    "  - {name: t, kind: vtimer, vm: vm0, arrival: {kind: periodic, period: 200us}}\n"
    "  - {name: bm, kind: host-timer, pe: 1, arrival: {kind: poisson, period: 100us}}\n"
    "run: {duration: 2ms}\n";

static void test_scenario_host_timer(void **state)
{
    (void)state;
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    if (gicsim_scenario_load_string(host_yaml, "ht.yaml", NULL, 0, &sc, &d) != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    char *json = NULL;
    assert_int_equal(gicsim_scenario_resolved_json(sc, &json), GICSIM_OK);
    const char *bm = strstr(json, "\"name\": \"bm\"");
    assert_non_null(bm);
    const char *end = strstr(bm, "\"arrival\"");
    assert_non_null(end);
    char entry[256];
    size_t n = (size_t)(end - bm) < sizeof entry - 1 ? (size_t)(end - bm) : sizeof entry - 1;
    memcpy(entry, bm, n);
    entry[n] = '\0';
    assert_non_null(strstr(entry, "\"kind\": \"host-timer\""));
    assert_non_null(strstr(entry, "\"pe\": 1"));
    assert_null(strstr(entry, "\"vm\""));
    assert_null(strstr(entry, "\"handler\""));
    free(json);
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_scenario_build(sc, "direct-vtimer", &s, &d), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
    const gicsim_source_config *c = gicsim_system_source_config(s, 1);
    assert_int_equal(c->kind, GICSIM_SRC_HOST_TIMER);
    assert_int_equal(c->route_pe, 1);
    /* CSV: a host timer's record has empty vm and vcpu fields. */
    char dir[] = "/tmp/gicsim-host-timer-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/rec.csv", dir);
    const char *names[] = {"t", "bm"};
    const char *vms[] = {"vm0"};
    gicsim_output_info info = {.source_names = names, .n_sources = 2, .vm_names = vms, .n_vms = 1};
    const gicsim_output_ops *csv = gicsim_output_find("csv");
    void *st = NULL;
    assert_int_equal(csv->begin(&st, s, path, &info), GICSIM_OK);
    gicsim_system_run_for(s, gicsim_scenario_duration(sc));
    tf_check_accounting(s);
    assert_true(gicsim_histogram_count(gicsim_system_latency(s, 1)) > 5);
    assert_int_equal(csv->end(st, s, &info), GICSIM_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    bool host = false, guest = false;
    while (fgets(line, sizeof line, f)) {
        host |= !strncmp(line, "bm,,,26,", 8);
        guest |= !strncmp(line, "t,vm0,0,65535,", 14);
    }
    fclose(f);
    assert_true(host);
    assert_true(guest);
    remove(path);
    rmdir(dir);
    gicsim_system_destroy(s);
    gicsim_scenario_free(sc);
}

/* The shipped seed 004 scenario under each policy it lists, with the
 * Jetson preset's sources of spread turned off: the bare-metal timer on PE
 * 1 is untouched by the VM's policy (its exact idle-PE latency with the
 * preset's costs), and the VM's timer takes the path of each policy: a
 * host hrtimer (eoi-split, gicv4-direct), an exit from a guest waiting in
 * hardware (did), a doorbell (direct-vtimer). */
static void test_seed004_scenario(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/seed004-timer.yaml", GICSIM_SCENARIO_DIR);
    static const char *const ov[] = {
        "run.duration=5ms", "platform_overrides.variation.idle.states=[]",
        "platform_overrides.variation.housekeeping={tick: {rate: 0}, work: {rate: 0}}",
        "platform_overrides.variation.cold.multiplier=1",
        "platform_overrides.variation.jitter.all=none"};
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    if (gicsim_scenario_load(path, ov, sizeof ov / sizeof ov[0], &sc, &d) != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    assert_int_equal(gicsim_scenario_source_count(sc), 2);
    assert_string_equal(gicsim_scenario_source_name(sc, 1), "bm-timer");
    static const char *const pols[] = {"eoi-split", "gicv4-direct", "did", "direct-vtimer"};
    assert_int_equal(gicsim_scenario_policy_count(sc), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(gicsim_scenario_policy(sc, i), pols[i]);
        gicsim_system *s = NULL;
        assert_int_equal(gicsim_scenario_build(sc, pols[i], &s, &d), GICSIM_OK);
        assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
        /* The scenario's platform (the calibrated Jetson preset). */
        const gicsim_timing *t = gicsim_system_timing(s);
        const gicsim_time_t bm = ps(t, GICSIM_COST_IDLE_EXIT) + ps(t, GICSIM_COST_EXC_LOCAL) +
                                 ps(t, GICSIM_COST_HOST_IRQ_ENTRY) +
                                 ps(t, GICSIM_COST_ICC_IAR_READ) +
                                 ps(t, GICSIM_COST_REDIST_TO_CPUIF);
        gicsim_system_run_for(s, gicsim_scenario_duration(sc));
        tf_check_accounting(s);
        gicsim_system_stats st = tf_system_stats(s);
        const gicsim_histogram *h = gicsim_system_latency(s, 1);
        assert_int_equal(gicsim_histogram_count(h), 24);
        assert_int_equal(gicsim_histogram_min(h), bm);
        assert_int_equal(gicsim_histogram_max(h), bm);
        assert_int_equal(gicsim_histogram_count(gicsim_system_latency(s, 0)), 24);
        /* In the VM the timer pays its host path on top of an idle wake,
         * except under did: the guest waits in a native WFI, the PE never
         * idles in the host and pays no idle_exit (the bulk of bm here). */
        if (strcmp(pols[i], "did"))
            assert_true(gicsim_histogram_min(gicsim_system_latency(s, 0)) > bm);
        else
            assert_true(gicsim_histogram_max(gicsim_system_latency(s, 0)) < bm);
        assert_int_equal(st.doorbells, strcmp(pols[i], "direct-vtimer") ? 0 : 24);
        gicsim_system_destroy(s);
    }
    gicsim_scenario_free(sc);
}

/* The same scenario as shipped, the Jetson preset's spread on
 * (docs/calibration.md, "Spread"), for 1 s under eoi-split: the medians are
 * seed 004's within their 3% (3.9 us bare metal, 14.8 us in the VM), the
 * bare-metal p10 and p90 the ones the preset's jitter was fitted to within
 * 2%, and the distributions are curves, not steps. */
static void test_seed004_spread(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/seed004-timer.yaml", GICSIM_SCENARIO_DIR);
    static const char *const ov[] = {"run.duration=1s"};
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    if (gicsim_scenario_load(path, ov, 1, &sc, &d) != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_scenario_build(sc, "eoi-split", &s, &d), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
    gicsim_system_run_for(s, gicsim_scenario_duration(sc));
    tf_check_accounting(s);
    const gicsim_histogram *vm = gicsim_system_latency(s, 0), *bm = gicsim_system_latency(s, 1);
    double bm50 = (double)gicsim_histogram_percentile(bm, 50) / 1e3;
    double vm50 = (double)gicsim_histogram_percentile(vm, 50) / 1e3;
    assert_true(fabs(bm50 - 3900) <= 0.03 * 3900);
    assert_true(fabs(vm50 - 14800) <= 0.03 * 14800);
    assert_true(fabs((double)gicsim_histogram_percentile(bm, 10) / 1e3 - 3722.7) <= 0.02 * 3722.7);
    assert_true(fabs((double)gicsim_histogram_percentile(bm, 90) / 1e3 - 4077.3) <= 0.02 * 4077.3);
    assert_true(gicsim_histogram_percentile(vm, 10) < gicsim_histogram_percentile(vm, 90));
    gicsim_system_destroy(s);
    gicsim_scenario_free(sc);
}

/* A vCPU's virtual timer that expires while its PE handles the vCPU's WFI
 * exit, after the WFI's check and before the host takes the physical PPI:
 * the put drops the PPI with the vCPU's timer state, and KVM's background
 * timer (kvm_timer_blocking, an expired deadline fires at once) must carry
 * the expiry, or the vCPU sleeps with its timer due until something else
 * wakes it. An edge SPI whose handler ends just before the deadline makes
 * the guest WFI there; its offset is swept across the window in 25 ns steps,
 * and every timer instance must be delivered within a few microseconds. */
static void test_vtimer_expiry_during_wfi_exit(void **state)
{
    (void)state;
    gicsim_time_t worst = 0;
    for (gicsim_time_t d = GICSIM_US(2); d <= GICSIM_US(8); d += GICSIM_NS(25)) {
        gicsim_system *s = sys_with(GICSIM_GICV3, 1, NULL);
        uint32_t vm = tf_vm_on_pe(s, "trap-inject", 0, false, true);
        uint32_t vt = add_vtimer(s, vm, N_TICKS);
        gicsim_source_config c;
        gicsim_source_config_init(&c);
        c.kind = GICSIM_SRC_SPI_EDGE;
        c.vm = vm;
        c.vcpu = 0;
        c.intid = 40;
        c.handler = GICSIM_US(1);
        c.period = PERIOD;
        c.start = PERIOD - d;
        c.limit = N_TICKS;
        tf_source_add(s, &c);
        gicsim_system_run_for(s, PERIOD * (N_TICKS + 1));
        tf_drain(s, GICSIM_MS(1));
        gicsim_time_t lat[N_TICKS];
        size_t n = latencies(s, vt, lat, N_TICKS);
        assert_int_equal(n, N_TICKS);
        for (size_t i = 0; i < n; i++)
            worst = lat[i] > worst ? lat[i] : worst;
        gicsim_system_destroy(s);
    }
    if (worst > GICSIM_US(20))
        fail_msg("a timer expiry waited %llu ns", (unsigned long long)(worst / 1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare_metal_exact_latency),
        cmocka_unit_test(test_host_timer_exits_guest),
        cmocka_unit_test(test_ppi26_shared),
        cmocka_unit_test(test_ppi26_not_for_direct_timer),
        cmocka_unit_test(test_host_timer_merge_and_trigger),
        cmocka_unit_test(test_host_timer_validation),
        cmocka_unit_test(test_idle_exit_every_path),
        cmocka_unit_test(test_direct_vtimer_policy),
        cmocka_unit_test(test_direct_vtimer_delivery),
        cmocka_unit_test(test_direct_vtimer_reservations),
        cmocka_unit_test(test_scenario_host_timer),
        cmocka_unit_test(test_seed004_scenario),
        cmocka_unit_test(test_seed004_spread),
        cmocka_unit_test(test_vtimer_expiry_during_wfi_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
