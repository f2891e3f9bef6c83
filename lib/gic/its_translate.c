/* gicsim: ITS translation (IHI 0069 5.2): the translation cache and the
 * table walk through the Device table, the ITT and the Collection or vPE
 * table, all in simulated memory (see the theory of operations in its.c and
 * the entry formats in its_internal.h). The ITS server (its.c) and the
 * command executor (its_cmd.c) call it; it sends nothing to the
 * redistributors.
 */
#include "its_internal.h"

#include <stdlib.h>

/* ---- Translation cache: LRU over (DeviceID, EventID) ---------------------------- */

static uint32_t cache_hash(const its_cache *c, uint32_t dev, uint32_t ev)
{
    uint64_t k = ((uint64_t)dev << 32 | ev) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(k >> 32) & (c->nbuckets - 1);
}

gicsim_status its_cache_init(its_cache *c, uint32_t cap)
{
    c->cap = cap;
    c->mru = c->lru = c->free_head = -1;
    if (!cap)
        return GICSIM_OK;
    c->nbuckets = 1;
    while (c->nbuckets < 2 * cap)
        c->nbuckets *= 2;
    c->e = calloc(cap, sizeof *c->e);
    c->bucket = malloc(c->nbuckets * sizeof *c->bucket);
    if (!c->e || !c->bucket)
        return GICSIM_E_NOMEM;
    for (uint32_t i = 0; i < c->nbuckets; i++)
        c->bucket[i] = -1;
    for (uint32_t i = cap; i-- > 0;) {
        c->e[i].hnext = c->free_head;
        c->free_head = (int32_t)i;
    }
    return GICSIM_OK;
}

int32_t its_cache_find(const its_cache *c, uint32_t dev, uint32_t ev)
{
    if (!c->cap)
        return -1;
    for (int32_t i = c->bucket[cache_hash(c, dev, ev)]; i >= 0; i = c->e[i].hnext)
        if (c->e[i].dev == dev && c->e[i].ev == ev)
            return i;
    return -1;
}

static void lru_unlink(its_cache *c, int32_t i)
{
    cache_entry *e = &c->e[i];
    if (e->prev >= 0)
        c->e[e->prev].next = e->next;
    else
        c->mru = e->next;
    if (e->next >= 0)
        c->e[e->next].prev = e->prev;
    else
        c->lru = e->prev;
}

static void lru_push_front(its_cache *c, int32_t i)
{
    c->e[i].prev = -1;
    c->e[i].next = c->mru;
    if (c->mru >= 0)
        c->e[c->mru].prev = i;
    c->mru = i;
    if (c->lru < 0)
        c->lru = i;
}

static void cache_remove(its_cache *c, int32_t i)
{
    cache_entry *e = &c->e[i];
    int32_t *p = &c->bucket[cache_hash(c, e->dev, e->ev)];
    while (*p != i)
        p = &c->e[*p].hnext;
    *p = e->hnext;
    lru_unlink(c, i);
    e->used = false;
    e->hnext = c->free_head;
    c->free_head = i;
}

void its_cache_touch(its_cache *c, int32_t i)
{
    lru_unlink(c, i);
    lru_push_front(c, i);
}

void its_cache_insert(gic_its *its, uint32_t dev, uint32_t ev, const its_xlat *x)
{
    its_cache *c = &its->cache;
    if (!c->cap)
        return;
    if (c->free_head < 0) {
        cache_remove(c, c->lru);
        its->stats.cache_evictions++;
    }
    int32_t i = c->free_head;
    cache_entry *e = &c->e[i];
    c->free_head = e->hnext;
    e->dev = dev;
    e->ev = ev;
    e->x = *x;
    e->used = true;
    uint32_t h = cache_hash(c, dev, ev);
    e->hnext = c->bucket[h];
    c->bucket[h] = i;
    lru_push_front(c, i);
}

