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

#include <stdlib.h>
#include <string.h>

#define SPURIOUS GICSIM_INTID_SPURIOUS
#define LOG_MAX 4096

/* ---- fixture -------------------------------------------------------------- */

typedef struct line_rec {
    gicsim_time_t time;
    uint32_t pe;
    bool irq, fiq;
} line_rec;

typedef struct fx {
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_event ev[LOG_MAX];
    size_t n_ev;
    line_rec lines[LOG_MAX];
    size_t n_lines;
} fx;

static void observe(void *ctx, const gicsim_gic_event *ev)
{
    fx *f = ctx;
    assert_true(f->n_ev < LOG_MAX);
    f->ev[f->n_ev++] = *ev;
}

static void on_lines(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    fx *f = ctx;
    assert_true(f->n_lines < LOG_MAX);
    f->lines[f->n_lines++] = (line_rec){gicsim_engine_now(f->e), pe, irq, fiq};
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(gicsim_engine_create(&f->e), GICSIM_OK);
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    assert_int_equal(gicsim_gic_create(f->e, &cfg, &f->g), GICSIM_OK);
    gicsim_gic_os_init(f->g);
    gicsim_engine_run_for(f->e, GICSIM_US(1));
    assert_int_equal(gicsim_gic_add_observer(f->g, observe, f), GICSIM_OK);
    assert_int_equal(gicsim_gic_add_line_listener(f->g, on_lines, f), GICSIM_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    gicsim_engine_destroy(f->e);
    gicsim_gic_destroy(f->g);
    free(f);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static void settle(fx *f)
{
    gicsim_engine_run_for(f->e, GICSIM_US(1));
}

static uint64_t icc_rd(fx *f, uint32_t pe, gicsim_icc_reg reg)
{
    uint64_t v = 0xDEADBEEFu;
    assert_int_equal(gicsim_icc_read(f->g, pe, reg, &v), GICSIM_OK);
    return v;
}

static void icc_wr(fx *f, uint32_t pe, gicsim_icc_reg reg, uint64_t v)
{
    assert_int_equal(gicsim_icc_write(f->g, pe, reg, v), GICSIM_OK);
}

static uint32_t iar1(fx *f, uint32_t pe)
{
    return (uint32_t)icc_rd(f, pe, GICSIM_ICC_IAR1);
}

static void eoi1(fx *f, uint32_t pe, uint32_t intid)
{
    icc_wr(f, pe, GICSIM_ICC_EOIR1, intid);
}

static gicsim_irq_state state_of(fx *f, uint32_t pe, uint32_t intid)
{
    gicsim_irq_state s;
    assert_int_equal(gicsim_gic_irq_state(f->g, pe, intid, &s), GICSIM_OK);
    return s;
}

static gicsim_gic_stats stats(fx *f)
{
    gicsim_gic_stats s;
    gicsim_gic_get_stats(f->g, &s);
    return s;
}

static void spi_prio(fx *f, uint32_t intid, uint8_t prio)
{
    assert_int_equal(gicsim_gicd_write(f->g, GICSIM_GICD_IPRIORITYR + intid, 1, prio), GICSIM_OK);
}

static void spi_enable(fx *f, uint32_t intid)
{
    assert_int_equal(
        gicsim_gicd_write(f->g, GICSIM_GICD_ISENABLER + 4 * (intid / 32), 4, 1u << (intid % 32)),
        GICSIM_OK);
}

static void spi_edge(fx *f, uint32_t intid)
{
    uint32_t off = GICSIM_GICD_ICFGR + 4 * (intid / 16);
    uint64_t v;
    assert_int_equal(gicsim_gicd_read(f->g, off, 4, &v), GICSIM_OK);
    v |= 1u << (2 * (intid % 16) + 1);
    assert_int_equal(gicsim_gicd_write(f->g, off, 4, v), GICSIM_OK);
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
    icc_wr(f, from, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(intid, targets, 0, 0, 0, 0, false));
}

static size_t count_events(fx *f, gicsim_gic_event_kind kind, uint32_t intid)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_ev; i++)
        n += f->ev[i].kind == kind && f->ev[i].intid == intid;
    return n;
}

