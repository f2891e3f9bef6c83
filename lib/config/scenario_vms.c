/* gicsim: the scenario's "vms" section (see docs/scenarios.md): each VM's
 * vCPUs, hypervisor policy, WFI and guest behaviour, PEs and scheduling, and
 * the checks across VMs and policies (host EOImode, what the GIC supports). */
#include "scenario_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Policies ---------------------------------------------------------------------------- */

void sc_policy_list(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < gicsim_hyp_policy_count(); i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "%s%s", i ? ", " : "", gicsim_hyp_policy_at(i)->name);
    }
}

gicsim_status sc_check_policy(const yt_node *n, const char *key, const char **name, gicsim_diag *d)
{
    TRY(yt_get_str(n, key, name, d));
    if (!gicsim_hyp_policy_find(*name)) {
        char list[300];
        sc_policy_list(list, sizeof list);
        const char *best = NULL;
        size_t best_d = 3;
        for (size_t i = 0; i < gicsim_hyp_policy_count(); i++) {
            size_t e = yt_edit_distance(*name, gicsim_hyp_policy_at(i)->name);
            if (e < best_d) {
                best_d = e;
                best = gicsim_hyp_policy_at(i)->name;
            }
        }
        if (best)
            return yt_node_err(d, n, key,
                               "unknown policy \"%.80s\" (did you mean \"%s\"? known: %s)", *name,
                               best, list);
        return yt_node_err(d, n, key, "unknown policy \"%.80s\" (known: %s)", *name, list);
    }
    return GICSIM_OK;
}

/* ---- vms ------------------------------------------------------------------------------- */

static const char *const vm_keys[] = {"name",      "vcpus",  "policy",        "wfi",
                                      "halt_poll", "guest",  "guest_eoimode", "nested",
                                      "pes",       "pinned", "time_slice",    NULL};
static const char *vm_name(const void *sc, size_t k)
{
    return ((const gicsim_scenario *)sc)->vms[k].name;
}

gicsim_status sc_parse_vm(gicsim_scenario *sc, const yt_node *seq, size_t i, gicsim_diag *d)
{
    if (!i && !(sc->vms = calloc(seq->n, sizeof *sc->vms)))
        return yt_nomem(d);
    sc->n_vms = i + 1;
    const yt_node *n = seq->items[i];
    char path[64], kp[256];
    snprintf(path, sizeof path, "vms.%zu", i);
    sc_vm *vm = &sc->vms[i];
    gicsim_vm_config_init(&vm->cfg);
    vm->line = n->line;
    vm->col = n->col;
    TRY(yt_named_item(n, path, vm_keys, "VM", "vms", i, vm_name, sc, &vm->name, d));
    TRY(yt_opt_u32(n, path, "vcpus", 1, 256, &vm->cfg.num_vcpus, NULL, d));
    const char *pol = vm->cfg.policy;
    const yt_node *pn = yt_map_get(n, "policy");
    if (pn) {
        yt_path(kp, sizeof kp, path, "policy");
        TRY(sc_check_policy(pn, kp, &pol, d));
    }
    if (!(vm->policy = yt_strdup(pol)))
        return yt_nomem(d);
    vm->cfg.policy = vm->policy;
    const yt_node *v;
    unsigned e;
    static const char *const wfi_names[] = {"trap", "native", NULL};
    static const char *const guest_names[] = {"idle", "busy", NULL};
    if ((v = yt_map_get(n, "wfi"))) {
        yt_path(kp, sizeof kp, path, "wfi");
        TRY(yt_get_enum(v, kp, wfi_names, &e, d));
        vm->cfg.wfi_trap = e == 0;
        vm->wfi = (sc_pos){v->file, v->line, v->col};
    }
    bool has_poll;
    TRY(yt_opt_time(n, path, "halt_poll", &vm->cfg.halt_poll, &has_poll, d));
    if (has_poll && vm->cfg.halt_poll) {
        v = yt_map_get(n, "halt_poll");
        vm->halt_poll = (sc_pos){v->file, v->line, v->col};
    }
    if (has_poll && vm->cfg.halt_poll && !vm->cfg.wfi_trap)
        return yt_not_here(d, n, path, "halt_poll",
                           "needs wfi: trap (a WFI that does not trap "
                           "never reaches the hypervisor's poll)");
    if ((v = yt_map_get(n, "guest"))) {
        yt_path(kp, sizeof kp, path, "guest");
        TRY(yt_get_enum(v, kp, guest_names, &e, d));
        vm->cfg.guest_busy = e == 1;
    }
    uint32_t eoim = vm->cfg.guest_eoimode;
    TRY(yt_opt_u32(n, path, "guest_eoimode", 0, 1, &eoim, NULL, d));
    vm->cfg.guest_eoimode = (uint8_t)eoim;
    TRY(yt_opt_bool(n, path, "nested", &vm->cfg.guest_nested, NULL, d));
    bool has_pinned;
    TRY(yt_opt_bool(n, path, "pinned", &vm->cfg.pinned, &has_pinned, d));
    if (has_pinned) {
        v = yt_map_get(n, "pinned");
        vm->pinned = (sc_pos){v->file, v->line, v->col};
    }
    bool has_slice;
    TRY(yt_opt_time(n, path, "time_slice", &vm->cfg.time_slice, &has_slice, d));
    if (has_slice && vm->cfg.time_slice == 0) {
        yt_path(kp, sizeof kp, path, "time_slice");
        return yt_node_err(d, yt_map_get(n, "time_slice"), kp, "must be greater than 0");
    }
    const uint32_t npes = sc->gic.num_pes;
    const yt_node *pes = yt_map_get(n, "pes");
    uint32_t count = 0;
    if (pes) {
        static const char *const pes_keys[] = {"first", "count", NULL};
        char pp[96];
        yt_path(pp, sizeof pp, path, "pes");
        TRY(yt_check_map(pes, pp, pes_keys, d));
        const yt_node *f = yt_map_get(pes, "first");
        TRY(yt_opt_u32(pes, pp, "first", 0, UINT32_MAX, &vm->cfg.pe_first, NULL, d));
        if (f && vm->cfg.pe_first >= npes) {
            yt_path(kp, sizeof kp, pp, "first");
            return yt_node_err(d, f, kp, "PE %u does not exist (gic.pes is %u: PEs 0..%u)",
                               (unsigned)vm->cfg.pe_first, (unsigned)npes, (unsigned)npes - 1);
        }
        const yt_node *c = yt_map_get(pes, "count");
        TRY(yt_opt_u32(pes, pp, "count", 1, UINT32_MAX, &count, NULL, d));
        if (c && count > npes - vm->cfg.pe_first) {
            yt_path(kp, sizeof kp, pp, "count");
            return yt_node_err(d, c, kp,
                               "%u PEs from PE %u is past the last PE (gic.pes is %u: at most %u)",
                               (unsigned)count, (unsigned)vm->cfg.pe_first, (unsigned)npes,
                               (unsigned)(npes - vm->cfg.pe_first));
        }
    }
    vm->cfg.pe_count = count ? count : npes - vm->cfg.pe_first;
    return GICSIM_OK;
}

