/* gicsim test support for the GICv5 model (<gicsim/gicv5.h>, docs/gicv5.md): a GICv5 on its
 * own engine, register access that fails the test unless the library returns GICSIM_OK, and
 * the boot steps Linux and KVM take (IST, ITS tables, VM table, residency), each waiting for
 * the IDLE bits as the drivers do. The memory map below is the tests' and the fuzzers'. */
#ifndef GICSIM_TESTS_GICV5_BOOT_H
#define GICSIM_TESTS_GICV5_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <gicsim/gicsim.h>

/* INTIDs of each type. */
#define LPI(id) GICSIM_GICV5_INTID(GICSIM_GICV5_LPI, id)
#define SPI(id) GICSIM_GICV5_INTID(GICSIM_GICV5_SPI, id)
#define PPI(id) GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, id)

#define TF_V5_IST_BASE 0x100000ull    /* the physical LPI IST */
#define TF_V5_IST_L2_BASE 0x180000ull /* two-level: L2 tables, 4 KiB each */
#define TF_V5_DT_BASE 0x200000ull     /* the ITS Device table (linear) */
#define TF_V5_ITT_BASE 0x300000ull    /* + 0x1000 * DeviceID (256 EventIDs) */
#define TF_V5_VMT_BASE 0x400000ull    /* the VM table (linear) */
#define TF_V5_VPET_BASE 0x500000ull   /* + 0x1000 * VM */
#define TF_V5_VIST_BASE 0x600000ull   /* + 0x10000 * VM: its LPI IST; + 0x8000: its SPI IST */

/* A GICv5 (version GICSIM_GICV5, `pes` PEs, 64 SPIs, 32 IWB wires, the rest defaults) after
 * gicsim_gic_os_init, with `obs` (and `ctx`) observing when not NULL, and 1 us run. */
void tf_v5_open(gicsim_engine **e, gicsim_gic **g, uint32_t pes, gicsim_gic_observer_fn obs,
                void *ctx);

uint64_t tf_v5_rd(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg);
void tf_v5_wr(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val);
uint64_t tf_v5_grd(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg); /* the guest's view */
void tf_v5_gwr(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val);
uint64_t tf_v5_irs_rd(gicsim_gic *g, uint32_t off, unsigned size);
void tf_v5_irs_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val);
uint64_t tf_v5_its_rd(gicsim_gic *g, uint32_t off, unsigned size);
void tf_v5_its_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val);
void tf_v5_mem_wr64(gicsim_gic *g, uint64_t pa, uint64_t v);
uint64_t tf_v5_mem_rd64(gicsim_gic *g, uint64_t pa);
uint32_t tf_v5_mem_rd32(gicsim_gic *g, uint64_t pa);

/* gicsim_gic_check_invariants succeeds. */
void tf_v5_check(gicsim_gic *g);
/* The state of a physical interrupt (gicsim_gicv5_irq_state) and of VM `vm`'s (_virq_state). */
gicsim_irq_state tf_v5_state(gicsim_gic *g, uint32_t pe, uint32_t intid);
gicsim_irq_state tf_v5_vstate(gicsim_gic *g, uint32_t vm, uint32_t intid);
gicsim_gicv5_stats tf_v5_vstats(const gicsim_gic *g);
/* What Linux's handler does on PE `pe` (in its guest with tf_v5_guest_ack_eoi_di): GICR CDIA
 * must return `intid`, then GIC CDEOI and GIC CDDI. */
void tf_v5_ack_eoi_di(gicsim_gic *g, uint32_t pe, uint32_t intid);
void tf_v5_guest_ack_eoi_di(gicsim_gic *g, uint32_t pe, uint32_t intid);
/* Priority `p` for PPI `id` in the PRIORITYR registers from `base` (ICC_ or ICH_PPI_PRIORITYR0),
 * the other priorities kept. */
void tf_v5_ppi_prio(gicsim_gic *g, uint32_t pe, gicsim_gicv5_sysreg base, uint32_t id, unsigned p);

/* Run the engine for `ns` nanoseconds. */
void tf_v5_run(gicsim_engine *e, uint64_t ns);

/* The physical LPI IST at TF_V5_IST_BASE: `id_bits` LPI ID bits, linear or two-level (4 KiB
 * L2 tables at TF_V5_IST_L2_BASE; map them with tf_v5_map_l2), valid and idle. */
void tf_v5_ist(gicsim_engine *e, gicsim_gic *g, unsigned id_bits, bool two_level);
/* Map the L2 IST covering LPI `id` (the L1 entry's address, IRS_MAP_L2_ISTR, wait idle). */
void tf_v5_map_l2(gicsim_engine *e, gicsim_gic *g, uint32_t id);

/* What Linux's gicv5_hwirq_init and unmask do for `intid` (an SPI or LPI), from PE `pe`:
 * GIC CDPRI `prio`, CDAFF `target`, CDEN; then 1 us. */
void tf_v5_irq_setup(gicsim_engine *e, gicsim_gic *g, uint32_t pe, uint32_t intid, unsigned prio,
                     uint32_t target);
/* The same for VM `vm`'s `intid` from its guest on PE `pe` (the vPE must be resident). */
void tf_v5_virq_setup(gicsim_engine *e, gicsim_gic *g, uint32_t pe, uint32_t intid, unsigned prio,
                      uint32_t target_vpe);

/* The ITS: a linear Device table of 16 DeviceID bits at TF_V5_DT_BASE, enabled. */
void tf_v5_its_boot(gicsim_engine *e, gicsim_gic *g);
/* Map (device, event) to LPI `lpi` (of VM `vm` when `virt`): the device's linear ITT of 8
 * EventID bits at TF_V5_ITT_BASE + 0x1000 * device, its DTE and the ITTE, invalidated. */
void tf_v5_its_map(gicsim_engine *e, gicsim_gic *g, uint32_t device, uint32_t event, uint32_t lpi,
                   bool virt, uint32_t vm);

/* KVM's set-up of VM `vm` (a linear VM table of 8 VM ID bits is made valid first if it is not):
 * 2^vpe_bits vPEs, linear LPI and SPI ISTs of 10 ID bits at TF_V5_VIST_BASE, the VM and its
 * vPEs valid, vPE n's doorbell LPI `db_base + n` (with DBV). */
void tf_v5_vm_boot(gicsim_engine *e, gicsim_gic *g, uint32_t vm, unsigned vpe_bits,
                   uint32_t db_base);
/* ICH_VMCR (EN, VPMR 31) and ICH_CONTEXTR V=1 for (vm, vpe) on `pe`, then 1 us. */
void tf_v5_resident(gicsim_engine *e, gicsim_gic *g, uint32_t pe, uint32_t vm, uint32_t vpe);

#endif
