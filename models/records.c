/* gicsim: per-interrupt records, streamed (see sys_internal.h and
 * <gicsim/system.h>).
 *
 * A record lives in a slot of a pool while its instance is in flight. The
 * model refers to it by slot index (a handle) from its state: the virtual
 * interrupts' pending, active, latched and maintenance instances, the exit
 * being handled, a kick on its way, the instance pending in the physical
 * GIC, the messages in flight through the ITS, the hypervisor operations
 * queued with one. When the pool reaches a threshold a sweep is due; it runs
 * at the next point where no handle is held outside that state (the entry of
 * an engine event of the system: a PE's operation, an arrival; the end of
 * gicsim_system_run_for), marks every handle the state holds and completes
 * every record that none names: no part of the model can reach it, so none
 * can change it. The threshold grows with what survives a sweep and with
 * the number of handles a sweep visits, so sweeping costs O(1) per record.
 *
 * With a sink or gicsim_system_keep_records, records are passed on in
 * order of assertion: a ring maps each record number (seq) from the oldest
 * record not passed on yet to its slot, and a complete record is passed on,
 * and its slot freed, once every earlier one has been. Without either, a
 * complete record's slot is freed at once. */
#include "sys_internal.h"

#include "sys_invariants.h"

#include <stdlib.h>
#include <string.h>

enum { REC_USED = 1, REC_MARK = 2, REC_DONE = 4 };

/* The first sweep, and the least number of new records between two. */
#define SWEEP_MIN 4096u

static void slot_release(rec_store *rs, uint32_t i)
{
    rs->released++;
    rs->released_merged += rs->slot[i].r.merged;
    rs->released_delivered += rs->slot[i].r.t_ack != GICSIM_TIME_NEVER;
    rs->slot[i].flags = 0;
    rs->slot[i].next_free = rs->free_head;
    rs->free_head = i;
    rs->live--;
}

static bool pool_grow(rec_store *rs)
{
    uint32_t cap = rs->cap ? rs->cap * 2 : 1024;
    if (cap <= rs->cap || cap >= SYS_NONE)
        return false;
    sys_rec *nv = realloc(rs->slot, (size_t)cap * sizeof *nv);
    if (!nv)
        return false;
    rs->slot = nv;
    for (uint32_t i = cap; i-- > rs->cap;) {
        nv[i].flags = 0;
        nv[i].next_free = rs->free_head;
        rs->free_head = i;
    }
    rs->cap = cap;
    return true;
}

/* Room in the ring for one more record number. */
static bool ring_reserve(rec_store *rs)
{
    uint64_t used = rs->next_seq - rs->head;
    if (used < rs->ring_cap)
        return true;
    uint32_t cap = rs->ring_cap ? rs->ring_cap * 2 : 1024;
    if (cap <= rs->ring_cap)
        return false;
    uint32_t *nv = malloc((size_t)cap * sizeof *nv);
    if (!nv)
        return false;
    for (uint64_t q = rs->head; q < rs->next_seq; q++)
        nv[q & (cap - 1u)] = rs->ring[q & (rs->ring_cap - 1u)];
    free(rs->ring);
    rs->ring = nv;
    rs->ring_cap = cap;
    return true;
}

uint32_t record_new(gicsim_system *s, uint32_t src, uint32_t vm, uint32_t vcpu, uint32_t intid)
{
    rec_store *rs = &s->recs;
    if ((rs->free_head == SYS_NONE && !pool_grow(rs)) || (rs->ordered && !ring_reserve(rs))) {
        sys_oom(s);
        return SYS_NONE;
    }
    uint32_t i = rs->free_head;
    sys_rec *x = &rs->slot[i];
    rs->free_head = x->next_free;
    rs->live++;
    if (rs->live >= rs->sweep_at)
        s->rec_sweep_due = true;
    x->flags = REC_USED;
    x->seq = rs->next_seq;
    if (rs->ordered)
        rs->ring[rs->next_seq & (rs->ring_cap - 1u)] = i;
    rs->next_seq++;
    gicsim_irq_record *r = &x->r;
    memset(r, 0, sizeof *r);
    r->source = src;
    r->vm = vm;
    r->vcpu = vcpu;
    r->intid = intid;
    r->t_assert = gicsim_engine_now(s->e);
    r->t_signal = r->t_ack = r->t_eoi = r->t_deact = GICSIM_TIME_NEVER;
    s->st.asserted++;
    return i;
}

void record_merge(gicsim_system *s, uint32_t rec)
{
    gicsim_irq_record *r = record_get(s, rec);
    if (r && !r->merged) {
        r->merged = true;
        s->st.merged++;
    }
}

uint64_t record_seq(const gicsim_system *s, uint32_t rec)
{
    const rec_store *rs = &s->recs;
    return rec < rs->cap && (rs->slot[rec].flags & REC_USED) ? rs->slot[rec].seq : UINT64_MAX;
}

void records_mark(gicsim_system *s, uint32_t rec)
{
    if (rec < s->recs.cap)
        s->recs.slot[rec].flags |= REC_MARK;
}

