/* gicsim: the invariant checker's foundation (internal; the API is
 * <gicsim/invariants.h>, the list of checks docs/invariants.md): the hook
 * macro, the reports, and the engine's own checks. The GIC's hooks are
 * declared in gic/gic_invariants.h, the virtualized system's in
 * models/sys_invariants.h; each layer includes this file, never the reverse.
 *
 * Every hook in the model is one GICSIM_INV(...) statement. Built without
 * GICSIM_INVARIANTS the macro expands to ((void)0): its argument is not
 * compiled, so a release build has no call, no test and no data access for
 * it. The report functions live in engine/invariants.c, the GIC's checks in
 * gic/gic_invariants.c, those of the virtualized system in models/invariants.c. A check that fails
 * calls inv_fail, which counts it and keeps the first failure; nothing prints. */
#ifndef GICSIM_ENGINE_INVARIANTS_H
#define GICSIM_ENGINE_INVARIANTS_H

#include <gicsim/engine.h>

#if defined(GICSIM_INVARIANTS) && GICSIM_INVARIANTS
#define GICSIM_INV_ENABLED 1
#define GICSIM_INV(...)                                                                            \
    do {                                                                                           \
        __VA_ARGS__;                                                                               \
    } while (0)
#else
#define GICSIM_INV_ENABLED 0
#define GICSIM_INV(...) ((void)0)
#endif

/* ---- reports (always compiled: the query functions use them) ------------------ */

void inv_report_reset(gicsim_invariant_report *r);
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
void inv_fail(gicsim_invariant_report *r, gicsim_time_t now, const char *where, const char *fmt,
              ...);
/* Add `from` to `into`: counts add up, the earlier first violation wins. */
void inv_report_merge(gicsim_invariant_report *into, const gicsim_invariant_report *from);
/* "N violation(s); first at T ps in WHERE: WHAT" into msg[len]; GICSIM_OK
 * when there is no violation. */
gicsim_status inv_report_status(const gicsim_invariant_report *r, char *msg, size_t len);

/* ---- engine (engine.c) ------------------------------------------------------------ */

typedef struct inv_engine {
    gicsim_invariant_report rep;
    gicsim_time_t last_fire; /* time of the last event fired */
} inv_engine;

/* (d): `next` must not precede `prev`. */
static inline void inv_time(inv_engine *iv, gicsim_time_t prev, gicsim_time_t next,
                            const char *where)
{
    iv->rep.checks++;
    if (next < prev)
        inv_fail(&iv->rep, prev, where, "time goes backwards: %llu ps after %llu ps",
                 (unsigned long long)next, (unsigned long long)prev);
}

#endif
