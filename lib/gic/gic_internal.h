/* gicsim: internal state of the physical GIC, shared by the block files
 * irq.c (the interrupt state machine), distributor.c, redistributor.c,
 * cpu_interface.c, vcpu_interface.c, memory.c, lpi.c, vlpi.c, its*.c and
 * gic.c; the GICv5 blocks add theirs in gicv5_internal.h. Not installed. */
#ifndef GICSIM_GIC_INTERNAL_H
#define GICSIM_GIC_INTERNAL_H

#include "engine/engine_internal.h"
#include "gic/cpuif_priority.h"

#include <gicsim/gic.h>
#include <gicsim/vcpu_interface.h>

#define GIC_NO_PE UINT32_MAX
#define GIC_NONE GICSIM_INTID_SPURIOUS
#define GIC_MAX_LISTENERS 8
#define GIC_CAND_WORDS 16 /* candidate bitmap over INTIDs 0..1023 */

/* Interrupt groups as the GIC sees them. */
typedef enum gic_group { GIC_G0 = 0, GIC_G1NS = 1, GIC_G1S = 2 } gic_group;

/* Per-interrupt flags (one state machine for SGIs, PPIs and SPIs). */
enum {
    IRQF_ENABLED = 1u << 0, /* ISENABLER */
    IRQF_LATCH = 1u << 1,   /* pending latch: edge seen, ISPENDR, SGI, SETSPI */
    IRQF_LINE = 1u << 2,    /* level of the input wire */
    IRQF_ACTIVE = 1u << 3,  /* acknowledged and not yet deactivated */
    IRQF_EDGE = 1u << 4,    /* ICFGR Int_config[1]: edge-triggered */
    IRQF_GROUP = 1u << 5,   /* IGROUPR bit */
    IRQF_GRPMOD = 1u << 6   /* IGRPMODR bit (DS=0 only) */
};

typedef struct gic_irq {
    uint32_t intid;
    uint32_t target; /* PE it is forwarded to, GIC_NO_PE if routed nowhere */
    uint8_t flags;
    uint8_t prio;
} gic_irq;

typedef struct gic_redist {
    gic_irq banked[32]; /* SGIs 0..15, PPIs 16..31 */
    uint64_t cand[GIC_CAND_WORDS];
    uint32_t cand_summary; /* bit w set when cand[w] != 0 */
    bool asleep;           /* GICR_WAKER.ProcessorSleep */
    uint32_t best;         /* highest-priority candidate at the last selection, GIC_NONE if none */
} gic_redist;

typedef struct gic_cpuif {
    /* ICC_IGRPEN<n> ([0] Group 0, [1] Group 1, Non-secure), ICC_PMR,
     * ICC_BPR<n>, ICC_CTLR.CBPR/EOImode */
    cpuif_ctl ctl;
    uint32_t ap[2][PRIO_AP_REGS_MAX]; /* ICC_AP0R<n>, ICC_AP1R<n> */
    uint32_t fwd;           /* INTID last forwarded by the redistributor, GIC_NONE if none */
    uint32_t signaled;      /* INTID whose presentation was last reported, GIC_NONE if none */
    bool irq, fiq;          /* output lines */
    gicsim_event_id msg_id; /* newest redistributor message in flight, 0 if none */
    gicsim_time_t msg_when; /* its arrival time */
} gic_cpuif;

/* Per-PE virtual CPU interface state, defined in vcpu_interface.c. */
typedef struct gic_vcpuif gic_vcpuif;

/* Simulated physical memory, defined in memory.c. */
typedef struct gic_mem gic_mem;

/* LPI and GICv4 state of the redistributors, defined in lpi_internal.h. */
typedef struct gic_lpis gic_lpis;

typedef struct gic_listener {
    gicsim_line_fn fn;
    void *ctx;
} gic_listener;

typedef struct gic_observer {
    gicsim_gic_observer_fn fn;
    void *ctx;
    uint32_t kinds; /* bit k set: the observer is called for events of kind k */
} gic_observer;

struct gicsim_gic {
    gicsim_engine *engine;
    gicsim_gic_config cfg;
    gicsim_timing timing;
    gicsim_time_t t_dist_to_redist, t_redist_to_cpuif, t_sgi_route, t_socket_hop;
    gicsim_time_t t_lpi_config_read;

    uint8_t prio_mask;   /* implemented priority bits, e.g. 0xF8 for 5 bits */
    uint8_t prebits;     /* preemption bits = min(priority bits, 7) */
    bool ds;             /* GICD_CTLR.DS */
    bool grp_enabled[3]; /* GICD_CTLR EnableGrp0 / EnableGrp1NS / EnableGrp1S */

