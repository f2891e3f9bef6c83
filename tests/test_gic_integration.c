/* gicsim: integration tests of the whole GIC: creation and configuration,
 * affinities, a bare-metal interrupt responder on many PEs, determinism,
 * priority changes in flight, listener and observer tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"

#include <stdlib.h>
#include <string.h>

/* ---- creation and configuration ---- */

static void test_config_defaults(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    memset(&cfg, 0x5A, sizeof cfg);
    gicsim_gic_config_init(&cfg);
    assert_int_equal(cfg.version, GICSIM_GICV3);
    assert_int_equal(cfg.num_pes, 4);
    assert_int_equal(cfg.num_spis, 96);
    assert_int_equal(cfg.priority_bits, 5);
    assert_true(cfg.security_disabled);
    assert_true(cfg.one_of_n);
    assert_int_equal(cfg.pes_per_cluster, 16);
    assert_null(cfg.timing);
    gicsim_gic_config_init(NULL); /* tolerated */

    gicsim_engine *e = NULL;
    gicsim_gic *g = NULL;
    assert_int_equal(gicsim_engine_create(&e), GICSIM_OK);
    assert_int_equal(gicsim_gic_create(e, &cfg, &g), GICSIM_OK);
    assert_ptr_equal(gicsim_gic_engine(g), e);
    assert_int_equal(gicsim_gic_num_pes(g), 4);
    assert_int_equal(gicsim_gic_num_spis(g), 96);
    /* Nothing is pending or signalled after creation. */
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.raised, 0);
    assert_int_equal(s.pending_now, 0);
    for (uint32_t pe = 0; pe < 4; pe++) {
        assert_false(gicsim_gic_irq_line(g, pe));
        assert_false(gicsim_gic_fiq_line(g, pe));
    }
    /* PRIbits in ICC_CTLR reflects priority_bits. */
    assert_int_equal((tf_icc_rd(g, 0, GICSIM_ICC_CTLR) >> 8) & 7u, 4);
    gicsim_gic_destroy(g);
    gicsim_engine_destroy(e);
    assert_null(gicsim_gic_engine(NULL));
    assert_int_equal(gicsim_gic_num_pes(NULL), 0);
    gicsim_gic_destroy(NULL);
}

/* Create with `cfg`, expect `want`; on success destroy. */
static void expect_create(gicsim_engine *e, const gicsim_gic_config *cfg, gicsim_status want)
{
    gicsim_gic *g = NULL;
    assert_int_equal(gicsim_gic_create(e, cfg, &g), want);
    if (want == GICSIM_OK) {
        assert_non_null(g);
        assert_int_equal(gicsim_gic_num_pes(g), cfg->num_pes);
        assert_int_equal(gicsim_gic_num_spis(g), cfg->num_spis);
        gicsim_gic_destroy(g);
    } else {
        assert_null(g);
    }
}

