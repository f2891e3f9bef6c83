/* gicsim: tests of the CPU interfaces (ICC_*_EL1): prioritization,
 * preemption, acknowledge/EOI/deactivate, group enables, PMR, binary points,
 * SGI generation and the signalling time of the IRQ/FIQ outputs.
 *
 * Every test starts from the Linux-like setup of gicsim_gic_os_init on a
 * default 4-PE GIC (5 priority bits, default timing) and uses only the
 * public API. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/engine.h>
#include <gicsim/gic.h>

#include "support/fixtures.h"

#define SPURIOUS GICSIM_INTID_SPURIOUS

/* ---- fixture -------------------------------------------------------------- */

/* A GIC with an event log and a log of its IRQ/FIQ outputs
 * (support/fixtures.h). */
typedef tf_gic_fx fx;

/* ---- helpers ---------------------------------------------------------------- */

static void spi_prio(fx *f, uint32_t intid, uint8_t prio)
{
    assert_int_equal(gicsim_gicd_write(f->g, GICSIM_GICD_IPRIORITYR + intid, 1, prio), GICSIM_OK);
}

/* Time of the first event of `kind` for `intid` (the test fails if there is
 * none), and its PE in *pe_out. */
static gicsim_time_t first_event_time(fx *f, gicsim_gic_event_kind kind, uint32_t intid,
                                      uint32_t *pe_out)
{
    size_t from = 0;
    const gicsim_gic_event *ev = tf_ev_next(&f->ev, &from, kind, TF_ANY, intid);
    if (pe_out)
        *pe_out = ev->pe;
    return ev->time;
}

static void spi_group0(fx *f, uint32_t intid)
{
    uint32_t off = GICSIM_GICD_IGROUPR + 4 * (intid / 32);
    uint64_t v;
    assert_int_equal(gicsim_gicd_read(f->g, off, 4, &v), GICSIM_OK);
    v &= ~(1ull << (intid % 32));
    assert_int_equal(gicsim_gicd_write(f->g, off, 4, v), GICSIM_OK);
}

/* Banked (SGI/PPI) priority of PE `pe`. */
static void banked_prio(fx *f, uint32_t pe, uint32_t intid, uint8_t prio)
{
    assert_int_equal(gicsim_gicr_write(f->g, pe, GICSIM_GICR_IPRIORITYR + intid, 1, prio),
                     GICSIM_OK);
}

/* PE `from` sends SGI `intid` (Group 1) to PEs in cluster 0 by target list. */
static void send_sgi1(fx *f, uint32_t from, uint32_t intid, uint16_t targets)
{
    tf_icc_wr(f->g, from, GICSIM_ICC_SGI1R,
              gicsim_icc_sgir_value(intid, targets, 0, 0, 0, 0, false));
}

/* ---- priority order ----------------------------------------------------------- */

/* The redistributor presents the highest-priority (lowest value) pending
 * interrupt; equal priorities go to the lowest INTID. SGIs and SPIs compete
 * in one ordering. */
static void test_ack_priority_order(void **state)
{
    fx *f = *state;
    const struct {
        uint32_t intid;
        uint8_t prio;
    } irqs[] = {
        {40, 0x80}, {41, 0x40}, {42, 0x40}, {43, 0x20}, {60, 0x40},
        {3, 0x40},  {9, 0x10},  {12, 0x20}, {33, 0x08},
    };
    /* Expected acknowledge order. */
    const uint32_t order[] = {33, 9, 12, 43, 3, 41, 42, 60, 40};
    const size_t n = sizeof irqs / sizeof irqs[0];

    for (size_t i = 0; i < n; i++) {
        uint32_t id = irqs[i].intid;
        if (id >= GICSIM_SPI_BASE) {
            spi_prio(f, id, irqs[i].prio);
            tf_spi_set_edge(f->g, id, true);
            tf_spi_enable(f->g, id);
        } else {
            banked_prio(f, 0, id, irqs[i].prio);
        }
    }
    /* Raise in an order unrelated to priority or INTID. */
    for (size_t i = n; i-- > 0;) {
        uint32_t id = irqs[i].intid;
        if (id >= GICSIM_SPI_BASE)
            assert_int_equal(gicsim_gic_pulse(f->g, 0, id), GICSIM_OK);
        else
            send_sgi1(f, 1, id, 1u << 0);
    }
    tf_settle(f->e);

    for (size_t k = 0; k < n; k++) {
        uint8_t prio = 0;
        for (size_t i = 0; i < n; i++)
            if (irqs[i].intid == order[k])
                prio = irqs[i].prio;
        assert_true(gicsim_gic_irq_line(f->g, 0));
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR1), order[k]);
        assert_int_equal(tf_iar1(f->g, 0), order[k]);
        assert_int_equal(tf_irq_state(f->g, 0, order[k]), GICSIM_IRQ_ACTIVE);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), prio);
        /* Everything else has lower or equal priority: nothing preempts. */
        tf_settle(f->e);
        assert_false(gicsim_gic_irq_line(f->g, 0));
        tf_eoi1(f->g, 0, order[k]);
        assert_int_equal(tf_irq_state(f->g, 0, order[k]), GICSIM_IRQ_INACTIVE);
        tf_settle(f->e);
    }
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.acknowledged, n);
    assert_int_equal(s.deactivations, n);
    assert_int_equal(s.pending_now, 0);
    tf_assert_gic_accounting(f->g);
}

