/* gicsim: the command-line front end.
 *
 *   gicsim run SCENARIO [options]         run a scenario, print a summary table
 *   gicsim compare SCENARIO [options]     run it under each policy, side by side
 *   gicsim validate FILE...               check scenario/platform/script files
 *   gicsim script FILE...                 run register-level conformance scripts
 *
 * Data goes to stdout, diagnostics to stderr. Exit codes follow sysexits:
 * 0 success, 64 usage error, 65 bad input data (a trace), 70 internal error,
 * 78 bad configuration; a failed conformance expectation exits 1.
 */
#include <gicsim/gicsim.h>

#include <errno.h>
#include <inttypes.h>
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
        "       gicsim --help | --version\n"
        "\n"
        "options:\n"
        "  -p, --set KEY=VALUE   override a scenario key (e.g. -p gic.pes=8, -p run.duration=5ms)\n"
        "  --policies LIST       compare: comma-separated policies (default: run.policies)\n"
        "  --json FILE           summary as JSON, with the resolved configuration ('-': stdout)\n"
        "  --csv FILE            per-interrupt records (gzip when FILE ends in .gz)\n"
        "  --perfetto FILE       timeline for Perfetto / chrome://tracing\n"
        "  --vcd FILE            interrupt and IRQ lines as a VCD (GTKWave)\n"
        "  --cdf FILE            latency CDF as SVG (compare: one curve per policy)\n"
        "  --record FILE         run: record the sources' arrivals as a trace (.gz: gzip)\n"
        "  -q, --quiet           no progress line\n"
        "\n"
        "Outputs named in the scenario's outputs: section are written too. With compare,\n"
        "per-run files get the policy inserted before the extension (out.eoi-split.csv).\n"
        "exit codes: 0 ok, 1 script expectation failed, 64 usage, 65 bad trace data,\n"
        "70 internal error, 78 bad configuration.\n");
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

static double per_irq(uint64_t n, const gicsim_system_stats *st)
{
    return st->delivered ? (double)n / (double)st->delivered : 0.0;
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

static int write_cdf(const run_ctx *rc, const run_result *r, size_t n, const char *path)
{
    const char *labels[MAX_POLICIES];
    const gicsim_histogram *h[MAX_POLICIES];
    for (size_t i = 0; i < n; i++) {
        labels[i] = r[i].policy;
        h[i] = gicsim_system_latency(r[i].sys, UINT32_MAX);
    }
    char title[256];
    snprintf(title, sizeof title, "%s: delivery latency CDF", gicsim_scenario_name(rc->sc));
    if (gicsim_output_cdf_svg(path, title, labels, h, n) != GICSIM_OK) {
        errorf("%s: cannot write the CDF", path);
        return EX_CONFIG;
    }
    return EX_OK;
}

/* ---- Commands ------------------------------------------------------------------------ */

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
    errorf("unknown command '%s' (try --help)", cmd);
    return EX_USAGE;
}
