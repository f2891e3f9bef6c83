/* gicsim run SCENARIO: run a scenario, print a summary table (one column)
 * and each source's latency; gicsim compare SCENARIO: the same scenario
 * under each policy, side by side (a policy the scenario's GIC cannot run is
 * skipped, with the reason). Both write the --json, --csv, --perfetto,
 * --vcd and --cdf outputs (run also --record) and those of the scenario's
 * outputs: section, every one created before the first simulation and
 * renamed into place only when the command succeeds (cli_out); a
 * micro-bench scenario is run as gicsim microbench on its platform
 * (cli_microbench_report). With --intervals, on a calibrated preset, each
 * run's latency mean, p50, p99 and exits per interrupt get an interval
 * (gicsim_calib_metric_intervals: the scenario run again with each free
 * cost moved, once or twice per cost).
 *
 * This file owns the option parsing, one simulation, the summary tables,
 * the header and the commands; the output files, JSON and CDF are in
 * cmd_run_out.c, run.replications in cmd_run_reps.c, --intervals in
 * cmd_run_intervals.c, what they share in cmd_run.h. */
#include "cmd_run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TRACES 64

/* ---- Option parsing ------------------------------------------------------------------ */

static int lookup_policy(const char *name)
{
    size_t n = gicsim_hyp_policy_count();
    const char *names[MAX_POLICIES];
    for (size_t i = 0; i < n && i < MAX_POLICIES; i++) {
        names[i] = gicsim_hyp_policy_at(i)->name;
        if (!strcmp(names[i], name))
            return (int)i;
    }
    cli_unknown_name("policy", name, names, n < MAX_POLICIES ? n : MAX_POLICIES);
    return -1;
}

/* Parses options after the subcommand; positional arguments are collected
 * into pos (at most maxpos). Returns an exit code (EX_OK to continue). */
static int parse_options(const char *cmd, int argc, char **argv, options *o, const char **pos,
                         size_t *npos, size_t maxpos)
{
    static const char *const opts[] = {"-p",         "--set",  "--policies", "--json",  "--csv",
                                       "--vcd",      "--cdf",  "--record",   "--quiet", "-q",
                                       "--perfetto", "--help", "--intervals"};
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
            continue;
        }
        if (!strcmp(a, "--intervals")) {
            o->intervals = true;
            continue;
        }
        if (!strcmp(a, "-p") || !strcmp(a, "--set")) {
            const char *kv = cli_option_value(argc, argv, &i, "KEY=VALUE");
            if (!kv)
                return EX_USAGE;
            if (!strchr(kv, '='))
                return cli_usage_error("%s needs KEY=VALUE, got '%s'", a, kv);
            if (o->n_overrides == MAX_OVERRIDES)
                return cli_usage_error("at most %d overrides", MAX_OVERRIDES);
            o->overrides[o->n_overrides++] = kv;
            continue;
        }
        if (!strcmp(a, "--policies")) {
            char *list = cli_option_value(argc, argv, &i, "a comma-separated list of policies");
            if (!list)
                return EX_USAGE;
            if (o->has_policies)
                return cli_usage_error("--policies is given twice");
            if (gicsim_hyp_policy_count() > MAX_POLICIES)
                return cli_usage_error("more than %d policies are registered", MAX_POLICIES);
            o->has_policies = true;
            int rc = cli_parse_name_list(list, "policy", "--policies", lookup_policy, o->policy_ids,
                                         &o->n_policies);
            if (rc)
                return rc;
            continue;
        }
        if (!strcmp(a, "--json"))
            dst = &o->json;
        else if (!strcmp(a, "--csv"))
            dst = &o->csv;
        else if (!strcmp(a, "--perfetto"))
            dst = &o->perfetto;
        else if (!strcmp(a, "--vcd"))
            dst = &o->vcd;
        else if (!strcmp(a, "--cdf"))
            dst = &o->cdf;
        else if (!strcmp(a, "--record"))
            dst = &o->record;
        if (dst) {
            *dst = cli_option_value(argc, argv, &i, "a file name");
            if (!*dst)
                return EX_USAGE;
            if (!**dst)
                return cli_usage_error("%s needs a file name, got ''", a);
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_unknown_option(cmd, a, opts, sizeof opts / sizeof opts[0]);
        if (*npos == maxpos)
            return cli_usage_error("unexpected argument '%s'", a);
        pos[(*npos)++] = a;
    }
    return EX_OK;
}

/* ---- One simulation ------------------------------------------------------------------- */

