/* gicsim: the calibration benchmarks (see gicsim/microbench.h).
 *
 * kvm-unit-tests arm/micro-bench runs each test as
 *     isb; start = CNTPCT; exec(); isb; end = CNTPCT
 * on vCPU 0 while vCPU 1 spins with interrupts enabled, and reports the
 * average of end - start. Here vCPU 0 runs the same sequence as guest
 * operations: a counter read that samples `start`, the test's operations
 * (each an existing guest step: a trapping instruction, an ICV register
 * write, an SGI1R write, a timer program), a spin until the condition the
 * real test waits for, and a counter read that samples `end`. The spin is
 * the guest computing (guest_busy); the flag a handler sets becomes visible
 * to a spinning PE one cache-line transfer later (cacheline_transfer), or at
 * once on the PE that set it.
 *
 * The hypervisor is the same KVM model as everywhere, under eoi-split (KVM's
 * own scheme with a GICv3: host EOImode=1, the timer mapped HW=1), except
 * ipi_hw (gicv41-vsgi on a GICv4.1) and lpi (the LPI comes from an INT
 * command the host's emulated ITS executes: vlpi-emulated).
 *
 * Seed 004's tests run the system of configs/scenarios/seed004-timer.yaml:
 * timer_bm a host-timer source on an idle PE, timer_vm the virtual timer of
 * an idle guest with WFI trapped; the figure is the median latency.
 */
#include "sys_internal.h"

#include <gicsim/microbench.h>

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *desc;
} tests[GICSIM_MB__COUNT] = {
    [GICSIM_MB_HVC] = {"hvc", "a hypercall round trip (HVC #0, a function ID KVM denies)"},
    [GICSIM_MB_MMIO_READ_USER] = {"mmio_read_user",
                                  "an MMIO read emulated by the VMM in user space"},
    [GICSIM_MB_MMIO_READ_VGIC] = {"mmio_read_vgic",
                                  "an MMIO read of GICD_IIDR emulated by the host kernel"},
    [GICSIM_MB_EOI] = {"eoi", "an ICV_EOIR1_EL1 write of the spurious INTID 1023 (no trap)"},
    [GICSIM_MB_IPI] = {"ipi", "SGI 1 to vCPU 1 until vCPU 1's handler has run (trap, kick, exit)"},
    [GICSIM_MB_IPI_HW] = {"ipi_hw", "the same with GICv4.1 vSGIs (no exit on vCPU 1)"},
    [GICSIM_MB_LPI] = {"lpi",
                       "an ITS INT command through the host's emulated ITS (CWRITER, CREADR)"},
    [GICSIM_MB_TIMER_10MS] = {"timer_10ms", "latency of a 10 ms virtual timer beyond its deadline"},
    [GICSIM_MB_TIMER_BM] = {"timer_bm", "seed 004: median hrtimer latency on bare metal (idle PE)"},
    [GICSIM_MB_TIMER_VM] = {"timer_vm",
                            "seed 004: median virtual timer latency in an idle VM (WFI trapped)"},
    [GICSIM_MB_VCPU_LOAD] =
        {"vcpu_load", "GICv4.1: kvm_arch_vcpu_load to __guest_enter of a vCPU woken from WFI"},
    [GICSIM_MB_DOORBELL_ENABLE] =
        {"doorbell_enable", "GICv4.0: enabling a blocking vCPU's doorbell LPI (INVLPIR, SYNCR)"},
    [GICSIM_MB_MSI_INJECT] = {"msi_inject",
                              "KVM_SIGNAL_MSI into the emulated ITS: time per MSI, one stream"},
};

const char *gicsim_mb_test_name(gicsim_mb_test t)
{
    return (unsigned)t < GICSIM_MB__COUNT ? tests[t].name : NULL;
}

const char *gicsim_mb_test_description(gicsim_mb_test t)
{
    return (unsigned)t < GICSIM_MB__COUNT ? tests[t].desc : NULL;
}

