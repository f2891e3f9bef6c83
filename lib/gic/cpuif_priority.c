/* gicsim: the priority logic and the register switch of a GIC CPU
 * interface, one implementation for the physical interface
 * (cpu_interface.c, ICC_*_EL1) and the virtual one (vcpu_interface.c,
 * ICH_*_EL2 and ICV_*_EL1).
 *
 * Theory of operation (GICv3, IHI 0069, "Interrupt prioritization",
 * "Preemption", "Priority drop and interrupt deactivation", and the
 * ICC_* / ICH_* / ICV_* register descriptions):
 *  - A priority is 8 bits, lower is higher; the implementation keeps the
 *    top PRIbits of it (g->prio_mask). Its top prebits = min(PRIbits, 7)
 *    are the preemption bits: 2^prebits preemption levels.
 *  - The group priority of an interrupt is its priority masked by the
 *    binary point of its group: Group 0 keeps bits [7:BPR0+1]; Group 1
 *    keeps [7:BPR1], or BPR0's split when CBPR=1 (then a BPR1 read returns
 *    BPR0 + 1, saturated at 7, and a BPR1 write is ignored). The minimum
 *    binary point is 7 - prebits for BPR0 and one more for BPR1, so a group
 *    priority has no more bits than the preemption bits; a write below the
 *    minimum sets the minimum.
 *  - The active-priority registers AP0R<n> (Group 0) and AP1R<n> (Group 1)
 *    hold one bit per preemption level: bit i of register n stands for the
 *    group priority (n * 32 + i) << (8 - prebits). One register exists per
 *    32 levels (n = 0 up to 5 preemption bits, 0..1 for 6, 0..3 for 7); the
 *    bits above the implemented levels do not exist.
 *  - Acknowledge (IAR) sets the bit of the interrupt's group priority in
 *    its group's registers. The running priority (RPR) is the highest
 *    priority with a bit set in either group, 0xFF when none.
 *  - An interrupt is signalled, and can be acknowledged, only if its
 *    priority is higher than PMR and its group priority is strictly higher
 *    than the running priority (preemption).
 *  - EOIR is a priority drop: it clears the highest-priority set bit of its
 *    group's registers, not the bit of the INTID written. Deactivation
 *    (EOImode 0, or DIR) is the interface's own.
 *
 * Layout. cpuif_ctl holds an interface's controls: the group enables, PMR,
 * BPR0, BPR1, CBPR and EOImode, exactly the fields ICH_VMCR_EL2 keeps for
 * the virtual interface. The active-priority registers are an array next
 * to it in each interface (gic_cpuif.ap, gic_vcpuif.ap). The core
 * (cpuif_priority.h, inline: it is on the hot paths of both interfaces)
 * works on those and the number of preemption bits. The register layer,
 * cpuif_read and cpuif_write, is the one ICC/ICV register switch: the
 * control, priority and active-priority registers are done here
 * (cpuif_reg_read, cpuif_reg_write), IAR, HPPIR, EOIR and DIR by the
 * interface (cpuif_ops), which also re-evaluates its outputs after a write
 * (cpuif_ops.written).
 *
 * The two interfaces follow these rules alike. Where the architecture lets
 * them differ, the model makes one choice for both:
 *  - Bits: the virtual interface's priority and preemption bits are
 *    ICH_VTR_EL2.PRIbits + 1 and PREbits + 1, which may differ from the
 *    physical interface's. The model implements the same numbers
 *    (vcpu_interface.c reports them in ICH_VTR_EL2), so g->prio_mask,
 *    g->prebits and g->cfg.priority_bits size ICC_PMR and VPMR, the minimum
 *    of ICC_BPR<n> and of VBPR<n>, and the number of ICC_AP<g>R<n> and of
 *    ICH_AP<g>R<n> registers; ICC_CTLR and ICV_CTLR report the same PRIbits.
 *  - Reset (cpuif_reset): groups disabled, PMR 0, CBPR and EOImode 0, no
 *    active priorities, the binary points at their minimum; for the
 *    virtual interface, the ICH_VMCR_EL2 fields and ICH_AP<g>R<n>.
 *  - The virtual running priority comes from ICH_AP0R/AP1R alone, as
 *    ICV_RPR_EL1's does: an active list register does not count in it.
 * What differs, and stays in each interface:
 *  - The candidate (the redistributor's forward; the list registers and
 *    the directly injected vLPIs/vSGIs) and what gates its signal besides
 *    priority: ICC_IGRPEN<n> checked at the signal, the Secure Group 1
 *    that the Non-secure PE never takes; VENG<n> filtering the candidates,
 *    and ICH_HCR_EL2.En.
 *  - A group enable write: the physical interface has its redistributor
 *    select again when the enable changes; the virtual one re-scans its
 *    list registers.
 *  - EOI: the physical interface ignores a special or unknown INTID before
 *    the drop; the virtual one always drops, then deactivates or counts in
 *    ICH_HCR_EL2.EOIcount. INTIDs are 24 bits, vINTIDs 16 (ICH_VTR.IDbits 0).
 *  - The physical interface's own registers: ICC_SRE and the SGI
 *    generation registers.
 *  - The invariant hooks (inv_icc_* / inv_icv_*) after an acknowledge, a
 *    drop or an active-priority register write: the interfaces call them,
 *    and the checker (gic_invariants.c) recomputes the active priorities
 *    on its own, apart from this file. */
#include "gic_internal.h"

#include <string.h>

