/* gicsim: the virtualized system: creation, VMs, interrupt sources and the
 * devices behind them, per-interrupt records and statistics. */
#include "sys_internal.h"

#include "sys_invariants.h"
#include "gic/gic_internal.h" /* gic_add_observer_kinds */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOST_PRIORITY 0xA0u

const char *gicsim_exit_reason_name(gicsim_exit_reason r)
{
    static const char *const names[GICSIM_EXIT__COUNT] = {
        [GICSIM_EXIT_IRQ] = "irq",   [GICSIM_EXIT_MAINTENANCE] = "maintenance",
        [GICSIM_EXIT_WFI] = "wfi",   [GICSIM_EXIT_SGI_TRAP] = "sgi-trap",
        [GICSIM_EXIT_MMIO] = "mmio", [GICSIM_EXIT_HVC] = "hvc",
    };
    return (unsigned)r < GICSIM_EXIT__COUNT ? names[r] : NULL;
}

void gicsim_kvm_config_init(gicsim_kvm_config *cfg)
{
    if (!cfg)
        return;
    cfg->sgi_lookup = GICSIM_SGI_LOOKUP_MPIDR_TABLE;
    cfg->vpt_wait = GICSIM_VPT_WAIT_COMMIT;
    cfg->vpt_poll_delay = GICSIM_US(1);
}

void gicsim_system_config_init(gicsim_system_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    gicsim_gic_config_init(&cfg->gic);
    gicsim_timing_init(&cfg->timing);
    cfg->vhe = true;
    gicsim_kvm_config_init(&cfg->kvm);
    cfg->kick_sgi = 0;
    cfg->host_tick_ppi = 30;
    gicsim_variation_init(&cfg->variation);
}

/* ---- Observers ---------------------------------------------------------------------- */

void sys_emit(gicsim_system *s, const gicsim_sys_event *ev)
{
    for (unsigned i = 0; i < s->n_obs; i++)
        s->obs[i].fn(s->obs[i].ctx, ev);
}

gicsim_status gicsim_system_add_observer(gicsim_system *s, gicsim_sys_observer_fn fn, void *ctx)
{
    if (!s || !fn)
        return GICSIM_E_INVAL;
    if (s->n_obs == sizeof s->obs / sizeof s->obs[0])
        return GICSIM_E_FULL;
    s->obs[s->n_obs].fn = fn;
    s->obs[s->n_obs].ctx = ctx;
    s->n_obs++;
    return GICSIM_OK;
}

uint32_t gicsim_system_num_sources(const gicsim_system *s)
{
    return s ? s->n_src : 0;
}

uint32_t gicsim_system_num_vms(const gicsim_system *s)
{
    return s ? s->n_vms : 0;
}

uint32_t gicsim_system_num_vcpus(const gicsim_system *s, uint32_t vm)
{
    return s && vm < s->n_vms ? s->vms[vm]->cfg.num_vcpus : 0;
}

const char *gicsim_system_vm_policy(const gicsim_system *s, uint32_t vm)
{
    return s && vm < s->n_vms ? s->vms[vm]->pol->name : NULL;
}

const gicsim_source_config *gicsim_system_source_config(const gicsim_system *s, uint32_t source)
{
    return s && source < s->n_src ? &s->src[source].cfg : NULL;
}

/* ---- Sources and the GIC's events -------------------------------------------------------- */

sys_source *source_of(gicsim_system *s, uint32_t src)
{
    return src < s->n_src ? &s->src[src] : NULL;
}

/* Virtual CPU interface events complete the record of the instance they
 * concern: the vCPU loaded on that PE, its interrupt's pending or active
 * instance. */
/* The kinds on_gic_event acts on with a GICv3 (everything else returns at
 * once): the host timer's physical interface events, the LPIs' raise and
 * merge, and the virtual CPU interface's four. A GICv5's events all go to
 * gicv5_host_event. */
#define GICV3_KINDS                                                                                \
    ((1u << GICSIM_GEV_RAISE) | (1u << GICSIM_GEV_MERGE) | (1u << GICSIM_GEV_SIGNAL) |             \
     (1u << GICSIM_GEV_PRIO_DROP) | (1u << GICSIM_GEV_DEACTIVATE) | (1u << GICSIM_GEV_VSIGNAL) |   \
     (1u << GICSIM_GEV_VACK) | (1u << GICSIM_GEV_VPRIO_DROP) | (1u << GICSIM_GEV_VDEACTIVATE))

