/* Tests of the GICv5 IRS (lib/gic/gicv5_irs.c, gicv5_ist.c, gicv5.c; docs/gicv5.md): the
 * configuration frame, ISTs in memory (linear and two-level, write-through, the immutable
 * base while valid, MAP_L2_ISTR), SPIs (trigger and handling modes), requests from the CPU
 * interfaces and their timing (an IPI as an LPI), selection and 1-of-N routing, the
 * accounting, the busy rule, the API's version checks, and the invariant checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "gic/gicv5_internal.h"
#include "support/fixtures.h"
#include "support/gicv5_boot.h"

/* IRS_IDR*: what the configuration says, and Linux's reading of it. */
static void test_id_registers(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 4, NULL, NULL);
    uint64_t idr1 = tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IDR1, 4);
    assert_int_equal(idr1 & 0xFFFFu, 4);        /* PE_CNT */
    assert_int_equal((idr1 >> 20) & 7u, 5 - 1); /* PRI_BITS: 5 bits */
    uint64_t idr2 = tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IDR2, 4);
    assert_int_equal(idr2 & 0x1Fu, 16);                              /* ID_BITS = lpi_id_bits */
    assert_true(idr2 & (1u << 5));                                   /* LPI */
    assert_true(idr2 & (1u << 10));                                  /* two-level ISTs */
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IDR5, 4), 64); /* SPI_RANGE */
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IDR6, 4), 64);
    assert_true(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IDR0, 4) & (1u << 6));  /* VIRT */
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_CR0, 4), 1u | 2u); /* IRSEN, IDLE */
    /* Undefined offsets and wrong widths: RAZ/WI, counted. */
    gicsim_gic_stats s0, s1;
    gicsim_gic_get_stats(g, &s0);
    assert_int_equal(tf_v5_irs_rd(g, 0x3F0, 4), 0);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IDR0, 8), 0);
    tf_v5_irs_wr(g, 0x3F0, 4, 1);
    gicsim_gic_get_stats(g, &s1);
    assert_int_equal(s1.raz_wi_reads - s0.raz_wi_reads, 2);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
    tf_gic_free(e, g);
}