/* Remove the cached translations a command or a table change makes stale. */
void its_cache_invalidate(gic_its *its, inval_by by, uint32_t dev, uint32_t ev)
{
    its_cache *c = &its->cache;
    if (by == INVAL_EVENT) {
        int32_t i = its_cache_find(c, dev, ev);
        if (i >= 0) {
            cache_remove(c, i);
            its->stats.cache_invalidations++;
        }
        return;
    }
    for (uint32_t i = 0; i < c->cap; i++) {
        const cache_entry *e = &c->e[i];
        if (!e->used)
            continue;
        bool hit = by == INVAL_ALL || (by == INVAL_DEVICE && e->dev == dev) ||
                   (by == INVAL_ICID && !e->x.virt && e->x.id == dev) ||
                   (by == INVAL_VPE && e->x.virt && e->x.id == dev);
        if (hit) {
            cache_remove(c, (int32_t)i);
            its->stats.cache_invalidations++;
        }
    }
}

/* ---- Tables ------------------------------------------------------------------- */

unsigned its_baser_type(const gic_its *its, unsigned n)
{
    switch (n) {
    case GICSIM_GITS_BASER_DEVICES_INDEX:
        return GICSIM_GITS_BASER_TYPE_DEVICES;
    case GICSIM_GITS_BASER_COLLECTIONS_INDEX:
        return GICSIM_GITS_BASER_TYPE_COLLECTIONS;
    case GICSIM_GITS_BASER_VPES_INDEX:
        return is_v4(its) ? GICSIM_GITS_BASER_TYPE_VPES : GICSIM_GITS_BASER_TYPE_NONE;
    default:
        return GICSIM_GITS_BASER_TYPE_NONE;
    }
}

uint32_t its_baser_entry_size(unsigned type)
{
    if (type == GICSIM_GITS_BASER_TYPE_VPES)
        return VPE_SIZE;
    return type == GICSIM_GITS_BASER_TYPE_DEVICES ? DTE_SIZE : CTE_SIZE;
}

void its_table_decode(const gic_its *its, unsigned n, its_table *t)
{
    uint64_t v = its->baser[n];
    static const uint64_t page_bytes[4] = {4096, 16384, 65536, 65536};
    t->valid = (v & GICSIM_GITS_BASER_VALID) != 0;
    t->indirect = (v & GICSIM_GITS_BASER_INDIRECT) != 0;
    t->page = page_bytes[(v >> GICSIM_GITS_BASER_PAGE_SIZE_SHIFT) & 3u];
    t->bytes = ((v & GICSIM_GITS_BASER_SIZE_MASK) + 1) * t->page;
    t->esz = its_baser_entry_size(its_baser_type(its, n));
    /* With 64 KiB pages, PA[51:48] sits in bits [15:12] (GITS_BASER<n>). */
    if (t->page == 65536)
        t->pa = (v & 0x0000FFFFFFFF0000ull) | (((v >> 12) & 0xFull) << 48);
    else
        t->pa = v & GICSIM_GITS_BASER_PA_MASK & ~(t->page - 1);
}

/* Whether `id` is within the range the table describes (no memory access). */
bool its_table_in_range(const its_table *t, uint64_t id)
{
    if (!t->valid)
        return false;
    if (!t->indirect)
        return id < t->bytes / t->esz;
    return id / (t->page / t->esz) < t->bytes / 8u;
}

/* Address of entry `id` of a table. A two-level table costs one access for the
 * level-1 entry (counted in *acc); an invalid level-1 entry means no entry
 * (architecture 5.2.1: software allocates level-2 pages on demand). */
locate_result its_table_locate(gic_its *its, const its_table *t, uint64_t id, uint64_t *pa,
                               unsigned *acc)
{
    if (!its_table_in_range(t, id))
        return LOC_OOR;
    if (!t->indirect) {
        *pa = t->pa + id * t->esz;
        return LOC_OK;
    }
    uint64_t per_page = t->page / t->esz;
    (*acc)++;
    uint64_t l1 = mem_read64(its->g->mem, t->pa + (id / per_page) * 8u);
    if (!(l1 & GICSIM_GITS_L1_VALID))
        return LOC_L1_INVALID;
    *pa = (l1 & GICSIM_GITS_L1_PA_MASK & ~(t->page - 1)) + (id % per_page) * t->esz;
    return LOC_OK;
}

static uint64_t table_read64(gic_its *its, uint64_t pa, unsigned *acc)
{
    (*acc)++;
    return mem_read64(its->g->mem, pa);
}

/* A table write. A write that cannot allocate memory leaves the entry as it
 * was; the model then behaves as if the command had not been issued. */
