/* gicsim: the invariant checker of the virtualized system (see
 * <gicsim/invariants.h> and docs/invariants.md; the hooks are the
 * GICSIM_INV(...) statements of system.c and vgic.c).
 *
 * What it keeps on its own, per vCPU: the active priorities of the virtual
 * interrupts the guest acknowledged and has not priority-dropped, with the
 * vINTID each belongs to, and whether the vCPU's virtual CPU interface state
 * is in its PE's registers (from the flush to the fold) or saved in the vCPU
 * (ICH_AP1R<n> in sys_vcpu.ap1r). This follows the vCPU across exits, context
 * switches and migrations, where the GIC-level check of gic/gic_invariants.c
 * only sees the hypervisor rewriting the registers.
 *
 * Only the report functions are compiled without GICSIM_INVARIANTS. */
#include "sys_internal.h"

#include "sys_invariants.h"

#include <stdlib.h>
#include <string.h>

struct sys_inv {
    gicsim_invariant_report rep;
};

typedef struct inv_vcpu {
    inv_ap act;              /* active priorities: acknowledged, not dropped */
    uint32_t vintid[2][128]; /* the vINTID each one belongs to */
    bool in_hw;              /* flushed to its PE's virtual CPU interface, not yet folded */
    /* The last flush: when, and per list register whether it wrote a
     * pending state and the record that pending instance had then. */
    gicsim_time_t flushed;
    bool lr_pending[GICSIM_MAX_LRS];
    uint64_t lr_seq[GICSIM_MAX_LRS]; /* (record numbers: a handle's slot is reused) */
} inv_vcpu;

void gicsim_system_invariants(const gicsim_system *s, gicsim_invariant_report *out)
{
    if (!out)
        return;
    inv_report_reset(out);
    if (!s)
        return;
    if (s->inv)
        *out = s->inv->rep;
    gicsim_invariant_report r;
    gicsim_gic_invariants(s->gic, &r);
    inv_report_merge(out, &r);
    gicsim_engine_invariants(s->e, &r);
    inv_report_merge(out, &r);
    out->enabled = GICSIM_INV_ENABLED;
}

gicsim_status gicsim_system_check_invariants(gicsim_system *s, char *msg, size_t len)
{
    if (msg && len)
        msg[0] = '\0';
    if (!s)
        return GICSIM_E_INVAL;
    GICSIM_INV(inv_sys_full(s, "gicsim_system_check_invariants"));
    gicsim_invariant_report r;
    gicsim_system_invariants(s, &r);
    return inv_report_status(&r, msg, len);
}

#if GICSIM_INV_ENABLED

#define NEVER GICSIM_TIME_NEVER

static gicsim_time_t now_of(const gicsim_system *s)
{
    return gicsim_engine_now(s->e);
}

gicsim_status inv_sys_init(gicsim_system *s)
{
    s->inv = calloc(1, sizeof *s->inv);
    if (!s->inv)
        return GICSIM_E_NOMEM;
    inv_report_reset(&s->inv->rep);
    return GICSIM_OK;
}

void inv_sys_free(gicsim_system *s)
{
    for (uint32_t m = 0; m < s->n_vms; m++)
        for (uint32_t i = 0; i < s->vms[m]->cfg.num_vcpus; i++) {
            free(s->vms[m]->vcpus[i].inv);
            s->vms[m]->vcpus[i].inv = NULL;
        }
    free(s->inv);
    s->inv = NULL;
}

static inv_vcpu *vinv(sys_vcpu *v)
{
    if (!v->inv)
        v->inv = calloc(1, sizeof *v->inv);
    return v->inv;
}

#define FAIL(s, where, ...) inv_fail(&(s)->inv->rep, now_of(s), where, __VA_ARGS__)

/* The active-priority registers of PE `pe`'s virtual CPU interface. */
static void read_vap(gicsim_system *s, uint32_t pe, inv_ap *out)
{
    memset(out, 0, sizeof *out);
    for (unsigned n = 0; n < inv_ap_regs(s->gic); n++) {
        uint64_t a0 = 0, a1 = 0;
        gicsim_ich_read(s->gic, pe, (gicsim_ich_reg)(GICSIM_ICH_AP0R0 + n), &a0);
        gicsim_ich_read(s->gic, pe, (gicsim_ich_reg)(GICSIM_ICH_AP1R0 + n), &a1);
        out->r[0][n] = (uint32_t)a0;
        out->r[1][n] = (uint32_t)a1;
    }
}

