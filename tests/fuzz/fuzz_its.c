/* gicsim fuzzing: the ITS (lib/gic/its*.c) and the LPI/GICv4 redistributor
 * side (lib/gic/lpi.c, vlpi.c) of a GICv4.1 GIC (in a quarter of the inputs
 * a GICv4.0 one, in another quarter a GICv3 one).
 *
 * Each input starts from a GIC set up as docs/its.md's boot recipe does
 * (tf_its_boot, tests/support/its_boot.h, with tests/test_its.c's memory
 * map): LPIs enabled on every PE (GICR_PROPBASER/PENDBASER, EnableLPIs), the
 * Device, Collection and vPE tables (GITS_BASER<n>), the command queue
 * (GITS_CBASER, CWRITER), the ITS enabled and collection n mapped to PE n.
 * The first byte picks the translation cache size [1:0], whether the Device
 * table is two-level [2], whether PE 0 starts with LPIs pending in its
 * pending table ([4:3] = 3: no PTZ, so EnableLPIs scans it) and the version
 * [6:5].
 *
 * The rest of the input is a stream of operations, each introduced by one
 * byte (see the switch below): batches of raw 32-byte commands or of commands
 * built from small field values, MSIs, GITS register writes and reads,
 * GITS_SGIR writes, redistributor register writes (residency, LPI tables),
 * memory writes to the tables, acknowledges on the physical and virtual CPU
 * interfaces, and engine runs between them. At the end the engine is drained
 * and the statistics are checked for consistency. */
#include "fuzz_common.h"
#include "support/its_boot.h"

#include <string.h>

#define NPES 4u
#define FZ_MAX_INPUT 8192u
#define FZ_MAX_EVENTS 20000u /* per engine run */
#define FZ_MAX_OPS 512u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fx {
    gicsim_engine *e;
    gicsim_gic *g;
} fx;

static bool setup(fx *f, uint8_t cfgbyte)
{
    static const uint32_t caches[4] = {0, 1, 4, 32};
    static const gicsim_gic_version versions[4] = {GICSIM_GICV4_1, GICSIM_GICV4_1, GICSIM_GICV4_0,
                                                   GICSIM_GICV3};
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = versions[cfgbyte >> 5 & 3u];
    cfg.num_pes = NPES;
    cfg.num_spis = 0; /* no SPIs: a cheaper os_init, and nothing here uses them */
    cfg.its_cache_entries = caches[cfgbyte & 3u];
    bool indirect = (cfgbyte >> 2) & 1u;
    bool prepend = (cfgbyte & 0x18u) == 0x18u;
    if (gicsim_engine_create(&f->e) != GICSIM_OK)
        return false;
    if (gicsim_gic_create(f->e, &cfg, &f->g) != GICSIM_OK) {
        gicsim_engine_destroy(f->e);
        return false;
    }
    gicsim_gic *g = f->g;
    gicsim_gic_os_init(g);
    /* The first 128 LPIs and vLPIs enabled (doorbells are 8256..8271). */
    uint8_t conf[128];
    memset(conf, 0xA1, sizeof conf);
    gicsim_mem_write(g, PROP_BASE, conf, sizeof conf);
    gicsim_mem_write(g, VPROP_BASE, conf, sizeof conf);
    if (prepend) { /* LPIs pending in PE 0's table before EnableLPIs */
        static const uint8_t bits[2] = {0x5A, 0x81};
        gicsim_mem_write(g, PEND_BASE(0) + GICSIM_LPI_BASE / 8u, &bits[0], 1);
        gicsim_mem_write(g, PEND_BASE(0) + GICSIM_LPI_BASE / 8u + 9u, &bits[1], 1);
    }
    /* A guest ready to take vLPIs and vSGIs on every PE. */
    for (uint32_t pe = 0; pe < NPES; pe++) {
        gicsim_ich_write(g, pe, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN);
        gicsim_ich_write(g, pe, GICSIM_ICH_VMCR,
                         GICSIM_ICH_VMCR_VENG1 | (0xFFull << GICSIM_ICH_VMCR_VPMR_SHIFT));
    }
    if (indirect) { /* the first two level-2 pages of the Device table */
        for (uint64_t i = 0; i < 2; i++) {
            uint64_t l1 = GICSIM_GITS_L1_VALID | (DT_L2_BASE + 0x1000u * i);
            gicsim_mem_write(g, DT_BASE + 8u * i, &l1, sizeof l1);
        }
    }
    /* PTZ: the pending table is known to be zero (no scan), as Linux does;
     * without it EnableLPIs scans the table. */
    uint32_t all = (1u << NPES) - 1u;
    tf_its_boot_opts boot = {.version = cfg.version,
                             .num_pes = NPES,
                             .indirect_dt = indirect,
                             .ptz_pes = prepend ? all & ~1u : all};
    FZ_CHECK(tf_its_boot(g, &boot) == GICSIM_OK);
    fz_drain(f->e, FZ_MAX_EVENTS);
    return true;
}

