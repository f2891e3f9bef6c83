/* What the gicsim subcommands share (cli.h). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const cli_prog = "gicsim";

/* ---- Messages and exit codes ---------------------------------------------------------- */

static void verrorf(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", cli_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verrorf(fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verrorf(fmt, ap);
    va_end(ap);
    return EX_USAGE;
}

/* Levenshtein distance; names longer than 63 characters are never near. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *cur);
    }
    return prev[lb];
}

const char *cli_nearest(const char *name, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = distance(name, names[i]);
        if (d < best_d && d < strlen(name)) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

int cli_unknown_name(const char *what, const char *name, const char *const *names, size_t n)
{
    const char *near = cli_nearest(name, names, n);
    fprintf(stderr, "%s: unknown %s '%s' (", cli_prog, what, name);
    if (near)
        fprintf(stderr, "did you mean '%s'? ", near);
    fputs("known:", stderr);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s %s", i ? "," : "", names[i]);
    fputs(")\n", stderr);
    return EX_USAGE;
}

int cli_unknown_option(const char *cmd, const char *opt, const char *const *opts, size_t n)
{
    const char *near = cli_nearest(opt, opts, n);
    if (near)
        cli_errorf("unknown option '%s' for %s (did you mean '%s'? gicsim %s --help lists them)",
                   opt, cmd, near, cmd);
    else
        cli_errorf("unknown option '%s' for %s (gicsim %s --help lists them)", opt, cmd, cmd);
    return EX_USAGE;
}

void cli_report_diag(const gicsim_diag *d, gicsim_status st)
{
    if (d->line)
        fprintf(stderr, "%s:%u:%u: %s%s%s\n", d->file, d->line, d->column, d->key[0] ? d->key : "",
                d->key[0] ? ": " : "", d->message[0] ? d->message : gicsim_strerror(st));
    else
        fprintf(stderr, "%s: %s%s%s\n", d->file[0] ? d->file : cli_prog, d->key[0] ? d->key : "",
                d->key[0] ? ": " : "", d->message[0] ? d->message : gicsim_strerror(st));
}

void cli_report_warning(const gicsim_diag *d)
{
    if (d->line)
        fprintf(stderr, "%s:%u:%u: %s%swarning: %s\n", d->file, d->line, d->column, d->key,
                d->key[0] ? ": " : "", d->message);
    else
        fprintf(stderr, "%s: %s%swarning: %s\n", d->file[0] ? d->file : cli_prog, d->key,
                d->key[0] ? ": " : "", d->message);
}

int cli_config_exit(gicsim_status st)
{
    return st == GICSIM_E_NOMEM ? EX_SOFTWARE : EX_CONFIG;
}

int cli_mb_exit(gicsim_status st)
{
    return st == GICSIM_E_STATE || st == GICSIM_E_INVAL ? EX_CONFIG : EX_SOFTWARE;
}

/* ---- Option parsing ------------------------------------------------------------------ */

char *cli_option_value(int argc, char **argv, int *i, const char *needs)
{
    if (*i + 1 >= argc) {
        cli_errorf("%s needs %s", argv[*i], needs);
        return NULL;
    }
    return argv[++*i];
}

int cli_parse_name_list(char *list, const char *what, const char *option, cli_name_lookup lookup,
                        int *ids, size_t *n)
{
    *n = 0;
    if (!*list)
        return cli_usage_error("%s needs at least one %s", option, what);
    for (char *tok = list, *next; tok; tok = next) {
        char *comma = strchr(tok, ',');
        next = comma ? comma + 1 : NULL;
        if (comma)
            *comma = '\0';
        if (!*tok)
            return cli_usage_error("%s: an empty %s name (a list is NAME,NAME,...)", option, what);
        int id = lookup(tok);
        if (id < 0)
            return EX_USAGE;
        for (size_t k = 0; k < *n; k++)
            if (ids[k] == id)
                return cli_usage_error("%s '%s' is listed twice", what, tok);
        ids[(*n)++] = id;
    }
    return EX_OK;
}

bool cli_parse_size(const char *s, size_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (errno || *end || v == 0 || v > (SIZE_MAX >> shift))
        return false;
    *out = (size_t)v << shift;
    return true;
}

