/* gicsim: YAML scenarios and platform presets (see gicsim/scenario.h and
 * docs/scenarios.md for the schema).
 *
 * Loading is three passes over a yaml_tree: parse the file, apply the
 * overrides to the tree (so an override is validated exactly like a key
 * written in the file, and errors in it point into "<override>"), then
 * validate the tree section by section into a gicsim_scenario that holds
 * every value resolved (defaults made explicit). Building and the resolved
 * JSON only read that structure.
 */
#include "yaml_tree.h"

#include <gicsim/hypervisor.h>
#include <gicsim/scenario.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        gicsim_status st_ = (expr);                                                                \
        if (st_ != GICSIM_OK)                                                                      \
            return st_;                                                                            \
    } while (0)

static const char OVERRIDE_FILE[] = "<override>";

/* ---- The scenario ----------------------------------------------------------------- */

enum { ARR_PERIODIC, ARR_POISSON, ARR_BURST, ARR_MANUAL, ARR_TRACE };
static const char *const arrival_names[] = {"periodic", "poisson", "burst",
                                            "manual",   "trace",   NULL};
/* Indexed by gicsim_source_kind. */
static const char *const kind_names[] = {"spi-edge", "spi-level",  "vtimer", "sgi",
                                         "msi",      "host-timer", NULL};
static const char *const output_kinds[] = {"json", "csv", "perfetto", "vcd", "cdf", NULL};
#define N_OUTPUTS 5

typedef struct sc_vm {
    char *name;
    char *policy;
    gicsim_vm_config cfg; /* cfg.policy points to policy */
    unsigned line, col;
} sc_vm;

typedef struct sc_source {
    char *name;
    unsigned arrival; /* ARR_* */
    char *trace;      /* ARR_TRACE: resolved path */
    bool seed_set;
    gicsim_source_config cfg; /* arrival MANUAL for trace sources; seed resolved */
    unsigned line, col;
} sc_source;

struct gicsim_scenario {
    char *file;
    char *name, *description;
    sc_platform plat;
    bool ovr_vhe, ovr_clock[GICSIM_CLK__COUNT], ovr_cost[GICSIM_COST__COUNT];
    gicsim_gic_config gic;
    uint32_t kick_sgi, tick_ppi;
    sc_vm *vms;
    size_t n_vms;
    sc_source *src;
    size_t n_src;
    gicsim_time_t duration;
    uint64_t seed;
    char **policies;
    size_t n_policies;
    char *outputs[N_OUTPUTS];
    bool mb; /* a micro-bench scenario (top-level `microbench`) */
    gicsim_mb_test mb_tests[GICSIM_MB__COUNT];
    size_t mb_n;
    uint32_t mb_iterations;
};

static char *dupstr(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void sc_platform_free(sc_platform *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->file);
    free(p->description);
    free(p->reference);
    memset(p, 0, sizeof *p);
}

void gicsim_scenario_free(gicsim_scenario *sc)
{
    if (!sc)
        return;
    free(sc->file);
    free(sc->name);
    free(sc->description);
    sc_platform_free(&sc->plat);
    for (size_t i = 0; i < sc->n_vms; i++) {
        free(sc->vms[i].name);
        free(sc->vms[i].policy);
    }
    free(sc->vms);
    for (size_t i = 0; i < sc->n_src; i++) {
        free(sc->src[i].name);
        free(sc->src[i].trace);
    }
    free(sc->src);
    free_strv(sc->policies, sc->n_policies);
    for (int i = 0; i < N_OUTPUTS; i++)
        free(sc->outputs[i]);
    free(sc);
}

/* ---- Small helpers ------------------------------------------------------------------ */

static gicsim_status nomem(gicsim_diag *d)
{
    return yt_diag(d, GICSIM_E_NOMEM, "", 0, 0, "", "out of memory");
}

static gicsim_status node_err(gicsim_diag *d, const yt_node *n, const char *key, const char *fmt,
                              ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static gicsim_status node_err(gicsim_diag *d, const yt_node *n, const char *key, const char *fmt,
                              ...)
{
    va_list ap;
    va_start(ap, fmt);
    yt_vdiag(d, GICSIM_E_INVAL, n->file, n->line, n->col, key, fmt, ap);
    va_end(ap);
    return GICSIM_E_INVAL;
}

/* "missing required key" at the mapping that lacks it. */
static gicsim_status missing(gicsim_diag *d, const yt_node *map, const char *path, const char *key)
{
    char kp[256];
    yt_path(kp, sizeof kp, path, key);
    return yt_diag(d, GICSIM_E_INVAL, map->file, map->line, map->col, kp,
                   "missing required key \"%s\"", key);
}

/* An error about a key that is present but not allowed in this context. */
static gicsim_status not_here(gicsim_diag *d, const yt_node *map, const char *path, const char *key,
                              const char *why)
{
    const yt_pair *p = yt_map_find(map, key);
    char kp[256];
    yt_path(kp, sizeof kp, path, key);
    if (!p)
        return yt_diag(d, GICSIM_E_INVAL, "", 0, 0, kp, "\"%s\" %s", key, why);
    return yt_diag(d, GICSIM_E_INVAL, p->file, p->line, p->col, kp, "\"%s\" %s", key, why);
}

static gicsim_status opt_u64(const yt_node *map, const char *path, const char *key, uint64_t min,
                             uint64_t max, uint64_t *out, bool *present, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = yt_map_get(map, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return GICSIM_OK;
    yt_path(kp, sizeof kp, path, key);
    return yt_get_u64(v, kp, min, max, out, d);
}

static gicsim_status opt_u32(const yt_node *map, const char *path, const char *key, uint64_t min,
                             uint64_t max, uint32_t *out, bool *present, gicsim_diag *d)
{
    uint64_t v = *out;
    TRY(opt_u64(map, path, key, min, max, &v, present, d));
    *out = (uint32_t)v;
    return GICSIM_OK;
}

static gicsim_status opt_bool(const yt_node *map, const char *path, const char *key, bool *out,
                              bool *present, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = yt_map_get(map, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return GICSIM_OK;
    yt_path(kp, sizeof kp, path, key);
    return yt_get_bool(v, kp, out, d);
}

static gicsim_status opt_time(const yt_node *map, const char *path, const char *key,
                              gicsim_time_t *out, bool *present, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = yt_map_get(map, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return GICSIM_OK;
    yt_path(kp, sizeof kp, path, key);
    return yt_get_time(v, kp, out, d);
}

/* A string value copied into *out (replacing it). */
static gicsim_status opt_strdup(const yt_node *map, const char *path, const char *key,
                                bool nonempty, char **out, gicsim_diag *d)
{
    char kp[256];
    const yt_node *v = yt_map_get(map, key);
    const char *s;
    if (!v)
        return GICSIM_OK;
    yt_path(kp, sizeof kp, path, key);
    TRY(yt_get_str(v, kp, &s, d));
    if (nonempty && !*s)
        return node_err(d, v, kp, "must not be empty");
    char *c = dupstr(s);
    if (!c)
        return nomem(d);
    free(*out);
    *out = c;
    return GICSIM_OK;
}

static gicsim_status strv_from_seq(const yt_node *seq, const char *path, char ***out, size_t *n,
                                   gicsim_diag *d)
{
    TRY(yt_check_seq(seq, path, d));
    size_t cnt = seq->kind == YT_SEQ ? seq->n : 0;
    char **v = calloc(cnt ? cnt : 1, sizeof *v);
    if (!v)
        return nomem(d);
    for (size_t i = 0; i < cnt; i++) {
        char kp[256];
        const char *s;
        yt_path_index(kp, sizeof kp, path, i);
        gicsim_status st = yt_get_str(seq->items[i], kp, &s, d);
        if (st == GICSIM_OK && !(v[i] = dupstr(s)))
            st = nomem(d);
        if (st != GICSIM_OK) {
            free_strv(v, cnt);
            return st;
        }
    }
    free_strv(*out, *n);
    *out = v;
    *n = cnt;
    return GICSIM_OK;
}

static char *dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash)
        return dupstr(".");
    if (slash == file)
        return dupstr("/");
    size_t n = (size_t)(slash - file);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, file, n);
        d[n] = '\0';
    }
    return d;
}

/* `rel` relative to the directory of `file` (unchanged when absolute, or
 * when `file` has no directory part). */
static char *resolve_rel(const char *file, const char *rel)
{
    if (rel[0] == '/' || !strchr(file, '/'))
        return dupstr(rel);
    char *dir = dir_of(file);
    if (!dir)
        return NULL;
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", strcmp(dir, "/") ? dir : "", rel);
    free(dir);
    return p;
}

static void policy_list(char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < gicsim_hyp_policy_count(); i++) {
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "%s%s", i ? ", " : "", gicsim_hyp_policy_at(i)->name);
    }
}

static gicsim_status check_policy(const yt_node *n, const char *key, const char **name,
                                  gicsim_diag *d)
{
    TRY(yt_get_str(n, key, name, d));
    if (!gicsim_hyp_policy_find(*name)) {
        char list[300];
        policy_list(list, sizeof list);
        return node_err(d, n, key, "unknown policy \"%.80s\" (known: %s)", *name, list);
    }
    return GICSIM_OK;
}

/* ---- Platform presets ----------------------------------------------------------------- */

static const char *const platform_keys[] = {"name",     "description", "vhe",      "clocks",
                                            "costs",    "reference",   "measured", "fitted",
                                            "predicts", NULL};
static const char *const override_keys[] = {"vhe", "clocks", "costs", NULL};

/* vhe, clocks and costs of a preset or of platform_overrides. `set_*` (may be
 * NULL) record which values the mapping sets. */
