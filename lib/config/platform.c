/* gicsim: platform presets (see gicsim/platform.h and docs/scenarios.md):
 * finding a preset by name (search order: the caller's directory,
 * $GICSIM_PLATFORM_PATH, the installed presets, the source tree's), reading
 * and validating it (name, description, vhe, clocks, costs and the
 * calibration block: reference, uncertainty, measured, fit_method, facts,
 * fitted, predicts), and the public
 * platform object. The scenario and script loaders load presets through
 * sc_platform_load and apply a scenario's platform_overrides with
 * sc_platform_apply_keys (yaml_tree.h); this file uses nothing of theirs. */
#include "yaml_tree.h"

#include <gicsim/platform.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* gicsim_platform_load's first directory for a preset name. */
#define PRESET_CWD_DIR "configs/platforms"

/* ---- The calibration block ---------------------------------------------------------- */

static void test_names(char *buf, size_t size)
{
    buf[0] = '\0';
    for (int t = 0; t < GICSIM_MB__COUNT; t++) {
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "%s%s", t ? ", " : "", gicsim_mb_test_name((gicsim_mb_test)t));
    }
}

static gicsim_status unknown_test(gicsim_diag *d, const char *file, unsigned line, unsigned col,
                                  const char *key, const char *name)
{
    char known[256];
    test_names(known, sizeof known);
    return yt_diag(d, GICSIM_E_INVAL, file, line, col, key,
                   "unknown micro-bench test \"%.80s\" (known: %s)", name, known);
}

/* A plain scalar in decimal notation ("306", "14.5", "1.2e3"): no hex, inf
 * or nan. */
static bool parse_number(const char *s, double *out)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' || *c == '+' ||
              *c == '-'))
            return false;
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* "8%", "2.5%": a relative uncertainty in (0, 100%] as a fraction. */
gicsim_status sc_parse_percent(const yt_node *n, const char *key, double *out, gicsim_diag *d)
{
    char buf[64];
    double v;
    size_t l = n && n->kind == YT_SCALAR && n->plain ? strlen(n->str) : 0;
    if (l < 2 || l >= sizeof buf || n->str[l - 1] != '%') {
        char got[128];
        if (n && n->kind == YT_SCALAR && !yt_is_null(n))
            snprintf(got, sizeof got, "%s%.80s%s", n->plain ? "" : "a string \"", n->str,
                     n->plain ? "" : "\"");
        else
            snprintf(got, sizeof got, "%s", yt_type_name(n));
        return yt_diag(d, GICSIM_E_INVAL, n ? n->file : "", n ? n->line : 0, n ? n->col : 0, key,
                       "expected a relative uncertainty such as 3%% or 2.5%%, got %s", got);
    }
    memcpy(buf, n->str, l - 1);
    buf[l - 1] = '\0';
    if (!parse_number(buf, &v) || !(v > 0) || v > 100)
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, key,
                       "%s: an uncertainty is a percentage greater than 0 and at most 100%%",
                       n->str);
    *out = v / 100;
    return GICSIM_OK;
}

/* A figure's `percentiles: {pNN: NS, ...}` (NN in (0, 100), ascending,
 * each ns > 0 and none below the one before, at most GICSIM_MB_MAX_PERCENTILES) into sp. */
static gicsim_status parse_percentiles(const yt_node *n, const char *kp, gicsim_mb_spread *sp,
                                       gicsim_diag *d)
{
    if (n->kind != YT_MAP || n->n == 0)
        return yt_node_err(d, n, kp, "expected a mapping {p10: NS, p90: NS, ...}, got %s",
                           yt_type_name(n));
    if (n->n > GICSIM_MB_MAX_PERCENTILES)
        return yt_node_err(d, n, kp, "at most %d percentiles", GICSIM_MB_MAX_PERCENTILES);
    for (size_t i = 0; i < n->n; i++) {
        const yt_pair *p = &n->pairs[i];
        char sub[320];
        double pct = 0;
        yt_path(sub, sizeof sub, kp, p->key);
        if (p->key[0] != 'p' || !parse_number(p->key + 1, &pct) || !(pct > 0 && pct < 100) ||
            (i && pct <= sp->pct[i - 1]))
            return yt_diag(d, GICSIM_E_INVAL, p->file, p->line, p->col, sub,
                           "a percentile is pNN with NN in (0, 100), listed in ascending order "
                           "(p10, p50, p99.9)");
        if (p->value->kind != YT_SCALAR || !p->value->plain ||
            !parse_number(p->value->str, &sp->pct_ns[i]) || !(sp->pct_ns[i] > 0))
            return yt_node_err(d, p->value, sub, "expected a number of ns greater than 0");
        /* A distribution's quantiles never fall as the percentile rises. */
        if (i && sp->pct_ns[i] < sp->pct_ns[i - 1])
            return yt_node_err(d, p->value, sub,
                               "below p%g's %g ns: a higher percentile cannot be smaller",
                               sp->pct[i - 1], sp->pct_ns[i - 1]);
        sp->pct[i] = pct;
    }
    sp->n_pct = n->n;
    return GICSIM_OK;
}

