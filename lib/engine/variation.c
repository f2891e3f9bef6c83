/* gicsim: distributions and the variation settings (see gicsim/variation.h):
 * the settings table, defaults, checks, and parameters by path. The models'
 * use of them is models/variation.c. */
#include <gicsim/variation.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Distributions ------------------------------------------------------------------- */

static const char *const dist_names[] = {"none",   "fixed",     "uniform",
                                         "normal", "lognormal", "empirical"};

const char *gicsim_dist_kind_name(gicsim_dist_kind k)
{
    return (unsigned)k <= GICSIM_DIST_EMPIRICAL ? dist_names[k] : NULL;
}

static double norm_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2.0));
}

static double norm_pdf(double x)
{
    return exp(-0.5 * x * x) / sqrt(2.0 * 3.14159265358979323846);
}

/* The standard normal quantile: Acklam's rational approximation, refined by
 * one Halley step on erfc (relative error near 1e-15). */
static double norm_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    if (p <= 0)
        return -INFINITY;
    if (p >= 1)
        return INFINITY;
    double x;
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p > 1 - 0.02425) {
        double q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double e = norm_cdf(x) - p;
    double u = e * sqrt(2 * 3.14159265358979323846) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

static bool finite_nonneg(double v)
{
    return isfinite(v) && v >= 0;
}

gicsim_status gicsim_dist_check(const gicsim_dist *d, const char **why)
{
    const char *w = NULL;
    if (!d)
        w = "no distribution";
    else
        switch (d->kind) {
        case GICSIM_DIST_NONE:
            break;
        case GICSIM_DIST_FIXED:
            if (!finite_nonneg(d->a))
                w = "a fixed value must be a finite number >= 0";
            break;
        case GICSIM_DIST_UNIFORM:
            if (!finite_nonneg(d->a) || !finite_nonneg(d->b) || d->b < d->a)
                w = "a uniform distribution needs 0 <= min <= max";
            break;
        case GICSIM_DIST_NORMAL:
            if (!isfinite(d->a) || !finite_nonneg(d->b))
                w = "a normal distribution needs a finite mean and an sd >= 0";
            else if (d->b == 0 ? d->a < 0 : norm_cdf(d->a / d->b) < 0.01)
                w = "a normal distribution truncated at 0 needs at least 1% of its mass above 0";
            break;
        case GICSIM_DIST_LOGNORMAL:
            if (!isfinite(d->a) || d->a <= 0 || !finite_nonneg(d->b) || d->b > 5)
                w = "a lognormal distribution needs a median > 0 and 0 <= sigma <= 5";
            break;
        case GICSIM_DIST_EMPIRICAL: {
            double total = 0;
            if (d->n < 1 || d->n > GICSIM_DIST_MAX_POINTS)
                w = "an empirical distribution needs 1 to 16 points";
            for (uint32_t i = 0; !w && i < d->n; i++) {
                if (!finite_nonneg(d->x[i]) || !isfinite(d->w[i]) || d->w[i] <= 0)
                    w = "empirical points must be finite numbers >= 0 with weights > 0";
                total += d->w[i];
            }
            /* A draw picks a point by its share of the sum. */
            if (!w && !isfinite(total))
                w = "the empirical weights' sum must be a finite number";
            break;
        }
        default:
            w = "unknown distribution kind";
        }
    if (why)
        *why = w;
    return w ? GICSIM_E_INVAL : GICSIM_OK;
}

/* The empirical points sorted by value, with their weights. */
static double empirical_sorted(const gicsim_dist *d, double *x, double *w)
{
    double total = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        uint32_t k = i;
        while (k > 0 && x[k - 1] > d->x[i]) {
            x[k] = x[k - 1];
            w[k] = w[k - 1];
            k--;
        }
        x[k] = d->x[i];
        w[k] = d->w[i];
        total += d->w[i];
    }
    return total;
}

static bool dist_ok(const gicsim_dist *d)
{
    return d && d->kind != GICSIM_DIST_NONE && gicsim_dist_check(d, NULL) == GICSIM_OK;
}

