/* gicsim: the simulated physical memory the GIC's in-memory tables live in
 * (LPI configuration and pending tables, ITS command queue and tables, virtual
 * pending tables). Software models write the tables here before pointing the
 * GIC's base registers (GICR_PROPBASER, GICR_PENDBASER, GITS_BASER<n>, ...) at
 * them. Memory is sparse and zero-filled: only the 4 KiB pages written are
 * allocated. Multi-byte table entries are little-endian. */
#ifndef GICSIM_MEMORY_H
#define GICSIM_MEMORY_H

#include <gicsim/common.h>
#include <gicsim/gic.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Copy `len` bytes to physical address `pa`. GICSIM_E_RANGE if the range wraps
 * past 2^64, GICSIM_E_NOMEM (nothing changed) if a page cannot be allocated.
 * A write to a table the GIC caches (an LPI configuration byte, say) takes
 * effect only as the architecture says (after an INV/INVALL). */
GICSIM_API gicsim_status gicsim_mem_write(gicsim_gic *gic, uint64_t pa, const void *data,
                                          size_t len);
/* Copy `len` bytes from physical address `pa`; untouched memory reads as zero. */
GICSIM_API gicsim_status gicsim_mem_read(gicsim_gic *gic, uint64_t pa, void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