/* The writers of the per-run outputs, in OUT_* order. */
static const char *const run_kinds[OUT_PER_RUN] = {"csv", "perfetto", "vcd"};

typedef struct attached_output {
    const gicsim_output_ops *ops;
    void *state;
    cli_out *out;
} attached_output;

static void progress(const char *policy, gicsim_time_t now, gicsim_time_t total)
{
    fprintf(stderr, "\r%s: %-20s %5.1f%%  %.3f / %.3f ms simulated", cli_prog, policy,
            total ? 100.0 * (double)now / (double)total : 100.0, (double)now / 1e9,
            (double)total / 1e9);
    fflush(stderr);
}

/* A library writer's failure on output o: creating it (begin) or writing it. */
int run_writer_error(cli_out *o, gicsim_status st, bool creating, int err)
{
    if (st == GICSIM_E_NOMEM) {
        cli_errorf("%s: out of memory", o->path);
        return EX_SOFTWARE;
    }
    if (st != GICSIM_E_IO) {
        cli_errorf("%s: %s", o->path, gicsim_strerror(st));
        return EX_SOFTWARE;
    }
    if (creating) {
        cli_errorf("%s: cannot create: %s", o->path, err ? strerror(err) : "error");
        return EX_CANTCREAT;
    }
    return cli_out_write_error(o, err);
}

/* The run label: the policy forced on every VM, else the VMs' own, or
 * "mixed" when they differ. */
static void run_label(gicsim_system *sys, const char *policy, char *buf, size_t size)
{
    const char *label = policy;
    for (uint32_t vm = 0; !label && vm < gicsim_system_num_vms(sys); vm++) {
        const char *p = gicsim_system_vm_policy(sys, vm);
        for (uint32_t k = 0; k < vm; k++)
            if (strcmp(p, gicsim_system_vm_policy(sys, k)))
                label = "mixed";
    }
    if (!label)
        label = gicsim_system_num_vms(sys) ? gicsim_system_vm_policy(sys, 0) : "none";
    snprintf(buf, size, "%s", label);
}

/* Trace-driven sources: one reader per distinct trace file. */
typedef struct replays {
    gicsim_trace_reader *readers[MAX_TRACES];
    gicsim_trace_replay *replays[MAX_TRACES];
    const char *paths[MAX_TRACES];
    size_t n;
} replays;

static int attach_traces(const run_ctx *rc, gicsim_system *sys, replays *t)
{
    for (size_t i = 0; i < rc->n_src; i++) {
        const char *path = gicsim_scenario_source_trace(rc->sc, i);
        bool seen = !path;
        for (size_t k = 0; k < t->n && !seen; k++)
            seen = !strcmp(t->paths[k], path);
        if (seen)
            continue;
        if (t->n == MAX_TRACES) {
            cli_errorf("more than %d trace files", MAX_TRACES);
            return EX_CONFIG;
        }
        t->paths[t->n] = path;
        errno = 0;
        gicsim_status st = gicsim_trace_open(path, &t->readers[t->n]);
        if (st != GICSIM_OK) {
            cli_errorf("%s: cannot read the trace: %s", path,
                       errno ? strerror(errno) : gicsim_strerror(st));
            return EX_DATAERR;
        }
        st = gicsim_trace_replay_attach(sys, t->readers[t->n], rc->src_names, rc->n_src,
                                        &t->replays[t->n]);
        if (st != GICSIM_OK) {
            cli_errorf("%s: %s", path, gicsim_strerror(st));
            gicsim_trace_close(t->readers[t->n]);
            return EX_DATAERR;
        }
        t->n++;
    }
    return EX_OK;
}

static void run_system(const run_ctx *rc, gicsim_system *sys, const char *label)
{
    gicsim_time_t total = gicsim_scenario_duration(rc->sc);
    if (rc->o->quiet || !isatty(STDERR_FILENO)) {
        gicsim_system_run_for(sys, total);
        return;
    }
    gicsim_time_t step = total / 100 ? total / 100 : total;
    for (gicsim_time_t done = 0; done < total;) {
        gicsim_time_t d = total - done < step ? total - done : step;
        gicsim_system_run_for(sys, d);
        done += d;
        progress(label, done, total);
    }
    fputc('\n', stderr);
}

