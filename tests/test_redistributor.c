/* gicsim: tests of the Redistributors (GICR RD_base and SGI_base frames,
 * banked SGI/PPI state, GICR_WAKER). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"

/* ---- fixture and helpers ---- */

/* A GIC with an event log (support/fixtures.h). */
typedef tf_gic_fx fx;

/* ---- GICR_TYPER ---- */

static void check_typer(uint32_t num_pes, uint32_t per_cluster)
{
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = num_pes;
    cfg.pes_per_cluster = per_cluster;
    fx *f = tf_gic_fx_new(&cfg, false, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    for (uint32_t pe = 0; pe < num_pes; pe++) {
        uint64_t aff0 = pe % per_cluster, aff1 = (pe / per_cluster) & 0xFFu;
        uint64_t aff2 = (pe / per_cluster) >> 8;
        uint64_t expect = ((aff0 | aff1 << 8 | aff2 << 16) << 32) | ((uint64_t)pe << 8) |
                          (pe == num_pes - 1 ? GICSIM_GICR_TYPER_LAST : 0) |
                          GICSIM_GICR_TYPER_PLPIS | GICSIM_GICR_TYPER_DIRECT_LPI;
        uint64_t v = tf_gicr_rd(g, pe, GICSIM_GICR_TYPER, 8);
        assert_int_equal(v, expect);
        assert_int_equal((v >> 8) & 0xFFFFu, pe); /* Processor_Number */
        assert_int_equal((v & GICSIM_GICR_TYPER_LAST) != 0, pe == num_pes - 1);
        assert_int_equal(v & 1u, 1);        /* PLPIS */
        assert_int_equal((v >> 1) & 1u, 0); /* VLPIS: GICv3 */
        /* 32-bit halves. */
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_TYPER, 4), expect & 0xFFFFFFFFu);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_TYPER + 4, 4), expect >> 32);
    }
    tf_gic_fx_free(f);
}

static void test_typer(void **state)
{
    (void)state;
    check_typer(4, 16);
    check_typer(1, 16);
    check_typer(40, 16); /* PEs 16..31 have Aff1 = 1, 32..39 Aff1 = 2 */
    check_typer(12, 4);
    check_typer(1100, 4); /* 275 clusters: Aff2 = 1 from PE 1024 */
}

static void test_typer_bad_access(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, false, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    gicsim_gic_stats s0 = tf_gic_stats(g);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_TYPER + 4, 8), 0); /* unaligned */
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_TYPER, 2), 0);     /* wrong width */
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_TYPER, 1), 0);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_reads - s0.raz_wi_reads, 3);
    /* Read-only: writes are ignored and counted. */
    uint64_t before = tf_gicr_rd(g, 3, GICSIM_GICR_TYPER, 8);
    tf_gicr_wr(g, 3, GICSIM_GICR_TYPER, 8, 0);
    tf_gicr_wr(g, 3, GICSIM_GICR_TYPER, 4, 0);
    tf_gicr_wr(g, 3, GICSIM_GICR_TYPER + 4, 4, 0);
    assert_int_equal(tf_gicr_rd(g, 3, GICSIM_GICR_TYPER, 8), before);
    assert_int_equal(tf_gic_stats(g).raz_wi_writes - s1.raz_wi_writes, 3);
    tf_gic_fx_free(f);
}

/* ---- GICR_WAKER ---- */

/* Everything os_init does except waking the redistributors. */
static void program_all_but_waker(gicsim_gic *g)
{
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP1),
                     GICSIM_OK);
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_IGROUPR + 4, 4, 0xFFFFFFFFu), GICSIM_OK);
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8), GICSIM_OK);
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_IROUTER + 8 * 40, 8, 1), GICSIM_OK);
    for (uint32_t pe = 0; pe < gicsim_gic_num_pes(g); pe++) {
        tf_gicr_wr(g, pe, GICSIM_GICR_IGROUPR0, 4, 0xFFFFFFFFu);
        tf_gicr_wr(g, pe, GICSIM_GICR_ISENABLER0, 4, 0xFFFFFFFFu);
        tf_icc_wr(g, pe, GICSIM_ICC_PMR, 0xFF);
        tf_icc_wr(g, pe, GICSIM_ICC_IGRPEN1, 1);
    }
}

