/* gicsim: streamed per-interrupt records (models/records.c).
 *
 *  - A record is passed on only once nothing can change it (and an ERET's
 *    lazy end, models/pe.c, changes no record either): every shipped
 *    scenario under every policy it lists gives the same records, in the same
 *    order and with the same contents, when the system sweeps at every point
 *    it can (a handle the sweep fails to see would free a record still in
 *    use, and its slot's next record would change it) as when it never
 *    sweeps (every record stays open to the end); so do a GICv5 host's
 *    IPIs and handed-over SPIs sent faster than the IRS lands them (several
 *    records in the host's queues at once, gicv5_mark_records);
 *  - memory does not grow with the run: the slot pool of a run ten times
 *    longer is no larger, with and without a sink, and also when an instance
 *    that never completes holds back every record behind it (they are
 *    spilled to a temporary file and read back in order: the same records);
 *  - the API: sinks and keep_records only before the first record, at most
 *    8 sinks, record_count without keep_records, foreach_open in order;
 *  - the CSV streamed during a run is the file gicsim_output_csv_write writes
 *    from the kept records after it;
 *  - a run that runs out of memory stops and says so (gicsim_system_status);
 *  - the latency histograms' precision (run.latency_bits,
 *    gicsim_system_set_latency_bits). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"
#include "sys_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Every record a run passed on, then those still open at its end. */
typedef struct rec_log {
    uint64_t *index;
    gicsim_irq_record *r;
    size_t n, cap;
    bool out_of_order;
} rec_log;

static void log_record(void *ctx, uint64_t index, const gicsim_irq_record *r)
{
    rec_log *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->index = realloc(l->index, l->cap * sizeof *l->index);
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        assert_non_null(l->index);
        assert_non_null(l->r);
    }
    if (l->n && l->index[l->n - 1] >= index)
        l->out_of_order = true;
    l->index[l->n] = index;
    memcpy(&l->r[l->n], r, sizeof *r);
    l->n++;
}

static void log_free(rec_log *l)
{
    free(l->index);
    free(l->r);
    memset(l, 0, sizeof *l);
}

