/* gicsim: tests of parameter sweeps (gicsim/sweep.h) and of the rate syntax
 * of arrivals: rates as periods (units, rounding, errors, rate against
 * period in a file and in overrides); spec expansion (run order, ranges,
 * zip groups, ids, overrides, seeds); spec errors at their position in the
 * spec; plan.csv written and read back; the result tables (cells as the
 * runs reported them, mean and 95% confidence interval, order, errors);
 * the tables read back; and line charts (series, bands, styles, categories,
 * errors).
 *
 * The sweeps use configs/scenarios/ (GICSIM_SCENARIO_DIR) and write to
 * GICSIM_TEST_TMP. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef GICSIM_SCENARIO_DIR
#error "GICSIM_SCENARIO_DIR must name configs/scenarios"
#endif
#ifndef GICSIM_TEST_TMP
#error "GICSIM_TEST_TMP must name a scratch directory"
#endif

#define SC GICSIM_SCENARIO_DIR
#define TMP GICSIM_TEST_TMP

static char *tmp_path(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    mkdir(TMP, 0777);
    snprintf(b, sizeof buf[0], "%s/%s", TMP, name);
    return b;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* ---- Rates -------------------------------------------------------------------------------- */

static const char rate_scenario[] =
    "name: t\n"
    "vms: [{name: vm0, vcpus: 1, policy: eoi-split}]\n"
    "sources:\n"
    "  - {name: nic, kind: spi-edge, intid: 64, handler: 1us, arrival: {kind: poisson%s}}\n"
    "run: {duration: 1ms}\n";

/* Load the scenario with `arrival` keys and overrides: the status, and the
 * resolved period in *period (when it loads). */
static gicsim_status load_rate(const char *arrival, const char *const *ov, size_t n, char *period,
                               gicsim_diag *d)
{
    char text[1024];
    snprintf(text, sizeof text, rate_scenario, arrival);
    gicsim_scenario *sc = NULL;
    gicsim_status st = gicsim_scenario_load_string(text, SC "/rate.yaml", ov, n, &sc, d);
    if (st == GICSIM_OK) {
        char *j = NULL;
        assert_int_equal(gicsim_scenario_resolved_json(sc, &j), GICSIM_OK);
        const char *p = strstr(j, "\"period\": \"");
        assert_non_null(p);
        p += 11;
        snprintf(period, 32, "%.*s", (int)strcspn(p, "\""), p);
        free(j);
        gicsim_scenario_free(sc);
    }
    return st;
}

static void test_rates(void **state)
{
    (void)state;
    static const struct {
        const char *rate, *period;
    } ok[] = {
        {"200k/s", "5us"},  {"60k/s", "16.666667us"}, {"1.5M/s", "666.667ns"},
        {"50Hz", "20ms"},   {"3kHz", "333.333333us"}, {"2G/s", "500ps"},
        {"100 /s", "10ms"}, {"1 MHz", "1us"},         {"0.5/s", "2s"},
        {"250K/s", "4us"},  {"1mhz", "1us"},          {"3GHz", "333ps"},
    };
    char period[32], arrival[64];
    gicsim_diag d;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(arrival, sizeof arrival, ", rate: \"%s\"", ok[i].rate);
        gicsim_status st = load_rate(arrival, NULL, 0, period, &d);
        if (st != GICSIM_OK)
            fail_msg("%s: %s", ok[i].rate, d.message);
        assert_string_equal(period, ok[i].period);
    }
    static const struct {
        const char *rate, *why;
    } bad[] = {
        {"0/s", "greater than 0"},     {"7", "needs a unit"},
        {"5T/s", "unknown rate unit"}, {"-3k/s", "negative"},
        {"3m/s", "unknown rate"},      {"3THz", "unknown rate unit"},
        {"k/s", "expected a number"},  {"1e5/s", "without an exponent"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(arrival, sizeof arrival, ", rate: \"%s\"", bad[i].rate);
        assert_int_equal(load_rate(arrival, NULL, 0, period, &d), GICSIM_E_INVAL);
        assert_string_equal(d.key, "sources.0.arrival.rate");
        assert_int_equal(d.line, 4);
        if (!strstr(d.message, bad[i].why))
            fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].rate, d.message, bad[i].why);
    }
    /* A period too short for the picosecond: the rate is too high. */
    assert_int_equal(load_rate(", rate: 3000G/s", NULL, 0, period, &d), GICSIM_E_INVAL);
    assert_non_null(strstr(d.message, "too high"));

    /* rate and period in one file: one of them, please. */
    assert_int_equal(load_rate(", period: 5us, rate: 100k/s", NULL, 0, period, &d), GICSIM_E_INVAL);
    assert_string_equal(d.key, "sources.0.arrival.rate");
    assert_non_null(strstr(d.message, "say the same thing"));
    /* An override of one replaces the other. */
    const char *ov1[] = {"sources.0.arrival.rate=100k/s"};
    assert_int_equal(load_rate(", period: 5us", ov1, 1, period, &d), GICSIM_OK);
    assert_string_equal(period, "10us");
    const char *ov2[] = {"sources.0.arrival.period=3us"};
    assert_int_equal(load_rate(", rate: 100k/s", ov2, 1, period, &d), GICSIM_OK);
    assert_string_equal(period, "3us");
    /* ... and the later of two overrides wins, even over a replaced key. */
    const char *ov3[] = {"sources.0.arrival.rate=100k/s", "sources.0.arrival.period=7us"};
    assert_int_equal(load_rate(", period: 5us", ov3, 2, period, &d), GICSIM_OK);
    assert_string_equal(period, "7us");
    const char *ov4[] = {"sources.0.arrival={kind: periodic, period: 1us, rate: 1M/s}"};
    assert_int_equal(load_rate("", ov4, 1, period, &d), GICSIM_E_INVAL);
    assert_non_null(strstr(d.message, "say the same thing"));
    /* Not for arrivals without a period. */
    const char *ov5[] = {"sources.0.arrival={kind: manual, rate: 1M/s}"};
    assert_int_equal(load_rate("", ov5, 1, period, &d), GICSIM_E_INVAL);
    assert_non_null(strstr(d.message, "only applies to arrival kinds periodic"));
}