/* A figure's `runs: [NS, ...]`: its value in each of 2 to GICSIM_MB_MAX_RUNS runs. */
static gicsim_status parse_runs(const yt_node *n, const char *kp, gicsim_mb_spread *sp,
                                gicsim_diag *d)
{
    TRY(yt_check_seq(n, kp, d));
    if (n->kind != YT_SEQ || n->n < 2 || n->n > GICSIM_MB_MAX_RUNS)
        return yt_node_err(d, n, kp, "expected the figures of 2 to %d runs", GICSIM_MB_MAX_RUNS);
    for (size_t i = 0; i < n->n; i++) {
        char sub[320];
        const yt_node *v = n->items[i];
        yt_path_index(sub, sizeof sub, kp, i);
        if (v->kind != YT_SCALAR || !v->plain || !parse_number(v->str, &sp->runs_ns[i]) ||
            !(sp->runs_ns[i] > 0))
            return yt_node_err(d, v, sub, "expected a number of ns greater than 0");
    }
    sp->n_runs = n->n;
    return GICSIM_OK;
}

/* One figure: NS or {ns: NS, uncertainty: P%, source: TEXT, percentiles:
 * {pNN: NS}, runs: [NS, ...]}. */
static gicsim_status parse_figure(const yt_node *val, const char *kp, double *ns, double *unc,
                                  const char **source, gicsim_mb_spread *sp, gicsim_diag *d)
{
    static const char *const keys[] = {"ns", "uncertainty", "source", "percentiles", "runs", NULL};
    if (val->kind == YT_MAP) {
        TRY(yt_check_map(val, kp, keys, d));
        char sub[300];
        const yt_node *x;
        if ((x = yt_map_get(val, "percentiles"))) {
            yt_path(sub, sizeof sub, kp, "percentiles");
            TRY(parse_percentiles(x, sub, sp, d));
        }
        if ((x = yt_map_get(val, "runs"))) {
            yt_path(sub, sizeof sub, kp, "runs");
            TRY(parse_runs(x, sub, sp, d));
        }
        if ((x = yt_map_get(val, "uncertainty"))) {
            yt_path(sub, sizeof sub, kp, "uncertainty");
            TRY(sc_parse_percent(x, sub, unc, d));
        }
        if ((x = yt_map_get(val, "source"))) {
            yt_path(sub, sizeof sub, kp, "source");
            TRY(yt_get_str(x, sub, source, d));
            if (!**source)
                return yt_diag(d, GICSIM_E_INVAL, x->file, x->line, x->col, sub,
                               "must not be empty");
        }
        if (!(x = yt_map_get(val, "ns")))
            return yt_missing(d, val, kp, "ns");
        yt_path(sub, sizeof sub, kp, "ns");
        return parse_figure(x, sub, ns, unc, source, sp, d);
    }
    if (val->kind != YT_SCALAR || !val->plain || !parse_number(val->str, ns)) {
        char got[128];
        if (val->kind == YT_SCALAR && !yt_is_null(val) && val->plain)
            snprintf(got, sizeof got, "%.80s", val->str);
        else if (val->kind == YT_SCALAR && !yt_is_null(val))
            snprintf(got, sizeof got, "a string \"%.80s\"", val->str);
        else
            snprintf(got, sizeof got, "%s", yt_type_name(val));
        return yt_diag(d, GICSIM_E_INVAL, val->file, val->line, val->col, kp,
                       "expected a number of ns (or {ns: NS, uncertainty: P%%, source: TEXT}), "
                       "got %s",
                       got);
    }
    if (!(*ns > 0))
        return yt_diag(d, GICSIM_E_INVAL, val->file, val->line, val->col, kp,
                       "%s must be greater than 0", val->str);
    return GICSIM_OK;
}

