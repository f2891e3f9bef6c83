/* gicsim: the guest's interrupt handling.
 *
 * A guest takes its virtual IRQ the way Linux does: exception entry to its
 * EL1 vector with interrupts masked, ICV_IAR1_EL1 (no trap), the handler,
 * ICV_EOIR1_EL1, and with EOImode=1 ICV_DIR_EL1, then ERET unmasking
 * interrupts. A level-sensitive device's handler de-asserts the line at a
 * configured point; the virtual timer's handler reprograms CNTV_CVAL before
 * the EOI. Each step costs the timing table's cycles; physical interrupts
 * can still cause VM exits in the middle (the guest's PSTATE.I does not mask
 * them). Costs: exc_local (the guest's IRQ exception at EL1), icv_iar_read,
 * handler work, icv_eoir_write, eret_local. With guest_nested the handler unmasks interrupts after
 * the acknowledge, so a higher-priority virtual interrupt (the virtual CPU
 * interface decides by group priority) preempts it and its remaining steps
 * wait behind the new handler's. On a GICv5 (gicv5_host.c) the guest is Linux's
 * gicv5_handle_irq: GICR CDIA (gicv5_cdia), GIC CDEOI at once (gicv5_cdeoi), the
 * handler, GIC CDDI (gicv5_gic_insn); its IPIs are GIC CDPENDs of LPIs, not trapped.
 */
#include "sys_internal.h"

static sys_vcpu *pe_vcpu(sys_pe *pe)
{
    return pe->vcpu;
}

static void g_eret(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)s;
    (void)arg;
    pe_vcpu(pe)->masked = false;
}

static void g_dir(gicsim_system *s, sys_pe *pe, uint64_t vintid)
{
    if (s->v5)
        gicv5_guest_eoi(s, pe_vcpu(pe), GICSIM_ICC_DIR, (uint32_t)vintid);
    else
        gicsim_icv_write(s->gic, pe->id, GICSIM_ICC_DIR, vintid);
}

static void g_eoi(gicsim_system *s, sys_pe *pe, uint64_t vintid)
{
    if (s->v5)
        gicv5_guest_eoi(s, pe_vcpu(pe), GICSIM_ICC_EOIR1, (uint32_t)vintid);
    else
        gicsim_icv_write(s->gic, pe->id, GICSIM_ICC_EOIR1, vintid);
}

/* What the write right after the handler costs: ICV_EOIR1_EL1, or on a GICv5 GIC CDDI
 * (Linux's gicv5_handle_irq dropped the priority with CDEOI at the acknowledge). */
static gicsim_time_t handler_end_cost(const gicsim_system *s)
{
    return sys_cost(s, s->v5 ? GICSIM_COST_GICV5_GIC_INSN : GICSIM_COST_ICV_EOIR_WRITE);
}

static void g_handler_done(gicsim_system *s, sys_pe *pe, uint64_t vintid)
{
    sys_vcpu *v = pe_vcpu(pe);
    source_handler_done(s, v, (uint32_t)vintid);
    guest_next(s, v, handler_end_cost(s), s->v5 ? g_dir : g_eoi, vintid);
    if (!s->v5 && v->vm->cfg.guest_eoimode)
        guest_next(s, v, sys_cost(s, GICSIM_COST_ICV_EOIR_WRITE), g_dir, vintid);
    guest_next_quiet(s, v, sys_cost(s, GICSIM_COST_ERET_LOCAL), g_eret, 0);
}

/* The end of a handler whose device needs nothing at its end, and the write
 * after it (ICV_EOIR1; on a GICv5 GIC CDDI), as one operation: nothing the
 * model can see happens between them (the guest's mask and the handler's
 * running priority do not change there, and a preemption keeps the remaining
 * time either way), so the write is done at the same time with one event
 * fewer. */
static void g_handler_eoi(gicsim_system *s, sys_pe *pe, uint64_t vintid)
{
    sys_vcpu *v = pe_vcpu(pe);
    if (s->v5) {
        g_dir(s, pe, vintid);
    } else {
        g_eoi(s, pe, vintid);
        if (v->vm->cfg.guest_eoimode)
            guest_next(s, v, sys_cost(s, GICSIM_COST_ICV_EOIR_WRITE), g_dir, vintid);
    }
    guest_next_quiet(s, v, sys_cost(s, GICSIM_COST_ERET_LOCAL), g_eret, 0);
}

/* The device of `so` does nothing when its handler ends (source_handler_done
 * would change nothing): an MSI, an edge SPI, a level SPI whose handler
 * lowers the line before its end, an SGI without a reply, no source. */
