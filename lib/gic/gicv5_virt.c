/* gicsim: GICv5 virtualization (docs/gicv5.md, "Virtualization").
 *
 * Tables, all in simulated memory: the VM table (IRS_VMT_BASER/CFGR, linear or two-level)
 * holds a 32-byte L2 VMTE per VM: its vPE table (VPET) and the descriptors of its LPI IST and
 * SPI IST; the VPET holds an 8-byte VPETE per vPE. The hypervisor makes a VM valid with
 * IRS_VMAP_VMR (the IRS reads the VMTE and sets its VALID), an IST valid later with
 * IRS_VMAP_VISTR, a vPE valid with IRS_VMAP_VPER, and names each vPE's doorbell LPI in
 * IRS_VPE_DBR (KVM vgic-v5.c vgic_v5_irs_set_up_vpe; FreeBSD gicv5reg.h for the formats).
 * A VM's SPIs and LPIs then live in its ISTs exactly as physical LPIs do (gicv5_ist.c, the
 * records of its domain), targeted at vPE IDs.
 *
 * Residency: ICH_CONTEXTR_EL2 with V=1 names the vPE that runs on the PE; the CPU interface
 * sends SetResident and, gicv5_vpe_resident later, the IRS has checked the VM and vPE and
 * forwards the vPE's best interrupt to this PE's virtual interface (fault: F=1, V=0). V=0
 * makes it non-resident at once, with DB and DBPM requesting (or not) a doorbell: while the vPE
 * is not resident, the first of its interrupts that becomes a candidate with priority <= DBPM
 * rings the doorbell LPI once (gicv5_doorbell). A vPE made valid starts with a doorbell
 * request for every priority ("the VPE has not yet run", KVM). KVM asks for a doorbell only
 * when the vCPU blocks in WFI, with DBPM from the guest's effective priority mask.
 *
 * The virtual CPU interface (the guest's ICC_* and GIC/GICR instructions): ICH_VMCR_EL2.EN
 * and VPMR are the guest's CR0.EN and PCR, ICH_APR_EL2 its active priorities; the virtual
 * PPIs are ICH_PPI_{ENABLER,PENDR,ACTIVER,PRIORITYR}; a PPI with ICH_PPI_DVIR set takes its
 * pending state from the physical PPI (the guest's timer without an exit), the guest's
 * acknowledge and deactivation act on the physical PPI too, and the physical interface no
 * longer presents it. The virtual IRS interrupts are the resident VM's SPIs and LPIs: the
 * guest's CD* instructions act on them in hardware (no trap), and GIC VDPEND lets EL2 set one
 * pending. */
#include "gicv5_internal.h"

#include <stdlib.h>
#include <string.h>

#define VMT_BASER_ADDR_MASK 0x00FFFFFFFFFFFFF8ull
#define VMT_CFGR_TWO_LEVEL (1u << 16)
#define L1_VALID 1ull
#define L1_ADDR_MASK 0x00FFFFFFFFFFF000ull
#define VMTE_SIZE 32u
#define VMTE_L2_BITS 7u /* a 4 KiB L2 VM table holds 128 VMTEs (docs/gicv5.md) */
#define VMTE_VALID 1ull
#define ADDR_MASK_8 0x00FFFFFFFFFFFFF8ull
#define ADDR_MASK_64 0x00FFFFFFFFFFFFC0ull
#define VPETE_VALID 1ull
#define ICH_VMCR_MASK (1ull | (0x1Full << 27))
#define CONTEXTR_IRICHPPIDIS (1ull << 61)
#define CONTEXTR_MASK                                                                              \
    (GICSIM_GICV5_CONTEXTR_V | CONTEXTR_IRICHPPIDIS | GICSIM_GICV5_CONTEXTR_DB |                   \
     (0x1Full << GICSIM_GICV5_CONTEXTR_DBPM_SHIFT) | (0xFFFFull << 32) | 0xFFFFull)

static gicsim_time_t now_of(const gicsim_gic *g)
{
    return engine_now(g->engine);
}

static v5_irs *irs_of(gicsim_gic *g)
{
    return &g->v5->irs;
}

/* ---- VM table ---------------------------------------------------------------------------- */

static bool vmte_addr(gicsim_gic *g, uint32_t vm, uint64_t *addr)
{
    v5_irs *s = irs_of(g);
    uint64_t base = s->vmt_baser & VMT_BASER_ADDR_MASK;
    if (!s->vmt_valid || vm >= (1u << s->vmt_id_bits))
        return false;
    if (!s->vmt_two_level) {
        *addr = base + (uint64_t)vm * VMTE_SIZE;
        return true;
    }
    uint64_t l1 = mem_read64(g->mem, base + (uint64_t)(vm >> VMTE_L2_BITS) * 8u);
    g->v5->st.ist_reads++;
    if (!(l1 & L1_VALID))
        return false;
    *addr = (l1 & L1_ADDR_MASK) + (uint64_t)(vm & ((1u << VMTE_L2_BITS) - 1u)) * VMTE_SIZE;
    return true;
}

/* A VMTE IST dword: VALID[0] L2SZ[2:1] ADDR[55:6] ISTSZ[57:56] STRUCTURE[58] ID_BITS[63:59]. */
static void ist_from_dword(gicsim_gic *g, v5_ist *ist, uint64_t d, bool lpi)
{
    v5_ist_config(ist, d & ADDR_MASK_64, (unsigned)(d >> 59), (unsigned)(d >> 56) & 3u,
                  (unsigned)(d >> 1) & 3u, (d >> 58) & 1u, 1u, lpi ? g->cfg.lpi_id_bits : 20u);
}

