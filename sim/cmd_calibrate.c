/* gicsim calibrate MEASURED --platform NAME|FILE [--fit cost,...] [--no-priors]
 * [--normal-priors] [--uncertainty P%] [--cross-validate] [--json FILE] [-o OUT.yaml]
 * [--name NAME]: fits the costs (MAP with priors: every cost but the facts,
 * or the --fit subset; --no-priors: the exact fit of --fit, default one per
 * measured test) so that the simulated micro-benchmarks match MEASURED (a
 * kvm-unit-tests micro-bench log, or YAML {reference: ..., measured: {TEST:
 * NS}}) and writes the base preset with those costs as a new preset; the
 * fit's report (figures, intervals, identifiability) goes to stderr. With
 * --cross-validate the leave-one-out table goes to stdout and the preset is
 * written only with -o. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int lookup_cost(const char *name)
{
    gicsim_cost_id id;
    if (gicsim_cost_lookup(name, &id) == GICSIM_OK)
        return (int)id;
    const char *names[GICSIM_COST__COUNT];
    for (int c = 0; c < GICSIM_COST__COUNT; c++)
        names[c] = gicsim_cost_name((gicsim_cost_id)c);
    cli_unknown_name("cost", name, names, GICSIM_COST__COUNT);
    return -1;
}

/* A YAML double-quoted scalar. */
static void yaml_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The shortest of %.15g..%.17g that reads back as v. */
static void fmt_double(char *buf, size_t size, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static void fmt_hz(char *buf, size_t size, uint64_t hz)
{
    if (hz && hz % 1000000000u == 0)
        snprintf(buf, size, "%" PRIu64 "GHz", hz / 1000000000u);
    else if (hz && hz % 1000000u == 0)
        snprintf(buf, size, "%" PRIu64 "MHz", hz / 1000000u);
    else
        snprintf(buf, size, "%" PRIu64, hz);
}

/* A time, exact, in the largest unit that divides it: "2ms", "1500ns". */
static void fmt_time(char *buf, size_t size, double ps)
{
    static const struct {
        const char *unit;
        unsigned long long div;
    } units[] = {{"s", 1000000000000ull},
                 {"ms", 1000000000ull},
                 {"us", 1000000ull},
                 {"ns", 1000ull},
                 {"ps", 1ull}};
    unsigned long long t = (unsigned long long)llround(ps);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (t % units[i].div == 0 || units[i].div == 1) {
            snprintf(buf, size, "%llu%s", t / units[i].div, t ? units[i].unit : "s");
            return;
        }
}

/* A distribution in flow style: {dist: lognormal, median: 2us, sigma: 0.5}. */
static void yaml_dist(FILE *f, const gicsim_dist *d, bool time)
{
    char a[64], b[64];
    if (time) {
        fmt_time(a, sizeof a, d->a);
        fmt_time(b, sizeof b, d->b);
    } else {
        fmt_double(a, sizeof a, d->a);
        fmt_double(b, sizeof b, d->b);
    }
    switch (d->kind) {
    case GICSIM_DIST_FIXED:
        fprintf(f, "{dist: fixed, value: %s}", a);
        break;
    case GICSIM_DIST_UNIFORM:
        fprintf(f, "{dist: uniform, min: %s, max: %s}", a, b);
        break;
    case GICSIM_DIST_NORMAL:
        fprintf(f, "{dist: normal, mean: %s, sd: %s}", a, b);
        break;
    case GICSIM_DIST_LOGNORMAL:
        fmt_double(b, sizeof b, d->b);
        fprintf(f, "{dist: lognormal, median: %s, sigma: %s}", a, b);
        break;
    case GICSIM_DIST_EMPIRICAL:
        fputs("{dist: empirical, points: [", f);
        for (uint32_t i = 0; i < d->n; i++) {
            if (time)
                fmt_time(a, sizeof a, d->x[i]);
            else
                fmt_double(a, sizeof a, d->x[i]);
            fprintf(f, "%s%s", i ? ", " : "", a);
        }
        fputs("], weights: [", f);
        for (uint32_t i = 0; i < d->n; i++) {
            fmt_double(a, sizeof a, d->w[i]);
            fprintf(f, "%s%s", i ? ", " : "", a);
        }
        fputs("]}", f);
        break;
    default:
        fputs("none", f);
    }
}

/* The preset's `variation` block: the settings that differ from the
 * defaults (docs/scenarios.md, "Variation"), nothing when all are off. */
static void write_variation(FILE *f, const gicsim_variation *v)
{
    if (!gicsim_variation_active(v))
        return;
    gicsim_variation d;
    gicsim_variation_init(&d);
    char t1[64], t2[64];
    fputs("# The sources of spread (docs/virtualization.md, \"Variation\"; gicsim list settings)\n"
          "variation:\n",
          f);
    if (v->n_idle_states || v->governor != d.governor || v->latency_limit != d.latency_limit) {
        fputs("  idle:\n", f);
        if (v->n_idle_states) {
            fputs("    states:\n", f);
            for (uint32_t i = 0; i < v->n_idle_states; i++) {
                const gicsim_idle_state *st = &v->idle_states[i];
                fmt_time(t1, sizeof t1, (double)st->exit_latency);
                fmt_time(t2, sizeof t2, (double)st->residency);
                fprintf(f, "      - {name: %s, exit: %s, residency: %s%s}\n", st->name, t1, t2,
                        st->cold ? ", cold: true" : "");
            }
        }
        if (v->governor != d.governor)
            fputs("    governor: teo\n", f);
        if (v->latency_limit != d.latency_limit) {
            fmt_time(t1, sizeof t1, (double)v->latency_limit);
            fprintf(f, "    latency_limit: %s\n", t1);
        }
    }
    bool tick = v->tick_hz > 0, work = v->work_hz > 0;
    if (tick || work) {
        fputs("  housekeeping:\n", f);
        if (tick) {
            fmt_double(t1, sizeof t1, v->tick_hz);
            fprintf(f, "    tick:\n      rate: %sHz\n      cost: ", t1);
            yaml_dist(f, &v->tick_cost, true);
            fputc('\n', f);
            if (v->tick_phase != GICSIM_TIME_NEVER) {
                fmt_time(t1, sizeof t1, (double)v->tick_phase);
                fprintf(f, "      phase: %s\n", t1);
            }
            if (!v->tick_nohz)
                fputs("      nohz: false\n", f);
        }
        if (work) {
            fmt_double(t1, sizeof t1, v->work_hz);
            fprintf(f, "    work:\n      rate: %s/s\n      cost: ", t1);
            yaml_dist(f, &v->work_cost, true);
            fputc('\n', f);
        }
    }
    if (v->cold_multiplier != 1) {
        static const char *const trig[] = {"vcpu-switch", "migration", "idle"};
        fmt_double(t1, sizeof t1, v->cold_multiplier);
        fmt_time(t2, sizeof t2, (double)v->cold_work);
        fprintf(f, "  cold:\n    multiplier: %s\n    work: %s\n    after: [", t1, t2);
        for (unsigned k = 0, n = 0; k < 3; k++)
            if (v->cold_after & (1u << k))
                fprintf(f, "%s%s", n++ ? ", " : "", trig[k]);
        fmt_time(t1, sizeof t1, (double)v->cold_idle);
        fprintf(f, "]\n    idle_after: %s\n", t1);
    }
    if (v->jitter_all.kind || v->jitter_run.kind || v->n_jitter) {
        fputs("  jitter:\n", f);
        if (v->jitter_all.kind) {
            fputs("    all: ", f);
            yaml_dist(f, &v->jitter_all, false);
            fputc('\n', f);
        }
        for (uint32_t k = 0; k < v->n_jitter; k++) {
            fprintf(f, "    %s: ", gicsim_cost_name(v->jitter_cost[k]));
            yaml_dist(f, &v->jitter[k], false);
            fputc('\n', f);
        }
        if (v->jitter_run.kind) {
            fputs("    run: ", f);
            yaml_dist(f, &v->jitter_run, false);
            fputc('\n', f);
        }
    }
    if (v->interference_multiplier != 1) {
        static const char *const paths[] = {"all", "host", "guest"};
        fmt_double(t1, sizeof t1, v->interference_multiplier);
        fprintf(f, "  interference:\n    multiplier: %s\n", t1);
        fmt_time(t1, sizeof t1, (double)v->interference_on);
        fmt_time(t2, sizeof t2, (double)v->interference_off);
        fprintf(f, "    on: %s\n    off: %s\n", t1, t2);
        fmt_time(t1, sizeof t1, (double)v->interference_start);
        fprintf(f, "    start: %s\n    paths: %s\n", t1, paths[v->interference_paths]);
    }
}

static bool valid_preset_name(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static const char *method_name(gicsim_calib_method m)
{
    return m == GICSIM_CALIB_EXACT ? "exact" : "map";
}

static bool is_fact(const gicsim_calib_fit *res, gicsim_cost_id c)
{
    for (size_t k = 0; k < res->n_facts; k++)
        if (res->fact[k] == c)
            return true;
    return false;
}

static const gicsim_calib_cost *free_cost(const gicsim_calib_fit *res, gicsim_cost_id c)
{
    for (size_t j = 0; j < res->n_free; j++)
        if (res->free[j].cost == c)
            return &res->free[j];
    return NULL;
}

/* The fitted preset: every clock and cost, and the calibration block. */
static void write_preset(FILE *f, const char *name, const gicsim_platform *base,
                         const gicsim_mb_config *cfg, const char *measured_path,
                         const gicsim_calib_measured *m, const gicsim_calib_fit *res,
                         const gicsim_spread_fit *sf)
{
    char num[64];
    if (res->method == GICSIM_CALIB_EXACT)
        fprintf(f,
                "# Written by gicsim calibrate: the costs of `fitted` fitted exactly (no priors)\n"
                "# to the `measured` figures, every other value as in the base preset %s.\n",
                gicsim_platform_name(base));
    else
        fprintf(f,
                "# Written by gicsim calibrate: a MAP fit of the costs of `fitted` to the\n"
                "# `measured` figures, each cost's prior centred on the base preset %s's value\n"
                "# within its plausible range (docs/calibration.md); `facts` are fixed.\n",
                gicsim_platform_name(base));
    fputs("name: ", f);
    yaml_str(f, name);
    fputs("\ndescription: ", f);
    char desc[1100];
    snprintf(desc, sizeof desc, "%s%sfitted by gicsim calibrate from %s to %zu measured values",
             m->description, m->description[0] ? "; " : "", gicsim_platform_name(base), m->n);
    yaml_str(f, desc);
    fprintf(f, "\nvhe: %s\n", cfg->vhe ? "true" : "false");
    gicsim_kvm_config kdef;
    gicsim_kvm_config_init(&kdef);
    if (cfg->kvm.sgi_lookup != kdef.sgi_lookup || cfg->kvm.vpt_poll_delay != kdef.vpt_poll_delay ||
        cfg->kvm.vpt_wait != kdef.vpt_wait) {
        unsigned long long t = cfg->kvm.vpt_poll_delay;
        const char *unit = t % 1000000 == 0 ? "us" : t % 1000 == 0 ? "ns" : "ps";
        unsigned long long div = t % 1000000 == 0 ? 1000000 : t % 1000 == 0 ? 1000 : 1;
        fprintf(f, "kvm:\n  sgi_lookup: %s\n  vpt_poll_delay: %llu%s\n  vpt_wait: %s\n",
                cfg->kvm.sgi_lookup == GICSIM_SGI_LOOKUP_VCPU_WALK ? "vcpu-walk" : "mpidr-table",
                t / div, unit, cfg->kvm.vpt_wait == GICSIM_VPT_WAIT_LOAD ? "load" : "commit");
    }
    fputs("clocks:\n", f);
    for (int d = 0; d < GICSIM_CLK__COUNT; d++) {
        fmt_hz(num, sizeof num, res->timing.clock_hz[d]);
        fprintf(f, "  %s: %s\n", gicsim_clock_name((gicsim_clock_domain)d), num);
    }
    fputs("costs:\n", f);
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        const gicsim_calib_cost *fc = free_cost(res, (gicsim_cost_id)c);
        char mark[64] = "";
        if (is_fact(res, (gicsim_cost_id)c))
            snprintf(mark, sizeof mark, "  # fact");
        else if (fc && res->method == GICSIM_CALIB_EXACT)
            snprintf(mark, sizeof mark, "  # fitted");
        else if (fc && fc->seen)
            snprintf(mark, sizeof mark, "  # fitted, %.0f%% determined by the figures",
                     100.0 * fc->determined);
        fprintf(f, "  # %s [%s cycles]\n  %s: %" PRIu64 "%s\n",
                gicsim_cost_description((gicsim_cost_id)c),
                gicsim_clock_name(gicsim_cost_domain((gicsim_cost_id)c)),
                gicsim_cost_name((gicsim_cost_id)c), res->timing.cycles[c], mark);
    }
    write_variation(f, &cfg->variation);
    fputs("reference: ", f);
    if (m->reference[0]) {
        yaml_str(f, m->reference);
    } else {
        char ref[600];
        snprintf(ref, sizeof ref, "%s: %s",
                 m->kvm_unit_tests ? "kvm-unit-tests arm/micro-bench" : "measured figures",
                 cli_base_name(measured_path));
        yaml_str(f, ref);
    }
    fprintf(f, "\nuncertainty: %g%%\nmeasured:\n", 100.0 * res->uncertainty);
    for (size_t i = 0; i < m->n; i++) {
        fmt_double(num, sizeof num, m->ns[i]);
        const gicsim_calib_figure *g = &res->figure[i];
        const gicsim_mb_spread *sp = &m->spread[i];
        bool own = g->uncertainty != res->uncertainty;
        if (!own && !m->source[i][0] && !sp->n_pct && !sp->n_runs) {
            fprintf(f, "  %s: %s\n", gicsim_mb_test_name(m->test[i]), num);
            continue;
        }
        fprintf(f, "  %s: {ns: %s", gicsim_mb_test_name(m->test[i]), num);
        if (own)
            fprintf(f, ", uncertainty: %g%%", 100.0 * g->uncertainty);
        for (size_t k = 0; k < sp->n_pct; k++) {
            char pn[64];
            fmt_double(pn, sizeof pn, sp->pct[k]);
            fmt_double(num, sizeof num, sp->pct_ns[k]);
            fprintf(f, "%sp%s: %s", k ? ", " : ", percentiles: {", pn, num);
        }
        if (sp->n_pct)
            fputc('}', f);
        for (size_t k = 0; k < sp->n_runs; k++) {
            fmt_double(num, sizeof num, sp->runs_ns[k]);
            fprintf(f, "%s%s", k ? ", " : ", runs: [", num);
        }
        if (sp->n_runs)
            fputc(']', f);
        if (m->source[i][0]) {
            fputs(", source: ", f);
            yaml_str(f, m->source[i]);
        }
        fputs("}\n", f);
    }
    fprintf(f, "fit_method: %s\n", method_name(res->method));
    if (res->n_facts) {
        fputs("facts: [", f);
        for (size_t k = 0; k < res->n_facts; k++)
            fprintf(f, "%s%s", k ? ", " : "", gicsim_cost_name(res->fact[k]));
        fputs("]\n", f);
    }
    fputs("fitted: [", f);
    size_t col = 9;
    for (size_t j = 0; j < res->n_free; j++) {
        const char *cn = gicsim_cost_name(res->free[j].cost);
        if (j && col + strlen(cn) + 2 > 98) {
            fputs(",\n  ", f);
            col = 2;
        } else if (j) {
            fputs(", ", f);
            col += 2;
        }
        fputs(cn, f);
        col += strlen(cn);
    }
    fputs("]\npredicts: [", f);
    size_t k = 0;
    for (int t = 0; t < GICSIM_MB__COUNT; t++) {
        bool measured = false;
        for (size_t i = 0; i < m->n; i++)
            measured |= m->test[i] == (gicsim_mb_test)t;
        if (!measured)
            fprintf(f, "%s%s", k++ ? ", " : "", gicsim_mb_test_name((gicsim_mb_test)t));
    }
    fputs("]\n", f);
    if (sf) {
        fputs("spread_fitted: [", f);
        for (size_t j = 0; j < sf->n_params; j++)
            fprintf(f, "%s%s", j ? ", " : "", sf->param[j]);
        fputs("]\n", f);
    }
}

/* The spread fit: each parameter from its start, each target measured
 * against simulated. */
static void print_spread(FILE *f, const gicsim_spread_fit *sf)
{
    fprintf(f,
            "\nspread: %zu parameter%s fitted to %zu statistic%s in %u simulations%s "
            "(docs/calibration.md, \"Spread\")\n",
            sf->n_params, sf->n_params == 1 ? "" : "s", sf->n_targets,
            sf->n_targets == 1 ? "" : "s", sf->evaluations,
            sf->converged ? "" : " (not converged)");
    for (size_t j = 0; j < sf->n_params; j++)
        fprintf(f, "  %-32s %12.6g -> %.6g\n", sf->param[j], sf->start[j], sf->value[j]);
    fprintf(f, "  %-16s %-12s %14s %14s %14s %9s\n", "test", "statistic", "measured (ns)",
            "start (ns)", "fitted (ns)", "error");
    for (size_t k = 0; k < sf->n_targets; k++) {
        const gicsim_spread_target *t = &sf->target[k];
        char stat[32];
        if (t->stat == GICSIM_SPREAD_RUN_SD)
            snprintf(stat, sizeof stat, "sd of runs");
        else
            snprintf(stat, sizeof stat, "p%g", t->pct);
        fprintf(f, "  %-16s %-12s %14.1f %14.1f %14.1f %+8.1f%%\n", gicsim_mb_test_name(t->test),
                stat, t->ns, sf->start_ns[k], sf->simulated_ns[k],
                cli_pct((sf->simulated_ns[k] - t->ns) / t->ns));
    }
}

static void fmt_interval(char *buf, size_t size, bool has, double lo, double hi)
{
    if (has)
        snprintf(buf, size, "%.1f .. %.1f", lo, hi);
    else
        snprintf(buf, size, "-");
}

/* The figures with their intervals, then what the figures say about each
 * cost. */
static void print_report(FILE *f, const gicsim_calib_fit *res, const gicsim_platform *base)
{
    fprintf(f, "\n%-16s %16s %14s %9s %21s  %s\n", "test", "measured (ns)", "simulated (ns)",
            "residual", "interval (ns)", "role");
    for (size_t i = 0; i < res->n_figures; i++) {
        const gicsim_calib_figure *g = &res->figure[i];
        char meas[48] = "-", err[32] = "-", iv[64];
        if (g->measured) {
            snprintf(meas, sizeof meas, "%.1f \xc2\xb1%g%%", g->measured_ns,
                     100.0 * g->uncertainty);
            snprintf(err, sizeof err, "%+.1f%%", cli_pct(g->rel_error));
        }
        fmt_interval(iv, sizeof iv, g->has_interval, g->lo_ns, g->hi_ns);
        fprintf(f, "%-16s %*s %14.1f %9s %21s  %s\n", gicsim_mb_test_name(g->test),
                cli_utf8_width(meas, 16), meas, g->simulated_ns, err, iv,
                g->measured ? "fitted" : "predicted");
    }
    const bool exact = res->method == GICSIM_CALIB_EXACT;
    fprintf(f,
            "\nidentifiability: the measured figures depend on %zu of the %zu free costs; rank %zu "
            "(%zu combination%s left to the %s)\n",
            res->n_seen, res->n_free, res->rank, res->n_seen - res->rank,
            res->n_seen - res->rank == 1 ? "" : "s", exact ? "base values" : "priors");
    fprintf(f, "%-20s %9s %9s %15s %9s %9s %6s  %s\n", "cost", "base", "fitted", "prior range",
            "prior sd", "post sd", "data", "pinned by");
    size_t unseen = 0;
    for (size_t j = 0; j < res->n_free; j++) {
        const gicsim_calib_cost *c = &res->free[j];
        if (!c->seen && !exact) {
            unseen++;
            continue;
        }
        char range[48], post[32], pins[160] = "";
        snprintf(range, sizeof range, "%.0f..%.0f", c->prior_lo, c->prior_hi);
        if (isfinite(c->posterior_sigma))
            snprintf(post, sizeof post, "%.1f", c->posterior_sigma);
        else
            snprintf(post, sizeof post, "-");
        /* Which figures pin a cost matters once they determine it at all. */
        for (size_t k = 0; c->determined >= 0.05 && k < c->n_pins; k++) {
            size_t l = strlen(pins);
            snprintf(pins + l, sizeof pins - l, "%s%s %.0f%%", k ? ", " : "",
                     gicsim_mb_test_name(c->pin_test[k]), 100.0 * c->pin_share[k]);
        }
        if (c->group) {
            size_t l = strlen(pins);
            snprintf(pins + l, sizeof pins - l, "%s[group %u]", pins[0] ? " " : "", c->group);
        }
        fprintf(f, "%-20s %9" PRIu64 " %9" PRIu64 " %15s %9.1f %9s %5.0f%%  %s\n",
                gicsim_cost_name(c->cost), gicsim_platform_timing(base)->cycles[c->cost], c->cycles,
                range, c->prior_sigma, post, 100.0 * c->determined, pins[0] ? pins : "-");
    }
    if (unseen) {
        fprintf(f, "no measured figure depends on %zu cost%s (left at the prior centre):", unseen,
                unseen == 1 ? "" : "s");
        size_t k = 0;
        for (size_t j = 0; j < res->n_free; j++)
            if (!res->free[j].seen)
                fprintf(f, "%s%s", k++ ? ", " : " ", gicsim_cost_name(res->free[j].cost));
        fputc('\n', f);
    }
    for (unsigned g = 1; g <= res->n_groups; g++) {
        size_t cnt = 0, total = 0;
        for (size_t j = 0; j < res->n_free; j++)
            total += res->free[j].group == g;
        fprintf(f, "group %u: ", g);
        for (size_t j = 0; j < res->n_free; j++)
            if (res->free[j].group == g) {
                cnt++;
                fprintf(f, "%s%s",
                        cnt == 1       ? ""
                        : cnt == total ? " and "
                                       : ", ",
                        gicsim_cost_name(res->free[j].cost));
            }
        fprintf(f,
                " move every measured figure together: the figures fix their weighted sum, "
                "the %s split it\n",
                exact ? "base values" : "priors");
    }
}

static void print_cv(FILE *f, const gicsim_calib_fit *res, const char *name)
{
    fprintf(f, "leave-one-out cross-validation of %s (%s fit, %zu measured figures)\n\n", name,
            res->method == GICSIM_CALIB_EXACT ? "exact" : "MAP", res->n_measured);
    fprintf(f, "%-16s %16s %15s %9s %21s\n", "test", "measured (ns)", "predicted (ns)", "error",
            "interval (ns)");
    for (size_t k = 0; k < res->n_cv; k++) {
        const gicsim_calib_cv *c = &res->cv[k];
        char meas[48], iv[64];
        snprintf(meas, sizeof meas, "%.1f \xc2\xb1%g%%", c->measured_ns,
                 100.0 * res->figure[k].uncertainty);
        if (c->status != GICSIM_OK) {
            fprintf(f, "%-16s %*s  not predicted: %s\n", gicsim_mb_test_name(c->test),
                    cli_utf8_width(meas, 16), meas, c->message);
            continue;
        }
        fmt_interval(iv, sizeof iv, c->has_interval, c->lo_ns, c->hi_ns);
        fprintf(f, "%-16s %*s %15.1f %+8.1f%% %21s\n", gicsim_mb_test_name(c->test),
                cli_utf8_width(meas, 16), meas, c->predicted_ns, cli_pct(c->rel_error), iv);
    }
    fprintf(f, "\nmean |error|: %.1f%% over %zu of %zu figures\n", 100.0 * res->cv_mean_abs_error,
            res->cv_ok, res->n_cv);
}

static void json_interval(FILE *f, bool has, double lo, double hi)
{
    if (!has) {
        fputs("null", f);
        return;
    }
    fputc('[', f);
    cli_json_num(f, lo);
    fputs(", ", f);
    cli_json_num(f, hi);
    fputc(']', f);
}

static int write_json(cli_out *o, const char *name, const gicsim_platform *base,
                      const char *measured_path, const gicsim_calib_measured *m,
                      const gicsim_calib_fit *res)
{
    FILE *f = cli_out_open(o);
    if (!f)
        return EX_CANTCREAT;
    fputs("{\n  \"preset\": ", f);
    cli_json_str(f, name);
    fputs(",\n  \"base\": ", f);
    cli_json_str(f, gicsim_platform_name(base));
    fputs(",\n  \"measured_file\": ", f);
    cli_json_str(f, cli_base_name(measured_path));
    fputs(",\n  \"reference\": ", f);
    cli_json_str(f, m->reference[0] ? m->reference : NULL);
    fprintf(f, ",\n  \"fit_method\": \"%s\",\n  \"uncertainty_pct\": ", method_name(res->method));
    cli_json_num(f, 100.0 * res->uncertainty);
    fprintf(f, ",\n  \"iterations\": %u,\n  \"converged\": %s,\n  \"simulations\": %u,\n",
            res->iterations, res->converged ? "true" : "false", res->model_runs);
    fputs("  \"data_misfit\": ", f);
    cli_json_num(f, res->data_misfit);
    fputs(",\n  \"prior_misfit\": ", f);
    cli_json_num(f, res->prior_misfit);
    fputs(",\n  \"figures\": [", f);
    for (size_t i = 0; i < res->n_figures; i++) {
        const gicsim_calib_figure *g = &res->figure[i];
        fputs(i ? ",\n    {\"test\": " : "\n    {\"test\": ", f);
        cli_json_str(f, gicsim_mb_test_name(g->test));
        fprintf(f, ", \"role\": \"%s\", \"measured_ns\": ", g->measured ? "fitted" : "predicted");
        cli_json_num(f, g->measured ? g->measured_ns : NAN);
        fputs(", \"uncertainty_pct\": ", f);
        cli_json_num(f, g->measured ? 100.0 * g->uncertainty : NAN);
        fputs(", \"source\": ", f);
        cli_json_str(f, i < m->n && m->source[i][0] ? m->source[i] : NULL);
        fputs(", \"simulated_ns\": ", f);
        cli_json_num(f, g->simulated_ns);
        fputs(", \"error_pct\": ", f);
        cli_json_num(f, g->measured ? 100.0 * g->rel_error : NAN);
        fputs(", \"interval_ns\": ", f);
        json_interval(f, g->has_interval, g->lo_ns, g->hi_ns);
        fputc('}', f);
    }
    fputs("\n  ],\n  \"facts\": {", f);
    for (size_t k = 0; k < res->n_facts; k++) {
        fputs(k ? ", " : "", f);
        cli_json_str(f, gicsim_cost_name(res->fact[k]));
        fprintf(f, ": %" PRIu64, res->timing.cycles[res->fact[k]]);
    }
    fputs("},\n  \"costs\": [", f);
    for (size_t j = 0; j < res->n_free; j++) {
        const gicsim_calib_cost *c = &res->free[j];
        fputs(j ? ",\n    {\"cost\": " : "\n    {\"cost\": ", f);
        cli_json_str(f, gicsim_cost_name(c->cost));
        fprintf(f, ", \"base_cycles\": %" PRIu64 ", \"fitted_cycles\": %" PRIu64,
                gicsim_platform_timing(base)->cycles[c->cost], c->cycles);
        fputs(", \"prior\": ", f);
        json_interval(f, true, c->prior_lo, c->prior_hi);
        fputs(", \"prior_centre\": ", f);
        cli_json_num(f, c->prior_centre);
        fputs(", \"prior_sigma\": ", f);
        cli_json_num(f, c->prior_sigma);
        fprintf(f, ", \"prior\": \"%s\"", c->prior_log ? "log-normal" : "normal");
        fputs(", \"posterior_sigma\": ", f);
        cli_json_num(f, c->posterior_sigma);
        fputs(", \"determined\": ", f);
        cli_json_num(f, c->determined);
        fprintf(f, ", \"seen\": %s, \"group\": %u, \"pinned_by\": {", c->seen ? "true" : "false",
                c->group);
        /* Which figures pin a cost matters once they determine it at all. */
        for (size_t k = 0; c->determined >= 0.05 && k < c->n_pins; k++) {
            fputs(k ? ", " : "", f);
            cli_json_str(f, gicsim_mb_test_name(c->pin_test[k]));
            fputs(": ", f);
            cli_json_num(f, c->pin_share[k]);
        }
        fputs("}}", f);
    }
    fprintf(f, "\n  ],\n  \"identifiability\": {\"seen\": %zu, \"rank\": %zu, \"groups\": [",
            res->n_seen, res->rank);
    for (unsigned g = 1; g <= res->n_groups; g++) {
        fputs(g > 1 ? ", [" : "[", f);
        size_t k = 0;
        for (size_t j = 0; j < res->n_free; j++)
            if (res->free[j].group == g) {
                fputs(k++ ? ", " : "", f);
                cli_json_str(f, gicsim_cost_name(res->free[j].cost));
            }
        fputc(']', f);
    }
    fputs("]}", f);
    if (res->n_cv) {
        fputs(",\n  \"cross_validation\": {\"folds\": [", f);
        for (size_t k = 0; k < res->n_cv; k++) {
            const gicsim_calib_cv *c = &res->cv[k];
            bool ok = c->status == GICSIM_OK;
            fputs(k ? ",\n    {\"test\": " : "\n    {\"test\": ", f);
            cli_json_str(f, gicsim_mb_test_name(c->test));
            fputs(", \"measured_ns\": ", f);
            cli_json_num(f, c->measured_ns);
            fputs(", \"predicted_ns\": ", f);
            cli_json_num(f, ok ? c->predicted_ns : NAN);
            fputs(", \"error_pct\": ", f);
            cli_json_num(f, ok ? 100.0 * c->rel_error : NAN);
            fputs(", \"interval_ns\": ", f);
            json_interval(f, ok && c->has_interval, c->lo_ns, c->hi_ns);
            fputs(", \"refused\": ", f);
            cli_json_str(f, ok ? NULL : c->message);
            fputc('}', f);
        }
        fputs("\n  ], \"mean_abs_error_pct\": ", f);
        cli_json_num(f, res->cv_ok ? 100.0 * res->cv_mean_abs_error : NAN);
        fprintf(f, ", \"predicted\": %zu}", res->cv_ok);
    }
    fputs("\n}\n", f);
    return cli_out_commit(o);
}

/* "5%" or "2.5%": a relative uncertainty in (0, 1]; -1 after a message. */
static double parse_uncertainty(const char *v)
{
    char *end;
    double u = strtod(v, &end);
    if (end == v || strcmp(end, "%") || !(u > 0) || u > 100) {
        cli_errorf("--uncertainty needs a percentage greater than 0 and at most 100%%, such as "
                   "3%%, got '%s'",
                   v);
        return -1;
    }
    return u / 100;
}

int cmd_calibrate(int argc, char **argv)
{
    const char *measured = NULL, *platform = NULL, *out = NULL, *name = NULL, *json = NULL;
    char *fit_arg = NULL, *spread_arg = NULL;
    bool no_priors = false, cv = false, normal = false;
    double unc_arg = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--no-priors")) {
            no_priors = true;
            continue;
        }
        if (!strcmp(a, "--cross-validate")) {
            cv = true;
            continue;
        }
        if (!strcmp(a, "--normal-priors")) {
            normal = true;
            continue;
        }
        bool known = !strcmp(a, "--platform") || !strcmp(a, "--fit") || !strcmp(a, "-o") ||
                     !strcmp(a, "--output") || !strcmp(a, "--name") || !strcmp(a, "--json") ||
                     !strcmp(a, "--uncertainty") || !strcmp(a, "--spread");
        if (!known) {
            static const char *const opts[] = {"--platform",      "--fit",       "-o",
                                               "--output",        "--name",      "--json",
                                               "--uncertainty",   "--no-priors", "--cross-validate",
                                               "--normal-priors", "--spread"};
            if (a[0] == '-' && a[1])
                return cli_unknown_option("calibrate", a, opts, sizeof opts / sizeof opts[0]);
            if (measured)
                return cli_usage_error("unexpected argument '%s'", a);
            measured = a;
            continue;
        }
        char *v = cli_option_value(argc, argv, &i, "a value");
        if (!v)
            return EX_USAGE;
        if (!strcmp(a, "--platform"))
            platform = v;
        else if (!strcmp(a, "--fit"))
            fit_arg = v;
        else if (!strcmp(a, "--name"))
            name = v;
        else if (!strcmp(a, "--json"))
            json = v;
        else if (!strcmp(a, "--spread"))
            spread_arg = v;
        else if (!strcmp(a, "--uncertainty")) {
            if ((unc_arg = parse_uncertainty(v)) < 0)
                return EX_USAGE;
        } else
            out = v;
    }
    if (!measured || !platform)
        return cli_usage_error("calibrate needs a MEASURED file and --platform BASE");
    gicsim_cost_id fit[GICSIM_COST__COUNT];
    size_t n_fit = 0;
    if (fit_arg) {
        int ids[GICSIM_COST__COUNT];
        int rc = cli_parse_name_list(fit_arg, "cost", "--fit", lookup_cost, ids, &n_fit);
        if (rc)
            return rc;
        for (size_t k = 0; k < n_fit; k++)
            fit[k] = (gicsim_cost_id)ids[k];
    }
    /* The preset's name must be its file name without ".yaml". */
    char namebuf[256];
    if (out && strcmp(out, "-")) {
        const char *b = cli_base_name(out);
        size_t l = strlen(b);
        if (l <= 5 || strcmp(b + l - 5, ".yaml"))
            return cli_usage_error("-o: a preset file is named NAME.yaml, got '%s'", out);
        snprintf(namebuf, sizeof namebuf, "%.*s", (int)(l - 5 < 255 ? l - 5 : 255), b);
        if (name && strcmp(name, namebuf))
            return cli_usage_error("--name %s does not match the output file %s (a preset's name "
                                   "is its file name)",
                                   name, b);
        name = namebuf;
    }
    /* The preset goes to stdout without -o, unless cross-validating (the
     * table goes there then). */
    if (json && !strcmp(json, "-") && ((out && !strcmp(out, "-")) || (!out && !cv) || cv))
        return cli_usage_error("--json -: stdout already has the %s; write the JSON to a file",
                               cv ? "cross-validation table" : "preset (use -o)");

    /* The outputs before the fit: a path that cannot be written fails at
     * once (the preset goes to stdout without -o, unless cross-validating). */
    cli_out preset = {0}, jout = {0};
    int code = EX_OK;
    if (!cv || out)
        code = cli_out_create(&preset, out ? out : "-");
    if (!code && json)
        code = cli_out_create(&jout, json);
    if (code) {
        cli_out_discard(&preset);
        return code;
    }
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_calib_measured *m = malloc(sizeof *m);
    if (!m) {
        cli_out_discard(&preset);
        cli_out_discard(&jout);
        return EX_SOFTWARE;
    }
    gicsim_status st = gicsim_calib_measured_load(measured, m, &diag);
    if (st != GICSIM_OK) {
        cli_report_diag(&diag, st);
        free(m);
        cli_out_discard(&preset);
        cli_out_discard(&jout);
        return st == GICSIM_E_NOMEM ? EX_SOFTWARE : EX_DATAERR;
    }
    if (m->n_ignored)
        cli_errorf("%s: ignored %zu result line%s of tests gicsim does not model", measured,
                   m->n_ignored, m->n_ignored == 1 ? "" : "s");
    gicsim_platform *base = NULL;
    code = cli_load_platform(platform, &base);
    if (code) {
        free(m);
        cli_out_discard(&preset);
        cli_out_discard(&jout);
        return code;
    }
    if (!name) {
        snprintf(namebuf, sizeof namebuf, "%.200s-calibrated", gicsim_platform_name(base));
        name = namebuf;
    }
    if (!valid_preset_name(name)) {
        cli_errorf("invalid preset name '%s' (letters, digits, '-', '_', '.')", name);
        gicsim_platform_free(base);
        free(m);
        cli_out_discard(&preset);
        cli_out_discard(&jout);
        return EX_USAGE;
    }
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(base, &cfg);
    /* The measured machine's own facts override the base's. */
    if (m->has_variation)
        cfg.variation = m->variation;
    if (m->has_vhe)
        cfg.vhe = m->vhe;
    if (m->has_kvm)
        cfg.kvm = m->kvm;
    for (int d = 0; d < GICSIM_CLK__COUNT; d++)
        if (m->has_clock[d])
            cfg.timing.clock_hz[d] = m->clock_hz[d];
    /* Each figure's uncertainty: its own, else --uncertainty, else the
     * file's default, else 3%. */
    double unc[GICSIM_MB__COUNT];
    double u_def = unc_arg > 0                  ? unc_arg
                   : m->default_uncertainty > 0 ? m->default_uncertainty
                                                : GICSIM_CALIB_DEFAULT_UNCERTAINTY;
    for (size_t i = 0; i < m->n; i++)
        unc[i] = m->uncertainty[i] > 0 ? m->uncertainty[i] : u_def;
    gicsim_calib_options o;
    gicsim_calib_options_init(&o);
    o.method = no_priors ? GICSIM_CALIB_EXACT : GICSIM_CALIB_MAP;
    o.fit = n_fit ? fit : NULL;
    o.n_fit = n_fit;
    o.uncertainty = unc;
    o.default_uncertainty = u_def;
    o.fact = m->fact;
    o.fact_cycles = m->fact_cycles;
    o.n_facts = m->n_facts;
    o.cross_validate = cv;
    o.normal_priors = normal;
    /* The spread's statistics and the parameters that fit them: --spread,
     * else the file's spread_fit. */
    gicsim_spread_target targets[GICSIM_SPREAD_MAX_TARGETS];
    size_t n_targets =
        gicsim_spread_targets(m->test, m->spread, m->n, targets, GICSIM_SPREAD_MAX_TARGETS);
    const char *params[GICSIM_SPREAD_MAX_PARAMS];
    char pbuf[GICSIM_SPREAD_MAX_PARAMS][GICSIM_SPREAD_PARAM_LEN];
    size_t n_params = 0;
    if (spread_arg) {
        for (char *tok = strtok(spread_arg, ","); tok; tok = strtok(NULL, ",")) {
            double x;
            if (n_params == GICSIM_SPREAD_MAX_PARAMS ||
                gicsim_variation_param(&cfg.variation, tok, &x) != GICSIM_OK) {
                cli_errorf("--spread: %s: %s", tok,
                           n_params == GICSIM_SPREAD_MAX_PARAMS
                               ? "at most 4 parameters"
                               : "no parameter of the variation (a rate, factor or time, or "
                                 "SETTING.P of a distribution it sets, e.g. jitter.all.sigma)");
                gicsim_platform_free(base);
                free(m);
                cli_out_discard(&preset);
                cli_out_discard(&jout);
                return EX_USAGE;
            }
            snprintf(pbuf[n_params], sizeof pbuf[n_params], "%s", tok);
            params[n_params] = pbuf[n_params];
            n_params++;
        }
    } else {
        for (size_t j = 0; j < m->n_spread_fit; j++)
            params[n_params++] = m->spread_fit[j];
    }
    if (n_targets && !n_params)
        cli_errorf("calibrate: the figures give %zu spread statistic%s but no parameter to fit "
                   "(--spread or the file's spread_fit): the spread is not fitted",
                   n_targets, n_targets == 1 ? "" : "s");
    if (n_params && !n_targets)
        cli_errorf("calibrate: no figure gives percentiles or runs: the spread is not fitted");
    bool fit_spread = n_targets && n_params;
    /* The costs are fitted to the run whose run-to-run factor is 1 (the
     * median run): jitter.run is off in the cost fits. */
    gicsim_dist run_dist = cfg.variation.jitter_run;
    cfg.variation.jitter_run.kind = GICSIM_DIST_NONE;
    gicsim_calib_fit *res = NULL;
    gicsim_spread_fit *sf = NULL;
    st = gicsim_calibrate_ex(&cfg, m->test, m->ns, m->n, &o, &res);
    if (st == GICSIM_OK && fit_spread) {
        /* The spread with the fitted costs, then the costs again with the
         * fitted spread (which moves the figures' centres a little). */
        gicsim_mb_config sc = cfg;
        sc.timing = res->timing;
        sc.variation.jitter_run = run_dist;
        if (!(sf = malloc(sizeof *sf))) {
            st = GICSIM_E_NOMEM;
        } else if ((st = gicsim_calibrate_spread(&sc, targets, n_targets, params, n_params, 0,
                                                 sf)) != GICSIM_OK) {
            cli_errorf("calibrate: spread: %s", sf->message[0] ? sf->message : gicsim_strerror(st));
        } else {
            cfg.variation = sf->variation;
            cfg.variation.jitter_run.kind = GICSIM_DIST_NONE;
            gicsim_calib_fit_free(res);
            res = NULL;
            st = gicsim_calibrate_ex(&cfg, m->test, m->ns, m->n, &o, &res);
        }
    }
    cfg.variation.jitter_run = sf ? sf->variation.jitter_run : run_dist;
    if (st != GICSIM_OK) {
        cli_errorf("calibrate: %s", res && res->message[0] ? res->message : gicsim_strerror(st));
        gicsim_calib_fit_free(res);
        free(sf);
        gicsim_platform_free(base);
        free(m);
        cli_out_discard(&preset);
        cli_out_discard(&jout);
        return cli_mb_exit(st);
    }

    if (!cv || out) {
        FILE *f = cli_out_open(&preset);
        if (!f) {
            code = EX_CANTCREAT;
        } else {
            write_preset(f, name, base, &cfg, measured, m, res, sf);
            code = ferror(f) ? cli_out_write_error(&preset, errno) : cli_out_commit(&preset);
        }
    }
    if (json && code == EX_OK)
        code = write_json(&jout, name, base, measured, m, res);
    cli_out_discard(&preset);
    cli_out_discard(&jout);

    fprintf(stderr,
            "%s: %s: %s fit of %zu cost%s to %zu measured value%s from %s in %u iteration%s%s "
            "(%u simulations)\n",
            cli_prog, name, res->method == GICSIM_CALIB_EXACT ? "exact" : "MAP", res->n_free,
            res->n_free == 1 ? "" : "s", m->n, m->n == 1 ? "" : "s", gicsim_platform_name(base),
            res->iterations, res->iterations == 1 ? "" : "s",
            res->converged ? "" : " (not converged)", res->model_runs);
    if (res->method == GICSIM_CALIB_MAP)
        fprintf(stderr,
                "priors: each cost centred on %s's value within its plausible range, a quarter "
                "of the range (in log space where it starts above 0) per sd; figures within "
                "%g%% unless stated%s\n",
                gicsim_platform_name(base), 100.0 * u_def, m->n_facts ? "; facts fixed:" : "");
    for (size_t k = 0; k < m->n_facts; k++)
        fprintf(stderr, "%s%s = %" PRIu64, k ? ", " : "  ", gicsim_cost_name(m->fact[k]),
                m->fact_cycles[k]);
    if (m->n_facts)
        fputc('\n', stderr);
    print_report(stderr, res, base);
    if (sf)
        print_spread(stderr, sf);
    if (cv) {
        print_cv(stdout, res, name);
    } else if (code == EX_OK) {
        for (size_t i = 0; i < m->n; i++) {
            double tol = fmax(CLI_CHECK_TOLERANCE, res->figure[i].uncertainty);
            if (fabs(res->figure[i].rel_error) > tol) {
                cli_errorf("calibrate: %s is off by %+.1f%%: more than %.0f%%; fit other costs "
                           "(--fit), state the figures' uncertainty, or start from another base",
                           gicsim_mb_test_name(m->test[i]), cli_pct(res->figure[i].rel_error),
                           100.0 * tol);
                code = EX_FAIL;
            }
        }
    }
    gicsim_calib_fit_free(res);
    free(sf);
    gicsim_platform_free(base);
    free(m);
    return code;
}
