/* gicsim: internal state of the virtualized system (models/). Not installed.
 *
 * Files (models/README.md lists them all): pe.c (the PE execution model),
 * hyp.c (the KVM-like hypervisor core: exits, entries, scheduling,
 * injection), vgic.c (software pending lists, list-register flush and
 * fold), timer.c (virtual timers, the host's timer interrupt), hyp_calls.c
 * (the gicsim_hyp_* calls policies make), policies/ (the policy table and
 * the built-in policies, one file each), guest.c (the guest's interrupt
 * handling), gicv4.c (LPIs, the ITS and GICv4 on the host side), gicv5_host.c
 * (the host on a GICv5), system.c (creation, VMs, sources and devices, records
 * and statistics). */
#ifndef GICSIM_SYS_INTERNAL_H
#define GICSIM_SYS_INTERNAL_H

/* The public headers of the engine, the GIC and this layer; never
 * <gicsim/gicsim.h>, which includes the layers above (config, output,
 * calibrate: scripts/check-layers.sh). */
#include "engine/engine_internal.h"

#include <gicsim/engine.h>
#include <gicsim/gic.h>
#include <gicsim/gicv5.h>
#include <gicsim/histogram.h>
#include <gicsim/hypervisor.h>
#include <gicsim/invariants.h>
#include <gicsim/its.h>
#include <gicsim/memory.h>
#include <gicsim/microbench.h>
#include <gicsim/system.h>
#include <gicsim/timing.h>
#include <gicsim/vcpu_interface.h>

#define SYS_NONE UINT32_MAX
#define SYS_MAX_VCPUS 256u
/* The host's timer PPI: CNTHP_EL2 under VHE, which backs the host kernel's
 * hrtimers (Linux's arch_timer uses the EL2 physical timer when running at
 * EL2): the host's own timers (GICSIM_SRC_HOST_TIMER) and the software
 * timers that stand in for descheduled vCPUs' virtual timers share it. */
#define HYP_TIMER_PPI 26u
/* The EL1 virtual timer's PPI (CNTV), which the guest's timer raises. */
#define VTIMER_PPI GICSIM_PPI_VTIMER

typedef struct sys_pe sys_pe;

/* What a host LPI INTID stands for. */
typedef struct lpi_owner {
    uint32_t source;   /* MSI source (not direct), SYS_NONE if a doorbell */
    uint32_t vm, vcpu; /* the vCPU it is for */
} lpi_owner;
typedef struct sys_vcpu sys_vcpu;
typedef struct sys_vm sys_vm;

/* ---- PE execution model (pe.c) ---------------------------------------------------
 * A PE executes operations one at a time. An operation costs time and runs
 * its function when the time has elapsed. Hypervisor operations (hyp queue of
 * the PE) run with interrupts masked and are never interrupted, except a
 * halt-poll window. Guest operations (guest queue of the loaded vCPU) run only
 * while that vCPU is in the guest; a physical IRQ preempts them (VM exit) and
 * a virtual IRQ preempts them when the guest has interrupts unmasked. A
 * preempted operation keeps its remaining time. */

typedef void (*op_fn)(gicsim_system *s, sys_pe *pe, uint64_t arg);

typedef struct sys_op {
    gicsim_time_t cost;
    op_fn fn;
    uint64_t arg;
    bool poll;   /* a halt-poll window: interruptible */
    bool quiet;  /* a guest operation whose end only changes its vCPU's state that pe.c
                    reads (PSTATE.I: the ERET), so that when nothing follows it and the
                    guest then computes, its end needs no event (pe.c: a lazy end) */
    bool varied; /* its cost is final: cold and interference (variation.c) do not scale it
                    (again) when it starts */
} sys_op;

typedef struct op_queue {
    sys_op *v;               /* a ring: operation i (0 = next) at v[(head + i) & (cap - 1)] */
    uint32_t head, len, cap; /* cap: 0 or a power of two */
    uint32_t cursor;         /* insertion point for pe_next/guest_next during an op's function */
} op_queue;

typedef enum pe_mode { PM_IDLE, PM_GUEST, PM_HYP, PM_POLL, PM__COUNT } pe_mode;

struct sys_pe {
    uint32_t id;
    pe_mode mode;
    gicsim_time_t mode_since;
    gicsim_time_t mode_time[PM__COUNT];
    op_queue hyp;
    bool busy;      /* an operation is in progress */
    bool cur_guest; /* ... taken from the guest queue */
    sys_op cur;
    gicsim_time_t cur_end;
    gicsim_event_id ev;
    /* The quiet guest operation `cur` ends lazily: no event, only its place
     * (cur_end, lazy_seq) in the engine's order; pe.c ends it where it is
     * read after that point, or schedules its event (in that place) when
     * something needs its end to happen. */
    bool lazy;
    uint64_t lazy_seq;
    sys_vcpu *vcpu; /* loaded vCPU, NULL if none */
    sys_vcpu **rq;  /* runnable vCPUs waiting for this PE */
    uint32_t n_rq, cap_rq;
    bool need_resched;
    gicsim_event_id tick_ev;
    /* The exit being handled. */
    bool in_exit;
    gicsim_exit_reason exit_reason;
    gicsim_time_t exit_start;
    uint32_t exit_rec;
    uint64_t exit_data;
    uint32_t kick_rec; /* record of the injection whose kick is on its way here */
    /* The virtual timer hardware while a vCPU is loaded. */
    gicsim_event_id vtimer_ev;
};

void pe_init(gicsim_system *s, sys_pe *pe, uint32_t id);
void pe_free(sys_pe *pe);
/* Queue a hypervisor operation after those already added by the running
 * operation's function (or at the front when called from elsewhere). */
