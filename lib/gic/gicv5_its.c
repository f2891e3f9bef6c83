/* gicsim: the GICv5 ITS (docs/gicv5.md, "The ITS").
 *
 * No command queue: software writes the Device table (ITS_DT_BASER/CFGR, linear or two-level)
 * and each device's ITT (linear or two-level, named by its DTE) in memory, then invalidates
 * what the ITS may cache with ITS_INV_DEVICER or ITS_INV_EVENTR (DeviceID in ITS_DIDR, EventID
 * in ITS_EIDR) and waits for ITS_STATUSR.IDLE (Linux irq-gic-v5-its.c
 * gicv5_its_device_register, gicv5_its_map_event). An event (an MSI: the EventID written to
 * the translate frame with the writer's DeviceID; or an IWB wire) is translated by a walk
 * (DT L1 entry, DTE, ITT L1 entry, ITTE; SPAN limits an L2 table) into an LPI ID, physical or
 * of VM VM_ID (ITTE.VIRTUAL); the LPI's target is not in the ITS but in its ISTE at the IRS.
 * Translations are cached (gicsim_gic_config.its_cache_entries, LRU): until software
 * invalidates, a changed table entry is not seen.
 *
 * Timing, as the GICv3 ITS's translation: one server, events served in arrival order; each
 * costs gicv5_its_translate plus its_cache_hit (the lookup) plus, on a miss, its_table_read
 * per entry read; the result then travels to the IRS (gicv5_its_to_irs). Untranslatable
 * events are dropped and counted (gicsim_gicv5_stats.its_errors). */
#include "gicv5_internal.h"

#include <stdlib.h>
#include <string.h>

#define ADDR_MASK_8 0x00FFFFFFFFFFFFF8ull
#define ENT_VALID 1ull
#define DT_CFGR_TWO_LEVEL (1u << 16)
#define DTE_ITT_TWO_LEVEL (1ull << 58)
#define ITTE_VALID (1ull << 31)
#define ITTE_VIRTUAL (1ull << 30)
#define IDR1_VALUE (GICSIM_GICV5_DEVICEID_BITS | (1u << 6) | (1u << 7) | (7u << 8))
#define SYNCR_SYNC (1ull << 63)

typedef struct its_item {
    uint32_t dev, ev;
    uint8_t kind;
} its_item;

typedef struct its_cent {
    bool valid;
    uint32_t dev, ev;
    uint64_t itte;
    uint64_t stamp;
} its_cent;

typedef struct v5_its {
    uint32_t cr0, cr1, dt_cfgr, eidr;
    uint64_t dt_baser, didr;
    gicsim_time_t busy_until; /* CR0.IDLE and STATUSR.IDLE read 0 until then */
    bool sync_pending;        /* SYNCR written: SYNC_STATUSR.IDLE 0 until the queue drains */
    gicsim_time_t sync_until;
    its_item *q;
    size_t head, count, cap;
    bool serving;
    its_cent *cache;
    uint32_t ncache;
    uint64_t stamp;
} v5_its;

static gicsim_time_t now_of(const gicsim_gic *g)
{
    return engine_now(g->engine);
}

/* ---- Translation cache -------------------------------------------------------------------- */

static its_cent *cache_find(v5_its *t, uint32_t dev, uint32_t ev)
{
    for (uint32_t i = 0; i < t->ncache; i++)
        if (t->cache[i].valid && t->cache[i].dev == dev && t->cache[i].ev == ev)
            return &t->cache[i];
    return NULL;
}

static void cache_store(v5_its *t, uint32_t dev, uint32_t ev, uint64_t itte)
{
    its_cent *victim = NULL;
    for (uint32_t i = 0; i < t->ncache; i++) {
        its_cent *c = &t->cache[i];
        if (!c->valid || !victim || c->stamp < victim->stamp)
            victim = c;
        if (!c->valid)
            break;
    }
    if (!victim)
        return;
    *victim = (its_cent){true, dev, ev, itte, ++t->stamp};
}

static void cache_invalidate(v5_its *t, uint32_t dev, bool one, uint32_t ev)
{
    for (uint32_t i = 0; i < t->ncache; i++)
        if (t->cache[i].valid && t->cache[i].dev == dev && (!one || t->cache[i].ev == ev))
            t->cache[i].valid = false;
}

