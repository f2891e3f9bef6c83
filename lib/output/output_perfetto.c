/* gicsim: the "perfetto" writer: a Chrome trace-event JSON file that
 * Perfetto (ui.perfetto.dev) and chrome://tracing open.
 *
 * Tracks: pid 1 "PEs" (tid = PE) with one complete slice per PE mode
 * interval; pid 2 "vCPUs" (tid = global vCPU index, VM by VM) with "running"
 * slices and VM exits as instant events; pid 3 "sources" (tid = source) with
 * one slice per delivered instance from its assertion to its acknowledge
 * (clipped at the next instance's assertion) carrying the start of a flow
 * arrow that ends at the acknowledge on the vCPU's track; pid 4 "GIC" with
 * the ITS's service, one slice per command (named by its opcode, tid 0 "ITS
 * commands") and per translation (GITS_TRANSLATER or GITS_SGIR, tid 1 "ITS
 * translations"), the GICv4 doorbells as instant events (tid 2
 * "doorbells"), and one counter per PE, "PE <n> LRs", of its list
 * registers in use (0 at the start).
 *
 * Events are streamed during the run: only the open slice of each PE and
 * vCPU and the ITS's item in service are held in memory. The source slices
 * and flows come from the records (a record sink, in record order) and
 * follow every other event in the file: they are written to a temporary
 * file during the run and copied behind the others at the end, so memory
 * stays constant. Timestamps are microseconds with exactly 6 decimals
 * (1 ps). */
#include "output_internal.h"

#include <gicsim/its.h>
#include <gicsim/version.h>

#include <stdlib.h>
#include <string.h>

enum { PID_PES = 1, PID_VCPUS = 2, PID_SOURCES = 3, PID_GIC = 4 };
enum { TID_ITS_COMMANDS = 0, TID_ITS_TRANSLATIONS = 1, TID_DOORBELLS = 2 };

typedef struct pf_pe {
    gicsim_pe_mode mode;
    uint32_t vm, vcpu; /* loaded vCPU, UINT32_MAX when none */
    gicsim_time_t since;
} pf_pe;

/* A delivered instance whose source slice and flow are still to be written
 * (its end is clipped at the next delivered instance's assertion). */
typedef struct pf_pending {
    bool has;
    uint64_t index;
    gicsim_irq_record r;
} pf_pending;

typedef struct pf_state {
    FILE *f;
    FILE *out;         /* where ev_close writes: f, or flow_target in write_flow */
    FILE *flows;       /* the source slices and flows written during the run */
    FILE *flow_target; /* flows during the run, f at the end */
    gicsim_system *sys;
    gicsim_output_info *info; /* a copy (source names for the flows) */
    uint32_t n_src;
    pf_pending *pend; /* [n_src] */
    out_buf b;        /* the event being formatted */
    bool first;       /* no event written yet */
    bool failed;      /* a write failed or memory ran out */
    uint32_t n_pes;
    pf_pe *pes;
    uint32_t n_vms;
    uint32_t *vcpu_base; /* [n_vms]: tid of the VM's vCPU 0 */
    uint32_t *n_vcpus;   /* [n_vms] */
    char **vm_names;     /* [n_vms] copies */
    uint32_t n_vcpu_tids;
    bool *vcpu_open; /* [n_vcpu_tids]: a "running" slice is open */
    gicsim_time_t *vcpu_since;
    /* The ITS's item in service (its GICSIM_GEV_ITS_* start event). */
    bool its_busy;
    gicsim_gic_event its_start;
    bool detached; /* begin() failed after a callback was registered */
} pf_state;

static gicsim_time_t now_of(pf_state *st)
{
    return gicsim_engine_now(gicsim_system_engine(st->sys));
}

static uint32_t vcpu_tid(const pf_state *st, uint32_t vm, uint32_t vcpu)
{
    if (vm >= st->n_vms || vcpu >= st->n_vcpus[vm])
        return UINT32_MAX;
    return st->vcpu_base[vm] + vcpu;
}

