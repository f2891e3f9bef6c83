/* gicsim: tests of the result outputs (gicsim/output.h): the writer table,
 * each built-in writer on a small running system (2 PEs, one busy VM with an
 * edge SPI, a level SPI and a virtual timer, 2 ms), the JSON summary API and
 * the CDF chart API, and byte-identical output for identical runs.
 *
 * JSON files are validated with tests/tools/json_check.c, linked in
 * (json_check_buffer) and run as the json_check executable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#ifndef TEST_OUTPUT_DIR
#define TEST_OUTPUT_DIR "test_output_files"
#endif

/* tests/tools/json_check.c */
int json_check_buffer(const char *data, size_t len, size_t *err_offset, const char **err_msg);

#define N_SOURCES 3u
static const char *const source_names[N_SOURCES] = {"eth0", "disk", "vtimer"};
static const char *const vm_names[1] = {"web"};

/* ---- helpers ----------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static char *gz_read_file(const char *path, size_t *len)
{
    gzFile g = gzopen(path, "rb");
    assert_non_null(g);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        int r = gzread(g, buf + n, (unsigned)(cap - n));
        assert_true(r >= 0);
        if (r == 0)
            break;
        n += (size_t)r;
    }
    assert_int_equal(gzclose(g), Z_OK);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", TEST_OUTPUT_DIR, name);
}

static void assert_json_valid(const char *data, size_t len)
{
    size_t off = 0;
    const char *msg = NULL;
    int rc = json_check_buffer(data, len, &off, &msg);
    if (rc != 0)
        fail_msg("invalid JSON at byte %zu: %s", off, msg ? msg : "?");
}

/* The integer after `"key": ` (first occurrence at or after `from`). */
static uint64_t json_u64(const char *from, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(from, pat);
    if (!p)
        fail_msg("key %s not found", key);
    return strtoull(p + strlen(pat), NULL, 10);
}

static size_t count_occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static gicsim_output_info test_info(void)
{
    gicsim_output_info info = {
        .scenario = "unit \"test\"",
        .policy = "eoi-split",
        .resolved_config_json = "{\"pes\": 2, \"duration\": \"2ms\"}",
        .source_names = source_names,
        .n_sources = N_SOURCES,
        .vm_names = vm_names,
        .n_vms = 1,
    };
    return info;
}

/* 2 PEs; one busy VM with 2 vCPUs (one per PE); an edge SPI on vCPU 0, a
 * level SPI on vCPU 1, the virtual timer of vCPU 0. */
static gicsim_system *build_system(void)
{
    gicsim_system *s = tf_system(GICSIM_GICV3, 2);
    uint32_t vm = tf_vm(s, "eoi-split", 2, true, true);

    gicsim_source_config sc = tf_source_config(GICSIM_SRC_SPI_EDGE, vm, 0, 40);
    sc.arrival = GICSIM_ARRIVE_PERIODIC;
    sc.period = GICSIM_US(50);
    tf_source_add(s, &sc);

    sc = tf_source_config(GICSIM_SRC_SPI_LEVEL, vm, 1, 41);
    sc.arrival = GICSIM_ARRIVE_POISSON;
    sc.period = GICSIM_US(70);
    sc.seed = 7;
    tf_source_add(s, &sc);

    sc = tf_source_config(GICSIM_SRC_VTIMER, vm, 0, GICSIM_PPI_VTIMER);
    sc.period = GICSIM_US(100);
    tf_source_add(s, &sc);
    return s;
}

static const char *const writer_names[] = {"json", "csv", "csv", "perfetto", "vcd", "cdf"};
static const char *const writer_files[] = {"json", "csv", "csv.gz", "trace.json", "vcd", "svg"};
#define N_WRITERS (sizeof writer_names / sizeof writer_names[0])

/* Builds the system, runs every built-in writer over a 2 ms run into
 * TEST_OUTPUT_DIR/<prefix>.<ext>. Returns the system (writers ended). */
static gicsim_system *run_writers(const char *prefix)
{
    mkdir(TEST_OUTPUT_DIR, 0777);
    gicsim_system *s = build_system();
    gicsim_output_info info = test_info();
    void *state[N_WRITERS];
    for (size_t i = 0; i < N_WRITERS; i++) {
        const gicsim_output_ops *ops = gicsim_output_find(writer_names[i]);
        assert_non_null(ops);
        char name[128], path[512];
        snprintf(name, sizeof name, "%s.%s", prefix, writer_files[i]);
        path_of(path, sizeof path, name);
        state[i] = NULL;
        assert_int_equal(ops->begin(&state[i], s, path, &info), GICSIM_OK);
    }
    gicsim_system_run_for(s, GICSIM_MS(2));
    for (size_t i = 0; i < N_WRITERS; i++)
        assert_int_equal(gicsim_output_find(writer_names[i])->end(state[i], s, &info), GICSIM_OK);
    return s;
}