static void free_vm(v5_vm *m)
{
    if (!m)
        return;
    if (m->vpe)
        for (uint32_t p = 0; p < m->nvpes; p++)
            v5_heap_free(&m->vpe[p].cand);
    free(m->vpe);
    v5_dom_free(&m->dom);
    free(m);
}

static void vm_invalidate(gicsim_gic *g, uint32_t vm)
{
    v5_irs *s = irs_of(g);
    v5_vm *m = s->vm[vm];
    if (!m)
        return;
    virt_drop_residency(g, vm);
    for (unsigned w = 0; w < 2; w++) {
        m->dom.ist[w].valid = false;
        v5_dom_drop_ist(g, &m->dom, w);
    }
    mem_write64(g->mem, m->vmte, mem_read64(g->mem, m->vmte) & ~VMTE_VALID);
    s->vm[vm] = NULL;
    free_vm(m);
}

static void vm_make_valid(gicsim_gic *g, uint32_t vm)
{
    v5_irs *s = irs_of(g);
    uint64_t a;
    if (s->vm[vm] || !vmte_addr(g, vm, &a)) {
        g->v5->st.irs_dropped++;
        return;
    }
    uint64_t d[4];
    for (unsigned i = 0; i < 4; i++)
        d[i] = mem_read64(g->mem, a + 8u * i);
    g->v5->st.ist_reads++;
    v5_vm *m = calloc(1, sizeof *m);
    unsigned bits = (unsigned)(d[1] >> 59);
    if (bits > GICSIM_GICV5_VPE_ID_BITS)
        bits = GICSIM_GICV5_VPE_ID_BITS;
    if (m) {
        m->nvpes = 1u << bits;
        m->vpe = calloc(m->nvpes, sizeof *m->vpe);
    }
    if (!m || !m->vpe || v5_map_init(&m->dom.cache) != GICSIM_OK) {
        free_vm(m);
        return;
    }
    m->valid = true;
    m->vmte = a;
    m->vpet = d[1] & ADDR_MASK_8;
    m->dom.virt = true;
    m->dom.vm = vm;
    for (uint32_t p = 0; p < m->nvpes; p++) {
        m->vpe[p].pe = V5_NONE;
        m->vpe[p].cand.sent = ((uint64_t)V5_PRIO_IDLE << 32) | V5_NONE;
    }
    if (d[2] & 1u)
        ist_from_dword(g, &m->dom.ist[IST_LPI], d[2], true);
    if (d[3] & 1u)
        ist_from_dword(g, &m->dom.ist[IST_SPI], d[3], false);
    mem_write64(g->mem, a, d[0] | VMTE_VALID);
    s->vm[vm] = m;
}

/* IRS_VMAP_VISTR: the IRS reads the VMTE's IST dword and sets (or clears) its VALID (QEMU
 * msg1233934). */
static void vist_map(gicsim_gic *g, uint32_t vm, unsigned type, bool unmap)
{
    v5_vm *m = irs_of(g)->vm[vm];
    unsigned w = type == GICSIM_GICV5_LPI ? IST_LPI : type == GICSIM_GICV5_SPI ? IST_SPI : 2u;
    if (!m || w > 1u) {
        g->v5->st.irs_dropped++;
        return;
    }
    uint64_t pa = m->vmte + 16u + 8u * w, d = mem_read64(g->mem, pa);
    g->v5->st.ist_reads++;
    if (unmap) {
        m->dom.ist[w].valid = false;
        v5_dom_drop_ist(g, &m->dom, w);
        mem_write64(g->mem, pa, d & ~1ull);
    } else {
        ist_from_dword(g, &m->dom.ist[w], d, w == IST_LPI);
        mem_write64(g->mem, pa, d | 1ull);
    }
    irs_rebuild(g);
}

static void vpe_make_valid(gicsim_gic *g, uint32_t vm, uint32_t vpe)
{
    v5_vm *m = irs_of(g)->vm[vm];
    if (!m || vpe >= m->nvpes) {
        g->v5->st.irs_dropped++;
        return;
    }
    uint64_t pa = m->vpet + 8ull * vpe;
    mem_write64(g->mem, pa, mem_read64(g->mem, pa) | VPETE_VALID);
    g->v5->st.ist_reads++;
    v5_vpe *p = &m->vpe[vpe];
    if (p->valid)
        return;
    p->valid = true;
    p->req_db = true; /* the vPE has not run: every interrupt rings (KVM) */
    p->dbpm = 0x1F;
    irs_rebuild(g);
}

static v5_vpe *selected_vpe(gicsim_gic *g)
{
    v5_irs *s = irs_of(g);
    uint32_t vm = (uint32_t)s->vpe_selr & 0xFFFFu, vpe = (uint32_t)(s->vpe_selr >> 32) & 0xFFFFu;
    v5_vm *m = vm < V5_VMS ? s->vm[vm] : NULL;
    if (!s->vpe_sel_valid || !m || vpe >= m->nvpes || !m->vpe[vpe].valid)
        return NULL;
    return &m->vpe[vpe];
}

/* ---- Doorbells and residency -------------------------------------------------------------- */

void virt_doorbell_check(gicsim_gic *g, uint32_t vm, uint32_t vpe)
{
    v5_vm *m = irs_of(g)->vm[vm];
    v5_vpe *p = &m->vpe[vpe];
    const v5_irq *top = v5_heap_top(&p->cand);
    if (p->pe != V5_NONE || !p->valid || !p->dbv || !p->req_db || !top ||
        iste_prio(top->iste) > p->dbpm)
        return;
    p->req_db = false; /* one doorbell per request */
    g->stats.doorbells++;
    irs_request(g, g->v5->t_doorbell, V5_OP_PENDING, false, 0, GICSIM_GICV5_LPI, p->db_id,
                PEND_SET);
}

