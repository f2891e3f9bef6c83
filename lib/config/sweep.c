/* gicsim: sweep specs (gicsim/sweep.h, docs/sweeps.md): parsing, the
 * expansion into runs, the validation of every run's scenario, and each
 * run's overrides.
 *
 * A spec is read into axes (one list of override values each, a range
 * expanded), zip groups (axes that vary together count as one dimension),
 * platforms, policies and replications. A point is one value of every
 * dimension and a platform; run index i = ((point * P) + policy) * R +
 * replication, and point = platform * (D1 * D2 ...) + d1 * (D2 ...) + ...:
 * the platform outermost, the dimensions in spec order, the last one
 * fastest. Validation loads the scenario once per point (set, platform and
 * axis overrides: its seed, VMs and output files) and once per point and
 * policy (with the policy forced on every VM): an error in an override is
 * moved to the spec's position of the value (or key) it came from. */
#include "scenario_internal.h"
#include "sweep_internal.h"

#include <gicsim/sweep.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 10000u
#define MAX_REPLICATIONS 10000u

/* A value of an axis or of `set`, with where the spec writes it. */
typedef struct sw_value {
    char *text; /* the override's value text */
    unsigned line, col;
} sw_value;

typedef struct sw_axis {
    char *key;
    unsigned line, col; /* the key */
    sw_value *v;
    size_t n;
} sw_axis;

/* A dimension: axes [first, first + count) whose i-th values go together. */
typedef struct sw_dim {
    size_t first, count, n;
} sw_dim;

/* A name of the platforms or policies list. */
typedef struct sw_name {
    char *name;
    unsigned line, col;
} sw_name;

/* What validation learnt about a point. */
typedef struct sw_point {
    uint64_t seed;
    uint32_t n_vms;
    bool outputs; /* the scenario names output files: they are switched off */
    char *platform;
} sw_point;

struct gicsim_sweep {
    char *file, *name;
    char *scenario, *scenario_text; /* resolved path, as written */
    unsigned sc_line, sc_col;
    sw_axis *set; /* fixed overrides: one value each */
    size_t n_set;
    sw_axis *axes;
    size_t n_axes;
    sw_dim *dims;
    size_t n_dims;
    sw_name *plats;
    size_t n_plats;
    sw_name *pols;
    size_t n_pols;
    bool pols_from_spec;
    uint32_t reps;
    unsigned reps_line, reps_col;
    size_t n_points, n_runs;
    sw_point *points;
    gicsim_sweep_plan *plan;
};

/* ---- Freeing ----------------------------------------------------------------------------------
 */

static void axes_free(sw_axis *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        free(a[i].key);
        for (size_t k = 0; k < a[i].n; k++)
            free(a[i].v[k].text);
        free(a[i].v);
    }
    free(a);
}

static void names_free(sw_name *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].name);
    free(v);
}

void gicsim_sweep_free(gicsim_sweep *sw)
{
    if (!sw)
        return;
    free(sw->file);
    free(sw->name);
    free(sw->scenario);
    free(sw->scenario_text);
    axes_free(sw->set, sw->n_set);
    axes_free(sw->axes, sw->n_axes);
    free(sw->dims);
    names_free(sw->plats, sw->n_plats);
    names_free(sw->pols, sw->n_pols);
    for (size_t i = 0; sw->points && i < sw->n_points; i++)
        free(sw->points[i].platform);
    free(sw->points);
    gicsim_sweep_plan_free(sw->plan);
    free(sw);
}

/* ---- Values as override text -------------------------------------------------------------------
 */

/* A scalar that re-reads as itself when written plain. */
static bool plain_safe(const yt_node *n)
{
    return n->plain && n->str[0] && !strpbrk(n->str, "\n\r\t");
}

/* The node as a one-line YAML value: plain scalars as written, other
 * scalars double-quoted, lists and mappings in flow style. */
