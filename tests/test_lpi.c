/* gicsim: tests of the simulated memory, the redistributors' LPIs (GICR
 * PROPBASER/PENDBASER, EnableLPIs, configuration caching, direct LPI
 * registers) and GICv4 direct injection (vPE residency, vLPIs, doorbells,
 * GICv4.1 vSGIs). The ITS-facing calls of lib/gic/lpi.c and vlpi.c are
 * internal: this test includes gic/gic_internal.h and reaches them through
 * the static library. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "gic/gic_internal.h"
#include "support/fixtures.h"

#include <string.h>

#define PROP 0x80000000ull  /* LPI configuration table */
#define PEND 0x80100000ull  /* pending table of PE 0 (64 KiB aligned) */
#define PEND1 0x80200000ull /* pending table of PE 1 */
#define VPROP 0x90000000ull /* the VM's vLPI configuration table */
#define VPT 0x90100000ull   /* the vPE's virtual pending table */
#define VPT2 0x90200000ull  /* another vPE */
#define NO_DB 1023u

/* ---- fixture and helpers ---- */

/* A GIC with an event log (support/fixtures.h). */
typedef tf_gic_fx fx;

/* A GIC of version `v` with `lpi_id_bits` INTID bits after gicsim_gic_os_init. */
static fx *fx_new_cfg(gicsim_gic_version v, uint8_t lpi_id_bits)
{
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = v;
    cfg.lpi_id_bits = lpi_id_bits;
    return tf_gic_fx_new(&cfg, true, TF_LINES_NONE);
}

static fx *fx_new(gicsim_gic_version v)
{
    return fx_new_cfg(v, 16);
}

static bool table_bit(gicsim_gic *g, uint64_t table, uint32_t intid)
{
    uint8_t b = 0;
    assert_int_equal(gicsim_mem_read(g, table + intid / 8u, &b, 1), GICSIM_OK);
    return (b >> (intid % 8u)) & 1u;
}

/* Program PE `pe`'s LPI tables (`bits` INTID bits) and optionally enable LPIs. */
static void lpi_program(gicsim_gic *g, uint32_t pe, uint64_t pend, unsigned bits, bool enable)
{
    tf_gicr_wr(g, pe, GICSIM_GICR_PROPBASER, 8, PROP | (bits - 1u));
    tf_gicr_wr(g, pe, GICSIM_GICR_PENDBASER, 8, pend);
    if (enable)
        tf_gicr_wr(g, pe, GICSIM_GICR_CTLR, 4, GICSIM_GICR_CTLR_ENABLE_LPIS);
}

/* ---- simulated memory ---- */

static void test_memory_basic(void **state)
{
    (void)state;
    gic_mem *m;
    assert_int_equal(mem_create(&m, NULL), GICSIM_OK);
    uint8_t buf[16];
    memset(buf, 0xAA, sizeof buf);
    mem_read(m, 0x12345678, buf, sizeof buf); /* untouched: zeros */
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    assert_int_equal(mem_pages(m), 0);
    /* A write across a page boundary allocates both pages. */
    uint8_t pat[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(mem_write(m, 0x1FFC, pat, sizeof pat), GICSIM_OK);
    assert_int_equal(mem_pages(m), 2);
    mem_read(m, 0x1FFC, buf, 8);
    assert_memory_equal(buf, pat, 8);
    /* Little-endian 64-bit helpers. */
    assert_int_equal(mem_read64(m, 0x1FFC), 0x0807060504030201ull);
    assert_int_equal(mem_write64(m, 0x5000, 0x1122334455667788ull), GICSIM_OK);
    mem_read(m, 0x5000, buf, 1);
    assert_int_equal(buf[0], 0x88);
    assert_int_equal(mem_read64(m, 0x5000), 0x1122334455667788ull);
    /* Many scattered pages: the table grows and keeps them all. */
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_equal(mem_write64(m, i * 0x100000ull + 8, i + 1), GICSIM_OK);
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_equal(mem_read64(m, i * 0x100000ull + 8), i + 1);
    assert_int_equal(mem_read64(m, 0x1FFC), 0x0807060504030201ull);
    mem_free(m);
}

static void test_memory_public_api(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    uint32_t v = 0xCAFEF00Du, r = 0;
    assert_int_equal(gicsim_mem_write(f->g, 0x4000, &v, sizeof v), GICSIM_OK);
    assert_int_equal(gicsim_mem_read(f->g, 0x4000, &r, sizeof r), GICSIM_OK);
    assert_int_equal(r, v);
    assert_int_equal(gicsim_mem_write(f->g, UINT64_MAX - 1, &v, sizeof v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_mem_read(f->g, UINT64_MAX, &r, 2), GICSIM_E_RANGE);
    assert_int_equal(gicsim_mem_write(NULL, 0, &v, 1), GICSIM_E_INVAL);
    assert_int_equal(gicsim_mem_read(f->g, 0, NULL, 1), GICSIM_E_INVAL);
    tf_gic_fx_free(f);
}

/* 2^20 LPIs configurable, but memory and redistributor state grow only with
 * the LPIs used. */
static void test_sparse_lpis(void **state)
{
    (void)state;
    fx *f = fx_new_cfg(GICSIM_GICV3, 20);
    gicsim_gic *g = f->g;
    assert_int_equal((tf_gicd_rd(g, GICSIM_GICD_TYPER, 4) >> 19) & 0x1Fu, 19);
    lpi_program(g, 0, PEND, 20, true);
    const uint32_t ids[] = {8192, 300000, 700001, (1u << 20) - 1};
    for (size_t i = 0; i < 4; i++)
        tf_lpi_config(g, PROP, ids[i], 0x80, true);
    size_t pages0 = mem_pages(g->mem);
    assert_true(pages0 <= 4);
    for (size_t i = 0; i < 4; i++)
        lpi_set_pending(g, 0, ids[i]);
    tf_settle(f->e);
    /* Each pending bit lives in one page of the 128 KiB pending table. */
    assert_true(mem_pages(g->mem) <= pages0 + 4);
    for (size_t i = 0; i < 4; i++) {
        assert_true(table_bit(g, PEND, ids[i]));
        assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), ids[i]);
        tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, ids[i]);
        assert_false(table_bit(g, PEND, ids[i]));
        tf_settle(f->e);
    }
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* ---- physical LPIs ---- */

