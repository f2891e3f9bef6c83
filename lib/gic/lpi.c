/* gicsim: LPIs and GICv4 virtual LPIs/SGIs in the redistributors.
 *
 * Physical LPIs (GICv3, IHI 0069, "LPIs"):
 *  - GICR_PROPBASER names the LPI configuration table: one byte per LPI at
 *    PA + (INTID - 8192), priority in bits [7:2], enable in bit 0. IDbits + 1
 *    is the number of INTID bits software uses, capped by GICD_TYPER.IDbits;
 *    below 14 bits every LPI is out of range and ignored.
 *  - GICR_PENDBASER names the pending table: one bit per INTID at
 *    PA + INTID / 8. The model mirrors each LPI's pending state there.
 *  - LPIs are Group 1 Non-secure, edge-triggered, and have no active state:
 *    acknowledge clears pending and sets the active-priority bit; EOI only
 *    drops the priority.
 *  - The redistributor caches each LPI's configuration. A change in memory has
 *    no effect until an INV/INVALL (ITS command, or GICR_INVLPIR/INVALLR). The
 *    cache entry of an LPI is filled at first use: when it is first set
 *    pending (or found pending in the pending table at EnableLPIs), the
 *    redistributor reads the byte; later changes need an invalidation.
 *  - GICR_CTLR.EnableLPIs: nothing is delivered while it is 0 (LPIs set
 *    pending are recorded and mirrored). Writing 1 reads the pending table
 *    (unless GICR_PENDBASER.PTZ was written 1) and makes the LPIs found there
 *    pending. Once it is 1, PROPBASER and PENDBASER are read-only (writes are
 *    ignored and counted) and EnableLPIs cannot be cleared (GICR_CTLR.CES = 0:
 *    the architecture makes clearing it IMPLEMENTATION DEFINED).
 *
 * GICv4.0 direct injection (VLPI_base frame):
 *  - A vPE is known by its virtual pending table (VPT) address. Writing
 *    GICR_VPENDBASER with Valid=1 makes the vPE whose VPT is at PA resident:
 *    Dirty reads 1 while the redistributor scans the VPT (cost vpt_scan);
 *    then its pending enabled vLPIs are candidates for the PE's virtual CPU
 *    interface. Writing Valid=0 makes it non-resident: PendingLast is set if
 *    the vPE has a pending enabled vLPI (or vSGI). Pending state stays in the
 *    VPT in memory, which the model always keeps up to date.
 *  - vLPI configuration comes from the table GICR_VPROPBASER names while the
 *    vPE is resident (otherwise the table the ITS names: GICv4.1 VMAPP's
 *    VCONF_Addr; on GICv4.0, where the ITS passes 0, the one the vPE last
 *    had), cached per vPE at first use and reloaded by vlpi_inv/vlpi_invall
 *    (and when the table address changes). VPROPBASER is read-only while
 *    Valid=1.
 *  - A vLPI for a vPE that is not resident raises the v4.0 per-ITE doorbell,
 *    a physical LPI on the target redistributor, each time.
 * GICv4.1:
 *  - The per-vPE doorbell (VMAPP) is raised when a vLPI or vSGI that is
 *    enabled becomes pending for the non-resident vPE, once: it is re-armed
 *    only when the vPE is made resident again or its doorbell is set again.
 *  - vSGIs 0..15 of a vPE (configured by the ITS's VSGI command) are
 *    presented like vLPIs; their pending state is kept with the vPE.
 *  - The register layout stays the GICv4.0 one (VPENDBASER names the VPT, not
 *    a vPEID): GICR_TYPER.RVPEID reads 0.
 *
 * Storage is sparse: per redistributor a hash table of the LPIs it has state
 * for, per vPE one of its vLPIs, plus a binary heap of the candidates ordered
 * by (priority, INTID); memory grows with the LPIs used. A physical LPI's
 * entry is allocated on its own, because irq.c holds gic_irq pointers to it;
 * a vLPI's entry is stored in its table's slot array (about 28 bytes per vLPI
 * at the highest load), so its address changes when the table grows.
 */
#include "gic_internal.h"
#include "gic_invariants.h"

#include <stdlib.h>

#define PROP_ENABLE 0x01u
#define PROP_PRIORITY 0xFCu
#define DOORBELL_NONE 1023u
#define VSGI_COUNT 16u
#define VINTID_LIMIT (1u << 16) /* ICH_VTR_EL2.IDbits = 0: 16-bit vINTIDs */
#define MIN_LPI_IDBITS 13u      /* IDbits field value: 14 INTID bits */
#define HALF_MASK 0xFFFFFFFFull

#define PA_4K_MASK (((1ull << 52) - 1) & ~0xFFFull)
#define PA_64K_MASK (((1ull << 52) - 1) & ~0xFFFFull)
#define CACHE_SHARE_MASK ((7ull << 7) | (3ull << 10) | (7ull << 56))
#define PROPBASER_MASK (0x1Full | CACHE_SHARE_MASK | PA_4K_MASK)
#define PENDBASER_MASK (CACHE_SHARE_MASK | PA_64K_MASK)
#define VPENDBASER_RW_MASK (CACHE_SHARE_MASK | PA_64K_MASK | GICSIM_GICR_VPENDBASER_IDAI)

/* ---- sparse LPI tables --------------------------------------------------------- */

/* One LPI (or vLPI) the redistributor has state for. `irq` comes first so a
 * gic_irq pointer handed to irq.c converts back. For a vLPI only intid, prio
 * and the IRQF_ENABLED / IRQF_LATCH flags are used. */
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

static uint32_t tbl_hash(uint32_t intid, uint32_t cap)
{
    return (intid * 2654435761u) & (cap - 1u);
}

static lpi_ent *tbl_find(const lpi_table *t, uint32_t intid)
{
    if (!t->cap)
        return NULL;
    for (uint32_t i = tbl_hash(intid, t->cap);; i = (i + 1u) & (t->cap - 1u)) {
        lpi_ent *e = t->slot[i];
        if (!e || e->irq.intid == intid)
            return e;
    }
}

static void tbl_place(lpi_ent **slot, uint32_t cap, lpi_ent *e)
{
    uint32_t i = tbl_hash(e->irq.intid, cap);
    while (slot[i])
        i = (i + 1u) & (cap - 1u);
    slot[i] = e;
}

/* A new zeroed entry for `intid` (not yet in the table), or NULL if memory
 * runs out. The heap always has room for every entry, so inserting into it
 * never fails. */
