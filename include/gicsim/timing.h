/* gicsim: clock domains and the table of named timing costs.
 *
 * Every cost is an integer number of cycles of one clock domain; the engine
 * converts cycles to picoseconds with the domain's frequency. A platform preset
 * is nothing more than a gicsim_timing value: clock frequencies plus one cycle
 * count per named cost. Components look costs up by id; configuration files
 * look them up by name.
 */
#ifndef GICSIM_TIMING_H
#define GICSIM_TIMING_H

#include <gicsim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gicsim_clock_domain {
    GICSIM_CLK_CPU = 0, /* the PEs' core clock */
    GICSIM_CLK_GIC = 1, /* the interrupt controller's interconnect clock */
    GICSIM_CLK__COUNT
} gicsim_clock_domain;

/* The cost table, each cost declared once:
 *   M(X, ID, DOMAIN, DEFAULT_CYCLES, PRIOR_LO, PRIOR_HI, NAME, DESCRIPTION)
 * Defaults describe a generic 3 GHz Armv8 server core with a 1 GHz GIC; the
 * calibrated platform presets override them. [PRIOR_LO, PRIOR_HI] is the
 * cost's plausible range in cycles of its domain, from the architecture and
 * what the step does (docs/calibration.md); calibration penalises leaving
 * it. Use it through GICSIM_COST_LIST (five arguments) or
 * GICSIM_COST_LIST_PRIORS (seven). */