void pe_next(gicsim_system *s, sys_pe *pe, gicsim_time_t cost, op_fn fn, uint64_t arg);
void pe_next_poll(gicsim_system *s, sys_pe *pe, gicsim_time_t cost, op_fn fn, uint64_t arg);
void guest_next(gicsim_system *s, sys_vcpu *v, gicsim_time_t cost, op_fn fn, uint64_t arg);
/* guest_next of a quiet operation (sys_op.quiet). */
void guest_next_quiet(gicsim_system *s, sys_vcpu *v, gicsim_time_t cost, op_fn fn, uint64_t arg);
void guest_push_back(gicsim_system *s, sys_vcpu *v, gicsim_time_t cost, op_fn fn, uint64_t arg);
/* Start the next operation if the PE is free. */
void pe_run(gicsim_system *s, sys_pe *pe);
/* Stop the running guest operation (keeping its remaining time). */
void pe_preempt_guest(gicsim_system *s, sys_pe *pe);
/* End a halt-poll window early. */
void pe_end_poll(gicsim_system *s, sys_pe *pe);
/* The vCPU the PE polls for got an interrupt: end the window, charge the
 * poll loop's check (halt_poll_check) and go on. */
void pe_poll_wakeup(gicsim_system *s, sys_pe *pe);
void pe_set_mode(gicsim_system *s, sys_pe *pe, pe_mode m);
/* The PE's physical IRQ output rose / its virtual IRQ output rose. */
void pe_phys_irq_raised(gicsim_system *s, sys_pe *pe);
void pe_virq_raised(gicsim_system *s, sys_pe *pe);

/* ---- Virtual interrupts and vCPUs ------------------------------------------------ */

/* One virtual interrupt of a vCPU as the hypervisor tracks it (KVM's struct
 * vgic_irq): pending (latched or a high level line), active, and whether it
 * sits in a list register. */
typedef struct vgic_irq {
    uint32_t vintid;
    uint32_t pintid;
    uint8_t prio;
    bool level, line, latch, active;
    bool hw, eoi_maint;
    bool queued;                      /* on the software pending list */
    int8_t lr;                        /* list register holding it, -1 if none */
    uint32_t rec_pending, rec_active; /* records of the pending and of the active instance */
    uint32_t rec_maint; /* record of the instance the guest deactivated with an EOI maintenance
                           request (HW=0, EOI=1), until the fold that finds it */
    /* Edge: record of an instance injected while the pending instance sits
     * in a list register (KVM's pending_latch set again behind the LR). It is
     * the next instance if the guest acknowledges the LR's before the fold,
     * else it merges into it there (vgic.c). */
    uint32_t rec_latched;
} vgic_irq;

static inline bool virq_pending(const vgic_irq *q)
{
    return q->latch || (q->level && q->line);
}

typedef enum vcpu_state { VS_RUNNABLE, VS_RUNNING, VS_BLOCKED } vcpu_state;

struct sys_vcpu {
    sys_vm *vm;
    uint32_t idx;
    uint32_t vpeid;            /* GICv4 vPE (direct VMs) */
    uint64_t vpt;              /* its virtual pending table, 0 if none */
    uint32_t doorbell_lpi;     /* the host LPI that is its doorbell */
    bool pending_last;         /* GICR_VPENDBASER.PendingLast when its vPE was last put */
    bool vpe_ready;            /* its vPE's pending table parsed since the last load (KVM's
                                  vpe->ready: vgic_v4_commit waited for Dirty) */
    bool db_enabled;           /* GICv4.0: its doorbell LPI enabled (KVM enables it when the
                                  vCPU blocks and masks it when it fires) */
    uint32_t vpe_pe;           /* the redistributor its vPE is mapped to (VMAPP/VMOVP) */
    uint32_t doorbell_rec;     /* record of the latest direct interrupt, for doorbell exits */
    gicsim_event_id dtimer_ev; /* direct_timer: the comparator's deadline (writes the MSI) */
    struct gicv5_vcpu *v5;     /* on a GICv5: its vPE's saved state (gicv5_host.c), else NULL */
    vcpu_state state;
    sys_pe *pe;       /* PE it is loaded on, or queued for */
    uint32_t home;    /* PE it starts on (and stays on when pinned) */
    uint32_t last_pe; /* PE it was last loaded on (variation.c's migrations), SYS_NONE: never */
    bool in_guest;    /* executing guest code on its PE */
    bool masked;      /* guest PSTATE.I: inside its interrupt handler */
    bool polling;
    op_queue guest;
    vgic_irq banked[32];
    uint32_t sgi_src[16]; /* the first SGI source that delivers SGI n to it (SYS_NONE: none) */
    /* source_for's last LPI found for this vCPU (0: none yet) and its source:
     * the first source indexed for an LPI stays its source. */
    uint32_t lpi_hit, lpi_hit_src;
    vgic_irq **ap; /* software pending list (KVM's ap_list) */
    uint32_t n_ap, cap_ap;
    vgic_irq *lr_irq[GICSIM_MAX_LRS];
    uint32_t used_lrs;
    uint32_t ap1r[4]; /* saved ICH_AP1R<n>, n < the number the GIC implements */
    /* Virtual timer. */
    uint32_t timer_src; /* source owning it, SYS_NONE when unused */
    bool timer_armed;
    gicsim_time_t cval;
    uint32_t timer_rec; /* record of the instance firing now */
    gicsim_event_id hrtimer_ev;
    struct inv_vcpu *inv; /* the invariant checker's state (models/invariants.c) */
};

struct sys_vm {
    uint32_t id;
    gicsim_vm_config cfg;
    const gicsim_hyp_policy *pol;
    sys_vcpu *vcpus;
    vgic_irq *spis;        /* [num_spis] */
    uint32_t timer_device; /* direct_timer: the DeviceID of its vCPUs' timer MSIs (event = vCPU) */
    /* Its MSI sources by guest LPI INTID (one source per INTID and VM):
     * open addressing, keys 0 = empty, capacity a power of two. */
    uint32_t *lpi_key, *lpi_src;
    uint32_t lpi_cap, lpi_n;
};

