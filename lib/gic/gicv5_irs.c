/* gicsim: the GICv5 Interrupt Routing Service (IRS; docs/gicv5.md, "The IRS").
 *
 * One IRS serves every PE (IAFFID = PE number) in the Non-secure interrupt domain. It owns:
 *  - the SPIs, wired to it (IRS_IDR5..7: SPI IDs 0..num_spis-1), with their state in the IRS:
 *    a line change samples SET_EDGE / SET_LEVEL (Pending, and HM follows IRS_SPI_CFGR.TM) or,
 *    for a level SPI going low, CLEAR (QEMU spi_sample; R_HHKMN, R_QBXXV); IRS_SPI_VMR can
 *    hand an SPI to a VM, whose virtual SPI of the same ID it then drives;
 *  - the physical LPIs, whose state is the LPI IST in memory (IRS_IST_BASER/CFGR, linear or
 *    two-level, gicv5_ist.c);
 *  - the requests that change an interrupt's state (the CPU interfaces' GIC CD* commands, GIC
 *    VDPEND, the ITS's translated events, doorbells): each reaches the IRS after its transport
 *    time, finds the interrupt's state in the cache (gicv5_ist_hit) or reads it from memory
 *    (gicv5_ist_read), and then takes effect;
 *  - the selection of each PE's (and each vPE's) highest-priority pending interrupt among the
 *    enabled, inactive ones routed to it (Q1 irs_recalc_hppi), forwarded to the CPU interface
 *    (gicv5_irs_to_cpuif) whenever it changes; 1-of-N routing (IRM=1) picks a PE whose CPU
 *    interface is enabled and whose IRS_PE_CR0.DPS is 0, round robin.
 * Acknowledge (CDIA's Activate: Active set, and Pending cleared for an Edge interrupt) is
 * applied atomically with the CPU interface's acknowledge; Deactivate comes as a request.
 * Register operations that have an IDLE bit take gicv5_irs_op; a write to a busy unit is
 * ignored and counted (the architecture leaves it UNPREDICTABLE; docs/gicv5.md). */
#include "gicv5_internal.h"

#include <stdlib.h>
#include <string.h>

#define IST_BASER_ADDR_MASK 0x00FFFFFFFFFFFFC0ull
#define SPI_VMR_VIRT (1ull << 63)
#define MIN_LPI_ID_BITS 5u

static gicsim_time_t now_of(const gicsim_gic *g)
{
    return engine_now(g->engine);
}

static bool irs_enabled(const gicsim_gic *g)
{
    return g->v5->irs.cr0 & GICSIM_GICV5_IRS_CR0_IRSEN;
}

/* The IRS's priority bits keep the top `priority_bits` bits of the 5-bit field. */
static uint32_t prio_mask(const gicsim_gic *g)
{
    return (0x1Fu << (5u - g->cfg.priority_bits)) & 0x1Fu;
}

/* ---- Routing ----------------------------------------------------------------------------- */

v5_dom *irs_vm_dom(gicsim_gic *g, uint32_t vm)
{
    v5_vm *m = vm < V5_VMS ? g->v5->irs.vm[vm] : NULL;
    return m && m->valid ? &m->dom : NULL;
}

v5_heap *irs_heap(gicsim_gic *g, v5_dom *d, uint32_t target)
{
    return d->virt ? &g->v5->irs.vm[d->vm]->vpe[target].cand : &g->v5->irs.pe[target];
}

static bool pe_eligible(const gicsim_gic *g, uint32_t pe)
{
    return (g->v5->cpu[pe].cr0 & GICSIM_GICV5_ICC_CR0_EN) && !g->v5->irs.pe_dps[pe];
}

