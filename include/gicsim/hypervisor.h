/* gicsim: hypervisor delivery policies.
 *
 * The hypervisor core (exits, entries, the software pending list of each
 * vCPU, list register flush and fold, scheduling, WFI, vCPU kicks, SGI
 * emulation, the virtual timer) is shared. A policy decides what differs
 * between delivery schemes: how the host completes a physical interrupt that
 * belongs to a guest, and how it injects it. Policies are looked up by name
 * in a table; built-in ones are always there, and a program can register its
 * own before creating VMs that name them.
 *
 * Callback contract: a callback runs on the PE handling the event, at the
 * moment the hypervisor reaches that step. Its register accesses take effect
 * at once; the time it charges (gicsim_hyp_charge, or implicitly through the
 * gicsim_hyp_* accessors) elapses on the PE after the callback returns,
 * before the hypervisor's next step.
 */
#ifndef GICSIM_HYPERVISOR_H
#define GICSIM_HYPERVISOR_H

#include <gicsim/system.h>
#include <gicsim/vcpu_interface.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The hypervisor as seen from a policy callback: bound to one PE. */
typedef struct gicsim_hyp gicsim_hyp;

/* A virtual interrupt to queue on a vCPU's software pending list. Its
 * priority is the one the guest configured in its virtual GIC. */
typedef struct gicsim_virq {
    uint32_t vintid;
    bool level; /* level-sensitive: pending while `line` is high */
    bool line;  /* level: the line's level now */
    bool hw;    /* list register HW=1: guest deactivation deactivates `pintid` */
    uint32_t pintid;
    bool eoi_maint; /* HW=0: request an EOI maintenance interrupt when deactivated */
} gicsim_virq;

typedef struct gicsim_hyp_policy {
    const char *name;
    const char *description;
    bool host_eoimode; /* ICC_CTLR_EL1.EOImode the host runs with on the VM's PEs */
    /* GICv4 direct injection (GICSIM_GICV4_0 or later): the VM's MSI
     * sources are mapped as vLPIs of its vPEs (VMAPP/VMAPTI); the core makes
     * a vPE resident at vCPU load and non-resident at put, and wakes the vCPU
     * when its doorbell fires. Without it, MSIs are physical LPIs the host
     * completes and injects through list registers. */
    bool direct_msi;
    /* GICv4.1 (GICSIM_GICV4_1): the host forwards a trapped guest SGI with
     * GITS_SGIR, so the receiving vPE takes it directly. */
    bool direct_sgi;
    /* The scheme needs an untrapped WFI and pinned vCPUs (direct interrupt
     * delivery): gicsim_vm_add sets wfi_trap=false and pinned=true. */
    bool wfi_native;
    /* MSIs that are not injected directly go through the host's emulated
     * ITS translation for every interrupt (its_walk_step per list entry
     * find_ite visits) instead of KVM's cached translation (its_cache_op). */
    bool emulated_its;
    /* The host acknowledged physical `intid`, which is passed through to
     * (vm, vcpu). Required. The policy completes the physical interrupt
     * (EOIR, DIR, masking) and injects (gicsim_hyp_inject). */
    void (*phys_irq)(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu);
    /* The guest deactivated `vintid`, queued with eoi_maint, on (vm, vcpu)
     * (found while folding the list registers after an EOI maintenance
     * interrupt). Optional. */
    void (*eoi_maintenance)(gicsim_hyp *h, uint32_t vintid, uint32_t vm, uint32_t vcpu);
    /* Optional hooks around the core's own steps (each may charge time):
     * vcpu_load / vcpu_put: the vCPU is scheduled onto / off its PE
     *   (`blocking`: it is put because it blocked in WFI);
     * vcpu_exit: after a VM exit's fold, before its reason is handled;
     * vcpu_entry: after the flush, just before the guest is entered;
     * wfi: the guest's trapped WFI, before the core polls or blocks. */
    void (*vcpu_load)(gicsim_hyp *h, uint32_t vm, uint32_t vcpu);
    void (*vcpu_put)(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, bool blocking);
    void (*vcpu_exit)(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, gicsim_exit_reason reason);
    void (*vcpu_entry)(gicsim_hyp *h, uint32_t vm, uint32_t vcpu);
    void (*wfi)(gicsim_hyp *h, uint32_t vm, uint32_t vcpu);
    /* A GICv4 doorbell for (vm, vcpu) was taken by the host; the core wakes
     * the vCPU after this optional hook. */
    void (*doorbell)(gicsim_hyp *h, uint32_t vm, uint32_t vcpu);
    /* What-if hardware, not in any GIC architecture version: the virtual
     * timer is delivered the way GICv4 delivers vLPIs. Needs direct_msi
     * (registration and gicsim_vm_add refuse it without: GICSIM_E_INVAL).
     * At VM creation the host reserves one ITS (DeviceID, EventID) per vCPU
     * and maps it (VMAPTI) to a vLPI of the vCPU's vPE, the timer's vINTID
     * (the VM's last vLPI INTID: min(2^lpi_id_bits, 2^16) - 1; an MSI source
     * of the VM cannot use it). At each deadline the timer comparator writes
     * that MSI to GITS_TRANSLATER instead of raising PPI 27: a resident vPE
     * takes it with no exit, a non-resident one rings its doorbell and the
     * host wakes the vCPU; no host software timer (PPI 26) stands in for a
     * descheduled vCPU's timer. The guest acknowledges the vLPI INTID and
     * its handler still reprograms CNTV_CVAL. */
    bool direct_timer;
    /* The GIC architecture the policy drives: 0 (the default) for a GICv3 or GICv4 host (list
     * registers, GICv4 as the flags above say), GICSIM_GICV5 for a GICv5 host (docs/gicv5.md,
     * "The host"): the VM is in the IRS's VM table, its vCPUs are vPEs made resident at load
     * (ICH_CONTEXTR_EL2) with a doorbell requested when they block, its timer PPI is injected
     * directly (ICH_PPI_DVIR) and its IPIs are LPIs of its IST; direct_msi then makes its MSIs
     * vLPIs of its IST (the GICv5 ITS), and direct_sgi, direct_timer and emulated_its must be
     * false. gicsim_vm_add refuses a policy whose GIC is not the system's
     * (GICSIM_E_UNSUPPORTED). */
    gicsim_gic_version gic;
    /* GICv5: the VM's wired interrupts are its own in hardware: an SPI of the IRS handed to the
     * VM with IRS_SPI_VMR, or an IWB wire whose ITS event is translated to a vLPI of the VM,
     * instead of being taken by the host and set pending with GIC VDPEND. Needs gic =
     * GICSIM_GICV5. */
    bool direct_wired;
} gicsim_hyp_policy;