static uint64_t read_lr(gicsim_system *s, uint32_t pe, uint32_t n)
{
    uint64_t lr = 0;
    gicsim_ich_read(s->gic, pe, (gicsim_ich_reg)(GICSIM_ICH_LR0 + n), &lr);
    return lr;
}

static unsigned lr_state(uint64_t lr)
{
    return (unsigned)(lr >> GICSIM_LR_STATE_SHIFT) & 3u;
}

/* A directly injected interrupt, or an LPI: no active state to check. */
static bool no_active_state(const sys_vcpu *v, uint32_t vintid)
{
    return vintid >= GICSIM_LPI_BASE || (vintid < GICSIM_PPI_BASE && v->vm->pol->direct_sgi);
}

/* (c), virtual, for one vCPU: its active priorities where they are now (the
 * PE's registers, or the saved ICH_AP1R0), the running priority, and every
 * priority held belongs to an interrupt that is still active. */
static void check_vcpu(gicsim_system *s, sys_vcpu *v, const char *where)
{
    inv_vcpu *iv = v->inv;
    if (!iv || s->v5) /* a GICv5 host's vCPUs: gicv5_host_check */
        return;
    unsigned regs = inv_ap_regs(s->gic);
    s->inv->rep.checks++;
    if (iv->in_hw) {
        inv_ap m;
        read_vap(s, v->pe->id, &m);
        for (unsigned n = 0; n < regs; n++)
            for (unsigned grp = 0; grp < 2; grp++)
                if (m.r[grp][n] != iv->act.r[grp][n]) {
                    FAIL(s, where,
                         "vCPU %u.%u on PE %u: ICH_AP%uR%u = 0x%08x, but the guest holds "
                         "active priorities 0x%08x",
                         v->vm->id, v->idx, v->pe->id, grp, n, m.r[grp][n], iv->act.r[grp][n]);
                    iv->act = m;
                    return;
                }
        uint64_t rpr = 0;
        gicsim_icv_read(s->gic, v->pe->id, GICSIM_ICC_RPR, &rpr);
        unsigned want = inv_ap_running(s->gic, &iv->act);
        if (rpr != want)
            FAIL(s, where, "vCPU %u.%u: virtual running priority 0x%02x, highest active 0x%02x",
                 v->vm->id, v->idx, (unsigned)rpr, want);
    } else {
        for (unsigned n = 0; n < regs; n++)
            if (iv->act.r[1][n] != v->ap1r[n] || iv->act.r[0][n]) {
                FAIL(s, where,
                     "vCPU %u.%u: saved ICH_AP1R%u = 0x%08x, but the guest holds active "
                     "priorities 0x%08x (group 0: 0x%08x)",
                     v->vm->id, v->idx, n, v->ap1r[n], iv->act.r[1][n], iv->act.r[0][n]);
                break;
            }
    }
    for (unsigned grp = 0; grp < 2; grp++) {
        for (unsigned n = 0; n < regs; n++) {
            for (uint32_t bits = iv->act.r[grp][n]; bits; bits &= bits - 1) {
                unsigned idx = n * 32u + (unsigned)__builtin_ctz(bits);
                uint32_t vintid = iv->vintid[grp][idx];
                if (no_active_state(v, vintid))
                    continue;
                vgic_irq *q = vcpu_irq(s, v, vintid);
                bool active = false;
                if (q && iv->in_hw && q->lr >= 0)
                    active =
                        lr_state(read_lr(s, v->pe->id, (uint32_t)q->lr)) & GICSIM_LR_STATE_ACTIVE;
                else if (q)
                    active = q->active;
                if (!active) {
                    FAIL(s, where,
                         "vCPU %u.%u: active priority %u of group %u held for vINTID %u, which "
                         "is not active",
                         v->vm->id, v->idx, idx, grp, vintid);
                    return;
                }
            }
        }
    }
}