static v5_cpu *cpu_of(gicsim_gic *g, uint32_t pe)
{
    return &g->v5->cpu[pe];
}

/* Leave residency on `pe` (the vPE of its CONTEXTR, resident or on its way). A vPE whose
 * SetResident had not completed still gets the doorbell request: the IRS sees the two in
 * order, and the vPE was never resident (docs/gicv5.md, "Assumptions"). */
static void leave(gicsim_gic *g, uint32_t pe, bool db, unsigned dbpm)
{
    v5_cpu *c = cpu_of(g, pe);
    bool on_its_way = c->res_msg != 0;
    if (c->res_msg) {
        gicsim_engine_cancel(g->engine, c->res_msg);
        c->res_msg = 0;
    }
    if (c->vfwd_msg) {
        gicsim_engine_cancel(g->engine, c->vfwd_msg);
        c->vfwd_msg = 0;
    }
    c->vfwd_intid = V5_NONE;
    uint32_t vm = c->res_vm, vpe = c->res_vpe;
    if (on_its_way) {
        vm = (uint32_t)c->contextr & 0xFFFFu;
        vpe = (uint32_t)(c->contextr >> GICSIM_GICV5_CONTEXTR_VPE_SHIFT) & 0xFFFFu;
    } else if (!c->resident) {
        return;
    }
    if (c->resident) {
        c->resident = false;
        g->stats.vpe_residency_changes++;
    }
    v5_vm *m = vm < V5_VMS ? irs_of(g)->vm[vm] : NULL;
    if (!m || vpe >= m->nvpes || !m->vpe[vpe].valid || (on_its_way && m->vpe[vpe].pe != V5_NONE))
        return;
    v5_vpe *p = &m->vpe[vpe];
    p->pe = V5_NONE;
    p->req_db = db;
    p->dbpm = (uint8_t)dbpm;
    if (db)
        g->v5->st.doorbell_requests++;
    virt_doorbell_check(g, vm, vpe);
}

static void set_resident(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_gic *g = ctx;
    uint32_t pe = (uint32_t)arg;
    v5_cpu *c = cpu_of(g, pe);
    uint32_t vm = (uint32_t)c->contextr & 0xFFFFu;
    uint32_t vpe = (uint32_t)(c->contextr >> GICSIM_GICV5_CONTEXTR_VPE_SHIFT) & 0xFFFFu;
    v5_vm *m = vm < V5_VMS ? irs_of(g)->vm[vm] : NULL;
    c->res_msg = 0;
    if (!m || vpe >= m->nvpes || !m->vpe[vpe].valid || m->vpe[vpe].pe != V5_NONE) {
        c->contextr = (c->contextr & ~GICSIM_GICV5_CONTEXTR_V) | GICSIM_GICV5_CONTEXTR_F;
        g->v5->st.residency_faults++;
        virt_update(g, pe);
        return;
    }
    v5_vpe *p = &m->vpe[vpe];
    p->pe = pe;
    p->req_db = false;
    c->resident = true;
    c->res_vm = vm;
    c->res_vpe = vpe;
    g->stats.vpe_residency_changes++;
    p->cand.sent = ~0ull; /* forward its HPPI now */
    irs_target_changed(g, &m->dom, vpe);
    virt_update(g, pe);
}

static void contextr_write(gicsim_gic *g, uint32_t pe, uint64_t val)
{
    v5_cpu *c = cpu_of(g, pe);
    bool was = c->contextr & GICSIM_GICV5_CONTEXTR_V, now = val & GICSIM_GICV5_CONTEXTR_V;
    if (was)
        leave(g, pe, !now && (val & GICSIM_GICV5_CONTEXTR_DB),
              (unsigned)(val >> GICSIM_GICV5_CONTEXTR_DBPM_SHIFT) & 0x1Fu);
    c->contextr = val & CONTEXTR_MASK;
    if (now) {
        gicsim_time_t when = now_of(g) + v5_hop(g, g->v5->t_vpe_resident, pe);
        g->stats.hop_events++;
        gicsim_engine_schedule_at(g->engine, when, set_resident, g, pe, &c->res_msg);
    }
    virt_update(g, pe);
}

void virt_drop_residency(gicsim_gic *g, uint32_t vm)
{
    for (uint32_t pe = 0; pe < g->cfg.num_pes; pe++) {
        v5_cpu *c = cpu_of(g, pe);
        if (!(c->contextr & GICSIM_GICV5_CONTEXTR_V) || ((uint32_t)c->contextr & 0xFFFFu) != vm)
            continue;
        leave(g, pe, false, 0);
        c->contextr = (c->contextr & ~GICSIM_GICV5_CONTEXTR_V) | GICSIM_GICV5_CONTEXTR_F;
        g->v5->st.residency_faults++;
        virt_update(g, pe);
    }
}

/* ---- The IRS's VM-table registers ---------------------------------------------------------- */

static bool unit_busy(gicsim_gic *g, unsigned unit)
{
    if (now_of(g) < irs_of(g)->busy[unit]) {
        g->v5->st.irs_busy_writes++;
        return true;
    }
    return false;
}

static void unit_start(gicsim_gic *g, unsigned unit)
{
    irs_of(g)->busy[unit] = now_of(g) + g->v5->t_irs_op;
}

static uint32_t unit_idle(gicsim_gic *g, unsigned unit)
{
    return now_of(g) < irs_of(g)->busy[unit] ? 0u : GICSIM_GICV5_IRS_IDLE;
}