/* The PE or vPE whose candidates `r` belongs to now, V5_NONE when it is not a candidate. */
static uint32_t route_for(gicsim_gic *g, v5_dom *d, const v5_irq *r)
{
    v5_irs *s = &g->v5->irs;
    unsigned type = r->key >> 24;
    if (!iste_candidate(r->iste) || !irs_enabled(g))
        return V5_NONE;
    if (d->virt) {
        v5_vm *m = s->vm[d->vm];
        uint32_t a = iste_iaffid(r->iste);
        if (!m || !m->valid || !d->ist[type == GICSIM_GICV5_LPI ? IST_LPI : IST_SPI].valid)
            return V5_NONE;
        return a < m->nvpes && m->vpe[a].valid ? a : V5_NONE;
    }
    if (type == GICSIM_GICV5_LPI && !d->ist[IST_LPI].valid)
        return V5_NONE;
    if ((r->iste & ISTE_IRM) && g->cfg.one_of_n) {
        if (r->route != V5_NONE && pe_eligible(g, r->route))
            return r->route;
        for (uint32_t k = 0; k < g->cfg.num_pes; k++) {
            uint32_t pe = (s->rr + k) % g->cfg.num_pes;
            if (pe_eligible(g, pe)) {
                s->rr = pe + 1u;
                return pe;
            }
        }
        return V5_NONE;
    }
    uint32_t a = iste_iaffid(r->iste);
    return a < g->cfg.num_pes ? a : V5_NONE;
}

/* Take `r` out of its heap and put it where it belongs now; false when nothing changed for
 * the targets (not a candidate before or after). Sets *from and *to. */
static void reroute(gicsim_gic *g, v5_dom *d, v5_irq *r, uint32_t *from, uint32_t *to)
{
    *from = r->hpos ? r->route : V5_NONE;
    if (r->hpos)
        v5_heap_remove(irs_heap(g, d, r->route), r);
    r->route = route_for(g, d, r);
    *to = r->route;
    if (r->route != V5_NONE)
        v5_heap_push(irs_heap(g, d, r->route), r);
}

bool irs_best(gicsim_gic *g, v5_dom *d, uint32_t target, uint32_t *intid, unsigned *prio)
{
    const v5_irq *r = v5_heap_top(irs_heap(g, d, target));
    if (!r)
        return false;
    *intid = GICSIM_GICV5_INTID(r->key >> 24, r->key);
    *prio = iste_prio(r->iste);
    return true;
}

/* The HPPI last sent to each PE and vPE: a message goes only when it changes. */
static uint64_t *sent_slot(gicsim_gic *g, v5_dom *d, uint32_t target)
{
    return d->virt ? &g->v5->irs.vm[d->vm]->vpe[target].cand.sent : &g->v5->irs.pe[target].sent;
}

void irs_target_changed(gicsim_gic *g, v5_dom *d, uint32_t target)
{
    uint32_t intid = V5_NONE;
    unsigned prio = V5_PRIO_IDLE;
    irs_best(g, d, target, &intid, &prio);
    if (d->virt) {
        v5_vpe *p = &g->v5->irs.vm[d->vm]->vpe[target];
        if (p->pe == V5_NONE) {
            virt_doorbell_check(g, d->vm, target);
            return;
        }
    }
    uint64_t *sent = sent_slot(g, d, target);
    uint64_t now = ((uint64_t)prio << 32) | intid;
    if (*sent == now)
        return;
    *sent = now;
    uint32_t pe = d->virt ? g->v5->irs.vm[d->vm]->vpe[target].pe : target;
    cpuif_v5_forward(g, pe, d->virt, intid);
}

/* ---- State changes ------------------------------------------------------------------------ */

static void write_through(gicsim_gic *g, const v5_irq *r)
{
    uint8_t b[4] = {(uint8_t)r->iste, (uint8_t)(r->iste >> 8), (uint8_t)(r->iste >> 16),
                    (uint8_t)(r->iste >> 24)};
    if (mem_write(g->mem, r->addr, b, sizeof b) == GICSIM_OK)
        g->v5->st.ist_writes++;
}

/* A cached record neither pending nor active leaves the cache. */
static void release(gicsim_gic *g, v5_dom *d, v5_irq *r)
{
    if (!r->addr || (r->iste & (ISTE_PENDING | ISTE_ACTIVE)))
        return;
    if (r->hpos)
        v5_heap_remove(irs_heap(g, d, r->route), r);
    v5_map_remove(&d->cache, r->key);
    free(r);
}

/* irs_commit; `write`: the change is the IRS's own, written through to memory (not the state
 * irs_found reads from it). */
