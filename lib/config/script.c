/* gicsim: register-level conformance scripts (see gicsim/scenario.h and
 * docs/scenarios.md).
 *
 * A script is a list of steps, each a mapping with one key: the step kind.
 * Every kind is one row of step_kinds[] below: the keys it takes, a parser
 * that validates them into a `step` at load time, and an executor that runs
 * it against the GIC. Extension point: a new family of steps (the ITS
 * commands, for instance: its_mapd, its_mapti, its_int, ..., with the ITS
 * model's API) is added as new rows of step_kinds[] with their own parse and
 * exec functions and, if needed, fields in `step`; the loader and the runner
 * dispatch only through the table, so nothing else changes.
 */
#include "yaml_tree.h"

#include <gicsim/engine.h>
#include <gicsim/gic.h>
#include <gicsim/scenario.h>
#include <gicsim/vcpu_interface.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct step {
    unsigned kind; /* index in step_kinds[] */
    unsigned line;
    uint32_t pe;
    uint32_t offset;
    unsigned size;
    unsigned reg;
    uint32_t intid;
    uint64_t value; /* write value, or the expected value of a read / stat */
    uint64_t mask;  /* reads: the bits compared */
    bool expect;    /* reads: compare the value */
    bool level;
    gicsim_time_t time;
    gicsim_irq_state state;
    size_t stat;          /* expect_stat: index in stat_fields[] */
    gicsim_status status; /* the status the access must return */
} step;

struct gicsim_script {
    char *file;
    char *name;
    gicsim_gic_config gic;
    gicsim_timing timing;
    step *steps;
    size_t n_steps;
};

typedef struct run_ctx {
    gicsim_engine *e;
    gicsim_gic *gic;
} run_ctx;

typedef struct step_kind {
    const char *name;
    const char *const *keys; /* the keys of its mapping; NULL: the step's value is a scalar */
    gicsim_status (*parse)(const struct step_kind *k, const yt_node *v, const char *path,
                           const gicsim_script *sc, step *s, gicsim_diag *d);
    /* false when an expectation fails: `what` describes the step, `msg` the mismatch. */
    bool (*exec)(run_ctx *r, const struct step_kind *k, const step *s, char *what, size_t wsize,
                 char *msg, size_t msize);
} step_kind;

/* ---- Names -------------------------------------------------------------------------- */

static const char *const state_names[] = {"inactive", "pending", "active", "active-pending", NULL};

static const struct {
    const char *name;
    gicsim_status st;
} status_names[] = {
    {"ok", GICSIM_OK},
    {"inval", GICSIM_E_INVAL},
    {"nomem", GICSIM_E_NOMEM},
    {"range", GICSIM_E_RANGE},
    {"notfound", GICSIM_E_NOTFOUND},
    {"exists", GICSIM_E_EXISTS},
    {"full", GICSIM_E_FULL},
    {"state", GICSIM_E_STATE},
    {"io", GICSIM_E_IO},
    {"parse", GICSIM_E_PARSE},
    {"unsupported", GICSIM_E_UNSUPPORTED},
};
#define N_STATUS (sizeof status_names / sizeof status_names[0])

static const char *status_name(gicsim_status st)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_names[i].st == st)
            return status_names[i].name;
    return "?";
}

#define STAT(f)                                                                                    \
    {                                                                                              \
#f, offsetof(gicsim_gic_stats, f)                                                          \
    }
static const struct {
    const char *name;
    size_t off;
} stat_fields[] = {
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
            return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, key,
                           "%s does not exist: the GIC has %u list registers (gic.lrs)", sn,
                           (unsigned)g->num_lrs);
        *out = r;
        return GICSIM_OK;
    }
    return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, key,
                   "unknown %s register \"%.60s\" (names as in the architecture without the "
                   "prefix and _EL%d suffix, e.g. %s)",
                   family == REG_ICH   ? "ICH"
                   : family == REG_ICV ? "ICV"
                                       : "ICC",
                   s, family == REG_ICH ? 2 : 1,
                   family == REG_ICH ? "LR0, HCR, VMCR" : "IAR1, PMR");
}

