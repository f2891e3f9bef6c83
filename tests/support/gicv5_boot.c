/* gicsim test support for the GICv5 model (gicv5_boot.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/gicv5_boot.h"

void tf_v5_open(gicsim_engine **e, gicsim_gic **g, uint32_t pes, gicsim_gic_observer_fn obs,
                void *ctx)
{
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = GICSIM_GICV5;
    cfg.num_pes = pes;
    cfg.num_spis = 64;
    cfg.iwb_wires = 32;
    assert_int_equal(gicsim_engine_create(e), GICSIM_OK);
    assert_int_equal(gicsim_gic_create(*e, &cfg, g), GICSIM_OK);
    if (obs)
        assert_int_equal(gicsim_gic_add_observer(*g, obs, ctx), GICSIM_OK);
    gicsim_gic_os_init(*g);
    tf_v5_run(*e, 1000);
}

uint64_t tf_v5_rd(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_gicv5_sysreg_read(g, pe, reg, &v), GICSIM_OK);
    return v;
}

void tf_v5_wr(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val)
{
    assert_int_equal(gicsim_gicv5_sysreg_write(g, pe, reg, val), GICSIM_OK);
}

uint64_t tf_v5_grd(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_gicv5_guest_read(g, pe, reg, &v), GICSIM_OK);
    return v;
}

void tf_v5_gwr(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val)
{
    assert_int_equal(gicsim_gicv5_guest_write(g, pe, reg, val), GICSIM_OK);
}

uint64_t tf_v5_irs_rd(gicsim_gic *g, uint32_t off, unsigned size)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_gicv5_irs_read(g, off, size, &v), GICSIM_OK);
    return v;
}

void tf_v5_irs_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    assert_int_equal(gicsim_gicv5_irs_write(g, off, size, val), GICSIM_OK);
}

uint64_t tf_v5_its_rd(gicsim_gic *g, uint32_t off, unsigned size)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_gicv5_its_read(g, off, size, &v), GICSIM_OK);
    return v;
}

void tf_v5_its_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    assert_int_equal(gicsim_gicv5_its_write(g, off, size, val), GICSIM_OK);
}

void tf_v5_mem_wr64(gicsim_gic *g, uint64_t pa, uint64_t v)
{
    uint8_t b[8];
    for (unsigned i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    assert_int_equal(gicsim_mem_write(g, pa, b, sizeof b), GICSIM_OK);
}

uint64_t tf_v5_mem_rd64(gicsim_gic *g, uint64_t pa)
{
    uint8_t b[8];
    uint64_t v = 0;
    assert_int_equal(gicsim_mem_read(g, pa, b, sizeof b), GICSIM_OK);
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

uint32_t tf_v5_mem_rd32(gicsim_gic *g, uint64_t pa)
{
    return (uint32_t)tf_v5_mem_rd64(g, pa);
}

void tf_v5_check(gicsim_gic *g)
{
    char msg[256];
    if (gicsim_gic_check_invariants(g, msg, sizeof msg) != GICSIM_OK)
        fail_msg("%s", msg);
}

gicsim_irq_state tf_v5_state(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gicsim_irq_state s;
    assert_int_equal(gicsim_gicv5_irq_state(g, pe, intid, &s), GICSIM_OK);
    return s;
}

gicsim_irq_state tf_v5_vstate(gicsim_gic *g, uint32_t vm, uint32_t intid)
{
    gicsim_irq_state s;
    assert_int_equal(gicsim_gicv5_virq_state(g, vm, intid, &s), GICSIM_OK);
    return s;
}

gicsim_gicv5_stats tf_v5_vstats(const gicsim_gic *g)
{
    gicsim_gicv5_stats v;
    gicsim_gicv5_get_stats(g, &v);
    return v;
}

void tf_v5_ack_eoi_di(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    assert_int_equal(tf_v5_rd(g, pe, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | intid);
    tf_v5_wr(g, pe, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_wr(g, pe, GICSIM_GICV5_GIC_CDDI, intid);
}

void tf_v5_guest_ack_eoi_di(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    assert_int_equal(tf_v5_grd(g, pe, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | intid);
    tf_v5_gwr(g, pe, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_gwr(g, pe, GICSIM_GICV5_GIC_CDDI, intid);
}

void tf_v5_ppi_prio(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg base, uint32_t id, unsigned p)
{
    gicsim_gicv5_sysreg r = (gicsim_gicv5_sysreg)(base + id / 8);
    uint64_t v = tf_v5_rd(g, pe, r);
    tf_v5_wr(g, pe, r, (v & ~(0xFFull << (8 * (id % 8)))) | ((uint64_t)p << (8 * (id % 8))));
}

void tf_v5_run(gicsim_engine *e, uint64_t ns)
{
    gicsim_engine_run_for(e, GICSIM_NS(ns));
}

/* Wait (at most 100 us) until `mask` reads set at `off` of the IRS. */
static void irs_wait(gicsim_engine *e, gicsim_gic *g, uint32_t off, uint64_t mask)
{
    for (int i = 0; i < 1000; i++) {
        if (tf_v5_irs_rd(g, off, 4) & mask)
            return;
        tf_v5_run(e, 100);
    }
    fail_msg("IRS register 0x%x never became idle", (unsigned)off);
}

