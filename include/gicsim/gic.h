/* gicsim: the physical GICv3 model (distributor, redistributors, CPU interfaces).
 *
 * A gicsim_gic lives on a gicsim_engine. Register accesses (MMIO and ICC_*
 * system registers) act on the state at the engine's current time and return
 * at once; the propagation of a state change from the distributor to a
 * redistributor and from a redistributor to its CPU interface takes the
 * configured hop times (costs dist_to_redist, redist_to_cpuif, sgi_route) and
 * happens in engine events. The CPU interface drives each PE's IRQ and FIQ
 * outputs; listeners registered with gicsim_gic_add_line_listener see every
 * change.
 *
 * Security model: the PEs execute in Non-secure state. With GICD_CTLR.DS=1
 * (the default) there is a single Security state and two groups, Group 0
 * (signalled as FIQ, acknowledged through IAR0) and Group 1 (IRQ, IAR1).
 * With DS=0 the three groups G0, G1S and G1NS exist, GICD/GICR registers are
 * accessed with the Secure view, G1NS is signalled as IRQ and G0 as FIQ;
 * Secure Group 1 is enabled at the CPU interface by EL3 firmware, which is not
 * modelled, so G1S interrupts stay pending and are never forwarded to a PE.
 * Affinity routing is always enabled (ARE is RAO/WI).
 */
#ifndef GICSIM_GIC_H
#define GICSIM_GIC_H

#include <gicsim/common.h>
#include <gicsim/engine.h>
#include <gicsim/timing.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gicsim_gic gicsim_gic;

typedef enum gicsim_gic_version {
    GICSIM_GICV3 = 30,
    GICSIM_GICV4_0 = 40,
    GICSIM_GICV4_1 = 41,
    GICSIM_GICV5 = 50 /* GICv5: IRS, ITS, IWB and CPU interface of <gicsim/gicv5.h> */
} gicsim_gic_version;

/* INTID ranges and special INTIDs (GICv3 architecture). */
#define GICSIM_SGI_BASE 0u
#define GICSIM_PPI_BASE 16u
#define GICSIM_SPI_BASE 32u
#define GICSIM_SPI_MAX 1019u
#define GICSIM_LPI_BASE 8192u
#define GICSIM_INTID_SPURIOUS 1023u
#define GICSIM_PPI_MAINTENANCE 25u
#define GICSIM_PPI_VTIMER 27u
#define GICSIM_PPI_PTIMER 30u

typedef struct gicsim_gic_config {
    gicsim_gic_version version; /* default GICSIM_GICV3 */
    uint32_t num_pes;           /* 1..4096, default 4 */
    uint32_t num_spis;        /* 0..988 SPIs (INTIDs 32..32+n-1), rounded up to a multiple of 32 in
                                 GICD_TYPER; default 96 */
    uint8_t priority_bits;    /* implemented priority bits, 4..8, default 5 */
    bool security_disabled;   /* reset value of GICD_CTLR.DS; default true */
    bool one_of_n;            /* 1-of-N SPI routing supported (GICD_TYPER.No1N=0); default true */
    uint32_t pes_per_cluster; /* PEs sharing Aff1 (Aff0 = pe % this), 1..16, default 16 */
    uint32_t num_lrs;         /* list registers per virtual CPU interface, 1..16, default 4 */
    uint8_t lpi_id_bits;      /* INTID bits with LPIs (GICD_TYPER.IDbits + 1), 14..20, default 16 */
    bool its;                 /* an ITS is present (GITS_* frame), default true */
    uint32_t its_cache_entries; /* ITS translation cache entries (LRU), 0..4096, default 32 */
    uint32_t sockets; /* sockets the PEs are spread over, 1..num_pes, default 1: PE n sits on
                         socket n * sockets / num_pes; the distributor and the ITS on socket 0.
                         A message between sockets costs socket_hop more. */
    /* GICv4.0: the redistributors implement GICR_VPENDBASER.Dirty (reported
     * in GICR_TYPER.Dirty), which reads 1 while a VPT being made resident is
     * parsed; optional in GICv4.0 (default true), always present in GICv4.1.
     * Linux waits for it only when GICR_TYPER.Dirty is set
     * (its_wait_vpt_parse_complete, has_vpend_valid_dirty); without it the
     * vCPU may enter before its vLPIs are presented. */
    bool vpt_dirty;
    const gicsim_timing *timing; /* hop costs; NULL means gicsim_timing_init defaults. Copied. */
    /* GICv5 only (<gicsim/gicv5.h>); num_spis counts the IRS's SPIs, lpi_id_bits the LPI ID
     * bits (IRS_IDR2.ID_BITS), priority_bits the IRS's priority bits (4 or 5 with GICv5),
     * its/its_cache_entries the GICv5 ITS. */
    uint32_t iwb_wires;     /* wires of the IWB, a multiple of 32 up to 1024; 0: no IWB.
                               Default 64 */
    uint32_t iwb_device_id; /* the IWB's DeviceID at the ITS (its wires are its EventIDs),
                               below 2^16; default 0xFFFF */
} gicsim_gic_config;