/* ---- Specs ---------------------------------------------------------------------------------- */

static gicsim_sweep *sweep_ok(const char *yaml)
{
    gicsim_sweep *sw = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_sweep_load_string(yaml, SC "/../sweeps/test.yaml", 0, &sw, &d);
    if (st != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    return sw;
}

static gicsim_status sweep_err(const char *yaml, gicsim_diag *d)
{
    gicsim_sweep *sw = NULL;
    gicsim_status st = gicsim_sweep_load_string(yaml, SC "/../sweeps/test.yaml", 0, &sw, d);
    assert_null(sw);
    assert_int_not_equal(st, GICSIM_OK);
    return st;
}

static const char *value_of(const gicsim_sweep *sw, size_t run, size_t axis)
{
    gicsim_sweep_run r;
    assert_int_equal(gicsim_sweep_plan_run(gicsim_sweep_plan_of(sw), run, &r), GICSIM_OK);
    return r.values[axis];
}

static void test_expansion_order(void **state)
{
    (void)state;
    gicsim_sweep *sw = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                                "set: {run.duration: 1ms}\n"
                                "axes:\n"
                                "  sources.0.handler: [1us, 2us]\n"
                                "  gic.lrs: [1, 2, 4]\n"
                                "platforms: [generic, neoverse-n1-kvm-vhe]\n"
                                "policies: [trap-inject, eoi-split]\n"
                                "replications: 3\n");
    const gicsim_sweep_plan *p = gicsim_sweep_plan_of(sw);
    assert_string_equal(gicsim_sweep_name(sw), "test");
    assert_non_null(strstr(gicsim_sweep_scenario(sw), "scenarios/nic-load.yaml"));
    assert_int_equal(gicsim_sweep_plan_run_count(p), 2 * 2 * 3 * 2 * 3);
    assert_int_equal(gicsim_sweep_plan_axis_count(p), 2);
    assert_string_equal(gicsim_sweep_plan_axis(p, 0), "sources.0.handler");
    assert_string_equal(gicsim_sweep_plan_axis(p, 1), "gic.lrs");
    assert_null(gicsim_sweep_plan_axis(p, 2));
    assert_int_equal(gicsim_sweep_plan_replications(p), 3);
    /* replication fastest, then policy, then the last axis ... platform slowest */
    gicsim_sweep_run r;
    for (size_t i = 0; i < gicsim_sweep_plan_run_count(p); i++) {
        assert_int_equal(gicsim_sweep_plan_run(p, i, &r), GICSIM_OK);
        assert_int_equal(r.index, i);
        assert_int_equal(r.replication, i % 3);
        assert_string_equal(r.policy, (i / 3) % 2 ? "eoi-split" : "trap-inject");
        static const char *const lrs[] = {"1", "2", "4"};
        assert_string_equal(r.values[1], lrs[(i / 6) % 3]);
        assert_string_equal(r.values[0], (i / 18) % 2 ? "2us" : "1us");
        assert_string_equal(r.platform, i / 36 ? "neoverse-n1-kvm-vhe" : "generic");
        assert_int_equal(strlen(r.id), 12);
        assert_true(r.id[0] >= 'a' && r.id[0] <= 'f'); /* never read as a number */
        assert_int_equal(gicsim_sweep_plan_find(p, r.id), i);
        /* replication 0 keeps run.seed; the others differ from it and each other */
        if (r.replication == 0)
            assert_int_equal(r.seed, 1);
        else
            assert_int_not_equal(r.seed, 1);
    }
    gicsim_sweep_run r1, r2;
    gicsim_sweep_plan_run(p, 1, &r1);
    gicsim_sweep_plan_run(p, 2, &r2);
    assert_int_not_equal(r1.seed, r2.seed);
    assert_int_equal(gicsim_sweep_plan_run(p, 72, &r), GICSIM_E_RANGE);
    assert_int_equal(gicsim_sweep_plan_find(p, "nope"), SIZE_MAX);

    /* A run's overrides: set, platform, axes, policy on every VM, seed. */
    char **ov = NULL;
    size_t n = 0;
    assert_int_equal(gicsim_sweep_run_overrides(sw, 40, &ov, &n), GICSIM_OK);
    gicsim_sweep_plan_run(p, 40, &r);
    char seed[64];
    snprintf(seed, sizeof seed, "run.seed=%llu", (unsigned long long)r.seed);
    const char *want[] = {"run.duration=1ms",       "platform=neoverse-n1-kvm-vhe",
                          "sources.0.handler=1us",  "gic.lrs=1",
                          "vms.0.policy=eoi-split", seed};
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(ov[i], want[i]);
    assert_null(ov[n]);
    gicsim_sweep_overrides_free(ov);
    assert_int_equal(gicsim_sweep_run_overrides(sw, 72, &ov, &n), GICSIM_E_RANGE);

    /* Ids are the same for the same spec, and change with what a run is. */
    gicsim_sweep *again = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                                   "set: {run.duration: 1ms}\n"
                                   "axes:\n"
                                   "  sources.0.handler: [1us, 2us]\n"
                                   "  gic.lrs: [1, 2, 4]\n"
                                   "platforms: [generic, neoverse-n1-kvm-vhe]\n"
                                   "policies: [trap-inject, eoi-split]\n"
                                   "replications: 3\n");
    assert_true(gicsim_sweep_plan_equal(p, gicsim_sweep_plan_of(again)));
    gicsim_sweep_free(again);
    gicsim_sweep *other = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                                   "set: {run.duration: 2ms}\n"
                                   "axes: {gic.lrs: [1]}\n");
    gicsim_sweep_plan_run(gicsim_sweep_plan_of(other), 0, &r2);
    for (size_t i = 0; i < gicsim_sweep_plan_run_count(p); i++) {
        gicsim_sweep_plan_run(p, i, &r);
        assert_string_not_equal(r.id, r2.id);
    }
    /* no policies: the scenario's run.policies */
    assert_int_equal(gicsim_sweep_plan_run_count(gicsim_sweep_plan_of(other)), 2);
    assert_string_equal(r2.policy, "trap-inject");
    gicsim_sweep_free(other);
    gicsim_sweep_free(sw);

    /* A scenario that names output files has them switched off (the runs
     * would all write them at once); its run.seed is replication 0's. */
    const char *scp = tmp_path("with-outputs.yaml");
    char spec[1200];
    write_file(scp, "name: o\n"
                    "vms: [{name: vm0, vcpus: 1, policy: eoi-split}]\n"
                    "sources: [{name: nic, kind: spi-edge, intid: 64, handler: 1us}]\n"
                    "run: {duration: 1ms, seed: 7}\n"
                    "outputs: {csv: all-runs.csv}\n");
    snprintf(spec, sizeof spec, "scenario: %s\nreplications: 2\n", scp);
    gicsim_sweep *o = sweep_ok(spec);
    assert_int_equal(gicsim_sweep_run_overrides(o, 0, &ov, &n), GICSIM_OK);
    const char *want_o[] = {"outputs={}", "vms.0.policy=eoi-split", "run.seed=7"};
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(ov[i], want_o[i]);
    gicsim_sweep_overrides_free(ov);
    gicsim_sweep_free(o);
}

