/* gicsim: the KVM-like host on a GICv5 (docs/gicv5.md, "The host"): what Linux's GICv5
 * driver and KVM's vgic-v5 do with the GIC, for the shared core of models/. hyp.c, vgic.c,
 * timer.c, guest.c, gicv4.c, hyp_calls.c and system.c dispatch here when the system's GIC
 * is a GICv5 (gicsim_system.v5 set); the delivery policies gicv5-direct and its variants
 * (policies/gicv5_*.c) decide the rest.
 *
 * Numbering. The core numbers interrupts as on a GICv3; here they become the GICv5's:
 * the host's kick SGI is PE p's kick LPI (LPI p, Linux's IPIs are LPIs); PPI n is PPI n;
 * SPI 32 + n is the IRS's SPI n, or IWB wire n's LPI when the GIC has an IWB (wired sources
 * then go through it); host LPI k is the core's 8192 + k. In a VM, the guest's SGI n to vCPU t
 * is its LPI t * 16 + n (Linux's per-CPU IPI LPIs), its SPI 32 + n its SPI n (an IWB wire
 * handed to it in hardware: its LPI 4096 + n), an MSI source's LPI its LPI of that ID.
 *
 * Boot (gicv5_host_setup.c). At creation the host's LPI IST (linear, lpi_id_bits), the VM table
 * (linear) and the ITS's device table are set up, and each PE's kick LPI configured. A VM
 * (gicv5_host_add_vm) gets its VM table entry with a linear LPI IST and SPI IST, a vPE table, and
 * per vCPU a doorbell LPI of the host; then, as KVM's vgic_v5_init and vgic_v5_irs_set_up_vpe do,
 * IRS VMAP_VMR, and per vPE VMAP_VPER, VPE_SELR, VPE_CR0.DPS and VPE_DBR, each written when its
 * unit's IDLE reads 1 (a queue of register writes served by engine events, as Linux polls
 * IDLE). The vCPUs become runnable when the last is done. Table entries (ISTEs, DTEs, ITTEs)
 * are written in memory: before their table is valid, or for IDs the IRS or the ITS has never
 * read (nothing of theirs is cached).
 *
 * Residency and the vGIC: vgic_v5_load makes the vPE resident (ICH_VMCR, ICH_APR,
 * ICH_CONTEXTR_EL2.V) and vgic_v5_put not, with DB and DBPM (the guest's effective priority
 * mask less one) when the vCPU blocks: gicv5_residency each; the load then waits for
 * SetResident (gicv5_vpe_resident), so the guest never runs before its vPE is resident. Every
 * entry restores the PPI
 * state with DVI of the timer (vgic_v5_flush_ppi_state, __vgic_v5_restore_ppi_state) and every
 * exit saves it and clears DVI (gicv5_ppi_sync + gicv5_ppi_state each way).
 *
 * Interrupts. The host acknowledges with GICR CDIA and completes with GIC CDEOI and CDDI. The
 * kick is a CDPEND of the target PE's kick LPI. A doorbell sets the vCPU's db_fired and wakes
 * it. A VM's SPI is set pending with GIC VDPEND (at the time the injecting step reaches it); a
 * level one injected with an EOI request (gicsim_virq.eoi_maint) is looked at in each exit's
 * fold and at each put, and when the guest has deactivated it the policy's eoi_maintenance
 * runs (KVM has no maintenance interrupt here: the model assumes it checks then). A PPI is
 * pending for
 * the next entry; the timer's is the physical PPI's, injected directly.
 *
 * Records. An instance's record travels with its message (an MSI, a VDPEND, a guest's IPI, an
 * IWB event, a VM's own SPI) and lands where the IRS sets the pending state: the GIC's
 * GICSIM_GEV_VRAISE / VMERGE (virtual) or RAISE / MERGE (an IWB wire's host LPI) events pop
 * the interrupt's queue of records in flight, which the IRS serves in order per interrupt.
 * The guest's CDDI ends an instance (t_deact), whenever the IRS applies it. The queues kept
 * here (a VM's SPIs and wire vLPIs, a vCPU's IPI LPIs) are roots of the records' sweep
 * (gicv5_mark_records, from records_mark_roots); the sources' own queues are the core's.
 */
#include "gicv5_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Numbering ------------------------------------------------------------------------------ */

/* Whether the core's SPI `intid` is a device wired to the IWB (gicsim_source_config.iwb). */
static bool via_iwb(const gicsim_system *s, uint32_t intid)
{
    return intid >= GICSIM_SPI_BASE && intid < 1024 && s->spi_src[intid] != SYS_NONE &&
           s->src[s->spi_src[intid]].cfg.iwb;
}

