/* gicsim: the vlpi-emulated policy.
 *
 * GICv3 with the ITS emulated by the host: MSIs trap as physical LPIs and
 * pay a software translation each (its_emulate); the core completes and
 * injects them (models/gicv4.c). Wired interrupts as eoi-split.
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_vlpi_emulated = {
    .name = "vlpi-emulated",
    .description = "GICv3 host emulating the ITS: MSIs are physical LPIs that the host "
                   "translates in software for every interrupt and injects through list "
                   "registers; wired interrupts as eoi-split",
    .host_eoimode = true,
    .emulated_its = true,
    .phys_irq = policy_eoi_split_irq,
};
