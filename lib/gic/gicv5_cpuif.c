/* gicsim: the GICv5 physical CPU interface (FEAT_GCIE; docs/gicv5.md, "CPU interface").
 *
 * Per PE: ICC_CR0_EL1.EN, the priority mask ICC_PCR_EL1, the active priorities ICC_APR_EL1
 * (one bit per 5-bit priority; the running priority is the lowest set bit), ICC_ICSR_EL1 and
 * the 128 PPIs, which live in the CPU interface (ICC_PPI_ENABLER, SPENDR/CPENDR,
 * SACTIVER/CACTIVER, fixed handling modes HMR: every PPI Level but SW_PPI, PRIORITYR). The
 * IRS forwards the PE's highest-priority SPI/LPI; the interface signals IRQ for the better of
 * that and its best PPI (a PPI on a tie, R_VVBPS as QEMU chooses) when it has sufficient
 * priority: priority <= PCR and < the running priority (D_MSQKF), with CR0.EN set.
 *
 * GICR CDIA acknowledges it: the priority's APR bit is set; a PPI becomes Active (and, Edge,
 * not Pending) here, an SPI/LPI is activated at the IRS atomically (gicv5_irs.c). GIC CDEOI
 * drops the running priority; GIC CDDI deactivates (a PPI here, an SPI/LPI by a request to the
 * IRS). The other GIC CD* instructions (CDEN, CDDIS, CDPRI, CDAFF, CDPEND, CDHM) are requests
 * to the IRS that take gicv5_cpuif_to_irs; CDRCFG reads the configuration into ICC_ICSR at
 * once. Linux: gicv5_handle_irq (CDIA, GSB ACK, CDEOI), gicv5_hwirq_eoi (CDDI),
 * gicv5_ppi_irq_mask/unmask (ICC_PPI_ENABLER). QEMU: gicr_cdia_read, gic_cdeoi_write,
 * gic_cddi_write. A PPI directly injected into the vPE (ICH_PPI_DVIR) is not a candidate here
 * (gicv5_virt.c). */
#include "gicv5_internal.h"

#include <string.h>

#define IDR0_VALUE (1u | (4u << 4)) /* ID_BITS 24, PRI_BITS 5 */
#define SW_PPI_HM_BIT (1ull << GICSIM_GICV5_PPI_SW)

/* ---- PPIs ---------------------------------------------------------------------------------- */

static uint64_t ppi_hmr(unsigned word)
{
    return word ? ~0ull : ~SW_PPI_HM_BIT;
}

static bool bit_of(const uint64_t *w, uint32_t id)
{
    return (w[id / 64u] >> (id % 64u)) & 1u;
}

static void set_bit_to(uint64_t *w, uint32_t id, bool on)
{
    uint64_t m = 1ull << (id % 64u);
    w[id / 64u] = on ? w[id / 64u] | m : w[id / 64u] & ~m;
}

static unsigned ppi_prio(const uint64_t *pri, uint32_t id)
{
    return (unsigned)(pri[id / 8u] >> ((id % 8u) * 8u)) & 0x1Fu;
}

uint32_t cpuif_v5_ppi_state(const gicsim_gic *g, uint32_t pe, uint32_t id)
{
    const v5_cpu *c = &g->v5->cpu[pe];
    return (bit_of(c->ppi_pend, id) ? ISTE_PENDING : 0u) |
           (bit_of(c->ppi_act, id) ? ISTE_ACTIVE : 0u) |
           ((ppi_hmr(id / 64u) >> (id % 64u)) & 1u ? ISTE_HM : 0u) |
           (bit_of(c->ppi_en, id) ? ISTE_ENABLE : 0u) | (ppi_prio(c->ppi_pri, id) << 11);
}

void cpuif_v5_ppi_commit(gicsim_gic *g, uint32_t pe, uint32_t id, uint32_t old, uint32_t now,
                         bool by_ack)
{
    v5_account(g, false, pe, GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, id), old, now, by_ack);
}

/* The best PPI among `en & pend & ~act & ~skip`: false when none. */
static bool best_ppi(const uint64_t *en, const uint64_t *pend, const uint64_t *act,
                     const uint64_t *skip, const uint64_t *pri, uint32_t *id, unsigned *prio)
{
    bool found = false;
    for (unsigned w = 0; w < 2; w++) {
        uint64_t m = en[w] & pend[w] & ~act[w] & ~skip[w];
        while (m) {
            uint32_t i = w * 64u + (uint32_t)__builtin_ctzll(m);
            unsigned p = ppi_prio(pri, i);
            m &= m - 1u;
            if (!found || p < *prio) {
                *id = i;
                *prio = p;
                found = true;
            }
        }
    }
    return found;
}

