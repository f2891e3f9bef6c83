/* gicsim: the GICv5 as a whole (<gicsim/gicv5.h>, docs/gicv5.md): creation inside a
 * gicsim_gic of version GICSIM_GICV5, the public entry points that check their arguments and
 * dispatch to the blocks, the accounting of interrupt instances, the boot state an OS leaves,
 * inspection and statistics. */
#include "gicv5_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- Life cycle ---------------------------------------------------------------------------- */

static gicsim_time_t cost(const gicsim_gic *g, gicsim_cost_id id)
{
    return gicsim_timing_ps(&g->timing, id);
}

gicsim_status gicv5_create(gicsim_gic *g)
{
    gic_v5 *v = calloc(1, sizeof *v);
    if (!v)
        return GICSIM_E_NOMEM;
    g->v5 = v;
    v->t_irs_to_cpuif = cost(g, GICSIM_COST_GICV5_IRS_TO_CPUIF);
    v->t_cpuif_to_irs = cost(g, GICSIM_COST_GICV5_CPUIF_TO_IRS);
    v->t_irs_op = cost(g, GICSIM_COST_GICV5_IRS_OP);
    v->t_ist_read = cost(g, GICSIM_COST_GICV5_IST_READ);
    v->t_ist_hit = cost(g, GICSIM_COST_GICV5_IST_HIT);
    v->t_its_translate = cost(g, GICSIM_COST_GICV5_ITS_TRANSLATE);
    v->t_its_to_irs = cost(g, GICSIM_COST_GICV5_ITS_TO_IRS);
    v->t_its_hit = cost(g, GICSIM_COST_ITS_CACHE_HIT);
    v->t_its_read = cost(g, GICSIM_COST_ITS_TABLE_READ);
    v->t_its_cmd = cost(g, GICSIM_COST_ITS_COMMAND);
    v->t_iwb_event = cost(g, GICSIM_COST_GICV5_IWB_EVENT);
    v->t_vpe_resident = cost(g, GICSIM_COST_GICV5_VPE_RESIDENT);
    v->t_doorbell = cost(g, GICSIM_COST_GICV5_DOORBELL);
    v->cpu = calloc(g->cfg.num_pes, sizeof *v->cpu);
    if (!v->cpu)
        return GICSIM_E_NOMEM;
    gicsim_status st = irs_init(g);
    if (st == GICSIM_OK && g->cfg.its)
        st = its_v5_init(g);
    if (st == GICSIM_OK && g->cfg.its && g->cfg.iwb_wires)
        st = iwb_init(g);
    if (st != GICSIM_OK)
        return st;
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        cpuif_v5_init(g, pe);
    g->num_spis = g->cfg.num_spis;
    GICSIM_INV(st = inv_v5_init(g));
    return st;
}

void gicv5_destroy(gicsim_gic *g)
{
    gic_v5 *v = g->v5;
    if (!v)
        return;
    GICSIM_INV(inv_v5_free(g));
    iwb_free(g);
    its_v5_free(g);
    virt_free(g);
    irs_free(g);
    free(v->cpu);
    free(v);
    g->v5 = NULL;
}

/* What Linux's irq-gic-v5 driver leaves: IRS enabled (gicv5_irs_init_bases), every PE
 * registered with 1-of-N selection disabled (gicv5_irs_register_cpu: PE_CR0.DPS=1), every CPU
 * interface enabled with its PPIs disabled at the lowest priority and PCR at the lowest
 * priority (gicv5_cpu_enable_interrupts). The IST needs memory: software sets it up. */
void gicv5_os_init(gicsim_gic *g)
{
    gic_v5 *v = g->v5;
    v->irs.cr0 = GICSIM_GICV5_IRS_CR0_IRSEN;
    v->irs.cr1 = 0xFFFDu; /* write-allocate, read-allocate, WB, inner shareable */
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++) {
        v5_cpu *c = &v->cpu[pe];
        v->irs.pe_dps[pe] = true;
        c->ppi_en[0] = c->ppi_en[1] = 0;
        for (unsigned i = 0; i < 16; i++)
            c->ppi_pri[i] = 0x1F1F1F1F1F1F1F1Full;
        c->pcr = 0x1F;
        c->cr0 = GICSIM_GICV5_ICC_CR0_EN;
    }
    irs_rebuild(g);
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++)
        cpuif_v5_update(g, pe);
}

