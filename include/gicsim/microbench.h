/* gicsim: the calibration benchmarks: kvm-unit-tests arm/micro-bench and
 * seed 004's kernel-level timer latency test, run on the simulated system.
 *
 * Each test builds a fresh gicsim_system for the platform it is given and
 * runs the guest code the real test runs, through the same model flows as
 * every scenario (traps, exits, the hypervisor, the policy, the GIC). Nothing
 * here adds a cost of its own: a figure is the simulated time between the two
 * counter reads the real test makes, so it is a sum of the platform's
 * primitive costs along the test's path (plus any wait on the other PE).
 *
 * The kvm-unit-tests tests (guest with 2 vCPUs pinned on PEs 0 and 1; vCPU 1
 * spins with interrupts enabled; vCPU 0 runs the test loop):
 *   hvc             HVC #0 with function ID 0x4b000000, which KVM's SMCCC
 *                   filter denies: a hypercall round trip;
 *   mmio_read_user  a load from a device register the VMM emulates in user
 *                   space (stage-2 fault, exit to user space and back);
 *   mmio_read_vgic  a load of GICD_IIDR, emulated by the host kernel's vGIC;
 *   eoi             an ICV_EOIR1_EL1 write of the spurious INTID 1023 (no trap);
 *   ipi             SGI 1 to vCPU 1 (ICC_SGI1R_EL1 traps; the host kicks vCPU 1,
 *                   which exits and enters with the SGI in a list register),
 *                   until vCPU 0 sees the flag vCPU 1's handler sets;
 *   ipi_hw          the same with GICv4.1 vSGIs (gicv41-vsgi: no exit on vCPU 1);
 *   lpi             an INT command for LPI 8199 (device 2, event 20, collection
 *                   of vCPU 1) through the host's emulated ITS: the GITS_CWRITER
 *                   write traps, the host runs the command and injects, then
 *                   the test reads GITS_CREADR (a second trap);
 *   timer_10ms      vCPU 0 arms its virtual timer 10 ms ahead and spins; the
 *                   figure is the time past the deadline until it sees its
 *                   handler's flag.
 * Seed 004's test (Linux hrtimer, 200 us period, idle system; the figure is
 * the median latency from the deadline to the interrupt's acknowledge):
 *   timer_bm        bare metal: the host kernel's own timer on an idle PE;
 *   timer_vm        in a VM: the guest's virtual timer, WFI trapped, eoi-split.
 * Host-side steps of GICv4 and of the emulated ITS (averages):
 *   vcpu_load       GICv4.1: from kvm_arch_vcpu_load to __guest_enter when a
 *                   vCPU blocked in WFI wakes on its timer (the vPE made
 *                   resident, its pending table parsed), gicv4-direct;
 *   doorbell_enable GICv4.0: enabling the doorbell of a vCPU that blocks
 *                   (its_vpe_unmask_irq: the configuration byte,
 *                   GICR_INVLPIR, the wait for GICR_SYNCR), gicv4-direct;
 *   msi_inject      KVM_SIGNAL_MSI from a VMM thread into the emulated ITS,
 *                   one ioctl per MSI, translation cached (the time per MSI of
 *                   KVM's vgic_lpi_stress with one device, event and vCPU).
 */
#ifndef GICSIM_MICROBENCH_H
#define GICSIM_MICROBENCH_H

#include <gicsim/common.h>
#include <gicsim/histogram.h>
#include <gicsim/system.h>
#include <gicsim/timing.h>
#include <gicsim/variation.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gicsim_mb_test {
    GICSIM_MB_HVC,
    GICSIM_MB_MMIO_READ_USER,
    GICSIM_MB_MMIO_READ_VGIC,
    GICSIM_MB_EOI,
    GICSIM_MB_IPI,
    GICSIM_MB_IPI_HW,
    GICSIM_MB_LPI,
    GICSIM_MB_TIMER_10MS,
    GICSIM_MB_TIMER_BM,
    GICSIM_MB_TIMER_VM,
    GICSIM_MB_VCPU_LOAD,
    GICSIM_MB_DOORBELL_ENABLE,
    GICSIM_MB_MSI_INJECT,
    GICSIM_MB__COUNT
} gicsim_mb_test;

/* "hvc", "mmio_read_user", ..., "timer_bm", "timer_vm"; NULL out of range. */
GICSIM_API const char *gicsim_mb_test_name(gicsim_mb_test t);
/* GICSIM_E_NOTFOUND for an unknown name. */
GICSIM_API gicsim_status gicsim_mb_test_lookup(const char *name, gicsim_mb_test *out);
/* What the test measures, one line. */
GICSIM_API const char *gicsim_mb_test_description(gicsim_mb_test t);

