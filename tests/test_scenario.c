/* gicsim: tests of the YAML scenario layer (gicsim/scenario.h): every sample
 * file in tests/scenario/good/ loads, builds under each of its policies and
 * runs; every file in tests/scenario/bad/ fails with the status, position
 * and key path listed in bad_files[] (one file per error class); overrides
 * (applied, added, and each kind of bad override); the resolved JSON
 * (defaults and every cost present, overrides visible, deterministic, and
 * itself a well-formed document); platform lookup (next to the file,
 * $GICSIM_PLATFORM_PATH, the built-in fallback); time and frequency syntax;
 * and what gicsim_scenario_build hands to the system (policy override,
 * seeds, trace sources).
 *
 * The sample files are read from GICSIM_TEST_DATA_DIR (tests/scenario in the
 * source tree, set by tests/CMakeLists.txt). The internal yaml_tree API is
 * used to check time parsing and to read the JSON back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "config/yaml_tree.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GICSIM_TEST_DATA_DIR
#error "GICSIM_TEST_DATA_DIR must name tests/scenario"
#endif

#define DATA GICSIM_TEST_DATA_DIR

static char *data_path(const char *rel)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", DATA, rel);
    return b;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static gicsim_scenario *load_ok(const char *path, const char *const *ov, size_t n)
{
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_scenario_load(path, ov, n, &sc, &d);
    if (st != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s (%s)", d.file, d.line, d.column, d.key, d.message,
                 gicsim_strerror(st));
    assert_non_null(sc);
    return sc;
}

static char *json_of(const gicsim_scenario *sc)
{
    char *j = NULL;
    assert_int_equal(gicsim_scenario_resolved_json(sc, &j), GICSIM_OK);
    assert_non_null(j);
    return j;
}

/* The JSON read back as a tree (JSON is YAML). */
static yt_node *json_tree(const char *json)
{
    yt_node *root = NULL;
    gicsim_diag d;
    gicsim_status st = yt_parse(json, strlen(json), "<json>", 0, 0, &root, &d);
    if (st != GICSIM_OK)
        fail_msg("resolved JSON does not parse: %u:%u: %s", d.line, d.column, d.message);
    assert_non_null(root);
    assert_int_equal(root->kind, YT_MAP);
    return root;
}

/* A value by dotted path ("gic.pes", "vms.0.policy"). */
static const yt_node *jget(const yt_node *n, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *seg = strtok(buf, "."); seg && n; seg = strtok(NULL, ".")) {
        if (n->kind == YT_SEQ) {
            size_t i = strtoul(seg, NULL, 10);
            n = i < n->n ? n->items[i] : NULL;
        } else {
            n = yt_map_get(n, seg);
        }
    }
    if (!n)
        fail_msg("no %s in the resolved JSON", path);
    return n;
}

static void assert_jstr(const yt_node *root, const char *path, const char *want)
{
    const yt_node *n = jget(root, path);
    assert_int_equal(n->kind, YT_SCALAR);
    if (strcmp(n->str, want) != 0)
        fail_msg("%s: \"%s\", expected \"%s\"", path, n->str, want);
}

static void assert_ju64(const yt_node *root, const char *path, uint64_t want)
{
    const yt_node *n = jget(root, path);
    assert_int_equal(n->kind, YT_SCALAR);
    if (strtoull(n->str, NULL, 10) != want)
        fail_msg("%s: %s, expected %llu", path, n->str, (unsigned long long)want);
}

/* ---- Time and frequency syntax ---- */

static void test_time_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        gicsim_time_t ps;
    } ok[] = {
        {"200us", GICSIM_US(200)},
        {"1.5ms", 1500000000ull},
        {"100ns", GICSIM_NS(100)},
        {"20s", 20000000000000ull},
        {"250ps", 250},
        {"1.5 us", 1500000},
        {"0", 0},
        {"0.000001us", 1},
        {"3\xc2\xb5s", GICSIM_US(3)},
        {"0.250ns", 250},
        {"18446744ms", 18446744000000000ull},
    };
    static const char *const bad[] = {"5",     "5 min",  "1.5ps",  "-1us",      "us",         "",
                                      "1e3us", "1..2us", "0x10us", "20000000s", "1.0000001ns"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        gicsim_time_t t = 1;
        const char *why = NULL;
        if (yt_parse_time(ok[i].text, &t, &why) != GICSIM_OK)
            fail_msg("\"%s\" rejected: %s", ok[i].text, why);
        assert_int_equal(t, ok[i].ps);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gicsim_time_t t;
        const char *why = NULL;
        if (yt_parse_time(bad[i], &t, &why) == GICSIM_OK)
            fail_msg("\"%s\" accepted as %llu ps", bad[i], (unsigned long long)t);
        assert_non_null(why);
    }
    /* Formatting is exact and parses back. */
    static const gicsim_time_t samples[] = {
        0, 1, 999, 1000, 1500000, GICSIM_MS(4), 1234567891234ull, GICSIM_US(20), UINT64_MAX / 2};
    char buf[64];
    yt_format_time(GICSIM_US(1) + GICSIM_NS(500), buf, sizeof buf);
    assert_string_equal(buf, "1.5us");
    yt_format_time(GICSIM_MS(4), buf, sizeof buf);
    assert_string_equal(buf, "4ms");
    yt_format_time(0, buf, sizeof buf);
    assert_string_equal(buf, "0s");
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        gicsim_time_t t;
        const char *why;
        yt_format_time(samples[i], buf, sizeof buf);
        assert_int_equal(yt_parse_time(buf, &t, &why), GICSIM_OK);
        assert_int_equal(t, samples[i]);
    }
}

static void test_frequency_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t hz;
    } ok[] = {{"3GHz", 3000000000ull},       {"1.5GHz", 1500000000ull}, {"800MHz", 800000000ull},
              {"2000000000", 2000000000ull}, {"100 kHz", 100000},       {"50hz", 50}};
    char yaml[256];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(yaml, sizeof yaml,
                 "name: f\nplatform_overrides: {clocks: {cpu: %s}}\nrun: {duration: 1us}\n",
                 ok[i].text);
        gicsim_scenario *sc = NULL;
        gicsim_diag d;
        if (gicsim_scenario_load_string(yaml, "freq", NULL, 0, &sc, &d) != GICSIM_OK)
            fail_msg("%s rejected: %s", ok[i].text, d.message);
        char *j = json_of(sc);
        yt_node *root = json_tree(j);
        assert_ju64(root, "platform.clocks.cpu", ok[i].hz);
        assert_ju64(root, "platform_overrides.clocks.cpu", ok[i].hz);
        yt_free(root);
        free(j);
        gicsim_scenario_free(sc);
    }
    static const char *const bad[] = {"0", "1.5Hz", "3 parsecs", "-1GHz", "2THz", "\"3\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(yaml, sizeof yaml,
                 "name: f\nplatform_overrides:\n  clocks:\n    gic: %s\nrun: {duration: 1us}\n",
                 bad[i]);
        gicsim_scenario *sc = NULL;
        gicsim_diag d;
        gicsim_status st = gicsim_scenario_load_string(yaml, "freq", NULL, 0, &sc, &d);
        if (st != GICSIM_E_INVAL)
            fail_msg("%s: status %d", bad[i], st);
        assert_null(sc);
        assert_int_equal(d.line, 4);
        assert_int_equal(d.column, 10);
        assert_string_equal(d.key, "platform_overrides.clocks.gic");
    }
}

