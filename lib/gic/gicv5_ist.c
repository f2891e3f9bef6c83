/* gicsim: GICv5 interrupt state tables (IST) in simulated memory and the IRS's cache of
 * interrupt states (docs/gicv5.md, "ISTs").
 *
 * An IST holds one L2 ISTE per interrupt ID (4 bytes without metadata: Pending, Active, HM,
 * Enable, IRM, Priority, IAFFID). Linear: the entries follow each other from the base. Two-level:
 * the base holds 8-byte L1 entries (VALID[0], L2_ADDR[55:12]), each naming an L2 table of one
 * 4, 16 or 64 KiB granule covering 2^(granule bits - log2(entry size)) IDs; software maps an L2
 * table with IRS_MAP_L2_ISTR, which makes its L1 entry valid (irq-gic-v5-irs.c
 * gicv5_irs_iste_alloc; QEMU arm_gicv5.c get_l2_iste_addr).
 *
 * The IRS keeps the state of every pending or active LPI (and a VM's SPIs) in a cache: a record
 * is read from memory on first use (gicv5_ist_read) and found there afterwards
 * (gicv5_ist_hit); every change is written through to memory, and a record that is neither
 * pending nor active leaves the cache. So the interrupts that can be delivered are all cached,
 * and memory always shows their state (an assumption, docs/gicv5.md: QEMU writes back
 * lazily). Physical SPIs are not in memory: they live in the IRS (gicv5_irs.c).
 *
 * The candidates of a PE or a vPE (pending, enabled, inactive, routed to it) are a binary heap
 * ordered by priority, then by key. */
#include "gicv5_internal.h"

#include <stdlib.h>
#include <string.h>

#define L1_VALID 1ull
#define L1_ADDR_MASK 0x00FFFFFFFFFFF000ull

/* ---- Record map ------------------------------------------------------------------------- */

static uint32_t hash_of(uint32_t key, uint32_t cap)
{
    return (key * 2654435761u) & (cap - 1u);
}

gicsim_status v5_map_init(v5_map *m)
{
    m->cap = 16;
    m->count = 0;
    m->slot = calloc(m->cap, sizeof *m->slot);
    return m->slot ? GICSIM_OK : GICSIM_E_NOMEM;
}

void v5_map_free(v5_map *m)
{
    if (!m->slot)
        return;
    for (uint32_t i = 0; i < m->cap; i++)
        free(m->slot[i]);
    free(m->slot);
    m->slot = NULL;
    m->cap = m->count = 0;
}

v5_irq *v5_map_find(const v5_map *m, uint32_t key)
{
    if (!m->slot)
        return NULL;
    for (uint32_t i = hash_of(key, m->cap);; i = (i + 1u) & (m->cap - 1u)) {
        v5_irq *r = m->slot[i];
        if (!r || r->key == key)
            return r;
    }
}

static void place(v5_irq **slot, uint32_t cap, v5_irq *r)
{
    uint32_t i = hash_of(r->key, cap);
    while (slot[i])
        i = (i + 1u) & (cap - 1u);
    slot[i] = r;
}

gicsim_status v5_map_insert(v5_map *m, v5_irq *r)
{
    if ((m->count + 1u) * 10u > m->cap * 7u) {
        uint32_t cap = m->cap * 2u;
        v5_irq **slot = calloc(cap, sizeof *slot);
        if (!slot)
            return GICSIM_E_NOMEM;
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->slot[i])
                place(slot, cap, m->slot[i]);
        free(m->slot);
        m->slot = slot;
        m->cap = cap;
    }
    place(m->slot, m->cap, r);
    m->count++;
    return GICSIM_OK;
}