gicsim_status gicsim_mb_test_lookup(const char *name, gicsim_mb_test *out)
{
    if (!name)
        return GICSIM_E_INVAL;
    for (int i = 0; i < GICSIM_MB__COUNT; i++)
        if (strcmp(tests[i].name, name) == 0) {
            if (out)
                *out = (gicsim_mb_test)i;
            return GICSIM_OK;
        }
    return GICSIM_E_NOTFOUND;
}

void gicsim_mb_config_init(gicsim_mb_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    gicsim_timing_init(&cfg->timing);
    cfg->vhe = true;
    gicsim_kvm_config_init(&cfg->kvm);
    cfg->gic = GICSIM_GICV3;
    cfg->vpt_dirty = true;
    gicsim_variation_init(&cfg->variation);
}

void gicsim_mb_result_free(gicsim_mb_result *r)
{
    if (!r)
        return;
    gicsim_histogram_destroy(r->latency);
    r->latency = NULL;
}

/* ---- The kvm-unit-tests loop ------------------------------------------------------------ */

#define MB_WARMUP 4u                 /* iterations run before the measured ones */
#define MB_TIMER_DELAY GICSIM_MS(10) /* timer_10ms: the deadline, past the counter read */
#define MB_IPI_SGI 1u                /* the SGI ipi sends */
#define MB_LPI 8199u                 /* lpi: the guest LPI, device 2, event 20 */

typedef struct mb_state {
    gicsim_system *s;
    gicsim_mb_test test;
    sys_vcpu *v0, *v1;
    uint32_t ipi_target; /* ipi: the last vCPU */
    uint32_t src;        /* the SGI, MSI or virtual timer source the test uses */
    uint32_t n_total;    /* iterations to run, warm-up included */
    uint32_t n_done;
    gicsim_time_t start;
    bool waiting; /* vCPU 0 spins on the flag */
    bool flag;    /* the handler's flag, as vCPU 0 sees it */
    uint64_t exits_at_warmup;
    double sum_ns, min_ns, max_ns;
    gicsim_histogram *hist; /* every measured iteration (ps) */
} mb_state;

static mb_state *mb_of(gicsim_system *s)
{
    return s->on_guest_ack_ctx;
}

static void mb_begin(gicsim_system *s, mb_state *m);

/* `isb; end = CNTPCT`: the iteration's sample. */
static void op_end(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)pe;
    (void)arg;
    mb_state *m = mb_of(s);
    gicsim_time_t now = gicsim_engine_now(s->e);
    gicsim_time_t d = now - m->start;
    if (m->test == GICSIM_MB_TIMER_10MS)
        d -= MB_TIMER_DELAY; /* timer_post: the 10 ms are not latency */
    m->n_done++;
    if (m->n_done == MB_WARMUP)
        m->exits_at_warmup = s->st.exits_total;
    if (m->n_done > MB_WARMUP) {
        double ns = (double)d / 1000.0;
        gicsim_histogram_record(m->hist, d);
        m->sum_ns += ns;
        if (m->n_done == MB_WARMUP + 1 || ns < m->min_ns)
            m->min_ns = ns;
        if (ns > m->max_ns)
            m->max_ns = ns;
    }
    if (m->n_done < m->n_total)
        mb_begin(s, m);
}

static void push_end(gicsim_system *s, mb_state *m)
{
    guest_push_back(s, m->v0, sys_cost(s, GICSIM_COST_COUNTER_READ), op_end, 0);
}

/* `while (!irq_received) cpu_relax();` */
static void op_wait(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)pe;
    (void)arg;
    mb_state *m = mb_of(s);
    if (m->flag)
        push_end(s, m);
    else
        m->waiting = true;
}

static void flag_visible(gicsim_system *s, mb_state *m)
{
    m->flag = true;
    if (!m->waiting)
        return;
    m->waiting = false;
    push_end(s, m);
    if (m->v0->in_guest && m->v0->pe)
        pe_run(s, m->v0->pe);
}

static void flag_event(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    gicsim_system *s = ctx;
    flag_visible(s, mb_of(s));
}

/* gic_irq_handler: `irq_ready = false; irq_received = true;
 * gic_write_eoir(gic_read_iar()); ...`: the flag is stored as the handler
 * starts, before its ICV_IAR1 read (this is called after it). On the
 * spinning PE itself the loop sees it when the handler returns; from the
 * other PE one cache-line transfer after the store. */