/* The host's physical INTID for the core's `intid` on PE `pe`. */
static uint32_t phys_intid(const gicsim_system *s, uint32_t pe, uint32_t intid)
{
    const struct gicv5_host *h = s->v5;
    if (intid < GICSIM_PPI_BASE)
        return V5_LPI(pe); /* the kick */
    if (intid < GICSIM_SPI_BASE)
        return V5_PPI(intid);
    if (intid < GICSIM_LPI_BASE) {
        uint32_t n = intid - GICSIM_SPI_BASE;
        return via_iwb(s, intid) && h->wire_lpi[n] != NO_LPI ? V5_LPI(h->wire_lpi[n]) : V5_SPI(n);
    }
    return V5_LPI(intid - GICSIM_LPI_BASE);
}

/* The GICv5 INTID of the core's `vintid` in the guest of `v`. */
static uint32_t virt_intid(const gicsim_system *s, const sys_vcpu *v, uint32_t vintid)
{
    if (vintid < GICSIM_PPI_BASE)
        return V5_LPI(v->idx * IPI_IDS + vintid);
    if (vintid < GICSIM_SPI_BASE)
        return V5_PPI(vintid);
    if (vintid < GICSIM_LPI_BASE) {
        uint32_t n = vintid - GICSIM_SPI_BASE;
        return via_iwb(s, vintid) && v->vm->pol->direct_wired ? V5_LPI(WIRE_VLPI + n) : V5_SPI(n);
    }
    return V5_LPI(vintid);
}

/* The core's vINTID of the guest's `intid` on `v`; SYS_NONE when it is none of its. */
static uint32_t sys_vintid(const sys_vcpu *v, uint32_t intid)
{
    uint32_t id = GICSIM_GICV5_INTID_ID(intid);
    switch (GICSIM_GICV5_INTID_TYPE(intid)) {
    case GICSIM_GICV5_PPI:
        return id >= GICSIM_PPI_BASE && id < GICSIM_SPI_BASE ? id : SYS_NONE;
    case GICSIM_GICV5_SPI:
        return id < 1024 - GICSIM_SPI_BASE ? GICSIM_SPI_BASE + id : SYS_NONE;
    case GICSIM_GICV5_LPI:
        if (id < WIRE_VLPI)
            return id / IPI_IDS == v->idx ? id % IPI_IDS : SYS_NONE;
        if (id < GICSIM_LPI_BASE)
            return id - WIRE_VLPI < 1024 - GICSIM_SPI_BASE ? GICSIM_SPI_BASE + id - WIRE_VLPI
                                                           : SYS_NONE;
        return id;
    default:
        return SYS_NONE;
    }
}

uint32_t gicv5_host_ack(gicsim_system *s, uint32_t pe)
{
    uint64_t v = rd(s, pe, GICSIM_GICV5_GICR_CDIA);
    if (!(v & GICSIM_GICV5_CDIA_VALID))
        return GICSIM_INTID_SPURIOUS;
    uint32_t id = GICSIM_GICV5_INTID_ID((uint32_t)v);
    switch (GICSIM_GICV5_INTID_TYPE((uint32_t)v)) {
    case GICSIM_GICV5_PPI:
        return id;
    case GICSIM_GICV5_SPI:
        return GICSIM_SPI_BASE + id;
    default: {
        const struct gicv5_host *h = s->v5;
        if (id < h->n_lpi && h->lpi[id].kind == HL_KICK)
            return s->cfg.kick_sgi;
        if (id < h->n_lpi && h->lpi[id].kind == HL_WIRE)
            return GICSIM_SPI_BASE + h->lpi[id].a;
        return GICSIM_LPI_BASE + id;
    }
    }
}

void gicv5_host_eoi(gicsim_system *s, uint32_t pe, gicsim_icc_reg reg, uint32_t intid)
{
    if (reg == GICSIM_ICC_EOIR0 || reg == GICSIM_ICC_EOIR1)
        wr(s, pe, GICSIM_GICV5_GIC_CDEOI, 0);
    else if (reg == GICSIM_ICC_DIR)
        wr(s, pe, GICSIM_GICV5_GIC_CDDI, phys_intid(s, pe, intid));
}

void gicv5_set_line(gicsim_system *s, uint32_t pe, uint32_t intid, bool level)
{
    if (via_iwb(s, intid))
        gicsim_gicv5_set_wire(s->gic, intid - GICSIM_SPI_BASE, level);
    else if (intid >= GICSIM_SPI_BASE)
        gicsim_gicv5_set_line(s->gic, 0, V5_SPI(intid - GICSIM_SPI_BASE), level);
    else
        gicsim_gicv5_set_line(s->gic, pe, V5_PPI(intid), level);
}

bool gicv5_ppi_active(gicsim_system *s, uint32_t pe, uint32_t ppi)
{
    gicsim_irq_state st = GICSIM_IRQ_INACTIVE;
    gicsim_gicv5_irq_state(s->gic, pe, V5_PPI(ppi), &st);
    return (st & GICSIM_IRQ_ACTIVE) != 0;
}

void gicv5_ppi_set_active(gicsim_system *s, uint32_t pe, uint32_t ppi, bool active)
{
    wr(s, pe, active ? GICSIM_GICV5_ICC_PPI_SACTIVER0 : GICSIM_GICV5_ICC_PPI_CACTIVER0,
       PPI_BIT(ppi));
}