/* ---- Software pending list and list registers (vgic.c) ------------------------------ */

/* The vgic_irq of `vintid` on `v`: banked (SGI, PPI), the VM's SPI, or the
 * guest LPI of the MSI source that owns it; NULL if none. */
vgic_irq *vcpu_irq(gicsim_system *s, sys_vcpu *v, uint32_t vintid);
/* Put `q` on `v`'s software pending list unless it is there (KVM's
 * vgic_queue_irq_unlock adding to the ap_list); false, after sys_oom, if
 * the list cannot grow. */
bool vgic_ap_add(gicsim_system *s, sys_vcpu *v, vgic_irq *q);
/* An interrupt on `v`'s software pending list is pending and not active
 * (KVM's kvm_vgic_vcpu_pending_irq): a trapped WFI returns at once, a
 * halt-poll window ends without blocking. */
bool vgic_vcpu_has_work(const sys_vcpu *v);
/* VM entry: sort `v`'s software pending list and write it into the list
 * registers of `pe`, then ICH_VMCR, ICH_AP1R<n> and ICH_HCR (KVM's
 * vgic_flush_lr_state and the restore of hyp/vgic-v3-sr.c); returns what
 * the ICH accesses cost. */
gicsim_time_t vgic_flush(gicsim_system *s, sys_pe *pe, sys_vcpu *v);
/* The vGIC's per-vCPU state switched at vcpu_load and vcpu_put (KVM's
 * __vgic_v3_restore_vmcr_aprs and __vgic_v3_save_vmcr_aprs): ICH_VMCR and
 * the ICH_AP0R<n>/ICH_AP1R<n> the GIC implements, ich_access each. */
gicsim_time_t vgic_load_cost(const gicsim_system *s);
gicsim_time_t vgic_put_cost(const gicsim_system *s);
/* What a fold found: its cost, and the vINTIDs the guest deactivated that
 * were queued with an EOI maintenance request (HW=0, EOI=1). */
typedef struct vgic_fold_result {
    gicsim_time_t cost;
    uint32_t eoi_maint[GICSIM_MAX_LRS];
    uint32_t n_eoi_maint;
} vgic_fold_result;
/* VM exit: read `pe`'s list registers and ICH_AP1R<n> back into `v`'s
 * software state (the save of hyp/vgic-v3-sr.c and KVM's
 * vgic_fold_lr_state), deactivate the spilled active interrupts
 * ICH_HCR.EOIcount counts, and disable the virtual interface. Adds its cost
 * to out->cost. */
void vgic_fold(gicsim_system *s, sys_pe *pe, sys_vcpu *v, vgic_fold_result *out);

/* ---- Sources and records (system.c) ---------------------------------------------- */

/* Records travelling with their interrupt's message (an MSI through the
 * ITS, a vSGI through GITS_SGIR) until the message sets the pending state,
 * oldest first (gicv4.c). */
typedef struct rec_flight {
    uint32_t rec;
    vgic_irq *q; /* the guest's interrupt it is an instance of */
} rec_flight;
typedef struct flight_fifo {
    rec_flight *v;
    uint32_t head, len, cap; /* cap: 0 or a power of two */
} flight_fifo;

typedef struct sys_source {
    gicsim_source_config cfg;
    vgic_irq *virq;  /* MSI: the guest's LPI (records; the software list when not direct) */
    uint32_t pintid; /* MSI: the host's physical LPI when not injected directly */
    bool direct;     /* MSI: mapped as a vLPI (GICv4) */
    /* MSI, host side: the list entries the emulated ITS's find_ite walks to
     * reach its (device, event), and whether KVM's translation cache holds
     * it yet. */
    uint32_t its_walk;
    bool its_cached;
    /* MSI through a physical LPI: the records written and not yet at the
     * redistributor, and the one owning the LPI's pending state there. */
    flight_fifo flight;
    uint32_t phys_rec;
    /* Host timer: the record of the instance pending at the GIC (raised, not
     * yet acknowledged by the host) and of the one acknowledged and not yet
     * deactivated; SYS_NONE when none. */
    uint32_t host_pending, host_active;
    uint64_t rng;
    uint64_t arrivals;
    uint32_t burst_left;
    gicsim_event_id ev;
    gicsim_histogram *lat;
} sys_source;

/* ---- Records (records.c) -----------------------------------------------------------
 * A record lives in a slot of a pool while its instance is in flight; the
 * uint32_t handles the model keeps (vgic_irq.rec_*, sys_pe.exit_rec, ...) are
 * slot indices. A record is complete when no handle in the system names it
 * any more: nothing can change it then. A sweep (run at the points where no
 * handle is held on the stack: the entry of a PE's operation event and of an
 * arrival, and the end of gicsim_system_run_for) marks every handle the
 * system holds (records_mark_roots) and completes the records no handle
 * names. Complete records go to the sinks in record order (their `seq`, the
 * order of assertion; a record waits for every earlier one) and their slots
 * are reused; with no sink their slots are reused at once. */
typedef struct sys_rec {
    gicsim_irq_record r;
    uint64_t seq;       /* the record's number: 0, 1, ... in order of assertion */
    uint32_t next_free; /* free list link while the slot is unused */
    uint8_t flags;      /* REC_USED, REC_MARK, REC_DONE (records.c) */
} sys_rec;