static void flow(FILE *b, const yt_node *n)
{
    if (n->kind == YT_SCALAR) {
        if (plain_safe(n)) {
            fputs(n->str, b);
            return;
        }
        fputc('"', b);
        for (const unsigned char *p = (const unsigned char *)n->str; *p; p++) {
            if (*p == '"' || *p == '\\') {
                fputc('\\', b);
                fputc((char)*p, b);
            } else if (*p == '\n') {
                fputs("\\n", b);
            } else if (*p == '\t') {
                fputs("\\t", b);
            } else if (*p < 0x20 || *p == 0x7f) {
                char hex[8];
                snprintf(hex, sizeof hex, "\\x%02x", *p);
                fputs(hex, b);
            } else {
                fputc((char)*p, b);
            }
        }
        fputc('"', b);
        return;
    }
    fputc(n->kind == YT_SEQ ? '[' : '{', b);
    for (size_t i = 0; i < n->n; i++) {
        if (i)
            fputs(", ", b);
        if (n->kind == YT_SEQ) {
            flow(b, n->items[i]);
        } else {
            yt_node key = {.kind = YT_SCALAR, .str = n->pairs[i].key, .plain = true};
            for (const char *k = key.str; *k && key.plain; k++)
                key.plain = (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                            (*k >= '0' && *k <= '9') || *k == '_' || *k == '-' || *k == '.';
            flow(b, &key);
            fputs(": ", b);
            flow(b, n->pairs[i].value);
        }
    }
    fputc(n->kind == YT_SEQ ? ']' : '}', b);
}

static gicsim_status value_of(const yt_node *n, sw_value *v, gicsim_diag *d)
{
    sw_str b;
    if (!sw_str_open(&b))
        return yt_nomem(d);
    flow(b.f, n);
    if (!(v->text = sw_str_close(&b)))
        return yt_nomem(d);
    v->line = n->line;
    v->col = n->col;
    return GICSIM_OK;
}

/* ---- Numbers of a range
 * ---------------------------------------------------------------------------- */

typedef enum num_kind { NUM_INT, NUM_DEC, NUM_TIME, NUM_RATE } num_kind;

/* A range end: a plain number, a time (-> ps) or a rate (-> Hz). */
static bool parse_end(const yt_node *n, num_kind *k, double *v)
{
    if (n->kind != YT_SCALAR || yt_is_null(n))
        return false;
    bool dec;
    if (n->plain && sw_parse_decimal(n->str, v, &dec)) {
        *k = dec ? NUM_DEC : NUM_INT;
        return true;
    }
    gicsim_time_t ps;
    const char *why;
    if (yt_parse_time(n->str, &ps, &why) == GICSIM_OK) {
        *k = NUM_TIME;
        *v = (double)ps;
        return true;
    }
    char hz[64];
    if (yt_rate_hz_text(n->str, hz, sizeof hz) && sw_parse_decimal(hz, v, &dec)) {
        *k = NUM_RATE;
        return true;
    }
    return false;
}

/* v with `sig` significant digits, without an exponent or trailing zeros
 * (integer arithmetic: no locale). */
static void fmt_sig(FILE *b, double v, int sig)
{
    if (v == 0 || !isfinite(v)) {
        fputc('0', b);
        return;
    }
    if (v < 0) {
        fputc('-', b);
        v = -v;
    }
    int e = (int)floor(log10(v));
    int dec = sig - 1 - e;
    if (dec > 15)
        dec = 15;
    if (dec <= 0) {
        double r = round(v / sw_pow10(-dec)) * sw_pow10(-dec);
        fprintf(b, "%" PRIu64, (uint64_t)(r < 1.8e19 ? (uint64_t)r : UINT64_MAX));
        return;
    }
    uint64_t m = (uint64_t)llround(v * sw_pow10(dec));
    uint64_t unit = (uint64_t)llround(sw_pow10(dec));
    fprintf(b, "%" PRIu64, (uint64_t)(m / unit));
    uint64_t frac = m % unit;
    if (!frac)
        return;
    char digits[24];
    snprintf(digits, sizeof digits, "%0*" PRIu64, dec, frac);
    size_t nd = strlen(digits);
    while (nd && digits[nd - 1] == '0')
        digits[--nd] = '\0';
    fputc('.', b);
    fputs(digits, b);
}

/* A generated range value in the syntax of its kind. */
static void fmt_value(FILE *b, num_kind k, double v)
{
    switch (k) {
    case NUM_INT: {
        char t[32];
        snprintf(t, sizeof t, "%lld", (long long)llround(v));
        fputs(t, b);
        break;
    }
    case NUM_DEC:
        fmt_sig(b, v, 6);
        break;
    case NUM_TIME: {
        char t[40];
        yt_format_time(v < 0 ? 0 : (gicsim_time_t)llround(v), t, sizeof t);
        fputs(t, b);
        break;
    }
    case NUM_RATE: {
        static const char *const prefix[] = {"", "k", "M", "G"};
        int p = 0;
        while (p < 3 && v >= sw_pow10(3 * (p + 1)) * (1 - 1e-12))
            p++;
        fmt_sig(b, v / sw_pow10(3 * p), 6);
        fputs(prefix[p], b);
        fputs("/s", b);
        break;
    }
    }
}

static const char *const range_keys[] = {"from", "to", "steps", "scale", NULL};

/* {from, to, steps, scale: linear|log}: `steps` values from `from` to `to`
 * (both as written), evenly spaced or in a geometric progression. */
static gicsim_status parse_range(const yt_node *m, const char *path, sw_axis *ax, gicsim_diag *d)
{
    TRY(yt_check_map(m, path, range_keys, d));
    static const char *const req[] = {"from", "to", "steps"};
    for (int i = 0; i < 3; i++)
        if (!yt_map_get(m, req[i]))
            return yt_missing(d, m, path, req[i]);
    const yt_node *from = yt_map_get(m, "from"), *to = yt_map_get(m, "to");
    char kp[256];
    uint64_t steps;
    yt_path(kp, sizeof kp, path, "steps");
    TRY(yt_get_u64(yt_map_get(m, "steps"), kp, 1, MAX_STEPS, &steps, d));
    unsigned scale = 0;
    static const char *const scales[] = {"linear", "log", NULL};
    if (yt_map_get(m, "scale")) {
        yt_path(kp, sizeof kp, path, "scale");
        TRY(yt_get_enum(yt_map_get(m, "scale"), kp, scales, &scale, d));
    }
    num_kind ka, kb;
    double a, b;
    const char *what = "expected a number, a time (\"20us\") or a rate (\"200k/s\")";
    yt_path(kp, sizeof kp, path, "from");
    if (!parse_end(from, &ka, &a))
        return yt_node_err(d, from, kp, "%s", what);
    yt_path(kp, sizeof kp, path, "to");
    if (!parse_end(to, &kb, &b))
        return yt_node_err(d, to, kp, "%s", what);
    bool numbers = (ka == NUM_INT || ka == NUM_DEC) && (kb == NUM_INT || kb == NUM_DEC);
    if (ka != kb && !numbers)
        return yt_node_err(d, to, kp, "\"to\" must be of the kind of \"from\" (%s)",
                           ka == NUM_TIME   ? "a time"
                           : ka == NUM_RATE ? "a rate"
                                            : "a number");
    num_kind k = numbers && (ka == NUM_DEC || kb == NUM_DEC) ? NUM_DEC : ka;
    if (scale == 1 && (a <= 0 || b <= 0)) {
        yt_path(kp, sizeof kp, path, a <= 0 ? "from" : "to");
        return yt_node_err(d, a <= 0 ? from : to, kp, "a log range needs ends greater than 0");
    }
    ax->v = calloc((size_t)steps, sizeof *ax->v);
    if (!ax->v)
        return yt_nomem(d);
    for (uint64_t i = 0; i < steps; i++) {
        sw_value *v = &ax->v[ax->n];
        v->line = m->line;
        v->col = m->col;
        if (i == 0 || i == steps - 1) { /* the ends as written */
            TRY(value_of(i == 0 ? from : to, v, d));
            v->line = m->line;
            v->col = m->col;
            ax->n++;
            continue;
        }
        double t = (double)i / (double)(steps - 1);
        double x = scale == 1 ? a * pow(b / a, t) : a + (b - a) * t;
        sw_str o;
        if (!sw_str_open(&o))
            return yt_nomem(d);
        fmt_value(o.f, k, x);
        if (!(v->text = sw_str_close(&o)))
            return yt_nomem(d);
        ax->n++;
    }
    return GICSIM_OK;
}

/* ---- The spec ----------------------------------------------------------------------------------
 */

static const char *const top_keys[] = {"name",     "description", "scenario",     "set", "axes",
                                       "policies", "platforms",   "replications", NULL};
static const char *const values_keys[] = {"values", "from", "to", "steps", "scale", NULL};

/* An axis key must be an override's key path: names and list indices
 * joined by dots. */
static gicsim_status check_key_path(const yt_pair *p, const char *what, gicsim_diag *d)
{
    const char *k = p->key;
    size_t n = strlen(k);
    bool ok = n > 0 && k[0] != '.' && k[n - 1] != '.' && !strstr(k, "..");
    for (size_t i = 0; ok && i < n; i++)
        ok = k[i] != '=' && k[i] != ' ' && k[i] != '\t';
    if (!ok)
        return yt_diag(d, GICSIM_E_INVAL, p->file, p->line, p->col, k,
                       "%s must be a scenario key path like gic.lrs or sources.0.arrival.rate "
                       "(names and list indices joined by dots)",
                       what);
    return GICSIM_OK;
}

/* The values of an axis: a list, {values: [...]} or a range. */
static gicsim_status parse_axis(const yt_pair *p, sw_axis *ax, gicsim_diag *d)
{
    TRY(check_key_path(p, "an axis", d));
    if (!(ax->key = yt_strdup(p->key)))
        return yt_nomem(d);
    ax->line = p->line;
    ax->col = p->col;
    const yt_node *n = p->value;
    char kp[256];
    if (n->kind == YT_MAP) {
        TRY(yt_check_map(n, p->key, values_keys, d));
        const yt_node *vals = yt_map_get(n, "values");
        if (!vals)
            return parse_range(n, p->key, ax, d);
        for (size_t i = 0; range_keys[i]; i++)
            if (yt_map_get(n, range_keys[i]))
                return yt_not_here(d, n, p->key, range_keys[i],
                                   "is a range's key: give either values or a range");
        yt_path(kp, sizeof kp, p->key, "values");
        n = vals;
    } else {
        snprintf(kp, sizeof kp, "%s", p->key);
    }
    if (n->kind != YT_SEQ)
        return yt_node_err(d, n, kp,
                           "expected a list of values or a range {from, to, steps, scale}, got %s",
                           yt_type_name(n));
    if (n->n == 0)
        return yt_node_err(d, n, kp, "needs at least one value");
    if (!(ax->v = calloc(n->n, sizeof *ax->v)))
        return yt_nomem(d);
    for (size_t i = 0; i < n->n; i++) {
        TRY(value_of(n->items[i], &ax->v[i], d));
        ax->n++;
    }
    return GICSIM_OK;
}

/* No value of a dimension twice (the runs would be the same): of an axis,
 * or of all the axes of a zip group together. */
static gicsim_status check_distinct(const gicsim_sweep *sw, const sw_dim *dim, gicsim_diag *d)
{
    for (size_t i = 1; i < dim->n; i++)
        for (size_t k = 0; k < i; k++) {
            bool same = true;
            for (size_t a = dim->first; same && a < dim->first + dim->count; a++)
                same = !strcmp(sw->axes[a].v[i].text, sw->axes[a].v[k].text);
            if (!same)
                continue;
            const sw_axis *ax = &sw->axes[dim->first];
            return yt_diag(d, GICSIM_E_INVAL, sw->file, ax->v[i].line, ax->v[i].col, ax->key,
                           "value %zu (\"%.80s\") repeats value %zu%s", i, ax->v[i].text, k,
                           dim->count > 1 ? " in every axis of the zip group" : "");
        }
    return GICSIM_OK;
}

static gicsim_status add_axis(gicsim_sweep *sw, const yt_pair *p, gicsim_diag *d)
{
    sw_axis *a = realloc(sw->axes, (sw->n_axes + 1) * sizeof *a);
    if (!a)
        return yt_nomem(d);
    sw->axes = a;
    sw_axis *ax = &sw->axes[sw->n_axes++];
    memset(ax, 0, sizeof *ax);
    TRY(parse_axis(p, ax, d));
    for (size_t i = 0; i + 1 < sw->n_axes; i++)
        if (!strcmp(sw->axes[i].key, ax->key))
            return yt_diag(d, GICSIM_E_INVAL, sw->file, p->line, p->col, ax->key,
                           "axis \"%s\" is already swept (line %u)", ax->key, sw->axes[i].line);
    for (size_t i = 0; i < sw->n_set; i++)
        if (!strcmp(sw->set[i].key, ax->key))
            return yt_diag(d, GICSIM_E_INVAL, sw->file, p->line, p->col, ax->key,
                           "\"%s\" is also fixed by set (line %u)", ax->key, sw->set[i].line);
    return GICSIM_OK;
}

static gicsim_status add_dim(gicsim_sweep *sw, size_t first, size_t count, size_t n, gicsim_diag *d)
{
    sw_dim *v = realloc(sw->dims, (sw->n_dims + 1) * sizeof *v);
    if (!v)
        return yt_nomem(d);
    sw->dims = v;
    sw->dims[sw->n_dims++] = (sw_dim){first, count, n};
    return check_distinct(sw, &sw->dims[sw->n_dims - 1], d);
}

/* A zip group: a mapping of axes with the same number of values. */
static gicsim_status parse_zip(gicsim_sweep *sw, const yt_node *g, const char *path, gicsim_diag *d)
{
    if (g->kind != YT_MAP || g->n == 0)
        return yt_node_err(d, g, path,
                           "a zip group is a mapping of axes that vary together, got %s",
                           g->kind == YT_MAP ? "an empty mapping" : yt_type_name(g));
    size_t first = sw->n_axes;
    for (size_t i = 0; i < g->n; i++) {
        TRY(add_axis(sw, &g->pairs[i], d));
        const sw_axis *ax = &sw->axes[sw->n_axes - 1], *a0 = &sw->axes[first];
        if (ax->n != a0->n)
            return yt_diag(d, GICSIM_E_INVAL, sw->file, ax->line, ax->col, ax->key,
                           "has %zu values, but \"%s\" in the same zip group has %zu: zipped "
                           "axes vary together",
                           ax->n, a0->key, a0->n);
    }
    return add_dim(sw, first, g->n, sw->axes[first].n, d);
}

static gicsim_status parse_axes(gicsim_sweep *sw, const yt_node *axes, gicsim_diag *d)
{
    if (yt_is_null(axes))
        return GICSIM_OK;
    if (axes->kind != YT_MAP)
        return yt_node_err(d, axes, "axes",
                           "expected a mapping of scenario key paths to values, got %s",
                           yt_type_name(axes));
    for (size_t i = 0; i < axes->n; i++) {
        const yt_pair *p = &axes->pairs[i];
        if (!strcmp(p->key, "zip")) {
            const yt_node *z = p->value;
            if (z->kind == YT_SEQ) {
                for (size_t k = 0; k < z->n; k++) {
                    char kp[64];
                    snprintf(kp, sizeof kp, "axes.zip.%zu", k);
                    TRY(parse_zip(sw, z->items[k], kp, d));
                }
            } else {
                TRY(parse_zip(sw, z, "axes.zip", d));
            }
            continue;
        }
        TRY(add_axis(sw, p, d));
        TRY(add_dim(sw, sw->n_axes - 1, 1, sw->axes[sw->n_axes - 1].n, d));
    }
    return GICSIM_OK;
}

static gicsim_status parse_set(gicsim_sweep *sw, const yt_node *set, gicsim_diag *d)
{
    if (yt_is_null(set))
        return GICSIM_OK;
    if (set->kind != YT_MAP)
        return yt_node_err(d, set, "set",
                           "expected a mapping of scenario key paths to values, got %s",
                           yt_type_name(set));
    if (!(sw->set = calloc(set->n ? set->n : 1, sizeof *sw->set)))
        return yt_nomem(d);
    for (size_t i = 0; i < set->n; i++) {
        const yt_pair *p = &set->pairs[i];
        TRY(check_key_path(p, "a key of set", d));
        sw_axis *ax = &sw->set[sw->n_set++];
        ax->line = p->line;
        ax->col = p->col;
        if (!(ax->key = yt_strdup(p->key)) || !(ax->v = calloc(1, sizeof *ax->v)))
            return yt_nomem(d);
        TRY(value_of(p->value, &ax->v[0], d));
        ax->n = 1;
    }
    return GICSIM_OK;
}

/* A list of distinct names (platforms, policies). */
static gicsim_status parse_names(const yt_node *n, const char *path, sw_name **out, size_t *count,
                                 bool policies, gicsim_diag *d)
{
    TRY(yt_check_seq(n, path, d));
    if (n->kind != YT_SEQ || n->n == 0)
        return yt_node_err(d, n, path, "needs at least one name");
    if (!(*out = calloc(n->n, sizeof **out)))
        return yt_nomem(d);
    for (size_t i = 0; i < n->n; i++) {
        char kp[64];
        const char *s;
        yt_path_index(kp, sizeof kp, path, i);
        if (policies)
            TRY(sc_check_policy(n->items[i], kp, &s, d));
        else
            TRY(yt_get_str(n->items[i], kp, &s, d));
        for (size_t k = 0; k < i; k++)
            if (!strcmp((*out)[k].name, s))
                return yt_node_err(d, n->items[i], kp, "\"%.80s\" is listed twice", s);
        sw_name *v = &(*out)[(*count)++];
        v->line = n->items[i]->line;
        v->col = n->items[i]->col;
        if (!(v->name = yt_strdup(s)))
            return yt_nomem(d);
    }
    return GICSIM_OK;
}

/* ---- Overrides of a run
 * --------------------------------------------------------------------------- */

/* An override with the spec position of its key and of its value. */
typedef struct sw_ovr {
    char *text;
    size_t key_len;
    unsigned kline, kcol, vline, vcol;
} sw_ovr;

typedef struct ovr_list {
    sw_ovr *v;
    size_t n, cap;
} ovr_list;

static void ovr_free(ovr_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static gicsim_status ovr_add(ovr_list *l, const char *key, const char *value, unsigned kline,
                             unsigned kcol, unsigned vline, unsigned vcol, gicsim_diag *d)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        sw_ovr *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return yt_nomem(d);
        l->v = v;
        l->cap = cap;
    }
    size_t n = strlen(key) + strlen(value) + 2;
    char *t = malloc(n);
    if (!t)
        return yt_nomem(d);
    snprintf(t, n, "%s=%s", key, value);
    l->v[l->n++] = (sw_ovr){t, strlen(key), kline, kcol, vline, vcol};
    return GICSIM_OK;
}

