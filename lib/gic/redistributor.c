/* gicsim: the Redistributors (GICR), one per PE.
 *
 * Each owns the PE's banked SGIs (0..15) and PPIs (16..31), keeps the set of
 * candidate interrupts targeting its PE (enabled, pending, not active, group
 * enabled in GICD_CTLR; SPIs are added by the distributor), and presents the
 * highest-priority one to its CPU interface. Selection rule: lowest priority
 * value wins, ties go to the lowest INTID; interrupts of a group the CPU
 * interface has disabled (ICC_IGRPEN<n>) are not forwarded, and nothing is
 * forwarded while GICR_WAKER.ProcessorSleep is 1.
 *
 * LPIs are candidates too (lpi.c keeps them, lpi_best gives the best one),
 * under the same rule; the LPI registers of RD_base (CTLR.EnableLPIs,
 * SETLPIR/CLRLPIR, PROPBASER/PENDBASER, INVLPIR/INVALLR, SYNCR) are in lpi.c
 * and, with GICv4, the VLPI_base frame in vlpi.c. GICR_TYPER reports
 * PLPIS=1 and DirectLPI=1 (so software can set, clear and invalidate LPIs
 * without an ITS); with GICv4 VLPIS=1 and Dirty=1 (GICR_VPENDBASER.Dirty is
 * implemented); with GICv4.1 VSGI=1. RVPEID reads 0: GICR_VPENDBASER names
 * the resident vPE by its virtual pending table address (the GICv4.0 layout)
 * in every GICv4 configuration.
 */
#include "gic_internal.h"

void gicr_init(gicsim_gic *g, uint32_t pe)
{
    gic_redist *rd = &g->rd[pe];
    for (uint32_t i = 0; i < 32; i++) {
        rd->banked[i].intid = i;
        rd->banked[i].target = pe;
        /* SGIs are always edge-triggered; PPIs reset level-sensitive. */
        rd->banked[i].flags = i < GICSIM_PPI_BASE ? IRQF_EDGE : 0;
    }
    rd->asleep = true; /* GICR_WAKER.ProcessorSleep resets to 1 */
    rd->best = GIC_NONE;
}

void gicr_candidate_set(gicsim_gic *g, uint32_t pe, uint32_t intid, bool on)
{
    gic_redist *rd = &g->rd[pe];
    uint32_t w = intid >> 6;
    uint64_t bit = 1ull << (intid & 63);
    if (on) {
        rd->cand[w] |= bit;
        rd->cand_summary |= 1u << w;
    } else {
        rd->cand[w] &= ~bit;
        if (!rd->cand[w])
            rd->cand_summary &= ~(1u << w);
    }
}

static uint32_t select_best(gicsim_gic *g, uint32_t pe)
{
    gic_redist *rd = &g->rd[pe];
    if (rd->asleep)
        return GIC_NONE;
    uint32_t best = GIC_NONE;
    unsigned best_prio = 0x100;
    for (uint32_t s = rd->cand_summary; s; s &= s - 1) {
        uint32_t w = (uint32_t)__builtin_ctz(s);
        for (uint64_t bits = rd->cand[w]; bits; bits &= bits - 1) {
            uint32_t intid = w * 64u + (uint32_t)__builtin_ctzll(bits);
            const gic_irq *irq = gic_irq_lookup(g, pe, intid);
            /* Bits are visited in ascending INTID order, so a strict
             * comparison keeps the lowest INTID among equal priorities. */
            if (irq->prio < best_prio && icc_group_enabled(g, pe, irq_group(g, irq))) {
                best_prio = irq->prio;
                best = intid;
            }
        }
    }
    /* LPIs have higher INTIDs than every SGI, PPI and SPI: they win only
     * with a strictly higher priority. lpi_best applies the group checks. */
    uint32_t lpi;
    uint8_t lpi_prio;
    if (lpi_best(g, pe, &lpi, &lpi_prio) && lpi_prio < best_prio)
        best = lpi;
    return best;
}

void gicr_reselect(gicsim_gic *g, uint32_t pe)
{
    /* Present even an unchanged choice: its priority or group may have
     * changed, and the CPU interface re-evaluates its outputs on arrival. */
    g->rd[pe].best = select_best(g, pe);
    icc_forward(g, pe, g->rd[pe].best);
}

static void spi_message(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_gic *g = ctx;
    uint32_t pe = (uint32_t)(arg >> 32);
    gicr_candidate_set(g, pe, (uint32_t)(arg >> 1) & 0x3FFu, arg & 1u);
    gicr_reselect(g, pe);
}

void gicr_forward_spi(gicsim_gic *g, uint32_t pe, uint32_t intid, bool candidate)
{
    uint64_t arg = ((uint64_t)pe << 32) | (intid << 1) | (candidate ? 1u : 0u);
    g->stats.hop_events++;
    /* The distributor sits on socket 0. */
    gicsim_engine_schedule_in(g->engine, g->t_dist_to_redist + gic_hop(g, 0, gic_pe_socket(g, pe)),
                              spi_message, g, arg, NULL);
}

