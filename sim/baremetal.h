/* gicsim: a bare-metal interrupt responder for the demo and the benchmarks.
 *
 * Each PE runs an OS without virtualization that takes the IRQ exception,
 * acknowledges through ICC_IAR1_EL1, runs the handler registered for the
 * INTID, writes ICC_EOIR1_EL1 (EOImode=0: drop and deactivate) and returns.
 * Interrupts stay masked in the handler (no nesting). Costs come from the
 * timing table: exc_local, icc_iar_read, icc_eoir_write, eret_local; the
 * handler's own work is given per INTID.
 *
 * This is not part of the library: the PE execution model with guests and
 * hypervisors supersedes it. */
#ifndef GICSIM_SIM_BAREMETAL_H
#define GICSIM_SIM_BAREMETAL_H

#include <gicsim/gicsim.h>

typedef struct bm_system bm_system;

/* Called at the end of the handler, before the EOI (a level device's handler
 * de-asserts the line here). */
typedef void (*bm_done_fn)(void *ctx, uint32_t pe, uint32_t intid);

bm_system *bm_create(gicsim_gic *gic, const gicsim_timing *timing);
void bm_destroy(bm_system *bm);
/* Handler of `intid` (0..1019): `work` ps of handler code, then `done`. */
void bm_set_handler(bm_system *bm, uint32_t intid, gicsim_time_t work, bm_done_fn done, void *ctx);
/* Interrupts handled so far (IAR reads that returned a valid INTID). */
uint64_t bm_handled(const bm_system *bm);
/* IAR reads that returned 1023. */
uint64_t bm_spurious(const bm_system *bm);

#endif
