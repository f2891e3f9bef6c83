/* gicsim: the host's side of LPIs, the ITS and GICv4 (what Linux's
 * irq-gic-v3-its driver and KVM's vgic-v4 do), driven only through the
 * architectural registers, the simulated memory and ITS commands.
 *
 * Boot (gicv4_init): one LPI configuration table shared by all
 * redistributors and one pending table per redistributor (GICR_PROPBASER,
 * GICR_PENDBASER, EnableLPIs); the ITS's device, collection and vPE tables
 * (GITS_BASER<n>, flat) and its command queue (GITS_CBASER); one collection
 * per PE (MAPC). Boot-time programming costs no PE time.
 *
 * MSI sources: a device gets an ITT (MAPD). Under a direct policy its event
 * is mapped to a vLPI of the target vCPU's vPE (VMAPTI, with the vPE's
 * doorbell LPI on GICv4.0); otherwise to a physical LPI allocated by the host
 * (MAPTI, to the collection of the vCPU's home PE), which the host completes
 * and injects through a list register when it fires.
 *
 * vPEs: one per vCPU of a direct VM (VMAPP on its home PE), with its virtual
 * pending table, the VM's vLPI configuration table and a doorbell LPI. vCPU
 * load makes the vPE resident (GICR_VPROPBASER, GICR_VPENDBASER.Valid=1);
 * put makes it non-resident, after which a vLPI for it raises its doorbell,
 * which wakes the vCPU.
 *
 * direct_timer (a what-if, no GIC version has it): the host reserves one
 * device per such VM, the highest DeviceID of the device table that no MSI
 * source uses, with one EventID per vCPU, each mapped (VMAPTI) to the timer's
 * vLPI of that vCPU's vPE; the timer comparator writes that MSI at its
 * deadline, so the virtual timer travels the path of any vLPI.
 */
#include "sys_internal.h"

#include "gic/gic_internal.h" /* the GIC's counters of vLPIs and vSGIs set (no copy) */

#include <stdlib.h>
#include <string.h>

#define MEM_BASE 0x40000000ull /* where the host allocates its tables */
#define DEVICE_EVENT_BITS 5u   /* each device: EventIDs 0..31 */
#define TIMER_EVENT_BITS 8u    /* a timer device: one EventID per vCPU, up to SYS_MAX_VCPUS */
#define DEVICE_TABLE_IDS 4096u /* the DeviceIDs the flat device table holds (gicv4_init) */
#define HOST_LPI_PRIORITY 0xA0u
#define GICR_PROPBASER 0x0070u
#define GICR_PENDBASER 0x0078u
#define GICR_VPROPBASER 0x20070u
#define GICR_VPENDBASER 0x20078u
#define VPENDBASER_VALID (1ull << 63)
#define VPENDBASER_PENDING_LAST (1ull << 61)

struct gicv4_host {
    uint64_t next_pa;  /* bump allocator in simulated memory */
    uint64_t prop;     /* host LPI configuration table */
    uint32_t next_lpi; /* next host LPI INTID to hand out */
    uint32_t next_vpe; /* next vPEID */
    uint32_t *devices; /* DeviceIDs already mapped (MAPD) */
    uint32_t n_devices, cap_devices;
    uint64_t *vm_vprop; /* per VM: its vLPI configuration table, 0 if not direct */
    uint32_t n_vm_vprop;
    uint32_t *timer_devs; /* DeviceIDs reserved for direct_timer MSIs */
    uint32_t n_timer_devs, cap_timer_devs;
    /* Records of the MSIs written to virtual ITEs and of the vSGIs written
     * to GITS_SGIR that have not landed, and how many of the GIC's
     * vlpis_set / vsgis_set landings they have been matched with. */
    flight_fifo vlpi_flight, vsgi_flight;
    uint64_t vlpis_seen, vsgis_seen;
    /* The redistributors report the VPT parse (GICR_TYPER.Dirty): Linux's
     * has_vpend_valid_dirty, without which its_wait_vpt_parse_complete
     * returns at once. */
    bool vpt_dirty;
};

static uint64_t alloc(struct gicv4_host *h, uint64_t size, uint64_t align)
{
    uint64_t pa = (h->next_pa + align - 1) & ~(align - 1);
    h->next_pa = pa + size;
    return pa;
}

static unsigned id_bits(const gicsim_system *s)
{
    return s->cfg.gic.lpi_id_bits;
}

static gicsim_status submit(gicsim_system *s, const gicsim_its_cmd *cmds, size_t n)
{
    return gicsim_its_submit(s->gic, cmds, n);
}

/* Hand out a host LPI and enable it in the configuration table. */
/* A new host LPI for `owner`, configured with the host's priority and
 * enabled or not. */
