/* gicsim: the gicv5-did policy.
 *
 * Direct interrupt delivery (seed 004) on a GICv5: gicv5-wired-direct with pinned vCPUs and
 * WFI not trapped. On a GICv4.1, did still exits for the timer and for IPIs; on a GICv5 the
 * guest's timer PPI (DVI), its IPIs (LPIs of its IST), device MSIs (vLPIs) and, handed to the
 * VM, wired interrupts all reach a vPE that stays resident through the guest's WFI: nothing
 * exits for an interrupt. (With wired interrupts taken by the host, a level one would stay
 * masked: with no exit, KVM never learns that the guest ended it.)
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_gicv5_did = {
    .name = "gicv5-did",
    .description = "GICv5 what-if: gicv5-wired-direct with pinned vCPUs and WFI not trapped: "
                   "no interrupt exits",
    .host_eoimode = true,
    .direct_msi = true,
    .wfi_native = true,
    .phys_irq = policy_gicv5_irq,
    .eoi_maintenance = policy_trap_inject_eoi,
    .gic = GICSIM_GICV5,
    .direct_wired = true,
};
