/* gicsim: internal state of the GICv5 model, shared by
 *   gicv5.c            creation, the public entry points, the accounting commit, observers;
 *   gicv5_ist.c        interrupt state tables in memory (linear, two-level) and the IRS's
 *                      cache of interrupt states, the candidate heaps;
 *   gicv5_irs.c        the IRS: configuration frame, SPIs, the requests CD*, the ITS and the
 *                      IWB send, activation, HPPI selection and forwarding, 1-of-N;
 *   gicv5_cpuif.c      the physical CPU interface: PPIs, priorities, CDIA/CDEOI/CDDI;
 *   gicv5_virt.c       VM and vPE tables, residency, the virtual CPU interface, doorbells;
 *   gicv5_its.c        the ITS: Device table, ITTs, translation cache, the serial server;
 *   gicv5_iwb.c        the IWB: wires into ITS events;
 *   gicv5_invariants.c the invariant checks of the GICv5 state.
 * The architecture references and the sources they come from are in docs/gicv5.md. Not
 * installed. */
#ifndef GICSIM_GICV5_INTERNAL_H
#define GICSIM_GICV5_INTERNAL_H

#include "engine/invariants.h"
#include "gic_internal.h"

#include <gicsim/gicv5.h>

#define V5_NONE UINT32_MAX
#define V5_PRIO_IDLE 32u      /* the running priority with no active priority */
#define V5_CR0_LINK (1u << 1) /* ICC_CR0_EL1: the link to the IRS is up (always) */
#define V5_CR0_LINK_IDLE (1u << 2)
#define V5_VMS (1u << GICSIM_GICV5_VM_ID_BITS)
#define V5_MAX_VPES (1u << GICSIM_GICV5_VPE_ID_BITS)

/* L2 ISTE fields. */
#define ISTE_PENDING GICSIM_GICV5_ISTE_PENDING
#define ISTE_ACTIVE GICSIM_GICV5_ISTE_ACTIVE
#define ISTE_HM GICSIM_GICV5_ISTE_HM
#define ISTE_ENABLE GICSIM_GICV5_ISTE_ENABLE
#define ISTE_IRM GICSIM_GICV5_ISTE_IRM
#define ISTE_STATE_MASK (ISTE_PENDING | ISTE_ACTIVE | ISTE_HM | ISTE_ENABLE | ISTE_IRM)
#define ISTE_WRITABLE_MASK (ISTE_STATE_MASK | (0x1Fu << 11) | (0xFFFFu << 16))

static inline unsigned iste_prio(uint32_t e)
{
    return (e >> GICSIM_GICV5_ISTE_PRIO_SHIFT) & 0x1Fu;
}

static inline uint32_t iste_iaffid(uint32_t e)
{
    return e >> GICSIM_GICV5_ISTE_IAFFID_SHIFT;
}

/* A candidate: pending, enabled, not active. */
static inline bool iste_candidate(uint32_t e)
{
    return (e & (ISTE_PENDING | ISTE_ENABLE | ISTE_ACTIVE)) == (ISTE_PENDING | ISTE_ENABLE);
}

/* An outstanding instance for the accounting: pending, except a level interrupt while it is
 * active (its pending state then belongs to the next instance, which starts when it is
 * deactivated with the level still high), as for GICv3's level interrupts. */
static inline bool iste_counted(uint32_t e)
{
    return (e & ISTE_PENDING) && !((e & ISTE_HM) && (e & ISTE_ACTIVE));
}

static inline uint32_t v5_key(unsigned type, uint32_t id)
{
    return ((uint32_t)type << 24) | (id & 0xFFFFFFu);
}

/* ---- gicv5_ist.c: ISTs, the IRS's cache, candidate heaps ---------------------------------- */

/* An interrupt's state in the IRS. Physical SPIs live in an array; LPIs and a VM's SPIs are
 * records of the IRS's cache while they are pending or active (their entry in memory is kept
 * up to date: every change is written through). */
