/* gicsim: tests of register-level conformance scripts (gicsim_script_*):
 * tests/scenario/scripts/pass.yaml passes, fail.yaml stops at its wrong
 * expectation with a message naming the step, its line and both values,
 * each file in scripts/bad/ is rejected at load time with its position and
 * key path, every step kind's failure message, status expectations, the
 * platform timing (hop costs decide when an interrupt reaches the CPU
 * interface), that a run always starts from a reset GIC, the run-all mode
 * (every failure, in order), the ITS and memory steps, the GICv5 steps.
 *
 * `test_script FILE...` instead runs each script in run-all mode, printing
 * every failure; CTest runs each shipped conformance script this way
 * (tests/CMakeLists.txt).
 *
 * Sample files come from GICSIM_TEST_DATA_DIR (tests/scenario). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GICSIM_TEST_DATA_DIR
#error "GICSIM_TEST_DATA_DIR must name tests/scenario"
#endif

static const char *data_path(const char *rel)
{
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", GICSIM_TEST_DATA_DIR, rel);
    return b;
}

static gicsim_script *load_file(const char *rel)
{
    gicsim_script *s = NULL;
    gicsim_diag d;
    if (gicsim_script_load(data_path(rel), &s, &d) != GICSIM_OK)
        fail_msg("%s:%u:%u: %s: %s", d.file, d.line, d.column, d.key, d.message);
    return s;
}

static void print_failure(void *ctx, const gicsim_script_result *f)
{
    fprintf(stderr, "%s: %s\n", (const char *)ctx, f->message);
}

/* Load an inline script named as if it lived in tests/scenario/scripts/. */
static gicsim_script *load_text(const char *yaml)
{
    gicsim_script *s = NULL;
    gicsim_diag d;
    if (gicsim_script_load_string(yaml, data_path("scripts/inline.yaml"), &s, &d) != GICSIM_OK)
        fail_msg("inline:%u:%u: %s: %s", d.line, d.column, d.key, d.message);
    return s;
}

/* An inline script that must load and pass. */
static void expect_pass(const char *yaml)
{
    gicsim_script *s = load_text(yaml);
    gicsim_script_result r;
    if (gicsim_script_run(s, &r) != GICSIM_OK)
        fail_msg("%s", r.message);
    gicsim_script_free(s);
}

static void expect_failure(const char *yaml, size_t step, const char *message)
{
    gicsim_script *s = load_text(yaml);
    gicsim_script_result r;
    assert_int_equal(gicsim_script_run(s, &r), GICSIM_E_STATE);
    assert_int_equal(r.failed_step, step);
    assert_int_equal(r.steps_run, step + 1);
    if (strcmp(r.message, message) != 0)
        fail_msg("message \"%s\", expected \"%s\"", r.message, message);
    gicsim_script_free(s);
}

static void test_pass(void **state)
{
    (void)state;
    gicsim_script *s = load_file("scripts/pass.yaml");
    assert_string_equal(gicsim_script_name(s), "spi-and-lr-roundtrip");
    assert_true(gicsim_script_step_count(s) >= 20);
    for (int run = 0; run < 2; run++) { /* each run starts from reset */
        gicsim_script_result r;
        memset(&r, 0x5A, sizeof r);
        gicsim_status st = gicsim_script_run(s, &r);
        if (st != GICSIM_OK)
            fail_msg("%s", r.message);
        assert_int_equal(r.steps_run, gicsim_script_step_count(s));
        assert_int_equal(r.failed_step, SIZE_MAX);
        assert_int_equal(r.line, 0);
    }
    assert_int_equal(gicsim_script_run(s, NULL), GICSIM_OK);
    gicsim_script_free(s);
}

