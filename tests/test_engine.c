/* gicsim: tests of the discrete-event engine (gicsim/engine.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/engine.h>

#include "engine/engine_internal.h"

#include <stdlib.h>
#include <string.h>

/* The wheel geometry of lib/engine/engine.c (1024 ps slots, 4096 slots). Tests that
 * probe the wheel/heap boundary use it; the power-of-two sweep below probes
 * boundaries of any other geometry as well. */
#define SLOT_PS 1024u
#define WHEEL_SLOTS 4096u
#define HORIZON_PS ((gicsim_time_t)SLOT_PS * WHEEL_SLOTS)

/* ---- helpers ---- */

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

typedef struct fire_rec {
    gicsim_time_t time;
    uint64_t tag;
} fire_rec;

/* A log of fired events: the callback `log_cb` appends (now, arg). */
typedef struct fire_log {
    fire_rec *v;
    size_t n;
    size_t cap;
} fire_log;

static void log_push(fire_log *l, gicsim_time_t t, uint64_t tag)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n].time = t;
    l->v[l->n].tag = tag;
    l->n++;
}

static void log_free(fire_log *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void log_cb(gicsim_engine *e, void *ctx, uint64_t arg)
{
    log_push(ctx, gicsim_engine_now(e), arg);
}

static gicsim_engine *new_engine(void)
{
    gicsim_engine *e = NULL;
    assert_int_equal(gicsim_engine_create(&e), GICSIM_OK);
    assert_non_null(e);
    return e;
}

static gicsim_event_id sched(gicsim_engine *e, gicsim_time_t when, fire_log *l, uint64_t tag)
{
    gicsim_event_id id = 0;
    assert_int_equal(gicsim_engine_schedule_at(e, when, log_cb, l, tag, &id), GICSIM_OK);
    assert_true(id != 0);
    return id;
}

/* Expected firing order of events scheduled (in array order) at times[i] with
 * tag i: a stable sort by time. Returns a malloc'ed array of tags. */
static uint64_t *expected_order(const gicsim_time_t *times, size_t n)
{
    uint64_t *order = malloc((n ? n : 1) * sizeof *order);
    assert_non_null(order);
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && times[order[j - 1]] > times[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return order;
}

/* Assert that the log is exactly the events of `times` (tags = indices) in
 * stable time order, each fired at its own time. */
static void check_log_matches(const fire_log *l, const gicsim_time_t *times, size_t n)
{
    uint64_t *order = expected_order(times, n);
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(l->v[i].tag, order[i]);
        assert_int_equal(l->v[i].time, times[order[i]]);
    }
    free(order);
}

/* ---- basic API ---- */

static void test_create_and_empty(void **state)
{
    (void)state;
    assert_int_equal(gicsim_engine_create(NULL), GICSIM_E_INVAL);
    gicsim_engine_destroy(NULL);
    gicsim_engine *e = new_engine();
    assert_int_equal(gicsim_engine_now(e), 0);
    assert_int_equal(gicsim_engine_pending(e), 0);
    assert_int_equal(gicsim_engine_events_fired(e), 0);
    assert_int_equal(gicsim_engine_next_time(e), GICSIM_TIME_NEVER);
    assert_false(gicsim_engine_step(e));
    assert_int_equal(gicsim_engine_run(e), 0);
    assert_false(gicsim_engine_cancel(e, 0));
    assert_int_equal(gicsim_engine_now(e), 0);
    gicsim_engine_destroy(e);
}

static void test_order_by_time(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    const gicsim_time_t times[] = {500, 100, 3000, 1, 0, 2047, 1024, 1023, 999999, 4000000, 7};
    const size_t n = sizeof times / sizeof times[0];
    for (size_t i = 0; i < n; i++)
        sched(e, times[i], &l, i);
    assert_int_equal(gicsim_engine_pending(e), n);
    assert_int_equal(gicsim_engine_run(e), n);
    check_log_matches(&l, times, n);
    assert_int_equal(gicsim_engine_now(e), 4000000);
    assert_int_equal(gicsim_engine_pending(e), 0);
    assert_int_equal(gicsim_engine_events_fired(e), n);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* Many events in one wheel slot, inserted out of time order, with repeats. */
static void test_order_within_one_slot(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    enum { N = 600 };
    gicsim_time_t times[N];
    uint64_t rng = 0x1234567u;
    for (size_t i = 0; i < N; i++) {
        times[i] = 5 * SLOT_PS + xorshift64(&rng) % 16u; /* 16 distinct times */
        sched(e, times[i], &l, i);
    }
    assert_int_equal(gicsim_engine_run(e), N);
    check_log_matches(&l, times, N);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* ---- FIFO among equal times ---- */

typedef struct fifo_ctx {
    fire_log log;
    uint64_t next_tag;
    int spawn_left;
} fifo_ctx;

/* Logs itself, then (while spawn_left > 0) schedules two more events at the
 * current time with fresh, increasing tags. */
static void fifo_cb(gicsim_engine *e, void *vctx, uint64_t arg)
{
    fifo_ctx *c = vctx;
    log_push(&c->log, gicsim_engine_now(e), arg);
    for (int k = 0; k < 2 && c->spawn_left > 0; k++, c->spawn_left--)
        assert_int_equal(gicsim_engine_schedule_in(e, 0, fifo_cb, c, c->next_tag++, NULL),
                         GICSIM_OK);
}

static void test_fifo_equal_times(void **state)
{
    (void)state;
    const gicsim_time_t times[] = {0, 777, 5 * SLOT_PS, HORIZON_PS + 3, GICSIM_MS(1)};
    for (size_t ti = 0; ti < sizeof times / sizeof times[0]; ti++) {
        gicsim_engine *e = new_engine();
        fifo_ctx c = {.next_tag = 0, .spawn_left = 500};
        for (int i = 0; i < 1000; i++) {
            assert_int_equal(
                gicsim_engine_schedule_at(e, times[ti], fifo_cb, &c, c.next_tag++, NULL),
                GICSIM_OK);
        }
        assert_int_equal(gicsim_engine_run_until(e, times[ti]), 1500);
        assert_int_equal(c.log.n, 1500);
        /* Tags are handed out in scheduling order, so they must fire 0, 1, 2, ... */
        for (size_t i = 0; i < c.log.n; i++) {
            assert_int_equal(c.log.v[i].tag, i);
            assert_int_equal(c.log.v[i].time, times[ti]);
        }
        assert_int_equal(gicsim_engine_pending(e), 0);
        log_free(&c.log);
        gicsim_engine_destroy(e);
    }
}

/* ---- far events and the wheel/heap boundary ---- */

static void test_far_events_interleaved(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    const gicsim_time_t times[] = {
        GICSIM_MS(10),
        5,
        (gicsim_time_t)1 << 50,
        GICSIM_MS(1000),
        3000,
        GICSIM_MS(10),
        HORIZON_PS,
        GICSIM_US(4),
        (gicsim_time_t)1 << 50,
        GICSIM_MS(1000),
        0,
        GICSIM_MS(10) + 1,
        GICSIM_MS(10) - 1,
        UINT64_MAX - 1,
        UINT64_MAX,
        GICSIM_US(100),
        5,
    };
    const size_t n = sizeof times / sizeof times[0];
    for (size_t i = 0; i < n; i++)
        sched(e, times[i], &l, i);
    assert_int_equal(gicsim_engine_run(e), n);
    check_log_matches(&l, times, n);
    assert_int_equal(gicsim_engine_now(e), UINT64_MAX);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* An event placed beyond the horizon must still fire before an event at the same
 * time scheduled later, once that time has come inside the horizon. */
static void test_far_then_near_same_time(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    const gicsim_time_t t = GICSIM_MS(1) + 123;
    sched(e, t, &l, 0); /* far: beyond the horizon */
    assert_int_equal(gicsim_engine_run_until(e, t - HORIZON_PS - 2 * SLOT_PS), 0);
    sched(e, t, &l, 1); /* still just beyond the horizon */
    assert_int_equal(gicsim_engine_run_until(e, t - 1000), 0);
    sched(e, t, &l, 2); /* now near */
    assert_int_equal(gicsim_engine_run_until(e, t - 1), 0);
    sched(e, t, &l, 3);
    assert_int_equal(gicsim_engine_run(e), 4);
    for (uint64_t i = 0; i < 4; i++) {
        assert_int_equal(l.v[i].tag, i);
        assert_int_equal(l.v[i].time, t);
    }
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* Events exactly at horizon-1, horizon and horizon+1 slots (and one ps either
 * side of each slot start), scheduled from a non slot-aligned now, then time is
 * advanced one slot at a time while more events are added at the same times. */
static void test_horizon_boundary(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    const gicsim_time_t start = 5 * SLOT_PS + 300;
    assert_int_equal(gicsim_engine_run_until(e, start), 0);
    const uint64_t cur = start / SLOT_PS;
    gicsim_time_t targets[9];
    size_t nt = 0;
    for (uint64_t s = cur + WHEEL_SLOTS - 1; s <= cur + WHEEL_SLOTS + 1; s++)
        for (int d = -1; d <= 1; d++)
            targets[nt++] = s * SLOT_PS + (gicsim_time_t)(int64_t)d;

    gicsim_time_t times[9 * 8];
    size_t n = 0;
    /* Scheduled in reverse so insertion order differs from time order. */
    for (size_t i = nt; i-- > 0;) {
        times[n] = targets[i];
        sched(e, times[n], &l, n);
        n++;
    }
    for (int round = 0; round < 7; round++) {
        /* Advance to the start of the next slot, then 1 ps into it. */
        gicsim_time_t now = gicsim_engine_now(e);
        gicsim_time_t next = (round % 2 == 0) ? (now / SLOT_PS + 1) * SLOT_PS : now + 1;
        assert_int_equal(gicsim_engine_run_until(e, next), 0);
        for (size_t i = 0; i < nt; i++) {
            times[n] = targets[(i * 5 + (size_t)round) % nt];
            sched(e, times[n], &l, n);
            n++;
        }
    }
    assert_int_equal(gicsim_engine_pending(e), n);
    assert_int_equal(gicsim_engine_next_time(e), targets[0]);
    assert_int_equal(gicsim_engine_run(e), n);
    check_log_matches(&l, times, n);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* Delays of 2^k - 1, 2^k and 2^k + 1 ps for k = 0..52 from an odd start time,
 * in shuffled order and twice each, then run in growing run_until chunks. */
static void test_power_of_two_sweep(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    const gicsim_time_t start = 123457;
    assert_int_equal(gicsim_engine_run_until(e, start), 0);
    enum { K = 53, N = K * 3 * 2 };
    gicsim_time_t times[N];
    size_t n = 0;
    for (int rep = 0; rep < 2; rep++)
        for (int k = 0; k < K; k++)
            for (int d = -1; d <= 1; d++)
                times[n++] = start + ((gicsim_time_t)1 << k) + (gicsim_time_t)(int64_t)d;
    uint64_t rng = 99;
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = (size_t)(xorshift64(&rng) % (i + 1));
        gicsim_time_t t = times[i];
        times[i] = times[j];
        times[j] = t;
    }
    for (size_t i = 0; i < N; i++)
        sched(e, times[i], &l, i);
    gicsim_time_t chunk = 1;
    uint64_t fired = 0;
    while (gicsim_engine_pending(e) > 0) {
        gicsim_time_t limit = gicsim_engine_now(e) + chunk;
        fired += gicsim_engine_run_until(e, limit);
        assert_int_equal(gicsim_engine_now(e), limit);
        chunk = chunk * 3 / 2 + 1;
    }
    assert_int_equal(fired, N);
    check_log_matches(&l, times, N);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* ---- cancel ---- */

static void test_cancel_basic(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    gicsim_event_id a = sched(e, 100, &l, 0);
    gicsim_event_id b = sched(e, 200, &l, 1);
    gicsim_event_id c = sched(e, GICSIM_MS(5), &l, 2); /* in the heap */
    gicsim_event_id d = sched(e, GICSIM_MS(6), &l, 3);
    assert_true(a != b && b != c && c != d);
    assert_int_equal(gicsim_engine_pending(e), 4);

    assert_true(gicsim_engine_cancel(e, b));
    assert_int_equal(gicsim_engine_pending(e), 3);
    assert_false(gicsim_engine_cancel(e, b)); /* already cancelled */
    /* Never-issued ids near b's (e.g. the next generation of its freed node). */
    assert_false(gicsim_engine_cancel(e, b + (1ull << 32)));
    assert_false(gicsim_engine_cancel(e, b + 1000));
    assert_int_equal(gicsim_engine_pending(e), 3);
    assert_true(gicsim_engine_cancel(e, c));
    assert_int_equal(gicsim_engine_pending(e), 2);
    assert_false(gicsim_engine_cancel(e, 0));
    assert_false(gicsim_engine_cancel(e, UINT64_MAX));
    assert_false(gicsim_engine_cancel(e, 0xdeadbeef00000000ull));
    assert_false(gicsim_engine_cancel(e, a ^ (1ull << 40))); /* wrong generation */
    assert_int_equal(gicsim_engine_next_time(e), 100);

    assert_int_equal(gicsim_engine_run_until(e, 150), 1);
    assert_false(gicsim_engine_cancel(e, a)); /* already fired */

    /* The freed nodes are reused: stale ids must not cancel the new events. */
    gicsim_event_id f = sched(e, 300, &l, 4);
    gicsim_event_id g = sched(e, 400, &l, 5);
    gicsim_event_id h = sched(e, 500, &l, 6);
    assert_false(gicsim_engine_cancel(e, a));
    assert_false(gicsim_engine_cancel(e, b));
    assert_false(gicsim_engine_cancel(e, c));
    assert_true(f != a && f != b && f != c && g != a && g != b && g != c);
    assert_true(h != a && h != b && h != c);
    assert_int_equal(gicsim_engine_pending(e), 4);

    assert_true(gicsim_engine_cancel(e, d));
    assert_int_equal(gicsim_engine_run(e), 3);
    assert_int_equal(l.n, 4);
    const uint64_t want[] = {0, 4, 5, 6};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(l.v[i].tag, want[i]);
    assert_int_equal(gicsim_engine_now(e), 500);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* engine_requeue (engine_internal.h) is cancel-and-reschedule at the same
 * time in place: the event takes its new argument and goes behind every
 * event pending at its time, keeps its id, and fires once; anything it
 * cannot requeue (not pending, beyond the wheel) is refused unchanged. */
static void test_requeue(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    gicsim_event_id a = sched(e, 100, &l, 1);
    sched(e, 100, &l, 2);
    gicsim_event_id c = sched(e, 100, &l, 3);
    sched(e, 50, &l, 4);
    sched(e, 200, &l, 5);
    /* The first of three at time 100 moves behind the other two. */
    assert_true(engine_requeue(e, a, 11));
    /* The last one stays last, with its new argument. */
    assert_true(engine_requeue(e, c, 13));
    assert_int_equal(gicsim_engine_pending(e), 5);
    /* Refused: an id never issued, one beyond the wheel, none at all. */
    assert_false(engine_requeue(e, a + 1000, 0));
    gicsim_event_id far = sched(e, HORIZON_PS * 4, &l, 6);
    assert_false(engine_requeue(e, far, 99));
    assert_false(engine_requeue(e, 0, 0));
    assert_false(engine_requeue(NULL, a, 0));
    assert_int_equal(gicsim_engine_run(e), 6);
    const uint64_t want[] = {4, 2, 11, 13, 5, 6};
    assert_int_equal(l.n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(l.v[i].tag, want[i]);
    assert_int_equal(l.v[1].time, 100);
    assert_int_equal(l.v[3].time, 100);
    /* Fired: no longer pending, refused; a cancelled one too. */
    assert_false(engine_requeue(e, a, 0));
    gicsim_event_id d = sched(e, gicsim_engine_now(e) + 10, &l, 7);
    assert_true(gicsim_engine_cancel(e, d));
    assert_false(engine_requeue(e, d, 0));
    assert_int_equal(gicsim_engine_pending(e), 0);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* engine_take_seq / engine_schedule_taken / engine_after: an event scheduled
 * late with a number taken early fires where an event scheduled when the
 * number was taken would have, in the wheel and in the heap; its place has
 * passed exactly when such an event would have fired. */
typedef struct after_probe {
    gicsim_time_t when;
    uint64_t seq;
    int seen_after, seen_before;
} after_probe;

static void probe_cb(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)arg;
    after_probe *p = ctx;
    if (engine_after(e, p->when, p->seq))
        p->seen_after++;
    else
        p->seen_before++;
}

static void test_taken_seq(void **state)
{
    (void)state;
    gicsim_time_t far = HORIZON_PS * 4;
    for (int k = 0; k < 2; k++) {
        gicsim_time_t t = k ? far : 100;
        gicsim_engine *e = new_engine();
        fire_log l = {0};
        sched(e, t, &l, 1);
        uint64_t seq = engine_take_seq(e);
        sched(e, t, &l, 3);
        sched(e, t, &l, 4);
        after_probe p = {.when = t, .seq = seq};
        assert_int_equal(gicsim_engine_schedule_at(e, t, probe_cb, &p, 0, NULL), GICSIM_OK);
        assert_false(engine_after(e, t, seq));
        gicsim_event_id id = 0;
        assert_int_equal(engine_schedule_taken(e, t, seq, log_cb, &l, 2, &id), GICSIM_OK);
        assert_true(id != 0);
        /* Refused: a number not taken yet, a time in the past. */
        assert_int_equal(engine_schedule_taken(e, t, seq + 100, log_cb, &l, 9, NULL),
                         GICSIM_E_INVAL);
        assert_int_equal(gicsim_engine_run(e), 5);
        assert_int_equal(l.n, 4);
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(l.v[i].tag, i + 1);
        assert_int_equal(p.seen_after, 1); /* the probe came after the taken place */
        assert_true(engine_after(e, t, seq));
        assert_false(engine_after(e, t + 1, 0));
        assert_int_equal(engine_schedule_taken(e, 0, seq, log_cb, &l, 9, NULL), GICSIM_E_INVAL);
        log_free(&l);
        gicsim_engine_destroy(e);
    }
    /* Between runs, a place at or before the time reached has passed. */
    gicsim_engine *e = new_engine();
    uint64_t seq = engine_take_seq(e);
    gicsim_engine_run_until(e, 50);
    assert_true(engine_after(e, 50, seq));
    assert_false(engine_after(e, 51, seq));
    gicsim_engine_destroy(e);
}

/* A failure that stops the engine for good. */
static void test_fail(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    sched(e, 10, &l, 1);
    sched(e, 20, &l, 2);
    assert_int_equal(gicsim_engine_status(e), GICSIM_OK);
    assert_int_equal(gicsim_engine_status(NULL), GICSIM_E_INVAL);
    engine_fail(e, GICSIM_OK); /* not a failure */
    assert_int_equal(gicsim_engine_run_until(e, 10), 1);
    engine_fail(e, GICSIM_E_NOMEM);
    engine_fail(e, GICSIM_E_IO); /* the first one stays */
    assert_int_equal(gicsim_engine_status(e), GICSIM_E_NOMEM);
    assert_int_equal(gicsim_engine_run_until(e, 100), 0);
    assert_int_equal(gicsim_engine_run(e), 0);
    assert_false(gicsim_engine_step(e));
    assert_int_equal(gicsim_engine_now(e), 10);
    assert_int_equal(l.n, 1);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* Cancel every third of many far (heap) and near (wheel) events. */
static void test_cancel_many(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    enum { N = 3000 };
    gicsim_time_t times[N];
    gicsim_event_id ids[N];
    uint64_t rng = 42;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = xorshift64(&rng);
        times[i] = (r & 1) ? r % GICSIM_MS(50) : r % (2 * HORIZON_PS);
        ids[i] = sched(e, times[i], &l, i);
    }
    size_t kept = 0;
    for (size_t i = 0; i < N; i++) {
        if (i % 3 == 1)
            assert_true(gicsim_engine_cancel(e, ids[i]));
        else
            kept++;
    }
    assert_int_equal(gicsim_engine_pending(e), kept);
    assert_int_equal(gicsim_engine_run(e), kept);
    gicsim_time_t kt[N];
    uint64_t kidx[N];
    size_t k = 0;
    for (size_t i = 0; i < N; i++)
        if (i % 3 != 1) {
            kt[k] = times[i];
            kidx[k++] = i;
        }
    uint64_t *order = expected_order(kt, k);
    assert_int_equal(l.n, k);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(l.v[i].tag, kidx[order[i]]);
    free(order);
    log_free(&l);
    gicsim_engine_destroy(e);
}

typedef struct cancel_ctx {
    fire_log log;
    gicsim_event_id victim_later;  /* same time, scheduled after the canceller */
    gicsim_event_id victim_before; /* same time, scheduled (and fired) before */
    gicsim_event_id self;
    bool results[3];
    uint64_t pending_before, pending_after;
} cancel_ctx;

static void cancel_cb(gicsim_engine *e, void *vctx, uint64_t arg)
{
    cancel_ctx *c = vctx;
    log_push(&c->log, gicsim_engine_now(e), arg);
    if (arg != 1)
        return;
    c->pending_before = gicsim_engine_pending(e);
    c->results[0] = gicsim_engine_cancel(e, c->victim_later);
    c->pending_after = gicsim_engine_pending(e);
    c->results[1] = gicsim_engine_cancel(e, c->victim_before);
    c->results[2] = gicsim_engine_cancel(e, c->self);
}

static void test_cancel_from_callback_same_time(void **state)
{
    (void)state;
    const gicsim_time_t times[] = {1000, GICSIM_MS(3)};
    for (size_t ti = 0; ti < 2; ti++) {
        gicsim_engine *e = new_engine();
        cancel_ctx c;
        memset(&c, 0, sizeof c);
        const gicsim_time_t t = times[ti];
        assert_int_equal(gicsim_engine_schedule_at(e, t, cancel_cb, &c, 0, &c.victim_before),
                         GICSIM_OK);
        assert_int_equal(gicsim_engine_schedule_at(e, t, cancel_cb, &c, 1, &c.self), GICSIM_OK);
        assert_int_equal(gicsim_engine_schedule_at(e, t, cancel_cb, &c, 2, &c.victim_later),
                         GICSIM_OK);
        assert_int_equal(gicsim_engine_schedule_at(e, t, cancel_cb, &c, 3, NULL), GICSIM_OK);
        assert_int_equal(gicsim_engine_run_until(e, t), 3);
        assert_true(c.results[0]);
        assert_false(c.results[1]);
        assert_false(c.results[2]); /* an event is no longer pending in its own callback */
        assert_int_equal(c.pending_before, 2);
        assert_int_equal(c.pending_after, 1);
        assert_int_equal(c.log.n, 3);
        assert_int_equal(c.log.v[0].tag, 0);
        assert_int_equal(c.log.v[1].tag, 1);
        assert_int_equal(c.log.v[2].tag, 3);
        assert_int_equal(gicsim_engine_pending(e), 0);
        log_free(&c.log);
        gicsim_engine_destroy(e);
    }
}

/* ---- run_until, run_for, step, stop ---- */

static void test_run_until(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    sched(e, 100, &l, 0);
    sched(e, 200, &l, 1);
    sched(e, 300, &l, 2);
    assert_int_equal(gicsim_engine_run_until(e, 200), 2); /* events at the limit fire */
    assert_int_equal(gicsim_engine_now(e), 200);
    assert_int_equal(l.n, 2);
    assert_int_equal(gicsim_engine_run_until(e, 150), 0); /* limit < now: nothing */
    assert_int_equal(gicsim_engine_now(e), 200);
    assert_int_equal(gicsim_engine_run_until(e, 299), 0);
    assert_int_equal(gicsim_engine_now(e), 299); /* now == limit afterwards */
    assert_int_equal(gicsim_engine_pending(e), 1);
    assert_int_equal(gicsim_engine_run_until(e, 299), 0);
    assert_int_equal(gicsim_engine_run_until(e, GICSIM_MS(7)), 1);
    assert_int_equal(gicsim_engine_now(e), GICSIM_MS(7));
    assert_int_equal(l.v[2].time, 300);
    /* With nothing pending, time still advances to the limit. */
    assert_int_equal(gicsim_engine_run_until(e, (gicsim_time_t)1 << 55), 0);
    assert_int_equal(gicsim_engine_now(e), (gicsim_time_t)1 << 55);
    /* Scheduling relative to the new now still works after a big jump. */
    sched(e, ((gicsim_time_t)1 << 55) + 5, &l, 3);
    sched(e, ((gicsim_time_t)1 << 55) + GICSIM_MS(1), &l, 4);
    assert_int_equal(gicsim_engine_run(e), 2);
    assert_int_equal(l.v[3].tag, 3);
    assert_int_equal(l.v[4].tag, 4);
    log_free(&l);
    gicsim_engine_destroy(e);
}

static void test_run_for(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    sched(e, 1000, &l, 0);
    sched(e, 2000, &l, 1);
    assert_int_equal(gicsim_engine_run_for(e, 999), 0);
    assert_int_equal(gicsim_engine_now(e), 999);
    assert_int_equal(gicsim_engine_run_for(e, 1), 1);
    assert_int_equal(gicsim_engine_now(e), 1000);
    assert_int_equal(gicsim_engine_run_for(e, 0), 0);
    assert_int_equal(gicsim_engine_run_for(e, 1500), 1);
    assert_int_equal(gicsim_engine_now(e), 2500);
    sched(e, UINT64_MAX, &l, 2);
    /* Saturates rather than wrapping round. */
    assert_int_equal(gicsim_engine_run_for(e, UINT64_MAX), 1);
    assert_int_equal(gicsim_engine_now(e), UINT64_MAX);
    assert_int_equal(gicsim_engine_run_for(e, 5), 0);
    assert_int_equal(gicsim_engine_now(e), UINT64_MAX);
    log_free(&l);
    gicsim_engine_destroy(e);
}

static void test_step(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    sched(e, 50, &l, 0);
    sched(e, 50, &l, 1);
    sched(e, GICSIM_MS(2), &l, 2);
    assert_true(gicsim_engine_step(e));
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].tag, 0);
    assert_int_equal(gicsim_engine_now(e), 50);
    assert_true(gicsim_engine_step(e));
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[1].tag, 1);
    assert_true(gicsim_engine_step(e));
    assert_int_equal(l.n, 3);
    assert_int_equal(gicsim_engine_now(e), GICSIM_MS(2));
    assert_false(gicsim_engine_step(e));
    assert_int_equal(gicsim_engine_now(e), GICSIM_MS(2));
    assert_int_equal(gicsim_engine_events_fired(e), 3);
    log_free(&l);
    gicsim_engine_destroy(e);
}

typedef struct stop_ctx {
    fire_log log;
    uint64_t stop_tag;
} stop_ctx;

static void stop_cb(gicsim_engine *e, void *vctx, uint64_t arg)
{
    stop_ctx *c = vctx;
    log_push(&c->log, gicsim_engine_now(e), arg);
    if (arg == c->stop_tag)
        gicsim_engine_stop(e);
}

static void test_stop(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    stop_ctx c = {.stop_tag = 1};
    for (uint64_t i = 0; i < 6; i++)
        assert_int_equal(gicsim_engine_schedule_at(e, 100 * (i + 1), stop_cb, &c, i, NULL),
                         GICSIM_OK);
    assert_int_equal(gicsim_engine_run_until(e, 1000), 2);
    assert_int_equal(gicsim_engine_now(e), 200); /* not the limit */
    assert_int_equal(gicsim_engine_pending(e), 4);
    c.stop_tag = 3;
    assert_int_equal(gicsim_engine_run(e), 2);
    assert_int_equal(gicsim_engine_now(e), 400);
    c.stop_tag = 4;
    assert_int_equal(gicsim_engine_run_for(e, 10000), 1);
    assert_int_equal(gicsim_engine_now(e), 500);
    /* A stop outside any run has no effect on the next run. */
    c.stop_tag = 99;
    gicsim_engine_stop(e);
    assert_int_equal(gicsim_engine_run_until(e, 1000), 1);
    assert_int_equal(gicsim_engine_now(e), 1000);
    assert_int_equal(c.log.n, 6);
    log_free(&c.log);
    gicsim_engine_destroy(e);
}

static void test_schedule_rejections(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    assert_int_equal(gicsim_engine_run_until(e, 1000), 0);
    gicsim_event_id id = 77;
    assert_int_equal(gicsim_engine_schedule_at(e, 999, log_cb, &l, 0, &id), GICSIM_E_INVAL);
    assert_int_equal(gicsim_engine_schedule_at(e, 0, log_cb, &l, 0, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_engine_schedule_at(e, 2000, NULL, &l, 0, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_engine_schedule_in(e, 10, NULL, &l, 0, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_engine_schedule_in(e, UINT64_MAX, log_cb, &l, 0, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_engine_schedule_at(NULL, 2000, log_cb, &l, 0, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_engine_pending(e), 0);
    /* At now is allowed, as is the last representable time. */
    assert_int_equal(gicsim_engine_schedule_at(e, 1000, log_cb, &l, 1, NULL), GICSIM_OK);
    assert_int_equal(gicsim_engine_schedule_in(e, UINT64_MAX - 1000, log_cb, &l, 2, &id),
                     GICSIM_OK);
    assert_true(id != 0 && id != 77);
    assert_int_equal(gicsim_engine_pending(e), 2);
    assert_int_equal(gicsim_engine_run(e), 2);
    assert_int_equal(l.v[0].time, 1000);
    assert_int_equal(l.v[1].time, UINT64_MAX);
    log_free(&l);
    gicsim_engine_destroy(e);
}

static void test_next_time(void **state)
{
    (void)state;
    gicsim_engine *e = new_engine();
    fire_log l = {0};
    assert_int_equal(gicsim_engine_next_time(e), GICSIM_TIME_NEVER);
    gicsim_event_id far = sched(e, GICSIM_MS(9), &l, 0);
    assert_int_equal(gicsim_engine_next_time(e), GICSIM_MS(9));
    gicsim_event_id a = sched(e, 300, &l, 1);
    gicsim_event_id b = sched(e, 200, &l, 2);
    sched(e, HORIZON_PS + 1, &l, 3);
    assert_int_equal(gicsim_engine_next_time(e), 200);
    assert_true(gicsim_engine_cancel(e, b));
    assert_int_equal(gicsim_engine_next_time(e), 300);
    assert_true(gicsim_engine_cancel(e, a));
    assert_int_equal(gicsim_engine_next_time(e), HORIZON_PS + 1);
    assert_int_equal(gicsim_engine_run_until(e, HORIZON_PS + 1), 1);
    assert_int_equal(gicsim_engine_next_time(e), GICSIM_MS(9));
    assert_true(gicsim_engine_cancel(e, far));
    assert_int_equal(gicsim_engine_next_time(e), GICSIM_TIME_NEVER);
    /* next_time does not fire or advance anything. */
    assert_int_equal(gicsim_engine_now(e), HORIZON_PS + 1);
    assert_int_equal(l.n, 1);
    log_free(&l);
    gicsim_engine_destroy(e);
}

/* ---- randomized workloads against a reference ---- */

/* Reference queue: an array kept sorted by descending (time, seq), so the next
 * event is the last element. */
typedef struct ref_ev {
    gicsim_time_t time;
    uint64_t seq;
    uint64_t tag;
} ref_ev;

typedef struct refq {
    ref_ev *v;
    size_t n, cap;
    uint64_t seq;
    gicsim_time_t now;
    bool stop;
} refq;

static void ref_insert(refq *q, gicsim_time_t t, uint64_t tag)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->v = realloc(q->v, q->cap * sizeof *q->v);
        assert_non_null(q->v);
    }
    ref_ev ev = {t, q->seq++, tag};
    /* First position whose element is (time, seq)-before ev; ev's seq is the
     * largest, so that is the first element with time <= t. */
    size_t lo = 0, hi = q->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (q->v[mid].time <= t)
            hi = mid;
        else
            lo = mid + 1;
    }
    memmove(&q->v[lo + 1], &q->v[lo], (q->n - lo) * sizeof *q->v);
    q->v[lo] = ev;
    q->n++;
}

static bool ref_cancel(refq *q, uint64_t tag)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->v[i].tag == tag) {
            memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof *q->v);
            q->n--;
            return true;
        }
    return false;
}

enum { REC_FIRE, REC_SCHED, REC_CANCEL, REC_RUN, REC_STEP, REC_PEEK };

typedef struct rec {
    int kind;
    uint64_t a, b;
} rec;

/* One side of a comparison: the engine, or the reference queue. Both are driven
 * by the same code with the same seed and record everything they observe. */
typedef struct side {
    bool is_ref;
    gicsim_engine *eng;
    refq ref;
    uint64_t rng;
    uint64_t next_tag;
    gicsim_event_id *ids; /* by tag (engine side) */
    size_t ids_cap;
    gicsim_time_t recent[8]; /* recently used absolute times, to create ties */
    rec *log;
    size_t n, cap;
} side;

static void side_rec(side *s, int kind, uint64_t a, uint64_t b)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->log = realloc(s->log, s->cap * sizeof *s->log);
        assert_non_null(s->log);
    }
    s->log[s->n].kind = kind;
    s->log[s->n].a = a;
    s->log[s->n].b = b;
    s->n++;
}

static gicsim_time_t side_now(side *s)
{
    return s->is_ref ? s->ref.now : gicsim_engine_now(s->eng);
}

static void side_on_fire(side *s, uint64_t tag);

static void side_engine_cb(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    side_on_fire(ctx, arg);
}

/* Schedule at `when` with a fresh tag and record the outcome. */
static void side_schedule(side *s, gicsim_time_t when)
{
    uint64_t tag = s->next_tag++;
    int st;
    if (s->is_ref) {
        st = when < s->ref.now ? GICSIM_E_INVAL : GICSIM_OK;
        if (st == GICSIM_OK)
            ref_insert(&s->ref, when, tag);
    } else {
        if (tag >= s->ids_cap) {
            size_t cap = s->ids_cap ? s->ids_cap * 2 : 1024;
            s->ids = realloc(s->ids, cap * sizeof *s->ids);
            assert_non_null(s->ids);
            memset(&s->ids[s->ids_cap], 0, (cap - s->ids_cap) * sizeof *s->ids);
            s->ids_cap = cap;
        }
        st = gicsim_engine_schedule_at(s->eng, when, side_engine_cb, s, tag, &s->ids[tag]);
    }
    side_rec(s, REC_SCHED, tag, (uint64_t)(int64_t)st);
}

static gicsim_time_t side_delay(side *s)
{
    uint64_t r = xorshift64(&s->rng);
    switch (r % 16) {
    case 0:
        return 0;
    case 1:
        return (xorshift64(&s->rng) % 8192) * SLOT_PS;
    case 2:
        return HORIZON_PS - 2048 + xorshift64(&s->rng) % 4096;
    case 3:
        return xorshift64(&s->rng) % ((gicsim_time_t)1 << 40);
    case 4:
        return ((gicsim_time_t)1 << 50) + xorshift64(&s->rng) % 1000;
    case 5:
    case 6:
        return xorshift64(&s->rng) % 16;
    default:
        return xorshift64(&s->rng) % GICSIM_US(5);
    }
}

/* Choose an absolute time: mostly now + delay, sometimes a recent time again
 * (possibly in the past by now), sometimes just before now. */
static gicsim_time_t side_when(side *s)
{
    uint64_t r = xorshift64(&s->rng) % 20;
    gicsim_time_t now = side_now(s);
    gicsim_time_t t;
    if (r < 3)
        t = s->recent[xorshift64(&s->rng) % 8];
    else if (r == 3 && now > 0)
        t = now - 1 - xorshift64(&s->rng) % (now < 5000 ? now : 5000);
    else {
        gicsim_time_t d = side_delay(s);
        t = now + d;
        s->recent[xorshift64(&s->rng) % 8] = t;
    }
    return t;
}

static void side_cancel(side *s)
{
    if (s->next_tag == 0)
        return;
    /* Mostly a recent tag (likely still pending), sometimes any tag at all. */
    uint64_t r = xorshift64(&s->rng);
    uint64_t tag =
        (r & 3) && s->next_tag > 64 ? s->next_tag - 1 - (r >> 2) % 64 : (r >> 2) % s->next_tag;
    bool ok;
    if (s->is_ref)
        ok = ref_cancel(&s->ref, tag);
    else
        ok = gicsim_engine_cancel(s->eng, s->ids[tag]);
    side_rec(s, REC_CANCEL, tag, ok);
}

/* The callback of every event: record it, then maybe schedule, cancel or stop. */
static void side_on_fire(side *s, uint64_t tag)
{
    side_rec(s, REC_FIRE, side_now(s), tag);
    uint64_t r = xorshift64(&s->rng) % 100;
    if (r < 30)
        side_schedule(s, side_when(s));
    else if (r < 40)
        side_cancel(s);
    else if (r == 40) {
        if (s->is_ref)
            s->ref.stop = true;
        else
            gicsim_engine_stop(s->eng);
    }
}

/* The reference run_until; with `to_limit` false it is run() instead (time
 * stays at the last event fired). */
static uint64_t ref_run(side *s, gicsim_time_t limit, bool to_limit)
{
    refq *q = &s->ref;
    if (limit < q->now)
        return 0;
    q->stop = false;
    uint64_t count = 0;
    while (q->n > 0 && q->v[q->n - 1].time <= limit) {
        ref_ev ev = q->v[--q->n];
        q->now = ev.time;
        count++;
        side_on_fire(s, ev.tag);
        if (q->stop)
            return count;
    }
    if (to_limit && limit > q->now)
        q->now = limit;
    return count;
}

static void side_op(side *s)
{
    uint64_t r = xorshift64(&s->rng) % 1000;
    if (r < 560) {
        side_schedule(s, side_when(s));
    } else if (r < 700) {
        side_cancel(s);
    } else if (r < 850) {
        gicsim_time_t d = (r & 1) ? xorshift64(&s->rng) % GICSIM_US(3) : xorshift64(&s->rng) % 4096;
        gicsim_time_t limit = side_now(s) + d;
        if (r % 37 == 0)
            limit = s->recent[xorshift64(&s->rng) % 8]; /* maybe in the past */
        uint64_t c = s->is_ref ? ref_run(s, limit, true) : gicsim_engine_run_until(s->eng, limit);
        side_rec(s, REC_RUN, c, side_now(s));
    } else if (r < 880) {
        bool ok;
        if (s->is_ref) {
            ok = s->ref.n > 0;
            if (ok) {
                ref_ev ev = s->ref.v[--s->ref.n];
                s->ref.now = ev.time;
                side_on_fire(s, ev.tag);
            }
        } else {
            ok = gicsim_engine_step(s->eng);
        }
        side_rec(s, REC_STEP, ok, side_now(s));
    } else if (r < 999) {
        gicsim_time_t nt;
        uint64_t pend;
        if (s->is_ref) {
            nt = s->ref.n ? s->ref.v[s->ref.n - 1].time : GICSIM_TIME_NEVER;
            pend = s->ref.n;
        } else {
            nt = gicsim_engine_next_time(s->eng);
            pend = gicsim_engine_pending(s->eng);
        }
        side_rec(s, REC_PEEK, nt, pend);
    } else if (xorshift64(&s->rng) % 8 == 0) {
        /* Run everything (or until a callback stops it). */
        uint64_t c = s->is_ref ? ref_run(s, GICSIM_TIME_NEVER, false) : gicsim_engine_run(s->eng);
        side_rec(s, REC_RUN, c, side_now(s));
    }
}

static void side_init(side *s, bool is_ref, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->is_ref = is_ref;
    s->rng = seed;
    if (!is_ref)
        s->eng = new_engine();
}

static void side_fini(side *s)
{
    gicsim_engine_destroy(s->eng);
    free(s->ref.v);
    free(s->ids);
    free(s->log);
}

/* Drain: run everything still pending, so each log ends with every event. */
static void side_drain(side *s)
{
    for (;;) {
        uint64_t c;
        bool more;
        if (s->is_ref) {
            c = ref_run(s, GICSIM_TIME_NEVER, false);
            more = s->ref.n > 0;
        } else {
            c = gicsim_engine_run(s->eng);
            more = gicsim_engine_pending(s->eng) > 0;
        }
        side_rec(s, REC_RUN, c, side_now(s));
        if (!more)
            break;
    }
}

static void side_workload(side *s, size_t ops)
{
    for (size_t i = 0; i < ops; i++)
        side_op(s);
    side_drain(s);
}

static void assert_logs_equal(const side *a, const side *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        if (a->log[i].kind != b->log[i].kind || a->log[i].a != b->log[i].a ||
            a->log[i].b != b->log[i].b) {
            fail_msg("logs differ at record %zu: kind %d/%d a %llu/%llu b %llu/%llu", i,
                     a->log[i].kind, b->log[i].kind, (unsigned long long)a->log[i].a,
                     (unsigned long long)b->log[i].a, (unsigned long long)a->log[i].b,
                     (unsigned long long)b->log[i].b);
        }
    }
}

static void test_determinism(void **state)
{
    (void)state;
    side *a = malloc(sizeof *a);
    side *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    side_init(a, false, 0x9e3779b97f4a7c15ull);
    side_init(b, false, 0x9e3779b97f4a7c15ull);
    side_workload(a, 30000);
    side_workload(b, 30000);
    assert_logs_equal(a, b);

    /* Firing times never decrease; equal times fire in scheduling (tag) order;
     * every successfully scheduled event fires or is cancelled exactly once. */
    size_t fires = 0, scheduled = 0, cancelled = 0;
    bool have_prev = false;
    gicsim_time_t pt = 0;
    uint64_t ptag = 0;
    for (size_t i = 0; i < a->n; i++) {
        const rec *r = &a->log[i];
        if (r->kind == REC_SCHED && r->b == 0)
            scheduled++;
        if (r->kind == REC_CANCEL && r->b)
            cancelled++;
        if (r->kind != REC_FIRE)
            continue;
        fires++;
        if (have_prev) {
            assert_true(r->a >= pt);
            if (r->a == pt)
                assert_true(r->b > ptag);
        }
        have_prev = true;
        pt = r->a;
        ptag = r->b;
    }
    assert_true(fires > 10000);
    assert_true(cancelled > 500);
    assert_int_equal(fires + cancelled, scheduled);
    assert_int_equal(gicsim_engine_events_fired(a->eng), fires);
    assert_int_equal(gicsim_engine_pending(a->eng), 0);
    side_fini(a);
    side_fini(b);
    free(a);
    free(b);
}

static void test_against_reference(void **state)
{
    (void)state;
    const uint64_t seeds[] = {1, 0xabcdef12345ull, 0x5555aaaa5555aaaaull};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        side *eng = malloc(sizeof *eng);
        side *ref = malloc(sizeof *ref);
        assert_non_null(eng);
        assert_non_null(ref);
        side_init(eng, false, seeds[k]);
        side_init(ref, true, seeds[k]);
        side_workload(eng, 100000);
        side_workload(ref, 100000);
        assert_logs_equal(eng, ref);
        size_t fires = 0;
        for (size_t i = 0; i < eng->n; i++)
            fires += eng->log[i].kind == REC_FIRE;
        assert_true(fires > 40000);
        side_fini(eng);
        side_fini(ref);
        free(eng);
        free(ref);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_empty),
        cmocka_unit_test(test_order_by_time),
        cmocka_unit_test(test_order_within_one_slot),
        cmocka_unit_test(test_fifo_equal_times),
        cmocka_unit_test(test_far_events_interleaved),
        cmocka_unit_test(test_far_then_near_same_time),
        cmocka_unit_test(test_horizon_boundary),
        cmocka_unit_test(test_power_of_two_sweep),
        cmocka_unit_test(test_cancel_basic),
        cmocka_unit_test(test_cancel_many),
        cmocka_unit_test(test_cancel_from_callback_same_time),
        cmocka_unit_test(test_requeue),
        cmocka_unit_test(test_taken_seq),
        cmocka_unit_test(test_fail),
        cmocka_unit_test(test_run_until),
        cmocka_unit_test(test_run_for),
        cmocka_unit_test(test_step),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_schedule_rejections),
        cmocka_unit_test(test_next_time),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
