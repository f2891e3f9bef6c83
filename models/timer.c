/* gicsim: the timers the hypervisor handles (KVM's arch_timer.c): each
 * vCPU's virtual timer (PPI 27), in the PE's timer hardware while the vCPU
 * is loaded and as a host software timer while it is not, and the host's
 * timer interrupt.
 *
 * The host's timer interrupt (PPI 26) runs every expired software timer of
 * its PE: the host's own (GICSIM_SRC_HOST_TIMER, the bare-metal path) and
 * those standing in for descheduled vCPUs' virtual timers (hyp_timer_irq).
 * Under direct_timer the virtual timer is a vLPI the comparator's MSI raises
 * (vtimer_direct_fire): no PPI 27, no host software timer.
 */
#include "sys_internal.h"

static void vtimer_hw_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    sys_pe *pe = &s->pes[arg];
    pe->vtimer_ev = 0;
    sys_vcpu *v = pe->vcpu;
    if (!v || !v->timer_armed)
        return;
    v->timer_rec = record_new(s, v->timer_src, v->vm->id, v->idx, VTIMER_PPI);
    source_of(s, v->timer_src)->arrivals++;
    sys_set_line(s, pe->id, VTIMER_PPI, true);
}

static void hrtimer_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    sys_vcpu *v = (sys_vcpu *)(uintptr_t)arg;
    v->hrtimer_ev = 0;
    if (!v->timer_armed)
        return;
    v->timer_rec = record_new(s, v->timer_src, v->vm->id, v->idx, VTIMER_PPI);
    source_of(s, v->timer_src)->arrivals++;
    /* The host's software timer interrupt, on the PE the vCPU last ran on. */
    sys_set_line(s, v->pe->id, HYP_TIMER_PPI, true);
}

/* The timer of a descheduled vCPU is injected the way its policy maps the
 * timer: HW=1 under an EOImode=1 host, else level with an EOI maintenance. */
static gicsim_virq vtimer_virq(const sys_vcpu *v)
{
    bool hw = v->vm->pol->host_eoimode;
    return (gicsim_virq){.vintid = VTIMER_PPI,
                         .level = true,
                         .line = true,
                         .hw = hw,
                         .pintid = VTIMER_PPI,
                         .eoi_maint = !hw};
}

/* The end of the host's timer interrupt handler: EOImode=0, the EOIR that
 * drops the priority and deactivates; EOImode=1, the DIR (the EOIR came
 * right after the acknowledge). */
static void hyp_timer_done(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    gicsim_icc_reg reg = s->pe_eoimode[pe->id] == 1 ? GICSIM_ICC_DIR : GICSIM_ICC_EOIR1;
    sys_host_eoi(s, pe->id, reg, HYP_TIMER_PPI);
    pe_next(s, pe, sys_eoi_cost(s, reg), NULL, 0);
}

/* The host's timer interrupt (PPI 26) on `pe`: the host kernel's
 * hrtimer_interrupt runs every expired timer of this PE, its own
 * (GICSIM_SRC_HOST_TIMER sources, whose instances the host's ICC_IAR1 read
 * that returned PPI 26 just acknowledged) and the software timers that stand
 * in for descheduled vCPUs last on this PE (injected the way the VM's policy
 * maps the timer; not under direct_timer, whose timer needs no host timer).
 * The line is level-sensitive and shared: it is lowered here, at the
 * acknowledge, with every expired client handled, and a client that expires
 * later raises it again, so it stays raised while an expired client is
 * unhandled. The completion follows Linux's irq-gic-v3 driver: with
 * EOImode=1 (gic_handle_irq with supports_deactivate_key) the EOIR, a
 * priority drop, right after the acknowledge and the DIR after the handler
 * (hrtimer_fire); with EOImode=0 one EOIR after the handler. The exit the
 * interrupt caused, if it interrupted a guest, belongs to the first host
 * timer instance it completes. */
