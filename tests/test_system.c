/* gicsim: system-level tests of the virtualization model (gicsim/system.h):
 * per-interrupt records (time-stamp order, accounting, determinism), list
 * register overflow and nested active interrupts, the documented delivery
 * paths with their exact costs (a vSGI between PEs, VHE against non-VHE),
 * the virtual timer loaded and descheduled, halt polling, vCPUs sharing a
 * PE, and argument validation.
 *
 * Exact latencies are sums of the timing table's costs along the path the
 * hypervisor model documents (docs/virtualization.md); each cost is
 * converted to ps on its own (gicsim_timing_ps), as the model does. Every run goes through
 * tf_check_accounting (support/fixtures.h), which checks the records
 * against the statistics. Only the public API is used. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>
#include <gicsim/hypervisor.h>

#include "support/fixtures.h"

#include <stdlib.h>
#include <string.h>

#define NEVER GICSIM_TIME_NEVER
#define LR(n) ((gicsim_ich_reg)(GICSIM_ICH_LR0 + (n)))

static const char *const builtin[] = {"trap-inject", "trap-inject-nomask", "eoi-split"};

/* ---- helpers ---------------------------------------------------------------- */

static gicsim_system *sys_new(uint32_t num_pes, uint32_t num_lrs, bool vhe)
{
    gicsim_system_config c = tf_system_config(GICSIM_GICV3, num_pes);
    c.gic.num_lrs = num_lrs;
    c.vhe = vhe;
    return tf_system_new(&c);
}

static gicsim_source_config spi_cfg(uint32_t vm, uint32_t vcpu, uint32_t intid, bool level)
{
    return tf_source_config(level ? GICSIM_SRC_SPI_LEVEL : GICSIM_SRC_SPI_EDGE, vm, vcpu, intid);
}

/* Runs `s` until every raised interrupt has completed. */
static void drain(gicsim_system *s)
{
    tf_drain(s, GICSIM_MS(2));
    assert_int_equal(tf_system_stats(s).pending, 0);
}

/* ---- records: order, accounting, determinism ---------------------------------- */

typedef struct run_result {
    gicsim_irq_record *rec;
    size_t n;
    gicsim_system_stats st;
} run_result;

/* A mixed workload: two VMs on two PEs each (one under eoi-split with
 * EOImode=1 guests idling in WFI, one under trap-inject with busy guests),
 * Poisson edge and level SPIs, virtual timers and IPIs, all Poisson streams
 * seeded with `seed`. */
static run_result mixed_run(uint64_t seed)
{
    gicsim_system *s = sys_new(4, 4, true);
    gicsim_vm_config a = tf_vm_config("eoi-split", 2, false, true);
    a.guest_eoimode = 1;
    a.pe_first = 0;
    a.pe_count = 2;
    gicsim_vm_config b = tf_vm_config("trap-inject", 2, true, true);
    b.pe_first = 2;
    b.pe_count = 2;
    uint32_t vms[2] = {tf_vm_add(s, &a), tf_vm_add(s, &b)};
    for (uint32_t k = 0; k < 2; k++) {
        gicsim_source_config sc = spi_cfg(vms[k], 0, 40 + 2 * k, false);
        sc.arrival = GICSIM_ARRIVE_POISSON;
        sc.period = GICSIM_US(30);
        sc.handler = GICSIM_US(3);
        sc.seed = seed;
        tf_source_add(s, &sc);
        sc = spi_cfg(vms[k], 1, 41 + 2 * k, true);
        sc.arrival = GICSIM_ARRIVE_POISSON;
        sc.period = GICSIM_US(50);
        sc.handler = GICSIM_US(2);
        sc.deassert_at = GICSIM_NS(500);
        sc.seed = seed;
        tf_source_add(s, &sc);
        gicsim_source_config_init(&sc);
        sc.kind = GICSIM_SRC_VTIMER;
        sc.vm = vms[k];
        sc.vcpu = k;
        sc.period = GICSIM_US(100);
        tf_source_add(s, &sc);
        gicsim_source_config_init(&sc);
        sc.kind = GICSIM_SRC_SGI;
        sc.vm = vms[k];
        sc.intid = 3;
        sc.sender_vcpu = 0;
        sc.vcpu = 1;
        sc.arrival = GICSIM_ARRIVE_POISSON;
        sc.period = GICSIM_US(70);
        sc.seed = seed;
        tf_source_add(s, &sc);
    }
    gicsim_system_run_for(s, GICSIM_MS(20));
    tf_check_accounting(s);
    drain(s);
    run_result r;
    r.n = gicsim_system_record_count(s);
    r.rec = calloc(r.n, sizeof *r.rec);
    assert_non_null(r.rec);
    for (size_t i = 0; i < r.n; i++)
        r.rec[i] = *tf_record(s, i);
    r.st = tf_system_stats(s);
    gicsim_system_destroy(s);
    return r;
}