static void test_ranges_and_zip(void **state)
{
    (void)state;
    gicsim_sweep *sw = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                                "set: {sources.0.arrival: {kind: poisson}}\n"
                                "axes:\n"
                                "  sources.0.arrival.rate: {from: 50k/s, to: 400k/s, steps: 4, "
                                "scale: log}\n"
                                "  zip:\n"
                                "    gic.lrs: {from: 1, to: 16, steps: 4}\n"
                                "    sources.0.handler: {from: 1us, to: 4us, steps: 4}\n"
                                "policies: [eoi-split]\n");
    const gicsim_sweep_plan *p = gicsim_sweep_plan_of(sw);
    assert_int_equal(gicsim_sweep_plan_run_count(p), 16);
    static const char *const rates[] = {"50k/s", "100k/s", "200k/s", "400k/s"};
    static const char *const lrs[] = {"1", "6", "11", "16"};
    static const char *const handlers[] = {"1us", "2us", "3us", "4us"};
    for (size_t i = 0; i < 16; i++) {
        assert_string_equal(value_of(sw, i, 0), rates[i / 4]);
        assert_string_equal(value_of(sw, i, 1), lrs[i % 4]); /* zipped: together */
        assert_string_equal(value_of(sw, i, 2), handlers[i % 4]);
    }
    gicsim_sweep_free(sw);

    sw = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                  "axes:\n"
                  "  sources.0.arrival.period: {from: 1us, to: 100us, steps: 3, scale: log}\n"
                  "  zip:\n"
                  "    - {gic.lrs: [1, 2]}\n"
                  "    - {sources.0.arrival.spacing: [1.5us, 500ns]}\n"
                  "  vms.0.halt_poll: {values: [0s, 2.5us]}\n");
    assert_int_equal(gicsim_sweep_plan_axis_count(gicsim_sweep_plan_of(sw)), 4);
    assert_string_equal(value_of(sw, 0, 0), "1us");
    assert_string_equal(value_of(sw, 16, 0), "10us");
    assert_string_equal(value_of(sw, 32, 0), "100us");
    assert_string_equal(value_of(sw, 0, 3), "0s");
    assert_string_equal(value_of(sw, 2, 3), "2.5us");
    gicsim_sweep_free(sw);

    /* decimals and rates that are not whole */
    sw = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                  "set: {sources.0.arrival: {kind: poisson}}\n"
                  "axes:\n"
                  "  sources.0.arrival.rate: {from: 1k/s, to: 10k/s, steps: 3, scale: log}\n"
                  "policies: [eoi-split]\n");
    assert_string_equal(value_of(sw, 1, 0), "3.16228k/s");
    gicsim_sweep_free(sw);
}

