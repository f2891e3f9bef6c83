/* gicsim: the GICv5 Interrupt Wire Bridge (IWB; docs/gicv5.md, "The IWB").
 *
 * The IWB turns wired interrupts into ITS events: it is one device of the ITS
 * (gicsim_gic_config.iwb_device_id) whose EventIDs are its wires (Linux irq-gic-v5-iwb.c:
 * the wire is the MSI's fixed data). IWB_IDR0.IW_RANGE gives the wires in groups of 32;
 * IWB_CR0.IWBEN is set by firmware (reset 1); IWB_WENABLER<n> enables wires and IWB_WTMR<n>
 * gives their trigger mode (1 level), with IWB_WENABLE_STATUSR.IDLE after a change.
 *
 * A rising edge of an enabled edge wire sends one event; a level wire sends "set level" when
 * it rises and "clear" when it falls, which the IRS applies as SET_LEVEL / CLEAR to the LPI
 * the ITS maps it to (its pending state follows the wire, its handling mode becomes Level: an
 * assumption, docs/gicv5.md). Enabling a level wire that is high sends "set level". Changes of
 * a disabled wire (or with IWBEN 0) send nothing and are counted. Each event reaches the ITS
 * gicv5_iwb_event after the change. */
#include "gicv5_internal.h"

#include <stdlib.h>

#define CR0_IWBEN 1u

typedef struct v5_iwb {
    uint32_t nwires;
    uint32_t cr0;
    uint32_t *wen, *wtm, *line; /* [nwires / 32] */
    gicsim_time_t busy_until;   /* WENABLE_STATUSR.IDLE reads 0 until then */
} v5_iwb;

static bool wbit(const uint32_t *w, uint32_t n)
{
    return (w[n / 32u] >> (n % 32u)) & 1u;
}

static void arrive(gicsim_engine *e, void *ctx, uint64_t a)
{
    (void)e;
    gicsim_gic *g = ctx;
    its_v5_event(g, g->cfg.iwb_device_id, (uint32_t)a & 0xFFFFu, (unsigned)(a >> 16) & 3u);
}

static void send(gicsim_gic *g, uint32_t wire, bool rising)
{
    gic_v5 *v = g->v5;
    v5_iwb *b = v->iwb;
    unsigned kind;
    if (wbit(b->wtm, wire))
        kind = rising ? EV_LEVEL_SET : EV_LEVEL_CLEAR;
    else if (rising)
        kind = EV_EDGE;
    else
        return;
    if (!(b->cr0 & CR0_IWBEN) || !wbit(b->wen, wire)) {
        v->st.iwb_disabled_drops++;
        return;
    }
    v->st.iwb_events++;
    g->stats.hop_events++;
    gicsim_engine_schedule_in(g->engine, v->t_iwb_event, arrive, g, ((uint64_t)kind << 16) | wire,
                              NULL);
}

gicsim_status iwb_set_wire(gicsim_gic *g, uint32_t wire, bool level)
{
    v5_iwb *b = g->v5->iwb;
    if (wire >= b->nwires)
        return GICSIM_E_RANGE;
    if (wbit(b->line, wire) == level)
        return GICSIM_OK;
    b->line[wire / 32u] ^= 1u << (wire % 32u);
    send(g, wire, level);
    return GICSIM_OK;
}

/* The register array (WENABLER or WTMR) word an offset names, NULL when none. */
static uint32_t *word_of(v5_iwb *b, uint32_t off, unsigned size)
{
    uint32_t base =
        off >= GICSIM_GICV5_IWB_WTMR ? GICSIM_GICV5_IWB_WTMR : GICSIM_GICV5_IWB_WENABLER;
    uint32_t n = (off - base) / 4u;
    if (size != 4 || off < GICSIM_GICV5_IWB_WENABLER || (off & 3u) || n >= b->nwires / 32u)
        return NULL;
    return off >= GICSIM_GICV5_IWB_WTMR ? &b->wtm[n] : &b->wen[n];
}

gicsim_status iwb_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val)
{
    v5_iwb *b = g->v5->iwb;
    uint32_t *w = word_of(b, off, size);
    bool idle = engine_now(g->engine) >= b->busy_until;
    *val = 0;
    if (w)
        *val = *w;
    else if (size == 4 && off == GICSIM_GICV5_IWB_IDR0)
        *val = b->nwires / 32u - 1u;
    else if (size == 4 && off == GICSIM_GICV5_IWB_CR0)
        *val = (b->cr0 & CR0_IWBEN) | (idle ? 2u : 0u);
    else if (size == 4 && off == GICSIM_GICV5_IWB_WENABLE_STATUSR)
        *val = idle;
    else
        g->stats.raz_wi_reads++;
    return GICSIM_OK;
}

gicsim_status iwb_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    v5_iwb *b = g->v5->iwb;
    uint32_t *w = word_of(b, off, size);
    if (size == 4 && off == GICSIM_GICV5_IWB_CR0) {
        b->cr0 = (uint32_t)val & CR0_IWBEN;
        return GICSIM_OK;
    }
    if (!w) {
        g->stats.raz_wi_writes++;
        return GICSIM_OK;
    }
    uint32_t old = *w, n = (uint32_t)(w - (off >= GICSIM_GICV5_IWB_WTMR ? b->wtm : b->wen));
    *w = (uint32_t)val;
    if (off < GICSIM_GICV5_IWB_WTMR) {
        b->busy_until = engine_now(g->engine) + g->v5->t_iwb_event;
        /* A level wire enabled while high sends its level. */
        for (uint32_t m = *w & ~old & b->wtm[n] & b->line[n]; m; m &= m - 1u)
            send(g, n * 32u + (uint32_t)__builtin_ctz(m), true);
    }
    return GICSIM_OK;
}

gicsim_status iwb_init(gicsim_gic *g)
{
    v5_iwb *b = calloc(1, sizeof *b);
    if (!b)
        return GICSIM_E_NOMEM;
    g->v5->iwb = b;
    b->nwires = g->cfg.iwb_wires;
    b->cr0 = CR0_IWBEN;
    uint32_t words = b->nwires / 32u;
    b->wen = calloc(words, sizeof *b->wen);
    b->wtm = calloc(words, sizeof *b->wtm);
    b->line = calloc(words, sizeof *b->line);
    return b->wen && b->wtm && b->line ? GICSIM_OK : GICSIM_E_NOMEM;
}

void iwb_free(gicsim_gic *g)
{
    v5_iwb *b = g->v5->iwb;
    if (!b)
        return;
    free(b->wen);
    free(b->wtm);
    free(b->line);
    free(b);
    g->v5->iwb = NULL;
}
