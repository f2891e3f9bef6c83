/* gicsim: the Interrupt Translation Service (GICv3/v4 ITS, IHI 0069 chapters 5
 * and 9; GITS_* registers in chapter 12).
 *
 * State split as in the architecture: the registers live here; the command
 * queue and every table live in the simulated memory (memory.c), where
 * software writes and the ITS reads them. Entry formats are IMPLEMENTATION
 * DEFINED (architecture 5.2); gicsim's are documented in docs/its.md and at
 * the accessors below:
 *   Device table entry (8 bytes):  [63] Valid, [51:8] ITT_addr[51:8], [4:0] Size
 *   ITE (8 bytes):                  [63] Valid, [62] Virtual, [55:40] ICID or vPEID,
 *                                   [39:20] Dbell_pINTID, [19:0] pINTID or vINTID
 *   Collection table entry (8 B):   [63] Valid, [15:0] RDbase (PE number)
 *   vPE table entry (32 bytes):     DW0 [63] Valid, [23:16] VPT_size, [15:0] RDbase;
 *                                   DW1 VPT_addr; DW2 VCONF_addr (GICv4.1);
 *                                   DW3 [31:0] default doorbell (GICv4.1)
 *   Level-1 entry of a two-level table (8 bytes): [63] Valid, [51:12] level-2 page.
 *
 * Service model: one work queue, served one item at a time in arrival order.
 * An item is either a run of commands (added by a GITS_CWRITER write) or one
 * translation request (GITS_TRANSLATER, GITS_SGIR). An item's table accesses
 * and checks happen when its service starts; its service time is
 * its_command (or its_translate) + its_table_read per access. A translation
 * first looks in the translation cache (its_cache_hit, whenever the ITS has
 * a cache): a hit needs no table access, a miss walks the tables, so a miss
 * costs exactly the table walk more than a hit. When the service ends, GITS_CREADR moves past a
 * command and the messages for the redistributors leave; each arrives its_to_redist later (lpi.c),
 * in the order sent. SYNC/VSYNC end no earlier than the arrival of every message already sent to
 * their redistributor.
 */
#include "gic_internal.h"

#include <gicsim/its.h>

#include <stdlib.h>
#include <string.h>

#define DEV_BITS 20u   /* GITS_TYPER.Devbits + 1 */
#define EVENT_BITS 16u /* GITS_TYPER.IDbits + 1 */
#define ITE_SIZE 8u
#define DTE_SIZE 8u
#define CTE_SIZE 8u
#define VPE_SIZE 32u
#define CMD_SIZE 32u
#define STAGE_MAX 4u
#define NO_ERR GICSIM_ITS_ERR__COUNT

/* Table entry fields (see the file comment). */
#define DTE_VALID (1ull << 63)
#define DTE_ITT_MASK 0x000FFFFFFFFFFF00ull
#define DTE_SIZE_MASK 0x1Full
#define ITE_VALID (1ull << 63)
#define ITE_VIRTUAL (1ull << 62)
#define ITE_ID_SHIFT 40
#define ITE_DB_SHIFT 20
#define ITE_INTID_MASK 0xFFFFFull
#define CTE_VALID (1ull << 63)
#define VPE_VALID (1ull << 63)
#define VPE_SIZE_SHIFT 16

/* GITS_BASER<n> / CBASER writable fields: Valid, Indirect (BASER), caches,
 * address, shareability, page size (BASER), size. */
#define BASER_RW_MASK 0xF8E0FFFFFFFFFFFFull
#define BASER_RW_NOPAGE_MASK (BASER_RW_MASK & ~(3ull << 8))
#define CBASER_RW_MASK 0xB8EFFFFFFFFFFCFFull

typedef enum item_kind { ITEM_CMDS, ITEM_MSI, ITEM_SGIR } item_kind;

typedef struct its_item {
    uint8_t kind;
    uint32_t a, b;  /* MSI: DeviceID, EventID; SGIR: vPEID, vINTID */
    uint64_t count; /* ITEM_CMDS: commands still to serve */
} its_item;

typedef enum msg_kind {
    MSG_LPI_SET,
    MSG_LPI_CLEAR,
    MSG_LPI_INV,
    MSG_LPI_INVALL,
    MSG_LPI_MOVE,
    MSG_LPI_MOVE_ALL,
    MSG_VLPI_SET,
    MSG_VLPI_CLEAR,
    MSG_VLPI_INV,
    MSG_VLPI_INVALL,
    MSG_VPE_DOORBELL,
    MSG_VSGI_CONFIG,
    MSG_VSGI_SET
} msg_kind;

/* A message from the ITS to a redistributor (the arguments of one lpi.c call). */
typedef struct its_msg {
    uint8_t kind;
    uint8_t prio;
    bool group1, enable;
    uint32_t pe, pe2, intid, doorbell;
    uint64_t vpt, vprop;
} its_msg;

/* Growable FIFO of fixed-size elements. `cap` is 0 or a power of two, so a
 * position wraps with a mask. */
typedef struct ring {
    unsigned char *buf;
    size_t esz, cap, head, len;
} ring;

/* The result of a translation: where the interrupt goes. */
typedef struct its_xlat {
    bool virt;
    uint16_t id;       /* ICID (physical) or vPEID (virtual) */
    uint32_t pe;       /* target redistributor */
    uint32_t intid;    /* pINTID or vINTID */
    uint32_t doorbell; /* GICv4.0 per-ITE doorbell, 1023 if none */
    uint64_t vpt, vprop;
} its_xlat;

typedef struct cache_entry {
    uint32_t dev, ev;
    its_xlat x;
    int32_t prev, next; /* LRU list: prev is more recent */
    int32_t hnext;      /* hash chain, or free list */
    bool used;
} cache_entry;

typedef struct its_cache {
    uint32_t cap; /* 0: no cache */
    uint32_t nbuckets;
    cache_entry *e;
    int32_t *bucket;
    int32_t mru, lru, free_head;
} its_cache;

/* A decoded GITS_BASER<n>. */
typedef struct its_table {
    bool valid, indirect;
    uint64_t pa;
    uint64_t page;  /* bytes */
    uint64_t bytes; /* (Size + 1) pages */
    uint32_t esz;
} its_table;

typedef enum locate_result { LOC_OK, LOC_OOR, LOC_L1_INVALID } locate_result;

struct gic_its {
    gicsim_gic *g;
    bool enabled;
    uint64_t cbaser, cwriter, creadr;
    uint64_t baser[8];

    ring items;            /* its_item: the work queue */
    uint64_t cmds_queued;  /* sum of ITEM_CMDS counts */
    uint64_t xlat_waiting; /* ITEM_MSI/ITEM_SGIR items queued */
    bool busy;
    bool cmd_in_service; /* the item in service is the command at CREADR */
    its_msg stage[STAGE_MAX];
    unsigned n_stage;

    ring flight;            /* its_msg sent and not yet arrived */
    gicsim_time_t *rd_last; /* per PE: arrival time of the newest message sent there */

    gicsim_time_t t_cmd, t_translate, t_read, t_hit, t_to_redist;
    its_cache cache;
    gicsim_its_stats stats;
};

/* ---- Rings ------------------------------------------------------------------ */

/* Element i (i < len, or i == len < cap for a push) counted from the head. */
static void *ring_at(ring *r, size_t i)
{
    return r->buf + ((r->head + i) & (r->cap - 1u)) * r->esz;
}

static bool ring_push(ring *r, const void *e)
{
    if (r->len == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16; /* stays a power of two */
        unsigned char *nb = malloc(ncap * r->esz);
        if (!nb)
            return false;
        for (size_t i = 0; i < r->len; i++)
            memcpy(nb + i * r->esz, ring_at(r, i), r->esz);
        free(r->buf);
        r->buf = nb;
        r->cap = ncap;
        r->head = 0;
    }
    memcpy(ring_at(r, r->len), e, r->esz);
    r->len++;
    return true;
}

static void ring_pop(ring *r)
{
    r->head = (r->head + 1) & (r->cap - 1u);
    r->len--;
}

/* ---- Translation cache: LRU over (DeviceID, EventID) ---------------------------- */

static uint32_t cache_hash(const its_cache *c, uint32_t dev, uint32_t ev)
{
    uint64_t k = ((uint64_t)dev << 32 | ev) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(k >> 32) & (c->nbuckets - 1);
}

static gicsim_status cache_init(its_cache *c, uint32_t cap)
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

static int32_t cache_find(const its_cache *c, uint32_t dev, uint32_t ev)
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