gicsim_time_t v5_hop(const gicsim_gic *g, gicsim_time_t base, uint32_t pe)
{
    return base + gic_hop(g, 0, gic_pe_socket(g, pe));
}

bool gicv5_virq_line(const gicsim_gic *g, uint32_t pe)
{
    return pe < g->cfg.num_pes && g->v5->cpu[pe].virq;
}

/* ---- Accounting ----------------------------------------------------------------------------- */

void v5_account(gicsim_gic *g, bool virt, uint32_t pe, uint32_t intid, uint32_t old, uint32_t now,
                bool by_ack)
{
    bool was = iste_counted(old), is = iste_counted(now);
    if (was == is)
        return;
    if (virt) {
        gicsim_gicv5_stats *s = &g->v5->st;
        if (is) {
            s->vraised++;
            s->vpending_now++;
        } else {
            s->vpending_now--;
            if (by_ack)
                s->vacknowledged++;
            else
                s->vwithdrawn++;
        }
    } else {
        gicsim_gic_stats *s = &g->stats;
        if (is) {
            s->raised++;
            s->pending_now++;
            gic_emit(g, GICSIM_GEV_RAISE, pe, intid);
        } else {
            s->pending_now--;
            if (by_ack) {
                s->acknowledged++;
            } else {
                s->withdrawn++;
                gic_emit(g, GICSIM_GEV_WITHDRAW, pe, intid);
            }
        }
    }
    GICSIM_INV(inv_v5_account(g, intid));
}

/* ---- Entry points ---------------------------------------------------------------------------- */

static bool size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

/* GICSIM_OK when `g` is a GICv5 and the access is well formed. */
static gicsim_status check(const gicsim_gic *g, unsigned size, bool need_val, const void *val)
{
    if (!g || !size_ok(size) || (need_val && !val))
        return GICSIM_E_INVAL;
    return g->v5 ? GICSIM_OK : GICSIM_E_UNSUPPORTED;
}

gicsim_status gicsim_gicv5_irs_read(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t *val)
{
    gicsim_status st = check(g, size, true, val);
    return st == GICSIM_OK ? irs_read(g, offset, size, val) : st;
}

gicsim_status gicsim_gicv5_irs_write(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t val)
{
    gicsim_status st = check(g, size, false, NULL);
    return st == GICSIM_OK ? irs_write(g, offset, size, val) : st;
}

/* check(), and GICSIM_E_UNSUPPORTED without the block (`its`: the ITS, else the IWB). */
static gicsim_status check_block(const gicsim_gic *g, unsigned size, bool need_val, const void *val,
                                 bool its)
{
    gicsim_status st = check(g, size, need_val, val);
    if (st == GICSIM_OK && (its ? g->v5->its == NULL : g->v5->iwb == NULL))
        st = GICSIM_E_UNSUPPORTED;
    return st;
}

gicsim_status gicsim_gicv5_its_read(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t *val)
{
    gicsim_status st = check_block(g, size, true, val, true);
    return st == GICSIM_OK ? its_v5_read(g, offset, size, val) : st;
}

gicsim_status gicsim_gicv5_its_write(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t val)
{
    gicsim_status st = check_block(g, size, false, NULL, true);
    return st == GICSIM_OK ? its_v5_write(g, offset, size, val) : st;
}

gicsim_status gicsim_gicv5_msi(gicsim_gic *g, uint32_t device_id, uint32_t event_id)
{
    gicsim_status st = check_block(g, 4, false, NULL, true);
    if (st == GICSIM_OK)
        its_v5_event(g, device_id, event_id, EV_EDGE);
    return st;
}

gicsim_status gicsim_gicv5_iwb_read(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t *val)
{
    gicsim_status st = check_block(g, size, true, val, false);
    return st == GICSIM_OK ? iwb_read(g, offset, size, val) : st;
}