/* ---- Good files ---- */

static size_t list_yaml(const char *dir, char names[][128], size_t max)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s: %s", dir, strerror(errno));
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max)
        if (ends_with(e->d_name, ".yaml"))
            snprintf(names[n++], 128, "%.127s", e->d_name);
    closedir(d);
    /* Sorted, so the order of the runs does not depend on the directory. */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            char t[128];
            memcpy(t, names[k], sizeof t);
            memcpy(names[k], names[k - 1], sizeof t);
            memcpy(names[k - 1], t, sizeof t);
        }
    return n;
}

static void run_briefly(const gicsim_scenario *sc, const char *policy)
{
    gicsim_system *sys = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_scenario_build(sc, policy, &sys, &d);
    if (st != GICSIM_OK)
        fail_msg("build (%s): %s:%u: %s: %s", policy ? policy : "own policies", d.file, d.line,
                 d.key, d.message);
    assert_int_equal(gicsim_system_num_sources(sys), gicsim_scenario_source_count(sc));
    assert_int_equal(gicsim_system_num_vms(sys), gicsim_scenario_vm_count(sc));
    gicsim_time_t dur = gicsim_scenario_duration(sc);
    if (dur > GICSIM_US(500))
        dur = GICSIM_US(500);
    /* Manual and trace-driven sources: the caller triggers them. */
    for (size_t i = 0; i < gicsim_scenario_source_count(sc); i++) {
        const gicsim_source_config *c = gicsim_system_source_config(sys, (uint32_t)i);
        assert_non_null(c);
        if (c->arrival == GICSIM_ARRIVE_MANUAL)
            assert_int_equal(gicsim_source_trigger(sys, (uint32_t)i), GICSIM_OK);
    }
    gicsim_system_run_for(sys, dur);
    gicsim_system_stats s;
    gicsim_system_get_stats(sys, &s);
    assert_int_equal(s.asserted, s.delivered + s.merged + s.pending);
    if (gicsim_scenario_source_count(sc))
        assert_true(s.asserted > 0);
    assert_int_equal(gicsim_system_check_invariants(sys, NULL, 0), GICSIM_OK);
    gicsim_system_destroy(sys);
}

static void test_good_files(void **state)
{
    (void)state;
    char names[64][128];
    size_t n = list_yaml(data_path("good"), names, 64);
    assert_true(n >= 4);
    for (size_t i = 0; i < n; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "good/%.127s", names[i]);
        gicsim_scenario *sc = load_ok(data_path(rel), NULL, 0);
        assert_non_null(gicsim_scenario_name(sc));
        assert_true(gicsim_scenario_duration(sc) > 0);
        char *j = json_of(sc);
        yt_node *root = json_tree(j);
        yt_free(root);
        free(j);
        run_briefly(sc, NULL);
        for (size_t p = 0; p < gicsim_scenario_policy_count(sc); p++)
            run_briefly(sc, gicsim_scenario_policy(sc, p));
        gicsim_scenario_free(sc);
    }
}

static void test_full_values(void **state)
{
    (void)state;
    gicsim_scenario *sc = load_ok(data_path("good/full.yaml"), NULL, 0);
    assert_string_equal(gicsim_scenario_name(sc), "full");
    assert_int_equal(gicsim_scenario_duration(sc), GICSIM_MS(2));
    assert_int_equal(gicsim_scenario_seed(sc), 7);
    assert_int_equal(gicsim_scenario_policy_count(sc), 3);
    assert_string_equal(gicsim_scenario_policy(sc, 2), "trap-inject-nomask");
    assert_null(gicsim_scenario_policy(sc, 3));
    assert_int_equal(gicsim_scenario_vm_count(sc), 2);
    assert_string_equal(gicsim_scenario_vm_name(sc, 1), "batch");
    assert_null(gicsim_scenario_vm_name(sc, 2));
    assert_int_equal(gicsim_scenario_source_count(sc), 6);
    assert_string_equal(gicsim_scenario_source_name(sc, 0), "nic");
    assert_null(gicsim_scenario_source_trace(sc, 0));
    assert_null(gicsim_scenario_source_trace(sc, 4)); /* manual */
    const char *trace = gicsim_scenario_source_trace(sc, 5);
    assert_non_null(trace);
    assert_true(ends_with(trace, "/good/../traces/replay.trace"));
    FILE *f = fopen(trace, "r"); /* resolved relative to the scenario file */
    assert_non_null(f);
    fclose(f);
    assert_string_equal(gicsim_scenario_output(sc, "json"), "out/full.json");
    assert_string_equal(gicsim_scenario_output(sc, "cdf"), "out/full-cdf.svg");
    assert_null(gicsim_scenario_output(sc, "pdf"));
    assert_null(gicsim_scenario_output(sc, NULL));
    assert_string_equal(gicsim_scenario_platform(sc), "testplat");
    assert_true(ends_with(gicsim_scenario_platform_file(sc), "good/../platforms/testplat.yaml"));

    char *j = json_of(sc);
    yt_node *r = json_tree(j);
    /* Preset values, then platform_overrides on top. */
    assert_jstr(r, "platform.vhe", "true"); /* testplat says false, overridden */
    assert_ju64(r, "platform.clocks.cpu", 2000000000ull);
    assert_ju64(r, "platform.clocks.gic", 1000000000ull);
    assert_ju64(r, "platform.costs.exc_to_el2", 80);
    assert_ju64(r, "platform.costs.sched_wakeup", 0x800);
    assert_ju64(r, "platform.costs.vcpu_kick", 250);
    assert_ju64(r, "platform.costs.gic_mmio", 256);
    assert_ju64(r, "platform.costs.icc_iar_read",
                gicsim_cost_default_cycles(GICSIM_COST_ICC_IAR_READ));
    assert_jstr(r, "platform.reference", "nothing: a test fixture");
    assert_jstr(r, "platform.measured.hvc", "306");
    assert_jstr(r, "platform.measured.eoi", "14.5");
    assert_jstr(r, "platform.fitted.0", "hvc_handle");
    assert_jstr(r, "platform.predicts.1", "timer_bm");
    assert_jstr(r, "platform_overrides.vhe", "true");
    assert_ju64(r, "platform_overrides.costs.vcpu_kick", 250);
    assert_null(yt_map_get(jget(r, "platform_overrides.costs"), "exc_to_el2"));
    assert_jstr(r, "gic.version", "v4.1");
    assert_ju64(r, "gic.pes_per_cluster", 4);
    assert_ju64(r, "host.kick_sgi", 1);
    assert_jstr(r, "vms.0.halt_poll", "10us");
    assert_ju64(r, "vms.0.guest_eoimode", 1);
    assert_jstr(r, "vms.1.wfi", "native");
    assert_jstr(r, "vms.1.guest", "busy");
    assert_jstr(r, "vms.1.pinned", "false");
    assert_ju64(r, "sources.0.priority", 0x80);
    assert_jstr(r, "sources.0.handler", "1.5us");
    assert_ju64(r, "sources.0.arrival.seed", 42);
    assert_jstr(r, "sources.0.arrival.start", "5us");
    assert_ju64(r, "sources.1.route_pe", 4); /* batch's vCPU 0 starts on PE 4 */
    assert_jstr(r, "sources.1.deassert_at", "1us");
    assert_ju64(r, "sources.1.arrival.burst", 4);
    assert_jstr(r, "sources.1.arrival.start", "300us"); /* default: one period */
    assert_jstr(r, "sources.3.reply", "true");
    assert_jstr(r, "sources.4.arrival.kind", "manual");
    assert_jstr(r, "sources.5.arrival.kind", "trace");
    assert_jstr(r, "outputs.vcd", "out/full.vcd");
    yt_free(r);
    free(j);
    gicsim_scenario_free(sc);
}