/* ---- Files --------------------------------------------------------------------------- */

const char *cli_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The temporary files that exist, for the signal handler to remove. */
#define MAX_TEMPS 256
static char *temps[MAX_TEMPS];
static volatile sig_atomic_t n_temps;

static void remove_temps_and_die(int sig)
{
    for (sig_atomic_t i = 0; i < n_temps; i++)
        if (temps[i])
            unlink(temps[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void track_temp(char *tmp)
{
    static bool handlers;
    if (!handlers) {
        handlers = true;
        static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = remove_temps_and_die;
            sigemptyset(&sa.sa_mask);
            sigaction(sigs[i], &sa, NULL);
        }
    }
    for (sig_atomic_t i = 0; i < n_temps; i++)
        if (!temps[i]) {
            temps[i] = tmp;
            return;
        }
    if (n_temps < MAX_TEMPS) {
        temps[n_temps] = tmp;
        n_temps = n_temps + 1;
    }
}

static void untrack_temp(const char *tmp)
{
    for (sig_atomic_t i = 0; i < n_temps; i++)
        if (temps[i] == tmp)
            temps[i] = NULL;
}

static int cantcreate(const char *path, int err)
{
    cli_errorf("%s: cannot create: %s", path, strerror(err));
    return EX_CANTCREAT;
}

int cli_out_create(cli_out *o, const char *path)
{
    static unsigned counter;
    memset(o, 0, sizeof *o);
    o->path = path;
    if (!strcmp(path, "-"))
        return EX_OK;
    const char *base = cli_base_name(path);
    struct stat sb;
    if (!*base)
        return cantcreate(path, EISDIR);
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return cantcreate(path, EISDIR);
        /* A device or a FIFO is written in place; an existing file is only
         * replaced when it could be written. */
        if (access(path, W_OK) != 0)
            return cantcreate(path, errno);
        if (!S_ISREG(sb.st_mode))
            return EX_OK;
    }
    size_t dlen = (size_t)(base - path), n = strlen(path) + 64;
    char *tmp = malloc(n);
    if (!tmp)
        return cantcreate(path, ENOMEM);
    snprintf(tmp, n, "%.*s.gicsim-%ld-%u-%s", (int)dlen, path, (long)getpid(), counter++, base);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        int err = errno;
        free(tmp);
        return cantcreate(path, err);
    }
    close(fd);
    o->tmp = tmp;
    track_temp(tmp);
    return EX_OK;
}

const char *cli_out_name(const cli_out *o)
{
    return o->tmp ? o->tmp : o->path;
}

FILE *cli_out_open(cli_out *o)
{
    if (!strcmp(o->path, "-"))
        return o->f = stdout;
    o->f = fopen(cli_out_name(o), "wb");
    if (!o->f)
        cantcreate(o->path, errno);
    return o->f;
}

int cli_out_write_error(cli_out *o, int err)
{
    if (!o->failed)
        cli_errorf("%s: cannot write: %s", strcmp(o->path, "-") ? o->path : "standard output",
                   err ? strerror(err) : "write error");
    o->failed = true;
    return EX_IOERR;
}

/* Closes o's stream: EX_OK or EX_IOERR after a message. */
static int close_stream(cli_out *o)
{
    FILE *f = o->f;
    o->f = NULL;
    if (!f)
        return EX_OK;
    errno = 0;
    bool bad = ferror(f) != 0;
    if (f == stdout) {
        bad |= fflush(stdout) != 0;
        clearerr(stdout); /* reported here, not again by cli_check_stdout */
    } else {
        bad |= fclose(f) != 0;
    }
    return bad ? cli_out_write_error(o, errno) : EX_OK;
}

