/* gicsim: the priority logic and the register switch of a GIC CPU
 * interface, one implementation for the physical interface
 * (cpu_interface.c, ICC_*_EL1) and the virtual one (vcpu_interface.c,
 * ICH_*_EL2 and ICV_*_EL1). The rules, and where the two interfaces
 * differ, are in cpuif_priority.c. Not installed.
 *
 * The core (the static inline functions) works on explicit parameters: an
 * interface's controls (cpuif_ctl), its active-priority registers
 * (uint32_t ap[2][PRIO_AP_REGS_MAX]: [0] AP0R<n>, [1] AP1R<n>, which each
 * interface keeps next to its controls) and the number of preemption bits.
 * It is on the hot paths of both interfaces (evaluation, acknowledge, EOI).
 * The register layer (cpuif_read, cpuif_write) is the ICC/ICV register
 * switch of both interfaces: it implements the control and priority
 * registers (cpuif_reg_read, cpuif_reg_write, prio_ap_read, prio_ap_write)
 * and calls the interface's operations (cpuif_ops: acknowledge, EOI, ...)
 * for the rest. */
#ifndef GICSIM_GIC_CPUIF_PRIORITY_H
#define GICSIM_GIC_CPUIF_PRIORITY_H

#include <gicsim/gic.h>

#include <stdbool.h>
#include <stdint.h>

/* ICC_AP<g>R<n>_EL1 and ICH_AP<g>R<n>_EL2 exist for n = 0..3. */
#define PRIO_AP_REGS_MAX 4u

/* The controls of one CPU interface: the fields ICH_VMCR_EL2 holds for the
 * virtual one (VENG0, VENG1, VCBPR, VEOIM, VBPR0, VBPR1, VPMR), which the
 * ICV_IGRPEN<n>, ICV_CTLR, ICV_BPR<n> and ICV_PMR registers access. */
typedef struct cpuif_ctl {
    bool igrpen[2];     /* ICC_IGRPEN0, ICC_IGRPEN1 / VENG0, VENG1 */
    uint8_t pmr;        /* ICC_PMR / VPMR */
    uint8_t bpr0, bpr1; /* ICC_BPR0, ICC_BPR1 / VBPR0, VBPR1 */
    bool cbpr;          /* ICC_CTLR.CBPR / VCBPR */
    bool eoimode;       /* ICC_CTLR.EOImode / VEOIM */
} cpuif_ctl;

/* Number of active-priority registers per group: one per 32 preemption
 * levels (2^prebits levels, prebits 1..7). */
static inline unsigned prio_ap_regs(unsigned prebits)
{
    return prebits <= 5 ? 1u : 1u << (prebits - 5);
}

/* The bits of an active-priority register that exist: one per preemption
 * level, all 32 from 5 preemption bits up. */
static inline uint32_t prio_ap_implemented(unsigned prebits)
{
    unsigned levels = 1u << prebits;
    return levels >= 32 ? UINT32_MAX : (1u << levels) - 1u;
}

/* The active-priority bit of a group priority: its preemption bits. */
static inline unsigned prio_ap_index(unsigned prebits, uint8_t group_prio)
{
    return group_prio >> (8 - prebits);
}

/* The minimum binary point of Group 0 is 7 - prebits, Group 1's one more;
 * a write below the minimum sets the minimum. */
static inline uint8_t prio_clamp_bpr0(unsigned prebits, uint64_t val)
{
    uint8_t b = (uint8_t)(val & 7u);
    uint8_t min = (uint8_t)(7u - prebits);
    return b < min ? min : b;
}

static inline uint8_t prio_clamp_bpr1(unsigned prebits, uint64_t val)
{
    uint8_t b = (uint8_t)(val & 7u);
    uint8_t min = (uint8_t)(7u - prebits + 1u);
    return b < min ? min : b;
}

/* Group priority mask: Group 0 (and Group 1 with CBPR=1) keeps bits
 * [7:BPR0+1], Group 1 bits [7:BPR1]. */
static inline uint8_t prio_group_mask(const cpuif_ctl *p, bool group1)
{
    unsigned point = (!group1 || p->cbpr) ? p->bpr0 + 1u : p->bpr1;
    return (uint8_t)(0xFFu << point);
}

/* Running priority (ICC_RPR / ICV_RPR): the highest priority with a bit set
 * in either group's active-priority registers, 0xFF when none. */