bool virt_irs_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val)
{
    v5_irs *s = irs_of(g);
    unsigned half;
    if (reg64(off, size, GICSIM_GICV5_IRS_VMT_BASER, &half)) {
        *val = half_read(s->vmt_baser, half);
        return true;
    }
    if (reg64(off, size, GICSIM_GICV5_IRS_VPE_SELR, &half)) {
        *val = half_read(s->vpe_selr, half);
        return true;
    }
    if (reg64(off, size, GICSIM_GICV5_IRS_VPE_DBR, &half)) {
        const v5_vpe *p = selected_vpe(g);
        uint64_t v = p ? p->db_id | ((uint64_t)p->dbpm << 32) | ((uint64_t)p->req_db << 62) |
                             ((uint64_t)p->dbv << 63)
                       : 0;
        *val = half_read(v, half);
        return true;
    }
    if (reg64(off, size, GICSIM_GICV5_IRS_VPE_HPPIR, &half)) {
        v5_vpe *p = selected_vpe(g);
        const v5_irq *top = p ? v5_heap_top(&p->cand) : NULL;
        uint64_t v = top ? (1ull << 32) | GICSIM_GICV5_INTID(top->key >> 24, top->key) : 0;
        *val = half_read(v, half);
        return true;
    }
    uint64_t rd = 0;
    switch (off) {
    case GICSIM_GICV5_IRS_VMT_CFGR:
        rd = s->vmt_cfgr;
        break;
    case GICSIM_GICV5_IRS_VMT_STATUSR:
        rd = unit_idle(g, U_VMT);
        break;
    case GICSIM_GICV5_IRS_VPE_CR0: {
        const v5_vpe *p = selected_vpe(g);
        rd = p && p->dps;
        break;
    }
    case GICSIM_GICV5_IRS_VPE_STATUSR:
        rd = unit_idle(g, U_VPE) | (selected_vpe(g) ? GICSIM_GICV5_IRS_V : 0u);
        break;
    default:
        return false;
    }
    if (size != 4)
        return false;
    *val = rd;
    return true;
}

static void vmt_baser_write(gicsim_gic *g, uint64_t v)
{
    v5_irs *s = irs_of(g);
    if (s->vmt_valid) {
        if (v & 1u) {
            g->stats.raz_wi_writes++; /* read-only while valid, except VALID */
            return;
        }
        for (uint32_t vm = 0; vm < V5_VMS; vm++)
            vm_invalidate(g, vm);
        s->vmt_valid = false;
        s->vmt_baser &= ~1ull;
    } else {
        s->vmt_baser = v & (VMT_BASER_ADDR_MASK | 1u);
        if (v & 1u) {
            unsigned bits = s->vmt_cfgr & 0x1Fu;
            s->vmt_valid = true;
            s->vmt_two_level = s->vmt_cfgr & VMT_CFGR_TWO_LEVEL;
            s->vmt_id_bits =
                (uint8_t)(bits > GICSIM_GICV5_VM_ID_BITS ? GICSIM_GICV5_VM_ID_BITS : bits);
        }
    }
    unit_start(g, U_VMT);
}

static void vmap_write(gicsim_gic *g, uint32_t off, uint64_t v)
{
    v5_irs *s = irs_of(g);
    if (!(v & GICSIM_GICV5_VMAP_M))
        return;
    uint32_t vm_lo = (uint32_t)v & 0xFFFFu, vm_hi = (uint32_t)(v >> 32) & 0xFFFFu;
    switch (off) {
    case GICSIM_GICV5_IRS_VMAP_L2_VMTR: {
        uint64_t base = s->vmt_baser & VMT_BASER_ADDR_MASK;
        if (!s->vmt_valid || !s->vmt_two_level || vm_lo >= (1u << s->vmt_id_bits)) {
            g->stats.raz_wi_writes++;
            return;
        }
        uint64_t pa = base + (uint64_t)(vm_lo >> VMTE_L2_BITS) * 8u;
        mem_write64(g->mem, pa, mem_read64(g->mem, pa) | L1_VALID);
        break;
    }
    case GICSIM_GICV5_IRS_VMAP_VMR:
        if (vm_lo >= V5_VMS) {
            g->v5->st.irs_dropped++;
            return;
        }
        if (v & GICSIM_GICV5_VMAP_U)
            vm_invalidate(g, vm_lo);
        else
            vm_make_valid(g, vm_lo);
        break;
    case GICSIM_GICV5_IRS_VMAP_VISTR:
        if (vm_hi >= V5_VMS) {
            g->v5->st.irs_dropped++;
            return;
        }
        vist_map(g, vm_hi, (unsigned)(v >> 29) & 7u, v & GICSIM_GICV5_VMAP_U);
        break;
    case GICSIM_GICV5_IRS_VMAP_L2_VISTR: {
        unsigned type = (unsigned)(v >> 29) & 7u;
        v5_vm *m = vm_hi < V5_VMS ? s->vm[vm_hi] : NULL;
        const v5_ist *ist = !m                         ? NULL
                            : type == GICSIM_GICV5_LPI ? &m->dom.ist[IST_LPI]
                            : type == GICSIM_GICV5_SPI ? &m->dom.ist[IST_SPI]
                                                       : NULL;
        uint32_t id = (uint32_t)v & 0xFFFFFFu;
        if (!ist || !ist->valid || !ist->two_level || id >= (1u << ist->id_bits)) {
            g->stats.raz_wi_writes++;
            return;
        }
        v5_ist_map_l2(g, ist, id);
        break;
    }
    default: /* IRS_VMAP_VPER */
        if (vm_hi >= V5_VMS) {
            g->v5->st.irs_dropped++;
            return;
        }
        vpe_make_valid(g, vm_hi, vm_lo);
        break;
    }
    unit_start(g, U_VMT);
}

