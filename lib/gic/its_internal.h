/* gicsim: internal state of the ITS, shared by its three files (see the
 * theory of operations at the top of its.c):
 *   its.c            the service: GITS_* registers, the work queue and its
 *                    serial server, the messages to the redistributors,
 *                    its_create/its_free;
 *   its_translate.c  translation: the translation cache and the table walk
 *                    through the Device, ITT, Collection and vPE tables in
 *                    simulated memory;
 *   its_cmd.c        the command decoder/executor: every GICv3/v4.0/v4.1
 *                    command, the architected command errors and the public
 *                    command builders.
 * Not installed.
 *
 * Entry formats are IMPLEMENTATION DEFINED (architecture 5.2); gicsim's are
 * documented in docs/its.md and here:
 *   Device table entry (8 bytes):  [63] Valid, [51:8] ITT_addr[51:8], [4:0] Size
 *   ITE (8 bytes):                  [63] Valid, [62] Virtual, [55:40] ICID or vPEID,
 *                                   [39:20] Dbell_pINTID, [19:0] pINTID or vINTID
 *   Collection table entry (8 B):   [63] Valid, [15:0] RDbase (PE number)
 *   vPE table entry (32 bytes):     DW0 [63] Valid, [23:16] VPT_size, [15:0] RDbase;
 *                                   DW1 VPT_addr; DW2 VCONF_addr (GICv4.1);
 *                                   DW3 [31:0] default doorbell (GICv4.1)
 *   Level-1 entry of a two-level table (8 bytes): [63] Valid, [51:12] level-2 page.
 */
#ifndef GICSIM_ITS_INTERNAL_H
#define GICSIM_ITS_INTERNAL_H

#include "gic_internal.h"

#include <gicsim/its.h>

#define DEV_BITS 20u   /* GITS_TYPER.Devbits + 1 */
#define EVENT_BITS 16u /* GITS_TYPER.IDbits + 1 */
#define ITE_SIZE 8u
#define DTE_SIZE 8u
#define CTE_SIZE 8u
#define VPE_SIZE 32u
#define CMD_SIZE 32u
#define STAGE_MAX 4u
#define NO_ERR GICSIM_ITS_ERR__COUNT

/* Table entry fields (see the comment above). */
#define DTE_VALID (1ull << 63)
#define DTE_ITT_MASK 0x000FFFFFFFFFFF00ull
#define DTE_SIZE_MASK 0x1Full
#define ITE_VALID (1ull << 63)
#define ITE_VIRTUAL (1ull << 62)
#define ITE_ID_SHIFT 40
#define ITE_DB_SHIFT 20
#define ITE_INTID_MASK 0xFFFFFull
#define CTE_VALID (1ull << 63)
#define VPE_VALID (1ull << 63)
#define VPE_SIZE_SHIFT 16

typedef enum msg_kind {
    MSG_LPI_SET,
    MSG_LPI_CLEAR,
    MSG_LPI_INV,
    MSG_LPI_INVALL,
    MSG_LPI_MOVE,
    MSG_LPI_MOVE_ALL,
    MSG_VLPI_SET,
    MSG_VLPI_CLEAR,
    MSG_VLPI_INV,
    MSG_VLPI_INVALL,
    MSG_VPE_DOORBELL,
    MSG_VSGI_CONFIG,
    MSG_VSGI_SET,
    MSG_VSGI_CLEAR
} msg_kind;

/* A message from the ITS to a redistributor (the arguments of one lpi.c or
 * vlpi.c call). */
typedef struct its_msg {
    uint8_t kind;
    uint8_t prio;
    bool group1, enable;
    uint32_t pe, pe2, intid, doorbell;
    uint64_t vpt, vprop;
} its_msg;

/* Growable FIFO of fixed-size elements. `cap` is 0 or a power of two, so a
 * position wraps with a mask. */
typedef struct ring {
    unsigned char *buf;
    size_t esz, cap, head, len;
} ring;

/* The result of a translation: where the interrupt goes. */
typedef struct its_xlat {
    bool virt;
    uint16_t id;       /* ICID (physical) or vPEID (virtual) */
    uint32_t pe;       /* target redistributor */
    uint32_t intid;    /* pINTID or vINTID */
    uint32_t doorbell; /* GICv4.0 per-ITE doorbell, 1023 if none */
    uint64_t vpt, vprop;
} its_xlat;

