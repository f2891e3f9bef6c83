/* gicsim: the "vcd" writer: a Value Change Dump (IEEE 1364) of the
 * interrupt wires, for GTKWave and other waveform viewers.
 *
 * Signals (timescale 1 ps): per PE, in scope gicsim.peN: nIRQ and nFIQ
 * (active-low: 0 while the physical CPU interface asserts IRQ/FIQ), vIRQ and
 * vFIQ (the virtual CPU interface's outputs, active-high), and two event
 * variables, LPI (a physical LPI became pending at the PE's redistributor,
 * GICSIM_GEV_RAISE) and vLPI (a vLPI or GICv4.1 vSGI did, GICSIM_GEV_VLPI);
 * in scope gicsim.sources: "<name>_line" for each source with an SPI (the
 * device's line, from GICSIM_SEV_DEVICE_LINE) and the event "<name>_msi" for
 * each MSI source (its device's write to GITS_TRANSLATER, at the source's
 * arrival). Changes are streamed as they happen; all changes at one time
 * share one #time line and keep the order they were made in, so an edge
 * device's pulse shows as 1 then 0 at the same time. Events are not in
 * $dumpvars (they have no value before they first happen). */
#include "output_internal.h"

#include <gicsim/vcpu_interface.h>
#include <gicsim/version.h>

#include <stdlib.h>
#include <string.h>

enum { SIG_NIRQ, SIG_NFIQ, SIG_VIRQ, SIG_VFIQ, SIG_PER_PE };
enum { EV_LPI, EV_VLPI, EV_PER_PE };

typedef struct vcd_state {
    FILE *f;
    gicsim_system *sys;
    uint32_t n_pes;
    uint32_t n_src;
    uint32_t *src_sig; /* [n_src]: signal of the source's line, UINT32_MAX for none */
    uint32_t n_sigs;   /* wires: the PEs', then the sources' lines */
    char *val;         /* [n_sigs]: current value, '0' or '1' */
    /* Event variables, numbered after the wires: EV_PER_PE per PE, then one
     * per MSI source. */
    uint32_t *src_ev;        /* [n_src]: the source's MSI event, UINT32_MAX for none */
    uint32_t n_ids;          /* wires and events */
    gicsim_time_t last_time; /* time of the last #time line written */
    bool failed;
    bool detached; /* begin() failed after a callback was registered */
} vcd_state;

/* VCD identifier codes: base 94 over the printable characters '!'..'~'. */
static void sig_id(uint32_t i, char out[8])
{
    int n = 0;
    do {
        out[n++] = (char)('!' + i % 94);
        i /= 94;
    } while (i && n < 7);
    out[n] = '\0';
}

/* Names in VCD are whitespace-free identifiers: keep [A-Za-z0-9_], map the rest to '_'. */
static void sig_name(out_buf *b, const char *s)
{
    if (!*s)
        out_putc(b, '_');
    for (; *s; s++) {
        char c = *s;
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out_putc(b, ok ? c : '_');
    }
}