/* Time of the first event of `kind` for `intid`, asserting there is one. */
static gicsim_time_t first_event_time(fx *f, gicsim_gic_event_kind kind, uint32_t intid,
                                      uint32_t *pe_out)
{
    for (size_t i = 0; i < f->n_ev; i++) {
        if (f->ev[i].kind == kind && f->ev[i].intid == intid) {
            if (pe_out)
                *pe_out = f->ev[i].pe;
            return f->ev[i].time;
        }
    }
    fail_msg("no %s event for INTID %u", gicsim_gic_event_name(kind), (unsigned)intid);
    return 0;
}

static void assert_accounting(fx *f)
{
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.raised, s.acknowledged + s.withdrawn + s.pending_now);
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
            spi_edge(f, id);
            spi_enable(f, id);
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
    settle(f);

    for (size_t k = 0; k < n; k++) {
        uint8_t prio = 0;
        for (size_t i = 0; i < n; i++)
            if (irqs[i].intid == order[k])
                prio = irqs[i].prio;
        assert_true(gicsim_gic_irq_line(f->g, 0));
        assert_int_equal(icc_rd(f, 0, GICSIM_ICC_HPPIR1), order[k]);
        assert_int_equal(iar1(f, 0), order[k]);
        assert_int_equal(state_of(f, 0, order[k]), GICSIM_IRQ_ACTIVE);
        assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), prio);
        /* Everything else has lower or equal priority: nothing preempts. */
        settle(f);
        assert_false(gicsim_gic_irq_line(f->g, 0));
        eoi1(f, 0, order[k]);
        assert_int_equal(state_of(f, 0, order[k]), GICSIM_IRQ_INACTIVE);
        settle(f);
    }
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.acknowledged, n);
    assert_int_equal(s.deactivations, n);
    assert_int_equal(s.pending_now, 0);
    assert_accounting(f);
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
    icc_wr(f, 0, GICSIM_ICC_BPR1, 5);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 5);

    send_sgi1(f, 0, 1, 1u << 0);
    settle(f);
    assert_int_equal(iar1(f, 0), 1);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0x40); /* the group priority */
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), 1u << (0x40 >> 3));

    /* Higher priority (0x40 < 0x50) but the same group priority: no preemption.
     * Equal priority (SGI 3 at 0x50): no preemption either. */
    send_sgi1(f, 0, 2, 1u << 0);
    send_sgi1(f, 0, 3, 1u << 0);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_HPPIR1), 2);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(state_of(f, 0, 2), GICSIM_IRQ_PENDING);
    assert_int_equal(state_of(f, 0, 3), GICSIM_IRQ_PENDING);
    assert_int_equal(count_events(f, GICSIM_GEV_SIGNAL, 2), 0);

    /* Strictly higher group priority: preempts. */
    send_sgi1(f, 0, 4, 1u << 0);
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 4);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0x20);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), (1u << 8) | (1u << 4));
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));

    /* Dropping SGI 4 returns to SGI 1's running priority: SGI 2 still waits. */
    eoi1(f, 0, 4);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0x40);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);

    eoi1(f, 0, 1);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 2);
    /* SGI 3 (group priority 0x40) does not preempt SGI 2 (0x40). */
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    eoi1(f, 0, 2);
    settle(f);
    assert_int_equal(iar1(f, 0), 3);
    eoi1(f, 0, 3);
    settle(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), 0);

    /* Control: with the finest binary point (3, group priority [7:3]) the
     * same 0x40 does preempt 0x50, and 0x50 still does not preempt 0x50. */
    icc_wr(f, 0, GICSIM_ICC_BPR1, 3);
    send_sgi1(f, 0, 1, 1u << 0);
    settle(f);
    assert_int_equal(iar1(f, 0), 1);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0x50);
    send_sgi1(f, 0, 3, 1u << 0);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    send_sgi1(f, 0, 2, 1u << 0);
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 2);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0x40);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), (1u << 10) | (1u << 8));
    eoi1(f, 0, 2);
    eoi1(f, 0, 1);
    settle(f);
    assert_int_equal(iar1(f, 0), 3);
    eoi1(f, 0, 3);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    assert_accounting(f);
}

