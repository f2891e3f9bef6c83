/* gicsim: the invariant checker (gicsim/invariants.h, docs/invariants.md).
 *
 * 1. Every shipped scenario (every file of configs/scenarios) runs briefly under
 *    each policy it lists and under its own, then in variants that reach
 *    other paths (more priority bits, guest EOImode 1, nested handlers,
 *    GICv4.1 with every policy), with the checker on: no violation, and the
 *    checker really ran. Then the sources stop and the system drains: every
 *    record ends merged or delivered (none is lost).
 * 2. The checker catches what it is meant to catch: each kind of violation
 *    is provoked by corrupting the model's state (through the internal
 *    headers), and the report keeps the first one (what, where, when) and
 *    counts them all. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "gic/gic_internal.h"
#include "sys_invariants.h"
#include "sys_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEVER GICSIM_TIME_NEVER

/* ---- scenarios ------------------------------------------------------------------ */

#define MAX_SCENARIOS 64

typedef struct name_list {
    char v[MAX_SCENARIOS][256];
    size_t n;
} name_list;

/* The shipped scenarios, sorted so the runs do not depend on the directory order. */
static void scenario_files(name_list *out)
{
    out->n = 0;
    DIR *d = opendir(GICSIM_SCENARIO_DIR);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) && out->n < MAX_SCENARIOS) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml"))
            snprintf(out->v[out->n++], sizeof out->v[0], "%s/%s", GICSIM_SCENARIO_DIR, e->d_name);
    }
    closedir(d);
    for (size_t i = 1; i < out->n; i++)
        for (size_t k = i; k > 0 && strcmp(out->v[k - 1], out->v[k]) > 0; k--) {
            char t[256];
            memcpy(t, out->v[k], sizeof t);
            memcpy(out->v[k], out->v[k - 1], sizeof t);
            memcpy(out->v[k - 1], t, sizeof t);
        }
    assert_true(out->n >= 1);
}

static gicsim_scenario *load(const char *path, const char *const *ov, size_t n_ov)
{
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    gicsim_status st = gicsim_scenario_load(path, ov, n_ov, &sc, &d);
    if (st != GICSIM_OK)
        fail_msg("%s: %s:%u: %s: %s", path, d.file, d.line, d.key, d.message);
    return sc;
}

static void assert_clean(gicsim_system *sys, const char *what)
{
    char msg[512];
    gicsim_status st = gicsim_system_check_invariants(sys, msg, sizeof msg);
    if (st != GICSIM_OK)
        fail_msg("%s: %s", what, msg);
    gicsim_invariant_report r;
    gicsim_system_invariants(sys, &r);
    assert_true(r.enabled);
    assert_int_equal(r.violations, 0);
    assert_true(r.checks > 0);
}

/* Build the scenario under `policy` (NULL: each VM's own), run it, check,
 * then stop the sources, drain and check that nothing was lost. */
