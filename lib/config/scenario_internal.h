/* gicsim: the scenario loader's state, shared by its files (see the loading
 * passes at the top of scenario.c):
 *   scenario.c            the scenario object: load (parse, overrides,
 *                         validate), the top-level keys and the run,
 *                         outputs and microbench sections, accessors,
 *                         building a system, the resolved JSON;
 *   scenario_overrides.c  the -p key.path=value overrides, applied to the
 *                         tree before validation;
 *   scenario_gic.c        the machine: platform (with platform_overrides),
 *                         gic and host;
 *   scenario_vms.c        the vms section and the hypervisor policies;
 *   scenario_sources.c    the sources section and their arrivals.
 * Platform presets are platform.c's (yaml_tree.h), which uses nothing from
 * these files. Not installed. */
#ifndef GICSIM_SCENARIO_INTERNAL_H
#define GICSIM_SCENARIO_INTERNAL_H

#include "yaml_tree.h"

#include <gicsim/hypervisor.h>
#include <gicsim/scenario.h>

#define N_OUTPUTS 5

/* Arrival kinds of a source, in the file syntax order of sc_arrival_names. */
enum { ARR_PERIODIC, ARR_POISSON, ARR_BURST, ARR_MANUAL, ARR_TRACE };
extern const char *const sc_arrival_names[]; /* NULL-terminated */
/* Source kinds in the file syntax, indexed by gicsim_source_kind. */
extern const char *const sc_kind_names[]; /* NULL-terminated */

/* Where a value was written (file: the node's, which outlives the tree: the
 * scenario's own file name or the static "<override>"); line 0: nowhere. */
typedef struct sc_pos {
    const char *file;
    unsigned line, col;
} sc_pos;

typedef struct sc_vm {
    char *name;
    char *policy;
    gicsim_vm_config cfg; /* cfg.policy points to policy */
    unsigned line, col;
    /* The settings a policy may override (sc_policy_warnings), where the
     * file or an override wrote them. */
    sc_pos wfi, pinned, halt_poll;
} sc_vm;

typedef struct sc_source {
    char *name;
    unsigned arrival; /* ARR_* */
    char *trace;      /* ARR_TRACE: resolved path */
    bool seed_set;
    gicsim_source_config cfg; /* arrival MANUAL for trace sources; seed resolved */
    unsigned line, col;
} sc_source;

struct gicsim_scenario {
    char *file;
    char *name, *description;
    sc_platform plat;
    bool ovr_vhe, ovr_clock[GICSIM_CLK__COUNT], ovr_cost[GICSIM_COST__COUNT];
    bool ovr_sgi_lookup, ovr_vpt_poll_delay, ovr_vpt_wait;
    bool ovr_variation[GICSIM_SETTING__COUNT]; /* the settings platform_overrides changes */
    gicsim_gic_config gic;
    sc_pos gic_at; /* the gic section (the document's root when it has none) */
    uint32_t kick_sgi, tick_ppi;
    sc_vm *vms;
    size_t n_vms;
    sc_source *src;
    size_t n_src;
    gicsim_time_t duration;
    uint64_t seed;
    uint32_t latency_bits; /* run.latency_bits: the latency histograms' precision */
    uint32_t replications; /* run.replications: runs with derived seeds (1: one run) */
    char **policies;
    size_t n_policies;
    char *outputs[N_OUTPUTS];
    bool mb; /* a micro-bench scenario (top-level `microbench`) */
    gicsim_mb_test mb_tests[GICSIM_MB__COUNT];
    size_t mb_n;
    uint32_t mb_iterations;
    uint32_t mb_vcpus;         /* 0: the default (2) */
    gicsim_gic_version mb_gic; /* the host GIC as KVM uses it */
    bool mb_vpt_dirty;         /* its redistributors report the VPT parse */
};

/* ---- scenario_overrides.c ---------------------------------------------------------------- */

/* Apply overrides[0..n-1] ("key.path=value") to the tree `root` in order:
 * each sets or adds the value at its key path, creating the mappings and
 * list elements on the way. Errors point into "<override>", line i + 1. */
gicsim_status sc_apply_overrides(yt_node *root, const char *const *overrides, size_t n,
                                 gicsim_diag *d);
/* Which of two keys of one mapping was set later: < 0 when `a` was (the file
 * comes first, then the overrides in order), > 0 when `b` was, 0 when both
 * come from the file or from one override. */
int sc_origin_cmp(const yt_pair *a, const yt_pair *b);

/* ---- scenario_gic.c ------------------------------------------------------------------------ */

/* "platform" (default generic) and "platform_overrides" into sc->plat. */
gicsim_status sc_parse_platform(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d);
/* "host": kick_sgi and tick_ppi (which must be a free PPI). */
gicsim_status sc_parse_host(gicsim_scenario *sc, const yt_node *root, gicsim_diag *d);

/* ---- The lists: vms (scenario_vms.c) and sources (scenario_sources.c) -----------------------
 * Each parses item i of its list `seq` into element i of its array, which it
 * allocates for the whole list at item 0; the count (n_vms, n_src) includes
 * item i from then on, so that gicsim_scenario_free frees what was parsed.
 * Called for i = 0, 1, ... in order: an item is checked against those before
 * it. */
typedef gicsim_status (*sc_item_fn)(gicsim_scenario *sc, const yt_node *seq, size_t i,
                                    gicsim_diag *d);
gicsim_status sc_parse_vm(gicsim_scenario *sc, const yt_node *seq, size_t i, gicsim_diag *d);
gicsim_status sc_parse_source(gicsim_scenario *sc, const yt_node *seq, size_t i, gicsim_diag *d);

/* ---- scenario_vms.c: the VMs and the hypervisor policies --------------------------------------
 */

/* After every VM: VMs that share a PE must agree on the host's EOImode
 * (their policies'), and every policy must be one the GIC supports. `vms`
 * is the list (NULL when there is none). */
gicsim_status sc_check_eoimodes(gicsim_scenario *sc, const yt_node *vms, gicsim_diag *d);
/* The GIC `p` runs on in a scenario whose gic section is `g`: `g` when the
 * policy drives that architecture (a GICv5 policy a GICv5, any other a
 * GICv3 or GICv4); otherwise `g` with the policy's: version v5 (at most 5
 * priority bits), or v4.1 for a GICv3/v4 policy on a GICv5. This is how one
 * workload runs under GICv4.1 schemes and GICv5 side by side
 * (docs/gicv5.md, "Comparing with GICv4.1"). */
void sc_gic_for_policy(const gicsim_gic_config *g, const gicsim_hyp_policy *p,
                       gicsim_gic_config *out);
/* Whether the GIC `p` runs on (sc_gic_for_policy) can run it: NULL when it
 * can, else the reason. */
const char *sc_policy_unsupported(const gicsim_gic_config *g, const gicsim_hyp_policy *p);
/* The names of the known policies, ", "-separated, into buf. */
void sc_policy_list(char *buf, size_t size);
/* The value at `n` (key path `key`) must name a known policy: *name. */
gicsim_status sc_check_policy(const yt_node *n, const char *key, const char **name, gicsim_diag *d);

#endif