GICSIM_API void gicsim_gic_config_init(gicsim_gic_config *cfg);

/* GICSIM_E_INVAL when a field is outside its documented range. */
GICSIM_API gicsim_status gicsim_gic_create(gicsim_engine *engine, const gicsim_gic_config *cfg,
                                           gicsim_gic **out);
GICSIM_API void gicsim_gic_destroy(gicsim_gic *gic);

GICSIM_API gicsim_engine *gicsim_gic_engine(const gicsim_gic *gic);
GICSIM_API uint32_t gicsim_gic_num_pes(const gicsim_gic *gic);
GICSIM_API uint32_t gicsim_gic_num_spis(const gicsim_gic *gic);

/* Affinity of a PE in GICD_IROUTER layout: Aff3[39:32] Aff2[23:16] Aff1[15:8] Aff0[7:0]. */
GICSIM_API uint64_t gicsim_gic_pe_affinity(const gicsim_gic *gic, uint32_t pe);
/* GICSIM_E_NOTFOUND when no PE has that affinity. */
GICSIM_API gicsim_status gicsim_gic_pe_from_affinity(const gicsim_gic *gic, uint64_t affinity,
                                                     uint32_t *pe_out);

/* Program the GIC the way an OS (Linux's irq-gic-v3 driver) leaves it after
 * boot, through the architectural registers: GICD_CTLR.EnableGrp1 (and
 * EnableGrp1NS when DS=0), every redistributor awake (GICR_WAKER), every
 * interrupt Group 1 (Non-secure) with priority 0xA0, SPIs level-sensitive,
 * disabled and routed to PE 0, SGIs enabled, PPIs disabled; on every CPU
 * interface ICC_PMR=0xFF, BPR1 at its minimum, ICC_CTLR.EOImode=0 and
 * ICC_IGRPEN1=1. A GICv5 is left as Linux's irq-gic-v5 driver leaves it:
 * IRS_CR0.IRSEN, IRS_PE_CR0.DPS on every PE, and on every CPU interface
 * ICC_CR0.EN=1, ICC_PCR=0x1F, the PPIs disabled at priority 0x1F (the LPI IST,
 * the ITS and the interrupts themselves are the caller's to set up). */
GICSIM_API void gicsim_gic_os_init(gicsim_gic *gic);

/* ---- Interrupt wires ---------------------------------------------------- */

/* Drive an interrupt line: an SPI (32..31+num_spis; `pe` ignored) or a PPI
 * (16..31) of PE `pe`; SGIs and LPIs have no wire (GICSIM_E_RANGE).
 * Edge-triggered interrupts latch pending on a rising edge; level-sensitive
 * ones are pending while the line is high. */
GICSIM_API gicsim_status gicsim_gic_set_line(gicsim_gic *gic, uint32_t pe, uint32_t intid,
                                             bool level);
/* Rising edge immediately followed by the falling edge. */
GICSIM_API gicsim_status gicsim_gic_pulse(gicsim_gic *gic, uint32_t pe, uint32_t intid);

/* ---- MMIO register frames ------------------------------------------------ */

/* Distributor (GICD) frame. `size` is 1, 2, 4 or 8 bytes (else GICSIM_E_INVAL).
 * Accesses the architecture does not define (reserved offsets, absent
 * INTIDs, wrong width, unaligned) are RAZ/WI and counted in the statistics. */
