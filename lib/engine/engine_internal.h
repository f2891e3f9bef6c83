/* gicsim: internal extensions of <gicsim/engine.h> for the layers above the
 * engine (the GIC blocks and the system model). Not installed. */
#ifndef GICSIM_ENGINE_INTERNAL_H
#define GICSIM_ENGINE_INTERNAL_H

#include <gicsim/engine.h>

#include <stdbool.h>

/* The first member of every engine (engine.c): the simulated time now. */
typedef struct engine_clock {
    gicsim_time_t now;
} engine_clock;

/* gicsim_engine_now of a non-NULL engine, inline for the models' hot paths. */
static inline gicsim_time_t engine_now(const gicsim_engine *engine)
{
    return ((const engine_clock *)(const void *)engine)->now;
}

/* Give the pending event `id` the argument `arg` and move it behind every
 * event now pending at its time: exactly what cancelling it and scheduling
 * the same callback with `arg` at the same time would do (the same order,
 * the same sequence numbers), without releasing and reallocating its node.
 * `id` stays its id. Returns false, changing nothing, when `id` is not
 * pending or its time is beyond the timing wheel (the caller then cancels
 * and schedules). */
bool engine_requeue(gicsim_engine *engine, gicsim_event_id id, uint64_t arg);

/* An event whose firing is decided later, in its place: engine_take_seq
 * takes the sequence number an event scheduled now would get, without an
 * event; engine_schedule_taken (when >= now) schedules the event with that
 * number, so that it fires exactly where it would have fired had it been
 * scheduled when the number was taken; engine_after tells whether that
 * point (when, seq) has passed: an event at it would have fired before the
 * event firing now (or, between runs, by the time reached). A model uses
 * them to skip the event of an operation whose end nothing depends on,
 * unless something turns out to depend on it before it. */
uint64_t engine_take_seq(gicsim_engine *engine);
gicsim_status engine_schedule_taken(gicsim_engine *engine, gicsim_time_t when, uint64_t seq,
                                    gicsim_event_fn fn, void *ctx, uint64_t arg,
                                    gicsim_event_id *id_out);
bool engine_after(const gicsim_engine *engine, gicsim_time_t when, uint64_t seq);

/* When the pending event `id` fires; GICSIM_TIME_NEVER when `id` is not
 * pending. */
gicsim_time_t engine_event_time(const gicsim_engine *engine, gicsim_event_id id);

/* A model on this engine failed (GICSIM_E_NOMEM: an allocation during an
 * event): the run returns after the current event and no event fires any
 * more; gicsim_engine_status reports the first failure. */
void engine_fail(gicsim_engine *engine, gicsim_status st);

#endif