static void test_fail(void **state)
{
    (void)state;
    gicsim_script *s = load_file("scripts/fail.yaml");
    gicsim_script_result r;
    assert_int_equal(gicsim_script_run(s, &r), GICSIM_E_STATE);
    assert_int_equal(r.failed_step, 5);
    assert_int_equal(r.steps_run, 6);
    assert_int_equal(r.line, 10);
    assert_string_equal(r.message,
                        "step 5 (line 10): icc_read pe 0 IAR1: expected 0x28, got 0x3ff");
    gicsim_script_free(s);
}

typedef struct bad_script {
    const char *file; /* in scripts/bad/ */
    unsigned line, column;
    const char *key;
    const char *message;
} bad_script;

static const bad_script bad_scripts[] = {
    {"unknown-step.yaml", 4, 5, "steps.1.its_mapx",
     "unknown step \"its_mapx\" (steps: its_mapd, its_mapc"},
    {"unknown-reg.yaml", 3, 28, "steps.0.icc_read.reg", "unknown ICC register \"IAR7\""},
    {"lr-range.yaml", 4, 29, "steps.0.ich_write.reg", "2 list registers"},
    {"icv-sgi1r.yaml", 3, 29, "steps.0.icv_write.reg", "no ICV_ view"},
    {"step-two-keys.yaml", 3, 5, "steps.0", "exactly one key"},
    {"pe-range.yaml", 4, 20, "steps.0.icc_read.pe", "PE 2 does not exist"},
    {"missing-value.yaml", 3, 17, "steps.0.gicd_write.value", "missing required"},
    {"bad-state.yaml", 3, 38, "steps.0.expect_state.state", "active-pending"},
    {"no-steps.yaml", 2, 8, "steps", "at least one step"},
    {"advance-no-unit.yaml", 3, 14, "steps.0.advance", "needs a unit"},
    {"its-without-its.yaml", 4, 15, "steps.0.its_sync", "has no ITS"},
    {"its-missing-field.yaml", 3, 16, "steps.0.its_mapti.intid", "missing required key"},
    {"its-unknown-field.yaml", 3, 36, "steps.0.its_int.icid", "unknown key"},
    {"one-of-empty.yaml", 3, 42, "steps.0.icc_read.one_of", "an empty list"},
    {"expect-and-one-of.yaml", 3, 50, "steps.0.gicd_read.one_of", "not both"},
    {"lines-none.yaml", 3, 19, "steps.0.expect_lines", "at least one of irq"},
    {"gits-unknown-reg.yaml", 3, 25, "steps.0.gits_read.offset", "unknown GITS register"},
    {"mem-value-size.yaml", 3, 47, "steps.0.mem_write.value", "out of range (0..255)"},
    {"lpi-not-lpi.yaml", 3, 42, "steps.0.lpi_pending.intid", "out of range (8192.."},
    {"raw-three-dw.yaml", 3, 19, "steps.0.its_raw.dw", "4 doublewords"},
};

