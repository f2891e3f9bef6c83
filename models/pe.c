/* gicsim: the PE execution model (see sys_internal.h for the contract).
 *
 * What a PE does next, in order of precedence:
 *  1. hypervisor operations queued on it (EL2, and the host at EL1 without
 *     VHE), which run with interrupts masked;
 *  2. if a vCPU is in its guest: a pending physical IRQ causes a VM exit
 *     (HCR_EL2.IMO=1 routes physical IRQs to EL2 whatever the guest's PSTATE.I);
 *     a pending virtual IRQ is taken when the guest has interrupts unmasked;
 *     otherwise the guest's next operation, or its base activity (computing,
 *     or WFI: trapped to the hypervisor, or a wait in hardware);
 *  3. with no guest: host interrupts, then the next runnable vCPU, else idle.
 * A PE idle in the host (no vCPU loaded) that an interrupt wakes first leaves
 * the idle state: idle_exit (cpuidle's exit latency), whatever the interrupt
 * turns out to be (a device, a timer, a doorbell, a kick or reschedule IPI).
 * With idle states (variation.c) the state the governor chose adds its exit
 * latency, and a PE waiting in a guest's untrapped WFI pays its state's too.
 *
 * Lazy ends. An operation's end is an engine event, except for a quiet guest
 * operation (the ERET that ends a handler) with nothing queued behind it on a
 * vCPU that computes afterwards and no virtual interrupt waiting for it: its
 * end only clears PSTATE.I, which only this file reads, and the PE then
 * keeps computing. It keeps its place in the engine's order
 * (engine_take_seq) and ends where the PE is next looked at after that place
 * (lazy_settle, at every entry of this file), or gets its event in that
 * place (lazy_need) when something must happen at its end: a virtual
 * interrupt waiting for PSTATE.I, an operation queued behind it, a request to
 * run the PE. Either way every effect happens where the event would have had
 * it, so results are those of an event per operation.
 */
#include "sys_internal.h"

#include "gic/gic_internal.h" /* gic_irq_line */

#include <stdlib.h>
#include <string.h>

/* The queue is a ring: element i (0 = the next to run) is at
 * v[(head + i) & (cap - 1)], cap a power of two. */
static sys_op *queue_at(op_queue *q, uint32_t i)
{
    return &q->v[(q->head + i) & (q->cap - 1u)];
}

static bool queue_insert(op_queue *q, uint32_t at, const sys_op *op)
{
    if (q->len == q->cap) {
        uint32_t cap = q->cap ? q->cap * 2 : 8;
        sys_op *nv = malloc(cap * sizeof *nv);
        if (!nv)
            return false;
        for (uint32_t i = 0; i < q->len; i++)
            nv[i] = *queue_at(q, i);
        free(q->v);
        q->v = nv;
        q->cap = cap;
        q->head = 0;
    }
    uint32_t mask = q->cap - 1u;
    if (at == 0) {
        q->head = (q->head - 1u) & mask;
    } else {
        for (uint32_t i = q->len; i > at; i--)
            q->v[(q->head + i) & mask] = q->v[(q->head + i - 1u) & mask];
    }
    q->v[(q->head + at) & mask] = *op;
    q->len++;
    return true;
}

static sys_op queue_pop(op_queue *q)
{
    sys_op op = q->v[q->head];
    q->head = (q->head + 1u) & (q->cap - 1u);
    q->len--;
    return op;
}

static void op_done(gicsim_engine *e, void *ctx, uint64_t arg);

/* A lazy end whose place has passed: end the operation now (what op_done
 * would have done there; pe_run then had nothing to do, see above). */
static void lazy_settle(gicsim_system *s, sys_pe *pe)
{
    if (!pe->lazy || !engine_after(s->e, pe->cur_end, pe->lazy_seq))
        return;
    pe->lazy = false;
    pe->busy = false;
    pe->hyp.cursor = 0;
    pe->vcpu->guest.cursor = 0;
    if (pe->cur.fn)
        pe->cur.fn(s, pe, pe->cur.arg);
}

/* Something must happen at the end of the lazy operation: its event, in its
 * place. */
static void lazy_need(gicsim_system *s, sys_pe *pe)
{
    lazy_settle(s, pe);
    if (!pe->lazy)
        return;
    pe->lazy = false;
    engine_schedule_taken(s->e, pe->cur_end, pe->lazy_seq, op_done, s, pe->id, &pe->ev);
}

