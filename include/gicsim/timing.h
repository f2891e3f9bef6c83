/* gicsim: clock domains and the table of named timing costs.
 *
 * Every cost is an integer number of cycles of one clock domain; the engine
 * converts cycles to picoseconds with the domain's frequency. A platform preset
 * is nothing more than a gicsim_timing value: clock frequencies plus one cycle
 * count per named cost. Components look costs up by id; configuration files
 * look them up by name.
 */
#ifndef GICSIM_TIMING_H
#define GICSIM_TIMING_H

#include <gicsim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gicsim_clock_domain {
    GICSIM_CLK_CPU = 0, /* the PEs' core clock */
    GICSIM_CLK_GIC = 1, /* the interrupt controller's interconnect clock */
    GICSIM_CLK__COUNT
} gicsim_clock_domain;

/* The cost table, each cost declared once:
 *   M(X, ID, DOMAIN, DEFAULT_CYCLES, PRIOR_LO, PRIOR_HI, NAME, DESCRIPTION)
 * Defaults describe a generic 3 GHz Armv8 server core with a 1 GHz GIC; the
 * calibrated platform presets override them. [PRIOR_LO, PRIOR_HI] is the
 * cost's plausible range in cycles of its domain, from the architecture and
 * what the step does (docs/calibration.md); calibration penalises leaving
 * it. Use it through GICSIM_COST_LIST (five arguments) or
 * GICSIM_COST_LIST_PRIORS (seven). */