/* Pass the complete records at the head of the order on, oldest first. */
static void emit_ready(gicsim_system *s)
{
    rec_store *rs = &s->recs;
    uint32_t mask = rs->ring_cap - 1u;
    while (rs->head < rs->next_seq) {
        uint32_t i = rs->ring[rs->head & mask];
        if (i != SYS_NONE) {
            sys_rec *x = &rs->slot[i];
            if (!(x->flags & REC_DONE))
                break;
            if (rs->keep) {
                if (rs->n_kept == rs->cap_kept) {
                    size_t cap = rs->cap_kept ? rs->cap_kept * 2 : 1024;
                    gicsim_irq_record *nv = realloc(rs->kept, cap * sizeof *nv);
                    if (!nv) {
                        sys_oom(s);
                        return;
                    }
                    rs->kept = nv;
                    rs->cap_kept = cap;
                }
                rs->kept[rs->n_kept++] = x->r;
            }
            for (unsigned k = 0; k < rs->n_sinks; k++)
                rs->sink[k].fn(rs->sink[k].ctx, x->seq, &x->r);
            slot_release(rs, i);
        }
        rs->head++;
    }
}

static void sweep(gicsim_system *s)
{
    rec_store *rs = &s->recs;
    s->rec_sweep_due = false;
    rs->sweeps++;
    for (uint32_t i = 0; i < rs->cap; i++)
        rs->slot[i].flags &= (uint8_t)~REC_MARK;
    records_mark_roots(s);
    for (uint32_t i = 0; i < rs->cap; i++) {
        sys_rec *x = &rs->slot[i];
        if ((x->flags & (REC_USED | REC_MARK | REC_DONE)) != REC_USED)
            continue;
        x->flags |= REC_DONE;
        GICSIM_INV(inv_sys_record_done(s, &x->r, x->seq));
        if (!rs->ordered)
            slot_release(rs, i);
    }
    if (rs->ordered)
        emit_ready(s);
    /* The next sweep: after as many new records as survived this one (so
     * each record is visited O(1) times) and at least the handles a sweep
     * visits (so that visiting them is O(1) per record). */
    uint64_t roots = 64u + 64u * (uint64_t)s->num_pes + 256u * (uint64_t)s->n_src;
    for (uint32_t m = 0; m < s->n_vms; m++)
        roots += gicsim_gic_num_spis(s->gic) + 32u * s->vms[m]->cfg.num_vcpus;
    uint64_t at = 2u * (uint64_t)rs->live;
    if (at < rs->live + (uint64_t)rs->sweep_min)
        at = rs->live + (uint64_t)rs->sweep_min;
    if (at < rs->live + roots / 4u)
        at = rs->live + roots / 4u;
    if (!rs->sweep_min)
        at = 0; /* tests: at every point */
    rs->sweep_at = at >= SYS_NONE ? SYS_NONE - 1u : (uint32_t)at;
}

void records_sweep(gicsim_system *s)
{
    sweep(s);
}

void records_sweep_every(gicsim_system *s, uint32_t interval)
{
    s->recs.sweep_min = interval;
    s->recs.sweep_at = interval ? interval : 0;
    if (interval == UINT32_MAX)
        s->recs.sweep_at = SYS_NONE;
}

void records_init(gicsim_system *s)
{
    rec_store *rs = &s->recs;
    rs->free_head = SYS_NONE;
    rs->sweep_min = SWEEP_MIN;
    rs->sweep_at = SWEEP_MIN;
}

void records_free(gicsim_system *s)
{
    free(s->recs.slot);
    free(s->recs.ring);
    free(s->recs.kept);
}

/* ---- Public calls ------------------------------------------------------------------------ */

/* The stream becomes ordered: only before the first record, so that every
 * record number from 0 goes through the ring. */
static gicsim_status make_ordered(gicsim_system *s)
{
    if (s->recs.next_seq)
        return GICSIM_E_STATE;
    s->recs.ordered = true;
    return GICSIM_OK;
}

gicsim_status gicsim_system_add_record_sink(gicsim_system *s, gicsim_record_fn fn, void *ctx)
{
    if (!s || !fn)
        return GICSIM_E_INVAL;
    rec_store *rs = &s->recs;
    if (rs->n_sinks == sizeof rs->sink / sizeof rs->sink[0])
        return GICSIM_E_FULL;
    gicsim_status st = make_ordered(s);
    if (st != GICSIM_OK)
        return st;
    rs->sink[rs->n_sinks].fn = fn;
    rs->sink[rs->n_sinks].ctx = ctx;
    rs->n_sinks++;
    return GICSIM_OK;
}

gicsim_status gicsim_system_keep_records(gicsim_system *s)
{
    if (!s)
        return GICSIM_E_INVAL;
    gicsim_status st = make_ordered(s);
    if (st == GICSIM_OK)
        s->recs.keep = true;
    return st;
}

