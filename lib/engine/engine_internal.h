/* gicsim: internal extensions of <gicsim/engine.h> for the layers above the
 * engine (the GIC blocks and the system model). Not installed. */
#ifndef GICSIM_ENGINE_INTERNAL_H
#define GICSIM_ENGINE_INTERNAL_H

#include <gicsim/engine.h>

#include <stdbool.h>

/* Give the pending event `id` the argument `arg` and move it behind every
 * event now pending at its time: exactly what cancelling it and scheduling
 * the same callback with `arg` at the same time would do (the same order,
 * the same sequence numbers), without releasing and reallocating its node.
 * `id` stays its id. Returns false, changing nothing, when `id` is not
 * pending or its time is beyond the timing wheel (the caller then cancels
 * and schedules). */
bool engine_requeue(gicsim_engine *engine, gicsim_event_id id, uint64_t arg);

/* A model on this engine failed (GICSIM_E_NOMEM: an allocation during an
 * event): the run returns after the current event and no event fires any
 * more; gicsim_engine_status reports the first failure. */
void engine_fail(gicsim_engine *engine, gicsim_status st);

#endif