static void test_create_validation(void **state)
{
    (void)state;
    gicsim_engine *e = NULL;
    assert_int_equal(gicsim_engine_create(&e), GICSIM_OK);
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    gicsim_gic *g = NULL;
    assert_int_equal(gicsim_gic_create(NULL, &cfg, &g), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gic_create(e, NULL, &g), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gic_create(e, &cfg, NULL), GICSIM_E_INVAL);
    assert_null(g);

    const struct {
        uint32_t num_pes, num_spis, per_cluster;
        uint8_t prio_bits;
        gicsim_gic_version version;
        gicsim_status want;
    } cases[] = {
        {0, 96, 16, 5, GICSIM_GICV3, GICSIM_E_INVAL},
        {5000, 96, 16, 5, GICSIM_GICV3, GICSIM_E_INVAL},
        {4097, 96, 16, 5, GICSIM_GICV3, GICSIM_E_INVAL},
        {4, 96, 16, 3, GICSIM_GICV3, GICSIM_E_INVAL},
        {4, 96, 16, 9, GICSIM_GICV3, GICSIM_E_INVAL},
        {4, 989, 16, 5, GICSIM_GICV3, GICSIM_E_INVAL},
        {4, 96, 0, 5, GICSIM_GICV3, GICSIM_E_INVAL},
        {4, 96, 17, 5, GICSIM_GICV3, GICSIM_E_INVAL},
        {4, 96, 16, 5, (gicsim_gic_version)35, GICSIM_E_INVAL},
        {4, 96, 16, 5, (gicsim_gic_version)0, GICSIM_E_INVAL},
        /* The limits themselves are valid. */
        {1, 96, 16, 5, GICSIM_GICV3, GICSIM_OK},
        {4096, 96, 16, 5, GICSIM_GICV3, GICSIM_OK},
        {4, 988, 16, 5, GICSIM_GICV3, GICSIM_OK},
        {4, 0, 16, 5, GICSIM_GICV3, GICSIM_OK},
        {4, 96, 16, 4, GICSIM_GICV3, GICSIM_OK},
        {4, 96, 16, 8, GICSIM_GICV3, GICSIM_OK},
        {4, 96, 1, 5, GICSIM_GICV3, GICSIM_OK},
        {4, 96, 16, 5, GICSIM_GICV4_0, GICSIM_OK},
        {4, 96, 16, 5, GICSIM_GICV4_1, GICSIM_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gicsim_gic_config_init(&cfg);
        cfg.num_pes = cases[i].num_pes;
        cfg.num_spis = cases[i].num_spis;
        cfg.pes_per_cluster = cases[i].per_cluster;
        cfg.priority_bits = cases[i].prio_bits;
        cfg.version = cases[i].version;
        expect_create(e, &cfg, cases[i].want);
    }
    gicsim_engine_destroy(e);
}

/* Sockets: 1..num_pes. PE n sits on socket n * sockets / num_pes, the
 * distributor and the ITS on socket 0; a message between sockets costs
 * socket_hop more: an SGI to another socket's PE, an SPI forwarded to a PE
 * of socket 1. */
static void test_sockets(void **state)
{
    (void)state;
    gicsim_engine *e = NULL;
    assert_int_equal(gicsim_engine_create(&e), GICSIM_OK);
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.sockets = 0;
    expect_create(e, &cfg, GICSIM_E_INVAL);
    cfg.sockets = cfg.num_pes + 1;
    expect_create(e, &cfg, GICSIM_E_INVAL);
    cfg.sockets = cfg.num_pes;
    expect_create(e, &cfg, GICSIM_OK);
    gicsim_engine_destroy(e);

    gicsim_gic *g = NULL;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = 4;
    cfg.sockets = 2; /* PEs 0, 1 on socket 0; PEs 2, 3 on socket 1 */
    tf_gic_open(&e, &g, &cfg, true, NULL, NULL);
    tf_ev_log l = {0};
    tf_ev_log_attach(&l, g);
    const gicsim_time_t route = tf_cost_ps(GICSIM_COST_SGI_ROUTE),
                        hop = tf_cost_ps(GICSIM_COST_SOCKET_HOP),
                        fwd = tf_cost_ps(GICSIM_COST_DIST_TO_REDIST);
    assert_true(hop > 0);
    for (uint32_t target = 1; target <= 2; target++) {
        gicsim_time_t t0 = gicsim_engine_now(e);
        tf_icc_wr(g, 0, GICSIM_ICC_SGI1R,
                  gicsim_icc_sgir_value(3, (uint16_t)(1u << target), 0, 0, 0, 0, false));
        tf_settle(e);
        const gicsim_gic_event *r = tf_ev_last(&l, GICSIM_GEV_RAISE, target, 3);
        assert_int_equal(r->time - t0, route + (target == 2 ? hop : 0));
        assert_int_equal(tf_iar1(g, target), 3);
        tf_icc_wr(g, target, GICSIM_ICC_EOIR1, 3);
    }
    for (uint32_t target = 1; target <= 2; target++) {
        uint32_t spi = 40 + target;
        tf_gicd_wr(g, GICSIM_GICD_IROUTER + 8 * spi, 8, gicsim_gic_pe_affinity(g, target));
        tf_spi_set_edge(g, spi, true);
        tf_spi_enable(g, spi);
        tf_settle(e);
        gicsim_time_t t0 = gicsim_engine_now(e);
        gicsim_gic_set_line(g, 0, spi, true);
        tf_settle(e);
        const gicsim_gic_event *sig = tf_ev_last(&l, GICSIM_GEV_SIGNAL, target, spi);
        assert_int_equal(sig->time - t0,
                         fwd + (target == 2 ? hop : 0) + tf_cost_ps(GICSIM_COST_REDIST_TO_CPUIF));
    }
    tf_ev_log_free(&l);
    tf_gic_free(e, g);
}

static void test_custom_timing_copied(void **state)
{
    (void)state;
    gicsim_engine *e = NULL;
    gicsim_gic *g = NULL;
    gicsim_timing t;
    gicsim_timing_init(&t);
    t.cycles[GICSIM_COST_DIST_TO_REDIST] = 100; /* 100 ns */
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.timing = &t;
    tf_gic_new(&e, &g, &cfg);
    t.cycles[GICSIM_COST_DIST_TO_REDIST] = 1; /* the GIC keeps its copy */
    gicsim_gic_os_init(g);
    tf_settle(e);
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 8);
    /* dist_to_redist (100 ns) + redist_to_cpuif (10 ns). */
    gicsim_engine_run_for(e, GICSIM_NS(110) - 1);
    assert_false(gicsim_gic_irq_line(g, 0));
    gicsim_engine_run_for(e, 1);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_gic_free(e, g);
}

