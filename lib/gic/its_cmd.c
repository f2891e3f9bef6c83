/* gicsim: the ITS command decoder/executor (IHI 0069 5.3): every GICv3,
 * GICv4.0 and GICv4.1 command, the architected command errors (5.3.2:
 * gicsim_its_error_code) and the public command builders. The ITS server
 * (its.c) reads a command from the queue and calls its_run_command when the
 * command's service starts; the table accesses go through its_translate.c,
 * the effects on the redistributors are staged messages (its_stage).
 */
#include "its_internal.h"

/* ---- Commands (architecture 5.3) ------------------------------------------------------ */

static uint32_t f_devid(const cmd_ctx *c)
{
    return (uint32_t)(c->dw[0] >> 32);
}
static uint32_t f_eventid(const cmd_ctx *c)
{
    return (uint32_t)c->dw[1];
}
static uint16_t f_icid(const cmd_ctx *c)
{
    return (uint16_t)c->dw[2];
}
static uint16_t f_vpeid(const cmd_ctx *c)
{
    return (uint16_t)(c->dw[1] >> 32);
}
/* RDbase[51:16] of DW2 (or DW3 for MOVALL's second): a PE number, PTA=0. */
static uint64_t f_rdbase(uint64_t dw)
{
    return (dw >> 16) & 0xFFFFFFFFFull;
}

/* Translate (dev, ev) for a command: the translation cache answers if it holds
 * the pair, otherwise a table walk (commands do not fill the cache). */
static int cmd_translate(gic_its *its, cmd_ctx *c, its_xlat *x)
{
    int32_t i = its_cache_find(&its->cache, f_devid(c), f_eventid(c));
    if (i >= 0) {
        *x = its->cache.e[i].x;
        its_cache_touch(&its->cache, i);
        its->stats.cache_hits++;
        c->hit = true;
        return NO_ERR;
    }
    its->stats.cache_misses++;
    return its_walk(its, f_devid(c), f_eventid(c), x, &c->acc);
}

/* MAPD: DW0 DeviceID[63:32], DW1 Size[4:0], DW2 ITT_addr[51:8], V[63]. */
static int cmd_mapd(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c);
    uint32_t size = (uint32_t)(c->dw[1] & 0x1Fu);
    bool valid = (c->dw[2] >> 63) != 0;
    its_table t;
    uint64_t pa;
    its_table_decode(its, GICSIM_GITS_BASER_DEVICES_INDEX, &t);
    if (dev >= (1ull << DEV_BITS))
        return GICSIM_ITS_ERR_DEVICE_OOR;
    if (valid && size >= EVENT_BITS)
        return GICSIM_ITS_ERR_ITTSIZE_OOR;
    if (its_table_locate(its, &t, dev, &pa, &c->acc) != LOC_OK)
        return GICSIM_ITS_ERR_DEVICE_OOR;
    uint64_t dte = valid ? DTE_VALID | (c->dw[2] & DTE_ITT_MASK) | size : 0;
    its_table_write64(its, pa, dte, &c->acc);
    its_cache_invalidate(its, INVAL_DEVICE, dev, 0);
    return NO_ERR;
}