gicsim_status sc_parse_measured(const yt_node *n, const char *path, gicsim_mb_test *tests,
                                double *ns, double *unc, const char **source,
                                gicsim_mb_spread *spread, size_t *count, gicsim_diag *d)
{
    *count = 0;
    if (yt_is_null(n))
        return GICSIM_OK;
    if (n->kind != YT_MAP)
        return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, path,
                       "expected a mapping of micro-bench test names to figures in ns, got %s",
                       yt_type_name(n));
    for (size_t i = 0; i < n->n; i++) {
        const yt_pair *p = &n->pairs[i];
        char kp[256];
        gicsim_mb_test t;
        yt_path(kp, sizeof kp, path, p->key);
        if (gicsim_mb_test_lookup(p->key, &t) != GICSIM_OK)
            return unknown_test(d, p->file, p->line, p->col, kp, p->key);
        /* A key repeated in one mapping is a parse error already. */
        tests[*count] = t;
        unc[*count] = 0;
        source[*count] = NULL;
        memset(&spread[*count], 0, sizeof spread[*count]);
        TRY(parse_figure(p->value, kp, &ns[*count], &unc[*count], &source[*count], &spread[*count],
                         d));
        ++*count;
    }
    return GICSIM_OK;
}

static bool has_test(const gicsim_mb_test *v, size_t n, gicsim_mb_test t)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == t)
            return true;
    return false;
}

/* A list of cost names at `path` (no repeats) into ids[], *count set. */
static gicsim_status parse_cost_list(const yt_node *n, const char *path, gicsim_cost_id *ids,
                                     size_t *count, gicsim_diag *d)
{
    *count = 0;
    TRY(yt_check_seq(n, path, d));
    size_t cnt = n->kind == YT_SEQ ? n->n : 0;
    for (size_t i = 0; i < cnt; i++) {
        char kp[64];
        const char *s;
        gicsim_cost_id id;
        const yt_node *it = n->items[i];
        yt_path_index(kp, sizeof kp, path, i);
        TRY(yt_get_str(it, kp, &s, d));
        if (gicsim_cost_lookup(s, &id) != GICSIM_OK)
            return yt_diag(d, GICSIM_E_INVAL, it->file, it->line, it->col, kp,
                           "unknown cost \"%.80s\" (the names are those of GICSIM_COST_LIST, "
                           "see docs/scenarios.md)",
                           s);
        for (size_t k = 0; k < *count; k++)
            if (ids[k] == id)
                return yt_diag(d, GICSIM_E_INVAL, it->file, it->line, it->col, kp,
                               "cost \"%s\" is listed twice", s);
        ids[(*count)++] = id;
    }
    return GICSIM_OK;
}

gicsim_status sc_parse_tests(const yt_node *n, const char *path, gicsim_mb_test *tests,
                             size_t *n_tests, gicsim_diag *d)
{
    *n_tests = 0;
    TRY(yt_check_seq(n, path, d));
    size_t cnt = n->kind == YT_SEQ ? n->n : 0;
    for (size_t i = 0; i < cnt; i++) {
        char kp[256];
        const char *s;
        gicsim_mb_test t;
        const yt_node *it = n->items[i];
        yt_path_index(kp, sizeof kp, path, i);
        TRY(yt_get_str(it, kp, &s, d));
        if (gicsim_mb_test_lookup(s, &t) != GICSIM_OK)
            return unknown_test(d, it->file, it->line, it->col, kp, s);
        if (has_test(tests, *n_tests, t))
            return yt_diag(d, GICSIM_E_INVAL, it->file, it->line, it->col, kp,
                           "test \"%s\" is listed twice", s);
        tests[(*n_tests)++] = t;
    }
    return GICSIM_OK;
}

static gicsim_status parse_predicts(const yt_node *n, sc_platform *p, gicsim_diag *d)
{
    TRY(sc_parse_tests(n, "predicts", p->predicts, &p->n_predicts, d));
    for (size_t i = 0; i < p->n_predicts; i++) {
        if (!has_test(p->measured_test, p->n_measured, p->predicts[i]))
            continue;
        char kp[64];
        const yt_node *it = n->items[i];
        yt_path_index(kp, sizeof kp, "predicts", i);
        return yt_diag(d, GICSIM_E_INVAL, it->file, it->line, it->col, kp,
                       "\"%s\" is in measured: a figure the preset was fitted to is not a "
                       "prediction",
                       gicsim_mb_test_name(p->predicts[i]));
    }
    return GICSIM_OK;
}

/* The calibration keys of a preset mapping `root` (reference, measured,
 * fitted, predicts, with their cross-checks) into `p`. */
