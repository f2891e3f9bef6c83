/* gicsim: the vCPUs' software pending lists and their list registers
 * (KVM's vgic/vgic.c: the ap_list, vgic_flush_lr_state and
 * vgic_fold_lr_state; the ICH_* save and restore of hyp/vgic-v3-sr.c).
 * hyp.c flushes at every VM entry and folds at every VM exit.
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
 */
#include "sys_internal.h"

#include "sys_invariants.h"

#include <stdlib.h>

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

bool vgic_ap_add(gicsim_system *s, sys_vcpu *v, vgic_irq *q)
{
    if (q->queued)
        return true;
    if (v->n_ap == v->cap_ap) {
        uint32_t cap = v->cap_ap ? v->cap_ap * 2 : 16;
        vgic_irq **nv = realloc(v->ap, cap * sizeof *nv);
        if (!nv) {
            sys_oom(s);
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

bool vgic_vcpu_has_work(const sys_vcpu *v)
{
    if (v->v5)
        return gicv5_vcpu_has_work(v);
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

gicsim_time_t vgic_load_cost(const gicsim_system *s)
{
    if (s->v5)
        return 0; /* gicv5_residency, charged by the vPE's load and put */
    return (1 + 2 * apr_count(s)) * sys_cost(s, GICSIM_COST_ICH_ACCESS);
}

gicsim_time_t vgic_put_cost(const gicsim_system *s)
{
    return vgic_load_cost(s);
}

/* What sorting n entries costs (vgic_sort_ap_list: list_sort, a merge sort,
 * about n log2 n comparisons). */
static gicsim_time_t sort_cost(const gicsim_system *s, uint32_t n)
{
    uint32_t lg = 0;
    while ((1u << lg) < n)
        lg++;
    return (gicsim_time_t)n * lg * sys_cost(s, GICSIM_COST_AP_LIST_SORT);
}

/* Write the list registers from the software pending list (vgic flush).
 * The ICH_VMCR and ICH_AP1R<n> writes restore what the fold read back; KVM
 * switches them at load and put only (vgic_load_cost), so they cost nothing
 * here. What KVM's flush does costs: nothing with an empty list and no
 * direct interrupts (kvm_vgic_flush_hwstate returns at once); else
 * compute_ap_list_depth's walk (ap_list_entry each), the sort when the list
 * exceeds the list registers, vgic_v3_populate_lr per list register filled
 * (lr_write), and __vgic_v3_restore_state's register writes: ICH_HCR and
 * each used list register (ich_access). */
gicsim_time_t vgic_flush(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    if (s->v5)
        return gicv5_flush(s, pe, v);
    uint32_t nlr = s->cfg.gic.num_lrs, p = pe->id;
    prune(v);
    bool direct = v->vm->pol->direct_msi;
    gicsim_time_t cost = 0;
    if (v->n_ap || direct) {
        cost = (gicsim_time_t)v->n_ap * sys_cost(s, GICSIM_COST_AP_LIST_ENTRY) +
               sys_cost(s, GICSIM_COST_ICH_ACCESS);
        if (v->n_ap > nlr)
            cost += sort_cost(s, v->n_ap);
    }
    if (v->n_ap > 1) /* qsort's array must not be NULL, which an empty list may be */
        qsort(v->ap, v->n_ap, sizeof *v->ap, ap_cmp);
    uint32_t n = v->n_ap < nlr ? v->n_ap : nlr;
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
        cost += sys_cost(s, GICSIM_COST_LR_WRITE) + sys_cost(s, GICSIM_COST_ICH_ACCESS);
    }
    for (uint32_t i = n; i < v->used_lrs; i++) {
        gicsim_ich_write(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_LR0 + i), 0);
        v->lr_irq[i] = NULL;
        cost += sys_cost(s, GICSIM_COST_ICH_ACCESS);
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
    return cost;
}

/* Read the list registers back into the software state (vgic fold/sync),
 * handle EOIcount for spilled active interrupts, and disable the virtual
 * interface (ICH_HCR.En=0, which also drops the maintenance interrupt).
 * KVM's kvm_vgic_sync_hwstate costs nothing with an empty list; else
 * __vgic_v3_save_state reads and clears each used list register and writes
 * ICH_HCR when any is used or the VM has direct interrupts (ich_access
 * each), vgic_v3_fold_lr_state folds each (lr_fold) and vgic_prune_ap_list
 * walks the list (ap_list_entry each). */
void vgic_fold(gicsim_system *s, sys_pe *pe, sys_vcpu *v, vgic_fold_result *out)
{
    if (s->v5) {
        gicv5_fold(s, pe, v, out);
        return;
    }
    uint32_t p = pe->id;
    gicsim_time_t cost = 0;
    if (v->n_ap) {
        cost = (gicsim_time_t)v->n_ap * sys_cost(s, GICSIM_COST_AP_LIST_ENTRY) +
               (gicsim_time_t)v->used_lrs *
                   (2 * sys_cost(s, GICSIM_COST_ICH_ACCESS) + sys_cost(s, GICSIM_COST_LR_FOLD));
        if (v->used_lrs || v->vm->pol->direct_msi)
            cost += sys_cost(s, GICSIM_COST_ICH_ACCESS);
    }
    uint64_t hcr = 0;
    gicsim_ich_read(s->gic, p, GICSIM_ICH_HCR, &hcr);
    for (uint32_t n = 0; n < apr_count(s); n++) {
        uint64_t ap = 0;
        gicsim_ich_read(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_AP1R0 + n), &ap);
        v->ap1r[n] = (uint32_t)ap;
    }
    out->n_eoi_maint = 0;
    vgic_irq *held[GICSIM_MAX_LRS]; /* what the list registers held, NULL for none */
    for (uint32_t i = 0; i < v->used_lrs; i++) {
        vgic_irq *q = held[i] = v->lr_irq[i];
        uint64_t lr = 0;
        gicsim_ich_read(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_LR0 + i), &lr);
        /* Clear it, as KVM's save does: a stale EOI=1 entry would keep
         * ICH_EISR, and so the maintenance interrupt, asserted. */
        gicsim_ich_write(s->gic, p, (gicsim_ich_reg)(GICSIM_ICH_LR0 + i), 0);
        v->lr_irq[i] = NULL;
        if (!q)
            continue;
        uint64_t state = lr >> GICSIM_LR_STATE_SHIFT;
        q->active = (state & GICSIM_LR_STATE_ACTIVE) != 0;
        if (state & GICSIM_LR_STATE_PENDING) {
            if (!q->level)
                q->latch = true; /* not yet acknowledged: still pending */
            /* An instance latched behind it joins its pending state. */
            record_merge(s, q->rec_latched);
            q->rec_latched = SYS_NONE;
        } else if (q->level) {
            /* Acknowledged: the level is consumed until the host samples the
             * line again (at the EOI maintenance for HW=0; for HW=1 the
             * physical GIC re-signals a line that is still high). */
            q->line = false;
        }
        if (state == GICSIM_LR_STATE_INVALID && !q->hw && q->eoi_maint &&
            out->n_eoi_maint < GICSIM_MAX_LRS)
            out->eoi_maint[out->n_eoi_maint++] = q->vintid;
    }
    /* EOIcount: the guest ended that many interrupts that were in no list
     * register; deactivate the highest-priority spilled active ones (KVM's
     * vgic_v3_fold_lr_state walks the ap_list past the list registers). An
     * active interrupt that was in a list register is not one of them: its
     * q->lr still names the register until the count is done. */
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
            r->t_deact = engine_now(s->e);
        best->rec_active = SYS_NONE;
        if (best->hw) {
            gicsim_icc_write(s->gic, p, GICSIM_ICC_DIR, best->pintid);
            out->cost += sys_cost(s, GICSIM_COST_ICC_EOIR_WRITE);
        }
    }
    for (uint32_t i = 0; i < v->used_lrs; i++)
        if (held[i])
            held[i]->lr = -1;
    gicsim_ich_write(s->gic, p, GICSIM_ICH_HCR, 0);
    v->used_lrs = 0;
    prune(v);
    GICSIM_INV(inv_sys_fold(s, pe, v));
    out->cost += cost;
}
