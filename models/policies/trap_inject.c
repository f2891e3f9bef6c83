/* gicsim: the trap-inject policy.
 *
 * The host runs with EOImode=0: its EOIR drops the priority and deactivates
 * the physical interrupt. A level-sensitive interrupt would re-fire at once,
 * so the host first masks it at the GIC; it injects with HW=0 and, for
 * level, an EOI maintenance request; at the guest's EOI it resamples the
 * device line and unmasks. Exits: 1 (edge), 2 (level).
 */
#include "sys_internal.h"

#include "policies.h"

void policy_trap_inject_common(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu, bool mask)
{
    bool level = gicsim_hyp_irq_is_level(h, intid);
    if (level && mask)
        gicsim_hyp_set_enabled(h, intid, false); /* before the EOIR deactivates it */
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid);
    gicsim_virq q = {.vintid = intid, .level = level, .line = true, .eoi_maint = level};
    gicsim_hyp_inject(h, vm, vcpu, &q);
}

static void trap_inject_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    policy_trap_inject_common(h, intid, vm, vcpu, true);
}

/* The guest ended the level interrupt: read the device's line again; if it
 * is low the interrupt is over and the source is unmasked, if it is still
 * high the virtual interrupt stays pending and is delivered again. */
void policy_trap_inject_eoi(gicsim_hyp *h, uint32_t vintid, uint32_t vm, uint32_t vcpu)
{
    bool line = gicsim_hyp_resample(h, vintid);
    gicsim_hyp_set_virq_line(h, vm, vcpu, vintid, line);
    if (!line)
        gicsim_hyp_set_enabled(h, vintid, true);
}

const gicsim_hyp_policy policy_trap_inject = {
    .name = "trap-inject",
    .description =
        "host EOImode=0, HW=0 list registers, level sources masked until the guest's EOI",
    .host_eoimode = false,
    .phys_irq = trap_inject_irq,
    .eoi_maintenance = policy_trap_inject_eoi,
};