typedef struct v5_irq {
    uint32_t key;   /* v5_key(type, id) */
    uint32_t iste;  /* L2_ISTE layout */
    uint32_t route; /* the PE (physical) or vPE (virtual) whose candidates it is in, V5_NONE */
    uint32_t hpos;  /* 1 + index in that heap, 0 when in none */
    uint64_t addr;  /* the ISTE's address, 0 for a physical SPI */
    bool line;      /* physical SPI: the wire's level */
    bool tm_level;  /* physical SPI: IRS_SPI_CFGR.TM */
    uint64_t vmr;   /* physical SPI: IRS_SPI_VMR (VIRT[63], VM_ID[15:0]) */
} v5_irq;

/* Open-addressing hash (linear probing, backward-shift deletion) of records by key. */
typedef struct v5_map {
    v5_irq **slot;
    uint32_t cap, count;
} v5_map;

/* Candidates of one PE or vPE, highest priority first (lowest priority value, then the
 * lower key: LPIs before SPIs, lower IDs first: the IMPDEF tie-break). */
typedef struct v5_heap {
    v5_irq **a;
    uint32_t n, cap;
    uint64_t sent; /* the HPPI last forwarded: priority << 32 | INTID (V5_NONE: none) */
} v5_heap;

/* An interrupt state table as its configuration register or VMTE field describes it. */
typedef struct v5_ist {
    bool valid;
    bool two_level;
    uint8_t id_bits;
    uint8_t istsz;       /* entry size in bytes: 4, 8, 16 */
    uint8_t l2_idx_bits; /* two-level: ID bits that index an L2 table */
    uint64_t base;
} v5_ist;

/* An interrupt domain: the physical one, or one VM's. */
typedef struct v5_dom {
    bool virt;
    uint32_t vm;
    v5_ist ist[2]; /* [0] LPIs, [1] SPIs (a VM's; physical SPIs are not in memory) */
    v5_map cache;
} v5_dom;

enum { IST_LPI = 0, IST_SPI = 1 };

gicsim_status v5_map_init(v5_map *m);
void v5_map_free(v5_map *m); /* frees the records too */
v5_irq *v5_map_find(const v5_map *m, uint32_t key);
gicsim_status v5_map_insert(v5_map *m, v5_irq *r);
void v5_map_remove(v5_map *m, uint32_t key);

void v5_heap_free(v5_heap *h);
gicsim_status v5_heap_push(v5_heap *h, v5_irq *r);
void v5_heap_remove(v5_heap *h, v5_irq *r);
static inline v5_irq *v5_heap_top(const v5_heap *h)
{
    return h->n ? h->a[0] : NULL;
}

/* Decode an IST from IRS_IST_CFGR-style fields (also the VMTE's IST dwords). Reserved ISTSZ
 * and L2SZ act as the smallest; ID bits are clamped to [min_bits, max_bits]. */
void v5_ist_config(v5_ist *ist, uint64_t base, unsigned id_bits, unsigned istsz, unsigned l2sz,
                   bool two_level, unsigned min_bits, unsigned max_bits);
/* The address of `id`'s L2 ISTE: false (nothing read) when the IST is not valid, the ID is
 * outside it or (two-level) its L1 entry is not valid; *reads counts the L1 read. */
bool v5_ist_entry(gicsim_gic *g, const v5_ist *ist, uint32_t id, uint64_t *addr, unsigned *reads);
/* Two-level: set the L1 entry covering `id` valid (IRS_MAP_L2_ISTR, IRS_VMAP_L2_VISTR). */
void v5_ist_map_l2(gicsim_gic *g, const v5_ist *ist, uint32_t id);

/* The record of `type`/`id` in domain `d`: a physical SPI, or a cached LPI or vSPI. NULL when
 * not cached (v5_lookup reads it then). */
v5_irq *v5_cached(gicsim_gic *g, v5_dom *d, unsigned type, uint32_t id);
/* The record of `type`/`id` in `d`, read from memory into the cache when it is not there (an
 * IST read, counted); NULL when the ID has no entry (dropped, counted by the caller). */