static gicsim_status apply_platform_keys(const yt_node *map, const char *path, bool *vhe,
                                         gicsim_timing *t, bool *set_vhe, bool *set_clock,
                                         bool *set_cost, gicsim_diag *d)
{
    char kp[256], sub[256];
    bool present;
    TRY(opt_bool(map, path, "vhe", vhe, &present, d));
    if (set_vhe && present)
        *set_vhe = true;

    const yt_node *clocks = yt_map_get(map, "clocks");
    if (clocks) {
        static const char *const clock_keys[] = {"cpu", "gic", NULL};
        yt_path(kp, sizeof kp, path, "clocks");
        TRY(yt_check_map(clocks, kp, clock_keys, d));
        for (size_t i = 0; clocks->kind == YT_MAP && i < clocks->n; i++) {
            gicsim_clock_domain dom;
            yt_path(sub, sizeof sub, kp, clocks->pairs[i].key);
            if (gicsim_clock_lookup(clocks->pairs[i].key, &dom) != GICSIM_OK)
                return node_err(d, clocks, sub, "unknown clock");
            TRY(yt_get_hz(clocks->pairs[i].value, sub, &t->clock_hz[dom], d));
            if (set_clock)
                set_clock[dom] = true;
        }
    }

    const yt_node *costs = yt_map_get(map, "costs");
    if (costs) {
        yt_path(kp, sizeof kp, path, "costs");
        if (!yt_is_null(costs) && costs->kind != YT_MAP)
            return node_err(d, costs, kp,
                            "expected a mapping of cost names to cycle counts, "
                            "got %s",
                            yt_type_name(costs));
        for (size_t i = 0; costs->kind == YT_MAP && i < costs->n; i++) {
            const yt_pair *p = &costs->pairs[i];
            gicsim_cost_id id;
            yt_path(sub, sizeof sub, kp, p->key);
            if (gicsim_cost_lookup(p->key, &id) != GICSIM_OK)
                return yt_diag(d, GICSIM_E_INVAL, p->file, p->line, p->col, sub,
                               "unknown cost \"%.80s\" (the names are those of "
                               "GICSIM_COST_LIST, see docs/scenarios.md)",
                               p->key);
            TRY(yt_get_u64(p->value, sub, 0, UINT64_MAX / 2, &t->cycles[id], d));
            if (set_cost)
                set_cost[id] = true;
        }
    }
    return GICSIM_OK;
}

static bool valid_platform_name(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static gicsim_status load_preset_file(const char *path, const char *name, sc_platform *out,
                                      gicsim_diag *d)
{
    char *text;
    size_t len;
    yt_node *root = NULL;
    sc_platform p;
    memset(&p, 0, sizeof p);
    gicsim_timing_init(&p.timing);
    p.vhe = true;
    if (!(p.file = dupstr(path)))
        return nomem(d);
    gicsim_status st = yt_read_file(path, &text, &len, d);
    if (st != GICSIM_OK) {
        sc_platform_free(&p);
        return st;
    }
    st = yt_parse(text, len, p.file, 0, 0, &root, d);
    free(text);
    if (st != GICSIM_OK)
        goto out;
    if (!root || yt_is_null(root)) {
        st = yt_diag(d, GICSIM_E_INVAL, p.file, 1, 1, "",
                     "the platform preset is empty: expected a mapping with at least \"name\"");
        goto out;
    }
    if (root->kind != YT_MAP) {
        st = node_err(d, root, "", "a platform preset must be a mapping, got %s",
                      yt_type_name(root));
        goto out;
    }
    if ((st = yt_check_map(root, "", platform_keys, d)) != GICSIM_OK)
        goto out;
    const yt_node *nn = yt_map_get(root, "name");
    if (!nn) {
        st = missing(d, root, "", "name");
        goto out;
    }
    const char *pname;
    if ((st = yt_get_str(nn, "name", &pname, d)) != GICSIM_OK)
        goto out;
    if (strcmp(pname, name) != 0) {
        st = node_err(d, nn, "name",
                      "preset name \"%.80s\" does not match its file name \"%.80s.yaml\"", pname,
                      name);
        goto out;
    }
    if (!(p.name = dupstr(pname))) {
        st = nomem(d);
        goto out;
    }
    if ((st = opt_strdup(root, "", "description", false, &p.description, d)) != GICSIM_OK ||
        (st = apply_platform_keys(root, "", &p.vhe, &p.timing, NULL, NULL, NULL, d)) != GICSIM_OK)
        goto out;
    st = sc_platform_parse_calibration(root, &p, d);
out:
    yt_free(root);
    if (st != GICSIM_OK) {
        sc_platform_free(&p);
        return st;
    }
    *out = p;
    return GICSIM_OK;
}

static bool file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fclose(f);
    return true;
}

/* Try dir/<name>.yaml; *found set when the file exists. */
static gicsim_status try_dir(const char *dir, size_t dlen, const char *name, sc_platform *out,
                             bool *found, char *searched, size_t ssize, gicsim_diag *d)
{
    size_t n = dlen + strlen(name) + 7;
    char *path = malloc(n);
    if (!path)
        return nomem(d);
    snprintf(path, n, "%.*s/%s.yaml", (int)dlen, dir, name);
    size_t l = strlen(searched);
    snprintf(searched + l, ssize - l, "%s%.*s", l ? ", " : "", (int)dlen, dir);
    gicsim_status st = GICSIM_OK;
    *found = file_exists(path);
    if (*found)
        st = load_preset_file(path, name, out, d);
    free(path);
    return st;
}

gicsim_status sc_platform_load(const char *name, const char *ref_file, const yt_node *at,
                               const char *key, sc_platform *out, gicsim_diag *d)
{
    /* 1. ../platforms next to the referencing file. */
    char *dir = dir_of(ref_file);
    if (!dir)
        return nomem(d);
    size_t n = strlen(dir) + 16;
    char *rel = malloc(n);
    if (!rel) {
        free(dir);
        return nomem(d);
    }
    snprintf(rel, n, "%s/../platforms", dir);
    free(dir);
    gicsim_status st = sc_platform_find(name, rel, at, key, out, d);
    free(rel);
    return st;
}

/* An unknown or invalid preset name: at the naming node, or (no node: the
 * library API) without a position. */
static gicsim_status name_err(gicsim_diag *d, const yt_node *at, const char *key, gicsim_status st,
                              const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static gicsim_status name_err(gicsim_diag *d, const yt_node *at, const char *key, gicsim_status st,
                              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (at)
        yt_vdiag(d, GICSIM_E_INVAL, at->file, at->line, at->col, key, fmt, ap);
    else
        yt_vdiag(d, st, "", 0, 0, key, fmt, ap);
    va_end(ap);
    return at ? GICSIM_E_INVAL : st;
}

gicsim_status sc_platform_find(const char *name, const char *first_dir, const yt_node *at,
                               const char *key, sc_platform *out, gicsim_diag *d)
{
    char searched[400] = "";
    bool found = false;
    gicsim_status st;
    if (!valid_platform_name(name))
        return name_err(d, at, key, GICSIM_E_INVAL,
                        "invalid platform name \"%.80s\": a preset name (letters, digits, "
                        "'-', '_', '.'), not a path",
                        name);
    /* 1. The caller's directory. */
    if (first_dir) {
        st = try_dir(first_dir, strlen(first_dir), name, out, &found, searched, sizeof searched, d);
        if (st != GICSIM_OK || found)
            return st;
    }
    /* 2. $GICSIM_PLATFORM_PATH. */
    const char *env = getenv("GICSIM_PLATFORM_PATH");
    while (env && *env) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        if (len) {
            st = try_dir(env, len, name, out, &found, searched, sizeof searched, d);
            if (st != GICSIM_OK || found)
                return st;
        }
        env = colon ? colon + 1 : NULL;
    }
    /* 3. The installed presets, 4. the source tree's. */
#ifdef GICSIM_PLATFORM_DIR
    st = try_dir(GICSIM_PLATFORM_DIR, strlen(GICSIM_PLATFORM_DIR), name, out, &found, searched,
                 sizeof searched, d);
    if (st != GICSIM_OK || found)
        return st;
#endif
#ifdef GICSIM_SOURCE_PLATFORM_DIR
    st = try_dir(GICSIM_SOURCE_PLATFORM_DIR, strlen(GICSIM_SOURCE_PLATFORM_DIR), name, out, &found,
                 searched, sizeof searched, d);
    if (st != GICSIM_OK || found)
        return st;
#endif
    return name_err(d, at, key, GICSIM_E_NOTFOUND,
                    "unknown platform \"%.80s\": no %.80s.yaml in %s", name, name, searched);
}

gicsim_status sc_platform_load_file(const char *path, sc_platform *out, gicsim_diag *diag)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n <= 5 || strcmp(base + n - 5, ".yaml") != 0)
        return yt_diag(diag, GICSIM_E_INVAL, path, 0, 0, "",
                       "a platform preset file is named <name>.yaml");
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n - 5 < 255 ? n - 5 : 255), base);
    return load_preset_file(path, name, out, diag);
}

gicsim_status gicsim_platform_check(const char *path, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!path)
        return yt_diag(diag, GICSIM_E_INVAL, "", 0, 0, "", "no path");
    sc_platform p;
    memset(&p, 0, sizeof p);
    TRY(sc_platform_load_file(path, &p, diag));
    sc_platform_free(&p);
    return GICSIM_OK;
}

/* ---- gic ------------------------------------------------------------------------------ */

static const char *const gic_keys[] = {
    "version",           "pes",      "spis",     "lrs", "priority_bits", "pes_per_cluster",
    "security_disabled", "one_of_n", "lpi_bits", "its", "its_cache",     NULL};
