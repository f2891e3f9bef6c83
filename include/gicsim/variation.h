/* gicsim: the sources of latency spread a platform may turn on
 * (docs/virtualization.md, "Variation"; docs/calibration.md, "Spread").
 *
 * Without them every path of the system model takes exactly the sum of its
 * primitive costs. A platform's `variation` adds what makes real machines
 * spread, each mechanism off by default and independent of the others:
 *
 *   idle          the PE's idle states (cpuidle's table: exit latency and
 *                 target residency) and a governor (Linux's menu or teo)
 *                 that picks one from the predicted idle length; a wake
 *                 pays the chosen state's exit latency on top of idle_exit.
 *                 Host PEs in the idle loop, and PEs waiting in a guest's
 *                 untrapped WFI (which can only use the shallowest state).
 *   housekeeping  the host's periodic tick and random host work on every PE,
 *                 each an hrtimer client of the host's timer interrupt (PPI
 *                 26): it wakes an idle PE, makes a running guest exit and
 *                 waits behind hypervisor code, like any host timer.
 *   cold          after a trigger (a different vCPU loaded, a vCPU moved to
 *                 another PE, a long or cache-losing idle) the PE's next
 *                 `work` of nominal time runs `multiplier` times slower.
 *   jitter        a CPU-clock cost charged by the system model is multiplied
 *                 by a draw of its distribution at each charge (`all`, or a
 *                 rule per cost); `run` draws once per run and scales every
 *                 CPU-clock cost for the whole run (run-to-run spread).
 *   interference  a what-if: operations cost `multiplier` times more while
 *                 the schedule (on/off from a start) says a memory-heavy
 *                 workload runs on other cores.
 *
 * Every draw comes from the run's seeded generator (`seed`, the scenario's
 * run.seed), one stream per mechanism (and per PE where it is per PE), so
 * a seed gives one output byte for byte and turning one mechanism on does
 * not change another's draws. GIC-clock costs (the GIC model's pipelines)
 * are not varied.
 *
 * The settings are declared once, in GICSIM_VARIATION_LIST below: the
 * preset loader validates them from it, the resolved JSON prints them from
 * it and `gicsim list settings` (docs/scenarios.md) lists it.
 */
#ifndef GICSIM_VARIATION_H
#define GICSIM_VARIATION_H

#include <gicsim/common.h>
#include <gicsim/timing.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Distributions ----------------------------------------------------------------- */

typedef enum gicsim_dist_kind {
    GICSIM_DIST_NONE = 0,  /* not set: the mechanism or rule is off */
    GICSIM_DIST_FIXED,     /* always a */
    GICSIM_DIST_UNIFORM,   /* uniform in [a, b] */
    GICSIM_DIST_NORMAL,    /* normal with mean a and sd b, truncated at 0 (redrawn) */
    GICSIM_DIST_LOGNORMAL, /* median a, sigma b: a * exp(b * Z) */
    GICSIM_DIST_EMPIRICAL  /* one of the points x[i] with probability w[i] / sum(w) */
} gicsim_dist_kind;

#define GICSIM_DIST_MAX_POINTS 16

/* A distribution of factors (jitter, dimensionless) or of times (ps, as
 * doubles: housekeeping's costs). */
typedef struct gicsim_dist {
    gicsim_dist_kind kind;
    double a, b;
    uint32_t n; /* empirical: points */
    double x[GICSIM_DIST_MAX_POINTS];
    double w[GICSIM_DIST_MAX_POINTS]; /* weights > 0 */
} gicsim_dist;

/* "none", "fixed", "uniform", "normal", "lognormal", "empirical". */
GICSIM_API const char *gicsim_dist_kind_name(gicsim_dist_kind k);
/* GICSIM_E_INVAL (with a reason in *why when why is not NULL) for a
 * distribution that cannot be drawn from: a negative or non-finite
 * parameter or point, b < a for uniform, a median <= 0 or a sigma above 5
 * for lognormal, no points or more than 16, a weight <= 0 or weights whose
 * sum is not finite, or a normal whose mass above 0 is below 1%. */