gicsim_status gicsim_gicv5_iwb_write(gicsim_gic *g, uint32_t offset, unsigned size, uint64_t val)
{
    gicsim_status st = check_block(g, size, false, NULL, false);
    return st == GICSIM_OK ? iwb_write(g, offset, size, val) : st;
}

gicsim_status gicsim_gicv5_set_wire(gicsim_gic *g, uint32_t wire, bool level)
{
    gicsim_status st = check_block(g, 4, false, NULL, false);
    return st == GICSIM_OK ? iwb_set_wire(g, wire, level) : st;
}

gicsim_status gicsim_gicv5_set_line(gicsim_gic *g, uint32_t pe, uint32_t intid, bool level)
{
    gicsim_status st = check(g, 4, false, NULL);
    if (st != GICSIM_OK)
        return st;
    uint32_t id = GICSIM_GICV5_INTID_ID(intid);
    if (intid & 0x1F000000u)
        return GICSIM_E_RANGE; /* RES0 bits set */
    switch (GICSIM_GICV5_INTID_TYPE(intid)) {
    case GICSIM_GICV5_PPI:
        if (pe >= g->cfg.num_pes || id >= GICSIM_GICV5_PPIS)
            return GICSIM_E_RANGE;
        cpuif_v5_ppi_line(g, pe, id, level);
        return GICSIM_OK;
    case GICSIM_GICV5_SPI:
        if (id >= g->v5->irs.nspis)
            return GICSIM_E_RANGE;
        irs_spi_line(g, id, level);
        return GICSIM_OK;
    default:
        return GICSIM_E_RANGE;
    }
}

static bool is_ich(gicsim_gicv5_sysreg reg)
{
    return reg >= GICSIM_GICV5_ICH_VCTLR;
}

/* check(), and GICSIM_E_RANGE for a PE or register that does not exist. */
static gicsim_status check_sysreg(const gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg,
                                  bool need_val, const void *val)
{
    gicsim_status st = check(g, 8, need_val, val);
    if (st == GICSIM_OK && (pe >= g->cfg.num_pes || (unsigned)reg >= GICSIM_GICV5_SYSREG__COUNT))
        st = GICSIM_E_RANGE;
    return st;
}

gicsim_status gicsim_gicv5_sysreg_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg,
                                       uint64_t *val)
{
    gicsim_status st = check_sysreg(g, pe, reg, true, val);
    if (st != GICSIM_OK)
        return st;
    return is_ich(reg) ? virt_read(g, pe, reg, val) : cpuif_v5_read(g, pe, reg, val);
}

gicsim_status gicsim_gicv5_sysreg_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg,
                                        uint64_t val)
{
    gicsim_status st = check_sysreg(g, pe, reg, false, NULL);
    if (st != GICSIM_OK)
        return st;
    return is_ich(reg) ? virt_write(g, pe, reg, val) : cpuif_v5_write(g, pe, reg, val);
}

gicsim_status gicsim_gicv5_guest_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg,
                                      uint64_t *val)
{
    gicsim_status st = check_sysreg(g, pe, reg, true, val);
    if (st != GICSIM_OK)
        return st;
    return is_ich(reg) ? GICSIM_E_INVAL : guest_read(g, pe, reg, val);
}

gicsim_status gicsim_gicv5_guest_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg,
                                       uint64_t val)
{
    gicsim_status st = check_sysreg(g, pe, reg, false, NULL);
    if (st != GICSIM_OK)
        return st;
    return is_ich(reg) ? GICSIM_E_INVAL : guest_write(g, pe, reg, val);
}

/* ---- Names ---------------------------------------------------------------------------------- */

