/* gicsim: conformance-script steps for the ITS (script_internal.h,
 * docs/its.md): GITS_* register reads and writes (gits_read, gits_write),
 * every ITS command by name with its fields (its_mapd ... its_invdb, and
 * its_raw for any 32 bytes), each queued at GITS_CWRITER as a driver does
 * (gicsim_its_submit), waiting until GITS_CREADR reaches GITS_CWRITER
 * (its_wait), a device's MSI (msi) and the ITS's statistics
 * (expect_its_stat). */
#include "script_internal.h"

#include <stdio.h>
#include <string.h>

/* Each step here needs an ITS, unless it expects the error. */
static gicsim_status need_its(const yt_node *v, const char *path, const gicsim_script *sc,
                              const step *s, gicsim_diag *d)
{
    if (sc->gic.its || s->status == GICSIM_E_UNSUPPORTED)
        return GICSIM_OK;
    return yt_diag(d, GICSIM_E_INVAL, v->file, v->line, v->col, path,
                   "the script's GIC has no ITS (gic.its: false): the step fails unless it "
                   "expects it (status: unsupported)");
}

/* ---- GITS_* registers --------------------------------------------------------------------- */

static const script_reg gits_regs[] = {
    {"CTLR", GICSIM_GITS_CTLR, 4},       {"IIDR", GICSIM_GITS_IIDR, 4},
    {"TYPER", GICSIM_GITS_TYPER, 8},     {"CBASER", GICSIM_GITS_CBASER, 8},
    {"CWRITER", GICSIM_GITS_CWRITER, 8}, {"CREADR", GICSIM_GITS_CREADR, 8},
    {"BASER0", GICSIM_GITS_BASER(0), 8}, {"BASER1", GICSIM_GITS_BASER(1), 8},
    {"BASER2", GICSIM_GITS_BASER(2), 8}, {"BASER3", GICSIM_GITS_BASER(3), 8},
    {"BASER4", GICSIM_GITS_BASER(4), 8}, {"BASER5", GICSIM_GITS_BASER(5), 8},
    {"BASER6", GICSIM_GITS_BASER(6), 8}, {"BASER7", GICSIM_GITS_BASER(7), 8},
    {"PIDR2", GICSIM_GITS_PIDR2, 4},     {"TRANSLATER", GICSIM_GITS_TRANSLATER, 4},
    {"SGIR", GICSIM_GITS_SGIR, 8},
};
#define N_GITS_REGS (sizeof gits_regs / sizeof gits_regs[0])

static gicsim_status parse_gits(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    unsigned def;
    TRY(script_reg_offset(v, path, "GITS_", gits_regs, N_GITS_REGS,
                          "CTLR, IIDR, TYPER, CBASER, CWRITER, CREADR, BASER0..BASER7, PIDR2, "
                          "TRANSLATER, SGIR",
                          &s->offset, &def, d));
    TRY(script_size(v, path, def, &s->size, d));
    if (!strcmp(k->name, "gits_read"))
        TRY(script_expect_parse(v, path, UINT64_MAX, &s->ex, d));
    else
        TRY(script_u64(v, path, "value", true, 0, UINT64_MAX, &s->value, NULL, d));
    TRY(script_status(v, path, s, d));
    return need_its(v, path, sc, s, d);
}

static bool exec_gits(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    const bool rd = !strcmp(k->name, "gits_read");
    uint64_t val = 0;
    snprintf(what, wsize, "%s offset 0x%x size %u", k->name, (unsigned)s->offset, s->size);
    gicsim_status st = rd ? gicsim_its_read(r->gic, s->offset, s->size, &val)
                          : gicsim_its_write(r->gic, s->offset, s->size, s->value);
    if (!script_status_check(s, st, msg, msize))
        return false;
    return !rd || st != GICSIM_OK || script_expect_check(&s->ex, val, true, msg, msize);
}

/* ---- Commands ----------------------------------------------------------------------------- */

