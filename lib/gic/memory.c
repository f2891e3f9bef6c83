/* gicsim: simulated physical memory for the GIC's in-memory tables.
 *
 * Sparse and byte-addressed: 4 KiB pages, allocated on the first write that
 * touches them and kept in an open-addressing hash table (linear probing)
 * keyed by page number. Untouched memory reads as zeros, so a table that is
 * only ever read (an all-zero pending table, say) costs nothing. Pages are
 * never freed before mem_free: the memory in use grows only with the set of
 * pages written. Multi-byte values are little-endian, as the GIC's tables
 * are in the architecture.
 *
 * Page data never moves once allocated (growing the table moves only the
 * slots), so the last page found is remembered and a run of accesses to one
 * page costs one hash probe. */
#include "gic_internal.h"

#include <gicsim/memory.h>

#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT 12u
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define INITIAL_SLOTS 64u /* power of two */

typedef struct mem_slot {
    uint64_t pfn;  /* page frame number (pa >> PAGE_SHIFT) */
    uint8_t *data; /* PAGE_SIZE bytes; NULL marks a free slot */
} mem_slot;

struct gic_mem {
    mem_slot *slots;
    size_t cap;            /* number of slots, a power of two */
    size_t count;          /* pages allocated */
    uint64_t last_pfn;     /* the page last found (page_find, page_get) */
    uint8_t *last_data;    /* its data; NULL before any page is found */
    gicsim_engine *engine; /* told when a page cannot be allocated (engine_fail) */
};

static size_t slot_hash(uint64_t pfn, size_t cap)
{
    /* Fibonacci hashing: neighbouring pages spread over the table. */
    return (size_t)((pfn * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static mem_slot *slot_find(const gic_mem *m, uint64_t pfn)
{
    for (size_t i = slot_hash(pfn, m->cap);; i = (i + 1) & (m->cap - 1)) {
        mem_slot *s = &m->slots[i];
        if (!s->data || s->pfn == pfn)
            return s;
    }
}

gicsim_status mem_create(gic_mem **out, gicsim_engine *engine)
{
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    gic_mem *m = calloc(1, sizeof *m);
    if (!m)
        return GICSIM_E_NOMEM;
    m->slots = calloc(INITIAL_SLOTS, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return GICSIM_E_NOMEM;
    }
    m->cap = INITIAL_SLOTS;
    m->engine = engine;
    *out = m;
    return GICSIM_OK;
}

void mem_free(gic_mem *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].data);
    free(m->slots);
    free(m);
}

size_t mem_pages(const gic_mem *m)
{
    return m ? m->count : 0;
}

/* Double the table; false (table unchanged) if that cannot allocate. */
static bool mem_grow(gic_mem *m)
{
    size_t ncap = m->cap * 2;
    mem_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return false;
    mem_slot *old = m->slots;
    size_t ocap = m->cap;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].data)
            *slot_find(m, old[i].pfn) = old[i];
    free(old);
    return true;
}

/* The data of page `pfn`, NULL if it was never written. */
static inline uint8_t *page_find(gic_mem *m, uint64_t pfn)
{
    if (m->last_data && m->last_pfn == pfn)
        return m->last_data;
    uint8_t *d = slot_find(m, pfn)->data;
    if (d) {
        m->last_pfn = pfn;
        m->last_data = d;
    }
    return d;
}

/* The page `pfn`, allocated zero-filled if absent; NULL on allocation failure. */
static uint8_t *page_get(gic_mem *m, uint64_t pfn)
{
    if (m->last_data && m->last_pfn == pfn)
        return m->last_data;
    mem_slot *s = slot_find(m, pfn);
    if (s->data) {
        m->last_pfn = pfn;
        m->last_data = s->data;
        return s->data;
    }
    /* Keep the load factor at most 1/2 so that probes stay short. */
    if ((m->count + 1) * 2 > m->cap) {
        if (!mem_grow(m)) {
            engine_fail(m->engine, GICSIM_E_NOMEM);
            return NULL;
        }
        s = slot_find(m, pfn);
    }
    uint8_t *p = calloc(1, PAGE_SIZE);
    if (!p) {
        engine_fail(m->engine, GICSIM_E_NOMEM);
        return NULL;
    }
    s->pfn = pfn;
    s->data = p;
    m->count++;
    m->last_pfn = pfn;
    m->last_data = p;
    return p;
}