bool virt_irs_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    v5_irs *s = irs_of(g);
    unsigned half;
    static const uint32_t vmap[] = {GICSIM_GICV5_IRS_VMAP_L2_VMTR, GICSIM_GICV5_IRS_VMAP_VMR,
                                    GICSIM_GICV5_IRS_VMAP_VISTR, GICSIM_GICV5_IRS_VMAP_L2_VISTR,
                                    GICSIM_GICV5_IRS_VMAP_VPER};
    if (reg64(off, size, GICSIM_GICV5_IRS_VMT_BASER, &half)) {
        if (!unit_busy(g, U_VMT))
            vmt_baser_write(g, half_merge(s->vmt_baser, val, half));
        return true;
    }
    for (unsigned i = 0; i < sizeof vmap / sizeof vmap[0]; i++) {
        if (off == vmap[i] && size == 8) {
            if (!unit_busy(g, U_VMT))
                vmap_write(g, off, val);
            return true;
        }
    }
    if (reg64(off, size, GICSIM_GICV5_IRS_VPE_SELR, &half)) {
        if (unit_busy(g, U_VPE))
            return true;
        s->vpe_selr =
            half_merge(s->vpe_selr, val, half) & ((1ull << 63) | (0xFFFFull << 32) | 0xFFFFu);
        s->vpe_sel_valid = (s->vpe_selr >> 63) & 1u;
        unit_start(g, U_VPE);
        return true;
    }
    if (reg64(off, size, GICSIM_GICV5_IRS_VPE_DBR, &half)) {
        v5_vpe *p = selected_vpe(g);
        if (unit_busy(g, U_VPE))
            return true;
        if (!p) {
            g->stats.raz_wi_writes++;
            return true;
        }
        /* INTID and DBV are software's; REQ_DB and DBPM show the request (docs/gicv5.md). */
        uint64_t old = p->db_id | ((uint64_t)p->dbv << 63);
        uint64_t v = half_merge(old, val, half);
        p->db_id = (uint32_t)v & 0xFFFFFFu;
        p->dbv = (v >> 63) & 1u;
        unit_start(g, U_VPE);
        uint32_t vm = (uint32_t)s->vpe_selr & 0xFFFFu;
        virt_doorbell_check(g, vm, (uint32_t)(s->vpe_selr >> 32) & 0xFFFFu);
        return true;
    }
    if (size != 4)
        return false;
    switch (off) {
    case GICSIM_GICV5_IRS_VMT_CFGR:
        if (s->vmt_valid)
            g->stats.raz_wi_writes++;
        else
            s->vmt_cfgr = (uint32_t)val & (0x1Fu | VMT_CFGR_TWO_LEVEL);
        return true;
    case GICSIM_GICV5_IRS_VPE_CR0: {
        v5_vpe *p = selected_vpe(g);
        if (unit_busy(g, U_VPE))
            return true;
        if (!p)
            g->stats.raz_wi_writes++;
        else
            p->dps = val & 1u;
        unit_start(g, U_VPE);
        return true;
    }
    default:
        return false;
    }
}

/* ---- The virtual CPU interface ----------------------------------------------------------------
 */

static bool bit_of(const uint64_t *w, uint32_t id)
{
    return (w[id / 64u] >> (id % 64u)) & 1u;
}

static void set_bit_to(uint64_t *w, uint32_t id, bool on)
{
    uint64_t m = 1ull << (id % 64u);
    w[id / 64u] = on ? w[id / 64u] | m : w[id / 64u] & ~m;
}

static unsigned vppi_prio(const v5_cpu *c, uint32_t id)
{
    return (unsigned)(c->vpri[id / 8u] >> ((id % 8u) * 8u)) & 0x1Fu;
}

/* The virtual pending bits: the physical PPI's for DVI'd PPIs, ICH_PPI_PENDR's otherwise. */
static uint64_t vpend_word(const v5_cpu *c, unsigned w)
{
    return (c->dvir[w] & c->ppi_pend[w]) | (~c->dvir[w] & c->vpend[w]);
}

static bool ppi_level(uint32_t id)
{
    return id != GICSIM_GICV5_PPI_SW;
}

static v5_dom *resident_dom(gicsim_gic *g, const v5_cpu *c)
{
    return c->resident ? irs_vm_dom(g, c->res_vm) : NULL;
}

/* The forwarded vSPI/vLPI if the IRS still has it as the resident vPE's candidate. */
static v5_irq *vforwarded(gicsim_gic *g, v5_cpu *c)
{
    v5_dom *d = resident_dom(g, c);
    if (!d || c->vfwd_intid == V5_NONE)
        return NULL;
    v5_irq *r = v5_cached(g, d, GICSIM_GICV5_INTID_TYPE(c->vfwd_intid),
                          GICSIM_GICV5_INTID_ID(c->vfwd_intid));
    return r && r->hpos && r->route == c->res_vpe ? r : NULL;
}

static bool virtual_best(gicsim_gic *g, v5_cpu *c, uint32_t *intid, unsigned *prio, v5_irq **rec)
{
    bool have = false;
    uint32_t pid = 0;
    unsigned pp = V5_PRIO_IDLE;
    for (unsigned w = 0; w < 2; w++) {
        uint64_t m = c->ven[w] & vpend_word(c, w) & ~c->vact[w];
        for (; m; m &= m - 1u) {
            uint32_t id = w * 64u + (uint32_t)__builtin_ctzll(m);
            unsigned p = vppi_prio(c, id);
            if (!have || p < pp) {
                pid = id;
                pp = p;
                have = true;
            }
        }
    }
    v5_irq *r = vforwarded(g, c);
    *rec = NULL;
    if (have && (!r || pp <= iste_prio(r->iste))) {
        *intid = GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, pid);
        *prio = pp;
        return true;
    }
    if (!r)
        return false;
    *intid = c->vfwd_intid;
    *prio = iste_prio(r->iste);
    *rec = r;
    return true;
}