/* The lazy end of the operation on the PE `v` is loaded on, if any, before
 * `v`'s queue changes: an operation behind it starts at its end. */
static inline void lazy_guest_queue(gicsim_system *s, sys_vcpu *v)
{
    if (v->pe && v->pe->lazy && v->pe->vcpu == v)
        lazy_need(s, v->pe);
}

static void insert_next(gicsim_system *s, op_queue *q, const sys_op *op)
{
    uint32_t at = q->cursor <= q->len ? q->cursor : q->len;
    if (!queue_insert(q, at, op)) {
        sys_oom(s);
        return;
    }
    q->cursor = at + 1;
}

void pe_next(gicsim_system *s, sys_pe *pe, gicsim_time_t cost, op_fn fn, uint64_t arg)
{
    if (pe->lazy)
        lazy_need(s, pe);
    insert_next(s, &pe->hyp, &(sys_op){cost, fn, arg, false, false, false});
}

/* A PE leaves its idle state: an operation at the front of its hypervisor
 * queue whose time (a hardware exit latency) cold and interference leave
 * as it is. */
static void pe_next_fixed(gicsim_system *s, sys_pe *pe, gicsim_time_t cost)
{
    pe->hyp.cursor = 0;
    insert_next(s, &pe->hyp, &(sys_op){cost, NULL, 0, false, false, true});
}

void pe_next_poll(gicsim_system *s, sys_pe *pe, gicsim_time_t cost, op_fn fn, uint64_t arg)
{
    if (pe->lazy)
        lazy_need(s, pe);
    insert_next(s, &pe->hyp, &(sys_op){cost, fn, arg, true, false, false});
}

void guest_next(gicsim_system *s, sys_vcpu *v, gicsim_time_t cost, op_fn fn, uint64_t arg)
{
    lazy_guest_queue(s, v);
    insert_next(s, &v->guest, &(sys_op){cost, fn, arg, false, false, false});
}

void guest_next_quiet(gicsim_system *s, sys_vcpu *v, gicsim_time_t cost, op_fn fn, uint64_t arg)
{
    lazy_guest_queue(s, v);
    insert_next(s, &v->guest, &(sys_op){cost, fn, arg, false, true, false});
}

void guest_push_back(gicsim_system *s, sys_vcpu *v, gicsim_time_t cost, op_fn fn, uint64_t arg)
{
    lazy_guest_queue(s, v);
    if (!queue_insert(&v->guest, v->guest.len, &(sys_op){cost, fn, arg, false, false, false}))
        sys_oom(s);
}

void pe_set_mode(gicsim_system *s, sys_pe *pe, pe_mode m)
{
    if (s->var && (m == PM_IDLE) != (pe->mode == PM_IDLE))
        var_idle_mode(s, pe, m == PM_IDLE);
    gicsim_time_t now = engine_now(s->e);
    pe->mode_time[pe->mode] += now - pe->mode_since;
    pe->mode_since = now;
    pe->mode = m;
    if (s->n_obs) {
        static const gicsim_pe_mode pub[PM__COUNT] = {[PM_IDLE] = GICSIM_PE_IDLE,
                                                      [PM_GUEST] = GICSIM_PE_GUEST,
                                                      [PM_HYP] = GICSIM_PE_HYP,
                                                      [PM_POLL] = GICSIM_PE_POLL};
        gicsim_sys_event ev = {.time = now,
                               .kind = GICSIM_SEV_MODE,
                               .pe = pe->id,
                               .vm = pe->vcpu ? pe->vcpu->vm->id : UINT32_MAX,
                               .vcpu = pe->vcpu ? pe->vcpu->idx : UINT32_MAX,
                               .mode = pub[m],
                               .source = UINT32_MAX};
        sys_emit(s, &ev);
    }
}

void pe_init(gicsim_system *s, sys_pe *pe, uint32_t id)
{
    memset(pe, 0, sizeof *pe);
    pe->id = id;
    pe->mode = PM_IDLE;
    pe->mode_since = engine_now(s->e);
    pe->exit_rec = SYS_NONE;
    pe->kick_rec = SYS_NONE;
}

void pe_free(sys_pe *pe)
{
    free(pe->hyp.v);
    free(pe->rq);
}