/* ---- Parsing helpers --------------------------------------------------------------------- */

static gicsim_status req(const yt_node *map, const char *path, const char *key, const yt_node **out,
                         gicsim_diag *d)
{
    *out = yt_map_get(map, key);
    if (*out)
        return GICSIM_OK;
    char kp[256];
    yt_path(kp, sizeof kp, path, key);
    return yt_diag(d, GICSIM_E_INVAL, map->file, map->line, map->col, kp,
                   "missing required key \"%s\"", key);
}

static gicsim_status get_u64(const yt_node *map, const char *path, const char *key, bool required,
                             uint64_t min, uint64_t max, uint64_t *out, bool *present,
                             gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = yt_map_get(map, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return required ? req(map, path, key, &v, d) : GICSIM_OK;
    yt_path(kp, sizeof kp, path, key);
    return yt_get_u64(v, kp, min, max, out, d);
}

static gicsim_status get_pe(const yt_node *map, const char *path, const gicsim_script *sc,
                            bool required, uint32_t *pe, gicsim_diag *d)
{
    uint64_t v = 0;
    bool present;
    TRY(get_u64(map, path, "pe", required, 0, UINT32_MAX, &v, &present, d));
    if (present && v >= sc->gic.num_pes) {
        char kp[256];
        const yt_node *n = yt_map_get(map, "pe");
        yt_path(kp, sizeof kp, path, "pe");
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, kp,
                       "PE %llu does not exist (gic.pes is %u)", (unsigned long long)v,
                       (unsigned)sc->gic.num_pes);
    }
    *pe = (uint32_t)v;
    return GICSIM_OK;
}

static bool has_key(const step_kind *k, const char *key)
{
    for (size_t i = 0; k->keys && k->keys[i]; i++)
        if (!strcmp(k->keys[i], key))
            return true;
    return false;
}

/* The optional "status" key: the status the step's call must return. */
static gicsim_status parse_status(const yt_node *v, const char *path, step *s, gicsim_diag *d)
{
    const yt_node *n = yt_map_get(v, "status");
    s->status = GICSIM_OK;
    if (!n)
        return GICSIM_OK;
    const char *names[N_STATUS + 1];
    for (size_t i = 0; i < N_STATUS; i++)
        names[i] = status_names[i].name;
    names[N_STATUS] = NULL;
    unsigned idx;
    char kp[256];
    yt_path(kp, sizeof kp, path, "status");
    TRY(yt_get_enum(n, kp, names, &idx, d));
    s->status = status_names[idx].st;
    return GICSIM_OK;
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
    const bool rd = kind_is_read(k->name);
    uint64_t u = 0;
    const yt_node *n;
    char kp[256];
    if (fam != FAM_GICD)
        TRY(get_pe(v, path, sc, true, &s->pe, d));
    if (fam == FAM_GICD || fam == FAM_GICR) {
        TRY(get_u64(v, path, "offset", true, 0, UINT32_MAX, &u, NULL, d));
        s->offset = (uint32_t)u;
        u = 4;
        bool present;
        TRY(get_u64(v, path, "size", false, 1, 8, &u, &present, d));
        if (u != 1 && u != 2 && u != 4 && u != 8) {
            n = yt_map_get(v, "size");
            yt_path(kp, sizeof kp, path, "size");
            return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, kp,
                           "an access is 1, 2, 4 or 8 bytes, not %llu", (unsigned long long)u);
        }
        s->size = (unsigned)u;
    } else {
        TRY(req(v, path, "reg", &n, d));
        yt_path(kp, sizeof kp, path, "reg");
        TRY(parse_reg(n, kp,
                      fam == FAM_ICC   ? REG_ICC
                      : fam == FAM_ICH ? REG_ICH
                                       : REG_ICV,
                      &sc->gic, &s->reg, d));
    }
    s->mask = UINT64_MAX;
    if (rd) {
        TRY(get_u64(v, path, "expect", false, 0, UINT64_MAX, &s->value, &s->expect, d));
        bool has_mask;
        TRY(get_u64(v, path, "mask", false, 0, UINT64_MAX, &s->mask, &has_mask, d));
        if (has_mask && !s->expect)
            return yt_diag(d, GICSIM_E_INVAL, v->file, v->line, v->col, path,
                           "\"mask\" needs \"expect\"");
    } else {
        TRY(get_u64(v, path, "value", true, 0, UINT64_MAX, &s->value, NULL, d));
    }
    TRY(parse_status(v, path, s, d));
    /* An ICV access to a register without a virtual view can only be a
     * deliberate test of the error (status: inval). */
    if (fam == FAM_ICV && !icv_virtualized(s->reg) && s->status == GICSIM_OK) {
        char rn[32];
        n = yt_map_get(v, "reg");
        yt_path(kp, sizeof kp, path, "reg");
        short_name(gicsim_icc_reg_name((gicsim_icc_reg)s->reg), rn, sizeof rn);
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, kp,
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
    if (st != s->status) {
        snprintf(msg, msize, "expected status %s, got %s (%s)", status_name(s->status),
                 status_name(st), gicsim_strerror(st));
        return false;
    }
    if (rd && s->expect && st == GICSIM_OK && (val & s->mask) != (s->value & s->mask)) {
        if (s->mask == UINT64_MAX)
            snprintf(msg, msize, "expected 0x%llx, got 0x%llx", (unsigned long long)s->value,
                     (unsigned long long)val);
        else
            snprintf(msg, msize, "expected 0x%llx (mask 0x%llx), got 0x%llx",
                     (unsigned long long)(s->value & s->mask), (unsigned long long)s->mask,
                     (unsigned long long)val);
        return false;
    }
    return true;
}