static lpi_ent *tbl_add(lpi_table *t, uint32_t intid)
{
    if ((t->count + 1u) * 2u > t->cap) {
        uint32_t ncap = t->cap ? t->cap * 2u : 16u;
        lpi_ent **ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (uint32_t i = 0; i < t->cap; i++)
            if (t->slot[i])
                tbl_place(ns, ncap, t->slot[i]);
        free(t->slot);
        t->slot = ns;
        t->cap = ncap;
    }
    if (t->count + 1u > t->hcap) {
        uint32_t ncap = t->hcap ? t->hcap * 2u : 8u;
        lpi_ent **nh = realloc(t->heap, ncap * sizeof *nh);
        if (!nh)
            return NULL;
        t->heap = nh;
        t->hcap = ncap;
    }
    lpi_ent *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->irq.intid = intid;
    tbl_place(t->slot, t->cap, e);
    t->count++;
    return e;
}

static void tbl_free(lpi_table *t)
{
    for (uint32_t i = 0; i < t->cap; i++)
        free(t->slot[i]);
    free(t->slot);
    free(t->heap);
    *t = (lpi_table){0};
}

/* Heap order: lower priority value first, then lower INTID (the
 * redistributor's selection rule). */
static inline uint64_t heap_key(const lpi_ent *e)
{
    return ((uint64_t)e->irq.prio << 32) | e->irq.intid;
}

static void heap_put(lpi_table *t, uint32_t i, lpi_ent *e)
{
    t->heap[i] = e;
    e->hpos = i + 1u;
}

static void heap_sift(lpi_table *t, uint32_t i)
{
    lpi_ent *e = t->heap[i];
    uint64_t k = heap_key(e);
    while (i > 0 && heap_key(t->heap[(i - 1u) / 2u]) > k) {
        heap_put(t, i, t->heap[(i - 1u) / 2u]);
        i = (i - 1u) / 2u;
    }
    for (;;) {
        uint32_t c = 2u * i + 1u;
        if (c >= t->hn)
            break;
        if (c + 1u < t->hn && heap_key(t->heap[c + 1u]) < heap_key(t->heap[c]))
            c++;
        if (heap_key(t->heap[c]) >= k)
            break;
        heap_put(t, i, t->heap[c]);
        i = c;
    }
    heap_put(t, i, e);
}

static void heap_remove(lpi_table *t, lpi_ent *e)
{
    if (!e->hpos)
        return;
    uint32_t i = e->hpos - 1u;
    e->hpos = 0;
    lpi_ent *last = t->heap[--t->hn];
    if (last != e) {
        heap_put(t, i, last);
        heap_sift(t, i);
    }
}

/* Put `e` in the heap or take it out; a member whose priority changed must be
 * removed before the change and set again after it. */
static void heap_set(lpi_table *t, lpi_ent *e, bool in)
{
    if (!in) {
        heap_remove(t, e);
    } else if (!e->hpos) {
        heap_put(t, t->hn++, e);
        heap_sift(t, t->hn - 1u);
    }
}

static inline lpi_ent *heap_top(const lpi_table *t)
{
    return t->hn ? t->heap[0] : NULL;
}

static inline bool ent_candidate(uint8_t flags)
{
    return (flags & IRQF_LATCH) && (flags & IRQF_ENABLED) && !(flags & IRQF_ACTIVE);
}

/* ---- vLPI tables ------------------------------------------------------------------ */

/* One vLPI of a vPE. Entries live in the slot array of their table: a
 * pointer to one is valid only until the next vtbl_add on the same table
 * (which may move every entry). Only IRQF_ENABLED and IRQF_LATCH are used in
 * `flags`. */
typedef struct vlpi_ent {
    uint32_t vintid; /* 0 marks a free slot (vINTIDs are at least 8192) */
    uint32_t hpos;   /* 1 + index in the candidate heap, 0 when not in it */
    uint8_t prio;
    uint8_t flags;
    bool cached; /* the configuration byte has been read */
} vlpi_ent;

/* Open addressing with linear probing, load at most 1/2, and a heap of slot
 * indices of the entries that are pending and enabled, ordered as the LPI
 * heap. Entries are never removed. */
typedef struct vlpi_table {
    vlpi_ent *slot;
    uint32_t cap, count;
    uint32_t *heap; /* slot indices */
    uint32_t hn, hcap;
} vlpi_table;

/* The entry of `vintid`, NULL if none (0, the free-slot mark, has none). */
static vlpi_ent *vtbl_find(const vlpi_table *t, uint32_t vintid)
{
    if (!t->cap || !vintid)
        return NULL;
    for (uint32_t i = tbl_hash(vintid, t->cap);; i = (i + 1u) & (t->cap - 1u)) {
        vlpi_ent *e = &t->slot[i];
        if (e->vintid == vintid)
            return e;
        if (!e->vintid)
            return NULL;
    }
}

static uint32_t vtbl_place(vlpi_ent *slot, uint32_t cap, uint32_t vintid)
{
    uint32_t i = tbl_hash(vintid, cap);
    while (slot[i].vintid)
        i = (i + 1u) & (cap - 1u);
    return i;
}

/* A new entry for `vintid` (nonzero, not yet in the table) with only vintid set, or
 * NULL if memory runs out (the table is then unchanged). Growing keeps every
 * entry's heap position: the heap is rewritten with the new slot indices. */
static vlpi_ent *vtbl_add(vlpi_table *t, uint32_t vintid)
{
    if (t->count + 1u > t->hcap) {
        uint32_t ncap = t->hcap ? t->hcap * 2u : 8u;
        uint32_t *nh = realloc(t->heap, ncap * sizeof *nh);
        if (!nh)
            return NULL;
        t->heap = nh;
        t->hcap = ncap;
    }
    if ((t->count + 1u) * 2u > t->cap) {
        uint32_t ncap = t->cap ? t->cap * 2u : 16u;
        vlpi_ent *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (uint32_t i = 0; i < t->cap; i++) {
            const vlpi_ent *o = &t->slot[i];
            if (!o->vintid)
                continue;
            uint32_t j = vtbl_place(ns, ncap, o->vintid);
            ns[j] = *o;
            if (o->hpos)
                t->heap[o->hpos - 1u] = j;
        }
        free(t->slot);
        t->slot = ns;
        t->cap = ncap;
    }
    vlpi_ent *e = &t->slot[vtbl_place(t->slot, t->cap, vintid)];
    *e = (vlpi_ent){.vintid = vintid};
    t->count++;
    return e;
}

