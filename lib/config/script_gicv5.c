/* gicsim: conformance-script steps for a GICv5 (script_internal.h, gicsim/gicv5.h,
 * docs/gicv5.md): the IRS, ITS and IWB register frames (v5_irs_*, v5_its_*, v5_iwb_*, by
 * offset or register name), the system registers and GIC instructions of a PE's CPU interface
 * (v5_sysreg_*) and of the guest of its resident vPE (v5_guest_*), the SPI and PPI lines
 * (v5_line), IWB wires (v5_wire), MSIs (v5_msi), the states of physical and virtual
 * interrupts (v5_expect_state, v5_expect_vstate) and the GICv5 statistics (v5_expect_stat).
 * Interrupts are named by `type` (ppi, lpi, spi) and `id`; a system-register step's `type`
 * and `id` are OR'ed into its value (GIC CD* operands) or its expectation (GICR_CDIA,
 * ICC_HPPIR). Every step needs gic.version v5; the time, memory, output-line and
 * gicsim_gic_stats steps of the other families work on a GICv5 too. */
#include "script_internal.h"

#include <gicsim/gicv5.h>

#include <stdio.h>
#include <string.h>

/* A step of this family on a GIC that is not a GICv5 fails at load time unless it expects
 * GICSIM_E_UNSUPPORTED. */
static gicsim_status need_v5(const yt_node *v, const char *path, const gicsim_script *sc,
                             const step *s, gicsim_diag *d)
{
    if (sc->gic.version == GICSIM_GICV5 || s->status == GICSIM_E_UNSUPPORTED)
        return GICSIM_OK;
    return yt_diag(d, GICSIM_E_INVAL, v->file, v->line, v->col, path,
                   "a GICv5 step needs gic.version: v5 (the script's GIC is a GICv3 or GICv4); "
                   "it fails unless it expects it (status: unsupported)");
}

/* ---- Register frames -------------------------------------------------------------------- */

static const script_reg irs_regs[] = {
    {"IDR0", GICSIM_GICV5_IRS_IDR0, 4},
    {"IDR1", GICSIM_GICV5_IRS_IDR1, 4},
    {"IDR2", GICSIM_GICV5_IRS_IDR2, 4},
    {"IDR3", GICSIM_GICV5_IRS_IDR3, 4},
    {"IDR4", GICSIM_GICV5_IRS_IDR4, 4},
    {"IDR5", GICSIM_GICV5_IRS_IDR5, 4},
    {"IDR6", GICSIM_GICV5_IRS_IDR6, 4},
    {"IDR7", GICSIM_GICV5_IRS_IDR7, 4},
    {"IIDR", GICSIM_GICV5_IRS_IIDR, 4},
    {"AIDR", GICSIM_GICV5_IRS_AIDR, 4},
    {"CR0", GICSIM_GICV5_IRS_CR0, 4},
    {"CR1", GICSIM_GICV5_IRS_CR1, 4},
    {"SYNCR", GICSIM_GICV5_IRS_SYNCR, 4},
    {"SYNC_STATUSR", GICSIM_GICV5_IRS_SYNC_STATUSR, 4},
    {"SPI_VMR", GICSIM_GICV5_IRS_SPI_VMR, 8},
    {"SPI_SELR", GICSIM_GICV5_IRS_SPI_SELR, 4},
    {"SPI_DOMAINR", GICSIM_GICV5_IRS_SPI_DOMAINR, 4},
    {"SPI_RESAMPLER", GICSIM_GICV5_IRS_SPI_RESAMPLER, 4},
    {"SPI_CFGR", GICSIM_GICV5_IRS_SPI_CFGR, 4},
    {"SPI_STATUSR", GICSIM_GICV5_IRS_SPI_STATUSR, 4},
    {"PE_SELR", GICSIM_GICV5_IRS_PE_SELR, 4},
    {"PE_STATUSR", GICSIM_GICV5_IRS_PE_STATUSR, 4},
    {"PE_CR0", GICSIM_GICV5_IRS_PE_CR0, 4},
    {"IST_BASER", GICSIM_GICV5_IRS_IST_BASER, 8},
    {"IST_CFGR", GICSIM_GICV5_IRS_IST_CFGR, 4},
    {"IST_STATUSR", GICSIM_GICV5_IRS_IST_STATUSR, 4},
    {"MAP_L2_ISTR", GICSIM_GICV5_IRS_MAP_L2_ISTR, 4},
    {"VMT_BASER", GICSIM_GICV5_IRS_VMT_BASER, 8},
    {"VMT_CFGR", GICSIM_GICV5_IRS_VMT_CFGR, 4},
    {"VMT_STATUSR", GICSIM_GICV5_IRS_VMT_STATUSR, 4},
    {"VPE_SELR", GICSIM_GICV5_IRS_VPE_SELR, 8},
    {"VPE_DBR", GICSIM_GICV5_IRS_VPE_DBR, 8},
    {"VPE_HPPIR", GICSIM_GICV5_IRS_VPE_HPPIR, 8},
    {"VPE_CR0", GICSIM_GICV5_IRS_VPE_CR0, 4},
    {"VPE_STATUSR", GICSIM_GICV5_IRS_VPE_STATUSR, 4},
    {"VM_DBR", GICSIM_GICV5_IRS_VM_DBR, 8},
    {"VM_SELR", GICSIM_GICV5_IRS_VM_SELR, 4},
    {"VM_STATUSR", GICSIM_GICV5_IRS_VM_STATUSR, 4},
    {"VMAP_L2_VMTR", GICSIM_GICV5_IRS_VMAP_L2_VMTR, 8},
    {"VMAP_VMR", GICSIM_GICV5_IRS_VMAP_VMR, 8},
    {"VMAP_VISTR", GICSIM_GICV5_IRS_VMAP_VISTR, 8},
    {"VMAP_L2_VISTR", GICSIM_GICV5_IRS_VMAP_L2_VISTR, 8},
    {"VMAP_VPER", GICSIM_GICV5_IRS_VMAP_VPER, 8},
};