/* A command from small field values (most of them valid for the setup). */
static gicsim_its_cmd built_command(fz_in *in)
{
    uint8_t kind = fz_u8(in);
    uint8_t a = fz_u8(in), b = fz_u8(in), c = fz_u8(in);
    uint32_t dev = a & 15u, ev = b & 31u, icid = c & 7u, pe = c % (NPES + 1);
    uint16_t vpe = (uint16_t)(a >> 4 & 7u);
    uint32_t intid = GICSIM_LPI_BASE + (b >> 2 & 63u);
    uint32_t db = c & 0x80u ? GICSIM_ITS_NO_DOORBELL : GICSIM_LPI_BASE + 64u + (c & 15u);
    bool v = !(kind & 0x80u);
    switch (kind % 22u) {
    case 0:
        return gicsim_its_cmd_mapd(dev, ITT_BASE(dev), 1u + (b & 15u), v);
    case 1:
        return gicsim_its_cmd_mapc((uint16_t)icid, pe, v);
    case 2:
        return gicsim_its_cmd_mapti(dev, ev, intid, (uint16_t)icid);
    case 3:
        return gicsim_its_cmd_mapi(dev, ev, (uint16_t)icid);
    case 4:
        return gicsim_its_cmd_movi(dev, ev, (uint16_t)icid);
    case 5:
        return gicsim_its_cmd_movall(a % (NPES + 1), c % (NPES + 1));
    case 6:
        return gicsim_its_cmd_int(dev, ev);
    case 7:
        return gicsim_its_cmd_clear(dev, ev);
    case 8:
        return gicsim_its_cmd_discard(dev, ev);
    case 9:
        return gicsim_its_cmd_inv(dev, ev);
    case 10:
        return gicsim_its_cmd_invall((uint16_t)icid);
    case 11:
        return gicsim_its_cmd_sync(pe);
    case 12:
        return gicsim_its_cmd_vmapp(vpe, pe, VPT_BASE(vpe), 8u + (b & 15u), v);
    case 13:
        return gicsim_its_cmd_vmapp41(vpe, pe, VPT_BASE(vpe), 8u + (b & 15u), VPROP_BASE, db, v);
    case 14:
        return gicsim_its_cmd_vmapti(dev, ev, vpe, intid, db);
    case 15:
        return gicsim_its_cmd_vmapi(dev, ev, vpe, db);
    case 16:
        return gicsim_its_cmd_vmovi(dev, ev, vpe, db);
    case 17:
        return gicsim_its_cmd_vmovp(vpe, pe);
    case 18:
        return gicsim_its_cmd_vsync(vpe);
    case 19:
        return gicsim_its_cmd_vinvall(vpe);
    case 20:
        return gicsim_its_cmd_vsgi(vpe, b & 15u, c, a & 1u, a & 2u, a & 4u);
    default:
        return gicsim_its_cmd_invdb(vpe);
    }
}

static void submit(fx *f, const gicsim_its_cmd *c, size_t n)
{
    gicsim_status st = gicsim_its_submit(f->g, c, n);
    if (st == GICSIM_E_FULL) {
        fz_drain(f->e, FZ_MAX_EVENTS);
        st = gicsim_its_submit(f->g, c, n);
    }
    FZ_CHECK(st == GICSIM_OK || st == GICSIM_E_FULL || st == GICSIM_E_STATE);
}