static void on_ack(gicsim_system *s, sys_vcpu *v, uint32_t vintid)
{
    mb_state *m = mb_of(s);
    (void)vintid;
    if (v == m->v0) {
        flag_visible(s, m);
        return;
    }
    gicsim_time_t line = sys_cost(s, GICSIM_COST_CACHELINE_TRANSFER),
                  iar = sys_cost(s, GICSIM_COST_ICV_IAR_READ);
    gicsim_engine_schedule_in(s->e, line > iar ? line - iar : 0, flag_event, s, 0, NULL);
}

/* `isb; start = CNTPCT` */
static void op_start(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)pe;
    (void)arg;
    mb_of(s)->start = gicsim_engine_now(s->e);
}

static void op_eoi(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    gicsim_icv_write(s->gic, pe->id, GICSIM_ICC_EOIR1, GICSIM_INTID_SPURIOUS);
}

/* The INT command is in the queue: the GITS_CWRITER write traps. */
static void op_its_int(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    mb_state *m = mb_of(s);
    const sys_source *so = source_of(s, m->src);
    uint32_t rec = record_new(s, m->src, so->cfg.vm, so->cfg.vcpu, so->cfg.intid);
    hyp_begin_exit(s, pe, GICSIM_EXIT_MMIO,
                   MMIO_ITS_CWRITER | (uint64_t)m->src << 8 | (uint64_t)rec << 32);
}

/* `before = CNTVCT; CNTV_CVAL = before + 10 ms; CNTV_CTL = ENABLE`. */
static void op_timer_arm(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)pe;
    (void)arg;
    mb_state *m = mb_of(s);
    sys_vcpu *v = m->v0;
    v->cval = m->start + s->c[GICSIM_COST_COUNTER_READ] + MB_TIMER_DELAY;
    v->timer_armed = true;
    hyp_vtimer_arm(s, v);
}

static void mb_begin(gicsim_system *s, mb_state *m)
{
    sys_vcpu *v = m->v0;
    m->flag = false;
    m->waiting = false;
    guest_push_back(s, v, sys_cost(s, GICSIM_COST_COUNTER_READ), op_start, 0);
    switch (m->test) {
    case GICSIM_MB_HVC:
        guest_trap_op(s, v, GICSIM_EXIT_HVC, 0);
        push_end(s, m);
        break;
    case GICSIM_MB_MMIO_READ_USER:
        guest_trap_op(s, v, GICSIM_EXIT_MMIO, MMIO_USER);
        push_end(s, m);
        break;
    case GICSIM_MB_MMIO_READ_VGIC:
        guest_trap_op(s, v, GICSIM_EXIT_MMIO, MMIO_KERNEL);
        push_end(s, m);
        break;
    case GICSIM_MB_EOI:
        guest_push_back(s, v, sys_cost(s, GICSIM_COST_ICV_EOIR_WRITE), op_eoi, 0);
        push_end(s, m);
        break;
    case GICSIM_MB_IPI:
    case GICSIM_MB_IPI_HW:
        guest_send_sgi(s, v, m->src, m->ipi_target);
        guest_push_back(s, v, 0, op_wait, 0);
        break;
    case GICSIM_MB_LPI:
        /* its_send_single_command: the MMIO store to GITS_CWRITER traps and
         * the host runs the command at once; the test then reads
         * GITS_CREADR (another trap to the kernel's ITS emulation) before
         * it waits for the flag. */
        guest_push_back(s, v, sys_cost(s, GICSIM_COST_ICC_SYSREG), op_its_int, 0);
        guest_trap_op(s, v, GICSIM_EXIT_MMIO, MMIO_KERNEL);
        guest_push_back(s, v, 0, op_wait, 0);
        break;
    case GICSIM_MB_TIMER_10MS:
        guest_push_back(s, v,
                        sys_cost(s, GICSIM_COST_COUNTER_READ) +
                            2 * sys_cost(s, GICSIM_COST_TIMER_PROGRAM),
                        op_timer_arm, 0);
        guest_push_back(s, v, 0, op_wait, 0);
        break;
    default:
        break;
    }
    if (v->in_guest && v->pe)
        pe_run(s, v->pe);
}