static void commit(gicsim_gic *g, v5_dom *d, v5_irq *r, uint32_t old, bool by_ack, bool write)
{
    uint32_t from, to, now = r->iste;
    uint32_t intid = GICSIM_GICV5_INTID(r->key >> 24, r->key);
    reroute(g, d, r, &from, &to);
    uint32_t who = to != V5_NONE ? to : from != V5_NONE ? from : iste_iaffid(now);
    v5_account(g, d->virt, who, intid, old, now, by_ack);
    if (d->virt && !iste_counted(old) && iste_counted(now))
        gic_emit(g, GICSIM_GEV_VRAISE, d->vm, intid);
    if (write && r->addr && now != old)
        write_through(g, r);
    release(g, d, r);
    if (from != V5_NONE)
        irs_target_changed(g, d, from);
    if (to != V5_NONE && to != from)
        irs_target_changed(g, d, to);
}

void irs_commit(gicsim_gic *g, v5_dom *d, v5_irq *r, uint32_t old, bool by_ack)
{
    commit(g, d, r, old, by_ack, true);
}

/* The IRS owns an IST while it is valid and keeps memory up to date (write-through), so an
 * entry found pending in memory on a cache miss is state software put there: written behind
 * the IRS's back, or left in an IST that is made valid again (saved state restored, as when a
 * VM's ISTs move; docs/gicv5.md, "Assumptions"). It is an instance the IRS learns of now: it
 * is raised. */
void irs_found(gicsim_gic *g, v5_dom *d, v5_irq *r)
{
    commit(g, d, r, 0, false, false);
}

void irs_activate(gicsim_gic *g, v5_dom *d, v5_irq *r)
{
    uint32_t old = r->iste;
    GICSIM_INV(inv_v5_ack(g, GICSIM_GICV5_INTID(r->key >> 24, r->key), old));
    r->iste |= ISTE_ACTIVE;
    if (!(r->iste & ISTE_HM))
        r->iste &= ~ISTE_PENDING;
    irs_commit(g, d, r, old, true);
}

uint64_t irs_request_config(gicsim_gic *g, v5_dom *d, unsigned type, uint32_t id)
{
    v5_irq *r = v5_lookup(g, d, type, id);
    if (!r)
        return 1; /* F */
    uint32_t e = r->iste;
    uint64_t icsr = ((e & ISTE_ENABLE) ? 1u << 1 : 0) | ((e & ISTE_PENDING) ? 1u << 2 : 0) |
                    ((e & ISTE_IRM) ? 1u << 3 : 0) | ((e & ISTE_ACTIVE) ? 1u << 4 : 0) |
                    ((e & ISTE_HM) ? 1u << 5 : 0) | ((uint64_t)iste_prio(e) << 11) |
                    ((uint64_t)iste_iaffid(e) << 32);
    release(g, d, r);
    return icsr;
}

/* Apply request `op` to the record. */
static void apply(gicsim_gic *g, v5_dom *d, v5_irq *r, v5_op op, uint32_t val)
{
    uint32_t old = r->iste;
    uint32_t intid = GICSIM_GICV5_INTID(r->key >> 24, r->key);
    switch (op) {
    case V5_OP_PENDING:
        if (val == PEND_CLEAR) {
            r->iste &= ~ISTE_PENDING;
            break;
        }
        if (iste_counted(old)) {
            if (d->virt) {
                g->v5->st.vmerged++;
                gic_emit(g, GICSIM_GEV_VMERGE, d->vm, intid);
            } else {
                g->stats.merged++;
                gic_emit(g, GICSIM_GEV_MERGE, r->route, intid);
            }
        }
        r->iste |= ISTE_PENDING;
        if (val == PEND_LEVEL)
            r->iste |= ISTE_HM;
        else if (val == PEND_EDGE)
            r->iste &= ~ISTE_HM;
        break;
    case V5_OP_ENABLE:
        r->iste = val ? r->iste | ISTE_ENABLE : r->iste & ~ISTE_ENABLE;
        break;
    case V5_OP_PRIORITY:
        r->iste = (r->iste & ~(0x1Fu << 11)) | ((val & prio_mask(g)) << 11);
        break;
    case V5_OP_AFFINITY: {
        /* IRM is RES0 without 1-of-N (and for virtual interrupts, IDR0.VIRT_ONE_N=0). */
        bool irm = (val >> 16) & 1u && g->cfg.one_of_n && !d->virt;
        r->iste = (r->iste & ~(ISTE_IRM | (0xFFFFu << 16))) | (irm ? ISTE_IRM : 0) |
                  ((val & 0xFFFFu) << 16);
        break;
    }
    case V5_OP_HM:
        r->iste = val ? r->iste | ISTE_HM : r->iste & ~ISTE_HM;
        break;
    case V5_OP_DEACTIVATE:
        if (!(old & ISTE_ACTIVE)) {
            g->v5->st.commands_ignored++;
            break;
        }
        r->iste &= ~ISTE_ACTIVE;
        if (d->virt) {
            g->stats.v_deactivations++;
            gic_emit(g, GICSIM_GEV_VDEACTIVATE, iste_iaffid(old), intid);
        } else {
            g->stats.deactivations++;
            gic_emit(g, GICSIM_GEV_DEACTIVATE, iste_iaffid(old), intid);
        }
        break;
    default:
        break;
    }
    irs_commit(g, d, r, old, false);
}

