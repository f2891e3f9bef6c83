/* gicsim: the invariant checks of the GICv5 model (docs/invariants.md, "GICv5"; the hooks are
 * the GICSIM_INV(...) statements of gicv5*.c). Failures go to the GIC's report
 * (gicsim_gic_invariants), so gicsim_gic_check_invariants covers a GICv5 too.
 *
 *  (a) accounting, after every change: raised == acknowledged + withdrawn + pending_now
 *      (gicsim_gic_stats) and vraised == vacknowledged + vwithdrawn + vpending_now;
 *  (b) an acknowledge takes a pending, inactive interrupt;
 *  (c) the active priorities of each CPU interface (physical and virtual): an acknowledge adds
 *      a priority strictly higher than every active one, a priority drop removes the highest,
 *      a software write re-reads the register; the register must always hold exactly these;
 *  full checks (gicsim_gic_check_invariants):
 *  (d) recount: pending_now equals the outstanding instances among the PPIs, SPIs and cached
 *      LPIs (every pending interrupt is cached), vpending_now among the VMs' cached records;
 *  (e) candidate sets: a record is in a heap exactly when it is routed, the heap holds it where
 *      it says, holds only candidates, and keeps the heap order;
 *  (f) residency: a vPE resident on a PE is the one that PE's interface has resident, and the
 *      reverse. */
#include "gic_invariants.h"
#include "gicv5_internal.h"

#include <stdlib.h>

struct v5_inv {
    uint32_t *apr; /* [num_pes * 2]: the expected active priorities, physical then virtual */
};

gicsim_status inv_v5_init(gicsim_gic *g)
{
    struct v5_inv *iv = calloc(1, sizeof *iv);
    if (!iv)
        return GICSIM_E_NOMEM;
    g->v5->inv = iv;
    iv->apr = calloc((size_t)g->cfg.num_pes * 2u, sizeof *iv->apr);
    return iv->apr ? GICSIM_OK : GICSIM_E_NOMEM;
}

void inv_v5_free(gicsim_gic *g)
{
    struct v5_inv *iv = g->v5->inv;
    if (!iv)
        return;
    free(iv->apr);
    free(iv);
    g->v5->inv = NULL;
}

#if GICSIM_INV_ENABLED

static gicsim_time_t now_of(const gicsim_gic *g)
{
    return engine_now(g->engine);
}

static bool on(const gicsim_gic *g)
{
    return g->v5 && g->v5->inv && inv_gic_report(g);
}

static void identities(gicsim_gic *g, const char *where, uint32_t intid)
{
    gicsim_invariant_report *rep = inv_gic_report(g);
    const gicsim_gic_stats *s = &g->stats;
    const gicsim_gicv5_stats *v = &g->v5->st;
    rep->checks++;
    if (s->pending_now > s->raised || s->raised != s->acknowledged + s->withdrawn + s->pending_now)
        inv_fail(rep, now_of(g), where,
                 "INTID 0x%08x: raised %llu != acknowledged %llu + withdrawn %llu + pending %llu",
                 intid, (unsigned long long)s->raised, (unsigned long long)s->acknowledged,
                 (unsigned long long)s->withdrawn, (unsigned long long)s->pending_now);
    if (v->vpending_now > v->vraised ||
        v->vraised != v->vacknowledged + v->vwithdrawn + v->vpending_now)
        inv_fail(rep, now_of(g), where,
                 "vINTID 0x%08x: vraised %llu != vacknowledged %llu + vwithdrawn %llu + "
                 "vpending %llu",
                 intid, (unsigned long long)v->vraised, (unsigned long long)v->vacknowledged,
                 (unsigned long long)v->vwithdrawn, (unsigned long long)v->vpending_now);
}

void inv_v5_account(gicsim_gic *g, uint32_t intid)
{
    if (on(g))
        identities(g, "gicv5.c:v5_account", intid);
}

void inv_v5_ack(gicsim_gic *g, uint32_t intid, uint32_t old)
{
    if (!on(g))
        return;
    gicsim_invariant_report *rep = inv_gic_report(g);
    rep->checks++;
    if (!(old & ISTE_PENDING) || (old & ISTE_ACTIVE))
        inv_fail(rep, now_of(g), "gicv5: acknowledge",
                 "INTID 0x%08x acknowledged while %s (delivered twice)", intid,
                 (old & ISTE_ACTIVE) ? "active" : "not pending");
}

static uint32_t apr_reg(const gicsim_gic *g, uint32_t pe, bool virt)
{
    const v5_cpu *c = &g->v5->cpu[pe];
    return virt ? (uint32_t)c->vapr : c->apr;
}

