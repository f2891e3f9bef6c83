/* gicsim: the KVM-like hypervisor core shared by every delivery policy: VM
 * exits and entries with the world switch, the host's interrupt handling,
 * scheduling (run queues, kicks, WFI and halt-polling) and injection.
 *
 * Each path is the sequence of KVM's steps, one primitive cost per step,
 * shared wherever KVM's code is shared (docs/virtualization.md has the table
 * of paths, primitives and KVM functions):
 *
 *  exit     exc_to_el2 + spectre_bhb + guest_state_save (__kvm_vcpu_run_vhe
 *           after __guest_exit), without VHE + eret_to_host + world_switch;
 *           then the run loop (run_loop) with the vGIC sync (vgic_fold),
 *           the IRQ window (a physical interrupt: exc_local +
 *           host_irq_entry + icc_iar_read, its handler, eret_local) and,
 *           for a trap, handle_exit and the trap's handler:
 *             HVC   hvc_handle
 *             SGI   sysreg_trap + sgi_dispatch (+ sgi_vcpu_walk per vCPU
 *                   compared, KVM before 6.7), then the injection
 *             MMIO  guest_abort + io_bus_step per search step, then
 *                   kernel: vgic_mmio (+ the emulated ITS's command work)
 *                   + mmio_complete;
 *                   user: kvm_run + vcpu_put + syscall + spectre_bhb +
 *                   vmm_mmio + vcpu_load + mmio_complete (KVM_RUN returns
 *                   to the VMM and is called again)
 *             WFI   kvm_handle_wfx: halt-poll or block
 *  entry    the vGIC flush (vgic_flush; GICv4: the first entry after a load
 *           waits for GICR_VPENDBASER.Dirty), without VHE exc_host_to_el2 +
 *           world_switch, then guest_state_restore + eret_to_guest.
 *
 * The software pending list and the list registers are vgic.c's, the timers
 * (the vCPUs' virtual timers, the host's timer interrupt) timer.c's, and the
 * gicsim_hyp_* calls policies make hyp_calls.c's.
 */
#include "sys_internal.h"

#include "gic/gic_internal.h" /* gic_irq_line */

#include <stdlib.h>

/* Without VHE the host kernel runs at EL1: an exit ERETs from EL2 to it and
 * an entry calls EL2 again (__kvm_vcpu_run through kvm_call_hyp), and the
 * EL1 context is switched each way. */
static gicsim_time_t exit_switch(const gicsim_system *s)
{
    return s->cfg.vhe
               ? 0
               : sys_cost(s, GICSIM_COST_ERET_TO_HOST) + sys_cost(s, GICSIM_COST_WORLD_SWITCH);
}

static gicsim_time_t entry_switch(const gicsim_system *s)
{
    return s->cfg.vhe
               ? 0
               : sys_cost(s, GICSIM_COST_EXC_HOST_TO_EL2) + sys_cost(s, GICSIM_COST_WORLD_SWITCH);
}

gicsim_time_t hyp_entry_cost(const gicsim_system *s)
{
    return entry_switch(s) + sys_cost(s, GICSIM_COST_GUEST_STATE_RESTORE) +
           sys_cost(s, GICSIM_COST_ERET_TO_GUEST);
}

gicsim_time_t hyp_io_bus_lookup(const gicsim_system *s, const sys_vm *vm)
{
    uint32_t devices = 1 + vm->cfg.num_vcpus + (s->cfg.gic.its ? 1u : 0u), steps = 0;
    for (uint32_t n = devices; n; n >>= 1)
        steps++;
    return steps * sys_cost(s, GICSIM_COST_IO_BUS_STEP);
}

/* Host completes one of its own interrupts: EOIR, plus DIR under EOImode=1
 * (a GICv5 host always splits them: GIC CDEOI, GIC CDDI). */
static gicsim_time_t host_eoi(gicsim_system *s, sys_pe *pe, uint32_t intid)
{
    sys_host_eoi(s, pe->id, GICSIM_ICC_EOIR1, intid);
    if (s->pe_eoimode[pe->id] == 1) {
        sys_host_eoi(s, pe->id, GICSIM_ICC_DIR, intid);
        return sys_eoi_cost(s, GICSIM_ICC_EOIR1) + sys_eoi_cost(s, GICSIM_ICC_DIR);
    }
    return sys_eoi_cost(s, GICSIM_ICC_EOIR1);
}