static const script_reg its_regs[] = {
    {"IDR0", GICSIM_GICV5_ITS_IDR0, 4},
    {"IDR1", GICSIM_GICV5_ITS_IDR1, 4},
    {"IDR2", GICSIM_GICV5_ITS_IDR2, 4},
    {"IIDR", GICSIM_GICV5_ITS_IIDR, 4},
    {"CR0", GICSIM_GICV5_ITS_CR0, 4},
    {"CR1", GICSIM_GICV5_ITS_CR1, 4},
    {"DT_BASER", GICSIM_GICV5_ITS_DT_BASER, 8},
    {"DT_CFGR", GICSIM_GICV5_ITS_DT_CFGR, 4},
    {"DIDR", GICSIM_GICV5_ITS_DIDR, 8},
    {"EIDR", GICSIM_GICV5_ITS_EIDR, 4},
    {"INV_EVENTR", GICSIM_GICV5_ITS_INV_EVENTR, 4},
    {"INV_DEVICER", GICSIM_GICV5_ITS_INV_DEVICER, 4},
    {"STATUSR", GICSIM_GICV5_ITS_STATUSR, 4},
    {"SYNCR", GICSIM_GICV5_ITS_SYNCR, 8},
    {"SYNC_STATUSR", GICSIM_GICV5_ITS_SYNC_STATUSR, 4},
    {"TRANSLATER", GICSIM_GICV5_ITS_TRANSLATER, 4},
};

