/* gicsim: the GICv3 virtual CPU interfaces (ICH_*_EL2 and ICV_*_EL1), one
 * per PE.
 *
 * Architecture rules implemented here (GICv3, IHI 0069, "Virtual interrupt
 * handling and prioritization" and the ICH_* / ICV_* register descriptions):
 *  - The hypervisor describes virtual interrupts in the list registers
 *    ICH_LR<n>_EL2: vINTID, priority, group, HW/pINTID or EOI, and a state
 *    (invalid, pending, active, pending and active).
 *  - The highest-priority pending list register whose group is enabled
 *    (ICH_VMCR.VENG0/VENG1) is the candidate; equal priorities go to the
 *    lowest list register index. It is signalled (vIRQ for Group 1, vFIQ for
 *    Group 0, VFIQEn being RAO) while ICH_HCR.En=1, its priority is higher
 *    than ICH_VMCR.VPMR and its group priority is higher than the virtual
 *    running priority. The group priority uses VBPR0+1 for Group 0, and for
 *    Group 1 VBPR1, or VBPR0+1 when VCBPR=1.
 *  - ICV_IAR acknowledges the candidate if it can be signalled and is of the
 *    register's group: pending -> active (a vLPI, which has no active state,
 *    becomes invalid) and the bit of its group priority is set in
 *    ICH_AP0R/AP1R. The virtual running priority is the highest priority with
 *    an active-priority bit set, 0xFF when none.
 *  - ICV_EOIR drops the running priority (clears the highest-priority set bit
 *    of its group); with VEOIM=0 it also deactivates the vINTID. With VEOIM=1
 *    ICV_DIR deactivates (and traps to EL2 when ICH_HCR.TDIR=1). Deactivating
 *    a vINTID clears the active state of its list register; with HW=1 the
 *    physical pINTID is deactivated too. A deactivation that finds no list
 *    register increments ICH_HCR.EOIcount, except for LPIs.
 *  - The maintenance interrupt (PPI 25 of the PE, level-sensitive) is
 *    asserted while ICH_HCR.En=1 and ICH_MISR is nonzero.
 *  - GICv4 direct injection: the vLPIs (and, GICv4.1, vSGIs) of the vPE
 *    resident on the PE's redistributor are candidates alongside the list
 *    registers (vlpi.c, vlpi_best), under the same rules: group enable
 *    (vLPIs are Group 1), VPMR, running priority. A directly injected
 *    interrupt has no active state: ICV_IAR clears its pending state and sets
 *    the active-priority bit, ICV_EOIR only drops the priority. It never
 *    counts in EOIcount as a vLPI; a direct vSGI does unless
 *    ICH_HCR_EL2.vSGIEOICount (GICv4.1) is 1.
 *
 * The priority rules and the ICV register switch are shared with the
 * physical interface (cpuif_priority.c).
 *
 * The model keeps the architectural registers as its state; MISR, EISR and
 * ELRSR are computed from it. Every change re-evaluates the outputs of the
 * one PE it concerns. The part of that evaluation which depends only on the
 * list registers, ICH_VMCR.VENG0/VENG1 and the resident vPE (the candidate,
 * and the summary behind MISR, EISR and ELRSR) comes from one pass over the
 * list registers and is cached until one of those inputs changes.
 */
#include "gic_internal.h"
#include "gicv5_internal.h"
#include "gic_invariants.h"

#include <stdlib.h>

#define SPECIAL_INTID_FIRST 1020u
#define SPECIAL_INTID_LAST 1023u
#define VINTID_BITS_MASK 0xFFFFu /* ICH_VTR.IDbits = 0: 16-bit vINTIDs */

/* ICH_LR<n>_EL2 bits the model implements: vINTID[15:0], pINTID[44:32]
 * (which holds EOI at bit 41 when HW=0), Priority[55:48], Group, HW, State.
 * The rest is RES0. */
#define LR_IMPLEMENTED                                                                             \
    ((uint64_t)VINTID_BITS_MASK | GICSIM_LR_PINTID_MASK | (0xFFull << GICSIM_LR_PRIORITY_SHIFT) |  \
     GICSIM_LR_GROUP | GICSIM_LR_HW | (3ull << GICSIM_LR_STATE_SHIFT))
#define LR_ACTIVE_BIT (GICSIM_LR_STATE_ACTIVE << GICSIM_LR_STATE_SHIFT)
#define LR_STATE_BITS (3ull << GICSIM_LR_STATE_SHIFT)

#define HCR_EOICOUNT_MASK (0x1Fu << GICSIM_ICH_HCR_EOICOUNT_SHIFT)
#define HCR_WRITABLE                                                                               \
    (GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_UIE | GICSIM_ICH_HCR_LRENPIE | GICSIM_ICH_HCR_NPIE |       \
     GICSIM_ICH_HCR_VGRP0EIE | GICSIM_ICH_HCR_VGRP0DIE | GICSIM_ICH_HCR_VGRP1EIE |                 \
     GICSIM_ICH_HCR_VGRP1DIE | GICSIM_ICH_HCR_TDIR | HCR_EOICOUNT_MASK)

