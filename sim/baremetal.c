/* gicsim: bare-metal interrupt responder (see baremetal.h). */
#include "baremetal.h"

#include <stdlib.h>

typedef struct bm_handler {
    gicsim_time_t work;
    bm_done_fn done;
    void *ctx;
} bm_handler;

typedef struct bm_pe {
    bool busy; /* in the exception handler, IRQs masked */
} bm_pe;

struct bm_system {
    gicsim_gic *gic;
    gicsim_engine *engine;
    gicsim_time_t t_entry, t_iar, t_eoir, t_return;
    bm_handler handlers[GICSIM_SPI_MAX + 1];
    bm_pe *pes;
    uint64_t handled, spurious;
};

static void take_irq(bm_system *bm, uint32_t pe);

static void finish(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    bm_system *bm = ctx;
    uint32_t pe = (uint32_t)(arg >> 32);
    bm->pes[pe].busy = false;
    if (gicsim_gic_irq_line(bm->gic, pe)) /* unmasking with IRQ still asserted */
        take_irq(bm, pe);
}

static void end_of_handler(gicsim_engine *e, void *ctx, uint64_t arg)
{
    bm_system *bm = ctx;
    uint32_t pe = (uint32_t)(arg >> 32), intid = (uint32_t)arg;
    const bm_handler *h = &bm->handlers[intid];
    if (h->done)
        h->done(h->ctx, pe, intid);
    gicsim_icc_write(bm->gic, pe, GICSIM_ICC_EOIR1, intid);
    gicsim_engine_schedule_in(e, bm->t_eoir + bm->t_return, finish, bm, arg, NULL);
}

static void acknowledge(gicsim_engine *e, void *ctx, uint64_t arg)
{
    bm_system *bm = ctx;
    uint32_t pe = (uint32_t)(arg >> 32);
    uint64_t intid = GICSIM_INTID_SPURIOUS;
    gicsim_icc_read(bm->gic, pe, GICSIM_ICC_IAR1, &intid);
    if (intid >= 1020) {
        bm->spurious++;
        gicsim_engine_schedule_in(e, bm->t_return, finish, bm, arg, NULL);
        return;
    }
    bm->handled++;
    uint64_t next = ((uint64_t)pe << 32) | intid;
    gicsim_engine_schedule_in(e, bm->handlers[intid].work, end_of_handler, bm, next, NULL);
}

/* Exception entry, then the IAR read completes. */
static void take_irq(bm_system *bm, uint32_t pe)
{
    bm->pes[pe].busy = true;
    gicsim_engine_schedule_in(bm->engine, bm->t_entry + bm->t_iar, acknowledge, bm,
                              (uint64_t)pe << 32, NULL);
}

static void on_lines(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    (void)fiq;
    bm_system *bm = ctx;
    if (irq && !bm->pes[pe].busy)
        take_irq(bm, pe);
}

bm_system *bm_create(gicsim_gic *gic, const gicsim_timing *timing)
{
    bm_system *bm = calloc(1, sizeof *bm);
    if (!bm)
        return NULL;
    bm->pes = calloc(gicsim_gic_num_pes(gic), sizeof *bm->pes);
    if (!bm->pes || gicsim_gic_add_line_listener(gic, on_lines, bm) != GICSIM_OK) {
        bm_destroy(bm);
        return NULL;
    }
    bm->gic = gic;
    bm->engine = gicsim_gic_engine(gic);
    bm->t_entry = gicsim_timing_ps(timing, GICSIM_COST_EXC_LOCAL);
    bm->t_iar = gicsim_timing_ps(timing, GICSIM_COST_ICC_IAR_READ);
    bm->t_eoir = gicsim_timing_ps(timing, GICSIM_COST_ICC_EOIR_WRITE);
    bm->t_return = gicsim_timing_ps(timing, GICSIM_COST_ERET_LOCAL);
    return bm;
}

void bm_destroy(bm_system *bm)
{
    if (!bm)
        return;
    free(bm->pes);
    free(bm);
}

void bm_set_handler(bm_system *bm, uint32_t intid, gicsim_time_t work, bm_done_fn done, void *ctx)
{
    if (intid <= GICSIM_SPI_MAX)
        bm->handlers[intid] = (bm_handler){work, done, ctx};
}

uint64_t bm_handled(const bm_system *bm)
{
    return bm->handled;
}

uint64_t bm_spurious(const bm_system *bm)
{
    return bm->spurious;
}
