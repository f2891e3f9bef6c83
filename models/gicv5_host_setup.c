/* gicsim: the host on a GICv5, its setup (docs/gicv5.md, "The host"; the "Boot" paragraph of
 * gicv5_host.c): the boot queue of IRS register writes served as the IRS reads IDLE, the
 * host's tables and kick LPIs (gicv5_host_init), a VM's tables, vPEs and doorbells
 * (gicv5_host_add_vm), and its sources: wired ones through the IRS or an IWB, MSIs through
 * the ITS (gicv5_host_add_source). Everything else of the host is gicv5_host.c's. */
#include "gicv5_host.h"

#include <stdlib.h>
#include <string.h>

static uint64_t alloc(struct gicv5_host *h, uint64_t size, uint64_t align)
{
    uint64_t pa = (h->next_pa + align - 1) & ~(align - 1);
    h->next_pa = pa + size;
    return pa;
}

static unsigned bits_for(uint32_t n)
{
    unsigned b = 0;
    while ((1u << b) < n)
        b++;
    return b;
}

static void mem_w(gicsim_system *s, uint64_t pa, uint64_t v, unsigned size)
{
    uint8_t b[8];
    for (unsigned i = 0; i < size; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    if (gicsim_mem_write(s->gic, pa, b, size) != GICSIM_OK)
        sys_oom(s);
}

/* An L2 ISTE: Enable, Priority, IAFFID (a PE, or a vPE in a VM's IST), HM. */
static void iste(gicsim_system *s, uint64_t ist, uint32_t id, unsigned prio, uint32_t target,
                 bool level)
{
    uint32_t e = GICSIM_GICV5_ISTE_ENABLE | ((prio & 0x1Fu) << GICSIM_GICV5_ISTE_PRIO_SHIFT) |
                 (target << GICSIM_GICV5_ISTE_IAFFID_SHIFT) | (level ? GICSIM_GICV5_ISTE_HM : 0u);
    mem_w(s, ist + 4ull * id, e, 4);
}

static unsigned guest_prio(uint8_t prio)
{
    return prio >> 3; /* the scenario's 8-bit priority in the GICv5's 5 bits */
}

static uint32_t new_lpi(gicsim_system *s, uint8_t kind, uint32_t a, uint32_t b)
{
    struct gicv5_host *h = s->v5;
    if (h->n_lpi >= (1u << s->cfg.gic.lpi_id_bits) ||
        !grow((void **)&h->lpi, &h->cap_lpi, h->n_lpi, sizeof *h->lpi))
        return NO_LPI;
    h->lpi[h->n_lpi] = (host_lpi){kind, a, b};
    return h->n_lpi++;
}

/* ---- Boot queue ------------------------------------------------------------------------------ */

static bool irs_idle(gicsim_system *s, uint32_t statusr)
{
    uint64_t v = 0;
    gicsim_gicv5_irs_read(s->gic, statusr, 4, &v);
    return (v & GICSIM_GICV5_IRS_IDLE) != 0;
}

static void vm_ready(gicsim_system *s, uint32_t vm)
{
    s->v5->vm[vm].ready = true;
    sys_vm *m = s->vms[vm];
    for (uint32_t i = 0; i < m->cfg.num_vcpus; i++)
        hyp_make_runnable(s, &m->vcpus[i], NULL);
}

bool gicv5_vm_ready(const gicsim_system *s, const sys_vm *vm)
{
    return vm->id < s->v5->n_vm && s->v5->vm[vm->id].ready;
}

static void boot_step(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)arg;
    gicsim_system *s = ctx;
    struct gicv5_host *h = s->v5;
    h->boot_ev = 0;
    while (h->len) {
        boot_op op = h->q[h->head];
        if (op.wait && !irs_idle(s, op.wait)) {
            gicsim_engine_schedule_in(e, BOOT_POLL, boot_step, s, 0, &h->boot_ev);
            return;
        }
        h->head = (h->head + 1) % h->cap;
        h->len--;
        if (op.block == BOOT_READY)
            vm_ready(s, (uint32_t)op.val);
        else
            gicsim_gicv5_irs_write(s->gic, op.off, op.size, op.val);
    }
}