#define VMCR_VFIQEN (1u << 3)
#define VMCR_VBPR1_SHIFT 18
#define VMCR_VBPR0_SHIFT 21
#define VTR_NV4 (1u << 20)
#define VTR_PREBITS_SHIFT 26
#define VTR_PRIBITS_SHIFT 29

/* The interrupt the virtual CPU interface would signal. */
typedef struct vcand {
    int lr;      /* list register index, -1 when it is not a list register's */
    bool direct; /* a vLPI/vSGI of the resident vPE (GICv4 direct injection) */
    uint32_t vintid;
    uint8_t prio; /* priority masked to the implemented bits */
    bool group1;
} vcand;

/* One pass over the list registers: everything MISR, EISR and ELRSR need. */
typedef struct lr_summary {
    uint32_t eisr, elrsr;
    unsigned valid;   /* list registers not in the invalid state */
    bool any_pending; /* some list register is in the pending (01) state */
} lr_summary;

struct gic_vcpuif {
    uint64_t lr[GICSIM_MAX_LRS];      /* ICH_LR<n>_EL2, implemented bits only */
    uint32_t hcr;                     /* ICH_HCR_EL2 */
    cpuif_ctl ctl;                    /* ICH_VMCR VENG0, VENG1, VPMR, VBPR0, VBPR1, VCBPR, VEOIM */
    uint32_t ap[2][PRIO_AP_REGS_MAX]; /* ICH_AP0R<n>, ICH_AP1R<n> */
    bool presenting;                  /* an interrupt is signalled (its VSIGNAL was reported) */
    uint32_t presented;               /* its vINTID */
    bool virq, vfiq;                  /* outputs */
    bool told_irq, told_fiq;          /* the levels the vline listeners last saw */
    unsigned told_used;               /* the list registers in use GICSIM_GEV_LR_USED last said */
    bool maint;                       /* maintenance condition: En && MISR != 0 */
    bool maint_driven;                /* the level last driven onto PPI 25 */
    /* The result of evaluate(): valid while neither `stale` nor
     * `direct_stale` is set. It depends only on lr[], VENG0, VENG1 and the
     * resident vPE's vLPI/vSGI candidates (vlpi_best). The writers of lr[]
     * and VENG<n> here set `stale` (everything is recomputed); a change
     * of the direct candidates alone (vlpi.c through vcpuif_invalidate, a
     * direct acknowledge) sets `direct_stale`, and only vlpi_best is asked
     * again: lr_cand and sum stay. */
    bool stale;
    bool direct_stale;
    vcand cand;     /* the candidate */
    vcand lr_cand;  /* the list registers' candidate (lr -1: none) */
    lr_summary sum; /* the list register summary */
};

/* ---- helpers ---------------------------------------------------------------- */

static inline unsigned lr_state(uint64_t lr)
{
    return (unsigned)(lr >> GICSIM_LR_STATE_SHIFT) & 3u;
}

static inline uint32_t lr_vintid(uint64_t lr)
{
    return (uint32_t)(lr & GICSIM_LR_VINTID_MASK);
}

static inline uint8_t lr_prio(const gicsim_gic *g, uint64_t lr)
{
    return (uint8_t)((lr >> GICSIM_LR_PRIORITY_SHIFT) & g->prio_mask);
}

static inline bool is_lpi(uint32_t intid)
{
    return intid >= GICSIM_LPI_BASE;
}

static inline uint32_t eoicount(const gic_vcpuif *v)
{
    return (v->hcr & HCR_EOICOUNT_MASK) >> GICSIM_ICH_HCR_EOICOUNT_SHIFT;
}

static inline bool group_enabled(const gic_vcpuif *v, bool group1)
{
    return v->ctl.igrpen[group1];
}

/* ICH_MISR_EL2: each condition is gated by its enable in ICH_HCR_EL2, except
 * EOI, which is set whenever ICH_EISR is nonzero. */
#define HCR_MAINT_ENABLES                                                                          \
    (GICSIM_ICH_HCR_UIE | GICSIM_ICH_HCR_LRENPIE | GICSIM_ICH_HCR_NPIE | GICSIM_ICH_HCR_VGRP0EIE | \
     GICSIM_ICH_HCR_VGRP0DIE | GICSIM_ICH_HCR_VGRP1EIE | GICSIM_ICH_HCR_VGRP1DIE)