v5_irq *v5_lookup(gicsim_gic *g, v5_dom *d, unsigned type, uint32_t id);
/* Drop every cached record of `d`'s IST `which`: their states are in memory already; the
 * outstanding instances among them are counted withdrawn (the IST stops delivering them). */
void v5_dom_drop_ist(gicsim_gic *g, v5_dom *d, unsigned which);
void v5_dom_free(v5_dom *d);

/* ---- gicv5_irs.c ------------------------------------------------------------------------- */

/* The operations the IRS serves for the CPU interfaces (CD*), the hypervisor (VDPEND), the
 * ITS and IWB (events) and itself (doorbells). */
typedef enum v5_op {
    V5_OP_PENDING, /* val: PEND_SET, PEND_LEVEL (HM <- level too), PEND_EDGE (HM <- edge) */
    V5_OP_ENABLE,  /* val: 0/1 */
    V5_OP_PRIORITY,
    V5_OP_AFFINITY, /* val: IAFFID[15:0], IRM[16] */
    V5_OP_HM,
    V5_OP_DEACTIVATE,
    V5_OP__COUNT
} v5_op;

enum { PEND_CLEAR = 0, PEND_SET = 1, PEND_LEVEL = 2, PEND_EDGE = 3 };

typedef struct v5_vpe {
    bool valid;
    bool dbv;       /* IRS_VPE_DBR.DBV */
    bool req_db;    /* a doorbell is requested (REQ_DB) */
    bool dps;       /* IRS_VPE_CR0.DPS */
    uint8_t dbpm;   /* its priority mask: priority <= DBPM rings it */
    uint32_t db_id; /* IRS_VPE_DBR.INTID: the doorbell LPI */
    uint32_t pe;    /* the PE it is resident on, V5_NONE */
    v5_heap cand;
} v5_vpe;

typedef struct v5_vm {
    bool valid;
    uint64_t vmte; /* the VMTE's address */
    uint32_t nvpes;
    uint64_t vpet;
    v5_vpe *vpe; /* [nvpes] */
    v5_dom dom;
} v5_vm;

/* IRS units with their own IDLE bit. */
enum { U_CR0, U_IST, U_SPI, U_PE, U_VMT, U_VPE, U_SYNC, U__COUNT };

typedef struct v5_irs {
    uint32_t cr0, cr1;
    gicsim_time_t busy[U__COUNT]; /* IDLE reads 0 until then */
    uint32_t spi_selr, pe_selr;
    uint64_t ist_baser;
    uint32_t ist_cfgr;
    uint64_t vmt_baser;
    uint32_t vmt_cfgr;
    bool vmt_valid, vmt_two_level;
    uint8_t vmt_id_bits;
    uint64_t vpe_selr;
    bool vpe_sel_valid;
    uint32_t nspis;
    v5_irq *spi; /* [nspis] */
    v5_dom phys;
    v5_heap *pe;  /* [num_pes]: physical candidates per PE */
    bool *pe_dps; /* IRS_PE_CR0.DPS per PE */
    v5_vm *vm[V5_VMS];
    uint32_t rr;              /* 1-of-N round robin */
    gicsim_time_t last_apply; /* the latest time a request is scheduled to take effect */
} v5_irs;

gicsim_status irs_init(gicsim_gic *g);
void irs_free(gicsim_gic *g);
gicsim_status irs_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val);
gicsim_status irs_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val);
/* A request reaches the IRS `delay` ps from now (virt: VM `vm`'s domain). */
void irs_request(gicsim_gic *g, gicsim_time_t delay, v5_op op, bool virt, uint32_t vm,
                 unsigned type, uint32_t id, uint32_t val);
/* A physical SPI's wire changed (gicsim_gicv5_set_line). */
void irs_spi_line(gicsim_gic *g, uint32_t id, bool level);
/* The state change of `r` in `d` from `old`: accounting, write-through, candidacy, the
 * forwarding it causes, the cache eviction of a record neither pending nor active (`r` may be
 * freed: do not use it after). `by_ack`: the instance ended by an acknowledge. */
