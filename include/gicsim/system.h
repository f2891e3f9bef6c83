/* gicsim: a virtualized system: PEs that execute guests and a KVM-like
 * hypervisor on top of the GIC model, VMs with vCPUs, interrupt sources, and
 * per-interrupt latency accounting.
 *
 * Every operation a PE performs costs time from the platform's timing table;
 * a PE does one thing at a time, so work that arrives while it is busy waits
 * and queueing shows up in the latencies. The hypervisor's decisions that
 * differ between delivery schemes are made by a policy (gicsim/hypervisor.h)
 * chosen per VM by name.
 */
#ifndef GICSIM_SYSTEM_H
#define GICSIM_SYSTEM_H

#include <gicsim/gic.h>
#include <gicsim/histogram.h>
#include <gicsim/timing.h>
#include <gicsim/variation.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gicsim_system gicsim_system;

typedef enum gicsim_exit_reason {
    GICSIM_EXIT_IRQ,         /* a physical IRQ arrived while the guest ran (HCR_EL2.IMO) */
    GICSIM_EXIT_MAINTENANCE, /* ... and it was the maintenance interrupt (PPI 25) */
    GICSIM_EXIT_WFI,         /* trapped WFI (HCR_EL2.TWI) */
    GICSIM_EXIT_SGI_TRAP,    /* guest write to ICC_SGI1R_EL1 */
    GICSIM_EXIT_MMIO,        /* stage-2 fault on an emulated device register */
    GICSIM_EXIT_HVC,         /* hypercall */
    GICSIM_EXIT__COUNT
} gicsim_exit_reason;

GICSIM_API const char *gicsim_exit_reason_name(gicsim_exit_reason r);

/* How KVM finds an SGI's target vCPU (vgic_v3_dispatch_sgi). */
typedef enum gicsim_sgi_lookup {
    GICSIM_SGI_LOOKUP_MPIDR_TABLE = 0, /* Linux 6.7 and later: an index by MPIDR, one lookup */
    GICSIM_SGI_LOOKUP_VCPU_WALK = 1    /* before: kvm_for_each_vcpu comparing each MPIDR, up to
                                          the target's index (sgi_vcpu_walk per vCPU) */
} gicsim_sgi_lookup;

/* When KVM waits for the redistributor to have parsed a vPE's pending table
 * (GICR_VPENDBASER.Dirty) after making the vPE resident. */
typedef enum gicsim_vpt_wait {
    GICSIM_VPT_WAIT_COMMIT = 0, /* Linux 5.11 and later (57e3cebd022f): at the first flush after
                                   the load (vgic_v4_commit), so the parse overlaps the rest of
                                   the load and the run loop */
    GICSIM_VPT_WAIT_LOAD = 1    /* before: inside vgic_v4_load, right after the GICR_VPENDBASER
                                   write (its_wait_vpt_parse_complete) */
} gicsim_vpt_wait;

/* The host software's behaviour where KVM versions differ (a platform
 * setting; docs/virtualization.md). */
typedef struct gicsim_kvm_config {
    gicsim_sgi_lookup sgi_lookup; /* default GICSIM_SGI_LOOKUP_MPIDR_TABLE */
    /* The wait between two reads of GICR_VPENDBASER while its Dirty bit is
     * set, when KVM waits for a vPE's pending table to be parsed before the
     * first entry after a load (its_wait_vpt_parse_complete's poll delay);
     * default 1 us. */
    gicsim_time_t vpt_poll_delay;
    gicsim_vpt_wait vpt_wait; /* default GICSIM_VPT_WAIT_COMMIT */
} gicsim_kvm_config;

GICSIM_API void gicsim_kvm_config_init(gicsim_kvm_config *cfg);