static void test_waker_reset_asleep(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, false, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    for (uint32_t pe = 0; pe < 4; pe++)
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_WAKER, 4),
                         GICSIM_GICR_WAKER_PROCESSOR_SLEEP | GICSIM_GICR_WAKER_CHILDREN_ASLEEP);
    program_all_but_waker(g);
    /* SPI 40 routed to PE 1, PPI 20 on PE 1, SGI 2 on PE 1: none forwarded. */
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 8), GICSIM_OK);
    assert_int_equal(gicsim_gic_set_line(g, 1, 20, true), GICSIM_OK);
    tf_gicr_wr(g, 1, GICSIM_GICR_ISPENDR0, 4, 1u << 2);
    gicsim_engine_run_for(f->e, GICSIM_US(10));
    for (uint32_t pe = 0; pe < 4; pe++) {
        assert_false(gicsim_gic_irq_line(g, pe));
        assert_int_equal(tf_icc_rd(g, pe, GICSIM_ICC_HPPIR1), GICSIM_INTID_SPURIOUS);
    }
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_irq_state(g, 1, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(g, 1, 20), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(g, 1, 2), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_gic_stats(g).signals, 0);

    /* Waking PE 0 does not deliver PE 1's interrupts. */
    tf_gicr_wr(g, 0, GICSIM_GICR_WAKER, 4, 0);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_false(gicsim_gic_irq_line(g, 1));
    /* Clearing ProcessorSleep on PE 1 delivers, highest priority (lowest INTID) first. */
    tf_gicr_wr(g, 1, GICSIM_GICR_WAKER, 4, 0);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_WAKER, 4), 0);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 1));
    tf_ack_eoi1(g, 1, 2);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 20);
    assert_int_equal(gicsim_gic_set_line(g, 1, 20, false), GICSIM_OK);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 20);
    tf_settle(f->e);
    tf_ack_eoi1(g, 1, 40);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 1));
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.acknowledged, 3);
    assert_int_equal(s.pending_now, 0);
    tf_gic_fx_free(f);
}

static void test_waker_sleep_again(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_WAKER, 4), 0);
    tf_gicr_wr(g, 2, GICSIM_GICR_ISPENDR0, 4, 1u << 5);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 2));
    /* Putting the PE to sleep withdraws the presentation; the SGI stays pending. */
    tf_gicr_wr(g, 2, GICSIM_GICR_WAKER, 4, GICSIM_GICR_WAKER_PROCESSOR_SLEEP);
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_WAKER, 4),
                     GICSIM_GICR_WAKER_PROCESSOR_SLEEP | GICSIM_GICR_WAKER_CHILDREN_ASLEEP);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 2));
    assert_int_equal(tf_icc_rd(g, 2, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_irq_state(g, 2, 5), GICSIM_IRQ_PENDING);
    /* ChildrenAsleep is read-only: writing it alone wakes the PE. */
    tf_gicr_wr(g, 2, GICSIM_GICR_WAKER, 4, GICSIM_GICR_WAKER_CHILDREN_ASLEEP);
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_WAKER, 4), 0);
    tf_settle(f->e);
    tf_ack_eoi1(g, 2, 5);
    tf_gic_fx_free(f);
}

/* ---- SGI_base banked registers ---- */

