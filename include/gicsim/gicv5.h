/* gicsim: the GICv5 model (GIC architecture version 5, Arm IHI 0099; docs/gicv5.md).
 *
 * A GICv5 is a gicsim_gic created with gicsim_gic_config.version = GICSIM_GICV5. It shares the
 * GICv3 object's engine, timing table, simulated memory (<gicsim/memory.h>), observers,
 * IRQ/vIRQ outputs (gicsim_gic_irq_line, gicsim_gic_virq_line, the line listeners) and
 * statistics (gicsim_gic_stats counts its physical interrupts with the same accounting), but
 * none of the GICv3 frames: gicsim_gicd_*, gicsim_gicr_*, gicsim_icc_*, gicsim_ich_*,
 * gicsim_icv_*, gicsim_its_* and gicsim_gic_set_line return GICSIM_E_UNSUPPORTED on it, and
 * the calls below return GICSIM_E_UNSUPPORTED on a GICv3/v4.
 *
 * Blocks: one Interrupt Routing Service (IRS: SPIs, the LPI interrupt state table (IST) in
 * memory, linear or two-level, and for virtualization the VM table, vPE tables and each VM's
 * LPI and SPI ISTs), one ITS (no command queue: a Device table and ITTs in memory, translating
 * (DeviceID, EventID) into an LPI or a VM's vLPI), one IWB (wires into events of the ITS) and
 * per PE a CPU interface driven by system registers and GIC system instructions, with its
 * virtual side for the resident vPE.
 *
 * Interrupts are named by type and ID (an INTID: Type[31:29], ID[23:0]); PPIs, SPIs and LPIs
 * have separate ID spaces and there are no SGIs (inter-processor interrupts are LPIs). Observer
 * events (gicsim_gic_event) carry these INTIDs.
 *
 * Timing: register and system-register accesses act at the engine's current time; what they
 * start (a CD* command reaching the IRS, an ITS translation, the IRS forwarding an interrupt to
 * a CPU interface, a vPE becoming resident) happens in engine events after the gicv5_* costs
 * of the timing table. Guest misprogramming follows the architecture (or, where it is
 * CONSTRAINED UNPREDICTABLE, the choice docs/gicv5.md states) and is counted; only calls that
 * break this API's contract return an error.
 */
#ifndef GICSIM_GICV5_H
#define GICSIM_GICV5_H

#include <gicsim/common.h>
#include <gicsim/gic.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Interrupt identifiers ---------------------------------------------------------------- */

typedef enum gicsim_gicv5_type {
    GICSIM_GICV5_PPI = 1,
    GICSIM_GICV5_LPI = 2,
    GICSIM_GICV5_SPI = 3
} gicsim_gicv5_type;

#define GICSIM_GICV5_INTID(type, id) ((((uint32_t)(type)&7u) << 29) | ((uint32_t)(id)&0xFFFFFFu))
#define GICSIM_GICV5_INTID_TYPE(intid) (((uint32_t)(intid) >> 29) & 7u)
#define GICSIM_GICV5_INTID_ID(intid) ((uint32_t)(intid)&0xFFFFFFu)
#define GICSIM_GICV5_PPIS 128u

/* Architected PPIs (arm-gic-v5.h GICV5_ARCH_PPI_*). */
#define GICSIM_GICV5_PPI_NS_DB 2u
#define GICSIM_GICV5_PPI_SW 3u /* the only edge PPI */
#define GICSIM_GICV5_PPI_PMUIRQ 23u
#define GICSIM_GICV5_PPI_GICMNT 25u
#define GICSIM_GICV5_PPI_CNTHP 26u
#define GICSIM_GICV5_PPI_CNTV 27u
#define GICSIM_GICV5_PPI_CNTHV 28u
#define GICSIM_GICV5_PPI_CNTP 30u