void gicv5_host_kick(gicsim_system *s, uint32_t from, uint32_t to)
{
    wr(s, from, GICSIM_GICV5_GIC_CDPEND, V5_LPI(to) | (1ull << 32)); /* gicv5_ipi_send_single */
}

/* ---- The hypervisor's calls -------------------------------------------------------------- */

void gicv5_hyp_icc_write(gicsim_hyp *h, gicsim_icc_reg reg, uint64_t val)
{
    if (reg != GICSIM_ICC_EOIR0 && reg != GICSIM_ICC_EOIR1 && reg != GICSIM_ICC_DIR)
        return;
    gicv5_host_eoi(h->s, h->pe->id, reg, (uint32_t)val);
    gicsim_hyp_charge_ps(h, sys_eoi_cost(h->s, reg));
}

void gicv5_hyp_set_enabled(gicsim_hyp *h, uint32_t intid, bool enabled)
{
    wr(h->s, h->pe->id, enabled ? GICSIM_GICV5_GIC_CDEN : GICSIM_GICV5_GIC_CDDIS,
       phys_intid(h->s, h->pe->id, intid));
    gicsim_hyp_charge(h, GICSIM_COST_GICV5_GIC_INSN);
}

bool gicv5_irq_is_level(const gicsim_system *s, uint32_t intid)
{
    if (intid < GICSIM_PPI_BASE)
        return false; /* LPIs: the kick */
    if (intid < GICSIM_SPI_BASE)
        return true; /* architected PPIs are level, but SW_PPI (3) */
    return intid < 1024 && s->spi_src[intid] != SYS_NONE &&
           s->src[s->spi_src[intid]].cfg.kind == GICSIM_SRC_SPI_LEVEL;
}

/* ---- Injection ------------------------------------------------------------------------------ */

/* GIC VDPEND from PE `pe`: arg = pe[63:40] vm[39:32] INTID[31:0]. */
static void vdpend(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    uint32_t intid = (uint32_t)arg, vm = (uint32_t)(arg >> 32) & 0xFFu;
    wr(s, (uint32_t)(arg >> 40), GICSIM_GICV5_GIC_VDPEND,
       (1ull << 63) | ((uint64_t)vm << 32) | intid);
}

/* A message between PE `pe` and the IRS (on socket 0): the extra time across sockets. */
static gicsim_time_t socket_hop(const gicsim_system *s, uint32_t pe)
{
    return (uint64_t)pe * s->cfg.gic.sockets / s->num_pes ? sys_cost(s, GICSIM_COST_SOCKET_HOP) : 0;
}

static void add_resample(gicsim_system *s, struct gicv5_vcpu *vv, uint32_t vintid)
{
    for (uint32_t i = 0; i < vv->n_resample; i++)
        if (vv->resample[i].vintid == vintid)
            return;
    if (!grow((void **)&vv->resample, &vv->cap_resample, vv->n_resample, sizeof *vv->resample)) {
        sys_oom(s);
        return;
    }
    vv->resample[vv->n_resample++] = (resample_ent){vintid, GICSIM_TIME_NEVER};
}

bool gicv5_inject(gicsim_system *s, sys_pe *from, sys_vcpu *v, const gicsim_virq *in, uint32_t rec)
{
    vgic_irq *q = vcpu_irq(s, v, in->vintid);
    struct gicv5_vcpu *vv = v->v5;
    if (!q)
        return false;
    q->level = in->level;
    q->eoi_maint = in->eoi_maint;
    if (in->vintid < GICSIM_SPI_BASE) {
        /* vgic_v5_ppi_queue_irq_unlock: the shadow state, then a kick. A mapped PPI's pending
         * state is the physical PPI's (the timer); another's is latched for the next entry. */
        q->hw = in->hw;
        if (!in->hw && in->vintid >= GICSIM_PPI_BASE)
            vv->pend[0] |= PPI_BIT(in->vintid);
        if (rec != SYS_NONE && rec != q->rec_pending && rec != q->rec_active) {
            if (q->rec_pending == SYS_NONE)
                q->rec_pending = rec;
            else
                record_merge(s, rec);
        }
        return true;
    }
    if (in->vintid >= GICSIM_LPI_BASE)
        return false; /* a VM's LPIs are its own (MSIs through the ITS) */
    /* An SPI: GIC VDPEND into the VM's SPI IST; the IRS delivers it to the resident vPE or
     * rings its doorbell. The record travels with the VDPEND. */
    uint32_t n = in->vintid - GICSIM_SPI_BASE;
    if (n < s->cfg.gic.num_spis) {
        /* An instance is set pending once: a VDPEND written again for a record already in
         * flight, pending or active (a level line resampled high at a fold and again at the
         * put, before the first VDPEND landed) lands on that instance's pending state or
         * makes a new one the guest's next acknowledge takes, and carries no record. */
        flight_fifo *f = &s->v5->vm[v->vm->id].spi_flight[n];
        if (rec == q->rec_pending || rec == q->rec_active || flight_holds(f, rec))
            rec = SYS_NONE;
        flight_push(s, f, rec, q);
    }
    if (rec != SYS_NONE)
        v->doorbell_rec = rec;
    if (in->eoi_maint)
        add_resample(s, vv, in->vintid);
    uint32_t pe = from ? from->id : v->home;
    uint64_t arg =
        ((uint64_t)pe << 40) | ((uint64_t)v->vm->id << 32) | virt_intid(s, v, in->vintid);
    gicsim_time_t at =
        s->kick_base != GICSIM_TIME_NEVER ? s->kick_base + s->c[GICSIM_COST_GICV5_GIC_INSN] : 0;
    if (gicsim_engine_schedule_in(s->e, at, vdpend, s, arg, NULL) != GICSIM_OK)
        sys_oom(s);
    return false;
}