/* ---- preemption ------------------------------------------------------------------- */

/* Preemption needs a strictly higher group priority. With BPR1 = 5 the group
 * priority is bits [7:5]: 0x40 and 0x50 are both group priority 0x40, 0x38
 * is group priority 0x20. */
static void test_preemption_by_group_priority(void **state)
{
    fx *f = *state;
    banked_prio(f, 0, 1, 0x50);
    banked_prio(f, 0, 2, 0x40);
    banked_prio(f, 0, 3, 0x50);
    banked_prio(f, 0, 4, 0x38);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR1, 5);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 5);

    send_sgi1(f, 0, 1, 1u << 0);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0x40); /* the group priority */
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), 1u << (0x40 >> 3));

    /* Higher priority (0x40 < 0x50) but the same group priority: no preemption.
     * Equal priority (SGI 3 at 0x50): no preemption either. */
    send_sgi1(f, 0, 2, 1u << 0);
    send_sgi1(f, 0, 3, 1u << 0);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR1), 2);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_irq_state(f->g, 0, 2), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(f->g, 0, 3), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_SIGNAL, TF_ANY, 2), 0);

    /* Strictly higher group priority: preempts. */
    send_sgi1(f, 0, 4, 1u << 0);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 4);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0x20);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), (1u << 8) | (1u << 4));
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));

    /* Dropping SGI 4 returns to SGI 1's running priority: SGI 2 still waits. */
    tf_eoi1(f->g, 0, 4);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0x40);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);

    tf_eoi1(f->g, 0, 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 2);
    /* SGI 3 (group priority 0x40) does not preempt SGI 2 (0x40). */
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    tf_eoi1(f->g, 0, 2);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 3);
    tf_eoi1(f->g, 0, 3);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), 0);

    /* Control: with the finest binary point (3, group priority [7:3]) the
     * same 0x40 does preempt 0x50, and 0x50 still does not preempt 0x50. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR1, 3);
    send_sgi1(f, 0, 1, 1u << 0);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0x50);
    send_sgi1(f, 0, 3, 1u << 0);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    send_sgi1(f, 0, 2, 1u << 0);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 2);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0x40);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), (1u << 10) | (1u << 8));
    tf_eoi1(f->g, 0, 2);
    tf_eoi1(f->g, 0, 1);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 3);
    tf_eoi1(f->g, 0, 3);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    tf_assert_gic_accounting(f->g);
}

/* With ICC_CTLR.CBPR=1 Group 1 uses BPR0's split: BPR0 = 4 puts the group
 * priority in bits [7:5], exactly like BPR1 = 5. */
static void test_cbpr_preemption(void **state)
{
    fx *f = *state;
    banked_prio(f, 0, 1, 0x50);
    banked_prio(f, 0, 2, 0x40);
    tf_icc_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_CBPR);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR0, 4);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 5);
    send_sgi1(f, 0, 1, 1u << 0);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0x40);
    send_sgi1(f, 0, 2, 1u << 0);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    tf_eoi1(f->g, 0, 1);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 2);
    tf_eoi1(f->g, 0, 2);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
}

/* ---- EOImode ----------------------------------------------------------------------- */

static void test_eoimode0_drops_and_deactivates(void **state)
{
    fx *f = *state;
    tf_spi_set_edge(f->g, 50, true);
    tf_spi_enable(f->g, 50);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_CTLR) & GICSIM_ICC_CTLR_EOIMODE, 0);
    gicsim_gic_pulse(f->g, 0, 50);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 50);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xA0);
    tf_eoi1(f->g, 0, 50);
    assert_int_equal(tf_irq_state(f->g, 0, 50), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), 0);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.priority_drops, 1);
    assert_int_equal(s.deactivations, 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_PRIO_DROP, TF_ANY, 50), 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_DEACTIVATE, TF_ANY, 50), 1);
}

static void test_eoimode1_split_drop_and_deactivate(void **state)
{
    fx *f = *state;
    tf_spi_set_edge(f->g, 50, true);
    tf_spi_enable(f->g, 50);
    tf_icc_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_CTLR) & 3u, GICSIM_ICC_CTLR_EOIMODE);
    gicsim_gic_pulse(f->g, 0, 50);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 50);
    tf_eoi1(f->g, 0, 50);
    /* Priority dropped, interrupt still active. */
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), 0);
    assert_int_equal(tf_irq_state(f->g, 0, 50), GICSIM_IRQ_ACTIVE);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.priority_drops, 1);
    assert_int_equal(s.deactivations, 0);
    /* A new edge makes it active+pending, but an active interrupt is not
     * acknowledged again. */
    gicsim_gic_pulse(f->g, 0, 50);
    tf_settle(f->e);
    assert_int_equal(tf_irq_state(f->g, 0, 50), GICSIM_IRQ_ACTIVE_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    /* DIR deactivates; the pending edge is then delivered. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(tf_irq_state(f->g, 0, 50), GICSIM_IRQ_PENDING);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.deactivations, 1);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 50);
    tf_eoi1(f->g, 0, 50);
    tf_icc_wr(f->g, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(tf_irq_state(f->g, 0, 50), GICSIM_IRQ_INACTIVE);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.acknowledged, 2);
    assert_int_equal(s.priority_drops, 2);
    assert_int_equal(s.deactivations, 2);
    /* A DIR of an inactive interrupt has nothing to do. */
    uint64_t ign = s.ignored_ops;
    tf_icc_wr(f->g, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, ign + 1);
    assert_int_equal(tf_gic_stats(f->g).deactivations, 2);
}

