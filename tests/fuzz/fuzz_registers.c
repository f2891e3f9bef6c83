/* gicsim fuzzing: register-level accesses against the GIC model
 * (lib/gic/: distributor.c, redistributor.c, cpu_interface.c,
 * vcpu_interface.c, cpuif_priority.c, irq.c, lpi.c, vlpi.c, its*.c).
 *
 * The first four bytes configure the GIC (version, PEs, SPIs, priority bits,
 * list registers, Security, ...) and whether it starts OS-initialized. The
 * rest is a sequence of steps, each introduced by one byte: GICD, GICR, ITS
 * reads and writes (offsets, values and sizes from the input, either raw or
 * picked among the architected registers), ICC/ICH/ICV reads and writes,
 * interrupt line changes and pulses, engine advances, acknowledge/EOI loops.
 * After every step the accounting invariant of gicsim_gic_stats,
 * raised == acknowledged + withdrawn + pending_now, must hold. */
#include "fuzz_common.h"

#include <string.h>

#define FZ_MAX_INPUT 4096u
#define FZ_MAX_STEPS 1024u
#define FZ_MAX_EVENTS 5000u /* per engine advance */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned sizes[4] = {4, 8, 1, 2};

/* Architected GICD offsets: the base of each register array. */
static const uint32_t gicd_regs[] = {
    GICSIM_GICD_CTLR,      GICSIM_GICD_TYPER,      GICSIM_GICD_IIDR,       GICSIM_GICD_TYPER2,
    GICSIM_GICD_STATUSR,   GICSIM_GICD_SETSPI_NSR, GICSIM_GICD_CLRSPI_NSR, GICSIM_GICD_IGROUPR,
    GICSIM_GICD_ISENABLER, GICSIM_GICD_ICENABLER,  GICSIM_GICD_ISPENDR,    GICSIM_GICD_ICPENDR,
    GICSIM_GICD_ISACTIVER, GICSIM_GICD_ICACTIVER,  GICSIM_GICD_IPRIORITYR, GICSIM_GICD_ITARGETSR,
    GICSIM_GICD_ICFGR,     GICSIM_GICD_IGRPMODR,   GICSIM_GICD_NSACR,      GICSIM_GICD_SGIR,
    GICSIM_GICD_IROUTER,   GICSIM_GICD_PIDR2,
};

static const uint32_t gicr_regs[] = {
    GICSIM_GICR_CTLR,       GICSIM_GICR_IIDR,       GICSIM_GICR_TYPER,      GICSIM_GICR_STATUSR,
    GICSIM_GICR_WAKER,      GICSIM_GICR_PIDR2,      GICSIM_GICR_SETLPIR,    GICSIM_GICR_CLRLPIR,
    GICSIM_GICR_PROPBASER,  GICSIM_GICR_PENDBASER,  GICSIM_GICR_INVLPIR,    GICSIM_GICR_INVALLR,
    GICSIM_GICR_SYNCR,      GICSIM_GICR_VPROPBASER, GICSIM_GICR_VPENDBASER, GICSIM_GICR_IGROUPR0,
    GICSIM_GICR_ISENABLER0, GICSIM_GICR_ICENABLER0, GICSIM_GICR_ISPENDR0,   GICSIM_GICR_ICPENDR0,
    GICSIM_GICR_ISACTIVER0, GICSIM_GICR_ICACTIVER0, GICSIM_GICR_IPRIORITYR, GICSIM_GICR_ICFGR0,
    GICSIM_GICR_ICFGR1,     GICSIM_GICR_IGRPMODR0,  GICSIM_GICR_NSACR,
};

/* An offset: raw, or an architected register plus a small index. */
static uint32_t pick_offset(fz_in *in, const uint32_t *regs, size_t n, uint32_t raw_mask,
                            unsigned size)
{
    uint8_t r = fz_u8(in);
    if (r & 0x80u)
        return fz_u32(in) & raw_mask;
    uint32_t base = regs[(r & 0x7Fu) % n];
    uint32_t idx = fz_u8(in);
    uint32_t stride = base == GICSIM_GICD_IROUTER ? 8u : size;
    return base + (idx & 0x3Fu) * stride;
}

/* A value: raw 64 bits, or a small one, or all ones. */
static uint64_t pick_value(fz_in *in)
{
    uint8_t r = fz_u8(in);
    switch (r & 3u) {
    case 0:
        return fz_u64(in);
    case 1:
        return fz_u8(in);
    case 2:
        return ~0ull;
    default:
        return (uint64_t)fz_u8(in) << (r >> 2 & 31u);
    }
}

static uint32_t pick_pe(fz_in *in, uint32_t npes)
{
    uint8_t r = fz_u8(in);
    return r == 0xFFu ? npes : r % npes; /* sometimes a PE that does not exist */
}