/* The fields of the commands, in the order a step's description lists them. */
enum {
    F_DEVICE,
    F_EVENT,
    F_INTID,
    F_ICID,
    F_RDBASE,
    F_RDBASE2,
    F_ITT,
    F_BITS,
    F_VPE,
    F_VINTID,
    F_DOORBELL,
    F_VPT,
    F_VPT_BITS,
    F_VCONF,
    F_DEFAULT_DOORBELL,
    F_PRIORITY,
    F_VALID,
    F_GROUP1,
    F_ENABLE,
    F_CLEAR,
    F__COUNT
};

#define PA_MAX 0x000FFFFFFFFFFFFFull /* 52-bit physical addresses */

static const struct {
    const char *key;
    uint64_t min, max;
    bool boolean, hex;
} fields[F__COUNT] = {
    [F_DEVICE] = {"device", 0, UINT32_MAX, false, false},
    [F_EVENT] = {"event", 0, UINT32_MAX, false, false},
    [F_INTID] = {"intid", 0, UINT32_MAX, false, false},
    [F_ICID] = {"icid", 0, 0xFFFF, false, false},
    [F_RDBASE] = {"rdbase", 0, UINT32_MAX, false, false},
    [F_RDBASE2] = {"rdbase2", 0, UINT32_MAX, false, false},
    [F_ITT] = {"itt", 0, PA_MAX, false, true},
    [F_BITS] = {"bits", 1, 32, false, false},
    [F_VPE] = {"vpe", 0, 0xFFFF, false, false},
    [F_VINTID] = {"vintid", 0, UINT32_MAX, false, false},
    [F_DOORBELL] = {"doorbell", 0, UINT32_MAX, false, false},
    [F_VPT] = {"vpt", 0, PA_MAX, false, true},
    [F_VPT_BITS] = {"vpt_bits", 1, 32, false, false},
    [F_VCONF] = {"vconf", 0, PA_MAX, false, true},
    [F_DEFAULT_DOORBELL] = {"default_doorbell", 0, UINT32_MAX, false, false},
    [F_PRIORITY] = {"priority", 0, 0xFF, false, true},
    [F_VALID] = {"valid", 0, 1, true, false},
    [F_GROUP1] = {"group1", 0, 1, true, false},
    [F_ENABLE] = {"enable", 0, 1, true, false},
    [F_CLEAR] = {"clear", 0, 1, true, false},
};

#define REQ UINT64_MAX /* a field's "default": required */
#define NODB GICSIM_ITS_NO_DOORBELL
#define MAX_FIELDS 8

typedef struct cmd_field {
    uint8_t f;
    uint64_t def;
} cmd_field;

/* One command: its step name, opcode and fields (with their defaults). */
typedef struct its_cmd_row {
    const char *name;
    uint8_t op;
    cmd_field fields[MAX_FIELDS];
    uint8_t n_fields;
} its_cmd_row;

#define ROW(nm, op, ...)                                                                           \
    {                                                                                              \
        nm, GICSIM_ITS_CMD_##op, {__VA_ARGS__},                                                    \
            (uint8_t)(sizeof((cmd_field[]){__VA_ARGS__}) / sizeof(cmd_field))                      \
    }

