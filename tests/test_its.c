/* gicsim: tests of the ITS (lib/gic/its*.c) driven the way an OS or hypervisor
 * does: redistributors set up for LPIs (GICR_PROPBASER/PENDBASER,
 * EnableLPIs), LPI configuration bytes in memory, ITS tables through
 * GITS_BASER<n>, the command queue through GITS_CBASER/CWRITER, then MSIs.
 * Covers delivery to the right PE, INV/INVALL, MAPD V=0, MOVI, the exact
 * cost of translation-cache hits and misses, bursts, SYNC, command errors
 * and garbage commands, flat and two-level tables, GICv4.0 vLPIs (resident
 * and doorbell), VMOVP, GICv4.1 vSGIs, the registers and determinism. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"
#include "support/its_boot.h"

#include <stdlib.h>

#define SPURIOUS GICSIM_INTID_SPURIOUS
#define LPI GICSIM_LPI_BASE
#define NPES 4u

/* ---- fixture ------------------------------------------------------------------- */

/* A GIC with an event log (support/fixtures.h); the tables in the simulated
 * memory are support/its_boot.h's. */
typedef tf_gic_fx fx;

static void submit(fx *f, const gicsim_its_cmd *cmds, size_t n)
{
    assert_int_equal(gicsim_its_submit(f->g, cmds, n), GICSIM_OK);
}

static void submit1(fx *f, gicsim_its_cmd c)
{
    submit(f, &c, 1);
}

static void run(fx *f)
{
    gicsim_engine_run(f->e);
}

static gicsim_its_stats its_stats(fx *f)
{
    gicsim_its_stats s;
    assert_int_equal(gicsim_its_get_stats(f->g, &s), GICSIM_OK);
    return s;
}

static uint64_t iar1(fx *f, uint32_t pe)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_icc_read(f->g, pe, GICSIM_ICC_IAR1, &v), GICSIM_OK);
    if (v != SPURIOUS)
        assert_int_equal(gicsim_icc_write(f->g, pe, GICSIM_ICC_EOIR1, v), GICSIM_OK);
    return v;
}

static uint64_t viar1(fx *f, uint32_t pe)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_icv_read(f->g, pe, GICSIM_ICC_IAR1, &v), GICSIM_OK);
    if (v != SPURIOUS)
        assert_int_equal(gicsim_icv_write(f->g, pe, GICSIM_ICC_EOIR1, v), GICSIM_OK);
    return v;
}

typedef struct fx_opts {
    gicsim_gic_version version;
    uint32_t cache_entries;
    bool indirect_dt; /* two-level device table */
    const gicsim_timing *timing;
} fx_opts;

/* A GIC with an OS-initialized physical side, LPIs enabled on every PE, the
 * ITS tables and queue set up, the ITS enabled and collection n mapped to
 * PE n (tf_its_boot), the commands done. */
static fx *fx_create(fx_opts o)
{
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = NPES;
    cfg.version = o.version ? o.version : GICSIM_GICV3;
    cfg.its_cache_entries = o.cache_entries;
    cfg.timing = o.timing;
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tf_gic_new(&f->e, &f->g, &cfg);
    tf_ev_log_attach(&f->ev, f->g);
    gicsim_gic_os_init(f->g);
    tf_its_boot_opts boot = {.version = cfg.version, .num_pes = NPES, .indirect_dt = o.indirect_dt};
    assert_int_equal(tf_its_boot(f->g, &boot), GICSIM_OK);
    run(f);
    return f;
}

/* Time of the first observer event of `kind` for `intid` at or after index
 * `from` (the test fails if there is none). */
static gicsim_time_t event_time(const fx *f, size_t from, gicsim_gic_event_kind kind,
                                uint32_t intid)
{
    return tf_ev_next(&f->ev, &from, kind, TF_ANY, intid)->time;
}

/* MAPD `dev` with 2^bits events, then MAPTI (dev, ev) -> (pintid, icid). */
static void map_event(fx *f, uint32_t dev, unsigned bits, uint32_t ev, uint32_t pintid,
                      uint16_t icid)
{
    gicsim_its_cmd c[3] = {
        gicsim_its_cmd_mapd(dev, ITT_BASE(dev), bits, true),
        gicsim_its_cmd_mapti(dev, ev, pintid, icid),
        gicsim_its_cmd_sync(icid),
    };
    submit(f, c, 3);
}

/* ---- physical LPIs ------------------------------------------------------------------ */

static void test_two_devices_two_pes(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 32});
    tf_lpi_config(f->g, PROP_BASE, LPI + 0, 0xA0, true);
    tf_lpi_config(f->g, PROP_BASE, LPI + 1, 0xA0, true);
    map_event(f, 1, 4, 0, LPI + 0, 0); /* device 1 -> PE 0 */
    map_event(f, 2, 8, 5, LPI + 1, 2); /* device 2 -> PE 2 */
    run(f);
    assert_int_equal(gicsim_its_msi(f->g, 1, 0), GICSIM_OK);
    assert_int_equal(gicsim_its_msi(f->g, 2, 5), GICSIM_OK);
    run(f);
    assert_int_equal(iar1(f, 0), LPI + 0);
    assert_int_equal(iar1(f, 2), LPI + 1);
    assert_int_equal(iar1(f, 1), SPURIOUS);
    assert_int_equal(iar1(f, 3), SPURIOUS);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.translations, 2);
    assert_int_equal(s.lpis, 2);
    assert_int_equal(s.dropped, 0);
    assert_int_equal(s.command_errors, 0);
    assert_int_equal(s.commands_by_opcode[GICSIM_ITS_CMD_MAPD], 2);
    assert_int_equal(s.commands_by_opcode[GICSIM_ITS_CMD_MAPC], NPES);
    /* The queue is drained: CREADR caught up with CWRITER. */
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8),
                     tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8));
    tf_gic_fx_free(f);
}

static void test_inv_invall(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 32});
    tf_lpi_config(f->g, PROP_BASE, LPI + 7, 0xA0, false);
    map_event(f, 3, 4, 2, LPI + 7, 1);
    submit1(f, gicsim_its_cmd_inv(3, 2));
    run(f);
    /* Disabled in the configuration table: pending, not delivered. */
    assert_int_equal(gicsim_its_msi(f->g, 3, 2), GICSIM_OK);
    run(f);
    assert_int_equal(iar1(f, 1), SPURIOUS);
    /* Enabled in memory: no effect until an invalidation. */
    tf_lpi_config(f->g, PROP_BASE, LPI + 7, 0xA0, true);
    run(f);
    assert_int_equal(iar1(f, 1), SPURIOUS);
    gicsim_its_cmd c[2] = {gicsim_its_cmd_invall(1), gicsim_its_cmd_sync(1)};
    submit(f, c, 2);
    run(f);
    assert_int_equal(iar1(f, 1), LPI + 7);
    assert_int_equal(its_stats(f).commands_by_opcode[GICSIM_ITS_CMD_INVALL], 1);
    tf_gic_fx_free(f);
}

static void test_mapd_invalid_drops(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 32});
    tf_lpi_config(f->g, PROP_BASE, LPI + 3, 0xA0, true);
    map_event(f, 4, 4, 1, LPI + 3, 0);
    run(f);
    assert_int_equal(gicsim_its_msi(f->g, 4, 1), GICSIM_OK); /* fills the cache */
    run(f);
    assert_int_equal(iar1(f, 0), LPI + 3);
    submit1(f, gicsim_its_cmd_mapd(4, 0, 0, false));
    run(f);
    assert_int_equal(gicsim_its_msi(f->g, 4, 1), GICSIM_OK);
    run(f);
    for (uint32_t pe = 0; pe < NPES; pe++)
        assert_int_equal(iar1(f, pe), SPURIOUS);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.dropped, 1);
    assert_true(s.cache_invalidations >= 1);
    /* An unmapped EventID of a mapped device is dropped too. */
    map_event(f, 5, 4, 0, LPI + 4, 0);
    run(f);
    assert_int_equal(gicsim_its_msi(f->g, 5, 9), GICSIM_OK);
    assert_int_equal(gicsim_its_msi(f->g, 5, 99), GICSIM_OK); /* beyond the ITT */
    run(f);
    assert_int_equal(its_stats(f).dropped, 3);
    tf_gic_fx_free(f);
}