/* The GICv3 frames do not exist on a GICv5, nor the GICv5 calls on a GICv3. */
static void test_versions(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    uint64_t v;
    gicsim_irq_state s;
    tf_v5_open(&e, &g, 2, NULL, NULL);
    assert_int_equal(gicsim_gicd_read(g, 0, 4, &v), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_gicr_write(g, 0, 0, 4, 0), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_icc_read(g, 0, GICSIM_ICC_IAR1, &v), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_ich_read(g, 0, GICSIM_ICH_HCR, &v), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_icv_read(g, 0, GICSIM_ICC_IAR1, &v), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_its_read(g, 0, 4, &v), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_gic_set_line(g, 0, 40, true), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_gic_irq_state(g, 0, 40, &s), GICSIM_E_UNSUPPORTED);
    /* Argument checks of the GICv5 calls. */
    assert_int_equal(gicsim_gicv5_irs_read(g, 0, 3, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicv5_irs_read(g, 0, 4, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicv5_sysreg_read(g, 2, GICSIM_GICV5_ICC_PCR, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicv5_sysreg_read(g, 0, GICSIM_GICV5_SYSREG__COUNT, &v),
                     GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicv5_guest_read(g, 0, GICSIM_GICV5_ICH_VMCR, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gicv5_set_line(g, 0, LPI(1), true), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicv5_set_line(g, 0, SPI(64), true), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicv5_set_line(g, 2, PPI(27), true), GICSIM_E_RANGE);
    assert_int_equal(gicsim_gicv5_set_wire(g, 32, true), GICSIM_E_RANGE);
    assert_string_equal(gicsim_gicv5_sysreg_name(GICSIM_GICV5_ICC_PPI_PRIORITYR0 + 7),
                        "ICC_PPI_PRIORITYR7_EL1");
    assert_string_equal(gicsim_gicv5_sysreg_name(GICSIM_GICV5_ICH_CONTEXTR), "ICH_CONTEXTR_EL2");
    assert_null(gicsim_gicv5_sysreg_name(GICSIM_GICV5_SYSREG__COUNT));
    tf_gic_free(e, g);
    tf_gic_new(&e, &g, NULL);
    assert_int_equal(gicsim_gicv5_irs_read(g, 0, 4, &v), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_gicv5_msi(g, 0, 0), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_gicv5_set_line(g, 0, SPI(1), true), GICSIM_E_UNSUPPORTED);
    tf_gic_free(e, g);
    /* Configuration limits of a GICv5. */
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = GICSIM_GICV5;
    assert_int_equal(gicsim_engine_create(&e), GICSIM_OK);
    cfg.priority_bits = 6;
    assert_int_equal(gicsim_gic_create(e, &cfg, &g), GICSIM_E_INVAL);
    cfg.priority_bits = 5;
    cfg.iwb_wires = 33;
    assert_int_equal(gicsim_gic_create(e, &cfg, &g), GICSIM_E_INVAL);
    cfg.iwb_wires = 64;
    cfg.iwb_device_id = 1u << 16;
    assert_int_equal(gicsim_gic_create(e, &cfg, &g), GICSIM_E_INVAL);
    gicsim_engine_destroy(e);
}

/* A linear IST: an LPI's configuration goes to its ISTE in memory (write-through). */
static void test_ist_linear(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 2, NULL, NULL);
    tf_v5_ist(e, g, 12, false);
    tf_v5_irq_setup(e, g, 0, LPI(100), 0x18, 1);
    uint32_t iste = tf_v5_mem_rd32(g, TF_V5_IST_BASE + 4 * 100);
    assert_int_equal(iste, GICSIM_GICV5_ISTE_ENABLE | (0x18u << 11) | (1u << 16));
    /* Pending: in memory too, and delivered to PE 1. */
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(100) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_true(tf_v5_mem_rd32(g, TF_V5_IST_BASE + 400) & GICSIM_GICV5_ISTE_PENDING);
    assert_true(gicsim_gic_irq_line(g, 1));
    assert_int_equal(tf_v5_state(g, 0, LPI(100)), GICSIM_IRQ_PENDING);
    tf_v5_ack_eoi_di(g, 1, LPI(100));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_state(g, 0, LPI(100)), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_v5_mem_rd32(g, TF_V5_IST_BASE + 400) & 3u, 0);
    /* An ID beyond the IST's ID bits has no entry: dropped and counted. */
    gicsim_gicv5_stats v;
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(1u << 12) | (1ull << 32));
    tf_v5_run(e, 1000);
    gicsim_gicv5_get_stats(g, &v);
    assert_int_equal(v.irs_dropped, 1);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* A two-level IST: nothing until the L2 table is mapped (IRS_MAP_L2_ISTR sets L1 VALID). */
static void test_ist_two_level(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gicv5_stats v;
    tf_v5_open(&e, &g, 2, NULL, NULL);
    tf_v5_ist(e, g, 16, true);
    tf_v5_irq_setup(e, g, 0, LPI(5000), 0x10, 0);
    gicsim_gicv5_get_stats(g, &v);
    assert_int_equal(v.irs_dropped, 3); /* CDPRI, CDAFF, CDEN: L1 entry not valid */
    tf_v5_map_l2(e, g, 5000);
    assert_int_equal(tf_v5_mem_rd64(g, TF_V5_IST_BASE + 8 * (5000 >> 10)),
                     TF_V5_IST_L2_BASE + 0x1000 * (5000 >> 10) + 1);
    tf_v5_irq_setup(e, g, 0, LPI(5000), 0x10, 0);
    assert_int_equal(tf_v5_mem_rd32(g, TF_V5_IST_L2_BASE + 0x1000 * 4 + 4 * (5000 & 1023)),
                     GICSIM_GICV5_ISTE_ENABLE | (0x10u << 11));
    tf_v5_wr(g, 1, GICSIM_GICV5_GIC_CDPEND, LPI(5000) | (1ull << 32));
    tf_v5_run(e, 1000);
    tf_v5_ack_eoi_di(g, 0, LPI(5000));
    /* MAP_L2_ISTR without a two-level IST is ignored (WI) and counted. */
    gicsim_gic_stats s0, s1;
    tf_v5_run(e, 1000);
    gicsim_gic_get_stats(g, &s0);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_MAP_L2_ISTR, 4, 1u << 20);
    gicsim_gic_get_stats(g, &s1);
    assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* IRS_IST_BASER: the address is read-only while VALID; clearing VALID stops delivery and
 * withdraws what was pending; IST_CFGR is read-only while valid. */
static void test_ist_valid_rules(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_stats s;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_ist(e, g, 12, false);
    uint64_t baser = tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IST_BASER, 8);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_IST_BASER, 8, 0x900000 | 1u);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IST_BASER, 8), baser);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_IST_CFGR, 4, 14);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_IST_CFGR, 4), 12);
    tf_v5_irq_setup(e, g, 0, LPI(7), 0x8, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(7) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_IST_BASER, 8, baser & ~1ull);
    tf_v5_run(e, 1000);
    assert_false(gicsim_gic_irq_line(g, 0));
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.withdrawn, 1);
    assert_int_equal(s.pending_now, 0);
    /* The entry in memory keeps its state. */
    assert_true(tf_v5_mem_rd32(g, TF_V5_IST_BASE + 28) & GICSIM_GICV5_ISTE_PENDING);
    /* Valid again: the IRS learns of the pending state when it next reads the entry (here for
     * CDRCFG): a new instance, raised and delivered. The same for an entry software wrote. */
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_IST_BASER, 8, baser);
    tf_v5_run(e, 1000);
    tf_v5_mem_wr64(g, TF_V5_IST_BASE + 4 * 8,
                   (GICSIM_GICV5_ISTE_PENDING | GICSIM_GICV5_ISTE_ENABLE |
                    (0x4u << GICSIM_GICV5_ISTE_PRIO_SHIFT)) |
                       (uint64_t)tf_v5_mem_rd32(g, TF_V5_IST_BASE + 36) << 32);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDRCFG, LPI(7));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDRCFG, LPI(8));
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.raised, 3);
    assert_int_equal(s.pending_now, 2);
    tf_v5_run(e, 1000);
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_HPPIR), GICSIM_GICV5_CDIA_VALID | LPI(8));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* An IRS unit that is not idle ignores a write (counted); IDLE comes back gicv5_irs_op later. */
static void test_busy_rule(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gicv5_stats v;
    tf_v5_open(&e, &g, 2, NULL, NULL);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_SELR, 4, 5);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_SPI_STATUSR, 4), GICSIM_GICV5_IRS_V);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_SELR, 4, 6); /* busy: ignored */
    gicsim_gicv5_get_stats(g, &v);
    assert_int_equal(v.irs_busy_writes, 1);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_SPI_SELR, 4), 5);
    tf_v5_run(e, 149);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_SPI_STATUSR, 4) & 1u, 0);
    tf_v5_run(e, 1);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_SPI_STATUSR, 4),
                     GICSIM_GICV5_IRS_V | GICSIM_GICV5_IRS_IDLE);
    /* An SPI beyond the range: V=0. */
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_SELR, 4, 64);
    tf_v5_run(e, 200);
    assert_int_equal(tf_v5_irs_rd(g, GICSIM_GICV5_IRS_SPI_STATUSR, 4), GICSIM_GICV5_IRS_IDLE);
    tf_gic_free(e, g);
}

