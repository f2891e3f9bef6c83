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

#include <stdlib.h>
#include <string.h>

#define SPURIOUS GICSIM_INTID_SPURIOUS

/* ---- fixture -------------------------------------------------------------- */

typedef struct ev_log {
    gicsim_gic_event *v;
    size_t n, cap;
} ev_log;

typedef struct fx {
    gicsim_engine *e;
    gicsim_gic *g;
    ev_log log;
} fx;

static void observe(void *ctx, const gicsim_gic_event *ev)
{
    ev_log *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n++] = *ev;
}

static void fx_init(fx *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(gicsim_engine_create(&f->e), GICSIM_OK);
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    assert_int_equal(gicsim_gic_create(f->e, &cfg, &f->g), GICSIM_OK);
    gicsim_gic_os_init(f->g);
    gicsim_engine_run_for(f->e, GICSIM_US(1));
    assert_int_equal(gicsim_gic_add_observer(f->g, observe, &f->log), GICSIM_OK);
}

static void fx_fini(fx *f)
{
    gicsim_engine_destroy(f->e);
    gicsim_gic_destroy(f->g);
    free(f->log.v);
    memset(f, 0, sizeof *f);
}

static int setup(void **state)
{
    fx *f = malloc(sizeof *f);
    assert_non_null(f);
    fx_init(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fx_fini(f);
    free(f);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static void settle(fx *f)
{
    gicsim_engine_run_for(f->e, GICSIM_US(1));
}

static uint32_t iar1(fx *f, uint32_t pe)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_icc_read(f->g, pe, GICSIM_ICC_IAR1, &v), GICSIM_OK);
    return (uint32_t)v;
}

static void eoi1(fx *f, uint32_t pe, uint32_t intid)
{
    assert_int_equal(gicsim_icc_write(f->g, pe, GICSIM_ICC_EOIR1, intid), GICSIM_OK);
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

static void assert_accounting(fx *f)
{
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.raised, s.acknowledged + s.withdrawn + s.pending_now);
}

static uint64_t gicd_rd(fx *f, uint32_t off)
{
    uint64_t v = 0xDEADBEEFu;
    assert_int_equal(gicsim_gicd_read(f->g, off, 4, &v), GICSIM_OK);
    return v;
}

static void gicd_wr(fx *f, uint32_t off, uint32_t v)
{
    assert_int_equal(gicsim_gicd_write(f->g, off, 4, v), GICSIM_OK);
}

static uint64_t gicr_rd(fx *f, uint32_t pe, uint32_t off)
{
    uint64_t v = 0xDEADBEEFu;
    assert_int_equal(gicsim_gicr_read(f->g, pe, off, 4, &v), GICSIM_OK);
    return v;
}

static void gicr_wr(fx *f, uint32_t pe, uint32_t off, uint32_t v)
{
    assert_int_equal(gicsim_gicr_write(f->g, pe, off, 4, v), GICSIM_OK);
}

/* Register word and bit of SPI `intid` in a 1-bit-per-interrupt GICD array. */
#define SPI_WORD(base, intid) ((base) + 4u * ((intid) / 32u))
#define SPI_BIT(intid) (1u << ((intid) % 32u))

static void spi_enable(fx *f, uint32_t intid)
{
    gicd_wr(f, SPI_WORD(GICSIM_GICD_ISENABLER, intid), SPI_BIT(intid));
}

static void spi_edge(fx *f, uint32_t intid)
{
    uint32_t off = GICSIM_GICD_ICFGR + 4 * (intid / 16);
    gicd_wr(f, off, (uint32_t)gicd_rd(f, off) | (1u << (2 * (intid % 16) + 1)));
}

static size_t count_events(fx *f, gicsim_gic_event_kind kind, uint32_t intid)
{
    size_t n = 0;
    for (size_t i = 0; i < f->log.n; i++)
        n += f->log.v[i].kind == kind && f->log.v[i].intid == intid;
    return n;
}

