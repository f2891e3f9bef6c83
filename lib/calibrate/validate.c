/* gicsim: validating a configuration file of any kind (gicsim_config_validate,
 * gicsim/validate.h): the kind comes from the parsed document's top-level
 * keys, never from the text's lines, and the file is then loaded by the
 * same loader the tools use for that kind. */
#include "config/yaml_tree.h"

#include <gicsim/calibrate.h>
#include <gicsim/platform.h>
#include <gicsim/validate.h>

#include <stdlib.h>
#include <string.h>

const char *gicsim_config_kind_name(gicsim_config_kind kind)
{
    switch (kind) {
    case GICSIM_CONFIG_SCENARIO:
        return "scenario";
    case GICSIM_CONFIG_MICROBENCH:
        return "micro-bench scenario";
    case GICSIM_CONFIG_PLATFORM:
        return "platform preset";
    case GICSIM_CONFIG_SCRIPT:
        return "script";
    case GICSIM_CONFIG_MEASURED:
        return "measured figures";
    }
    return NULL;
}

static bool has_any(const yt_node *map, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++)
        if (yt_map_get(map, keys[i]))
            return true;
    return false;
}

/* The kind of a document whose root is a mapping (the rules of
 * gicsim_config_validate). */
static gicsim_config_kind kind_of_map(const yt_node *root)
{
    static const char *const script_keys[] = {"script", "steps", "timing", NULL};
    static const char *const scenario_keys[] = {
        "platform", "platform_overrides", "gic", "host", "vms", "sources", "run", "outputs", NULL};
    static const char *const preset_keys[] = {"costs", "fitted", "predicts", NULL};
    static const char *const named_preset_keys[] = {"vhe", "clocks", "reference", "measured", NULL};
    if (has_any(root, script_keys))
        return GICSIM_CONFIG_SCRIPT;
    if (yt_map_get(root, "microbench"))
        return GICSIM_CONFIG_MICROBENCH;
    if (has_any(root, scenario_keys))
        return GICSIM_CONFIG_SCENARIO;
    if (has_any(root, preset_keys) ||
        (yt_map_get(root, "name") && has_any(root, named_preset_keys)))
        return GICSIM_CONFIG_PLATFORM;
    if (yt_map_get(root, "measured"))
        return GICSIM_CONFIG_MEASURED;
    return GICSIM_CONFIG_SCENARIO;
}

/* The kind of the file `path`, read and parsed; *is_map: its root is a
 * mapping (else the kind is only a guess: GICSIM_CONFIG_SCENARIO). */
static gicsim_status kind_of_file(const char *path, gicsim_config_kind *kind, bool *is_map,
                                  gicsim_diag *d)
{
    char *text;
    size_t len;
    TRY(yt_read_file(path, &text, &len, d));
    yt_node *root = NULL;
    gicsim_diag scratch; /* a syntax error is the loader's to report */
    gicsim_status st = yt_parse(text, len, path, 0, 0, &root, &scratch);
    free(text);
    if (st == GICSIM_E_NOMEM)
        return yt_nomem(d);
    *is_map = st == GICSIM_OK && root && root->kind == YT_MAP;
    *kind = *is_map ? kind_of_map(root) : GICSIM_CONFIG_SCENARIO;
    yt_free(root);
    return GICSIM_OK;
}

gicsim_status gicsim_config_validate(const char *path, gicsim_config_kind *kind, gicsim_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof *diag);
    if (!path)
        return yt_diag(diag, GICSIM_E_INVAL, "", 0, 0, "", "no path");
    gicsim_config_kind k;
    bool is_map;
    TRY(kind_of_file(path, &k, &is_map, diag));
    if (!is_map) {
        /* Not a YAML mapping: a kvm-unit-tests log reads as measured figures. */
        gicsim_calib_measured m;
        if (gicsim_calib_measured_load(path, &m, NULL) == GICSIM_OK && m.kvm_unit_tests)
            k = GICSIM_CONFIG_MEASURED;
    }
    if (kind)
        *kind = k;
    switch (k) {
    case GICSIM_CONFIG_SCRIPT: {
        gicsim_script *s = NULL;
        gicsim_status st = gicsim_script_load(path, &s, diag);
        gicsim_script_free(s);
        return st;
    }
    case GICSIM_CONFIG_PLATFORM:
        return gicsim_platform_check(path, diag);
    case GICSIM_CONFIG_MEASURED: {
        gicsim_calib_measured m;
        return gicsim_calib_measured_load(path, &m, diag);
    }
    case GICSIM_CONFIG_SCENARIO:
    case GICSIM_CONFIG_MICROBENCH:
        break;
    }
    gicsim_scenario *sc = NULL;
    gicsim_status st = gicsim_scenario_load(path, NULL, 0, &sc, diag);
    gicsim_scenario_free(sc);
    return st;
}