void its_table_write64(gic_its *its, uint64_t pa, uint64_t v, unsigned *acc)
{
    (*acc)++;
    mem_write64(its->g->mem, pa, v);
}

void its_vpe_read(gic_its *its, uint64_t pa, vpe_entry *v, unsigned *acc)
{
    (*acc)++;
    uint8_t b[VPE_SIZE];
    mem_read(its->g->mem, pa, b, sizeof b);
    uint64_t dw0 = mem_ld64(b);
    v->valid = (dw0 & VPE_VALID) != 0;
    v->pe = (uint32_t)(dw0 & 0xFFFFu);
    v->vpt_bits_m1 = (uint32_t)(dw0 >> VPE_SIZE_SHIFT) & 0xFFu;
    v->vpt = mem_ld64(b + 8);
    v->vconf = mem_ld64(b + 16);
    v->doorbell = (uint32_t)mem_ld64(b + 24);
}

void its_vpe_write(gic_its *its, uint64_t pa, const vpe_entry *v, unsigned *acc)
{
    (*acc)++;
    uint8_t b[VPE_SIZE];
    uint64_t dw[4] = {(v->valid ? VPE_VALID : 0) |
                          ((uint64_t)(v->vpt_bits_m1 & 0xFFu) << VPE_SIZE_SHIFT) |
                          (v->pe & 0xFFFFu),
                      v->vpt, v->vconf, v->doorbell};
    for (unsigned i = 0; i < VPE_SIZE; i++)
        b[i] = (uint8_t)(dw[i / 8] >> (8 * (i % 8)));
    mem_write(its->g->mem, pa, b, sizeof b);
}

bool its_lpi_valid(const gic_its *its, uint64_t intid)
{
    return intid >= GICSIM_LPI_BASE && intid < (1ull << its->g->cfg.lpi_id_bits);
}

/* vINTIDs: LPI INTIDs below both 2^(GICD_TYPER.IDbits + 1) and the virtual CPU
 * interface's 16-bit limit (ICH_VTR_EL2.IDbits = 0). */
bool its_vintid_valid(const gic_its *its, uint64_t vintid)
{
    return its_lpi_valid(its, vintid) && vintid < (1ull << 16);
}

bool its_doorbell_valid(const gic_its *its, uint64_t db)
{
    return db == GICSIM_ITS_NO_DOORBELL || its_lpi_valid(its, db);
}

/* Device table entry of `dev`: its ITT and size. Errors: DEVICE_OOR beyond
 * Devbits or the table, UNMAPPED_DEVICE when not valid (or behind an invalid
 * level-1 entry). */
int its_device_lookup(gic_its *its, uint64_t dev, uint64_t *itt, uint32_t *size, unsigned *acc)
{
    its_table t;
    uint64_t pa;
    its_table_decode(its, GICSIM_GITS_BASER_DEVICES_INDEX, &t);
    if (dev >= (1ull << DEV_BITS))
        return GICSIM_ITS_ERR_DEVICE_OOR;
    locate_result r = its_table_locate(its, &t, dev, &pa, acc);
    if (r == LOC_OOR)
        return GICSIM_ITS_ERR_DEVICE_OOR;
    if (r == LOC_L1_INVALID)
        return GICSIM_ITS_ERR_UNMAPPED_DEVICE;
    uint64_t dte = table_read64(its, pa, acc);
    if (!(dte & DTE_VALID))
        return GICSIM_ITS_ERR_UNMAPPED_DEVICE;
    *itt = dte & DTE_ITT_MASK;
    *size = (uint32_t)(dte & DTE_SIZE_MASK);
    return NO_ERR;
}

/* The ITE of (dev, ev): its address and value. */
int its_ite_lookup(gic_its *its, uint64_t dev, uint64_t ev, uint64_t *ite_pa, uint64_t *ite,
                   unsigned *acc)
{
    uint64_t itt;
    uint32_t size;
    int err = its_device_lookup(its, dev, &itt, &size, acc);
    if (err != NO_ERR)
        return err;
    if (ev >= (2ull << size))
        return GICSIM_ITS_ERR_ID_OOR;
    *ite_pa = itt + ev * ITE_SIZE;
    *ite = table_read64(its, *ite_pa, acc);
    if (!(*ite & ITE_VALID))
        return GICSIM_ITS_ERR_UNMAPPED_INTERRUPT;
    return NO_ERR;
}