/* Which value of each dimension, platform, policy and replication run
 * `run` has. `dimv` has room for n_dims. */
static void run_coords(const gicsim_sweep *sw, size_t run, size_t *point, size_t *dimv,
                       size_t *plat, size_t *pol, uint32_t *rep)
{
    size_t np = sw->n_pols ? sw->n_pols : 1;
    *rep = (uint32_t)(run % sw->reps);
    size_t t = run / sw->reps;
    *pol = t % np;
    *point = t / np;
    size_t rest = *point;
    for (size_t k = sw->n_dims; k-- > 0;) {
        dimv[k] = rest % sw->dims[k].n;
        rest /= sw->dims[k].n;
    }
    *plat = rest;
}

/* The point's overrides: set, platform, axes (`dimv`: the value of each
 * dimension). */
static gicsim_status point_overrides(const gicsim_sweep *sw, size_t plat, const size_t *dimv,
                                     ovr_list *l, gicsim_diag *d)
{
    for (size_t i = 0; i < sw->n_set; i++) {
        const sw_axis *s = &sw->set[i];
        TRY(ovr_add(l, s->key, s->v[0].text, s->line, s->col, s->v[0].line, s->v[0].col, d));
    }
    if (sw->n_plats) {
        const sw_name *p = &sw->plats[plat];
        TRY(ovr_add(l, "platform", p->name, p->line, p->col, p->line, p->col, d));
    }
    for (size_t k = 0; k < sw->n_dims; k++)
        for (size_t a = sw->dims[k].first; a < sw->dims[k].first + sw->dims[k].count; a++) {
            const sw_axis *ax = &sw->axes[a];
            const sw_value *v = &ax->v[dimv[k]];
            TRY(ovr_add(l, ax->key, v->text, ax->line, ax->col, v->line, v->col, d));
        }
    return GICSIM_OK;
}

