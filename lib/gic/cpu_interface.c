/* gicsim: the physical CPU interfaces (ICC_*_EL1), one per PE.
 *
 * Architecture rules implemented here (GICv3 "Interrupt prioritization" and
 * the ICC_* register descriptions):
 *  - An interrupt is signalled only if its priority is higher (numerically
 *    lower) than ICC_PMR and its group priority is higher than the running
 *    priority. The group priority is the priority masked by the binary point
 *    of its group: Group 0 uses bits [7:BPR0+1]; Group 1 uses [7:BPR1], or
 *    BPR0's split when ICC_CTLR.CBPR=1.
 *  - Acknowledge (IAR0/IAR1) activates the interrupt and sets the bit of its
 *    group priority in ICC_AP0R/AP1R; the running priority (ICC_RPR) is the
 *    highest priority with an active-priority bit set, 0xFF when none.
 *  - EOIR drops the running priority (clears the highest-priority set bit of
 *    its group's active-priority registers). EOImode=0: EOIR also
 *    deactivates the INTID. EOImode=1: EOIR only drops priority; ICC_DIR
 *    deactivates. Writes of the special INTIDs 1020..1023 have no effect.
 *    LPIs have no active state: their EOIR is a priority drop only in both
 *    modes, and ICC_DIR of an LPI does nothing.
 *  - The minimum binary point is 7 - (preemption bits); writes below it set
 *    the minimum. One ICC_AP<n>R<m> register exists per 32 preemption levels.
 *  - Group 1 interrupts are signalled as IRQ, Group 0 as FIQ. The PE runs in
 *    Non-secure state: Secure Group 1 is enabled by EL3 firmware, which is not
 *    modelled, so G1S interrupts are never forwarded to the PE.
 */
#include "gic_internal.h"
#include "gic_invariants.h"

#define SPECIAL_INTID_FIRST 1020u

static inline unsigned ap_regs(const gicsim_gic *g)
{
    return g->prebits <= 5 ? 1u : 1u << (g->prebits - 5);
}

static inline unsigned ap_index(const gicsim_gic *g, uint8_t group_prio)
{
    return group_prio >> (8 - g->prebits);
}

void icc_init(gicsim_gic *g, uint32_t pe)
{
    gic_cpuif *c = &g->cpu[pe];
    c->pmr = 0; /* resets to 0: everything masked */
    c->bpr0 = g->min_bpr0;
    c->bpr1 = (uint8_t)(g->min_bpr0 + 1);
    c->fwd = GIC_NONE;
    c->signaled = GIC_NONE;
}

bool icc_group_enabled(const gicsim_gic *g, uint32_t pe, gic_group grp)
{
    switch (grp) {
    case GIC_G0:
        return g->cpu[pe].igrpen[0];
    case GIC_G1NS:
        return g->cpu[pe].igrpen[1];
    default:
        return false;
    }
}

static uint8_t group_mask(const gic_cpuif *c, gic_group grp)
{
    unsigned point = (grp == GIC_G0 || c->cbpr) ? c->bpr0 + 1u : c->bpr1;
    return (uint8_t)(0xFFu << point);
}

static unsigned running_priority(const gicsim_gic *g, const gic_cpuif *c)
{
    for (unsigned r = 0; r < ap_regs(g); r++) {
        uint32_t w = c->ap[0][r] | c->ap[1][r];
        if (w)
            return ((r * 32u + (unsigned)__builtin_ctz(w)) << (8 - g->prebits)) & 0xFFu;
    }
    return 0xFF;
}

static bool can_signal(const gicsim_gic *g, const gic_cpuif *c, uint8_t prio, gic_group grp)
{
    return prio < c->pmr && (unsigned)(prio & group_mask(c, grp)) < running_priority(g, c);
}

/* The interrupt the CPU interface holds: the last one its redistributor
 * presented, while it is still a candidate for this PE. Once it is not (it
 * was acknowledged, another PE took a 1-of-N SPI, the line dropped) the
 * presentation is discarded and the CPU interface has nothing until the
 * redistributor presents again, which every change of candidacy makes it
 * do. Keeping the stale INTID would let an interrupt that becomes pending
 * again (at deactivation, or a new edge) be signalled at once, without the
 * dist_to_redist and redist_to_cpuif hops every state change takes. */
static gic_irq *forwarded(gicsim_gic *g, uint32_t pe)
{
    gic_cpuif *c = &g->cpu[pe];
    if (c->fwd == GIC_NONE)
        return NULL;
    gic_irq *q = gic_irq_lookup(g, pe, c->fwd);
    if (!q || q->target != pe || !irq_is_candidate(g, q)) {
        c->fwd = GIC_NONE;
        return NULL;
    }
    return q;
}

