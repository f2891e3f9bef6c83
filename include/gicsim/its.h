/* gicsim: the Interrupt Translation Service (ITS) of a GICv3/v4 (IHI 0069).
 *
 * One ITS per GIC, present when gicsim_gic_config.its is set. Software drives
 * it through its register frame (gicsim_its_read/write) and through tables in
 * the simulated memory (<gicsim/memory.h>): the command queue (GITS_CBASER)
 * and the Device, Collection and (GICv4) vPE tables (GITS_BASER<n>), plus one
 * Interrupt Translation Table per mapped device (MAPD).
 *
 * Timing. The ITS is one server: commands (from GITS_CREADR to GITS_CWRITER)
 * and translation requests (GITS_TRANSLATER and, on GICv4.1, GITS_SGIR
 * writes) are served one at a time in the order they arrived. A command costs
 * its_command plus its_table_read per table access it makes; a translation
 * costs its_translate plus its_cache_hit (the translation-cache lookup) plus,
 * on a miss, its_table_read per table read; a hit (the cache holds the
 * (DeviceID, EventID)) reads no table. The result then travels to the target redistributor
 * (its_to_redist) while the ITS serves the next request, so a burst of n
 * translations completes one service time apart. docs/its.md gives the table
 * entry formats, the exact cost of each command and the error codes.
 *
 * Register accesses act at the engine's current time and return at once;
 * what they start happens in engine events.
 */
#ifndef GICSIM_ITS_H
#define GICSIM_ITS_H

#include <gicsim/common.h>
#include <gicsim/gic.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Register frame --------------------------------------------------------
 * Offsets from ITS_base: the control frame at 0x00000, the translation frame
 * at 0x10000 and (GICv4.1) the vSGI frame at 0x20000. */
#define GICSIM_GITS_CTLR 0x0000u
#define GICSIM_GITS_IIDR 0x0004u
#define GICSIM_GITS_TYPER 0x0008u
#define GICSIM_GITS_CBASER 0x0080u
#define GICSIM_GITS_CWRITER 0x0088u
#define GICSIM_GITS_CREADR 0x0090u
#define GICSIM_GITS_BASER(n) (0x0100u + 8u * (n)) /* n = 0..7 */
#define GICSIM_GITS_PIDR2 0xFFE8u
#define GICSIM_GITS_TRANSLATER 0x10040u
#define GICSIM_GITS_SGIR 0x20020u

/* GITS_CTLR */
#define GICSIM_GITS_CTLR_ENABLED (1u << 0)
#define GICSIM_GITS_CTLR_QUIESCENT (1u << 31)

/* GITS_TYPER */
#define GICSIM_GITS_TYPER_PHYSICAL (1ull << 0)
#define GICSIM_GITS_TYPER_VIRTUAL (1ull << 1)
#define GICSIM_GITS_TYPER_ITT_ENTRY_SIZE_SHIFT 4 /* [7:4] bytes - 1 */
#define GICSIM_GITS_TYPER_IDBITS_SHIFT 8         /* [12:8] EventID bits - 1 */
#define GICSIM_GITS_TYPER_DEVBITS_SHIFT 13       /* [17:13] DeviceID bits - 1 */
#define GICSIM_GITS_TYPER_SEIS (1ull << 18)
#define GICSIM_GITS_TYPER_PTA (1ull << 19)
#define GICSIM_GITS_TYPER_HCC_SHIFT 24     /* [31:24] */
#define GICSIM_GITS_TYPER_CIDBITS_SHIFT 32 /* [35:32] */
#define GICSIM_GITS_TYPER_CIL (1ull << 36)
#define GICSIM_GITS_TYPER_VMOVP (1ull << 37)
#define GICSIM_GITS_TYPER_VSGI (1ull << 39)
#define GICSIM_GITS_TYPER_VMAPP (1ull << 40)
#define GICSIM_GITS_TYPER_NID (1ull << 43)

/* GITS_CBASER and GITS_BASER<n> */
#define GICSIM_GITS_BASER_VALID (1ull << 63)
#define GICSIM_GITS_BASER_INDIRECT (1ull << 62)
#define GICSIM_GITS_BASER_TYPE_SHIFT 56       /* [58:56] RO */
#define GICSIM_GITS_BASER_ENTRY_SIZE_SHIFT 48 /* [52:48] RO, bytes - 1 */
#define GICSIM_GITS_BASER_PA_MASK                                                                  \
    0x0000FFFFFFFFF000ull /* [47:12]; 64 KiB pages: [15:12] = PA[51:48] */
