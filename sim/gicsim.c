/* gicsim: the command-line front end.
 *
 *   gicsim run SCENARIO [options]         run a scenario, print a summary table
 *   gicsim compare SCENARIO [options]     run it under each policy, side by side
 *   gicsim validate FILE...               check scenario/platform/script files
 *   gicsim script FILE...                 run register-level conformance scripts
 *   gicsim microbench [options]           simulate the calibration micro-benchmarks
 *   gicsim calibrate MEASURED --platform BASE [options]
 *                                         fit a preset's costs to measured figures
 *
 * Data goes to stdout, diagnostics to stderr. Exit codes follow sysexits:
 * 0 success, 64 usage error, 65 bad input data (a trace, measured figures),
 * 70 internal error, 78 bad configuration; a failed conformance expectation,
 * a failed microbench --check and a calibration that misses a figure by more
 * than 10% exit 1.
 */
#include <gicsim/gicsim.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EX_OK 0
#define EX_FAIL 1
#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_SOFTWARE 70
#define EX_CONFIG 78

#define MAX_OVERRIDES 64
#define MAX_POLICIES 16

typedef struct options {
    const char *overrides[MAX_OVERRIDES];
    size_t n_overrides;
    const char *policies[MAX_POLICIES];
    size_t n_policies;
    const char *json, *csv, *perfetto, *vcd, *cdf, *record;
    bool quiet;
} options;

static const char *prog = "gicsim";

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: gicsim run SCENARIO [options]\n"
        "       gicsim compare SCENARIO [--policies a,b,c] [options]\n"
        "       gicsim validate FILE...\n"
        "       gicsim script FILE...\n"
        "       gicsim microbench [--platform NAME|FILE] [--tests a,b,...] [--iterations N]\n"
        "                         [--json FILE] [--check]\n"
        "       gicsim calibrate MEASURED --platform NAME|FILE [--fit cost,cost,...]\n"
        "                        [-o OUT.yaml] [--name NAME]\n"
        "       gicsim --help | --version\n"
        "\n"
        "options:\n"
        "  -p, --set KEY=VALUE   override a scenario key (e.g. -p gic.pes=8, -p run.duration=5ms)\n"
        "  --policies LIST       compare: comma-separated policies (default: run.policies)\n"
        "  --json FILE           summary as JSON, with the resolved configuration ('-': stdout)\n"
        "  --csv FILE            per-interrupt records (gzip when FILE ends in .gz)\n"
        "  --perfetto FILE       timeline for Perfetto / chrome://tracing\n"
        "  --vcd FILE            interrupt and IRQ lines as a VCD (GTKWave)\n"
        "  --cdf FILE            latency CDF as SVG (run: all sources and one curve per source;\n"
        "                        compare: one curve per policy)\n"
        "  --record FILE         run: record the sources' arrivals as a trace (.gz: gzip)\n"
        "  -q, --quiet           no progress line\n"
        "\n"
        "Outputs named in the scenario's outputs: section are written too. With compare,\n"
        "per-run files get the policy inserted before the extension (out.eoi-split.csv).\n"
        "\n"
        "microbench simulates kvm-unit-tests arm/micro-bench and seed 004's timer test on a\n"
        "platform preset (default generic) and compares with the preset's measured figures;\n"
        "--check fails when one is off by more than 10%%. calibrate fits the costs of --fit\n"
        "(default: one per measured test) to MEASURED (a kvm-unit-tests micro-bench log, or\n"
        "YAML {reference: ..., measured: {TEST: NS}}) and writes the resulting preset.\n"
        "exit codes: 0 ok, 1 script expectation failed / check failed / fit off by > 10%%,\n"
        "64 usage, 65 bad trace or measured data, 70 internal error, 78 bad configuration.\n");
}

static void errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void report_diag(const gicsim_diag *d, gicsim_status st)
{
    if (d->line)
        fprintf(stderr, "%s:%u:%u: %s%s%s\n", d->file, d->line, d->column, d->key[0] ? d->key : "",
                d->key[0] ? ": " : "", d->message[0] ? d->message : gicsim_strerror(st));
    else
        fprintf(stderr, "%s: %s%s%s\n", d->file[0] ? d->file : prog, d->key[0] ? d->key : "",
                d->key[0] ? ": " : "", d->message[0] ? d->message : gicsim_strerror(st));
}

static int config_exit(gicsim_status st)
{
    return st == GICSIM_E_NOMEM ? EX_SOFTWARE : EX_CONFIG;
}

/* ---- Option parsing ------------------------------------------------------------------ */

static int split_policies(options *o, char *list)
{
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (o->n_policies == MAX_POLICIES) {
            errorf("at most %d policies", MAX_POLICIES);
            return EX_USAGE;
        }
        if (!gicsim_hyp_policy_find(tok)) {
            errorf("unknown policy '%s'", tok);
            return EX_USAGE;
        }
        o->policies[o->n_policies++] = tok;
    }
    return EX_OK;
}

/* Parses options after the subcommand; positional arguments are collected
 * into pos (at most npos). Returns an exit code (EX_OK to continue). */
static int parse_options(int argc, char **argv, options *o, const char **pos, size_t *npos,
                         size_t maxpos)
{
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
            continue;
        }
        if (!strcmp(a, "-p") || !strcmp(a, "--set")) {
            if (i + 1 >= argc || !strchr(argv[i + 1], '=')) {
                errorf("%s needs KEY=VALUE", a);
                return EX_USAGE;
            }
            if (o->n_overrides == MAX_OVERRIDES) {
                errorf("too many overrides");
                return EX_USAGE;
            }
            o->overrides[o->n_overrides++] = argv[++i];
            continue;
        }
        if (!strcmp(a, "--policies")) {
            if (i + 1 >= argc) {
                errorf("--policies needs a list");
                return EX_USAGE;
            }
            int rc = split_policies(o, argv[++i]);
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
            if (i + 1 >= argc) {
                errorf("%s needs a file name", a);
                return EX_USAGE;
            }
            *dst = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1]) {
            errorf("unknown option '%s'", a);
            return EX_USAGE;
        }
        if (*npos == maxpos) {
            errorf("unexpected argument '%s'", a);
            return EX_USAGE;
        }
        pos[(*npos)++] = a;
    }
    return EX_OK;
}

/* ---- One simulation ------------------------------------------------------------------- */

typedef struct run_result {
    char policy[64];
    gicsim_system *sys;
    gicsim_system_stats st;
    uint64_t cpu_hz;
} run_result;