/* ---- Event formatting -------------------------------------------------------------------- */

/* Starts an event: {"ph":"<ph>","pid":P,"tid":T,"ts":... */
static void ev_open(pf_state *st, const char *ph, int pid, uint32_t tid, gicsim_time_t ts)
{
    out_buf *b = &st->b;
    out_buf_reset(b);
    out_puts(b, st->first ? "\n" : ",\n");
    out_puts(b, "{\"ph\":\"");
    out_puts(b, ph);
    out_puts(b, "\",\"pid\":");
    out_u64(b, (uint64_t)pid);
    out_puts(b, ",\"tid\":");
    out_u64(b, tid);
    out_puts(b, ",\"ts\":");
    out_ps_us(b, ts);
}

static void ev_str(pf_state *st, const char *k, const char *v)
{
    out_puts(&st->b, ",\"");
    out_puts(&st->b, k);
    out_puts(&st->b, "\":");
    out_json_str(&st->b, v);
}

static void ev_close(pf_state *st)
{
    out_putc(&st->b, '}');
    if (st->failed)
        return;
    if (!out_write(&st->b, st->out))
        st->failed = true;
    st->first = false;
}

/* A complete slice. */
static void ev_slice(pf_state *st, int pid, uint32_t tid, const char *name, const char *cat,
                     gicsim_time_t t0, gicsim_time_t t1)
{
    ev_open(st, "X", pid, tid, t0);
    out_puts(&st->b, ",\"dur\":");
    out_ps_us(&st->b, t1 - t0);
    ev_str(st, "name", name);
    ev_str(st, "cat", cat);
}

static void ev_meta(pf_state *st, const char *what, int pid, uint32_t tid, const char *name)
{
    ev_open(st, "M", pid, tid, 0);
    ev_str(st, "name", what);
    out_puts(&st->b, ",\"args\":{\"name\":");
    out_json_str(&st->b, name);
    out_putc(&st->b, '}');
    ev_close(st);
}

static void ev_sort(pf_state *st, const char *what, int pid, uint32_t tid, uint64_t index)
{
    ev_open(st, "M", pid, tid, 0);
    ev_str(st, "name", what);
    out_puts(&st->b, ",\"args\":{\"sort_index\":");
    out_u64(&st->b, index);
    out_putc(&st->b, '}');
    ev_close(st);
}

/* ---- PE and vCPU slices ------------------------------------------------------------------- */

static void close_pe_slice(pf_state *st, uint32_t pe, gicsim_time_t now)
{
    pf_pe *p = &st->pes[pe];
    if (now > p->since) {
        static const char *const names[] = {[GICSIM_PE_IDLE] = "idle",
                                            [GICSIM_PE_GUEST] = "guest",
                                            [GICSIM_PE_HYP] = "hyp",
                                            [GICSIM_PE_POLL] = "poll"};
        const char *name = (unsigned)p->mode < 4 ? names[p->mode] : "?";
        char label[128];
        if (p->mode == GICSIM_PE_GUEST && p->vm < st->n_vms) {
            snprintf(label, sizeof label, "guest %s.vcpu%lu", st->vm_names[p->vm],
                     (unsigned long)p->vcpu);
            name = label;
        }
        ev_slice(st, PID_PES, pe, name, "pe", p->since, now);
        if (p->mode != GICSIM_PE_IDLE && p->vm < st->n_vms) {
            out_puts(&st->b, ",\"args\":{\"vm\":");
            out_json_str(&st->b, st->vm_names[p->vm]);
            out_puts(&st->b, ",\"vcpu\":");
            out_u64(&st->b, p->vcpu);
            out_putc(&st->b, '}');
        }
        ev_close(st);
    }
    p->since = now;
}