GICSIM_API gicsim_status gicsim_gicd_read(gicsim_gic *gic, uint32_t offset, unsigned size,
                                          uint64_t *val);
GICSIM_API gicsim_status gicsim_gicd_write(gicsim_gic *gic, uint32_t offset, unsigned size,
                                           uint64_t val);

/* Redistributor frames of PE `pe`: RD_base at offset 0x00000, SGI_base at 0x10000
 * and, with GICv4, VLPI_base at 0x20000. */
GICSIM_API gicsim_status gicsim_gicr_read(gicsim_gic *gic, uint32_t pe, uint32_t offset,
                                          unsigned size, uint64_t *val);
GICSIM_API gicsim_status gicsim_gicr_write(gicsim_gic *gic, uint32_t pe, uint32_t offset,
                                           unsigned size, uint64_t val);

/* Distributor register offsets. */
#define GICSIM_GICD_CTLR 0x0000u
#define GICSIM_GICD_TYPER 0x0004u
#define GICSIM_GICD_IIDR 0x0008u
#define GICSIM_GICD_TYPER2 0x000Cu
#define GICSIM_GICD_STATUSR 0x0010u
#define GICSIM_GICD_SETSPI_NSR 0x0040u
#define GICSIM_GICD_CLRSPI_NSR 0x0048u
#define GICSIM_GICD_IGROUPR 0x0080u
#define GICSIM_GICD_ISENABLER 0x0100u
#define GICSIM_GICD_ICENABLER 0x0180u
#define GICSIM_GICD_ISPENDR 0x0200u
#define GICSIM_GICD_ICPENDR 0x0280u
#define GICSIM_GICD_ISACTIVER 0x0300u
#define GICSIM_GICD_ICACTIVER 0x0380u
#define GICSIM_GICD_IPRIORITYR 0x0400u
#define GICSIM_GICD_ITARGETSR 0x0800u
#define GICSIM_GICD_ICFGR 0x0C00u
#define GICSIM_GICD_IGRPMODR 0x0D00u
#define GICSIM_GICD_NSACR 0x0E00u
#define GICSIM_GICD_SGIR 0x0F00u
#define GICSIM_GICD_IROUTER 0x6000u /* + 8 * INTID, INTID 32..1019 */
#define GICSIM_GICD_PIDR2 0xFFE8u

/* GICD_CTLR bits (DS=1 view; with DS=0 the Secure view has EnableGrp1NS at
 * bit 1 and EnableGrp1S at bit 2). */
#define GICSIM_GICD_CTLR_ENABLE_GRP0 (1u << 0)
#define GICSIM_GICD_CTLR_ENABLE_GRP1 (1u << 1)
#define GICSIM_GICD_CTLR_ENABLE_GRP1NS (1u << 1)
#define GICSIM_GICD_CTLR_ENABLE_GRP1S (1u << 2)
#define GICSIM_GICD_CTLR_ARE (1u << 4)
#define GICSIM_GICD_CTLR_ARE_NS (1u << 5)
#define GICSIM_GICD_CTLR_DS (1u << 6)
#define GICSIM_GICD_CTLR_RWP (1u << 31)
#define GICSIM_GICD_IROUTER_IRM (1ull << 31)
#define GICSIM_GICD_CTLR_NASSGIREQ (1u << 8) /* GICv4.1: SGIs without an active state requested */
#define GICSIM_GICD_TYPER_LPIS (1u << 17)
#define GICSIM_GICD_TYPER2_NASSGICAP (1u << 8) /* GICv4.1 */

/* Redistributor register offsets (RD_base). */
#define GICSIM_GICR_CTLR 0x0000u
#define GICSIM_GICR_IIDR 0x0004u
#define GICSIM_GICR_TYPER 0x0008u
#define GICSIM_GICR_STATUSR 0x0010u
#define GICSIM_GICR_WAKER 0x0014u
#define GICSIM_GICR_PIDR2 0xFFE8u
#define GICSIM_GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICSIM_GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICSIM_GICR_TYPER_LAST (1ull << 4)
/* LPI registers of RD_base (64-bit; 32-bit accesses to either half also work
 * for PROPBASER and PENDBASER). */
