/* gicsim: the KVM-like hypervisor core shared by every delivery policy.
 *
 * VM exit, costing exception_entry + guest_ctx_save (plus world_switch without
 * VHE): the list registers are folded back into the vCPU's software pending
 * list, then the exit reason is handled (a physical interrupt: the host
 * acknowledges it and hands it to the VM's policy; WFI; a trapped SGI;
 * MMIO; HVC). VM entry: pending host interrupts are handled first, then the
 * software pending list is flushed into the list registers and the guest is
 * entered (guest_ctx_restore + exception_return, plus world_switch without
 * VHE).
 *
 * The software pending list follows KVM: pending and not active interrupts
 * first, then by priority, then active HW interrupts before others. What
 * does not fit in the list registers is spilled: spilled pending interrupts
 * set ICH_HCR.UIE and NPIE so the guest exits when the list registers drain;
 * spilled active interrupts set LRENPIE so the guest's EOI of an interrupt
 * that is in no list register (counted in ICH_HCR.EOIcount) makes it exit and
 * the host deactivates it. Because a pending interrupt always gets a list
 * register before an active one, a spilled pending interrupt never leaves
 * the NP condition permanently true, so NPIE cannot livelock. UIE is set only
 * with two list registers or more: with one, ICH_MISR.U ("at most one list
 * register valid") always holds, so the maintenance interrupt would end
 * every entry before the guest could take anything (a livelock the
 * invariant tests found); NPIE alone then refills the list register.
 *
 * The host's timer interrupt (PPI 26) runs every expired software timer of
 * its PE: the host's own (GICSIM_SRC_HOST_TIMER, the bare-metal path) and
 * those standing in for descheduled vCPUs' virtual timers (hyp_timer_irq).
 * Under direct_timer the virtual timer is a vLPI the comparator's MSI raises
 * (vtimer_direct_fire): no PPI 27, no host software timer.
 */
#include "sys_internal.h"

#include "sys_invariants.h"

#include <stdlib.h>

#define VTIMER_PPI GICSIM_PPI_VTIMER

static gicsim_time_t ws(const gicsim_system *s)
{
    return s->cfg.vhe ? 0 : s->c[GICSIM_COST_WORLD_SWITCH];
}

static void attribute(sys_pe *pe, uint32_t rec)
{
    if (pe->in_exit && pe->exit_rec == SYS_NONE && rec != SYS_NONE)
        pe->exit_rec = rec;
}

/* Host completes one of its own interrupts: EOIR, plus DIR under EOImode=1. */
static gicsim_time_t host_eoi(gicsim_system *s, sys_pe *pe, uint32_t intid)
{
    gicsim_icc_write(s->gic, pe->id, GICSIM_ICC_EOIR1, intid);
    if (s->pe_eoimode[pe->id] == 1) {
        gicsim_icc_write(s->gic, pe->id, GICSIM_ICC_DIR, intid);
        return 2 * s->c[GICSIM_COST_ICC_EOIR_WRITE];
    }
    return s->c[GICSIM_COST_ICC_EOIR_WRITE];
}

void hyp_init_pe(gicsim_system *s, sys_pe *pe)
{
    uint32_t ppis = (1u << GICSIM_PPI_MAINTENANCE) | (1u << VTIMER_PPI) | (1u << HYP_TIMER_PPI) |
                    (1u << s->cfg.host_tick_ppi);
    gicsim_gicr_write(s->gic, pe->id, GICSIM_GICR_ISENABLER0, 4, ppis);
}

/* The optional policy hooks: each runs on PE `pe` for its loaded vCPU and
 * the time it charges is queued after it. */
static void hook_done(gicsim_system *s, sys_pe *pe, const gicsim_hyp *h)
{
    pe_next(s, pe, h->charged, NULL, 0);
}

static void hook_load(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_load) {
        v->vm->pol->vcpu_load(&h, v->vm->id, v->idx);
        hook_done(s, pe, &h);
    }
}

static void hook_put(gicsim_system *s, sys_pe *pe, bool blocking)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_put) {
        v->vm->pol->vcpu_put(&h, v->vm->id, v->idx, blocking);
        hook_done(s, pe, &h);
    }
}

static void hook_exit(gicsim_system *s, sys_pe *pe, gicsim_exit_reason r)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_exit) {
        v->vm->pol->vcpu_exit(&h, v->vm->id, v->idx, r);
        hook_done(s, pe, &h);
    }
}

static void hook_entry(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_entry) {
        v->vm->pol->vcpu_entry(&h, v->vm->id, v->idx);
        hook_done(s, pe, &h);
    }
}

static void hook_wfi(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->wfi) {
        v->vm->pol->wfi(&h, v->vm->id, v->idx);
        hook_done(s, pe, &h);
    }
}

/* ---- Records of the exit being handled --------------------------------------------- */

static void finish_exit(gicsim_system *s, sys_pe *pe)
{
    if (!pe->in_exit)
        return;
    pe->in_exit = false;
    gicsim_irq_record *r = record_get(s, pe->exit_rec);
    if (r) {
        r->exits[pe->exit_reason]++;
        r->hyp_time += gicsim_engine_now(s->e) - pe->exit_start;
    }
}

/* ---- Software pending list ----------------------------------------------------------- */

vgic_irq *vcpu_irq(gicsim_system *s, sys_vcpu *v, uint32_t vintid)
{
    if (vintid < GICSIM_SPI_BASE)
        return &v->banked[vintid];
    if (vintid >= GICSIM_LPI_BASE) { /* an LPI: the MSI source that owns it */
        uint32_t src = source_for(s, v, vintid);
        return src == SYS_NONE ? NULL : s->src[src].virq;
    }
    uint32_t n = vintid - GICSIM_SPI_BASE;
    return n < gicsim_gic_num_spis(s->gic) ? &v->vm->spis[n] : NULL;
}