#define GICSIM_COST_TABLE_(M, X)                                                                   \
    M(X, DIST_TO_REDIST, GIC, 20, 5, 100, "dist_to_redist",                                        \
      "the distributor forwards an SPI state change to the target redistributor")                  \
    M(X, REDIST_TO_CPUIF, GIC, 10, 3, 60, "redist_to_cpuif",                                       \
      "a redistributor presents its highest-priority pending interrupt to the CPU interface")      \
    M(X, SGI_ROUTE, GIC, 290, 30, 800, "sgi_route",                                                \
      "a physical SGI travels from the sender's CPU interface to each target redistributor")       \
    M(X, SOCKET_HOP, GIC, 100, 20, 600, "socket_hop",                                              \
      "extra time of a GIC message or an ITS table read that crosses to another socket")           \
    M(X, ITS_COMMAND, GIC, 50, 10, 300, "its_command",                                             \
      "the ITS executes one command from its queue (besides the table accesses it makes)")         \
    M(X, ITS_TRANSLATE, GIC, 20, 5, 100, "its_translate",                                          \
      "the ITS's fixed work for one GITS_TRANSLATER write (besides table accesses)")               \
    M(X, ITS_TABLE_READ, GIC, 100, 30, 400, "its_table_read",                                      \
      "one ITS table access in memory (device, ITT, collection or vPE table entry)")               \
    M(X, ITS_CACHE_HIT, GIC, 5, 1, 30, "its_cache_hit",                                            \
      "a translation found in the ITS translation cache")                                          \
    M(X, ITS_TO_REDIST, GIC, 20, 5, 200, "its_to_redist",                                          \
      "an LPI or vLPI travels from the ITS to its target redistributor")                           \
    M(X, LPI_CONFIG_READ, GIC, 100, 30, 400, "lpi_config_read",                                    \
      "a redistributor reads an LPI configuration byte from memory (INV, INVALL per LPI)")         \
    M(X, VPT_SCAN, GIC, 500, 100, 2000, "vpt_scan",                                                \
      "making a vPE resident: the redistributor parses its virtual pending table "                 \
      "(GICR_VPENDBASER.Dirty until done)")                                                        \
    M(X, DOORBELL, GIC, 20, 5, 200, "doorbell",                                                    \
      "a vLPI reaches a non-resident vPE: the redistributor raises its doorbell LPI")              \
    M(X, EXC_TO_EL2, CPU, 50, 30, 200, "exc_to_el2",                                               \
      "a guest exception taken to EL2, a trap or an interrupt: pipeline drain, vector (KVM's "     \
      "__kvm_hyp_vector)")                                                                         \
    M(X, ERET_TO_GUEST, CPU, 30, 20, 150, "eret_to_guest",                                         \
      "the ERET from EL2 into the guest (__guest_enter)")                                          \
    M(X, EXC_LOCAL, CPU, 50, 30, 200, "exc_local",                                                 \
      "an interrupt taken at the current exception level: the guest's IRQ vector at EL1, the "     \
      "host kernel's while it runs")                                                               \
    M(X, ERET_LOCAL, CPU, 30, 20, 150, "eret_local", "the ERET that ends such an exception")       \
    M(X, EXC_HOST_TO_EL2, CPU, 50, 30, 200, "exc_host_to_el2",                                     \
      "without VHE: the host at EL1 calls EL2 to run the vCPU (HVC, "                              \
      "kvm_call_hyp_ret(__kvm_vcpu_run))")                                                         \
    M(X, ERET_TO_HOST, CPU, 30, 20, 150, "eret_to_host",                                           \
      "without VHE: EL2 returns to the host kernel at EL1 after an exit")                          \
    M(X, SPECTRE_BHB, CPU, 40, 0, 200, "spectre_bhb",                                              \
      "the Spectre-BHB mitigation on an exception entry from a lower level into a higher one "     \
      "(guest to EL2, user space to the kernel); 0 when unmitigated")                              \
    M(X, SYSCALL, CPU, 400, 150, 1200, "syscall",                                                  \
      "one system call's entry and return, its handler aside (el0_svc, invoke_syscall, "           \
      "ret_to_user)")                                                                              \
    M(X, GUEST_STATE_SAVE, CPU, 245, 100, 900, "guest_state_save",                                 \
      "after an exit: the guest's registers saved and the host's restored (__guest_exit, "         \
      "fixup_guest_exit, sysreg_save_guest_state_vhe, __deactivate_traps)")                        \
    M(X, GUEST_STATE_RESTORE, CPU, 210, 100, 900, "guest_state_restore",                           \
      "before an entry: the host's registers saved and the guest's restored "                      \
      "(sysreg_save_host_state_vhe, __activate_traps, sysreg_restore_guest_state_vhe)")            \
    M(X, WORLD_SWITCH, CPU, 800, 200, 3000, "world_switch",                                        \
      "without VHE: the EL1 context switched between host and guest at EL2, each direction "       \
      "(__sysreg_save_state_nvhe, __sysreg_restore_state_nvhe, stage 2, traps)")                   \
    M(X, RUN_LOOP, CPU, 280, 80, 1500, "run_loop",                                                 \
      "one pass of KVM's run loop between an exit and the next entry (kvm_arch_vcpu_ioctl_run: "   \
      "requests, preemption and IRQ windows, exit checks)")                                        \
    M(X, HANDLE_EXIT, CPU, 70, 30, 400, "handle_exit",                                             \
      "dispatching a trap exit (handle_exit, handle_trap_exceptions, arm_exit_handlers[EC])")      \
    M(X, AP_LIST_ENTRY, CPU, 20, 5, 100, "ap_list_entry",                                          \
      "one entry of a vCPU's software pending list walked at a flush or a sync "                   \
      "(compute_ap_list_depth, vgic_prune_ap_list)")                                               \
    M(X, AP_LIST_SORT, CPU, 30, 10, 150, "ap_list_sort",                                           \
      "one comparison when the pending list is sorted because it exceeds the list registers "      \
      "(vgic_sort_ap_list)")                                                                       \
    M(X, LR_WRITE, CPU, 50, 20, 200, "lr_write",                                                   \
      "building one list register from a pending interrupt (vgic_v3_populate_lr)")                 \
    M(X, LR_FOLD, CPU, 60, 20, 200, "lr_fold",                                                     \
      "folding one used list register back into the software state (vgic_v3_fold_lr_state)")       \
    M(X, ICH_ACCESS, CPU, 20, 5, 80, "ich_access",                                                 \
      "a hypervisor access to one ICH_*_EL2 register (a list register, HCR, VMCR, ELRSR, APR)")    \
    M(X, IRQ_QUEUE, CPU, 150, 50, 600, "irq_queue",                                                \
      "queueing a virtual interrupt on a vCPU's pending list (vgic_queue_irq_unlock)")             \
    M(X, VCPU_KICK, CPU, 200, 50, 800, "vcpu_kick",                                                \
      "asking another PE to exit its guest: the host's IPI send path (kvm_vcpu_kick, "             \
      "smp_send_reschedule)")                                                                      \
    M(X, IPI_HANDLER, CPU, 100, 30, 500, "ipi_handler",                                            \
      "the host's reschedule IPI handler (do_handle_IPI, scheduler_ipi)")                          \
    M(X, HVC_HANDLE, CPU, 85, 30, 500, "hvc_handle",                                               \
      "dispatching a hypercall (handle_hvc, kvm_smccc_call_handler)")                              \
    M(X, SYSREG_TRAP, CPU, 150, 50, 600, "sysreg_trap",                                            \
      "a trapped system register access: decode and table lookup (kvm_handle_sys_reg, "            \
      "emulate_sys_reg)")                                                                          \
    M(X, SGI_DISPATCH, CPU, 250, 80, 1000, "sgi_dispatch",                                         \
      "emulating an ICC_SGI1R_EL1 write for one target (access_gic_sgi, vgic_v3_dispatch_sgi, "    \
      "vgic_v3_queue_sgi)")                                                                        \
    M(X, SGI_VCPU_WALK, CPU, 60, 10, 200, "sgi_vcpu_walk",                                         \
      "one vCPU compared by the linear search for an SGI's target (kvm_for_each_vcpu with "        \
      "match_mpidr, KVM before 6.7)")                                                              \
    M(X, GUEST_ABORT, CPU, 400, 100, 1200, "guest_abort",                                          \
      "a stage-2 data abort on an MMIO address: fault decode, memslot lookup, syndrome "           \
      "(kvm_handle_guest_abort, io_mem_abort)")                                                    \
    M(X, IO_BUS_STEP, CPU, 20, 5, 100, "io_bus_step",                                              \
      "one step of the binary search of KVM's MMIO bus (kvm_io_bus_read: one per halving of the "  \
      "devices)")                                                                                  \
    M(X, VGIC_MMIO, CPU, 200, 50, 1200, "vgic_mmio",                                               \
      "emulating a vGIC register access in the host kernel (vgic_find_mmio_region and the "        \
      "register handler)")                                                                         \
    M(X, MMIO_COMPLETE, CPU, 80, 30, 400, "mmio_complete",                                         \
      "completing an emulated MMIO read or write (kvm_handle_mmio_return: the data into the "      \
      "register, skip the instruction)")                                                           \
    M(X, KVM_IOCTL, CPU, 300, 50, 800, "kvm_ioctl",                                                \
      "a KVM ioctl's own dispatch and return besides the system call (kvm_vcpu_ioctl or "          \
      "kvm_vm_ioctl; for KVM_RUN kvm_sigset_activate and the exit to user space)")                 \
    M(X, VMM_MMIO, CPU, 2500, 800, 12000, "vmm_mmio",                                              \
      "the VMM in user space handles an MMIO exit (QEMU's kvm_cpu_exec: dispatch to the device, "  \
      "the device read)")                                                                          \
    M(X, ITS_CMD_EMULATE, CPU, 500, 100, 1500, "its_cmd_emulate",                                  \
      "the host's emulated ITS runs one command (vgic_its_process_commands: read it from guest "   \
      "memory, vgic_its_handle_command)")                                                          \
    M(X, ITS_WALK_STEP, CPU, 20, 5, 100, "its_walk_step",                                          \
      "one list entry walked by the emulated ITS's lookup of a device or an event (find_ite)")     \
    M(X, ITS_CACHE_OP, CPU, 150, 30, 400, "its_cache_op",                                          \
      "a lookup or store in the emulated ITS's translation cache (vgic_its_check_cache, "          \
      "vgic_its_cache_translation)")                                                               \
    M(X, GIC_MMIO, CPU, 150, 50, 800, "gic_mmio",                                                  \
      "the host's access to a GIC or device MMIO register (mask, unmask, resample, GITS_SGIR, "    \
      "GICR_VPENDBASER)")                                                                          \
    M(X, HOST_IRQ_ENTRY, CPU, 800, 150, 1800, "host_irq_entry",                                    \
      "the host kernel's interrupt entry and exit around the handler (gic_handle_irq, irq_enter, " \
      "irq_exit)")                                                                                 \
    M(X, ICC_IAR_READ, CPU, 45, 10, 150, "icc_iar_read",                                           \
      "a read of ICC_IAR0/1_EL1 (acknowledge) by the PE")                                          \
    M(X, ICC_EOIR_WRITE, CPU, 40, 5, 100, "icc_eoir_write",                                        \
      "a write of ICC_EOIR0/1_EL1 or ICC_DIR_EL1")                                                 \
    M(X, ICC_SYSREG, CPU, 15, 5, 60, "icc_sysreg",                                                 \
      "any other ICC_* system register access, and the guest instruction that traps")              \
    M(X, ICV_IAR_READ, CPU, 45, 10, 150, "icv_iar_read", "a guest read of ICV_IAR1_EL1 (no trap)") \
    M(X, ICV_EOIR_WRITE, CPU, 20, 3, 100, "icv_eoir_write",                                        \
      "a guest write of ICV_EOIR1_EL1 or ICV_DIR_EL1 (no trap)")                                   \
    M(X, TIMER_IRQ, CPU, 300, 100, 1200, "timer_irq",                                              \
      "the host's handler of a vCPU's timer interrupt up to the injection "                        \
      "(kvm_arch_timer_handler, kvm_timer_update_irq)")                                            \
    M(X, HRTIMER_FIRE, CPU, 1000, 200, 4000, "hrtimer_fire",                                       \
      "the host's software timer that stands in for a descheduled vCPU's timer "                   \
      "(hrtimer_interrupt, kvm_bg_timer_expire)")                                                  \
    M(X, TIMER_PROGRAM, CPU, 20, 5, 100, "timer_program",                                          \
      "a guest write of CNTV_CVAL_EL0/CNTV_CTL_EL0 (no trap)")                                     \
    M(X, SCHED_WAKEUP, CPU, 1500, 300, 6000, "sched_wakeup",                                       \
      "waking a blocked vCPU thread (kvm_vcpu_wake_up, try_to_wake_up)")                           \
    M(X, HALT_POLL_CHECK, CPU, 150, 30, 600, "halt_poll_check",                                    \
      "a halt-polling host noticing that its vCPU has an interrupt (one poll iteration)")          \
    M(X, SCHED_SWITCH, CPU, 3000, 500, 10000, "sched_switch",                                      \
      "the scheduler switching the PE to another thread")                                          \
    M(X, VCPU_LOAD, CPU, 800, 200, 3000, "vcpu_load",                                              \
      "loading a vCPU onto a PE: registers, timer, vGIC state (kvm_arch_vcpu_load; GICv4 "         \
      "residency is vpe_resident)")                                                                \
    M(X, VCPU_PUT, CPU, 800, 200, 3000, "vcpu_put",                                                \
      "saving a vCPU off a PE (kvm_arch_vcpu_put; GICv4 residency is vpe_nonresident)")            \
    M(X, IDLE_EXIT, CPU, 0, 0, 30000, "idle_exit",                                                 \
      "a PE idle in the host's idle loop resumes on an interrupt (cpuidle exit latency)")          \
    M(X, VPE_RESIDENT, CPU, 300, 80, 1500, "vpe_resident",                                         \
      "making a vCPU's vPE resident at load (vgic_v4_load: irq_set_affinity, "                     \
      "its_make_vpe_resident), besides the register writes")                                       \
    M(X, VPE_NONRESIDENT, CPU, 300, 80, 1500, "vpe_nonresident",                                   \
      "making it non-resident at put (vgic_v4_put: its_make_vpe_non_resident), besides the "       \
      "register writes")                                                                           \
    M(X, VPE_COMMIT, CPU, 100, 30, 500, "vpe_commit",                                              \
      "before the first entry after a load: waiting for the vPE's pending table to be parsed "     \
      "(vgic_v4_commit, its_commit_vpe), besides the reads of GICR_VPENDBASER")                    \
    M(X, DOORBELL_ENABLE, CPU, 400, 80, 2000, "doorbell_enable",                                   \
      "GICv4.0: enabling a vPE's doorbell when its vCPU blocks (enable_irq: its_vpe_unmask_irq, "  \
      "the invalidation), besides the register writes")                                            \
    M(X, COUNTER_READ, CPU, 25, 10, 100, "counter_read",                                           \
      "an ISB and a read of the generic counter (CNTPCT)")                                         \
    M(X, CACHELINE_TRANSFER, CPU, 180, 60, 600, "cacheline_transfer",                              \
      "a store on one PE becomes visible to a load spinning on another PE of the same socket")     \
    M(X, CACHELINE_REMOTE, CPU, 400, 150, 1500, "cacheline_remote",                                \
      "the same between PEs of different sockets")                                                 \
    /* GICv5 (docs/gicv5.md): predictions, no GICv5 hardware has been measured. Each default       \
     * comes from the GICv4.1 step that does the same work; each range is that step's range        \
     * widened where GICv5 changes the work. */                                                    \
    /* The IRS is distributor and redistributor in one: its HPPI reaches the CPU interface in      \
     * one hop, dist_to_redist + redist_to_cpuif (20 + 10), over their ranges (5+3 .. 100+60). */  \
    M(X, GICV5_IRS_TO_CPUIF, GIC, 30, 8, 160, "gicv5_irs_to_cpuif",                                \
      "GICv5: the IRS forwards a PE's or a resident vPE's highest-priority pending interrupt to "  \
      "its CPU interface")                                                                         \
    /* A GIC CD* instruction (CDPEND for an IPI, CDEN, CDPRI, CDAFF, CDHM, CDDI) travels from the  \
     * CPU interface to the IRS: an SGI's sgi_route (290) less the hop to the CPU interface that   \
     * the IPI's LPI takes separately (~20); range of sgi_route shifted down. */                   \
    M(X, GICV5_CPUIF_TO_IRS, GIC, 270, 25, 700, "gicv5_cpuif_to_irs",                              \
      "GICv5: a GIC CD* system instruction's command reaches the IRS from the CPU interface")      \
    /* An IRS configuration operation until its IDLE bit reads 1 (IST or VM table valid, MAP_L2,   \
     * SPI/PE/vPE select, VMAP_*, SYNCR): its_command (50) plus one table access (~100), in the    \
     * range of its_command plus 0..3 accesses. */                                                 \
    M(X, GICV5_IRS_OP, GIC, 150, 20, 1500, "gicv5_irs_op",                                         \
      "GICv5: an IRS configuration operation (IST, VM table, VMAP_*, SPI/PE/vPE select, SYNCR) "   \
      "until its unit is idle")                                                                    \
    /* The IRS reads an interrupt state table entry (or a VM/vPE table entry) from memory: the     \
     * same access as a GICv3 redistributor's lpi_config_read. */                                  \
    M(X, GICV5_IST_READ, GIC, 100, 30, 400, "gicv5_ist_read",                                      \
      "GICv5: the IRS reads an IST entry (or a VM or vPE table entry) that it does not cache")     \
    /* An IST entry found in the IRS's cache (pending or active interrupts): its_cache_hit. */     \
    M(X, GICV5_IST_HIT, GIC, 5, 1, 30, "gicv5_ist_hit",                                            \
      "GICv5: an interrupt's state found in the IRS's cache")                                      \
    /* The GICv5 ITS's fixed work per event: its_translate (20); its table reads are               \
     * its_table_read and its cache lookup its_cache_hit, the same operations as GICv3's. */       \
    M(X, GICV5_ITS_TRANSLATE, GIC, 20, 5, 100, "gicv5_its_translate",                              \
      "GICv5: the ITS's fixed work for one event (MSI or IWB wire), besides table accesses")       \
    /* The translated LPI travels from the ITS to the IRS: its_to_redist (20). */                  \
    M(X, GICV5_ITS_TO_IRS, GIC, 20, 5, 200, "gicv5_its_to_irs",                                    \
      "GICv5: an LPI or vLPI travels from the ITS to the IRS")                                     \
    /* A wire change becomes an event message to the ITS: dist_to_redist (20). */                  \
    M(X, GICV5_IWB_EVENT, GIC, 20, 5, 200, "gicv5_iwb_event",                                      \
      "GICv5: the IWB turns a wire change into an event for the ITS")                              \
    /* SetResident: the IRS reads the VMTE and the VPETE (2 x gicv5_ist_read) and selects the      \
     * vPE's HPPI from its cached state. GICv4.1's vpt_scan (500) parses a pending table; GICv5    \
     * keeps state in ISTs the IRS already indexes, hence 250 with a range reaching vpt_scan's. */ \
    M(X, GICV5_VPE_RESIDENT, GIC, 250, 60, 2000, "gicv5_vpe_resident",                             \
      "GICv5: ICH_CONTEXTR_EL2 makes a vPE resident: the IRS reads its VM and vPE table entries "  \
      "and forwards its HPPI")                                                                     \
    /* A pending interrupt of a non-resident vPE passes DBPM: the IRS raises the vPE's doorbell    \
     * LPI: GICv4.1's doorbell (20). */                                                            \
    M(X, GICV5_DOORBELL, GIC, 20, 5, 200, "gicv5_doorbell",                                        \
      "GICv5: an interrupt of a non-resident vPE passes its doorbell priority mask: the IRS "      \
      "raises the doorbell LPI")                                                                   \
    /* CPU side, for the models: GICR CDIA + GSB ACK + ISB: icc_iar_read (45) plus a barrier. */   \
    M(X, GICV5_CDIA, CPU, 60, 15, 250, "gicv5_cdia",                                               \
      "GICv5: GICR CDIA, GSB ACK and ISB: acknowledge (physical or, in a guest, virtual)")         \
    /* GIC CDEOI: the priority drop alone, local to the CPU interface: icv_eoir_write (20). */     \
    M(X, GICV5_CDEOI, CPU, 20, 3, 100, "gicv5_cdeoi", "GICv5: GIC CDEOI, the priority drop")       \
    /* Any other GIC CD* instruction (CDDI, CDPEND, CDEN, CDPRI, CDAFF) issued by the PE, besides  \
     * its trip to the IRS: icc_sysreg (15) plus a GSB SYS where Linux issues one. */              \
    M(X, GICV5_GIC_INSN, CPU, 40, 5, 200, "gicv5_gic_insn",                                        \
      "GICv5: a GIC CD* system instruction (CDDI, CDPEND, CDEN, CDPRI, CDAFF) on the PE")          \
    /* KVM's __vgic_v5_save_ppi_state or __vgic_v5_restore_ppi_state: 2 x (ACTIVER, ENABLER,       \
     * PENDR, DVIR) + 16 PRIORITYR = 24 ich_access (20) each. */                                   \
    M(X, GICV5_PPI_STATE, CPU, 480, 120, 2000, "gicv5_ppi_state",                                  \
      "GICv5: saving or restoring a vCPU's PPI state (ICH_PPI_* registers, "                       \
      "__vgic_v5_save_ppi_state / __vgic_v5_restore_ppi_state)")                                   \
    /* KVM's vgic_v5_load or vgic_v5_put, besides vcpu_load / vcpu_put: ICH_VCTLR (read and        \
     * written), ICH_VMCR and ICH_APR restored, or ICH_APR saved, and ICH_CONTEXTR_EL2 written     \
     * (the vPE made resident, or not with its doorbell request), each group followed by an ISB:   \
     * about 5 ich_access (20) and 2 ISBs (~25) = 150; range 2 accesses at the bottom of           \
     * ich_access's range to 5 at its top with slow barriers. */                                   \
    M(X, GICV5_RESIDENCY, CPU, 150, 40, 600, "gicv5_residency",                                    \
      "GICv5: KVM's vgic_v5_load or vgic_v5_put (ICH_VMCR, ICH_APR and ICH_CONTEXTR_EL2: the "     \
      "vPE made resident, or not with its doorbell request), besides vcpu_load / vcpu_put")        \
    /* KVM's vgic_v5_flush_ppi_state before an entry, or vgic_v5_fold_ppi_state after an exit:     \
     * for each PPI exposed to the guest (the four timers, the PMU and SW_PPI) its vgic_irq is     \
     * locked and its shadow pending or active bit updated, as a list entry is walked:             \
     * 6 ap_list_entry (20) = 120, over ap_list_entry's range (5..100 each). */                    \
    M(X, GICV5_PPI_SYNC, CPU, 120, 30, 600, "gicv5_ppi_sync",                                      \
      "GICv5: KVM's software side of the PPI state at an entry or an exit "                        \
      "(vgic_v5_flush_ppi_state / vgic_v5_fold_ppi_state over the PPIs exposed to the guest)")

