/* gicsim: the invariant checker's hooks in the GIC blocks (internal; the
 * checks are gic/gic_invariants.c, the list docs/invariants.md). */
#ifndef GICSIM_GIC_INVARIANTS_H
#define GICSIM_GIC_INVARIANTS_H

#include "engine/invariants.h"

#include <gicsim/gic.h>

/* ---- GIC (gic/gic_invariants.c) --------------------------------------------------------- */

struct gic_irq;
gicsim_status inv_gic_init(gicsim_gic *g);
void inv_gic_free(gicsim_gic *g);
/* irq_commit: the accounting identity after the state change `old` -> now. */
void inv_gic_commit(gicsim_gic *g, const struct gic_irq *irq, uint8_t old);
/* irq_acknowledge: the interrupt (flags `old` before) was pending, not active. */
void inv_gic_ack(gicsim_gic *g, const struct gic_irq *irq, uint8_t old);
/* Active priorities of the physical (icc) and virtual (icv) CPU interface of
 * `pe`: an acknowledge set bit `idx` of group `grp`; an EOI dropped the
 * highest-priority bit of `grp`; software wrote an active-priority register. */
void inv_icc_ack(gicsim_gic *g, uint32_t pe, unsigned grp, unsigned idx);
void inv_icc_drop(gicsim_gic *g, uint32_t pe, unsigned grp);
void inv_icc_apr_write(gicsim_gic *g, uint32_t pe);
void inv_icv_ack(gicsim_gic *g, uint32_t pe, unsigned grp, unsigned idx);
void inv_icv_drop(gicsim_gic *g, uint32_t pe, unsigned grp);
void inv_icv_apr_write(gicsim_gic *g, uint32_t pe);
/* Every whole-state check of the GIC (accounting recount, all PEs). */
void inv_gic_full(gicsim_gic *g, const char *where);
/* The GIC's report, NULL when the checker is off or the GIC has none. */
gicsim_invariant_report *inv_gic_report(const gicsim_gic *g);
/* An active-priority register set (AP<grp>R<n>) of a CPU interface. */
typedef struct inv_ap {
    uint32_t r[2][4];
} inv_ap;
/* Number of implemented AP<g>R<n> registers and the running priority that
 * a set of active priorities gives (0xFF when empty). */
unsigned inv_ap_regs(const gicsim_gic *g);
unsigned inv_ap_running(const gicsim_gic *g, const inv_ap *a);

#endif