/* ---- Bad files: one per error class ---- */

typedef struct bad_case {
    const char *file; /* in tests/scenario/bad/ */
    gicsim_status status;
    unsigned line, column; /* column 0: not checked */
    const char *key;
    const char *in_file; /* the file the error is reported in, if not `file` (suffix) */
    const char *message; /* a substring of the message */
} bad_case;

static const bad_case bad_files[] = {
    {"yaml-syntax.yaml", GICSIM_E_PARSE, 6, 1, "", NULL, "did not find expected ',' or ']'"},
    {"tab-indent.yaml", GICSIM_E_PARSE, 4, 1, "", NULL, "tabs cannot be used"},
    {"duplicate-key.yaml", GICSIM_E_PARSE, 6, 3, "gic.pes", NULL, "duplicate key \"pes\""},
    {"undefined-alias.yaml", GICSIM_E_PARSE, 3, 6, "run", NULL, "*nowhere"},
    {"two-documents.yaml", GICSIM_E_PARSE, 4, 1, "", NULL, "second YAML document"},
    {"empty.yaml", GICSIM_E_INVAL, 1, 1, "", NULL, "empty"},
    {"comment-only.yaml", GICSIM_E_INVAL, 1, 1, "", NULL, "empty"},
    {"non-mapping-root.yaml", GICSIM_E_INVAL, 2, 1, "", NULL, "got a list"},
    {"unknown-top-key.yaml", GICSIM_E_INVAL, 3, 1, "source", NULL, "did you mean \"sources\""},
    {"unknown-nested-key.yaml", GICSIM_E_INVAL, 6, 5, "vms.0.polcy", NULL, "unknown key"},
    {"wrong-type.yaml", GICSIM_E_INVAL, 4, 8, "gic.pes", NULL, "expected an integer"},
    {"wrong-type-bool.yaml", GICSIM_E_INVAL, 5, 13, "vms.0.nested", NULL, "true or false"},
    {"wrong-type-quoted-int.yaml", GICSIM_E_INVAL, 4, 8, "gic.lrs", NULL, "got a string"},
    {"negative-count.yaml", GICSIM_E_INVAL, 5, 12, "vms.0.vcpus", NULL, "non-negative"},
    {"time-no-unit.yaml", GICSIM_E_INVAL, 4, 13, "run.duration", NULL, "needs a unit"},
    {"time-bad-unit.yaml", GICSIM_E_INVAL, 9, 14, "sources.0.handler", NULL, "unknown time unit"},
    {"time-sub-ps.yaml", GICSIM_E_INVAL, 4, 13, "run.duration", NULL, "resolution"},
    {"zero-duration.yaml", GICSIM_E_INVAL, 4, 13, "run.duration", NULL, "greater than 0"},
    {"pes-range.yaml", GICSIM_E_INVAL, 4, 8, "gic.pes", NULL, "out of range (1..4096)"},
    {"lrs-range.yaml", GICSIM_E_INVAL, 3, 25, "gic.lrs", NULL, "out of range (1..16)"},
    {"priority-bits-range.yaml", GICSIM_E_INVAL, 4, 18, "gic.priority_bits", NULL, "(4..8)"},
    {"priority-range.yaml", GICSIM_E_INVAL, 9, 15, "sources.0.priority", NULL, "(0..255)"},
    {"unknown-policy.yaml", GICSIM_E_INVAL, 5, 13, "vms.0.policy", NULL, "unknown policy"},
    {"unknown-run-policy.yaml", GICSIM_E_INVAL, 9, 7, "run.policies.1", NULL, "eoi-merge"},
    {"unknown-platform.yaml", GICSIM_E_INVAL, 3, 11, "platform", NULL, "unknown platform"},
    {"preset-name-mismatch.yaml", GICSIM_E_INVAL, 2, 7, "name", "/platforms/mismatch.yaml",
     "does not match"},
    {"unknown-cost.yaml", GICSIM_E_INVAL, 6, 5, "platform_overrides.costs.coffee_break", NULL,
     "unknown cost"},
    {"bad-frequency.yaml", GICSIM_E_INVAL, 5, 10, "platform_overrides.clocks.cpu", NULL,
     "unknown unit"},
    {"calib-unknown-test.yaml", GICSIM_E_INVAL, 5, 3, "measured.hvcc",
     "/platforms/calib-unknown-test.yaml", "unknown micro-bench test \"hvcc\""},
    {"calib-bad-figure.yaml", GICSIM_E_INVAL, 5, 8, "measured.eoi",
     "/platforms/calib-bad-figure.yaml", "greater than 0"},
    {"calib-not-a-number.yaml", GICSIM_E_INVAL, 3, 17, "measured.hvc",
     "/platforms/calib-not-a-number.yaml", "expected a number of ns"},
    {"calib-unknown-cost.yaml", GICSIM_E_INVAL, 4, 22, "fitted.1",
     "/platforms/calib-unknown-cost.yaml", "unknown cost \"coffee_break\""},
    {"calib-fitted-too-many.yaml", GICSIM_E_INVAL, 4, 9, "fitted",
     "/platforms/calib-fitted-too-many.yaml", "2 fitted costs but 1 measured values"},
    {"calib-predicts-measured.yaml", GICSIM_E_INVAL, 5, 20, "predicts.1",
     "/platforms/calib-predicts-measured.yaml", "is in measured"},
    {"duplicate-vm.yaml", GICSIM_E_INVAL, 7, 11, "vms.1.name", NULL, "duplicate VM name"},
    {"missing-vm.yaml", GICSIM_E_INVAL, 9, 9, "sources.0.vm", NULL, "no VM is named \"vm2\""},
    {"vcpu-range.yaml", GICSIM_E_INVAL, 10, 11, "sources.0.vcpu", NULL, "has 2 vCPUs"},
    {"intid-spi-range.yaml", GICSIM_E_INVAL, 9, 12, "sources.0.intid", NULL, "not an SPI"},
    {"intid-sgi-range.yaml", GICSIM_E_INVAL, 11, 12, "sources.0.intid", NULL, "not an SGI"},
    {"duplicate-spi.yaml", GICSIM_E_INVAL, 7, 39, "sources.1.intid", NULL, "already"},
    {"missing-duration.yaml", GICSIM_E_INVAL, 4, 3, "run.duration", NULL, "missing required"},
    {"missing-name.yaml", GICSIM_E_INVAL, 2, 1, "name", NULL, "missing required"},
    {"missing-vm-name.yaml", GICSIM_E_INVAL, 4, 5, "vms.0.name", NULL, "missing required"},
    {"trace-without-file.yaml", GICSIM_E_INVAL, 10, 7, "sources.0.arrival.file", NULL,
     "missing required"},
    {"halt-poll-native.yaml", GICSIM_E_INVAL, 6, 5, "vms.0.halt_poll", NULL, "wfi: trap"},
    {"eoimode-conflict.yaml", GICSIM_E_INVAL, 8, 13, "vms.1.policy", NULL, "EOImode"},
    {"msi-not-lpi.yaml", GICSIM_E_INVAL, 6, 35, "sources.0.intid", NULL, "not an LPI"},
    {"direct-on-v3.yaml", GICSIM_E_INVAL, 6, 13, "vms.0.policy", NULL, "needs gic.version v4.0"},
    {"policies-two-gics.yaml", GICSIM_E_INVAL, 8, 13, "vms.1.policy", NULL, "share one GIC"},
    {"iwb-wires-range.yaml", GICSIM_E_INVAL, 3, 31, "gic.iwb_wires", NULL, "groups of 32"},
    {"msi-key-on-spi.yaml", GICSIM_E_INVAL, 6, 44, "sources.0.device_id", NULL,
     "only applies to kind msi"},
    {"deassert-after-handler.yaml", GICSIM_E_INVAL, 10, 18, "sources.0.deassert_at", NULL,
     "after the end of the handler"},
    {"key-not-for-kind.yaml", GICSIM_E_INVAL, 9, 5, "sources.0.reply", NULL, "only applies"},
    {"unknown-source-kind.yaml", GICSIM_E_INVAL, 7, 11, "sources.0.kind", NULL, "spi-edge"},
    {"pes-first-range.yaml", GICSIM_E_INVAL, 6, 18, "vms.0.pes.first", NULL, "does not exist"},
    {"host-timer-no-pe.yaml", GICSIM_E_INVAL, 5, 5, "sources.0.pe", NULL, "missing required"},
    {"microbench-with-vms.yaml", GICSIM_E_INVAL, 4, 1, "vms", NULL, "unknown key"},
    {"microbench-test-twice.yaml", GICSIM_E_INVAL, 3, 21, "microbench.tests.2", NULL,
     "listed twice"},
    {"microbench-iterations-zero.yaml", GICSIM_E_INVAL, 3, 15, "microbench.iterations", NULL,
     "out of range"},
    {"host-timer-pe-range.yaml", GICSIM_E_INVAL, 5, 38, "sources.0.pe", NULL,
     "PE 2 does not exist"},
    {"host-timer-vm-key.yaml", GICSIM_E_INVAL, 9, 5, "sources.0.vm", NULL,
     "does not apply to kind host-timer"},
    {"host-timer-handler.yaml", GICSIM_E_INVAL, 4, 41, "sources.0.handler", NULL,
     "does not apply to kind host-timer"},
    {"pe-not-host-timer.yaml", GICSIM_E_INVAL, 6, 44, "sources.0.pe", NULL,
     "only applies to kind host-timer"},
    {"direct-vtimer-on-v3.yaml", GICSIM_E_INVAL, 6, 13, "vms.0.policy", NULL,
     "needs gic.version v4.0"},
};
#define N_BAD (sizeof bad_files / sizeof bad_files[0])