static const its_cmd_row cmd_rows[] = {
    ROW("its_mapd", MAPD, {F_DEVICE, REQ}, {F_ITT, 0}, {F_BITS, 1}, {F_VALID, 1}),
    ROW("its_mapc", MAPC, {F_ICID, REQ}, {F_RDBASE, REQ}, {F_VALID, 1}),
    ROW("its_mapti", MAPTI, {F_DEVICE, REQ}, {F_EVENT, REQ}, {F_INTID, REQ}, {F_ICID, REQ}),
    ROW("its_mapi", MAPI, {F_DEVICE, REQ}, {F_EVENT, REQ}, {F_ICID, REQ}),
    ROW("its_movi", MOVI, {F_DEVICE, REQ}, {F_EVENT, REQ}, {F_ICID, REQ}),
    ROW("its_movall", MOVALL, {F_RDBASE, REQ}, {F_RDBASE2, REQ}),
    ROW("its_int", INT, {F_DEVICE, REQ}, {F_EVENT, REQ}),
    ROW("its_clear", CLEAR, {F_DEVICE, REQ}, {F_EVENT, REQ}),
    ROW("its_discard", DISCARD, {F_DEVICE, REQ}, {F_EVENT, REQ}),
    ROW("its_inv", INV, {F_DEVICE, REQ}, {F_EVENT, REQ}),
    ROW("its_invall", INVALL, {F_ICID, REQ}),
    ROW("its_sync", SYNC, {F_RDBASE, REQ}),
    ROW("its_vmapp", VMAPP, {F_VPE, REQ}, {F_RDBASE, REQ}, {F_VPT, 0}, {F_VPT_BITS, 16},
        {F_VCONF, 0}, {F_DEFAULT_DOORBELL, NODB}, {F_VALID, 1}),
    ROW("its_vmapti", VMAPTI, {F_DEVICE, REQ}, {F_EVENT, REQ}, {F_VPE, REQ}, {F_VINTID, REQ},
        {F_DOORBELL, NODB}),
    ROW("its_vmapi", VMAPI, {F_DEVICE, REQ}, {F_EVENT, REQ}, {F_VPE, REQ}, {F_DOORBELL, NODB}),
    ROW("its_vmovi", VMOVI, {F_DEVICE, REQ}, {F_EVENT, REQ}, {F_VPE, REQ}, {F_DOORBELL, NODB}),
    ROW("its_vmovp", VMOVP, {F_VPE, REQ}, {F_RDBASE, REQ}),
    ROW("its_vsync", VSYNC, {F_VPE, REQ}),
    ROW("its_vinvall", VINVALL, {F_VPE, REQ}),
    ROW("its_vsgi", VSGI, {F_VPE, REQ}, {F_VINTID, REQ}, {F_PRIORITY, 0}, {F_GROUP1, 1},
        {F_ENABLE, 1}, {F_CLEAR, 0}),
    ROW("its_invdb", INVDB, {F_VPE, REQ}),
};
#undef ROW
#define N_CMD_ROWS (sizeof cmd_rows / sizeof cmd_rows[0])

static const its_cmd_row *cmd_row(const step_kind *k)
{
    for (size_t i = 0; i < N_CMD_ROWS; i++)
        if (!strcmp(cmd_rows[i].name, k->name))
            return &cmd_rows[i];
    return NULL;
}

/* The command from its fields; VMAPP takes the GICv4.1 form when the step
 * names either of its v4.1 fields. */