static void test_lpi_priority_order(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    tf_lpi_config(g, PROP, 8192, 0x80, true); /* higher than SGI/SPI (0xA0) */
    tf_lpi_config(g, PROP, 8193, 0xA0, true); /* equal: the lower INTIDs win */
    tf_lpi_config(g, PROP, 8194, 0x60, true);
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8), GICSIM_OK);
    assert_int_equal(gicsim_gicd_write(g, GICSIM_GICD_ICFGR + 8, 4, 2u << 16), GICSIM_OK);
    assert_int_equal(gicsim_gic_pulse(g, 0, 40), GICSIM_OK); /* SPI 40, edge */
    tf_icc_wr(g, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(1, 1, 0, 0, 0, 0, false));
    lpi_set_pending(g, 0, 8193);
    lpi_set_pending(g, 0, 8192);
    lpi_set_pending(g, 0, 8194);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 0));
    const uint32_t order[] = {8194, 8192, 1, 40, 8193};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR1), order[i]);
        assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), order[i]);
        tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, order[i]);
        tf_settle(f->e);
    }
    assert_false(gicsim_gic_irq_line(g, 0));
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* Many LPIs with random priorities, some reconfigured by INV while pending:
 * delivery follows (priority, INTID) order exactly. */
static void test_lpi_order_stress(void **state)
{
    (void)state;
    enum { N = 400 };
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    static uint8_t prio[N];
    static bool on[N];
    uint32_t x = 12345u;
    for (uint32_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        prio[i] = (uint8_t)(((x >> 16) & 0xF8u) % 0xF8u); /* below PMR (0xF8 with 5 bits) */
        on[i] = ((x >> 8) & 7u) != 0;
        tf_lpi_config(g, PROP, 8192 + i * 7u, prio[i], on[i]);
    }
    for (uint32_t k = 0; k < N; k++) { /* a permutation of 0..N-1 */
        uint32_t i = (k * 173u) % N;
        lpi_set_pending(g, 0, 8192 + i * 7u);
    }
    /* Reconfigure a third of them while pending. */
    for (uint32_t i = 0; i < N; i += 3) {
        prio[i] = (uint8_t)(0xF0u - prio[i]) & 0xF8u;
        on[i] = !on[i];
        tf_lpi_config(g, PROP, 8192 + i * 7u, prio[i], on[i]);
        lpi_inv(g, 0, 8192 + i * 7u);
    }
    tf_settle(f->e);
    unsigned last_p = 0, last_id = 0, n = 0;
    for (;;) {
        uint32_t id = (uint32_t)tf_icc_rd(g, 0, GICSIM_ICC_IAR1);
        if (id == GICSIM_INTID_SPURIOUS)
            break;
        uint32_t i = (id - 8192) / 7u;
        assert_true(on[i]);
        assert_true(prio[i] > last_p || (prio[i] == last_p && id > last_id));
        last_p = prio[i];
        last_id = id;
        n++;
        tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, id);
        tf_settle(f->e);
    }
    unsigned expect = 0;
    for (uint32_t i = 0; i < N; i++)
        expect += on[i];
    assert_int_equal(n, expect);
    assert_int_equal(tf_gic_stats(g).pending_now, N - expect);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* The rule: the redistributor caches configuration. Disabled in the
 * table and followed by INV, an LPI is not delivered; re-enabled and followed
 * by INVALL, it is. Without an invalidation, memory changes have no effect. */
static void test_inv_invall(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    tf_lpi_config(g, PROP, 8200, 0x40, true);
    lpi_set_pending(g, 0, 8200);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8200);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8200);
    /* Disabled in memory, no INV: the cached copy still says enabled. */
    tf_lpi_config(g, PROP, 8200, 0x40, false);
    lpi_set_pending(g, 0, 8200);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8200);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8200);
    /* INV reloads it: now disabled, the LPI stays pending, undelivered. */
    uint64_t reads = tf_gic_stats(g).lpi_config_reads;
    lpi_inv(g, 0, 8200);
    assert_int_equal(tf_gic_stats(g).lpi_config_reads, reads + 1);
    lpi_set_pending(g, 0, 8200);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    assert_int_equal(tf_irq_state(g, 0, 8200), GICSIM_IRQ_PENDING);
    /* Enabled with a new priority, no invalidation yet: nothing. */
    tf_lpi_config(g, PROP, 8200, 0x20, true);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 0));
    /* INVALL: delivered, with the new priority. */
    lpi_invall(g, 0);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8200);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_RPR), 0x20);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8200);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* The same through the redistributor's own registers (GICR_TYPER.DirectLPI):
 * SETLPIR, CLRLPIR, INVLPIR, INVALLR, SYNCR. */
static void test_direct_lpi_registers(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 1, PEND1, 16, true);
    tf_lpi_config(g, PROP, 9000, 0x40, true);
    tf_gicr_wr(g, 1, GICSIM_GICR_SETLPIR, 8, 9000);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 9000);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 9000);
    tf_lpi_config(g, PROP, 9000, 0x40, false);
    tf_gicr_wr(g, 1, GICSIM_GICR_INVLPIR, 8, 9000);
    /* GICR_SYNCR.Busy while the redistributor reads the configuration byte
     * (lpi_config_read), then clear. */
    gicsim_time_t inv = gicsim_engine_now(f->e);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_SYNCR, 4), 1);
    gicsim_engine_run_until(f->e, inv + tf_cost_ps(GICSIM_COST_LPI_CONFIG_READ) - 1);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_SYNCR, 4), 1);
    gicsim_engine_run_until(f->e, inv + tf_cost_ps(GICSIM_COST_LPI_CONFIG_READ));
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_SYNCR, 4), 0);
    tf_gicr_wr(g, 1, GICSIM_GICR_SETLPIR, 8, 9000);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 1));
    assert_true(table_bit(g, PEND1, 9000));
    tf_lpi_config(g, PROP, 9000, 0x40, true);
    tf_gicr_wr(g, 1, GICSIM_GICR_INVALLR, 8, 0);
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(g, 1));
    /* CLRLPIR withdraws it. */
    uint64_t w = tf_gic_stats(g).withdrawn;
    tf_gicr_wr(g, 1, GICSIM_GICR_CLRLPIR, 8, 9000);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 1));
    assert_int_equal(tf_gic_stats(g).withdrawn, w + 1);
    assert_false(table_bit(g, PEND1, 9000));
    /* Write-only registers read as zero (counted). */
    uint64_t raz = tf_gic_stats(g).raz_wi_reads;
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_SETLPIR, 8), 0);
    assert_int_equal(tf_gic_stats(g).raz_wi_reads, raz + 1);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* Nothing is delivered while EnableLPIs is 0; the pending bit is recorded.
 * At EnableLPIs the pending table is read (unless PTZ). */
