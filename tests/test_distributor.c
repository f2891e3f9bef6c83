/* gicsim: tests of the Distributor (GICD register frame, SPI state, routing). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"

#include <stdlib.h>

/* ---- fixture and helpers ---- */

typedef struct obs_log {
    unsigned count[GICSIM_GEV__COUNT][1024];
    uint32_t last_pe[GICSIM_GEV__COUNT][1024];
} obs_log;

static void obs_fn(void *ctx, const gicsim_gic_event *ev)
{
    obs_log *o = ctx;
    assert_true(ev->intid < 1024);
    o->count[ev->kind][ev->intid]++;
    o->last_pe[ev->kind][ev->intid] = ev->pe;
}

typedef struct fx {
    gicsim_engine *e;
    gicsim_gic *g;
    obs_log obs;
} fx;

static fx *fx_new(const gicsim_gic_config *cfg, bool os_init)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tf_gic_open(&f->e, &f->g, cfg, os_init, obs_fn, &f->obs);
    return f;
}

static void fx_free(fx *f)
{
    tf_gic_free(f->e, f->g);
    free(f);
}

static void spi_route(gicsim_gic *g, uint32_t intid, uint64_t irouter)
{
    tf_gicd_wr(g, GICSIM_GICD_IROUTER + 8u * intid, 8, irouter);
}

/* The only PE whose IRQ output is high; fails if none or several. */
static uint32_t only_irq_pe(gicsim_gic *g)
{
    uint32_t found = UINT32_MAX;
    for (uint32_t pe = 0; pe < gicsim_gic_num_pes(g); pe++) {
        if (gicsim_gic_irq_line(g, pe)) {
            assert_int_equal(found, UINT32_MAX);
            found = pe;
        }
    }
    assert_int_not_equal(found, UINT32_MAX);
    return found;
}

static bool any_line(gicsim_gic *g)
{
    for (uint32_t pe = 0; pe < gicsim_gic_num_pes(g); pe++)
        if (gicsim_gic_irq_line(g, pe) || gicsim_gic_fiq_line(g, pe))
            return true;
    return false;
}

/* ---- GICD_TYPER ---- */

static uint32_t typer_for(uint32_t num_spis, uint32_t num_pes, bool ds, bool one_of_n)
{
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_spis = num_spis;
    cfg.num_pes = num_pes;
    cfg.security_disabled = ds;
    cfg.one_of_n = one_of_n;
    fx *f = fx_new(&cfg, false);
    uint32_t v = (uint32_t)tf_gicd_rd(f->g, GICSIM_GICD_TYPER, 4);
    fx_free(f);
    return v;
}

static void test_typer_itlines(void **state)
{
    (void)state;
    /* ITLinesNumber = N where the maximum SPI INTID is 32(N+1)-1; 31 means
     * INTIDs up to 1019. */
    const struct {
        uint32_t spis, lines;
    } cases[] = {{0, 0},  {1, 1},   {32, 1},   {33, 2},   {64, 2},
                 {96, 3}, {100, 4}, {960, 30}, {961, 31}, {988, 31}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t v = typer_for(cases[i].spis, 4, true, true);
        assert_int_equal(v & 0x1Fu, cases[i].lines);
    }
}

static void test_typer_fields(void **state)
{
    (void)state;
    /* Default: 96 SPIs, 4 PEs, DS=1, 1-of-N supported. */
    uint32_t v = typer_for(96, 4, true, true);
    assert_int_equal(v & 0x1Fu, 3);          /* ITLinesNumber */
    assert_int_equal((v >> 5) & 7u, 3);      /* CPUNumber = PEs - 1 */
    assert_int_equal((v >> 10) & 1u, 0);     /* SecurityExtn: RAZ with DS=1 */
    assert_int_equal((v >> 16) & 1u, 1);     /* MBIS: SETSPI/CLRSPI implemented */
    assert_int_equal((v >> 17) & 1u, 1);     /* LPIS */
    assert_int_equal((v >> 19) & 0x1Fu, 15); /* IDbits: lpi_id_bits (default 16) - 1 */
    assert_int_equal((v >> 25) & 1u, 0);     /* No1N: 1-of-N supported */
    assert_int_equal(v, 0x007B0063u);

    v = typer_for(96, 4, true, false);
    assert_int_equal((v >> 25) & 1u, 1); /* No1N */
    v = typer_for(96, 4, false, true);
    assert_int_equal((v >> 10) & 1u, 1); /* SecurityExtn with DS=0 */
    v = typer_for(96, 16, true, true);
    assert_int_equal((v >> 5) & 7u, 7); /* CPUNumber saturates at 7 */
    v = typer_for(96, 1, true, true);
    assert_int_equal((v >> 5) & 7u, 0);
}

/* ---- GICD_CTLR ---- */

static void test_ctlr_ds1(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, false);
    gicsim_gic *g = f->g;
    /* Reset: groups disabled, ARE RAO, DS=1 from the configuration. */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4),
                     GICSIM_GICD_CTLR_ARE | GICSIM_GICD_CTLR_DS);
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP0 | GICSIM_GICD_CTLR_ENABLE_GRP1);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x53u);
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP1);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x52u);
    /* ARE is RAO/WI, DS stays, bit 2 does not exist with DS=1, RWP reads 0. */
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, 0);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x50u);
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x53u);
    fx_free(f);
}

static void test_ctlr_ds0(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.security_disabled = false;
    fx *f = fx_new(&cfg, false);
    gicsim_gic *g = f->g;
    /* Secure view: ARE_S and ARE_NS RAO, DS=0. */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x30u);
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, 0x7u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x37u);
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP1S);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x34u);
    /* DS is fixed by the configuration. */
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_DS);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x30u);
    fx_free(f);
}