static void test_records_ordered_and_deterministic(void **state)
{
    (void)state;
    run_result a = mixed_run(1), b = mixed_run(1), c = mixed_run(2);
    /* A real workload: every kind delivered, some merged, exits of each
     * kind the sources cause. */
    assert_true(a.n > 1000);
    assert_true(a.st.delivered > 1000);
    assert_true(a.st.exits[GICSIM_EXIT_IRQ] > 0);
    assert_true(a.st.exits[GICSIM_EXIT_MAINTENANCE] > 0);
    assert_true(a.st.exits[GICSIM_EXIT_WFI] > 0);
    assert_true(a.st.exits[GICSIM_EXIT_SGI_TRAP] > 0);
    assert_true(a.st.wakeups > 0);
    assert_true(a.st.merged > 0);
    uint32_t kinds = 0;
    for (size_t i = 0; i < a.n; i++)
        if (a.rec[i].t_ack != NEVER)
            kinds |= 1u << (a.rec[i].intid < 16 ? 0 : a.rec[i].intid < 32 ? 1 : 2);
    assert_int_equal(kinds, 7);

    /* The same configuration and seeds: the same records, byte for byte. */
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.rec, b.rec, a.n * sizeof *a.rec);
    assert_memory_equal(&a.st, &b.st, sizeof a.st);
    /* Another seed: other arrivals. */
    assert_true(c.n != a.n || memcmp(a.rec, c.rec, a.n * sizeof *a.rec) != 0);
    free(a.rec);
    free(b.rec);
    free(c.rec);
}

/* ---- list register overflow ------------------------------------------------------ */

typedef struct vack_count {
    uint32_t vack[64];
    uint32_t other;
} vack_count;

static void count_vacks(void *ctx, const gicsim_gic_event *ev)
{
    vack_count *c = ctx;
    if (ev->kind != GICSIM_GEV_VACK)
        return;
    if (ev->intid < 64)
        c->vack[ev->intid]++;
    else
        c->other++;
}

/* 20 SPIs raised at the same instant for one busy vCPU with 4 list
 * registers: the hypervisor keeps what does not fit on its software list
 * and refills the list registers as the guest drains them; each interrupt is
 * delivered exactly once, under every built-in policy. */
static void test_lr_overflow_each_delivered_once(void **state)
{
    (void)state;
    for (size_t p = 0; p < 3; p++) {
        gicsim_system *s = sys_new(1, 4, true);
        gicsim_vm_config vc = tf_vm_config(builtin[p], 1, true, true);
        uint32_t vm = tf_vm_add(s, &vc);
        uint32_t ids[20];
        for (uint32_t i = 0; i < 20; i++) {
            gicsim_source_config sc = spi_cfg(vm, 0, 32 + i, false);
            sc.arrival = GICSIM_ARRIVE_MANUAL;
            ids[i] = tf_source_add(s, &sc);
        }
        vack_count vc_ = {{0}, 0};
        assert_int_equal(gicsim_gic_add_observer(gicsim_system_gic(s), count_vacks, &vc_),
                         GICSIM_OK);
        gicsim_system_run_for(s, GICSIM_US(50));
        gicsim_time_t t0 = gicsim_engine_now(gicsim_system_engine(s));
        for (uint32_t i = 0; i < 20; i++)
            assert_int_equal(gicsim_source_trigger(s, ids[i]), GICSIM_OK);
        gicsim_system_run_for(s, GICSIM_MS(1));

        tf_check_accounting(s);
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(gicsim_system_record_count(s), 20);
        assert_int_equal(st.delivered, 20);
        assert_int_equal(st.merged, 0);
        assert_int_equal(st.pending, 0);
        assert_true(st.lr_spills > 0);
        uint64_t spills = 0;
        for (uint32_t i = 0; i < 20; i++) {
            const gicsim_irq_record *r = tf_record(s, i);
            assert_int_equal(r->intid, 32 + i);
            assert_int_equal(r->source, ids[i]);
            assert_int_equal(r->t_assert, t0);
            assert_false(r->merged);
            assert_true(r->t_ack != NEVER);
            assert_true(r->t_deact != NEVER);
            assert_int_equal(vc_.vack[32 + i], 1);
            spills += r->lr_spills;
        }
        assert_int_equal(spills, st.lr_spills);
        assert_int_equal(vc_.other, 0);
        gicsim_system_destroy(s);
    }
}

/* ---- nested active interrupts beyond the list registers -------------------------- */

static unsigned lr_state(gicsim_system *s, uint32_t pe, unsigned n, uint32_t *vintid)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_ich_read(gicsim_system_gic(s), pe, LR(n), &v), GICSIM_OK);
    *vintid = (uint32_t)(v & GICSIM_LR_VINTID_MASK);
    return (unsigned)(v >> GICSIM_LR_STATE_SHIFT) & 3u;
}

/* A nested guest takes 5 interrupts of rising priority, each preempting the
 * previous handler, with 4 list registers: when the 5th arrives all 4 hold
 * active interrupts. The pending one must get a list register (an active one
 * is spilled, its EOI counted in EOIcount and handled on an LRENP
 * maintenance exit); were it spilled instead, NPIE would fire on every
 * entry (no list register pending) and the guest would never progress. */