void icc_evaluate(gicsim_gic *g, uint32_t pe)
{
    gic_cpuif *c = &g->cpu[pe];
    bool irq = false, fiq = false;
    gic_irq *q = forwarded(g, pe);
    if (q) {
        gic_group grp = irq_group(g, q);
        if (icc_group_enabled(g, pe, grp) && can_signal(g, c, q->prio, grp)) {
            irq = grp == GIC_G1NS;
            fiq = !irq;
        }
    }
    if (irq || fiq) {
        if (c->signaled != q->intid) {
            c->signaled = q->intid;
            g->stats.signals++;
            gic_emit(g, GICSIM_GEV_SIGNAL, pe, q->intid);
        }
    } else {
        c->signaled = GIC_NONE;
    }
    gic_set_lines(g, pe, irq, fiq);
}

static void forward_arrive(gicsim_engine *e, void *ctx, uint64_t arg)
{
    gicsim_gic *g = ctx;
    uint32_t pe = (uint32_t)(arg >> 32);
    gic_cpuif *c = &g->cpu[pe];
    if (c->msg_when == gicsim_engine_now(e))
        c->msg_id = 0;
    c->fwd = (uint32_t)arg;
    icc_evaluate(g, pe);
}

void icc_forward(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gic_cpuif *c = &g->cpu[pe];
    gicsim_time_t when = gicsim_engine_now(g->engine) + g->t_redist_to_cpuif;
    uint64_t arg = ((uint64_t)pe << 32) | intid;
    /* Messages arrive in order; a newer choice made at the same instant
     * supersedes the one already in flight for the same arrival time: that
     * message is updated in place (engine_requeue: the same as cancelling
     * it and sending the new one). */
    if (c->msg_id && c->msg_when == when) {
        if (engine_requeue(g->engine, c->msg_id, arg))
            return;
        gicsim_engine_cancel(g->engine, c->msg_id);
    } else {
        g->stats.hop_events++;
    }
    c->msg_when = when;
    gicsim_engine_schedule_at(g->engine, when, forward_arrive, g, arg, &c->msg_id);
}

static uint32_t acknowledge(gicsim_gic *g, uint32_t pe, gic_group want)
{
    gic_cpuif *c = &g->cpu[pe];
    gic_irq *q = forwarded(g, pe);
    if (q && irq_group(g, q) == want && icc_group_enabled(g, pe, want) &&
        can_signal(g, c, q->prio, want)) {
        unsigned idx = ap_index(g, q->prio & group_mask(c, want));
        c->ap[want == GIC_G0 ? 0 : 1][idx / 32u] |= 1u << (idx % 32u);
        GICSIM_INV(inv_icc_ack(g, pe, want == GIC_G0 ? 0 : 1, idx));
        irq_acknowledge(g, q);
        icc_evaluate(g, pe);
        return q->intid;
    }
    g->stats.spurious_acks++;
    return GICSIM_INTID_SPURIOUS;
}

static void end_of_interrupt(gicsim_gic *g, uint32_t pe, gic_group grp, uint32_t intid)
{
    gic_cpuif *c = &g->cpu[pe];
    bool lpi = intid >= GICSIM_LPI_BASE;
    gic_irq *q = intid < SPECIAL_INTID_FIRST || lpi ? gic_irq_lookup(g, pe, intid) : NULL;
    if (!q) {
        g->stats.ignored_ops++;
        return;
    }
    uint32_t *ap = c->ap[grp == GIC_G0 ? 0 : 1];
    unsigned r = 0;
    while (r < ap_regs(g) && !ap[r])
        r++;
    if (r == ap_regs(g)) { /* no active priority to drop */
        g->stats.ignored_ops++;
        return;
    }
    ap[r] &= ap[r] - 1u;
    GICSIM_INV(inv_icc_drop(g, pe, grp == GIC_G0 ? 0 : 1));
    g->stats.priority_drops++;
    gic_emit(g, GICSIM_GEV_PRIO_DROP, pe, intid);
    if (!c->eoimode && !lpi && !irq_deactivate(g, q))
        g->stats.ignored_ops++;
    icc_evaluate(g, pe);
}

static void deactivate(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gic_irq *q = intid < SPECIAL_INTID_FIRST ? gic_irq_lookup(g, pe, intid) : NULL;
    /* EOImode=0: a DIR write is UNPREDICTABLE; the model ignores it. */
    if (!g->cpu[pe].eoimode || !q || !irq_deactivate(g, q)) {
        g->stats.ignored_ops++;
        return;
    }
    icc_evaluate(g, pe);
}

static void sgi_arrive(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicr_receive_sgi(ctx, (uint32_t)(arg >> 8), (uint32_t)(arg >> 2) & 0xFu, (gic_group)(arg & 3u));
}

