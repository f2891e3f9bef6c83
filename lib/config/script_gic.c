/* gicsim: conformance-script steps for the GIC's own blocks (script_internal.h):
 * distributor (gicd_*), redistributor (gicr_*), CPU interface (icc_*),
 * virtual CPU interface (ich_*, icv_*) registers, the interrupt wires
 * (line, pulse), time (advance), interrupt states (expect_state), the GIC's
 * statistics (expect_stat), the OS's boot (os_init) and the PEs' output
 * lines (expect_lines). */
#include "script_internal.h"

#include <gicsim/vcpu_interface.h>

#include <stdio.h>
#include <string.h>

/* ---- Names -------------------------------------------------------------------------- */

#define STAT(f)                                                                                    \
    {                                                                                              \
#f, offsetof(gicsim_gic_stats, f)                                                          \
    }
static const script_field stat_fields[] = {
    STAT(raised),        STAT(merged),           STAT(acknowledged),
    STAT(withdrawn),     STAT(pending_now),      STAT(priority_drops),
    STAT(deactivations), STAT(signals),          STAT(spurious_acks),
    STAT(sgis_sent),     STAT(sgis_dropped),     STAT(raz_wi_reads),
    STAT(raz_wi_writes), STAT(ignored_ops),      STAT(hop_events),
    STAT(v_acks),        STAT(v_spurious_acks),  STAT(v_deactivations),
    STAT(v_eoicount),    STAT(maintenance_irqs), STAT(lpis_set),
    STAT(lpis_dropped),  STAT(lpi_config_reads), STAT(vlpis_set),
    STAT(vsgis_set),     STAT(doorbells),        STAT(vpe_residency_changes),
};
#undef STAT
#define N_STATS (sizeof stat_fields / sizeof stat_fields[0])

/* A register's short name: "ICC_IAR1_EL1" -> "IAR1". */
static void short_name(const char *full, char *buf, size_t size)
{
    const char *s = full;
    if (!strncmp(s, "ICC_", 4) || !strncmp(s, "ICH_", 4))
        s += 4;
    size_t n = strlen(s);
    if (n > 4 && (!strcmp(s + n - 4, "_EL1") || !strcmp(s + n - 4, "_EL2")))
        n -= 4;
    snprintf(buf, size, "%.*s", (int)n, s);
}

static bool ci_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (*a >= 'a' && *a <= 'z') ? (char)(*a - 32) : *a;
        char cb = (*b >= 'a' && *b <= 'z') ? (char)(*b - 32) : *b;
        if (ca != cb)
            return false;
    }
    return *a == *b;
}

enum { REG_ICC, REG_ICH, REG_ICV };

static const char *reg_full_name(int family, unsigned reg)
{
    return family == REG_ICH ? gicsim_ich_reg_name((gicsim_ich_reg)reg)
                             : gicsim_icc_reg_name((gicsim_icc_reg)reg);
}

static bool icv_virtualized(unsigned reg)
{
    return reg != GICSIM_ICC_SGI0R && reg != GICSIM_ICC_SGI1R && reg != GICSIM_ICC_ASGI1R &&
           reg != GICSIM_ICC_SRE;
}

static gicsim_status parse_reg(const yt_node *n, const char *key, int family,
                               const gicsim_gic_config *g, unsigned *out, gicsim_diag *d)
{
    const char *s;
    TRY(yt_get_str(n, key, &s, d));
    unsigned count = family == REG_ICH ? GICSIM_ICH__COUNT : GICSIM_ICC__COUNT;
    for (unsigned r = 0; r < count; r++) {
        const char *full = reg_full_name(family, r);
        char sn[32];
        if (!full)
            continue;
        short_name(full, sn, sizeof sn);
        if (!ci_equal(s, sn) && !ci_equal(s, full))
            continue;
        if (family == REG_ICH && r >= GICSIM_ICH_LR0 && r - GICSIM_ICH_LR0 >= g->num_lrs)
            return yt_node_err(d, n, key,
                               "%s does not exist: the GIC has %u list registers (gic.lrs)", sn,
                               (unsigned)g->num_lrs);
        *out = r;
        return GICSIM_OK;
    }
    return yt_node_err(d, n, key,
                       "unknown %s register \"%.60s\" (names as in the architecture without the "
                       "prefix and _EL%d suffix, e.g. %s)",
                       family == REG_ICH   ? "ICH"
                       : family == REG_ICV ? "ICV"
                                           : "ICC",
                       s, family == REG_ICH ? 2 : 1,
                       family == REG_ICH ? "LR0, HCR, VMCR" : "IAR1, PMR");
}