/* Model sizes (docs/gicv5.md, "Assumptions"). */
#define GICSIM_GICV5_VM_ID_BITS 8u
#define GICSIM_GICV5_VPE_ID_BITS 8u
#define GICSIM_GICV5_DEVICEID_BITS 16u
#define GICSIM_GICV5_EVENTID_BITS 16u

/* ---- IRS configuration frame ---------------------------------------------------------------
 * Offsets of IRS_*; 32-bit registers take 4-byte accesses, 64-bit ones 8-byte accesses or
 * 4-byte accesses to either half. */
#define GICSIM_GICV5_IRS_IDR0 0x0000u
#define GICSIM_GICV5_IRS_IDR1 0x0004u
#define GICSIM_GICV5_IRS_IDR2 0x0008u
#define GICSIM_GICV5_IRS_IDR3 0x000Cu
#define GICSIM_GICV5_IRS_IDR4 0x0010u
#define GICSIM_GICV5_IRS_IDR5 0x0014u
#define GICSIM_GICV5_IRS_IDR6 0x0018u
#define GICSIM_GICV5_IRS_IDR7 0x001Cu
#define GICSIM_GICV5_IRS_IIDR 0x0040u
#define GICSIM_GICV5_IRS_AIDR 0x0044u
#define GICSIM_GICV5_IRS_CR0 0x0080u /* IRSEN[0], IDLE[1] (RO) */
#define GICSIM_GICV5_IRS_CR1 0x0084u
#define GICSIM_GICV5_IRS_SYNCR 0x00C0u        /* SYNC[31] */
#define GICSIM_GICV5_IRS_SYNC_STATUSR 0x00C4u /* IDLE[0] */
#define GICSIM_GICV5_IRS_SPI_VMR 0x0100u      /* 64: VM_ID[15:0], VIRT[63] */
#define GICSIM_GICV5_IRS_SPI_SELR 0x0108u     /* ID[23:0] */
#define GICSIM_GICV5_IRS_SPI_DOMAINR 0x010Cu
#define GICSIM_GICV5_IRS_SPI_RESAMPLER 0x0110u /* SPI_ID[23:0] */
#define GICSIM_GICV5_IRS_SPI_CFGR 0x0114u      /* TM[0]: 1 level */
#define GICSIM_GICV5_IRS_SPI_STATUSR 0x0118u   /* IDLE[0], V[1] */
#define GICSIM_GICV5_IRS_PE_SELR 0x0140u       /* IAFFID[15:0] */
#define GICSIM_GICV5_IRS_PE_STATUSR 0x0144u    /* IDLE[0], V[1], ONLINE[2] */
#define GICSIM_GICV5_IRS_PE_CR0 0x0148u        /* DPS[0] */
#define GICSIM_GICV5_IRS_IST_BASER 0x0180u     /* 64: VALID[0], ADDR[55:6] */
#define GICSIM_GICV5_IRS_IST_CFGR                                                                  \
    0x0190u /* LPI_ID_BITS[4:0], L2SZ[6:5], ISTSZ[8:7], STRUCTURE[16] */