static uint32_t new_lpi(gicsim_system *s, lpi_owner owner, bool enabled)
{
    struct gicv4_host *h = s->v4;
    uint32_t intid = h->next_lpi;
    if (intid >= (1u << id_bits(s)))
        return SYS_NONE;
    if (s->n_lpis == s->cap_lpis) {
        uint32_t cap = s->cap_lpis ? s->cap_lpis * 2 : 64;
        lpi_owner *nv = realloc(s->lpis, cap * sizeof *nv);
        if (!nv)
            return SYS_NONE;
        s->lpis = nv;
        s->cap_lpis = cap;
    }
    s->lpis[s->n_lpis++] = owner;
    h->next_lpi++;
    uint8_t cfg = HOST_LPI_PRIORITY | (enabled ? 1u : 0u); /* priority, Enable */
    if (gicsim_mem_write(s->gic, h->prop + (intid - GICSIM_LPI_BASE), &cfg, 1) != GICSIM_OK)
        return SYS_NONE;
    return intid;
}

gicsim_status gicv4_init(gicsim_system *s)
{
    struct gicv4_host *h = calloc(1, sizeof *h);
    if (!h)
        return GICSIM_E_NOMEM;
    s->v4 = h;
    uint64_t typer = 0;
    gicsim_gicr_read(s->gic, 0, GICSIM_GICR_TYPER, 8, &typer);
    h->vpt_dirty = (typer & GICSIM_GICR_TYPER_DIRTY) != 0;
    h->next_pa = MEM_BASE;
    h->next_lpi = GICSIM_LPI_BASE;
    uint64_t nids = 1ull << id_bits(s);
    /* The configuration table covers the LPIs only; the pending tables all
     * INTIDs (the first 1 KiB is unused), 64 KiB aligned. */
    h->prop = alloc(h, nids - GICSIM_LPI_BASE, 4096);
    for (uint32_t pe = 0; pe < s->num_pes; pe++) {
        uint64_t pend = alloc(h, nids / 8, 65536);
        gicsim_gicr_write(s->gic, pe, GICR_PROPBASER, 8, h->prop | (id_bits(s) - 1u));
        gicsim_gicr_write(s->gic, pe, GICR_PENDBASER, 8, pend);
        gicsim_gicr_write(s->gic, pe, GICSIM_GICR_CTLR, 4, 1u); /* EnableLPIs */
    }
    /* ITS tables: flat, 4 KiB pages, as many as the IDs in use need. */
    static const struct {
        uint32_t index;
        uint64_t entries;
    } tables[] = {
        {GICSIM_GITS_BASER_DEVICES_INDEX, DEVICE_TABLE_IDS},
        {GICSIM_GITS_BASER_COLLECTIONS_INDEX, 4096},
        {GICSIM_GITS_BASER_VPES_INDEX, 4096},
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        uint64_t baser = 0;
        gicsim_its_read(s->gic, GICSIM_GITS_BASER(tables[i].index), 8, &baser);
        uint32_t type = (uint32_t)(baser >> GICSIM_GITS_BASER_TYPE_SHIFT) & 7u;
        if (type == GICSIM_GITS_BASER_TYPE_NONE)
            continue; /* e.g. no vPE table before GICv4 */
        uint64_t esz = ((baser >> GICSIM_GITS_BASER_ENTRY_SIZE_SHIFT) & 0x1Fu) + 1u;
        uint64_t pages = (tables[i].entries * esz + 4095) / 4096;
        if (pages > 256)
            pages = 256;
        uint64_t pa = alloc(h, pages * 4096, 65536);
        gicsim_its_write(s->gic, GICSIM_GITS_BASER(tables[i].index), 8,
                         GICSIM_GITS_BASER_VALID | GICSIM_GITS_BASER_PAGE_4K |
                             (pa & GICSIM_GITS_BASER_PA_MASK) | (pages - 1));
    }
    /* The command queue holds what the host submits before the ITS runs:
     * MAPC and SYNC for every PE, then the VMs' and sources' mappings. 16
     * pages (2048 commands) up to 512 PEs; beyond, the largest queue
     * GITS_CBASER.Size allows (256 pages, 32768 commands). */
    uint64_t queue_pages = s->num_pes <= 512 ? 16 : 256;
    uint64_t queue = alloc(h, queue_pages * 4096, 65536);
    gicsim_its_write(s->gic, GICSIM_GITS_CBASER, 8, (1ull << 63) | queue | (queue_pages - 1));
    gicsim_its_write(s->gic, GICSIM_GITS_CWRITER, 8, 0);
    gicsim_its_write(s->gic, GICSIM_GITS_CTLR, 4, GICSIM_GITS_CTLR_ENABLED);
    for (uint32_t pe = 0; pe < s->num_pes; pe++) {
        gicsim_its_cmd c[2] = {gicsim_its_cmd_mapc((uint16_t)pe, pe, true),
                               gicsim_its_cmd_sync(pe)};
        gicsim_status st = submit(s, c, 2);
        if (st != GICSIM_OK)
            return st;
    }
    return GICSIM_OK;
}

void gicv4_free(gicsim_system *s)
{
    if (!s->v4)
        return;
    free(s->v4->devices);
    free(s->v4->vm_vprop);
    free(s->v4->timer_devs);
    free(s->v4->vlpi_flight.v);
    free(s->v4->vsgi_flight.v);
    free(s->v4);
    s->v4 = NULL;
}