static bool ap_add(gicsim_system *s, sys_vcpu *v, vgic_irq *q)
{
    if (q->queued)
        return true;
    if (v->n_ap == v->cap_ap) {
        uint32_t cap = v->cap_ap ? v->cap_ap * 2 : 16;
        vgic_irq **nv = realloc(v->ap, cap * sizeof *nv);
        if (!nv) {
            s->oom = true;
            return false;
        }
        v->ap = nv;
        v->cap_ap = cap;
    }
    v->ap[v->n_ap++] = q;
    q->queued = true;
    return true;
}

/* Drop what is neither pending nor active from the software pending list. */
static void prune(sys_vcpu *v)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < v->n_ap; i++) {
        vgic_irq *q = v->ap[i];
        if (virq_pending(q) || q->active)
            v->ap[w++] = q;
        else
            q->queued = false;
    }
    v->n_ap = w;
}

/* KVM's ap_list order: pending-and-not-active first, then priority, then
 * active HW interrupts first; the vINTID makes the order total. */
static int ap_cmp(const void *pa, const void *pb)
{
    const vgic_irq *a = *(vgic_irq *const *)pa, *b = *(vgic_irq *const *)pb;
    int ka = !(virq_pending(a) && !a->active), kb = !(virq_pending(b) && !b->active);
    if (ka != kb)
        return ka - kb;
    if (a->prio != b->prio)
        return (int)a->prio - (int)b->prio;
    int ha = !(a->hw && a->active), hb = !(b->hw && b->active);
    if (ha != hb)
        return ha - hb;
    return (a->vintid > b->vintid) - (a->vintid < b->vintid);
}

static bool vcpu_has_work(const sys_vcpu *v)
{
    for (uint32_t i = 0; i < v->n_ap; i++)
        if (virq_pending(v->ap[i]) && !v->ap[i]->active)
            return true;
    return false;
}

/* The ICH_AP1R<n> registers the GIC implements (one per 32 preemption
 * levels: 1, 2 or 4 with 5, 6 or 7+ priority bits): a vCPU switch saves and
 * restores all of them, as KVM's vgic_v3_save_aprs does. */
static uint32_t apr_count(const gicsim_system *s)
{
    uint32_t pre = s->cfg.gic.priority_bits > 7 ? 7 : s->cfg.gic.priority_bits;
    return pre <= 5 ? 1u : 1u << (pre - 5);
}

/* Write the list registers from the software pending list (vgic flush). */
static gicsim_time_t flush(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    uint32_t nlr = s->cfg.gic.num_lrs, p = pe->id;
    prune(v);
    if (v->n_ap > 1) /* qsort's array must not be NULL, which an empty list may be */
        qsort(v->ap, v->n_ap, sizeof *v->ap, ap_cmp);
    uint32_t n = v->n_ap < nlr ? v->n_ap : nlr;
    uint32_t writes = 0;
    for (uint32_t i = 0; i < n; i++) {
        vgic_irq *q = v->ap[i];
        uint64_t state = (virq_pending(q) ? GICSIM_LR_STATE_PENDING : 0) |
                         (q->active ? GICSIM_LR_STATE_ACTIVE : 0);
        uint64_t lr = gicsim_lr_value(q->vintid, q->prio, true, q->hw,
                                      q->hw ? q->pintid : (q->eoi_maint ? 1u : 0u), state);
        gicsim_ich_write(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_LR0 + i), lr);
        /* An edge's pending state moves into the list register (KVM's
         * populate_lr); a new injection while it is there latches again. */
        if (!q->level && (state & GICSIM_LR_STATE_PENDING))
            q->latch = false;
        q->lr = (int8_t)i;
        v->lr_irq[i] = q;
        writes++;
    }
    for (uint32_t i = n; i < v->used_lrs; i++) {
        gicsim_ich_write(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_LR0 + i), 0);
        v->lr_irq[i] = NULL;
        writes++;
    }
    v->used_lrs = n;
    bool spill_pending = false, spill_active = false;
    for (uint32_t i = n; i < v->n_ap; i++) {
        vgic_irq *q = v->ap[i];
        bool pending = virq_pending(q);
        q->lr = -1;
        if (q->active)
            spill_active = true;
        if (pending && !q->active)
            spill_pending = true;
        /* Every interrupt left out is a spill: a pending one waits for a
         * list register, an active one for the EOI the hypervisor handles
         * through EOIcount. A pending instance is charged before an active
         * one of the same interrupt. */
        s->st.lr_spills++;
        gicsim_irq_record *r = record_get(s, pending ? q->rec_pending : q->rec_active);
        if (r)
            r->lr_spills++;
    }
    uint64_t hcr = GICSIM_ICH_HCR_EN;
    if (spill_pending)
        hcr |= (nlr > 1 ? GICSIM_ICH_HCR_UIE : 0) | GICSIM_ICH_HCR_NPIE;
    if (spill_active)
        hcr |= GICSIM_ICH_HCR_LRENPIE;
    uint64_t vmcr = GICSIM_ICH_VMCR_VENG1 | (0xFFull << GICSIM_ICH_VMCR_VPMR_SHIFT) |
                    (v->vm->cfg.guest_eoimode ? GICSIM_ICH_VMCR_VEOIM : 0);
    gicsim_ich_write(s->gic, p, GICSIM_ICH_VMCR, vmcr);
    for (uint32_t n = 0; n < apr_count(s); n++)
        gicsim_ich_write(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_AP1R0 + n), v->ap1r[n]);
    gicsim_ich_write(s->gic, p, GICSIM_ICH_HCR, hcr);
    GICSIM_INV(inv_sys_flush(s, pe, v));
    return (writes + 2 + apr_count(s)) * s->c[GICSIM_COST_ICH_ACCESS];
}

