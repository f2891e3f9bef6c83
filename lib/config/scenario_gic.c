/* gicsim: the scenario sections that describe the machine (see
 * docs/scenarios.md): "platform" (a preset, loaded by platform.c) with
 * "platform_overrides", "gic" (also read by conformance scripts, script.c)
 * and "host" (the host kernel's kick SGI and tick PPI). */
#include "scenario_internal.h"

/* ---- platform ---------------------------------------------------------------------------- */

/* What platform_overrides may change. */
static const char *const override_keys[] = {"vhe", "kvm", "clocks", "costs", "variation", NULL};

gicsim_status sc_parse_platform(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    const yt_node *pn = yt_map_get(root, "platform");
    const char *name = "generic";
    if (pn)
        TRY(yt_get_str(pn, "platform", &name, d));
    TRY(sc_platform_load(name, sc->file, pn ? pn : root, "platform", &sc->plat, d));
    const yt_node *po = yt_map_get(root, "platform_overrides");
    if (po) {
        TRY(yt_check_map(po, "platform_overrides", override_keys, d));
        sc_platform_set set = {&sc->ovr_vhe,        sc->ovr_clock,           sc->ovr_cost,
                               &sc->ovr_sgi_lookup, &sc->ovr_vpt_poll_delay, &sc->ovr_vpt_wait,
                               sc->ovr_variation};
        TRY(sc_platform_apply_keys(
            po, "platform_overrides",
            (sc_platform_vals){&sc->plat.vhe, &sc->plat.timing, &sc->plat.kvm, &sc->plat.variation},
            &set, d));
    }
    return GICSIM_OK;
}

/* ---- gic ------------------------------------------------------------------------------ */

static const char *const gic_keys[] = {
    "version",           "pes",       "spis",     "lrs", "priority_bits", "pes_per_cluster",
    "security_disabled", "one_of_n",  "lpi_bits", "its", "its_cache",     "sockets",
    "vpt_dirty",         "iwb_wires", NULL};
static const char *const gic_versions[] = {"v3", "v4.0", "v4.1", "v5", NULL};
static const gicsim_gic_version gic_version_vals[] = {GICSIM_GICV3, GICSIM_GICV4_0, GICSIM_GICV4_1,
                                                      GICSIM_GICV5};

const char *sc_gic_version_name(gicsim_gic_version v)
{
    for (int i = 0; i < 4; i++)
        if (gic_version_vals[i] == v)
            return gic_versions[i];
    return "?";
}

gicsim_status sc_parse_gic_version(const yt_node *v, const char *path, gicsim_gic_version *out,
                                   gicsim_diag *d)
{
    unsigned idx;
    TRY(yt_get_enum(v, path, gic_versions, &idx, d));
    *out = gic_version_vals[idx];
    return GICSIM_OK;
}

gicsim_status sc_parse_gic(const yt_node *n, const char *path, gicsim_gic_config *cfg,
                           gicsim_diag *d)
{
    char kp[256];
    if (!n)
        return GICSIM_OK;
    TRY(yt_check_map(n, path, gic_keys, d));
    const yt_node *v = yt_map_get(n, "version");
    if (v) {
        yt_path(kp, sizeof kp, path, "version");
        TRY(sc_parse_gic_version(v, kp, &cfg->version, d));
    }
    TRY(yt_opt_u32(n, path, "pes", 1, 4096, &cfg->num_pes, NULL, d));
    TRY(yt_opt_u32(n, path, "spis", 0, GICSIM_SPI_MAX + 1 - GICSIM_SPI_BASE, &cfg->num_spis, NULL,
                   d));
    TRY(yt_opt_u32(n, path, "lrs", 1, 16, &cfg->num_lrs, NULL, d));
    uint32_t pb = cfg->priority_bits;
    TRY(yt_opt_u32(n, path, "priority_bits", 4, 8, &pb, NULL, d));
    cfg->priority_bits = (uint8_t)pb;
    TRY(yt_opt_u32(n, path, "pes_per_cluster", 1, 16, &cfg->pes_per_cluster, NULL, d));
    TRY(yt_opt_bool(n, path, "security_disabled", &cfg->security_disabled, NULL, d));
    TRY(yt_opt_bool(n, path, "one_of_n", &cfg->one_of_n, NULL, d));
    uint32_t lpi_bits = cfg->lpi_id_bits;
    TRY(yt_opt_u32(n, path, "lpi_bits", 14, 20, &lpi_bits, NULL, d));
    cfg->lpi_id_bits = (uint8_t)lpi_bits;
    TRY(yt_opt_bool(n, path, "its", &cfg->its, NULL, d));
    TRY(yt_opt_u32(n, path, "its_cache", 0, 4096, &cfg->its_cache_entries, NULL, d));
    TRY(yt_opt_u32(n, path, "sockets", 1, 4096, &cfg->sockets, NULL, d));
    TRY(yt_opt_bool(n, path, "vpt_dirty", &cfg->vpt_dirty, NULL, d));
    TRY(yt_opt_u32(n, path, "iwb_wires", 0, 1024, &cfg->iwb_wires, NULL, d));
    if (cfg->iwb_wires % 32u) {
        yt_path(kp, sizeof kp, path, "iwb_wires");
        return yt_node_err(d, yt_map_get(n, "iwb_wires"), kp,
                           "%u wires: the IWB has whole groups of 32", (unsigned)cfg->iwb_wires);
    }
    if (cfg->version == GICSIM_GICV5 && cfg->priority_bits > 5) {
        yt_path(kp, sizeof kp, path, "priority_bits");
        return yt_node_err(d, yt_map_get(n, "priority_bits") ? yt_map_get(n, "priority_bits") : n,
                           kp, "a GICv5 has at most 5 priority bits");
    }
    if (cfg->sockets > cfg->num_pes) {
        yt_path(kp, sizeof kp, path, "sockets");
        return yt_node_err(d, yt_map_get(n, "sockets"), kp,
                           "%u sockets for %u PEs: every socket needs a PE", (unsigned)cfg->sockets,
                           (unsigned)cfg->num_pes);
    }
    return GICSIM_OK;
}

/* ---- host ------------------------------------------------------------------------------ */

static const char *const host_keys[] = {"kick_sgi", "tick_ppi", NULL};

gicsim_status sc_parse_host(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    const yt_node *h = yt_map_get(root, "host");
    if (!h)
        return GICSIM_OK;
    TRY(yt_check_map(h, "host", host_keys, d));
    TRY(yt_opt_u32(h, "host", "kick_sgi", 0, 15, &sc->kick_sgi, NULL, d));
    TRY(yt_opt_u32(h, "host", "tick_ppi", 16, 31, &sc->tick_ppi, NULL, d));
    if (sc->tick_ppi == GICSIM_PPI_MAINTENANCE || sc->tick_ppi == 26 ||
        sc->tick_ppi == GICSIM_PPI_VTIMER)
        return yt_node_err(d, yt_map_get(h, "tick_ppi"), "host.tick_ppi",
                           "PPI %u is taken (25: maintenance, 26: host timer, 27: virtual timer)",
                           (unsigned)sc->tick_ppi);
    return GICSIM_OK;
}