static gicsim_scenario *load(const char *path, const char *const *ov, size_t n_ov)
{
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    if (gicsim_scenario_load(path, ov, n_ov, &sc, &d) != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    return sc;
}

/* Build `sc` under `policy`; NULL when the GIC cannot run the policy. */
static gicsim_system *build(const gicsim_scenario *sc, const char *policy)
{
    gicsim_system *sys = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    gicsim_status st = gicsim_scenario_build(sc, policy, &sys, &d);
    if (st == GICSIM_E_UNSUPPORTED)
        return NULL;
    if (st != GICSIM_OK)
        fail_msg("build: %s:%u: %s: %s", d.file, d.line, d.key, d.message);
    return sys;
}

/* Run `sys` for `duration` sweeping every `interval` records (0: at every
 * point; UINT32_MAX: never), with or without lazy ends, into `l`; then
 * destroy it. */
static void log_run(gicsim_system *sys, gicsim_time_t duration, uint32_t interval, bool eager,
                    rec_log *l)
{
    sys->eager_ends = eager;
    assert_int_equal(gicsim_system_add_record_sink(sys, log_record, l), GICSIM_OK);
    records_sweep_every(sys, interval);
    gicsim_system_run_for(sys, duration);
    assert_int_equal(gicsim_system_status(sys), GICSIM_OK);
    if (interval == UINT32_MAX)
        assert_int_equal(l->n, 0); /* nothing swept, nothing passed on */
    gicsim_system_foreach_open_record(sys, log_record, l);
    gicsim_system_stats st;
    gicsim_system_get_stats(sys, &st);
    assert_int_equal(l->n, st.asserted);
    assert_false(l->out_of_order);
    gicsim_invariant_report rep;
    gicsim_system_invariants(sys, &rep);
    assert_int_equal(rep.violations, 0);
    gicsim_system_destroy(sys);
}

/* log_run of `sc` under `policy`; false if the policy does not apply. */
static bool run_logged(const gicsim_scenario *sc, const char *policy, uint32_t interval, bool eager,
                       rec_log *l)
{
    gicsim_system *sys = build(sc, policy);
    if (!sys)
        return false;
    log_run(sys, gicsim_scenario_duration(sc), interval, eager, l);
    return true;
}

static void compare_logs(const rec_log *a, const rec_log *b, const char *what)
{
    if (a->n != b->n)
        fail_msg("%s: %zu records swept, %zu unswept", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (a->index[i] != b->index[i] || memcmp(&a->r[i], &b->r[i], sizeof a->r[i]))
            fail_msg("%s: record %llu differs: asserted %llu / %llu ps, acknowledged %llu / %llu "
                     "ps, exits %u / %u",
                     what, (unsigned long long)b->index[i], (unsigned long long)a->r[i].t_assert,
                     (unsigned long long)b->r[i].t_assert, (unsigned long long)a->r[i].t_ack,
                     (unsigned long long)b->r[i].t_ack, a->r[i].exits[GICSIM_EXIT_IRQ],
                     b->r[i].exits[GICSIM_EXIT_IRQ]);
}

/* ---- complete means complete ---------------------------------------------------------- */

static void test_sweep_changes_nothing(void **state)
{
    (void)state;
    DIR *dir = opendir(GICSIM_SCENARIO_DIR);
    assert_non_null(dir);
    struct dirent *de;
    size_t runs = 0;
    static const char *const ov[] = {"run.duration=8ms"};
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", GICSIM_SCENARIO_DIR, de->d_name);
        gicsim_scenario *sc = load(path, ov, 1);
        size_t np = gicsim_scenario_policy_count(sc);
        for (size_t i = 0; i <= np; i++) {
            const char *pol = i < np ? gicsim_scenario_policy(sc, i) : NULL;
            char what[1200];
            snprintf(what, sizeof what, "%s under %s", de->d_name, pol ? pol : "its own");
            rec_log swept = {0}, kept = {0}, eager = {0};
            if (run_logged(sc, pol, 0, false, &swept)) {
                assert_true(run_logged(sc, pol, UINT32_MAX, false, &kept));
                assert_true(kept.n > 0);
                compare_logs(&swept, &kept, what);
                /* Lazy ends (models/pe.c) change nothing either. */
                assert_true(run_logged(sc, pol, UINT32_MAX, true, &eager));
                compare_logs(&eager, &kept, what);
                runs++;
            }
            log_free(&swept);
            log_free(&kept);
            log_free(&eager);
        }
        gicsim_scenario_free(sc);
    }
    closedir(dir);
    assert_true(runs >= 8);
}

/* Records in flight on a GICv5 host (models/gicv5_host.c, gicv5_mark_records): a busy
 * guest's IPIs, or the edges of an SPI and of an IWB wire handed to the VM, sent faster than
 * the IRS sets them pending, so that several travel at once. Apart: records that wait behind
 * an unmarked one stay in their slots, which would hide its early completion. */
static gicsim_system *v5_flights(bool ipis)
{
    gicsim_system_config c = tf_system_config(GICSIM_GICV5, 2);
    c.gic.its = true;
    gicsim_system *s = tf_system_new(&c);
    uint32_t vm = tf_vm(s, "gicv5-wired-direct", 2, true, true);
    gicsim_source_config sc = tf_source_config(GICSIM_SRC_SGI, vm, 1, 3);
    sc.sender_vcpu = 0;
    sc.period = GICSIM_NS(40);
    if (ipis)
        tf_source_add(s, &sc);
    for (int iwb = 0; iwb < 2 && !ipis; iwb++) {
        sc = tf_source_config(GICSIM_SRC_SPI_EDGE, vm, 1, 40 + (uint32_t)iwb);
        sc.iwb = iwb;
        sc.arrival = GICSIM_ARRIVE_POISSON;
        sc.period = GICSIM_NS(60);
        sc.seed = 3 + (uint64_t)iwb;
        tf_source_add(s, &sc);
    }
    return s;
}

static void test_sweep_gicv5_flights(void **state)
{
    (void)state;
    for (int ipis = 0; ipis < 2; ipis++) {
        const char *what = ipis ? "IPIs on a GICv5" : "handed-over SPIs on a GICv5";
        rec_log swept = {0}, kept = {0}, eager = {0};
        log_run(v5_flights(ipis), GICSIM_US(200), 0, false, &swept);
        log_run(v5_flights(ipis), GICSIM_US(200), UINT32_MAX, false, &kept);
        log_run(v5_flights(ipis), GICSIM_US(200), UINT32_MAX, true, &eager);
        assert_true(kept.n > 1000);
        compare_logs(&swept, &kept, what);
        compare_logs(&eager, &kept, what); /* lazy ends change nothing either */
        log_free(&swept);
        log_free(&kept);
        log_free(&eager);
    }
}

/* ---- constant memory ---------------------------------------------------------------------- */

static void count_record(void *ctx, uint64_t index, const gicsim_irq_record *r)
{
    (void)index;
    (void)r;
    (*(uint64_t *)ctx)++;
}

/* The pool's capacity after a run of `duration` of nic-load.yaml, with or
 * without a sink. */
static uint32_t pool_after(const char *duration, bool sink, uint64_t *asserted)
{
    char path[1024], ov[64];
    snprintf(path, sizeof path, "%s/nic-load.yaml", GICSIM_SCENARIO_DIR);
    snprintf(ov, sizeof ov, "run.duration=%s", duration);
    const char *ovs[] = {ov};
    gicsim_scenario *sc = load(path, ovs, 1);
    gicsim_system *sys = build(sc, NULL);
    assert_non_null(sys);
    uint64_t passed = 0;
    if (sink)
        assert_int_equal(gicsim_system_add_record_sink(sys, count_record, &passed), GICSIM_OK);
    gicsim_system_run_for(sys, gicsim_scenario_duration(sc));
    gicsim_system_stats st;
    gicsim_system_get_stats(sys, &st);
    *asserted = st.asserted;
    uint64_t open = 0;
    gicsim_system_foreach_open_record(sys, count_record, &open);
    if (sink)
        assert_true(passed > 0);
    assert_int_equal((sink ? passed : 0) + open, sink ? st.asserted : open);
    assert_true(open < 2 * 4096);
    assert_int_equal(gicsim_system_record_count(sys), 0); /* not kept */
    assert_null(gicsim_system_record(sys, 0));
    uint32_t cap = sys->recs.cap;
    gicsim_system_destroy(sys);
    gicsim_scenario_free(sc);
    return cap;
}

static void test_constant_memory(void **state)
{
    (void)state;
    for (int sink = 0; sink < 2; sink++) {
        uint64_t n1, n10;
        uint32_t c1 = pool_after("40ms", sink, &n1);
        uint32_t c10 = pool_after("400ms", sink, &n10);
        assert_true(n10 > 9 * n1);
        assert_true(n1 > 4096); /* several sweeps */
        assert_int_equal(c10, c1);
    }
}

/* trap-inject-nomask's re-trigger storm on mixed.yaml: the disk's level
 * instance never completes, and every record behind it waits. */
static uint32_t storm_logged(const char *duration, uint32_t spill_min, rec_log *l,
                             uint64_t *spilled)
{
    char path[1024], ov[64];
    snprintf(path, sizeof path, "%s/mixed.yaml", GICSIM_SCENARIO_DIR);
    snprintf(ov, sizeof ov, "run.duration=%s", duration);
    const char *ovs[] = {ov};
    gicsim_scenario *sc = load(path, ovs, 1);
    gicsim_system *sys = build(sc, "trap-inject-nomask");
    assert_non_null(sys);
    assert_int_equal(gicsim_system_add_record_sink(sys, log_record, l), GICSIM_OK);
    sys->recs.spill_min = spill_min;
    records_sweep_every(sys, 64);
    gicsim_system_run_for(sys, gicsim_scenario_duration(sc));
    assert_int_equal(gicsim_system_status(sys), GICSIM_OK);
    gicsim_system_foreach_open_record(sys, log_record, l);
    gicsim_system_stats st;
    gicsim_system_get_stats(sys, &st);
    assert_int_equal(l->n, st.asserted);
    assert_false(l->out_of_order);
    gicsim_invariant_report rep;
    gicsim_system_invariants(sys, &rep);
    assert_int_equal(rep.violations, 0);
    *spilled = sys->recs.spilled;
    uint32_t cap = sys->recs.cap;
    gicsim_system_destroy(sys);
    gicsim_scenario_free(sc);
    return cap;
}

static void test_spill(void **state)
{
    (void)state;
    rec_log spilled = {0}, held = {0}, longer = {0};
    uint64_t n_spilled = 0, n_held = 0, n_longer = 0;
    uint32_t cap_spilled = storm_logged("30ms", 512, &spilled, &n_spilled);
    uint32_t cap_held = storm_logged("30ms", UINT32_MAX, &held, &n_held);
    assert_true(n_spilled > 0);
    assert_int_equal(n_held, 0);
    assert_true(cap_held > cap_spilled); /* held back in memory */
    compare_logs(&spilled, &held, "mixed.yaml under trap-inject-nomask");
    /* Ten times longer: no more memory, ten times more spilled. */
    assert_int_equal(storm_logged("300ms", 512, &longer, &n_longer), cap_spilled);
    assert_true(n_longer > 5 * n_spilled);
    log_free(&spilled);
    log_free(&held);
    log_free(&longer);
}

/* ---- the API ------------------------------------------------------------------------------ */

/* One busy vCPU and a manual edge SPI; records neither kept nor sunk. */
static gicsim_system *small_system(uint32_t *src)
{
    gicsim_system_config c = tf_system_config(GICSIM_GICV3, 4);
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_system_create(&c, &s), GICSIM_OK);
    uint32_t vm = tf_vm(s, "eoi-split", 1, true, true);
    gicsim_source_config sc = tf_source_config(GICSIM_SRC_SPI_EDGE, vm, 0, 48);
    sc.period = GICSIM_US(10);
    sc.arrival = GICSIM_ARRIVE_MANUAL;
    *src = tf_source_add(s, &sc);
    return s;
}

