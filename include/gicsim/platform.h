/* gicsim: platform presets as objects.
 *
 * A platform preset (configs/platforms/<name>.yaml, docs/scenarios.md) gives
 * a platform's clocks, VHE and the cycle count of every primitive cost, plus
 * an optional calibration block: the reference the figures come from, the
 * micro-bench figures (gicsim/microbench.h) the costs were fitted to with
 * their uncertainties and sources, how they were fitted (fit_method), the
 * costs the fit set, the costs fixed as facts, and the tests the preset
 * reports as predictions. A
 * preset holds primitive costs only; the calibration block documents where
 * they come from and lets `gicsim microbench --check` compare.
 *
 * Loading validates exactly like a scenario naming the preset does, with the
 * same gicsim_diag (file:line:column, key, message; see gicsim/scenario.h).
 */
#ifndef GICSIM_PLATFORM_H
#define GICSIM_PLATFORM_H

#include <gicsim/common.h>
#include <gicsim/microbench.h>
#include <gicsim/scenario.h>
#include <gicsim/timing.h>
#include <gicsim/variation.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gicsim_platform gicsim_platform;

/* Load a preset. `name_or_path` is a file when it contains '/' or ends in
 * ".yaml" (its name must match the file name without ".yaml"); otherwise a
 * preset name, looked up in ./configs/platforms, then like a scenario's
 * `platform:` ($GICSIM_PLATFORM_PATH, the installed presets, the source
 * tree's). Errors: GICSIM_E_INVAL (NULL argument, invalid name, schema
 * error), GICSIM_E_NOTFOUND (no preset of that name; the message lists the
 * directories searched), GICSIM_E_IO, GICSIM_E_PARSE, GICSIM_E_NOMEM; `diag`
 * (may be NULL) says where. On error *out is NULL. */
GICSIM_API gicsim_status gicsim_platform_load(const char *name_or_path, gicsim_platform **out,
                                              gicsim_diag *diag);
GICSIM_API void gicsim_platform_free(gicsim_platform *p);

/* The preset names gicsim_platform_load can find: every <name>.yaml with a
 * valid name in the directories it searches, in its order, the first of
 * each name, sorted. *names is a malloc'd array of n malloc'd strings
 * (NULL when n is 0): free it with gicsim_platform_names_free. Directories
 * that do not exist are skipped. GICSIM_E_INVAL, GICSIM_E_NOMEM. */
GICSIM_API gicsim_status gicsim_platform_names(char ***names, size_t *n);
GICSIM_API void gicsim_platform_names_free(char **names, size_t n);

/* The preset's name, description (NULL when it has none) and the file it
 * was read from (as found: relative when searched relative). */
GICSIM_API const char *gicsim_platform_name(const gicsim_platform *p);
GICSIM_API const char *gicsim_platform_description(const gicsim_platform *p);
GICSIM_API const char *gicsim_platform_file(const gicsim_platform *p);
GICSIM_API bool gicsim_platform_vhe(const gicsim_platform *p);
/* The host KVM's version-dependent behaviour (the preset's `kvm` mapping;
 * gicsim_kvm_config_init's values where it has none). NULL for NULL. */
GICSIM_API const gicsim_kvm_config *gicsim_platform_kvm(const gicsim_platform *p);
/* The preset's sources of spread (its `variation`; every one off when it
 * has none; <gicsim/variation.h>). NULL for NULL. */
GICSIM_API const gicsim_variation *gicsim_platform_variation(const gicsim_platform *p);
/* Clocks and every cost (the library default for a cost the file omits). */
GICSIM_API const gicsim_timing *gicsim_platform_timing(const gicsim_platform *p);
/* A micro-bench configuration for this platform: its timing, VHE, KVM and
 * variation, the default iterations. */
GICSIM_API void gicsim_platform_mb_config(const gicsim_platform *p, gicsim_mb_config *cfg);

/* The calibration block. `reference`: NULL when absent. The lists are in
 * file order; an index out of range gives GICSIM_MB__COUNT,
 * GICSIM_COST__COUNT or 0.0. */
GICSIM_API const char *gicsim_platform_reference(const gicsim_platform *p);
/* measured: the figures (ns, > 0) the preset was fitted to. */
GICSIM_API size_t gicsim_platform_measured_count(const gicsim_platform *p);
GICSIM_API gicsim_mb_test gicsim_platform_measured_test(const gicsim_platform *p, size_t i);
GICSIM_API double gicsim_platform_measured_ns(const gicsim_platform *p, size_t i);
/* The measured figure of `test`: true and *ns set when the preset has one. */
GICSIM_API bool gicsim_platform_find_measured(const gicsim_platform *p, gicsim_mb_test test,
                                              double *ns);
/* The relative uncertainty of measured figure i: its own (`{ns: NS,
 * uncertainty: P%}`), else the preset's `uncertainty`, else 3%
 * (GICSIM_MB_DEFAULT_UNCERTAINTY); 0.0 out of range. */
GICSIM_API double gicsim_platform_measured_uncertainty(const gicsim_platform *p, size_t i);
/* The source of measured figure i (`{ns: NS, source: TEXT}`); NULL when it
 * names none or out of range. */
GICSIM_API const char *gicsim_platform_measured_source(const gicsim_platform *p, size_t i);
/* What measured figure i says about its spread (its percentiles and runs;
 * none: n_pct and n_runs 0); NULL out of range. */
GICSIM_API const gicsim_mb_spread *gicsim_platform_measured_spread(const gicsim_platform *p,
                                                                   size_t i);
/* spread_fitted: the variation parameters (gicsim_variation_param paths)
 * the spread fit set (gicsim_calibrate_spread, docs/calibration.md). */
GICSIM_API size_t gicsim_platform_spread_fitted_count(const gicsim_platform *p);
GICSIM_API const char *gicsim_platform_spread_fitted(const gicsim_platform *p, size_t i);
/* fit_method: true for `map` (fitted with priors: `fitted` lists every free
 * cost), false for `exact` or no fit_method (presets written before MAP). */
GICSIM_API bool gicsim_platform_fitted_with_priors(const gicsim_platform *p);
/* facts: costs fixed from knowledge of the machine, neither fitted nor
 * varied in an interval. */
GICSIM_API size_t gicsim_platform_fact_count(const gicsim_platform *p);
GICSIM_API gicsim_cost_id gicsim_platform_fact_cost(const gicsim_platform *p, size_t i);
/* fitted: the costs the fit set. */
GICSIM_API size_t gicsim_platform_fitted_count(const gicsim_platform *p);
GICSIM_API gicsim_cost_id gicsim_platform_fitted_cost(const gicsim_platform *p, size_t i);
/* predicts: the tests reported as predictions (never also measured). */
GICSIM_API size_t gicsim_platform_predicts_count(const gicsim_platform *p);
GICSIM_API gicsim_mb_test gicsim_platform_predicts_test(const gicsim_platform *p, size_t i);
GICSIM_API bool gicsim_platform_is_predicted(const gicsim_platform *p, gicsim_mb_test test);

#ifdef __cplusplus
}
#endif

#endif
