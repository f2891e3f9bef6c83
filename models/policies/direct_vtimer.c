/* gicsim: the direct-vtimer policy.
 *
 * A what-if, hardware no GIC version has: gicv4-direct plus a virtual timer
 * delivered like a vLPI. Each vCPU's timer is a vLPI of its vPE (VMAPTI of a
 * (DeviceID, EventID) the host reserves per vCPU); at the deadline the timer
 * comparator writes that MSI to GITS_TRANSLATER instead of raising PPI 27. A
 * resident vPE takes it with no exit; a non-resident one (its vCPU blocked
 * in WFI) rings its doorbell and the host wakes the vCPU; no host hrtimer
 * (PPI 26) is needed for a descheduled vCPU. It bounds what seed 004's timer
 * latency could gain from direct timer delivery.
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_direct_vtimer = {
    .name = "direct-vtimer",
    .description = "what-if hardware (no GIC version has it): gicv4-direct plus the virtual timer "
                   "delivered as a vLPI (the timer writes an MSI; doorbell when not resident)",
    .host_eoimode = true,
    .direct_msi = true,
    .direct_timer = true,
    .phys_irq = policy_eoi_split_irq,
};