static void test_api(void **state)
{
    (void)state;
    uint32_t src;
    gicsim_system *s = small_system(&src);
    uint64_t n = 0;
    assert_int_equal(gicsim_system_add_record_sink(NULL, count_record, &n), GICSIM_E_INVAL);
    assert_int_equal(gicsim_system_add_record_sink(s, NULL, &n), GICSIM_E_INVAL);
    assert_int_equal(gicsim_system_keep_records(NULL), GICSIM_E_INVAL);
    for (int i = 0; i < 8; i++)
        assert_int_equal(gicsim_system_add_record_sink(s, count_record, &n), GICSIM_OK);
    assert_int_equal(gicsim_system_add_record_sink(s, count_record, &n), GICSIM_E_FULL);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK);
    assert_int_equal(gicsim_system_status(s), GICSIM_OK);
    assert_int_equal(gicsim_system_status(NULL), GICSIM_E_INVAL);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(gicsim_source_trigger(s, src), GICSIM_OK);
        gicsim_system_run_for(s, GICSIM_US(40));
    }
    /* Kept: every record by index, those in flight included. */
    assert_int_equal(gicsim_system_record_count(s), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(gicsim_system_record(s, i));
        assert_true(gicsim_system_record(s, i)->t_ack != GICSIM_TIME_NEVER);
    }
    assert_null(gicsim_system_record(s, 3));
    gicsim_system_destroy(s);

    /* After the first record: too late for a sink or keep_records. */
    s = small_system(&src);
    assert_int_equal(gicsim_source_trigger(s, src), GICSIM_OK);
    assert_int_equal(gicsim_system_add_record_sink(s, count_record, &n), GICSIM_E_STATE);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_E_STATE);
    assert_int_equal(gicsim_system_record_count(s), 0);
    /* Open records without a sink: in order, what is in flight. */
    gicsim_system_run_for(s, GICSIM_US(40));
    assert_int_equal(gicsim_source_trigger(s, src), GICSIM_OK);
    rec_log l = {0};
    gicsim_system_foreach_open_record(s, log_record, &l);
    assert_true(l.n >= 1 && l.n <= 2);
    assert_int_equal(l.index[l.n - 1], 1);
    assert_false(l.out_of_order);
    log_free(&l);
    gicsim_system_foreach_open_record(NULL, log_record, &l);
    gicsim_system_foreach_open_record(s, NULL, &l);
    gicsim_system_destroy(s);
}