static void test_movi_moves_lpi(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 32});
    tf_lpi_config(f->g, PROP_BASE, LPI + 10, 0xA0, true);
    map_event(f, 6, 4, 3, LPI + 10, 0);
    submit1(f, gicsim_its_cmd_movi(6, 3, 1));
    run(f);
    assert_int_equal(gicsim_its_msi(f->g, 6, 3), GICSIM_OK);
    run(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(iar1(f, 1), LPI + 10);

    /* A pending LPI moves with MOVI: PE 1 masks it, then it moves to PE 3. */
    assert_int_equal(gicsim_icc_write(f->g, 1, GICSIM_ICC_PMR, 0), GICSIM_OK);
    assert_int_equal(gicsim_its_msi(f->g, 6, 3), GICSIM_OK);
    run(f);
    submit1(f, gicsim_its_cmd_movi(6, 3, 3));
    run(f);
    assert_int_equal(gicsim_icc_write(f->g, 1, GICSIM_ICC_PMR, 0xFF), GICSIM_OK);
    run(f);
    assert_int_equal(iar1(f, 1), SPURIOUS);
    assert_int_equal(iar1(f, 3), LPI + 10);
    tf_gic_fx_free(f);
}

static void test_cache_hit_vs_miss_latency(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 4});
    tf_lpi_config(f->g, PROP_BASE, LPI + 20, 0xA0, true);
    map_event(f, 7, 4, 1, LPI + 20, 2);
    run(f);
    gicsim_time_t translate = tf_cost_ps(GICSIM_COST_ITS_TRANSLATE);
    gicsim_time_t read = tf_cost_ps(GICSIM_COST_ITS_TABLE_READ);
    gicsim_time_t hit = tf_cost_ps(GICSIM_COST_ITS_CACHE_HIT);
    gicsim_time_t to_rd = tf_cost_ps(GICSIM_COST_ITS_TO_REDIST);

    size_t from = f->ev.n;
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    assert_int_equal(gicsim_its_msi(f->g, 7, 1), GICSIM_OK);
    run(f);
    gicsim_time_t miss_lat = event_time(f, from, GICSIM_GEV_RAISE, LPI + 20) - t0;
    assert_int_equal(iar1(f, 2), LPI + 20);

    from = f->ev.n;
    t0 = gicsim_engine_now(f->e);
    assert_int_equal(gicsim_its_msi(f->g, 7, 1), GICSIM_OK);
    run(f);
    gicsim_time_t hit_lat = event_time(f, from, GICSIM_GEV_RAISE, LPI + 20) - t0;
    assert_int_equal(iar1(f, 2), LPI + 20);

    /* docs/its.md: every translation looks in the cache (its_cache_hit); a
     * miss then walks device, ITT and collection tables (3 its_table_read):
     * the difference is exactly the table walk. */
    assert_int_equal(miss_lat, translate + hit + 3 * read + to_rd);
    assert_int_equal(hit_lat, translate + hit + to_rd);
    assert_int_equal(miss_lat - hit_lat, 3 * read);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.cache_hits, 1);
    assert_int_equal(s.cache_misses, 1);

    /* INV drops the entry: the next translation misses again. */
    submit1(f, gicsim_its_cmd_inv(7, 1));
    run(f);
    from = f->ev.n;
    t0 = gicsim_engine_now(f->e);
    assert_int_equal(gicsim_its_msi(f->g, 7, 1), GICSIM_OK);
    run(f);
    assert_int_equal(event_time(f, from, GICSIM_GEV_RAISE, LPI + 20) - t0, miss_lat);
    tf_gic_fx_free(f);
}

static void test_cache_lru_eviction(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 2});
    submit1(f, gicsim_its_cmd_mapd(8, ITT_BASE(8), 2, true));
    for (uint32_t ev = 0; ev < 3; ev++) {
        tf_lpi_config(f->g, PROP_BASE, LPI + 30 + ev, 0xA0, true);
        submit1(f, gicsim_its_cmd_mapti(8, ev, LPI + 30 + ev, 0));
    }
    run(f);
    /* 0, 1 fill; 0 hits (1 becomes LRU); 2 evicts 1; 1 misses and evicts 0. */
    uint32_t seq[5] = {0, 1, 0, 2, 1};
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(gicsim_its_msi(f->g, 8, seq[i]), GICSIM_OK);
        run(f);
        assert_int_equal(iar1(f, 0), LPI + 30 + seq[i]);
    }
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.cache_hits, 1);
    assert_int_equal(s.cache_misses, 4);
    assert_int_equal(s.cache_evictions, 2);
    tf_gic_fx_free(f);
}

static void test_burst_queues(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 0});
    enum { N = 8 };
    submit1(f, gicsim_its_cmd_mapd(9, ITT_BASE(9), 4, true));
    for (uint32_t ev = 0; ev < N; ev++) {
        tf_lpi_config(f->g, PROP_BASE, LPI + 40 + ev, 0xA0, true);
        submit1(f, gicsim_its_cmd_mapti(9, ev, LPI + 40 + ev, 3));
    }
    run(f);
    gicsim_time_t per =
        tf_cost_ps(GICSIM_COST_ITS_TRANSLATE) + 3 * tf_cost_ps(GICSIM_COST_ITS_TABLE_READ);
    size_t from = f->ev.n;
    for (uint32_t ev = 0; ev < N; ev++)
        assert_int_equal(gicsim_its_msi(f->g, 9, ev), GICSIM_OK);
    run(f);
    gicsim_time_t first = event_time(f, from, GICSIM_GEV_RAISE, LPI + 40);
    for (uint32_t ev = 1; ev < N; ev++)
        assert_int_equal(event_time(f, from, GICSIM_GEV_RAISE, LPI + 40 + ev) - first, ev * per);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.translation_queue_max, N - 1); /* the first went into service at once */
    assert_int_equal(s.lpis, N);
    tf_gic_fx_free(f);
}

/* The last command queued (a SYNC) completes at `done`, not earlier: until
 * then GITS_CREADR is one command short of GITS_CWRITER. */
static void expect_last_done_at(fx *f, gicsim_time_t done)
{
    gicsim_engine_run_until(f->e, done - 1);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8),
                     tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8) - 32);
    gicsim_engine_run_until(f->e, done);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8),
                     tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8));
}

/* SYNC completes only once every earlier effect has reached its redistributor. */
static void test_sync_waits_for_redistributor(void **state)
{
    (void)state;
    gicsim_timing t;
    gicsim_timing_init(&t);
    t.cycles[GICSIM_COST_ITS_TO_REDIST] = 1000; /* much slower than a command */
    fx *f = fx_create((fx_opts){.cache_entries = 0, .timing = &t});
    tf_lpi_config(f->g, PROP_BASE, LPI + 50, 0xA0, true);
    map_event(f, 10, 4, 0, LPI + 50, 1);
    run(f);
    gicsim_time_t cmd = gicsim_timing_ps(&t, GICSIM_COST_ITS_COMMAND);
    gicsim_time_t read = gicsim_timing_ps(&t, GICSIM_COST_ITS_TABLE_READ);
    gicsim_time_t to_rd = gicsim_timing_ps(&t, GICSIM_COST_ITS_TO_REDIST);
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    gicsim_its_cmd c[2] = {gicsim_its_cmd_int(10, 0), gicsim_its_cmd_sync(1)};
    submit(f, c, 2);
    gicsim_time_t int_done = t0 + cmd + 3 * read;
    expect_last_done_at(f, int_done + to_rd);
    run(f);
    assert_int_equal(iar1(f, 1), LPI + 50);
    tf_gic_fx_free(f);
}

/* ---- command errors, garbage -------------------------------------------------------- */

