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

/* The cost table: X(ID, DOMAIN, DEFAULT_CYCLES, NAME, DESCRIPTION).
 * Defaults describe a generic 3 GHz Armv8 server core with a 1 GHz GIC; the
 * calibrated platform presets override them. */
#define GICSIM_COST_LIST(X)                                                                        \
    X(DIST_TO_REDIST, GIC, 20, "dist_to_redist",                                                   \
      "distributor forwards an SPI state change to the target redistributor")                      \
    X(REDIST_TO_CPUIF, GIC, 10, "redist_to_cpuif",                                                 \
      "redistributor presents its highest-priority pending interrupt to the CPU interface")        \
    X(SGI_ROUTE, GIC, 30, "sgi_route",                                                             \
      "an SGI travels from the sender's CPU interface to each target redistributor")               \
    X(ITS_COMMAND, GIC, 50, "its_command",                                                         \
      "the ITS executes one command from its queue (besides the table accesses it makes)")         \
    X(ITS_TRANSLATE, GIC, 20, "its_translate",                                                     \
      "the ITS's fixed work for one GITS_TRANSLATER write (besides table accesses)")               \
    X(ITS_TABLE_READ, GIC, 100, "its_table_read",                                                  \
      "one ITS table access in memory (device, ITT, collection or vPE table entry)")               \
    X(ITS_CACHE_HIT, GIC, 5, "its_cache_hit", "a translation found in the ITS translation cache")  \
    X(ITS_TO_REDIST, GIC, 20, "its_to_redist",                                                     \
      "an LPI or vLPI travels from the ITS to its target redistributor")                           \
    X(LPI_CONFIG_READ, GIC, 100, "lpi_config_read",                                                \
      "a redistributor reads an LPI configuration byte from memory (INV, INVALL per LPI)")         \
    X(VPT_SCAN, GIC, 500, "vpt_scan",                                                              \
      "making a vPE resident: the redistributor scans its virtual pending table")                  \
    X(DOORBELL, GIC, 20, "doorbell",                                                               \
      "a vLPI reaches a non-resident vPE: the redistributor raises its doorbell LPI")              \
    X(EXCEPTION_ENTRY, CPU, 60, "exception_entry",                                                 \
      "a PE takes an exception: pipeline flush, vector fetch, state save by hardware")             \
    X(EXCEPTION_RETURN, CPU, 40, "exception_return", "an ERET back to the interrupted context")    \
    X(ICC_IAR_READ, CPU, 45, "icc_iar_read", "a read of ICC_IAR0/1_EL1 (acknowledge) by the PE")   \
    X(ICC_EOIR_WRITE, CPU, 40, "icc_eoir_write", "a write of ICC_EOIR0/1_EL1 or ICC_DIR_EL1")      \
    X(ICC_SYSREG, CPU, 15, "icc_sysreg",                                                           \
      "any other ICC_* system register access (PMR, SGI1R, CTLR, ...)")                            \
    X(ICV_IAR_READ, CPU, 45, "icv_iar_read", "a guest read of ICV_IAR1_EL1 (no trap)")             \
    X(ICV_EOIR_WRITE, CPU, 40, "icv_eoir_write",                                                   \
      "a guest write of ICV_EOIR1_EL1 or ICV_DIR_EL1 (no trap)")                                   \
    X(ICH_ACCESS, CPU, 20, "ich_access",                                                           \
      "a hypervisor access to one ICH_*_EL2 register (a list register, HCR, VMCR, ELRSR, ...)")    \
    X(GUEST_CTX_SAVE, CPU, 300, "guest_ctx_save",                                                  \
      "saving the guest's general-purpose and EL1 system registers after a trap to EL2")           \
    X(GUEST_CTX_RESTORE, CPU, 300, "guest_ctx_restore",                                            \
      "restoring the guest's registers before the ERET into the guest")                            \
    X(WORLD_SWITCH, CPU, 600, "world_switch",                                                      \
      "without VHE: switching between the EL2 stub and the host kernel at EL1, each direction")    \
    X(HOST_IRQ_ENTRY, CPU, 150, "host_irq_entry",                                                  \
      "the host kernel's interrupt entry and exit around the handlers")                            \
    X(VIRQ_INJECT, CPU, 150, "virq_inject",                                                        \
      "queueing a virtual interrupt on a vCPU's software pending list")                            \
    X(VCPU_KICK, CPU, 200, "vcpu_kick",                                                            \
      "asking another PE to exit its guest: the host's IPI send path")                             \
    X(SCHED_WAKEUP, CPU, 1500, "sched_wakeup", "waking a blocked vCPU thread")                     \
    X(HALT_POLL_CHECK, CPU, 150, "halt_poll_check",                                                \
      "a halt-polling host noticing that its vCPU has an interrupt (one poll iteration)")          \
    X(SCHED_SWITCH, CPU, 3000, "sched_switch", "the scheduler switching the PE to another thread") \
    X(VCPU_LOAD, CPU, 600, "vcpu_load", "loading a vCPU's timer and GIC state onto a PE")          \
    X(VCPU_PUT, CPU, 600, "vcpu_put", "saving a vCPU's timer and GIC state off a PE")              \
    X(SGI_EMULATE, CPU, 300, "sgi_emulate",                                                        \
      "decoding a trapped ICC_SGI1R_EL1 write and finding its target vCPUs")                       \
    X(MMIO_DECODE, CPU, 300, "mmio_decode", "decoding a stage-2 data abort on an MMIO access")     \
    X(MMIO_KERNEL, CPU, 500, "mmio_kernel",                                                        \
      "emulating an MMIO register in the host kernel (for example the vGIC distributor)")          \
    X(MMIO_USER, CPU, 4000, "mmio_user",                                                           \
      "forwarding an MMIO access to the VMM in user space and back")                               \
    X(HVC_HANDLE, CPU, 200, "hvc_handle", "dispatching a hypercall")                               \
    X(ITS_EMULATE, CPU, 600, "its_emulate",                                                        \
      "the host's software ITS translating one MSI (device, ITT and collection lookups)")          \
    X(GIC_MMIO, CPU, 150, "gic_mmio",                                                              \
      "the host's access to a GIC or device MMIO register (mask, unmask, resample)")               \
    X(HRTIMER_FIRE, CPU, 1000, "hrtimer_fire",                                                     \
      "the host's software timer interrupt that stands in for a descheduled vCPU's timer")         \
    X(TIMER_PROGRAM, CPU, 20, "timer_program",                                                     \
      "a guest write of CNTV_CVAL_EL0/CNTV_CTL_EL0 (no trap)")                                     \
    X(IDLE_EXIT, CPU, 0, "idle_exit",                                                              \
      "a PE idle in the host's idle loop resumes on an interrupt (cpuidle exit latency)")          \
    X(COUNTER_READ, CPU, 30, "counter_read", "an ISB and a read of the generic counter (CNTPCT)")  \
    X(CACHELINE_TRANSFER, CPU, 150, "cacheline_transfer",                                          \
      "a store on one PE becomes visible to a load spinning on another PE")

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
/* GICSIM_E_NOTFOUND when no cost has that name. */
GICSIM_API gicsim_status gicsim_cost_lookup(const char *name, gicsim_cost_id *out);
GICSIM_API const char *gicsim_clock_name(gicsim_clock_domain d);
GICSIM_API gicsim_status gicsim_clock_lookup(const char *name, gicsim_clock_domain *out);

#ifdef __cplusplus
}
#endif

#endif