typedef struct rec_store {
    sys_rec *slot;
    uint32_t cap, live, free_head;
    uint64_t next_seq; /* records created so far */
    /* The ordered stream (a sink or keep): `head` is the oldest record not
     * passed on; ring[seq & (ring_cap - 1)] is the slot of record seq for
     * rbase <= seq < next_seq. Records [head, rbase) were spilled (records.c):
     * complete ones to the spill file, in order, the others held out in
     * their slots. */
    bool ordered;
    uint32_t *ring;
    uint32_t ring_cap;
    uint64_t head, rbase;
    struct rec_spill *spill; /* NULL until records first wait behind one in flight */
    uint32_t spill_min;      /* spill once this many records wait (tests lower it) */
    uint64_t spilled;        /* records written to the spill file so far */
    struct {
        gicsim_record_fn fn;
        void *ctx;
    } sink[8];
    unsigned n_sinks;
    /* gicsim_system_keep_records: every record passed to the sinks, by seq. */
    bool keep;
    gicsim_irq_record *kept;
    size_t n_kept, cap_kept;
    uint32_t sweep_at;  /* sweep once `live` reaches it */
    uint32_t sweep_min; /* new records between two sweeps at least (tests lower it) */
    uint64_t sweeps;
    /* Records whose slots were released, for the invariant checker's
     * totals (with those still open: every record). */
    uint64_t released, released_merged, released_delivered;
} rec_store;

void records_init(gicsim_system *s);
void records_free(gicsim_system *s);
/* Tests: sweep at every point (0), after `interval` new records, or never
 * (UINT32_MAX: every record stays open until the end). */
void records_sweep_every(gicsim_system *s, uint32_t interval);
/* A sweep now; records_maybe_sweep (below): if one is due. */
void records_sweep(gicsim_system *s);
/* Every handle the system holds, by records_mark (hyp.c knows which
 * operations and exits carry one: hyp_op_record, hyp_exit_record). */
void records_mark_roots(gicsim_system *s);
void records_mark(gicsim_system *s, uint32_t rec);
/* records_mark of every record in flight in `f`. */
void records_mark_flight(gicsim_system *s, const flight_fifo *f);
/* The record's number (seq), UINT64_MAX for SYS_NONE or an unused slot. */
uint64_t record_seq(const gicsim_system *s, uint32_t rec);
/* The record in the hypervisor operation `op` (its argument) or in the exit
 * data `data` of `reason`; SYS_NONE if none. */
uint32_t hyp_op_record(const sys_op *op);
uint32_t hyp_exit_record(gicsim_exit_reason reason, uint64_t data);

struct gicsim_hyp {
    gicsim_system *s;
    sys_pe *pe;
    gicsim_time_t charged;
};

/* Points of the hypervisor's paths a micro-benchmark can time
 * (gicsim_system.on_probe; models/microbench.c). */
typedef enum sys_probe {
    SYS_PROBE_LOAD,            /* kvm_arch_vcpu_load starts */
    SYS_PROBE_GUEST_ENTER,     /* __guest_enter: the guest's registers restored, before the ERET */
    SYS_PROBE_DOORBELL_ENABLE, /* GICv4.0: a doorbell's enable starts */
    SYS_PROBE_DOORBELL_DONE    /* a doorbell's enable or mask has completed (GICR_SYNCR) */
} sys_probe;

typedef struct sys_var sys_var;

struct gicsim_system {
    gicsim_system_config cfg;
    gicsim_engine *e;
    gicsim_gic *gic;
    gicsim_time_t c[GICSIM_COST__COUNT]; /* costs in ps (jitter.run applied) */
    sys_var *var; /* the sources of spread (variation.c), NULL when every one is off */
    bool jitter;  /* some cost has a jitter rule: sys_cost draws */
    bool var_ops; /* cold or interference is on: start_op scales operations */
    sys_pe *pes;
    uint32_t num_pes;
    sys_vm **vms;
    uint32_t n_vms;
    sys_source *src;
    uint32_t n_src;
    bool sources_stopped;
    rec_store recs;     /* the records of the instances in flight (records.c) */
    bool rec_sweep_due; /* records_maybe_sweep has work */
    bool eager_ends;    /* tests: every operation's end is an event (no lazy ends, pe.c) */
    gicsim_histogram *lat_all;
    unsigned lat_bits; /* the latency histograms' precision (gicsim_system_set_latency_bits) */
    struct {
        gicsim_sys_observer_fn fn;
        void *ctx;
    } obs[8];
    unsigned n_obs;
    gicsim_system_stats st;
    int8_t pe_eoimode[4096]; /* host EOImode per PE: -1 unset, 0, 1 */
    /* Physical SPI -> (VM, vCPU, source) it is passed through to; the record
     * of the instance pending in the physical GIC. */
    uint32_t spi_vm[1024], spi_vcpu[1024], spi_src[1024], spi_rec[1024];
    bool spi_line[1024]; /* the device's line level */
    uint32_t inject_rec; /* record the next gicsim_hyp_inject carries */
    /* Inside gicsim_hyp_inject: the time on the injecting PE's timeline,
     * from now, at which its host has queued the interrupt (a kick leaves
     * after that); GICSIM_TIME_NEVER elsewhere. */
    gicsim_time_t kick_base;
    /* Host LPIs: [intid - 8192] for the LPIs the host allocated. */
    lpi_owner *lpis;
    uint32_t n_lpis, cap_lpis;
    struct gicv4_host *v4; /* gicv4.c's state (tables, allocators) */
    struct gicv5_host *v5; /* on a GICv5: gicv5_host.c's state, else NULL */
    /* Called when a guest's handler has acknowledged `vintid` (ICV_IAR1
     * read), for workloads that watch it (models/microbench.c). */
    void (*on_guest_ack)(gicsim_system *s, sys_vcpu *v, uint32_t vintid);
    void *on_guest_ack_ctx;
    /* Called at the probe points of the paths (NULL: none), with the time
     * the point is reached (at or before now). */
    void (*on_probe)(gicsim_system *s, sys_probe p, uint32_t pe, gicsim_time_t when);
    struct sys_inv *inv; /* the invariant checker's state (models/invariants.c), NULL when off */
};