#define GICSIM_GICV5_IRS_IST_STATUSR 0x0194u /* IDLE[0] */
#define GICSIM_GICV5_IRS_MAP_L2_ISTR 0x01C0u /* ID[23:0] */
#define GICSIM_GICV5_IRS_VMT_BASER 0x0200u   /* 64: VALID[0], ADDR[55:3] */
#define GICSIM_GICV5_IRS_VMT_CFGR 0x0210u    /* VM_ID_BITS[4:0], STRUCTURE[16] */
#define GICSIM_GICV5_IRS_VMT_STATUSR 0x0214u /* IDLE[0] */
#define GICSIM_GICV5_IRS_VPE_SELR 0x0240u    /* 64: VM_ID[15:0], VPE_ID[47:32], S[63] */
#define GICSIM_GICV5_IRS_VPE_DBR 0x0248u     /* 64: INTID[23:0], DBPM[36:32], REQ_DB[62], DBV[63] */
#define GICSIM_GICV5_IRS_VPE_HPPIR 0x0250u   /* 64: ID[23:0], TYPE[31:29], HPPIV[32] */
#define GICSIM_GICV5_IRS_VPE_CR0 0x0258u     /* DPS[0] */
#define GICSIM_GICV5_IRS_VPE_STATUSR 0x025Cu /* IDLE[0], V[1] */
#define GICSIM_GICV5_IRS_VM_DBR 0x0280u
#define GICSIM_GICV5_IRS_VM_SELR 0x0288u
#define GICSIM_GICV5_IRS_VM_STATUSR 0x028Cu
#define GICSIM_GICV5_IRS_VMAP_L2_VMTR 0x02C0u  /* 64: VM_ID[15:0], M[63] */
#define GICSIM_GICV5_IRS_VMAP_VMR 0x02C8u      /* 64: VM_ID[15:0], U[62], M[63] */
#define GICSIM_GICV5_IRS_VMAP_VISTR 0x02D0u    /* 64: TYPE[31:29], VM_ID[47:32], U[62], M[63] */
#define GICSIM_GICV5_IRS_VMAP_L2_VISTR 0x02D8u /* 64: ID[23:0], TYPE, VM_ID[47:32], M[63] */
#define GICSIM_GICV5_IRS_VMAP_VPER 0x02E0u     /* 64: VPE_ID[15:0], VM_ID[47:32], M[63] */

#define GICSIM_GICV5_IRS_CR0_IRSEN (1u << 0)
#define GICSIM_GICV5_IRS_IDLE (1u << 0) /* IDLE of the *_STATUSR registers */
#define GICSIM_GICV5_IRS_V (1u << 1)    /* V of SPI_, PE_, VPE_ and VM_STATUSR */
#define GICSIM_GICV5_IST_BASER_VALID (1ull << 0)
#define GICSIM_GICV5_IST_CFGR_TWO_LEVEL (1u << 16)
#define GICSIM_GICV5_VMAP_M (1ull << 63)
#define GICSIM_GICV5_VMAP_U (1ull << 62)

/* In-memory formats (little-endian):
 *   L1 ISTE (8 bytes): VALID[0], L2_ADDR[55:12];
 *   L2 ISTE (4 bytes with IST_CFGR.ISTSZ 0): Pending[0], Active[1], HM[2] (1 level),
 *   Enable[3], IRM[4], Priority[15:11], IAFFID[31:16] (a vPE ID in a VM's IST);
 *   L2 VMTE (32 bytes): dword0 VALID[0] VMD_ADDR[55:3]; dword1 VPET_ADDR[55:3]
 *   VPE_ID_BITS[63:59]; dword2 the LPI IST, dword3 the SPI IST, each VALID[0] L2SZ[2:1]
 *   ADDR[55:6] ISTSZ[57:56] STRUCTURE[58] ID_BITS[63:59];
 *   VPETE (8 bytes): VALID[0], VPED_ADDR[55:5]. */
#define GICSIM_GICV5_ISTE_PENDING (1u << 0)
#define GICSIM_GICV5_ISTE_ACTIVE (1u << 1)
#define GICSIM_GICV5_ISTE_HM (1u << 2)
#define GICSIM_GICV5_ISTE_ENABLE (1u << 3)
#define GICSIM_GICV5_ISTE_IRM (1u << 4)
#define GICSIM_GICV5_ISTE_PRIO_SHIFT 11u
#define GICSIM_GICV5_ISTE_IAFFID_SHIFT 16u

GICSIM_API gicsim_status gicsim_gicv5_irs_read(gicsim_gic *gic, uint32_t offset, unsigned size,
                                               uint64_t *val);
GICSIM_API gicsim_status gicsim_gicv5_irs_write(gicsim_gic *gic, uint32_t offset, unsigned size,
                                                uint64_t val);