void gicr_receive_sgi(gicsim_gic *g, uint32_t pe, uint32_t intid, gic_group group)
{
    gic_irq *irq = &g->rd[pe].banked[intid];
    /* The SGI is set pending only if it is configured in the group the
     * generating register asked for (ICC_SGI0R: G0, SGI1R: G1 of the current
     * Security state, ASGI1R: G1 of the other one). */
    if (irq_group(g, irq) != group) {
        g->stats.sgis_dropped++;
        return;
    }
    irq_raise(g, irq);
}

static uint64_t typer_read(const gicsim_gic *g, uint32_t pe)
{
    uint64_t aff = gicsim_gic_pe_affinity(g, pe);
    uint64_t aff32 = (aff & 0xFFFFFFull) | ((aff >> 8) & 0xFF000000ull);
    uint64_t v = aff32 << 32;
    v |= (uint64_t)(pe & 0xFFFFu) << 8; /* Processor_Number */
    if (pe == g->cfg.num_pes - 1)
        v |= GICSIM_GICR_TYPER_LAST;
    v |= GICSIM_GICR_TYPER_PLPIS | GICSIM_GICR_TYPER_DIRECT_LPI;
    if (g->cfg.version >= GICSIM_GICV4_0)
        v |= GICSIM_GICR_TYPER_VLPIS;
    if (g->cfg.version == GICSIM_GICV4_1 || (g->cfg.version == GICSIM_GICV4_0 && g->cfg.vpt_dirty))
        v |= GICSIM_GICR_TYPER_DIRTY;
    if (g->cfg.version == GICSIM_GICV4_1)
        v |= GICSIM_GICR_TYPER_VSGI;
    return v;
}

gicsim_status gicr_read(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t *val)
{
    gic_redist *rd = &g->rd[pe];
    irq_reg reg;
    uint32_t first;
    unsigned bits;
    *val = 0;
    if (off % size)
        goto raz;
    if (off >= GICSIM_GICR_SGI_BASE && off < 2u * GICSIM_GICR_SGI_BASE) {
        uint32_t o = off - GICSIM_GICR_SGI_BASE;
        /* Only the first register of each array exists in SGI_base (INTIDs 0..31);
         * GICR_IGRPMODR0 is RAZ/WI when DS=1. */
        if (irq_reg_decode(o, &reg, &first, &bits) && first < GICSIM_SPI_BASE &&
            irq_reg_width_ok(reg, size) && !(reg == IRQ_REG_GRPMOD && g->ds)) {
            *val = irq_reg_read(g, pe, reg, first, size * 8u / bits);
            return GICSIM_OK;
        }
        goto raz;
    }
    if (off == GICSIM_GICR_TYPER && size == 8) {
        *val = typer_read(g, pe);
        return GICSIM_OK;
    }
    if (lpi_gicr_read(g, pe, off, size, val))
        return GICSIM_OK;
    if (size != 4)
        goto raz;
    switch (off) {
    case GICSIM_GICR_STATUSR:
        return GICSIM_OK;
    case GICSIM_GICR_IIDR:
        *val = 0x4700043Bu;
        return GICSIM_OK;
    case GICSIM_GICR_TYPER:
        *val = typer_read(g, pe) & 0xFFFFFFFFu;
        return GICSIM_OK;
    case GICSIM_GICR_TYPER + 4:
        *val = typer_read(g, pe) >> 32;
        return GICSIM_OK;
    case GICSIM_GICR_WAKER:
        /* ChildrenAsleep follows ProcessorSleep at once: the model has no
         * in-flight traffic to drain. */
        *val =
            rd->asleep ? GICSIM_GICR_WAKER_PROCESSOR_SLEEP | GICSIM_GICR_WAKER_CHILDREN_ASLEEP : 0;
        return GICSIM_OK;
    case GICSIM_GICR_PIDR2:
        *val = (g->cfg.version >= GICSIM_GICV4_0 ? 4u : 3u) << 4;
        return GICSIM_OK;
    default:
        break;
    }
raz:
    g->stats.raz_wi_reads++;
    return GICSIM_OK;
}

gicsim_status gicr_write(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t val)
{
    gic_redist *rd = &g->rd[pe];
    irq_reg reg;
    uint32_t first;
    unsigned bits;
    if (off % size)
        goto wi;
    if (off >= GICSIM_GICR_SGI_BASE && off < 2u * GICSIM_GICR_SGI_BASE) {
        uint32_t o = off - GICSIM_GICR_SGI_BASE;
        if (irq_reg_decode(o, &reg, &first, &bits) && first < GICSIM_SPI_BASE &&
            irq_reg_width_ok(reg, size) && !(reg == IRQ_REG_GRPMOD && g->ds)) {
            irq_reg_write(g, pe, reg, first, size * 8u / bits, (uint32_t)val);
            return GICSIM_OK;
        }
        goto wi;
    }
    if (lpi_gicr_write(g, pe, off, size, val))
        return GICSIM_OK;
    if (size != 4)
        goto wi;
    switch (off) {
    case GICSIM_GICR_STATUSR:
        return GICSIM_OK;
    case GICSIM_GICR_WAKER: {
        bool sleep = (val & GICSIM_GICR_WAKER_PROCESSOR_SLEEP) != 0;
        if (sleep != rd->asleep) {
            rd->asleep = sleep;
            gicr_reselect(g, pe);
        }
        return GICSIM_OK;
    }
    default:
        break;
    }
wi:
    g->stats.raz_wi_writes++;
    return GICSIM_OK;
}