static void test_banked_registers_per_pe(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    /* os_init: SGIs enabled, PPIs disabled, Group 1, priority 0xA0, on every PE. */
    for (uint32_t pe = 0; pe < 4; pe++) {
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_ISENABLER0, 4), 0x0000FFFFu);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_ICENABLER0, 4), 0x0000FFFFu);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_IGROUPR0, 4), 0xFFFFFFFFu);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_IPRIORITYR + 28, 4), 0xA0A0A0A0u);
    }
    tf_gicr_wr(g, 0, GICSIM_GICR_ISENABLER0, 4, 1u << 16);
    tf_gicr_wr(g, 2, GICSIM_GICR_ICENABLER0, 4, 1u << 0);
    tf_gicr_wr(g, 3, GICSIM_GICR_IGROUPR0, 4, 0x7FFFFFFFu);
    tf_gicr_wr(g, 3, GICSIM_GICR_IPRIORITYR + 27, 1, 0x50);
    tf_gicr_wr(g, 1, GICSIM_GICR_IPRIORITYR + 4, 4, 0x11223344u);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_ISENABLER0, 4), 0x0001FFFFu);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ISENABLER0, 4), 0x0000FFFFu);
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_ISENABLER0, 4), 0x0000FFFEu);
    assert_int_equal(tf_gicr_rd(g, 3, GICSIM_GICR_ISENABLER0, 4), 0x0000FFFFu);
    assert_int_equal(tf_gicr_rd(g, 3, GICSIM_GICR_IGROUPR0, 4), 0x7FFFFFFFu);
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_IGROUPR0, 4), 0xFFFFFFFFu);
    assert_int_equal(tf_gicr_rd(g, 3, GICSIM_GICR_IPRIORITYR + 27, 1), 0x50);
    assert_int_equal(tf_gicr_rd(g, 3, GICSIM_GICR_IPRIORITYR + 24, 4), 0x50A0A0A0u);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_IPRIORITYR + 24, 4), 0xA0A0A0A0u);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_IPRIORITYR + 4, 4), 0x10203040u); /* 5 bits */
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_IPRIORITYR + 4, 4), 0xA0A0A0A0u);

    /* Pending and active are banked too. */
    tf_gicr_wr(g, 1, GICSIM_GICR_ISPENDR0, 4, 1u << 3);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ISPENDR0, 4), 1u << 3);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ICPENDR0, 4), 1u << 3);
    for (uint32_t pe = 0; pe < 4; pe++)
        if (pe != 1) {
            assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_ISPENDR0, 4), 0);
            assert_int_equal(tf_irq_state(g, pe, 3), GICSIM_IRQ_INACTIVE);
        }
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 1));
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 3);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ISACTIVER0, 4), 1u << 3);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_ISACTIVER0, 4), 0);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 3);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ISACTIVER0, 4), 0);
    /* ISACTIVER0/ICACTIVER0 on one PE. */
    tf_gicr_wr(g, 0, GICSIM_GICR_ISACTIVER0, 4, 1u << 9);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_ICACTIVER0, 4), 1u << 9);
    assert_int_equal(tf_gicr_rd(g, 3, GICSIM_GICR_ISACTIVER0, 4), 0);
    tf_gicr_wr(g, 0, GICSIM_GICR_ICACTIVER0, 4, 1u << 9);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_ISACTIVER0, 4), 0);
    /* ICPENDR0 on the wrong PE does nothing. */
    tf_gicr_wr(g, 2, GICSIM_GICR_ISPENDR0, 4, 1u << 7);
    tf_gicr_wr(g, 3, GICSIM_GICR_ICPENDR0, 4, 1u << 7);
    assert_int_equal(tf_irq_state(g, 2, 7), GICSIM_IRQ_PENDING);
    tf_gicr_wr(g, 2, GICSIM_GICR_ICPENDR0, 4, 1u << 7);
    assert_int_equal(tf_irq_state(g, 2, 7), GICSIM_IRQ_INACTIVE);
    tf_gic_fx_free(f);
}

static void test_icfgr(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, false, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    for (uint32_t pe = 0; pe < 4; pe++) {
        /* SGIs: always edge-triggered, read-only. PPIs: reset level. */
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_ICFGR0, 4), 0xAAAAAAAAu);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_ICFGR1, 4), 0);
    }
    tf_gicr_wr(g, 0, GICSIM_GICR_ICFGR0, 4, 0);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_ICFGR0, 4), 0xAAAAAAAAu);
    tf_gicr_wr(g, 0, GICSIM_GICR_ICFGR0, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_ICFGR0, 4), 0xAAAAAAAAu);
    /* PPIs: programmable per PE; Int_config[0] is RES0. */
    tf_gicr_wr(g, 1, GICSIM_GICR_ICFGR1, 4, 0xAAAAAAAAu);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ICFGR1, 4), 0xAAAAAAAAu);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_ICFGR1, 4), 0);
    tf_gicr_wr(g, 1, GICSIM_GICR_ICFGR1, 4, 0x55555555u);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ICFGR1, 4), 0);
    tf_gicr_wr(g, 2, GICSIM_GICR_ICFGR1, 4, 2u << (2 * (27 - 16)));
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_ICFGR1, 4), 0x00800000u);
    tf_gic_fx_free(f);
}