/* ---- Per-SPI registers ---- */

static void test_enable_regs(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    /* os_init left every SPI disabled. */
    for (uint32_t n = 1; n <= 3; n++) {
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 4 * n, 4), 0);
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICENABLER + 4 * n, 4), 0);
    }
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4, 4, 0x80000005u); /* INTIDs 32, 34, 63 */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 4, 4), 0x80000005u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICENABLER + 4, 4), 0x80000005u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 8, 4), 0); /* other register untouched */
    /* Zero bits have no effect on either register. */
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4, 4, 0);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 4, 4), 0x80000005u);
    tf_gicd_wr(g, GICSIM_GICD_ICENABLER + 4, 4, 0x00000001u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 4, 4), 0x80000004u);
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 12, 4, 0xFFFFFFFFu); /* INTIDs 96..127 */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 12, 4), 0xFFFFFFFFu);
    tf_gicd_wr(g, GICSIM_GICD_ICENABLER + 12, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 12, 4), 0);

    /* Behaviour: a pending SPI is forwarded only while enabled. */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 8); /* INTID 40 */
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 0));
    tf_spi_enable(g, 40);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_gicd_wr(g, GICSIM_GICD_ICENABLER + 4, 4, 1u << 8);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_irq_state(g, 0, 40), GICSIM_IRQ_PENDING);
    fx_free(f);
}

static void test_pending_regs(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    tf_spi_set_edge(g, 41, true);
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, (1u << 9) | (1u << 10)); /* 41 edge, 42 level */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISPENDR + 4, 4), (1u << 9) | (1u << 10));
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICPENDR + 4, 4), (1u << 9) | (1u << 10));
    assert_int_equal(tf_irq_state(g, 0, 41), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(g, 0, 42), GICSIM_IRQ_PENDING);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raised - s0.raised, 2);
    assert_int_equal(s1.pending_now - s0.pending_now, 2);
    /* ICPENDR clears the software pend of both. */
    tf_gicd_wr(g, GICSIM_GICD_ICPENDR + 4, 4, (1u << 9) | (1u << 10));
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISPENDR + 4, 4), 0);
    assert_int_equal(tf_irq_state(g, 0, 41), GICSIM_IRQ_INACTIVE);
    gicsim_gic_stats s2 = tf_gic_stats(g);
    assert_int_equal(s2.withdrawn - s1.withdrawn, 2);
    assert_int_equal(s2.pending_now, s0.pending_now);
    /* A level SPI whose line is high stays pending through ICPENDR. */
    assert_int_equal(gicsim_gic_set_line(g, 0, 42, true), GICSIM_OK);
    tf_gicd_wr(g, GICSIM_GICD_ICPENDR + 4, 4, 1u << 10);
    assert_int_equal(tf_irq_state(g, 0, 42), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISPENDR + 4, 4), 1u << 10);
    assert_int_equal(gicsim_gic_set_line(g, 0, 42, false), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 0, 42), GICSIM_IRQ_INACTIVE);
    /* ISPENDR on an already pending SPI is a merge, not a new instance. */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 9);
    gicsim_gic_stats s3 = tf_gic_stats(g);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 9);
    gicsim_gic_stats s4 = tf_gic_stats(g);
    assert_int_equal(s4.raised, s3.raised);
    assert_int_equal(s4.merged - s3.merged, 1);
    /* Writing zeros has no effect. */
    tf_gicd_wr(g, GICSIM_GICD_ICPENDR + 4, 4, 0);
    assert_int_equal(tf_irq_state(g, 0, 41), GICSIM_IRQ_PENDING);
    /* ISPENDR sets pending and an enabled SPI is then delivered. */
    tf_spi_enable(g, 41);
    tf_settle(f->e);
    tf_ack_eoi1(g, 0, 41);
    assert_int_equal(tf_irq_state(g, 0, 41), GICSIM_IRQ_INACTIVE);
    fx_free(f);
}

static void test_active_regs(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    tf_gicd_wr(g, GICSIM_GICD_ISACTIVER + 8, 4, (1u << 0) | (1u << 31)); /* INTIDs 64, 95 */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISACTIVER + 8, 4), 0x80000001u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICACTIVER + 8, 4), 0x80000001u);
    assert_int_equal(tf_irq_state(g, 0, 64), GICSIM_IRQ_ACTIVE);
    assert_int_equal(tf_irq_state(g, 0, 95), GICSIM_IRQ_ACTIVE);
    /* An active SPI is not forwarded even when pending and enabled. */
    tf_spi_enable(g, 64);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 8, 4, 1u);
    assert_int_equal(tf_irq_state(g, 0, 64), GICSIM_IRQ_ACTIVE_PENDING);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 0));
    /* ICACTIVER deactivates: the pending one is then forwarded. */
    tf_gicd_wr(g, GICSIM_GICD_ICACTIVER + 8, 4, 1u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISACTIVER + 8, 4), 0x80000000u);
    assert_int_equal(tf_irq_state(g, 0, 64), GICSIM_IRQ_PENDING);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_ack_eoi1(g, 0, 64);
    tf_gicd_wr(g, GICSIM_GICD_ICACTIVER + 8, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISACTIVER + 8, 4), 0);
    fx_free(f);
}