static gicsim_status parse_calibration(const yt_node *root, sc_platform *p, gicsim_diag *d)
{
    const yt_node *n;
    if ((n = yt_map_get(root, "reference"))) {
        const char *s;
        TRY(yt_get_str(n, "reference", &s, d));
        if (!*s)
            return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, "reference",
                           "must not be empty");
        free(p->reference);
        if (!(p->reference = strdup(s)))
            return yt_diag(d, GICSIM_E_NOMEM, "", 0, 0, "", "out of memory");
    }
    if ((n = yt_map_get(root, "measured"))) {
        const char *src[GICSIM_MB__COUNT];
        TRY(sc_parse_measured(n, "measured", p->measured_test, p->measured_ns, p->measured_unc, src,
                              p->measured_spread, &p->n_measured, d));
        for (size_t i = 0; i < p->n_measured; i++)
            if (src[i] && !(p->measured_source[i] = strdup(src[i])))
                return yt_nomem(d);
    }
    if ((n = yt_map_get(root, "uncertainty")))
        TRY(sc_parse_percent(n, "uncertainty", &p->uncertainty, d));
    if ((n = yt_map_get(root, "fit_method"))) {
        static const char *const methods[] = {"exact", "map", NULL};
        unsigned k = 0;
        TRY(yt_get_enum(n, "fit_method", methods, &k, d));
        p->fit_map = k == 1;
    }
    if ((n = yt_map_get(root, "facts")))
        TRY(parse_cost_list(n, "facts", p->facts, &p->n_facts, d));
    if ((n = yt_map_get(root, "fitted"))) {
        TRY(parse_cost_list(n, "fitted", p->fitted, &p->n_fitted, d));
        for (size_t i = 0; i < p->n_fitted; i++)
            for (size_t k = 0; k < p->n_facts; k++)
                if (p->fitted[i] == p->facts[k]) {
                    char kp[64];
                    const yt_node *it = n->items[i];
                    yt_path_index(kp, sizeof kp, "fitted", i);
                    return yt_diag(d, GICSIM_E_INVAL, it->file, it->line, it->col, kp,
                                   "cost \"%s\" is also in facts: a fact is not fitted",
                                   gicsim_cost_name(p->fitted[i]));
                }
        if (!p->fit_map && p->n_fitted > p->n_measured)
            return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, "fitted",
                           "%zu fitted costs but %zu measured values: an exact fit needs at "
                           "least as many measured values as costs (fit_method: map has priors)",
                           p->n_fitted, p->n_measured);
    }
    if ((n = yt_map_get(root, "predicts")))
        TRY(parse_predicts(n, p, d));
    if ((n = yt_map_get(root, "spread_fitted")))
        TRY(sc_parse_spread_params(n, "spread_fitted", &p->variation, p->spread_fitted,
                                   &p->n_spread_fitted, d));
    return GICSIM_OK;
}

gicsim_status sc_parse_spread_params(const yt_node *n, const char *path, const gicsim_variation *v,
                                     char (*params)[GICSIM_SPREAD_PARAM_LEN], size_t *count,
                                     gicsim_diag *d)
{
    *count = 0;
    TRY(yt_check_seq(n, path, d));
    for (size_t i = 0; n->kind == YT_SEQ && i < n->n; i++) {
        char kp[64];
        const char *s;
        double x;
        const yt_node *it = n->items[i];
        yt_path_index(kp, sizeof kp, path, i);
        TRY(yt_get_str(it, kp, &s, d));
        if (i >= GICSIM_SPREAD_MAX_PARAMS)
            return yt_node_err(d, it, kp, "at most %d parameters", GICSIM_SPREAD_MAX_PARAMS);
        if (strlen(s) >= GICSIM_SPREAD_PARAM_LEN || gicsim_variation_param(v, s, &x) != GICSIM_OK)
            return yt_node_err(d, it, kp,
                               "\"%.80s\" is no parameter of this variation (a rate, factor or "
                               "time setting, or SETTING.P of a distribution it sets, e.g. "
                               "jitter.all.sigma; the variation must set it: its value starts "
                               "the fit)",
                               s);
        for (size_t k = 0; k < *count; k++)
            if (!strcmp(params[k], s))
                return yt_node_err(d, it, kp, "\"%s\" is listed twice", s);
        snprintf(params[(*count)++], GICSIM_SPREAD_PARAM_LEN, "%s", s);
    }
    return GICSIM_OK;
}

/* ---- Finding and loading a preset ------------------------------------------------------- */