static int by_seq(const void *a, const void *b)
{
    uint64_t x = ((const sys_rec *)a)->seq, y = ((const sys_rec *)b)->seq;
    return x < y ? -1 : x > y;
}

void gicsim_system_foreach_open_record(const gicsim_system *s, gicsim_record_fn fn, void *ctx)
{
    if (!s || !fn)
        return;
    const rec_store *rs = &s->recs;
    if (rs->ordered) {
        for (uint64_t q = rs->head; q < rs->next_seq; q++) {
            uint32_t i = rs->ring[q & (rs->ring_cap - 1u)];
            if (i != SYS_NONE)
                fn(ctx, q, &rs->slot[i].r);
        }
        return;
    }
    /* Unordered: the records in flight, sorted by number (a copy; if it
     * cannot be made, one pass per record in number order). */
    sys_rec *v = malloc((size_t)(rs->live ? rs->live : 1) * sizeof *v);
    size_t n = 0;
    if (v) {
        for (uint32_t i = 0; i < rs->cap; i++)
            if (rs->slot[i].flags & REC_USED)
                v[n++] = rs->slot[i];
        qsort(v, n, sizeof *v, by_seq);
        for (size_t k = 0; k < n; k++)
            fn(ctx, v[k].seq, &v[k].r);
        free(v);
        return;
    }
    for (uint64_t last = 0, first = 1;;) {
        uint32_t best = SYS_NONE;
        for (uint32_t i = 0; i < rs->cap; i++)
            if ((rs->slot[i].flags & REC_USED) && (first || rs->slot[i].seq > last) &&
                (best == SYS_NONE || rs->slot[i].seq < rs->slot[best].seq))
                best = i;
        if (best == SYS_NONE)
            return;
        fn(ctx, rs->slot[best].seq, &rs->slot[best].r);
        last = rs->slot[best].seq;
        first = 0;
    }
}

size_t gicsim_system_record_count(const gicsim_system *s)
{
    return s && s->recs.keep ? (size_t)s->recs.next_seq : 0;
}

const gicsim_irq_record *gicsim_system_record(const gicsim_system *s, size_t i)
{
    if (!s || !s->recs.keep || i >= s->recs.next_seq)
        return NULL;
    const rec_store *rs = &s->recs;
    if (i < rs->n_kept)
        return &rs->kept[i];
    uint32_t k = rs->ring[i & (rs->ring_cap - 1u)];
    return k == SYS_NONE ? NULL : &rs->slot[k].r;
}

/* ---- Roots: every handle the system holds --------------------------------------------------- */

static void mark_virq(gicsim_system *s, const vgic_irq *q)
{
    records_mark(s, q->rec_pending);
    records_mark(s, q->rec_active);
    records_mark(s, q->rec_maint);
    records_mark(s, q->rec_latched);
}

static void mark_ops(gicsim_system *s, const op_queue *q)
{
    for (uint32_t i = 0; i < q->len; i++)
        records_mark(s, hyp_op_record(&q->v[(q->head + i) & (q->cap - 1u)]));
}

static void mark_flight(gicsim_system *s, const flight_fifo *f)
{
    for (uint32_t i = 0; i < f->len; i++)
        records_mark(s, f->v[(f->head + i) & (f->cap - 1u)].rec);
}

void records_mark_roots(gicsim_system *s)
{
    records_mark(s, s->inject_rec);
    for (uint32_t i = 0; i < 1024; i++)
        records_mark(s, s->spi_rec[i]);
    for (uint32_t p = 0; p < s->num_pes; p++) {
        const sys_pe *pe = &s->pes[p];
        records_mark(s, pe->kick_rec);
        if (pe->in_exit) {
            records_mark(s, pe->exit_rec);
            records_mark(s, hyp_exit_record(pe->exit_reason, pe->exit_data));
        }
        if (pe->busy)
            records_mark(s, hyp_op_record(&pe->cur));
        mark_ops(s, &pe->hyp);
    }
    uint32_t nspis = gicsim_gic_num_spis(s->gic);
    for (uint32_t m = 0; m < s->n_vms; m++) {
        const sys_vm *vm = s->vms[m];
        for (uint32_t i = 0; i < nspis; i++)
            mark_virq(s, &vm->spis[i]);
        for (uint32_t k = 0; k < vm->cfg.num_vcpus; k++) {
            const sys_vcpu *v = &vm->vcpus[k];
            for (uint32_t i = 0; i < 32; i++)
                mark_virq(s, &v->banked[i]);
            records_mark(s, v->timer_rec);
            records_mark(s, v->doorbell_rec);
            mark_ops(s, &v->guest);
        }
    }
    for (uint32_t i = 0; i < s->n_src; i++) {
        const sys_source *so = &s->src[i];
        if (so->virq)
            mark_virq(s, so->virq);
        records_mark(s, so->phys_rec);
        records_mark(s, so->host_pending);
        records_mark(s, so->host_active);
        mark_flight(s, &so->flight);
    }
    gicv4_mark_records(s);
}