/* The number of bits set in a but not in b; the last one as (group, index). */
static unsigned diff(const gicsim_gic *g, const inv_ap *a, const inv_ap *b, unsigned *grp,
                     unsigned *idx)
{
    unsigned found = 0;
    for (unsigned gr = 0; gr < 2; gr++)
        for (unsigned n = 0; n < inv_ap_regs(g); n++)
            for (uint32_t d = a->r[gr][n] & ~b->r[gr][n]; d; d &= d - 1) {
                *grp = gr;
                *idx = n * 32u + (unsigned)__builtin_ctz(d);
                found++;
            }
    return found;
}

static unsigned lowest(const gicsim_gic *g, const inv_ap *a, unsigned grp)
{
    for (unsigned n = 0; n < inv_ap_regs(g); n++) {
        uint32_t w = grp == 2 ? a->r[0][n] | a->r[1][n] : a->r[grp][n];
        if (w)
            return n * 32u + (unsigned)__builtin_ctz(w);
    }
    return 128;
}

/* (e) A guest acknowledge goes to the instance the GIC held. Through a list
 * register: the instance the flush wrote there (the record the pending state
 * had at that flush, for an edge), asserted before that flush, and the
 * latency covers at least the VM entry after it (a trapping delivery passes
 * through the hypervisor after its assertion). Directly (a vLPI or vSGI of
 * a resident vPE): the latency covers at least the ITS's service and its
 * message to the redistributor. Either way the record was signalled first. */
static void check_ack_instance(gicsim_system *s, const gicsim_gic_event *ev, sys_vcpu *v,
                               inv_vcpu *iv, vgic_irq *q)
{
    static const char where[] = "system.c:on_gic_event";
    const gicsim_irq_record *r = record_get(s, q->rec_pending);
    uint32_t rec = q->rec_pending;
    s->inv->rep.checks++;
    if (q->lr >= 0 && q->lr < GICSIM_MAX_LRS) {
        unsigned lr = (unsigned)q->lr;
        /* With jitter a charge may be below its cost: no bound then. */
        gicsim_time_t entry = s->jitter ? 0 : hyp_entry_cost(s);
        if (!iv->lr_pending[lr])
            FAIL(s, where,
                 "vCPU %u.%u: vINTID %u acknowledged from ICH_LR%u, which the last flush did "
                 "not write pending",
                 v->vm->id, v->idx, ev->intid, lr);
        else if (!q->level && iv->lr_seq[lr] != record_seq(s, rec))
            FAIL(s, where,
                 "vCPU %u.%u: vINTID %u acknowledged from ICH_LR%u as record %lld, but the flush "
                 "wrote the pending instance of record %lld there",
                 v->vm->id, v->idx, ev->intid, lr, (long long)record_seq(s, rec),
                 (long long)iv->lr_seq[lr]);
        else if (r && r->t_assert > iv->flushed)
            FAIL(s, where,
                 "record %llu (source %u, vINTID %u) asserted at %llu ps, after the flush at %llu "
                 "ps that wrote the list register it was acknowledged from",
                 (unsigned long long)record_seq(s, rec), r->source, r->intid,
                 (unsigned long long)r->t_assert, (unsigned long long)iv->flushed);
        else if (r && ev->time - r->t_assert < entry)
            FAIL(s, where,
                 "record %llu (source %u, vINTID %u) acknowledged %llu ps after its assertion "
                 "through a list register: less than a VM entry (%llu ps)",
                 (unsigned long long)record_seq(s, rec), r->source, r->intid,
                 (unsigned long long)(ev->time - r->t_assert), (unsigned long long)entry);
        iv->lr_pending[lr] = false;
    } else if (ev->intid >= GICSIM_LPI_BASE ||
               (ev->intid < GICSIM_PPI_BASE && v->vm->pol->direct_sgi)) {
        gicsim_time_t its = s->c[GICSIM_COST_ITS_TRANSLATE] + s->c[GICSIM_COST_ITS_TO_REDIST];
        if (r && ev->time - r->t_assert < its)
            FAIL(s, where,
                 "record %llu (source %u, vINTID %u) acknowledged %llu ps after its assertion, "
                 "less than the ITS's path to the redistributor (%llu ps)",
                 (unsigned long long)record_seq(s, rec), r->source, r->intid,
                 (unsigned long long)(ev->time - r->t_assert), (unsigned long long)its);
    } else {
        FAIL(s, where,
             "vCPU %u.%u: vINTID %u acknowledged, but it is in no list register and not "
             "injected directly",
             v->vm->id, v->idx, ev->intid);
    }
    if (r && r->t_signal == NEVER)
        FAIL(s, where, "record %llu (source %u, vINTID %u) acknowledged but never signalled",
             (unsigned long long)record_seq(s, rec), r->source, r->intid);
}