gicsim_time_t gicv5_inject_cost(const gicsim_system *s, uint32_t vintid)
{
    return vintid >= GICSIM_SPI_BASE && vintid < GICSIM_LPI_BASE
               ? sys_cost(s, GICSIM_COST_GICV5_GIC_INSN)
               : 0;
}

void gicv5_set_virq_line(gicsim_system *s, sys_pe *from, sys_vcpu *v, uint32_t vintid, bool line)
{
    vgic_irq *q = vcpu_irq(s, v, vintid);
    if (!q)
        return;
    q->line = line;
    if (!line || !q->level || vintid < GICSIM_SPI_BASE || vintid >= 1024)
        return;
    /* Still high after the guest ended the instance it was raised for: the device's next
     * instance (raised while the source was masked), injected again. */
    uint32_t rec = s->spi_vm[vintid] == v->vm->id ? s->spi_rec[vintid] : SYS_NONE;
    gicsim_irq_record *r = record_get(s, rec);
    if (!r || rec == q->rec_active || r->merged || r->t_ack != GICSIM_TIME_NEVER)
        rec = SYS_NONE;
    gicsim_virq in = {.vintid = vintid, .level = true, .line = true, .eoi_maint = true};
    gicv5_inject(s, from, v, &in, rec);
}

/* ---- Sources ---------------------------------------------------------------------------- */

void gicv5_wired_fire(gicsim_system *s, uint32_t src, uint32_t rec)
{
    sys_source *so = &s->src[src];
    const gicsim_source_config *c = &so->cfg;
    sys_vm *vm = s->vms[c->vm];
    uint32_t n = c->intid - GICSIM_SPI_BASE;
    if (!c->iwb && !vm->pol->direct_wired) {
        /* The IRS's SPI, the host's: it samples the line at once; one pending state. */
        gicsim_irq_state st = GICSIM_IRQ_INACTIVE;
        gicsim_gicv5_irq_state(s->gic, 0, V5_SPI(n), &st);
        if (c->kind == GICSIM_SRC_SPI_EDGE && (st & GICSIM_IRQ_PENDING))
            record_merge(s, rec);
        else
            s->spi_rec[c->intid] = rec;
        return;
    }
    if (!vm->pol->direct_wired) { /* to the wire's host LPI */
        flight_push(s, &so->flight, rec, &vm->spis[n]);
        return;
    }
    flight_push(s, &s->v5->vm[vm->id].spi_flight[n], rec, &vm->spis[n]);
    vm->vcpus[c->vcpu].doorbell_rec = rec;
}

void gicv5_msi_fire(gicsim_system *s, uint32_t src, uint32_t rec)
{
    sys_source *so = &s->src[src];
    flight_push(s, &so->flight, rec, so->virq);
    s->vms[so->cfg.vm]->vcpus[so->cfg.vcpu].doorbell_rec = rec;
    gicsim_gicv5_msi(s->gic, so->cfg.device_id, so->cfg.event_id);
}

static void ipi_op(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    sys_vcpu *v = pe->vcpu;
    uint32_t src = (uint32_t)(arg >> 32), target = (uint32_t)arg;
    const sys_source *so = source_of(s, src);
    sys_vcpu *t = &v->vm->vcpus[target];
    uint32_t n = so->cfg.intid;
    uint32_t rec = record_new(s, src, v->vm->id, target, n);
    flight_push(s, &t->v5->ipi[n], rec, &t->banked[n]);
    t->doorbell_rec = rec;
    gicsim_gicv5_guest_write(s->gic, pe->id, GICSIM_GICV5_GIC_CDPEND,
                             virt_intid(s, t, n) | (1ull << 32));
}

void gicv5_guest_send_ipi(gicsim_system *s, sys_vcpu *v, uint32_t src, uint32_t target_vcpu)
{
    guest_push_back(s, v, sys_cost(s, GICSIM_COST_GICV5_GIC_INSN), ipi_op,
                    ((uint64_t)src << 32) | target_vcpu);
}

/* ---- The guest's handler ------------------------------------------------------------------- */