/* One bad spec: its status, line, column, key and a part of the message. */
typedef struct bad_spec {
    const char *yaml;
    unsigned line, column;
    const char *key, *why;
} bad_spec;

static void test_errors(void **state)
{
    (void)state;
    static const bad_spec bad[] = {
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrs: [1, 2, 99]\n", 3, 19, "gic.lrs",
         "out of range"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrz: [1, 2]\n", 3, 3, "gic.lrz",
         "did you mean \"lrs\""},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  run.replications: [1, 3]\n", 3, 3,
         "run.replications", "give the spec's replications"},
        {"scenario: ../scenarios/nic-load.yaml\nset:\n  run.replications: 2\n", 3, 3,
         "run.replications", "one seed each"},
        {"scenario: ../scenarios/nic-load.yaml\npolicies: [eoi-split, gicv4-direct]\n", 2, 23,
         "vms.0.policy", "needs gic.version"},
        {"scenario: ../scenarios/nic-load.yaml\npolicies: [eoi-split, nope]\n", 2, 23, "policies.1",
         "unknown policy"},
        {"scenario: ../scenarios/nic-load.yaml\nplatforms: [generic, nope]\n", 2, 22, "platform",
         "unknown platform"},
        {"scenario: ../scenarios/no-such.yaml\n", 1, 11, "scenario", "no-such.yaml"},
        {"scenarios: x\n", 1, 1, "scenarios", "did you mean \"scenario\""},
        {"name: x\n", 1, 1, "scenario", "missing required key"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  zip:\n    gic.lrs: [1, 2]\n"
         "    gic.pes: [2, 4, 8]\n",
         5, 5, "gic.pes", "zipped axes vary together"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrs: [1, 2, 1]\n", 3, 19, "gic.lrs",
         "repeats value 0"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrs: {from: 1, to: 3, steps: 9}\n", 3,
         12, "gic.lrs", "repeats value"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrs: {from: 0, to: 4, steps: 3, "
         "scale: log}\n",
         3, 19, "gic.lrs.from", "greater than 0"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  sources.0.handler: {from: 1us, to: 3, "
         "steps: 3}\n",
         3, 38, "sources.0.handler.to", "kind of \"from\""},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrs: 4\n", 3, 12, "gic.lrs",
         "expected a list of values or a range"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrs: []\n", 3, 12, "gic.lrs",
         "at least one value"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic..lrs: [1]\n", 3, 3, "gic..lrs",
         "key path"},
        {"scenario: ../scenarios/nic-load.yaml\nset: {gic.lrs: 2}\naxes:\n  gic.lrs: [1]\n", 4, 3,
         "gic.lrs", "also fixed by set"},
        {"scenario: ../scenarios/nic-load.yaml\nreplications: 0\n", 2, 15, "replications",
         "out of range"},
        {"scenario: ../scenarios/nic-load.yaml\naxes:\n  gic.lrs: {values: [1], steps: 2}\n", 3, 26,
         "gic.lrs.steps", "give either values or a range"},
        {"scenario: ../microbench/micro-bench.yaml\n", 1, 11, "scenario", "micro-bench"},
        /* an error the scenario file holds for one point names the point */
        {"scenario: ../scenarios/seed004-timer.yaml\naxes: {vms: [[]]}\n", 0, 0, "",
         "no VM is named \"vm0\" (in the sweep's point vms=[])"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gicsim_diag d;
        sweep_err(bad[i].yaml, &d);
        if (!strstr(d.message, bad[i].why) ||
            (bad[i].line &&
             (d.line != bad[i].line || d.column != bad[i].column || strcmp(d.key, bad[i].key))))
            fail_msg("spec %zu: got %s:%u:%u: %s: %s; want %u:%u: %s: ...%s...", i, d.file, d.line,
                     d.column, d.key, d.message, bad[i].line, bad[i].column, bad[i].key,
                     bad[i].why);
        if (bad[i].line)
            assert_non_null(strstr(d.file, "sweeps/test.yaml"));
    }
    /* Too many runs fails before any scenario is loaded per point. */
    gicsim_sweep *sw = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_sweep_load_string("scenario: ../scenarios/nic-load.yaml\n"
                                              "axes: {gic.lrs: {from: 1, to: 16, steps: 16}}\n"
                                              "replications: 10\n",
                                              SC "/../sweeps/t.yaml", 100, &sw, &d),
                     GICSIM_E_INVAL);
    assert_non_null(strstr(d.message, "320 runs; at most 100"));
    assert_int_equal(gicsim_sweep_load_string("scenario: [\n", "x.yaml", 0, &sw, &d),
                     GICSIM_E_PARSE);
    assert_int_equal(gicsim_sweep_load_string(NULL, "x.yaml", 0, &sw, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_sweep_load(TMP "/no/such/spec.yaml", &sw, &d), GICSIM_E_IO);
    assert_null(gicsim_sweep_name(NULL));
    gicsim_sweep_free(NULL);
}

