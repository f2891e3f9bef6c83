/* gicsim: the calibration block of platform presets and the public platform
 * API (see gicsim/platform.h). Finding, reading and validating the rest of a
 * preset is scenario.c's (sc_platform_find, sc_platform_load_file); this file
 * adds the keys reference, measured, fitted and predicts, which scenario.c's
 * loader calls back into, and wraps a loaded sc_platform as an object. */
#include "yaml_tree.h"

#include <gicsim/platform.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        gicsim_status st_ = (expr);                                                                \
        if (st_ != GICSIM_OK)                                                                      \
            return st_;                                                                            \
    } while (0)

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

gicsim_status sc_parse_measured(const yt_node *n, const char *path, gicsim_mb_test *tests,
                                double *ns, size_t *count, gicsim_diag *d)
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
        double v;
        yt_path(kp, sizeof kp, path, p->key);
        if (gicsim_mb_test_lookup(p->key, &t) != GICSIM_OK)
            return unknown_test(d, p->file, p->line, p->col, kp, p->key);
        const yt_node *val = p->value;
        if (val->kind != YT_SCALAR || !val->plain || !parse_number(val->str, &v)) {
            char got[128];
            if (val->kind == YT_SCALAR && !yt_is_null(val) && val->plain)
                snprintf(got, sizeof got, "%.80s", val->str);
            else if (val->kind == YT_SCALAR && !yt_is_null(val))
                snprintf(got, sizeof got, "a string \"%.80s\"", val->str);
            else
                snprintf(got, sizeof got, "%s", yt_type_name(val));
            return yt_diag(d, GICSIM_E_INVAL, val->file, val->line, val->col, kp,
                           "expected a number of ns, got %s", got);
        }
        if (!(v > 0))
            return yt_diag(d, GICSIM_E_INVAL, val->file, val->line, val->col, kp,
                           "%s must be greater than 0", val->str);
        /* A key repeated in one mapping is a parse error already. */
        tests[*count] = t;
        ns[*count] = v;
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

static gicsim_status parse_fitted(const yt_node *n, sc_platform *p, gicsim_diag *d)
{
    TRY(yt_check_seq(n, "fitted", d));
    size_t cnt = n->kind == YT_SEQ ? n->n : 0;
    for (size_t i = 0; i < cnt; i++) {
        char kp[64];
        const char *s;
        gicsim_cost_id id;
        const yt_node *it = n->items[i];
        yt_path_index(kp, sizeof kp, "fitted", i);
        TRY(yt_get_str(it, kp, &s, d));
        if (gicsim_cost_lookup(s, &id) != GICSIM_OK)
            return yt_diag(d, GICSIM_E_INVAL, it->file, it->line, it->col, kp,
                           "unknown cost \"%.80s\" (the names are those of GICSIM_COST_LIST, "
                           "see docs/scenarios.md)",
                           s);
        for (size_t k = 0; k < p->n_fitted; k++)
            if (p->fitted[k] == id)
                return yt_diag(d, GICSIM_E_INVAL, it->file, it->line, it->col, kp,
                               "cost \"%s\" is listed twice", s);
        p->fitted[p->n_fitted++] = id;
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

gicsim_status sc_platform_parse_calibration(const yt_node *root, sc_platform *p, gicsim_diag *d)
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
    if ((n = yt_map_get(root, "measured")))
        TRY(sc_parse_measured(n, "measured", p->measured_test, p->measured_ns, &p->n_measured, d));
    if ((n = yt_map_get(root, "fitted"))) {
        TRY(parse_fitted(n, p, d));
        if (p->n_fitted > p->n_measured)
            return yt_diag(d, GICSIM_E_INVAL, n->file, n->line, n->col, "fitted",
                           "%zu fitted costs but %zu measured values: a fit needs at least "
                           "as many measured values as costs",
                           p->n_fitted, p->n_measured);
    }
    if ((n = yt_map_get(root, "predicts")))
        TRY(parse_predicts(n, p, d));
    return GICSIM_OK;
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
                                             : sc_platform_find(name_or_path, "configs/platforms",
                                                                NULL, "platform", &pl->p, diag);
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
