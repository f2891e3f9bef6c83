/* bench: the reference event queue the benchmarks compare gicsim's engine
 * with: a plain 4-ary heap of whole events ordered by (time, sequence), the
 * structure most simulators use. Header-only, for bench_engine and
 * bench_suite. */
#ifndef GICSIM_BENCH_HEAP4_H
#define GICSIM_BENCH_HEAP4_H

#include <gicsim/common.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct rheap rheap;
typedef void (*rheap_fn)(rheap *q, void *ctx, uint64_t arg);

typedef struct rheap_ev {
    gicsim_time_t time;
    uint64_t seq;
    rheap_fn fn;
    void *ctx;
    uint64_t arg;
} rheap_ev;

struct rheap {
    gicsim_time_t now;
    uint64_t seq;
    rheap_ev *v;
    size_t len, cap;
    int stop;
};

static inline int rheap_before(const rheap_ev *a, const rheap_ev *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static int rheap_schedule_in(rheap *q, gicsim_time_t delay, rheap_fn fn, void *ctx, uint64_t arg)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 1024;
        rheap_ev *v = realloc(q->v, cap * sizeof *v);
        if (!v)
            return -1;
        q->v = v;
        q->cap = cap;
    }
    rheap_ev x = {q->now + delay, q->seq++, fn, ctx, arg};
    size_t pos = q->len++;
    while (pos > 0) {
        size_t parent = (pos - 1) / 4;
        if (!rheap_before(&x, &q->v[parent]))
            break;
        q->v[pos] = q->v[parent];
        pos = parent;
    }
    q->v[pos] = x;
    return 0;
}

static uint64_t rheap_run(rheap *q)
{
    uint64_t count = 0;
    q->stop = 0;
    while (q->len > 0) {
        rheap_ev top = q->v[0];
        rheap_ev x = q->v[--q->len];
        size_t len = q->len, pos = 0;
        for (;;) {
            size_t c = pos * 4 + 1;
            if (c >= len)
                break;
            size_t end = c + 4 < len ? c + 4 : len, best = c;
            for (size_t k = c + 1; k < end; k++)
                if (rheap_before(&q->v[k], &q->v[best]))
                    best = k;
            if (!rheap_before(&q->v[best], &x))
                break;
            q->v[pos] = q->v[best];
            pos = best;
        }
        if (len > 0)
            q->v[pos] = x;
        q->now = top.time;
        count++;
        top.fn(q, top.ctx, top.arg);
        if (q->stop)
            break;
    }
    return count;
}

#endif