/* With ICC_CTLR.CBPR=1 Group 1 uses BPR0's split: BPR0 = 4 puts the group
 * priority in bits [7:5], exactly like BPR1 = 5. */
static void test_cbpr_preemption(void **state)
{
    fx *f = *state;
    banked_prio(f, 0, 1, 0x50);
    banked_prio(f, 0, 2, 0x40);
    icc_wr(f, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_CBPR);
    icc_wr(f, 0, GICSIM_ICC_BPR0, 4);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 5);
    send_sgi1(f, 0, 1, 1u << 0);
    settle(f);
    assert_int_equal(iar1(f, 0), 1);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0x40);
    send_sgi1(f, 0, 2, 1u << 0);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    eoi1(f, 0, 1);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 2);
    eoi1(f, 0, 2);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
}

/* ---- EOImode ----------------------------------------------------------------------- */

static void test_eoimode0_drops_and_deactivates(void **state)
{
    fx *f = *state;
    spi_edge(f, 50);
    spi_enable(f, 50);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_CTLR) & GICSIM_ICC_CTLR_EOIMODE, 0);
    gicsim_gic_pulse(f->g, 0, 50);
    settle(f);
    assert_int_equal(iar1(f, 0), 50);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xA0);
    eoi1(f, 0, 50);
    assert_int_equal(state_of(f, 0, 50), GICSIM_IRQ_INACTIVE);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), 0);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.priority_drops, 1);
    assert_int_equal(s.deactivations, 1);
    assert_int_equal(count_events(f, GICSIM_GEV_PRIO_DROP, 50), 1);
    assert_int_equal(count_events(f, GICSIM_GEV_DEACTIVATE, 50), 1);
}