void hyp_init_pe(gicsim_system *s, sys_pe *pe)
{
    if (s->v5) {
        gicv5_host_init_pe(s, pe);
        return;
    }
    uint32_t ppis = (1u << GICSIM_PPI_MAINTENANCE) | (1u << VTIMER_PPI) | (1u << HYP_TIMER_PPI) |
                    (1u << s->cfg.host_tick_ppi);
    gicsim_gicr_write(s->gic, pe->id, GICSIM_GICR_ISENABLER0, 4, ppis);
}

/* The optional policy hooks: each runs on PE `pe` for its loaded vCPU and
 * the time it charges is queued after it. */
static void hook_done(gicsim_system *s, sys_pe *pe, const gicsim_hyp *h)
{
    pe_next(s, pe, h->charged, NULL, 0);
}

static void hook_load(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_load) {
        v->vm->pol->vcpu_load(&h, v->vm->id, v->idx);
        hook_done(s, pe, &h);
    }
}

static void hook_put(gicsim_system *s, sys_pe *pe, bool blocking)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_put) {
        v->vm->pol->vcpu_put(&h, v->vm->id, v->idx, blocking);
        hook_done(s, pe, &h);
    }
}

static void hook_exit(gicsim_system *s, sys_pe *pe, gicsim_exit_reason r)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_exit) {
        v->vm->pol->vcpu_exit(&h, v->vm->id, v->idx, r);
        hook_done(s, pe, &h);
    }
}

static void hook_entry(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->vcpu_entry) {
        v->vm->pol->vcpu_entry(&h, v->vm->id, v->idx);
        hook_done(s, pe, &h);
    }
}

static void hook_wfi(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    gicsim_hyp h = {s, pe, 0};
    if (v->vm->pol->wfi) {
        v->vm->pol->wfi(&h, v->vm->id, v->idx);
        hook_done(s, pe, &h);
    }
}

/* ---- Records of the exit being handled --------------------------------------------- */

static void finish_exit(gicsim_system *s, sys_pe *pe)
{
    if (!pe->in_exit)
        return;
    pe->in_exit = false;
    gicsim_irq_record *r = record_get(s, pe->exit_rec);
    if (r) {
        r->exits[pe->exit_reason]++;
        r->hyp_time += engine_now(s->e) - pe->exit_start;
    }
}

/* ---- Kicks, wake-ups and scheduling ------------------------------------------------------ */

static void kick_write(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    uint32_t from = (uint32_t)(arg >> 32), to = (uint32_t)arg;
    if (s->v5) {
        gicv5_host_kick(s, from, to);
        return;
    }
    uint64_t aff = gicsim_gic_pe_affinity(s->gic, to);
    uint64_t sgir = gicsim_icc_sgir_value(s->cfg.kick_sgi, (uint16_t)(1u << (aff & 0xFu)),
                                          (uint8_t)(aff >> 8), (uint8_t)(aff >> 16), 0, 0, false);
    gicsim_icc_write(s->gic, from, GICSIM_ICC_SGI1R, sgir);
}

/* The host on `from` sends the kick (or reschedule) IPI to `to`. Inside
 * gicsim_hyp_inject the ICC_SGI1R_EL1 write happens where it does on the
 * PE's timeline: after the work the step charged so far, the queueing
 * (irq_queue) and the send path `path` (vcpu_kick or sched_wakeup);
 * elsewhere at once. */
static void send_kick(gicsim_system *s, sys_pe *from, uint32_t to, gicsim_cost_id path)
{
    s->st.kicks++;
    uint64_t arg = (uint64_t)from->id << 32 | to;
    if (s->kick_base == GICSIM_TIME_NEVER) {
        kick_write(s->e, s, arg);
        return;
    }
    if (gicsim_engine_schedule_in(s->e, s->kick_base + sys_cost(s, path), kick_write, s, arg,
                                  NULL) != GICSIM_OK)
        sys_oom(s);
}

