/* bench_gic: events per second of the physical GIC model.
 *
 * A closed loop on 8 PEs: each PE owns one edge-triggered SPI; the
 * bare-metal responder takes it (IAR1), and at the end of the (empty)
 * handler the device raises it again before the EOI, so every PE always has
 * one interrupt in flight: assert, forward, signal, acknowledge, EOI.
 * Prints (never asserts) simulated events per second of host time,
 * delivered interrupts per second and ns per event.
 *
 * Usage: bench_gic [interrupts]   (default 4,000,000) */
#include "baremetal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PES 8u

static gicsim_gic *gic;

static void repulse(void *ctx, uint32_t pe, uint32_t intid)
{
    (void)ctx;
    gicsim_gic_pulse(gic, pe, intid);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    uint64_t target = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000000ull;
    if (target == 0)
        target = 1;
    gicsim_engine *e;
    gicsim_timing t;
    gicsim_timing_init(&t);
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = PES;
    cfg.num_spis = 32;
    cfg.timing = &t;
    if (gicsim_engine_create(&e) != GICSIM_OK || gicsim_gic_create(e, &cfg, &gic) != GICSIM_OK)
        return 1;
    gicsim_gic_os_init(gic);
    bm_system *bm = bm_create(gic, &t);
    if (!bm)
        return 1;
    for (uint32_t pe = 0; pe < PES; pe++) {
        uint32_t n = 32 + pe;
        gicsim_gicd_write(gic, GICSIM_GICD_IROUTER + 8 * n, 8, gicsim_gic_pe_affinity(gic, pe));
        uint64_t cfgr;
        gicsim_gicd_read(gic, GICSIM_GICD_ICFGR + 4 * (n / 16), 4, &cfgr);
        gicsim_gicd_write(gic, GICSIM_GICD_ICFGR + 4 * (n / 16), 4, cfgr | 2ull << (2 * (n % 16)));
        gicsim_gicd_write(gic, GICSIM_GICD_ISENABLER + 4, 4, 1u << (n % 32));
        bm_set_handler(bm, n, 0, repulse, NULL);
        gicsim_gic_pulse(gic, 0, n);
    }
    gicsim_engine_run_for(e, GICSIM_US(1)); /* warm-up */
    uint64_t ev0 = gicsim_engine_events_fired(e), irq0 = bm_handled(bm);
    double t0 = now_s();
    while (bm_handled(bm) - irq0 < target)
        gicsim_engine_run_for(e, GICSIM_US(100));
    double dt = now_s() - t0;
    uint64_t events = gicsim_engine_events_fired(e) - ev0, irqs = bm_handled(bm) - irq0;
    printf("bench_gic: physical SPI assert/ack/EOI loop, %u PEs, %" PRIu64 " interrupts\n", PES,
           irqs);
    printf("  %.1f M events/s, %.2f M interrupts/s, %.1f ns/event, %.2f events/interrupt\n",
           (double)events / dt / 1e6, (double)irqs / dt / 1e6, dt * 1e9 / (double)events,
           (double)events / (double)irqs);
    gicsim_gic_destroy(gic);
    bm_destroy(bm);
    gicsim_engine_destroy(e);
    return 0;
}
