/* gicsim: fitting a platform's variation to measured percentiles and
 * run-to-run spreads (gicsim_calibrate_spread, <gicsim/calibrate.h>;
 * docs/calibration.md, "Spread"). */
#include <gicsim/calibrate.h>
#include <gicsim/sweep.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_EVALS 80
#define DEFAULT_REPLICATIONS 16u

size_t gicsim_spread_targets(const gicsim_mb_test *tests, const gicsim_mb_spread *spread, size_t n,
                             gicsim_spread_target *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; tests && spread && out && i < n; i++) {
        const gicsim_mb_spread *sp = &spread[i];
        for (size_t j = 0; j < sp->n_pct && k < max; j++)
            out[k++] = (gicsim_spread_target){tests[i], GICSIM_SPREAD_PERCENTILE, sp->pct[j],
                                              sp->pct_ns[j]};
        if (sp->n_runs >= 2 && k < max) {
            double sd;
            double mean;
            gicsim_sweep_mean_ci(sp->runs_ns, sp->n_runs, &mean, NULL);
            double ss = 0;
            for (size_t r = 0; r < sp->n_runs; r++)
                ss += (sp->runs_ns[r] - mean) * (sp->runs_ns[r] - mean);
            sd = sqrt(ss / (double)(sp->n_runs - 1));
            if (sd > 0)
                out[k++] = (gicsim_spread_target){tests[i], GICSIM_SPREAD_RUN_SD, 0, sd};
        }
    }
    return k;
}

gicsim_status gicsim_mb_run_sd(const gicsim_mb_config *cfg, gicsim_mb_test test,
                               uint32_t replications, double *sd_ns)
{
    if (!cfg || !sd_ns)
        return GICSIM_E_INVAL;
    double v[1024];
    uint32_t n = replications ? (replications < 1024 ? replications : 1024) : DEFAULT_REPLICATIONS;
    gicsim_mb_config rc = *cfg;
    for (uint32_t r = 0; r < n; r++) {
        gicsim_mb_result res;
        memset(&res, 0, sizeof res);
        rc.variation.seed = gicsim_sweep_replication_seed(cfg->variation.seed, r);
        gicsim_status st = gicsim_mb_run(&rc, test, &res);
        gicsim_mb_result_free(&res);
        if (st != GICSIM_OK)
            return st;
        v[r] = res.value_ns;
    }
    double mean = 0, ss = 0;
    gicsim_sweep_mean_ci(v, n, &mean, NULL);
    for (uint32_t r = 0; r < n; r++)
        ss += (v[r] - mean) * (v[r] - mean);
    *sd_ns = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    return GICSIM_OK;
}

typedef struct spread_ctx {
    gicsim_mb_config cfg;
    const gicsim_spread_target *t;
    size_t n_t;
    const char *const *params;
    size_t n_p;
    uint32_t reps;
    unsigned evals;
    bool started; /* the start point ran: later failures are infeasible points */
    gicsim_status st;
} spread_ctx;

/* The simulated statistic of every target with the parameters exp(x). */
static gicsim_status simulate(spread_ctx *c, const double *x, double *sim)
{
    gicsim_mb_config cfg = c->cfg;
    c->evals++; /* a point that cannot be set counts too: the search ends */
    for (size_t j = 0; j < c->n_p; j++)
        if (gicsim_variation_set_param(&cfg.variation, c->params[j], exp(x[j])) != GICSIM_OK)
            return GICSIM_E_INVAL;
    for (size_t k = 0; k < c->n_t; k++)
        sim[k] = NAN;
    for (size_t k = 0; k < c->n_t; k++) {
        if (!isnan(sim[k]))
            continue;
        gicsim_mb_test test = c->t[k].test;
        bool pct = false, runs = false;
        for (size_t q = k; q < c->n_t; q++)
            if (c->t[q].test == test) {
                pct |= c->t[q].stat == GICSIM_SPREAD_PERCENTILE;
                runs |= c->t[q].stat == GICSIM_SPREAD_RUN_SD;
            }
        if (pct) {
            gicsim_mb_result r;
            memset(&r, 0, sizeof r);
            gicsim_status st = gicsim_mb_run(&cfg, test, &r);
            if (st != GICSIM_OK)
                return st;
            for (size_t q = k; q < c->n_t; q++)
                if (c->t[q].test == test && c->t[q].stat == GICSIM_SPREAD_PERCENTILE)
                    sim[q] = r.latency
                                 ? (double)gicsim_histogram_percentile(r.latency, c->t[q].pct) / 1e3
                                 : r.value_ns;
            gicsim_mb_result_free(&r);
        }
        if (runs) {
            double sd;
            gicsim_status st = gicsim_mb_run_sd(&cfg, test, c->reps, &sd);
            if (st != GICSIM_OK)
                return st;
            for (size_t q = k; q < c->n_t; q++)
                if (c->t[q].test == test && c->t[q].stat == GICSIM_SPREAD_RUN_SD)
                    sim[q] = sd;
        }
    }
    return GICSIM_OK;
}