typedef struct cache_entry {
    uint32_t dev, ev;
    its_xlat x;
    int32_t prev, next; /* LRU list: prev is more recent */
    int32_t hnext;      /* hash chain, or free list */
    bool used;
} cache_entry;

typedef struct its_cache {
    uint32_t cap; /* 0: no cache */
    uint32_t nbuckets;
    cache_entry *e;
    int32_t *bucket;
    int32_t mru, lru, free_head;
} its_cache;

/* A decoded GITS_BASER<n>. */
typedef struct its_table {
    bool valid, indirect;
    uint64_t pa;
    uint64_t page;  /* bytes */
    uint64_t bytes; /* (Size + 1) pages */
    uint32_t esz;
} its_table;

typedef enum locate_result { LOC_OK, LOC_OOR, LOC_L1_INVALID } locate_result;

struct gic_its {
    gicsim_gic *g;
    bool enabled;
    uint64_t cbaser, cwriter, creadr;
    uint64_t baser[8];

    ring items;            /* its_item (its.c): the work queue */
    uint64_t cmds_queued;  /* sum of ITEM_CMDS counts */
    uint64_t xlat_waiting; /* ITEM_MSI/ITEM_SGIR items queued */
    bool busy;
    bool cmd_in_service;        /* the item in service is the command at CREADR */
    uint32_t svc_pe, svc_intid; /* what its GICSIM_GEV_ITS_* start event said */
    its_msg stage[STAGE_MAX];
    unsigned n_stage;

    ring flight;               /* its_msg sent and not yet arrived */
    gicsim_time_t *rd_last;    /* per PE: arrival time of the newest message sent there */
    gicsim_time_t last_arrive; /* arrival time of the newest message sent anywhere */

    gicsim_time_t t_cmd, t_translate, t_read, t_hit, t_to_redist;
    its_cache cache;
    gicsim_its_stats stats;
};

/* A decoded vPE table entry (format above). */
typedef struct vpe_entry {
    bool valid;
    uint32_t pe;
    uint32_t vpt_bits_m1;
    uint64_t vpt, vconf;
    uint32_t doorbell;
} vpe_entry;

/* The command being served: its four doublewords and what executing it
 * cost and requires. */
typedef struct cmd_ctx {
    uint64_t dw[4];
    uint8_t op;
    unsigned acc;             /* table accesses */
    bool hit;                 /* a translation-cache hit replaced a table walk */
    gicsim_time_t wait_until; /* SYNC/VSYNC: not complete before this */
} cmd_ctx;

static inline bool is_v4(const gic_its *its)
{
    return its->g->cfg.version >= GICSIM_GICV4_0;
}

static inline bool is_v41(const gic_its *its)
{
    return its->g->cfg.version >= GICSIM_GICV4_1;
}

/* ---- Messages to the redistributors -------------------------------------------------
 * A command or a translation stages up to STAGE_MAX messages while it is
 * served; its.c sends them together when its service ends (an error
 * discards them). */
static inline void its_stage(gic_its *its, its_msg m)
{
    if (its->n_stage < STAGE_MAX)
        its->stage[its->n_stage++] = m;
}

/* The set-pending message of a translation: an LPI or (GICv4) a vLPI. */
static inline void its_stage_set(gic_its *its, const its_xlat *x)
{
    if (x->virt)
        its_stage(its, (its_msg){.kind = MSG_VLPI_SET,
                                 .pe = x->pe,
                                 .vpt = x->vpt,
                                 .vprop = x->vprop,
                                 .intid = x->intid,
                                 .doorbell = x->doorbell});
    else
        its_stage(its, (its_msg){.kind = MSG_LPI_SET, .pe = x->pe, .intid = x->intid});
}

/* Message `pk` for a physical translation, `vk` for a virtual one. */
static inline void its_stage_simple(gic_its *its, const its_xlat *x, msg_kind pk, msg_kind vk)
{
    its_stage(its, (its_msg){.kind = (uint8_t)(x->virt ? vk : pk),
                             .pe = x->pe,
                             .vpt = x->vpt,
                             .intid = x->intid});
}

/* ---- its_translate.c: the translation cache ----------------------------------------
 * An LRU cache of translations keyed by (DeviceID, EventID), with
 * gicsim_gic_config.its_cache_entries entries (0: no cache). Only
 * GITS_TRANSLATER requests fill it; commands and GITS_BASER<n> writes
 * invalidate what they make stale. */
