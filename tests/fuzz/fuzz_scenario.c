/* gicsim fuzzing: YAML scenarios (lib/config/yaml_tree.c, scenario*.c) and the
 * system they build (models/).
 *
 * The input is a scenario file's text. It is loaded with
 * gicsim_scenario_load_string; a loaded scenario has its accessors and its
 * resolved JSON checked, then (unless it is too big to stay fast: more than
 * FZ_MAX_PES PEs, FZ_MAX_SOURCES sources or FZ_MAX_VCPUS vCPUs) it is built
 * and run for at most FZ_MAX_RUN of simulated time and FZ_MAX_EVENTS engine
 * events, and the accounting invariants of the GIC and of the system are
 * checked. A micro-bench scenario (top-level `microbench`) runs one of its
 * tests instead, for FZ_MB_ITERATIONS iterations, on the timing its
 * platform_overrides give (any cost or clock a file can write). Platform
 * presets are found through $GICSIM_PLATFORM_PATH, set to the source tree's
 * configs/platforms and tests/scenario/platforms. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#define FZ_MAX_INPUT 16384u
#define FZ_MAX_PES 64u
#define FZ_MAX_SOURCES 32u
#define FZ_MAX_VCPUS 64u
#define FZ_MAX_RUN GICSIM_US(200)
#define FZ_MAX_EVENTS 20000u
#define FZ_MB_ITERATIONS 2u

#ifndef GICSIM_FUZZ_PLATFORM_PATH
#error "GICSIM_FUZZ_PLATFORM_PATH (the preset directories) must be defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The unsigned value after `key` in the resolved JSON, searched from `from`;
 * UINT64_MAX when absent. (Keys are fixed text: a string value cannot
 * contain `"key": ` since its quotes are escaped.) */
static uint64_t json_uint(const char *from, const char *key)
{
    const char *p = from ? strstr(from, key) : NULL;
    if (!p)
        return UINT64_MAX;
    return strtoull(p + strlen(key), NULL, 10);
}

/* Sum of every "vcpus": N of the resolved JSON. */
static uint64_t json_vcpus(const char *json)
{
    uint64_t sum = 0;
    for (const char *p = strstr(json, "\"vcpus\": "); p; p = strstr(p + 1, "\"vcpus\": "))
        sum += strtoull(p + 9, NULL, 10);
    return sum;
}