static void spi_tm(gicsim_engine *e, gicsim_gic *g, uint32_t spi, bool level)
{
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_SELR, 4, spi);
    tf_v5_run(e, 200);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_CFGR, 4, level);
    tf_v5_run(e, 200);
}

/* SPIs: an edge SPI latches on the rising edge (Activate clears Pending); a level SPI is
 * pending while its line is high, stays pending across its acknowledge and becomes a new
 * instance when deactivated with the line high; CLEAR when it falls (R_HHKMN). */
static void test_spi_modes(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_stats s;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    spi_tm(e, g, 3, true);
    tf_v5_irq_setup(e, g, 0, SPI(2), 0x10, 0);
    tf_v5_irq_setup(e, g, 0, SPI(3), 0x10, 0);
    /* Edge. */
    assert_int_equal(gicsim_gicv5_set_line(g, 0, SPI(2), true), GICSIM_OK);
    gicsim_gicv5_set_line(g, 0, SPI(2), false);
    tf_v5_run(e, 100);
    assert_int_equal(tf_v5_state(g, 0, SPI(2)), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | SPI(2));
    assert_int_equal(tf_v5_state(g, 0, SPI(2)), GICSIM_IRQ_ACTIVE);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDI, SPI(2));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_state(g, 0, SPI(2)), GICSIM_IRQ_INACTIVE);
    /* Level: HM follows TM. */
    gicsim_gicv5_set_line(g, 0, SPI(3), true);
    tf_v5_run(e, 100);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDRCFG, SPI(3));
    assert_true(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_ICSR) & (1u << 5)); /* HM level */
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_GICR_CDIA), GICSIM_GICV5_CDIA_VALID | SPI(3));
    assert_int_equal(tf_v5_state(g, 0, SPI(3)), GICSIM_IRQ_ACTIVE_PENDING);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEOI, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDI, SPI(3));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_state(g, 0, SPI(3)), GICSIM_IRQ_PENDING);
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.raised, 3); /* edge, level, the level's second instance */
    assert_int_equal(s.acknowledged, 2);
    gicsim_gicv5_set_line(g, 0, SPI(3), false); /* CLEAR */
    tf_v5_run(e, 100);
    assert_int_equal(tf_v5_state(g, 0, SPI(3)), GICSIM_IRQ_INACTIVE);
    gicsim_gic_get_stats(g, &s);
    assert_int_equal(s.withdrawn, 1);
    /* A resample of a high level SPI sets it pending again. */
    gicsim_gicv5_set_line(g, 0, SPI(3), true);
    tf_v5_run(e, 100);
    gicsim_gicv5_set_line(g, 0, SPI(3), false);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_SPI_RESAMPLER, 4, 3);
    assert_int_equal(tf_v5_state(g, 0, SPI(3)), GICSIM_IRQ_INACTIVE);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* An IPI: PE 0's GIC CDPEND of an LPI targeted at PE 1. It reaches the IRS after
 * gicv5_cpuif_to_irs (270 ns), which reads the ISTE (gicv5_ist_read, 100 ns) and forwards it
 * (gicv5_irs_to_cpuif, 30 ns): PE 1's IRQ rises 400 ns after the instruction. */