static void test_affinity_round_trip(void **state)
{
    (void)state;
    gicsim_engine *e = NULL;
    gicsim_gic *g = NULL;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = 64;
    cfg.pes_per_cluster = 4;
    tf_gic_new(&e, &g, &cfg);
    for (uint32_t pe = 0; pe < 64; pe++) {
        uint64_t aff = gicsim_gic_pe_affinity(g, pe);
        assert_int_equal(aff, (uint64_t)(pe % 4) | ((uint64_t)(pe / 4) << 8));
        uint32_t back = UINT32_MAX;
        assert_int_equal(gicsim_gic_pe_from_affinity(g, aff, &back), GICSIM_OK);
        assert_int_equal(back, pe);
        /* GICR_TYPER agrees. */
        uint64_t typer = 0;
        assert_int_equal(gicsim_gicr_read(g, pe, GICSIM_GICR_TYPER, 8, &typer), GICSIM_OK);
        assert_int_equal(typer >> 32, aff);
    }
    uint32_t pe = 77;
    /* Aff0 beyond the cluster size, a cluster beyond the last, Aff2/Aff3 set. */
    const uint64_t bad[] = {0x4, 0xFF, 0x1000, 0x0F04, 0x10000, 0x100000000ull, 0xFF00000000ull};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(gicsim_gic_pe_from_affinity(g, bad[i], &pe), GICSIM_E_NOTFOUND);
    assert_int_equal(pe, 77);
    assert_int_equal(gicsim_gic_pe_from_affinity(g, 0x0F03, NULL), GICSIM_OK); /* PE 63 */
    assert_int_equal(gicsim_gic_pe_from_affinity(NULL, 0, &pe), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gic_pe_affinity(g, 64), 0);
    gicsim_gic_destroy(g);

    /* Default 16 PEs per cluster: PE 17 is Aff1 = 1, Aff0 = 1. */
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = 20;
    assert_int_equal(gicsim_gic_create(e, &cfg, &g), GICSIM_OK);
    assert_int_equal(gicsim_gic_pe_affinity(g, 17), 0x101);
    assert_int_equal(gicsim_gic_pe_from_affinity(g, 0x103, &pe), GICSIM_OK);
    assert_int_equal(pe, 19);
    assert_int_equal(gicsim_gic_pe_from_affinity(g, 0x104, &pe), GICSIM_E_NOTFOUND);
    tf_gic_free(e, g);
}

/* ---- A bare-metal responder ---------------------------------------------
 * Each PE takes an IRQ exception when its IRQ output is high and it is not
 * already in a handler (PSTATE.I is set while handling): after the entry
 * delay it reads ICC_IAR1, works for a while, clears the device (level
 * SPIs), writes ICC_EOIR1 and returns. */

#define NPES 8u
#define FIRST_SPI 32u
#define NSPIS 96u
#define MAX_LOG 200000u

