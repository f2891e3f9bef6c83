/* Tests of GICv5 virtualization (lib/gic/gicv5_virt.c; docs/gicv5.md): the VM and vPE tables,
 * residency through ICH_CONTEXTR_EL2 (its time and its faults), vLPIs from the ITS and the
 * guest's IPIs handled in hardware, doorbells with their priority mask (once per request,
 * DB=0 none, the initial request), the timer PPI injected directly (ICH_PPI_DVIR), virtual
 * PPIs injected by the hypervisor, GIC VDPEND, an SPI handed to a VM (IRS_SPI_VMR), and a VM
 * made invalid while running. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/gicv5_boot.h"

#define CNTV GICSIM_GICV5_PPI_CNTV
#define DB_BASE 1000u /* vPE n's doorbell: physical LPI 1000 + n */

/* A host with a physical IST, the ITS, VM 1 of 2 vPEs and their doorbells (LPIs 1000, 1001)
 * enabled and targeted at PE 0, as KVM requests them. */
static void boot(gicsim_engine **e, gicsim_gic **g, uint32_t pes)
{
    tf_v5_open(e, g, pes, NULL, NULL);
    tf_v5_ist(*e, *g, 12, false);
    tf_v5_its_boot(*e, *g);
    for (uint32_t p = 0; p < 2; p++)
        tf_v5_irq_setup(*e, *g, 0, LPI(DB_BASE + p), 0x8, 0);
    tf_v5_vm_boot(*e, *g, 1, 1, DB_BASE);
}

/* The IRS writes VALID into the VMTE and the VPETEs; IRS_VPE_SELR/STATUSR/DBR show the vPE and
 * its initial doorbell request (every priority). */
static void test_tables(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 2);
    assert_int_equal(tf_v5_mem_rd64(g, TF_V5_VMT_BASE + 32) & 1u, 1);
    assert_int_equal(tf_v5_mem_rd64(g, TF_V5_VPET_BASE + 0x1000 + 8) & 1u, 1);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VPE_SELR, 8, 1 | (1ull << 32) | (1ull << 63));
    tf_v5_run(e, 200);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_VPE_STATUSR, 4), 3); /* IDLE, V */
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_VPE_DBR, 8),
                     (DB_BASE + 1) | (0x1Full << 32) | (1ull << 62) | (1ull << 63));
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VPE_SELR, 8, 1 | (2ull << 32) | (1ull << 63)); /* no vPE 2 */
    tf_v5_run(e, 200);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_VPE_STATUSR, 4), 1);
    /* The VM table's base is read-only while valid. */
    uint64_t baser = tf_v5_irs_rd(g, GICSIM_GICV5_IRS_VMT_BASER, 8);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VMT_BASER, 8, 0x990000 | 1u);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_VMT_BASER, 8), baser);
    gicsim_irq_state s;
    assert_int_equal(gicsim_gicv5_virq_state(g, 2, LPI(1), &s), GICSIM_E_RANGE); /* no VM 2 */
    tf_gic_free(e, g);
}

/* Residency: ICH_CONTEXTR V=1 takes gicv5_vpe_resident (250 ns) before the vPE's interrupts
 * are forwarded (+30); a vPE that is not valid faults (F=1, V=0, counted). */
