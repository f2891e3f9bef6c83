/* gicsim: the deterministic discrete-event engine (see gicsim/engine.h).
 *
 * Structure:
 *  - Event nodes live in one pool array (grown by doubling with realloc) and are
 *    named by index; released nodes go on a free list, so steady-state
 *    scheduling does not allocate. A node's generation is bumped every time it
 *    is released, and an event id is (generation << 32 | (index + 1)), so an id
 *    whose event already fired or was cancelled no longer matches its node.
 *  - A timing wheel of WHEEL_SLOTS slots, each SLOT_PS picoseconds wide, holds
 *    every pending event whose absolute slot (time >> SLOT_SHIFT) lies in
 *    [cur_slot, cur_slot + WHEEL_SLOTS), where cur_slot = now >> SLOT_SHIFT.
 *    Each slot therefore holds events of a single absolute slot, as a singly
 *    linked list sorted by (time, seq). A two-level occupancy bitmap finds the
 *    next non-empty slot with a few count-trailing-zeros operations.
 *  - Every other pending event (beyond the wheel's horizon) sits in a 4-ary
 *    min-heap keyed by (time, seq). Whenever cur_slot advances, heap events that
 *    now fall inside the horizon move to the wheel, so every wheel event precedes
 *    every heap event and the next event is the wheel's first one if the wheel
 *    is non-empty, else the heap's minimum.
 *  - Cancellation is eager: the node is unlinked from its slot list or removed
 *    from the heap at once, so cancelled events hold no memory.
 */
#include <gicsim/engine.h>

#include "engine_internal.h"
#include "invariants.h"

#include <stdlib.h>
#include <string.h>

/* Wheel geometry: slot width 2^SLOT_SHIFT ps, 2^WHEEL_BITS slots. */
#define SLOT_SHIFT 10u
#define WHEEL_BITS 12u
#define WHEEL_SLOTS (1u << WHEEL_BITS)
#define WHEEL_MASK (WHEEL_SLOTS - 1u)
#define BITMAP_WORDS (WHEEL_SLOTS / 64u)

_Static_assert(WHEEL_SLOTS >= 64u && BITMAP_WORDS <= 64u,
               "the two-level bitmap needs 64..4096 slots");
_Static_assert(SLOT_SHIFT < 64u, "slot width must fit in a time value");

#define NIL UINT32_MAX
#define INITIAL_NODES 256u
#define INITIAL_HEAP 64u
/* Largest pool: indices must stay below NIL and index + 1 must fit in 32 bits. */
#define MAX_NODES (UINT32_MAX - 1u)

typedef struct node {
    gicsim_time_t time;
    uint64_t seq;
    gicsim_event_fn fn; /* NULL exactly when the node is free */
    void *ctx;
    uint64_t arg;
    /* In a wheel slot: index of the next node in the slot (NIL at the end).
     * In the heap: the node's position in the heap array.
     * Free: index of the next free node (NIL at the end). */
    uint32_t link;
    uint32_t gen; /* bumped each time the node is released */
} node;

typedef struct slot {
    uint32_t head; /* NIL when the slot is empty; tail is then meaningless */
    uint32_t tail;
} slot;

typedef struct heap_entry {
    gicsim_time_t time;
    uint64_t seq;
    uint32_t idx;
} heap_entry;

struct gicsim_engine {
    engine_clock clock; /* first: engine_now reads it (engine_internal.h) */
    uint64_t cur_slot;  /* always now >> SLOT_SHIFT */
    uint64_t next_seq;
    uint64_t pending;
    uint64_t fired;
    uint64_t cur_seq; /* seq of the event firing or last fired; UINT64_MAX once run_until
                         has reached its limit (engine_after) */
    bool stop;
    gicsim_status failed; /* the first failure that stopped the engine (engine_fail) */

    node *nodes;
    uint32_t node_cap;
    uint32_t node_used; /* nodes[0 .. node_used) have been handed out at least once */
    uint32_t free_head;

    heap_entry *heap;
    uint32_t heap_len;
    uint32_t heap_cap;

