/* gicsim-demo: physical interrupt delivery on a bare-metal 8-PE system.
 *
 * Sixteen devices raise SPIs 32..47 with exponentially distributed gaps
 * (fixed seed). Even INTIDs are edge-triggered, odd ones level-sensitive
 * (their handler de-asserts the line). SPI n is routed to PE n % 8; the
 * first four have priority 0x80, the rest 0xA0. Each PE runs the bare-metal
 * responder of baremetal.c. The demo prints, per source, the distribution of
 * signal latency (t_signal - t_assert) and acknowledge latency
 * (t_ack - t_assert), then the GIC's accounting.
 *
 * Usage: gicsim-demo [--ms N] [--seed S] [--mean-us U]
 * Output is a pure function of the arguments. */
#include "baremetal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_PES 8u
#define NUM_SRC 16u
#define FIRST_SPI 32u

typedef struct samples {
    uint64_t *v;
    size_t n, cap;
} samples;

typedef struct source {
    uint32_t intid;
    bool level;
    gicsim_time_t t_assert; /* of the instance in flight, for level sources */
    samples sig, ack;
} source;

typedef struct demo {
    gicsim_engine *e;
    gicsim_gic *gic;
    source src[NUM_SRC];
    gicsim_time_t raised_at[GICSIM_SPI_MAX + 1]; /* per INTID, the outstanding raise */
    uint64_t rng;
    double mean_ps;
    gicsim_time_t end;
    bool oom;
} demo;

static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Exponential gap with the given mean, by inversion of a 53-bit uniform. */
static gicsim_time_t exp_gap(demo *d)
{
    double u = (double)((next_rand(&d->rng) >> 11) + 1) / 9007199254740993.0;
    double x = -d->mean_ps * log(u);
    return (gicsim_time_t)x + 1;
}

static void push(demo *d, samples *s, uint64_t v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        uint64_t *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv) {
            d->oom = true;
            return;
        }
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = v;
}

static void observe(void *ctx, const gicsim_gic_event *ev)
{
    demo *d = ctx;
    if (ev->intid < FIRST_SPI || ev->intid >= FIRST_SPI + NUM_SRC)
        return;
    source *s = &d->src[ev->intid - FIRST_SPI];
    switch (ev->kind) {
    case GICSIM_GEV_RAISE:
        d->raised_at[ev->intid] = ev->time;
        break;
    case GICSIM_GEV_SIGNAL:
        push(d, &s->sig, ev->time - d->raised_at[ev->intid]);
        break;
    case GICSIM_GEV_ACK:
        push(d, &s->ack, ev->time - d->raised_at[ev->intid]);
        break;
    default:
        break;
    }
}

static void device_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    demo *d = ctx;
    source *s = &d->src[arg];
    if (s->level)
        gicsim_gic_set_line(d->gic, 0, s->intid, true);
    else
        gicsim_gic_pulse(d->gic, 0, s->intid);
    gicsim_time_t next = gicsim_engine_now(e) + exp_gap(d);
    if (next < d->end)
        gicsim_engine_schedule_at(e, next, device_fire, d, arg, NULL);
}

/* The level device's handler reads its status register, which clears the
 * condition and de-asserts the line. */
static void level_handler_done(void *ctx, uint32_t pe, uint32_t intid)
{
    (void)pe;
    demo *d = ctx;
    gicsim_gic_set_line(d->gic, 0, intid, false);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static double pct(const samples *s, double p)
{
    if (!s->n)
        return 0;
    size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);
    return (double)s->v[i] / 1000.0;
}

static double mean(const samples *s)
{
    if (!s->n)
        return 0;
    long double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += s->v[i];
    return (double)(sum / s->n / 1000.0L);
}

static void usage(void)
{
    fprintf(stderr, "usage: gicsim-demo [--ms N] [--seed S] [--mean-us U]\n");
}