#define MB_MAX_VCPUS 512u

static uint32_t mb_vcpus(const gicsim_mb_config *cfg)
{
    return cfg->vcpus ? cfg->vcpus : 2u;
}

/* The system every micro-benchmark builds: the platform's timing, VHE
 * mode and KVM behaviour, `pes` PEs, a GIC of `version` with an ITS. */
static void mb_system_config(const gicsim_mb_config *cfg, uint32_t pes, gicsim_gic_version version,
                             gicsim_system_config *sc)
{
    gicsim_system_config_init(sc);
    sc->timing = cfg->timing;
    sc->vhe = cfg->vhe;
    sc->kvm = cfg->kvm;
    sc->variation = cfg->variation;
    sc->gic.num_pes = pes;
    sc->gic.version = version;
    sc->gic.its = true;
}

/* A result's distribution: at the finest precision when the platform has a
 * source of spread (its percentiles are then calibration targets). */
static gicsim_status mb_histogram(const gicsim_mb_config *cfg, gicsim_histogram **out)
{
    return gicsim_histogram_create_bits(gicsim_variation_active(&cfg->variation)
                                            ? GICSIM_HISTOGRAM_BITS_MAX
                                            : GICSIM_HISTOGRAM_BITS_DEFAULT,
                                        out);
}

/* One vCPU on PE 0 that idles in a trapped WFI, under `policy`. */
static void mb_idle_vm(const char *policy, gicsim_vm_config *vc)
{
    gicsim_vm_config_init(vc);
    vc->num_vcpus = 1;
    vc->policy = policy;
    vc->wfi_trap = true;
    vc->pe_first = 0;
    vc->pe_count = 1;
}

static gicsim_status build_system(const gicsim_mb_config *cfg, gicsim_gic_version version,
                                  const char *policy, gicsim_system **out)
{
    gicsim_system_config sc;
    mb_system_config(cfg, mb_vcpus(cfg), version, &sc);
    sc.gic.vpt_dirty = cfg->vpt_dirty;
    gicsim_status st = gicsim_system_create(&sc, out);
    if (st != GICSIM_OK)
        return st;
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    vc.num_vcpus = mb_vcpus(cfg);
    vc.policy = policy;
    vc.guest_busy = true; /* both vCPUs spin (cpu_relax loops), never WFI */
    vc.pinned = true;
    st = gicsim_vm_add(*out, &vc, NULL);
    if (st != GICSIM_OK) {
        gicsim_system_destroy(*out);
        *out = NULL;
    }
    return st;
}

static gicsim_status add_source(gicsim_system *s, gicsim_mb_test test, uint32_t last, uint32_t *src)
{
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.vm = 0;
    c.vcpu = 1;
    c.arrival = GICSIM_ARRIVE_MANUAL;
    c.handler = 0; /* the flag store: part of the handler's acknowledge step */
    switch (test) {
    case GICSIM_MB_IPI:
    case GICSIM_MB_IPI_HW:
        c.kind = GICSIM_SRC_SGI;
        c.intid = MB_IPI_SGI;
        c.sender_vcpu = 0;
        c.vcpu = last;
        break;
    case GICSIM_MB_LPI:
        c.kind = GICSIM_SRC_MSI;
        c.intid = MB_LPI;
        c.device_id = 2;
        c.event_id = 20;
        break;
    case GICSIM_MB_TIMER_10MS:
        /* Armed by the test loop; the handler masks it (CNTV_CTL.IMASK), so
         * every expiry is the last one the source allows. */
        c.kind = GICSIM_SRC_VTIMER;
        c.vcpu = 0;
        c.limit = 1;
        c.start = GICSIM_TIME_NEVER / 2;
        c.handler = s->c[GICSIM_COST_TIMER_PROGRAM];
        break;
    default:
        *src = SYS_NONE;
        return GICSIM_OK;
    }
    return gicsim_source_add(s, &c, src);
}