static void test_nested_active_overflow_terminates(void **state)
{
    (void)state;
    static const uint8_t prio[5] = {0xA0, 0x90, 0x80, 0x70, 0x60};
    for (size_t p = 0; p < 3; p++) {
        gicsim_system *s = sys_new(1, 4, true);
        gicsim_vm_config vc = tf_vm_config(builtin[p], 1, true, true);
        vc.guest_nested = true;
        uint32_t vm = tf_vm_add(s, &vc);
        uint32_t ids[5];
        for (uint32_t i = 0; i < 5; i++) {
            gicsim_source_config sc = spi_cfg(vm, 0, 32 + i, false);
            sc.arrival = GICSIM_ARRIVE_MANUAL;
            sc.priority = prio[i];
            sc.handler = GICSIM_US(50);
            ids[i] = tf_source_add(s, &sc);
        }
        gicsim_system_run_for(s, GICSIM_US(50));
        for (uint32_t i = 0; i < 4; i++) {
            assert_int_equal(gicsim_source_trigger(s, ids[i]), GICSIM_OK);
            gicsim_system_run_for(s, GICSIM_US(2));
        }
        /* The 5th arrives: the 4 list registers hold the 4 active ones. */
        uint32_t seen = 0, vintid = 0;
        for (unsigned n = 0; n < 4; n++) {
            assert_int_equal(lr_state(s, 0, n, &vintid), GICSIM_LR_STATE_ACTIVE);
            assert_true(vintid >= 32 && vintid < 36);
            seen |= 1u << (vintid - 32);
        }
        assert_int_equal(seen, 0xF);
        assert_int_equal(gicsim_source_trigger(s, ids[4]), GICSIM_OK);
        gicsim_system_run_for(s, GICSIM_US(2));
        /* The 5th got a list register and its handler runs; the active one
         * of lowest priority waits outside, with LRENPIE set to catch its
         * EOI. */
        seen = 0;
        for (unsigned n = 0; n < 4; n++) {
            assert_int_equal(lr_state(s, 0, n, &vintid), GICSIM_LR_STATE_ACTIVE);
            assert_true(vintid >= 32 && vintid < 37);
            seen |= 1u << (vintid - 32);
        }
        assert_int_equal(seen, 0x1E);
        uint64_t hcr = 0;
        assert_int_equal(gicsim_ich_read(gicsim_system_gic(s), 0, GICSIM_ICH_HCR, &hcr), GICSIM_OK);
        assert_true(hcr & GICSIM_ICH_HCR_LRENPIE);
        assert_true(tf_record(s, 4)->t_ack != NEVER);

        gicsim_system_run_for(s, GICSIM_MS(1));
        tf_check_accounting(s);
        gicsim_system_stats st = tf_system_stats(s);
        assert_int_equal(st.delivered, 5);
        assert_int_equal(st.pending, 0);
        for (uint32_t i = 0; i < 5; i++) {
            assert_true(tf_record(s, i)->t_deact != NEVER);
            /* Handlers nest: the last to arrive finishes first. */
            if (i > 0)
                assert_true(tf_record(s, i)->t_deact < tf_record(s, i - 1)->t_deact);
        }
        assert_true(st.exits_total < 30);
        assert_true(st.exits[GICSIM_EXIT_MAINTENANCE] >= 1);
        /* The list registers overflowed, with an active interrupt: the
         * lowest-priority one, never the pending 5th. */
        assert_true(st.lr_spills > 0);
        assert_true(tf_record(s, 0)->lr_spills > 0);
        assert_int_equal(tf_record(s, 4)->lr_spills, 0);
        gicsim_system_destroy(s);
    }
}

/* ---- an IPI between vCPUs on two PEs ------------------------------------------ */

/* Two PEs, an eoi-split VM of two busy vCPUs, and a manual SGI source:
 * vCPU 0 sends SGI `intid` to vCPU 1 (with `reply`, each handler sends the
 * next one back, `limit` arrivals in all). */
static gicsim_system *ipi_system(uint32_t intid, bool reply, uint64_t limit, uint32_t *source)
{
    gicsim_system *s = sys_new(2, 4, true);
    gicsim_vm_config vc = tf_vm_config("eoi-split", 2, true, true);
    uint32_t vm = tf_vm_add(s, &vc);
    gicsim_source_config sc;
    gicsim_source_config_init(&sc);
    sc.kind = GICSIM_SRC_SGI;
    sc.vm = vm;
    sc.intid = intid;
    sc.sender_vcpu = 0;
    sc.vcpu = 1;
    sc.reply = reply;
    sc.limit = limit;
    sc.arrival = GICSIM_ARRIVE_MANUAL;
    *source = tf_source_add(s, &sc);
    return s;
}

/* vCPU 0 (PE 0) writes ICC_SGI1R_EL1 for SGI 5 to vCPU 1 (PE 1), both busy,
 * eoi-split (host EOImode=1). The path: the sender's write traps (exit,
 * fold of its empty list registers, sysreg_trap and sgi_dispatch), the hypervisor queues the
 * vSGI on vCPU 1 and kicks PE 1 with the physical SGI kick_sgi; PE 1 exits
 * on it, the host acknowledges and completes it (EOIR + DIR), flushes the
 * vSGI into a list register and re-enters the guest, which takes it. */