/* ---- plan.csv ---------------------------------------------------------------------------- */

static void test_plan_csv(void **state)
{
    (void)state;
    gicsim_sweep *sw = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                                "axes:\n"
                                "  gic.lrs: [1, 2]\n"
                                "  sources.0.name: ['nic, rx', 'say \"hi\"']\n"
                                "  sources.0.arrival: [{kind: periodic, period: 20us}, "
                                "{kind: periodic, period: 40us}]\n"
                                "replications: 2\n");
    const gicsim_sweep_plan *p = gicsim_sweep_plan_of(sw);
    /* a flow mapping is written back as flow YAML; a quoted string stays one */
    assert_string_equal(value_of(sw, 0, 1), "\"nic, rx\"");
    assert_string_equal(value_of(sw, 8, 1), "\"say \\\"hi\\\"\"");
    assert_string_equal(value_of(sw, 0, 2), "{kind: periodic, period: 20us}");
    assert_string_equal(value_of(sw, 4, 2), "{kind: periodic, period: 40us}");
    const char *path = tmp_path("plan.csv");
    assert_int_equal(gicsim_sweep_plan_write(p, path), GICSIM_OK);
    char *text = read_file(path);
    const char *head =
        "index,id,gic.lrs,sources.0.name,sources.0.arrival,platform,policy,replication,seed\n";
    assert_memory_equal(text, head, strlen(head));
    /* CSV quoting: commas and quotes */
    assert_non_null(
        strstr(text, ",1,\"\"\"nic, rx\"\"\",\"{kind: periodic, period: 20us}\",generic,"));
    assert_non_null(strstr(text, ",\"\"\"say \\\"\"hi\\\"\"\"\"\","));
    free(text);
    gicsim_sweep_plan *back = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_sweep_plan_read(path, &back, &d), GICSIM_OK);
    assert_true(gicsim_sweep_plan_equal(p, back));
    assert_int_equal(gicsim_sweep_plan_replications(back), 2);
    gicsim_sweep_plan_free(back);

    static const struct {
        const char *text, *why;
        unsigned line;
    } bad[] = {
        {"a,b\n1,2\n", "not a sweep plan", 1},
        {"index,id,platform,policy,replication,seed\n1,0123456789ab,g,p,0,1\n", "run index 0", 2},
        {"index,id,platform,policy,replication,seed\n0,xyz,g,p,0,1\n", "12 hex", 2},
        {"index,id,platform,policy,replication,seed\n0,0123456789ab,g,p,0\n", "fields", 2},
        {"index,id,platform,policy,replication,seed\n0,0123456789ab,g,p,0,\"1\n", "not closed", 2},
        {"index,id,platform,policy,replication,seed\n0,0123456789ab,g,p,0,1\n"
         "1,0123456789ac,g,p,0,1\n2,0123456789ad,g,p,1,1\n",
         "replication", 3},
        {"", "empty", 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i].text);
        assert_int_equal(gicsim_sweep_plan_read(path, &back, &d), GICSIM_E_PARSE);
        assert_null(back);
        if (!strstr(d.message, bad[i].why) || d.line != bad[i].line)
            fail_msg("plan %zu: %u: %s", i, d.line, d.message);
    }
    assert_int_equal(gicsim_sweep_plan_read(TMP "/no/such.csv", &back, &d), GICSIM_E_IO);
    assert_int_equal(gicsim_sweep_plan_write(p, TMP "/no/such/dir/plan.csv"), GICSIM_E_IO);
    gicsim_sweep_free(sw);
}

/* ---- Tables ------------------------------------------------------------------------------ */

/* A run summary as the json writer shapes it, with p99 = `p99` ns. */
static char *summary_json(double p99, bool with_null)
{
    char *s = malloc(2048);
    snprintf(s, 2048,
             "{\"gicsim\": \"x\", \"scenario\": \"s\", \"policy\": \"p\", \"config\": {\"a\": "
             "[1, {\"b\": null}]},\n"
             " \"results\": {\"sim_time_ps\": 1000, \"exits\": {\"total\": 10, \"irq\": 4},\n"
             "  \"exits_per_delivered\": {\"total\": 0.500000, \"irq\": 0.200000, \"wfi\": %s},\n"
             "  \"hyp_time_share\": 0.125000, \"maintenance_irqs\": 3, \"lr_spills\": 2,\n"
             "  \"doorbells\": 0, \"kicks\": 1, \"wakeups\": 5, \"asserted\": 21,\n"
             "  \"delivered\": 20, \"merged\": 1, \"pending\": 0,\n"
             "  \"latency\": {\"all\": {\"count\": 20, \"mean_ns\": 100.500, \"p50_ns\": 90.000,\n"
             "    \"p90_ns\": 150.000, \"p99_ns\": %.3f, \"p999_ns\": 300.000, \"max_ns\": "
             "310.000},\n"
             "   \"sources\": {\"nic\": {\"count\": 12, \"mean_ns\": 80.000, \"p99_ns\": 90.000},\n"
             "                \"disk\": {\"count\": 8, \"mean_ns\": null, \"p99_ns\": %.3f}}}}}\n",
             with_null ? "null" : "0.300000", p99, p99 / 2);
    return s;
}