void cpuif_v5_ppi_line(gicsim_gic *g, uint32_t pe, uint32_t id, bool level)
{
    v5_cpu *c = &g->v5->cpu[pe];
    bool was = bit_of(c->ppi_line, id);
    if (was == level)
        return;
    set_bit_to(c->ppi_line, id, level);
    uint32_t old = cpuif_v5_ppi_state(g, pe, id);
    if ((ppi_hmr(id / 64u) >> (id % 64u)) & 1u) {
        set_bit_to(c->ppi_pend, id, level); /* Level: the pending state follows the line */
    } else if (level) {
        if (iste_counted(old)) {
            g->stats.merged++;
            gic_emit(g, GICSIM_GEV_MERGE, pe, GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, id));
        }
        set_bit_to(c->ppi_pend, id, true);
    }
    cpuif_v5_ppi_commit(g, pe, id, old, cpuif_v5_ppi_state(g, pe, id), false);
    cpuif_v5_update(g, pe);
}

/* Apply a register write to PPI state bits: `w` is pend or act, `set` set (S*) or clear
 * (C*), `mask` the bits written (ignoring what the architecture makes read-only). */
static void ppi_bits(gicsim_gic *g, uint32_t pe, uint64_t *w, unsigned word, uint64_t mask,
                     bool set)
{
    for (uint64_t m = mask; m; m &= m - 1u) {
        uint32_t id = word * 64u + (uint32_t)__builtin_ctzll(m);
        uint32_t old = cpuif_v5_ppi_state(g, pe, id);
        set_bit_to(w, id, set);
        cpuif_v5_ppi_commit(g, pe, id, old, cpuif_v5_ppi_state(g, pe, id), false);
    }
}

/* ---- Forwarded HPPI ------------------------------------------------------------------------ */

static void forward_arrive(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_gic *g = ctx;
    uint32_t pe = (uint32_t)(arg >> 33), intid = (uint32_t)arg;
    v5_cpu *c = &g->v5->cpu[pe];
    if ((arg >> 32) & 1u) {
        c->vfwd_intid = intid;
        c->vfwd_msg = 0;
    } else {
        c->fwd_intid = intid;
        c->fwd_msg = 0;
    }
    cpuif_v5_update(g, pe);
}

void cpuif_v5_forward(gicsim_gic *g, uint32_t pe, bool virt, uint32_t intid)
{
    v5_cpu *c = &g->v5->cpu[pe];
    gicsim_event_id *msg = virt ? &c->vfwd_msg : &c->fwd_msg;
    gicsim_time_t *at = virt ? &c->vfwd_when : &c->fwd_when;
    gicsim_time_t when = engine_now(g->engine) + v5_hop(g, g->v5->t_irs_to_cpuif, pe);
    uint64_t arg = ((uint64_t)pe << 33) | ((uint64_t)virt << 32) | intid;
    /* As GICv3's icc_forward: a newer choice sent at the same instant supersedes the one in
     * flight for the same arrival time. */
    if (*msg && *at == when) {
        if (engine_requeue(g->engine, *msg, arg))
            return;
        gicsim_engine_cancel(g->engine, *msg);
    } else {
        g->stats.hop_events++;
    }
    *at = when;
    gicsim_engine_schedule_at(g->engine, when, forward_arrive, g, arg, msg);
}

/* The forwarded SPI/LPI if the IRS still has it as this PE's candidate, else NULL. */
static v5_irq *forwarded(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = &g->v5->cpu[pe];
    if (c->fwd_intid == V5_NONE)
        return NULL;
    v5_irq *r = v5_cached(g, &g->v5->irs.phys, GICSIM_GICV5_INTID_TYPE(c->fwd_intid),
                          GICSIM_GICV5_INTID_ID(c->fwd_intid));
    return r && r->hpos && r->route == pe ? r : NULL;
}

/* The interrupt the interface would present: its best PPI or the forwarded SPI/LPI, which
 * must still be this PE's candidate at the IRS (as GICv3's CPU interface re-checks its
 * forwarded interrupt): a change at the IRS reaches the interface gicv5_irs_to_cpuif later,
 * but a forwarded interrupt that stopped being a candidate is never presented. */