static void close_vcpu_slice(pf_state *st, uint32_t tid, gicsim_time_t now)
{
    if (tid == UINT32_MAX || !st->vcpu_open[tid])
        return;
    st->vcpu_open[tid] = false;
    if (now > st->vcpu_since[tid]) {
        ev_slice(st, PID_VCPUS, tid, "running", "vcpu", st->vcpu_since[tid], now);
        ev_close(st);
    }
}

static void open_vcpu_slice(pf_state *st, uint32_t tid, gicsim_time_t now)
{
    if (tid == UINT32_MAX)
        return;
    close_vcpu_slice(st, tid, now);
    st->vcpu_open[tid] = true;
    st->vcpu_since[tid] = now;
}

static void on_mode(pf_state *st, const gicsim_sys_event *ev)
{
    if (ev->pe >= st->n_pes)
        return;
    pf_pe *p = &st->pes[ev->pe];
    if (p->mode == ev->mode && p->vm == ev->vm && p->vcpu == ev->vcpu)
        return;
    close_pe_slice(st, ev->pe, ev->time);
    if (p->mode == GICSIM_PE_GUEST)
        close_vcpu_slice(st, vcpu_tid(st, p->vm, p->vcpu), ev->time);
    p->mode = ev->mode;
    p->vm = ev->vm;
    p->vcpu = ev->vcpu;
    if (p->mode == GICSIM_PE_GUEST)
        open_vcpu_slice(st, vcpu_tid(st, p->vm, p->vcpu), ev->time);
}

static void on_exit(pf_state *st, const gicsim_sys_event *ev)
{
    uint32_t tid = vcpu_tid(st, ev->vm, ev->vcpu);
    if (tid == UINT32_MAX)
        return;
    const char *name = gicsim_exit_reason_name(ev->reason);
    ev_open(st, "i", PID_VCPUS, tid, ev->time);
    ev_str(st, "s", "t");
    ev_str(st, "name", name ? name : "exit");
    ev_str(st, "cat", "exit");
    out_puts(&st->b, ",\"args\":{\"pe\":");
    out_u64(&st->b, ev->pe);
    out_putc(&st->b, '}');
    ev_close(st);
}

/* ---- The GIC: ITS service, doorbells, list registers in use ------------------------------ */

static const char *its_opcode_name(uint32_t op)
{
    switch (op) {
    case GICSIM_ITS_CMD_MOVI:
        return "MOVI";
    case GICSIM_ITS_CMD_INT:
        return "INT";
    case GICSIM_ITS_CMD_CLEAR:
        return "CLEAR";
    case GICSIM_ITS_CMD_SYNC:
        return "SYNC";
    case GICSIM_ITS_CMD_MAPD:
        return "MAPD";
    case GICSIM_ITS_CMD_MAPC:
        return "MAPC";
    case GICSIM_ITS_CMD_MAPTI:
        return "MAPTI";
    case GICSIM_ITS_CMD_MAPI:
        return "MAPI";
    case GICSIM_ITS_CMD_INV:
        return "INV";
    case GICSIM_ITS_CMD_INVALL:
        return "INVALL";
    case GICSIM_ITS_CMD_MOVALL:
        return "MOVALL";
    case GICSIM_ITS_CMD_DISCARD:
        return "DISCARD";
    case GICSIM_ITS_CMD_VMOVI:
        return "VMOVI";
    case GICSIM_ITS_CMD_VMOVP:
        return "VMOVP";
    case GICSIM_ITS_CMD_VSGI:
        return "VSGI";
    case GICSIM_ITS_CMD_VSYNC:
        return "VSYNC";
    case GICSIM_ITS_CMD_VMAPP:
        return "VMAPP";
    case GICSIM_ITS_CMD_VMAPTI:
        return "VMAPTI";
    case GICSIM_ITS_CMD_VMAPI:
        return "VMAPI";
    case GICSIM_ITS_CMD_VINVALL:
        return "VINVALL";
    case GICSIM_ITS_CMD_INVDB:
        return "INVDB";
    default:
        return "unknown command";
    }
}