#define GICSIM_GICR_SETLPIR 0x0040u   /* WO: pINTID[31:0] set pending */
#define GICSIM_GICR_CLRLPIR 0x0048u   /* WO: pINTID[31:0] clear pending */
#define GICSIM_GICR_PROPBASER 0x0070u /* IDbits[4:0] PA[51:12] (+ cacheability, shareability) */
#define GICSIM_GICR_PENDBASER 0x0078u /* PA[51:16] PTZ[62] (WO) */
#define GICSIM_GICR_INVLPIR 0x00A0u   /* WO: pINTID[31:0]: reload its configuration */
#define GICSIM_GICR_INVALLR 0x00B0u   /* WO: reload every LPI configuration */
#define GICSIM_GICR_SYNCR 0x00C0u     /* RO: Busy[0] */
#define GICSIM_GICR_CTLR_ENABLE_LPIS (1u << 0)
#define GICSIM_GICR_PENDBASER_PTZ (1ull << 62)
#define GICSIM_GICR_TYPER_PLPIS (1ull << 0)
#define GICSIM_GICR_TYPER_VLPIS (1ull << 1)
#define GICSIM_GICR_TYPER_DIRTY (1ull << 2)
#define GICSIM_GICR_TYPER_DIRECT_LPI (1ull << 3)
#define GICSIM_GICR_TYPER_RVPEID (1ull << 7)
#define GICSIM_GICR_TYPER_VSGI (1ull << 26)
/* VLPI_base frame (GICv4), at offset 0x20000 from the start of the redistributor. */
#define GICSIM_GICR_VLPI_BASE 0x20000u
#define GICSIM_GICR_VPROPBASER (GICSIM_GICR_VLPI_BASE + 0x0070u) /* IDbits[4:0] PA[51:12] */
#define GICSIM_GICR_VPENDBASER (GICSIM_GICR_VLPI_BASE + 0x0078u) /* PA[51:16] + the bits below */
#define GICSIM_GICR_VPENDBASER_DIRTY (1ull << 60)
#define GICSIM_GICR_VPENDBASER_PENDING_LAST (1ull << 61)
#define GICSIM_GICR_VPENDBASER_IDAI (1ull << 62)
/* GICv4.1: the same bit is Doorbell: written 1 with Valid 1 -> 0, it asks
 * the redistributor for the vPE's doorbell when one of its interrupts
 * becomes pending while it is not resident. */
#define GICSIM_GICR_VPENDBASER_DB (1ull << 62)
#define GICSIM_GICR_VPENDBASER_VALID (1ull << 63)
/* SGI_base frame (offsets from the start of the redistributor). */
#define GICSIM_GICR_SGI_BASE 0x10000u
#define GICSIM_GICR_IGROUPR0 (GICSIM_GICR_SGI_BASE + 0x0080u)
#define GICSIM_GICR_ISENABLER0 (GICSIM_GICR_SGI_BASE + 0x0100u)
#define GICSIM_GICR_ICENABLER0 (GICSIM_GICR_SGI_BASE + 0x0180u)
#define GICSIM_GICR_ISPENDR0 (GICSIM_GICR_SGI_BASE + 0x0200u)
#define GICSIM_GICR_ICPENDR0 (GICSIM_GICR_SGI_BASE + 0x0280u)
#define GICSIM_GICR_ISACTIVER0 (GICSIM_GICR_SGI_BASE + 0x0300u)
#define GICSIM_GICR_ICACTIVER0 (GICSIM_GICR_SGI_BASE + 0x0380u)
#define GICSIM_GICR_IPRIORITYR (GICSIM_GICR_SGI_BASE + 0x0400u)
#define GICSIM_GICR_ICFGR0 (GICSIM_GICR_SGI_BASE + 0x0C00u)
#define GICSIM_GICR_ICFGR1 (GICSIM_GICR_SGI_BASE + 0x0C04u)
#define GICSIM_GICR_IGRPMODR0 (GICSIM_GICR_SGI_BASE + 0x0D00u)
#define GICSIM_GICR_NSACR (GICSIM_GICR_SGI_BASE + 0x0E00u)

