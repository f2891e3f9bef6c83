/* gicsim: validating a configuration file of any kind: a scenario, a
 * platform preset, a script or measured figures, each with the loader the
 * tools use for it. It sits above every loader (the calibration's measured
 * figures included), so it is implemented in lib/calibrate/validate.c. */
#ifndef GICSIM_VALIDATE_H
#define GICSIM_VALIDATE_H

#include <gicsim/common.h>
#include <gicsim/scenario.h> /* gicsim_diag */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gicsim_config_kind {
    GICSIM_CONFIG_SCENARIO,   /* gicsim_scenario_load */
    GICSIM_CONFIG_MICROBENCH, /* a micro-bench scenario: gicsim_scenario_load too */
    GICSIM_CONFIG_PLATFORM,   /* a platform preset: gicsim_platform_check */
    GICSIM_CONFIG_SCRIPT,     /* a register-level script: gicsim_script_load */
    GICSIM_CONFIG_MEASURED    /* measured figures: gicsim_calib_measured_load (YAML or a
                                 kvm-unit-tests log) */
} gicsim_config_kind;

/* "scenario", "micro-bench scenario", "platform preset", "script",
 * "measured figures"; NULL for another value. */
GICSIM_API const char *gicsim_config_kind_name(gicsim_config_kind kind);

/* Validate a file of any kind with the loader the tools use for it. The
 * kind comes from the document's top-level keys (docs/scenarios.md):
 * `script`, `steps` or `timing`: a script; `microbench`: a micro-bench
 * scenario; a key only scenarios have (platform, platform_overrides, gic,
 * host, vms, sources, run, outputs): a scenario; `costs`, `fitted` or
 * `predicts`, or `name` with `vhe`, `clocks`, `reference` or `measured`: a
 * platform preset; `measured` without `name`: measured figures; anything
 * else a scenario. Text that is not a YAML mapping is measured figures when
 * it reads as a kvm-unit-tests log, else reported as a scenario. *kind (may
 * be NULL) is set whenever the file could be read, also when its loader
 * then failed. Returns the loader's status with its diagnostic. */
GICSIM_API gicsim_status gicsim_config_validate(const char *path, gicsim_config_kind *kind,
                                                gicsim_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* GICSIM_VALIDATE_H */