int run_simulate(const run_ctx *rc, const char *policy, const run_outputs *ro, run_result *res)
{
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_system *sys = NULL;
    gicsim_status st = gicsim_scenario_build(rc->sc, policy, &sys, &diag);
    if (st != GICSIM_OK) {
        cli_report_diag(&diag, st);
        return cli_config_exit(st);
    }
    res->sys = sys;
    res->cpu_hz = gicsim_system_timing(sys)->clock_hz[GICSIM_CLK_CPU];
    run_label(sys, policy, res->policy, sizeof res->policy);

    replays tr = {.n = 0};
    int rcode = attach_traces(rc, sys, &tr);

    gicsim_trace_writer *tw = NULL;
    gicsim_trace_recorder *trec = NULL;
    if (rcode == EX_OK && ro->record) {
        errno = 0;
        st = gicsim_trace_create(cli_out_name(ro->record), &tw);
        if (st != GICSIM_OK)
            rcode = run_writer_error(ro->record, st, true, errno);
        else if ((st = gicsim_trace_record(sys, tw, rc->src_names, rc->n_src, &trec)) != GICSIM_OK)
            rcode = run_writer_error(ro->record, st, true, 0);
    }

    gicsim_output_info info = {
        .scenario = gicsim_scenario_name(rc->sc),
        .policy = res->policy,
        .resolved_config_json = rc->resolved,
        .source_names = rc->src_names,
        .n_sources = rc->n_src,
        .vm_names = rc->vm_names,
        .n_vms = rc->n_vms,
    };
    /* Every writer attaches before the run: they stream (the CSV's rows as
     * the records complete, with compare's policy column). */
    attached_output outs[OUT_PER_RUN];
    size_t n_outs = 0;
    for (size_t k = OUT_CSV; k < OUT_PER_RUN && rcode == EX_OK; k++) {
        if (!ro->o[k])
            continue;
        attached_output *ao = &outs[n_outs];
        ao->ops = gicsim_output_find(run_kinds[k]);
        ao->out = ro->o[k];
        ao->state = NULL;
        if (!ao->ops) {
            cli_errorf("no %s writer", run_kinds[k]);
            rcode = EX_SOFTWARE;
            break;
        }
        errno = 0;
        st = k == OUT_CSV ? gicsim_output_csv_begin(sys, cli_out_name(ao->out), &info, rc->compare,
                                                    &ao->state)
                          : ao->ops->begin(&ao->state, sys, cli_out_name(ao->out), &info);
        if (st != GICSIM_OK) {
            rcode = run_writer_error(ao->out, st, true, errno);
            break;
        }
        n_outs++;
    }

    if (rcode == EX_OK) {
        run_system(rc, sys, res->policy);
        /* The model checks its own invariants (when compiled in): a
         * violation is an internal error, never a result. A run that ran
         * out of memory stopped early: no result at all. */
        char why[512];
        if ((st = gicsim_system_status(sys)) != GICSIM_OK) {
            cli_errorf("%s", st == GICSIM_E_NOMEM ? "out of memory" : gicsim_strerror(st));
            rcode = EX_SOFTWARE;
        } else if (gicsim_system_check_invariants(sys, why, sizeof why) != GICSIM_OK) {
            cli_errorf("internal error: %s", why);
            rcode = EX_SOFTWARE;
        }
        for (size_t k = 0; k < tr.n; k++) {
            if (gicsim_trace_replay_status(tr.replays[k]) != GICSIM_OK) {
                fprintf(stderr, "%s:%lu: %s\n", tr.paths[k], gicsim_trace_error_line(tr.readers[k]),
                        gicsim_trace_error_message(tr.readers[k]));
                rcode = EX_DATAERR;
            }
        }
    }
    for (size_t k = 0; k < n_outs; k++) {
        errno = 0;
        st = outs[k].ops->end(outs[k].state, sys, &info);
        if (st != GICSIM_OK && rcode == EX_OK)
            rcode = run_writer_error(outs[k].out, st, false, errno);
    }
    if (tw) {
        errno = 0;
        st = gicsim_trace_finish(tw);
        if (st == GICSIM_OK && trec)
            st = gicsim_trace_recorder_status(trec);
        if (st != GICSIM_OK && rcode == EX_OK)
            rcode = run_writer_error(ro->record, st, false, errno);
    }
    gicsim_trace_recorder_free(trec);
    for (size_t k = 0; k < tr.n; k++) {
        gicsim_trace_replay_free(tr.replays[k]);
        gicsim_trace_close(tr.readers[k]);
    }
    gicsim_system_get_stats(sys, &res->st);
    return rcode;
}

/* ---- Tables ------------------------------------------------------------------------- */

/* Per interrupt a guest received: host timers' instances cause no exit of
 * their own and are not counted. */
static double per_irq(uint64_t n, const gicsim_system_stats *st)
{
    uint64_t d = st->delivered - st->host_delivered;
    return d ? (double)n / (double)d : 0.0;
}