static void tick_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    s->pes[arg].tick_ev = 0;
    sys_set_line(s, (uint32_t)arg, s->cfg.host_tick_ppi, true);
}

/* The scheduler tick runs only while vCPUs wait for the PE. */
static void arm_tick(gicsim_system *s, sys_pe *pe)
{
    if (pe->tick_ev || !pe->n_rq || !pe->vcpu)
        return;
    gicsim_engine_schedule_in(s->e, pe->vcpu->vm->cfg.time_slice, tick_fire, s, pe->id,
                              &pe->tick_ev);
}

static bool rq_push(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    if (pe->n_rq == pe->cap_rq) {
        uint32_t cap = pe->cap_rq ? pe->cap_rq * 2 : 4;
        sys_vcpu **nv = realloc(pe->rq, cap * sizeof *nv);
        if (!nv) {
            sys_oom(s);
            return false;
        }
        pe->rq = nv;
        pe->cap_rq = cap;
    }
    pe->rq[pe->n_rq++] = v;
    return true;
}

/* A vCPU becomes runnable: pinned vCPUs go to their PE; others to the PE of
 * their set with the fewest vCPUs (loaded or waiting), ties to the lowest. */
void hyp_make_runnable(gicsim_system *s, sys_vcpu *v, sys_pe *from)
{
    /* Woken while its put is still under way (block() ran, do_put has not):
     * do_put queues it on the PE it leaves. Queueing it here too would put
     * it in two run queues and load it twice, on two PEs at once. */
    if (v->pe && v->pe->vcpu == v) {
        v->state = VS_RUNNABLE;
        return;
    }
    if (s->v5 && !gicv5_vm_ready(s, v->vm))
        return;
    const gicsim_vm_config *c = &v->vm->cfg;
    sys_pe *to = &s->pes[v->home];
    if (!c->pinned) {
        uint32_t best_load = UINT32_MAX;
        for (uint32_t i = 0; i < c->pe_count; i++) {
            sys_pe *cand = &s->pes[c->pe_first + i];
            uint32_t load = cand->n_rq + (cand->vcpu ? 1u : 0u);
            if (load < best_load) {
                best_load = load;
                to = cand;
            }
        }
    }
    v->state = VS_RUNNABLE;
    v->pe = to;
    if (!rq_push(s, to, v))
        return;
    if (to->vcpu) {
        arm_tick(s, to);
    } else if (to != from && to->mode == PM_IDLE && !to->busy) {
        if (from)
            send_kick(s, from, to->id, GICSIM_COST_SCHED_WAKEUP); /* reschedule IPI */
        else
            pe_run(s, to);
    }
}

static void do_enter(gicsim_system *s, sys_pe *pe, uint64_t arg);

/* KVM's run loop enables interrupts once before each entry: a pending host
 * interrupt is handled there (once), then the flush and the entry run with
 * interrupts masked. An interrupt that arrives after that point makes the
 * guest exit right after the entry. */
static void enter_check(gicsim_system *s, sys_pe *pe, uint64_t irq_window_done)
{
    sys_vcpu *v = pe->vcpu;
    if (!irq_window_done && gic_irq_line(s->gic, pe->id)) {
        hyp_host_irq(s, pe);
        pe_next(s, pe, 0, enter_check, 1);
        return;
    }
    pe_next(s, pe, vgic_flush(s, pe, v), NULL, 0);
    if (v->vm->pol->direct_msi)
        gicv4_vpe_commit(s, pe);
    hook_entry(s, pe);
    gicsim_time_t eret = sys_cost(s, GICSIM_COST_ERET_TO_GUEST);
    pe_next(s, pe, entry_switch(s) + sys_cost(s, GICSIM_COST_GUEST_STATE_RESTORE) + eret, do_enter,
            eret);
}

/* The entry's end; `eret`: what its ERET took (the probe point is before it). */
static void do_enter(gicsim_system *s, sys_pe *pe, uint64_t eret)
{
    if (s->on_probe) /* __guest_enter: before the ERET */
        s->on_probe(s, SYS_PROBE_GUEST_ENTER, pe->id, engine_now(s->e) - eret);
    finish_exit(s, pe);
    pe->vcpu->in_guest = true;
}