static void test_igroupr(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, false);
    gicsim_gic *g = f->g;
    /* Reset: Group 0. */
    for (uint32_t n = 1; n <= 3; n++)
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IGROUPR + 4 * n, 4), 0);
    gicsim_gic_os_init(g);
    for (uint32_t n = 1; n <= 3; n++)
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IGROUPR + 4 * n, 4), 0xFFFFFFFFu);
    tf_gicd_wr(g, GICSIM_GICD_IGROUPR + 4, 4, 0xFFFFFEFFu); /* INTID 40 -> Group 0 */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IGROUPR + 4, 4), 0xFFFFFEFFu);

    /* Group 0 is signalled as FIQ and acknowledged through IAR0 (DS=1). */
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP0 | GICSIM_GICD_CTLR_ENABLE_GRP1);
    tf_icc_wr(g, 0, GICSIM_ICC_IGRPEN0, 1);
    tf_spi_enable(g, 40);
    tf_spi_enable(g, 41);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 8);
    tf_settle(f->e);
    assert_true(gicsim_gic_fiq_line(g, 0));
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR0), 40);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR0, 40);
    /* INTID 41 is Group 1: IRQ, IAR1. */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 9);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_false(gicsim_gic_fiq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR0), GICSIM_INTID_SPURIOUS);
    tf_ack_eoi1(g, 0, 41);
    fx_free(f);
}

static void test_ipriorityr(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, false);
    gicsim_gic *g = f->g;
    /* Reset priority 0. */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 40, 4), 0);
    /* Byte access; 5 implemented bits: the low 3 bits are RAZ/WI. */
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 40, 1, 0xFF);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 40, 1), 0xF8);
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 41, 1, 0x47);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 41, 1), 0x40);
    /* Word access covers four INTIDs, little-endian by INTID. */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 40, 4), 0x000040F8u);
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 44, 4, 0x17273747u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 44, 4), 0x10203040u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 44, 1), 0x40);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 45, 1), 0x30);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 46, 1), 0x20);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 47, 1), 0x10);
    /* A byte write touches only its INTID. */
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 46, 1, 0x88);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 44, 4), 0x10883040u);
    /* The last implemented SPI (127). */
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 127, 1, 0xA0);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 124, 4), 0xA0000000u);
    fx_free(f);

    /* 8 and 4 implemented bits. */
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.priority_bits = 8;
    f = fx_new(&cfg, false);
    tf_gicd_wr(f->g, GICSIM_GICD_IPRIORITYR + 32, 1, 0xFF);
    assert_int_equal(tf_gicd_rd(f->g, GICSIM_GICD_IPRIORITYR + 32, 1), 0xFF);
    fx_free(f);
    cfg.priority_bits = 4;
    f = fx_new(&cfg, false);
    tf_gicd_wr(f->g, GICSIM_GICD_IPRIORITYR + 32, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicd_rd(f->g, GICSIM_GICD_IPRIORITYR + 32, 4), 0xF0F0F0F0u);
    fx_free(f);
}

static void test_icfgr(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    /* os_init: all level-sensitive. ICFGR2 holds INTIDs 32..47. */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICFGR + 8, 4), 0);
    tf_gicd_wr(g, GICSIM_GICD_ICFGR + 8, 4, 0xAAAAAAAAu);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICFGR + 8, 4), 0xAAAAAAAAu);
    /* Int_config[0] is RES0. */
    tf_gicd_wr(g, GICSIM_GICD_ICFGR + 8, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICFGR + 8, 4), 0xAAAAAAAAu);
    tf_gicd_wr(g, GICSIM_GICD_ICFGR + 8, 4, 0x00000008u); /* INTID 33 edge, others level */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICFGR + 8, 4), 0x00000008u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ICFGR + 12, 4), 0); /* INTIDs 48..63 untouched */

    /* Edge: a pulse latches pending. Level: pending only while the line is high. */
    tf_spi_enable(g, 33);
    tf_spi_enable(g, 34);
    assert_int_equal(gicsim_gic_pulse(g, 0, 33), GICSIM_OK);
    assert_int_equal(gicsim_gic_pulse(g, 0, 34), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 0, 33), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(g, 0, 34), GICSIM_IRQ_INACTIVE);
    assert_int_equal(gicsim_gic_set_line(g, 0, 34, true), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 0, 34), GICSIM_IRQ_PENDING);
    tf_settle(f->e);
    /* Level with the line high: acknowledge gives active+pending. */
    tf_ack_eoi1(g, 0, 33);
    assert_int_equal(tf_irq_state(g, 0, 33), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 34);
    assert_int_equal(tf_irq_state(g, 0, 34), GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(gicsim_gic_set_line(g, 0, 34, false), GICSIM_OK);
    assert_int_equal(tf_irq_state(g, 0, 34), GICSIM_IRQ_ACTIVE);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 34);
    assert_int_equal(tf_irq_state(g, 0, 34), GICSIM_IRQ_INACTIVE);
    fx_free(f);
}

/* ---- IGRPMODR ---- */

static void test_igrpmodr_ds1_raz_wi(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    tf_gicd_wr(g, GICSIM_GICD_IGROUPR + 4, 4, 0xFFFFFEFFu); /* INTID 40 -> Group 0 */
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicd_wr(g, GICSIM_GICD_IGRPMODR + 4, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IGRPMODR + 4, 4), 0);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
    assert_int_equal(s1.raz_wi_reads - s0.raz_wi_reads, 1);
    /* The write had no effect on grouping: INTID 40 is still Group 0 (FIQ). */
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP0 | GICSIM_GICD_CTLR_ENABLE_GRP1);
    tf_icc_wr(g, 0, GICSIM_ICC_IGRPEN0, 1);
    tf_spi_enable(g, 40);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 8);
    tf_settle(f->e);
    assert_true(gicsim_gic_fiq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR0), 40);
    fx_free(f);
}

