/* gicsim: the gicv41-vsgi policy.
 *
 * gicv4-direct plus GICv4.1 vSGIs (GITS_SGIR): the sending vCPU's
 * ICC_SGI1R_EL1 write still traps, and the host forwards it so that the
 * receiving vPE takes the SGI directly.
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_gicv41_vsgi = {
    .name = "gicv41-vsgi",
    .description = "GICv4.1: gicv4-direct plus vSGIs: the sender still traps, the receiving "
                   "vPE takes the SGI directly",
    .host_eoimode = true,
    .direct_msi = true,
    .direct_sgi = true,
    .phys_irq = policy_eoi_split_irq,
};
