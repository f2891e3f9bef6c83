/* gicsim: the interrupt state machine shared by SGIs, PPIs and SPIs.
 *
 * Architecture rules implemented here (GICv3, IHI 0069, "Interrupt handling
 * state machine"):
 *  - States are inactive, pending, active and active+pending.
 *  - Edge-triggered: a rising edge latches pending; the latch is cleared when
 *    the interrupt is acknowledged. An edge while active gives active+pending.
 *  - Level-sensitive: pending while the line is high (or while a software
 *    pend from ISPENDR/SETSPI is latched). Acknowledging with the line still
 *    high gives active+pending, and the interrupt becomes pending again the
 *    moment it is deactivated.
 *  - Only an enabled, pending, not active interrupt of a group enabled in
 *    GICD_CTLR is a candidate for forwarding to a PE.
 *
 * Accounting: an "instance" is outstanding while the pending latch is set or,
 * for level-sensitive interrupts, while the line is high and the interrupt is
 * not active. Every instance ends as acknowledged or withdrawn, so
 * raised == acknowledged + withdrawn + pending_now at all times. A raise that
 * finds an instance already outstanding is a merge (the architecture keeps one
 * pending state per interrupt). A level line held high across an acknowledge
 * starts a new instance at deactivation, which is how a level interrupt that
 * is deactivated too early re-fires.
 *
 * LPIs (INTID >= 8192, lpi.c) use the same records and transitions: they are
 * edge-triggered Group 1 interrupts with no active state (acknowledge only
 * clears the pending latch), deliverable only while their redistributor's
 * GICR_CTLR.EnableLPIs is 1; their candidacy is kept by lpi.c.
 */
#include "gic_internal.h"
#include "gic_invariants.h"

static inline bool counted(uint8_t f)
{
    return (f & IRQF_LATCH) || (!(f & (IRQF_EDGE | IRQF_ACTIVE)) && (f & IRQF_LINE));
}

gic_group irq_group(const gicsim_gic *g, const gic_irq *irq)
{
    bool grp = irq->flags & IRQF_GROUP;
    if (g->ds)
        return grp ? GIC_G1NS : GIC_G0;
    /* DS=0: {IGRPMODR, IGROUPR} = 00 G0, 01 G1NS, 10 G1S, 11 reserved (as G1NS). */
    if (irq->flags & IRQF_GRPMOD)
        return grp ? GIC_G1NS : GIC_G1S;
    return grp ? GIC_G1NS : GIC_G0;
}

bool irq_is_candidate(const gicsim_gic *g, const gic_irq *irq)
{
    uint8_t f = irq->flags;
    return irq_pending(f) && (f & IRQF_ENABLED) && !(f & IRQF_ACTIVE) && irq->target != GIC_NO_PE &&
           g->grp_enabled[irq_group(g, irq)] &&
           (irq->intid < GICSIM_LPI_BASE || lpi_delivery_enabled(g, irq->target));
}

gicsim_irq_state irq_state(const gic_irq *irq)
{
    unsigned s = 0;
    if (irq_pending(irq->flags))
        s |= GICSIM_IRQ_PENDING;
    if (irq->flags & IRQF_ACTIVE)
        s |= GICSIM_IRQ_ACTIVE;
    return (gicsim_irq_state)s;
}

gic_irq *gic_irq_lookup(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    if (intid < GICSIM_SPI_BASE)
        return pe < g->cfg.num_pes ? &g->rd[pe].banked[intid] : NULL;
    if (intid - GICSIM_SPI_BASE < g->num_spis)
        return &g->spis[intid - GICSIM_SPI_BASE];
    if (intid >= GICSIM_LPI_BASE)
        return lpi_lookup(g, pe, intid);
    return NULL;
}

/* Tell the target redistributor about the interrupt's candidacy. Any change
 * to a candidate (including its priority or group) makes the redistributor
 * choose again: an SPI's new state travels from the distributor and arrives
 * after the dist_to_redist hop; SGIs and PPIs live in the redistributor. */