static void test_enable_lpis_holds_delivery(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, false);
    tf_lpi_config(g, PROP, 8300, 0x40, true);
    tf_lpi_config(g, PROP, 8310, 0x50, true);
    lpi_set_pending(g, 0, 8300);
    /* Software pre-sets a bit in the pending table. */
    uint8_t b = 1u << (8310 % 8);
    assert_int_equal(gicsim_mem_write(g, PEND + 8310 / 8, &b, 1), GICSIM_OK);
    tf_settle(f->e);
    assert_true(table_bit(g, PEND, 8300));
    assert_int_equal(tf_irq_state(g, 0, 8300), GICSIM_IRQ_PENDING);
    assert_false(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    tf_gicr_wr(g, 0, GICSIM_GICR_CTLR, 4, GICSIM_GICR_CTLR_ENABLE_LPIS);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8300);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8300);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8310);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8310);
    tf_assert_gic_accounting(g);

    /* PTZ=1: the table is taken to be zero and not read. */
    lpi_program(g, 1, PEND1, 16, false);
    tf_gicr_wr(g, 1, GICSIM_GICR_PENDBASER, 8, PEND1 | GICSIM_GICR_PENDBASER_PTZ);
    assert_int_equal(tf_gicr_rd(g, 1, GICSIM_GICR_PENDBASER, 8), PEND1); /* PTZ reads 0 */
    assert_int_equal(gicsim_mem_write(g, PEND1 + 8310 / 8, &b, 1), GICSIM_OK);
    tf_gicr_wr(g, 1, GICSIM_GICR_CTLR, 4, GICSIM_GICR_CTLR_ENABLE_LPIS);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(g, 1));
    tf_gic_fx_free(f);
}

static void test_basers_ro_after_enable(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    /* 32-bit halves work before EnableLPIs. */
    tf_gicr_wr(g, 0, GICSIM_GICR_PROPBASER, 4, (uint32_t)PROP | 15u);
    tf_gicr_wr(g, 0, GICSIM_GICR_PROPBASER + 4, 4, 0x1);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_PROPBASER, 8), 0x100000000ull | PROP | 15u);
    lpi_program(g, 0, PEND, 16, true);
    uint64_t prop = tf_gicr_rd(g, 0, GICSIM_GICR_PROPBASER, 8);
    uint64_t pend = tf_gicr_rd(g, 0, GICSIM_GICR_PENDBASER, 8);
    assert_int_equal(prop, PROP | 15u);
    assert_int_equal(pend, PEND);
    uint64_t wi = tf_gic_stats(g).raz_wi_writes;
    tf_gicr_wr(g, 0, GICSIM_GICR_PROPBASER, 8, 0x1000 | 19u);
    tf_gicr_wr(g, 0, GICSIM_GICR_PENDBASER, 8, 0x20000);
    tf_gicr_wr(g, 0, GICSIM_GICR_PENDBASER + 4, 4, 0);
    tf_gicr_wr(g, 0, GICSIM_GICR_CTLR, 4, 0); /* CES=0: EnableLPIs stays 1 */
    assert_int_equal(tf_gic_stats(g).raz_wi_writes, wi + 4);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_PROPBASER, 8), prop);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_PENDBASER, 8), pend);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_CTLR, 4), GICSIM_GICR_CTLR_ENABLE_LPIS);
    /* Another redistributor is still writable. */
    tf_gicr_wr(g, 2, GICSIM_GICR_PROPBASER, 8, 0x1000 | 19u);
    assert_int_equal(tf_gicr_rd(g, 2, GICSIM_GICR_PROPBASER, 8), 0x1000 | 19u);
    tf_gic_fx_free(f);
}

/* INTIDs beyond PROPBASER.IDbits (capped by GICD_TYPER.IDbits) are ignored. */
static void test_lpi_id_range(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 14, true);
    tf_lpi_config(g, PROP, 16383, 0x40, true);
    tf_lpi_config(g, PROP, 16384, 0x40, true);
    lpi_set_pending(g, 0, 16384);
    lpi_set_pending(g, 0, 8191);
    assert_int_equal(tf_gic_stats(g).lpis_dropped, 2);
    lpi_set_pending(g, 0, 16383);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 16383);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 16383);
    /* IDbits above GICD_TYPER.IDbits (16 bits) acts as 16 bits. */
    lpi_program(g, 1, PEND1, 20, true);
    lpi_set_pending(g, 1, 1u << 16);
    assert_int_equal(tf_gic_stats(g).lpis_dropped, 3);
    /* No wire for LPIs. */
    assert_int_equal(gicsim_gic_set_line(g, 0, 16383, true), GICSIM_E_RANGE);
    tf_gic_fx_free(f);
}

static void test_lpi_accounting(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    for (uint32_t i = 0; i < 4; i++)
        tf_lpi_config(g, PROP, 8192 + i, (uint8_t)(0x40 + 8 * i), true);
    gicsim_gic_stats s0 = tf_gic_stats(g);
    for (uint32_t i = 0; i < 4; i++)
        lpi_set_pending(g, 0, 8192 + i);
    lpi_set_pending(g, 0, 8193); /* merges */
    tf_assert_gic_accounting(g);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raised - s0.raised, 4);
    assert_int_equal(s1.merged - s0.merged, 1);
    assert_int_equal(s1.pending_now - s0.pending_now, 4);
    assert_int_equal(s1.lpis_set - s0.lpis_set, 5);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_MERGE, TF_ANY, TF_ANY), 1);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    lpi_clear_pending(g, 0, 8195);
    tf_assert_gic_accounting(g);
    gicsim_gic_stats s2 = tf_gic_stats(g);
    assert_int_equal(s2.acknowledged - s0.acknowledged, 1);
    assert_int_equal(s2.withdrawn - s0.withdrawn, 1);
    assert_int_equal(s2.pending_now - s0.pending_now, 2);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_ACK, TF_ANY, TF_ANY), 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_WITHDRAW, TF_ANY, TF_ANY), 1);
    /* LPIs have no active state: an acknowledged LPI is inactive at once and
     * can be pending again before its EOI. */
    assert_int_equal(tf_irq_state(g, 0, 8192), GICSIM_IRQ_INACTIVE);
    lpi_set_pending(g, 0, 8192);
    assert_int_equal(tf_irq_state(g, 0, 8192), GICSIM_IRQ_PENDING);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* EOI of an LPI is a priority drop only, in both EOImodes: no deactivation,
 * and not counted as an ignored operation. */
