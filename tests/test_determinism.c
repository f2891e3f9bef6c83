/* gicsim: determinism. A run is a pure function of its inputs:
 *  - every shipped scenario (configs/scenarios), under every policy it lists,
 *    run twice gives byte-identical outputs from every built-in writer (JSON
 *    summary, CSV, Perfetto, VCD, CDF) and identical records (memcmp);
 *  - two systems of the same scenario run interleaved in one process, and a
 *    run cut into many short run_for calls, give the same records as one
 *    run alone (no hidden global state, no dependence on how time is cut);
 *  - a different run.seed gives different Poisson arrivals (and the same seed
 *    the same ones). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NEVER GICSIM_TIME_NEVER
#define N_WRITERS 5

static const char *const writers[N_WRITERS] = {"json", "csv", "perfetto", "vcd", "cdf"};

/* ---- helpers -------------------------------------------------------------------- */

typedef struct run_result {
    char *summary; /* gicsim_output_summary_json */
    gicsim_irq_record *rec;
    size_t n_rec;
    gicsim_system_stats st;
    char *file[N_WRITERS]; /* contents of each writer's file */
    size_t file_len[N_WRITERS];
} run_result;

static void free_result(run_result *r)
{
    free(r->summary);
    free(r->rec);
    for (int i = 0; i < N_WRITERS; i++)
        free(r->file[i]);
    memset(r, 0, sizeof *r);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static gicsim_scenario *load(const char *path, const char *const *ov, size_t n_ov)
{
    gicsim_scenario *sc = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    if (gicsim_scenario_load(path, ov, n_ov, &sc, &d) != GICSIM_OK)
        fail_msg("%s: %s:%u: %s: %s", path, d.file, d.line, d.key, d.message);
    return sc;
}

static gicsim_system *build(const gicsim_scenario *sc, const char *policy)
{
    gicsim_system *sys = NULL;
    gicsim_diag d;
    memset(&d, 0, sizeof d);
    if (gicsim_scenario_build(sc, policy, &sys, &d) != GICSIM_OK)
        fail_msg("build under %s: %s:%u: %s: %s", policy ? policy : "own policies", d.file, d.line,
                 d.key, d.message);
    assert_int_equal(gicsim_system_keep_records(sys), GICSIM_OK);
    return sys;
}

static void keep_records(gicsim_system *sys, run_result *out)
{
    out->n_rec = gicsim_system_record_count(sys);
    out->rec = calloc(out->n_rec ? out->n_rec : 1, sizeof *out->rec);
    assert_non_null(out->rec);
    for (size_t i = 0; i < out->n_rec; i++)
        memcpy(&out->rec[i], gicsim_system_record(sys, i), sizeof out->rec[i]);
    gicsim_system_get_stats(sys, &out->st);
}

/* Run the scenario under `policy` with every writer attached; `tag` names
 * the files. */
static void run_once(const gicsim_scenario *sc, const char *policy, const char *tag,
                     run_result *out)
{
    memset(out, 0, sizeof *out);
    gicsim_system *sys = build(sc, policy);
    char *resolved = NULL;
    assert_int_equal(gicsim_scenario_resolved_json(sc, &resolved), GICSIM_OK);
    const char *src_names[64], *vm_names[16];
    size_t n_src = gicsim_scenario_source_count(sc), n_vms = gicsim_scenario_vm_count(sc);
    assert_true(n_src <= 64 && n_vms <= 16);
    for (size_t i = 0; i < n_src; i++)
        src_names[i] = gicsim_scenario_source_name(sc, i);
    for (size_t i = 0; i < n_vms; i++)
        vm_names[i] = gicsim_scenario_vm_name(sc, i);
    gicsim_output_info info = {.scenario = gicsim_scenario_name(sc),
                               .policy = policy ? policy : "own",
                               .resolved_config_json = resolved,
                               .source_names = src_names,
                               .n_sources = n_src,
                               .vm_names = vm_names,
                               .n_vms = n_vms};
    void *state[N_WRITERS];
    char path[N_WRITERS][512];
    for (int i = 0; i < N_WRITERS; i++) {
        const gicsim_output_ops *ops = gicsim_output_find(writers[i]);
        assert_non_null(ops);
        snprintf(path[i], sizeof path[i], "%s/%s.%s", GICSIM_TEST_TMP, tag, writers[i]);
        assert_int_equal(ops->begin(&state[i], sys, path[i], &info), GICSIM_OK);
    }
    gicsim_system_run_for(sys, gicsim_scenario_duration(sc));
    assert_int_equal(gicsim_output_summary_json(sys, &info, &out->summary), GICSIM_OK);
    for (int i = 0; i < N_WRITERS; i++)
        assert_int_equal(gicsim_output_find(writers[i])->end(state[i], sys, &info), GICSIM_OK);
    keep_records(sys, out);
    assert_int_equal(gicsim_system_check_invariants(sys, NULL, 0), GICSIM_OK);
    gicsim_system_destroy(sys);
    free(resolved);
    for (int i = 0; i < N_WRITERS; i++) {
        out->file[i] = slurp(path[i], &out->file_len[i]);
        remove(path[i]);
    }
}

static void assert_same_records(const run_result *a, const run_result *b, const char *what)
{
    if (a->n_rec != b->n_rec)
        fail_msg("%s: %zu records, then %zu", what, a->n_rec, b->n_rec);
    for (size_t i = 0; i < a->n_rec; i++)
        if (memcmp(&a->rec[i], &b->rec[i], sizeof a->rec[i]))
            fail_msg("%s: record %zu differs (t_assert %llu / %llu, t_ack %llu / %llu)", what, i,
                     (unsigned long long)a->rec[i].t_assert, (unsigned long long)b->rec[i].t_assert,
                     (unsigned long long)a->rec[i].t_ack, (unsigned long long)b->rec[i].t_ack);
    if (memcmp(&a->st, &b->st, sizeof a->st))
        fail_msg("%s: statistics differ", what);
}

static void assert_same(const run_result *a, const run_result *b, const char *what)
{
    assert_true(a->n_rec > 0);
    assert_same_records(a, b, what);
    if (strcmp(a->summary, b->summary))
        fail_msg("%s: JSON summaries differ", what);
    for (int i = 0; i < N_WRITERS; i++) {
        assert_true(a->file_len[i] > 0);
        if (a->file_len[i] != b->file_len[i] || memcmp(a->file[i], b->file[i], a->file_len[i]))
            fail_msg("%s: %s outputs differ (%zu and %zu bytes)", what, writers[i], a->file_len[i],
                     b->file_len[i]);
    }
}

#define MAX_FILES 64

static size_t scenario_files(char out[][256])
{
    size_t n = 0;
    DIR *d = opendir(GICSIM_SCENARIO_DIR);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_FILES) {
        size_t len = strlen(e->d_name);
        if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml"))
            snprintf(out[n++], 256, "%s/%s", GICSIM_SCENARIO_DIR, e->d_name);
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(out[k - 1], out[k]) > 0; k--) {
            char t[256];
            memcpy(t, out[k], sizeof t);
            memcpy(out[k], out[k - 1], sizeof t);
            memcpy(out[k - 1], t, sizeof t);
        }
    assert_true(n > 0);
    return n;
}