static void on_gic_event(void *ctx, const gicsim_gic_event *ev)
{
    gicsim_system *s = ctx;
    gicsim_gic_event tr; /* a GICv5's event in the system's numbering */
    if (s->v5) {
        if (gicv5_host_event(s, ev, &tr))
            return;
        ev = &tr;
    }
    /* The host's own timer interrupt: its physical CPU interface events
     * complete the host timers' records. */
    if (ev->intid == HYP_TIMER_PPI && ev->pe < s->num_pes &&
        (ev->kind == GICSIM_GEV_SIGNAL || ev->kind == GICSIM_GEV_PRIO_DROP ||
         ev->kind == GICSIM_GEV_DEACTIVATE)) {
        hyp_host_timer_event(s, ev);
        return;
    }
    if ((ev->kind == GICSIM_GEV_RAISE || ev->kind == GICSIM_GEV_MERGE) &&
        ev->intid >= GICSIM_LPI_BASE) {
        gicv4_lpi_landed(s, ev);
        return;
    }
    if (ev->kind < GICSIM_GEV_VSIGNAL || ev->kind > GICSIM_GEV_VDEACTIVATE)
        return;
    gicv4_land_direct(s);
    sys_vcpu *v = s->pes[ev->pe].vcpu;
    vgic_irq *q = v ? vcpu_irq(s, v, ev->intid) : NULL;
    GICSIM_INV(inv_sys_gic_event(s, ev, v, q));
    if (!q)
        return;
    gicsim_irq_record *r;
    switch (ev->kind) {
    case GICSIM_GEV_VSIGNAL:
        r = record_get(s, q->rec_pending);
        if (r && r->t_signal == GICSIM_TIME_NEVER)
            r->t_signal = ev->time;
        break;
    case GICSIM_GEV_VACK:
        /* The list register's (or the vPE's) pending instance becomes
         * active; one latched behind it is pending now (vgic.c). */
        r = record_get(s, q->rec_pending);
        q->rec_active = q->rec_pending;
        q->rec_pending = q->rec_latched;
        q->rec_latched = SYS_NONE;
        if (r) {
            r->t_ack = ev->time;
            s->st.delivered++;
            gicsim_histogram_record(s->lat_all, ev->time - r->t_assert);
            if (r->source < s->n_src)
                gicsim_histogram_record(s->src[r->source].lat, ev->time - r->t_assert);
        }
        break;
    case GICSIM_GEV_VPRIO_DROP:
        r = record_get(s, q->rec_active);
        if (r && r->t_eoi == GICSIM_TIME_NEVER)
            r->t_eoi = ev->time;
        /* LPIs, and the vSGIs a GICv4.1 host injects directly (nASSGIreq),
         * have no active state: the priority drop ends them (not on a GICv5,
         * where the guest's CDDI does: gicv5_guest_eoi). */
        if (!s->v5 && (ev->intid >= GICSIM_LPI_BASE ||
                       (ev->intid < GICSIM_PPI_BASE && v->vm->pol->direct_sgi))) {
            if (r && r->t_deact == GICSIM_TIME_NEVER)
                r->t_deact = ev->time;
            q->rec_active = SYS_NONE;
        }
        break;
    case GICSIM_GEV_VDEACTIVATE:
        r = record_get(s, q->rec_active);
        if (r && r->t_deact == GICSIM_TIME_NEVER)
            r->t_deact = ev->time;
        /* HW=0 with EOI=1: the deactivation raises the maintenance interrupt
         * (ICH_MISR.EOI), whose exit belongs to this instance. */
        if (q->lr >= 0 && !q->hw && q->eoi_maint)
            q->rec_maint = q->rec_active;
        q->rec_active = SYS_NONE;
        break;
    default:
        break;
    }
}

static void on_line(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    (void)fiq;
    gicsim_system *s = ctx;
    if (irq)
        pe_phys_irq_raised(s, &s->pes[pe]);
}

static void on_vline(void *ctx, uint32_t pe, bool virq, bool vfiq)
{
    (void)vfiq;
    gicsim_system *s = ctx;
    if (virq)
        pe_virq_raised(s, &s->pes[pe]);
}

/* ---- Creation --------------------------------------------------------------------------- */

gicsim_status gicsim_system_create(const gicsim_system_config *cfg, gicsim_system **out)
{
    if (!cfg || !out || cfg->kick_sgi > 15 || cfg->host_tick_ppi < GICSIM_PPI_BASE ||
        cfg->host_tick_ppi >= GICSIM_SPI_BASE || cfg->host_tick_ppi == GICSIM_PPI_MAINTENANCE ||
        cfg->host_tick_ppi == GICSIM_PPI_VTIMER || cfg->host_tick_ppi == HYP_TIMER_PPI)
        return GICSIM_E_INVAL;
    *out = NULL;
    gicsim_system *s = calloc(1, sizeof *s);
    if (!s)
        return GICSIM_E_NOMEM;
    s->cfg = *cfg;
    s->cfg.gic.timing = &s->cfg.timing;
    gicsim_status st = gicsim_engine_create(&s->e);
    if (st == GICSIM_OK)
        st = gicsim_gic_create(s->e, &s->cfg.gic, &s->gic);
    s->lat_bits = GICSIM_HISTOGRAM_BITS_DEFAULT;
    if (st == GICSIM_OK)
        st = gicsim_histogram_create_bits(s->lat_bits, &s->lat_all);
    GICSIM_INV(if (st == GICSIM_OK) st = inv_sys_init(s));
    if (st != GICSIM_OK) {
        gicsim_system_destroy(s);
        return st;
    }
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        s->c[i] = gicsim_timing_ps(&s->cfg.timing, (gicsim_cost_id)i);
    s->num_pes = s->cfg.gic.num_pes;
    s->pes = calloc(s->num_pes, sizeof *s->pes);
    if (!s->pes) {
        gicsim_system_destroy(s);
        return GICSIM_E_NOMEM;
    }
    gicsim_gic_os_init(s->gic);
    if (s->cfg.gic.version == GICSIM_GICV5 && (st = gicv5_host_init(s)) != GICSIM_OK) {
        gicsim_system_destroy(s);
        return st;
    }
    for (uint32_t p = 0; p < s->num_pes; p++) {
        pe_init(s, &s->pes[p], p);
        hyp_init_pe(s, &s->pes[p]);
        s->pe_eoimode[p] = s->v5 ? 1 : -1; /* GICv5: CDEOI and CDDI are always apart */
    }
    if ((st = var_create(s)) != GICSIM_OK) {
        gicsim_system_destroy(s);
        return st;
    }
    for (uint32_t i = 0; i < 1024; i++)
        s->spi_vm[i] = s->spi_vcpu[i] = s->spi_src[i] = s->spi_rec[i] = SYS_NONE;
    s->inject_rec = SYS_NONE;
    s->kick_base = GICSIM_TIME_NEVER;
    records_init(s);
    if (s->cfg.gic.its && !s->v5 && (st = gicv4_init(s)) != GICSIM_OK) {
        gicsim_system_destroy(s);
        return st;
    }
    gic_add_observer_kinds(s->gic, on_gic_event, s, s->v5 ? GIC_ALL_KINDS : GICV3_KINDS);
    gicsim_gic_add_line_listener(s->gic, on_line, s);
    gicsim_gic_add_vline_listener(s->gic, on_vline, s);
    *out = s;
    return GICSIM_OK;
}

