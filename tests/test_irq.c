/* gicsim: tests of the interrupt state machine shared by SGIs, PPIs and SPIs
 * (level and edge behaviour, the per-interrupt register views, accounting
 * and determinism).
 *
 * Every test starts from the Linux-like setup of gicsim_gic_os_init on a
 * default 4-PE GIC and uses only the public API. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/engine.h>
#include <gicsim/gic.h>

#include "support/fixtures.h"

#include <string.h>

#define SPURIOUS GICSIM_INTID_SPURIOUS

/* ---- fixture -------------------------------------------------------------- */

/* A GIC with an event log (support/fixtures.h). */
typedef tf_gic_fx fx;

/* ---- helpers ---------------------------------------------------------------- */

/* Register word and bit of SPI `intid` in a 1-bit-per-interrupt GICD array. */
#define SPI_WORD(base, intid) ((base) + 4u * ((intid) / 32u))
#define SPI_BIT(intid) (1u << ((intid) % 32u))

/* ---- level-sensitive ------------------------------------------------------------ */

/* A level interrupt acknowledged with its line still high is active+pending,
 * becomes pending again at deactivation and fires again; with the line low
 * deactivation leaves it inactive. */
static void test_level_repends_after_deactivation(void **state)
{
    fx *f = *state;
    tf_spi_enable(f->g, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    tf_settle(f->e);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_iar1(f->g, 0), 40);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_ACTIVE_PENDING);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 1);
    assert_int_equal(s.acknowledged, 1);
    tf_assert_gic_accounting(f->g);

    tf_eoi1(f->g, 0, 40); /* EOImode 0: drop + deactivate */
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 2); /* the held line starts a new instance */
    assert_int_equal(s.pending_now, 1);
    tf_assert_gic_accounting(f->g);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 40);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_ACTIVE_PENDING);

    gicsim_gic_set_line(f->g, 0, 40, false);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_ACTIVE);
    tf_eoi1(f->g, 0, 40);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.acknowledged, 2);
    assert_int_equal(s.withdrawn, 0);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(s.deactivations, 2);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_RAISE, TF_ANY, 40), 2);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_ACK, TF_ANY, 40), 2);
}

/* ICPENDR clears only the software latch: with the line high a level
 * interrupt stays pending. A level line dropping before the acknowledge
 * withdraws the interrupt. */
static void test_level_icpendr_and_withdraw(void **state)
{
    fx *f = *state;
    const uint32_t ispend = SPI_WORD(GICSIM_GICD_ISPENDR, 40);
    const uint32_t icpend = SPI_WORD(GICSIM_GICD_ICPENDR, 40);
    tf_spi_enable(f->g, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    tf_gicd_wr(f->g, icpend, 4, SPI_BIT(40));
    assert_int_equal(tf_gicd_rd(f->g, ispend, 4) & SPI_BIT(40), SPI_BIT(40));
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_gic_stats(f->g).withdrawn, 0);

    /* ISPENDR on top of the high line is one pending state (a merge); ICPENDR
     * then clears the latch but the line keeps it pending. */
    tf_gicd_wr(f->g, ispend, 4, SPI_BIT(40));
    assert_int_equal(tf_gic_stats(f->g).merged, 1);
    tf_gicd_wr(f->g, icpend, 4, SPI_BIT(40));
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);

    /* Line low: no longer pending, withdrawn, IRQ drops. */
    gicsim_gic_set_line(f->g, 0, 40, false);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_gicd_rd(f->g, ispend, 4) & SPI_BIT(40), 0);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 1);
    assert_int_equal(s.withdrawn, 1);
    assert_int_equal(s.acknowledged, 0);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_WITHDRAW, TF_ANY, 40), 1);

    /* A software pend of a level interrupt with its line low: ICPENDR
     * clears it. */
    tf_gicd_wr(f->g, ispend, 4, SPI_BIT(40));
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    tf_gicd_wr(f->g, icpend, 4, SPI_BIT(40));
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_INACTIVE);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.withdrawn, 2);
    tf_assert_gic_accounting(f->g);
}