static void test_eoimode1_split_drop_and_deactivate(void **state)
{
    fx *f = *state;
    spi_edge(f, 50);
    spi_enable(f, 50);
    icc_wr(f, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_CTLR) & 3u, GICSIM_ICC_CTLR_EOIMODE);
    gicsim_gic_pulse(f->g, 0, 50);
    settle(f);
    assert_int_equal(iar1(f, 0), 50);
    eoi1(f, 0, 50);
    /* Priority dropped, interrupt still active. */
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), 0);
    assert_int_equal(state_of(f, 0, 50), GICSIM_IRQ_ACTIVE);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.priority_drops, 1);
    assert_int_equal(s.deactivations, 0);
    /* A new edge makes it active+pending, but an active interrupt is not
     * acknowledged again. */
    gicsim_gic_pulse(f->g, 0, 50);
    settle(f);
    assert_int_equal(state_of(f, 0, 50), GICSIM_IRQ_ACTIVE_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    /* DIR deactivates; the pending edge is then delivered. */
    icc_wr(f, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(state_of(f, 0, 50), GICSIM_IRQ_PENDING);
    s = stats(f);
    assert_int_equal(s.deactivations, 1);
    settle(f);
    assert_int_equal(iar1(f, 0), 50);
    eoi1(f, 0, 50);
    icc_wr(f, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(state_of(f, 0, 50), GICSIM_IRQ_INACTIVE);
    s = stats(f);
    assert_int_equal(s.acknowledged, 2);
    assert_int_equal(s.priority_drops, 2);
    assert_int_equal(s.deactivations, 2);
    /* A DIR of an inactive interrupt has nothing to do. */
    uint64_t ign = s.ignored_ops;
    icc_wr(f, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(stats(f).ignored_ops, ign + 1);
    assert_int_equal(stats(f).deactivations, 2);
}

static void test_dir_ignored_in_eoimode0(void **state)
{
    fx *f = *state;
    spi_edge(f, 50);
    spi_enable(f, 50);
    gicsim_gic_pulse(f->g, 0, 50);
    settle(f);
    assert_int_equal(iar1(f, 0), 50);
    uint64_t ign = stats(f).ignored_ops;
    icc_wr(f, 0, GICSIM_ICC_DIR, 50);
    assert_int_equal(stats(f).ignored_ops, ign + 1);
    assert_int_equal(stats(f).deactivations, 0);
    assert_int_equal(state_of(f, 0, 50), GICSIM_IRQ_ACTIVE);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xA0);
    eoi1(f, 0, 50);
    assert_int_equal(state_of(f, 0, 50), GICSIM_IRQ_INACTIVE);
    assert_int_equal(stats(f).ignored_ops, ign + 1);
}

/* ---- group enables and the priority mask ------------------------------------------------ */

static void test_igrpen1_disabled_not_acknowledged(void **state)
{
    fx *f = *state;
    spi_enable(f, 40);
    icc_wr(f, 0, GICSIM_ICC_IGRPEN1, 0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_IGRPEN1), 0);
    gicsim_gic_set_line(f->g, 0, 40, true);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(stats(f).spurious_acks, 1);
    icc_wr(f, 0, GICSIM_ICC_IGRPEN1, 1);
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 40);
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
    spi_enable(f, 44);
    gicsim_gic_set_line(f->g, 0, 44, true);
    settle(f);
    /* IGRPEN0 = 0 (reset): nothing signalled, neither IAR acknowledges it. */
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_false(gicsim_gic_fiq_line(f->g, 0));
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_IAR0), SPURIOUS);
    assert_int_equal(iar1(f, 0), SPURIOUS);

    icc_wr(f, 0, GICSIM_ICC_IGRPEN0, 1);
    settle(f);
    assert_true(gicsim_gic_fiq_line(f->g, 0));
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(f->lines[f->n_lines - 1].irq, false);
    assert_int_equal(f->lines[f->n_lines - 1].fiq, true);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_HPPIR1), SPURIOUS);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_HPPIR0), 44);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(state_of(f, 0, 44), GICSIM_IRQ_PENDING);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_IAR0), 44);
    assert_int_equal(state_of(f, 0, 44), GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP0R0), 1u << (0xA0 >> 3));
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), 0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xA0);
    assert_false(gicsim_gic_fiq_line(f->g, 0));
    gicsim_gic_set_line(f->g, 0, 44, false);
    /* EOIR1 has no Group 1 priority to drop. */
    uint64_t ign = stats(f).ignored_ops;
    eoi1(f, 0, 44);
    assert_int_equal(stats(f).ignored_ops, ign + 1);
    assert_int_equal(state_of(f, 0, 44), GICSIM_IRQ_ACTIVE);
    icc_wr(f, 0, GICSIM_ICC_EOIR0, 44);
    assert_int_equal(state_of(f, 0, 44), GICSIM_IRQ_INACTIVE);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP0R0), 0);
}

static void test_pmr_masking(void **state)
{
    fx *f = *state;
    spi_enable(f, 40); /* priority 0xA0 */
    icc_wr(f, 0, GICSIM_ICC_PMR, 0xA0);
    gicsim_gic_set_line(f->g, 0, 40, true);
    settle(f);
    /* Priority equal to the mask: masked. */
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_HPPIR1), 40);
    /* 0xA4 reads back as 0xA0 (3 unimplemented bits): still masked. */
    icc_wr(f, 0, GICSIM_ICC_PMR, 0xA4);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_PMR), 0xA0);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    /* Lower priority than the mask (mask 0x10): masked. */
    icc_wr(f, 0, GICSIM_ICC_PMR, 0x10);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    /* Raising the mask above the priority signals it at once. */
    icc_wr(f, 0, GICSIM_ICC_PMR, 0xA8);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 40);
    assert_int_equal(stats(f).spurious_acks, 2);
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
        settle(f);
        assert_true(gicsim_gic_irq_line(f->g, 0));
        assert_int_equal(iar1(f, 0), i);
        ap |= 1u << (prio >> 3);
        assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), prio);
        assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), ap);
        assert_int_equal(state_of(f, 0, i), GICSIM_IRQ_ACTIVE);
    }
    for (uint32_t i = 16; i-- > 0;) {
        eoi1(f, 0, i);
        ap &= ~(1u << (((15 - i) * 16) >> 3));
        assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), ap);
        assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), i ? (15 - (i - 1)) * 16 : 0xFF);
        assert_int_equal(state_of(f, 0, i), GICSIM_IRQ_INACTIVE);
    }
    settle(f);
    for (uint32_t i = 0; i < 16; i++)
        assert_int_equal(state_of(f, 0, i), GICSIM_IRQ_INACTIVE);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), 0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.acknowledged, 16);
    assert_int_equal(s.priority_drops, 16);
    assert_int_equal(s.deactivations, 16);
    assert_int_equal(s.signals, 16);
}