static void test_lpi_eoi_priority_drop(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    tf_lpi_config(g, PROP, 8192, 0x40, true);
    for (int mode = 0; mode < 2; mode++) {
        tf_icc_wr(g, 0, GICSIM_ICC_CTLR, mode ? GICSIM_ICC_CTLR_EOIMODE : 0);
        lpi_set_pending(g, 0, 8192);
        tf_settle(f->e);
        assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8192);
        assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_RPR), 0x40);
        gicsim_gic_stats s0 = tf_gic_stats(g);
        tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8192);
        gicsim_gic_stats s1 = tf_gic_stats(g);
        assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_RPR), 0xFF);
        assert_int_equal(s1.priority_drops - s0.priority_drops, 1);
        assert_int_equal(s1.deactivations, s0.deactivations);
        assert_int_equal(s1.ignored_ops, s0.ignored_ops);
        if (mode) { /* DIR of an LPI has nothing to deactivate */
            tf_icc_wr(g, 0, GICSIM_ICC_DIR, 8192);
            assert_int_equal(tf_gic_stats(g).ignored_ops, s1.ignored_ops + 1);
        }
    }
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_DEACTIVATE, TF_ANY, TF_ANY), 0);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* MOVI/MOVALL move pending state (and the pending table bits). */
static void test_lpi_move(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    lpi_program(g, 1, PEND1, 16, true);
    for (uint32_t i = 0; i < 3; i++)
        tf_lpi_config(g, PROP, 8192 + i, 0x40, true);
    tf_icc_wr(g, 0, GICSIM_ICC_PMR, 0); /* PE 0 takes nothing */
    for (uint32_t i = 0; i < 3; i++)
        lpi_set_pending(g, 0, 8192 + i);
    tf_settle(f->e);
    gicsim_gic_stats s0 = tf_gic_stats(g);
    lpi_move(g, 0, 1, 8192);
    tf_settle(f->e);
    assert_false(table_bit(g, PEND, 8192));
    assert_true(table_bit(g, PEND1, 8192));
    assert_int_equal(tf_irq_state(g, 0, 8192), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_irq_state(g, 1, 8192), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 8192);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 8192);
    /* MOVALL: the rest; one is already pending on PE 1 and merges. */
    lpi_set_pending(g, 1, 8194);
    lpi_move_all(g, 0, 1);
    tf_settle(f->e);
    assert_int_equal(tf_irq_state(g, 0, 8193), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_irq_state(g, 0, 8194), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 8193);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 8193);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 8194);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 8194);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(s1.raised - s0.raised, 1); /* only the new 8194 */
    assert_int_equal(s1.merged - s0.merged, 1);
    assert_int_equal(s1.pending_now, 0);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* ---- identification registers ---- */

static void test_id_registers(void **state)
{
    (void)state;
    const gicsim_gic_version vs[] = {GICSIM_GICV3, GICSIM_GICV4_0, GICSIM_GICV4_1};
    for (size_t i = 0; i < 3; i++) {
        fx *f = fx_new_cfg(vs[i], 18);
        gicsim_gic *g = f->g;
        uint64_t t = tf_gicr_rd(g, 0, GICSIM_GICR_TYPER, 8);
        assert_true(t & GICSIM_GICR_TYPER_PLPIS);
        assert_true(t & GICSIM_GICR_TYPER_DIRECT_LPI);
        assert_int_equal(!!(t & GICSIM_GICR_TYPER_VLPIS), vs[i] != GICSIM_GICV3);
        assert_int_equal(!!(t & GICSIM_GICR_TYPER_DIRTY), vs[i] != GICSIM_GICV3);
        assert_int_equal(!!(t & GICSIM_GICR_TYPER_VSGI), vs[i] == GICSIM_GICV4_1);
        assert_false(t & GICSIM_GICR_TYPER_RVPEID);
        uint64_t d = tf_gicd_rd(g, GICSIM_GICD_TYPER, 4);
        assert_true(d & GICSIM_GICD_TYPER_LPIS);
        assert_int_equal((d >> 19) & 0x1Fu, 17);
        bool v41 = vs[i] == GICSIM_GICV4_1;
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_TYPER2, 4),
                         v41 ? GICSIM_GICD_TYPER2_NASSGICAP : 0);
        uint64_t ctlr = tf_gicd_rd(g, GICSIM_GICD_CTLR, 4);
        assert_int_equal(
            gicsim_gicd_write(g, GICSIM_GICD_CTLR, 4, ctlr | GICSIM_GICD_CTLR_NASSGIREQ),
            GICSIM_OK);
        assert_int_equal(!!(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4) & GICSIM_GICD_CTLR_NASSGIREQ), v41);
        assert_int_equal(tf_gicd_rd(g, GICSIM_GICD_CTLR, 4) & ~GICSIM_GICD_CTLR_NASSGIREQ, ctlr);
        /* VLPI_base: RAZ/WI (counted) on GICv3. */
        gicsim_gic_stats s0 = tf_gic_stats(g);
        tf_gicr_wr(g, 0, GICSIM_GICR_VPROPBASER, 8, VPROP | 15u);
        uint64_t vp = tf_gicr_rd(g, 0, GICSIM_GICR_VPROPBASER, 8);
        gicsim_gic_stats s1 = tf_gic_stats(g);
        if (vs[i] == GICSIM_GICV3) {
            assert_int_equal(vp, 0);
            assert_int_equal(s1.raz_wi_writes - s0.raz_wi_writes, 1);
            assert_int_equal(s1.raz_wi_reads - s0.raz_wi_reads, 1);
        } else {
            assert_int_equal(vp, VPROP | 15u);
            assert_int_equal(s1.raz_wi_writes, s0.raz_wi_writes);
        }
        tf_gic_fx_free(f);
    }
}

/* ---- GICv4 ---- */

static void make_resident(fx *f, uint32_t pe, uint64_t vpt)
{
    tf_gicr_wr(f->g, pe, GICSIM_GICR_VPROPBASER, 8, VPROP | 15u);
    tf_gicr_wr(f->g, pe, GICSIM_GICR_VPENDBASER, 8, vpt | GICSIM_GICR_VPENDBASER_VALID);
}

/* Valid 1 -> 0; GICv4.1: with GICR_VPENDBASER.Doorbell, asking for the
 * vPE's doorbell while it is away (what KVM does for a vCPU that blocks). */
static void make_nonresident(fx *f, uint32_t pe, uint64_t vpt)
{
    tf_gicr_wr(f->g, pe, GICSIM_GICR_VPENDBASER, 8, vpt | GICSIM_GICR_VPENDBASER_DB);
}

/* A vLPI for the resident vPE is presented on the virtual CPU interface, with
 * no list register involved; EOI only drops the priority. */