/* MAPC: DW2 ICID[15:0], RDbase[51:16], V[63]. */
static int cmd_mapc(gic_its *its, cmd_ctx *c)
{
    uint16_t icid = f_icid(c);
    uint64_t rd = f_rdbase(c->dw[2]);
    bool valid = (c->dw[2] >> 63) != 0;
    its_table t;
    uint64_t pa;
    its_table_decode(its, GICSIM_GITS_BASER_COLLECTIONS_INDEX, &t);
    if (its_table_locate(its, &t, icid, &pa, &c->acc) != LOC_OK)
        return GICSIM_ITS_ERR_COLLECTION_OOR;
    if (valid && rd >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    its_table_write64(its, pa, valid ? CTE_VALID | rd : 0, &c->acc);
    its_cache_invalidate(its, INVAL_ICID, icid, 0);
    return NO_ERR;
}

/* MAPTI: DW1 EventID[31:0], pINTID[63:32], DW2 ICID. MAPI: pINTID = EventID. */
static int cmd_mapti(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint32_t pintid = c->op == GICSIM_ITS_CMD_MAPI ? ev : (uint32_t)(c->dw[1] >> 32);
    uint16_t icid = f_icid(c);
    uint64_t itt;
    uint32_t size;
    int err = its_device_lookup(its, dev, &itt, &size, &c->acc);
    if (err != NO_ERR)
        return err;
    if (ev >= (2ull << size))
        return GICSIM_ITS_ERR_ID_OOR;
    if (!its_lpi_valid(its, pintid))
        return GICSIM_ITS_ERR_PHYSICALID_OOR;
    its_table t;
    its_table_decode(its, GICSIM_GITS_BASER_COLLECTIONS_INDEX, &t);
    if (!its_table_in_range(&t, icid))
        return GICSIM_ITS_ERR_COLLECTION_OOR;
    its_table_write64(its, itt + (uint64_t)ev * ITE_SIZE,
                      its_ite_value(false, icid, pintid, GICSIM_ITS_NO_DOORBELL), &c->acc);
    its_cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* MOVI: DW2 ICID: the LPI of (dev, ev) moves to collection ICID; a pending
 * LPI moves with it to the new redistributor. */
static int cmd_movi(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint64_t ite_pa, ite;
    int err = its_ite_lookup(its, dev, ev, &ite_pa, &ite, &c->acc);
    if (err != NO_ERR)
        return err;
    if (ite & ITE_VIRTUAL)
        return GICSIM_ITS_ERR_WRONG_ITE_TYPE;
    uint32_t old_pe, new_pe;
    err = its_collection_lookup(its, (ite >> ITE_ID_SHIFT) & 0xFFFFu, &old_pe, &c->acc);
    if (err != NO_ERR)
        return err;
    err = its_collection_lookup(its, f_icid(c), &new_pe, &c->acc);
    if (err != NO_ERR)
        return err;
    uint32_t intid = (uint32_t)(ite & ITE_INTID_MASK);
    its_table_write64(its, ite_pa, its_ite_value(false, f_icid(c), intid, GICSIM_ITS_NO_DOORBELL),
                      &c->acc);
    its_cache_invalidate(its, INVAL_EVENT, dev, ev);
    if (old_pe != new_pe)
        its_stage(its,
                  (its_msg){.kind = MSG_LPI_MOVE, .pe = old_pe, .pe2 = new_pe, .intid = intid});
    return NO_ERR;
}

/* MOVALL: DW2 RDbase1, DW3 RDbase2: every pending LPI of RDbase1 moves. */
static int cmd_movall(gic_its *its, cmd_ctx *c)
{
    uint64_t rd1 = f_rdbase(c->dw[2]), rd2 = f_rdbase(c->dw[3]);
    if (rd1 >= its->g->cfg.num_pes || rd2 >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    if (rd1 != rd2)
        its_stage(its,
                  (its_msg){.kind = MSG_LPI_MOVE_ALL, .pe = (uint32_t)rd1, .pe2 = (uint32_t)rd2});
    return NO_ERR;
}

/* INT, CLEAR, INV on a physical or (GICv4) virtual ITE. */
static int cmd_int_clear_inv(gic_its *its, cmd_ctx *c)
{
    its_xlat x;
    int err = cmd_translate(its, c, &x);
    if (err != NO_ERR)
        return err;
    if (c->op == GICSIM_ITS_CMD_INT) {
        its_stage_set(its, &x);
    } else if (c->op == GICSIM_ITS_CMD_CLEAR) {
        its_stage_simple(its, &x, MSG_LPI_CLEAR, MSG_VLPI_CLEAR);
    } else {
        its_stage_simple(its, &x, MSG_LPI_INV, MSG_VLPI_INV);
        its_cache_invalidate(its, INVAL_EVENT, f_devid(c), f_eventid(c));
    }
    return NO_ERR;
}

/* DISCARD: the ITE becomes invalid and a pending interrupt is cleared (when
 * its collection or vPE is still mapped). */
static int cmd_discard(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint64_t ite_pa, ite;
    int err = its_ite_lookup(its, dev, ev, &ite_pa, &ite, &c->acc);
    if (err != NO_ERR)
        return err;
    its_xlat x = {.virt = (ite & ITE_VIRTUAL) != 0,
                  .id = (uint16_t)(ite >> ITE_ID_SHIFT),
                  .intid = (uint32_t)(ite & ITE_INTID_MASK)};
    bool mapped;
    if (x.virt) {
        vpe_entry v;
        mapped = its_vpe_lookup(its, x.id, &v, &c->acc) == NO_ERR;
        x.pe = v.pe;
        x.vpt = v.vpt;
    } else {
        mapped = its_collection_lookup(its, x.id, &x.pe, &c->acc) == NO_ERR;
    }
    if (mapped)
        its_stage_simple(its, &x, MSG_LPI_CLEAR, MSG_VLPI_CLEAR);
    its_table_write64(its, ite_pa, 0, &c->acc);
    its_cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* INVALL: DW2 ICID: the collection's redistributor reloads every LPI's
 * configuration. */
static int cmd_invall(gic_its *its, cmd_ctx *c)
{
    uint32_t pe;
    int err = its_collection_lookup(its, f_icid(c), &pe, &c->acc);
    if (err != NO_ERR)
        return err;
    its_stage(its, (its_msg){.kind = MSG_LPI_INVALL, .pe = pe});
    its_cache_invalidate(its, INVAL_ICID, f_icid(c), 0);
    return NO_ERR;
}

/* SYNC: DW2 RDbase: complete once every earlier effect on that redistributor
 * has arrived. */
static int cmd_sync(gic_its *its, cmd_ctx *c)
{
    uint64_t rd = f_rdbase(c->dw[2]);
    if (rd >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    c->wait_until = its->rd_last[rd];
    return NO_ERR;
}

/* VMAPP: DW1 vPEID[47:32]; DW2 RDbase[51:16], V[63]; DW3 VPT_addr[51:16],
 * VPT_size[4:0]. GICv4.1 adds DW0 VCONF_Addr[51:16] and DW1 default
 * doorbell[31:0] (Alloc/PTZ are accepted and need no action: the model's
 * tables start zeroed). */
static int cmd_vmapp(gic_its *its, cmd_ctx *c)
{
    uint16_t vpeid = f_vpeid(c);
    bool valid = (c->dw[2] >> 63) != 0;
    uint64_t rd = f_rdbase(c->dw[2]);
    uint32_t size = (uint32_t)(c->dw[3] & 0x1Fu);
    uint64_t pa;
    int err = its_vpe_locate(its, vpeid, &pa, &c->acc);
    if (err != NO_ERR)
        return err == GICSIM_ITS_ERR_UNMAPPED_VPE ? GICSIM_ITS_ERR_VPEID_OOR : err;
    vpe_entry nv = {.valid = valid,
                    .pe = (uint32_t)rd,
                    .vpt_bits_m1 = size,
                    .vpt = c->dw[3] & 0x000FFFFFFFFF0000ull,
                    .vconf = is_v41(its) ? c->dw[0] & 0x000FFFFFFFFF0000ull : 0,
                    .doorbell = is_v41(its) ? (uint32_t)c->dw[1] : GICSIM_ITS_NO_DOORBELL};
    if (valid) {
        if (rd >= its->g->cfg.num_pes)
            return GICSIM_ITS_ERR_PROCNUM_OOR;
        if (size + 1u > its->g->cfg.lpi_id_bits)
            return GICSIM_ITS_ERR_VPTSIZE_OOR;
        if (!its_doorbell_valid(its, nv.doorbell))
            return GICSIM_ITS_ERR_PHYSICALID_OOR;
    } else {
        nv = (vpe_entry){.doorbell = GICSIM_ITS_NO_DOORBELL};
    }
    vpe_entry old;
    its_vpe_read(its, pa, &old, &c->acc);
    its_vpe_write(its, pa, &nv, &c->acc);
    its_cache_invalidate(its, INVAL_VPE, vpeid, 0);
    if (is_v41(its)) {
        /* GICv4.1: the redistributor owns the vPE's doorbell. */
        if (old.valid && old.pe < its->g->cfg.num_pes)
            its_stage(its, (its_msg){.kind = MSG_VPE_DOORBELL,
                                     .pe = old.pe,
                                     .vpt = old.vpt,
                                     .doorbell = GICSIM_ITS_NO_DOORBELL});
        if (valid)
            its_stage(its, (its_msg){.kind = MSG_VPE_DOORBELL,
                                     .pe = nv.pe,
                                     .vpt = nv.vpt,
                                     .doorbell = nv.doorbell});
    }
    return NO_ERR;
}

/* VMAPTI: DW1 vPEID[47:32]; DW2 vINTID[31:0], Dbell_pINTID[63:32].
 * VMAPI: vINTID = EventID. With GICv4.1 (GITS_TYPER.nID=1) Dbell_pINTID is
 * RES0: the vPE's default doorbell applies. */
static int cmd_vmapti(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint16_t vpeid = f_vpeid(c);
    uint32_t vintid = c->op == GICSIM_ITS_CMD_VMAPI ? ev : (uint32_t)c->dw[2];
    uint32_t db = is_v41(its) ? GICSIM_ITS_NO_DOORBELL : (uint32_t)(c->dw[2] >> 32);
    uint64_t itt;
    uint32_t size;
    int err = its_device_lookup(its, dev, &itt, &size, &c->acc);
    if (err != NO_ERR)
        return err;
    if (ev >= (2ull << size))
        return GICSIM_ITS_ERR_ID_OOR;
    its_table t;
    its_table_decode(its, GICSIM_GITS_BASER_VPES_INDEX, &t);
    if (!its_table_in_range(&t, vpeid))
        return GICSIM_ITS_ERR_VPEID_OOR;
    if (!its_vintid_valid(its, vintid))
        return GICSIM_ITS_ERR_VIRTUALID_OOR;
    if (!its_doorbell_valid(its, db))
        return GICSIM_ITS_ERR_PHYSICALID_OOR;
    its_table_write64(its, itt + (uint64_t)ev * ITE_SIZE, its_ite_value(true, vpeid, vintid, db),
                      &c->acc);
    its_cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* VMOVI: DW1 vPEID[47:32]; DW2 D[0], Dbell_pINTID[63:32]: the vLPI of
 * (dev, ev) now belongs to vPE vPEID (D=0: no doorbell). Its pending state
 * stays in the old vPE's VPT: software moves vLPIs between vPEs of one VM,
 * and gicsim does not transfer it (see docs/its.md). */
static int cmd_vmovi(gic_its *its, cmd_ctx *c)
{
    uint32_t dev = f_devid(c), ev = f_eventid(c);
    uint16_t vpeid = f_vpeid(c);
    uint32_t db = GICSIM_ITS_NO_DOORBELL;
    if (!is_v41(its) && (c->dw[2] & 1u))
        db = (uint32_t)(c->dw[2] >> 32);
    uint64_t ite_pa, ite;
    int err = its_ite_lookup(its, dev, ev, &ite_pa, &ite, &c->acc);
    if (err != NO_ERR)
        return err;
    if (!(ite & ITE_VIRTUAL))
        return GICSIM_ITS_ERR_WRONG_ITE_TYPE;
    vpe_entry v;
    err = its_vpe_lookup(its, vpeid, &v, &c->acc);
    if (err != NO_ERR)
        return err;
    if (!its_doorbell_valid(its, db))
        return GICSIM_ITS_ERR_PHYSICALID_OOR;
    its_table_write64(its, ite_pa, its_ite_value(true, vpeid, (uint32_t)(ite & ITE_INTID_MASK), db),
                      &c->acc);
    its_cache_invalidate(its, INVAL_EVENT, dev, ev);
    return NO_ERR;
}

/* VMOVP: DW1 vPEID[47:32]; DW2 RDbase[51:16]. SeqNum/ITSList (DW0, DW1[15:0])
 * are ignored: one ITS (GITS_TYPER.VMOVP=1). GICv4.1: DW2 DB[63] with DW3
 * default doorbell[31:0] replaces the vPE's doorbell; the doorbell moves with
 * the vPE. */
static int cmd_vmovp(gic_its *its, cmd_ctx *c)
{
    uint16_t vpeid = f_vpeid(c);
    uint64_t rd = f_rdbase(c->dw[2]);
    uint64_t pa;
    int err = its_vpe_locate(its, vpeid, &pa, &c->acc);
    if (err != NO_ERR)
        return err;
    vpe_entry v;
    its_vpe_read(its, pa, &v, &c->acc);
    if (!v.valid || v.pe >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_UNMAPPED_VPE;
    if (rd >= its->g->cfg.num_pes)
        return GICSIM_ITS_ERR_PROCNUM_OOR;
    uint32_t old_pe = v.pe;
    if (is_v41(its) && (c->dw[2] >> 63)) {
        if (!its_doorbell_valid(its, (uint32_t)c->dw[3]))
            return GICSIM_ITS_ERR_PHYSICALID_OOR;
        v.doorbell = (uint32_t)c->dw[3];
    }
    v.pe = (uint32_t)rd;
    its_vpe_write(its, pa, &v, &c->acc);
    its_cache_invalidate(its, INVAL_VPE, vpeid, 0);
    if (is_v41(its)) {
        its_stage(its, (its_msg){.kind = MSG_VPE_DOORBELL,
                                 .pe = old_pe,
                                 .vpt = v.vpt,
                                 .doorbell = GICSIM_ITS_NO_DOORBELL});
        its_stage(
            its,
            (its_msg){.kind = MSG_VPE_DOORBELL, .pe = v.pe, .vpt = v.vpt, .doorbell = v.doorbell});
    }
    return NO_ERR;
}

/* VSYNC, VINVALL, INVDB (DW1 vPEID[47:32]) and VSGI (GICv4.1: DW0
 * Enable[8], Clear[9], Group[10], Priority[23:20], vINTID[35:32]). */
static int cmd_vpe_op(gic_its *its, cmd_ctx *c)
{
    vpe_entry v;
    int err = its_vpe_lookup(its, f_vpeid(c), &v, &c->acc);
    if (err != NO_ERR)
        return err;
    switch (c->op) {
    case GICSIM_ITS_CMD_VSYNC:
        c->wait_until = its->rd_last[v.pe];
        break;
    case GICSIM_ITS_CMD_VINVALL:
        its_stage(its, (its_msg){.kind = MSG_VLPI_INVALL, .pe = v.pe, .vpt = v.vpt});
        its_cache_invalidate(its, INVAL_VPE, f_vpeid(c), 0);
        break;
    case GICSIM_ITS_CMD_INVDB:
        its_stage(
            its,
            (its_msg){.kind = MSG_VPE_DOORBELL, .pe = v.pe, .vpt = v.vpt, .doorbell = v.doorbell});
        break;
    default: { /* VSGI */
        uint32_t vintid = (uint32_t)(c->dw[0] >> 32) & 0xFu;
        its_stage(its, (its_msg){.kind = MSG_VSGI_CONFIG,
                                 .pe = v.pe,
                                 .vpt = v.vpt,
                                 .intid = vintid,
                                 .prio = (uint8_t)(((c->dw[0] >> 20) & 0xFu) << 4),
                                 .group1 = (c->dw[0] >> 10) & 1u,
                                 .enable = (c->dw[0] >> 8) & 1u});
        if ((c->dw[0] >> 9) & 1u)
            its_stage(its,
                      (its_msg){.kind = MSG_VSGI_CLEAR, .pe = v.pe, .vpt = v.vpt, .intid = vintid});
        break;
    }
    }
    return NO_ERR;
}

int its_run_command(gic_its *its, cmd_ctx *c)
{
    bool v4 = is_v4(its), v41 = is_v41(its);
    switch (c->op) {
    case GICSIM_ITS_CMD_MAPD:
        return cmd_mapd(its, c);
    case GICSIM_ITS_CMD_MAPC:
        return cmd_mapc(its, c);
    case GICSIM_ITS_CMD_MAPTI:
    case GICSIM_ITS_CMD_MAPI:
        return cmd_mapti(its, c);
    case GICSIM_ITS_CMD_MOVI:
        return cmd_movi(its, c);
    case GICSIM_ITS_CMD_MOVALL:
        return cmd_movall(its, c);
    case GICSIM_ITS_CMD_INT:
    case GICSIM_ITS_CMD_CLEAR:
    case GICSIM_ITS_CMD_INV:
        return cmd_int_clear_inv(its, c);
    case GICSIM_ITS_CMD_DISCARD:
        return cmd_discard(its, c);
    case GICSIM_ITS_CMD_INVALL:
        return cmd_invall(its, c);
    case GICSIM_ITS_CMD_SYNC:
        return cmd_sync(its, c);
    case GICSIM_ITS_CMD_VMAPP:
        return v4 ? cmd_vmapp(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VMAPTI:
    case GICSIM_ITS_CMD_VMAPI:
        return v4 ? cmd_vmapti(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VMOVI:
        return v4 ? cmd_vmovi(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VMOVP:
        return v4 ? cmd_vmovp(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VSYNC:
    case GICSIM_ITS_CMD_VINVALL:
        return v4 ? cmd_vpe_op(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    case GICSIM_ITS_CMD_VSGI:
    case GICSIM_ITS_CMD_INVDB:
        return v41 ? cmd_vpe_op(its, c) : GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    default:
        return GICSIM_ITS_ERR_UNKNOWN_COMMAND;
    }
}

uint32_t gicsim_its_error_code(gicsim_its_error kind, uint8_t opcode)
{
    static const uint8_t ee[GICSIM_ITS_ERR__COUNT] = {
        [GICSIM_ITS_ERR_DEVICE_OOR] = 0x01,
        [GICSIM_ITS_ERR_ITTSIZE_OOR] = 0x02,
        [GICSIM_ITS_ERR_COLLECTION_OOR] = 0x03,
        [GICSIM_ITS_ERR_UNMAPPED_DEVICE] = 0x04,
        [GICSIM_ITS_ERR_ID_OOR] = 0x05,
        [GICSIM_ITS_ERR_PHYSICALID_OOR] = 0x06,
        [GICSIM_ITS_ERR_UNMAPPED_INTERRUPT] = 0x07,
        [GICSIM_ITS_ERR_UNMAPPED_COLLECTION] = 0x09,
        [GICSIM_ITS_ERR_PROCNUM_OOR] = 0x02,
        [GICSIM_ITS_ERR_VPEID_OOR] = 0x11,
        [GICSIM_ITS_ERR_VPTSIZE_OOR] = 0x12,
        [GICSIM_ITS_ERR_VIRTUALID_OOR] = 0x13,
        [GICSIM_ITS_ERR_UNMAPPED_VPE] = 0x14,
        [GICSIM_ITS_ERR_WRONG_ITE_TYPE] = 0x15,
        [GICSIM_ITS_ERR_UNKNOWN_COMMAND] = 0xFF,
    };
    if ((unsigned)kind >= GICSIM_ITS_ERR__COUNT)
        return 0;
    uint32_t e = ee[kind];
    /* MOVALL's RDbase error is 0x01 (MOVALL_PROCNUM_OOR, 0x010E01). */
    if (kind == GICSIM_ITS_ERR_PROCNUM_OOR && opcode == GICSIM_ITS_CMD_MOVALL)
        e = 0x01;
    return 0x010000u | ((uint32_t)opcode << 8) | e;
}

const char *gicsim_its_error_name(gicsim_its_error kind)
{
    static const char *const names[GICSIM_ITS_ERR__COUNT] = {
        [GICSIM_ITS_ERR_DEVICE_OOR] = "device_oor",
        [GICSIM_ITS_ERR_ITTSIZE_OOR] = "ittsize_oor",
        [GICSIM_ITS_ERR_COLLECTION_OOR] = "collection_oor",
        [GICSIM_ITS_ERR_UNMAPPED_DEVICE] = "unmapped_device",
        [GICSIM_ITS_ERR_ID_OOR] = "id_oor",
        [GICSIM_ITS_ERR_PHYSICALID_OOR] = "physicalid_oor",
        [GICSIM_ITS_ERR_UNMAPPED_INTERRUPT] = "unmapped_interrupt",
        [GICSIM_ITS_ERR_UNMAPPED_COLLECTION] = "unmapped_collection",
        [GICSIM_ITS_ERR_PROCNUM_OOR] = "procnum_oor",
        [GICSIM_ITS_ERR_VPEID_OOR] = "vpeid_oor",
        [GICSIM_ITS_ERR_VPTSIZE_OOR] = "vptsize_oor",
        [GICSIM_ITS_ERR_VIRTUALID_OOR] = "virtualid_oor",
        [GICSIM_ITS_ERR_UNMAPPED_VPE] = "unmapped_vpe",
        [GICSIM_ITS_ERR_WRONG_ITE_TYPE] = "wrong_ite_type",
        [GICSIM_ITS_ERR_UNKNOWN_COMMAND] = "unknown_command",
    };
    return (unsigned)kind < GICSIM_ITS_ERR__COUNT ? names[kind] : NULL;
}

/* ---- Command builders (field layouts: architecture 5.3, as above) -------------------- */

static gicsim_its_cmd cmd0(uint8_t op)
{
    return (gicsim_its_cmd){{op, 0, 0, 0}};
}

static uint64_t rdbase_field(uint32_t pe)
{
    return ((uint64_t)pe & 0xFFFFFFFFFull) << 16;
}

static gicsim_its_cmd dev_ev(uint8_t op, uint32_t dev, uint32_t ev)
{
    gicsim_its_cmd c = cmd0(op);
    c.dw[0] |= (uint64_t)dev << 32;
    c.dw[1] = ev;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapd(uint32_t device_id, uint64_t itt_addr, unsigned event_bits,
                                   bool valid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_MAPD);
    c.dw[0] |= (uint64_t)device_id << 32;
    c.dw[1] = event_bits ? (event_bits - 1u) & 0x1Fu : 0;
    c.dw[2] = (itt_addr & DTE_ITT_MASK) | (valid ? 1ull << 63 : 0);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapc(uint16_t icid, uint32_t rdbase, bool valid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_MAPC);
    c.dw[2] = icid | rdbase_field(rdbase) | (valid ? 1ull << 63 : 0);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapti(uint32_t device_id, uint32_t event_id, uint32_t pintid,
                                    uint16_t icid)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_MAPTI, device_id, event_id);
    c.dw[1] |= (uint64_t)pintid << 32;
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_mapi(uint32_t device_id, uint32_t event_id, uint16_t icid)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_MAPI, device_id, event_id);
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_movi(uint32_t device_id, uint32_t event_id, uint16_t icid)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_MOVI, device_id, event_id);
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_movall(uint32_t rdbase1, uint32_t rdbase2)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_MOVALL);
    c.dw[2] = rdbase_field(rdbase1);
    c.dw[3] = rdbase_field(rdbase2);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_int(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_INT, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_clear(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_CLEAR, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_discard(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_DISCARD, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_inv(uint32_t device_id, uint32_t event_id)
{
    return dev_ev(GICSIM_ITS_CMD_INV, device_id, event_id);
}

gicsim_its_cmd gicsim_its_cmd_invall(uint16_t icid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_INVALL);
    c.dw[2] = icid;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_sync(uint32_t rdbase)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_SYNC);
    c.dw[2] = rdbase_field(rdbase);
    return c;
}

static uint64_t vpeid_field(uint16_t vpeid)
{
    return (uint64_t)vpeid << 32;
}

gicsim_its_cmd gicsim_its_cmd_vmapp(uint16_t vpeid, uint32_t rdbase, uint64_t vpt_addr,
                                    unsigned vpt_bits, bool valid)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_VMAPP);
    c.dw[1] = vpeid_field(vpeid);
    c.dw[2] = rdbase_field(rdbase) | (valid ? 1ull << 63 : 0);
    c.dw[3] = (vpt_addr & 0x000FFFFFFFFF0000ull) | (vpt_bits ? (vpt_bits - 1u) & 0x1Fu : 0);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmapp41(uint16_t vpeid, uint32_t rdbase, uint64_t vpt_addr,
                                      unsigned vpt_bits, uint64_t vconf_addr,
                                      uint32_t default_doorbell, bool valid)
{
    gicsim_its_cmd c = gicsim_its_cmd_vmapp(vpeid, rdbase, vpt_addr, vpt_bits, valid);
    c.dw[0] |= vconf_addr & 0x000FFFFFFFFF0000ull;
    c.dw[1] |= default_doorbell;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmapti(uint32_t device_id, uint32_t event_id, uint16_t vpeid,
                                     uint32_t vintid, uint32_t doorbell)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_VMAPTI, device_id, event_id);
    c.dw[1] |= vpeid_field(vpeid);
    c.dw[2] = vintid | (uint64_t)doorbell << 32;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmapi(uint32_t device_id, uint32_t event_id, uint16_t vpeid,
                                    uint32_t doorbell)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_VMAPI, device_id, event_id);
    c.dw[1] |= vpeid_field(vpeid);
    c.dw[2] = (uint64_t)doorbell << 32;
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmovi(uint32_t device_id, uint32_t event_id, uint16_t vpeid,
                                    uint32_t doorbell)
{
    gicsim_its_cmd c = dev_ev(GICSIM_ITS_CMD_VMOVI, device_id, event_id);
    c.dw[1] |= vpeid_field(vpeid);
    c.dw[2] = (uint64_t)doorbell << 32 | (doorbell != GICSIM_ITS_NO_DOORBELL ? 1u : 0u);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vmovp(uint16_t vpeid, uint32_t rdbase)
{
    gicsim_its_cmd c = cmd0(GICSIM_ITS_CMD_VMOVP);
    c.dw[1] = vpeid_field(vpeid);
    c.dw[2] = rdbase_field(rdbase);
    return c;
}

static gicsim_its_cmd vpe_cmd(uint8_t op, uint16_t vpeid)
{
    gicsim_its_cmd c = cmd0(op);
    c.dw[1] = vpeid_field(vpeid);
    return c;
}

gicsim_its_cmd gicsim_its_cmd_vsync(uint16_t vpeid)
{
    return vpe_cmd(GICSIM_ITS_CMD_VSYNC, vpeid);
}

gicsim_its_cmd gicsim_its_cmd_vinvall(uint16_t vpeid)
{
    return vpe_cmd(GICSIM_ITS_CMD_VINVALL, vpeid);
}

gicsim_its_cmd gicsim_its_cmd_invdb(uint16_t vpeid)
{
    return vpe_cmd(GICSIM_ITS_CMD_INVDB, vpeid);
}

gicsim_its_cmd gicsim_its_cmd_vsgi(uint16_t vpeid, uint32_t vintid, uint8_t priority, bool group1,
                                   bool enable, bool clear)
{
    gicsim_its_cmd c = vpe_cmd(GICSIM_ITS_CMD_VSGI, vpeid);
    c.dw[0] |= (enable ? 1ull << 8 : 0) | (clear ? 1ull << 9 : 0) | (group1 ? 1ull << 10 : 0) |
               ((uint64_t)(priority >> 4) << 20) | ((uint64_t)(vintid & 0xFu) << 32);
    return c;
}