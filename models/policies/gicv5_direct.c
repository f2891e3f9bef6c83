/* gicsim: the gicv5-direct policy: what KVM does on a GICv5 (docs/gicv5.md, "The host").
 *
 * KVM's vgic-v5 leaves to the GIC what GICv5 virtualizes: the VM's vPEs are resident while
 * their vCPUs are loaded (ICH_CONTEXTR_EL2), with a doorbell requested for the guest's
 * effective priority mask when a vCPU blocks in WFI; the guest's timer PPI is injected
 * directly (ICH_PPI_DVIR) while the vCPU is in its guest; device MSIs are vLPIs of the VM's
 * IST through the ITS; the guest's IPIs are its own GIC CDPENDs of LPIs of its IST. None of
 * these exits. What still does: a wired interrupt (an SPI of the IRS, or an IWB wire's LPI),
 * which the host takes and sets pending in the VM's SPI IST with GIC VDPEND. A level one is
 * masked (GIC CDDIS) until the guest has ended it: with no list registers there is no EOI
 * maintenance interrupt, so KVM sees it at the vCPU's next exit and samples the line again
 * (policy_trap_inject_eoi). The timer PPI, when it fires while the vCPU is in the hypervisor
 * (DVI is off between an exit and the next entry), is taken by the host's
 * kvm_arch_timer_handler and left active for the guest's deactivation.
 */
#include "sys_internal.h"

#include "policies.h"

void policy_gicv5_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid); /* GIC CDEOI, at once (gicv5_handle_irq) */
    if (intid < GICSIM_SPI_BASE) {
        /* The timer: mapped to the physical PPI, whose pending state the guest sees through
         * DVI at the next entry; no CDDI (gicv5_ppi_irq_eoi skips a forwarded PPI's). */
        gicsim_virq q = {.vintid = intid, .level = true, .line = true, .hw = true, .pintid = intid};
        gicsim_hyp_inject(h, vm, vcpu, &q);
        return;
    }
    bool level = gicsim_hyp_irq_is_level(h, intid);
    if (level)
        gicsim_hyp_set_enabled(h, intid, false);    /* GIC CDDIS, before the CDDI */
    gicsim_hyp_icc_write(h, GICSIM_ICC_DIR, intid); /* GIC CDDI */
    gicsim_virq q = {.vintid = intid, .level = level, .line = true, .eoi_maint = level};
    gicsim_hyp_inject(h, vm, vcpu, &q); /* GIC VDPEND */
}

const gicsim_hyp_policy policy_gicv5_direct = {
    .name = "gicv5-direct",
    .description = "GICv5 (KVM's vgic-v5): timer PPI injected directly, MSIs as vLPIs, IPIs as "
                   "the guest's LPIs, vPE residency with doorbells; wired interrupts taken by the "
                   "host and set pending with GIC VDPEND",
    .host_eoimode = true,
    .direct_msi = true,
    .phys_irq = policy_gicv5_irq,
    .eoi_maintenance = policy_trap_inject_eoi,
    .gic = GICSIM_GICV5,
};