/* ---- the CSV, streamed and after the run ---------------------------------------------------- */

static void test_csv_streamed(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/mixed.yaml", GICSIM_SCENARIO_DIR);
    static const char *const ov[] = {"run.duration=30ms"};
    gicsim_scenario *sc = load(path, ov, 1);
    mkdir(GICSIM_TEST_TMP, 0777);
    char streamed[1024], kept[1024];
    snprintf(streamed, sizeof streamed, "%s/streamed.csv", GICSIM_TEST_TMP);
    snprintf(kept, sizeof kept, "%s/kept.csv", GICSIM_TEST_TMP);
    const char *names[16];
    size_t n_src = gicsim_scenario_source_count(sc);
    for (size_t i = 0; i < n_src && i < 16; i++)
        names[i] = gicsim_scenario_source_name(sc, i);
    gicsim_output_info info = {.policy = "own", .source_names = names, .n_sources = n_src};

    gicsim_system *a = build(sc, NULL), *b = build(sc, NULL);
    void *st = NULL;
    assert_int_equal(gicsim_output_csv_begin(a, streamed, &info, true, &st), GICSIM_OK);
    records_sweep_every(a, 0);
    assert_int_equal(gicsim_system_keep_records(b), GICSIM_OK);
    gicsim_system_run_for(a, gicsim_scenario_duration(sc));
    gicsim_system_run_for(b, gicsim_scenario_duration(sc));
    assert_int_equal(gicsim_output_find("csv")->end(st, a, &info), GICSIM_OK);
    assert_int_equal(gicsim_output_csv_write(b, kept, &info, true), GICSIM_OK);
    /* Streamed records cannot be written after the run. */
    assert_int_equal(gicsim_output_csv_write(a, kept, &info, true), GICSIM_E_STATE);
    size_t la, lb;
    char *fa = tf_read_file(streamed, &la), *fb = tf_read_file(kept, &lb);
    assert_true(la > 1000);
    assert_int_equal(la, lb);
    assert_memory_equal(fa, fb, la);
    free(fa);
    free(fb);
    remove(streamed);
    remove(kept);
    gicsim_system_destroy(a);
    gicsim_system_destroy(b);
    gicsim_scenario_free(sc);
}