    uint64_t summary; /* bit w set iff bits[w] != 0 */
    uint64_t bits[BITMAP_WORDS];
    slot slots[WHEEL_SLOTS];
    inv_engine inv; /* the invariant checker's report (invariants.h) */
};

/* (time, seq) of a strictly precedes that of b. */
static inline bool precedes(gicsim_time_t ta, uint64_t sa, gicsim_time_t tb, uint64_t sb)
{
    return ta < tb || (ta == tb && sa < sb);
}

/* True iff an event at `t` (t >= now) belongs in the wheel rather than the heap. */
static inline bool in_wheel_range(const gicsim_engine *e, gicsim_time_t t)
{
    return (t >> SLOT_SHIFT) - e->cur_slot < WHEEL_SLOTS;
}

/* ---- occupancy bitmap ---- */

static inline void bitmap_set(gicsim_engine *e, uint32_t r)
{
    e->bits[r >> 6] |= 1ull << (r & 63u);
    e->summary |= 1ull << (r >> 6);
}

static inline void bitmap_clear(gicsim_engine *e, uint32_t r)
{
    uint64_t w = e->bits[r >> 6] & ~(1ull << (r & 63u));
    e->bits[r >> 6] = w;
    if (w == 0)
        e->summary &= ~(1ull << (r >> 6));
}

/* Ring index of the first non-empty slot at or after the current slot, going
 * round the ring. Requires a non-empty wheel (summary != 0). Because every
 * wheel event lies within one revolution from cur_slot, ring order from the
 * current slot is time order. */
static inline uint32_t wheel_next_slot(const gicsim_engine *e)
{
    uint32_t r = (uint32_t)(e->cur_slot & WHEEL_MASK);
    uint32_t w = r >> 6;
    uint64_t m = e->bits[w] & (~0ull << (r & 63u));
    if (m)
        return (w << 6) | (uint32_t)__builtin_ctzll(m);
    uint64_t s = e->summary & (~1ull << w); /* words strictly after w */
    if (!s)
        s = e->summary; /* wrap round: words up to and including w */
    uint32_t w2 = (uint32_t)__builtin_ctzll(s);
    return (w2 << 6) | (uint32_t)__builtin_ctzll(e->bits[w2]);
}

/* Insert node `idx` into its wheel slot, keeping the slot sorted by (time, seq).
 * The node's time must be in wheel range. */
static void wheel_insert(gicsim_engine *e, uint32_t idx)
{
    node *nodes = e->nodes;
    node *n = &nodes[idx];
    uint32_t r = (uint32_t)((n->time >> SLOT_SHIFT) & WHEEL_MASK);
    slot *s = &e->slots[r];
    if (s->head == NIL) {
        n->link = NIL;
        s->head = idx;
        s->tail = idx;
        bitmap_set(e, r);
        return;
    }
    node *tail = &nodes[s->tail];
    if (precedes(tail->time, tail->seq, n->time, n->seq)) {
        n->link = NIL;
        tail->link = idx;
        s->tail = idx;
        return;
    }
    node *head = &nodes[s->head];
    if (precedes(n->time, n->seq, head->time, head->seq)) {
        n->link = s->head;
        s->head = idx;
        return;
    }
    /* head precedes n, and n precedes the tail: the walk stops before the end. */
    uint32_t prev = s->head;
    for (;;) {
        uint32_t nx = nodes[prev].link;
        if (precedes(n->time, n->seq, nodes[nx].time, nodes[nx].seq))
            break;
        prev = nx;
    }
    n->link = nodes[prev].link;
    nodes[prev].link = idx;
}

/* Unlink node `idx` from its wheel slot (it must be there). */
static void wheel_remove(gicsim_engine *e, uint32_t idx)
{
    node *nodes = e->nodes;
    uint32_t r = (uint32_t)((nodes[idx].time >> SLOT_SHIFT) & WHEEL_MASK);
    slot *s = &e->slots[r];
    if (s->head == idx) {
        s->head = nodes[idx].link;
        if (s->head == NIL)
            bitmap_clear(e, r);
        return;
    }
    uint32_t prev = s->head;
    while (nodes[prev].link != idx)
        prev = nodes[prev].link;
    nodes[prev].link = nodes[idx].link;
    if (s->tail == idx)
        s->tail = prev;
}