uint32_t gicv5_guest_ack(gicsim_system *s, sys_vcpu *v)
{
    uint64_t val = 0;
    gicsim_gicv5_guest_read(s->gic, v->pe->id, GICSIM_GICV5_GICR_CDIA, &val);
    uint32_t vintid = sys_vintid(v, (uint32_t)val);
    return (val & GICSIM_GICV5_CDIA_VALID) && vintid != SYS_NONE ? vintid : GICSIM_INTID_SPURIOUS;
}

void gicv5_guest_eoi(gicsim_system *s, sys_vcpu *v, gicsim_icc_reg reg, uint32_t vintid)
{
    uint32_t pe = v->pe->id;
    if (reg != GICSIM_ICC_DIR) {
        gicsim_gicv5_guest_write(s->gic, pe, GICSIM_GICV5_GIC_CDEOI, 0);
        return;
    }
    gicsim_gicv5_guest_write(s->gic, pe, GICSIM_GICV5_GIC_CDDI, virt_intid(s, v, vintid));
    /* When it reaches the IRS (gicv5_cpuif_to_irs and the socket hop): KVM's state read
     * (deactivated) is ordered after it. */
    for (uint32_t i = 0; i < v->v5->n_resample; i++)
        if (v->v5->resample[i].vintid == vintid)
            v->v5->resample[i].cddi_lands =
                engine_now(s->e) + s->c[GICSIM_COST_GICV5_CPUIF_TO_IRS] + socket_hop(s, pe);
    vgic_irq *q = vcpu_irq(s, v, vintid);
    if (!q)
        return;
    gicsim_irq_record *r = record_get(s, q->rec_active);
    if (r && r->t_deact == GICSIM_TIME_NEVER)
        r->t_deact = engine_now(s->e);
    q->rec_active = SYS_NONE;
}

/* ---- Residency, entry and exit -------------------------------------------------------------- */

/* vgic_v5_get_effective_priority_mask: 0 (nothing can be signalled) with the interface
 * disabled, else the lower of the highest active priority and VPMR + 1. */
static unsigned effective_mask(const struct gicv5_vcpu *vv)
{
    if (!(vv->vmcr & GICSIM_GICV5_ICC_CR0_EN))
        return 0;
    unsigned ap = vv->apr ? (unsigned)__builtin_ctzll(vv->apr) : 32u;
    unsigned pm = (unsigned)(vv->vmcr >> 27) & 0x1Fu;
    return ap < pm + 1 ? ap : pm + 1;
}

static uint64_t contextr_of(const sys_vcpu *v)
{
    return v->vm->id | ((uint64_t)v->vpeid << GICSIM_GICV5_CONTEXTR_VPE_SHIFT);
}

void gicv5_vpe_load(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    struct gicv5_vcpu *vv = v->v5;
    wr(s, pe->id, GICSIM_GICV5_ICH_VMCR, vv->vmcr);
    wr(s, pe->id, GICSIM_GICV5_ICH_APR, vv->apr);
    wr(s, pe->id, GICSIM_GICV5_ICH_CONTEXTR, contextr_of(v) | GICSIM_GICV5_CONTEXTR_V);
    vv->resident = true;
    vv->db_fired = false;
    /* The ISB after the write completes when the IRS has made the vPE resident (SetResident,
     * its message crossing to the PE's socket): the guest is not entered before its
     * interrupts can reach it, as GICv4.1's first entry waits for the VPT parse. */
    gicsim_time_t wait = sys_cost(s, GICSIM_COST_GICV5_VPE_RESIDENT) + socket_hop(s, pe->id);
    pe_next(s, pe, sys_cost(s, GICSIM_COST_GICV5_RESIDENCY) + wait, NULL, 0);
}

/* The level SPIs of `v` injected with an EOI request that the guest has deactivated since:
 * moved from its list to `out` (at most `max`); returns what reading their states costs (one
 * GIC instruction each). */
static gicsim_time_t deactivated(gicsim_system *s, sys_vcpu *v, uint32_t *out, uint32_t *n,
                                 uint32_t max)
{
    struct gicv5_vcpu *vv = v->v5;
    uint32_t w = 0;
    *n = 0;
    gicsim_time_t now = engine_now(s->e), wait = 0;
    for (uint32_t i = 0; i < vv->n_resample; i++) {
        resample_ent r = vv->resample[i];
        gicsim_irq_state st = GICSIM_IRQ_PENDING;
        gicsim_gicv5_virq_state(s->gic, v->vm->id, virt_intid(s, v, r.vintid), &st);
        /* The read is a GIC instruction of the PE the guest's CDDI left from: the IRS applies
         * a PE's GIC instructions in order, so a CDDI still on its way is seen, once it has
         * landed (the read waits for it). */
        if (st == GICSIM_IRQ_ACTIVE && r.cddi_lands != GICSIM_TIME_NEVER && r.cddi_lands > now) {
            st = GICSIM_IRQ_INACTIVE;
            if (r.cddi_lands - now > wait)
                wait = r.cddi_lands - now;
        }
        if (st == GICSIM_IRQ_INACTIVE && *n < max)
            out[(*n)++] = r.vintid;
        else
            vv->resample[w++] = r;
    }
    gicsim_time_t cost = (gicsim_time_t)vv->n_resample * sys_cost(s, GICSIM_COST_GICV5_GIC_INSN);
    vv->n_resample = w;
    return cost + wait;
}