/* ---- Records in flight ------------------------------------------------------------------
 * An instance's record travels with its message and is decided where the
 * message sets the pending state: the first to find the interrupt not
 * pending owns the new pending state, the others merge into it. Deciding
 * at the device's write instead (as gicsim did) credits an instance written
 * while the previous one was still pending, but landing after the guest
 * acknowledged that one, to nobody: its pending state was then acknowledged
 * as the next write's record, nanoseconds after that write.
 *
 * The ITS serves its requests in order and its messages reach the
 * redistributors in order (its.c), so the records of one kind land in the
 * order they were written. A physical LPI's landing is the GIC's RAISE (a
 * new pending state) or MERGE of its INTID. A vLPI or vSGI landing has no
 * event: the GIC's vlpis_set and vsgis_set counters say how many have
 * landed, and they are matched before every virtual CPU interface event,
 * so before any acknowledge could consume what they set. */

bool flight_push(gicsim_system *s, flight_fifo *f, uint32_t rec, vgic_irq *q)
{
    if (f->len == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 16;
        rec_flight *nv = malloc(cap * sizeof *nv);
        if (!nv) {
            sys_oom(s);
            return false;
        }
        for (uint32_t i = 0; i < f->len; i++)
            nv[i] = f->v[(f->head + i) & (f->cap - 1u)];
        free(f->v);
        f->v = nv;
        f->cap = cap;
        f->head = 0;
    }
    f->v[(f->head + f->len) & (f->cap - 1u)] = (rec_flight){rec, q};
    f->len++;
    return true;
}

bool flight_pop(flight_fifo *f, rec_flight *out)
{
    if (!f->len)
        return false;
    *out = f->v[f->head];
    f->head = (f->head + 1) & (f->cap - 1u);
    f->len--;
    return true;
}

bool flight_holds(const flight_fifo *f, uint32_t rec)
{
    for (uint32_t i = 0; rec != SYS_NONE && i < f->len; i++)
        if (f->v[(f->head + i) & (f->cap - 1u)].rec == rec)
            return true;
    return false;
}

/* Landed on a vPE: the first instance since the guest's last acknowledge
 * owns the pending state, the others merge into it. */
void land_virtual(gicsim_system *s, const rec_flight *x)
{
    if (x->q->rec_pending == SYS_NONE)
        x->q->rec_pending = x->rec;
    else
        record_merge(s, x->rec);
}

/* A direct message written with record `rec` (SYS_NONE keeps its place in
 * the order): `seen` resynchronises with the GIC's counter `landed` when
 * nothing was in flight. */
static void direct_push(gicsim_system *s, flight_fifo *f, uint64_t *seen, uint64_t landed,
                        uint32_t rec, vgic_irq *q)
{
    if (!f->len)
        *seen = landed;
    flight_push(s, f, rec, q);
}

static void land_counted(gicsim_system *s, flight_fifo *f, uint64_t landed, uint64_t *seen)
{
    rec_flight x;
    for (; *seen < landed && flight_pop(f, &x); (*seen)++)
        land_virtual(s, &x);
    *seen = landed;
}

void gicv4_land_direct(gicsim_system *s)
{
    struct gicv4_host *h = s->v4;
    if (!h || (!h->vlpi_flight.len && !h->vsgi_flight.len))
        return;
    land_counted(s, &h->vlpi_flight, s->gic->stats.vlpis_set, &h->vlpis_seen);
    land_counted(s, &h->vsgi_flight, s->gic->stats.vsgis_set, &h->vsgis_seen);
}

void gicv4_mark_records(gicsim_system *s)
{
    struct gicv4_host *h = s->v4;
    if (!h)
        return;
    records_mark_flight(s, &h->vlpi_flight);
    records_mark_flight(s, &h->vsgi_flight);
}

void gicv4_lpi_landed(gicsim_system *s, const gicsim_gic_event *ev)
{
    uint32_t n = ev->intid - GICSIM_LPI_BASE;
    if (n >= s->n_lpis || s->lpis[n].source == SYS_NONE)
        return; /* not an MSI source's LPI (a doorbell, or not the host's) */
    sys_source *so = &s->src[s->lpis[n].source];
    rec_flight x;
    if (!flight_pop(&so->flight, &x))
        return;
    if (ev->kind == GICSIM_GEV_MERGE)
        record_merge(s, x.rec);
    else
        so->phys_rec = x.rec;
}

/* The direct vLPIs' landings so far (the GIC's counter). */
static uint64_t vlpis_landed(gicsim_system *s)
{
    return s->gic->stats.vlpis_set;
}

uint32_t gicv4_vpeid(const gicsim_system *s, const sys_vcpu *v)
{
    (void)s;
    return v->vpeid;
}

static gicsim_status timer_add_vm(gicsim_system *s, sys_vm *vm);