static char *read_output(const char *prefix, const char *ext, size_t *len)
{
    char name[128], path[512];
    snprintf(name, sizeof name, "%s.%s", prefix, ext);
    path_of(path, sizeof path, name);
    return read_file(path, len);
}

/* ---- the writer table ----------------------------------------------------------- */

static void test_builtin_table(void **state)
{
    (void)state;
    static const char *const builtins[] = {"json", "csv", "perfetto", "vcd", "cdf"};
    assert_true(gicsim_output_count() >= 5);
    for (size_t i = 0; i < 5; i++) {
        const gicsim_output_ops *ops = gicsim_output_at(i);
        assert_non_null(ops);
        assert_string_equal(ops->name, builtins[i]);
        assert_non_null(ops->description);
        assert_ptr_equal(gicsim_output_find(builtins[i]), ops);
    }
    assert_null(gicsim_output_at(gicsim_output_count()));
    assert_null(gicsim_output_find("no-such-writer"));
    assert_null(gicsim_output_find(NULL));
}

typedef struct custom_state {
    FILE *f;
} custom_state;

static int custom_begins, custom_ends;

static gicsim_status custom_begin(void **state, gicsim_system *sys, const char *path,
                                  const gicsim_output_info *info)
{
    (void)info;
    (void)sys;
    custom_state *st = calloc(1, sizeof *st);
    if (!st)
        return GICSIM_E_NOMEM;
    st->f = fopen(path, "wb");
    if (!st->f) {
        free(st);
        return GICSIM_E_IO;
    }
    custom_begins++;
    *state = st;
    return GICSIM_OK;
}

static gicsim_status custom_end(void *state, gicsim_system *sys, const gicsim_output_info *info)
{
    (void)info;
    custom_state *st = state;
    fprintf(st->f, "records=%zu\n", gicsim_system_record_count(sys));
    fclose(st->f);
    free(st);
    custom_ends++;
    return GICSIM_OK;
}

static const gicsim_output_ops custom_ops = {
    .name = "test-custom",
    .description = "a writer registered by the test",
    .begin = custom_begin,
    .end = custom_end,
};

static void test_custom_writer(void **state)
{
    (void)state;
    size_t before = gicsim_output_count();
    assert_int_equal(gicsim_output_register(&custom_ops), GICSIM_OK);
    assert_int_equal(gicsim_output_count(), before + 1);
    assert_ptr_equal(gicsim_output_find("test-custom"), &custom_ops);
    assert_ptr_equal(gicsim_output_at(before), &custom_ops);

    /* Duplicates fail, whether the same struct or another with a taken name. */
    assert_int_equal(gicsim_output_register(&custom_ops), GICSIM_E_EXISTS);
    gicsim_output_ops dup = custom_ops;
    dup.name = "json";
    assert_int_equal(gicsim_output_register(&dup), GICSIM_E_EXISTS);
    assert_int_equal(gicsim_output_count(), before + 1);

    /* Malformed ops are refused. */
    gicsim_output_ops bad = custom_ops;
    bad.name = "test-bad";
    bad.end = NULL;
    assert_int_equal(gicsim_output_register(&bad), GICSIM_E_INVAL);
    bad = custom_ops;
    bad.name = "";
    assert_int_equal(gicsim_output_register(&bad), GICSIM_E_INVAL);
    assert_int_equal(gicsim_output_register(NULL), GICSIM_E_INVAL);

    /* It runs like a built-in. */
    mkdir(TEST_OUTPUT_DIR, 0777);
    gicsim_system *s = build_system();
    char path[512];
    path_of(path, sizeof path, "custom.txt");
    const gicsim_output_ops *ops = gicsim_output_find("test-custom");
    void *st = NULL;
    assert_int_equal(ops->begin(&st, s, path, NULL), GICSIM_OK);
    gicsim_system_run_for(s, GICSIM_US(500));
    assert_int_equal(ops->end(st, s, NULL), GICSIM_OK);
    assert_int_equal(custom_begins, 1);
    assert_int_equal(custom_ends, 1);
    char *txt = read_file(path, NULL);
    char expect[64];
    snprintf(expect, sizeof expect, "records=%zu\n", gicsim_system_record_count(s));
    assert_string_equal(txt, expect);
    free(txt);
    gicsim_system_destroy(s);
}