static void test_command_errors(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 8});
    tf_lpi_config(f->g, PROP_BASE, LPI + 60, 0xA0, true);
    gicsim_its_cmd bad0 = {{0x00, 0, 0, 0}}, bad7f = {{0x7F, 0, 0, 0}};
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_mapti(11, 0, LPI + 60, 0),       /* unmapped device */
        gicsim_its_cmd_mapd(11, ITT_BASE(11), 2, true), /* ok: EventIDs 0..3 */
        gicsim_its_cmd_mapti(11, 4, LPI + 60, 0),       /* EventID out of range */
        gicsim_its_cmd_mapc(3, 0, false),               /* ok: unmaps collection 3 */
        gicsim_its_cmd_mapti(11, 1, LPI + 60, 3),       /* ok: mapping needs no collection */
        gicsim_its_cmd_int(11, 1),                      /* unmapped collection */
        bad0,                                           /* unknown opcodes */
        bad7f,
        gicsim_its_cmd_vmovp(1, 0),                          /* GICv4 command on a GICv3 */
        gicsim_its_cmd_mapd(1u << 20, ITT_BASE(1), 2, true), /* DeviceID out of range */
        gicsim_its_cmd_mapd(12, ITT_BASE(12), 17, true),     /* ITT size out of range */
        gicsim_its_cmd_mapc(0, NPES, true),                  /* no such PE */
        gicsim_its_cmd_mapti(11, 2, 100, 0),                 /* not an LPI */
        gicsim_its_cmd_int(11, 3),                           /* no ITE */
        gicsim_its_cmd_sync(0),
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_DEVICE], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_ID_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_COLLECTION], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNKNOWN_COMMAND], 3);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_DEVICE_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_ITTSIZE_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_PROCNUM_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_PHYSICALID_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_INTERRUPT], 1);
    assert_int_equal(s.command_errors, 11);
    assert_int_equal(s.last_error, 0x010307u); /* INT_UNMAPPED_INTERRUPT */
    assert_int_equal(gicsim_its_error_code(GICSIM_ITS_ERR_UNMAPPED_DEVICE, GICSIM_ITS_CMD_MAPTI),
                     0x010A04u);
    assert_int_equal(gicsim_its_error_code(GICSIM_ITS_ERR_PROCNUM_OOR, GICSIM_ITS_CMD_MOVALL),
                     0x010E01u);
    assert_string_equal(gicsim_its_error_name(GICSIM_ITS_ERR_ID_OOR), "id_oor");
    assert_null(gicsim_its_error_name(GICSIM_ITS_ERR__COUNT));
    /* The queue went on after every error. */
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8),
                     tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8));
    assert_int_equal(iar1(f, 0), SPURIOUS);
    /* A translation through the unmapped collection is dropped. */
    assert_int_equal(gicsim_its_msi(f->g, 11, 1), GICSIM_OK);
    run(f);
    assert_int_equal(its_stats(f).dropped, 1);
    tf_gic_fx_free(f);
}

/* A random command: mostly well-formed with small IDs (so that many succeed
 * and build up real mappings), sometimes random bits. */
static gicsim_its_cmd random_command(uint64_t *s)
{
    uint64_t r = tf_xorshift64(s);
    uint32_t dev = (uint32_t)(r >> 8) % 8, ev = (uint32_t)(r >> 12) % 8;
    uint16_t icid = (uint16_t)((r >> 16) % (NPES + 2)), vpe = (uint16_t)((r >> 20) % 6);
    uint32_t intid = LPI + (uint32_t)(r >> 24) % 64, pe = (uint32_t)(r >> 32) % (NPES + 1);
    uint32_t db = (r >> 40) & 1 ? 8300u : GICSIM_ITS_NO_DOORBELL;
    bool v = (r >> 41) % 4 != 0;
    switch ((r >> 48) % 24) {
    case 0:
        return gicsim_its_cmd_mapd(dev, ITT_BASE(dev), 1 + (unsigned)(r >> 42) % 4, v);
    case 1:
        return gicsim_its_cmd_mapc(icid, pe, v);
    case 2:
        return gicsim_its_cmd_mapti(dev, ev, intid, icid);
    case 3:
        return gicsim_its_cmd_mapi(dev, ev, icid);
    case 4:
        return gicsim_its_cmd_movi(dev, ev, icid);
    case 5:
        return gicsim_its_cmd_movall(pe, (uint32_t)(r >> 56) % NPES);
    case 6:
        return gicsim_its_cmd_int(dev, ev);
    case 7:
        return gicsim_its_cmd_clear(dev, ev);
    case 8:
        return gicsim_its_cmd_discard(dev, ev);
    case 9:
        return gicsim_its_cmd_inv(dev, ev);
    case 10:
        return gicsim_its_cmd_invall(icid);
    case 11:
        return gicsim_its_cmd_sync(pe);
    case 12:
        return gicsim_its_cmd_vmapp41(vpe, pe, VPT_BASE(vpe), 16, VPROP_BASE, db, v);
    case 13:
        return gicsim_its_cmd_vmapti(dev, ev, vpe, intid, db);
    case 14:
        return gicsim_its_cmd_vmapi(dev, ev, vpe, db);
    case 15:
        return gicsim_its_cmd_vmovi(dev, ev, vpe, db);
    case 16:
        return gicsim_its_cmd_vmovp(vpe, pe);
    case 17:
        return gicsim_its_cmd_vsync(vpe);
    case 18:
        return gicsim_its_cmd_vinvall(vpe);
    case 19:
        return gicsim_its_cmd_vsgi(vpe, ev, (uint8_t)r, r & 1, (r >> 1) & 1, (r >> 2) & 1);
    case 20:
        return gicsim_its_cmd_invdb(vpe);
    default: {
        gicsim_its_cmd c;
        for (unsigned k = 0; k < 4; k++)
            c.dw[k] = tf_xorshift64(s);
        if (r & 1)
            c.dw[0] = (c.dw[0] & ~0xFFull) | (r >> 8 & 0x2Fu);
        return c;
    }
    }
}

/* Random commands, MSIs, GITS_SGIR writes and vPE residency changes:
 * nothing crashes, the queue always drains, and some commands succeed. */
static void garbage_run(gicsim_gic_version v, uint64_t seed)
{
    fx *f = fx_create((fx_opts){.version = v, .cache_entries = 4});
    for (uint32_t i = 0; i < 64; i++) {
        tf_lpi_config(f->g, PROP_BASE, LPI + i, 0xA0, true);
        tf_lpi_config(f->g, VPROP_BASE, LPI + i, 0xA0, true);
    }
    tf_lpi_config(f->g, PROP_BASE, 8300, 0x80, true);
    for (uint32_t pe = 0; pe < NPES; pe++)
        tf_vcpu_on(f->g, pe, 0xFF);
    uint64_t s = seed;
    for (unsigned round = 0; round < 40; round++) {
        gicsim_its_cmd c[50];
        for (unsigned i = 0; i < 50; i++)
            c[i] = random_command(&s);
        submit(f, c, 50);
        for (unsigned i = 0; i < 20; i++) {
            uint64_t r = tf_xorshift64(&s);
            gicsim_its_msi(f->g, (uint32_t)r % 9, (uint32_t)(r >> 8) % 9);
            gicsim_its_write(
                f->g, GICSIM_GITS_SGIR, 8,
                gicsim_gits_sgir_value((uint16_t)((r >> 16) % 6), (uint32_t)(r >> 24)));
            if (v >= GICSIM_GICV4_0 && (r >> 32) % 8 == 0) {
                uint32_t pe = (uint32_t)(r >> 40) % NPES;
                uint64_t valid = (r >> 48) & 1 ? GICSIM_GICR_VPENDBASER_VALID : 0;
                gicsim_gicr_write(f->g, pe, GICSIM_GICR_VPENDBASER, 8,
                                  VPT_BASE((r >> 52) % 6) | valid);
            }
            gicsim_engine_run_for(f->e, GICSIM_NS((r >> 56) % 200));
        }
        run(f);
        for (uint32_t pe = 0; pe < NPES; pe++) {
            while (iar1(f, pe) != SPURIOUS)
                ;
            if (v >= GICSIM_GICV4_0)
                while (viar1(f, pe) != SPURIOUS)
                    ;
        }
        assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8),
                         tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8));
    }
    gicsim_its_stats st = its_stats(f);
    assert_int_equal(st.commands, 40 * 50 + NPES + 1);
    assert_true(st.command_errors > 0);
    assert_true(st.commands - st.command_errors > st.commands / 8);
    assert_true(st.lpis > 0);
    if (v >= GICSIM_GICV4_0)
        assert_true(st.vlpis > 0);
    tf_gic_fx_free(f);
}

static void test_garbage_commands(void **state)
{
    (void)state;
    garbage_run(GICSIM_GICV3, 0x1234567ull);
    garbage_run(GICSIM_GICV4_0, 0xABCDEF1ull);
    garbage_run(GICSIM_GICV4_1, 0x5EED5EEDull);
}

static void test_queue_wraps_and_full(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 8});
    gicsim_its_cmd c[127];
    for (unsigned i = 0; i < 127; i++)
        c[i] = gicsim_its_cmd_sync(i % NPES);
    /* 128 slots, one always empty; NPES + 1 commands are still to be read back. */
    assert_int_equal(gicsim_its_submit(f->g, c, 127), GICSIM_OK);
    assert_int_equal(gicsim_its_submit(f->g, c, 1), GICSIM_E_FULL);
    run(f);
    assert_int_equal(gicsim_its_submit(f->g, c, 127), GICSIM_OK); /* wraps */
    run(f);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8),
                     tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8));
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.commands, NPES + 1 + 254);
    assert_int_equal(s.command_queue_max, 127);
    tf_gic_fx_free(f);
}