static inline unsigned prio_running(const uint32_t ap[][PRIO_AP_REGS_MAX], unsigned prebits)
{
    for (unsigned r = 0; r < prio_ap_regs(prebits); r++) {
        uint32_t w = ap[0][r] | ap[1][r];
        if (w)
            return ((r * 32u + (unsigned)__builtin_ctz(w)) << (8 - prebits)) & 0xFFu;
    }
    return 0xFF;
}

/* Whether an interrupt of priority `prio` (already masked to the
 * implemented bits) and group `group1` passes the priority mask and
 * preempts: prio below PMR, and its group priority strictly higher
 * (numerically lower) than the running priority. */
static inline bool prio_can_signal(const cpuif_ctl *p, const uint32_t ap[][PRIO_AP_REGS_MAX],
                                   unsigned prebits, uint8_t prio, bool group1)
{
    return prio < p->pmr &&
           (unsigned)(prio & prio_group_mask(p, group1)) < prio_running(ap, prebits);
}

/* The active-priority bit that acknowledging an interrupt of priority
 * `prio` (already masked to the implemented bits) and group `group1` sets:
 * the bit of its group priority. */
static inline unsigned prio_active_index(const cpuif_ctl *p, unsigned prebits, uint8_t prio,
                                         bool group1)
{
    return prio_ap_index(prebits, (uint8_t)(prio & prio_group_mask(p, group1)));
}

/* Acknowledge: set active-priority bit `idx` (prio_active_index) in the
 * group's registers. */
static inline void prio_activate(uint32_t ap[][PRIO_AP_REGS_MAX], bool group1, unsigned idx)
{
    ap[group1][idx / 32u] |= 1u << (idx % 32u);
}

/* Priority drop (EOIR): clear the highest-priority (lowest-numbered) set bit
 * of the group's active-priority registers. Returns false, changing
 * nothing, when none is set. */
static inline bool prio_drop(uint32_t ap[][PRIO_AP_REGS_MAX], unsigned prebits, bool group1)
{
    uint32_t *w = ap[group1];
    unsigned r = 0;
    while (r < prio_ap_regs(prebits) && !w[r])
        r++;
    if (r == prio_ap_regs(prebits))
        return false;
    w[r] &= w[r] - 1u;
    return true;
}

/* Reset: groups disabled, PMR 0 (everything masked), CBPR and EOImode 0,
 * no active priorities, and the binary points at their minimum, the value a
 * write below it would give. */
void cpuif_reset(cpuif_ctl *p, uint32_t ap[][PRIO_AP_REGS_MAX], unsigned prebits);

/* ---- the register layer ----------------------------------------------------- */

/* AP<grp>R<n> of `ap`: false (counted in raz_wi_reads / raz_wi_writes) when
 * register n is not implemented. A write keeps only the implemented bits. */
bool prio_ap_read(gicsim_gic *g, const uint32_t ap[][PRIO_AP_REGS_MAX], unsigned grp, unsigned n,
                  uint64_t *val);
bool prio_ap_write(gicsim_gic *g, uint32_t ap[][PRIO_AP_REGS_MAX], unsigned grp, unsigned n,
                   uint64_t val);

/* For cpuif_read, every register but IAR<n> and HPPIR<n>: IGRPEN<n>, PMR,
 * BPR0, BPR1, RPR, CTLR and AP<g>R<n> from `p` and `ap`, and the write-only
 * registers EOIR<n>, DIR, SGI0R, SGI1R and ASGI1R (counted in ignored_ops;
 * the ICV set has no SGI registers, gicsim_icv_read refuses them first).
 * False, leaving *val alone, for any other register. */
bool cpuif_reg_read(gicsim_gic *g, const cpuif_ctl *p, const uint32_t ap[][PRIO_AP_REGS_MAX],
                    gicsim_icc_reg reg, uint64_t *val);

/* What a register write changed, for the interface to act on. */
typedef enum cpuif_written {
    CPUIF_WROTE_NOTHING,     /* RAZ/WI or read-only: counted, nothing changed */
    CPUIF_WROTE_PRIORITY,    /* PMR, BPR0, BPR1 or CTLR */
    CPUIF_WROTE_AP,          /* an active-priority register */
    CPUIF_WROTE_IGRPEN,      /* a group enable, which changed */
    CPUIF_WROTE_IGRPEN_SAME, /* a group enable, rewritten with its value */
    CPUIF_WROTE_NO_REGISTER  /* none of the registers cpuif_reg_write knows */
} cpuif_written;