/* Free text inside $comment: no '$' (it would end the section), one line. */
static void comment_text(out_buf *b, const char *s)
{
    if (!s) {
        out_putc(b, '-');
        return;
    }
    for (; *s; s++)
        out_putc(b, (*s == '$' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

/* Writes value `v` of identifier `sig` now, after the time line if the
 * time moved on. */
static void write_change(vcd_state *st, uint32_t sig, char v)
{
    gicsim_time_t now = gicsim_engine_now(gicsim_system_engine(st->sys));
    char id[8];
    sig_id(sig, id);
    int rc = 0;
    if (now != st->last_time) {
        st->last_time = now;
        rc = fprintf(st->f, "#%llu\n", (unsigned long long)now);
    }
    if (rc >= 0)
        rc = fprintf(st->f, "%c%s\n", v, id);
    if (rc < 0)
        st->failed = true;
}

static void set_sig(vcd_state *st, uint32_t sig, bool level)
{
    if (!st->f || st->failed || sig >= st->n_sigs)
        return;
    char v = level ? '1' : '0';
    if (st->val[sig] == v)
        return;
    st->val[sig] = v;
    write_change(st, sig, v);
}

/* An event variable triggers (every time: events have no value to compare). */
static void fire(vcd_state *st, uint32_t ev)
{
    if (!st->f || st->failed || ev < st->n_sigs || ev >= st->n_ids)
        return;
    write_change(st, ev, '1');
}

static uint32_t pe_event(const vcd_state *st, uint32_t pe, unsigned k)
{
    return st->n_sigs + pe * EV_PER_PE + k;
}

static void vcd_line(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    vcd_state *st = ctx;
    if (st->detached || pe >= st->n_pes)
        return;
    set_sig(st, pe * SIG_PER_PE + SIG_NIRQ, !irq);
    set_sig(st, pe * SIG_PER_PE + SIG_NFIQ, !fiq);
}

static void vcd_vline(void *ctx, uint32_t pe, bool virq, bool vfiq)
{
    vcd_state *st = ctx;
    if (st->detached || pe >= st->n_pes)
        return;
    set_sig(st, pe * SIG_PER_PE + SIG_VIRQ, virq);
    set_sig(st, pe * SIG_PER_PE + SIG_VFIQ, vfiq);
}

static void vcd_observer(void *ctx, const gicsim_sys_event *ev)
{
    vcd_state *st = ctx;
    if (st->detached || ev->source >= st->n_src)
        return;
    if (ev->kind == GICSIM_SEV_DEVICE_LINE)
        set_sig(st, st->src_sig[ev->source], ev->level);
    else if (ev->kind == GICSIM_SEV_ARRIVAL && st->src_ev[ev->source] != UINT32_MAX)
        fire(st, st->src_ev[ev->source]);
}

static void vcd_gic_observer(void *ctx, const gicsim_gic_event *ev)
{
    vcd_state *st = ctx;
    if (st->detached || ev->pe >= st->n_pes)
        return;
    if (ev->kind == GICSIM_GEV_RAISE && ev->intid >= GICSIM_LPI_BASE)
        fire(st, pe_event(st, ev->pe, EV_LPI));
    else if (ev->kind == GICSIM_GEV_VLPI)
        fire(st, pe_event(st, ev->pe, EV_VLPI));
}

static void vcd_free(vcd_state *st)
{
    free(st->src_ev);
    free(st->src_sig);
    free(st->val);
    free(st);
}

/* "$var <type> 1 <id> <name><suffix> $end" (the name reduced by sig_name). */
static void var_decl(out_buf *b, const char *type, uint32_t sig, const char *name,
                     const char *suffix)
{
    char id[8];
    sig_id(sig, id);
    out_puts(b, "$var ");
    out_puts(b, type);
    out_puts(b, " 1 ");
    out_puts(b, id);
    out_putc(b, ' ');
    sig_name(b, name);
    out_puts(b, suffix);
    out_puts(b, " $end\n");
}

static void header(vcd_state *st, out_buf *b, const gicsim_output_info *info)
{
    gicsim_gic *gic = gicsim_system_gic(st->sys);
    char id[8];
    out_puts(b, "$date\n    (not recorded)\n$end\n$version\n    gicsim ");
    out_puts(b, gicsim_version_string());
    out_puts(b, "\n$end\n$comment\n    scenario: ");
    comment_text(b, info ? info->scenario : NULL);
    out_puts(b, ", policy: ");
    comment_text(b, info ? info->policy : NULL);
    out_puts(b, "\n$end\n$timescale 1ps $end\n$scope module gicsim $end\n");
    static const char *const pe_sigs[SIG_PER_PE] = {"nIRQ", "nFIQ", "vIRQ", "vFIQ"};
    for (uint32_t pe = 0; pe < st->n_pes; pe++) {
        out_puts(b, "$scope module pe");
        out_u64(b, pe);
        out_puts(b, " $end\n");
        for (int k = 0; k < SIG_PER_PE; k++)
            var_decl(b, "wire", pe * SIG_PER_PE + (uint32_t)k, pe_sigs[k], "");
        static const char *const pe_events[EV_PER_PE] = {"LPI", "vLPI"};
        for (unsigned k = 0; k < EV_PER_PE; k++)
            var_decl(b, "event", pe_event(st, pe, k), pe_events[k], "");
        out_puts(b, "$upscope $end\n");
        st->val[pe * SIG_PER_PE + SIG_NIRQ] = gicsim_gic_irq_line(gic, pe) ? '0' : '1';
        st->val[pe * SIG_PER_PE + SIG_NFIQ] = gicsim_gic_fiq_line(gic, pe) ? '0' : '1';
        st->val[pe * SIG_PER_PE + SIG_VIRQ] = gicsim_gic_virq_line(gic, pe) ? '1' : '0';
        st->val[pe * SIG_PER_PE + SIG_VFIQ] = gicsim_gic_vfiq_line(gic, pe) ? '1' : '0';
    }
    if (st->n_ids > st->n_pes * (SIG_PER_PE + EV_PER_PE)) {
        out_puts(b, "$scope module sources $end\n");
        for (uint32_t s = 0; s < st->n_src; s++) {
            char tmp[32];
            const char *name = out_source_name(info, s, tmp);
            if (st->src_sig[s] != UINT32_MAX) {
                var_decl(b, "wire", st->src_sig[s], name, "_line");
                st->val[st->src_sig[s]] = '0'; /* devices start with their line low */
            }
            if (st->src_ev[s] != UINT32_MAX)
                var_decl(b, "event", st->src_ev[s], name, "_msi");
        }
        out_puts(b, "$upscope $end\n");
    }
    out_puts(b, "$upscope $end\n$enddefinitions $end\n#");
    out_u64(b, st->last_time);
    out_puts(b, "\n$dumpvars\n");
    for (uint32_t i = 0; i < st->n_sigs; i++) {
        sig_id(i, id);
        out_putc(b, st->val[i]);
        out_puts(b, id);
        out_putc(b, '\n');
    }
    out_puts(b, "$end\n");
}

static gicsim_status vcd_begin(void **state, gicsim_system *sys, const char *path,
                               const gicsim_output_info *info)
{
    if (!state || !sys || !path)
        return GICSIM_E_INVAL;
    vcd_state *st = calloc(1, sizeof *st);
    if (!st)
        return GICSIM_E_NOMEM;
    st->sys = sys;
    st->n_pes = gicsim_gic_num_pes(gicsim_system_gic(sys));
    st->n_src = gicsim_system_num_sources(sys);
    st->src_sig = malloc((st->n_src ? st->n_src : 1) * sizeof *st->src_sig);
    st->src_ev = malloc((st->n_src ? st->n_src : 1) * sizeof *st->src_ev);
    if (!st->src_sig || !st->src_ev) {
        vcd_free(st);
        return GICSIM_E_NOMEM;
    }
    st->n_sigs = st->n_pes * SIG_PER_PE;
    for (uint32_t s = 0; s < st->n_src; s++) {
        const gicsim_source_config *c = gicsim_system_source_config(sys, s);
        bool spi = c && (c->kind == GICSIM_SRC_SPI_EDGE || c->kind == GICSIM_SRC_SPI_LEVEL);
        st->src_sig[s] = spi ? st->n_sigs++ : UINT32_MAX;
    }
    st->n_ids = st->n_sigs + st->n_pes * EV_PER_PE;
    for (uint32_t s = 0; s < st->n_src; s++) {
        const gicsim_source_config *c = gicsim_system_source_config(sys, s);
        st->src_ev[s] = c && c->kind == GICSIM_SRC_MSI ? st->n_ids++ : UINT32_MAX;
    }
    st->val = malloc(st->n_sigs ? st->n_sigs : 1);
    if (!st->val) {
        vcd_free(st);
        return GICSIM_E_NOMEM;
    }
    st->last_time = gicsim_engine_now(gicsim_system_engine(sys));

    out_buf b = {0};
    header(st, &b, info);
    if (b.oom) {
        out_buf_free(&b);
        vcd_free(st);
        return GICSIM_E_NOMEM;
    }
    st->f = fopen(path, "wb");
    if (!st->f) {
        out_buf_free(&b);
        vcd_free(st);
        return GICSIM_E_IO;
    }
    if (!out_write(&b, st->f))
        st->failed = true;
    out_buf_free(&b);

    gicsim_gic *gic = gicsim_system_gic(sys);
    gicsim_status rc = gicsim_system_add_observer(sys, vcd_observer, st);
    int registered = rc == GICSIM_OK;
    if (rc == GICSIM_OK)
        rc = gicsim_gic_add_line_listener(gic, vcd_line, st);
    registered += rc == GICSIM_OK;
    if (rc == GICSIM_OK)
        rc = gicsim_gic_add_vline_listener(gic, vcd_vline, st);
    registered += rc == GICSIM_OK;
    if (rc == GICSIM_OK)
        rc = gicsim_gic_add_observer(gic, vcd_gic_observer, st);
    if (rc != GICSIM_OK) {
        fclose(st->f);
        st->f = NULL;
        if (registered) {
            /* A callback that cannot be removed points at the state: keep it
             * (inert) for the lifetime of the process rather than free it. */
            st->detached = true;
        } else {
            vcd_free(st);
        }
        return rc;
    }
    *state = st;
    return GICSIM_OK;
}

static gicsim_status vcd_end(void *state, gicsim_system *sys, const gicsim_output_info *info)
{
    (void)info;
    (void)sys;
    vcd_state *st = state;
    if (!st)
        return GICSIM_E_INVAL;
    /* Mark the end of the run, so viewers show the last values up to it. */
    gicsim_time_t now = gicsim_engine_now(gicsim_system_engine(st->sys));
    if (now > st->last_time && fprintf(st->f, "#%llu\n", (unsigned long long)now) < 0)
        st->failed = true;
    gicsim_status rc = st->failed ? GICSIM_E_IO : GICSIM_OK;
    if (fclose(st->f) != 0 && rc == GICSIM_OK)
        rc = GICSIM_E_IO;
    vcd_free(st);
    return rc;
}

const gicsim_output_ops gicsim_output_vcd_ops = {
    .name = "vcd",
    .description = "Value Change Dump of the IRQ/FIQ, vIRQ/vFIQ and device lines, with LPI, vLPI "
                   "and MSI arrivals as events (GTKWave)",
    .begin = vcd_begin,
    .end = vcd_end,
};