#define GICSIM_COST_ARGS5_(X, id, dom, def, lo, hi, name, desc) X(id, dom, def, name, desc)
#define GICSIM_COST_ARGS7_(X, id, dom, def, lo, hi, name, desc) X(id, dom, def, lo, hi, name, desc)
/* X(ID, DOMAIN, DEFAULT_CYCLES, NAME, DESCRIPTION) for every cost. */
#define GICSIM_COST_LIST(X) GICSIM_COST_TABLE_(GICSIM_COST_ARGS5_, X)
/* X(ID, DOMAIN, DEFAULT_CYCLES, PRIOR_LO, PRIOR_HI, NAME, DESCRIPTION). */
#define GICSIM_COST_LIST_PRIORS(X) GICSIM_COST_TABLE_(GICSIM_COST_ARGS7_, X)

typedef enum gicsim_cost_id {
#define GICSIM_COST_ENUM_(id, dom, def, name, desc) GICSIM_COST_##id,
    GICSIM_COST_LIST(GICSIM_COST_ENUM_)
#undef GICSIM_COST_ENUM_
        GICSIM_COST__COUNT
} gicsim_cost_id;

/* A platform's timing: clock frequencies (Hz) and a cycle count per cost. */
typedef struct gicsim_timing {
    uint64_t clock_hz[GICSIM_CLK__COUNT];
    uint64_t cycles[GICSIM_COST__COUNT];
} gicsim_timing;