gicsim_status gicv4_add_vm(gicsim_system *s, sys_vm *vm)
{
    if (s->v5)
        return gicv5_host_add_vm(s, vm);
    struct gicv4_host *h = s->v4;
    if (!h)
        return GICSIM_E_UNSUPPORTED;
    if (vm->id >= h->n_vm_vprop) {
        uint64_t *nv = realloc(h->vm_vprop, (vm->id + 1) * sizeof *nv);
        if (!nv)
            return GICSIM_E_NOMEM;
        for (uint32_t i = h->n_vm_vprop; i <= vm->id; i++)
            nv[i] = 0;
        h->vm_vprop = nv;
        h->n_vm_vprop = vm->id + 1;
    }
    uint64_t nids = 1ull << id_bits(s);
    /* 64 KiB aligned: GICv4.1's VMAPP carries VCONF_Addr[51:16]. */
    h->vm_vprop[vm->id] = alloc(h, nids - GICSIM_LPI_BASE, 65536);
    bool v41 = s->cfg.gic.version >= GICSIM_GICV4_1;
    for (uint32_t i = 0; i < vm->cfg.num_vcpus; i++) {
        sys_vcpu *v = &vm->vcpus[i];
        v->vpeid = h->next_vpe++;
        v->vpe_pe = v->home;
        v->vpt = alloc(h, nids / 8, 65536);
        lpi_owner db = {SYS_NONE, vm->id, i};
        /* GICv4.0: KVM requests the doorbell with IRQ_NOAUTOEN, enabled
         * only while the vCPU blocks; GICv4.1's per-vPE doorbell is managed
         * by the redistributor and stays enabled. */
        uint32_t doorbell = new_lpi(s, db, v41);
        if (doorbell == SYS_NONE)
            return GICSIM_E_FULL;
        v->doorbell_lpi = doorbell;
        gicsim_its_cmd c =
            v41 ? gicsim_its_cmd_vmapp41((uint16_t)v->vpeid, v->home, v->vpt, id_bits(s),
                                         h->vm_vprop[vm->id], doorbell, true)
                : gicsim_its_cmd_vmapp((uint16_t)v->vpeid, v->home, v->vpt, id_bits(s), true);
        gicsim_status st = submit(s, &c, 1);
        if (st != GICSIM_OK)
            return st;
    }
    return vm->pol->direct_timer ? timer_add_vm(s, vm) : GICSIM_OK;
}

static gicsim_status map_device(gicsim_system *s, uint32_t device)
{
    struct gicv4_host *h = s->v4;
    for (uint32_t i = 0; i < h->n_devices; i++)
        if (h->devices[i] == device)
            return GICSIM_OK;
    if (h->n_devices == h->cap_devices) {
        uint32_t cap = h->cap_devices ? h->cap_devices * 2 : 16;
        uint32_t *nv = realloc(h->devices, cap * sizeof *nv);
        if (!nv)
            return GICSIM_E_NOMEM;
        h->devices = nv;
        h->cap_devices = cap;
    }
    h->devices[h->n_devices++] = device;
    uint64_t itt = alloc(h, (1ull << DEVICE_EVENT_BITS) * 8, 256);
    gicsim_its_cmd c = gicsim_its_cmd_mapd(device, itt, DEVICE_EVENT_BITS, true);
    return submit(s, &c, 1);
}

/* The timer's vINTID: the last vINTID every vPE of the VM can hold, the
 * last LPI of the ID space capped by the 16 bits of a vLPI INTID. */
uint32_t gicv4_timer_vintid(const gicsim_system *s)
{
    unsigned bits = id_bits(s) < 16 ? id_bits(s) : 16;
    return (1u << bits) - 1u;
}

bool gicv4_device_reserved(const gicsim_system *s, uint32_t device)
{
    const struct gicv4_host *h = s->v4;
    for (uint32_t i = 0; h && i < h->n_timer_devs; i++)
        if (h->timer_devs[i] == device)
            return true;
    return false;
}

static bool append_u32(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 8;
        uint32_t *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return false;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return true;
}

/* direct_timer: reserve the VM's timer device (the highest DeviceID no
 * device uses), map it (MAPD) and map event i to the timer's vLPI of vCPU
 * i's vPE (VMAPTI, with the vPE's doorbell on GICv4.0; GICv4.1 rings the
 * vPE's own), enabled at the default priority in the VM's vLPI
 * configuration table. */
static gicsim_status timer_add_vm(gicsim_system *s, sys_vm *vm)
{
    struct gicv4_host *h = s->v4;
    uint32_t dev = DEVICE_TABLE_IDS;
    for (uint32_t cand = DEVICE_TABLE_IDS; cand-- > 0 && dev == DEVICE_TABLE_IDS;) {
        bool used = false;
        for (uint32_t k = 0; k < h->n_devices && !used; k++)
            used = h->devices[k] == cand;
        if (!used)
            dev = cand;
    }
    if (dev == DEVICE_TABLE_IDS)
        return GICSIM_E_FULL;
    if (!append_u32(&h->timer_devs, &h->n_timer_devs, &h->cap_timer_devs, dev) ||
        !append_u32(&h->devices, &h->n_devices, &h->cap_devices, dev))
        return GICSIM_E_NOMEM;
    vm->timer_device = dev;
    uint64_t itt = alloc(h, (1ull << TIMER_EVENT_BITS) * 8, 256);
    gicsim_its_cmd mapd = gicsim_its_cmd_mapd(dev, itt, TIMER_EVENT_BITS, true);
    gicsim_status st = submit(s, &mapd, 1);
    uint32_t vintid = gicv4_timer_vintid(s);
    uint8_t cfg = HOST_LPI_PRIORITY | 1u; /* priority, Enable */
    if (st == GICSIM_OK)
        st = gicsim_mem_write(s->gic, h->vm_vprop[vm->id] + (vintid - GICSIM_LPI_BASE), &cfg, 1);
    bool v41 = s->cfg.gic.version >= GICSIM_GICV4_1;
    for (uint32_t i = 0; i < vm->cfg.num_vcpus && st == GICSIM_OK; i++) {
        sys_vcpu *v = &vm->vcpus[i];
        gicsim_its_cmd c[2] = {
            gicsim_its_cmd_vmapti(dev, i, (uint16_t)v->vpeid, vintid,
                                  v41 ? GICSIM_ITS_NO_DOORBELL : v->doorbell_lpi),
            gicsim_its_cmd_vsync((uint16_t)v->vpeid)};
        st = submit(s, c, 2);
    }
    return st;
}

