/* gicsim: fitting primitive costs to measured micro-bench figures (see
 * gicsim/calibrate.h for the method) and reading measured figures. */
#include "calibrate_internal.h"
#include "nnls.h"
#include "config/yaml_tree.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The default fit set ---------------------------------------------------------------
 *
 * One cost per test: a primitive on the test's path that the fewest other
 * tests' paths have, read off the finite-difference Jacobian of every cost
 * against every test (generic platform, VHE and nVHE: the choice must hold
 * for both), so that each figure pins down its own cost and any subset of
 * the ten has full rank:
 *
 *   hvc             hvc_handle      only hvc dispatches a hypercall
 *   mmio_read_user  mmio_user       only this test goes to the VMM
 *   mmio_read_vgic  mmio_kernel     also on lpi's path (the GITS_CWRITER
 *                                   trap), which has its_emulate of its own
 *   eoi             icv_eoir_write  only eoi writes ICV_EOIR1_EL1 by itself
 *   ipi             vcpu_kick       ipi and lpi kick vCPU 1 out of the guest
 *   ipi_hw          sgi_emulate     the trapped ICC_SGI1R_EL1 write, ipi's
 *                                   too; nothing else is on ipi_hw's path
 *                                   in both VHE (ITS vSGI) and nVHE (GICR
 *                                   access) but shared primitives
 *   lpi             its_emulate     only lpi runs the host's software ITS
 *   timer_10ms      virq_inject     the timer vIRQ's injection; also on
 *                                   ipi, lpi and timer_vm, each with a cost
 *                                   of its own (host_irq_entry is on one
 *                                   more path, timer_bm's)
 *   timer_bm        idle_exit       the idle PE's wake-up; timer_vm's too
 *   timer_vm        sched_wakeup    only timer_vm wakes a blocked vCPU
 */
static const gicsim_cost_id default_cost[GICSIM_MB__COUNT] = {
    [GICSIM_MB_HVC] = GICSIM_COST_HVC_HANDLE,
    [GICSIM_MB_MMIO_READ_USER] = GICSIM_COST_VMM_MMIO,
    [GICSIM_MB_MMIO_READ_VGIC] = GICSIM_COST_VGIC_MMIO,
    [GICSIM_MB_EOI] = GICSIM_COST_ICV_EOIR_WRITE,
    [GICSIM_MB_IPI] = GICSIM_COST_VCPU_KICK,
    [GICSIM_MB_IPI_HW] = GICSIM_COST_SGI_DISPATCH,
    [GICSIM_MB_LPI] = GICSIM_COST_ITS_CMD_EMULATE,
    [GICSIM_MB_TIMER_10MS] = GICSIM_COST_TIMER_IRQ,
    [GICSIM_MB_TIMER_BM] = GICSIM_COST_IDLE_EXIT,
    [GICSIM_MB_TIMER_VM] = GICSIM_COST_SCHED_WAKEUP,
    [GICSIM_MB_VCPU_LOAD] = GICSIM_COST_VPE_RESIDENT,
    [GICSIM_MB_DOORBELL_ENABLE] = GICSIM_COST_DOORBELL_ENABLE,
    [GICSIM_MB_MSI_INJECT] = GICSIM_COST_ITS_CACHE_OP,
};

gicsim_cost_id gicsim_calib_default_cost(gicsim_mb_test test)
{
    return (unsigned)test < GICSIM_MB__COUNT ? default_cost[test] : GICSIM_COST__COUNT;
}

/* ---- The fit ---------------------------------------------------------------------------- */

#define MAX_ITERATIONS 10
#define MAX_HALVINGS 4
#define MOVE_TOL 1e-4  /* converged: no cycle count moved by 0.01% or more */
#define STEP_REL 0.02  /* finite-difference step: 2% of the value, at least 1 cycle */
#define RANK_TOL 1e-2  /* a column with < 1% of its norm independent of the others */
#define MAX_CYCLES 1e9 /* no cost is fitted above 10^9 cycles */

static gicsim_status fail(gicsim_calib_result *out, gicsim_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static gicsim_status fail(gicsim_calib_result *out, gicsim_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    return st;
}

static void append(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t l = strlen(buf);
    if (l + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + l, size - l, fmt, ap);
    va_end(ap);
}

typedef struct fit_ctx {
    calib_model_fn model;
    void *mctx;
    gicsim_mb_config cfg; /* base; the fitted costs are set before each run */
    const gicsim_mb_test *tests;
    const double *meas;
    size_t m, n;
    const gicsim_cost_id *fit;
    gicsim_calib_result *out;
} fit_ctx;

/* Simulate every test at the integer point c[] (one value per fitted cost):
 * f[] gets the figures, *res (may be NULL) the weighted residual norm. */
static gicsim_status eval(fit_ctx *fc, const double *c, double *f, double *res)
{
    for (size_t j = 0; j < fc->n; j++)
        fc->cfg.timing.cycles[fc->fit[j]] = (uint64_t)c[j];
    double s = 0;
    for (size_t i = 0; i < fc->m; i++) {
        gicsim_status st = fc->model(fc->mctx, &fc->cfg, fc->tests[i], &f[i]);
        if (st == GICSIM_OK && !isfinite(f[i]))
            st = GICSIM_E_STATE;
        if (st != GICSIM_OK) {
            char where[256] = "";
            for (size_t j = 0; j < fc->n; j++)
                append(where, sizeof where, "%s%s = %.0f", j ? ", " : "",
                       gicsim_cost_name(fc->fit[j]), c[j]);
            return fail(fc->out, st, "simulating %s failed (%s) with %s",
                        gicsim_mb_test_name(fc->tests[i]), gicsim_strerror(st), where);
        }
        double r = (f[i] - fc->meas[i]) / fc->meas[i];
        s += r * r;
    }
    if (res)
        *res = sqrt(s);
    return GICSIM_OK;
}

/* Rank check of the scaled Jacobian A (m x n): GICSIM_E_INVAL with a
 * message naming the cost when it is not n. */
static gicsim_status check_rank(fit_ctx *fc, const double *A)
{
    bool combo[GICSIM_COST__COUNT];
    bool zero = false;
    size_t rank, dep;
    gicsim_status st = nnls_column_rank(A, fc->m, fc->n, RANK_TOL, &rank, &dep, combo, &zero);
    if (st != GICSIM_OK)
        return fail(fc->out, st, "rank check failed: %s", gicsim_strerror(st));
    fc->out->rank = rank;
    if (dep == fc->n)
        return GICSIM_OK;
    char tests[256] = "";
    for (size_t i = 0; i < fc->m; i++)
        append(tests, sizeof tests, "%s%s", i ? ", " : "", gicsim_mb_test_name(fc->tests[i]));
    const char *name = gicsim_cost_name(fc->fit[dep]);
    if (zero)
        return fail(fc->out, GICSIM_E_INVAL,
                    "cost %s has no effect on any measured test (%s): it cannot be fitted; "
                    "measure a test whose path has it or leave it out of the fit",
                    name, tests);
    char others[256] = "";
    size_t n_others = 0;
    for (size_t j = 0; j < dep; j++)
        if (combo[j])
            append(others, sizeof others, "%s%s", n_others++ ? ", " : "",
                   gicsim_cost_name(fc->fit[j]));
    if (n_others == 1)
        return fail(fc->out, GICSIM_E_INVAL,
                    "costs %s and %s are not separable: every measured test (%s) depends on "
                    "them in the same proportion; fit one of them",
                    others, name, tests);
    return fail(fc->out, GICSIM_E_INVAL,
                "cost %s is not separable from %s: its effect on the measured tests (%s) is a "
                "combination of theirs (Jacobian rank %zu < %zu costs)",
                name, others, tests, rank, fc->n);
}

static gicsim_status check_args(const gicsim_mb_config *base, const gicsim_mb_test *tests,
                                const double *measured_ns, size_t n_tests,
                                const gicsim_cost_id *fit, size_t n_fit, gicsim_calib_result *out)
{
    if (!base || (n_tests && (!tests || !measured_ns)) || (n_fit && !fit))
        return fail(out, GICSIM_E_INVAL, "a NULL argument");
    if (n_tests == 0)
        return fail(out, GICSIM_E_INVAL, "no measured figures");
    for (size_t i = 0; i < n_tests; i++) {
        if ((unsigned)tests[i] >= GICSIM_MB__COUNT)
            return fail(out, GICSIM_E_INVAL, "figure %zu: unknown micro-bench test %d", i,
                        (int)tests[i]);
        for (size_t k = 0; k < i; k++)
            if (tests[k] == tests[i])
                return fail(out, GICSIM_E_INVAL, "test %s is given twice",
                            gicsim_mb_test_name(tests[i]));
        if (!(measured_ns[i] > 0) || !isfinite(measured_ns[i]))
            return fail(out, GICSIM_E_INVAL, "%s: the measured figure must be a number > 0",
                        gicsim_mb_test_name(tests[i]));
    }
    for (size_t j = 0; j < n_fit; j++) {
        if ((unsigned)fit[j] >= GICSIM_COST__COUNT)
            return fail(out, GICSIM_E_INVAL, "fitted cost %zu: unknown cost %d", j, (int)fit[j]);
        for (size_t k = 0; k < j; k++)
            if (fit[k] == fit[j])
                return fail(out, GICSIM_E_INVAL, "cost %s is given twice",
                            gicsim_cost_name(fit[j]));
    }
    return GICSIM_OK;
}

gicsim_status calib_fit(calib_model_fn model, void *mctx, const gicsim_mb_config *base,
                        const gicsim_mb_test *tests, const double *measured_ns, size_t n_tests,
                        const gicsim_cost_id *fit, size_t n_fit, gicsim_calib_result *out)
{
    if (!out)
        return GICSIM_E_INVAL;
    memset(out, 0, sizeof *out);
    if (!model)
        return fail(out, GICSIM_E_INVAL, "no model");
    gicsim_status st = check_args(base, tests, measured_ns, n_tests, fit, n_fit, out);
    if (st != GICSIM_OK)
        return st;
    out->timing = base->timing;
    out->n_tests = n_tests;
    if (n_fit) {
        memcpy(out->fit, fit, n_fit * sizeof *fit);
        out->n_fit = n_fit;
    } else {
        for (size_t i = 0; i < n_tests; i++) {
            gicsim_cost_id id = default_cost[tests[i]];
            bool dup = false;
            for (size_t k = 0; k < out->n_fit; k++)
                dup |= out->fit[k] == id;
            if (!dup)
                out->fit[out->n_fit++] = id;
        }
    }
    const size_t m = n_tests, n = out->n_fit;
    if (n > m)
        return fail(out, GICSIM_E_INVAL,
                    "%zu costs cannot be fitted to %zu measured figures: fit at most as many "
                    "costs as there are figures",
                    n, m);

    fit_ctx fc = {model, mctx, *base, tests, measured_ns, m, n, out->fit, out};
    double *buf = malloc((m * n * 2 + m * 4 + n * 6) * sizeof *buf);
    if (!buf)
        return fail(out, GICSIM_E_NOMEM, "out of memory");
    double *J = buf, *A = J + m * n;
    double *f0 = A + m * n, *fj = f0 + m, *b = fj + m, *fc_f = b + m;
    double *c = fc_f + m, *y = c + n, *cand = y + n, *pt = cand + n, *scale = pt + n,
           *newc = scale + n;

    for (size_t j = 0; j < n; j++) {
        c[j] = (double)base->timing.cycles[out->fit[j]];
        if (c[j] > MAX_CYCLES)
            c[j] = MAX_CYCLES;
        /* The unknowns are solved for relative to their starting values. */
        scale[j] = c[j] > 1 ? c[j] : 1;
    }
    double res0;
    if ((st = eval(&fc, c, f0, &res0)) != GICSIM_OK)
        goto out;
    for (unsigned it = 1; it <= MAX_ITERATIONS; it++) {
        out->iterations = it;
        /* Coefficients: ns per cycle of each fitted cost, forward differences. */
        for (size_t j = 0; j < n; j++) {
            double h = round(STEP_REL * c[j]);
            if (h < 1)
                h = 1;
            memcpy(pt, c, n * sizeof *pt);
            pt[j] += h;
            if ((st = eval(&fc, pt, fj, NULL)) != GICSIM_OK)
                goto out;
            for (size_t i = 0; i < m; i++) {
                J[i * n + j] = (fj[i] - f0[i]) / h;
                A[i * n + j] = J[i * n + j] * scale[j] / measured_ns[i];
            }
        }
        if (it == 1 && (st = check_rank(&fc, A)) != GICSIM_OK)
            goto out;
        /* Linearized at c: f(x) ~ f0 + J (x - c). In scaled unknowns
         * y = x / scale, minimize || A y - b || with y >= 0. */
        for (size_t i = 0; i < m; i++) {
            double s = (measured_ns[i] - f0[i]) / measured_ns[i];
            for (size_t j = 0; j < n; j++)
                s += A[i * n + j] * c[j] / scale[j];
            b[i] = s;
        }
        /* GICSIM_E_STATE (the iteration limit) still leaves a feasible y. */
        st = nnls_solve(A, m, n, b, y, NULL);
        if (st != GICSIM_OK && st != GICSIM_E_STATE) {
            fail(out, st, "the least-squares step failed (%s)", gicsim_strerror(st));
            goto out;
        }
        for (size_t j = 0; j < n; j++) {
            newc[j] = y[j] * scale[j];
            if (newc[j] > MAX_CYCLES)
                newc[j] = MAX_CYCLES;
        }
        /* Step to the rounded solution; halve a step that makes things worse. */
        double lam = 1, resc = 0;
        bool accepted = false, same = true;
        for (int h = 0; h <= MAX_HALVINGS; h++, lam /= 2) {
            same = true;
            for (size_t j = 0; j < n; j++) {
                cand[j] = round(c[j] + lam * (newc[j] - c[j]));
                if (cand[j] < 0)
                    cand[j] = 0;
                same &= cand[j] == c[j];
            }
            if (same)
                break;
            if ((st = eval(&fc, cand, fc_f, &resc)) != GICSIM_OK)
                goto out;
            if (resc <= res0) {
                accepted = true;
                break;
            }
        }
        if (!accepted) {
            /* The integer point is where the linear model leads, or no step
             * along it improves: settled. */
            out->converged = true;
            break;
        }
        double move = 0;
        for (size_t j = 0; j < n; j++) {
            double d = fabs(cand[j] - c[j]) / (c[j] > 1 ? c[j] : 1);
            if (d > move)
                move = d;
        }
        memcpy(c, cand, n * sizeof *c);
        memcpy(f0, fc_f, m * sizeof *f0);
        res0 = resc;
        if (move < MOVE_TOL) {
            out->converged = true;
            break;
        }
    }
    /* The result: the integer point c and its figures f0 (simulated there). */
    st = GICSIM_OK;
    for (size_t j = 0; j < n; j++)
        out->timing.cycles[out->fit[j]] = (uint64_t)c[j];
    for (size_t i = 0; i < m; i++) {
        out->simulated_ns[i] = f0[i];
        out->rel_error[i] = (f0[i] - measured_ns[i]) / measured_ns[i];
        if (fabs(out->rel_error[i]) > out->max_abs_rel_error)
            out->max_abs_rel_error = fabs(out->rel_error[i]);
    }
out:
    free(buf);
    return st;
}

static gicsim_status mb_model(void *ctx, const gicsim_mb_config *cfg, gicsim_mb_test test,
                              double *ns)
{
    (void)ctx;
    gicsim_mb_result r;
    memset(&r, 0, sizeof r);
    gicsim_status st = gicsim_mb_run(cfg, test, &r);
    if (st == GICSIM_OK)
        *ns = r.value_ns;
    gicsim_mb_result_free(&r);
    return st;
}

gicsim_status gicsim_calibrate(const gicsim_mb_config *base, const gicsim_mb_test *tests,
                               const double *measured_ns, size_t n_tests, const gicsim_cost_id *fit,
                               size_t n_fit, gicsim_calib_result *out)
{
    return calib_fit(mb_model, NULL, base, tests, measured_ns, n_tests, fit, n_fit, out);
}

/* ---- Measured figures from a file ----------------------------------------------------------- */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "<digits>.<digits>" at s: true with the value and the end. */
static bool decimal_field(const char *s, double *v, const char **end)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p != '.')
        return false;
    p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p && *p != ' ' && *p != '\t')
        return false;
    *v = strtod(s, NULL);
    *end = p;
    return true;
}