static uint32_t misr_of(const gic_vcpuif *v, const lr_summary *s)
{
    uint32_t h = v->hcr, m = 0;
    if (s->eisr)
        m |= GICSIM_ICH_MISR_EOI;
    if (!(h & HCR_MAINT_ENABLES))
        return m; /* no other condition enabled */
    if ((h & GICSIM_ICH_HCR_UIE) && s->valid <= 1)
        m |= GICSIM_ICH_MISR_U;
    if ((h & GICSIM_ICH_HCR_LRENPIE) && eoicount(v))
        m |= GICSIM_ICH_MISR_LRENP;
    if ((h & GICSIM_ICH_HCR_NPIE) && !s->any_pending)
        m |= GICSIM_ICH_MISR_NP;
    if ((h & GICSIM_ICH_HCR_VGRP0EIE) && v->ctl.igrpen[0])
        m |= GICSIM_ICH_MISR_VGRP0E;
    if ((h & GICSIM_ICH_HCR_VGRP0DIE) && !v->ctl.igrpen[0])
        m |= GICSIM_ICH_MISR_VGRP0D;
    if ((h & GICSIM_ICH_HCR_VGRP1EIE) && v->ctl.igrpen[1])
        m |= GICSIM_ICH_MISR_VGRP1E;
    if ((h & GICSIM_ICH_HCR_VGRP1DIE) && !v->ctl.igrpen[1])
        m |= GICSIM_ICH_MISR_VGRP1D;
    return m;
}

/* ---- selection and outputs ---------------------------------------------------- */

/* One pass over the list registers (add_direct then adds the direct
 * candidates):
 *  - *sum: everything MISR, EISR and ELRSR need;
 *  - *c: the list registers' highest-priority pending virtual interrupt of
 *    an enabled group (with add_direct, the architecture's
 *    HighestPriorityVirtualInterrupt). Ties go to the lowest list register
 *    index. Masking by VPMR and the running priority is applied afterwards
 *    (can_signal), so ICV_HPPIR sees the unmasked candidate. */
static void scan_lrs(gicsim_gic *g, uint32_t pe, vcand *c, lr_summary *sum)
{
    const gic_vcpuif *v = &g->vcpuif[pe];
    lr_summary s = {0};
    int best_lr = -1;
    unsigned best = 0x100;
    for (unsigned n = 0; n < g->cfg.num_lrs; n++) {
        uint64_t lr = v->lr[n];
        unsigned st = lr_state(lr);
        if (st != GICSIM_LR_STATE_INVALID) {
            s.valid++;
            if (st == GICSIM_LR_STATE_PENDING) {
                s.any_pending = true;
                unsigned p = lr_prio(g, lr);
                if (p < best && group_enabled(v, (lr & GICSIM_LR_GROUP) != 0)) {
                    best = p;
                    best_lr = (int)n;
                }
            }
        } else if (!(lr & GICSIM_LR_HW) && (lr & GICSIM_LR_EOI)) {
            s.eisr |= 1u << n; /* ICH_EISR: invalid, HW=0, EOI=1 */
        } else {
            s.elrsr |= 1u << n; /* ICH_ELRSR: invalid, no EOI maintenance owed */
        }
    }
    *sum = s;
    if (best_lr >= 0) {
        uint64_t lr = v->lr[best_lr];
        *c = (vcand){.lr = best_lr,
                     .vintid = lr_vintid(lr),
                     .prio = (uint8_t)best,
                     .group1 = (lr & GICSIM_LR_GROUP) != 0};
    } else {
        *c = (vcand){.lr = -1, .vintid = GICSIM_INTID_SPURIOUS, .prio = 0xFF, .group1 = false};
    }
}

/* The candidate from the list registers' one, `lr`, and the direct
 * candidates: GICv4 direct injection, the resident vPE's best pending
 * enabled vLPI or vSGI of an enabled group. It wins only with a strictly
 * higher priority, so the list registers win ties. */
static void add_direct(gicsim_gic *g, uint32_t pe, const vcand *lr, vcand *c)
{
    const gic_vcpuif *v = &g->vcpuif[pe];
    unsigned best = lr->lr >= 0 ? lr->prio : 0x100;
    *c = *lr;
    uint32_t vintid;
    uint8_t prio;
    bool group1;
    if (vlpi_best(g, pe, v->ctl.igrpen[0], v->ctl.igrpen[1], &vintid, &prio, &group1) &&
        (unsigned)(prio & g->prio_mask) < best)
        *c = (vcand){.lr = -1,
                     .direct = true,
                     .vintid = vintid,
                     .prio = (uint8_t)(prio & g->prio_mask),
                     .group1 = group1};
}

#if GICSIM_INV_ENABLED
/* The invariant checker: a clean cache equals a fresh scan. */
static void check_cache(gicsim_gic *g, uint32_t pe)
{
    const gic_vcpuif *v = &g->vcpuif[pe];
    gicsim_invariant_report *rep = inv_gic_report(g);
    if (!rep)
        return;
    vcand lr, c;
    lr_summary s;
    scan_lrs(g, pe, &lr, &s);
    add_direct(g, pe, &lr, &c);
    rep->checks++;
    if (c.lr != v->cand.lr || c.direct != v->cand.direct || c.vintid != v->cand.vintid ||
        c.prio != v->cand.prio || c.group1 != v->cand.group1 || s.eisr != v->sum.eisr ||
        s.elrsr != v->sum.elrsr || s.valid != v->sum.valid || s.any_pending != v->sum.any_pending)
        inv_fail(rep, engine_now(g->engine), "vcpu_interface.c:evaluate",
                 "PE %u: stale virtual CPU interface cache (candidate %u, fresh %u)", (unsigned)pe,
                 (unsigned)v->cand.vintid, (unsigned)c.vintid);
}
#endif