typedef struct gicsim_system_config {
    gicsim_gic_config gic;  /* PEs, SPIs, LRs, version, sockets...; its .timing is ignored */
    gicsim_timing timing;   /* the platform's costs */
    bool vhe;               /* host kernel at EL2 (true, default) or at EL1 with world switches */
    gicsim_kvm_config kvm;  /* KVM's version-dependent behaviour */
    uint32_t kick_sgi;      /* physical SGI the host uses to kick a PE out of a guest; default 0 */
    uint32_t host_tick_ppi; /* physical PPI of the host's scheduler tick; default 30 */
    /* The platform's sources of spread (<gicsim/variation.h>), every one off
     * by default; `variation.seed` seeds their draws. */
    gicsim_variation variation;
} gicsim_system_config;

GICSIM_API void gicsim_system_config_init(gicsim_system_config *cfg);
/* Any GIC version: on a GICv5 (gic.version GICSIM_GICV5) the host is the GICv5 one
 * (docs/gicv5.md, "The host") and the VMs need GICv5 policies. */
GICSIM_API gicsim_status gicsim_system_create(const gicsim_system_config *cfg, gicsim_system **out);
GICSIM_API void gicsim_system_destroy(gicsim_system *sys);
GICSIM_API gicsim_engine *gicsim_system_engine(const gicsim_system *sys);
GICSIM_API gicsim_gic *gicsim_system_gic(const gicsim_system *sys);
/* The platform timing the system runs with. */
GICSIM_API const gicsim_timing *gicsim_system_timing(const gicsim_system *sys);

/* ---- VMs ------------------------------------------------------------------------ */

typedef struct gicsim_vm_config {
    uint32_t num_vcpus;       /* 1..256, default 1 */
    const char *policy;       /* hypervisor policy name; default "eoi-split" */
    bool wfi_trap;            /* HCR_EL2.TWI: trap WFI (default true) */
    gicsim_time_t halt_poll;  /* with wfi_trap: poll this long before blocking; default 0 */
    uint8_t guest_eoimode;    /* guest's ICC_CTLR.EOImode: 0 (EOIR deactivates) or 1 (EOIR + DIR) */
    bool guest_busy;          /* the guest computes between interrupts instead of idling in WFI */
    bool guest_nested;        /* handlers run with interrupts unmasked after the acknowledge, so a
                                 higher-priority interrupt preempts them (nested active interrupts) */
    uint32_t pe_first;        /* vCPUs run on PEs pe_first .. pe_first + pe_count - 1 */
    uint32_t pe_count;        /* 0 means all PEs from pe_first */
    bool pinned;              /* true: vCPU i stays on PE pe_first + i % pe_count (default);
                                 false: a waking vCPU goes to the least loaded PE of the set */
    gicsim_time_t time_slice; /* round-robin slice when several vCPUs share a PE; default 4 ms */
} gicsim_vm_config;

GICSIM_API void gicsim_vm_config_init(gicsim_vm_config *cfg);
/* GICSIM_E_NOTFOUND for an unknown policy; GICSIM_E_INVAL for a policy whose
 * host EOImode differs from another VM's that shares a PE; GICSIM_E_UNSUPPORTED for
 * a policy the GIC cannot run (a GICv4 scheme without GICv4 or an ITS, a GICv5
 * policy on a GICv3/v4 or the reverse); GICSIM_E_FULL beyond 256 VMs on a GICv5.
 * On a GICv5 the VM's vCPUs become runnable once the IRS has made it valid (its
 * VM table entry and vPEs, a few microseconds of simulated time). */
GICSIM_API gicsim_status gicsim_vm_add(gicsim_system *sys, const gicsim_vm_config *cfg,
                                       uint32_t *vm_out);

/* ---- Interrupt sources ---------------------------------------------------------- */

typedef enum gicsim_source_kind {
    GICSIM_SRC_SPI_EDGE,  /* passed-through device, edge-triggered SPI */
    GICSIM_SRC_SPI_LEVEL, /* passed-through device, level-sensitive SPI */
    GICSIM_SRC_VTIMER,    /* the vCPU's virtual timer (PPI 27) */
    GICSIM_SRC_SGI,       /* a guest IPI: sender vCPU writes ICC_SGI1R_EL1 */
    GICSIM_SRC_MSI,       /* a passed-through device writes (device_id, event_id) to the ITS */
    /* The host kernel's own software timer (an hrtimer) on PE `route_pe`, no
     * VM involved: at each arrival (the deadline) the host's timer PPI 26
     * (CNTHP under VHE, the line that also carries the software timers of
     * descheduled vCPUs) is raised on that PE and the host handles it in its
     * interrupt path. vm, vcpu, intid, priority and handler are ignored; its
     * records have vm = vcpu = UINT32_MAX and intid 26, t_signal/t_ack/
     * t_eoi/t_deact are the physical CPU interface's signal, the host's
     * ICC_IAR1 read, its EOIR and its deactivation. */
    GICSIM_SRC_HOST_TIMER
} gicsim_source_kind;