static void test_residency(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 2);
    tf_v5_resident(e, g, 0, 1, 0);
    tf_v5_virq_setup(e, g, 0, LPI(10), 0x10, 0);
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(10) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_true(gicsim_gic_virq_line(g, 0));
    tf_v5_wr(g, 0, GICSIM_GICV5_ICH_CONTEXTR, 1); /* V=0, no doorbell */
    assert_false(gicsim_gic_virq_line(g, 0));
    tf_v5_wr(g, 0, GICSIM_GICV5_ICH_CONTEXTR, GICSIM_GICV5_CONTEXTR_V | 1);
    tf_v5_run(e, 279);
    assert_false(gicsim_gic_virq_line(g, 0));
    tf_v5_run(e, 1);
    assert_true(gicsim_gic_virq_line(g, 0));
    assert_int_equal(tf_v5_grd(g, 0, GICSIM_GICV5_ICC_IAFFIDR), 0);
    tf_v5_guest_ack_eoi_di(g, 0, LPI(10));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_vstate(g, 1, LPI(10)), GICSIM_IRQ_INACTIVE);
    /* vPE 0 is resident on PE 0: making it resident on PE 1 too faults. */
    tf_v5_wr(g, 1, GICSIM_GICV5_ICH_CONTEXTR, GICSIM_GICV5_CONTEXTR_V | 1);
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICH_CONTEXTR), GICSIM_GICV5_CONTEXTR_F | 1);
    tf_v5_wr(g, 1, GICSIM_GICV5_ICH_CONTEXTR, GICSIM_GICV5_CONTEXTR_V | (7ull << 32) | 1);
    tf_v5_run(e, 1000);
    assert_true(tf_v5_rd(g, 1, GICSIM_GICV5_ICH_CONTEXTR) & GICSIM_GICV5_CONTEXTR_F);
    assert_int_equal(tf_v5_vstats(g).residency_faults, 2);
    gicsim_gicv5_stats v = tf_v5_vstats(g);
    assert_int_equal(v.vraised, 1);
    assert_int_equal(v.vacknowledged, 1);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* A device's MSI mapped to a vLPI (ITTE VIRTUAL, VM 1) reaches the resident vPE's guest:
 * vIRQ, no physical IRQ, no hypervisor; the guest acknowledges it through its own view. */
static void test_vlpi_from_its(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_ev_log log = {0};
    boot(&e, &g, 1);
    tf_ev_log_attach(&log, g);
    tf_v5_resident(e, g, 0, 1, 0);
    tf_v5_virq_setup(e, g, 0, LPI(20), 0x10, 0);
    tf_v5_its_map(e, g, 3, 0, 20, true, 1);
    gicsim_gicv5_msi(g, 3, 0);
    tf_v5_run(e, 1000);
    assert_true(gicsim_gic_virq_line(g, 0));
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_vstate(g, 1, LPI(20)), GICSIM_IRQ_PENDING);
    tf_v5_guest_ack_eoi_di(g, 0, LPI(20));
    tf_v5_run(e, 1000);
    size_t i = 0;
    tf_ev_next(&log, &i, GICSIM_GEV_VSIGNAL, 0, LPI(20));
    tf_ev_next(&log, &i, GICSIM_GEV_VACK, 0, LPI(20));
    tf_ev_next(&log, &i, GICSIM_GEV_VPRIO_DROP, 0, LPI(20));
    tf_ev_next(&log, &i, GICSIM_GEV_VDEACTIVATE, 0, LPI(20));
    assert_int_equal(tf_gic_stats(g).raised, 0);
    assert_int_equal(tf_gic_stats(g).v_acks, 1);
    tf_ev_log_free(&log);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* The guest's IPI: vPE 0 (PE 0) CDPENDs an LPI its ISTE targets at vPE 1 (PE 1): 270 + 100 +
 * 30 ns later PE 1's vIRQ rises; no exit, no physical interrupt. */
static void test_guest_ipi(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 2);
    tf_v5_resident(e, g, 0, 1, 0);
    tf_v5_resident(e, g, 1, 1, 1);
    tf_v5_virq_setup(e, g, 0, LPI(2), 0x10, 1);
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(2) | (1ull << 32));
    tf_v5_run(e, 399);
    assert_false(gicsim_gic_virq_line(g, 1));
    tf_v5_run(e, 1);
    assert_true(gicsim_gic_virq_line(g, 1));
    assert_false(gicsim_gic_irq_line(g, 1));
    tf_v5_guest_ack_eoi_di(g, 1, LPI(2));
    assert_int_equal(tf_gic_stats(g).raised, 0);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* Doorbells. vPE 1 never ran: the initial request rings for any priority, once. Then, made
 * non-resident with DB=1 and DBPM=0x10: an interrupt at 0x18 does not ring, one at 0x10 does,
 * once; with DB=0 nothing rings. */