static void run_checked(const gicsim_scenario *sc, const char *policy, const char *label)
{
    gicsim_system *sys = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    gicsim_status st = gicsim_scenario_build(sc, policy, &sys, &d);
    if (st == GICSIM_E_UNSUPPORTED)
        return; /* a direct policy on a GIC without the feature */
    if (st != GICSIM_OK)
        fail_msg("%s: build: %s:%u: %s: %s", label, d.file, d.line, d.key, d.message);
    assert_int_equal(gicsim_system_keep_records(sys), GICSIM_OK);
    /* Trace-driven sources: replay their traces, as the command line does. */
    gicsim_trace_reader *readers[8];
    gicsim_trace_replay *replays[8];
    size_t n_readers = 0, n_src = gicsim_scenario_source_count(sc);
    const char *names[256];
    for (size_t i = 0; i < n_src && i < 256; i++)
        names[i] = gicsim_scenario_source_name(sc, i);
    for (size_t i = 0; i < n_src && n_readers < 8; i++) {
        const char *path = gicsim_scenario_source_trace(sc, i);
        bool seen = false;
        for (size_t k = 0; path && k < i; k++)
            seen |= gicsim_scenario_source_trace(sc, k) &&
                    !strcmp(gicsim_scenario_source_trace(sc, k), path);
        if (!path || seen)
            continue;
        assert_int_equal(gicsim_trace_open(path, &readers[n_readers]), GICSIM_OK);
        assert_int_equal(gicsim_trace_replay_attach(sys, readers[n_readers], names,
                                                    n_src < 256 ? n_src : 256, &replays[n_readers]),
                         GICSIM_OK);
        n_readers++;
    }
    gicsim_system_run_for(sys, gicsim_scenario_duration(sc));
    assert_clean(sys, label);

    gicsim_system_stats s0;
    gicsim_system_get_stats(sys, &s0);
    assert_true(s0.asserted > 0);
    gicsim_system_stop_sources(sys);
    for (int k = 0; k < 20; k++) {
        gicsim_system_stats s1;
        gicsim_system_get_stats(sys, &s1);
        if (!s1.pending)
            break;
        gicsim_system_run_for(sys, GICSIM_MS(1));
    }
    assert_clean(sys, label);
    gicsim_system_stats s1;
    gicsim_system_get_stats(sys, &s1);
    /* trap-inject-nomask re-traps a level interrupt for as long as its line
     * is high: a device whose line only the guest's handler lowers never
     * lets the guest run (docs/virtualization.md), so its instances stay
     * pending by design. */
    bool storm = false;
    for (uint32_t vm = 0; vm < gicsim_system_num_vms(sys); vm++)
        storm |= !strcmp(gicsim_system_vm_policy(sys, vm), "trap-inject-nomask");
    if (s1.pending && !storm) {
        for (size_t i = 0; i < gicsim_system_record_count(sys); i++) {
            const gicsim_irq_record *r = gicsim_system_record(sys, i);
            if (!r->merged && r->t_ack == NEVER)
                fail_msg("%s: record %zu (source %u, vINTID %u, asserted at %llu ps) never "
                         "delivered: %llu of %llu records lost",
                         label, i, r->source, r->intid, (unsigned long long)r->t_assert,
                         (unsigned long long)s1.pending, (unsigned long long)s1.asserted);
        }
    }
    for (size_t k = 0; k < n_readers; k++) {
        assert_int_equal(gicsim_trace_replay_status(replays[k]), GICSIM_OK);
        gicsim_trace_replay_free(replays[k]);
        gicsim_trace_close(readers[k]);
    }
    gicsim_system_destroy(sys);
}

/* Every policy the scenario lists, then the VMs' own. */
static void run_all_policies(const char *path, const char *const *ov, size_t n_ov,
                             const char *variant)
{
    gicsim_scenario *sc = load(path, ov, n_ov);
    char label[512];
    for (size_t i = 0; i <= gicsim_scenario_policy_count(sc); i++) {
        const char *pol =
            i < gicsim_scenario_policy_count(sc) ? gicsim_scenario_policy(sc, i) : NULL;
        snprintf(label, sizeof label, "%s [%s] under %s", path, variant,
                 pol ? pol : "its own policies");
        run_checked(sc, pol, label);
    }
    gicsim_scenario_free(sc);
}

static void test_shipped_scenarios(void **state)
{
    (void)state;
    name_list files;
    scenario_files(&files);
    static const char *const ov[] = {"run.duration=3ms"};
    for (size_t i = 0; i < files.n; i++)
        run_all_policies(files.v[i], ov, 1, "shipped");
}