/* "out.csv" + "eoi-split" -> "out.eoi-split.csv" (before a .gz too). */
static char *per_policy_path(const char *path, const char *policy)
{
    size_t n = strlen(path) + strlen(policy) + 2;
    char *s = malloc(n);
    if (!s)
        return NULL;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strchr(base, '.');
    if (!dot || dot == base) {
        snprintf(s, n, "%s.%s", path, policy);
        return s;
    }
    snprintf(s, n, "%.*s.%s%s", (int)(dot - path), path, policy, dot);
    return s;
}

typedef struct attached_output {
    const gicsim_output_ops *ops;
    void *state;
    char *path;
} attached_output;

typedef struct run_ctx {
    const gicsim_scenario *sc;
    const options *o;
    bool compare;
    const char *resolved;
    const char **src_names;
    size_t n_src;
    const char **vm_names;
    size_t n_vms;
} run_ctx;

static const char *output_path(const run_ctx *rc, const char *kind, const char *flag)
{
    return flag ? flag : gicsim_scenario_output(rc->sc, kind);
}

static void progress(const char *policy, gicsim_time_t now, gicsim_time_t total)
{
    fprintf(stderr, "\r%s: %-20s %5.1f%%  %.3f / %.3f ms simulated", prog, policy,
            total ? 100.0 * (double)now / (double)total : 100.0, (double)now / 1e9,
            (double)total / 1e9);
    fflush(stderr);
}