/* PE `pe`'s candidate and list register summary (scan), from the cache when
 * no input changed since the last scan. The pointer stays valid until the
 * next call for this PE. */
static const gic_vcpuif *evaluate(gicsim_gic *g, uint32_t pe)
{
    gic_vcpuif *v = &g->vcpuif[pe];
    if (v->stale) {
        scan_lrs(g, pe, &v->lr_cand, &v->sum);
        add_direct(g, pe, &v->lr_cand, &v->cand);
        v->stale = false;
        v->direct_stale = false;
    } else if (v->direct_stale) {
        add_direct(g, pe, &v->lr_cand, &v->cand);
        v->direct_stale = false;
    } else {
        GICSIM_INV(check_cache(g, pe));
    }
    return v;
}

/* A candidate is signalled while ICH_HCR.En=1 if it passes VPMR and
 * preempts the virtual running priority (cpuif_priority.h). */
static bool can_signal(const gicsim_gic *g, const gic_vcpuif *v, const vcand *c)
{
    return (v->hcr & GICSIM_ICH_HCR_EN) && (c->lr >= 0 || c->direct) &&
           prio_can_signal(&v->ctl, v->ap, g->prebits, c->prio, c->group1);
}

/* Re-evaluate PE `pe`'s virtual outputs and maintenance interrupt after any
 * change of its state. The new state is recorded before any callback runs,
 * so an observer or listener that reenters the model sees it; each
 * notification is made only when the recorded level differs from the one
 * last reported. */
static void update(gicsim_gic *g, uint32_t pe)
{
    gic_vcpuif *v = &g->vcpuif[pe];
    evaluate(g, pe);
    vcand c = v->cand;
    bool shown = can_signal(g, v, &c);
    bool new_signal = shown && (!v->presenting || v->presented != c.vintid);
    v->virq = shown && c.group1;
    v->vfiq = shown && !c.group1;
    v->presenting = shown;
    v->presented = shown ? c.vintid : GICSIM_INTID_SPURIOUS;
    uint32_t misr = misr_of(v, &v->sum);
    v->maint = (v->hcr & GICSIM_ICH_HCR_EN) && misr != 0;

    /* First: an observer reentering through a later callback reports a newer count after it. */
    if (v->sum.valid != v->told_used) {
        v->told_used = v->sum.valid;
        gic_emit(g, GICSIM_GEV_LR_USED, pe, v->told_used);
    }
    if (new_signal)
        gic_emit(g, GICSIM_GEV_VSIGNAL, pe, c.vintid);

    if (v->virq != v->told_irq || v->vfiq != v->told_fiq) {
        bool irq = v->virq, fiq = v->vfiq;
        v->told_irq = irq;
        v->told_fiq = fiq;
        for (unsigned i = 0; i < g->n_vlisteners; i++)
            g->vlisteners[i].fn(g->vlisteners[i].ctx, pe, irq, fiq);
    }

    if (v->maint != v->maint_driven) {
        bool level = v->maint;
        v->maint_driven = level;
        if (level) {
            g->stats.maintenance_irqs++;
            gic_emit(g, GICSIM_GEV_MAINTENANCE, pe, misr);
        }
        /* An observer of the event may have changed the state again: drive
         * the level decided last. */
        gic_irq *q = gic_irq_lookup(g, pe, GICSIM_PPI_MAINTENANCE);
        if (q)
            irq_set_line(g, q, v->maint_driven);
    }
}

/* ---- guest operations ------------------------------------------------------------ */

static uint32_t acknowledge(gicsim_gic *g, uint32_t pe, bool group1)
{
    gic_vcpuif *v = &g->vcpuif[pe];
    vcand c = evaluate(g, pe)->cand;
    if (!can_signal(g, v, &c) || c.group1 != group1) {
        g->stats.v_spurious_acks++;
        return GICSIM_INTID_SPURIOUS;
    }
    unsigned idx = prio_active_index(&v->ctl, g->prebits, c.prio, group1);
    prio_activate(v->ap, group1, idx);
    GICSIM_INV(inv_icv_ack(g, pe, group1, idx));
    if (c.direct) {
        /* The candidate leaves the pending state: the list registers
         * do not change. */
        v->direct_stale = true;
        /* A directly injected vLPI/vSGI: its pending state clears in the
         * redistributor (and the VPT); there is no active state. */
        vlpi_acknowledge(g, pe, c.vintid);
    } else {
        v->stale = true; /* the candidate leaves the pending state */
        uint64_t *lr = &v->lr[c.lr];
        *lr &= ~LR_STATE_BITS;
        /* LPIs have no active state: acknowledging a vLPI leaves the list
         * register invalid. */
        if (!is_lpi(c.vintid))
            *lr |= LR_ACTIVE_BIT;
    }
    g->stats.v_acks++;
    gic_emit(g, GICSIM_GEV_VACK, pe, c.vintid);
    update(g, pe);
    return c.vintid;
}