int cli_out_commit(cli_out *o)
{
    int rc = close_stream(o);
    if (rc == EX_OK && o->failed)
        rc = EX_IOERR;
    if (rc == EX_OK && o->tmp && rename(o->tmp, o->path) != 0)
        rc = cli_out_write_error(o, errno);
    if (rc != EX_OK) {
        cli_out_discard(o);
        return rc;
    }
    if (o->tmp) {
        untrack_temp(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    return EX_OK;
}

void cli_out_discard(cli_out *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp) {
        unlink(o->tmp);
        untrack_temp(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
}

int cli_check_stdout(void)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int err = errno;
        clearerr(stdout);
        cli_errorf("standard output: cannot write: %s", err ? strerror(err) : "write error");
        return EX_IOERR;
    }
    return EX_OK;
}

/* ---- Platforms and the micro-benchmarks ------------------------------------------------ */

int cli_load_platform(const char *name, gicsim_platform **out)
{
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_status st = gicsim_platform_load(name, out, &diag);
    if (st != GICSIM_OK) {
        cli_report_diag(&diag, st);
        return cli_config_exit(st);
    }
    return EX_OK;
}

double cli_pct(double rel)
{
    double p = 100.0 * rel;
    return fabs(p) < 0.05 ? 0.0 : p;
}

void cli_json_str(FILE *f, const char *s)
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

void cli_json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

typedef struct mb_row {
    gicsim_mb_test test;
    gicsim_mb_result r;
    bool ran, has_meas;
    double meas, err; /* err: (simulated - measured) / measured */
    const char *role; /* "fitted", "predicted" or NULL */
    double unc;       /* the measured figure's relative uncertainty */
    const char *source;
    bool has_interval;
    double lo, hi;                  /* the interval, ns */
    const gicsim_mb_spread *spread; /* the measured figure's percentiles and runs, or NULL */
    bool has_run_sd;                /* the run-to-run sd below was simulated */
    double run_sd, meas_run_sd;     /* ns; meas_run_sd 0 when the figure gives no runs */
} mb_row;

/* Replications of a run-to-run spread in the report (as the spread fit's). */
#define REPORT_RUN_REPLICATIONS 16u

/* The percentiles the report gives of each test's distribution when the
 * platform has a source of spread (or a figure gives its own). */
static const double report_pct[] = {10, 50, 90, 99, 99.9};
#define N_REPORT_PCT (sizeof report_pct / sizeof report_pct[0])

/* Whether the report shows the spread: the variation is on, or a measured
 * figure gives percentiles or runs. */
static bool show_spread(const gicsim_mb_config *cfg, const mb_row *rows, size_t n)
{
    bool any = gicsim_variation_active(&cfg->variation);
    for (size_t i = 0; i < n && !any; i++)
        any = rows[i].spread && (rows[i].spread->n_pct || rows[i].spread->n_runs);
    return any;
}

static double row_pct(const mb_row *w, double pct)
{
    return w->r.latency ? (double)gicsim_histogram_percentile(w->r.latency, pct) / 1e3
                        : w->r.value_ns;
}

/* The spread table: each test's percentiles, and the measured ones. */
static void print_mb_spread(FILE *tbl, const mb_row *rows, size_t n)
{
    fprintf(tbl,
            "\nspread (each test's distribution: iterations, or timer_bm/timer_vm's "
            "interrupts; ns)\n%-16s",
            "test");
    for (size_t k = 0; k < N_REPORT_PCT; k++) {
        char h[16];
        snprintf(h, sizeof h, "p%g", report_pct[k]);
        fprintf(tbl, " %10s", h);
    }
    fputs("  measured\n", tbl);
    for (size_t i = 0; i < n && rows[i].ran; i++) {
        const mb_row *w = &rows[i];
        fprintf(tbl, "%-16s", gicsim_mb_test_name(w->test));
        for (size_t k = 0; k < N_REPORT_PCT; k++)
            fprintf(tbl, " %10.1f", row_pct(w, report_pct[k]));
        const gicsim_mb_spread *sp = w->spread;
        for (size_t k = 0; sp && k < sp->n_pct; k++)
            fprintf(tbl, "%sp%g %.1f", k ? ", " : "  ", sp->pct[k], sp->pct_ns[k]);
        if (sp && sp->n_runs)
            fprintf(tbl, "%sruns of %zu", sp->n_pct ? ", " : "  ", sp->n_runs);
        fputc('\n', tbl);
    }
    bool any = false;
    for (size_t i = 0; i < n && rows[i].ran; i++) {
        const mb_row *w = &rows[i];
        if (!w->has_run_sd)
            continue;
        if (!any)
            fprintf(tbl,
                    "\nrun to run (jitter.run: the sd of the figure over %u seeds; ns)\n"
                    "%-16s %10s %10s\n",
                    REPORT_RUN_REPLICATIONS, "test", "sd", "measured");
        any = true;
        char meas[32] = "-";
        if (w->meas_run_sd > 0)
            snprintf(meas, sizeof meas, "%.1f", w->meas_run_sd);
        fprintf(tbl, "%-16s %10.1f %10s\n", gicsim_mb_test_name(w->test), w->run_sd, meas);
    }
}

int cli_utf8_width(const char *s, int cols)
{
    int extra = 0;
    for (; *s; s++)
        extra += ((unsigned char)*s & 0xc0) == 0x80;
    return cols + extra;
}

/* The measured figure of `test` in p: its index, or the count when none. */
static size_t measured_index(const gicsim_platform *p, gicsim_mb_test test)
{
    size_t n = gicsim_platform_measured_count(p);
    for (size_t i = 0; i < n; i++)
        if (gicsim_platform_measured_test(p, i) == test)
            return i;
    return n;
}

void cli_preset_calib_init(cli_preset_calib *pc, const gicsim_platform *p,
                           const gicsim_mb_config *cfg)
{
    memset(pc, 0, sizeof *pc);
    pc->n = gicsim_platform_measured_count(p);
    for (size_t i = 0; i < pc->n && i < GICSIM_MB__COUNT; i++) {
        pc->test[i] = gicsim_platform_measured_test(p, i);
        pc->ns[i] = gicsim_platform_measured_ns(p, i);
        pc->unc[i] = gicsim_platform_measured_uncertainty(p, i);
    }
    gicsim_calib_options *o = &pc->opt;
    gicsim_calib_options_init(o);
    o->analyse_only = true;
    o->intervals = false;
    o->uncertainty = pc->unc;
    size_t nf = gicsim_platform_fitted_count(p);
    /* A preset without fit_method was fitted exactly, to its fitted list;
     * one with no fitted list is read as a MAP fit of every cost. */
    pc->map = gicsim_platform_fitted_with_priors(p) || nf == 0;
    o->method = pc->map ? GICSIM_CALIB_MAP : GICSIM_CALIB_EXACT;
    for (size_t j = 0; j < nf && j < GICSIM_COST__COUNT; j++)
        pc->fit[j] = gicsim_platform_fitted_cost(p, j);
    o->fit = nf ? pc->fit : NULL;
    o->n_fit = nf;
    o->n_facts = gicsim_platform_fact_count(p);
    for (size_t k = 0; k < o->n_facts && k < GICSIM_COST__COUNT; k++) {
        pc->fact[k] = gicsim_platform_fact_cost(p, k);
        pc->fact_cycles[k] = cfg->timing.cycles[pc->fact[k]];
    }
    o->fact = pc->fact;
    o->fact_cycles = pc->fact_cycles;
}

/* The intervals of a calibrated preset's figures (gicsim_calibrate_ex on the
 * preset's costs as they are, its fit set, facts and uncertainties) into
 * rows[].has_interval/lo/hi. A failure is reported and leaves the rows
 * without intervals. */
static void preset_intervals(const gicsim_mb_config *cfg, const gicsim_platform *p, mb_row *rows,
                             size_t n)
{
    cli_preset_calib pc;
    cli_preset_calib_init(&pc, p, cfg);
    if (pc.n == 0 || n == 0)
        return;
    gicsim_mb_test pred[GICSIM_MB__COUNT];
    for (size_t i = 0; i < n; i++)
        pred[i] = rows[i].test;
    pc.opt.intervals = true;
    pc.opt.predict = pred;
    pc.opt.n_predict = n;
    gicsim_calib_fit *fr = NULL;
    gicsim_status st = gicsim_calibrate_ex(cfg, pc.test, pc.ns, pc.n, &pc.opt, &fr);
    if (st != GICSIM_OK) {
        cli_errorf("intervals: %s", fr && fr->message[0] ? fr->message : gicsim_strerror(st));
    } else {
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < fr->n_figures; k++)
                if (fr->figure[k].test == rows[i].test && fr->figure[k].has_interval) {
                    rows[i].has_interval = true;
                    rows[i].lo = fr->figure[k].lo_ns;
                    rows[i].hi = fr->figure[k].hi_ns;
                }
    }
    gicsim_calib_fit_free(fr);
}