/* Fill `t` with the documented defaults (CPU 3 GHz, GIC 1 GHz, the cycle
 * counts of GICSIM_COST_LIST). */
GICSIM_API void gicsim_timing_init(gicsim_timing *t);

/* Picoseconds taken by cost `id` under `t` (rounded to the nearest ps). */
GICSIM_API gicsim_time_t gicsim_timing_ps(const gicsim_timing *t, gicsim_cost_id id);

/* Convert a cycle count of a `hz` clock to picoseconds, rounded to nearest.
 * Returns 0 when hz is 0. Exact for any cycles < 2^64 / 10^12 * hz. */
GICSIM_API gicsim_time_t gicsim_cycles_to_ps(uint64_t cycles, uint64_t hz);

/* Introspection of the cost table, for configuration loaders and reports. */
GICSIM_API const char *gicsim_cost_name(gicsim_cost_id id);
GICSIM_API const char *gicsim_cost_description(gicsim_cost_id id);
GICSIM_API gicsim_clock_domain gicsim_cost_domain(gicsim_cost_id id);
GICSIM_API uint64_t gicsim_cost_default_cycles(gicsim_cost_id id);
/* The cost's plausible range [*lo, *hi] in cycles of its domain (the prior
 * calibration uses; docs/calibration.md says where each comes from).
 * GICSIM_E_INVAL for an out-of-range id; either pointer may be NULL. */
GICSIM_API gicsim_status gicsim_cost_prior(gicsim_cost_id id, uint64_t *lo, uint64_t *hi);
/* GICSIM_E_NOTFOUND when no cost has that name. */
GICSIM_API gicsim_status gicsim_cost_lookup(const char *name, gicsim_cost_id *out);
GICSIM_API const char *gicsim_clock_name(gicsim_clock_domain d);
GICSIM_API gicsim_status gicsim_clock_lookup(const char *name, gicsim_clock_domain *out);

#ifdef __cplusplus
}
#endif

#endif
