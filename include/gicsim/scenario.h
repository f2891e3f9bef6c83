/* gicsim: YAML scenarios, platform presets and register-level scripts.
 *
 * A scenario file describes a whole virtualized system (platform, GIC, VMs,
 * interrupt sources, run length, outputs); gicsim_scenario_load validates it
 * against the schema of docs/scenarios.md and gicsim_scenario_build turns it
 * into a gicsim_system. A platform preset (configs/platforms/<name>.yaml)
 * gives the clocks and the cost table. A script file is a sequence of
 * steps run against a bare GIC model (GIC conformance checks): register
 * accesses of every block (distributor, redistributors, CPU interfaces,
 * virtual interfaces, ITS), ITS commands, MSIs, simulated-memory accesses,
 * wires and time, and expectations on registers, memory, interrupt states,
 * statistics and the PEs' output lines (docs/scenarios.md).
 *
 * Errors: the library never prints. Every loader fills a gicsim_diag:
 *   GICSIM_E_IO     the file cannot be read (file, message with strerror);
 *   GICSIM_E_PARSE  YAML syntax error, including a key repeated in one
 *                   mapping (line, column);
 *   GICSIM_E_INVAL  schema error: unknown key, wrong type, out-of-range value,
 *                   unknown platform, policy or cost, cross-field
 *                   inconsistency, bad override (file, line, column, key).
 * Lines and columns count from 1; 0 means "no position" (a missing file).
 * `message` does not repeat the file, position or key: a front end prints
 * "file:line:column: key: message".
 */
#ifndef GICSIM_SCENARIO_H
#define GICSIM_SCENARIO_H

#include <gicsim/common.h>
#include <gicsim/microbench.h>
#include <gicsim/system.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Input size ------------------------------------------------------------------
 * Every loader reads its file whole (scenarios, platform presets, scripts,
 * measured figures): a file of more than gicsim_max_input() bytes is refused
 * with GICSIM_E_IO and a message naming the limit, without reading more than
 * one byte past it (so a device such as /dev/zero fails at once). Traces are
 * streamed and have no such limit. The limit is global (set it before
 * loading from several threads); 0 restores the default. */
#define GICSIM_DEFAULT_MAX_INPUT ((size_t)16 * 1024 * 1024)
GICSIM_API void gicsim_set_max_input(size_t bytes);
GICSIM_API size_t gicsim_max_input(void);

typedef struct gicsim_diag {
    char file[512];  /* the file the error is in ("<override>" for a -set override) */
    unsigned line;   /* 1-based; for an override: its 1-based index in the list */
    unsigned column; /* 1-based; for an override: the column in the override text */
    char key[256];   /* dotted key path, e.g. "vms.0.policy"; "" for the whole document */
    char message[512];
} gicsim_diag;

/* ---- Scenarios ------------------------------------------------------------------ */

typedef struct gicsim_scenario gicsim_scenario;

/* Load and validate a scenario file. `overrides` are "key.path=value"
 * strings applied to the document before validation, in order: the value is
 * parsed as YAML (a scalar, or a flow list/mapping such as [a, b]); list
 * elements are addressed by index (vms.0.policy=trap-inject), index == length
 * appends; a key the file lacks is added (and validated like any other).
 * `diag` may be NULL. On error *out is NULL. */
GICSIM_API gicsim_status gicsim_scenario_load(const char *path, const char *const *overrides,
                                              size_t n_overrides, gicsim_scenario **out,
                                              gicsim_diag *diag);
/* The same from text in memory; `name` (may be NULL: "<string>") is the file
 * name used in diagnostics and the base for relative paths (platform lookup,
 * trace files). */
GICSIM_API gicsim_status gicsim_scenario_load_string(const char *yaml, const char *name,
                                                     const char *const *overrides,
                                                     size_t n_overrides, gicsim_scenario **out,
                                                     gicsim_diag *diag);
GICSIM_API void gicsim_scenario_free(gicsim_scenario *sc);

GICSIM_API const char *gicsim_scenario_name(const gicsim_scenario *sc);
/* The file's description, NULL when it has none. */
GICSIM_API const char *gicsim_scenario_description(const gicsim_scenario *sc);
GICSIM_API gicsim_time_t gicsim_scenario_duration(const gicsim_scenario *sc);
GICSIM_API uint64_t gicsim_scenario_seed(const gicsim_scenario *sc);
/* The most run.replications a scenario may ask for. */
#define GICSIM_MAX_REPLICATIONS 1000u
/* run.replications (default 1): how many runs of the scenario `gicsim run`
 * and `compare` make, replication r with seed
 * gicsim_sweep_replication_seed(run.seed, r) (<gicsim/sweep.h>). */