/* ---- tables ------------------------------------------------------------------------- */

static void test_flat_and_two_level_device_tables(void **state)
{
    (void)state;
    for (int indirect = 0; indirect < 2; indirect++) {
        fx *f = fx_create((fx_opts){.cache_entries = 8, .indirect_dt = indirect != 0});
        tf_lpi_config(f->g, PROP_BASE, LPI + 70, 0xA0, true);
        tf_lpi_config(f->g, PROP_BASE, LPI + 71, 0xA0, true);
        uint32_t far_dev = 600; /* level-2 page 1 (512 8-byte entries per 4 KiB page) */
        if (indirect) {
            uint64_t l1 = GICSIM_GITS_L1_VALID | DT_L2_BASE;
            assert_int_equal(gicsim_mem_write(f->g, DT_BASE, &l1, 8), GICSIM_OK);
            map_event(f, far_dev, 4, 0, LPI + 71, 2);
            run(f);
            /* Level-1 entry 1 is invalid: MAPD fails (DEVICE_OOR), so does
             * MAPTI (UNMAPPED_DEVICE), and the MSI is dropped. */
            assert_int_equal(its_stats(f).errors[GICSIM_ITS_ERR_DEVICE_OOR], 1);
            assert_int_equal(its_stats(f).errors[GICSIM_ITS_ERR_UNMAPPED_DEVICE], 1);
            assert_int_equal(gicsim_its_msi(f->g, far_dev, 0), GICSIM_OK);
            run(f);
            assert_int_equal(its_stats(f).dropped, 1);
            assert_int_equal(iar1(f, 2), SPURIOUS);
            l1 = GICSIM_GITS_L1_VALID | (DT_L2_BASE + 0x1000);
            assert_int_equal(gicsim_mem_write(f->g, DT_BASE + 8, &l1, 8), GICSIM_OK);
        } else {
            /* One 4 KiB page holds DeviceIDs 0..511: 600 is beyond the table. */
            map_event(f, far_dev, 4, 0, LPI + 71, 2);
            run(f);
            assert_int_equal(its_stats(f).errors[GICSIM_ITS_ERR_DEVICE_OOR], 2); /* MAPD, MAPTI */
            tf_its_wr(f->g, GICSIM_GITS_CTLR, 4, 0);
            tf_its_wr(f->g, GICSIM_GITS_BASER(0), 8,
                      GICSIM_GITS_BASER_VALID | DT_BASE | 1u); /* two pages */
            tf_its_wr(f->g, GICSIM_GITS_CTLR, 4, GICSIM_GITS_CTLR_ENABLED);
        }
        map_event(f, 5, 4, 0, LPI + 70, 1);
        map_event(f, far_dev, 4, 0, LPI + 71, 2);
        run(f);
        uint64_t acc0 = its_stats(f).table_accesses;
        assert_int_equal(gicsim_its_msi(f->g, 5, 0), GICSIM_OK);
        assert_int_equal(gicsim_its_msi(f->g, far_dev, 0), GICSIM_OK);
        run(f);
        assert_int_equal(iar1(f, 1), LPI + 70);
        assert_int_equal(iar1(f, 2), LPI + 71);
        /* Two cache misses; a two-level lookup also reads the level-1 entry. */
        assert_int_equal(its_stats(f).table_accesses - acc0, indirect ? 8 : 6);
        tf_gic_fx_free(f);
    }
}

static void test_registers(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.version = GICSIM_GICV4_1, .cache_entries = 8});
    uint64_t typer = tf_its_rd(f->g, GICSIM_GITS_TYPER, 8);
    assert_true(typer & GICSIM_GITS_TYPER_PHYSICAL);
    assert_true(typer & GICSIM_GITS_TYPER_VIRTUAL);
    assert_int_equal((typer >> GICSIM_GITS_TYPER_ITT_ENTRY_SIZE_SHIFT) & 0xF, 7);
    assert_int_equal((typer >> GICSIM_GITS_TYPER_IDBITS_SHIFT) & 0x1F, 15);
    assert_int_equal((typer >> GICSIM_GITS_TYPER_DEVBITS_SHIFT) & 0x1F, 19);
    assert_false(typer & (GICSIM_GITS_TYPER_SEIS | GICSIM_GITS_TYPER_PTA));
    assert_int_equal((typer >> GICSIM_GITS_TYPER_HCC_SHIFT) & 0xFF, 0);
    assert_true(typer & GICSIM_GITS_TYPER_VSGI);
    assert_true(typer & GICSIM_GITS_TYPER_VMAPP);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_TYPER + 4, 4), typer >> 32);
    /* BASER Type and Entry_Size are read-only. */
    uint64_t dt = tf_its_rd(f->g, GICSIM_GITS_BASER(0), 8);
    assert_int_equal((dt >> GICSIM_GITS_BASER_TYPE_SHIFT) & 7, GICSIM_GITS_BASER_TYPE_DEVICES);
    assert_int_equal((dt >> GICSIM_GITS_BASER_ENTRY_SIZE_SHIFT) & 0x1F, 7);
    uint64_t vp = tf_its_rd(f->g, GICSIM_GITS_BASER(2), 8);
    assert_int_equal((vp >> GICSIM_GITS_BASER_TYPE_SHIFT) & 7, GICSIM_GITS_BASER_TYPE_VPES);
    assert_int_equal((vp >> GICSIM_GITS_BASER_ENTRY_SIZE_SHIFT) & 0x1F, 31);
    gicsim_gic_stats gs0, gs1;
    gicsim_gic_get_stats(f->g, &gs0);
    /* While enabled, BASER and CBASER writes are ignored and counted. */
    tf_its_wr(f->g, GICSIM_GITS_BASER(0), 8, 0);
    tf_its_wr(f->g, GICSIM_GITS_CBASER, 8, 0);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_BASER(0), 8), dt);
    /* Unimplemented BASERs and reserved offsets are RAZ/WI. */
    tf_its_wr(f->g, GICSIM_GITS_BASER(5), 8, ~0ull);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_BASER(5), 8), 0);
    assert_int_equal(tf_its_rd(f->g, 0x0F00, 4), 0);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_TRANSLATER, 4), 0);
    gicsim_gic_get_stats(f->g, &gs1);
    assert_int_equal(gs1.raz_wi_writes - gs0.raz_wi_writes, 3);
    assert_int_equal(gs1.raz_wi_reads - gs0.raz_wi_reads, 3);
    /* CTLR: enabled and busy-free; disabled and idle is quiescent. */
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CTLR, 4), GICSIM_GITS_CTLR_ENABLED);
    tf_its_wr(f->g, GICSIM_GITS_CTLR, 4, 0);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CTLR, 4), GICSIM_GITS_CTLR_QUIESCENT);
    /* Disabled: MSIs are ignored, commands wait. A CBASER write resets CREADR. */
    assert_int_equal(gicsim_its_msi(f->g, 1, 1), GICSIM_OK);
    assert_int_equal(its_stats(f).dropped_disabled, 1);
    submit1(f, gicsim_its_cmd_sync(0));
    run(f);
    uint64_t cw = tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8), cw - 32);
    tf_its_wr(f->g, GICSIM_GITS_CTLR, 4, GICSIM_GITS_CTLR_ENABLED);
    run(f);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8), cw);
    tf_its_wr(f->g, GICSIM_GITS_CTLR, 4, 0);
    tf_its_wr(f->g, GICSIM_GITS_CBASER, 8, GICSIM_GITS_BASER_VALID | CQ_BASE | 1u);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CREADR, 8), 0);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CBASER, 8),
                     GICSIM_GITS_BASER_VALID | CQ_BASE | 1u);
    /* 32-bit halves of a 64-bit register. */
    tf_its_wr(f->g, GICSIM_GITS_CWRITER, 4, 0x40);
    tf_its_wr(f->g, GICSIM_GITS_CWRITER + 4, 4, 0);
    assert_int_equal(tf_its_rd(f->g, GICSIM_GITS_CWRITER, 8), 0x40);
    /* Bad arguments. */
    uint64_t v;
    assert_int_equal(gicsim_its_read(f->g, 0, 3, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_its_read(NULL, 0, 4, &v), GICSIM_E_INVAL);
    assert_int_equal(gicsim_its_submit(NULL, NULL, 0), GICSIM_E_INVAL);
    tf_gic_fx_free(f);

    /* Without an ITS. */
    gicsim_engine *e;
    gicsim_gic *g;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.its = false;
    tf_gic_new(&e, &g, &cfg);
    assert_int_equal(gicsim_its_read(g, 0, 4, &v), GICSIM_E_UNSUPPORTED);
    assert_int_equal(gicsim_its_msi(g, 0, 0), GICSIM_E_UNSUPPORTED);
    gicsim_its_stats s;
    assert_int_equal(gicsim_its_get_stats(g, &s), GICSIM_E_UNSUPPORTED);
    tf_gic_free(e, g);
}