void gicsim_system_destroy(gicsim_system *s)
{
    if (!s)
        return;
    GICSIM_INV(inv_sys_free(s));
    var_free(s);
    gicsim_gic_destroy(s->gic);
    gicsim_engine_destroy(s->e);
    for (uint32_t i = 0; i < s->n_vms; i++) {
        sys_vm *vm = s->vms[i];
        for (uint32_t k = 0; k < vm->cfg.num_vcpus; k++) {
            free(vm->vcpus[k].guest.v);
            free(vm->vcpus[k].ap);
        }
        free(vm->vcpus);
        free(vm->spis);
        free(vm->lpi_key);
        free(vm->lpi_src);
        free(vm);
    }
    free(s->vms);
    for (uint32_t p = 0; s->pes && p < s->num_pes; p++)
        pe_free(&s->pes[p]);
    free(s->pes);
    for (uint32_t i = 0; i < s->n_src; i++) {
        gicsim_histogram_destroy(s->src[i].lat);
        free(s->src[i].virq);
        free(s->src[i].flight.v);
    }
    gicv4_free(s);
    gicv5_host_free(s);
    free(s->lpis);
    free(s->src);
    records_free(s);
    gicsim_histogram_destroy(s->lat_all);
    free(s);
}

gicsim_engine *gicsim_system_engine(const gicsim_system *s)
{
    return s ? s->e : NULL;
}

gicsim_gic *gicsim_system_gic(const gicsim_system *s)
{
    return s ? s->gic : NULL;
}

const gicsim_timing *gicsim_system_timing(const gicsim_system *s)
{
    return s ? &s->cfg.timing : NULL;
}

/* ---- VMs --------------------------------------------------------------------------------- */

void gicsim_vm_config_init(gicsim_vm_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->num_vcpus = 1;
    cfg->policy = "eoi-split";
    cfg->wfi_trap = true;
    cfg->pinned = true;
    cfg->time_slice = GICSIM_MS(4);
}

static void virq_init(vgic_irq *q, uint32_t vintid)
{
    memset(q, 0, sizeof *q);
    q->vintid = vintid;
    q->prio = HOST_PRIORITY;
    q->lr = -1;
    q->rec_pending = q->rec_active = q->rec_maint = q->rec_latched = SYS_NONE;
}

gicsim_status gicsim_vm_add(gicsim_system *s, const gicsim_vm_config *cfg, uint32_t *vm_out)
{
    if (!s || !cfg || cfg->num_vcpus < 1 || cfg->num_vcpus > SYS_MAX_VCPUS ||
        cfg->pe_first >= s->num_pes || cfg->guest_eoimode > 1 || cfg->time_slice == 0)
        return GICSIM_E_INVAL;
    uint32_t count = cfg->pe_count ? cfg->pe_count : s->num_pes - cfg->pe_first;
    if (count > s->num_pes - cfg->pe_first)
        return GICSIM_E_INVAL;
    const gicsim_hyp_policy *pol = gicsim_hyp_policy_find(cfg->policy);
    if (!pol)
        return GICSIM_E_NOTFOUND;
    gicsim_gic_version ver = s->cfg.gic.version;
    if (pol->direct_timer && !pol->direct_msi)
        return GICSIM_E_INVAL; /* the timer's vLPIs need the vPEs of direct_msi */
    if ((pol->gic == GICSIM_GICV5) != (ver == GICSIM_GICV5))
        return GICSIM_E_UNSUPPORTED; /* a GICv5 policy drives a GICv5 host, the others not */
    if (ver != GICSIM_GICV5 &&
        (((pol->direct_msi || pol->direct_timer) && (ver < GICSIM_GICV4_0 || !s->cfg.gic.its)) ||
         (pol->direct_sgi && ver < GICSIM_GICV4_1)))
        return GICSIM_E_UNSUPPORTED; /* the scheme needs GICv4.0 / GICv4.1 */
    /* The host's EOImode is per PE: VMs sharing a PE must agree on it. */
    for (uint32_t p = cfg->pe_first; p < cfg->pe_first + count; p++)
        if (s->pe_eoimode[p] != -1 && s->pe_eoimode[p] != (pol->host_eoimode ? 1 : 0))
            return GICSIM_E_INVAL;
    sys_vm **vms = realloc(s->vms, (s->n_vms + 1) * sizeof *vms);
    if (!vms)
        return GICSIM_E_NOMEM;
    s->vms = vms;
    sys_vm *vm = calloc(1, sizeof *vm);
    uint32_t nspis = gicsim_gic_num_spis(s->gic);
    if (vm) {
        vm->vcpus = calloc(cfg->num_vcpus, sizeof *vm->vcpus);
        vm->spis = calloc(nspis ? nspis : 1, sizeof *vm->spis);
    }
    if (!vm || !vm->vcpus || !vm->spis) {
        if (vm) {
            free(vm->vcpus);
            free(vm->spis);
        }
        free(vm);
        return GICSIM_E_NOMEM;
    }
    vm->id = s->n_vms;
    vm->cfg = *cfg;
    vm->cfg.pe_count = count;
    if (pol->wfi_native) { /* direct interrupt delivery: the guest idles in hardware */
        vm->cfg.wfi_trap = false;
        vm->cfg.pinned = true;
    }
    vm->pol = pol;
    for (uint32_t i = 0; i < nspis; i++)
        virq_init(&vm->spis[i], GICSIM_SPI_BASE + i);
    s->vms[s->n_vms++] = vm;
    for (uint32_t p = cfg->pe_first; p < cfg->pe_first + count; p++) {
        if (s->pe_eoimode[p] == -1) {
            s->pe_eoimode[p] = pol->host_eoimode ? 1 : 0;
            if (!s->v5) /* a GICv5 has no EOImode: CDEOI and CDDI are always apart */
                gicsim_icc_write(s->gic, p, GICSIM_ICC_CTLR,
                                 pol->host_eoimode ? GICSIM_ICC_CTLR_EOIMODE : 0);
        }
    }
    for (uint32_t i = 0; i < cfg->num_vcpus; i++) {
        sys_vcpu *v = &vm->vcpus[i];
        v->vm = vm;
        v->idx = i;
        v->home = cfg->pe_first + i % count;
        v->last_pe = SYS_NONE;
        v->pe = &s->pes[v->home];
        v->timer_src = SYS_NONE;
        for (uint32_t k = 0; k < 16; k++)
            v->sgi_src[k] = SYS_NONE;
        v->timer_rec = SYS_NONE;
        v->doorbell_rec = SYS_NONE;
        v->dtimer_ev = 0;
        v->state = VS_BLOCKED;
        for (uint32_t k = 0; k < 32; k++)
            virq_init(&v->banked[k], k);
    }
    if (pol->direct_msi || s->v5) {
        gicsim_status st = gicv4_add_vm(s, vm);
        if (st != GICSIM_OK)
            return st;
    }
    /* On a GICv5 they become runnable once the IRS has made the VM valid (gicv5_host.c). */
    for (uint32_t i = 0; i < cfg->num_vcpus && !s->v5; i++)
        hyp_make_runnable(s, &vm->vcpus[i], NULL);
    if (vm_out)
        *vm_out = vm->id;
    return GICSIM_OK;
}