/* ---- spurious, HPPIR, EOIR of 1023 -------------------------------------------------- */

static void test_spurious_hppir_and_eoi_1023(void **state)
{
    fx *f = *state;
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_IAR0), SPURIOUS);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_HPPIR1), SPURIOUS);
    assert_int_equal(stats(f).spurious_acks, 2);

    spi_enable(f, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    settle(f);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(icc_rd(f, 0, GICSIM_ICC_HPPIR1), 40);
        assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    }
    assert_int_equal(stats(f).acknowledged, 0);
    assert_int_equal(count_events(f, GICSIM_GEV_ACK, 40), 0);
    assert_int_equal(iar1(f, 0), 40);
    assert_int_equal(stats(f).acknowledged, 1);
    gicsim_gic_set_line(f->g, 0, 40, false);

    gicsim_gic_stats before = stats(f);
    eoi1(f, 0, SPURIOUS);
    gicsim_gic_stats after = stats(f);
    assert_int_equal(after.priority_drops, before.priority_drops);
    assert_int_equal(after.deactivations, before.deactivations);
    assert_int_equal(after.ignored_ops, before.ignored_ops + 1);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xA0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R0), 1u << (0xA0 >> 3));
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_ACTIVE);
    assert_int_equal(count_events(f, GICSIM_GEV_PRIO_DROP, SPURIOUS), 0);
    eoi1(f, 0, 40);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_INACTIVE);
    settle(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(stats(f).spurious_acks, 3);
}

/* ---- register behaviour -------------------------------------------------------------------- */