static int simulate(const run_ctx *rc, const char *policy, run_result *res)
{
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_system *sys = NULL;
    gicsim_status st = gicsim_scenario_build(rc->sc, policy, &sys, &diag);
    if (st != GICSIM_OK) {
        report_diag(&diag, st);
        return config_exit(st);
    }
    res->sys = sys;
    /* run: the VMs' own policy, or "mixed" when they differ. */
    const char *label = policy;
    for (uint32_t vm = 0; !label && vm < gicsim_system_num_vms(sys); vm++) {
        const char *p = gicsim_system_vm_policy(sys, vm);
        for (uint32_t k = 0; k < vm; k++)
            if (strcmp(p, gicsim_system_vm_policy(sys, k)))
                label = "mixed";
    }
    if (!label)
        label = gicsim_system_num_vms(sys) ? gicsim_system_vm_policy(sys, 0) : "none";
    snprintf(res->policy, sizeof res->policy, "%s", label);
    int rcode = EX_OK;

    /* Trace-driven sources: one reader per distinct trace file. */
    gicsim_trace_reader *readers[64];
    gicsim_trace_replay *replays[64];
    const char *trace_paths[64];
    size_t n_readers = 0;
    for (size_t i = 0; i < rc->n_src && rcode == EX_OK; i++) {
        const char *path = gicsim_scenario_source_trace(rc->sc, i);
        if (!path)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i; k++) {
            const char *p2 = gicsim_scenario_source_trace(rc->sc, k);
            if (p2 && !strcmp(p2, path))
                seen = true;
        }
        if (seen)
            continue;
        if (n_readers == 64) {
            errorf("too many trace files");
            rcode = EX_CONFIG;
            break;
        }
        trace_paths[n_readers] = path;
        st = gicsim_trace_open(path, &readers[n_readers]);
        if (st != GICSIM_OK) {
            errorf("%s: cannot read trace: %s", path, strerror(errno));
            rcode = EX_DATAERR;
            break;
        }
        st = gicsim_trace_replay_attach(sys, readers[n_readers], rc->src_names, rc->n_src,
                                        &replays[n_readers]);
        if (st != GICSIM_OK) {
            errorf("%s: %s", path, gicsim_strerror(st));
            gicsim_trace_close(readers[n_readers]);
            rcode = EX_DATAERR;
            break;
        }
        n_readers++;
    }

    gicsim_trace_writer *tw = NULL;
    gicsim_trace_recorder *trec = NULL;
    if (rcode == EX_OK && rc->o->record && !rc->compare) {
        st = gicsim_trace_create(rc->o->record, &tw);
        if (st == GICSIM_OK)
            st = gicsim_trace_record(sys, tw, rc->src_names, rc->n_src, &trec);
        if (st != GICSIM_OK) {
            errorf("%s: cannot record: %s", rc->o->record, gicsim_strerror(st));
            rcode = EX_CONFIG;
        }
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
    static const char *const kinds[] = {"csv", "perfetto", "vcd"};
    const char *flags[] = {rc->o->csv, rc->o->perfetto, rc->o->vcd};
    attached_output outs[3];
    size_t n_outs = 0;
    for (size_t k = 0; k < 3 && rcode == EX_OK; k++) {
        const char *path = output_path(rc, kinds[k], flags[k]);
        if (!path)
            continue;
        attached_output *ao = &outs[n_outs];
        ao->ops = gicsim_output_find(kinds[k]);
        ao->path = rc->compare ? per_policy_path(path, res->policy) : strdup(path);
        ao->state = NULL;
        if (!ao->ops || !ao->path) {
            free(ao->path);
            rcode = EX_SOFTWARE;
            break;
        }
        st = ao->ops->begin(&ao->state, sys, ao->path, &info);
        if (st != GICSIM_OK) {
            errorf("%s: %s", ao->path, gicsim_strerror(st));
            free(ao->path);
            rcode = st == GICSIM_E_IO ? EX_CONFIG : EX_SOFTWARE;
            break;
        }
        n_outs++;
    }

    if (rcode == EX_OK) {
        gicsim_time_t total = gicsim_scenario_duration(rc->sc);
        bool show = !rc->o->quiet && isatty(STDERR_FILENO);
        if (!show) {
            gicsim_system_run_for(sys, total);
        } else {
            gicsim_time_t step = total / 100 ? total / 100 : total;
            for (gicsim_time_t done = 0; done < total;) {
                gicsim_time_t d = total - done < step ? total - done : step;
                gicsim_system_run_for(sys, d);
                done += d;
                progress(res->policy, done, total);
            }
            fputc('\n', stderr);
        }
        /* The model checks its own invariants (when compiled in): a
         * violation is an internal error, never a result. */
        char why[512];
        if (gicsim_system_check_invariants(sys, why, sizeof why) != GICSIM_OK) {
            errorf("internal error: %s", why);
            rcode = EX_SOFTWARE;
        }
        for (size_t k = 0; k < n_readers; k++) {
            st = gicsim_trace_replay_status(replays[k]);
            if (st != GICSIM_OK) {
                fprintf(stderr, "%s:%lu: %s\n", trace_paths[k], gicsim_trace_error_line(readers[k]),
                        gicsim_trace_error_message(readers[k]));
                rcode = EX_DATAERR;
            }
        }
    }
    for (size_t k = 0; k < n_outs; k++) {
        st = outs[k].ops->end(outs[k].state, sys, &info);
        if (st != GICSIM_OK && rcode == EX_OK) {
            errorf("%s: %s", outs[k].path, gicsim_strerror(st));
            rcode = EX_SOFTWARE;
        }
        free(outs[k].path);
    }
    if (tw) {
        st = gicsim_trace_finish(tw);
        if ((st != GICSIM_OK || (trec && gicsim_trace_recorder_status(trec) != GICSIM_OK)) &&
            rcode == EX_OK) {
            errorf("%s: writing the trace failed", rc->o->record);
            rcode = EX_SOFTWARE;
        }
    }
    gicsim_trace_recorder_free(trec);
    for (size_t k = 0; k < n_readers; k++) {
        gicsim_trace_replay_free(replays[k]);
        gicsim_trace_close(readers[k]);
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

static void print_row(const char *label, const run_result *r, size_t n, row_kind kind,
                      double (*get)(const run_result *))
{
    printf("%-28s", label);
    for (size_t i = 0; i < n; i++) {
        double v = get(&r[i]);
        switch (kind) {
        case ROW_NS:
        case ROW_CYC:
            printf(" %18.1f", v);
            break;
        case ROW_RATIO:
            printf(" %18.3f", v);
            break;
        case ROW_PCT:
            printf(" %17.2f%%", v);
            break;
        case ROW_COUNT:
            printf(" %18.0f", v);
            break;
        }
    }
    putchar('\n');
}

static gicsim_summary lat(const run_result *r)
{
    gicsim_summary s;
    gicsim_histogram_summary(gicsim_system_latency(r->sys, UINT32_MAX), &s);
    return s;
}

#define NS_GETTER(field)                                                                           \
    static double get_##field##_ns(const run_result *r)                                            \
    {                                                                                              \
        return (double)lat(r).field / 1000.0;                                                      \
    }                                                                                              \
    static double get_##field##_cyc(const run_result *r)                                           \
    {                                                                                              \
        return cycles_of(lat(r).field, r->cpu_hz);                                                 \
    }
NS_GETTER(p50)
NS_GETTER(p90)
NS_GETTER(p99)
NS_GETTER(p999)
NS_GETTER(max)
#undef NS_GETTER

static double get_mean_ns(const run_result *r)
{
    return lat(r).mean / 1000.0;
}

#define EXIT_GETTER(name, idx)                                                                     \
    static double get_exit_##name(const run_result *r)                                             \
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

static double get_exit_total(const run_result *r)
{
    return per_irq(r->st.exits_total, &r->st);
}

static double pes_time(const run_result *r)
{
    return (double)r->st.sim_time * (double)gicsim_gic_num_pes(gicsim_system_gic(r->sys));
}

static double get_hyp_share(const run_result *r)
{
    double t = pes_time(r);
    return t > 0 ? 100.0 * (double)r->st.hyp_time / t : 0.0;
}

static double get_poll_share(const run_result *r)
{
    double t = pes_time(r);
    return t > 0 ? 100.0 * (double)r->st.halt_poll_time / t : 0.0;
}

#define COUNT_GETTER(field)                                                                        \
    static double get_##field(const run_result *r)                                                 \
    {                                                                                              \
        return (double)r->st.field;                                                                \
    }
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

static void print_table(const run_result *r, size_t n)
{
    printf("%-28s", "");
    for (size_t i = 0; i < n; i++)
        printf(" %18s", r[i].policy);
    putchar('\n');
    print_row("latency mean (ns)", r, n, ROW_NS, get_mean_ns);
    print_row("latency p50 (ns)", r, n, ROW_NS, get_p50_ns);
    print_row("latency p90 (ns)", r, n, ROW_NS, get_p90_ns);
    print_row("latency p99 (ns)", r, n, ROW_NS, get_p99_ns);
    print_row("latency p99.9 (ns)", r, n, ROW_NS, get_p999_ns);
    print_row("latency max (ns)", r, n, ROW_NS, get_max_ns);
    print_row("latency p50 (cpu cycles)", r, n, ROW_CYC, get_p50_cyc);
    print_row("latency p90 (cpu cycles)", r, n, ROW_CYC, get_p90_cyc);
    print_row("latency p99 (cpu cycles)", r, n, ROW_CYC, get_p99_cyc);
    print_row("latency p99.9 (cpu cycles)", r, n, ROW_CYC, get_p999_cyc);
    print_row("latency max (cpu cycles)", r, n, ROW_CYC, get_max_cyc);
    print_row("exits/irq: irq", r, n, ROW_RATIO, get_exit_irq);
    print_row("exits/irq: maintenance", r, n, ROW_RATIO, get_exit_maint);
    print_row("exits/irq: wfi", r, n, ROW_RATIO, get_exit_wfi);
    print_row("exits/irq: sgi-trap", r, n, ROW_RATIO, get_exit_sgi);
    print_row("exits/irq: mmio", r, n, ROW_RATIO, get_exit_mmio);
    print_row("exits/irq: hvc", r, n, ROW_RATIO, get_exit_hvc);
    print_row("exits/irq: total", r, n, ROW_RATIO, get_exit_total);
    print_row("VM exits", r, n, ROW_COUNT, get_exits_total);
    print_row("hypervisor time share", r, n, ROW_PCT, get_hyp_share);
    print_row("halt-poll time share", r, n, ROW_PCT, get_poll_share);
    print_row("doorbells", r, n, ROW_COUNT, get_doorbells);
    print_row("maintenance IRQs", r, n, ROW_COUNT, get_maintenance_irqs);
    print_row("LR spills", r, n, ROW_COUNT, get_lr_spills);
    print_row("kicks", r, n, ROW_COUNT, get_kicks);
    print_row("wake-ups", r, n, ROW_COUNT, get_wakeups);
    print_row("interrupts delivered", r, n, ROW_COUNT, get_delivered);
    print_row("merged", r, n, ROW_COUNT, get_merged);
    print_row("still pending", r, n, ROW_COUNT, get_pending);
}

static void print_sources(const run_ctx *rc, const run_result *r)
{
    printf("\n%-16s %10s %12s %12s %12s %12s %12s\n", "source", "delivered", "p50 (ns)", "p90 (ns)",
           "p99 (ns)", "p99.9 (ns)", "max (ns)");
    for (size_t i = 0; i < rc->n_src; i++) {
        gicsim_summary s;
        gicsim_histogram_summary(gicsim_system_latency(r->sys, (uint32_t)i), &s);
        printf("%-16s %10" PRIu64 " %12.1f %12.1f %12.1f %12.1f %12.1f\n", rc->src_names[i],
               s.count, s.p50 / 1e3, s.p90 / 1e3, s.p99 / 1e3, s.p999 / 1e3, s.max / 1e3);
    }
}

/* compare: each source's latency under each policy, one row per figure. */
static void print_source_table(const run_ctx *rc, const run_result *r, size_t n)
{
    static const char *const what[] = {"delivered", "p50 (ns)", "p90 (ns)", "p99 (ns)", "max (ns)"};
    printf("\n%-28s", "per source");
    for (size_t i = 0; i < n; i++)
        printf(" %18s", r[i].policy);
    putchar('\n');
    for (size_t src = 0; src < rc->n_src; src++) {
        for (size_t k = 0; k < sizeof what / sizeof what[0]; k++) {
            char label[96];
            snprintf(label, sizeof label, "%s: %s", rc->src_names[src], what[k]);
            printf("%-28s", label);
            for (size_t i = 0; i < n; i++) {
                gicsim_summary sm;
                gicsim_histogram_summary(gicsim_system_latency(r[i].sys, (uint32_t)src), &sm);
                uint64_t v = k == 0   ? sm.count
                             : k == 1 ? sm.p50
                             : k == 2 ? sm.p90
                             : k == 3 ? sm.p99
                                      : sm.max;
                if (k == 0)
                    printf(" %18" PRIu64, v);
                else
                    printf(" %18.1f", (double)v / 1e3);
            }
            putchar('\n');
        }
    }
}

/* ---- JSON and CDF across runs ---------------------------------------------------------- */

static int write_text(const char *path, const char *text)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f) {
        errorf("%s: %s", path, strerror(errno));
        return EX_CONFIG;
    }
    fputs(text, f);
    fputc('\n', f);
    if (f != stdout && fclose(f) != 0) {
        errorf("%s: %s", path, strerror(errno));
        return EX_SOFTWARE;
    }
    return EX_OK;
}