static const char *const gic_versions[] = {"v3", "v4.0", "v4.1", NULL};
static const gicsim_gic_version gic_version_vals[] = {GICSIM_GICV3, GICSIM_GICV4_0, GICSIM_GICV4_1};

const char *sc_gic_version_name(gicsim_gic_version v)
{
    for (int i = 0; i < 3; i++)
        if (gic_version_vals[i] == v)
            return gic_versions[i];
    return "?";
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
        unsigned idx;
        yt_path(kp, sizeof kp, path, "version");
        TRY(yt_get_enum(v, kp, gic_versions, &idx, d));
        cfg->version = gic_version_vals[idx];
    }
    TRY(opt_u32(n, path, "pes", 1, 4096, &cfg->num_pes, NULL, d));
    TRY(opt_u32(n, path, "spis", 0, GICSIM_SPI_MAX + 1 - GICSIM_SPI_BASE, &cfg->num_spis, NULL, d));
    TRY(opt_u32(n, path, "lrs", 1, 16, &cfg->num_lrs, NULL, d));
    uint32_t pb = cfg->priority_bits;
    TRY(opt_u32(n, path, "priority_bits", 4, 8, &pb, NULL, d));
    cfg->priority_bits = (uint8_t)pb;
    TRY(opt_u32(n, path, "pes_per_cluster", 1, 16, &cfg->pes_per_cluster, NULL, d));
    TRY(opt_bool(n, path, "security_disabled", &cfg->security_disabled, NULL, d));
    TRY(opt_bool(n, path, "one_of_n", &cfg->one_of_n, NULL, d));
    uint32_t lpi_bits = cfg->lpi_id_bits;
    TRY(opt_u32(n, path, "lpi_bits", 14, 20, &lpi_bits, NULL, d));
    cfg->lpi_id_bits = (uint8_t)lpi_bits;
    TRY(opt_bool(n, path, "its", &cfg->its, NULL, d));
    TRY(opt_u32(n, path, "its_cache", 0, 4096, &cfg->its_cache_entries, NULL, d));
    return GICSIM_OK;
}

/* ---- Overrides ------------------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Turn a null scalar into an empty container in place. */
static void make_container(yt_node *n, yt_kind kind)
{
    free(n->str);
    n->str = NULL;
    n->kind = kind;
}

static gicsim_status apply_override(yt_node *root, const char *o, unsigned idx, gicsim_diag *d)
{
    const unsigned line = idx + 1;
    const char *eq = strchr(o, '=');
    if (!eq || eq == o)
        return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, 1, "",
                       "bad override \"%.200s\": expected key.path=value", o);
    size_t plen = (size_t)(eq - o);
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)(plen < 255 ? plen : 255), o);
    for (size_t i = 0; i < plen; i++) {
        char c = o[i];
        bool bad_dot = c == '.' && (i == 0 || o[i - 1] == '.' || i + 1 == plen);
        if (bad_dot || c == ' ' || c == '\t')
            return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, (unsigned)i + 1, path,
                           "bad override \"%.200s\": the key path must be dot-separated names "
                           "and list indices, without spaces or empty parts",
                           o);
    }
    /* The value: a YAML document of its own (a scalar, or a flow list/mapping). */
    const char *val = eq + 1;
    unsigned vcol = (unsigned)(val - o);
    yt_node *value = NULL;
    gicsim_status st = yt_parse(val, strlen(val), OVERRIDE_FILE, idx, vcol, &value, d);
    if (st != GICSIM_OK) {
        if (st == GICSIM_E_PARSE && d) {
            char msg[sizeof d->message];
            snprintf(msg, sizeof msg, "bad override value: %.480s", d->message);
            memcpy(d->message, msg, sizeof msg);
            snprintf(d->key, sizeof d->key, "%s", path);
            if (d->line != line) { /* at the end of the text */
                d->line = line;
                d->column = (unsigned)strlen(o) + 1;
            }
        }
        return st == GICSIM_E_NOMEM ? st : GICSIM_E_INVAL;
    }
    if (!value) {
        value = yt_new(YT_SCALAR, OVERRIDE_FILE, line, vcol + 1);
        if (!value || !(value->str = dupstr(""))) {
            yt_free(value);
            return nomem(d);
        }
    }
    /* Walk the path, creating what is missing. */
    yt_node *cur = root;
    const char *seg = o;
    for (;;) {
        const char *dot = memchr(seg, '.', (size_t)(eq - seg));
        size_t slen = dot ? (size_t)(dot - seg) : (size_t)(eq - seg);
        bool last = !dot;
        unsigned scol = (unsigned)(seg - o) + 1;
        char prefix[256];
        snprintf(prefix, sizeof prefix, "%.*s", (int)((size_t)(seg - o) + slen), o);
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(slen < 127 ? slen : 127), seg);
        const char *next = last ? NULL : dot + 1;
        size_t nlen = 0;
        if (next) {
            const char *nd = memchr(next, '.', (size_t)(eq - next));
            nlen = nd ? (size_t)(nd - next) : (size_t)(eq - next);
        }
        yt_kind want = next && all_digits(next, nlen) ? YT_SEQ : YT_MAP;
        char parent[256]; /* the path up to the container that holds this segment */
        snprintf(parent, sizeof parent, "%.*s", (int)(seg > o ? seg - o - 1 : 0), o);
        if (yt_is_null(cur))
            make_container(cur, slen && all_digits(seg, slen) ? YT_SEQ : YT_MAP);
        if (cur->kind == YT_MAP) {
            yt_pair *p = yt_map_find(cur, key);
            if (last) {
                if (p) {
                    yt_free(p->value);
                    p->value = value;
                } else if (!yt_map_add(cur, key, line, scol, value)) {
                    yt_free(value);
                    return nomem(d);
                }
                return GICSIM_OK;
            }
            if (!p) {
                yt_node *c = yt_new(want, OVERRIDE_FILE, line, scol);
                if (!c || !(p = yt_map_add(cur, key, line, scol, c))) {
                    yt_free(c);
                    yt_free(value);
                    return nomem(d);
                }
            }
            cur = p->value;
        } else if (cur->kind == YT_SEQ) {
            if (!all_digits(seg, slen)) {
                yt_free(value);
                return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, scol, prefix,
                               "bad override: \"%s\" is a list: address its elements by index, "
                               "not \"%s\"",
                               parent, key);
            }
            unsigned long long i = strtoull(key, NULL, 10);
            if (i > cur->n) {
                yt_free(value);
                return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, scol, prefix,
                               "bad override: index %llu is past the end of the list "
                               "(%zu elements; index %zu appends)",
                               i, cur->n, cur->n);
            }
            if (i == cur->n) {
                yt_node *c = last ? value : yt_new(want, OVERRIDE_FILE, line, scol);
                if (!c || !yt_seq_push(cur, c)) {
                    if (c != value)
                        yt_free(c);
                    yt_free(value);
                    return nomem(d);
                }
                if (last)
                    return GICSIM_OK;
                cur = c;
            } else if (last) {
                yt_free(cur->items[i]);
                cur->items[i] = value;
                return GICSIM_OK;
            } else {
                cur = cur->items[i];
            }
        } else {
            yt_free(value);
            return yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, line, scol, prefix,
                           "bad override: \"%s\" holds a value, not a mapping or list", parent);
        }
        seg = next;
    }
}

/* ---- Scenario validation ----------------------------------------------------------------- */

static const char *const top_keys[] = {"name", "description", "platform",   "platform_overrides",
                                       "gic",  "host",        "vms",        "sources",
                                       "run",  "outputs",     "microbench", NULL};
/* A micro-bench scenario has only these. */
static const char *const mb_top_keys[] = {
    "name", "description", "platform", "platform_overrides", "microbench", NULL};
static const char *const vm_keys[] = {"name",      "vcpus",  "policy",        "wfi",
                                      "halt_poll", "guest",  "guest_eoimode", "nested",
                                      "pes",       "pinned", "time_slice",    NULL};
static const char *const source_keys[] = {
    "name",     "kind",      "vm",       "vcpu",        "sender_vcpu", "intid",
    "route_pe", "priority",  "handler",  "deassert_at", "hold",        "reply",
    "arrival",  "device_id", "event_id", "pe",          NULL};
static const char *const arrival_keys[] = {"kind",  "period", "burst", "spacing", "start",
                                           "limit", "seed",   "file",  NULL};
static const char *const run_keys[] = {"duration", "seed", "policies", NULL};
static const char *const host_keys[] = {"kick_sgi", "tick_ppi", NULL};

static gicsim_status parse_host(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    const yt_node *h = yt_map_get(root, "host");
    if (!h)
        return GICSIM_OK;
    TRY(yt_check_map(h, "host", host_keys, d));
    TRY(opt_u32(h, "host", "kick_sgi", 0, 15, &sc->kick_sgi, NULL, d));
    TRY(opt_u32(h, "host", "tick_ppi", 16, 31, &sc->tick_ppi, NULL, d));
    if (sc->tick_ppi == GICSIM_PPI_MAINTENANCE || sc->tick_ppi == 26 ||
        sc->tick_ppi == GICSIM_PPI_VTIMER)
        return node_err(d, yt_map_get(h, "tick_ppi"), "host.tick_ppi",
                        "PPI %u is taken (25: maintenance, 26: host timer, 27: virtual timer)",
                        (unsigned)sc->tick_ppi);
    return GICSIM_OK;
}