static void route_sgi(gicsim_gic *g, uint32_t target, uint32_t intid, gic_group grp)
{
    uint64_t arg = ((uint64_t)target << 8) | (intid << 2) | (uint64_t)grp;
    g->stats.hop_events++;
    gicsim_engine_schedule_in(g->engine, g->t_sgi_route, sgi_arrive, g, arg, NULL);
}

/* ICC_SGI0R/SGI1R/ASGI1R: TargetList[15:0], Aff1[23:16], INTID[27:24],
 * Aff2[39:32], IRM[40], RS[47:44], Aff3[55:48]. IRM=1 targets every PE but
 * the sender; otherwise each TargetList bit n names Aff0 = RS*16 + n. */
static void generate_sgi(gicsim_gic *g, uint32_t pe, uint64_t v, gic_group grp)
{
    uint32_t intid = (uint32_t)(v >> 24) & 0xFu;
    g->stats.sgis_sent++;
    gic_emit(g, GICSIM_GEV_SGI_SEND, pe, intid);
    if ((v >> 40) & 1u) {
        for (uint32_t t = 0; t < g->cfg.num_pes; t++)
            if (t != pe)
                route_sgi(g, t, intid, grp);
        return;
    }
    uint64_t cluster =
        (((v >> 16) & 0xFFu) << 8) | (((v >> 32) & 0xFFu) << 16) | (((v >> 48) & 0xFFu) << 32);
    uint32_t rs = (uint32_t)(v >> 44) & 0xFu;
    for (uint32_t bits = (uint32_t)v & 0xFFFFu; bits; bits &= bits - 1) {
        uint32_t aff0 = rs * 16u + (uint32_t)__builtin_ctz(bits);
        uint32_t t;
        if (gicsim_gic_pe_from_affinity(g, cluster | aff0, &t) == GICSIM_OK)
            route_sgi(g, t, intid, grp);
        else
            g->stats.sgis_dropped++;
    }
}

uint64_t gicsim_icc_sgir_value(uint32_t intid, uint16_t target_list, uint8_t aff1, uint8_t aff2,
                               uint8_t aff3, uint8_t rs, bool irm)
{
    return (uint64_t)target_list | ((uint64_t)aff1 << 16) | ((uint64_t)(intid & 0xFu) << 24) |
           ((uint64_t)aff2 << 32) | ((uint64_t)(irm ? 1 : 0) << 40) |
           ((uint64_t)(rs & 0xFu) << 44) | ((uint64_t)aff3 << 48);
}

static uint32_t hppi(gicsim_gic *g, uint32_t pe, gic_group want)
{
    gic_irq *q = forwarded(g, pe);
    return q && irq_group(g, q) == want ? q->intid : GICSIM_INTID_SPURIOUS;
}

gicsim_status icc_read(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t *val)
{
    gic_cpuif *c = &g->cpu[pe];
    *val = 0;
    switch (reg) {
    case GICSIM_ICC_IAR0:
        *val = acknowledge(g, pe, GIC_G0);
        break;
    case GICSIM_ICC_IAR1:
        *val = acknowledge(g, pe, GIC_G1NS);
        break;
    case GICSIM_ICC_HPPIR0:
        *val = hppi(g, pe, GIC_G0);
        break;
    case GICSIM_ICC_HPPIR1:
        *val = hppi(g, pe, GIC_G1NS);
        break;
    case GICSIM_ICC_PMR:
        *val = c->pmr;
        break;
    case GICSIM_ICC_BPR0:
        *val = c->bpr0;
        break;
    case GICSIM_ICC_BPR1:
        *val = c->cbpr ? (c->bpr0 < 7 ? c->bpr0 + 1u : 7u) : c->bpr1;
        break;
    case GICSIM_ICC_RPR:
        *val = running_priority(g, c);
        break;
    case GICSIM_ICC_CTLR:
        *val = (c->cbpr ? GICSIM_ICC_CTLR_CBPR : 0) | (c->eoimode ? GICSIM_ICC_CTLR_EOIMODE : 0) |
               ((uint64_t)(g->cfg.priority_bits - 1u) << 8);
        break;
    case GICSIM_ICC_IGRPEN0:
        *val = c->igrpen[0];
        break;
    case GICSIM_ICC_IGRPEN1:
        *val = c->igrpen[1];
        break;
    case GICSIM_ICC_AP0R0:
    case GICSIM_ICC_AP0R1:
    case GICSIM_ICC_AP0R2:
    case GICSIM_ICC_AP0R3:
    case GICSIM_ICC_AP1R0:
    case GICSIM_ICC_AP1R1:
    case GICSIM_ICC_AP1R2:
    case GICSIM_ICC_AP1R3: {
        unsigned grp = reg >= GICSIM_ICC_AP1R0;
        unsigned n = (unsigned)(reg - (grp ? GICSIM_ICC_AP1R0 : GICSIM_ICC_AP0R0));
        if (n >= ap_regs(g)) {
            g->stats.raz_wi_reads++;
            break;
        }
        *val = c->ap[grp][n];
        break;
    }
    case GICSIM_ICC_SRE:
        *val = 0x7; /* SRE, DFB, DIB: system-register interface only */
        break;
    case GICSIM_ICC_EOIR0:
    case GICSIM_ICC_EOIR1:
    case GICSIM_ICC_DIR:
    case GICSIM_ICC_SGI0R:
    case GICSIM_ICC_SGI1R:
    case GICSIM_ICC_ASGI1R:
        g->stats.ignored_ops++; /* write-only */
        break;
    default:
        return GICSIM_E_RANGE;
    }
    return GICSIM_OK;
}