void tf_v5_ist(gicsim_engine *e, gicsim_gic *g, unsigned id_bits, bool two_level)
{
    uint64_t cfgr = id_bits | (two_level ? GICSIM_GICV5_IST_CFGR_TWO_LEVEL : 0u);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_IST_CFGR, 4, cfgr);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_IST_BASER, 8, TF_V5_IST_BASE | GICSIM_GICV5_IST_BASER_VALID);
    irs_wait(e, g, GICSIM_GICV5_IRS_IST_STATUSR, GICSIM_GICV5_IRS_IDLE);
}

void tf_v5_map_l2(gicsim_engine *e, gicsim_gic *g, uint32_t id)
{
    /* 4-byte ISTEs in 4 KiB L2 tables: 10 ID bits per L2 table. */
    uint32_t l1 = id >> 10;
    tf_v5_mem_wr64(g, TF_V5_IST_BASE + 8ull * l1, TF_V5_IST_L2_BASE + 0x1000ull * l1);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_MAP_L2_ISTR, 4, id);
    irs_wait(e, g, GICSIM_GICV5_IRS_IST_STATUSR, GICSIM_GICV5_IRS_IDLE);
}

void tf_v5_irq_setup(gicsim_engine *e, gicsim_gic *g, uint32_t pe, uint32_t intid, unsigned prio,
                     uint32_t target)
{
    tf_v5_wr(g, pe, GICSIM_GICV5_GIC_CDPRI, intid | ((uint64_t)prio << 35));
    tf_v5_wr(g, pe, GICSIM_GICV5_GIC_CDAFF, intid | ((uint64_t)target << 32));
    tf_v5_wr(g, pe, GICSIM_GICV5_GIC_CDEN, intid);
    tf_v5_run(e, 1000);
}

void tf_v5_virq_setup(gicsim_engine *e, gicsim_gic *g, uint32_t pe, uint32_t intid, unsigned prio,
                      uint32_t target_vpe)
{
    tf_v5_gwr(g, pe, GICSIM_GICV5_GIC_CDPRI, intid | ((uint64_t)prio << 35));
    tf_v5_gwr(g, pe, GICSIM_GICV5_GIC_CDAFF, intid | ((uint64_t)target_vpe << 32));
    tf_v5_gwr(g, pe, GICSIM_GICV5_GIC_CDEN, intid);
    tf_v5_run(e, 1000);
}

static void its_idle(gicsim_engine *e, gicsim_gic *g)
{
    for (int i = 0; i < 1000; i++) {
        if (tf_v5_its_rd(g, GICSIM_GICV5_ITS_STATUSR, 4) & 1u)
            return;
        tf_v5_run(e, 100);
    }
    fail_msg("ITS never became idle");
}

void tf_v5_its_boot(gicsim_engine *e, gicsim_gic *g)
{
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_DT_CFGR, 4, GICSIM_GICV5_DEVICEID_BITS);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_DT_BASER, 8, TF_V5_DT_BASE);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_CR0, 4, GICSIM_GICV5_ITS_CR0_ITSEN);
    its_idle(e, g);
}