static void test_bad_scripts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_scripts / sizeof bad_scripts[0]; i++) {
        const bad_script *c = &bad_scripts[i];
        char rel[200];
        snprintf(rel, sizeof rel, "scripts/bad/%s", c->file);
        gicsim_script *s = (gicsim_script *)(uintptr_t)1;
        gicsim_diag d;
        gicsim_status st = gicsim_script_load(data_path(rel), &s, &d);
        assert_null(s);
        if (st != GICSIM_E_INVAL || d.line != c->line || d.column != c->column ||
            strcmp(d.key, c->key) || !strstr(d.message, c->message) ||
            strcmp(d.file, data_path(rel)))
            fail_msg("%s: got %d at %s:%u:%u %s: %s", c->file, st, d.file, d.line, d.column, d.key,
                     d.message);
    }
    /* Not found, empty, not a mapping, YAML error. */
    gicsim_script *s = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_script_load(data_path("scripts/none.yaml"), &s, &d), GICSIM_E_IO);
    assert_non_null(strstr(d.message, strerror(ENOENT)));
    assert_int_equal(gicsim_script_load_string("", "e", &s, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_script_load_string("[1, 2]", "e", &s, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_script_load_string("script: x\nsteps: [\n", "e", &s, &d),
                     GICSIM_E_PARSE);
    assert_int_equal(gicsim_script_load_string("steps: [{os_init: true}]\n", "e", &s, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "script");
    assert_int_equal(
        gicsim_script_load_string("script: x\nsteps: [{os_init: false}]\n", "e", &s, &d),
        GICSIM_E_INVAL);
    assert_int_equal(gicsim_script_load_string("script: x\ntiming: nowhere\nsteps: [{os_init: "
                                               "true}]\n",
                                               "e", &s, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "timing");
    assert_int_equal(gicsim_script_load_string("script: x\ngic: {pes: 0}\nsteps: [{os_init: "
                                               "true}]\n",
                                               "e", &s, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "gic.pes");
    assert_int_equal(gicsim_script_load_string("script: x\nsteps:\n  - expect_stat: {name: "
                                               "coffee, value: 1}\n",
                                               "e", &s, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "steps.0.expect_stat.name");
    assert_int_equal(gicsim_script_load_string("script: x\nsteps:\n  - gicd_read: {offset: 0, "
                                               "mask: 1}\n",
                                               "e", &s, &d),
                     GICSIM_E_INVAL);
    assert_int_equal(gicsim_script_load_string("script: x\nsteps:\n  - gicr_read: {pe: 0, offset: "
                                               "0, size: 3}\n",
                                               "e", &s, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "steps.0.gicr_read.size");
    assert_int_equal(gicsim_script_load_string("script: x\nsteps:\n  - icc_read: {pe: 0, reg: "
                                               "IAR1, expect: 1, colour: red}\n",
                                               "e", &s, &d),
                     GICSIM_E_INVAL);
    assert_string_equal(d.key, "steps.0.icc_read.colour");
    assert_null(s);
}

static void test_failure_messages(void **state)
{
    (void)state;
    expect_failure("script: s\nsteps:\n"
                   "  - expect_state: {intid: 40, state: pending}\n",
                   0,
                   "step 0 (line 3): expect_state intid 40 pe 0: expected pending, got inactive");
    expect_failure("script: s\nsteps:\n"
                   "  - advance: 1us\n"
                   "  - expect_stat: {name: raz_wi_reads, value: 2}\n",
                   1, "step 1 (line 4): expect_stat raz_wi_reads: expected 2, got 0");
    expect_failure("script: s\nsteps:\n"
                   "  - gicd_read: {offset: 0x0, expect: 0x40, mask: 0x40}\n" /* DS */
                   "  - gicd_read: {offset: 0x0, expect: 0x0, mask: 0x10}\n", /* ARE: RAO */
                   1,
                   "step 1 (line 4): gicd_read offset 0x0 size 4: expected 0x0 (mask 0x10), "
                   "got 0x50");
    expect_failure("script: s\nsteps:\n"
                   "  - icv_write: {pe: 0, reg: DIR, value: 32, status: state}\n",
                   0,
                   "step 0 (line 3): icv_write pe 0 DIR: expected status state, got ok "
                   "(success)");
    expect_failure("script: s\nsteps:\n"
                   "  - line: {intid: 5, level: 1}\n",
                   0,
                   "step 0 (line 3): line intid 5 pe 0 level 1: expected status ok, got range "
                   "(index out of range)");
    expect_failure("script: s\ngic: {lrs: 2}\nsteps:\n"
                   "  - ich_read: {pe: 1, reg: ICH_VTR_EL2, expect: 0}\n",
                   0, "step 0 (line 4): ich_read pe 1 VTR: expected 0x0, got 0x90100001");
    expect_failure("script: s\nsteps:\n"
                   "  - gicr_read: {pe: 1, offset: 0x14, expect: 0}\n",
                   0, "step 0 (line 3): gicr_read pe 1 offset 0x14 size 4: expected 0x0, got 0x6");
}

/* The hop costs come from the preset named by `timing`: a level SPI reaches
 * the CPU interface after dist_to_redist + redist_to_cpuif (20 + 10 GIC
 * cycles): 30 ns at the default 1 GHz, 37.5 ns with testplat's 800 MHz. */
static void test_timing(void **state)
{
    (void)state;
    static const char *const fmt = "script: t\n%s"
                                   "steps:\n"
                                   "  - os_init: true\n"
                                   "  - gicd_write: {offset: 0x104, value: 0x100}\n"
                                   "  - line: {intid: 40, level: 1}\n"
                                   "  - advance: 30ns\n"
                                   "  - icc_read: {pe: 0, reg: IAR1, expect: %s}\n"
                                   "  - advance: 7.5ns\n"
                                   "  - icc_read: {pe: 0, reg: IAR1, expect: %s}\n";
    char yaml[600];
    snprintf(yaml, sizeof yaml, fmt, "", "40", "1023");
    expect_pass(yaml);
    snprintf(yaml, sizeof yaml, fmt, "timing: testplat\n", "1023", "40");
    expect_pass(yaml);
}

static void test_null_args(void **state)
{
    (void)state;
    gicsim_script *s = NULL;
    gicsim_diag d;
    gicsim_script_result r;
    assert_int_equal(gicsim_script_load(NULL, &s, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_script_load("x", NULL, &d), GICSIM_E_INVAL);
    assert_int_equal(gicsim_script_load_string(NULL, "x", &s, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_script_run(NULL, &r), GICSIM_E_INVAL);
    assert_int_equal(r.failed_step, SIZE_MAX);
    assert_null(gicsim_script_name(NULL));
    assert_int_equal(gicsim_script_step_count(NULL), 0);
    gicsim_script_free(NULL);
}

/* Every failed expectation of a run-all, in order, through the callback. */
typedef struct failures {
    size_t n;
    size_t step[8];
    unsigned line[8];
    char msg[8][512];
} failures;

static void on_failure(void *ctx, const gicsim_script_result *f)
{
    failures *fl = ctx;
    assert_int_equal(f->steps_run, f->failed_step + 1);
    if (fl->n < 8) {
        fl->step[fl->n] = f->failed_step;
        fl->line[fl->n] = f->line;
        snprintf(fl->msg[fl->n], sizeof fl->msg[0], "%s", f->message);
    }
    fl->n++;
}

static void test_run_all(void **state)
{
    (void)state;
    gicsim_script *s = load_text("script: s\nsteps:\n"
                                 "  - os_init: true\n"
                                 "  - icc_read: {pe: 0, reg: IAR1, expect: 40}\n"
                                 "  - icc_read: {pe: 0, reg: PMR, one_of: [0x0, 0x10]}\n"
                                 "  - icc_read: {pe: 0, reg: PMR, one_of: [0xf8, 0x10]}\n"
                                 "  - expect_state: {intid: 40, state: [pending, active]}\n"
                                 "  - expect_lines: {pe: 0, irq: 1, virq: true, fiq: 0}\n");
    failures fl = {0};
    gicsim_script_result r;
    size_t n = 99;
    assert_int_equal(gicsim_script_run_all(s, on_failure, &fl, &r, &n), GICSIM_E_STATE);
    assert_int_equal(n, 4);
    assert_int_equal(fl.n, 4);
    assert_int_equal(r.steps_run, 6);
    assert_int_equal(r.failed_step, 1);
    assert_int_equal(r.line, 4);
    static const size_t steps[] = {1, 2, 4, 5};
    static const char *const msgs[] = {
        "step 1 (line 4): icc_read pe 0 IAR1: expected 0x28, got 0x3ff",
        "step 2 (line 5): icc_read pe 0 PMR: expected one of 0x0, 0x10, got 0xf8",
        "step 4 (line 7): expect_state intid 40 pe 0: expected pending or active, got inactive",
        "step 5 (line 8): expect_lines pe 0: irq expected 1, got 0; virq expected 1, got 0",
    };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(fl.step[i], steps[i]);
        assert_int_equal(fl.line[i], steps[i] + 3);
        assert_string_equal(fl.msg[i], msgs[i]);
    }
    assert_string_equal(r.message,
                        "4 of 6 steps failed; first: step 1 (line 4): icc_read pe 0 IAR1: "
                        "expected 0x28, got 0x3ff");
    /* The default run stops at the first. */
    assert_int_equal(gicsim_script_run(s, &r), GICSIM_E_STATE);
    assert_int_equal(r.steps_run, 2);
    assert_string_equal(r.message, msgs[0]);
    /* Without a callback or outputs; a passing script. */
    assert_int_equal(gicsim_script_run_all(s, NULL, NULL, NULL, NULL), GICSIM_E_STATE);
    gicsim_script_free(s);
    s = load_file("scripts/pass.yaml");
    assert_int_equal(gicsim_script_run_all(s, on_failure, &fl, &r, &n), GICSIM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(r.failed_step, SIZE_MAX);
    assert_int_equal(r.steps_run, gicsim_script_step_count(s));
    gicsim_script_free(s);
    assert_int_equal(gicsim_script_run_all(NULL, NULL, NULL, &r, &n), GICSIM_E_INVAL);
}

/* The ITS steps: register names, commands through the queue (and their
 * description), waiting for CREADR, MSIs, statistics, their failures. */
static void test_its_steps(void **state)
{
    (void)state;
    static const char *const boot =
        "script: s\ngic: {pes: 2}\nsteps:\n"
        "  - os_init: true\n"
        "  - gicr_write: {pe: 1, offset: 0x70, size: 8, value: 0x10000f}\n"
        "  - gicr_write: {pe: 1, offset: 0x78, size: 8, value: 0x210000}\n"
        "  - gicr_write: {pe: 1, offset: 0x0, value: 1}\n"
        "  - lpi_config: {table: 0x100000, intid: 8192, priority: 0x80}\n"
        "  - gits_write: {offset: GITS_BASER0, value: 0x8000000000500000}\n"
        "  - gits_write: {offset: baser1, value: 0x8000000000600000}\n"
        "  - gits_write: {offset: 0x80, size: 8, value: 0x8000000000400000}\n"
        "%s";
    char yaml[2048];
    /* The queue waits while the ITS is disabled: its_wait times out. */
    snprintf(yaml, sizeof yaml, boot,
             "  - its_mapc: {icid: 1, rdbase: 1}\n"
             "  - its_wait: {timeout: 2us}\n");
    expect_failure(yaml, 9,
                   "step 9 (line 13): its_wait timeout 2us: GITS_CREADR 0x0 did not reach "
                   "GITS_CWRITER 0x20");
    snprintf(yaml, sizeof yaml, boot,
             "  - gits_write: {offset: CTLR, value: 1}\n"
             "  - its_mapc: {icid: 1, rdbase: 1}\n"
             "  - its_mapd: {device: 3, itt: 0x803000, bits: 2}\n"
             "  - its_mapti: {device: 3, event: 1, intid: 8192, icid: 1}\n"
             "  - its_int: {device: 3, event: 1}\n"
             "  - its_sync: {rdbase: 1}\n"
             "  - its_wait: {}\n"
             "  - gits_read: {offset: CREADR, expect: 0xa0}\n"
             "  - advance: 100ns\n"
             "  - icc_read: {pe: 1, reg: IAR1, expect: 8192}\n"
             "  - icc_write: {pe: 1, reg: EOIR1, value: 8192}\n"
             "  - msi: {device: 3, event: 1}\n"
             "  - advance: 1us\n"
             "  - expect_state: {intid: 8192, pe: 1, state: pending}\n"
             "  - expect_its_stat: {name: translations, value: 1}\n"
             "  - expect_its_stat: {name: commands.mapti, value: 1}\n"
             "  - expect_its_stat: {name: errors.unmapped_device, value: 0}\n"
             "  - expect_its_stat: {name: last_error, one_of: [0, 1]}\n"
             "  - its_mapti: {device: 3, event: 9, intid: 8193, icid: 1}\n"
             "  - its_wait: {}\n"
             "  - expect_its_stat: {name: last_error, value: 0}\n");
    expect_failure(yaml, 28,
                   "step 28 (line 32): expect_its_stat last_error: expected 0x0, got 0x10a05");
    snprintf(yaml, sizeof yaml, boot,
             "  - gits_write: {offset: CBASER, value: 0}\n"
             "  - its_mapti: {device: 3, event: 1, intid: 8192, icid: 1}\n");
    expect_failure(yaml, 9,
                   "step 9 (line 13): its_mapti device 3 event 1 intid 8192 icid 1: expected "
                   "status ok, got state (invalid in the current state)");
    snprintf(yaml, sizeof yaml, boot,
             "  - its_vmapp: {vpe: 1, rdbase: 1, vpt: 0x1000000, vconf: 0x2000000}\n"
             "  - expect_its_stat: {name: commands, value: 7}\n");
    expect_failure(yaml, 9, "step 9 (line 13): expect_its_stat commands: expected 7, got 0");
    /* Without an ITS every step fails, as the script may expect. */
    expect_pass("script: s\ngic: {its: false}\nsteps:\n"
                "  - msi: {device: 1, event: 2, status: unsupported}\n"
                "  - gits_read: {offset: CTLR, status: unsupported}\n"
                "  - its_wait: {status: unsupported}\n"
                "  - its_int: {device: 1, event: 2, status: unsupported}\n");
}

/* Memory steps: raw little-endian accesses, LPI configuration bytes and
 * pending bits. */
static void test_mem_steps(void **state)
{
    (void)state;
    expect_pass("script: s\nsteps:\n"
                "  - mem_write: {addr: 0x1000, value: 0x1122334455667788}\n"
                "  - mem_read: {addr: 0x1000, size: 2, expect: 0x7788}\n"
                "  - mem_read: {addr: 0x1004, size: 4, expect: 0x11223344}\n"
                "  - mem_write: {addr: 0x1001, size: 1, value: 0xaa}\n"
                "  - mem_read: {addr: 0x1000, expect: 0x112233445566aa88}\n"
                "  - mem_read: {addr: 0x900000}\n"
                "  - lpi_config: {table: 0x2000, intid: 8195, priority: 0xa7}\n"
                "  - mem_read: {addr: 0x2003, size: 1, expect: 0xa5}\n"
                "  - lpi_config: {table: 0x2000, intid: 8195, priority: 0xa0, "
                "enable: false}\n"
                "  - mem_read: {addr: 0x2003, size: 1, expect: 0xa0}\n"
                "  - lpi_pending: {table: 0x10000, intid: 8201}\n"
                "  - mem_read: {addr: 0x10401, size: 1, expect: 0x2}\n"
                "  - expect_lpi_pending: {table: 0x10000, intid: 8201, pending: 1}\n"
                "  - lpi_pending: {table: 0x10000, intid: 8201, pending: false}\n"
                "  - expect_lpi_pending: {table: 0x10000, intid: 8201, "
                "pending: false}\n");
    expect_failure("script: s\nsteps:\n"
                   "  - expect_lpi_pending: {table: 0x10000, intid: 8201, pending: true}\n",
                   0,
                   "step 0 (line 3): expect_lpi_pending table 0x10000 intid 8201: expected "
                   "pending, got not pending");
    expect_failure("script: s\nsteps:\n"
                   "  - mem_read: {addr: 0x10, size: 1, one_of: [1, 2], mask: 0xf}\n",
                   0,
                   "step 0 (line 3): mem_read addr 0x10 size 1: expected one of 0x1, 0x2 (mask "
                   "0xf), got 0x0");
}

/* A GICv5 script step on the wrong GIC, with a bad name or a bad combination of keys. */
static void expect_load_error(const char *yaml, const char *key, const char *message)
{
    gicsim_script *s = NULL;
    gicsim_diag d;
    assert_int_equal(gicsim_script_load_string(yaml, "e", &s, &d), GICSIM_E_INVAL);
    assert_null(s);
    if (strcmp(d.key, key) || !strstr(d.message, message))
        fail_msg("got %s: %s; expected %s: ...%s...", d.key, d.message, key, message);
}

/* GICv5 steps: register names and offsets, `type` and `id` completing a write's value and a
 * read's expectation, the failure messages, and the load-time checks. */
static void test_gicv5_steps(void **state)
{
    (void)state;
    expect_pass("script: s\ngic: {version: v5, pes: 2}\nsteps:\n"
                "  - os_init: true\n"
                "  - v5_irs_read: {offset: irs_cr0, expect: 3}\n"
                "  - v5_irs_read: {offset: 0x80, expect: 3}\n"
                "  - v5_its_read: {offset: ITS_CR0, expect: 2}\n"
                "  - v5_iwb_read: {offset: CR0, expect: 3}\n"
                "  - v5_sysreg_read: {pe: 1, reg: icc_pcr_el1, expect: 0x1f}\n"
                "  - v5_sysreg_write: {pe: 0, reg: ICC_PPI_ENABLER0, value: 0x8}\n"
                "  - v5_sysreg_write: {pe: 0, reg: ICC_PPI_SPENDR0, value: 0x8}\n"
                "  - v5_sysreg_read: {pe: 0, reg: ICC_HPPIR, type: ppi, id: 3, "
                "expect: 0x100000000}\n"
                "  - v5_expect_state: {type: ppi, id: 3, state: [pending, active]}\n"
                "  - v5_guest_read: {pe: 0, reg: GIC_CDEN, status: ok}\n"
                "  - v5_guest_write: {pe: 0, reg: ICH_CONTEXTR, value: 0, status: inval}\n"
                "  - v5_msi: {device: 1, event: 1}\n"
                "  - v5_wire: {wire: 0, level: true}\n"
                "  - advance: 1us\n"
                "  - v5_expect_stat: {name: its_errors, value: 1}\n"
                "  - v5_expect_stat: {name: iwb_disabled_drops, one_of: [1]}\n"
                "  - gicd_read: {offset: 0, status: unsupported}\n"
                "  - icc_read: {pe: 0, reg: IAR1, status: unsupported}\n");
    /* On a GICv3, a GICv5 step can only expect to be unsupported. */
    expect_pass("script: s\nsteps:\n"
                "  - v5_irs_read: {offset: CR0, status: unsupported}\n"
                "  - v5_sysreg_write: {pe: 0, reg: GIC_CDEOI, value: 0, status: unsupported}\n"
                "  - v5_line: {type: spi, id: 1, level: 1, status: unsupported}\n");
    expect_failure("script: s\ngic: {version: v5}\nsteps:\n"
                   "  - os_init: true\n"
                   "  - v5_sysreg_read: {pe: 0, reg: GICR_CDIA, type: lpi, id: 9, "
                   "expect: 0x100000000}\n",
                   1,
                   "step 1 (line 5): v5_sysreg_read pe 0 GICR_CDIA: expected 0x140000009, "
                   "got 0x0");
    expect_failure("script: s\ngic: {version: v5}\nsteps:\n"
                   "  - v5_irs_read: {offset: IST_BASER, expect: 1}\n",
                   0, "step 0 (line 4): v5_irs_read IRS_IST_BASER size 8: expected 0x1, got 0x0");
    expect_failure("script: s\ngic: {version: v5}\nsteps:\n"
                   "  - v5_expect_vstate: {vm: 3, type: lpi, id: 1, state: pending}\n",
                   0,
                   "step 0 (line 4): v5_expect_vstate lpi 1 vm 3: cannot read the state: range "
                   "(index out of range)");
    expect_failure("script: s\ngic: {version: v5}\nsteps:\n"
                   "  - v5_line: {type: spi, id: 2, level: 1}\n"
                   "  - v5_expect_state: {type: spi, id: 2, state: active}\n",
                   1,
                   "step 1 (line 5): v5_expect_state spi 2 pe 0: expected active, got "
                   "pending");
    expect_failure("script: s\ngic: {version: v5}\nsteps:\n"
                   "  - v5_line: {type: lpi, id: 2, level: 1}\n",
                   0,
                   "step 0 (line 4): v5_line lpi 2 pe 0 level 1: expected status ok, got range "
                   "(index out of range)");
    expect_load_error("script: s\nsteps:\n  - v5_msi: {device: 1, event: 2}\n", "steps.0.v5_msi",
                      "needs gic.version: v5");
    expect_load_error("script: s\nsteps:\n"
                      "  - v5_expect_stat: {name: its_errors, value: 0}\n",
                      "steps.0.v5_expect_stat", "needs gic.version: v5");
    expect_load_error("script: s\ngic: {version: v5}\nsteps:\n"
                      "  - v5_sysreg_read: {pe: 0, reg: ICC_IAR1}\n",
                      "steps.0.v5_sysreg_read.reg", "unknown GICv5 system register");
    expect_load_error("script: s\ngic: {version: v5}\nsteps:\n"
                      "  - v5_irs_read: {offset: GITS_CTLR}\n",
                      "steps.0.v5_irs_read.offset", "unknown IRS register");
    expect_load_error("script: s\ngic: {version: v5}\nsteps:\n"
                      "  - v5_sysreg_read: {pe: 0, reg: GICR_CDIA, type: lpi, id: 1, "
                      "one_of: [0, 1]}\n",
                      "steps.0.v5_sysreg_read.one_of", "not a list");
    expect_load_error("script: s\ngic: {version: v5}\nsteps:\n"
                      "  - v5_sysreg_write: {pe: 0, reg: GIC_CDEN, type: lpi}\n",
                      "steps.0.v5_sysreg_write.id", "missing required key");
    expect_load_error("script: s\ngic: {version: v5}\nsteps:\n"
                      "  - v5_sysreg_write: {pe: 0, reg: GIC_CDEN}\n",
                      "steps.0.v5_sysreg_write.value", "missing required key");
    expect_load_error("script: s\ngic: {version: v5}\nsteps:\n"
                      "  - v5_line: {type: sgi, id: 1, level: 1}\n",
                      "steps.0.v5_line.type", "ppi");
    expect_load_error("script: s\ngic: {version: v5}\nsteps:\n"
                      "  - v5_expect_stat: {name: coffee, value: 1}\n",
                      "steps.0.v5_expect_stat.name", "gicsim_gicv5_stats");
}

/* `gicsim script` and CTest run a shipped script with `test_script FILE`:
 * every failed expectation is printed, the exit status says whether any. */
static int run_files(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        gicsim_script *s = NULL;
        gicsim_diag d;
        if (gicsim_script_load(argv[i], &s, &d) != GICSIM_OK) {
            fprintf(stderr, "%s:%u:%u: %s: %s\n", d.file, d.line, d.column, d.key, d.message);
            rc = 1;
            continue;
        }
        gicsim_script_result r;
        if (gicsim_script_run_all(s, print_failure, argv[i], &r, NULL) != GICSIM_OK)
            rc = 1;
        printf("%s: %s\n", argv[i], r.message);
        gicsim_script_free(s);
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return run_files(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass),        cmocka_unit_test(test_fail),
        cmocka_unit_test(test_bad_scripts), cmocka_unit_test(test_failure_messages),
        cmocka_unit_test(test_timing),      cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_run_all),     cmocka_unit_test(test_its_steps),
        cmocka_unit_test(test_mem_steps),   cmocka_unit_test(test_gicv5_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