static void test_vlpi_resident(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_0);
    gicsim_gic *g = f->g;
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    tf_lpi_config(g, VPROP, 8193, 0x60, true);
    tf_vcpu_on(g, 0, 0xFF);
    make_resident(f, 0, VPT);
    uint64_t vpend = tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8);
    assert_true(vpend & GICSIM_GICR_VPENDBASER_VALID);
    assert_true(vpend & GICSIM_GICR_VPENDBASER_DIRTY);
    assert_int_equal(vpend & ~(GICSIM_GICR_VPENDBASER_VALID | GICSIM_GICR_VPENDBASER_DIRTY), VPT);
    tf_settle(f->e); /* the vpt_scan */
    assert_false(tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8) & GICSIM_GICR_VPENDBASER_DIRTY);
    /* VPROPBASER is read-only while a vPE is resident. */
    uint64_t wi = tf_gic_stats(g).raz_wi_writes;
    tf_gicr_wr(g, 0, GICSIM_GICR_VPROPBASER, 8, 0);
    assert_int_equal(tf_gic_stats(g).raz_wi_writes, wi + 1);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_VPROPBASER, 8), VPROP | 15u);

    vlpi_set_pending(g, 0, VPT, VPROP, 8193, NO_DB);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    assert_true(table_bit(g, VPT, 8192));
    assert_true(gicsim_gic_virq_line(g, 0));
    assert_int_equal(tf_ev_last(&f->ev, GICSIM_GEV_VSIGNAL, TF_ANY, TF_ANY)->intid, 8192);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 8192);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    assert_false(table_bit(g, VPT, 8192));
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_RPR), 0x40);
    for (unsigned n = 0; n < 4; n++)
        assert_int_equal(tf_ich_rd(g, 0, (gicsim_ich_reg)(GICSIM_ICH_LR0 + n)), 0);
    /* 8193 (0x60) cannot preempt 0x40. */
    assert_false(gicsim_gic_virq_line(g, 0));
    gicsim_gic_stats s0 = tf_gic_stats(g);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 8192);
    gicsim_gic_stats s1 = tf_gic_stats(g);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(s1.v_eoicount, s0.v_eoicount);
    assert_int_equal(s1.ignored_ops, s0.ignored_ops);
    assert_int_equal(s1.v_deactivations, s0.v_deactivations);
    /* Now 8193. A list register interrupt of equal priority wins the tie;
     * one of higher priority goes first. */
    assert_true(gicsim_gic_virq_line(g, 0));
    tf_ich_wr(g, 0, GICSIM_ICH_LR0,
              gicsim_lr_value(40, 0x60, true, false, 0, GICSIM_LR_STATE_PENDING));
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 40);
    tf_ich_wr(g, 0, GICSIM_ICH_LR0,
              gicsim_lr_value(40, 0x70, true, false, 0, GICSIM_LR_STATE_PENDING));
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8193);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 8193);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 40);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 40);
    assert_false(gicsim_gic_virq_line(g, 0));
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VACK, TF_ANY, TF_ANY), 3);
    /* VENG1=0: vLPIs are Group 1, not presented. */
    tf_ich_wr(g, 0, GICSIM_ICH_VMCR, 0xFFull << GICSIM_ICH_VMCR_VPMR_SHIFT);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    assert_false(gicsim_gic_virq_line(g, 0));
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
    tf_gic_fx_free(f);
}

/* vLPI configuration is cached per vPE: INV and INVALL reload it. */
static void test_vlpi_inv(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_0);
    gicsim_gic *g = f->g;
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    tf_vcpu_on(g, 0, 0xFF);
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 8192);
    tf_lpi_config(g, VPROP, 8192, 0x40, false);
    vlpi_inv(g, 0, VPT, 8192);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    assert_false(gicsim_gic_virq_line(g, 0));
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    assert_false(gicsim_gic_virq_line(g, 0));
    vlpi_invall(g, 0, VPT);
    assert_true(gicsim_gic_virq_line(g, 0));
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    vlpi_clear_pending(g, 0, VPT, 8192);
    assert_false(table_bit(g, VPT, 8192));
    tf_gic_fx_free(f);
}

/* GICv4.0: a vLPI for a non-resident vPE is pending in the VPT and raises the
 * per-ITE doorbell LPI; descheduling with a vLPI pending sets PendingLast;
 * made resident, the vLPI is presented after the vpt_scan. */
static void test_vlpi_nonresident_v40(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_0);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    tf_lpi_config(g, PROP, 8500, 0x80, true); /* the doorbell */
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    tf_lpi_config(g, VPROP, 8193, 0x40, true);
    tf_vcpu_on(g, 0, 0xFF);
    /* As the GICv4.0 ITS does: it does not know the VM's vLPI configuration
     * table (vprop 0); the redistributor reads it from GICR_VPROPBASER when
     * the vPE is made resident. */
    vlpi_set_pending(g, 0, VPT, 0, 8192, 8500);
    tf_settle(f->e);
    assert_true(table_bit(g, VPT, 8192));
    assert_false(gicsim_gic_virq_line(g, 0));
    assert_true(gicsim_gic_irq_line(g, 0));
    assert_int_equal(tf_gic_stats(g).doorbells, 1);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8500);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8500);
    /* Per-ITE doorbells ring every time. */
    vlpi_set_pending(g, 0, VPT, 0, 8193, 8500);
    assert_int_equal(tf_gic_stats(g).doorbells, 2);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_IAR1), 8500);
    tf_icc_wr(g, 0, GICSIM_ICC_EOIR1, 8500);

    /* Scheduled: nothing until the VPT scan completes. */
    gicsim_time_t scan = gicsim_timing_ps(&g->timing, GICSIM_COST_VPT_SCAN);
    make_resident(f, 0, VPT);
    assert_false(gicsim_gic_virq_line(g, 0));
    gicsim_engine_run_for(f->e, scan - 1);
    assert_true(tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8) & GICSIM_GICR_VPENDBASER_DIRTY);
    assert_false(gicsim_gic_virq_line(g, 0));
    gicsim_engine_run_for(f->e, 1);
    assert_false(tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8) & GICSIM_GICR_VPENDBASER_DIRTY);
    assert_true(gicsim_gic_virq_line(g, 0));
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 8192);
    /* Descheduled with 8193 still pending: PendingLast. */
    make_nonresident(f, 0, VPT);
    uint64_t vpend = tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8);
    assert_false(vpend & GICSIM_GICR_VPENDBASER_VALID);
    assert_true(vpend & GICSIM_GICR_VPENDBASER_PENDING_LAST);
    assert_false(gicsim_gic_virq_line(g, 0));
    assert_true(table_bit(g, VPT, 8193));
    /* Another vPE, nothing pending: PendingLast clear. */
    make_resident(f, 0, VPT2);
    tf_settle(f->e);
    assert_false(gicsim_gic_virq_line(g, 0));
    make_nonresident(f, 0, VPT2);
    assert_false(tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8) & GICSIM_GICR_VPENDBASER_PENDING_LAST);
    /* Back: 8193 is presented after the scan. */
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8193);
    assert_int_equal(tf_gic_stats(g).vpe_residency_changes, 5);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* GICv4.1: the per-vPE doorbell is raised once per non-residency, and only for
 * an enabled interrupt. */