static void test_dir_ignored_in_eoimode0(void **state)
{
    fx *f = *state;
    tf_spi_set_edge(f->g, 50, true);
    tf_spi_enable(f->g, 50);
    gicsim_gic_pulse(f->g, 0, 50);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 50);
    uint64_t ign = tf_gic_stats(f->g).ignored_ops;
    tf_icc_wr(f->g, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, ign + 1);
    assert_int_equal(tf_gic_stats(f->g).deactivations, 0);
    assert_int_equal(tf_irq_state(f->g, 0, 50), GICSIM_IRQ_ACTIVE);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xA0);
    tf_eoi1(f->g, 0, 50);
    assert_int_equal(tf_irq_state(f->g, 0, 50), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, ign + 1);
}

/* ---- group enables and the priority mask ------------------------------------------------ */

static void test_igrpen1_disabled_not_acknowledged(void **state)
{
    fx *f = *state;
    tf_spi_enable(f->g, 40);
    tf_icc_wr(f->g, 0, GICSIM_ICC_IGRPEN1, 0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_IGRPEN1), 0);
    gicsim_gic_set_line(f->g, 0, 40, true);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_gic_stats(f->g).spurious_acks, 1);
    tf_icc_wr(f->g, 0, GICSIM_ICC_IGRPEN1, 1);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 40);
}

/* A Group 0 interrupt is acknowledged only through IAR0, needs IGRPEN0 and
 * is signalled as FIQ. */
static void test_group0_fiq(void **state)
{
    fx *f = *state;
    assert_int_equal(gicsim_gicd_write(f->g, GICSIM_GICD_CTLR, 4,
                                       GICSIM_GICD_CTLR_ENABLE_GRP0 | GICSIM_GICD_CTLR_ENABLE_GRP1),
                     GICSIM_OK);
    spi_group0(f, 44);
    tf_spi_enable(f->g, 44);
    gicsim_gic_set_line(f->g, 0, 44, true);
    tf_settle(f->e);
    /* IGRPEN0 = 0 (reset): nothing signalled, neither IAR acknowledges it. */
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_false(gicsim_gic_fiq_line(f->g, 0));
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_IAR0), SPURIOUS);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);

    tf_icc_wr(f->g, 0, GICSIM_ICC_IGRPEN0, 1);
    tf_settle(f->e);
    assert_true(gicsim_gic_fiq_line(f->g, 0));
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(f->lines.v[f->lines.n - 1].irq, false);
    assert_int_equal(f->lines.v[f->lines.n - 1].fiq, true);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR1), SPURIOUS);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR0), 44);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_irq_state(f->g, 0, 44), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_IAR0), 44);
    assert_int_equal(tf_irq_state(f->g, 0, 44), GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP0R0), 1u << (0xA0 >> 3));
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), 0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xA0);
    assert_false(gicsim_gic_fiq_line(f->g, 0));
    gicsim_gic_set_line(f->g, 0, 44, false);
    /* EOIR1 has no Group 1 priority to drop. */
    uint64_t ign = tf_gic_stats(f->g).ignored_ops;
    tf_eoi1(f->g, 0, 44);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, ign + 1);
    assert_int_equal(tf_irq_state(f->g, 0, 44), GICSIM_IRQ_ACTIVE);
    tf_icc_wr(f->g, 0, GICSIM_ICC_EOIR0, 44);
    assert_int_equal(tf_irq_state(f->g, 0, 44), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP0R0), 0);
}

static void test_pmr_masking(void **state)
{
    fx *f = *state;
    tf_spi_enable(f->g, 40); /* priority 0xA0 */
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0xA0);
    gicsim_gic_set_line(f->g, 0, 40, true);
    tf_settle(f->e);
    /* Priority equal to the mask: masked. */
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR1), 40);
    /* 0xA4 reads back as 0xA0 (3 unimplemented bits): still masked. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0xA4);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_PMR), 0xA0);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    /* Lower priority than the mask (mask 0x10): masked. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0x10);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    /* Raising the mask above the priority signals it at once. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0xA8);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(tf_iar1(f->g, 0), 40);
    assert_int_equal(tf_gic_stats(f->g).spurious_acks, 2);
}

/* ---- 16 nested SGIs -------------------------------------------------------------------- */