static bool physical_best(gicsim_gic *g, uint32_t pe, uint32_t *intid, unsigned *prio, v5_irq **rec)
{
    v5_cpu *c = &g->v5->cpu[pe];
    uint32_t pid = 0;
    unsigned pp = V5_PRIO_IDLE;
    bool have = best_ppi(c->ppi_en, c->ppi_pend, c->ppi_act, c->dvir, c->ppi_pri, &pid, &pp);
    v5_irq *r = forwarded(g, pe);
    *rec = NULL;
    if (have && (!r || pp <= iste_prio(r->iste))) {
        *intid = GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, pid);
        *prio = pp;
        return true;
    }
    if (!r)
        return false;
    *intid = c->fwd_intid;
    *prio = iste_prio(r->iste);
    *rec = r;
    return true;
}

void cpuif_v5_update(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = &g->v5->cpu[pe];
    uint32_t intid = V5_NONE;
    unsigned prio = V5_PRIO_IDLE;
    v5_irq *rec;
    bool have = physical_best(g, pe, &intid, &prio, &rec);
    bool irq = have && v5_sufficient(c->cr0 & GICSIM_GICV5_ICC_CR0_EN, prio, c->pcr, c->apr);
    if (irq && c->presented != intid) {
        g->stats.signals++;
        gic_emit(g, GICSIM_GEV_SIGNAL, pe, intid);
    }
    c->presented = irq ? intid : V5_NONE;
    gic_set_lines(g, pe, irq, false);
    virt_update(g, pe);
}

/* ---- Acknowledge, priority drop, deactivation ------------------------------------------------ */

static uint64_t acknowledge(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = &g->v5->cpu[pe];
    uint32_t intid;
    unsigned prio;
    v5_irq *r;
    if (!physical_best(g, pe, &intid, &prio, &r) ||
        !v5_sufficient(c->cr0 & GICSIM_GICV5_ICC_CR0_EN, prio, c->pcr, c->apr)) {
        g->stats.spurious_acks++;
        return 0;
    }
    c->apr |= 1u << prio;
    c->act_intid[prio] = intid;
    GICSIM_INV(inv_v5_apr(g, pe, false, INV_APR_ACK, prio));
    if (r) {
        irs_activate(g, &g->v5->irs.phys, r);
    } else {
        uint32_t id = GICSIM_GICV5_INTID_ID(intid), old = cpuif_v5_ppi_state(g, pe, id);
        GICSIM_INV(inv_v5_ack(g, intid, old));
        set_bit_to(c->ppi_act, id, true);
        if (!(old & ISTE_HM))
            set_bit_to(c->ppi_pend, id, false);
        cpuif_v5_ppi_commit(g, pe, id, old, cpuif_v5_ppi_state(g, pe, id), true);
    }
    gic_emit(g, GICSIM_GEV_ACK, pe, intid);
    cpuif_v5_update(g, pe);
    return GICSIM_GICV5_CDIA_VALID | intid;
}

static void priority_drop(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = &g->v5->cpu[pe];
    if (!c->apr) {
        g->v5->st.commands_ignored++;
        return;
    }
    unsigned p = (unsigned)__builtin_ctz(c->apr);
    c->apr &= c->apr - 1u;
    g->stats.priority_drops++;
    gic_emit(g, GICSIM_GEV_PRIO_DROP, pe, c->act_intid[p]);
    GICSIM_INV(inv_v5_apr(g, pe, false, INV_APR_DROP, p));
    cpuif_v5_update(g, pe);
}

static void ppi_deactivate(gicsim_gic *g, uint32_t pe, uint32_t id)
{
    v5_cpu *c = &g->v5->cpu[pe];
    uint32_t old = cpuif_v5_ppi_state(g, pe, id);
    if (!(old & ISTE_ACTIVE)) {
        g->v5->st.commands_ignored++;
        return;
    }
    set_bit_to(c->ppi_act, id, false);
    g->stats.deactivations++;
    gic_emit(g, GICSIM_GEV_DEACTIVATE, pe, GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, id));
    cpuif_v5_ppi_commit(g, pe, id, old, cpuif_v5_ppi_state(g, pe, id), false);
}

/* ---- GIC CD* instructions ----------------------------------------------------------------------
 */

