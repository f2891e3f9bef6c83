/* gicsim: the table of hypervisor delivery policies and the built-in ones.
 *
 *  trap-inject         host EOImode=0. The host's EOIR drops priority and
 *                      deactivates. A level-sensitive interrupt would re-fire
 *                      at once, so the host first masks it at the GIC; it
 *                      injects with HW=0 and, for level, an EOI maintenance
 *                      request; at the guest's EOI it resamples the device
 *                      line and unmasks. Exits: 1 (edge), 2 (level).
 *  trap-inject-nomask  the same without masking: while the line stays high
 *                      the deactivated interrupt re-fires and traps again
 *                      (the re-trigger storm of seed 003).
 *  eoi-split           host EOImode=1. EOIR only drops priority; the
 *                      physical interrupt stays active and is injected with
 *                      HW=1 and pINTID, so the guest's deactivation
 *                      deactivates it in hardware. Exits: 1. This is how KVM
 *                      delivers the virtual timer.
 *  gicv4-direct        GICv4.0: the VM's MSIs are vLPIs of its vPEs, delivered
 *                      by the ITS and the redistributor with no hypervisor on
 *                      the path while the vPE is resident; a doorbell wakes a
 *                      descheduled vCPU. Wired interrupts as eoi-split.
 *  gicv41-vsgi         gicv4-direct plus GICv4.1 vSGIs (GITS_SGIR).
 *  did                 direct interrupt delivery (seed 004): gicv4-direct with
 *                      pinned vCPUs and WFI not trapped.
 *  vlpi-emulated       GICv3 with the ITS emulated by the host: MSIs trap as
 *                      physical LPIs and pay a software translation each.
 *  direct-vtimer       a what-if, hardware no GIC version has: gicv4-direct
 *                      plus a virtual timer delivered like a vLPI. Each vCPU's
 *                      timer is a vLPI of its vPE (VMAPTI of a (DeviceID,
 *                      EventID) the host reserves per vCPU); at the deadline
 *                      the timer comparator writes that MSI to
 *                      GITS_TRANSLATER instead of raising PPI 27. A resident
 *                      vPE takes it with no exit; a non-resident one (its
 *                      vCPU blocked in WFI) rings its doorbell and the host
 *                      wakes the vCPU; no host hrtimer (PPI 26) is needed
 *                      for a descheduled vCPU. It bounds what seed 004's
 *                      timer latency could gain from direct timer delivery.
 *
 * MSIs that are not injected directly are completed and injected by the core
 * (models/gicv4.c), the same for every non-direct policy.
 */
#include "sys_internal.h"

#include <string.h>

#define BUILTIN_POLICIES 8
#define MAX_POLICIES (BUILTIN_POLICIES + 32)

static void trap_inject_common(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu, bool mask)
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
    trap_inject_common(h, intid, vm, vcpu, true);
}

static void trap_inject_nomask_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    trap_inject_common(h, intid, vm, vcpu, false);
}

/* The guest ended the level interrupt: read the device's line again; if it
 * is low the interrupt is over and the source is unmasked, if it is still
 * high the virtual interrupt stays pending and is delivered again. */
static void trap_inject_eoi(gicsim_hyp *h, uint32_t vintid, uint32_t vm, uint32_t vcpu)
{
    bool line = gicsim_hyp_resample(h, vintid);
    gicsim_hyp_set_virq_line(h, vm, vcpu, vintid, line);
    if (!line)
        gicsim_hyp_set_enabled(h, vintid, true);
}

static void trap_inject_nomask_eoi(gicsim_hyp *h, uint32_t vintid, uint32_t vm, uint32_t vcpu)
{
    gicsim_hyp_set_virq_line(h, vm, vcpu, vintid, gicsim_hyp_resample(h, vintid));
}

static void eoi_split_irq(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid); /* EOImode=1: priority drop only */
    gicsim_virq q = {.vintid = intid,
                     .level = gicsim_hyp_irq_is_level(h, intid),
                     .line = true,
                     .hw = true,
                     .pintid = intid};
    gicsim_hyp_inject(h, vm, vcpu, &q);
}

