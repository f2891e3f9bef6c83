/* gicsim fuzzing: gicsim_config_validate (lib/calibrate/validate.c), what
 * `gicsim validate` runs: the kind of a file from its parsed top-level keys,
 * then the loader of that kind (scenarios and micro-bench scenarios,
 * platform presets, scripts, measured figures in YAML or as a kvm-unit-tests
 * log), and the input size limit every loader applies.
 *
 * The input is the file's text, written to DIR/fz.yaml (the loaders read
 * files; a preset's name must be its file's, so "name: fz" can load as
 * one). The limit is set to FZ_LIMIT bytes, so longer inputs exercise the
 * refusal. Oracles: the diagnostic's strings are terminated; a failure has a
 * message and, when positioned, a line within the file; a success comes
 * with a known kind whose own loader accepts the file too. */
#define FZ_OWN_INITIALIZE /* its own: a temporary directory and the input limit */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FZ_MAX_INPUT 8192u
#define FZ_LIMIT 6000u

#ifndef GICSIM_FUZZ_PLATFORM_PATH
#error "GICSIM_FUZZ_PLATFORM_PATH (the preset directories) must be defined"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init_platform_path();
    char dir[] = "/tmp/gicsim-fuzz-validate-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/fz.yaml", dir);
    gicsim_set_max_input(FZ_LIMIT);
    return 0;
}

/* The kind's own loader on the same file. */
static gicsim_status load_as(gicsim_config_kind kind)
{
    gicsim_diag d;
    gicsim_status st;
    switch (kind) {
    case GICSIM_CONFIG_SCRIPT: {
        gicsim_script *s = NULL;
        st = gicsim_script_load(path, &s, &d);
        gicsim_script_free(s);
        return st;
    }
    case GICSIM_CONFIG_PLATFORM:
        return gicsim_platform_check(path, &d);
    case GICSIM_CONFIG_MEASURED: {
        gicsim_calib_measured m;
        return gicsim_calib_measured_load(path, &m, &d);
    }
    case GICSIM_CONFIG_SCENARIO:
    case GICSIM_CONFIG_MICROBENCH: {
        gicsim_scenario *sc = NULL;
        st = gicsim_scenario_load(path, NULL, 0, &sc, &d);
        FZ_CHECK(!sc || gicsim_scenario_microbench(sc, NULL, NULL, NULL) ==
                            (kind == GICSIM_CONFIG_MICROBENCH));
        gicsim_scenario_free(sc);
        return st;
    }
    }
    return GICSIM_E_INVAL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FZ_MAX_INPUT)
        return 0;
    FILE *f = fopen(path, "wb");
    FZ_CHECK(f);
    FZ_CHECK(fwrite(data, 1, size, f) == size || size == 0);
    FZ_CHECK(fclose(f) == 0);

    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n' || data[i] == '\r';
    gicsim_config_kind kind = (gicsim_config_kind)-1;
    gicsim_diag d;
    gicsim_status st = gicsim_config_validate(path, &kind, &d);
    fz_check_diag(&d);
    if (size > FZ_LIMIT) {
        FZ_CHECK(st == GICSIM_E_IO && strstr(d.message, "input size limit"));
        return 0;
    }
    FZ_CHECK(gicsim_config_kind_name(kind) != NULL);
    if (st != GICSIM_OK) {
        FZ_CHECK(st < 0 && d.message[0]);
        if (d.line && !strcmp(d.file, path))
            FZ_CHECK(d.line <= lines + 1);
        return 0;
    }
    FZ_CHECK(load_as(kind) == GICSIM_OK);
    return 0;
}