static int write_mb_json(cli_out *o, const gicsim_platform *p, uint32_t iterations,
                         const mb_row *rows, size_t n, bool spread)
{
    FILE *f = cli_out_open(o);
    if (!f)
        return EX_CANTCREAT;
    fputs("{\n  \"platform\": ", f);
    cli_json_str(f, gicsim_platform_name(p));
    fputs(",\n  \"file\": ", f);
    cli_json_str(f, cli_base_name(gicsim_platform_file(p)));
    fputs(",\n  \"reference\": ", f);
    cli_json_str(f, gicsim_platform_reference(p));
    fprintf(f, ",\n  \"measured_count\": %zu,\n  \"predicts_count\": %zu,\n  \"iterations\": %u,\n",
            gicsim_platform_measured_count(p), gicsim_platform_predicts_count(p),
            (unsigned)iterations);
    fputs("  \"fit_method\": ", f);
    cli_json_str(f, !gicsim_platform_measured_count(p)      ? NULL
                    : gicsim_platform_fitted_with_priors(p) ? "map"
                                                            : "exact");
    fputs(",\n", f);
    fputs("  \"tests\": [", f);
    for (size_t i = 0; i < n; i++) {
        const mb_row *w = &rows[i];
        fputs(i ? ",\n    {\"test\": " : "\n    {\"test\": ", f);
        cli_json_str(f, gicsim_mb_test_name(w->test));
        fprintf(f, ", \"simulated_ns\": %.3f, \"min_ns\": %.3f, \"max_ns\": %.3f", w->r.value_ns,
                w->r.min_ns, w->r.max_ns);
        fprintf(f, ", \"iterations\": %" PRIu64 ", \"exits\": %" PRIu64, w->r.iterations,
                w->r.exits);
        if (w->has_meas)
            fprintf(f, ", \"measured_ns\": %.3f, \"error_pct\": %.3f, \"uncertainty_pct\": %.3f",
                    w->meas, 100.0 * w->err, 100.0 * w->unc);
        else
            fputs(", \"measured_ns\": null, \"error_pct\": null, \"uncertainty_pct\": null", f);
        fputs(", \"source\": ", f);
        cli_json_str(f, w->source);
        if (w->has_interval)
            fprintf(f, ", \"interval_ns\": [%.3f, %.3f]", w->lo, w->hi);
        else
            fputs(", \"interval_ns\": null", f);
        fputs(", \"role\": ", f);
        cli_json_str(f, w->role);
        if (spread) {
            fputs(", \"percentiles_ns\": {", f);
            for (size_t k = 0; k < N_REPORT_PCT; k++)
                fprintf(f, "%s\"p%g\": %.3f", k ? ", " : "", report_pct[k],
                        row_pct(w, report_pct[k]));
            fputs("}, \"measured_percentiles_ns\": ", f);
            if (w->spread && w->spread->n_pct) {
                for (size_t k = 0; k < w->spread->n_pct; k++)
                    fprintf(f, "%s\"p%g\": %.3f", k ? ", " : "{", w->spread->pct[k],
                            w->spread->pct_ns[k]);
                fputs("}", f);
            } else {
                fputs("null", f);
            }
        }
        if (w->has_run_sd) {
            fprintf(f, ", \"run_sd_ns\": %.3f, \"measured_run_sd_ns\": ", w->run_sd);
            if (w->meas_run_sd > 0)
                fprintf(f, "%.3f", w->meas_run_sd);
            else
                fputs("null", f);
        }
        fputs("}", f);
    }
    fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
    return cli_out_commit(o);
}