/* Deactivate `vintid`: the list register holding it in the active or
 * pending+active state (the highest-priority one, then the lowest index, if
 * several do) leaves the active state, and with HW=1 its pINTID is
 * deactivated on the physical side of this PE. With no such list register
 * ICH_HCR.EOIcount counts the deactivation, unless it is an LPI or, with
 * ICH_HCR.vSGIEOICount=1 (GICv4.1), an SGI. Returns false when it changed
 * nothing. Does not re-evaluate the outputs. */
static bool deactivate_vintid(gicsim_gic *g, uint32_t pe, uint32_t vintid)
{
    gic_vcpuif *v = &g->vcpuif[pe];
    int found = -1;
    unsigned best = 0x100;
    for (unsigned n = 0; n < g->cfg.num_lrs; n++) {
        uint64_t lr = v->lr[n];
        if (!(lr & LR_ACTIVE_BIT) || lr_vintid(lr) != vintid)
            continue;
        unsigned p = lr_prio(g, lr);
        if (p < best) {
            best = p;
            found = (int)n;
        }
    }
    if (found < 0) {
        if (is_lpi(vintid) || (vintid < GICSIM_PPI_BASE && (v->hcr & GICSIM_ICH_HCR_VSGIEOICOUNT)))
            return false;
        uint32_t count = (eoicount(v) + 1u) & 0x1Fu; /* 5-bit field, wraps */
        v->hcr = (v->hcr & ~HCR_EOICOUNT_MASK) | (count << GICSIM_ICH_HCR_EOICOUNT_SHIFT);
        g->stats.v_eoicount++;
        return true;
    }
    uint64_t lr = v->lr[found] & ~LR_ACTIVE_BIT;
    v->lr[found] = lr;
    v->stale = true;
    g->stats.v_deactivations++;
    gic_emit(g, GICSIM_GEV_VDEACTIVATE, pe, vintid);
    if (lr & GICSIM_LR_HW) {
        uint32_t pintid = (uint32_t)((lr & GICSIM_LR_PINTID_MASK) >> GICSIM_LR_PINTID_SHIFT);
        gic_irq *q = gic_irq_lookup(g, pe, pintid);
        if (q)
            irq_deactivate(g, q);
    }
    return true;
}

static bool special_intid(uint32_t intid)
{
    return intid >= SPECIAL_INTID_FIRST && intid <= SPECIAL_INTID_LAST;
}

/* ICV_EOIR0/1: priority drop of the group's highest active priority, then
 * (VEOIM=0) deactivation. The deactivation part does not depend on the drop:
 * an EOI for an interrupt the hypervisor took out of the list registers
 * still counts in EOIcount. */
static void end_of_interrupt(gicsim_gic *g, uint32_t pe, bool group1, uint32_t intid)
{
    gic_vcpuif *v = &g->vcpuif[pe];
    if (special_intid(intid)) {
        g->stats.ignored_ops++;
        return;
    }
    bool dropped = prio_drop(v->ap, g->prebits, group1);
    if (dropped) {
        GICSIM_INV(inv_icv_drop(g, pe, group1));
        gic_emit(g, GICSIM_GEV_VPRIO_DROP, pe, intid);
    }
    bool acted = dropped;
    if (!v->ctl.eoimode)
        acted |= deactivate_vintid(g, pe, intid);
    if (!acted)
        g->stats.ignored_ops++;
    update(g, pe);
}

/* ICV_DIR. TDIR=1 traps the access to EL2 (the caller sees GICSIM_E_STATE
 * and nothing changes); with VEOIM=0 the write is UNPREDICTABLE and ignored;
 * LPIs have no active state to clear. */
static gicsim_status direct_deactivate(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gic_vcpuif *v = &g->vcpuif[pe];
    if (v->hcr & GICSIM_ICH_HCR_TDIR)
        return GICSIM_E_STATE;
    if (!v->ctl.eoimode || special_intid(intid) || is_lpi(intid)) {
        g->stats.ignored_ops++;
        return GICSIM_OK;
    }
    deactivate_vintid(g, pe, intid);
    update(g, pe);
    return GICSIM_OK;
}

static uint32_t hppi(gicsim_gic *g, uint32_t pe, bool group1)
{
    vcand c = evaluate(g, pe)->cand;
    return (c.lr >= 0 || c.direct) && c.group1 == group1 ? c.vintid : GICSIM_INTID_SPURIOUS;
}

/* ---- lifetime -------------------------------------------------------------------- */