/* A result line "NAME TOTAL.F AVG.F" (surrounding blanks allowed): the name
 * (NUL-terminated in name[]) and the average. */
static bool result_line(const char *line, char *name, size_t size, double *avg)
{
    const char *p = skip_ws(line), *start = p;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t len = (size_t)(p - start);
    if (!len || len >= size || (*p != ' ' && *p != '\t'))
        return false;
    memcpy(name, start, len);
    name[len] = '\0';
    double total;
    const char *e;
    if (!decimal_field(skip_ws(p), &total, &e) || !decimal_field(skip_ws(e), avg, &e))
        return false;
    return *skip_ws(e) == '\0';
}

static bool header_line(const char *line)
{
    const char *p = skip_ws(line);
    return !strncmp(p, "name", 4) && strstr(p, "total ns") && strstr(p, "avg ns");
}

/* Split text into lines in place ("\r\n" or "\n"); returns the count. */
static size_t split_lines(char *text, char **lines)
{
    size_t n = 0;
    for (char *p = text; *p;) {
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p += strlen(p);
        }
        size_t l = strlen(lines[n - 1]);
        if (l && lines[n - 1][l - 1] == '\r')
            lines[n - 1][l - 1] = '\0';
    }
    return n;
}

static gicsim_status load_log(const char *path, char **lines, size_t nl, gicsim_calib_measured *out,
                              gicsim_diag *d)
{
    unsigned seen_line[GICSIM_MB__COUNT] = {0};
    for (size_t i = 0; i < nl; i++) {
        char name[64];
        double avg;
        const char *p = skip_ws(lines[i]);
        bool ok = result_line(lines[i], name, sizeof name, &avg);
        if (!ok) {
            /* A known test's name starting a line that is not a result and
             * not "X test skipped" is a damaged result line. */
            size_t len = 0;
            while (isalnum((unsigned char)p[len]) || p[len] == '_')
                len++;
            gicsim_mb_test t;
            char word[64];
            if (len == 0 || len >= sizeof word)
                continue;
            memcpy(word, p, len);
            word[len] = '\0';
            if (gicsim_mb_test_lookup(word, &t) != GICSIM_OK)
                continue;
            const char *rest = skip_ws(p + len);
            if (!strncmp(rest, "test skipped", 12) || *rest == ':' || *rest == '\0')
                continue;
            return yt_diag(d, GICSIM_E_PARSE, path, (unsigned)i + 1, (unsigned)(p - lines[i]) + 1,
                           word,
                           "malformed result line: expected \"NAME TOTAL_NS AVG_NS\" with one "
                           "decimal each (kvm-unit-tests arm/micro-bench output)");
        }
        gicsim_mb_test t;
        if (gicsim_mb_test_lookup(name, &t) != GICSIM_OK) {
            out->n_ignored++;
            continue;
        }
        if (seen_line[t])
            return yt_diag(d, GICSIM_E_PARSE, path, (unsigned)i + 1, 1, name,
                           "a second result for %s (the first is on line %u): one run per file",
                           name, seen_line[t]);
        if (!(avg > 0))
            return yt_diag(d, GICSIM_E_PARSE, path, (unsigned)i + 1, 1, name,
                           "the average is 0 ns: no usable figure");
        seen_line[t] = (unsigned)i + 1;
        out->test[out->n] = t;
        out->ns[out->n] = avg;
        out->n++;
    }
    if (out->n == 0)
        return yt_diag(d, GICSIM_E_PARSE, path, 0, 0, "",
                       "no result line of a test gicsim models (%zu others) in the "
                       "kvm-unit-tests output",
                       out->n_ignored);
    return GICSIM_OK;
}

