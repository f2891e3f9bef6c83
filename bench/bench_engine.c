/* gicsim: throughput benchmark of the discrete-event engine.
 *
 * A "hold" loop keeps HOLD_PENDING events pending: each event's callback
 * schedules one new event at now + a pseudo-random increment. The same loop is
 * run on the gicsim engine and on a plain 4-ary heap queue defined here, with
 * the same fixed-seed increments, and the figures are printed (never checked).
 *
 * Usage: bench_engine [events]   (default 20000000 events per measurement)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under strict -std=c11 */

#include "heap4.h"

#include <gicsim/engine.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define HOLD_PENDING 256u
#define REPEATS 3
#define DEFAULT_EVENTS 20000000ull

/* ---- increments ---- */

typedef enum workload { WL_UNIFORM, WL_SOME_FAR } workload;

static const char *const workload_names[] = {
    [WL_UNIFORM] = "uniform 0..4 us",
    [WL_SOME_FAR] = "99% 0..4 us, 1% ~1 ms",
};

/* Increment source: xorshift64* with a fixed seed. */
typedef struct incr_gen {
    uint64_t s;
    workload wl;
} incr_gen;

static inline gicsim_time_t next_incr(incr_gen *g)
{
    uint64_t x = g->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g->s = x;
    uint64_t r = x * 0x2545F4914F6CDD1Dull;
    /* Uniform 0..4 us inclusive, by a multiply-high instead of a division. */
    gicsim_time_t d = ((r >> 32) * (GICSIM_US(4) + 1)) >> 32;
    if (g->wl == WL_SOME_FAR && (r & 0xffffu) < 655u) /* 655 / 65536 ~ 1% */
        d += GICSIM_MS(1);
    return d;
}

/* ---- the reference: a plain 4-ary heap of whole events (heap4.h) ---- */

/* ---- the hold loops ---- */

typedef struct hold {
    incr_gen gen;
    uint64_t left; /* events still to fire before stopping */
    int failed;
} hold;

static void engine_hold_cb(gicsim_engine *e, void *ctx, uint64_t arg)
{
    hold *h = ctx;
    if (gicsim_engine_schedule_in(e, next_incr(&h->gen), engine_hold_cb, h, arg, NULL) != GICSIM_OK)
        h->failed = 1;
    if (--h->left == 0)
        gicsim_engine_stop(e);
}

static void rheap_hold_cb(rheap *q, void *ctx, uint64_t arg)
{
    hold *h = ctx;
    if (rheap_schedule_in(q, next_incr(&h->gen), rheap_hold_cb, h, arg) != 0)
        h->failed = 1;
    if (--h->left == 0)
        q->stop = 1;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct result {
    double secs;
    uint64_t fired;
    gicsim_time_t end_time; /* simulated time at the end, to compare the runs */
    int failed;
} result;

static result bench_engine(workload wl, uint64_t events)
{
    result r = {0};
    gicsim_engine *e = NULL;
    if (gicsim_engine_create(&e) != GICSIM_OK) {
        r.failed = 1;
        return r;
    }
    hold h = {{0x9E3779B97F4A7C15ull, wl}, events, 0};
    for (uint32_t i = 0; i < HOLD_PENDING; i++)
        if (gicsim_engine_schedule_in(e, next_incr(&h.gen), engine_hold_cb, &h, i, NULL) !=
            GICSIM_OK)
            h.failed = 1;
    double t0 = seconds();
    r.fired = events ? gicsim_engine_run(e) : 0;
    r.secs = seconds() - t0;
    r.end_time = gicsim_engine_now(e);
    r.failed = h.failed;
    gicsim_engine_destroy(e);
    return r;
}

static result bench_rheap(workload wl, uint64_t events)
{
    result r = {0};
    rheap q = {0};
    hold h = {{0x9E3779B97F4A7C15ull, wl}, events, 0};
    for (uint32_t i = 0; i < HOLD_PENDING; i++)
        if (rheap_schedule_in(&q, next_incr(&h.gen), rheap_hold_cb, &h, i) != 0)
            h.failed = 1;
    double t0 = seconds();
    r.fired = events ? rheap_run(&q) : 0;
    r.secs = seconds() - t0;
    r.end_time = q.now;
    r.failed = h.failed;
    free(q.v);
    return r;
}

static void print_row(const char *impl, const result *r)
{
    double s = r->secs > 0 ? r->secs : 1e-12;
    printf("  %-8s %10.2f M events/s %9.2f ns/event  (%" PRIu64 " events, %.3f s%s)\n", impl,
           (double)r->fired / s / 1e6, s * 1e9 / (double)(r->fired ? r->fired : 1), r->fired,
           r->secs, r->failed ? ", ALLOCATION FAILED" : "");
}

int main(int argc, char **argv)
{
    uint64_t events = DEFAULT_EVENTS;
    if (argc > 1) {
        char *end = NULL;
        unsigned long long v = strtoull(argv[1], &end, 10);
        if (!end || *end != '\0' || end == argv[1] || v == 0) {
            fprintf(stderr, "usage: %s [events > 0]\n", argv[0]);
            return 2;
        }
        events = v;
    }
    printf("gicsim engine hold benchmark: %u pending, %" PRIu64
           " events per run, best of %d runs\n",
           HOLD_PENDING, events, REPEATS);
    for (int w = WL_UNIFORM; w <= WL_SOME_FAR; w++) {
        result best_e = {0}, best_h = {0};
        for (int rep = 0; rep < REPEATS; rep++) {
            result re = bench_engine((workload)w, events);
            result rh = bench_rheap((workload)w, events);
            if (rep == 0 || re.secs < best_e.secs)
                best_e = re;
            if (rep == 0 || rh.secs < best_h.secs)
                best_h = rh;
        }
        printf("%s:\n", workload_names[w]);
        print_row("engine", &best_e);
        print_row("heap4", &best_h);
        double re = best_e.secs > 0 ? (double)best_e.fired / best_e.secs : 0;
        double rh = best_h.secs > 0 ? (double)best_h.fired / best_h.secs : 0;
        printf("  ratio engine/heap4: %.2fx   same simulated end time: %s\n",
               rh > 0 ? re / rh : 0.0, best_e.end_time == best_h.end_time ? "yes" : "NO");
    }
    return 0;
}