/* An INTID for a line: SPI or PPI mostly, anything sometimes. */
static uint32_t pick_intid(fz_in *in, uint32_t nspis)
{
    uint16_t r = fz_u16(in);
    if (r & 0x8000u)
        return r & 0x1FFFu;
    if (r & 0x4000u)
        return GICSIM_PPI_BASE + (r & 15u);
    return GICSIM_SPI_BASE + (nspis ? r % nspis : 0);
}

static bool icc_status_ok(gicsim_status st)
{
    return st == GICSIM_OK || st == GICSIM_E_RANGE || st == GICSIM_E_INVAL || st == GICSIM_E_STATE;
}

/* Listeners and observers: what they are told matches the model's state. */
typedef struct fz_obs {
    gicsim_gic *g;
    uint32_t npes;
    uint64_t events;
} fz_obs;

static void on_line(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    fz_obs *o = ctx;
    FZ_CHECK(pe < o->npes);
    FZ_CHECK(gicsim_gic_irq_line(o->g, pe) == irq && gicsim_gic_fiq_line(o->g, pe) == fiq);
}

static void on_vline(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    fz_obs *o = ctx;
    FZ_CHECK(pe < o->npes);
    FZ_CHECK(gicsim_gic_virq_line(o->g, pe) == irq && gicsim_gic_vfiq_line(o->g, pe) == fiq);
}

static void on_event(void *ctx, const gicsim_gic_event *ev)
{
    fz_obs *o = ctx;
    FZ_CHECK((unsigned)ev->kind < GICSIM_GEV__COUNT && gicsim_gic_event_name(ev->kind));
    FZ_CHECK(ev->time == gicsim_engine_now(gicsim_gic_engine(o->g)));
    FZ_CHECK(ev->pe < o->npes || ev->pe == UINT32_MAX);
    o->events++;
}

