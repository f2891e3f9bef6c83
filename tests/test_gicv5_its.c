/* Tests of the GICv5 ITS and IWB (lib/gic/gicv5_its.c, gicv5_iwb.c; docs/gicv5.md): linear and
 * two-level Device tables and ITTs, the translation cache and its invalidation, the errors,
 * the serial server's timing, SYNCR, and the IWB's edge and level wires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/gicv5_boot.h"

static void boot(gicsim_engine **e, gicsim_gic **g, uint32_t pes)
{
    tf_v5_open(e, g, pes, NULL, NULL);
    tf_v5_ist(*e, *g, 12, false);
    tf_v5_its_boot(*e, *g);
}

/* An MSI through linear tables. The first walk reads the DTE and the ITTE (its_table_read
 * each): gicv5_its_translate 20 + its_cache_hit 5 + 2 x 100, then gicv5_its_to_irs 20, the
 * ISTE read 100 and the forward 30: the IRQ rises 375 ns after the write. The second MSI hits
 * the translation cache: 175 ns. */
static void test_msi_linear(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 2);
    tf_v5_irq_setup(e, g, 0, LPI(42), 0x10, 1);
    tf_v5_its_map(e, g, 5, 3, 42, false, 0);
    assert_int_equal(gicsim_gicv5_msi(g, 5, 3), GICSIM_OK);
    tf_v5_run(e, 374);
    assert_false(gicsim_gic_irq_line(g, 1));
    tf_v5_run(e, 1);
    assert_true(gicsim_gic_irq_line(g, 1));
    tf_v5_ack_eoi_di(g, 1, LPI(42));
    tf_v5_run(e, 1000);
    gicsim_gicv5_msi(g, 5, 3);
    tf_v5_run(e, 174);
    assert_false(gicsim_gic_irq_line(g, 1));
    tf_v5_run(e, 1);
    assert_true(gicsim_gic_irq_line(g, 1));
    gicsim_gicv5_stats v = tf_v5_vstats(g);
    assert_int_equal(v.its_translations, 2);
    assert_int_equal(v.its_cache_hits, 1);
    gicsim_gic_stats s;
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.lpis_set, 2);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* A changed ITTE is not seen until ITS_INV_EVENTR invalidates the cached translation. */
static void test_cache_invalidation(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    boot(&e, &g, 1);
    tf_v5_irq_setup(e, g, 0, LPI(42), 0x10, 0);
    tf_v5_irq_setup(e, g, 0, LPI(43), 0x10, 0);
    tf_v5_its_map(e, g, 5, 3, 42, false, 0);
    gicsim_gicv5_msi(g, 5, 3);
    tf_v5_run(e, 1000);
    tf_v5_ack_eoi_di(g, 0, LPI(42));
    tf_v5_mem_wr64(g, TF_V5_ITT_BASE + 0x1000 * 5 + 8 * 3, 43 | (1ull << 31));
    gicsim_gicv5_msi(g, 5, 3);
    tf_v5_run(e, 1000);
    tf_v5_ack_eoi_di(g, 0, LPI(42)); /* the stale translation */
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_DIDR, 8, 5);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_EIDR, 4, 3);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_INV_EVENTR, 4, GICSIM_GICV5_ITS_INV_I);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_STATUSR, 4), 0); /* busy its_command */
    tf_v5_run(e, 50);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_STATUSR, 4), 1);
    gicsim_gicv5_msi(g, 5, 3);
    tf_v5_run(e, 1000);
    tf_v5_ack_eoi_di(g, 0, LPI(43));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* Errors: each event dropped and counted; nothing delivered. */