typedef struct fold_result {
    gicsim_time_t cost;
    uint32_t eoi_maint[GICSIM_MAX_LRS];
    uint32_t n_eoi_maint;
} fold_result;

/* Read the list registers back into the software state (vgic fold/sync),
 * handle EOIcount for spilled active interrupts, and disable the virtual
 * interface (ICH_HCR.En=0, which also drops the maintenance interrupt). */
static void fold(gicsim_system *s, sys_pe *pe, sys_vcpu *v, fold_result *out)
{
    uint32_t p = pe->id, reads = 1 + apr_count(s);
    uint64_t hcr = 0;
    gicsim_ich_read(s->gic, p, GICSIM_ICH_HCR, &hcr);
    for (uint32_t n = 0; n < apr_count(s); n++) {
        uint64_t ap = 0;
        gicsim_ich_read(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_AP1R0 + n), &ap);
        v->ap1r[n] = (uint32_t)ap;
    }
    out->n_eoi_maint = 0;
    for (uint32_t i = 0; i < v->used_lrs; i++) {
        vgic_irq *q = v->lr_irq[i];
        uint64_t lr = 0;
        gicsim_ich_read(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_LR0 + i), &lr);
        /* Clear it, as KVM's save does: a stale EOI=1 entry would keep
         * ICH_EISR, and so the maintenance interrupt, asserted. */
        gicsim_ich_write(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_LR0 + i), 0);
        reads += 2;
        v->lr_irq[i] = NULL;
        if (!q)
            continue;
        uint64_t state = lr >> GICSIM_LR_STATE_SHIFT;
        q->active = (state & GICSIM_LR_STATE_ACTIVE) != 0;
        if (state & GICSIM_LR_STATE_PENDING) {
            if (!q->level)
                q->latch = true; /* not yet acknowledged: still pending */
        } else if (q->level) {
            /* Acknowledged: the level is consumed until the host samples the
             * line again (at the EOI maintenance for HW=0; for HW=1 the
             * physical GIC re-signals a line that is still high). */
            q->line = false;
        }
        if (state == GICSIM_LR_STATE_INVALID && !q->hw && q->eoi_maint &&
            out->n_eoi_maint < GICSIM_MAX_LRS)
            out->eoi_maint[out->n_eoi_maint++] = q->vintid;
        q->lr = -1;
    }
    /* EOIcount: the guest ended that many interrupts that were in no list
     * register; deactivate the highest-priority spilled active ones. */
    uint32_t eoicount = (uint32_t)(hcr >> GICSIM_ICH_HCR_EOICOUNT_SHIFT) & 0x1Fu;
    for (uint32_t k = 0; k < eoicount; k++) {
        vgic_irq *best = NULL;
        for (uint32_t i = 0; i < v->n_ap; i++) {
            vgic_irq *q = v->ap[i];
            if (q->active && q->lr < 0 && (!best || q->prio < best->prio))
                best = q;
        }
        if (!best)
            break;
        best->active = false;
        gicsim_irq_record *r = record_get(s, best->rec_active);
        if (r && r->t_deact == GICSIM_TIME_NEVER)
            r->t_deact = gicsim_engine_now(s->e);
        best->rec_active = SYS_NONE;
        if (best->hw) {
            gicsim_icc_write(s->gic, p, GICSIM_ICC_DIR, best->pintid);
            out->cost += s->c[GICSIM_COST_ICC_EOIR_WRITE];
        }
    }
    gicsim_ich_write(s->gic, p, GICSIM_ICH_HCR, 0);
    v->used_lrs = 0;
    prune(v);
    GICSIM_INV(inv_sys_fold(s, pe, v));
    out->cost += (reads + 1) * s->c[GICSIM_COST_ICH_ACCESS];
}

/* ---- Kicks, wake-ups and scheduling ------------------------------------------------------ */

static void kick_write(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    uint32_t from = (uint32_t)(arg >> 32), to = (uint32_t)arg;
    uint64_t aff = gicsim_gic_pe_affinity(s->gic, to);
    uint64_t sgir = gicsim_icc_sgir_value(s->cfg.kick_sgi, (uint16_t)(1u << (aff & 0xFu)),
                                          (uint8_t)(aff >> 8), (uint8_t)(aff >> 16), 0, 0, false);
    gicsim_icc_write(s->gic, from, GICSIM_ICC_SGI1R, sgir);
}

/* The host on `from` sends the kick (or reschedule) IPI to `to`. Inside
 * gicsim_hyp_inject the ICC_SGI1R_EL1 write happens where it does on the
 * PE's timeline: after the work the step charged so far, the queueing
 * (virq_inject) and the send path `path` (vcpu_kick or sched_wakeup);
 * elsewhere at once. */
static void send_kick(gicsim_system *s, sys_pe *from, uint32_t to, gicsim_cost_id path)
{
    s->st.kicks++;
    uint64_t arg = (uint64_t)from->id << 32 | to;
    if (s->kick_base == GICSIM_TIME_NEVER) {
        kick_write(s->e, s, arg);
        return;
    }
    if (gicsim_engine_schedule_in(s->e, s->kick_base + s->c[path], kick_write, s, arg, NULL) !=
        GICSIM_OK)
        s->oom = true;
}