/* ---- Register access steps ------------------------------------------------------------- */

enum { FAM_GICD, FAM_GICR, FAM_ICC, FAM_ICH, FAM_ICV };

static int kind_family(const char *name)
{
    if (!strncmp(name, "gicd", 4))
        return FAM_GICD;
    if (!strncmp(name, "gicr", 4))
        return FAM_GICR;
    if (!strncmp(name, "icc", 3))
        return FAM_ICC;
    if (!strncmp(name, "ich", 3))
        return FAM_ICH;
    return FAM_ICV;
}

static bool kind_is_read(const char *name)
{
    return strstr(name, "_read") != NULL;
}

static gicsim_status parse_access(const step_kind *k, const yt_node *v, const char *path,
                                  const gicsim_script *sc, step *s, gicsim_diag *d)
{
    const int fam = kind_family(k->name);
    const yt_node *n;
    char kp[256];
    if (fam != FAM_GICD)
        TRY(script_pe(v, path, sc, true, &s->pe, d));
    if (fam == FAM_GICD || fam == FAM_GICR) {
        uint64_t u = 0;
        TRY(script_u64(v, path, "offset", true, 0, UINT32_MAX, &u, NULL, d));
        s->offset = (uint32_t)u;
        TRY(script_size(v, path, 4, &s->size, d));
    } else {
        TRY(script_req(v, path, "reg", &n, d));
        yt_path(kp, sizeof kp, path, "reg");
        TRY(parse_reg(n, kp,
                      fam == FAM_ICC   ? REG_ICC
                      : fam == FAM_ICH ? REG_ICH
                                       : REG_ICV,
                      &sc->gic, &s->reg, d));
    }
    if (kind_is_read(k->name))
        TRY(script_expect_parse(v, path, UINT64_MAX, &s->ex, d));
    else
        TRY(script_u64(v, path, "value", true, 0, UINT64_MAX, &s->value, NULL, d));
    TRY(script_status(v, path, s, d));
    /* An ICV access to a register without a virtual view can only be a
     * deliberate test of the error (status: inval). */
    if (fam == FAM_ICV && !icv_virtualized(s->reg) && s->status == GICSIM_OK) {
        char rn[32];
        yt_path(kp, sizeof kp, path, "reg");
        short_name(gicsim_icc_reg_name((gicsim_icc_reg)s->reg), rn, sizeof rn);
        return yt_node_err(d, yt_map_get(v, "reg"), kp,
                           "%s has no ICV_ view (it traps to EL2 or belongs to EL2); an access "
                           "fails unless the step expects it (status: inval)",
                           rn);
    }
    return GICSIM_OK;
}

static void describe_access(const step_kind *k, const step *s, char *buf, size_t size)
{
    const int fam = kind_family(k->name);
    char rn[32];
    switch (fam) {
    case FAM_GICD:
        snprintf(buf, size, "%s offset 0x%x size %u", k->name, (unsigned)s->offset, s->size);
        break;
    case FAM_GICR:
        snprintf(buf, size, "%s pe %u offset 0x%x size %u", k->name, (unsigned)s->pe,
                 (unsigned)s->offset, s->size);
        break;
    default:
        short_name(reg_full_name(fam == FAM_ICH ? REG_ICH : REG_ICC, s->reg), rn, sizeof rn);
        snprintf(buf, size, "%s pe %u %s", k->name, (unsigned)s->pe, rn);
        break;
    }
}

static bool exec_access(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                        char *msg, size_t msize)
{
    const int fam = kind_family(k->name);
    const bool rd = kind_is_read(k->name);
    uint64_t val = 0;
    gicsim_status st;
    describe_access(k, s, what, wsize);
    switch (fam) {
    case FAM_GICD:
        st = rd ? gicsim_gicd_read(r->gic, s->offset, s->size, &val)
                : gicsim_gicd_write(r->gic, s->offset, s->size, s->value);
        break;
    case FAM_GICR:
        st = rd ? gicsim_gicr_read(r->gic, s->pe, s->offset, s->size, &val)
                : gicsim_gicr_write(r->gic, s->pe, s->offset, s->size, s->value);
        break;
    case FAM_ICC:
        st = rd ? gicsim_icc_read(r->gic, s->pe, (gicsim_icc_reg)s->reg, &val)
                : gicsim_icc_write(r->gic, s->pe, (gicsim_icc_reg)s->reg, s->value);
        break;
    case FAM_ICH:
        st = rd ? gicsim_ich_read(r->gic, s->pe, (gicsim_ich_reg)s->reg, &val)
                : gicsim_ich_write(r->gic, s->pe, (gicsim_ich_reg)s->reg, s->value);
        break;
    default:
        st = rd ? gicsim_icv_read(r->gic, s->pe, (gicsim_icc_reg)s->reg, &val)
                : gicsim_icv_write(r->gic, s->pe, (gicsim_icc_reg)s->reg, s->value);
        break;
    }
    if (!script_status_check(s, st, msg, msize))
        return false;
    return !rd || st != GICSIM_OK || script_expect_check(&s->ex, val, true, msg, msize);
}

