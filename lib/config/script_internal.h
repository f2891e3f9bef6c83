/* gicsim (internal): register-level conformance scripts (gicsim/scenario.h,
 * docs/scenarios.md), split by step family:
 *   script.c      loading and running, the step-kind registry, expectations
 *                 and the field readers every family shares;
 *   script_gic.c  distributor, redistributor, CPU interface and virtual CPU
 *                 interface registers, wires, time, interrupt states, GIC
 *                 statistics and the PEs' IRQ/FIQ/vIRQ/vFIQ outputs;
 *   script_its.c  the ITS: GITS_* registers, each command by name queued
 *                 through GITS_CWRITER, waiting for GITS_CREADR, MSIs, ITS
 *                 statistics;
 *   script_mem.c  the simulated memory: raw reads and writes, LPI
 *                 configuration bytes and pending-table bits;
 *   script_gicv5.c a GICv5 (gic.version v5): IRS, ITS and IWB registers,
 *                 system registers and instructions (host and guest),
 *                 wires, MSIs, interrupt states and GICv5 statistics.
 *
 * A step is a mapping with one key, its kind. Each kind is one row of a
 * family's table (step_kind): the keys it takes, a parser that validates
 * them into a `step` at load time (with file:line:column diagnostics), and
 * an executor that runs it on the GIC. The loader and the runner dispatch
 * only through the tables. Not installed. */
#ifndef GICSIM_SCRIPT_INTERNAL_H
#define GICSIM_SCRIPT_INTERNAL_H

#include "yaml_tree.h"

#include <gicsim/engine.h>
#include <gicsim/gic.h>
#include <gicsim/its.h>
#include <gicsim/scenario.h>

/* Values an expectation may accept (`one_of`). */
#define SCRIPT_MAX_ONE_OF 8

/* What a read or a counter must show: one of v[0..n-1] under `mask`
 * (n == 0: nothing is compared). */
typedef struct script_expect {
    uint64_t v[SCRIPT_MAX_ONE_OF];
    unsigned n;
    uint64_t mask;
} script_expect;

typedef struct step_kind step_kind;

typedef struct step {
    const step_kind *kind;
    unsigned line;
    uint32_t pe;
    uint32_t offset;
    unsigned size;
    unsigned reg;
    uint32_t intid;
    uint64_t value; /* a write's value */
    uint64_t addr;  /* memory steps: the address (LPI steps: the table) */
    script_expect ex;
    bool level;
    gicsim_time_t time;
    unsigned states;      /* expect_state: bit n accepts gicsim_irq_state n */
    size_t stat;          /* expect_stat, expect_its_stat: index in the family's names */
    int8_t lines[4];      /* expect_lines: irq, fiq, virq, vfiq: -1 unchecked, 0, 1 */
    gicsim_its_cmd cmd;   /* its_<command> */
    uint64_t arg[8];      /* its_<command>: its fields, in its row's order (script_its.c) */
    uint32_t device;      /* msi */
    uint32_t event;       /* msi */
    uint32_t vm;          /* v5_expect_vstate */
    gicsim_status status; /* the status the step's call must return */
} step;

struct gicsim_script {
    char *file;
    char *name;
    gicsim_gic_config gic;
    gicsim_timing timing;
    step *steps;
    size_t n_steps;
};

typedef struct run_ctx {
    gicsim_engine *e;
    gicsim_gic *gic;
} run_ctx;

struct step_kind {
    const char *name;
    const char *const *keys; /* the keys of its mapping; NULL: the step's value is a scalar */
    gicsim_status (*parse)(const step_kind *k, const yt_node *v, const char *path,
                           const gicsim_script *sc, step *s, gicsim_diag *d);
    /* false when an expectation fails: `what` describes the step, `msg` the mismatch. */
    bool (*exec)(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize, char *msg,
                 size_t msize);
};

/* The families' tables (script_gic.c, script_its.c, script_mem.c). */
extern const step_kind script_gic_kinds[];
extern const size_t script_gic_kind_count;
extern const step_kind script_its_kinds[];
extern const size_t script_its_kind_count;
extern const step_kind script_mem_kinds[];
extern const size_t script_mem_kind_count;
extern const step_kind script_gicv5_kinds[];
extern const size_t script_gicv5_kind_count;