    uint32_t num_spis;      /* implemented SPIs: INTIDs 32..32+num_spis-1 */
    gic_irq *spis;          /* [intid - 32] */
    uint64_t *irouter;      /* [intid - 32] */
    uint32_t one_of_n_next; /* round-robin cursor for 1-of-N routing */

    gic_redist *rd;
    gic_cpuif *cpu;

    gic_listener listeners[GIC_MAX_LISTENERS];
    unsigned n_listeners;
    gic_observer observers[GIC_MAX_LISTENERS];
    unsigned n_observers;
    uint32_t
        observed_kinds; /* union of the observers' kinds: gic_emit returns at once outside it */

    gic_vcpuif *vcpuif; /* [num_pes] */
    gic_listener vlisteners[GIC_MAX_LISTENERS];
    unsigned n_vlisteners;

    gic_mem *mem;   /* simulated physical memory (memory.c) */
    gic_lpis *lpis; /* LPIs, vPEs, vLPIs and vSGIs of the redistributors (lpi.c, vlpi.c) */
    bool nassgireq; /* GICD_CTLR.nASSGIreq (GICv4.1) */

    struct gic_its *its; /* the ITS, NULL when cfg.its is false (its*.c) */

    gicsim_gic_stats stats;
    struct gic_inv *inv; /* the invariant checker's state (gic_invariants.c), NULL when off */

    struct gic_v5 *v5; /* GICv5 (version GICSIM_GICV5, gicv5_internal.h), NULL otherwise */
};

/* ---- Topology -------------------------------------------------------------- */

/* The socket of PE `pe` (gicsim_gic_config.sockets); the distributor and the
 * ITS sit on socket 0. */
static inline uint32_t gic_pe_socket(const gicsim_gic *g, uint32_t pe)
{
    return (uint32_t)((uint64_t)pe * g->cfg.sockets / g->cfg.num_pes);
}

/* The extra time of a message between the sockets of PEs `a` and `b` (or
 * the distributor or ITS for a = 0 and one PE on socket 0): socket_hop when
 * they differ. */
static inline gicsim_time_t gic_hop(const gicsim_gic *g, uint32_t socket_a, uint32_t socket_b)
{
    return socket_a == socket_b ? 0 : g->t_socket_hop;
}

/* ---- Registers (shared by lpi.c, vlpi.c and the GICv5 blocks) ---------------------------- */

#define HALF_MASK 0xFFFFFFFFull

/* A 64-bit register at `base`: a 64-bit access, or a 32-bit access to either
 * half. *half is 0 (low), 1 (high) or 2 (whole). */
static inline bool reg64(uint32_t off, unsigned size, uint32_t base, unsigned *half)
{
    if (off == base && size == 8)
        *half = 2;
    else if (off == base && size == 4)
        *half = 0;
    else if (off == base + 4u && size == 4)
        *half = 1;
    else
        return false;
    return true;
}

static inline uint64_t half_read(uint64_t v, unsigned half)
{
    return half == 2 ? v : half ? v >> 32 : v & HALF_MASK;
}

static inline uint64_t half_merge(uint64_t old, uint64_t val, unsigned half)
{
    if (half == 2)
        return val;
    if (half)
        return (old & HALF_MASK) | (val << 32);
    return (old & ~HALF_MASK) | (val & HALF_MASK);
}

/* ---- irq.c: the interrupt state machine ------------------------------------ */

/* Why an interrupt stopped being counted as an outstanding instance. */
typedef enum irq_reason { IRQ_BY_SOFTWARE = 0, IRQ_BY_ACK = 1 } irq_reason;

static inline bool irq_pending(uint8_t f)
{
    return (f & IRQF_LATCH) || (!(f & IRQF_EDGE) && (f & IRQF_LINE));
}

gic_group irq_group(const gicsim_gic *g, const gic_irq *irq);
bool irq_is_candidate(const gicsim_gic *g, const gic_irq *irq);
gicsim_irq_state irq_state(const gic_irq *irq);

/* Interrupt `intid` as seen from PE `pe` (banked SGI/PPI or SPI), or NULL
 * when the GIC does not have it. */
gic_irq *gic_irq_lookup(gicsim_gic *g, uint32_t pe, uint32_t intid);

/* State transitions; each keeps the accounting, the observers, the
 * redistributor candidate sets and the propagation events up to date. */
