/* gicsim: the virtual CPU interface (ICH_*_EL2 and ICV_*_EL1), one per PE.
 *
 * The hypervisor side programs list registers and control registers through
 * gicsim_ich_read/write; the guest side (EL1 with HCR_EL2.IMO/FMO=1, so ICC_*
 * accesses are redirected to ICV_*) acknowledges, ends and deactivates
 * virtual interrupts through gicsim_icv_read/write without a trap. The
 * interface drives each PE's vIRQ/vFIQ outputs and, while ICH_HCR_EL2.En is
 * set, the maintenance interrupt (PPI 25, level-sensitive) of its PE.
 *
 * Register state belongs to the PE, not to a vCPU: a hypervisor switching
 * vCPUs saves and restores the list registers, ICH_VMCR and ICH_AP<n>R
 * itself (and pays for it).
 */
#ifndef GICSIM_VCPU_INTERFACE_H
#define GICSIM_VCPU_INTERFACE_H

#include <gicsim/gic.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GICSIM_MAX_LRS 16

typedef enum gicsim_ich_reg {
    GICSIM_ICH_HCR,   /* En[0] UIE[1] LRENPIE[2] NPIE[3] VGrp0EIE[4] VGrp0DIE[5] VGrp1EIE[6]
                         VGrp1DIE[7] vSGIEOICount[8] (GICv4.1) TDIR[14] EOIcount[31:27] */
    GICSIM_ICH_VMCR,  /* VENG0[0] VENG1[1] VFIQEn[3] (RAO/WI) VCBPR[4] VEOIM[9]
                         VBPR1[20:18] VBPR0[23:21] VPMR[31:24] */
    GICSIM_ICH_VTR,   /* RO: ListRegs[4:0] nV4[20] PREbits[28:26] PRIbits[31:29] */
    GICSIM_ICH_MISR,  /* RO: EOI[0] U[1] LRENP[2] NP[3] VGrp0E[4] VGrp0D[5] VGrp1E[6] VGrp1D[7] */
    GICSIM_ICH_EISR,  /* RO: bit n: LR n has HW=0, EOI=1 and state invalid */
    GICSIM_ICH_ELRSR, /* RO: bit n: LR n is empty (invalid and not awaiting an EOI maintenance) */
    GICSIM_ICH_AP0R0,
    GICSIM_ICH_AP0R1,
    GICSIM_ICH_AP0R2,
    GICSIM_ICH_AP0R3,
    GICSIM_ICH_AP1R0,
    GICSIM_ICH_AP1R1,
    GICSIM_ICH_AP1R2,
    GICSIM_ICH_AP1R3,
    GICSIM_ICH_LR0, /* GICSIM_ICH_LR0 + n for n < num_lrs */
    GICSIM_ICH__COUNT = GICSIM_ICH_LR0 + GICSIM_MAX_LRS
} gicsim_ich_reg;

/* ICH_HCR_EL2 bits. */
#define GICSIM_ICH_HCR_EN (1u << 0)
#define GICSIM_ICH_HCR_UIE (1u << 1)
#define GICSIM_ICH_HCR_LRENPIE (1u << 2)
#define GICSIM_ICH_HCR_NPIE (1u << 3)
#define GICSIM_ICH_HCR_VGRP0EIE (1u << 4)
#define GICSIM_ICH_HCR_VGRP0DIE (1u << 5)
#define GICSIM_ICH_HCR_VGRP1EIE (1u << 6)
#define GICSIM_ICH_HCR_VGRP1DIE (1u << 7)
#define GICSIM_ICH_HCR_VSGIEOICOUNT (1u << 8) /* GICv4.1: direct vSGIs do not count in EOIcount */
#define GICSIM_ICH_HCR_TDIR (1u << 14)
#define GICSIM_ICH_HCR_EOICOUNT_SHIFT 27

/* ICH_VMCR_EL2 bits. */
#define GICSIM_ICH_VMCR_VENG0 (1u << 0)
#define GICSIM_ICH_VMCR_VENG1 (1u << 1)
#define GICSIM_ICH_VMCR_VCBPR (1u << 4)
#define GICSIM_ICH_VMCR_VEOIM (1u << 9)
#define GICSIM_ICH_VMCR_VPMR_SHIFT 24