/* ---- ITS (control frame at 0x0, translate frame at 0x10000) ---------------------------------
 * In-memory formats: DT L1 entry VALID[0] L2_ADDR[55:3] SPAN[63:60]; DTE (L2) VALID[0]
 * ITT_L2SZ[2:1] ITT_ADDR[55:3] ITT_STRUCTURE[58] EVENT_ID_BITS[63:59]; ITT L1 entry as the DT
 * L1 entry; ITTE (L2, 8 bytes) LPI_ID[23:0] VIRTUAL[30] VALID[31] VM_ID[47:32]. */
#define GICSIM_GICV5_ITS_IDR0 0x0000u
#define GICSIM_GICV5_ITS_IDR1 0x0004u /* DEVICEID_BITS[5:0], DT_LEVELS[6], ITT_LEVELS[7], L2SZ */
#define GICSIM_GICV5_ITS_IDR2 0x0008u /* EVENTID_BITS[4:0] */
#define GICSIM_GICV5_ITS_IIDR 0x0040u
#define GICSIM_GICV5_ITS_CR0 0x0080u /* ITSEN[0], IDLE[1] (RO) */
#define GICSIM_GICV5_ITS_CR1 0x0084u
#define GICSIM_GICV5_ITS_DT_BASER 0x00C0u     /* 64: ADDR[55:3] */
#define GICSIM_GICV5_ITS_DT_CFGR 0x00D0u      /* DEVICEID_BITS[5:0], L2SZ[7:6], STRUCTURE[16] */
#define GICSIM_GICV5_ITS_DIDR 0x0100u         /* 64: DEVICEID[31:0] */
#define GICSIM_GICV5_ITS_EIDR 0x0108u         /* EVENTID[15:0] */
#define GICSIM_GICV5_ITS_INV_EVENTR 0x010Cu   /* I[31]: invalidate (DIDR, EIDR) */
#define GICSIM_GICV5_ITS_INV_DEVICER 0x0110u  /* I[31]: invalidate device DIDR */
#define GICSIM_GICV5_ITS_STATUSR 0x0120u      /* IDLE[0] */
#define GICSIM_GICV5_ITS_SYNCR 0x0140u        /* 64: DEVICEID[31:0], SYNCALL[32], SYNC[63] */
#define GICSIM_GICV5_ITS_SYNC_STATUSR 0x0148u /* IDLE[0] */
#define GICSIM_GICV5_ITS_TRANSLATER 0x10000u  /* WO: EventID (DeviceID: gicsim_gicv5_msi) */
#define GICSIM_GICV5_ITS_CR0_ITSEN (1u << 0)
#define GICSIM_GICV5_ITS_INV_I (1u << 31)

GICSIM_API gicsim_status gicsim_gicv5_its_read(gicsim_gic *gic, uint32_t offset, unsigned size,
                                               uint64_t *val);
GICSIM_API gicsim_status gicsim_gicv5_its_write(gicsim_gic *gic, uint32_t offset, unsigned size,
                                                uint64_t val);
/* Device `device_id` writes `event_id` to ITS_TRANSLATER (an MSI). GICSIM_E_UNSUPPORTED without
 * an ITS (gicsim_gic_config.its). Untranslatable events are dropped and counted. */
GICSIM_API gicsim_status gicsim_gicv5_msi(gicsim_gic *gic, uint32_t device_id, uint32_t event_id);

/* ---- IWB ----------------------------------------------------------------------------------- */
#define GICSIM_GICV5_IWB_IDR0 0x0000u            /* IW_RANGE[10:0] = wires / 32 - 1 */
#define GICSIM_GICV5_IWB_CR0 0x0080u             /* IWBEN[0] (reset 1), IDLE[1] */
#define GICSIM_GICV5_IWB_WENABLE_STATUSR 0x00C0u /* IDLE[0] */
#define GICSIM_GICV5_IWB_WENABLER 0x2000u        /* + 4n: wires 32n..32n+31 enabled */
#define GICSIM_GICV5_IWB_WTMR 0x4000u            /* + 4n: trigger mode, 1 level */

GICSIM_API gicsim_status gicsim_gicv5_iwb_read(gicsim_gic *gic, uint32_t offset, unsigned size,
                                               uint64_t *val);