static void test_igrpmodr_ds0(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.security_disabled = false;
    fx *f = fx_new(&cfg, true);
    gicsim_gic *g = f->g;
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4,
               GICSIM_GICD_CTLR_ENABLE_GRP0 | GICSIM_GICD_CTLR_ENABLE_GRP1NS |
                   GICSIM_GICD_CTLR_ENABLE_GRP1S);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x37u);
    tf_icc_wr(g, 0, GICSIM_ICC_IGRPEN0, 1);
    /* Functional: read back. INTID 40: G1S (IGROUPR 0, IGRPMODR 1);
     * 41: G0 (0, 0); 42: G1NS (1, 0). */
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicd_wr(g, GICSIM_GICD_IGROUPR + 4, 4, 0xFFFFFCFFu);
    tf_gicd_wr(g, GICSIM_GICD_IGRPMODR + 4, 4, 1u << 8);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IGRPMODR + 4, 4), 1u << 8);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IGROUPR + 4, 4), 0xFFFFFCFFu);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_reads, s0.raz_wi_reads);
    assert_int_equal(s1.raz_wi_writes, s0.raz_wi_writes);
    tf_spi_enable(g, 40);
    tf_spi_enable(g, 41);
    tf_spi_enable(g, 42);

    /* G1S: never forwarded to the (Non-secure) PE; it stays pending. */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 8);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_false(gicsim_gic_fiq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR0), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR0), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_irq_state(g, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(f->obs.count[GICSIM_GEV_SIGNAL][40], 0);

    /* G0: FIQ, IAR0. */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 9);
    tf_settle(f->e);
    assert_true(gicsim_gic_fiq_line(g, 0));
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR0), 41);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR0, 41);
    tf_settle(f->e);
    assert_false(gicsim_gic_fiq_line(g, 0));

    /* G1NS: IRQ, IAR1. */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 10);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_false(gicsim_gic_fiq_line(g, 0));
    tf_ack_eoi1(g, 0, 42);
    tf_settle(f->e);
    assert_false(any_line(g));
    assert_int_equal(tf_irq_state(g, 0, 40), GICSIM_IRQ_PENDING);

    /* Moving INTID 40 to G1NS through IGRPMODR/IGROUPR makes it deliverable. */
    tf_gicd_wr(g, GICSIM_GICD_IGRPMODR + 4, 4, 0);
    tf_gicd_wr(g, GICSIM_GICD_IGROUPR + 4, 4, 0xFFFFFFFFu);
    tf_settle(f->e);
    tf_ack_eoi1(g, 0, 40);
    fx_free(f);
}

/* ---- RAZ/WI accounting ---- */

/* Exactly one RAZ read and one WI write; the read gives 0. */
static void expect_raz_wi(gicsim_gic *g, uint32_t off, unsigned size)
{
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicd_wr(g, off, size, size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
    assert_int_equal(s1.raz_wi_reads, s0.raz_wi_reads);
    assert_int_equal(tf_gicd_rd(g, off, size), 0);
    gicsim_gic_stats s2 = tf_gic_stats(g);
    assert_int_equal(s2.raz_wi_reads - s1.raz_wi_reads, 1);
    assert_int_equal(s2.raz_wi_writes, s1.raz_wi_writes);
    assert_int_equal(s2.raised, s0.raised);
}

static void test_banked_intids_raz_wi(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    /* With ARE=1 the GICD entries for INTIDs 0..31 are RAZ/WI. */
    const uint32_t bases[] = {GICSIM_GICD_IGROUPR,   GICSIM_GICD_ISENABLER, GICSIM_GICD_ICENABLER,
                              GICSIM_GICD_ISPENDR,   GICSIM_GICD_ICPENDR,   GICSIM_GICD_ISACTIVER,
                              GICSIM_GICD_ICACTIVER, GICSIM_GICD_IGRPMODR};
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
        expect_raz_wi(g, bases[i], 4);
    for (uint32_t o = 0; o < 32; o += 4)
        expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + o, 4);
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 27, 1);
    expect_raz_wi(g, GICSIM_GICD_ICFGR, 4);
    expect_raz_wi(g, GICSIM_GICD_ICFGR + 4, 4);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 0, 8);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 31, 8);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 31 + 4, 4);
    /* The banked state in the redistributors is untouched. */
    for (uint32_t pe = 0; pe < 4; pe++) {
        uint64_t v = 0;
        assert_int_equal(gicsim_gicr_read(g, pe, GICSIM_GICR_ISENABLER0, 4, &v), GICSIM_OK);
        assert_int_equal(v, 0x0000FFFFu);
        assert_int_equal(gicsim_gicr_read(g, pe, GICSIM_GICR_ISPENDR0, 4, &v), GICSIM_OK);
        assert_int_equal(v, 0);
        assert_int_equal(gicsim_gicr_read(g, pe, GICSIM_GICR_IPRIORITYR + 24, 4, &v), GICSIM_OK);
        assert_int_equal(v, 0xA0A0A0A0u);
    }
    tf_settle(f->e);
    assert_false(any_line(g));
    fx_free(f);
}