/* For cpuif_write, every register but EOIR<n> and DIR: IGRPEN<n>, PMR,
 * BPR0, BPR1, CTLR and AP<g>R<n> into `p` and `ap`, and the read-only
 * registers IAR<n>, HPPIR<n> and RPR (counted in raz_wi_writes). */
cpuif_written cpuif_reg_write(gicsim_gic *g, cpuif_ctl *p, uint32_t ap[][PRIO_AP_REGS_MAX],
                              gicsim_icc_reg reg, uint64_t val);

/* What an interface implements of the ICC_*_EL1 register set (which the
 * ICV_*_EL1 registers mirror); cpuif_read and cpuif_write do the rest.
 * `group1` is the register's group (IAR1, HPPIR1, EOIR1). The interfaces
 * initialize it in member order: acknowledge, hppi, end_of_interrupt,
 * deactivate, written, intid_mask. */
typedef struct cpuif_ops {
    uint32_t (*acknowledge)(gicsim_gic *g, uint32_t pe, bool group1);                  /* IAR */
    uint32_t (*hppi)(gicsim_gic *g, uint32_t pe, bool group1);                         /* HPPIR */
    void (*end_of_interrupt)(gicsim_gic *g, uint32_t pe, bool group1, uint32_t intid); /* EOIR */
    gicsim_status (*deactivate)(gicsim_gic *g, uint32_t pe, uint32_t intid);           /* DIR */
    /* After a write that changed something (not CPUIF_WROTE_NOTHING). */
    void (*written)(gicsim_gic *g, uint32_t pe, cpuif_written what);
    uint32_t intid_mask; /* the INTID field of EOIR<n> and DIR */
} cpuif_ops;

/* A register read: *val is 0 unless the register gives a value;
 * GICSIM_E_RANGE for a register outside the set (ICC_SRE, for one, is the
 * physical interface's own). Inline, with `ops` a constant, so that the
 * operations are direct calls. */
static inline gicsim_status cpuif_read(gicsim_gic *g, uint32_t pe, const cpuif_ops *ops,
                                       const cpuif_ctl *p, const uint32_t ap[][PRIO_AP_REGS_MAX],
                                       gicsim_icc_reg reg, uint64_t *val)
{
    *val = 0;
    switch (reg) {
    case GICSIM_ICC_IAR0:
    case GICSIM_ICC_IAR1:
        *val = ops->acknowledge(g, pe, reg == GICSIM_ICC_IAR1);
        return GICSIM_OK;
    case GICSIM_ICC_HPPIR0:
    case GICSIM_ICC_HPPIR1:
        *val = ops->hppi(g, pe, reg == GICSIM_ICC_HPPIR1);
        return GICSIM_OK;
    default:
        return cpuif_reg_read(g, p, ap, reg, val) ? GICSIM_OK : GICSIM_E_RANGE;
    }
}

/* A register write; GICSIM_E_RANGE for a register outside the set (the SGI
 * generation registers and ICC_SRE are the physical interface's own).
 * Inline for the reason cpuif_read is. */
static inline gicsim_status cpuif_write(gicsim_gic *g, uint32_t pe, const cpuif_ops *ops,
                                        cpuif_ctl *p, uint32_t ap[][PRIO_AP_REGS_MAX],
                                        gicsim_icc_reg reg, uint64_t val)
{
    switch (reg) {
    case GICSIM_ICC_EOIR0:
    case GICSIM_ICC_EOIR1:
        ops->end_of_interrupt(g, pe, reg == GICSIM_ICC_EOIR1, (uint32_t)val & ops->intid_mask);
        return GICSIM_OK;
    case GICSIM_ICC_DIR:
        return ops->deactivate(g, pe, (uint32_t)val & ops->intid_mask);
    default:
        break;
    }
    cpuif_written what = cpuif_reg_write(g, p, ap, reg, val);
    if (what == CPUIF_WROTE_NO_REGISTER)
        return GICSIM_E_RANGE;
    if (what != CPUIF_WROTE_NOTHING)
        ops->written(g, pe, what);
    return GICSIM_OK;
}

#endif