/* ---- GICv4 -------------------------------------------------------------------------- */

static void make_resident(fx *f, uint32_t pe, uint64_t vpt)
{
    tf_gicr_wr(f->g, pe, GICSIM_GICR_VPROPBASER, 8, VPROP_BASE | 15u);
    tf_gicr_wr(f->g, pe, GICSIM_GICR_VPENDBASER, 8, vpt | GICSIM_GICR_VPENDBASER_VALID);
    run(f); /* the VPT scan */
}

/* A GICv4.0 GIC with vPE 3 (VPT 0) mapped to PE 1 and device 20's event 0
 * mapped to vINTID 8200 of vPE 3 with doorbell LPI 8300. */
static fx *v4_setup(void)
{
    fx *f = fx_create((fx_opts){.version = GICSIM_GICV4_0, .cache_entries = 8});
    tf_lpi_config(f->g, VPROP_BASE, 8200, 0xA0, true);
    tf_lpi_config(f->g, PROP_BASE, 8300, 0x80, true);
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_vmapp(3, 1, VPT_BASE(0), 16, true),
        gicsim_its_cmd_mapd(20, ITT_BASE(20), 4, true),
        gicsim_its_cmd_vmapti(20, 0, 3, 8200, 8300),
        gicsim_its_cmd_vsync(3),
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    tf_vcpu_on(f->g, 1, 0xFF);
    assert_int_equal(its_stats(f).command_errors, 0);
    return f;
}

static void test_v4_vlpi_resident(void **state)
{
    (void)state;
    fx *f = v4_setup();
    make_resident(f, 1, VPT_BASE(0));
    assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
    run(f);
    assert_int_equal(viar1(f, 1), 8200);
    assert_int_equal(iar1(f, 1), SPURIOUS); /* no doorbell, no exit */
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.vlpis, 1);
    assert_int_equal(s.lpis, 0);
    tf_gic_fx_free(f);
}

static void test_v4_vlpi_doorbell(void **state)
{
    (void)state;
    fx *f = v4_setup();
    assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
    run(f);
    assert_int_equal(iar1(f, 1), 8300); /* the per-ITE doorbell on the vPE's PE */
    assert_int_equal(viar1(f, 1), SPURIOUS);
    /* The vLPI waits in the VPT: making the vPE resident presents it. */
    make_resident(f, 1, VPT_BASE(0));
    assert_int_equal(viar1(f, 1), 8200);
    tf_gic_fx_free(f);
}

static void test_v4_vmovp_and_discard(void **state)
{
    (void)state;
    fx *f = v4_setup();
    submit1(f, gicsim_its_cmd_vmovp(3, 2));
    run(f);
    tf_vcpu_on(f->g, 2, 0xFF);
    make_resident(f, 2, VPT_BASE(0));
    assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
    run(f);
    assert_int_equal(viar1(f, 2), 8200);
    /* INT reaches a virtual ITE too; DISCARD unmaps the event. */
    submit1(f, gicsim_its_cmd_int(20, 0));
    run(f);
    assert_int_equal(viar1(f, 2), 8200);
    submit1(f, gicsim_its_cmd_discard(20, 0));
    run(f);
    assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
    run(f);
    assert_int_equal(viar1(f, 2), SPURIOUS);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.dropped, 1);
    assert_int_equal(s.command_errors, 0);
    /* Errors of the virtual commands. */
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_vmapti(20, 1, 3, 100, 1023),           /* vINTID not an LPI */
        gicsim_its_cmd_vsync(9),                              /* vPE 9 not mapped */
        gicsim_its_cmd_vmapp(3, NPES, VPT_BASE(0), 16, true), /* no such PE */
        gicsim_its_cmd_vmapp(1000, 0, VPT_BASE(1), 16, true), /* beyond the vPE table (128) */
        gicsim_its_cmd_movi(20, 0, 0),                        /* (ITE discarded) */
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    s = its_stats(f);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_VIRTUALID_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_VPE], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_PROCNUM_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_VPEID_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_INTERRUPT], 1);
    tf_gic_fx_free(f);
}

static void test_v41_vsgi(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.version = GICSIM_GICV4_1, .cache_entries = 8});
    tf_lpi_config(f->g, PROP_BASE, 8400, 0x80, true); /* the vPE's doorbell */
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_vmapp41(2, 3, VPT_BASE(1), 16, VPROP_BASE, 8400, true),
        gicsim_its_cmd_vsgi(2, 5, 0x80, true, true, false),
        gicsim_its_cmd_vsync(2),
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    assert_int_equal(its_stats(f).command_errors, 0);
    tf_vcpu_on(f->g, 3, 0xFF);
    make_resident(f, 3, VPT_BASE(1));
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 5));
    run(f);
    assert_int_equal(viar1(f, 3), 5);
    assert_int_equal(iar1(f, 3), SPURIOUS);
    /* Not resident, made so without asking for the doorbell: none. */
    tf_gicr_wr(f->g, 3, GICSIM_GICR_VPENDBASER, 8, VPT_BASE(1));
    run(f);
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 5));
    run(f);
    assert_int_equal(iar1(f, 3), SPURIOUS);
    /* Resident again (it takes the vSGI), then not with
     * GICR_VPENDBASER.Doorbell: the vPE's doorbell rings on its PE. */
    make_resident(f, 3, VPT_BASE(1));
    run(f);
    assert_int_equal(viar1(f, 3), 5);
    tf_gicr_wr(f->g, 3, GICSIM_GICR_VPENDBASER, 8, VPT_BASE(1) | GICSIM_GICR_VPENDBASER_DB);
    run(f);
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 5));
    run(f);
    assert_int_equal(iar1(f, 3), 8400);
    /* An unmapped vPE: the write is dropped. */
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(7, 1));
    run(f);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.vsgis, 3);
    assert_int_equal(s.vsgis_dropped, 1);
    /* INVDB re-sends the doorbell; VSGI and INVDB are unknown on GICv4.0. */
    submit1(f, gicsim_its_cmd_invdb(2));
    run(f);
    assert_int_equal(its_stats(f).command_errors, 0);
    tf_gic_fx_free(f);

    f = fx_create((fx_opts){.version = GICSIM_GICV4_0, .cache_entries = 8});
    gicsim_its_cmd d[] = {gicsim_its_cmd_vsgi(2, 5, 0x80, true, true, false),
                          gicsim_its_cmd_invdb(2)};
    submit(f, d, 2);
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 5)); /* RAZ/WI on v4.0 */
    run(f);
    assert_int_equal(its_stats(f).errors[GICSIM_ITS_ERR_UNKNOWN_COMMAND], 2);
    assert_int_equal(its_stats(f).vsgis + its_stats(f).vsgis_dropped, 0);
    tf_gic_fx_free(f);
}

/* ---- rules the mutation run (scripts/mutate.sh) found untested ------------------------- */

/* MOVI drops the event's cached translation: after a MOVI, the next MSI of
 * the event reaches the new collection's PE, not the one the cache held. */
static void test_movi_drops_cached_translation(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 8});
    tf_lpi_config(f->g, PROP_BASE, LPI + 11, 0xA0, true);
    map_event(f, 6, 4, 2, LPI + 11, 0);
    run(f);
    assert_int_equal(gicsim_its_msi(f->g, 6, 2), GICSIM_OK); /* fills the cache */
    run(f);
    assert_int_equal(iar1(f, 0), LPI + 11);
    uint64_t inval = its_stats(f).cache_invalidations;
    submit1(f, gicsim_its_cmd_movi(6, 2, 3));
    run(f);
    assert_int_equal(its_stats(f).cache_invalidations, inval + 1);
    assert_int_equal(gicsim_its_msi(f->g, 6, 2), GICSIM_OK);
    run(f);
    assert_int_equal(iar1(f, 0), SPURIOUS);
    assert_int_equal(iar1(f, 3), LPI + 11);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.cache_misses, 2); /* the second MSI walked the tables again */
    assert_int_equal(s.cache_hits, 0);
    tf_gic_fx_free(f);
}

