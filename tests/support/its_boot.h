/* gicsim test support: the ITS boot shared by tests/test_its.c and the ITS
 * fuzzer (tests/fuzz/fuzz_its.c). It uses the public API only and no test
 * framework, so the fuzzer compiles it with its own flags (its_boot.c).
 *
 * The memory map below places every table in the GIC's simulated memory;
 * each table is aligned as the architecture requires (pending tables and
 * virtual pending tables 64 KiB, ITTs 256 bytes, the others 4 KiB). */
#ifndef GICSIM_TESTS_ITS_BOOT_H
#define GICSIM_TESTS_ITS_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <gicsim/gicsim.h>

#define PROP_BASE 0x00100000ull /* LPI configuration table, 16 INTID bits */
#define PEND_BASE(pe) (0x00200000ull + 0x10000ull * (pe)) /* pending tables */
#define CQ_BASE 0x00400000ull                             /* command queue, one 4 KiB page */
#define DT_BASE 0x00500000ull                             /* Device table (or its level-1 table) */
#define DT_L2_BASE 0x00510000ull /* level-2 pages of a two-level Device table */
#define CT_BASE 0x00600000ull    /* Collection table */
#define VPET_BASE 0x00700000ull  /* vPE table */
#define ITT_BASE(dev) (0x00800000ull + 0x1000ull * (dev))
#define VPT_BASE(n) (0x01000000ull + 0x10000ull * (n)) /* virtual pending tables */
#define VPROP_BASE 0x02000000ull                       /* the VM's vLPI configuration table */

typedef struct tf_its_boot_opts {
    gicsim_gic_version version; /* the GIC's: a vPE table from GICv4.0 on */
    uint32_t num_pes;           /* the GIC's, at most 32 */
    bool indirect_dt;           /* two-level Device table (the caller fills the level-1 table) */
    uint32_t ptz_pes;           /* bit n: PE n's pending table is known zero (PTZ, no scan) */
} tf_its_boot_opts;

/* docs/its.md's boot, as Linux does it: on every PE GICR_PROPBASER (the LPI
 * configuration table at PROP_BASE, 16 INTID bits), GICR_PENDBASER
 * (PEND_BASE(pe), with PTZ as `ptz_pes` says) and GICR_CTLR.EnableLPIs; then
 * GITS_BASER<n> for the Device table (one 4 KiB page), the Collection table
 * and, from GICv4.0, the vPE table; GITS_CBASER, GITS_CWRITER = 0 and
 * GITS_CTLR.Enabled; then MAPC(ICID n -> PE n) for every PE and SYNC(0).
 * The commands are only queued: the caller runs the engine. Returns the
 * first status that is not GICSIM_OK (the rest is not done), or GICSIM_OK. */
gicsim_status tf_its_boot(gicsim_gic *g, const tf_its_boot_opts *o);

#endif