void irq_commit(gicsim_gic *g, gic_irq *irq, uint8_t old_flags, irq_reason why);
void irq_raise(gicsim_gic *g, gic_irq *irq); /* latch pending (edge, ISPENDR, SGI) */
void irq_set_line(gicsim_gic *g, gic_irq *irq, bool level);
void irq_acknowledge(gicsim_gic *g, gic_irq *irq); /* pending -> active */
bool irq_deactivate(gicsim_gic *g, gic_irq *irq);  /* false if it was not active */
void irq_retarget(gicsim_gic *g, gic_irq *irq, uint32_t pe);
void irq_refresh_all(gicsim_gic *g); /* after a global enable change */

/* Register views shared by the GICD and GICR SGI_base frames. */
typedef enum irq_reg {
    IRQ_REG_GROUP,
    IRQ_REG_ISENABLE,
    IRQ_REG_ICENABLE,
    IRQ_REG_ISPEND,
    IRQ_REG_ICPEND,
    IRQ_REG_ISACTIVE,
    IRQ_REG_ICACTIVE,
    IRQ_REG_GRPMOD,
    IRQ_REG_PRIORITY, /* 8 bits per interrupt */
    IRQ_REG_CONFIG    /* 2 bits per interrupt */
} irq_reg;

/* Decode an offset inside one of the per-interrupt register arrays that start
 * at `base` in a frame. Returns false when `off` is not in such an array. */
bool irq_reg_decode(uint32_t off, irq_reg *reg, uint32_t *first_intid, unsigned *bits_per_irq);
uint32_t irq_reg_read(gicsim_gic *g, uint32_t pe, irq_reg reg, uint32_t first, unsigned count);
void irq_reg_write(gicsim_gic *g, uint32_t pe, irq_reg reg, uint32_t first, unsigned count,
                   uint32_t val);
/* Width check shared by both frames: byte access is legal only for the
 * priority registers, everything else is 32-bit. */
bool irq_reg_width_ok(irq_reg reg, unsigned size);

/* ---- gic.c -------------------------------------------------------------- */

void gic_emit_observed(gicsim_gic *g, gicsim_gic_event_kind kind, uint32_t pe, uint32_t intid);
/* Report the event to the observers that take its kind (none: nothing to do). */
static inline void gic_emit(gicsim_gic *g, gicsim_gic_event_kind kind, uint32_t pe, uint32_t intid)
{
    if (g->observed_kinds & (1u << kind))
        gic_emit_observed(g, kind, pe, intid);
}
/* gicsim_gic_add_observer for the events whose kind k has bit k set in `kinds`
 * (GIC_ALL_KINDS: every event); the observer is not called for the others, and
 * the order of calls among the observers that take an event is the order of
 * registration. */
#define GIC_ALL_KINDS ((uint32_t)((1ull << GICSIM_GEV__COUNT) - 1))
gicsim_status gic_add_observer_kinds(gicsim_gic *g, gicsim_gic_observer_fn fn, void *ctx,
                                     uint32_t kinds);
void gic_set_lines(gicsim_gic *g, uint32_t pe, bool irq, bool fiq);
/* gicsim_gic_irq_line of an existing PE (pe < num_pes), inline. */
static inline bool gic_irq_line(const gicsim_gic *g, uint32_t pe)
{
    return g->cpu[pe].irq;
}

/* ---- distributor.c ---------------------------------------------------------- */

gicsim_status gicd_init(gicsim_gic *g);
void gicd_free(gicsim_gic *g);
/* Pick the target of a 1-of-N SPI that is becoming a candidate. */
uint32_t gicd_choose_1ofn(gicsim_gic *g, const gic_irq *irq);
bool gicd_is_1ofn(const gicsim_gic *g, const gic_irq *irq);
gicsim_status gicd_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val);
gicsim_status gicd_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val);

/* ---- redistributor.c ---------------------------------------------------- */

void gicr_init(gicsim_gic *g, uint32_t pe);
/* The redistributor's view of which interrupts targeting `pe` are candidates.
 * Banked interrupts are updated in place; an SPI's state reaches the
 * redistributor as a message from the distributor (gicr_forward_spi). */
void gicr_candidate_set(gicsim_gic *g, uint32_t pe, uint32_t intid, bool on);
void gicr_forward_spi(gicsim_gic *g, uint32_t pe, uint32_t intid, bool candidate);
/* Choose the highest-priority candidate now and send it to the CPU interface. */
void gicr_reselect(gicsim_gic *g, uint32_t pe);
/* An SGI arrives at PE `pe` (group: the group the generating write asked for). */
void gicr_receive_sgi(gicsim_gic *g, uint32_t pe, uint32_t intid, gic_group group);
gicsim_status gicr_read(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t *val);
gicsim_status gicr_write(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t val);