static void test_vpe_doorbell_v41(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_1);
    gicsim_gic *g = f->g;
    lpi_program(g, 1, PEND1, 16, true);
    tf_lpi_config(g, PROP, 8600, 0x80, true);
    tf_lpi_config(g, VPROP, 8192, 0x40, false);
    tf_lpi_config(g, VPROP, 8193, 0x40, true);
    tf_lpi_config(g, VPROP, 8194, 0x40, true);
    vlpi_vpe_doorbell(g, 1, VPT, 8600);
    vlpi_set_pending(g, 1, VPT, VPROP, 8192, 8700); /* disabled: no doorbell */
    assert_int_equal(tf_gic_stats(g).doorbells, 0);
    vlpi_set_pending(g, 1, VPT, VPROP, 8193, 8700); /* the per-ITE value is not used */
    vlpi_set_pending(g, 1, VPT, VPROP, 8194, 8700);
    assert_int_equal(tf_gic_stats(g).doorbells, 1);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 8600);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 8600);
    assert_int_equal(tf_irq_state(g, 1, 8700), GICSIM_IRQ_INACTIVE);
    /* Resident then not without asking for the doorbell (a preempted vCPU):
     * no doorbell. */
    make_resident(f, 1, VPT);
    tf_settle(f->e);
    tf_gicr_wr(g, 1, GICSIM_GICR_VPENDBASER, 8, VPT);
    vlpi_set_pending(g, 1, VPT, VPROP, 8194, NO_DB);
    assert_int_equal(tf_gic_stats(g).doorbells, 1);
    vlpi_clear_pending(g, 1, VPT, 8194);
    /* Resident then not, asking for it: re-armed. */
    make_resident(f, 1, VPT);
    tf_settle(f->e);
    make_nonresident(f, 1, VPT);
    assert_true(tf_gicr_rd(g, 1, GICSIM_GICR_VPENDBASER, 8) & GICSIM_GICR_VPENDBASER_PENDING_LAST);
    vlpi_set_pending(g, 1, VPT, VPROP, 8193, NO_DB);
    assert_int_equal(tf_gic_stats(g).doorbells, 2);
    /* VMAPP again re-arms too. */
    vlpi_vpe_doorbell(g, 1, VPT, 8600);
    vlpi_set_pending(g, 1, VPT, VPROP, 8194, NO_DB);
    assert_int_equal(tf_gic_stats(g).doorbells, 3);
    tf_assert_gic_accounting(g);
    tf_gic_fx_free(f);
}

/* GICv4.1 vSGIs: configured per vPE, delivered to the resident vPE like vLPIs;
 * they have no active state; ICH_HCR.vSGIEOICount keeps them out of EOIcount. */
static void test_vsgi(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_1);
    gicsim_gic *g = f->g;
    tf_lpi_config(g, VPROP, 8192, 0x30, true);
    tf_vcpu_on(g, 2, 0xFF);
    make_resident(f, 2, VPT);
    tf_settle(f->e);
    vsgi_config(g, 2, VPT, 3, 0x20, true, true);
    vsgi_config(g, 2, VPT, 5, 0x20, true, false);
    vsgi_set_pending(g, 2, VPT, 5); /* disabled */
    assert_false(gicsim_gic_virq_line(g, 2));
    vsgi_set_pending(g, 2, VPT, 3);
    vlpi_set_pending(g, 2, VPT, VPROP, 8192, NO_DB);
    assert_true(gicsim_gic_virq_line(g, 2));
    assert_int_equal(tf_icv_rd(g, 2, GICSIM_ICC_IAR1), 3);
    uint64_t eoic = tf_gic_stats(g).v_eoicount;
    tf_icv_wr(g, 2, GICSIM_ICC_EOIR1, 3); /* not in a list register: EOIcount */
    assert_int_equal(tf_gic_stats(g).v_eoicount, eoic + 1);
    tf_ich_wr(g, 2, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_VSGIEOICOUNT);
    assert_true(tf_ich_rd(g, 2, GICSIM_ICH_HCR) & GICSIM_ICH_HCR_VSGIEOICOUNT);
    vsgi_set_pending(g, 2, VPT, 3);
    assert_int_equal(tf_icv_rd(g, 2, GICSIM_ICC_IAR1), 3);
    tf_icv_wr(g, 2, GICSIM_ICC_EOIR1, 3);
    assert_int_equal(tf_gic_stats(g).v_eoicount, eoic + 1);
    assert_int_equal(tf_icv_rd(g, 2, GICSIM_ICC_IAR1), 8192);
    tf_icv_wr(g, 2, GICSIM_ICC_EOIR1, 8192);
    assert_int_equal(tf_gic_stats(g).vsgis_set, 3);
    /* Group 0 vSGI needs VENG0. */
    vsgi_config(g, 2, VPT, 7, 0x10, false, true);
    vsgi_set_pending(g, 2, VPT, 7);
    assert_false(gicsim_gic_virq_line(g, 2));
    assert_false(gicsim_gic_vfiq_line(g, 2));
    tf_ich_wr(g, 2, GICSIM_ICH_VMCR,
              GICSIM_ICH_VMCR_VENG0 | GICSIM_ICH_VMCR_VENG1 |
                  (0xFFull << GICSIM_ICH_VMCR_VPMR_SHIFT));
    assert_true(gicsim_gic_vfiq_line(g, 2));
    assert_int_equal(tf_icv_rd(g, 2, GICSIM_ICC_IAR0), 7);
    tf_gic_fx_free(f);
}

/* INV and INVALL of a pending LPI whose only change is its priority make the
 * redistributor choose again: the new order shows in ICC_HPPIR1. */