/* `"pe":N` or `"pe":null` (UINT32_MAX). */
static void arg_pe(pf_state *st, uint32_t pe)
{
    out_puts(&st->b, "\"pe\":");
    if (pe == UINT32_MAX)
        out_puts(&st->b, "null");
    else
        out_u64(&st->b, pe);
}

/* The item started at st->its_start ends at `now`. */
static void its_slice(pf_state *st, gicsim_time_t now)
{
    const gicsim_gic_event *s0 = &st->its_start;
    if (s0->kind == GICSIM_GEV_ITS_COMMAND) {
        ev_slice(st, PID_GIC, TID_ITS_COMMANDS, its_opcode_name(s0->intid), "its", s0->time, now);
        out_puts(&st->b, ",\"args\":{\"opcode\":");
        out_u64(&st->b, s0->intid);
    } else {
        bool dropped = s0->pe == UINT32_MAX;
        ev_slice(st, PID_GIC, TID_ITS_TRANSLATIONS, dropped ? "dropped" : "translate", "its",
                 s0->time, now);
        out_puts(&st->b, ",\"args\":{");
        arg_pe(st, s0->pe);
        out_puts(&st->b, ",\"intid\":");
        if (dropped)
            out_puts(&st->b, "null");
        else
            out_u64(&st->b, s0->intid);
    }
    out_putc(&st->b, '}');
    ev_close(st);
}

static void lr_counter(pf_state *st, uint32_t pe, uint32_t used, gicsim_time_t t)
{
    char name[32];
    snprintf(name, sizeof name, "PE %lu LRs", (unsigned long)pe);
    ev_open(st, "C", PID_GIC, 0, t);
    ev_str(st, "name", name);
    out_puts(&st->b, ",\"args\":{\"in use\":");
    out_u64(&st->b, used);
    out_putc(&st->b, '}');
    ev_close(st);
}

static void pf_gic_observer(void *ctx, const gicsim_gic_event *ev)
{
    pf_state *st = ctx;
    if (!st->f || st->detached)
        return;
    switch (ev->kind) {
    case GICSIM_GEV_ITS_COMMAND:
    case GICSIM_GEV_ITS_TRANSLATE:
        st->its_busy = true;
        st->its_start = *ev;
        break;
    case GICSIM_GEV_ITS_DONE:
        if (st->its_busy)
            its_slice(st, ev->time);
        st->its_busy = false;
        break;
    case GICSIM_GEV_DOORBELL:
        ev_open(st, "i", PID_GIC, TID_DOORBELLS, ev->time);
        ev_str(st, "s", "t");
        ev_str(st, "name", "doorbell");
        ev_str(st, "cat", "doorbell");
        out_puts(&st->b, ",\"args\":{");
        arg_pe(st, ev->pe);
        out_puts(&st->b, ",\"lpi\":");
        out_u64(&st->b, ev->intid);
        out_putc(&st->b, '}');
        ev_close(st);
        break;
    case GICSIM_GEV_LR_USED:
        if (ev->pe < st->n_pes)
            lr_counter(st, ev->pe, ev->intid, ev->time);
        break;
    default:
        break;
    }
}

static void pf_observer(void *ctx, const gicsim_sys_event *ev)
{
    pf_state *st = ctx;
    if (!st->f || st->detached)
        return;
    if (ev->kind == GICSIM_SEV_MODE)
        on_mode(st, ev);
    else if (ev->kind == GICSIM_SEV_EXIT)
        on_exit(st, ev);
}

/* ---- begin / end -------------------------------------------------------------------------- */

static void pf_free(pf_state *st)
{
    if (!st)
        return;
    for (uint32_t i = 0; st->vm_names && i < st->n_vms; i++)
        free(st->vm_names[i]);
    free(st->vm_names);
    free(st->vcpu_base);
    free(st->n_vcpus);
    free(st->vcpu_open);
    free(st->vcpu_since);
    free(st->pes);
    free(st->pend);
    out_info_free(st->info);
    if (st->flows)
        fclose(st->flows);
    out_buf_free(&st->b);
    free(st);
}