/* The load's end; `load`: what kvm_arch_vcpu_load took (the probe point is
 * its start). */
static void do_load(gicsim_system *s, sys_pe *pe, uint64_t load)
{
    if (s->on_probe) /* kvm_arch_vcpu_load started after the scheduler's switch */
        s->on_probe(s, SYS_PROBE_LOAD, pe->id, engine_now(s->e) - load);
    hyp_vtimer_load(s, pe);
    arm_tick(s, pe);
    if (pe->vcpu->vm->pol->direct_msi)
        gicv4_vpe_load(s, pe);
    hook_load(s, pe);
    enter_check(s, pe, 0);
}

void hyp_switch_in(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->rq[0];
    pe->n_rq--;
    for (uint32_t i = 0; i < pe->n_rq; i++)
        pe->rq[i] = pe->rq[i + 1];
    pe->vcpu = v;
    v->state = VS_RUNNING;
    v->pe = pe;
    s->st.vcpu_switches++;
    pe->hyp.cursor = 0;
    if (s->var)
        var_vcpu_load(s, pe, v);
    gicsim_time_t load = sys_cost(s, GICSIM_COST_VCPU_LOAD) + vgic_load_cost(s);
    pe_next(s, pe, sys_cost(s, GICSIM_COST_SCHED_SWITCH) + load, do_load, load);
}

static void do_put(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    hyp_vtimer_put(s, pe, v);
    finish_exit(s, pe);
    pe->vcpu = NULL;
    if (v->state == VS_BLOCKED && (v->pending_last || vgic_vcpu_has_work(v))) {
        /* A direct interrupt is still pending, or one was injected after
         * the WFI's check (kvm_vcpu_check_block runs again once the vCPU
         * is set to block): the vCPU does not sleep. */
        v->pending_last = false;
        hyp_make_runnable(s, v, pe);
        return;
    }
    if (v->state == VS_RUNNABLE)
        rq_push(s, pe, v);
}

/* kvm_arch_vcpu_put: the vCPU's state leaves the PE (vcpu_put, the vGIC's
 * VMCR and active priorities; a direct VM's vPE becomes non-resident, with
 * its doorbell requested when the vCPU blocks), then `then` runs. */
static void put(gicsim_system *s, sys_pe *pe, bool blocking, op_fn then)
{
    hook_put(s, pe, blocking);
    if (pe->vcpu->vm->pol->direct_msi)
        gicv4_vpe_put(s, pe, blocking);
    pe_next(s, pe, sys_cost(s, GICSIM_COST_VCPU_PUT) + vgic_put_cost(s), then, 0);
}

/* The put of a KVM_RUN that returns to user space: the same work as put()
 * (the vPE not resident, no doorbell: the vCPU is not blocking), but the
 * vCPU's thread stays on the PE, so nothing is scheduled and the policy's
 * vcpu_put hook, which stands for a scheduling put, does not run. */
static void put_state(gicsim_system *s, sys_pe *pe)
{
    if (pe->vcpu->vm->pol->direct_msi)
        gicv4_vpe_put(s, pe, false);
    pe_next(s, pe, sys_cost(s, GICSIM_COST_VCPU_PUT) + vgic_put_cost(s), NULL, 0);
}

static void block(gicsim_system *s, sys_pe *pe)
{
    pe->vcpu->state = VS_BLOCKED;
    put(s, pe, true, do_put);
}

static void poll_expired(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    v->polling = false;
    if (!vgic_vcpu_has_work(v))
        block(s, pe);
}

/* Trapped WFI (kvm_vcpu_block): return at once if an interrupt is pending,
 * else halt-poll if configured, else block until woken. */
static void hyp_wfi(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    hook_wfi(s, pe);
    if (vgic_vcpu_has_work(v))
        return;
    if (v->vm->cfg.halt_poll) {
        v->polling = true;
        pe_next_poll(s, pe, v->vm->cfg.halt_poll, poll_expired, 0);
        return;
    }
    block(s, pe);
}