/* Queue a write of the IRS done once `wait` reads IDLE (or BOOT_READY). */
static bool boot(gicsim_system *s, uint8_t block, uint32_t off, unsigned size, uint64_t val,
                 uint32_t wait)
{
    struct gicv5_host *h = s->v5;
    if (h->len == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 64;
        boot_op *nv = malloc(cap * sizeof *nv);
        if (!nv)
            return false;
        for (uint32_t i = 0; i < h->len; i++)
            nv[i] = h->q[(h->head + i) % h->cap];
        free(h->q);
        h->q = nv;
        h->cap = cap;
        h->head = 0;
    }
    h->q[(h->head + h->len) % h->cap] = (boot_op){block, size, off, wait, val};
    h->len++;
    if (!h->boot_ev)
        gicsim_engine_schedule_in(s->e, 0, boot_step, s, 0, &h->boot_ev);
    return true;
}

/* ---- Creation ----------------------------------------------------------------------------------
 */

gicsim_status gicv5_host_init(gicsim_system *s)
{
    struct gicv5_host *h = calloc(1, sizeof *h);
    uint32_t nspis = s->cfg.gic.num_spis;
    if (!h)
        return GICSIM_E_NOMEM;
    s->v5 = h;
    h->wire_lpi = malloc((nspis ? nspis : 1) * sizeof *h->wire_lpi);
    if (!h->wire_lpi)
        return GICSIM_E_NOMEM;
    for (uint32_t n = 0; n < nspis; n++)
        h->wire_lpi[n] = NO_LPI;
    h->next_pa = MEM_BASE;
    unsigned bits = s->cfg.gic.lpi_id_bits;
    h->ist = alloc(h, 4ull << bits, 65536);
    h->vmt = alloc(h, VMT_ENTRY << GICSIM_GICV5_VM_ID_BITS, 65536);
    /* Linux's IPIs: one LPI per PE, targeted at it (gicv5_ipi domain). */
    for (uint32_t p = 0; p < s->num_pes; p++) {
        uint32_t id = new_lpi(s, HL_KICK, p, 0);
        if (id == NO_LPI)
            return GICSIM_E_FULL;
        iste(s, h->ist, id, HOST_PRIO, p, false);
    }
    /* gicv5_irs_init_ist (linear) and KVM's vgic_v5_irs_assign_vmt (linear). */
    if (!boot(s, BOOT_IRS, GICSIM_GICV5_IRS_IST_CFGR, 4, bits, 0) ||
        !boot(s, BOOT_IRS, GICSIM_GICV5_IRS_IST_BASER, 8, h->ist | GICSIM_GICV5_IST_BASER_VALID,
              GICSIM_GICV5_IRS_IST_STATUSR) ||
        !boot(s, BOOT_IRS, GICSIM_GICV5_IRS_VMT_CFGR, 4, GICSIM_GICV5_VM_ID_BITS, 0) ||
        !boot(s, BOOT_IRS, GICSIM_GICV5_IRS_VMT_BASER, 8, h->vmt | 1u,
              GICSIM_GICV5_IRS_VMT_STATUSR))
        return GICSIM_E_NOMEM;
    if (s->cfg.gic.its) {
        /* gicv5_its_init: a linear device table, then ITSEN (the ITS's registers take effect
         * at once; nothing is translated before the run). */
        h->dt = alloc(h, 8ull << GICSIM_GICV5_DEVICEID_BITS, 65536);
        gicsim_gicv5_its_write(s->gic, GICSIM_GICV5_ITS_DT_CFGR, 4, GICSIM_GICV5_DEVICEID_BITS);
        gicsim_gicv5_its_write(s->gic, GICSIM_GICV5_ITS_DT_BASER, 8, h->dt);
        gicsim_gicv5_its_write(s->gic, GICSIM_GICV5_ITS_CR0, 4, GICSIM_GICV5_ITS_CR0_ITSEN);
    }
    return GICSIM_OK;
}