/* ---- level-sensitive ------------------------------------------------------------ */

/* A level interrupt acknowledged with its line still high is active+pending,
 * becomes pending again at deactivation and fires again; with the line low
 * deactivation leaves it inactive. */
static void test_level_repends_after_deactivation(void **state)
{
    fx *f = *state;
    spi_enable(f, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    settle(f);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(iar1(f, 0), 40);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_ACTIVE_PENDING);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.raised, 1);
    assert_int_equal(s.acknowledged, 1);
    assert_accounting(f);

    eoi1(f, 0, 40); /* EOImode 0: drop + deactivate */
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    s = stats(f);
    assert_int_equal(s.raised, 2); /* the held line starts a new instance */
    assert_int_equal(s.pending_now, 1);
    assert_accounting(f);
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 40);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_ACTIVE_PENDING);

    gicsim_gic_set_line(f->g, 0, 40, false);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_ACTIVE);
    eoi1(f, 0, 40);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_INACTIVE);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    s = stats(f);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.acknowledged, 2);
    assert_int_equal(s.withdrawn, 0);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(s.deactivations, 2);
    assert_int_equal(count_events(f, GICSIM_GEV_RAISE, 40), 2);
    assert_int_equal(count_events(f, GICSIM_GEV_ACK, 40), 2);
}

/* ICPENDR clears only the software latch: with the line high a level
 * interrupt stays pending. A level line dropping before the acknowledge
 * withdraws the interrupt. */
static void test_level_icpendr_and_withdraw(void **state)
{
    fx *f = *state;
    const uint32_t ispend = SPI_WORD(GICSIM_GICD_ISPENDR, 40);
    const uint32_t icpend = SPI_WORD(GICSIM_GICD_ICPENDR, 40);
    spi_enable(f, 40);
    gicsim_gic_set_line(f->g, 0, 40, true);
    gicd_wr(f, icpend, SPI_BIT(40));
    assert_int_equal(gicd_rd(f, ispend) & SPI_BIT(40), SPI_BIT(40));
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(stats(f).withdrawn, 0);

    /* ISPENDR on top of the high line is one pending state (a merge); ICPENDR
     * then clears the latch but the line keeps it pending. */
    gicd_wr(f, ispend, SPI_BIT(40));
    assert_int_equal(stats(f).merged, 1);
    gicd_wr(f, icpend, SPI_BIT(40));
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);

    /* Line low: no longer pending, withdrawn, IRQ drops. */
    gicsim_gic_set_line(f->g, 0, 40, false);
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_INACTIVE);
    assert_int_equal(gicd_rd(f, ispend) & SPI_BIT(40), 0);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.raised, 1);
    assert_int_equal(s.withdrawn, 1);
    assert_int_equal(s.acknowledged, 0);
    assert_int_equal(count_events(f, GICSIM_GEV_WITHDRAW, 40), 1);

    /* A software pend of a level interrupt with its line low: ICPENDR
     * clears it. */
    gicd_wr(f, ispend, SPI_BIT(40));
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_PENDING);
    gicd_wr(f, icpend, SPI_BIT(40));
    assert_int_equal(state_of(f, 0, 40), GICSIM_IRQ_INACTIVE);
    s = stats(f);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.withdrawn, 2);
    assert_accounting(f);
}

/* ---- edge-triggered ------------------------------------------------------------- */