GICSIM_API gicsim_status gicsim_dist_check(const gicsim_dist *d, const char **why);
/* The distribution's mean, standard deviation and quantile p in [0, 1]
 * (the normal's after truncation at 0; the empirical's lower quantile).
 * NAN for NONE or an invalid distribution. */
GICSIM_API double gicsim_dist_mean(const gicsim_dist *d);
GICSIM_API double gicsim_dist_sd(const gicsim_dist *d);
GICSIM_API double gicsim_dist_quantile(const gicsim_dist *d, double p);

/* ---- Settings --------------------------------------------------------------------- */

#define GICSIM_IDLE_MAX_STATES 8
#define GICSIM_JITTER_MAX_RULES 8

typedef struct gicsim_idle_state {
    char name[16];
    gicsim_time_t exit_latency; /* paid by a wake from the state */
    gicsim_time_t residency;    /* target residency: chosen only for idles predicted this long */
    bool cold;                  /* the state loses cache contents (power-down) */
} gicsim_idle_state;

typedef enum gicsim_idle_governor { GICSIM_GOV_MENU = 0, GICSIM_GOV_TEO = 1 } gicsim_idle_governor;

/* What makes a PE's caches cold (cold.after), as bits. */
#define GICSIM_COLD_VCPU_SWITCH 1u /* a vCPU other than the last one is loaded on the PE */
#define GICSIM_COLD_MIGRATION 2u   /* a vCPU is loaded on a PE other than the one it last ran on */
#define GICSIM_COLD_IDLE 4u /* an idle of at least cold.idle_after, or in a state with cold */

/* Where interference applies (interference.paths). */
typedef enum gicsim_paths {
    GICSIM_PATHS_ALL = 0,
    GICSIM_PATHS_HOST = 1,
    GICSIM_PATHS_GUEST = 2
} gicsim_paths;

typedef struct gicsim_variation {
    /* The run's seed (the scenario's run.seed); every stream derives from it. */
    uint64_t seed;
    /* idle */
    uint32_t n_idle_states; /* 0: off */
    gicsim_idle_state idle_states[GICSIM_IDLE_MAX_STATES];
    gicsim_idle_governor governor;
    gicsim_time_t latency_limit; /* GICSIM_TIME_NEVER: none */
    /* housekeeping (rates in events per second; 0: off) */
    double tick_hz;
    gicsim_dist tick_cost;    /* ps */
    gicsim_time_t tick_phase; /* GICSIM_TIME_NEVER: drawn per PE */
    bool tick_nohz;
    double work_hz;
    gicsim_dist work_cost; /* ps */
    /* cold */
    double cold_multiplier; /* 1: off */
    gicsim_time_t cold_work;
    uint32_t cold_after; /* GICSIM_COLD_* bits */
    gicsim_time_t cold_idle;
    /* jitter (factors) */
    gicsim_dist jitter_all;
    gicsim_dist jitter_run;
    uint32_t n_jitter;
    gicsim_cost_id jitter_cost[GICSIM_JITTER_MAX_RULES];
    gicsim_dist jitter[GICSIM_JITTER_MAX_RULES];
    /* interference */
    double interference_multiplier; /* 1: off */
    gicsim_time_t interference_on, interference_off, interference_start;
    gicsim_paths interference_paths;
} gicsim_variation;

/* Every mechanism off (the defaults of GICSIM_VARIATION_LIST), seed 1. */
GICSIM_API void gicsim_variation_init(gicsim_variation *v);
/* Whether any mechanism is on. */
GICSIM_API bool gicsim_variation_active(const gicsim_variation *v);
/* GICSIM_E_INVAL, with the setting's path in *path and a reason in *why
 * (either may be NULL), for an invalid value (what the preset loader
 * checks: a state list not sorted by exit latency, a jitter rule on a
 * GIC-clock cost or twice on one cost, an invalid distribution, a factor
 * or rate out of its range). */
GICSIM_API gicsim_status gicsim_variation_check(const gicsim_variation *v, const char **path,
                                                const char **why);