/* ---- CPU interface system registers (ICC_*_EL1) ----------------------------- */

typedef enum gicsim_icc_reg {
    GICSIM_ICC_IAR0,    /* RO: acknowledge Group 0 */
    GICSIM_ICC_IAR1,    /* RO: acknowledge Group 1 */
    GICSIM_ICC_EOIR0,   /* WO: priority drop (+ deactivate when EOImode=0), Group 0 */
    GICSIM_ICC_EOIR1,   /* WO: same, Group 1 */
    GICSIM_ICC_DIR,     /* WO: deactivate (EOImode=1) */
    GICSIM_ICC_HPPIR0,  /* RO */
    GICSIM_ICC_HPPIR1,  /* RO */
    GICSIM_ICC_PMR,     /* RW: priority mask */
    GICSIM_ICC_BPR0,    /* RW */
    GICSIM_ICC_BPR1,    /* RW */
    GICSIM_ICC_RPR,     /* RO: running priority */
    GICSIM_ICC_CTLR,    /* RW: CBPR[0], EOImode[1], PRIbits[10:8] RO */
    GICSIM_ICC_IGRPEN0, /* RW */
    GICSIM_ICC_IGRPEN1, /* RW */
    GICSIM_ICC_SGI0R,   /* WO: generate Group 0 SGI */
    GICSIM_ICC_SGI1R,   /* WO: generate Group 1 SGI of the current Security state */
    GICSIM_ICC_ASGI1R,  /* WO: generate Group 1 SGI of the other Security state */
    GICSIM_ICC_AP0R0,
    GICSIM_ICC_AP0R1,
    GICSIM_ICC_AP0R2,
    GICSIM_ICC_AP0R3,
    GICSIM_ICC_AP1R0,
    GICSIM_ICC_AP1R1,
    GICSIM_ICC_AP1R2,
    GICSIM_ICC_AP1R3,
    GICSIM_ICC_SRE, /* SRE[0] RAO/WI */
    GICSIM_ICC__COUNT
} gicsim_icc_reg;

/* ICC_CTLR_EL1 bits. */
#define GICSIM_ICC_CTLR_CBPR (1u << 0)
#define GICSIM_ICC_CTLR_EOIMODE (1u << 1)

/* Build an ICC_SGI1R_EL1 / SGI0R / ASGI1R value. `target_list` bit n selects
 * Aff0 = rs*16 + n in cluster (aff3, aff2, aff1); irm=true targets every PE
 * except the sender. */
GICSIM_API uint64_t gicsim_icc_sgir_value(uint32_t intid, uint16_t target_list, uint8_t aff1,
                                          uint8_t aff2, uint8_t aff3, uint8_t rs, bool irm);

/* Read/write a system register of PE `pe`'s CPU interface. Writing a
 * read-only register or reading a write-only one is ignored (reads give 0)
 * and counted. GICSIM_E_RANGE for a bad PE or register number. */
GICSIM_API gicsim_status gicsim_icc_read(gicsim_gic *gic, uint32_t pe, gicsim_icc_reg reg,
                                         uint64_t *val);
GICSIM_API gicsim_status gicsim_icc_write(gicsim_gic *gic, uint32_t pe, gicsim_icc_reg reg,
                                          uint64_t val);
GICSIM_API const char *gicsim_icc_reg_name(gicsim_icc_reg reg);

/* ---- Outputs and observation --------------------------------------------- */

/* Called whenever PE `pe`'s IRQ or FIQ output changes level. */
typedef void (*gicsim_line_fn)(void *ctx, uint32_t pe, bool irq, bool fiq);
/* At most 8 listeners; GICSIM_E_FULL beyond. */
GICSIM_API gicsim_status gicsim_gic_add_line_listener(gicsim_gic *gic, gicsim_line_fn fn,
                                                      void *ctx);
GICSIM_API bool gicsim_gic_irq_line(const gicsim_gic *gic, uint32_t pe);
GICSIM_API bool gicsim_gic_fiq_line(const gicsim_gic *gic, uint32_t pe);