gicsim_status gicv4_timer_priority(gicsim_system *s, sys_vcpu *v, uint8_t prio)
{
    uint32_t vintid = gicv4_timer_vintid(s);
    uint8_t cfg = (uint8_t)((prio & 0xFCu) | 1u);
    gicsim_status st =
        gicsim_mem_write(s->gic, s->v4->vm_vprop[v->vm->id] + (vintid - GICSIM_LPI_BASE), &cfg, 1);
    if (st != GICSIM_OK)
        return st;
    /* A changed configuration takes effect after an INV of the event. */
    gicsim_its_cmd c[2] = {gicsim_its_cmd_inv(v->vm->timer_device, v->idx),
                           gicsim_its_cmd_vsync((uint16_t)v->vpeid)};
    return submit(s, c, 2);
}

void gicv4_timer_fire(gicsim_system *s, sys_vcpu *v, uint32_t rec)
{
    v->doorbell_rec = rec;
    sys_source *so = source_of(s, v->timer_src);
    if (so && so->virq)
        direct_push(s, &s->v4->vlpi_flight, &s->v4->vlpis_seen, vlpis_landed(s), rec, so->virq);
    gicsim_its_msi(s->gic, v->vm->timer_device, v->idx);
}

gicsim_status gicv4_add_msi(gicsim_system *s, uint32_t src)
{
    if (s->v5)
        return GICSIM_OK; /* gicv5_host_add_source maps it */
    sys_source *so = &s->src[src];
    const gicsim_source_config *c = &so->cfg;
    sys_vm *vm = s->vms[c->vm];
    sys_vcpu *v = &vm->vcpus[c->vcpu];
    if (c->event_id >= (1u << DEVICE_EVENT_BITS))
        return GICSIM_E_INVAL;
    gicsim_status st = map_device(s, c->device_id);
    if (st != GICSIM_OK)
        return st;
    gicsim_its_cmd cmd[2];
    if (vm->pol->direct_msi) {
        so->direct = true;
        /* The guest's configuration of its LPI: priority and Enable. */
        uint8_t cfg = (uint8_t)((c->priority & 0xFCu) | 1u);
        st = gicsim_mem_write(s->gic, s->v4->vm_vprop[vm->id] + (c->intid - GICSIM_LPI_BASE), &cfg,
                              1);
        if (st != GICSIM_OK)
            return st;
        bool v41 = s->cfg.gic.version >= GICSIM_GICV4_1;
        cmd[0] = gicsim_its_cmd_vmapti(c->device_id, c->event_id, (uint16_t)v->vpeid, c->intid,
                                       v41 ? GICSIM_ITS_NO_DOORBELL : v->doorbell_lpi);
        cmd[1] = gicsim_its_cmd_vsync((uint16_t)v->vpeid);
    } else {
        lpi_owner o = {src, c->vm, c->vcpu};
        so->pintid = new_lpi(s, o, true);
        if (so->pintid == SYS_NONE)
            return GICSIM_E_FULL;
        cmd[0] = gicsim_its_cmd_mapti(c->device_id, c->event_id, so->pintid, (uint16_t)v->home);
        cmd[1] = gicsim_its_cmd_sync(v->home);
    }
    return submit(s, cmd, 2);
}

gicsim_status gicv4_add_vsgi(gicsim_system *s, sys_vcpu *v, uint32_t vintid, uint8_t prio)
{
    if (!s->v4 || !v->vpt)
        return GICSIM_E_UNSUPPORTED;
    gicsim_its_cmd c[2] = {gicsim_its_cmd_vsgi((uint16_t)v->vpeid, vintid, prio, true, true, false),
                           gicsim_its_cmd_vsync((uint16_t)v->vpeid)};
    return submit(s, c, 2);
}

void gicv4_msi_fire(gicsim_system *s, uint32_t src, uint32_t rec)
{
    if (s->v5) {
        gicv5_msi_fire(s, src, rec);
        return;
    }
    sys_source *so = &s->src[src];
    if (so->direct) {
        s->vms[so->cfg.vm]->vcpus[so->cfg.vcpu].doorbell_rec = rec;
        direct_push(s, &s->v4->vlpi_flight, &s->v4->vlpis_seen, vlpis_landed(s), rec, so->virq);
    } else {
        flight_push(s, &so->flight, rec, so->virq);
    }
    gicsim_its_msi(s->gic, so->cfg.device_id, so->cfg.event_id);
}