#define GICSIM_GITS_CBASER_PA_MASK 0x000FFFFFFFFFF000ull /* [51:12] */
#define GICSIM_GITS_BASER_PAGE_SIZE_SHIFT 8              /* [9:8] */
#define GICSIM_GITS_BASER_PAGE_4K (0ull << 8)
#define GICSIM_GITS_BASER_PAGE_16K (1ull << 8)
#define GICSIM_GITS_BASER_PAGE_64K (2ull << 8)
#define GICSIM_GITS_BASER_SIZE_MASK 0xFFull /* [7:0] pages - 1 */
#define GICSIM_GITS_BASER_TYPE_NONE 0u
#define GICSIM_GITS_BASER_TYPE_DEVICES 1u
#define GICSIM_GITS_BASER_TYPE_VPES 2u
#define GICSIM_GITS_BASER_TYPE_COLLECTIONS 4u
/* Which GITS_BASER<n> holds which table in gicsim (software finds it from the
 * Type field, as Linux does): the vPE table exists on GICv4.x only; the
 * others are absent (RAZ/WI). */
#define GICSIM_GITS_BASER_DEVICES_INDEX 0u
#define GICSIM_GITS_BASER_COLLECTIONS_INDEX 1u
#define GICSIM_GITS_BASER_VPES_INDEX 2u
/* A two-level table's level-1 entry: Valid and the level-2 page's address. */
#define GICSIM_GITS_L1_VALID (1ull << 63)
#define GICSIM_GITS_L1_PA_MASK 0x000FFFFFFFFFF000ull

/* GITS_CWRITER / GITS_CREADR: Offset[19:5]; CREADR.Stalled[0] (always 0:
 * GITS_TYPER.SEIS=0 and a failing command is ignored, never stalls). */
#define GICSIM_GITS_CQ_OFFSET_MASK 0xFFFE0ull
#define GICSIM_GITS_CREADR_STALLED (1ull << 0)

/* GITS_SGIR (GICv4.1): vPEID[47:32], vINTID[3:0]. */
static inline uint64_t gicsim_gits_sgir_value(uint16_t vpeid, uint32_t vintid)
{
    return ((uint64_t)vpeid << 32) | (vintid & 0xFu);
}

/* Access the ITS frame. `size` is 1, 2, 4 or 8 bytes (else GICSIM_E_INVAL).
 * GICSIM_E_UNSUPPORTED when the GIC has no ITS. 64-bit registers may be
 * accessed whole or as aligned 32-bit halves. Accesses the architecture does
 * not define (reserved or absent registers, wrong width, unaligned,
 * writes to read-only registers, writes the architecture makes UNPREDICTABLE
 * such as GITS_BASER<n> while GITS_CTLR.Enabled=1) are RAZ/WI and counted in
 * the GIC's statistics (raz_wi_reads / raz_wi_writes). A write to
 * GITS_TRANSLATER carries DeviceID 0; use gicsim_its_msi for other devices. */
GICSIM_API gicsim_status gicsim_its_read(gicsim_gic *gic, uint32_t offset, unsigned size,
                                         uint64_t *val);
GICSIM_API gicsim_status gicsim_its_write(gicsim_gic *gic, uint32_t offset, unsigned size,
                                          uint64_t val);

/* A device with DeviceID `device_id` writes `event_id` to GITS_TRANSLATER:
 * the request joins the ITS's queue. Ignored (and counted as dropped) while
 * GITS_CTLR.Enabled=0. GICSIM_E_UNSUPPORTED without an ITS. */
GICSIM_API gicsim_status gicsim_its_msi(gicsim_gic *gic, uint32_t device_id, uint32_t event_id);

/* ---- Commands ----------------------------------------------------------------
 * A 32-byte command as four little-endian doublewords (the architecture's
 * DW0..DW3). The builders set only the fields they name; every other field is
 * zero. Opcodes (DW0[7:0]): */
#define GICSIM_ITS_CMD_MOVI 0x01u
#define GICSIM_ITS_CMD_INT 0x03u
#define GICSIM_ITS_CMD_CLEAR 0x04u
#define GICSIM_ITS_CMD_SYNC 0x05u
#define GICSIM_ITS_CMD_MAPD 0x08u
#define GICSIM_ITS_CMD_MAPC 0x09u
#define GICSIM_ITS_CMD_MAPTI 0x0Au
#define GICSIM_ITS_CMD_MAPI 0x0Bu
#define GICSIM_ITS_CMD_INV 0x0Cu
#define GICSIM_ITS_CMD_INVALL 0x0Du
#define GICSIM_ITS_CMD_MOVALL 0x0Eu
#define GICSIM_ITS_CMD_DISCARD 0x0Fu
#define GICSIM_ITS_CMD_VMOVI 0x21u
#define GICSIM_ITS_CMD_VMOVP 0x22u
#define GICSIM_ITS_CMD_VSGI 0x23u
#define GICSIM_ITS_CMD_VSYNC 0x25u
#define GICSIM_ITS_CMD_VMAPP 0x29u
#define GICSIM_ITS_CMD_VMAPTI 0x2Au
#define GICSIM_ITS_CMD_VMAPI 0x2Bu
#define GICSIM_ITS_CMD_VINVALL 0x2Du
#define GICSIM_ITS_CMD_INVDB 0x2Eu