/* ---- Variation (variation.c) -------------------------------------------------------
 * The platform's sources of spread, <gicsim/variation.h>; s->var is NULL
 * (and nothing here is called) when every one is off. */

gicsim_status var_create(gicsim_system *s);
void var_free(gicsim_system *s);
/* Cost `id` charged once: s->c[id] times a draw of its jitter. */
gicsim_time_t var_jitter(const gicsim_system *s, gicsim_cost_id id);
/* What one charge of primitive `id` costs: the cost table's value, or with
 * jitter a draw. Every charge site of the models goes through it; a step
 * that repeats a primitive n times charges n * one draw. */
static inline gicsim_time_t sys_cost(const gicsim_system *s, gicsim_cost_id id)
{
    return s->jitter ? var_jitter(s, id) : s->c[id];
}
/* An operation of `cost` starts on `pe` (a guest's or not): its cost with
 * the PE's cold budget and the interference schedule applied. */
gicsim_time_t var_op_cost(gicsim_system *s, sys_pe *pe, gicsim_time_t cost, bool guest);
/* `pe` enters (the governor picks a state) or leaves PM_IDLE. */
void var_idle_mode(gicsim_system *s, sys_pe *pe, bool entering);
/* An interrupt wakes `pe` from its idle: the chosen state's exit latency,
 * plus idle_exit for the host's idle loop (not for a guest's WFI). */
gicsim_time_t var_idle_wake(gicsim_system *s, sys_pe *pe);
/* vCPU `v` is loaded on `pe`: a vCPU switch or a migration makes it cold. */
void var_vcpu_load(gicsim_system *s, sys_pe *pe, sys_vcpu *v);
/* The housekeeping work due on `pe`, charged by its timer interrupt's
 * handler (hyp_timer_irq); 0 when none. */
gicsim_time_t var_host_work(gicsim_system *s, sys_pe *pe);

/* Tell the system observers. */
void sys_emit(gicsim_system *s, const gicsim_sys_event *ev);
/* An allocation failed: the run stops (gicsim_system_status: GICSIM_E_NOMEM). */
static inline void sys_oom(gicsim_system *s)
{
    engine_fail(s->e, GICSIM_E_NOMEM);
}
/* A new record (t_assert now), counted as asserted; SYS_NONE, after
 * sys_oom, when the pool cannot grow. */
uint32_t record_new(gicsim_system *s, uint32_t src, uint32_t vm, uint32_t vcpu, uint32_t intid);
/* The record of handle `rec`; NULL for SYS_NONE. */
/* A sweep if one is due (record_new found the pool at its threshold). Only
 * where no record handle is held outside the system's state. */
static inline void records_maybe_sweep(gicsim_system *s)
{
    if (s->rec_sweep_due || !s->recs.sweep_min)
        records_sweep(s);
}

static inline gicsim_irq_record *record_get(gicsim_system *s, uint32_t rec)
{
    return rec < s->recs.cap ? &s->recs.slot[rec].r : NULL;
}
/* Record `rec` merged into a pending instance (counted once). */
void record_merge(gicsim_system *s, uint32_t rec);
sys_source *source_of(gicsim_system *s, uint32_t src);
/* The handler of `vintid` on `v` ended: device actions (level de-assert,
 * timer reprogram, SGI reply). */
void source_handler_done(gicsim_system *s, sys_vcpu *v, uint32_t vintid);
/* The source whose interrupt `vintid` on `v` is. SYS_NONE if none. */
uint32_t source_for(gicsim_system *s, sys_vcpu *v, uint32_t vintid);
/* A passed-through device drives its SPI line. */
void device_set_line(gicsim_system *s, uint32_t intid, bool level);

/* ---- GICv4, LPIs and the ITS on the host side (gicv4.c) ------------------------------ */

/* Boot-time host setup: LPI tables, ITS tables and queue, one collection per
 * PE. Called at system creation when the GIC has an ITS. */
gicsim_status gicv4_init(gicsim_system *s);
/* A VM with a direct policy: one vPE per vCPU (VMAPP), its VPT and vLPI
 * configuration table. */
gicsim_status gicv4_add_vm(gicsim_system *s, sys_vm *vm);
void gicv4_free(gicsim_system *s);
/* Map a new MSI source: a physical LPI (MAPD/MAPTI) or, for a direct policy,
 * a vLPI of its vCPU's vPE (VMAPP/VMAPTI). */
gicsim_status gicv4_add_msi(gicsim_system *s, uint32_t src);
/* Mark the records travelling through the ITS (records_mark_roots). */
void gicv4_mark_records(gicsim_system *s);
/* Configure a vSGI of a vPE (GICv4.1 VSGI). */
gicsim_status gicv4_add_vsgi(gicsim_system *s, sys_vcpu *v, uint32_t vintid, uint8_t prio);
/* The device of `src` writes its MSI, instance `rec`: the record travels
 * with it and owns, or merges into, the pending state it sets. */
void gicv4_msi_fire(gicsim_system *s, uint32_t src, uint32_t rec);
/* A GIC RAISE or MERGE of a host LPI: an MSI's physical LPI landed. */
void gicv4_lpi_landed(gicsim_system *s, const gicsim_gic_event *ev);
/* Match the vLPIs and vSGIs the ITS has set pending since the last call
 * with the records in flight (before any virtual CPU interface event). */
void gicv4_land_direct(gicsim_system *s);
/* vCPU load / put of a direct VM: the vPE becomes (non-)resident (load
 * queues its steps; put returns the time it charges). */