/* ---- The walk ------------------------------------------------------------------------------ */

static unsigned l2_bits(unsigned l2sz)
{
    return l2sz == 1 ? 11u : l2sz == 2 ? 13u : 9u; /* 4K, 16K, 64K of 8-byte entries */
}

/* The entry for `idx` of a linear or two-level table at `base`; false when an L1 entry is not
 * valid or the index is beyond its SPAN. */
static bool table_entry(gicsim_gic *g, uint64_t base, bool two_level, unsigned l2sz, uint32_t idx,
                        uint64_t *addr, unsigned *reads)
{
    if (!two_level) {
        *addr = base + (uint64_t)idx * 8u;
        return true;
    }
    unsigned bits = l2_bits(l2sz);
    uint64_t l1 = mem_read64(g->mem, base + (uint64_t)(idx >> bits) * 8u);
    (*reads)++;
    uint32_t low = idx & ((1u << bits) - 1u);
    if (!(l1 & ENT_VALID) || low >= (1u << (unsigned)(l1 >> 60)))
        return false;
    *addr = (l1 & ADDR_MASK_8) + (uint64_t)low * 8u;
    return true;
}

/* Translate (dev, ev) into its ITTE; false (nothing delivered) when the tables do not map it. */
static bool walk(gicsim_gic *g, v5_its *t, uint32_t dev, uint32_t ev, uint64_t *itte,
                 unsigned *reads)
{
    unsigned bits = t->dt_cfgr & 0x3Fu;
    uint64_t a;
    if (bits > GICSIM_GICV5_DEVICEID_BITS)
        bits = GICSIM_GICV5_DEVICEID_BITS;
    if (dev >= (1u << bits) ||
        !table_entry(g, t->dt_baser & ADDR_MASK_8, t->dt_cfgr & DT_CFGR_TWO_LEVEL,
                     (t->dt_cfgr >> 6) & 3u, dev, &a, reads))
        return false;
    uint64_t dte = mem_read64(g->mem, a);
    (*reads)++;
    unsigned evbits = (unsigned)(dte >> 59);
    if (evbits > GICSIM_GICV5_EVENTID_BITS)
        evbits = GICSIM_GICV5_EVENTID_BITS;
    if (!(dte & ENT_VALID) || ev >= (1u << evbits) ||
        !table_entry(g, dte & ADDR_MASK_8, dte & DTE_ITT_TWO_LEVEL, (unsigned)(dte >> 1) & 3u, ev,
                     &a, reads))
        return false;
    *itte = mem_read64(g->mem, a);
    (*reads)++;
    return (*itte & ITTE_VALID) != 0;
}

/* ---- The server ------------------------------------------------------------------------------ */

/* The result travels in the completion event: ok[63] kind[62:61] virt[60] vm[59:44] id[23:0]. */
static void served(gicsim_engine *e, void *ctx, uint64_t a);

static void start_next(gicsim_gic *g)
{
    gic_v5 *v = g->v5;
    v5_its *t = v->its;
    if (!t->count) {
        t->serving = false;
        return;
    }
    its_item it = t->q[t->head];
    t->head = (t->head + 1u) % t->cap;
    t->count--;
    t->serving = true;
    uint64_t itte = 0;
    unsigned reads = 0;
    bool ok;
    its_cent *c = cache_find(t, it.dev, it.ev);
    if (c) {
        v->st.its_cache_hits++;
        c->stamp = ++t->stamp;
        itte = c->itte;
        ok = true;
    } else {
        ok = walk(g, t, it.dev, it.ev, &itte, &reads);
        if (ok)
            cache_store(t, it.dev, it.ev, itte);
    }
    uint32_t vm = (uint32_t)(itte >> 32) & 0xFFFFu;
    bool virt = (itte & ITTE_VIRTUAL) != 0;
    if (virt && vm >= V5_VMS)
        ok = false;
    gicsim_time_t cost = v->t_its_translate + v->t_its_hit + reads * v->t_its_read;
    uint64_t a = ((uint64_t)ok << 63) | ((uint64_t)it.kind << 61) | ((uint64_t)virt << 60) |
                 ((uint64_t)vm << 44) | (itte & 0xFFFFFFu);
    g->stats.hop_events++;
    gicsim_engine_schedule_at(g->engine, now_of(g) + cost, served, g, a, NULL);
}