/* Reset: list registers invalid, ICH_HCR (and En) 0, outputs low; the
 * ICH_VMCR fields and ICH_AP<g>R<n> as the physical interface's controls
 * (cpuif_reset: groups disabled, VPMR 0, no active priorities, the binary
 * points at their minimum). */
static void reset_pe(gicsim_gic *g, gic_vcpuif *v)
{
    *v = (gic_vcpuif){0};
    v->stale = true;
    cpuif_reset(&v->ctl, v->ap, g->prebits);
    v->presented = GICSIM_INTID_SPURIOUS;
}

gicsim_status vcpuif_init(gicsim_gic *g)
{
    g->vcpuif = calloc(g->cfg.num_pes, sizeof *g->vcpuif);
    if (!g->vcpuif)
        return GICSIM_E_NOMEM;
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        reset_pe(g, &g->vcpuif[pe]);
    return GICSIM_OK;
}

void vcpuif_free(gicsim_gic *g)
{
    free(g->vcpuif);
    g->vcpuif = NULL;
}

void vcpuif_update(gicsim_gic *g, uint32_t pe)
{
    g->vcpuif[pe].direct_stale = true;
    update(g, pe);
}

void vcpuif_invalidate(gicsim_gic *g, uint32_t pe)
{
    g->vcpuif[pe].direct_stale = true;
}

/* ---- hypervisor registers ----------------------------------------------------------- */

uint64_t gicsim_lr_value(uint32_t vintid, uint8_t priority, bool group1, bool hw,
                         uint32_t pintid_or_eoi, uint64_t state)
{
    uint64_t v = (uint64_t)vintid | ((uint64_t)priority << GICSIM_LR_PRIORITY_SHIFT) |
                 ((state & 3u) << GICSIM_LR_STATE_SHIFT);
    if (group1)
        v |= GICSIM_LR_GROUP;
    if (hw)
        v |= GICSIM_LR_HW |
             (((uint64_t)pintid_or_eoi << GICSIM_LR_PINTID_SHIFT) & GICSIM_LR_PINTID_MASK);
    else if (pintid_or_eoi)
        v |= GICSIM_LR_EOI;
    return v;
}

static uint64_t vmcr_value(const gic_vcpuif *v)
{
    const cpuif_ctl *p = &v->ctl;
    return (p->igrpen[0] ? GICSIM_ICH_VMCR_VENG0 : 0) | (p->igrpen[1] ? GICSIM_ICH_VMCR_VENG1 : 0) |
           VMCR_VFIQEN | (p->cbpr ? GICSIM_ICH_VMCR_VCBPR : 0) |
           (p->eoimode ? GICSIM_ICH_VMCR_VEOIM : 0) | ((uint64_t)p->bpr1 << VMCR_VBPR1_SHIFT) |
           ((uint64_t)p->bpr0 << VMCR_VBPR0_SHIFT) |
           ((uint64_t)p->pmr << GICSIM_ICH_VMCR_VPMR_SHIFT);
}

static uint64_t vtr_value(const gicsim_gic *g)
{
    uint64_t v = (uint64_t)(g->cfg.num_lrs - 1u) |
                 ((uint64_t)(g->prebits - 1u) << VTR_PREBITS_SHIFT) |
                 ((uint64_t)(g->cfg.priority_bits - 1u) << VTR_PRIBITS_SHIFT);
    /* nV4: GICv3 has no direct virtual interrupt injection. IDbits = 0
     * (16-bit vINTIDs), SEIS = A3V = TDS = 0. */
    if (g->cfg.version == GICSIM_GICV3)
        v |= VTR_NV4;
    return v;
}

static bool ap_decode(gicsim_ich_reg reg, unsigned *grp, unsigned *n)
{
    if (reg >= GICSIM_ICH_AP0R0 && reg <= GICSIM_ICH_AP0R3) {
        *grp = 0;
        *n = (unsigned)(reg - GICSIM_ICH_AP0R0);
        return true;
    }
    if (reg >= GICSIM_ICH_AP1R0 && reg <= GICSIM_ICH_AP1R3) {
        *grp = 1;
        *n = (unsigned)(reg - GICSIM_ICH_AP1R0);
        return true;
    }
    return false;
}

/* Validate (g, pe, reg) for the ICH entry points. */
static gicsim_status ich_check(const gicsim_gic *g, uint32_t pe, gicsim_ich_reg reg)
{
    if (!g->vcpuif)
        return GICSIM_E_UNSUPPORTED; /* a GICv5: <gicsim/gicv5.h> */
    if (pe >= g->cfg.num_pes || (unsigned)reg >= GICSIM_ICH__COUNT)
        return GICSIM_E_RANGE;
    if (reg >= GICSIM_ICH_LR0 && (unsigned)(reg - GICSIM_ICH_LR0) >= g->cfg.num_lrs)
        return GICSIM_E_RANGE;
    return GICSIM_OK;
}