double gicsim_dist_mean(const gicsim_dist *d)
{
    if (!dist_ok(d))
        return NAN;
    switch (d->kind) {
    case GICSIM_DIST_FIXED:
        return d->a;
    case GICSIM_DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case GICSIM_DIST_NORMAL: {
        if (d->b == 0)
            return d->a;
        double al = -d->a / d->b, z = 1 - norm_cdf(al);
        return d->a + d->b * norm_pdf(al) / z;
    }
    case GICSIM_DIST_LOGNORMAL:
        return d->a * exp(d->b * d->b / 2);
    default: {
        double s = 0, t = 0;
        for (uint32_t i = 0; i < d->n; i++) {
            s += d->w[i] * d->x[i];
            t += d->w[i];
        }
        return s / t;
    }
    }
}

double gicsim_dist_sd(const gicsim_dist *d)
{
    if (!dist_ok(d))
        return NAN;
    switch (d->kind) {
    case GICSIM_DIST_FIXED:
        return 0;
    case GICSIM_DIST_UNIFORM:
        return (d->b - d->a) / sqrt(12.0);
    case GICSIM_DIST_NORMAL: {
        if (d->b == 0)
            return 0;
        double al = -d->a / d->b, z = 1 - norm_cdf(al), l = norm_pdf(al) / z;
        double v = 1 + al * l - l * l;
        return d->b * sqrt(v > 0 ? v : 0);
    }
    case GICSIM_DIST_LOGNORMAL:
        return gicsim_dist_mean(d) * sqrt(expm1(d->b * d->b));
    default: {
        double m = gicsim_dist_mean(d), s = 0, t = 0;
        for (uint32_t i = 0; i < d->n; i++) {
            s += d->w[i] * (d->x[i] - m) * (d->x[i] - m);
            t += d->w[i];
        }
        return sqrt(s / t);
    }
    }
}

double gicsim_dist_quantile(const gicsim_dist *d, double p)
{
    if (!dist_ok(d) || !(p >= 0 && p <= 1))
        return NAN;
    switch (d->kind) {
    case GICSIM_DIST_FIXED:
        return d->a;
    case GICSIM_DIST_UNIFORM:
        return d->a + p * (d->b - d->a);
    case GICSIM_DIST_NORMAL: {
        if (d->b == 0)
            return d->a;
        double lo = norm_cdf(-d->a / d->b);
        double x = d->a + d->b * norm_quantile(lo + p * (1 - lo));
        return x < 0 ? 0 : x;
    }
    case GICSIM_DIST_LOGNORMAL:
        return p <= 0 ? 0 : d->a * exp(d->b * norm_quantile(p));
    default: {
        double x[GICSIM_DIST_MAX_POINTS], w[GICSIM_DIST_MAX_POINTS];
        double total = empirical_sorted(d, x, w), c = 0;
        for (uint32_t i = 0; i < d->n; i++) {
            c += w[i];
            if (c >= p * total * (1 - 1e-12))
                return x[i];
        }
        return x[d->n - 1];
    }
    }
}

/* ---- The settings table ------------------------------------------------------------------ */