/* ---- out of memory -------------------------------------------------------------------------- */

static void test_out_of_memory_stops(void **state)
{
    (void)state;
    uint32_t src;
    gicsim_system *s = small_system(&src);
    assert_int_equal(gicsim_source_trigger(s, src), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(5));
    gicsim_time_t t = gicsim_engine_now(gicsim_system_engine(s));
    sys_oom(s); /* what every failed allocation of a run does */
    assert_int_equal(gicsim_system_status(s), GICSIM_E_NOMEM);
    assert_int_equal(gicsim_engine_status(gicsim_system_engine(s)), GICSIM_E_NOMEM);
    gicsim_system_run_for(s, GICSIM_US(100));
    assert_true(gicsim_engine_now(gicsim_system_engine(s)) == t); /* nothing ran */
    assert_false(gicsim_engine_step(gicsim_system_engine(s)));
    gicsim_system_destroy(s);
}

/* ---- the latency histograms' precision ------------------------------------------------------ */

static void test_latency_bits(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/nic-load.yaml", GICSIM_SCENARIO_DIR);
    static const char *const ov[] = {"run.duration=2ms", "run.latency_bits=10"};
    for (int k = 0; k < 2; k++) {
        gicsim_scenario *sc = load(path, ov, k ? 2 : 1);
        char *json = NULL;
        assert_int_equal(gicsim_scenario_resolved_json(sc, &json), GICSIM_OK);
        /* Only a setting that differs from the default is in the resolved
         * configuration (older runs' files stay the same). */
        assert_true((strstr(json, "\"latency_bits\": 10") != NULL) == (k == 1));
        assert_null(strstr(json, "\"latency_bits\": 7"));
        free(json);
        gicsim_system *sys = build(sc, NULL);
        unsigned bits = k ? 10u : GICSIM_HISTOGRAM_BITS_DEFAULT;
        assert_int_equal(gicsim_histogram_bits(gicsim_system_latency(sys, UINT32_MAX)), bits);
        for (uint32_t i = 0; i < gicsim_system_num_sources(sys); i++)
            assert_int_equal(gicsim_histogram_bits(gicsim_system_latency(sys, i)), bits);
        gicsim_system_run_for(sys, gicsim_scenario_duration(sc));
        assert_true(gicsim_histogram_count(gicsim_system_latency(sys, UINT32_MAX)) > 0);
        assert_int_equal(gicsim_system_set_latency_bits(sys, 9), GICSIM_E_STATE);
        gicsim_system_destroy(sys);
        gicsim_scenario_free(sc);
    }
    uint32_t src;
    gicsim_system *s = small_system(&src);
    assert_int_equal(gicsim_system_set_latency_bits(NULL, 7), GICSIM_E_INVAL);
    assert_int_equal(gicsim_system_set_latency_bits(s, 0), GICSIM_E_INVAL);
    assert_int_equal(gicsim_system_set_latency_bits(s, GICSIM_HISTOGRAM_BITS_MAX + 1),
                     GICSIM_E_INVAL);
    assert_int_equal(gicsim_system_set_latency_bits(s, 12), GICSIM_OK);
    assert_int_equal(gicsim_histogram_bits(gicsim_system_latency(s, src)), 12);
    gicsim_system_destroy(s);
    static const char *const bad[] = {"run.latency_bits=13"};
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    assert_int_not_equal(gicsim_scenario_load(path, bad, 1, &sc, &d), GICSIM_OK);
    assert_string_equal(d.key, "run.latency_bits");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_changes_nothing),
        cmocka_unit_test(test_constant_memory),
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_csv_streamed),
        cmocka_unit_test(test_out_of_memory_stops),
        cmocka_unit_test(test_latency_bits),
        cmocka_unit_test(test_spill),
        cmocka_unit_test(test_sweep_gicv5_flights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
