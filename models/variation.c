/* gicsim: the platform's sources of spread in the system model (the
 * settings are <gicsim/variation.h>'s; docs/virtualization.md, "Variation",
 * says what each stands for).
 *
 *  jitter        sys_cost (sys_internal.h) draws a factor for a CPU-clock
 *                cost at each charge (var_jitter); jitter.run scales the
 *                cost table once, at creation.
 *  cold,         start_op (pe.c) scales an operation's cost once, when it
 *  interference  starts (var_op_cost): the PE's cold budget (the nominal work
 *                still to run cold) and the interference schedule.
 *  idle          pe_set_mode reports the PE entering and leaving PM_IDLE:
 *                the governor picks a state at entry (var_idle_mode) and
 *                learns from the idle's length at the exit; a wake pays the
 *                state's exit latency (var_idle_wake).
 *  housekeeping  per-PE events (the tick, Poisson work) add their work to
 *                the PE's account and raise the host's timer PPI 26, whose
 *                handler (hyp_timer_irq) charges it (var_host_work).
 *
 * Streams of the run's seed (engine/rng.h): the jitter draws, the run
 * factor, and per PE the tick and the work; none is drawn from while its
 * mechanism is off.
 */
#include "sys_internal.h"

#include "engine/rng.h"

#include <math.h>
#include <stdlib.h>

#define STREAM_JITTER 1u
#define STREAM_RUN 2u
#define STREAM_PE 16u /* + 4 * pe + (0: tick, 1: work) */

/* menu's repeating-interval detector and correction factors. */
#define MENU_INTERVALS 8
#define MENU_BUCKETS 6
#define MENU_DECAY 8.0
/* teo's bins decay by 1/8 and grow by PULSE per wake. */
#define TEO_PULSE 1024.0

typedef struct var_pe {
    rng tick_rng, work_rng;
    gicsim_event_id tick_ev, work_ev;
    gicsim_time_t work; /* housekeeping work due at the next PPI 26 handler */
    /* idle */
    bool idle_open;
    bool idle_guest;          /* waiting in a guest's untrapped WFI */
    int state;                /* the state chosen, -1: none */
    gicsim_time_t idle_since; /* when the idle began */
    gicsim_time_t next_timer; /* the governor's sleep length at entry (ps, GICSIM_TIME_NEVER) */
    double intervals[MENU_INTERVALS]; /* ns */
    unsigned interval_ptr;
    double correction[MENU_BUCKETS];
    double hits[GICSIM_IDLE_MAX_STATES], intercepts[GICSIM_IDLE_MAX_STATES];
    /* cold */
    gicsim_time_t cold_left;
    const sys_vcpu *last_vcpu;
} var_pe;

struct sys_var {
    gicsim_variation cfg;
    rng jit;
    const gicsim_dist *dist[GICSIM_COST__COUNT]; /* each cost's jitter, NULL: none */
    gicsim_time_t tick_period;
    var_pe *pe;
};

/* A time from a double of ps, saturated at SAT_PS (about 104 days: past
 * any run, and two of them add without wrapping); NaN saturates too. */
#define SAT_PS 9000000000000000000ull

static gicsim_time_t sat_time(double ps)
{
    return ps < (double)SAT_PS ? (gicsim_time_t)llround(ps) : SAT_PS;
}

/* ---- Jitter --------------------------------------------------------------------------------- */

gicsim_time_t var_jitter(const gicsim_system *s, gicsim_cost_id id)
{
    sys_var *v = s->var;
    const gicsim_dist *d = v->dist[id];
    gicsim_time_t c = s->c[id];
    if (!d || !c)
        return c;
    return sat_time((double)c * rng_dist(&v->jit, d));
}

/* ---- Cold and interference ------------------------------------------------------------------- */

static bool interference_on(const sys_var *v, gicsim_time_t now, bool guest)
{
    const gicsim_variation *c = &v->cfg;
    if (c->interference_multiplier == 1 || now < c->interference_start)
        return false;
    if ((c->interference_paths == GICSIM_PATHS_HOST && guest) ||
        (c->interference_paths == GICSIM_PATHS_GUEST && !guest))
        return false;
    if (!c->interference_on)
        return true;
    gicsim_time_t cycle = c->interference_on + c->interference_off;
    return (now - c->interference_start) % cycle < c->interference_on;
}

