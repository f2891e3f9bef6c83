/* gicsim: the invariant checker.
 *
 * Built with GICSIM_INVARIANTS (the default for Debug and RelWithDebInfo
 * builds, and always for the tests; off for Release), the library checks its
 * own consistency as it runs:
 *  (a) no interrupt is lost or delivered twice: in the GIC, raised ==
 *      acknowledged + withdrawn + pending_now after every state change, an
 *      acknowledge always takes a pending, inactive interrupt; in a system,
 *      every record is merged, delivered (t_ack set) once, or pending, a
 *      record is never acknowledged twice, and asserted == delivered + merged
 *      + pending;
 *  (b) after each list-register flush, the list registers match the vCPU's
 *      software pending list;
 *  (c) the active-priority registers of the physical and the virtual CPU
 *      interfaces hold exactly the priorities of the interrupts acknowledged
 *      and not yet priority-dropped, and the running priority is the highest
 *      of them;
 *  (d) simulated time never goes backwards.
 * docs/invariants.md lists every check and where it runs.
 *
 * The library never prints or stops on a violation: it counts it and keeps
 * the first one (what, where, when) in a report that these functions return.
 * Without GICSIM_INVARIANTS every hook compiles to nothing; the functions
 * below still exist, report `enabled == false` and find no violation.
 */
#ifndef GICSIM_INVARIANTS_H
#define GICSIM_INVARIANTS_H

#include <gicsim/engine.h>
#include <gicsim/gic.h>
#include <gicsim/system.h>

#ifdef __cplusplus
extern "C" {
#endif

/* gicsim_invariant_report, gicsim_invariants_enabled and
 * gicsim_engine_invariants are declared in <gicsim/engine.h>, and the GIC's
 * gicsim_gic_invariants and gicsim_gic_check_invariants in <gicsim/gic.h>:
 * each layer declares the checks it implements, every layer's build on the
 * engine's reports. */

/* The violations found so far by a system's checks, merged with those of
 * its engine and GIC: counts add up and the first violation is the earliest
 * one. `out` is cleared for a NULL system. */
GICSIM_API void gicsim_system_invariants(const gicsim_system *sys, gicsim_invariant_report *out);

/* Run every state check now (the ones that scan the whole model: GIC
 * accounting recount, active priorities of every PE, and for a system the
 * records and every vCPU), then return GICSIM_OK if no violation was ever
 * found, else GICSIM_E_STATE with "N violation(s); first at T ps in WHERE:
 * WHAT" in `msg` (`msg` may be NULL; it is always NUL-terminated when
 * `len` > 0). GICSIM_E_INVAL for a NULL object. */
GICSIM_API gicsim_status gicsim_system_check_invariants(gicsim_system *sys, char *msg, size_t len);

#ifdef __cplusplus
}
#endif

#endif