static int write_json(const run_ctx *rc, const run_result *r, size_t n, const char *path)
{
    if (n == 0) /* compare with no policy to run (a scenario without VMs) */
        return write_text(path, "{\"compare\":[]}");
    size_t cap = 1024, len = 0;
    char *doc = malloc(cap);
    int code = EX_OK;
    for (size_t i = 0; i < n && doc && code == EX_OK; i++) {
        gicsim_output_info info = {gicsim_scenario_name(rc->sc),
                                   r[i].policy,
                                   rc->resolved,
                                   rc->src_names,
                                   rc->n_src,
                                   rc->vm_names,
                                   rc->n_vms};
        char *one = NULL;
        if (gicsim_output_summary_json(r[i].sys, &info, &one) != GICSIM_OK) {
            code = EX_SOFTWARE;
            break;
        }
        if (n == 1) {
            free(doc);
            doc = one;
            len = strlen(one);
            break;
        }
        size_t need = len + strlen(one) + 64;
        if (need > cap) {
            cap = need * 2;
            char *nd = realloc(doc, cap);
            if (!nd) {
                free(one);
                code = EX_SOFTWARE;
                break;
            }
            doc = nd;
        }
        len += (size_t)sprintf(doc + len, "%s%s", i == 0 ? "{\"compare\":[" : ",", one);
        free(one);
    }
    if (!doc)
        return EX_SOFTWARE;
    if (code == EX_OK && n > 1)
        strcat(doc, "]}");
    if (code == EX_OK)
        code = write_text(path, doc);
    free(doc);
    return code;
}

/* run: the curve of all sources, then one per source (sources of different
 * kinds, a VM's timer and a bare-metal one, are not one distribution);
 * compare: one curve (all sources) per policy. */
static int write_cdf(const run_ctx *rc, const run_result *r, size_t n, const char *path)
{
    size_t m = n == 1 ? rc->n_src + 1 : n;
    const char **labels = calloc(m, sizeof *labels);
    const gicsim_histogram **h = calloc(m, sizeof *h);
    if (!labels || !h) {
        free(labels);
        free(h);
        return EX_SOFTWARE;
    }
    char title[256];
    if (n == 1) {
        labels[0] = "all sources";
        h[0] = gicsim_system_latency(r[0].sys, UINT32_MAX);
        for (size_t i = 0; i < rc->n_src; i++) {
            labels[i + 1] = rc->src_names[i];
            h[i + 1] = gicsim_system_latency(r[0].sys, (uint32_t)i);
        }
        snprintf(title, sizeof title, "%s (%s): delivery latency CDF", gicsim_scenario_name(rc->sc),
                 r[0].policy);
    } else {
        for (size_t i = 0; i < n; i++) {
            labels[i] = r[i].policy;
            h[i] = gicsim_system_latency(r[i].sys, UINT32_MAX);
        }
        snprintf(title, sizeof title, "%s: delivery latency CDF", gicsim_scenario_name(rc->sc));
    }
    int code = EX_OK;
    if (gicsim_output_cdf_svg(path, title, labels, h, m) != GICSIM_OK) {
        errorf("%s: cannot write the CDF", path);
        code = EX_CONFIG;
    }
    free(labels);
    free(h);
    return code;
}

/* ---- Commands ------------------------------------------------------------------------ */

static int load_platform(const char *name, gicsim_platform **out);
static int run_microbench(const gicsim_mb_config *cfg, const gicsim_platform *p,
                          const gicsim_mb_test *tests, size_t n, const char *json, bool check);