static void served(gicsim_engine *e, void *ctx, uint64_t a)
{
    (void)e;
    gicsim_gic *g = ctx;
    gic_v5 *v = g->v5;
    if (a >> 63) {
        unsigned kind = (unsigned)(a >> 61) & 3u;
        uint32_t pend = kind == EV_LEVEL_SET     ? PEND_LEVEL
                        : kind == EV_LEVEL_CLEAR ? PEND_CLEAR
                                                 : PEND_SET;
        v->st.its_translations++;
        if (!((a >> 60) & 1u))
            g->stats.lpis_set += pend != PEND_CLEAR;
        irs_request(g, v->t_its_to_irs, V5_OP_PENDING, (a >> 60) & 1u,
                    (uint32_t)(a >> 44) & 0xFFFFu, GICSIM_GICV5_LPI, (uint32_t)a & 0xFFFFFFu, pend);
    } else {
        v->st.its_errors++;
    }
    start_next(g);
}

void its_v5_event(gicsim_gic *g, uint32_t device, uint32_t event, unsigned kind)
{
    gic_v5 *v = g->v5;
    v5_its *t = v->its;
    v->st.its_events++;
    if (!(t->cr0 & GICSIM_GICV5_ITS_CR0_ITSEN)) {
        v->st.its_errors++;
        return;
    }
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2u : 16u;
        its_item *q = malloc(cap * sizeof *q);
        if (!q) {
            v->st.its_errors++;
            return;
        }
        for (size_t i = 0; i < t->count; i++)
            q[i] = t->q[(t->head + i) % t->cap];
        free(t->q);
        t->q = q;
        t->head = 0;
        t->cap = cap;
    }
    t->q[(t->head + t->count) % t->cap] = (its_item){device, event, (uint8_t)kind};
    t->count++;
    if (!t->serving)
        start_next(g);
}

/* ---- Registers ------------------------------------------------------------------------------- */

static uint32_t idle(const gicsim_gic *g, const v5_its *t)
{
    return now_of(g) < t->busy_until ? 0u : 1u;
}

gicsim_status its_v5_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val)
{
    v5_its *t = g->v5->its;
    unsigned half;
    *val = 0;
    if (reg64(off, size, GICSIM_GICV5_ITS_DT_BASER, &half)) {
        *val = half_read(t->dt_baser, half);
        return GICSIM_OK;
    }
    if (reg64(off, size, GICSIM_GICV5_ITS_DIDR, &half)) {
        *val = half_read(t->didr, half);
        return GICSIM_OK;
    }
    if (reg64(off, size, GICSIM_GICV5_ITS_SYNCR, &half))
        return GICSIM_OK; /* reads as 0 */
    if (size != 4) {
        g->stats.raz_wi_reads++;
        return GICSIM_OK;
    }
    switch (off) {
    case GICSIM_GICV5_ITS_IDR0:
    case GICSIM_GICV5_ITS_IIDR:
        break;
    case GICSIM_GICV5_ITS_IDR1:
        *val = IDR1_VALUE;
        break;
    case GICSIM_GICV5_ITS_IDR2:
        *val = GICSIM_GICV5_EVENTID_BITS;
        break;
    case GICSIM_GICV5_ITS_CR0:
        *val = (t->cr0 & GICSIM_GICV5_ITS_CR0_ITSEN) | (idle(g, t) << 1);
        break;
    case GICSIM_GICV5_ITS_CR1:
        *val = t->cr1;
        break;
    case GICSIM_GICV5_ITS_DT_CFGR:
        *val = t->dt_cfgr;
        break;
    case GICSIM_GICV5_ITS_EIDR:
        *val = t->eidr;
        break;
    case GICSIM_GICV5_ITS_INV_EVENTR:
    case GICSIM_GICV5_ITS_INV_DEVICER:
        break;
    case GICSIM_GICV5_ITS_STATUSR:
        *val = idle(g, t);
        break;
    case GICSIM_GICV5_ITS_SYNC_STATUSR:
        if (t->sync_pending && !t->serving && !t->count && now_of(g) >= t->sync_until)
            t->sync_pending = false;
        *val = t->sync_pending ? 0u : 1u;
        break;
    case GICSIM_GICV5_ITS_TRANSLATER:
        g->stats.ignored_ops++; /* write-only */
        break;
    default:
        g->stats.raz_wi_reads++;
        break;
    }
    return GICSIM_OK;
}

