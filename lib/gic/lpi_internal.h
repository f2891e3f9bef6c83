/* gicsim: internal state of the redistributors' LPI side, shared by
 *   lpi.c   physical LPIs: the configuration and pending tables
 *           (GICR_PROPBASER, GICR_PENDBASER), the configuration cache,
 *           GICR_CTLR.EnableLPIs and the direct LPI registers;
 *   vlpi.c  GICv4: vPEs and their residency (GICR_VPROPBASER,
 *           GICR_VPENDBASER), vLPIs, doorbells and the GICv4.1 vSGIs.
 * The rest of the GIC sees both through gic_internal.h. Not installed. */
#ifndef GICSIM_LPI_INTERNAL_H
#define GICSIM_LPI_INTERNAL_H

#include "gic_internal.h"

#define MIN_LPI_IDBITS 13u /* IDbits field value: 14 INTID bits */

#define PA_4K_MASK (((1ull << 52) - 1) & ~0xFFFull)
#define PA_64K_MASK (((1ull << 52) - 1) & ~0xFFFFull)
#define CACHE_SHARE_MASK ((7ull << 7) | (3ull << 10) | (7ull << 56))
/* GICR_PROPBASER and GICR_VPROPBASER: IDbits, caches, shareability, PA. */
#define PROPBASER_MASK (0x1Full | CACHE_SHARE_MASK | PA_4K_MASK)

/* ---- Sparse LPI tables (lpi.c) ---------------------------------------------------------- */

/* One LPI the redistributor has state for. `irq` comes first so a gic_irq
 * pointer handed to irq.c converts back. */
typedef struct lpi_ent {
    gic_irq irq;
    uint32_t hpos; /* 1 + index in the candidate heap, 0 when not in it */
    bool cached;   /* the configuration byte has been read */
} lpi_ent;

/* Hash table (open addressing, linear probing) of entries keyed by INTID and
 * the heap of the entries that are pending and enabled. */
typedef struct lpi_table {
    lpi_ent **slot;
    uint32_t cap, count;
    lpi_ent **heap;
    uint32_t hn, hcap;
} lpi_table;

/* The slot where the probe for `intid` starts in a table of `cap` (a power of
 * two) slots; the vLPI tables (vlpi.c) use it too. */
static inline uint32_t tbl_hash(uint32_t intid, uint32_t cap)
{
    return (intid * 2654435761u) & (cap - 1u);
}

/* A candidate: pending and enabled (and, for an LPI, not active). */
static inline bool ent_candidate(uint8_t flags)
{
    return (flags & IRQF_LATCH) && (flags & IRQF_ENABLED) && !(flags & IRQF_ACTIVE);
}

/* ---- State ------------------------------------------------------------------------------- */

/* A vPE, known by its VPT address (defined in vlpi.c). */
typedef struct vpe vpe;

typedef struct lpi_rd {
    uint64_t propbaser, pendbaser; /* implemented fields as written (PTZ is write-only) */
    bool ptz;                      /* last PENDBASER write had PTZ=1 */
    bool enabled;                  /* GICR_CTLR.EnableLPIs */
    lpi_table lpis;
    /* GICR_SYNCR.Busy reads 1 until then: the configuration reads an
     * INVLPIR or INVALLR write started (lpi_config_read each). */
    gicsim_time_t sync_until;
    /* GICv4 (vlpi.c) */
    uint64_t vpropbaser;
    uint64_t vpendbaser; /* RW fields: PA, IDAI, cacheability */
    bool valid, dirty, pending_last;
    vpe *resident;           /* vPE made resident by Valid=1, NULL if none */
    gicsim_event_id scan_id; /* the vpt_scan completion while dirty */
} lpi_rd;

struct gic_lpis {
    lpi_rd *rd;  /* [num_pes] */
    vpe **vslot; /* hash of vPEs keyed by VPT address (vlpi.c) */
    size_t vcap, vcount;
};

static inline lpi_rd *rd_of(gicsim_gic *g, uint32_t pe)
{
    return &g->lpis->rd[pe];
}

static inline bool v4(const gicsim_gic *g)
{
    return g->cfg.version >= GICSIM_GICV4_0;
}

static inline bool v41(const gicsim_gic *g)
{
    return g->cfg.version == GICSIM_GICV4_1;
}

/* ---- Tables in memory (lpi.c), used for vLPIs too ---------------------------------------- */

/* The configuration byte of `intid` in the table at `table` (counted in
 * gicsim_gic_stats.lpi_config_reads). */
uint8_t lpi_config_byte(gicsim_gic *g, uint64_t table, uint32_t intid);
/* Cache a configuration byte: priority bits [7:2] (as many as are
 * implemented) into *prio, enable bit 0 into IRQF_ENABLED of *flags. */
void lpi_config_apply(const gicsim_gic *g, uint8_t b, uint8_t *prio, uint8_t *flags);
/* Set or clear, or read, bit `intid` of the pending table at `table`. */
void lpi_pending_bit_write(gicsim_gic *g, uint64_t table, uint32_t intid, bool set);
bool lpi_pending_bit_read(const gicsim_gic *g, uint64_t table, uint32_t intid);
/* Call fn for every set bit of the pending table at `table` for INTIDs
 * 8192..limit-1. */
typedef void (*lpi_bit_fn)(gicsim_gic *g, void *ctx, uint32_t intid);
void lpi_scan_pending_table(gicsim_gic *g, uint64_t table, uint32_t limit, lpi_bit_fn fn,
                            void *ctx);

/* ---- vlpi.c, for lpi.c -------------------------------------------------------------------- */

/* Free every vPE record and the vPE hash (lpi_free). */
void vpe_free_all(gic_lpis *L);
/* The VLPI_base frame (GICv4): GICR_VPROPBASER and GICR_VPENDBASER. False
 * when `off`/`size` is neither (lpi_gicr_read/lpi_gicr_write). */
bool vlpi_gicr_read(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t *val);
bool vlpi_gicr_write(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t val);

#endif