static bool vsufficient(const v5_cpu *c, unsigned prio)
{
    return v5_sufficient(c->vmcr & 1u, prio, (unsigned)(c->vmcr >> 27) & 0x1Fu, (uint32_t)c->vapr);
}

void virt_update(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = cpu_of(g, pe);
    uint32_t intid = V5_NONE;
    unsigned prio = V5_PRIO_IDLE;
    v5_irq *rec;
    bool virq = virtual_best(g, c, &intid, &prio, &rec) && vsufficient(c, prio);
    if (virq && c->vpresented != intid)
        gic_emit(g, GICSIM_GEV_VSIGNAL, pe, intid);
    c->vpresented = virq ? intid : V5_NONE;
    if (virq != c->virq) {
        c->virq = virq;
        for (unsigned i = 0; i < g->n_vlisteners; i++)
            g->vlisteners[i].fn(g->vlisteners[i].ctx, pe, virq, false);
    }
}

static uint64_t guest_ack(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = cpu_of(g, pe);
    uint32_t intid;
    unsigned prio;
    v5_irq *r;
    if (!virtual_best(g, c, &intid, &prio, &r) || !vsufficient(c, prio)) {
        g->stats.v_spurious_acks++;
        return 0;
    }
    c->vapr |= 1u << prio;
    c->vact_intid[prio] = intid;
    GICSIM_INV(inv_v5_apr(g, pe, true, INV_APR_ACK, prio));
    if (r) {
        irs_activate(g, resident_dom(g, c), r);
    } else {
        uint32_t id = GICSIM_GICV5_INTID_ID(intid);
        set_bit_to(c->vact, id, true);
        if (virt_ppi_dvi(c, id)) {
            /* The physical PPI behind it is acknowledged with it. One the host acknowledged
             * and left active for the guest (KVM's timer taken while the vCPU was out of its
             * guest: the host skips a forwarded PPI's CDDI) is the same instance. */
            uint32_t old = cpuif_v5_ppi_state(g, pe, id);
            if (!(old & ISTE_ACTIVE))
                GICSIM_INV(inv_v5_ack(g, intid, old));
            set_bit_to(c->ppi_act, id, true);
            if (!ppi_level(id))
                set_bit_to(c->ppi_pend, id, false);
            cpuif_v5_ppi_commit(g, pe, id, old, cpuif_v5_ppi_state(g, pe, id), true);
            g->v5->st.ppi_direct_acks++;
        } else if (!ppi_level(id)) {
            set_bit_to(c->vpend, id, false);
        }
    }
    g->stats.v_acks++;
    gic_emit(g, GICSIM_GEV_VACK, pe, intid);
    cpuif_v5_update(g, pe);
    return GICSIM_GICV5_CDIA_VALID | intid;
}

static void guest_drop(gicsim_gic *g, uint32_t pe)
{
    v5_cpu *c = cpu_of(g, pe);
    if (!c->vapr) {
        g->v5->st.commands_ignored++;
        return;
    }
    unsigned p = (unsigned)__builtin_ctzll(c->vapr);
    c->vapr &= c->vapr - 1u;
    gic_emit(g, GICSIM_GEV_VPRIO_DROP, pe, c->vact_intid[p]);
    GICSIM_INV(inv_v5_apr(g, pe, true, INV_APR_DROP, p));
    cpuif_v5_update(g, pe);
}

static void guest_ppi_deactivate(gicsim_gic *g, uint32_t pe, uint32_t id)
{
    v5_cpu *c = cpu_of(g, pe);
    if (!bit_of(c->vact, id)) {
        g->v5->st.commands_ignored++;
        return;
    }
    set_bit_to(c->vact, id, false);
    g->stats.v_deactivations++;
    gic_emit(g, GICSIM_GEV_VDEACTIVATE, pe, GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, id));
    if (virt_ppi_dvi(c, id) && bit_of(c->ppi_act, id)) {
        uint32_t old = cpuif_v5_ppi_state(g, pe, id);
        set_bit_to(c->ppi_act, id, false);
        cpuif_v5_ppi_commit(g, pe, id, old, cpuif_v5_ppi_state(g, pe, id), false);
    }
    cpuif_v5_update(g, pe);
}

/* A guest's CD* on an SPI or LPI: a request to the resident VM's domain. While SetResident is
 * on its way the command follows it on the stream to the IRS, for the VM ICH_CONTEXTR_EL2
 * names (docs/gicv5.md, "Assumptions"). */
static void guest_to_irs(gicsim_gic *g, uint32_t pe, v5_op op, uint64_t val, uint32_t arg)
{
    v5_cpu *c = cpu_of(g, pe);
    unsigned type = (unsigned)(val >> 29) & 7u;
    if ((!c->resident && !c->res_msg) || (type != GICSIM_GICV5_LPI && type != GICSIM_GICV5_SPI)) {
        g->v5->st.commands_ignored++;
        return;
    }
    uint32_t vm = c->resident ? c->res_vm : (uint32_t)c->contextr & 0xFFFFu;
    irs_request(g, v5_hop(g, g->v5->t_cpuif_to_irs, pe), op, true, vm, type,
                (uint32_t)val & 0xFFFFFFu, arg);
}