typedef enum gicsim_arrival_kind {
    GICSIM_ARRIVE_PERIODIC, /* every `period` */
    GICSIM_ARRIVE_POISSON,  /* exponential gaps with mean `period` */
    GICSIM_ARRIVE_BURST,    /* `burst` arrivals `burst_spacing` apart, bursts `period` apart */
    GICSIM_ARRIVE_MANUAL    /* only gicsim_source_trigger */
} gicsim_arrival_kind;

typedef struct gicsim_source_config {
    gicsim_source_kind kind;
    uint32_t vm;
    uint32_t vcpu;             /* the vCPU that receives (and handles) it */
    uint32_t sender_vcpu;      /* SGI: the sending vCPU (runs a busy guest) */
    uint32_t intid;            /* SPI: physical = virtual INTID (32..); SGI: 0..15; vtimer: 27;
                                  MSI: the guest's LPI INTID (8192..) */
    uint32_t device_id;        /* MSI: the device's DeviceID (default: 16 + source index) */
    uint32_t event_id;         /* MSI: the EventID it writes (default 0) */
    uint32_t route_pe;         /* SPI: the PE the physical SPI is routed to; UINT32_MAX (default):
                                  the PE the target vCPU starts on. Host timer: its PE (required:
                                  UINT32_MAX is GICSIM_E_INVAL) */
    uint8_t priority;          /* the guest's priority for it; default 0xA0 */
    gicsim_time_t handler;     /* the guest handler's work; default 1 us */
    gicsim_time_t deassert_at; /* level SPI: when, into the handler, the device drops its line
                                  (default: at the end of the handler) */
    gicsim_time_t hold;        /* level SPI: the device drops its line by itself this long after
                                  raising it; 0 (default): only its handler drops it */
    bool reply;                /* SGI: the receiver's handler sends one back (ping-pong) */
    gicsim_arrival_kind arrival;
    gicsim_time_t period; /* default 100 us */
    uint32_t burst;
    gicsim_time_t burst_spacing;
    gicsim_time_t start; /* first arrival; default one period after time 0 */
    uint64_t limit;      /* arrivals at most; 0 = unlimited */
    uint64_t seed;       /* Poisson stream seed (mixed with the source index) */
    /* SPI on a GICv5: the device is wired to IWB wire intid - 32, whose events the ITS
     * translates, instead of the IRS's SPI intid - 32 (GICSIM_E_UNSUPPORTED without an ITS and
     * an IWB, GICSIM_E_INVAL beyond its wires). A GICv3 or GICv4 has no IWB: ignored. */
    bool iwb;
} gicsim_source_config;

GICSIM_API void gicsim_source_config_init(gicsim_source_config *cfg);
GICSIM_API gicsim_status gicsim_source_add(gicsim_system *sys, const gicsim_source_config *cfg,
                                           uint32_t *source_out);
/* One arrival of `source` now. */
GICSIM_API gicsim_status gicsim_source_trigger(gicsim_system *sys, uint32_t source);
/* No further arrivals from any source (interrupts already raised complete). */
GICSIM_API void gicsim_system_stop_sources(gicsim_system *sys);

/* ---- Observation ------------------------------------------------------------------ */

typedef enum gicsim_pe_mode {
    GICSIM_PE_IDLE,  /* nothing to run, or a guest waiting in WFI in hardware */
    GICSIM_PE_GUEST, /* executing a vCPU's guest */
    GICSIM_PE_HYP,   /* executing the hypervisor or host */
    GICSIM_PE_POLL   /* halt-polling for a vCPU */
} gicsim_pe_mode;