static void test_sixteen_nested_sgis(void **state)
{
    fx *f = *state;
    for (uint32_t i = 0; i < 16; i++)
        banked_prio(f, 0, i, (uint8_t)((15 - i) * 16));
    uint32_t ap = 0;
    for (uint32_t i = 0; i < 16; i++) {
        uint32_t prio = (15 - i) * 16;
        send_sgi1(f, 0, i, 1u << 0);
        tf_settle(f->e);
        assert_true(gicsim_gic_irq_line(f->g, 0));
        assert_int_equal(tf_iar1(f->g, 0), i);
        ap |= 1u << (prio >> 3);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), prio);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), ap);
        assert_int_equal(tf_irq_state(f->g, 0, i), GICSIM_IRQ_ACTIVE);
    }
    for (uint32_t i = 16; i-- > 0;) {
        tf_eoi1(f->g, 0, i);
        ap &= ~(1u << (((15 - i) * 16) >> 3));
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), ap);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), i ? (15 - (i - 1)) * 16 : 0xFF);
        assert_int_equal(tf_irq_state(f->g, 0, i), GICSIM_IRQ_INACTIVE);
    }
    tf_settle(f->e);
    for (uint32_t i = 0; i < 16; i++)
        assert_int_equal(tf_irq_state(f->g, 0, i), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), 0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.acknowledged, 16);
    assert_int_equal(s.priority_drops, 16);
    assert_int_equal(s.deactivations, 16);
    assert_int_equal(s.signals, 16);
}

/* ---- spurious, HPPIR, EOIR of 1023 -------------------------------------------------- */

static void test_spurious_hppir_and_eoi_1023(void **state)
{
    fx *f = *state;
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_IAR0), SPURIOUS);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR1), SPURIOUS);
    assert_int_equal(tf_gic_stats(f->g).spurious_acks, 2);

    tf_spi_enable(f->g, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    tf_settle(f->e);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR1), 40);
        assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    }
    assert_int_equal(tf_gic_stats(f->g).acknowledged, 0);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_ACK, TF_ANY, 40), 0);
    assert_int_equal(tf_iar1(f->g, 0), 40);
    assert_int_equal(tf_gic_stats(f->g).acknowledged, 1);
    gicsim_gic_set_line(f->g, 0, 40, false);

    gicsim_gic_stats before = tf_gic_stats(f->g);
    tf_eoi1(f->g, 0, SPURIOUS);
    gicsim_gic_stats after = tf_gic_stats(f->g);
    assert_int_equal(after.priority_drops, before.priority_drops);
    assert_int_equal(after.deactivations, before.deactivations);
    assert_int_equal(after.ignored_ops, before.ignored_ops + 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xA0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), 1u << (0xA0 >> 3));
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_ACTIVE);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_PRIO_DROP, TF_ANY, SPURIOUS), 0);
    tf_eoi1(f->g, 0, 40);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_gic_stats(f->g).spurious_acks, 3);
}

/* ---- register behaviour -------------------------------------------------------------------- */