void irs_commit(gicsim_gic *g, v5_dom *d, v5_irq *r, uint32_t old, bool by_ack);
/* `r`, just read from memory by v5_lookup, is pending or active there: the IRS learns of the
 * state it finds (accounting, candidacy, forwarding) as if it had changed from 0. */
void irs_found(gicsim_gic *g, v5_dom *d, v5_irq *r);
/* Acknowledge (CDIA's Activate, atomic with it): `r` must be a candidate of PE/vPE `target`. */
void irs_activate(gicsim_gic *g, v5_dom *d, v5_irq *r);
/* ICC_ICSR's value for CDRCFG of `type`/`id` in `d` (F=1 when it has no entry). */
uint64_t irs_request_config(gicsim_gic *g, v5_dom *d, unsigned type, uint32_t id);
/* Recompute every candidate set from the records (IRSEN, IST or VM validity changed, a CPU
 * interface's enable for 1-of-N). */
void irs_rebuild(gicsim_gic *g);
/* The domain of VM `vm` when it is valid, else NULL. */
v5_dom *irs_vm_dom(gicsim_gic *g, uint32_t vm);
/* The heap `r` belongs to when routed to `target` in `d`. */
v5_heap *irs_heap(gicsim_gic *g, v5_dom *d, uint32_t target);
/* The best candidate of a PE (physical) or a vPE: INTID and priority; false when none. */
bool irs_best(gicsim_gic *g, v5_dom *d, uint32_t target, uint32_t *intid, unsigned *prio);
/* The candidates of PE/vPE `target` changed: tell the CPU interface (or ring a doorbell). */
void irs_target_changed(gicsim_gic *g, v5_dom *d, uint32_t target);

/* ---- gicv5_cpuif.c ------------------------------------------------------------------------- */

typedef struct v5_cpu {
    /* physical */
    uint64_t cr0;
    uint8_t pcr;
    uint32_t apr;
    uint32_t act_intid[V5_PRIO_IDLE]; /* INTID acknowledged at each active priority */
    uint64_t icsr;
    uint64_t ppi_en[2], ppi_pend[2], ppi_act[2], ppi_line[2];
    uint64_t ppi_pri[16];
    uint32_t fwd_intid; /* the IRS's HPPI as last forwarded, V5_NONE when none */
    gicsim_event_id fwd_msg;
    gicsim_time_t fwd_when;
    uint32_t presented; /* INTID whose signalling was last reported, V5_NONE */
    /* virtual */
    uint64_t vmcr, vapr, vctlr, contextr, vicsr;
    uint32_t vact_intid[V5_PRIO_IDLE];
    uint64_t dvir[2], ven[2], vpend[2], vact[2];
    uint64_t vpri[16];
    uint32_t vfwd_intid;
    gicsim_event_id vfwd_msg;
    gicsim_time_t vfwd_when;
    bool resident; /* the vPE of contextr is resident (SetResident completed) */
    uint32_t res_vm, res_vpe;
    gicsim_event_id res_msg; /* SetResident in flight */
    bool virq;
    uint32_t vpresented;
} v5_cpu;

void cpuif_v5_init(gicsim_gic *g, uint32_t pe);
/* The IRS forwards PE `pe`'s HPPI (virt: the resident vPE's), V5_NONE for none; it arrives
 * after gicv5_irs_to_cpuif. */
void cpuif_v5_forward(gicsim_gic *g, uint32_t pe, bool virt, uint32_t intid);
/* Re-evaluate PE `pe`'s IRQ and vIRQ outputs. */
void cpuif_v5_update(gicsim_gic *g, uint32_t pe);
gicsim_status cpuif_v5_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t *val);
gicsim_status cpuif_v5_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val);
void cpuif_v5_ppi_line(gicsim_gic *g, uint32_t pe, uint32_t id, bool level);
/* The accounting of a physical PPI's state change (pending/active, level or edge). */
void cpuif_v5_ppi_commit(gicsim_gic *g, uint32_t pe, uint32_t id, uint32_t old, uint32_t now,
                         bool by_ack);