static int cmd_simulate(int argc, char **argv, bool compare)
{
    options o;
    memset(&o, 0, sizeof o);
    const char *pos[1];
    size_t npos;
    int code = parse_options(argc, argv, &o, pos, &npos, 1);
    if (code)
        return code;
    if (npos != 1) {
        errorf("%s needs a SCENARIO file", compare ? "compare" : "run");
        return EX_USAGE;
    }
    if (!compare && o.n_policies) {
        errorf("--policies is for compare");
        return EX_USAGE;
    }
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_scenario *sc = NULL;
    gicsim_status st = gicsim_scenario_load(pos[0], o.overrides, o.n_overrides, &sc, &diag);
    if (st != GICSIM_OK) {
        report_diag(&diag, st);
        return config_exit(st);
    }
    gicsim_mb_config mb;
    gicsim_mb_test mb_tests[GICSIM_MB__COUNT];
    size_t mb_n = 0;
    if (gicsim_scenario_microbench(sc, &mb, mb_tests, &mb_n)) {
        /* A micro-bench scenario: the benchmarks on its platform (with its
         * overrides), next to the preset's measured figures. */
        if (compare || o.n_policies || o.csv || o.perfetto || o.vcd || o.cdf || o.record) {
            errorf("%s is a micro-bench scenario: use 'gicsim run' with at most --json", pos[0]);
            gicsim_scenario_free(sc);
            return EX_USAGE;
        }
        gicsim_platform *p = NULL;
        code = load_platform(gicsim_scenario_platform_file(sc), &p);
        if (!code)
            code = run_microbench(&mb, p, mb_tests, mb_n, o.json, false);
        gicsim_platform_free(p);
        gicsim_scenario_free(sc);
        return code;
    }
    run_ctx rc = {.sc = sc, .o = &o, .compare = compare};
    char *resolved = NULL;
    if (gicsim_scenario_resolved_json(sc, &resolved) != GICSIM_OK) {
        gicsim_scenario_free(sc);
        return EX_SOFTWARE;
    }
    rc.resolved = resolved;
    rc.n_src = gicsim_scenario_source_count(sc);
    rc.n_vms = gicsim_scenario_vm_count(sc);
    rc.src_names = calloc(rc.n_src + 1, sizeof *rc.src_names);
    rc.vm_names = calloc(rc.n_vms + 1, sizeof *rc.vm_names);
    if (!rc.src_names || !rc.vm_names) {
        code = EX_SOFTWARE;
        goto out;
    }
    for (size_t i = 0; i < rc.n_src; i++)
        rc.src_names[i] = gicsim_scenario_source_name(sc, i);
    for (size_t i = 0; i < rc.n_vms; i++)
        rc.vm_names[i] = gicsim_scenario_vm_name(sc, i);

    const char *pols[MAX_POLICIES];
    size_t n = 0;
    if (!compare) {
        pols[n++] = NULL;
    } else if (o.n_policies) {
        for (size_t i = 0; i < o.n_policies; i++)
            pols[n++] = o.policies[i];
    } else {
        for (size_t i = 0; i < gicsim_scenario_policy_count(sc) && n < MAX_POLICIES; i++)
            pols[n++] = gicsim_scenario_policy(sc, i);
    }
    run_result res[MAX_POLICIES];
    memset(res, 0, sizeof res);
    for (size_t i = 0; i < n && code == EX_OK; i++) {
        code = simulate(&rc, pols[i], &res[i]);
        /* Cycles are CPU cycles of the scenario's platform. */
        if (res[i].sys)
            res[i].cpu_hz = gicsim_system_timing(res[i].sys)->clock_hz[GICSIM_CLK_CPU];
    }
    if (code == EX_OK) {
        printf("gicsim %s: %s, %.3f ms simulated\n\n", gicsim_version_string(),
               gicsim_scenario_name(sc), (double)gicsim_scenario_duration(sc) / 1e9);
        print_table(res, n);
        if (!compare)
            print_sources(&rc, &res[0]);
        else
            print_source_table(&rc, res, n);
        const char *json = output_path(&rc, "json", o.json);
        if (json)
            code = write_json(&rc, res, n, json);
        const char *cdf = output_path(&rc, "cdf", o.cdf);
        if (cdf && code == EX_OK)
            code = write_cdf(&rc, res, n, cdf);
    }
    for (size_t i = 0; i < n; i++)
        gicsim_system_destroy(res[i].sys);
out:
    free(rc.src_names);
    free(rc.vm_names);
    free(resolved);
    gicsim_scenario_free(sc);
    return code;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc == 0) {
        errorf("validate needs at least one FILE");
        return EX_USAGE;
    }
    int code = EX_OK;
    for (int i = 0; i < argc; i++) {
        gicsim_diag diag;
        memset(&diag, 0, sizeof diag);
        gicsim_status st;
        const char *kind = "scenario";
        gicsim_scenario *sc = NULL;
        gicsim_script *script = NULL;
        /* A top-level "script:" key makes a conformance script; a top-level
         * "costs:" or "clocks:" key (and no "vms:") a platform preset. */
        FILE *f = fopen(argv[i], "r");
        bool is_script = false, has_costs = false, has_vms = false;
        if (f) {
            char line[256];
            while (fgets(line, sizeof line, f)) {
                is_script |= !strncmp(line, "script:", 7);
                has_costs |= !strncmp(line, "costs:", 6) || !strncmp(line, "clocks:", 7);
                has_vms |= !strncmp(line, "vms:", 4);
            }
            fclose(f);
        }
        if (is_script) {
            kind = "script";
            st = gicsim_script_load(argv[i], &script, &diag);
            gicsim_script_free(script);
        } else if (has_costs && !has_vms) {
            kind = "platform";
            st = gicsim_platform_check(argv[i], &diag);
        } else {
            st = gicsim_scenario_load(argv[i], NULL, 0, &sc, &diag);
            gicsim_scenario_free(sc);
        }
        if (st != GICSIM_OK) {
            report_diag(&diag, st);
            code = config_exit(st);
        } else {
            printf("%s: valid %s\n", argv[i], kind);
        }
    }
    return code;
}

static int cmd_script(int argc, char **argv)
{
    if (argc == 0) {
        errorf("script needs at least one FILE");
        return EX_USAGE;
    }
    int code = EX_OK;
    for (int i = 0; i < argc; i++) {
        gicsim_diag diag;
        memset(&diag, 0, sizeof diag);
        gicsim_script *s = NULL;
        gicsim_status st = gicsim_script_load(argv[i], &s, &diag);
        if (st != GICSIM_OK) {
            report_diag(&diag, st);
            code = config_exit(st);
            continue;
        }
        gicsim_script_result r;
        memset(&r, 0, sizeof r);
        st = gicsim_script_run(s, &r);
        if (st == GICSIM_OK) {
            printf("%s: %zu steps passed\n", argv[i], r.steps_run);
        } else {
            fprintf(stderr, "%s: %s\n", argv[i], r.message);
            if (code == EX_OK)
                code = EX_FAIL;
        }
        gicsim_script_free(s);
    }
    return code;
}

/* ---- microbench and calibrate ---------------------------------------------------------- */

#define CHECK_TOLERANCE 0.10 /* --check and calibrate: a figure within 10% */

