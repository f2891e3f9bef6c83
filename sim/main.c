/* gicsim: the command-line front end. main() dispatches to the subcommand
 * named by its first argument (the table below, one cmd_NAME per
 * sim/cmd_*.c); --help prints the usage text, whose synopsis lines come from
 * the same table. Exit codes: cli.h. */
#include "cli.h"

#include <string.h>

typedef struct command {
    const char *name;
    /* The arguments after "gicsim NAME" in the usage text; a '\n' continues
     * them on a line indented under their start. */
    const char *synopsis;
    const char *description; /* one line */
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"run", "SCENARIO [options]", "run a scenario, print a summary table", cmd_run},
    {"compare", "SCENARIO [--policies a,b,c] [options]",
     "run a scenario under each policy, side by side", cmd_compare},
    {"validate", "FILE...", "check scenario, platform and script files", cmd_validate},
    {"script", "FILE...", "run register-level conformance scripts", cmd_script},
    {"microbench",
     "[--platform NAME|FILE] [--tests a,b,...] [--iterations N]\n[--json FILE] [--check]",
     "simulate the calibration micro-benchmarks", cmd_microbench},
    {"calibrate",
     "MEASURED --platform NAME|FILE [--fit cost,cost,...]\n[-o OUT.yaml] [--name NAME]",
     "fit a preset's costs to measured figures", cmd_calibrate},
    {"sweep",
     "SPEC -o DIR [-j N] [--resume] [--shard K/N] [--run ID] [--list]\n"
     "[--emit-slurm FILE [--shards N]] [-q]\nor: sweep merge DIR... -o OUT",
     "run a parameter sweep (docs/sweeps.md); merge shard directories", cmd_sweep},
    {"plot",
     "DIR|SUMMARY.csv --x COLUMN --y METRIC[,METRIC] [--by COLUMN]\n"
     "[--source NAME] [--where COLUMN=VALUE]... [--log-x] [--log-y] [--no-ci]\n"
     "[--title T] [--xlabel L] [--ylabel L] [--width W] [--height H]\n[--font-size F] -o FIG.svg",
     "plot a sweep's summary: lines with 95% confidence bands", cmd_plot},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* The options of run and compare, and what the synopses do not say. */
static const char usage_details[] =
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
    "--check fails when one is off by more than 10%. calibrate fits the costs of --fit\n"
    "(default: one per measured test) to MEASURED (a kvm-unit-tests micro-bench log, or\n"
    "YAML {reference: ..., measured: {TEST: NS}}) and writes the resulting preset.\n"
    "sweep runs every run of a sweep spec (a scenario, axes, policies, replications) in -j\n"
    "worker processes into DIR: plan.csv, runs/ID.json, results.csv and summary.csv (mean\n"
    "and 95% CI over replications); plot draws a summary's curves (docs/sweeps.md).\n"
    "exit codes: 0 ok, 1 script expectation failed / check failed / fit off by > 10% /\n"
    "a sweep's run failed,\n"
    "64 usage, 65 bad trace or measured data, 70 internal error, 78 bad configuration.\n";

static void usage(FILE *f)
{
    static const char lead[] = "usage: gicsim ";
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const command *c = &commands[i];
        int indent = (int)(sizeof lead - 1 + strlen(c->name) + 1);
        fprintf(f, "%s%s ", i ? "       gicsim " : lead, c->name);
        const char *s = c->synopsis;
        for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1)
            fprintf(f, "%.*s\n%*s", (int)(nl - s), s, indent, "");
        fprintf(f, "%s\n", s);
    }
    fprintf(f, "       gicsim --help | --version\n\n%s", usage_details);
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
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 2, argv + 2);
    cli_errorf("unknown command '%s' (try --help)", cmd);
    return EX_USAGE;
}
