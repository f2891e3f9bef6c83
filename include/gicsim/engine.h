/* gicsim: the deterministic discrete-event engine.
 *
 * Contract:
 *  - Time is a uint64 count of picoseconds (gicsim_time_t) and never goes backwards.
 *  - Events fire in (time, insertion sequence) order: two events scheduled for the
 *    same time fire in the order they were scheduled, so a run is a pure function
 *    of its inputs.
 *  - An event callback may schedule and cancel events (including ones at the
 *    current time, which fire after every already-scheduled event of that time).
 */
#ifndef GICSIM_ENGINE_H
#define GICSIM_ENGINE_H

#include <gicsim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gicsim_engine gicsim_engine;

/* Handle of a scheduled event; 0 never names an event. Handles are not reused
 * while the event is pending, and a stale handle is safely rejected by cancel. */
typedef uint64_t gicsim_event_id;

/* An event's action. `ctx` and `arg` are the values given at scheduling. */
typedef void (*gicsim_event_fn)(gicsim_engine *engine, void *ctx, uint64_t arg);

GICSIM_API gicsim_status gicsim_engine_create(gicsim_engine **out);
GICSIM_API void gicsim_engine_destroy(gicsim_engine *engine);

/* Current simulated time. */
GICSIM_API gicsim_time_t gicsim_engine_now(const gicsim_engine *engine);

/* Schedule `fn(engine, ctx, arg)` at absolute time `when` (>= now, else
 * GICSIM_E_INVAL). `id_out` may be NULL. */
GICSIM_API gicsim_status gicsim_engine_schedule_at(gicsim_engine *engine, gicsim_time_t when,
                                                   gicsim_event_fn fn, void *ctx, uint64_t arg,
                                                   gicsim_event_id *id_out);

/* Schedule `delay` picoseconds after now. */
GICSIM_API gicsim_status gicsim_engine_schedule_in(gicsim_engine *engine, gicsim_time_t delay,
                                                   gicsim_event_fn fn, void *ctx, uint64_t arg,
                                                   gicsim_event_id *id_out);

/* Cancel a pending event. Returns true if it was pending (it will not fire),
 * false if it already fired, was cancelled, or never existed. */
GICSIM_API bool gicsim_engine_cancel(gicsim_engine *engine, gicsim_event_id id);

/* Number of events scheduled and not yet fired or cancelled. */
GICSIM_API uint64_t gicsim_engine_pending(const gicsim_engine *engine);

/* Time of the next pending event, or GICSIM_TIME_NEVER when none. */
GICSIM_API gicsim_time_t gicsim_engine_next_time(gicsim_engine *engine);

/* Fire the single next event, advancing time to it. Returns false if none. */
GICSIM_API bool gicsim_engine_step(gicsim_engine *engine);

/* Fire every event with time <= `limit`, then set now = limit (unless stopped
 * early by gicsim_engine_stop, in which case now stays at the last event).
 * `limit` < now is GICSIM_E_INVAL-free: nothing fires and time is unchanged.
 * Returns the number of events fired. */
GICSIM_API uint64_t gicsim_engine_run_until(gicsim_engine *engine, gicsim_time_t limit);

/* run_until(now + duration). */
GICSIM_API uint64_t gicsim_engine_run_for(gicsim_engine *engine, gicsim_time_t duration);

/* Fire events until none remain or gicsim_engine_stop is called. */
GICSIM_API uint64_t gicsim_engine_run(gicsim_engine *engine);

/* Called from an event callback: the current run/run_until/run_for returns
 * after this event. */
GICSIM_API void gicsim_engine_stop(gicsim_engine *engine);

/* GICSIM_OK, or the failure that stopped the engine for good: GICSIM_E_NOMEM
 * when an allocation failed during an event (scheduling one, or in a model
 * running on the engine). From then on nothing fires and time stays where
 * the failure happened, so the results are those of an incomplete run. */
GICSIM_API gicsim_status gicsim_engine_status(const gicsim_engine *engine);

/* Total events fired since creation. */
GICSIM_API uint64_t gicsim_engine_events_fired(const gicsim_engine *engine);

/* ---- Invariant reports (the checker: <gicsim/invariants.h>) ---------------- */

typedef struct gicsim_invariant_report {
    bool enabled;        /* the library was built with the checker */
    uint64_t checks;     /* invariant evaluations so far */
    uint64_t violations; /* evaluations that failed */
    /* The first violation; time is GICSIM_TIME_NEVER and the strings are
     * empty while there is none. */
    gicsim_time_t time; /* simulated time (ps) it was found at */
    char where[64];     /* the check's site, "file.c:function" */
    char what[256];     /* the invariant and the values that broke it */
} gicsim_invariant_report;

/* True when the library was built with GICSIM_INVARIANTS. */
GICSIM_API bool gicsim_invariants_enabled(void);

/* The violations found so far by the engine's own checks (time never goes
 * backwards). The GIC's and the system's reports (<gicsim/invariants.h>)
 * merge their engine's with their own: counts add up and the first
 * violation is the earliest one. `out` is cleared for a NULL engine. */
GICSIM_API void gicsim_engine_invariants(const gicsim_engine *engine, gicsim_invariant_report *out);

#ifdef __cplusplus
}
#endif

#endif