gicsim_status guest_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val)
{
    v5_cpu *c = cpu_of(g, pe);
    unsigned r = (unsigned)reg, w = (r - GICSIM_GICV5_ICC_PPI_ENABLER0) & 1u;
    unsigned type = (unsigned)(val >> 29) & 7u;
    uint32_t id = (uint32_t)val & 0xFFFFFFu;
    if (r >= GICSIM_GICV5_ICC_PPI_PRIORITYR0 && r <= GICSIM_GICV5_ICC_PPI_PRIORITYR15) {
        c->vpri[r - GICSIM_GICV5_ICC_PPI_PRIORITYR0] = val & 0x1F1F1F1F1F1F1F1Full;
        virt_update(g, pe);
        return GICSIM_OK;
    }
    switch (reg) {
    case GICSIM_GICV5_ICC_CR0:
        c->vmcr = (c->vmcr & ~1ull) | (val & 1u);
        break;
    case GICSIM_GICV5_ICC_PCR:
        c->vmcr = (c->vmcr & ~(0x1Full << 27)) | ((val & 0x1Fu) << 27);
        break;
    case GICSIM_GICV5_ICC_APR:
        c->vapr = val & 0xFFFFFFFFu;
        GICSIM_INV(inv_v5_apr(g, pe, true, INV_APR_WRITE, 0));
        break;
    case GICSIM_GICV5_ICC_ICSR:
        c->vicsr = val & 0x0000FFFF0000F83Full;
        break;
    case GICSIM_GICV5_ICC_PPI_ENABLER0:
    case GICSIM_GICV5_ICC_PPI_ENABLER1:
        c->ven[w] = val;
        break;
    case GICSIM_GICV5_ICC_PPI_SPENDR0:
    case GICSIM_GICV5_ICC_PPI_SPENDR1:
    case GICSIM_GICV5_ICC_PPI_CPENDR0:
    case GICSIM_GICV5_ICC_PPI_CPENDR1: {
        /* Edge PPIs injected by the hypervisor only: Level and DVI'd pending bits are RO. */
        uint64_t m = val & ~c->dvir[w] & (w ? 0 : 1ull << GICSIM_GICV5_PPI_SW);
        if (val & ~m)
            g->stats.raz_wi_writes++;
        if (reg == GICSIM_GICV5_ICC_PPI_SPENDR0 || reg == GICSIM_GICV5_ICC_PPI_SPENDR1)
            c->vpend[w] |= m;
        else
            c->vpend[w] &= ~m;
        break;
    }
    case GICSIM_GICV5_ICC_PPI_SACTIVER0:
    case GICSIM_GICV5_ICC_PPI_SACTIVER1:
        c->vact[w] |= val;
        break;
    case GICSIM_GICV5_ICC_PPI_CACTIVER0:
    case GICSIM_GICV5_ICC_PPI_CACTIVER1:
        c->vact[w] &= ~val;
        break;
    case GICSIM_GICV5_GIC_CDDIS:
        guest_to_irs(g, pe, V5_OP_ENABLE, val, 0);
        break;
    case GICSIM_GICV5_GIC_CDEN:
        guest_to_irs(g, pe, V5_OP_ENABLE, val, 1);
        break;
    case GICSIM_GICV5_GIC_CDPRI:
        guest_to_irs(g, pe, V5_OP_PRIORITY, val, (uint32_t)(val >> 35) & 0x1Fu);
        break;
    case GICSIM_GICV5_GIC_CDAFF:
        guest_to_irs(g, pe, V5_OP_AFFINITY, val, (uint32_t)(val >> 32) & 0xFFFFu);
        break;
    case GICSIM_GICV5_GIC_CDPEND:
        guest_to_irs(g, pe, V5_OP_PENDING, val, (val >> 32) & 1u ? PEND_SET : PEND_CLEAR);
        break;
    case GICSIM_GICV5_GIC_CDHM:
        guest_to_irs(g, pe, V5_OP_HM, val, (uint32_t)(val >> 32) & 1u);
        break;
    case GICSIM_GICV5_GIC_CDRCFG: {
        v5_dom *d = resident_dom(g, c);
        c->vicsr = d && (type == GICSIM_GICV5_LPI || type == GICSIM_GICV5_SPI)
                       ? irs_request_config(g, d, type, id)
                       : 1u;
        break;
    }
    case GICSIM_GICV5_GIC_CDEOI:
        guest_drop(g, pe);
        return GICSIM_OK;
    case GICSIM_GICV5_GIC_CDDI:
        if (type == GICSIM_GICV5_PPI && id < GICSIM_GICV5_PPIS)
            guest_ppi_deactivate(g, pe, id);
        else
            guest_to_irs(g, pe, V5_OP_DEACTIVATE, val, 0);
        return GICSIM_OK;
    case GICSIM_GICV5_GSB_SYS:
    case GICSIM_GICV5_GSB_ACK:
        return GICSIM_OK;
    default:
        g->stats.raz_wi_writes++; /* read-only */
        return GICSIM_OK;
    }
    virt_update(g, pe);
    return GICSIM_OK;
}