/* ---- Wires, time, state ----------------------------------------------------------------- */

static gicsim_status parse_line(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    uint64_t u = 0;
    TRY(get_u64(v, path, "intid", true, 0, UINT32_MAX, &u, NULL, d));
    s->intid = (uint32_t)u;
    TRY(get_pe(v, path, sc, false, &s->pe, d));
    if (has_key(k, "level")) {
        const yt_node *n;
        char kp[256];
        TRY(req(v, path, "level", &n, d));
        yt_path(kp, sizeof kp, path, "level");
        if (n->kind == YT_SCALAR && n->plain && (!strcmp(n->str, "0") || !strcmp(n->str, "1")))
            s->level = n->str[0] == '1';
        else
            TRY(yt_get_bool(n, kp, &s->level, d));
    }
    return has_key(k, "status") ? parse_status(v, path, s, d) : GICSIM_OK;
}

static bool exec_line(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    const bool pulse = !strcmp(k->name, "pulse");
    gicsim_status st;
    if (pulse) {
        snprintf(what, wsize, "pulse intid %u pe %u", (unsigned)s->intid, (unsigned)s->pe);
        st = gicsim_gic_pulse(r->gic, s->pe, s->intid);
    } else {
        snprintf(what, wsize, "line intid %u pe %u level %d", (unsigned)s->intid, (unsigned)s->pe,
                 s->level ? 1 : 0);
        st = gicsim_gic_set_line(r->gic, s->pe, s->intid, s->level);
    }
    if (st != s->status) {
        snprintf(msg, msize, "expected status %s, got %s (%s)", status_name(s->status),
                 status_name(st), gicsim_strerror(st));
        return false;
    }
    return true;
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
    char t[40];
    (void)msg;
    (void)msize;
    yt_format_time(s->time, t, sizeof t);
    snprintf(what, wsize, "advance %s", t);
    gicsim_engine_run_for(r->e, s->time);
    return true;
}