/* ---- edge-triggered ------------------------------------------------------------- */

static void test_edge_while_active(void **state)
{
    fx *f = *state;
    tf_spi_set_edge(f->g, 41, true);
    tf_spi_enable(f->g, 41);
    gicsim_gic_pulse(f->g, 0, 41);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 41);
    assert_int_equal(tf_irq_state(f->g, 0, 41), GICSIM_IRQ_ACTIVE);
    gicsim_gic_pulse(f->g, 0, 41);
    assert_int_equal(tf_irq_state(f->g, 0, 41), GICSIM_IRQ_ACTIVE_PENDING);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    tf_eoi1(f->g, 0, 41);
    assert_int_equal(tf_irq_state(f->g, 0, 41), GICSIM_IRQ_PENDING);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 41);
    assert_int_equal(tf_irq_state(f->g, 0, 41), GICSIM_IRQ_ACTIVE);
    tf_eoi1(f->g, 0, 41);
    assert_int_equal(tf_irq_state(f->g, 0, 41), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.merged, 0);
    assert_int_equal(s.acknowledged, 2);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_ACK, TF_ANY, 41), 2);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_SIGNAL, TF_ANY, 41), 2);
}

static void test_edge_merge(void **state)
{
    fx *f = *state;
    tf_spi_set_edge(f->g, 41, true);
    tf_spi_enable(f->g, 41);
    gicsim_gic_pulse(f->g, 0, 41);
    gicsim_gic_pulse(f->g, 0, 41);
    tf_settle(f->e);
    gicsim_gic_pulse(f->g, 0, 41); /* while signalled, still one pending state */
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 1);
    assert_int_equal(s.merged, 2);
    assert_int_equal(s.pending_now, 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_MERGE, TF_ANY, 41), 2);
    assert_int_equal(tf_iar1(f->g, 0), 41);
    assert_int_equal(tf_irq_state(f->g, 0, 41), GICSIM_IRQ_ACTIVE);
    tf_eoi1(f->g, 0, 41);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.acknowledged, 1);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_ACK, TF_ANY, 41), 1);
    /* A level held high on an edge interrupt is one edge, not a level. */
    gicsim_gic_set_line(f->g, 0, 41, true);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 41);
    tf_eoi1(f->g, 0, 41);
    assert_int_equal(tf_irq_state(f->g, 0, 41), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    tf_assert_gic_accounting(f->g);
}

/* ---- register views ------------------------------------------------------------- */

typedef struct regs {
    uint32_t isen, icen, ispend, icpend, isact, icact, bit;
    uint32_t pe, intid;
} regs;

static regs spi_regs(uint32_t intid)
{
    return (regs){SPI_WORD(GICSIM_GICD_ISENABLER, intid),
                  SPI_WORD(GICSIM_GICD_ICENABLER, intid),
                  SPI_WORD(GICSIM_GICD_ISPENDR, intid),
                  SPI_WORD(GICSIM_GICD_ICPENDR, intid),
                  SPI_WORD(GICSIM_GICD_ISACTIVER, intid),
                  SPI_WORD(GICSIM_GICD_ICACTIVER, intid),
                  SPI_BIT(intid),
                  0,
                  intid};
}

static uint32_t reg_rd(fx *f, const regs *r, uint32_t off)
{
    return (uint32_t)(r->intid >= GICSIM_SPI_BASE ? tf_gicd_rd(f->g, off, 4)
                                                  : tf_gicr_rd(f->g, r->pe, off, 4));
}

static void reg_wr(fx *f, const regs *r, uint32_t off, uint32_t v)
{
    if (r->intid >= GICSIM_SPI_BASE)
        tf_gicd_wr(f->g, off, 4, v);
    else
        tf_gicr_wr(f->g, r->pe, off, 4, v);
}