/* Overrides applied to every VM of the scenario (vms.<i>.key=value). */
static void run_vm_variant(const char *path, const char *const *gic_ov, size_t n_gic,
                           const char *vm_key, const char *variant, const char *const *policies,
                           size_t n_policies)
{
    gicsim_scenario *probe = load(path, NULL, 0);
    size_t n_vms = gicsim_scenario_vm_count(probe);
    gicsim_scenario_free(probe);
    char buf[16][96];
    const char *ov[20];
    size_t n = 0;
    ov[n++] = "run.duration=2ms";
    for (size_t i = 0; i < n_gic && n < 20; i++)
        ov[n++] = gic_ov[i];
    for (size_t v = 0; vm_key && v < n_vms && v < 16 && n < 20; v++) {
        snprintf(buf[v], sizeof buf[v], "vms.%zu.%s", v, vm_key);
        ov[n++] = buf[v];
    }
    if (!policies) {
        run_all_policies(path, ov, n, variant);
        return;
    }
    gicsim_scenario *sc = load(path, ov, n);
    char label[512];
    for (size_t i = 0; i < n_policies; i++) {
        snprintf(label, sizeof label, "%s [%s] under %s", path, variant, policies[i]);
        run_checked(sc, policies[i], label);
    }
    gicsim_scenario_free(sc);
}

static void test_scenario_variants(void **state)
{
    (void)state;
    name_list files;
    scenario_files(&files);
    static const char *const pb4[] = {"gic.priority_bits=4"};
    static const char *const pb6[] = {"gic.priority_bits=6"};
    static const char *const pb8[] = {"gic.priority_bits=8"};
    static const char *const v41[] = {"gic.version=v4.1"};
    static const char *const lr1[] = {"gic.lrs=1"};
    static const char *const every[] = {"trap-inject",   "trap-inject-nomask", "eoi-split",
                                        "gicv4-direct",  "gicv41-vsgi",        "did",
                                        "vlpi-emulated", "direct-vtimer"};
    for (size_t i = 0; i < files.n; i++) {
        const char *f = files.v[i];
        run_vm_variant(f, pb4, 1, NULL, "4 priority bits", NULL, 0);
        run_vm_variant(f, pb6, 1, NULL, "6 priority bits", NULL, 0);
        run_vm_variant(f, pb8, 1, NULL, "8 priority bits", NULL, 0);
        run_vm_variant(f, NULL, 0, "guest_eoimode=1", "guest EOImode 1", NULL, 0);
        run_vm_variant(f, NULL, 0, "nested=true", "nested handlers", NULL, 0);
        run_vm_variant(f, NULL, 0, "pinned=false", "unpinned vCPUs", NULL, 0);
        run_vm_variant(f, v41, 1, "pinned=false", "unpinned vCPUs, GICv4.1", every,
                       sizeof every / sizeof every[0]);
        run_vm_variant(f, NULL, 0, "halt_poll=10us", "halt polling", NULL, 0);
        run_vm_variant(f, NULL, 0, "time_slice=50us", "50 us time slices", NULL, 0);
        run_vm_variant(f, NULL, 0, "guest=busy", "busy guests", NULL, 0);
        run_vm_variant(f, lr1, 1, NULL, "one list register", NULL, 0);
        run_vm_variant(f, v41, 1, NULL, "GICv4.1", every, sizeof every / sizeof every[0]);
    }
}

/* ---- the checker catches violations ---------------------------------------------------- */

static gicsim_engine *eng;

static gicsim_gic *gic_new(void)
{
    gicsim_gic_config c;
    gicsim_gic_config_init(&c);
    assert_int_equal(gicsim_engine_create(&eng), GICSIM_OK);
    gicsim_gic *g = NULL;
    assert_int_equal(gicsim_gic_create(eng, &c, &g), GICSIM_OK);
    gicsim_gic_os_init(g);
    return g;
}

static void gic_free(gicsim_gic *g)
{
    gicsim_gic_destroy(g);
    gicsim_engine_destroy(eng);
}