static gicsim_status run_kut(const gicsim_mb_config *cfg, gicsim_mb_test test,
                             gicsim_mb_result *out)
{
    const char *policy = test == GICSIM_MB_IPI_HW   ? "gicv41-vsgi"
                         : test == GICSIM_MB_LPI    ? "vlpi-emulated"
                         : cfg->gic != GICSIM_GICV3 ? "gicv4-direct"
                                                    : "eoi-split";
    gicsim_gic_version version = test == GICSIM_MB_IPI_HW ? GICSIM_GICV4_1 : cfg->gic;
    uint32_t vcpus = mb_vcpus(cfg);
    if (vcpus < 2 || vcpus > MB_MAX_VCPUS ||
        (cfg->gic != GICSIM_GICV3 && cfg->gic != GICSIM_GICV4_0 && cfg->gic != GICSIM_GICV4_1))
        return GICSIM_E_INVAL;
    uint32_t n = cfg->iterations ? cfg->iterations : 1024u;
    if (test == GICSIM_MB_TIMER_10MS && n > 64)
        n = 64;
    gicsim_system *s = NULL;
    gicsim_status st = build_system(cfg, version, policy, &s);
    if (st != GICSIM_OK)
        return st;
    mb_state m = {.s = s, .test = test, .n_total = n + MB_WARMUP};
    if ((st = mb_histogram(cfg, &m.hist)) != GICSIM_OK ||
        (st = add_source(s, test, vcpus - 1, &m.src)) != GICSIM_OK) {
        gicsim_histogram_destroy(m.hist);
        gicsim_system_destroy(s);
        return st;
    }
    m.v0 = &s->vms[0]->vcpus[0];
    m.v1 = &s->vms[0]->vcpus[test == GICSIM_MB_IPI || test == GICSIM_MB_IPI_HW ? vcpus - 1 : 1];
    m.ipi_target = vcpus - 1;
    if (test == GICSIM_MB_TIMER_10MS)
        m.v0->timer_armed = false;
    s->on_guest_ack = on_ack;
    s->on_guest_ack_ctx = &m;
    /* Both vCPUs are loaded and spinning before the first iteration. */
    gicsim_system_run_for(s, GICSIM_US(100));
    mb_begin(s, &m);
    gicsim_time_t slice = test == GICSIM_MB_TIMER_10MS ? GICSIM_MS(50) : GICSIM_MS(1);
    gicsim_time_t limit = test == GICSIM_MB_TIMER_10MS ? (gicsim_time_t)m.n_total * GICSIM_MS(20)
                                                       : (gicsim_time_t)m.n_total * GICSIM_MS(1);
    for (gicsim_time_t t = 0;
         m.n_done < m.n_total && t < limit && gicsim_system_status(s) == GICSIM_OK; t += slice)
        gicsim_system_run_for(s, slice);
    if (gicsim_system_status(s) != GICSIM_OK)
        st = GICSIM_E_NOMEM;
    else if (m.n_done < m.n_total)
        st = GICSIM_E_STATE;
    if (st == GICSIM_OK) {
        memset(out, 0, sizeof *out);
        out->iterations = n;
        out->value_ns = m.sum_ns / n;
        out->min_ns = m.min_ns;
        out->max_ns = m.max_ns;
        out->exits = s->st.exits_total - m.exits_at_warmup;
        out->latency = m.hist;
        m.hist = NULL;
    }
    gicsim_histogram_destroy(m.hist);
    gicsim_system_destroy(s);
    return st;
}

/* ---- Seed 004's timer latency test ---------------------------------------------------- */

#define SEED004_PERIOD GICSIM_US(200)

/* configs/scenarios/seed004-timer.yaml: PE 0 runs a VM whose single vCPU
 * idles in a trapped WFI and takes its virtual timer every 200 us (a 2 us
 * handler); PE 1 runs nothing but the host's own 200 us hrtimer. */