GICSIM_API uint32_t gicsim_scenario_replications(const gicsim_scenario *sc);
/* Run the scenario with `seed` instead of its run.seed: the systems it
 * builds next draw from it (the platform's variation, and the Poisson
 * sources that give no seed of their own). The resolved JSON then shows it
 * as run.seed. GICSIM_E_INVAL for NULL. */
GICSIM_API gicsim_status gicsim_scenario_set_seed(gicsim_scenario *sc, uint64_t seed);
/* run.policies: the policies a comparison runs by default (when the file
 * has no run.policies: the distinct policies of the VMs, in VM order). */
GICSIM_API size_t gicsim_scenario_policy_count(const gicsim_scenario *sc);
GICSIM_API const char *gicsim_scenario_policy(const gicsim_scenario *sc, size_t i);
GICSIM_API size_t gicsim_scenario_vm_count(const gicsim_scenario *sc);
GICSIM_API const char *gicsim_scenario_vm_name(const gicsim_scenario *sc, size_t i);
/* VM i's own policy (vms.<i>.policy, or the default). */
GICSIM_API const char *gicsim_scenario_vm_policy(const gicsim_scenario *sc, size_t i);
/* Source i is system source i after gicsim_scenario_build. */
GICSIM_API size_t gicsim_scenario_source_count(const gicsim_scenario *sc);
GICSIM_API const char *gicsim_scenario_source_name(const gicsim_scenario *sc, size_t i);
/* Arrival kind "trace": the trace file's path, resolved relative to the
 * scenario file's directory; NULL for other sources. */
GICSIM_API const char *gicsim_scenario_source_trace(const gicsim_scenario *sc, size_t i);
/* outputs.<kind> as written in the file (not resolved), or NULL; kinds:
 * json, csv, perfetto, vcd, cdf. */
GICSIM_API const char *gicsim_scenario_output(const gicsim_scenario *sc, const char *kind);
/* The resolved platform preset's name and the file it was read from. */
GICSIM_API const char *gicsim_scenario_platform(const gicsim_scenario *sc);
GICSIM_API const char *gicsim_scenario_platform_file(const gicsim_scenario *sc);

/* The resolved gic section (version, PEs, ITS, ...) and its version as the
 * file syntax writes it: "v3", "v4.0", "v4.1". */
GICSIM_API const gicsim_gic_config *gicsim_scenario_gic(const gicsim_scenario *sc);
GICSIM_API const char *gicsim_scenario_gic_version(const gicsim_scenario *sc);
/* The GIC version gicsim_scenario_build runs `policy` on (NULL: the VMs'
 * own policies), as the file syntax writes it: the scenario's, unless the
 * policy drives another architecture: "v5" for a GICv5 policy on a GICv3 or
 * GICv4 scenario, "v4.1" for a GICv3/v4 policy on a GICv5 one (the rest of
 * the gic section unchanged; docs/gicv5.md, "Comparing with GICv4.1"). NULL
 * for an unknown policy. */
GICSIM_API const char *gicsim_scenario_policy_gic_version(const gicsim_scenario *sc,
                                                          const char *policy);
/* Whether gicsim_scenario_build can run every VM under `policy`: NULL when
 * it can, else a static reason ("needs gic.version v4.1", "is not a
 * registered policy"). */
GICSIM_API const char *gicsim_scenario_policy_unsupported(const gicsim_scenario *sc,
                                                          const char *policy);
/* The settings of the scenario that a policy overrides when the system is
 * built (gicsim_scenario_build with the same `policy`: NULL for each VM's
 * own): a wfi_native policy (did) ignores a VM's `wfi: trap`, `halt_poll`
 * and `pinned: false`. One warning per setting, in VM order, each a
 * diagnostic naming where the setting was written (file:line:column or
 * "<override>"), its key and what the policy does instead; at most `max`
 * are written to `out`. Returns the number of warnings. */
GICSIM_API size_t gicsim_scenario_policy_warnings(const gicsim_scenario *sc, const char *policy,
                                                  gicsim_diag *out, size_t max);