static gicsim_status parse_state(const step_kind *k, const yt_node *v, const char *path,
                                 const gicsim_script *sc, step *s, gicsim_diag *d)
{
    const yt_node *n;
    char kp[256];
    unsigned idx;
    TRY(parse_line(k, v, path, sc, s, d));
    TRY(req(v, path, "state", &n, d));
    yt_path(kp, sizeof kp, path, "state");
    TRY(yt_get_enum(n, kp, state_names, &idx, d));
    s->state = (gicsim_irq_state)idx;
    return GICSIM_OK;
}

static bool exec_state(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                       char *msg, size_t msize)
{
    (void)k;
    gicsim_irq_state got = GICSIM_IRQ_INACTIVE;
    snprintf(what, wsize, "expect_state intid %u pe %u", (unsigned)s->intid, (unsigned)s->pe);
    gicsim_status st = gicsim_gic_irq_state(r->gic, s->pe, s->intid, &got);
    if (st != GICSIM_OK) {
        snprintf(msg, msize, "cannot read the state: %s (%s)", status_name(st),
                 gicsim_strerror(st));
        return false;
    }
    if (got != s->state) {
        snprintf(msg, msize, "expected %s, got %s", state_names[s->state],
                 (unsigned)got < 4 ? state_names[got] : "?");
        return false;
    }
    return true;
}

static gicsim_status parse_stat(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    (void)sc;
    const yt_node *n;
    char kp[256];
    TRY(req(v, path, "name", &n, d));
    yt_path(kp, sizeof kp, path, "name");
    const char *name;
    TRY(yt_get_str(n, kp, &name, d));
    for (s->stat = 0; s->stat < N_STATS && strcmp(stat_fields[s->stat].name, name); s->stat++)
        ;
    if (s->stat == N_STATS)
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, kp,
                       "unknown statistic \"%.60s\" (the fields of gicsim_gic_stats, e.g. "
                       "raz_wi_reads, acknowledged)",
                       name);
    return get_u64(v, path, "value", true, 0, UINT64_MAX, &s->value, NULL, d);
}