static void vtbl_free(vlpi_table *t)
{
    free(t->slot);
    free(t->heap);
    *t = (vlpi_table){0};
}

static inline uint64_t vheap_key(const vlpi_table *t, uint32_t i)
{
    const vlpi_ent *e = &t->slot[t->heap[i]];
    return ((uint64_t)e->prio << 32) | e->vintid;
}

static inline void vheap_put(vlpi_table *t, uint32_t i, uint32_t si)
{
    t->heap[i] = si;
    t->slot[si].hpos = i + 1u;
}

/* Restore the heap order around position i (the LPI heap's algorithm). */
static void vheap_sift(vlpi_table *t, uint32_t i)
{
    uint32_t si = t->heap[i];
    uint64_t k = vheap_key(t, i);
    while (i > 0 && vheap_key(t, (i - 1u) / 2u) > k) {
        vheap_put(t, i, t->heap[(i - 1u) / 2u]);
        i = (i - 1u) / 2u;
    }
    for (;;) {
        uint32_t c = 2u * i + 1u;
        if (c >= t->hn)
            break;
        if (c + 1u < t->hn && vheap_key(t, c + 1u) < vheap_key(t, c))
            c++;
        if (vheap_key(t, c) >= k)
            break;
        vheap_put(t, i, t->heap[c]);
        i = c;
    }
    vheap_put(t, i, si);
}

static void vheap_remove(vlpi_table *t, vlpi_ent *e)
{
    if (!e->hpos)
        return;
    uint32_t i = e->hpos - 1u;
    e->hpos = 0;
    uint32_t last = t->heap[--t->hn];
    if (&t->slot[last] != e) {
        vheap_put(t, i, last);
        vheap_sift(t, i);
    }
}

/* Put `e` in the heap or take it out; a member whose priority changed must be
 * removed before the change and set again after it. */
static void vheap_set(vlpi_table *t, vlpi_ent *e, bool in)
{
    if (!in) {
        vheap_remove(t, e);
    } else if (!e->hpos) {
        vheap_put(t, t->hn++, (uint32_t)(e - t->slot));
        vheap_sift(t, t->hn - 1u);
    }
}

static inline const vlpi_ent *vheap_top(const vlpi_table *t)
{
    return t->hn ? &t->slot[t->heap[0]] : NULL;
}

/* ---- state ------------------------------------------------------------------------- */

typedef struct vsgi {
    uint8_t prio;
    bool group1, enabled, pending;
} vsgi;

/* A vPE, known by its VPT address. One record per vPE, shared by every
 * redistributor it is resident on or targeted at. */
typedef struct vpe {
    uint64_t vpt;
    uint64_t vprop;       /* configuration table its cached entries came from */
    uint32_t resident_pe; /* redistributor it is resident on, GIC_NO_PE if none */
    uint32_t doorbell;    /* GICv4.1 per-vPE doorbell LPI, DOORBELL_NONE if none */
    bool db_armed;        /* the doorbell may be raised (once per non-residency) */
    vlpi_table vlpis;
    vsgi sgi[VSGI_COUNT];
    uint16_t sgi_live; /* bit i set exactly when sgi[i] is pending and enabled (vsgi_sync) */
} vpe;

typedef struct lpi_rd {
    uint64_t propbaser, pendbaser; /* implemented fields as written (PTZ is write-only) */
    bool ptz;                      /* last PENDBASER write had PTZ=1 */
    bool enabled;                  /* GICR_CTLR.EnableLPIs */
    lpi_table lpis;
    /* GICv4 */
    uint64_t vpropbaser;
    uint64_t vpendbaser; /* RW fields: PA, IDAI, cacheability */
    bool valid, dirty, pending_last;
    vpe *resident;           /* vPE made resident by Valid=1, NULL if none */
    gicsim_event_id scan_id; /* the vpt_scan completion while dirty */
} lpi_rd;

struct gic_lpis {
    lpi_rd *rd;  /* [num_pes] */
    vpe **vslot; /* hash of vPEs keyed by VPT address */
    size_t vcap, vcount;
};

gicsim_status lpi_init(gicsim_gic *g)
{
    g->lpis = calloc(1, sizeof *g->lpis);
    if (!g->lpis)
        return GICSIM_E_NOMEM;
    g->lpis->rd = calloc(g->cfg.num_pes, sizeof *g->lpis->rd);
    return g->lpis->rd ? GICSIM_OK : GICSIM_E_NOMEM;
}

void lpi_free(gicsim_gic *g)
{
    gic_lpis *L = g->lpis;
    if (!L)
        return;
    if (L->rd)
        for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
            tbl_free(&L->rd[pe].lpis);
    for (size_t i = 0; i < L->vcap; i++) {
        if (L->vslot[i]) {
            vtbl_free(&L->vslot[i]->vlpis);
            free(L->vslot[i]);
        }
    }
    free(L->vslot);
    free(L->rd);
    free(L);
    g->lpis = NULL;
}

static inline lpi_rd *rd_of(gicsim_gic *g, uint32_t pe)
{
    return &g->lpis->rd[pe];
}

static bool v4(const gicsim_gic *g)
{
    return g->cfg.version >= GICSIM_GICV4_0;
}

static bool v41(const gicsim_gic *g)
{
    return g->cfg.version == GICSIM_GICV4_1;
}

/* ---- memory helpers ---------------------------------------------------------------- */

static uint8_t config_byte(gicsim_gic *g, uint64_t table, uint32_t intid)
{
    uint8_t b = 0;
    mem_read(g->mem, table + (intid - GICSIM_LPI_BASE), &b, 1);
    g->stats.lpi_config_reads++;
    return b;
}

/* Cache a configuration byte: priority bits [7:2] (as many as are
 * implemented) into *prio, enable bit 0 into IRQF_ENABLED of *flags. */
static void config_apply(const gicsim_gic *g, uint8_t b, uint8_t *prio, uint8_t *flags)
{
    *prio = (uint8_t)(b & PROP_PRIORITY & g->prio_mask);
    if (b & PROP_ENABLE)
        *flags |= IRQF_ENABLED;
    else
        *flags &= (uint8_t)~IRQF_ENABLED;
}

static void apply_config(const gicsim_gic *g, lpi_ent *e, uint8_t b)
{
    config_apply(g, b, &e->irq.prio, &e->irq.flags);
    e->cached = true;
}