static void test_out_of_range_spis_raz_wi(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true); /* 96 SPIs: INTIDs 32..127 */
    gicsim_gic *g = f->g;
    expect_raz_wi(g, GICSIM_GICD_ISENABLER + 16, 4); /* INTIDs 128..159 */
    expect_raz_wi(g, GICSIM_GICD_ISPENDR + 16, 4);
    expect_raz_wi(g, GICSIM_GICD_IGROUPR + 124, 4); /* INTIDs 992..1023 */
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 128, 4);
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 1019, 1);
    expect_raz_wi(g, GICSIM_GICD_ICFGR + 128 / 4, 4);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 128, 8);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 1019, 8);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 1023 + 4, 4);
    /* The last implemented SPI is not RAZ. */
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 127, 1, 0x10);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 127, 1), 0x10);
    fx_free(f);

    /* 40 SPIs (INTIDs 32..71): ISENABLER2 covers 64..95 and is partly
     * implemented: its bits for 72..95 read as zero; it is not RAZ as a whole. */
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_spis = 40;
    f = fx_new(&cfg, true);
    g = f->g;
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 8, 4, 0xFFFFFFFFu);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 8, 4), 0x000000FFu);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_reads, s0.raz_wi_reads);
    assert_int_equal(s1.raz_wi_writes, s0.raz_wi_writes);
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 72, 1);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 72, 8);
    assert_int_equal(gicsim_gic_set_line(g, 0, 72, true), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gic_set_line(g, 0, 71, true), GICSIM_OK);
    fx_free(f);
}

static void test_reserved_width_alignment_raz_wi(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    /* Reserved and (with ARE=1 / DS=1) RAZ/WI offsets. */
    expect_raz_wi(g, 0x0014, 4);
    expect_raz_wi(g, 0x0050, 4);
    expect_raz_wi(g, 0x0078, 4);
    expect_raz_wi(g, GICSIM_GICD_ITARGETSR + 32, 4);
    expect_raz_wi(g, GICSIM_GICD_NSACR + 8, 4);
    expect_raz_wi(g, GICSIM_GICD_SGIR, 4);
    expect_raz_wi(g, 0x0D80, 4);
    expect_raz_wi(g, 0x1000, 4);
    expect_raz_wi(g, 0x8000, 8);
    expect_raz_wi(g, 0xFFFC, 4);
    expect_raz_wi(g, 0x10000, 4); /* beyond the 64 KiB frame */
    /* Wrong widths. */
    expect_raz_wi(g, GICSIM_GICD_ISENABLER + 4, 1);
    expect_raz_wi(g, GICSIM_GICD_ISENABLER + 4, 2);
    expect_raz_wi(g, GICSIM_GICD_ISENABLER + 8, 8);
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 40, 2);
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 40, 8);
    expect_raz_wi(g, GICSIM_GICD_ICFGR + 8, 1);
    expect_raz_wi(g, GICSIM_GICD_ICFGR + 8, 2);
    expect_raz_wi(g, GICSIM_GICD_IGROUPR + 4, 2);
    expect_raz_wi(g, GICSIM_GICD_CTLR, 1);
    expect_raz_wi(g, GICSIM_GICD_CTLR, 2);
    expect_raz_wi(g, GICSIM_GICD_CTLR, 8);
    expect_raz_wi(g, GICSIM_GICD_TYPER, 2);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 40, 1);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 40, 2);
    /* Unaligned. */
    expect_raz_wi(g, GICSIM_GICD_ISENABLER + 6, 4);
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 41, 4);
    expect_raz_wi(g, GICSIM_GICD_IPRIORITYR + 41, 2);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 40 + 4, 8);
    expect_raz_wi(g, GICSIM_GICD_IROUTER + 8 * 40 + 2, 4);
    expect_raz_wi(g, GICSIM_GICD_CTLR + 1, 4);
    /* None of the above changed SPI state: ISENABLER1 and IROUTER<40> as os_init left them. */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_ISENABLER + 4, 4), 0);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IROUTER + 8 * 40, 8), 0);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IPRIORITYR + 40, 4), 0xA0A0A0A0u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x52u);

    /* Writes to read-only registers are ignored and counted. */
    const uint32_t ro[] = {GICSIM_GICD_TYPER, GICSIM_GICD_IIDR, GICSIM_GICD_PIDR2};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        uint64_t before = tf_gicd_rd(g, ro[i], 4);
        gicsim_gic_stats s0 = tf_gic_stats(g);
        tf_gicd_wr(g, ro[i], 4, ~before & 0xFFFFFFFFu);
        gicsim_gic_stats s1 = tf_gic_stats(g);
        assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
        assert_int_equal(tf_gicd_rd(g, ro[i], 4), before);
    }

    /* Sizes other than 1, 2, 4, 8 are argument errors, not RAZ/WI. */
    gicsim_gic_stats s0 = tf_gic_stats(g);
    uint64_t v = 0;
    assert_int_equal(gicsim_gicd_read(g, GICSIM_GICD_CTLR, 3, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_CTLR, 3, 0), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicd_read(g, GICSIM_GICD_CTLR, 0, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_CTLR, 16, 0), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicd_read(g, GICSIM_GICD_CTLR, 4, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicd_read(NULL, GICSIM_GICD_CTLR, 4, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicd_write(NULL, GICSIM_GICD_CTLR, 4, 0), GICSIM_E_INVAL);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raz_wi_reads, s0.raz_wi_reads);
    assert_int_equal(s1.raz_wi_writes, s0.raz_wi_writes);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4), 0x52u);
    fx_free(f);
}

/* ---- IROUTER and routing ---- */