static void pf_record(void *ctx, uint64_t index, const gicsim_irq_record *r);

static gicsim_status pf_begin(void **state, gicsim_system *sys, const char *path,
                              const gicsim_output_info *info)
{
    if (!state || !sys || !path)
        return GICSIM_E_INVAL;
    pf_state *st = calloc(1, sizeof *st);
    if (!st)
        return GICSIM_E_NOMEM;
    st->sys = sys;
    st->first = true;
    st->n_pes = gicsim_gic_num_pes(gicsim_system_gic(sys));
    st->n_vms = gicsim_system_num_vms(sys);
    st->pes = calloc(st->n_pes ? st->n_pes : 1, sizeof *st->pes);
    st->vcpu_base = calloc(st->n_vms ? st->n_vms : 1, sizeof *st->vcpu_base);
    st->n_vcpus = calloc(st->n_vms ? st->n_vms : 1, sizeof *st->n_vcpus);
    st->vm_names = calloc(st->n_vms ? st->n_vms : 1, sizeof *st->vm_names);
    st->n_src = gicsim_system_num_sources(sys);
    st->pend = calloc(st->n_src ? st->n_src : 1, sizeof *st->pend);
    st->info = out_info_copy(info);
    bool ok =
        st->pes && st->vcpu_base && st->n_vcpus && st->vm_names && st->pend && (st->info || !info);
    for (uint32_t vm = 0; ok && vm < st->n_vms; vm++) {
        char tmp[32];
        st->vcpu_base[vm] = st->n_vcpu_tids;
        st->n_vcpus[vm] = gicsim_system_num_vcpus(sys, vm);
        st->n_vcpu_tids += st->n_vcpus[vm];
        st->vm_names[vm] = out_strdup(out_vm_name(info, vm, tmp));
        ok = st->vm_names[vm] != NULL;
    }
    if (ok) {
        size_t n = st->n_vcpu_tids ? st->n_vcpu_tids : 1;
        st->vcpu_open = calloc(n, sizeof *st->vcpu_open);
        st->vcpu_since = calloc(n, sizeof *st->vcpu_since);
        ok = st->vcpu_open && st->vcpu_since;
    }
    if (!ok) {
        pf_free(st);
        return GICSIM_E_NOMEM;
    }
    gicsim_time_t now = now_of(st);
    for (uint32_t pe = 0; pe < st->n_pes; pe++) {
        st->pes[pe].mode = GICSIM_PE_IDLE; /* a PE is idle until it first switches */
        st->pes[pe].vm = st->pes[pe].vcpu = UINT32_MAX;
        st->pes[pe].since = now;
    }
    st->f = fopen(path, "wb");
    st->flows = tmpfile();
    if (!st->f || !st->flows) {
        if (st->f)
            fclose(st->f);
        pf_free(st);
        return GICSIM_E_IO;
    }
    st->out = st->f;
    st->flow_target = st->flows;
    gicsim_status rc = gicsim_system_add_record_sink(sys, pf_record, st);
    if (rc != GICSIM_OK) {
        fclose(st->f);
        pf_free(st);
        return rc;
    }
    rc = gicsim_system_add_observer(sys, pf_observer, st);
    if (rc == GICSIM_OK)
        rc = gicsim_gic_add_observer(gicsim_system_gic(sys), pf_gic_observer, st);
    if (rc != GICSIM_OK) {
        /* The record sink (and the system observer) cannot be removed and
         * point at the state: keep it (inert) for the lifetime of the
         * process. */
        fclose(st->f);
        st->f = NULL;
        st->detached = true;
        return rc;
    }

    if (fputs("{\"traceEvents\":[", st->f) == EOF)
        st->failed = true;
    /* Metadata: process and thread names, in a fixed order. */
    static const char *const procs[] = {"PEs", "vCPUs", "sources", "GIC"};
    for (int p = 0; p < 4; p++) {
        ev_meta(st, "process_name", p + 1, 0, procs[p]);
        ev_sort(st, "process_sort_index", p + 1, 0, (uint64_t)p + 1);
    }
    static const char *const gic_threads[] = {"ITS commands", "ITS translations", "doorbells"};
    for (uint32_t t = 0; t < 3; t++) {
        ev_meta(st, "thread_name", PID_GIC, t, gic_threads[t]);
        ev_sort(st, "thread_sort_index", PID_GIC, t, t);
    }
    for (uint32_t pe = 0; pe < st->n_pes; pe++)
        lr_counter(st, pe, 0, now);
    for (uint32_t pe = 0; pe < st->n_pes; pe++) {
        char name[32];
        snprintf(name, sizeof name, "PE %lu", (unsigned long)pe);
        ev_meta(st, "thread_name", PID_PES, pe, name);
        ev_sort(st, "thread_sort_index", PID_PES, pe, pe);
    }
    for (uint32_t vm = 0; vm < st->n_vms; vm++) {
        for (uint32_t v = 0; v < st->n_vcpus[vm]; v++) {
            out_buf name = {0};
            out_puts(&name, st->vm_names[vm]);
            out_puts(&name, ".vcpu");
            out_u64(&name, v);
            ev_meta(st, "thread_name", PID_VCPUS, st->vcpu_base[vm] + v, name.oom ? "?" : name.p);
            ev_sort(st, "thread_sort_index", PID_VCPUS, st->vcpu_base[vm] + v,
                    st->vcpu_base[vm] + v);
            out_buf_free(&name);
        }
    }
    uint32_t n_src = gicsim_system_num_sources(sys);
    for (uint32_t s = 0; s < n_src; s++) {
        char tmp[32];
        ev_meta(st, "thread_name", PID_SOURCES, s, out_source_name(info, s, tmp));
        ev_sort(st, "thread_sort_index", PID_SOURCES, s, s);
    }
    *state = st;
    return GICSIM_OK;
}