/* Set or clear bit `intid` of the pending table at `table`. A write that
 * cannot allocate memory leaves the table as it was; the redistributor's own
 * state still records the change. */
static void pending_bit_write(gicsim_gic *g, uint64_t table, uint32_t intid, bool set)
{
    uint64_t pa = table + intid / 8u;
    uint8_t bit = (uint8_t)(1u << (intid % 8u));
    uint8_t *p = mem_byte(g->mem, pa, false);
    uint8_t b = p ? *p : 0;
    uint8_t nb = set ? (uint8_t)(b | bit) : (uint8_t)(b & ~bit);
    if (nb == b)
        return;
    if (!p && !(p = mem_byte(g->mem, pa, true)))
        return;
    *p = nb;
}

static bool pending_bit_read(const gicsim_gic *g, uint64_t table, uint32_t intid)
{
    uint8_t b = 0;
    mem_read(g->mem, table + intid / 8u, &b, 1);
    return (b >> (intid % 8u)) & 1u;
}

/* Call fn for every set bit of the pending table at `table` for INTIDs
 * 8192..limit-1 (the first 1 KiB, INTIDs below 8192, is not scanned). */
typedef void (*bit_fn)(gicsim_gic *g, void *ctx, uint32_t intid);
static void scan_pending_table(gicsim_gic *g, uint64_t table, uint32_t limit, bit_fn fn, void *ctx)
{
    uint8_t buf[512];
    for (uint32_t byte = GICSIM_LPI_BASE / 8u; byte < limit / 8u; byte += sizeof buf) {
        uint32_t n = limit / 8u - byte < sizeof buf ? limit / 8u - byte : (uint32_t)sizeof buf;
        mem_read(g->mem, table + byte, buf, n);
        for (uint32_t i = 0; i < n; i++)
            for (unsigned b = buf[i]; b; b &= b - 1u)
                fn(g, ctx, (byte + i) * 8u + (unsigned)__builtin_ctz(b));
    }
}

/* ---- physical LPIs ----------------------------------------------------------------- */

/* Number of INTID bits in use: GICR_PROPBASER.IDbits + 1, capped by
 * GICD_TYPER.IDbits + 1 (the architecture: a larger value acts as the
 * GICD_TYPER one). 0 when below 14 bits, which leaves every LPI out of range. */
static unsigned lpi_bits(const gicsim_gic *g, const lpi_rd *rd)
{
    unsigned idb = (unsigned)(rd->propbaser & 0x1Fu);
    unsigned max = g->cfg.lpi_id_bits - 1u;
    if (idb > max)
        idb = max;
    return idb < MIN_LPI_IDBITS ? 0 : idb + 1u;
}

static bool lpi_in_range(const gicsim_gic *g, const lpi_rd *rd, uint32_t intid)
{
    unsigned bits = lpi_bits(g, rd);
    return bits && intid >= GICSIM_LPI_BASE && intid < (1u << bits);
}

gic_irq *lpi_lookup(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    if (!g->lpis || pe >= g->cfg.num_pes)
        return NULL;
    lpi_ent *e = tbl_find(&rd_of(g, pe)->lpis, intid);
    return e ? &e->irq : NULL;
}

/* The entry of LPI `intid` of `pe`, created on first use with its
 * configuration read from the table (the cache fill); NULL if out of memory. */
static lpi_ent *lpi_get(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    lpi_rd *rd = rd_of(g, pe);
    lpi_ent *e = tbl_find(&rd->lpis, intid);
    if (e)
        return e;
    e = tbl_add(&rd->lpis, intid);
    if (!e)
        return NULL;
    e->irq.target = pe;
    /* Group 1 Non-secure (with DS=0: IGROUPR=1, IGRPMODR=0), edge-triggered. */
    e->irq.flags = IRQF_EDGE | IRQF_GROUP;
    apply_config(g, e, config_byte(g, rd->propbaser & PA_4K_MASK, intid));
    return e;
}

bool lpi_delivery_enabled(const gicsim_gic *g, uint32_t pe)
{
    return g->lpis && pe < g->cfg.num_pes && g->lpis->rd[pe].enabled;
}

void lpi_commit(gicsim_gic *g, gic_irq *irq, uint8_t old)
{
    lpi_ent *e = (lpi_ent *)irq;
    uint32_t pe = irq->target;
    lpi_rd *rd = rd_of(g, pe);
    if ((old ^ irq->flags) & IRQF_LATCH)
        pending_bit_write(g, rd->pendbaser & PA_64K_MASK, irq->intid,
                          (irq->flags & IRQF_LATCH) != 0);
    bool was = e->hpos != 0, now = ent_candidate(irq->flags);
    heap_set(&rd->lpis, e, now);
    if (was != now && rd->enabled)
        gicr_reselect(g, pe);
}

void lpi_set_pending(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    if (pe >= g->cfg.num_pes)
        return;
    g->stats.lpis_set++;
    lpi_ent *e = lpi_in_range(g, rd_of(g, pe), intid) ? lpi_get(g, pe, intid) : NULL;
    if (!e) {
        g->stats.lpis_dropped++;
        return;
    }
    irq_raise(g, &e->irq);
}

void lpi_clear_pending(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gic_irq *irq = lpi_lookup(g, pe, intid);
    if (!irq || !(irq->flags & IRQF_LATCH))
        return;
    uint8_t old = irq->flags;
    irq->flags &= (uint8_t)~IRQF_LATCH;
    irq_commit(g, irq, old, IRQ_BY_SOFTWARE);
}

/* Reload one cached configuration; true if the LPI's candidacy or priority
 * changed while it is (or was) a candidate. */
static bool lpi_reload(gicsim_gic *g, lpi_rd *rd, lpi_ent *e)
{
    bool was = e->hpos != 0;
    uint8_t prio = e->irq.prio;
    heap_remove(&rd->lpis, e);
    apply_config(g, e, config_byte(g, rd->propbaser & PA_4K_MASK, e->irq.intid));
    bool now = ent_candidate(e->irq.flags);
    heap_set(&rd->lpis, e, now);
    return was != now || (now && prio != e->irq.prio);
}

/* An LPI the redistributor has no state for needs no invalidation: its first
 * use reads the configuration from memory anyway. */
void lpi_inv(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    if (pe >= g->cfg.num_pes)
        return;
    lpi_rd *rd = rd_of(g, pe);
    lpi_ent *e = tbl_find(&rd->lpis, intid);
    if (e && lpi_reload(g, rd, e) && rd->enabled)
        gicr_reselect(g, pe);
}