void gicv5_host_free(gicsim_system *s)
{
    struct gicv5_host *h = s->v5;
    if (!h)
        return;
    for (uint32_t i = 0; i < h->n_vcpu; i++) {
        struct gicv5_vcpu *vv = h->vcpu[i];
        for (unsigned n = 0; n < IPI_IDS; n++)
            free(vv->ipi[n].v);
        free(vv->resample);
        free(vv);
    }
    free(h->vcpu);
    for (uint32_t m = 0; m < h->n_vm; m++) {
        for (uint32_t n = 0; h->vm[m].spi_flight && n < s->cfg.gic.num_spis; n++)
            free(h->vm[m].spi_flight[n].v);
        free(h->vm[m].spi_flight);
    }
    free(h->lpi);
    free(h->wire_lpi);
    free(h->vm);
    free(h->msi);
    free(h->itt);
    free(h->q);
    free(h);
    s->v5 = NULL;
}

void gicv5_host_init_pe(gicsim_system *s, sys_pe *pe)
{
    /* The host's PPIs: its software timers (CNTHP), KVM's handler of the guest's timer (CNTV)
     * while the vCPU is out of its guest, and the scheduler tick. */
    uint64_t en = rd(s, pe->id, GICSIM_GICV5_ICC_PPI_ENABLER0) | PPI_BIT(HYP_TIMER_PPI) |
                  PPI_BIT(VTIMER_PPI) | PPI_BIT(s->cfg.host_tick_ppi);
    wr(s, pe->id, GICSIM_GICV5_ICC_PPI_ENABLER0, en);
}