static void test_clean_gic(void **state)
{
    (void)state;
    assert_true(gicsim_invariants_enabled());
    gicsim_gic *g = gic_new();
    gicsim_gicd_write(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8); /* SPI 40, level, to PE 0 */
    gicsim_gic_set_line(g, 0, 40, true);
    gicsim_engine_run_for(eng, GICSIM_US(1));
    uint64_t v = 0;
    gicsim_icc_read(g, 0, GICSIM_ICC_IAR1, &v);
    assert_int_equal(v, 40);
    gicsim_gic_set_line(g, 0, 40, false);
    gicsim_icc_write(g, 0, GICSIM_ICC_EOIR1, 40);
    char msg[256];
    assert_int_equal(gicsim_gic_check_invariants(g, msg, sizeof msg), GICSIM_OK);
    assert_non_null(strstr(msg, "no violation"));
    gicsim_invariant_report r;
    gicsim_gic_invariants(g, &r);
    assert_true(r.enabled);
    assert_true(r.checks > 0);
    assert_int_equal(r.violations, 0);
    assert_int_equal(r.time, NEVER);
    assert_string_equal(r.where, "");
    gicsim_engine_invariants(eng, &r);
    assert_true(r.checks > 0);
    assert_int_equal(r.violations, 0);
    gic_free(g);
}

/* (a) GIC accounting: pending_now off by one is found at the next state
 * change; the first violation is kept, later ones are counted. */
static void test_gic_accounting_violation(void **state)
{
    (void)state;
    gicsim_gic *g = gic_new();
    gicsim_gicd_write(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8);
    gicsim_engine_run_for(eng, GICSIM_US(3));
    g->stats.pending_now++;
    gicsim_gic_set_line(g, 0, 40, true);
    gicsim_invariant_report r;
    gicsim_gic_invariants(g, &r);
    assert_true(r.violations >= 1);
    assert_int_equal(r.time, GICSIM_US(3));
    assert_string_equal(r.where, "irq.c:irq_commit");
    assert_non_null(strstr(r.what, "INTID 40"));
    uint64_t first = r.violations;
    gicsim_engine_run_for(eng, GICSIM_US(1));
    uint64_t v = 0;
    gicsim_icc_read(g, 0, GICSIM_ICC_IAR1, &v);
    gicsim_gic_invariants(g, &r);
    assert_true(r.violations > first);
    assert_int_equal(r.time, GICSIM_US(3)); /* still the first one */
    char msg[512];
    assert_int_equal(gicsim_gic_check_invariants(g, msg, sizeof msg), GICSIM_E_STATE);
    assert_non_null(strstr(msg, "irq.c:irq_commit"));
    assert_non_null(strstr(msg, "first at 3000000 ps"));
    gic_free(g);
}

/* (a) A latched interrupt that the accounting does not know about: the
 * recount of gicsim_gic_check_invariants finds it. */
static void test_gic_recount_violation(void **state)
{
    (void)state;
    gicsim_gic *g = gic_new();
    g->spis[10].flags |= IRQF_LATCH; /* behind irq.c's back */
    char msg[512];
    assert_int_equal(gicsim_gic_check_invariants(g, msg, sizeof msg), GICSIM_E_STATE);
    assert_non_null(strstr(msg, "outstanding"));
    gic_free(g);
}

/* (a) Delivered twice: an acknowledge of an interrupt that is already active. */
static void test_gic_double_ack(void **state)
{
    (void)state;
    gicsim_gic *g = gic_new();
    gic_irq *q = gic_irq_lookup(g, 0, 40);
    q->flags |= IRQF_ACTIVE;
    irq_acknowledge(g, q);
    gicsim_invariant_report r;
    gicsim_gic_invariants(g, &r);
    assert_int_equal(r.violations, 1);
    assert_string_equal(r.where, "irq.c:irq_acknowledge");
    assert_non_null(strstr(r.what, "delivered twice"));
    gic_free(g);
}

/* (c) Physical: an active priority that no acknowledge set (the register
 * changed behind the CPU interface's back) is found at the next EOI, and the
 * running priority must follow the registers. */
