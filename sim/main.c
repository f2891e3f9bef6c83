/* gicsim: the command-line front end. main() dispatches to the subcommand
 * named by its first argument (the table below, one cmd_NAME per
 * sim/cmd_*.c). `gicsim --help` prints the usage text, whose synopsis lines
 * come from the same table; `gicsim help CMD` and `gicsim CMD --help` print
 * one command's synopsis and options. Standard output is checked after
 * every command (a failed write is exit 74). Exit codes: cli.h. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    /* The arguments after "gicsim NAME" in the usage text; a '\n' continues
     * them on a line indented under their start. */
    const char *synopsis;
    const char *description; /* one line */
    const char *options;     /* `gicsim NAME --help`: options and notes */
    int (*run)(int argc, char **argv);
} command;

/* The options run and compare share. */
#define SIMULATE_OPTIONS                                                                           \
    "  -p, --set KEY=VALUE   override a scenario key (-p gic.pes=8, -p run.duration=5ms,\n"        \
    "                        -p 'vms.0={name: vm0, vcpus: 2}'); repeatable\n"                      \
    "  --json FILE           summary as JSON with the resolved configuration ('-': standard\n"     \
    "                        output, which then holds only the JSON: the table goes to stderr)\n"  \
    "  --csv FILE            per-interrupt records (gzip when FILE ends in .gz)\n"                 \
    "  --perfetto FILE       timeline for ui.perfetto.dev / chrome://tracing\n"                    \
    "  --vcd FILE            interrupt lines and LPI/vLPI/MSI events as a VCD (GTKWave)\n"         \
    "  --intervals           opt-in, on a calibrated preset (gicsim list platforms): an\n"         \
    "                        interval for latency mean, p50, p99 and exits/irq, from the\n"        \
    "                        preset's measured figures (docs/calibration.md); costs\n"             \
    "                        (free costs + 1) runs per policy, and one more per cost the\n"        \
    "                        metrics depend on (at most 2 x free costs + 1): the costs'\n"         \
    "                        uncertainty. With run.replications N (-p run.replications=N),\n"      \
    "                        each policy runs N times with derived seeds and each row is\n"        \
    "                        the mean with its 95% CI: the run-to-run noise (compare says\n"       \
    "                        which differences are within it)\n"                                   \
    "  -q, --quiet           no progress line\n"                                                   \
    "  -h, --help            this text\n"

#define OUTPUT_NOTES                                                                               \
    "Outputs named in the scenario's outputs: section are written too. Every output is\n"          \
    "created before the simulation starts and written under a temporary name that is\n"            \
    "renamed into place only when the command succeeds: a failed run leaves none behind.\n"