/* Set/clear pairs read the same state; writing 0 bits has no effect. */
static void check_set_clear_views(fx *f, const regs *r)
{
    reg_wr(f, r, r->icen, r->bit);
    assert_int_equal(reg_rd(f, r, r->isen) & r->bit, 0);
    reg_wr(f, r, r->isen, r->bit);
    assert_int_equal(reg_rd(f, r, r->isen) & r->bit, r->bit);
    assert_int_equal(reg_rd(f, r, r->icen) & r->bit, r->bit);
    reg_wr(f, r, r->icen, 0);
    assert_int_equal(reg_rd(f, r, r->isen) & r->bit, r->bit);

    assert_int_equal(reg_rd(f, r, r->ispend) & r->bit, 0);
    reg_wr(f, r, r->ispend, r->bit);
    assert_int_equal(reg_rd(f, r, r->ispend) & r->bit, r->bit);
    assert_int_equal(reg_rd(f, r, r->icpend) & r->bit, r->bit);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_PENDING);
    reg_wr(f, r, r->icpend, 0);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_PENDING);

    reg_wr(f, r, r->isact, r->bit);
    assert_int_equal(reg_rd(f, r, r->isact) & r->bit, r->bit);
    assert_int_equal(reg_rd(f, r, r->icact) & r->bit, r->bit);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_ACTIVE_PENDING);
    reg_wr(f, r, r->icact, 0);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_ACTIVE_PENDING);
    reg_wr(f, r, r->icact, r->bit);
    assert_int_equal(reg_rd(f, r, r->isact) & r->bit, 0);
    assert_int_equal(reg_rd(f, r, r->icact) & r->bit, 0);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_PENDING);

    reg_wr(f, r, r->icpend, r->bit);
    assert_int_equal(reg_rd(f, r, r->ispend) & r->bit, 0);
    assert_int_equal(reg_rd(f, r, r->icpend) & r->bit, 0);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_INACTIVE);

    reg_wr(f, r, r->isact, r->bit);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_ACTIVE);
    reg_wr(f, r, r->icact, r->bit);
    assert_int_equal(tf_irq_state(f->g, r->pe, r->intid), GICSIM_IRQ_INACTIVE);

    reg_wr(f, r, r->icen, r->bit);
    assert_int_equal(reg_rd(f, r, r->isen) & r->bit, 0);
    assert_int_equal(reg_rd(f, r, r->icen) & r->bit, 0);
}

static void test_register_views(void **state)
{
    fx *f = *state;
    regs spi = spi_regs(70);
    check_set_clear_views(f, &spi);
    /* Neighbours untouched. */
    assert_int_equal(tf_gicd_rd(f->g, spi.ispend, 4), 0);
    assert_int_equal(tf_gicd_rd(f->g, spi.isact, 4), 0);

    regs ppi = {GICSIM_GICR_ISENABLER0,
                GICSIM_GICR_ICENABLER0,
                GICSIM_GICR_ISPENDR0,
                GICSIM_GICR_ICPENDR0,
                GICSIM_GICR_ISACTIVER0,
                GICSIM_GICR_ICACTIVER0,
                1u << 22,
                2,
                22};
    check_set_clear_views(f, &ppi);
    regs sgi = ppi;
    sgi.bit = 1u << 9;
    sgi.intid = 9;
    sgi.pe = 3;
    /* SGIs are enabled by gicsim_gic_os_init. */
    assert_int_equal(tf_gicr_rd(f->g, 3, GICSIM_GICR_ISENABLER0, 4), 0x0000FFFFu);
    check_set_clear_views(f, &sgi);
    assert_int_equal(tf_gicr_rd(f->g, 3, GICSIM_GICR_ISENABLER0, 4), 0x0000FDFFu);
    for (uint32_t pe = 0; pe < 4; pe++) {
        assert_int_equal(tf_gicr_rd(f->g, pe, GICSIM_GICR_ISPENDR0, 4), 0);
        assert_int_equal(tf_gicr_rd(f->g, pe, GICSIM_GICR_ISACTIVER0, 4), 0);
    }
    gicsim_gic_stats s = tf_gic_stats(f->g);
    /* Three ISPENDR pends: one withdrawn by ICPENDR each (the active-pending
     * interludes neither acknowledged nor re-raised anything). */
    assert_int_equal(s.raised, 3);
    assert_int_equal(s.withdrawn, 3);
    assert_int_equal(s.acknowledged, 0);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(s.deactivations, 6);
}