static void exit_handled(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    if (!v || v->state == VS_BLOCKED)
        return;
    if (pe->need_resched && pe->n_rq) {
        pe->need_resched = false;
        v->state = VS_RUNNABLE; /* round robin: to the back of the queue */
        put(s, pe, false, do_put);
        return;
    }
    pe->need_resched = false;
    enter_check(s, pe, 0);
}

/* ---- Host interrupt handling ---------------------------------------------------------- */

static void host_irq_ack(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    uint32_t intid = sys_host_ack(s, pe->id);
    gicsim_hyp h = {s, pe, 0};
    sys_vcpu *v = pe->vcpu;
    if (intid >= 1020 && intid < GICSIM_LPI_BASE) {
        pe_next(s, pe, sys_cost(s, GICSIM_COST_ERET_LOCAL), NULL, 0);
        return;
    }
    if (intid >= GICSIM_LPI_BASE) {
        gicv4_host_lpi(s, pe, intid, &h);
    } else if (intid == VTIMER_PPI && v && v->timer_src != SYS_NONE) {
        /* kvm_arch_timer_handler -> kvm_timer_update_irq, then the policy
         * completes and injects it. */
        s->inject_rec = v->timer_rec;
        hyp_attribute(pe, v->timer_rec);
        gicsim_hyp_charge(&h, GICSIM_COST_TIMER_IRQ);
        v->vm->pol->phys_irq(&h, intid, v->vm->id, v->idx);
    } else if (intid >= GICSIM_SPI_BASE && intid < 1024 && s->spi_vm[intid] != SYS_NONE) {
        sys_vm *vm = s->vms[s->spi_vm[intid]];
        s->inject_rec = s->spi_rec[intid];
        hyp_attribute(pe, s->spi_rec[intid]);
        vm->pol->phys_irq(&h, intid, vm->id, s->spi_vcpu[intid]);
    } else if (intid == s->cfg.host_tick_ppi) {
        sys_set_line(s, pe->id, intid, false);
        h.charged += sys_cost(s, GICSIM_COST_ICC_SYSREG) + host_eoi(s, pe, intid);
        pe->need_resched = true;
    } else if (intid == HYP_TIMER_PPI) {
        hyp_timer_irq(s, pe, &h);
    } else {
        /* The kick and reschedule IPI (do_handle_IPI -> scheduler_ipi) and
         * the maintenance interrupt (vgic_maintenance_handler, empty): their
         * work is the exit itself and the flush that follows. */
        if (intid == s->cfg.kick_sgi) {
            hyp_attribute(pe, pe->kick_rec);
            pe->kick_rec = SYS_NONE;
            h.charged += sys_cost(s, GICSIM_COST_IPI_HANDLER);
        }
        h.charged += host_eoi(s, pe, intid);
    }
    s->inject_rec = SYS_NONE;
    pe_next(s, pe, h.charged + sys_cost(s, GICSIM_COST_ERET_LOCAL), NULL, 0);
}

/* The host takes a physical interrupt: its exception entry at the current
 * level (the run loop's IRQ window, or an idle or busy host), the kernel's
 * entry (gic_handle_irq) and the acknowledge; host_irq_ack then runs the
 * handler and the exception returns. */
void hyp_host_irq(gicsim_system *s, sys_pe *pe)
{
    pe_next(s, pe,
            sys_cost(s, GICSIM_COST_EXC_LOCAL) + sys_cost(s, GICSIM_COST_HOST_IRQ_ENTRY) +
                sys_ack_cost(s),
            host_irq_ack, 0);
}

/* ---- Exits ------------------------------------------------------------------------------ */

static void sgi_trap_done(gicsim_system *s, sys_pe *pe, uint64_t data)
{
    uint32_t rec = (uint32_t)(data >> 32), src = (uint32_t)(data >> 16) & 0xFFFFu;
    uint32_t target = (uint32_t)data & 0xFFFFu;
    const sys_source *so = source_of(s, src);
    sys_vm *vm = pe->vcpu->vm;
    hyp_attribute(pe, rec);
    if (!so || target >= vm->cfg.num_vcpus)
        return;
    gicsim_virq q = {.vintid = so->cfg.intid};
    gicsim_hyp h = {s, pe, 0};
    if (vm->pol->direct_sgi) {
        gicv4_forward_vsgi(s, pe, &vm->vcpus[target], so->cfg.intid, rec, &h);
    } else {
        s->inject_rec = rec;
        gicsim_hyp_inject(&h, vm->id, target, &q);
        s->inject_rec = SYS_NONE;
    }
    pe_next(s, pe, h.charged, NULL, 0);
}