/* ICH_MISR_EL2 bits. */
#define GICSIM_ICH_MISR_EOI (1u << 0)
#define GICSIM_ICH_MISR_U (1u << 1)
#define GICSIM_ICH_MISR_LRENP (1u << 2)
#define GICSIM_ICH_MISR_NP (1u << 3)
#define GICSIM_ICH_MISR_VGRP0E (1u << 4)
#define GICSIM_ICH_MISR_VGRP0D (1u << 5)
#define GICSIM_ICH_MISR_VGRP1E (1u << 6)
#define GICSIM_ICH_MISR_VGRP1D (1u << 7)

/* ICH_LR<n>_EL2 fields. */
#define GICSIM_LR_VINTID_MASK 0xFFFFFFFFull
#define GICSIM_LR_PINTID_SHIFT 32 /* [44:32] when HW=1 */
#define GICSIM_LR_PINTID_MASK (0x1FFFull << GICSIM_LR_PINTID_SHIFT)
#define GICSIM_LR_EOI (1ull << 41)  /* when HW=0: maintenance interrupt on deactivation */
#define GICSIM_LR_PRIORITY_SHIFT 48 /* [55:48] */
#define GICSIM_LR_GROUP (1ull << 60)
#define GICSIM_LR_HW (1ull << 61)
#define GICSIM_LR_STATE_SHIFT 62 /* [63:62] */
#define GICSIM_LR_STATE_INVALID 0ull
#define GICSIM_LR_STATE_PENDING 1ull
#define GICSIM_LR_STATE_ACTIVE 2ull
#define GICSIM_LR_STATE_PENDING_ACTIVE 3ull

/* Compose a list register value. `pintid_or_eoi`: with hw=true the physical
 * INTID; with hw=false nonzero sets the EOI bit. */
GICSIM_API uint64_t gicsim_lr_value(uint32_t vintid, uint8_t priority, bool group1, bool hw,
                                    uint32_t pintid_or_eoi, uint64_t state);

/* Hypervisor-side access. GICSIM_E_RANGE for a bad PE or register number
 * (including an LR index >= the configured number of list registers).
 * Writes to read-only registers are ignored and counted (raz_wi_writes). */
GICSIM_API gicsim_status gicsim_ich_read(gicsim_gic *gic, uint32_t pe, gicsim_ich_reg reg,
                                         uint64_t *val);
GICSIM_API gicsim_status gicsim_ich_write(gicsim_gic *gic, uint32_t pe, gicsim_ich_reg reg,
                                          uint64_t val);
GICSIM_API const char *gicsim_ich_reg_name(gicsim_ich_reg reg);

/* Guest-side access: the ICV_* view of the ICC_* registers of PE `pe`.
 * IAR0/1, EOIR0/1, DIR, HPPIR0/1, PMR, BPR0/1, RPR, CTLR, IGRPEN0/1,
 * AP0R<n>/AP1R<n> are virtualized. SGI0R/SGI1R/ASGI1R and SRE are not
 * (they trap to EL2 or belong to EL2): GICSIM_E_INVAL.
 * A DIR write while ICH_HCR_EL2.TDIR=1 traps to EL2 instead of acting:
 * the call returns GICSIM_E_STATE and changes nothing, and the hypervisor
 * model emulates it. */
GICSIM_API gicsim_status gicsim_icv_read(gicsim_gic *gic, uint32_t pe, gicsim_icc_reg reg,
                                         uint64_t *val);
GICSIM_API gicsim_status gicsim_icv_write(gicsim_gic *gic, uint32_t pe, gicsim_icc_reg reg,
                                          uint64_t val);

/* Called whenever PE `pe`'s virtual IRQ or FIQ output changes level. At most
 * 8 listeners; GICSIM_E_FULL beyond. */
GICSIM_API gicsim_status gicsim_gic_add_vline_listener(gicsim_gic *gic, gicsim_line_fn fn,
                                                       void *ctx);
GICSIM_API bool gicsim_gic_virq_line(const gicsim_gic *gic, uint32_t pe);
GICSIM_API bool gicsim_gic_vfiq_line(const gicsim_gic *gic, uint32_t pe);

#ifdef __cplusplus
}
#endif

#endif