static void tick_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    s->pes[arg].tick_ev = 0;
    gicsim_gic_set_line(s->gic, (uint32_t)arg, s->cfg.host_tick_ppi, true);
}

/* The scheduler tick runs only while vCPUs wait for the PE. */
static void arm_tick(gicsim_system *s, sys_pe *pe)
{
    if (pe->tick_ev || !pe->n_rq || !pe->vcpu)
        return;
    gicsim_engine_schedule_in(s->e, pe->vcpu->vm->cfg.time_slice, tick_fire, s, pe->id,
                              &pe->tick_ev);
}

static bool rq_push(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    if (pe->n_rq == pe->cap_rq) {
        uint32_t cap = pe->cap_rq ? pe->cap_rq * 2 : 4;
        sys_vcpu **nv = realloc(pe->rq, cap * sizeof *nv);
        if (!nv) {
            s->oom = true;
            return false;
        }
        pe->rq = nv;
        pe->cap_rq = cap;
    }
    pe->rq[pe->n_rq++] = v;
    return true;
}

/* A vCPU becomes runnable: pinned vCPUs go to their PE; others to the PE of
 * their set with the fewest vCPUs (loaded or waiting), ties to the lowest. */
void hyp_make_runnable(gicsim_system *s, sys_vcpu *v, sys_pe *from)
{
    /* Woken while its put is still under way (block() ran, do_put has not):
     * do_put queues it on the PE it leaves. Queueing it here too would put
     * it in two run queues and load it twice, on two PEs at once. */
    if (v->pe && v->pe->vcpu == v) {
        v->state = VS_RUNNABLE;
        return;
    }
    const gicsim_vm_config *c = &v->vm->cfg;
    sys_pe *to = &s->pes[v->home];
    if (!c->pinned) {
        uint32_t best_load = UINT32_MAX;
        for (uint32_t i = 0; i < c->pe_count; i++) {
            sys_pe *cand = &s->pes[c->pe_first + i];
            uint32_t load = cand->n_rq + (cand->vcpu ? 1u : 0u);
            if (load < best_load) {
                best_load = load;
                to = cand;
            }
        }
    }
    v->state = VS_RUNNABLE;
    v->pe = to;
    if (!rq_push(s, to, v))
        return;
    if (to->vcpu) {
        arm_tick(s, to);
    } else if (to != from && to->mode == PM_IDLE && !to->busy) {
        if (from)
            send_kick(s, from, to->id, GICSIM_COST_SCHED_WAKEUP); /* reschedule IPI */
        else
            pe_run(s, to);
    }
}

static void do_enter(gicsim_system *s, sys_pe *pe, uint64_t arg);

/* KVM's run loop enables interrupts once before each entry: a pending host
 * interrupt is handled there (once), then the flush and the entry run with
 * interrupts masked. An interrupt that arrives after that point makes the
 * guest exit right after the entry. */
static void enter_check(gicsim_system *s, sys_pe *pe, uint64_t irq_window_done)
{
    sys_vcpu *v = pe->vcpu;
    if (!irq_window_done && gicsim_gic_irq_line(s->gic, pe->id)) {
        hyp_host_irq(s, pe);
        pe_next(s, pe, 0, enter_check, 1);
        return;
    }
    pe_next(s, pe, flush(s, pe, v), NULL, 0);
    hook_entry(s, pe);
    pe_next(s, pe, ws(s) + s->c[GICSIM_COST_GUEST_CTX_RESTORE] + s->c[GICSIM_COST_EXCEPTION_RETURN],
            do_enter, 0);
}

static void do_enter(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    finish_exit(s, pe);
    pe->vcpu->in_guest = true;
}

static void do_load(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    hyp_vtimer_load(s, pe);
    arm_tick(s, pe);
    if (pe->vcpu->vm->pol->direct_msi)
        gicv4_vpe_load(s, pe);
    hook_load(s, pe);
    enter_check(s, pe, 0);
}

void hyp_switch_in(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->rq[0];
    pe->n_rq--;
    for (uint32_t i = 0; i < pe->n_rq; i++)
        pe->rq[i] = pe->rq[i + 1];
    pe->vcpu = v;
    v->state = VS_RUNNING;
    v->pe = pe;
    s->st.vcpu_switches++;
    pe->hyp.cursor = 0;
    pe_next(s, pe, s->c[GICSIM_COST_SCHED_SWITCH] + s->c[GICSIM_COST_VCPU_LOAD], do_load, 0);
}

static void vtimer_put(gicsim_system *s, sys_pe *pe, sys_vcpu *v);

static void do_put(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    vtimer_put(s, pe, v);
    finish_exit(s, pe);
    pe->vcpu = NULL;
    if (v->state == VS_BLOCKED && v->pending_last) {
        /* A direct interrupt is still pending: the vCPU does not sleep. */
        v->pending_last = false;
        hyp_make_runnable(s, v, pe);
        return;
    }
    if (v->state == VS_RUNNABLE)
        rq_push(s, pe, v);
}

static void block(gicsim_system *s, sys_pe *pe)
{
    pe->vcpu->state = VS_BLOCKED;
    hook_put(s, pe, true);
    if (pe->vcpu->vm->pol->direct_msi) /* non-resident, its doorbell armed */
        pe_next(s, pe, gicv4_vpe_put(s, pe), NULL, 0);
    pe_next(s, pe, s->c[GICSIM_COST_VCPU_PUT], do_put, 0);
}

