/* gicsim: umbrella header. Include this one; it pulls in the whole public API. */
#ifndef GICSIM_GICSIM_H
#define GICSIM_GICSIM_H

#include <gicsim/calibrate.h>
#include <gicsim/common.h>
#include <gicsim/engine.h>
#include <gicsim/gic.h>
#include <gicsim/gicv5.h>
#include <gicsim/histogram.h>
#include <gicsim/hypervisor.h>
#include <gicsim/invariants.h>
#include <gicsim/its.h>
#include <gicsim/memory.h>
#include <gicsim/microbench.h>
#include <gicsim/scenario.h>
#include <gicsim/sweep.h>
#include <gicsim/output.h>
#include <gicsim/platform.h>
#include <gicsim/system.h>
#include <gicsim/timing.h>
#include <gicsim/trace.h>
#include <gicsim/validate.h>
#include <gicsim/variation.h>
#include <gicsim/vcpu_interface.h>
#include <gicsim/version.h>

#endif