void cpuif_reset(cpuif_ctl *p, uint32_t ap[][PRIO_AP_REGS_MAX], unsigned prebits)
{
    *p = (cpuif_ctl){0};
    memset(ap, 0, 2 * sizeof ap[0]);
    p->bpr0 = prio_clamp_bpr0(prebits, 0);
    p->bpr1 = prio_clamp_bpr1(prebits, 0);
}

bool prio_ap_read(gicsim_gic *g, const uint32_t ap[][PRIO_AP_REGS_MAX], unsigned grp, unsigned n,
                  uint64_t *val)
{
    if (n >= prio_ap_regs(g->prebits)) {
        g->stats.raz_wi_reads++;
        return false;
    }
    *val = ap[grp][n];
    return true;
}

bool prio_ap_write(gicsim_gic *g, uint32_t ap[][PRIO_AP_REGS_MAX], unsigned grp, unsigned n,
                   uint64_t val)
{
    if (n >= prio_ap_regs(g->prebits)) {
        g->stats.raz_wi_writes++;
        return false;
    }
    ap[grp][n] = (uint32_t)val & prio_ap_implemented(g->prebits);
    return true;
}

/* ICC_AP<g>R<n> (and ICV_AP<g>R<n>): whether `reg` is one, and which. */
static bool icc_ap_decode(gicsim_icc_reg reg, unsigned *grp, unsigned *n)
{
    if (reg < GICSIM_ICC_AP0R0 || reg > GICSIM_ICC_AP1R3)
        return false;
    *grp = reg >= GICSIM_ICC_AP1R0;
    *n = (unsigned)(reg - (*grp ? GICSIM_ICC_AP1R0 : GICSIM_ICC_AP0R0));
    return true;
}

bool cpuif_reg_read(gicsim_gic *g, const cpuif_ctl *p, const uint32_t ap[][PRIO_AP_REGS_MAX],
                    gicsim_icc_reg reg, uint64_t *val)
{
    unsigned grp, n;
    switch (reg) {
    case GICSIM_ICC_IGRPEN0:
    case GICSIM_ICC_IGRPEN1:
        *val = p->igrpen[reg == GICSIM_ICC_IGRPEN1];
        return true;
    case GICSIM_ICC_PMR:
        *val = p->pmr;
        return true;
    case GICSIM_ICC_BPR0:
        *val = p->bpr0;
        return true;
    case GICSIM_ICC_BPR1:
        *val = p->cbpr ? (p->bpr0 < 7 ? p->bpr0 + 1u : 7u) : p->bpr1;
        return true;
    case GICSIM_ICC_RPR:
        *val = prio_running(ap, g->prebits);
        return true;
    case GICSIM_ICC_CTLR:
        /* The model implements CBPR, EOImode and PRIbits[10:8] (RO). */
        *val = (p->cbpr ? GICSIM_ICC_CTLR_CBPR : 0) | (p->eoimode ? GICSIM_ICC_CTLR_EOIMODE : 0) |
               ((uint64_t)(g->cfg.priority_bits - 1u) << 8);
        return true;
    case GICSIM_ICC_EOIR0:
    case GICSIM_ICC_EOIR1:
    case GICSIM_ICC_DIR:
    case GICSIM_ICC_SGI0R:
    case GICSIM_ICC_SGI1R:
    case GICSIM_ICC_ASGI1R:
        g->stats.ignored_ops++; /* write-only */
        return true;
    default:
        if (!icc_ap_decode(reg, &grp, &n))
            return false;
        prio_ap_read(g, ap, grp, n, val);
        return true;
    }
}

cpuif_written cpuif_reg_write(gicsim_gic *g, cpuif_ctl *p, uint32_t ap[][PRIO_AP_REGS_MAX],
                              gicsim_icc_reg reg, uint64_t val)
{
    unsigned grp, n;
    switch (reg) {
    case GICSIM_ICC_IGRPEN0:
    case GICSIM_ICC_IGRPEN1: {
        bool *en = &p->igrpen[reg == GICSIM_ICC_IGRPEN1];
        bool was = *en;
        *en = val & 1u;
        return *en != was ? CPUIF_WROTE_IGRPEN : CPUIF_WROTE_IGRPEN_SAME;
    }
    case GICSIM_ICC_PMR:
        p->pmr = (uint8_t)(val & g->prio_mask);
        return CPUIF_WROTE_PRIORITY;
    case GICSIM_ICC_BPR0:
        p->bpr0 = prio_clamp_bpr0(g->prebits, val);
        return CPUIF_WROTE_PRIORITY;
    case GICSIM_ICC_BPR1:
        if (p->cbpr) { /* CBPR=1: BPR1 writes are ignored */
            g->stats.raz_wi_writes++;
            return CPUIF_WROTE_NOTHING;
        }
        p->bpr1 = prio_clamp_bpr1(g->prebits, val);
        return CPUIF_WROTE_PRIORITY;
    case GICSIM_ICC_CTLR:
        p->cbpr = (val & GICSIM_ICC_CTLR_CBPR) != 0;
        p->eoimode = (val & GICSIM_ICC_CTLR_EOIMODE) != 0;
        return CPUIF_WROTE_PRIORITY;
    case GICSIM_ICC_IAR0:
    case GICSIM_ICC_IAR1:
    case GICSIM_ICC_HPPIR0:
    case GICSIM_ICC_HPPIR1:
    case GICSIM_ICC_RPR:
        g->stats.raz_wi_writes++; /* read-only */
        return CPUIF_WROTE_NOTHING;
    default:
        if (!icc_ap_decode(reg, &grp, &n))
            return CPUIF_WROTE_NO_REGISTER;
        return prio_ap_write(g, ap, grp, n, val) ? CPUIF_WROTE_AP : CPUIF_WROTE_NOTHING;
    }
}