int cli_microbench_report(const gicsim_mb_config *cfg, const gicsim_platform *p,
                          const gicsim_mb_test *tests, size_t n, const char *json, bool check)
{
    return cli_microbench_report_ex(cfg, p, tests, n, json, check, false);
}

int cli_microbench_report_ex(const gicsim_mb_config *cfg, const gicsim_platform *p,
                             const gicsim_mb_test *tests, size_t n, const char *json, bool check,
                             bool intervals)
{
    uint32_t iterations = cfg->iterations;
    size_t nm = gicsim_platform_measured_count(p);
    intervals &= nm > 0;
    cli_out jo = {0};
    int code = json ? cli_out_create(&jo, json) : EX_OK;
    if (code)
        return code;
    /* With the JSON on standard output, the table goes to standard error. */
    FILE *tbl = json && !strcmp(json, "-") ? stderr : stdout;
    fprintf(tbl, "%s: fitted to %zu measured values, predicts %zu\n", gicsim_platform_name(p), nm,
            gicsim_platform_predicts_count(p));
    if (gicsim_platform_reference(p))
        fprintf(tbl, "reference: %s\n", gicsim_platform_reference(p));
    /* A factor drawn once per run (jitter.run) moves every figure of one
     * run together: the figures are the median run's, factor 1, as
     * calibrate fitted the costs, and a figure measured over several runs
     * gets the simulated run-to-run sd beside the measured one. */
    gicsim_mb_config fig = *cfg;
    bool per_run = cfg->variation.jitter_run.kind != GICSIM_DIST_NONE;
    fig.variation.jitter_run.kind = GICSIM_DIST_NONE;
    if (per_run)
        fprintf(tbl, "figures: the median run (jitter.run's factor 1, as the costs were fitted); "
                     "one run moves them all together (\"run to run\" below)\n");
    mb_row rows[GICSIM_MB__COUNT];
    memset(rows, 0, sizeof rows);
    for (size_t i = 0; i < n && code == EX_OK; i++) {
        mb_row *w = &rows[i];
        w->test = tests[i];
        gicsim_status st = gicsim_mb_run(&fig, w->test, &w->r);
        if (st != GICSIM_OK) {
            cli_errorf("%s: the simulated test did not complete: %s", gicsim_mb_test_name(w->test),
                       gicsim_strerror(st));
            code = cli_mb_exit(st);
            break;
        }
        w->ran = true;
        size_t k = measured_index(p, w->test);
        w->has_meas = k < nm;
        if (w->has_meas) {
            w->meas = gicsim_platform_measured_ns(p, k);
            w->unc = gicsim_platform_measured_uncertainty(p, k);
            w->source = gicsim_platform_measured_source(p, k);
            w->spread = gicsim_platform_measured_spread(p, k);
        }
        if (st == GICSIM_OK && per_run && w->spread && w->spread->n_runs >= 2) {
            gicsim_spread_target t[GICSIM_SPREAD_MAX_TARGETS];
            size_t nt = gicsim_spread_targets(&w->test, w->spread, 1, t, GICSIM_SPREAD_MAX_TARGETS);
            for (size_t q = 0; q < nt; q++)
                if (t[q].stat == GICSIM_SPREAD_RUN_SD)
                    w->meas_run_sd = t[q].ns;
            st = gicsim_mb_run_sd(cfg, w->test, REPORT_RUN_REPLICATIONS, &w->run_sd);
            if (st != GICSIM_OK) {
                cli_errorf("%s: the simulated runs did not complete: %s",
                           gicsim_mb_test_name(w->test), gicsim_strerror(st));
                code = cli_mb_exit(st);
                break;
            }
            w->has_run_sd = true;
        }
        w->err = w->has_meas ? (w->r.value_ns - w->meas) / w->meas : 0.0;
        w->role = w->has_meas                                ? "fitted"
                  : gicsim_platform_is_predicted(p, w->test) ? "predicted"
                                                             : NULL;
    }
    if (code == EX_OK && intervals) {
        preset_intervals(&fig, p, rows, n);
        fprintf(tbl,
                "intervals: over the %s fit's %zu free cost%s within their prior ranges, every "
                "measured\n           figure within its uncertainty (linearised; "
                "docs/calibration.md)\n",
                gicsim_platform_fitted_with_priors(p) || !gicsim_platform_fitted_count(p) ? "MAP"
                                                                                          : "exact",
                gicsim_platform_fitted_count(p), gicsim_platform_fitted_count(p) == 1 ? "" : "s");
    }
    if (intervals)
        fprintf(tbl, "\n%-16s %14s %16s %9s %21s  %s\n", "test", "simulated (ns)", "measured (ns)",
                "error", "interval (ns)", "role");
    else
        fprintf(tbl, "\n%-16s %14s %14s %9s  %s\n", "test", "simulated (ns)", "measured (ns)",
                "error", "role");
    for (size_t i = 0; i < n && rows[i].ran; i++) {
        const mb_row *w = &rows[i];
        char meas[32] = "-", err[32] = "-", iv[64] = "-";
        if (w->has_meas) {
            if (intervals)
                snprintf(meas, sizeof meas, "%.1f \xc2\xb1%g%%", w->meas, 100.0 * w->unc);
            else
                snprintf(meas, sizeof meas, "%.1f", w->meas);
            snprintf(err, sizeof err, "%+.1f%%", cli_pct(w->err));
        }
        if (w->has_interval)
            snprintf(iv, sizeof iv, "%.1f .. %.1f", w->lo, w->hi);
        if (intervals)
            fprintf(tbl, "%-16s %14.1f %*s %9s %21s  %s\n", gicsim_mb_test_name(w->test),
                    w->r.value_ns, cli_utf8_width(meas, 16), meas, err, iv,
                    w->role ? w->role : "-");
        else
            fprintf(tbl, "%-16s %14.1f %14s %9s  %s\n", gicsim_mb_test_name(w->test), w->r.value_ns,
                    meas, err, w->role ? w->role : "-");
    }
    bool spread = show_spread(&fig, rows, n) || per_run;
    if (spread)
        print_mb_spread(tbl, rows, n);
    bool any_source = false;
    for (size_t i = 0; i < n && rows[i].ran; i++)
        if (rows[i].source) {
            fprintf(tbl, "%s  %s: %s\n", any_source ? "" : "\nsources:\n",
                    gicsim_mb_test_name(rows[i].test), rows[i].source);
            any_source = true;
        }
    if (code == EX_OK && check) {
        size_t n_meas = 0, n_off = 0;
        fflush(tbl); /* the table before the complaints */
        for (size_t i = 0; i < n; i++) {
            if (!rows[i].has_meas)
                continue;
            n_meas++;
            double tol = fmax(CLI_CHECK_TOLERANCE, rows[i].unc);
            if (fabs(rows[i].err) > tol) {
                n_off++;
                cli_errorf("check: %s: simulated %.1f ns, measured %.1f ns (%+.1f%%): off by more "
                           "than %.0f%%",
                           gicsim_mb_test_name(rows[i].test), rows[i].r.value_ns, rows[i].meas,
                           cli_pct(rows[i].err), 100.0 * tol);
            }
            /* The measured percentiles, with the same tolerance. */
            const gicsim_mb_spread *sp = rows[i].spread;
            for (size_t k = 0; sp && k < sp->n_pct; k++) {
                double sim = row_pct(&rows[i], sp->pct[k]);
                double e = (sim - sp->pct_ns[k]) / sp->pct_ns[k];
                n_meas++;
                if (fabs(e) > tol) {
                    n_off++;
                    cli_errorf("check: %s: p%g simulated %.1f ns, measured %.1f ns (%+.1f%%): off "
                               "by more than %.0f%%",
                               gicsim_mb_test_name(rows[i].test), sp->pct[k], sim, sp->pct_ns[k],
                               cli_pct(e), 100.0 * tol);
                }
            }
        }
        if (n_off)
            code = EX_FAIL;
        else
            fprintf(tbl,
                    "\ncheck: %zu measured value%s within %.0f%% (or the figure's uncertainty)\n",
                    n_meas, n_meas == 1 ? "" : "s", 100.0 * CLI_CHECK_TOLERANCE);
    }
    if (json && (code == EX_OK || code == EX_FAIL)) {
        int jc = write_mb_json(&jo, p, iterations, rows, n, spread);
        if (jc)
            code = jc;
    }
    cli_out_discard(&jo); /* after a commit: nothing */
    for (size_t i = 0; i < n; i++)
        gicsim_mb_result_free(&rows[i].r);
    return code;
}