/* The rest of a run's overrides: outputs off, the policy on every VM, the
 * seed (seed == NULL: none, for validation). */
static gicsim_status run_overrides(const gicsim_sweep *sw, const sw_point *pt, size_t pol,
                                   const uint64_t *seed, ovr_list *l, gicsim_diag *d)
{
    if (pt->outputs)
        TRY(ovr_add(l, "outputs", "{}", sw->sc_line, sw->sc_col, sw->sc_line, sw->sc_col, d));
    if (sw->n_pols && pt->n_vms) {
        const sw_name *p = &sw->pols[pol];
        unsigned line = sw->pols_from_spec ? p->line : sw->sc_line;
        unsigned col = sw->pols_from_spec ? p->col : sw->sc_col;
        for (uint32_t v = 0; v < pt->n_vms; v++) {
            char key[48];
            snprintf(key, sizeof key, "vms.%" PRIu32 ".policy", v);
            TRY(ovr_add(l, key, p->name, line, col, line, col, d));
        }
    }
    if (seed) {
        char s[32];
        snprintf(s, sizeof s, "%" PRIu64, *seed);
        TRY(ovr_add(l, "run.seed", s, sw->reps_line, sw->reps_col, sw->reps_line, sw->reps_col, d));
    }
    return GICSIM_OK;
}