static void test_irouter_access(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, false);
    gicsim_gic *g = f->g;
    const uint32_t r40 = GICSIM_GICD_IROUTER + 8 * 40;
    assert_int_equal(tf_gicd_rd(g, r40, 8), 0); /* reset */
    tf_gicd_wr(g, r40, 8, 2);
    assert_int_equal(tf_gicd_rd(g, r40, 8), 2);
    /* 32-bit halves. */
    tf_gicd_wr(g, r40, 4, 0x00010203u);
    tf_gicd_wr(g, r40 + 4, 4, 0x00000005u);
    assert_int_equal(tf_gicd_rd(g, r40, 8), 0x0000000500010203ull);
    assert_int_equal(tf_gicd_rd(g, r40, 4), 0x00010203u);
    assert_int_equal(tf_gicd_rd(g, r40 + 4, 4), 0x00000005u);
    /* Writing one half keeps the other. */
    tf_gicd_wr(g, r40, 4, 0x00000001u);
    assert_int_equal(tf_gicd_rd(g, r40, 8), 0x0000000500000001ull);
    tf_gicd_wr(g, r40 + 4, 4, 0);
    assert_int_equal(tf_gicd_rd(g, r40, 8), 1);
    /* RES0 bits read as zero; IRM (bit 31) exists with 1-of-N support. */
    tf_gicd_wr(g, r40, 8, ~0ull);
    assert_int_equal(tf_gicd_rd(g, r40, 8), 0x000000FF80FFFFFFull);
    assert_int_equal(tf_gicd_rd(g, r40, 4), 0x80FFFFFFu);
    assert_int_equal(tf_gicd_rd(g, r40 + 4, 4), 0xFFu);
    /* Another SPI's register is independent. */
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IROUTER + 8 * 41, 8), 0);
    fx_free(f);
}

static void test_route_to_pe2(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    uint64_t aff2 = gicsim_gic_pe_affinity(g, 2);
    assert_int_equal(aff2, 2);
    spi_route(g, 50, aff2);
    tf_spi_set_edge(g, 50, true);
    tf_spi_enable(g, 50);
    assert_int_equal(gicsim_gic_pulse(g, 0, 50), GICSIM_OK);
    tf_settle(f->e);
    assert_int_equal(only_irq_pe(g), 2);
    assert_int_equal(f->obs.last_pe[GICSIM_GEV_SIGNAL][50], 2);
    for (uint32_t pe = 0; pe < 4; pe++)
        if (pe != 2)
            assert_int_equal(tf_icc_rd(g, pe, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    tf_ack_eoi1(g, 2, 50);
    assert_int_equal(f->obs.count[GICSIM_GEV_ACK][50], 1);
    assert_int_equal(f->obs.last_pe[GICSIM_GEV_ACK][50], 2);
    tf_settle(f->e);
    assert_false(any_line(g));

    /* Re-routing a pending SPI moves it. */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << (50 - 32));
    tf_settle(f->e);
    assert_int_equal(only_irq_pe(g), 2);
    spi_route(g, 50, gicsim_gic_pe_affinity(g, 3));
    tf_settle(f->e);
    assert_int_equal(only_irq_pe(g), 3);
    assert_int_equal(tf_icc_rd(g, 2, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    tf_ack_eoi1(g, 3, 50);
    assert_int_equal(f->obs.count[GICSIM_GEV_ACK][50], 2);
    fx_free(f);
}

static void test_route_to_no_pe(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    /* Affinities that name no PE of 4 (one cluster, Aff0 0..3). */
    const uint64_t bad[] = {0x7, 0x100, 0x10000, 0x0100000000ull};
    tf_spi_set_edge(g, 60, true);
    tf_spi_enable(g, 60);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spi_route(g, 60, bad[i]);
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IROUTER + 8 * 60, 8), bad[i]);
        assert_int_equal(gicsim_gic_pulse(g, 0, 60), GICSIM_OK);
        gicsim_engine_run_for(f->e, GICSIM_US(10));
        assert_int_equal(tf_irq_state(g, 0, 60), GICSIM_IRQ_PENDING);
        assert_false(any_line(g));
        for (uint32_t pe = 0; pe < 4; pe++)
            assert_int_equal(tf_icc_rd(g, pe, GICSIM_ICC_HPPIR1), GICSIM_INTID_SPURIOUS);
    }
    assert_int_equal(f->obs.count[GICSIM_GEV_SIGNAL][60], 0);
    assert_int_equal(f->obs.count[GICSIM_GEV_RAISE][60], 1);
    assert_int_equal(f->obs.last_pe[GICSIM_GEV_RAISE][60], UINT32_MAX);
    assert_int_equal(tf_gic_stats(g).signals, 0);
    /* Re-routing to an existing PE delivers it. */
    spi_route(g, 60, gicsim_gic_pe_affinity(g, 1));
    tf_settle(f->e);
    assert_int_equal(only_irq_pe(g), 1);
    tf_ack_eoi1(g, 1, 60);
    assert_int_equal(f->obs.count[GICSIM_GEV_ACK][60], 1);
    assert_int_equal(tf_irq_state(g, 0, 60), GICSIM_IRQ_INACTIVE);
    fx_free(f);
}