/* The host's emulated ITS ran the INT command the guest queued (KVM:
 * vgic_its_process_commands -> vgic_its_trigger_msi): the guest LPI of the
 * MSI source becomes pending on its vCPU, which is kicked. */
static void its_cmd_done(gicsim_system *s, sys_pe *pe, uint64_t data)
{
    uint32_t src = (uint32_t)(data >> 8) & 0xFFFFFFu, rec = (uint32_t)(data >> 32);
    const sys_source *so = source_of(s, src);
    if (!so || so->cfg.kind != GICSIM_SRC_MSI)
        return;
    hyp_attribute(pe, rec);
    gicsim_hyp h = {s, pe, 0};
    gicsim_virq q = {.vintid = so->cfg.intid};
    s->inject_rec = rec;
    gicsim_hyp_inject(&h, so->cfg.vm, so->cfg.vcpu, &q);
    s->inject_rec = SYS_NONE;
    pe_next(s, pe, h.charged + sys_cost(s, GICSIM_COST_MMIO_COMPLETE), NULL, 0);
}

/* Back from user space (KVM_RUN called again): a direct VM's vPE is made
 * resident again by the load, then the emulated read completes. */
static void user_mmio_back(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    if (pe->vcpu->vm->pol->direct_msi)
        gicv4_vpe_load(s, pe);
    pe_next(s, pe, sys_cost(s, GICSIM_COST_MMIO_COMPLETE), NULL, 0);
}

/* A stage-2 data abort on an emulated register (kvm_handle_guest_abort ->
 * io_mem_abort): the MMIO bus is searched; the vGIC's registers are
 * emulated in the kernel, the ITS's CWRITER runs the queued command, and
 * anything else goes to the VMM in user space: KVM_RUN returns (vcpu_put),
 * the VMM handles it and calls KVM_RUN again (vcpu_load). */
static void mmio_exit(gicsim_system *s, sys_pe *pe)
{
    sys_vcpu *v = pe->vcpu;
    uint32_t kind = (uint32_t)(pe->exit_data & 3u);
    gicsim_time_t decode = sys_cost(s, GICSIM_COST_HANDLE_EXIT) +
                           sys_cost(s, GICSIM_COST_GUEST_ABORT) + hyp_io_bus_lookup(s, v->vm);
    if (kind == MMIO_KERNEL) {
        pe_next(s, pe,
                decode + sys_cost(s, GICSIM_COST_VGIC_MMIO) +
                    sys_cost(s, GICSIM_COST_MMIO_COMPLETE),
                NULL, 0);
    } else if (kind == MMIO_ITS_CWRITER) {
        /* vgic_mmio_write_its_cwriter -> vgic_its_process_commands: the INT
         * command is read and run; vgic_its_resolve_lpi walks the device
         * and event lists (find_ite) and caches the translation. */
        const sys_source *so = source_of(s, (uint32_t)(pe->exit_data >> 8) & 0xFFFFFFu);
        uint32_t walk = so ? so->its_walk : 0;
        pe_next(s, pe,
                decode + sys_cost(s, GICSIM_COST_VGIC_MMIO) +
                    sys_cost(s, GICSIM_COST_ITS_CMD_EMULATE) +
                    walk * sys_cost(s, GICSIM_COST_ITS_WALK_STEP) +
                    sys_cost(s, GICSIM_COST_ITS_CACHE_OP),
                its_cmd_done, pe->exit_data);
    } else {
        pe_next(s, pe, decode + sys_cost(s, GICSIM_COST_KVM_IOCTL), NULL, 0);
        put_state(s, pe);
        pe_next(s, pe,
                sys_cost(s, GICSIM_COST_SYSCALL) + sys_cost(s, GICSIM_COST_SPECTRE_BHB) +
                    sys_cost(s, GICSIM_COST_VMM_MMIO) + sys_cost(s, GICSIM_COST_VCPU_LOAD) +
                    vgic_load_cost(s),
                user_mmio_back, 0);
    }
}