gicsim_status gicv5_host_add_vm(gicsim_system *s, sys_vm *vm)
{
    struct gicv5_host *h = s->v5;
    uint32_t id = vm->id, nv = vm->cfg.num_vcpus;
    if (id >= (1u << GICSIM_GICV5_VM_ID_BITS))
        return GICSIM_E_FULL;
    if (id >= h->n_vm) {
        v5_vm *m = realloc(h->vm, (id + 1) * sizeof *m);
        if (!m)
            return GICSIM_E_NOMEM;
        memset(&m[h->n_vm], 0, (id + 1 - h->n_vm) * sizeof *m);
        h->vm = m;
        h->n_vm = id + 1;
    }
    v5_vm *m = &h->vm[id];
    unsigned vpe_bits = bits_for(nv), spi_bits = bits_for(s->cfg.gic.num_spis);
    m->spi_flight = calloc(s->cfg.gic.num_spis ? s->cfg.gic.num_spis : 1, sizeof *m->spi_flight);
    if (!m->spi_flight)
        return GICSIM_E_NOMEM;
    m->lpi_bits = s->cfg.gic.lpi_id_bits;
    m->lpi_ist = alloc(h, 4ull << m->lpi_bits, 65536);
    m->spi_ist = alloc(h, 4ull << (spi_bits ? spi_bits : 1), 4096);
    uint64_t vmd = alloc(h, 64, 64), vpet = alloc(h, 8ull << vpe_bits, 4096);
    uint64_t vped = alloc(h, (uint64_t)VPED_SIZE * nv, 64);
    uint64_t vmte = h->vmt + (uint64_t)VMT_ENTRY * id;
    /* vgic_v5_vmte_init: the VM descriptor, the vPE table, both ISTs (valid, linear, 4-byte
     * entries); the IRS sets the VMTE's VALID at VMAP_VMR. */
    mem_w(s, vmte, vmd, 8);
    mem_w(s, vmte + 8, vpet | ((uint64_t)vpe_bits << 59), 8);
    mem_w(s, vmte + 16, m->lpi_ist | 1u | ((uint64_t)m->lpi_bits << 59), 8);
    mem_w(s, vmte + 24, m->spi_ist | 1u | ((uint64_t)(spi_bits ? spi_bits : 1) << 59), 8);
    if (!boot(s, BOOT_IRS, GICSIM_GICV5_IRS_VMAP_VMR, 8, id | GICSIM_GICV5_VMAP_M,
              GICSIM_GICV5_IRS_VMT_STATUSR))
        return GICSIM_E_NOMEM;
    for (uint32_t i = 0; i < nv; i++) {
        sys_vcpu *v = &vm->vcpus[i];
        struct gicv5_vcpu *vv = calloc(1, sizeof *vv);
        if (!vv || !grow((void **)&h->vcpu, &h->cap_vcpu, h->n_vcpu, sizeof *h->vcpu)) {
            free(vv);
            return GICSIM_E_NOMEM;
        }
        h->vcpu[h->n_vcpu++] = vv;
        v->v5 = vv;
        v->vpeid = i;
        vv->vmcr = GICSIM_GICV5_ICC_CR0_EN | (31ull << 27); /* EN, VPMR: the lowest priority */
        for (unsigned r = 0; r < 16; r++)
            vv->pri[r] = 0x1F1F1F1F1F1F1F1Full;
        /* The doorbell: a host LPI of the vCPU's PE (KVM's per-VM doorbell domain). */
        vv->db_lpi = new_lpi(s, HL_DOORBELL, id, i);
        if (vv->db_lpi == NO_LPI)
            return GICSIM_E_FULL;
        iste(s, h->ist, vv->db_lpi, HOST_PRIO, v->home, false);
        mem_w(s, vpet + 8ull * i, vped + (uint64_t)VPED_SIZE * i, 8);
        /* vgic_v5_irs_set_up_vpe: valid in the VPET, selected, targeted-only routing, the
         * doorbell named (DBV). */
        uint64_t sel = id | ((uint64_t)i << 32);  /* VPE_SELR: VM_ID[15:0], VPE_ID[47:32] */
        uint64_t vper = i | ((uint64_t)id << 32); /* VMAP_VPER: VPE_ID[15:0], VM_ID[47:32] */
        if (!boot(s, BOOT_IRS, GICSIM_GICV5_IRS_VMAP_VPER, 8, vper | GICSIM_GICV5_VMAP_M,
                  GICSIM_GICV5_IRS_VMT_STATUSR) ||
            !boot(s, BOOT_IRS, GICSIM_GICV5_IRS_VPE_SELR, 8, sel | (1ull << 63),
                  GICSIM_GICV5_IRS_VPE_STATUSR) ||
            !boot(s, BOOT_IRS, GICSIM_GICV5_IRS_VPE_CR0, 4, 1u, GICSIM_GICV5_IRS_VPE_STATUSR) ||
            !boot(s, BOOT_IRS, GICSIM_GICV5_IRS_VPE_DBR, 8, vv->db_lpi | (1ull << 63),
                  GICSIM_GICV5_IRS_VPE_STATUSR))
            return GICSIM_E_NOMEM;
    }
    return boot(s, BOOT_READY, 0, 0, id, GICSIM_GICV5_IRS_VPE_STATUSR) ? GICSIM_OK : GICSIM_E_NOMEM;
}

/* The ITT of `device`, its DTE written the first time (linear, `ev_bits` EventID bits). */
static uint64_t device_itt(gicsim_system *s, uint32_t device, unsigned ev_bits)
{
    struct gicv5_host *h = s->v5;
    for (uint32_t i = 0; i < h->n_itt; i++)
        if (h->itt[i].dev == device)
            return h->itt[i].itt;
    if (!grow((void **)&h->itt, &h->cap_itt, h->n_itt, sizeof *h->itt))
        return 0;
    uint64_t itt = alloc(h, 8ull << ev_bits, 64);
    h->itt[h->n_itt++] = (dev_itt){device, itt};
    mem_w(s, h->dt + 8ull * device, itt | 1u | ((uint64_t)ev_bits << 59), 8);
    return itt;
}