static double cycles_of(uint64_t ps, uint64_t hz)
{
    return (double)ps * (double)hz / 1e12;
}

typedef enum row_kind { ROW_NS, ROW_CYC, ROW_RATIO, ROW_PCT, ROW_COUNT } row_kind;

static void print_row(FILE *t, const char *label, const run_result *r, size_t n, row_kind kind,
                      getter get)
{
    fprintf(t, "%-*s", LABEL_W, label);
    for (size_t i = 0; i < n; i++) {
        double v = run_row_value(&r[i], get);
        switch (kind) {
        case ROW_NS:
        case ROW_CYC:
            fprintf(t, " %18.1f", v);
            break;
        case ROW_RATIO:
            fprintf(t, " %18.3f", v);
            break;
        case ROW_PCT:
            fprintf(t, " %17.2f%%", v);
            break;
        case ROW_COUNT:
            fprintf(t, " %18.0f", v);
            break;
        }
    }
    fputc('\n', t);
    run_print_ci_row(t, r, n, get);
}

static gicsim_summary lat(const run_result *r)
{
    gicsim_summary s;
    gicsim_histogram_summary(gicsim_system_latency(r->sys, UINT32_MAX), &s);
    return s;
}

#define NS_GETTER(field)                                                                           \
    double run_get_##field##_ns(const run_result *r)                                               \
    {                                                                                              \
        return (double)lat(r).field / 1000.0;                                                      \
    }                                                                                              \
    double run_get_##field##_cyc(const run_result *r)                                              \
    {                                                                                              \
        return cycles_of(lat(r).field, r->cpu_hz);                                                 \
    }
NS_GETTER(p50)
NS_GETTER(p90)
NS_GETTER(p99)
NS_GETTER(p999)
NS_GETTER(max)
#undef NS_GETTER

double run_get_mean_ns(const run_result *r)
{
    return lat(r).mean / 1000.0;
}

#define EXIT_GETTER(name, idx)                                                                     \
    double run_get_exit_##name(const run_result *r)                                                \
    {                                                                                              \
        return per_irq(r->st.exits[idx], &r->st);                                                  \
    }
EXIT_GETTER(irq, GICSIM_EXIT_IRQ)
EXIT_GETTER(maint, GICSIM_EXIT_MAINTENANCE)
EXIT_GETTER(wfi, GICSIM_EXIT_WFI)
EXIT_GETTER(sgi, GICSIM_EXIT_SGI_TRAP)
EXIT_GETTER(mmio, GICSIM_EXIT_MMIO)
EXIT_GETTER(hvc, GICSIM_EXIT_HVC)
#undef EXIT_GETTER

double run_get_exit_total(const run_result *r)
{
    return per_irq(r->st.exits_total, &r->st);
}

static double pes_time(const run_result *r)
{
    return (double)r->st.sim_time * (double)gicsim_gic_num_pes(gicsim_system_gic(r->sys));
}

double run_get_hyp_share(const run_result *r)
{
    double t = pes_time(r);
    return t > 0 ? 100.0 * (double)r->st.hyp_time / t : 0.0;
}

double run_get_poll_share(const run_result *r)
{
    double t = pes_time(r);
    return t > 0 ? 100.0 * (double)r->st.halt_poll_time / t : 0.0;
}

#define COUNT_GETTER(field)                                                                        \
    double run_get_##field(const run_result *r)                                                    \
    {                                                                                              \
        return (double)r->st.field;                                                                \
    }
COUNT_GETTER(asserted)
COUNT_GETTER(delivered)
COUNT_GETTER(merged)
COUNT_GETTER(pending)
COUNT_GETTER(maintenance_irqs)
COUNT_GETTER(lr_spills)
COUNT_GETTER(kicks)
COUNT_GETTER(wakeups)
COUNT_GETTER(exits_total)
COUNT_GETTER(doorbells)
#undef COUNT_GETTER

/* A clock for a row label: "3 GHz", "2.25 GHz", "800 MHz", "25000 Hz". */
static void fmt_clock(char *buf, size_t size, uint64_t hz)
{
    if (hz >= 1000000000u)
        snprintf(buf, size, "%.6g GHz", (double)hz / 1e9);
    else if (hz >= 1000000u)
        snprintf(buf, size, "%.6g MHz", (double)hz / 1e6);
    else
        snprintf(buf, size, "%" PRIu64 " Hz", hz);
}