/* The host waits for the ITS to execute its commands up to `target`
 * (GITS_CREADR reaching that offset), re-reading GITS_CREADR. */
static void its_wait(gicsim_system *s, sys_pe *pe, uint64_t target)
{
    uint64_t creadr = 0;
    gicsim_its_read(s->gic, GICSIM_GITS_CREADR, 8, &creadr);
    if ((creadr & GICSIM_GITS_CQ_OFFSET_MASK) != target)
        pe_next(s, pe, sys_cost(s, GICSIM_COST_GIC_MMIO), its_wait, target);
}

/* its_wait_vpt_parse_complete (from its_commit_vpe, or from the load with
 * kvm.vpt_wait: load): read GICR_VPENDBASER until Dirty clears, waiting
 * kvm.vpt_poll_delay between reads. */
static void vpe_dirty_poll(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    uint64_t vpend = 0;
    gicsim_gicr_read(s->gic, pe->id, GICR_VPENDBASER, 8, &vpend);
    if (vpend & GICSIM_GICR_VPENDBASER_DIRTY) {
        pe_next(s, pe, s->cfg.kvm.vpt_poll_delay + sys_cost(s, GICSIM_COST_GIC_MMIO),
                vpe_dirty_poll, 0);
        return;
    }
    pe->vcpu->vpe_ready = true;
}

/* vgic_v4_load -> its_make_vpe_resident: GICR_VPROPBASER and
 * GICR_VPENDBASER.Valid=1 on this PE's redistributor, which starts parsing
 * the VPT (Dirty reads 1 for vpt_scan). KVM does not wait here: the first
 * entry after the load does (gicv4_vpe_commit), so the parse overlaps the
 * rest of the load and the run loop; before Linux 5.11 (kvm.vpt_wait: load)
 * it read GICR_VPENDBASER right away until Dirty cleared. GICv4.0: a doorbell left pending
 * while the vPE was away is cleared (irq_set_irqchip_state PENDING false:
 * GICR_CLRLPIR). */
static void vpe_resident(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    uint64_t vprop = s->v4->vm_vprop[v->vm->id];
    gicsim_gicr_write(s->gic, pe->id, GICR_VPROPBASER, 8, vprop | (id_bits(s) - 1u));
    gicsim_gicr_write(s->gic, pe->id, GICR_VPENDBASER, 8, VPENDBASER_VALID | v->vpt);
    v->vpe_ready = false;
    gicsim_time_t c = sys_cost(s, GICSIM_COST_VPE_RESIDENT) + 2 * sys_cost(s, GICSIM_COST_GIC_MMIO);
    if (s->cfg.gic.version < GICSIM_GICV4_1) {
        gicsim_gicr_write(s->gic, v->vpe_pe, GICSIM_GICR_CLRLPIR, 8, v->doorbell_lpi);
        c += sys_cost(s, GICSIM_COST_GIC_MMIO);
    }
    if (s->cfg.kvm.vpt_wait == GICSIM_VPT_WAIT_LOAD) {
        if (s->v4->vpt_dirty) /* the first read */
            pe_next(s, pe, c + sys_cost(s, GICSIM_COST_GIC_MMIO), vpe_dirty_poll, 0);
        else {
            v->vpe_ready = true; /* the parse is not reported: nothing to wait for */
            pe_next(s, pe, c, NULL, 0);
        }
    } else {
        pe_next(s, pe, c, NULL, 0);
    }
}

/* Load. A vCPU that runs on another PE than its vPE is mapped to first moves
 * the vPE there (VMOVP + VSYNC, as KVM's vgic_v4_load does through
 * its_vpe_set_affinity) and waits for the ITS to have done it, so no vLPI is
 * sent to a redistributor the vPE has left. */
void gicv4_vpe_load(gicsim_system *s, sys_pe *pe)
{
    if (s->v5) {
        gicv5_vpe_load(s, pe);
        return;
    }
    sys_vcpu *v = pe->vcpu;
    if (v->vpe_pe != pe->id) {
        gicsim_its_cmd c[2] = {gicsim_its_cmd_vmovp((uint16_t)v->vpeid, pe->id),
                               gicsim_its_cmd_vsync((uint16_t)v->vpeid)};
        if (submit(s, c, 2) == GICSIM_OK) {
            v->vpe_pe = pe->id;
            uint64_t cwriter = 0;
            gicsim_its_read(s->gic, GICSIM_GITS_CWRITER, 8, &cwriter);
            pe_next(s, pe, 2 * sys_cost(s, GICSIM_COST_GIC_MMIO), its_wait,
                    cwriter & GICSIM_GITS_CQ_OFFSET_MASK);
        }
    }
    pe_next(s, pe, 0, vpe_resident, 0);
}

