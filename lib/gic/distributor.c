/* gicsim: the Distributor (GICD).
 *
 * Owns the SPIs (INTIDs 32..31+num_spis): their state lives in gic_irq
 * records driven by irq.c, their routing in GICD_IROUTER<n>. Implements the
 * GICD register frame with affinity routing always enabled (ARE RAO/WI), so
 * the registers for INTIDs 0..31 are RAZ/WI here: those interrupts are
 * banked in each redistributor.
 */
#include "gic_internal.h"

#include <stdlib.h>

#define IROUTER_AFF_MASK 0xFF00FFFFFFull /* Aff3[39:32] Aff2[23:16] Aff1[15:8] Aff0[7:0] */

gicsim_status gicd_init(gicsim_gic *g)
{
    g->num_spis = g->cfg.num_spis;
    if (g->num_spis) {
        g->spis = calloc(g->num_spis, sizeof *g->spis);
        g->irouter = calloc(g->num_spis, sizeof *g->irouter);
        if (!g->spis || !g->irouter)
            return GICSIM_E_NOMEM;
    }
    /* Reset: disabled, inactive, Group 0, priority 0, level-sensitive,
     * IROUTER = 0 (PE with affinity 0.0.0.0, which is PE 0). */
    for (uint32_t i = 0; i < g->num_spis; i++) {
        g->spis[i].intid = GICSIM_SPI_BASE + i;
        g->spis[i].target = 0;
    }
    g->ds = g->cfg.security_disabled;
    return GICSIM_OK;
}

void gicd_free(gicsim_gic *g)
{
    free(g->spis);
    free(g->irouter);
    g->spis = NULL;
    g->irouter = NULL;
}

bool gicd_is_1ofn(const gicsim_gic *g, const gic_irq *irq)
{
    return (g->irouter[irq->intid - GICSIM_SPI_BASE] & GICSIM_GICD_IROUTER_IRM) != 0;
}

/* 1-of-N (IROUTER.Interrupt_Routing_Mode=1): the architecture leaves the choice
 * of PE to the implementation. gicsim picks, round robin from the PE after the
 * last one chosen, the first PE whose redistributor is awake and whose CPU
 * interface has the interrupt's group enabled; if none qualifies, the next PE
 * in round-robin order. */
uint32_t gicd_choose_1ofn(gicsim_gic *g, const gic_irq *irq)
{
    uint32_t n = g->cfg.num_pes;
    gic_group grp = irq_group(g, irq);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t pe = (g->one_of_n_next + k) % n;
        if (!g->rd[pe].asleep && icc_group_enabled(g, pe, grp)) {
            g->one_of_n_next = (pe + 1) % n;
            return pe;
        }
    }
    uint32_t pe = g->one_of_n_next % n;
    g->one_of_n_next = (pe + 1) % n;
    return pe;
}

static void set_irouter(gicsim_gic *g, uint32_t intid, uint64_t val)
{
    uint64_t mask = IROUTER_AFF_MASK | (g->cfg.one_of_n ? GICSIM_GICD_IROUTER_IRM : 0);
    val &= mask;
    gic_irq *irq = &g->spis[intid - GICSIM_SPI_BASE];
    g->irouter[intid - GICSIM_SPI_BASE] = val;
    if (val & GICSIM_GICD_IROUTER_IRM) {
        /* Keep the current target until the interrupt next becomes a candidate. */
        if (irq->target == GIC_NO_PE)
            irq_retarget(g, irq, gicd_choose_1ofn(g, irq));
        return;
    }
    uint32_t pe;
    /* An affinity that names no PE: the interrupt is not forwarded. */
    if (gicsim_gic_pe_from_affinity(g, val, &pe) != GICSIM_OK)
        pe = GIC_NO_PE;
    irq_retarget(g, irq, pe);
}

static uint32_t ctlr_read(const gicsim_gic *g)
{
    uint32_t v = GICSIM_GICD_CTLR_ARE | (g->nassgireq ? GICSIM_GICD_CTLR_NASSGIREQ : 0);
    if (g->ds) {
        v |= GICSIM_GICD_CTLR_DS;
        v |= g->grp_enabled[GIC_G0] ? GICSIM_GICD_CTLR_ENABLE_GRP0 : 0;
        v |= g->grp_enabled[GIC_G1NS] ? GICSIM_GICD_CTLR_ENABLE_GRP1 : 0;
    } else {
        v |= GICSIM_GICD_CTLR_ARE_NS;
        v |= g->grp_enabled[GIC_G0] ? GICSIM_GICD_CTLR_ENABLE_GRP0 : 0;
        v |= g->grp_enabled[GIC_G1NS] ? GICSIM_GICD_CTLR_ENABLE_GRP1NS : 0;
        v |= g->grp_enabled[GIC_G1S] ? GICSIM_GICD_CTLR_ENABLE_GRP1S : 0;
    }
    return v;
}