gicsim_status gicsim_ich_read(gicsim_gic *g, uint32_t pe, gicsim_ich_reg reg, uint64_t *val)
{
    if (!g || !val)
        return GICSIM_E_INVAL;
    gicsim_status st = ich_check(g, pe, reg);
    if (st != GICSIM_OK)
        return st;
    const gic_vcpuif *v = &g->vcpuif[pe];
    unsigned grp, n;
    *val = 0;
    switch (reg) {
    case GICSIM_ICH_HCR:
        *val = v->hcr;
        break;
    case GICSIM_ICH_VMCR:
        *val = vmcr_value(v);
        break;
    case GICSIM_ICH_VTR:
        *val = vtr_value(g);
        break;
    case GICSIM_ICH_MISR:
        *val = misr_of(v, &evaluate(g, pe)->sum);
        break;
    case GICSIM_ICH_EISR:
        *val = evaluate(g, pe)->sum.eisr;
        break;
    case GICSIM_ICH_ELRSR:
        *val = evaluate(g, pe)->sum.elrsr;
        break;
    default:
        if (ap_decode(reg, &grp, &n)) {
            prio_ap_read(g, v->ap, grp, n, val);
        } else {
            *val = v->lr[reg - GICSIM_ICH_LR0];
        }
        break;
    }
    return GICSIM_OK;
}

gicsim_status gicsim_ich_write(gicsim_gic *g, uint32_t pe, gicsim_ich_reg reg, uint64_t val)
{
    if (!g)
        return GICSIM_E_INVAL;
    gicsim_status st = ich_check(g, pe, reg);
    if (st != GICSIM_OK)
        return st;
    gic_vcpuif *v = &g->vcpuif[pe];
    unsigned grp, n;
    switch (reg) {
    case GICSIM_ICH_HCR: {
        /* vSGIEOICount exists from GICv4.1 (RES0 before). */
        uint32_t writable = HCR_WRITABLE;
        if (g->cfg.version == GICSIM_GICV4_1)
            writable |= GICSIM_ICH_HCR_VSGIEOICOUNT;
        v->hcr = (uint32_t)val & writable;
        break;
    }
    case GICSIM_ICH_VMCR:
        v->ctl.igrpen[0] = (val & GICSIM_ICH_VMCR_VENG0) != 0;
        v->ctl.igrpen[1] = (val & GICSIM_ICH_VMCR_VENG1) != 0;
        v->ctl.cbpr = (val & GICSIM_ICH_VMCR_VCBPR) != 0;
        v->ctl.eoimode = (val & GICSIM_ICH_VMCR_VEOIM) != 0;
        v->ctl.bpr1 = prio_clamp_bpr1(g->prebits, val >> VMCR_VBPR1_SHIFT);
        v->ctl.bpr0 = prio_clamp_bpr0(g->prebits, val >> VMCR_VBPR0_SHIFT);
        v->ctl.pmr = (uint8_t)((val >> GICSIM_ICH_VMCR_VPMR_SHIFT) & g->prio_mask);
        v->stale = true;
        break;
    case GICSIM_ICH_VTR:
    case GICSIM_ICH_MISR:
    case GICSIM_ICH_EISR:
    case GICSIM_ICH_ELRSR:
        g->stats.raz_wi_writes++; /* read-only */
        return GICSIM_OK;
    default:
        if (ap_decode(reg, &grp, &n)) {
            if (!prio_ap_write(g, v->ap, grp, n, val))
                return GICSIM_OK;
            GICSIM_INV(inv_icv_apr_write(g, pe));
        } else {
            v->lr[reg - GICSIM_ICH_LR0] = val & LR_IMPLEMENTED;
            v->stale = true;
        }
        break;
    }
    update(g, pe);
    return GICSIM_OK;
}

static const char *const ich_names[GICSIM_ICH__COUNT] = {
    [GICSIM_ICH_HCR] = "ICH_HCR_EL2",       [GICSIM_ICH_VMCR] = "ICH_VMCR_EL2",
    [GICSIM_ICH_VTR] = "ICH_VTR_EL2",       [GICSIM_ICH_MISR] = "ICH_MISR_EL2",
    [GICSIM_ICH_EISR] = "ICH_EISR_EL2",     [GICSIM_ICH_ELRSR] = "ICH_ELRSR_EL2",
    [GICSIM_ICH_AP0R0] = "ICH_AP0R0_EL2",   [GICSIM_ICH_AP0R1] = "ICH_AP0R1_EL2",
    [GICSIM_ICH_AP0R2] = "ICH_AP0R2_EL2",   [GICSIM_ICH_AP0R3] = "ICH_AP0R3_EL2",
    [GICSIM_ICH_AP1R0] = "ICH_AP1R0_EL2",   [GICSIM_ICH_AP1R1] = "ICH_AP1R1_EL2",
    [GICSIM_ICH_AP1R2] = "ICH_AP1R2_EL2",   [GICSIM_ICH_AP1R3] = "ICH_AP1R3_EL2",
    [GICSIM_ICH_LR0 + 0] = "ICH_LR0_EL2",   [GICSIM_ICH_LR0 + 1] = "ICH_LR1_EL2",
    [GICSIM_ICH_LR0 + 2] = "ICH_LR2_EL2",   [GICSIM_ICH_LR0 + 3] = "ICH_LR3_EL2",
    [GICSIM_ICH_LR0 + 4] = "ICH_LR4_EL2",   [GICSIM_ICH_LR0 + 5] = "ICH_LR5_EL2",
    [GICSIM_ICH_LR0 + 6] = "ICH_LR6_EL2",   [GICSIM_ICH_LR0 + 7] = "ICH_LR7_EL2",
    [GICSIM_ICH_LR0 + 8] = "ICH_LR8_EL2",   [GICSIM_ICH_LR0 + 9] = "ICH_LR9_EL2",
    [GICSIM_ICH_LR0 + 10] = "ICH_LR10_EL2", [GICSIM_ICH_LR0 + 11] = "ICH_LR11_EL2",
    [GICSIM_ICH_LR0 + 12] = "ICH_LR12_EL2", [GICSIM_ICH_LR0 + 13] = "ICH_LR13_EL2",
    [GICSIM_ICH_LR0 + 14] = "ICH_LR14_EL2", [GICSIM_ICH_LR0 + 15] = "ICH_LR15_EL2",
};

