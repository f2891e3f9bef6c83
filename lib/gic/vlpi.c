/* gicsim: GICv4 virtual LPIs and SGIs in the redistributors: vPEs and
 * their residency, vLPIs, doorbells and the GICv4.1 vSGIs. Physical LPIs and
 * the accessors of the tables in memory are in lpi.c; what both share is in
 * lpi_internal.h.
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
 * Storage is sparse: one record per vPE (a hash keyed by VPT address), and
 * per vPE a hash table of its vLPIs plus a binary heap of the candidates
 * ordered by (priority, INTID), as for physical LPIs (lpi.c); memory grows
 * with the vLPIs used. A vLPI's entry is stored in its table's slot array
 * (about 28 bytes per vLPI at the highest load), so its address changes when
 * the table grows.
 */
#include "gic_invariants.h"
#include "lpi_internal.h"

#include <stdlib.h>

#define DOORBELL_NONE 1023u
#define VSGI_COUNT 16u
#define VINTID_LIMIT (1u << 16) /* ICH_VTR_EL2.IDbits = 0: 16-bit vINTIDs */
#define VPENDBASER_RW_MASK (CACHE_SHARE_MASK | PA_64K_MASK | GICSIM_GICR_VPENDBASER_IDAI)

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

/* ---- vPE state ------------------------------------------------------------------------- */

typedef struct vsgi {
    uint8_t prio;
    bool group1, enabled, pending;
} vsgi;

/* A vPE, known by its VPT address. One record per vPE, shared by every
 * redistributor it is resident on or targeted at. */
struct vpe {
    uint64_t vpt;
    uint64_t vprop;       /* configuration table its cached entries came from */
    uint32_t resident_pe; /* redistributor it is resident on, GIC_NO_PE if none */
    uint32_t doorbell;    /* GICv4.1 per-vPE doorbell LPI, DOORBELL_NONE if none */
    bool db_armed;        /* the doorbell may be raised (once per non-residency) */
    vlpi_table vlpis;
    vsgi sgi[VSGI_COUNT];
    uint16_t sgi_live; /* bit i set exactly when sgi[i] is pending and enabled (vsgi_sync) */
};

/* Every vPE record and the vPE hash (lpi_free). */
void vpe_free_all(gic_lpis *L)
{
    for (size_t i = 0; i < L->vcap; i++) {
        if (L->vslot[i]) {
            vtbl_free(&L->vslot[i]->vlpis);
            free(L->vslot[i]);
        }
    }
    free(L->vslot);
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
        if (!ns) {
            engine_fail(g->engine, GICSIM_E_NOMEM);
            return NULL;
        }
        for (size_t i = 0; i < L->vcap; i++)
            if (L->vslot[i])
                vpe_place(ns, ncap, L->vslot[i]);
        free(L->vslot);
        L->vslot = ns;
        L->vcap = ncap;
    }
    p = calloc(1, sizeof *p);
    if (!p) {
        engine_fail(g->engine, GICSIM_E_NOMEM);
        return NULL;
    }
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
    lpi_config_apply(g, lpi_config_byte(g, p->vprop, e->vintid), &e->prio, &e->flags);
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
        if (!e) {
            engine_fail(g->engine, GICSIM_E_NOMEM);
            return NULL;
        }
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
    gic_emit(g, GICSIM_GEV_DOORBELL, pe, intid);
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
    lpi_pending_bit_write(g, vpt, vintid, true);
    vlpi_latch(g, p, e, true);
    /* Read now: a callback below may create vLPIs of this vPE, which moves e. */
    bool enabled = (e->flags & IRQF_ENABLED) != 0;
    gic_emit(g, GICSIM_GEV_VLPI, pe, vintid);
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
    lpi_pending_bit_write(g, vpt, vintid, false);
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
    gic_emit(g, GICSIM_GEV_VLPI, pe, vintid);
    if (p->resident_pe != pe)
        vpe_ring(g, p, pe, p->sgi[vintid].enabled);
    vpe_changed(g, p);
}

/* The VSGI command with Clear=1 (GICv4.1, IHI 0069 "VSGI"; Linux
 * its_build_vsgi_cmd): the vSGI's pending state, kept with the vPE and not
 * in the VPT, is cleared after the configuration the same command carries
 * is applied (its_cmd.c sends MSG_VSGI_CLEAR after MSG_VSGI_CONFIG). */