/* The collection `icid` maps to: its PE. */
int its_collection_lookup(gic_its *its, uint64_t icid, uint32_t *pe, unsigned *acc)
{
    its_table t;
    uint64_t pa;
    its_table_decode(its, GICSIM_GITS_BASER_COLLECTIONS_INDEX, &t);
    locate_result r = its_table_locate(its, &t, icid, &pa, acc);
    if (r == LOC_OOR)
        return GICSIM_ITS_ERR_COLLECTION_OOR;
    if (r == LOC_L1_INVALID)
        return GICSIM_ITS_ERR_UNMAPPED_COLLECTION;
    uint64_t cte = table_read64(its, pa, acc);
    if (!(cte & CTE_VALID) || (cte & 0xFFFFu) >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_UNMAPPED_COLLECTION;
    *pe = (uint32_t)(cte & 0xFFFFu);
    return NO_ERR;
}

/* The vPE table entry of `vpeid` (valid or not) and its address. */
int its_vpe_locate(gic_its *its, uint64_t vpeid, uint64_t *pa, unsigned *acc)
{
    its_table t;
    if (!is_v4(its))
        return GICSIM_ITS_ERR_VPEID_OOR;
    its_table_decode(its, GICSIM_GITS_BASER_VPES_INDEX, &t);
    locate_result r = its_table_locate(its, &t, vpeid, pa, acc);
    if (r == LOC_OOR)
        return GICSIM_ITS_ERR_VPEID_OOR;
    if (r == LOC_L1_INVALID)
        return GICSIM_ITS_ERR_UNMAPPED_VPE;
    return NO_ERR;
}

int its_vpe_lookup(gic_its *its, uint64_t vpeid, vpe_entry *v, unsigned *acc)
{
    uint64_t pa;
    int err = its_vpe_locate(its, vpeid, &pa, acc);
    if (err != NO_ERR)
        return err;
    its_vpe_read(its, pa, v, acc);
    if (!v->valid || v->pe >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_UNMAPPED_VPE;
    return NO_ERR;
}

/* vprop passed to the redistributor: GICv4.1 VMAPP's VCONF_Addr; on GICv4.0
 * the ITS does not know the VM's vLPI configuration table (it is in
 * GICR_VPROPBASER), so 0: "the redistributor's own GICR_VPROPBASER". */
static uint64_t vpe_vprop(const gic_its *its, const vpe_entry *v)
{
    return is_v41(its) ? v->vconf : 0;
}

/* Full table walk for (dev, ev): Device table, ITT, then Collection or vPE
 * table (architecture 5.2: the translation process). */
int its_walk(gic_its *its, uint32_t dev, uint32_t ev, its_xlat *x, unsigned *acc)
{
    uint64_t ite_pa, ite;
    int err = its_ite_lookup(its, dev, ev, &ite_pa, &ite, acc);
    if (err != NO_ERR)
        return err;
    x->virt = (ite & ITE_VIRTUAL) != 0;
    x->id = (uint16_t)(ite >> ITE_ID_SHIFT);
    x->intid = (uint32_t)(ite & ITE_INTID_MASK);
    x->doorbell = (uint32_t)((ite >> ITE_DB_SHIFT) & ITE_INTID_MASK);
    x->vpt = x->vprop = 0;
    if (!x->virt)
        return its_collection_lookup(its, x->id, &x->pe, acc);
    vpe_entry v;
    err = its_vpe_lookup(its, x->id, &v, acc);
    if (err != NO_ERR)
        return err;
    x->pe = v.pe;
    x->vpt = v.vpt;
    x->vprop = vpe_vprop(its, &v);
    return NO_ERR;
}

uint64_t its_ite_value(bool virt, uint32_t id, uint32_t intid, uint32_t doorbell)
{
    return ITE_VALID | (virt ? ITE_VIRTUAL : 0) | ((uint64_t)(id & 0xFFFFu) << ITE_ID_SHIFT) |
           ((uint64_t)(doorbell & ITE_INTID_MASK) << ITE_DB_SHIFT) | (intid & ITE_INTID_MASK);
}