typedef enum gicsim_sys_event_kind {
    GICSIM_SEV_MODE,       /* PE `pe` switched to `mode`; vm/vcpu: its loaded vCPU */
    GICSIM_SEV_EXIT,       /* VM exit of (vm, vcpu) on `pe` for `reason` */
    GICSIM_SEV_ARRIVAL,    /* `source` fired (an arrival of its process or a trigger) */
    GICSIM_SEV_DEVICE_LINE /* the device of `source` drove SPI `intid` to `level` */
} gicsim_sys_event_kind;

typedef struct gicsim_sys_event {
    gicsim_time_t time;
    gicsim_sys_event_kind kind;
    uint32_t pe;       /* UINT32_MAX when not about a PE */
    uint32_t vm, vcpu; /* UINT32_MAX when none */
    gicsim_pe_mode mode;
    gicsim_exit_reason reason;
    uint32_t source; /* UINT32_MAX when none */
    uint32_t intid;
    bool level;
} gicsim_sys_event;

typedef void (*gicsim_sys_observer_fn)(void *ctx, const gicsim_sys_event *ev);
/* At most 8 observers; GICSIM_E_FULL beyond. Observers see events from the
 * moment they are added. */
GICSIM_API gicsim_status gicsim_system_add_observer(gicsim_system *sys, gicsim_sys_observer_fn fn,
                                                    void *ctx);
GICSIM_API uint32_t gicsim_system_num_sources(const gicsim_system *sys);
GICSIM_API uint32_t gicsim_system_num_vms(const gicsim_system *sys);
GICSIM_API uint32_t gicsim_system_num_vcpus(const gicsim_system *sys, uint32_t vm);
/* The name of the policy VM `vm` runs under (NULL for an unknown VM). */
GICSIM_API const char *gicsim_system_vm_policy(const gicsim_system *sys, uint32_t vm);
GICSIM_API const gicsim_source_config *gicsim_system_source_config(const gicsim_system *sys,
                                                                   uint32_t source);

/* ---- Running -------------------------------------------------------------------- */

/* Run for `duration` of simulated time. */
GICSIM_API void gicsim_system_run_for(gicsim_system *sys, gicsim_time_t duration);

/* GICSIM_OK, or why the system stopped for good: GICSIM_E_NOMEM when an
 * allocation failed during the run (a record, an event, a queue, a table of
 * the GIC). The run then ended where the failure happened and further
 * gicsim_system_run_for calls do nothing: its results are incomplete and
 * must not be reported as a run of the requested length. */
GICSIM_API gicsim_status gicsim_system_status(const gicsim_system *sys);

/* ---- Results -------------------------------------------------------------------- */

/* One record per interrupt instance a source raised. Times are
 * GICSIM_TIME_NEVER when the instance has not reached that point. A host
 * timer's record (GICSIM_SRC_HOST_TIMER) has vm = vcpu = UINT32_MAX and
 * times of the host's physical CPU interface instead of a guest's. */
typedef struct gicsim_irq_record {
    uint32_t source, vm, vcpu, intid;   /* intid: the virtual INTID (host timer: physical PPI 26) */
    gicsim_time_t t_assert;             /* device raised it / timer deadline / sender wrote SGI1R */
    gicsim_time_t t_signal;             /* the guest's virtual CPU interface presented it */
    gicsim_time_t t_ack;                /* the guest read ICV_IAR: its handler starts */
    gicsim_time_t t_eoi;                /* the guest's ICV_EOIR (priority drop) */
    gicsim_time_t t_deact;              /* the virtual interrupt was deactivated */
    uint32_t exits[GICSIM_EXIT__COUNT]; /* VM exits caused by this instance */
    gicsim_time_t hyp_time;             /* hypervisor time spent on those exits */
    uint32_t maintenance;               /* maintenance interrupts it caused */
    uint32_t lr_spills;                 /* times it waited outside the list registers */
    bool merged; /* absorbed by an instance already pending (never delivered itself) */
} gicsim_irq_record;