typedef struct rec {
    uint64_t time, kind, pe, intid; /* no padding: logs compare byte for byte */
} rec;

typedef struct world {
    gicsim_engine *e;
    gicsim_gic *g;
    bool entry_pending[NPES];
    bool busy[NPES];
    uint32_t current[NPES];
    unsigned handled[1024]; /* acknowledged by the responder, per INTID */
    unsigned handled_on[NPES];
    unsigned spurious;
    unsigned raise[1024]; /* observer RAISE count per INTID */
    unsigned ack[1024];   /* observer ACK count per INTID */
    uint32_t ack_pe_mask[1024];
    rec *log;
    size_t n_log;
    bool invariant_ok;
} world;

static bool spi_is_edge(uint32_t intid)
{
    return intid % 2 == 0;
}

static bool spi_is_1ofn(uint32_t intid)
{
    return intid % 5 == 0;
}

static void observe(void *ctx, const gicsim_gic_event *ev)
{
    world *w = ctx;
    assert_true(ev->intid < 1024 && ev->pe < NPES);
    if (ev->kind == GICSIM_GEV_RAISE)
        w->raise[ev->intid]++;
    if (ev->kind == GICSIM_GEV_ACK) {
        w->ack[ev->intid]++;
        w->ack_pe_mask[ev->intid] |= 1u << ev->pe;
    }
    if (w->n_log < MAX_LOG)
        w->log[w->n_log++] = (rec){ev->time, ev->kind, ev->pe, ev->intid};
    gicsim_gic_stats s = tf_gic_stats(w->g);
    if (s.raised != s.acknowledged + s.withdrawn + s.pending_now)
        w->invariant_ok = false;
}

#define ENTRY_PS GICSIM_NS(20)

static gicsim_time_t work_ps(uint32_t intid)
{
    return GICSIM_NS(150) + GICSIM_NS(40) * (intid % 7);
}

static void handler_entry(gicsim_engine *e, void *ctx, uint64_t pe);

/* Take the IRQ exception if the PE is interruptible and its IRQ is high. */
static void maybe_take_irq(world *w, uint32_t pe)
{
    if (w->busy[pe] || w->entry_pending[pe] || !gicsim_gic_irq_line(w->g, pe))
        return;
    w->entry_pending[pe] = true;
    assert_int_equal(gicsim_engine_schedule_in(w->e, ENTRY_PS, handler_entry, w, pe, NULL),
                     GICSIM_OK);
}

static void on_lines(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    world *w = ctx;
    assert_true(pe < NPES);
    assert_false(fiq); /* everything is Group 1 */
    if (irq)
        maybe_take_irq(w, pe);
}

static void handler_exit(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    world *w = ctx;
    uint32_t pe = (uint32_t)arg;
    uint32_t intid = w->current[pe];
    assert_true(w->busy[pe]);
    if (!spi_is_edge(intid))
        assert_int_equal(gicsim_gic_set_line(w->g, 0, intid, false), GICSIM_OK);
    w->busy[pe] = false;
    tf_icc_wr(w->g, pe, GICSIM_ICC_EOIR1, intid);
    maybe_take_irq(w, pe);
}

static void handler_entry(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    world *w = ctx;
    uint32_t pe = (uint32_t)arg;
    w->entry_pending[pe] = false;
    uint32_t intid = (uint32_t)tf_icc_rd(w->g, pe, GICSIM_ICC_IAR1);
    if (intid == GICSIM_INTID_SPURIOUS) {
        w->spurious++;
        maybe_take_irq(w, pe);
        return;
    }
    assert_true(intid >= FIRST_SPI && intid < FIRST_SPI + NSPIS);
    w->handled[intid]++;
    w->handled_on[pe]++;
    w->busy[pe] = true;
    w->current[pe] = intid;
    assert_int_equal(gicsim_engine_schedule_in(w->e, work_ps(intid), handler_exit, w, pe, NULL),
                     GICSIM_OK);
}

/* A device raises its interrupt: a pulse for edge SPIs, the line held
 * high for level ones (the handler lowers it). */