GICSIM_API gicsim_status gicsim_gicv5_iwb_write(gicsim_gic *gic, uint32_t offset, unsigned size,
                                                uint64_t val);
/* Drive IWB wire `wire` (GICSIM_E_RANGE beyond gicsim_gic_config.iwb_wires; GICSIM_E_UNSUPPORTED
 * without an IWB or an ITS). */
GICSIM_API gicsim_status gicsim_gicv5_set_wire(gicsim_gic *gic, uint32_t wire, bool level);

/* ---- Wires into the IRS and the CPU interfaces -----------------------------------------------
 * Drive an interrupt line: an SPI of the IRS (type SPI, `pe` ignored) or a PPI of PE `pe`
 * (type PPI). GICSIM_E_RANGE for an LPI, an ID the GIC does not implement or a PE that does
 * not exist. */
GICSIM_API gicsim_status gicsim_gicv5_set_line(gicsim_gic *gic, uint32_t pe, uint32_t intid,
                                               bool level);

/* ---- CPU interface: system registers and GIC system instructions ---------------------------
 * gicsim_gicv5_sysreg_read/_write act on PE `pe` at EL1/EL2 (the host's physical view, and the
 * ICH_*_EL2 registers and GIC VD* instructions of the hypervisor); gicsim_gicv5_guest_read/
 * _write are the same ICC_* registers and GIC/GICR instructions executed by the guest of the
 * vPE resident on `pe` (the virtual view: ICH_VMCR_EL2, ICH_APR_EL2, ICH_PPI_* and the
 * resident VM's ISTs). A GIC instruction is written (its operand is the value); GICR CDIA and
 * CDNMIA are read. Reading a write-only one or writing a read-only one is ignored (reads give
 * 0) and counted. */