int main(int argc, char **argv)
{
    uint64_t ms = 100, seed = 1, mean_us = 20;
    for (int i = 1; i < argc; i++) {
        uint64_t *dst = NULL;
        if (!strcmp(argv[i], "--ms"))
            dst = &ms;
        else if (!strcmp(argv[i], "--seed"))
            dst = &seed;
        else if (!strcmp(argv[i], "--mean-us"))
            dst = &mean_us;
        char *end = NULL;
        if (!dst || i + 1 >= argc) {
            usage();
            return 64;
        }
        *dst = strtoull(argv[++i], &end, 10);
        if (!end || *end || *dst == 0) {
            usage();
            return 64;
        }
    }

    static demo d;
    d.rng = seed * 0x9E3779B97F4A7C15ull | 1;
    d.mean_ps = (double)GICSIM_US(mean_us);
    d.end = GICSIM_MS(ms);

    gicsim_timing timing;
    gicsim_timing_init(&timing);
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = NUM_PES;
    cfg.num_spis = 64;
    cfg.timing = &timing;
    if (gicsim_engine_create(&d.e) != GICSIM_OK ||
        gicsim_gic_create(d.e, &cfg, &d.gic) != GICSIM_OK) {
        fprintf(stderr, "gicsim-demo: cannot create the model\n");
        return 1;
    }
    gicsim_gic_os_init(d.gic);
    bm_system *bm = bm_create(d.gic, &timing);
    if (!bm) {
        fprintf(stderr, "gicsim-demo: out of memory\n");
        return 1;
    }
    gicsim_gic_add_observer(d.gic, observe, &d);

    for (uint32_t i = 0; i < NUM_SRC; i++) {
        source *s = &d.src[i];
        s->intid = FIRST_SPI + i;
        s->level = i % 2;
        uint32_t n = s->intid;
        gicsim_gicd_write(d.gic, GICSIM_GICD_IPRIORITYR + n, 1, i < 4 ? 0x80 : 0xA0);
        gicsim_gicd_write(d.gic, GICSIM_GICD_IROUTER + 8 * n, 8,
                          gicsim_gic_pe_affinity(d.gic, i % NUM_PES));
        if (!s->level) {
            uint64_t cfgr = 0;
            gicsim_gicd_read(d.gic, GICSIM_GICD_ICFGR + 4 * (n / 16), 4, &cfgr);
            cfgr |= 2ull << (2 * (n % 16));
            gicsim_gicd_write(d.gic, GICSIM_GICD_ICFGR + 4 * (n / 16), 4, cfgr);
        }
        gicsim_gicd_write(d.gic, GICSIM_GICD_ISENABLER + 4 * (n / 32), 4, 1u << (n % 32));
        bm_set_handler(bm, n, GICSIM_US(s->level ? 2 : 1), s->level ? level_handler_done : NULL,
                       &d);
        gicsim_engine_schedule_at(d.e, exp_gap(&d), device_fire, &d, i, NULL);
    }

    gicsim_engine_run_until(d.e, d.end);
    /* Let the interrupts in flight finish: devices stop at the end time. */
    gicsim_engine_run_for(d.e, GICSIM_MS(1));
    if (d.oom) {
        fprintf(stderr, "gicsim-demo: out of memory\n");
        return 1;
    }

    printf("gicsim %s demo: bare-metal SPI delivery, %u PEs, %" PRIu64 " ms simulated, "
           "seed %" PRIu64 ", mean gap %" PRIu64 " us per device\n",
           gicsim_version_string(), NUM_PES, ms, seed, mean_us);
    printf("costs: dist_to_redist %.0f ns, redist_to_cpuif %.0f ns, exc_local %.1f ns, "
           "icc_iar_read %.1f ns\n\n",
           gicsim_timing_ps(&timing, GICSIM_COST_DIST_TO_REDIST) / 1000.0,
           gicsim_timing_ps(&timing, GICSIM_COST_REDIST_TO_CPUIF) / 1000.0,
           gicsim_timing_ps(&timing, GICSIM_COST_EXC_LOCAL) / 1000.0,
           gicsim_timing_ps(&timing, GICSIM_COST_ICC_IAR_READ) / 1000.0);
    printf("%-5s %-5s %-3s %-4s %7s | %-29s | %-37s\n", "INTID", "trig", "PE", "prio", "count",
           "signal latency ns (mean p50 max)", "acknowledge latency ns (mean p50 p99 max)");
    for (uint32_t i = 0; i < NUM_SRC; i++) {
        source *s = &d.src[i];
        qsort(s->sig.v, s->sig.n, sizeof *s->sig.v, cmp_u64);
        qsort(s->ack.v, s->ack.n, sizeof *s->ack.v, cmp_u64);
        printf("%-5u %-5s %-3u %-4s %7zu | %9.1f %9.1f %9.1f | %9.1f %9.1f %9.1f %9.1f\n", s->intid,
               s->level ? "level" : "edge", i % NUM_PES, i < 4 ? "0x80" : "0xa0", s->ack.n,
               mean(&s->sig), pct(&s->sig, 0.5), pct(&s->sig, 1.0), mean(&s->ack),
               pct(&s->ack, 0.5), pct(&s->ack, 0.99), pct(&s->ack, 1.0));
    }

    gicsim_gic_stats st;
    gicsim_gic_get_stats(d.gic, &st);
    printf("\naccounting: raised %" PRIu64 " = acknowledged %" PRIu64 " + withdrawn %" PRIu64
           " + pending %" PRIu64 "; merged %" PRIu64 "; spurious IAR %" PRIu64 "\n",
           st.raised, st.acknowledged, st.withdrawn, st.pending_now, st.merged, st.spurious_acks);
    printf("engine: %" PRIu64 " events\n", gicsim_engine_events_fired(d.e));
    bool balanced = st.raised == st.acknowledged + st.withdrawn + st.pending_now;

    for (uint32_t i = 0; i < NUM_SRC; i++) {
        free(d.src[i].sig.v);
        free(d.src[i].ack.v);
    }
    gicsim_gic_destroy(d.gic);
    bm_destroy(bm);
    gicsim_engine_destroy(d.e);
    return balanced ? 0 : 1;
}