/* A disabled interrupt can be pending but is not signalled; enabling it
 * later signals it. */
static void test_disabled_pending_then_enabled(void **state)
{
    fx *f = *state;
    tf_gicd_wr(f->g, SPI_WORD(GICSIM_GICD_ISPENDR, 45), 4, SPI_BIT(45));
    assert_int_equal(tf_irq_state(f->g, 0, 45), GICSIM_IRQ_PENDING);
    /* PPI 20 of PE 1 (PPIs disabled by gicsim_gic_os_init), level, line high. */
    gicsim_gic_set_line(f->g, 1, 20, true);
    assert_int_equal(tf_irq_state(f->g, 1, 20), GICSIM_IRQ_PENDING);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_false(gicsim_gic_irq_line(f->g, 1));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_iar1(f->g, 1), SPURIOUS);
    assert_int_equal(tf_gic_stats(f->g).signals, 0);

    tf_spi_enable(f->g, 45);
    tf_gicr_wr(f->g, 1, GICSIM_GICR_ISENABLER0, 4, 1u << 20);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_true(gicsim_gic_irq_line(f->g, 1));
    assert_int_equal(tf_iar1(f->g, 0), 45);
    assert_int_equal(tf_iar1(f->g, 1), 20);

    tf_eoi1(f->g, 0, 45);
    assert_int_equal(tf_irq_state(f->g, 0, 45), GICSIM_IRQ_INACTIVE);

    /* Disabling a signalled interrupt withdraws the signal but not the
     * pending state; re-enabling signals it again. */
    tf_gicd_wr(f->g, SPI_WORD(GICSIM_GICD_ISPENDR, 45), 4, SPI_BIT(45));
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    tf_gicd_wr(f->g, SPI_WORD(GICSIM_GICD_ICENABLER, 45), 4, SPI_BIT(45));
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_irq_state(f->g, 0, 45), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    tf_spi_enable(f->g, 45);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 45);
    tf_eoi1(f->g, 0, 45);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.raised, 3);
    assert_int_equal(s.acknowledged, 3);
    assert_int_equal(s.withdrawn, 0);
    assert_int_equal(s.pending_now, 0);
    tf_assert_gic_accounting(f->g);
}

/* ---- SGIs and PPIs ----------------------------------------------------------------- */

static void test_sgis_always_edge(void **state)
{
    fx *f = *state;
    /* Int_config of SGIs reads edge (0b10) and ignores writes. */
    assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_ICFGR0, 4), 0xAAAAAAAAu);
    tf_gicr_wr(f->g, 0, GICSIM_GICR_ICFGR0, 4, 0);
    assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_ICFGR0, 4), 0xAAAAAAAAu);
    /* PPIs are configurable (ICFGR1), per PE. */
    assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_ICFGR1, 4), 0);
    tf_gicr_wr(f->g, 0, GICSIM_GICR_ICFGR1, 4, 2u << (2 * (27 - 16)));
    assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_ICFGR1, 4), 2u << (2 * (27 - 16)));
    assert_int_equal(tf_gicr_rd(f->g, 1, GICSIM_GICR_ICFGR1, 4), 0);

    /* An SGI behaves as edge: one send, one acknowledge, inactive after EOI
     * and not pending again. */
    assert_int_equal(gicsim_icc_write(f->g, 0, GICSIM_ICC_SGI1R,
                                      gicsim_icc_sgir_value(2, 1u << 0, 0, 0, 0, 0, false)),
                     GICSIM_OK);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 2);
    assert_int_equal(tf_irq_state(f->g, 0, 2), GICSIM_IRQ_ACTIVE);
    tf_eoi1(f->g, 0, 2);
    assert_int_equal(tf_irq_state(f->g, 0, 2), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    /* SGIs have no wire. */
    assert_int_equal(gicsim_gic_set_line(f->g, 0, 2, true), GICSIM_E_RANGE);
}

