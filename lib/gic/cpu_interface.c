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
 * The priority rules (binary points, active priorities, running priority,
 * preemption, priority drop) and the register switch are shared with the
 * virtual interface (cpuif_priority.c); this file is the rest: the
 * interrupt the redistributor forwards, the signal, acknowledge, EOI, DIR,
 * ICC_SRE and SGI generation.
 */
#include "gic_internal.h"
#include "gic_invariants.h"

#define SPECIAL_INTID_FIRST 1020u

void icc_init(gicsim_gic *g, uint32_t pe)
{
    gic_cpuif *c = &g->cpu[pe];
    cpuif_reset(&c->ctl, c->ap, g->prebits);
    c->fwd = GIC_NONE;
    c->signaled = GIC_NONE;
}

bool icc_group_enabled(const gicsim_gic *g, uint32_t pe, gic_group grp)
{
    switch (grp) {
    case GIC_G0:
        return g->cpu[pe].ctl.igrpen[0];
    case GIC_G1NS:
        return g->cpu[pe].ctl.igrpen[1];
    default:
        return false;
    }
}

/* PMR and preemption (cpuif_priority.h). Only Group 0 and Non-secure
 * Group 1 reach this point (icc_group_enabled): grp != GIC_G0 is Group 1. */
static bool can_signal(const gicsim_gic *g, const gic_cpuif *c, uint8_t prio, gic_group grp)
{
    return prio_can_signal(&c->ctl, c->ap, g->prebits, prio, grp != GIC_G0);
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
    if (c->msg_when == engine_now(e))
        c->msg_id = 0;
    c->fwd = (uint32_t)arg;
    icc_evaluate(g, pe);
}