/* ---- Sources and devices ----------------------------------------------------------------------
 */

void gicsim_source_config_init(gicsim_source_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = GICSIM_SRC_SPI_EDGE;
    cfg->intid = GICSIM_SPI_BASE;
    cfg->route_pe = UINT32_MAX;
    cfg->priority = HOST_PRIORITY;
    cfg->handler = GICSIM_US(1);
    cfg->deassert_at = GICSIM_TIME_NEVER;
    cfg->arrival = GICSIM_ARRIVE_PERIODIC;
    cfg->period = GICSIM_US(100);
    cfg->burst = 1;
    cfg->start = GICSIM_TIME_NEVER;
    cfg->seed = 1;
    cfg->device_id = UINT32_MAX; /* 16 + the source's index */
}

void device_set_line(gicsim_system *s, uint32_t intid, bool level)
{
    if (intid >= 1024)
        return;
    s->spi_line[intid] = level;
    sys_set_line(s, 0, intid, level);
    if (s->n_obs) {
        gicsim_sys_event ev = {.time = engine_now(s->e),
                               .kind = GICSIM_SEV_DEVICE_LINE,
                               .pe = UINT32_MAX,
                               .vm = s->spi_vm[intid],
                               .vcpu = s->spi_vcpu[intid],
                               .source = s->spi_src[intid],
                               .intid = intid,
                               .level = level};
        sys_emit(s, &ev);
    }
}

static uint64_t rng_next(uint64_t *x)
{
    uint64_t v = *x; /* xorshift64* */
    v ^= v >> 12;
    v ^= v << 25;
    v ^= v >> 27;
    *x = v;
    return v * 0x2545F4914F6CDD1Dull;
}

/* The gap to the next arrival: periodic, exponential (Poisson), or bursts. */
static gicsim_time_t next_gap(sys_source *so)
{
    const gicsim_source_config *c = &so->cfg;
    switch (c->arrival) {
    case GICSIM_ARRIVE_POISSON: {
        double u = (double)((rng_next(&so->rng) >> 11) + 1) / 9007199254740993.0;
        return (gicsim_time_t)(-(double)c->period * log(u)) + 1;
    }
    case GICSIM_ARRIVE_BURST:
        if (so->burst_left > 1) {
            so->burst_left--;
            return c->burst_spacing ? c->burst_spacing : 1;
        }
        so->burst_left = c->burst ? c->burst : 1;
        return c->period;
    default:
        return c->period;
    }
}

static bool source_exhausted(const gicsim_system *s, const sys_source *so)
{
    return s->sources_stopped || (so->cfg.limit && so->arrivals >= so->cfg.limit);
}

static void wake_sender(gicsim_system *s, sys_vcpu *v)
{
    if (v->state == VS_BLOCKED) {
        hyp_make_runnable(s, v, NULL);
    } else if (v->state == VS_RUNNING && v->in_guest) {
        pe_run(s, v->pe); /* a guest idling in WFI or computing runs the send next */
    }
}

static void device_release(gicsim_engine *e, void *ctx, uint64_t intid)
{
    (void)e;
    device_set_line(ctx, (uint32_t)intid, false);
}