void mem_read(gic_mem *m, uint64_t pa, void *buf, size_t len)
{
    uint8_t *out = buf;
    while (len) {
        uint64_t pfn = pa >> PAGE_SHIFT;
        size_t off = (size_t)(pa & (PAGE_SIZE - 1));
        size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        const uint8_t *d = m ? page_find(m, pfn) : NULL;
        if (d)
            memcpy(out, d + off, n);
        else
            memset(out, 0, n);
        out += n;
        pa += n;
        len -= n;
    }
}

gicsim_status mem_write(gic_mem *m, uint64_t pa, const void *buf, size_t len)
{
    if (!m || (!buf && len))
        return GICSIM_E_INVAL;
    if (!len)
        return GICSIM_OK;
    uint64_t first = pa >> PAGE_SHIFT;
    uint64_t last = (pa + (len - 1)) >> PAGE_SHIFT;
    if (first == last) {
        uint8_t *d = page_get(m, first);
        if (!d)
            return GICSIM_E_NOMEM;
        memcpy(d + (pa & (PAGE_SIZE - 1)), buf, len);
        return GICSIM_OK;
    }
    /* Allocate every page first so that a failure changes nothing. */
    for (uint64_t pfn = first; pfn <= last; pfn++)
        if (!page_get(m, pfn))
            return GICSIM_E_NOMEM;
    const uint8_t *in = buf;
    while (len) {
        size_t off = (size_t)(pa & (PAGE_SIZE - 1));
        size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        memcpy(page_find(m, pa >> PAGE_SHIFT) + off, in, n);
        in += n;
        pa += n;
        len -= n;
    }
    return GICSIM_OK;
}

uint8_t *mem_byte(gic_mem *m, uint64_t pa, bool alloc)
{
    uint8_t *d = alloc ? page_get(m, pa >> PAGE_SHIFT) : page_find(m, pa >> PAGE_SHIFT);
    return d ? d + (pa & (PAGE_SIZE - 1)) : NULL;
}

static inline void st64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t mem_read64(gic_mem *m, uint64_t pa)
{
    size_t off = (size_t)(pa & (PAGE_SIZE - 1));
    if (m && off <= PAGE_SIZE - 8u) {
        const uint8_t *d = page_find(m, pa >> PAGE_SHIFT);
        return d ? mem_ld64(d + off) : 0;
    }
    uint8_t b[8];
    mem_read(m, pa, b, sizeof b);
    return mem_ld64(b);
}

gicsim_status mem_write64(gic_mem *m, uint64_t pa, uint64_t v)
{
    size_t off = (size_t)(pa & (PAGE_SIZE - 1));
    if (m && off <= PAGE_SIZE - 8u) {
        uint8_t *d = page_get(m, pa >> PAGE_SHIFT);
        if (!d)
            return GICSIM_E_NOMEM;
        st64(d + off, v);
        return GICSIM_OK;
    }
    uint8_t b[8];
    st64(b, v);
    return mem_write(m, pa, b, sizeof b);
}

/* ---- Public API (include/gicsim/memory.h) ----------------------------------- */

gicsim_status gicsim_mem_write(gicsim_gic *gic, uint64_t pa, const void *data, size_t len)
{
    if (!gic || (!data && len))
        return GICSIM_E_INVAL;
    if (len && pa + (len - 1) < pa)
        return GICSIM_E_RANGE;
    return mem_write(gic->mem, pa, data, len);
}

gicsim_status gicsim_mem_read(gicsim_gic *gic, uint64_t pa, void *data, size_t len)
{
    if (!gic || (!data && len))
        return GICSIM_E_INVAL;
    if (len && pa + (len - 1) < pa)
        return GICSIM_E_RANGE;
    mem_read(gic->mem, pa, data, len);
    return GICSIM_OK;
}