/* ---- Wires, time, state ----------------------------------------------------------------- */

static bool has_key(const step_kind *k, const char *key)
{
    for (size_t i = 0; k->keys && k->keys[i]; i++)
        if (!strcmp(k->keys[i], key))
            return true;
    return false;
}

static gicsim_status parse_line(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    uint64_t u = 0;
    TRY(script_u64(v, path, "intid", true, 0, UINT32_MAX, &u, NULL, d));
    s->intid = (uint32_t)u;
    TRY(script_pe(v, path, sc, false, &s->pe, d));
    if (has_key(k, "level")) {
        const yt_node *n;
        char kp[256];
        TRY(script_req(v, path, "level", &n, d));
        yt_path(kp, sizeof kp, path, "level");
        TRY(script_bool(n, kp, &s->level, d));
    }
    return has_key(k, "status") ? script_status(v, path, s, d) : GICSIM_OK;
}

static bool exec_line(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    gicsim_status st;
    if (!strcmp(k->name, "pulse")) {
        snprintf(what, wsize, "pulse intid %u pe %u", (unsigned)s->intid, (unsigned)s->pe);
        st = gicsim_gic_pulse(r->gic, s->pe, s->intid);
    } else {
        snprintf(what, wsize, "line intid %u pe %u level %d", (unsigned)s->intid, (unsigned)s->pe,
                 s->level ? 1 : 0);
        st = gicsim_gic_set_line(r->gic, s->pe, s->intid, s->level);
    }
    return script_status_check(s, st, msg, msize);
}

static gicsim_status parse_advance(const step_kind *k, const yt_node *v, const char *path,
                                   const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    (void)sc;
    return yt_get_time(v, path, &s->time, d);
}

static bool exec_advance(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                         char *msg, size_t msize)
{
    (void)k;
    (void)msg;
    (void)msize;
    char t[40];
    yt_format_time(s->time, t, sizeof t);
    snprintf(what, wsize, "advance %s", t);
    gicsim_engine_run_for(r->e, s->time);
    return true;
}

/* `state`: one state name, or a list of those accepted. */
static gicsim_status parse_state(const step_kind *k, const yt_node *v, const char *path,
                                 const gicsim_script *sc, step *s, gicsim_diag *d)
{
    TRY(parse_line(k, v, path, sc, s, d));
    return script_states(v, path, &s->states, d);
}

static bool exec_state(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                       char *msg, size_t msize)
{
    (void)k;
    gicsim_irq_state got = GICSIM_IRQ_INACTIVE;
    snprintf(what, wsize, "expect_state intid %u pe %u", (unsigned)s->intid, (unsigned)s->pe);
    gicsim_status st = gicsim_gic_irq_state(r->gic, s->pe, s->intid, &got);
    if (st != GICSIM_OK) {
        snprintf(msg, msize, "cannot read the state: %s (%s)", script_status_name(st),
                 gicsim_strerror(st));
        return false;
    }
    return script_states_check(s->states, got, msg, msize);
}

static gicsim_status parse_stat(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    (void)sc;
    TRY(script_field_parse(v, path, stat_fields, N_STATS,
                           "the fields of gicsim_gic_stats, e.g. raz_wi_reads, acknowledged",
                           &s->stat, d));
    return script_expect_value(v, path, &s->ex, d);
}

static bool exec_stat(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    (void)k;
    gicsim_gic_stats st;
    gicsim_gic_get_stats(r->gic, &st);
    snprintf(what, wsize, "expect_stat %s", stat_fields[s->stat].name);
    return script_expect_check(&s->ex, script_field_get(&st, &stat_fields[s->stat]), false, msg,
                               msize);
}

static gicsim_status parse_os_init(const step_kind *k, const yt_node *v, const char *path,
                                   const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    (void)sc;
    (void)s;
    bool b;
    TRY(yt_get_bool(v, path, &b, d));
    if (!b)
        return yt_diag(d, GICSIM_E_INVAL, v->file, v->line, v->col, path,
                       "os_init takes true (leave the step out to skip it)");
    return GICSIM_OK;
}