/* A PPI's state as ISTE bits (Pending, Active, HM, Enable, Priority). */
uint32_t cpuif_v5_ppi_state(const gicsim_gic *g, uint32_t pe, uint32_t id);
/* The shared priority rule (D_MSQKF): enabled, priority <= mask and < running. */
static inline bool v5_sufficient(bool en, unsigned prio, unsigned mask, uint32_t apr)
{
    unsigned running = apr ? (unsigned)__builtin_ctz(apr) : V5_PRIO_IDLE;
    return en && prio <= mask && prio < running;
}

/* The priority registers both views of the CPU interface share, from the view's enable, mask
 * and active priorities: ICC_CR0 (EN; LINK and LINK_IDLE read 1), ICC_PCR, ICC_APR and
 * ICC_HAPR (the running priority: the lowest set APR bit, 0xFF when idle). False for any other
 * register. */
static inline bool v5_prio_view_read(gicsim_gicv5_sysreg reg, bool en, unsigned pcr, uint32_t apr,
                                     uint64_t *val)
{
    switch (reg) {
    case GICSIM_GICV5_ICC_CR0:
        *val = (en ? GICSIM_GICV5_ICC_CR0_EN : 0u) | V5_CR0_LINK | V5_CR0_LINK_IDLE;
        return true;
    case GICSIM_GICV5_ICC_PCR:
        *val = pcr;
        return true;
    case GICSIM_GICV5_ICC_APR:
        *val = apr;
        return true;
    case GICSIM_GICV5_ICC_HAPR:
        *val = apr ? (unsigned)__builtin_ctz(apr) : 0xFFu;
        return true;
    default:
        return false;
    }
}

/* The PPI registers both views of the CPU interface share (the physical one and the guest's):
 * PRIORITYR<n>, ENABLER<n>, S/CPENDR<n> (the pending bits) and S/CACTIVER<n> (the active
 * bits) read from the view's words. False for any other register. */
static inline bool v5_ppi_view_read(gicsim_gicv5_sysreg reg, const uint64_t pri[16],
                                    const uint64_t en[2], const uint64_t pend[2],
                                    const uint64_t act[2], uint64_t *val)
{
    unsigned r = (unsigned)reg, w = (r - GICSIM_GICV5_ICC_PPI_ENABLER0) & 1u;
    if (r >= GICSIM_GICV5_ICC_PPI_PRIORITYR0 && r <= GICSIM_GICV5_ICC_PPI_PRIORITYR15)
        *val = pri[r - GICSIM_GICV5_ICC_PPI_PRIORITYR0];
    else if (reg == GICSIM_GICV5_ICC_PPI_ENABLER0 || reg == GICSIM_GICV5_ICC_PPI_ENABLER1)
        *val = en[w];
    else if (r >= GICSIM_GICV5_ICC_PPI_SPENDR0 && r <= GICSIM_GICV5_ICC_PPI_CPENDR1)
        *val = pend[w];
    else if (r >= GICSIM_GICV5_ICC_PPI_SACTIVER0 && r <= GICSIM_GICV5_ICC_PPI_CACTIVER1)
        *val = act[w];
    else
        return false;
    return true;
}

/* ---- gicv5_virt.c -------------------------------------------------------------------------- */

gicsim_status virt_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t *val);
gicsim_status virt_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val);
/* The guest's view (ICC_* and GIC/GICR instructions at virtual EL1). */
gicsim_status guest_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t *val);
gicsim_status guest_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val);
/* Re-evaluate PE `pe`'s virtual interface: its vIRQ output, the vsignal event. */
void virt_update(gicsim_gic *g, uint32_t pe);
/* Is physical PPI `id` of `pe` directly injected (ICH_PPI_DVIR)? */
static inline bool virt_ppi_dvi(const v5_cpu *c, uint32_t id)
{
    return (c->dvir[id / 64u] >> (id % 64u)) & 1u;
}
/* The IRS's VM-table registers (VMT_*, VMAP_*, VPE_*, VM_*): false when `off` is none of
 * them. */