/* The cell of `column` in line `line` (0: the header) of a CSV text
 * without quoted fields. */
static void cell(const char *csv, size_t line, const char *column, char *out, size_t size)
{
    const char *l = csv;
    size_t col = 0;
    const char *h = csv;
    for (size_t c = 0;; c++) {
        size_t n = strcspn(h, ",\n");
        if (n == strlen(column) && !strncmp(h, column, n)) {
            col = c;
            break;
        }
        if (h[n] != ',')
            fail_msg("no column %s", column);
        h += n + 1;
    }
    for (size_t i = 0; i < line; i++)
        l = strchr(l, '\n') + 1;
    for (size_t c = 0; c < col; c++)
        l += strcspn(l, ",\n") + 1;
    size_t n = strcspn(l, ",\n");
    snprintf(out, size, "%.*s", (int)n, l);
}

static void test_tables(void **state)
{
    (void)state;
    gicsim_sweep *sw = sweep_ok("scenario: ../scenarios/nic-load.yaml\n"
                                "set: {sources.0.arrival: {kind: poisson}}\n"
                                "axes:\n"
                                "  sources.0.arrival.rate: [100k/s, 1.5M/s]\n"
                                "  sources.0.handler: [800ns]\n"
                                "policies: [eoi-split]\n"
                                "replications: 3\n");
    const gicsim_sweep_plan *p = gicsim_sweep_plan_of(sw);
    const char *res = tmp_path("results.csv"), *sum = tmp_path("summary.csv");
    gicsim_sweep_tables *t = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_sweep_tables_open(p, res, sum, &t), GICSIM_OK);
    static const double p99[6] = {100, 200, 300, 50, 0, 0};
    for (size_t i = 0; i < 4; i++) { /* runs 4 and 5 failed: not added */
        char *j = summary_json(p99[i], i == 3);
        assert_int_equal(gicsim_sweep_tables_add(t, i, j, &d), GICSIM_OK);
        free(j);
    }
    char *j = summary_json(1, false);
    assert_int_equal(gicsim_sweep_tables_add(t, 2, j, &d), GICSIM_E_STATE);
    assert_int_equal(gicsim_sweep_tables_add(t, 6, j, &d), GICSIM_E_RANGE);
    free(j);
    assert_int_equal(gicsim_sweep_tables_add(t, 4, "{\"results\": 3}", &d), GICSIM_E_PARSE);
    assert_int_equal(gicsim_sweep_tables_add(t, 4, "{\"results\": [", &d), GICSIM_E_PARSE);
    assert_int_equal(gicsim_sweep_tables_close(t, true), GICSIM_OK);

    char *r = read_file(res);
    /* 4 runs x (all + 2 sources) + the header */
    assert_int_equal(count(r, "\n"), 13);
    char c[64];
    cell(r, 0, "sources.0.arrival.rate_hz", c, sizeof c); /* the rate's twin */
    assert_string_equal(c, "sources.0.arrival.rate_hz");
    cell(r, 1, "sources.0.arrival.rate_hz", c, sizeof c);
    assert_string_equal(c, "100000");
    cell(r, 10, "sources.0.arrival.rate_hz", c, sizeof c);
    assert_string_equal(c, "1500000");
    cell(r, 1, "sources.0.handler_ns", c, sizeof c);
    assert_string_equal(c, "800");
    cell(r, 1, "source", c, sizeof c);
    assert_string_equal(c, "all");
    cell(r, 2, "source", c, sizeof c);
    assert_string_equal(c, "nic");
    cell(r, 3, "source", c, sizeof c);
    assert_string_equal(c, "disk");
    cell(r, 1, "latency_p99_ns", c, sizeof c); /* as the run wrote it */
    assert_string_equal(c, "100.000");
    cell(r, 1, "exits_per_irq_irq", c, sizeof c);
    assert_string_equal(c, "0.200000");
    cell(r, 1, "exits_per_irq_maintenance", c, sizeof c); /* absent: empty */
    assert_string_equal(c, "");
    cell(r, 10, "exits_per_irq_wfi", c, sizeof c); /* null: empty */
    assert_string_equal(c, "");
    cell(r, 2, "delivered", c, sizeof c); /* a source's delivered: its count */
    assert_string_equal(c, "12");
    cell(r, 2, "exits_total", c, sizeof c); /* a system figure: not per source */
    assert_string_equal(c, "");
    cell(r, 1, "id", c, sizeof c);
    gicsim_sweep_run run0;
    gicsim_sweep_plan_run(p, 0, &run0);
    assert_string_equal(c, run0.id);
    free(r);

    char *s = read_file(sum);
    assert_int_equal(count(s, "\n"), 1 + 3 + 3);
    cell(s, 1, "replications", c, sizeof c);
    assert_string_equal(c, "3");
    cell(s, 1, "latency_p99_ns_mean", c, sizeof c);
    assert_string_equal(c, "200.000");
    /* sd 100, n 3: t(0.975, 2) = 4.303; 4.303 * 100 / sqrt(3) */
    cell(s, 1, "latency_p99_ns_ci95", c, sizeof c);
    assert_string_equal(c, "248.434");
    cell(s, 3, "latency_p99_ns_mean", c, sizeof c); /* disk: p99 / 2 */
    assert_string_equal(c, "100.000");
    cell(s, 2, "latency_mean_ns_mean", c, sizeof c);
    assert_string_equal(c, "80.000");
    cell(s, 3, "latency_mean_ns_mean", c, sizeof c); /* only nulls: empty */
    assert_string_equal(c, "");
    cell(s, 1, "hyp_time_share_mean", c, sizeof c);
    assert_string_equal(c, "0.125000");
    cell(s, 1, "hyp_time_share_ci95", c, sizeof c); /* no spread */
    assert_string_equal(c, "0.000000");
    /* the second point: one run, no interval */
    cell(s, 4, "replications", c, sizeof c);
    assert_string_equal(c, "1");
    cell(s, 4, "latency_p99_ns_mean", c, sizeof c);
    assert_string_equal(c, "50.000");
    cell(s, 4, "latency_p99_ns_ci95", c, sizeof c);
    assert_string_equal(c, "");
    free(s);

    /* Nothing added: headers only; close without commit leaves no file. */
    assert_int_equal(gicsim_sweep_tables_open(p, res, NULL, &t), GICSIM_OK);
    assert_int_equal(gicsim_sweep_tables_close(t, true), GICSIM_OK);
    r = read_file(res);
    assert_int_equal(count(r, "\n"), 1);
    free(r);
    const char *gone = tmp_path("gone.csv");
    remove(gone);
    assert_int_equal(gicsim_sweep_tables_open(p, gone, NULL, &t), GICSIM_OK);
    assert_int_equal(gicsim_sweep_tables_close(t, false), GICSIM_OK);
    FILE *f = fopen(gone, "rb");
    assert_null(f);
    assert_int_equal(gicsim_sweep_tables_open(p, TMP "/no/such/dir/r.csv", NULL, &t), GICSIM_E_IO);
    assert_int_equal(gicsim_sweep_tables_open(NULL, res, NULL, &t), GICSIM_E_INVAL);
    gicsim_sweep_free(sw);
}