static void device_fire(gicsim_engine *e, void *ctx, uint64_t intid)
{
    (void)e;
    world *w = ctx;
    if (spi_is_edge((uint32_t)intid))
        assert_int_equal(gicsim_gic_pulse(w->g, 0, (uint32_t)intid), GICSIM_OK);
    else
        assert_int_equal(gicsim_gic_set_line(w->g, 0, (uint32_t)intid, true), GICSIM_OK);
}

static void world_setup(world *w, uint64_t seed, unsigned n_fires)
{
    memset(w, 0, sizeof *w);
    w->invariant_ok = true;
    w->log = calloc(MAX_LOG, sizeof *w->log);
    assert_non_null(w->log);
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = NPES;
    cfg.num_spis = NSPIS;
    tf_gic_new(&w->e, &w->g, &cfg);
    assert_int_equal(gicsim_gic_add_observer(w->g, observe, w), GICSIM_OK);
    assert_int_equal(gicsim_gic_add_line_listener(w->g, on_lines, w), GICSIM_OK);
    gicsim_gic_os_init(w->g);
    gicsim_gic *g = w->g;
    for (uint32_t intid = FIRST_SPI; intid < FIRST_SPI + NSPIS; intid++) {
        if (spi_is_edge(intid)) {
            uint32_t off = GICSIM_GICD_ICFGR + 4u * (intid / 16u);
            uint64_t v = 0;
            assert_int_equal(gicsim_gicd_read(g, off, 4, &v), GICSIM_OK);
            tf_gicd_wr(g, off, 4, v | (2ull << (2u * (intid % 16u))));
        }
        /* Four priority levels; the PEs do not nest, so only the order changes. */
        tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + intid, 1, 0x40u + 0x20u * (intid % 4u));
        uint64_t route =
            spi_is_1ofn(intid) ? GICSIM_GICD_IROUTER_IRM : gicsim_gic_pe_affinity(g, intid % NPES);
        tf_gicd_wr(g, GICSIM_GICD_IROUTER + 8u * intid, 8, route);
        tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4u * (intid / 32u), 4, 1ull << (intid % 32u));
    }
    /* The devices fire at pseudo-random times over 400 us. */
    uint64_t rng = seed;
    for (unsigned k = 0; k < n_fires; k++) {
        gicsim_time_t when = GICSIM_US(1) + tf_xorshift64(&rng) % GICSIM_US(400);
        uint32_t intid = FIRST_SPI + (uint32_t)(tf_xorshift64(&rng) % NSPIS);
        assert_int_equal(gicsim_engine_schedule_at(w->e, when, device_fire, w, intid, NULL),
                         GICSIM_OK);
    }
}

static void world_teardown(world *w)
{
    tf_gic_free(w->e, w->g);
    free(w->log);
    w->log = NULL;
}

static void test_responder_many_spis(void **state)
{
    (void)state;
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    world_setup(w, 0x9E3779B97F4A7C15ull, 3000);
    gicsim_engine_run(w->e);
    gicsim_gic *g = w->g;
    assert_true(w->invariant_ok);
    assert_true(w->n_log < MAX_LOG);

    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.pending_now, 0);
    assert_int_equal(s.raised, s.acknowledged + s.withdrawn);
    assert_int_equal(s.withdrawn, 0); /* nothing drops a line before its acknowledge */
    assert_int_equal(s.priority_drops, s.acknowledged);
    assert_int_equal(s.deactivations, s.acknowledged);
    assert_true(s.raised > 1000);
    assert_int_equal(s.spurious_acks, w->spurious);

    unsigned total = 0;
    for (uint32_t intid = 0; intid < 1024; intid++) {
        /* Every raised instance acknowledged exactly once, by the responder. */
        assert_int_equal(w->raise[intid], w->ack[intid]);
        assert_int_equal(w->handled[intid], w->ack[intid]);
        total += w->ack[intid];
        if (intid < FIRST_SPI || intid >= FIRST_SPI + NSPIS) {
            assert_int_equal(w->ack[intid], 0);
            continue;
        }
        assert_true(w->ack[intid] > 0);
        /* Fixed routing: acknowledged only on the PE named by IROUTER. */
        if (!spi_is_1ofn(intid))
            assert_int_equal(w->ack_pe_mask[intid], 1u << (intid % NPES));
    }
    assert_int_equal(total, s.acknowledged);
    /* 1-of-N spreads over several PEs; every PE did work. */
    unsigned spread = 0;
    for (uint32_t intid = FIRST_SPI; intid < FIRST_SPI + NSPIS; intid++)
        if (spi_is_1ofn(intid) && __builtin_popcount(w->ack_pe_mask[intid]) > 1)
            spread++;
    assert_true(spread > 0);
    for (uint32_t pe = 0; pe < NPES; pe++) {
        assert_true(w->handled_on[pe] > 0);
        assert_false(w->busy[pe]);
        assert_false(gicsim_gic_irq_line(g, pe));
        assert_int_equal(tf_icc_rd(g, pe, GICSIM_ICC_RPR), 0xFF);
    }
    for (uint32_t intid = FIRST_SPI; intid < FIRST_SPI + NSPIS; intid++) {
        gicsim_irq_state is;
        assert_int_equal(gicsim_gic_irq_state(g, 0, intid, &is), GICSIM_OK);
        assert_int_equal(is, GICSIM_IRQ_INACTIVE);
    }
    world_teardown(w);
    free(w);
}