void inv_v5_apr(gicsim_gic *g, uint32_t pe, bool virt, int event, unsigned prio)
{
    if (!on(g))
        return;
    gicsim_invariant_report *rep = inv_gic_report(g);
    uint32_t *x = &g->v5->inv->apr[pe * 2u + virt];
    const char *where = virt ? "gicv5_virt.c: virtual APR" : "gicv5_cpuif.c: APR";
    rep->checks++;
    switch (event) {
    case INV_APR_ACK:
        if (*x && prio >= (unsigned)__builtin_ctz(*x))
            inv_fail(rep, now_of(g), where,
                     "PE %u: acknowledge at priority %u, not higher than the running priority %u",
                     pe, prio, (unsigned)__builtin_ctz(*x));
        *x |= 1u << prio;
        break;
    case INV_APR_DROP:
        *x &= *x - 1u;
        break;
    default:
        *x = apr_reg(g, pe, virt);
        break;
    }
    if (apr_reg(g, pe, virt) != *x) {
        inv_fail(rep, now_of(g), where, "PE %u: APR 0x%08x, but the active priorities are 0x%08x",
                 pe, apr_reg(g, pe, virt), *x);
        *x = apr_reg(g, pe, virt);
    }
}

/* (e) for one record. */
static void check_record(gicsim_gic *g, v5_dom *d, const v5_irq *r, const char *where)
{
    gicsim_invariant_report *rep = inv_gic_report(g);
    rep->checks++;
    bool routed = r->route != V5_NONE;
    if (routed != (r->hpos != 0) || (routed && !iste_candidate(r->iste))) {
        inv_fail(rep, now_of(g), where,
                 "%s 0x%06x: route %u, heap position %u, state 0x%08x (a candidate is in "
                 "exactly one heap)",
                 d->virt ? "vINTID" : "INTID", r->key, r->route, r->hpos, r->iste);
        return;
    }
    if (!routed)
        return;
    const v5_heap *h = irs_heap(g, d, r->route);
    uint32_t i = r->hpos - 1u;
    if (i >= h->n || h->a[i] != r)
        inv_fail(rep, now_of(g), where, "INTID key 0x%08x not at its heap position %u", r->key,
                 r->hpos);
    else if (i && iste_prio(h->a[(i - 1u) / 2u]->iste) > iste_prio(r->iste))
        inv_fail(rep, now_of(g), where, "candidate heap of %u out of order at 0x%08x", r->route,
                 r->key);
}

static int64_t check_dom(gicsim_gic *g, v5_dom *d, const char *where)
{
    int64_t n = 0;
    for (uint32_t i = 0; i < d->cache.cap; i++) {
        const v5_irq *r = d->cache.slot[i];
        if (!r)
            continue;
        n += iste_counted(r->iste);
        check_record(g, d, r, where);
    }
    return n;
}

void inv_v5_full(gicsim_gic *g, const char *where)
{
    if (!on(g))
        return;
    gicsim_invariant_report *rep = inv_gic_report(g);
    gic_v5 *v = g->v5;
    /* (d), (e) physical */
    int64_t n = check_dom(g, &v->irs.phys, where);
    for (uint32_t i = 0; i < v->irs.nspis; i++) {
        n += iste_counted(v->irs.spi[i].iste);
        check_record(g, &v->irs.phys, &v->irs.spi[i], where);
    }
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        for (uint32_t id = 0; id < GICSIM_GICV5_PPIS; id++)
            n += iste_counted(cpuif_v5_ppi_state(g, pe, id));
    rep->checks++;
    if (n < 0 || (uint64_t)n != g->stats.pending_now)
        inv_fail(rep, now_of(g), where, "pending_now %llu, but %lld instances are outstanding",
                 (unsigned long long)g->stats.pending_now, (long long)n);
    /* (d), (e), (f) virtual */
    int64_t vn = 0;
    for (uint32_t vm = 0; vm < V5_VMS; vm++) {
        v5_vm *m = v->irs.vm[vm];
        if (!m)
            continue;
        vn += check_dom(g, &m->dom, where);
        for (uint32_t p = 0; p < m->nvpes; p++) {
            uint32_t pe = m->vpe[p].pe;
            rep->checks++;
            if (pe != V5_NONE && (pe >= g->cfg.num_pes || !v->cpu[pe].resident ||
                                  v->cpu[pe].res_vm != vm || v->cpu[pe].res_vpe != p))
                inv_fail(rep, now_of(g), where,
                         "vPE %u of VM %u resident on PE %u, which has no such vPE resident", p, vm,
                         pe);
        }
    }
    rep->checks++;
    if (vn < 0 || (uint64_t)vn != v->st.vpending_now)
        inv_fail(rep, now_of(g), where, "vpending_now %llu, but %lld instances are outstanding",
                 (unsigned long long)v->st.vpending_now, (long long)vn);
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++) {
        const v5_cpu *c = &v->cpu[pe];
        rep->checks++;
        if (c->resident) {
            const v5_vm *m = v->irs.vm[c->res_vm];
            if (!m || c->res_vpe >= m->nvpes || m->vpe[c->res_vpe].pe != pe)
                inv_fail(rep, now_of(g), where,
                         "PE %u has vPE %u of VM %u resident, which the IRS does not", pe,
                         c->res_vpe, c->res_vm);
        }
        for (unsigned virt = 0; virt < 2; virt++) {
            rep->checks++;
            if (apr_reg(g, pe, virt) != v->inv->apr[pe * 2u + virt])
                inv_fail(rep, now_of(g), where, "PE %u: %s APR 0x%08x, expected 0x%08x", pe,
                         virt ? "virtual" : "physical", apr_reg(g, pe, virt),
                         v->inv->apr[pe * 2u + virt]);
        }
    }
    identities(g, where, 0);
}

#endif /* GICSIM_INV_ENABLED */
