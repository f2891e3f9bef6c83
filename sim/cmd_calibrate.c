/* gicsim calibrate MEASURED --platform NAME|FILE [--fit cost,...] [-o OUT.yaml]
 * [--name NAME]: fits the costs of --fit (default: one per measured test) so
 * that the simulated micro-benchmarks match MEASURED (a kvm-unit-tests
 * micro-bench log, or YAML {reference: ..., measured: {TEST: NS}}) and writes
 * the base preset with those costs as a new preset; the fit's report goes to
 * stderr. */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int lookup_cost(const char *name)
{
    gicsim_cost_id id;
    if (gicsim_cost_lookup(name, &id) == GICSIM_OK)
        return (int)id;
    const char *names[GICSIM_COST__COUNT];
    for (int c = 0; c < GICSIM_COST__COUNT; c++)
        names[c] = gicsim_cost_name((gicsim_cost_id)c);
    cli_unknown_name("cost", name, names, GICSIM_COST__COUNT);
    return -1;
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
                 cli_base_name(measured_path));
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

int cmd_calibrate(int argc, char **argv)
{
    const char *measured = NULL, *platform = NULL, *out = NULL, *name = NULL;
    char *fit_arg = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool known = !strcmp(a, "--platform") || !strcmp(a, "--fit") || !strcmp(a, "-o") ||
                     !strcmp(a, "--output") || !strcmp(a, "--name");
        if (!known) {
            static const char *const opts[] = {"--platform", "--fit", "-o", "--output", "--name"};
            if (a[0] == '-' && a[1])
                return cli_unknown_option("calibrate", a, opts, sizeof opts / sizeof opts[0]);
            if (measured)
                return cli_usage_error("unexpected argument '%s'", a);
            measured = a;
            continue;
        }
        char *v = cli_option_value(argc, argv, &i, "a value");
        if (!v)
            return EX_USAGE;
        if (!strcmp(a, "--platform"))
            platform = v;
        else if (!strcmp(a, "--fit"))
            fit_arg = v;
        else if (!strcmp(a, "--name"))
            name = v;
        else
            out = v;
    }
    if (!measured || !platform)
        return cli_usage_error("calibrate needs a MEASURED file and --platform BASE");
    gicsim_cost_id fit[GICSIM_COST__COUNT];
    size_t n_fit = 0;
    if (fit_arg) {
        int ids[GICSIM_COST__COUNT];
        int rc = cli_parse_name_list(fit_arg, "cost", "--fit", lookup_cost, ids, &n_fit);
        if (rc)
            return rc;
        for (size_t k = 0; k < n_fit; k++)
            fit[k] = (gicsim_cost_id)ids[k];
    }
    /* The preset's name must be its file name without ".yaml". */
    char namebuf[256];
    if (out && strcmp(out, "-")) {
        const char *b = cli_base_name(out);
        size_t l = strlen(b);
        if (l <= 5 || strcmp(b + l - 5, ".yaml"))
            return cli_usage_error("-o: a preset file is named NAME.yaml, got '%s'", out);
        snprintf(namebuf, sizeof namebuf, "%.*s", (int)(l - 5 < 255 ? l - 5 : 255), b);
        if (name && strcmp(name, namebuf))
            return cli_usage_error("--name %s does not match the output file %s (a preset's name "
                                   "is its file name)",
                                   name, b);
        name = namebuf;
    }

    /* The preset's file before the fit: a path that cannot be written fails at once. */
    const char *dest = out ? out : "-";
    cli_out preset;
    int code = cli_out_create(&preset, dest);
    if (code)
        return code;
    gicsim_diag diag;
    memset(&diag, 0, sizeof diag);
    gicsim_calib_measured m;
    gicsim_status st = gicsim_calib_measured_load(measured, &m, &diag);
    if (st != GICSIM_OK) {
        cli_report_diag(&diag, st);
        cli_out_discard(&preset);
        return st == GICSIM_E_NOMEM ? EX_SOFTWARE : EX_DATAERR;
    }
    if (m.n_ignored)
        cli_errorf("%s: ignored %zu result line%s of tests gicsim does not model", measured,
                   m.n_ignored, m.n_ignored == 1 ? "" : "s");
    gicsim_platform *base = NULL;
    code = cli_load_platform(platform, &base);
    if (code) {
        cli_out_discard(&preset);
        return code;
    }
    if (!name) {
        snprintf(namebuf, sizeof namebuf, "%.200s-calibrated", gicsim_platform_name(base));
        name = namebuf;
    }
    if (!valid_preset_name(name)) {
        cli_errorf("invalid preset name '%s' (letters, digits, '-', '_', '.')", name);
        gicsim_platform_free(base);
        cli_out_discard(&preset);
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
        cli_out_discard(&preset);
        return EX_SOFTWARE;
    }
    st = gicsim_calibrate(&cfg, m.test, m.ns, m.n, n_fit ? fit : NULL, n_fit, res);
    if (st != GICSIM_OK) {
        cli_errorf("calibrate: %s", res->message[0] ? res->message : gicsim_strerror(st));
        free(res);
        gicsim_platform_free(base);
        cli_out_discard(&preset);
        return cli_mb_exit(st);
    }

    FILE *f = cli_out_open(&preset);
    if (!f) {
        code = EX_CANTCREAT;
        cli_out_discard(&preset);
    } else {
        write_preset(f, name, base, cfg.vhe, measured, &m, res);
        code = cli_out_commit(&preset);
    }

    fprintf(stderr,
            "%s: %s: fitted %zu cost%s to %zu measured value%s from %s in %u iteration%s%s\n",
            cli_prog, name, res->n_fit, res->n_fit == 1 ? "" : "s", m.n, m.n == 1 ? "" : "s",
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
                res->simulated_ns[i], cli_pct(res->rel_error[i]));
    if (code == EX_OK && res->max_abs_rel_error > CLI_CHECK_TOLERANCE) {
        for (size_t i = 0; i < m.n; i++)
            if (fabs(res->rel_error[i]) > CLI_CHECK_TOLERANCE)
                cli_errorf("calibrate: %s is off by %+.1f%%: more than %.0f%%; fit other costs "
                           "(--fit) or start from another base",
                           gicsim_mb_test_name(m.test[i]), cli_pct(res->rel_error[i]),
                           100.0 * CLI_CHECK_TOLERANCE);
        code = EX_FAIL;
    }
    free(res);
    gicsim_platform_free(base);
    return code;
}