static void test_bpr_cbpr_pmr_ctlr(void **state)
{
    fx *f = *state;
    /* Minimum binary points with 5 priority bits: BPR0 2, BPR1 3. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR0, 0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR0), 2);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR0, 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR0), 2);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR0, 6);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR0), 6);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR1, 0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 3);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR1, 2);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 3);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR1, 4);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 4);

    /* CBPR: BPR1 reads BPR0 + 1 (saturating at 7), writes to it are ignored. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR0, 3);
    tf_icc_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_CBPR);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 4);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR0, 7);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 7);
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR0, 5);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 6);
    uint64_t wi = tf_gic_stats(f->g).raz_wi_writes;
    tf_icc_wr(f->g, 0, GICSIM_ICC_BPR1, 3);
    assert_int_equal(tf_gic_stats(f->g).raz_wi_writes, wi + 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 6);
    /* CTLR: CBPR[0], EOImode[1], PRIbits[10:8] = priority bits - 1 = 4. */
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_CTLR), 0x401);
    tf_icc_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE | 0x700u);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_CTLR), 0x402);
    /* CBPR cleared: BPR1 is its own register again, unchanged by the ignored write. */
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_BPR1), 4);

    /* PMR: only the 5 implemented bits. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0xFF);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_PMR), 0xF8);
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0x57);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_PMR), 0x50);

    /* Writes to read-only registers: ignored and counted. */
    tf_spi_enable(f->g, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0xFF);
    tf_settle(f->e);
    wi = tf_gic_stats(f->g).raz_wi_writes;
    const gicsim_icc_reg ro[] = {GICSIM_ICC_IAR0, GICSIM_ICC_IAR1, GICSIM_ICC_HPPIR0,
                                 GICSIM_ICC_HPPIR1, GICSIM_ICC_RPR};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        tf_icc_wr(f->g, 0, ro[i], 0x12);
    assert_int_equal(tf_gic_stats(f->g).raz_wi_writes, wi + 5);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_gic_stats(f->g).acknowledged, 0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    /* Reads of write-only registers: 0, ignored and counted, no side effect. */
    uint64_t ign = tf_gic_stats(f->g).ignored_ops;
    const gicsim_icc_reg wo[] = {GICSIM_ICC_EOIR0, GICSIM_ICC_EOIR1, GICSIM_ICC_DIR,
                                 GICSIM_ICC_SGI0R, GICSIM_ICC_SGI1R, GICSIM_ICC_ASGI1R};
    for (size_t i = 0; i < sizeof wo / sizeof wo[0]; i++)
        assert_int_equal(tf_icc_rd(f->g, 0, wo[i]), 0);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, ign + 6);
    assert_int_equal(tf_gic_stats(f->g).sgis_sent, 0);
    /* One AP register per group with 5 priority bits: AP1R1 is RAZ/WI. */
    uint64_t raz = tf_gic_stats(f->g).raz_wi_reads;
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R1), 0);
    assert_int_equal(tf_gic_stats(f->g).raz_wi_reads, raz + 1);
    /* SRE reads 0x7 and ignores writes. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_SRE, 0);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_SRE), 0x7);
    /* Bad PE / register number. */
    uint64_t v;
    assert_int_equal(gicsim_icc_read(f->g, 4, GICSIM_ICC_PMR, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_icc_read(f->g, 0, GICSIM_ICC__COUNT, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_icc_write(f->g, 0, GICSIM_ICC__COUNT, 0), GICSIM_E_RANGE);
    assert_int_equal(gicsim_icc_read(f->g, 0, GICSIM_ICC_PMR, NULL), GICSIM_E_INVAL);
}

/* ---- SGI generation ---------------------------------------------------------------------- */

static void test_sgi_targets(void **state)
{
    fx *f = *state;
    /* Target list: PEs 1 and 2 of 4. */
    send_sgi1(f, 0, 5, (1u << 1) | (1u << 2));
    tf_settle(f->e);
    assert_int_equal(tf_irq_state(f->g, 0, 5), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_irq_state(f->g, 1, 5), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(f->g, 2, 5), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(f->g, 3, 5), GICSIM_IRQ_INACTIVE);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_true(gicsim_gic_irq_line(f->g, 1));
    assert_true(gicsim_gic_irq_line(f->g, 2));
    assert_false(gicsim_gic_irq_line(f->g, 3));
    assert_int_equal(tf_iar1(f->g, 1), 5);
    assert_int_equal(tf_iar1(f->g, 2), 5);
    tf_eoi1(f->g, 1, 5);
    tf_eoi1(f->g, 2, 5);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.sgis_sent, 1);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.sgis_dropped, 0);

    /* IRM=1: every PE except the sender. */
    tf_icc_wr(f->g, 2, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(6, 0, 0, 0, 0, 0, true));
    tf_settle(f->e);
    assert_int_equal(tf_irq_state(f->g, 0, 6), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(f->g, 1, 6), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(f->g, 2, 6), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_irq_state(f->g, 3, 6), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_gic_stats(f->g).raised, 5);
    for (uint32_t pe = 0; pe < 4; pe++) {
        if (pe == 2)
            continue;
        assert_int_equal(tf_iar1(f->g, pe), 6);
        tf_eoi1(f->g, pe, 6);
    }

    /* Aff0 4 and 5 do not exist in a 4-PE cluster 0; cluster 1 does not exist. */
    send_sgi1(f, 0, 7, (1u << 3) | (1u << 4) | (1u << 5));
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(7, 1u << 0, 1, 0, 0, 0, false));
    /* RS=1 names Aff0 16..31: none exists. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(7, 1u << 0, 0, 0, 0, 1, false));
    tf_settle(f->e);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.sgis_sent, 5);
    assert_int_equal(s.sgis_dropped, 4);
    assert_int_equal(tf_irq_state(f->g, 3, 7), GICSIM_IRQ_PENDING);
    for (uint32_t pe = 0; pe < 3; pe++)
        assert_int_equal(tf_irq_state(f->g, pe, 7), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_iar1(f->g, 3), 7);
    tf_eoi1(f->g, 3, 7);

    /* SGI 8 of PE 2 configured Group 0: an SGI1R write does not set it pending. */
    uint64_t grp;
    assert_int_equal(gicsim_gicr_read(f->g, 2, GICSIM_GICR_IGROUPR0, 4, &grp), GICSIM_OK);
    assert_int_equal(gicsim_gicr_write(f->g, 2, GICSIM_GICR_IGROUPR0, 4, grp & ~(1u << 8)),
                     GICSIM_OK);
    uint64_t raised = tf_gic_stats(f->g).raised;
    send_sgi1(f, 0, 8, (1u << 1) | (1u << 2));
    tf_settle(f->e);
    s = tf_gic_stats(f->g);
    assert_int_equal(s.sgis_dropped, 5);
    assert_int_equal(s.raised, raised + 1); /* PE 1 only */
    assert_int_equal(tf_irq_state(f->g, 2, 8), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_irq_state(f->g, 1, 8), GICSIM_IRQ_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 2));
    assert_false(gicsim_gic_fiq_line(f->g, 2));
    /* SGI0R is the way to send it. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI0R, gicsim_icc_sgir_value(8, 1u << 2, 0, 0, 0, 0, false));
    tf_settle(f->e);
    assert_int_equal(tf_irq_state(f->g, 2, 8), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_gic_stats(f->g).sgis_dropped, 5);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_SGI_SEND, TF_ANY, 8), 2);
    tf_assert_gic_accounting(f->g);
}

/* ---- signalling time ------------------------------------------------------------------- */