static void test_ppi_per_pe(void **state)
{
    fx *f = *state;
    const uint32_t ppi = GICSIM_PPI_VTIMER;
    tf_gicr_wr(f->g, 0, GICSIM_GICR_ISENABLER0, 4, 1u << ppi);
    tf_gicr_wr(f->g, 1, GICSIM_GICR_ISENABLER0, 4, 1u << ppi);
    assert_int_equal(gicsim_gicr_write(f->g, 1, GICSIM_GICR_IPRIORITYR + ppi, 1, 0x30), GICSIM_OK);
    uint64_t p0, p1;
    assert_int_equal(gicsim_gicr_read(f->g, 0, GICSIM_GICR_IPRIORITYR + ppi, 1, &p0), GICSIM_OK);
    assert_int_equal(gicsim_gicr_read(f->g, 1, GICSIM_GICR_IPRIORITYR + ppi, 1, &p1), GICSIM_OK);
    assert_int_equal(p0, 0xA0);
    assert_int_equal(p1, 0x30);

    gicsim_gic_set_line(f->g, 0, ppi, true);
    tf_settle(f->e);
    assert_int_equal(tf_irq_state(f->g, 0, ppi), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(f->g, 1, ppi), GICSIM_IRQ_INACTIVE);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_false(gicsim_gic_irq_line(f->g, 1));
    assert_int_equal(tf_iar1(f->g, 1), SPURIOUS);
    assert_int_equal(tf_gicr_rd(f->g, 1, GICSIM_GICR_ISPENDR0, 4), 0);
    assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_ISPENDR0, 4), 1u << ppi);
    assert_int_equal(tf_iar1(f->g, 0), ppi);
    assert_int_equal(tf_irq_state(f->g, 0, ppi), GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(tf_irq_state(f->g, 1, ppi), GICSIM_IRQ_INACTIVE);

    /* PE 1's own PPI 27, while PE 0's is still active. */
    gicsim_gic_set_line(f->g, 1, ppi, true);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 1), ppi);
    gicsim_gic_set_line(f->g, 1, ppi, false);
    tf_eoi1(f->g, 1, ppi);
    assert_int_equal(tf_irq_state(f->g, 1, ppi), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_irq_state(f->g, 0, ppi), GICSIM_IRQ_ACTIVE_PENDING);
    /* Disabling PE 1's copy does not disable PE 0's. */
    tf_gicr_wr(f->g, 1, GICSIM_GICR_ICENABLER0, 4, 1u << ppi);
    assert_int_equal(tf_gicr_rd(f->g, 0, GICSIM_GICR_ISENABLER0, 4) & (1u << ppi), 1u << ppi);
    gicsim_gic_set_line(f->g, 0, ppi, false);
    tf_eoi1(f->g, 0, ppi);
    assert_int_equal(tf_irq_state(f->g, 0, ppi), GICSIM_IRQ_INACTIVE);
    /* Out of range PE for a PPI. */
    assert_int_equal(gicsim_gic_set_line(f->g, 4, ppi, true), GICSIM_E_RANGE);
    tf_assert_gic_accounting(f->g);
}

/* ---- observer events ------------------------------------------------------------- */

/* Every event of one interrupt instance names the PE it is routed to: for a
 * 1-of-N SPI, the PE chosen when it became pending. */