static bool exec_stat(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    (void)k;
    gicsim_gic_stats st;
    uint64_t got;
    gicsim_gic_get_stats(r->gic, &st);
    memcpy(&got, (const char *)&st + stat_fields[s->stat].off, sizeof got);
    snprintf(what, wsize, "expect_stat %s", stat_fields[s->stat].name);
    if (got != s->value) {
        snprintf(msg, msize, "expected %llu, got %llu", (unsigned long long)s->value,
                 (unsigned long long)got);
        return false;
    }
    return true;
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

/* ---- The step table ------------------------------------------------------------------------ */

static const char *const k_gicd_w[] = {"offset", "value", "size", "status", NULL};
static const char *const k_gicd_r[] = {"offset", "size", "expect", "mask", "status", NULL};
static const char *const k_gicr_w[] = {"pe", "offset", "value", "size", "status", NULL};
static const char *const k_gicr_r[] = {"pe", "offset", "size", "expect", "mask", "status", NULL};
static const char *const k_reg_w[] = {"pe", "reg", "value", "status", NULL};
static const char *const k_reg_r[] = {"pe", "reg", "expect", "mask", "status", NULL};
static const char *const k_line[] = {"intid", "pe", "level", "status", NULL};
static const char *const k_pulse[] = {"intid", "pe", "status", NULL};
static const char *const k_state[] = {"intid", "pe", "state", NULL};
static const char *const k_stat[] = {"name", "value", NULL};

static const step_kind step_kinds[] = {
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
    {"os_init", NULL, parse_os_init, exec_os_init},
    /* ITS command steps go here (see the comment at the top of this file). */
};
#define N_STEP_KINDS (sizeof step_kinds / sizeof step_kinds[0])

/* ---- Loading ----------------------------------------------------------------------------- */

void gicsim_script_free(gicsim_script *s)
{
    if (!s)
        return;
    free(s->file);
    free(s->name);
    free(s->steps);
    free(s);
}

static gicsim_status parse_step(gicsim_script *sc, const yt_node *n, size_t i, gicsim_diag *d)
{
    char path[64], kp[256];
    snprintf(path, sizeof path, "steps.%zu", i);
    step *s = &sc->steps[i];
    memset(s, 0, sizeof *s);
    s->line = n->line;
    if (n->kind != YT_MAP || n->n != 1)
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, path,
                       "a step is a mapping with exactly one key, its kind (e.g. \"- icc_read: "
                       "{pe: 0, reg: IAR1, expect: 0x20}\"); got %s%s",
                       n->kind == YT_MAP ? "a mapping with " : yt_type_name(n),
                       n->kind == YT_MAP ? (n->n ? "several keys (indent the step's fields "
                                                   "under its kind)"
                                                 : "no key")
                                         : "");
    const yt_pair *p = &n->pairs[0];
    yt_path(kp, sizeof kp, path, p->key);
    size_t k;
    for (k = 0; k < N_STEP_KINDS && strcmp(step_kinds[k].name, p->key); k++)
        ;
    if (k == N_STEP_KINDS) {
        char list[400] = "";
        for (size_t j = 0; j < N_STEP_KINDS; j++) {
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", step_kinds[j].name);
        }
        return yt_diag(d, GICSIM_E_INVAL, n->file, p->line, p->col, kp,
                       "unknown step \"%.60s\" (steps: %s)", p->key, list);
    }
    const step_kind *sk = &step_kinds[k];
    s->kind = (unsigned)k;
    s->line = p->line;
    if (sk->keys) {
        if (p->value->kind != YT_MAP)
            return yt_diag(d, GICSIM_E_INVAL, p->value->file, p->value->line, p->value->col, kp,
                           "expected a mapping of the step's fields, got %s",
                           yt_type_name(p->value));
        TRY(yt_check_map(p->value, kp, sk->keys, d));
    }
    return sk->parse(sk, p->value, kp, sc, s, d);
}

static const char *const script_keys[] = {"script", "description", "gic", "timing", "steps", NULL};

static gicsim_status load_script(gicsim_script *sc, const yt_node *root, gicsim_diag *d)
{
    if (!root || yt_is_null(root))
        return yt_diag(d, GICSIM_E_INVAL, sc->file, root ? root->line : 1, root ? root->col : 1, "",
                       "the script is empty: expected a mapping with \"script\" and "
                       "\"steps\"");
    if (root->kind != YT_MAP)
        return yt_diag(d, GICSIM_E_INVAL, sc->file, root->line, root->col, "",
                       "a script must be a mapping, got %s", yt_type_name(root));
    TRY(yt_check_map(root, "", script_keys, d));
    const yt_node *n;
    TRY(req(root, "", "script", &n, d));
    const char *name;
    TRY(yt_get_str(n, "script", &name, d));
    if (!(sc->name = strdup(name)))
        return yt_diag(d, GICSIM_E_NOMEM, sc->file, 0, 0, "", "out of memory");
    if ((n = yt_map_get(root, "description"))) {
        const char *desc;
        TRY(yt_get_str(n, "description", &desc, d));
    }
    gicsim_gic_config_init(&sc->gic);
    TRY(sc_parse_gic(yt_map_get(root, "gic"), "gic", &sc->gic, d));
    gicsim_timing_init(&sc->timing);
    if ((n = yt_map_get(root, "timing"))) {
        const char *pname;
        sc_platform plat;
        TRY(yt_get_str(n, "timing", &pname, d));
        TRY(sc_platform_load(pname, sc->file, n, "timing", &plat, d));
        sc->timing = plat.timing;
        sc_platform_free(&plat);
    }
    const yt_node *steps;
    TRY(req(root, "", "steps", &steps, d));
    TRY(yt_check_seq(steps, "steps", d));
    if (steps->kind != YT_SEQ || steps->n == 0)
        return yt_diag(d, GICSIM_E_INVAL, steps->file, steps->line, steps->col, "steps",
                       "a script needs at least one step");
    if (!(sc->steps = calloc(steps->n, sizeof *sc->steps)))
        return yt_diag(d, GICSIM_E_NOMEM, sc->file, 0, 0, "", "out of memory");
    sc->n_steps = steps->n;
    for (size_t i = 0; i < steps->n; i++)
        TRY(parse_step(sc, steps->items[i], i, d));
    return GICSIM_OK;
}

