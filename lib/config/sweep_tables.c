/* gicsim: a sweep's result tables (gicsim/sweep.h): results.csv, one row
 * per run and source (plus the all-sources row), and summary.csv, the mean
 * and 95% confidence interval over each point's replications, from the
 * runs' JSON summaries (output_json.c writes them; config/yaml_tree.c
 * reads them, JSON being YAML).
 *
 * Cells copy the JSON's numbers as written, so results.csv holds exactly
 * what each run reported. The summary's statistics are computed in run
 * order with Welford's update and written with integer arithmetic (as
 * lib/output writes its numbers, without the locale): the same runs
 * give the same bytes whichever machines ran them. Both files are written
 * under temporary names and renamed into place at the end. */
#include "sweep_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- The columns --------------------------------------------------------------------------- */

/* A metric: its column, where the all-sources row finds it under
 * "results" (a dotted path), where a source's row finds it in the source's
 * latency object (NULL: not per source), and the summary's decimals. */
typedef struct metric {
    char name[48];
    char path[64];
    const char *source_key;
    unsigned decimals;
} metric;

#define MAX_METRICS 40

static size_t metrics(metric *m)
{
    size_t n = 0;
    static const struct {
        const char *name, *path, *src;
        unsigned dec;
    } fixed[] = {
        {"asserted", "asserted", NULL, 3},
        {"delivered", "delivered", "count", 3},
        {"merged", "merged", NULL, 3},
        {"pending", "pending", NULL, 3},
        {"latency_mean_ns", "latency.all.mean_ns", "mean_ns", 3},
        {"latency_p50_ns", "latency.all.p50_ns", "p50_ns", 3},
        {"latency_p90_ns", "latency.all.p90_ns", "p90_ns", 3},
        {"latency_p99_ns", "latency.all.p99_ns", "p99_ns", 3},
        {"latency_p999_ns", "latency.all.p999_ns", "p999_ns", 3},
        {"latency_max_ns", "latency.all.max_ns", "max_ns", 3},
        {"exits_total", "exits.total", NULL, 3},
        {"exits_per_irq_total", "exits_per_delivered.total", NULL, 6},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        snprintf(m[n].name, sizeof m[n].name, "%s", fixed[i].name);
        snprintf(m[n].path, sizeof m[n].path, "%s", fixed[i].path);
        m[n].source_key = fixed[i].src;
        m[n++].decimals = fixed[i].dec;
    }
    for (int r = 0; r < GICSIM_EXIT__COUNT; r++) {
        const char *reason = gicsim_exit_reason_name((gicsim_exit_reason)r);
        snprintf(m[n].name, sizeof m[n].name, "exits_per_irq_%s", reason);
        for (char *c = m[n].name; *c; c++)
            if (*c == '-')
                *c = '_';
        snprintf(m[n].path, sizeof m[n].path, "exits_per_delivered.%s", reason);
        m[n].source_key = NULL;
        m[n++].decimals = 6;
    }
    static const char *const tail[] = {"hyp_time_share",   "halt_poll_time_share",
                                       "maintenance_irqs", "doorbells",
                                       "lr_spills",        "kicks",
                                       "wakeups"};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) {
        snprintf(m[n].name, sizeof m[n].name, "%s", tail[i]);
        snprintf(m[n].path, sizeof m[n].path, "%s", tail[i]);
        m[n].source_key = NULL;
        m[n++].decimals = i < 2 ? 6 : 3;
    }
    return n;
}

/* An axis's numeric twin: every value a rate (its hertz) or a time (its
 * nanoseconds), so the column plots and filters as a number. */
typedef enum twin { TWIN_NONE, TWIN_HZ, TWIN_NS } twin;

static bool twin_text(twin k, const char *v, char *buf, size_t size)
{
    if (k == TWIN_HZ)
        return yt_rate_hz_text(v, buf, size);
    gicsim_time_t ps;
    const char *why;
    if (yt_parse_time(v, &ps, &why) != GICSIM_OK)
        return false;
    /* ns with the picoseconds as decimals, trailing zeros dropped */
    char frac[8];
    snprintf(frac, sizeof frac, "%03" PRIu64, ps % 1000);
    size_t n = 3;
    while (n && frac[n - 1] == '0')
        frac[--n] = '\0';
    snprintf(buf, size, "%" PRIu64 "%s%s", ps / 1000, n ? "." : "", frac);
    return true;
}

/* ---- Statistics ----------------------------------------------------------------------------- */