typedef enum inval_by { INVAL_EVENT, INVAL_DEVICE, INVAL_ICID, INVAL_VPE, INVAL_ALL } inval_by;

gicsim_status its_cache_init(its_cache *c, uint32_t cap);
/* The entry of (dev, ev), -1 if none; its_cache_touch makes it the most
 * recently used. */
int32_t its_cache_find(const its_cache *c, uint32_t dev, uint32_t ev);
void its_cache_touch(its_cache *c, int32_t i);
/* Insert a translation, evicting the least recently used entry when full. */
void its_cache_insert(gic_its *its, uint32_t dev, uint32_t ev, const its_xlat *x);
/* INVAL_EVENT: (dev, ev); INVAL_DEVICE: DeviceID dev; INVAL_ICID /
 * INVAL_VPE: the physical / virtual translations to ICID / vPEID dev;
 * INVAL_ALL: everything. */
void its_cache_invalidate(gic_its *its, inval_by by, uint32_t dev, uint32_t ev);

/* ---- its_translate.c: tables in simulated memory -----------------------------------
 * Every access through these counts one in *acc (the caller charges
 * its_table_read per access). Lookups return NO_ERR or the architected
 * error (gicsim_its_error) of the first check that fails. */

/* GITS_BASER<n>.Type of this ITS (GICSIM_GITS_BASER_TYPE_NONE: no such
 * register) and the entry size of a table type. */
unsigned its_baser_type(const gic_its *its, unsigned n);
uint32_t its_baser_entry_size(unsigned type);
void its_table_decode(const gic_its *its, unsigned n, its_table *t);
/* Whether `id` is within the range the table describes (no memory access). */
bool its_table_in_range(const its_table *t, uint64_t id);
/* Address of entry `id` of a table; a two-level table costs the level-1 read. */
locate_result its_table_locate(gic_its *its, const its_table *t, uint64_t id, uint64_t *pa,
                               unsigned *acc);
void its_table_write64(gic_its *its, uint64_t pa, uint64_t v, unsigned *acc);
void its_vpe_read(gic_its *its, uint64_t pa, vpe_entry *v, unsigned *acc);
void its_vpe_write(gic_its *its, uint64_t pa, const vpe_entry *v, unsigned *acc);
/* Range checks of pINTIDs, vINTIDs and doorbells (1023: none). */
bool its_lpi_valid(const gic_its *its, uint64_t intid);
bool its_vintid_valid(const gic_its *its, uint64_t vintid);
bool its_doorbell_valid(const gic_its *its, uint64_t db);
/* The Device table entry of `dev`: its ITT address and Size field. */
int its_device_lookup(gic_its *its, uint64_t dev, uint64_t *itt, uint32_t *size, unsigned *acc);
/* The valid ITE of (dev, ev): its address and value. */
int its_ite_lookup(gic_its *its, uint64_t dev, uint64_t ev, uint64_t *ite_pa, uint64_t *ite,
                   unsigned *acc);
/* The PE that collection `icid` is mapped to. */
int its_collection_lookup(gic_its *its, uint64_t icid, uint32_t *pe, unsigned *acc);
/* The address of the vPE table entry of `vpeid` (valid or not). */
int its_vpe_locate(gic_its *its, uint64_t vpeid, uint64_t *pa, unsigned *acc);
/* The valid vPE table entry of `vpeid`, mapped to an existing PE. */
int its_vpe_lookup(gic_its *its, uint64_t vpeid, vpe_entry *v, unsigned *acc);
/* The full table walk that translates (dev, ev) (architecture 5.2). */
int its_walk(gic_its *its, uint32_t dev, uint32_t ev, its_xlat *x, unsigned *acc);
/* A valid ITE's value. */
uint64_t its_ite_value(bool virt, uint32_t id, uint32_t intid, uint32_t doorbell);

/* ---- its_cmd.c: the command decoder/executor ------------------------------------------
 * Execute command `c` (architecture 5.3): its table reads and writes, its
 * cache invalidations and its staged messages. Returns NO_ERR or the
 * architected command error; on an error the caller discards what was
 * staged. */
int its_run_command(gic_its *its, cmd_ctx *c);

#endif