static void notify_target(gicsim_gic *g, gic_irq *irq, uint32_t pe, bool candidate)
{
    if (irq->intid >= GICSIM_SPI_BASE) {
        gicr_forward_spi(g, pe, irq->intid, candidate);
    } else {
        gicr_candidate_set(g, pe, irq->intid, candidate);
        gicr_reselect(g, pe);
    }
}

/* A 1-of-N SPI picks its PE when it becomes pending and not active (the
 * moment it can become a candidate). */
static void choose_1ofn(gicsim_gic *g, gic_irq *irq, bool was_candidate)
{
    if (irq->intid >= GICSIM_SPI_BASE && irq->intid < GICSIM_LPI_BASE && !was_candidate &&
        gicd_is_1ofn(g, irq) && irq_pending(irq->flags) && !(irq->flags & IRQF_ACTIVE))
        irq->target = gicd_choose_1ofn(g, irq);
}

static void sync_candidate(gicsim_gic *g, gic_irq *irq, bool was_candidate)
{
    bool now = irq_is_candidate(g, irq);
    if ((now || was_candidate) && irq->target != GIC_NO_PE)
        notify_target(g, irq, irq->target, now);
}

/* Observer events name irq->target, so a 1-of-N SPI chooses its PE before
 * the change is reported: the RAISE of an instance names the PE that the
 * instance is then signalled on. */
void irq_commit(gicsim_gic *g, gic_irq *irq, uint8_t old, irq_reason why)
{
    /* Was it a candidate before this change? Recompute from the old flags. */
    gic_irq before = *irq;
    before.flags = old;
    bool was_candidate = irq_is_candidate(g, &before);
    choose_1ofn(g, irq, was_candidate);
    bool c0 = counted(old), c1 = counted(irq->flags);
    if (c0 != c1) {
        if (c1) {
            g->stats.raised++;
            g->stats.pending_now++;
            gic_emit(g, GICSIM_GEV_RAISE, irq->target, irq->intid);
        } else {
            g->stats.pending_now--;
            if (why == IRQ_BY_ACK) {
                g->stats.acknowledged++;
                gic_emit(g, GICSIM_GEV_ACK, irq->target, irq->intid);
            } else {
                g->stats.withdrawn++;
                gic_emit(g, GICSIM_GEV_WITHDRAW, irq->target, irq->intid);
            }
        }
    }
    GICSIM_INV(inv_gic_commit(g, irq, old));
    if (irq->intid >= GICSIM_LPI_BASE)
        lpi_commit(g, irq, old);
    else
        sync_candidate(g, irq, was_candidate);
}

void irq_raise(gicsim_gic *g, gic_irq *irq)
{
    uint8_t old = irq->flags;
    if (counted(old)) {
        g->stats.merged++;
        gic_emit(g, GICSIM_GEV_MERGE, irq->target, irq->intid);
    }
    irq->flags |= IRQF_LATCH;
    irq_commit(g, irq, old, IRQ_BY_SOFTWARE);
}

void irq_set_line(gicsim_gic *g, gic_irq *irq, bool level)
{
    uint8_t old = irq->flags;
    if (!!(old & IRQF_LINE) == level)
        return;
    if (!level) {
        irq->flags &= (uint8_t)~IRQF_LINE;
        irq_commit(g, irq, old, IRQ_BY_SOFTWARE);
        return;
    }
    irq->flags |= IRQF_LINE;
    if (old & IRQF_EDGE) { /* rising edge: latch pending (the line level itself does not count) */
        irq_raise(g, irq);
        return;
    }
    if (counted(old)) {
        g->stats.merged++;
        gic_emit(g, GICSIM_GEV_MERGE, irq->target, irq->intid);
    }
    irq_commit(g, irq, old, IRQ_BY_SOFTWARE);
}

void irq_acknowledge(gicsim_gic *g, gic_irq *irq)
{
    uint8_t old = irq->flags;
    GICSIM_INV(inv_gic_ack(g, irq, old));
    /* LPIs have no active state: acknowledge only clears pending. */
    uint8_t active = irq->intid >= GICSIM_LPI_BASE ? 0 : IRQF_ACTIVE;
    irq->flags = (uint8_t)((old & ~IRQF_LATCH) | active);
    irq_commit(g, irq, old, IRQ_BY_ACK);
}