static void test_inv_priority_only_reselects(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_0);
    gicsim_gic *g = f->g;
    lpi_program(g, 0, PEND, 16, true);
    tf_lpi_config(g, PROP, 8200, 0x60, true);
    tf_lpi_config(g, PROP, 8201, 0x50, true);
    tf_icc_wr(g, 0, GICSIM_ICC_PMR, 0x10); /* both stay pending */
    lpi_set_pending(g, 0, 8200);
    lpi_set_pending(g, 0, 8201);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR1), 8201);
    tf_lpi_config(g, PROP, 8200, 0x40, true);
    tf_gicr_wr(g, 0, GICSIM_GICR_INVLPIR, 8, 8200);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR1), 8200);
    tf_lpi_config(g, PROP, 8201, 0x30, true);
    tf_gicr_wr(g, 0, GICSIM_GICR_INVALLR, 8, 0);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 0, GICSIM_ICC_HPPIR1), 8201);
    /* The same for a vLPI of the resident vPE (vlpi_inv, vlpi_invall). */
    tf_lpi_config(g, VPROP, 8192, 0x60, true);
    tf_lpi_config(g, VPROP, 8193, 0x50, true);
    tf_vcpu_on(g, 1, 0x10);
    make_resident(f, 1, VPT);
    tf_settle(f->e);
    vlpi_set_pending(g, 1, VPT, VPROP, 8192, NO_DB);
    vlpi_set_pending(g, 1, VPT, VPROP, 8193, NO_DB);
    assert_int_equal(tf_icv_rd(g, 1, GICSIM_ICC_HPPIR1), 8193);
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    vlpi_inv(g, 1, VPT, 8192);
    assert_int_equal(tf_icv_rd(g, 1, GICSIM_ICC_HPPIR1), 8192);
    tf_lpi_config(g, VPROP, 8193, 0x30, true);
    vlpi_invall(g, 1, VPT);
    assert_int_equal(tf_icv_rd(g, 1, GICSIM_ICC_HPPIR1), 8193);
    tf_gic_fx_free(f);
}

/* A vLPI and a vSGI of equal priority: the vSGI, the lower vINTID, wins (the
 * tie rule of every selection); a vLPI of strictly higher priority wins. */
static void test_vlpi_vsgi_priority_tie(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_1);
    gicsim_gic *g = f->g;
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    tf_vcpu_on(g, 0, 0xFF);
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    vsgi_config(g, 0, VPT, 9, 0x40, true, true);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    vsgi_set_pending(g, 0, VPT, 9);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 9);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 9);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 9);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 8192);
    tf_lpi_config(g, VPROP, 8192, 0x30, true);
    vlpi_inv(g, 0, VPT, 8192);
    vsgi_set_pending(g, 0, VPT, 9);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 8192);
    /* Two vSGIs tied: the lower vINTID. */
    vsgi_config(g, 0, VPT, 4, 0x30, true, true);
    vsgi_config(g, 0, VPT, 2, 0x30, true, true);
    vsgi_set_pending(g, 0, VPT, 4);
    vsgi_set_pending(g, 0, VPT, 2);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 2);
    tf_gic_fx_free(f);
}

/* GICv4.1: a vLPI or vSGI sent to a redistributor while its vPE is resident
 * on another one is, for that redistributor, for a non-resident vPE: the
 * vPE's doorbell rings there. */
static void test_v41_resident_elsewhere_rings(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_1);
    gicsim_gic *g = f->g;
    lpi_program(g, 1, PEND1, 16, true);
    tf_lpi_config(g, PROP, 8600, 0x80, true);
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    vlpi_vpe_doorbell(g, 1, VPT, 8600);
    make_resident(f, 2, VPT);
    tf_settle(f->e);
    vlpi_set_pending(g, 1, VPT, VPROP, 8192, NO_DB);
    assert_int_equal(tf_gic_stats(g).doorbells, 1);
    tf_settle(f->e);
    assert_int_equal(tf_icc_rd(g, 1, GICSIM_ICC_IAR1), 8600);
    tf_icc_wr(g, 1, GICSIM_ICC_EOIR1, 8600);
    vsgi_config(g, 1, VPT, 3, 0x20, true, true);
    vlpi_vpe_doorbell(g, 1, VPT, 8600); /* re-armed */
    vsgi_set_pending(g, 1, VPT, 3);
    assert_int_equal(tf_gic_stats(g).doorbells, 2);
    /* Sent to the redistributor it is resident on: no doorbell. */
    vlpi_vpe_doorbell(g, 2, VPT, 8600);
    vlpi_set_pending(g, 2, VPT, VPROP, 8192, NO_DB);
    vsgi_set_pending(g, 2, VPT, 3);
    assert_int_equal(tf_gic_stats(g).doorbells, 2);
    tf_gic_fx_free(f);
}

/* vsgi_clear_pending (GICv4.1's VSGI Clear=1) clears the vSGI of a resident
 * or a non-resident vPE; it does not touch the VPT. A vLPI clear of a
 * vINTID below 8192 does nothing (no such vLPI). */
static void test_vsgi_clear(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_1);
    gicsim_gic *g = f->g;
    tf_vcpu_on(g, 0, 0xFF);
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    vsgi_config(g, 0, VPT, 3, 0x20, true, true);
    vsgi_config(g, 0, VPT, 4, 0x30, true, true);
    vsgi_set_pending(g, 0, VPT, 3);
    vsgi_set_pending(g, 0, VPT, 4);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 3);
    vsgi_clear_pending(g, 0, VPT, 3);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 4);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 4);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 4);
    assert_false(gicsim_gic_virq_line(g, 0));
    /* Not resident: cleared before it is made resident again. */
    make_nonresident(f, 0, VPT);
    vsgi_set_pending(g, 0, VPT, 3);
    vsgi_clear_pending(g, 0, VPT, 3);
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    assert_false(gicsim_gic_virq_line(g, 0));
    make_nonresident(f, 0, VPT);
    assert_false(tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8) & GICSIM_GICR_VPENDBASER_PENDING_LAST);
    assert_false(table_bit(g, VPT, 3));
    /* A vLPI clear of vINTID 3 is not a vSGI clear: the vSGI stays. */
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    vsgi_set_pending(g, 0, VPT, 3);
    vlpi_clear_pending(g, 0, VPT, 3);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_HPPIR1), 3);
    /* GICv4.0 has no vSGIs: nothing to clear, nothing happens. */
    tf_gic_fx_free(f);
    f = fx_new(GICSIM_GICV4_0);
    vsgi_clear_pending(f->g, 0, VPT, 3);
    vlpi_clear_pending(f->g, 0, VPT, 3);
    assert_false(table_bit(f->g, VPT, 3));
    tf_gic_fx_free(f);
}

/* GICR_VPENDBASER written as two 32-bit halves, as a 32-bit hypervisor
 * would: the lower half names the VPT, the upper half's write with Valid
 * (bit 63) makes the vPE resident, and keeps the lower half. */