static gicsim_status load_yaml(const char *path, const char *text, size_t len,
                               gicsim_calib_measured *out, gicsim_diag *d)
{
    static const char *const keys[] = {"reference", "measured", "description",
                                       "vhe",       "clocks",   NULL};
    yt_node *root = NULL;
    gicsim_status st = yt_parse(text, len, path, 0, 0, &root, d);
    if (st != GICSIM_OK)
        return st;
    if (!root || yt_is_null(root)) {
        st = yt_diag(d, GICSIM_E_INVAL, path, 1, 1, "",
                     "empty: expected {reference: ..., measured: {TEST: NS, ...}} or "
                     "kvm-unit-tests arm/micro-bench output");
        goto out;
    }
    if (root->kind != YT_MAP) {
        st = yt_diag(d, GICSIM_E_INVAL, path, root->line, root->col, "",
                     "expected a mapping {reference: ..., measured: {TEST: NS, ...}} or "
                     "kvm-unit-tests arm/micro-bench output, got %s",
                     yt_type_name(root));
        goto out;
    }
    if ((st = yt_check_map(root, "", keys, d)) != GICSIM_OK)
        goto out;
    const yt_node *ref = yt_map_get(root, "reference");
    if (ref) {
        const char *s;
        if ((st = yt_get_str(ref, "reference", &s, d)) != GICSIM_OK)
            goto out;
        snprintf(out->reference, sizeof out->reference, "%s", s);
    }
    const yt_node *desc = yt_map_get(root, "description");
    if (desc) {
        const char *s;
        if ((st = yt_get_str(desc, "description", &s, d)) != GICSIM_OK)
            goto out;
        snprintf(out->description, sizeof out->description, "%s", s);
    }
    const yt_node *vhe = yt_map_get(root, "vhe");
    if (vhe) {
        if ((st = yt_get_bool(vhe, "vhe", &out->vhe, d)) != GICSIM_OK)
            goto out;
        out->has_vhe = true;
    }
    const yt_node *clocks = yt_map_get(root, "clocks");
    if (clocks) {
        static const char *const clock_keys[] = {"cpu", "gic", NULL};
        if ((st = yt_check_map(clocks, "clocks", clock_keys, d)) != GICSIM_OK)
            goto out;
        for (size_t i = 0; clocks->kind == YT_MAP && i < clocks->n; i++) {
            gicsim_clock_domain dom;
            char kp[64];
            snprintf(kp, sizeof kp, "clocks.%s", clocks->pairs[i].key);
            if (gicsim_clock_lookup(clocks->pairs[i].key, &dom) != GICSIM_OK)
                continue; /* yt_check_map accepted only known clocks */
            if ((st = yt_get_hz(clocks->pairs[i].value, kp, &out->clock_hz[dom], d)) != GICSIM_OK)
                goto out;
            out->has_clock[dom] = true;
        }
    }
    const yt_node *ms = yt_map_get(root, "measured");
    if (!ms) {
        st = yt_diag(d, GICSIM_E_INVAL, path, root->line, root->col, "measured",
                     "missing required key \"measured\"");
        goto out;
    }
    if ((st = sc_parse_measured(ms, "measured", out->test, out->ns, &out->n, d)) != GICSIM_OK)
        goto out;
    if (out->n == 0)
        st = yt_diag(d, GICSIM_E_INVAL, path, ms->line, ms->col, "measured", "no measured figures");
out:
    yt_free(root);
    return st;
}