static gicsim_status parse_platform(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    const yt_node *pn = yt_map_get(root, "platform");
    const char *name = "generic";
    if (pn)
        TRY(yt_get_str(pn, "platform", &name, d));
    TRY(sc_platform_load(name, sc->file, pn ? pn : root, "platform", &sc->plat, d));
    const yt_node *po = yt_map_get(root, "platform_overrides");
    if (po) {
        TRY(yt_check_map(po, "platform_overrides", override_keys, d));
        TRY(apply_platform_keys(po, "platform_overrides", &sc->plat.vhe, &sc->plat.timing,
                                &sc->ovr_vhe, sc->ovr_clock, sc->ovr_cost, d));
    }
    return GICSIM_OK;
}

static gicsim_status parse_vm(gicsim_scenario *sc, const yt_node *n, size_t i, gicsim_diag *d)
{
    char path[64], kp[256];
    snprintf(path, sizeof path, "vms.%zu", i);
    sc_vm *vm = &sc->vms[i];
    gicsim_vm_config_init(&vm->cfg);
    vm->line = n->line;
    vm->col = n->col;
    if (n->kind != YT_MAP)
        return node_err(d, n, path, "expected a mapping (a VM), got %s", yt_type_name(n));
    TRY(yt_check_map(n, path, vm_keys, d));
    const yt_node *nn = yt_map_get(n, "name");
    if (!nn)
        return missing(d, n, path, "name");
    TRY(opt_strdup(n, path, "name", true, &vm->name, d));
    for (size_t k = 0; k < i; k++)
        if (strcmp(sc->vms[k].name, vm->name) == 0) {
            yt_path(kp, sizeof kp, path, "name");
            return node_err(d, nn, kp, "duplicate VM name \"%.80s\" (also vms.%zu)", vm->name, k);
        }
    TRY(opt_u32(n, path, "vcpus", 1, 256, &vm->cfg.num_vcpus, NULL, d));
    const char *pol = vm->cfg.policy;
    const yt_node *pn = yt_map_get(n, "policy");
    if (pn) {
        yt_path(kp, sizeof kp, path, "policy");
        TRY(check_policy(pn, kp, &pol, d));
    }
    if (!(vm->policy = dupstr(pol)))
        return nomem(d);
    vm->cfg.policy = vm->policy;
    const yt_node *v;
    unsigned e;
    static const char *const wfi_names[] = {"trap", "native", NULL};
    static const char *const guest_names[] = {"idle", "busy", NULL};
    if ((v = yt_map_get(n, "wfi"))) {
        yt_path(kp, sizeof kp, path, "wfi");
        TRY(yt_get_enum(v, kp, wfi_names, &e, d));
        vm->cfg.wfi_trap = e == 0;
    }
    bool has_poll;
    TRY(opt_time(n, path, "halt_poll", &vm->cfg.halt_poll, &has_poll, d));
    if (has_poll && vm->cfg.halt_poll && !vm->cfg.wfi_trap)
        return not_here(d, n, path, "halt_poll",
                        "needs wfi: trap (a WFI that does not trap "
                        "never reaches the hypervisor's poll)");
    if ((v = yt_map_get(n, "guest"))) {
        yt_path(kp, sizeof kp, path, "guest");
        TRY(yt_get_enum(v, kp, guest_names, &e, d));
        vm->cfg.guest_busy = e == 1;
    }
    uint32_t eoim = vm->cfg.guest_eoimode;
    TRY(opt_u32(n, path, "guest_eoimode", 0, 1, &eoim, NULL, d));
    vm->cfg.guest_eoimode = (uint8_t)eoim;
    TRY(opt_bool(n, path, "nested", &vm->cfg.guest_nested, NULL, d));
    TRY(opt_bool(n, path, "pinned", &vm->cfg.pinned, NULL, d));
    bool has_slice;
    TRY(opt_time(n, path, "time_slice", &vm->cfg.time_slice, &has_slice, d));
    if (has_slice && vm->cfg.time_slice == 0) {
        yt_path(kp, sizeof kp, path, "time_slice");
        return node_err(d, yt_map_get(n, "time_slice"), kp, "must be greater than 0");
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
        TRY(opt_u32(pes, pp, "first", 0, UINT32_MAX, &vm->cfg.pe_first, NULL, d));
        if (f && vm->cfg.pe_first >= npes) {
            yt_path(kp, sizeof kp, pp, "first");
            return node_err(d, f, kp, "PE %u does not exist (gic.pes is %u: PEs 0..%u)",
                            (unsigned)vm->cfg.pe_first, (unsigned)npes, (unsigned)npes - 1);
        }
        const yt_node *c = yt_map_get(pes, "count");
        TRY(opt_u32(pes, pp, "count", 1, UINT32_MAX, &count, NULL, d));
        if (c && count > npes - vm->cfg.pe_first) {
            yt_path(kp, sizeof kp, pp, "count");
            return node_err(d, c, kp,
                            "%u PEs from PE %u is past the last PE (gic.pes is %u: at most %u)",
                            (unsigned)count, (unsigned)vm->cfg.pe_first, (unsigned)npes,
                            (unsigned)(npes - vm->cfg.pe_first));
        }
    }
    vm->cfg.pe_count = count ? count : npes - vm->cfg.pe_first;
    return GICSIM_OK;
}

/* Whether the GIC can run `p`: direct injection needs GICv4.0 and an ITS,
 * direct vSGIs GICv4.1. NULL when it can, else the reason. */
static const char *policy_unsupported(const gicsim_gic_config *g, const gicsim_hyp_policy *p)
{
    if ((p->direct_msi || p->direct_timer) && (g->version < GICSIM_GICV4_0 || !g->its))
        return "needs gic.version v4.0 or later and an ITS";
    if (p->direct_sgi && g->version < GICSIM_GICV4_1)
        return "needs gic.version v4.1";
    return NULL;
}

/* VMs that share a PE must agree on the host's EOImode (their policies'),
 * and every policy must be one the GIC supports. */
static gicsim_status check_eoimodes(gicsim_scenario *sc, const yt_node *vms, gicsim_diag *d)
{
    for (size_t i = 0; i < sc->n_vms; i++) {
        const gicsim_vm_config *a = &sc->vms[i].cfg;
        const gicsim_hyp_policy *pa = gicsim_hyp_policy_find(a->policy);
        const char *why = policy_unsupported(&sc->gic, pa);
        if (why) {
            char kp[64];
            const yt_node *vn = vms->items[i];
            const yt_node *pn = yt_map_get(vn, "policy");
            snprintf(kp, sizeof kp, "vms.%zu.policy", i);
            return node_err(d, pn ? pn : vn, kp, "policy \"%s\" %s", pa->name, why);
        }
        for (size_t k = 0; k < i; k++) {
            const gicsim_vm_config *b = &sc->vms[k].cfg;
            const gicsim_hyp_policy *pb = gicsim_hyp_policy_find(b->policy);
            bool overlap =
                a->pe_first < b->pe_first + b->pe_count && b->pe_first < a->pe_first + a->pe_count;
            if (!overlap || pa->host_eoimode == pb->host_eoimode)
                continue;
            char kp[64];
            const yt_node *vn = vms->items[i];
            const yt_node *pn = yt_map_get(vn, "policy");
            snprintf(kp, sizeof kp, "vms.%zu.policy", i);
            return node_err(d, pn ? pn : vn, kp,
                            "policy \"%s\" runs the host with EOImode=%d, but VM \"%s\" "
                            "(policy \"%s\", EOImode=%d) shares PEs with it: VMs on the same "
                            "PE need policies with the same host EOImode",
                            pa->name, pa->host_eoimode ? 1 : 0, sc->vms[k].name, pb->name,
                            pb->host_eoimode ? 1 : 0);
        }
    }
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
            TRY(yt_get_enum(k, kp, arrival_names, &so->arrival, d));
        }
    }
    const unsigned ak = so->arrival;
    const bool timed = ak == ARR_PERIODIC || ak == ARR_POISSON || ak == ARR_BURST;
    static const char *const timed_only[] = {"period", "start", "limit", NULL};
    for (int i = 0; !timed && timed_only[i]; i++)
        if (yt_map_get(a, timed_only[i]))
            return not_here(d, a, ap, timed_only[i],
                            "only applies to arrival kinds periodic, poisson and burst");
    if (ak != ARR_BURST) {
        if (yt_map_get(a, "burst"))
            return not_here(d, a, ap, "burst", "only applies to arrival kind burst");
        if (yt_map_get(a, "spacing"))
            return not_here(d, a, ap, "spacing", "only applies to arrival kind burst");
    }
    if (ak != ARR_POISSON && yt_map_get(a, "seed"))
        return not_here(d, a, ap, "seed", "only applies to arrival kind poisson");
    if (ak != ARR_TRACE && yt_map_get(a, "file"))
        return not_here(d, a, ap, "file", "only applies to arrival kind trace");
    if (!timed && c->kind == GICSIM_SRC_VTIMER) {
        yt_path(kp, sizeof kp, ap, "kind");
        return node_err(d, yt_map_get(a, "kind"), kp,
                        "a vtimer source fires at its timer deadlines: its arrivals must be "
                        "periodic, poisson or burst");
    }

    bool has;
    TRY(opt_time(a, ap, "period", &c->period, &has, d));
    if (has && c->period == 0) {
        yt_path(kp, sizeof kp, ap, "period");
        return node_err(d, yt_map_get(a, "period"), kp, "must be greater than 0");
    }
    if (ak == ARR_BURST) {
        if (!yt_map_get(a, "burst"))
            return missing(d, a, ap, "burst");
        if (!yt_map_get(a, "spacing"))
            return missing(d, a, ap, "spacing");
        TRY(opt_u32(a, ap, "burst", 1, UINT32_MAX, &c->burst, NULL, d));
        TRY(opt_time(a, ap, "spacing", &c->burst_spacing, NULL, d));
        if (c->burst_spacing == 0) {
            yt_path(kp, sizeof kp, ap, "spacing");
            return node_err(d, yt_map_get(a, "spacing"), kp, "must be greater than 0");
        }
    }
    TRY(opt_time(a, ap, "start", &c->start, &has, d));
    if (!has && timed)
        c->start = c->period; /* the system's default: one period after time 0 */
    TRY(opt_u64(a, ap, "limit", 0, UINT64_MAX, &c->limit, NULL, d));
    TRY(opt_u64(a, ap, "seed", 0, UINT64_MAX, &c->seed, &so->seed_set, d));
    if (!so->seed_set)
        c->seed = sc->seed;
    if (ak == ARR_TRACE) {
        const yt_node *f = yt_map_get(a, "file");
        if (!f)
            return missing(d, a, ap, "file");
        const char *s;
        yt_path(kp, sizeof kp, ap, "file");
        TRY(yt_get_str(f, kp, &s, d));
        if (!*s)
            return node_err(d, f, kp, "must not be empty");
        if (!(so->trace = resolve_rel(sc->file, s)))
            return nomem(d);
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
        "deassert_at", "hold", "reply",       "device_id", "event_id", NULL};
    for (int k = 0; guest_keys[k]; k++)
        if (yt_map_get(n, guest_keys[k]))
            return not_here(d, n, path, guest_keys[k],
                            "does not apply to kind host-timer (the host's own timer has no VM, "
                            "vCPU, guest priority or guest handler; its PE is \"pe\")");
    const yt_node *pn = yt_map_get(n, "pe");
    if (!pn)
        return missing(d, n, path, "pe");
    gicsim_source_config *c = &so->cfg;
    TRY(opt_u32(n, path, "pe", 0, UINT32_MAX, &c->route_pe, NULL, d));
    if (c->route_pe >= sc->gic.num_pes) {
        char kp[256];
        yt_path(kp, sizeof kp, path, "pe");
        return node_err(d, pn, kp, "PE %u does not exist (gic.pes is %u: PEs 0..%u)",
                        (unsigned)c->route_pe, (unsigned)sc->gic.num_pes,
                        (unsigned)sc->gic.num_pes - 1);
    }
    c->vm = c->vcpu = c->sender_vcpu = UINT32_MAX;
    c->intid = 26; /* the host's timer PPI (CNTHP under VHE) */
    return parse_arrival(sc, so, n, path, d);
}