static gicsim_its_cmd build(const its_cmd_row *row, const uint64_t *f, uint32_t given)
{
    switch (row->op) {
    case GICSIM_ITS_CMD_MAPD:
        return gicsim_its_cmd_mapd((uint32_t)f[F_DEVICE], f[F_ITT], (unsigned)f[F_BITS],
                                   f[F_VALID]);
    case GICSIM_ITS_CMD_MAPC:
        return gicsim_its_cmd_mapc((uint16_t)f[F_ICID], (uint32_t)f[F_RDBASE], f[F_VALID]);
    case GICSIM_ITS_CMD_MAPTI:
        return gicsim_its_cmd_mapti((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT],
                                    (uint32_t)f[F_INTID], (uint16_t)f[F_ICID]);
    case GICSIM_ITS_CMD_MAPI:
        return gicsim_its_cmd_mapi((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT],
                                   (uint16_t)f[F_ICID]);
    case GICSIM_ITS_CMD_MOVI:
        return gicsim_its_cmd_movi((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT],
                                   (uint16_t)f[F_ICID]);
    case GICSIM_ITS_CMD_MOVALL:
        return gicsim_its_cmd_movall((uint32_t)f[F_RDBASE], (uint32_t)f[F_RDBASE2]);
    case GICSIM_ITS_CMD_INT:
        return gicsim_its_cmd_int((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT]);
    case GICSIM_ITS_CMD_CLEAR:
        return gicsim_its_cmd_clear((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT]);
    case GICSIM_ITS_CMD_DISCARD:
        return gicsim_its_cmd_discard((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT]);
    case GICSIM_ITS_CMD_INV:
        return gicsim_its_cmd_inv((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT]);
    case GICSIM_ITS_CMD_INVALL:
        return gicsim_its_cmd_invall((uint16_t)f[F_ICID]);
    case GICSIM_ITS_CMD_SYNC:
        return gicsim_its_cmd_sync((uint32_t)f[F_RDBASE]);
    case GICSIM_ITS_CMD_VMAPP:
        if (given & ((1u << F_VCONF) | (1u << F_DEFAULT_DOORBELL)))
            return gicsim_its_cmd_vmapp41((uint16_t)f[F_VPE], (uint32_t)f[F_RDBASE], f[F_VPT],
                                          (unsigned)f[F_VPT_BITS], f[F_VCONF],
                                          (uint32_t)f[F_DEFAULT_DOORBELL], f[F_VALID]);
        return gicsim_its_cmd_vmapp((uint16_t)f[F_VPE], (uint32_t)f[F_RDBASE], f[F_VPT],
                                    (unsigned)f[F_VPT_BITS], f[F_VALID]);
    case GICSIM_ITS_CMD_VMAPTI:
        return gicsim_its_cmd_vmapti((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT],
                                     (uint16_t)f[F_VPE], (uint32_t)f[F_VINTID],
                                     (uint32_t)f[F_DOORBELL]);
    case GICSIM_ITS_CMD_VMAPI:
        return gicsim_its_cmd_vmapi((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT], (uint16_t)f[F_VPE],
                                    (uint32_t)f[F_DOORBELL]);
    case GICSIM_ITS_CMD_VMOVI:
        return gicsim_its_cmd_vmovi((uint32_t)f[F_DEVICE], (uint32_t)f[F_EVENT], (uint16_t)f[F_VPE],
                                    (uint32_t)f[F_DOORBELL]);
    case GICSIM_ITS_CMD_VMOVP:
        return gicsim_its_cmd_vmovp((uint16_t)f[F_VPE], (uint32_t)f[F_RDBASE]);
    case GICSIM_ITS_CMD_VSYNC:
        return gicsim_its_cmd_vsync((uint16_t)f[F_VPE]);
    case GICSIM_ITS_CMD_VINVALL:
        return gicsim_its_cmd_vinvall((uint16_t)f[F_VPE]);
    case GICSIM_ITS_CMD_VSGI:
        return gicsim_its_cmd_vsgi((uint16_t)f[F_VPE], (uint32_t)f[F_VINTID],
                                   (uint8_t)f[F_PRIORITY], f[F_GROUP1], f[F_ENABLE], f[F_CLEAR]);
    default:
        return gicsim_its_cmd_invdb((uint16_t)f[F_VPE]);
    }
}

/* A command step's mapping: the row's fields and `status` only. */
static gicsim_status check_cmd_keys(const its_cmd_row *row, const yt_node *v, const char *path,
                                    gicsim_diag *d)
{
    const char *keys[MAX_FIELDS + 2];
    size_t n = 0;
    for (size_t i = 0; i < row->n_fields; i++)
        keys[n++] = fields[row->fields[i].f].key;
    keys[n++] = "status";
    keys[n] = NULL;
    if (v->kind != YT_MAP && !yt_is_null(v))
        return yt_node_err(d, v, path, "expected a mapping of the command's fields, got %s",
                           yt_type_name(v));
    return yt_check_map(v, path, keys, d);
}

static gicsim_status parse_cmd(const step_kind *k, const yt_node *v, const char *path,
                               const gicsim_script *sc, step *s, gicsim_diag *d)
{
    const its_cmd_row *row = cmd_row(k);
    uint64_t f[F__COUNT] = {0};
    uint32_t given = 0;
    TRY(check_cmd_keys(row, v, path, d));
    for (size_t i = 0; i < row->n_fields; i++) {
        const cmd_field *cf = &row->fields[i];
        const yt_node *n = yt_map_get(v, fields[cf->f].key);
        char kp[256];
        if (!n) {
            if (cf->def == REQ)
                return script_req(v, path, fields[cf->f].key, &n, d);
            f[cf->f] = s->arg[i] = cf->def;
            continue;
        }
        given |= 1u << cf->f;
        yt_path(kp, sizeof kp, path, fields[cf->f].key);
        if (fields[cf->f].boolean) {
            bool b;
            TRY(script_bool(n, kp, &b, d));
            f[cf->f] = b;
        } else {
            TRY(yt_get_u64(n, kp, fields[cf->f].min, fields[cf->f].max, &f[cf->f], d));
        }
        s->arg[i] = f[cf->f];
    }
    s->cmd = build(row, f, given);
    s->value = given;
    TRY(script_status(v, path, s, d));
    return need_its(v, path, sc, s, d);
}