static void test_icc_ap_violation(void **state)
{
    (void)state;
    gicsim_gic *g = gic_new();
    gicsim_gicd_write(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8);
    gicsim_gic_set_line(g, 0, 40, true);
    gicsim_engine_run_for(eng, GICSIM_US(1));
    uint64_t v = 0;
    gicsim_icc_read(g, 0, GICSIM_ICC_IAR1, &v);
    assert_int_equal(v, 40);
    gicsim_invariant_report r;
    gicsim_gic_invariants(g, &r);
    assert_int_equal(r.violations, 0);
    g->cpu[0].ap[1][0] |= 1u << 2; /* priority 0x10, never acknowledged */
    gicsim_icc_write(g, 0, GICSIM_ICC_EOIR1, 40);
    gicsim_gic_invariants(g, &r);
    assert_true(r.violations >= 1);
    assert_string_equal(r.where, "cpu_interface.c:end_of_interrupt");
    assert_non_null(strstr(r.what, "ICC_AP1R0"));
    gic_free(g);
}

/* (c) Software writes of the active-priority registers are not violations:
 * the checker takes them as they are. */
static void test_icc_ap_software_write(void **state)
{
    (void)state;
    gicsim_gic *g = gic_new();
    gicsim_icc_write(g, 0, GICSIM_ICC_AP1R0, 1u << 4);
    gicsim_icc_write(g, 0, GICSIM_ICC_EOIR1, 40);
    gicsim_ich_write(g, 1, GICSIM_ICH_AP1R0, 1u << 3);
    gicsim_icv_write(g, 1, GICSIM_ICC_EOIR1, 40);
    assert_int_equal(gicsim_gic_check_invariants(g, NULL, 0), GICSIM_OK);
    gic_free(g);
}

/* A busy guest (always loaded) and an edge SPI every 100 us from 100 us,
 * whose handler takes 20 us. */
static gicsim_system *sys_with_spi(uint32_t *src)
{
    gicsim_system_config c;
    gicsim_system_config_init(&c);
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_system_create(&c, &s), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    vc.guest_busy = true;
    assert_int_equal(gicsim_vm_add(s, &vc, NULL), GICSIM_OK);
    gicsim_source_config sc;
    gicsim_source_config_init(&sc);
    sc.kind = GICSIM_SRC_SPI_EDGE;
    sc.intid = 48;
    sc.handler = GICSIM_US(20);
    sc.period = GICSIM_US(100);
    assert_int_equal(gicsim_source_add(s, &sc, src), GICSIM_OK);
    return s;
}

/* (c) Virtual: an active priority the guest never acknowledged appears in
 * its virtual CPU interface (as if the hypervisor restored the wrong one):
 * found when the next exit saves it. */
static void test_vcpu_ap_violation(void **state)
{
    (void)state;
    uint32_t src;
    gicsim_system *s = sys_with_spi(&src);
    gicsim_system_run_for(s, GICSIM_US(250));
    assert_clean(s, "before");
    assert_ptr_equal(s->pes[0].vcpu, &s->vms[0]->vcpus[0]);
    assert_true(s->vms[0]->vcpus[0].in_guest);
    gicsim_ich_write(s->gic, 0, GICSIM_ICH_AP1R0, 1u << 7);
    gicsim_system_run_for(s, GICSIM_US(100));
    gicsim_invariant_report r;
    gicsim_system_invariants(s, &r);
    assert_true(r.violations >= 1);
    assert_non_null(strstr(r.what, "vCPU 0.0"));
    gicsim_system_destroy(s);
}