/* The settings, each declared once:
 *   X(ID, PATH, TYPE, DEFAULT, UNIT, DESCRIPTION)
 * PATH is the key path under a preset's `variation` (COST: any CPU-clock
 * cost name); TYPE one of gicsim_setting_type; DEFAULT and UNIT are text
 * for people (validation, `gicsim list settings`, docs/scenarios.md). */
#define GICSIM_VARIATION_LIST(X)                                                                   \
    X(IDLE_STATES, "idle.states", STATES, "[] (off)",                                              \
      "list of {name, exit: TIME, residency: TIME, cold: BOOL}, exit latencies ascending, at "     \
      "most 8",                                                                                    \
      "the PE's idle states (cpuidle's table from the DT or ACPI _LPI); a wake pays the chosen "   \
      "state's exit latency on top of idle_exit; cold: true for a state that loses the caches")    \
    X(IDLE_GOVERNOR, "idle.governor", GOVERNOR, "menu", "menu | teo",                              \
      "how the host picks a state from the predicted idle length (Linux's cpuidle governors)")     \
    X(IDLE_LATENCY_LIMIT, "idle.latency_limit", TIME_OR_NONE, "none", "a time, or none",           \
      "PM QoS: no state with a longer exit latency (cyclictest's /dev/cpu_dma_latency = 0 keeps "  \
      "the PE in the shallowest state)")                                                           \
    X(TICK_RATE, "housekeeping.tick.rate", RATE, "0 (off)", "a rate (250Hz) or 0",                 \
      "the host's periodic tick on every PE (CONFIG_HZ), an hrtimer client of PPI 26")             \
    X(TICK_COST, "housekeeping.tick.cost", DIST_TIME, "fixed 2us", "a distribution of times",      \
      "the host's work per tick (tick_sched_timer: timekeeping, scheduler_tick, RCU, timers)")     \
    X(TICK_PHASE, "housekeeping.tick.phase", TIME_OR_RANDOM, "random", "a time, or random",        \
      "the first tick's offset into its period on each PE (random: drawn per PE)")                 \
    X(TICK_NOHZ, "housekeeping.tick.nohz", BOOL, "true", "true | false",                           \
      "NO_HZ_IDLE: an idle host PE whose next timer is more than a tick away skips the tick")      \
    X(WORK_RATE, "housekeeping.work.rate", RATE, "0 (off)", "a rate (events per second per PE)",   \
      "other host work that delays what runs on the PE (softirqs, RCU callbacks, kworkers, "       \
      "non-preemptible sections): Poisson arrivals on every PE")                                   \
    X(WORK_COST, "housekeeping.work.cost", DIST_TIME, "fixed 10us", "a distribution of times",     \
      "the host's time per such work item")                                                        \
    X(COLD_MULTIPLIER, "cold.multiplier", FACTOR, "1 (off)", "a factor >= 1",                      \
      "how much slower the work after a trigger runs (cache and TLB misses)")                      \
    X(COLD_WORK, "cold.work", TIME, "5us", "a time > 0",                                           \
      "the nominal work that runs cold after a trigger (until the working set is back)")           \
    X(COLD_AFTER, "cold.after", TRIGGERS, "[vcpu-switch, migration, idle]",                        \
      "list of vcpu-switch, migration, idle",                                                      \
      "what makes state cold: another vCPU loaded (another VM's or vCPU's working set), a vCPU "   \
      "moved to another PE (KVM's __kvm_flush_cpu_context), an idle of at least cold.idle_after "  \
      "or in a state with cold: true")                                                             \
    X(COLD_IDLE, "cold.idle_after", TIME, "1ms", "a time",                                         \
      "the idle length that makes state cold")                                                     \
    X(JITTER_ALL, "jitter.all", DIST_FACTOR, "none", "a distribution of factors",                  \
      "every CPU-clock cost without a rule of its own is multiplied by a draw at each charge")     \
    X(JITTER_COST, "jitter.COST", DIST_FACTOR, "none", "a distribution of factors",                \
      "the same for one CPU-clock cost (its name), at most 8 rules")                               \
    X(JITTER_RUN, "jitter.run", DIST_FACTOR, "none", "a distribution of factors",                  \
      "one draw per run multiplies every CPU-clock cost for the whole run (run-to-run spread)")    \
    X(INTERFERENCE_MULTIPLIER, "interference.multiplier", FACTOR, "1 (off)", "a factor >= 1",      \
      "what-if: operations cost this many times more while a memory-heavy workload runs on "       \
      "other cores")                                                                               \
    X(INTERFERENCE_ON, "interference.on", TIME, "0 (always on)", "a time",                         \
      "how long each interference phase lasts (0: from the start, for ever)")                      \
    X(INTERFERENCE_OFF, "interference.off", TIME, "0", "a time", "the quiet gap between phases")   \
    X(INTERFERENCE_START, "interference.start", TIME, "0", "a time",                               \
      "when the first phase starts")                                                               \
    X(INTERFERENCE_PATHS, "interference.paths", PATHS, "all", "all | host | guest",                \
      "the operations it slows: hypervisor and host, the guests', or both")