static int setup(void **state)
{
    (void)state;
    if (mkdir(GICSIM_TEST_TMP, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* ---- tests -------------------------------------------------------------------- */

static const char *const short_run[] = {"run.duration=2ms"};

static void test_same_twice(void **state)
{
    (void)state;
    static char files[MAX_FILES][256];
    size_t n = scenario_files(files);
    for (size_t f = 0; f < n; f++) {
        gicsim_scenario *sc = load(files[f], short_run, 1);
        for (size_t p = 0; p < gicsim_scenario_policy_count(sc); p++) {
            const char *pol = gicsim_scenario_policy(sc, p);
            char what[512];
            snprintf(what, sizeof what, "%s under %s", files[f], pol);
            run_result a, b;
            run_once(sc, pol, "a", &a);
            run_once(sc, pol, "b", &b);
            assert_same(&a, &b, what);
            free_result(&a);
            free_result(&b);
        }
        gicsim_scenario_free(sc);
    }
}

/* Run alone in one run_for call. */
static void run_plain(const gicsim_scenario *sc, const char *policy, run_result *out)
{
    memset(out, 0, sizeof *out);
    gicsim_system *sys = build(sc, policy);
    gicsim_system_run_for(sys, gicsim_scenario_duration(sc));
    keep_records(sys, out);
    gicsim_system_destroy(sys);
}

static void test_interleaved_and_sliced(void **state)
{
    (void)state;
    static char files[MAX_FILES][256];
    size_t n = scenario_files(files);
    for (size_t f = 0; f < n; f++) {
        gicsim_scenario *sc = load(files[f], short_run, 1);
        const char *pol = gicsim_scenario_policy(sc, 0);
        gicsim_time_t dur = gicsim_scenario_duration(sc), slice = GICSIM_US(37);
        run_result ref, x, y;
        memset(&x, 0, sizeof x);
        memset(&y, 0, sizeof y);
        run_plain(sc, pol, &ref);
        /* Two systems, alternately advanced by uneven slices. */
        gicsim_system *s1 = build(sc, pol), *s2 = build(sc, pol);
        for (gicsim_time_t t = 0; t < dur; t += slice) {
            gicsim_time_t d = dur - t < slice ? dur - t : slice;
            gicsim_system_run_for(s1, d);
            gicsim_system_run_for(s2, d);
        }
        keep_records(s1, &x);
        keep_records(s2, &y);
        /* sim_time and the per-mode times are the same; the rest too. */
        char what[512];
        snprintf(what, sizeof what, "%s under %s, sliced (first system)", files[f], pol);
        assert_same_records(&ref, &x, what);
        snprintf(what, sizeof what, "%s under %s, sliced (second system)", files[f], pol);
        assert_same_records(&ref, &y, what);
        gicsim_system_destroy(s1);
        gicsim_system_destroy(s2);
        free_result(&ref);
        free_result(&x);
        free_result(&y);
        gicsim_scenario_free(sc);
    }
}

/* The first `max` assertion times of Poisson sources. */
static size_t poisson_arrivals(const char *path, const char *seed, gicsim_time_t *t, size_t max)
{
    const char *ov[] = {"run.duration=2ms", seed};
    gicsim_scenario *sc = load(path, ov, 2);
    gicsim_system *sys = build(sc, NULL);
    gicsim_system_run_for(sys, gicsim_scenario_duration(sc));
    size_t n = 0;
    for (size_t i = 0; i < gicsim_system_record_count(sys) && n < max; i++) {
        const gicsim_irq_record *r = gicsim_system_record(sys, i);
        const gicsim_source_config *c = gicsim_system_source_config(sys, r->source);
        if (c && c->arrival == GICSIM_ARRIVE_POISSON)
            t[n++] = r->t_assert;
    }
    gicsim_system_destroy(sys);
    gicsim_scenario_free(sc);
    return n;
}

static void test_seeds(void **state)
{
    (void)state;
    static const char *const with_poisson[] = {"default.yaml", "oversubscribed.yaml",
                                               "nic-spi-vs-vlpi.yaml"};
    for (size_t k = 0; k < sizeof with_poisson / sizeof with_poisson[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", GICSIM_SCENARIO_DIR, with_poisson[k]);
        gicsim_time_t a[64], b[64], c[64];
        size_t na = poisson_arrivals(path, "run.seed=1", a, 64);
        size_t nb = poisson_arrivals(path, "run.seed=2", b, 64);
        size_t nc = poisson_arrivals(path, "run.seed=1", c, 64);
        if (na < 8 || nb < 8)
            fail_msg("%s: only %zu and %zu Poisson arrivals", path, na, nb);
        assert_int_equal(na, nc);
        assert_memory_equal(a, c, na * sizeof a[0]);
        size_t same = 0;
        for (size_t i = 0; i < na && i < nb; i++)
            same += a[i] == b[i];
        if (same == (na < nb ? na : nb))
            fail_msg("%s: seeds 1 and 2 give the same %zu Poisson arrivals", path, same);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_twice),
        cmocka_unit_test(test_interleaved_and_sliced),
        cmocka_unit_test(test_seeds),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