const char *gicsim_ich_reg_name(gicsim_ich_reg reg)
{
    return (unsigned)reg < GICSIM_ICH__COUNT ? ich_names[reg] : NULL;
}

/* ---- guest registers (ICV_*_EL1) ------------------------------------------------------ */

static bool icv_virtualized(gicsim_icc_reg reg)
{
    return reg != GICSIM_ICC_SGI0R && reg != GICSIM_ICC_SGI1R && reg != GICSIM_ICC_ASGI1R &&
           reg != GICSIM_ICC_SRE;
}

/* After a write of ICV_IGRPEN<n>, ICV_PMR, ICV_BPR<n>, ICV_CTLR or
 * ICV_AP<g>R<n> (cpuif_write). */
static void written(gicsim_gic *g, uint32_t pe, cpuif_written what)
{
    if (what == CPUIF_WROTE_AP)
        GICSIM_INV(inv_icv_apr_write(g, pe));
    else if (what == CPUIF_WROTE_IGRPEN || what == CPUIF_WROTE_IGRPEN_SAME)
        g->vcpuif[pe].stale = true; /* VENG<n> is an input of the candidate */
    update(g, pe);
}

/* The operations of cpuif_read and cpuif_write for the ICV registers (the
 * ICC register set but ICC_SRE and the SGI generation registers,
 * icv_virtualized); EOIR and DIR take 16-bit vINTIDs. */
static const cpuif_ops icv_ops = {
    acknowledge, hppi, end_of_interrupt, direct_deactivate, written, VINTID_BITS_MASK,
};

gicsim_status gicsim_icv_read(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t *val)
{
    if (!g || !val)
        return GICSIM_E_INVAL;
    if (!g->vcpuif)
        return GICSIM_E_UNSUPPORTED;
    if (pe >= g->cfg.num_pes || (unsigned)reg >= GICSIM_ICC__COUNT)
        return GICSIM_E_RANGE;
    if (!icv_virtualized(reg))
        return GICSIM_E_INVAL;
    const gic_vcpuif *v = &g->vcpuif[pe];
    return cpuif_read(g, pe, &icv_ops, &v->ctl, v->ap, reg, val);
}

gicsim_status gicsim_icv_write(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t val)
{
    if (!g)
        return GICSIM_E_INVAL;
    if (!g->vcpuif)
        return GICSIM_E_UNSUPPORTED;
    if (pe >= g->cfg.num_pes || (unsigned)reg >= GICSIM_ICC__COUNT)
        return GICSIM_E_RANGE;
    if (!icv_virtualized(reg))
        return GICSIM_E_INVAL;
    gic_vcpuif *v = &g->vcpuif[pe];
    return cpuif_write(g, pe, &icv_ops, &v->ctl, v->ap, reg, val);
}

/* ---- outputs ------------------------------------------------------------------------ */

gicsim_status gicsim_gic_add_vline_listener(gicsim_gic *g, gicsim_line_fn fn, void *ctx)
{
    if (!g || !fn)
        return GICSIM_E_INVAL;
    if (g->n_vlisteners == GIC_MAX_LISTENERS)
        return GICSIM_E_FULL;
    g->vlisteners[g->n_vlisteners++] = (gic_listener){fn, ctx};
    return GICSIM_OK;
}

bool gicsim_gic_virq_line(const gicsim_gic *g, uint32_t pe)
{
    if (g && g->v5)
        return gicv5_virq_line(g, pe);
    return g && pe < g->cfg.num_pes && g->vcpuif[pe].virq;
}

bool gicsim_gic_vfiq_line(const gicsim_gic *g, uint32_t pe)
{
    return g && g->vcpuif && pe < g->cfg.num_pes && g->vcpuif[pe].vfiq;
}