/* Register a policy (the struct must outlive its use). GICSIM_E_EXISTS for a
 * taken name, GICSIM_E_FULL beyond 32 user policies, GICSIM_E_INVAL without
 * a name or phys_irq, with direct_timer but not direct_msi, with a gic that is
 * neither 0 nor a GIC version, for a GICv5 with direct_sgi, direct_timer or
 * emulated_its, or with direct_wired on another GIC. */
GICSIM_API gicsim_status gicsim_hyp_policy_register(const gicsim_hyp_policy *policy);
GICSIM_API const gicsim_hyp_policy *gicsim_hyp_policy_find(const char *name);
/* Built-in and registered policies, in registration order. */
GICSIM_API size_t gicsim_hyp_policy_count(void);
GICSIM_API const gicsim_hyp_policy *gicsim_hyp_policy_at(size_t i);

/* ---- What a callback can do -----------------------------------------------------
 * Interrupts are numbered as on a GICv3 (SGIs 0..15, PPIs 16..31, SPIs 32.., LPIs
 * 8192..) whatever the GIC. On a GICv5 host (gicsim_hyp_policy.gic = GICSIM_GICV5) the
 * calls act on the GICv5's equivalents (docs/gicv5.md, "The host"): ICC_EOIR1 is GIC CDEOI
 * (the priority drop), ICC_DIR GIC CDDI (the deactivation), other ICC registers read 0 and
 * ignore writes; the interrupt of SPI n is the IRS's SPI n, or IWB wire n's LPI when the GIC
 * has an IWB; set_enabled is GIC CDEN / CDDIS; inject of an SPI sets the VM's SPI n pending
 * with GIC VDPEND, and of a PPI marks it pending for the vCPU's next entry (the timer's
 * pending state is the physical PPI's, injected directly). The costs are the GICv5's
 * (gicv5_cdeoi, gicv5_gic_insn). */

GICSIM_API uint32_t gicsim_hyp_pe(const gicsim_hyp *h);
GICSIM_API gicsim_system *gicsim_hyp_system(const gicsim_hyp *h);
/* Charge time to the current step. */
GICSIM_API void gicsim_hyp_charge(gicsim_hyp *h, gicsim_cost_id cost);
GICSIM_API void gicsim_hyp_charge_ps(gicsim_hyp *h, gicsim_time_t ps);
/* ICC_* access on this PE; charges icc_eoir_write / icc_iar_read / icc_sysreg. */
GICSIM_API uint64_t gicsim_hyp_icc_read(gicsim_hyp *h, gicsim_icc_reg reg);
GICSIM_API void gicsim_hyp_icc_write(gicsim_hyp *h, gicsim_icc_reg reg, uint64_t val);
/* Mask or unmask a physical interrupt at its source (GICD_ISENABLER /
 * ICENABLER, or GICR_* for a PPI of this PE); charges gic_mmio. */
GICSIM_API void gicsim_hyp_set_enabled(gicsim_hyp *h, uint32_t intid, bool enabled);
/* Queue `v` on (vm, vcpu): merge into an existing entry for the vINTID or
 * add one; kick the vCPU if it runs on another PE, wake it if blocked.
 * Charges irq_queue (and vcpu_kick / sched_wakeup when they happen). */
GICSIM_API void gicsim_hyp_inject(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, const gicsim_virq *v);
/* Level of a passed-through device's line, as the host reads it back from
 * the device (a resample); charges gic_mmio. */
GICSIM_API bool gicsim_hyp_resample(gicsim_hyp *h, uint32_t intid);
/* Whether physical `intid` is configured level-sensitive (the host's own
 * bookkeeping: no cost). */
GICSIM_API bool gicsim_hyp_irq_is_level(gicsim_hyp *h, uint32_t intid);
/* Update the line of a queued level-sensitive virtual interrupt. */
GICSIM_API void gicsim_hyp_set_virq_line(gicsim_hyp *h, uint32_t vm, uint32_t vcpu, uint32_t vintid,
                                         bool line);

#ifdef __cplusplus
}
#endif

#endif