static gicsim_status run_seed004(const gicsim_mb_config *cfg, gicsim_mb_test test,
                                 gicsim_mb_result *out)
{
    uint32_t periods = cfg->iterations ? cfg->iterations : 5000u;
    gicsim_system_config sc;
    mb_system_config(cfg, 2, GICSIM_GICV4_1, &sc);
    gicsim_system *s = NULL;
    gicsim_status st = gicsim_system_create(&sc, &s);
    if (st != GICSIM_OK)
        return st;
    gicsim_vm_config vc;
    mb_idle_vm("eoi-split", &vc);
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.arrival = GICSIM_ARRIVE_PERIODIC;
    c.period = SEED004_PERIOD;
    c.limit = periods;
    uint32_t src = 0;
    if (test == GICSIM_MB_TIMER_VM) {
        c.kind = GICSIM_SRC_VTIMER;
        c.handler = GICSIM_US(2);
        st = gicsim_vm_add(s, &vc, NULL);
    } else {
        c.kind = GICSIM_SRC_HOST_TIMER;
        c.route_pe = 1;
    }
    if (st == GICSIM_OK)
        st = gicsim_source_add(s, &c, &src);
    /* With a source of spread the median is one of many values: at the
     * histograms' finest precision (2^-12), so that a calibration's small
     * steps of a cost move it. */
    if (st == GICSIM_OK && gicsim_variation_active(&cfg->variation))
        st = gicsim_system_set_latency_bits(s, GICSIM_HISTOGRAM_BITS_MAX);
    if (st == GICSIM_OK) {
        gicsim_system_run_for(s, (gicsim_time_t)(periods + 1) * SEED004_PERIOD);
        if (gicsim_system_status(s) != GICSIM_OK)
            st = GICSIM_E_NOMEM;
    }
    const gicsim_histogram *lat = st == GICSIM_OK ? gicsim_system_latency(s, src) : NULL;
    /* A tick that fires while the previous one is still pending merges
     * into it (a period overrun: the hrtimer test sees one late callback),
     * which a platform's spread can cause; the median is over the ticks
     * delivered. A run that delivers fewer than half did not measure the
     * test. */
    if (st == GICSIM_OK && (!lat || gicsim_histogram_count(lat) < (periods + 1) / 2))
        st = GICSIM_E_STATE;
    if (st == GICSIM_OK) {
        memset(out, 0, sizeof *out);
        if ((st = mb_histogram(cfg, &out->latency)) == GICSIM_OK) {
            gicsim_histogram_merge(out->latency, lat);
            out->iterations = gicsim_histogram_count(lat);
            out->value_ns = (double)gicsim_histogram_percentile(lat, 50.0) / 1000.0;
            out->min_ns = (double)gicsim_histogram_min(lat) / 1000.0;
            out->max_ns = (double)gicsim_histogram_max(lat) / 1000.0;
            out->exits = s->st.exits_total;
        }
    }
    gicsim_system_destroy(s);
    return st;
}

/* ---- Host-side steps of GICv4 and of the emulated ITS ------------------------------------- */

#define STEP_PERIOD GICSIM_US(200)

/* The intervals between two probe points, averaged; the first one (the
 * vCPU's first load, before any interrupt, or its first block) is not
 * counted. */
typedef struct step_state {
    sys_probe from, to;
    gicsim_time_t start; /* GICSIM_TIME_NEVER while no interval is open */
    bool warm;           /* the first interval has ended */
    uint64_t n;
    double sum_ns, min_ns, max_ns;
    gicsim_histogram *hist; /* every sample (ps) */
} step_state;

static void step_sample(step_state *st, double ns)
{
    gicsim_histogram_record(st->hist, (gicsim_time_t)(ns * 1000.0 + 0.5));
    if (st->n == 0 || ns < st->min_ns)
        st->min_ns = ns;
    if (st->n == 0 || ns > st->max_ns)
        st->max_ns = ns;
    st->sum_ns += ns;
    st->n++;
}

static void step_probe(gicsim_system *s, sys_probe p, uint32_t pe, gicsim_time_t when)
{
    (void)pe;
    step_state *st = s->on_guest_ack_ctx;
    if (p == st->from) {
        st->start = when;
    } else if (p == st->to && st->start != GICSIM_TIME_NEVER) {
        if (st->warm)
            step_sample(st, (double)(when - st->start) / 1000.0);
        st->warm = true;
        st->start = GICSIM_TIME_NEVER;
    }
}