static void source_fire(gicsim_system *s, uint32_t id)
{
    sys_source *so = &s->src[id];
    const gicsim_source_config *c = &so->cfg;
    if (source_exhausted(s, so))
        return;
    sys_vm *vm = c->vm < s->n_vms ? s->vms[c->vm] : NULL; /* none for a host timer */
    uint32_t rec;
    gicsim_irq_state st = GICSIM_IRQ_INACTIVE;
    so->arrivals++;
    if (s->n_obs) {
        gicsim_sys_event ev = {.time = engine_now(s->e),
                               .kind = GICSIM_SEV_ARRIVAL,
                               .pe = UINT32_MAX,
                               .vm = c->vm,
                               .vcpu = c->vcpu,
                               .source = id,
                               .intid = c->intid};
        sys_emit(s, &ev);
    }
    switch (c->kind) {
    case GICSIM_SRC_SPI_EDGE:
        rec = record_new(s, id, c->vm, c->vcpu, c->intid);
        if (s->v5) {
            gicv5_wired_fire(s, id, rec);
            device_set_line(s, c->intid, true);
            device_set_line(s, c->intid, false);
            break;
        }
        gicsim_gic_irq_state(s->gic, 0, c->intid, &st);
        if (st & GICSIM_IRQ_PENDING) { /* the GIC holds one pending state: merged */
            record_merge(s, rec);
        } else {
            s->spi_rec[c->intid] = rec;
        }
        device_set_line(s, c->intid, true); /* a pulse: rising then falling edge */
        device_set_line(s, c->intid, false);
        break;
    case GICSIM_SRC_SPI_LEVEL:
        rec = record_new(s, id, c->vm, c->vcpu, c->intid);
        if (s->spi_line[c->intid]) { /* already asserted: the level absorbs it */
            record_merge(s, rec);
        } else {
            if (s->v5)
                gicv5_wired_fire(s, id, rec);
            else
                s->spi_rec[c->intid] = rec;
            device_set_line(s, c->intid, true);
            if (c->hold)
                gicsim_engine_schedule_in(s->e, c->hold, device_release, s, c->intid, NULL);
        }
        break;
    case GICSIM_SRC_MSI:
        /* Owner or merged where the MSI sets the pending state (gicv4.c). */
        rec = record_new(s, id, c->vm, c->vcpu, c->intid);
        gicv4_msi_fire(s, id, rec);
        break;
    case GICSIM_SRC_SGI:
        /* The record starts when the guest writes SGI1R. */
        guest_send_sgi(s, &vm->vcpus[c->sender_vcpu], id, c->vcpu);
        wake_sender(s, &vm->vcpus[c->sender_vcpu]);
        break;
    case GICSIM_SRC_HOST_TIMER:
        /* The deadline: the timer raises the host's timer PPI on its PE. An
         * expiry while the previous one is still pending at the GIC merges
         * into it (one pending state; hrtimer_forward counts it as an
         * overrun). */
        rec = record_new(s, id, SYS_NONE, SYS_NONE, HYP_TIMER_PPI);
        if (rec == SYS_NONE)
            break; /* out of memory (sys_oom: the run stops) */
        if (so->host_pending != SYS_NONE) {
            record_merge(s, rec);
        } else {
            so->host_pending = rec;
        }
        sys_set_line(s, c->route_pe, HYP_TIMER_PPI, true);
        break;
    default:
        break;
    }
}

static void arrival_event(gicsim_engine *e, void *ctx, uint64_t arg)
{
    gicsim_system *s = ctx;
    records_maybe_sweep(s);
    sys_source *so = &s->src[arg];
    so->ev = 0;
    source_fire(s, (uint32_t)arg);
    if (!source_exhausted(s, so))
        gicsim_engine_schedule_in(e, next_gap(so), arrival_event, s, arg, &so->ev);
}

static bool source_index(gicsim_system *s, uint32_t id);