static const command commands[] = {
    {"run", "SCENARIO [options]", "run a scenario, print a summary table",
     "Runs the scenario (each VM under its own policy) and prints the summary table and\n"
     "each source's latency. A micro-bench scenario (top-level microbench:) runs like\n"
     "gicsim microbench on its platform and takes only --json and --intervals.\n\n"
     "options:\n" SIMULATE_OPTIONS
     "  --cdf FILE            latency CDF as SVG: all sources, then one curve per source\n"
     "  --record FILE         the sources' arrivals as a trace (.gz: gzip), for arrival kind\n"
     "                        trace\n\n" OUTPUT_NOTES,
     cmd_run},
    {"compare", "SCENARIO [--policies a,b,c] [options]",
     "run a scenario under each policy, side by side",
     "Runs the scenario once per policy (every VM under it), one column each. A policy the\n"
     "scenario's GIC cannot run is skipped, with the reason; none left is exit 78.\n\n"
     "options:\n"
     "  --policies LIST       comma-separated policies (default: run.policies, else the\n"
     "                        VMs' own); gicsim list policies names them\n" SIMULATE_OPTIONS
     "  --cdf FILE            latency CDF as SVG, one curve per policy\n\n" OUTPUT_NOTES
     "The per-run files (--csv, --perfetto, --vcd) get the policy inserted before the\n"
     "extension (out.eoi-split.csv); the CSV files start with a policy column.\n",
     cmd_compare},
    {"validate", "FILE...", "check scenario, platform, script and measured files",
     "Loads each file with the loader the other commands use for its kind, which comes\n"
     "from the document's top-level keys (docs/scenarios.md), and prints\n"
     "\"FILE: valid KIND\" or the first error as FILE:LINE:COLUMN: KEY: MESSAGE.\n",
     cmd_validate},
    {"script", "[--all] FILE...", "run register-level conformance scripts",
     "Runs each script on a fresh GIC: \"FILE: N steps passed\", or the failed step\n"
     "(exit 1).\n\n"
     "options:\n"
     "  --all                 run every step and report each failed one, then a count\n"
     "  -h, --help            this text\n",
     cmd_script},
    {"microbench",
     "[--platform NAME|FILE] [--tests a,b,...] [--iterations N]\n[--json FILE] [--check]",
     "simulate the calibration micro-benchmarks",
     "Simulates kvm-unit-tests arm/micro-bench and seed 004's timer test on a platform\n"
     "preset and compares with the figures it was calibrated to, with each test's\n"
     "interval on a calibrated preset (docs/calibration.md). More vCPUs, a GICv4 host or\n"
     "another KVM: the micro-bench scenario (gicsim run configs/microbench/micro-bench.yaml\n"
     "-p microbench.vcpus=64 -p microbench.gic=v4.1 -p platform_overrides.kvm=...).\n\n"
     "options:\n"
     "  --platform NAME|FILE  the preset (default generic); gicsim list platforms\n"
     "  --tests LIST          comma-separated tests (default all); gicsim list tests\n"
     "  --iterations N        iterations per test, 1..10000000\n"
     "  --json FILE           the rows as JSON ('-': standard output, the table to stderr)\n"
     "  --check               exit 1 when a measured figure is off by more than 10% (or\n"
     "                        its stated uncertainty, when larger)\n"
     "  -h, --help            this text\n",
     cmd_microbench},
    {"calibrate",
     "MEASURED --platform NAME|FILE [--fit cost,cost,...] [--no-priors]\n"
     "[--normal-priors] [--uncertainty P%] [--cross-validate] [--json FILE]\n"
     "[--spread PARAM,...] [-o OUT.yaml] [--name NAME]",
     "fit a preset's costs to measured figures",
     "Fits the costs so that the simulated micro-benchmarks match MEASURED (a\n"
     "kvm-unit-tests micro-bench log, or YAML {reference: ..., measured: {TEST: NS}}) and\n"
     "writes the base preset with those costs. By default a MAP fit of every cost (or\n"
     "the --fit subset) with priors from the cost table's plausible ranges (log-normal\n"
     "where the range starts above 0); --no-priors fits --fit exactly (default: one cost\n"
     "per measured test). The report (figures with intervals, which costs the figures\n"
     "determine) goes to standard error. Exit 1 when a figure stays off by more than\n"
     "10% or its uncertainty (docs/calibration.md). When figures give percentiles or\n"
     "runs, the spread parameters (--spread, else the file's spread_fit) are fitted to\n"
     "them, then the costs again.\n\n"
     "options:\n"
     "  --platform NAME|FILE  the base preset (the priors' centres)\n"
     "  --fit LIST            comma-separated costs to fit; gicsim list costs\n"
     "  --no-priors           the exact fit of --fit\n"
     "  --normal-priors       every prior Gaussian in cycles\n"
     "  --uncertainty P%      the figures' uncertainty unless stated (default: the file's,\n"
     "                        else 3%)\n"
     "  --cross-validate      predict each figure from the others: the table on standard\n"
     "                        output, exit 0; the preset only with -o\n"
     "  --json FILE           the report as JSON\n"
     "  --spread LIST         variation parameters to fit to the figures' percentiles and\n"
     "                        runs (jitter.all.sigma, jitter.run.sigma; gicsim list settings)\n"
     "  -o, --output FILE     the preset (NAME.yaml; default standard output)\n"
     "  --name NAME           its name (default BASE-calibrated; with -o: the file's name)\n"
     "  -h, --help            this text\n",
     cmd_calibrate},
    {"list", "policies|platforms|scenarios|costs|tests|settings",
     "list what the names in scenarios and options can be",
     "One line per name, the name first, then a description:\n"
     "  policies    the hypervisor delivery policies (and the GIC they need)\n"
     "  platforms   the platform presets a name finds (./configs/platforms,\n"
     "              $GICSIM_PLATFORM_PATH, the installed ones, the source tree's)\n"
     "  scenarios   the shipped scenarios (./configs/scenarios, else the installed ones)\n"
     "  costs       the timing costs of a preset, with their clock and default cycles\n"
     "  tests       the micro-benchmark tests\n"
     "  settings    a preset's variation settings (sources of spread), with defaults\n",
     cmd_list},
    {"sweep",
     "SPEC -o DIR [-j N] [--resume] [--shard K/N] [--run ID] [--list]\n"
     "[--emit-slurm FILE [--shards N]] [-q]\nor: sweep merge DIR... -o OUT",
     "run a parameter sweep (docs/sweeps.md); merge shard directories",
     "Runs every run of a sweep spec (a scenario, axes, policies, platforms,\n"
     "replications) in worker processes into DIR: plan.csv, runs/ID.json, results.csv\n"
     "and summary.csv (mean and 95% confidence interval over replications). A failed run\n"
     "is recorded (runs/ID.err, failures.csv) and the others go on (exit 1).\n\n"
     "options:\n"
     "  -o DIR                the output directory\n"
     "  -j N                  worker processes (default: the number of cores)\n"
     "  --resume              keep the runs DIR already holds\n"
     "  --shard K/N           run shard K of N (default from SLURM_ARRAY_TASK_ID/COUNT)\n"
     "  --run ID              run one run of the plan\n"
     "  --list                print one command per run (for GNU parallel)\n"
     "  --emit-slurm FILE     write a Slurm job-array script (--shards N tasks)\n"
     "  -q, --quiet           no progress line\n"
     "  -h, --help            this text\n"
     "sweep merge DIR... -o OUT combines shard directories into one.\n",
     cmd_sweep},
    {"plot",
     "DIR|SUMMARY.csv --x COLUMN --y METRIC[,METRIC] [--by COLUMN]\n"
     "[--source NAME] [--where COLUMN=VALUE]... [--log-x] [--log-y] [--no-ci]\n"
     "[--title T] [--xlabel L] [--ylabel L] [--width W] [--height H]\n[--font-size F] -o FIG.svg",
     "plot a sweep's summary: lines with 95% confidence bands",
     "Draws a sweep's summary.csv as an SVG line chart: one line per value of --by (and\n"
     "per metric), with its 95% confidence band (--no-ci: none). A column that varies\n"
     "along a line is an error that names it: select with --where or split with --by.\n",
     cmd_plot},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const char usage_tail[] =
    "\n"
    "gicsim help COMMAND (or gicsim COMMAND --help) prints a command's options;\n"
    "gicsim list policies|platforms|scenarios|costs|tests names what can be used.\n"
    "\n"
    "environment: GICSIM_PLATFORM_PATH (more preset directories, ':'-separated),\n"
    "GICSIM_MAX_INPUT (the largest file read whole, e.g. 64M; default 16M).\n"
    "exit codes: 0 ok, 1 script expectation failed / check failed / fit off by > 10% /\n"
    "a sweep's run failed,\n"
    "64 usage, 65 bad trace or measured data, 70 internal error, 73 an output cannot be\n"
    "created, 74 an output cannot be written, 78 bad configuration.\n";

static void synopsis(FILE *f, const char *lead, const command *c)
{
    int indent = (int)(strlen(lead) + strlen(c->name) + 1);
    fprintf(f, "%s%s ", lead, c->name);
    const char *s = c->synopsis;
    for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1)
        fprintf(f, "%.*s\n%*s", (int)(nl - s), s, indent, "");
    fprintf(f, "%s\n", s);
}