gicsim_time_t var_op_cost(gicsim_system *s, sys_pe *pe, gicsim_time_t cost, bool guest)
{
    sys_var *v = s->var;
    var_pe *vp = &v->pe[pe->id];
    double c = (double)cost;
    if (vp->cold_left) {
        gicsim_time_t take = cost < vp->cold_left ? cost : vp->cold_left;
        vp->cold_left -= take;
        c += (double)take * (v->cfg.cold_multiplier - 1);
    }
    if (interference_on(v, gicsim_engine_now(s->e), guest))
        c *= v->cfg.interference_multiplier;
    return sat_time(c);
}

static void make_cold(sys_var *v, var_pe *vp, uint32_t trigger)
{
    if (v->cfg.cold_multiplier != 1 && (v->cfg.cold_after & trigger))
        vp->cold_left = v->cfg.cold_work;
}

void var_vcpu_load(gicsim_system *s, sys_pe *pe, sys_vcpu *vc)
{
    sys_var *v = s->var;
    var_pe *vp = &v->pe[pe->id];
    if (vp->last_vcpu != vc)
        make_cold(v, vp, GICSIM_COLD_VCPU_SWITCH);
    if (vc->last_pe != SYS_NONE && vc->last_pe != pe->id)
        make_cold(v, vp, GICSIM_COLD_MIGRATION);
    vp->last_vcpu = vc;
    vc->last_pe = pe->id;
}

/* ---- Idle states and the governor -------------------------------------------------------------
 */

/* The next timer event of the host on `pe` (tick_nohz_get_sleep_length):
 * its own timers (host-timer sources), the software timers of the vCPUs
 * last on it, and its tick. GICSIM_TIME_NEVER when none. */
static gicsim_time_t next_timer(const gicsim_system *s, const sys_pe *pe)
{
    gicsim_time_t t = GICSIM_TIME_NEVER;
    for (uint32_t i = 0; i < s->n_src; i++) {
        const sys_source *so = &s->src[i];
        if (so->cfg.kind == GICSIM_SRC_HOST_TIMER && so->cfg.route_pe == pe->id) {
            gicsim_time_t w = engine_event_time(s->e, so->ev);
            t = w < t ? w : t;
        }
    }
    for (uint32_t m = 0; m < s->n_vms; m++)
        for (uint32_t i = 0; i < s->vms[m]->cfg.num_vcpus; i++) {
            const sys_vcpu *vc = &s->vms[m]->vcpus[i];
            if (vc->pe == pe && vc->hrtimer_ev) {
                gicsim_time_t w = engine_event_time(s->e, vc->hrtimer_ev);
                t = w < t ? w : t;
            }
        }
    gicsim_time_t w = engine_event_time(s->e, s->var->pe[pe->id].tick_ev);
    return w < t ? w : t;
}

/* menu's buckets of the timer distance: < 10 us, 100 us, 1 ms, 10 ms, 100 ms, more. */
static unsigned menu_bucket(double ns)
{
    unsigned b = 0;
    for (double lim = 1e4; b + 1 < MENU_BUCKETS && ns >= lim; lim *= 10)
        b++;
    return b;
}

/* menu's get_typical_interval: the mean of the last 8 idles when they
 * repeat (variance <= 400 us^2, or mean^2 > 36 variance with at least 6 of
 * 8 kept), dropping the largest one at a time; INFINITY when they do not. */
static double menu_typical(const var_pe *vp)
{
    double thresh = INFINITY;
    for (;;) {
        double max = 0, sum = 0, var = 0;
        unsigned n = 0;
        for (unsigned i = 0; i < MENU_INTERVALS; i++)
            if (vp->intervals[i] <= thresh) {
                sum += vp->intervals[i];
                n++;
                max = vp->intervals[i] > max ? vp->intervals[i] : max;
            }
        if (!n)
            return INFINITY;
        double avg = sum / n;
        for (unsigned i = 0; i < MENU_INTERVALS; i++)
            if (vp->intervals[i] <= thresh)
                var += (vp->intervals[i] - avg) * (vp->intervals[i] - avg);
        var /= n;
        if (var <= 400e6 || (avg * avg > 36 * var && n * 4 >= MENU_INTERVALS * 3))
            return avg;
        if (n * 4 <= MENU_INTERVALS * 3)
            return INFINITY;
        thresh = max - 1;
    }
}

static bool state_allowed(const gicsim_variation *c, unsigned i)
{
    return c->latency_limit == GICSIM_TIME_NEVER ||
           c->idle_states[i].exit_latency <= c->latency_limit;
}