/* A CD* request for an SPI or LPI to the IRS (PPIs have registers: ignored and counted). */
static void to_irs(gicsim_gic *g, uint32_t pe, v5_op op, uint64_t val, uint32_t arg)
{
    unsigned type = (unsigned)(val >> 29) & 7u;
    if (type != GICSIM_GICV5_LPI && type != GICSIM_GICV5_SPI) {
        g->v5->st.commands_ignored++;
        return;
    }
    irs_request(g, v5_hop(g, g->v5->t_cpuif_to_irs, pe), op, false, 0, type,
                (uint32_t)val & 0xFFFFFFu, arg);
}

static void instruction(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val)
{
    v5_cpu *c = &g->v5->cpu[pe];
    unsigned type = (unsigned)(val >> 29) & 7u;
    uint32_t id = (uint32_t)val & 0xFFFFFFu;
    switch (reg) {
    case GICSIM_GICV5_GIC_CDDIS:
        to_irs(g, pe, V5_OP_ENABLE, val, 0);
        break;
    case GICSIM_GICV5_GIC_CDEN:
        to_irs(g, pe, V5_OP_ENABLE, val, 1);
        break;
    case GICSIM_GICV5_GIC_CDPRI:
        to_irs(g, pe, V5_OP_PRIORITY, val, (uint32_t)(val >> 35) & 0x1Fu);
        break;
    case GICSIM_GICV5_GIC_CDAFF:
        to_irs(g, pe, V5_OP_AFFINITY, val,
               ((uint32_t)(val >> 32) & 0xFFFFu) | (((uint32_t)(val >> 28) & 1u) << 16));
        break;
    case GICSIM_GICV5_GIC_CDPEND:
        to_irs(g, pe, V5_OP_PENDING, val, (val >> 32) & 1u ? PEND_SET : PEND_CLEAR);
        break;
    case GICSIM_GICV5_GIC_CDHM:
        to_irs(g, pe, V5_OP_HM, val, (uint32_t)(val >> 32) & 1u);
        break;
    case GICSIM_GICV5_GIC_CDRCFG:
        c->icsr = (type == GICSIM_GICV5_LPI || type == GICSIM_GICV5_SPI)
                      ? irs_request_config(g, &g->v5->irs.phys, type, id)
                      : 1u;
        break;
    case GICSIM_GICV5_GIC_CDEOI:
        priority_drop(g, pe);
        break;
    case GICSIM_GICV5_GIC_CDDI:
        if (type == GICSIM_GICV5_PPI && id < GICSIM_GICV5_PPIS) {
            ppi_deactivate(g, pe, id);
            cpuif_v5_update(g, pe);
        } else {
            to_irs(g, pe, V5_OP_DEACTIVATE, val, 0);
        }
        break;
    default: /* GSB SYS, GSB ACK: effects are already ordered in the model */
        break;
    }
}

/* ---- Registers --------------------------------------------------------------------------------
 */

static bool write_only(gicsim_gicv5_sysreg reg)
{
    return reg >= GICSIM_GICV5_GIC_CDDIS && reg <= GICSIM_GICV5_GIC_CDHM;
}

gicsim_status cpuif_v5_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t *val)
{
    v5_cpu *c = &g->v5->cpu[pe];
    *val = 0;
    if (v5_ppi_view_read(reg, c->ppi_pri, c->ppi_en, c->ppi_pend, c->ppi_act, val) ||
        v5_prio_view_read(reg, c->cr0 & GICSIM_GICV5_ICC_CR0_EN, c->pcr, c->apr, val))
        return GICSIM_OK;
    unsigned w = ((unsigned)reg - GICSIM_GICV5_ICC_PPI_ENABLER0) & 1u;
    switch (reg) {
    case GICSIM_GICV5_ICC_HPPIR: {
        uint32_t intid;
        unsigned prio;
        v5_irq *rec;
        if (physical_best(g, pe, &intid, &prio, &rec) &&
            v5_sufficient(c->cr0 & GICSIM_GICV5_ICC_CR0_EN, prio, c->pcr, c->apr))
            *val = GICSIM_GICV5_CDIA_VALID | intid;
        break;
    }
    case GICSIM_GICV5_ICC_ICSR:
        *val = c->icsr;
        break;
    case GICSIM_GICV5_ICC_IAFFIDR:
        *val = pe;
        break;
    case GICSIM_GICV5_ICC_IDR0:
        *val = IDR0_VALUE;
        break;
    case GICSIM_GICV5_ICC_PPI_HMR0:
    case GICSIM_GICV5_ICC_PPI_HMR1:
        *val = ppi_hmr(w);
        break;
    case GICSIM_GICV5_GICR_CDIA:
        *val = acknowledge(g, pe);
        break;
    case GICSIM_GICV5_GICR_CDNMIA:
        g->stats.spurious_acks++; /* no NMI: SCTLR_ELx.NMI is 0 */
        break;
    default:
        g->stats.ignored_ops++; /* a write-only instruction or barrier */
        break;
    }
    return GICSIM_OK;
}