/* (a) A record acknowledged twice, and one merged and delivered. */
static void test_record_violations(void **state)
{
    (void)state;
    uint32_t src;
    gicsim_system *s = sys_with_spi(&src);
    gicsim_system_run_for(s, GICSIM_US(450));
    assert_clean(s, "before");
    size_t n = gicsim_system_record_count(s);
    assert_true(n >= 3);
    assert_true(s->recs.slot[0].r.t_ack != NEVER);

    /* The guest's acknowledge of an interrupt whose pending instance is a
     * record already delivered. */
    sys_vcpu *v = &s->vms[0]->vcpus[0];
    vgic_irq *q = vcpu_irq(s, v, 48);
    uint32_t saved = q->rec_pending;
    q->rec_pending = 0;
    gicsim_gic_event ev = {.time = GICSIM_US(450), .kind = GICSIM_GEV_VACK, .pe = 0, .intid = 48};
    inv_sys_gic_event(s, &ev, NULL, q);
    q->rec_pending = saved;
    gicsim_invariant_report r;
    gicsim_system_invariants(s, &r);
    assert_int_equal(r.violations, 1);
    assert_string_equal(r.where, "system.c:on_gic_event");
    assert_non_null(strstr(r.what, "record 0 "));
    assert_non_null(strstr(r.what, "acknowledged twice"));

    s->recs.slot[1].r.merged = true;
    char msg[512];
    assert_int_equal(gicsim_system_check_invariants(s, msg, sizeof msg), GICSIM_E_STATE);
    gicsim_system_invariants(s, &r);
    assert_true(r.violations >= 2);
    assert_non_null(strstr(msg, "acknowledged twice")); /* the first is kept */
    gicsim_system_destroy(s);
}

/* (b) A list register that does not hold what the software state says. */
static void test_lr_violation(void **state)
{
    (void)state;
    uint32_t src;
    gicsim_system *s = sys_with_spi(&src);
    gicsim_system_run_for(s, GICSIM_US(250));
    sys_vcpu *v = &s->vms[0]->vcpus[0];
    sys_pe *pe = &s->pes[0];
    assert_ptr_equal(pe->vcpu, v);
    /* Claim vINTID 48 sits in LR 0 while the register is empty. */
    vgic_irq *q = vcpu_irq(s, v, 48);
    uint32_t used = v->used_lrs;
    vgic_irq *lr0 = v->lr_irq[0];
    int8_t qlr = q->lr;
    bool queued = q->queued;
    uint64_t lr = 0;
    gicsim_ich_read(s->gic, 0, GICSIM_ICH_LR0, &lr);
    gicsim_ich_write(s->gic, 0, GICSIM_ICH_LR0, 0);
    v->used_lrs = 1;
    v->lr_irq[0] = q;
    q->lr = 0;
    q->queued = true;
    inv_sys_flush(s, pe, v);
    gicsim_invariant_report r;
    gicsim_system_invariants(s, &r);
    assert_true(r.violations >= 1);
    assert_string_equal(r.where, "hyp.c:flush");
    assert_non_null(strstr(r.what, "ICH_LR0"));
    v->used_lrs = used;
    v->lr_irq[0] = lr0;
    q->lr = qlr;
    q->queued = queued;
    gicsim_ich_write(s->gic, 0, GICSIM_ICH_LR0, lr);
    gicsim_system_destroy(s);
}

/* (e) An acknowledge credited to another instance than the one the GIC
 * held: through a list register (the pending instance the flush wrote is
 * replaced by one asserted after it, as the misattributed MSIs were), and
 * directly (a vLPI acknowledged faster than the ITS can deliver it). */