void gicv5_vpe_put(gicsim_system *s, sys_pe *pe, bool blocking)
{
    sys_vcpu *v = pe->vcpu;
    struct gicv5_vcpu *vv = v->v5;
    /* A level SPI the guest ended since the last exit is looked at now too: the vCPU may not
     * exit again for long (the policy samples the line, unmasks). */
    uint32_t done[GICSIM_MAX_LRS], n;
    gicsim_hyp h = {s, pe, deactivated(s, v, done, &n, GICSIM_MAX_LRS)};
    for (uint32_t i = 0; i < n && v->vm->pol->eoi_maintenance; i++)
        v->vm->pol->eoi_maintenance(&h, done[i], v->vm->id, v->idx);
    if (h.charged)
        pe_next(s, pe, h.charged, NULL, 0);
    vv->apr = rd(s, pe->id, GICSIM_GICV5_ICH_APR);
    vv->vmcr = rd(s, pe->id, GICSIM_GICV5_ICH_VMCR);
    /* KVM asks for a doorbell when the vCPU blocks, for the priorities it could take; none if
     * it could take nothing. */
    unsigned mask = effective_mask(vv);
    uint64_t db = blocking && mask ? GICSIM_GICV5_CONTEXTR_DB |
                                         ((uint64_t)(mask - 1) << GICSIM_GICV5_CONTEXTR_DBPM_SHIFT)
                                   : 0;
    wr(s, pe->id, GICSIM_GICV5_ICH_CONTEXTR, contextr_of(v) | db);
    vv->resident = false;
    v->pending_last = false;
    pe_next(s, pe, sys_cost(s, GICSIM_COST_GICV5_RESIDENCY), NULL, 0);
}

/* vgic_v5_flush_ppi_state and __vgic_v5_restore_ppi_state: DVI first, so the guest's
 * configuration takes over; the pending state of the PPIs that are not DVI'd. */
gicsim_time_t gicv5_flush(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    struct gicv5_vcpu *vv = v->v5;
    uint32_t p = pe->id;
    for (unsigned w = 0; w < 2; w++) {
        wr(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_DVIR0 + w), vv->dvir[w]);
        wr(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_ACTIVER0 + w), vv->act[w]);
        wr(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_ENABLER0 + w), vv->en[w]);
        vv->flushed[w] = vv->pend[w] & ~vv->dvir[w];
        wr(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_PENDR0 + w), vv->flushed[w]);
    }
    for (unsigned r = 0; r < 16; r++)
        wr(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_PRIORITYR0 + r), vv->pri[r]);
    vv->in_hw = true;
    return sys_cost(s, GICSIM_COST_GICV5_PPI_SYNC) + sys_cost(s, GICSIM_COST_GICV5_PPI_STATE);
}

/* __vgic_v5_save_ppi_state and vgic_v5_fold_ppi_state: the active and (edge) pending state
 * back, DVI off; then the level SPIs injected with an EOI request that the guest has
 * deactivated since (their state read with one GIC instruction each). */
void gicv5_fold(gicsim_system *s, sys_pe *pe, sys_vcpu *v, vgic_fold_result *out)
{
    struct gicv5_vcpu *vv = v->v5;
    uint32_t p = pe->id;
    for (unsigned w = 0; w < 2; w++) {
        vv->act[w] = rd(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_ACTIVER0 + w));
        /* What was injected since the flush stays; what the flush wrote is as the guest
         * left it. */
        uint64_t left = rd(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_PENDR0 + w));
        vv->pend[w] = (vv->pend[w] & ~vv->flushed[w]) | (left & vv->flushed[w]);
        wr(s, p, (gicsim_gicv5_sysreg)(GICSIM_GICV5_ICH_PPI_DVIR0 + w), 0);
    }
    for (uint32_t n = GICSIM_PPI_BASE; n < GICSIM_SPI_BASE; n++)
        v->banked[n].active = (vv->act[0] & PPI_BIT(n)) != 0;
    vv->in_hw = false;
    out->cost += sys_cost(s, GICSIM_COST_GICV5_PPI_STATE) +
                 sys_cost(s, GICSIM_COST_GICV5_PPI_SYNC) +
                 deactivated(s, v, out->eoi_maint, &out->n_eoi_maint, GICSIM_MAX_LRS);
}

/* kvm_vgic_vcpu_pending_irq: the doorbell rang (an interrupt of its ISTs qualifies), or a PPI
 * it can take is pending: the timer's physical line, another's shadow state. */
bool gicv5_vcpu_has_work(const sys_vcpu *v)
{
    const struct gicv5_vcpu *vv = v->v5;
    if ((vv->db_fired && !vv->resident) || (vv->pend[0] & vv->en[0] & ~vv->act[0]))
        return true;
    return v->timer_src != SYS_NONE && v->timer_rec != SYS_NONE && !v->banked[VTIMER_PPI].active &&
           (vv->en[0] & PPI_BIT(VTIMER_PPI));
}