typedef enum gicsim_gic_event_kind {
    GICSIM_GEV_RAISE,     /* an interrupt instance became pending (t_assert) */
    GICSIM_GEV_MERGE,     /* raised while already pending: one pending state absorbs it */
    GICSIM_GEV_SIGNAL,    /* the CPU interface presents it to the PE (t_signal) */
    GICSIM_GEV_ACK,       /* acknowledged through IAR: pending -> active (t_ack) */
    GICSIM_GEV_WITHDRAW,  /* stopped being pending without an acknowledge (line dropped, ICPENDR) */
    GICSIM_GEV_PRIO_DROP, /* EOIR dropped the running priority (t_eoi) */
    GICSIM_GEV_DEACTIVATE, /* left the active state (t_deact) */
    GICSIM_GEV_SGI_SEND,   /* a PE wrote SGI0R/SGI1R/ASGI1R; intid is the SGI, pe the sender */
    /* Virtual CPU interface (intid is the vINTID): */
    GICSIM_GEV_VSIGNAL,     /* a list register's interrupt is presented to the guest */
    GICSIM_GEV_VACK,        /* the guest acknowledged it through ICV_IAR */
    GICSIM_GEV_VPRIO_DROP,  /* the guest's ICV_EOIR dropped the virtual running priority */
    GICSIM_GEV_VDEACTIVATE, /* the guest deactivated it (ICV_EOIR with VEOIM=0, or ICV_DIR) */
    GICSIM_GEV_MAINTENANCE, /* the maintenance interrupt was asserted; intid holds ICH_MISR */
    /* GICv4 (pe: the redistributor concerned): */
    GICSIM_GEV_VLPI,     /* a vLPI (or a GICv4.1 vSGI) `intid` became pending for a vPE at the
                            redistributor of `pe`, resident there or not */
    GICSIM_GEV_DOORBELL, /* the redistributor of `pe` raised doorbell LPI `intid` for a vPE that
                            is not resident (it becomes pending a `doorbell` cost later) */
    /* The ITS's service, one request at a time (pe: UINT32_MAX when none): */
    GICSIM_GEV_ITS_COMMAND,   /* it starts the command at GITS_CREADR; intid: the opcode */
    GICSIM_GEV_ITS_TRANSLATE, /* it starts a GITS_TRANSLATER write (or GICv4.1 GITS_SGIR):
                                 intid is the (v)INTID it resolves to and pe its target, or
                                 GICSIM_INTID_SPURIOUS and UINT32_MAX when it is dropped */
    GICSIM_GEV_ITS_DONE,      /* the command or request in service completed (pe and intid as
                                 at its start) */
    /* Virtual CPU interface: */
    GICSIM_GEV_LR_USED, /* the number of list registers of `pe` not in the invalid state
                           changed; intid is the new number */
    /* GICv5, a VM's SPI or LPI at the IRS (pe: the VM's ID, not a PE; intid: its GICv5 INTID;
     * gicsim_gicv5_stats.vraised and vmerged count them): */
    GICSIM_GEV_VRAISE, /* it became pending: a new instance */
    GICSIM_GEV_VMERGE, /* it was set pending while pending: one pending state absorbs it */
    GICSIM_GEV__COUNT
} gicsim_gic_event_kind;

typedef struct gicsim_gic_event {
    gicsim_time_t time;
    gicsim_gic_event_kind kind;
    uint32_t pe; /* the PE concerned (target; for SPIs the routed PE, or UINT32_MAX if none) */
    uint32_t intid;
} gicsim_gic_event;

typedef void (*gicsim_gic_observer_fn)(void *ctx, const gicsim_gic_event *ev);
/* At most 8 observers; GICSIM_E_FULL beyond. */
GICSIM_API gicsim_status gicsim_gic_add_observer(gicsim_gic *gic, gicsim_gic_observer_fn fn,
                                                 void *ctx);
GICSIM_API const char *gicsim_gic_event_name(gicsim_gic_event_kind kind);

/* ---- Inspection ------------------------------------------------------------ */

typedef enum gicsim_irq_state {
    GICSIM_IRQ_INACTIVE = 0,
    GICSIM_IRQ_PENDING = 1,
    GICSIM_IRQ_ACTIVE = 2,
    GICSIM_IRQ_ACTIVE_PENDING = 3
} gicsim_irq_state;

