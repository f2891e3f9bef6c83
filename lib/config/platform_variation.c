/* gicsim: a platform's `variation` mapping (preset or platform_overrides;
 * docs/scenarios.md, "Variation"), read by the table of settings
 * GICSIM_VARIATION_LIST (<gicsim/variation.h>): a mapping's keys are the
 * next segments of the settings' paths, a leaf is read by its setting's
 * type, and the whole is checked with gicsim_variation_check. A key given
 * in platform_overrides changes only that setting (for a distribution,
 * only the parameters it names unless it names `dist`). */
#include "yaml_tree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Scalars --------------------------------------------------------------------------------- */

/* A plain decimal number ("1.05", "0.2", "3e-2"). */
static gicsim_status get_number(const yt_node *n, const char *key, double *out, gicsim_diag *d)
{
    if (n && n->kind == YT_SCALAR && n->plain && !yt_is_null(n)) {
        const char *s = n->str;
        bool ok = *s != '\0';
        for (const char *c = s; *c && ok; c++)
            ok = (*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' || *c == '+' ||
                 *c == '-';
        char *end = NULL;
        double v = ok ? strtod(s, &end) : 0;
        if (ok && !*end && isfinite(v)) {
            *out = v;
            return GICSIM_OK;
        }
        if (ok && !*end)
            return yt_node_err(d, n, key, "%.40s is out of range (a finite number)", s);
    }
    return yt_node_err(d, n, key, "expected a decimal number (1.05, 3e-2), got %s",
                       yt_type_name(n));
}

/* A rate: "250Hz", "50/s", "1.5k/s", or 0 (off): events per second. */
static gicsim_status get_rate_hz(const yt_node *n, const char *key, double *hz, gicsim_diag *d)
{
    if (n && n->kind == YT_SCALAR && n->plain && !strcmp(n->str, "0")) {
        *hz = 0;
        return GICSIM_OK;
    }
    char buf[64];
    if (n && n->kind == YT_SCALAR && yt_rate_hz_text(n->str, buf, sizeof buf)) {
        *hz = strtod(buf, NULL);
        return GICSIM_OK;
    }
    gicsim_time_t period;
    return yt_get_rate(n, key, &period, d); /* its message */
}

/* A time, or the word `word` (none, random) for GICSIM_TIME_NEVER. */
static gicsim_status get_time_or(const yt_node *n, const char *key, const char *word,
                                 gicsim_time_t *out, gicsim_diag *d)
{
    if (n && n->kind == YT_SCALAR && !strcmp(n->str, word)) {
        *out = GICSIM_TIME_NEVER;
        return GICSIM_OK;
    }
    const char *why;
    if (n && n->kind == YT_SCALAR && yt_parse_time(n->str, out, &why) == GICSIM_OK)
        return GICSIM_OK;
    return yt_node_err(d, n, key, "expected a time such as 5us, or %s", word);
}

/* ---- Distributions ----------------------------------------------------------------------------
 */

static const char *const dist_kinds[] = {"none",      "fixed",     "uniform", "normal",
                                         "lognormal", "empirical", NULL};

/* One value of a distribution: a time (ps) for a distribution of times,
 * else a number. */
static gicsim_status dist_value(const yt_node *n, const char *key, bool time, double *out,
                                gicsim_diag *d)
{
    if (!time)
        return get_number(n, key, out, d);
    gicsim_time_t t;
    TRY(yt_get_time(n, key, &t, d));
    *out = (double)t;
    return GICSIM_OK;
}

/* `{dist: KIND, PARAMS...}`, or a plain value (fixed), or `none`; without
 * `dist` the parameters given change those of the distribution already
 * set (an override of one parameter). */
static gicsim_status parse_dist(const yt_node *n, const char *path, bool time, gicsim_dist *out,
                                gicsim_diag *d)
{
    if (n && n->kind == YT_SCALAR && !strcmp(n->str, "none")) {
        memset(out, 0, sizeof *out);
        return GICSIM_OK;
    }
    if (n && n->kind == YT_SCALAR && !yt_is_null(n)) {
        double v;
        TRY(dist_value(n, path, time, &v, d));
        memset(out, 0, sizeof *out);
        out->kind = GICSIM_DIST_FIXED;
        out->a = v;
        return GICSIM_OK;
    }
    static const char *const keys[] = {"dist",   "value", "min",    "max",     "mean", "sd",
                                       "median", "sigma", "points", "weights", NULL};
    if (!n || n->kind != YT_MAP)
        return yt_node_err(d, n, path,
                           "expected a distribution {dist: fixed|uniform|normal|lognormal|"
                           "empirical, ...} or a %s, got %s",
                           time ? "time" : "number", yt_type_name(n));
    TRY(yt_check_map(n, path, keys, d));
    char kp[300];
    gicsim_dist x = *out;
    const yt_node *k = yt_map_get(n, "dist");
    if (k) {
        unsigned idx;
        yt_path(kp, sizeof kp, path, "dist");
        TRY(yt_get_enum(k, kp, dist_kinds, &idx, d));
        memset(&x, 0, sizeof x);
        x.kind = (gicsim_dist_kind)idx;
    } else if (x.kind == GICSIM_DIST_NONE) {
        return yt_node_err(d, n, path, "no distribution to change: name one with dist");
    }
    static const struct {
        gicsim_dist_kind kind;
        const char *a, *b;
        bool b_time; /* b is in the distribution's unit (else a plain number: sigma) */
    } params[] = {{GICSIM_DIST_FIXED, "value", NULL, false},
                  {GICSIM_DIST_UNIFORM, "min", "max", true},
                  {GICSIM_DIST_NORMAL, "mean", "sd", true},
                  {GICSIM_DIST_LOGNORMAL, "median", "sigma", false},
                  {GICSIM_DIST_EMPIRICAL, NULL, NULL, false},
                  {GICSIM_DIST_NONE, NULL, NULL, false}};
    size_t pi = 0;
    while (params[pi].kind != x.kind)
        pi++;
    /* Only the parameters of its kind. */
    for (size_t i = 0; i < n->n; i++) {
        const char *key = n->pairs[i].key;
        bool mine = !strcmp(key, "dist") || (params[pi].a && !strcmp(key, params[pi].a)) ||
                    (params[pi].b && !strcmp(key, params[pi].b)) ||
                    (x.kind == GICSIM_DIST_EMPIRICAL &&
                     (!strcmp(key, "points") || !strcmp(key, "weights")));
        if (!mine) {
            yt_path(kp, sizeof kp, path, key);
            return yt_diag(d, GICSIM_E_INVAL, n->pairs[i].file, n->pairs[i].line, n->pairs[i].col,
                           kp, "not a parameter of a %s distribution", dist_kinds[x.kind]);
        }
    }
    const char *names[2] = {params[pi].a, params[pi].b};
    double *slots[2] = {&x.a, &x.b};
    for (int j = 0; j < 2; j++) {
        if (!names[j])
            continue;
        const yt_node *v = yt_map_get(n, names[j]);
        if (!v && k)
            return yt_missing(d, n, path, names[j]);
        if (!v)
            continue;
        yt_path(kp, sizeof kp, path, names[j]);
        TRY(dist_value(v, kp, time && (j == 0 || params[pi].b_time), slots[j], d));
    }
    if (x.kind == GICSIM_DIST_EMPIRICAL) {
        const yt_node *pts = yt_map_get(n, "points"), *w = yt_map_get(n, "weights");
        if (!pts && k)
            return yt_missing(d, n, path, "points");
        if (pts) {
            yt_path(kp, sizeof kp, path, "points");
            TRY(yt_check_seq(pts, kp, d));
            if (pts->kind != YT_SEQ || pts->n < 1 || pts->n > GICSIM_DIST_MAX_POINTS)
                return yt_node_err(d, pts, kp, "expected 1 to %d points", GICSIM_DIST_MAX_POINTS);
            x.n = (uint32_t)pts->n;
            for (size_t i = 0; i < pts->n; i++) {
                char ip[320];
                yt_path_index(ip, sizeof ip, kp, i);
                TRY(dist_value(pts->items[i], ip, time, &x.x[i], d));
                x.w[i] = 1;
            }
        }
        if (w) {
            yt_path(kp, sizeof kp, path, "weights");
            TRY(yt_check_seq(w, kp, d));
            if (w->kind != YT_SEQ || w->n != x.n)
                return yt_node_err(d, w, kp, "expected one weight per point (%u)", (unsigned)x.n);
            for (size_t i = 0; i < w->n; i++) {
                char ip[320];
                yt_path_index(ip, sizeof ip, kp, i);
                TRY(get_number(w->items[i], ip, &x.w[i], d));
            }
        }
    }
    const char *why;
    if (gicsim_dist_check(&x, &why) != GICSIM_OK)
        return yt_node_err(d, n, path, "%s", why);
    *out = x;
    return GICSIM_OK;
}

/* ---- Lists ------------------------------------------------------------------------------------
 */

static gicsim_status parse_states(const yt_node *n, const char *path, gicsim_variation *v,
                                  gicsim_diag *d)
{
    static const char *const keys[] = {"name", "exit", "residency", "cold", NULL};
    TRY(yt_check_seq(n, path, d));
    size_t cnt = n->kind == YT_SEQ ? n->n : 0;
    if (cnt > GICSIM_IDLE_MAX_STATES)
        return yt_node_err(d, n, path, "at most %d idle states", GICSIM_IDLE_MAX_STATES);
    gicsim_idle_state st[GICSIM_IDLE_MAX_STATES];
    memset(st, 0, sizeof st);
    for (size_t i = 0; i < cnt; i++) {
        char kp[300];
        const yt_node *it = n->items[i];
        yt_path_index(kp, sizeof kp, path, i);
        if (it->kind != YT_MAP)
            return yt_node_err(d, it, kp, "expected {name, exit, residency, cold}, got %s",
                               yt_type_name(it));
        TRY(yt_check_map(it, kp, keys, d));
        const yt_node *x;
        const char *name;
        if (!(x = yt_map_get(it, "name")))
            return yt_missing(d, it, kp, "name");
        char sub[320];
        yt_path(sub, sizeof sub, kp, "name");
        TRY(yt_get_str(x, sub, &name, d));
        if (!*name || strlen(name) >= sizeof st[i].name)
            return yt_node_err(d, x, sub, "a name of 1 to %zu characters", sizeof st[i].name - 1);
        snprintf(st[i].name, sizeof st[i].name, "%s", name);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(st[k].name, name))
                return yt_node_err(d, x, sub, "state \"%s\" is listed twice", name);
        if (!yt_map_get(it, "exit"))
            return yt_missing(d, it, kp, "exit");
        if (!yt_map_get(it, "residency"))
            return yt_missing(d, it, kp, "residency");
        TRY(yt_opt_time(it, kp, "exit", &st[i].exit_latency, NULL, d));
        TRY(yt_opt_time(it, kp, "residency", &st[i].residency, NULL, d));
        TRY(yt_opt_bool(it, kp, "cold", &st[i].cold, NULL, d));
        if (i &&
            (st[i].exit_latency < st[i - 1].exit_latency || st[i].residency < st[i - 1].residency))
            return yt_node_err(d, it, kp,
                               "the states are listed shallowest first: exit latency and target "
                               "residency at least those of \"%s\"",
                               st[i - 1].name);
    }
    memcpy(v->idle_states, st, sizeof st);
    v->n_idle_states = (uint32_t)cnt;
    return GICSIM_OK;
}