typedef enum gicsim_gicv5_sysreg {
    GICSIM_GICV5_ICC_CR0,     /* EN[0] (LINK and LINK_IDLE read 1) */
    GICSIM_GICV5_ICC_PCR,     /* PRIORITY[4:0]: priority mask, sufficient when priority <= PCR */
    GICSIM_GICV5_ICC_APR,     /* P0..P31: active priorities */
    GICSIM_GICV5_ICC_HAPR,    /* RO: running priority, 0xFF when idle */
    GICSIM_GICV5_ICC_HPPIR,   /* RO: ID, TYPE[31:29], HPPIV[32] */
    GICSIM_GICV5_ICC_ICSR,    /* CDRCFG's result: F[0] Enabled Pending IRM Active HM,
                                 Priority[15:11], IAFFID[47:32] */
    GICSIM_GICV5_ICC_IAFFIDR, /* RO: IAFFID (the PE; in a guest, the vPE) */
    GICSIM_GICV5_ICC_IDR0,    /* RO: ID_BITS 24, PRI_BITS 5 */
    GICSIM_GICV5_ICC_PPI_ENABLER0,
    GICSIM_GICV5_ICC_PPI_ENABLER1,
    GICSIM_GICV5_ICC_PPI_SPENDR0, /* reads the pending state, writes set it (edge PPIs) */
    GICSIM_GICV5_ICC_PPI_SPENDR1,
    GICSIM_GICV5_ICC_PPI_CPENDR0,
    GICSIM_GICV5_ICC_PPI_CPENDR1,
    GICSIM_GICV5_ICC_PPI_SACTIVER0,
    GICSIM_GICV5_ICC_PPI_SACTIVER1,
    GICSIM_GICV5_ICC_PPI_CACTIVER0,
    GICSIM_GICV5_ICC_PPI_CACTIVER1,
    GICSIM_GICV5_ICC_PPI_HMR0, /* RO: handling modes, 1 level */
    GICSIM_GICV5_ICC_PPI_HMR1,
    GICSIM_GICV5_ICC_PPI_PRIORITYR0, /* ... PRIORITYR15: Priority<n> at [8n+4:8n] */
    GICSIM_GICV5_ICC_PPI_PRIORITYR15 = GICSIM_GICV5_ICC_PPI_PRIORITYR0 + 15,
    GICSIM_GICV5_GIC_CDDIS, /* WO: Type[31:29] ID[23:0] */
    GICSIM_GICV5_GIC_CDEN,
    GICSIM_GICV5_GIC_CDPRI,  /* + Priority[39:35] */
    GICSIM_GICV5_GIC_CDAFF,  /* + IAFFID[47:32], IRM[28] */
    GICSIM_GICV5_GIC_CDPEND, /* + Pending[32] */
    GICSIM_GICV5_GIC_CDRCFG, /* result in ICC_ICSR */
    GICSIM_GICV5_GIC_CDEOI,  /* priority drop */
    GICSIM_GICV5_GIC_CDDI,   /* deactivate */
    GICSIM_GICV5_GIC_CDHM,   /* + HM[32] */
    GICSIM_GICV5_GICR_CDIA,  /* RO: acknowledge: INTID | VALID[32] */
    GICSIM_GICV5_GICR_CDNMIA,
    GICSIM_GICV5_GSB_SYS, /* WO barriers: no effect in the model (effects are ordered) */
    GICSIM_GICV5_GSB_ACK,
    GICSIM_GICV5_ICH_VCTLR,     /* EN[0], V3[1] (GICv3 mode not modelled: RAZ/WI) */
    GICSIM_GICV5_ICH_VMCR,      /* EN[0], VPMR[31:27]: the guest's ICC_CR0.EN and ICC_PCR */
    GICSIM_GICV5_ICH_APR,       /* the guest's ICC_APR */
    GICSIM_GICV5_ICH_CONTEXTR,  /* VM[15:0], VPE[47:32], DBPM[59:55], DB[60], F[62], V[63] */
    GICSIM_GICV5_ICH_PPI_DVIR0, /* direct virtual injection of the physical PPI */
    GICSIM_GICV5_ICH_PPI_DVIR1,
    GICSIM_GICV5_ICH_PPI_ENABLER0,
    GICSIM_GICV5_ICH_PPI_ENABLER1,
    GICSIM_GICV5_ICH_PPI_PENDR0, /* virtual PPIs injected by the hypervisor (not DVI) */
    GICSIM_GICV5_ICH_PPI_PENDR1,
    GICSIM_GICV5_ICH_PPI_ACTIVER0,
    GICSIM_GICV5_ICH_PPI_ACTIVER1,
    GICSIM_GICV5_ICH_PPI_PRIORITYR0,
    GICSIM_GICV5_ICH_PPI_PRIORITYR15 = GICSIM_GICV5_ICH_PPI_PRIORITYR0 + 15,
    GICSIM_GICV5_GIC_VDPEND, /* WO: Pending[63], VM[47:32], Type[31:29], ID[23:0] */
    GICSIM_GICV5_SYSREG__COUNT
} gicsim_gicv5_sysreg;

#define GICSIM_GICV5_CDIA_VALID (1ull << 32)
#define GICSIM_GICV5_ICC_CR0_EN (1u << 0)
#define GICSIM_GICV5_CONTEXTR_V (1ull << 63)
#define GICSIM_GICV5_CONTEXTR_F (1ull << 62)
#define GICSIM_GICV5_CONTEXTR_DB (1ull << 60)
#define GICSIM_GICV5_CONTEXTR_DBPM_SHIFT 55u
#define GICSIM_GICV5_CONTEXTR_VPE_SHIFT 32u

/* GICSIM_E_RANGE for a bad PE or register number; GICSIM_E_INVAL for a register the guest has
 * no view of (ICH_*, GIC VD*) in gicsim_gicv5_guest_*. */
GICSIM_API gicsim_status gicsim_gicv5_sysreg_read(gicsim_gic *gic, uint32_t pe,
                                                  gicsim_gicv5_sysreg reg, uint64_t *val);