/* ---- PPIs driven by wires ---- */

static void test_ppi_level(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    tf_gicr_wr(g, 1, GICSIM_GICR_ISENABLER0, 4, 1u << 27);
    assert_int_equal(gicsim_gic_set_line(g, 1, 27, true), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 1, 27), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(g, 0, 27), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_ISPENDR0, 4), 1u << 27);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 1));
    for (uint32_t pe = 0; pe < 4; pe++)
        if (pe != 1)
            assert_false(gicsim_gic_irq_line(g, pe));
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 27);
    assert_int_equal(tf_irq_state(g, 1, 27), GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(gicsim_gic_set_line(g, 1, 27, false), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 1, 27), GICSIM_IRQ_ACTIVE);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 27);
    assert_int_equal(tf_irq_state(g, 1, 27), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 1));
    /* A pulse on a level PPI is withdrawn, never delivered. */
    assert_int_equal(gicsim_gic_pulse(g, 1, 27), GICSIM_OK);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 1));
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.acknowledged, 1);
    assert_int_equal(s.withdrawn, 1);
    /* A disabled PPI on another PE is pending but not forwarded. */
    assert_int_equal(gicsim_gic_set_line(g, 3, 27, true), GICSIM_OK);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 3));
    assert_int_equal(tf_irq_state(g, 3, 27), GICSIM_IRQ_PENDING);
    tf_gic_fx_free(f);
}

static void test_ppi_edge(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    tf_gicr_wr(g, 2, GICSIM_GICR_ICFGR1, 4, 2u << (2 * (27 - 16)));
    tf_gicr_wr(g, 2, GICSIM_GICR_ISENABLER0, 4, 1u << 27);
    assert_int_equal(gicsim_gic_pulse(g, 2, 27), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 2, 27), GICSIM_IRQ_PENDING); /* latched */
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 2));
    assert_int_equal(tf_icc_rd(g, 2, GICSIM_ICC_IAR1), 27);
    assert_int_equal(tf_irq_state(g, 2, 27), GICSIM_IRQ_ACTIVE);
    /* An edge while active: active+pending, delivered again after EOI. */
    assert_int_equal(gicsim_gic_pulse(g, 2, 27), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 2, 27), GICSIM_IRQ_ACTIVE_PENDING);
    tf_icc_wr(g, 2, GICSIM_ICC_EOIR1, 27);
    tf_settle(f->e);
    tf_ack_eoi1(g, 2, 27);
    assert_int_equal(tf_gic_stats(g).acknowledged, 2);
    tf_gic_fx_free(f);
}

static void test_set_line_errors(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    assert_int_equal(gicsim_gic_set_line(g, 4, 27, true), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gic_set_line(g, UINT32_MAX, 16, true), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gic_set_line(g, 0, 5, true), GICSIM_E_RANGE); /* SGIs have no wire */
    assert_int_equal(gicsim_gic_pulse(g, 4, 27), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gic_set_line(NULL, 0, 27, true), GICSIM_E_INVAL);
    assert_int_equal(tf_gic_stats(g).raised, 0);
    tf_gic_fx_free(f);
}

/* ---- RAZ/WI accounting ---- */