/* A micro-bench scenario (a file with a top-level `microbench:` mapping and
 * only name, description, platform and platform_overrides besides): fills
 * `cfg` (may be NULL) with the platform's timing and VHE after the
 * overrides and the file's iterations (0: the default), and `tests` (room
 * for GICSIM_MB__COUNT; may be NULL) with its tests in file order (all when
 * the file names none), and returns true. false for an ordinary scenario. */
GICSIM_API bool gicsim_scenario_microbench(const gicsim_scenario *sc, gicsim_mb_config *cfg,
                                           gicsim_mb_test *tests, size_t *n_tests);

/* Create the system the scenario describes: the platform (with
 * platform_overrides) and gic settings, the VMs in file order (with `policy`
 * != NULL every VM uses that policy instead of its own), then the sources in
 * file order. Trace-driven sources are added with GICSIM_ARRIVE_MANUAL: the
 * caller feeds them (gicsim_source_trigger). A source without its own
 * arrival.seed gets run.seed; the system mixes the seed with the source
 * index. GICSIM_E_NOTFOUND (diag set) for an unknown `policy`; another error
 * of the system API is returned as is, with diag naming the VM or source. */
GICSIM_API gicsim_status gicsim_scenario_build(const gicsim_scenario *sc, const char *policy,
                                               gicsim_system **out, gicsim_diag *diag);

/* The fully resolved configuration as a malloc'd JSON object (free() it):
 * every key with its effective value, defaults included, the platform's
 * clocks and every cost by name, in a fixed key order. Times are strings in
 * the scenario syntax ("1.5us"), exact to the picosecond. */
GICSIM_API gicsim_status gicsim_scenario_resolved_json(const gicsim_scenario *sc, char **json);

/* Validate a platform preset file on its own (its name must match the file
 * name without ".yaml"). Same diagnostics as the loaders. */
GICSIM_API gicsim_status gicsim_platform_check(const char *path, gicsim_diag *diag);

/* ---- Register-level scripts ------------------------------------------------------- */

typedef struct gicsim_script gicsim_script;

GICSIM_API gicsim_status gicsim_script_load(const char *path, gicsim_script **out,
                                            gicsim_diag *diag);
GICSIM_API gicsim_status gicsim_script_load_string(const char *yaml, const char *name,
                                                   gicsim_script **out, gicsim_diag *diag);
GICSIM_API void gicsim_script_free(gicsim_script *s);
GICSIM_API const char *gicsim_script_name(const gicsim_script *s);
GICSIM_API size_t gicsim_script_step_count(const gicsim_script *s);

typedef struct gicsim_script_result {
    size_t steps_run;   /* steps executed, including the failed one */
    size_t failed_step; /* 0-based index of the failed step, or SIZE_MAX if all passed */
    unsigned line;      /* its line in the script file (0 if all passed) */
    char message[512];  /* "step 7 (line 23): icc_read pe 0 IAR1: expected 0x28, got 0x3ff" */
} gicsim_script_result;

/* Run the script on a fresh GIC (every run starts from reset). GICSIM_OK if
 * every expectation held; GICSIM_E_STATE (with res filled) on the first
 * failed expectation, which stops the run. */
GICSIM_API gicsim_status gicsim_script_run(const gicsim_script *s, gicsim_script_result *res);

/* Called by gicsim_script_run_all for each failed step, in order, with that
 * step described as gicsim_script_run would (steps_run = its index + 1). */
typedef void (*gicsim_script_failure_fn)(void *ctx, const gicsim_script_result *failure);

/* Run every step, whatever fails: each failed expectation is reported to
 * `on_failure` (may be NULL) and the run goes on. `res` (may be NULL) gets
 * the summary: steps_run = every step, failed_step and line of the first
 * failure (SIZE_MAX and 0 if none), and a message "3 of 40 steps failed;
 * first: step 7 (line 23): ..." or "40 steps passed". `n_failed` (may be
 * NULL) gets the number of failed steps. GICSIM_OK if none failed,
 * GICSIM_E_STATE otherwise. */
GICSIM_API gicsim_status gicsim_script_run_all(const gicsim_script *s,
                                               gicsim_script_failure_fn on_failure, void *ctx,
                                               gicsim_script_result *res, size_t *n_failed);

#ifdef __cplusplus
}
#endif

#endif
