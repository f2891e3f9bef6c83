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
 * complete record's slot is freed at once.
 *
 * An instance that stays in flight holds back every record behind it. When
 * SPILL_MIN records wait so (and records are not kept), the sweep spills
 * them: the complete ones go to a temporary file in record order and free
 * their slots, the others are held out (their slots listed in order); the
 * stream then reads the file back as the head moves on. Memory stays
 * bounded by the records in flight; the file holds 112 bytes per record
 * held back and is emptied whenever the stream catches up. */
#include "sys_internal.h"

#include "sys_invariants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { REC_USED = 1, REC_MARK = 2, REC_DONE = 4 };

/* The first sweep, and the least number of new records between two. */
#define SWEEP_MIN 4096u
/* Records waiting behind one in flight before they are spilled. */
#define SPILL_MIN 65536u
/* Records read back from the spill file at a time. */
#define SPILL_READ 256u

/* A record in the spill file (this process's own layout: the file is
 * temporary). */
typedef struct spill_entry {
    uint64_t seq;
    gicsim_irq_record r;
} spill_entry;

typedef struct rec_hold {
    uint64_t seq;
    uint32_t slot;
} rec_hold;

struct rec_spill {
    FILE *f;      /* tmpfile(): removed when closed */
    off_t rd, wr; /* byte offsets: the next entry to read, the end */
    spill_entry buf[SPILL_READ];
    size_t buf_n, buf_pos; /* entries read ahead into buf, the next one */
    uint64_t end;          /* records [head, end) are spilled or held out */
    rec_hold *hold;        /* the held out ones, in record order */
    size_t hold_first, n_hold, cap_hold;
};

/* The record leaves the store (passed on, or complete without a sink): the
 * invariant checker's totals. */
static void count_gone(rec_store *rs, const gicsim_irq_record *r)
{
    rs->released++;
    rs->released_merged += r->merged;
    rs->released_delivered += r->t_ack != GICSIM_TIME_NEVER;
}

static void slot_release(rec_store *rs, uint32_t i)
{
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
    uint64_t used = rs->next_seq - rs->rbase;
    if (used < rs->ring_cap)
        return true;
    uint32_t cap = rs->ring_cap ? rs->ring_cap * 2 : 1024;
    if (cap <= rs->ring_cap)
        return false;
    uint32_t *nv = malloc((size_t)cap * sizeof *nv);
    if (!nv)
        return false;
    for (uint64_t q = rs->rbase; q < rs->next_seq; q++)
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
    r->t_assert = engine_now(s->e);
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

/* Pass record `seq` on: keep it, give it to the sinks. */
static bool pass_on(gicsim_system *s, uint64_t seq, const gicsim_irq_record *r)
{
    rec_store *rs = &s->recs;
    if (rs->keep) {
        if (rs->n_kept == rs->cap_kept) {
            size_t cap = rs->cap_kept ? rs->cap_kept * 2 : 1024;
            gicsim_irq_record *nv = realloc(rs->kept, cap * sizeof *nv);
            if (!nv) {
                sys_oom(s);
                return false;
            }
            rs->kept = nv;
            rs->cap_kept = cap;
        }
        rs->kept[rs->n_kept++] = *r;
    }
    for (unsigned k = 0; k < rs->n_sinks; k++)
        rs->sink[k].fn(rs->sink[k].ctx, seq, r);
    count_gone(rs, r);
    return true;
}

/* The next entry of the spill file (read ahead SPILL_READ at a time), NULL
 * if it cannot be read. */
static const spill_entry *spill_next(struct rec_spill *sp)
{
    if (sp->buf_pos == sp->buf_n) {
        size_t want = (size_t)(sp->wr - sp->rd) / sizeof(spill_entry);
        if (want > SPILL_READ)
            want = SPILL_READ;
        ssize_t got = want ? pread(fileno(sp->f), sp->buf, want * sizeof(spill_entry), sp->rd) : 0;
        if (got <= 0 || (size_t)got % sizeof(spill_entry))
            return NULL;
        sp->rd += got;
        sp->buf_n = (size_t)got / sizeof(spill_entry);
        sp->buf_pos = 0;
    }
    return &sp->buf[sp->buf_pos++];
}

/* Pass the complete records at the head of the order on, oldest first:
 * spilled ones from the file, held out and recent ones from their slots. */
static void emit_ready(gicsim_system *s)
{
    rec_store *rs = &s->recs;
    struct rec_spill *sp = rs->spill;
    while (sp && rs->head < sp->end) {
        if (sp->hold_first < sp->n_hold && sp->hold[sp->hold_first].seq == rs->head) {
            uint32_t i = sp->hold[sp->hold_first].slot;
            if (!(rs->slot[i].flags & REC_DONE))
                return;
            if (!pass_on(s, rs->head, &rs->slot[i].r))
                return;
            slot_release(rs, i);
            sp->hold_first++;
        } else {
            const spill_entry *x = spill_next(sp);
            if (!x || x->seq != rs->head) {
                sys_oom(s); /* the file failed us: no complete stream */
                return;
            }
            if (!pass_on(s, x->seq, &x->r))
                return;
        }
        rs->head++;
        if (rs->head == sp->end) { /* caught up: the file is empty again */
            sp->rd = sp->wr = 0;
            sp->buf_n = sp->buf_pos = 0;
            sp->hold_first = sp->n_hold = 0;
            if (ftruncate(fileno(sp->f), 0) != 0) {
                /* The space stays allocated until the next spill rewrites it. */
            }
        }
    }
    uint32_t mask = rs->ring_cap - 1u;
    while (rs->head < rs->next_seq) {
        uint32_t i = rs->ring[rs->head & mask];
        sys_rec *x = &rs->slot[i];
        if (!(x->flags & REC_DONE))
            break;
        if (!pass_on(s, x->seq, &x->r))
            return;
        slot_release(rs, i);
        rs->head++;
        rs->rbase = rs->head;
    }
}

static bool spill_write(struct rec_spill *sp, const spill_entry *v, size_t n, off_t *at)
{
    size_t bytes = n * sizeof *v;
    if (pwrite(fileno(sp->f), v, bytes, *at) != (ssize_t)bytes)
        return false;
    *at += (off_t)bytes;
    return true;
}

/* Records wait behind one in flight: spill those of the ring, the complete
 * ones to the file (in order, their slots freed), the others held out.
 * Nothing happens when the file cannot be had (memory grows instead). */
static void spill(gicsim_system *s)
{
    rec_store *rs = &s->recs;
    if (!rs->spill) {
        rs->spill = calloc(1, sizeof *rs->spill);
        if (rs->spill && !(rs->spill->f = tmpfile())) {
            free(rs->spill);
            rs->spill = NULL;
        }
        if (!rs->spill)
            return;
    }
    struct rec_spill *sp = rs->spill;
    uint32_t mask = rs->ring_cap - 1u;
    size_t n_new = 0;
    for (uint64_t q = rs->rbase; q < rs->next_seq; q++)
        n_new += !(rs->slot[rs->ring[q & mask]].flags & REC_DONE);
    if (sp->n_hold + n_new > sp->cap_hold) {
        size_t cap = (sp->n_hold + n_new) * 2 + 16;
        rec_hold *nv = realloc(sp->hold, cap * sizeof *nv);
        if (!nv)
            return;
        sp->hold = nv;
        sp->cap_hold = cap;
    }
    spill_entry chunk[SPILL_READ];
    size_t n = 0;
    off_t at = sp->wr;
    bool ok = true;
    for (uint64_t q = rs->rbase; q < rs->next_seq && ok; q++) {
        uint32_t i = rs->ring[q & mask];
        if (!(rs->slot[i].flags & REC_DONE)) {
            sp->hold[sp->n_hold++] = (rec_hold){q, i};
            continue;
        }
        chunk[n].seq = q;
        chunk[n].r = rs->slot[i].r;
        n++;
        slot_release(rs, i);
        rs->spilled++;
        if (n == SPILL_READ) {
            ok = spill_write(sp, chunk, n, &at);
            n = 0;
        }
    }
    if (n && ok)
        ok = spill_write(sp, chunk, n, &at);
    if (!ok) {
        sys_oom(s); /* the records released cannot be passed on: an incomplete stream */
        return;
    }
    sp->wr = at;
    sp->end = rs->next_seq;
    rs->rbase = rs->next_seq;
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
        if (!rs->ordered) {
            count_gone(rs, &x->r);
            slot_release(rs, i);
        }
    }
    if (rs->ordered) {
        emit_ready(s);
        if (!rs->keep && rs->head < rs->next_seq && rs->next_seq - rs->rbase >= rs->spill_min)
            spill(s);
    }
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
    rs->spill_min = SPILL_MIN;
}