static int load_platform(const char *name, gicsim_platform **out)
{
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_status st = gicsim_platform_load(name, out, &diag);
    if (st != GICSIM_OK) {
        report_diag(&diag, st);
        return config_exit(st);
    }
    return EX_OK;
}

static void test_list(char *buf, size_t size)
{
    buf[0] = '\0';
    for (int t = 0; t < GICSIM_MB__COUNT; t++) {
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "%s%s", t ? ", " : "", gicsim_mb_test_name((gicsim_mb_test)t));
    }
}

/* "a,b,c" -> tests (distinct); EX_USAGE with a message on a bad name. */
static int parse_tests(char *list, gicsim_mb_test *tests, size_t *n)
{
    *n = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        gicsim_mb_test t;
        if (gicsim_mb_test_lookup(tok, &t) != GICSIM_OK) {
            char known[256];
            test_list(known, sizeof known);
            errorf("unknown test '%s' (known: %s)", tok, known);
            return EX_USAGE;
        }
        for (size_t k = 0; k < *n; k++)
            if (tests[k] == t) {
                errorf("test '%s' is listed twice", tok);
                return EX_USAGE;
            }
        tests[(*n)++] = t;
    }
    if (*n == 0) {
        errorf("--tests needs at least one test");
        return EX_USAGE;
    }
    return EX_OK;
}

/* "cost,cost" -> cost ids (distinct). */
static int parse_costs(char *list, gicsim_cost_id *ids, size_t *n)
{
    *n = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        gicsim_cost_id id;
        if (gicsim_cost_lookup(tok, &id) != GICSIM_OK) {
            errorf("unknown cost '%s' (the names of GICSIM_COST_LIST, docs/scenarios.md)", tok);
            return EX_USAGE;
        }
        for (size_t k = 0; k < *n; k++)
            if (ids[k] == id) {
                errorf("cost '%s' is listed twice", tok);
                return EX_USAGE;
            }
        ids[(*n)++] = id;
    }
    if (*n == 0) {
        errorf("--fit needs at least one cost");
        return EX_USAGE;
    }
    return EX_OK;
}

/* A failed gicsim_mb_run or gicsim_calibrate: a platform that cannot run a
 * test or a fit the figures cannot determine is configuration. */
static int mb_exit(gicsim_status st)
{
    return st == GICSIM_E_STATE || st == GICSIM_E_INVAL ? EX_CONFIG : EX_SOFTWARE;
}

/* A JSON string (UTF-8 passed through). */
static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A relative error in percent, with no "-0.0". */
static double pct(double rel)
{
    double p = 100.0 * rel;
    return fabs(p) < 0.05 ? 0.0 : p;
}

typedef struct mb_row {
    gicsim_mb_test test;
    gicsim_mb_result r;
    bool ran, has_meas;
    double meas, err; /* err: (simulated - measured) / measured */
    const char *role; /* "fitted", "predicted" or NULL */
} mb_row;

static int write_mb_json(const char *path, const gicsim_platform *p, uint32_t iterations,
                         const mb_row *rows, size_t n)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f) {
        errorf("%s: %s", path, strerror(errno));
        return EX_CONFIG;
    }
    fputs("{\n  \"platform\": ", f);
    json_str(f, gicsim_platform_name(p));
    fputs(",\n  \"file\": ", f);
    json_str(f, base_name(gicsim_platform_file(p)));
    fputs(",\n  \"reference\": ", f);
    json_str(f, gicsim_platform_reference(p));
    fprintf(f, ",\n  \"measured_count\": %zu,\n  \"predicts_count\": %zu,\n  \"iterations\": %u,\n",
            gicsim_platform_measured_count(p), gicsim_platform_predicts_count(p),
            (unsigned)iterations);
    fputs("  \"tests\": [", f);
    for (size_t i = 0; i < n; i++) {
        const mb_row *w = &rows[i];
        fputs(i ? ",\n    {\"test\": " : "\n    {\"test\": ", f);
        json_str(f, gicsim_mb_test_name(w->test));
        fprintf(f, ", \"simulated_ns\": %.3f, \"min_ns\": %.3f, \"max_ns\": %.3f", w->r.value_ns,
                w->r.min_ns, w->r.max_ns);
        fprintf(f, ", \"iterations\": %" PRIu64 ", \"exits\": %" PRIu64, w->r.iterations,
                w->r.exits);
        if (w->has_meas)
            fprintf(f, ", \"measured_ns\": %.3f, \"error_pct\": %.3f", w->meas, 100.0 * w->err);
        else
            fputs(", \"measured_ns\": null, \"error_pct\": null", f);
        fputs(", \"role\": ", f);
        json_str(f, w->role);
        fputs("}", f);
    }
    fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
    if (f != stdout && fclose(f) != 0) {
        errorf("%s: %s", path, strerror(errno));
        return EX_SOFTWARE;
    }
    return EX_OK;
}

static int cmd_microbench(int argc, char **argv)
{
    const char *platform = "generic", *json = NULL;
    char *tests_arg = NULL;
    uint32_t iterations = 0;
    bool check = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check")) {
            check = true;
            continue;
        }
        if (strcmp(a, "--platform") && strcmp(a, "--tests") && strcmp(a, "--iterations") &&
            strcmp(a, "--json")) {
            errorf(a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
            return EX_USAGE;
        }
        if (i + 1 >= argc) {
            errorf("%s needs a value", a);
            return EX_USAGE;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--platform")) {
            platform = v;
        } else if (!strcmp(a, "--tests")) {
            tests_arg = argv[i];
        } else if (!strcmp(a, "--json")) {
            json = v;
        } else {
            char *end;
            errno = 0;
            unsigned long n = strtoul(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || errno || n == 0 || n > 10000000ul) {
                errorf("--iterations needs a count from 1 to 10000000, got '%s'", v);
                return EX_USAGE;
            }
            iterations = (uint32_t)n;
        }
    }
    gicsim_mb_test tests[GICSIM_MB__COUNT];
    size_t n = 0;
    if (tests_arg) {
        int rc = parse_tests(tests_arg, tests, &n);
        if (rc)
            return rc;
    } else {
        for (int t = 0; t < GICSIM_MB__COUNT; t++)
            tests[n++] = (gicsim_mb_test)t;
    }
    gicsim_platform *p = NULL;
    int code = load_platform(platform, &p);
    if (code)
        return code;
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(p, &cfg);
    cfg.iterations = iterations;
    code = run_microbench(&cfg, p, tests, n, json, check);
    gicsim_platform_free(p);
    return code;
}