void icc_forward(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gic_cpuif *c = &g->cpu[pe];
    gicsim_time_t when = engine_now(g->engine) + g->t_redist_to_cpuif;
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

/* ICC_IAR0/IAR1 (group1: Non-secure Group 1). */
static uint32_t acknowledge(gicsim_gic *g, uint32_t pe, bool group1)
{
    gic_cpuif *c = &g->cpu[pe];
    gic_group want = group1 ? GIC_G1NS : GIC_G0;
    gic_irq *q = forwarded(g, pe);
    if (q && irq_group(g, q) == want && icc_group_enabled(g, pe, want) &&
        can_signal(g, c, q->prio, want)) {
        unsigned idx = prio_active_index(&c->ctl, g->prebits, q->prio, group1);
        prio_activate(c->ap, group1, idx);
        GICSIM_INV(inv_icc_ack(g, pe, group1, idx));
        irq_acknowledge(g, q);
        icc_evaluate(g, pe);
        return q->intid;
    }
    g->stats.spurious_acks++;
    /* The read found that the presented interrupt stopped being a
     * candidate (forwarded discarded it) while the redistributor's new
     * presentation is still a redistributor_to_cpuif hop away: the
     * interface has nothing to signal, so it deasserts its outputs now,
     * as the IAR's 1023 says. Otherwise a host that takes the IRQ
     * exception and returns again in no time (every CPU cost 0) would
     * take the same stale signal forever without time advancing. */
    if (c->signaled != GIC_NONE && c->fwd == GIC_NONE)
        icc_evaluate(g, pe);
    return GICSIM_INTID_SPURIOUS;
}

/* ICC_EOIR0/EOIR1. */
static void end_of_interrupt(gicsim_gic *g, uint32_t pe, bool group1, uint32_t intid)
{
    gic_cpuif *c = &g->cpu[pe];
    bool lpi = intid >= GICSIM_LPI_BASE;
    gic_irq *q = intid < SPECIAL_INTID_FIRST || lpi ? gic_irq_lookup(g, pe, intid) : NULL;
    if (!q) {
        g->stats.ignored_ops++;
        return;
    }
    if (!prio_drop(c->ap, g->prebits, group1)) { /* no active priority to drop */
        g->stats.ignored_ops++;
        return;
    }
    GICSIM_INV(inv_icc_drop(g, pe, group1));
    g->stats.priority_drops++;
    gic_emit(g, GICSIM_GEV_PRIO_DROP, pe, intid);
    if (!c->ctl.eoimode && !lpi && !irq_deactivate(g, q))
        g->stats.ignored_ops++;
    icc_evaluate(g, pe);
}

/* ICC_DIR. */
static gicsim_status deactivate(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gic_irq *q = intid < SPECIAL_INTID_FIRST ? gic_irq_lookup(g, pe, intid) : NULL;
    /* EOImode=0: a DIR write is UNPREDICTABLE; the model ignores it. */
    if (!g->cpu[pe].ctl.eoimode || !q || !irq_deactivate(g, q)) {
        g->stats.ignored_ops++;
        return GICSIM_OK;
    }
    icc_evaluate(g, pe);
    return GICSIM_OK;
}

static void sgi_arrive(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicr_receive_sgi(ctx, (uint32_t)(arg >> 8), (uint32_t)(arg >> 2) & 0xFu, (gic_group)(arg & 3u));
}

/* An SGI from PE `from` travels to `target`: sgi_route, plus socket_hop
 * when they sit on different sockets. */
static void route_sgi(gicsim_gic *g, uint32_t from, uint32_t target, uint32_t intid, gic_group grp)
{
    uint64_t arg = ((uint64_t)target << 8) | (intid << 2) | (uint64_t)grp;
    gicsim_time_t t = g->t_sgi_route + gic_hop(g, gic_pe_socket(g, from), gic_pe_socket(g, target));
    g->stats.hop_events++;
    gicsim_engine_schedule_in(g->engine, t, sgi_arrive, g, arg, NULL);
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
                route_sgi(g, pe, t, intid, grp);
        return;
    }
    uint64_t cluster =
        (((v >> 16) & 0xFFu) << 8) | (((v >> 32) & 0xFFu) << 16) | (((v >> 48) & 0xFFu) << 32);
    uint32_t rs = (uint32_t)(v >> 44) & 0xFu;
    for (uint32_t bits = (uint32_t)v & 0xFFFFu; bits; bits &= bits - 1) {
        uint32_t aff0 = rs * 16u + (uint32_t)__builtin_ctz(bits);
        uint32_t t;
        if (gicsim_gic_pe_from_affinity(g, cluster | aff0, &t) == GICSIM_OK)
            route_sgi(g, pe, t, intid, grp);
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

/* ICC_HPPIR0/HPPIR1. */
static uint32_t hppi(gicsim_gic *g, uint32_t pe, bool group1)
{
    gic_irq *q = forwarded(g, pe);
    return q && irq_group(g, q) == (group1 ? GIC_G1NS : GIC_G0) ? q->intid : GICSIM_INTID_SPURIOUS;
}

/* After a write of ICC_IGRPEN<n>, ICC_PMR, ICC_BPR<n>, ICC_CTLR or
 * ICC_AP<g>R<n> (cpuif_write). */
static void written(gicsim_gic *g, uint32_t pe, cpuif_written what)
{
    switch (what) {
    case CPUIF_WROTE_IGRPEN_SAME:
        return;
    case CPUIF_WROTE_IGRPEN:
        /* The redistributor only forwards groups the CPU interface accepts. */
        gicr_reselect(g, pe);
        break;
    case CPUIF_WROTE_AP:
        GICSIM_INV(inv_icc_apr_write(g, pe));
        break;
    default:
        break;
    }
    icc_evaluate(g, pe);
}

/* The operations of cpuif_read and cpuif_write; EOIR and DIR take
 * INTID[23:0]. */
static const cpuif_ops icc_ops = {
    acknowledge, hppi, end_of_interrupt, deactivate, written, 0xFFFFFFu,
};

gicsim_status icc_read(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t *val)
{
    const gic_cpuif *c = &g->cpu[pe];
    if (reg == GICSIM_ICC_SRE) {
        *val = 0x7; /* SRE, DFB, DIB: system-register interface only */
        return GICSIM_OK;
    }
    return cpuif_read(g, pe, &icc_ops, &c->ctl, c->ap, reg, val);
}

/* ICC_SRE and the SGI generation registers have no ICV_* copy; cpuif_write
 * does the rest. */
gicsim_status icc_write(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t val)
{
    gic_cpuif *c = &g->cpu[pe];
    switch (reg) {
    case GICSIM_ICC_SGI0R:
        generate_sgi(g, pe, val, GIC_G0);
        return GICSIM_OK;
    case GICSIM_ICC_SGI1R:
        generate_sgi(g, pe, val, GIC_G1NS);
        return GICSIM_OK;
    case GICSIM_ICC_ASGI1R:
        generate_sgi(g, pe, val, GIC_G1S);
        return GICSIM_OK;
    case GICSIM_ICC_SRE:
        return GICSIM_OK; /* RAO/WI */
    default:
        return cpuif_write(g, pe, &icc_ops, &c->ctl, c->ap, reg, val);
    }
}