void lpi_invall(gicsim_gic *g, uint32_t pe)
{
    if (pe >= g->cfg.num_pes)
        return;
    lpi_rd *rd = rd_of(g, pe);
    bool changed = false;
    for (uint32_t i = 0; i < rd->lpis.cap; i++)
        if (rd->lpis.slot[i])
            changed |= lpi_reload(g, rd, rd->lpis.slot[i]);
    if (changed && rd->enabled)
        gicr_reselect(g, pe);
}

/* MOVI/MOVALL: the pending state moves; the instance stays outstanding (no
 * accounting change) unless the LPI was already pending on the destination,
 * in which case it is withdrawn there and merges. */
static void move_one(gicsim_gic *g, lpi_ent *e, uint32_t to_pe)
{
    lpi_ent *t = lpi_get(g, to_pe, e->irq.intid);
    if (!t) {
        g->stats.lpis_dropped++;
        return;
    }
    uint8_t old = e->irq.flags;
    if (t->irq.flags & IRQF_LATCH) {
        e->irq.flags &= (uint8_t)~IRQF_LATCH;
        irq_commit(g, &e->irq, old, IRQ_BY_SOFTWARE);
        irq_raise(g, &t->irq);
        return;
    }
    e->irq.flags &= (uint8_t)~IRQF_LATCH;
    lpi_commit(g, &e->irq, old);
    old = t->irq.flags;
    t->irq.flags |= IRQF_LATCH;
    lpi_commit(g, &t->irq, old);
}

void lpi_move(gicsim_gic *g, uint32_t from_pe, uint32_t to_pe, uint32_t intid)
{
    if (from_pe >= g->cfg.num_pes || to_pe >= g->cfg.num_pes || from_pe == to_pe)
        return;
    lpi_ent *e = tbl_find(&rd_of(g, from_pe)->lpis, intid);
    if (e && (e->irq.flags & IRQF_LATCH))
        move_one(g, e, to_pe);
}

void lpi_move_all(gicsim_gic *g, uint32_t from_pe, uint32_t to_pe)
{
    if (from_pe >= g->cfg.num_pes || to_pe >= g->cfg.num_pes || from_pe == to_pe)
        return;
    lpi_table *t = &rd_of(g, from_pe)->lpis;
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->slot[i] && (t->slot[i]->irq.flags & IRQF_LATCH))
            move_one(g, t->slot[i], to_pe);
}

bool lpi_best(gicsim_gic *g, uint32_t pe, uint32_t *intid, uint8_t *prio)
{
    if (!g->lpis)
        return false;
    lpi_rd *rd = rd_of(g, pe);
    lpi_ent *e = heap_top(&rd->lpis);
    if (!e || !rd->enabled || !g->grp_enabled[GIC_G1NS] || !icc_group_enabled(g, pe, GIC_G1NS))
        return false;
    *intid = e->irq.intid;
    *prio = e->irq.prio;
    return true;
}

/* A bit found set in the pending table at EnableLPIs: the LPI becomes pending. */
static void enable_found(gicsim_gic *g, void *ctx, uint32_t intid)
{
    uint32_t pe = *(const uint32_t *)ctx;
    lpi_ent *e = lpi_get(g, pe, intid);
    if (!e) {
        g->stats.lpis_dropped++;
        return;
    }
    if (!(e->irq.flags & IRQF_LATCH))
        irq_raise(g, &e->irq);
}

/* GICR_CTLR.EnableLPIs 0 -> 1. */
static void enable_lpis(gicsim_gic *g, uint32_t pe)
{
    lpi_rd *rd = rd_of(g, pe);
    rd->enabled = true;
    unsigned bits = lpi_bits(g, rd);
    if (!rd->ptz && bits)
        scan_pending_table(g, rd->pendbaser & PA_64K_MASK, 1u << bits, enable_found, &pe);
    gicr_reselect(g, pe);
}

/* ---- vPEs ---------------------------------------------------------------------------- */

static size_t vpe_hash(uint64_t vpt, size_t cap)
{
    return (size_t)(((vpt >> 16) * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1u);
}

static vpe *vpe_find(const gicsim_gic *g, uint64_t vpt)
{
    const gic_lpis *L = g->lpis;
    if (!L->vcap)
        return NULL;
    for (size_t i = vpe_hash(vpt, L->vcap);; i = (i + 1u) & (L->vcap - 1u)) {
        vpe *p = L->vslot[i];
        if (!p || p->vpt == vpt)
            return p;
    }
}

static void vpe_place(vpe **slot, size_t cap, vpe *p)
{
    size_t i = vpe_hash(p->vpt, cap);
    while (slot[i])
        i = (i + 1u) & (cap - 1u);
    slot[i] = p;
}

/* The record of the vPE whose VPT is at `vpt`, created if needed; NULL if out
 * of memory. */
static vpe *vpe_get(gicsim_gic *g, uint64_t vpt)
{
    vpe *p = vpe_find(g, vpt);
    if (p)
        return p;
    gic_lpis *L = g->lpis;
    if ((L->vcount + 1u) * 2u > L->vcap) {
        size_t ncap = L->vcap ? L->vcap * 2u : 16u;
        vpe **ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < L->vcap; i++)
            if (L->vslot[i])
                vpe_place(ns, ncap, L->vslot[i]);
        free(L->vslot);
        L->vslot = ns;
        L->vcap = ncap;
    }
    p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->vpt = vpt;
    p->resident_pe = GIC_NO_PE;
    p->doorbell = DOORBELL_NONE;
    vpe_place(L->vslot, L->vcap, p);
    L->vcount++;
    return p;
}

/* The candidates of vPE `p` change: if it is resident, the virtual CPU
 * interface's cached view of them is stale (vcpuif_invalidate). */
static inline void vpe_touch(gicsim_gic *g, const vpe *p)
{
    if (p->resident_pe != GIC_NO_PE)
        vcpuif_invalidate(g, p->resident_pe);
}

/* Load the entry's configuration if it is not cached (or `force`); keeps the
 * heap right. */
static void vlpi_fill(gicsim_gic *g, vpe *p, vlpi_ent *e, bool force)
{
    if (e->cached && !force)
        return;
    vpe_touch(g, p);
    vheap_remove(&p->vlpis, e);
    config_apply(g, config_byte(g, p->vprop, e->vintid), &e->prio, &e->flags);
    e->cached = true;
    vheap_set(&p->vlpis, e, ent_candidate(e->flags));
}