static void check_diag(const char *what, gicsim_status st, const gicsim_diag *d, gicsim_status want,
                       const char *want_file, unsigned line, unsigned column, const char *key,
                       const char *msg)
{
    if (st != want || d->line != line || (column && d->column != column) ||
        strcmp(d->key, key) != 0 || !ends_with(d->file, want_file) ||
        (msg && !strstr(d->message, msg)))
        fail_msg("%s: got %s at %s:%u:%u key \"%s\": %s\n"
                 "  expected %s at ...%s:%u:%u key \"%s\" (message with \"%s\")",
                 what, gicsim_strerror(st), d->file, d->line, d->column, d->key, d->message,
                 gicsim_strerror(want), want_file, line, column, key, msg ? msg : "");
}

static void test_bad_files(void **state)
{
    (void)state;
    assert_true(N_BAD >= 24);
    for (size_t i = 0; i < N_BAD; i++) {
        const bad_case *c = &bad_files[i];
        char rel[200];
        snprintf(rel, sizeof rel, "bad/%s", c->file);
        const char *path = data_path(rel);
        gicsim_scenario *sc = (gicsim_scenario *)(uintptr_t)1;
        gicsim_diag d;
        memset(&d, 0x5A, sizeof d);
        gicsim_status st = gicsim_scenario_load(path, NULL, 0, &sc, &d);
        assert_null(sc);
        check_diag(c->file, st, &d, c->status, c->in_file ? c->in_file : path, c->line, c->column,
                   c->key, c->message);
        assert_true(strlen(d.message) > 0);
    }
}

/* Every file in bad/ is in the table (and every table entry has its file). */
static void test_bad_table_complete(void **state)
{
    (void)state;
    char names[128][128];
    size_t n = list_yaml(data_path("bad"), names, 128);
    assert_int_equal(n, N_BAD);
    for (size_t i = 0; i < n; i++) {
        size_t k;
        for (k = 0; k < N_BAD && strcmp(bad_files[k].file, names[i]); k++)
            ;
        if (k == N_BAD)
            fail_msg("bad/%s has no entry in bad_files[]", names[i]);
    }
}

static void test_io_error(void **state)
{
    (void)state;
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    const char *path = data_path("good/no-such-file.yaml");
    assert_int_equal(gicsim_scenario_load(path, NULL, 0, &sc, &d), GICSIM_E_IO);
    assert_null(sc);
    assert_string_equal(d.file, path);
    assert_int_equal(d.line, 0);
    assert_non_null(strstr(d.message, strerror(ENOENT)));
    /* A directory cannot be read as a file either. */
    assert_int_equal(gicsim_scenario_load(data_path("good"), NULL, 0, &sc, &d), GICSIM_E_IO);
    assert_string_equal(d.file, data_path("good"));
}

