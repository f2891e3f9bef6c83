/* What the gicsim subcommands share: exit codes, error and diagnostic
 * reporting, option-parsing helpers, output files, platform loading and the
 * micro-benchmark report (microbench, and run of a micro-bench scenario).
 *
 * Data goes to stdout, diagnostics to stderr, each message prefixed with
 * "gicsim: " unless it names a file and line.
 */
#ifndef GICSIM_SIM_CLI_H
#define GICSIM_SIM_CLI_H

#include <gicsim/gicsim.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes follow sysexits: 0 success, 64 usage error, 65 bad input data
 * (a trace, measured figures), 70 internal error or out of memory, 73 an output cannot be
 * created, 74 an output (standard output included) cannot be written, 78
 * bad configuration; a failed conformance expectation, a failed microbench
 * --check and a calibration that misses a figure by more than
 * CLI_CHECK_TOLERANCE exit 1. */
#define EX_OK 0
#define EX_FAIL 1
#define EX_USAGE 64
#define EX_DATAERR 65
#define EX_SOFTWARE 70
#define EX_CANTCREAT 73
#define EX_IOERR 74
#define EX_CONFIG 78

/* microbench --check and calibrate: a simulated figure is within 10% of the
 * measured one. */
#define CLI_CHECK_TOLERANCE 0.10

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* ---- The subcommands: cmd_NAME(argc, argv) gets the arguments after NAME and
 * returns the exit code. The table in main.c names them. ---- */

