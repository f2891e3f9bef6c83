/* gicsim: the gicv4-direct policy.
 *
 * GICv4.0: the VM's MSIs are vLPIs of its vPEs, delivered by the ITS and the
 * redistributor with no hypervisor on the path while the vPE is resident; a
 * doorbell wakes a descheduled vCPU. Wired interrupts as eoi-split.
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_gicv4_direct = {
    .name = "gicv4-direct",
    .description = "GICv4.0: device MSIs injected directly as vLPIs (doorbell when not "
                   "resident); SPIs, PPIs and SGIs as eoi-split",
    .host_eoimode = true,
    .direct_msi = true,
    .phys_irq = policy_eoi_split_irq,
};