/* The relative uncertainty of a measured micro-bench figure that states
 * none (calibration, docs/calibration.md). */
#define GICSIM_MB_DEFAULT_UNCERTAINTY 0.03

#define GICSIM_MB_MAX_PERCENTILES 8
#define GICSIM_MB_MAX_RUNS 16

/* What a measured figure may say about its spread (a preset's or a
 * measured file's `{ns: NS, percentiles: {pNN: NS, ...}, runs: [NS, ...]}`;
 * docs/calibration.md, "Spread"): percentiles of the test's distribution
 * (each iteration's time, or each interrupt's latency for timer_bm and
 * timer_vm), and the figure of each of several runs of the test. */
typedef struct gicsim_mb_spread {
    size_t n_pct;
    double pct[GICSIM_MB_MAX_PERCENTILES];    /* in (0, 100), ascending */
    double pct_ns[GICSIM_MB_MAX_PERCENTILES]; /* > 0 */
    size_t n_runs;                            /* 0, or 2 .. GICSIM_MB_MAX_RUNS */
    double runs_ns[GICSIM_MB_MAX_RUNS];       /* > 0 */
} gicsim_mb_spread;

typedef struct gicsim_mb_config {
    gicsim_timing timing;  /* the platform's clocks and costs */
    bool vhe;              /* host kernel at EL2 (default true) */
    gicsim_kvm_config kvm; /* KVM's version-dependent behaviour (default: current KVM) */
    /* Iterations of the kvm-unit-tests loop (0: the default, 1024; timer_10ms
     * runs at most 64) or, for timer_bm/timer_vm, the number of 200 us periods
     * (0: the default, 5000 = 1 s; seed 004 ran 20 s = 100000). */
    uint32_t iterations;
    /* vCPUs of the kvm-unit-tests VM, each pinned on its own PE (0: 2;
     * 2..512). ipi sends to the last one: kvm-unit-tests sends to vCPU 1,
     * the 64-vCPU measurements of KVM's SGI target lookup patched the test
     * to send to the last vCPU. */
    uint32_t vcpus;
    /* The host's GIC as KVM uses it for the kvm-unit-tests VM: GICSIM_GICV3
     * (the default; also a GICv4 host booted without kvm-arm.vgic_v4_enable),
     * or GICSIM_GICV4_0 / GICSIM_GICV4_1: KVM gives every vCPU a vPE
     * (vgic_v4_init), made resident at each vcpu_load and non-resident at
     * each vcpu_put, so every exit to user space pays the residency (policy
     * gicv4-direct). ipi_hw always runs on GICv4.1 (gicv41-vsgi), lpi on the
     * emulated ITS. */
    gicsim_gic_version gic;
    /* With gic GICSIM_GICV4_0: the redistributors report the VPT parse
     * (gicsim_gic_config.vpt_dirty; default true). */
    bool vpt_dirty;
    /* The platform's sources of spread (<gicsim/variation.h>; default all
     * off): with any on, a figure is the average (or median) of a
     * distribution, which each result's `latency` holds. */
    gicsim_variation variation;
} gicsim_mb_config;

/* Timing of gicsim_timing_init, VHE, default iterations. */
GICSIM_API void gicsim_mb_config_init(gicsim_mb_config *cfg);

typedef struct gicsim_mb_result {
    double value_ns; /* the figure: average (kvm-unit-tests) or median (timer_bm/vm) */
    double min_ns, max_ns;
    uint64_t iterations; /* measured iterations (or timer interrupts) */
    uint64_t exits;      /* VM exits during the measured iterations, all PEs */
    /* The distribution the figure summarises (ps), owned by the result:
     * timer_bm / timer_vm each interrupt's latency, the others each measured
     * iteration's time. Free with gicsim_mb_result_free. */
    gicsim_histogram *latency;
} gicsim_mb_result;

/* Run one test on a fresh system. GICSIM_E_INVAL for a bad test or config,
 * GICSIM_E_NOMEM, GICSIM_E_STATE if the simulated test did not complete (an
 * interrupt never arrived: a policy or platform that cannot run it). */
GICSIM_API gicsim_status gicsim_mb_run(const gicsim_mb_config *cfg, gicsim_mb_test test,
                                       gicsim_mb_result *out);
GICSIM_API void gicsim_mb_result_free(gicsim_mb_result *r);

#ifdef __cplusplus
}
#endif

#endif