static void poll_expired(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    v->polling = false;
    if (!vcpu_has_work(v))
        block(s, pe);
}

/* Trapped WFI (kvm_vcpu_block): return at once if an interrupt is pending,
 * else halt-poll if configured, else block until woken. */
static void hyp_wfi(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    hook_wfi(s, pe);
    if (vcpu_has_work(v))
        return;
    if (v->vm->cfg.halt_poll) {
        v->polling = true;
        pe_next_poll(s, pe, v->vm->cfg.halt_poll, poll_expired, 0);
        return;
    }
    block(s, pe);
}

static void exit_handled(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    if (!v || v->state == VS_BLOCKED)
        return;
    if (pe->need_resched && pe->n_rq) {
        pe->need_resched = false;
        v->state = VS_RUNNABLE; /* round robin: to the back of the queue */
        hook_put(s, pe, false);
        if (v->vm->pol->direct_msi)
            pe_next(s, pe, gicv4_vpe_put(s, pe), NULL, 0);
        pe_next(s, pe, s->c[GICSIM_COST_VCPU_PUT], do_put, 0);
        return;
    }
    pe->need_resched = false;
    enter_check(s, pe, 0);
}

/* ---- Host interrupt handling ---------------------------------------------------------- */

static void hyp_timer_irq(gicsim_system *s, sys_pe *pe, gicsim_hyp *h);

static void host_irq_ack(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    uint64_t val = GICSIM_INTID_SPURIOUS;
    gicsim_icc_read(s->gic, pe->id, GICSIM_ICC_IAR1, &val);
    uint32_t intid = (uint32_t)val;
    if (intid >= 1020 && intid < GICSIM_LPI_BASE)
        return;
    gicsim_hyp h = {s, pe, 0};
    sys_vcpu *v = pe->vcpu;
    if (intid >= GICSIM_LPI_BASE) {
        gicv4_host_lpi(s, pe, intid, &h);
    } else if (intid == VTIMER_PPI && v && v->timer_src != SYS_NONE) {
        s->inject_rec = v->timer_rec;
        attribute(pe, v->timer_rec);
        v->vm->pol->phys_irq(&h, intid, v->vm->id, v->idx);
    } else if (intid >= GICSIM_SPI_BASE && intid < 1024 && s->spi_vm[intid] != SYS_NONE) {
        sys_vm *vm = s->vms[s->spi_vm[intid]];
        s->inject_rec = s->spi_rec[intid];
        attribute(pe, s->spi_rec[intid]);
        vm->pol->phys_irq(&h, intid, vm->id, s->spi_vcpu[intid]);
    } else if (intid == s->cfg.host_tick_ppi) {
        gicsim_gic_set_line(s->gic, pe->id, intid, false);
        h.charged += s->c[GICSIM_COST_ICC_SYSREG] + host_eoi(s, pe, intid);
        pe->need_resched = true;
    } else if (intid == HYP_TIMER_PPI) {
        hyp_timer_irq(s, pe, &h);
    } else {
        /* Kick and reschedule IPIs, the maintenance interrupt: their work
         * is the exit itself and the flush that follows. */
        if (intid == s->cfg.kick_sgi) {
            attribute(pe, pe->kick_rec);
            pe->kick_rec = SYS_NONE;
        }
        h.charged += host_eoi(s, pe, intid);
    }
    s->inject_rec = SYS_NONE;
    if (h.charged)
        pe_next(s, pe, h.charged, NULL, 0);
}

void hyp_host_irq(gicsim_system *s, sys_pe *pe)
{
    pe_next(s, pe, s->c[GICSIM_COST_HOST_IRQ_ENTRY] + s->c[GICSIM_COST_ICC_IAR_READ], host_irq_ack,
            0);
}

/* ---- Exits ------------------------------------------------------------------------------ */

static void sgi_trap_done(gicsim_system *s, sys_pe *pe, uint64_t data)
{
    uint32_t rec = (uint32_t)(data >> 32), src = (uint32_t)(data >> 16) & 0xFFFFu;
    uint32_t target = (uint32_t)data & 0xFFFFu;
    const sys_source *so = source_of(s, src);
    sys_vm *vm = pe->vcpu->vm;
    attribute(pe, rec);
    if (!so || target >= vm->cfg.num_vcpus)
        return;
    gicsim_virq q = {.vintid = so->cfg.intid};
    gicsim_hyp h = {s, pe, 0};
    if (vm->pol->direct_sgi) {
        gicv4_forward_vsgi(s, pe, &vm->vcpus[target], so->cfg.intid, rec, &h);
    } else {
        s->inject_rec = rec;
        gicsim_hyp_inject(&h, vm->id, target, &q);
        s->inject_rec = SYS_NONE;
    }
    pe_next(s, pe, h.charged, NULL, 0);
}

/* The host's emulated ITS ran the INT command the guest queued (KVM:
 * vgic_its_process_commands -> vgic_its_trigger_msi): the guest LPI of the
 * MSI source becomes pending on its vCPU, which is kicked. */
static void its_cmd_done(gicsim_system *s, sys_pe *pe, uint64_t data)
{
    uint32_t src = (uint32_t)(data >> 8) & 0xFFFFFFu, rec = (uint32_t)(data >> 32) & 0xFFFFFFu;
    const sys_source *so = source_of(s, src);
    if (!so || so->cfg.kind != GICSIM_SRC_MSI)
        return;
    attribute(pe, rec);
    gicsim_hyp h = {s, pe, 0};
    gicsim_virq q = {.vintid = so->cfg.intid};
    s->inject_rec = rec;
    gicsim_hyp_inject(&h, so->cfg.vm, so->cfg.vcpu, &q);
    s->inject_rec = SYS_NONE;
    pe_next(s, pe, h.charged, NULL, 0);
}