static void op_done(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    gicsim_system *s = ctx;
    records_maybe_sweep(s);
    sys_pe *pe = &s->pes[arg];
    sys_op op = pe->cur;
    pe->busy = false;
    pe->ev = 0;
    pe->hyp.cursor = 0;
    if (pe->vcpu)
        pe->vcpu->guest.cursor = 0;
    if (op.fn)
        op.fn(s, pe, op.arg);
    pe_run(s, pe);
}

/* Start the operation the caller has just put in pe->cur. */
static void start_op(gicsim_system *s, sys_pe *pe, bool guest, pe_mode mode)
{
    sys_op *op = &pe->cur;
    if (pe->mode != mode)
        pe_set_mode(s, pe, mode);
    if (s->var_ops && !op->varied && !op->poll && op->cost) {
        op->cost = var_op_cost(s, pe, op->cost, guest);
        op->varied = true;
    }
    pe->busy = true;
    pe->cur_guest = guest;
    pe->cur_end = engine_now(s->e) + op->cost;
    sys_vcpu *v = pe->vcpu;
    if (op->quiet && guest && !s->eager_ends && !v->guest.len && !pe->hyp.len &&
        v->vm->cfg.guest_busy && !gicsim_gic_virq_line(s->gic, pe->id)) {
        pe->lazy = true;
        pe->lazy_seq = engine_take_seq(s->e);
        pe->ev = 0;
        return;
    }
    if (gicsim_engine_schedule_at(s->e, pe->cur_end, op_done, s, pe->id, &pe->ev) != GICSIM_OK)
        sys_oom(s);
}

void pe_preempt_guest(gicsim_system *s, sys_pe *pe)
{
    if (pe->lazy)
        lazy_settle(s, pe);
    if (!pe->busy || !pe->cur_guest)
        return;
    pe->lazy = false; /* no event to cancel then */
    gicsim_engine_cancel(s->e, pe->ev);
    pe->ev = 0;
    pe->busy = false;
    sys_op rest = pe->cur;
    gicsim_time_t now = engine_now(s->e);
    rest.cost = pe->cur_end > now ? pe->cur_end - now : 0;
    if (!queue_insert(&pe->vcpu->guest, 0, &rest))
        sys_oom(s);
}

void pe_poll_wakeup(gicsim_system *s, sys_pe *pe)
{
    if (pe->lazy)
        lazy_need(s, pe);
    pe_end_poll(s, pe);
    /* The poll loop notices the interrupt at its next check. */
    if (!queue_insert(
            &pe->hyp, 0,
            &(sys_op){sys_cost(s, GICSIM_COST_HALT_POLL_CHECK), NULL, 0, false, false, false}))
        sys_oom(s);
    pe_run(s, pe);
}

void pe_end_poll(gicsim_system *s, sys_pe *pe)
{
    if (pe->lazy)
        lazy_settle(s, pe);
    if (pe->busy && pe->cur.poll) {
        gicsim_engine_cancel(s->e, pe->ev);
        pe->ev = 0;
        pe->busy = false;
    } else if (pe->hyp.len && queue_at(&pe->hyp, 0)->poll) {
        queue_pop(&pe->hyp); /* a preempted window waiting to resume */
    }
}

void pe_phys_irq_raised(gicsim_system *s, sys_pe *pe)
{
    if (pe->lazy)
        lazy_settle(s, pe);
    if (pe->busy) {
        if (pe->cur_guest) {
            pe_preempt_guest(s, pe);
        } else if (pe->cur.poll) {
            /* The poll loop runs with interrupts enabled: stop it, take the
             * interrupt, then resume polling for the remaining time. */
            sys_op rest = pe->cur;
            gicsim_time_t now = engine_now(s->e);
            rest.cost = pe->cur_end > now ? pe->cur_end - now : 0;
            gicsim_engine_cancel(s->e, pe->ev);
            pe->ev = 0;
            pe->busy = false;
            if (!queue_insert(&pe->hyp, 0, &rest))
                sys_oom(s);
        } else {
            return; /* hypervisor code runs with interrupts masked */
        }
    }
    pe_run(s, pe);
}