static void test_edge_while_active(void **state)
{
    fx *f = *state;
    spi_edge(f, 41);
    spi_enable(f, 41);
    gicsim_gic_pulse(f->g, 0, 41);
    settle(f);
    assert_int_equal(iar1(f, 0), 41);
    assert_int_equal(state_of(f, 0, 41), GICSIM_IRQ_ACTIVE);
    gicsim_gic_pulse(f->g, 0, 41);
    assert_int_equal(state_of(f, 0, 41), GICSIM_IRQ_ACTIVE_PENDING);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    eoi1(f, 0, 41);
    assert_int_equal(state_of(f, 0, 41), GICSIM_IRQ_PENDING);
    settle(f);
    assert_int_equal(iar1(f, 0), 41);
    assert_int_equal(state_of(f, 0, 41), GICSIM_IRQ_ACTIVE);
    eoi1(f, 0, 41);
    assert_int_equal(state_of(f, 0, 41), GICSIM_IRQ_INACTIVE);
    settle(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.merged, 0);
    assert_int_equal(s.acknowledged, 2);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(count_events(f, GICSIM_GEV_ACK, 41), 2);
    assert_int_equal(count_events(f, GICSIM_GEV_SIGNAL, 41), 2);
}

static void test_edge_merge(void **state)
{
    fx *f = *state;
    spi_edge(f, 41);
    spi_enable(f, 41);
    gicsim_gic_pulse(f->g, 0, 41);
    gicsim_gic_pulse(f->g, 0, 41);
    settle(f);
    gicsim_gic_pulse(f->g, 0, 41); /* while signalled, still one pending state */
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.raised, 1);
    assert_int_equal(s.merged, 2);
    assert_int_equal(s.pending_now, 1);
    assert_int_equal(count_events(f, GICSIM_GEV_MERGE, 41), 2);
    assert_int_equal(iar1(f, 0), 41);
    assert_int_equal(state_of(f, 0, 41), GICSIM_IRQ_ACTIVE);
    eoi1(f, 0, 41);
    settle(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    s = stats(f);
    assert_int_equal(s.acknowledged, 1);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(count_events(f, GICSIM_GEV_ACK, 41), 1);
    /* A level held high on an edge interrupt is one edge, not a level. */
    gicsim_gic_set_line(f->g, 0, 41, true);
    settle(f);
    assert_int_equal(iar1(f, 0), 41);
    eoi1(f, 0, 41);
    assert_int_equal(state_of(f, 0, 41), GICSIM_IRQ_INACTIVE);
    settle(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_accounting(f);
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
    return (uint32_t)(r->intid >= GICSIM_SPI_BASE ? gicd_rd(f, off) : gicr_rd(f, r->pe, off));
}

static void reg_wr(fx *f, const regs *r, uint32_t off, uint32_t v)
{
    if (r->intid >= GICSIM_SPI_BASE)
        gicd_wr(f, off, v);
    else
        gicr_wr(f, r->pe, off, v);
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
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_PENDING);
    reg_wr(f, r, r->icpend, 0);
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_PENDING);

    reg_wr(f, r, r->isact, r->bit);
    assert_int_equal(reg_rd(f, r, r->isact) & r->bit, r->bit);
    assert_int_equal(reg_rd(f, r, r->icact) & r->bit, r->bit);
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_ACTIVE_PENDING);
    reg_wr(f, r, r->icact, 0);
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_ACTIVE_PENDING);
    reg_wr(f, r, r->icact, r->bit);
    assert_int_equal(reg_rd(f, r, r->isact) & r->bit, 0);
    assert_int_equal(reg_rd(f, r, r->icact) & r->bit, 0);
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_PENDING);

    reg_wr(f, r, r->icpend, r->bit);
    assert_int_equal(reg_rd(f, r, r->ispend) & r->bit, 0);
    assert_int_equal(reg_rd(f, r, r->icpend) & r->bit, 0);
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_INACTIVE);

    reg_wr(f, r, r->isact, r->bit);
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_ACTIVE);
    reg_wr(f, r, r->icact, r->bit);
    assert_int_equal(state_of(f, r->pe, r->intid), GICSIM_IRQ_INACTIVE);

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
    assert_int_equal(gicd_rd(f, spi.ispend), 0);
    assert_int_equal(gicd_rd(f, spi.isact), 0);

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
    assert_int_equal(gicr_rd(f, 3, GICSIM_GICR_ISENABLER0), 0x0000FFFFu);
    check_set_clear_views(f, &sgi);
    assert_int_equal(gicr_rd(f, 3, GICSIM_GICR_ISENABLER0), 0x0000FDFFu);
    for (uint32_t pe = 0; pe < 4; pe++) {
        assert_int_equal(gicr_rd(f, pe, GICSIM_GICR_ISPENDR0), 0);
        assert_int_equal(gicr_rd(f, pe, GICSIM_GICR_ISACTIVER0), 0);
    }
    gicsim_gic_stats s = stats(f);
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
    gicd_wr(f, SPI_WORD(GICSIM_GICD_ISPENDR, 45), SPI_BIT(45));
    assert_int_equal(state_of(f, 0, 45), GICSIM_IRQ_PENDING);
    /* PPI 20 of PE 1 (PPIs disabled by gicsim_gic_os_init), level, line high. */
    gicsim_gic_set_line(f->g, 1, 20, true);
    assert_int_equal(state_of(f, 1, 20), GICSIM_IRQ_PENDING);
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_false(gicsim_gic_irq_line(f->g, 1));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(iar1(f, 1), SPURIOUS);
    assert_int_equal(stats(f).signals, 0);

    spi_enable(f, 45);
    gicr_wr(f, 1, GICSIM_GICR_ISENABLER0, 1u << 20);
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_true(gicsim_gic_irq_line(f->g, 1));
    assert_int_equal(iar1(f, 0), 45);
    assert_int_equal(iar1(f, 1), 20);

    eoi1(f, 0, 45);
    assert_int_equal(state_of(f, 0, 45), GICSIM_IRQ_INACTIVE);

    /* Disabling a signalled interrupt withdraws the signal but not the
     * pending state; re-enabling signals it again. */
    gicd_wr(f, SPI_WORD(GICSIM_GICD_ISPENDR, 45), SPI_BIT(45));
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    gicd_wr(f, SPI_WORD(GICSIM_GICD_ICENABLER, 45), SPI_BIT(45));
    settle(f);
    assert_false(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(state_of(f, 0, 45), GICSIM_IRQ_PENDING);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    spi_enable(f, 45);
    settle(f);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_int_equal(iar1(f, 0), 45);
    eoi1(f, 0, 45);
    gicsim_gic_stats s = stats(f);
    assert_int_equal(s.raised, 3);
    assert_int_equal(s.acknowledged, 3);
    assert_int_equal(s.withdrawn, 0);
    assert_int_equal(s.pending_now, 0);
    assert_accounting(f);
}