void tf_v5_its_map(gicsim_engine *e, gicsim_gic *g, uint32_t device, uint32_t event, uint32_t lpi,
                   bool virt, uint32_t vm)
{
    uint64_t itt = TF_V5_ITT_BASE + 0x1000ull * device;
    /* DTE: VALID, linear ITT at `itt`, 8 EventID bits. */
    tf_v5_mem_wr64(g, TF_V5_DT_BASE + 8ull * device, itt | 1u | (8ull << 59));
    tf_v5_mem_wr64(g, itt + 8ull * event,
                   lpi | (1ull << 31) | (virt ? (1ull << 30) | ((uint64_t)vm << 32) : 0));
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_DIDR, 8, device);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_INV_DEVICER, 4, GICSIM_GICV5_ITS_INV_I);
    its_idle(e, g);
}

static void vmt_wait(gicsim_engine *e, gicsim_gic *g)
{
    irs_wait(e, g, GICSIM_GICV5_IRS_VMT_STATUSR, GICSIM_GICV5_IRS_IDLE);
}

void tf_v5_vm_boot(gicsim_engine *e, gicsim_gic *g, uint32_t vm, unsigned vpe_bits,
                   uint32_t db_base)
{
    if (!(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_VMT_BASER, 8) & 1u)) {
        tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VMT_CFGR, 4, GICSIM_GICV5_VM_ID_BITS);
        tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VMT_BASER, 8, TF_V5_VMT_BASE | 1u);
        vmt_wait(e, g);
    }
    uint64_t vmte = TF_V5_VMT_BASE + 32ull * vm, vpet = TF_V5_VPET_BASE + 0x1000ull * vm;
    uint64_t lpi_ist = TF_V5_VIST_BASE + 0x10000ull * vm, spi_ist = lpi_ist + 0x8000u;
    tf_v5_mem_wr64(g, vmte, 0);
    tf_v5_mem_wr64(g, vmte + 8, vpet | ((uint64_t)vpe_bits << 59));
    tf_v5_mem_wr64(g, vmte + 16, lpi_ist | 1u | (10ull << 59)); /* valid, linear, 10 ID bits */
    tf_v5_mem_wr64(g, vmte + 24, spi_ist | 1u | (10ull << 59));
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VMAP_VMR, 8, vm | GICSIM_GICV5_VMAP_M);
    vmt_wait(e, g);
    for (uint32_t p = 0; p < (1u << vpe_bits); p++) {
        tf_v5_mem_wr64(g, vpet + 8ull * p, 0x700000ull + 0x1000ull * vm + 32ull * p);
        tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VMAP_VPER, 8,
                     p | ((uint64_t)vm << 32) | GICSIM_GICV5_VMAP_M);
        vmt_wait(e, g);
        tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VPE_SELR, 8, vm | ((uint64_t)p << 32) | (1ull << 63));
        irs_wait(e, g, GICSIM_GICV5_IRS_VPE_STATUSR, GICSIM_GICV5_IRS_IDLE);
        tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VPE_CR0, 4, 1);
        irs_wait(e, g, GICSIM_GICV5_IRS_VPE_STATUSR, GICSIM_GICV5_IRS_IDLE);
        tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VPE_DBR, 8, (db_base + p) | (1ull << 63));
        irs_wait(e, g, GICSIM_GICV5_IRS_VPE_STATUSR, GICSIM_GICV5_IRS_IDLE);
    }
}

void tf_v5_resident(gicsim_engine *e, gicsim_gic *g, uint32_t pe, uint32_t vm, uint32_t vpe)
{
    tf_v5_wr(g, pe, GICSIM_GICV5_ICH_VMCR, 1u | (31ull << 27));
    tf_v5_wr(g, pe, GICSIM_GICV5_ICH_CONTEXTR,
             GICSIM_GICV5_CONTEXTR_V | ((uint64_t)vpe << 32) | vm);
    tf_v5_run(e, 1000);
}