static void test_table_full(void **state)
{
    (void)state;
    /* Fill the table; the next registration reports FULL, not a crash. */
    static gicsim_output_ops extra[40];
    static char names[40][16];
    gicsim_status rc = GICSIM_OK;
    size_t i = 0;
    for (; i < 40 && rc == GICSIM_OK; i++) {
        snprintf(names[i], sizeof names[i], "fill-%zu", i);
        extra[i] = custom_ops;
        extra[i].name = names[i];
        rc = gicsim_output_register(&extra[i]);
    }
    assert_int_equal(rc, GICSIM_E_FULL);
    assert_int_equal(gicsim_output_count(), 32);
    assert_non_null(gicsim_output_find("json"));
}

/* ---- the writers on a running system --------------------------------------------- */

static void test_json_summary(void **state)
{
    (void)state;
    gicsim_system *s = run_writers("run");
    size_t len;
    char *js = read_output("run", "json", &len);
    assert_json_valid(js, len);
    assert_true(len > 0 && js[len - 1] == '\n');

    gicsim_system_stats st;
    gicsim_system_get_stats(s, &st);
    assert_true(st.delivered > 20); /* the run did something */
    assert_true(st.exits_total > 0);

    assert_non_null(strstr(js, "\"gicsim\": \"" GICSIM_VERSION_STRING "\""));
    assert_non_null(strstr(js, "\"scenario\": \"unit \\\"test\\\"\""));
    assert_non_null(strstr(js, "\"policy\": \"eoi-split\""));
    assert_non_null(strstr(js, "\"config\": {\"pes\": 2, \"duration\": \"2ms\"}"));
    const char *res = strstr(js, "\"results\": ");
    assert_non_null(res);
    assert_int_equal(json_u64(res, "sim_time_ps"), st.sim_time);
    assert_int_equal(st.sim_time, GICSIM_MS(2));
    assert_int_equal(json_u64(res, "pes"), 2);
    assert_int_equal(json_u64(res, "asserted"), st.asserted);
    assert_int_equal(json_u64(res, "delivered"), st.delivered);
    assert_int_equal(json_u64(res, "merged"), st.merged);
    assert_int_equal(json_u64(res, "pending"), st.pending);
    assert_int_equal(json_u64(res, "maintenance_irqs"), st.maintenance_irqs);
    assert_int_equal(json_u64(res, "lr_spills"), st.lr_spills);
    assert_int_equal(json_u64(res, "kicks"), st.kicks);
    assert_int_equal(json_u64(res, "wakeups"), st.wakeups);
    assert_int_equal(json_u64(res, "vcpu_switches"), st.vcpu_switches);
    assert_int_equal(json_u64(res, "hyp_time_ps"), st.hyp_time);
    const char *ex = strstr(res, "\"exits\": ");
    assert_non_null(ex);
    assert_int_equal(json_u64(ex, "total"), st.exits_total);
    for (int r = 0; r < GICSIM_EXIT__COUNT; r++)
        assert_int_equal(json_u64(ex, gicsim_exit_reason_name((gicsim_exit_reason)r)), st.exits[r]);

    /* Latency: counts match the histograms, ns values have exactly 3 decimals. */
    const char *all = strstr(res, "\"all\": ");
    assert_non_null(all);
    assert_int_equal(json_u64(all, "count"),
                     gicsim_histogram_count(gicsim_system_latency(s, UINT32_MAX)));
    gicsim_summary sum;
    gicsim_histogram_summary(gicsim_system_latency(s, UINT32_MAX), &sum);
    char expect[64];
    snprintf(expect, sizeof expect, "\"p99_ns\": %" PRIu64 ".%03" PRIu64, sum.p99 / 1000,
             sum.p99 % 1000);
    assert_non_null(strstr(all, expect));
    snprintf(expect, sizeof expect, "\"max_ns\": %" PRIu64 ".%03" PRIu64, sum.max / 1000,
             sum.max % 1000);
    assert_non_null(strstr(all, expect));
    for (uint32_t i = 0; i < N_SOURCES; i++) {
        char key[64];
        snprintf(key, sizeof key, "\"%s\": {", source_names[i]);
        const char *src = strstr(res, key);
        assert_non_null(src);
        assert_int_equal(json_u64(src, "count"),
                         gicsim_histogram_count(gicsim_system_latency(s, i)));
        assert_true(gicsim_histogram_count(gicsim_system_latency(s, i)) > 0);
    }
    const char *share = strstr(res, "\"hyp_time_share\": 0.");
    assert_non_null(share);
    assert_int_equal(strspn(share + strlen("\"hyp_time_share\": 0."), "0123456789"), 6);

    /* The API returns the same object (without the trailing newline). */
    gicsim_output_info info = test_info();
    char *api = NULL;
    assert_int_equal(gicsim_output_summary_json(s, &info, &api), GICSIM_OK);
    assert_non_null(api);
    assert_int_equal(strlen(api), len - 1);
    assert_memory_equal(api, js, len - 1);
    free(api);
    free(js);
    gicsim_system_destroy(s);
}