static gicsim_status parse_triggers(const yt_node *n, const char *path, uint32_t *out,
                                    gicsim_diag *d)
{
    static const char *const names[] = {"vcpu-switch", "migration", "idle", NULL};
    TRY(yt_check_seq(n, path, d));
    uint32_t bits = 0;
    for (size_t i = 0; n->kind == YT_SEQ && i < n->n; i++) {
        char kp[300];
        unsigned idx;
        yt_path_index(kp, sizeof kp, path, i);
        TRY(yt_get_enum(n->items[i], kp, names, &idx, d));
        if (bits & (1u << idx))
            return yt_node_err(d, n->items[i], kp, "\"%s\" is listed twice", names[idx]);
        bits |= 1u << idx;
    }
    *out = bits;
    return GICSIM_OK;
}

/* ---- The table --------------------------------------------------------------------------------
 */

/* The leaf of setting `id` at `n` (key path `kp`); `cost` for JITTER_COST. */
static gicsim_status parse_leaf(gicsim_setting_id id, gicsim_cost_id cost, const yt_node *n,
                                const char *kp, gicsim_variation *v, gicsim_diag *d)
{
    static const char *const governors[] = {"menu", "teo", NULL};
    static const char *const paths[] = {"all", "host", "guest", NULL};
    unsigned idx;
    switch (id) {
    case GICSIM_SETTING_IDLE_STATES:
        return parse_states(n, kp, v, d);
    case GICSIM_SETTING_IDLE_GOVERNOR:
        TRY(yt_get_enum(n, kp, governors, &idx, d));
        v->governor = (gicsim_idle_governor)idx;
        return GICSIM_OK;
    case GICSIM_SETTING_IDLE_LATENCY_LIMIT:
        return get_time_or(n, kp, "none", &v->latency_limit, d);
    case GICSIM_SETTING_TICK_RATE:
        return get_rate_hz(n, kp, &v->tick_hz, d);
    case GICSIM_SETTING_TICK_COST:
        return parse_dist(n, kp, true, &v->tick_cost, d);
    case GICSIM_SETTING_TICK_PHASE:
        return get_time_or(n, kp, "random", &v->tick_phase, d);
    case GICSIM_SETTING_TICK_NOHZ:
        return yt_get_bool(n, kp, &v->tick_nohz, d);
    case GICSIM_SETTING_WORK_RATE:
        return get_rate_hz(n, kp, &v->work_hz, d);
    case GICSIM_SETTING_WORK_COST:
        return parse_dist(n, kp, true, &v->work_cost, d);
    case GICSIM_SETTING_COLD_MULTIPLIER:
        return get_number(n, kp, &v->cold_multiplier, d);
    case GICSIM_SETTING_COLD_WORK:
        return yt_get_time(n, kp, &v->cold_work, d);
    case GICSIM_SETTING_COLD_AFTER:
        return parse_triggers(n, kp, &v->cold_after, d);
    case GICSIM_SETTING_COLD_IDLE:
        return yt_get_time(n, kp, &v->cold_idle, d);
    case GICSIM_SETTING_JITTER_ALL:
        return parse_dist(n, kp, false, &v->jitter_all, d);
    case GICSIM_SETTING_JITTER_RUN:
        return parse_dist(n, kp, false, &v->jitter_run, d);
    case GICSIM_SETTING_JITTER_COST: {
        uint32_t k = 0;
        while (k < v->n_jitter && v->jitter_cost[k] != cost)
            k++;
        if (gicsim_cost_domain(cost) != GICSIM_CLK_CPU)
            return yt_node_err(d, n, kp,
                               "%s is a GIC-clock cost, the GIC model's: only CPU-clock costs "
                               "have jitter",
                               gicsim_cost_name(cost));
        if (k == v->n_jitter) {
            if (k == GICSIM_JITTER_MAX_RULES)
                return yt_node_err(d, n, kp, "at most %d rules for single costs",
                                   GICSIM_JITTER_MAX_RULES);
            memset(&v->jitter[k], 0, sizeof v->jitter[k]);
            v->jitter_cost[k] = cost;
        }
        gicsim_dist x = v->jitter[k];
        TRY(parse_dist(n, kp, false, &x, d));
        if (x.kind == GICSIM_DIST_NONE) { /* `none` drops the rule */
            if (k < v->n_jitter) {
                for (uint32_t j = k; j + 1 < v->n_jitter; j++) {
                    v->jitter[j] = v->jitter[j + 1];
                    v->jitter_cost[j] = v->jitter_cost[j + 1];
                }
                v->n_jitter--;
            }
            return GICSIM_OK;
        }
        v->jitter[k] = x;
        if (k == v->n_jitter)
            v->n_jitter++;
        return GICSIM_OK;
    }
    case GICSIM_SETTING_INTERFERENCE_MULTIPLIER:
        return get_number(n, kp, &v->interference_multiplier, d);
    case GICSIM_SETTING_INTERFERENCE_ON:
        return yt_get_time(n, kp, &v->interference_on, d);
    case GICSIM_SETTING_INTERFERENCE_OFF:
        return yt_get_time(n, kp, &v->interference_off, d);
    case GICSIM_SETTING_INTERFERENCE_START:
        return yt_get_time(n, kp, &v->interference_start, d);
    case GICSIM_SETTING_INTERFERENCE_PATHS:
        TRY(yt_get_enum(n, kp, paths, &idx, d));
        v->interference_paths = (gicsim_paths)idx;
        return GICSIM_OK;
    default:
        return yt_node_err(d, n, kp, "unknown setting");
    }
}

