/* gicsim: tests of register-level conformance scripts (gicsim_script_*):
 * tests/scenario/scripts/pass.yaml passes, fail.yaml stops at its wrong
 * expectation with a message naming the step, its line and both values,
 * each file in scripts/bad/ is rejected at load time with its position and
 * key path, every step kind's failure message, status expectations, the
 * platform timing (hop costs decide when an interrupt reaches the CPU
 * interface), and that a run always starts from a reset GIC.
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

/* Load an inline script named as if it lived in tests/scenario/scripts/. */
static gicsim_script *load_text(const char *yaml)
{
    gicsim_script *s = NULL;
    gicsim_diag d;
    if (gicsim_script_load_string(yaml, data_path("scripts/inline.yaml"), &s, &d) != GICSIM_OK)
        fail_msg("inline:%u:%u: %s: %s", d.line, d.column, d.key, d.message);
    return s;
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
    {"unknown-step.yaml", 4, 5, "steps.1.its_mapd", "unknown step"},
    {"unknown-reg.yaml", 3, 28, "steps.0.icc_read.reg", "unknown ICC register \"IAR7\""},
    {"lr-range.yaml", 4, 29, "steps.0.ich_write.reg", "2 list registers"},
    {"icv-sgi1r.yaml", 3, 29, "steps.0.icv_write.reg", "no ICV_ view"},
    {"step-two-keys.yaml", 3, 5, "steps.0", "exactly one key"},
    {"pe-range.yaml", 4, 20, "steps.0.icc_read.pe", "PE 2 does not exist"},
    {"missing-value.yaml", 3, 17, "steps.0.gicd_write.value", "missing required"},
    {"bad-state.yaml", 3, 38, "steps.0.expect_state.state", "active-pending"},
    {"no-steps.yaml", 2, 8, "steps", "at least one step"},
    {"advance-no-unit.yaml", 3, 14, "steps.0.advance", "needs a unit"},
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
    gicsim_script *s = load_text(yaml);
    gicsim_script_result r;
    if (gicsim_script_run(s, &r) != GICSIM_OK)
        fail_msg("%s", r.message);
    gicsim_script_free(s);
    snprintf(yaml, sizeof yaml, fmt, "timing: testplat\n", "1023", "40");
    s = load_text(yaml);
    if (gicsim_script_run(s, &r) != GICSIM_OK)
        fail_msg("%s", r.message);
    gicsim_script_free(s);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass),        cmocka_unit_test(test_fail),
        cmocka_unit_test(test_bad_scripts), cmocka_unit_test(test_failure_messages),
        cmocka_unit_test(test_timing),      cmocka_unit_test(test_null_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