static void test_sgi_path_and_cost(void **state)
{
    (void)state;
    const uint32_t vsgi = 5;
    uint32_t id;
    gicsim_system *s = ipi_system(vsgi, false, 0, &id);
    gicsim_system_run_for(s, GICSIM_US(50));
    gicsim_system_stats st0 = tf_system_stats(s);
    assert_int_equal(st0.exits_total, 0);
    tf_ev_log *l = calloc(1, sizeof *l);
    assert_non_null(l);
    tf_ev_log_attach(l, gicsim_system_gic(s));
    assert_int_equal(gicsim_source_trigger(s, id), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(50));
    tf_check_accounting(s);

    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(gicsim_system_record_count(s), 1);
    const gicsim_irq_record *r = tf_record(s, 0);
    assert_int_equal(r->intid, vsgi);
    assert_int_equal(r->vcpu, 1);
    assert_true(r->t_deact != NEVER);
    assert_int_equal(r->exits[GICSIM_EXIT_SGI_TRAP], 1);
    assert_int_equal(r->exits[GICSIM_EXIT_IRQ], 1); /* the receiver's kick exit */
    assert_int_equal(st.exits[GICSIM_EXIT_SGI_TRAP], 1);
    assert_int_equal(st.exits[GICSIM_EXIT_IRQ], 1);
    assert_int_equal(st.exits_total, 2);
    assert_int_equal(st.kicks, 1);
    assert_int_equal(st.wakeups, 0);

    /* The events, in order. */
    size_t send = tf_ev_find(l, 0, GICSIM_GEV_SGI_SEND, 0, 0);
    assert_true(send != SIZE_MAX);
    size_t raise = tf_ev_find(l, send, GICSIM_GEV_RAISE, 1, 0);
    assert_true(raise != SIZE_MAX);
    size_t ack = tf_ev_find(l, raise, GICSIM_GEV_ACK, 1, 0);
    assert_true(ack != SIZE_MAX);
    size_t vsig = tf_ev_find(l, ack, GICSIM_GEV_VSIGNAL, 1, vsgi);
    assert_true(vsig != SIZE_MAX);
    size_t vack = tf_ev_find(l, vsig, GICSIM_GEV_VACK, 1, vsgi);
    assert_true(vack != SIZE_MAX);
    /* Nothing of it happens on PE 0's virtual interface, and the only SGI
     * sent is the kick. */
    assert_int_equal(tf_ev_find(l, 0, GICSIM_GEV_VSIGNAL, 0, vsgi), SIZE_MAX);
    size_t sends = 0;
    for (size_t i = 0; i < l->n; i++)
        sends += l->v[i].kind == GICSIM_GEV_SGI_SEND;
    assert_int_equal(sends, 1);

    /* Exact times: the sender's exit up to the kick (KVM: __guest_exit, the
     * run loop, kvm_handle_sys_reg, vgic_v3_dispatch_sgi,
     * vgic_queue_irq_unlock, kvm_vcpu_kick), the SGI's flight, the
     * receiver's IRQ exit with the host's IPI handler and the flush of one
     * list register, the guest's acknowledge. */
    gicsim_time_t ich = tf_cost_ps(GICSIM_COST_ICH_ACCESS);
    gicsim_time_t exit_cost =
        tf_cost_ps(GICSIM_COST_EXC_TO_EL2) + tf_cost_ps(GICSIM_COST_SPECTRE_BHB) +
        tf_cost_ps(GICSIM_COST_GUEST_STATE_SAVE) + tf_cost_ps(GICSIM_COST_RUN_LOOP);
    gicsim_time_t sender = exit_cost + tf_cost_ps(GICSIM_COST_HANDLE_EXIT) +
                           tf_cost_ps(GICSIM_COST_SYSREG_TRAP) +
                           tf_cost_ps(GICSIM_COST_SGI_DISPATCH) +
                           tf_cost_ps(GICSIM_COST_IRQ_QUEUE) + tf_cost_ps(GICSIM_COST_VCPU_KICK);
    gicsim_time_t gic = tf_cost_ps(GICSIM_COST_SGI_ROUTE) + tf_cost_ps(GICSIM_COST_REDIST_TO_CPUIF);
    /* The receiver's sync walks its pending list, which holds the SGI the
     * sender queued (no list register used yet). */
    gicsim_time_t receiver =
        exit_cost + tf_cost_ps(GICSIM_COST_AP_LIST_ENTRY) + tf_cost_ps(GICSIM_COST_EXC_LOCAL) +
        tf_cost_ps(GICSIM_COST_HOST_IRQ_ENTRY) + tf_cost_ps(GICSIM_COST_ICC_IAR_READ) +
        tf_cost_ps(GICSIM_COST_IPI_HANDLER) + 2 * tf_cost_ps(GICSIM_COST_ICC_EOIR_WRITE) +
        tf_cost_ps(GICSIM_COST_ERET_LOCAL) + tf_cost_ps(GICSIM_COST_AP_LIST_ENTRY) +
        tf_cost_ps(GICSIM_COST_LR_WRITE) + 2 * ich + tf_cost_ps(GICSIM_COST_GUEST_STATE_RESTORE) +
        tf_cost_ps(GICSIM_COST_ERET_TO_GUEST);
    gicsim_time_t guest = tf_cost_ps(GICSIM_COST_EXC_LOCAL) + tf_cost_ps(GICSIM_COST_ICV_IAR_READ);
    assert_int_equal(l->v[send].time, r->t_assert + sender);
    assert_int_equal(l->v[raise].time - l->v[send].time, tf_cost_ps(GICSIM_COST_SGI_ROUTE));
    assert_int_equal(l->v[vack].time, r->t_ack);
    assert_int_equal(r->t_ack - r->t_assert, sender + gic + receiver + guest);
    gicsim_system_destroy(s);
    tf_ev_log_free(l);
    free(l);
}

/* ---- VHE and world switches ----------------------------------------------------- */

/* One edge SPI to a busy guest under eoi-split: without VHE the exit and the
 * entry each cross between the EL2 stub and the host kernel once. */