#define IWB_ARRAY(n)                                                                               \
    {"WENABLER" #n, GICSIM_GICV5_IWB_WENABLER + 4u * (n), 4},                                      \
    {                                                                                              \
        "WTMR" #n, GICSIM_GICV5_IWB_WTMR + 4u * (n), 4                                             \
    }
static const script_reg iwb_regs[] = {
    {"IDR0", GICSIM_GICV5_IWB_IDR0, 4},
    {"CR0", GICSIM_GICV5_IWB_CR0, 4},
    {"WENABLE_STATUSR", GICSIM_GICV5_IWB_WENABLE_STATUSR, 4},
    IWB_ARRAY(0),
    IWB_ARRAY(1),
    IWB_ARRAY(2),
    IWB_ARRAY(3),
    IWB_ARRAY(4),
    IWB_ARRAY(5),
    IWB_ARRAY(6),
    IWB_ARRAY(7),
};
#undef IWB_ARRAY

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

enum { FRAME_IRS, FRAME_ITS, FRAME_IWB };

static const struct {
    const char *read, *write, *prefix, *hint;
    const script_reg *regs;
    size_t n;
} frames[] = {
    {"v5_irs_read", "v5_irs_write", "IRS_",
     "IDR0..IDR7, CR0, SYNCR, SPI_SELR, SPI_CFGR, PE_SELR, "
     "IST_BASER, IST_CFGR, MAP_L2_ISTR, VMT_BASER, VPE_SELR, "
     "VPE_DBR, VMAP_VMR, ... (gicsim/gicv5.h)",
     irs_regs, N_OF(irs_regs)},
    {"v5_its_read", "v5_its_write", "ITS_",
     "IDR0..IDR2, CR0, DT_BASER, DT_CFGR, DIDR, EIDR, "
     "INV_EVENTR, INV_DEVICER, STATUSR, SYNCR, "
     "SYNC_STATUSR, TRANSLATER",
     its_regs, N_OF(its_regs)},
    {"v5_iwb_read", "v5_iwb_write", "IWB_", "IDR0, CR0, WENABLE_STATUSR, WENABLER0..7, WTMR0..7",
     iwb_regs, N_OF(iwb_regs)},
};

static int frame_of(const char *kind)
{
    for (int f = 0; f < (int)N_OF(frames); f++)
        if (!strcmp(kind, frames[f].read) || !strcmp(kind, frames[f].write))
            return f;
    return FRAME_IRS;
}

static bool is_read(const step_kind *k)
{
    return strstr(k->name, "_read") != NULL;
}

static gicsim_status parse_frame(const step_kind *k, const yt_node *v, const char *path,
                                 const gicsim_script *sc, step *s, gicsim_diag *d)
{
    const int f = frame_of(k->name);
    unsigned def;
    TRY(script_reg_offset(v, path, frames[f].prefix, frames[f].regs, frames[f].n, frames[f].hint,
                          &s->offset, &def, d));
    TRY(script_size(v, path, def, &s->size, d));
    if (is_read(k))
        TRY(script_expect_parse(v, path, UINT64_MAX, &s->ex, d));
    else
        TRY(script_u64(v, path, "value", true, 0, UINT64_MAX, &s->value, NULL, d));
    TRY(script_status(v, path, s, d));
    return need_v5(v, path, sc, s, d);
}

static bool exec_frame(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                       char *msg, size_t msize)
{
    const int f = frame_of(k->name);
    const bool rd = is_read(k);
    uint64_t val = 0;
    gicsim_status st;
    const char *rn = NULL;
    for (size_t i = 0; i < frames[f].n && !rn; i++)
        if (frames[f].regs[i].offset == s->offset)
            rn = frames[f].regs[i].name;
    if (rn)
        snprintf(what, wsize, "%s %s%s size %u", k->name, frames[f].prefix, rn, s->size);
    else
        snprintf(what, wsize, "%s offset 0x%x size %u", k->name, (unsigned)s->offset, s->size);
    switch (f) {
    case FRAME_IRS:
        st = rd ? gicsim_gicv5_irs_read(r->gic, s->offset, s->size, &val)
                : gicsim_gicv5_irs_write(r->gic, s->offset, s->size, s->value);
        break;
    case FRAME_ITS:
        st = rd ? gicsim_gicv5_its_read(r->gic, s->offset, s->size, &val)
                : gicsim_gicv5_its_write(r->gic, s->offset, s->size, s->value);
        break;
    default:
        st = rd ? gicsim_gicv5_iwb_read(r->gic, s->offset, s->size, &val)
                : gicsim_gicv5_iwb_write(r->gic, s->offset, s->size, s->value);
        break;
    }
    if (!script_status_check(s, st, msg, msize))
        return false;
    return !rd || st != GICSIM_OK || script_expect_check(&s->ex, val, true, msg, msize);
}

/* ---- Interrupt identifiers ---------------------------------------------------------------- */

static const char *const type_names[] = {"ppi", "lpi", "spi", NULL};

/* `type` and `id` into an INTID; with `optional`, neither may be given (*present false). */
static gicsim_status parse_intid(const yt_node *v, const char *path, bool optional, uint32_t *intid,
                                 bool *present, gicsim_diag *d)
{
    const yt_node *t = yt_map_get(v, "type"), *i = yt_map_get(v, "id");
    char kp[256];
    *present = t || i;
    *intid = 0;
    if (optional && !*present)
        return GICSIM_OK;
    TRY(script_req(v, path, "type", &t, d));
    unsigned idx;
    uint64_t id = 0;
    yt_path(kp, sizeof kp, path, "type");
    TRY(yt_get_enum(t, kp, type_names, &idx, d));
    TRY(script_u64(v, path, "id", true, 0, 0xFFFFFF, &id, NULL, d));
    *intid = GICSIM_GICV5_INTID(idx + 1, id);
    return GICSIM_OK;
}

static void describe_intid(uint32_t intid, char *buf, size_t size)
{
    unsigned t = GICSIM_GICV5_INTID_TYPE(intid);
    snprintf(buf, size, "%s %u", t >= 1 && t <= 3 ? type_names[t - 1] : "type?",
             (unsigned)GICSIM_GICV5_INTID_ID(intid));
}

/* ---- System registers and instructions ------------------------------------------------------ */

static bool is_guest(const step_kind *k)
{
    return !strncmp(k->name, "v5_guest", 8);
}

/* `reg`: a name of gicsim_gicv5_sysreg_name, in any case, with or without its _EL1/_EL2. */
static gicsim_status parse_sysreg(const yt_node *v, const char *path, unsigned *out, gicsim_diag *d)
{
    const yt_node *n;
    const char *s;
    char kp[256];
    TRY(script_req(v, path, "reg", &n, d));
    yt_path(kp, sizeof kp, path, "reg");
    TRY(yt_get_str(n, kp, &s, d));
    for (unsigned r = 0; r < GICSIM_GICV5_SYSREG__COUNT; r++) {
        const char *full = gicsim_gicv5_sysreg_name((gicsim_gicv5_sysreg)r);
        char shortn[40];
        size_t len = strlen(full);
        if (len > 4 && full[len - 4] == '_' && full[len - 3] == 'E')
            len -= 4;
        snprintf(shortn, sizeof shortn, "%.*s", (int)len, full);
        if (script_name_is(s, "", full) || script_name_is(s, "", shortn)) {
            *out = r;
            return GICSIM_OK;
        }
    }
    return yt_node_err(d, n, kp,
                       "unknown GICv5 system register or instruction \"%.60s\" (the names of "
                       "gicsim/gicv5.h with or without _EL1/_EL2, e.g. ICC_PCR, GIC_CDPRI, "
                       "GICR_CDIA, ICH_CONTEXTR)",
                       s);
}

static gicsim_status parse_sys(const step_kind *k, const yt_node *v, const char *path,
                               const gicsim_script *sc, step *s, gicsim_diag *d)
{
    bool has_id;
    char kp[256];
    TRY(script_pe(v, path, sc, true, &s->pe, d));
    TRY(parse_sysreg(v, path, &s->reg, d));
    TRY(parse_intid(v, path, true, &s->intid, &has_id, d));
    if (is_read(k)) {
        TRY(script_expect_parse(v, path, UINT64_MAX, &s->ex, d));
        if (has_id && s->ex.n > 1) {
            yt_path(kp, sizeof kp, path, "one_of");
            return yt_node_err(d, yt_map_get(v, "one_of"), kp,
                               "\"type\" and \"id\" complete one expected value, not a list");
        }
        if (has_id) {
            if (!s->ex.n)
                s->ex.v[0] = 0;
            s->ex.n = 1;
            s->ex.v[0] |= s->intid;
        }
    } else {
        TRY(script_u64(v, path, "value", !has_id, 0, UINT64_MAX, &s->value, NULL, d));
        s->value |= s->intid;
    }
    TRY(script_status(v, path, s, d));
    return need_v5(v, path, sc, s, d);
}

static bool exec_sys(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                     char *msg, size_t msize)
{
    const bool rd = is_read(k), guest = is_guest(k);
    const gicsim_gicv5_sysreg reg = (gicsim_gicv5_sysreg)s->reg;
    uint64_t val = 0;
    gicsim_status st;
    if (rd)
        snprintf(what, wsize, "%s pe %u %s", k->name, (unsigned)s->pe,
                 gicsim_gicv5_sysreg_name(reg));
    else
        snprintf(what, wsize, "%s pe %u %s value 0x%llx", k->name, (unsigned)s->pe,
                 gicsim_gicv5_sysreg_name(reg), (unsigned long long)s->value);
    if (guest)
        st = rd ? gicsim_gicv5_guest_read(r->gic, s->pe, reg, &val)
                : gicsim_gicv5_guest_write(r->gic, s->pe, reg, s->value);
    else
        st = rd ? gicsim_gicv5_sysreg_read(r->gic, s->pe, reg, &val)
                : gicsim_gicv5_sysreg_write(r->gic, s->pe, reg, s->value);
    if (!script_status_check(s, st, msg, msize))
        return false;
    return !rd || st != GICSIM_OK || script_expect_check(&s->ex, val, true, msg, msize);
}

/* ---- Lines, wires, MSIs ---------------------------------------------------------------------- */

static gicsim_status parse_level(const yt_node *v, const char *path, step *s, gicsim_diag *d)
{
    const yt_node *n;
    char kp[256];
    TRY(script_req(v, path, "level", &n, d));
    yt_path(kp, sizeof kp, path, "level");
    return script_bool(n, kp, &s->level, d);
}

static gicsim_status parse_line(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    bool has_id;
    TRY(parse_intid(v, path, false, &s->intid, &has_id, d));
    TRY(script_pe(v, path, sc, false, &s->pe, d));
    TRY(parse_level(v, path, s, d));
    TRY(script_status(v, path, s, d));
    return need_v5(v, path, sc, s, d);
}

static bool exec_line(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    (void)k;
    char id[32];
    describe_intid(s->intid, id, sizeof id);
    snprintf(what, wsize, "v5_line %s pe %u level %d", id, (unsigned)s->pe, s->level ? 1 : 0);
    return script_status_check(s, gicsim_gicv5_set_line(r->gic, s->pe, s->intid, s->level), msg,
                               msize);
}

static gicsim_status parse_wire(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    uint64_t u = 0;
    TRY(script_u64(v, path, "wire", true, 0, UINT32_MAX, &u, NULL, d));
    s->intid = (uint32_t)u;
    TRY(parse_level(v, path, s, d));
    TRY(script_status(v, path, s, d));
    return need_v5(v, path, sc, s, d);
}

static bool exec_wire(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    (void)k;
    snprintf(what, wsize, "v5_wire %u level %d", (unsigned)s->intid, s->level ? 1 : 0);
    return script_status_check(s, gicsim_gicv5_set_wire(r->gic, s->intid, s->level), msg, msize);
}

static gicsim_status parse_msi(const step_kind *k, const yt_node *v, const char *path,
                               const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    uint64_t dev = 0, ev = 0;
    TRY(script_u64(v, path, "device", true, 0, UINT32_MAX, &dev, NULL, d));
    TRY(script_u64(v, path, "event", true, 0, UINT32_MAX, &ev, NULL, d));
    s->device = (uint32_t)dev;
    s->event = (uint32_t)ev;
    TRY(script_status(v, path, s, d));
    return need_v5(v, path, sc, s, d);
}

static bool exec_msi(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                     char *msg, size_t msize)
{
    (void)k;
    snprintf(what, wsize, "v5_msi device %u event %u", (unsigned)s->device, (unsigned)s->event);
    return script_status_check(s, gicsim_gicv5_msi(r->gic, s->device, s->event), msg, msize);
}

/* ---- States and statistics ---------------------------------------------------------------- */

static gicsim_status parse_state(const step_kind *k, const yt_node *v, const char *path,
                                 const gicsim_script *sc, step *s, gicsim_diag *d)
{
    bool has_id;
    TRY(parse_intid(v, path, false, &s->intid, &has_id, d));
    if (!strcmp(k->name, "v5_expect_vstate")) {
        uint64_t vm = 0;
        TRY(script_u64(v, path, "vm", true, 0, (1u << GICSIM_GICV5_VM_ID_BITS) - 1, &vm, NULL, d));
        s->vm = (uint32_t)vm;
    } else {
        TRY(script_pe(v, path, sc, false, &s->pe, d));
    }
    TRY(script_states(v, path, &s->states, d));
    return need_v5(v, path, sc, s, d);
}

static bool exec_state(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                       char *msg, size_t msize)
{
    const bool virt = !strcmp(k->name, "v5_expect_vstate");
    gicsim_irq_state got = GICSIM_IRQ_INACTIVE;
    char id[32];
    describe_intid(s->intid, id, sizeof id);
    snprintf(what, wsize, "%s %s %s %u", k->name, id, virt ? "vm" : "pe",
             (unsigned)(virt ? s->vm : s->pe));
    gicsim_status st = virt ? gicsim_gicv5_virq_state(r->gic, s->vm, s->intid, &got)
                            : gicsim_gicv5_irq_state(r->gic, s->pe, s->intid, &got);
    if (st != GICSIM_OK) {
        snprintf(msg, msize, "cannot read the state: %s (%s)", script_status_name(st),
                 gicsim_strerror(st));
        return false;
    }
    return script_states_check(s->states, got, msg, msize);
}

#define VSTAT(f)                                                                                   \
    {                                                                                              \
#f, offsetof(gicsim_gicv5_stats, f)                                                        \
    }
static const script_field v5_stats[] = {
    VSTAT(vraised),          VSTAT(vmerged),           VSTAT(vacknowledged),
    VSTAT(vwithdrawn),       VSTAT(vpending_now),      VSTAT(ppi_direct_acks),
    VSTAT(irs_requests),     VSTAT(irs_dropped),       VSTAT(irs_busy_writes),
    VSTAT(ist_reads),        VSTAT(ist_writes),        VSTAT(ist_hits),
    VSTAT(its_events),       VSTAT(its_translations),  VSTAT(its_cache_hits),
    VSTAT(its_errors),       VSTAT(iwb_events),        VSTAT(iwb_disabled_drops),
    VSTAT(residency_faults), VSTAT(doorbell_requests), VSTAT(commands_ignored),
};
#undef VSTAT

static gicsim_status parse_stat(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    TRY(script_field_parse(v, path, v5_stats, N_OF(v5_stats),
                           "the fields of gicsim_gicv5_stats, e.g. irs_dropped, its_errors",
                           &s->stat, d));
    TRY(script_expect_value(v, path, &s->ex, d));
    return need_v5(v, path, sc, s, d);
}

static bool exec_stat(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    (void)k;
    gicsim_gicv5_stats st;
    gicsim_gicv5_get_stats(r->gic, &st);
    snprintf(what, wsize, "v5_expect_stat %s", v5_stats[s->stat].name);
    return script_expect_check(&s->ex, script_field_get(&st, &v5_stats[s->stat]), false, msg,
                               msize);
}

/* ---- The table ----------------------------------------------------------------------------- */

static const char *const k_frame_w[] = {"offset", "value", "size", "status", NULL};
static const char *const k_frame_r[] = {"offset", "size",   "expect", "one_of",
                                        "mask",   "status", NULL};
static const char *const k_sys_w[] = {"pe", "reg", "value", "type", "id", "status", NULL};
static const char *const k_sys_r[] = {"pe",   "reg", "expect", "one_of", "mask",
                                      "type", "id",  "status", NULL};
static const char *const k_line[] = {"type", "id", "pe", "level", "status", NULL};
static const char *const k_wire[] = {"wire", "level", "status", NULL};
static const char *const k_msi[] = {"device", "event", "status", NULL};
static const char *const k_state[] = {"type", "id", "pe", "state", NULL};
static const char *const k_vstate[] = {"vm", "type", "id", "state", NULL};
static const char *const k_stat[] = {"name", "value", "one_of", NULL};

const step_kind script_gicv5_kinds[] = {
    {"v5_irs_write", k_frame_w, parse_frame, exec_frame},
    {"v5_irs_read", k_frame_r, parse_frame, exec_frame},
    {"v5_its_write", k_frame_w, parse_frame, exec_frame},
    {"v5_its_read", k_frame_r, parse_frame, exec_frame},
    {"v5_iwb_write", k_frame_w, parse_frame, exec_frame},
    {"v5_iwb_read", k_frame_r, parse_frame, exec_frame},
    {"v5_sysreg_write", k_sys_w, parse_sys, exec_sys},
    {"v5_sysreg_read", k_sys_r, parse_sys, exec_sys},
    {"v5_guest_write", k_sys_w, parse_sys, exec_sys},
    {"v5_guest_read", k_sys_r, parse_sys, exec_sys},
    {"v5_line", k_line, parse_line, exec_line},
    {"v5_wire", k_wire, parse_wire, exec_wire},
    {"v5_msi", k_msi, parse_msi, exec_msi},
    {"v5_expect_state", k_state, parse_state, exec_state},
    {"v5_expect_vstate", k_vstate, parse_state, exec_state},
    {"v5_expect_stat", k_stat, parse_stat, exec_stat},
};
const size_t script_gicv5_kind_count = sizeof script_gicv5_kinds / sizeof script_gicv5_kinds[0];
