/* gicsim fuzzing: sweep specs (lib/config/sweep.c) and the plans they
 * expand to (lib/config/sweep_plan.c, sweep_tables.c).
 *
 * The input is a spec file's text, loaded with gicsim_sweep_load_string as
 * if it were configs/sweeps/fuzz.yaml (so "../scenarios/nic-load.yaml" and
 * the other shipped scenarios resolve), expanding to at most FZ_MAX_RUNS
 * runs; every run's scenario is loaded by the loader itself. A loaded
 * sweep has its plan checked (ids unique, 12 hex digits, found again;
 * replication = index mod replications; every run's overrides present, the
 * last one its seed), written to plan.csv and read back equal, and its
 * tables fed one synthetic run summary. A failed load has a message. */
#define FZ_OWN_INITIALIZE /* its own: the plan file's path */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FZ_MAX_INPUT 8192u
#define FZ_MAX_RUNS 64u

#ifndef GICSIM_FUZZ_PLATFORM_PATH
#error "GICSIM_FUZZ_PLATFORM_PATH (the preset directories) must be defined"
#endif
#ifndef GICSIM_FUZZ_SWEEP_NAME
#error "GICSIM_FUZZ_SWEEP_NAME (where the spec pretends to be) must be defined"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char plan_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init_platform_path();
    snprintf(plan_path, sizeof plan_path, "/tmp/gicsim-fuzz-sweep-%ld.csv", (long)getpid());
    return 0;
}

static bool is_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 12;
}

static const char summary[] =
    "{\"results\": {\"exits\": {\"total\": 1}, \"exits_per_delivered\": {\"total\": 0.5},"
    " \"delivered\": 2, \"latency\": {\"all\": {\"count\": 2, \"p99_ns\": 1.500},"
    " \"sources\": {\"a\": {\"count\": 2, \"p99_ns\": 1.500}}}}}";

static void check_plan(const gicsim_sweep *sw)
{
    const gicsim_sweep_plan *p = gicsim_sweep_plan_of(sw);
    FZ_CHECK(p);
    size_t n = gicsim_sweep_plan_run_count(p);
    uint32_t reps = gicsim_sweep_plan_replications(p);
    FZ_CHECK(n >= 1 && n <= FZ_MAX_RUNS && reps >= 1 && n % reps == 0);
    size_t axes = gicsim_sweep_plan_axis_count(p);
    for (size_t k = 0; k < axes; k++)
        FZ_CHECK(gicsim_sweep_plan_axis(p, k) && *gicsim_sweep_plan_axis(p, k));
    FZ_CHECK(gicsim_sweep_plan_axis(p, axes) == NULL);
    for (size_t i = 0; i < n; i++) {
        gicsim_sweep_run r;
        FZ_CHECK(gicsim_sweep_plan_run(p, i, &r) == GICSIM_OK);
        FZ_CHECK(r.index == i && is_id(r.id) && gicsim_sweep_plan_find(p, r.id) == i);
        FZ_CHECK(r.replication == i % reps && r.platform && r.policy);
        for (size_t k = 0; k < axes; k++)
            FZ_CHECK(r.values[k]);
        char **ov = NULL;
        size_t no = 0;
        FZ_CHECK(gicsim_sweep_run_overrides(sw, i, &ov, &no) == GICSIM_OK);
        FZ_CHECK(no >= 1 && ov[no] == NULL && !strncmp(ov[no - 1], "run.seed=", 9));
        for (size_t k = 0; k < no; k++)
            FZ_CHECK(strchr(ov[k], '='));
        gicsim_sweep_overrides_free(ov);
    }
    gicsim_sweep_run r;
    FZ_CHECK(gicsim_sweep_plan_run(p, n, &r) == GICSIM_E_RANGE);

    /* plan.csv round trip */
    FZ_CHECK(gicsim_sweep_plan_write(p, plan_path) == GICSIM_OK);
    gicsim_sweep_plan *back = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_sweep_plan_read(plan_path, &back, &d);
    fz_check_diag(&d);
    FZ_CHECK(st == GICSIM_OK && gicsim_sweep_plan_equal(p, back));
    gicsim_sweep_plan_free(back);
    remove(plan_path);

    /* the tables of one run (to no file: only the parsing and the rows) */
    gicsim_sweep_tables *t = NULL;
    FZ_CHECK(gicsim_sweep_tables_open(p, NULL, NULL, &t) == GICSIM_OK);
    FZ_CHECK(gicsim_sweep_tables_add(t, n - 1, summary, &d) == GICSIM_OK);
    FZ_CHECK(gicsim_sweep_tables_add(t, 0, summary, &d) == GICSIM_E_STATE); /* out of order */
    FZ_CHECK(gicsim_sweep_tables_close(t, true) == GICSIM_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    gicsim_sweep *sw = NULL;
    gicsim_diag d;
    gicsim_status st = gicsim_sweep_load_string(text, GICSIM_FUZZ_SWEEP_NAME, FZ_MAX_RUNS, &sw, &d);
    free(text);
    fz_check_diag(&d);
    FZ_CHECK((st == GICSIM_OK) == (sw != NULL));
    if (!sw) {
        FZ_CHECK(st < 0 && d.message[0] != '\0');
        return 0;
    }
    FZ_CHECK(gicsim_sweep_name(sw) && gicsim_sweep_scenario(sw));
    check_plan(sw);
    gicsim_sweep_free(sw);
    return 0;
}