static void single_spi(bool vhe, gicsim_time_t *lat, gicsim_time_t *hyp)
{
    gicsim_system *s = sys_new(1, 4, vhe);
    gicsim_vm_config vc = tf_vm_config("eoi-split", 1, true, true);
    uint32_t vm = tf_vm_add(s, &vc);
    gicsim_source_config sc = spi_cfg(vm, 0, 40, false);
    sc.limit = 1;
    tf_source_add(s, &sc);
    gicsim_system_run_for(s, GICSIM_US(200));
    tf_check_accounting(s);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(st.exits_total, 1);
    assert_int_equal(st.exits[GICSIM_EXIT_IRQ], 1);
    const gicsim_irq_record *r = tf_record(s, 0);
    assert_int_equal(r->exits[GICSIM_EXIT_IRQ], 1);
    *lat = r->t_ack - r->t_assert;
    *hyp = r->hyp_time;
    gicsim_system_destroy(s);
}

static void test_vhe_world_switch(void **state)
{
    (void)state;
    gicsim_time_t lat_vhe, hyp_vhe, lat_nvhe, hyp_nvhe;
    single_spi(true, &lat_vhe, &hyp_vhe);
    single_spi(false, &lat_nvhe, &hyp_nvhe);
    /* Without VHE the exit ERETs from EL2 to the host at EL1 and the entry
     * calls EL2 again, switching the EL1 context each way. */
    gicsim_time_t ws = tf_cost_ps(GICSIM_COST_WORLD_SWITCH);
    assert_true(ws > 0);
    gicsim_time_t nvhe =
        2 * ws + tf_cost_ps(GICSIM_COST_ERET_TO_HOST) + tf_cost_ps(GICSIM_COST_EXC_HOST_TO_EL2);
    assert_int_equal(lat_nvhe - lat_vhe, nvhe);
    assert_int_equal(hyp_nvhe - hyp_vhe, nvhe);

    /* And the whole path with VHE: the SPI reaches the PE (distributor,
     * redistributor), the exit and the run loop, the host's interrupt entry
     * and acknowledge, eoi-split's EOIR (priority drop only) and injection,
     * the return from the interrupt, the flush of one list register, the
     * entry, the guest's acknowledge. */
    gicsim_time_t ich = tf_cost_ps(GICSIM_COST_ICH_ACCESS);
    gicsim_time_t exit_part =
        tf_cost_ps(GICSIM_COST_EXC_TO_EL2) + tf_cost_ps(GICSIM_COST_SPECTRE_BHB) +
        tf_cost_ps(GICSIM_COST_GUEST_STATE_SAVE) + tf_cost_ps(GICSIM_COST_RUN_LOOP) +
        tf_cost_ps(GICSIM_COST_EXC_LOCAL) + tf_cost_ps(GICSIM_COST_HOST_IRQ_ENTRY) +
        tf_cost_ps(GICSIM_COST_ICC_IAR_READ) + tf_cost_ps(GICSIM_COST_ICC_EOIR_WRITE) +
        tf_cost_ps(GICSIM_COST_IRQ_QUEUE) + tf_cost_ps(GICSIM_COST_ERET_LOCAL) +
        tf_cost_ps(GICSIM_COST_AP_LIST_ENTRY) + tf_cost_ps(GICSIM_COST_LR_WRITE) + 2 * ich +
        tf_cost_ps(GICSIM_COST_GUEST_STATE_RESTORE) + tf_cost_ps(GICSIM_COST_ERET_TO_GUEST);
    assert_int_equal(hyp_vhe, exit_part);
    assert_int_equal(lat_vhe, tf_cost_ps(GICSIM_COST_DIST_TO_REDIST) +
                                  tf_cost_ps(GICSIM_COST_REDIST_TO_CPUIF) + exit_part +
                                  tf_cost_ps(GICSIM_COST_EXC_LOCAL) +
                                  tf_cost_ps(GICSIM_COST_ICV_IAR_READ));
}

/* ---- the virtual timer ---------------------------------------------------------- */

#define VT_N 10u

static gicsim_system *vtimer_run(const char *policy, bool busy, gicsim_time_t halt_poll)
{
    gicsim_system *s = sys_new(1, 4, true);
    gicsim_vm_config vc = tf_vm_config(policy, 1, busy, true);
    vc.halt_poll = halt_poll;
    uint32_t vm = tf_vm_add(s, &vc);
    gicsim_source_config sc;
    gicsim_source_config_init(&sc);
    sc.kind = GICSIM_SRC_VTIMER;
    sc.vm = vm;
    sc.period = GICSIM_US(200);
    sc.handler = GICSIM_US(2);
    sc.limit = VT_N;
    tf_source_add(s, &sc);
    gicsim_system_run_for(s, GICSIM_US(200) * (VT_N + 2));
    tf_check_accounting(s);
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(gicsim_system_record_count(s), VT_N);
    assert_int_equal(st.delivered, VT_N);
    for (uint32_t i = 0; i < VT_N; i++) {
        const gicsim_irq_record *r = tf_record(s, i);
        assert_int_equal(r->intid, GICSIM_PPI_VTIMER);
        /* Expiries at the programmed deadlines: 200 us apart. */
        assert_int_equal(r->t_assert, GICSIM_US(200) * (i + 1));
        assert_true(r->t_deact != NEVER);
    }
    return s;
}

/* Loaded and running: the timer's PPI makes the guest exit; eoi-split maps
 * it HW=1 (1 exit), trap-inject masks it and resamples at an EOI
 * maintenance interrupt (2 exits). */