/* An ITTE: the event translates to LPI `id`, of VM `vm` when `virt`. */
static gicsim_status map_event(gicsim_system *s, uint32_t device, unsigned ev_bits, uint32_t ev,
                               uint32_t id, bool virt, uint32_t vm)
{
    uint64_t itt = device_itt(s, device, ev_bits);
    if (!itt)
        return GICSIM_E_NOMEM;
    mem_w(s, itt + 8ull * ev, id | (1ull << 31) | (virt ? (1ull << 30) | ((uint64_t)vm << 32) : 0),
          8);
    return GICSIM_OK;
}

/* A wired source: its VM's SPI (or wire vLPI) and the path to it. */
static gicsim_status add_wired(gicsim_system *s, sys_source *so)
{
    struct gicv5_host *h = s->v5;
    const gicsim_source_config *c = &so->cfg;
    sys_vm *vm = s->vms[c->vm];
    const v5_vm *m = &h->vm[vm->id];
    uint32_t n = c->intid - GICSIM_SPI_BASE;
    bool level = c->kind == GICSIM_SRC_SPI_LEVEL, direct = vm->pol->direct_wired;
    unsigned prio = guest_prio(c->priority);
    if (c->iwb) {
        if (!s->cfg.gic.its || !s->cfg.gic.iwb_wires)
            return GICSIM_E_UNSUPPORTED;
        if (n >= s->cfg.gic.iwb_wires)
            return GICSIM_E_INVAL;
        unsigned ev_bits = bits_for(s->cfg.gic.iwb_wires);
        uint32_t word = 4u * (n / 32u);
        uint64_t en = 0, tm = 0;
        gicsim_gicv5_iwb_read(s->gic, GICSIM_GICV5_IWB_WENABLER + word, 4, &en);
        gicsim_gicv5_iwb_read(s->gic, GICSIM_GICV5_IWB_WTMR + word, 4, &tm);
        tm = level ? tm | (1u << (n % 32u)) : tm & ~(1ull << (n % 32u));
        gicsim_gicv5_iwb_write(s->gic, GICSIM_GICV5_IWB_WTMR + word, 4, tm);
        gicsim_gicv5_iwb_write(s->gic, GICSIM_GICV5_IWB_WENABLER + word, 4, en | (1u << (n % 32u)));
        if (direct) { /* the wire's event is a vLPI of the VM */
            iste(s, m->lpi_ist, WIRE_VLPI + n, prio, c->vcpu, level);
            return map_event(s, s->cfg.gic.iwb_device_id, ev_bits, n, WIRE_VLPI + n, true, vm->id);
        }
        uint32_t lpi = new_lpi(s, HL_WIRE, n, 0);
        if (lpi == NO_LPI)
            return GICSIM_E_FULL;
        h->wire_lpi[n] = lpi;
        iste(s, h->ist, lpi, HOST_PRIO, c->route_pe, level);
        iste(s, m->spi_ist, n, prio, c->vcpu, false);
        return map_event(s, s->cfg.gic.iwb_device_id, ev_bits, n, lpi, false, 0);
    }
    /* An SPI of the IRS: its trigger mode (gicv5_spi_irq_set_type), and handed to the VM
     * (IRS_SPI_VMR) or configured for the host (CDPRI, CDAFF, CDEN from the PE it targets). */
    if (!boot(s, BOOT_IRS, GICSIM_GICV5_IRS_SPI_SELR, 4, n, GICSIM_GICV5_IRS_SPI_STATUSR) ||
        !boot(s, BOOT_IRS, GICSIM_GICV5_IRS_SPI_CFGR, 4, level, GICSIM_GICV5_IRS_SPI_STATUSR))
        return GICSIM_E_NOMEM;
    if (direct) {
        iste(s, m->spi_ist, n, prio, c->vcpu, level);
        return boot(s, BOOT_IRS, GICSIM_GICV5_IRS_SPI_VMR, 8, (1ull << 63) | vm->id,
                    GICSIM_GICV5_IRS_SPI_STATUSR)
                   ? GICSIM_OK
                   : GICSIM_E_NOMEM;
    }
    iste(s, m->spi_ist, n, prio, c->vcpu, false);
    wr(s, c->route_pe, GICSIM_GICV5_GIC_CDPRI, V5_SPI(n) | ((uint64_t)HOST_PRIO << 35));
    wr(s, c->route_pe, GICSIM_GICV5_GIC_CDAFF, V5_SPI(n) | ((uint64_t)c->route_pe << 32));
    wr(s, c->route_pe, GICSIM_GICV5_GIC_CDEN, V5_SPI(n));
    return GICSIM_OK;
}