/* Group enables are writable; ARE is RAO/WI and DS is fixed by configuration.
 * RWP always reads 0: register writes take effect at once in the model.
 * nASSGIreq (GICv4.1, GICD_TYPER2.nASSGIcap=1) is stored and read back; it
 * is the request for SGIs without an active state that a hypervisor emulates
 * for its guests (the vSGIs the GIC delivers directly never have an active
 * state); physical SGIs keep theirs. RES0 before GICv4.1. */
static void ctlr_write(gicsim_gic *g, uint32_t v)
{
    if (g->cfg.version == GICSIM_GICV4_1)
        g->nassgireq = (v & GICSIM_GICD_CTLR_NASSGIREQ) != 0;
    bool en[3] = {
        (v & GICSIM_GICD_CTLR_ENABLE_GRP0) != 0,
        (v & GICSIM_GICD_CTLR_ENABLE_GRP1NS) != 0,
        !g->ds && (v & GICSIM_GICD_CTLR_ENABLE_GRP1S) != 0,
    };
    if (en[0] == g->grp_enabled[0] && en[1] == g->grp_enabled[1] && en[2] == g->grp_enabled[2])
        return;
    for (int i = 0; i < 3; i++)
        g->grp_enabled[i] = en[i];
    irq_refresh_all(g);
}

static uint32_t typer_read(const gicsim_gic *g)
{
    uint32_t lines = (GICSIM_SPI_BASE + g->num_spis + 31u) / 32u - 1u; /* ITLinesNumber */
    uint32_t cpus = g->cfg.num_pes > 8 ? 7u : g->cfg.num_pes - 1u;
    uint32_t v = lines & 0x1Fu;
    v |= cpus << 5;
    v |= (g->cfg.security_disabled ? 0u : 1u) << 10; /* SecurityExtn */
    v |= 1u << 16; /* MBIS: GICD_SETSPI_NSR/CLRSPI_NSR are implemented (reserved when 0) */
    v |= GICSIM_GICD_TYPER_LPIS; /* num_LPIs[15:11] = 0: IDbits gives the LPI range */
    v |= (g->cfg.version >= GICSIM_GICV4_0 ? 1u : 0u) << 18; /* DVIS */
    v |= (uint32_t)(g->cfg.lpi_id_bits - 1u) << 19;          /* IDbits: INTID bits - 1 */
    v |= (g->cfg.one_of_n ? 0u : 1u) << 25;                  /* No1N */
    return v;
}

static uint32_t pidr2_read(const gicsim_gic *g)
{
    return (g->cfg.version >= GICSIM_GICV4_0 ? 4u : 3u) << 4; /* ArchRev */
}

/* SETSPI/CLRSPI: message-based SPIs. For an edge-triggered SPI SETSPI latches
 * pending and CLRSPI clears the latch; for a level-sensitive SPI they assert
 * and de-assert the (virtual) line. */
static void setclr_spi(gicsim_gic *g, uint32_t intid, bool set)
{
    gic_irq *irq = intid >= GICSIM_SPI_BASE ? gic_irq_lookup(g, 0, intid) : NULL;
    if (!irq) {
        g->stats.raz_wi_writes++;
        return;
    }
    if (!(irq->flags & IRQF_EDGE)) {
        irq_set_line(g, irq, set);
    } else if (set) {
        irq_raise(g, irq);
    } else {
        uint8_t old = irq->flags;
        irq->flags &= (uint8_t)~IRQF_LATCH;
        irq_commit(g, irq, old, IRQ_BY_SOFTWARE);
    }
}

/* GICD_IGRPMODR<n> exists only with two Security states: DS=1 makes it RAZ/WI. */
static bool grpmod_raz(const gicsim_gic *g, irq_reg reg)
{
    return reg == IRQ_REG_GRPMOD && g->ds;
}

