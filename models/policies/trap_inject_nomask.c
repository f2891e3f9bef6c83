/* gicsim: the trap-inject-nomask policy.
 *
 * trap-inject without masking: while the line stays high the deactivated
 * interrupt re-fires and traps again (the re-trigger storm of seed 003).
 */
#include "sys_internal.h"

#include "policies.h"

static void trap_inject_nomask_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    policy_trap_inject_common(h, intid, vm, vcpu, false);
}

/* The guest ended the level interrupt: the virtual line follows the
 * device's line; nothing was masked, so nothing is unmasked. */
static void trap_inject_nomask_eoi(gicsim_hyp *h, uint32_t vintid, uint32_t vm, uint32_t vcpu)
{
    gicsim_hyp_set_virq_line(h, vm, vcpu, vintid, gicsim_hyp_resample(h, vintid));
}

const gicsim_hyp_policy policy_trap_inject_nomask = {
    .name = "trap-inject-nomask",
    .description =
        "trap-inject without masking level sources: re-trigger storm while the line is high",
    .host_eoimode = false,
    .phys_irq = trap_inject_nomask_irq,
    .eoi_maintenance = trap_inject_nomask_eoi,
};