gicsim_status icc_write(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t val)
{
    gic_cpuif *c = &g->cpu[pe];
    switch (reg) {
    case GICSIM_ICC_EOIR0:
        end_of_interrupt(g, pe, GIC_G0, (uint32_t)val & 0xFFFFFFu);
        break;
    case GICSIM_ICC_EOIR1:
        end_of_interrupt(g, pe, GIC_G1NS, (uint32_t)val & 0xFFFFFFu);
        break;
    case GICSIM_ICC_DIR:
        deactivate(g, pe, (uint32_t)val & 0xFFFFFFu);
        break;
    case GICSIM_ICC_PMR:
        c->pmr = (uint8_t)(val & g->prio_mask);
        icc_evaluate(g, pe);
        break;
    case GICSIM_ICC_BPR0:
        c->bpr0 = (uint8_t)((val & 7u) < g->min_bpr0 ? g->min_bpr0 : (val & 7u));
        icc_evaluate(g, pe);
        break;
    case GICSIM_ICC_BPR1:
        if (c->cbpr) { /* CBPR=1: Non-secure writes to BPR1 are ignored */
            g->stats.raz_wi_writes++;
            break;
        }
        c->bpr1 = (uint8_t)((val & 7u) < g->min_bpr0 + 1u ? g->min_bpr0 + 1u : (val & 7u));
        icc_evaluate(g, pe);
        break;
    case GICSIM_ICC_CTLR:
        c->cbpr = (val & GICSIM_ICC_CTLR_CBPR) != 0;
        c->eoimode = (val & GICSIM_ICC_CTLR_EOIMODE) != 0;
        icc_evaluate(g, pe);
        break;
    case GICSIM_ICC_IGRPEN0:
    case GICSIM_ICC_IGRPEN1: {
        bool en = val & 1u;
        bool *slot = &c->igrpen[reg == GICSIM_ICC_IGRPEN1];
        if (*slot != en) {
            *slot = en;
            /* The redistributor only forwards groups the CPU interface accepts. */
            gicr_reselect(g, pe);
            icc_evaluate(g, pe);
        }
        break;
    }
    case GICSIM_ICC_SGI0R:
        generate_sgi(g, pe, val, GIC_G0);
        break;
    case GICSIM_ICC_SGI1R:
        generate_sgi(g, pe, val, GIC_G1NS);
        break;
    case GICSIM_ICC_ASGI1R:
        generate_sgi(g, pe, val, GIC_G1S);
        break;
    case GICSIM_ICC_AP0R0:
    case GICSIM_ICC_AP0R1:
    case GICSIM_ICC_AP0R2:
    case GICSIM_ICC_AP0R3:
    case GICSIM_ICC_AP1R0:
    case GICSIM_ICC_AP1R1:
    case GICSIM_ICC_AP1R2:
    case GICSIM_ICC_AP1R3: {
        unsigned grp = reg >= GICSIM_ICC_AP1R0;
        unsigned n = (unsigned)(reg - (grp ? GICSIM_ICC_AP1R0 : GICSIM_ICC_AP0R0));
        if (n >= ap_regs(g)) {
            g->stats.raz_wi_writes++;
            break;
        }
        /* Only the bits of implemented preemption levels exist. */
        unsigned levels = 1u << g->prebits;
        uint32_t mask = levels >= 32 ? UINT32_MAX : (1u << levels) - 1u;
        c->ap[grp][n] = (uint32_t)val & mask;
        GICSIM_INV(inv_icc_apr_write(g, pe));
        icc_evaluate(g, pe);
        break;
    }
    case GICSIM_ICC_SRE:
        break; /* RAO/WI */
    case GICSIM_ICC_IAR0:
    case GICSIM_ICC_IAR1:
    case GICSIM_ICC_HPPIR0:
    case GICSIM_ICC_HPPIR1:
    case GICSIM_ICC_RPR:
        g->stats.raz_wi_writes++; /* read-only */
        break;
    default:
        return GICSIM_E_RANGE;
    }
    return GICSIM_OK;
}