static void test_doorbells(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_irq_state s;
    boot(&e, &g, 2);
    tf_v5_resident(e, g, 0, 1, 0);
    tf_v5_virq_setup(e, g, 0, LPI(30), 0x18, 1);
    tf_v5_virq_setup(e, g, 0, LPI(31), 0x10, 1);
    tf_v5_virq_setup(e, g, 0, LPI(32), 0x10, 1);
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(30) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_gic_stats(g).doorbells, 1); /* vPE 1 never ran */
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA),
                     GICSIM_GICV5_CDIA_VALID | LPI(DB_BASE + 1));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDI, LPI(DB_BASE + 1));
    /* The host runs vPE 1: LPI 30 is taken; then it blocks with DB=1, DBPM=0x10. */
    tf_v5_resident(e, g, 1, 1, 1);
    tf_v5_guest_ack_eoi_di(g, 1, LPI(30));
    tf_v5_wr(g, 1, GICSIM_GICV5_ICH_CONTEXTR,
             1 | (1ull << 32) | GICSIM_GICV5_CONTEXTR_DB |
                 (0x10ull << GICSIM_GICV5_CONTEXTR_DBPM_SHIFT));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_vstats(g).doorbell_requests, 1);
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(30) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_gic_stats(g).doorbells, 1); /* 0x18 > DBPM */
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(31) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_gic_stats(g).doorbells, 2);
    assert_int_equal(gicsim_gicv5_irq_state(g, 0, LPI(DB_BASE + 1), &s), GICSIM_OK);
    assert_int_equal(s, GICSIM_IRQ_PENDING);
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(32) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_gic_stats(g).doorbells, 2); /* one per request */
    /* Resident again, then out with DB=0: no doorbell. */
    tf_v5_resident(e, g, 1, 1, 1);
    tf_v5_guest_ack_eoi_di(g, 1, LPI(31));
    tf_v5_run(e, 1000);
    tf_v5_guest_ack_eoi_di(g, 1, LPI(32));
    tf_v5_run(e, 1000);
    tf_v5_wr(g, 1, GICSIM_GICV5_ICH_CONTEXTR, 1 | (1ull << 32));
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(31) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_gic_stats(g).doorbells, 2);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* The guest's timer PPI with ICH_PPI_DVIR: the physical PPI drives the virtual one while the
 * host's interface ignores it; the guest's acknowledge and deactivation act on the physical
 * PPI (accounted as one physical instance); without DVI the host takes it. */
static void test_dvi_timer(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_irq_state s;
    boot(&e, &g, 1);
    tf_v5_resident(e, g, 0, 1, 0);
    /* The host has the PPI enabled too (its own timer handling when no vCPU runs). */
    tf_v5_ppi_prio(g, 0, GICSIM_GICV5_ICC_PPI_PRIORITYR0, CNTV, 0x8);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_ENABLER0, 1ull << CNTV);
    tf_v5_ppi_prio(g, 0, GICSIM_GICV5_ICH_PPI_PRIORITYR0, CNTV, 0x10);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICH_PPI_ENABLER0, 1ull << CNTV);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICH_PPI_DVIR0, 1ull << CNTV);
    gicsim_gicv5_set_line(g, 0, PPI(CNTV), true);
    assert_true(gicsim_gic_virq_line(g, 0));
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_grd(g, 0, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | PPI(CNTV));
    assert_int_equal(gicsim_gicv5_irq_state(g, 0, PPI(CNTV), &s), GICSIM_OK);
    assert_int_equal(s, GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(tf_v5_vstats(g).ppi_direct_acks, 1);
    gicsim_gicv5_set_line(g, 0, PPI(CNTV), false); /* the guest reprograms its timer */
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDDI, PPI(CNTV));
    gicsim_gicv5_irq_state(g, 0, PPI(CNTV), &s);
    assert_int_equal(s, GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_gic_stats(g).acknowledged, 1);
    /* Without DVI the host takes the physical PPI. */
    tf_v5_wr(g, 0, GICSIM_GICV5_ICH_PPI_DVIR0, 0);
    gicsim_gicv5_set_line(g, 0, PPI(CNTV), true);
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_false(gicsim_gic_virq_line(g, 0));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* Virtual PPIs the hypervisor injects (not DVI): ICH_PPI_PENDR; the guest's acknowledge of the
 * edge SW_PPI clears it. GIC VDPEND sets a VM's SPI pending. */