static void test_bpr_cbpr_pmr_ctlr(void **state)
{
    fx *f = *state;
    /* Minimum binary points with 5 priority bits: BPR0 2, BPR1 3. */
    icc_wr(f, 0, GICSIM_ICC_BPR0, 0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR0), 2);
    icc_wr(f, 0, GICSIM_ICC_BPR0, 1);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR0), 2);
    icc_wr(f, 0, GICSIM_ICC_BPR0, 6);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR0), 6);
    icc_wr(f, 0, GICSIM_ICC_BPR1, 0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 3);
    icc_wr(f, 0, GICSIM_ICC_BPR1, 2);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 3);
    icc_wr(f, 0, GICSIM_ICC_BPR1, 4);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 4);

    /* CBPR: BPR1 reads BPR0 + 1 (saturating at 7), writes to it are ignored. */
    icc_wr(f, 0, GICSIM_ICC_BPR0, 3);
    icc_wr(f, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_CBPR);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 4);
    icc_wr(f, 0, GICSIM_ICC_BPR0, 7);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 7);
    icc_wr(f, 0, GICSIM_ICC_BPR0, 5);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 6);
    uint64_t wi = stats(f).raz_wi_writes;
    icc_wr(f, 0, GICSIM_ICC_BPR1, 3);
    assert_int_equal(stats(f).raz_wi_writes, wi + 1);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 6);
    /* CTLR: CBPR[0], EOImode[1], PRIbits[10:8] = priority bits - 1 = 4. */
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_CTLR), 0x401);
    icc_wr(f, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE | 0x700u);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_CTLR), 0x402);
    /* CBPR cleared: BPR1 is its own register again, unchanged by the ignored write. */
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_BPR1), 4);

    /* PMR: only the 5 implemented bits. */
    icc_wr(f, 0, GICSIM_ICC_PMR, 0xFF);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_PMR), 0xF8);
    icc_wr(f, 0, GICSIM_ICC_PMR, 0x57);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_PMR), 0x50);

    /* Writes to read-only registers: ignored and counted. */
    spi_enable(f, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    icc_wr(f, 0, GICSIM_ICC_PMR, 0xFF);
    settle(f);
    wi = stats(f).raz_wi_writes;
    const gicsim_icc_reg ro[] = {GICSIM_ICC_IAR0, GICSIM_ICC_IAR1, GICSIM_ICC_HPPIR0,
                                 GICSIM_ICC_HPPIR1, GICSIM_ICC_RPR};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        icc_wr(f, 0, ro[i], 0x12);
    assert_int_equal(stats(f).raz_wi_writes, wi + 5);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(stats(f).acknowledged, 0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_RPR), 0xFF);
    /* Reads of write-only registers: 0, ignored and counted, no side effect. */
    uint64_t ign = stats(f).ignored_ops;
    const gicsim_icc_reg wo[] = {GICSIM_ICC_EOIR0, GICSIM_ICC_EOIR1, GICSIM_ICC_DIR,
                                 GICSIM_ICC_SGI0R, GICSIM_ICC_SGI1R, GICSIM_ICC_ASGI1R};
    for (size_t i = 0; i < sizeof wo / sizeof wo[0]; i++)
        assert_int_equal(icc_rd(f, 0, wo[i]), 0);
    assert_int_equal(stats(f).ignored_ops, ign + 6);
    assert_int_equal(stats(f).sgis_sent, 0);
    /* One AP register per group with 5 priority bits: AP1R1 is RAZ/WI. */
    uint64_t raz = stats(f).raz_wi_reads;
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_AP1R1), 0);
    assert_int_equal(stats(f).raz_wi_reads, raz + 1);
    /* SRE reads 0x7 and ignores writes. */
    icc_wr(f, 0, GICSIM_ICC_SRE, 0);
    assert_int_equal(icc_rd(f, 0, GICSIM_ICC_SRE), 0x7);
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
    settle(f);
    assert_int_equal(state_of(f, 0, 5), GICSIM_IRQ_INACTIVE);
    assert_int_equal(state_of(f, 1, 5), GICSIM_IRQ_PENDING);
    assert_int_equal(state_of(f, 2, 5), GICSIM_IRQ_PENDING);
    assert_int_equal(state_of(f, 3, 5), GICSIM_IRQ_INACTIVE);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_true(gicsim_gic_irq_line(f->g, 1));
    assert_true(gicsim_gic_irq_line(f->g, 2));
    assert_false(gicsim_gic_irq_line(f->g, 3));
    assert_int_equal(iar1(f, 1), 5);
    assert_int_equal(iar1(f, 2), 5);
    eoi1(f, 1, 5);
    eoi1(f, 2, 5);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.sgis_sent, 1);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.sgis_dropped, 0);

    /* IRM=1: every PE except the sender. */
    icc_wr(f, 2, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(6, 0, 0, 0, 0, 0, true));
    settle(f);
    assert_int_equal(state_of(f, 0, 6), GICSIM_IRQ_PENDING);
    assert_int_equal(state_of(f, 1, 6), GICSIM_IRQ_PENDING);
    assert_int_equal(state_of(f, 2, 6), GICSIM_IRQ_INACTIVE);
    assert_int_equal(state_of(f, 3, 6), GICSIM_IRQ_PENDING);
    assert_int_equal(stats(f).raised, 5);
    for (uint32_t pe = 0; pe < 4; pe++) {
        if (pe == 2)
            continue;
        assert_int_equal(iar1(f, pe), 6);
        eoi1(f, pe, 6);
    }

    /* Aff0 4 and 5 do not exist in a 4-PE cluster 0; cluster 1 does not exist. */
    send_sgi1(f, 0, 7, (1u << 3) | (1u << 4) | (1u << 5));
    icc_wr(f, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(7, 1u << 0, 1, 0, 0, 0, false));
    /* RS=1 names Aff0 16..31: none exists. */
    icc_wr(f, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(7, 1u << 0, 0, 0, 0, 1, false));
    settle(f);
    s = stats(f);
    assert_int_equal(s.sgis_sent, 5);
    assert_int_equal(s.sgis_dropped, 4);
    assert_int_equal(state_of(f, 3, 7), GICSIM_IRQ_PENDING);
    for (uint32_t pe = 0; pe < 3; pe++)
        assert_int_equal(state_of(f, pe, 7), GICSIM_IRQ_INACTIVE);
    assert_int_equal(iar1(f, 3), 7);
    eoi1(f, 3, 7);

    /* SGI 8 of PE 2 configured Group 0: an SGI1R write does not set it pending. */
    uint64_t grp;
    assert_int_equal(gicsim_gicr_read(f->g, 2, GICSIM_GICR_IGROUPR0, 4, &grp), GICSIM_OK);
    assert_int_equal(gicsim_gicr_write(f->g, 2, GICSIM_GICR_IGROUPR0, 4, grp & ~(1u << 8)),
                     GICSIM_OK);
    uint64_t raised = stats(f).raised;
    send_sgi1(f, 0, 8, (1u << 1) | (1u << 2));
    settle(f);
    s = stats(f);
    assert_int_equal(s.sgis_dropped, 5);
    assert_int_equal(s.raised, raised + 1); /* PE 1 only */
    assert_int_equal(state_of(f, 2, 8), GICSIM_IRQ_INACTIVE);
    assert_int_equal(state_of(f, 1, 8), GICSIM_IRQ_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 2));
    assert_false(gicsim_gic_fiq_line(f->g, 2));
    /* SGI0R is the way to send it. */
    icc_wr(f, 0, GICSIM_ICC_SGI0R, gicsim_icc_sgir_value(8, 1u << 2, 0, 0, 0, 0, false));
    settle(f);
    assert_int_equal(state_of(f, 2, 8), GICSIM_IRQ_PENDING);
    assert_int_equal(stats(f).sgis_dropped, 5);
    assert_int_equal(count_events(f, GICSIM_GEV_SGI_SEND, 8), 2);
    assert_accounting(f);
}

