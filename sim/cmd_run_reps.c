/* gicsim run and compare, run.replications (cmd_run.h): the replications
 * of each policy, their metrics (rep_metrics), the mean and 95% interval
 * rows of the table, compare's differences and the JSON's "replications"
 * member.
 *
 * With run.replications N > 1 each policy runs N times, replication r
 * with seed gicsim_sweep_replication_seed(run.seed, r): replication 0 is
 * the ordinary run (its outputs, its per-source table), the others are
 * quiet. Every row of the summary table is the mean over the N; the rows
 * below give the 95% Student-t interval of the mean (the sweep's
 * statistics: gicsim_sweep_mean_ci), and compare gives each policy's
 * difference from the first with its interval (gicsim_sweep_diff_ci),
 * within noise when that contains 0. This is the noise of the run's draws
 * (arrivals, the platform's variation), not --intervals' uncertainty of
 * the costs. */

#include "cmd_run.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    getter get;
    const char *json; /* its key in the JSON's "replications", NULL: not there */
} rep_metrics[] = {
    {run_get_mean_ns, "latency_mean_ns"},
    {run_get_p50_ns, "latency_p50_ns"},
    {run_get_p90_ns, "latency_p90_ns"},
    {run_get_p99_ns, "latency_p99_ns"},
    {run_get_p999_ns, "latency_p999_ns"},
    {run_get_max_ns, "latency_max_ns"},
    {run_get_exit_total, "exits_per_irq_total"},
    {run_get_p50_cyc, NULL},
    {run_get_p90_cyc, NULL},
    {run_get_p99_cyc, NULL},
    {run_get_p999_cyc, NULL},
    {run_get_max_cyc, NULL},
    {run_get_exit_irq, NULL},
    {run_get_exit_maint, NULL},
    {run_get_exit_wfi, NULL},
    {run_get_exit_sgi, NULL},
    {run_get_exit_mmio, NULL},
    {run_get_exit_hvc, NULL},
    {run_get_exits_total, NULL},
    {run_get_hyp_share, NULL},
    {run_get_poll_share, NULL},
    {run_get_doorbells, NULL},
    {run_get_maintenance_irqs, NULL},
    {run_get_lr_spills, NULL},
    {run_get_kicks, NULL},
    {run_get_wakeups, NULL},
    {run_get_asserted, NULL},
    {run_get_delivered, NULL},
    {run_get_merged, NULL},
    {run_get_pending, NULL},
};
#define N_REP_METRICS (sizeof rep_metrics / sizeof rep_metrics[0])

struct reps_data {
    uint32_t n;
    uint64_t *seeds; /* [n] */
    double *v;       /* [metric * n + replication] */
    double mean[N_REP_METRICS], half[N_REP_METRICS];
};

void run_reps_free(reps_data *d)
{
    if (!d)
        return;
    free(d->seeds);
    free(d->v);
    free(d);
}

static size_t rep_index(getter get)
{
    for (size_t k = 0; k < N_REP_METRICS; k++)
        if (rep_metrics[k].get == get)
            return k;
    return N_REP_METRICS;
}

double run_row_value(const run_result *r, getter get)
{
    size_t k = r->reps ? rep_index(get) : N_REP_METRICS;
    return k < N_REP_METRICS ? r->reps->mean[k] : get(r);
}

/* Under a row that has a JSON key: each policy's 95% interval of the mean. */
void run_print_ci_row(FILE *t, const run_result *r, size_t n, getter get)
{
    size_t k = rep_index(get);
    if (!n || !r[0].reps || k == N_REP_METRICS || !rep_metrics[k].json)
        return;
    char label[64];
    snprintf(label, sizeof label, "  95%% CI (%u seeds)", (unsigned)r[0].reps->n);
    fprintf(t, "%-*s", LABEL_W, label);
    for (size_t i = 0; i < n; i++) {
        const reps_data *d = r[i].reps;
        int prec = get == run_get_exit_total ? 3 : 1;
        char b[80];
        snprintf(b, sizeof b, "[%.*f, %.*f]", prec, d->mean[k] - d->half[k], prec,
                 d->mean[k] + d->half[k]);
        if (strlen(b) > 18)
            snprintf(b, sizeof b, "[%.0f, %.0f]", d->mean[k] - d->half[k], d->mean[k] + d->half[k]);
        fprintf(t, " %18s", b);
    }
    fputc('\n', t);
}

/* compare with replications: each policy's difference from the first, per
 * metric with a JSON key: "+D ±H" and whether it is within noise. */