/* Requests travel as one engine event: op[63:60] virt[59] vm[58:51] type[50:49] id[48:25]
 * val[24:0]. */
static uint64_t pack(v5_op op, bool virt, uint32_t vm, unsigned type, uint32_t id, uint32_t val)
{
    return ((uint64_t)op << 60) | ((uint64_t)virt << 59) | ((uint64_t)(vm & 0xFFu) << 51) |
           ((uint64_t)(type & 3u) << 49) | ((uint64_t)(id & 0xFFFFFFu) << 25) | (val & 0x1FFFFFFu);
}

static v5_dom *req_dom(gicsim_gic *g, uint64_t a)
{
    return ((a >> 59) & 1u) ? irs_vm_dom(g, (uint32_t)(a >> 51) & 0xFFu) : &g->v5->irs.phys;
}

static void apply_event(gicsim_engine *e, void *ctx, uint64_t a)
{
    (void)e;
    gicsim_gic *g = ctx;
    v5_dom *d = req_dom(g, a);
    unsigned type = (unsigned)(a >> 49) & 3u;
    uint32_t id = (uint32_t)(a >> 25) & 0xFFFFFFu;
    v5_irq *r = d ? v5_lookup(g, d, type, id) : NULL;
    if (!r) {
        g->v5->st.irs_dropped++;
        return;
    }
    apply(g, d, r, (v5_op)(a >> 60), (uint32_t)a & 0x1FFFFFFu);
}

/* Arrival: the lookup takes a cache hit, or an IST read (two with a two-level IST). */
static void arrive_event(gicsim_engine *e, void *ctx, uint64_t a)
{
    gicsim_gic *g = ctx;
    gic_v5 *v = g->v5;
    v5_dom *d = req_dom(g, a);
    unsigned type = (unsigned)(a >> 49) & 3u;
    uint32_t id = (uint32_t)(a >> 25) & 0xFFFFFFu;
    if (!d || (type != GICSIM_GICV5_LPI && type != GICSIM_GICV5_SPI)) {
        v->st.irs_dropped++;
        return;
    }
    gicsim_time_t cost;
    v5_irq *r = v5_cached(g, d, type, id);
    if (r)
        cost = r->addr ? v->t_ist_hit : 0;
    else if (!d->virt && type == GICSIM_GICV5_SPI)
        cost = 0; /* an SPI the IRS does not have: dropped at once */
    else
        cost = v->t_ist_read *
               (d->ist[type == GICSIM_GICV5_LPI ? IST_LPI : IST_SPI].two_level ? 2u : 1u);
    if (!cost) {
        apply_event(e, ctx, a);
        return;
    }
    gicsim_time_t when = now_of(g) + cost;
    if (when > v->irs.last_apply)
        v->irs.last_apply = when;
    g->stats.hop_events++;
    gicsim_engine_schedule_at(g->engine, when, apply_event, g, a, NULL);
}