static gicsim_status parse_source(gicsim_scenario *sc, const yt_node *n, size_t i, gicsim_diag *d)
{
    char path[64], kp[256];
    snprintf(path, sizeof path, "sources.%zu", i);
    sc_source *so = &sc->src[i];
    gicsim_source_config *c = &so->cfg;
    gicsim_source_config_init(c);
    so->line = n->line;
    so->col = n->col;
    if (n->kind != YT_MAP)
        return node_err(d, n, path, "expected a mapping (a source), got %s", yt_type_name(n));
    TRY(yt_check_map(n, path, source_keys, d));
    const yt_node *nn = yt_map_get(n, "name");
    if (!nn)
        return missing(d, n, path, "name");
    TRY(opt_strdup(n, path, "name", true, &so->name, d));
    for (size_t k = 0; k < i; k++)
        if (strcmp(sc->src[k].name, so->name) == 0) {
            yt_path(kp, sizeof kp, path, "name");
            return node_err(d, nn, kp, "duplicate source name \"%.80s\" (also sources.%zu)",
                            so->name, k);
        }
    /* kind */
    const yt_node *kn = yt_map_get(n, "kind");
    if (!kn)
        return missing(d, n, path, "kind");
    unsigned kind;
    yt_path(kp, sizeof kp, path, "kind");
    TRY(yt_get_enum(kn, kp, kind_names, &kind, d));
    c->kind = (gicsim_source_kind)kind;
    if (c->kind == GICSIM_SRC_HOST_TIMER)
        return parse_host_timer(sc, so, n, path, d);
    if (yt_map_get(n, "pe"))
        return not_here(d, n, path, "pe", "only applies to kind host-timer");
    const bool spi = c->kind == GICSIM_SRC_SPI_EDGE || c->kind == GICSIM_SRC_SPI_LEVEL;
    /* Keys that only some kinds have. */
    if (!spi && yt_map_get(n, "route_pe"))
        return not_here(d, n, path, "route_pe", "only applies to kinds spi-edge and spi-level");
    if (c->kind != GICSIM_SRC_SPI_LEVEL) {
        if (yt_map_get(n, "deassert_at"))
            return not_here(d, n, path, "deassert_at", "only applies to kind spi-level");
        if (yt_map_get(n, "hold"))
            return not_here(d, n, path, "hold", "only applies to kind spi-level");
    }
    if (c->kind != GICSIM_SRC_MSI) {
        if (yt_map_get(n, "device_id"))
            return not_here(d, n, path, "device_id", "only applies to kind msi");
        if (yt_map_get(n, "event_id"))
            return not_here(d, n, path, "event_id", "only applies to kind msi");
    }
    if (c->kind != GICSIM_SRC_SGI) {
        if (yt_map_get(n, "sender_vcpu"))
            return not_here(d, n, path, "sender_vcpu", "only applies to kind sgi");
        if (yt_map_get(n, "reply"))
            return not_here(d, n, path, "reply", "only applies to kind sgi");
    }
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
            return node_err(d, vn, kp, "no VM is named \"%.80s\"", vname);
        c->vm = (uint32_t)k;
    } else if (sc->n_vms == 1) {
        c->vm = 0;
    } else {
        return sc->n_vms ? missing(d, n, path, "vm")
                         : node_err(d, n, path, "a source needs a VM, and \"vms\" has none");
    }
    const sc_vm *vm = &sc->vms[c->vm];
    const uint32_t nv = vm->cfg.num_vcpus;
    /* vcpu, sender_vcpu */
    const yt_node *v;
    static const char *const vcpu_keys[] = {"vcpu", "sender_vcpu"};
    uint32_t *vcpu_fields[] = {&c->vcpu, &c->sender_vcpu};
    for (int f = 0; f < 2; f++) {
        TRY(opt_u32(n, path, vcpu_keys[f], 0, UINT32_MAX, vcpu_fields[f], NULL, d));
        if ((v = yt_map_get(n, vcpu_keys[f])) && *vcpu_fields[f] >= nv) {
            yt_path(kp, sizeof kp, path, vcpu_keys[f]);
            return node_err(d, v, kp, "vCPU %u does not exist: VM \"%s\" has %u vCPU%s (0..%u)",
                            (unsigned)*vcpu_fields[f], vm->name, (unsigned)nv, nv == 1 ? "" : "s",
                            (unsigned)nv - 1);
        }
    }
    /* intid */
    v = yt_map_get(n, "intid");
    yt_path(kp, sizeof kp, path, "intid");
    if (spi) {
        if (!v)
            return missing(d, n, path, "intid");
        const uint32_t last = GICSIM_SPI_BASE + sc->gic.num_spis - 1;
        TRY(opt_u32(n, path, "intid", 0, UINT32_MAX, &c->intid, NULL, d));
        if (sc->gic.num_spis == 0)
            return node_err(d, v, kp, "the GIC has no SPIs (gic.spis is 0)");
        if (c->intid < GICSIM_SPI_BASE || c->intid > last)
            return node_err(d, v, kp, "INTID %u is not an SPI of this GIC (%u..%u; gic.spis is %u)",
                            (unsigned)c->intid, GICSIM_SPI_BASE, (unsigned)last,
                            (unsigned)sc->gic.num_spis);
        for (size_t k = 0; k < i; k++) {
            const gicsim_source_config *o = &sc->src[k].cfg;
            if ((o->kind == GICSIM_SRC_SPI_EDGE || o->kind == GICSIM_SRC_SPI_LEVEL) &&
                o->intid == c->intid)
                return node_err(d, v, kp, "SPI %u is already the interrupt of source \"%s\"",
                                (unsigned)c->intid, sc->src[k].name);
        }
    } else if (c->kind == GICSIM_SRC_SGI) {
        if (!v)
            return missing(d, n, path, "intid");
        TRY(opt_u32(n, path, "intid", 0, UINT32_MAX, &c->intid, NULL, d));
        if (c->intid > 15)
            return node_err(d, v, kp, "INTID %u is not an SGI (0..15)", (unsigned)c->intid);
    } else if (c->kind == GICSIM_SRC_MSI) {
        if (!v)
            return missing(d, n, path, "intid");
        TRY(opt_u32(n, path, "intid", 0, UINT32_MAX, &c->intid, NULL, d));
        const uint32_t last = (1u << sc->gic.lpi_id_bits) - 1;
        if (c->intid < GICSIM_LPI_BASE || c->intid > last)
            return node_err(d, v, kp, "INTID %u is not an LPI (%u..%u; gic.lpi_bits is %u)",
                            (unsigned)c->intid, GICSIM_LPI_BASE, (unsigned)last,
                            (unsigned)sc->gic.lpi_id_bits);
        c->device_id = 16 + (uint32_t)i;
        TRY(opt_u32(n, path, "device_id", 0, 0xFFFF, &c->device_id, NULL, d));
        TRY(opt_u32(n, path, "event_id", 0, 31, &c->event_id, NULL, d));
        for (size_t k = 0; k < i; k++) {
            const gicsim_source_config *o = &sc->src[k].cfg;
            if (o->kind == GICSIM_SRC_MSI && o->vm == c->vm && o->intid == c->intid)
                return node_err(d, v, kp, "LPI %u of VM \"%s\" is already source \"%s\"",
                                (unsigned)c->intid, vm->name, sc->src[k].name);
            if (o->kind == GICSIM_SRC_MSI && o->device_id == c->device_id &&
                o->event_id == c->event_id)
                return node_err(d, n, path, "device %u event %u is already source \"%s\"",
                                (unsigned)c->device_id, (unsigned)c->event_id, sc->src[k].name);
        }
        if (!sc->gic.its)
            return node_err(d, n, path, "an MSI source needs an ITS (gic.its is false)");
    } else {
        c->intid = GICSIM_PPI_VTIMER;
        uint32_t t = GICSIM_PPI_VTIMER;
        TRY(opt_u32(n, path, "intid", 0, UINT32_MAX, &t, NULL, d));
        if (t != GICSIM_PPI_VTIMER)
            return node_err(d, v, kp, "the virtual timer is PPI %u; INTID %u is not",
                            GICSIM_PPI_VTIMER, (unsigned)t);
        for (size_t k = 0; k < i; k++) {
            const gicsim_source_config *o = &sc->src[k].cfg;
            if (o->kind == GICSIM_SRC_VTIMER && o->vm == c->vm && o->vcpu == c->vcpu)
                return node_err(d, n, path,
                                "vCPU %u of VM \"%s\" already has a vtimer source (\"%s\")",
                                (unsigned)c->vcpu, vm->name, sc->src[k].name);
        }
    }
    /* route_pe: default the PE the vCPU starts on. */
    if (spi) {
        c->route_pe = vm->cfg.pe_first + c->vcpu % vm->cfg.pe_count;
        TRY(opt_u32(n, path, "route_pe", 0, UINT32_MAX, &c->route_pe, NULL, d));
        if ((v = yt_map_get(n, "route_pe")) && c->route_pe >= sc->gic.num_pes) {
            yt_path(kp, sizeof kp, path, "route_pe");
            return node_err(d, v, kp, "PE %u does not exist (gic.pes is %u)", (unsigned)c->route_pe,
                            (unsigned)sc->gic.num_pes);
        }
    }
    uint32_t prio = c->priority;
    TRY(opt_u32(n, path, "priority", 0, 255, &prio, NULL, d));
    c->priority = (uint8_t)prio;
    TRY(opt_time(n, path, "handler", &c->handler, NULL, d));
    if (c->kind == GICSIM_SRC_SPI_LEVEL) {
        c->deassert_at = c->handler; /* the default: the end of the handler */
        TRY(opt_time(n, path, "deassert_at", &c->deassert_at, NULL, d));
        if (c->deassert_at > c->handler) {
            yt_path(kp, sizeof kp, path, "deassert_at");
            char a[32], b[32];
            yt_format_time(c->deassert_at, a, sizeof a);
            yt_format_time(c->handler, b, sizeof b);
            return node_err(d, yt_map_get(n, "deassert_at"), kp,
                            "%s is after the end of the handler (handler: %s)", a, b);
        }
        TRY(opt_time(n, path, "hold", &c->hold, NULL, d));
    }
    if (c->kind == GICSIM_SRC_SGI)
        TRY(opt_bool(n, path, "reply", &c->reply, NULL, d));
    return parse_arrival(sc, so, n, path, d);
}