#define GICSIM_COST_TABLE_(M, X)                                                                   \
    M(X, DIST_TO_REDIST, GIC, 20, 5, 100, "dist_to_redist",                                        \
      "distributor forwards an SPI state change to the target redistributor")                      \
    M(X, REDIST_TO_CPUIF, GIC, 10, 3, 60, "redist_to_cpuif",                                       \
      "redistributor presents its highest-priority pending interrupt to the CPU interface")        \
    M(X, SGI_ROUTE, GIC, 30, 20, 800, "sgi_route",                                                 \
      "an SGI travels from the sender's CPU interface to each target redistributor")               \
    M(X, ITS_COMMAND, GIC, 50, 10, 300, "its_command",                                             \
      "the ITS executes one command from its queue (besides the table accesses it makes)")         \
    M(X, ITS_TRANSLATE, GIC, 20, 5, 100, "its_translate",                                          \
      "the ITS's fixed work for one GITS_TRANSLATER write (besides table accesses)")               \
    M(X, ITS_TABLE_READ, GIC, 100, 30, 400, "its_table_read",                                      \
      "one ITS table access in memory (device, ITT, collection or vPE table entry)")               \
    M(X, ITS_CACHE_HIT, GIC, 5, 1, 30, "its_cache_hit",                                            \
      "a translation found in the ITS translation cache")                                          \
    M(X, ITS_TO_REDIST, GIC, 20, 5, 200, "its_to_redist",                                          \
      "an LPI or vLPI travels from the ITS to its target redistributor")                           \
    M(X, LPI_CONFIG_READ, GIC, 100, 30, 400, "lpi_config_read",                                    \
      "a redistributor reads an LPI configuration byte from memory (INV, INVALL per LPI)")         \
    M(X, VPT_SCAN, GIC, 500, 100, 2000, "vpt_scan",                                                \
      "making a vPE resident: the redistributor scans its virtual pending table")                  \
    M(X, DOORBELL, GIC, 20, 5, 200, "doorbell",                                                    \
      "a vLPI reaches a non-resident vPE: the redistributor raises its doorbell LPI")              \
    M(X, EXCEPTION_ENTRY, CPU, 60, 30, 200, "exception_entry",                                     \
      "a PE takes an exception: pipeline flush, vector fetch, state save by hardware")             \
    M(X, EXCEPTION_RETURN, CPU, 40, 20, 150, "exception_return",                                   \
      "an ERET back to the interrupted context")                                                   \
    M(X, ICC_IAR_READ, CPU, 45, 10, 150, "icc_iar_read",                                           \
      "a read of ICC_IAR0/1_EL1 (acknowledge) by the PE")                                          \
    M(X, ICC_EOIR_WRITE, CPU, 40, 5, 100, "icc_eoir_write",                                        \
      "a write of ICC_EOIR0/1_EL1 or ICC_DIR_EL1")                                                 \
    M(X, ICC_SYSREG, CPU, 15, 5, 60, "icc_sysreg",                                                 \
      "any other ICC_* system register access (PMR, SGI1R, CTLR, ...)")                            \
    M(X, ICV_IAR_READ, CPU, 45, 10, 150, "icv_iar_read", "a guest read of ICV_IAR1_EL1 (no trap)") \
    M(X, ICV_EOIR_WRITE, CPU, 40, 5, 100, "icv_eoir_write",                                        \
      "a guest write of ICV_EOIR1_EL1 or ICV_DIR_EL1 (no trap)")                                   \
    M(X, ICH_ACCESS, CPU, 20, 5, 80, "ich_access",                                                 \
      "a hypervisor access to one ICH_*_EL2 register (a list register, HCR, VMCR, ELRSR, ...)")    \
    M(X, GUEST_CTX_SAVE, CPU, 300, 100, 800, "guest_ctx_save",                                     \
      "saving the guest's general-purpose and EL1 system registers after a trap to EL2")           \
    M(X, GUEST_CTX_RESTORE, CPU, 300, 100, 800, "guest_ctx_restore",                               \
      "restoring the guest's registers before the ERET into the guest")                            \
    M(X, WORLD_SWITCH, CPU, 600, 200, 3000, "world_switch",                                        \
      "without VHE: switching between the EL2 stub and the host kernel at EL1, each direction")    \
    M(X, HOST_IRQ_ENTRY, CPU, 150, 80, 1000, "host_irq_entry",                                     \
      "the host kernel's interrupt entry and exit around the handlers")                            \
    M(X, VIRQ_INJECT, CPU, 150, 50, 600, "virq_inject",                                            \
      "queueing a virtual interrupt on a vCPU's software pending list")                            \
    M(X, VCPU_KICK, CPU, 200, 50, 800, "vcpu_kick",                                                \
      "asking another PE to exit its guest: the host's IPI send path")                             \
    M(X, SCHED_WAKEUP, CPU, 1500, 300, 6000, "sched_wakeup", "waking a blocked vCPU thread")       \
    M(X, HALT_POLL_CHECK, CPU, 150, 30, 600, "halt_poll_check",                                    \
      "a halt-polling host noticing that its vCPU has an interrupt (one poll iteration)")          \
    M(X, SCHED_SWITCH, CPU, 3000, 500, 10000, "sched_switch",                                      \
      "the scheduler switching the PE to another thread")                                          \
    M(X, VCPU_LOAD, CPU, 600, 200, 3000, "vcpu_load",                                              \
      "loading a vCPU's timer and GIC state onto a PE")                                            \
    M(X, VCPU_PUT, CPU, 600, 200, 3000, "vcpu_put",                                                \
      "saving a vCPU's timer and GIC state off a PE")                                              \
    M(X, SGI_EMULATE, CPU, 300, 80, 1000, "sgi_emulate",                                           \
      "decoding a trapped ICC_SGI1R_EL1 write and finding its target vCPUs")                       \
    M(X, MMIO_DECODE, CPU, 300, 100, 1200, "mmio_decode",                                          \
      "decoding a stage-2 data abort on an MMIO access")                                           \
    M(X, MMIO_KERNEL, CPU, 500, 50, 1200, "mmio_kernel",                                           \
      "emulating an MMIO register in the host kernel (for example the vGIC distributor)")          \
    M(X, MMIO_USER, CPU, 4000, 800, 12000, "mmio_user",                                            \
      "forwarding an MMIO access to the VMM in user space and back")                               \
    M(X, HVC_HANDLE, CPU, 200, 30, 500, "hvc_handle", "dispatching a hypercall")                   \
    M(X, ITS_EMULATE, CPU, 600, 100, 1500, "its_emulate",                                          \
      "the host's software ITS translating one MSI (device, ITT and collection lookups)")          \
    M(X, GIC_MMIO, CPU, 150, 50, 800, "gic_mmio",                                                  \
      "the host's access to a GIC or device MMIO register (mask, unmask, resample)")               \
    M(X, HRTIMER_FIRE, CPU, 1000, 200, 4000, "hrtimer_fire",                                       \
      "the host's software timer interrupt that stands in for a descheduled vCPU's timer")         \
    M(X, TIMER_PROGRAM, CPU, 20, 5, 100, "timer_program",                                          \
      "a guest write of CNTV_CVAL_EL0/CNTV_CTL_EL0 (no trap)")                                     \
    M(X, IDLE_EXIT, CPU, 0, 0, 20000, "idle_exit",                                                 \
      "a PE idle in the host's idle loop resumes on an interrupt (cpuidle exit latency)")          \
    M(X, COUNTER_READ, CPU, 30, 10, 100, "counter_read",                                           \
      "an ISB and a read of the generic counter (CNTPCT)")                                         \
    M(X, CACHELINE_TRANSFER, CPU, 150, 60, 600, "cacheline_transfer",                              \
      "a store on one PE becomes visible to a load spinning on another PE")