static const gicsim_hyp_policy trap_inject = {
    .name = "trap-inject",
    .description =
        "host EOImode=0, HW=0 list registers, level sources masked until the guest's EOI",
    .host_eoimode = false,
    .phys_irq = trap_inject_irq,
    .eoi_maintenance = trap_inject_eoi,
};

static const gicsim_hyp_policy trap_inject_nomask = {
    .name = "trap-inject-nomask",
    .description =
        "trap-inject without masking level sources: re-trigger storm while the line is high",
    .host_eoimode = false,
    .phys_irq = trap_inject_nomask_irq,
    .eoi_maintenance = trap_inject_nomask_eoi,
};

static const gicsim_hyp_policy eoi_split = {
    .name = "eoi-split",
    .description = "host EOImode=1, HW=1 list registers: the guest's deactivation reaches the GIC",
    .host_eoimode = true,
    .phys_irq = eoi_split_irq,
    .eoi_maintenance = NULL,
};

/* GICv4 direct injection: MSIs as vLPIs; wired interrupts as eoi-split. */
static const gicsim_hyp_policy gicv4_direct = {
    .name = "gicv4-direct",
    .description = "GICv4.0: device MSIs injected directly as vLPIs (doorbell when not "
                   "resident); SPIs, PPIs and SGIs as eoi-split",
    .host_eoimode = true,
    .direct_msi = true,
    .phys_irq = eoi_split_irq,
};

static const gicsim_hyp_policy gicv41_vsgi = {
    .name = "gicv41-vsgi",
    .description = "GICv4.1: gicv4-direct plus vSGIs: the sender still traps, the receiving "
                   "vPE takes the SGI directly",
    .host_eoimode = true,
    .direct_msi = true,
    .direct_sgi = true,
    .phys_irq = eoi_split_irq,
};

static const gicsim_hyp_policy did = {
    .name = "did",
    .description = "direct interrupt delivery (seed 004): pinned vCPUs, WFI not trapped, device "
                   "MSIs as vLPIs; timer and IPIs still trap",
    .host_eoimode = true,
    .direct_msi = true,
    .wfi_native = true,
    .phys_irq = eoi_split_irq,
};

static const gicsim_hyp_policy vlpi_emulated = {
    .name = "vlpi-emulated",
    .description = "GICv3 host emulating the ITS: MSIs are physical LPIs that the host "
                   "translates in software for every interrupt and injects through list "
                   "registers; wired interrupts as eoi-split",
    .host_eoimode = true,
    .emulated_its = true,
    .phys_irq = eoi_split_irq,
};

static const gicsim_hyp_policy direct_vtimer = {
    .name = "direct-vtimer",
    .description = "what-if hardware (no GIC version has it): gicv4-direct plus the virtual timer "
                   "delivered as a vLPI (the timer writes an MSI; doorbell when not resident)",
    .host_eoimode = true,
    .direct_msi = true,
    .direct_timer = true,
    .phys_irq = eoi_split_irq,
};

static const gicsim_hyp_policy *table[MAX_POLICIES] = {
    &trap_inject, &trap_inject_nomask, &eoi_split,    &gicv4_direct, &gicv41_vsgi,
    &did,         &vlpi_emulated,      &direct_vtimer};
static size_t table_len = BUILTIN_POLICIES;

gicsim_status gicsim_hyp_policy_register(const gicsim_hyp_policy *policy)
{
    if (!policy || !policy->name || !policy->name[0] || !policy->phys_irq ||
        (policy->direct_timer && !policy->direct_msi))
        return GICSIM_E_INVAL;
    if (gicsim_hyp_policy_find(policy->name))
        return GICSIM_E_EXISTS;
    if (table_len == MAX_POLICIES)
        return GICSIM_E_FULL;
    table[table_len++] = policy;
    return GICSIM_OK;
}

const gicsim_hyp_policy *gicsim_hyp_policy_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < table_len; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

size_t gicsim_hyp_policy_count(void)
{
    return table_len;
}

const gicsim_hyp_policy *gicsim_hyp_policy_at(size_t i)
{
    return i < table_len ? table[i] : NULL;
}
