/* gicsim test support: the fixtures and helpers the cmocka tests share
 * (tests/support/fixtures.c, linked into every test by gicsim_add_test).
 *
 * Contract: every helper that calls the library checks its status and fails
 * the calling test (a cmocka assertion) unless it is GICSIM_OK, so a helper
 * returns only values the library produced. The includer includes
 * <cmocka.h> (with its prerequisites) itself; this header needs only the
 * public API. */
#ifndef GICSIM_TESTS_FIXTURES_H
#define GICSIM_TESTS_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gicsim/gicsim.h>

/* ---- A GIC on its own engine -------------------------------------------------- */

/* Creates an engine and a GIC with `cfg` (NULL: gicsim_gic_config_init's
 * defaults: GICv3, 4 PEs, 96 SPIs). Nothing else: no OS setup, no time. */
void tf_gic_new(gicsim_engine **e, gicsim_gic **g, const gicsim_gic_config *cfg);

/* tf_gic_new, then registers the observer `obs` (with `ctx`) when not NULL,
 * runs gicsim_gic_os_init when `os_init` (the Linux-like boot: every
 * interrupt Group 1; SPIs disabled, level, priority 0xA0, routed to PE 0;
 * SGIs enabled, PPIs disabled; PMR 0xFF, Group 1 enabled) and runs the
 * engine for 1 us (tf_settle). */
void tf_gic_open(gicsim_engine **e, gicsim_gic **g, const gicsim_gic_config *cfg, bool os_init,
                 gicsim_gic_observer_fn obs, void *ctx);

/* Destroys what tf_gic_new created. */
void tf_gic_free(gicsim_engine *e, gicsim_gic *g);

/* Runs the engine for 1 us: long enough for every register write's effect
 * (distributor to redistributor to CPU interface) with the default timing. */
void tf_settle(gicsim_engine *e);

/* ---- The GIC's event log and line log ------------------------------------------- */

/* Matches any PE or any INTID in the event log queries below. */
#define TF_ANY UINT32_MAX

/* Every observer event of one GIC, in order (grows as needed). */
typedef struct tf_ev_log {
    gicsim_gic_event *v;
    size_t n, cap;
} tf_ev_log;

/* Registers `l` (zero-initialized, or freed) as an observer of `g`. */
void tf_ev_log_attach(tf_ev_log *l, gicsim_gic *g);
void tf_ev_log_free(tf_ev_log *l);

/* Index of the first event of `kind` for `pe` and `intid` (TF_ANY: any) at
 * or after index `from`, or SIZE_MAX. */
size_t tf_ev_find(const tf_ev_log *l, size_t from, gicsim_gic_event_kind kind, uint32_t pe,
                  uint32_t intid);

/* As tf_ev_find from *from, but fails the test when there is none; moves
 * *from past the event found. */
const gicsim_gic_event *tf_ev_next(const tf_ev_log *l, size_t *from, gicsim_gic_event_kind kind,
                                   uint32_t pe, uint32_t intid);

/* The last event of `kind` for `pe` and `intid` (TF_ANY: any); fails the
 * test when there is none. */
const gicsim_gic_event *tf_ev_last(const tf_ev_log *l, gicsim_gic_event_kind kind, uint32_t pe,
                                   uint32_t intid);

/* Number of events of `kind` for `pe` and `intid` (TF_ANY: any). */
size_t tf_ev_count(const tf_ev_log *l, gicsim_gic_event_kind kind, uint32_t pe, uint32_t intid);

/* Both logs hold the same events in the same order, compared field by field
 * (the records have padding). */
void tf_assert_ev_logs_equal(const tf_ev_log *a, const tf_ev_log *b);

/* One change of a PE's IRQ/FIQ outputs (physical or virtual). */
typedef struct tf_line_rec {
    gicsim_time_t time;
    uint32_t pe;
    bool irq, fiq;
} tf_line_rec;

typedef struct tf_line_log {
    tf_line_rec *v;
    size_t n, cap;
    gicsim_engine *e; /* for the time stamps */
} tf_line_log;