static void test_vtimer_loaded(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        bool split = p == 0;
        gicsim_system *s = vtimer_run(split ? "eoi-split" : "trap-inject", true, 0);
        gicsim_system_stats st = tf_system_stats(s);
        uint32_t maint = split ? 0 : 1;
        assert_int_equal(st.exits[GICSIM_EXIT_IRQ], VT_N);
        assert_int_equal(st.exits[GICSIM_EXIT_MAINTENANCE], VT_N * maint);
        assert_int_equal(st.exits_total, VT_N * (1 + maint));
        assert_int_equal(st.wakeups, 0);
        assert_int_equal(st.vcpu_switches, 1);
        for (uint32_t i = 0; i < VT_N; i++) {
            const gicsim_irq_record *r = tf_record(s, i);
            assert_int_equal(r->exits[GICSIM_EXIT_IRQ], 1);
            assert_int_equal(r->exits[GICSIM_EXIT_MAINTENANCE], maint);
            assert_int_equal(r->maintenance, maint);
        }
        gicsim_system_destroy(s);
    }
}

/* Idle in a trapped WFI: the vCPU blocks and is put; its timer becomes the
 * host's software timer, whose expiry injects the interrupt and wakes the
 * vCPU. No guest runs when it fires, so no irq exit; the wake-up path
 * (hrtimer, sched_wakeup, switch, vcpu_load) makes it slower. */
static void test_vtimer_descheduled(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        const char *pol = p == 0 ? "eoi-split" : "trap-inject";
        gicsim_system *idle = vtimer_run(pol, false, 0);
        gicsim_system *busy = vtimer_run(pol, true, 0);
        gicsim_system_stats st = tf_system_stats(idle);
        assert_int_equal(st.wakeups, VT_N);
        assert_int_equal(st.vcpu_switches, VT_N + 1);
        assert_int_equal(st.exits[GICSIM_EXIT_IRQ], 0);
        assert_int_equal(st.exits[GICSIM_EXIT_WFI], VT_N + 1);
        /* The host's injection follows the policy: HW=1 under eoi-split,
         * HW=0 with an EOI maintenance request under trap-inject. Either
         * way the expiry is signalled once: the physical timer does not
         * fire again when the vCPU is loaded. */
        uint32_t maint = p == 0 ? 0 : 1;
        assert_int_equal(st.exits[GICSIM_EXIT_MAINTENANCE], VT_N * maint);
        assert_int_equal(st.exits_total, VT_N * (1 + maint) + 1);
        for (uint32_t i = 0; i < VT_N; i++) {
            assert_int_equal(tf_record(idle, i)->exits[GICSIM_EXIT_IRQ], 0);
            assert_int_equal(tf_record(idle, i)->exits[GICSIM_EXIT_MAINTENANCE], maint);
        }
        const gicsim_histogram *hi = gicsim_system_latency(idle, 0);
        const gicsim_histogram *hb = gicsim_system_latency(busy, 0);
        assert_int_equal(gicsim_histogram_count(hi), VT_N);
        assert_int_equal(gicsim_histogram_count(hb), VT_N);
        assert_true(gicsim_histogram_max(hb) < gicsim_histogram_min(hi));
        assert_true(gicsim_histogram_min(hi) >
                    tf_cost_ps(GICSIM_COST_HRTIMER_FIRE) + tf_cost_ps(GICSIM_COST_SCHED_WAKEUP));
        gicsim_system_destroy(idle);
        gicsim_system_destroy(busy);
    }
}

/* ---- halt polling ------------------------------------------------------------- */

static gicsim_system *poll_run(gicsim_time_t halt_poll)
{
    gicsim_system *s = sys_new(1, 4, true);
    gicsim_vm_config vc = tf_vm_config("eoi-split", 1, false, true);
    vc.halt_poll = halt_poll;
    uint32_t vm = tf_vm_add(s, &vc);
    gicsim_source_config sc = spi_cfg(vm, 0, 40, false);
    sc.period = GICSIM_US(20);
    sc.limit = 50;
    tf_source_add(s, &sc);
    gicsim_system_run_for(s, GICSIM_MS(2));
    tf_check_accounting(s);
    assert_int_equal(tf_system_stats(s).delivered, 50);
    return s;
}

/* A vCPU that halt-polls longer than the gap between its interrupts never
 * blocks: each interrupt ends the poll and the vCPU re-enters at once,
 * without the wake-up and reschedule. */
static void test_halt_polling(void **state)
{
    (void)state;
    gicsim_system *nopoll = poll_run(0), *poll = poll_run(GICSIM_US(50));
    gicsim_system_stats a = tf_system_stats(nopoll), b = tf_system_stats(poll);
    assert_int_equal(a.wakeups, 50);
    assert_int_equal(a.halt_poll_time, 0);
    assert_int_equal(b.wakeups, 0);
    assert_int_equal(b.vcpu_switches, 1);
    assert_true(b.halt_poll_time > 0);
    assert_true(b.halt_poll_time > GICSIM_US(15) * 49);
    assert_int_equal(b.exits[GICSIM_EXIT_IRQ], 0);
    assert_true(b.exits[GICSIM_EXIT_WFI] >= 50);
    const gicsim_histogram *la = gicsim_system_latency(nopoll, UINT32_MAX);
    const gicsim_histogram *lb = gicsim_system_latency(poll, UINT32_MAX);
    assert_true(gicsim_histogram_max(lb) < gicsim_histogram_min(la));
    gicsim_system_destroy(nopoll);
    gicsim_system_destroy(poll);
}

/* ---- two vCPUs on one PE -------------------------------------------------------- */