static void test_vpendbaser_upper_half_write(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV4_0);
    gicsim_gic *g = f->g;
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    tf_vcpu_on(g, 0, 0xFF);
    tf_gicr_wr(g, 0, GICSIM_GICR_VPROPBASER, 4, (uint32_t)(VPROP | 15u));
    tf_gicr_wr(g, 0, GICSIM_GICR_VPROPBASER + 4, 4, 0);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_VPROPBASER, 8), VPROP | 15u);
    vlpi_set_pending(g, 0, VPT, VPROP, 8192, NO_DB);
    tf_gicr_wr(g, 0, GICSIM_GICR_VPENDBASER, 4, (uint32_t)VPT);
    assert_false(tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8) & GICSIM_GICR_VPENDBASER_VALID);
    tf_gicr_wr(g, 0, GICSIM_GICR_VPENDBASER + 4, 4, GICSIM_GICR_VPENDBASER_VALID >> 32);
    uint64_t vpend = tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8);
    assert_true(vpend & GICSIM_GICR_VPENDBASER_VALID);
    assert_int_equal(vpend & 0xFFFFFFFFu, VPT & 0xFFFFFFFFu);
    tf_settle(f->e);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    /* The upper half without Valid: not resident, the lower half kept. */
    tf_gicr_wr(g, 0, GICSIM_GICR_VPENDBASER + 4, 4, 0);
    vpend = tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER, 8);
    assert_false(vpend & GICSIM_GICR_VPENDBASER_VALID);
    assert_int_equal(vpend & 0xFFFFFFFFu, VPT & 0xFFFFFFFFu);
    assert_int_equal(tf_gicr_rd(g, 0, GICSIM_GICR_VPENDBASER + 4, 4), vpend >> 32);
    tf_gic_fx_free(f);
}

/* While a vPE is resident its vLPI configuration comes from the table
 * GICR_VPROPBASER names, whatever table the ITS names; a vINTID the vPE
 * cannot have is dropped. */
static void test_vlpi_config_table_while_resident(void **state)
{
    (void)state;
    const uint64_t other = VPROP + 0x100000;
    fx *f = fx_new(GICSIM_GICV4_1);
    gicsim_gic *g = f->g;
    tf_lpi_config(g, VPROP, 8192, 0x40, true);
    tf_lpi_config(g, other, 8192, 0x40, false);
    tf_vcpu_on(g, 0, 0xFF);
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    vlpi_set_pending(g, 0, VPT, other, 8192, NO_DB);
    assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), 8192);
    tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, 8192);
    uint64_t dropped = tf_gic_stats(g).lpis_dropped;
    vlpi_set_pending(g, 0, VPT, other, 8191, NO_DB);
    vlpi_set_pending(g, 0, VPT, other, 1u << 16, NO_DB);
    assert_int_equal(tf_gic_stats(g).lpis_dropped, dropped + 2);
    assert_false(gicsim_gic_virq_line(g, 0));
    tf_gic_fx_free(f);
}

/* Many vPEs: the redistributors keep each one's own state (here a pending
 * vSGI, which lives only in the vPE's record) however their VPT addresses
 * collide in the vPE hash and however often it grows. */
static void test_many_vpes(void **state)
{
    (void)state;
    enum { N = 300 };
    fx *f = fx_new(GICSIM_GICV4_1);
    gicsim_gic *g = f->g;
    tf_vcpu_on(g, 0, 0xFF);
    for (uint64_t n = 0; n < N; n++) {
        uint64_t vpt = VPT + (n << 16);
        vsgi_config(g, 0, vpt, (uint32_t)(n % 16), (uint8_t)(0x10 * (n % 8)), true, true);
        vsgi_set_pending(g, 0, vpt, (uint32_t)(n % 16));
    }
    for (uint64_t n = 0; n < N; n++) {
        uint64_t vpt = VPT + (n << 16);
        make_resident(f, 0, vpt);
        tf_settle(f->e);
        assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), n % 16);
        assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_RPR), 0x10 * (n % 8));
        tf_icv_wr(g, 0, GICSIM_ICC_EOIR1, n % 16);
        assert_int_equal(tf_icv_rd(g, 0, GICSIM_ICC_IAR1), GICSIM_INTID_SPURIOUS);
        make_nonresident(f, 0, vpt);
    }
    tf_gic_fx_free(f);
}

/* Version gating: GICv3 ignores the GICv4 calls; GICv4.0 has no vSGIs and no
 * vSGIEOICount. */
static void test_version_gating(void **state)
{
    (void)state;
    fx *f = fx_new(GICSIM_GICV3);
    vlpi_set_pending(f->g, 0, VPT, VPROP, 8192, NO_DB);
    assert_int_equal(tf_gic_stats(f->g).vlpis_set, 0);
    assert_false(table_bit(f->g, VPT, 8192));
    tf_gic_fx_free(f);
    f = fx_new(GICSIM_GICV4_0);
    tf_vcpu_on(f->g, 0, 0xFF);
    make_resident(f, 0, VPT);
    tf_settle(f->e);
    vsgi_config(f->g, 0, VPT, 3, 0x20, true, true);
    vsgi_set_pending(f->g, 0, VPT, 3);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_VSGIEOICOUNT);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR), 0);
    tf_gic_fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_basic),
        cmocka_unit_test(test_memory_public_api),
        cmocka_unit_test(test_sparse_lpis),
        cmocka_unit_test(test_lpi_priority_order),
        cmocka_unit_test(test_lpi_order_stress),
        cmocka_unit_test(test_inv_invall),
        cmocka_unit_test(test_direct_lpi_registers),
        cmocka_unit_test(test_enable_lpis_holds_delivery),
        cmocka_unit_test(test_basers_ro_after_enable),
        cmocka_unit_test(test_lpi_id_range),
        cmocka_unit_test(test_lpi_accounting),
        cmocka_unit_test(test_lpi_eoi_priority_drop),
        cmocka_unit_test(test_lpi_move),
        cmocka_unit_test(test_id_registers),
        cmocka_unit_test(test_vlpi_resident),
        cmocka_unit_test(test_vlpi_inv),
        cmocka_unit_test(test_vlpi_nonresident_v40),
        cmocka_unit_test(test_vpe_doorbell_v41),
        cmocka_unit_test(test_vsgi),
        cmocka_unit_test(test_inv_priority_only_reselects),
        cmocka_unit_test(test_vlpi_vsgi_priority_tie),
        cmocka_unit_test(test_v41_resident_elsewhere_rings),
        cmocka_unit_test(test_vsgi_clear),
        cmocka_unit_test(test_vpendbaser_upper_half_write),
        cmocka_unit_test(test_many_vpes),
        cmocka_unit_test(test_vlpi_config_table_while_resident),
        cmocka_unit_test(test_version_gating),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