/* menu_select: the deepest state whose target residency fits the
 * predicted idle (the timer distance times its bucket's correction factor,
 * or the typical interval when shorter) and whose exit latency the PM QoS
 * limit allows; the shallowest when the next timer is closer than state
 * 1's residency. */
static int menu_select(const gicsim_variation *c, var_pe *vp, double timer_ns)
{
    if (c->n_idle_states < 2 || timer_ns < (double)c->idle_states[1].residency / 1000.0)
        return 0;
    double predicted = timer_ns * vp->correction[menu_bucket(timer_ns)];
    double typical = menu_typical(vp);
    predicted = typical < predicted ? typical : predicted;
    int pick = 0;
    for (unsigned i = 1; i < c->n_idle_states; i++)
        if ((double)c->idle_states[i].residency / 1000.0 <= predicted && state_allowed(c, i))
            pick = (int)i;
    return pick;
}

/* menu_update: the measured idle (less the exit latency, or half of it
 * when the idle was shorter than twice that) feeds the correction factor of
 * the timer distance's bucket and the last 8 intervals. */
static void menu_update(const gicsim_variation *c, var_pe *vp, double idle_ns, double timer_ns)
{
    double exit_ns = vp->state >= 0 ? (double)c->idle_states[vp->state].exit_latency / 1000.0 : 0;
    double measured = idle_ns > 2 * exit_ns ? idle_ns - exit_ns : idle_ns / 2;
    if (isfinite(timer_ns) && timer_ns > 0) {
        double ratio = measured / timer_ns;
        ratio = ratio > 1 ? 1 : ratio;
        double *f = &vp->correction[menu_bucket(timer_ns)];
        *f = *f * (MENU_DECAY - 1) / MENU_DECAY + ratio / MENU_DECAY;
    }
    vp->intervals[vp->interval_ptr++ % MENU_INTERVALS] = measured;
}

/* The bin of an idle length: the deepest state whose residency it reaches. */
static unsigned teo_bin(const gicsim_variation *c, double ns)
{
    unsigned b = 0;
    for (unsigned i = 1; i < c->n_idle_states; i++)
        if ((double)c->idle_states[i].residency / 1000.0 <= ns)
            b = i;
    return b;
}

/* teo_select: the deepest allowed state the timer distance reaches, moved
 * to a shallower one when the intercepts (wakes before the timer) of the
 * shallower bins are most of the recent wakes: the deepest shallower state
 * whose cumulative intercepts pass half of theirs. */
static int teo_select(const gicsim_variation *c, var_pe *vp, double timer_ns)
{
    unsigned idx = teo_bin(c, timer_ns);
    while (idx > 0 && !state_allowed(c, idx))
        idx--;
    if (idx == 0)
        return 0;
    double total = 0, isum = 0, hsum = 0;
    for (unsigned i = 0; i < c->n_idle_states; i++)
        total += vp->hits[i] + vp->intercepts[i];
    for (unsigned i = 0; i < idx; i++) {
        isum += vp->intercepts[i];
        hsum += vp->hits[i];
    }
    if (2 * isum > total - hsum && isum > 0) {
        double cum = 0;
        for (int i = (int)idx - 1; i >= 0; i--) {
            cum += vp->intercepts[i];
            if (2 * cum > isum)
                return i;
        }
        return 0;
    }
    return (int)idx;
}

/* teo_update: every bin decays by 1/8; the wake is a hit of the timer's bin
 * when the idle reached it, else an intercept of the bin it ended in (the
 * idle less half the exit latency). */
static void teo_update(const gicsim_variation *c, var_pe *vp, double idle_ns, double timer_ns)
{
    double exit_ns = vp->state >= 0 ? (double)c->idle_states[vp->state].exit_latency / 1000.0 : 0;
    double measured = idle_ns - exit_ns / 2;
    for (unsigned i = 0; i < c->n_idle_states; i++) {
        vp->hits[i] -= vp->hits[i] / 8;
        vp->intercepts[i] -= vp->intercepts[i] / 8;
    }
    unsigned bt = teo_bin(c, timer_ns), bm = teo_bin(c, measured);
    if (bm >= bt)
        vp->hits[bt] += TEO_PULSE;
    else
        vp->intercepts[bm] += TEO_PULSE;
}