/* A vCPU that idles in a trapped WFI on PE 0 of a GICv4 host, woken every
 * 200 us (a 2 us handler) by its virtual timer (vcpu_load, GICv4.1) or by a
 * device's MSI delivered as a vLPI, which rings its doorbell
 * (doorbell_enable, GICv4.0): each wake-up loads the vCPU and each block
 * puts it, with its doorbell enabled. The figure is the average interval
 * between the test's two probe points. */
static gicsim_status run_step(const gicsim_mb_config *cfg, gicsim_mb_test test,
                              gicsim_mb_result *out)
{
    uint32_t periods = cfg->iterations ? cfg->iterations : 1000u;
    bool load = test == GICSIM_MB_VCPU_LOAD;
    gicsim_system_config sc;
    mb_system_config(cfg, 2, load ? GICSIM_GICV4_1 : GICSIM_GICV4_0, &sc);
    gicsim_system *s = NULL;
    gicsim_status st = gicsim_system_create(&sc, &s);
    if (st != GICSIM_OK)
        return st;
    gicsim_vm_config vc;
    mb_idle_vm("gicv4-direct", &vc);
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.arrival = GICSIM_ARRIVE_PERIODIC;
    c.period = STEP_PERIOD;
    c.limit = periods;
    c.handler = GICSIM_US(2);
    if (load) {
        c.kind = GICSIM_SRC_VTIMER;
    } else {
        c.kind = GICSIM_SRC_MSI;
        c.intid = GICSIM_LPI_BASE + 32;
        c.device_id = 1;
        c.event_id = 0;
    }
    step_state ss = {.from = load ? SYS_PROBE_LOAD : SYS_PROBE_DOORBELL_ENABLE,
                     .to = load ? SYS_PROBE_GUEST_ENTER : SYS_PROBE_DOORBELL_DONE,
                     .start = GICSIM_TIME_NEVER};
    if ((st = mb_histogram(cfg, &ss.hist)) == GICSIM_OK &&
        (st = gicsim_vm_add(s, &vc, NULL)) == GICSIM_OK &&
        (st = gicsim_source_add(s, &c, NULL)) == GICSIM_OK) {
        s->on_guest_ack_ctx = &ss;
        s->on_probe = step_probe;
        gicsim_system_run_for(s, (gicsim_time_t)(periods + 1) * STEP_PERIOD);
        if (gicsim_system_status(s) != GICSIM_OK)
            st = GICSIM_E_NOMEM;
        else if (ss.n == 0)
            st = GICSIM_E_STATE;
    }
    if (st == GICSIM_OK) {
        memset(out, 0, sizeof *out);
        out->iterations = ss.n;
        out->value_ns = ss.sum_ns / (double)ss.n;
        out->min_ns = ss.min_ns;
        out->max_ns = ss.max_ns;
        out->exits = s->st.exits_total;
        out->latency = ss.hist;
        ss.hist = NULL;
    }
    gicsim_histogram_destroy(ss.hist);
    gicsim_system_destroy(s);
    return st;
}

/* msi_inject: a VMM thread on PE 1 (no vCPU there) calls KVM_SIGNAL_MSI in a
 * loop for an MSI of the guest on PE 0, as KVM's vgic_lpi_stress does with
 * one device, event and vCPU: each call is a system call into the VM's
 * ioctl (syscall, spectre_bhb, kvm_ioctl), kvm_send_userspace_msi ->
 * vgic_its_inject_msi: the ITS found on the MMIO bus, the cached
 * translation, and the injection (irq_queue, and the kick of the vCPU the
 * interrupt is queued on, done every time: vgic_queue_irq_unlock). The
 * guest spins with interrupts masked, as the published runs' guest did, so
 * the LPI stays pending. The figure is the average time per call. */
typedef struct inject_state {
    uint32_t src, total, done;
    gicsim_time_t last;
    step_state st;
} inject_state;

