/* gicsim: the GIC as a whole: creation, the public entry points that
 * dispatch to the blocks, the IRQ/FIQ outputs, observers and statistics. */
#include "gic_internal.h"
#include "gic_invariants.h"
#include "gicv5_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PES 4096u
#define MAX_SPIS (GICSIM_SPI_MAX + 1u - GICSIM_SPI_BASE) /* 988 */

void gicsim_gic_config_init(gicsim_gic_config *cfg)
{
    if (!cfg)
        return;
    *cfg = (gicsim_gic_config){
        .version = GICSIM_GICV3,
        .num_pes = 4,
        .num_spis = 96,
        .priority_bits = 5,
        .security_disabled = true,
        .one_of_n = true,
        .pes_per_cluster = 16,
        .num_lrs = 4,
        .lpi_id_bits = 16,
        .its = true,
        .its_cache_entries = 32,
        .sockets = 1,
        .vpt_dirty = true,
        .timing = NULL,
        .iwb_wires = 64,
        .iwb_device_id = 0xFFFF,
    };
}

static bool config_valid(const gicsim_gic_config *c)
{
    bool version_ok = c->version == GICSIM_GICV3 || c->version == GICSIM_GICV4_0 ||
                      c->version == GICSIM_GICV4_1 || c->version == GICSIM_GICV5;
    /* GICv5: an IRS has 1..5 priority bits (4 or 5 here, the CPU interface's); the IWB has
     * whole groups of 32 wires; DeviceIDs have 16 bits. */
    bool v5_ok = c->version != GICSIM_GICV5 ||
                 (c->priority_bits <= 5 && c->iwb_wires % 32u == 0 && c->iwb_wires <= 1024 &&
                  c->iwb_device_id < (1u << GICSIM_GICV5_DEVICEID_BITS));
    return version_ok && v5_ok && c->num_pes >= 1 && c->num_pes <= MAX_PES &&
           c->num_spis <= MAX_SPIS && c->priority_bits >= 4 && c->priority_bits <= 8 &&
           c->pes_per_cluster >= 1 && c->pes_per_cluster <= 16 &&
           c->num_pes / c->pes_per_cluster <= 0xFFFFu && c->num_lrs >= 1 &&
           c->num_lrs <= GICSIM_MAX_LRS && c->lpi_id_bits >= 14 && c->lpi_id_bits <= 20 &&
           c->its_cache_entries <= 4096 && c->sockets >= 1 && c->sockets <= c->num_pes;
}

gicsim_status gicsim_gic_create(gicsim_engine *engine, const gicsim_gic_config *cfg,
                                gicsim_gic **out)
{
    if (!engine || !cfg || !out || !config_valid(cfg))
        return GICSIM_E_INVAL;
    *out = NULL;
    gicsim_gic *g = calloc(1, sizeof *g);
    if (!g)
        return GICSIM_E_NOMEM;
    g->engine = engine;
    g->cfg = *cfg;
    if (cfg->timing)
        g->timing = *cfg->timing;
    else
        gicsim_timing_init(&g->timing);
    g->cfg.timing = &g->timing;
    g->t_dist_to_redist = gicsim_timing_ps(&g->timing, GICSIM_COST_DIST_TO_REDIST);
    g->t_redist_to_cpuif = gicsim_timing_ps(&g->timing, GICSIM_COST_REDIST_TO_CPUIF);
    g->t_sgi_route = gicsim_timing_ps(&g->timing, GICSIM_COST_SGI_ROUTE);
    g->t_socket_hop = gicsim_timing_ps(&g->timing, GICSIM_COST_SOCKET_HOP);
    g->t_lpi_config_read = gicsim_timing_ps(&g->timing, GICSIM_COST_LPI_CONFIG_READ);
    g->prio_mask = (uint8_t)(0xFFu << (8 - cfg->priority_bits));
    g->prebits = cfg->priority_bits > 7 ? 7 : cfg->priority_bits;

    g->cpu = calloc(cfg->num_pes, sizeof *g->cpu);
    if (gic_is_v5(g)) {
        /* GICv5: the shared memory, lines and observers, and the GICv5 blocks only. */
        gicsim_status st = g->cpu ? mem_create(&g->mem, g->engine) : GICSIM_E_NOMEM;
        if (st == GICSIM_OK)
            st = gicv5_create(g);
        GICSIM_INV(if (st == GICSIM_OK) st = inv_gic_init(g));
        if (st != GICSIM_OK) {
            gicsim_gic_destroy(g);
            return st;
        }
        *out = g;
        return GICSIM_OK;
    }
    g->rd = calloc(cfg->num_pes, sizeof *g->rd);
    gicsim_status st = g->rd && g->cpu ? gicd_init(g) : GICSIM_E_NOMEM;
    if (st == GICSIM_OK)
        st = vcpuif_init(g);
    if (st == GICSIM_OK)
        st = mem_create(&g->mem, g->engine);
    if (st == GICSIM_OK)
        st = lpi_init(g);
    if (st == GICSIM_OK && cfg->its)
        st = its_create(g);
    if (st != GICSIM_OK) {
        gicsim_gic_destroy(g);
        return st;
    }
    for (uint32_t pe = 0; pe < cfg->num_pes; pe++) {
        gicr_init(g, pe);
        icc_init(g, pe);
    }
    GICSIM_INV(if ((st = inv_gic_init(g)) != GICSIM_OK) {
        gicsim_gic_destroy(g);
        return st;
    });
    *out = g;
    return GICSIM_OK;
}