/* t_{0.975} of Student's distribution with df degrees of freedom. */
static double t975(size_t df)
{
    static const double t[31] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                                 2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                 2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                                 2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (df <= 30)
        return t[df];
    /* Cornish-Fisher expansion around the normal quantile. */
    double z = 1.959964, v = (double)df;
    double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
           (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

typedef struct stat {
    size_t n;
    double mean, m2;
} stat;

static void stat_add(stat *s, double x)
{
    s->n++;
    double d = x - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * (x - s->mean);
}

/* The half-width of the 95% interval of the mean of `s`. */
static double stat_half(const stat *s)
{
    return s->n < 2 ? 0.0 : t975(s->n - 1) * sqrt(s->m2 / (double)(s->n - 1)) / sqrt((double)s->n);
}

void gicsim_sweep_mean_ci(const double *x, size_t n, double *mean, double *half)
{
    stat s = {0, 0, 0};
    for (size_t i = 0; x && i < n; i++)
        stat_add(&s, x[i]);
    if (mean)
        *mean = s.mean;
    if (half)
        *half = stat_half(&s);
}

void gicsim_sweep_diff_ci(const double *x, size_t nx, const double *y, size_t ny, double *diff,
                          double *half)
{
    stat a = {0, 0, 0}, b = {0, 0, 0};
    for (size_t i = 0; x && i < nx; i++)
        stat_add(&a, x[i]);
    for (size_t i = 0; y && i < ny; i++)
        stat_add(&b, y[i]);
    if (diff)
        *diff = b.mean - a.mean;
    if (!half)
        return;
    *half = 0;
    if (a.n < 2 || b.n < 2)
        return;
    double va = a.m2 / (double)(a.n - 1) / (double)a.n, vb = b.m2 / (double)(b.n - 1) / (double)b.n;
    double v = va + vb;
    if (!(v > 0))
        return;
    /* Welch-Satterthwaite degrees of freedom. */
    double df = v * v / (va * va / (double)(a.n - 1) + vb * vb / (double)(b.n - 1));
    size_t dfi = df < 1 ? 1 : (size_t)df;
    *half = t975(dfi) * sqrt(v);
}

/* One row of a group: a source's statistics. */
typedef struct group_row {
    char *source;
    stat st[MAX_METRICS];
} group_row;

struct gicsim_sweep_tables {
    const gicsim_sweep_plan *plan;
    char *paths[2], *tmps[2];
    FILE *f[2]; /* results, summary */
    metric m[MAX_METRICS];
    size_t n_metrics;
    twin *twins;
    size_t next; /* the smallest run index add() accepts */
    /* the group (point and policy) being summarised */
    size_t group, group_runs;
    group_row *rows;
    size_t n_rows;
    bool failed;
};

/* ---- Opening -------------------------------------------------------------------------------- */

static void header_keys(FILE *b, gicsim_sweep_tables *t)
{
    const gicsim_sweep_plan *p = t->plan;
    for (size_t k = 0; k < p->n_axes; k++) {
        csv_field(b, p->axes[k]);
        fputc(',', b);
    }
    for (size_t k = 0; k < p->n_axes; k++) {
        if (t->twins[k] == TWIN_NONE)
            continue;
        size_t n = strlen(p->axes[k]) + 4;
        char *name = malloc(n);
        if (name) {
            snprintf(name, n, "%s%s", p->axes[k], t->twins[k] == TWIN_HZ ? "_hz" : "_ns");
            csv_field(b, name);
        } else {
            t->failed = true;
        }
        free(name);
        fputc(',', b);
    }
    fputs("platform,policy,", b);
}

gicsim_status gicsim_sweep_tables_open(const gicsim_sweep_plan *p, const char *results_csv,
                                       const char *summary_csv, gicsim_sweep_tables **out)
{
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    if (!p)
        return GICSIM_E_INVAL;
    gicsim_sweep_tables *t = calloc(1, sizeof *t);
    if (!t)
        return GICSIM_E_NOMEM;
    t->plan = p;
    t->n_metrics = metrics(t->m);
    t->group = SIZE_MAX;
    t->twins = calloc(p->n_axes ? p->n_axes : 1, sizeof *t->twins);
    gicsim_status st = t->twins ? GICSIM_OK : GICSIM_E_NOMEM;
    for (size_t k = 0; st == GICSIM_OK && k < p->n_axes; k++) {
        twin kinds[2] = {TWIN_HZ, TWIN_NS};
        for (int w = 0; w < 2 && t->twins[k] == TWIN_NONE; w++) {
            bool all = p->n_runs > 0;
            char buf[64];
            for (size_t i = 0; all && i < p->n_runs; i++)
                all = twin_text(kinds[w], p->rows[i].values[k], buf, sizeof buf);
            if (all)
                t->twins[k] = kinds[w];
        }
    }
    /* A table without a path is written to nowhere (/dev/null). */
    const char *paths[2] = {results_csv, summary_csv};
    for (int k = 0; st == GICSIM_OK && k < 2; k++) {
        if (!paths[k]) {
            if (!(t->f[k] = fopen("/dev/null", "wb")))
                st = GICSIM_E_IO;
            continue;
        }
        if (!(t->paths[k] = yt_strdup(paths[k])) || !(t->tmps[k] = malloc(strlen(paths[k]) + 32))) {
            st = GICSIM_E_NOMEM;
            break;
        }
        if (!(t->f[k] = sw_open_tmp(paths[k], t->tmps[k], strlen(paths[k]) + 32)))
            st = GICSIM_E_IO;
    }
    if (st == GICSIM_OK) {
        FILE *b = t->f[0];
        fputs("index,id,", b);
        header_keys(b, t);
        fputs("replication,seed,source", b);
        for (size_t i = 0; i < t->n_metrics; i++)
            fprintf(b, ",%s", t->m[i].name);
        fputc('\n', b);
        b = t->f[1];
        header_keys(b, t);
        fputs("source,replications", b);
        for (size_t i = 0; i < t->n_metrics; i++)
            fprintf(b, ",%s_mean,%s_ci95", t->m[i].name, t->m[i].name);
        fputc('\n', b);
    }
    if (st != GICSIM_OK) {
        gicsim_sweep_tables_close(t, false);
        return st;
    }
    *out = t;
    return GICSIM_OK;
}

/* ---- Rows ------------------------------------------------------------------------------------ */

/* The node at a dotted path under `n` (NULL when absent). */
static const yt_node *at_path(const yt_node *n, const char *path)
{
    char seg[64];
    while (n && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(seg, sizeof seg, "%.*s", (int)len, path);
        n = n->kind == YT_MAP ? yt_map_get(n, seg) : NULL;
        path += len + (dot ? 1 : 0);
    }
    return n;
}

/* The text of a number cell: "" for null or anything that is not a plain
 * decimal number. */
static const char *number_text(const yt_node *n)
{
    double v;
    if (!n || n->kind != YT_SCALAR || !n->plain || !sw_parse_decimal(n->str, &v, NULL))
        return "";
    return n->str;
}

static void key_cells(FILE *b, const gicsim_sweep_tables *t, const sweep_plan_row *r)
{
    const gicsim_sweep_plan *p = t->plan;
    for (size_t k = 0; k < p->n_axes; k++) {
        csv_field(b, r->values[k]);
        fputc(',', b);
    }
    for (size_t k = 0; k < p->n_axes; k++) {
        if (t->twins[k] == TWIN_NONE)
            continue;
        char buf[64];
        if (twin_text(t->twins[k], r->values[k], buf, sizeof buf))
            fputs(buf, b);
        fputc(',', b);
    }
    csv_field(b, r->platform);
    fputc(',', b);
    csv_field(b, r->policy);
    fputc(',', b);
}

static void summary_flush(gicsim_sweep_tables *t)
{
    if (t->group == SIZE_MAX)
        return;
    const sweep_plan_row *r = &t->plan->rows[t->group * t->plan->replications];
    FILE *b = t->f[1];
    for (size_t i = 0; i < t->n_rows; i++) {
        group_row *g = &t->rows[i];
        key_cells(b, t, r);
        csv_field(b, g->source);
        fprintf(b, ",%zu", t->group_runs);
        for (size_t k = 0; k < t->n_metrics; k++) {
            const stat *s = &g->st[k];
            fputc(',', b);
            if (s->n)
                sw_fixed(b, s->mean, t->m[k].decimals);
            fputc(',', b);
            if (s->n > 1)
                sw_fixed(b, stat_half(s), t->m[k].decimals);
        }
        fputc('\n', b);
    }
    for (size_t i = 0; i < t->n_rows; i++)
        free(t->rows[i].source);
    free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    t->group_runs = 0;
    t->group = SIZE_MAX;
}

/* The group's row for `source`, created (in order of appearance). */
static group_row *group_row_of(gicsim_sweep_tables *t, const char *source)
{
    for (size_t i = 0; i < t->n_rows; i++)
        if (!strcmp(t->rows[i].source, source))
            return &t->rows[i];
    group_row *r = realloc(t->rows, (t->n_rows + 1) * sizeof *r);
    if (!r)
        return NULL;
    t->rows = r;
    group_row *g = &t->rows[t->n_rows];
    memset(g, 0, sizeof *g);
    if (!(g->source = yt_strdup(source)))
        return NULL;
    t->n_rows++;
    return g;
}

/* One results row: the run's keys, the source, its cells; and the cells
 * into the group's statistics. */
static gicsim_status add_row(gicsim_sweep_tables *t, FILE *b, const sweep_plan_row *r, size_t run,
                             const char *source, const yt_node *results, const yt_node *lat)
{
    fprintf(b, "%" PRIu64, (uint64_t)(run));
    fputc(',', b);
    fputs(r->id, b);
    fputc(',', b);
    key_cells(b, t, r);
    fprintf(b, "%" PRIu64, (uint64_t)(r->replication));
    fputc(',', b);
    fprintf(b, "%" PRIu64, (uint64_t)(r->seed));
    fputc(',', b);
    csv_field(b, source);
    group_row *g = group_row_of(t, source);
    if (!g)
        return GICSIM_E_NOMEM;
    for (size_t k = 0; k < t->n_metrics; k++) {
        const yt_node *v = lat ? (t->m[k].source_key ? yt_map_get(lat, t->m[k].source_key) : NULL)
                               : at_path(results, t->m[k].path);
        const char *cell = number_text(v);
        fputc(',', b);
        fputs(cell, b);
        double x;
        if (sw_parse_decimal(cell, &x, NULL))
            stat_add(&g->st[k], x);
    }
    fputc('\n', b);
    return GICSIM_OK;
}

gicsim_status gicsim_sweep_tables_add(gicsim_sweep_tables *t, size_t run, const char *json,
                                      gicsim_diag *d)
{
    if (d)
        memset(d, 0, sizeof *d);
    if (!t || !json)
        return GICSIM_E_INVAL;
    if (run >= t->plan->n_runs)
        return GICSIM_E_RANGE;
    if (run < t->next)
        return GICSIM_E_STATE;
    char name[48];
    snprintf(name, sizeof name, "run %zu", run);
    yt_node *root = NULL;
    gicsim_status st = yt_parse(json, strlen(json), name, 0, 0, &root, d);
    if (st != GICSIM_OK) {
        yt_free(root);
        return st == GICSIM_E_NOMEM ? st : GICSIM_E_PARSE;
    }
    const yt_node *results = root && root->kind == YT_MAP ? yt_map_get(root, "results") : NULL;
    const yt_node *sources = at_path(results, "latency.sources");
    if (!results || results->kind != YT_MAP || !at_path(results, "latency.all") ||
        (sources && sources->kind != YT_MAP)) {
        yt_free(root);
        return yt_diag(d, GICSIM_E_PARSE, name, 1, 1, "results",
                       "not a run summary (no \"results\" with \"latency\")");
    }
    t->next = run + 1;
    size_t group = run / t->plan->replications;
    if (group != t->group) {
        summary_flush(t);
        t->group = group;
    }
    t->group_runs++;
    const sweep_plan_row *r = &t->plan->rows[run];
    st = add_row(t, t->f[0], r, run, "all", results, NULL);
    for (size_t i = 0; st == GICSIM_OK && sources && i < sources->n; i++) {
        const yt_pair *p = &sources->pairs[i];
        if (p->value->kind == YT_MAP)
            st = add_row(t, t->f[0], r, run, p->key, results, p->value);
    }
    yt_free(root);
    if (st != GICSIM_OK)
        t->failed = true;
    return st;
}

gicsim_status gicsim_sweep_tables_close(gicsim_sweep_tables *t, bool commit)
{
    if (!t)
        return GICSIM_E_INVAL;
    if (t->f[1])
        summary_flush(t);
    gicsim_status st = t->failed ? GICSIM_E_IO : GICSIM_OK;
    for (int k = 0; k < 2; k++) {
        if (!t->f[k])
            continue;
        if (t->tmps[k]) { /* a real table: renamed into place, or removed */
            gicsim_status cs =
                sw_close_tmp(t->f[k], t->tmps[k], t->paths[k], commit && st == GICSIM_OK);
            if (st == GICSIM_OK)
                st = cs;
        } else {
            fclose(t->f[k]);
        }
    }
    for (int k = 0; k < 2; k++) {
        free(t->paths[k]);
        free(t->tmps[k]);
    }
    for (size_t i = 0; i < t->n_rows; i++)
        free(t->rows[i].source);
    free(t->rows);
    free(t->twins);
    free(t);
    return st;
}
