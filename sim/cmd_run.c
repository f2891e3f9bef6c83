/* gicsim run SCENARIO: run a scenario, print a summary table (one column)
 * and each source's latency; gicsim compare SCENARIO: the same scenario
 * under each policy, side by side. Both write the --json, --csv, --perfetto,
 * --vcd and --cdf outputs (run also --record) and those of the scenario's
 * outputs: section; a micro-bench scenario is run as gicsim microbench on
 * its platform (cli_microbench_report). */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- Option parsing ------------------------------------------------------------------ */

static int split_policies(options *o, char *list)
{
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (o->n_policies == MAX_POLICIES)
            return cli_usage_error("at most %d policies", MAX_POLICIES);
        if (!gicsim_hyp_policy_find(tok))
            return cli_usage_error("unknown policy '%s'", tok);
        o->policies[o->n_policies++] = tok;
    }
    return EX_OK;
}

/* Parses options after the subcommand; positional arguments are collected
 * into pos (at most maxpos). Returns an exit code (EX_OK to continue). */
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
            const char *kv = cli_option_value(argc, argv, &i, "KEY=VALUE");
            if (!kv)
                return EX_USAGE;
            if (!strchr(kv, '='))
                return cli_usage_error("%s needs KEY=VALUE", a);
            if (o->n_overrides == MAX_OVERRIDES)
                return cli_usage_error("too many overrides");
            o->overrides[o->n_overrides++] = kv;
            continue;
        }
        if (!strcmp(a, "--policies")) {
            char *list = cli_option_value(argc, argv, &i, "a list");
            if (!list)
                return EX_USAGE;
            int rc = split_policies(o, list);
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
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_usage_error("unknown option '%s'", a);
        if (*npos == maxpos)
            return cli_usage_error("unexpected argument '%s'", a);
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
    const char *base = cli_base_name(path);
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
    fprintf(stderr, "\r%s: %-20s %5.1f%%  %.3f / %.3f ms simulated", cli_prog, policy,
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
        cli_report_diag(&diag, st);
        return cli_config_exit(st);
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
            cli_errorf("too many trace files");
            rcode = EX_CONFIG;
            break;
        }
        trace_paths[n_readers] = path;
        st = gicsim_trace_open(path, &readers[n_readers]);
        if (st != GICSIM_OK) {
            cli_errorf("%s: cannot read trace: %s", path, strerror(errno));
            rcode = EX_DATAERR;
            break;
        }
        st = gicsim_trace_replay_attach(sys, readers[n_readers], rc->src_names, rc->n_src,
                                        &replays[n_readers]);
        if (st != GICSIM_OK) {
            cli_errorf("%s: %s", path, gicsim_strerror(st));
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
            cli_errorf("%s: cannot record: %s", rc->o->record, gicsim_strerror(st));
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
            cli_errorf("%s: %s", ao->path, gicsim_strerror(st));
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
            cli_errorf("internal error: %s", why);
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
            cli_errorf("%s: %s", outs[k].path, gicsim_strerror(st));
            rcode = EX_SOFTWARE;
        }
        free(outs[k].path);
    }
    if (tw) {
        st = gicsim_trace_finish(tw);
        if ((st != GICSIM_OK || (trec && gicsim_trace_recorder_status(trec) != GICSIM_OK)) &&
            rcode == EX_OK) {
            cli_errorf("%s: writing the trace failed", rc->o->record);
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
    FILE *f = cli_open_output(path);
    if (!f)
        return EX_CONFIG;
    fputs(text, f);
    fputc('\n', f);
    return cli_close_output(f, path);
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
        cli_errorf("%s: cannot write the CDF", path);
        code = EX_CONFIG;
    }
    free(labels);
    free(h);
    return code;
}

/* ---- The commands ---------------------------------------------------------------------- */

/* run (compare false) or compare. */
static int simulate_command(int argc, char **argv, bool compare)
{
    options o;
    memset(&o, 0, sizeof o);
    const char *pos[1] = {NULL};
    size_t npos;
    int code = parse_options(argc, argv, &o, pos, &npos, 1);
    if (code)
        return code;
    if (npos != 1)
        return cli_usage_error("%s needs a SCENARIO file", compare ? "compare" : "run");
    if (!compare && o.n_policies)
        return cli_usage_error("--policies is for compare");
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_scenario *sc = NULL;
    gicsim_status st = gicsim_scenario_load(pos[0], o.overrides, o.n_overrides, &sc, &diag);
    if (st != GICSIM_OK) {
        cli_report_diag(&diag, st);
        return cli_config_exit(st);
    }
    gicsim_mb_config mb;
    gicsim_mb_test mb_tests[GICSIM_MB__COUNT];
    size_t mb_n = 0;
    if (gicsim_scenario_microbench(sc, &mb, mb_tests, &mb_n)) {
        /* A micro-bench scenario: the benchmarks on its platform (with its
         * overrides), next to the preset's measured figures. */
        if (compare || o.n_policies || o.csv || o.perfetto || o.vcd || o.cdf || o.record) {
            cli_errorf("%s is a micro-bench scenario: use 'gicsim run' with at most --json",
                       pos[0]);
            gicsim_scenario_free(sc);
            return EX_USAGE;
        }
        gicsim_platform *p = NULL;
        code = cli_load_platform(gicsim_scenario_platform_file(sc), &p);
        if (!code)
            code = cli_microbench_report(&mb, p, mb_tests, mb_n, o.json, false);
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

int cmd_run(int argc, char **argv)
{
    return simulate_command(argc, argv, false);
}

int cmd_compare(int argc, char **argv)
{
    return simulate_command(argc, argv, true);
}