/* Messages in flight between the blocks are engine events that point at the
 * GIC: destroy the GIC only once its engine will not run again (or destroy
 * the engine first). */
void gicsim_gic_destroy(gicsim_gic *g)
{
    if (!g)
        return;
    GICSIM_INV(inv_gic_free(g));
    gicv5_destroy(g);
    its_free(g);
    gicd_free(g);
    vcpuif_free(g);
    lpi_free(g);
    mem_free(g->mem);
    free(g->rd);
    free(g->cpu);
    free(g);
}

gicsim_engine *gicsim_gic_engine(const gicsim_gic *g)
{
    return g ? g->engine : NULL;
}

uint32_t gicsim_gic_num_pes(const gicsim_gic *g)
{
    return g ? g->cfg.num_pes : 0;
}

uint32_t gicsim_gic_num_spis(const gicsim_gic *g)
{
    return g ? g->num_spis : 0;
}

/* PE n sits in cluster n / pes_per_cluster: Aff0 = n % pes_per_cluster,
 * Aff1 and Aff2 hold the cluster number, Aff3 = 0. */
uint64_t gicsim_gic_pe_affinity(const gicsim_gic *g, uint32_t pe)
{
    if (!g || pe >= g->cfg.num_pes)
        return 0;
    uint32_t c = g->cfg.pes_per_cluster;
    uint64_t cluster = pe / c;
    return (pe % c) | ((cluster & 0xFFu) << 8) | (((cluster >> 8) & 0xFFu) << 16);
}

gicsim_status gicsim_gic_pe_from_affinity(const gicsim_gic *g, uint64_t aff, uint32_t *pe_out)
{
    if (!g)
        return GICSIM_E_INVAL;
    uint32_t c = g->cfg.pes_per_cluster;
    uint64_t aff0 = aff & 0xFFu, cluster = ((aff >> 8) & 0xFFu) | (((aff >> 16) & 0xFFu) << 8);
    if (((aff >> 32) & 0xFFu) != 0 || aff0 >= c)
        return GICSIM_E_NOTFOUND;
    uint64_t pe = cluster * c + aff0;
    if (pe >= g->cfg.num_pes)
        return GICSIM_E_NOTFOUND;
    if (pe_out)
        *pe_out = (uint32_t)pe;
    return GICSIM_OK;
}