int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_script(int argc, char **argv);
int cmd_microbench(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/* ---- Messages and exit codes ---- */

/* The program name that prefixes messages: "gicsim". */
extern const char *const cli_prog;

/* "gicsim: MESSAGE\n" to stderr. */
void cli_errorf(const char *fmt, ...) CLI_PRINTF(1, 2);

/* cli_errorf, then EX_USAGE: `return cli_usage_error(...)`. */
int cli_usage_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* The name of names[0..n-1] nearest to `name` (at most 2 edits, and fewer
 * than its length), or NULL: for "did you mean" hints. */
const char *cli_nearest(const char *name, const char *const *names, size_t n);

/* "unknown WHAT 'NAME' (did you mean 'X'? known: A, B, ...)" as a usage
 * error: EX_USAGE. */
int cli_unknown_name(const char *what, const char *name, const char *const *names, size_t n);

/* "unknown option 'OPT' for CMD (did you mean 'X'? gicsim CMD --help lists
 * them)": EX_USAGE. `opts` are the command's options. */
int cli_unknown_option(const char *cmd, const char *opt, const char *const *opts, size_t n);

/* A failed load's diagnostic: "FILE:LINE:COLUMN: KEY: MESSAGE" (or without
 * the position when it has none), the message defaulting to st's text. */
void cli_report_diag(const gicsim_diag *d, gicsim_status st);

/* A warning diagnostic: "FILE:LINE:COLUMN: KEY: warning: MESSAGE". */
void cli_report_warning(const gicsim_diag *d);

/* The exit code of a failed configuration load: EX_SOFTWARE when out of
 * memory, else EX_CONFIG. */
int cli_config_exit(gicsim_status st);

/* The exit code of a failed gicsim_mb_run or gicsim_calibrate: a platform
 * that cannot run a test or a fit the figures cannot determine is
 * configuration (EX_CONFIG), anything else EX_SOFTWARE. */
int cli_mb_exit(gicsim_status st);

/* ---- Option parsing ---- */

/* The value of the option argv[*i]: the next argument, *i advanced past it;
 * NULL after "OPTION needs NEEDS" when there is none. */
char *cli_option_value(int argc, char **argv, int *i, const char *needs);

/* One name of a comma-separated list: its id (0 or more), or -1 after a
 * message when it is unknown. */
typedef int (*cli_name_lookup)(const char *name);

/* Splits `list` (modified) into the ids of its names, each at most once;
 * `ids` holds every id lookup can return. `what` names an element ("test"),
 * `option` the option the list came with, in the messages. Returns EX_OK, or
 * EX_USAGE after a message (an unknown or repeated name, an empty name such
 * as in "a,,b" or ",", an empty list). */
int cli_parse_name_list(char *list, const char *what, const char *option, cli_name_lookup lookup,
                        int *ids, size_t *n);

/* A size with an optional unit, "65536", "64k", "16M", "1G" (powers of
 * 1024): true and *out set, false when malformed or 0. */
bool cli_parse_size(const char *s, size_t *out);

/* ---- Files ---- */

/* The part of path after its last '/'. */
const char *cli_base_name(const char *path);

/* An output file. It is created before the work that fills it, so a path
 * that cannot be written fails at once (EX_CANTCREAT), under a temporary
 * name in its directory (".gicsim-PID-N-NAME": the same suffix, so ".gz"
 * still compresses), renamed to its path only when everything succeeded
 * (cli_out_commit) and removed otherwise (cli_out_discard; also when the
 * program is interrupted by SIGINT, SIGTERM or SIGHUP): a failed command
 * leaves no partial output behind. "-" is standard output; an existing path
 * that is not a regular file (/dev/null, a FIFO) is written in place. */
typedef struct cli_out {
    const char *path; /* as given */
    char *tmp;        /* the temporary file, NULL when written in place */
    FILE *f;          /* cli_out_open's stream, NULL when not open */
    bool failed;      /* a write error was reported (EX_IOERR) */
} cli_out;

/* Creates o's temporary file for `path` (kept by reference): EX_OK, or
 * EX_CANTCREAT after "PATH: cannot create: REASON". */
int cli_out_create(cli_out *o, const char *path);
/* The name the writer writes: the temporary file, or the path itself. */
const char *cli_out_name(const cli_out *o);
/* A stream on cli_out_name (stdout for "-"); NULL after a message
 * (EX_CANTCREAT). */
FILE *cli_out_open(cli_out *o);
/* "PATH: cannot write: REASON" (errno `err`, 0: unknown) and EX_IOERR. */
int cli_out_write_error(cli_out *o, int err);
/* Closes the stream (flushing stdout) and renames the temporary file onto
 * the path: EX_OK, or EX_IOERR after a message (the file is then removed). */
int cli_out_commit(cli_out *o);
/* Closes the stream and removes the temporary file (nothing for a path
 * written in place). Safe on a zeroed cli_out and after a commit. */
void cli_out_discard(cli_out *o);

/* Flushes standard output: EX_OK, or EX_IOERR after "standard output:
 * cannot write: REASON" (for example with > /dev/full). */
int cli_check_stdout(void);

/* ---- Platforms and the micro-benchmarks ---- */

/* gicsim_platform_load of a preset name or file: EX_OK, or the
 * cli_config_exit code after the diagnostic. */
int cli_load_platform(const char *name, gicsim_platform **out);

/* The printf field width that right-aligns s (UTF-8) in `cols` columns. */
int cli_utf8_width(const char *s, int cols);

/* A relative error in percent, with no "-0.0". */
double cli_pct(double rel);

/* Simulates `tests` with `cfg` and prints them next to the preset p's
 * measured figures. check: EX_FAIL when a measured figure is missed by more
 * than CLI_CHECK_TOLERANCE; json: the rows as JSON to that file, created
 * before the simulations ("-": stdout, and the table goes to stderr).
 * Returns the exit code. */
int cli_microbench_report(const gicsim_mb_config *cfg, const gicsim_platform *p,
                          const gicsim_mb_test *tests, size_t n, const char *json, bool check);
/* The same; with `intervals`, on a preset with a measured block, each
 * test's interval (gicsim_calibrate_ex with analyse_only, the preset's fit
 * set, facts and uncertainties) as a column and in the JSON. */
int cli_microbench_report_ex(const gicsim_mb_config *cfg, const gicsim_platform *p,
                             const gicsim_mb_test *tests, size_t n, const char *json, bool check,
                             bool intervals);

/* A calibrated preset's calibration block as gicsim_calibrate_ex and
 * gicsim_calib_metric_intervals take it: its measured figures (test, ns,
 * unc: n of them; 0 for an uncalibrated preset), and opt with
 * analyse_only, no predictions, the preset's uncertainties, fit set
 * (`fitted`; MAP over every cost when it has none) and facts (their cycles
 * from cfg), pointing into the struct (do not copy it). */
typedef struct cli_preset_calib {
    size_t n;
    gicsim_mb_test test[GICSIM_MB__COUNT];
    double ns[GICSIM_MB__COUNT], unc[GICSIM_MB__COUNT];
    gicsim_cost_id fit[GICSIM_COST__COUNT], fact[GICSIM_COST__COUNT];
    uint64_t fact_cycles[GICSIM_COST__COUNT];
    bool map; /* fitted with priors (or no fitted list) */
    gicsim_calib_options opt;
} cli_preset_calib;
void cli_preset_calib_init(cli_preset_calib *pc, const gicsim_platform *p,
                           const gicsim_mb_config *cfg);

/* ---- JSON ---- */

/* A JSON string (UTF-8 passed through); null for NULL. */
void cli_json_str(FILE *f, const char *s);
/* A JSON number (%.6g); null when not finite. */
void cli_json_num(FILE *f, double v);

#endif
