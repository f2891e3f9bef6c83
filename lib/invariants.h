/* gicsim: the invariant checker's hooks (internal; the API is
 * <gicsim/invariants.h>, the list of checks docs/invariants.md).
 *
 * Every hook in the model is one GICSIM_INV(...) statement. Built without
 * GICSIM_INVARIANTS the macro expands to ((void)0): its argument is not
 * compiled, so a release build has no call, no test and no data access for
 * it. The hooks of the engine and the GIC live in lib/invariants.c, those of
 * the virtualized system in models/invariants.c. A check that fails calls
 * inv_fail, which counts it and keeps the first failure; nothing prints. */
#ifndef GICSIM_LIB_INVARIANTS_H
#define GICSIM_LIB_INVARIANTS_H

#include <gicsim/gic.h>
#include <gicsim/invariants.h>
#include <gicsim/system.h>

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

/* ---- engine (lib/engine.c) -------------------------------------------------------- */

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

/* ---- GIC (lib/invariants.c) --------------------------------------------------------- */

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
/* Every whole-state check of the system: records against the statistics,
 * every vCPU's active priorities, the GIC. */
void inv_sys_full(gicsim_system *s, const char *where);

#endif