gicsim_status guest_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t *val)
{
    v5_cpu *c = cpu_of(g, pe);
    const uint64_t vpend[2] = {vpend_word(c, 0), vpend_word(c, 1)};
    *val = 0;
    if (v5_ppi_view_read(reg, c->vpri, c->ven, vpend, c->vact, val) ||
        v5_prio_view_read(reg, c->vmcr & 1u, (c->vmcr >> 27) & 0x1Fu, (uint32_t)c->vapr, val))
        return GICSIM_OK;
    switch (reg) {
    case GICSIM_GICV5_ICC_HPPIR: {
        uint32_t intid;
        unsigned prio;
        v5_irq *rec;
        if (virtual_best(g, c, &intid, &prio, &rec) && vsufficient(c, prio))
            *val = GICSIM_GICV5_CDIA_VALID | intid;
        break;
    }
    case GICSIM_GICV5_ICC_ICSR:
        *val = c->vicsr;
        break;
    case GICSIM_GICV5_ICC_IAFFIDR:
        *val = (c->contextr >> GICSIM_GICV5_CONTEXTR_VPE_SHIFT) & 0xFFFFu;
        break;
    case GICSIM_GICV5_ICC_IDR0:
        return cpuif_v5_read(g, pe, reg, val);
    case GICSIM_GICV5_ICC_PPI_HMR0:
    case GICSIM_GICV5_ICC_PPI_HMR1:
        return cpuif_v5_read(g, pe, reg, val);
    case GICSIM_GICV5_GICR_CDIA:
        *val = guest_ack(g, pe);
        break;
    case GICSIM_GICV5_GICR_CDNMIA:
        g->stats.v_spurious_acks++;
        break;
    default:
        g->stats.ignored_ops++; /* write-only */
        break;
    }
    return GICSIM_OK;
}

/* ---- ICH_*_EL2 and GIC VDPEND --------------------------------------------------------------- */

static uint64_t *ppi_reg(v5_cpu *c, gicsim_gicv5_sysreg reg)
{
    switch (reg) {
    case GICSIM_GICV5_ICH_PPI_DVIR0:
    case GICSIM_GICV5_ICH_PPI_DVIR1:
        return &c->dvir[reg - GICSIM_GICV5_ICH_PPI_DVIR0];
    case GICSIM_GICV5_ICH_PPI_ENABLER0:
    case GICSIM_GICV5_ICH_PPI_ENABLER1:
        return &c->ven[reg - GICSIM_GICV5_ICH_PPI_ENABLER0];
    case GICSIM_GICV5_ICH_PPI_PENDR0:
    case GICSIM_GICV5_ICH_PPI_PENDR1:
        return &c->vpend[reg - GICSIM_GICV5_ICH_PPI_PENDR0];
    case GICSIM_GICV5_ICH_PPI_ACTIVER0:
    case GICSIM_GICV5_ICH_PPI_ACTIVER1:
        return &c->vact[reg - GICSIM_GICV5_ICH_PPI_ACTIVER0];
    default:
        if (reg >= GICSIM_GICV5_ICH_PPI_PRIORITYR0 && reg <= GICSIM_GICV5_ICH_PPI_PRIORITYR15)
            return &c->vpri[reg - GICSIM_GICV5_ICH_PPI_PRIORITYR0];
        return NULL;
    }
}

gicsim_status virt_read(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t *val)
{
    v5_cpu *c = cpu_of(g, pe);
    uint64_t *p = ppi_reg(c, reg);
    *val = 0;
    if (p) {
        *val = *p;
        return GICSIM_OK;
    }
    switch (reg) {
    case GICSIM_GICV5_ICH_VCTLR:
        *val = c->vctlr;
        break;
    case GICSIM_GICV5_ICH_VMCR:
        *val = c->vmcr;
        break;
    case GICSIM_GICV5_ICH_APR:
        *val = c->vapr;
        break;
    case GICSIM_GICV5_ICH_CONTEXTR:
        *val = c->contextr;
        break;
    default:
        g->stats.ignored_ops++; /* GIC VDPEND is write-only */
        break;
    }
    return GICSIM_OK;
}

gicsim_status virt_write(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val)
{
    v5_cpu *c = cpu_of(g, pe);
    uint64_t *p = ppi_reg(c, reg);
    if (p) {
        *p = reg >= GICSIM_GICV5_ICH_PPI_PRIORITYR0 ? val & 0x1F1F1F1F1F1F1F1Full : val;
        cpuif_v5_update(g, pe); /* DVI moves PPIs between the interfaces */
        return GICSIM_OK;
    }
    switch (reg) {
    case GICSIM_GICV5_ICH_VCTLR:
        c->vctlr = val & 1u; /* V3 (the GICv3 mode) is not modelled: RAZ/WI */
        if (val & 2u)
            g->stats.raz_wi_writes++;
        break;
    case GICSIM_GICV5_ICH_VMCR:
        c->vmcr = val & ICH_VMCR_MASK;
        break;
    case GICSIM_GICV5_ICH_APR:
        c->vapr = val & 0xFFFFFFFFu;
        GICSIM_INV(inv_v5_apr(g, pe, true, INV_APR_WRITE, 0));
        break;
    case GICSIM_GICV5_ICH_CONTEXTR:
        contextr_write(g, pe, val);
        return GICSIM_OK;
    case GICSIM_GICV5_GIC_VDPEND: {
        unsigned type = (unsigned)(val >> 29) & 7u;
        uint32_t vm = (uint32_t)(val >> 32) & 0xFFFFu;
        if (type != GICSIM_GICV5_LPI && type != GICSIM_GICV5_SPI) {
            g->v5->st.commands_ignored++;
            return GICSIM_OK;
        }
        if (vm >= V5_VMS) {
            g->v5->st.irs_dropped++;
            return GICSIM_OK;
        }
        irs_request(g, v5_hop(g, g->v5->t_cpuif_to_irs, pe), V5_OP_PENDING, true, vm, type,
                    (uint32_t)val & 0xFFFFFFu, (val >> 63) ? PEND_SET : PEND_CLEAR);
        return GICSIM_OK;
    }
    default:
        break;
    }
    virt_update(g, pe);
    return GICSIM_OK;
}

void virt_free(gicsim_gic *g)
{
    v5_irs *s = irs_of(g);
    for (uint32_t vm = 0; vm < V5_VMS; vm++) {
        free_vm(s->vm[vm]);
        s->vm[vm] = NULL;
    }
}