void irs_request(gicsim_gic *g, gicsim_time_t delay, v5_op op, bool virt, uint32_t vm,
                 unsigned type, uint32_t id, uint32_t val)
{
    gic_v5 *v = g->v5;
    v->st.irs_requests++;
    uint64_t a = pack(op, virt, vm, type, id, val);
    if (!delay) {
        arrive_event(g->engine, g, a);
        return;
    }
    gicsim_time_t when = now_of(g) + delay;
    if (when > v->irs.last_apply)
        v->irs.last_apply = when;
    g->stats.hop_events++;
    gicsim_engine_schedule_at(g->engine, when, arrive_event, g, a, NULL);
}

/* ---- SPIs -------------------------------------------------------------------------------- */

/* A line change or a resample (R_HHKMN): SET_EDGE / SET_LEVEL while high, CLEAR when a level
 * SPI is low; an SPI handed to a VM drives that VM's virtual SPI of the same ID instead. */
static void spi_sample(gicsim_gic *g, v5_irq *s, bool rising)
{
    uint32_t id = s->key & 0xFFFFFFu;
    uint32_t pend;
    if (s->line)
        pend = s->tm_level ? PEND_LEVEL : PEND_EDGE;
    else if (s->tm_level)
        pend = PEND_CLEAR;
    else
        return;
    if (!s->tm_level && !rising)
        return;
    if (s->vmr & SPI_VMR_VIRT) {
        irs_request(g, 0, V5_OP_PENDING, true, (uint32_t)s->vmr & 0xFFFFu, GICSIM_GICV5_SPI, id,
                    pend);
        return;
    }
    apply(g, &g->v5->irs.phys, s, V5_OP_PENDING, pend);
}

void irs_spi_line(gicsim_gic *g, uint32_t id, bool level)
{
    v5_irq *s = &g->v5->irs.spi[id];
    if (s->line == level)
        return;
    s->line = level;
    spi_sample(g, s, level);
}

/* ---- Rebuild --------------------------------------------------------------------------- */

static void clear_heap(v5_heap *h)
{
    for (uint32_t i = 0; i < h->n; i++) {
        h->a[i]->hpos = 0;
        h->a[i]->route = V5_NONE;
    }
    h->n = 0;
}

static void reroute_quiet(gicsim_gic *g, v5_dom *d, v5_irq *r)
{
    uint32_t from, to;
    reroute(g, d, r, &from, &to);
}

void irs_rebuild(gicsim_gic *g)
{
    v5_irs *s = &g->v5->irs;
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        clear_heap(&s->pe[pe]);
    for (uint32_t i = 0; i < s->nspis; i++)
        reroute_quiet(g, &s->phys, &s->spi[i]);
    for (uint32_t i = 0; i < s->phys.cache.cap; i++)
        if (s->phys.cache.slot[i])
            reroute_quiet(g, &s->phys, s->phys.cache.slot[i]);
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        irs_target_changed(g, &s->phys, pe);
    for (uint32_t vm = 0; vm < V5_VMS; vm++) {
        v5_vm *m = s->vm[vm];
        if (!m || !m->valid)
            continue;
        for (uint32_t p = 0; p < m->nvpes; p++)
            clear_heap(&m->vpe[p].cand);
        for (uint32_t i = 0; i < m->dom.cache.cap; i++)
            if (m->dom.cache.slot[i])
                reroute_quiet(g, &m->dom, m->dom.cache.slot[i]);
        for (uint32_t p = 0; p < m->nvpes; p++)
            irs_target_changed(g, &m->dom, p);
    }
}

/* ---- Registers -------------------------------------------------------------------------- */

static bool busy(const gicsim_gic *g, unsigned unit)
{
    return now_of(g) < g->v5->irs.busy[unit];
}

static void start(gicsim_gic *g, unsigned unit)
{
    g->v5->irs.busy[unit] = now_of(g) + g->v5->t_irs_op;
}

static uint32_t idle_bit(const gicsim_gic *g, unsigned unit)
{
    return busy(g, unit) ? 0u : GICSIM_GICV5_IRS_IDLE;
}

static v5_irq *selected_spi(gicsim_gic *g)
{
    v5_irs *s = &g->v5->irs;
    return s->spi_selr < s->nspis ? &s->spi[s->spi_selr] : NULL;
}