bool virt_irs_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val);
bool virt_irs_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val);
/* Make vPE `vpe` of VM `vm` non-resident wherever it is (the VM is becoming invalid). */
void virt_drop_residency(gicsim_gic *g, uint32_t vm);
/* A candidate of a non-resident vPE may ring its doorbell. */
void virt_doorbell_check(gicsim_gic *g, uint32_t vm, uint32_t vpe);
void virt_free(gicsim_gic *g);

/* ---- gicv5_its.c ---------------------------------------------------------------------------- */

enum { EV_EDGE = 0, EV_LEVEL_SET = 1, EV_LEVEL_CLEAR = 2 };
gicsim_status its_v5_init(gicsim_gic *g);
void its_v5_free(gicsim_gic *g);
gicsim_status its_v5_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val);
gicsim_status its_v5_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val);
/* An event (MSI or IWB wire) enters the ITS's queue now. */
void its_v5_event(gicsim_gic *g, uint32_t device, uint32_t event, unsigned kind);

/* ---- gicv5_iwb.c ------------------------------------------------------------------------------
 */

gicsim_status iwb_init(gicsim_gic *g);
void iwb_free(gicsim_gic *g);
gicsim_status iwb_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val);
gicsim_status iwb_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val);
gicsim_status iwb_set_wire(gicsim_gic *g, uint32_t wire, bool level);

/* ---- gicv5.c: the GICv5 as a whole ----------------------------------------------------------- */

struct v5_its;
struct v5_iwb;
struct v5_inv;

typedef struct gic_v5 {
    v5_irs irs;
    v5_cpu *cpu; /* [num_pes] */
    struct v5_its *its;
    struct v5_iwb *iwb;
    gicsim_gicv5_stats st;
    /* costs in ps */
    gicsim_time_t t_irs_to_cpuif, t_cpuif_to_irs, t_irs_op, t_ist_read, t_ist_hit;
    gicsim_time_t t_its_translate, t_its_to_irs, t_its_hit, t_its_read, t_its_cmd, t_iwb_event;
    gicsim_time_t t_vpe_resident, t_doorbell;
    struct v5_inv *inv; /* gicv5_invariants.c, NULL when off */
} gic_v5;

static inline bool gic_is_v5(const gicsim_gic *g)
{
    return g->cfg.version == GICSIM_GICV5;
}

static inline gic_v5 *v5_of(const gicsim_gic *g)
{
    return g->v5;
}

gicsim_status gicv5_create(gicsim_gic *g);
void gicv5_destroy(gicsim_gic *g);
void gicv5_os_init(gicsim_gic *g);
bool gicv5_virq_line(const gicsim_gic *g, uint32_t pe);
/* The hop from the IRS (socket 0) to PE `pe`, with the socket crossing. */
gicsim_time_t v5_hop(const gicsim_gic *g, gicsim_time_t base, uint32_t pe);
/* Accounting of an interrupt instance's state change `old` -> `now` (ISTE-style bits):
 * raise, withdraw or acknowledge, physical (gicsim_gic_stats) or virtual (vraised...). */
void v5_account(gicsim_gic *g, bool virt, uint32_t pe, uint32_t intid, uint32_t old, uint32_t now,
                bool by_ack);

/* ---- gicv5_invariants.c -----------------------------------------------------------------------
 */

gicsim_status inv_v5_init(gicsim_gic *g);
void inv_v5_free(gicsim_gic *g);
/* After an accounting change: the identities of both domains. */
void inv_v5_account(gicsim_gic *g, uint32_t intid);
/* An acknowledge: the interrupt was a candidate (pending, enabled, inactive). */
void inv_v5_ack(gicsim_gic *g, uint32_t intid, uint32_t old);
/* The active priorities of PE `pe`'s CPU interface (virt: virtual) after an acknowledge at
 * `prio`, a priority drop or a software write of the APR. */
void inv_v5_apr(gicsim_gic *g, uint32_t pe, bool virt, int event, unsigned prio);
enum { INV_APR_ACK, INV_APR_DROP, INV_APR_WRITE };
/* Every whole-state check (recounts, candidate sets, residency). */
void inv_v5_full(gicsim_gic *g, const char *where);

#endif