static gicsim_status parse_run(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    const yt_node *run = yt_map_get(root, "run");
    if (!run)
        return missing(d, root, "", "run");
    TRY(yt_check_map(run, "run", run_keys, d));
    const yt_node *dur = yt_map_get(run, "duration");
    if (!dur)
        return missing(d, run, "run", "duration");
    TRY(yt_get_time(dur, "run.duration", &sc->duration, d));
    if (sc->duration == 0)
        return node_err(d, dur, "run.duration", "must be greater than 0");
    /* run.seed was read first (sources need it). */
    const yt_node *pl = yt_map_get(run, "policies");
    if (pl) {
        TRY(strv_from_seq(pl, "run.policies", &sc->policies, &sc->n_policies, d));
        if (!sc->n_policies)
            return node_err(d, pl, "run.policies", "must list at least one policy");
        for (size_t i = 0; i < sc->n_policies; i++) {
            char kp[64];
            const char *name;
            snprintf(kp, sizeof kp, "run.policies.%zu", i);
            TRY(check_policy(pl->items[i], kp, &name, d));
            for (size_t k = 0; k < i; k++)
                if (!strcmp(sc->policies[k], sc->policies[i]))
                    return node_err(d, pl->items[i], kp, "policy \"%s\" is listed twice", name);
        }
        return GICSIM_OK;
    }
    /* Default: the distinct policies of the VMs, in VM order. */
    sc->n_policies = 0;
    sc->policies = calloc(sc->n_vms ? sc->n_vms : 1, sizeof *sc->policies);
    if (!sc->policies)
        return nomem(d);
    for (size_t i = 0; i < sc->n_vms; i++) {
        size_t k;
        for (k = 0; k < sc->n_policies && strcmp(sc->policies[k], sc->vms[i].policy); k++)
            ;
        if (k < sc->n_policies)
            continue;
        if (!(sc->policies[sc->n_policies] = dupstr(sc->vms[i].policy)))
            return nomem(d);
        sc->n_policies++;
    }
    return GICSIM_OK;
}

/* `microbench: {tests: [NAME, ...], iterations: N}`: the calibration
 * benchmarks (gicsim/microbench.h) on the scenario's platform; the file has
 * nothing else to simulate. */
static gicsim_status parse_microbench(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    static const char *const keys[] = {"tests", "iterations", NULL};
    const yt_node *mb = yt_map_get(root, "microbench");
    TRY(yt_check_map(root, "", mb_top_keys, d));
    if (!yt_is_null(mb))
        TRY(yt_check_map(mb, "microbench", keys, d));
    sc->mb = true;
    const yt_node *tl = yt_is_null(mb) ? NULL : yt_map_get(mb, "tests");
    if (tl)
        TRY(sc_parse_tests(tl, "microbench.tests", sc->mb_tests, &sc->mb_n, d));
    if (!sc->mb_n)
        for (int t = 0; t < GICSIM_MB__COUNT; t++)
            sc->mb_tests[sc->mb_n++] = (gicsim_mb_test)t;
    if (!yt_is_null(mb))
        TRY(opt_u32(mb, "microbench", "iterations", 1, 10000000, &sc->mb_iterations, NULL, d));
    return parse_platform(sc, root, d);
}

static gicsim_status validate(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    if (yt_map_get(root, "microbench")) {
        if (!yt_map_get(root, "name"))
            return missing(d, root, "", "name");
        TRY(opt_strdup(root, "", "name", true, &sc->name, d));
        TRY(opt_strdup(root, "", "description", false, &sc->description, d));
        return parse_microbench(sc, root, d);
    }
    TRY(yt_check_map(root, "", top_keys, d));
    if (!yt_map_get(root, "name"))
        return missing(d, root, "", "name");
    TRY(opt_strdup(root, "", "name", true, &sc->name, d));
    TRY(opt_strdup(root, "", "description", false, &sc->description, d));

    gicsim_gic_config_init(&sc->gic);
    TRY(sc_parse_gic(yt_map_get(root, "gic"), "gic", &sc->gic, d));
    TRY(parse_host(sc, root, d));
    TRY(parse_platform(sc, root, d));

    /* run.seed before the sources (their default seed). */
    const yt_node *run = yt_map_get(root, "run");
    sc->seed = 1;
    if (run && run->kind == YT_MAP)
        TRY(opt_u64(run, "run", "seed", 0, UINT64_MAX, &sc->seed, NULL, d));

    const yt_node *vms = yt_map_get(root, "vms");
    if (vms) {
        TRY(yt_check_seq(vms, "vms", d));
        size_t n = vms->kind == YT_SEQ ? vms->n : 0;
        if (n && !(sc->vms = calloc(n, sizeof *sc->vms)))
            return nomem(d);
        for (size_t i = 0; i < n; i++) {
            sc->n_vms = i + 1;
            TRY(parse_vm(sc, vms->items[i], i, d));
        }
        TRY(check_eoimodes(sc, vms, d));
    }
    const yt_node *srcs = yt_map_get(root, "sources");
    if (srcs) {
        TRY(yt_check_seq(srcs, "sources", d));
        size_t n = srcs->kind == YT_SEQ ? srcs->n : 0;
        if (n && !(sc->src = calloc(n, sizeof *sc->src)))
            return nomem(d);
        for (size_t i = 0; i < n; i++) {
            sc->n_src = i + 1;
            TRY(parse_source(sc, srcs->items[i], i, d));
        }
    }
    TRY(parse_run(sc, root, d));

    const yt_node *out = yt_map_get(root, "outputs");
    if (out) {
        TRY(yt_check_map(out, "outputs", output_kinds, d));
        for (int i = 0; i < N_OUTPUTS; i++)
            TRY(opt_strdup(out, "outputs", output_kinds[i], true, &sc->outputs[i], d));
    }
    return GICSIM_OK;
}

/* ---- Loading --------------------------------------------------------------------------- */