/* vgic_v4_load: the vPE becomes resident on `pe` (queues its steps). */
void gicv4_vpe_load(gicsim_system *s, sys_pe *pe);
/* vgic_v4_commit, before the first entry after a load: wait until the
 * redistributor has parsed the VPT (GICR_VPENDBASER.Dirty), re-reading it
 * every kvm.vpt_poll_delay (queues its steps). */
void gicv4_vpe_commit(gicsim_system *s, sys_pe *pe);
/* vgic_v4_put: the vPE becomes non-resident, with its doorbell requested
 * when the vCPU blocks (queues its steps). */
void gicv4_vpe_put(gicsim_system *s, sys_pe *pe, bool blocking);
/* The host acknowledged LPI `intid` on `pe`: an MSI to inject, or a doorbell. */
void gicv4_host_lpi(gicsim_system *s, sys_pe *pe, uint32_t intid, gicsim_hyp *h);
/* A doorbell of `v`'s vPE taken on `pe`: counted, the exit charged to its latest direct
 * interrupt, the policy's hook; then the wake-up (or the end of its halt-poll). */
void doorbell_taken(gicsim_system *s, sys_pe *pe, sys_vcpu *v, gicsim_hyp *h);
void doorbell_wake(gicsim_system *s, sys_pe *pe, sys_vcpu *v, gicsim_hyp *h);
/* GICv4.1: forward a trapped SGI of the sender on `pe` to (v, vintid). */
void gicv4_forward_vsgi(gicsim_system *s, sys_pe *pe, sys_vcpu *v, uint32_t vintid, uint32_t rec,
                        gicsim_hyp *h);
/* The vPE of a vCPU (the ITS's vPEID). */
uint32_t gicv4_vpeid(const gicsim_system *s, const sys_vcpu *v);
/* direct_timer: the timer's vINTID in the VMs of this system. */
uint32_t gicv4_timer_vintid(const gicsim_system *s);
/* direct_timer: whether `device` is a DeviceID the host reserved for timer
 * MSIs (an MSI source cannot use it). */
bool gicv4_device_reserved(const gicsim_system *s, uint32_t device);
/* direct_timer: the guest's priority for its timer vLPI (the VM's vLPI
 * configuration table, then INV + VSYNC). */
gicsim_status gicv4_timer_priority(gicsim_system *s, sys_vcpu *v, uint8_t prio);
/* direct_timer: the comparator of `v` reached its deadline: it writes the
 * timer's MSI to GITS_TRANSLATER (record `rec`). */
void gicv4_timer_fire(gicsim_system *s, sys_vcpu *v, uint32_t rec);

/* Records in flight (gicv4.c; gicv5_host.c uses them too). */
bool flight_push(gicsim_system *s, flight_fifo *f, uint32_t rec, vgic_irq *q);
bool flight_pop(flight_fifo *f, rec_flight *out);
/* Whether record `rec` (not SYS_NONE) is one of `f`'s. */
bool flight_holds(const flight_fifo *f, uint32_t rec);
/* A message carrying `x` set its interrupt pending on a vCPU: the first instance since the
 * guest's last acknowledge owns the pending state, the others merge into it. */
void land_virtual(gicsim_system *s, const rec_flight *x);

/* ---- The host on a GICv5 (gicv5_host.c, gicv5_host_setup.c; docs/gicv5.md, "The host")
 * The system numbers interrupts as on a GICv3 (SGIs 0..15, PPIs 16..31, SPIs 32.., LPIs
 * 8192..); gicv5_host.c maps them to the GICv5's: the kick SGI is an LPI per PE, SPI n the
 * IRS's SPI n or IWB wire n's LPI, a guest's SGI n to vCPU t its LPI t * 16 + n. The sys_*
 * helpers below are the host's physical GIC accesses, for either GIC. */

gicsim_status gicv5_host_init(gicsim_system *s);
void gicv5_host_free(gicsim_system *s);
/* hyp_init_pe on a GICv5: the host's PPIs enabled. */
void gicv5_host_init_pe(gicsim_system *s, sys_pe *pe);
/* A VM of a GICv5 policy: its VM table entry, vPE table, ISTs and doorbells; its vCPUs
 * become runnable once the IRS has made it and its vPEs valid. */
gicsim_status gicv5_host_add_vm(gicsim_system *s, sys_vm *vm);
/* Whether the IRS has made `vm` and its vPEs valid: before, nothing makes its vCPUs
 * runnable (a wake-up waits for the boot queue, which makes them all runnable). */
bool gicv5_vm_ready(const gicsim_system *s, const sys_vm *vm);
/* What a new source needs on a GICv5: the wired interrupt (an SPI or an IWB wire) and its
 * virtual SPI, the IPI LPIs, the timer PPI's priority, an MSI's ITS mapping and vLPI. */
gicsim_status gicv5_host_add_source(gicsim_system *s, uint32_t src);
/* A wired source's instance `rec`, before its line pulses (edge) or rises (level): merged
 * into a pending state, or the one the host's interrupt carries, or in flight to where it
 * sets a pending state (an IWB wire's ITS event, a VM's own SPI). */
void gicv5_wired_fire(gicsim_system *s, uint32_t src, uint32_t rec);
void gicv5_msi_fire(gicsim_system *s, uint32_t src, uint32_t rec);
/* The guest of `v` sends an IPI to `target_vcpu` (GIC CDPEND of its LPI: no trap). */
void gicv5_guest_send_ipi(gicsim_system *s, sys_vcpu *v, uint32_t src, uint32_t target_vcpu);
/* on_gic_event on a GICv5: true when the event is handled here; otherwise *out is the event
 * with its INTID in the system's numbering for the rest of on_gic_event. */