/* Decided when the flush gets there, not when it is queued: with
 * kvm.vpt_wait: load the load's own poll has made the vPE ready by then. */
static void vpe_commit(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    if (pe->vcpu->vpe_ready)
        return;
    if (s->v4->vpt_dirty) {
        pe_next(s, pe, sys_cost(s, GICSIM_COST_VPE_COMMIT) + sys_cost(s, GICSIM_COST_GIC_MMIO),
                vpe_dirty_poll, 0);
    } else { /* its_wait_vpt_parse_complete returns at once */
        pe->vcpu->vpe_ready = true;
        pe_next(s, pe, sys_cost(s, GICSIM_COST_VPE_COMMIT), NULL, 0);
    }
}

void gicv4_vpe_commit(gicsim_system *s, sys_pe *pe)
{
    if (s->v5)
        return; /* GICv5 keeps no pending table to parse */
    pe_next(s, pe, 0, vpe_commit, 0);
}

/* Linux's wait_for_syncr: GICR_SYNCR read until Busy clears (each read
 * costs gic_mmio; the first was charged with the GICR_INVLPIR write). */
static void syncr_wait(gicsim_system *s, sys_pe *pe, uint64_t rd)
{
    uint64_t busy = 0;
    gicsim_gicr_read(s->gic, (uint32_t)rd, GICSIM_GICR_SYNCR, 4, &busy);
    if (busy & 1u)
        pe_next(s, pe, sys_cost(s, GICSIM_COST_GIC_MMIO), syncr_wait, rd);
    else if (s->on_probe)
        s->on_probe(s, SYS_PROBE_DOORBELL_DONE, pe->id, engine_now(s->e));
}

/* direct_lpi_inv: the invalidation of the doorbell LPI `arg` (the vCPU's
 * configuration byte was just written) on the redistributor its vPE is
 * mapped to, GICR_INVLPIR, then the wait for GICR_SYNCR. */
static void doorbell_inv(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    sys_vcpu *v = (sys_vcpu *)(uintptr_t)arg;
    gicsim_gicr_write(s->gic, v->vpe_pe, GICSIM_GICR_INVLPIR, 8, v->doorbell_lpi);
    pe_next(s, pe, 2 * sys_cost(s, GICSIM_COST_GIC_MMIO), syncr_wait, v->vpe_pe);
}

/* GICv4.0: enable or mask (arg bit 0) the doorbell LPI of vCPU `arg`'s
 * vPE as Linux's its_vpe_unmask_irq / its_vpe_mask_irq do (doorbell_enable:
 * the IRQ core's work and lpi_write_config), then its invalidation
 * (doorbell_inv); queued after the put's steps. */
static void doorbell_set_op(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    sys_vcpu *v = (sys_vcpu *)(uintptr_t)(arg & ~(uint64_t)1);
    bool enable = arg & 1u;
    uint8_t cfg = HOST_LPI_PRIORITY | (enable ? 1u : 0u);
    gicsim_mem_write(s->gic, s->v4->prop + (v->doorbell_lpi - GICSIM_LPI_BASE), &cfg, 1);
    if (enable && s->on_probe)
        s->on_probe(s, SYS_PROBE_DOORBELL_ENABLE, pe->id, engine_now(s->e));
    pe_next(s, pe, sys_cost(s, GICSIM_COST_DOORBELL_ENABLE), doorbell_inv, (uint64_t)(uintptr_t)v);
}

static void doorbell_set(gicsim_system *s, sys_pe *pe, sys_vcpu *v, bool enable)
{
    v->db_enabled = enable;
    pe_next(s, pe, 0, doorbell_set_op, (uint64_t)(uintptr_t)v | (enable ? 1u : 0u));
}

/* Put: the vPE stops being resident (its_make_vpe_non_resident).
 * GICR_VPENDBASER.PendingLast tells whether it still has a vLPI pending; a
 * vCPU about to block with one is runnable at once (KVM's
 * kvm_vgic_vcpu_pending_irq checks pending_last). A blocking vCPU asks for
 * its doorbell: GICv4.1 with GICR_VPENDBASER.Doorbell, GICv4.0 by enabling
 * its doorbell LPI unless it still is (KVM's enable_irq loop in
 * its_make_vpe_non_resident). */
void gicv4_vpe_put(gicsim_system *s, sys_pe *pe, bool blocking)
{
    if (s->v5) {
        gicv5_vpe_put(s, pe, blocking);
        return;
    }
    sys_vcpu *v = pe->vcpu;
    bool v41 = s->cfg.gic.version >= GICSIM_GICV4_1;
    gicsim_gicr_write(s->gic, pe->id, GICR_VPENDBASER, 8,
                      v->vpt | (v41 && blocking ? GICSIM_GICR_VPENDBASER_DB : 0));
    uint64_t vpend = 0;
    gicsim_gicr_read(s->gic, pe->id, GICR_VPENDBASER, 8, &vpend);
    v->pending_last = (vpend & VPENDBASER_PENDING_LAST) != 0;
    v->vpe_ready = false;
    pe_next(s, pe, sys_cost(s, GICSIM_COST_VPE_NONRESIDENT) + 2 * sys_cost(s, GICSIM_COST_GIC_MMIO),
            NULL, 0);
    if (!v41 && blocking && !v->db_enabled)
        doorbell_set(s, pe, v, true);
}

