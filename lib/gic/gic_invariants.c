/* gicsim: the invariant checker of the GIC (see <gicsim/invariants.h> and
 * docs/invariants.md; the hooks are the GICSIM_INV(...) statements of irq.c,
 * cpu_interface.c, vcpu_interface.c, vlpi.c and gic.c; the engine's own
 * checks are in engine/invariants.h).
 *
 * GIC state the checker keeps on its own, to compare the model with:
 *  - the number of outstanding LPI instances (the recount of the accounting
 *    walks the SGIs, PPIs and SPIs; LPIs live in lpi.c's tables);
 *  - per PE and per CPU interface (physical, virtual), the active priorities
 *    of the interrupts acknowledged and not yet priority-dropped, and those
 *    software wrote into the active-priority registers directly (a
 *    hypervisor restoring a vCPU's context, a test). An acknowledge adds its
 *    group priority, which must be strictly higher than every one held
 *    (preemption); an EOI removes the highest of its group; a register write
 *    re-reads the registers. After each, the registers must hold exactly
 *    these priorities and the running priority must be the highest of them.
 *
 * Only the report queries are compiled without GICSIM_INVARIANTS. */
#include "gic_internal.h"
#include "gic_invariants.h"
#include "gicv5_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- GIC state -------------------------------------------------------------------------- */

typedef struct inv_pe {
    inv_ap acked[2]; /* [0] physical, [1] virtual CPU interface */
    inv_ap sw[2];
} inv_pe;

struct gic_inv {
    gicsim_invariant_report rep;
    int64_t lpis_outstanding; /* LPI instances outstanding (counted) */
    inv_pe *pe;               /* [num_pes] */
};

gicsim_invariant_report *inv_gic_report(const gicsim_gic *g)
{
    return g && g->inv ? &g->inv->rep : NULL;
}

void gicsim_gic_invariants(const gicsim_gic *g, gicsim_invariant_report *out)
{
    if (!out)
        return;
    inv_report_reset(out);
    const gicsim_invariant_report *r = inv_gic_report(g);
    if (r)
        *out = *r;
}

unsigned inv_ap_regs(const gicsim_gic *g)
{
    return g->prebits <= 5 ? 1u : 1u << (g->prebits - 5);
}

unsigned inv_ap_running(const gicsim_gic *g, const inv_ap *a)
{
    for (unsigned r = 0; r < inv_ap_regs(g); r++) {
        uint32_t w = a->r[0][r] | a->r[1][r];
        if (w)
            return ((r * 32u + (unsigned)__builtin_ctz(w)) << (8 - g->prebits)) & 0xFFu;
    }
    return 0xFF;
}

#if GICSIM_INV_ENABLED

static inline bool counted(uint8_t f)
{
    return (f & IRQF_LATCH) || (!(f & (IRQF_EDGE | IRQF_ACTIVE)) && (f & IRQF_LINE));
}

static gicsim_time_t now_of(const gicsim_gic *g)
{
    return gicsim_engine_now(g->engine);
}

gicsim_status inv_gic_init(gicsim_gic *g)
{
    g->inv = calloc(1, sizeof *g->inv);
    if (!g->inv)
        return GICSIM_E_NOMEM;
    inv_report_reset(&g->inv->rep);
    g->inv->pe = calloc(g->cfg.num_pes, sizeof *g->inv->pe);
    return g->inv->pe ? GICSIM_OK : GICSIM_E_NOMEM;
}

void inv_gic_free(gicsim_gic *g)
{
    if (!g->inv)
        return;
    free(g->inv->pe);
    free(g->inv);
    g->inv = NULL;
}

static void check_accounting(gicsim_gic *g, const char *where, uint32_t intid)
{
    const gicsim_gic_stats *st = &g->stats;
    g->inv->rep.checks++;
    if (st->pending_now > st->raised ||
        st->raised != st->acknowledged + st->withdrawn + st->pending_now)
        inv_fail(&g->inv->rep, now_of(g), where,
                 "INTID %u: raised %llu != acknowledged %llu + withdrawn %llu + pending %llu",
                 intid, (unsigned long long)st->raised, (unsigned long long)st->acknowledged,
                 (unsigned long long)st->withdrawn, (unsigned long long)st->pending_now);
}

void inv_gic_commit(gicsim_gic *g, const gic_irq *irq, uint8_t old)
{
    if (!g->inv)
        return;
    if (irq->intid >= GICSIM_LPI_BASE)
        g->inv->lpis_outstanding += (int)counted(irq->flags) - (int)counted(old);
    check_accounting(g, "irq.c:irq_commit", irq->intid);
}