gicsim_status gicsim_source_add(gicsim_system *s, const gicsim_source_config *cfg,
                                uint32_t *source_out)
{
    if (!s || !cfg)
        return GICSIM_E_INVAL;
    gicsim_source_config c = *cfg;
    if (c.period == 0 || c.arrival > GICSIM_ARRIVE_MANUAL)
        return GICSIM_E_INVAL;
    sys_vm *vm = NULL;
    sys_vcpu *v = NULL;
    if (c.kind == GICSIM_SRC_HOST_TIMER) {
        /* The host's own timer: a PE, no VM (PPI 26 is enabled on every PE
         * at creation, hyp_init_pe). */
        if (c.route_pe >= s->num_pes)
            return GICSIM_E_INVAL;
        c.vm = c.vcpu = c.sender_vcpu = SYS_NONE;
        c.intid = HYP_TIMER_PPI;
    } else {
        if (c.vm >= s->n_vms)
            return GICSIM_E_INVAL;
        vm = s->vms[c.vm];
        if (c.vcpu >= vm->cfg.num_vcpus)
            return GICSIM_E_INVAL;
        v = &vm->vcpus[c.vcpu];
    }
    if (c.kind == GICSIM_SRC_MSI && c.device_id == UINT32_MAX)
        c.device_id = 16 + s->n_src;
    switch (c.kind) {
    case GICSIM_SRC_SPI_EDGE:
    case GICSIM_SRC_SPI_LEVEL:
        if (c.intid < GICSIM_SPI_BASE || c.intid - GICSIM_SPI_BASE >= gicsim_gic_num_spis(s->gic) ||
            s->spi_src[c.intid] != SYS_NONE)
            return GICSIM_E_INVAL;
        if (c.route_pe == UINT32_MAX)
            c.route_pe = v->home;
        if (c.route_pe >= s->num_pes)
            return GICSIM_E_INVAL;
        /* The host of route_pe takes the physical SPI and completes it the way
         * the VM's policy says (eoi-split injects HW=1 after an EOIR that must
         * only drop the priority): that PE's host EOImode must be the
         * policy's, as for VMs sharing a PE. */
        if (s->pe_eoimode[c.route_pe] != -1 &&
            s->pe_eoimode[c.route_pe] != (vm->pol->host_eoimode ? 1 : 0))
            return GICSIM_E_INVAL;
        break;
    case GICSIM_SRC_VTIMER:
        c.intid = GICSIM_PPI_VTIMER;
        if (v->timer_src != SYS_NONE)
            return GICSIM_E_INVAL;
        break;
    case GICSIM_SRC_SGI:
        if (c.intid > 15 || c.sender_vcpu >= vm->cfg.num_vcpus)
            return GICSIM_E_INVAL;
        break;
    case GICSIM_SRC_MSI:
        if (!s->v4 && !(s->v5 && s->cfg.gic.its))
            return GICSIM_E_UNSUPPORTED; /* no ITS */
        if (c.intid < GICSIM_LPI_BASE || c.intid >= (1u << s->cfg.gic.lpi_id_bits))
            return GICSIM_E_INVAL;
        for (uint32_t i = 0; i < s->n_src; i++) {
            const gicsim_source_config *o = &s->src[i].cfg;
            if (o->kind == GICSIM_SRC_MSI && o->vm == c.vm &&
                (o->intid == c.intid || (o->device_id == c.device_id && o->event_id == c.event_id)))
                return GICSIM_E_INVAL; /* one source per guest LPI and per (device, event) */
        }
        /* direct_timer: the timer's vLPI and the host's timer devices are taken. */
        if ((vm->pol->direct_timer && c.intid == gicv4_timer_vintid(s)) ||
            gicv4_device_reserved(s, c.device_id))
            return GICSIM_E_INVAL;
        break;
    case GICSIM_SRC_HOST_TIMER:
        break;
    default:
        return GICSIM_E_INVAL;
    }
    sys_source *src = realloc(s->src, (s->n_src + 1) * sizeof *src);
    if (!src)
        return GICSIM_E_NOMEM;
    s->src = src;
    uint32_t id = s->n_src;
    sys_source *so = &s->src[id];
    memset(so, 0, sizeof *so);
    so->cfg = c;
    so->rng = (c.seed ^ (0x9E3779B97F4A7C15ull * (id + 1))) | 1;
    so->burst_left = c.burst ? c.burst : 1;
    if (gicsim_histogram_create_bits(s->lat_bits, &so->lat) != GICSIM_OK)
        return GICSIM_E_NOMEM;
    so->host_pending = so->host_active = so->phys_rec = SYS_NONE;
    if (c.kind == GICSIM_SRC_MSI) {
        /* The guest maps its devices and their events in source order (MAPD,
         * MAPTI appended to KVM's lists): find_ite walks every device mapped
         * before this one, then every event of it mapped before this one. */
        uint32_t first = id, devices = 0, events = 0;
        for (uint32_t i = 0; i < id; i++) {
            const gicsim_source_config *o = &s->src[i].cfg;
            if (o->kind == GICSIM_SRC_MSI && o->vm == c.vm && o->device_id == c.device_id) {
                first = first == id ? i : first;
                events++;
            }
        }
        for (uint32_t i = 0; i < first; i++) { /* devices first mapped before it */
            const gicsim_source_config *o = &s->src[i].cfg;
            bool before = o->kind == GICSIM_SRC_MSI && o->vm == c.vm;
            for (uint32_t k = 0; k < i && before; k++)
                before = !(s->src[k].cfg.kind == GICSIM_SRC_MSI && s->src[k].cfg.vm == c.vm &&
                           s->src[k].cfg.device_id == o->device_id);
            devices += before ? 1u : 0u;
        }
        so->its_walk = devices + 1 + events + 1;
    }
    /* An MSI's guest LPI; under direct_timer, the timer's vLPI. */
    bool timer_vlpi = c.kind == GICSIM_SRC_VTIMER && vm && vm->pol->direct_timer;
    if (c.kind == GICSIM_SRC_MSI || timer_vlpi) {
        so->virq = malloc(sizeof *so->virq);
        if (!so->virq) {
            gicsim_histogram_destroy(so->lat);
            return GICSIM_E_NOMEM;
        }
        virq_init(so->virq, timer_vlpi ? gicv4_timer_vintid(s) : c.intid);
        so->virq->prio = (uint8_t)c.priority;
    }
    s->n_src++;
    if (!source_index(s, id))
        return GICSIM_E_NOMEM;
    gicsim_time_t first = c.start != GICSIM_TIME_NEVER ? c.start : engine_now(s->e) + c.period;
    uint8_t prio = (uint8_t)c.priority;
    switch (c.kind) {
    case GICSIM_SRC_SPI_EDGE:
    case GICSIM_SRC_SPI_LEVEL: {
        uint32_t n = c.intid;
        vm->spis[n - GICSIM_SPI_BASE].prio = prio;
        s->spi_vm[n] = vm->id;
        s->spi_vcpu[n] = c.vcpu;
        s->spi_src[n] = id;
        if (s->v5)
            break; /* gicv5_host_add_source */
        uint64_t cfgr = 0;
        gicsim_gicd_read(s->gic, GICSIM_GICD_ICFGR + 4 * (n / 16), 4, &cfgr);
        uint64_t bit = 2ull << (2 * (n % 16));
        cfgr = c.kind == GICSIM_SRC_SPI_EDGE ? (cfgr | bit) : (cfgr & ~bit);
        gicsim_gicd_write(s->gic, GICSIM_GICD_ICFGR + 4 * (n / 16), 4, cfgr);
        gicsim_gicd_write(s->gic, GICSIM_GICD_IROUTER + 8 * n, 8,
                          gicsim_gic_pe_affinity(s->gic, c.route_pe));
        gicsim_gicd_write(s->gic, GICSIM_GICD_ISENABLER + 4 * (n / 32), 4, 1u << (n % 32));
        if (s->pe_eoimode[c.route_pe] == -1) { /* a PE no VM runs on: its host adopts it */
            s->pe_eoimode[c.route_pe] = vm->pol->host_eoimode ? 1 : 0;
            gicsim_icc_write(s->gic, c.route_pe, GICSIM_ICC_CTLR,
                             vm->pol->host_eoimode ? GICSIM_ICC_CTLR_EOIMODE : 0);
        }
        break;
    }
    case GICSIM_SRC_VTIMER:
        v->banked[GICSIM_PPI_VTIMER].prio = prio;
        if (timer_vlpi) {
            gicsim_status st = gicv4_timer_priority(s, v, prio);
            if (st != GICSIM_OK)
                return st;
        }
        v->timer_src = id;
        v->timer_armed = true;
        v->cval = first;
        hyp_vtimer_arm(s, v);
        break;
    case GICSIM_SRC_SGI:
        v->banked[c.intid].prio = prio;
        if (c.reply)
            vm->vcpus[c.sender_vcpu].banked[c.intid].prio = prio;
        if (vm->pol->direct_sgi) {
            gicsim_status st = gicv4_add_vsgi(s, v, c.intid, prio);
            if (st == GICSIM_OK && c.reply)
                st = gicv4_add_vsgi(s, &vm->vcpus[c.sender_vcpu], c.intid, prio);
            if (st != GICSIM_OK)
                return st;
        }
        break;
    case GICSIM_SRC_MSI: {
        gicsim_status st = gicv4_add_msi(s, id);
        if (st != GICSIM_OK)
            return st;
        break;
    }
    default:
        break;
    }
    if (s->v5) {
        gicsim_status st = gicv5_host_add_source(s, id);
        if (st != GICSIM_OK)
            return st;
    }
    if (c.kind != GICSIM_SRC_VTIMER && c.arrival != GICSIM_ARRIVE_MANUAL)
        gicsim_engine_schedule_at(s->e, first, arrival_event, s, id, &so->ev);
    if (source_out)
        *source_out = id;
    return GICSIM_OK;
}