void gicv5_host_lpi(gicsim_system *s, sys_pe *pe, uint32_t intid, gicsim_hyp *h)
{
    struct gicv5_host *hs = s->v5;
    uint32_t id = intid - GICSIM_LPI_BASE;
    /* GIC CDEOI and, at irq_eoi, CDDI: LPIs have an active state on a GICv5. */
    gicv5_host_eoi(s, pe->id, GICSIM_ICC_EOIR1, intid);
    gicv5_host_eoi(s, pe->id, GICSIM_ICC_DIR, intid);
    gicsim_hyp_charge_ps(h, sys_eoi_cost(s, GICSIM_ICC_EOIR1) + sys_eoi_cost(s, GICSIM_ICC_DIR));
    if (id >= hs->n_lpi || hs->lpi[id].kind != HL_DOORBELL)
        return;
    /* KVM's db_handler: db_fired, KVM_REQ_IRQ_PENDING and a kick (a wake-up when blocked). */
    sys_vcpu *v = &s->vms[hs->lpi[id].a]->vcpus[hs->lpi[id].b];
    doorbell_taken(s, pe, v, h);
    /* Rung while its vPE was not resident: once it is again, the IRS forwards what rang it. */
    if (!v->v5->resident)
        v->v5->db_fired = true;
    doorbell_wake(s, pe, v, h);
}

/* ---- Events and records ------------------------------------------------------------------- */

/* The queue of records in flight to VM `vm`'s `intid` (the guest's numbering), and the
 * guest's interrupt it is; NULL when nothing of the system's sets it pending. */
static flight_fifo *vflight(gicsim_system *s, uint32_t vm, uint32_t intid)
{
    struct gicv5_host *h = s->v5;
    uint32_t id = GICSIM_GICV5_INTID_ID(intid);
    if (vm >= s->n_vms)
        return NULL;
    sys_vm *m = s->vms[vm];
    bool spi = GICSIM_GICV5_INTID_TYPE(intid) == GICSIM_GICV5_SPI;
    bool lpi = GICSIM_GICV5_INTID_TYPE(intid) == GICSIM_GICV5_LPI;
    if (spi || (lpi && id >= WIRE_VLPI && id < GICSIM_LPI_BASE)) {
        uint32_t n = spi ? id : id - WIRE_VLPI;
        return n < s->cfg.gic.num_spis && vm < h->n_vm && h->vm[vm].spi_flight
                   ? &h->vm[vm].spi_flight[n]
                   : NULL;
    }
    if (!lpi)
        return NULL;
    if (id < WIRE_VLPI)
        return id / IPI_IDS < m->cfg.num_vcpus ? &m->vcpus[id / IPI_IDS].v5->ipi[id % IPI_IDS]
                                               : NULL;
    for (uint32_t i = 0; i < h->n_msi; i++)
        if (h->msi[i].vm == vm && h->msi[i].id == id)
            return &s->src[h->msi[i].src].flight;
    return NULL;
}

/* An IWB wire's host LPI became pending or merged: its record owns the host's interrupt. */
static void wire_landed(gicsim_system *s, const gicsim_gic_event *ev)
{
    struct gicv5_host *h = s->v5;
    uint32_t id = GICSIM_GICV5_INTID_ID(ev->intid);
    if (GICSIM_GICV5_INTID_TYPE(ev->intid) != GICSIM_GICV5_LPI || id >= h->n_lpi ||
        h->lpi[id].kind != HL_WIRE)
        return;
    uint32_t sys = GICSIM_SPI_BASE + h->lpi[id].a;
    rec_flight x;
    if (sys >= 1024 || s->spi_src[sys] == SYS_NONE ||
        !flight_pop(&s->src[s->spi_src[sys]].flight, &x))
        return;
    if (ev->kind == GICSIM_GEV_MERGE)
        record_merge(s, x.rec);
    else
        s->spi_rec[sys] = x.rec;
}

