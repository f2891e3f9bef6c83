/* gicsim: the scenario's "sources" section (see docs/scenarios.md): each
 * source's kind, VM and vCPU, interrupt, handler and the keys of its kind,
 * and its arrivals (periodic, poisson, burst, manual, or a trace file). */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sc_arrival_names[] = {"periodic", "poisson", "burst", "manual", "trace", NULL};
const char *const sc_kind_names[] = {"spi-edge", "spi-level",  "vtimer", "sgi",
                                     "msi",      "host-timer", NULL};
static const char *const source_keys[] = {
    "name",     "kind",      "vm",       "vcpu",        "sender_vcpu", "intid",
    "route_pe", "priority",  "handler",  "deassert_at", "hold",        "reply",
    "arrival",  "device_id", "event_id", "pe",          "iwb",         NULL};
static const char *const arrival_keys[] = {"kind",  "period", "rate", "burst", "spacing",
                                           "start", "limit",  "seed", "file",  NULL};

/* A key that only some kinds (of source, or of arrival) have. */
typedef struct kind_key {
    const char *key;
    unsigned kinds; /* bit k set: kind k has the key */
    const char *why;
} kind_key;

#define KIND(k) (1u << (k))
#define TIMED (KIND(ARR_PERIODIC) | KIND(ARR_POISSON) | KIND(ARR_BURST))

static const kind_key source_kind_keys[] = {
    {"pe", KIND(GICSIM_SRC_HOST_TIMER), "only applies to kind host-timer"},
    {"route_pe", KIND(GICSIM_SRC_SPI_EDGE) | KIND(GICSIM_SRC_SPI_LEVEL),
     "only applies to kinds spi-edge and spi-level"},
    {"deassert_at", KIND(GICSIM_SRC_SPI_LEVEL), "only applies to kind spi-level"},
    {"hold", KIND(GICSIM_SRC_SPI_LEVEL), "only applies to kind spi-level"},
    {"iwb", KIND(GICSIM_SRC_SPI_EDGE) | KIND(GICSIM_SRC_SPI_LEVEL),
     "only applies to kinds spi-edge and spi-level"},
    {"device_id", KIND(GICSIM_SRC_MSI), "only applies to kind msi"},
    {"event_id", KIND(GICSIM_SRC_MSI), "only applies to kind msi"},
    {"sender_vcpu", KIND(GICSIM_SRC_SGI), "only applies to kind sgi"},
    {"reply", KIND(GICSIM_SRC_SGI), "only applies to kind sgi"},
    {NULL, 0, NULL}};

static const kind_key arrival_kind_keys[] = {
    {"period", TIMED, "only applies to arrival kinds periodic, poisson and burst"},
    {"rate", TIMED, "only applies to arrival kinds periodic, poisson and burst"},
    {"start", TIMED, "only applies to arrival kinds periodic, poisson and burst"},
    {"limit", TIMED, "only applies to arrival kinds periodic, poisson and burst"},
    {"burst", KIND(ARR_BURST), "only applies to arrival kind burst"},
    {"spacing", KIND(ARR_BURST), "only applies to arrival kind burst"},
    {"seed", KIND(ARR_POISSON), "only applies to arrival kind poisson"},
    {"file", KIND(ARR_TRACE), "only applies to arrival kind trace"},
    {NULL, 0, NULL}};

/* The first key of `keys` (in table order) that `map` (may be NULL) has
 * but kind `kind` does not: an error at it. */
static gicsim_status check_kind_keys(const yt_node *map, const char *path, const kind_key *keys,
                                     unsigned kind, gicsim_diag *d)
{
    for (; keys->key; keys++)
        if (!(keys->kinds & KIND(kind)) && yt_map_get(map, keys->key))
            return yt_not_here(d, map, path, keys->key, keys->why);
    return GICSIM_OK;
}