/* State of `intid` (banked SGI/PPI of `pe`, an SPI, or an LPI of `pe`'s
 * redistributor: pending or inactive, LPIs having no active state). */
GICSIM_API gicsim_status gicsim_gic_irq_state(const gicsim_gic *gic, uint32_t pe, uint32_t intid,
                                              gicsim_irq_state *out);

/* Accounting: every raise is eventually acknowledged, merged, withdrawn, or
 * still pending, so raised == acknowledged + withdrawn + pending_now holds at
 * any time (merges are not instances). */
typedef struct gicsim_gic_stats {
    uint64_t raised;
    uint64_t merged;
    uint64_t acknowledged;
    uint64_t withdrawn;
    uint64_t pending_now; /* outstanding instances: pending latched, or a level line high while not
                             active (a level interrupt held high across its acknowledge becomes a
                             new instance at deactivation, when it re-pends) */
    uint64_t priority_drops;
    uint64_t deactivations;
    uint64_t signals;
    uint64_t spurious_acks; /* IAR reads that returned 1023 */
    uint64_t sgis_sent;     /* SGI register writes */
    uint64_t sgis_dropped;  /* SGI targets that did not exist or whose SGI is in another group */
    uint64_t raz_wi_reads;  /* register reads the architecture makes RAZ (reserved, absent, wrong
                               width) */
    uint64_t
        raz_wi_writes; /* writes ignored for the same reasons, and writes to read-only registers */
    uint64_t ignored_ops; /* EOI/DIR with nothing to do, DIR with EOImode=0, reads of write-only
                             registers */
    uint64_t hop_events;  /* internal propagation events scheduled */
    /* Virtual CPU interfaces: */
    uint64_t v_acks;          /* ICV_IAR reads that returned a vINTID */
    uint64_t v_spurious_acks; /* ICV_IAR reads that returned 1023 */
    uint64_t v_deactivations; /* list register interrupts deactivated by the guest */
    uint64_t v_eoicount; /* EOIs/DIRs that matched no list register (ICH_HCR.EOIcount increments) */
    uint64_t maintenance_irqs; /* rising edges of the maintenance interrupt line */
    /* LPIs and GICv4 (redistributors): */
    uint64_t
        lpis_set; /* physical LPIs set pending (ITS INT/translation, GICR_SETLPIR, doorbells) */
    uint64_t lpis_dropped;     /* LPIs ignored: INTID outside GICR_PROPBASER.IDbits, or no memory */
    uint64_t lpi_config_reads; /* LPI/vLPI configuration bytes read from memory (first use, INV,
                                  INVALL) */
    uint64_t vlpis_set;        /* vLPIs set pending for a vPE (resident or not) */
    uint64_t vsgis_set;        /* GICv4.1 vSGIs set pending for a vPE */
    uint64_t
        doorbells; /* doorbell LPIs raised for non-resident vPEs (v4.0 per-ITE, v4.1 per-vPE) */
    uint64_t vpe_residency_changes; /* GICR_VPENDBASER.Valid transitions (0->1 and 1->0) */
} gicsim_gic_stats;

GICSIM_API void gicsim_gic_get_stats(const gicsim_gic *gic, gicsim_gic_stats *out);

/* ---- Invariant checks of the GIC (<gicsim/invariants.h> has the system's) ---- */

/* The violations the GIC's checks found so far, merged with its engine's:
 * counts add up and the first violation is the earliest one. `out` is
 * cleared for a NULL GIC. */
GICSIM_API void gicsim_gic_invariants(const gicsim_gic *gic, gicsim_invariant_report *out);
/* Run every state check of the GIC now (accounting recount, active
 * priorities of every PE), then GICSIM_OK if no violation was ever found,
 * else GICSIM_E_STATE with "N violation(s); first at T ps in WHERE: WHAT" in
 * `msg` (may be NULL; NUL-terminated when `len` > 0). GICSIM_E_INVAL for a
 * NULL GIC. */
GICSIM_API gicsim_status gicsim_gic_check_invariants(gicsim_gic *gic, char *msg, size_t len);

#ifdef __cplusplus
}
#endif

#endif
