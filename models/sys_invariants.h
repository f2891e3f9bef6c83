/* gicsim: the invariant checker's hooks in the virtualized system
 * (internal; the checks are models/invariants.c, the list
 * docs/invariants.md). */
#ifndef GICSIM_SYS_INVARIANTS_H
#define GICSIM_SYS_INVARIANTS_H

#include "gic/gic_invariants.h"

#include <gicsim/system.h>

/* ---- virtualized system (models/invariants.c) ------------------------------------------ */

struct sys_pe;
struct sys_vcpu;
struct vgic_irq;
gicsim_status inv_sys_init(gicsim_system *s);
void inv_sys_free(gicsim_system *s);
/* A virtual CPU interface event of the vCPU `v` loaded on ev->pe (NULL if
 * none) for its interrupt `q` (NULL if unknown), before the system's own
 * bookkeeping: double acknowledges; the vCPU's active priorities. */
void inv_sys_gic_event(gicsim_system *s, const gicsim_gic_event *ev, struct sys_vcpu *v,
                       struct vgic_irq *q);
/* After the flush of `v`'s software pending list into `pe`'s list registers,
 * and after the fold that reads them back. */
void inv_sys_flush(gicsim_system *s, struct sys_pe *pe, struct sys_vcpu *v);
void inv_sys_fold(gicsim_system *s, struct sys_pe *pe, struct sys_vcpu *v);
/* Record number `seq` is complete (records.c's sweep): its own checks. */
void inv_sys_record_done(gicsim_system *s, const gicsim_irq_record *r, uint64_t seq);
/* Every whole-state check of the system: records against the statistics,
 * every vCPU's active priorities, the GIC. */
void inv_sys_full(gicsim_system *s, const char *where);

#endif