static void test_spi_signal_timing(void **state)
{
    fx *f = *state;
    tf_spi_enable(f->g, 40);
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    size_t nl = f->lines.n;
    gicsim_gic_set_line(f->g, 0, 40, true);
    /* Nothing reaches the CPU interface before dist_to_redist + redist_to_cpuif. */
    gicsim_engine_run_until(f->e, t0 + GICSIM_NS(30) - 1);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(f->lines.n, nl);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    gicsim_engine_run_until(f->e, t0 + GICSIM_NS(30));
    assert_true(gicsim_gic_irq_line(f->g, 0));

    uint32_t pe = 99;
    assert_int_equal(first_event_time(f, GICSIM_GEV_RAISE, 40, &pe), t0);
    assert_int_equal(pe, 0);
    assert_int_equal(first_event_time(f, GICSIM_GEV_SIGNAL, 40, &pe), t0 + GICSIM_NS(30));
    assert_int_equal(pe, 0);
    assert_int_equal(f->lines.n, nl + 1);
    assert_int_equal(f->lines.v[nl].time, t0 + GICSIM_NS(30));
    assert_int_equal(f->lines.v[nl].pe, 0);
    assert_true(f->lines.v[nl].irq);
    assert_false(f->lines.v[nl].fiq);

    /* The acknowledge lowers IRQ at once. */
    gicsim_engine_run_for(f->e, GICSIM_NS(5));
    gicsim_time_t ta = gicsim_engine_now(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 40);
    assert_int_equal(first_event_time(f, GICSIM_GEV_ACK, 40, NULL), ta);
    assert_int_equal(f->lines.n, nl + 2);
    assert_int_equal(f->lines.v[nl + 1].time, ta);
    assert_false(f->lines.v[nl + 1].irq);
}

/* A withdrawal reaches the CPU interface a redistributor_to_cpuif hop late,
 * but an IAR read in between finds the presented interrupt gone: it returns
 * 1023 and the interface deasserts IRQ at once, so the output agrees with
 * what the read returned. (With the stale IRQ kept until the hop, a host
 * whose every CPU cost is 0 took it again and again at one instant.) */
static void test_spurious_ack_lowers_stale_irq(void **state)
{
    fx *f = *state;
    tf_spi_enable(f->g, 40);
    gicsim_gic_set_line(f->g, 0, 40, true); /* level, high */
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    size_t nl = f->lines.n;
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    gicsim_gic_set_line(f->g, 0, 40, false);
    assert_true(gicsim_gic_irq_line(f->g, 0)); /* the withdrawal is on its way */
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(f->lines.n, nl + 1);
    assert_int_equal(f->lines.v[nl].time, t0);
    assert_false(f->lines.v[nl].irq);
    tf_settle(f->e); /* the withdrawal arrives: nothing changes */
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(f->lines.n, nl + 1);
    assert_int_equal(tf_iar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_gic_stats(f->g).acknowledged, 0);
}

static void test_sgi_signal_timing(void **state)
{
    fx *f = *state;
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    /* The SGI's flight (sgi_route), then the redistributor's hop. */
    gicsim_time_t route = tf_cost_ps(GICSIM_COST_SGI_ROUTE);
    gicsim_time_t signal = route + tf_cost_ps(GICSIM_COST_REDIST_TO_CPUIF);
    size_t nl = f->lines.n;
    send_sgi1(f, 0, 4, 1u << 3);
    gicsim_engine_run_until(f->e, t0 + signal - 1);
    assert_false(gicsim_gic_irq_line(f->g, 3));
    assert_int_equal(tf_irq_state(f->g, 3, 4), GICSIM_IRQ_PENDING);
    gicsim_engine_run_until(f->e, t0 + signal);
    assert_true(gicsim_gic_irq_line(f->g, 3));

    uint32_t pe = 99;
    assert_int_equal(first_event_time(f, GICSIM_GEV_SGI_SEND, 4, &pe), t0);
    assert_int_equal(pe, 0);
    assert_int_equal(first_event_time(f, GICSIM_GEV_RAISE, 4, &pe), t0 + route);
    assert_int_equal(pe, 3);
    assert_int_equal(first_event_time(f, GICSIM_GEV_SIGNAL, 4, &pe), t0 + signal);
    assert_int_equal(pe, 3);
    assert_int_equal(f->lines.n, nl + 1);
    assert_int_equal(f->lines.v[nl].time, t0 + signal);
    assert_int_equal(f->lines.v[nl].pe, 3);
    assert_true(f->lines.v[nl].irq);
    assert_false(f->lines.v[nl].fiq);
}

/* The CPU interface presents only what its redistributor sent: an
 * interrupt that becomes pending again at deactivation (an edge that arrived
 * while it was active, or a level line still high) reaches the CPU interface
 * through the same hops as any other state change, even when the EOI
 * follows the acknowledge before the redistributor's next message. */