gicsim_status gicd_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val)
{
    irq_reg reg;
    uint32_t first;
    unsigned bits;
    *val = 0;
    if (off % size)
        goto raz;
    if (off >= GICSIM_GICD_IROUTER && off < GICSIM_GICD_IROUTER + 8u * 1024u) {
        uint32_t intid = (off - GICSIM_GICD_IROUTER) / 8u;
        if (intid < GICSIM_SPI_BASE || !gic_irq_lookup(g, 0, intid) || size < 4)
            goto raz;
        uint64_t r = g->irouter[intid - GICSIM_SPI_BASE];
        *val = size == 8 ? r : (off & 4) ? r >> 32 : r & 0xFFFFFFFFu;
        return GICSIM_OK;
    }
    if (irq_reg_decode(off, &reg, &first, &bits)) {
        /* With ARE=1 the entries for INTIDs 0..31 are RAZ/WI (banked in GICR);
         * with DS=1 the whole of GICD_IGRPMODR<n> is RAZ/WI. */
        if (!irq_reg_width_ok(reg, size) || first < GICSIM_SPI_BASE || grpmod_raz(g, reg))
            goto raz;
        if (!gic_irq_lookup(g, 0, first))
            goto raz;
        *val = irq_reg_read(g, 0, reg, first, size * 8u / bits);
        return GICSIM_OK;
    }
    if (size != 4)
        goto raz;
    switch (off) {
    case GICSIM_GICD_CTLR:
        *val = ctlr_read(g);
        return GICSIM_OK;
    case GICSIM_GICD_TYPER:
        *val = typer_read(g);
        return GICSIM_OK;
    case GICSIM_GICD_IIDR:
        *val = 0x4700043Bu; /* ProductID 0x47, Implementer 0x43B */
        return GICSIM_OK;
    case GICSIM_GICD_TYPER2:
        /* GICv4.1: nASSGIcap=1; VIL=0 (16-bit vPEIDs), so VID=0. */
        *val = g->cfg.version == GICSIM_GICV4_1 ? GICSIM_GICD_TYPER2_NASSGICAP : 0;
        return GICSIM_OK;
    case GICSIM_GICD_STATUSR:
        return GICSIM_OK;
    case GICSIM_GICD_PIDR2:
        *val = pidr2_read(g);
        return GICSIM_OK;
    default:
        break;
    }
raz:
    g->stats.raz_wi_reads++;
    return GICSIM_OK;
}

gicsim_status gicd_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    irq_reg reg;
    uint32_t first;
    unsigned bits;
    if (off % size)
        goto wi;
    if (off >= GICSIM_GICD_IROUTER && off < GICSIM_GICD_IROUTER + 8u * 1024u) {
        uint32_t intid = (off - GICSIM_GICD_IROUTER) / 8u;
        if (intid < GICSIM_SPI_BASE || !gic_irq_lookup(g, 0, intid) || size < 4)
            goto wi;
        uint64_t r = g->irouter[intid - GICSIM_SPI_BASE];
        if (size == 8)
            r = val;
        else if (off & 4)
            r = (r & 0xFFFFFFFFull) | ((val & 0xFFFFFFFFull) << 32);
        else
            r = (r & ~0xFFFFFFFFull) | (val & 0xFFFFFFFFull);
        set_irouter(g, intid, r);
        return GICSIM_OK;
    }
    if (irq_reg_decode(off, &reg, &first, &bits)) {
        if (!irq_reg_width_ok(reg, size) || first < GICSIM_SPI_BASE || grpmod_raz(g, reg))
            goto wi;
        if (!gic_irq_lookup(g, 0, first))
            goto wi;
        irq_reg_write(g, 0, reg, first, size * 8u / bits, (uint32_t)val);
        return GICSIM_OK;
    }
    if (size != 4)
        goto wi;
    switch (off) {
    case GICSIM_GICD_CTLR:
        ctlr_write(g, (uint32_t)val);
        return GICSIM_OK;
    case GICSIM_GICD_SETSPI_NSR:
        setclr_spi(g, (uint32_t)val & 0x1FFFu, true);
        return GICSIM_OK;
    case GICSIM_GICD_CLRSPI_NSR:
        setclr_spi(g, (uint32_t)val & 0x1FFFu, false);
        return GICSIM_OK;
    case GICSIM_GICD_STATUSR: /* write-1-to-clear error syndromes; none are recorded */
        return GICSIM_OK;
    default:
        break; /* read-only, reserved, ITARGETSR/SGIR (RAZ/WI with ARE), NSACR */
    }
wi:
    g->stats.raz_wi_writes++;
    return GICSIM_OK;
}