#define N(r, s) [GICSIM_GICV5_##r] = s
static const char *const sysreg_names[GICSIM_GICV5_SYSREG__COUNT] = {
    N(ICC_CR0, "ICC_CR0_EL1"),
    N(ICC_PCR, "ICC_PCR_EL1"),
    N(ICC_APR, "ICC_APR_EL1"),
    N(ICC_HAPR, "ICC_HAPR_EL1"),
    N(ICC_HPPIR, "ICC_HPPIR_EL1"),
    N(ICC_ICSR, "ICC_ICSR_EL1"),
    N(ICC_IAFFIDR, "ICC_IAFFIDR_EL1"),
    N(ICC_IDR0, "ICC_IDR0_EL1"),
    N(ICC_PPI_ENABLER0, "ICC_PPI_ENABLER0_EL1"),
    N(ICC_PPI_ENABLER1, "ICC_PPI_ENABLER1_EL1"),
    N(ICC_PPI_SPENDR0, "ICC_PPI_SPENDR0_EL1"),
    N(ICC_PPI_SPENDR1, "ICC_PPI_SPENDR1_EL1"),
    N(ICC_PPI_CPENDR0, "ICC_PPI_CPENDR0_EL1"),
    N(ICC_PPI_CPENDR1, "ICC_PPI_CPENDR1_EL1"),
    N(ICC_PPI_SACTIVER0, "ICC_PPI_SACTIVER0_EL1"),
    N(ICC_PPI_SACTIVER1, "ICC_PPI_SACTIVER1_EL1"),
    N(ICC_PPI_CACTIVER0, "ICC_PPI_CACTIVER0_EL1"),
    N(ICC_PPI_CACTIVER1, "ICC_PPI_CACTIVER1_EL1"),
    N(ICC_PPI_HMR0, "ICC_PPI_HMR0_EL1"),
    N(ICC_PPI_HMR1, "ICC_PPI_HMR1_EL1"),
    N(GIC_CDDIS, "GIC_CDDIS"),
    N(GIC_CDEN, "GIC_CDEN"),
    N(GIC_CDPRI, "GIC_CDPRI"),
    N(GIC_CDAFF, "GIC_CDAFF"),
    N(GIC_CDPEND, "GIC_CDPEND"),
    N(GIC_CDRCFG, "GIC_CDRCFG"),
    N(GIC_CDEOI, "GIC_CDEOI"),
    N(GIC_CDDI, "GIC_CDDI"),
    N(GIC_CDHM, "GIC_CDHM"),
    N(GICR_CDIA, "GICR_CDIA"),
    N(GICR_CDNMIA, "GICR_CDNMIA"),
    N(GSB_SYS, "GSB_SYS"),
    N(GSB_ACK, "GSB_ACK"),
    N(ICH_VCTLR, "ICH_VCTLR_EL2"),
    N(ICH_VMCR, "ICH_VMCR_EL2"),
    N(ICH_APR, "ICH_APR_EL2"),
    N(ICH_CONTEXTR, "ICH_CONTEXTR_EL2"),
    N(ICH_PPI_DVIR0, "ICH_PPI_DVIR0_EL2"),
    N(ICH_PPI_DVIR1, "ICH_PPI_DVIR1_EL2"),
    N(ICH_PPI_ENABLER0, "ICH_PPI_ENABLER0_EL2"),
    N(ICH_PPI_ENABLER1, "ICH_PPI_ENABLER1_EL2"),
    N(ICH_PPI_PENDR0, "ICH_PPI_PENDR0_EL2"),
    N(ICH_PPI_PENDR1, "ICH_PPI_PENDR1_EL2"),
    N(ICH_PPI_ACTIVER0, "ICH_PPI_ACTIVER0_EL2"),
    N(ICH_PPI_ACTIVER1, "ICH_PPI_ACTIVER1_EL2"),
    N(GIC_VDPEND, "GIC_VDPEND"),
};
#undef N

#define PRI16(p, s)                                                                                \
    p "0" s, p "1" s, p "2" s, p "3" s, p "4" s, p "5" s, p "6" s, p "7" s, p "8" s, p "9" s,      \
        p "10" s, p "11" s, p "12" s, p "13" s, p "14" s, p "15" s
static const char *const pri_names[2][16] = {{PRI16("ICC_PPI_PRIORITYR", "_EL1")},
                                             {PRI16("ICH_PPI_PRIORITYR", "_EL2")}};
#undef PRI16