void inv_gic_ack(gicsim_gic *g, const gic_irq *irq, uint8_t old)
{
    if (!g->inv)
        return;
    g->inv->rep.checks++;
    if (!irq_pending(old) || (old & IRQF_ACTIVE))
        inv_fail(&g->inv->rep, now_of(g), "irq.c:irq_acknowledge",
                 "INTID %u acknowledged while %s (delivered twice)", irq->intid,
                 (old & IRQF_ACTIVE) ? "active" : "not pending");
}

/* The active-priority registers of `pe`'s physical (which 0) or virtual
 * (which 1) CPU interface. */
static void model_ap(gicsim_gic *g, uint32_t pe, unsigned which, inv_ap *out)
{
    memset(out, 0, sizeof *out);
    for (unsigned n = 0; n < inv_ap_regs(g); n++) {
        for (unsigned grp = 0; grp < 2; grp++) {
            if (!which) {
                out->r[grp][n] = g->cpu[pe].ap[grp][n];
            } else {
                uint64_t v = 0;
                gicsim_ich_read(
                    g, pe, (gicsim_ich_reg)((grp ? GICSIM_ICH_AP1R0 : GICSIM_ICH_AP0R0) + n), &v);
                out->r[grp][n] = (uint32_t)v;
            }
        }
    }
}

static unsigned model_rpr(gicsim_gic *g, uint32_t pe, unsigned which)
{
    uint64_t v = 0;
    if (!which)
        icc_read(g, pe, GICSIM_ICC_RPR, &v);
    else
        gicsim_icv_read(g, pe, GICSIM_ICC_RPR, &v);
    return (unsigned)v;
}

static void expected_ap(const inv_pe *p, unsigned which, inv_ap *out)
{
    for (unsigned grp = 0; grp < 2; grp++)
        for (unsigned n = 0; n < 4; n++)
            out->r[grp][n] = p->acked[which].r[grp][n] | p->sw[which].r[grp][n];
}

/* Take the model's registers as the truth from now on (after a software
 * write, or after a mismatch has been reported once). */
static void resync(gicsim_gic *g, uint32_t pe, unsigned which)
{
    inv_pe *p = &g->inv->pe[pe];
    inv_ap m;
    model_ap(g, pe, which, &m);
    for (unsigned grp = 0; grp < 2; grp++) {
        for (unsigned n = 0; n < 4; n++) {
            p->acked[which].r[grp][n] &= m.r[grp][n];
            p->sw[which].r[grp][n] = m.r[grp][n] & ~p->acked[which].r[grp][n];
        }
    }
}

static const char *const ap_names[2][2] = {{"ICC_AP0R", "ICC_AP1R"}, {"ICH_AP0R", "ICH_AP1R"}};

/* (c): the registers hold the expected active priorities, and the running
 * priority is the highest of them. */
static void ap_compare(gicsim_gic *g, uint32_t pe, unsigned which, const char *where)
{
    gicsim_invariant_report *rep = &g->inv->rep;
    inv_ap m, x;
    model_ap(g, pe, which, &m);
    expected_ap(&g->inv->pe[pe], which, &x);
    rep->checks++;
    for (unsigned n = 0; n < inv_ap_regs(g); n++) {
        for (unsigned grp = 0; grp < 2; grp++) {
            if (m.r[grp][n] != x.r[grp][n]) {
                inv_fail(rep, now_of(g), where,
                         "PE %u: %s%u = 0x%08x, but the active priorities of interrupts "
                         "acknowledged and not dropped are 0x%08x",
                         pe, ap_names[which][grp], n, m.r[grp][n], x.r[grp][n]);
                resync(g, pe, which);
                return;
            }
        }
    }
    unsigned rpr = model_rpr(g, pe, which), want = inv_ap_running(g, &x);
    if (rpr != want)
        inv_fail(rep, now_of(g), where,
                 "PE %u: %s running priority 0x%02x, highest active priority 0x%02x", pe,
                 which ? "virtual" : "physical", rpr, want);
}

/* Lowest set index (highest priority) of `a` in group `grp` (both when grp
 * is 2); 128 when none. */
static unsigned lowest(const gicsim_gic *g, const inv_ap *a, unsigned grp)
{
    for (unsigned n = 0; n < inv_ap_regs(g); n++) {
        uint32_t w = grp == 2 ? a->r[0][n] | a->r[1][n] : a->r[grp][n];
        if (w)
            return n * 32u + (unsigned)__builtin_ctz(w);
    }
    return 128;
}