static uint32_t idr(const gicsim_gic *g, uint32_t off)
{
    const v5_irs *s = &g->v5->irs;
    switch (off) {
    case GICSIM_GICV5_IRS_IDR0: /* INT_DOM 1 (NS), PA_RANGE 5 (48 bits), VIRT, ONE_N */
        return 1u | (5u << 2) | (1u << 6) | (g->cfg.one_of_n ? 1u << 7 : 0);
    case GICSIM_GICV5_IRS_IDR1: /* PE_CNT, IAFFID_BITS 16, PRI_BITS */
        return (g->cfg.num_pes & 0xFFFFu) | (15u << 16) | ((g->cfg.priority_bits - 1u) << 20);
    case GICSIM_GICV5_IRS_IDR2: /* ID_BITS, LPI, MIN_LPI_ID_BITS, IST_LEVELS, all L2 sizes */
        return g->cfg.lpi_id_bits | (1u << 5) | (MIN_LPI_ID_BITS << 6) | (1u << 10) | (7u << 11);
    case GICSIM_GICV5_IRS_IDR3: /* VM_ID_BITS - 1, VMT_LEVELS */
        return ((GICSIM_GICV5_VM_ID_BITS - 1u) << 5) | (1u << 10);
    case GICSIM_GICV5_IRS_IDR4: /* VPE_ID_BITS - 1 */
        return (GICSIM_GICV5_VPE_ID_BITS - 1u) << 6;
    case GICSIM_GICV5_IRS_IDR5:
    case GICSIM_GICV5_IRS_IDR6:
        return s->nspis;
    default: /* IDR7 (SPI_BASE 0), IIDR, AIDR */
        return 0;
    }
}

gicsim_status irs_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val)
{
    v5_irs *s = &g->v5->irs;
    unsigned half;
    *val = 0;
    if (reg64(off, size, GICSIM_GICV5_IRS_IST_BASER, &half)) {
        *val = half_read(s->ist_baser, half);
        return GICSIM_OK;
    }
    if (reg64(off, size, GICSIM_GICV5_IRS_SPI_VMR, &half)) {
        v5_irq *spi = selected_spi(g);
        *val = spi ? half_read(spi->vmr, half) : 0;
        return GICSIM_OK;
    }
    if (virt_irs_read(g, off, size, val))
        return GICSIM_OK;
    if (size != 4)
        goto raz;
    switch (off) {
    case GICSIM_GICV5_IRS_IDR0:
    case GICSIM_GICV5_IRS_IDR1:
    case GICSIM_GICV5_IRS_IDR2:
    case GICSIM_GICV5_IRS_IDR3:
    case GICSIM_GICV5_IRS_IDR4:
    case GICSIM_GICV5_IRS_IDR5:
    case GICSIM_GICV5_IRS_IDR6:
    case GICSIM_GICV5_IRS_IDR7:
    case GICSIM_GICV5_IRS_IIDR:
    case GICSIM_GICV5_IRS_AIDR:
        *val = idr(g, off);
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_CR0:
        *val = (s->cr0 & GICSIM_GICV5_IRS_CR0_IRSEN) | (idle_bit(g, U_CR0) << 1);
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_CR1:
        *val = s->cr1;
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_SYNC_STATUSR:
        *val = idle_bit(g, U_SYNC);
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_SPI_SELR:
        *val = s->spi_selr;
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_SPI_CFGR: {
        v5_irq *spi = selected_spi(g);
        *val = spi && spi->tm_level ? 1u : 0u;
        return GICSIM_OK;
    }
    case GICSIM_GICV5_IRS_SPI_STATUSR:
        *val = idle_bit(g, U_SPI) | (selected_spi(g) ? GICSIM_GICV5_IRS_V : 0u);
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_PE_SELR:
        *val = s->pe_selr;
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_PE_STATUSR: {
        bool v = s->pe_selr < g->cfg.num_pes;
        *val = idle_bit(g, U_PE) | (v ? GICSIM_GICV5_IRS_V | 4u : 0u);
        return GICSIM_OK;
    }
    case GICSIM_GICV5_IRS_PE_CR0:
        *val = s->pe_selr < g->cfg.num_pes && s->pe_dps[s->pe_selr];
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_IST_CFGR:
        *val = s->ist_cfgr;
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_IST_STATUSR:
        *val = idle_bit(g, U_IST);
        return GICSIM_OK;
    case GICSIM_GICV5_IRS_SYNCR:
    case GICSIM_GICV5_IRS_SPI_RESAMPLER:
    case GICSIM_GICV5_IRS_MAP_L2_ISTR:
        g->stats.ignored_ops++; /* write-only */
        return GICSIM_OK;
    default:
        break;
    }
raz:
    g->stats.raz_wi_reads++;
    return GICSIM_OK;
}