static const struct {
    const char *path, *def, *unit, *desc;
    gicsim_setting_type type;
} settings[GICSIM_SETTING__COUNT] = {
#define SETTING_ROW_(id, path, type, def, unit, desc)                                              \
    [GICSIM_SETTING_##id] = {path, def, unit, desc, GICSIM_SETTING_##type},
    GICSIM_VARIATION_LIST(SETTING_ROW_)
#undef SETTING_ROW_
};

const char *gicsim_setting_path(gicsim_setting_id id)
{
    return (unsigned)id < GICSIM_SETTING__COUNT ? settings[id].path : NULL;
}

gicsim_setting_type gicsim_setting_type_of(gicsim_setting_id id)
{
    return (unsigned)id < GICSIM_SETTING__COUNT ? settings[id].type : GICSIM_SETTING_STATES;
}

const char *gicsim_setting_default(gicsim_setting_id id)
{
    return (unsigned)id < GICSIM_SETTING__COUNT ? settings[id].def : NULL;
}

const char *gicsim_setting_unit(gicsim_setting_id id)
{
    return (unsigned)id < GICSIM_SETTING__COUNT ? settings[id].unit : NULL;
}

const char *gicsim_setting_description(gicsim_setting_id id)
{
    return (unsigned)id < GICSIM_SETTING__COUNT ? settings[id].desc : NULL;
}

/* ---- Defaults and checks ------------------------------------------------------------------ */

/* The largest factor a setting may give (cold.multiplier and
 * interference.multiplier, and a jitter distribution's centre). */
#define FACTOR_MAX 1000.0

/* A jitter distribution's value, bounds or centre at most FACTOR_MAX (a
 * lognormal's tail may still draw more: var_jitter saturates the cost). */
static bool factor_in_range(const gicsim_dist *d)
{
    switch (d->kind) {
    case GICSIM_DIST_FIXED:
    case GICSIM_DIST_LOGNORMAL:
        return d->a <= FACTOR_MAX;
    case GICSIM_DIST_UNIFORM:
        return d->b <= FACTOR_MAX;
    case GICSIM_DIST_NORMAL:
        return d->a <= FACTOR_MAX && d->b <= FACTOR_MAX;
    case GICSIM_DIST_EMPIRICAL:
        for (uint32_t i = 0; i < d->n && i < GICSIM_DIST_MAX_POINTS; i++)
            if (d->x[i] > FACTOR_MAX)
                return false;
        return true;
    default:
        return true;
    }
}

/* "jitter.COST" for each cost (the path of a rule). */
static const char *const jitter_paths[GICSIM_COST__COUNT] = {
#define JITTER_PATH_(id, dom, def, name, desc) [GICSIM_COST_##id] = "jitter." name,
    GICSIM_COST_LIST(JITTER_PATH_)
#undef JITTER_PATH_
};

static const char *const factor_range =
    "a factor's distribution needs its value, bounds, mean and sd, median or points at most 1000";

void gicsim_variation_init(gicsim_variation *v)
{
    if (!v)
        return;
    memset(v, 0, sizeof *v);
    v->seed = 1;
    v->governor = GICSIM_GOV_MENU;
    v->latency_limit = GICSIM_TIME_NEVER;
    v->tick_cost = (gicsim_dist){.kind = GICSIM_DIST_FIXED, .a = 2e6};
    v->tick_phase = GICSIM_TIME_NEVER;
    v->tick_nohz = true;
    v->work_cost = (gicsim_dist){.kind = GICSIM_DIST_FIXED, .a = 10e6};
    v->cold_multiplier = 1;
    v->cold_work = GICSIM_US(5);
    v->cold_after = GICSIM_COLD_VCPU_SWITCH | GICSIM_COLD_MIGRATION | GICSIM_COLD_IDLE;
    v->cold_idle = GICSIM_MS(1);
    v->interference_multiplier = 1;
    v->interference_paths = GICSIM_PATHS_ALL;
}

bool gicsim_variation_active(const gicsim_variation *v)
{
    return v && (v->n_idle_states || v->tick_hz > 0 || v->work_hz > 0 || v->cold_multiplier != 1 ||
                 v->jitter_all.kind != GICSIM_DIST_NONE || v->jitter_run.kind != GICSIM_DIST_NONE ||
                 v->n_jitter || v->interference_multiplier != 1);
}

gicsim_status gicsim_variation_check(const gicsim_variation *v, const char **path, const char **why)
{
    const char *p = NULL, *w = NULL;
    if (!v) {
        p = "";
        w = "no variation";
        goto out;
    }
    if (v->n_idle_states > GICSIM_IDLE_MAX_STATES) {
        p = "idle.states";
        w = "at most 8 idle states";
        goto out;
    }
    for (uint32_t i = 1; i < v->n_idle_states; i++)
        if (v->idle_states[i].exit_latency < v->idle_states[i - 1].exit_latency ||
            v->idle_states[i].residency < v->idle_states[i - 1].residency) {
            p = "idle.states";
            w = "the states must be ordered shallowest first: exit latencies and target "
                "residencies ascending";
            goto out;
        }
    if (!(v->tick_hz >= 0 && v->tick_hz <= 1e6)) {
        p = "housekeeping.tick.rate";
        w = "a rate between 0 and 1 MHz";
        goto out;
    }
    if (!(v->work_hz >= 0 && v->work_hz <= 1e7)) {
        p = "housekeeping.work.rate";
        w = "a rate between 0 and 10 MHz";
        goto out;
    }
    /* `none` is no cost: a draw from it would be rng_dist's neutral 1 (1 ps). */
    if ((v->tick_hz > 0 && v->tick_cost.kind == GICSIM_DIST_NONE) ||
        (v->work_hz > 0 && v->work_cost.kind == GICSIM_DIST_NONE)) {
        p = v->tick_hz > 0 && v->tick_cost.kind == GICSIM_DIST_NONE ? "housekeeping.tick.cost"
                                                                    : "housekeeping.work.cost";
        w = "host work with a rate needs a cost: a time (0 for none) or a distribution of times";
        goto out;
    }
    if (v->tick_phase != GICSIM_TIME_NEVER && v->tick_hz > 0 &&
        (double)v->tick_phase >= 1e12 / v->tick_hz) {
        p = "housekeeping.tick.phase";
        w = "the phase must be shorter than the tick's period";
        goto out;
    }
    if (!(v->cold_multiplier >= 1 && v->cold_multiplier <= FACTOR_MAX)) {
        p = "cold.multiplier";
        w = "a factor from 1 to 1000";
        goto out;
    }
    if (v->cold_multiplier != 1 && v->cold_work == 0) {
        p = "cold.work";
        w = "must be greater than 0";
        goto out;
    }
    if (!(v->interference_multiplier >= 1 && v->interference_multiplier <= FACTOR_MAX)) {
        p = "interference.multiplier";
        w = "a factor from 1 to 1000";
        goto out;
    }
    /* The schedule repeats every on + off: a period that wraps past 2^64 ps
     * would be 0 or shorter than on. */
    if (v->interference_off > GICSIM_TIME_NEVER - v->interference_on) {
        p = "interference.off";
        w = "on + off must be below 2^64 ps (about 213 days)";
        goto out;
    }
    static const struct {
        const char *path;
        size_t off;
    } dists[] = {{"housekeeping.tick.cost", offsetof(gicsim_variation, tick_cost)},
                 {"housekeeping.work.cost", offsetof(gicsim_variation, work_cost)},
                 {"jitter.all", offsetof(gicsim_variation, jitter_all)},
                 {"jitter.run", offsetof(gicsim_variation, jitter_run)}};
    for (size_t i = 0; i < sizeof dists / sizeof dists[0]; i++)
        if (gicsim_dist_check((const gicsim_dist *)((const char *)v + dists[i].off), &w) !=
            GICSIM_OK) {
            p = dists[i].path;
            goto out;
        }
    if (!factor_in_range(&v->jitter_all) || !factor_in_range(&v->jitter_run)) {
        p = factor_in_range(&v->jitter_all) ? "jitter.run" : "jitter.all";
        w = factor_range;
        goto out;
    }
    if (v->n_jitter > GICSIM_JITTER_MAX_RULES) {
        p = "jitter";
        w = "at most 8 rules for single costs";
        goto out;
    }
    for (uint32_t i = 0; i < v->n_jitter; i++) {
        p = "jitter";
        if ((unsigned)v->jitter_cost[i] >= GICSIM_COST__COUNT) {
            w = "unknown cost";
            goto out;
        }
        p = jitter_paths[v->jitter_cost[i]];
        if (gicsim_cost_domain(v->jitter_cost[i]) != GICSIM_CLK_CPU) {
            w = "a GIC-clock cost is the GIC model's and has no jitter (only CPU-clock costs do)";
            goto out;
        }
        for (uint32_t k = 0; k < i; k++)
            if (v->jitter_cost[k] == v->jitter_cost[i]) {
                w = "a cost has one rule";
                goto out;
            }
        if (gicsim_dist_check(&v->jitter[i], &w) != GICSIM_OK)
            goto out;
        if (v->jitter[i].kind == GICSIM_DIST_NONE) {
            w = "a rule needs a distribution";
            goto out;
        }
        if (!factor_in_range(&v->jitter[i])) {
            w = factor_range;
            goto out;
        }
    }
    p = NULL;
out:
    if (path)
        *path = p;
    if (why)
        *why = w;
    return w ? GICSIM_E_INVAL : GICSIM_OK;
}

/* ---- Parameters by path -------------------------------------------------------------------- */

/* The distribution a setting path names ("jitter.all", "jitter.COST",
 * "housekeeping.tick.cost", ...), NULL if none; *time: its values are times. */
static gicsim_dist *dist_at(gicsim_variation *v, const char *s, size_t len, bool *time)
{
    *time = false;
#define IS(lit) (len == sizeof lit - 1 && !strncmp(s, lit, len))
    if (IS("jitter.all"))
        return &v->jitter_all;
    if (IS("jitter.run"))
        return &v->jitter_run;
    *time = true;
    if (IS("housekeeping.tick.cost"))
        return &v->tick_cost;
    if (IS("housekeeping.work.cost"))
        return &v->work_cost;
#undef IS
    *time = false;
    if (len > 7 && !strncmp(s, "jitter.", 7)) {
        char name[64];
        gicsim_cost_id id;
        if (len - 7 >= sizeof name)
            return NULL;
        memcpy(name, s + 7, len - 7);
        name[len - 7] = '\0';
        if (gicsim_cost_lookup(name, &id) != GICSIM_OK)
            return NULL;
        for (uint32_t i = 0; i < v->n_jitter && i < GICSIM_JITTER_MAX_RULES; i++)
            if (v->jitter_cost[i] == id)
                return &v->jitter[i];
    }
    return NULL;
}

/* A distribution parameter's slot: P of d's kind. */
static double *dist_param(gicsim_dist *d, const char *p, bool *scaled)
{
    static const struct {
        gicsim_dist_kind kind;
        const char *name;
        int which;   /* 0: a, 1: b */
        bool scaled; /* a time for a distribution of times */
    } params[] = {
        {GICSIM_DIST_FIXED, "value", 0, true},     {GICSIM_DIST_UNIFORM, "min", 0, true},
        {GICSIM_DIST_UNIFORM, "max", 1, true},     {GICSIM_DIST_NORMAL, "mean", 0, true},
        {GICSIM_DIST_NORMAL, "sd", 1, true},       {GICSIM_DIST_LOGNORMAL, "median", 0, true},
        {GICSIM_DIST_LOGNORMAL, "sigma", 1, false}};
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        if (params[i].kind == d->kind && !strcmp(params[i].name, p)) {
            *scaled = params[i].scaled;
            return params[i].which ? &d->b : &d->a;
        }
    return NULL;
}

typedef struct param_ref {
    double *d;        /* a double slot, or */
    gicsim_time_t *t; /* a time slot (ns outside) */
    double scale;     /* outside value * scale = slot value (d only) */
} param_ref;

static bool param_find(gicsim_variation *v, const char *path, param_ref *r)
{
    memset(r, 0, sizeof *r);
    r->scale = 1;
    static const struct {
        const char *path;
        size_t off;
        bool time;
    } scalars[] = {
        {"housekeeping.tick.rate", offsetof(gicsim_variation, tick_hz), false},
        {"housekeeping.work.rate", offsetof(gicsim_variation, work_hz), false},
        {"cold.multiplier", offsetof(gicsim_variation, cold_multiplier), false},
        {"interference.multiplier", offsetof(gicsim_variation, interference_multiplier), false},
        {"cold.work", offsetof(gicsim_variation, cold_work), true},
        {"cold.idle_after", offsetof(gicsim_variation, cold_idle), true},
        {"interference.on", offsetof(gicsim_variation, interference_on), true},
        {"interference.off", offsetof(gicsim_variation, interference_off), true},
        {"interference.start", offsetof(gicsim_variation, interference_start), true}};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
        if (!strcmp(path, scalars[i].path)) {
            if (scalars[i].time)
                r->t = (gicsim_time_t *)((char *)v + scalars[i].off);
            else
                r->d = (double *)((char *)v + scalars[i].off);
            return true;
        }
    const char *dot = strrchr(path, '.');
    bool time = false, scaled = false;
    gicsim_dist *d = dot ? dist_at(v, path, (size_t)(dot - path), &time) : NULL;
    if (!d || !(r->d = dist_param(d, dot + 1, &scaled)))
        return false;
    if (time && scaled)
        r->scale = 1000.0;
    return true;
}

gicsim_status gicsim_variation_param(const gicsim_variation *v, const char *path, double *out)
{
    param_ref r;
    if (!v || !path || !out)
        return GICSIM_E_INVAL;
    if (!param_find((gicsim_variation *)v, path, &r))
        return GICSIM_E_NOTFOUND;
    *out = r.t ? (double)*r.t / 1000.0 : *r.d / r.scale;
    return GICSIM_OK;
}

gicsim_status gicsim_variation_set_param(gicsim_variation *v, const char *path, double value)
{
    param_ref r;
    if (!v || !path || !isfinite(value))
        return GICSIM_E_INVAL;
    if (!param_find(v, path, &r))
        return GICSIM_E_NOTFOUND;
    if (r.t) {
        /* A time below 2^64 ps (llround beyond its range gives an
         * unspecified value). */
        if (value < 0 || value * 1000.0 >= 9.2e18)
            return GICSIM_E_INVAL;
        *r.t = (gicsim_time_t)llround(value * 1000.0);
    } else {
        *r.d = value * r.scale;
    }
    return GICSIM_OK;
}