void inv_sys_gic_event(gicsim_system *s, const gicsim_gic_event *ev, sys_vcpu *v, vgic_irq *q)
{
    static const char where[] = "system.c:on_gic_event";
    if (!s->inv || (ev->kind != GICSIM_GEV_VACK && ev->kind != GICSIM_GEV_VPRIO_DROP))
        return;
    /* (a) A record is acknowledged once, and never after it merged. */
    const gicsim_irq_record *r =
        q && ev->kind == GICSIM_GEV_VACK ? record_get(s, q->rec_pending) : NULL;
    if (r) {
        s->inv->rep.checks++;
        if (r->t_ack != NEVER)
            FAIL(s, where,
                 "record %llu (source %u, vINTID %u) acknowledged twice: at %llu ps and %llu ps",
                 (unsigned long long)record_seq(s, q->rec_pending), r->source, r->intid,
                 (unsigned long long)r->t_ack, (unsigned long long)ev->time);
        else if (r->merged)
            FAIL(s, where, "record %llu (source %u, vINTID %u) merged, then acknowledged",
                 (unsigned long long)record_seq(s, q->rec_pending), r->source, r->intid);
    }
    inv_vcpu *iv = v && !s->v5 ? vinv(v) : NULL; /* GICv5: gicv5_host_check */
    if (!iv)
        return;
    if (q && ev->kind == GICSIM_GEV_VACK)
        check_ack_instance(s, ev, v, iv, q);
    /* (c) The guest's active priorities: an acknowledge adds exactly one, of
     * a higher priority than all those held; a priority drop removes exactly
     * the highest of its group. */
    inv_ap m;
    read_vap(s, ev->pe, &m);
    unsigned grp = 0, idx = 0, g2, i2;
    s->inv->rep.checks++;
    if (!iv->in_hw) {
        FAIL(s, where, "vCPU %u.%u: %s while its state is not in the list registers", v->vm->id,
             v->idx, gicsim_gic_event_name(ev->kind));
    } else if (ev->kind == GICSIM_GEV_VACK) {
        unsigned top = lowest(s->gic, &iv->act, 2);
        if (diff(s->gic, &m, &iv->act, &grp, &idx) != 1 || diff(s->gic, &iv->act, &m, &g2, &i2))
            FAIL(s, where, "vCPU %u.%u: acknowledge of vINTID %u did not add one active priority",
                 v->vm->id, v->idx, ev->intid);
        else if (idx >= top)
            FAIL(s, where,
                 "vCPU %u.%u: vINTID %u acknowledged at active priority %u, not higher than "
                 "the one held (%u)",
                 v->vm->id, v->idx, ev->intid, idx, top);
        else
            iv->vintid[grp][idx] = ev->intid;
    } else {
        if (diff(s->gic, &iv->act, &m, &grp, &idx) != 1 || diff(s->gic, &m, &iv->act, &g2, &i2))
            FAIL(s, where, "vCPU %u.%u: priority drop did not remove one active priority",
                 v->vm->id, v->idx);
        else if (idx != lowest(s->gic, &iv->act, grp))
            FAIL(s, where,
                 "vCPU %u.%u: priority drop removed active priority %u, not the highest (%u)",
                 v->vm->id, v->idx, idx, lowest(s->gic, &iv->act, grp));
    }
    iv->act = m;
    check_vcpu(s, v, where);
}

/* (b) After a flush: list registers 0 .. used_lrs-1 hold the first entries
 * of the software pending list, each the vgic_irq that records that list
 * register, with its vINTID and state; the others are invalid; no vgic_irq
 * is in two list registers and no vINTID is pending in two; an interrupt
 * left out pending means every list register holds a pending one (the NPIE
 * livelock argument of vgic.c). The report keeps the check's name
 * "hyp.c:flush" (and "hyp.c:fold" below), which reports, tests and
 * docs/invariants.md use, though both now run in vgic.c. */
