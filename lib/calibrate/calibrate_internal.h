/* gicsim (internal): the calibration with the simulator replaced by any
 * function, so the solver can be tested on synthetic models. Not part of
 * the public API. */
#ifndef GICSIM_CALIBRATE_INTERNAL_H
#define GICSIM_CALIBRATE_INTERNAL_H

#include <gicsim/calibrate.h>

/* The figure of `test` (ns) under `cfg`; an error stops the fit and is
 * returned by calib_fit. */
typedef gicsim_status (*calib_model_fn)(void *ctx, const gicsim_mb_config *cfg, gicsim_mb_test test,
                                        double *ns);

/* gicsim_calibrate with `model` (called with `ctx`) in place of
 * gicsim_mb_run. */
gicsim_status calib_fit(calib_model_fn model, void *ctx, const gicsim_mb_config *base,
                        const gicsim_mb_test *tests, const double *measured_ns, size_t n_tests,
                        const gicsim_cost_id *fit, size_t n_fit, gicsim_calib_result *out);

#endif