static void test_repend_at_eoi_takes_the_hops(void **state)
{
    fx *f = *state;
    /* SGI: banked in the redistributor, one redist_to_cpuif hop (10 ns). */
    send_sgi1(f, 0, 3, 1u << 0);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 3);
    assert_int_equal(gicsim_gicr_write(f->g, 0, GICSIM_GICR_ISPENDR0, 4, 1u << 3), GICSIM_OK);
    gicsim_engine_run_for(f->e, GICSIM_NS(2));
    assert_int_equal(tf_irq_state(f->g, 0, 3), GICSIM_IRQ_ACTIVE_PENDING);
    size_t nl = f->lines.n;
    size_t nsig = tf_ev_count(&f->ev, GICSIM_GEV_SIGNAL, TF_ANY, 3);
    gicsim_time_t te = gicsim_engine_now(f->e);
    tf_eoi1(f->g, 0, 3);
    assert_int_equal(tf_irq_state(f->g, 0, 3), GICSIM_IRQ_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(10) - 1);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(10));
    assert_true(gicsim_gic_irq_line(f->g, 0));
    tf_settle(f->e);
    assert_int_equal(f->lines.n, nl + 1);
    assert_int_equal(f->lines.v[nl].time, te + GICSIM_NS(10));
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_SIGNAL, TF_ANY, 3), nsig + 1);
    assert_int_equal(tf_iar1(f->g, 0), 3);
    tf_eoi1(f->g, 0, 3);

    /* Level SPI, line held high, EOI 5 ns after the acknowledge: presented
     * again dist_to_redist + redist_to_cpuif (30 ns) after the EOI, once. */
    tf_spi_enable(f->g, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 40);
    gicsim_engine_run_for(f->e, GICSIM_NS(5));
    nl = f->lines.n;
    nsig = tf_ev_count(&f->ev, GICSIM_GEV_SIGNAL, TF_ANY, 40);
    te = gicsim_engine_now(f->e);
    tf_eoi1(f->g, 0, 40);
    assert_int_equal(tf_irq_state(f->g, 0, 40), GICSIM_IRQ_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(30) - 1);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(30));
    assert_true(gicsim_gic_irq_line(f->g, 0));
    tf_settle(f->e);
    assert_int_equal(f->lines.n, nl + 1);
    assert_int_equal(f->lines.v[nl].time, te + GICSIM_NS(30));
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_SIGNAL, TF_ANY, 40), nsig + 1);
    assert_int_equal(tf_iar1(f->g, 0), 40);
}

/* Custom timing: the hops follow the configured costs. */
static void test_signal_timing_custom_costs(void **state)
{
    (void)state;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_timing t;
    gicsim_timing_init(&t);
    t.cycles[GICSIM_COST_DIST_TO_REDIST] = 7;
    t.cycles[GICSIM_COST_REDIST_TO_CPUIF] = 3;
    t.cycles[GICSIM_COST_SGI_ROUTE] = 11;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.timing = &t;
    assert_int_equal(gicsim_engine_create(&e), GICSIM_OK);
    assert_int_equal(gicsim_gic_create(e, &cfg, &g), GICSIM_OK);
    gicsim_gic_os_init(g);
    gicsim_engine_run_for(e, GICSIM_US(1));
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8), GICSIM_OK);
    gicsim_time_t t0 = gicsim_engine_now(e);
    gicsim_gic_set_line(g, 0, 40, true);
    gicsim_engine_run_until(e, t0 + GICSIM_NS(10) - 1);
    assert_false(gicsim_gic_irq_line(g, 0));
    gicsim_engine_run_until(e, t0 + GICSIM_NS(10));
    assert_true(gicsim_gic_irq_line(g, 0));
    t0 = gicsim_engine_now(e);
    gicsim_icc_write(g, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(1, 1u << 1, 0, 0, 0, 0, false));
    gicsim_engine_run_until(e, t0 + GICSIM_NS(14) - 1);
    assert_false(gicsim_gic_irq_line(g, 1));
    gicsim_engine_run_until(e, t0 + GICSIM_NS(14));
    assert_true(gicsim_gic_irq_line(g, 1));
    gicsim_engine_destroy(e);
    gicsim_gic_destroy(g);
}

/* SGI target lists of a 16-PE cluster (GICv3 ICC_SGI1R_EL1): TargetList bit
 * n names Aff0 = RS * 16 + n, so bits 8..15 reach PEs 8..15 of the cluster
 * named by Aff1 (pes_per_cluster 16); RS=1 names Aff0 16..31, which no PE
 * has. */
static void test_sgi_targets_sixteen_per_cluster(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = 32;
    cfg.pes_per_cluster = 16;
    tf_gic_fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_NONE);
    assert_int_equal(gicsim_gic_pe_affinity(f->g, 31), (1u << 8) | 15u);
    /* Cluster 0, bits 9 and 15; cluster 1, bits 0 and 15. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R,
              gicsim_icc_sgir_value(3, (1u << 9) | (1u << 15), 0, 0, 0, 0, false));
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R,
              gicsim_icc_sgir_value(4, (1u << 0) | (1u << 15), 1, 0, 0, 0, false));
    /* RS=1: Aff0 16 and 31 do not exist. */
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R,
              gicsim_icc_sgir_value(5, (1u << 0) | (1u << 15), 0, 0, 0, 1, false));
    tf_settle(f->e);
    for (uint32_t pe = 0; pe < 32; pe++) {
        bool want3 = pe == 9 || pe == 15, want4 = pe == 16 || pe == 31;
        assert_int_equal(tf_irq_state(f->g, pe, 3),
                         want3 ? GICSIM_IRQ_PENDING : GICSIM_IRQ_INACTIVE);
        assert_int_equal(tf_irq_state(f->g, pe, 4),
                         want4 ? GICSIM_IRQ_PENDING : GICSIM_IRQ_INACTIVE);
        assert_int_equal(tf_irq_state(f->g, pe, 5), GICSIM_IRQ_INACTIVE);
    }
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.sgis_sent, 3);
    assert_int_equal(s.raised, 4);
    assert_int_equal(s.sgis_dropped, 2);
    tf_gic_fx_free(f);
}

/* Active-priority registers with 5 priority bits (32 preemption levels): all
 * 32 bits of ICC_AP1R0 exist, AP1R1..3 do not; the running priority is the
 * lowest set bit's level (bit n: priority n << 3). With 4 bits only the low
 * 16 bits exist. */