static void write_flow(pf_state *st, const gicsim_output_info *info, uint64_t i,
                       const gicsim_irq_record *r, gicsim_time_t slice_end)
{
    char tmp[32];
    st->out = st->flow_target;
    uint32_t tid = vcpu_tid(st, r->vm, r->vcpu);
    if (slice_end < r->t_assert)
        slice_end = r->t_assert;
    ev_slice(st, PID_SOURCES, r->source, out_source_name(info, r->source, tmp), "irq", r->t_assert,
             slice_end);
    out_puts(&st->b, ",\"args\":{\"record\":");
    out_u64(&st->b, i);
    out_puts(&st->b, ",\"vm\":");
    out_json_str(&st->b, r->vm < st->n_vms ? st->vm_names[r->vm] : NULL);
    out_puts(&st->b, ",\"vcpu\":");
    if (r->vcpu == UINT32_MAX) /* a host timer's record: no vCPU */
        out_puts(&st->b, "null");
    else
        out_u64(&st->b, r->vcpu);
    out_puts(&st->b, ",\"intid\":");
    out_u64(&st->b, r->intid);
    out_puts(&st->b, ",\"latency_ns\":");
    out_ps_ns(&st->b, r->t_ack - r->t_assert);
    out_putc(&st->b, '}');
    ev_close(st);
    if (tid == UINT32_MAX) {
        st->out = st->f;
        return;
    }
    /* Flow v1 events match on (id, cat, name). */
    ev_open(st, "s", PID_SOURCES, r->source, r->t_assert);
    out_puts(&st->b, ",\"id\":");
    out_u64(&st->b, i);
    ev_str(st, "name", "irq");
    ev_str(st, "cat", "irq");
    ev_close(st);
    ev_open(st, "f", PID_VCPUS, tid, r->t_ack);
    out_puts(&st->b, ",\"id\":");
    out_u64(&st->b, i);
    ev_str(st, "bp", "e");
    ev_str(st, "name", "irq");
    ev_str(st, "cat", "irq");
    ev_close(st);
    st->out = st->f;
}