/* "its_mapti device 1 event 20 intid 8195 icid 3": the fields the step gave. */
static void describe_cmd(const its_cmd_row *row, const step *s, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%s", row->name);
    for (size_t i = 0; i < row->n_fields && len < size; i++) {
        unsigned fi = row->fields[i].f;
        if ((s->value >> fi) & 1u)
            len +=
                (size_t)snprintf(buf + len, size - len, fields[fi].hex ? " %s 0x%llx" : " %s %llu",
                                 fields[fi].key, (unsigned long long)s->arg[i]);
    }
}

static bool exec_cmd(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                     char *msg, size_t msize)
{
    describe_cmd(cmd_row(k), s, what, wsize);
    return script_status_check(s, gicsim_its_submit(r->gic, &s->cmd, 1), msg, msize);
}

/* its_raw: {dw: [DW0, DW1, DW2, DW3]}, any 32 bytes. */
static gicsim_status parse_raw(const step_kind *k, const yt_node *v, const char *path,
                               const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    const yt_node *n;
    char kp[256], ip[280];
    TRY(script_req(v, path, "dw", &n, d));
    yt_path(kp, sizeof kp, path, "dw");
    if (n->kind != YT_SEQ || n->n != 4)
        return yt_node_err(d, n, kp, "expected the command's 4 doublewords [DW0, DW1, DW2, DW3]");
    for (size_t i = 0; i < 4; i++) {
        yt_path_index(ip, sizeof ip, kp, i);
        TRY(yt_get_u64(n->items[i], ip, 0, UINT64_MAX, &s->cmd.dw[i], d));
    }
    TRY(script_status(v, path, s, d));
    return need_its(v, path, sc, s, d);
}

static bool exec_raw(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                     char *msg, size_t msize)
{
    (void)k;
    snprintf(what, wsize, "its_raw opcode 0x%02x", (unsigned)(s->cmd.dw[0] & 0xFFu));
    return script_status_check(s, gicsim_its_submit(r->gic, &s->cmd, 1), msg, msize);
}

/* ---- Waiting for the queue ------------------------------------------------------------------ */

#define WAIT_DEFAULT GICSIM_US(100)

static gicsim_status parse_wait(const step_kind *k, const yt_node *v, const char *path,
                                const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    s->time = WAIT_DEFAULT;
    TRY(yt_opt_time(v, path, "timeout", &s->time, NULL, d));
    TRY(script_status(v, path, s, d));
    return need_its(v, path, sc, s, d);
}

/* Run the engine event by event until GITS_CREADR reaches GITS_CWRITER (the
 * queue is empty: every command written has been served), as a driver
 * polls it; a failure if that takes longer than the timeout. */