static void test_null_args(void **state)
{
    (void)state;
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_scenario_load(NULL, NULL, 0, &sc, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_scenario_load("x.yaml", NULL, 1, &sc, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_scenario_load("x.yaml", NULL, 0, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_scenario_load_string(NULL, "n", NULL, 0, &sc, NULL), GICSIM_E_INVAL);
    const char *ov[] = {NULL};
    assert_int_equal(
        gicsim_scenario_load_string("name: a\nrun: {duration: 1us}\n", NULL, ov, 1, &sc, &d),
        GICSIM_E_INVAL);
    assert_string_equal(d.file, "<override>");
    assert_null(gicsim_scenario_name(NULL));
    assert_int_equal(gicsim_scenario_duration(NULL), 0);
    assert_int_equal(gicsim_scenario_policy_count(NULL), 0);
    assert_null(gicsim_scenario_source_name(NULL, 0));
    assert_int_equal(gicsim_scenario_resolved_json(NULL, NULL), GICSIM_E_INVAL);
    gicsim_system *sys;
    assert_int_equal(gicsim_scenario_build(NULL, NULL, &sys, &d), GICSIM_E_INVAL);
    gicsim_scenario_free(NULL);
    /* Loading without a diag is allowed. */
    assert_int_equal(gicsim_scenario_load_string("[1]", "x", NULL, 0, &sc, NULL), GICSIM_E_INVAL);
}

/* The SPI range of a source is exact: with gic.spis 32 the SPIs are 32..63,
 * so 63 is accepted and 64 rejected (at the intid's position), and so is 31,
 * a PPI. */
static void test_last_spi(void **state)
{
    (void)state;
    static const struct {
        unsigned intid;
        gicsim_status want;
    } cases[] = {{32, GICSIM_OK}, {63, GICSIM_OK}, {64, GICSIM_E_INVAL}, {31, GICSIM_E_INVAL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "name: s\ngic: {spis: 32}\nvms:\n  - name: vm0\nsources:\n  - name: s\n"
                 "    kind: spi-edge\n    intid: %u\nrun: {duration: 1us}\n",
                 cases[i].intid);
        gicsim_scenario *sc = NULL;
        gicsim_diag d;
        gicsim_status st = gicsim_scenario_load_string(yaml, "spi", NULL, 0, &sc, &d);
        if (st != cases[i].want)
            fail_msg("INTID %u: status %d (%s)", cases[i].intid, st,
                     st == GICSIM_OK ? "" : d.message);
        if (st == GICSIM_OK) {
            gicsim_system *sys = NULL;
            assert_int_equal(gicsim_scenario_build(sc, NULL, &sys, &d), GICSIM_OK);
            gicsim_system_destroy(sys);
            gicsim_scenario_free(sc);
        } else {
            assert_null(sc);
            assert_int_equal(d.line, 8);
            assert_string_equal(d.key, "sources.0.intid");
            assert_non_null(strstr(d.message, "not an SPI"));
        }
    }
}

/* ---- Overrides ---- */

static void test_overrides_apply(void **state)
{
    (void)state;
    const char *ov[] = {
        "gic.pes=8",                                   /* replaces a default */
        "vms.0.policy=eoi-split",                      /* list element by index */
        "run.duration=5ms",                            /* replaces a file value */
        "platform_overrides.costs.vcpu_kick=999",      /* adds keys the file lacks */
        "sources.1={name: t1, kind: vtimer, vm: vm0}", /* appends to a list */
        "sources.0.vm=vm0",                            /* two VMs now: sources must name theirs */
        "sources.1.arrival.period=20us",               /* ... and edits the new element */
        "run.policies=[trap-inject, eoi-split]",       /* a flow list */
        "description='quoted: text'",
        "vms.0.halt_poll=0",
        "vms.0.pes.count=4",
        "vms.1.name=second", /* appends a new VM (a mapping from a numeric path) */
        "vms.1.pes.first=4",
        "vms.1.policy=trap-inject",
        "gic.sockets=2",
        "platform_overrides.kvm={sgi_lookup: vcpu-walk, vpt_poll_delay: 10us, vpt_wait: load}",
    };
    size_t n = sizeof ov / sizeof ov[0];
    gicsim_scenario *sc = load_ok(data_path("good/nic-level.yaml"), ov, n);
    assert_int_equal(gicsim_scenario_duration(sc), GICSIM_MS(5));
    assert_int_equal(gicsim_scenario_source_count(sc), 2);
    assert_string_equal(gicsim_scenario_source_name(sc, 1), "t1");
    assert_int_equal(gicsim_scenario_policy_count(sc), 2);
    assert_string_equal(gicsim_scenario_policy(sc, 0), "trap-inject");
    assert_int_equal(gicsim_scenario_vm_count(sc), 2);
    char *j = json_of(sc);
    yt_node *r = json_tree(j);
    assert_ju64(r, "gic.pes", 8);
    assert_jstr(r, "vms.0.policy", "eoi-split");
    assert_jstr(r, "vms.1.name", "second");
    assert_ju64(r, "vms.1.pes.count", 4);
    assert_jstr(r, "run.duration", "5ms");
    assert_ju64(r, "platform.costs.vcpu_kick", 999);
    assert_ju64(r, "platform_overrides.costs.vcpu_kick", 999);
    assert_ju64(r, "gic.sockets", 2);
    assert_jstr(r, "platform.kvm.sgi_lookup", "vcpu-walk");
    assert_ju64(r, "platform.kvm.vpt_poll_delay_ps", 10000000);
    assert_jstr(r, "platform_overrides.kvm.sgi_lookup", "vcpu-walk");
    assert_ju64(r, "platform_overrides.kvm.vpt_poll_delay_ps", 10000000);
    assert_jstr(r, "platform.kvm.vpt_wait", "load");
    assert_jstr(r, "platform_overrides.kvm.vpt_wait", "load");
    assert_jstr(r, "sources.1.arrival.period", "20us");
    assert_jstr(r, "description", "quoted: text");
    yt_free(r);
    free(j);
    /* The file's own policy without the override; a built system follows it. */
    gicsim_system *sys;
    gicsim_diag d;
    assert_int_equal(gicsim_scenario_build(sc, NULL, &sys, &d), GICSIM_OK);
    gicsim_system_run_for(sys, GICSIM_US(300));
    gicsim_system_destroy(sys);
    gicsim_scenario_free(sc);

    /* load_string takes overrides too. */
    const char *ov2[] = {"run.seed=0x10"};
    assert_int_equal(
        gicsim_scenario_load_string("name: s\nrun: {duration: 1us}\n", "mem", ov2, 1, &sc, &d),
        GICSIM_OK);
    assert_int_equal(gicsim_scenario_seed(sc), 16);
    gicsim_scenario_free(sc);
}

typedef struct ov_case {
    const char *ov[2];
    unsigned line, column;
    const char *key;
    const char *message;
} ov_case;

static void test_override_errors(void **state)
{
    (void)state;
    static const ov_case cases[] = {
        {{"gic.pes"}, 1, 1, "", "expected key.path=value"},
        {{"=8"}, 1, 1, "", "expected key.path=value"},
        {{"gic..pes=4"}, 1, 5, "gic..pes", "dot-separated"},
        {{".gic=4"}, 1, 1, ".gic", "dot-separated"},
        {{"gic.pes =4"}, 1, 8, "gic.pes ", "without spaces"},
        {{"gic.foo=1"}, 1, 5, "gic.foo", "unknown key \"foo\""},
        {{"bogus=1"}, 1, 1, "bogus", "unknown key"},
        {{"vms.x.name=a"}, 1, 5, "vms.x", "is a list"},
        {{"vms.5.name=a"}, 1, 5, "vms.5", "past the end"},
        {{"run.duration.unit=5"}, 1, 14, "run.duration.unit", "holds a value"},
        {{"gic.pes=[1, 2"}, 1, 14, "gic.pes", "bad override value"},
        {{"gic.pes=@x"}, 1, 9, "gic.pes", "bad override value"},
        {{"gic.pes=0"}, 1, 9, "gic.pes", "out of range"},
        {{"gic.pes=4", "gic.lrs=99"}, 2, 9, "gic.lrs", "out of range"},
        {{"run.duration=10"}, 1, 14, "run.duration", "needs a unit"},
        {{"vms.0.policy=nope"}, 1, 14, "vms.0.policy", "unknown policy"},
        {{"vms.0.vcpus=two"}, 1, 13, "vms.0.vcpus", "expected an integer"},
        {{"gic.sockets=9"}, 1, 13, "gic.sockets", "every socket needs a PE"},
        {{"gic.sockets=0"}, 1, 13, "gic.sockets", "out of range"},
        {{"platform_overrides.kvm.sgi_lookup=list"},
         1,
         35,
         "platform_overrides.kvm.sgi_lookup",
         "mpidr-table"},
        {{"platform_overrides.kvm.walk=1"}, 1, 24, "platform_overrides.kvm.walk", "unknown key"},
        {{"platform_overrides.kvm.vpt_wait=later"},
         1,
         33,
         "platform_overrides.kvm.vpt_wait",
         "commit"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ov_case *c = &cases[i];
        size_t n = c->ov[1] ? 2 : 1;
        gicsim_scenario *sc = NULL;
        gicsim_diag d;
        gicsim_status st =
            gicsim_scenario_load(data_path("good/nic-level.yaml"), c->ov, n, &sc, &d);
        assert_null(sc);
        check_diag(c->ov[n - 1], st, &d, GICSIM_E_INVAL, "<override>", c->line, c->column, c->key,
                   c->message);
        assert_string_equal(d.file, "<override>");
    }
}

/* ---- Resolved JSON ---- */

static void test_resolved_json(void **state)
{
    (void)state;
    const char *path = data_path("good/nic-level.yaml");
    gicsim_scenario *a = load_ok(path, NULL, 0);
    gicsim_scenario *b = load_ok(path, NULL, 0);
    char *ja = json_of(a), *jb = json_of(b);
    assert_string_equal(ja, jb); /* deterministic */
    char *ja2 = json_of(a);
    assert_string_equal(ja, ja2);
    yt_node *r = json_tree(ja);
    /* Every cost by name (the GICv5 ones only with a GICv5), and both clocks. */
    const yt_node *costs = jget(r, "platform.costs");
    assert_int_equal(costs->kind, YT_MAP);
    gicsim_timing def;
    gicsim_timing_init(&def);
    size_t k = 0;
    for (int i = 0; i < GICSIM_COST__COUNT; i++) {
        const char *name = gicsim_cost_name((gicsim_cost_id)i);
        if (!strncmp(name, "gicv5_", 6)) {
            assert_null(strstr(ja, name));
            continue;
        }
        assert_non_null(strstr(ja, name));
        char p[128];
        snprintf(p, sizeof p, "platform.costs.%s", name);
        assert_ju64(r, p, def.cycles[i]); /* generic.yaml == the library defaults */
        /* ... in the order of GICSIM_COST_LIST */
        assert_string_equal(costs->pairs[k++].key, name);
    }
    assert_int_equal(costs->n, k);
    assert_ju64(r, "platform.clocks.cpu", def.clock_hz[GICSIM_CLK_CPU]);
    assert_ju64(r, "platform.clocks.gic", def.clock_hz[GICSIM_CLK_GIC]);
    assert_jstr(r, "platform.name", "generic");
    assert_jstr(r, "platform.vhe", "true");
    /* Defaults the file does not write. */
    assert_jstr(r, "gic.version", "v3");
    assert_ju64(r, "gic.pes", 4);
    assert_ju64(r, "gic.spis", 96);
    assert_ju64(r, "gic.lrs", 4);
    assert_ju64(r, "gic.priority_bits", 5);
    assert_jstr(r, "gic.security_disabled", "true");
    assert_ju64(r, "host.tick_ppi", 30);
    assert_jstr(r, "vms.0.wfi", "trap");
    assert_jstr(r, "vms.0.time_slice", "4ms");
    assert_jstr(r, "vms.0.halt_poll", "0s");
    assert_ju64(r, "vms.0.pes.first", 0);
    assert_ju64(r, "vms.0.pes.count", 4);
    assert_jstr(r, "sources.0.vm", "vm0");
    assert_ju64(r, "sources.0.route_pe", 1);
    assert_ju64(r, "sources.0.priority", 0xA0);
    assert_jstr(r, "sources.0.deassert_at", "2us");
    assert_jstr(r, "sources.0.hold", "500ns");
    assert_jstr(r, "sources.0.arrival.start", "50us");
    assert_ju64(r, "sources.0.arrival.limit", 0);
    assert_ju64(r, "run.seed", 1);
    assert_jstr(r, "run.policies.0", "trap-inject"); /* the VM's policy */
    assert_int_equal(jget(r, "outputs.json")->kind, YT_SCALAR);
    assert_true(yt_is_null(jget(r, "outputs.json")));
    /* Top-level key order is fixed. */
    static const char *const order[] = {"name", "description", "platform", "platform_overrides",
                                        "gic",  "host",        "vms",      "sources",
                                        "run",  "outputs"};
    assert_int_equal(r->n, sizeof order / sizeof order[0]);
    for (size_t i = 0; i < r->n; i++)
        assert_string_equal(r->pairs[i].key, order[i]);
    yt_free(r);

    /* An override changes the JSON, visibly. */
    const char *ov[] = {"platform_overrides.clocks.cpu=2GHz", "gic.lrs=8"};
    gicsim_scenario *c = load_ok(path, ov, 2);
    char *jc = json_of(c);
    assert_string_not_equal(ja, jc);
    r = json_tree(jc);
    assert_ju64(r, "platform.clocks.cpu", 2000000000ull);
    assert_ju64(r, "platform_overrides.clocks.cpu", 2000000000ull);
    assert_ju64(r, "gic.lrs", 8);
    yt_free(r);
    free(ja);
    free(ja2);
    free(jb);
    free(jc);
    gicsim_scenario_free(a);
    gicsim_scenario_free(b);
    gicsim_scenario_free(c);

    /* Strings are escaped. */
    gicsim_scenario *e;
    gicsim_diag d;
    assert_int_equal(gicsim_scenario_load_string("name: \"q\\\"uote\\\\back\\nline\\ttab\"\n"
                                                 "run: {duration: 1us}\n",
                                                 "esc", NULL, 0, &e, &d),
                     GICSIM_OK);
    char *je = json_of(e);
    assert_non_null(strstr(je, "\"q\\\"uote\\\\back\\nline\\ttab\""));
    r = json_tree(je);
    assert_jstr(r, "name", "q\"uote\\back\nline\ttab");
    yt_free(r);
    free(je);
    gicsim_scenario_free(e);
}

/* ---- Building ---- */

static void test_build(void **state)
{
    (void)state;
    gicsim_scenario *sc = load_ok(data_path("good/full.yaml"), NULL, 0);
    gicsim_system *sys = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_scenario_build(sc, "no-such-policy", &sys, &d), GICSIM_E_NOTFOUND);
    assert_null(sys);
    assert_non_null(strstr(d.message, "no-such-policy"));
    assert_int_equal(gicsim_scenario_build(sc, NULL, NULL, &d), GICSIM_E_INVAL);

    assert_int_equal(gicsim_scenario_build(sc, NULL, &sys, &d), GICSIM_OK);
    assert_int_equal(gicsim_system_num_vms(sys), 2);
    assert_int_equal(gicsim_system_num_vcpus(sys, 0), 4);
    assert_int_equal(gicsim_system_num_vcpus(sys, 1), 2);
    assert_int_equal(gicsim_system_num_sources(sys), 6);
    assert_int_equal(gicsim_gic_num_pes(gicsim_system_gic(sys)), 8);
    const gicsim_source_config *c = gicsim_system_source_config(sys, 0);
    assert_int_equal(c->kind, GICSIM_SRC_SPI_EDGE);
    assert_int_equal(c->arrival, GICSIM_ARRIVE_POISSON);
    assert_int_equal(c->seed, 42); /* its own seed */
    assert_int_equal(c->intid, 64);
    assert_int_equal(c->route_pe, 1);
    assert_int_equal(c->priority, 0x80);
    assert_int_equal(c->handler, GICSIM_NS(1500));
    assert_int_equal(c->start, GICSIM_US(5));
    assert_int_equal(c->limit, 1000);
    c = gicsim_system_source_config(sys, 1);
    assert_int_equal(c->kind, GICSIM_SRC_SPI_LEVEL);
    assert_int_equal(c->vm, 1);
    assert_int_equal(c->arrival, GICSIM_ARRIVE_BURST);
    assert_int_equal(c->burst, 4);
    assert_int_equal(c->burst_spacing, GICSIM_US(2));
    assert_int_equal(c->seed, 7); /* run.seed */
    assert_int_equal(c->deassert_at, GICSIM_US(1));
    c = gicsim_system_source_config(sys, 3);
    assert_int_equal(c->kind, GICSIM_SRC_SGI);
    assert_int_equal(c->sender_vcpu, 2);
    assert_true(c->reply);
    c = gicsim_system_source_config(sys, 5); /* trace: manual for the caller to feed */
    assert_int_equal(c->arrival, GICSIM_ARRIVE_MANUAL);
    gicsim_system_destroy(sys);

    /* Building twice gives two independent, identical systems. */
    gicsim_system *s1, *s2;
    assert_int_equal(gicsim_scenario_build(sc, "eoi-split", &s1, &d), GICSIM_OK);
    assert_int_equal(gicsim_scenario_build(sc, "eoi-split", &s2, &d), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s1), GICSIM_OK);
    assert_int_equal(gicsim_system_keep_records(s2), GICSIM_OK);
    gicsim_system_run_for(s1, GICSIM_US(400));
    gicsim_system_run_for(s2, GICSIM_US(400));
    gicsim_system_stats a, b;
    gicsim_system_get_stats(s1, &a);
    gicsim_system_get_stats(s2, &b);
    assert_int_equal(a.asserted, b.asserted);
    assert_int_equal(a.exits_total, b.exits_total);
    assert_int_equal(gicsim_system_record_count(s1), gicsim_system_record_count(s2));
    gicsim_system_destroy(s1);
    gicsim_system_destroy(s2);
    gicsim_scenario_free(sc);

    /* The VM's policy is what the system runs when no policy is forced: a
     * busy trap-inject VM exits twice per level interrupt (the interrupt and
     * the EOI maintenance interrupt), eoi-split once. */
    const char *yaml = "name: p\nvms: [{name: v, policy: trap-inject, guest: busy}]\n"
                       "sources: [{name: s, kind: spi-level, intid: 40, arrival: {kind: manual}}]\n"
                       "run: {duration: 1ms}\n";
    assert_int_equal(gicsim_scenario_load_string(yaml, "p", NULL, 0, &sc, &d), GICSIM_OK);
    uint64_t exits[2];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(gicsim_scenario_build(sc, k ? "eoi-split" : NULL, &sys, &d), GICSIM_OK);
        assert_int_equal(gicsim_system_keep_records(sys), GICSIM_OK);
        gicsim_system_run_for(sys, GICSIM_US(10));
        assert_int_equal(gicsim_source_trigger(sys, 0), GICSIM_OK);
        gicsim_system_run_for(sys, GICSIM_US(200));
        assert_int_equal(gicsim_system_record_count(sys), 1);
        const gicsim_irq_record *rec = gicsim_system_record(sys, 0);
        exits[k] = rec->exits[GICSIM_EXIT_IRQ] + rec->exits[GICSIM_EXIT_MAINTENANCE];
        gicsim_system_destroy(sys);
    }
    assert_int_equal(exits[0], 2);
    assert_int_equal(exits[1], 1);
    gicsim_scenario_free(sc);
}

