/* gicsim fuzzing: the GICv5 model (lib/gic/gicv5*.c, docs/gicv5.md): the IRS and its ISTs,
 * the CPU interfaces (host and guest views), the ITS, the IWB and the virtualization.
 *
 * Each input starts from a GICv5 set up the way tests/support/gicv5_boot.c does (its memory
 * map, TF_V5_*): os_init; the LPI IST (12 ID bits, linear or two-level with LPIs 0..1023
 * mapped); the ITS with a linear Device table, devices 0..2 with 16 events each mapped to
 * LPIs 16 * device + event, device 3's 16 events to VM 1's vLPIs 0..15; LPIs 0..63 and SPIs 0..15
 * configured with GIC CDPRI, CDAFF (PE id % pes, or 1-of-N) and CDEN; the IWB's wires 0..31 enabled
 * (odd ones level) and mapped to LPIs 32..63; VM 1 with two vPEs (doorbells LPIs 1000, 1001)
 * and vPE 0 resident on PE 0 with its LPIs 0..31 configured by its guest. The first byte
 * picks the number of PEs [1:0] + 1, a two-level IST [2], the ITS cache size [4:3] (0, 1, 4,
 * 32 entries) and 4 priority bits instead of 5 [5].
 *
 * The rest of the input is a stream of operations, each introduced by one byte (see the
 * switch below): system-register and instruction accesses of the host and of the guest with
 * INTID-shaped operands, IRS, ITS and IWB register writes and reads, MSIs, IWB wires, SPI
 * and PPI lines, memory writes to the tables behind the GIC's back, residency changes
 * (ICH_CONTEXTR_EL2 with doorbell requests), acknowledges on every PE and engine runs. After
 * each operation the accounting identities of gicsim_gic_stats and gicsim_gicv5_stats and the
 * invariant hooks are checked; at the end the engine is drained, everything acknowledged and
 * the whole-model invariant check run. */
#include "fuzz_common.h"
#include "support/gicv5_boot.h"

#define FZ_MAX_INPUT 4096u
#define FZ_MAX_EVENTS 20000u
#define FZ_MAX_OPS 512u
#define NSPIS 16u
#define NWIRES 32u
#define DB_BASE 1000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fx {
    gicsim_engine *e;
    gicsim_gic *g;
    uint32_t pes;
} fx;

static void run(fx *f, uint64_t ns)
{
    fz_run_for(f->e, GICSIM_NS(ns), FZ_MAX_EVENTS);
}