static void test_ack_instance_violations(void **state)
{
    (void)state;
    uint32_t src;
    gicsim_system *s = sys_with_spi(&src);
    sys_vcpu *v = &s->vms[0]->vcpus[0];
    vgic_irq *q = vcpu_irq(s, v, 48);
    /* Until the first instance sits pending in a list register. */
    for (int i = 0; i < 20000 && !(q->lr >= 0 && q->rec_pending != SYS_NONE); i++)
        gicsim_system_run_for(s, GICSIM_NS(10));
    assert_true(q->lr >= 0);
    assert_int_equal(q->rec_pending, 0);
    assert_clean(s, "before");
    q->rec_pending = record_new(s, src, 0, 0, 48);
    gicsim_system_run_for(s, GICSIM_US(5));
    gicsim_invariant_report r;
    gicsim_system_invariants(s, &r);
    assert_true(r.violations >= 1);
    assert_string_equal(r.where, "system.c:on_gic_event");
    if (!strstr(r.what, "acknowledged from ICH_LR0 as record 1, but the flush wrote the pending "
                        "instance of record 0"))
        fail_msg("%s", r.what);
    gicsim_system_destroy(s);

    s = sys_with_spi(&src);
    gicsim_system_run_for(s, GICSIM_US(50));
    assert_clean(s, "before");
    v = &s->vms[0]->vcpus[0];
    vgic_irq lpi;
    memset(&lpi, 0, sizeof lpi);
    lpi.vintid = 8300;
    lpi.lr = -1;
    lpi.rec_pending = record_new(s, src, 0, 0, 8300);
    lpi.rec_active = lpi.rec_latched = lpi.rec_maint = SYS_NONE;
    gicsim_gic_event ev = {
        .time = GICSIM_US(50) + GICSIM_NS(10), .kind = GICSIM_GEV_VACK, .pe = 0, .intid = 8300};
    inv_sys_gic_event(s, &ev, v, &lpi);
    gicsim_system_invariants(s, &r);
    assert_true(r.violations >= 1);
    if (!strstr(r.what, "acknowledged 10000 ps after its assertion, less than the ITS's path"))
        fail_msg("%s", r.what);
    gicsim_system_destroy(s);
}

/* (d) Time going backwards. */
static void test_time_violation(void **state)
{
    (void)state;
    inv_engine iv;
    memset(&iv, 0, sizeof iv);
    inv_report_reset(&iv.rep);
    inv_time(&iv, 5, 5, "here");
    inv_time(&iv, 5, 9, "here");
    assert_int_equal(iv.rep.violations, 0);
    inv_time(&iv, 9, 7, "engine.c:fire");
    inv_time(&iv, 9, 8, "engine.c:advance_to");
    assert_int_equal(iv.rep.checks, 4);
    assert_int_equal(iv.rep.violations, 2);
    assert_int_equal(iv.rep.time, 9);
    assert_string_equal(iv.rep.where, "engine.c:fire");
    assert_non_null(strstr(iv.rep.what, "7 ps after 9 ps"));
}

static void test_null_arguments(void **state)
{
    (void)state;
    gicsim_invariant_report r;
    memset(&r, 0xAB, sizeof r);
    gicsim_system_invariants(NULL, &r);
    assert_int_equal(r.violations, 0);
    assert_int_equal(r.checks, 0);
    assert_int_equal(r.time, NEVER);
    gicsim_gic_invariants(NULL, &r);
    gicsim_engine_invariants(NULL, &r);
    gicsim_system_invariants(NULL, NULL);
    char msg[8] = "x";
    assert_int_equal(gicsim_system_check_invariants(NULL, msg, sizeof msg), GICSIM_E_INVAL);
    assert_string_equal(msg, "");
    assert_int_equal(gicsim_gic_check_invariants(NULL, NULL, 0), GICSIM_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_gic),
        cmocka_unit_test(test_gic_accounting_violation),
        cmocka_unit_test(test_gic_recount_violation),
        cmocka_unit_test(test_gic_double_ack),
        cmocka_unit_test(test_icc_ap_violation),
        cmocka_unit_test(test_icc_ap_software_write),
        cmocka_unit_test(test_vcpu_ap_violation),
        cmocka_unit_test(test_record_violations),
        cmocka_unit_test(test_lr_violation),
        cmocka_unit_test(test_ack_instance_violations),
        cmocka_unit_test(test_time_violation),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_shipped_scenarios),
        cmocka_unit_test(test_scenario_variants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