/* ---- overflow heap (4-ary, min at index 0) ---- */

static inline bool entry_precedes(const heap_entry *a, const heap_entry *b)
{
    return precedes(a->time, a->seq, b->time, b->seq);
}

/* Place `x` at hole `pos` after moving it up as far as its key requires. */
static void heap_sift_up(gicsim_engine *e, uint32_t pos, heap_entry x)
{
    heap_entry *h = e->heap;
    while (pos > 0) {
        uint32_t parent = (pos - 1) >> 2;
        if (!entry_precedes(&x, &h[parent]))
            break;
        h[pos] = h[parent];
        e->nodes[h[pos].idx].link = pos;
        pos = parent;
    }
    h[pos] = x;
    e->nodes[x.idx].link = pos;
}

/* Place `x` at hole `pos` after moving it down as far as its key requires. */
static void heap_sift_down(gicsim_engine *e, uint32_t pos, heap_entry x)
{
    heap_entry *h = e->heap;
    uint32_t len = e->heap_len;
    for (;;) {
        uint64_t first = (uint64_t)pos * 4u + 1u;
        if (first >= len)
            break;
        uint32_t c = (uint32_t)first;
        uint32_t end = (first + 4u < len) ? (uint32_t)first + 4u : len;
        uint32_t best = c;
        for (uint32_t k = c + 1; k < end; k++)
            if (entry_precedes(&h[k], &h[best]))
                best = k;
        if (!entry_precedes(&h[best], &x))
            break;
        h[pos] = h[best];
        e->nodes[h[pos].idx].link = pos;
        pos = best;
    }
    h[pos] = x;
    e->nodes[x.idx].link = pos;
}

/* Make room for one more heap entry. */
static gicsim_status heap_reserve(gicsim_engine *e)
{
    if (e->heap_len < e->heap_cap)
        return GICSIM_OK;
    if (e->heap_cap > MAX_NODES / 2u)
        return GICSIM_E_NOMEM;
    uint32_t cap = e->heap_cap * 2u;
    heap_entry *h = realloc(e->heap, (size_t)cap * sizeof *h);
    if (!h)
        return GICSIM_E_NOMEM;
    e->heap = h;
    e->heap_cap = cap;
    return GICSIM_OK;
}

/* Add node `idx` to the heap; capacity must have been reserved. */
static void heap_push(gicsim_engine *e, uint32_t idx)
{
    heap_entry x = {e->nodes[idx].time, e->nodes[idx].seq, idx};
    heap_sift_up(e, e->heap_len++, x);
}

/* Remove the heap entry at `pos`. */
static void heap_remove_at(gicsim_engine *e, uint32_t pos)
{
    uint32_t last = --e->heap_len;
    if (pos == last)
        return;
    heap_entry x = e->heap[last];
    if (pos > 0 && entry_precedes(&x, &e->heap[(pos - 1) >> 2]))
        heap_sift_up(e, pos, x);
    else
        heap_sift_down(e, pos, x);
}

/* Remove and return the heap minimum; the heap must be non-empty. */
static uint32_t heap_pop(gicsim_engine *e)
{
    uint32_t idx = e->heap[0].idx;
    heap_remove_at(e, 0);
    return idx;
}

/* ---- node pool ---- */

/* Take a free node (growing the pool if needed) and store `*out` its index. */
static gicsim_status node_alloc(gicsim_engine *e, uint32_t *out)
{
    if (e->free_head != NIL) {
        *out = e->free_head;
        e->free_head = e->nodes[*out].link;
        return GICSIM_OK;
    }
    if (e->node_used == e->node_cap) {
        if (e->node_cap > MAX_NODES / 2u)
            return GICSIM_E_NOMEM;
        uint32_t cap = e->node_cap * 2u;
        node *n = realloc(e->nodes, (size_t)cap * sizeof *n);
        if (!n)
            return GICSIM_E_NOMEM;
        e->nodes = n;
        e->node_cap = cap;
    }
    uint32_t idx = e->node_used++;
    e->nodes[idx].gen = 0;
    *out = idx;
    return GICSIM_OK;
}