/* Which outputs a tf_gic_fx records. */
typedef enum tf_lines {
    TF_LINES_NONE,
    TF_LINES_PHYS, /* IRQ/FIQ (gicsim_gic_add_line_listener) */
    TF_LINES_VIRT, /* vIRQ/vFIQ (gicsim_gic_add_vline_listener) */
} tf_lines;

/* Registers `l` (zero-initialized, or freed) as a listener of `g`'s
 * physical (TF_LINES_PHYS) or virtual (TF_LINES_VIRT) outputs. */
void tf_line_log_attach(tf_line_log *l, gicsim_gic *g, tf_lines which);
void tf_line_log_free(tf_line_log *l);

/* ---- The usual GIC fixture --------------------------------------------------------- */

/* A GIC with an event log of every observer event and, when asked, a log of
 * its physical or virtual outputs. */
typedef struct tf_gic_fx {
    gicsim_engine *e;
    gicsim_gic *g;
    tf_ev_log ev;
    tf_line_log lines;
} tf_gic_fx;

/* tf_gic_open(cfg, os_init) with the event log as observer, then the line
 * log as a listener of the outputs `lines` names. */
tf_gic_fx *tf_gic_fx_new(const gicsim_gic_config *cfg, bool os_init, tf_lines lines);
void tf_gic_fx_free(tf_gic_fx *f);

/* cmocka group fixtures: *state is a tf_gic_fx on a default GIC after
 * gicsim_gic_os_init, recording no lines, the physical or the virtual ones. */
int tf_setup_os_gic(void **state);
int tf_setup_os_gic_lines(void **state);
int tf_setup_os_gic_vlines(void **state);
int tf_teardown_gic(void **state);

/* ---- Register access ---------------------------------------------------------------- */

/* Reads start from 0xDEADBEEF, so a read that leaves its output alone shows. */
uint64_t tf_gicd_rd(gicsim_gic *g, uint32_t off, unsigned size);
void tf_gicd_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t v);
uint64_t tf_gicr_rd(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size);
void tf_gicr_wr(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t v);
uint64_t tf_icc_rd(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg);
void tf_icc_wr(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t v);
uint64_t tf_icv_rd(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg);
void tf_icv_wr(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t v);
uint64_t tf_ich_rd(gicsim_gic *g, uint32_t pe, gicsim_ich_reg reg);
void tf_ich_wr(gicsim_gic *g, uint32_t pe, gicsim_ich_reg reg, uint64_t v);
uint64_t tf_its_rd(gicsim_gic *g, uint32_t off, unsigned size);
void tf_its_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t v);

/* ICC_IAR1_EL1 of `pe` (the INTID acknowledged, or 1023) and ICC_EOIR1_EL1. */
uint32_t tf_iar1(gicsim_gic *g, uint32_t pe);
void tf_eoi1(gicsim_gic *g, uint32_t pe, uint32_t intid);
/* Acknowledges through ICC_IAR1_EL1 on `pe`, expecting `intid`, and ends it
 * (EOImode 0: priority drop and deactivation). */
void tf_ack_eoi1(gicsim_gic *g, uint32_t pe, uint32_t intid);
/* The guest's ICV_IAR1_EL1 and ICV_EOIR1_EL1 on `pe`. */
uint32_t tf_viar1(gicsim_gic *g, uint32_t pe);
void tf_veoi1(gicsim_gic *g, uint32_t pe, uint32_t vintid);

/* The guest side of `pe` ready: ICH_HCR_EL2.En, and ICH_VMCR_EL2 with VENG1
 * (Group 1 enabled) and VPMR `vpmr`. */
void tf_vcpu_on(gicsim_gic *g, uint32_t pe, uint8_t vpmr);

/* GICD_ISENABLER<n>: enables `intid`. */
void tf_spi_enable(gicsim_gic *g, uint32_t intid);
/* GICD_ICFGR<n>: `intid` edge-triggered (Int_config[1] = 1) or level. */
void tf_spi_set_edge(gicsim_gic *g, uint32_t intid, bool edge);