bool gicv5_host_event(gicsim_system *s, const gicsim_gic_event *ev, gicsim_gic_event *out);
/* The host's kick: GIC CDPEND of PE `to`'s kick LPI, from PE `from`. */
void gicv5_host_kick(gicsim_system *s, uint32_t from, uint32_t to);
/* Residency (gicv4.c's vPE calls dispatch here): load, put (`blocking`: with its doorbell). */
void gicv5_vpe_load(gicsim_system *s, sys_pe *pe);
void gicv5_vpe_put(gicsim_system *s, sys_pe *pe, bool blocking);
/* The PPI state at an entry (returns its cost) and an exit (vgic.c dispatches here). */
gicsim_time_t gicv5_flush(gicsim_system *s, sys_pe *pe, sys_vcpu *v);
void gicv5_fold(gicsim_system *s, sys_pe *pe, sys_vcpu *v, vgic_fold_result *out);
bool gicv5_vcpu_has_work(const sys_vcpu *v);
/* The host took LPI `intid` (a doorbell, or one it did not hand out). */
void gicv5_host_lpi(gicsim_system *s, sys_pe *pe, uint32_t intid, gicsim_hyp *h);
/* hyp_inject on a GICv5: an SPI is set pending with GIC VDPEND (false: nothing else to do), a
 * PPI marked pending for the next entry (true: the caller wakes or kicks the vCPU). */
bool gicv5_inject(gicsim_system *s, sys_pe *from, sys_vcpu *v, const gicsim_virq *in, uint32_t rec);
/* What gicsim_hyp_inject charges beyond irq_queue for `vintid` (GIC VDPEND for an SPI). */
gicsim_time_t gicv5_inject_cost(const gicsim_system *s, uint32_t vintid);
/* gicsim_hyp_set_virq_line on a GICv5 (a level SPI found high again: VDPEND). */
void gicv5_set_virq_line(gicsim_system *s, sys_pe *from, sys_vcpu *v, uint32_t vintid, bool line);
/* The hyp calls' GIC accesses on a GICv5 (hyp_calls.c). */
void gicv5_hyp_icc_write(gicsim_hyp *h, gicsim_icc_reg reg, uint64_t val);
void gicv5_hyp_set_enabled(gicsim_hyp *h, uint32_t intid, bool enabled);
bool gicv5_irq_is_level(const gicsim_system *s, uint32_t intid);
/* The physical GIC accesses of the host (the sys_* helpers). */
uint32_t gicv5_host_ack(gicsim_system *s, uint32_t pe);
void gicv5_host_eoi(gicsim_system *s, uint32_t pe, gicsim_icc_reg reg, uint32_t intid);
void gicv5_set_line(gicsim_system *s, uint32_t pe, uint32_t intid, bool level);
bool gicv5_ppi_active(gicsim_system *s, uint32_t pe, uint32_t ppi);
void gicv5_ppi_set_active(gicsim_system *s, uint32_t pe, uint32_t ppi, bool active);
/* The guest's accesses: acknowledge (the system's vINTID, GICSIM_INTID_SPURIOUS for none), and
 * GIC CDEOI (ICC_EOIR1) or CDDI (ICC_DIR, which ends the active instance's record). */
uint32_t gicv5_guest_ack(gicsim_system *s, sys_vcpu *v);
void gicv5_guest_eoi(gicsim_system *s, sys_vcpu *v, gicsim_icc_reg reg, uint32_t vintid);
/* The invariant checks of the GICv5 host state (docs/invariants.md, "The host on a GICv5"):
 * true, with the first violation in `msg`, when one fails. */
bool gicv5_host_check(gicsim_system *s, char *msg, size_t len);
/* Mark the records the GICv5 host keeps (records_mark_roots): those in flight to a VM's
 * SPIs and wire vLPIs (VDPEND, a handed-over line, an IWB event) and to a vCPU's IPI LPIs. */
void gicv5_mark_records(gicsim_system *s);

/* The host's acknowledge: ICC_IAR1_EL1 (GICv5: GICR CDIA), in the system's numbering. */
static inline uint32_t sys_host_ack(gicsim_system *s, uint32_t pe)
{
    uint64_t v = GICSIM_INTID_SPURIOUS;
    if (s->v5)
        return gicv5_host_ack(s, pe);
    gicsim_icc_read(s->gic, pe, GICSIM_ICC_IAR1, &v);
    return (uint32_t)v;
}

/* The host's ICC_EOIR1_EL1 or ICC_DIR_EL1 (GICv5: GIC CDEOI or CDDI) for `intid`. */
static inline void sys_host_eoi(gicsim_system *s, uint32_t pe, gicsim_icc_reg reg, uint32_t intid)
{
    if (s->v5)
        gicv5_host_eoi(s, pe, reg, intid);
    else
        gicsim_icc_write(s->gic, pe, reg, intid);
}

/* What those cost: an acknowledge, and a priority drop (ICC_EOIR1) or a deactivation. */
static inline gicsim_time_t sys_ack_cost(const gicsim_system *s)
{
    return sys_cost(s, s->v5 ? GICSIM_COST_GICV5_CDIA : GICSIM_COST_ICC_IAR_READ);
}

static inline gicsim_time_t sys_eoi_cost(const gicsim_system *s, gicsim_icc_reg reg)
{
    if (!s->v5)
        return sys_cost(s, GICSIM_COST_ICC_EOIR_WRITE);
    return sys_cost(s,
                    reg == GICSIM_ICC_DIR ? GICSIM_COST_GICV5_GIC_INSN : GICSIM_COST_GICV5_CDEOI);
}