typedef enum gicsim_setting_type {
    GICSIM_SETTING_STATES,
    GICSIM_SETTING_GOVERNOR,
    GICSIM_SETTING_TIME,
    GICSIM_SETTING_TIME_OR_NONE,
    GICSIM_SETTING_TIME_OR_RANDOM,
    GICSIM_SETTING_BOOL,
    GICSIM_SETTING_RATE,
    GICSIM_SETTING_FACTOR,
    GICSIM_SETTING_TRIGGERS,
    GICSIM_SETTING_PATHS,
    GICSIM_SETTING_DIST_TIME,
    GICSIM_SETTING_DIST_FACTOR
} gicsim_setting_type;

typedef enum gicsim_setting_id {
#define GICSIM_SETTING_ENUM_(id, path, type, def, unit, desc) GICSIM_SETTING_##id,
    GICSIM_VARIATION_LIST(GICSIM_SETTING_ENUM_)
#undef GICSIM_SETTING_ENUM_
        GICSIM_SETTING__COUNT
} gicsim_setting_id;

/* The table's columns; NULL (or GICSIM_SETTING_STATES) out of range. */
GICSIM_API const char *gicsim_setting_path(gicsim_setting_id id);
GICSIM_API gicsim_setting_type gicsim_setting_type_of(gicsim_setting_id id);
GICSIM_API const char *gicsim_setting_default(gicsim_setting_id id);
GICSIM_API const char *gicsim_setting_unit(gicsim_setting_id id);
GICSIM_API const char *gicsim_setting_description(gicsim_setting_id id);

/* ---- Parameters by path (calibration) ---------------------------------------------------
 *
 * A numeric parameter of a setting: a rate or factor ("housekeeping.work.rate",
 * "cold.multiplier"), a time in ns ("cold.work", "cold.idle_after",
 * "interference.on", .off, .start; not housekeeping.tick.phase or
 * idle.latency_limit, which may be a word), or a distribution's
 * parameter, "SETTING.P" with P one of value (fixed), min and max (uniform),
 * mean and sd (normal), median and sigma (lognormal), e.g. "jitter.all.sigma",
 * "jitter.host_irq_entry.median", "housekeeping.work.cost.median" (times in
 * ns). GICSIM_E_NOTFOUND for a path that names no such parameter (a
 * distribution that is not set, or of another kind). */
GICSIM_API gicsim_status gicsim_variation_param(const gicsim_variation *v, const char *path,
                                                double *out);
/* The most parameters one spread fit sets, and the longest path. */
#define GICSIM_SPREAD_MAX_PARAMS 4
#define GICSIM_SPREAD_PARAM_LEN 64
/* Sets the parameter at `path` (as gicsim_variation_param reads it);
 * GICSIM_E_NOTFOUND as there, GICSIM_E_INVAL for a value that is not
 * finite, or for a time that is negative or not below 9.2e18 ps (the
 * result is not checked: gicsim_variation_check says whether it is in its
 * setting's range). */
GICSIM_API gicsim_status gicsim_variation_set_param(gicsim_variation *v, const char *path,
                                                    double value);

#ifdef __cplusplus
}
#endif

#endif