/* ---- Reading tables back, and line charts ------------------------------------------ */

static void test_csv_read(void **state)
{
    (void)state;
    const char *csv = tmp_path("read.csv");
    write_file(csv, "a,\"b, c\",d\r\n1,\"x \"\"y\"\"\",-2.50\n,,\n");
    gicsim_sweep_csv *t = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_sweep_csv_read(csv, &t, &d), GICSIM_OK);
    assert_int_equal(gicsim_sweep_csv_rows(t), 2);
    assert_int_equal(gicsim_sweep_csv_columns(t), 3);
    assert_string_equal(gicsim_sweep_csv_header(t, 1), "b, c");
    assert_null(gicsim_sweep_csv_header(t, 3));
    assert_string_equal(gicsim_sweep_csv_cell(t, 0, 1), "x \"y\"");
    assert_string_equal(gicsim_sweep_csv_cell(t, 1, 0), "");
    assert_null(gicsim_sweep_csv_cell(t, 2, 0));
    assert_int_equal(gicsim_sweep_csv_find(t, "d"), 2);
    assert_int_equal(gicsim_sweep_csv_find(t, "e"), SIZE_MAX);
    double v;
    assert_true(gicsim_sweep_csv_number(gicsim_sweep_csv_cell(t, 0, 2), &v));
    assert_true(v == -2.5);
    assert_false(gicsim_sweep_csv_number(gicsim_sweep_csv_cell(t, 1, 2), &v)); /* empty */
    assert_false(gicsim_sweep_csv_number("1e5", &v));
    assert_false(gicsim_sweep_csv_number("3.", &v));
    gicsim_sweep_csv_free(t);
    write_file(csv, "a,b\n1\n");
    assert_int_equal(gicsim_sweep_csv_read(csv, &t, &d), GICSIM_E_PARSE);
    assert_int_equal(d.line, 2);
    assert_int_equal(gicsim_sweep_csv_read(TMP "/no/such.csv", &t, &d), GICSIM_E_IO);
    assert_null(t);
}

