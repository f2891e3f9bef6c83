/* Tests of the GICv5 physical CPU interface (lib/gic/gicv5_cpuif.c; docs/gicv5.md): PPIs and
 * their fixed handling modes, the priority mask (sufficient when priority <= PCR), the running
 * priority and preemption, CDIA / CDEOI / CDDI (split priority drop and deactivation), the
 * ICC registers, the IRQ output, and the observer events of one interrupt's life. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/fixtures.h"
#include "support/gicv5_boot.h"

#define CNTV GICSIM_GICV5_PPI_CNTV
#define SW GICSIM_GICV5_PPI_SW

static void ppi_enable(gicsim_gic *g, uint32_t pe, uint32_t id)
{
    gicsim_gicv5_sysreg r = id < 64 ? GICSIM_GICV5_ICC_PPI_ENABLER0 : GICSIM_GICV5_ICC_PPI_ENABLER1;
    tf_v5_wr(g, pe, r, tf_v5_rd(g, pe, r) | (1ull << (id % 64)));
}

/* os_init leaves what Linux's gicv5_cpu_enable_interrupts does; the ID registers. */
static void test_boot_state(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 2, NULL, NULL);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_CR0), 1u | 6u); /* EN, LINK, LINK_IDLE */
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_PCR), 0x1F);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_PPI_ENABLER0), 0);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_PPI_PRIORITYR0 + 3), 0x1F1F1F1F1F1F1F1Full);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_IAFFIDR), 1);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_IDR0), 0x41);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_HAPR), 0xFF);
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_PPI_HMR0), ~(1ull << SW));
    assert_int_equal(tf_v5_rd(g, 1, GICSIM_GICV5_ICC_PPI_HMR1), ~0ull);
    tf_gic_free(e, g);
}

/* A level PPI (the timer) is pending while its line is high: its pending bits are read-only;
 * the edge SW_PPI latches and is set and cleared by SPENDR/CPENDR. */
static void test_ppi_modes(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_stats s0, s1;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    gicsim_gicv5_set_line(g, 0, PPI(CNTV), true);
    assert_int_equal(tf_v5_state(g, 0, PPI(CNTV)), GICSIM_IRQ_PENDING);
    gicsim_gic_get_stats(g, &s0);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_CPENDR0, 1ull << CNTV); /* RO for a level PPI */
    gicsim_gic_get_stats(g, &s1);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
    assert_int_equal(tf_v5_state(g, 0, PPI(CNTV)), GICSIM_IRQ_PENDING);
    gicsim_gicv5_set_line(g, 0, PPI(CNTV), false);
    assert_int_equal(tf_v5_state(g, 0, PPI(CNTV)), GICSIM_IRQ_INACTIVE);
    gicsim_gic_get_stats(g, &s1);
    assert_int_equal(s1.withdrawn, 1);
    /* SW_PPI: edge. */
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_SPENDR0, 1ull << SW);
    assert_int_equal(tf_v5_state(g, 0, PPI(SW)), GICSIM_IRQ_PENDING);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_SPENDR0, 1ull << SW); /* already pending: no change */
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_CPENDR0, 1ull << SW);
    assert_int_equal(tf_v5_state(g, 0, PPI(SW)), GICSIM_IRQ_INACTIVE);
    gicsim_gicv5_set_line(g, 0, PPI(SW), true);
    gicsim_gicv5_set_line(g, 0, PPI(SW), false);
    assert_int_equal(tf_v5_state(g, 0, PPI(SW)), GICSIM_IRQ_PENDING);
    gicsim_gic_get_stats(g, &s1);
    assert_int_equal(s1.raised, 3);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* The timer PPI's life: signal, CDIA (active, the level keeps it pending), CDEOI drops the
 * priority, CDDI deactivates; a level still high then starts a new instance. The observer
 * sees raise, signal, ack, prio_drop, deactivate in order. */
static void test_ppi_life(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_ev_log log = {0};
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_ev_log_attach(&log, g);
    tf_v5_ppi_prio(g, 0, GICSIM_GICV5_ICC_PPI_PRIORITYR0, CNTV, 0x8);
    ppi_enable(g, 0, CNTV);
    gicsim_gicv5_set_line(g, 0, PPI(CNTV), true);
    assert_true(gicsim_gic_irq_line(g, 0)); /* a PPI needs no IRS round trip */
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | PPI(CNTV));
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_state(g, 0, PPI(CNTV)), GICSIM_IRQ_ACTIVE_PENDING);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_APR), 1u << 8);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_HAPR), 8);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_APR), 0);
    assert_false(gicsim_gic_irq_line(g, 0)); /* still active */
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDI, PPI(CNTV));
    assert_int_equal(tf_v5_state(g, 0, PPI(CNTV)), GICSIM_IRQ_PENDING);
    assert_true(gicsim_gic_irq_line(g, 0));
    size_t i = 0;
    tf_ev_next(&log, &i, GICSIM_GEV_RAISE, 0, PPI(CNTV));
    tf_ev_next(&log, &i, GICSIM_GEV_SIGNAL, 0, PPI(CNTV));
    tf_ev_next(&log, &i, GICSIM_GEV_ACK, 0, PPI(CNTV));
    tf_ev_next(&log, &i, GICSIM_GEV_PRIO_DROP, 0, PPI(CNTV));
    tf_ev_next(&log, &i, GICSIM_GEV_DEACTIVATE, 0, PPI(CNTV));
    tf_ev_next(&log, &i, GICSIM_GEV_RAISE, 0, PPI(CNTV));
    gicsim_gic_stats s;
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.raised, 2);
    assert_int_equal(s.acknowledged, 1);
    assert_int_equal(s.pending_now, 1);
    tf_ev_log_free(&log);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* The priority mask: priority <= PCR is enough (Linux gives both the lowest value); above PCR
 * nothing is signalled and CDIA returns no interrupt (counted). */