uint64_t gicsim_sweep_replication_seed(uint64_t base, uint32_t r)
{
    if (r == 0)
        return base;
    uint64_t z = base + 0x9E3779B97F4A7C15ull * r;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* "gic.lrs=4, policy eoi-split": what names a point in a message. */
static void describe_point(const ovr_list *l, size_t skip, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = skip; i < l->n && len + 1 < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", l->v[i].text);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (len >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

/* A scenario load with the overrides `l` failed: move an error in an
 * override to the spec, name the point in any other. */
static gicsim_status point_error(const gicsim_sweep *sw, const ovr_list *l, gicsim_status st,
                                 gicsim_diag *d)
{
    if (st == GICSIM_E_NOMEM || !d)
        return st;
    if (!strcmp(d->file, "<override>") && d->line >= 1 && d->line <= l->n) {
        const sw_ovr *o = &l->v[d->line - 1];
        bool in_key = d->column >= 1 && d->column <= o->key_len;
        snprintf(d->file, sizeof d->file, "%s", sw->file);
        d->line = in_key ? o->kline : o->vline;
        d->column = in_key ? o->kcol : o->vcol;
        return GICSIM_E_INVAL;
    }
    char point[200], msg[sizeof d->message];
    describe_point(l, sw->n_set, point, sizeof point);
    if (!point[0])
        return st;
    snprintf(msg, sizeof msg, "%.280s (in the sweep's point %.190s)", d->message, point);
    memcpy(d->message, msg, sizeof msg);
    return st;
}

static gicsim_status load_with(const gicsim_sweep *sw, const char *text, const ovr_list *l,
                               gicsim_scenario **sc, gicsim_diag *d)
{
    const char **v = calloc(l->n ? l->n : 1, sizeof *v);
    if (!v)
        return yt_nomem(d);
    for (size_t i = 0; i < l->n; i++)
        v[i] = l->v[i].text;
    gicsim_status st = gicsim_scenario_load_string(text, sw->scenario, v, l->n, sc, d);
    free(v);
    if (st != GICSIM_OK)
        return point_error(sw, l, st, d);
    /* A run of a sweep is one seed: its replications are the spec's, each
     * a run of its own in results.csv. run.replications would make every
     * run average N seeds of which results.csv keeps only the first. */
    if (gicsim_scenario_replications(*sc) > 1) {
        gicsim_scenario_free(*sc);
        *sc = NULL;
        unsigned line = sw->sc_line, col = sw->sc_col;
        for (size_t i = 0; i < l->n; i++)
            if (!strncmp(l->v[i].text, "run", 3) && strstr(l->v[i].text, "replications"))
                line = l->v[i].kline, col = l->v[i].kcol;
        return yt_diag(d, GICSIM_E_INVAL, sw->file, line, col, "run.replications",
                       "a sweep's runs are one seed each: give the spec's replications "
                       "instead (every replication is then a row of results.csv)");
    }
    return GICSIM_OK;
}

/* ---- Expansion and validation -------------------------------------------------------------------
 */

/* FNV-1a, 64 bits. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h ^ 0xff; /* a separator after every string */
}

static void make_id(const gicsim_sweep *sw, size_t plat, const size_t *dimv, const char *policy,
                    uint32_t rep, char id[16])
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = fnv(h, sw->scenario_text);
    for (size_t i = 0; i < sw->n_set; i++) {
        h = fnv(h, sw->set[i].key);
        h = fnv(h, sw->set[i].v[0].text);
    }
    if (sw->n_plats)
        h = fnv(fnv(h, "platform"), sw->plats[plat].name);
    for (size_t k = 0; k < sw->n_dims; k++)
        for (size_t a = sw->dims[k].first; a < sw->dims[k].first + sw->dims[k].count; a++)
            h = fnv(fnv(h, sw->axes[a].key), sw->axes[a].v[dimv[k]].text);
    h = fnv(fnv(h, "policy"), policy);
    char r[16];
    snprintf(r, sizeof r, "%" PRIu32, rep);
    h = fnv(fnv(h, "replication"), r);
    /* the first digit a letter (a-f), so no table reader takes an id for a
     * number */
    snprintf(id, 16, "%c%011" PRIx64, (char)('a' + (h >> 60) % 6),
             (uint64_t)(h & 0xfffffffffffull));
}