static void print_table(FILE *t, const run_result *r, size_t n, const intervals *iv)
{
    fprintf(t, "%-*s", LABEL_W, "");
    for (size_t i = 0; i < n; i++)
        fprintf(t, " %18s", r[i].policy);
    fputc('\n', t);
    print_row(t, "latency mean (ns)", r, n, ROW_NS, run_get_mean_ns);
    run_print_interval_row(t, iv, n, IV_MEAN);
    print_row(t, "latency p50 (ns)", r, n, ROW_NS, run_get_p50_ns);
    run_print_interval_row(t, iv, n, IV_P50);
    print_row(t, "latency p90 (ns)", r, n, ROW_NS, run_get_p90_ns);
    print_row(t, "latency p99 (ns)", r, n, ROW_NS, run_get_p99_ns);
    run_print_interval_row(t, iv, n, IV_P99);
    print_row(t, "latency p99.9 (ns)", r, n, ROW_NS, run_get_p999_ns);
    print_row(t, "latency max (ns)", r, n, ROW_NS, run_get_max_ns);
    /* Cycles of the platform's CPU clock (one scenario, one platform: the
     * same for every column), named in the label. */
    char clock[32] = "?";
    if (n)
        fmt_clock(clock, sizeof clock, r[0].cpu_hz);
    static const char *const pct[] = {"p50", "p90", "p99", "p99.9", "max"};
    static double (*const cyc[])(const run_result *) = {
        run_get_p50_cyc, run_get_p90_cyc, run_get_p99_cyc, run_get_p999_cyc, run_get_max_cyc};
    for (size_t k = 0; k < sizeof pct / sizeof pct[0]; k++) {
        char label[64];
        snprintf(label, sizeof label, "latency %s (cycles @ %s)", pct[k], clock);
        print_row(t, label, r, n, ROW_CYC, cyc[k]);
    }
    print_row(t, "exits/irq: irq", r, n, ROW_RATIO, run_get_exit_irq);
    print_row(t, "exits/irq: maintenance", r, n, ROW_RATIO, run_get_exit_maint);
    print_row(t, "exits/irq: wfi", r, n, ROW_RATIO, run_get_exit_wfi);
    print_row(t, "exits/irq: sgi-trap", r, n, ROW_RATIO, run_get_exit_sgi);
    print_row(t, "exits/irq: mmio", r, n, ROW_RATIO, run_get_exit_mmio);
    print_row(t, "exits/irq: hvc", r, n, ROW_RATIO, run_get_exit_hvc);
    print_row(t, "exits/irq: total", r, n, ROW_RATIO, run_get_exit_total);
    run_print_interval_row(t, iv, n, IV_EXITS);
    print_row(t, "VM exits", r, n, ROW_COUNT, run_get_exits_total);
    print_row(t, "hypervisor time share", r, n, ROW_PCT, run_get_hyp_share);
    print_row(t, "halt-poll time share", r, n, ROW_PCT, run_get_poll_share);
    print_row(t, "doorbells", r, n, ROW_COUNT, run_get_doorbells);
    print_row(t, "maintenance IRQs", r, n, ROW_COUNT, run_get_maintenance_irqs);
    print_row(t, "LR spills", r, n, ROW_COUNT, run_get_lr_spills);
    print_row(t, "kicks", r, n, ROW_COUNT, run_get_kicks);
    print_row(t, "wake-ups", r, n, ROW_COUNT, run_get_wakeups);
    print_row(t, "interrupts asserted", r, n, ROW_COUNT, run_get_asserted);
    print_row(t, "interrupts delivered", r, n, ROW_COUNT, run_get_delivered);
    print_row(t, "merged", r, n, ROW_COUNT, run_get_merged);
    print_row(t, "still pending", r, n, ROW_COUNT, run_get_pending);
}

static void print_sources(FILE *t, const run_ctx *rc, const run_result *r)
{
    fprintf(t, "\n%-16s %10s %12s %12s %12s %12s %12s\n", "source", "delivered", "p50 (ns)",
            "p90 (ns)", "p99 (ns)", "p99.9 (ns)", "max (ns)");
    for (size_t i = 0; i < rc->n_src; i++) {
        gicsim_summary s;
        gicsim_histogram_summary(gicsim_system_latency(r->sys, (uint32_t)i), &s);
        fprintf(t, "%-16s %10" PRIu64 " %12.1f %12.1f %12.1f %12.1f %12.1f\n", rc->src_names[i],
                s.count, s.p50 / 1e3, s.p90 / 1e3, s.p99 / 1e3, s.p999 / 1e3, s.max / 1e3);
    }
}

