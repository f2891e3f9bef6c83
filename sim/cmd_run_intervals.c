/* gicsim run and compare --intervals (cmd_run.h): on a calibrated preset,
 * the interval of each run's latency mean, p50, p99 and exits per
 * interrupt (gicsim_calib_metric_intervals, each evaluation a run of the
 * scenario with the free costs moved), the table rows and header that show
 * them and the JSON's "intervals" member.
 *
 * The metrics of each run that get an interval (IV_PER_RUN per policy,
 * cmd_run.h) come from gicsim_calib_metric_intervals over the scenario's
 * calibrated preset, each evaluation an ordinary run of the scenario (same seed, no
 * outputs) with the free costs it is given, every policy from the same
 * call. */

#include "cmd_run.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double (*const iv_get[IV_PER_RUN])(const run_result *) = {
    run_get_mean_ns, run_get_p50_ns, run_get_p99_ns, run_get_exit_total};

/* The row under a metric's: each policy's interval. */
void run_print_interval_row(FILE *t, const intervals *iv, size_t n, int k)
{
    if (!iv || !iv->v)
        return;
    fprintf(t, "%-*s", LABEL_W, "  interval");
    for (size_t i = 0; i < n; i++) {
        const gicsim_calib_interval *x = &iv->v[i * IV_PER_RUN + (size_t)k];
        int prec = k == IV_EXITS ? 3 : 1;
        char b[80];
        snprintf(b, sizeof b, "[%.*f, %.*f]", prec, x->lo, prec, x->hi);
        if (strlen(b) > 18) /* keep the column: whole ns */
            snprintf(b, sizeof b, "[%.0f, %.0f]", x->lo, x->hi);
        fprintf(t, " %18s", b);
    }
    fputc('\n', t);
}

/* The line above the table that says what the intervals are. */
void run_print_interval_header(FILE *t, const intervals *iv)
{
    if (!iv || !iv->v)
        return;
    fprintf(t,
            "intervals: over the %s fit's %zu free cost%s of %s within their prior ranges,\n"
            "           every measured figure within its uncertainty (linearised from %u runs "
            "per policy;\n           docs/calibration.md)\n",
            iv->map ? "MAP" : "exact", iv->n_free, iv->n_free == 1 ? "" : "s", iv->platform,
            iv->runs);
}

/* ---- Intervals: the evaluations ------------------------------------------------------ */

typedef struct iv_ctx {
    const run_ctx *rc;
    const plan *pl;
    const run_result *res;       /* the command's runs */
    const gicsim_timing *timing; /* theirs */
    const char *path;            /* the scenario file */
    unsigned done, total;
    bool shown; /* a progress line is on the terminal */
    int code;   /* the exit code of a failed evaluation */
} iv_ctx;

static bool same_timing(const gicsim_timing *a, const gicsim_timing *b)
{
    for (int k = 0; k < GICSIM_CLK__COUNT; k++)
        if (a->clock_hz[k] != b->clock_hz[k])
            return false;
    for (int c = 0; c < GICSIM_COST__COUNT; c++)
        if (a->cycles[c] != b->cycles[c])
            return false;
    return true;
}

/* gicsim_calib_metric_fn: every policy's metrics with `t`. At the command's
 * own timing they are its runs'; otherwise the scenario is loaded again
 * with the command's overrides and platform_overrides.costs.NAME=CYCLES for
 * each cost that differs, and run under each policy. */
static gicsim_status iv_eval(void *ctx, const gicsim_timing *t, double *v)
{
    iv_ctx *x = ctx;
    const run_ctx *rc = x->rc;
    x->done++;
    if (!rc->o->quiet && isatty(STDERR_FILENO)) {
        fprintf(stderr, "\r%s: intervals: run %u of at most %u", cli_prog, x->done, x->total);
        fflush(stderr);
        x->shown = true;
    }
    if (same_timing(t, x->timing)) {
        for (size_t i = 0; i < x->pl->n; i++)
            for (size_t k = 0; k < IV_PER_RUN; k++)
                v[i * IV_PER_RUN + k] = iv_get[k](&x->res[i]);
        return GICSIM_OK;
    }
    const options *o = rc->o;
    const char **ovr = calloc(o->n_overrides + GICSIM_COST__COUNT, sizeof *ovr);
    char(*kv)[96] = calloc(GICSIM_COST__COUNT, sizeof *kv);
    if (!ovr || !kv) {
        free(ovr);
        free(kv);
        x->code = EX_SOFTWARE;
        return GICSIM_E_NOMEM;
    }
    size_t n = o->n_overrides;
    memcpy(ovr, o->overrides, n * sizeof *ovr);
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        if (t->cycles[c] == x->timing->cycles[c])
            continue;
        snprintf(kv[c], sizeof kv[c], "platform_overrides.costs.%s=%" PRIu64,
                 gicsim_cost_name((gicsim_cost_id)c), t->cycles[c]);
        ovr[n++] = kv[c];
    }
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_scenario *sc = NULL;
    gicsim_status st = gicsim_scenario_load(x->path, ovr, n, &sc, &diag);
    if (st != GICSIM_OK) {
        cli_report_diag(&diag, st);
        x->code = cli_config_exit(st);
    }
    options quiet = *o;
    quiet.quiet = true;
    run_ctx one = *rc;
    one.sc = sc;
    one.o = &quiet;
    const run_outputs none = {{NULL}, NULL};
    for (size_t i = 0; i < x->pl->n && st == GICSIM_OK; i++) {
        run_result r;
        memset(&r, 0, sizeof r);
        int code = run_simulate(&one, x->pl->pols[i], &none, &r);
        if (code == EX_OK)
            for (size_t k = 0; k < IV_PER_RUN; k++)
                v[i * IV_PER_RUN + k] = iv_get[k](&r);
        gicsim_system_destroy(r.sys);
        if (code != EX_OK) {
            x->code = code;
            st = GICSIM_E_STATE;
        }
    }
    gicsim_scenario_free(sc);
    free(ovr);
    free(kv);
    return st;
}