gicsim_status gicv5_host_add_source(gicsim_system *s, uint32_t src)
{
    struct gicv5_host *h = s->v5;
    sys_source *so = &s->src[src];
    const gicsim_source_config *c = &so->cfg;
    if (c->kind == GICSIM_SRC_HOST_TIMER)
        return GICSIM_OK;
    sys_vm *vm = s->vms[c->vm];
    sys_vcpu *v = &vm->vcpus[c->vcpu];
    const v5_vm *m = &h->vm[vm->id];
    unsigned prio = guest_prio(c->priority);
    switch (c->kind) {
    case GICSIM_SRC_SPI_EDGE:
    case GICSIM_SRC_SPI_LEVEL:
        return add_wired(s, so);
    case GICSIM_SRC_VTIMER: {
        /* The guest enables its timer PPI at its priority (KVM traps the enable); KVM maps it
         * to the physical PPI (kvm_vgic_map_phys_irq): DVI at every entry. */
        struct gicv5_vcpu *vv = v->v5;
        unsigned r = VTIMER_PPI / 8u, sh = (VTIMER_PPI % 8u) * 8u;
        vv->pri[r] = (vv->pri[r] & ~(0xFFull << sh)) | ((uint64_t)prio << sh);
        vv->en[0] |= PPI_BIT(VTIMER_PPI);
        vv->dvir[0] |= PPI_BIT(VTIMER_PPI);
        v->banked[VTIMER_PPI].hw = true;
        v->banked[VTIMER_PPI].pintid = VTIMER_PPI;
        return GICSIM_OK;
    }
    case GICSIM_SRC_SGI:
        /* The IPI LPIs of the receiver (and of the sender, which the reply targets). */
        iste(s, m->lpi_ist, c->vcpu * IPI_IDS + c->intid, prio, c->vcpu, false);
        if (c->reply)
            iste(s, m->lpi_ist, c->sender_vcpu * IPI_IDS + c->intid, prio, c->sender_vcpu, false);
        return GICSIM_OK;
    case GICSIM_SRC_MSI:
        /* gicv5_its_map_event with the ITTE's VIRTUAL and VM_ID: a vLPI of the VM's IST. */
        if (!vm->pol->direct_msi || c->device_id >= (1u << GICSIM_GICV5_DEVICEID_BITS))
            return vm->pol->direct_msi ? GICSIM_E_INVAL : GICSIM_E_UNSUPPORTED;
        if (c->event_id >= (1u << MSI_EVENT_BITS) || c->device_id == s->cfg.gic.iwb_device_id)
            return GICSIM_E_INVAL;
        if (!grow((void **)&h->msi, &h->cap_msi, h->n_msi, sizeof *h->msi))
            return GICSIM_E_NOMEM;
        h->msi[h->n_msi++] = (msi_map){vm->id, c->intid, src};
        so->direct = true;
        iste(s, m->lpi_ist, c->intid, prio, c->vcpu, false);
        return map_event(s, c->device_id, MSI_EVENT_BITS, c->event_id, c->intid, true, vm->id);
    default:
        return GICSIM_OK;
    }
}