static void exit_saved(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    fold_result fr = {0};
    fold(s, pe, v, &fr);
    pe_next(s, pe, fr.cost, NULL, 0);
    if (fr.n_eoi_maint) {
        gicsim_irq_record *first = NULL;
        for (uint32_t i = 0; i < fr.n_eoi_maint; i++) {
            vgic_irq *q = vcpu_irq(s, v, fr.eoi_maint[i]);
            uint32_t rec = q ? q->rec_maint : SYS_NONE;
            gicsim_irq_record *r = record_get(s, rec);
            if (q)
                q->rec_maint = SYS_NONE;
            if (r && pe->exit_reason == GICSIM_EXIT_MAINTENANCE) {
                r->maintenance++;
                if (!first) {
                    first = r;
                    attribute(pe, rec);
                }
            }
            if (v->vm->pol->eoi_maintenance) {
                gicsim_hyp h = {s, pe, 0};
                v->vm->pol->eoi_maintenance(&h, fr.eoi_maint[i], v->vm->id, v->idx);
                pe_next(s, pe, h.charged, NULL, 0);
            }
        }
    }
    hook_exit(s, pe, pe->exit_reason);
    switch (pe->exit_reason) {
    case GICSIM_EXIT_IRQ:
    case GICSIM_EXIT_MAINTENANCE:
        hyp_host_irq(s, pe);
        break;
    case GICSIM_EXIT_WFI:
        pe_next(s, pe, 0, hyp_wfi, 0);
        break;
    case GICSIM_EXIT_SGI_TRAP:
        pe_next(s, pe, s->c[GICSIM_COST_SGI_EMULATE], sgi_trap_done, pe->exit_data);
        break;
    case GICSIM_EXIT_MMIO: {
        uint32_t kind = (uint32_t)(pe->exit_data & 3u);
        gicsim_time_t cost =
            s->c[GICSIM_COST_MMIO_DECODE] +
            (kind == MMIO_USER ? s->c[GICSIM_COST_MMIO_USER] : s->c[GICSIM_COST_MMIO_KERNEL]);
        if (kind == MMIO_ITS_CWRITER)
            pe_next(s, pe, cost + s->c[GICSIM_COST_ITS_EMULATE], its_cmd_done, pe->exit_data);
        else
            pe_next(s, pe, cost, NULL, 0);
        break;
    }
    case GICSIM_EXIT_HVC:
        pe_next(s, pe, s->c[GICSIM_COST_HVC_HANDLE], NULL, 0);
        break;
    default:
        break;
    }
    pe_next(s, pe, 0, exit_handled, 0);
}

void hyp_begin_exit(gicsim_system *s, sys_pe *pe, gicsim_exit_reason r, uint64_t data)
{
    sys_vcpu *v = pe->vcpu;
    pe_preempt_guest(s, pe);
    v->in_guest = false;
    s->st.exits[r]++;
    s->st.exits_total++;
    pe->in_exit = true;
    pe->exit_reason = r;
    pe->exit_start = gicsim_engine_now(s->e);
    pe->exit_rec = SYS_NONE;
    pe->exit_data = data;
    pe->hyp.cursor = 0;
    if (s->n_obs) {
        gicsim_sys_event ev = {.time = pe->exit_start,
                               .kind = GICSIM_SEV_EXIT,
                               .pe = pe->id,
                               .vm = v->vm->id,
                               .vcpu = v->idx,
                               .reason = r,
                               .source = UINT32_MAX};
        sys_emit(s, &ev);
    }
    pe_next(s, pe, s->c[GICSIM_COST_EXCEPTION_ENTRY] + s->c[GICSIM_COST_GUEST_CTX_SAVE] + ws(s),
            exit_saved, 0);
}

/* ---- Injection ----------------------------------------------------------------------------- */

void hyp_inject(gicsim_system *s, sys_pe *from, sys_vcpu *v, const gicsim_virq *in, uint32_t rec)
{
    vgic_irq *q = vcpu_irq(s, v, in->vintid);
    if (!q)
        return;
    q->vintid = in->vintid;
    q->level = in->level;
    q->hw = in->hw;
    q->pintid = in->pintid;
    q->eoi_maint = in->eoi_maint;
    if (in->level)
        q->line = in->line;
    else
        q->latch = true;
    /* An instance is pending (in the software list or in a list register)
     * until the guest acknowledges it: a second one merges into it. */
    if (rec != SYS_NONE && rec != q->rec_pending && rec != q->rec_active) {
        if (q->rec_pending != SYS_NONE) {
            gicsim_irq_record *r = record_get(s, rec);
            if (r && !r->merged) {
                r->merged = true;
                s->st.merged++;
            }
        } else {
            q->rec_pending = rec;
        }
    }
    if (!virq_pending(q) && !q->active)
        return;
    ap_add(s, v, q);
    if (v->state == VS_BLOCKED) {
        s->st.wakeups++;
        hyp_make_runnable(s, v, from);
        return;
    }
    if (v->state != VS_RUNNING)
        return;
    /* A halt-polling vCPU stops polling as soon as it has work
     * (kvm_vcpu_check_block), whichever PE injected it. On its own PE this
     * runs inside the host's interrupt handling, which continues with the
     * return to the guest once it completes. */
    if (v->polling) {
        v->polling = false;
        if (v->pe != from) {
            pe_poll_wakeup(s, v->pe);
        } else {
            pe_end_poll(s, v->pe);
            pe_next(s, v->pe, s->c[GICSIM_COST_HALT_POLL_CHECK], NULL, 0);
        }
        return;
    }
    if (v->pe == from)
        return;
    if (v->in_guest || v->pe->busy) {
        /* The exit the kick causes is charged to the instance it delivers. */
        v->pe->kick_rec = rec;
        send_kick(s, from ? from : v->pe, v->pe->id, GICSIM_COST_VCPU_KICK);
    }
}