static const char *const platform_keys[] = {"name",   "description", "vhe",           "kvm",
                                            "clocks", "costs",       "reference",     "measured",
                                            "fitted", "predicts",    "uncertainty",   "fit_method",
                                            "facts",  "variation",   "spread_fitted", NULL};

/* The host KVM's version-dependent behaviour (docs/scenarios.md). */
static const char *const sgi_lookup_names[] = {"mpidr-table", "vcpu-walk", NULL};

const char *sc_sgi_lookup_name(gicsim_sgi_lookup l)
{
    return (unsigned)l < 2 ? sgi_lookup_names[l] : "?";
}

static const char *const vpt_wait_names[] = {"commit", "load", NULL};

const char *sc_vpt_wait_name(gicsim_vpt_wait w)
{
    return (unsigned)w < 2 ? vpt_wait_names[w] : "?";
}

/* The enumerated key `key` of the `kvm` mapping at `kp`, when present, into
 * *idx; *set_flag (may be NULL) records that it was given. */
static gicsim_status kvm_enum(const yt_node *kvm, const char *kp, const char *key,
                              const char *const *names, unsigned *idx, bool *set_flag,
                              gicsim_diag *d)
{
    const yt_node *v = yt_map_get(kvm, key);
    if (!v)
        return GICSIM_OK;
    char sub[256];
    yt_path(sub, sizeof sub, kp, key);
    TRY(yt_get_enum(v, sub, names, idx, d));
    if (set_flag)
        *set_flag = true;
    return GICSIM_OK;
}

gicsim_status sc_platform_apply_kvm(const yt_node *kvm, const char *path, gicsim_kvm_config *k,
                                    const sc_platform_set *set, gicsim_diag *d)
{
    static const char *const kvm_keys[] = {"sgi_lookup", "vpt_poll_delay", "vpt_wait", NULL};
    char kp[256];
    yt_path(kp, sizeof kp, path, "kvm");
    TRY(yt_check_map(kvm, kp, kvm_keys, d));
    unsigned lookup = (unsigned)k->sgi_lookup, wait = (unsigned)k->vpt_wait;
    TRY(kvm_enum(kvm, kp, "sgi_lookup", sgi_lookup_names, &lookup, set ? set->sgi_lookup : NULL,
                 d));
    TRY(kvm_enum(kvm, kp, "vpt_wait", vpt_wait_names, &wait, set ? set->vpt_wait : NULL, d));
    k->sgi_lookup = (gicsim_sgi_lookup)lookup;
    k->vpt_wait = (gicsim_vpt_wait)wait;
    bool present = false;
    TRY(yt_opt_time(kvm, kp, "vpt_poll_delay", &k->vpt_poll_delay, &present, d));
    if (present && set && set->vpt_poll_delay)
        *set->vpt_poll_delay = true;
    return GICSIM_OK;
}