static double objective(spread_ctx *c, const double *x, double *sim)
{
    gicsim_status st = simulate(c, x, sim);
    if (st != GICSIM_OK) {
        /* The start must run. A later point may leave the parameters' range
         * (GICSIM_E_INVAL: a sigma above 5, a multiplier below 1) or spread a
         * test so far that it cannot complete (GICSIM_E_STATE: timer_bm's
         * ticks merge): the search treats it as infeasible and goes on. */
        if ((!c->started || st == GICSIM_E_NOMEM) && c->st == GICSIM_OK)
            c->st = st;
        return INFINITY;
    }
    double f = 0;
    for (size_t k = 0; k < c->n_t; k++) {
        /* A statistic of 0 (no spread at all) is as far as a factor 1e3 off. */
        double r = sim[k] > 0 ? log(sim[k] / c->t[k].ns) : log(1e-3);
        f += r * r;
    }
    return f;
}

static gicsim_status fail(gicsim_spread_fit *out, gicsim_status st, const char *fmt,
                          const char *what)
{
    snprintf(out->message, sizeof out->message, fmt, what);
    return st;
}

gicsim_status gicsim_calibrate_spread(const gicsim_mb_config *base,
                                      const gicsim_spread_target *targets, size_t n_targets,
                                      const char *const *params, size_t n_params,
                                      uint32_t replications, gicsim_spread_fit *out)
{
    if (!out)
        return GICSIM_E_INVAL;
    memset(out, 0, sizeof *out);
    if (!base || !targets || !params)
        return fail(out, GICSIM_E_INVAL, "%s", "no configuration, targets or parameters");
    if (!n_targets || n_targets > GICSIM_SPREAD_MAX_TARGETS)
        return fail(out, GICSIM_E_INVAL, "%s", "1 to 32 targets");
    if (!n_params || n_params > GICSIM_SPREAD_MAX_PARAMS)
        return fail(out, GICSIM_E_INVAL, "%s", "1 to 4 parameters");
    spread_ctx c = {.cfg = *base,
                    .t = targets,
                    .n_t = n_targets,
                    .params = params,
                    .n_p = n_params,
                    .reps = replications ? replications : DEFAULT_REPLICATIONS,
                    .st = GICSIM_OK};
    out->variation = base->variation;
    out->n_params = n_params;
    out->n_targets = n_targets;
    out->replications = c.reps;
    double x[GICSIM_SPREAD_MAX_PARAMS + 1][GICSIM_SPREAD_MAX_PARAMS];
    for (size_t j = 0; j < n_params; j++) {
        double v;
        if (!params[j] || strlen(params[j]) >= GICSIM_SPREAD_PARAM_LEN ||
            gicsim_variation_param(&base->variation, params[j], &v) != GICSIM_OK)
            return fail(out, GICSIM_E_INVAL,
                        "\"%.80s\" is no parameter of the variation (a rate, factor or time, or "
                        "SETTING.P of a distribution it sets)",
                        params[j] ? params[j] : "(null)");
        if (!(v > 0))
            return fail(out, GICSIM_E_INVAL,
                        "%.80s must start above 0 (the fit is over its logarithm)", params[j]);
        for (size_t k = 0; k < j; k++)
            if (!strcmp(params[k], params[j]))
                return fail(out, GICSIM_E_INVAL, "\"%.80s\" is listed twice", params[j]);
        snprintf(out->param[j], sizeof out->param[j], "%s", params[j]);
        out->start[j] = v;
        x[0][j] = log(v);
    }
    for (size_t k = 0; k < n_targets; k++) {
        out->target[k] = targets[k];
        if ((unsigned)targets[k].test >= GICSIM_MB__COUNT || !(targets[k].ns > 0) ||
            !isfinite(targets[k].ns) ||
            (targets[k].stat == GICSIM_SPREAD_PERCENTILE &&
             !(targets[k].pct > 0 && targets[k].pct < 100)))
            return fail(out, GICSIM_E_INVAL, "%s",
                        "a target needs a known test, a value > 0 and a percentile in (0, 100)");
    }
    /* Nelder-Mead over the logarithms: reflection 1, expansion 2,
     * contraction 1/2, shrink 1/2. */
    size_t n = n_params;
    double f[GICSIM_SPREAD_MAX_PARAMS + 1], sim[GICSIM_SPREAD_MAX_TARGETS];
    f[0] = objective(&c, x[0], sim);
    memcpy(out->start_ns, sim, n_targets * sizeof *sim);
    c.started = true;
    for (size_t i = 1; i <= n; i++) {
        memcpy(x[i], x[0], sizeof x[0]);
        x[i][i - 1] += log(2.0);
        f[i] = objective(&c, x[i], sim);
    }
    while (c.st == GICSIM_OK && c.evals < MAX_EVALS) {
        /* Order: best first. */
        for (size_t i = 1; i <= n; i++)
            for (size_t k = i; k > 0 && f[k] < f[k - 1]; k--) {
                double tf = f[k];
                f[k] = f[k - 1];
                f[k - 1] = tf;
                double tx[GICSIM_SPREAD_MAX_PARAMS];
                memcpy(tx, x[k], sizeof tx);
                memcpy(x[k], x[k - 1], sizeof tx);
                memcpy(x[k - 1], tx, sizeof tx);
            }
        double size = 0;
        for (size_t i = 1; i <= n; i++)
            for (size_t j = 0; j < n; j++)
                size = fmax(size, fabs(x[i][j] - x[0][j]));
        if (f[n] - f[0] <= 1e-5 && size <= 1e-3) {
            out->converged = true;
            break;
        }
        double cen[GICSIM_SPREAD_MAX_PARAMS] = {0}, xr[GICSIM_SPREAD_MAX_PARAMS],
               xe[GICSIM_SPREAD_MAX_PARAMS];
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                cen[j] += x[i][j] / (double)n;
        for (size_t j = 0; j < n; j++)
            xr[j] = cen[j] + (cen[j] - x[n][j]);
        double fr = objective(&c, xr, sim);
        if (fr < f[0]) {
            for (size_t j = 0; j < n; j++)
                xe[j] = cen[j] + 2 * (cen[j] - x[n][j]);
            double fe = objective(&c, xe, sim);
            if (fe < fr) {
                memcpy(x[n], xe, sizeof xe);
                f[n] = fe;
            } else {
                memcpy(x[n], xr, sizeof xr);
                f[n] = fr;
            }
            continue;
        }
        if (fr < f[n - 1]) {
            memcpy(x[n], xr, sizeof xr);
            f[n] = fr;
            continue;
        }
        double xc[GICSIM_SPREAD_MAX_PARAMS];
        for (size_t j = 0; j < n; j++)
            xc[j] = cen[j] + 0.5 * (x[n][j] - cen[j]);
        double fc = objective(&c, xc, sim);
        if (fc < f[n]) {
            memcpy(x[n], xc, sizeof xc);
            f[n] = fc;
            continue;
        }
        for (size_t i = 1; i <= n; i++) {
            for (size_t j = 0; j < n; j++)
                x[i][j] = x[0][j] + 0.5 * (x[i][j] - x[0][j]);
            f[i] = objective(&c, x[i], sim);
        }
    }
    if (c.st != GICSIM_OK)
        return fail(out, c.st, "a simulated test failed: %s", gicsim_strerror(c.st));
    size_t best = 0;
    for (size_t i = 1; i <= n; i++)
        if (f[i] < f[best])
            best = i;
    out->misfit = objective(&c, x[best], sim);
    memcpy(out->simulated_ns, sim, n_targets * sizeof *sim);
    for (size_t j = 0; j < n; j++) {
        out->value[j] = exp(x[best][j]);
        gicsim_variation_set_param(&out->variation, params[j], out->value[j]);
    }
    out->evaluations = c.evals;
    return c.st;
}