static void on_ack(gicsim_gic *g, uint32_t pe, unsigned which, unsigned grp, unsigned idx,
                   const char *where)
{
    if (!g->inv)
        return;
    inv_pe *p = &g->inv->pe[pe];
    inv_ap x;
    expected_ap(p, which, &x);
    unsigned top = lowest(g, &x, 2);
    g->inv->rep.checks++;
    if (idx >= top)
        inv_fail(&g->inv->rep, now_of(g), where,
                 "PE %u: acknowledge at %s group priority 0x%02x, not higher than the running "
                 "priority 0x%02x",
                 pe, which ? "virtual" : "physical", (idx << (8 - g->prebits)) & 0xFFu,
                 (top << (8 - g->prebits)) & 0xFFu);
    p->acked[which].r[grp][idx / 32u] |= 1u << (idx % 32u);
    p->sw[which].r[grp][idx / 32u] &= ~(1u << (idx % 32u));
    ap_compare(g, pe, which, where);
}

static void on_drop(gicsim_gic *g, uint32_t pe, unsigned which, unsigned grp, const char *where)
{
    if (!g->inv)
        return;
    inv_pe *p = &g->inv->pe[pe];
    inv_ap x;
    expected_ap(p, which, &x);
    unsigned idx = lowest(g, &x, grp);
    if (idx < 128) {
        p->acked[which].r[grp][idx / 32u] &= ~(1u << (idx % 32u));
        p->sw[which].r[grp][idx / 32u] &= ~(1u << (idx % 32u));
    }
    ap_compare(g, pe, which, where);
}

void inv_icc_ack(gicsim_gic *g, uint32_t pe, unsigned grp, unsigned idx)
{
    on_ack(g, pe, 0, grp, idx, "cpu_interface.c:acknowledge");
}

void inv_icc_drop(gicsim_gic *g, uint32_t pe, unsigned grp)
{
    on_drop(g, pe, 0, grp, "cpu_interface.c:end_of_interrupt");
}

void inv_icc_apr_write(gicsim_gic *g, uint32_t pe)
{
    if (!g->inv)
        return;
    resync(g, pe, 0);
    ap_compare(g, pe, 0, "cpu_interface.c:icc_write");
}

void inv_icv_ack(gicsim_gic *g, uint32_t pe, unsigned grp, unsigned idx)
{
    on_ack(g, pe, 1, grp, idx, "vcpu_interface.c:acknowledge");
}

void inv_icv_drop(gicsim_gic *g, uint32_t pe, unsigned grp)
{
    on_drop(g, pe, 1, grp, "vcpu_interface.c:end_of_interrupt");
}

void inv_icv_apr_write(gicsim_gic *g, uint32_t pe)
{
    if (!g->inv)
        return;
    resync(g, pe, 1);
    ap_compare(g, pe, 1, "vcpu_interface.c:ap_write");
}

void inv_gic_full(gicsim_gic *g, const char *where)
{
    if (!g || !g->inv)
        return;
    if (g->v5) {
        inv_v5_full(g, where); /* gicv5_invariants.c */
        return;
    }
    /* (a) The accounting against the state: every outstanding instance is an
     * interrupt whose pending latch is set, or whose level line is high while
     * it is not active. */
    int64_t n = g->inv->lpis_outstanding;
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        for (uint32_t i = 0; i < 32; i++)
            n += counted(g->rd[pe].banked[i].flags);
    for (uint32_t i = 0; i < g->num_spis; i++)
        n += counted(g->spis[i].flags);
    g->inv->rep.checks++;
    if (n < 0 || (uint64_t)n != g->stats.pending_now)
        inv_fail(&g->inv->rep, now_of(g), where,
                 "pending_now %llu, but %lld interrupt instances are outstanding",
                 (unsigned long long)g->stats.pending_now, (long long)n);
    check_accounting(g, where, GICSIM_INTID_SPURIOUS);
    /* (c) Every CPU interface. */
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++) {
        ap_compare(g, pe, 0, where);
        ap_compare(g, pe, 1, where);
    }
}

#endif /* GICSIM_INV_ENABLED */

gicsim_status gicsim_gic_check_invariants(gicsim_gic *g, char *msg, size_t len)
{
    if (msg && len)
        msg[0] = '\0';
    if (!g)
        return GICSIM_E_INVAL;
    GICSIM_INV(inv_gic_full(g, "gicsim_gic_check_invariants"));
    gicsim_invariant_report r, e;
    gicsim_gic_invariants(g, &r);
    gicsim_engine_invariants(g->engine, &e);
    inv_report_merge(&r, &e);
    return inv_report_status(&r, msg, len);
}