static void test_active_priority_writes(void **state)
{
    (void)state;
    for (uint8_t bits = 4; bits <= 5; bits++) {
        gicsim_gic_config cfg;
        gicsim_gic_config_init(&cfg);
        cfg.priority_bits = bits;
        tf_gic_fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_NONE);
        uint32_t all = bits == 5 ? 0xFFFFFFFFu : 0xFFFFu;
        unsigned shift = 8u - bits;
        tf_icc_wr(f->g, 0, GICSIM_ICC_AP1R0, 0xFFFFFFFFu);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R0), all);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0);
        uint32_t top = bits == 5 ? 31u : 15u;
        tf_icc_wr(f->g, 0, GICSIM_ICC_AP1R0, 1u << top);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), top << shift);
        tf_icc_wr(f->g, 0, GICSIM_ICC_AP0R0, 1u << 3);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 3u << shift);
        uint64_t wi = tf_gic_stats(f->g).raz_wi_writes, ri = tf_gic_stats(f->g).raz_wi_reads;
        tf_icc_wr(f->g, 0, GICSIM_ICC_AP1R1, 1);
        assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_AP1R1), 0); /* RAZ */
        assert_int_equal(tf_gic_stats(f->g).raz_wi_writes, wi + 1);
        assert_int_equal(tf_gic_stats(f->g).raz_wi_reads, ri + 1);
        /* The virtual interface's ICH_AP1R0 has the same bits. */
        tf_ich_wr(f->g, 0, GICSIM_ICH_AP1R0, 0xFFFFFFFFu);
        assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0), all);
        tf_gic_fx_free(f);
    }
}

/* EOImode 0: an EOI that drops a priority but names an interrupt that is not
 * active (software's mistake) deactivates nothing and is counted. */
static void test_eoi_of_inactive_intid_counted(void **state)
{
    fx *f = *state;
    send_sgi1(f, 0, 1, 1u << 0);
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, 0), 1);
    gicsim_gic_stats before = tf_gic_stats(f->g);
    tf_eoi1(f->g, 0, 2); /* SGI 2 is not active */
    gicsim_gic_stats after = tf_gic_stats(f->g);
    assert_int_equal(after.priority_drops, before.priority_drops + 1);
    assert_int_equal(after.deactivations, before.deactivations);
    assert_int_equal(after.ignored_ops, before.ignored_ops + 1);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(tf_irq_state(f->g, 0, 1), GICSIM_IRQ_ACTIVE);
}

/* Every forward of a redistributor's choice is a message (a hop), also with
 * redist_to_cpuif 0, when a new choice made at the instant a message arrived
 * goes out at that same instant: it is a new message, not an update of the
 * one already delivered (engine_requeue only updates one still in flight). */
static void test_forward_hops_with_zero_cost(void **state)
{
    (void)state;
    gicsim_timing t;
    gicsim_timing_init(&t);
    t.cycles[GICSIM_COST_REDIST_TO_CPUIF] = 0;
    t.cycles[GICSIM_COST_SGI_ROUTE] = 0;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.timing = &t;
    tf_gic_fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_NONE);
    gicsim_time_t now = gicsim_engine_now(f->e);
    uint64_t hops = tf_gic_stats(f->g).hop_events;
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(1, 1u << 0, 0, 0, 0, 0, false));
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(2, 1u << 0, 0, 0, 0, 0, false));
    gicsim_engine_run_until(f->e, now); /* the routes and the forward, all at `now` */
    assert_int_equal(gicsim_engine_now(f->e), now);
    uint64_t sent = tf_gic_stats(f->g).hop_events - hops;
    assert_int_equal(tf_iar1(f->g, 0), 1); /* the redistributor chooses SGI 2 at once */
    assert_int_equal(tf_gic_stats(f->g).hop_events - hops, sent + 1);
    gicsim_engine_run_until(f->e, now);
    assert_int_equal(tf_icc_rd(f->g, 0, GICSIM_ICC_HPPIR1), 2);
    tf_gic_fx_free(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tf_setup_os_gic_lines, tf_teardown_gic)
    const struct CMUnitTest tests[] = {
        T(test_ack_priority_order),
        T(test_preemption_by_group_priority),
        T(test_cbpr_preemption),
        T(test_eoimode0_drops_and_deactivates),
        T(test_eoimode1_split_drop_and_deactivate),
        T(test_dir_ignored_in_eoimode0),
        T(test_igrpen1_disabled_not_acknowledged),
        T(test_group0_fiq),
        T(test_pmr_masking),
        T(test_sixteen_nested_sgis),
        T(test_spurious_hppir_and_eoi_1023),
        T(test_bpr_cbpr_pmr_ctlr),
        T(test_sgi_targets),
        T(test_spi_signal_timing),
        T(test_sgi_signal_timing),
        T(test_spurious_ack_lowers_stale_irq),
        T(test_repend_at_eoi_takes_the_hops),
        T(test_eoi_of_inactive_intid_counted),
        cmocka_unit_test(test_signal_timing_custom_costs),
        cmocka_unit_test(test_sgi_targets_sixteen_per_cluster),
        cmocka_unit_test(test_active_priority_writes),
        cmocka_unit_test(test_forward_hops_with_zero_cost),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