static bool exec_wait(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                      char *msg, size_t msize)
{
    (void)k;
    char t[40];
    yt_format_time(s->time, t, sizeof t);
    snprintf(what, wsize, "its_wait timeout %s", t);
    uint64_t wr = 0, rd = 0;
    gicsim_status st = gicsim_its_read(r->gic, GICSIM_GITS_CWRITER, 8, &wr);
    if (st == GICSIM_OK)
        st = gicsim_its_read(r->gic, GICSIM_GITS_CREADR, 8, &rd);
    if (!script_status_check(s, st, msg, msize) || st != GICSIM_OK)
        return st == s->status;
    gicsim_time_t deadline = gicsim_engine_now(r->e) + s->time;
    while ((rd & GICSIM_GITS_CQ_OFFSET_MASK) != (wr & GICSIM_GITS_CQ_OFFSET_MASK)) {
        gicsim_time_t next = gicsim_engine_next_time(r->e);
        if (next == GICSIM_TIME_NEVER || next > deadline) {
            gicsim_engine_run_until(r->e, deadline);
            snprintf(msg, msize, "GITS_CREADR 0x%llx did not reach GITS_CWRITER 0x%llx",
                     (unsigned long long)(rd & GICSIM_GITS_CQ_OFFSET_MASK),
                     (unsigned long long)(wr & GICSIM_GITS_CQ_OFFSET_MASK));
            return false;
        }
        gicsim_engine_step(r->e);
        gicsim_its_read(r->gic, GICSIM_GITS_CREADR, 8, &rd);
    }
    return true;
}

/* ---- MSIs ------------------------------------------------------------------------------------ */

static gicsim_status parse_msi(const step_kind *k, const yt_node *v, const char *path,
                               const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    uint64_t u = 0;
    TRY(script_u64(v, path, "device", true, 0, UINT32_MAX, &u, NULL, d));
    s->device = (uint32_t)u;
    TRY(script_u64(v, path, "event", true, 0, UINT32_MAX, &u, NULL, d));
    s->event = (uint32_t)u;
    TRY(script_status(v, path, s, d));
    return need_its(v, path, sc, s, d);
}

static bool exec_msi(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                     char *msg, size_t msize)
{
    (void)k;
    snprintf(what, wsize, "msi device %u event %u", (unsigned)s->device, (unsigned)s->event);
    return script_status_check(s, gicsim_its_msi(r->gic, s->device, s->event), msg, msize);
}

/* ---- Statistics ------------------------------------------------------------------------------ */

#define ISTAT(f)                                                                                   \
    {                                                                                              \
#f, offsetof(gicsim_its_stats, f)                                                          \
    }
static const struct {
    const char *name;
    size_t off;
} its_stats[] = {
    ISTAT(commands),
    ISTAT(command_errors),
    ISTAT(translations),
    ISTAT(lpis),
    ISTAT(vlpis),
    ISTAT(dropped),
    ISTAT(dropped_disabled),
    ISTAT(vsgis),
    ISTAT(vsgis_dropped),
    ISTAT(cache_hits),
    ISTAT(cache_misses),
    ISTAT(cache_evictions),
    ISTAT(cache_invalidations),
    ISTAT(table_accesses),
    ISTAT(translation_queue_max),
    ISTAT(command_queue_max),
};
#undef ISTAT
#define N_ITS_STATS (sizeof its_stats / sizeof its_stats[0])
/* Indices past the counters above: last_error, then errors.<kind> (one per
 * gicsim_its_error), then commands.<name> (one per command row). */
#define STAT_LAST_ERROR N_ITS_STATS
#define STAT_ERRORS (STAT_LAST_ERROR + 1)
#define STAT_COMMANDS (STAT_ERRORS + GICSIM_ITS_ERR__COUNT)

static gicsim_status parse_its_stat(const step_kind *k, const yt_node *v, const char *path,
                                    const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    const yt_node *n;
    char kp[256];
    const char *name;
    TRY(script_req(v, path, "name", &n, d));
    yt_path(kp, sizeof kp, path, "name");
    TRY(yt_get_str(n, kp, &name, d));
    s->stat = SIZE_MAX;
    for (size_t i = 0; i < N_ITS_STATS; i++)
        if (!strcmp(its_stats[i].name, name))
            s->stat = i;
    if (!strcmp(name, "last_error"))
        s->stat = STAT_LAST_ERROR;
    for (unsigned e = 0; e < GICSIM_ITS_ERR__COUNT; e++)
        if (!strncmp(name, "errors.", 7) && !strcmp(name + 7, gicsim_its_error_name(e)))
            s->stat = STAT_ERRORS + e;
    for (size_t i = 0; i < N_CMD_ROWS; i++)
        if (!strncmp(name, "commands.", 9) && !strcmp(name + 9, cmd_rows[i].name + 4))
            s->stat = STAT_COMMANDS + i;
    if (s->stat == SIZE_MAX)
        return yt_node_err(d, n, kp,
                           "unknown ITS statistic \"%.60s\" (the counters of gicsim_its_stats, "
                           "e.g. command_errors, last_error, translations, errors.unmapped_device, "
                           "commands.mapti)",
                           name);
    TRY(script_expect_value(v, path, &s->ex, d));
    return need_its(v, path, sc, s, d);
}