/* ---- cpu_interface.c --------------------------------------------------------- */

void icc_init(gicsim_gic *g, uint32_t pe);
/* The redistributor presents `intid` (GIC_NONE: nothing); it reaches the
 * CPU interface after the redist_to_cpuif hop. */
void icc_forward(gicsim_gic *g, uint32_t pe, uint32_t intid);
/* Re-evaluate the IRQ/FIQ outputs of PE `pe` from its current state. */
void icc_evaluate(gicsim_gic *g, uint32_t pe);
bool icc_group_enabled(const gicsim_gic *g, uint32_t pe, gic_group grp);
gicsim_status icc_read(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t *val);
gicsim_status icc_write(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t val);

/* ---- memory.c: simulated physical memory ------------------------------------------
 * Sparse, byte-addressed, zero-filled; pages are allocated on first write, so
 * memory grows only with what is touched. Tables the ITS and the
 * redistributors use (LPI configuration and pending tables, command queue,
 * device / interrupt translation / collection / vPE tables, virtual pending
 * tables) live here. A page that cannot be allocated stops `engine`
 * (engine_fail: the run ends with GICSIM_E_NOMEM). */
gicsim_status mem_create(gic_mem **out, gicsim_engine *engine);
void mem_free(gic_mem *m);
/* Reads of untouched memory return zeros; a write that cannot allocate
 * returns GICSIM_E_NOMEM and changes nothing. A read changes nothing the
 * model can see (only the memory's page lookup cache, hence non-const). */
void mem_read(gic_mem *m, uint64_t pa, void *buf, size_t len);
gicsim_status mem_write(gic_mem *m, uint64_t pa, const void *buf, size_t len);
uint64_t mem_read64(gic_mem *m, uint64_t pa);
gicsim_status mem_write64(gic_mem *m, uint64_t pa, uint64_t v);
/* The byte at `pa` in place, for a read-modify-write with one page lookup:
 * NULL when its page was never written and `alloc` is false, or when `alloc`
 * is true and the page cannot be allocated. With `alloc` true an absent page
 * is allocated zero-filled, as by a write. The pointer stays valid until
 * mem_free, and only for the rest of the same 4 KiB page. */
uint8_t *mem_byte(gic_mem *m, uint64_t pa, bool alloc);
size_t mem_pages(const gic_mem *m); /* pages allocated, for memory-use reports */
/* The little-endian 64-bit value at p[0..7]. */
static inline uint64_t mem_ld64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/* ---- lpi.c, vlpi.c: LPIs and GICv4 virtual LPIs in the redistributors -------------
 * Called by the ITS (its.c) after a translation or a command; each takes
 * effect at the current time (the ITS has already charged its own costs). */
/* Physical LPIs (INTID >= 8192) of the redistributor of PE `pe`. The LPI's
 * priority and enable come from the redistributor's cached copy of its
 * configuration-table byte (GICR_PROPBASER); pending state is mirrored in the
 * pending table (GICR_PENDBASER). Nothing is delivered while
 * GICR_CTLR.EnableLPIs is 0 (the pending bit is still set). */
void lpi_set_pending(gicsim_gic *g, uint32_t pe, uint32_t intid);   /* INT, translation */
void lpi_clear_pending(gicsim_gic *g, uint32_t pe, uint32_t intid); /* CLEAR, DISCARD */
void lpi_inv(gicsim_gic *g, uint32_t pe, uint32_t intid); /* INV: reload the config byte */
void lpi_invall(gicsim_gic *g, uint32_t pe);              /* INVALL: reload all */
/* MOVI/MOVALL: a pending LPI moves from one redistributor to another. */
void lpi_move(gicsim_gic *g, uint32_t from_pe, uint32_t to_pe, uint32_t intid);
void lpi_move_all(gicsim_gic *g, uint32_t from_pe, uint32_t to_pe);

/* GICv4 virtual LPIs (vlpi.c). A vPE is named by (its redistributor `pe`, its virtual
 * pending table address `vpt`) exactly as the architecture has the ITS find it
 * through the vPE table; `vprop` is the VM's vLPI configuration table
 * (v4.0: what GICR_VPROPBASER holds while the vPE is resident). The vLPI is
 * set pending in the VPT in memory. If that vPE is resident on `pe`
 * (GICR_VPENDBASER.Valid with the same VPT address) it is presented to the
 * PE's virtual CPU interface at once. If not: with `doorbell` < 1023 (GICv4.0
 * per-ITE doorbell) that physical LPI is set pending on `pe`; with GICv4.1 the
 * vPE's own doorbell (set by vlpi_vpe_doorbell) is raised instead. */
