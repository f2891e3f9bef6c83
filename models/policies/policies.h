/* gicsim: what the built-in hypervisor delivery policies share (models/policies/).
 * Not installed.
 *
 * One file per policy holds its gicsim_hyp_policy and its callbacks;
 * registry.c lists them in the table gicsim_hyp_policy_find/at read. A
 * callback used by several policies lives once, in the file of the policy
 * that defines it, and is declared here. */
#ifndef GICSIM_MODELS_POLICIES_H
#define GICSIM_MODELS_POLICIES_H

#include <gicsim/hypervisor.h>

/* trap_inject.c: the host (EOImode=0) completes the physical interrupt with
 * its EOIR, which drops the priority and deactivates, and injects it with
 * HW=0; a level-sensitive one is injected with an EOI maintenance request
 * and, when `mask`, first masked at the GIC so that it does not re-fire
 * before the guest's EOI. Used by trap-inject and trap-inject-nomask. */
void policy_trap_inject_common(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu,
                               bool mask);
/* trap_inject.c: the guest ended a level interrupt injected with an EOI request: the
 * device's line is read again; high, the virtual interrupt is pending again; low, the
 * interrupt is over and its source unmasked. The eoi_maintenance of trap-inject and of the
 * GICv5 policies. */
void policy_trap_inject_eoi(gicsim_hyp *h, uint32_t vintid, uint32_t vm, uint32_t vcpu);

/* eoi_split.c: the host (EOImode=1) drops the priority only and injects
 * with HW=1 and pINTID = intid, so the guest's deactivation deactivates the
 * physical interrupt (KVM's kvm_vgic_map_phys_irq, as for the virtual
 * timer). The phys_irq of eoi-split and of every policy that delivers wired
 * interrupts as eoi-split does. */
void policy_eoi_split_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu);

/* gicv5_direct.c: KVM on a GICv5 takes a wired interrupt (GIC CDEOI), deactivates it (CDDI;
 * a level one masked first, CDDIS, until the guest has ended it) and sets the VM's SPI
 * pending with GIC VDPEND; the guest's timer PPI, taken while the vCPU is out of its guest,
 * stays active for the guest to deactivate (the host skips a forwarded PPI's CDDI). The
 * phys_irq of every GICv5 policy. */
void policy_gicv5_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu);

/* The built-in policies, one file each (registry.c lists them in order). */
extern const gicsim_hyp_policy policy_trap_inject;        /* trap_inject.c */
extern const gicsim_hyp_policy policy_trap_inject_nomask; /* trap_inject_nomask.c */
extern const gicsim_hyp_policy policy_eoi_split;          /* eoi_split.c */
extern const gicsim_hyp_policy policy_gicv4_direct;       /* gicv4_direct.c */
extern const gicsim_hyp_policy policy_gicv41_vsgi;        /* gicv41_vsgi.c */
extern const gicsim_hyp_policy policy_did;                /* did.c */
extern const gicsim_hyp_policy policy_vlpi_emulated;      /* vlpi_emulated.c */
extern const gicsim_hyp_policy policy_direct_vtimer;      /* direct_vtimer.c */
extern const gicsim_hyp_policy policy_gicv5_direct;       /* gicv5_direct.c */
extern const gicsim_hyp_policy policy_gicv5_wired_direct; /* gicv5_wired_direct.c */
extern const gicsim_hyp_policy policy_gicv5_did;          /* gicv5_did.c */

#endif