gicsim_status gicsim_calib_measured_load(const char *path, gicsim_calib_measured *out,
                                         gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (out)
        memset(out, 0, sizeof *out);
    if (!path || !out)
        return yt_diag(diag, GICSIM_E_INVAL, "", 0, 0, "", "no path or no result pointer");
    char *text;
    size_t len;
    gicsim_status st = yt_read_file(path, &text, &len, diag);
    if (st != GICSIM_OK)
        return st;
    /* Which format: a kvm-unit-tests header or result line of a known test. */
    size_t max_lines = 1;
    for (size_t i = 0; i < len; i++)
        max_lines += text[i] == '\n';
    char *copy = malloc(len + 1);
    char **lines = malloc(max_lines * sizeof *lines);
    if (!copy || !lines) {
        free(copy);
        free(lines);
        free(text);
        return yt_diag(diag, GICSIM_E_NOMEM, "", 0, 0, "", "out of memory");
    }
    memcpy(copy, text, len + 1);
    size_t nl = split_lines(copy, lines);
    bool log = false;
    for (size_t i = 0; i < nl && !log; i++) {
        char name[64];
        double avg;
        gicsim_mb_test t;
        log = header_line(lines[i]) || (result_line(lines[i], name, sizeof name, &avg) &&
                                        gicsim_mb_test_lookup(name, &t) == GICSIM_OK);
    }
    if (log) {
        out->kvm_unit_tests = true;
        st = load_log(path, lines, nl, out, diag);
    } else {
        st = load_yaml(path, text, len, out, diag);
    }
    free(copy);
    free(lines);
    free(text);
    if (st != GICSIM_OK) {
        memset(out, 0, sizeof *out);
        if (diag && st == GICSIM_E_NOMEM)
            snprintf(diag->message, sizeof diag->message, "out of memory");
    }
    return st;
}