static void test_ipi_timing(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_ev_log log = {0};
    tf_v5_open(&e, &g, 2, NULL, NULL);
    tf_ev_log_attach(&log, g);
    tf_v5_ist(e, g, 12, false);
    tf_v5_irq_setup(e, g, 0, LPI(1), 0x10, 1);
    gicsim_time_t t0 = gicsim_engine_now(e);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(1) | (1ull << 32));
    tf_v5_run(e, 399);
    assert_false(gicsim_gic_irq_line(g, 1));
    tf_v5_run(e, 1);
    assert_true(gicsim_gic_irq_line(g, 1));
    const gicsim_gic_event *raise = tf_ev_last(&log, GICSIM_GEV_RAISE, 1, LPI(1));
    assert_int_equal(raise->time - t0, GICSIM_NS(370));
    const gicsim_gic_event *sig = tf_ev_last(&log, GICSIM_GEV_SIGNAL, 1, LPI(1));
    assert_int_equal(sig->time - t0, GICSIM_NS(400));
    tf_v5_ack_eoi_di(g, 1, LPI(1));
    /* The second time the ISTE is cached? No: it left the cache when it became idle, so the
     * next IPI pays the read again; one sent while it is still pending (active) hits. */
    tf_v5_run(e, 1000);
    gicsim_gicv5_stats v;
    gicsim_gicv5_get_stats(g, &v);
    assert_true(v.ist_reads >= 2);
    tf_ev_log_free(&log);
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* Selection: lowest priority value first; equal priorities go to the lower key (LPIs before
 * SPIs, then the lower ID); a disabled or active interrupt is not a candidate. */
static void test_selection(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_ist(e, g, 12, false);
    tf_v5_irq_setup(e, g, 0, SPI(9), 0x10, 0);
    tf_v5_irq_setup(e, g, 0, LPI(9), 0x10, 0);
    tf_v5_irq_setup(e, g, 0, LPI(3), 0x18, 0);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, SPI(9) | (1ull << 32));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(9) | (1ull << 32));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPEND, LPI(3) | (1ull << 32));
    tf_v5_run(e, 1000);
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_HPPIR), GICSIM_GICV5_CDIA_VALID | LPI(9));
    tf_v5_ack_eoi_di(g, 0, LPI(9));
    tf_v5_run(e, 1000);
    tf_v5_ack_eoi_di(g, 0, SPI(9));
    tf_v5_run(e, 1000);
    /* Disable the last: no candidate. */
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDDIS, LPI(3));
    tf_v5_run(e, 1000);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_HPPIR), 0);
    assert_int_equal(tf_v5_state(g, 0, LPI(3)), GICSIM_IRQ_PENDING);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEN, LPI(3));
    tf_v5_run(e, 1000);
    tf_v5_ack_eoi_di(g, 0, LPI(3));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* IRS_CR0.IRSEN=0: nothing is forwarded; enabling again delivers what is pending. */
