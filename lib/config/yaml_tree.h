/* gicsim (internal): a YAML document as a tree of scalars, sequences and
 * mappings with source positions, built with libyaml, plus the typed value
 * readers and diagnostics shared by the scenario, platform and script
 * loaders. Not part of the public API.
 *
 * Every node records the file it came from (a string owned elsewhere: the
 * loader keeps it alive as long as the tree) and its 1-based line and column.
 * Keys of a mapping are strings (any scalar style); a key repeated in one
 * mapping is a parse error. Anchors and aliases are expanded (copied), with a
 * bound on the total number of nodes. Tags other than !!str are rejected.
 */
#ifndef GICSIM_YAML_TREE_H
#define GICSIM_YAML_TREE_H

#include <gicsim/microbench.h>
#include <gicsim/scenario.h>

#include <stdarg.h>

/* Return from the calling function with the status of `expr` unless it is
 * GICSIM_OK (every loader of the config layer propagates errors this way). */
#define TRY(expr)                                                                                  \
    do {                                                                                           \
        gicsim_status st_ = (expr);                                                                \
        if (st_ != GICSIM_OK)                                                                      \
            return st_;                                                                            \
    } while (0)

typedef enum yt_kind { YT_SCALAR, YT_SEQ, YT_MAP } yt_kind;

typedef struct yt_node yt_node;

typedef struct yt_pair {
    char *key;
    const char *file;   /* where the key was written (an override's pair: "<override>") */
    unsigned line, col; /* position of the key */
    yt_node *value;
} yt_pair;

struct yt_node {
    yt_kind kind;
    const char *file;
    unsigned line, col;
    /* YT_SCALAR */
    char *str;  /* NUL-terminated text */
    bool plain; /* plain (unquoted, untagged) scalar: may be a number, bool or null */
    /* YT_SEQ: items[n]; YT_MAP: pairs[n] */
    size_t n, cap;
    yt_node **items;
    yt_pair *pairs;
};

/* ---- Diagnostics ---------------------------------------------------------------- */