void run_print_differences(FILE *t, const run_result *r, size_t n)
{
    if (n < 2 || !r[0].reps)
        return;
    fprintf(t,
            "\ndifferences from %s (mean over %u seeds, 95%% CI half-width; \"noise\": the "
            "interval\ncontains 0, the policies do not differ beyond the run-to-run noise)\n",
            r[0].policy, (unsigned)r[0].reps->n);
    fprintf(t, "%-*s", LABEL_W, "");
    for (size_t i = 1; i < n; i++)
        fprintf(t, " %24s", r[i].policy);
    fputc('\n', t);
    for (size_t k = 0; k < N_REP_METRICS; k++) {
        if (!rep_metrics[k].json)
            continue;
        fprintf(t, "%-*s", LABEL_W, rep_metrics[k].json);
        for (size_t i = 1; i < n; i++) {
            const reps_data *a = r[0].reps, *b = r[i].reps;
            double diff, half;
            gicsim_sweep_diff_ci(a->v + k * a->n, a->n, b->v + k * b->n, b->n, &diff, &half);
            int prec = rep_metrics[k].get == run_get_exit_total ? 3 : 1;
            char cell[80];
            snprintf(cell, sizeof cell, "%+.*f \xc2\xb1%.*f%s", prec, diff, prec, half,
                     fabs(diff) <= half ? " noise" : "");
            fprintf(t, " %*s", cli_utf8_width(cell, 24), cell);
        }
        fputc('\n', t);
    }
}

int run_replicate(const run_ctx *rc, gicsim_scenario *sc, const char *policy, run_result *res)
{
    uint32_t n = gicsim_scenario_replications(sc);
    uint64_t base = gicsim_scenario_seed(sc);
    reps_data *d = calloc(1, sizeof *d);
    if (!d || !(d->seeds = calloc(n, sizeof *d->seeds)) ||
        !(d->v = calloc(N_REP_METRICS * (size_t)n, sizeof *d->v))) {
        run_reps_free(d);
        return EX_SOFTWARE;
    }
    d->n = n;
    options quiet = *rc->o;
    quiet.quiet = true;
    run_ctx one = *rc;
    one.o = &quiet;
    one.sc = sc;
    const run_outputs none = {{NULL}, NULL};
    int code = EX_OK;
    for (uint32_t r = 0; r < n && code == EX_OK; r++) {
        d->seeds[r] = gicsim_sweep_replication_seed(base, r);
        run_result x;
        memset(&x, 0, sizeof x);
        const run_result *from = res;
        if (r) {
            if (!rc->o->quiet && isatty(STDERR_FILENO)) {
                fprintf(stderr, "\r%s: %s: replication %u of %u", cli_prog, res->policy, r + 1, n);
                fflush(stderr);
            }
            gicsim_scenario_set_seed(sc, d->seeds[r]);
            code = run_simulate(&one, policy, &none, &x);
            from = &x;
        }
        for (size_t k = 0; k < N_REP_METRICS && code == EX_OK; k++)
            d->v[k * n + r] = rep_metrics[k].get(from);
        gicsim_system_destroy(x.sys);
    }
    gicsim_scenario_set_seed(sc, base);
    if (!rc->o->quiet && isatty(STDERR_FILENO))
        fputc('\n', stderr);
    for (size_t k = 0; k < N_REP_METRICS; k++)
        gicsim_sweep_mean_ci(d->v + k * n, n, &d->mean[k], &d->half[k]);
    res->reps = d;
    return code;
}

/* The "replications" member of run i: the seeds, and per metric of
 * rep_metrics with a key the mean, its 95% interval and every
 * replication's value; after the first policy of a compare, the difference
 * from it ("vs_first"). */
void run_json_replications(FILE *f, const run_result *r, size_t i)
{
    const reps_data *d = r[i].reps;
    fprintf(f, ",\n  \"replications\": {\n    \"count\": %u,\n    \"seeds\": [", (unsigned)d->n);
    for (uint32_t k = 0; k < d->n; k++)
        fprintf(f, "%s%" PRIu64, k ? ", " : "", d->seeds[k]);
    fputs("],\n    \"confidence\": 0.95,\n    \"metrics\": {", f);
    bool first = true;
    for (size_t k = 0; k < N_REP_METRICS; k++) {
        if (!rep_metrics[k].json)
            continue;
        fprintf(f, "%s\n      \"%s\": {\"mean\": %.6f, \"lo\": %.6f, \"hi\": %.6f, \"values\": [",
                first ? "" : ",", rep_metrics[k].json, d->mean[k], d->mean[k] - d->half[k],
                d->mean[k] + d->half[k]);
        for (uint32_t x = 0; x < d->n; x++)
            fprintf(f, "%s%.6f", x ? ", " : "", d->v[k * d->n + x]);
        fputs("]}", f);
        first = false;
    }
    fputs("\n    }", f);
    if (i > 0) {
        const reps_data *a = r[0].reps;
        fputs(",\n    \"vs_first\": {\n      \"policy\": ", f);
        cli_json_str(f, r[0].policy);
        for (size_t k = 0; k < N_REP_METRICS; k++) {
            if (!rep_metrics[k].json)
                continue;
            double diff, half;
            gicsim_sweep_diff_ci(a->v + k * a->n, a->n, d->v + k * d->n, d->n, &diff, &half);
            fprintf(f,
                    ",\n      \"%s\": {\"diff\": %.6f, \"lo\": %.6f, \"hi\": %.6f, "
                    "\"within_noise\": %s}",
                    rep_metrics[k].json, diff, diff - half, diff + half,
                    fabs(diff) <= half ? "true" : "false");
        }
        fputs("\n    }", f);
    }
    fputs("\n  }", f);
}