const char *gicsim_gicv5_sysreg_name(gicsim_gicv5_sysreg reg)
{
    unsigned r = (unsigned)reg;
    if (r >= GICSIM_GICV5_SYSREG__COUNT)
        return NULL;
    if (r >= GICSIM_GICV5_ICC_PPI_PRIORITYR0 && r <= GICSIM_GICV5_ICC_PPI_PRIORITYR15)
        return pri_names[0][r - GICSIM_GICV5_ICC_PPI_PRIORITYR0];
    if (r >= GICSIM_GICV5_ICH_PPI_PRIORITYR0 && r <= GICSIM_GICV5_ICH_PPI_PRIORITYR15)
        return pri_names[1][r - GICSIM_GICV5_ICH_PPI_PRIORITYR0];
    return sysreg_names[r];
}

/* ---- Inspection ---------------------------------------------------------------------------- */

static gicsim_irq_state state_of(uint32_t e)
{
    return (gicsim_irq_state)(((e & ISTE_PENDING) ? GICSIM_IRQ_PENDING : 0) |
                              ((e & ISTE_ACTIVE) ? GICSIM_IRQ_ACTIVE : 0));
}

/* The state of an entry, from the cache or memory, without caching it. */
static bool peek(const gicsim_gic *g, v5_dom *d, unsigned type, uint32_t id, uint32_t *e)
{
    gicsim_gic *w = (gicsim_gic *)g;
    const v5_irq *r = v5_cached(w, d, type, id);
    if (r) {
        *e = r->iste;
        return true;
    }
    if (!d->virt && type == GICSIM_GICV5_SPI)
        return false;
    uint64_t addr;
    unsigned reads = 0;
    if (!v5_ist_entry(w, &d->ist[type == GICSIM_GICV5_LPI ? IST_LPI : IST_SPI], id, &addr,
                      &reads)) {
        *e = 0;
        return true;
    }
    uint8_t b[4];
    mem_read(g->mem, addr, b, sizeof b);
    *e = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

gicsim_status gicsim_gicv5_irq_state(const gicsim_gic *g, uint32_t pe, uint32_t intid,
                                     gicsim_irq_state *out)
{
    gicsim_status st = check(g, 4, true, out);
    if (st != GICSIM_OK)
        return st;
    uint32_t id = GICSIM_GICV5_INTID_ID(intid), e = 0;
    switch (GICSIM_GICV5_INTID_TYPE(intid)) {
    case GICSIM_GICV5_PPI:
        if (pe >= g->cfg.num_pes || id >= GICSIM_GICV5_PPIS)
            return GICSIM_E_RANGE;
        e = cpuif_v5_ppi_state(g, pe, id);
        break;
    case GICSIM_GICV5_SPI:
        if (id >= g->v5->irs.nspis)
            return GICSIM_E_RANGE;
        e = g->v5->irs.spi[id].iste;
        break;
    case GICSIM_GICV5_LPI:
        if (id >= (1u << g->cfg.lpi_id_bits))
            return GICSIM_E_RANGE;
        peek(g, &g->v5->irs.phys, GICSIM_GICV5_LPI, id, &e);
        break;
    default:
        return GICSIM_E_RANGE;
    }
    *out = state_of(e);
    return GICSIM_OK;
}

gicsim_status gicsim_gicv5_virq_state(const gicsim_gic *g, uint32_t vm, uint32_t intid,
                                      gicsim_irq_state *out)
{
    gicsim_status st = check(g, 4, true, out);
    if (st != GICSIM_OK)
        return st;
    v5_dom *d = irs_vm_dom((gicsim_gic *)g, vm);
    unsigned type = GICSIM_GICV5_INTID_TYPE(intid);
    uint32_t e = 0;
    if (!d || (type != GICSIM_GICV5_LPI && type != GICSIM_GICV5_SPI))
        return GICSIM_E_RANGE;
    peek(g, d, type, GICSIM_GICV5_INTID_ID(intid), &e);
    *out = state_of(e);
    return GICSIM_OK;
}

void gicsim_gicv5_get_stats(const gicsim_gic *g, gicsim_gicv5_stats *out)
{
    if (!out)
        return;
    if (g && g->v5)
        *out = g->v5->st;
    else
        memset(out, 0, sizeof *out);
}