static void op_inject(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    inject_state *is = s->on_guest_ack_ctx;
    gicsim_time_t now = gicsim_engine_now(s->e);
    if (is->done > MB_WARMUP) /* the call that ended now was a measured one */
        step_sample(&is->st, (double)(now - is->last) / 1000.0);
    is->last = now;
    if (is->done++ == is->total)
        return;
    const sys_source *so = source_of(s, is->src);
    gicsim_hyp h = {s, pe, 0};
    gicsim_virq q = {.vintid = so->cfg.intid};
    gicsim_hyp_inject(&h, so->cfg.vm, so->cfg.vcpu, &q);
    pe_next(s, pe,
            sys_cost(s, GICSIM_COST_SYSCALL) + sys_cost(s, GICSIM_COST_SPECTRE_BHB) +
                sys_cost(s, GICSIM_COST_KVM_IOCTL) + hyp_io_bus_lookup(s, s->vms[so->cfg.vm]) +
                sys_cost(s, GICSIM_COST_ITS_CACHE_OP) + h.charged,
            op_inject, 0);
}

static gicsim_status run_inject(const gicsim_mb_config *cfg, gicsim_mb_result *out)
{
    uint32_t n = cfg->iterations ? cfg->iterations : 1024u;
    gicsim_system_config sc;
    mb_system_config(cfg, 2, GICSIM_GICV3, &sc);
    gicsim_system *s = NULL;
    gicsim_status st = gicsim_system_create(&sc, &s);
    if (st != GICSIM_OK)
        return st;
    gicsim_vm_config vc;
    mb_idle_vm("eoi-split", &vc); /* on PE 0; PE 1 runs the VMM's thread */
    vc.guest_busy = true;
    inject_state is = {.total = n + MB_WARMUP, .last = GICSIM_TIME_NEVER};
    gicsim_source_config c;
    gicsim_source_config_init(&c);
    c.kind = GICSIM_SRC_MSI;
    c.vm = 0;
    c.vcpu = 0;
    c.arrival = GICSIM_ARRIVE_MANUAL;
    c.intid = GICSIM_LPI_BASE + 32;
    c.device_id = 1;
    c.event_id = 0;
    if ((st = mb_histogram(cfg, &is.st.hist)) == GICSIM_OK &&
        (st = gicsim_vm_add(s, &vc, NULL)) == GICSIM_OK &&
        (st = gicsim_source_add(s, &c, &is.src)) == GICSIM_OK) {
        gicsim_system_run_for(s, GICSIM_US(100)); /* the vCPU loaded and spinning */
        s->vms[0]->vcpus[0].masked = true;        /* PSTATE.I set: the LPI stays pending */
        s->on_guest_ack_ctx = &is;
        sys_pe *pe = &s->pes[1];
        pe_next(s, pe, 0, op_inject, 0);
        pe_run(s, pe);
        gicsim_system_run_for(s, (gicsim_time_t)(n + MB_WARMUP + 1) * GICSIM_US(100));
        if (gicsim_system_status(s) != GICSIM_OK)
            st = GICSIM_E_NOMEM;
        else if (is.st.n < n)
            st = GICSIM_E_STATE;
    }
    if (st == GICSIM_OK) {
        memset(out, 0, sizeof *out);
        out->iterations = is.st.n;
        out->value_ns = is.st.sum_ns / (double)is.st.n;
        out->min_ns = is.st.min_ns;
        out->max_ns = is.st.max_ns;
        out->exits = s->st.exits_total;
        out->latency = is.st.hist;
        is.st.hist = NULL;
    }
    gicsim_histogram_destroy(is.st.hist);
    gicsim_system_destroy(s);
    return st;
}

gicsim_status gicsim_mb_run(const gicsim_mb_config *cfg, gicsim_mb_test test, gicsim_mb_result *out)
{
    if (!cfg || !out || (unsigned)test >= GICSIM_MB__COUNT)
        return GICSIM_E_INVAL;
    for (int d = 0; d < GICSIM_CLK__COUNT; d++)
        if (!cfg->timing.clock_hz[d])
            return GICSIM_E_INVAL;
    switch (test) {
    case GICSIM_MB_TIMER_BM:
    case GICSIM_MB_TIMER_VM:
        return run_seed004(cfg, test, out);
    case GICSIM_MB_VCPU_LOAD:
    case GICSIM_MB_DOORBELL_ENABLE:
        return run_step(cfg, test, out);
    case GICSIM_MB_MSI_INJECT:
        return run_inject(cfg, out);
    default:
        return run_kut(cfg, test, out);
    }
}