static void test_events_name_the_routed_pe(void **state)
{
    fx *f = *state;
    tf_spi_set_edge(f->g, 50, true);
    tf_spi_enable(f->g, 50);
    assert_int_equal(
        gicsim_gicd_write(f->g, GICSIM_GICD_IROUTER + 8 * 50, 8, GICSIM_GICD_IROUTER_IRM),
        GICSIM_OK);
    size_t at = 0;
    uint32_t prev = UINT32_MAX;
    for (int round = 0; round < 6; round++) {
        gicsim_gic_pulse(f->g, 0, 50);
        tf_settle(f->e);
        uint32_t pe = UINT32_MAX;
        for (uint32_t p = 0; p < 4; p++) {
            if (gicsim_gic_irq_line(f->g, p)) {
                assert_int_equal(pe, UINT32_MAX); /* exactly one PE */
                pe = p;
            }
        }
        assert_true(pe < 4);
        assert_true(pe != prev); /* round robin */
        prev = pe;
        size_t from = at;
        assert_int_equal(tf_ev_next(&f->ev, &from, GICSIM_GEV_RAISE, TF_ANY, 50)->pe, pe);
        assert_int_equal(tf_ev_next(&f->ev, &from, GICSIM_GEV_SIGNAL, TF_ANY, 50)->pe, pe);
        assert_int_equal(tf_iar1(f->g, pe), 50);
        tf_eoi1(f->g, pe, 50);
        assert_int_equal(tf_ev_next(&f->ev, &from, GICSIM_GEV_ACK, TF_ANY, 50)->pe, pe);
        assert_int_equal(tf_ev_next(&f->ev, &from, GICSIM_GEV_PRIO_DROP, TF_ANY, 50)->pe, pe);
        assert_int_equal(tf_ev_next(&f->ev, &from, GICSIM_GEV_DEACTIVATE, TF_ANY, 50)->pe, pe);
        at = from;
    }
    /* Fixed routing: IROUTER naming PE 2 (Aff0 = 2). */
    assert_int_equal(gicsim_gicd_write(f->g, GICSIM_GICD_IROUTER + 8 * 50, 8, 2), GICSIM_OK);
    gicsim_gic_pulse(f->g, 0, 50);
    tf_settle(f->e);
    assert_int_equal(tf_ev_next(&f->ev, &at, GICSIM_GEV_RAISE, TF_ANY, 50)->pe, 2);
    assert_int_equal(tf_ev_next(&f->ev, &at, GICSIM_GEV_SIGNAL, TF_ANY, 50)->pe, 2);
    assert_int_equal(tf_iar1(f->g, 2), 50);
}

/* ---- random workload: accounting invariant and determinism ----------------------------- */

#define NPE 4
#define NSPI 8
static const uint32_t spi_ids[NSPI] = {32, 33, 40, 47, 64, 65, 100, 127};
static const uint32_t ppi_ids[] = {16, 23, 27, 30};
#define NPPI (sizeof ppi_ids / sizeof ppi_ids[0])

typedef struct active_stack {
    uint32_t v[64];
    unsigned n;
} active_stack;

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(tf_xorshift64(s) % n);
}

/* Program a mix of edge/level SPIs routed to several PEs and PPIs/SGIs with
 * assorted priorities, then run `steps` random operations, checking the
 * accounting invariant after each. Ends by draining everything. */