/* ---- Field readers (script.c) -----------------------------------------------------------
 * Each reads key `key` of the step's mapping `map` (key path `path`) and
 * fails with a diagnostic at its position. */

/* A required key's node. */
gicsim_status script_req(const yt_node *map, const char *path, const char *key, const yt_node **out,
                         gicsim_diag *d);
/* An integer in [min, max]; absent: an error if `required`, else *out is
 * left alone. `present` (may be NULL) says whether it was there. */
gicsim_status script_u64(const yt_node *map, const char *path, const char *key, bool required,
                         uint64_t min, uint64_t max, uint64_t *out, bool *present, gicsim_diag *d);
/* `pe`: a PE of the script's GIC (default 0 when not required). */
gicsim_status script_pe(const yt_node *map, const char *path, const gicsim_script *sc,
                        bool required, uint32_t *pe, gicsim_diag *d);
/* A boolean written true/false or 1/0. */
gicsim_status script_bool(const yt_node *n, const char *path, bool *out, gicsim_diag *d);
/* The optional `status` key (default ok). */
gicsim_status script_status(const yt_node *map, const char *path, step *s, gicsim_diag *d);
/* `size`: 1, 2, 4 or 8 bytes (default `def`). */
gicsim_status script_size(const yt_node *map, const char *path, unsigned def, unsigned *out,
                          gicsim_diag *d);
/* The expectation of a read: `expect` (one value) or `one_of` (a list of
 * 1..SCRIPT_MAX_ONE_OF values), each at most `max`, and `mask` (needs one of
 * them). Neither: ex->n = 0 (nothing compared). */
gicsim_status script_expect_parse(const yt_node *map, const char *path, uint64_t max,
                                  script_expect *ex, gicsim_diag *d);
/* The expectation of a counter: `value` or `one_of`, one required. */
gicsim_status script_expect_value(const yt_node *map, const char *path, script_expect *ex,
                                  gicsim_diag *d);
/* Whether `got` meets `ex`; if not, `msg` says "expected 0x28, got 0x3ff",
 * "expected 0x0 (mask 0x10), got 0x50", "expected one of 0x28, 0x29, got
 * 0x3ff" (decimal when !hex). */
bool script_expect_check(const script_expect *ex, uint64_t got, bool hex, char *msg, size_t msize);

/* `state`: one of inactive, pending, active, active-pending, or a list of
 * those accepted: bit n of *states accepts gicsim_irq_state n. */
gicsim_status script_states(const yt_node *map, const char *path, unsigned *states, gicsim_diag *d);
/* Whether `got` is one of `states`; if not, `msg` says "expected pending or
 * active, got inactive". */
bool script_states_check(unsigned states, gicsim_irq_state got, char *msg, size_t msize);

/* Whether `s` is `name` (upper case), with or without `prefix` (upper case,
 * may be ""), in any case. */
bool script_name_is(const char *s, const char *prefix, const char *name);

/* A register that a step may name instead of giving its offset. */
typedef struct script_reg {
    const char *name; /* without the frame's prefix: "CTLR" */
    uint32_t offset;
    unsigned size; /* the register's width: a step's default size */
} script_reg;

/* `offset`: a number (*def = 4), or the name of one of regs[0..n-1], with
 * or without `prefix` ("GITS_") and in any case (*def = its size). `hint`
 * lists the names in the diagnostic of an unknown one. */
gicsim_status script_reg_offset(const yt_node *map, const char *path, const char *prefix,
                                const script_reg *regs, size_t n, const char *hint,
                                uint32_t *offset, unsigned *def, gicsim_diag *d);

/* A counter of a statistics structure, by name. */
typedef struct script_field {
    const char *name;
    size_t off; /* of a uint64_t */
} script_field;

/* `name`: one of fields[0..n-1] (*idx its index); `hint` describes them in
 * the diagnostic of an unknown name. */
gicsim_status script_field_parse(const yt_node *map, const char *path, const script_field *fields,
                                 size_t n, const char *hint, size_t *idx, gicsim_diag *d);
/* The counter `f` of the structure at `base`. */
uint64_t script_field_get(const void *base, const script_field *f);

/* The status names of the `status` key ("ok", "inval", ...). */
const char *script_status_name(gicsim_status st);
/* `st` is the step's expected status; otherwise `msg` says both. */
bool script_status_check(const step *s, gicsim_status st, char *msg, size_t msize);

#endif