static void test_injected(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 1);
    tf_v5_resident(e, g, 0, 1, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICH_PPI_ENABLER0, 1ull << GICSIM_GICV5_PPI_SW);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICH_PPI_PENDR0, 1ull << GICSIM_GICV5_PPI_SW);
    assert_true(gicsim_gic_virq_line(g, 0));
    tf_v5_guest_ack_eoi_di(g, 0, PPI(GICSIM_GICV5_PPI_SW));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICH_PPI_PENDR0), 0);
    assert_false(gicsim_gic_virq_line(g, 0));
    tf_v5_virq_setup(e, g, 0, SPI(4), 0x10, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_VDPEND, SPI(4) | (1ull << 32) | (1ull << 63));
    tf_v5_run(e, 1000);
    tf_v5_guest_ack_eoi_di(g, 0, SPI(4));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* IRS_SPI_VMR hands physical SPI 7 to VM 1: its wire drives the VM's virtual SPI 7 (in the VM's
 * SPI IST), delivered to the resident vPE. */
static void test_spi_to_vm(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 1);
    tf_v5_resident(e, g, 0, 1, 0);
    tf_v5_virq_setup(e, g, 0, SPI(7), 0x10, 0);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_SELR, 4, 7);
    tf_v5_run(e, 200);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_VMR, 8, 1 | (1ull << 63));
    tf_v5_run(e, 200);
    gicsim_gicv5_set_line(g, 0, SPI(7), true);
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_vstate(g, 1, SPI(7)), GICSIM_IRQ_PENDING);
    assert_true(tf_v5_mem_rd32(g, TF_V5_VIST_BASE + 0x10000 + 0x8000 + 4 * 7) & 1u);
    tf_v5_guest_ack_eoi_di(g, 0, SPI(7));
    assert_int_equal(tf_gic_stats(g).raised, 0);
    assert_int_equal(tf_v5_vstats(g).vraised, 1);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* A VM made invalid while a vPE runs: residency faults, its pending interrupts are withdrawn,
 * its VMTE's VALID cleared. */
static void test_vm_invalidate(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 1);
    tf_v5_resident(e, g, 0, 1, 0);
    tf_v5_virq_setup(e, g, 0, LPI(40), 0x10, 0);
    tf_v5_gwr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(40) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_true(gicsim_gic_virq_line(g, 0));
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_VMAP_VMR, 8, 1 | GICSIM_GICV5_VMAP_U | GICSIM_GICV5_VMAP_M);
    tf_v5_run(e, 1000);
    assert_false(gicsim_gic_virq_line(g, 0));
    assert_true(tf_v5_rd(g, 0, GICSIM_GICV5_ICH_CONTEXTR) & GICSIM_GICV5_CONTEXTR_F);
    assert_int_equal(tf_v5_mem_rd64(g, TF_V5_VMT_BASE + 32) & 1u, 0);
    gicsim_gicv5_stats v = tf_v5_vstats(g);
    assert_int_equal(v.vwithdrawn, 1);
    assert_int_equal(v.vpending_now, 0);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),        cmocka_unit_test(test_residency),
        cmocka_unit_test(test_vlpi_from_its), cmocka_unit_test(test_guest_ipi),
        cmocka_unit_test(test_doorbells),     cmocka_unit_test(test_dvi_timer),
        cmocka_unit_test(test_injected),      cmocka_unit_test(test_spi_to_vm),
        cmocka_unit_test(test_vm_invalidate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