void hyp_timer_irq(gicsim_system *s, sys_pe *pe, gicsim_hyp *h)
{
    gicsim_time_t now = engine_now(s->e);
    sys_set_line(s, pe->id, HYP_TIMER_PPI, false);
    for (uint32_t i = 0; i < s->n_src; i++) {
        sys_source *so = &s->src[i];
        if (so->cfg.kind != GICSIM_SRC_HOST_TIMER || so->cfg.route_pe != pe->id ||
            so->host_pending == SYS_NONE)
            continue;
        uint32_t rec = so->host_pending;
        so->host_pending = SYS_NONE;
        so->host_active = rec;
        gicsim_irq_record *r = record_get(s, rec);
        if (!r)
            continue;
        /* Not signalled since it was raised: PPI 26 was already being
         * presented (for another client) at that moment. */
        if (r->t_signal == GICSIM_TIME_NEVER)
            r->t_signal = r->t_assert;
        r->t_ack = now;
        s->st.delivered++;
        s->st.host_delivered++;
        gicsim_histogram_record(s->lat_all, now - r->t_assert);
        gicsim_histogram_record(so->lat, now - r->t_assert);
        hyp_attribute(pe, rec);
    }
    bool split = s->pe_eoimode[pe->id] == 1;
    if (split)
        sys_host_eoi(s, pe->id, GICSIM_ICC_EOIR1, HYP_TIMER_PPI);
    for (uint32_t m = 0; m < s->n_vms; m++) {
        sys_vm *vm = s->vms[m];
        if (vm->pol->direct_timer)
            continue;
        for (uint32_t i = 0; i < vm->cfg.num_vcpus; i++) {
            sys_vcpu *v = &vm->vcpus[i];
            if (v->pe != pe || v->state == VS_RUNNING || !v->timer_armed || v->hrtimer_ev ||
                v->cval > now || v->timer_rec == SYS_NONE)
                continue;
            gicsim_virq q = vtimer_virq(v);
            s->inject_rec = v->timer_rec;
            gicsim_hyp_inject(h, vm->id, i, &q);
            s->inject_rec = SYS_NONE;
        }
    }
    /* Housekeeping (variation.c): the tick's and other host work due here. */
    if (s->var)
        h->charged += var_host_work(s, pe);
    pe_next(s, pe,
            (split ? sys_eoi_cost(s, GICSIM_ICC_EOIR1) : 0) +
                sys_cost(s, GICSIM_COST_HRTIMER_FIRE) + h->charged,
            hyp_timer_done, 0);
    h->charged = 0;
}

void hyp_host_timer_event(gicsim_system *s, const gicsim_gic_event *ev)
{
    for (uint32_t i = 0; i < s->n_src; i++) {
        sys_source *so = &s->src[i];
        if (so->cfg.kind != GICSIM_SRC_HOST_TIMER || so->cfg.route_pe != ev->pe)
            continue;
        gicsim_irq_record *r;
        switch (ev->kind) {
        case GICSIM_GEV_SIGNAL:
            r = record_get(s, so->host_pending);
            if (r && r->t_signal == GICSIM_TIME_NEVER)
                r->t_signal = ev->time;
            break;
        case GICSIM_GEV_PRIO_DROP:
            r = record_get(s, so->host_active);
            if (r && r->t_eoi == GICSIM_TIME_NEVER)
                r->t_eoi = ev->time;
            break;
        case GICSIM_GEV_DEACTIVATE:
            r = record_get(s, so->host_active);
            if (r && r->t_deact == GICSIM_TIME_NEVER)
                r->t_deact = ev->time;
            so->host_active = SYS_NONE;
            break;
        default:
            break;
        }
    }
}

/* direct_timer: the comparator reached CVAL. The what-if hardware keeps
 * comparing while the vCPU is descheduled and writes the timer's MSI; like
 * an MSI source's, its record merges into a pending instance if the vLPI is
 * still pending where the MSI lands (gicv4.c). */
static void vtimer_direct_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    sys_vcpu *v = (sys_vcpu *)(uintptr_t)arg;
    v->dtimer_ev = 0;
    sys_source *so = source_of(s, v->timer_src);
    if (!v->timer_armed || !so || !so->virq)
        return;
    uint32_t rec = record_new(s, v->timer_src, v->vm->id, v->idx, so->virq->vintid);
    so->arrivals++;
    v->timer_rec = rec;
    gicv4_timer_fire(s, v, rec);
}