static void expect_raz_wi(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size)
{
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicr_wr(g, pe, off, size, size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
    assert_int_equal(s1.raz_wi_reads, s0.raz_wi_reads);
    assert_int_equal(tf_gicr_rd(g, pe, off, size), 0);
    gicsim_gic_stats s2 = tf_gic_stats(g);
    assert_int_equal(s2.raz_wi_reads - s1.raz_wi_reads, 1);
    assert_int_equal(s2.raised, s0.raised);
}

static void test_raz_wi(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    /* Beyond the two 64 KiB frames. */
    expect_raz_wi(g, 0, 0x20000, 4);
    expect_raz_wi(g, 1, 0x20000 + GICSIM_GICR_ISENABLER0 - GICSIM_GICR_SGI_BASE, 4);
    expect_raz_wi(g, 3, 0xFFFFFFF0u, 4);
    /* Reserved or unimplemented RD_base offsets. */
    expect_raz_wi(g, 0, 0x0050, 8);
    expect_raz_wi(g, 0, 0x0080, 8);
    expect_raz_wi(g, 0, 0x1000, 4);
    expect_raz_wi(g, 0, 0xFFFC, 4);
    /* SGI_base: only the INTID 0..31 registers exist. */
    expect_raz_wi(g, 2, GICSIM_GICR_ISENABLER0 + 4, 4);
    expect_raz_wi(g, 2, GICSIM_GICR_IGROUPR0 + 4, 4);
    expect_raz_wi(g, 2, GICSIM_GICR_IPRIORITYR + 32, 4);
    expect_raz_wi(g, 2, GICSIM_GICR_IPRIORITYR + 32, 1);
    expect_raz_wi(g, 2, GICSIM_GICR_ICFGR1 + 4, 4);
    expect_raz_wi(g, 2, GICSIM_GICR_NSACR, 4);
    expect_raz_wi(g, 2, GICSIM_GICR_SGI_BASE + 0x6100, 8); /* no IROUTER in SGI_base */
    expect_raz_wi(g, 2, GICSIM_GICR_SGI_BASE + 0x0000, 4);
    /* Wrong widths and unaligned. */
    expect_raz_wi(g, 1, GICSIM_GICR_ISENABLER0, 1);
    expect_raz_wi(g, 1, GICSIM_GICR_ISENABLER0, 2);
    expect_raz_wi(g, 1, GICSIM_GICR_ISENABLER0, 8);
    expect_raz_wi(g, 1, GICSIM_GICR_IPRIORITYR, 2);
    expect_raz_wi(g, 1, GICSIM_GICR_IPRIORITYR + 2, 4);
    expect_raz_wi(g, 1, GICSIM_GICR_ICFGR1, 2);
    expect_raz_wi(g, 1, GICSIM_GICR_WAKER, 1);
    expect_raz_wi(g, 1, GICSIM_GICR_WAKER, 2);
    expect_raz_wi(g, 1, GICSIM_GICR_CTLR, 8);
    expect_raz_wi(g, 1, GICSIM_GICR_WAKER + 1, 4);
    /* IGRPMODR0 is RAZ/WI with DS=1. */
    expect_raz_wi(g, 0, GICSIM_GICR_IGRPMODR0, 4);
    /* None of this changed banked state or woke/slept a PE. */
    for (uint32_t pe = 0; pe < 4; pe++) {
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_ISENABLER0, 4), 0x0000FFFFu);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_WAKER, 4), 0);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_IPRIORITYR, 4), 0xA0A0A0A0u);
        assert_int_equal(tf_gicr_rd(g, pe, GICSIM_GICR_ICFGR1, 4), 0);
    }
    /* Read-only identification registers. */
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicr_wr(g, 0, GICSIM_GICR_IIDR, 4, 0);
    tf_gicr_wr(g, 0, GICSIM_GICR_PIDR2, 4, 0);
    assert_int_equal(tf_gic_stats(g).raz_wi_writes - s0.raz_wi_writes, 2);
    tf_gic_fx_free(f);
}

