/* gicsim: physical LPIs in the redistributors (GICv3, IHI 0069, "LPIs").
 * GICv4 virtual LPIs, vPEs and vSGIs are in vlpi.c; what both share is in
 * lpi_internal.h.
 *
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
 * Storage is sparse: per redistributor a hash table of the LPIs it has state
 * for, plus a binary heap of the candidates ordered by (priority, INTID);
 * memory grows with the LPIs used. An LPI's entry is allocated on its own,
 * because irq.c holds gic_irq pointers to it.
 */
#include "lpi_internal.h"

#include <stdlib.h>

#define PROP_ENABLE 0x01u
#define PROP_PRIORITY 0xFCu
#define PENDBASER_MASK (CACHE_SHARE_MASK | PA_64K_MASK)

/* ---- Sparse LPI tables --------------------------------------------------------- */

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

/* ---- State --------------------------------------------------------------------------- */

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
    vpe_free_all(L);
    free(L->rd);
    free(L);
    g->lpis = NULL;
}

/* ---- memory helpers ---------------------------------------------------------------- */

uint8_t lpi_config_byte(gicsim_gic *g, uint64_t table, uint32_t intid)
{
    uint8_t b = 0;
    mem_read(g->mem, table + (intid - GICSIM_LPI_BASE), &b, 1);
    g->stats.lpi_config_reads++;
    return b;
}

/* Cache a configuration byte: priority bits [7:2] (as many as are
 * implemented) into *prio, enable bit 0 into IRQF_ENABLED of *flags. */
void lpi_config_apply(const gicsim_gic *g, uint8_t b, uint8_t *prio, uint8_t *flags)
{
    *prio = (uint8_t)(b & PROP_PRIORITY & g->prio_mask);
    if (b & PROP_ENABLE)
        *flags |= IRQF_ENABLED;
    else
        *flags &= (uint8_t)~IRQF_ENABLED;
}

static void apply_config(const gicsim_gic *g, lpi_ent *e, uint8_t b)
{
    lpi_config_apply(g, b, &e->irq.prio, &e->irq.flags);
    e->cached = true;
}

/* Set or clear bit `intid` of the pending table at `table`. A write that
 * cannot allocate memory leaves the table as it was; the redistributor's own
 * state still records the change. */
void lpi_pending_bit_write(gicsim_gic *g, uint64_t table, uint32_t intid, bool set)
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

bool lpi_pending_bit_read(const gicsim_gic *g, uint64_t table, uint32_t intid)
{
    uint8_t b = 0;
    mem_read(g->mem, table + intid / 8u, &b, 1);
    return (b >> (intid % 8u)) & 1u;
}

/* Call fn for every set bit of the pending table at `table` for INTIDs
 * 8192..limit-1 (the first 1 KiB, INTIDs below 8192, is not scanned). */
void lpi_scan_pending_table(gicsim_gic *g, uint64_t table, uint32_t limit, lpi_bit_fn fn, void *ctx)
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
    if (!e) {
        engine_fail(g->engine, GICSIM_E_NOMEM);
        return NULL;
    }
    e->irq.target = pe;
    /* Group 1 Non-secure (with DS=0: IGROUPR=1, IGRPMODR=0), edge-triggered. */
    e->irq.flags = IRQF_EDGE | IRQF_GROUP;
    apply_config(g, e, lpi_config_byte(g, rd->propbaser & PA_4K_MASK, intid));
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
        lpi_pending_bit_write(g, rd->pendbaser & PA_64K_MASK, irq->intid,
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
    apply_config(g, e, lpi_config_byte(g, rd->propbaser & PA_4K_MASK, e->irq.intid));
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
        lpi_scan_pending_table(g, rd->pendbaser & PA_64K_MASK, 1u << bits, enable_found, &pe);
    gicr_reselect(g, pe);
}

/* ---- Registers -------------------------------------------------------------------------- */

bool lpi_gicr_read(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t *val)
{
    lpi_rd *rd = rd_of(g, pe);
    unsigned half;
    if (off == GICSIM_GICR_CTLR && size == 4) {
        *val = rd->enabled ? GICSIM_GICR_CTLR_ENABLE_LPIS : 0;
        return true;
    }
    if (off == GICSIM_GICR_SYNCR && size == 4) {
        /* Busy while the configuration reads of the last invalidations run. */
        *val = engine_now(g->engine) < rd->sync_until ? 1u : 0u;
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
    return vlpi_gicr_read(g, pe, off, size, val);
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
            return true;
        }
        /* The new configuration takes effect at once; GICR_SYNCR stays Busy
         * for the redistributor's reads of the configuration table: one byte
         * for INVLPIR, every LPI it holds for INVALLR. */
        gicsim_time_t now = engine_now(g->engine);
        uint32_t reads = 1;
        if (off == GICSIM_GICR_INVLPIR) {
            lpi_inv(g, pe, (uint32_t)val);
        } else {
            reads = rd->lpis.count ? rd->lpis.count : 1;
            lpi_invall(g, pe);
        }
        rd->sync_until = (rd->sync_until > now ? rd->sync_until : now) +
                         (gicsim_time_t)reads * g->t_lpi_config_read;
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
    return vlpi_gicr_write(g, pe, off, size, val);
}