static bool delivered(const gicsim_irq_record *r)
{
    return r && !r->merged && r->t_assert != GICSIM_TIME_NEVER && r->t_ack != GICSIM_TIME_NEVER &&
           r->t_ack >= r->t_assert;
}

/* A record sink: a delivered instance writes the previous one of its source. */
static void pf_record(void *ctx, uint64_t index, const gicsim_irq_record *r)
{
    pf_state *st = ctx;
    if (st->detached || !delivered(r) || r->source >= st->n_src)
        return;
    pf_pending *p = &st->pend[r->source];
    if (p->has) {
        /* Slices of one source must not overlap: clip the previous one. */
        gicsim_time_t end = p->r.t_ack;
        if (r->t_assert < end)
            end = r->t_assert;
        write_flow(st, st->info, p->index, &p->r, end);
    }
    p->has = true;
    p->index = index;
    p->r = *r;
}

/* The flows written during the run, then those of the records still open,
 * then the last instance of each source. */
static void write_flows(pf_state *st)
{
    if (fflush(st->flows) != 0 || fseek(st->flows, 0, SEEK_SET) != 0)
        st->failed = true;
    char buf[16384];
    size_t n;
    while (!st->failed && (n = fread(buf, 1, sizeof buf, st->flows)) > 0)
        if (fwrite(buf, 1, n, st->f) != n)
            st->failed = true;
    if (ferror(st->flows))
        st->failed = true;
    st->flow_target = st->f;
    gicsim_system_foreach_open_record(st->sys, pf_record, st);
    for (uint32_t s = 0; s < st->n_src; s++)
        if (st->pend[s].has)
            write_flow(st, st->info, st->pend[s].index, &st->pend[s].r, st->pend[s].r.t_ack);
}

static gicsim_status pf_end(void *state, gicsim_system *sys, const gicsim_output_info *info)
{
    pf_state *st = state;
    if (!st)
        return GICSIM_E_INVAL;
    (void)sys; /* the one given to begin() */
    gicsim_time_t now = now_of(st);
    if (st->its_busy) /* still in service: the slice ends with the run */
        its_slice(st, now);
    st->its_busy = false;
    for (uint32_t pe = 0; pe < st->n_pes; pe++) {
        close_pe_slice(st, pe, now);
        if (st->pes[pe].mode == GICSIM_PE_GUEST)
            close_vcpu_slice(st, vcpu_tid(st, st->pes[pe].vm, st->pes[pe].vcpu), now);
    }
    for (uint32_t t = 0; t < st->n_vcpu_tids; t++)
        close_vcpu_slice(st, t, now);
    write_flows(st);

    out_buf *b = &st->b;
    out_buf_reset(b);
    out_puts(b, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"generator\":");
    out_json_str(b, "gicsim");
    out_puts(b, ",\"version\":");
    out_json_str(b, gicsim_version_string());
    out_puts(b, ",\"scenario\":");
    out_json_str(b, info ? info->scenario : NULL);
    out_puts(b, ",\"policy\":");
    out_json_str(b, info ? info->policy : NULL);
    out_puts(b, ",\"sim_time_ps\":");
    out_u64(b, now);
    out_puts(b, "}}\n");
    if (!st->failed && !out_write(b, st->f))
        st->failed = true;
    gicsim_status rc = st->failed ? (st->b.oom ? GICSIM_E_NOMEM : GICSIM_E_IO) : GICSIM_OK;
    if (fclose(st->f) != 0 && rc == GICSIM_OK)
        rc = GICSIM_E_IO;
    st->f = NULL;
    pf_free(st);
    return rc;
}

const gicsim_output_ops gicsim_output_perfetto_ops = {
    .name = "perfetto",
    .description =
        "timeline of PEs, vCPUs, interrupt flows, ITS service, doorbells and list "
        "registers in use as Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing)",
    .begin = pf_begin,
    .end = pf_end,
};