static gicsim_status expand(gicsim_sweep *sw, const char *text, size_t max_runs, gicsim_diag *d)
{
    /* The base scenario: it must load (with set), and gives the default
     * policies. */
    ovr_list l = {0};
    gicsim_scenario *sc = NULL;
    gicsim_status st = GICSIM_OK;
    for (size_t i = 0; i < sw->n_set && st == GICSIM_OK; i++)
        st = ovr_add(&l, sw->set[i].key, sw->set[i].v[0].text, sw->set[i].line, sw->set[i].col,
                     sw->set[i].v[0].line, sw->set[i].v[0].col, d);
    if (st == GICSIM_OK)
        st = load_with(sw, text, &l, &sc, d);
    ovr_free(&l);
    TRY(st);
    if (gicsim_scenario_microbench(sc, NULL, NULL, NULL)) {
        gicsim_scenario_free(sc);
        return yt_diag(d, GICSIM_E_INVAL, sw->file, sw->sc_line, sw->sc_col, "scenario",
                       "%s is a micro-bench scenario: it has nothing to sweep", sw->scenario);
    }
    if (!sw->pols_from_spec && gicsim_scenario_vm_count(sc)) {
        size_t np = gicsim_scenario_policy_count(sc);
        if (!(sw->pols = calloc(np ? np : 1, sizeof *sw->pols))) {
            gicsim_scenario_free(sc);
            return yt_nomem(d);
        }
        for (size_t i = 0; i < np; i++) {
            sw->pols[i].line = sw->sc_line;
            sw->pols[i].col = sw->sc_col;
            if (!(sw->pols[i].name = yt_strdup(gicsim_scenario_policy(sc, i)))) {
                gicsim_scenario_free(sc);
                return yt_nomem(d);
            }
            sw->n_pols++;
        }
    }
    if (sw->pols_from_spec && gicsim_scenario_vm_count(sc) == 0) {
        gicsim_scenario_free(sc);
        return yt_diag(d, GICSIM_E_INVAL, sw->file, sw->pols[0].line, sw->pols[0].col, "policies",
                       "the scenario has no VMs: a policy has nothing to apply to");
    }
    gicsim_scenario_free(sc);

    /* Sizes. */
    size_t limit = max_runs ? max_runs : GICSIM_SWEEP_MAX_RUNS;
    double runs = (double)(sw->n_plats ? sw->n_plats : 1) * (double)(sw->n_pols ? sw->n_pols : 1) *
                  (double)sw->reps;
    for (size_t k = 0; k < sw->n_dims; k++)
        runs *= (double)sw->dims[k].n;
    if (runs > (double)limit)
        return yt_diag(d, GICSIM_E_INVAL, sw->file, 1, 1, "",
                       "the sweep expands to %.0f runs; at most %zu", runs, limit);
    sw->n_runs = (size_t)runs;
    sw->n_points = sw->n_runs / (sw->n_pols ? sw->n_pols : 1) / sw->reps;
    if (!(sw->points = calloc(sw->n_points ? sw->n_points : 1, sizeof *sw->points)))
        return yt_nomem(d);

    const char **keys = calloc(sw->n_axes ? sw->n_axes : 1, sizeof *keys);
    const char **vals = calloc(sw->n_axes ? sw->n_axes : 1, sizeof *vals);
    size_t *dimv = calloc(sw->n_dims ? sw->n_dims : 1, sizeof *dimv);
    if (!keys || !vals || !dimv) {
        st = yt_nomem(d);
        goto out;
    }
    /* plan.csv lists the axes in dimension order (a zip group's in order). */
    size_t na = 0;
    for (size_t k = 0; k < sw->n_dims; k++)
        for (size_t a = sw->dims[k].first; a < sw->dims[k].first + sw->dims[k].count; a++)
            keys[na++] = sw->axes[a].key;
    if (!(sw->plan = sweep_plan_new(keys, na, sw->reps))) {
        st = yt_nomem(d);
        goto out;
    }
    size_t np = sw->n_pols ? sw->n_pols : 1;
    for (size_t run = 0; run < sw->n_runs && st == GICSIM_OK; run++) {
        size_t point, plat, pol;
        uint32_t rep;
        run_coords(sw, run, &point, dimv, &plat, &pol, &rep);
        sw_point *pt = &sw->points[point];
        if (pol == 0 && rep == 0) {
            /* A new point: its own scenario (seed, VMs, outputs), then the
             * scenario under each policy. */
            ovr_list pl = {0};
            st = point_overrides(sw, plat, dimv, &pl, d);
            if (st == GICSIM_OK)
                st = load_with(sw, text, &pl, &sc, d);
            if (st == GICSIM_OK) {
                pt->seed = gicsim_scenario_seed(sc);
                pt->n_vms = (uint32_t)gicsim_scenario_vm_count(sc);
                static const char *const kinds[] = {"json", "csv", "perfetto", "vcd", "cdf"};
                for (size_t k = 0; k < 5; k++)
                    pt->outputs = pt->outputs || gicsim_scenario_output(sc, kinds[k]);
                if (!(pt->platform = yt_strdup(gicsim_scenario_platform(sc))))
                    st = yt_nomem(d);
                if (st == GICSIM_OK && pt->n_vms == 0 && sw->n_pols)
                    st = yt_diag(d, GICSIM_E_INVAL, sw->file, sw->pols[0].line, sw->pols[0].col,
                                 "policies",
                                 "a point of the sweep has no VMs: a policy has nothing to apply "
                                 "to");
                gicsim_scenario_free(sc);
                sc = NULL;
            }
            size_t base = pl.n;
            for (size_t p = 0; p < np && st == GICSIM_OK; p++) {
                st = run_overrides(sw, pt, p, NULL, &pl, d);
                if (st == GICSIM_OK)
                    st = load_with(sw, text, &pl, &sc, d);
                gicsim_scenario_free(sc);
                sc = NULL;
                while (pl.n > base)
                    free(pl.v[--pl.n].text);
            }
            ovr_free(&pl);
            if (st != GICSIM_OK)
                break;
        }
        size_t a = 0;
        for (size_t k = 0; k < sw->n_dims; k++)
            for (size_t x = sw->dims[k].first; x < sw->dims[k].first + sw->dims[k].count; x++)
                vals[a++] = sw->axes[x].v[dimv[k]].text;
        const char *policy = sw->n_pols ? sw->pols[pol].name : "none";
        char id[16];
        make_id(sw, plat, dimv, policy, rep, id);
        if (gicsim_sweep_plan_find(sw->plan, id) != SIZE_MAX) {
            st = yt_diag(d, GICSIM_E_INVAL, sw->file, 1, 1, "",
                         "runs %zu and %zu have the same id %s",
                         gicsim_sweep_plan_find(sw->plan, id), run, id);
            break;
        }
        if (sweep_plan_add(sw->plan, id, vals, pt->platform, policy, rep,
                           gicsim_sweep_replication_seed(pt->seed, rep)) != GICSIM_OK)
            st = yt_nomem(d);
    }
out:
    free(keys);
    free(vals);
    free(dimv);
    return st;
}