/* ---- signalling time ------------------------------------------------------------------- */

static void test_spi_signal_timing(void **state)
{
    fx *f = *state;
    spi_enable(f, 40);
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    size_t nl = f->n_lines;
    gicsim_gic_set_line(f->g, 0, 40, true);
    /* Nothing reaches the CPU interface before dist_to_redist + redist_to_cpuif. */
    gicsim_engine_run_until(f->e, t0 + GICSIM_NS(30) - 1);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(f->n_lines, nl);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    gicsim_engine_run_until(f->e, t0 + GICSIM_NS(30));
    assert_true(gicsim_gic_irq_line(f->g, 0));

    uint32_t pe = 99;
    assert_int_equal(first_event_time(f, GICSIM_GEV_RAISE, 40, &pe), t0);
    assert_int_equal(pe, 0);
    assert_int_equal(first_event_time(f, GICSIM_GEV_SIGNAL, 40, &pe), t0 + GICSIM_NS(30));
    assert_int_equal(pe, 0);
    assert_int_equal(f->n_lines, nl + 1);
    assert_int_equal(f->lines[nl].time, t0 + GICSIM_NS(30));
    assert_int_equal(f->lines[nl].pe, 0);
    assert_true(f->lines[nl].irq);
    assert_false(f->lines[nl].fiq);

    /* The acknowledge lowers IRQ at once. */
    gicsim_engine_run_for(f->e, GICSIM_NS(5));
    gicsim_time_t ta = gicsim_engine_now(f->e);
    assert_int_equal(iar1(f, 0), 40);
    assert_int_equal(first_event_time(f, GICSIM_GEV_ACK, 40, NULL), ta);
    assert_int_equal(f->n_lines, nl + 2);
    assert_int_equal(f->lines[nl + 1].time, ta);
    assert_false(f->lines[nl + 1].irq);
}