/* A unit busy with the previous operation ignores the write. */
static bool accept(gicsim_gic *g, unsigned unit)
{
    if (!busy(g, unit))
        return true;
    g->v5->st.irs_busy_writes++;
    return false;
}

static void ist_baser_write(gicsim_gic *g, uint64_t v)
{
    v5_irs *s = &g->v5->irs;
    bool was = s->ist_baser & GICSIM_GICV5_IST_BASER_VALID;
    if (was) {
        /* While VALID, ADDR is read-only: only clearing VALID is a write (Q1). */
        if (v & GICSIM_GICV5_IST_BASER_VALID) {
            g->stats.raz_wi_writes++;
            return;
        }
        s->ist_baser &= ~GICSIM_GICV5_IST_BASER_VALID;
        s->phys.ist[IST_LPI].valid = false;
        v5_dom_drop_ist(g, &s->phys, IST_LPI);
    } else {
        s->ist_baser = v & (IST_BASER_ADDR_MASK | GICSIM_GICV5_IST_BASER_VALID);
        if (!(v & GICSIM_GICV5_IST_BASER_VALID))
            return;
        uint32_t c = s->ist_cfgr;
        v5_ist_config(&s->phys.ist[IST_LPI], s->ist_baser & IST_BASER_ADDR_MASK, c & 0x1Fu,
                      (c >> 7) & 3u, (c >> 5) & 3u, (c & GICSIM_GICV5_IST_CFGR_TWO_LEVEL) != 0,
                      MIN_LPI_ID_BITS, g->cfg.lpi_id_bits);
    }
    start(g, U_IST);
    irs_rebuild(g);
}

static void write32(gicsim_gic *g, uint32_t off, uint32_t v)
{
    v5_irs *s = &g->v5->irs;
    switch (off) {
    case GICSIM_GICV5_IRS_CR0:
        if (!accept(g, U_CR0))
            return;
        if ((s->cr0 ^ v) & GICSIM_GICV5_IRS_CR0_IRSEN) {
            s->cr0 = v & GICSIM_GICV5_IRS_CR0_IRSEN;
            start(g, U_CR0);
            irs_rebuild(g);
        }
        return;
    case GICSIM_GICV5_IRS_CR1:
        s->cr1 = v & 0xFFFFu;
        return;
    case GICSIM_GICV5_IRS_SYNCR:
        if (!(v & (1u << 31)) || !accept(g, U_SYNC))
            return;
        start(g, U_SYNC);
        if (s->last_apply > s->busy[U_SYNC])
            s->busy[U_SYNC] = s->last_apply;
        return;
    case GICSIM_GICV5_IRS_SPI_SELR:
        if (accept(g, U_SPI)) {
            s->spi_selr = v & 0xFFFFFFu;
            start(g, U_SPI);
        }
        return;
    case GICSIM_GICV5_IRS_SPI_CFGR: {
        v5_irq *spi = selected_spi(g);
        if (!accept(g, U_SPI))
            return;
        if (!spi) {
            g->stats.raz_wi_writes++;
            return;
        }
        spi->tm_level = v & 1u;
        start(g, U_SPI);
        return;
    }
    case GICSIM_GICV5_IRS_SPI_RESAMPLER:
        if (!accept(g, U_SPI))
            return;
        if ((v & 0xFFFFFFu) >= s->nspis) {
            g->stats.raz_wi_writes++;
            return;
        }
        start(g, U_SPI);
        spi_sample(g, &s->spi[v & 0xFFFFFFu], true);
        return;
    case GICSIM_GICV5_IRS_PE_SELR:
        if (accept(g, U_PE)) {
            s->pe_selr = v & 0xFFFFu;
            start(g, U_PE);
        }
        return;
    case GICSIM_GICV5_IRS_PE_CR0:
        if (!accept(g, U_PE))
            return;
        if (s->pe_selr >= g->cfg.num_pes) {
            g->stats.raz_wi_writes++;
            return;
        }
        s->pe_dps[s->pe_selr] = v & 1u;
        start(g, U_PE);
        if (g->cfg.one_of_n)
            irs_rebuild(g); /* 1-of-N picks among the PEs with DPS 0 */
        return;
    case GICSIM_GICV5_IRS_IST_CFGR:
        if (s->ist_baser & GICSIM_GICV5_IST_BASER_VALID) {
            g->stats.raz_wi_writes++; /* read-only while the IST is valid */
            return;
        }
        s->ist_cfgr = v & (0x1FFu | GICSIM_GICV5_IST_CFGR_TWO_LEVEL);
        return;
    case GICSIM_GICV5_IRS_MAP_L2_ISTR: {
        const v5_ist *ist = &s->phys.ist[IST_LPI];
        uint32_t id = v & 0xFFFFFFu;
        if (!accept(g, U_IST))
            return;
        if (!ist->valid || !ist->two_level || id >= (1u << ist->id_bits)) {
            g->stats.raz_wi_writes++; /* WI without a valid two-level IST */
            return;
        }
        v5_ist_map_l2(g, ist, id);
        start(g, U_IST);
        return;
    }
    default:
        g->stats.raz_wi_writes++;
        return;
    }
}