void pe_virq_raised(gicsim_system *s, sys_pe *pe)
{
    /* A lazy end still to come: PSTATE.I is still set, and its end takes
     * the interrupt. */
    if (pe->lazy)
        lazy_need(s, pe);
    sys_vcpu *v = pe->vcpu;
    if (v && v->polling) {
        /* A direct interrupt for the vCPU the host polls for: the poll ends
         * (kvm_vcpu_check_block sees it pending). */
        v->polling = false;
        pe_poll_wakeup(s, pe);
        return;
    }
    if (!v || !v->in_guest || v->masked)
        return;
    if (pe->busy) {
        if (!pe->cur_guest)
            return;
        pe_preempt_guest(s, pe);
    }
    pe_run(s, pe);
}

static gicsim_exit_reason classify_irq(gicsim_system *s, sys_pe *pe)
{
    if (s->v5)
        return GICSIM_EXIT_IRQ; /* a GICv5 host has no list registers: no maintenance interrupt */
    uint64_t hppi = GICSIM_INTID_SPURIOUS;
    gicsim_icc_read(s->gic, pe->id, GICSIM_ICC_HPPIR1, &hppi);
    return hppi == GICSIM_PPI_MAINTENANCE ? GICSIM_EXIT_MAINTENANCE : GICSIM_EXIT_IRQ;
}

void pe_run(gicsim_system *s, sys_pe *pe)
{
    if (pe->lazy)
        lazy_need(s, pe); /* asked to look for work: its end looks again */
    for (int guard = 0; guard < 64 && !pe->busy; guard++) {
        bool irq = gic_irq_line(s->gic, pe->id);
        if (pe->hyp.len) {
            /* A halt-poll window runs with interrupts enabled: the host
             * handles an interrupt before resuming the poll. */
            if (queue_at(&pe->hyp, 0)->poll && irq) {
                pe->hyp.cursor = 0;
                hyp_host_irq(s, pe);
                continue;
            }
            pe->cur = queue_pop(&pe->hyp);
            start_op(s, pe, false, pe->cur.poll ? PM_POLL : PM_HYP);
            return;
        }
        sys_vcpu *v = pe->vcpu;
        if (v && v->in_guest) {
            /* Waiting in an untrapped WFI, woken: the idle state's exit
             * latency first. */
            if (s->var && pe->mode == PM_IDLE &&
                (irq || (!v->masked && gicsim_gic_virq_line(s->gic, pe->id)))) {
                gicsim_time_t wake = var_idle_wake(s, pe);
                if (wake) {
                    pe_next_fixed(s, pe, wake);
                    continue;
                }
            }
            if (irq) {
                hyp_begin_exit(s, pe, classify_irq(s, pe), 0);
                continue;
            }
            if (!v->masked && gicsim_gic_virq_line(s->gic, pe->id))
                guest_take_virq(s, v);
            if (v->guest.len) {
                pe->cur = queue_pop(&v->guest);
                start_op(s, pe, true, PM_GUEST);
                return;
            }
            if (v->vm->cfg.guest_busy) {
                if (pe->mode != PM_GUEST)
                    pe_set_mode(s, pe, PM_GUEST);
                return; /* computing until an interrupt or a queued operation */
            }
            if (v->vm->cfg.wfi_trap) {
                hyp_begin_exit(s, pe, GICSIM_EXIT_WFI, 0);
                continue;
            }
            /* WFI not trapped: the PE waits in hardware, still in the guest. */
            if (pe->mode != PM_IDLE)
                pe_set_mode(s, pe, PM_IDLE);
            return;
        }
        /* The host's idle loop (cpuidle, WFI at EL2/EL1) resumes on the
         * interrupt before it handles it or schedules the vCPU it woke: the
         * one primitive every idle-PE wake goes through. Not a guest waiting
         * in a WFI that does not trap (a vCPU is loaded): that wait ends in
         * the VM exit. A zero cost queues nothing. */
        if (irq && !v && pe->mode == PM_IDLE) {
            gicsim_time_t wake = s->var ? var_idle_wake(s, pe) : s->c[GICSIM_COST_IDLE_EXIT];
            if (wake) {
                pe_next_fixed(s, pe, wake);
                continue;
            }
        }
        /* With a vCPU to run, interrupts are handled in its entry path. */
        if (!v && pe->n_rq) {
            hyp_switch_in(s, pe);
            continue;
        }
        if (irq) {
            pe->hyp.cursor = 0;
            hyp_host_irq(s, pe);
            continue;
        }
        if (pe->mode != PM_IDLE)
            pe_set_mode(s, pe, PM_IDLE);
        return;
    }
}