static bool handler_end_silent(const sys_source *so)
{
    if (!so)
        return true;
    switch (so->cfg.kind) {
    case GICSIM_SRC_MSI:
    case GICSIM_SRC_SPI_EDGE:
        return true;
    case GICSIM_SRC_SPI_LEVEL:
        return so->cfg.deassert_at < so->cfg.handler;
    case GICSIM_SRC_SGI:
        return !so->cfg.reply;
    default:
        return false;
    }
}

static void g_deassert(gicsim_system *s, sys_pe *pe, uint64_t intid)
{
    (void)pe;
    device_set_line(s, (uint32_t)intid, false);
}

static void g_ack(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    (void)arg;
    sys_vcpu *v = pe_vcpu(pe);
    uint64_t vintid = GICSIM_INTID_SPURIOUS;
    if (s->v5)
        vintid = gicv5_guest_ack(s, v);
    else
        gicsim_icv_read(s->gic, pe->id, GICSIM_ICC_IAR1, &vintid);
    if (vintid >= 1020 &&
        vintid < GICSIM_LPI_BASE) { /* special INTIDs 1020..1023: nothing to handle */
        guest_next_quiet(s, v, sys_cost(s, GICSIM_COST_ERET_LOCAL), g_eret, 0);
        return;
    }
    if (s->on_guest_ack)
        s->on_guest_ack(s, v, (uint32_t)vintid);
    if (s->v5) /* gicv5_handle_irq: the priority drop at once */
        guest_next(s, v, sys_cost(s, GICSIM_COST_GICV5_CDEOI), g_eoi, vintid);
    if (v->vm->cfg.guest_nested)
        v->masked = false; /* PSTATE.I cleared in the handler: it can be preempted */
    uint32_t src = source_for(s, v, (uint32_t)vintid);
    const sys_source *so = src == SYS_NONE ? NULL : source_of(s, src);
    gicsim_time_t work = so ? so->cfg.handler : 0;
    bool silent = handler_end_silent(so);
    op_fn end = silent ? g_handler_eoi : g_handler_done;
    gicsim_time_t eoi = silent ? handler_end_cost(s) : 0;
    if (so && so->cfg.kind == GICSIM_SRC_SPI_LEVEL && so->cfg.deassert_at < work) {
        guest_next(s, v, so->cfg.deassert_at, g_deassert, vintid);
        guest_next(s, v, work - so->cfg.deassert_at + eoi, end, vintid);
        return;
    }
    guest_next(s, v, work + eoi, end, vintid);
}

void guest_take_virq(gicsim_system *s, sys_vcpu *v)
{
    v->masked = true;
    v->guest.cursor = 0;
    pe_preempt_guest(s, v->pe);
    gicsim_cost_id ack = s->v5 ? GICSIM_COST_GICV5_CDIA : GICSIM_COST_ICV_IAR_READ;
    guest_next(s, v, sys_cost(s, GICSIM_COST_EXC_LOCAL) + sys_cost(s, ack), g_ack, 0);
}

/* The trapping instruction has executed: the exit happens now. */
static void g_trap(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    gicsim_exit_reason r = (gicsim_exit_reason)(arg >> 56);
    hyp_begin_exit(s, pe, r, arg & ((1ull << 56) - 1));
}

void guest_trap_op(gicsim_system *s, sys_vcpu *v, gicsim_exit_reason r, uint64_t data)
{
    guest_push_back(s, v, sys_cost(s, GICSIM_COST_ICC_SYSREG), g_trap, ((uint64_t)r << 56) | data);
}

/* ICC_SGI1R_EL1 write: the record starts when the write executes. */
static void g_sgi(gicsim_system *s, sys_pe *pe, uint64_t arg)
{
    sys_vcpu *v = pe_vcpu(pe);
    uint32_t src = (uint32_t)(arg >> 32), target = (uint32_t)arg & 0xFFFFu;
    const sys_source *so = source_of(s, src);
    uint32_t rec = record_new(s, src, v->vm->id, target, so->cfg.intid);
    hyp_begin_exit(s, pe, GICSIM_EXIT_SGI_TRAP,
                   ((uint64_t)rec << 32) | ((uint64_t)(src & 0xFFFFu) << 16) | target);
}

void guest_send_sgi(gicsim_system *s, sys_vcpu *v, uint32_t src, uint32_t target_vcpu)
{
    if (s->v5) {
        gicv5_guest_send_ipi(s, v, src, target_vcpu);
        return;
    }
    guest_push_back(s, v, sys_cost(s, GICSIM_COST_ICC_SYSREG), g_sgi,
                    ((uint64_t)src << 32) | target_vcpu);
}