bool irq_deactivate(gicsim_gic *g, gic_irq *irq)
{
    uint8_t old = irq->flags;
    if (!(old & IRQF_ACTIVE))
        return false;
    irq->flags &= (uint8_t)~IRQF_ACTIVE;
    g->stats.deactivations++;
    gic_emit(g, GICSIM_GEV_DEACTIVATE, irq->target, irq->intid);
    irq_commit(g, irq, old, IRQ_BY_SOFTWARE);
    return true;
}

void irq_retarget(gicsim_gic *g, gic_irq *irq, uint32_t pe)
{
    if (irq->target == pe)
        return;
    if (irq_is_candidate(g, irq))
        notify_target(g, irq, irq->target, false);
    irq->target = pe;
    if (irq_is_candidate(g, irq))
        notify_target(g, irq, pe, true);
}

/* A GICD_CTLR group enable changed: every interrupt that may have changed
 * candidacy (those pending and not active) is re-announced. */
void irq_refresh_all(gicsim_gic *g)
{
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++) {
        for (uint32_t i = 0; i < 32; i++) {
            gic_irq *irq = &g->rd[pe].banked[i];
            gicr_candidate_set(g, pe, i, irq_is_candidate(g, irq));
        }
        gicr_reselect(g, pe);
    }
    for (uint32_t i = 0; i < g->num_spis; i++) {
        gic_irq *irq = &g->spis[i];
        if (irq_pending(irq->flags) && !(irq->flags & IRQF_ACTIVE))
            sync_candidate(g, irq, true);
    }
}

/* ---- Register views ---------------------------------------------------------
 * Offsets are relative to the frame (GICD) or to SGI_base (GICR); each array
 * covers INTIDs from 0. */

typedef struct reg_array {
    uint32_t base, end;
    irq_reg reg;
    unsigned bits;
} reg_array;

static const reg_array arrays[] = {
    {0x0080, 0x0100, IRQ_REG_GROUP, 1},    {0x0100, 0x0180, IRQ_REG_ISENABLE, 1},
    {0x0180, 0x0200, IRQ_REG_ICENABLE, 1}, {0x0200, 0x0280, IRQ_REG_ISPEND, 1},
    {0x0280, 0x0300, IRQ_REG_ICPEND, 1},   {0x0300, 0x0380, IRQ_REG_ISACTIVE, 1},
    {0x0380, 0x0400, IRQ_REG_ICACTIVE, 1}, {0x0400, 0x0800, IRQ_REG_PRIORITY, 8},
    {0x0C00, 0x0D00, IRQ_REG_CONFIG, 2},   {0x0D00, 0x0D80, IRQ_REG_GRPMOD, 1},
};

bool irq_reg_decode(uint32_t off, irq_reg *reg, uint32_t *first_intid, unsigned *bits_per_irq)
{
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        if (off >= arrays[i].base && off < arrays[i].end) {
            *reg = arrays[i].reg;
            *bits_per_irq = arrays[i].bits;
            *first_intid = (off - arrays[i].base) * 8u / arrays[i].bits;
            return true;
        }
    }
    return false;
}

bool irq_reg_width_ok(irq_reg reg, unsigned size)
{
    return size == 4 || (reg == IRQ_REG_PRIORITY && size == 1);
}

static uint32_t field_read(const gicsim_gic *g, const gic_irq *irq, irq_reg reg)
{
    uint8_t f = irq->flags;
    switch (reg) {
    case IRQ_REG_GROUP:
        return !!(f & IRQF_GROUP);
    case IRQ_REG_GRPMOD:
        return g->ds ? 0 : !!(f & IRQF_GRPMOD);
    case IRQ_REG_ISENABLE:
    case IRQ_REG_ICENABLE:
        return !!(f & IRQF_ENABLED);
    case IRQ_REG_ISPEND:
    case IRQ_REG_ICPEND:
        return irq_pending(f);
    case IRQ_REG_ISACTIVE:
    case IRQ_REG_ICACTIVE:
        return !!(f & IRQF_ACTIVE);
    case IRQ_REG_PRIORITY:
        return irq->prio;
    case IRQ_REG_CONFIG:
        return (f & IRQF_EDGE) ? 2u : 0u;
    }
    return 0;
}