GICSIM_API gicsim_status gicsim_gicv5_sysreg_write(gicsim_gic *gic, uint32_t pe,
                                                   gicsim_gicv5_sysreg reg, uint64_t val);
GICSIM_API gicsim_status gicsim_gicv5_guest_read(gicsim_gic *gic, uint32_t pe,
                                                 gicsim_gicv5_sysreg reg, uint64_t *val);
GICSIM_API gicsim_status gicsim_gicv5_guest_write(gicsim_gic *gic, uint32_t pe,
                                                  gicsim_gicv5_sysreg reg, uint64_t val);
/* "ICC_PCR_EL1", "GIC_CDPEND", "GICR_CDIA", "ICH_CONTEXTR_EL2", ...; NULL out of range. */
GICSIM_API const char *gicsim_gicv5_sysreg_name(gicsim_gicv5_sysreg reg);

/* ---- Inspection ---------------------------------------------------------------------------- */

/* State of a physical interrupt: a PPI of PE `pe`, an SPI or an LPI (`pe` ignored); an LPI of
 * an IST that is not valid, or whose entry is not mapped, reads inactive. */
GICSIM_API gicsim_status gicsim_gicv5_irq_state(const gicsim_gic *gic, uint32_t pe, uint32_t intid,
                                                gicsim_irq_state *out);
/* State of VM `vm`'s virtual SPI or LPI (from its IST); GICSIM_E_RANGE for a VM that is not
 * valid or a PPI (virtual PPIs are the ICH_PPI_* registers). */
GICSIM_API gicsim_status gicsim_gicv5_virq_state(const gicsim_gic *gic, uint32_t vm, uint32_t intid,
                                                 gicsim_irq_state *out);

typedef struct gicsim_gicv5_stats {
    /* Virtual SPIs and LPIs (handled in hardware, in the VMs' ISTs), with the accounting of
     * gicsim_gic_stats: vraised == vacknowledged + vwithdrawn + vpending_now. */
    uint64_t vraised;
    uint64_t vmerged;
    uint64_t vacknowledged;
    uint64_t vwithdrawn;
    uint64_t vpending_now;
    uint64_t ppi_direct_acks; /* guest acknowledges of physical PPIs with ICH_PPI_DVIR set */
    uint64_t irs_requests;    /* commands that reached the IRS (CD*, VDPEND, ITS, doorbells) */
    uint64_t irs_dropped; /* commands for an ID outside the SPIs or the IST, an IST or VM that is
                             not valid, a PPI, or an unmapped L2 IST */
    uint64_t irs_busy_writes;  /* register writes to an IRS unit whose IDLE read 0 (ignored) */
    uint64_t ist_reads;        /* IST, VM table and vPE table entries read from memory */
    uint64_t ist_writes;       /* IST entries written through to memory */
    uint64_t ist_hits;         /* interrupt states found in the IRS's cache */
    uint64_t its_events;       /* MSIs and IWB events the ITS received */
    uint64_t its_translations; /* events translated into an LPI or a vLPI */
    uint64_t its_cache_hits;
    uint64_t its_errors; /* events dropped: ITS disabled, DeviceID or EventID out of range, L1 or
                            DTE or ITTE not valid */
    uint64_t iwb_events; /* wire changes sent to the ITS */
    uint64_t iwb_disabled_drops; /* wire changes of a disabled wire or IWB */
    uint64_t residency_faults;   /* ICH_CONTEXTR_EL2 V=1 for a VM or vPE that is not valid */
    uint64_t doorbell_requests;  /* non-residencies that requested a doorbell (DB=1) */
    uint64_t commands_ignored;   /* GIC CD* with nothing to act on (CDEOI with no active
                                    priority, CDDI of an inactive interrupt, a PPI type) */
} gicsim_gicv5_stats;

GICSIM_API void gicsim_gicv5_get_stats(const gicsim_gic *gic, gicsim_gicv5_stats *out);

#ifdef __cplusplus
}
#endif

#endif