void var_idle_mode(gicsim_system *s, sys_pe *pe, bool entering)
{
    sys_var *v = s->var;
    const gicsim_variation *c = &v->cfg;
    var_pe *vp = &v->pe[pe->id];
    gicsim_time_t now = gicsim_engine_now(s->e);
    if (entering) {
        vp->idle_open = true;
        vp->idle_since = now;
        vp->idle_guest = pe->vcpu && pe->vcpu->in_guest;
        vp->state = c->n_idle_states ? 0 : -1;
        vp->next_timer = GICSIM_TIME_NEVER;
        /* A guest's untrapped WFI stays in the shallowest state: a guest has
         * no other (KVM's guests see no idle-states node, and a PSCI
         * CPU_SUSPEND traps). */
        if (c->n_idle_states > 1 && !vp->idle_guest) {
            vp->next_timer = next_timer(s, pe);
            double timer_ns = vp->next_timer == GICSIM_TIME_NEVER
                                  ? INFINITY
                                  : (double)(vp->next_timer - now) / 1000.0;
            vp->state = c->governor == GICSIM_GOV_TEO ? teo_select(c, vp, timer_ns)
                                                      : menu_select(c, vp, timer_ns);
        }
        return;
    }
    if (!vp->idle_open)
        return;
    vp->idle_open = false;
    double idle_ns = (double)(now - vp->idle_since) / 1000.0;
    if (c->n_idle_states > 1 && !vp->idle_guest) {
        double timer_ns = vp->next_timer == GICSIM_TIME_NEVER
                              ? INFINITY
                              : (double)(vp->next_timer - vp->idle_since) / 1000.0;
        if (c->governor == GICSIM_GOV_TEO)
            teo_update(c, vp, idle_ns, timer_ns);
        else
            menu_update(c, vp, idle_ns, timer_ns);
    }
    if ((vp->state >= 0 && c->idle_states[vp->state].cold) || now - vp->idle_since >= c->cold_idle)
        make_cold(v, vp, GICSIM_COLD_IDLE);
}

gicsim_time_t var_idle_wake(gicsim_system *s, sys_pe *pe)
{
    const sys_var *v = s->var;
    const var_pe *vp = &v->pe[pe->id];
    gicsim_time_t x = vp->state >= 0 ? v->cfg.idle_states[vp->state].exit_latency : 0;
    gicsim_time_t exit = vp->idle_guest ? 0 : sys_cost(s, GICSIM_COST_IDLE_EXIT);
    /* A state's exit latency may be any time below 2^64 ps: saturate, as
     * the drawn costs do, rather than wrap to a short wake. */
    return x < SAT_PS && exit < SAT_PS - x ? x + exit : SAT_PS;
}

/* ---- Housekeeping --------------------------------------------------------------------------- */

/* Adds a draw of `d` to the PE's housekeeping account, saturating (a
 * handler held off for a long time must not see its account wrap). */
static void add_work(var_pe *vp, rng *r, const gicsim_dist *d)
{
    gicsim_time_t w = vp->work + sat_time(rng_dist(r, d));
    vp->work = w < SAT_PS ? w : SAT_PS;
}

static void tick_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    gicsim_system *s = ctx;
    sys_var *v = s->var;
    sys_pe *pe = &s->pes[arg];
    var_pe *vp = &v->pe[arg];
    vp->tick_ev = 0;
    /* NO_HZ_IDLE: an idle host PE whose next timer (the tick aside) lies
     * beyond the next tick has stopped its tick. */
    bool stopped = false;
    if (v->cfg.tick_nohz && pe->mode == PM_IDLE && !pe->vcpu) {
        gicsim_time_t nt = next_timer(s, pe);
        stopped = nt == GICSIM_TIME_NEVER || nt > gicsim_engine_now(e) + v->tick_period;
    }
    if (gicsim_engine_schedule_in(e, v->tick_period, tick_fire, s, arg, &vp->tick_ev) != GICSIM_OK)
        sys_oom(s);
    if (stopped)
        return;
    add_work(vp, &vp->tick_rng, &v->cfg.tick_cost);
    sys_set_line(s, pe->id, HYP_TIMER_PPI, true);
}

static gicsim_time_t work_gap(sys_var *v, var_pe *vp)
{
    double ps = rng_exp(&vp->work_rng) * 1e12 / v->cfg.work_hz;
    return ps < 1 ? 1 : ps < 9e18 ? (gicsim_time_t)ps : (gicsim_time_t)9e18;
}