/* GITS registers worth writing, and the value forms that make sense for each. */
static const uint32_t gits_regs[] = {
    GICSIM_GITS_CTLR,        GICSIM_GITS_CBASER,   GICSIM_GITS_CBASER + 4,   GICSIM_GITS_CWRITER,
    GICSIM_GITS_CWRITER + 4, GICSIM_GITS_CREADR,   GICSIM_GITS_BASER(0),     GICSIM_GITS_BASER(1),
    GICSIM_GITS_BASER(2),    GICSIM_GITS_BASER(3), GICSIM_GITS_BASER(0) + 4, GICSIM_GITS_TYPER,
    GICSIM_GITS_TRANSLATER,  GICSIM_GITS_SGIR,     GICSIM_GITS_IIDR,         GICSIM_GITS_PIDR2,
};

static uint64_t gits_value(fz_in *in, uint32_t off)
{
    uint8_t form = fz_u8(in);
    if (form & 0x80u)
        return fz_u64(in); /* raw */
    switch (off) {
    case GICSIM_GITS_CTLR:
        return form & 1u;
    case GICSIM_GITS_CBASER:
        return (form & 1u ? GICSIM_GITS_BASER_VALID : 0) | CQ_BASE | (form >> 1 & 3u);
    case GICSIM_GITS_CWRITER:
        return (uint64_t)fz_u8(in) * 32u;
    case GICSIM_GITS_BASER(0):
        return (form & 1u ? GICSIM_GITS_BASER_VALID : 0) |
               (form & 2u ? GICSIM_GITS_BASER_INDIRECT : 0) | DT_BASE |
               ((uint64_t)(form >> 2 & 3u) << GICSIM_GITS_BASER_PAGE_SIZE_SHIFT) | (form >> 4 & 3u);
    case GICSIM_GITS_BASER(1):
        return (form & 1u ? GICSIM_GITS_BASER_VALID : 0) | CT_BASE;
    case GICSIM_GITS_BASER(2):
        return (form & 1u ? GICSIM_GITS_BASER_VALID : 0) |
               (form & 2u ? GICSIM_GITS_BASER_INDIRECT : 0) | VPET_BASE;
    case GICSIM_GITS_SGIR:
        return gicsim_gits_sgir_value((uint16_t)(form >> 1 & 7u), fz_u8(in));
    default:
        return fz_u8(in);
    }
}

static const uint32_t gicr_regs[] = {
    GICSIM_GICR_CTLR,       GICSIM_GICR_PROPBASER,  GICSIM_GICR_PENDBASER, GICSIM_GICR_SETLPIR,
    GICSIM_GICR_CLRLPIR,    GICSIM_GICR_INVLPIR,    GICSIM_GICR_INVALLR,   GICSIM_GICR_VPROPBASER,
    GICSIM_GICR_VPENDBASER, GICSIM_GICR_VPENDBASER, GICSIM_GICR_WAKER,     GICSIM_GICR_SYNCR,
};

static uint64_t gicr_value(fz_in *in, uint32_t off)
{
    uint8_t form = fz_u8(in);
    if (form & 0x80u)
        return fz_u64(in);
    switch (off) {
    case GICSIM_GICR_CTLR:
        return form & 1u;
    case GICSIM_GICR_PROPBASER:
        return PROP_BASE | (form & 31u);
    case GICSIM_GICR_PENDBASER:
        return PEND_BASE(form & 3u) | (form & 4u ? GICSIM_GICR_PENDBASER_PTZ : 0);
    case GICSIM_GICR_VPROPBASER:
        return VPROP_BASE | (form & 31u);
    case GICSIM_GICR_VPENDBASER:
        return VPT_BASE(form & 7u) | (form & 8u ? GICSIM_GICR_VPENDBASER_VALID : 0) |
               (form & 16u ? GICSIM_GICR_VPENDBASER_IDAI : 0) |
               (form & 32u ? GICSIM_GICR_VPENDBASER_PENDING_LAST : 0);
    case GICSIM_GICR_SETLPIR:
    case GICSIM_GICR_CLRLPIR:
    case GICSIM_GICR_INVLPIR:
        return GICSIM_LPI_BASE + (form & 127u);
    default:
        return form;
    }
}