/* Release node `idx` to the free list; every id naming it becomes stale. */
static inline void node_release(gicsim_engine *e, uint32_t idx)
{
    node *n = &e->nodes[idx];
    n->fn = NULL;
    n->gen++;
    n->link = e->free_head;
    e->free_head = idx;
}

/* ---- time ---- */

/* Set now = t (t >= now) and, if the wheel's current slot moves, migrate heap
 * events that enter the horizon. Never allocates. */
static inline void advance_to(gicsim_engine *e, gicsim_time_t t)
{
    GICSIM_INV(inv_time(&e->inv, e->clock.now, t, "engine.c:advance_to"));
    e->clock.now = t;
    uint64_t cs = t >> SLOT_SHIFT;
    if (cs == e->cur_slot)
        return;
    e->cur_slot = cs;
    while (e->heap_len && in_wheel_range(e, e->heap[0].time))
        wheel_insert(e, heap_pop(e));
}

/* Index of the next pending event, unlinked from its structure, or NIL if
 * none is pending or the next one is later than `limit`. */
static inline uint32_t take_next(gicsim_engine *e, gicsim_time_t limit)
{
    if (e->summary) {
        uint32_t r = wheel_next_slot(e);
        slot *s = &e->slots[r];
        uint32_t idx = s->head;
        const node *n = &e->nodes[idx];
        if (n->time > limit)
            return NIL;
        s->head = n->link;
        if (s->head == NIL)
            bitmap_clear(e, r);
        return idx;
    }
    if (e->heap_len && e->heap[0].time <= limit)
        return heap_pop(e);
    return NIL;
}

/* Fire the already-unlinked node `idx`: advance time to it, release the node
 * (so its id is stale during its own callback), then call the callback. */
static inline void fire(gicsim_engine *e, uint32_t idx)
{
    node *n = &e->nodes[idx];
    gicsim_time_t t = n->time;
    gicsim_event_fn fn = n->fn;
    void *ctx = n->ctx;
    uint64_t arg = n->arg;
    e->cur_seq = n->seq;
    node_release(e, idx);
    e->pending--;
    e->fired++;
    GICSIM_INV(inv_time(&e->inv, e->inv.last_fire, t, "engine.c:fire"); e->inv.last_fire = t);
    advance_to(e, t);
    fn(e, ctx, arg);
}

/* ---- public API ---- */

gicsim_status gicsim_engine_create(gicsim_engine **out)
{
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    gicsim_engine *e = malloc(sizeof *e);
    if (!e)
        return GICSIM_E_NOMEM;
    memset(e, 0, sizeof *e);
    e->nodes = malloc(INITIAL_NODES * sizeof *e->nodes);
    e->heap = malloc(INITIAL_HEAP * sizeof *e->heap);
    if (!e->nodes || !e->heap) {
        free(e->nodes);
        free(e->heap);
        free(e);
        return GICSIM_E_NOMEM;
    }
    e->node_cap = INITIAL_NODES;
    e->heap_cap = INITIAL_HEAP;
    e->cur_seq = UINT64_MAX;
    e->free_head = NIL;
    inv_report_reset(&e->inv.rep);
    for (uint32_t r = 0; r < WHEEL_SLOTS; r++) {
        e->slots[r].head = NIL;
        e->slots[r].tail = NIL;
    }
    *out = e;
    return GICSIM_OK;
}

void gicsim_engine_destroy(gicsim_engine *engine)
{
    if (!engine)
        return;
    free(engine->nodes);
    free(engine->heap);
    free(engine);
}

gicsim_time_t gicsim_engine_now(const gicsim_engine *engine)
{
    return engine ? engine->clock.now : 0;
}