/* DISCARD of a pending LPI clears its pending state (IHI 0069: DISCARD
 * "removes the pending state of the interrupt"), in the redistributor and in
 * its pending table; the event is then unmapped. */
static void test_discard_clears_pending(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 8});
    tf_lpi_config(f->g, PROP_BASE, LPI + 12, 0xA0, true);
    map_event(f, 13, 4, 1, LPI + 12, 2);
    run(f);
    tf_icc_wr(f->g, 2, GICSIM_ICC_PMR, 0); /* PE 2 masks everything: the LPI stays pending */
    assert_int_equal(gicsim_its_msi(f->g, 13, 1), GICSIM_OK);
    run(f);
    assert_int_equal(tf_irq_state(f->g, 2, LPI + 12), GICSIM_IRQ_PENDING);
    uint8_t bits = 0;
    assert_int_equal(gicsim_mem_read(f->g, PEND_BASE(2) + (LPI + 12) / 8, &bits, 1), GICSIM_OK);
    assert_true(bits & (1u << ((LPI + 12) % 8)));
    submit1(f, gicsim_its_cmd_discard(13, 1));
    run(f);
    assert_int_equal(tf_irq_state(f->g, 2, LPI + 12), GICSIM_IRQ_INACTIVE);
    assert_int_equal(gicsim_mem_read(f->g, PEND_BASE(2) + (LPI + 12) / 8, &bits, 1), GICSIM_OK);
    assert_false(bits & (1u << ((LPI + 12) % 8)));
    tf_icc_wr(f->g, 2, GICSIM_ICC_PMR, 0xFF);
    run(f);
    assert_int_equal(iar1(f, 2), SPURIOUS);
    assert_int_equal(its_stats(f).commands_by_opcode[GICSIM_ITS_CMD_DISCARD], 1);
    assert_int_equal(its_stats(f).command_errors, 0);
    /* The event is gone: its MSIs are dropped, a second DISCARD fails. */
    assert_int_equal(gicsim_its_msi(f->g, 13, 1), GICSIM_OK);
    submit1(f, gicsim_its_cmd_discard(13, 1));
    run(f);
    assert_int_equal(its_stats(f).dropped, 1);
    assert_int_equal(its_stats(f).errors[GICSIM_ITS_ERR_UNMAPPED_INTERRUPT], 1);
    tf_assert_gic_accounting(f->g);
    tf_gic_fx_free(f);
}

/* INV and INVALL that change only the priority of a pending LPI make the
 * redistributor choose its highest-priority pending LPI again. */
static void test_inv_priority_change_reselects(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 8});
    tf_lpi_config(f->g, PROP_BASE, LPI + 13, 0xA0, true);
    tf_lpi_config(f->g, PROP_BASE, LPI + 14, 0x90, true);
    map_event(f, 14, 4, 0, LPI + 13, 1);
    map_event(f, 14, 4, 1, LPI + 14, 1);
    run(f);
    tf_icc_wr(f->g, 1, GICSIM_ICC_PMR, 0x10); /* both stay pending */
    assert_int_equal(gicsim_its_msi(f->g, 14, 0), GICSIM_OK);
    assert_int_equal(gicsim_its_msi(f->g, 14, 1), GICSIM_OK);
    run(f);
    assert_int_equal(tf_icc_rd(f->g, 1, GICSIM_ICC_HPPIR1), LPI + 14);
    /* LPI 13 rises above LPI 14: INV of its event. */
    tf_lpi_config(f->g, PROP_BASE, LPI + 13, 0x80, true);
    run(f);
    assert_int_equal(tf_icc_rd(f->g, 1, GICSIM_ICC_HPPIR1), LPI + 14); /* cached */
    submit1(f, gicsim_its_cmd_inv(14, 0));
    run(f);
    assert_int_equal(tf_icc_rd(f->g, 1, GICSIM_ICC_HPPIR1), LPI + 13);
    /* LPI 14 rises above it again: INVALL of the collection. */
    tf_lpi_config(f->g, PROP_BASE, LPI + 14, 0x70, true);
    gicsim_its_cmd c[2] = {gicsim_its_cmd_invall(1), gicsim_its_cmd_sync(1)};
    submit(f, c, 2);
    run(f);
    assert_int_equal(tf_icc_rd(f->g, 1, GICSIM_ICC_HPPIR1), LPI + 14);
    tf_icc_wr(f->g, 1, GICSIM_ICC_PMR, 0xFF);
    run(f);
    assert_int_equal(iar1(f, 1), LPI + 14);
    run(f);
    assert_int_equal(iar1(f, 1), LPI + 13);
    tf_gic_fx_free(f);
}

/* The last entry of a table: a flat one-page Device table holds DeviceIDs
 * 0..511; a two-level one with one page of level-1 entries holds 512 pages
 * of 512, DeviceIDs 0..262143 (IHI 0069, GITS_BASER<n>.Indirect). */
static void test_table_last_entry(void **state)
{
    (void)state;
    for (int indirect = 0; indirect < 2; indirect++) {
        fx *f = fx_create((fx_opts){.cache_entries = 8, .indirect_dt = indirect != 0});
        uint32_t last = indirect ? 512u * 512u - 1u : 511u;
        tf_lpi_config(f->g, PROP_BASE, LPI + 15, 0xA0, true);
        if (indirect) {
            /* The last level-1 entry, and past the table what would be the
             * next one: the ITS must not read it. */
            uint64_t l1 = GICSIM_GITS_L1_VALID | (DT_L2_BASE + 0x2000);
            assert_int_equal(gicsim_mem_write(f->g, DT_BASE + 8u * 511u, &l1, 8), GICSIM_OK);
            l1 = GICSIM_GITS_L1_VALID | (DT_L2_BASE + 0x3000);
            assert_int_equal(gicsim_mem_write(f->g, DT_BASE + 8u * 512u, &l1, 8), GICSIM_OK);
        }
        gicsim_its_cmd c[] = {
            gicsim_its_cmd_mapd(last, ITT_BASE(30), 4, true),
            gicsim_its_cmd_mapti(last, 0, LPI + 15, 2),
            gicsim_its_cmd_mapd(last + 1, ITT_BASE(31), 4, true),
            gicsim_its_cmd_sync(2),
        };
        submit(f, c, sizeof c / sizeof c[0]);
        run(f);
        gicsim_its_stats s = its_stats(f);
        assert_int_equal(s.command_errors, 1);
        assert_int_equal(s.errors[GICSIM_ITS_ERR_DEVICE_OOR], 1);
        assert_int_equal(s.last_error,
                         gicsim_its_error_code(GICSIM_ITS_ERR_DEVICE_OOR, GICSIM_ITS_CMD_MAPD));
        assert_int_equal(gicsim_its_msi(f->g, last, 0), GICSIM_OK);
        assert_int_equal(gicsim_its_msi(f->g, last + 1, 0), GICSIM_OK);
        run(f);
        assert_int_equal(iar1(f, 2), LPI + 15);
        assert_int_equal(its_stats(f).dropped, 1);
        tf_gic_fx_free(f);
    }
}

/* VMAPP's VPT_size: vINTID bits - 1, at most the LPI INTID bits (16 here)
 * less one; one more is VPTSIZE_OOR and the vPE stays unmapped. */
static void test_vmapp_vpt_size_limit(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.version = GICSIM_GICV4_0, .cache_entries = 8});
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_vmapp(4, 1, VPT_BASE(2), 16, true),
        gicsim_its_cmd_vmapp(5, 1, VPT_BASE(3), 17, true),
        gicsim_its_cmd_vsync(4),
        gicsim_its_cmd_vsync(5),
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_VPTSIZE_OOR], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_VPE], 1); /* VSYNC of vPE 5 */
    assert_int_equal(s.command_errors, 2);
    assert_int_equal(gicsim_its_error_code(GICSIM_ITS_ERR_VPTSIZE_OOR, GICSIM_ITS_CMD_VMAPP),
                     0x012912u);
    tf_gic_fx_free(f);
}

/* A vLPI that reaches a redistributor while its vPE is resident on another
 * one (the hypervisor moved the vCPU without VMOVP) is not resident there:
 * the doorbell rings on the redistributor the ITS sent it to. */