gicsim_status gicsim_source_trigger(gicsim_system *s, uint32_t source)
{
    if (!s || source >= s->n_src || s->src[source].cfg.kind == GICSIM_SRC_VTIMER)
        return GICSIM_E_INVAL;
    source_fire(s, source);
    return GICSIM_OK;
}

void gicsim_system_stop_sources(gicsim_system *s)
{
    if (s)
        s->sources_stopped = true;
}

static uint32_t lpi_slot(const sys_vm *vm, uint32_t intid)
{
    uint32_t i = (intid * 0x9E3779B1u) & (vm->lpi_cap - 1u);
    while (vm->lpi_key[i] && vm->lpi_key[i] != intid)
        i = (i + 1u) & (vm->lpi_cap - 1u);
    return i;
}

/* Index MSI source `src` of `vm` by its guest LPI (kept at most half full). */
static bool lpi_map_add(sys_vm *vm, uint32_t intid, uint32_t src)
{
    if (2u * (vm->lpi_n + 1u) > vm->lpi_cap) {
        uint32_t cap = vm->lpi_cap ? 2u * vm->lpi_cap : 16u;
        uint32_t *k = calloc(cap, sizeof *k), *v = calloc(cap, sizeof *v);
        if (!k || !v) {
            free(k);
            free(v);
            return false;
        }
        uint32_t *ok = vm->lpi_key, *ov = vm->lpi_src, ocap = vm->lpi_cap;
        vm->lpi_key = k;
        vm->lpi_src = v;
        vm->lpi_cap = cap;
        for (uint32_t i = 0; i < ocap; i++)
            if (ok[i]) {
                uint32_t j = lpi_slot(vm, ok[i]);
                k[j] = ok[i];
                v[j] = ov[i];
            }
        free(ok);
        free(ov);
    }
    uint32_t j = lpi_slot(vm, intid);
    if (!vm->lpi_key[j]) {
        vm->lpi_key[j] = intid;
        vm->lpi_src[j] = src;
        vm->lpi_n++;
    }
    return true;
}

/* Index a new source for source_for: the first source (lowest index) that
 * matches wins, as a scan in source order would find. */
static bool source_index(gicsim_system *s, uint32_t id)
{
    const gicsim_source_config *c = &s->src[id].cfg;
    if (c->kind == GICSIM_SRC_MSI)
        return lpi_map_add(s->vms[c->vm], c->intid, id);
    if (c->kind == GICSIM_SRC_SGI) {
        sys_vm *vm = s->vms[c->vm];
        if (vm->vcpus[c->vcpu].sgi_src[c->intid] == SYS_NONE)
            vm->vcpus[c->vcpu].sgi_src[c->intid] = id;
        if (c->reply && vm->vcpus[c->sender_vcpu].sgi_src[c->intid] == SYS_NONE)
            vm->vcpus[c->sender_vcpu].sgi_src[c->intid] = id;
    }
    return true;
}