static void check_all(gicsim_gic *g, bool full)
{
    fz_check_gic_stats(g);
    fz_check_invariants(g, full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > FZ_MAX_INPUT)
        return 0;
    fz_in in = {data, size};
    uint8_t c0 = fz_u8(&in), c1 = fz_u8(&in), c2 = fz_u8(&in), c3 = fz_u8(&in);

    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    static const gicsim_gic_version versions[4] = {GICSIM_GICV3, GICSIM_GICV4_0, GICSIM_GICV4_1,
                                                   GICSIM_GICV3};
    cfg.version = versions[c0 & 3u];
    cfg.security_disabled = !(c0 & 4u);
    cfg.one_of_n = !(c0 & 8u);
    cfg.its = !(c0 & 16u);
    bool os_init = !(c0 & 32u);
    cfg.its_cache_entries = c0 & 64u ? 0u : 4u;
    /* Small configurations keep each run fast (gicsim_gic_os_init is linear
     * in the SPIs); the largest SPI count is still picked now and then. */
    static const uint32_t pes[8] = {1, 2, 3, 4, 1, 2, 4, 8};
    static const uint32_t spis[16] = {0,  32, 64, 96, 32, 64, 32, 64,
                                      32, 64, 32, 64, 0,  96, 64, 988};
    cfg.num_pes = pes[c1 & 7u];
    cfg.pes_per_cluster = 1u + (c1 >> 3 & 15u);
    cfg.num_spis = spis[c2 & 15u];
    cfg.num_lrs = 1u + (c2 >> 4) % 16u;
    cfg.priority_bits = (uint8_t)(4u + (c3 % 5u));
    cfg.lpi_id_bits = (uint8_t)(14u + ((c3 >> 3) % 7u));

    gicsim_engine *e = NULL;
    gicsim_gic *g = NULL;
    FZ_CHECK(gicsim_engine_create(&e) == GICSIM_OK);
    FZ_CHECK(gicsim_gic_create(e, &cfg, &g) == GICSIM_OK);
    fz_obs obs = {g, cfg.num_pes, 0};
    FZ_CHECK(gicsim_gic_add_line_listener(g, on_line, &obs) == GICSIM_OK);
    FZ_CHECK(gicsim_gic_add_vline_listener(g, on_vline, &obs) == GICSIM_OK);
    FZ_CHECK(gicsim_gic_add_observer(g, on_event, &obs) == GICSIM_OK);
    if (os_init)
        gicsim_gic_os_init(g);
    check_all(g, true);

    const uint32_t npes = cfg.num_pes;
    for (unsigned steps = 0; fz_more(&in) && steps < FZ_MAX_STEPS; steps++) {
        uint8_t op = fz_u8(&in);
        unsigned sz = sizes[op >> 5 & 3u];
        gicsim_status st;
        uint64_t v = 0;
        switch ((op & 31u) % 21u) { /* op >> 5: flags */
        case 0: {                   /* GICD read */
            uint32_t off =
                pick_offset(&in, gicd_regs, sizeof gicd_regs / sizeof gicd_regs[0], 0xFFFFu, sz);
            FZ_CHECK(gicsim_gicd_read(g, off, sz, &v) == GICSIM_OK);
            break;
        }
        case 1:
        case 2: { /* GICD write */
            uint32_t off =
                pick_offset(&in, gicd_regs, sizeof gicd_regs / sizeof gicd_regs[0], 0xFFFFu, sz);
            FZ_CHECK(gicsim_gicd_write(g, off, sz, pick_value(&in)) == GICSIM_OK);
            break;
        }
        case 3: { /* GICR read */
            uint32_t pe = pick_pe(&in, npes);
            uint32_t off =
                pick_offset(&in, gicr_regs, sizeof gicr_regs / sizeof gicr_regs[0], 0x3FFFFu, sz);
            st = gicsim_gicr_read(g, pe, off, sz, &v);
            FZ_CHECK(st == GICSIM_OK || (pe >= npes && st == GICSIM_E_RANGE));
            break;
        }
        case 4:
        case 5: { /* GICR write */
            uint32_t pe = pick_pe(&in, npes);
            uint32_t off =
                pick_offset(&in, gicr_regs, sizeof gicr_regs / sizeof gicr_regs[0], 0x3FFFFu, sz);
            st = gicsim_gicr_write(g, pe, off, sz, pick_value(&in));
            FZ_CHECK(st == GICSIM_OK || (pe >= npes && st == GICSIM_E_RANGE));
            break;
        }
        case 6: { /* ICC read */
            uint32_t pe = pick_pe(&in, npes);
            gicsim_icc_reg reg = (gicsim_icc_reg)(fz_u8(&in) % (GICSIM_ICC__COUNT + 1u));
            FZ_CHECK(icc_status_ok(gicsim_icc_read(g, pe, reg, &v)));
            if (reg == GICSIM_ICC_IAR0 || reg == GICSIM_ICC_IAR1)
                FZ_CHECK(v < (1ull << cfg.lpi_id_bits) &&
                         (v < 1020 || v == GICSIM_INTID_SPURIOUS || v >= GICSIM_LPI_BASE));
            break;
        }
        case 7:
        case 8: { /* ICC write */
            uint32_t pe = pick_pe(&in, npes);
            gicsim_icc_reg reg = (gicsim_icc_reg)(fz_u8(&in) % (GICSIM_ICC__COUNT + 1u));
            FZ_CHECK(icc_status_ok(gicsim_icc_write(g, pe, reg, pick_value(&in))));
            break;
        }
        case 9: { /* ICH read */
            uint32_t pe = pick_pe(&in, npes);
            gicsim_ich_reg reg = (gicsim_ich_reg)(fz_u8(&in) % (GICSIM_ICH__COUNT + 1u));
            FZ_CHECK(icc_status_ok(gicsim_ich_read(g, pe, reg, &v)));
            break;
        }
        case 10:
        case 11: { /* ICH write: list registers often hold a well-formed value */
            uint32_t pe = pick_pe(&in, npes);
            gicsim_ich_reg reg = (gicsim_ich_reg)(fz_u8(&in) % (GICSIM_ICH__COUNT + 1u));
            uint8_t form = fz_u8(&in);
            if (reg >= GICSIM_ICH_LR0 && !(form & 0x80u)) {
                uint32_t vintid = form & 0x40u ? GICSIM_LPI_BASE + fz_u8(&in) : fz_u8(&in) + 16u;
                bool hw = form & 1u;
                uint32_t pintid = hw ? GICSIM_SPI_BASE + fz_u8(&in) : (form >> 1 & 1u);
                v = gicsim_lr_value(vintid, fz_u8(&in), form & 4u, hw, pintid, form >> 3 & 3u);
            } else if (reg == GICSIM_ICH_HCR && !(form & 0x80u)) {
                v = GICSIM_ICH_HCR_EN | ((uint64_t)fz_u16(&in) << 1);
            } else if (reg == GICSIM_ICH_VMCR && !(form & 0x80u)) {
                v = GICSIM_ICH_VMCR_VENG0 | GICSIM_ICH_VMCR_VENG1 |
                    (form & 1u ? GICSIM_ICH_VMCR_VEOIM : 0) |
                    (0xFFull << GICSIM_ICH_VMCR_VPMR_SHIFT);
            } else {
                v = pick_value(&in);
            }
            FZ_CHECK(icc_status_ok(gicsim_ich_write(g, pe, reg, v)));
            break;
        }
        case 12: { /* ICV read */
            uint32_t pe = pick_pe(&in, npes);
            gicsim_icc_reg reg = (gicsim_icc_reg)(fz_u8(&in) % (GICSIM_ICC__COUNT + 1u));
            FZ_CHECK(icc_status_ok(gicsim_icv_read(g, pe, reg, &v)));
            break;
        }
        case 13: { /* ICV write */
            uint32_t pe = pick_pe(&in, npes);
            gicsim_icc_reg reg = (gicsim_icc_reg)(fz_u8(&in) % (GICSIM_ICC__COUNT + 1u));
            FZ_CHECK(icc_status_ok(gicsim_icv_write(g, pe, reg, pick_value(&in))));
            break;
        }
        case 14:
        case 15: { /* interrupt line */
            uint32_t pe = pick_pe(&in, npes);
            uint32_t intid = pick_intid(&in, cfg.num_spis);
            if (op & 0x40u)
                st = gicsim_gic_pulse(g, pe, intid);
            else
                st = gicsim_gic_set_line(g, pe, intid, op & 0x20u);
            FZ_CHECK(st == GICSIM_OK || st == GICSIM_E_RANGE || st == GICSIM_E_INVAL);
            break;
        }
        case 16: /* advance */
            fz_run_for(e, GICSIM_NS((uint64_t)fz_u8(&in) << (op >> 5)), FZ_MAX_EVENTS);
            break;
        case 17: { /* acknowledge and complete, physical or virtual */
            uint32_t pe = pick_pe(&in, npes);
            bool virt = op & 0x20u;
            gicsim_icc_reg iar = op & 0x40u ? GICSIM_ICC_IAR0 : GICSIM_ICC_IAR1;
            gicsim_icc_reg eoir = op & 0x40u ? GICSIM_ICC_EOIR0 : GICSIM_ICC_EOIR1;
            st = virt ? gicsim_icv_read(g, pe, iar, &v) : gicsim_icc_read(g, pe, iar, &v);
            FZ_CHECK(icc_status_ok(st));
            if (st == GICSIM_OK && v != GICSIM_INTID_SPURIOUS) {
                st = virt ? gicsim_icv_write(g, pe, eoir, v) : gicsim_icc_write(g, pe, eoir, v);
                FZ_CHECK(icc_status_ok(st));
                if (op & 0x80u) { /* EOImode=1 style: also deactivate */
                    st = virt ? gicsim_icv_write(g, pe, GICSIM_ICC_DIR, v)
                              : gicsim_icc_write(g, pe, GICSIM_ICC_DIR, v);
                    FZ_CHECK(icc_status_ok(st));
                }
            }
            break;
        }
        case 18: { /* ITS */
            uint32_t off = fz_u8(&in) & 0x80u ? fz_u32(&in) & 0x2FFFFu : fz_u16(&in) & 0x1F8u;
            if (op & 0x80u)
                st = gicsim_its_read(g, off, sz, &v);
            else if ((op >> 5 & 3u) == 3u)
                st = gicsim_its_msi(g, fz_u8(&in), fz_u8(&in));
            else
                st = gicsim_its_write(g, off, sz, pick_value(&in));
            FZ_CHECK(st == GICSIM_OK || (!cfg.its && st == GICSIM_E_UNSUPPORTED));
            break;
        }
        case 19: { /* memory (LPI tables) */
            uint64_t pa = (uint64_t)fz_u16(&in) << 8;
            uint64_t val = pick_value(&in);
            FZ_CHECK(gicsim_mem_write(g, pa, &val, 1u + (op >> 5)) == GICSIM_OK);
            break;
        }
        default: { /* inspection, and sometimes os_init again */
            uint32_t pe = pick_pe(&in, npes);
            uint32_t intid = fz_u16(&in) & 0x3FFFu;
            gicsim_irq_state s;
            st = gicsim_gic_irq_state(g, pe, intid, &s);
            if (st == GICSIM_OK)
                FZ_CHECK((unsigned)s <= GICSIM_IRQ_ACTIVE_PENDING);
            if (pe < npes) {
                (void)gicsim_gic_irq_line(g, pe);
                (void)gicsim_gic_fiq_line(g, pe);
                (void)gicsim_gic_virq_line(g, pe);
                (void)gicsim_gic_vfiq_line(g, pe);
            }
            if (op & 0x80u)
                gicsim_gic_os_init(g);
            break;
        }
        }
        check_all(g, false);
    }
    fz_run_for(e, GICSIM_US(10), FZ_MAX_EVENTS);
    check_all(g, true);
    gicsim_gic_destroy(g);
    gicsim_engine_destroy(e);
    return 0;
}