static void work_fire(gicsim_engine *e, void *ctx, uint64_t arg)
{
    gicsim_system *s = ctx;
    sys_var *v = s->var;
    var_pe *vp = &v->pe[arg];
    vp->work_ev = 0;
    add_work(vp, &vp->work_rng, &v->cfg.work_cost);
    if (gicsim_engine_schedule_in(e, work_gap(v, vp), work_fire, s, arg, &vp->work_ev) != GICSIM_OK)
        sys_oom(s);
    sys_set_line(s, (uint32_t)arg, HYP_TIMER_PPI, true);
}

gicsim_time_t var_host_work(gicsim_system *s, sys_pe *pe)
{
    var_pe *vp = &s->var->pe[pe->id];
    gicsim_time_t w = vp->work;
    vp->work = 0;
    return w;
}

/* ---- Creation ------------------------------------------------------------------------------ */

gicsim_status var_create(gicsim_system *s)
{
    const gicsim_variation *c = &s->cfg.variation;
    if (!gicsim_variation_active(c))
        return GICSIM_OK;
    if (gicsim_variation_check(c, NULL, NULL) != GICSIM_OK)
        return GICSIM_E_INVAL;
    sys_var *v = calloc(1, sizeof *v);
    if (!v || !(v->pe = calloc(s->num_pes, sizeof *v->pe))) {
        free(v);
        return GICSIM_E_NOMEM;
    }
    s->var = v;
    v->cfg = *c;
    rng_init(&v->jit, c->seed, STREAM_JITTER);
    /* jitter.run: one factor for the whole run, on every CPU-clock cost. */
    if (c->jitter_run.kind != GICSIM_DIST_NONE) {
        rng r;
        rng_init(&r, c->seed, STREAM_RUN);
        double f = rng_dist(&r, &c->jitter_run);
        for (int i = 0; i < GICSIM_COST__COUNT; i++)
            if (gicsim_cost_domain((gicsim_cost_id)i) == GICSIM_CLK_CPU)
                s->c[i] = sat_time((double)s->c[i] * f);
    }
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        if (gicsim_cost_domain((gicsim_cost_id)i) == GICSIM_CLK_CPU &&
            c->jitter_all.kind != GICSIM_DIST_NONE)
            v->dist[i] = &v->cfg.jitter_all;
    for (uint32_t k = 0; k < c->n_jitter; k++)
        v->dist[c->jitter_cost[k]] = &v->cfg.jitter[k];
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        s->jitter |= v->dist[i] != NULL;
    s->var_ops = c->cold_multiplier != 1 || c->interference_multiplier != 1;
    if (c->tick_hz > 0) {
        double p = 1e12 / c->tick_hz;
        v->tick_period = p < 1 ? 1 : sat_time(p); /* a rate of 1e-9/s: 1e21 ps */
    }
    for (uint32_t p = 0; p < s->num_pes; p++) {
        var_pe *vp = &v->pe[p];
        vp->state = -1;
        for (unsigned b = 0; b < MENU_BUCKETS; b++)
            vp->correction[b] = 1.0;
        rng_init(&vp->tick_rng, c->seed, STREAM_PE + 4u * p);
        rng_init(&vp->work_rng, c->seed, STREAM_PE + 4u * p + 1u);
        if (v->tick_period) {
            gicsim_time_t phase =
                c->tick_phase != GICSIM_TIME_NEVER
                    ? c->tick_phase
                    : (gicsim_time_t)(rng_uniform(&vp->tick_rng) * (double)v->tick_period);
            if (gicsim_engine_schedule_at(s->e, phase ? phase : v->tick_period, tick_fire, s, p,
                                          &vp->tick_ev) != GICSIM_OK)
                return GICSIM_E_NOMEM;
        }
        if (c->work_hz > 0 && gicsim_engine_schedule_in(s->e, work_gap(v, vp), work_fire, s, p,
                                                        &vp->work_ev) != GICSIM_OK)
            return GICSIM_E_NOMEM;
    }
    /* Every PE starts idle: its first idle opens now. */
    for (uint32_t p = 0; p < s->num_pes; p++)
        if (s->pes[p].mode == PM_IDLE)
            var_idle_mode(s, &s->pes[p], true);
    return GICSIM_OK;
}

void var_free(gicsim_system *s)
{
    if (!s->var)
        return;
    free(s->var->pe);
    free(s->var);
    s->var = NULL;
}