static bool exec_its_stat(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                          char *msg, size_t msize)
{
    (void)k;
    gicsim_its_stats st;
    uint64_t got = 0;
    bool hex = false;
    if (s->stat < N_ITS_STATS) {
        snprintf(what, wsize, "expect_its_stat %s", its_stats[s->stat].name);
    } else if (s->stat == STAT_LAST_ERROR) {
        snprintf(what, wsize, "expect_its_stat last_error");
        hex = true;
    } else if (s->stat < STAT_COMMANDS) {
        snprintf(what, wsize, "expect_its_stat errors.%s",
                 gicsim_its_error_name((gicsim_its_error)(s->stat - STAT_ERRORS)));
    } else {
        snprintf(what, wsize, "expect_its_stat commands.%s",
                 cmd_rows[s->stat - STAT_COMMANDS].name + 4);
    }
    gicsim_status rs = gicsim_its_get_stats(r->gic, &st);
    if (rs != GICSIM_OK) {
        snprintf(msg, msize, "no ITS statistics: %s", gicsim_strerror(rs));
        return false;
    }
    if (s->stat < N_ITS_STATS)
        memcpy(&got, (const char *)&st + its_stats[s->stat].off, sizeof got);
    else if (s->stat == STAT_LAST_ERROR)
        got = st.last_error;
    else if (s->stat < STAT_COMMANDS)
        got = st.errors[s->stat - STAT_ERRORS];
    else
        got = st.commands_by_opcode[cmd_rows[s->stat - STAT_COMMANDS].op];
    return script_expect_check(&s->ex, got, hex, msg, msize);
}

/* ---- The table ----------------------------------------------------------------------------- */

static const char *const k_gits_w[] = {"offset", "value", "size", "status", NULL};
static const char *const k_gits_r[] = {"offset", "size",   "expect", "one_of",
                                       "mask",   "status", NULL};
static const char *const k_raw[] = {"dw", "status", NULL};
static const char *const k_wait[] = {"timeout", "status", NULL};
static const char *const k_msi[] = {"device", "event", "status", NULL};
static const char *const k_stat[] = {"name", "value", "one_of", NULL};

#define CMD(nm)                                                                                    \
    {                                                                                              \
        nm, NULL, parse_cmd, exec_cmd                                                              \
    }

const step_kind script_its_kinds[] = {
    {"gits_write", k_gits_w, parse_gits, exec_gits},
    {"gits_read", k_gits_r, parse_gits, exec_gits},
    CMD("its_mapd"),
    CMD("its_mapc"),
    CMD("its_mapti"),
    CMD("its_mapi"),
    CMD("its_movi"),
    CMD("its_movall"),
    CMD("its_int"),
    CMD("its_clear"),
    CMD("its_discard"),
    CMD("its_inv"),
    CMD("its_invall"),
    CMD("its_sync"),
    CMD("its_vmapp"),
    CMD("its_vmapti"),
    CMD("its_vmapi"),
    CMD("its_vmovi"),
    CMD("its_vmovp"),
    CMD("its_vsync"),
    CMD("its_vinvall"),
    CMD("its_vsgi"),
    CMD("its_invdb"),
    {"its_raw", k_raw, parse_raw, exec_raw},
    {"its_wait", k_wait, parse_wait, exec_wait},
    {"msi", k_msi, parse_msi, exec_msi},
    {"expect_its_stat", k_stat, parse_its_stat, exec_its_stat},
};
#undef CMD
const size_t script_its_kind_count = sizeof script_its_kinds / sizeof script_its_kinds[0];
