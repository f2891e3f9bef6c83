/* The private header of gicsim run and compare: what cmd_run.c (options,
 * one simulation, the tables, the commands), cmd_run_out.c (the output
 * files, JSON and CDF), cmd_run_reps.c (run.replications) and
 * cmd_run_intervals.c (--intervals) share. Not
 * installed; the functions across the files are prefixed run_. */
#ifndef GICSIM_SIM_CMD_RUN_H
#define GICSIM_SIM_CMD_RUN_H

#include "cli.h"

#define MAX_OVERRIDES 64
#define MAX_POLICIES 64 /* the built-in policies and every one a program can register */
#define LABEL_W 32      /* the table's first column */

typedef struct options {
    const char *overrides[MAX_OVERRIDES];
    size_t n_overrides;
    int policy_ids[MAX_POLICIES]; /* --policies: indices of gicsim_hyp_policy_at */
    size_t n_policies;
    bool has_policies;
    const char *json, *csv, *perfetto, *vcd, *cdf, *record;
    bool quiet;
    bool intervals; /* --intervals */
} options;

/* The per-run outputs, in this order, and the whole-command ones. */
enum { OUT_CSV, OUT_PERFETTO, OUT_VCD, OUT_PER_RUN };

/* Every output file of the command, created before the first simulation. */
typedef struct out_set {
    cli_out *outs;
    char **paths;       /* [n]: the paths they were created for (owned) */
    const char **flags; /* [n]: the option or key that named each, for messages */
    size_t n, cap;
} out_set;

typedef struct run_outputs {
    cli_out *o[OUT_PER_RUN]; /* NULL when not wanted */
    cli_out *record;         /* run only */
} run_outputs;

/* run.replications' metrics of a run (cmd_run_reps.c). */
typedef struct reps_data reps_data;

typedef struct run_result {
    char policy[64];
    gicsim_system *sys;
    gicsim_system_stats st;
    uint64_t cpu_hz;
    reps_data *reps; /* run.replications > 1: every replication's metrics; NULL: one run */
} run_result;

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

/* The policies a command runs. */
typedef struct plan {
    const char *pols[MAX_POLICIES]; /* NULL: run, each VM its own policy */
    size_t n;
    const char *from; /* where the list came from, for the header */
    const char *skipped[MAX_POLICIES], *why[MAX_POLICIES];
    size_t n_skipped;
} plan;

/* A row of the summary table: one figure of a run. */
typedef double (*getter)(const run_result *);

/* --intervals (cmd_run_intervals.c): the metrics of each run that get an
 * interval, IV_PER_RUN per policy in this order. */
enum { IV_MEAN, IV_P50, IV_P99, IV_EXITS, IV_PER_RUN };

typedef struct intervals {
    gicsim_calib_interval *v; /* [policy * IV_PER_RUN + metric]; NULL: no --intervals */
    const char *platform;     /* the preset's name */
    bool map;                 /* its fit method: MAP, else exact */
    size_t n_free;            /* the costs varied */
    unsigned runs;            /* runs per policy, the command's own included */
} intervals;

/* ---- cmd_run.c ---- */

/* One simulation of rc's scenario under policy (NULL: each VM its own),
 * writing the outputs of ro; *res holds the system (the caller destroys
 * it) and its statistics, also after a failure. Returns an exit code. */
int run_simulate(const run_ctx *rc, const char *policy, const run_outputs *ro, run_result *res);

/* The table's figures of one run (latency in ns or CPU cycles, exits per
 * interrupt a guest received, time shares in %, counts). */
double run_get_mean_ns(const run_result *r);
double run_get_p50_ns(const run_result *r);
double run_get_p90_ns(const run_result *r);
double run_get_p99_ns(const run_result *r);
double run_get_p999_ns(const run_result *r);
double run_get_max_ns(const run_result *r);
double run_get_p50_cyc(const run_result *r);
double run_get_p90_cyc(const run_result *r);
double run_get_p99_cyc(const run_result *r);
double run_get_p999_cyc(const run_result *r);
double run_get_max_cyc(const run_result *r);
double run_get_exit_irq(const run_result *r);
double run_get_exit_maint(const run_result *r);
double run_get_exit_wfi(const run_result *r);
double run_get_exit_sgi(const run_result *r);
double run_get_exit_mmio(const run_result *r);
double run_get_exit_hvc(const run_result *r);
double run_get_exit_total(const run_result *r);
double run_get_hyp_share(const run_result *r);
double run_get_poll_share(const run_result *r);
double run_get_asserted(const run_result *r);
double run_get_delivered(const run_result *r);
double run_get_merged(const run_result *r);
double run_get_pending(const run_result *r);
double run_get_maintenance_irqs(const run_result *r);
double run_get_lr_spills(const run_result *r);
double run_get_kicks(const run_result *r);
double run_get_wakeups(const run_result *r);
double run_get_exits_total(const run_result *r);
double run_get_doorbells(const run_result *r);

/* A library writer's failure on output o: creating it (begin) or writing
 * it; the exit code after a message. */
int run_writer_error(cli_out *o, gicsim_status st, bool creating, int err);

/* ---- cmd_run_out.c ---- */

/* Creates every output of the command, per run in ro[0..pl->n), the
 * whole-command ones in *json and *cdf (NULL: not wanted). */
int run_create_outputs(const run_ctx *rc, const plan *pl, const run_result *labels, out_set *set,
                       run_outputs *ro, cli_out **json, cli_out **cdf);
/* Commits every output (commit and *code EX_OK) or removes them; frees set. */
void run_out_set_free(out_set *s, bool commit, int *code);
int run_write_json(const run_ctx *rc, const run_result *r, size_t n, const intervals *iv,
                   cli_out *out);
int run_write_cdf(const run_ctx *rc, const run_result *r, size_t n, cli_out *out);

/* ---- cmd_run_reps.c ---- */

/* The replications 1 .. N-1 of the policy whose replication 0 is *res
 * (run.replications; the table's "Replications" comment): each a quiet run
 * with its derived seed, reduced to the metrics of rep_metrics. */
int run_replicate(const run_ctx *rc, gicsim_scenario *sc, const char *policy, run_result *res);
void run_reps_free(reps_data *d);
/* A row's value: the mean over the replications when r has them and the
 * row is one of their metrics, else get(r). */
double run_row_value(const run_result *r, getter get);
/* Under a row that has a JSON key: each policy's 95% interval of the mean. */
void run_print_ci_row(FILE *t, const run_result *r, size_t n, getter get);
/* compare with replications: each policy's difference from the first. */
void run_print_differences(FILE *t, const run_result *r, size_t n);
/* The "replications" member of run i's JSON summary (r[i].reps set). */
void run_json_replications(FILE *f, const run_result *r, size_t i);

/* ---- cmd_run_intervals.c ---- */

/* The row under a metric's: each policy's interval. */
void run_print_interval_row(FILE *t, const intervals *iv, size_t n, int k);
/* The line above the table that says what the intervals are. */
void run_print_interval_header(FILE *t, const intervals *iv);
/* --intervals: the scenario's preset, which must be calibrated; EX_CONFIG
 * after a message when it is not. */
int run_load_calibrated(const gicsim_scenario *sc, gicsim_platform **p);
/* The intervals of the command's runs res[0..pl->n) on the calibrated
 * preset p (path: the scenario file). */
int run_compute_intervals(const run_ctx *rc, const plan *pl, const run_result *res,
                          const char *path, const gicsim_platform *p, intervals *iv);
/* The "intervals" member of run i's JSON summary (iv->v set). */
void run_json_intervals(FILE *f, const intervals *iv, size_t i);

#endif