static void wr64(gicsim_gic *g, uint64_t pa, uint64_t v)
{
    uint8_t b[8];
    for (unsigned i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    FZ_CHECK(gicsim_mem_write(g, pa, b, sizeof b) == GICSIM_OK);
}

static void irs(fx *f, uint32_t off, unsigned size, uint64_t v)
{
    FZ_CHECK(gicsim_gicv5_irs_write(f->g, off, size, v) == GICSIM_OK);
    run(f, 2000); /* every IRS operation is idle again (gicv5_irs_op's range) */
}

static void sys(fx *f, uint32_t pe, gicsim_gicv5_sysreg r, uint64_t v)
{
    FZ_CHECK(gicsim_gicv5_sysreg_write(f->g, pe, r, v) == GICSIM_OK);
}

static void guest(fx *f, uint32_t pe, gicsim_gicv5_sysreg r, uint64_t v)
{
    FZ_CHECK(gicsim_gicv5_guest_write(f->g, pe, r, v) == GICSIM_OK);
}

static void its(fx *f, uint32_t off, unsigned size, uint64_t v)
{
    FZ_CHECK(gicsim_gicv5_its_write(f->g, off, size, v) == GICSIM_OK);
}

static bool setup(fx *f, uint8_t cfgbyte)
{
    static const uint32_t caches[4] = {0, 1, 4, 32};
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = GICSIM_GICV5;
    cfg.num_pes = f->pes = 1u + (cfgbyte & 3u);
    cfg.num_spis = NSPIS;
    cfg.iwb_wires = NWIRES;
    cfg.its_cache_entries = caches[cfgbyte >> 3 & 3u];
    cfg.priority_bits = cfgbyte & 0x20u ? 4 : 5;
    const bool two_level = cfgbyte & 4u;
    if (gicsim_engine_create(&f->e) != GICSIM_OK)
        return false;
    if (gicsim_gic_create(f->e, &cfg, &f->g) != GICSIM_OK) {
        gicsim_engine_destroy(f->e);
        return false;
    }
    gicsim_gic *g = f->g;
    gicsim_gic_os_init(g);
    /* The LPI IST. */
    irs(f, GICSIM_GICV5_IRS_IST_CFGR, 4, 12u | (two_level ? GICSIM_GICV5_IST_CFGR_TWO_LEVEL : 0));
    irs(f, GICSIM_GICV5_IRS_IST_BASER, 8, TF_V5_IST_BASE | GICSIM_GICV5_IST_BASER_VALID);
    if (two_level) {
        wr64(g, TF_V5_IST_BASE, TF_V5_IST_L2_BASE);
        irs(f, GICSIM_GICV5_IRS_MAP_L2_ISTR, 4, 0);
    }
    /* Physical LPIs 0..63, SPIs and the doorbells. */
    for (uint32_t i = 0; i < 64 + NSPIS + 2; i++) {
        uint32_t intid = i < 64 ? LPI(i) : i < 64 + NSPIS ? SPI(i - 64) : LPI(DB_BASE + i - 80);
        uint64_t aff = i % 7 == 6 ? 1ull << 28 : (uint64_t)(i % f->pes) << 32;
        sys(f, 0, GICSIM_GICV5_GIC_CDPRI, intid | (uint64_t)(i % 31) << 35);
        sys(f, 0, GICSIM_GICV5_GIC_CDAFF, intid | aff);
        sys(f, 0, GICSIM_GICV5_GIC_CDEN, intid);
    }
    for (uint32_t pe = 0; pe < f->pes; pe++) { /* 1-of-N may pick every PE */
        irs(f, GICSIM_GICV5_IRS_PE_SELR, 4, pe);
        irs(f, GICSIM_GICV5_IRS_PE_CR0, 4, 0);
    }
    /* The ITS and its tables. */
    its(f, GICSIM_GICV5_ITS_DT_CFGR, 4, GICSIM_GICV5_DEVICEID_BITS);
    its(f, GICSIM_GICV5_ITS_DT_BASER, 8, TF_V5_DT_BASE);
    its(f, GICSIM_GICV5_ITS_CR0, 4, GICSIM_GICV5_ITS_CR0_ITSEN);
    const uint32_t iwb = 0xFFFF;
    for (uint32_t d = 0; d < 5; d++) {
        uint32_t dev = d < 4 ? d : iwb;
        uint64_t itt = TF_V5_ITT_BASE + 0x1000ull * d;
        wr64(g, TF_V5_DT_BASE + 8ull * dev, itt | 1u | (8ull << 59));
        for (uint32_t ev = 0; ev < (d < 4 ? 16u : NWIRES); ev++) {
            uint32_t lpi = d == 3 ? ev : d < 4 ? 16 * d + ev : 32 + ev;
            uint64_t virt = d == 3 ? (1ull << 30) | (1ull << 32) : 0;
            wr64(g, itt + 8ull * ev, lpi | (1ull << 31) | virt);
        }
    }
    run(f, 2000);
    FZ_CHECK(gicsim_gicv5_iwb_write(g, GICSIM_GICV5_IWB_WTMR, 4, 0xAAAAAAAAu) == GICSIM_OK);
    FZ_CHECK(gicsim_gicv5_iwb_write(g, GICSIM_GICV5_IWB_WENABLER, 4, 0xFFFFFFFFu) == GICSIM_OK);
    /* VM 1: two vPEs, linear ISTs of 10 ID bits, doorbells; vPE 0 resident on PE 0. */
    irs(f, GICSIM_GICV5_IRS_VMT_CFGR, 4, GICSIM_GICV5_VM_ID_BITS);
    irs(f, GICSIM_GICV5_IRS_VMT_BASER, 8, TF_V5_VMT_BASE | 1u);
    uint64_t vmte = TF_V5_VMT_BASE + 32, vpet = TF_V5_VPET_BASE + 0x1000;
    uint64_t vist = TF_V5_VIST_BASE + 0x10000;
    wr64(g, vmte + 8, vpet | (1ull << 59));
    wr64(g, vmte + 16, vist | 1u | (10ull << 59));
    wr64(g, vmte + 24, (vist + 0x8000) | 1u | (10ull << 59));
    irs(f, GICSIM_GICV5_IRS_VMAP_VMR, 8, 1 | GICSIM_GICV5_VMAP_M);
    for (uint32_t p = 0; p < 2; p++) {
        wr64(g, vpet + 8ull * p, 0x701000ull + 32ull * p);
        irs(f, GICSIM_GICV5_IRS_VMAP_VPER, 8, p | (1ull << 32) | GICSIM_GICV5_VMAP_M);
        irs(f, GICSIM_GICV5_IRS_VPE_SELR, 8, 1 | ((uint64_t)p << 32) | (1ull << 63));
        irs(f, GICSIM_GICV5_IRS_VPE_DBR, 8, (DB_BASE + p) | (1ull << 63));
    }
    sys(f, 0, GICSIM_GICV5_ICH_VMCR, 1u | (31ull << 27));
    sys(f, 0, GICSIM_GICV5_ICH_CONTEXTR, GICSIM_GICV5_CONTEXTR_V | 1);
    run(f, 2000);
    for (uint32_t i = 0; i < 32; i++) {
        guest(f, 0, GICSIM_GICV5_GIC_CDPRI, LPI(i) | (uint64_t)(i % 31) << 35);
        guest(f, 0, GICSIM_GICV5_GIC_CDAFF, LPI(i) | (uint64_t)(i & 1) << 32);
        guest(f, 0, GICSIM_GICV5_GIC_CDEN, LPI(i));
    }
    run(f, 2000);
    return true;
}

/* An INTID: mostly one of the configured ones, sometimes any. */
static uint32_t intid(fz_in *in)
{
    uint8_t a = fz_u8(in), b = fz_u8(in);
    switch (a & 3u) {
    case 0:
        return LPI(b & 63u);
    case 1:
        return SPI(b % (NSPIS + 1));
    case 2:
        return PPI(b & 127u);
    default:
        return a & 4u ? LPI(DB_BASE + (b & 1u)) : fz_u32(in);
    }
}

/* A system register's value: a GIC CD*, GIC VDPEND or ICH_CONTEXTR operand built from
 * fields, or raw. */
static uint64_t sys_value(fz_in *in, gicsim_gicv5_sysreg r)
{
    uint8_t form = fz_u8(in);
    if (form & 0x80u)
        return fz_u64(in);
    if (r >= GICSIM_GICV5_GIC_CDDIS && r <= GICSIM_GICV5_GIC_CDHM)
        return intid(in) | (uint64_t)(form & 3u) << 32 | (uint64_t)(fz_u8(in) & 31u) << 35 |
               (form & 4u ? 1ull << 28 : 0);
    if (r == GICSIM_GICV5_GIC_VDPEND)
        return intid(in) | (uint64_t)(form & 3u) << 32 | (form & 4u ? 1ull << 63 : 0);
    if (r == GICSIM_GICV5_ICH_CONTEXTR)
        return (form & 1u ? GICSIM_GICV5_CONTEXTR_V : 0) | (form & 2u ? 2u : 1u) |
               (uint64_t)(form >> 2 & 3u) << 32 | (form & 0x10u ? GICSIM_GICV5_CONTEXTR_DB : 0) |
               (uint64_t)(fz_u8(in) & 31u) << GICSIM_GICV5_CONTEXTR_DBPM_SHIFT;
    return form & 0x40u ? fz_u8(in) : fz_u64(in);
}

/* IRS registers worth writing, and value forms for them. */
static const uint32_t irs_regs[] = {
    GICSIM_GICV5_IRS_CR0,         GICSIM_GICV5_IRS_SYNCR,         GICSIM_GICV5_IRS_SPI_VMR,
    GICSIM_GICV5_IRS_SPI_SELR,    GICSIM_GICV5_IRS_SPI_CFGR,      GICSIM_GICV5_IRS_SPI_RESAMPLER,
    GICSIM_GICV5_IRS_PE_SELR,     GICSIM_GICV5_IRS_PE_CR0,        GICSIM_GICV5_IRS_IST_BASER,
    GICSIM_GICV5_IRS_IST_CFGR,    GICSIM_GICV5_IRS_MAP_L2_ISTR,   GICSIM_GICV5_IRS_VMT_BASER,
    GICSIM_GICV5_IRS_VMT_CFGR,    GICSIM_GICV5_IRS_VPE_SELR,      GICSIM_GICV5_IRS_VPE_DBR,
    GICSIM_GICV5_IRS_VPE_CR0,     GICSIM_GICV5_IRS_VMAP_L2_VMTR,  GICSIM_GICV5_IRS_VMAP_VMR,
    GICSIM_GICV5_IRS_VMAP_VISTR,  GICSIM_GICV5_IRS_VMAP_L2_VISTR, GICSIM_GICV5_IRS_VMAP_VPER,
    GICSIM_GICV5_IRS_SPI_DOMAINR,
};

static bool irs_reg64(uint32_t off)
{
    return off == GICSIM_GICV5_IRS_SPI_VMR || off == GICSIM_GICV5_IRS_IST_BASER ||
           off == GICSIM_GICV5_IRS_VMT_BASER || off >= GICSIM_GICV5_IRS_VMAP_L2_VMTR ||
           off == GICSIM_GICV5_IRS_VPE_SELR || off == GICSIM_GICV5_IRS_VPE_DBR;
}

static uint64_t irs_value(fz_in *in, uint32_t off)
{
    uint8_t form = fz_u8(in);
    if (form & 0x80u)
        return fz_u64(in);
    const uint64_t m = form & 1u ? GICSIM_GICV5_VMAP_M : 0, vm = form >> 1 & 1u;
    switch (off) {
    case GICSIM_GICV5_IRS_SPI_VMR:
        return vm | (form & 4u ? 1ull << 63 : 0);
    case GICSIM_GICV5_IRS_IST_BASER:
        return TF_V5_IST_BASE | (form & 1u);
    case GICSIM_GICV5_IRS_IST_CFGR:
        return (8u + (form >> 1 & 7u)) | (form & 1u ? GICSIM_GICV5_IST_CFGR_TWO_LEVEL : 0);
    case GICSIM_GICV5_IRS_VMT_BASER:
        return TF_V5_VMT_BASE | (form & 1u);
    case GICSIM_GICV5_IRS_VPE_SELR:
        return vm | (uint64_t)(form >> 2 & 3u) << 32 | (form & 1u ? 1ull << 63 : 0);
    case GICSIM_GICV5_IRS_VPE_DBR:
        return (DB_BASE + (form >> 1 & 1u)) | (uint64_t)(fz_u8(in) & 31u) << 32 |
               (form & 4u ? 1ull << 62 : 0) | (form & 1u ? 1ull << 63 : 0);
    case GICSIM_GICV5_IRS_VMAP_VMR:
    case GICSIM_GICV5_IRS_VMAP_L2_VMTR:
        return vm | m | (form & 4u ? GICSIM_GICV5_VMAP_U : 0);
    case GICSIM_GICV5_IRS_VMAP_VPER:
        return (form >> 2 & 3u) | vm << 32 | m;
    case GICSIM_GICV5_IRS_VMAP_VISTR:
        return (uint64_t)(form & 4u ? GICSIM_GICV5_SPI : GICSIM_GICV5_LPI) << 29 | vm << 32 | m |
               (form & 8u ? GICSIM_GICV5_VMAP_U : 0);
    case GICSIM_GICV5_IRS_VMAP_L2_VISTR:
        return fz_u16(in) | (uint64_t)GICSIM_GICV5_LPI << 29 | vm << 32 | m;
    default:
        return form & 0x40u ? fz_u16(in) : form;
    }
}

static const uint32_t its_regs[] = {
    GICSIM_GICV5_ITS_CR0,         GICSIM_GICV5_ITS_DT_BASER, GICSIM_GICV5_ITS_DT_CFGR,
    GICSIM_GICV5_ITS_DIDR,        GICSIM_GICV5_ITS_EIDR,     GICSIM_GICV5_ITS_INV_EVENTR,
    GICSIM_GICV5_ITS_INV_DEVICER, GICSIM_GICV5_ITS_SYNCR,    GICSIM_GICV5_ITS_TRANSLATER,
};

static uint64_t its_value(fz_in *in, uint32_t off)
{
    uint8_t form = fz_u8(in);
    if (form & 0x80u)
        return fz_u64(in);
    switch (off) {
    case GICSIM_GICV5_ITS_DT_BASER:
        return TF_V5_DT_BASE;
    case GICSIM_GICV5_ITS_DT_CFGR:
        return (8u + (form & 15u)) | (form & 0x10u ? 1u << 16 : 0);
    case GICSIM_GICV5_ITS_DIDR:
        return form & 0x40u ? 0xFFFFu : form & 7u;
    case GICSIM_GICV5_ITS_INV_EVENTR:
    case GICSIM_GICV5_ITS_INV_DEVICER:
        return GICSIM_GICV5_ITS_INV_I;
    case GICSIM_GICV5_ITS_SYNCR:
        return (form & 7u) | (form & 8u ? 1ull << 32 : 0) | 1ull << 63;
    default:
        return form & 31u;
    }
}

/* Memory behind the GIC's back: IST entries, DTEs, ITTEs, the VMTE, VPETEs. */
static void mem_op(fx *f, fz_in *in)
{
    uint8_t r = fz_u8(in);
    uint64_t v = r & 0x80u ? fz_u64(in) : fz_u32(in);
    uint32_t idx = fz_u8(in);
    static const uint64_t bases[8] = {TF_V5_IST_BASE,
                                      TF_V5_IST_L2_BASE,
                                      TF_V5_DT_BASE,
                                      TF_V5_ITT_BASE,
                                      TF_V5_VMT_BASE,
                                      TF_V5_VPET_BASE + 0x1000,
                                      TF_V5_VIST_BASE + 0x10000,
                                      TF_V5_ITT_BASE + 0x3000};
    uint64_t pa = bases[r & 7u] + (r & 8u ? 4u : 8u) * (idx & 63u);
    uint8_t b[8];
    for (unsigned i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    FZ_CHECK(gicsim_mem_write(f->g, pa, b, r & 8u ? 4u : 8u) == GICSIM_OK);
}

/* Acknowledge, drop and deactivate what each PE (and, with `virt`, its guest) has, up to 8
 * each, letting the next one arrive in between. */
static void ack_all(fx *f, bool virt)
{
    for (uint32_t pe = 0; pe < f->pes; pe++)
        for (unsigned k = 0; k < 8; k++) {
            uint64_t v = 0;
            if (virt) {
                FZ_CHECK(gicsim_gicv5_guest_read(f->g, pe, GICSIM_GICV5_GICR_CDIA, &v) ==
                         GICSIM_OK);
                if (v & GICSIM_GICV5_CDIA_VALID) {
                    guest(f, pe, GICSIM_GICV5_GIC_CDEOI, 0);
                    guest(f, pe, GICSIM_GICV5_GIC_CDDI, (uint32_t)v);
                }
            } else {
                FZ_CHECK(gicsim_gicv5_sysreg_read(f->g, pe, GICSIM_GICV5_GICR_CDIA, &v) ==
                         GICSIM_OK);
                if (v & GICSIM_GICV5_CDIA_VALID) {
                    sys(f, pe, GICSIM_GICV5_GIC_CDEOI, 0);
                    sys(f, pe, GICSIM_GICV5_GIC_CDDI, (uint32_t)v);
                }
            }
            if (!(v & GICSIM_GICV5_CDIA_VALID))
                break;
            run(f, 400); /* the next one reaches the CPU interface */
        }
}

/* The accounting of the virtual interrupts (gicsim_gicv5_stats) and the model's counters. */
static void check_v5_stats(const fx *f)
{
    gicsim_gicv5_stats v;
    gicsim_gicv5_get_stats(f->g, &v);
    FZ_CHECK(v.vraised == v.vacknowledged + v.vwithdrawn + v.vpending_now);
    FZ_CHECK(v.its_translations + v.its_errors <= v.its_events);
    FZ_CHECK(v.its_cache_hits <= v.its_translations);
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
        uint32_t pe = (op >> 4) % f.pes;
        switch (op & 15u) {
        case 0: /* a host system register or GIC instruction */
        case 1: {
            gicsim_gicv5_sysreg r = (gicsim_gicv5_sysreg)(fz_u8(&in) % GICSIM_GICV5_SYSREG__COUNT);
            FZ_CHECK(gicsim_gicv5_sysreg_write(g, pe, r, sys_value(&in, r)) == GICSIM_OK);
            break;
        }
        case 2: { /* the guest's */
            gicsim_gicv5_sysreg r = (gicsim_gicv5_sysreg)(fz_u8(&in) % GICSIM_GICV5_ICH_VCTLR);
            FZ_CHECK(gicsim_gicv5_guest_write(g, pe, r, sys_value(&in, r)) == GICSIM_OK);
            break;
        }
        case 3: { /* reads, host or guest (an ICH_* register from the guest: INVAL) */
            gicsim_gicv5_sysreg r = (gicsim_gicv5_sysreg)(fz_u8(&in) % GICSIM_GICV5_SYSREG__COUNT);
            uint64_t v;
            if (op & 0x80u) {
                gicsim_status st = gicsim_gicv5_guest_read(g, pe, r, &v);
                FZ_CHECK(st == (r >= GICSIM_GICV5_ICH_VCTLR ? GICSIM_E_INVAL : GICSIM_OK));
            } else {
                FZ_CHECK(gicsim_gicv5_sysreg_read(g, pe, r, &v) == GICSIM_OK);
            }
            break;
        }
        case 4: { /* an IRS register write: whole, or a 64-bit register's half */
            uint8_t r = fz_u8(&in);
            uint32_t off = r & 0x80u ? fz_u16(&in) & 0x3FCu
                                     : irs_regs[r % (sizeof irs_regs / sizeof irs_regs[0])];
            unsigned sz = irs_reg64(off) && !(op & 0x40u) ? 8u : 4u;
            if (sz == 4 && irs_reg64(off) && (op & 0x20u))
                off += 4;
            FZ_CHECK(gicsim_gicv5_irs_write(g, off, sz, irs_value(&in, off & ~7u)) == GICSIM_OK);
            break;
        }
        case 5: { /* IRS and ITS reads */
            uint64_t v;
            uint32_t off = fz_u16(&in) & 0x3FCu;
            FZ_CHECK(gicsim_gicv5_irs_read(g, off, op & 0x40u ? 8u : 4u, &v) == GICSIM_OK);
            FZ_CHECK(gicsim_gicv5_its_read(g, off & 0x1FCu, op & 0x80u ? 8u : 4u, &v) == GICSIM_OK);
            break;
        }
        case 6: { /* an ITS register write */
            uint8_t r = fz_u8(&in);
            uint32_t off = its_regs[r % (sizeof its_regs / sizeof its_regs[0])];
            unsigned sz = off == GICSIM_GICV5_ITS_DT_BASER || off == GICSIM_GICV5_ITS_DIDR ||
                                  off == GICSIM_GICV5_ITS_SYNCR
                              ? 8u
                              : 4u;
            FZ_CHECK(gicsim_gicv5_its_write(g, off, sz, its_value(&in, off)) == GICSIM_OK);
            break;
        }
        case 7: { /* MSIs: mapped ones in a burst, or any */
            uint8_t a = fz_u8(&in);
            if (op & 0x80u)
                FZ_CHECK(gicsim_gicv5_msi(g, fz_u32(&in), fz_u32(&in)) == GICSIM_OK);
            else
                for (unsigned i = 0; i <= (op >> 4 & 3u); i++)
                    FZ_CHECK(gicsim_gicv5_msi(g, a & 3u, (a >> 2) + i) == GICSIM_OK);
            break;
        }
        case 8: { /* IWB: a wire, or a register */
            uint8_t a = fz_u8(&in);
            if (op & 0x80u) {
                static const uint32_t offs[4] = {GICSIM_GICV5_IWB_CR0, GICSIM_GICV5_IWB_WENABLER,
                                                 GICSIM_GICV5_IWB_WTMR, GICSIM_GICV5_IWB_IDR0};
                FZ_CHECK(gicsim_gicv5_iwb_write(g, offs[a & 3u], 4, fz_u32(&in)) == GICSIM_OK);
            } else {
                gicsim_status st = gicsim_gicv5_set_wire(g, a & 63u, op & 0x40u);
                FZ_CHECK(st == ((a & 63u) < NWIRES ? GICSIM_OK : GICSIM_E_RANGE));
            }
            break;
        }
        case 9: { /* an SPI or PPI line */
            uint32_t id = intid(&in);
            gicsim_status st = gicsim_gicv5_set_line(g, pe, id, op & 0x80u);
            FZ_CHECK(st == GICSIM_OK || st == GICSIM_E_RANGE);
            break;
        }
        case 10:
            mem_op(&f, &in);
            break;
        case 11: /* run for a while */
            fz_run_for(f.e, GICSIM_NS(fz_u16(&in)), FZ_MAX_EVENTS);
            break;
        case 12: /* run until idle */
            fz_drain(f.e, FZ_MAX_EVENTS);
            break;
        case 13:
            ack_all(&f, op & 0x10u);
            break;
        case 14: { /* residency: what KVM's vcpu_load / vcpu_put write */
            uint8_t a = fz_u8(&in);
            uint64_t ctx = (a & 1u ? GICSIM_GICV5_CONTEXTR_V : 0) | 1u |
                           (uint64_t)(a >> 1 & 1u) << 32 | (a & 4u ? GICSIM_GICV5_CONTEXTR_DB : 0) |
                           (uint64_t)(a >> 3 & 31u) << GICSIM_GICV5_CONTEXTR_DBPM_SHIFT;
            sys(&f, pe, GICSIM_GICV5_ICH_VMCR, 1u | (uint64_t)(fz_u8(&in) & 31u) << 27);
            sys(&f, pe, GICSIM_GICV5_ICH_CONTEXTR, ctx);
            break;
        }
        default: { /* inspection */
            gicsim_irq_state s;
            uint32_t id = intid(&in);
            gicsim_status st = gicsim_gicv5_irq_state(g, pe, id, &s);
            FZ_CHECK(st == GICSIM_OK || st == GICSIM_E_RANGE);
            st = gicsim_gicv5_virq_state(g, op >> 7, id, &s);
            FZ_CHECK(st == GICSIM_OK || st == GICSIM_E_RANGE);
            break;
        }
        }
        fz_check_gic_stats(g);
        check_v5_stats(&f);
        fz_check_invariants(g, false);
    }
    fz_drain(f.e, FZ_MAX_EVENTS);
    ack_all(&f, false);
    ack_all(&f, true);
    fz_drain(f.e, FZ_MAX_EVENTS);
    fz_check_gic_stats(g);
    check_v5_stats(&f);
    fz_check_invariants(g, true);
    gicsim_gic_destroy(g);
    gicsim_engine_destroy(f.e);
    return 0;
}