static gicsim_status parse_arrival(gicsim_scenario *sc, sc_source *so, const yt_node *src,
                                   const char *path, gicsim_diag *d)
{
    char ap[96], kp[256];
    yt_path(ap, sizeof ap, path, "arrival");
    const yt_node *a = yt_map_get(src, "arrival");
    gicsim_source_config *c = &so->cfg;
    so->arrival = ARR_PERIODIC;
    if (a) {
        TRY(yt_check_map(a, ap, arrival_keys, d));
        const yt_node *k = yt_map_get(a, "kind");
        if (k) {
            yt_path(kp, sizeof kp, ap, "kind");
            TRY(yt_get_enum(k, kp, sc_arrival_names, &so->arrival, d));
        }
    }
    const unsigned ak = so->arrival;
    const bool timed = (TIMED & KIND(ak)) != 0;
    TRY(check_kind_keys(a, ap, arrival_kind_keys, ak, d));
    if (!timed && c->kind == GICSIM_SRC_VTIMER) {
        yt_path(kp, sizeof kp, ap, "kind");
        return yt_node_err(d, yt_map_get(a, "kind"), kp,
                           "a vtimer source fires at its timer deadlines: its arrivals must be "
                           "periodic, poisson or burst");
    }

    /* period, or rate (its reciprocal): one of them. When both are there,
     * an override (-p) of one replaces the other written before it. */
    const yt_pair *pp = a ? yt_map_find(a, "period") : NULL;
    const yt_pair *rp = a ? yt_map_find(a, "rate") : NULL;
    if (pp && rp) {
        int order = sc_origin_cmp(pp, rp);
        if (order == 0)
            return yt_not_here(d, a, ap, "rate",
                               "and \"period\" say the same thing (rate = 1 / period): give one");
        if (order < 0)
            pp = NULL;
        else
            rp = NULL;
    }
    if (pp) {
        yt_path(kp, sizeof kp, ap, "period");
        TRY(yt_get_time(pp->value, kp, &c->period, d));
        if (c->period == 0)
            return yt_node_err(d, pp->value, kp, "must be greater than 0");
    } else if (rp) {
        yt_path(kp, sizeof kp, ap, "rate");
        TRY(yt_get_rate(rp->value, kp, &c->period, d));
    }
    bool has;
    if (ak == ARR_BURST) {
        if (!yt_map_get(a, "burst"))
            return yt_missing(d, a, ap, "burst");
        if (!yt_map_get(a, "spacing"))
            return yt_missing(d, a, ap, "spacing");
        TRY(yt_opt_u32(a, ap, "burst", 1, UINT32_MAX, &c->burst, NULL, d));
        TRY(yt_opt_time(a, ap, "spacing", &c->burst_spacing, NULL, d));
        if (c->burst_spacing == 0) {
            yt_path(kp, sizeof kp, ap, "spacing");
            return yt_node_err(d, yt_map_get(a, "spacing"), kp, "must be greater than 0");
        }
    }
    TRY(yt_opt_time(a, ap, "start", &c->start, &has, d));
    if (!has && timed)
        c->start = c->period; /* the system's default: one period after time 0 */
    TRY(yt_opt_u64(a, ap, "limit", 0, UINT64_MAX, &c->limit, NULL, d));
    TRY(yt_opt_u64(a, ap, "seed", 0, UINT64_MAX, &c->seed, &so->seed_set, d));
    if (!so->seed_set)
        c->seed = sc->seed;
    if (ak == ARR_TRACE) {
        const yt_node *f = yt_map_get(a, "file");
        if (!f)
            return yt_missing(d, a, ap, "file");
        const char *s;
        yt_path(kp, sizeof kp, ap, "file");
        TRY(yt_get_str(f, kp, &s, d));
        if (!*s)
            return yt_node_err(d, f, kp, "must not be empty");
        if (!(so->trace = yt_resolve_rel(sc->file, s)))
            return yt_nomem(d);
    }
    c->arrival = ak == ARR_PERIODIC  ? GICSIM_ARRIVE_PERIODIC
                 : ak == ARR_POISSON ? GICSIM_ARRIVE_POISSON
                 : ak == ARR_BURST   ? GICSIM_ARRIVE_BURST
                                     : GICSIM_ARRIVE_MANUAL;
    return GICSIM_OK;
}