/* --intervals: the scenario's preset, which must be calibrated; EX_CONFIG
 * after a message when it is not. */
int run_load_calibrated(const gicsim_scenario *sc, gicsim_platform **p)
{
    int code = cli_load_platform(gicsim_scenario_platform_file(sc), p);
    if (code == EX_OK && gicsim_platform_measured_count(*p) == 0) {
        cli_errorf("--intervals: platform %s has no measured figures; intervals need a "
                   "calibrated preset (one with a measured: block, docs/calibration.md; gicsim "
                   "list platforms marks them)",
                   gicsim_platform_name(*p));
        gicsim_platform_free(*p);
        *p = NULL;
        code = EX_CONFIG;
    }
    return code;
}

/* The intervals of the command's runs res[0..pl->n) on the calibrated
 * preset p: the micro-benchmarks as p's machine (its VHE and KVM) with the
 * scenario's costs (its platform_overrides included), p's measured
 * figures, fit set, facts and uncertainties. */
int run_compute_intervals(const run_ctx *rc, const plan *pl, const run_result *res,
                          const char *path, const gicsim_platform *p, intervals *iv)
{
    if (pl->n == 0)
        return EX_OK;
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(p, &cfg);
    cfg.timing = *gicsim_system_timing(res[0].sys);
    cli_preset_calib pc;
    cli_preset_calib_init(&pc, p, &cfg);
    iv->v = calloc(pl->n * IV_PER_RUN, sizeof *iv->v);
    if (!iv->v)
        return EX_SOFTWARE;
    iv->platform = gicsim_platform_name(p);
    iv->map = pc.map;
    iv_ctx x = {.rc = rc, .pl = pl, .res = res, .timing = &cfg.timing, .path = path};
    /* The free costs: the preset's fit set, else every cost but the facts; at most two
     * evaluations each, and one at the fit. */
    x.total = 2 * (unsigned)(pc.opt.n_fit ? pc.opt.n_fit : GICSIM_COST__COUNT - pc.opt.n_facts) + 1;
    gicsim_calib_metrics mx = {
        .n = pl->n * IV_PER_RUN, .eval = iv_eval, .ctx = &x, .nonnegative = true};
    gicsim_calib_fit *fit = NULL;
    gicsim_status st =
        gicsim_calib_metric_intervals(&cfg, pc.test, pc.ns, pc.n, &pc.opt, &mx, iv->v, &fit);
    if (x.shown)
        fputc('\n', stderr);
    int code = EX_OK;
    if (st != GICSIM_OK) {
        cli_errorf("intervals: %s", fit && fit->message[0] ? fit->message : gicsim_strerror(st));
        code = x.code ? x.code : cli_mb_exit(st);
        free(iv->v);
        iv->v = NULL;
    } else {
        iv->n_free = fit->n_free;
        iv->runs = fit->metric_runs;
    }
    gicsim_calib_fit_free(fit);
    return code;
}

/* One metric's interval as {"value": V, "lo": L, "hi": H}. */
static void json_interval(FILE *f, const char *key, const gicsim_calib_interval *x, int prec,
                          bool last)
{
    fprintf(f, "      \"%s\": {\"value\": %.*f, \"lo\": %.*f, \"hi\": %.*f}%s\n", key, prec,
            x->value, prec, x->lo, prec, x->hi, last ? "" : ",");
}

void run_json_intervals(FILE *f, const intervals *iv, size_t i)
{
    const gicsim_calib_interval *x = &iv->v[i * IV_PER_RUN];
    fputs(",\n  \"intervals\": {\n    \"platform\": ", f);
    cli_json_str(f, iv->platform);
    fprintf(f,
            ",\n    \"fit_method\": \"%s\",\n    \"free_costs\": %zu,\n    \"runs\": %u,\n"
            "    \"latency\": {\n",
            iv->map ? "map" : "exact", iv->n_free, iv->runs);
    json_interval(f, "mean_ns", &x[IV_MEAN], 3, false);
    json_interval(f, "p50_ns", &x[IV_P50], 3, false);
    json_interval(f, "p99_ns", &x[IV_P99], 3, true);
    fputs("    },\n    \"exits_per_delivered\": {\n", f);
    json_interval(f, "total", &x[IV_EXITS], 6, true);
    fputs("    }\n  }", f);
}