gicsim_status irs_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    v5_irs *s = &g->v5->irs;
    unsigned half;
    if (reg64(off, size, GICSIM_GICV5_IRS_IST_BASER, &half)) {
        if (s->ist_baser & GICSIM_GICV5_IST_BASER_VALID && half == 1) {
            g->stats.raz_wi_writes++;
            return GICSIM_OK;
        }
        if (accept(g, U_IST))
            ist_baser_write(g, half_merge(s->ist_baser, val, half));
        return GICSIM_OK;
    }
    if (reg64(off, size, GICSIM_GICV5_IRS_SPI_VMR, &half)) {
        v5_irq *spi = selected_spi(g);
        if (!accept(g, U_SPI))
            return GICSIM_OK;
        if (!spi) {
            g->stats.raz_wi_writes++;
            return GICSIM_OK;
        }
        spi->vmr = half_merge(spi->vmr, val, half) & (SPI_VMR_VIRT | 0xFFFFu);
        start(g, U_SPI);
        return GICSIM_OK;
    }
    if (virt_irs_write(g, off, size, val))
        return GICSIM_OK;
    if (size != 4) {
        g->stats.raz_wi_writes++;
        return GICSIM_OK;
    }
    write32(g, off, (uint32_t)val);
    return GICSIM_OK;
}

/* ---- Life cycle ---------------------------------------------------------------------------- */

gicsim_status irs_init(gicsim_gic *g)
{
    v5_irs *s = &g->v5->irs;
    s->nspis = g->cfg.num_spis;
    s->spi = calloc(s->nspis ? s->nspis : 1u, sizeof *s->spi);
    s->pe = calloc(g->cfg.num_pes, sizeof *s->pe);
    s->pe_dps = calloc(g->cfg.num_pes, sizeof *s->pe_dps);
    if (!s->spi || !s->pe || !s->pe_dps)
        return GICSIM_E_NOMEM;
    for (uint32_t i = 0; i < s->nspis; i++) {
        s->spi[i].key = v5_key(GICSIM_GICV5_SPI, i);
        s->spi[i].route = V5_NONE;
        /* reset: priority 0, targeted at IAFFID 0, disabled, edge */
    }
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        s->pe[pe].sent = ((uint64_t)V5_PRIO_IDLE << 32) | V5_NONE;
    s->phys.virt = false;
    return v5_map_init(&s->phys.cache);
}

void irs_free(gicsim_gic *g)
{
    v5_irs *s = &g->v5->irs;
    if (s->pe)
        for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
            v5_heap_free(&s->pe[pe]);
    free(s->pe);
    free(s->pe_dps);
    free(s->spi);
    v5_dom_free(&s->phys);
}