/* Kind host-timer: the host kernel's own timer on PE `pe` (required), which
 * raises the host's timer PPI 26 there. It has no VM: the keys of a guest's
 * interrupt do not apply. */
static gicsim_status parse_host_timer(gicsim_scenario *sc, sc_source *so, const yt_node *n,
                                      const char *path, gicsim_diag *d)
{
    static const char *const guest_keys[] = {
        "vm",          "vcpu", "sender_vcpu", "intid",     "route_pe", "priority", "handler",
        "deassert_at", "hold", "reply",       "device_id", "event_id", "iwb",      NULL};
    for (int k = 0; guest_keys[k]; k++)
        if (yt_map_get(n, guest_keys[k]))
            return yt_not_here(d, n, path, guest_keys[k],
                               "does not apply to kind host-timer (the host's own timer has no VM, "
                               "vCPU, guest priority or guest handler; its PE is \"pe\")");
    const yt_node *pn = yt_map_get(n, "pe");
    if (!pn)
        return yt_missing(d, n, path, "pe");
    gicsim_source_config *c = &so->cfg;
    TRY(yt_opt_u32(n, path, "pe", 0, UINT32_MAX, &c->route_pe, NULL, d));
    if (c->route_pe >= sc->gic.num_pes) {
        char kp[256];
        yt_path(kp, sizeof kp, path, "pe");
        return yt_node_err(d, pn, kp, "PE %u does not exist (gic.pes is %u: PEs 0..%u)",
                           (unsigned)c->route_pe, (unsigned)sc->gic.num_pes,
                           (unsigned)sc->gic.num_pes - 1);
    }
    c->vm = c->vcpu = c->sender_vcpu = UINT32_MAX;
    c->intid = 26; /* the host's timer PPI (CNTHP under VHE) */
    return parse_arrival(sc, so, n, path, d);
}

static const char *source_name(const void *sc, size_t k)
{
    return ((const gicsim_scenario *)sc)->src[k].name;
}