static gicsim_status load_text(const char *text, size_t len, const char *file,
                               const char *const *overrides, size_t n_overrides,
                               gicsim_scenario **out, gicsim_diag *d)
{
    gicsim_scenario *sc = calloc(1, sizeof *sc);
    if (!sc || !(sc->file = dupstr(file))) {
        free(sc);
        return nomem(d);
    }
    gicsim_system_config sys;
    gicsim_system_config_init(&sys);
    sc->kick_sgi = sys.kick_sgi;
    sc->tick_ppi = sys.host_tick_ppi;

    yt_node *root = NULL;
    gicsim_status st = yt_parse(text, len, sc->file, 0, 0, &root, d);
    if (st != GICSIM_OK)
        goto fail;
    if (!root || yt_is_null(root)) {
        st = yt_diag(d, GICSIM_E_INVAL, sc->file, root ? root->line : 1, root ? root->col : 1, "",
                     "the scenario is empty: expected a mapping with at least \"name\" and "
                     "\"run.duration\"");
        goto fail;
    }
    if (root->kind != YT_MAP) {
        st = node_err(d, root, "", "a scenario must be a mapping (key: value lines), got %s",
                      yt_type_name(root));
        goto fail;
    }
    for (size_t i = 0; i < n_overrides; i++) {
        if (!overrides[i]) {
            st = yt_diag(d, GICSIM_E_INVAL, OVERRIDE_FILE, (unsigned)i + 1, 0, "",
                         "override %zu is NULL", i);
            goto fail;
        }
        if ((st = apply_override(root, overrides[i], (unsigned)i, d)) != GICSIM_OK)
            goto fail;
    }
    if ((st = validate(sc, root, d)) != GICSIM_OK)
        goto fail;
    yt_free(root);
    *out = sc;
    return GICSIM_OK;
fail:
    yt_free(root);
    gicsim_scenario_free(sc);
    return st;
}

gicsim_status gicsim_scenario_load(const char *path, const char *const *overrides,
                                   size_t n_overrides, gicsim_scenario **out, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!out)
        return yt_diag(diag, GICSIM_E_INVAL, path ? path : "", 0, 0, "", "no output pointer");
    *out = NULL;
    if (!path || (n_overrides && !overrides))
        return yt_diag(diag, GICSIM_E_INVAL, path ? path : "", 0, 0, "",
                       "no path, or overrides without an array");
    char *text;
    size_t len;
    TRY(yt_read_file(path, &text, &len, diag));
    gicsim_status st = load_text(text, len, path, overrides, n_overrides, out, diag);
    free(text);
    return st;
}

gicsim_status gicsim_scenario_load_string(const char *yaml, const char *name,
                                          const char *const *overrides, size_t n_overrides,
                                          gicsim_scenario **out, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!name)
        name = "<string>";
    if (!out)
        return yt_diag(diag, GICSIM_E_INVAL, name, 0, 0, "", "no output pointer");
    *out = NULL;
    if (!yaml || (n_overrides && !overrides))
        return yt_diag(diag, GICSIM_E_INVAL, name, 0, 0, "",
                       "no text, or overrides without an array");
    return load_text(yaml, strlen(yaml), name, overrides, n_overrides, out, diag);
}

/* ---- Accessors ------------------------------------------------------------------------- */

const char *gicsim_scenario_name(const gicsim_scenario *sc)
{
    return sc ? sc->name : NULL;
}

gicsim_time_t gicsim_scenario_duration(const gicsim_scenario *sc)
{
    return sc ? sc->duration : 0;
}

uint64_t gicsim_scenario_seed(const gicsim_scenario *sc)
{
    return sc ? sc->seed : 0;
}

size_t gicsim_scenario_policy_count(const gicsim_scenario *sc)
{
    return sc ? sc->n_policies : 0;
}

const char *gicsim_scenario_policy(const gicsim_scenario *sc, size_t i)
{
    return sc && i < sc->n_policies ? sc->policies[i] : NULL;
}

size_t gicsim_scenario_vm_count(const gicsim_scenario *sc)
{
    return sc ? sc->n_vms : 0;
}

const char *gicsim_scenario_vm_name(const gicsim_scenario *sc, size_t i)
{
    return sc && i < sc->n_vms ? sc->vms[i].name : NULL;
}

size_t gicsim_scenario_source_count(const gicsim_scenario *sc)
{
    return sc ? sc->n_src : 0;
}

const char *gicsim_scenario_source_name(const gicsim_scenario *sc, size_t i)
{
    return sc && i < sc->n_src ? sc->src[i].name : NULL;
}

const char *gicsim_scenario_source_trace(const gicsim_scenario *sc, size_t i)
{
    return sc && i < sc->n_src ? sc->src[i].trace : NULL;
}

const char *gicsim_scenario_output(const gicsim_scenario *sc, const char *kind)
{
    if (!sc || !kind)
        return NULL;
    for (int i = 0; i < N_OUTPUTS; i++)
        if (!strcmp(kind, output_kinds[i]))
            return sc->outputs[i];
    return NULL;
}

const char *gicsim_scenario_platform(const gicsim_scenario *sc)
{
    return sc ? sc->plat.name : NULL;
}

const char *gicsim_scenario_platform_file(const gicsim_scenario *sc)
{
    return sc ? sc->plat.file : NULL;
}

/* ---- Building ------------------------------------------------------------------------------ */

gicsim_status gicsim_scenario_build(const gicsim_scenario *sc, const char *policy,
                                    gicsim_system **out, gicsim_diag *d)
{
    if (d)
        memset(d, 0, sizeof *d);
    if (!out)
        return yt_diag(d, GICSIM_E_INVAL, sc ? sc->file : "", 0, 0, "", "no output pointer");
    *out = NULL;
    if (!sc)
        return yt_diag(d, GICSIM_E_INVAL, "", 0, 0, "", "no scenario");
    if (policy && !gicsim_hyp_policy_find(policy)) {
        char list[300];
        policy_list(list, sizeof list);
        return yt_diag(d, GICSIM_E_NOTFOUND, sc->file, 0, 0, "policy",
                       "unknown policy \"%.80s\" (known: %s)", policy, list);
    }
    if (policy) {
        const char *why = policy_unsupported(&sc->gic, gicsim_hyp_policy_find(policy));
        if (why)
            return yt_diag(d, GICSIM_E_UNSUPPORTED, sc->file, 0, 0, "policy",
                           "policy \"%s\" %s (gic.version of this scenario is too old)", policy,
                           why);
    }
    gicsim_system_config cfg;
    gicsim_system_config_init(&cfg);
    cfg.gic = sc->gic;
    cfg.gic.timing = NULL;
    cfg.timing = sc->plat.timing;
    cfg.vhe = sc->plat.vhe;
    cfg.kick_sgi = sc->kick_sgi;
    cfg.host_tick_ppi = sc->tick_ppi;
    gicsim_system *sys = NULL;
    gicsim_status st = gicsim_system_create(&cfg, &sys);
    if (st != GICSIM_OK)
        return yt_diag(d, st, sc->file, 1, 1, "gic", "cannot create the system: %s",
                       gicsim_strerror(st));
    for (size_t i = 0; i < sc->n_vms; i++) {
        gicsim_vm_config vc = sc->vms[i].cfg;
        if (policy)
            vc.policy = policy;
        if ((st = gicsim_vm_add(sys, &vc, NULL)) != GICSIM_OK) {
            char kp[64];
            snprintf(kp, sizeof kp, "vms.%zu", i);
            yt_diag(d, st, sc->file, sc->vms[i].line, sc->vms[i].col, kp,
                    "cannot add VM \"%s\" (policy %s): %s", sc->vms[i].name, vc.policy,
                    gicsim_strerror(st));
            gicsim_system_destroy(sys);
            return st;
        }
    }
    for (size_t i = 0; i < sc->n_src; i++) {
        if ((st = gicsim_source_add(sys, &sc->src[i].cfg, NULL)) != GICSIM_OK) {
            char kp[64];
            snprintf(kp, sizeof kp, "sources.%zu", i);
            yt_diag(d, st, sc->file, sc->src[i].line, sc->src[i].col, kp,
                    "cannot add source \"%s\": %s", sc->src[i].name, gicsim_strerror(st));
            gicsim_system_destroy(sys);
            return st;
        }
    }
    *out = sys;
    return GICSIM_OK;
}

/* ---- Resolved JSON --------------------------------------------------------------------------- */

typedef struct jbuf {
    char *s;
    size_t len, cap;
    bool oom;
    int depth;
    bool first; /* no member written yet at this level */
} jbuf;

static void jraw(jbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > nc)
            nc *= 2;
        char *p = realloc(b->s, nc);
        if (!p) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = nc;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void jputs(jbuf *b, const char *s)
{
    jraw(b, s, strlen(s));
}

static void jindent(jbuf *b)
{
    jputs(b, "\n");
    for (int i = 0; i < b->depth; i++)
        jputs(b, "  ");
}

static void jstr(jbuf *b, const char *s)
{
    if (!s) {
        jputs(b, "null");
        return;
    }
    jputs(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            jraw(b, esc, 2);
        } else if (c == '\n') {
            jputs(b, "\\n");
        } else if (c == '\t') {
            jputs(b, "\\t");
        } else if (c == '\r') {
            jputs(b, "\\r");
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jputs(b, esc);
        } else {
            jraw(b, (const char *)&c, 1);
        }
    }
    jputs(b, "\"");
}

/* Start a member ("key": ) or an array element (key NULL). */
static void jkey(jbuf *b, const char *key)
{
    if (!b->first)
        jputs(b, ",");
    b->first = false;
    jindent(b);
    if (key) {
        jstr(b, key);
        jputs(b, ": ");
    }
}

static void jopen(jbuf *b, const char *key, char brace)
{
    if (key || b->depth)
        jkey(b, key);
    char s[2] = {brace, 0};
    jputs(b, s);
    b->depth++;
    b->first = true;
}

static void jclose(jbuf *b, char brace)
{
    b->depth--;
    if (!b->first)
        jindent(b);
    char s[2] = {brace, 0};
    jputs(b, s);
    b->first = false;
}

static void jmember_str(jbuf *b, const char *key, const char *v)
{
    jkey(b, key);
    jstr(b, v);
}

static void jmember_u64(jbuf *b, const char *key, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    jkey(b, key);
    jputs(b, num);
}

static void jmember_bool(jbuf *b, const char *key, bool v)
{
    jkey(b, key);
    jputs(b, v ? "true" : "false");
}