void gicsim_gic_os_init(gicsim_gic *g)
{
    if (!g)
        return;
    if (g->v5) {
        gicv5_os_init(g);
        return;
    }
    uint32_t ctlr = GICSIM_GICD_CTLR_ENABLE_GRP1NS;
    gicsim_gicd_write(g, GICSIM_GICD_CTLR, 4, ctlr);
    for (uint32_t first = GICSIM_SPI_BASE; first < GICSIM_SPI_BASE + g->num_spis; first += 32) {
        gicsim_gicd_write(g, GICSIM_GICD_ICENABLER + first / 8, 4, 0xFFFFFFFFu);
        gicsim_gicd_write(g, GICSIM_GICD_IGROUPR + first / 8, 4, 0xFFFFFFFFu);
    }
    for (uint32_t intid = GICSIM_SPI_BASE; intid < GICSIM_SPI_BASE + g->num_spis; intid++) {
        gicsim_gicd_write(g, GICSIM_GICD_IPRIORITYR + intid, 1, 0xA0);
        gicsim_gicd_write(g, GICSIM_GICD_IROUTER + 8 * intid, 8, 0);
    }
    for (uint32_t first = GICSIM_SPI_BASE; first < GICSIM_SPI_BASE + g->num_spis; first += 16)
        gicsim_gicd_write(g, GICSIM_GICD_ICFGR + first / 4, 4, 0);
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++) {
        gicsim_gicr_write(g, pe, GICSIM_GICR_WAKER, 4, 0);
        gicsim_gicr_write(g, pe, GICSIM_GICR_IGROUPR0, 4, 0xFFFFFFFFu);
        gicsim_gicr_write(g, pe, GICSIM_GICR_ICENABLER0, 4, 0xFFFF0000u);
        gicsim_gicr_write(g, pe, GICSIM_GICR_ISENABLER0, 4, 0x0000FFFFu);
        for (uint32_t i = 0; i < 32; i += 4)
            gicsim_gicr_write(g, pe, GICSIM_GICR_IPRIORITYR + i, 4, 0xA0A0A0A0u);
        gicsim_icc_write(g, pe, GICSIM_ICC_PMR, 0xFF);
        gicsim_icc_write(g, pe, GICSIM_ICC_BPR1, 0);
        gicsim_icc_write(g, pe, GICSIM_ICC_CTLR, 0);
        gicsim_icc_write(g, pe, GICSIM_ICC_IGRPEN1, 1);
    }
}

/* ---- Wires ---------------------------------------------------------------- */

gicsim_status gicsim_gic_set_line(gicsim_gic *g, uint32_t pe, uint32_t intid, bool level)
{
    if (!g)
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED; /* gicsim_gicv5_set_line */
    if (intid < GICSIM_PPI_BASE || intid >= GICSIM_LPI_BASE)
        return GICSIM_E_RANGE; /* SGIs and LPIs have no wire */
    if (intid < GICSIM_SPI_BASE && pe >= g->cfg.num_pes)
        return GICSIM_E_RANGE;
    gic_irq *irq = gic_irq_lookup(g, pe, intid);
    if (!irq)
        return GICSIM_E_RANGE;
    irq_set_line(g, irq, level);
    return GICSIM_OK;
}

gicsim_status gicsim_gic_pulse(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gicsim_status st = gicsim_gic_set_line(g, pe, intid, true);
    return st == GICSIM_OK ? gicsim_gic_set_line(g, pe, intid, false) : st;
}

/* ---- Register access entry points --------------------------------------------- */

static bool size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

gicsim_status gicsim_gicd_read(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t *val)
{
    if (!g || !val || !size_ok(size))
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED;
    return gicd_read(g, offset, size, val);
}

gicsim_status gicsim_gicd_write(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t val)
{
    if (!g || !size_ok(size))
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED;
    return gicd_write(g, offset, size, val);
}

gicsim_status gicsim_gicr_read(gicsim_gic *g, uint32_t pe, uint32_t offset, unsigned size,
                               uint64_t *val)
{
    if (!g || !val || !size_ok(size))
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED;
    if (pe >= g->cfg.num_pes)
        return GICSIM_E_RANGE;
    return gicr_read(g, pe, offset, size, val);
}

gicsim_status gicsim_gicr_write(gicsim_gic *g, uint32_t pe, uint32_t offset, unsigned size,
                                uint64_t val)
{
    if (!g || !size_ok(size))
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED;
    if (pe >= g->cfg.num_pes)
        return GICSIM_E_RANGE;
    return gicr_write(g, pe, offset, size, val);
}

gicsim_status gicsim_icc_read(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t *val)
{
    if (!g || !val)
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED;
    if (pe >= g->cfg.num_pes || (unsigned)reg >= GICSIM_ICC__COUNT)
        return GICSIM_E_RANGE;
    return icc_read(g, pe, reg, val);
}