static gicsim_status parse_spec(gicsim_sweep *sw, const yt_node *root, gicsim_diag *d)
{
    TRY(yt_root_map(root, sw->file, root ? root->line : 1, root ? root->col : 1,
                    "the sweep spec is empty: expected a mapping with at least \"scenario\"",
                    "a sweep spec must be a mapping (key: value lines)", d));
    TRY(yt_check_map(root, "", top_keys, d));
    TRY(yt_opt_strdup(root, "", "name", true, &sw->name, d));
    if (yt_map_get(root, "description")) {
        const char *s;
        TRY(yt_get_str(yt_map_get(root, "description"), "description", &s, d));
    }
    const yt_node *scn = yt_map_get(root, "scenario");
    if (!scn)
        return yt_missing(d, root, "", "scenario");
    const char *s;
    TRY(yt_get_str(scn, "scenario", &s, d));
    sw->sc_line = scn->line;
    sw->sc_col = scn->col;
    if (!(sw->scenario_text = yt_strdup(s)) || !(sw->scenario = yt_resolve_rel(sw->file, s)))
        return yt_nomem(d);
    if (!sw->name) {
        const char *base = strrchr(sw->file, '/');
        base = base ? base + 1 : sw->file;
        size_t n = strlen(base);
        if (n > 5 && !strcmp(base + n - 5, ".yaml"))
            n -= 5;
        if (!(sw->name = malloc(n + 1)))
            return yt_nomem(d);
        memcpy(sw->name, base, n);
        sw->name[n] = '\0';
    }
    const yt_node *n;
    if ((n = yt_map_get(root, "set")))
        TRY(parse_set(sw, n, d));
    if ((n = yt_map_get(root, "axes")))
        TRY(parse_axes(sw, n, d));
    if ((n = yt_map_get(root, "platforms"))) {
        TRY(parse_names(n, "platforms", &sw->plats, &sw->n_plats, false, d));
        for (size_t i = 0; i < sw->n_axes; i++)
            if (!strcmp(sw->axes[i].key, "platform"))
                return yt_diag(d, GICSIM_E_INVAL, sw->file, sw->axes[i].line, sw->axes[i].col,
                               "platform", "the platforms are swept by \"platforms\" already");
    }
    if ((n = yt_map_get(root, "policies"))) {
        TRY(parse_names(n, "policies", &sw->pols, &sw->n_pols, true, d));
        sw->pols_from_spec = true;
    }
    sw->reps = 1;
    sw->reps_line = sw->sc_line;
    sw->reps_col = sw->sc_col;
    if ((n = yt_map_get(root, "replications"))) {
        uint64_t r;
        TRY(yt_get_u64(n, "replications", 1, MAX_REPLICATIONS, &r, d));
        sw->reps = (uint32_t)r;
        sw->reps_line = n->line;
        sw->reps_col = n->col;
    }
    return GICSIM_OK;
}