static void test_line_chart(void **state)
{
    (void)state;
    const char *svg = tmp_path("lines.svg");
    static const double x[3] = {1e4, 1e5, 1e6}, y[3] = {100, 200, 400};
    static const double lo[3] = {-20, 180, 400}, hi[3] = {120, 220, 400};
    /* two identical lines with bands, on a log x axis */
    gicsim_plot_series s[2] = {
        {.label = "a", .x = x, .y = y, .lo = lo, .hi = hi, .n = 3, .colour = 0, .dash = 0},
        {.label = "b <2>", .x = x, .y = y, .lo = lo, .hi = hi, .n = 3, .colour = 1, .dash = 1}};
    gicsim_line_chart c = {.title = "t & u",
                           .x_label = "rate (1/s, log scale)",
                           .y_label = "p99 latency (ns)",
                           .log_x = true,
                           .series = s,
                           .n_series = 2};
    assert_int_equal(gicsim_output_lines_svg(svg, &c), GICSIM_OK);
    char *t = read_file(svg);
    assert_memory_equal(t, "<svg", 4);
    assert_int_equal(count(t, "<polyline"), 2);
    assert_int_equal(count(t, "fill-opacity=\"0.15\""), 2); /* the bands */
    assert_non_null(strstr(t, ">rate (1/s, log scale)<"));
    assert_non_null(strstr(t, ">p99 latency (ns)<"));
    assert_non_null(strstr(t, ">t &amp; u<"));
    assert_non_null(strstr(t, ">b &lt;2&gt;</text>"));
    assert_non_null(strstr(t, ">100k<")); /* SI tick labels */
    /* identical lines stay visible: the later one thinner, other colour and dash */
    assert_non_null(strstr(t, "stroke=\"#0072B2\" stroke-width=\"3.20\" stroke-linejoin"));
    assert_non_null(strstr(t, "stroke=\"#D55E00\" stroke-width=\"2.75\" stroke-dasharray"));
    assert_non_null(strstr(t, "<circle"));                /* a's marker */
    assert_non_null(strstr(t, "<polygon fill=\"none\"")); /* b's square */
    /* a band of a quantity >= 0 stays above 0: the y axis starts at 0 */
    assert_non_null(strstr(t, ">0</text>"));
    assert_null(strstr(t, ">-"));
    free(t);

    /* categories, no band, a page of its own size; a log y axis skips 0 */
    static const char *const cats[3] = {"trap-inject", "eoi-split", "did"};
    static const double cx[3] = {0, 1, 2}, cy[3] = {3, 0, 1};
    gicsim_plot_series one = {.x = cx, .y = cy, .n = 3};
    gicsim_line_chart cc = {.x_categories = cats,
                            .n_categories = 3,
                            .log_y = true,
                            .series = &one,
                            .n_series = 1,
                            .style = {.width = 500, .height = 300, .font_size = 9}};
    assert_int_equal(gicsim_output_lines_svg(svg, &cc), GICSIM_OK);
    t = read_file(svg);
    assert_non_null(strstr(t, ">eoi-split</text>"));
    assert_non_null(strstr(t, ">series 0</text>"));
    assert_non_null(strstr(t, "width=\"500\" height=\"300\""));
    assert_int_equal(count(t, "fill-opacity=\"0.15\""), 0);
    /* 2 points left: 2 markers plus the legend's */
    assert_int_equal(count(t, "<circle"), 3);
    free(t);

    /* no data at all: empty axes */
    gicsim_line_chart empty = {0};
    assert_int_equal(gicsim_output_lines_svg(svg, &empty), GICSIM_OK);

    /* errors */
    static const double bad_x[1] = {3};
    gicsim_plot_series bad = {.x = bad_x, .y = cy, .n = 1};
    cc.series = &bad;
    assert_int_equal(gicsim_output_lines_svg(svg, &cc), GICSIM_E_INVAL); /* category 3 of 3 */
    gicsim_plot_series half = {.x = x, .y = y, .lo = lo, .n = 3};
    c.series = &half;
    c.n_series = 1;
    assert_int_equal(gicsim_output_lines_svg(svg, &c), GICSIM_E_INVAL); /* lo without hi */
    assert_int_equal(gicsim_output_lines_svg(NULL, &c), GICSIM_E_INVAL);
    assert_int_equal(gicsim_output_lines_svg(svg, NULL), GICSIM_E_INVAL);
    c.series = s;
    assert_int_equal(gicsim_output_lines_svg(TMP "/no/such/dir/x.svg", &c), GICSIM_E_IO);
}

/* The replication statistics `run` and `compare` use: the mean and the
 * Student-t half-width of 1..5 (sd 1.5811, t(4) 2.776), Welch's interval of
 * a difference (two samples of sd 1.5811: df 8, t 2.306), nothing below 2
 * values, and the replication seeds (replication 0 is run.seed). */
static void test_replication_stats(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3, 4, 5}, y[] = {11, 12, 13, 14, 15};
    double mean, half, diff;
    gicsim_sweep_mean_ci(x, 5, &mean, &half);
    assert_float_equal(mean, 3, 1e-12);
    assert_float_equal(half, 2.776 * sqrt(2.5) / sqrt(5.0), 1e-9);
    gicsim_sweep_diff_ci(x, 5, y, 5, &diff, &half);
    assert_float_equal(diff, 10, 1e-12);
    assert_float_equal(half, 2.306 * sqrt(1.0), 1e-9);
    gicsim_sweep_diff_ci(x, 5, x, 5, &diff, &half);
    assert_true(fabs(diff) <= half); /* within noise */
    gicsim_sweep_mean_ci(x, 1, &mean, &half);
    assert_float_equal(mean, 1, 1e-12);
    assert_float_equal(half, 0, 1e-12);
    gicsim_sweep_diff_ci(x, 1, y, 5, &diff, &half);
    assert_float_equal(half, 0, 1e-12);
    assert_int_equal(gicsim_sweep_replication_seed(77, 0), 77);
    assert_true(gicsim_sweep_replication_seed(77, 1) != gicsim_sweep_replication_seed(77, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_expansion_order),
        cmocka_unit_test(test_ranges_and_zip),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_plan_csv),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_csv_read),
        cmocka_unit_test(test_line_chart),
        cmocka_unit_test(test_replication_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