gicsim_status gicsim_icc_write(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t val)
{
    if (!g)
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED;
    if (pe >= g->cfg.num_pes || (unsigned)reg >= GICSIM_ICC__COUNT)
        return GICSIM_E_RANGE;
    return icc_write(g, pe, reg, val);
}

static const char *const icc_names[GICSIM_ICC__COUNT] = {
    [GICSIM_ICC_IAR0] = "ICC_IAR0_EL1",       [GICSIM_ICC_IAR1] = "ICC_IAR1_EL1",
    [GICSIM_ICC_EOIR0] = "ICC_EOIR0_EL1",     [GICSIM_ICC_EOIR1] = "ICC_EOIR1_EL1",
    [GICSIM_ICC_DIR] = "ICC_DIR_EL1",         [GICSIM_ICC_HPPIR0] = "ICC_HPPIR0_EL1",
    [GICSIM_ICC_HPPIR1] = "ICC_HPPIR1_EL1",   [GICSIM_ICC_PMR] = "ICC_PMR_EL1",
    [GICSIM_ICC_BPR0] = "ICC_BPR0_EL1",       [GICSIM_ICC_BPR1] = "ICC_BPR1_EL1",
    [GICSIM_ICC_RPR] = "ICC_RPR_EL1",         [GICSIM_ICC_CTLR] = "ICC_CTLR_EL1",
    [GICSIM_ICC_IGRPEN0] = "ICC_IGRPEN0_EL1", [GICSIM_ICC_IGRPEN1] = "ICC_IGRPEN1_EL1",
    [GICSIM_ICC_SGI0R] = "ICC_SGI0R_EL1",     [GICSIM_ICC_SGI1R] = "ICC_SGI1R_EL1",
    [GICSIM_ICC_ASGI1R] = "ICC_ASGI1R_EL1",   [GICSIM_ICC_AP0R0] = "ICC_AP0R0_EL1",
    [GICSIM_ICC_AP0R1] = "ICC_AP0R1_EL1",     [GICSIM_ICC_AP0R2] = "ICC_AP0R2_EL1",
    [GICSIM_ICC_AP0R3] = "ICC_AP0R3_EL1",     [GICSIM_ICC_AP1R0] = "ICC_AP1R0_EL1",
    [GICSIM_ICC_AP1R1] = "ICC_AP1R1_EL1",     [GICSIM_ICC_AP1R2] = "ICC_AP1R2_EL1",
    [GICSIM_ICC_AP1R3] = "ICC_AP1R3_EL1",     [GICSIM_ICC_SRE] = "ICC_SRE_EL1",
};

const char *gicsim_icc_reg_name(gicsim_icc_reg reg)
{
    return (unsigned)reg < GICSIM_ICC__COUNT ? icc_names[reg] : NULL;
}

/* ---- Outputs, observers, propagation ---------------------------------------------- */

gicsim_status gicsim_gic_add_line_listener(gicsim_gic *g, gicsim_line_fn fn, void *ctx)
{
    if (!g || !fn)
        return GICSIM_E_INVAL;
    if (g->n_listeners == GIC_MAX_LISTENERS)
        return GICSIM_E_FULL;
    g->listeners[g->n_listeners++] = (gic_listener){fn, ctx};
    return GICSIM_OK;
}

_Static_assert(GICSIM_GEV__COUNT <= 32, "an observer's kinds are a 32-bit mask");

gicsim_status gic_add_observer_kinds(gicsim_gic *g, gicsim_gic_observer_fn fn, void *ctx,
                                     uint32_t kinds)
{
    if (!g || !fn)
        return GICSIM_E_INVAL;
    if (g->n_observers == GIC_MAX_LISTENERS)
        return GICSIM_E_FULL;
    g->observers[g->n_observers++] = (gic_observer){fn, ctx, kinds};
    g->observed_kinds |= kinds;
    return GICSIM_OK;
}

gicsim_status gicsim_gic_add_observer(gicsim_gic *g, gicsim_gic_observer_fn fn, void *ctx)
{
    return gic_add_observer_kinds(g, fn, ctx, GIC_ALL_KINDS);
}