static void test_priority_mask(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_stats s;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_ppi_prio(g, 0, GICSIM_GICV5_ICC_PPI_PRIORITYR0, SW, 0x10);
    ppi_enable(g, 0, SW);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PCR, 0x0F);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_SPENDR0, 1ull << SW);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), 0);
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.spurious_acks, 1);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PCR, 0x10);
    assert_true(gicsim_gic_irq_line(g, 0));
    /* ICC_CR0.EN=0: nothing either. */
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_CR0, 0);
    assert_false(gicsim_gic_irq_line(g, 0));
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_CR0, 1);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_gic_free(e, g);
}

/* Preemption: while priority 8 is active, only a strictly higher priority (lower value) is
 * signalled; equal priorities wait for the priority drop. Drops go highest first. */
static void test_preemption(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_ppi_prio(g, 0, GICSIM_GICV5_ICC_PPI_PRIORITYR0, SW, 0x8);
    ppi_enable(g, 0, SW);
    tf_v5_irq_setup(e, g, 0, SPI(1), 0x8, 0);
    tf_v5_irq_setup(e, g, 0, SPI(2), 0x4, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_SPENDR0, 1ull << SW);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | PPI(SW));
    gicsim_gicv5_set_line(g, 0, SPI(1), true);
    tf_v5_run(e, 100);
    assert_false(gicsim_gic_irq_line(g, 0)); /* equal priority */
    gicsim_gicv5_set_line(g, 0, SPI(2), true);
    tf_v5_run(e, 100);
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | SPI(2));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_APR), (1u << 8) | (1u << 4));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0); /* drops 4 */
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_APR), 1u << 8);
    tf_v5_run(e, 100); /* SPI 1 is forwarded again, 30 ns after the acknowledge */
    assert_false(gicsim_gic_irq_line(g, 0));   /* SPI 1 still waits */
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0); /* drops 8 */
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* Misprogramming, counted: CDEOI with no active priority, CDDI of an inactive interrupt or of
 * a PPI type in CD* commands for the IRS; reads of instructions, writes of read-only
 * registers. */
static void test_misprogramming(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gicv5_stats v;
    gicsim_gic_stats s0, s1;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDI, PPI(SW));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEN, PPI(SW)); /* PPIs are enabled by register */
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDI, SPI(3));
    tf_v5_run(e, 1000);
    gicsim_gicv5_get_stats(g, &v);
    assert_int_equal(v.commands_ignored, 4);
    gicsim_gic_get_stats(g, &s0);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GIC_CDPEND), 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_HAPR, 3);
    tf_v5_wr(g, 0, GICSIM_GICV5_GICR_CDIA, 3);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDNMIA), 0);
    gicsim_gic_get_stats(g, &s1);
    assert_int_equal(s1.ignored_ops - s0.ignored_ops, 1);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 2);
    assert_int_equal(s1.spurious_acks - s0.spurious_acks, 1);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* A stale forward: the IRS forwarded SPI 6, which is disabled before CDIA; CDIA re-checks with
 * the IRS and finds nothing (as GICv3's IAR re-checks the candidate). */
static void test_stale_forward(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 2, NULL, NULL);
    tf_v5_irq_setup(e, g, 0, SPI(6), 0x10, 0);
    gicsim_gicv5_set_line(g, 0, SPI(6), true);
    tf_v5_run(e, 100);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_v5_wr(g, 1, GICSIM_GICV5_GIC_CDDIS, SPI(6));
    tf_v5_run(e, 270); /* at the IRS: disabled, the recall is on its way */
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), 0);
    tf_v5_run(e, 100);
    assert_false(gicsim_gic_irq_line(g, 0));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* APR written by software (a context restore) sets the running priority. */
static void test_apr_write(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_ppi_prio(g, 0, GICSIM_GICV5_ICC_PPI_PRIORITYR0, SW, 0x8);
    ppi_enable(g, 0, SW);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_APR, 1u << 2);
    tf_v5_wr(g, 0, GICSIM_GICV5_ICC_PPI_SPENDR0, 1ull << SW);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_HAPR), 2);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_state),    cmocka_unit_test(test_ppi_modes),
        cmocka_unit_test(test_ppi_life),      cmocka_unit_test(test_priority_mask),
        cmocka_unit_test(test_preemption),    cmocka_unit_test(test_misprogramming),
        cmocka_unit_test(test_stale_forward), cmocka_unit_test(test_apr_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
