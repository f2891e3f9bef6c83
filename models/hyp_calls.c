/* gicsim: the gicsim_hyp_* calls a delivery policy makes (their contract
 * is <gicsim/hypervisor.h>). They act on the GIC from the PE the policy's
 * callback runs on; each adds what it costs to the handle's charge, which
 * the core queues on that PE after the callback returns.
 */
#include "sys_internal.h"

#include "gic/gic_internal.h" /* an interrupt's Int_config (gicsim_hyp_irq_is_level) */

uint32_t gicsim_hyp_pe(const gicsim_hyp *h)
{
    return h ? h->pe->id : SYS_NONE;
}

gicsim_system *gicsim_hyp_system(const gicsim_hyp *h)
{
    return h ? h->s : NULL;
}

void gicsim_hyp_charge(gicsim_hyp *h, gicsim_cost_id cost)
{
    if (h && (unsigned)cost < GICSIM_COST__COUNT)
        h->charged += sys_cost(h->s, cost);
}

void gicsim_hyp_charge_ps(gicsim_hyp *h, gicsim_time_t ps)
{
    if (h)
        h->charged += ps;
}

static gicsim_cost_id icc_cost(gicsim_icc_reg reg)
{
    switch (reg) {
    case GICSIM_ICC_IAR0:
    case GICSIM_ICC_IAR1:
        return GICSIM_COST_ICC_IAR_READ;
    case GICSIM_ICC_EOIR0:
    case GICSIM_ICC_EOIR1:
    case GICSIM_ICC_DIR:
        return GICSIM_COST_ICC_EOIR_WRITE;
    default:
        return GICSIM_COST_ICC_SYSREG;
    }
}

uint64_t gicsim_hyp_icc_read(gicsim_hyp *h, gicsim_icc_reg reg)
{
    uint64_t v = 0;
    if (!h || h->s->v5)
        return 0;
    gicsim_icc_read(h->s->gic, h->pe->id, reg, &v);
    gicsim_hyp_charge(h, icc_cost(reg));
    return v;
}

void gicsim_hyp_icc_write(gicsim_hyp *h, gicsim_icc_reg reg, uint64_t val)
{
    if (!h)
        return;
    if (h->s->v5) {
        gicv5_hyp_icc_write(h, reg, val);
        return;
    }
    gicsim_icc_write(h->s->gic, h->pe->id, reg, val);
    gicsim_hyp_charge(h, icc_cost(reg));
}

void gicsim_hyp_set_enabled(gicsim_hyp *h, uint32_t intid, bool enabled)
{
    if (!h)
        return;
    if (h->s->v5) {
        gicv5_hyp_set_enabled(h, intid, enabled);
        return;
    }
    uint32_t bit = 1u << (intid % 32);
    if (intid < GICSIM_SPI_BASE)
        gicsim_gicr_write(h->s->gic, h->pe->id,
                          enabled ? GICSIM_GICR_ISENABLER0 : GICSIM_GICR_ICENABLER0, 4, bit);
    else
        gicsim_gicd_write(
            h->s->gic, (enabled ? GICSIM_GICD_ISENABLER : GICSIM_GICD_ICENABLER) + 4 * (intid / 32),
            4, bit);
    gicsim_hyp_charge(h, GICSIM_COST_GIC_MMIO);
}

bool gicsim_hyp_irq_is_level(gicsim_hyp *h, uint32_t intid)
{
    if (!h)
        return false;
    if (h->s->v5)
        return gicv5_irq_is_level(h->s, intid);
    if (intid < 1020) {
        /* What the Int_config bit of GICR_ICFGR<n> / GICD_ICFGR<n> reads
         * (a register read changes nothing), without assembling the whole
         * register: an interrupt the GIC does not implement reads 0. */
        const gic_irq *irq = gic_irq_lookup(h->s->gic, h->pe->id, intid);
        return !irq || !(irq->flags & IRQF_EDGE);
    }
    uint64_t cfg = 0;
    if (intid < GICSIM_SPI_BASE)
        gicsim_gicr_read(h->s->gic, h->pe->id, GICSIM_GICR_ICFGR0 + 4 * (intid / 16), 4, &cfg);
    else
        gicsim_gicd_read(h->s->gic, GICSIM_GICD_ICFGR + 4 * (intid / 16), 4, &cfg);
    return !((cfg >> (2 * (intid % 16) + 1)) & 1u);
}

void gicsim_hyp_inject(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, const gicsim_virq *v)
{
    if (!h || !v || vm >= h->s->n_vms || vcpu >= h->s->vms[vm]->cfg.num_vcpus)
        return;
    sys_vcpu *t = &h->s->vms[vm]->vcpus[vcpu];
    uint64_t kicks = h->s->st.kicks, wakeups = h->s->st.wakeups;
    gicsim_time_t queue = sys_cost(h->s, GICSIM_COST_IRQ_QUEUE);
    h->s->kick_base = h->charged + queue;
    hyp_inject(h->s, h->pe, t, v, h->s->inject_rec);
    h->s->kick_base = GICSIM_TIME_NEVER;
    h->charged += queue;
    if (h->s->v5)
        gicsim_hyp_charge_ps(h, gicv5_inject_cost(h->s, v->vintid));
    if (h->s->st.kicks != kicks)
        gicsim_hyp_charge(h, GICSIM_COST_VCPU_KICK);
    if (h->s->st.wakeups != wakeups)
        gicsim_hyp_charge(h, GICSIM_COST_SCHED_WAKEUP);
}

bool gicsim_hyp_resample(gicsim_hyp *h, uint32_t intid)
{
    if (!h)
        return false;
    gicsim_hyp_charge(h, GICSIM_COST_GIC_MMIO);
    gicsim_system *s = h->s;
    if (intid == VTIMER_PPI) { /* the timer condition: CVAL reached */
        sys_vcpu *v = h->pe->vcpu;
        return v && v->timer_armed && v->cval <= engine_now(s->e);
    }
    return intid < 1024 && s->spi_line[intid];
}

void gicsim_hyp_set_virq_line(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, uint32_t vintid, bool line)
{
    if (!h || vm >= h->s->n_vms || vcpu >= h->s->vms[vm]->cfg.num_vcpus)
        return;
    gicsim_system *s = h->s;
    sys_vcpu *v = &s->vms[vm]->vcpus[vcpu];
    if (s->v5) {
        gicv5_set_virq_line(s, h->pe, v, vintid, line);
        return;
    }
    vgic_irq *q = vcpu_irq(s, v, vintid);
    if (!q)
        return;
    q->line = line;
    if (!line || !q->level)
        return;
    /* Pending again: back on the software pending list (the fold that found
     * the EOI dropped it, as neither pending nor active), for the flush. */
    vgic_ap_add(s, v, q);
    /* A line found high after the guest acknowledged the instance it was
     * raised for belongs to the device's next instance (raised while the
     * source was masked, so never injected): the virtual interrupt that is
     * pending again delivers that instance. */
    if (q->rec_pending != SYS_NONE)
        return;
    uint32_t rec = SYS_NONE;
    if (vintid == VTIMER_PPI)
        rec = v->timer_rec;
    else if (vintid >= GICSIM_SPI_BASE && vintid < 1024 && s->spi_vm[vintid] == vm)
        rec = s->spi_rec[vintid];
    gicsim_irq_record *r = record_get(s, rec);
    if (r && rec != q->rec_active && !r->merged && r->t_ack == GICSIM_TIME_NEVER)
        q->rec_pending = rec;
}