bool gicsim_gic_irq_line(const gicsim_gic *g, uint32_t pe)
{
    return g && pe < g->cfg.num_pes && g->cpu[pe].irq;
}

bool gicsim_gic_fiq_line(const gicsim_gic *g, uint32_t pe)
{
    return g && pe < g->cfg.num_pes && g->cpu[pe].fiq;
}

void gic_emit_observed(gicsim_gic *g, gicsim_gic_event_kind kind, uint32_t pe, uint32_t intid)
{
    uint32_t bit = 1u << kind;
    /* Padding zeroed too: an observer may compare or write events bytewise. */
    gicsim_gic_event ev;
    memset(&ev, 0, sizeof ev);
    ev.time = engine_now(g->engine);
    ev.kind = kind;
    ev.pe = pe;
    ev.intid = intid;
    for (unsigned i = 0; i < g->n_observers; i++)
        if (g->observers[i].kinds & bit)
            g->observers[i].fn(g->observers[i].ctx, &ev);
}

void gic_set_lines(gicsim_gic *g, uint32_t pe, bool irq, bool fiq)
{
    gic_cpuif *c = &g->cpu[pe];
    if (c->irq == irq && c->fiq == fiq)
        return;
    c->irq = irq;
    c->fiq = fiq;
    for (unsigned i = 0; i < g->n_listeners; i++)
        g->listeners[i].fn(g->listeners[i].ctx, pe, irq, fiq);
}

static const char *const event_names[GICSIM_GEV__COUNT] = {
    [GICSIM_GEV_RAISE] = "raise",
    [GICSIM_GEV_MERGE] = "merge",
    [GICSIM_GEV_SIGNAL] = "signal",
    [GICSIM_GEV_ACK] = "ack",
    [GICSIM_GEV_WITHDRAW] = "withdraw",
    [GICSIM_GEV_PRIO_DROP] = "prio_drop",
    [GICSIM_GEV_DEACTIVATE] = "deactivate",
    [GICSIM_GEV_SGI_SEND] = "sgi_send",
    [GICSIM_GEV_VSIGNAL] = "vsignal",
    [GICSIM_GEV_VACK] = "vack",
    [GICSIM_GEV_VPRIO_DROP] = "vprio_drop",
    [GICSIM_GEV_VDEACTIVATE] = "vdeactivate",
    [GICSIM_GEV_MAINTENANCE] = "maintenance",
    [GICSIM_GEV_VLPI] = "vlpi",
    [GICSIM_GEV_DOORBELL] = "doorbell",
    [GICSIM_GEV_ITS_COMMAND] = "its_command",
    [GICSIM_GEV_ITS_TRANSLATE] = "its_translate",
    [GICSIM_GEV_ITS_DONE] = "its_done",
    [GICSIM_GEV_LR_USED] = "lr_used",
    [GICSIM_GEV_VRAISE] = "vraise",
    [GICSIM_GEV_VMERGE] = "vmerge",
};

const char *gicsim_gic_event_name(gicsim_gic_event_kind kind)
{
    return (unsigned)kind < GICSIM_GEV__COUNT ? event_names[kind] : NULL;
}

gicsim_status gicsim_gic_irq_state(const gicsim_gic *g, uint32_t pe, uint32_t intid,
                                   gicsim_irq_state *out)
{
    if (!g || !out)
        return GICSIM_E_INVAL;
    if (g->v5)
        return GICSIM_E_UNSUPPORTED; /* gicsim_gicv5_irq_state */
    if (intid < GICSIM_SPI_BASE && pe >= g->cfg.num_pes)
        return GICSIM_E_RANGE;
    const gic_irq *irq = gic_irq_lookup((gicsim_gic *)g, pe, intid);
    if (!irq && intid >= GICSIM_LPI_BASE && pe < g->cfg.num_pes &&
        intid < (1u << g->cfg.lpi_id_bits)) {
        *out = GICSIM_IRQ_INACTIVE; /* an LPI the redistributor has no state for */
        return GICSIM_OK;
    }
    if (!irq)
        return GICSIM_E_RANGE;
    *out = irq_state(irq);
    return GICSIM_OK;
}

void gicsim_gic_get_stats(const gicsim_gic *g, gicsim_gic_stats *out)
{
    if (g && out)
        *out = g->stats;
}