/* The configuration byte of LPI `intid` in the LPI configuration table at
 * `table` (GICv3 5.1.1: priority [7:2], Enable [0]). */
void tf_lpi_config(gicsim_gic *g, uint64_t table, uint32_t intid, uint8_t prio, bool enable);

gicsim_gic_stats tf_gic_stats(const gicsim_gic *g);
/* The state of `intid` as seen from `pe` (banked for SGIs and PPIs). */
gicsim_irq_state tf_irq_state(gicsim_gic *g, uint32_t pe, uint32_t intid);
/* Every raised instance is acknowledged, withdrawn or still pending. */
void tf_assert_gic_accounting(const gicsim_gic *g);

/* ---- Other helpers ------------------------------------------------------------------- */

/* Marsaglia's xorshift64: the tests' deterministic pseudo-random numbers. */
uint64_t tf_xorshift64(uint64_t *s);

/* A cost of the default timing table, in ps (gicsim_timing_ps). */
gicsim_time_t tf_cost_ps(gicsim_cost_id id);

/* ---- A virtualized system ------------------------------------------------------------- */

/* gicsim_system_config_init's defaults with this GIC version and PE count. */
gicsim_system_config tf_system_config(gicsim_gic_version version, uint32_t num_pes);
gicsim_system *tf_system_new(const gicsim_system_config *c);
/* tf_system_new(tf_system_config(version, num_pes)). */
gicsim_system *tf_system(gicsim_gic_version version, uint32_t num_pes);

/* The whole file at `path` (malloc'd, NUL-terminated), its length in *len
 * (len may be NULL); fails the test if it cannot be read. */
char *tf_read_file(const char *path, size_t *len);

/* gicsim_vm_config_init's defaults with these fields. */
gicsim_vm_config tf_vm_config(const char *policy, uint32_t vcpus, bool busy, bool wfi_trap);
/* Adds the VM; returns its index. */
uint32_t tf_vm_add(gicsim_system *s, const gicsim_vm_config *vc);
/* Adds tf_vm_config(policy, vcpus, busy, wfi_trap). */
uint32_t tf_vm(gicsim_system *s, const char *policy, uint32_t vcpus, bool busy, bool wfi_trap);
/* Adds a VM of one vCPU on PE `pe` alone (pe_first = pe, pe_count = 1). */
uint32_t tf_vm_on_pe(gicsim_system *s, const char *policy, uint32_t pe, bool busy, bool wfi_trap);

/* gicsim_source_config_init's defaults with these fields. */
gicsim_source_config tf_source_config(gicsim_source_kind kind, uint32_t vm, uint32_t vcpu,
                                      uint32_t intid);
/* Adds the source; returns its index. */
uint32_t tf_source_add(gicsim_system *s, const gicsim_source_config *sc);

/* The statistics, from a buffer filled with 0xA5 (so a field the library
 * leaves alone shows). */
gicsim_system_stats tf_system_stats(const gicsim_system *s);
/* Record `i`, which must exist. */
const gicsim_irq_record *tf_record(const gicsim_system *s, size_t i);
/* The VM exits charged to one record, all reasons. */
uint32_t tf_record_exits(const gicsim_irq_record *r);

/* Accounting and time-stamp order, for any run: the invariant checker is
 * clean; every record is merged (never acknowledged nor deactivated),
 * delivered (asserted <= signalled <= acknowledged <= ended <= deactivated,
 * no later than now, as far as it got) or pending (not ended); the
 * statistics count the same; the latency histograms hold one value per
 * delivery; the exits add up. */
void tf_check_accounting(const gicsim_system *s);
/* The run asserted exactly `n` instances and each was delivered and
 * completed (acknowledged, ended and deactivated, in that order), none
 * merged or pending; the invariant checker is clean. */
void tf_check_all_completed(const gicsim_system *s, uint64_t n);
/* Stops the sources, runs `s` for `t` and checks the accounting. */
void tf_drain(gicsim_system *s, gicsim_time_t t);

#endif