static void test_errors(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_stats s;
    boot(&e, &g, 1);
    tf_v5_irq_setup(e, g, 0, LPI(42), 0x10, 0);
    tf_v5_its_map(e, g, 5, 3, 42, false, 0);
    tf_v5_mem_wr64(g, TF_V5_ITT_BASE + 0x1000 * 5 + 8 * 4, 42); /* ITTE not valid */
    gicsim_gicv5_msi(g, 0x10000, 3);                            /* DeviceID beyond DEVICEID_BITS */
    gicsim_gicv5_msi(g, 7, 3);                                  /* DTE not valid */
    gicsim_gicv5_msi(g, 5, 256); /* EventID beyond the DTE's EVENT_ID_BITS */
    gicsim_gicv5_msi(g, 5, 4);   /* ITTE not valid */
    tf_v5_run(e, 2000);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_CR0, 4, 0);
    gicsim_gicv5_msi(g, 5, 3); /* ITS disabled */
    tf_v5_run(e, 2000);
    gicsim_gicv5_stats v = tf_v5_vstats(g);
    assert_int_equal(v.its_events, 5);
    assert_int_equal(v.its_errors, 5);
    assert_int_equal(v.its_translations, 0);
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.raised, 0);
    /* Tables are fixed while the ITS is enabled. */
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_CR0, 4, 1);
    gicsim_gic_stats s0, s1;
    gicsim_gic_get_stats(g, &s0);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_DT_BASER, 8, 0x900000);
    gicsim_gic_get_stats(g, &s1);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_DT_BASER, 8), TF_V5_DT_BASE);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_IDR1, 4) & 0x3Fu, 16);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_IDR2, 4) & 0x1Fu, 16);
    tf_gic_free(e, g);
}

/* Two-level Device table and ITT (4 KiB L2 tables of 512 entries, SPAN limiting them). */
static void test_two_level(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_ist(e, g, 12, false);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_DT_CFGR, 4, 16u | (1u << 16)); /* two-level, L2SZ 4K */
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_DT_BASER, 8, TF_V5_DT_BASE);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_CR0, 4, 1);
    tf_v5_run(e, 1000);
    uint32_t dev = 1000; /* L1 index 1, L2 index 488 */
    uint64_t l2dt = 0x210000, l1itt = 0x220000, l2itt = 0x230000;
    tf_v5_mem_wr64(g, TF_V5_DT_BASE + 8, l2dt | 1u | (9ull << 60)); /* SPAN 9: 512 */
    /* DTE: two-level ITT, ITT_L2SZ 4K, 12 EventID bits. */
    tf_v5_mem_wr64(g, l2dt + 8 * 488, l1itt | 1u | (1ull << 58) | (12ull << 59));
    tf_v5_mem_wr64(g, l1itt + 8 * 2, l2itt | 1u | (4ull << 60)); /* events 1024.., SPAN 16 */
    tf_v5_mem_wr64(g, l2itt + 8 * 5, 77 | (1ull << 31));         /* event 1029 -> LPI 77 */
    tf_v5_irq_setup(e, g, 0, LPI(77), 0x10, 0);
    gicsim_gicv5_msi(g, dev, 1029);
    tf_v5_run(e, 2000);
    tf_v5_ack_eoi_di(g, 0, LPI(77));
    gicsim_gicv5_msi(g, dev, 1024 + 16); /* beyond the L2 ITT's SPAN */
    tf_v5_run(e, 2000);
    gicsim_gicv5_stats v = tf_v5_vstats(g);
    assert_int_equal(v.its_translations, 1);
    assert_int_equal(v.its_errors, 1);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* A burst of MSIs: one server, the completions one service time apart; SYNC_STATUSR reads 0
 * until the queue is empty. */