static void usage(FILE *f)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        synopsis(f, i ? "       gicsim " : "usage: gicsim ", &commands[i]);
    fputs("       gicsim help [COMMAND] | --version\n\ncommands:\n", f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].description);
    fputs(usage_tail, f);
}

static void command_help(const command *c)
{
    synopsis(stdout, "usage: gicsim ", c);
    printf("\n%s.\n\n%s", c->description, c->options);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    const char *names[N_COMMANDS + 1];
    for (size_t i = 0; i < N_COMMANDS; i++)
        names[i] = commands[i].name;
    names[N_COMMANDS] = "help";
    cli_unknown_name("command", name, names, N_COMMANDS + 1);
    return NULL;
}

static bool is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h");
}

/* $GICSIM_MAX_INPUT: the library's input limit. */
static int apply_max_input(void)
{
    const char *v = getenv("GICSIM_MAX_INPUT");
    if (!v || !*v)
        return EX_OK;
    size_t bytes;
    if (!cli_parse_size(v, &bytes))
        return cli_usage_error("GICSIM_MAX_INPUT: expected a size such as 65536, 64k, 16M or 1G, "
                               "got '%s'",
                               v);
    gicsim_set_max_input(bytes);
    return EX_OK;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EX_USAGE;
    }
    const char *cmd = argv[1];
    if (is_help(cmd) || (!strcmp(cmd, "help") && argc == 2)) {
        usage(stdout);
        return EX_OK;
    }
    if (!strcmp(cmd, "help")) {
        if (argc > 3)
            return cli_usage_error("help takes one COMMAND");
        const command *c = find_command(argv[2]);
        if (!c)
            return EX_USAGE;
        command_help(c);
        return EX_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("gicsim %s\n", gicsim_version_string());
        return EX_OK;
    }
    const command *c = find_command(cmd);
    if (!c)
        return EX_USAGE;
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            command_help(c);
            return EX_OK;
        }
    }
    int code = apply_max_input();
    return code ? code : c->run(argc - 2, argv + 2);
}

int main(int argc, char **argv)
{
    int code = dispatch(argc, argv);
    int out = cli_check_stdout();
    return code == EX_OK ? out : code;
}