uint32_t hyp_exit_record(gicsim_exit_reason reason, uint64_t data)
{
    if (reason == GICSIM_EXIT_SGI_TRAP ||
        (reason == GICSIM_EXIT_MMIO && (data & 3u) == MMIO_ITS_CWRITER))
        return (uint32_t)(data >> 32);
    return SYS_NONE;
}

uint32_t hyp_op_record(const sys_op *op)
{
    if (op->fn == sgi_trap_done)
        return hyp_exit_record(GICSIM_EXIT_SGI_TRAP, op->arg);
    if (op->fn == its_cmd_done)
        return hyp_exit_record(GICSIM_EXIT_MMIO, op->arg);
    return SYS_NONE;
}

/* The SGI's target search (vgic_v3_dispatch_sgi): one MPIDR lookup since
 * Linux 6.7; before, kvm_for_each_vcpu compared vCPUs up to the target's
 * index. */
static gicsim_time_t sgi_lookup(const gicsim_system *s, uint32_t target)
{
    if (s->cfg.kvm.sgi_lookup != GICSIM_SGI_LOOKUP_VCPU_WALK)
        return 0;
    return (gicsim_time_t)(target + 1) * sys_cost(s, GICSIM_COST_SGI_VCPU_WALK);
}

static void exit_saved(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe->vcpu;
    vgic_fold_result fr = {0};
    vgic_fold(s, pe, v, &fr);
    pe_next(s, pe, fr.cost + sys_cost(s, GICSIM_COST_RUN_LOOP), NULL, 0);
    if (fr.n_eoi_maint) {
        gicsim_irq_record *first = NULL;
        for (uint32_t i = 0; i < fr.n_eoi_maint; i++) {
            vgic_irq *q = vcpu_irq(s, v, fr.eoi_maint[i]);
            uint32_t rec = q ? q->rec_maint : SYS_NONE;
            gicsim_irq_record *r = record_get(s, rec);
            if (q)
                q->rec_maint = SYS_NONE;
            if (r && pe->exit_reason == GICSIM_EXIT_MAINTENANCE) {
                r->maintenance++;
                if (!first) {
                    first = r;
                    hyp_attribute(pe, rec);
                }
            }
            if (v->vm->pol->eoi_maintenance) {
                gicsim_hyp h = {s, pe, 0};
                v->vm->pol->eoi_maintenance(&h, fr.eoi_maint[i], v->vm->id, v->idx);
                pe_next(s, pe, h.charged, NULL, 0);
            }
        }
    }
    hook_exit(s, pe, pe->exit_reason);
    switch (pe->exit_reason) {
    case GICSIM_EXIT_IRQ:
    case GICSIM_EXIT_MAINTENANCE:
        hyp_host_irq(s, pe);
        break;
    case GICSIM_EXIT_WFI:
        pe_next(s, pe, sys_cost(s, GICSIM_COST_HANDLE_EXIT), hyp_wfi, 0);
        break;
    case GICSIM_EXIT_SGI_TRAP:
        pe_next(s, pe,
                sys_cost(s, GICSIM_COST_HANDLE_EXIT) + sys_cost(s, GICSIM_COST_SYSREG_TRAP) +
                    sys_cost(s, GICSIM_COST_SGI_DISPATCH) +
                    sgi_lookup(s, (uint32_t)pe->exit_data & 0xFFFFu),
                sgi_trap_done, pe->exit_data);
        break;
    case GICSIM_EXIT_MMIO:
        mmio_exit(s, pe);
        break;
    case GICSIM_EXIT_HVC:
        pe_next(s, pe, sys_cost(s, GICSIM_COST_HANDLE_EXIT) + sys_cost(s, GICSIM_COST_HVC_HANDLE),
                NULL, 0);
        break;
    default:
        break;
    }
    pe_next(s, pe, 0, exit_handled, 0);
}