/* "No doorbell" for a vLPI's Dbell_pINTID and a vPE's default doorbell. */
#define GICSIM_ITS_NO_DOORBELL 1023u

typedef struct gicsim_its_cmd {
    uint64_t dw[4];
} gicsim_its_cmd;

/* GICv3. `rdbase` is a PE number (GITS_TYPER.PTA=0). `event_bits`: the device's
 * EventIDs are 0..2^event_bits-1 (MAPD Size = event_bits - 1); `itt_addr`
 * must be 256-byte aligned and the ITT 2^event_bits * 8 bytes long. */
GICSIM_API gicsim_its_cmd gicsim_its_cmd_mapd(uint32_t device_id, uint64_t itt_addr,
                                              unsigned event_bits, bool valid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_mapc(uint16_t icid, uint32_t rdbase, bool valid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_mapti(uint32_t device_id, uint32_t event_id,
                                               uint32_t pintid, uint16_t icid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_mapi(uint32_t device_id, uint32_t event_id, uint16_t icid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_movi(uint32_t device_id, uint32_t event_id, uint16_t icid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_movall(uint32_t rdbase1, uint32_t rdbase2);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_int(uint32_t device_id, uint32_t event_id);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_clear(uint32_t device_id, uint32_t event_id);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_discard(uint32_t device_id, uint32_t event_id);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_inv(uint32_t device_id, uint32_t event_id);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_invall(uint16_t icid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_sync(uint32_t rdbase);

/* GICv4.0. `vpt_addr`: the vPE's virtual pending table (64 KiB aligned);
 * `vpt_bits`: vINTID bits it covers (VPT_size = vpt_bits - 1). `doorbell`: a
 * physical LPI, or GICSIM_ITS_NO_DOORBELL. */
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vmapp(uint16_t vpeid, uint32_t rdbase, uint64_t vpt_addr,
                                               unsigned vpt_bits, bool valid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vmapti(uint32_t device_id, uint32_t event_id,
                                                uint16_t vpeid, uint32_t vintid, uint32_t doorbell);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vmapi(uint32_t device_id, uint32_t event_id,
                                               uint16_t vpeid, uint32_t doorbell);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vmovi(uint32_t device_id, uint32_t event_id,
                                               uint16_t vpeid, uint32_t doorbell);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vmovp(uint16_t vpeid, uint32_t rdbase);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vsync(uint16_t vpeid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vinvall(uint16_t vpeid);

/* GICv4.1. VMAPP with the v4.1 fields: `vconf_addr` the VM's vLPI
 * configuration table (VCONF_Addr), `default_doorbell` the vPE's doorbell LPI
 * (or GICSIM_ITS_NO_DOORBELL). VSGI configures vSGI `vintid` (0..15) of a vPE;
 * `priority` keeps its top 4 bits; `clear` also clears its pending state. */
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vmapp41(uint16_t vpeid, uint32_t rdbase, uint64_t vpt_addr,
                                                 unsigned vpt_bits, uint64_t vconf_addr,
                                                 uint32_t default_doorbell, bool valid);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_vsgi(uint16_t vpeid, uint32_t vintid, uint8_t priority,
                                              bool group1, bool enable, bool clear);
GICSIM_API gicsim_its_cmd gicsim_its_cmd_invdb(uint16_t vpeid);

/* Write `n` commands into the command queue at GITS_CWRITER (wrapping at
 * the end of the queue) and advance GITS_CWRITER past them, as a driver does.
 * GICSIM_E_STATE if GITS_CBASER is not valid, GICSIM_E_FULL (nothing written)
 * if the queue has fewer than `n` free slots (one slot always stays empty:
 * CWRITER == CREADR means empty). */
GICSIM_API gicsim_status gicsim_its_submit(gicsim_gic *gic, const gicsim_its_cmd *cmds, size_t n);

/* ---- Statistics ---------------------------------------------------------------- */

/* Command error kinds. The architecture reports a command error as the
 * 24-bit code 0x01_CC_EE: CC the opcode, EE the kind; the GICv3 kinds have
 * architectural values, the GICv4 ones (0x11..0x15) and 0xFF are gicsim's
 * (IMPLEMENTATION DEFINED). */
typedef enum gicsim_its_error {
    GICSIM_ITS_ERR_DEVICE_OOR,          /* 0x01: DeviceID beyond Devbits or the Device table */
    GICSIM_ITS_ERR_ITTSIZE_OOR,         /* 0x02: MAPD Size beyond GITS_TYPER.IDbits */
    GICSIM_ITS_ERR_COLLECTION_OOR,      /* 0x03: ICID beyond the Collection table */
    GICSIM_ITS_ERR_UNMAPPED_DEVICE,     /* 0x04 */
    GICSIM_ITS_ERR_ID_OOR,              /* 0x05: EventID beyond the device's ITT size */
    GICSIM_ITS_ERR_PHYSICALID_OOR,      /* 0x06: pINTID (or doorbell) not an implemented LPI */
    GICSIM_ITS_ERR_UNMAPPED_INTERRUPT,  /* 0x07: no valid ITE for the EventID */
    GICSIM_ITS_ERR_UNMAPPED_COLLECTION, /* 0x09 */
    GICSIM_ITS_ERR_PROCNUM_OOR,         /* 0x02, or 0x01 for MOVALL: RDbase names no PE */
    GICSIM_ITS_ERR_VPEID_OOR,           /* 0x11: vPEID beyond the vPE table */
    GICSIM_ITS_ERR_VPTSIZE_OOR,         /* 0x12: VPT_size beyond the implemented INTID bits */
    GICSIM_ITS_ERR_VIRTUALID_OOR,       /* 0x13: vINTID not an implemented vLPI INTID */
    GICSIM_ITS_ERR_UNMAPPED_VPE,        /* 0x14 */
    GICSIM_ITS_ERR_WRONG_ITE_TYPE,      /* 0x15: MOVI on a virtual ITE, VMOVI on a physical one */
    GICSIM_ITS_ERR_UNKNOWN_COMMAND,     /* 0xFF: an opcode this GIC version does not have */
    GICSIM_ITS_ERR__COUNT
} gicsim_its_error;

/* The 24-bit code (0x010000 | opcode << 8 | EE) of an error of `kind` in
 * command `opcode`; 0 for an invalid kind. The name is a static string
 * ("unmapped_device", ...), NULL for an invalid kind. */
GICSIM_API uint32_t gicsim_its_error_code(gicsim_its_error kind, uint8_t opcode);
GICSIM_API const char *gicsim_its_error_name(gicsim_its_error kind);

typedef struct gicsim_its_stats {
    uint64_t commands;                /* commands executed (including failing ones) */
    uint64_t commands_by_opcode[256]; /* ... by DW0[7:0] */
    uint64_t command_errors;          /* commands ignored because of an error */
    uint64_t errors[GICSIM_ITS_ERR__COUNT];
    uint32_t last_error;            /* 24-bit code of the newest command error, 0 if none */
    uint64_t translations;          /* GITS_TRANSLATER writes accepted */
    uint64_t lpis;                  /* ... translated to a physical LPI */
    uint64_t vlpis;                 /* ... translated to a vLPI */
    uint64_t dropped;               /* ... dropped: unmapped device, EventID, collection or vPE */
    uint64_t dropped_disabled;      /* GITS_TRANSLATER/SGIR writes ignored: GITS_CTLR.Enabled=0 */
    uint64_t vsgis;                 /* GITS_SGIR writes delivered (GICv4.1) */
    uint64_t vsgis_dropped;         /* ... whose vPE was not mapped */
    uint64_t cache_hits;            /* lookups served by the translation cache */
    uint64_t cache_misses;          /* lookups that walked the tables (also with no cache) */
    uint64_t cache_evictions;       /* LRU entries replaced to make room */
    uint64_t cache_invalidations;   /* entries removed by commands or table changes */
    uint64_t table_accesses;        /* table reads and writes charged its_table_read */
    uint64_t translation_queue_max; /* most translation requests waiting at once */
    uint64_t command_queue_max;     /* most commands in the queue (CWRITER - CREADR) at once */
} gicsim_its_stats;

/* GICSIM_E_UNSUPPORTED without an ITS. */
GICSIM_API gicsim_status gicsim_its_get_stats(const gicsim_gic *gic, gicsim_its_stats *out);

#ifdef __cplusplus
}
#endif

#endif