static void test_burst_and_sync(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_ev_log log = {0};
    boot(&e, &g, 1);
    tf_ev_log_attach(&log, g);
    for (uint32_t i = 0; i < 4; i++) {
        tf_v5_irq_setup(e, g, 0, LPI(100 + i), 0x10, 0);
        tf_v5_its_map(e, g, 9, i, 100 + i, false, 0);
    }
    /* Warm the cache: one event each, then clear their pending state. */
    for (uint32_t i = 0; i < 4; i++)
        gicsim_gicv5_msi(g, 9, i);
    tf_v5_run(e, 5000);
    for (uint32_t i = 0; i < 4; i++)
        tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(100 + i));
    tf_v5_run(e, 5000);
    gicsim_time_t t0 = gicsim_engine_now(e);
    for (uint32_t i = 0; i < 4; i++)
        gicsim_gicv5_msi(g, 9, i);
    tf_v5_its_wr(g, GICSIM_GICV5_ITS_SYNCR, 8, 1ull << 63);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_SYNC_STATUSR, 4), 0);
    tf_v5_run(e, 99);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_SYNC_STATUSR, 4), 0);
    tf_v5_run(e, 1);
    assert_int_equal(tf_v5_its_rd(g, GICSIM_GICV5_ITS_SYNC_STATUSR, 4), 1);
    tf_v5_run(e, 1000);
    /* Each raise: 25 ns of service (cache hit) times its place, + 20 + 100 (the ISTE). */
    for (uint32_t i = 0; i < 4; i++) {
        const gicsim_gic_event *ev = tf_ev_last(&log, GICSIM_GEV_RAISE, TF_ANY, LPI(100 + i));
        assert_int_equal(ev->time - t0, GICSIM_NS(25 * (i + 1) + 120));
    }
    tf_ev_log_free(&log);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* The IWB: an edge wire sends one event per rising edge; a level wire's LPI follows the wire
 * (pending across the acknowledge, a new instance at deactivation while high, cleared when
 * it falls); a disabled wire sends nothing (counted). */
static void test_iwb(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_stats s;
    gicsim_irq_state is;
    uint64_t v;
    boot(&e, &g, 1);
    const uint32_t iwb = 0xFFFF;
    assert_int_equal(gicsim_gicv5_iwb_read(g, GICSIM_GICV5_IWB_IDR0, 4, &v), GICSIM_OK);
    assert_int_equal(v, 0); /* 32 wires */
    assert_int_equal(gicsim_gicv5_iwb_read(g, GICSIM_GICV5_IWB_CR0, 4, &v), GICSIM_OK);
    assert_int_equal(v, 3); /* IWBEN set by firmware, IDLE */
    tf_v5_irq_setup(e, g, 0, LPI(200), 0x10, 0);
    tf_v5_irq_setup(e, g, 0, LPI(201), 0x10, 0);
    tf_v5_its_map(e, g, iwb, 0, 200, false, 0);
    tf_v5_its_map(e, g, iwb, 1, 201, false, 0);
    gicsim_gicv5_set_wire(g, 0, true); /* wire 0 not enabled yet */
    gicsim_gicv5_set_wire(g, 0, false);
    tf_v5_run(e, 1000);
    gicsim_gicv5_stats vs;
    gicsim_gicv5_get_stats(g, &vs);
    assert_int_equal(vs.iwb_disabled_drops, 1);
    assert_int_equal(gicsim_gicv5_iwb_write(g, GICSIM_GICV5_IWB_WTMR, 4, 2), GICSIM_OK);
    assert_int_equal(gicsim_gicv5_iwb_write(g, GICSIM_GICV5_IWB_WENABLER, 4, 3), GICSIM_OK);
    tf_v5_run(e, 100);
    /* Edge wire 0. */
    gicsim_gicv5_set_wire(g, 0, true);
    gicsim_gicv5_set_wire(g, 0, false);
    tf_v5_run(e, 1000);
    tf_v5_ack_eoi_di(g, 0, LPI(200));
    /* Level wire 1. */
    gicsim_gicv5_set_wire(g, 1, true);
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | LPI(201));
    assert_int_equal(gicsim_gicv5_irq_state(g, 0, LPI(201), &is), GICSIM_OK);
    assert_int_equal(is, GICSIM_IRQ_ACTIVE_PENDING);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDI, LPI(201));
    tf_v5_run(e, 1000);
    gicsim_gicv5_irq_state(g, 0, LPI(201), &is);
    assert_int_equal(is, GICSIM_IRQ_PENDING);
    gicsim_gicv5_set_wire(g, 1, false);
    tf_v5_run(e, 1000);
    gicsim_gicv5_irq_state(g, 0, LPI(201), &is);
    assert_int_equal(is, GICSIM_IRQ_INACTIVE);
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.raised, 3);
    assert_int_equal(s.acknowledged, 2);
    assert_int_equal(s.withdrawn, 1);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msi_linear),     cmocka_unit_test(test_cache_invalidation),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_two_level),
        cmocka_unit_test(test_burst_and_sync), cmocka_unit_test(test_iwb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