void hyp_begin_exit(gicsim_system *s, sys_pe *pe, gicsim_exit_reason r, uint64_t data)
{
    sys_vcpu *v = pe->vcpu;
    pe_preempt_guest(s, pe);
    v->in_guest = false;
    s->st.exits[r]++;
    s->st.exits_total++;
    pe->in_exit = true;
    pe->exit_reason = r;
    pe->exit_start = engine_now(s->e);
    pe->exit_rec = SYS_NONE;
    pe->exit_data = data;
    pe->hyp.cursor = 0;
    if (s->n_obs) {
        gicsim_sys_event ev = {.time = pe->exit_start,
                               .kind = GICSIM_SEV_EXIT,
                               .pe = pe->id,
                               .vm = v->vm->id,
                               .vcpu = v->idx,
                               .reason = r,
                               .source = UINT32_MAX};
        sys_emit(s, &ev);
    }
    pe_next(s, pe,
            sys_cost(s, GICSIM_COST_EXC_TO_EL2) + sys_cost(s, GICSIM_COST_SPECTRE_BHB) +
                sys_cost(s, GICSIM_COST_GUEST_STATE_SAVE) + exit_switch(s),
            exit_saved, 0);
}

/* ---- Injection ----------------------------------------------------------------------------- */

void hyp_inject(gicsim_system *s, sys_pe *from, sys_vcpu *v, const gicsim_virq *in, uint32_t rec)
{
    if (s->v5) {
        if (gicv5_inject(s, from, v, in, rec))
            hyp_wake_or_kick(s, from, v, rec);
        return;
    }
    vgic_irq *q = vcpu_irq(s, v, in->vintid);
    if (!q)
        return;
    /* An edge whose pending instance sits in a list register, not latched
     * again since the flush: a new latch stands behind it. */
    bool behind_lr = !in->level && q->lr >= 0 && !q->latch;
    q->vintid = in->vintid;
    q->level = in->level;
    q->hw = in->hw;
    q->pintid = in->pintid;
    q->eoi_maint = in->eoi_maint;
    if (in->level)
        q->line = in->line;
    else
        q->latch = true;
    /* An instance is pending (in the software list or in a list register)
     * until the guest acknowledges it: a second one merges into it. Behind
     * a list register it is latched apart (KVM's pending_latch): the next
     * instance if the guest acknowledges the list register's before the
     * fold, merged there otherwise (vgic.c). */
    if (rec != SYS_NONE && rec != q->rec_pending && rec != q->rec_active && rec != q->rec_latched) {
        if (q->rec_pending == SYS_NONE)
            q->rec_pending = rec;
        else if (behind_lr && q->rec_latched == SYS_NONE)
            q->rec_latched = rec;
        else
            record_merge(s, rec);
    }
    if (!virq_pending(q) && !q->active)
        return;
    /* vgic_queue_irq_unlock: an interrupt already on the vCPU's list is not
     * queued again, but the vCPU is still kicked (an edge the guest may have
     * EOIed since would otherwise wait for another exit). */
    vgic_ap_add(s, v, q);
    hyp_wake_or_kick(s, from, v, rec);
}

void hyp_wake_or_kick(gicsim_system *s, sys_pe *from, sys_vcpu *v, uint32_t rec)
{
    if (v->state == VS_BLOCKED) {
        s->st.wakeups++;
        hyp_make_runnable(s, v, from);
        return;
    }
    if (v->state != VS_RUNNING)
        return;
    /* A halt-polling vCPU stops polling as soon as it has work
     * (kvm_vcpu_check_block), whichever PE injected it. On its own PE this
     * runs inside the host's interrupt handling, which continues with the
     * return to the guest once it completes. */
    if (v->polling) {
        v->polling = false;
        if (v->pe != from) {
            pe_poll_wakeup(s, v->pe);
        } else {
            pe_end_poll(s, v->pe);
            pe_next(s, v->pe, sys_cost(s, GICSIM_COST_HALT_POLL_CHECK), NULL, 0);
        }
        return;
    }
    if (v->pe == from)
        return;
    if (v->in_guest || v->pe->busy) {
        /* The exit the kick causes is charged to the instance it delivers. */
        v->pe->kick_rec = rec;
        send_kick(s, from ? from : v->pe, v->pe->id, GICSIM_COST_VCPU_KICK);
    }
}