/* The vPE's vLPI configuration table is now the one at `vprop`: if that is a
 * different table, every cached entry is reloaded from it. */
static void vpe_set_prop(gicsim_gic *g, vpe *p, uint64_t vprop)
{
    if (p->vprop == vprop)
        return;
    p->vprop = vprop;
    for (uint32_t i = 0; i < p->vlpis.cap; i++)
        if (p->vlpis.slot[i].vintid)
            vlpi_fill(g, p, &p->vlpis.slot[i], true);
}

/* The vLPI's entry, created if needed (valid until the next entry of the
 * vPE is created). Its configuration is read at first use if the vPE's
 * table is known (p->vprop != 0); if not (a GICv4.0 vPE that has not been
 * resident yet: the ITS does not know the table), it is read when the vPE
 * is made resident. */
static vlpi_ent *vlpi_get(gicsim_gic *g, vpe *p, uint32_t vintid)
{
    vlpi_ent *e = vtbl_find(&p->vlpis, vintid);
    if (!e) {
        e = vtbl_add(&p->vlpis, vintid);
        if (!e)
            return NULL;
    }
    if (p->vprop)
        vlpi_fill(g, p, e, false);
    return e;
}

static void vlpi_latch(gicsim_gic *g, vpe *p, vlpi_ent *e, bool pending)
{
    vpe_touch(g, p);
    if (pending)
        e->flags |= IRQF_LATCH;
    else
        e->flags &= (uint8_t)~IRQF_LATCH;
    vheap_set(&p->vlpis, e, ent_candidate(e->flags));
}

/* Does the vPE have a pending, enabled vLPI or vSGI? */
static bool vpe_has_pending(const vpe *p)
{
    return p->vlpis.hn || p->sgi_live;
}

/* Recompute bit `i` of p->sgi_live after sgi[i] changed. */
static inline void vsgi_sync(vpe *p, uint32_t i)
{
    if (p->sgi[i].pending && p->sgi[i].enabled)
        p->sgi_live |= (uint16_t)(1u << i);
    else
        p->sgi_live &= (uint16_t) ~(1u << i);
}

/* Present the resident vPE's current candidates (once its VPT scan is done). */
static void vpe_changed(gicsim_gic *g, const vpe *p)
{
    if (p->resident_pe != GIC_NO_PE && !rd_of(g, p->resident_pe)->dirty)
        vcpuif_update(g, p->resident_pe);
}

static void doorbell_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    lpi_set_pending(ctx, (uint32_t)(arg >> 32), (uint32_t)arg);
}

/* The redistributor raises doorbell LPI `intid` on `pe`: it becomes pending
 * the doorbell cost later. */
static void ring(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    g->stats.doorbells++;
    gicsim_time_t t = gicsim_timing_ps(&g->timing, GICSIM_COST_DOORBELL);
    if (!t) {
        lpi_set_pending(g, pe, intid);
        return;
    }
    g->stats.hop_events++;
    gicsim_engine_schedule_in(g->engine, t, doorbell_fire, g, ((uint64_t)pe << 32) | intid, NULL);
}

/* GICv4.1 per-vPE doorbell: raised on `pe` for an enabled interrupt of a
 * non-resident vPE, once until it is re-armed. */
static void vpe_ring(gicsim_gic *g, vpe *p, uint32_t pe, bool enabled)
{
    if (p->doorbell == DOORBELL_NONE || !p->db_armed || !enabled)
        return;
    p->db_armed = false;
    ring(g, pe, p->doorbell);
}

void vlpi_set_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint64_t vprop, uint32_t vintid,
                      uint32_t doorbell)
{
    if (!v4(g) || pe >= g->cfg.num_pes)
        return;
    g->stats.vlpis_set++;
    vpe *p = vintid >= GICSIM_LPI_BASE && vintid < VINTID_LIMIT ? vpe_get(g, vpt) : NULL;
    if (p && p->resident_pe == GIC_NO_PE && vprop)
        vpe_set_prop(g, p, vprop);
    vlpi_ent *e = p ? vlpi_get(g, p, vintid) : NULL;
    if (!e) {
        g->stats.lpis_dropped++;
        return;
    }
    pending_bit_write(g, vpt, vintid, true);
    vlpi_latch(g, p, e, true);
    /* Read now: a callback below may create vLPIs of this vPE, which moves e. */
    bool enabled = (e->flags & IRQF_ENABLED) != 0;
    if (p->resident_pe == pe) {
        vpe_changed(g, p);
        return;
    }
    /* Not resident on the redistributor the ITS sent it to. */
    if (!v41(g) && doorbell != DOORBELL_NONE) {
        ring(g, pe, doorbell);
    } else if (v41(g)) {
        vpe_ring(g, p, pe, enabled);
    }
    vpe_changed(g, p);
}

void vlpi_clear_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid)
{
    (void)pe;
    if (!v4(g) || vintid < GICSIM_LPI_BASE || vintid >= VINTID_LIMIT)
        return;
    pending_bit_write(g, vpt, vintid, false);
    vpe *p = vpe_find(g, vpt);
    vlpi_ent *e = p ? vtbl_find(&p->vlpis, vintid) : NULL;
    if (!e || !(e->flags & IRQF_LATCH))
        return;
    vlpi_latch(g, p, e, false);
    vpe_changed(g, p);
}

void vlpi_inv(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid)
{
    (void)pe;
    vpe *p = v4(g) ? vpe_find(g, vpt) : NULL;
    vlpi_ent *e = p && p->vprop ? vtbl_find(&p->vlpis, vintid) : NULL;
    if (!e)
        return;
    vlpi_fill(g, p, e, true);
    vpe_changed(g, p);
}

void vlpi_invall(gicsim_gic *g, uint32_t pe, uint64_t vpt)
{
    (void)pe;
    vpe *p = v4(g) ? vpe_find(g, vpt) : NULL;
    if (!p || !p->vprop)
        return;
    for (uint32_t i = 0; i < p->vlpis.cap; i++)
        if (p->vlpis.slot[i].vintid)
            vlpi_fill(g, p, &p->vlpis.slot[i], true);
    vpe_changed(g, p);
}

void vlpi_vpe_doorbell(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t doorbell)
{
    (void)pe;
    vpe *p = v41(g) ? vpe_get(g, vpt) : NULL;
    if (!p)
        return;
    p->doorbell = doorbell;
    p->db_armed = true;
}