/* Raise `intid` (edge), find the one PE it reaches, acknowledge and end it there. */
static uint32_t deliver_once(fx *f, uint32_t intid)
{
    gicsim_gic *g = f->g;
    unsigned acks = f->obs.count[GICSIM_GEV_ACK][intid];
    assert_int_equal(gicsim_gic_pulse(g, 0, intid), GICSIM_OK);
    tf_settle(f->e);
    uint32_t pe = only_irq_pe(g);
    for (uint32_t other = 0; other < gicsim_gic_num_pes(g); other++)
        if (other != pe)
            assert_int_equal(tf_icc_rd(g, other, GICSIM_ICC_HPPIR1), GICSIM_INTID_SPURIOUS);
    tf_ack_eoi1(g, pe, intid);
    assert_int_equal(f->obs.count[GICSIM_GEV_ACK][intid], acks + 1);
    assert_int_equal(f->obs.last_pe[GICSIM_GEV_ACK][intid], pe);
    tf_settle(f->e);
    assert_false(any_line(g));
    return pe;
}

static void test_one_of_n_round_robin(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    for (uint32_t intid = 60; intid <= 61; intid++) {
        tf_spi_set_edge(g, intid, true);
        tf_spi_enable(g, intid);
        spi_route(g, intid, GICSIM_GICD_IROUTER_IRM);
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IROUTER + 8 * intid, 8),
                         GICSIM_GICD_IROUTER_IRM);
    }
    /* Successive interrupts go round the PEs, one PE each. */
    uint32_t seen[4] = {0};
    for (uint32_t k = 0; k < 8; k++) {
        uint32_t pe = deliver_once(f, 60);
        assert_int_equal(pe, k % 4);
        seen[pe]++;
    }
    for (uint32_t pe = 0; pe < 4; pe++)
        assert_int_equal(seen[pe], 2);
    /* The cursor is shared by the SPIs: 61 continues the rotation. */
    assert_int_equal(deliver_once(f, 61), 0);
    assert_int_equal(deliver_once(f, 60), 1);
    /* A PE with Group 1 disabled at its CPU interface is skipped. */
    tf_icc_wr(g, 2, GICSIM_ICC_IGRPEN1, 0);
    const uint32_t expect[] = {3, 0, 1, 3, 0, 1};
    for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++)
        assert_int_equal(deliver_once(f, (uint32_t)(60 + k % 2)), expect[k]);
    /* And so is a PE whose redistributor is asleep. */
    assert_int_equal(
        gicsim_gicr_write(g, 0, GICSIM_GICR_WAKER, 4, GICSIM_GICR_WAKER_PROCESSOR_SLEEP),
        GICSIM_OK);
    assert_int_equal(deliver_once(f, 60), 3);
    assert_int_equal(deliver_once(f, 60), 1);
    assert_int_equal(deliver_once(f, 60), 3);
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.raised, s.acknowledged);
    assert_int_equal(s.pending_now, 0);
    fx_free(f);
}

static void test_one_of_n_unsupported(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.one_of_n = false;
    fx *f = fx_new(&cfg, true);
    gicsim_gic *g = f->g;
    /* IRM is RAZ/WI: the affinity fields route the SPI. */
    spi_route(g, 60, GICSIM_GICD_IROUTER_IRM | 2u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IROUTER + 8 * 60, 8), 2);
    tf_gicd_wr(g, GICSIM_GICD_IROUTER + 8 * 60, 4, 0x80000001u);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_IROUTER + 8 * 60, 4), 1);
    tf_spi_set_edge(g, 60, true);
    tf_spi_enable(g, 60);
    for (int k = 0; k < 4; k++)
        assert_int_equal(deliver_once(f, 60), 1);
    fx_free(f);
}

/* ---- SETSPI / CLRSPI ---- */

static void test_setspi_clrspi_edge(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    tf_spi_set_edge(g, 45, true);
    tf_spi_enable(g, 45);
    tf_gicd_wr(g, GICSIM_GICD_SETSPI_NSR, 4, 45);
    assert_int_equal(tf_irq_state(g, 0, 45), GICSIM_IRQ_PENDING);
    assert_int_equal(f->obs.count[GICSIM_GEV_RAISE][45], 1);
    tf_gicd_wr(g, GICSIM_GICD_CLRSPI_NSR, 4, 45);
    assert_int_equal(tf_irq_state(g, 0, 45), GICSIM_IRQ_INACTIVE);
    assert_int_equal(f->obs.count[GICSIM_GEV_WITHDRAW][45], 1);
    tf_settle(f->e);
    assert_false(any_line(g));
    tf_gicd_wr(g, GICSIM_GICD_SETSPI_NSR, 4, 45);
    tf_settle(f->e);
    tf_ack_eoi1(g, 0, 45);
    assert_int_equal(tf_irq_state(g, 0, 45), GICSIM_IRQ_INACTIVE);
    /* Edge: the pending latch is set by the write alone, no line needed, and
     * an SETSPI while active gives active+pending. */
    tf_gicd_wr(g, GICSIM_GICD_SETSPI_NSR, 4, 45);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 45);
    tf_gicd_wr(g, GICSIM_GICD_SETSPI_NSR, 4, 45);
    assert_int_equal(tf_irq_state(g, 0, 45), GICSIM_IRQ_ACTIVE_PENDING);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 45);
    tf_settle(f->e);
    tf_ack_eoi1(g, 0, 45);
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.raised, 4);
    assert_int_equal(s.acknowledged, 3);
    assert_int_equal(s.withdrawn, 1);
    assert_int_equal(s.pending_now, 0);
    fx_free(f);
}