/* ---- SGIs and PPIs ----------------------------------------------------------------- */

static void test_sgis_always_edge(void **state)
{
    fx *f = *state;
    /* Int_config of SGIs reads edge (0b10) and ignores writes. */
    assert_int_equal(gicr_rd(f, 0, GICSIM_GICR_ICFGR0), 0xAAAAAAAAu);
    gicr_wr(f, 0, GICSIM_GICR_ICFGR0, 0);
    assert_int_equal(gicr_rd(f, 0, GICSIM_GICR_ICFGR0), 0xAAAAAAAAu);
    /* PPIs are configurable (ICFGR1), per PE. */
    assert_int_equal(gicr_rd(f, 0, GICSIM_GICR_ICFGR1), 0);
    gicr_wr(f, 0, GICSIM_GICR_ICFGR1, 2u << (2 * (27 - 16)));
    assert_int_equal(gicr_rd(f, 0, GICSIM_GICR_ICFGR1), 2u << (2 * (27 - 16)));
    assert_int_equal(gicr_rd(f, 1, GICSIM_GICR_ICFGR1), 0);

    /* An SGI behaves as edge: one send, one acknowledge, inactive after EOI
     * and not pending again. */
    assert_int_equal(gicsim_icc_write(f->g, 0, GICSIM_ICC_SGI1R,
                                      gicsim_icc_sgir_value(2, 1u << 0, 0, 0, 0, 0, false)),
                     GICSIM_OK);
    settle(f);
    assert_int_equal(iar1(f, 0), 2);
    assert_int_equal(state_of(f, 0, 2), GICSIM_IRQ_ACTIVE);
    eoi1(f, 0, 2);
    assert_int_equal(state_of(f, 0, 2), GICSIM_IRQ_INACTIVE);
    settle(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    /* SGIs have no wire. */
    assert_int_equal(gicsim_gic_set_line(f->g, 0, 2, true), GICSIM_E_RANGE);
}

static void test_ppi_per_pe(void **state)
{
    fx *f = *state;
    const uint32_t ppi = GICSIM_PPI_VTIMER;
    gicr_wr(f, 0, GICSIM_GICR_ISENABLER0, 1u << ppi);
    gicr_wr(f, 1, GICSIM_GICR_ISENABLER0, 1u << ppi);
    assert_int_equal(gicsim_gicr_write(f->g, 1, GICSIM_GICR_IPRIORITYR + ppi, 1, 0x30), GICSIM_OK);
    uint64_t p0, p1;
    assert_int_equal(gicsim_gicr_read(f->g, 0, GICSIM_GICR_IPRIORITYR + ppi, 1, &p0), GICSIM_OK);
    assert_int_equal(gicsim_gicr_read(f->g, 1, GICSIM_GICR_IPRIORITYR + ppi, 1, &p1), GICSIM_OK);
    assert_int_equal(p0, 0xA0);
    assert_int_equal(p1, 0x30);

    gicsim_gic_set_line(f->g, 0, ppi, true);
    settle(f);
    assert_int_equal(state_of(f, 0, ppi), GICSIM_IRQ_PENDING);
    assert_int_equal(state_of(f, 1, ppi), GICSIM_IRQ_INACTIVE);
    assert_true(gicsim_gic_irq_line(f->g, 0));
    assert_false(gicsim_gic_irq_line(f->g, 1));
    assert_int_equal(iar1(f, 1), SPURIOUS);
    assert_int_equal(gicr_rd(f, 1, GICSIM_GICR_ISPENDR0), 0);
    assert_int_equal(gicr_rd(f, 0, GICSIM_GICR_ISPENDR0), 1u << ppi);
    assert_int_equal(iar1(f, 0), ppi);
    assert_int_equal(state_of(f, 0, ppi), GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(state_of(f, 1, ppi), GICSIM_IRQ_INACTIVE);

    /* PE 1's own PPI 27, while PE 0's is still active. */
    gicsim_gic_set_line(f->g, 1, ppi, true);
    settle(f);
    assert_int_equal(iar1(f, 1), ppi);
    gicsim_gic_set_line(f->g, 1, ppi, false);
    eoi1(f, 1, ppi);
    assert_int_equal(state_of(f, 1, ppi), GICSIM_IRQ_INACTIVE);
    assert_int_equal(state_of(f, 0, ppi), GICSIM_IRQ_ACTIVE_PENDING);
    /* Disabling PE 1's copy does not disable PE 0's. */
    gicr_wr(f, 1, GICSIM_GICR_ICENABLER0, 1u << ppi);
    assert_int_equal(gicr_rd(f, 0, GICSIM_GICR_ISENABLER0) & (1u << ppi), 1u << ppi);
    gicsim_gic_set_line(f->g, 0, ppi, false);
    eoi1(f, 0, ppi);
    assert_int_equal(state_of(f, 0, ppi), GICSIM_IRQ_INACTIVE);
    /* Out of range PE for a PPI. */
    assert_int_equal(gicsim_gic_set_line(f->g, 4, ppi, true), GICSIM_E_RANGE);
    assert_accounting(f);
}

/* ---- observer events ------------------------------------------------------------- */

/* Find the single event of `kind` for `intid` at index >= *from. */
static const gicsim_gic_event *next_event(fx *f, size_t *from, gicsim_gic_event_kind kind,
                                          uint32_t intid)
{
    for (size_t i = *from; i < f->log.n; i++) {
        if (f->log.v[i].kind == kind && f->log.v[i].intid == intid) {
            *from = i + 1;
            return &f->log.v[i];
        }
    }
    fail_msg("no %s event for INTID %u", gicsim_gic_event_name(kind), (unsigned)intid);
    return NULL;
}

/* Every event of one interrupt instance names the PE it is routed to: for a
 * 1-of-N SPI, the PE chosen when it became pending. */
static void test_events_name_the_routed_pe(void **state)
{
    fx *f = *state;
    spi_edge(f, 50);
    spi_enable(f, 50);
    assert_int_equal(
        gicsim_gicd_write(f->g, GICSIM_GICD_IROUTER + 8 * 50, 8, GICSIM_GICD_IROUTER_IRM),
        GICSIM_OK);
    size_t at = 0;
    uint32_t prev = UINT32_MAX;
    for (int round = 0; round < 6; round++) {
        gicsim_gic_pulse(f->g, 0, 50);
        settle(f);
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
        assert_int_equal(next_event(f, &from, GICSIM_GEV_RAISE, 50)->pe, pe);
        assert_int_equal(next_event(f, &from, GICSIM_GEV_SIGNAL, 50)->pe, pe);
        assert_int_equal(iar1(f, pe), 50);
        eoi1(f, pe, 50);
        assert_int_equal(next_event(f, &from, GICSIM_GEV_ACK, 50)->pe, pe);
        assert_int_equal(next_event(f, &from, GICSIM_GEV_PRIO_DROP, 50)->pe, pe);
        assert_int_equal(next_event(f, &from, GICSIM_GEV_DEACTIVATE, 50)->pe, pe);
        at = from;
    }
    /* Fixed routing: IROUTER naming PE 2 (Aff0 = 2). */
    assert_int_equal(gicsim_gicd_write(f->g, GICSIM_GICD_IROUTER + 8 * 50, 8, 2), GICSIM_OK);
    gicsim_gic_pulse(f->g, 0, 50);
    settle(f);
    assert_int_equal(next_event(f, &at, GICSIM_GEV_RAISE, 50)->pe, 2);
    assert_int_equal(next_event(f, &at, GICSIM_GEV_SIGNAL, 50)->pe, 2);
    assert_int_equal(iar1(f, 2), 50);
}

/* ---- random workload: accounting invariant and determinism ----------------------------- */

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

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
    return (uint32_t)(xorshift64(s) % n);
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
            spi_edge(f, id);
        spi_enable(f, id);
        assert_int_equal(
            gicsim_gicd_write(f->g, GICSIM_GICD_IPRIORITYR + id, 1, (uint8_t)(0x20 + 0x18 * i)),
            GICSIM_OK);
        /* The last SPI is 1-of-N, the others go to PE i % NPE. */
        uint64_t route = i == NSPI - 1 ? GICSIM_GICD_IROUTER_IRM : i % NPE;
        assert_int_equal(gicsim_gicd_write(f->g, GICSIM_GICD_IROUTER + 8 * id, 8, route),
                         GICSIM_OK);
    }
    for (uint32_t pe = 0; pe < NPE; pe++) {
        gicr_wr(f, pe, GICSIM_GICR_ISENABLER0, 0xFFFF0000u);
        gicr_wr(f, pe, GICSIM_GICR_ICFGR1, 2u << (2 * (23 - 16))); /* PPI 23 edge */
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
            gicd_wr(f, SPI_WORD(rnd(&s, 2) ? GICSIM_GICD_ISPENDR : GICSIM_GICD_ICPENDR, spi),
                    SPI_BIT(spi));
            break;
        case 5: {
            uint32_t id = rnd(&s, 2) ? ppi : sgi;
            gicr_wr(f, pe, rnd(&s, 2) ? GICSIM_GICR_ISPENDR0 : GICSIM_GICR_ICPENDR0, 1u << id);
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
            uint32_t id = iar1(f, pe);
            if (id != SPURIOUS) {
                assert_true(act[pe].n < 64);
                act[pe].v[act[pe].n++] = id;
            }
            break;
        }
        case 9:
            if (act[pe].n)
                eoi1(f, pe, act[pe].v[--act[pe].n]);
            break;
        default:
            gicsim_engine_run_for(f->e, GICSIM_PS(rnd(&s, 60000)));
            break;
        }
        assert_accounting(f);
    }
    /* Drain: lines low, pending state cleared, everything deactivated. */
    for (unsigned i = 0; i < NSPI; i++)
        gicsim_gic_set_line(f->g, 0, spi_ids[i], false);
    for (uint32_t pe = 0; pe < NPE; pe++) {
        for (unsigned i = 0; i < NPPI; i++)
            gicsim_gic_set_line(f->g, pe, ppi_ids[i], false);
        while (act[pe].n)
            eoi1(f, pe, act[pe].v[--act[pe].n]);
    }
    settle(f);
    for (uint32_t pe = 0; pe < NPE; pe++) {
        gicr_wr(f, pe, GICSIM_GICR_ICPENDR0, 0xFFFFFFFFu);
        assert_int_equal(gicr_rd(f, pe, GICSIM_GICR_ISACTIVER0), 0);
    }
    for (uint32_t w = 1; w < 4; w++) {
        gicd_wr(f, GICSIM_GICD_ICPENDR + 4 * w, 0xFFFFFFFFu);
        assert_int_equal(gicd_rd(f, GICSIM_GICD_ISACTIVER + 4 * w), 0);
    }
    settle(f);
    gicsim_gic_stats st = stats(f);
    assert_int_equal(st.pending_now, 0);
    assert_int_equal(st.raised, st.acknowledged + st.withdrawn);
    assert_int_equal(st.acknowledged, st.deactivations);
    assert_int_equal(st.acknowledged, st.priority_drops);
    for (uint32_t pe = 0; pe < NPE; pe++) {
        assert_false(gicsim_gic_irq_line(f->g, pe));
        assert_int_equal(iar1(f, pe), SPURIOUS);
    }
    /* The observer saw exactly the counted transitions. */
    size_t by_kind[GICSIM_GEV__COUNT] = {0};
    for (size_t i = 0; i < f->log.n; i++)
        by_kind[f->log.v[i].kind]++;
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
        fx a, b;
        fx_init(&a);
        fx_init(&b);
        random_workload(&a, seeds[k], 20000);
        random_workload(&b, seeds[k], 20000);
        /* The workload exercised every path. */
        gicsim_gic_stats sa = stats(&a), sb = stats(&b);
        assert_true(sa.acknowledged > 500);
        assert_true(sa.merged > 100);
        assert_true(sa.withdrawn > 100);
        assert_true(sa.sgis_dropped > 100);
        assert_true(sa.signals > 500);
        assert_int_equal(memcmp(&sa, &sb, sizeof sa), 0);
        assert_int_equal(a.log.n, b.log.n);
        for (size_t i = 0; i < a.log.n; i++) {
            assert_int_equal(a.log.v[i].time, b.log.v[i].time);
            assert_int_equal(a.log.v[i].kind, b.log.v[i].kind);
            assert_int_equal(a.log.v[i].pe, b.log.v[i].pe);
            assert_int_equal(a.log.v[i].intid, b.log.v[i].intid);
        }
        assert_int_equal(gicsim_engine_now(a.e), gicsim_engine_now(b.e));
        fx_fini(&a);
        fx_fini(&b);
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
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