static void test_determinism(void **state)
{
    (void)state;
    world *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    world_setup(a, 12345, 1500);
    world_setup(b, 12345, 1500);
    gicsim_engine_run(a->e);
    gicsim_engine_run(b->e);
    assert_true(a->n_log > 1000);
    assert_true(a->n_log < MAX_LOG);
    assert_int_equal(a->n_log, b->n_log);
    assert_memory_equal(a->log, b->log, a->n_log * sizeof *a->log);
    assert_int_equal(gicsim_engine_now(a->e), gicsim_engine_now(b->e));
    assert_int_equal(gicsim_engine_events_fired(a->e), gicsim_engine_events_fired(b->e));
    gicsim_gic_stats sa = tf_gic_stats(a->g), sb = tf_gic_stats(b->g);
    assert_memory_equal(&sa, &sb, sizeof sa);
    /* A different seed gives a different run (the log is not trivially constant). */
    world_teardown(b);
    world_setup(b, 54321, 1500);
    gicsim_engine_run(b->e);
    assert_true(a->n_log != b->n_log || memcmp(a->log, b->log, a->n_log * sizeof *a->log) != 0);
    world_teardown(a);
    world_teardown(b);
    free(a);
    free(b);
}

/* ---- priority changes in flight ---- */

static void test_priority_change_pending(void **state)
{
    (void)state;
    gicsim_engine *e = NULL;
    gicsim_gic *g = NULL;
    tf_gic_open(&e, &g, NULL, true, NULL, NULL);

    /* 40 (0xA0) and 41 (0x80) pending on PE 0: 41 is the highest priority. */
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 41, 1, 0x80);
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4, 4, (1u << 8) | (1u << 9));
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, (1u << 8) | (1u << 9));
    tf_settle(e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR1), 41);
    /* Raising 40 above 41 while both are pending changes the choice. */
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 40, 1, 0x60);
    tf_settle(e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR1), 40);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 40);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_RPR), 0x60);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 40);
    tf_settle(e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 41);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 41);
    tf_settle(e);
    assert_false(gicsim_gic_irq_line(g, 0));

    /* Against the priority mask: PMR 0x90 masks 0xA0 but not 0x80. */
    tf_icc_wr(g, 0, GICSIM_ICC_PMR, 0x90);
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 10);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u << 10); /* 42 at 0xA0 */
    tf_settle(e);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 42, 1, 0x80);
    /* The new priority reaches the CPU interface after the two hops:
     * dist_to_redist (20 ns) + redist_to_cpuif (10 ns). */
    gicsim_engine_run_for(e, GICSIM_NS(30) - 1);
    assert_false(gicsim_gic_irq_line(g, 0));
    gicsim_engine_run_for(e, 1);
    assert_true(gicsim_gic_irq_line(g, 0));
    /* Lowering it back below the mask withdraws the signal, again after the hops. */
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 42, 1, 0xA0);
    gicsim_engine_run_for(e, GICSIM_NS(30) - 1);
    assert_true(gicsim_gic_irq_line(g, 0));
    gicsim_engine_run_for(e, 1);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    tf_gicd_wr(g, GICSIM_GICD_IPRIORITYR + 42, 1, 0x88);
    tf_settle(e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 42);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 42);

    /* A banked PPI's priority change takes one hop (redist_to_cpuif). */
    assert_int_equal(gicsim_gicr_write(g, 1, GICSIM_GICR_ISENABLER0, 4, 1u << 27), GICSIM_OK);
    tf_icc_wr(g, 1, GICSIM_ICC_PMR, 0x90);
    assert_int_equal(gicsim_gic_set_line(g, 1, 27, true), GICSIM_OK);
    tf_settle(e);
    assert_false(gicsim_gic_irq_line(g, 1));
    assert_int_equal(gicsim_gicr_write(g, 1, GICSIM_GICR_IPRIORITYR + 27, 1, 0x10), GICSIM_OK);
    gicsim_engine_run_for(e, GICSIM_NS(10) - 1);
    assert_false(gicsim_gic_irq_line(g, 1));
    gicsim_engine_run_for(e, 1);
    assert_true(gicsim_gic_irq_line(g, 1));
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 27);
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.raised, 4);
    assert_int_equal(s.acknowledged, 4);
    tf_gic_free(e, g);
}