static void random_workload(fx *f, uint64_t seed, unsigned steps)
{
    uint64_t s = seed;
    active_stack act[NPE] = {0};
    for (unsigned i = 0; i < NSPI; i++) {
        uint32_t id = spi_ids[i];
        if (i % 2)
            tf_spi_set_edge(f->g, id, true);
        tf_spi_enable(f->g, id);
        assert_int_equal(
            gicsim_gicd_write(f->g, GICSIM_GICD_IPRIORITYR + id, 1, (uint8_t)(0x20 + 0x18 * i)),
            GICSIM_OK);
        /* The last SPI is 1-of-N, the others go to PE i % NPE. */
        uint64_t route = i == NSPI - 1 ? GICSIM_GICD_IROUTER_IRM : i % NPE;
        assert_int_equal(gicsim_gicd_write(f->g, GICSIM_GICD_IROUTER + 8 * id, 8, route),
                         GICSIM_OK);
    }
    for (uint32_t pe = 0; pe < NPE; pe++) {
        tf_gicr_wr(f->g, pe, GICSIM_GICR_ISENABLER0, 4, 0xFFFF0000u);
        tf_gicr_wr(f->g, pe, GICSIM_GICR_ICFGR1, 4, 2u << (2 * (23 - 16))); /* PPI 23 edge */
        for (uint32_t id = 0; id < 32; id++)
            assert_int_equal(gicsim_gicr_write(f->g, pe, GICSIM_GICR_IPRIORITYR + id, 1,
                                               (uint8_t)(((id * 7 + pe * 3) % 30) * 8)),
                             GICSIM_OK);
    }
    for (unsigned step = 0; step < steps; step++) {
        uint32_t pe = rnd(&s, NPE);
        uint32_t op = rnd(&s, 12);
        uint32_t spi = spi_ids[rnd(&s, NSPI)];
        uint32_t ppi = ppi_ids[rnd(&s, NPPI)];
        uint32_t sgi = rnd(&s, 16);
        switch (op) {
        case 0:
            gicsim_gic_set_line(f->g, 0, spi, rnd(&s, 2));
            break;
        case 1:
            gicsim_gic_set_line(f->g, pe, ppi, rnd(&s, 2));
            break;
        case 2:
            gicsim_gic_pulse(f->g, 0, spi);
            break;
        case 3:
            gicsim_gic_pulse(f->g, pe, ppi);
            break;
        case 4:
            tf_gicd_wr(f->g, SPI_WORD(rnd(&s, 2) ? GICSIM_GICD_ISPENDR : GICSIM_GICD_ICPENDR, spi),
                       4, SPI_BIT(spi));
            break;
        case 5: {
            uint32_t id = rnd(&s, 2) ? ppi : sgi;
            tf_gicr_wr(f->g, pe, rnd(&s, 2) ? GICSIM_GICR_ISPENDR0 : GICSIM_GICR_ICPENDR0, 4,
                       1u << id);
            break;
        }
        case 6:
            assert_int_equal(gicsim_icc_write(f->g, pe, GICSIM_ICC_SGI1R,
                                              gicsim_icc_sgir_value(sgi, (uint16_t)rnd(&s, 0x40), 0,
                                                                    0, 0, 0, rnd(&s, 4) == 0)),
                             GICSIM_OK);
            break;
        case 7:
        case 8: {
            uint32_t id = tf_iar1(f->g, pe);
            if (id != SPURIOUS) {
                assert_true(act[pe].n < 64);
                act[pe].v[act[pe].n++] = id;
            }
            break;
        }
        case 9:
            if (act[pe].n)
                tf_eoi1(f->g, pe, act[pe].v[--act[pe].n]);
            break;
        default:
            gicsim_engine_run_for(f->e, GICSIM_PS(rnd(&s, 60000)));
            break;
        }
        tf_assert_gic_accounting(f->g);
    }
    /* Drain: lines low, pending state cleared, everything deactivated. */
    for (unsigned i = 0; i < NSPI; i++)
        gicsim_gic_set_line(f->g, 0, spi_ids[i], false);
    for (uint32_t pe = 0; pe < NPE; pe++) {
        for (unsigned i = 0; i < NPPI; i++)
            gicsim_gic_set_line(f->g, pe, ppi_ids[i], false);
        while (act[pe].n)
            tf_eoi1(f->g, pe, act[pe].v[--act[pe].n]);
    }
    tf_settle(f->e);
    for (uint32_t pe = 0; pe < NPE; pe++) {
        tf_gicr_wr(f->g, pe, GICSIM_GICR_ICPENDR0, 4, 0xFFFFFFFFu);
        assert_int_equal(tf_gicr_rd(f->g, pe, GICSIM_GICR_ISACTIVER0, 4), 0);
    }
    for (uint32_t w = 1; w < 4; w++) {
        tf_gicd_wr(f->g, GICSIM_GICD_ICPENDR + 4 * w, 4, 0xFFFFFFFFu);
        assert_int_equal(tf_gicd_rd(f->g, GICSIM_GICD_ISACTIVER + 4 * w, 4), 0);
    }
    tf_settle(f->e);
    gicsim_gic_stats st = tf_gic_stats(f->g);
    assert_int_equal(st.pending_now, 0);
    assert_int_equal(st.raised, st.acknowledged + st.withdrawn);
    assert_int_equal(st.acknowledged, st.deactivations);
    assert_int_equal(st.acknowledged, st.priority_drops);
    for (uint32_t pe = 0; pe < NPE; pe++) {
        assert_false(gicsim_gic_irq_line(f->g, pe));
        assert_int_equal(tf_iar1(f->g, pe), SPURIOUS);
    }
    /* The observer saw exactly the counted transitions. */
    size_t by_kind[GICSIM_GEV__COUNT] = {0};
    for (size_t i = 0; i < f->ev.n; i++)
        by_kind[f->ev.v[i].kind]++;
    assert_int_equal(by_kind[GICSIM_GEV_RAISE], st.raised);
    assert_int_equal(by_kind[GICSIM_GEV_MERGE], st.merged);
    assert_int_equal(by_kind[GICSIM_GEV_ACK], st.acknowledged);
    assert_int_equal(by_kind[GICSIM_GEV_WITHDRAW], st.withdrawn);
    assert_int_equal(by_kind[GICSIM_GEV_SIGNAL], st.signals);
    assert_int_equal(by_kind[GICSIM_GEV_SGI_SEND], st.sgis_sent);
    assert_int_equal(by_kind[GICSIM_GEV_DEACTIVATE], st.deactivations);
    assert_int_equal(by_kind[GICSIM_GEV_PRIO_DROP], st.priority_drops);
}