void inv_sys_flush(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    static const char where[] = "hyp.c:flush";
    if (!s->inv)
        return;
    uint32_t nlr = s->cfg.gic.num_lrs;
    uint64_t lrs[GICSIM_MAX_LRS];
    s->inv->rep.checks++;
    for (uint32_t p = 0; p < s->num_pes; p++)
        if (&s->pes[p] != pe && s->pes[p].vcpu == v)
            FAIL(s, where, "vCPU %u.%u flushed on PE %u while also loaded on PE %u", v->vm->id,
                 v->idx, pe->id, p);
    if (pe->vcpu != v || v->pe != pe || v->used_lrs > nlr) {
        FAIL(s, where, "PE %u: flush of vCPU %u.%u that is not loaded there (or %u LRs used)",
             pe->id, v->vm->id, v->idx, v->used_lrs);
        return;
    }
    bool all_pending = true;
    inv_vcpu *iv = vinv(v);
    if (iv) {
        iv->flushed = now_of(s);
        memset(iv->lr_pending, 0, sizeof iv->lr_pending);
    }
    for (uint32_t i = 0; i < nlr; i++) {
        uint64_t lr = lrs[i] = read_lr(s, pe->id, i);
        unsigned st = lr_state(lr);
        uint32_t vintid = (uint32_t)(lr & GICSIM_LR_VINTID_MASK);
        if (i >= v->used_lrs) {
            if (st != GICSIM_LR_STATE_INVALID || v->lr_irq[i])
                FAIL(s, where, "vCPU %u.%u: ICH_LR%u beyond the %u used is not empty (state %u)",
                     v->vm->id, v->idx, i, v->used_lrs, st);
            continue;
        }
        all_pending &= st == GICSIM_LR_STATE_PENDING;
        const vgic_irq *q = v->lr_irq[i];
        if (iv) {
            iv->lr_pending[i] = (st & GICSIM_LR_STATE_PENDING) != 0;
            iv->lr_seq[i] = q ? record_seq(s, q->rec_pending) : UINT64_MAX;
        }
        if (!q || !q->queued || q->lr != (int)i || vcpu_irq(s, v, vintid) != q) {
            FAIL(s, where,
                 "vCPU %u.%u: ICH_LR%u holds vINTID %u, which is not the queued interrupt "
                 "recorded in that list register",
                 v->vm->id, v->idx, i, vintid);
            continue;
        }
        bool lr_active = st & GICSIM_LR_STATE_ACTIVE;
        if (vintid != q->vintid || st == GICSIM_LR_STATE_INVALID || lr_active != q->active ||
            !(lr & GICSIM_LR_HW) != !q->hw)
            FAIL(s, where,
                 "vCPU %u.%u: ICH_LR%u = 0x%016llx does not match vINTID %u (active %d, hw %d)",
                 v->vm->id, v->idx, i, (unsigned long long)lr, q->vintid, q->active, q->hw);
        /* HW=1: the guest's deactivation deactivates the physical interrupt,
         * which must therefore be active. */
        gicsim_irq_state ps = GICSIM_IRQ_ACTIVE;
        uint32_t pintid = (uint32_t)((lr & GICSIM_LR_PINTID_MASK) >> GICSIM_LR_PINTID_SHIFT);
        if ((lr & GICSIM_LR_HW) &&
            (gicsim_gic_irq_state(s->gic, pe->id, pintid, &ps) != GICSIM_OK ||
             !(ps & GICSIM_IRQ_ACTIVE)))
            FAIL(s, where,
                 "vCPU %u.%u: ICH_LR%u holds vINTID %u with HW=1, but pINTID %u is not active",
                 v->vm->id, v->idx, i, vintid, pintid);
        for (uint32_t k = 0; k < i; k++) {
            if (v->lr_irq[k] == q)
                FAIL(s, where, "vCPU %u.%u: vINTID %u in ICH_LR%u and ICH_LR%u", v->vm->id, v->idx,
                     vintid, k, i);
            else if ((st & GICSIM_LR_STATE_PENDING) && (lr_state(lrs[k]) & 1u) &&
                     (uint32_t)(lrs[k] & GICSIM_LR_VINTID_MASK) == vintid)
                FAIL(s, where, "vCPU %u.%u: vINTID %u pending in ICH_LR%u and ICH_LR%u", v->vm->id,
                     v->idx, vintid, k, i);
        }
    }
    for (uint32_t i = 0; i < v->n_ap; i++) {
        const vgic_irq *q = v->ap[i];
        if (!q->queued || (q->lr >= 0 && (q->lr >= (int)v->used_lrs || v->lr_irq[q->lr] != q)))
            FAIL(s, where, "vCPU %u.%u: list entry %u (vINTID %u) claims ICH_LR%d", v->vm->id,
                 v->idx, i, q->vintid, q->lr);
        else if (q->lr < 0 && virq_pending(q) && !q->active && !all_pending)
            FAIL(s, where,
                 "vCPU %u.%u: vINTID %u is pending outside the list registers while one of "
                 "them holds an active interrupt",
                 v->vm->id, v->idx, q->vintid);
        for (uint32_t k = 0; k < i; k++)
            if (v->ap[k] == q)
                FAIL(s, where, "vCPU %u.%u: vINTID %u twice in the pending list", v->vm->id, v->idx,
                     q->vintid);
    }
    if (iv) {
        iv->in_hw = true;
        check_vcpu(s, v, where);
    }
}