static void jmember_time(jbuf *b, const char *key, gicsim_time_t t)
{
    char s[40];
    yt_format_time(t, s, sizeof s);
    jmember_str(b, key, s);
}

static void jmember_strv(jbuf *b, const char *key, char *const *v, size_t n)
{
    jopen(b, key, '[');
    for (size_t i = 0; i < n; i++)
        jmember_str(b, NULL, v[i]);
    jclose(b, ']');
}

/* The resolved configuration names files by their base name: it must not
 * depend on where the tree is checked out (same scenario, same output). */
static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

/* A finite number in the shortest "%.<N>g" form that reads back exactly. */
static void jmember_double(jbuf *b, const char *key, double v)
{
    char num[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(num, sizeof num, "%.*g", prec, v);
        if (strtod(num, NULL) == v)
            break;
    }
    jkey(b, key);
    jputs(b, num);
}

static void json_platform(jbuf *b, const gicsim_scenario *sc)
{
    const sc_platform *p = &sc->plat;
    jopen(b, "platform", '{');
    jmember_str(b, "name", p->name);
    jmember_str(b, "file", base_name(p->file));
    jmember_str(b, "description", p->description);
    jmember_bool(b, "vhe", p->vhe);
    jopen(b, "clocks", '{');
    for (int dmn = 0; dmn < GICSIM_CLK__COUNT; dmn++)
        jmember_u64(b, gicsim_clock_name((gicsim_clock_domain)dmn), p->timing.clock_hz[dmn]);
    jclose(b, '}');
    jopen(b, "costs", '{');
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        jmember_u64(b, gicsim_cost_name((gicsim_cost_id)i), p->timing.cycles[i]);
    jclose(b, '}');
    jmember_str(b, "reference", p->reference);
    jopen(b, "measured", '{');
    for (size_t i = 0; i < p->n_measured; i++)
        jmember_double(b, gicsim_mb_test_name(p->measured_test[i]), p->measured_ns[i]);
    jclose(b, '}');
    jopen(b, "fitted", '[');
    for (size_t i = 0; i < p->n_fitted; i++)
        jmember_str(b, NULL, gicsim_cost_name(p->fitted[i]));
    jclose(b, ']');
    jopen(b, "predicts", '[');
    for (size_t i = 0; i < p->n_predicts; i++)
        jmember_str(b, NULL, gicsim_mb_test_name(p->predicts[i]));
    jclose(b, ']');
    jclose(b, '}');

    jopen(b, "platform_overrides", '{');
    if (sc->ovr_vhe)
        jmember_bool(b, "vhe", p->vhe);
    jopen(b, "clocks", '{');
    for (int dmn = 0; dmn < GICSIM_CLK__COUNT; dmn++)
        if (sc->ovr_clock[dmn])
            jmember_u64(b, gicsim_clock_name((gicsim_clock_domain)dmn), p->timing.clock_hz[dmn]);
    jclose(b, '}');
    jopen(b, "costs", '{');
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        if (sc->ovr_cost[i])
            jmember_u64(b, gicsim_cost_name((gicsim_cost_id)i), p->timing.cycles[i]);
    jclose(b, '}');
    jclose(b, '}');
}

static void json_source(jbuf *b, const gicsim_scenario *sc, const sc_source *so)
{
    const gicsim_source_config *c = &so->cfg;
    const bool spi = c->kind == GICSIM_SRC_SPI_EDGE || c->kind == GICSIM_SRC_SPI_LEVEL;
    jopen(b, NULL, '{');
    jmember_str(b, "name", so->name);
    jmember_str(b, "kind", kind_names[c->kind]);
    const bool host = c->kind == GICSIM_SRC_HOST_TIMER; /* no VM: its PE only */
    if (host) {
        jmember_u64(b, "pe", c->route_pe);
    } else {
        jmember_str(b, "vm", sc->vms[c->vm].name);
        jmember_u64(b, "vcpu", c->vcpu);
    }
    if (c->kind == GICSIM_SRC_SGI)
        jmember_u64(b, "sender_vcpu", c->sender_vcpu);
    if (!host)
        jmember_u64(b, "intid", c->intid);
    if (spi)
        jmember_u64(b, "route_pe", c->route_pe);
    if (!host) {
        jmember_u64(b, "priority", c->priority);
        jmember_time(b, "handler", c->handler);
    }
    if (c->kind == GICSIM_SRC_SPI_LEVEL) {
        jmember_time(b, "deassert_at", c->deassert_at);
        jmember_time(b, "hold", c->hold);
    }
    if (c->kind == GICSIM_SRC_SGI)
        jmember_bool(b, "reply", c->reply);
    if (c->kind == GICSIM_SRC_MSI) {
        jmember_u64(b, "device_id", c->device_id);
        jmember_u64(b, "event_id", c->event_id);
    }
    jopen(b, "arrival", '{');
    jmember_str(b, "kind", arrival_names[so->arrival]);
    if (so->arrival == ARR_PERIODIC || so->arrival == ARR_POISSON || so->arrival == ARR_BURST) {
        jmember_time(b, "period", c->period);
        if (so->arrival == ARR_BURST) {
            jmember_u64(b, "burst", c->burst);
            jmember_time(b, "spacing", c->burst_spacing);
        }
        jmember_time(b, "start", c->start);
        jmember_u64(b, "limit", c->limit);
        if (so->arrival == ARR_POISSON)
            jmember_u64(b, "seed", c->seed);
    }
    if (so->arrival == ARR_TRACE)
        jmember_str(b, "file", base_name(so->trace));
    jclose(b, '}');
    jclose(b, '}');
}

gicsim_status gicsim_scenario_resolved_json(const gicsim_scenario *sc, char **json)
{
    if (!sc || !json)
        return GICSIM_E_INVAL;
    *json = NULL;
    jbuf b;
    memset(&b, 0, sizeof b);
    b.first = true;
    jopen(&b, NULL, '{');
    jmember_str(&b, "name", sc->name);
    jmember_str(&b, "description", sc->description);
    json_platform(&b, sc);

    const gicsim_gic_config *g = &sc->gic;
    jopen(&b, "gic", '{');
    jmember_str(&b, "version", sc_gic_version_name(g->version));
    jmember_u64(&b, "pes", g->num_pes);
    jmember_u64(&b, "spis", g->num_spis);
    jmember_u64(&b, "lrs", g->num_lrs);
    jmember_u64(&b, "priority_bits", g->priority_bits);
    jmember_u64(&b, "pes_per_cluster", g->pes_per_cluster);
    jmember_bool(&b, "security_disabled", g->security_disabled);
    jmember_bool(&b, "one_of_n", g->one_of_n);
    jmember_u64(&b, "lpi_bits", g->lpi_id_bits);
    jmember_bool(&b, "its", g->its);
    jmember_u64(&b, "its_cache", g->its_cache_entries);
    jclose(&b, '}');

    jopen(&b, "host", '{');
    jmember_u64(&b, "kick_sgi", sc->kick_sgi);
    jmember_u64(&b, "tick_ppi", sc->tick_ppi);
    jclose(&b, '}');

    jopen(&b, "vms", '[');
    for (size_t i = 0; i < sc->n_vms; i++) {
        const sc_vm *vm = &sc->vms[i];
        const gicsim_vm_config *c = &vm->cfg;
        jopen(&b, NULL, '{');
        jmember_str(&b, "name", vm->name);
        jmember_u64(&b, "vcpus", c->num_vcpus);
        jmember_str(&b, "policy", c->policy);
        jmember_str(&b, "wfi", c->wfi_trap ? "trap" : "native");
        jmember_time(&b, "halt_poll", c->halt_poll);
        jmember_str(&b, "guest", c->guest_busy ? "busy" : "idle");
        jmember_u64(&b, "guest_eoimode", c->guest_eoimode);
        jmember_bool(&b, "nested", c->guest_nested);
        jopen(&b, "pes", '{');
        jmember_u64(&b, "first", c->pe_first);
        jmember_u64(&b, "count", c->pe_count);
        jclose(&b, '}');
        jmember_bool(&b, "pinned", c->pinned);
        jmember_time(&b, "time_slice", c->time_slice);
        jclose(&b, '}');
    }
    jclose(&b, ']');

    jopen(&b, "sources", '[');
    for (size_t i = 0; i < sc->n_src; i++)
        json_source(&b, sc, &sc->src[i]);
    jclose(&b, ']');

    jopen(&b, "run", '{');
    jmember_time(&b, "duration", sc->duration);
    jmember_u64(&b, "seed", sc->seed);
    jmember_strv(&b, "policies", sc->policies, sc->n_policies);
    jclose(&b, '}');

    jopen(&b, "outputs", '{');
    for (int i = 0; i < N_OUTPUTS; i++)
        jmember_str(&b, output_kinds[i], sc->outputs[i]);
    jclose(&b, '}');
    jclose(&b, '}');
    jputs(&b, "\n");
    if (b.oom) {
        free(b.s);
        return GICSIM_E_NOMEM;
    }
    *json = b.s;
    return GICSIM_OK;
}

bool gicsim_scenario_microbench(const gicsim_scenario *sc, gicsim_mb_config *cfg,
                                gicsim_mb_test *tests, size_t *n_tests)
{
    if (!sc || !sc->mb)
        return false;
    if (cfg) {
        gicsim_mb_config_init(cfg);
        cfg->timing = sc->plat.timing;
        cfg->vhe = sc->plat.vhe;
        cfg->iterations = sc->mb_iterations;
    }
    if (tests)
        memcpy(tests, sc->mb_tests, sc->mb_n * sizeof *tests);
    if (n_tests)
        *n_tests = sc->mb_n;
    return true;
}