static void ack_all(fx *f, uint8_t sel)
{
    for (uint32_t pe = 0; pe < NPES; pe++) {
        for (unsigned k = 0; k < 8; k++) {
            uint64_t v = GICSIM_INTID_SPURIOUS;
            if (sel & 1u) {
                gicsim_icv_read(f->g, pe, GICSIM_ICC_IAR1, &v);
                if (v != GICSIM_INTID_SPURIOUS)
                    gicsim_icv_write(f->g, pe, GICSIM_ICC_EOIR1, v);
            } else {
                gicsim_icc_read(f->g, pe, GICSIM_ICC_IAR1, &v);
                if (v != GICSIM_INTID_SPURIOUS)
                    gicsim_icc_write(f->g, pe, GICSIM_ICC_EOIR1, v);
            }
            if (v == GICSIM_INTID_SPURIOUS)
                break;
            fz_run_for(f->e, GICSIM_NS(100),
                       FZ_MAX_EVENTS); /* the next one reaches the CPU interface */
        }
    }
}

static void check_its_stats(fx *f)
{
    gicsim_its_stats s;
    FZ_CHECK(gicsim_its_get_stats(f->g, &s) == GICSIM_OK);
    uint64_t by_op = 0, errs = 0;
    for (unsigned i = 0; i < 256; i++)
        by_op += s.commands_by_opcode[i];
    for (unsigned i = 0; i < GICSIM_ITS_ERR__COUNT; i++)
        errs += s.errors[i];
    FZ_CHECK(by_op == s.commands);
    FZ_CHECK(errs == s.command_errors);
    FZ_CHECK(s.command_errors <= s.commands);
    FZ_CHECK(s.lpis + s.vlpis <= s.translations);
    FZ_CHECK(s.cache_hits + s.cache_misses >= s.lpis + s.vlpis);
    if (s.command_errors)
        FZ_CHECK((s.last_error >> 16) == 1u);
    for (unsigned k = 0; k <= GICSIM_ITS_ERR__COUNT; k++) {
        uint32_t code = gicsim_its_error_code((gicsim_its_error)k, (uint8_t)(s.last_error >> 8));
        const char *name = gicsim_its_error_name((gicsim_its_error)k);
        if (k == GICSIM_ITS_ERR__COUNT)
            FZ_CHECK(code == 0 && name == NULL);
        else
            FZ_CHECK(code >> 16 == 1u && (code >> 8 & 0xFFu) == (s.last_error >> 8 & 0xFFu) &&
                     name);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FZ_MAX_INPUT || size == 0)
        return 0;
    fz_in in = {data, size};
    fx f;
    if (!setup(&f, fz_u8(&in)))
        return 0;
    gicsim_gic *g = f.g;
    for (unsigned ops = 0; fz_more(&in) && ops < FZ_MAX_OPS; ops++) {
        uint8_t op = fz_u8(&in);
        switch (op % 16u) {
        case 0:
        case 1: { /* raw commands */
            gicsim_its_cmd c[8];
            size_t n = 1u + (op >> 4 & 7u);
            for (size_t i = 0; i < n; i++)
                for (unsigned k = 0; k < 4; k++)
                    c[i].dw[k] = fz_u64(&in);
            submit(&f, c, n);
            break;
        }
        case 2:
        case 3:
        case 4: { /* built commands */
            gicsim_its_cmd c[16];
            size_t n = 1u + (op >> 4);
            for (size_t i = 0; i < n; i++)
                c[i] = built_command(&in);
            submit(&f, c, n);
            break;
        }
        case 5:
        case 6: { /* MSIs */
            uint8_t a = fz_u8(&in), b = fz_u8(&in);
            if (op & 0x80u)
                gicsim_its_msi(g, fz_u32(&in), fz_u32(&in));
            else
                for (unsigned i = 0; i <= (op >> 4 & 3u); i++)
                    FZ_CHECK(gicsim_its_msi(g, (a & 15u) + i, b & 31u) == GICSIM_OK);
            break;
        }
        case 7: { /* GITS register write */
            uint8_t r = fz_u8(&in);
            uint32_t off = r & 0x80u ? fz_u32(&in) & 0x2FFFFu
                                     : gits_regs[r % (sizeof gits_regs / sizeof gits_regs[0])];
            static const unsigned sizes[4] = {4, 8, 2, 1};
            unsigned sz = sizes[op >> 4 & 3u];
            if ((op >> 6 & 1u) == 0)
                sz = off & 4u ? 4u : 8u;
            if (off == GICSIM_GITS_CTLR)
                sz = 4;
            FZ_CHECK(gicsim_its_write(g, off, sz, gits_value(&in, off & ~7u)) == GICSIM_OK);
            break;
        }
        case 8: { /* GITS register read */
            uint8_t r = fz_u8(&in);
            uint32_t off = r & 0x80u ? fz_u32(&in) & 0x2FFFFu
                                     : gits_regs[r % (sizeof gits_regs / sizeof gits_regs[0])];
            static const unsigned sizes[4] = {4, 8, 2, 1};
            uint64_t v;
            FZ_CHECK(gicsim_its_read(g, off, sizes[op >> 4 & 3u], &v) == GICSIM_OK);
            break;
        }
        case 9: { /* redistributor register write */
            uint8_t r = fz_u8(&in);
            uint32_t pe = (r >> 4) % (NPES + 1); /* NPES: a PE that does not exist */
            uint32_t off = gicr_regs[(r & 15u) % (sizeof gicr_regs / sizeof gicr_regs[0])];
            unsigned sz = off == GICSIM_GICR_CTLR || off == GICSIM_GICR_WAKER ? 4 : 8;
            gicsim_status st = gicsim_gicr_write(g, pe, off, sz, gicr_value(&in, off));
            FZ_CHECK(st == GICSIM_OK || (pe >= NPES && st == GICSIM_E_RANGE));
            break;
        }
        case 10: { /* memory: LPI configuration bytes, or table entries behind the ITS's back */
            uint8_t r = fz_u8(&in);
            if (r & 0x80u) {
                static const uint64_t bases[] = {DT_BASE,     CT_BASE, VPET_BASE,    ITT_BASE(0),
                                                 VPT_BASE(0), CQ_BASE, PEND_BASE(0), DT_L2_BASE};
                uint64_t v = fz_u64(&in);
                uint64_t pa = bases[r & 7u] + 8u * (fz_u16(&in) & 0x3FFu);
                FZ_CHECK(gicsim_mem_write(g, pa, &v, sizeof v) == GICSIM_OK);
            } else {
                uint8_t b = fz_u8(&in);
                uint64_t pa = (r & 0x40u ? VPROP_BASE : PROP_BASE) + fz_u8(&in);
                FZ_CHECK(gicsim_mem_write(g, pa, &b, 1) == GICSIM_OK);
            }
            break;
        }
        case 11: /* run for a while */
            fz_run_for(f.e, GICSIM_NS(fz_u16(&in)), FZ_MAX_EVENTS);
            break;
        case 12: /* run until idle */
            fz_drain(f.e, FZ_MAX_EVENTS);
            break;
        case 13:
            ack_all(&f, op >> 4);
            break;
        case 14: { /* GITS_SGIR */
            uint8_t a = fz_u8(&in);
            FZ_CHECK(gicsim_its_write(g, GICSIM_GITS_SGIR, 8,
                                      gicsim_gits_sgir_value(a >> 4 & 7u, a & 15u)) == GICSIM_OK);
            break;
        }
        default: { /* inspection */
            uint8_t a = fz_u8(&in);
            gicsim_irq_state s;
            uint32_t pe = a % NPES;
            gicsim_gic_irq_state(g, pe, GICSIM_LPI_BASE + fz_u8(&in), &s);
            uint64_t v;
            gicsim_gicr_read(g, pe, GICSIM_GICR_SYNCR, 8, &v);
            gicsim_gicr_read(g, pe, GICSIM_GICR_VPENDBASER, 8, &v);
            gicsim_its_read(g, GICSIM_GITS_CREADR, 8, &v);
            uint8_t buf[8];
            FZ_CHECK(gicsim_mem_read(g, DT_BASE + 8u * (a & 15u), buf, sizeof buf) == GICSIM_OK);
            break;
        }
        }
        fz_check_gic_stats(g);
        fz_check_invariants(g, false);
    }
    fz_drain(f.e, FZ_MAX_EVENTS);
    ack_all(&f, 0);
    ack_all(&f, 1);
    fz_drain(f.e, FZ_MAX_EVENTS);
    fz_check_gic_stats(g);
    fz_check_invariants(g, true);
    check_its_stats(&f);
    gicsim_gic_destroy(g);
    gicsim_engine_destroy(f.e);
    return 0;
}