void records_free(gicsim_system *s)
{
    struct rec_spill *sp = s->recs.spill;
    if (sp) {
        fclose(sp->f);
        free(sp->hold);
        free(sp);
    }
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

/* The held out record `h` if its number comes before `seq`'s. */
static void holds_before(const rec_store *rs, size_t *h, uint64_t seq, gicsim_record_fn fn,
                         void *ctx)
{
    const struct rec_spill *sp = rs->spill;
    for (; *h < sp->n_hold && sp->hold[*h].seq < seq; (*h)++)
        fn(ctx, sp->hold[*h].seq, &rs->slot[sp->hold[*h].slot].r);
}

/* The open records of the spilled range [head, end), in order: the entries
 * read ahead, the rest of the file, and the held out ones between them. */
static void open_spilled(const rec_store *rs, gicsim_record_fn fn, void *ctx)
{
    const struct rec_spill *sp = rs->spill;
    if (!sp || rs->head >= sp->end)
        return;
    size_t h = sp->hold_first;
    for (size_t k = sp->buf_pos; k < sp->buf_n; k++) {
        holds_before(rs, &h, sp->buf[k].seq, fn, ctx);
        fn(ctx, sp->buf[k].seq, &sp->buf[k].r);
    }
    spill_entry v[SPILL_READ];
    for (off_t at = sp->rd; at < sp->wr;) {
        ssize_t got = pread(fileno(sp->f), v, sizeof v, at);
        if (got <= 0)
            break; /* the stream will fail the same way (sys_oom) */
        for (size_t k = 0; k < (size_t)got / sizeof v[0]; k++) {
            holds_before(rs, &h, v[k].seq, fn, ctx);
            fn(ctx, v[k].seq, &v[k].r);
        }
        at += got;
    }
    holds_before(rs, &h, sp->end, fn, ctx);
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
        open_spilled(rs, fn, ctx);
        for (uint64_t q = rs->rbase > rs->head ? rs->rbase : rs->head; q < rs->next_seq; q++)
            fn(ctx, q, &rs->slot[rs->ring[q & (rs->ring_cap - 1u)]].r);
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

void records_mark_flight(gicsim_system *s, const flight_fifo *f)
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
        records_mark_flight(s, &so->flight);
    }
    gicv4_mark_records(s);
    gicv5_mark_records(s);
}