/* After a fold: every list register cleared, the software state owns every
 * interrupt again, the active priorities are saved. */
void inv_sys_fold(gicsim_system *s, sys_pe *pe, sys_vcpu *v)
{
    static const char where[] = "hyp.c:fold";
    if (!s->inv)
        return;
    s->inv->rep.checks++;
    for (uint32_t i = 0; i < s->cfg.gic.num_lrs; i++)
        if (lr_state(read_lr(s, pe->id, i)) != GICSIM_LR_STATE_INVALID || v->lr_irq[i])
            FAIL(s, where, "vCPU %u.%u: ICH_LR%u still in use after the fold", v->vm->id, v->idx,
                 i);
    for (uint32_t i = 0; i < v->n_ap; i++)
        if (v->ap[i]->lr >= 0)
            FAIL(s, where, "vCPU %u.%u: vINTID %u still claims ICH_LR%d after the fold", v->vm->id,
                 v->idx, v->ap[i]->vintid, v->ap[i]->lr);
    inv_vcpu *iv = vinv(v);
    if (iv) {
        iv->in_hw = false;
        check_vcpu(s, v, where);
    }
}

/* (a) One record: it belongs to a source (a host timer's to no VM, any
 * other to a VM of the system) and its times are in order. NULL if sound. */
static const char *record_fault(gicsim_system *s, const gicsim_irq_record *r)
{
    bool acked = r->t_ack != NEVER;
    const sys_source *so = source_of(s, r->source);
    bool host = so && so->cfg.kind == GICSIM_SRC_HOST_TIMER;
    if (!so)
        return "belongs to no source";
    if (host && (r->vm != SYS_NONE || r->vcpu != SYS_NONE))
        return "is a host timer's but names a vCPU";
    if (!host && r->vm >= s->n_vms)
        return "names no VM of the system";
    if (r->merged && acked)
        return "merged and delivered";
    if (acked && r->t_ack < r->t_assert)
        return "acknowledged before it was asserted";
    if (r->t_signal != NEVER && (r->t_signal < r->t_assert || r->t_signal > r->t_ack))
        return "signalled before its assertion or after its acknowledge";
    if (acked && r->t_signal == NEVER)
        return "delivered without a signal time";
    if ((r->t_eoi != NEVER && (!acked || r->t_eoi < r->t_ack)) ||
        (r->t_deact != NEVER && (!acked || r->t_deact < r->t_ack)))
        return "ended without or before its acknowledge";
    return NULL;
}

