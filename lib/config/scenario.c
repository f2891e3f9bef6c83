/* gicsim: YAML scenarios (see gicsim/scenario.h and docs/scenarios.md for
 * the schema): the scenario object, its loading and top-level sections,
 * building a system from it, and its resolved JSON. The sections that
 * describe the machine, the VMs and the sources have their own files, and
 * platform presets are platform.c's (scenario_internal.h lists them).
 *
 * Loading is three passes over a yaml_tree: parse the file, apply the
 * overrides to the tree (scenario_overrides.c: an override is validated
 * exactly like a key written in the file, and errors in it point into
 * "<override>"), then validate the tree section by section into a
 * gicsim_scenario that holds every value resolved (defaults made explicit).
 * Building and the resolved JSON only read that structure.
 */
#include "scenario_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The scenario ----------------------------------------------------------------- */

static const char *const output_kinds[] = {"json", "csv", "perfetto", "vcd", "cdf", NULL};

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
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

static gicsim_status strv_from_seq(const yt_node *seq, const char *path, char ***out, size_t *n,
                                   gicsim_diag *d)
{
    TRY(yt_check_seq(seq, path, d));
    size_t cnt = seq->kind == YT_SEQ ? seq->n : 0;
    char **v = calloc(cnt ? cnt : 1, sizeof *v);
    if (!v)
        return yt_nomem(d);
    for (size_t i = 0; i < cnt; i++) {
        char kp[256];
        const char *s;
        yt_path_index(kp, sizeof kp, path, i);
        gicsim_status st = yt_get_str(seq->items[i], kp, &s, d);
        if (st == GICSIM_OK && !(v[i] = yt_strdup(s)))
            st = yt_nomem(d);
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
/* ---- Scenario validation ----------------------------------------------------------------- */

static const char *const top_keys[] = {"name", "description", "platform",   "platform_overrides",
                                       "gic",  "host",        "vms",        "sources",
                                       "run",  "outputs",     "microbench", NULL};
/* A micro-bench scenario has only these. */
static const char *const mb_top_keys[] = {
    "name", "description", "platform", "platform_overrides", "microbench", NULL};
static const char *const run_keys[] = {"duration",     "seed",         "policies",
                                       "latency_bits", "replications", NULL};

static gicsim_status parse_run(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    const yt_node *run = yt_map_get(root, "run");
    if (!run)
        return yt_missing(d, root, "", "run");
    TRY(yt_check_map(run, "run", run_keys, d));
    const yt_node *dur = yt_map_get(run, "duration");
    if (!dur)
        return yt_missing(d, run, "run", "duration");
    TRY(yt_get_time(dur, "run.duration", &sc->duration, d));
    if (sc->duration == 0)
        return yt_node_err(d, dur, "run.duration", "must be greater than 0");
    TRY(yt_opt_u32(run, "run", "latency_bits", GICSIM_HISTOGRAM_BITS_MIN, GICSIM_HISTOGRAM_BITS_MAX,
                   &sc->latency_bits, NULL, d));
    TRY(yt_opt_u32(run, "run", "replications", 1, GICSIM_MAX_REPLICATIONS, &sc->replications, NULL,
                   d));
    /* run.seed was read first (sources need it). */
    const yt_node *pl = yt_map_get(run, "policies");
    if (pl) {
        TRY(strv_from_seq(pl, "run.policies", &sc->policies, &sc->n_policies, d));
        if (!sc->n_policies)
            return yt_node_err(d, pl, "run.policies", "must list at least one policy");
        for (size_t i = 0; i < sc->n_policies; i++) {
            char kp[64];
            const char *name;
            snprintf(kp, sizeof kp, "run.policies.%zu", i);
            TRY(sc_check_policy(pl->items[i], kp, &name, d));
            for (size_t k = 0; k < i; k++)
                if (!strcmp(sc->policies[k], sc->policies[i]))
                    return yt_node_err(d, pl->items[i], kp, "policy \"%s\" is listed twice", name);
        }
        return GICSIM_OK;
    }
    /* Default: the distinct policies of the VMs, in VM order. */
    sc->n_policies = 0;
    sc->policies = calloc(sc->n_vms ? sc->n_vms : 1, sizeof *sc->policies);
    if (!sc->policies)
        return yt_nomem(d);
    for (size_t i = 0; i < sc->n_vms; i++) {
        size_t k;
        for (k = 0; k < sc->n_policies && strcmp(sc->policies[k], sc->vms[i].policy); k++)
            ;
        if (k < sc->n_policies)
            continue;
        if (!(sc->policies[sc->n_policies] = yt_strdup(sc->vms[i].policy)))
            return yt_nomem(d);
        sc->n_policies++;
    }
    return GICSIM_OK;
}

/* `microbench: {tests: [NAME, ...], iterations: N, vcpus: N, gic: v3}`: the calibration
 * benchmarks (gicsim/microbench.h) on the scenario's platform; the file has
 * nothing else to simulate. */
static gicsim_status parse_microbench(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    static const char *const keys[] = {"tests", "iterations", "vcpus", "gic", "vpt_dirty", NULL};
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
    sc->mb_gic = GICSIM_GICV3;
    sc->mb_vpt_dirty = true;
    if (!yt_is_null(mb)) {
        TRY(yt_opt_u32(mb, "microbench", "iterations", 1, 10000000, &sc->mb_iterations, NULL, d));
        TRY(yt_opt_u32(mb, "microbench", "vcpus", 2, 512, &sc->mb_vcpus, NULL, d));
        const yt_node *g = yt_map_get(mb, "gic");
        if (g)
            TRY(sc_parse_gic_version(g, "microbench.gic", &sc->mb_gic, d));
        TRY(yt_opt_bool(mb, "microbench", "vpt_dirty", &sc->mb_vpt_dirty, NULL, d));
    }
    return sc_parse_platform(sc, root, d);
}

/* The list `key` of the root (absent or null: empty), item by item (see
 * sc_item_fn). */
static gicsim_status parse_list(gicsim_scenario *sc, const yt_node *root, const char *key,
                                sc_item_fn fn, gicsim_diag *d)
{
    const yt_node *seq = yt_map_get(root, key);
    if (!seq)
        return GICSIM_OK;
    TRY(yt_check_seq(seq, key, d));
    for (size_t i = 0; seq->kind == YT_SEQ && i < seq->n; i++)
        TRY(fn(sc, seq, i, d));
    return GICSIM_OK;
}

/* The sections of a scenario: a null value (`vms:` with nothing under it,
 * or an override `-p gic=~`) is refused rather than taken for the defaults,
 * which leaving the key out gives. */
static gicsim_status check_sections(const yt_node *root, gicsim_diag *d)
{
    static const struct {
        const char *key, *what;
    } sections[] = {{"platform_overrides", "a mapping"},
                    {"gic", "a mapping"},
                    {"host", "a mapping"},
                    {"vms", "a list of VMs"},
                    {"sources", "a list of sources"},
                    {"run", "a mapping"},
                    {"outputs", "a mapping"}};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        const yt_node *v = yt_map_get(root, sections[i].key);
        if (v && yt_is_null(v))
            return yt_node_err(d, v, sections[i].key,
                               "expected %s, got null (leave the key out for the defaults)",
                               sections[i].what);
    }
    return GICSIM_OK;
}

static gicsim_status validate(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d)
{
    TRY(check_sections(root, d));
    if (yt_map_get(root, "microbench")) {
        if (!yt_map_get(root, "name"))
            return yt_missing(d, root, "", "name");
        TRY(yt_opt_strdup(root, "", "name", true, &sc->name, d));
        TRY(yt_opt_strdup(root, "", "description", false, &sc->description, d));
        return parse_microbench(sc, root, d);
    }
    TRY(yt_check_map(root, "", top_keys, d));
    if (!yt_map_get(root, "name"))
        return yt_missing(d, root, "", "name");
    TRY(yt_opt_strdup(root, "", "name", true, &sc->name, d));
    TRY(yt_opt_strdup(root, "", "description", false, &sc->description, d));

    gicsim_gic_config_init(&sc->gic);
    const yt_node *gic = yt_map_get(root, "gic");
    sc->gic_at = gic ? (sc_pos){gic->file, gic->line, gic->col}
                     : (sc_pos){root->file, root->line, root->col};
    TRY(sc_parse_gic(gic, "gic", &sc->gic, d));
    TRY(sc_parse_host(sc, root, d));
    TRY(sc_parse_platform(sc, root, d));

    /* run.seed before the sources (their default seed). */
    const yt_node *run = yt_map_get(root, "run");
    sc->seed = 1;
    sc->latency_bits = GICSIM_HISTOGRAM_BITS_DEFAULT;
    sc->replications = 1;
    if (run && run->kind == YT_MAP)
        TRY(yt_opt_u64(run, "run", "seed", 0, UINT64_MAX, &sc->seed, NULL, d));

    TRY(parse_list(sc, root, "vms", sc_parse_vm, d));
    TRY(sc_check_eoimodes(sc, yt_map_get(root, "vms"), d));
    TRY(parse_list(sc, root, "sources", sc_parse_source, d));
    TRY(parse_run(sc, root, d));

    const yt_node *out = yt_map_get(root, "outputs");
    if (out) {
        TRY(yt_check_map(out, "outputs", output_kinds, d));
        for (int i = 0; i < N_OUTPUTS; i++)
            TRY(yt_opt_strdup(out, "outputs", output_kinds[i], true, &sc->outputs[i], d));
    }
    return GICSIM_OK;
}

/* ---- Loading --------------------------------------------------------------------------- */

static gicsim_status load_text(const char *text, size_t len, const char *file,
                               const char *const *overrides, size_t n_overrides,
                               gicsim_scenario **out, gicsim_diag *d)
{
    gicsim_scenario *sc = calloc(1, sizeof *sc);
    if (!sc || !(sc->file = yt_strdup(file))) {
        free(sc);
        return yt_nomem(d);
    }
    gicsim_system_config sys;
    gicsim_system_config_init(&sys);
    sc->kick_sgi = sys.kick_sgi;
    sc->tick_ppi = sys.host_tick_ppi;

    yt_node *root = NULL;
    gicsim_status st = yt_parse(text, len, sc->file, 0, 0, &root, d);
    if (st != GICSIM_OK)
        goto fail;
    if ((st = yt_root_map(root, sc->file, root ? root->line : 1, root ? root->col : 1,
                          "the scenario is empty: expected a mapping with at least \"name\" and "
                          "\"run.duration\"",
                          "a scenario must be a mapping (key: value lines)", d)) != GICSIM_OK ||
        (st = sc_apply_overrides(root, overrides, n_overrides, d)) != GICSIM_OK ||
        (st = validate(sc, root, d)) != GICSIM_OK)
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

const char *gicsim_scenario_description(const gicsim_scenario *sc)
{
    return sc ? sc->description : NULL;
}

gicsim_time_t gicsim_scenario_duration(const gicsim_scenario *sc)
{
    return sc ? sc->duration : 0;
}

uint64_t gicsim_scenario_seed(const gicsim_scenario *sc)
{
    return sc ? sc->seed : 0;
}

uint32_t gicsim_scenario_replications(const gicsim_scenario *sc)
{
    return sc ? sc->replications : 1;
}

gicsim_status gicsim_scenario_set_seed(gicsim_scenario *sc, uint64_t seed)
{
    if (!sc)
        return GICSIM_E_INVAL;
    sc->seed = seed;
    for (size_t i = 0; i < sc->n_src; i++)
        if (!sc->src[i].seed_set)
            sc->src[i].cfg.seed = seed;
    return GICSIM_OK;
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

const char *gicsim_scenario_vm_policy(const gicsim_scenario *sc, size_t i)
{
    return sc && i < sc->n_vms ? sc->vms[i].policy : NULL;
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

const gicsim_gic_config *gicsim_scenario_gic(const gicsim_scenario *sc)
{
    return sc ? &sc->gic : NULL;
}

const char *gicsim_scenario_gic_version(const gicsim_scenario *sc)
{
    return sc ? sc_gic_version_name(sc->gic.version) : NULL;
}

const char *gicsim_scenario_policy_gic_version(const gicsim_scenario *sc, const char *policy)
{
    const gicsim_hyp_policy *p = policy ? gicsim_hyp_policy_find(policy) : NULL;
    if (!sc || (policy && !p))
        return NULL;
    if (!p && sc->n_vms)
        p = gicsim_hyp_policy_find(sc->vms[0].cfg.policy);
    gicsim_gic_config g;
    sc_gic_for_policy(&sc->gic, p, &g);
    return sc_gic_version_name(p ? g.version : sc->gic.version);
}

const char *gicsim_scenario_policy_unsupported(const gicsim_scenario *sc, const char *policy)
{
    const gicsim_hyp_policy *p = gicsim_hyp_policy_find(policy);
    if (!sc || !p)
        return "is not a registered policy";
    return sc_policy_unsupported(&sc->gic, p);
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
        sc_policy_list(list, sizeof list);
        return yt_diag(d, GICSIM_E_NOTFOUND, sc->file, 0, 0, "policy",
                       "unknown policy \"%.80s\" (known: %s)", policy, list);
    }
    if (policy) {
        const char *why = sc_policy_unsupported(&sc->gic, gicsim_hyp_policy_find(policy));
        if (why)
            return yt_diag(d, GICSIM_E_UNSUPPORTED, sc->file, 0, 0, "policy",
                           "policy \"%s\" %s (this scenario's GIC: %s%s)", policy, why,
                           sc_gic_version_name(sc->gic.version),
                           sc->gic.its ? " with an ITS" : ", no ITS");
    }
    gicsim_system_config cfg;
    gicsim_system_config_init(&cfg);
    /* The GIC of the policy's architecture (each VM's own: they share one). */
    const char *pol = policy ? policy : sc->n_vms ? sc->vms[0].cfg.policy : NULL;
    sc_gic_for_policy(&sc->gic, pol ? gicsim_hyp_policy_find(pol) : NULL, &cfg.gic);
    if (!pol)
        cfg.gic = sc->gic;
    cfg.gic.timing = NULL;
    cfg.timing = sc->plat.timing;
    cfg.vhe = sc->plat.vhe;
    cfg.kvm = sc->plat.kvm;
    cfg.kick_sgi = sc->kick_sgi;
    cfg.host_tick_ppi = sc->tick_ppi;
    cfg.variation = sc->plat.variation;
    cfg.variation.seed = sc->seed;
    gicsim_system *sys = NULL;
    gicsim_status st = gicsim_system_create(&cfg, &sys);
    if (st != GICSIM_OK)
        return yt_diag(d, st, sc->gic_at.file, sc->gic_at.line, sc->gic_at.col, "gic",
                       "cannot create the system: %s", gicsim_strerror(st));
    if ((st = gicsim_system_set_latency_bits(sys, sc->latency_bits)) != GICSIM_OK) {
        gicsim_system_destroy(sys);
        return yt_diag(d, st, sc->file, 0, 0, "run.latency_bits",
                       "cannot create the latency histograms: %s", gicsim_strerror(st));
    }
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

/* A distribution as {"dist": KIND, PARAMS}; a time distribution's values
 * as times. */
static void json_dist(jbuf *b, const char *key, const gicsim_dist *d, bool time)
{
    jopen(b, key, '{');
    jmember_str(b, "dist", gicsim_dist_kind_name(d->kind));
    static const char *const names[][2] = {{NULL, NULL},   {"value", NULL},     {"min", "max"},
                                           {"mean", "sd"}, {"median", "sigma"}, {NULL, NULL}};
    const double v[2] = {d->a, d->b};
    for (int j = 0; j < 2 && d->kind <= GICSIM_DIST_EMPIRICAL; j++) {
        const char *n = names[d->kind][j];
        if (!n)
            continue;
        if (time && strcmp(n, "sigma"))
            jmember_time(b, n, (gicsim_time_t)llround(v[j]));
        else
            jmember_double(b, n, v[j]);
    }
    if (d->kind == GICSIM_DIST_EMPIRICAL) {
        jopen(b, "points", '[');
        for (uint32_t i = 0; i < d->n; i++) {
            if (time)
                jmember_time(b, NULL, (gicsim_time_t)llround(d->x[i]));
            else
                jmember_double(b, NULL, d->x[i]);
        }
        jclose(b, ']');
        jopen(b, "weights", '[');
        for (uint32_t i = 0; i < d->n; i++)
            jmember_double(b, NULL, d->w[i]);
        jclose(b, ']');
    }
    jclose(b, '}');
}

static void json_time_or(jbuf *b, const char *key, gicsim_time_t t, const char *word)
{
    if (t == GICSIM_TIME_NEVER)
        jmember_str(b, key, word);
    else
        jmember_time(b, key, t);
}

/* The settings of GICSIM_VARIATION_LIST, in its order, each under its path;
 * `only` (may be NULL): the settings to write (platform_overrides'). */
static void json_variation(jbuf *b, const gicsim_variation *v, const bool *only)
{
    static const char *const trig[] = {"vcpu-switch", "migration", "idle"};
    static const char *const paths[] = {"all", "host", "guest"};
    jopen(b, "variation", '{');
    for (int i = 0; i < GICSIM_SETTING__COUNT; i++) {
        if (only && !only[i])
            continue;
        const char *p = gicsim_setting_path((gicsim_setting_id)i);
        switch ((gicsim_setting_id)i) {
        case GICSIM_SETTING_IDLE_STATES:
            jopen(b, p, '[');
            for (uint32_t k = 0; k < v->n_idle_states; k++) {
                jopen(b, NULL, '{');
                jmember_str(b, "name", v->idle_states[k].name);
                jmember_time(b, "exit", v->idle_states[k].exit_latency);
                jmember_time(b, "residency", v->idle_states[k].residency);
                jmember_bool(b, "cold", v->idle_states[k].cold);
                jclose(b, '}');
            }
            jclose(b, ']');
            break;
        case GICSIM_SETTING_IDLE_GOVERNOR:
            jmember_str(b, p, v->governor == GICSIM_GOV_TEO ? "teo" : "menu");
            break;
        case GICSIM_SETTING_IDLE_LATENCY_LIMIT:
            json_time_or(b, p, v->latency_limit, "none");
            break;
        case GICSIM_SETTING_TICK_RATE:
            jmember_double(b, p, v->tick_hz);
            break;
        case GICSIM_SETTING_TICK_COST:
            json_dist(b, p, &v->tick_cost, true);
            break;
        case GICSIM_SETTING_TICK_PHASE:
            json_time_or(b, p, v->tick_phase, "random");
            break;
        case GICSIM_SETTING_TICK_NOHZ:
            jmember_bool(b, p, v->tick_nohz);
            break;
        case GICSIM_SETTING_WORK_RATE:
            jmember_double(b, p, v->work_hz);
            break;
        case GICSIM_SETTING_WORK_COST:
            json_dist(b, p, &v->work_cost, true);
            break;
        case GICSIM_SETTING_COLD_MULTIPLIER:
            jmember_double(b, p, v->cold_multiplier);
            break;
        case GICSIM_SETTING_COLD_WORK:
            jmember_time(b, p, v->cold_work);
            break;
        case GICSIM_SETTING_COLD_AFTER:
            jopen(b, p, '[');
            for (unsigned k = 0; k < 3; k++)
                if (v->cold_after & (1u << k))
                    jmember_str(b, NULL, trig[k]);
            jclose(b, ']');
            break;
        case GICSIM_SETTING_COLD_IDLE:
            jmember_time(b, p, v->cold_idle);
            break;
        case GICSIM_SETTING_JITTER_ALL:
            json_dist(b, p, &v->jitter_all, false);
            break;
        case GICSIM_SETTING_JITTER_COST:
            for (uint32_t k = 0; k < v->n_jitter; k++) {
                char key[80];
                snprintf(key, sizeof key, "jitter.%s", gicsim_cost_name(v->jitter_cost[k]));
                json_dist(b, key, &v->jitter[k], false);
            }
            break;
        case GICSIM_SETTING_JITTER_RUN:
            json_dist(b, p, &v->jitter_run, false);
            break;
        case GICSIM_SETTING_INTERFERENCE_MULTIPLIER:
            jmember_double(b, p, v->interference_multiplier);
            break;
        case GICSIM_SETTING_INTERFERENCE_ON:
            jmember_time(b, p, v->interference_on);
            break;
        case GICSIM_SETTING_INTERFERENCE_OFF:
            jmember_time(b, p, v->interference_off);
            break;
        case GICSIM_SETTING_INTERFERENCE_START:
            jmember_time(b, p, v->interference_start);
            break;
        case GICSIM_SETTING_INTERFERENCE_PATHS:
            jmember_str(b, p, paths[v->interference_paths]);
            break;
        default:
            break;
        }
    }
    jclose(b, '}');
}

static void json_platform(jbuf *b, const gicsim_scenario *sc)
{
    const sc_platform *p = &sc->plat;
    jopen(b, "platform", '{');
    jmember_str(b, "name", p->name);
    jmember_str(b, "file", base_name(p->file));
    jmember_str(b, "description", p->description);
    jmember_bool(b, "vhe", p->vhe);
    jopen(b, "kvm", '{');
    jmember_str(b, "sgi_lookup", sc_sgi_lookup_name(p->kvm.sgi_lookup));
    jmember_u64(b, "vpt_poll_delay_ps", p->kvm.vpt_poll_delay);
    jmember_str(b, "vpt_wait", sc_vpt_wait_name(p->kvm.vpt_wait));
    jclose(b, '}');
    jopen(b, "clocks", '{');
    for (int dmn = 0; dmn < GICSIM_CLK__COUNT; dmn++)
        jmember_u64(b, gicsim_clock_name((gicsim_clock_domain)dmn), p->timing.clock_hz[dmn]);
    jclose(b, '}');
    jopen(b, "costs", '{');
    for (int i = 0; i < GICSIM_COST__COUNT; i++) {
        const char *name = gicsim_cost_name((gicsim_cost_id)i);
        /* The GICv5 costs only where the GIC is a GICv5: nothing else reads them. */
        if (sc->gic.version != GICSIM_GICV5 && !strncmp(name, "gicv5_", 6))
            continue;
        jmember_u64(b, name, p->timing.cycles[i]);
    }
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
    /* Only when a source of spread is on: the resolved configurations of
     * the platforms without any stay byte for byte what they were. */
    if (gicsim_variation_active(&p->variation))
        json_variation(b, &p->variation, NULL);
    jclose(b, '}');

    jopen(b, "platform_overrides", '{');
    if (sc->ovr_vhe)
        jmember_bool(b, "vhe", p->vhe);
    if (sc->ovr_sgi_lookup || sc->ovr_vpt_poll_delay || sc->ovr_vpt_wait) {
        jopen(b, "kvm", '{');
        if (sc->ovr_sgi_lookup)
            jmember_str(b, "sgi_lookup", sc_sgi_lookup_name(p->kvm.sgi_lookup));
        if (sc->ovr_vpt_poll_delay)
            jmember_u64(b, "vpt_poll_delay_ps", p->kvm.vpt_poll_delay);
        if (sc->ovr_vpt_wait)
            jmember_str(b, "vpt_wait", sc_vpt_wait_name(p->kvm.vpt_wait));
        jclose(b, '}');
    }
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
    bool any = false;
    for (int i = 0; i < GICSIM_SETTING__COUNT; i++)
        any |= sc->ovr_variation[i];
    if (any)
        json_variation(b, &p->variation, sc->ovr_variation);
    jclose(b, '}');
}

static void json_source(jbuf *b, const gicsim_scenario *sc, const sc_source *so)
{
    const gicsim_source_config *c = &so->cfg;
    const bool spi = c->kind == GICSIM_SRC_SPI_EDGE || c->kind == GICSIM_SRC_SPI_LEVEL;
    jopen(b, NULL, '{');
    jmember_str(b, "name", so->name);
    jmember_str(b, "kind", sc_kind_names[c->kind]);
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
    if (c->iwb) /* only when set: the key is GICv5's */
        jmember_bool(b, "iwb", true);
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
    jmember_str(b, "kind", sc_arrival_names[so->arrival]);
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
    jmember_u64(&b, "sockets", g->sockets);
    jmember_bool(&b, "vpt_dirty", g->vpt_dirty);
    if (g->version == GICSIM_GICV5)
        jmember_u64(&b, "iwb_wires", g->iwb_wires);
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
    /* Only when set: the resolved configurations of the runs before the
     * setting existed stay byte for byte what they were. */
    if (sc->latency_bits != GICSIM_HISTOGRAM_BITS_DEFAULT)
        jmember_u64(&b, "latency_bits", sc->latency_bits);
    if (sc->replications != 1)
        jmember_u64(&b, "replications", sc->replications);
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
        cfg->kvm = sc->plat.kvm;
        cfg->iterations = sc->mb_iterations;
        cfg->vcpus = sc->mb_vcpus;
        cfg->gic = sc->mb_gic;
        cfg->vpt_dirty = sc->mb_vpt_dirty;
        cfg->variation = sc->plat.variation;
        cfg->variation.seed = sc->seed;
    }
    if (tests)
        memcpy(tests, sc->mb_tests, sc->mb_n * sizeof *tests);
    if (n_tests)
        *n_tests = sc->mb_n;
    return true;
}