/* ---- Virtual timer -------------------------------------------------------------------------- */

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
    gicsim_gic_set_line(s->gic, pe->id, VTIMER_PPI, true);
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
    gicsim_gic_set_line(s->gic, v->pe->id, HYP_TIMER_PPI, true);
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
    bool split = s->pe_eoimode[pe->id] == 1;
    gicsim_icc_write(s->gic, pe->id, split ? GICSIM_ICC_DIR : GICSIM_ICC_EOIR1, HYP_TIMER_PPI);
    pe_next(s, pe, s->c[GICSIM_COST_ICC_EOIR_WRITE], NULL, 0);
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
static void hyp_timer_irq(gicsim_system *s, sys_pe *pe, gicsim_hyp *h)
{
    gicsim_time_t now = gicsim_engine_now(s->e);
    gicsim_gic_set_line(s->gic, pe->id, HYP_TIMER_PPI, false);
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
        attribute(pe, rec);
    }
    bool split = s->pe_eoimode[pe->id] == 1;
    if (split)
        gicsim_icc_write(s->gic, pe->id, GICSIM_ICC_EOIR1, HYP_TIMER_PPI);
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
    pe_next(s, pe,
            (split ? s->c[GICSIM_COST_ICC_EOIR_WRITE] : 0) + s->c[GICSIM_COST_HRTIMER_FIRE] +
                h->charged,
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
 * an MSI source, an instance raised while the previous one is still pending
 * merges into it (one pending state). */
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
    gicsim_irq_record *r = record_get(s, rec);
    if (so->virq->rec_pending != SYS_NONE) {
        if (r) {
            r->merged = true;
            s->st.merged++;
        }
    } else {
        so->virq->rec_pending = rec;
    }
    v->timer_rec = rec;
    gicv4_timer_fire(s, v, rec);
}