/* Simulate `tests` with `cfg` and print them next to the preset `p`'s
 * measured figures; --check and --json as for the microbench command. */
static int run_microbench(const gicsim_mb_config *cfg, const gicsim_platform *p,
                          const gicsim_mb_test *tests, size_t n, const char *json, bool check)
{
    int code = EX_OK;
    uint32_t iterations = cfg->iterations;
    printf("%s: fitted to %zu measured values, predicts %zu\n", gicsim_platform_name(p),
           gicsim_platform_measured_count(p), gicsim_platform_predicts_count(p));
    if (gicsim_platform_reference(p))
        printf("reference: %s\n", gicsim_platform_reference(p));
    printf("\n%-16s %14s %14s %9s  %s\n", "test", "simulated (ns)", "measured (ns)", "error",
           "role");
    mb_row rows[GICSIM_MB__COUNT];
    memset(rows, 0, sizeof rows);
    for (size_t i = 0; i < n && code == EX_OK; i++) {
        mb_row *w = &rows[i];
        w->test = tests[i];
        gicsim_status st = gicsim_mb_run(cfg, w->test, &w->r);
        if (st != GICSIM_OK) {
            errorf("%s: the simulated test did not complete: %s", gicsim_mb_test_name(w->test),
                   gicsim_strerror(st));
            code = mb_exit(st);
            break;
        }
        w->ran = true;
        w->has_meas = gicsim_platform_find_measured(p, w->test, &w->meas);
        w->err = w->has_meas ? (w->r.value_ns - w->meas) / w->meas : 0.0;
        w->role = w->has_meas                                ? "fitted"
                  : gicsim_platform_is_predicted(p, w->test) ? "predicted"
                                                             : NULL;
        char meas[32] = "-", err[32] = "-";
        if (w->has_meas) {
            snprintf(meas, sizeof meas, "%.1f", w->meas);
            snprintf(err, sizeof err, "%+.1f%%", pct(w->err));
        }
        printf("%-16s %14.1f %14s %9s  %s\n", gicsim_mb_test_name(w->test), w->r.value_ns, meas,
               err, w->role ? w->role : "-");
    }
    if (code == EX_OK && check) {
        size_t n_meas = 0, n_off = 0;
        fflush(stdout); /* the table before the complaints */
        for (size_t i = 0; i < n; i++) {
            if (!rows[i].has_meas)
                continue;
            n_meas++;
            if (fabs(rows[i].err) > CHECK_TOLERANCE) {
                n_off++;
                errorf("check: %s: simulated %.1f ns, measured %.1f ns (%+.1f%%): off by more "
                       "than %.0f%%",
                       gicsim_mb_test_name(rows[i].test), rows[i].r.value_ns, rows[i].meas,
                       pct(rows[i].err), 100.0 * CHECK_TOLERANCE);
            }
        }
        if (n_off)
            code = EX_FAIL;
        else
            printf("\ncheck: %zu measured value%s within %.0f%%\n", n_meas, n_meas == 1 ? "" : "s",
                   100.0 * CHECK_TOLERANCE);
    }
    if (code == EX_OK || code == EX_FAIL) {
        if (json) {
            int jc = write_mb_json(json, p, iterations, rows, n);
            if (jc)
                code = jc;
        }
    }
    for (size_t i = 0; i < n; i++)
        gicsim_mb_result_free(&rows[i].r);
    return code;
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

/* The fitted preset: every clock and cost, and the calibration block. */
static void write_preset(FILE *f, const char *name, const gicsim_platform *base, bool vhe,
                         const char *measured_path, const gicsim_calib_measured *m,
                         const gicsim_calib_result *res)
{
    char num[64];
    fprintf(f,
            "# Written by gicsim calibrate: the costs of `fitted` fitted to the `measured`\n"
            "# figures, every other value as in the base preset %s.\n",
            gicsim_platform_name(base));
    fputs("name: ", f);
    yaml_str(f, name);
    fputs("\ndescription: ", f);
    char desc[1100];
    snprintf(desc, sizeof desc, "%s%sfitted by gicsim calibrate from %s to %zu measured values",
             m->description, m->description[0] ? "; " : "", gicsim_platform_name(base), m->n);
    yaml_str(f, desc);
    fprintf(f, "\nvhe: %s\nclocks:\n", vhe ? "true" : "false");
    for (int d = 0; d < GICSIM_CLK__COUNT; d++) {
        fmt_hz(num, sizeof num, res->timing.clock_hz[d]);
        fprintf(f, "  %s: %s\n", gicsim_clock_name((gicsim_clock_domain)d), num);
    }
    fputs("costs:\n", f);
    for (int c = 0; c < GICSIM_COST__COUNT; c++) {
        bool fitted = false;
        for (size_t j = 0; j < res->n_fit; j++)
            fitted |= res->fit[j] == (gicsim_cost_id)c;
        fprintf(f, "  # %s [%s cycles]\n  %s: %" PRIu64 "%s\n",
                gicsim_cost_description((gicsim_cost_id)c),
                gicsim_clock_name(gicsim_cost_domain((gicsim_cost_id)c)),
                gicsim_cost_name((gicsim_cost_id)c), res->timing.cycles[c],
                fitted ? "  # fitted" : "");
    }
    fputs("reference: ", f);
    if (m->reference[0]) {
        yaml_str(f, m->reference);
    } else {
        char ref[600];
        snprintf(ref, sizeof ref, "%s: %s",
                 m->kvm_unit_tests ? "kvm-unit-tests arm/micro-bench" : "measured figures",
                 base_name(measured_path));
        yaml_str(f, ref);
    }
    fputs("\nmeasured:\n", f);
    for (size_t i = 0; i < m->n; i++) {
        fmt_double(num, sizeof num, m->ns[i]);
        fprintf(f, "  %s: %s\n", gicsim_mb_test_name(m->test[i]), num);
    }
    fputs("fitted: [", f);
    for (size_t j = 0; j < res->n_fit; j++)
        fprintf(f, "%s%s", j ? ", " : "", gicsim_cost_name(res->fit[j]));
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
}

static int cmd_calibrate(int argc, char **argv)
{
    const char *measured = NULL, *platform = NULL, *out = NULL, *name = NULL;
    char *fit_arg = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool known = !strcmp(a, "--platform") || !strcmp(a, "--fit") || !strcmp(a, "-o") ||
                     !strcmp(a, "--output") || !strcmp(a, "--name");
        if (!known) {
            if (a[0] == '-' && a[1]) {
                errorf("unknown option '%s'", a);
                return EX_USAGE;
            }
            if (measured) {
                errorf("unexpected argument '%s'", a);
                return EX_USAGE;
            }
            measured = a;
            continue;
        }
        if (i + 1 >= argc) {
            errorf("%s needs a value", a);
            return EX_USAGE;
        }
        if (!strcmp(a, "--platform"))
            platform = argv[++i];
        else if (!strcmp(a, "--fit"))
            fit_arg = argv[++i];
        else if (!strcmp(a, "--name"))
            name = argv[++i];
        else
            out = argv[++i];
    }
    if (!measured || !platform) {
        errorf("calibrate needs a MEASURED file and --platform BASE");
        return EX_USAGE;
    }
    gicsim_cost_id fit[GICSIM_COST__COUNT];
    size_t n_fit = 0;
    if (fit_arg) {
        int rc = parse_costs(fit_arg, fit, &n_fit);
        if (rc)
            return rc;
    }
    /* The preset's name must be its file name without ".yaml". */
    char namebuf[256];
    if (out && strcmp(out, "-")) {
        const char *b = base_name(out);
        size_t l = strlen(b);
        if (l <= 5 || strcmp(b + l - 5, ".yaml")) {
            errorf("-o: a preset file is named NAME.yaml, got '%s'", out);
            return EX_USAGE;
        }
        snprintf(namebuf, sizeof namebuf, "%.*s", (int)(l - 5 < 255 ? l - 5 : 255), b);
        if (name && strcmp(name, namebuf)) {
            errorf("--name %s does not match the output file %s (a preset's name is its file "
                   "name)",
                   name, b);
            return EX_USAGE;
        }
        name = namebuf;
    }

    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_calib_measured m;
    gicsim_status st = gicsim_calib_measured_load(measured, &m, &diag);
    if (st != GICSIM_OK) {
        report_diag(&diag, st);
        return st == GICSIM_E_NOMEM ? EX_SOFTWARE : EX_DATAERR;
    }
    if (m.n_ignored)
        errorf("%s: ignored %zu result line%s of tests gicsim does not model", measured,
               m.n_ignored, m.n_ignored == 1 ? "" : "s");
    gicsim_platform *base = NULL;
    int code = load_platform(platform, &base);
    if (code)
        return code;
    if (!name) {
        snprintf(namebuf, sizeof namebuf, "%.200s-calibrated", gicsim_platform_name(base));
        name = namebuf;
    }
    if (!valid_preset_name(name)) {
        errorf("invalid preset name '%s' (letters, digits, '-', '_', '.')", name);
        gicsim_platform_free(base);
        return EX_USAGE;
    }
    gicsim_mb_config cfg;
    gicsim_platform_mb_config(base, &cfg);
    /* The measured machine's own facts override the base's. */
    if (m.has_vhe)
        cfg.vhe = m.vhe;
    for (int d = 0; d < GICSIM_CLK__COUNT; d++)
        if (m.has_clock[d])
            cfg.timing.clock_hz[d] = m.clock_hz[d];
    gicsim_calib_result *res = malloc(sizeof *res);
    if (!res) {
        gicsim_platform_free(base);
        return EX_SOFTWARE;
    }
    st = gicsim_calibrate(&cfg, m.test, m.ns, m.n, n_fit ? fit : NULL, n_fit, res);
    if (st != GICSIM_OK) {
        errorf("calibrate: %s", res->message[0] ? res->message : gicsim_strerror(st));
        free(res);
        gicsim_platform_free(base);
        return mb_exit(st);
    }

    FILE *f = out && strcmp(out, "-") ? fopen(out, "w") : stdout;
    if (!f) {
        errorf("%s: %s", out, strerror(errno));
        code = EX_CONFIG;
    } else {
        write_preset(f, name, base, cfg.vhe, measured, &m, res);
        if (f != stdout && fclose(f) != 0) {
            errorf("%s: %s", out, strerror(errno));
            code = EX_SOFTWARE;
        }
    }

    fprintf(stderr,
            "%s: %s: fitted %zu cost%s to %zu measured value%s from %s in %u iteration%s%s\n", prog,
            name, res->n_fit, res->n_fit == 1 ? "" : "s", m.n, m.n == 1 ? "" : "s",
            gicsim_platform_name(base), res->iterations, res->iterations == 1 ? "" : "s",
            res->converged ? "" : " (not converged)");
    fprintf(stderr, "\n%-18s %12s %12s\n", "cost", "base cycles", "fitted");
    for (size_t j = 0; j < res->n_fit; j++)
        fprintf(stderr, "%-18s %12" PRIu64 " %12" PRIu64 "\n", gicsim_cost_name(res->fit[j]),
                gicsim_platform_timing(base)->cycles[res->fit[j]], res->timing.cycles[res->fit[j]]);
    fprintf(stderr, "\n%-18s %14s %14s %9s\n", "test", "measured (ns)", "simulated (ns)",
            "residual");
    for (size_t i = 0; i < m.n; i++)
        fprintf(stderr, "%-18s %14.1f %14.1f %+8.1f%%\n", gicsim_mb_test_name(m.test[i]), m.ns[i],
                res->simulated_ns[i], pct(res->rel_error[i]));
    if (code == EX_OK && res->max_abs_rel_error > CHECK_TOLERANCE) {
        for (size_t i = 0; i < m.n; i++)
            if (fabs(res->rel_error[i]) > CHECK_TOLERANCE)
                errorf("calibrate: %s is off by %+.1f%%: more than %.0f%%; fit other costs "
                       "(--fit) or start from another base",
                       gicsim_mb_test_name(m.test[i]), pct(res->rel_error[i]),
                       100.0 * CHECK_TOLERANCE);
        code = EX_FAIL;
    }
    free(res);
    gicsim_platform_free(base);
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EX_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EX_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("gicsim %s\n", gicsim_version_string());
        return EX_OK;
    }
    if (!strcmp(cmd, "run"))
        return cmd_simulate(argc - 2, argv + 2, false);
    if (!strcmp(cmd, "compare"))
        return cmd_simulate(argc - 2, argv + 2, true);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 2, argv + 2);
    if (!strcmp(cmd, "script"))
        return cmd_script(argc - 2, argv + 2);
    if (!strcmp(cmd, "microbench"))
        return cmd_microbench(argc - 2, argv + 2);
    if (!strcmp(cmd, "calibrate"))
        return cmd_calibrate(argc - 2, argv + 2);
    errorf("unknown command '%s' (try --help)", cmd);
    return EX_USAGE;
}