/* ---- Platform lookup ---- */

static void test_platform_lookup(void **state)
{
    (void)state;
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    const char *yaml = "name: env\nplatform: testplat\nrun: {duration: 1us}\n";
    /* "<string>" has no directory: not found next to it, nor on the path. */
    unsetenv("GICSIM_PLATFORM_PATH");
    assert_int_equal(gicsim_scenario_load_string(yaml, NULL, NULL, 0, &sc, &d), GICSIM_E_INVAL);
    assert_string_equal(d.file, "<string>");
    assert_string_equal(d.key, "platform");
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 11);
    /* $GICSIM_PLATFORM_PATH: colon-separated, empty and missing entries skipped. */
    char env[1200];
    snprintf(env, sizeof env, "/nonexistent-gicsim-dir::%s", data_path("platforms"));
    setenv("GICSIM_PLATFORM_PATH", env, 1);
    assert_int_equal(gicsim_scenario_load_string(yaml, NULL, NULL, 0, &sc, &d), GICSIM_OK);
    assert_string_equal(gicsim_scenario_platform(sc), "testplat");
    assert_string_equal(gicsim_scenario_platform_file(sc), data_path("platforms/testplat.yaml"));
    gicsim_scenario_free(sc);
    unsetenv("GICSIM_PLATFORM_PATH");
    /* A name relative to a directory looks in its ../platforms. */
    char name[1100];
    snprintf(name, sizeof name, "%s", data_path("good/in-memory.yaml"));
    assert_int_equal(gicsim_scenario_load_string(yaml, name, NULL, 0, &sc, &d), GICSIM_OK);
    assert_string_equal(gicsim_scenario_platform(sc), "testplat");
    gicsim_scenario_free(sc);
    /* The default "generic" is always found (installed or source tree). */
    assert_int_equal(
        gicsim_scenario_load_string("name: g\nrun: {duration: 1us}\n", NULL, NULL, 0, &sc, &d),
        GICSIM_OK);
    assert_string_equal(gicsim_scenario_platform(sc), "generic");
    assert_true(ends_with(gicsim_scenario_platform_file(sc), "/platforms/generic.yaml"));
    gicsim_scenario_free(sc);
    /* A path is not a platform name. */
    assert_int_equal(gicsim_scenario_load_string("name: g\nplatform: ../etc/x\nrun: {duration: "
                                                 "1us}\n",
                                                 NULL, NULL, 0, &sc, &d),
                     GICSIM_E_INVAL);
    assert_non_null(strstr(d.message, "not a path"));
    /* Presets on their own. */
    assert_int_equal(gicsim_platform_check(data_path("platforms/testplat.yaml"), &d), GICSIM_OK);
    assert_int_equal(gicsim_platform_check(data_path("../../configs/platforms/generic.yaml"), &d),
                     GICSIM_OK);
    assert_int_equal(gicsim_platform_check(data_path("platforms/mismatch.yaml"), &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "name");
    assert_int_equal(gicsim_platform_check(data_path("platforms/none.yaml"), &d), GICSIM_E_IO);
}