static void test_setspi_clrspi_level(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    tf_spi_enable(g, 46); /* level (os_init) */
    tf_gicd_wr(g, GICSIM_GICD_SETSPI_NSR, 4, 46);
    assert_int_equal(tf_irq_state(g, 0, 46), GICSIM_IRQ_PENDING);
    tf_settle(f->e);
    /* Acknowledged while asserted: active+pending until CLRSPI de-asserts. */
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 46);
    assert_int_equal(tf_irq_state(g, 0, 46), GICSIM_IRQ_ACTIVE_PENDING);
    tf_gicd_wr(g, GICSIM_GICD_CLRSPI_NSR, 4, 46);
    assert_int_equal(tf_irq_state(g, 0, 46), GICSIM_IRQ_ACTIVE);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 46);
    assert_int_equal(tf_irq_state(g, 0, 46), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_false(any_line(g));
    /* Asserted then de-asserted before acknowledge: withdrawn. */
    tf_gicd_wr(g, GICSIM_GICD_SETSPI_NSR, 4, 46);
    tf_gicd_wr(g, GICSIM_GICD_CLRSPI_NSR, 4, 46);
    assert_int_equal(tf_irq_state(g, 0, 46), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_false(any_line(g));
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.acknowledged, 1);
    assert_int_equal(s.withdrawn, 1);
    /* INTIDs that are not implemented SPIs are ignored and counted. */
    const uint32_t bad[] = {0, 27, 31, 128, 1019, 1023};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gicsim_gic_stats s0 = tf_gic_stats(g);
        tf_gicd_wr(g, GICSIM_GICD_SETSPI_NSR, 4, bad[i]);
        tf_gicd_wr(g, GICSIM_GICD_CLRSPI_NSR, 4, bad[i]);
        gicsim_gic_stats s1 = tf_gic_stats(g);
        assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 2);
        assert_int_equal(s1.raised, s0.raised);
    }
    /* The registers are write-only: reads are RAZ. */
    gicsim_gic_stats s0 = tf_gic_stats(g);
    assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_SETSPI_NSR, 4), 0);
    assert_int_equal(tf_gic_stats(g).raz_wi_reads - s0.raz_wi_reads, 1);
    fx_free(f);
}

/* ---- Group enables in GICD_CTLR ---- */

static void test_ctlr_group_enable_gates_forwarding(void **state)
{
    (void)state;
    fx *f = fx_new(NULL, true);
    gicsim_gic *g = f->g;
    tf_spi_enable(g, 40);
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, 0); /* EnableGrp1 off */
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 8);
    gicsim_engine_run_for(f->e, GICSIM_US(10));
    assert_false(any_line(g));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_irq_state(g, 0, 40), GICSIM_IRQ_PENDING);
    assert_int_equal(f->obs.count[GICSIM_GEV_SIGNAL][40], 0);
    /* Turning the group back on forwards it. */
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP1);
    tf_settle(f->e);
    assert_int_equal(only_irq_pe(g), 0);
    assert_int_equal(f->obs.count[GICSIM_GEV_SIGNAL][40], 1);
    /* Turning it off again withdraws the signal (the interrupt stays pending). */
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, 0);
    tf_settle(f->e);
    assert_false(any_line(g));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_irq_state(g, 0, 40), GICSIM_IRQ_PENDING);
    /* Enabling only Group 0 does not forward a Group 1 interrupt. */
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP0);
    tf_icc_wr(g, 0, GICSIM_ICC_IGRPEN0, 1);
    tf_settle(f->e);
    assert_false(any_line(g));
    tf_gicd_wr(g, GICSIM_GICD_CTLR, 4, GICSIM_GICD_CTLR_ENABLE_GRP0 | GICSIM_GICD_CTLR_ENABLE_GRP1);
    tf_settle(f->e);
    tf_ack_eoi1(g, 0, 40);
    fx_free(f);
}

/* ---- Identification ---- */

static void test_pidr2_archrev(void **state)
{
    (void)state;
    const struct {
        gicsim_gic_version v;
        uint32_t rev;
    } cases[] = {{GICSIM_GICV3, 3}, {GICSIM_GICV4_0, 4}, {GICSIM_GICV4_1, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gicsim_gic_config cfg;
        gicsim_gic_config_init(&cfg);
        cfg.version = cases[i].v;
        fx *f = fx_new(&cfg, false);
        uint64_t v = tf_gicd_rd(f->g, GICSIM_GICD_PIDR2, 4);
        assert_int_equal((v >> 4) & 0xFu, cases[i].rev);
        fx_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typer_itlines),
        cmocka_unit_test(test_typer_fields),
        cmocka_unit_test(test_ctlr_ds1),
        cmocka_unit_test(test_ctlr_ds0),
        cmocka_unit_test(test_enable_regs),
        cmocka_unit_test(test_pending_regs),
        cmocka_unit_test(test_active_regs),
        cmocka_unit_test(test_igroupr),
        cmocka_unit_test(test_ipriorityr),
        cmocka_unit_test(test_icfgr),
        cmocka_unit_test(test_igrpmodr_ds1_raz_wi),
        cmocka_unit_test(test_igrpmodr_ds0),
        cmocka_unit_test(test_banked_intids_raz_wi),
        cmocka_unit_test(test_out_of_range_spis_raz_wi),
        cmocka_unit_test(test_reserved_width_alignment_raz_wi),
        cmocka_unit_test(test_irouter_access),
        cmocka_unit_test(test_route_to_pe2),
        cmocka_unit_test(test_route_to_no_pe),
        cmocka_unit_test(test_one_of_n_round_robin),
        cmocka_unit_test(test_one_of_n_unsupported),
        cmocka_unit_test(test_setspi_clrspi_edge),
        cmocka_unit_test(test_setspi_clrspi_level),
        cmocka_unit_test(test_ctlr_group_enable_gates_forwarding),
        cmocka_unit_test(test_pidr2_archrev),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