/* Fill `diag` (may be NULL) and return `st`. */
gicsim_status yt_diag(gicsim_diag *diag, gicsim_status st, const char *file, unsigned line,
                      unsigned col, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;
gicsim_status yt_vdiag(gicsim_diag *diag, gicsim_status st, const char *file, unsigned line,
                       unsigned col, const char *key, const char *fmt, va_list ap);

/* ---- Parsing --------------------------------------------------------------------- */

/* Parse `len` bytes of YAML. One document at most: *root is NULL when the
 * text holds none (empty, or only comments). Positions are reported with
 * `file`, which the nodes point to, and line/col offsets: a node at libyaml
 * line L (0-based), column C (0-based) gets line L + 1 + line_base and
 * column C + 1 + col_base (col_base applies to the first line only: used
 * for values inside override strings). */
gicsim_status yt_parse(const char *text, size_t len, const char *file, unsigned line_base,
                       unsigned col_base, yt_node **root, gicsim_diag *diag);
/* The same for a text that stands on one line of its own input (an
 * override's value): every position is on `line`, its column `col` (the
 * text's first character) plus the number of characters before it, line
 * breaks included. */
gicsim_status yt_parse_inline(const char *text, size_t len, const char *file, unsigned line,
                              unsigned col, yt_node **root, gicsim_diag *diag);
/* Read a whole file (GICSIM_E_IO on failure, with strerror; a file larger
 * than gicsim_max_input() bytes is refused, GICSIM_E_IO with a message
 * naming the limit). *text is NUL-terminated, malloc'd. */
gicsim_status yt_read_file(const char *path, char **text, size_t *len, gicsim_diag *diag);

void yt_free(yt_node *n);

/* ---- Building and editing ---------------------------------------------------------- */

yt_node *yt_new(yt_kind kind, const char *file, unsigned line, unsigned col);
/* Append to a sequence / add a pair to a mapping (NULL/false on ENOMEM). */
bool yt_seq_push(yt_node *seq, yt_node *item);
yt_pair *yt_map_add(yt_node *map, const char *key, unsigned line, unsigned col, yt_node *value);

/* ---- Queries ---------------------------------------------------------------------- */

yt_pair *yt_map_find(const yt_node *map, const char *key);
/* The value of `key`, or NULL when the mapping has no such key. */
yt_node *yt_map_get(const yt_node *map, const char *key);
/* A plain scalar "", "~", "null", "Null" or "NULL". */
bool yt_is_null(const yt_node *n);
/* What the node looks like, for "expected X, got Y" messages. */
const char *yt_type_name(const yt_node *n);
/* "a string \"eight\"" style description of a node (its type name and, for a
 * non-null scalar, its text) into buf. */
void yt_describe(const yt_node *n, char *buf, size_t size);
/* An integer literal [+-]?(0x hex | decimal): its sign and magnitude;
 * *overflow when it does not fit 64 bits; false when it is not one. */
bool yt_parse_int(const char *s, bool *neg, uint64_t *mag, bool *overflow);

/* ---- Value readers -----------------------------------------------------------------
 * Each reads one scalar, or fails with GICSIM_E_INVAL and a diagnostic at the
 * node's position naming `key`. */

/* Integer: a plain scalar, decimal or 0x hex, within [min, max]. */
gicsim_status yt_get_u64(const yt_node *n, const char *key, uint64_t min, uint64_t max,
                         uint64_t *out, gicsim_diag *diag);
/* true / false (plain). */
gicsim_status yt_get_bool(const yt_node *n, const char *key, bool *out, gicsim_diag *diag);
/* Any non-null scalar, as text (not copied). */
gicsim_status yt_get_str(const yt_node *n, const char *key, const char **out, gicsim_diag *diag);
/* One of `names` (NULL-terminated); *out is its index. */
gicsim_status yt_get_enum(const yt_node *n, const char *key, const char *const *names,
                          unsigned *out, gicsim_diag *diag);
/* The node must be a mapping whose keys are all in `allowed` (NULL-terminated):
 * an unknown key is reported at its position as "<path>.<key>". A null value
 * counts as an empty mapping. */
gicsim_status yt_check_map(const yt_node *n, const char *path, const char *const *allowed,
                           gicsim_diag *diag);
/* A sequence (null counts as empty). */
gicsim_status yt_check_seq(const yt_node *n, const char *path, gicsim_diag *diag);

/* Levenshtein distance of two names (99 when one is longer than 40
 * characters): for "did you mean" hints, which take a name within 2. */
size_t yt_edit_distance(const char *a, const char *b);

/* Join a key path: "<path>.<seg>" (or "<seg>" when path is empty). */
void yt_path(char *buf, size_t size, const char *path, const char *seg);
void yt_path_index(char *buf, size_t size, const char *path, size_t index);

/* ---- Quantities (yaml_units.c) -----------------------------------------------------
 * The node readers fail like the value readers above. */

/* A time with a unit: "200us", "1.5ms", "100 ns", "20s", "250ps" -> ps. Bare
 * numbers are rejected. */
gicsim_status yt_get_time(const yt_node *n, const char *key, gicsim_time_t *out, gicsim_diag *diag);
/* A rate of events, as the period between them: "200k/s", "1.5M/s", "50/s",
 * "2G/s" (prefix case as written: k or K, M, G) or "200kHz", "50Hz" (any
 * case); *period = 1 s / rate in ps, rounded to the nearest ps. A rate must
 * be > 0 and give a period of at least 1 ps. */
gicsim_status yt_get_rate(const yt_node *n, const char *key, gicsim_time_t *period,
                          gicsim_diag *diag);
/* The same from a string: GICSIM_OK or GICSIM_E_INVAL with a reason. */
gicsim_status yt_parse_rate(const char *s, gicsim_time_t *period, const char **why);
/* A rate in hertz as exact decimal text ("200k/s" -> "200000", "2.5/s" ->
 * "2.5") into buf; false when `s` is not a rate. */
bool yt_rate_hz_text(const char *s, char *buf, size_t size);
/* A frequency: an integer (Hz) or "3GHz", "1.5GHz", "800MHz", "100kHz", "50Hz". */
gicsim_status yt_get_hz(const yt_node *n, const char *key, uint64_t *out, gicsim_diag *diag);
/* Parse a time string (no node): GICSIM_OK or GICSIM_E_INVAL with a reason. */
gicsim_status yt_parse_time(const char *s, gicsim_time_t *out, const char **why);
/* Format a time in the scenario syntax, exact: "0s", "250ps", "1.5us". */
void yt_format_time(gicsim_time_t ps, char *buf, size_t size);

/* ---- Keys of a mapping (yaml_keys.c) -------------------------------------------------- */

/* A malloc'd copy of `s` (NULL for NULL, or when out of memory). */
char *yt_strdup(const char *s);
/* "out of memory" (GICSIM_E_NOMEM, no position). */
gicsim_status yt_nomem(gicsim_diag *diag);
/* An error (GICSIM_E_INVAL) at node `n`'s position (none when n is NULL) about
 * key path `key`. */
gicsim_status yt_node_err(gicsim_diag *diag, const yt_node *n, const char *key, const char *fmt,
                          ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* "missing required key" at the mapping `map` (key path `path`) that lacks it. */
gicsim_status yt_missing(gicsim_diag *diag, const yt_node *map, const char *path, const char *key);
/* "\"<key>\" <why>": a key of `map` that is present but not allowed in this
 * context, at the key's position. */
gicsim_status yt_not_here(gicsim_diag *diag, const yt_node *map, const char *path, const char *key,
                          const char *why);
/* Optional keys of the mapping `map` at key path `path`: an absent key leaves
 * *out as it is; a present one is read with the matching yt_get_* (the
 * integers within [min, max]). `present` (may be NULL) says whether the key
 * was there. */
gicsim_status yt_opt_u64(const yt_node *map, const char *path, const char *key, uint64_t min,
                         uint64_t max, uint64_t *out, bool *present, gicsim_diag *diag);
gicsim_status yt_opt_u32(const yt_node *map, const char *path, const char *key, uint64_t min,
                         uint64_t max, uint32_t *out, bool *present, gicsim_diag *diag);
gicsim_status yt_opt_bool(const yt_node *map, const char *path, const char *key, bool *out,
                          bool *present, gicsim_diag *diag);
gicsim_status yt_opt_time(const yt_node *map, const char *path, const char *key, gicsim_time_t *out,
                          bool *present, gicsim_diag *diag);
/* A string value copied into *out (replacing and freeing it); `nonempty`
 * rejects "". */
gicsim_status yt_opt_strdup(const yt_node *map, const char *path, const char *key, bool nonempty,
                            char **out, gicsim_diag *diag);

/* The name of item k of a list, for yt_named_item. */
typedef const char *(*yt_name_at_fn)(const void *ctx, size_t k);
/* The start of item `i` (key path `path`) of the list `list` of named
 * mappings, each "a <what>": it must be a mapping with only the keys `keys`,
 * and its required, non-empty "name" (copied into *name) must differ from
 * the names of items 0..i-1, name_at(ctx, k). */
gicsim_status yt_named_item(const yt_node *n, const char *path, const char *const *keys,
                            const char *what, const char *list, size_t i, yt_name_at_fn name_at,
                            const void *ctx, char **name, gicsim_diag *diag);
/* The root of a document must be a mapping: with no root, or a null one, the
 * error `empty` at `file`:`line`:`col`; with another kind, "<not_map>, got
 * <kind>" at the root. */
gicsim_status yt_root_map(const yt_node *root, const char *file, unsigned line, unsigned col,
                          const char *empty, const char *not_map, gicsim_diag *diag);

/* The directory part of `file` ("." when none), malloc'd; NULL when out of
 * memory. */
char *yt_dir_of(const char *file);
/* `rel` relative to the directory of `file` (unchanged when absolute, or
 * when `file` has no directory part), malloc'd; NULL when out of memory. */
char *yt_resolve_rel(const char *file, const char *rel);

/* ---- Platform presets, shared by the scenario and script loaders (platform.c) ---------- */

/* A platform preset, resolved, with its calibration block (all optional):
 * the micro-bench figures it was fitted to, the costs the fit set and the
 * tests it reports as predictions, each list in file order, without
 * duplicates, a test never both measured and predicted. */
typedef struct sc_platform {
    char *name;
    char *file; /* the preset file it was read from */
    char *description;
    bool vhe;
    gicsim_timing timing;
    gicsim_kvm_config kvm; /* the host KVM's version-dependent behaviour */
    char *reference;       /* NULL when the preset has none */
    size_t n_measured, n_fitted, n_predicts;
    gicsim_mb_test measured_test[GICSIM_MB__COUNT];
    double measured_ns[GICSIM_MB__COUNT];    /* > 0, finite */
    double measured_unc[GICSIM_MB__COUNT];   /* the figure's own uncertainty; 0: none */
    char *measured_source[GICSIM_MB__COUNT]; /* NULL: none */
    double uncertainty;                      /* the preset's default; 0: none */
    bool fit_map;                            /* fit_method: map (else exact) */
    size_t n_facts;
    gicsim_cost_id facts[GICSIM_COST__COUNT];
    gicsim_cost_id fitted[GICSIM_COST__COUNT];
    gicsim_mb_test predicts[GICSIM_MB__COUNT];
    gicsim_variation variation; /* its sources of spread (every one off unless set) */
    gicsim_mb_spread measured_spread[GICSIM_MB__COUNT]; /* each figure's percentiles and runs */
    size_t n_spread_fitted;                             /* spread_fitted: parameter paths */
    char spread_fitted[GICSIM_SPREAD_MAX_PARAMS][GICSIM_SPREAD_PARAM_LEN];
} sc_platform;

/* Find preset `name` for a document read from `ref_file` (search order in
 * docs/scenarios.md) and load it. `at`/`key`: the node naming it, for the
 * "unknown platform" error. */
gicsim_status sc_platform_load(const char *name, const char *ref_file, const yt_node *at,
                               const char *key, sc_platform *out, gicsim_diag *diag);
/* The same lookup with `first_dir` (may be NULL) searched first instead of
 * the referencing file's ../platforms. With `at` NULL an unknown name is
 * GICSIM_E_NOTFOUND, with no position and `key` "platform". */
gicsim_status sc_platform_find(const char *name, const char *first_dir, const yt_node *at,
                               const char *key, sc_platform *out, gicsim_diag *diag);
/* Load the preset file `path`, whose name must match the file name without
 * ".yaml" (a file not named <name>.yaml is GICSIM_E_INVAL). */
gicsim_status sc_platform_load_file(const char *path, sc_platform *out, gicsim_diag *diag);
void sc_platform_free(sc_platform *p);
/* What a preset or a scenario's platform_overrides sets: vhe, clocks, costs
 * and the host KVM's behaviour (kvm: sgi_lookup, vpt_poll_delay, vpt_wait). */
typedef struct sc_platform_vals {
    bool *vhe;
    gicsim_timing *timing;
    gicsim_kvm_config *kvm;
    gicsim_variation *variation;
} sc_platform_vals;
/* Which of them the mapping set (each member may be NULL). */
typedef struct sc_platform_set {
    bool *vhe;
    bool *clock; /* [GICSIM_CLK__COUNT] */
    bool *cost;  /* [GICSIM_COST__COUNT] */
    bool *sgi_lookup, *vpt_poll_delay, *vpt_wait;
    bool *variation; /* [GICSIM_SETTING__COUNT] */
} sc_platform_set;
/* The keys of the mapping `map` at key path `path` into `vals`, recording
 * in `set` (may be NULL) which values it sets. */
gicsim_status sc_platform_apply_keys(const yt_node *map, const char *path, sc_platform_vals vals,
                                     const sc_platform_set *set, gicsim_diag *diag);
/* The `kvm` mapping `kvm` (under key path `path`) into *k. */
gicsim_status sc_platform_apply_kvm(const yt_node *kvm, const char *path, gicsim_kvm_config *k,
                                    const sc_platform_set *set, gicsim_diag *diag);
/* The `variation` mapping `n` (key path `path`) applied to *v, which holds
 * the preset's values (platform_overrides) or the defaults; set[id] (may be
 * NULL) marks each setting the mapping gives. Checked as a whole
 * (gicsim_variation_check) before *v changes. platform_variation.c. */
gicsim_status sc_parse_variation(const yt_node *n, const char *path, gicsim_variation *v, bool *set,
                                 gicsim_diag *diag);
/* The name of a kvm.sgi_lookup value ("mpidr-table", "vcpu-walk"). */
const char *sc_sgi_lookup_name(gicsim_sgi_lookup l);
/* The name of a kvm.vpt_wait value ("commit", "load"). */
const char *sc_vpt_wait_name(gicsim_vpt_wait w);
/* A sequence of micro-bench test names at `path` (no repeats) into tests
 * (room for GICSIM_MB__COUNT). */
gicsim_status sc_parse_tests(const yt_node *n, const char *path, gicsim_mb_test *tests,
                             size_t *n_tests, gicsim_diag *d);
/* A `measured` mapping (test name -> ns, a number > 0, or {ns: NS,
 * uncertainty: P%, source: TEXT, percentiles: {pNN: NS}, runs: [NS]}; null:
 * empty) at key path `path` into tests[]/ns[]/unc[] (0: not given)/source[]
 * (NULL: not given; pointing into the tree)/spread[], room for
 * GICSIM_MB__COUNT each, *count set. */
gicsim_status sc_parse_measured(const yt_node *n, const char *path, gicsim_mb_test *tests,
                                double *ns, double *unc, const char **source,
                                gicsim_mb_spread *spread, size_t *count, gicsim_diag *diag);
/* A list of variation parameter paths (gicsim_variation_param of `v` must
 * know each; no repeats, at most GICSIM_SPREAD_MAX_PARAMS) into params. */
gicsim_status sc_parse_spread_params(const yt_node *n, const char *path, const gicsim_variation *v,
                                     char (*params)[GICSIM_SPREAD_PARAM_LEN], size_t *count,
                                     gicsim_diag *diag);
/* A relative uncertainty "P%" (0 < P <= 100) as a fraction. */
gicsim_status sc_parse_percent(const yt_node *n, const char *key, double *out, gicsim_diag *diag);

/* ---- The gic section, shared by the scenario and script loaders (scenario_gic.c) -------- */

/* The "gic" mapping (null: defaults) into `cfg` (which holds the defaults). */
gicsim_status sc_parse_gic(const yt_node *n, const char *path, gicsim_gic_config *cfg,
                           gicsim_diag *diag);
/* The name of a GIC version in the file syntax: "v3", "v4.0", "v4.1". */
const char *sc_gic_version_name(gicsim_gic_version v);
/* A GIC version in the file syntax at key path `path` into *out. */
gicsim_status sc_parse_gic_version(const yt_node *v, const char *path, gicsim_gic_version *out,
                                   gicsim_diag *d);

#endif