gicsim_status gicsim_engine_schedule_at(gicsim_engine *engine, gicsim_time_t when,
                                        gicsim_event_fn fn, void *ctx, uint64_t arg,
                                        gicsim_event_id *id_out)
{
    gicsim_engine *e = engine;
    if (!e || !fn || when < e->clock.now)
        return GICSIM_E_INVAL;
    uint32_t idx;
    gicsim_status st = node_alloc(e, &idx);
    if (st != GICSIM_OK) {
        engine_fail(e, st);
        return st;
    }
    bool wheel = in_wheel_range(e, when);
    if (!wheel && (st = heap_reserve(e)) != GICSIM_OK) {
        /* Return the untouched node; its generation need not change since no id
         * for it was handed out. */
        e->nodes[idx].link = e->free_head;
        e->nodes[idx].fn = NULL;
        e->free_head = idx;
        engine_fail(e, st);
        return st;
    }
    node *n = &e->nodes[idx];
    n->time = when;
    n->seq = e->next_seq++;
    n->fn = fn;
    n->ctx = ctx;
    n->arg = arg;
    if (wheel)
        wheel_insert(e, idx);
    else
        heap_push(e, idx);
    e->pending++;
    if (id_out)
        *id_out = ((uint64_t)n->gen << 32) | ((uint64_t)idx + 1u);
    return GICSIM_OK;
}

uint64_t engine_take_seq(gicsim_engine *engine)
{
    return engine->next_seq++;
}

gicsim_status engine_schedule_taken(gicsim_engine *engine, gicsim_time_t when, uint64_t seq,
                                    gicsim_event_fn fn, void *ctx, uint64_t arg,
                                    gicsim_event_id *id_out)
{
    gicsim_engine *e = engine;
    if (!e || !fn || when < e->clock.now || seq >= e->next_seq)
        return GICSIM_E_INVAL;
    gicsim_event_id id;
    gicsim_status st = gicsim_engine_schedule_at(e, when, fn, ctx, arg, &id);
    if (st != GICSIM_OK)
        return st;
    /* Scheduled with a new number: give it the one taken, in its place
     * (the new number is handed back, as if never taken). */
    uint32_t idx = (uint32_t)id - 1u;
    node *n = &e->nodes[idx];
    e->next_seq--;
    if (in_wheel_range(e, when)) {
        wheel_remove(e, idx);
        n->seq = seq;
        wheel_insert(e, idx);
    } else {
        heap_remove_at(e, n->link);
        n->seq = seq;
        heap_push(e, idx);
    }
    if (id_out)
        *id_out = id;
    return GICSIM_OK;
}

bool engine_after(const gicsim_engine *engine, gicsim_time_t when, uint64_t seq)
{
    return engine->clock.now > when || (engine->clock.now == when && engine->cur_seq > seq);
}

gicsim_status gicsim_engine_schedule_in(gicsim_engine *engine, gicsim_time_t delay,
                                        gicsim_event_fn fn, void *ctx, uint64_t arg,
                                        gicsim_event_id *id_out)
{
    if (!engine)
        return GICSIM_E_INVAL;
    /* A time past the end of the representable range is out of domain. */
    if (delay > GICSIM_TIME_NEVER - engine->clock.now)
        return GICSIM_E_INVAL;
    return gicsim_engine_schedule_at(engine, engine->clock.now + delay, fn, ctx, arg, id_out);
}

bool gicsim_engine_cancel(gicsim_engine *engine, gicsim_event_id id)
{
    gicsim_engine *e = engine;
    if (!e)
        return false;
    uint32_t low = (uint32_t)id;
    if (low == 0 || low > e->node_used)
        return false;
    uint32_t idx = low - 1u;
    node *n = &e->nodes[idx];
    if (n->fn == NULL || n->gen != (uint32_t)(id >> 32))
        return false;
    if (in_wheel_range(e, n->time))
        wheel_remove(e, idx);
    else
        heap_remove_at(e, n->link);
    node_release(e, idx);
    e->pending--;
    return true;
}

gicsim_time_t engine_event_time(const gicsim_engine *engine, gicsim_event_id id)
{
    uint32_t low = (uint32_t)id;
    if (!engine || low == 0 || low > engine->node_used)
        return GICSIM_TIME_NEVER;
    const node *n = &engine->nodes[low - 1u];
    return n->fn && n->gen == (uint32_t)(id >> 32) ? n->time : GICSIM_TIME_NEVER;
}