/* A device's or timer's line: gicsim_gic_set_line (GICv5: a PPI, an SPI or an IWB wire). */
static inline void sys_set_line(gicsim_system *s, uint32_t pe, uint32_t intid, bool level)
{
    if (s->v5)
        gicv5_set_line(s, pe, intid, level);
    else
        gicsim_gic_set_line(s->gic, pe, intid, level);
}

/* PPI `ppi` of PE `pe` active, and its active state set or cleared (GICR_ISACTIVER0 /
 * ICACTIVER0; GICv5: ICC_PPI_SACTIVER0 / CACTIVER0). */
static inline bool sys_ppi_active(gicsim_system *s, uint32_t pe, uint32_t ppi)
{
    gicsim_irq_state st = GICSIM_IRQ_INACTIVE;
    if (s->v5)
        return gicv5_ppi_active(s, pe, ppi);
    gicsim_gic_irq_state(s->gic, pe, ppi, &st);
    return (st & GICSIM_IRQ_ACTIVE) != 0;
}

static inline void sys_ppi_set_active(gicsim_system *s, uint32_t pe, uint32_t ppi, bool active)
{
    if (s->v5)
        gicv5_ppi_set_active(s, pe, ppi, active);
    else
        gicsim_gicr_write(s->gic, pe, active ? GICSIM_GICR_ISACTIVER0 : GICSIM_GICR_ICACTIVER0, 4,
                          1u << ppi);
}

/* ---- Hypervisor core (hyp.c) ------------------------------------------------------ */

void hyp_begin_exit(gicsim_system *s, sys_pe *pe, gicsim_exit_reason r, uint64_t data);
/* Host interrupt handling outside a guest (PE idle or between operations). */
void hyp_host_irq(gicsim_system *s, sys_pe *pe);
/* Load the next runnable vCPU of the PE's run queue and enter it. */
void hyp_switch_in(gicsim_system *s, sys_pe *pe);
void hyp_make_runnable(gicsim_system *s, sys_vcpu *v, sys_pe *from);
void hyp_inject(gicsim_system *s, sys_pe *from, sys_vcpu *v, const gicsim_virq *q, uint32_t rec);
/* `v` has an interrupt queued: wake it if blocked, end its halt-poll, or kick it out of its
 * guest on another PE (the exit charged to `rec`). */
void hyp_wake_or_kick(gicsim_system *s, sys_pe *from, sys_vcpu *v, uint32_t rec);
void hyp_init_pe(gicsim_system *s, sys_pe *pe);
/* kvm_io_bus_read's binary search over a VM's MMIO bus (the distributor,
 * one redistributor per vCPU, the ITS: kvm_io_bus_get_first_dev), one
 * io_bus_step per halving. */
gicsim_time_t hyp_io_bus_lookup(const gicsim_system *s, const sys_vm *vm);
/* A VM entry after the flush (kvm_arm_vcpu_enter_exit's way in: the nVHE
 * call to EL2 and world switch, the guest's state, the ERET). */
gicsim_time_t hyp_entry_cost(const gicsim_system *s);

/* The exit being handled on `pe` is charged to the first instance its
 * handling delivers or completes: `rec`, unless one was found already. */
static inline void hyp_attribute(sys_pe *pe, uint32_t rec)
{
    if (pe->in_exit && pe->exit_rec == SYS_NONE && rec != SYS_NONE)
        pe->exit_rec = rec;
}

/* ---- Timers (timer.c) ------------------------------------------------------------- */

/* Virtual timer hardware of PE `pe` for its loaded vCPU. */
void hyp_vtimer_load(gicsim_system *s, sys_pe *pe);
void hyp_vtimer_arm(gicsim_system *s, sys_vcpu *v);
/* vcpu_put: `v`'s virtual timer leaves `pe`'s hardware (PPI 27 lowered; its
 * physical active state travels with the vCPU) and, armed for a later
 * deadline, becomes a host software timer. Nothing under direct_timer. */
void hyp_vtimer_put(gicsim_system *s, sys_pe *pe, sys_vcpu *v);
/* The host acknowledged its timer interrupt (PPI 26) on `pe`: run every
 * expired software timer of the PE and queue the handler's time, with what
 * its injections charged to `h`, on `pe`. */
void hyp_timer_irq(gicsim_system *s, sys_pe *pe, gicsim_hyp *h);
/* A physical CPU interface event for PPI 26 (signal, priority drop,
 * deactivation): the times of the host timers' records on that PE. */
void hyp_host_timer_event(gicsim_system *s, const gicsim_gic_event *ev);

/* ---- Guest (guest.c) --------------------------------------------------------------- */

/* The guest takes its virtual IRQ: exception entry, ICV_IAR1, handler, EOI. */
void guest_take_virq(gicsim_system *s, sys_vcpu *v);
/* The guest writes ICC_SGI1R_EL1 for `src` (traps). */
void guest_send_sgi(gicsim_system *s, sys_vcpu *v, uint32_t src, uint32_t target_vcpu);
/* A trapping instruction (cost icc_sysreg) queued at the back of the guest's
 * operations; the exit carries `data` (< 2^56): for GICSIM_EXIT_MMIO one of
 * the MMIO_* kinds below. */
void guest_trap_op(gicsim_system *s, sys_vcpu *v, gicsim_exit_reason r, uint64_t data);

/* What a trapped MMIO access is (bits 1:0 of the exit data). */
#define MMIO_KERNEL 0u /* a register the host kernel emulates (the vGIC distributor) */
#define MMIO_USER 1u   /* a register the VMM emulates in user space */
/* GITS_CWRITER of the ITS the host emulates for the guest: the new command is
 * an INT for the MSI source in bits 31:8, whose instance is record 63:32.
 * The host runs the command (its_cmd_emulate, its_walk_step per entry of
 * find_ite's walk, its_cache_op) and injects the guest LPI. */
#define MMIO_ITS_CWRITER 2u

#endif