static gicsim_status load(const char *yaml, size_t len, const char *name, size_t max_runs,
                          gicsim_sweep **out, gicsim_diag *d)
{
    gicsim_sweep *sw = calloc(1, sizeof *sw);
    if (!sw || !(sw->file = yt_strdup(name))) {
        free(sw);
        return yt_nomem(d);
    }
    yt_node *root = NULL;
    char *text = NULL;
    size_t tlen;
    gicsim_status st = yt_parse(yaml, len, sw->file, 0, 0, &root, d);
    if (st == GICSIM_OK)
        st = parse_spec(sw, root, d);
    yt_free(root);
    if (st == GICSIM_OK) {
        gicsim_diag sd;
        memset(&sd, 0, sizeof sd);
        st = yt_read_file(sw->scenario, &text, &tlen, &sd);
        if (st != GICSIM_OK)
            st = yt_diag(d, st, sw->file, sw->sc_line, sw->sc_col, "scenario", "%.200s: %.280s",
                         sw->scenario, sd.message);
    }
    if (st == GICSIM_OK)
        st = expand(sw, text, max_runs, d);
    free(text);
    if (st != GICSIM_OK) {
        gicsim_sweep_free(sw);
        return st;
    }
    *out = sw;
    return GICSIM_OK;
}

gicsim_status gicsim_sweep_load_string(const char *yaml, const char *name, size_t max_runs,
                                       gicsim_sweep **out, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!name)
        name = "<string>";
    if (!out)
        return yt_diag(diag, GICSIM_E_INVAL, name, 0, 0, "", "no output pointer");
    *out = NULL;
    if (!yaml)
        return yt_diag(diag, GICSIM_E_INVAL, name, 0, 0, "", "no text");
    return load(yaml, strlen(yaml), name, max_runs, out, diag);
}

gicsim_status gicsim_sweep_load(const char *path, gicsim_sweep **out, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!out)
        return yt_diag(diag, GICSIM_E_INVAL, path ? path : "", 0, 0, "", "no output pointer");
    *out = NULL;
    if (!path)
        return yt_diag(diag, GICSIM_E_INVAL, "", 0, 0, "", "no path");
    char *text;
    size_t len;
    TRY(yt_read_file(path, &text, &len, diag));
    gicsim_status st = load(text, len, path, 0, out, diag);
    free(text);
    return st;
}

/* ---- Accessors --------------------------------------------------------------------------------
 */

const char *gicsim_sweep_name(const gicsim_sweep *sw)
{
    return sw ? sw->name : NULL;
}

const char *gicsim_sweep_scenario(const gicsim_sweep *sw)
{
    return sw ? sw->scenario : NULL;
}

const gicsim_sweep_plan *gicsim_sweep_plan_of(const gicsim_sweep *sw)
{
    return sw ? sw->plan : NULL;
}

void gicsim_sweep_overrides_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

gicsim_status gicsim_sweep_run_overrides(const gicsim_sweep *sw, size_t run, char ***out, size_t *n)
{
    if (!sw || !out)
        return GICSIM_E_INVAL;
    *out = NULL;
    if (run >= sw->n_runs)
        return GICSIM_E_RANGE;
    size_t *dimv = calloc(sw->n_dims ? sw->n_dims : 1, sizeof *dimv);
    if (!dimv)
        return GICSIM_E_NOMEM;
    size_t point, plat, pol;
    uint32_t rep;
    run_coords(sw, run, &point, dimv, &plat, &pol, &rep);
    ovr_list l = {0};
    uint64_t seed = gicsim_sweep_replication_seed(sw->points[point].seed, rep);
    gicsim_status st = point_overrides(sw, plat, dimv, &l, NULL);
    if (st == GICSIM_OK)
        st = run_overrides(sw, &sw->points[point], pol, &seed, &l, NULL);
    free(dimv);
    char **v = st == GICSIM_OK ? calloc(l.n + 1, sizeof *v) : NULL;
    if (!v) {
        ovr_free(&l);
        return st == GICSIM_OK ? GICSIM_E_NOMEM : st;
    }
    for (size_t i = 0; i < l.n; i++) {
        v[i] = l.v[i].text; /* handed over */
        l.v[i].text = NULL;
    }
    if (n)
        *n = l.n;
    ovr_free(&l);
    *out = v;
    return GICSIM_OK;
}