gicsim_status sc_platform_apply_keys(const yt_node *map, const char *path, sc_platform_vals vals,
                                     const sc_platform_set *set, gicsim_diag *d)
{
    char kp[256], sub[256];
    bool present;
    bool *vhe = vals.vhe, *set_vhe = set ? set->vhe : NULL;
    bool *set_clock = set ? set->clock : NULL, *set_cost = set ? set->cost : NULL;
    gicsim_timing *t = vals.timing;
    TRY(yt_opt_bool(map, path, "vhe", vhe, &present, d));
    if (set_vhe && present)
        *set_vhe = true;
    const yt_node *kvm = yt_map_get(map, "kvm");
    if (kvm)
        TRY(sc_platform_apply_kvm(kvm, path, vals.kvm, set, d));

    const yt_node *clocks = yt_map_get(map, "clocks");
    if (clocks) {
        static const char *const clock_keys[] = {"cpu", "gic", NULL};
        yt_path(kp, sizeof kp, path, "clocks");
        TRY(yt_check_map(clocks, kp, clock_keys, d));
        for (size_t i = 0; clocks->kind == YT_MAP && i < clocks->n; i++) {
            gicsim_clock_domain dom;
            yt_path(sub, sizeof sub, kp, clocks->pairs[i].key);
            if (gicsim_clock_lookup(clocks->pairs[i].key, &dom) != GICSIM_OK)
                return yt_node_err(d, clocks, sub, "unknown clock");
            TRY(yt_get_hz(clocks->pairs[i].value, sub, &t->clock_hz[dom], d));
            if (set_clock)
                set_clock[dom] = true;
        }
    }

    const yt_node *var = yt_map_get(map, "variation");
    if (var && vals.variation) {
        yt_path(kp, sizeof kp, path, "variation");
        TRY(sc_parse_variation(var, kp, vals.variation, set ? set->variation : NULL, d));
    }

    const yt_node *costs = yt_map_get(map, "costs");
    if (costs) {
        yt_path(kp, sizeof kp, path, "costs");
        if (!yt_is_null(costs) && costs->kind != YT_MAP)
            return yt_node_err(d, costs, kp,
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
    gicsim_kvm_config_init(&p.kvm);
    gicsim_variation_init(&p.variation);
    p.vhe = true;
    if (!(p.file = yt_strdup(path)))
        return yt_nomem(d);
    gicsim_status st = yt_read_file(path, &text, &len, d);
    if (st != GICSIM_OK) {
        sc_platform_free(&p);
        return st;
    }
    st = yt_parse(text, len, p.file, 0, 0, &root, d);
    free(text);
    if (st != GICSIM_OK)
        goto out;
    /* An empty preset is reported at 1:1, wherever its null document is. */
    if ((st = yt_root_map(root, p.file, 1, 1,
                          "the platform preset is empty: expected a mapping with at least \"name\"",
                          "a platform preset must be a mapping", d)) != GICSIM_OK ||
        (st = yt_check_map(root, "", platform_keys, d)) != GICSIM_OK)
        goto out;
    const yt_node *nn = yt_map_get(root, "name");
    if (!nn) {
        st = yt_missing(d, root, "", "name");
        goto out;
    }
    const char *pname;
    if ((st = yt_get_str(nn, "name", &pname, d)) != GICSIM_OK)
        goto out;
    if (strcmp(pname, name) != 0) {
        st = yt_node_err(d, nn, "name",
                         "preset name \"%.80s\" does not match its file name \"%.80s.yaml\"", pname,
                         name);
        goto out;
    }
    if (!(p.name = yt_strdup(pname))) {
        st = yt_nomem(d);
        goto out;
    }
    if ((st = yt_opt_strdup(root, "", "description", false, &p.description, d)) != GICSIM_OK ||
        (st = sc_platform_apply_keys(root, "",
                                     (sc_platform_vals){&p.vhe, &p.timing, &p.kvm, &p.variation},
                                     NULL, d)) != GICSIM_OK)
        goto out;
    st = parse_calibration(root, &p, d);
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
        return yt_nomem(d);
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
    char *dir = yt_dir_of(ref_file);
    if (!dir)
        return yt_nomem(d);
    size_t n = strlen(dir) + 16;
    char *rel = malloc(n);
    if (!rel) {
        free(dir);
        return yt_nomem(d);
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

/* The preset directories in search order: `first_dir` (may be NULL),
 * $GICSIM_PLATFORM_PATH, the installed presets, the source tree's. `visit`
 * gets each (not NUL-terminated: dir[0..len)) until it returns false. */
static void for_each_dir(const char *first_dir,
                         bool (*visit)(void *ctx, const char *dir, size_t len), void *ctx)
{
    if (first_dir && !visit(ctx, first_dir, strlen(first_dir)))
        return;
    const char *env = getenv("GICSIM_PLATFORM_PATH");
    while (env && *env) {
        const char *colon = strchr(env, ':');
        size_t len = colon ? (size_t)(colon - env) : strlen(env);
        if (len && !visit(ctx, env, len))
            return;
        env = colon ? colon + 1 : NULL;
    }
#ifdef GICSIM_PLATFORM_DIR
    if (!visit(ctx, GICSIM_PLATFORM_DIR, strlen(GICSIM_PLATFORM_DIR)))
        return;
#endif
#ifdef GICSIM_SOURCE_PLATFORM_DIR
    if (!visit(ctx, GICSIM_SOURCE_PLATFORM_DIR, strlen(GICSIM_SOURCE_PLATFORM_DIR)))
        return;
#endif
}

typedef struct find_ctx {
    const char *name;
    sc_platform *out;
    gicsim_diag *d;
    gicsim_status st;
    bool found;
    char searched[400];
} find_ctx;

static bool find_in(void *ctx, const char *dir, size_t len)
{
    find_ctx *f = ctx;
    f->st = try_dir(dir, len, f->name, f->out, &f->found, f->searched, sizeof f->searched, f->d);
    return f->st == GICSIM_OK && !f->found;
}

/* ---- The presets a name can find ------------------------------------------------------ */

typedef struct names_ctx {
    char **v;
    size_t n, cap;
    bool oom;
} names_ctx;

static bool add_names_of(void *ctx, const char *dir, size_t len)
{
    names_ctx *c = ctx;
    char path[1024];
    snprintf(path, sizeof path, "%.*s", (int)(len < sizeof path ? len : sizeof path - 1), dir);
    DIR *dp = opendir(path);
    if (!dp)
        return true;
    for (struct dirent *e; !c->oom && (e = readdir(dp));) {
        size_t l = strlen(e->d_name);
        if (l <= 5 || strcmp(e->d_name + l - 5, ".yaml") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(l - 5 < 255 ? l - 5 : 255), e->d_name);
        bool dup = !valid_platform_name(name);
        for (size_t i = 0; i < c->n && !dup; i++)
            dup = strcmp(c->v[i], name) == 0;
        if (dup)
            continue;
        if (c->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 16;
            char **nv = realloc(c->v, cap * sizeof *nv);
            if (!nv) {
                c->oom = true;
                break;
            }
            c->v = nv;
            c->cap = cap;
        }
        if (!(c->v[c->n] = yt_strdup(name)))
            c->oom = true;
        else
            c->n++;
    }
    closedir(dp);
    return !c->oom;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The preset names found from `first_dir` on, sorted. */
static gicsim_status list_names(const char *first_dir, char ***names, size_t *n)
{
    names_ctx c = {0};
    for_each_dir(first_dir, add_names_of, &c);
    if (c.oom) {
        gicsim_platform_names_free(c.v, c.n);
        return GICSIM_E_NOMEM;
    }
    if (c.n)
        qsort(c.v, c.n, sizeof *c.v, cmp_names);
    *names = c.v;
    *n = c.n;
    return GICSIM_OK;
}

gicsim_status gicsim_platform_names(char ***names, size_t *n)
{
    if (!names || !n)
        return GICSIM_E_INVAL;
    *names = NULL;
    *n = 0;
    return list_names(PRESET_CWD_DIR, names, n);
}

void gicsim_platform_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

gicsim_status sc_platform_find(const char *name, const char *first_dir, const yt_node *at,
                               const char *key, sc_platform *out, gicsim_diag *d)
{
    if (!valid_platform_name(name))
        return name_err(d, at, key, GICSIM_E_INVAL,
                        "invalid platform name \"%.80s\": a preset name (letters, digits, "
                        "'-', '_', '.'), not a path",
                        name);
    find_ctx f = {.name = name, .out = out, .d = d, .st = GICSIM_OK};
    for_each_dir(first_dir, find_in, &f);
    if (f.st != GICSIM_OK || f.found)
        return f.st;
    /* Unknown: the presets there are, the nearest first when one is close. */
    char **names = NULL;
    size_t n = 0;
    char avail[300] = "", hint[128] = "";
    if (list_names(first_dir, &names, &n) == GICSIM_OK) {
        size_t best_d = 3;
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(avail);
            snprintf(avail + l, sizeof avail - l, "%s%s", i ? ", " : "", names[i]);
            size_t e = yt_edit_distance(name, names[i]);
            if (e < best_d) {
                best_d = e;
                snprintf(hint, sizeof hint, " (did you mean \"%.80s\"?)", names[i]);
            }
        }
        gicsim_platform_names_free(names, n);
    }
    return name_err(d, at, key, GICSIM_E_NOTFOUND,
                    "unknown platform \"%.80s\"%s: no %.80s.yaml in %s; presets: %s", name, hint,
                    name, f.searched, n ? avail : "none");
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

void sc_platform_free(sc_platform *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->file);
    free(p->description);
    free(p->reference);
    for (size_t i = 0; i < GICSIM_MB__COUNT; i++)
        free(p->measured_source[i]);
    memset(p, 0, sizeof *p);
}

/* ---- The public object ------------------------------------------------------------------ */

struct gicsim_platform {
    sc_platform p;
};

static bool is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') || (n >= 5 && strcmp(s + n - 5, ".yaml") == 0);
}

gicsim_status gicsim_platform_load(const char *name_or_path, gicsim_platform **out,
                                   gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (out)
        *out = NULL;
    if (!name_or_path || !out)
        return yt_diag(diag, GICSIM_E_INVAL, "", 0, 0, "", "no platform or no result pointer");
    gicsim_platform *pl = calloc(1, sizeof *pl);
    if (!pl)
        return yt_diag(diag, GICSIM_E_NOMEM, "", 0, 0, "", "out of memory");
    gicsim_status st = is_path(name_or_path) ? sc_platform_load_file(name_or_path, &pl->p, diag)
                                             : sc_platform_find(name_or_path, PRESET_CWD_DIR, NULL,
                                                                "platform", &pl->p, diag);
    if (st != GICSIM_OK) {
        free(pl);
        return st;
    }
    *out = pl;
    return GICSIM_OK;
}

void gicsim_platform_free(gicsim_platform *p)
{
    if (!p)
        return;
    sc_platform_free(&p->p);
    free(p);
}

const char *gicsim_platform_name(const gicsim_platform *p)
{
    return p ? p->p.name : NULL;
}

const char *gicsim_platform_description(const gicsim_platform *p)
{
    return p ? p->p.description : NULL;
}

const char *gicsim_platform_file(const gicsim_platform *p)
{
    return p ? p->p.file : NULL;
}

const gicsim_kvm_config *gicsim_platform_kvm(const gicsim_platform *p)
{
    return p ? &p->p.kvm : NULL;
}

bool gicsim_platform_vhe(const gicsim_platform *p)
{
    return p ? p->p.vhe : true;
}

const gicsim_timing *gicsim_platform_timing(const gicsim_platform *p)
{
    return p ? &p->p.timing : NULL;
}

void gicsim_platform_mb_config(const gicsim_platform *p, gicsim_mb_config *cfg)
{
    if (!cfg)
        return;
    gicsim_mb_config_init(cfg);
    if (!p)
        return;
    cfg->timing = p->p.timing;
    cfg->vhe = p->p.vhe;
    cfg->kvm = p->p.kvm;
    cfg->variation = p->p.variation;
}

const gicsim_variation *gicsim_platform_variation(const gicsim_platform *p)
{
    return p ? &p->p.variation : NULL;
}

const gicsim_mb_spread *gicsim_platform_measured_spread(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_measured ? &p->p.measured_spread[i] : NULL;
}

size_t gicsim_platform_spread_fitted_count(const gicsim_platform *p)
{
    return p ? p->p.n_spread_fitted : 0;
}

const char *gicsim_platform_spread_fitted(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_spread_fitted ? p->p.spread_fitted[i] : NULL;
}

const char *gicsim_platform_reference(const gicsim_platform *p)
{
    return p ? p->p.reference : NULL;
}

size_t gicsim_platform_measured_count(const gicsim_platform *p)
{
    return p ? p->p.n_measured : 0;
}

gicsim_mb_test gicsim_platform_measured_test(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_measured ? p->p.measured_test[i] : GICSIM_MB__COUNT;
}

double gicsim_platform_measured_ns(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_measured ? p->p.measured_ns[i] : 0.0;
}

bool gicsim_platform_find_measured(const gicsim_platform *p, gicsim_mb_test test, double *ns)
{
    for (size_t i = 0; p && i < p->p.n_measured; i++)
        if (p->p.measured_test[i] == test) {
            if (ns)
                *ns = p->p.measured_ns[i];
            return true;
        }
    return false;
}

size_t gicsim_platform_fitted_count(const gicsim_platform *p)
{
    return p ? p->p.n_fitted : 0;
}

gicsim_cost_id gicsim_platform_fitted_cost(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_fitted ? p->p.fitted[i] : GICSIM_COST__COUNT;
}

size_t gicsim_platform_predicts_count(const gicsim_platform *p)
{
    return p ? p->p.n_predicts : 0;
}

gicsim_mb_test gicsim_platform_predicts_test(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_predicts ? p->p.predicts[i] : GICSIM_MB__COUNT;
}

bool gicsim_platform_is_predicted(const gicsim_platform *p, gicsim_mb_test test)
{
    return p && has_test(p->p.predicts, p->p.n_predicts, test);
}

double gicsim_platform_measured_uncertainty(const gicsim_platform *p, size_t i)
{
    if (!p || i >= p->p.n_measured)
        return 0.0;
    if (p->p.measured_unc[i] > 0)
        return p->p.measured_unc[i];
    return p->p.uncertainty > 0 ? p->p.uncertainty : GICSIM_MB_DEFAULT_UNCERTAINTY;
}

const char *gicsim_platform_measured_source(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_measured ? p->p.measured_source[i] : NULL;
}

bool gicsim_platform_fitted_with_priors(const gicsim_platform *p)
{
    return p && p->p.fit_map;
}

size_t gicsim_platform_fact_count(const gicsim_platform *p)
{
    return p ? p->p.n_facts : 0;
}

gicsim_cost_id gicsim_platform_fact_cost(const gicsim_platform *p, size_t i)
{
    return p && i < p->p.n_facts ? p->p.facts[i] : GICSIM_COST__COUNT;
}