void hyp_vtimer_arm(gicsim_system *s, sys_vcpu *v)
{
    sys_pe *pe = v->pe;
    gicsim_time_t now = gicsim_engine_now(s->e);
    gicsim_time_t when = v->cval > now ? v->cval : now;
    if (v->vm->pol->direct_timer) {
        gicsim_engine_cancel(s->e, v->dtimer_ev);
        gicsim_engine_schedule_at(s->e, when, vtimer_direct_fire, s, (uint64_t)(uintptr_t)v,
                                  &v->dtimer_ev);
        return;
    }
    if (v->state == VS_RUNNING && pe->vcpu == v) {
        gicsim_engine_cancel(s->e, pe->vtimer_ev);
        gicsim_gic_set_line(s->gic, pe->id, VTIMER_PPI, false);
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
    bool queued = q->queued && (virq_pending(q) || q->active);
    if (queued && q->hw)
        gicsim_gicr_write(s->gic, pe->id, GICSIM_GICR_ISACTIVER0, 4, 1u << VTIMER_PPI);
    if (!v->timer_armed)
        return;
    if (v->cval <= gicsim_engine_now(s->e) && v->timer_rec != SYS_NONE) {
        /* Queued with HW=0, the expiry is not signalled again either: KVM
         * keeps the physical PPI masked while the virtual level is high
         * (kvm_timer_vcpu_load_nogic) until the guest's handler moves the
         * deadline, which lowers the output (hyp_vtimer_arm). */
        if (!queued || q->hw)
            gicsim_gic_set_line(s->gic, pe->id, VTIMER_PPI, true);
        return;
    }
    hyp_vtimer_arm(s, v);
}

static void vtimer_put(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    if (v->timer_src == SYS_NONE || v->vm->pol->direct_timer)
        return;
    gicsim_engine_cancel(s->e, pe->vtimer_ev);
    pe->vtimer_ev = 0;
    gicsim_gic_set_line(s->gic, pe->id, VTIMER_PPI, false);
    gicsim_irq_state st = GICSIM_IRQ_INACTIVE;
    gicsim_gic_irq_state(s->gic, pe->id, VTIMER_PPI, &st);
    if (st & GICSIM_IRQ_ACTIVE) /* the physical active state travels with the vCPU */
        gicsim_gicr_write(s->gic, pe->id, GICSIM_GICR_ICACTIVER0, 4, 1u << VTIMER_PPI);
    if (v->timer_armed && v->cval > gicsim_engine_now(s->e))
        hyp_vtimer_arm(s, v);
}

/* ---- The calls policies use ----------------------------------------------------------------- */

uint32_t gicsim_hyp_pe(const gicsim_hyp *h)
{
    return h ? h->pe->id : SYS_NONE;
}

gicsim_system *gicsim_hyp_system(const gicsim_hyp *h)
{
    return h ? h->s : NULL;
}

void gicsim_hyp_charge(gicsim_hyp *h, gicsim_cost_id cost)
{
    if (h && (unsigned)cost < GICSIM_COST__COUNT)
        h->charged += h->s->c[cost];
}

void gicsim_hyp_charge_ps(gicsim_hyp *h, gicsim_time_t ps)
{
    if (h)
        h->charged += ps;
}

static gicsim_cost_id icc_cost(gicsim_icc_reg reg)
{
    switch (reg) {
    case GICSIM_ICC_IAR0:
    case GICSIM_ICC_IAR1:
        return GICSIM_COST_ICC_IAR_READ;
    case GICSIM_ICC_EOIR0:
    case GICSIM_ICC_EOIR1:
    case GICSIM_ICC_DIR:
        return GICSIM_COST_ICC_EOIR_WRITE;
    default:
        return GICSIM_COST_ICC_SYSREG;
    }
}

uint64_t gicsim_hyp_icc_read(gicsim_hyp *h, gicsim_icc_reg reg)
{
    uint64_t v = 0;
    if (!h)
        return 0;
    gicsim_icc_read(h->s->gic, h->pe->id, reg, &v);
    gicsim_hyp_charge(h, icc_cost(reg));
    return v;
}

void gicsim_hyp_icc_write(gicsim_hyp *h, gicsim_icc_reg reg, uint64_t val)
{
    if (!h)
        return;
    gicsim_icc_write(h->s->gic, h->pe->id, reg, val);
    gicsim_hyp_charge(h, icc_cost(reg));
}

void gicsim_hyp_set_enabled(gicsim_hyp *h, uint32_t intid, bool enabled)
{
    if (!h)
        return;
    uint32_t bit = 1u << (intid % 32);
    if (intid < GICSIM_SPI_BASE)
        gicsim_gicr_write(h->s->gic, h->pe->id,
                          enabled ? GICSIM_GICR_ISENABLER0 : GICSIM_GICR_ICENABLER0, 4, bit);
    else
        gicsim_gicd_write(
            h->s->gic, (enabled ? GICSIM_GICD_ISENABLER : GICSIM_GICD_ICENABLER) + 4 * (intid / 32),
            4, bit);
    gicsim_hyp_charge(h, GICSIM_COST_GIC_MMIO);
}

bool gicsim_hyp_irq_is_level(gicsim_hyp *h, uint32_t intid)
{
    if (!h)
        return false;
    uint64_t cfg = 0;
    if (intid < GICSIM_SPI_BASE)
        gicsim_gicr_read(h->s->gic, h->pe->id, GICSIM_GICR_ICFGR0 + 4 * (intid / 16), 4, &cfg);
    else
        gicsim_gicd_read(h->s->gic, GICSIM_GICD_ICFGR + 4 * (intid / 16), 4, &cfg);
    return !((cfg >> (2 * (intid % 16) + 1)) & 1u);
}

void gicsim_hyp_inject(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, const gicsim_virq *v)
{
    if (!h || !v || vm >= h->s->n_vms || vcpu >= h->s->vms[vm]->cfg.num_vcpus)
        return;
    sys_vcpu *t = &h->s->vms[vm]->vcpus[vcpu];
    uint64_t kicks = h->s->st.kicks, wakeups = h->s->st.wakeups;
    h->s->kick_base = h->charged + h->s->c[GICSIM_COST_VIRQ_INJECT];
    hyp_inject(h->s, h->pe, t, v, h->s->inject_rec);
    h->s->kick_base = GICSIM_TIME_NEVER;
    gicsim_hyp_charge(h, GICSIM_COST_VIRQ_INJECT);
    if (h->s->st.kicks != kicks)
        gicsim_hyp_charge(h, GICSIM_COST_VCPU_KICK);
    if (h->s->st.wakeups != wakeups)
        gicsim_hyp_charge(h, GICSIM_COST_SCHED_WAKEUP);
}

bool gicsim_hyp_resample(gicsim_hyp *h, uint32_t intid)
{
    if (!h)
        return false;
    gicsim_hyp_charge(h, GICSIM_COST_GIC_MMIO);
    gicsim_system *s = h->s;
    if (intid == VTIMER_PPI) { /* the timer condition: CVAL reached */
        sys_vcpu *v = h->pe->vcpu;
        return v && v->timer_armed && v->cval <= gicsim_engine_now(s->e);
    }
    return intid < 1024 && s->spi_line[intid];
}

void gicsim_hyp_set_virq_line(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, uint32_t vintid, bool line)
{
    if (!h || vm >= h->s->n_vms || vcpu >= h->s->vms[vm]->cfg.num_vcpus)
        return;
    gicsim_system *s = h->s;
    sys_vcpu *v = &s->vms[vm]->vcpus[vcpu];
    vgic_irq *q = vcpu_irq(s, v, vintid);
    if (!q)
        return;
    q->line = line;
    if (!line || !q->level)
        return;
    /* Pending again: back on the software pending list (the fold that found
     * the EOI dropped it, as neither pending nor active), for the flush. */
    ap_add(s, v, q);
    /* A line found high after the guest acknowledged the instance it was
     * raised for belongs to the device's next instance (raised while the
     * source was masked, so never injected): the virtual interrupt that is
     * pending again delivers that instance. */
    if (q->rec_pending != SYS_NONE)
        return;
    uint32_t rec = SYS_NONE;
    if (vintid == VTIMER_PPI)
        rec = v->timer_rec;
    else if (vintid >= GICSIM_SPI_BASE && vintid < 1024 && s->spi_vm[vintid] == vm)
        rec = s->spi_rec[vintid];
    gicsim_irq_record *r = record_get(s, rec);
    if (r && rec != q->rec_active && !r->merged && r->t_ack == GICSIM_TIME_NEVER)
        q->rec_pending = rec;
}