/* compare: each source's latency under each policy, one row per figure. */
static void print_source_table(FILE *t, const run_ctx *rc, const run_result *r, size_t n)
{
    static const char *const what[] = {"delivered", "p50 (ns)", "p90 (ns)", "p99 (ns)", "max (ns)"};
    fprintf(t, "\n%-*s", LABEL_W, "per source");
    for (size_t i = 0; i < n; i++)
        fprintf(t, " %18s", r[i].policy);
    fputc('\n', t);
    for (size_t src = 0; src < rc->n_src; src++) {
        for (size_t k = 0; k < sizeof what / sizeof what[0]; k++) {
            char label[96];
            snprintf(label, sizeof label, "%s: %s", rc->src_names[src], what[k]);
            fprintf(t, "%-*s", LABEL_W, label);
            for (size_t i = 0; i < n; i++) {
                gicsim_summary sm;
                gicsim_histogram_summary(gicsim_system_latency(r[i].sys, (uint32_t)src), &sm);
                uint64_t v = k == 0   ? sm.count
                             : k == 1 ? sm.p50
                             : k == 2 ? sm.p90
                             : k == 3 ? sm.p99
                                      : sm.max;
                if (k == 0)
                    fprintf(t, " %18" PRIu64, v);
                else
                    fprintf(t, " %18.1f", (double)v / 1e3);
            }
            fputc('\n', t);
        }
    }
}

/* ---- The policies a command runs ---------------------------------------------------------- */

/* compare: --policies, else run.policies; a policy the scenario's GIC
 * cannot run is skipped with its reason. */
static int plan_policies(const gicsim_scenario *sc, const options *o, bool compare, plan *pl)
{
    memset(pl, 0, sizeof *pl);
    if (!compare) {
        pl->pols[pl->n++] = NULL;
        pl->from = "each VM's own";
        return EX_OK;
    }
    size_t want = o->has_policies ? o->n_policies : gicsim_scenario_policy_count(sc);
    pl->from = o->has_policies ? "--policies" : "run.policies";
    for (size_t i = 0; i < want && i < MAX_POLICIES; i++) {
        const char *name = o->has_policies ? gicsim_hyp_policy_at((size_t)o->policy_ids[i])->name
                                           : gicsim_scenario_policy(sc, i);
        const char *why = gicsim_scenario_policy_unsupported(sc, name);
        if (why) {
            pl->skipped[pl->n_skipped] = name;
            pl->why[pl->n_skipped++] = why;
            cli_errorf("compare: skipping policy %s: it %s (this scenario's GIC: %s%s)", name, why,
                       gicsim_scenario_gic_version(sc),
                       gicsim_scenario_gic(sc)->its ? " with an ITS" : ", no ITS");
        } else {
            pl->pols[pl->n++] = name;
        }
    }
    if (want && !pl->n) {
        cli_errorf("compare: none of the %s can run on this scenario's GIC (gic.version %s%s)",
                   pl->from, gicsim_scenario_gic_version(sc),
                   gicsim_scenario_gic(sc)->its ? "" : ", no ITS");
        return EX_CONFIG;
    }
    return EX_OK;
}

/* What a policy overrides in the scenario, as warnings. */
static void warn_overrides(const gicsim_scenario *sc, const plan *pl)
{
    for (size_t i = 0; i < pl->n; i++) {
        gicsim_diag w[16];
        size_t n = gicsim_scenario_policy_warnings(sc, pl->pols[i], w, 16);
        for (size_t k = 0; k < n && k < 16; k++)
            cli_report_warning(&w[k]);
        if (n > 16)
            cli_errorf("warning: %zu more settings overridden by %s", n - 16,
                       pl->pols[i] ? pl->pols[i] : "the VMs' policies");
    }
}

/* The policies (NULL: the VMs' own) that run on another GIC version than the
 * scenario's: a GICv5 policy on a GICv3/v4 scenario and the reverse, one
 * line per version (docs/gicv5.md, "Comparing with GICv4.1"). */
static void print_policy_gic(FILE *t, const gicsim_scenario *sc, const char *const *pols, size_t n)
{
    const char *own = gicsim_scenario_gic_version(sc);
    const char *other = NULL;
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const char *v = gicsim_scenario_policy_gic_version(sc, pols ? pols[i] : NULL);
        if (!v || !strcmp(v, own))
            continue;
        if (first)
            fprintf(t, "GIC %s for:", v);
        fprintf(t, "%s %s", first ? "" : ",", pols ? pols[i] : "the VMs' policies");
        first = false;
        other = v;
    }
    if (other)
        fputs(" (the architecture the policy drives)\n", t);
}