gicsim_status sc_parse_source(gicsim_scenario *sc, const yt_node *seq, size_t i, gicsim_diag *d)
{
    if (!i && !(sc->src = calloc(seq->n, sizeof *sc->src)))
        return yt_nomem(d);
    sc->n_src = i + 1;
    const yt_node *n = seq->items[i];
    char path[64], kp[256];
    snprintf(path, sizeof path, "sources.%zu", i);
    sc_source *so = &sc->src[i];
    gicsim_source_config *c = &so->cfg;
    gicsim_source_config_init(c);
    so->line = n->line;
    so->col = n->col;
    TRY(yt_named_item(n, path, source_keys, "source", "sources", i, source_name, sc, &so->name, d));
    /* kind */
    const yt_node *kn = yt_map_get(n, "kind");
    if (!kn)
        return yt_missing(d, n, path, "kind");
    unsigned kind;
    yt_path(kp, sizeof kp, path, "kind");
    TRY(yt_get_enum(kn, kp, sc_kind_names, &kind, d));
    c->kind = (gicsim_source_kind)kind;
    if (c->kind == GICSIM_SRC_HOST_TIMER)
        return parse_host_timer(sc, so, n, path, d);
    TRY(check_kind_keys(n, path, source_kind_keys, c->kind, d));
    const bool spi = c->kind == GICSIM_SRC_SPI_EDGE || c->kind == GICSIM_SRC_SPI_LEVEL;
    /* vm */
    const yt_node *vn = yt_map_get(n, "vm");
    if (vn) {
        const char *vname;
        yt_path(kp, sizeof kp, path, "vm");
        TRY(yt_get_str(vn, kp, &vname, d));
        size_t k;
        for (k = 0; k < sc->n_vms && strcmp(sc->vms[k].name, vname); k++)
            ;
        if (k == sc->n_vms)
            return yt_node_err(d, vn, kp, "no VM is named \"%.80s\"", vname);
        c->vm = (uint32_t)k;
    } else if (sc->n_vms == 1) {
        c->vm = 0;
    } else {
        return sc->n_vms ? yt_missing(d, n, path, "vm")
                         : yt_node_err(d, n, path, "a source needs a VM, and \"vms\" has none");
    }
    const sc_vm *vm = &sc->vms[c->vm];
    const uint32_t nv = vm->cfg.num_vcpus;
    /* vcpu, sender_vcpu */
    const yt_node *v;
    static const char *const vcpu_keys[] = {"vcpu", "sender_vcpu"};
    uint32_t *vcpu_fields[] = {&c->vcpu, &c->sender_vcpu};
    for (int f = 0; f < 2; f++) {
        TRY(yt_opt_u32(n, path, vcpu_keys[f], 0, UINT32_MAX, vcpu_fields[f], NULL, d));
        if ((v = yt_map_get(n, vcpu_keys[f])) && *vcpu_fields[f] >= nv) {
            yt_path(kp, sizeof kp, path, vcpu_keys[f]);
            return yt_node_err(d, v, kp, "vCPU %u does not exist: VM \"%s\" has %u vCPU%s (0..%u)",
                               (unsigned)*vcpu_fields[f], vm->name, (unsigned)nv,
                               nv == 1 ? "" : "s", (unsigned)nv - 1);
        }
    }
    /* intid */
    v = yt_map_get(n, "intid");
    yt_path(kp, sizeof kp, path, "intid");
    if (spi) {
        if (!v)
            return yt_missing(d, n, path, "intid");
        const uint32_t last = GICSIM_SPI_BASE + sc->gic.num_spis - 1;
        TRY(yt_opt_u32(n, path, "intid", 0, UINT32_MAX, &c->intid, NULL, d));
        if (sc->gic.num_spis == 0)
            return yt_node_err(d, v, kp, "the GIC has no SPIs (gic.spis is 0)");
        if (c->intid < GICSIM_SPI_BASE || c->intid > last)
            return yt_node_err(
                d, v, kp, "INTID %u is not an SPI of this GIC (%u..%u; gic.spis is %u)",
                (unsigned)c->intid, GICSIM_SPI_BASE, (unsigned)last, (unsigned)sc->gic.num_spis);
        for (size_t k = 0; k < i; k++) {
            const gicsim_source_config *o = &sc->src[k].cfg;
            if ((o->kind == GICSIM_SRC_SPI_EDGE || o->kind == GICSIM_SRC_SPI_LEVEL) &&
                o->intid == c->intid)
                return yt_node_err(d, v, kp, "SPI %u is already the interrupt of source \"%s\"",
                                   (unsigned)c->intid, sc->src[k].name);
        }
    } else if (c->kind == GICSIM_SRC_SGI) {
        if (!v)
            return yt_missing(d, n, path, "intid");
        TRY(yt_opt_u32(n, path, "intid", 0, UINT32_MAX, &c->intid, NULL, d));
        if (c->intid > 15)
            return yt_node_err(d, v, kp, "INTID %u is not an SGI (0..15)", (unsigned)c->intid);
    } else if (c->kind == GICSIM_SRC_MSI) {
        if (!v)
            return yt_missing(d, n, path, "intid");
        TRY(yt_opt_u32(n, path, "intid", 0, UINT32_MAX, &c->intid, NULL, d));
        const uint32_t last = (1u << sc->gic.lpi_id_bits) - 1;
        if (c->intid < GICSIM_LPI_BASE || c->intid > last)
            return yt_node_err(d, v, kp, "INTID %u is not an LPI (%u..%u; gic.lpi_bits is %u)",
                               (unsigned)c->intid, GICSIM_LPI_BASE, (unsigned)last,
                               (unsigned)sc->gic.lpi_id_bits);
        c->device_id = 16 + (uint32_t)i;
        TRY(yt_opt_u32(n, path, "device_id", 0, 0xFFFF, &c->device_id, NULL, d));
        TRY(yt_opt_u32(n, path, "event_id", 0, 31, &c->event_id, NULL, d));
        for (size_t k = 0; k < i; k++) {
            const gicsim_source_config *o = &sc->src[k].cfg;
            if (o->kind == GICSIM_SRC_MSI && o->vm == c->vm && o->intid == c->intid)
                return yt_node_err(d, v, kp, "LPI %u of VM \"%s\" is already source \"%s\"",
                                   (unsigned)c->intid, vm->name, sc->src[k].name);
            if (o->kind == GICSIM_SRC_MSI && o->device_id == c->device_id &&
                o->event_id == c->event_id)
                return yt_node_err(d, n, path, "device %u event %u is already source \"%s\"",
                                   (unsigned)c->device_id, (unsigned)c->event_id, sc->src[k].name);
        }
        if (!sc->gic.its)
            return yt_node_err(d, n, path, "an MSI source needs an ITS (gic.its is false)");
    } else {
        c->intid = GICSIM_PPI_VTIMER;
        uint32_t t = GICSIM_PPI_VTIMER;
        TRY(yt_opt_u32(n, path, "intid", 0, UINT32_MAX, &t, NULL, d));
        if (t != GICSIM_PPI_VTIMER)
            return yt_node_err(d, v, kp, "the virtual timer is PPI %u; INTID %u is not",
                               GICSIM_PPI_VTIMER, (unsigned)t);
        for (size_t k = 0; k < i; k++) {
            const gicsim_source_config *o = &sc->src[k].cfg;
            if (o->kind == GICSIM_SRC_VTIMER && o->vm == c->vm && o->vcpu == c->vcpu)
                return yt_node_err(d, n, path,
                                   "vCPU %u of VM \"%s\" already has a vtimer source (\"%s\")",
                                   (unsigned)c->vcpu, vm->name, sc->src[k].name);
        }
    }
    /* route_pe: default the PE the vCPU starts on. */
    if (spi) {
        c->route_pe = vm->cfg.pe_first + c->vcpu % vm->cfg.pe_count;
        TRY(yt_opt_u32(n, path, "route_pe", 0, UINT32_MAX, &c->route_pe, NULL, d));
        if ((v = yt_map_get(n, "route_pe")) && c->route_pe >= sc->gic.num_pes) {
            yt_path(kp, sizeof kp, path, "route_pe");
            return yt_node_err(d, v, kp, "PE %u does not exist (gic.pes is %u)",
                               (unsigned)c->route_pe, (unsigned)sc->gic.num_pes);
        }
    }
    uint32_t prio = c->priority;
    TRY(yt_opt_u32(n, path, "priority", 0, 255, &prio, NULL, d));
    c->priority = (uint8_t)prio;
    TRY(yt_opt_time(n, path, "handler", &c->handler, NULL, d));
    if (spi)
        TRY(yt_opt_bool(n, path, "iwb", &c->iwb, NULL, d));
    if (c->kind == GICSIM_SRC_SPI_LEVEL) {
        c->deassert_at = c->handler; /* the default: the end of the handler */
        TRY(yt_opt_time(n, path, "deassert_at", &c->deassert_at, NULL, d));
        if (c->deassert_at > c->handler) {
            yt_path(kp, sizeof kp, path, "deassert_at");
            char a[32], b[32];
            yt_format_time(c->deassert_at, a, sizeof a);
            yt_format_time(c->handler, b, sizeof b);
            return yt_node_err(d, yt_map_get(n, "deassert_at"), kp,
                               "%s is after the end of the handler (handler: %s)", a, b);
        }
        TRY(yt_opt_time(n, path, "hold", &c->hold, NULL, d));
    }
    if (c->kind == GICSIM_SRC_SGI)
        TRY(yt_opt_bool(n, path, "reply", &c->reply, NULL, d));
    return parse_arrival(sc, so, n, path, d);
}