static void test_v4_vlpi_resident_elsewhere_rings(void **state)
{
    (void)state;
    fx *f = v4_setup(); /* vPE 3 mapped to PE 1 */
    tf_vcpu_on(f->g, 2, 0xFF);
    make_resident(f, 2, VPT_BASE(0));
    uint64_t db = tf_gic_stats(f->g).doorbells;
    assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
    run(f);
    assert_int_equal(tf_gic_stats(f->g).doorbells, db + 1);
    assert_int_equal(iar1(f, 1), 8300);
    assert_int_equal(iar1(f, 2), SPURIOUS);
    tf_gic_fx_free(f);
}

/* GICv4.1 VSGI with Clear=1 clears a pending vSGI, whether its vPE is
 * resident or not (IHI 0069, the VSGI command). */
static void test_v41_vsgi_clear(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.version = GICSIM_GICV4_1, .cache_entries = 8});
    tf_lpi_config(f->g, PROP_BASE, 8400, 0x80, true);
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_vmapp41(2, 3, VPT_BASE(1), 16, VPROP_BASE, 8400, true),
        gicsim_its_cmd_vsgi(2, 5, 0x80, true, true, false),
        gicsim_its_cmd_vsgi(2, 6, 0x80, true, true, false),
        gicsim_its_cmd_vsync(2),
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    /* Resident, masked by VPMR: vSGIs 5 and 6 stay pending; Clear=1 on 5. */
    tf_vcpu_on(f->g, 3, 0x00);
    make_resident(f, 3, VPT_BASE(1));
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 5));
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 6));
    run(f);
    assert_int_equal(tf_icv_rd(f->g, 3, GICSIM_ICC_HPPIR1), 5);
    gicsim_its_cmd clr[2] = {gicsim_its_cmd_vsgi(2, 5, 0x80, true, true, true),
                             gicsim_its_cmd_vsync(2)};
    submit(f, clr, 2);
    run(f);
    assert_int_equal(tf_icv_rd(f->g, 3, GICSIM_ICC_HPPIR1), 6);
    tf_vcpu_on(f->g, 3, 0xFF);
    assert_int_equal(viar1(f, 3), 6);
    assert_int_equal(viar1(f, 3), SPURIOUS);
    /* Not resident, with its doorbell asked for (GICR_VPENDBASER.Doorbell):
     * vSGI 5 pending (the doorbell rings), then cleared; made resident
     * again, nothing is presented. */
    tf_gicr_wr(f->g, 3, GICSIM_GICR_VPENDBASER, 8, VPT_BASE(1) | GICSIM_GICR_VPENDBASER_DB);
    run(f);
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 5));
    run(f);
    assert_int_equal(iar1(f, 3), 8400);
    submit(f, clr, 2);
    run(f);
    make_resident(f, 3, VPT_BASE(1));
    assert_false(gicsim_gic_virq_line(f->g, 3));
    assert_int_equal(viar1(f, 3), SPURIOUS);
    assert_int_equal(its_stats(f).command_errors, 0);
    tf_gic_fx_free(f);
}

/* A pending vLPI of the resident vPE and a list register's interrupt of
 * the same priority: the list register wins the tie (the model's choice
 * where the architecture leaves the order of equal priorities open;
 * docs/vcpu-interface.md); a vLPI of strictly higher priority wins. */
static void test_v4_vlpi_ties_with_lr(void **state)
{
    (void)state;
    /* vLPI 8200 at priority 0xA0 -> vPE 3 on PE 1; LR 0: vINTID 40. */
    const struct {
        uint8_t lr_prio;
        uint32_t first;
    } cases[] = {{0xA0, 40}, {0xA8, 8200}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fx *f = v4_setup();
        make_resident(f, 1, VPT_BASE(0));
        tf_ich_wr(f->g, 1, GICSIM_ICH_LR0,
                  gicsim_lr_value(40, cases[k].lr_prio, true, false, 0, GICSIM_LR_STATE_PENDING));
        assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
        run(f);
        assert_int_equal(viar1(f, 1), cases[k].first);
        tf_gic_fx_free(f);
    }
}

/* VMOVI moves a vLPI to another vPE: its next MSI reaches the new vPE. Its
 * errors: an event with no ITE, a physical ITE, an unmapped vPE; each leaves
 * the ITE as it was. */
static void test_v4_vmovi(void **state)
{
    (void)state;
    fx *f = v4_setup(); /* event (20, 0) -> vPE 3 on PE 1 */
    tf_lpi_config(f->g, PROP_BASE, LPI + 16, 0xA0, true);
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_vmapp(6, 2, VPT_BASE(4), 16, true),
        gicsim_its_cmd_mapd(21, ITT_BASE(21), 4, true),
        gicsim_its_cmd_mapti(21, 0, LPI + 16, 0),
        gicsim_its_cmd_vmovi(20, 7, 6, GICSIM_ITS_NO_DOORBELL), /* no ITE */
        gicsim_its_cmd_vmovi(21, 0, 6, GICSIM_ITS_NO_DOORBELL), /* physical ITE */
        gicsim_its_cmd_vmovi(20, 0, 9, GICSIM_ITS_NO_DOORBELL), /* vPE 9 unmapped */
        gicsim_its_cmd_vsync(3),
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    gicsim_its_stats s = its_stats(f);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_INTERRUPT], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_WRONG_ITE_TYPE], 1);
    assert_int_equal(s.errors[GICSIM_ITS_ERR_UNMAPPED_VPE], 1);
    assert_int_equal(s.command_errors, 3);
    make_resident(f, 1, VPT_BASE(0));
    assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
    run(f);
    assert_int_equal(viar1(f, 1), 8200); /* still vPE 3's */
    submit1(f, gicsim_its_cmd_vmovi(20, 0, 6, GICSIM_ITS_NO_DOORBELL));
    run(f);
    assert_int_equal(its_stats(f).command_errors, 3);
    tf_vcpu_on(f->g, 2, 0xFF);
    make_resident(f, 2, VPT_BASE(4));
    assert_int_equal(gicsim_its_msi(f->g, 20, 0), GICSIM_OK);
    run(f);
    assert_int_equal(viar1(f, 2), 8200);
    assert_int_equal(viar1(f, 1), SPURIOUS);
    tf_gic_fx_free(f);
}

/* SYNC of the redistributor a MOVI moved a pending LPI to completes only
 * once that move has arrived there. */
static void test_sync_waits_for_move(void **state)
{
    (void)state;
    gicsim_timing t;
    gicsim_timing_init(&t);
    t.cycles[GICSIM_COST_ITS_TO_REDIST] = 1000;
    fx *f = fx_create((fx_opts){.cache_entries = 0, .timing = &t});
    tf_lpi_config(f->g, PROP_BASE, LPI + 17, 0xA0, true);
    map_event(f, 22, 4, 0, LPI + 17, 0);
    run(f);
    tf_icc_wr(f->g, 0, GICSIM_ICC_PMR, 0); /* pending on PE 0 */
    assert_int_equal(gicsim_its_msi(f->g, 22, 0), GICSIM_OK);
    run(f);
    gicsim_time_t cmd = gicsim_timing_ps(&t, GICSIM_COST_ITS_COMMAND);
    gicsim_time_t read = gicsim_timing_ps(&t, GICSIM_COST_ITS_TABLE_READ);
    gicsim_time_t to_rd = gicsim_timing_ps(&t, GICSIM_COST_ITS_TO_REDIST);
    gicsim_time_t t0 = gicsim_engine_now(f->e);
    gicsim_its_cmd c[2] = {gicsim_its_cmd_movi(22, 0, 1), gicsim_its_cmd_sync(1)};
    submit(f, c, 2);
    expect_last_done_at(f, t0 + cmd + 5 * read + to_rd); /* MOVI: 5 table accesses */
    run(f);
    assert_int_equal(iar1(f, 1), LPI + 17);
    tf_gic_fx_free(f);
}