void vsgi_clear_pending(gicsim_gic *g, uint32_t pe, uint64_t vpt, uint32_t vintid)
{
    (void)pe;
    vpe *p = v41(g) && vintid < VSGI_COUNT ? vpe_find(g, vpt) : NULL;
    if (!p || !p->sgi[vintid].pending)
        return;
    p->sgi[vintid].pending = false;
    vsgi_sync(p, vintid);
    vpe_touch(g, p);
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
        inv_fail(rep, engine_now(g->engine), "lpi.c:vlpi_best",
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
    lpi_pending_bit_write(g, p->vpt, vintid, false);
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
static void scan_apply(gicsim_gic *g, uint32_t pe)
{
    lpi_rd *rd = rd_of(g, pe);
    vpe *p = rd->resident;
    rd->scan_id = 0;
    if (!rd->dirty || !p)
        return;
    uint32_t limit = vlpi_limit(rd);
    for (uint32_t i = 0; i < p->vlpis.cap; i++) {
        vlpi_ent *v = &p->vlpis.slot[i];
        if (v->vintid) {
            bool in = v->vintid < limit && lpi_pending_bit_read(g, p->vpt, v->vintid);
            vlpi_fill(g, p, v, false);
            vlpi_latch(g, p, v, in);
        }
    }
    if (limit)
        lpi_scan_pending_table(g, p->vpt, limit, scan_found, p);
    rd->dirty = false;
    vcpuif_invalidate(g, pe);
    vcpuif_update(g, pe);
}

static void scan_done(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    scan_apply(ctx, (uint32_t)arg);
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
    /* Made non-resident during the parse: writing Valid=0 while Dirty reads 1
     * is UNPREDICTABLE (IHI 0069, GICR_VPENDBASER), which is why Linux waits
     * for Dirty first where the redistributor reports it. Where it does not
     * (a GICv4.0 without GICR_TYPER.Dirty) the redistributor finishes the
     * parse before it deschedules, so PendingLast and the doorbell see the
     * VPT's pending bits. */
    if (rd->scan_id) {
        gicsim_engine_cancel(g->engine, rd->scan_id);
        scan_apply(g, pe);
    }
    rd->scan_id = 0;
    vcpuif_invalidate(g, pe);
    rd->vpendbaser = val & VPENDBASER_RW_MASK;
    rd->valid = false;
    rd->dirty = false;
    rd->pending_last = p && vpe_has_pending(p);
    rd->resident = NULL;
    if (p) {
        p->resident_pe = GIC_NO_PE;
        /* GICv4.1: a doorbell only when the write asked for one
         * (GICR_VPENDBASER.Doorbell), as KVM does for a vCPU that blocks
         * (its_make_vpe_non_resident with db) and not for one preempted. */
        if (v41(g))
            p->db_armed = (val & GICSIM_GICR_VPENDBASER_DB) != 0;
    }
    g->stats.vpe_residency_changes++;
    vcpuif_update(g, pe);
}

/* ---- Registers: the VLPI_base frame --------------------------------------------------------- */

/* GICR_VPENDBASER.Dirty is RES0 where GICR_TYPER.Dirty is 0 (a GICv4.0
 * without it): the parse still takes vpt_scan, unseen by software. */
static uint64_t vpendbaser_read(const gicsim_gic *g, const lpi_rd *rd)
{
    bool has_dirty = v41(g) || g->cfg.vpt_dirty;
    return rd->vpendbaser | (rd->valid ? GICSIM_GICR_VPENDBASER_VALID : 0) |
           (rd->pending_last ? GICSIM_GICR_VPENDBASER_PENDING_LAST : 0) |
           (rd->dirty && has_dirty ? GICSIM_GICR_VPENDBASER_DIRTY : 0);
}

bool vlpi_gicr_read(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t *val)
{
    lpi_rd *rd = rd_of(g, pe);
    unsigned half;
    if (reg64(off, size, GICSIM_GICR_VPROPBASER, &half)) {
        *val = half_read(rd->vpropbaser, half);
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_VPENDBASER, &half)) {
        *val = half_read(vpendbaser_read(g, rd), half);
        return true;
    }
    return false;
}

bool vlpi_gicr_write(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t val)
{
    lpi_rd *rd = rd_of(g, pe);
    unsigned half;
    if (reg64(off, size, GICSIM_GICR_VPROPBASER, &half)) {
        if (rd->valid) /* UNPREDICTABLE while a vPE is resident: ignored */
            g->stats.raz_wi_writes++;
        else
            rd->vpropbaser = half_merge(rd->vpropbaser, val, half) & PROPBASER_MASK;
        return true;
    }
    if (reg64(off, size, GICSIM_GICR_VPENDBASER, &half)) {
        uint64_t v = half_merge(vpendbaser_read(g, rd), val, half);
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