static void test_summary_json_api(void **state)
{
    (void)state;
    gicsim_system *s = build_system();
    gicsim_system_run_for(s, GICSIM_US(300));
    char *js = NULL;
    assert_int_equal(gicsim_output_summary_json(s, NULL, &js), GICSIM_OK);
    assert_json_valid(js, strlen(js));
    assert_non_null(strstr(js, "\"scenario\": null"));
    assert_non_null(strstr(js, "\"config\": null"));
    assert_non_null(strstr(js, "\"src2\": {")); /* default source names */
    free(js);

    /* Embedding several runs in one document, as a compare would. */
    char *a = NULL, *b = NULL;
    gicsim_output_info info = test_info();
    assert_int_equal(gicsim_output_summary_json(s, &info, &a), GICSIM_OK);
    assert_int_equal(gicsim_output_summary_json(s, &info, &b), GICSIM_OK);
    assert_string_equal(a, b);
    size_t n = strlen(a) + strlen(b) + 32;
    char *doc = malloc(n);
    assert_non_null(doc);
    snprintf(doc, n, "{\"runs\": [%s, %s]}", a, b);
    assert_json_valid(doc, strlen(doc));
    free(doc);
    free(a);
    free(b);

    /* Duplicate source names get "#<index>" so keys stay unique. */
    static const char *const same[N_SOURCES] = {"dev", "dev", "t"};
    info.source_names = same;
    assert_int_equal(gicsim_output_summary_json(s, &info, &js), GICSIM_OK);
    assert_non_null(strstr(js, "\"dev\": {"));
    assert_non_null(strstr(js, "\"dev#1\": {"));
    free(js);

    assert_int_equal(gicsim_output_summary_json(NULL, NULL, &js), GICSIM_E_INVAL);
    assert_null(js);
    assert_int_equal(gicsim_output_summary_json(s, NULL, NULL), GICSIM_E_INVAL);
    gicsim_system_destroy(s);
}