static void cache_touch(its_cache *c, int32_t i)
{
    lru_unlink(c, i);
    lru_push_front(c, i);
}

static void cache_insert(gic_its *its, uint32_t dev, uint32_t ev, const its_xlat *x)
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

typedef enum inval_by { INVAL_EVENT, INVAL_DEVICE, INVAL_ICID, INVAL_VPE, INVAL_ALL } inval_by;

/* Remove the cached translations a command or a table change makes stale. */
static void cache_invalidate(gic_its *its, inval_by by, uint32_t dev, uint32_t ev)
{
    its_cache *c = &its->cache;
    if (by == INVAL_EVENT) {
        int32_t i = cache_find(c, dev, ev);
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

static bool is_v4(const gic_its *its)
{
    return its->g->cfg.version >= GICSIM_GICV4_0;
}

static bool is_v41(const gic_its *its)
{
    return its->g->cfg.version >= GICSIM_GICV4_1;
}

static unsigned baser_type(const gic_its *its, unsigned n)
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

static uint32_t baser_entry_size(unsigned type)
{
    if (type == GICSIM_GITS_BASER_TYPE_VPES)
        return VPE_SIZE;
    return type == GICSIM_GITS_BASER_TYPE_DEVICES ? DTE_SIZE : CTE_SIZE;
}

static void table_decode(const gic_its *its, unsigned n, its_table *t)
{
    uint64_t v = its->baser[n];
    static const uint64_t page_bytes[4] = {4096, 16384, 65536, 65536};
    t->valid = (v & GICSIM_GITS_BASER_VALID) != 0;
    t->indirect = (v & GICSIM_GITS_BASER_INDIRECT) != 0;
    t->page = page_bytes[(v >> GICSIM_GITS_BASER_PAGE_SIZE_SHIFT) & 3u];
    t->bytes = ((v & GICSIM_GITS_BASER_SIZE_MASK) + 1) * t->page;
    t->esz = baser_entry_size(baser_type(its, n));
    /* With 64 KiB pages, PA[51:48] sits in bits [15:12] (GITS_BASER<n>). */
    if (t->page == 65536)
        t->pa = (v & 0x0000FFFFFFFF0000ull) | (((v >> 12) & 0xFull) << 48);
    else
        t->pa = v & GICSIM_GITS_BASER_PA_MASK & ~(t->page - 1);
}

/* Whether `id` is within the range the table describes (no memory access). */
static bool table_in_range(const its_table *t, uint64_t id)
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
static locate_result table_locate(gic_its *its, const its_table *t, uint64_t id, uint64_t *pa,
                                  unsigned *acc)
{
    if (!table_in_range(t, id))
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
static void table_write64(gic_its *its, uint64_t pa, uint64_t v, unsigned *acc)
{
    (*acc)++;
    mem_write64(its->g->mem, pa, v);
}

typedef struct vpe_entry {
    bool valid;
    uint32_t pe;
    uint32_t vpt_bits_m1;
    uint64_t vpt, vconf;
    uint32_t doorbell;
} vpe_entry;

static void vpe_read(gic_its *its, uint64_t pa, vpe_entry *v, unsigned *acc)
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

static void vpe_write(gic_its *its, uint64_t pa, const vpe_entry *v, unsigned *acc)
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

static bool lpi_valid(const gic_its *its, uint64_t intid)
{
    return intid >= GICSIM_LPI_BASE && intid < (1ull << its->g->cfg.lpi_id_bits);
}

/* vINTIDs: LPI INTIDs below both 2^(GICD_TYPER.IDbits + 1) and the virtual CPU
 * interface's 16-bit limit (ICH_VTR_EL2.IDbits = 0). */
static bool vintid_valid(const gic_its *its, uint64_t vintid)
{
    return lpi_valid(its, vintid) && vintid < (1ull << 16);
}

static bool doorbell_valid(const gic_its *its, uint64_t db)
{
    return db == GICSIM_ITS_NO_DOORBELL || lpi_valid(its, db);
}

/* Device table entry of `dev`: its ITT and size. Errors: DEVICE_OOR beyond
 * Devbits or the table, UNMAPPED_DEVICE when not valid (or behind an invalid
 * level-1 entry). */
static int device_lookup(gic_its *its, uint64_t dev, uint64_t *itt, uint32_t *size, unsigned *acc)
{
    its_table t;
    uint64_t pa;
    table_decode(its, GICSIM_GITS_BASER_DEVICES_INDEX, &t);
    if (dev >= (1ull << DEV_BITS))
        return GICSIM_ITS_ERR_DEVICE_OOR;
    locate_result r = table_locate(its, &t, dev, &pa, acc);
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
static int ite_lookup(gic_its *its, uint64_t dev, uint64_t ev, uint64_t *ite_pa, uint64_t *ite,
                      unsigned *acc)
{
    uint64_t itt;
    uint32_t size;
    int err = device_lookup(its, dev, &itt, &size, acc);
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
static int collection_lookup(gic_its *its, uint64_t icid, uint32_t *pe, unsigned *acc)
{
    its_table t;
    uint64_t pa;
    table_decode(its, GICSIM_GITS_BASER_COLLECTIONS_INDEX, &t);
    locate_result r = table_locate(its, &t, icid, &pa, acc);
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
static int vpe_locate(gic_its *its, uint64_t vpeid, uint64_t *pa, unsigned *acc)
{
    its_table t;
    if (!is_v4(its))
        return GICSIM_ITS_ERR_VPEID_OOR;
    table_decode(its, GICSIM_GITS_BASER_VPES_INDEX, &t);
    locate_result r = table_locate(its, &t, vpeid, pa, acc);
    if (r == LOC_OOR)
        return GICSIM_ITS_ERR_VPEID_OOR;
    if (r == LOC_L1_INVALID)
        return GICSIM_ITS_ERR_UNMAPPED_VPE;
    return NO_ERR;
}

static int vpe_lookup(gic_its *its, uint64_t vpeid, vpe_entry *v, unsigned *acc)
{
    uint64_t pa;
    int err = vpe_locate(its, vpeid, &pa, acc);
    if (err != NO_ERR)
        return err;
    vpe_read(its, pa, v, acc);
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
static int walk(gic_its *its, uint32_t dev, uint32_t ev, its_xlat *x, unsigned *acc)
{
    uint64_t ite_pa, ite;
    int err = ite_lookup(its, dev, ev, &ite_pa, &ite, acc);
    if (err != NO_ERR)
        return err;
    x->virt = (ite & ITE_VIRTUAL) != 0;
    x->id = (uint16_t)(ite >> ITE_ID_SHIFT);
    x->intid = (uint32_t)(ite & ITE_INTID_MASK);
    x->doorbell = (uint32_t)((ite >> ITE_DB_SHIFT) & ITE_INTID_MASK);
    x->vpt = x->vprop = 0;
    if (!x->virt)
        return collection_lookup(its, x->id, &x->pe, acc);
    vpe_entry v;
    err = vpe_lookup(its, x->id, &v, acc);
    if (err != NO_ERR)
        return err;
    x->pe = v.pe;
    x->vpt = v.vpt;
    x->vprop = vpe_vprop(its, &v);
    return NO_ERR;
}

static uint64_t ite_value(bool virt, uint32_t id, uint32_t intid, uint32_t doorbell)
{
    return ITE_VALID | (virt ? ITE_VIRTUAL : 0) | ((uint64_t)(id & 0xFFFFu) << ITE_ID_SHIFT) |
           ((uint64_t)(doorbell & ITE_INTID_MASK) << ITE_DB_SHIFT) | (intid & ITE_INTID_MASK);
}

/* ---- Messages to the redistributors ------------------------------------------------ */

static void stage(gic_its *its, its_msg m)
{
    if (its->n_stage < STAGE_MAX)
        its->stage[its->n_stage++] = m;
}

static void stage_set(gic_its *its, const its_xlat *x)
{
    if (x->virt)
        stage(its, (its_msg){.kind = MSG_VLPI_SET,
                             .pe = x->pe,
                             .vpt = x->vpt,
                             .vprop = x->vprop,
                             .intid = x->intid,
                             .doorbell = x->doorbell});
    else
        stage(its, (its_msg){.kind = MSG_LPI_SET, .pe = x->pe, .intid = x->intid});
}

static void stage_simple(gic_its *its, const its_xlat *x, msg_kind pk, msg_kind vk)
{
    stage(its,
          (its_msg){
              .kind = (uint8_t)(x->virt ? vk : pk), .pe = x->pe, .vpt = x->vpt, .intid = x->intid});
}

static void its_deliver(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    gic_its *its = ctx;
    its_msg m = *(its_msg *)ring_at(&its->flight, 0);
    ring_pop(&its->flight);
    gicsim_gic *g = its->g;
    switch ((msg_kind)m.kind) {
    case MSG_LPI_SET:
        lpi_set_pending(g, m.pe, m.intid);
        break;
    case MSG_LPI_CLEAR:
        lpi_clear_pending(g, m.pe, m.intid);
        break;
    case MSG_LPI_INV:
        lpi_inv(g, m.pe, m.intid);
        break;
    case MSG_LPI_INVALL:
        lpi_invall(g, m.pe);
        break;
    case MSG_LPI_MOVE:
        lpi_move(g, m.pe, m.pe2, m.intid);
        break;
    case MSG_LPI_MOVE_ALL:
        lpi_move_all(g, m.pe, m.pe2);
        break;
    case MSG_VLPI_SET:
        vlpi_set_pending(g, m.pe, m.vpt, m.vprop, m.intid, m.doorbell);
        break;
    case MSG_VLPI_CLEAR:
        vlpi_clear_pending(g, m.pe, m.vpt, m.intid);
        break;
    case MSG_VLPI_INV:
        vlpi_inv(g, m.pe, m.vpt, m.intid);
        break;
    case MSG_VLPI_INVALL:
        vlpi_invall(g, m.pe, m.vpt);
        break;
    case MSG_VPE_DOORBELL:
        vlpi_vpe_doorbell(g, m.pe, m.vpt, m.doorbell);
        break;
    case MSG_VSGI_CONFIG:
        vsgi_config(g, m.pe, m.vpt, m.intid, m.prio, m.group1, m.enable);
        break;
    case MSG_VSGI_SET:
        vsgi_set_pending(g, m.pe, m.vpt, m.intid);
        break;
    }
}

/* Send the staged messages: they arrive its_to_redist from now, in order. */
static void flush_stage(gic_its *its)
{
    gicsim_gic *g = its->g;
    gicsim_time_t arrive = gicsim_engine_now(g->engine) + its->t_to_redist;
    for (unsigned i = 0; i < its->n_stage; i++) {
        const its_msg *m = &its->stage[i];
        if (!ring_push(&its->flight, m))
            continue; /* out of memory: the message is lost */
        if (gicsim_engine_schedule_in(g->engine, its->t_to_redist, its_deliver, its, 0, NULL) !=
            GICSIM_OK) {
            its->flight.len--;
            continue;
        }
        g->stats.hop_events++;
        if (m->pe < g->cfg.num_pes)
            its->rd_last[m->pe] = arrive;
        if ((m->kind == MSG_LPI_MOVE || m->kind == MSG_LPI_MOVE_ALL) && m->pe2 < g->cfg.num_pes)
            its->rd_last[m->pe2] = arrive;
    }
    its->n_stage = 0;
}

/* ---- Commands (architecture 5.3) ------------------------------------------------------ */

typedef struct cmd_ctx {
    uint64_t dw[4];
    uint8_t op;
    unsigned acc;             /* table accesses */
    bool hit;                 /* a translation-cache hit replaced a table walk */
    gicsim_time_t wait_until; /* SYNC/VSYNC: not complete before this */
} cmd_ctx;

static uint32_t f_devid(const cmd_ctx *c)
{
    return (uint32_t)(c->dw[0] >> 32);
}
static uint32_t f_eventid(const cmd_ctx *c)
{
    return (uint32_t)c->dw[1];
}
static uint16_t f_icid(const cmd_ctx *c)
{
    return (uint16_t)c->dw[2];
}
static uint16_t f_vpeid(const cmd_ctx *c)
{
    return (uint16_t)(c->dw[1] >> 32);
}
/* RDbase[51:16] of DW2 (or DW3 for MOVALL's second): a PE number, PTA=0. */
static uint64_t f_rdbase(uint64_t dw)
{
    return (dw >> 16) & 0xFFFFFFFFFull;
}

/* Translate (dev, ev) for a command: the translation cache answers if it holds
 * the pair, otherwise a table walk (commands do not fill the cache). */
static int cmd_translate(gic_its *its, cmd_ctx *c, its_xlat *x)
{
    int32_t i = cache_find(&its->cache, f_devid(c), f_eventid(c));
    if (i >= 0) {
        *x = its->cache.e[i].x;
        cache_touch(&its->cache, i);
        its->stats.cache_hits++;
        c->hit = true;
        return NO_ERR;
    }
    its->stats.cache_misses++;
    return walk(its, f_devid(c), f_eventid(c), x, &c->acc);
}

/* MAPD: DW0 DeviceID[63:32], DW1 Size[4:0], DW2 ITT_addr[51:8], V[63]. */
static int cmd_mapd(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c);
    uint32_t size = (uint32_t)(c->dw[1] & 0x1Fu);
    bool valid = (c->dw[2] >> 63) != 0;
    its_table t;
    uint64_t pa;
    table_decode(its, GICSIM_GITS_BASER_DEVICES_INDEX, &t);
    if (dev >= (1ull << DEV_BITS))
        return GICSIM_ITS_ERR_DEVICE_OOR;
    if (valid && size >= EVENT_BITS)
        return GICSIM_ITS_ERR_ITTSIZE_OOR;
    if (table_locate(its, &t, dev, &pa, &c->acc) != LOC_OK)
        return GICSIM_ITS_ERR_DEVICE_OOR;
    uint64_t dte = valid ? DTE_VALID | (c->dw[2] & DTE_ITT_MASK) | size : 0;
    table_write64(its, pa, dte, &c->acc);
    cache_invalidate(its, INVAL_DEVICE, dev, 0);
    return NO_ERR;
}

/* MAPC: DW2 ICID[15:0], RDbase[51:16], V[63]. */
static int cmd_mapc(gic_its *its, cmd_ctx *c)
{
    uint16_t icid = f_icid(c);
    uint64_t rd = f_rdbase(c->dw[2]);
    bool valid = (c->dw[2] >> 63) != 0;
    its_table t;
    uint64_t pa;
    table_decode(its, GICSIM_GITS_BASER_COLLECTIONS_INDEX, &t);
    if (table_locate(its, &t, icid, &pa, &c->acc) != LOC_OK)
        return GICSIM_ITS_ERR_COLLECTION_OOR;
    if (valid && rd >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    table_write64(its, pa, valid ? CTE_VALID | rd : 0, &c->acc);
    cache_invalidate(its, INVAL_ICID, icid, 0);
    return NO_ERR;
}

/* MAPTI: DW1 EventID[31:0], pINTID[63:32], DW2 ICID. MAPI: pINTID = EventID. */
static int cmd_mapti(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint32_t pintid = c->op == GICSIM_ITS_CMD_MAPI ? ev : (uint32_t)(c->dw[1] >> 32);
    uint16_t icid = f_icid(c);
    uint64_t itt;
    uint32_t size;
    int err = device_lookup(its, dev, &itt, &size, &c->acc);
    if (err != NO_ERR)
        return err;
    if (ev >= (2ull << size))
        return GICSIM_ITS_ERR_ID_OOR;
    if (!lpi_valid(its, pintid))
        return GICSIM_ITS_ERR_PHYSICALID_OOR;
    its_table t;
    table_decode(its, GICSIM_GITS_BASER_COLLECTIONS_INDEX, &t);
    if (!table_in_range(&t, icid))
        return GICSIM_ITS_ERR_COLLECTION_OOR;
    table_write64(its, itt + (uint64_t)ev * ITE_SIZE,
                  ite_value(false, icid, pintid, GICSIM_ITS_NO_DOORBELL), &c->acc);
    cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* MOVI: DW2 ICID: the LPI of (dev, ev) moves to collection ICID; a pending
 * LPI moves with it to the new redistributor. */
static int cmd_movi(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint64_t ite_pa, ite;
    int err = ite_lookup(its, dev, ev, &ite_pa, &ite, &c->acc);
    if (err != NO_ERR)
        return err;
    if (ite & ITE_VIRTUAL)
        return GICSIM_ITS_ERR_WRONG_ITE_TYPE;
    uint32_t old_pe, new_pe;
    err = collection_lookup(its, (ite >> ITE_ID_SHIFT) & 0xFFFFu, &old_pe, &c->acc);
    if (err != NO_ERR)
        return err;
    err = collection_lookup(its, f_icid(c), &new_pe, &c->acc);
    if (err != NO_ERR)
        return err;
    uint32_t intid = (uint32_t)(ite & ITE_INTID_MASK);
    table_write64(its, ite_pa, ite_value(false, f_icid(c), intid, GICSIM_ITS_NO_DOORBELL), &c->acc);
    cache_invalidate(its, INVAL_EVENT, dev, ev);
    if (old_pe != new_pe)
        stage(its, (its_msg){.kind = MSG_LPI_MOVE, .pe = old_pe, .pe2 = new_pe, .intid = intid});
    return NO_ERR;
}

/* MOVALL: DW2 RDbase1, DW3 RDbase2: every pending LPI of RDbase1 moves. */
static int cmd_movall(gic_its *its, cmd_ctx *c)
{
    uint64_t rd1 = f_rdbase(c->dw[2]), rd2 = f_rdbase(c->dw[3]);
    if (rd1 >= its->g->cfg.num_pes || rd2 >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    if (rd1 != rd2)
        stage(its, (its_msg){.kind = MSG_LPI_MOVE_ALL, .pe = (uint32_t)rd1, .pe2 = (uint32_t)rd2});
    return NO_ERR;
}

/* INT, CLEAR, INV on a physical or (GICv4) virtual ITE. */
static int cmd_int_clear_inv(gic_its *its, cmd_ctx *c)
{
    its_xlat x;
    int err = cmd_translate(its, c, &x);
    if (err != NO_ERR)
        return err;
    if (c->op == GICSIM_ITS_CMD_INT) {
        stage_set(its, &x);
    } else if (c->op == GICSIM_ITS_CMD_CLEAR) {
        stage_simple(its, &x, MSG_LPI_CLEAR, MSG_VLPI_CLEAR);
    } else {
        stage_simple(its, &x, MSG_LPI_INV, MSG_VLPI_INV);
        cache_invalidate(its, INVAL_EVENT, f_devid(c), f_eventid(c));
    }
    return NO_ERR;
}

/* DISCARD: the ITE becomes invalid and a pending interrupt is cleared (when
 * its collection or vPE is still mapped). */
static int cmd_discard(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint64_t ite_pa, ite;
    int err = ite_lookup(its, dev, ev, &ite_pa, &ite, &c->acc);
    if (err != NO_ERR)
        return err;
    its_xlat x = {.virt = (ite & ITE_VIRTUAL) != 0,
                  .id = (uint16_t)(ite >> ITE_ID_SHIFT),
                  .intid = (uint32_t)(ite & ITE_INTID_MASK)};
    bool mapped;
    if (x.virt) {
        vpe_entry v;
        mapped = vpe_lookup(its, x.id, &v, &c->acc) == NO_ERR;
        x.pe = v.pe;
        x.vpt = v.vpt;
    } else {
        mapped = collection_lookup(its, x.id, &x.pe, &c->acc) == NO_ERR;
    }
    if (mapped)
        stage_simple(its, &x, MSG_LPI_CLEAR, MSG_VLPI_CLEAR);
    table_write64(its, ite_pa, 0, &c->acc);
    cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* INVALL: DW2 ICID: the collection's redistributor reloads every LPI's
 * configuration. */
static int cmd_invall(gic_its *its, cmd_ctx *c)
{
    uint32_t pe;
    int err = collection_lookup(its, f_icid(c), &pe, &c->acc);
    if (err != NO_ERR)
        return err;
    stage(its, (its_msg){.kind = MSG_LPI_INVALL, .pe = pe});
    cache_invalidate(its, INVAL_ICID, f_icid(c), 0);
    return NO_ERR;
}

/* SYNC: DW2 RDbase: complete once every earlier effect on that redistributor
 * has arrived. */
static int cmd_sync(gic_its *its, cmd_ctx *c)
{
    uint64_t rd = f_rdbase(c->dw[2]);
    if (rd >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    c->wait_until = its->rd_last[rd];
    return NO_ERR;
}

/* VMAPP: DW1 vPEID[47:32]; DW2 RDbase[51:16], V[63]; DW3 VPT_addr[51:16],
 * VPT_size[4:0]. GICv4.1 adds DW0 VCONF_Addr[51:16] and DW1 default
 * doorbell[31:0] (Alloc/PTZ are accepted and need no action: the model's
 * tables start zeroed). */
static int cmd_vmapp(gic_its *its, cmd_ctx *c)
{
    uint16_t vpeid = f_vpeid(c);
    bool valid = (c->dw[2] >> 63) != 0;
    uint64_t rd = f_rdbase(c->dw[2]);
    uint32_t size = (uint32_t)(c->dw[3] & 0x1Fu);
    uint64_t pa;
    int err = vpe_locate(its, vpeid, &pa, &c->acc);
    if (err != NO_ERR)
        return err == GICSIM_ITS_ERR_UNMAPPED_VPE ? GICSIM_ITS_ERR_VPEID_OOR : err;
    vpe_entry nv = {.valid = valid,
                    .pe = (uint32_t)rd,
                    .vpt_bits_m1 = size,
                    .vpt = c->dw[3] & 0x000FFFFFFFFF0000ull,
                    .vconf = is_v41(its) ? c->dw[0] & 0x000FFFFFFFFF0000ull : 0,
                    .doorbell = is_v41(its) ? (uint32_t)c->dw[1] : GICSIM_ITS_NO_DOORBELL};
    if (valid) {
        if (rd >= its->g->cfg.num_pes)
            return GICSIM_ITS_ERR_PROCNUM_OOR;
        if (size + 1u > its->g->cfg.lpi_id_bits)
            return GICSIM_ITS_ERR_VPTSIZE_OOR;
        if (!doorbell_valid(its, nv.doorbell))
            return GICSIM_ITS_ERR_PHYSICALID_OOR;
    } else {
        nv = (vpe_entry){.doorbell = GICSIM_ITS_NO_DOORBELL};
    }
    vpe_entry old;
    vpe_read(its, pa, &old, &c->acc);
    vpe_write(its, pa, &nv, &c->acc);
    cache_invalidate(its, INVAL_VPE, vpeid, 0);
    if (is_v41(its)) {
        /* GICv4.1: the redistributor owns the vPE's doorbell. */
        if (old.valid && old.pe < its->g->cfg.num_pes)
            stage(its, (its_msg){.kind = MSG_VPE_DOORBELL,
                                 .pe = old.pe,
                                 .vpt = old.vpt,
                                 .doorbell = GICSIM_ITS_NO_DOORBELL});
        if (valid)
            stage(its, (its_msg){.kind = MSG_VPE_DOORBELL,
                                 .pe = nv.pe,
                                 .vpt = nv.vpt,
                                 .doorbell = nv.doorbell});
    }
    return NO_ERR;
}

/* VMAPTI: DW1 vPEID[47:32]; DW2 vINTID[31:0], Dbell_pINTID[63:32].
 * VMAPI: vINTID = EventID. With GICv4.1 (GITS_TYPER.nID=1) Dbell_pINTID is
 * RES0: the vPE's default doorbell applies. */
static int cmd_vmapti(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint16_t vpeid = f_vpeid(c);
    uint32_t vintid = c->op == GICSIM_ITS_CMD_VMAPI ? ev : (uint32_t)c->dw[2];
    uint32_t db = is_v41(its) ? GICSIM_ITS_NO_DOORBELL : (uint32_t)(c->dw[2] >> 32);
    uint64_t itt;
    uint32_t size;
    int err = device_lookup(its, dev, &itt, &size, &c->acc);
    if (err != NO_ERR)
        return err;
    if (ev >= (2ull << size))
        return GICSIM_ITS_ERR_ID_OOR;
    its_table t;
    table_decode(its, GICSIM_GITS_BASER_VPES_INDEX, &t);
    if (!table_in_range(&t, vpeid))
        return GICSIM_ITS_ERR_VPEID_OOR;
    if (!vintid_valid(its, vintid))
        return GICSIM_ITS_ERR_VIRTUALID_OOR;
    if (!doorbell_valid(its, db))
        return GICSIM_ITS_ERR_PHYSICALID_OOR;
    table_write64(its, itt + (uint64_t)ev * ITE_SIZE, ite_value(true, vpeid, vintid, db), &c->acc);
    cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* VMOVI: DW1 vPEID[47:32]; DW2 D[0], Dbell_pINTID[63:32]: the vLPI of
 * (dev, ev) now belongs to vPE vPEID (D=0: no doorbell). Its pending state
 * stays in the old vPE's VPT: software moves vLPIs between vPEs of one VM,
 * and gicsim does not transfer it (see docs/its.md). */
static int cmd_vmovi(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint16_t vpeid = f_vpeid(c);
    uint32_t db = GICSIM_ITS_NO_DOORBELL;
    if (!is_v41(its) && (c->dw[2] & 1u))
        db = (uint32_t)(c->dw[2] >> 32);
    uint64_t ite_pa, ite;
    int err = ite_lookup(its, dev, ev, &ite_pa, &ite, &c->acc);
    if (err != NO_ERR)
        return err;
    if (!(ite & ITE_VIRTUAL))
        return GICSIM_ITS_ERR_WRONG_ITE_TYPE;
    vpe_entry v;
    err = vpe_lookup(its, vpeid, &v, &c->acc);
    if (err != NO_ERR)
        return err;
    if (!doorbell_valid(its, db))
        return GICSIM_ITS_ERR_PHYSICALID_OOR;
    table_write64(its, ite_pa, ite_value(true, vpeid, (uint32_t)(ite & ITE_INTID_MASK), db),
                  &c->acc);
    cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* VMOVP: DW1 vPEID[47:32]; DW2 RDbase[51:16]. SeqNum/ITSList (DW0, DW1[15:0])
 * are ignored: one ITS (GITS_TYPER.VMOVP=1). GICv4.1: DW2 DB[63] with DW3
 * default doorbell[31:0] replaces the vPE's doorbell; the doorbell moves with
 * the vPE. */
static int cmd_vmovp(gic_its *its, cmd_ctx *c)
{
    uint16_t vpeid = f_vpeid(c);
    uint64_t rd = f_rdbase(c->dw[2]);
    uint64_t pa;
    int err = vpe_locate(its, vpeid, &pa, &c->acc);
    if (err != NO_ERR)
        return err;
    vpe_entry v;
    vpe_read(its, pa, &v, &c->acc);
    if (!v.valid || v.pe >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_UNMAPPED_VPE;
    if (rd >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    uint32_t old_pe = v.pe;
    if (is_v41(its) && (c->dw[2] >> 63)) {
        if (!doorbell_valid(its, (uint32_t)c->dw[3]))
            return GICSIM_ITS_ERR_PHYSICALID_OOR;
        v.doorbell = (uint32_t)c->dw[3];
    }
    v.pe = (uint32_t)rd;
    vpe_write(its, pa, &v, &c->acc);
    cache_invalidate(its, INVAL_VPE, vpeid, 0);
    if (is_v41(its)) {
        stage(its, (its_msg){.kind = MSG_VPE_DOORBELL,
                             .pe = old_pe,
                             .vpt = v.vpt,
                             .doorbell = GICSIM_ITS_NO_DOORBELL});
        stage(its, (its_msg){
                       .kind = MSG_VPE_DOORBELL, .pe = v.pe, .vpt = v.vpt, .doorbell = v.doorbell});
    }
    return NO_ERR;
}

/* VSYNC, VINVALL, INVDB (DW1 vPEID[47:32]) and VSGI (GICv4.1: DW0
 * Enable[8], Clear[9], Group[10], Priority[23:20], vINTID[35:32]). */
static int cmd_vpe_op(gic_its *its, cmd_ctx *c)
{
    vpe_entry v;
    int err = vpe_lookup(its, f_vpeid(c), &v, &c->acc);
    if (err != NO_ERR)
        return err;
    switch (c->op) {
    case GICSIM_ITS_CMD_VSYNC:
        c->wait_until = its->rd_last[v.pe];
        break;
    case GICSIM_ITS_CMD_VINVALL:
        stage(its, (its_msg){.kind = MSG_VLPI_INVALL, .pe = v.pe, .vpt = v.vpt});
        cache_invalidate(its, INVAL_VPE, f_vpeid(c), 0);
        break;
    case GICSIM_ITS_CMD_INVDB:
        stage(its, (its_msg){
                       .kind = MSG_VPE_DOORBELL, .pe = v.pe, .vpt = v.vpt, .doorbell = v.doorbell});
        break;
    default: { /* VSGI */
        uint32_t vintid = (uint32_t)(c->dw[0] >> 32) & 0xFu;
        stage(its, (its_msg){.kind = MSG_VSGI_CONFIG,
                             .pe = v.pe,
                             .vpt = v.vpt,
                             .intid = vintid,
                             .prio = (uint8_t)(((c->dw[0] >> 20) & 0xFu) << 4),
                             .group1 = (c->dw[0] >> 10) & 1u,
                             .enable = (c->dw[0] >> 8) & 1u});
        if ((c->dw[0] >> 9) & 1u)
            stage(its,
                  (its_msg){.kind = MSG_VLPI_CLEAR, .pe = v.pe, .vpt = v.vpt, .intid = vintid});
        break;
    }
    }
    return NO_ERR;
}

static int run_command(gic_its *its, cmd_ctx *c)
{
    bool v4 = is_v4(its), v41 = is_v41(its);
    switch (c->op) {
    case GICSIM_ITS_CMD_MAPD:
        return cmd_mapd(its, c);
    case GICSIM_ITS_CMD_MAPC:
        return cmd_mapc(its, c);
    case GICSIM_ITS_CMD_MAPTI:
    case GICSIM_ITS_CMD_MAPI:
        return cmd_mapti(its, c);
    case GICSIM_ITS_CMD_MOVI:
        return cmd_movi(its, c);
    case GICSIM_ITS_CMD_MOVALL:
        return cmd_movall(its, c);
    case GICSIM_ITS_CMD_INT:
    case GICSIM_ITS_CMD_CLEAR:
    case GICSIM_ITS_CMD_INV:
        return cmd_int_clear_inv(its, c);
    case GICSIM_ITS_CMD_DISCARD:
        return cmd_discard(its, c);
    case GICSIM_ITS_CMD_INVALL:
        return cmd_invall(its, c);
    case GICSIM_ITS_CMD_SYNC:
        return cmd_sync(its, c);
    case GICSIM_ITS_CMD_VMAPP:
        return v4 ? cmd_vmapp(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VMAPTI:
    case GICSIM_ITS_CMD_VMAPI:
        return v4 ? cmd_vmapti(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VMOVI:
        return v4 ? cmd_vmovi(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VMOVP:
        return v4 ? cmd_vmovp(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VSYNC:
    case GICSIM_ITS_CMD_VINVALL:
        return v4 ? cmd_vpe_op(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VSGI:
    case GICSIM_ITS_CMD_INVDB:
        return v41 ? cmd_vpe_op(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    default:
        return GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    }
}

uint32_t gicsim_its_error_code(gicsim_its_error kind, uint8_t opcode)
{
    static const uint8_t ee[GICSIM_ITS_ERR__COUNT] = {
        [GICSIM_ITS_ERR_DEVICE_OOR] = 0x01,
        [GICSIM_ITS_ERR_ITTSIZE_OOR] = 0x02,
        [GICSIM_ITS_ERR_COLLECTION_OOR] = 0x03,
        [GICSIM_ITS_ERR_UNMAPPED_DEVICE] = 0x04,
        [GICSIM_ITS_ERR_ID_OOR] = 0x05,
        [GICSIM_ITS_ERR_PHYSICALID_OOR] = 0x06,
        [GICSIM_ITS_ERR_UNMAPPED_INTERRUPT] = 0x07,
        [GICSIM_ITS_ERR_UNMAPPED_COLLECTION] = 0x09,
        [GICSIM_ITS_ERR_PROCNUM_OOR] = 0x02,
        [GICSIM_ITS_ERR_VPEID_OOR] = 0x11,
        [GICSIM_ITS_ERR_VPTSIZE_OOR] = 0x12,
        [GICSIM_ITS_ERR_VIRTUALID_OOR] = 0x13,
        [GICSIM_ITS_ERR_UNMAPPED_VPE] = 0x14,
        [GICSIM_ITS_ERR_WRONG_ITE_TYPE] = 0x15,
        [GICSIM_ITS_ERR_UNKNOWN_COMMAND] = 0xFF,
    };
    if ((unsigned)kind >= GICSIM_ITS_ERR__COUNT)
        return 0;
    uint32_t e = ee[kind];
    /* MOVALL's RDbase error is 0x01 (MOVALL_PROCNUM_OOR, 0x010E01). */
    if (kind == GICSIM_ITS_ERR_PROCNUM_OOR && opcode == GICSIM_ITS_CMD_MOVALL)
        e = 0x01;
    return 0x010000u | ((uint32_t)opcode << 8) | e;
}

const char *gicsim_its_error_name(gicsim_its_error kind)
{
    static const char *const names[GICSIM_ITS_ERR__COUNT] = {
        [GICSIM_ITS_ERR_DEVICE_OOR] = "device_oor",
        [GICSIM_ITS_ERR_ITTSIZE_OOR] = "ittsize_oor",
        [GICSIM_ITS_ERR_COLLECTION_OOR] = "collection_oor",
        [GICSIM_ITS_ERR_UNMAPPED_DEVICE] = "unmapped_device",
        [GICSIM_ITS_ERR_ID_OOR] = "id_oor",
        [GICSIM_ITS_ERR_PHYSICALID_OOR] = "physicalid_oor",
        [GICSIM_ITS_ERR_UNMAPPED_INTERRUPT] = "unmapped_interrupt",
        [GICSIM_ITS_ERR_UNMAPPED_COLLECTION] = "unmapped_collection",
        [GICSIM_ITS_ERR_PROCNUM_OOR] = "procnum_oor",
        [GICSIM_ITS_ERR_VPEID_OOR] = "vpeid_oor",
        [GICSIM_ITS_ERR_VPTSIZE_OOR] = "vptsize_oor",
        [GICSIM_ITS_ERR_VIRTUALID_OOR] = "virtualid_oor",
        [GICSIM_ITS_ERR_UNMAPPED_VPE] = "unmapped_vpe",
        [GICSIM_ITS_ERR_WRONG_ITE_TYPE] = "wrong_ite_type",
        [GICSIM_ITS_ERR_UNKNOWN_COMMAND] = "unknown_command",
    };
    return (unsigned)kind < GICSIM_ITS_ERR__COUNT ? names[kind] : NULL;
}

/* ---- The work queue --------------------------------------------------------------- */

static uint64_t queue_bytes(const gic_its *its)
{
    return ((its->cbaser & 0xFFu) + 1) * 4096u;
}

static bool cq_valid(const gic_its *its)
{
    return (its->cbaser & GICSIM_GITS_BASER_VALID) != 0;
}

static uint64_t cq_pending(const gic_its *its)
{
    uint64_t q = queue_bytes(its);
    return ((its->cwriter + q - its->creadr) % q) / CMD_SIZE;
}

/* Make the work queue account for every command between CREADR and
 * CWRITER (after a CWRITER or CBASER write). */
static void sync_command_items(gic_its *its)
{
    if (!cq_valid(its))
        return;
    uint64_t pending = cq_pending(its);
    if (its->cmd_in_service && pending)
        pending--;
    if (pending > its->stats.command_queue_max)
        its->stats.command_queue_max = pending;
    if (pending <= its->cmds_queued)
        return;
    uint64_t add = pending - its->cmds_queued;
    its_item *tail = its->items.len ? ring_at(&its->items, its->items.len - 1) : NULL;
    if (tail && tail->kind == ITEM_CMDS) {
        tail->count += add;
    } else {
        its_item it = {.kind = ITEM_CMDS, .count = add};
        if (!ring_push(&its->items, &it))
            return;
    }
    its->cmds_queued += add;
}

static void its_done(gicsim_engine *e, void *ctx, uint64_t arg);

static void begin_service(gic_its *its, gicsim_time_t cost)
{
    its->busy = true;
    if (gicsim_engine_schedule_in(its->g->engine, cost, its_done, its, 0, NULL) != GICSIM_OK)
        its->busy = false;
}

static void command_error(gic_its *its, const cmd_ctx *c, int err)
{
    its->stats.command_errors++;
    its->stats.errors[err]++;
    its->stats.last_error = gicsim_its_error_code((gicsim_its_error)err, c->op);
}

/* Start the command at GITS_CREADR. */
static void start_command(gic_its *its)
{
    cmd_ctx c = {.op = 0};
    uint64_t base = its->cbaser & GICSIM_GITS_CBASER_PA_MASK;
    for (unsigned i = 0; i < 4; i++)
        c.dw[i] = mem_read64(its->g->mem, base + its->creadr + 8u * i);
    c.op = (uint8_t)c.dw[0];
    its->stats.commands++;
    its->stats.commands_by_opcode[c.op]++;
    its->n_stage = 0;
    int err = run_command(its, &c);
    if (err != NO_ERR) {
        command_error(its, &c, err);
        its->n_stage = 0;
    }
    its->stats.table_accesses += c.acc;
    gicsim_time_t cost = its->t_cmd + c.acc * its->t_read + (c.hit ? its->t_hit : 0);
    gicsim_time_t now = gicsim_engine_now(its->g->engine);
    if (c.wait_until > now + cost)
        cost = c.wait_until - now;
    its->cmd_in_service = true;
    begin_service(its, cost);
}

/* Start a GITS_TRANSLATER request: cache, else table walk. */
static void start_translation(gic_its *its, uint32_t dev, uint32_t ev)
{
    its_xlat x;
    unsigned acc = 0;
    gicsim_time_t cost = its->t_translate;
    if (its->cache.cap) /* the cache lookup, hit or miss */
        cost += its->t_hit;
    int32_t i = cache_find(&its->cache, dev, ev);
    int err = NO_ERR;
    its->n_stage = 0;
    if (i >= 0) {
        x = its->cache.e[i].x;
        cache_touch(&its->cache, i);
        its->stats.cache_hits++;
    } else {
        its->stats.cache_misses++;
        err = walk(its, dev, ev, &x, &acc);
        its->stats.table_accesses += acc;
        cost += acc * its->t_read;
        if (err == NO_ERR)
            cache_insert(its, dev, ev, &x);
    }
    if (err != NO_ERR) {
        its->stats.dropped++; /* architecture 5.2: the write is ignored */
    } else {
        stage_set(its, &x);
        if (x.virt)
            its->stats.vlpis++;
        else
            its->stats.lpis++;
    }
    begin_service(its, cost);
}

/* Start a GITS_SGIR write (GICv4.1): vPE table, then the vSGI. */
static void start_sgir(gic_its *its, uint32_t vpeid, uint32_t vintid)
{
    vpe_entry v;
    unsigned acc = 0;
    its->n_stage = 0;
    if (vpe_lookup(its, vpeid, &v, &acc) == NO_ERR) {
        stage(its, (its_msg){.kind = MSG_VSGI_SET, .pe = v.pe, .vpt = v.vpt, .intid = vintid});
        its->stats.vsgis++;
    } else {
        its->stats.vsgis_dropped++;
    }
    its->stats.table_accesses += acc;
    begin_service(its, its->t_translate + acc * its->t_read);
}

/* Serve the next item if the ITS is enabled and idle. */
static void its_kick(gic_its *its)
{
    while (!its->busy && its->enabled && its->items.len) {
        its_item *it = ring_at(&its->items, 0);
        if (it->kind == ITEM_CMDS) {
            if (!cq_valid(its) || its->creadr == its->cwriter) {
                its->cmds_queued -= it->count;
                ring_pop(&its->items);
                continue;
            }
            it->count--;
            its->cmds_queued--;
            if (!it->count)
                ring_pop(&its->items);
            start_command(its);
        } else {
            its_item cur = *it;
            ring_pop(&its->items);
            its->xlat_waiting--;
            if (cur.kind == ITEM_MSI)
                start_translation(its, cur.a, cur.b);
            else
                start_sgir(its, cur.a, cur.b);
        }
    }
}

static void its_done(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    gic_its *its = ctx;
    its->busy = false;
    if (its->cmd_in_service) {
        its->cmd_in_service = false;
        its->creadr = (its->creadr + CMD_SIZE) % queue_bytes(its);
    }
    flush_stage(its);
    its_kick(its);
}

static void enqueue_request(gic_its *its, item_kind kind, uint32_t a, uint32_t b)
{
    if (!its->enabled) {
        its->stats.dropped_disabled++;
        return;
    }
    its_item it = {.kind = (uint8_t)kind, .a = a, .b = b};
    if (!ring_push(&its->items, &it)) {
        its->stats.dropped++;
        return;
    }
    if (kind == ITEM_MSI)
        its->stats.translations++;
    its->xlat_waiting++;
    if (its->xlat_waiting > its->stats.translation_queue_max)
        its->stats.translation_queue_max = its->xlat_waiting;
    its_kick(its);
}

/* ---- Lifetime --------------------------------------------------------------------- */

gicsim_status its_create(gicsim_gic *g)
{
    gic_its *its = calloc(1, sizeof *its);
    if (!its)
        return GICSIM_E_NOMEM;
    g->its = its;
    its->g = g;
    its->items.esz = sizeof(its_item);
    its->flight.esz = sizeof(its_msg);
    its->rd_last = calloc(g->cfg.num_pes, sizeof *its->rd_last);
    if (!its->rd_last)
        return GICSIM_E_NOMEM;
    its->t_cmd = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_COMMAND);
    its->t_translate = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_TRANSLATE);
    its->t_read = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_TABLE_READ);
    its->t_hit = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_CACHE_HIT);
    its->t_to_redist = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_TO_REDIST);
    return cache_init(&its->cache, g->cfg.its_cache_entries);
}

void its_free(gicsim_gic *g)
{
    gic_its *its = g->its;
    if (!its)
        return;
    free(its->items.buf);
    free(its->flight.buf);
    free(its->rd_last);
    free(its->cache.e);
    free(its->cache.bucket);
    free(its);
    g->its = NULL;
}

/* ---- Registers --------------------------------------------------------------------- */

static uint64_t typer_read(const gic_its *its)
{
    uint64_t v = GICSIM_GITS_TYPER_PHYSICAL;
    v |= (uint64_t)(ITE_SIZE - 1) << GICSIM_GITS_TYPER_ITT_ENTRY_SIZE_SHIFT;
    v |= (uint64_t)(EVENT_BITS - 1) << GICSIM_GITS_TYPER_IDBITS_SHIFT;
    v |= (uint64_t)(DEV_BITS - 1) << GICSIM_GITS_TYPER_DEVBITS_SHIFT;
    /* SEIS=0, PTA=0 (RDbase is a processor number), HCC=0 (every collection in
     * memory), CIL=0 (16-bit ICIDs). */
    if (is_v4(its))
        v |= GICSIM_GITS_TYPER_VIRTUAL | GICSIM_GITS_TYPER_VMOVP;
    if (is_v41(its))
        /* vSGIs, the v4.1 VMAPP format, no individual doorbells (nID=1):
         * each vPE has one doorbell, managed by its redistributor. SVPET=0. */
        v |= GICSIM_GITS_TYPER_VSGI | GICSIM_GITS_TYPER_VMAPP | GICSIM_GITS_TYPER_NID;
    return v;
}

static uint64_t baser_read(const gic_its *its, unsigned n)
{
    unsigned type = baser_type(its, n);
    if (type == GICSIM_GITS_BASER_TYPE_NONE)
        return 0;
    return its->baser[n] | ((uint64_t)type << GICSIM_GITS_BASER_TYPE_SHIFT) |
           ((uint64_t)(baser_entry_size(type) - 1) << GICSIM_GITS_BASER_ENTRY_SIZE_SHIFT);
}

static bool quiescent(const gic_its *its)
{
    return !its->enabled && !its->busy && !its->flight.len;
}

/* 64-bit registers of the control frame; false if `off` (8-aligned) is not one. */
static bool reg64_read(const gic_its *its, uint32_t off, uint64_t *v)
{
    if (off == GICSIM_GITS_TYPER) {
        *v = typer_read(its);
    } else if (off == GICSIM_GITS_CBASER) {
        *v = its->cbaser;
    } else if (off == GICSIM_GITS_CWRITER) {
        *v = its->cwriter;
    } else if (off == GICSIM_GITS_CREADR) {
        *v = its->creadr; /* Stalled is always 0 */
    } else if (off >= GICSIM_GITS_BASER(0) && off <= GICSIM_GITS_BASER(7)) {
        unsigned n = (off - GICSIM_GITS_BASER(0)) / 8u;
        if (baser_type(its, n) == GICSIM_GITS_BASER_TYPE_NONE)
            return false; /* a register this ITS does not have: RAZ/WI */
        *v = baser_read(its, n);
    } else {
        return false;
    }
    return true;
}

gicsim_status gicsim_its_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val)
{
    if (!g || !val || (size != 1 && size != 2 && size != 4 && size != 8))
        return GICSIM_E_INVAL;
    gic_its *its = g->its;
    if (!its)
        return GICSIM_E_UNSUPPORTED;
    *val = 0;
    uint64_t r;
    if (off % size)
        goto raz;
    if (size >= 4 && reg64_read(its, off & ~7u, &r)) {
        *val = size == 8 ? r : (off & 4) ? r >> 32 : r & 0xFFFFFFFFu;
        return GICSIM_OK;
    }
    if (size != 4)
        goto raz;
    switch (off) {
    case GICSIM_GITS_CTLR:
        *val = (its->enabled ? GICSIM_GITS_CTLR_ENABLED : 0) |
               (quiescent(its) ? GICSIM_GITS_CTLR_QUIESCENT : 0);
        return GICSIM_OK;
    case GICSIM_GITS_IIDR:
        *val = 0x4700043Bu; /* ProductID 0x47, Implementer 0x43B, as GICD_IIDR */
        return GICSIM_OK;
    case GICSIM_GITS_PIDR2:
        *val = (is_v4(its) ? 4u : 3u) << 4; /* ArchRev */
        return GICSIM_OK;
    default:
        break;
    }
raz:
    g->stats.raz_wi_reads++;
    return GICSIM_OK;
}

static void ctlr_write(gic_its *its, uint32_t v)
{
    bool en = (v & GICSIM_GITS_CTLR_ENABLED) != 0;
    if (en == its->enabled)
        return;
    its->enabled = en;
    if (en)
        its_kick(its);
}

/* GITS_CBASER: writable only while the ITS is disabled and quiescent (else
 * UNPREDICTABLE: ignored and counted). A write sets GITS_CREADR to 0. */
static bool cbaser_write(gic_its *its, uint64_t v)
{
    if (!quiescent(its))
        return false;
    its->cbaser = v & CBASER_RW_MASK;
    its->creadr = 0;
    if (its->cwriter >= queue_bytes(its))
        its->cwriter = 0;
    sync_command_items(its);
    return true;
}

/* GITS_CWRITER: Offset[19:5] within the queue (beyond it: UNPREDICTABLE,
 * ignored and counted); Retry[0] has no effect (the queue never stalls). */
static bool cwriter_write(gic_its *its, uint64_t v)
{
    uint64_t off = v & GICSIM_GITS_CQ_OFFSET_MASK;
    if (off >= queue_bytes(its))
        return false;
    its->cwriter = off;
    sync_command_items(its);
    its_kick(its);
    return true;
}

/* GITS_BASER<n>: writable only while GITS_CTLR.Enabled=0 (else UNPREDICTABLE:
 * ignored and counted); Type and Entry_Size are read-only; the reserved
 * Page_Size 0b11 reads as 64 KiB. */
static bool baser_write(gic_its *its, unsigned n, uint64_t v)
{
    if (baser_type(its, n) == GICSIM_GITS_BASER_TYPE_NONE || its->enabled)
        return false;
    v &= BASER_RW_MASK;
    if (((v >> GICSIM_GITS_BASER_PAGE_SIZE_SHIFT) & 3u) == 3u)
        v = (v & BASER_RW_NOPAGE_MASK) | GICSIM_GITS_BASER_PAGE_64K;
    its->baser[n] = v;
    cache_invalidate(its, INVAL_ALL, 0, 0);
    return true;
}

static bool reg64_write(gic_its *its, uint32_t off, uint64_t v)
{
    if (off == GICSIM_GITS_CBASER)
        return cbaser_write(its, v);
    if (off == GICSIM_GITS_CWRITER)
        return cwriter_write(its, v);
    if (off >= GICSIM_GITS_BASER(0) && off <= GICSIM_GITS_BASER(7))
        return baser_write(its, (off - GICSIM_GITS_BASER(0)) / 8u, v);
    return false;
}

static bool is_rw64(uint32_t off)
{
    return off == GICSIM_GITS_CBASER || off == GICSIM_GITS_CWRITER ||
           (off >= GICSIM_GITS_BASER(0) && off <= GICSIM_GITS_BASER(7));
}

gicsim_status gicsim_its_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    if (!g || (size != 1 && size != 2 && size != 4 && size != 8))
        return GICSIM_E_INVAL;
    gic_its *its = g->its;
    if (!its)
        return GICSIM_E_UNSUPPORTED;
    if (off % size)
        goto wi;
    if (off == GICSIM_GITS_TRANSLATER && (size == 2 || size == 4)) {
        /* A plain register write carries DeviceID 0. */
        enqueue_request(its, ITEM_MSI, 0, size == 2 ? (uint32_t)val & 0xFFFFu : (uint32_t)val);
        return GICSIM_OK;
    }
    if (off == GICSIM_GITS_SGIR && size == 8 && is_v41(its)) {
        enqueue_request(its, ITEM_SGIR, (uint32_t)(val >> 32) & 0xFFFFu, (uint32_t)val & 0xFu);
        return GICSIM_OK;
    }
    if (size >= 4 && is_rw64(off & ~7u)) {
        uint64_t r = 0;
        reg64_read(its, off & ~7u, &r);
        if (size == 8)
            r = val;
        else if (off & 4)
            r = (r & 0xFFFFFFFFull) | ((val & 0xFFFFFFFFull) << 32);
        else
            r = (r & ~0xFFFFFFFFull) | (val & 0xFFFFFFFFull);
        if (reg64_write(its, off & ~7u, r))
            return GICSIM_OK;
        goto wi;
    }
    if (off == GICSIM_GITS_CTLR && size == 4) {
        ctlr_write(its, (uint32_t)val);
        return GICSIM_OK;
    }
wi:
    g->stats.raz_wi_writes++;
    return GICSIM_OK;
}

gicsim_status gicsim_its_msi(gicsim_gic *g, uint32_t device_id, uint32_t event_id)
{
    if (!g)
        return GICSIM_E_INVAL;
    if (!g->its)
        return GICSIM_E_UNSUPPORTED;
    enqueue_request(g->its, ITEM_MSI, device_id, event_id);
    return GICSIM_OK;
}

gicsim_status gicsim_its_submit(gicsim_gic *g, const gicsim_its_cmd *cmds, size_t n)
{
    if (!g || (!cmds && n))
        return GICSIM_E_INVAL;
    gic_its *its = g->its;
    if (!its)
        return GICSIM_E_UNSUPPORTED;
    if (!cq_valid(its))
        return GICSIM_E_STATE;
    uint64_t q = queue_bytes(its);
    uint64_t slots = q / CMD_SIZE;
    if (n > slots - 1 - cq_pending(its))
        return GICSIM_E_FULL;
    uint64_t base = its->cbaser & GICSIM_GITS_CBASER_PA_MASK;
    uint64_t w = its->cwriter;
    for (size_t i = 0; i < n; i++) {
        for (unsigned k = 0; k < 4; k++) {
            gicsim_status st = mem_write64(g->mem, base + w + 8u * k, cmds[i].dw[k]);
            if (st != GICSIM_OK)
                return st;
        }
        w = (w + CMD_SIZE) % q;
    }
    return gicsim_its_write(g, GICSIM_GITS_CWRITER, 8, w);
}

gicsim_status gicsim_its_get_stats(const gicsim_gic *g, gicsim_its_stats *out)
{
    if (!g || !out)
        return GICSIM_E_INVAL;
    if (!g->its)
        return GICSIM_E_UNSUPPORTED;
    *out = g->its->stats;
    return GICSIM_OK;
}

/* ---- Command builders (field layouts: architecture 5.3, as above) -------------------- */

static gicsim_its_cmd cmd0(uint8_t op)
{
    return (gicsim_its_cmd){{op, 0, 0, 0}};
}

static uint64_t rdbase_field(uint32_t pe)
{
    return ((uint64_t)pe & 0xFFFFFFFFFull) << 16;
}

static gicsim_its_cmd dev_ev(uint8_t op, uint32_t dev, uint32_t ev)
{
    gicsim_its_cmd c = cmd0(op);
    c.dw[0] |= (uint64_t)dev << 32;
    c.dw[1] = ev;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapd(uint32_t device_id, uint64_t itt_addr, unsigned event_bits,
                                   bool valid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_MAPD);
    c.dw[0] |= (uint64_t)device_id << 32;
    c.dw[1] = event_bits ? (event_bits - 1u) & 0x1Fu : 0;
    c.dw[2] = (itt_addr & DTE_ITT_MASK) | (valid ? 1ull << 63 : 0);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapc(uint16_t icid, uint32_t rdbase, bool valid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_MAPC);
    c.dw[2] = icid | rdbase_field(rdbase) | (valid ? 1ull << 63 : 0);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapti(uint32_t device_id, uint32_t event_id, uint32_t pintid,
                                    uint16_t icid)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_MAPTI, device_id, event_id);
    c.dw[1] |= (uint64_t)pintid << 32;
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapi(uint32_t device_id, uint32_t event_id, uint16_t icid)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_MAPI, device_id, event_id);
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_movi(uint32_t device_id, uint32_t event_id, uint16_t icid)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_MOVI, device_id, event_id);
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_movall(uint32_t rdbase1, uint32_t rdbase2)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_MOVALL);
    c.dw[2] = rdbase_field(rdbase1);
    c.dw[3] = rdbase_field(rdbase2);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_int(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_INT, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_clear(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_CLEAR, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_discard(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_DISCARD, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_inv(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_INV, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_invall(uint16_t icid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_INVALL);
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_sync(uint32_t rdbase)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_SYNC);
    c.dw[2] = rdbase_field(rdbase);
    return c;
}

static uint64_t vpeid_field(uint16_t vpeid)
{
    return (uint64_t)vpeid << 32;
}

gicsim_its_cmd gicsim_its_cmd_vmapp(uint16_t vpeid, uint32_t rdbase, uint64_t vpt_addr,
                                    unsigned vpt_bits, bool valid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_VMAPP);
    c.dw[1] = vpeid_field(vpeid);
    c.dw[2] = rdbase_field(rdbase) | (valid ? 1ull << 63 : 0);
    c.dw[3] = (vpt_addr & 0x000FFFFFFFFF0000ull) | (vpt_bits ? (vpt_bits - 1u) & 0x1Fu : 0);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmapp41(uint16_t vpeid, uint32_t rdbase, uint64_t vpt_addr,
                                      unsigned vpt_bits, uint64_t vconf_addr,
                                      uint32_t default_doorbell, bool valid)
{
    gicsim_its_cmd c = gicsim_its_cmd_vmapp(vpeid, rdbase, vpt_addr, vpt_bits, valid);
    c.dw[0] |= vconf_addr & 0x000FFFFFFFFF0000ull;
    c.dw[1] |= default_doorbell;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmapti(uint32_t device_id, uint32_t event_id, uint16_t vpeid,
                                     uint32_t vintid, uint32_t doorbell)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_VMAPTI, device_id, event_id);
    c.dw[1] |= vpeid_field(vpeid);
    c.dw[2] = vintid | (uint64_t)doorbell << 32;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmapi(uint32_t device_id, uint32_t event_id, uint16_t vpeid,
                                    uint32_t doorbell)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_VMAPI, device_id, event_id);
    c.dw[1] |= vpeid_field(vpeid);
    c.dw[2] = (uint64_t)doorbell << 32;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmovi(uint32_t device_id, uint32_t event_id, uint16_t vpeid,
                                    uint32_t doorbell)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_VMOVI, device_id, event_id);
    c.dw[1] |= vpeid_field(vpeid);
    c.dw[2] = (uint64_t)doorbell << 32 | (doorbell != GICSIM_ITS_NO_DOORBELL ? 1u : 0u);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmovp(uint16_t vpeid, uint32_t rdbase)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_VMOVP);
    c.dw[1] = vpeid_field(vpeid);
    c.dw[2] = rdbase_field(rdbase);
    return c;
}

static gicsim_its_cmd vpe_cmd(uint8_t op, uint16_t vpeid)
{
    gicsim_its_cmd c = cmd0(op);
    c.dw[1] = vpeid_field(vpeid);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vsync(uint16_t vpeid)
{
    return vpe_cmd(GICSIM_ITS_CMD_VSYNC, vpeid);
}

gicsim_its_cmd gicsim_its_cmd_vinvall(uint16_t vpeid)
{
    return vpe_cmd(GICSIM_ITS_CMD_VINVALL, vpeid);
}

gicsim_its_cmd gicsim_its_cmd_invdb(uint16_t vpeid)
{
    return vpe_cmd(GICSIM_ITS_CMD_INVDB, vpeid);
}

gicsim_its_cmd gicsim_its_cmd_vsgi(uint16_t vpeid, uint32_t vintid, uint8_t priority, bool group1,
                                   bool enable, bool clear)
{
    gicsim_its_cmd c = vpe_cmd(GICSIM_ITS_CMD_VSGI, vpeid);
    c.dw[0] |= (enable ? 1ull << 8 : 0) | (clear ? 1ull << 9 : 0) | (group1 ? 1ull << 10 : 0) |
               ((uint64_t)(priority >> 4) << 20) | ((uint64_t)(vintid & 0xFu) << 32);
    return c;
}