void vsgi_config(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid, uint8_t prio,
                 bool group1, bool enable)
{
    (void)pe;
    vpe *p = v41(g) && vintid < VSGI_COUNT ? vpe_get(g, vpt) : NULL;
    if (!p)
        return;
    vsgi *s = &p->sgi[vintid];
    s->prio = (uint8_t)(prio & g->prio_mask);
    s->group1 = group1;
    s->enabled = enable;
    vsgi_sync(p, vintid);
    vpe_touch(g, p);
    vpe_changed(g, p);
}

void vsgi_set_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid)
{
    if (!v41(g) || pe >= g->cfg.num_pes)
        return;
    g->stats.vsgis_set++;
    vpe *p = vintid < VSGI_COUNT ? vpe_get(g, vpt) : NULL;
    if (!p) {
        g->stats.lpis_dropped++;
        return;
    }
    p->sgi[vintid].pending = true;
    vsgi_sync(p, vintid);
    vpe_touch(g, p);
    if (p->resident_pe != pe)
        vpe_ring(g, p, pe, p->sgi[vintid].enabled);
    vpe_changed(g, p);
}

#if GICSIM_INV_ENABLED
/* The invariant checker: p->sgi_live matches the vSGIs' own state. */
static void check_sgi_live(gicsim_gic *g, const vpe *p)
{
    gicsim_invariant_report *rep = inv_gic_report(g);
    if (!rep)
        return;
    uint32_t live = 0;
    for (uint32_t i = 0; i < VSGI_COUNT; i++)
        if (p->sgi[i].pending && p->sgi[i].enabled)
            live |= 1u << i;
    rep->checks++;
    if (live != p->sgi_live)
        inv_fail(rep, gicsim_engine_now(g->engine), "lpi.c:vlpi_best",
                 "vPE at 0x%llx: pending enabled vSGI mask 0x%x, state says 0x%x",
                 (unsigned long long)p->vpt, (unsigned)p->sgi_live, (unsigned)live);
}
#endif

bool vlpi_best(gicsim_gic *g, uint32_t pe, bool grp0, bool grp1, uint32_t *vintid, uint8_t *prio,
               bool *group1)
{
    if (!g->lpis || pe >= g->cfg.num_pes)
        return false;
    lpi_rd *rd = rd_of(g, pe);
    const vpe *p = rd->resident;
    if (!p || rd->dirty)
        return false;
    unsigned best = 0x100;
    GICSIM_INV(check_sgi_live(g, p));
    /* The pending enabled vSGIs in ascending vINTID with a strict
     * comparison: ties go to the lowest. */
    for (uint32_t m = p->sgi_live; m; m &= m - 1u) {
        uint32_t i = (uint32_t)__builtin_ctz(m);
        const vsgi *s = &p->sgi[i];
        if ((s->group1 ? grp1 : grp0) && s->prio < best) {
            best = s->prio;
            *vintid = i;
            *prio = s->prio;
            *group1 = s->group1;
        }
    }
    const vlpi_ent *e = vheap_top(&p->vlpis);
    if (grp1 && e && e->prio < best) {
        best = e->prio;
        *vintid = e->vintid;
        *prio = e->prio;
        *group1 = true;
    }
    return best < 0x100;
}

void vlpi_acknowledge(gicsim_gic *g, uint32_t pe, uint32_t vintid)
{
    if (!g->lpis || pe >= g->cfg.num_pes)
        return;
    vpe *p = rd_of(g, pe)->resident;
    if (!p)
        return;
    if (vintid < VSGI_COUNT) {
        p->sgi[vintid].pending = false;
        vsgi_sync(p, vintid);
        vpe_touch(g, p);
        return;
    }
    vlpi_ent *e = vtbl_find(&p->vlpis, vintid);
    if (!e)
        return;
    vlpi_latch(g, p, e, false);
    pending_bit_write(g, p->vpt, vintid, false);
}

/* ---- residency ------------------------------------------------------------------------ */

/* vINTID limit of the resident vPE: GICR_VPROPBASER.IDbits + 1 bits, capped
 * at the 16 bits the virtual CPU interface implements. */
static uint32_t vlpi_limit(const lpi_rd *rd)
{
    unsigned idb = (unsigned)(rd->vpropbaser & 0x1Fu);
    if (idb < MIN_LPI_IDBITS)
        return 0;
    return idb + 1u >= 16u ? VINTID_LIMIT : 1u << (idb + 1u);
}

static void scan_found(gicsim_gic *g, void *ctx, uint32_t vintid)
{
    vpe *p = ctx;
    vlpi_ent *e = vlpi_get(g, p, vintid);
    if (e)
        vlpi_latch(g, p, e, true);
    else
        g->stats.lpis_dropped++;
}

/* The vpt_scan of a vPE being made resident completes: the VPT in memory is
 * authoritative for its vLPIs' pending state. */
static void scan_done(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_gic *g = ctx;
    uint32_t pe = (uint32_t)arg;
    lpi_rd *rd = rd_of(g, pe);
    vpe *p = rd->resident;
    rd->scan_id = 0;
    if (!rd->dirty || !p)
        return;
    uint32_t limit = vlpi_limit(rd);
    for (uint32_t i = 0; i < p->vlpis.cap; i++) {
        vlpi_ent *v = &p->vlpis.slot[i];
        if (v->vintid) {
            bool in = v->vintid < limit && pending_bit_read(g, p->vpt, v->vintid);
            vlpi_fill(g, p, v, false);
            vlpi_latch(g, p, v, in);
        }
    }
    if (limit)
        scan_pending_table(g, p->vpt, limit, scan_found, p);
    rd->dirty = false;
    vcpuif_invalidate(g, pe);
    vcpuif_update(g, pe);
}

static void make_resident(gicsim_gic *g, uint32_t pe, uint64_t val)
{
    lpi_rd *rd = rd_of(g, pe);
    vpe *p = vpe_get(g, val & PA_64K_MASK);
    /* A vPE resident on two redistributors at once is UNPREDICTABLE: the
     * write is ignored. */
    if (!p || p->resident_pe != GIC_NO_PE) {
        g->stats.raz_wi_writes++;
        return;
    }
    rd->vpendbaser = val & VPENDBASER_RW_MASK;
    rd->valid = true;
    rd->dirty = true;
    rd->pending_last = false;
    rd->resident = p;
    p->resident_pe = pe;
    p->db_armed = true;
    vcpuif_invalidate(g, pe);
    vpe_set_prop(g, p, rd->vpropbaser & PA_4K_MASK);
    g->stats.vpe_residency_changes++;
    gicsim_time_t t = gicsim_timing_ps(&g->timing, GICSIM_COST_VPT_SCAN);
    gicsim_engine_schedule_in(g->engine, t, scan_done, g, pe, &rd->scan_id);
}

