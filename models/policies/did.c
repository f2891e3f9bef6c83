/* gicsim: the did policy.
 *
 * Direct interrupt delivery (seed 004): gicv4-direct with pinned vCPUs and
 * WFI not trapped. Device MSIs arrive as vLPIs; the timer and IPIs still
 * trap.
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_did = {
    .name = "did",
    .description = "direct interrupt delivery (seed 004): pinned vCPUs, WFI not trapped, device "
                   "MSIs as vLPIs; timer and IPIs still trap",
    .host_eoimode = true,
    .direct_msi = true,
    .wfi_native = true,
    .phys_irq = policy_eoi_split_irq,
};
