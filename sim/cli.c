/* What the gicsim subcommands share (cli.h). */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

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

void cli_report_diag(const gicsim_diag *d, gicsim_status st)
{
    if (d->line)
        fprintf(stderr, "%s:%u:%u: %s%s%s\n", d->file, d->line, d->column, d->key[0] ? d->key : "",
                d->key[0] ? ": " : "", d->message[0] ? d->message : gicsim_strerror(st));
    else
        fprintf(stderr, "%s: %s%s%s\n", d->file[0] ? d->file : cli_prog, d->key[0] ? d->key : "",
                d->key[0] ? ": " : "", d->message[0] ? d->message : gicsim_strerror(st));
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
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        int id = lookup(tok);
        if (id < 0)
            return EX_USAGE;
        for (size_t k = 0; k < *n; k++)
            if (ids[k] == id)
                return cli_usage_error("%s '%s' is listed twice", what, tok);
        ids[(*n)++] = id;
    }
    if (*n == 0)
        return cli_usage_error("%s needs at least one %s", option, what);
    return EX_OK;
}

/* ---- Files --------------------------------------------------------------------------- */

const char *cli_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

FILE *cli_open_output(const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!f)
        cli_errorf("%s: %s", path, strerror(errno));
    return f;
}

int cli_close_output(FILE *f, const char *path)
{
    if (f != stdout && fclose(f) != 0) {
        cli_errorf("%s: %s", path, strerror(errno));
        return EX_SOFTWARE;
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

/* A JSON string (UTF-8 passed through); null for NULL. */
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
    FILE *f = cli_open_output(path);
    if (!f)
        return EX_CONFIG;
    fputs("{\n  \"platform\": ", f);
    json_str(f, gicsim_platform_name(p));
    fputs(",\n  \"file\": ", f);
    json_str(f, cli_base_name(gicsim_platform_file(p)));
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
    return cli_close_output(f, path);
}

int cli_microbench_report(const gicsim_mb_config *cfg, const gicsim_platform *p,
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
            cli_errorf("%s: the simulated test did not complete: %s", gicsim_mb_test_name(w->test),
                       gicsim_strerror(st));
            code = cli_mb_exit(st);
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
            snprintf(err, sizeof err, "%+.1f%%", cli_pct(w->err));
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
            if (fabs(rows[i].err) > CLI_CHECK_TOLERANCE) {
                n_off++;
                cli_errorf("check: %s: simulated %.1f ns, measured %.1f ns (%+.1f%%): off by more "
                           "than %.0f%%",
                           gicsim_mb_test_name(rows[i].test), rows[i].r.value_ns, rows[i].meas,
                           cli_pct(rows[i].err), 100.0 * CLI_CHECK_TOLERANCE);
            }
        }
        if (n_off)
            code = EX_FAIL;
        else
            printf("\ncheck: %zu measured value%s within %.0f%%\n", n_meas, n_meas == 1 ? "" : "s",
                   100.0 * CLI_CHECK_TOLERANCE);
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