static void test_sgi_signal_timing(void **state)
{
    fx *f = *state;
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    size_t nl = f->n_lines;
    send_sgi1(f, 0, 4, 1u << 3);
    gicsim_engine_run_until(f->e, t0 + GICSIM_NS(40) - 1);
    assert_false(gicsim_gic_irq_line(f->g, 3));
    assert_int_equal(state_of(f, 3, 4), GICSIM_IRQ_PENDING);
    gicsim_engine_run_until(f->e, t0 + GICSIM_NS(40));
    assert_true(gicsim_gic_irq_line(f->g, 3));

    uint32_t pe = 99;
    assert_int_equal(first_event_time(f, GICSIM_GEV_SGI_SEND, 4, &pe), t0);
    assert_int_equal(pe, 0);
    assert_int_equal(first_event_time(f, GICSIM_GEV_RAISE, 4, &pe), t0 + GICSIM_NS(30));
    assert_int_equal(pe, 3);
    assert_int_equal(first_event_time(f, GICSIM_GEV_SIGNAL, 4, &pe), t0 + GICSIM_NS(40));
    assert_int_equal(pe, 3);
    assert_int_equal(f->n_lines, nl + 1);
    assert_int_equal(f->lines[nl].time, t0 + GICSIM_NS(40));
    assert_int_equal(f->lines[nl].pe, 3);
    assert_true(f->lines[nl].irq);
    assert_false(f->lines[nl].fiq);
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
    settle(f);
    assert_int_equal(iar1(f, 0), 3);
    assert_int_equal(gicsim_gicr_write(f->g, 0, GICSIM_GICR_ISPENDR0, 4, 1u << 3), GICSIM_OK);
    gicsim_engine_run_for(f->e, GICSIM_NS(2));
    assert_int_equal(state_of(f, 0, 3), GICSIM_IRQ_ACTIVE_PENDING);
    size_t nl = f->n_lines;
    size_t nsig = count_events(f, GICSIM_GEV_SIGNAL, 3);
    gicsim_time_t te = gicsim_engine_now(f->e);
    eoi1(f, 0, 3);
    assert_int_equal(state_of(f, 0, 3), GICSIM_IRQ_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(10) - 1);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(10));
    assert_true(gicsim_gic_irq_line(f->g, 0));
    settle(f);
    assert_int_equal(f->n_lines, nl + 1);
    assert_int_equal(f->lines[nl].time, te + GICSIM_NS(10));
    assert_int_equal(count_events(f, GICSIM_GEV_SIGNAL, 3), nsig + 1);
    assert_int_equal(iar1(f, 0), 3);
    eoi1(f, 0, 3);

    /* Level SPI, line held high, EOI 5 ns after the acknowledge: presented
     * again dist_to_redist + redist_to_cpuif (30 ns) after the EOI, once. */
    spi_enable(f, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    settle(f);
    assert_int_equal(iar1(f, 0), 40);
    gicsim_engine_run_for(f->e, GICSIM_NS(5));
    nl = f->n_lines;
    nsig = count_events(f, GICSIM_GEV_SIGNAL, 40);
    te = gicsim_engine_now(f->e);
    eoi1(f, 0, 40);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(30) - 1);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    gicsim_engine_run_until(f->e, te + GICSIM_NS(30));
    assert_true(gicsim_gic_irq_line(f->g, 0));
    settle(f);
    assert_int_equal(f->n_lines, nl + 1);
    assert_int_equal(f->lines[nl].time, te + GICSIM_NS(30));
    assert_int_equal(count_events(f, GICSIM_GEV_SIGNAL, 40), nsig + 1);
    assert_int_equal(iar1(f, 0), 40);
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

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
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
        T(test_repend_at_eoi_takes_the_hops),
        cmocka_unit_test(test_signal_timing_custom_costs),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