static bool exec_os_init(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                         char *msg, size_t msize)
{
    (void)k;
    (void)s;
    (void)msg;
    (void)msize;
    snprintf(what, wsize, "os_init");
    gicsim_gic_os_init(r->gic);
    return true;
}

/* ---- The PEs' output lines ------------------------------------------------------------ */

static const char *const line_names[] = {"irq", "fiq", "virq", "vfiq"};

static gicsim_status parse_lines(const step_kind *k, const yt_node *v, const char *path,
                                 const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    TRY(script_pe(v, path, sc, false, &s->pe, d));
    bool any = false;
    for (int i = 0; i < 4; i++) {
        const yt_node *n = yt_map_get(v, line_names[i]);
        s->lines[i] = -1;
        if (!n)
            continue;
        char kp[256];
        bool b;
        yt_path(kp, sizeof kp, path, line_names[i]);
        TRY(script_bool(n, kp, &b, d));
        s->lines[i] = b ? 1 : 0;
        any = true;
    }
    if (!any)
        return yt_diag(d, GICSIM_E_INVAL, v->file, v->line, v->col, path,
                       "expect_lines needs at least one of irq, fiq, virq, vfiq");
    return GICSIM_OK;
}

static bool exec_lines(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                       char *msg, size_t msize)
{
    (void)k;
    bool got[4] = {gicsim_gic_irq_line(r->gic, s->pe), gicsim_gic_fiq_line(r->gic, s->pe),
                   gicsim_gic_virq_line(r->gic, s->pe), gicsim_gic_vfiq_line(r->gic, s->pe)};
    snprintf(what, wsize, "expect_lines pe %u", (unsigned)s->pe);
    size_t len = 0;
    msg[0] = '\0';
    for (int i = 0; i < 4; i++)
        if (s->lines[i] >= 0 && got[i] != (s->lines[i] == 1) && len < msize)
            len += (size_t)snprintf(msg + len, msize - len, "%s%s expected %d, got %d",
                                    len ? "; " : "", line_names[i], s->lines[i], got[i] ? 1 : 0);
    return len == 0;
}

/* ---- The table ----------------------------------------------------------------------------- */

static const char *const k_gicd_w[] = {"offset", "value", "size", "status", NULL};
static const char *const k_gicd_r[] = {"offset", "size",   "expect", "one_of",
                                       "mask",   "status", NULL};
static const char *const k_gicr_w[] = {"pe", "offset", "value", "size", "status", NULL};
static const char *const k_gicr_r[] = {"pe",     "offset", "size",   "expect",
                                       "one_of", "mask",   "status", NULL};
static const char *const k_reg_w[] = {"pe", "reg", "value", "status", NULL};
static const char *const k_reg_r[] = {"pe", "reg", "expect", "one_of", "mask", "status", NULL};
static const char *const k_line[] = {"intid", "pe", "level", "status", NULL};
static const char *const k_pulse[] = {"intid", "pe", "status", NULL};
static const char *const k_state[] = {"intid", "pe", "state", NULL};
static const char *const k_stat[] = {"name", "value", "one_of", NULL};
static const char *const k_lines[] = {"pe", "irq", "fiq", "virq", "vfiq", NULL};

const step_kind script_gic_kinds[] = {
    {"gicd_write", k_gicd_w, parse_access, exec_access},
    {"gicd_read", k_gicd_r, parse_access, exec_access},
    {"gicr_write", k_gicr_w, parse_access, exec_access},
    {"gicr_read", k_gicr_r, parse_access, exec_access},
    {"icc_write", k_reg_w, parse_access, exec_access},
    {"icc_read", k_reg_r, parse_access, exec_access},
    {"ich_write", k_reg_w, parse_access, exec_access},
    {"ich_read", k_reg_r, parse_access, exec_access},
    {"icv_write", k_reg_w, parse_access, exec_access},
    {"icv_read", k_reg_r, parse_access, exec_access},
    {"line", k_line, parse_line, exec_line},
    {"pulse", k_pulse, parse_line, exec_line},
    {"advance", NULL, parse_advance, exec_advance},
    {"expect_state", k_state, parse_state, exec_state},
    {"expect_stat", k_stat, parse_stat, exec_stat},
    {"expect_lines", k_lines, parse_lines, exec_lines},
    {"os_init", NULL, parse_os_init, exec_os_init},
};
const size_t script_gic_kind_count = sizeof script_gic_kinds / sizeof script_gic_kinds[0];