static void test_igrpmodr0_ds0(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.security_disabled = false;
    fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicr_wr(g, 1, GICSIM_GICR_IGRPMODR0, 4, 1u << 4);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_IGRPMODR0, 4), 1u << 4);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_IGRPMODR0, 4), 0);
    assert_int_equal(tf_gic_stats(g).raz_wi_reads, s0.raz_wi_reads);
    assert_int_equal(tf_gic_stats(g).raz_wi_writes, s0.raz_wi_writes);
    /* SGI 4 on PE 1: IGROUPR0 0 + IGRPMODR0 1 = Secure Group 1: never forwarded. */
    tf_gicr_wr(g, 1, GICSIM_GICR_IGROUPR0, 4, ~(1u << 4));
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_CTLR, 4, 0x7), GICSIM_OK);
    tf_gicr_wr(g, 1, GICSIM_GICR_ISPENDR0, 4, 1u << 4);
    gicsim_engine_run_for(f->e, GICSIM_US(10));
    assert_false(gicsim_gic_irq_line(g, 1));
    assert_false(gicsim_gic_fiq_line(g, 1));
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_irq_state(g, 1, 4), GICSIM_IRQ_PENDING);
    /* Back to Group 1 Non-secure: delivered. */
    tf_gicr_wr(g, 1, GICSIM_GICR_IGRPMODR0, 4, 0);
    tf_gicr_wr(g, 1, GICSIM_GICR_IGROUPR0, 4, 0xFFFFFFFFu);
    tf_settle(f->e);
    tf_ack_eoi1(g, 1, 4);
    tf_gic_fx_free(f);
}

/* ---- Argument errors and identification ---- */

static void test_bad_pe_and_args(void **state)
{
    (void)state;
    fx *f = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    gicsim_gic *g = f->g;
    uint64_t v = 0;
    gicsim_gic_stats s0 = tf_gic_stats(g);
    assert_int_equal(gicsim_gicr_read(g, 4, GICSIM_GICR_TYPER, 8, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicr_write(g, 4, GICSIM_GICR_WAKER, 4, 0), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicr_read(g, UINT32_MAX, GICSIM_GICR_WAKER, 4, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicr_write(g, UINT32_MAX, GICSIM_GICR_ISPENDR0, 4, 1), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicr_read(g, 0, GICSIM_GICR_WAKER, 3, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicr_write(g, 0, GICSIM_GICR_WAKER, 3, 0), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicr_read(g, 0, GICSIM_GICR_WAKER, 4, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicr_read(NULL, 0, GICSIM_GICR_WAKER, 4, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicr_write(NULL, 0, GICSIM_GICR_WAKER, 4, 0), GICSIM_E_INVAL);
    gicsim_irq_state is;
    assert_int_equal(gicsim_gic_irq_state(g, 4, 20, &is), GICSIM_E_RANGE);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_reads, s0.raz_wi_reads);
    assert_int_equal(s1.raz_wi_writes, s0.raz_wi_writes);
    tf_gic_fx_free(f);
}

static void test_pidr2_and_ctlr(void **state)
{
    (void)state;
    const struct {
        gicsim_gic_version v;
        uint32_t rev;
    } cases[] = {{GICSIM_GICV3, 3}, {GICSIM_GICV4_0, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gicsim_gic_config cfg;
        gicsim_gic_config_init(&cfg);
        cfg.version = cases[i].v;
        fx *f = tf_gic_fx_new(&cfg, false, TF_LINES_NONE);
        for (uint32_t pe = 0; pe < 4; pe++)
            assert_int_equal((tf_gicr_rd(f->g, pe, GICSIM_GICR_PIDR2, 4) >> 4) & 0xFu,
                             cases[i].rev);
        /* GICR_CTLR.EnableLPIs resets to 0 and, once set, stays set (CES=0). */
        assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_CTLR, 4), 0);
        tf_gicr_wr(f->g, 0, GICSIM_GICR_CTLR, 4, 1);
        assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_CTLR, 4), 1);
        tf_gicr_wr(f->g, 0, GICSIM_GICR_CTLR, 4, 0);
        assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_CTLR, 4), 1);
        tf_gic_fx_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typer),
        cmocka_unit_test(test_typer_bad_access),
        cmocka_unit_test(test_waker_reset_asleep),
        cmocka_unit_test(test_waker_sleep_again),
        cmocka_unit_test(test_banked_registers_per_pe),
        cmocka_unit_test(test_icfgr),
        cmocka_unit_test(test_ppi_level),
        cmocka_unit_test(test_ppi_edge),
        cmocka_unit_test(test_set_line_errors),
        cmocka_unit_test(test_raz_wi),
        cmocka_unit_test(test_igrpmodr0_ds0),
        cmocka_unit_test(test_bad_pe_and_args),
        cmocka_unit_test(test_pidr2_and_ctlr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