/* The keys a mapping at relative path `rel` ("" for variation itself) may
 * have, ", "-separated, into buf. */
static void known_keys(const char *rel, char *buf, size_t size)
{
    size_t rl = strlen(rel), len = 0;
    buf[0] = '\0';
    for (int i = 0; i < GICSIM_SETTING__COUNT; i++) {
        const char *p = gicsim_setting_path((gicsim_setting_id)i);
        if (rl && (strncmp(p, rel, rl) || p[rl] != '.'))
            continue;
        const char *seg = rl ? p + rl + 1 : p;
        size_t sl = strcspn(seg, ".");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)sl, seg);
        if (!strcmp(name, "COST"))
            snprintf(name, sizeof name, "a CPU-clock cost name");
        bool dup = false;
        for (const char *q = buf; *q && !dup; q += strcspn(q, ",") + (q[strcspn(q, ",")] ? 2 : 0))
            dup = !strncmp(q, name, strlen(name)) &&
                  (q[strlen(name)] == ',' || q[strlen(name)] == '\0');
        if (!dup && len + strlen(name) + 3 < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
    }
}

/* The mapping `n` at relative path `rel` (key path `kp`). */
static gicsim_status walk(const yt_node *n, const char *rel, const char *kp, gicsim_variation *v,
                          bool *set, gicsim_diag *d)
{
    if (yt_is_null(n))
        return GICSIM_OK;
    if (n->kind != YT_MAP)
        return yt_node_err(d, n, kp, "expected a mapping, got %s", yt_type_name(n));
    for (size_t i = 0; i < n->n; i++) {
        const yt_pair *p = &n->pairs[i];
        char r2[200], k2[300];
        yt_path(r2, sizeof r2, rel, p->key);
        yt_path(k2, sizeof k2, kp, p->key);
        int leaf = -1;
        bool inner = false;
        gicsim_cost_id cost = GICSIM_COST__COUNT;
        size_t rl = strlen(r2);
        for (int s = 0; s < GICSIM_SETTING__COUNT; s++) {
            const char *sp = gicsim_setting_path((gicsim_setting_id)s);
            if (s == GICSIM_SETTING_JITTER_COST)
                continue; /* "jitter.COST" is a placeholder: a cost's name, below */
            if (!strcmp(sp, r2))
                leaf = s;
            else if (!strncmp(sp, r2, rl) && sp[rl] == '.')
                inner = true;
        }
        if (leaf < 0 && !strcmp(rel, "jitter") && gicsim_cost_lookup(p->key, &cost) == GICSIM_OK)
            leaf = GICSIM_SETTING_JITTER_COST;
        if (leaf >= 0) {
            TRY(parse_leaf((gicsim_setting_id)leaf, cost, p->value, k2, v, d));
            if (set)
                set[leaf] = true;
        } else if (inner) {
            TRY(walk(p->value, r2, k2, v, set, d));
        } else {
            char known[400];
            known_keys(rel, known, sizeof known);
            return yt_diag(d, GICSIM_E_INVAL, p->file, p->line, p->col, k2,
                           "unknown key \"%.80s\" (known: %s)", p->key, known);
        }
    }
    return GICSIM_OK;
}

gicsim_status sc_parse_variation(const yt_node *n, const char *path, gicsim_variation *v, bool *set,
                                 gicsim_diag *d)
{
    gicsim_variation x = *v;
    TRY(walk(n, "", path, &x, set, d));
    const char *where, *why;
    if (gicsim_variation_check(&x, &where, &why) != GICSIM_OK) {
        char kp[300];
        yt_path(kp, sizeof kp, path, where);
        return yt_node_err(d, n, kp, "%s", why);
    }
    *v = x;
    return GICSIM_OK;
}