static void make_nonresident(gicsim_gic *g, uint32_t pe, uint64_t val)
{
    lpi_rd *rd = rd_of(g, pe);
    vpe *p = rd->resident;
    if (rd->scan_id)
        gicsim_engine_cancel(g->engine, rd->scan_id);
    rd->scan_id = 0;
    vcpuif_invalidate(g, pe);
    rd->vpendbaser = val & VPENDBASER_RW_MASK;
    rd->valid = false;
    rd->dirty = false;
    rd->pending_last = p && vpe_has_pending(p);
    rd->resident = NULL;
    if (p)
        p->resident_pe = GIC_NO_PE;
    g->stats.vpe_residency_changes++;
    vcpuif_update(g, pe);
}

/* ---- registers -------------------------------------------------------------------------- */

/* A 64-bit register at `base`: a 64-bit access, or a 32-bit access to either
 * half. *half is 0 (low), 1 (high) or 2 (whole). */
static bool reg64(uint32_t off, unsigned size, uint32_t base, unsigned *half)
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

static uint64_t half_read(uint64_t v, unsigned half)
{
    return half == 2 ? v : half ? v >> 32 : v & HALF_MASK;
}

static uint64_t half_merge(uint64_t old, uint64_t val, unsigned half)
{
    if (half == 2)
        return val;
    if (half)
        return (old & HALF_MASK) | (val << 32);
    return (old & ~HALF_MASK) | (val & HALF_MASK);
}

static uint64_t vpendbaser_read(const lpi_rd *rd)
{
    return rd->vpendbaser | (rd->valid ? GICSIM_GICR_VPENDBASER_VALID : 0) |
           (rd->pending_last ? GICSIM_GICR_VPENDBASER_PENDING_LAST : 0) |
           (rd->dirty ? GICSIM_GICR_VPENDBASER_DIRTY : 0);
}

bool lpi_gicr_read(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t *val)
{
    lpi_rd *rd = rd_of(g, pe);
    unsigned half;
    if (off == GICSIM_GICR_CTLR && size == 4) {
        *val = rd->enabled ? GICSIM_GICR_CTLR_ENABLE_LPIS : 0;
        return true;
    }
    if (off == GICSIM_GICR_SYNCR && size == 4) {
        *val = 0; /* Busy: invalidations complete at once */
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_PROPBASER, &half)) {
        *val = half_read(rd->propbaser, half);
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_PENDBASER, &half)) {
        *val = half_read(rd->pendbaser, half); /* PTZ reads 0 */
        return true;
    }
    if (!v4(g))
        return false;
    if (reg64(off, size, GICSIM_GICR_VPROPBASER, &half)) {
        *val = half_read(rd->vpropbaser, half);
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_VPENDBASER, &half)) {
        *val = half_read(vpendbaser_read(rd), half);
        return true;
    }
    return false;
}

/* The INTID written to GICR_SETLPIR/CLRLPIR/INVLPIR (64-bit, or a 32-bit
 * write of the low half). */
static bool intid_reg(uint32_t off, unsigned size, uint32_t base)
{
    return off == base && (size == 8 || size == 4);
}

bool lpi_gicr_write(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t val)
{
    lpi_rd *rd = rd_of(g, pe);
    unsigned half;
    if (off == GICSIM_GICR_CTLR && size == 4) {
        if ((val & GICSIM_GICR_CTLR_ENABLE_LPIS) && !rd->enabled)
            enable_lpis(g, pe);
        else if (!(val & GICSIM_GICR_CTLR_ENABLE_LPIS) && rd->enabled)
            g->stats.raz_wi_writes++; /* CES=0: EnableLPIs cannot be cleared */
        return true;
    }
    if (intid_reg(off, size, GICSIM_GICR_SETLPIR)) {
        lpi_set_pending(g, pe, (uint32_t)val);
        return true;
    }
    if (intid_reg(off, size, GICSIM_GICR_CLRLPIR)) {
        lpi_clear_pending(g, pe, (uint32_t)val);
        return true;
    }
    if (intid_reg(off, size, GICSIM_GICR_INVLPIR) || intid_reg(off, size, GICSIM_GICR_INVALLR)) {
        /* V=1 (bit 63) names a vPE by vPEID, which needs GICR_TYPER.RVPEID=1:
         * ignored here. */
        if (size == 8 && (val >> 63)) {
            g->stats.raz_wi_writes++;
        } else if (off == GICSIM_GICR_INVLPIR) {
            lpi_inv(g, pe, (uint32_t)val);
        } else {
            lpi_invall(g, pe);
        }
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_PROPBASER, &half)) {
        if (rd->enabled) /* read-only once EnableLPIs is 1 */
            g->stats.raz_wi_writes++;
        else
            rd->propbaser = half_merge(rd->propbaser, val, half) & PROPBASER_MASK;
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_PENDBASER, &half)) {
        if (rd->enabled) {
            g->stats.raz_wi_writes++;
        } else {
            uint64_t v = half_merge(rd->pendbaser, val, half);
            if (half != 0) /* PTZ is in the high half */
                rd->ptz = (v & GICSIM_GICR_PENDBASER_PTZ) != 0;
            rd->pendbaser = v & PENDBASER_MASK;
        }
        return true;
    }
    if (!v4(g))
        return false;
    if (reg64(off, size, GICSIM_GICR_VPROPBASER, &half)) {
        if (rd->valid) /* UNPREDICTABLE while a vPE is resident: ignored */
            g->stats.raz_wi_writes++;
        else
            rd->vpropbaser = half_merge(rd->vpropbaser, val, half) & PROPBASER_MASK;
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_VPENDBASER, &half)) {
        uint64_t v = half_merge(vpendbaser_read(rd), val, half);
        bool valid = (v & GICSIM_GICR_VPENDBASER_VALID) != 0;
        if (valid && rd->valid)
            g->stats.raz_wi_writes++; /* UNPREDICTABLE while Valid=1: ignored */
        else if (valid)
            make_resident(g, pe, v);
        else if (rd->valid)
            make_nonresident(g, pe, v);
        else
            rd->vpendbaser = v & VPENDBASER_RW_MASK;
        return true;
    }
    return false;
}