/* Two busy vCPUs pinned to PE 0 take turns each time slice (the host's
 * scheduler tick); an interrupt for the vCPU that is not running waits for
 * its turn. */
static void test_oversubscription(void **state)
{
    (void)state;
    gicsim_system *s = sys_new(2, 4, true);
    gicsim_vm_config vc = tf_vm_config("eoi-split", 2, true, true);
    vc.pe_first = 0;
    vc.pe_count = 1;
    vc.time_slice = GICSIM_MS(1);
    uint32_t vm = tf_vm_add(s, &vc);
    for (uint32_t v = 0; v < 2; v++) {
        gicsim_source_config sc = spi_cfg(vm, v, 40 + v, false);
        sc.period = GICSIM_US(v ? 70 : 50);
        tf_source_add(s, &sc);
    }
    gicsim_system_run_for(s, GICSIM_MS(10));
    tf_check_accounting(s);
    gicsim_system_stats st = tf_system_stats(s);
    assert_true(st.vcpu_switches >= 9);
    assert_true(st.vcpu_switches <= 12);
    assert_int_equal(st.wakeups, 0);
    /* PE 1 has nothing to run. */
    assert_true(st.guest_time > GICSIM_MS(9));
    assert_true(st.guest_time < GICSIM_MS(10));

    /* Each vCPU acknowledges interrupts in most of the 1 ms slices (so it
     * ran then), and some waited more than half a slice. */
    uint32_t slices[2] = {0, 0};
    gicsim_time_t worst[2] = {0, 0};
    for (size_t i = 0; i < gicsim_system_record_count(s); i++) {
        const gicsim_irq_record *r = tf_record(s, i);
        if (r->t_ack == NEVER)
            continue;
        slices[r->vcpu] |= 1u << (r->t_ack / GICSIM_MS(1));
        if (r->t_ack - r->t_assert > worst[r->vcpu])
            worst[r->vcpu] = r->t_ack - r->t_assert;
    }
    for (int v = 0; v < 2; v++) {
        assert_true(__builtin_popcount(slices[v]) >= 4);
        assert_true(worst[v] > GICSIM_US(500));
        assert_true(worst[v] < GICSIM_MS(2));
    }
    /* They do not run at the same time: a slice where one acknowledged
     * nothing is one where the other ran. */
    assert_true(slices[0] != slices[1]);
    assert_true(st.merged > 0);
    drain(s);
    gicsim_system_destroy(s);
}

/* An SGI source with reply is a ping-pong: each handler, receiver's and
 * sender's, sends the next SGI back, until `limit` arrivals; every instance
 * is a record of that source, alternating between the two vCPUs. */
static void test_sgi_ping_pong(void **state)
{
    (void)state;
    uint32_t id;
    gicsim_system *s = ipi_system(3, true, 6, &id);
    gicsim_system_run_for(s, GICSIM_US(20));
    assert_int_equal(gicsim_source_trigger(s, id), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_MS(1));
    tf_check_all_completed(s, 6);
    for (size_t i = 0; i < 6; i++) {
        const gicsim_irq_record *r = tf_record(s, i);
        assert_int_equal(r->source, id);
        assert_int_equal(r->intid, 3);
        assert_int_equal(r->vcpu, i % 2 ? 0u : 1u);
    }
    gicsim_system_destroy(s);
}

/* The PE each vCPU of VM 0 first ran on (UINT32_MAX: not yet). */
typedef struct first_pe {
    uint32_t pe[4];
} first_pe;

static void note_first_pe(void *ctx, const gicsim_sys_event *ev)
{
    first_pe *f = ctx;
    if (ev->kind == GICSIM_SEV_MODE && ev->mode == GICSIM_PE_GUEST && ev->vm == 0 && ev->vcpu < 4 &&
        f->pe[ev->vcpu] == UINT32_MAX)
        f->pe[ev->vcpu] = ev->pe;
}

/* Unpinned vCPUs become runnable on the PE of their set with the fewest
 * vCPUs, loaded or waiting, ties to the lowest PE: three vCPUs on PEs 1..3
 * go to 1, 2, 3; a fourth goes to 1 again (all have one). */
static void test_unpinned_placement(void **state)
{
    (void)state;
    gicsim_system *s = tf_system(GICSIM_GICV3, 4);
    first_pe f = {{UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX}};
    assert_int_equal(gicsim_system_add_observer(s, note_first_pe, &f), GICSIM_OK);
    gicsim_vm_config vc = tf_vm_config("trap-inject", 4, true, true);
    vc.pinned = false;
    vc.pe_first = 1;
    vc.pe_count = 3;
    vc.time_slice = GICSIM_US(200);
    tf_vm_add(s, &vc);
    gicsim_system_run_for(s, GICSIM_MS(1));
    assert_int_equal(f.pe[0], 1);
    assert_int_equal(f.pe[1], 2);
    assert_int_equal(f.pe[2], 3);
    assert_int_equal(f.pe[3], 1);
    tf_check_accounting(s);
    gicsim_system_destroy(s);
}

/* ---- argument validation --------------------------------------------------------- */