static void test_csv(void **state)
{
    (void)state;
    gicsim_system *s = run_writers("run");
    size_t len, zlen;
    char *csv = read_output("run", "csv", &len);
    char gzpath[512];
    path_of(gzpath, sizeof gzpath, "run.csv.gz");
    char *raw = read_file(gzpath, NULL);
    assert_true((unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b); /* gzip magic */
    free(raw);
    char *unz = gz_read_file(gzpath, &zlen);
    assert_int_equal(zlen, len);
    assert_memory_equal(unz, csv, len);
    free(unz);

    static const char header[] =
        "source,vm,vcpu,intid,t_assert_ps,t_signal_ps,t_ack_ps,t_eoi_ps,t_deact_ps,latency_ps,"
        "exits_irq,exits_maintenance,exits_wfi,exits_sgi_trap,exits_mmio,exits_hvc,hyp_time_ps,"
        "maintenance,lr_spills,merged\n";
    assert_true(len > strlen(header));
    assert_memory_equal(csv, header, strlen(header));

    size_t n = gicsim_system_record_count(s);
    assert_true(n > 20);
    assert_int_equal(count_occurrences(csv, "\n"), n + 1);

    /* Check every row against its record. */
    char *line = csv + strlen(header);
    size_t merged_rows = 0, empty_ack = 0;
    for (size_t i = 0; i < n; i++) {
        const gicsim_irq_record *r = gicsim_system_record(s, i);
        char *eol = strchr(line, '\n');
        assert_non_null(eol);
        *eol = '\0';
        assert_int_equal(count_occurrences(line, ","), 19);
        char expect[128];
        snprintf(expect, sizeof expect, "%s,web,%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",",
                 source_names[r->source], r->vcpu, r->intid, r->t_assert);
        assert_memory_equal(line, expect, strlen(expect));
        /* latency is field 10 */
        char *f = line;
        for (int k = 0; k < 9; k++)
            f = strchr(f, ',') + 1;
        if (r->t_ack != GICSIM_TIME_NEVER) {
            assert_int_equal(strtoull(f, NULL, 10), r->t_ack - r->t_assert);
        } else {
            assert_true(*f == ',');
            empty_ack++;
        }
        assert_true(eol[-1] == (r->merged ? '1' : '0'));
        merged_rows += r->merged;
        line = eol + 1;
    }
    assert_int_equal(*line, '\0');
    gicsim_system_stats st;
    gicsim_system_get_stats(s, &st);
    assert_int_equal(merged_rows, st.merged);
    assert_int_equal(empty_ack, st.merged + st.pending);
    free(csv);
    gicsim_system_destroy(s);
}

static void test_perfetto(void **state)
{
    (void)state;
    gicsim_system *s = run_writers("run");
    size_t len;
    char *tr = read_output("run", "trace.json", &len);
    assert_json_valid(tr, len);
    assert_memory_equal(tr, "{\"traceEvents\":[", 16);
    assert_non_null(strstr(tr, "\"displayTimeUnit\":\"ns\""));

    /* Track names. */
    assert_non_null(strstr(tr, "\"name\":\"process_name\",\"args\":{\"name\":\"PEs\"}"));
    assert_non_null(strstr(tr, "\"name\":\"process_name\",\"args\":{\"name\":\"vCPUs\"}"));
    assert_non_null(strstr(tr, "\"name\":\"process_name\",\"args\":{\"name\":\"sources\"}"));
    assert_non_null(strstr(tr, "\"pid\":1,\"tid\":1,\"ts\":0.000000,\"name\":\"thread_name\","
                               "\"args\":{\"name\":\"PE 1\"}"));
    assert_non_null(strstr(tr, "\"args\":{\"name\":\"web.vcpu1\"}"));
    assert_non_null(strstr(tr, "\"args\":{\"name\":\"vtimer\"}"));

    /* Slices of every kind the run has. */
    assert_non_null(strstr(tr, "\"name\":\"guest web.vcpu0\""));
    assert_non_null(strstr(tr, "\"name\":\"guest web.vcpu1\""));
    assert_non_null(strstr(tr, "\"name\":\"hyp\""));
    assert_non_null(strstr(tr, "\"name\":\"running\""));
    assert_non_null(strstr(tr, "\"ph\":\"i\""));
    assert_non_null(strstr(tr, "\"name\":\"irq\",\"cat\":\"exit\""));

    /* One flow (start + end) per delivered record. */
    gicsim_system_stats st;
    gicsim_system_get_stats(s, &st);
    assert_int_equal(count_occurrences(tr, "{\"ph\":\"s\""), st.delivered);
    assert_int_equal(count_occurrences(tr, "{\"ph\":\"f\""), st.delivered);
    assert_int_equal(count_occurrences(tr, "\"bp\":\"e\""), st.delivered);

    /* Timestamps: microseconds with exactly 6 decimals. */
    size_t n_ts = 0;
    for (const char *p = strstr(tr, "\"ts\":"); p; p = strstr(p + 1, "\"ts\":")) {
        const char *v = p + 5;
        size_t ip = strspn(v, "0123456789");
        assert_true(ip > 0);
        assert_int_equal(v[ip], '.');
        assert_int_equal(strspn(v + ip + 1, "0123456789"), 6);
        n_ts++;
    }
    assert_true(n_ts > 100);
    /* The first delivered record's flow starts at its assertion. */
    for (size_t i = 0; i < gicsim_system_record_count(s); i++) {
        const gicsim_irq_record *r = gicsim_system_record(s, i);
        if (r->merged || r->t_ack == GICSIM_TIME_NEVER)
            continue;
        char expect[160];
        snprintf(expect, sizeof expect,
                 "{\"ph\":\"s\",\"pid\":3,\"tid\":%" PRIu32 ",\"ts\":%" PRIu64 ".%06" PRIu64
                 ",\"id\":%zu,",
                 r->source, r->t_assert / 1000000, r->t_assert % 1000000, i);
        assert_non_null(strstr(tr, expect));
        break;
    }
    free(tr);
    gicsim_system_destroy(s);
}

static void test_vcd(void **state)
{
    (void)state;
    gicsim_system *s = run_writers("run");
    size_t len;
    char *vcd = read_output("run", "vcd", &len);
    assert_memory_equal(vcd, "$date", 5);
    const char *ts = strstr(vcd, "$timescale 1ps $end");
    const char *scope = strstr(vcd, "$scope module gicsim $end");
    const char *enddef = strstr(vcd, "$enddefinitions $end");
    const char *dump = strstr(vcd, "$dumpvars");
    assert_non_null(strstr(vcd, "$version\n    gicsim " GICSIM_VERSION_STRING));
    assert_non_null(ts);
    assert_non_null(scope);
    assert_non_null(enddef);
    assert_non_null(dump);
    assert_true(ts < scope && scope < enddef && enddef < dump);
    /* 4 wires per PE, one per SPI source. */
    assert_int_equal(count_occurrences(vcd, "$var wire 1 "), 2 * 4 + 2);
    assert_non_null(strstr(vcd, " nIRQ $end"));
    assert_non_null(strstr(vcd, " vFIQ $end"));
    assert_non_null(strstr(vcd, " eth0_line $end"));
    assert_non_null(strstr(vcd, " disk_line $end"));
    assert_null(strstr(vcd, "vtimer_line"));
    assert_int_equal(count_occurrences(vcd, "$scope"), count_occurrences(vcd, "$upscope"));

    /* Times strictly increase; every change line is 0/1 + a known identifier. */
    char *copy = strdup(enddef);
    assert_non_null(copy);
    uint64_t last = 0;
    size_t n_times = 0, n_changes = 0;
    bool in_dump = false;
    for (char *l = strtok(copy, "\n"); l; l = strtok(NULL, "\n")) {
        if (l[0] == '#') {
            uint64_t t = strtoull(l + 1, NULL, 10);
            if (n_times)
                assert_true(t > last);
            last = t;
            n_times++;
        } else if (l[0] == '0' || l[0] == '1') {
            char pat[32];
            snprintf(pat, sizeof pat, "$var wire 1 %s ", l + 1);
            assert_non_null(strstr(vcd, pat));
            n_changes++;
        } else if (strcmp(l, "$dumpvars") == 0) {
            in_dump = true;
        } else if (strcmp(l, "$end") == 0) {
            assert_true(in_dump);
            in_dump = false;
        } else {
            assert_string_equal(l, "$enddefinitions $end");
        }
    }
    free(copy);
    assert_true(n_times > 10);
    assert_true(n_changes > 10 + 10);
    assert_int_equal(last, GICSIM_MS(2)); /* the end of the run is marked */
    free(vcd);
    gicsim_system_destroy(s);
}

static void test_cdf_writer(void **state)
{
    (void)state;
    gicsim_system *s = run_writers("run");
    size_t len;
    char *svg = read_output("run", "svg", &len);
    assert_memory_equal(svg, "<svg", 4);
    assert_true(len > 7);
    assert_string_equal(svg + len - 7, "</svg>\n");
    /* each curve twice: the CDF and its tail view */
    assert_int_equal(count_occurrences(svg, "<polyline"), 2 * (1 + N_SOURCES));
    assert_int_equal(count_occurrences(svg, "<text"), count_occurrences(svg, "</text>"));
    assert_non_null(strstr(svg, "all sources (n="));
    assert_non_null(strstr(svg, ">disk (n="));
    assert_non_null(strstr(svg, "unit &quot;test&quot;")); /* title escaped */
    assert_null(strstr(svg, "nan"));
    free(svg);
    gicsim_system_destroy(s);
}

static void test_cdf_svg_api(void **state)
{
    (void)state;
    mkdir(TEST_OUTPUT_DIR, 0777);
    gicsim_histogram *a = NULL, *b = NULL, *e = NULL;
    assert_int_equal(gicsim_histogram_create(&a), GICSIM_OK);
    assert_int_equal(gicsim_histogram_create(&b), GICSIM_OK);
    assert_int_equal(gicsim_histogram_create(&e), GICSIM_OK);
    for (uint64_t i = 1; i <= 1000; i++) {
        gicsim_histogram_record(a, GICSIM_NS(1000 + i));     /* 1..2 us */
        gicsim_histogram_record(b, GICSIM_NS(1500 + 2 * i)); /* 1.5..3.5 us */
    }
    char path[512];
    path_of(path, sizeof path, "cdf_linear.svg");
    const gicsim_histogram *h[3] = {a, b, e};
    const char *labels[3] = {"policy <a>", NULL, "empty"};
    assert_int_equal(gicsim_output_cdf_svg(path, "two & one", labels, h, 3), GICSIM_OK);
    char *svg = read_file(path, NULL);
    assert_memory_equal(svg, "<svg", 4);
    /* the CDF and the tail of each; the empty one has none */
    assert_int_equal(count_occurrences(svg, "<polyline"), 4);
    assert_non_null(strstr(svg, "policy &lt;a&gt; (n=1000)"));
    assert_non_null(strstr(svg, "series 1 (n=1000)"));
    assert_non_null(strstr(svg, "empty (no data)"));
    assert_non_null(strstr(svg, "two &amp; one"));
    assert_non_null(strstr(svg, ">latency (us)<"));
    assert_non_null(strstr(svg, ">0.5<")); /* a linear tick label */
    free(svg);

    /* A wide range gets a log axis with decade ticks. */
    gicsim_histogram_record(b, GICSIM_US(900));
    path_of(path, sizeof path, "cdf_log.svg");
    assert_int_equal(gicsim_output_cdf_svg(path, NULL, NULL, h, 2), GICSIM_OK);
    svg = read_file(path, NULL);
    assert_non_null(strstr(svg, ">latency (us, log scale)<"));
    assert_non_null(strstr(svg, ">1000<"));
    assert_non_null(strstr(svg, ">1<"));
    assert_non_null(strstr(svg, "Interrupt latency CDF"));
    assert_int_equal(count_occurrences(svg, "<polyline"), 4);
    free(svg);

    /* One view at a time, on a page of the asked size. */
    gicsim_plot_style style = {.width = 500, .height = 300, .font_size = 9};
    path_of(path, sizeof path, "cdf_tail.svg");
    assert_int_equal(
        gicsim_output_cdf_svg_styled(path, NULL, NULL, h, 2, GICSIM_CDF_VIEW_TAIL, &style),
        GICSIM_OK);
    svg = read_file(path, NULL);
    assert_non_null(strstr(svg, "width=\"500\" height=\"300\""));
    assert_non_null(strstr(svg, "font-size=\"9\""));
    assert_non_null(strstr(svg, "1 - CDF"));
    assert_null(strstr(svg, "latency &lt;= x"));
    assert_int_equal(count_occurrences(svg, "<polyline"), 2);
    free(svg);
    path_of(path, sizeof path, "cdf_only.svg");
    assert_int_equal(
        gicsim_output_cdf_svg_styled(path, NULL, NULL, h, 2, GICSIM_CDF_VIEW_CDF, NULL), GICSIM_OK);
    svg = read_file(path, NULL);
    assert_null(strstr(svg, "1 - CDF"));
    assert_non_null(strstr(svg, "latency &lt;= x"));
    assert_int_equal(count_occurrences(svg, "<polyline"), 2);
    free(svg);
    assert_int_equal(gicsim_output_cdf_svg_styled(path, NULL, NULL, h, 2, (gicsim_cdf_view)7, NULL),
                     GICSIM_E_INVAL);

    /* Two identical curves both stay visible: the later one is drawn
     * thinner, in another colour and dash pattern, with another marker. */
    const gicsim_histogram *same[2] = {a, a};
    path_of(path, sizeof path, "cdf_same.svg");
    assert_int_equal(
        gicsim_output_cdf_svg_styled(path, NULL, NULL, same, 2, GICSIM_CDF_VIEW_CDF, NULL),
        GICSIM_OK);
    svg = read_file(path, NULL);
    char *l1 = strstr(svg, "<polyline"), *l2 = l1 ? strstr(l1 + 1, "<polyline") : NULL;
    assert_non_null(l2);
    char s1[128], s2[128];
    snprintf(s1, sizeof s1, "%.*s", (int)(strstr(l1, " points") - l1), l1);
    snprintf(s2, sizeof s2, "%.*s", (int)(strstr(l2, " points") - l2), l2);
    assert_string_not_equal(s1, s2);
    assert_non_null(strstr(s1, "stroke-width=\"3.20\""));
    assert_non_null(strstr(s2, "stroke-width=\"2.75\""));
    assert_non_null(strstr(s2, "stroke-dasharray"));
    assert_non_null(strstr(svg, "<circle"));                /* series 0's marker */
    assert_non_null(strstr(svg, "<polygon fill=\"none\"")); /* series 1's square */
    free(svg);

    /* No data at all still gives a chart. */
    path_of(path, sizeof path, "cdf_empty.svg");
    assert_int_equal(gicsim_output_cdf_svg(path, "none", NULL, NULL, 0), GICSIM_OK);
    svg = read_file(path, NULL);
    assert_non_null(strstr(svg, "</svg>"));
    free(svg);

    assert_int_equal(gicsim_output_cdf_svg(NULL, NULL, NULL, h, 2), GICSIM_E_INVAL);
    assert_int_equal(gicsim_output_cdf_svg(path, NULL, NULL, NULL, 2), GICSIM_E_INVAL);
    const gicsim_histogram *hn[1] = {NULL};
    assert_int_equal(gicsim_output_cdf_svg(path, NULL, NULL, hn, 1), GICSIM_E_INVAL);
    assert_int_equal(gicsim_output_cdf_svg(TEST_OUTPUT_DIR "/no/such/dir/x.svg", NULL, NULL, h, 2),
                     GICSIM_E_IO);
    gicsim_histogram_destroy(a);
    gicsim_histogram_destroy(b);
    gicsim_histogram_destroy(e);
}

static void test_deterministic(void **state)
{
    (void)state;
    gicsim_system *s1 = run_writers("det1");
    gicsim_system *s2 = run_writers("det2");
    for (size_t i = 0; i < N_WRITERS; i++) {
        size_t l1, l2;
        char *a = read_output("det1", writer_files[i], &l1);
        char *b = read_output("det2", writer_files[i], &l2);
        if (l1 != l2 || memcmp(a, b, l1) != 0)
            fail_msg("%s output differs between identical runs", writer_files[i]);
        assert_true(l1 > 0);
        free(a);
        free(b);
    }
    gicsim_system_destroy(s1);
    gicsim_system_destroy(s2);
}

static void test_bad_paths(void **state)
{
    (void)state;
    gicsim_system *s = build_system();
    for (size_t i = 0; i < 5; i++) {
        const gicsim_output_ops *ops = gicsim_output_at(i);
        void *st = NULL;
        assert_int_equal(ops->begin(&st, s, TEST_OUTPUT_DIR "/no/such/dir/out", NULL), GICSIM_E_IO);
        assert_int_equal(ops->begin(&st, s, NULL, NULL), GICSIM_E_INVAL);
        assert_int_equal(ops->begin(&st, NULL, "x", NULL), GICSIM_E_INVAL);
    }
    assert_int_equal(gicsim_output_find("csv")->begin(
                         &(void *){NULL}, s, TEST_OUTPUT_DIR "/no/such/dir/out.csv.gz", NULL),
                     GICSIM_E_IO);
    gicsim_system_destroy(s);
}

/* The json_check program itself: accepts our outputs, rejects broken JSON. */
static void test_json_check_tool(void **state)
{
    (void)state;
#ifdef JSON_CHECK_PATH
    gicsim_system *s = run_writers("tool");
    gicsim_system_destroy(s);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "\"%s\" \"%s/tool.json\" \"%s/tool.trace.json\"", JSON_CHECK_PATH,
             TEST_OUTPUT_DIR, TEST_OUTPUT_DIR);
    assert_int_equal(system(cmd), 0);
    char bad[512];
    path_of(bad, sizeof bad, "bad.json");
    FILE *f = fopen(bad, "wb");
    assert_non_null(f);
    fputs("{\"a\": [1, 2,]}\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "\"%s\" \"%s\" 2>/dev/null", JSON_CHECK_PATH, bad);
    int rc = system(cmd);
    assert_true(rc != 0 && rc != -1);
#endif
    /* The linked checker: strictness. */
    static const char *const good[] = {
        "0",  "-0.5e+3", "\"\\u00e9\\n\"",
        "[]", "{}",      " {\"a\":[true,false,null,{\"b\":\"\xc3\xa9\"}]} \n"};
    static const char *const bad_docs[] = {"",           "01",      "1.",       "[1,]",
                                           "{\"a\":1,}", "{'a':1}", "NaN",      "\"\t\"",
                                           "\"\\x\"",    "[1] [2]", "\"\xc3\"", "\"\xed\xa0\x80\"",
                                           "{\"a\" 1}",  "[",       "tru"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(json_check_buffer(good[i], strlen(good[i]), NULL, NULL), 0);
    for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++)
        if (json_check_buffer(bad_docs[i], strlen(bad_docs[i]), NULL, NULL) == 0)
            fail_msg("accepted invalid JSON #%zu", i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_table), cmocka_unit_test(test_custom_writer),
        cmocka_unit_test(test_json_summary),  cmocka_unit_test(test_summary_json_api),
        cmocka_unit_test(test_csv),           cmocka_unit_test(test_perfetto),
        cmocka_unit_test(test_vcd),           cmocka_unit_test(test_cdf_writer),
        cmocka_unit_test(test_cdf_svg_api),   cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_paths),     cmocka_unit_test(test_json_check_tool),
        cmocka_unit_test(test_table_full), /* last: it fills the table */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
