/* gicsim: the eoi-split policy.
 *
 * The host runs with EOImode=1: its EOIR only drops the priority; the
 * physical interrupt stays active and is injected with HW=1 and pINTID, so
 * the guest's deactivation deactivates it in hardware. Exits: 1. This is
 * how KVM delivers the virtual timer.
 */
#include "sys_internal.h"

#include "policies.h"

void policy_eoi_split_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid); /* EOImode=1: priority drop only */
    gicsim_virq q = {.vintid = intid,
                     .level = gicsim_hyp_irq_is_level(h, intid),
                     .line = true,
                     .hw = true,
                     .pintid = intid};
    gicsim_hyp_inject(h, vm, vcpu, &q);
}

const gicsim_hyp_policy policy_eoi_split = {
    .name = "eoi-split",
    .description = "host EOImode=1, HW=1 list registers: the guest's deactivation reaches the GIC",
    .host_eoimode = true,
    .phys_irq = policy_eoi_split_irq,
    .eoi_maintenance = NULL,
};