/* ---- Diagnostics in memory, keys inside flow collections ---- */

/* A micro-bench scenario: its tests, iterations and platform after the
 * overrides; an ordinary scenario is not one. */
static void test_microbench_scenario(void **state)
{
    (void)state;
    static const char yaml[] = "name: mb\n"
                               "platform: generic\n"
                               "platform_overrides: {vhe: false, costs: {hvc_handle: 777}}\n"
                               "microbench: {tests: [lpi, eoi], iterations: 32}\n";
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_scenario_load_string(yaml, "mb.yaml", NULL, 0, &sc, &d), GICSIM_OK);
    gicsim_mb_config cfg;
    gicsim_mb_test tests[GICSIM_MB__COUNT];
    size_t n = 0;
    assert_true(gicsim_scenario_microbench(sc, &cfg, tests, &n));
    assert_int_equal(n, 2);
    assert_int_equal(tests[0], GICSIM_MB_LPI);
    assert_int_equal(tests[1], GICSIM_MB_EOI);
    assert_int_equal(cfg.iterations, 32);
    assert_false(cfg.vhe);
    assert_int_equal(cfg.timing.cycles[GICSIM_COST_HVC_HANDLE], 777);
    assert_int_equal(cfg.timing.cycles[GICSIM_COST_VMM_MMIO],
                     gicsim_cost_default_cycles(GICSIM_COST_VMM_MMIO));
    gicsim_scenario_free(sc);

    /* Without tests: all of them, default iterations. */
    static const char all[] = "name: mb\nmicrobench: {}\n";
    assert_int_equal(gicsim_scenario_load_string(all, "mb.yaml", NULL, 0, &sc, &d), GICSIM_OK);
    assert_true(gicsim_scenario_microbench(sc, &cfg, NULL, &n));
    assert_int_equal(n, GICSIM_MB__COUNT);
    assert_int_equal(cfg.iterations, 0);
    gicsim_scenario_free(sc);

    static const char plain[] = "name: p\nrun: {duration: 1ms}\n";
    assert_int_equal(gicsim_scenario_load_string(plain, "p.yaml", NULL, 0, &sc, &d), GICSIM_OK);
    assert_false(gicsim_scenario_microbench(sc, &cfg, tests, &n));
    assert_false(gicsim_scenario_microbench(NULL, NULL, NULL, NULL));
    gicsim_scenario_free(sc);
}