uint32_t irq_reg_read(gicsim_gic *g, uint32_t pe, irq_reg reg, uint32_t first, unsigned count)
{
    unsigned bits = reg == IRQ_REG_PRIORITY ? 8 : reg == IRQ_REG_CONFIG ? 2 : 1;
    uint32_t v = 0;
    for (unsigned i = 0; i < count; i++) {
        const gic_irq *irq = gic_irq_lookup(g, pe, first + i);
        if (irq)
            v |= field_read(g, irq, reg) << (i * bits);
    }
    return v;
}

static void field_write(gicsim_gic *g, gic_irq *irq, irq_reg reg, uint32_t v)
{
    uint8_t old = irq->flags;
    switch (reg) {
    case IRQ_REG_GROUP:
        irq->flags = (uint8_t)(v ? old | IRQF_GROUP : old & ~IRQF_GROUP);
        break;
    case IRQ_REG_GRPMOD:
        if (g->ds) /* DS=1: IGRPMODR is RAZ/WI. */
            return;
        irq->flags = (uint8_t)(v ? old | IRQF_GRPMOD : old & ~IRQF_GRPMOD);
        break;
    case IRQ_REG_ISENABLE: /* write-1-to-set, 0 has no effect */
        if (!v)
            return;
        irq->flags |= IRQF_ENABLED;
        break;
    case IRQ_REG_ICENABLE:
        if (!v)
            return;
        irq->flags &= (uint8_t)~IRQF_ENABLED;
        break;
    case IRQ_REG_ISPEND:
        if (v)
            irq_raise(g, irq);
        return;
    case IRQ_REG_ICPEND: /* clears the latch; a high level line keeps it pending */
        if (!v)
            return;
        irq->flags &= (uint8_t)~IRQF_LATCH;
        break;
    case IRQ_REG_ISACTIVE:
        if (!v)
            return;
        irq->flags |= IRQF_ACTIVE;
        break;
    case IRQ_REG_ICACTIVE:
        if (v)
            irq_deactivate(g, irq);
        return;
    case IRQ_REG_PRIORITY: /* priority bits below the implemented ones are RAZ/WI */
        if (irq->prio == (uint8_t)(v & g->prio_mask))
            return;
        irq->prio = (uint8_t)(v & g->prio_mask);
        break;
    case IRQ_REG_CONFIG:
        /* SGIs are always edge-triggered: Int_config is RO for INTIDs 0..15. */
        if (irq->intid < GICSIM_PPI_BASE)
            return;
        irq->flags = (uint8_t)((v & 2u) ? old | IRQF_EDGE : old & ~IRQF_EDGE);
        break;
    }
    irq_commit(g, irq, old, IRQ_BY_SOFTWARE);
}

void irq_reg_write(gicsim_gic *g, uint32_t pe, irq_reg reg, uint32_t first, unsigned count,
                   uint32_t val)
{
    unsigned bits = reg == IRQ_REG_PRIORITY ? 8 : reg == IRQ_REG_CONFIG ? 2 : 1;
    uint32_t mask = (1u << bits) - 1u;
    if (reg != IRQ_REG_GROUP && reg != IRQ_REG_GRPMOD && bits == 1) {
        /* Write-1-to-set or -clear: a 0 bit changes nothing, so only the
         * set bits are visited (in the same order). */
        uint32_t set = count < 32 ? val & ((1u << count) - 1u) : val;
        while (set) {
            unsigned i = (unsigned)__builtin_ctz(set);
            set &= set - 1u;
            gic_irq *irq = gic_irq_lookup(g, pe, first + i);
            if (irq)
                field_write(g, irq, reg, 1u);
        }
        return;
    }
    for (unsigned i = 0; i < count; i++) {
        gic_irq *irq = gic_irq_lookup(g, pe, first + i);
        if (irq)
            field_write(g, irq, reg, (val >> (i * bits)) & mask);
    }
}