void sc_gic_for_policy(const gicsim_gic_config *g, const gicsim_hyp_policy *p,
                       gicsim_gic_config *out)
{
    *out = *g;
    bool v5 = p && p->gic == GICSIM_GICV5;
    if (v5 && g->version != GICSIM_GICV5) {
        out->version = GICSIM_GICV5;
        if (out->priority_bits > 5)
            out->priority_bits = 5; /* a GICv5's CPU interface has 5 */
    } else if (!v5 && g->version == GICSIM_GICV5) {
        out->version = GICSIM_GICV4_1;
    }
}

/* Whether the GIC `p` runs on (sc_gic_for_policy) can run it: direct
 * injection needs GICv4.0 and an ITS, direct vSGIs GICv4.1. NULL when it
 * can, else the reason. */
const char *sc_policy_unsupported(const gicsim_gic_config *scenario_gic, const gicsim_hyp_policy *p)
{
    gicsim_gic_config eff;
    sc_gic_for_policy(scenario_gic, p, &eff);
    const gicsim_gic_config *g = &eff;
    if (p->gic == GICSIM_GICV5)
        return NULL;
    if ((p->direct_msi || p->direct_timer) && (g->version < GICSIM_GICV4_0 || !g->its))
        return "needs gic.version v4.0 or later and an ITS";
    if (p->direct_sgi && g->version < GICSIM_GICV4_1)
        return "needs gic.version v4.1";
    return NULL;
}