#define GICSIM_COST_ARGS5_(X, id, dom, def, lo, hi, name, desc) X(id, dom, def, name, desc)
#define GICSIM_COST_ARGS7_(X, id, dom, def, lo, hi, name, desc) X(id, dom, def, lo, hi, name, desc)
/* X(ID, DOMAIN, DEFAULT_CYCLES, NAME, DESCRIPTION) for every cost. */
#define GICSIM_COST_LIST(X) GICSIM_COST_TABLE_(GICSIM_COST_ARGS5_, X)
/* X(ID, DOMAIN, DEFAULT_CYCLES, PRIOR_LO, PRIOR_HI, NAME, DESCRIPTION). */
#define GICSIM_COST_LIST_PRIORS(X) GICSIM_COST_TABLE_(GICSIM_COST_ARGS7_, X)

typedef enum gicsim_cost_id {
#define GICSIM_COST_ENUM_(id, dom, def, name, desc) GICSIM_COST_##id,
    GICSIM_COST_LIST(GICSIM_COST_ENUM_)
#undef GICSIM_COST_ENUM_
        GICSIM_COST__COUNT
} gicsim_cost_id;

/* A platform's timing: clock frequencies (Hz) and a cycle count per cost. */
typedef struct gicsim_timing {
    uint64_t clock_hz[GICSIM_CLK__COUNT];
    uint64_t cycles[GICSIM_COST__COUNT];
} gicsim_timing;

/* Fill `t` with the documented defaults (CPU 3 GHz, GIC 1 GHz, the cycle
 * counts of GICSIM_COST_LIST). */
GICSIM_API void gicsim_timing_init(gicsim_timing *t);

/* Picoseconds taken by cost `id` under `t` (rounded to the nearest ps). */
GICSIM_API gicsim_time_t gicsim_timing_ps(const gicsim_timing *t, gicsim_cost_id id);

/* Convert a cycle count of a `hz` clock to picoseconds, rounded to nearest.
 * Returns 0 when hz is 0. Exact for any cycles < 2^64 / 10^12 * hz. */
GICSIM_API gicsim_time_t gicsim_cycles_to_ps(uint64_t cycles, uint64_t hz);

/* Introspection of the cost table, for configuration loaders and reports. */
GICSIM_API const char *gicsim_cost_name(gicsim_cost_id id);
GICSIM_API const char *gicsim_cost_description(gicsim_cost_id id);
GICSIM_API gicsim_clock_domain gicsim_cost_domain(gicsim_cost_id id);
GICSIM_API uint64_t gicsim_cost_default_cycles(gicsim_cost_id id);
/* The cost's plausible range [*lo, *hi] in cycles of its domain (the prior
 * calibration uses; docs/calibration.md says where each comes from).
 * GICSIM_E_INVAL for an out-of-range id; either pointer may be NULL. */
GICSIM_API gicsim_status gicsim_cost_prior(gicsim_cost_id id, uint64_t *lo, uint64_t *hi);
/* GICSIM_E_NOTFOUND when no cost has that name. */
GICSIM_API gicsim_status gicsim_cost_lookup(const char *name, gicsim_cost_id *out);
GICSIM_API const char *gicsim_clock_name(gicsim_clock_domain d);
GICSIM_API gicsim_status gicsim_clock_lookup(const char *name, gicsim_clock_domain *out);

#ifdef __cplusplus
}
#endif

#endif