/* Backward-shift deletion keeps every probe sequence unbroken. */
void v5_map_remove(v5_map *m, uint32_t key)
{
    uint32_t mask = m->cap - 1u, i = hash_of(key, m->cap);
    while (m->slot[i] && m->slot[i]->key != key)
        i = (i + 1u) & mask;
    if (!m->slot[i])
        return;
    m->slot[i] = NULL;
    m->count--;
    for (uint32_t j = (i + 1u) & mask; m->slot[j]; j = (j + 1u) & mask) {
        uint32_t home = hash_of(m->slot[j]->key, m->cap);
        /* Move slot j into the hole at i unless its home lies in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            m->slot[i] = m->slot[j];
            m->slot[j] = NULL;
            i = j;
        }
    }
}

/* ---- Candidate heaps ------------------------------------------------------------------- */

static uint64_t order(const v5_irq *r)
{
    return ((uint64_t)iste_prio(r->iste) << 32) | r->key;
}

static void heap_set(v5_heap *h, uint32_t i, v5_irq *r)
{
    h->a[i] = r;
    r->hpos = i + 1u;
}

static void sift_up(v5_heap *h, uint32_t i)
{
    v5_irq *r = h->a[i];
    while (i) {
        uint32_t p = (i - 1u) / 2u;
        if (order(h->a[p]) <= order(r))
            break;
        heap_set(h, i, h->a[p]);
        i = p;
    }
    heap_set(h, i, r);
}

static void sift_down(v5_heap *h, uint32_t i)
{
    v5_irq *r = h->a[i];
    for (;;) {
        uint32_t c = 2u * i + 1u;
        if (c >= h->n)
            break;
        if (c + 1u < h->n && order(h->a[c + 1u]) < order(h->a[c]))
            c++;
        if (order(r) <= order(h->a[c]))
            break;
        heap_set(h, i, h->a[c]);
        i = c;
    }
    heap_set(h, i, r);
}

void v5_heap_free(v5_heap *h)
{
    free(h->a);
    h->a = NULL;
    h->n = h->cap = 0;
}

gicsim_status v5_heap_push(v5_heap *h, v5_irq *r)
{
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2u : 8u;
        v5_irq **a = realloc(h->a, cap * sizeof *a);
        if (!a)
            return GICSIM_E_NOMEM;
        h->a = a;
        h->cap = cap;
    }
    h->a[h->n] = r;
    sift_up(h, h->n++);
    return GICSIM_OK;
}

void v5_heap_remove(v5_heap *h, v5_irq *r)
{
    if (!r->hpos)
        return;
    uint32_t i = r->hpos - 1u;
    r->hpos = 0;
    if (--h->n == i)
        return;
    heap_set(h, i, h->a[h->n]);
    sift_up(h, i);
    sift_down(h, h->a[i]->hpos - 1u);
}

/* ---- Tables ------------------------------------------------------------------------------ */

void v5_ist_config(v5_ist *ist, uint64_t base, unsigned id_bits, unsigned istsz, unsigned l2sz,
                   bool two_level, unsigned min_bits, unsigned max_bits)
{
    /* Reserved encodings act as the smallest (QEMU initialize_ist_config). */
    unsigned istbits = istsz == 1 ? 3u : istsz == 2 ? 4u : 2u;
    unsigned l2bits = l2sz == 1 ? 14u : l2sz == 2 ? 16u : 12u;
    if (id_bits < min_bits)
        id_bits = min_bits;
    if (id_bits > max_bits)
        id_bits = max_bits;
    ist->valid = true;
    ist->two_level = two_level;
    ist->id_bits = (uint8_t)id_bits;
    ist->istsz = (uint8_t)(1u << istbits);
    ist->l2_idx_bits = (uint8_t)(l2bits - istbits);
    ist->base = base;
}

bool v5_ist_entry(gicsim_gic *g, const v5_ist *ist, uint32_t id, uint64_t *addr, unsigned *reads)
{
    if (!ist->valid || id >= (1u << ist->id_bits))
        return false;
    if (!ist->two_level) {
        *addr = ist->base + (uint64_t)id * ist->istsz;
        return true;
    }
    uint64_t l1 = mem_read64(g->mem, ist->base + (uint64_t)(id >> ist->l2_idx_bits) * 8u);
    (*reads)++;
    if (!(l1 & L1_VALID))
        return false;
    uint32_t idx = id & ((1u << ist->l2_idx_bits) - 1u);
    *addr = (l1 & L1_ADDR_MASK) + (uint64_t)idx * ist->istsz;
    return true;
}

void v5_ist_map_l2(gicsim_gic *g, const v5_ist *ist, uint32_t id)
{
    uint64_t pa = ist->base + (uint64_t)(id >> ist->l2_idx_bits) * 8u;
    mem_write64(g->mem, pa, mem_read64(g->mem, pa) | L1_VALID);
}

/* ---- The IRS's cache of interrupt states ------------------------------------------------ */

v5_irq *v5_cached(gicsim_gic *g, v5_dom *d, unsigned type, uint32_t id)
{
    if (!d->virt && type == GICSIM_GICV5_SPI)
        return id < g->v5->irs.nspis ? &g->v5->irs.spi[id] : NULL;
    return v5_map_find(&d->cache, v5_key(type, id));
}

v5_irq *v5_lookup(gicsim_gic *g, v5_dom *d, unsigned type, uint32_t id)
{
    gic_v5 *v = g->v5;
    v5_irq *r = v5_cached(g, d, type, id);
    if (r) {
        if (r->addr)
            v->st.ist_hits++;
        return r;
    }
    if ((type != GICSIM_GICV5_LPI && type != GICSIM_GICV5_SPI) ||
        (!d->virt && type == GICSIM_GICV5_SPI))
        return NULL;
    const v5_ist *ist = &d->ist[type == GICSIM_GICV5_LPI ? IST_LPI : IST_SPI];
    uint64_t addr;
    unsigned reads = 0;
    bool found = v5_ist_entry(g, ist, id, &addr, &reads);
    v->st.ist_reads += reads;
    if (!found)
        return NULL;
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    uint8_t b[4];
    mem_read(g->mem, addr, b, sizeof b);
    v->st.ist_reads++;
    r->key = v5_key(type, id);
    r->iste = ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24) &
              ISTE_WRITABLE_MASK;
    r->route = V5_NONE;
    r->addr = addr;
    if (v5_map_insert(&d->cache, r) != GICSIM_OK) {
        free(r);
        return NULL;
    }
    if (r->iste & (ISTE_PENDING | ISTE_ACTIVE))
        irs_found(g, d, r);
    return r;
}

void v5_dom_drop_ist(gicsim_gic *g, v5_dom *d, unsigned which)
{
    unsigned type = which == IST_LPI ? GICSIM_GICV5_LPI : GICSIM_GICV5_SPI;
    for (uint32_t i = 0; i < d->cache.cap;) {
        v5_irq *r = d->cache.slot[i];
        if (!r || (r->key >> 24) != type) {
            i++;
            continue;
        }
        if (r->hpos)
            v5_heap_remove(irs_heap(g, d, r->route), r);
        uint32_t intid = GICSIM_GICV5_INTID(type, r->key);
        v5_account(g, d->virt, r->route, intid, r->iste, 0, false);
        v5_map_remove(&d->cache, r->key);
        free(r);
        /* The deletion may have moved another record into slot i: look at it again. */
    }
}

void v5_dom_free(v5_dom *d)
{
    v5_map_free(&d->cache);
}