static void test_random_accounting_and_determinism(void **state)
{
    (void)state;
    const uint64_t seeds[] = {0x9E3779B97F4A7C15ull, 12345, 0xC0FFEE};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        fx *a = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
        fx *b = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
        random_workload(a, seeds[k], 20000);
        random_workload(b, seeds[k], 20000);
        /* The workload exercised every path. */
        gicsim_gic_stats sa = tf_gic_stats(a->g), sb = tf_gic_stats(b->g);
        assert_true(sa.acknowledged > 500);
        assert_true(sa.merged > 100);
        assert_true(sa.withdrawn > 100);
        assert_true(sa.sgis_dropped > 100);
        assert_true(sa.signals > 500);
        assert_int_equal(memcmp(&sa, &sb, sizeof sa), 0);
        tf_assert_ev_logs_equal(&a->ev, &b->ev);
        assert_int_equal(gicsim_engine_now(a->e), gicsim_engine_now(b->e));
        tf_gic_fx_free(a);
        tf_gic_fx_free(b);
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tf_setup_os_gic, tf_teardown_gic)
    const struct CMUnitTest tests[] = {
        T(test_level_repends_after_deactivation),
        T(test_level_icpendr_and_withdraw),
        T(test_edge_while_active),
        T(test_edge_merge),
        T(test_register_views),
        T(test_disabled_pending_then_enabled),
        T(test_sgis_always_edge),
        T(test_ppi_per_pe),
        T(test_events_name_the_routed_pe),
        cmocka_unit_test(test_random_accounting_and_determinism),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