void inv_sys_record_done(gicsim_system *s, const gicsim_irq_record *r, uint64_t seq)
{
    if (!s->inv)
        return;
    s->inv->rep.checks++;
    const char *bad = record_fault(s, r);
    if (bad)
        FAIL(s, "records.c:sweep", "record %llu (source %u, vINTID %u): %s",
             (unsigned long long)seq, r->source, r->intid, bad);
}

static void check_open(void *ctx, uint64_t seq, const gicsim_irq_record *r)
{
    struct {
        gicsim_system *s;
        const char *where;
        uint64_t n, merged, delivered;
        bool failed;
    } *c = ctx;
    c->n++;
    c->merged += r->merged;
    c->delivered += r->t_ack != NEVER;
    const char *bad = c->failed ? NULL : record_fault(c->s, r);
    if (bad) {
        c->failed = true;
        FAIL(c->s, c->where, "record %llu (source %u, vINTID %u): %s", (unsigned long long)seq,
             r->source, r->intid, bad);
    }
}

/* (a) The records against the statistics: those completed (checked when
 * they were) and those still open. */
static void check_records(gicsim_system *s, const char *where)
{
    struct {
        gicsim_system *s;
        const char *where;
        uint64_t n, merged, delivered;
        bool failed;
    } c = {s, where, 0, 0, 0, false};
    s->inv->rep.checks++;
    gicsim_system_foreach_open_record(s, check_open, &c);
    if (c.failed)
        return;
    const rec_store *rs = &s->recs;
    const gicsim_system_stats *st = &s->st;
    uint64_t total = c.n + rs->released;
    uint64_t merged = c.merged + rs->released_merged;
    uint64_t delivered = c.delivered + rs->released_delivered;
    if (st->asserted != total || st->merged != merged || st->delivered != delivered ||
        delivered + merged > st->asserted)
        FAIL(s, where,
             "asserted %llu (records %llu), delivered %llu (acknowledged records %llu), merged "
             "%llu (merged records %llu)",
             (unsigned long long)st->asserted, (unsigned long long)total,
             (unsigned long long)st->delivered, (unsigned long long)delivered,
             (unsigned long long)st->merged, (unsigned long long)merged);
}

/* The scheduler: a vCPU is loaded on at most one PE, which its pe names; a
 * vCPU in a run queue waits for that PE only, once, runnable, not loaded. */
static void check_sched(gicsim_system *s, const char *where)
{
    s->inv->rep.checks++;
    for (uint32_t p = 0; p < s->num_pes; p++) {
        const sys_pe *pe = &s->pes[p];
        const sys_vcpu *v = pe->vcpu;
        if (v && v->pe != pe) {
            FAIL(s, where, "vCPU %u.%u loaded on PE %u names PE %u", v->vm->id, v->idx, p,
                 v->pe->id);
            return;
        }
        for (uint32_t i = 0; i < pe->n_rq; i++) {
            const sys_vcpu *w = pe->rq[i];
            bool loaded = false, twice = false;
            for (uint32_t p2 = 0; p2 < s->num_pes; p2++) {
                loaded |= s->pes[p2].vcpu == w;
                for (uint32_t k = 0; k < s->pes[p2].n_rq; k++)
                    twice |= s->pes[p2].rq[k] == w && (p2 != p || k != i);
            }
            if (w->state != VS_RUNNABLE || w->pe != pe || loaded || twice) {
                FAIL(s, where, "vCPU %u.%u in the run queue of PE %u: state %d, names PE %u%s%s",
                     w->vm->id, w->idx, p, (int)w->state, w->pe->id, loaded ? ", loaded" : "",
                     twice ? ", queued twice" : "");
                return;
            }
        }
    }
}

void inv_sys_full(gicsim_system *s, const char *where)
{
    if (!s->inv)
        return;
    check_records(s, where);
    check_sched(s, where);
    if (s->v5) {
        char msg[256];
        s->inv->rep.checks++;
        if (gicv5_host_check(s, msg, sizeof msg))
            FAIL(s, where, "%s", msg);
    }
    for (uint32_t m = 0; m < s->n_vms; m++)
        for (uint32_t i = 0; i < s->vms[m]->cfg.num_vcpus; i++)
            check_vcpu(s, &s->vms[m]->vcpus[i], where);
    inv_gic_full(s->gic, where);
}

#endif /* GICSIM_INV_ENABLED */