static gicsim_status load_text(const char *text, size_t len, const char *file, gicsim_script **out,
                               gicsim_diag *d)
{
    gicsim_script *sc = calloc(1, sizeof *sc);
    if (!sc || !(sc->file = strdup(file))) {
        free(sc);
        return yt_diag(d, GICSIM_E_NOMEM, file, 0, 0, "", "out of memory");
    }
    yt_node *root = NULL;
    gicsim_status st = yt_parse(text, len, sc->file, 0, 0, &root, d);
    if (st == GICSIM_OK)
        st = load_script(sc, root, d);
    yt_free(root);
    if (st != GICSIM_OK) {
        gicsim_script_free(sc);
        return st;
    }
    *out = sc;
    return GICSIM_OK;
}

gicsim_status gicsim_script_load(const char *path, gicsim_script **out, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!out || !path)
        return yt_diag(diag, GICSIM_E_INVAL, path ? path : "", 0, 0, "", "no path or output");
    *out = NULL;
    char *text;
    size_t len;
    TRY(yt_read_file(path, &text, &len, diag));
    gicsim_status st = load_text(text, len, path, out, diag);
    free(text);
    return st;
}

gicsim_status gicsim_script_load_string(const char *yaml, const char *name, gicsim_script **out,
                                        gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!name)
        name = "<string>";
    if (!out || !yaml)
        return yt_diag(diag, GICSIM_E_INVAL, name, 0, 0, "", "no text or output");
    *out = NULL;
    return load_text(yaml, strlen(yaml), name, out, diag);
}

const char *gicsim_script_name(const gicsim_script *s)
{
    return s ? s->name : NULL;
}

size_t gicsim_script_step_count(const gicsim_script *s)
{
    return s ? s->n_steps : 0;
}

/* ---- Running ------------------------------------------------------------------------------- */

gicsim_status gicsim_script_run(const gicsim_script *s, gicsim_script_result *res)
{
    gicsim_script_result local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    res->failed_step = SIZE_MAX;
    if (!s) {
        snprintf(res->message, sizeof res->message, "no script");
        return GICSIM_E_INVAL;
    }
    run_ctx r = {0};
    gicsim_status st = gicsim_engine_create(&r.e);
    if (st == GICSIM_OK) {
        gicsim_gic_config cfg = s->gic;
        cfg.timing = &s->timing;
        st = gicsim_gic_create(r.e, &cfg, &r.gic);
    }
    if (st != GICSIM_OK) {
        snprintf(res->message, sizeof res->message, "cannot create the GIC: %s",
                 gicsim_strerror(st));
        gicsim_engine_destroy(r.e);
        return st;
    }
    for (size_t i = 0; i < s->n_steps; i++) {
        const step *sp = &s->steps[i];
        char what[160] = "", msg[300] = "";
        res->steps_run = i + 1;
        const step_kind *k = &step_kinds[sp->kind];
        if (!k->exec(&r, k, sp, what, sizeof what, msg, sizeof msg)) {
            res->failed_step = i;
            res->line = sp->line;
            snprintf(res->message, sizeof res->message, "step %zu (line %u): %s: %s", i, sp->line,
                     what, msg);
            st = GICSIM_E_STATE;
            break;
        }
    }
    if (st == GICSIM_OK)
        snprintf(res->message, sizeof res->message, "%zu steps passed", s->n_steps);
    gicsim_gic_destroy(r.gic);
    gicsim_engine_destroy(r.e);
    return st;
}