/* An error at VM i's policy key (the VM's mapping when it has none). */
static gicsim_status vm_policy_err(gicsim_diag *d, const yt_node *vms, size_t i, const char *fmt,
                                   ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static gicsim_status vm_policy_err(gicsim_diag *d, const yt_node *vms, size_t i, const char *fmt,
                                   ...)
{
    char kp[64];
    const yt_node *vn = vms->items[i];
    const yt_node *pn = yt_map_get(vn, "policy");
    const yt_node *at = pn ? pn : vn;
    snprintf(kp, sizeof kp, "vms.%zu.policy", i);
    va_list ap;
    va_start(ap, fmt);
    gicsim_status st = yt_vdiag(d, GICSIM_E_INVAL, at->file, at->line, at->col, kp, fmt, ap);
    va_end(ap);
    return st;
}

/* VMs that share a PE must agree on the host's EOImode (their policies'),
 * every policy must be one its GIC supports, and the VMs' policies drive
 * one architecture (they share the GIC). */
gicsim_status sc_check_eoimodes(gicsim_scenario *sc, const yt_node *vms, gicsim_diag *d)
{
    for (size_t i = 0; i < sc->n_vms; i++) {
        const gicsim_vm_config *a = &sc->vms[i].cfg;
        const gicsim_hyp_policy *pa = gicsim_hyp_policy_find(a->policy);
        const char *why = sc_policy_unsupported(&sc->gic, pa);
        if (why)
            return vm_policy_err(d, vms, i, "policy \"%s\" %s", pa->name, why);
        const gicsim_hyp_policy *p0 = gicsim_hyp_policy_find(sc->vms[0].cfg.policy);
        if ((pa->gic == GICSIM_GICV5) != (p0->gic == GICSIM_GICV5))
            return vm_policy_err(d, vms, i,
                                 "policy \"%s\" drives a %s, but VM \"%s\"'s policy \"%s\" a %s: "
                                 "the VMs of a scenario share one GIC",
                                 pa->name, pa->gic == GICSIM_GICV5 ? "GICv5" : "GICv3 or GICv4",
                                 sc->vms[0].name, p0->name,
                                 p0->gic == GICSIM_GICV5 ? "GICv5" : "GICv3 or GICv4");
        for (size_t k = 0; k < i; k++) {
            const gicsim_vm_config *b = &sc->vms[k].cfg;
            const gicsim_hyp_policy *pb = gicsim_hyp_policy_find(b->policy);
            bool overlap =
                a->pe_first < b->pe_first + b->pe_count && b->pe_first < a->pe_first + a->pe_count;
            if (!overlap || pa->host_eoimode == pb->host_eoimode)
                continue;
            return vm_policy_err(d, vms, i,
                                 "policy \"%s\" runs the host with EOImode=%d, but VM \"%s\" "
                                 "(policy \"%s\", EOImode=%d) shares PEs with it: VMs on the same "
                                 "PE need policies with the same host EOImode",
                                 pa->name, pa->host_eoimode ? 1 : 0, sc->vms[k].name, pb->name,
                                 pb->host_eoimode ? 1 : 0);
        }
    }
    return GICSIM_OK;
}

/* ---- What a policy overrides ------------------------------------------------------------ */

/* One warning, when there is room for it; the count goes on regardless. */
static void warn(gicsim_diag *out, size_t max, size_t *n, const sc_pos *at, size_t vm,
                 const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;
static void warn(gicsim_diag *out, size_t max, size_t *n, const sc_pos *at, size_t vm,
                 const char *key, const char *fmt, ...)
{
    if (*n < max) {
        char kp[64];
        snprintf(kp, sizeof kp, "vms.%zu.%s", vm, key);
        va_list ap;
        va_start(ap, fmt);
        yt_vdiag(&out[*n], GICSIM_OK, at->file, at->line, at->col, kp, fmt, ap);
        va_end(ap);
    }
    (*n)++;
}

size_t gicsim_scenario_policy_warnings(const gicsim_scenario *sc, const char *policy,
                                       gicsim_diag *out, size_t max)
{
    size_t n = 0;
    if (!sc || (!out && max))
        return 0;
    for (size_t i = 0; i < sc->n_vms; i++) {
        const sc_vm *vm = &sc->vms[i];
        const gicsim_hyp_policy *p = gicsim_hyp_policy_find(policy ? policy : vm->policy);
        if (!p || !p->wfi_native)
            continue;
        /* gicsim_vm_add: a wfi_native policy runs the guest's WFI in
         * hardware on pinned vCPUs (direct interrupt delivery). */
        if (vm->wfi.line && vm->cfg.wfi_trap)
            warn(out, max, &n, &vm->wfi, i, "wfi",
                 "policy %s runs the guest's WFI natively: wfi: trap is ignored", p->name);
        if (vm->halt_poll.line)
            warn(out, max, &n, &vm->halt_poll, i, "halt_poll",
                 "policy %s runs the guest's WFI natively: halt_poll is ignored (no WFI reaches "
                 "the hypervisor)",
                 p->name);
        if (vm->pinned.line && !vm->cfg.pinned)
            warn(out, max, &n, &vm->pinned, i, "pinned",
                 "policy %s pins every vCPU to its PE: pinned: false is ignored", p->name);
    }
    return n;
}