static void test_irs_enable(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_irq_setup(e, g, 0, SPI(1), 0x10, 0);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_CR0, 4, 0);
    tf_v5_run(e, 1000);
    gicsim_gicv5_set_line(g, 0, SPI(1), true);
    tf_v5_run(e, 1000);
    assert_false(gicsim_gic_irq_line(g, 0));
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_CR0, 4, 1);
    tf_v5_run(e, 1000);
    assert_true(gicsim_gic_irq_line(g, 0));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* 1-of-N (IRM=1): the IRS picks a PE whose CPU interface is enabled and whose IRS_PE_CR0.DPS is
 * 0 (os_init sets DPS on every PE, as Linux does). */
static void test_one_of_n(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    tf_v5_open(&e, &g, 3, NULL, NULL);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDPRI, SPI(4) | (0x10ull << 35));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDAFF, SPI(4) | (1ull << 28));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDEN, SPI(4));
    tf_v5_run(e, 1000);
    gicsim_gicv5_set_line(g, 0, SPI(4), true);
    tf_v5_run(e, 1000);
    for (uint32_t pe = 0; pe < 3; pe++)
        assert_false(gicsim_gic_irq_line(g, pe)); /* every PE has DPS=1 */
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_PE_SELR, 4, 2);
    tf_v5_run(e, 200);
    tf_v5_irs_wr(g, GICSIM_GICV5_IRS_PE_CR0, 4, 0); /* PE 2 takes part: the choice re-runs */
    tf_v5_run(e, 1000);
    assert_true(gicsim_gic_irq_line(g, 2));
    assert_false(gicsim_gic_irq_line(g, 0));
    tf_v5_ack_eoi_di(g, 2, SPI(4));
    tf_v5_check(g);
    tf_gic_free(e, g);
}

/* GIC CDRCFG reads the configuration into ICC_ICSR_EL1; an unknown interrupt reads F=1; the
 * IRS keeps its priority bits (4 here: the lowest priority bit reads 0). */
static void test_request_config(void **st)
{
    (void)st;
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = GICSIM_GICV5;
    cfg.priority_bits = 4;
    tf_gic_new(&e, &g, &cfg);
    gicsim_gic_os_init(g);
    tf_v5_irq_setup(e, g, 0, SPI(5), 0x13, 3);
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDRCFG, SPI(5));
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_ICSR),
                     (1u << 1) | (0x12u << 11) | (3ull << 32));
    tf_v5_wr(g, 0, GICSIM_GICV5_GIC_CDRCFG, LPI(5)); /* no IST */
    assert_int_equal(tf_v5_rd(g, 0, GICSIM_GICV5_ICC_ICSR), 1);
    tf_gic_free(e, g);
}

/* The invariant checker sees a broken accounting and a broken candidate set. */
static void test_invariant_checker(void **st)
{
    (void)st;
    if (!gicsim_invariants_enabled())
        skip();
    gicsim_engine *e;
    gicsim_gic *g;
    char msg[256];
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_irq_setup(e, g, 0, SPI(1), 0x10, 0);
    gicsim_gicv5_set_line(g, 0, SPI(1), true);
    tf_v5_run(e, 100);
    tf_v5_check(g);
    g->stats.pending_now++;
    g->stats.raised++;
    assert_int_equal(gicsim_gic_check_invariants(g, msg, sizeof msg), GICSIM_E_STATE);
    assert_non_null(strstr(msg, "outstanding"));
    tf_gic_free(e, g);
    tf_v5_open(&e, &g, 1, NULL, NULL);
    tf_v5_irq_setup(e, g, 0, SPI(1), 0x10, 0);
    gicsim_gicv5_set_line(g, 0, SPI(1), true);
    tf_v5_run(e, 100);
    g->v5->irs.spi[1].iste &= ~GICSIM_GICV5_ISTE_ENABLE; /* in the heap, not a candidate */
    assert_int_equal(gicsim_gic_check_invariants(g, msg, sizeof msg), GICSIM_E_STATE);
    assert_non_null(strstr(msg, "exactly one heap"));
    tf_gic_free(e, g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_registers),      cmocka_unit_test(test_versions),
        cmocka_unit_test(test_ist_linear),        cmocka_unit_test(test_ist_two_level),
        cmocka_unit_test(test_ist_valid_rules),   cmocka_unit_test(test_busy_rule),
        cmocka_unit_test(test_spi_modes),         cmocka_unit_test(test_ipi_timing),
        cmocka_unit_test(test_selection),         cmocka_unit_test(test_irs_enable),
        cmocka_unit_test(test_one_of_n),          cmocka_unit_test(test_request_config),
        cmocka_unit_test(test_invariant_checker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