/* ---- listener and observer tables ---- */

static void count_lines(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    (void)pe;
    (void)fiq;
    if (irq)
        (*(unsigned *)ctx)++;
}

static void count_events(void *ctx, const gicsim_gic_event *ev)
{
    if (ev->kind == GICSIM_GEV_ACK)
        (*(unsigned *)ctx)++;
}

static void test_listener_observer_limits(void **state)
{
    (void)state;
    gicsim_engine *e = NULL;
    gicsim_gic *g = NULL;
    tf_gic_new(&e, &g, NULL);
    unsigned lines[9] = {0}, acks[9] = {0};
    assert_int_equal(gicsim_gic_add_line_listener(g, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gic_add_observer(g, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gic_add_line_listener(NULL, count_lines, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gic_add_observer(NULL, count_events, NULL), GICSIM_E_INVAL);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(gicsim_gic_add_line_listener(g, count_lines, &lines[i]), GICSIM_OK);
        assert_int_equal(gicsim_gic_add_observer(g, count_events, &acks[i]), GICSIM_OK);
    }
    assert_int_equal(gicsim_gic_add_line_listener(g, count_lines, &lines[8]), GICSIM_E_FULL);
    assert_int_equal(gicsim_gic_add_observer(g, count_events, &acks[8]), GICSIM_E_FULL);
    /* All eight of each are called; the rejected ninth never is. */
    gicsim_gic_os_init(g);
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4, 4, 1u);
    tf_gicd_wr(g, GICSIM_GICD_ISPENDR + 4, 4, 1u);
    tf_settle(e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 32);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(lines[i], 1);
        assert_int_equal(acks[i], 1);
    }
    assert_int_equal(lines[8], 0);
    assert_int_equal(acks[8], 0);
    tf_gic_free(e, g);
}

static void test_event_names(void **state)
{
    (void)state;
    for (int k = 0; k < GICSIM_GEV__COUNT; k++) {
        const char *n = gicsim_gic_event_name((gicsim_gic_event_kind)k);
        assert_non_null(n);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(n, gicsim_gic_event_name((gicsim_gic_event_kind)j));
    }
    assert_null(gicsim_gic_event_name(GICSIM_GEV__COUNT));
    assert_string_equal(gicsim_icc_reg_name(GICSIM_ICC_IAR1), "ICC_IAR1_EL1");
    assert_null(gicsim_icc_reg_name(GICSIM_ICC__COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_create_validation),
        cmocka_unit_test(test_sockets),
        cmocka_unit_test(test_custom_timing_copied),
        cmocka_unit_test(test_affinity_round_trip),
        cmocka_unit_test(test_responder_many_spis),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_priority_change_pending),
        cmocka_unit_test(test_listener_observer_limits),
        cmocka_unit_test(test_event_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