gicsim_status its_v5_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    gic_v5 *v = g->v5;
    v5_its *t = v->its;
    unsigned half;
    bool enabled = t->cr0 & GICSIM_GICV5_ITS_CR0_ITSEN;
    if (reg64(off, size, GICSIM_GICV5_ITS_DT_BASER, &half)) {
        if (enabled)
            g->stats.raz_wi_writes++; /* the tables are fixed while the ITS is enabled */
        else
            t->dt_baser = half_merge(t->dt_baser, val, half) & ADDR_MASK_8;
        return GICSIM_OK;
    }
    if (reg64(off, size, GICSIM_GICV5_ITS_DIDR, &half)) {
        t->didr = half_merge(t->didr, val, half) & 0xFFFFFFFFu;
        return GICSIM_OK;
    }
    if (reg64(off, size, GICSIM_GICV5_ITS_SYNCR, &half)) {
        /* SYNC: wait for every event the ITS holds (SYNCALL or one DeviceID alike). */
        if (half_merge(0, val, half) & SYNCR_SYNC) {
            t->sync_pending = true;
            t->sync_until = now_of(g) + v->t_its_cmd;
        }
        return GICSIM_OK;
    }
    if (size != 4) {
        g->stats.raz_wi_writes++;
        return GICSIM_OK;
    }
    uint32_t w = (uint32_t)val;
    switch (off) {
    case GICSIM_GICV5_ITS_CR0:
        if ((t->cr0 ^ w) & GICSIM_GICV5_ITS_CR0_ITSEN) {
            t->cr0 = w & GICSIM_GICV5_ITS_CR0_ITSEN;
            t->busy_until = now_of(g) + v->t_its_cmd;
        }
        break;
    case GICSIM_GICV5_ITS_CR1:
        t->cr1 = w & 0xFFu;
        break;
    case GICSIM_GICV5_ITS_DT_CFGR:
        if (enabled)
            g->stats.raz_wi_writes++;
        else
            t->dt_cfgr = w & (0xFFu | DT_CFGR_TWO_LEVEL);
        break;
    case GICSIM_GICV5_ITS_EIDR:
        t->eidr = w & 0xFFFFu;
        break;
    case GICSIM_GICV5_ITS_INV_EVENTR:
    case GICSIM_GICV5_ITS_INV_DEVICER:
        if (!(w & GICSIM_GICV5_ITS_INV_I))
            break;
        cache_invalidate(t, (uint32_t)t->didr, off == GICSIM_GICV5_ITS_INV_EVENTR, t->eidr);
        t->busy_until = now_of(g) + v->t_its_cmd;
        break;
    case GICSIM_GICV5_ITS_TRANSLATER:
        /* A PE's write: DeviceID 0 (devices use gicsim_gicv5_msi, docs/gicv5.md). */
        its_v5_event(g, 0, w, EV_EDGE);
        break;
    default:
        g->stats.raz_wi_writes++; /* ID registers, STATUSR, SYNC_STATUSR are read-only */
        break;
    }
    return GICSIM_OK;
}

/* ---- Life cycle ---------------------------------------------------------------------------- */

gicsim_status its_v5_init(gicsim_gic *g)
{
    v5_its *t = calloc(1, sizeof *t);
    if (!t)
        return GICSIM_E_NOMEM;
    g->v5->its = t;
    t->ncache = g->cfg.its_cache_entries;
    if (t->ncache && !(t->cache = calloc(t->ncache, sizeof *t->cache)))
        return GICSIM_E_NOMEM;
    return GICSIM_OK;
}

void its_v5_free(gicsim_gic *g)
{
    v5_its *t = g->v5->its;
    if (!t)
        return;
    free(t->q);
    free(t->cache);
    free(t);
    g->v5->its = NULL;
}