static void attribute_exit(sys_pe *pe, uint32_t rec)
{
    if (pe->in_exit && pe->exit_rec == SYS_NONE && rec != SYS_NONE)
        pe->exit_rec = rec;
}

void doorbell_taken(gicsim_system *s, sys_pe *pe, sys_vcpu *v, gicsim_hyp *h)
{
    s->st.doorbells++;
    attribute_exit(pe, v->doorbell_rec);
    if (v->vm->pol->doorbell)
        v->vm->pol->doorbell(h, v->vm->id, v->idx);
}

void doorbell_wake(gicsim_system *s, sys_pe *pe, sys_vcpu *v, gicsim_hyp *h)
{
    if (v->state == VS_BLOCKED) {
        s->st.wakeups++;
        hyp_make_runnable(s, v, pe);
        gicsim_hyp_charge(h, GICSIM_COST_SCHED_WAKEUP);
    } else if (v->polling) {
        v->polling = false;
        if (v->pe != pe) {
            pe_poll_wakeup(s, v->pe);
        } else {
            pe_end_poll(s, v->pe);
            gicsim_hyp_charge(h, GICSIM_COST_HALT_POLL_CHECK);
        }
    }
}

void gicv4_host_lpi(gicsim_system *s, sys_pe *pe, uint32_t intid, gicsim_hyp *h)
{
    if (s->v5) {
        gicv5_host_lpi(s, pe, intid, h);
        return;
    }
    /* LPIs have no active state: EOIR only drops the priority. */
    gicsim_icc_write(s->gic, pe->id, GICSIM_ICC_EOIR1, intid);
    gicsim_hyp_charge(h, GICSIM_COST_ICC_EOIR_WRITE);
    uint32_t n = intid - GICSIM_LPI_BASE;
    if (n >= s->n_lpis)
        return; /* not one the host handed out */
    lpi_owner o = s->lpis[n];
    if (o.source == SYS_NONE) {
        /* A doorbell: its vCPU has a vLPI (or vSGI) pending while not resident. */
        sys_vm *vm = s->vms[o.vm];
        sys_vcpu *v = &vm->vcpus[o.vcpu];
        doorbell_taken(s, pe, v, h);
        /* GICv4.0: vgic_v4_doorbell_handler masks it again
         * (disable_irq_nosync; the doorbell is IRQ_DISABLE_UNLAZY). */
        if (s->cfg.gic.version < GICSIM_GICV4_1 && v->db_enabled) {
            pe_next(s, pe, h->charged, NULL, 0);
            h->charged = 0;
            doorbell_set(s, pe, v, false);
        }
        doorbell_wake(s, pe, v, h);
        return;
    }
    /* An MSI the host injects into its VM's emulated ITS (VFIO's handler,
     * the irqfd, vgic_its_inject_msi): the ITS found on the MMIO bus
     * (__vgic_doorbell_to_its), then the translation: KVM's cache
     * (vgic_its_inject_cached_translation), or on its first use, and every
     * time when the policy has no cache (KVM before Linux 5.5), the walk of
     * the device and event lists (find_ite), cached afterwards. */
    sys_source *so = &s->src[o.source];
    sys_vm *vm = s->vms[o.vm];
    h->charged += hyp_io_bus_lookup(s, vm);
    if (vm->pol->emulated_its || !so->its_cached)
        h->charged += so->its_walk * sys_cost(s, GICSIM_COST_ITS_WALK_STEP);
    if (!vm->pol->emulated_its) {
        gicsim_hyp_charge(h, GICSIM_COST_ITS_CACHE_OP); /* the lookup, or the store */
        so->its_cached = true;
    }
    /* The instance the redistributor held; the exit is charged to the
     * guest's pending instance it joins, if there is one. */
    uint32_t rec = so->phys_rec;
    so->phys_rec = SYS_NONE;
    attribute_exit(pe, so->virq->rec_pending != SYS_NONE ? so->virq->rec_pending : rec);
    gicsim_virq q = {.vintid = so->cfg.intid};
    s->inject_rec = rec;
    gicsim_hyp_inject(h, o.vm, o.vcpu, &q);
    s->inject_rec = SYS_NONE;
}

void gicv4_forward_vsgi(gicsim_system *s, sys_pe *pe, sys_vcpu *v, uint32_t vintid, uint32_t rec,
                        gicsim_hyp *h)
{
    (void)pe;
    direct_push(s, &s->v4->vsgi_flight, &s->v4->vsgis_seen, s->gic->stats.vsgis_set, rec,
                &v->banked[vintid]);
    v->doorbell_rec = rec;
    /* GICv4.1: GITS_SGIR names the vPE and the vSGI; the ITS delivers it. */
    gicsim_its_write(s->gic, GICSIM_GITS_SGIR, 8,
                     gicsim_gits_sgir_value((uint16_t)v->vpeid, vintid));
    gicsim_hyp_charge(h, GICSIM_COST_GIC_MMIO);
}