/* VSGI's Priority[23:20] is the vSGI's priority (its top 4 bits). */
static void test_v41_vsgi_priority(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.version = GICSIM_GICV4_1, .cache_entries = 8});
    gicsim_its_cmd c[] = {
        gicsim_its_cmd_vmapp41(2, 3, VPT_BASE(1), 16, VPROP_BASE, GICSIM_ITS_NO_DOORBELL, true),
        gicsim_its_cmd_vsgi(2, 5, 0x90, true, true, false),
        gicsim_its_cmd_vsgi(2, 6, 0x6F, true, true, false),
        gicsim_its_cmd_vsync(2),
    };
    submit(f, c, sizeof c / sizeof c[0]);
    run(f);
    tf_vcpu_on(f->g, 3, 0xFF);
    make_resident(f, 3, VPT_BASE(1));
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 5));
    tf_its_wr(f->g, GICSIM_GITS_SGIR, 8, gicsim_gits_sgir_value(2, 6));
    run(f);
    assert_int_equal(tf_icv_rd(f->g, 3, GICSIM_ICC_IAR1), 6);
    assert_int_equal(tf_icv_rd(f->g, 3, GICSIM_ICC_RPR), 0x60);
    tf_icv_wr(f->g, 3, GICSIM_ICC_EOIR1, 6);
    assert_int_equal(tf_icv_rd(f->g, 3, GICSIM_ICC_IAR1), 5);
    assert_int_equal(tf_icv_rd(f->g, 3, GICSIM_ICC_RPR), 0x90);
    tf_gic_fx_free(f);
}

/* Cache invalidations drop what they name and nothing else: INVALL of a
 * collection its translations only; MAPD of a device its translations only
 * (although here the DeviceID equals the other entry's ICID). */
static void test_cache_invalidation_scope(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 8});
    tf_lpi_config(f->g, PROP_BASE, LPI + 18, 0xA0, true);
    tf_lpi_config(f->g, PROP_BASE, LPI + 19, 0xA0, true);
    map_event(f, 23, 4, 0, LPI + 18, 0);
    map_event(f, 24, 4, 0, LPI + 19, 1);
    run(f);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(gicsim_its_msi(f->g, 23, 0), GICSIM_OK);
        assert_int_equal(gicsim_its_msi(f->g, 24, 0), GICSIM_OK);
        run(f);
        assert_int_equal(iar1(f, 0), LPI + 18);
        assert_int_equal(iar1(f, 1), LPI + 19);
        if (round == 0) {
            gicsim_its_cmd c[2] = {gicsim_its_cmd_invall(0), gicsim_its_cmd_sync(0)};
            submit(f, c, 2);
        } else if (round == 1) {
            submit1(f, gicsim_its_cmd_mapd(1, ITT_BASE(1), 4, true));
        }
        run(f);
    }
    gicsim_its_stats s = its_stats(f);
    /* Round 0: two misses. Round 1: 23 misses (INVALL 0), 24 hits.
     * Round 2: both hit (MAPD 1 named neither). */
    assert_int_equal(s.cache_misses, 3);
    assert_int_equal(s.cache_hits, 3);
    assert_int_equal(s.cache_invalidations, 1);
    tf_gic_fx_free(f);
}

/* A 32-bit write of the upper half of a 64-bit register changes that half
 * only (GITS_BASER<n>: Valid and PA[47:32] are in it). */
static void test_upper_half_writes(void **state)
{
    (void)state;
    fx *f = fx_create((fx_opts){.cache_entries = 8});
    tf_its_wr(f->g, GICSIM_GITS_CTLR, 4, 0);
    const uint32_t r = GICSIM_GITS_BASER(GICSIM_GITS_BASER_COLLECTIONS_INDEX);
    const uint64_t v = GICSIM_GITS_BASER_VALID | 0x0000000100600000ull | 1u;
    tf_its_wr(f->g, r, 8, v);
    uint64_t whole = tf_its_rd(f->g, r, 8);
    assert_int_equal(whole & ~0xFF00000000000000ull & ~(0x1Full << 48), v & ~(1ull << 63));
    tf_its_wr(f->g, r, 8, 0);
    tf_its_wr(f->g, r, 4, (uint32_t)v);
    tf_its_wr(f->g, r + 4, 4, (uint32_t)(v >> 32));
    assert_int_equal(tf_its_rd(f->g, r, 8), whole);
    assert_int_equal(tf_its_rd(f->g, r + 4, 4), whole >> 32);
    /* The upper half alone: the lower one is kept. */
    tf_its_wr(f->g, r + 4, 4, (uint32_t)(GICSIM_GITS_BASER_VALID >> 32));
    assert_int_equal(tf_its_rd(f->g, r, 4), (uint32_t)whole);
    assert_true(tf_its_rd(f->g, r, 8) & GICSIM_GITS_BASER_VALID);
    assert_int_equal(tf_its_rd(f->g, r + 4, 4) & 0xFFFFu, 0); /* PA[47:32] */
    tf_gic_fx_free(f);
}

/* ---- determinism -------------------------------------------------------------------- */

static void scenario(fx *f)
{
    uint64_t s = 42;
    for (uint32_t i = 0; i < 16; i++)
        tf_lpi_config(f->g, PROP_BASE, LPI + i, (uint8_t)(0x40 + 8 * (i % 8)), true);
    for (uint32_t d = 0; d < 4; d++) {
        submit1(f, gicsim_its_cmd_mapd(d, ITT_BASE(d), 2, true));
        for (uint32_t ev = 0; ev < 4; ev++)
            submit1(f, gicsim_its_cmd_mapti(d, ev, LPI + 4 * d + ev, (uint16_t)((d + ev) % NPES)));
    }
    for (unsigned step = 0; step < 200; step++) {
        uint64_t r = tf_xorshift64(&s);
        if (r % 7 == 0)
            submit1(f, gicsim_its_cmd_movi((uint32_t)(r >> 8) % 4, (uint32_t)(r >> 16) % 4,
                                           (uint16_t)((r >> 24) % NPES)));
        gicsim_its_msi(f->g, (uint32_t)(r >> 32) % 5, (uint32_t)(r >> 40) % 5);
        gicsim_engine_run_for(f->e, GICSIM_NS((r >> 48) % 300));
        uint32_t pe = (uint32_t)(r >> 56) % NPES;
        iar1(f, pe);
    }
    run(f);
    for (uint32_t pe = 0; pe < NPES; pe++)
        while (iar1(f, pe) != SPURIOUS)
            ;
}

static void test_determinism(void **state)
{
    (void)state;
    fx *a = fx_create((fx_opts){.cache_entries = 4});
    fx *b = fx_create((fx_opts){.cache_entries = 4});
    scenario(a);
    scenario(b);
    assert_true(a->ev.n > 100);
    assert_int_equal(a->ev.n, b->ev.n);
    assert_memory_equal(a->ev.v, b->ev.v, a->ev.n * sizeof a->ev.v[0]);
    gicsim_its_stats sa = its_stats(a), sb = its_stats(b);
    assert_memory_equal(&sa, &sb, sizeof sa);
    assert_true(sa.cache_hits > 0 && sa.cache_misses > 0);
    tf_gic_fx_free(a);
    tf_gic_fx_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_devices_two_pes),
        cmocka_unit_test(test_inv_invall),
        cmocka_unit_test(test_mapd_invalid_drops),
        cmocka_unit_test(test_movi_moves_lpi),
        cmocka_unit_test(test_cache_hit_vs_miss_latency),
        cmocka_unit_test(test_cache_lru_eviction),
        cmocka_unit_test(test_burst_queues),
        cmocka_unit_test(test_sync_waits_for_redistributor),
        cmocka_unit_test(test_command_errors),
        cmocka_unit_test(test_garbage_commands),
        cmocka_unit_test(test_queue_wraps_and_full),
        cmocka_unit_test(test_flat_and_two_level_device_tables),
        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_v4_vlpi_resident),
        cmocka_unit_test(test_v4_vlpi_ties_with_lr),
        cmocka_unit_test(test_v4_vlpi_doorbell),
        cmocka_unit_test(test_v4_vmovp_and_discard),
        cmocka_unit_test(test_v41_vsgi),
        cmocka_unit_test(test_movi_drops_cached_translation),
        cmocka_unit_test(test_discard_clears_pending),
        cmocka_unit_test(test_inv_priority_change_reselects),
        cmocka_unit_test(test_table_last_entry),
        cmocka_unit_test(test_vmapp_vpt_size_limit),
        cmocka_unit_test(test_v4_vlpi_resident_elsewhere_rings),
        cmocka_unit_test(test_v41_vsgi_clear),
        cmocka_unit_test(test_upper_half_writes),
        cmocka_unit_test(test_cache_invalidation_scope),
        cmocka_unit_test(test_v4_vmovi),
        cmocka_unit_test(test_sync_waits_for_move),
        cmocka_unit_test(test_v41_vsgi_priority),
        cmocka_unit_test(test_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