void vlpi_set_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint64_t vprop, uint32_t vintid,
                      uint32_t doorbell);
/* Clears a pending vLPI (CLEAR, DISCARD) or, on GICv4.1 with `vintid` 0..15,
 * a pending vSGI (VSGI with Clear=1). */
void vlpi_clear_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid);
void vlpi_inv(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid); /* INV of a vLPI */
void vlpi_invall(gicsim_gic *g, uint32_t pe, uint64_t vpt);               /* VINVALL */
/* GICv4.1: the per-vPE doorbell (VMAPP's default doorbell; 1023: none) and
 * the vSGIs (VSGI command configuration; GITS_SGIR delivery). */
void vlpi_vpe_doorbell(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t doorbell);
void vsgi_config(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid, uint8_t prio,
                 bool group1, bool enable);
void vsgi_set_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid);
void vsgi_clear_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid);
/* Used by vcpu_interface.c: the resident vPE's highest-priority pending
 * enabled vLPI/vSGI of PE `pe` (false if none), and its acknowledge (the
 * pending bit clears; vLPIs have no active state). */
/* Only candidates of an enabled group count: `grp0`/`grp1` are the virtual
 * CPU interface's ICH_VMCR.VENG0/VENG1 (vLPIs are Group 1; a vSGI has the
 * group VSGI gave it); *group1 returns the winner's group. */
bool vlpi_best(gicsim_gic *g, uint32_t pe, bool grp0, bool grp1, uint32_t *vintid, uint8_t *prio,
               bool *group1);
void vlpi_acknowledge(gicsim_gic *g, uint32_t pe, uint32_t vintid);
/* The redistributor's LPI candidates for its CPU interface (used by the
 * selection in redistributor.c). */
bool lpi_best(gicsim_gic *g, uint32_t pe, uint32_t *intid, uint8_t *prio);

/* Plumbing between lpi.c/vlpi.c and the other blocks (not part of the ITS contract). */
gicsim_status lpi_init(gicsim_gic *g); /* allocates g->lpis */
void lpi_free(gicsim_gic *g);
/* The LPI `intid` of PE `pe` if the redistributor has state for it, else NULL
 * (gic_irq_lookup uses it for INTIDs >= 8192). */
gic_irq *lpi_lookup(gicsim_gic *g, uint32_t pe, uint32_t intid);
/* An LPI's flags changed through irq.c (acknowledge, raise): mirror its
 * pending bit into the pending table and update the candidate set. Called by
 * irq_commit instead of the SPI/SGI propagation. */
void lpi_commit(gicsim_gic *g, gic_irq *irq, uint8_t old_flags);
/* Is the LPI deliverable beyond its own flags (GICR_CTLR.EnableLPIs)? */
bool lpi_delivery_enabled(const gicsim_gic *g, uint32_t pe);
/* GICR registers owned by lpi.c: CTLR, SETLPIR, CLRLPIR, PROPBASER,
 * PENDBASER, INVLPIR, INVALLR, SYNCR and (vlpi.c) the VLPI_base frame. Return false
 * when `off`/`size` is not one of them (the caller makes the access RAZ/WI). */
bool lpi_gicr_read(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t *val);
bool lpi_gicr_write(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t val);

/* ---- its.c: the Interrupt Translation Service (its_internal.h) ------------------- */

typedef struct gic_its gic_its;
gicsim_status its_create(gicsim_gic *g); /* sets g->its; on failure g->its may be partial */
void its_free(gicsim_gic *g);            /* frees g->its (NULL is fine) */

/* ---- vcpu_interface.c ------------------------------------------------------- */

gicsim_status vcpuif_init(gicsim_gic *g); /* allocates and resets g->vcpuif */
void vcpuif_free(gicsim_gic *g);
/* Re-evaluate PE `pe`'s virtual CPU interface: the direct vLPI/vSGI
 * candidates of its resident vPE changed (vlpi.c). */
void vcpuif_update(gicsim_gic *g, uint32_t pe);
/* The virtual CPU interface of PE `pe` caches what vlpi_best returns for it:
 * vlpi.c calls this whenever that may change (a vLPI or vSGI of the vPE
 * resident on `pe` changes its pending, enable, priority or group, or the
 * residency of `pe` changes), before anything can read the interface again.
 * It only marks the cache stale: the outputs are re-evaluated by the next
 * vcpuif_update or guest access. */
void vcpuif_invalidate(gicsim_gic *g, uint32_t pe);

#endif
