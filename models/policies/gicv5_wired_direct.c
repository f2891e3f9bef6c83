/* gicsim: the gicv5-wired-direct policy.
 *
 * gicv5-direct with the VM's wired interrupts its own in hardware, which GICv5 allows and KVM
 * does not do yet: an SPI of the IRS is handed to the VM with IRS_SPI_VMR, so its line drives
 * the VM's SPI of the same ID in the VM's SPI IST; an IWB wire's ITS event is translated to a
 * vLPI of the VM (ITTE VIRTUAL). The IRS then delivers the device's interrupt like an MSI's:
 * to the resident vPE with no exit, or with a doorbell. A level line keeps its virtual
 * interrupt pending while it is high (the IRS's SET_LEVEL and CLEAR), so nothing is masked
 * or sampled again. It bounds what KVM gains by using IRS_SPI_VMR.
 */
#include "sys_internal.h"

#include "policies.h"

const gicsim_hyp_policy policy_gicv5_wired_direct = {
    .name = "gicv5-wired-direct",
    .description = "GICv5 what-if (KVM does not do it yet): gicv5-direct with wired interrupts "
                   "handed to the VM in hardware (IRS_SPI_VMR, or an IWB wire's event as a vLPI)",
    .host_eoimode = true,
    .direct_msi = true,
    .phys_irq = policy_gicv5_irq,
    .eoi_maintenance = policy_trap_inject_eoi,
    .gic = GICSIM_GICV5,
    .direct_wired = true,
};