bool gicv5_host_event(gicsim_system *s, const gicsim_gic_event *ev, gicsim_gic_event *out)
{
    rec_flight x;
    flight_fifo *f;
    *out = *ev;
    switch (ev->kind) {
    case GICSIM_GEV_VRAISE:
    case GICSIM_GEV_VMERGE:
        f = vflight(s, ev->pe, ev->intid);
        if (f && flight_pop(f, &x)) {
            if (ev->kind == GICSIM_GEV_VMERGE)
                record_merge(s, x.rec);
            else
                land_virtual(s, &x);
        }
        return true;
    case GICSIM_GEV_RAISE:
    case GICSIM_GEV_MERGE:
        wire_landed(s, ev);
        return true;
    case GICSIM_GEV_SIGNAL:
    case GICSIM_GEV_PRIO_DROP:
    case GICSIM_GEV_DEACTIVATE:
        /* The host's own timer PPI: its records (on_gic_event). */
        out->intid = HYP_TIMER_PPI;
        return ev->intid != V5_PPI(HYP_TIMER_PPI);
    case GICSIM_GEV_VSIGNAL:
    case GICSIM_GEV_VACK:
    case GICSIM_GEV_VPRIO_DROP: {
        sys_vcpu *v = ev->pe < s->num_pes ? s->pes[ev->pe].vcpu : NULL;
        uint32_t vintid = v ? sys_vintid(v, ev->intid) : SYS_NONE;
        vgic_irq *q = vintid != SYS_NONE ? vcpu_irq(s, v, vintid) : NULL;
        if (!q)
            return true;
        /* The timer's instance: the physical PPI's, injected directly. */
        if (vintid == VTIMER_PPI && q->rec_pending == SYS_NONE && v->timer_rec != SYS_NONE &&
            v->timer_rec != q->rec_active) {
            const gicsim_irq_record *r = record_get(s, v->timer_rec);
            if (r && !r->merged && r->t_ack == GICSIM_TIME_NEVER)
                q->rec_pending = v->timer_rec;
        }
        out->intid = vintid;
        return false;
    }
    default:
        return true; /* VDEACTIVATE: the guest's CDDI ended the instance (gicv5_guest_eoi) */
    }
}

/* ---- Records ------------------------------------------------------------------------------ */

void gicv5_mark_records(gicsim_system *s)
{
    const struct gicv5_host *h = s->v5;
    if (!h)
        return;
    for (uint32_t m = 0; m < h->n_vm; m++)
        for (uint32_t n = 0; h->vm[m].spi_flight && n < s->cfg.gic.num_spis; n++)
            records_mark_flight(s, &h->vm[m].spi_flight[n]);
    for (uint32_t i = 0; i < h->n_vcpu; i++)
        for (unsigned n = 0; n < IPI_IDS; n++)
            records_mark_flight(s, &h->vcpu[i]->ipi[n]);
}

/* ---- Invariants --------------------------------------------------------------------------- */

bool gicv5_host_check(gicsim_system *s, char *msg, size_t len)
{
    const struct gicv5_host *h = s->v5;
    for (uint32_t p = 0; p < s->num_pes; p++) {
        const sys_vcpu *v = s->pes[p].vcpu;
        uint64_t ctx = rd(s, p, GICSIM_GICV5_ICH_CONTEXTR);
        bool named = (ctx & GICSIM_GICV5_CONTEXTR_V) != 0;
        bool want = v && v->v5 && v->v5->resident;
        uint64_t ids = ctx & (0xFFFFull | (0xFFFFull << GICSIM_GICV5_CONTEXTR_VPE_SHIFT));
        if (named != want || (named && ids != contextr_of(v))) {
            snprintf(msg, len, "PE %u: ICH_CONTEXTR_EL2 = 0x%016llx, but the host %s", p,
                     (unsigned long long)ctx,
                     want ? "made its loaded vCPU's vPE resident" : "has no vPE resident there");
            return true;
        }
        bool dvi = rd(s, p, GICSIM_GICV5_ICH_PPI_DVIR0) | rd(s, p, GICSIM_GICV5_ICH_PPI_DVIR1);
        if (dvi && !(v && v->v5 && v->v5->in_hw)) {
            snprintf(msg, len, "PE %u: ICH_PPI_DVIR set outside a vCPU's guest (flush to fold)", p);
            return true;
        }
    }
    for (uint32_t m = 0; m < s->n_vms; m++) {
        const sys_vm *vm = s->vms[m];
        if (m < h->n_vm && h->vm[m].ready) {
            gicsim_irq_state st;
            if (gicsim_gicv5_virq_state(s->gic, m, V5_LPI(0), &st) != GICSIM_OK) {
                snprintf(msg, len, "VM %u: its vCPUs run but the IRS has no valid VM %u", m, m);
                return true;
            }
        }
        for (uint32_t i = 0; i < vm->cfg.num_vcpus; i++) {
            const sys_vcpu *v = &vm->vcpus[i];
            if (!v->v5)
                continue;
            if (v->state == VS_RUNNING && !(m < h->n_vm && h->vm[m].ready)) {
                snprintf(msg, len, "vCPU %u.%u: loaded before the IRS made VM %u valid", m, i, m);
                return true;
            }
            if (v->v5->resident && (v->state != VS_RUNNING || v->pe->vcpu != v)) {
                snprintf(msg, len, "vCPU %u.%u: its vPE is resident but it is not loaded", m, i);
                return true;
            }
            for (unsigned n = 0; n < IPI_IDS; n++) {
                const flight_fifo *f = &v->v5->ipi[n];
                for (uint32_t k = 0; k < f->len; k++) {
                    const gicsim_irq_record *r =
                        record_get(s, f->v[(f->head + k) & (f->cap - 1u)].rec);
                    if (r && (r->merged || r->t_ack != GICSIM_TIME_NEVER)) {
                        snprintf(msg, len,
                                 "vCPU %u.%u: an IPI record still in flight was already %s", m, i,
                                 r->merged ? "merged" : "acknowledged");
                        return true;
                    }
                }
            }
        }
    }
    return false;
}