static void test_load_string_diag(void **state)
{
    (void)state;
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    const char *yaml = "name: s\n"
                       "vms:\n"
                       "  - {name: a, vcpus: 300}\n"
                       "run: {duration: 1ms}\n";
    assert_int_equal(gicsim_scenario_load_string(yaml, "inline.yaml", NULL, 0, &sc, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.file, "inline.yaml");
    assert_int_equal(d.line, 3);
    assert_int_equal(d.column, 22);
    assert_string_equal(d.key, "vms.0.vcpus");
    assert_non_null(strstr(d.message, "(1..256)"));
    /* A source with several VMs must say which. */
    yaml = "name: s\nvms: [{name: a, pes: {first: 0, count: 2}}, {name: b, pes: {first: 2}}]\n"
           "sources:\n  - {name: x, kind: vtimer}\nrun: {duration: 1ms}\n";
    assert_int_equal(gicsim_scenario_load_string(yaml, "two", NULL, 0, &sc, &d), GICSIM_E_INVAL);
    assert_string_equal(d.key, "sources.0.vm");
    assert_int_equal(d.line, 4);
    /* Tags other than !!str are refused; !!str makes a string. */
    assert_int_equal(gicsim_scenario_load_string("name: !!str 12\nrun: {duration: 1us}\n", "t",
                                                 NULL, 0, &sc, &d),
                     GICSIM_OK);
    assert_string_equal(gicsim_scenario_name(sc), "12");
    gicsim_scenario_free(sc);
    assert_int_equal(gicsim_scenario_load_string("name: !!binary aGk=\nrun: {duration: 1us}\n", "t",
                                                 NULL, 0, &sc, &d),
                     GICSIM_E_PARSE);
    /* A billion laughs is bounded. */
    char big[4096] = "name: lol\nrun: {duration: 1us}\ndescription: &a0 [x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; i++) {
        size_t l = strlen(big);
        snprintf(big + l, sizeof big - l,
                 "l%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i - 1, i - 1,
                 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    }
    assert_int_equal(gicsim_scenario_load_string(big, "lol", NULL, 0, &sc, &d), GICSIM_E_PARSE);
    assert_non_null(strstr(d.message, "too large"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_syntax),
        cmocka_unit_test(test_frequency_syntax),
        cmocka_unit_test(test_good_files),
        cmocka_unit_test(test_full_values),
        cmocka_unit_test(test_microbench_scenario),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_table_complete),
        cmocka_unit_test(test_io_error),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_overrides_apply),
        cmocka_unit_test(test_override_errors),
        cmocka_unit_test(test_resolved_json),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_platform_lookup),
        cmocka_unit_test(test_load_string_diag),
        cmocka_unit_test(test_last_spi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