static void test_validation(void **state)
{
    (void)state;
    gicsim_system_config c;
    gicsim_system_config_init(&c);
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_system_create(NULL, &s), GICSIM_E_INVAL);
    assert_int_equal(gicsim_system_create(&c, NULL), GICSIM_E_INVAL);
    c.kick_sgi = 16;
    assert_int_equal(gicsim_system_create(&c, &s), GICSIM_E_INVAL);
    c.kick_sgi = 0;
    static const uint32_t bad_tick[] = {15, 25, 26, 27, 32};
    for (size_t i = 0; i < sizeof bad_tick / sizeof bad_tick[0]; i++) {
        c.host_tick_ppi = bad_tick[i];
        assert_int_equal(gicsim_system_create(&c, &s), GICSIM_E_INVAL);
    }
    assert_null(s);

    s = sys_new(2, 4, true);
    gicsim_vm_config vc = tf_vm_config("eoi-split", 1, false, true);
    uint32_t vm = UINT32_MAX;
    assert_int_equal(gicsim_vm_add(NULL, &vc, &vm), GICSIM_E_INVAL);
    assert_int_equal(gicsim_vm_add(s, NULL, &vm), GICSIM_E_INVAL);
    vc.num_vcpus = 0;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.num_vcpus = 257;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.num_vcpus = 1;
    vc.pe_first = 2;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.pe_first = 1;
    vc.pe_count = 2;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.pe_first = 0;
    vc.pe_count = 0;
    vc.guest_eoimode = 2;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.guest_eoimode = 0;
    vc.time_slice = 0;
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_INVAL);
    vc.time_slice = GICSIM_MS(4);
    vc.policy = "nope";
    assert_int_equal(gicsim_vm_add(s, &vc, &vm), GICSIM_E_NOTFOUND);
    assert_int_equal(vm, UINT32_MAX);
    vc = tf_vm_config("eoi-split", 2, false, true);
    vm = tf_vm_add(s, &vc);
    assert_int_equal(vm, 0);

    gicsim_source_config sc = spi_cfg(vm, 0, 40, false);
    uint32_t id = UINT32_MAX;
    assert_int_equal(gicsim_source_add(NULL, &sc, &id), GICSIM_E_INVAL);
    assert_int_equal(gicsim_source_add(s, NULL, &id), GICSIM_E_INVAL);
    sc.vm = 1;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    sc.vm = vm;
    sc.vcpu = 2;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    sc.vcpu = 0;
    sc.period = 0;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    sc.period = GICSIM_US(100);
    sc.arrival = (gicsim_arrival_kind)(GICSIM_ARRIVE_MANUAL + 1);
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    sc.arrival = GICSIM_ARRIVE_PERIODIC;
    sc.kind = (gicsim_source_kind)(GICSIM_SRC_SGI + 1);
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    /* SPIs: the SPI range of the GIC (96 by default), a free INTID, a PE. */
    static const uint32_t bad_spi[] = {0, 27, 31, 32 + 96, 1020};
    for (size_t i = 0; i < sizeof bad_spi / sizeof bad_spi[0]; i++) {
        sc = spi_cfg(vm, 0, bad_spi[i], i % 2 == 0);
        assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    }
    sc = spi_cfg(vm, 0, 40, false);
    sc.route_pe = 2;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    assert_int_equal(id, UINT32_MAX);
    sc.route_pe = 1;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_OK);
    assert_int_equal(id, 0);
    sc = spi_cfg(vm, 1, 40, true); /* INTID 40 is taken */
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    sc.intid = 32 + 95;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_OK);
    assert_int_equal(id, 1);
    /* Virtual timers: one per vCPU. */
    gicsim_source_config_init(&sc);
    sc.kind = GICSIM_SRC_VTIMER;
    sc.vm = vm;
    sc.vcpu = 1;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_OK);
    assert_int_equal(id, 2);
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    /* SGIs: INTID 0..15, an existing sender. */
    gicsim_source_config_init(&sc);
    sc.kind = GICSIM_SRC_SGI;
    sc.vm = vm;
    sc.vcpu = 1;
    sc.intid = 16;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    sc.intid = 15;
    sc.sender_vcpu = 2;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_E_INVAL);
    sc.sender_vcpu = 0;
    sc.arrival = GICSIM_ARRIVE_MANUAL;
    assert_int_equal(gicsim_source_add(s, &sc, &id), GICSIM_OK);
    assert_int_equal(id, 3);

    /* Triggers: existing sources that are not timers. */
    assert_int_equal(gicsim_source_trigger(s, 4), GICSIM_E_INVAL);
    assert_int_equal(gicsim_source_trigger(s, 2), GICSIM_E_INVAL);
    assert_int_equal(gicsim_source_trigger(NULL, 0), GICSIM_E_INVAL);
    assert_int_equal(gicsim_source_trigger(s, 3), GICSIM_OK);
    assert_null(gicsim_system_latency(s, 4));
    assert_non_null(gicsim_system_latency(s, 3));
    assert_null(gicsim_system_record(s, gicsim_system_record_count(s)));
    gicsim_system_run_for(s, GICSIM_US(50));
    tf_check_accounting(s);
    assert_int_equal(tf_system_stats(s).delivered, 1);
    gicsim_system_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_ordered_and_deterministic),
        cmocka_unit_test(test_lr_overflow_each_delivered_once),
        cmocka_unit_test(test_nested_active_overflow_terminates),
        cmocka_unit_test(test_sgi_path_and_cost),
        cmocka_unit_test(test_vhe_world_switch),
        cmocka_unit_test(test_vtimer_loaded),
        cmocka_unit_test(test_vtimer_descheduled),
        cmocka_unit_test(test_halt_polling),
        cmocka_unit_test(test_oversubscription),
        cmocka_unit_test(test_unpinned_placement),
        cmocka_unit_test(test_sgi_ping_pong),
        cmocka_unit_test(test_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
