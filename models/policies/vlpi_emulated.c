/* gicsim: the vlpi-emulated policy.
 *
 * GICv3 with the ITS emulated by the host as KVM did before its LPI
 * translation cache (Linux 5.5): MSIs trap as physical LPIs and every one
 * is translated by walking the emulated ITS's device and event lists
 * (find_ite: its_walk_step per entry); the core completes and injects them
 * (models/gicv4.c). The other policies use KVM's cache. Wired interrupts as
 * eoi-split.
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_vlpi_emulated = {
    .name = "vlpi-emulated",
    .description = "GICv3 host emulating the ITS without KVM's translation cache (before "
                   "Linux 5.5): every MSI is a physical LPI the host translates by walking its "
                   "device and event lists, then injects through list registers; wired "
                   "interrupts as eoi-split",
    .host_eoimode = true,
    .emulated_its = true,
    .phys_irq = policy_eoi_split_irq,
};