static void run_system(gicsim_system *sys, gicsim_time_t duration)
{
    gicsim_engine *e = gicsim_system_engine(sys);
    gicsim_gic *g = gicsim_system_gic(sys);
    FZ_CHECK(e && g);
    gicsim_time_t d = duration < FZ_MAX_RUN ? duration : FZ_MAX_RUN;
    /* In slices, checking the invariants between them. */
    for (unsigned i = 0; i < 4; i++) {
        fz_run_for(e, d / 4 + 1, FZ_MAX_EVENTS / 4);
        fz_check_gic_stats(g);
    }
    gicsim_system_stats st;
    gicsim_system_get_stats(sys, &st);
    FZ_CHECK(st.asserted == st.delivered + st.merged + st.pending);
    fz_check_system_invariants(sys);
    size_t n = gicsim_system_record_count(sys);
    for (size_t i = 0; i < n; i++) {
        const gicsim_irq_record *r = gicsim_system_record(sys, i);
        FZ_CHECK(r);
        FZ_CHECK(r->source < gicsim_system_num_sources(sys));
        if (r->t_ack != GICSIM_TIME_NEVER)
            FZ_CHECK(r->t_ack >= r->t_assert);
    }
    FZ_CHECK(gicsim_system_record(sys, n) == NULL);
    const gicsim_histogram *h = gicsim_system_latency(sys, UINT32_MAX);
    if (h) {
        gicsim_summary sum;
        gicsim_histogram_summary(h, &sum);
        FZ_CHECK(sum.min <= sum.p50 && sum.p50 <= sum.max);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size, FZ_MAX_INPUT);
    if (!text)
        return 0;

    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_scenario_load_string(text, "fuzz.yaml", NULL, 0, &sc, &d);
    free(text);
    fz_check_diag(&d);
    FZ_CHECK((st == GICSIM_OK) == (sc != NULL));
    if (!sc) {
        FZ_CHECK(st < 0);
        FZ_CHECK(d.message[0] != '\0');
        return 0;
    }

    /* A micro-bench scenario: one of its tests (picked by the input's size);
     * it completes or says why not, and never crashes or hangs. */
    gicsim_mb_config mb;
    gicsim_mb_test tests[GICSIM_MB__COUNT];
    size_t n_tests = 0;
    if (gicsim_scenario_microbench(sc, &mb, tests, &n_tests)) {
        FZ_CHECK(n_tests >= 1 && n_tests <= GICSIM_MB__COUNT);
        FZ_CHECK(gicsim_scenario_vm_count(sc) == 0 && gicsim_scenario_source_count(sc) == 0);
        mb.iterations = FZ_MB_ITERATIONS;
        gicsim_mb_result r;
        memset(&r, 0, sizeof r);
        st = gicsim_mb_run(&mb, tests[size % n_tests], &r);
        FZ_CHECK(st == GICSIM_OK || st == GICSIM_E_STATE || st == GICSIM_E_INVAL ||
                 st == GICSIM_E_NOMEM);
        if (st == GICSIM_OK)
            FZ_CHECK(r.iterations > 0 && r.min_ns <= r.max_ns);
        gicsim_mb_result_free(&r);
        gicsim_scenario_free(sc);
        return 0;
    }

    /* Accessors. */
    FZ_CHECK(gicsim_scenario_name(sc) != NULL);
    FZ_CHECK(gicsim_scenario_duration(sc) > 0);
    (void)gicsim_scenario_seed(sc);
    FZ_CHECK(gicsim_scenario_platform(sc) != NULL);
    FZ_CHECK(gicsim_scenario_platform_file(sc) != NULL);
    size_t n_pol = gicsim_scenario_policy_count(sc);
    for (size_t i = 0; i < n_pol; i++)
        FZ_CHECK(gicsim_scenario_policy(sc, i) != NULL);
    FZ_CHECK(gicsim_scenario_policy(sc, n_pol) == NULL);
    size_t n_vms = gicsim_scenario_vm_count(sc);
    for (size_t i = 0; i < n_vms; i++)
        FZ_CHECK(gicsim_scenario_vm_name(sc, i) != NULL);
    size_t n_src = gicsim_scenario_source_count(sc);
    for (size_t i = 0; i < n_src; i++) {
        FZ_CHECK(gicsim_scenario_source_name(sc, i) != NULL);
        (void)gicsim_scenario_source_trace(sc, i);
    }
    static const char *const kinds[] = {"json", "csv", "perfetto", "vcd", "cdf", "nope"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        (void)gicsim_scenario_output(sc, kinds[i]);

    /* The resolved configuration; its sizes decide whether to run. */
    char *json = NULL;
    st = gicsim_scenario_resolved_json(sc, &json);
    FZ_CHECK(st == GICSIM_OK && json);
    uint64_t pes = json_uint(strstr(json, "\"gic\": {"), "\"pes\": ");
    uint64_t vcpus = json_vcpus(json);
    free(json);
    FZ_CHECK(pes != UINT64_MAX);

    if (pes <= FZ_MAX_PES && n_src <= FZ_MAX_SOURCES && vcpus <= FZ_MAX_VCPUS) {
        /* The file's own policies, or (deterministically from the input) one
         * of run.policies forced on every VM, as `gicsim compare` does, or a
         * GICv5 policy, which runs on a GICv5 whatever the file's gic version:
         * the GICv5 host (models/gicv5_host.c) under any workload. */
        static const char *const v5[] = {"gicv5-direct", "gicv5-wired-direct", "gicv5-did"};
        const char *policy = NULL;
        if (n_pol > 1 && size % 3 == 0)
            policy = gicsim_scenario_policy(sc, size % n_pol);
        else if (size % 3 == 1)
            policy = v5[(size / 3) % 3];
        FZ_CHECK(gicsim_scenario_policy_gic_version(sc, policy) != NULL);
        gicsim_system *sys = NULL;
        st = gicsim_scenario_build(sc, policy, &sys, &d);
        fz_check_diag(&d);
        FZ_CHECK((st == GICSIM_OK) == (sys != NULL));
        if (sys) {
            FZ_CHECK(gicsim_system_keep_records(sys) == GICSIM_OK);
            FZ_CHECK(gicsim_system_num_sources(sys) == n_src);
            FZ_CHECK(gicsim_system_num_vms(sys) == n_vms);
            FZ_CHECK(gicsim_gic_num_pes(gicsim_system_gic(sys)) == pes);
            run_system(sys, gicsim_scenario_duration(sc));
            gicsim_system_destroy(sys);
        }
    }
    gicsim_scenario_free(sc);
    return 0;
}