void hyp_vtimer_arm(gicsim_system *s, sys_vcpu *v)
{
    sys_pe *pe = v->pe;
    gicsim_time_t now = engine_now(s->e);
    gicsim_time_t when = v->cval > now ? v->cval : now;
    if (v->vm->pol->direct_timer) {
        gicsim_engine_cancel(s->e, v->dtimer_ev);
        gicsim_engine_schedule_at(s->e, when, vtimer_direct_fire, s, (uint64_t)(uintptr_t)v,
                                  &v->dtimer_ev);
        return;
    }
    if (v->state == VS_RUNNING && pe->vcpu == v) {
        gicsim_engine_cancel(s->e, pe->vtimer_ev);
        sys_set_line(s, pe->id, VTIMER_PPI, false);
        gicsim_engine_schedule_at(s->e, when, vtimer_hw_fire, s, pe->id, &pe->vtimer_ev);
    } else {
        gicsim_engine_cancel(s->e, v->hrtimer_ev);
        gicsim_engine_schedule_at(s->e, when, hrtimer_fire, s, (uint64_t)(uintptr_t)v,
                                  &v->hrtimer_ev);
    }
}

/* vcpu_load: the timer's hardware belongs to the vCPU again. A timer
 * interrupt already queued with HW=1 gets the physical PPI's active state
 * back, so the hardware does not signal it a second time. */
void hyp_vtimer_load(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    /* direct_timer: the comparator follows the vCPU, not the PE. */
    if (v->timer_src == SYS_NONE || v->vm->pol->direct_timer)
        return;
    gicsim_engine_cancel(s->e, v->hrtimer_ev);
    v->hrtimer_ev = 0;
    vgic_irq *q = &v->banked[VTIMER_PPI];
    /* GICv5 (no list registers): active in its saved ICH_PPI_ACTIVER, or pending since the
     * host injected it (kvm_timer_vcpu_load_gic: phys_active |= the timer's irq.level). */
    bool queued = s->v5 ? q->active || q->rec_pending != SYS_NONE
                        : q->queued && (virq_pending(q) || q->active);
    if (queued && q->hw)
        sys_ppi_set_active(s, pe->id, VTIMER_PPI, true);
    if (!v->timer_armed)
        return;
    if (v->cval <= engine_now(s->e) && v->timer_rec != SYS_NONE) {
        /* Queued with HW=0, the expiry is not signalled again either: KVM
         * keeps the physical PPI masked while the virtual level is high
         * (kvm_timer_vcpu_load_nogic) until the guest's handler moves the
         * deadline, which lowers the output (hyp_vtimer_arm). */
        if (!queued || q->hw)
            sys_set_line(s, pe->id, VTIMER_PPI, true);
        return;
    }
    hyp_vtimer_arm(s, v);
}

/* The background timer of a vCPU put after its deadline (below) fires:
 * the host's timer interrupt on the PE it was put on, with the expiry's
 * record unchanged. */
static void bg_timer_expired(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    sys_vcpu *v = (sys_vcpu *)(uintptr_t)arg;
    v->hrtimer_ev = 0;
    if (v->timer_armed && v->timer_rec != SYS_NONE && v->state != VS_RUNNING)
        sys_set_line(s, v->pe->id, HYP_TIMER_PPI, true);
}

void hyp_vtimer_put(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    if (v->timer_src == SYS_NONE || v->vm->pol->direct_timer)
        return;
    gicsim_engine_cancel(s->e, pe->vtimer_ev);
    pe->vtimer_ev = 0;
    sys_set_line(s, pe->id, VTIMER_PPI, false);
    if (sys_ppi_active(s, pe->id, VTIMER_PPI)) /* the physical active state travels with the vCPU */
        sys_ppi_set_active(s, pe->id, VTIMER_PPI, false);
    gicsim_time_t now = engine_now(s->e);
    if (v->timer_armed && v->cval > now) {
        hyp_vtimer_arm(s, v);
        return;
    }
    /* Expired while the PE was in the hypervisor, before the host took the
     * physical PPI: the line just dropped with the vCPU's timer state, so
     * KVM's background timer carries the expiry (kvm_timer_blocking starts
     * it at kvm_timer_earliest_exp, 0 for a deadline already passed, and it
     * fires at once). Not when the host already injected it. */
    const vgic_irq *q = &v->banked[VTIMER_PPI];
    if (v->timer_armed && v->timer_rec != SYS_NONE && !q->queued && !virq_pending(q) &&
        !q->active) {
        gicsim_engine_cancel(s->e, v->hrtimer_ev);
        gicsim_engine_schedule_at(s->e, now, bg_timer_expired, s, (uint64_t)(uintptr_t)v,
                                  &v->hrtimer_ev);
    }
}