gicsim_status cpuif_v5_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val)
{
    v5_cpu *c = &g->v5->cpu[pe];
    unsigned r = (unsigned)reg;
    if (r >= GICSIM_GICV5_ICC_PPI_PRIORITYR0 && r <= GICSIM_GICV5_ICC_PPI_PRIORITYR15) {
        c->ppi_pri[r - GICSIM_GICV5_ICC_PPI_PRIORITYR0] = val & 0x1F1F1F1F1F1F1F1Full;
        cpuif_v5_update(g, pe);
        return GICSIM_OK;
    }
    if (write_only(reg) || reg == GICSIM_GICV5_GSB_SYS || reg == GICSIM_GICV5_GSB_ACK) {
        instruction(g, pe, reg, val);
        return GICSIM_OK;
    }
    unsigned w = (r - GICSIM_GICV5_ICC_PPI_ENABLER0) & 1u;
    switch (reg) {
    case GICSIM_GICV5_ICC_CR0: {
        uint64_t old = c->cr0;
        c->cr0 = val & GICSIM_GICV5_ICC_CR0_EN;
        if ((old ^ c->cr0) && g->cfg.one_of_n)
            irs_rebuild(g); /* 1-of-N picks among enabled CPU interfaces */
        break;
    }
    case GICSIM_GICV5_ICC_PCR:
        c->pcr = (uint8_t)(val & 0x1Fu);
        break;
    case GICSIM_GICV5_ICC_APR:
        c->apr = (uint32_t)val;
        GICSIM_INV(inv_v5_apr(g, pe, false, INV_APR_WRITE, 0));
        break;
    case GICSIM_GICV5_ICC_ICSR:
        c->icsr = val & 0x0000FFFF0000F83Full;
        break;
    case GICSIM_GICV5_ICC_PPI_ENABLER0:
    case GICSIM_GICV5_ICC_PPI_ENABLER1:
        c->ppi_en[w] = val;
        break;
    case GICSIM_GICV5_ICC_PPI_SPENDR0:
    case GICSIM_GICV5_ICC_PPI_SPENDR1:
    case GICSIM_GICV5_ICC_PPI_CPENDR0:
    case GICSIM_GICV5_ICC_PPI_CPENDR1: {
        /* Pending bits of Level PPIs are read-only (HMR); for Edge ones S sets, C clears. */
        bool set = reg == GICSIM_GICV5_ICC_PPI_SPENDR0 || reg == GICSIM_GICV5_ICC_PPI_SPENDR1;
        uint64_t m = val & ~ppi_hmr(w);
        if (val & ppi_hmr(w))
            g->stats.raz_wi_writes++;
        ppi_bits(g, pe, c->ppi_pend, w, set ? m & ~c->ppi_pend[w] : m & c->ppi_pend[w], set);
        break;
    }
    case GICSIM_GICV5_ICC_PPI_SACTIVER0:
    case GICSIM_GICV5_ICC_PPI_SACTIVER1:
        ppi_bits(g, pe, c->ppi_act, w, val & ~c->ppi_act[w], true);
        break;
    case GICSIM_GICV5_ICC_PPI_CACTIVER0:
    case GICSIM_GICV5_ICC_PPI_CACTIVER1:
        ppi_bits(g, pe, c->ppi_act, w, val & c->ppi_act[w], false);
        break;
    default:
        g->stats.raz_wi_writes++; /* read-only: HAPR, HPPIR, IAFFIDR, IDR0, HMR, CDIA */
        return GICSIM_OK;
    }
    cpuif_v5_update(g, pe);
    return GICSIM_OK;
}

void cpuif_v5_init(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = &g->v5->cpu[pe];
    memset(c, 0, sizeof *c);
    c->fwd_intid = c->vfwd_intid = V5_NONE;
    c->presented = c->vpresented = V5_NONE;
    c->res_vm = c->res_vpe = V5_NONE;
}