/* The lines above the table: the scenario, its platform and GIC, the
 * policies and those skipped. */
static void print_header(FILE *t, const run_ctx *rc, const plan *pl)
{
    const gicsim_scenario *sc = rc->sc;
    const gicsim_gic_config *g = gicsim_scenario_gic(sc);
    fprintf(t, "gicsim %s: %s, %.3f ms simulated\n", gicsim_version_string(),
            gicsim_scenario_name(sc), (double)gicsim_scenario_duration(sc) / 1e9);
    fprintf(t, "platform: %s (%s); GIC %s, %u PEs, %s\n", gicsim_scenario_platform(sc),
            gicsim_scenario_platform_file(sc), gicsim_scenario_gic_version(sc),
            (unsigned)g->num_pes, g->its ? "ITS" : "no ITS");
    if (!rc->compare) {
        fputs("policies:", t);
        for (size_t i = 0; i < rc->n_vms; i++)
            fprintf(t, "%s %s %s", i ? "," : "", rc->vm_names[i], gicsim_scenario_vm_policy(sc, i));
        fputs(rc->n_vms ? " (each VM's own)\n" : " none (no VMs)\n", t);
        print_policy_gic(t, sc, NULL, 1);
        return;
    }
    fputs("policies:", t);
    for (size_t i = 0; i < pl->n; i++)
        fprintf(t, "%s %s", i ? "," : "", pl->pols[i]);
    fprintf(t, "%s (%s)\n", pl->n ? "" : " none", pl->from);
    print_policy_gic(t, sc, pl->pols, pl->n);
    for (size_t i = 0; i < pl->n_skipped; i++)
        fprintf(t, "skipped: %s (%s)\n", pl->skipped[i], pl->why[i]);
    /* The policies this GIC cannot run that nobody asked for. */
    bool first = true;
    for (size_t i = 0; i < gicsim_hyp_policy_count(); i++) {
        const char *name = gicsim_hyp_policy_at(i)->name;
        bool listed = false;
        for (size_t k = 0; k < pl->n_skipped && !listed; k++)
            listed = !strcmp(pl->skipped[k], name);
        if (listed || !gicsim_scenario_policy_unsupported(sc, name))
            continue;
        fprintf(t, "%s%s", first ? "not runnable on this GIC: " : ", ", name);
        first = false;
    }
    if (!first)
        fputc('\n', t);
}

/* ---- The commands ---------------------------------------------------------------------- */

/* A micro-bench scenario: the benchmarks on its platform (with its
 * overrides), next to the preset's measured figures. */
static int run_microbench(const gicsim_scenario *sc, const options *o, bool compare,
                          const char *file)
{
    gicsim_mb_config mb;
    gicsim_mb_test tests[GICSIM_MB__COUNT];
    size_t n = 0;
    gicsim_scenario_microbench(sc, &mb, tests, &n);
    if (compare || o->has_policies || o->csv || o->perfetto || o->vcd || o->cdf || o->record) {
        cli_errorf("%s is a micro-bench scenario: use 'gicsim run' with at most --json and "
                   "--intervals",
                   file);
        return EX_USAGE;
    }
    gicsim_platform *p = NULL;
    int code = o->intervals ? run_load_calibrated(sc, &p)
                            : cli_load_platform(gicsim_scenario_platform_file(sc), &p);
    if (!code)
        code = cli_microbench_report_ex(&mb, p, tests, n, o->json, false, o->intervals);
    gicsim_platform_free(p);
    return code;
}