/* Records are streamed: a record lives while its instance is in flight and
 * is complete when nothing in the system can change it any more (its
 * instance merged, or delivered and deactivated, and every exit and
 * maintenance interrupt it is charged with handled). A complete record goes
 * to the record sinks and its memory is reused, so a run of any length needs
 * memory for the instances in flight only. `index` numbers the records in
 * order of assertion (0, 1, ...; the old array's index). */
typedef void (*gicsim_record_fn)(void *ctx, uint64_t index, const gicsim_irq_record *r);

/* Add a record sink: `fn` gets every complete record once, in record order
 * (a record waits for every earlier one, so an instance that stays in
 * flight holds back the records after it), during gicsim_system_run_for; it
 * must not call into the system. The records still in flight when the run
 * ends are not passed: take them with gicsim_system_foreach_open_record. At
 * most 8 sinks (GICSIM_E_FULL); add them before the first instance is
 * raised (GICSIM_E_STATE after). */
GICSIM_API gicsim_status gicsim_system_add_record_sink(gicsim_system *sys, gicsim_record_fn fn,
                                                       void *ctx);
/* The records not passed to the sinks yet (after a run: the instances still
 * in flight, and complete ones behind them), in record order. */
GICSIM_API void gicsim_system_foreach_open_record(const gicsim_system *sys, gicsim_record_fn fn,
                                                  void *ctx);

/* Keep every record for gicsim_system_record_count / gicsim_system_record:
 * memory then grows with the run (104 bytes per instance raised). Call it
 * before the first instance is raised (GICSIM_E_STATE after); without it,
 * record_count is 0 and gicsim_system_record NULL. */
GICSIM_API gicsim_status gicsim_system_keep_records(gicsim_system *sys);
/* With gicsim_system_keep_records: the records so far (complete or in
 * flight), by index. */
GICSIM_API size_t gicsim_system_record_count(const gicsim_system *sys);
GICSIM_API const gicsim_irq_record *gicsim_system_record(const gicsim_system *sys, size_t i);

typedef struct gicsim_system_stats {
    gicsim_time_t sim_time;
    uint64_t exits[GICSIM_EXIT__COUNT];
    uint64_t exits_total;
    gicsim_time_t guest_time, hyp_time, idle_time, halt_poll_time; /* summed over PEs */
    uint64_t maintenance_irqs;
    uint64_t lr_spills;
    uint64_t doorbells; /* GICv4 doorbells the host took */
    uint64_t kicks, wakeups, vcpu_switches;
    uint64_t asserted;  /* instances raised by sources */
    uint64_t delivered; /* instances acknowledged by their guest (a host timer's: by the host) */
    uint64_t merged;    /* instances absorbed by one already pending */
    uint64_t pending;   /* instances raised and not yet acknowledged or merged */
    uint64_t host_delivered; /* of `delivered`, the host timers' (GICSIM_SRC_HOST_TIMER): what
                                guests received is delivered - host_delivered */
} gicsim_system_stats;

GICSIM_API void gicsim_system_get_stats(const gicsim_system *sys, gicsim_system_stats *out);

/* Delivery latency (t_ack - t_assert, ps) of one source's instances, or of
 * all sources when `source` is UINT32_MAX. NULL for an unknown source. The
 * histograms keep every latency within a relative error below 2^-bits
 * (<gicsim/histogram.h>; default GICSIM_HISTOGRAM_BITS_DEFAULT, 7: 0.8%),
 * whatever the length of the run. */
GICSIM_API const gicsim_histogram *gicsim_system_latency(const gicsim_system *sys, uint32_t source);
/* The precision of the latency histograms, in bits (GICSIM_HISTOGRAM_BITS_MIN
 * .. _MAX, else GICSIM_E_INVAL): before any interrupt is delivered
 * (GICSIM_E_STATE after). */
GICSIM_API gicsim_status gicsim_system_set_latency_bits(gicsim_system *sys, unsigned bits);

#ifdef __cplusplus
}
#endif

#endif