uint32_t source_for(gicsim_system *s, sys_vcpu *v, uint32_t vintid)
{
    if (vintid == GICSIM_PPI_VTIMER)
        return v->timer_src;
    if (vintid >= GICSIM_LPI_BASE && v->vm->pol->direct_timer && vintid == gicv4_timer_vintid(s))
        return v->timer_src; /* the timer's vLPI */
    if (vintid >= GICSIM_LPI_BASE) {
        if (vintid == v->lpi_hit)
            return v->lpi_hit_src;
        const sys_vm *vm = v->vm;
        if (!vm->lpi_cap)
            return SYS_NONE;
        uint32_t j = lpi_slot(vm, vintid);
        if (!vm->lpi_key[j] || s->src[vm->lpi_src[j]].cfg.vcpu != v->idx)
            return SYS_NONE;
        v->lpi_hit = vintid;
        v->lpi_hit_src = vm->lpi_src[j];
        return vm->lpi_src[j];
    }
    if (vintid >= GICSIM_SPI_BASE)
        return vintid < 1024 && s->spi_vm[vintid] == v->vm->id ? s->spi_src[vintid] : SYS_NONE;
    return vintid < 16 ? v->sgi_src[vintid] : SYS_NONE;
}

void source_handler_done(gicsim_system *s, sys_vcpu *v, uint32_t vintid)
{
    uint32_t id = source_for(s, v, vintid);
    sys_source *so = source_of(s, id);
    if (!so)
        return;
    const gicsim_source_config *c = &so->cfg;
    switch (c->kind) {
    case GICSIM_SRC_SPI_LEVEL:
        if (c->deassert_at >= c->handler)
            device_set_line(s, c->intid, false);
        break;
    case GICSIM_SRC_VTIMER:
        /* The handler programs the next deadline (CNTV_CVAL), which lowers
         * the timer's output. */
        v->timer_rec = SYS_NONE;
        if (source_exhausted(s, so)) {
            v->timer_armed = false;
            if (v->state == VS_RUNNING)
                sys_set_line(s, v->pe->id, GICSIM_PPI_VTIMER, false);
        } else {
            v->cval += next_gap(so);
            hyp_vtimer_arm(s, v);
        }
        break;
    case GICSIM_SRC_SGI:
        if (c->reply && !source_exhausted(s, so)) {
            uint32_t back = v->idx == c->vcpu ? c->sender_vcpu : c->vcpu;
            so->arrivals++;
            guest_send_sgi(s, v, id, back);
        }
        break;
    default:
        break;
    }
}

/* ---- Running and results ------------------------------------------------------------------- */

void gicsim_system_run_for(gicsim_system *s, gicsim_time_t duration)
{
    if (!s)
        return;
    gicsim_engine_run_for(s->e, duration);
    records_maybe_sweep(s);
    GICSIM_INV(inv_sys_full(s, "system.c:gicsim_system_run_for"));
}

gicsim_status gicsim_system_status(const gicsim_system *s)
{
    return s ? gicsim_engine_status(s->e) : GICSIM_E_INVAL;
}

void gicsim_system_get_stats(const gicsim_system *s, gicsim_system_stats *out)
{
    if (!s || !out)
        return;
    *out = s->st;
    gicsim_time_t now = engine_now(s->e);
    out->sim_time = now;
    out->guest_time = out->hyp_time = out->idle_time = out->halt_poll_time = 0;
    for (uint32_t p = 0; p < s->num_pes; p++) {
        const sys_pe *pe = &s->pes[p];
        gicsim_time_t t[PM__COUNT];
        for (int m = 0; m < PM__COUNT; m++)
            t[m] = pe->mode_time[m];
        t[pe->mode] += now - pe->mode_since;
        out->guest_time += t[PM_GUEST];
        out->hyp_time += t[PM_HYP];
        out->idle_time += t[PM_IDLE];
        out->halt_poll_time += t[PM_POLL];
    }
    gicsim_gic_stats gs;
    gicsim_gic_get_stats(s->gic, &gs);
    out->maintenance_irqs = gs.maintenance_irqs;
    out->pending = out->asserted - out->delivered - out->merged;
}

gicsim_status gicsim_system_set_latency_bits(gicsim_system *s, unsigned bits)
{
    if (!s || bits < GICSIM_HISTOGRAM_BITS_MIN || bits > GICSIM_HISTOGRAM_BITS_MAX)
        return GICSIM_E_INVAL;
    if (gicsim_histogram_count(s->lat_all))
        return GICSIM_E_STATE;
    /* New (empty) histograms first, so that a failure changes nothing. */
    gicsim_histogram **h = calloc((size_t)s->n_src + 1u, sizeof *h);
    gicsim_status st = h ? GICSIM_OK : GICSIM_E_NOMEM;
    for (uint32_t i = 0; st == GICSIM_OK && i <= s->n_src; i++)
        st = gicsim_histogram_create_bits(bits, &h[i]);
    if (st != GICSIM_OK) {
        for (uint32_t i = 0; h && i <= s->n_src; i++)
            gicsim_histogram_destroy(h[i]);
        free(h);
        return st;
    }
    gicsim_histogram_destroy(s->lat_all);
    s->lat_all = h[s->n_src];
    for (uint32_t i = 0; i < s->n_src; i++) {
        gicsim_histogram_destroy(s->src[i].lat);
        s->src[i].lat = h[i];
    }
    free(h);
    s->lat_bits = bits;
    return GICSIM_OK;
}

const gicsim_histogram *gicsim_system_latency(const gicsim_system *s, uint32_t source)
{
    if (!s)
        return NULL;
    if (source == UINT32_MAX)
        return s->lat_all;
    return source < s->n_src ? s->src[source].lat : NULL;
}