/* run (compare false) or compare. */
static int simulate_command(int argc, char **argv, bool compare)
{
    const char *cmd = compare ? "compare" : "run";
    options o;
    memset(&o, 0, sizeof o);
    const char *pos[1] = {NULL};
    size_t npos;
    int code = parse_options(cmd, argc, argv, &o, pos, &npos, 1);
    if (code)
        return code;
    if (npos != 1)
        return cli_usage_error("%s needs a SCENARIO file (gicsim %s --help)", cmd, cmd);
    if (!compare && o.has_policies)
        return cli_usage_error("--policies is for compare");
    if (compare && o.record)
        return cli_usage_error("--record is for run");
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_scenario *sc = NULL;
    gicsim_status st = gicsim_scenario_load(pos[0], o.overrides, o.n_overrides, &sc, &diag);
    if (st != GICSIM_OK) {
        cli_report_diag(&diag, st);
        return cli_config_exit(st);
    }
    if (gicsim_scenario_microbench(sc, NULL, NULL, NULL)) {
        code = run_microbench(sc, &o, compare, pos[0]);
        gicsim_scenario_free(sc);
        return code;
    }
    run_ctx rc = {.sc = sc, .o = &o, .compare = compare};
    char *resolved = NULL;
    plan pl;
    run_result res[MAX_POLICIES];
    run_outputs ro[MAX_POLICIES];
    out_set set = {0};
    cli_out *json = NULL, *cdf = NULL;
    gicsim_platform *preset = NULL;
    intervals iv = {0};
    memset(res, 0, sizeof res);
    memset(ro, 0, sizeof ro);
    rc.n_src = gicsim_scenario_source_count(sc);
    rc.n_vms = gicsim_scenario_vm_count(sc);
    rc.src_names = calloc(rc.n_src + 1, sizeof *rc.src_names);
    rc.vm_names = calloc(rc.n_vms + 1, sizeof *rc.vm_names);
    if (!rc.src_names || !rc.vm_names ||
        gicsim_scenario_resolved_json(sc, &resolved) != GICSIM_OK) {
        code = EX_SOFTWARE;
        goto out;
    }
    rc.resolved = resolved;
    for (size_t i = 0; i < rc.n_src; i++)
        rc.src_names[i] = gicsim_scenario_source_name(sc, i);
    for (size_t i = 0; i < rc.n_vms; i++)
        rc.vm_names[i] = gicsim_scenario_vm_name(sc, i);

    if ((code = plan_policies(sc, &o, compare, &pl)) != EX_OK)
        goto out;
    if (o.intervals && (code = run_load_calibrated(sc, &preset)) != EX_OK)
        goto out;
    warn_overrides(sc, &pl);
    /* compare's per-run files are named by policy: known before the runs. */
    for (size_t i = 0; i < pl.n; i++)
        snprintf(res[i].policy, sizeof res[i].policy, "%s", pl.pols[i] ? pl.pols[i] : "");
    if ((code = run_create_outputs(&rc, &pl, res, &set, ro, &json, &cdf)) != EX_OK)
        goto out;

    for (size_t i = 0; i < pl.n && code == EX_OK; i++) {
        code = run_simulate(&rc, pl.pols[i], &ro[i], &res[i]);
        if (code == EX_OK && gicsim_scenario_replications(sc) > 1)
            code = run_replicate(&rc, sc, pl.pols[i], &res[i]);
    }
    if (code == EX_OK && o.intervals)
        code = run_compute_intervals(&rc, &pl, res, pos[0], preset, &iv);
    if (code == EX_OK) {
        /* With the JSON on standard output, the table goes to standard error. */
        FILE *t = json && !strcmp(json->path, "-") ? stderr : stdout;
        print_header(t, &rc, &pl);
        run_print_interval_header(t, &iv);
        if (gicsim_scenario_replications(sc) > 1)
            fprintf(t,
                    "replications: %u runs per policy, seeds derived from run.seed %" PRIu64
                    "; each row is\n              their mean, \"95%% CI\" the interval of the "
                    "mean (run-to-run noise)\n",
                    (unsigned)gicsim_scenario_replications(sc), gicsim_scenario_seed(sc));
        fputc('\n', t);
        print_table(t, res, pl.n, &iv);
        if (compare)
            run_print_differences(t, res, pl.n);
        if (gicsim_scenario_replications(sc) > 1)
            fprintf(t, "\nper source: replication 0 (seed %" PRIu64 ")\n",
                    gicsim_scenario_seed(sc));
        if (!compare)
            print_sources(t, &rc, &res[0]);
        else
            print_source_table(t, &rc, res, pl.n);
        if (json)
            code = run_write_json(&rc, res, pl.n, &iv, json);
        if (cdf && code == EX_OK)
            code = run_write_cdf(&rc, res, pl.n, cdf);
    }
out:
    /* Into place only when everything succeeded; else none is left behind. */
    run_out_set_free(&set, code == EX_OK, &code);
    for (size_t i = 0; i < MAX_POLICIES; i++) {
        gicsim_system_destroy(res[i].sys);
        run_reps_free(res[i].reps);
    }
    free(rc.src_names);
    free(rc.vm_names);
    free(resolved);
    free(iv.v);
    gicsim_platform_free(preset);
    gicsim_scenario_free(sc);
    return code;
}

int cmd_run(int argc, char **argv)
{
    return simulate_command(argc, argv, false);
}

int cmd_compare(int argc, char **argv)
{
    return simulate_command(argc, argv, true);
}