bool engine_requeue(gicsim_engine *engine, gicsim_event_id id, uint64_t arg)
{
    gicsim_engine *e = engine;
    uint32_t low = (uint32_t)id;
    if (!e || low == 0 || low > e->node_used)
        return false;
    uint32_t idx = low - 1u;
    node *n = &e->nodes[idx];
    if (n->fn == NULL || n->gen != (uint32_t)(id >> 32) || !in_wheel_range(e, n->time))
        return false;
    n->arg = arg;
    n->seq = e->next_seq++;
    /* The slot is sorted by (time, seq). With a new largest seq the node
     * stays where it is unless an event of the same time follows it. */
    if (n->link != NIL && e->nodes[n->link].time == n->time) {
        wheel_remove(e, idx);
        wheel_insert(e, idx);
    }
    return true;
}

uint64_t gicsim_engine_pending(const gicsim_engine *engine)
{
    return engine ? engine->pending : 0;
}

gicsim_time_t gicsim_engine_next_time(gicsim_engine *engine)
{
    gicsim_engine *e = engine;
    if (!e)
        return GICSIM_TIME_NEVER;
    if (e->summary)
        return e->nodes[e->slots[wheel_next_slot(e)].head].time;
    if (e->heap_len)
        return e->heap[0].time;
    return GICSIM_TIME_NEVER;
}

bool gicsim_engine_step(gicsim_engine *engine)
{
    if (!engine || engine->failed != GICSIM_OK)
        return false;
    engine->stop = false;
    uint32_t idx = take_next(engine, GICSIM_TIME_NEVER);
    if (idx == NIL)
        return false;
    fire(engine, idx);
    return true;
}

uint64_t gicsim_engine_run_until(gicsim_engine *engine, gicsim_time_t limit)
{
    gicsim_engine *e = engine;
    if (!e || limit < e->clock.now || e->failed != GICSIM_OK)
        return 0;
    e->stop = false;
    uint64_t count = 0;
    for (;;) {
        uint32_t idx = take_next(e, limit);
        if (idx == NIL)
            break;
        fire(e, idx);
        count++;
        if (e->stop)
            return count;
    }
    /* A nested run call from a callback may already have gone past `limit`. */
    if (limit > e->clock.now)
        advance_to(e, limit);
    e->cur_seq = UINT64_MAX; /* everything due by now has fired */
    return count;
}

uint64_t gicsim_engine_run_for(gicsim_engine *engine, gicsim_time_t duration)
{
    if (!engine)
        return 0;
    gicsim_time_t limit = duration > GICSIM_TIME_NEVER - engine->clock.now
                              ? GICSIM_TIME_NEVER
                              : engine->clock.now + duration;
    return gicsim_engine_run_until(engine, limit);
}

uint64_t gicsim_engine_run(gicsim_engine *engine)
{
    gicsim_engine *e = engine;
    if (!e || e->failed != GICSIM_OK)
        return 0;
    e->stop = false;
    uint64_t count = 0;
    for (;;) {
        uint32_t idx = take_next(e, GICSIM_TIME_NEVER);
        if (idx == NIL)
            break;
        fire(e, idx);
        count++;
        if (e->stop)
            break;
    }
    return count;
}

void gicsim_engine_stop(gicsim_engine *engine)
{
    if (engine)
        engine->stop = true;
}

void engine_fail(gicsim_engine *engine, gicsim_status st)
{
    if (!engine || st == GICSIM_OK)
        return;
    if (engine->failed == GICSIM_OK)
        engine->failed = st;
    engine->stop = true;
}

gicsim_status gicsim_engine_status(const gicsim_engine *engine)
{
    return engine ? engine->failed : GICSIM_E_INVAL;
}

uint64_t gicsim_engine_events_fired(const gicsim_engine *engine)
{
    return engine ? engine->fired : 0;
}

void gicsim_engine_invariants(const gicsim_engine *engine, gicsim_invariant_report *out)
{
    if (!out)
        return;
    inv_report_reset(out);
    if (engine)
        *out = engine->inv.rep;
}
