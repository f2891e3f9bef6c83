/* gicsim: the Interrupt Translation Service (GICv3/v4 ITS, IHI 0069 chapters 5
 * and 9; GITS_* registers in chapter 12): its service. Translation lives in
 * its_translate.c, the commands in its_cmd.c, what they share in
 * its_internal.h.
 *
 * Theory of operations
 * ====================
 *
 * The actors:
 *  - Software (a guest driver, the hypervisor model in models/, a
 *    conformance script, or gicsim_its_submit) programs GITS_CBASER and
 *    GITS_BASER<n> while the ITS is disabled, writes 32-byte commands into the
 *    command queue in simulated memory (memory.c), advances GITS_CWRITER and
 *    reads GITS_CREADR to see them consumed.
 *  - Devices write GITS_TRANSLATER (gicsim_its_msi: an MSI, a DeviceID and
 *    an EventID) and, with GICv4.1, GITS_SGIR (a vSGI: a vPEID and a vINTID).
 *  - The ITS server (this file) owns the registers and one work queue, and
 *    serves its items one at a time in arrival order. An item is a run of
 *    commands (added by a GITS_CWRITER write) or one request (a
 *    GITS_TRANSLATER or GITS_SGIR write).
 *  - The translation unit (its_translate.c): the translation cache, an LRU
 *    over (DeviceID, EventID), and the table walk through the Device table,
 *    the device's ITT, then the Collection table (a physical LPI) or the vPE
 *    table (a GICv4 vLPI), all in simulated memory, where software put them.
 *  - The command executor (its_cmd.c) decodes and executes each GICv3,
 *    GICv4.0 and GICv4.1 command and reports the architected command errors.
 *  - The redistributors receive the ITS's messages: lpi.c for physical LPIs
 *    (set/clear pending, INV, INVALL, MOVI, MOVALL), vlpi.c for vLPIs, vPE
 *    doorbells and vSGIs.
 *  - The engine times everything: the costs its_command, its_translate,
 *    its_table_read, its_cache_hit and its_to_redist of the platform.
 *
 * The steps of a command:
 *  1. A GITS_CWRITER write (cwriter_write) makes the work queue account for
 *     every command between GITS_CREADR and GITS_CWRITER
 *     (sync_command_items): they join the ITEM_CMDS item at the tail, or a
 *     new one.
 *  2. When the ITS is enabled and idle, its_kick takes the next item; for a
 *     command, start_command reads the 32 bytes at GITS_CREADR and
 *     its_run_command (its_cmd.c) executes it at once: its table reads and
 *     writes see the tables as they are now, it invalidates the cached
 *     translations it makes stale, and it stages the messages for the
 *     redistributors (its_stage). A command error is counted
 *     (gicsim_its_stats.errors, last_error) and discards what was staged;
 *     the queue does not stall.
 *  3. Its service lasts its_command + its_table_read per table access
 *     (+ its_cache_hit when a cached translation replaced a walk). SYNC and
 *     VSYNC last at least until the newest message already sent to their
 *     redistributor has arrived.
 *  4. When the service ends (its_done), GITS_CREADR moves past the command
 *     and the staged messages leave (flush_stage). Each arrives its_to_redist
 *     later (its_deliver), in the order sent, and calls lpi.c or vlpi.c.
 *     Then the next item starts.
 *
 * The steps of a translation (GITS_TRANSLATER):
 *  1. The write queues an ITEM_MSI request; while GITS_CTLR.Enabled is 0 it
 *     is dropped and counted (dropped_disabled).
 *  2. At its turn, start_translation asks the translation cache (whenever
 *     the ITS has one, the lookup costs its_cache_hit, hit or miss). A miss
 *     walks the tables (its_walk) at its_table_read per access and fills the
 *     cache, so a miss costs exactly the table walk more than a hit. A walk
 *     that fails drops the interrupt (architecture 5.2: the write is
 *     ignored).
 *  3. The service lasts its_translate more; when it ends, the set-pending
 *     message leaves for the target redistributor, as in step 4 above.
 * A GITS_SGIR write (GICv4.1) is served the same way, through the vPE table
 * only, and sends a vSGI set-pending message.
 *
 * State split as in the architecture: the registers live here; the command
 * queue and every table live in the simulated memory, where software writes
 * and the ITS reads them (entry formats: its_internal.h, docs/its.md).
 */
#include "its_internal.h"

#include <stdlib.h>
#include <string.h>

/* GITS_BASER<n> / CBASER writable fields: Valid, Indirect (BASER), caches,
 * address, shareability, page size (BASER), size. */
#define BASER_RW_MASK 0xF8E0FFFFFFFFFFFFull
#define BASER_RW_NOPAGE_MASK (BASER_RW_MASK & ~(3ull << 8))
#define CBASER_RW_MASK 0xB8EFFFFFFFFFFCFFull

typedef enum item_kind { ITEM_CMDS, ITEM_MSI, ITEM_SGIR } item_kind;

/* An item of the work queue. */
typedef struct its_item {
    uint8_t kind;
    uint32_t a, b;  /* MSI: DeviceID, EventID; SGIR: vPEID, vINTID */
    uint64_t count; /* ITEM_CMDS: commands still to serve */
} its_item;

/* ---- Rings ------------------------------------------------------------------ */

/* Element i (i < len, or i == len < cap for a push) counted from the head. */
static void *ring_at(ring *r, size_t i)
{
    return r->buf + ((r->head + i) & (r->cap - 1u)) * r->esz;
}

/* The place of a new element at the tail (growing the ring if full), for
 * the caller to store it with its own type; NULL when memory runs out. */
static void *ring_push_slot(ring *r)
{
    if (r->len == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16; /* stays a power of two */
        unsigned char *nb = malloc(ncap * r->esz);
        if (!nb)
            return NULL;
        for (size_t i = 0; i < r->len; i++)
            memcpy(nb + i * r->esz, ring_at(r, i), r->esz);
        free(r->buf);
        r->buf = nb;
        r->cap = ncap;
        r->head = 0;
    }
    void *slot = ring_at(r, r->len);
    r->len++;
    return slot;
}

static void ring_pop(ring *r)
{
    r->head = (r->head + 1) & (r->cap - 1u);
    r->len--;
}

/* ---- Messages to the redistributors ------------------------------------------------ */

static void its_deliver(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    gic_its *its = ctx;
    its_msg m = *(its_msg *)ring_at(&its->flight, 0);
    ring_pop(&its->flight);
    gicsim_gic *g = its->g;
    switch ((msg_kind)m.kind) {
    case MSG_LPI_SET:
        lpi_set_pending(g, m.pe, m.intid);
        break;
    case MSG_LPI_CLEAR:
        lpi_clear_pending(g, m.pe, m.intid);
        break;
    case MSG_LPI_INV:
        lpi_inv(g, m.pe, m.intid);
        break;
    case MSG_LPI_INVALL:
        lpi_invall(g, m.pe);
        break;
    case MSG_LPI_MOVE:
        lpi_move(g, m.pe, m.pe2, m.intid);
        break;
    case MSG_LPI_MOVE_ALL:
        lpi_move_all(g, m.pe, m.pe2);
        break;
    case MSG_VLPI_SET:
        vlpi_set_pending(g, m.pe, m.vpt, m.vprop, m.intid, m.doorbell);
        break;
    case MSG_VLPI_CLEAR:
        vlpi_clear_pending(g, m.pe, m.vpt, m.intid);
        break;
    case MSG_VLPI_INV:
        vlpi_inv(g, m.pe, m.vpt, m.intid);
        break;
    case MSG_VLPI_INVALL:
        vlpi_invall(g, m.pe, m.vpt);
        break;
    case MSG_VPE_DOORBELL:
        vlpi_vpe_doorbell(g, m.pe, m.vpt, m.doorbell);
        break;
    case MSG_VSGI_CONFIG:
        vsgi_config(g, m.pe, m.vpt, m.intid, m.prio, m.group1, m.enable);
        break;
    case MSG_VSGI_SET:
        vsgi_set_pending(g, m.pe, m.vpt, m.intid);
        break;
    case MSG_VSGI_CLEAR:
        vsgi_clear_pending(g, m.pe, m.vpt, m.intid);
        break;
    }
}

/* Send the staged messages: each arrives its_to_redist from now, plus
 * socket_hop when its redistributor sits on another socket than the ITS
 * (socket 0), and never before the message sent ahead of it: the ITS's
 * messages reach the redistributors in the order sent. */
static void flush_stage(gic_its *its)
{
    gicsim_gic *g = its->g;
    gicsim_time_t now = engine_now(g->engine);
    for (unsigned i = 0; i < its->n_stage; i++) {
        const its_msg *m = &its->stage[i];
        gicsim_time_t arrive = now + its->t_to_redist;
        if (m->pe < g->cfg.num_pes)
            arrive += gic_hop(g, 0, gic_pe_socket(g, m->pe));
        if (arrive < its->last_arrive)
            arrive = its->last_arrive;
        its_msg *slot = ring_push_slot(&its->flight);
        if (!slot) {
            engine_fail(g->engine, GICSIM_E_NOMEM); /* the run stops */
            continue;
        }
        *slot = *m;
        if (gicsim_engine_schedule_at(g->engine, arrive, its_deliver, its, 0, NULL) != GICSIM_OK) {
            its->flight.len--;
            continue;
        }
        its->last_arrive = arrive;
        g->stats.hop_events++;
        if (m->pe < g->cfg.num_pes)
            its->rd_last[m->pe] = arrive;
        if ((m->kind == MSG_LPI_MOVE || m->kind == MSG_LPI_MOVE_ALL) && m->pe2 < g->cfg.num_pes)
            its->rd_last[m->pe2] = arrive;
    }
    its->n_stage = 0;
}

/* ---- The work queue --------------------------------------------------------------- */

static uint64_t queue_bytes(const gic_its *its)
{
    return ((its->cbaser & 0xFFu) + 1) * 4096u;
}

static bool cq_valid(const gic_its *its)
{
    return (its->cbaser & GICSIM_GITS_BASER_VALID) != 0;
}

static uint64_t cq_pending(const gic_its *its)
{
    uint64_t q = queue_bytes(its);
    return ((its->cwriter + q - its->creadr) % q) / CMD_SIZE;
}

/* Make the work queue account for every command between CREADR and
 * CWRITER (after a CWRITER or CBASER write). */
static void sync_command_items(gic_its *its)
{
    if (!cq_valid(its))
        return;
    uint64_t pending = cq_pending(its);
    if (its->cmd_in_service && pending)
        pending--;
    if (pending > its->stats.command_queue_max)
        its->stats.command_queue_max = pending;
    if (pending <= its->cmds_queued)
        return;
    uint64_t add = pending - its->cmds_queued;
    its_item *tail = its->items.len ? ring_at(&its->items, its->items.len - 1) : NULL;
    if (tail && tail->kind == ITEM_CMDS) {
        tail->count += add;
    } else {
        its_item *slot = ring_push_slot(&its->items);
        if (!slot) {
            engine_fail(its->g->engine, GICSIM_E_NOMEM);
            return;
        }
        *slot = (its_item){.kind = ITEM_CMDS, .count = add};
    }
    its->cmds_queued += add;
}

static void its_done(gicsim_engine *e, void *ctx, uint64_t arg);

/* Start serving an item for `cost`: observers see `kind` (GICSIM_GEV_ITS_*)
 * now and GICSIM_GEV_ITS_DONE when it completes. */
static void begin_service(gic_its *its, gicsim_gic_event_kind kind, uint32_t pe, uint32_t intid,
                          gicsim_time_t cost)
{
    its->svc_pe = pe;
    its->svc_intid = intid;
    gic_emit(its->g, kind, pe, intid);
    its->busy = true;
    if (gicsim_engine_schedule_in(its->g->engine, cost, its_done, its, 0, NULL) != GICSIM_OK)
        its->busy = false;
}

static void command_error(gic_its *its, const cmd_ctx *c, int err)
{
    its->stats.command_errors++;
    its->stats.errors[err]++;
    its->stats.last_error = gicsim_its_error_code((gicsim_its_error)err, c->op);
}

/* Start the command at GITS_CREADR. */
static void start_command(gic_its *its)
{
    cmd_ctx c = {.op = 0};
    uint64_t base = its->cbaser & GICSIM_GITS_CBASER_PA_MASK;
    for (unsigned i = 0; i < 4; i++)
        c.dw[i] = mem_read64(its->g->mem, base + its->creadr + 8u * i);
    c.op = (uint8_t)c.dw[0];
    its->stats.commands++;
    its->stats.commands_by_opcode[c.op]++;
    its->n_stage = 0;
    int err = its_run_command(its, &c);
    if (err != NO_ERR) {
        command_error(its, &c, err);
        its->n_stage = 0;
    }
    its->stats.table_accesses += c.acc;
    gicsim_time_t cost = its->t_cmd + c.acc * its->t_read + (c.hit ? its->t_hit : 0);
    gicsim_time_t now = engine_now(its->g->engine);
    if (c.wait_until > now + cost)
        cost = c.wait_until - now;
    its->cmd_in_service = true;
    begin_service(its, GICSIM_GEV_ITS_COMMAND, UINT32_MAX, c.op, cost);
}

/* Start a GITS_TRANSLATER request: cache, else table walk. */
static void start_translation(gic_its *its, uint32_t dev, uint32_t ev)
{
    its_xlat x;
    unsigned acc = 0;
    gicsim_time_t cost = its->t_translate;
    if (its->cache.cap) /* the cache lookup, hit or miss */
        cost += its->t_hit;
    int32_t i = its_cache_find(&its->cache, dev, ev);
    int err = NO_ERR;
    its->n_stage = 0;
    if (i >= 0) {
        x = its->cache.e[i].x;
        its_cache_touch(&its->cache, i);
        its->stats.cache_hits++;
    } else {
        its->stats.cache_misses++;
        err = its_walk(its, dev, ev, &x, &acc);
        its->stats.table_accesses += acc;
        cost += acc * its->t_read;
        if (err == NO_ERR)
            its_cache_insert(its, dev, ev, &x);
    }
    if (err != NO_ERR) {
        its->stats.dropped++; /* architecture 5.2: the write is ignored */
    } else {
        its_stage_set(its, &x);
        if (x.virt)
            its->stats.vlpis++;
        else
            its->stats.lpis++;
    }
    begin_service(its, GICSIM_GEV_ITS_TRANSLATE, err == NO_ERR ? x.pe : UINT32_MAX,
                  err == NO_ERR ? x.intid : GICSIM_INTID_SPURIOUS, cost);
}

/* Start a GITS_SGIR write (GICv4.1): vPE table, then the vSGI. */
static void start_sgir(gic_its *its, uint32_t vpeid, uint32_t vintid)
{
    vpe_entry v;
    unsigned acc = 0;
    its->n_stage = 0;
    bool ok = its_vpe_lookup(its, vpeid, &v, &acc) == NO_ERR;
    if (ok) {
        its_stage(its, (its_msg){.kind = MSG_VSGI_SET, .pe = v.pe, .vpt = v.vpt, .intid = vintid});
        its->stats.vsgis++;
    } else {
        its->stats.vsgis_dropped++;
    }
    its->stats.table_accesses += acc;
    begin_service(its, GICSIM_GEV_ITS_TRANSLATE, ok ? v.pe : UINT32_MAX,
                  ok ? vintid : GICSIM_INTID_SPURIOUS, its->t_translate + acc * its->t_read);
}

/* Serve the next item if the ITS is enabled and idle. */
static void its_kick(gic_its *its)
{
    while (!its->busy && its->enabled && its->items.len) {
        its_item *it = ring_at(&its->items, 0);
        if (it->kind == ITEM_CMDS) {
            if (!cq_valid(its) || its->creadr == its->cwriter) {
                its->cmds_queued -= it->count;
                ring_pop(&its->items);
                continue;
            }
            it->count--;
            its->cmds_queued--;
            if (!it->count)
                ring_pop(&its->items);
            start_command(its);
        } else {
            its_item cur = *it;
            ring_pop(&its->items);
            its->xlat_waiting--;
            if (cur.kind == ITEM_MSI)
                start_translation(its, cur.a, cur.b);
            else
                start_sgir(its, cur.a, cur.b);
        }
    }
}

static void its_done(gicsim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    gic_its *its = ctx;
    its->busy = false;
    gic_emit(its->g, GICSIM_GEV_ITS_DONE, its->svc_pe, its->svc_intid);
    if (its->cmd_in_service) {
        its->cmd_in_service = false;
        its->creadr = (its->creadr + CMD_SIZE) % queue_bytes(its);
    }
    flush_stage(its);
    its_kick(its);
}

static void enqueue_request(gic_its *its, item_kind kind, uint32_t a, uint32_t b)
{
    if (!its->enabled) {
        its->stats.dropped_disabled++;
        return;
    }
    its_item *slot = ring_push_slot(&its->items);
    if (!slot) {
        its->stats.dropped++;
        engine_fail(its->g->engine, GICSIM_E_NOMEM);
        return;
    }
    *slot = (its_item){.kind = (uint8_t)kind, .a = a, .b = b};
    if (kind == ITEM_MSI)
        its->stats.translations++;
    its->xlat_waiting++;
    if (its->xlat_waiting > its->stats.translation_queue_max)
        its->stats.translation_queue_max = its->xlat_waiting;
    its_kick(its);
}

/* ---- Lifetime --------------------------------------------------------------------- */

gicsim_status its_create(gicsim_gic *g)
{
    gic_its *its = calloc(1, sizeof *its);
    if (!its)
        return GICSIM_E_NOMEM;
    g->its = its;
    its->g = g;
    its->items.esz = sizeof(its_item);
    its->flight.esz = sizeof(its_msg);
    its->rd_last = calloc(g->cfg.num_pes, sizeof *its->rd_last);
    if (!its->rd_last)
        return GICSIM_E_NOMEM;
    its->t_cmd = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_COMMAND);
    its->t_translate = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_TRANSLATE);
    its->t_read = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_TABLE_READ);
    its->t_hit = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_CACHE_HIT);
    its->t_to_redist = gicsim_timing_ps(&g->timing, GICSIM_COST_ITS_TO_REDIST);
    return its_cache_init(&its->cache, g->cfg.its_cache_entries);
}

void its_free(gicsim_gic *g)
{
    gic_its *its = g->its;
    if (!its)
        return;
    free(its->items.buf);
    free(its->flight.buf);
    free(its->rd_last);
    free(its->cache.e);
    free(its->cache.bucket);
    free(its);
    g->its = NULL;
}

/* ---- Registers --------------------------------------------------------------------- */

static uint64_t typer_read(const gic_its *its)
{
    uint64_t v = GICSIM_GITS_TYPER_PHYSICAL;
    v |= (uint64_t)(ITE_SIZE - 1) << GICSIM_GITS_TYPER_ITT_ENTRY_SIZE_SHIFT;
    v |= (uint64_t)(EVENT_BITS - 1) << GICSIM_GITS_TYPER_IDBITS_SHIFT;
    v |= (uint64_t)(DEV_BITS - 1) << GICSIM_GITS_TYPER_DEVBITS_SHIFT;
    /* SEIS=0, PTA=0 (RDbase is a processor number), HCC=0 (every collection in
     * memory), CIL=0 (16-bit ICIDs). */
    if (is_v4(its))
        v |= GICSIM_GITS_TYPER_VIRTUAL | GICSIM_GITS_TYPER_VMOVP;
    if (is_v41(its))
        /* vSGIs, the v4.1 VMAPP format, no individual doorbells (nID=1):
         * each vPE has one doorbell, managed by its redistributor. SVPET=0. */
        v |= GICSIM_GITS_TYPER_VSGI | GICSIM_GITS_TYPER_VMAPP | GICSIM_GITS_TYPER_NID;
    return v;
}

static uint64_t baser_read(const gic_its *its, unsigned n)
{
    unsigned type = its_baser_type(its, n);
    if (type == GICSIM_GITS_BASER_TYPE_NONE)
        return 0;
    return its->baser[n] | ((uint64_t)type << GICSIM_GITS_BASER_TYPE_SHIFT) |
           ((uint64_t)(its_baser_entry_size(type) - 1) << GICSIM_GITS_BASER_ENTRY_SIZE_SHIFT);
}

static bool quiescent(const gic_its *its)
{
    return !its->enabled && !its->busy && !its->flight.len;
}

/* 64-bit registers of the control frame; false if `off` (8-aligned) is not one. */
static bool reg64_read(const gic_its *its, uint32_t off, uint64_t *v)
{
    if (off == GICSIM_GITS_TYPER) {
        *v = typer_read(its);
    } else if (off == GICSIM_GITS_CBASER) {
        *v = its->cbaser;
    } else if (off == GICSIM_GITS_CWRITER) {
        *v = its->cwriter;
    } else if (off == GICSIM_GITS_CREADR) {
        *v = its->creadr; /* Stalled is always 0 */
    } else if (off >= GICSIM_GITS_BASER(0) && off <= GICSIM_GITS_BASER(7)) {
        unsigned n = (off - GICSIM_GITS_BASER(0)) / 8u;
        if (its_baser_type(its, n) == GICSIM_GITS_BASER_TYPE_NONE)
            return false; /* a register this ITS does not have: RAZ/WI */
        *v = baser_read(its, n);
    } else {
        return false;
    }
    return true;
}

gicsim_status gicsim_its_read(gicsim_gic *g, uint32_t off, unsigned size, uint64_t *val)
{
    if (!g || !val || (size != 1 && size != 2 && size != 4 && size != 8))
        return GICSIM_E_INVAL;
    gic_its *its = g->its;
    if (!its)
        return GICSIM_E_UNSUPPORTED;
    *val = 0;
    uint64_t r;
    if (off % size)
        goto raz;
    if (size >= 4 && reg64_read(its, off & ~7u, &r)) {
        *val = size == 8 ? r : (off & 4) ? r >> 32 : r & 0xFFFFFFFFu;
        return GICSIM_OK;
    }
    if (size != 4)
        goto raz;
    switch (off) {
    case GICSIM_GITS_CTLR:
        *val = (its->enabled ? GICSIM_GITS_CTLR_ENABLED : 0) |
               (quiescent(its) ? GICSIM_GITS_CTLR_QUIESCENT : 0);
        return GICSIM_OK;
    case GICSIM_GITS_IIDR:
        *val = 0x4700043Bu; /* ProductID 0x47, Implementer 0x43B, as GICD_IIDR */
        return GICSIM_OK;
    case GICSIM_GITS_PIDR2:
        *val = (is_v4(its) ? 4u : 3u) << 4; /* ArchRev */
        return GICSIM_OK;
    default:
        break;
    }
raz:
    g->stats.raz_wi_reads++;
    return GICSIM_OK;
}

static void ctlr_write(gic_its *its, uint32_t v)
{
    bool en = (v & GICSIM_GITS_CTLR_ENABLED) != 0;
    if (en == its->enabled)
        return;
    its->enabled = en;
    if (en)
        its_kick(its);
}

/* GITS_CBASER: writable only while the ITS is disabled and quiescent (else
 * UNPREDICTABLE: ignored and counted). A write sets GITS_CREADR to 0. */
static bool cbaser_write(gic_its *its, uint64_t v)
{
    if (!quiescent(its))
        return false;
    its->cbaser = v & CBASER_RW_MASK;
    its->creadr = 0;
    if (its->cwriter >= queue_bytes(its))
        its->cwriter = 0;
    sync_command_items(its);
    return true;
}

/* GITS_CWRITER: Offset[19:5] within the queue (beyond it: UNPREDICTABLE,
 * ignored and counted); Retry[0] has no effect (the queue never stalls). */
static bool cwriter_write(gic_its *its, uint64_t v)
{
    uint64_t off = v & GICSIM_GITS_CQ_OFFSET_MASK;
    if (off >= queue_bytes(its))
        return false;
    its->cwriter = off;
    sync_command_items(its);
    its_kick(its);
    return true;
}

/* GITS_BASER<n>: writable only while GITS_CTLR.Enabled=0 (else UNPREDICTABLE:
 * ignored and counted); Type and Entry_Size are read-only; the reserved
 * Page_Size 0b11 reads as 64 KiB. */
static bool baser_write(gic_its *its, unsigned n, uint64_t v)
{
    if (its_baser_type(its, n) == GICSIM_GITS_BASER_TYPE_NONE || its->enabled)
        return false;
    v &= BASER_RW_MASK;
    if (((v >> GICSIM_GITS_BASER_PAGE_SIZE_SHIFT) & 3u) == 3u)
        v = (v & BASER_RW_NOPAGE_MASK) | GICSIM_GITS_BASER_PAGE_64K;
    its->baser[n] = v;
    its_cache_invalidate(its, INVAL_ALL, 0, 0);
    return true;
}

static bool reg64_write(gic_its *its, uint32_t off, uint64_t v)
{
    if (off == GICSIM_GITS_CBASER)
        return cbaser_write(its, v);
    if (off == GICSIM_GITS_CWRITER)
        return cwriter_write(its, v);
    if (off >= GICSIM_GITS_BASER(0) && off <= GICSIM_GITS_BASER(7))
        return baser_write(its, (off - GICSIM_GITS_BASER(0)) / 8u, v);
    return false;
}

static bool is_rw64(uint32_t off)
{
    return off == GICSIM_GITS_CBASER || off == GICSIM_GITS_CWRITER ||
           (off >= GICSIM_GITS_BASER(0) && off <= GICSIM_GITS_BASER(7));
}

gicsim_status gicsim_its_write(gicsim_gic *g, uint32_t off, unsigned size, uint64_t val)
{
    if (!g || (size != 1 && size != 2 && size != 4 && size != 8))
        return GICSIM_E_INVAL;
    gic_its *its = g->its;
    if (!its)
        return GICSIM_E_UNSUPPORTED;
    if (off % size)
        goto wi;
    if (off == GICSIM_GITS_TRANSLATER && (size == 2 || size == 4)) {
        /* A plain register write carries DeviceID 0. */
        enqueue_request(its, ITEM_MSI, 0, size == 2 ? (uint32_t)val & 0xFFFFu : (uint32_t)val);
        return GICSIM_OK;
    }
    if (off == GICSIM_GITS_SGIR && size == 8 && is_v41(its)) {
        enqueue_request(its, ITEM_SGIR, (uint32_t)(val >> 32) & 0xFFFFu, (uint32_t)val & 0xFu);
        return GICSIM_OK;
    }
    if (size >= 4 && is_rw64(off & ~7u)) {
        uint64_t r = 0;
        reg64_read(its, off & ~7u, &r);
        if (size == 8)
            r = val;
        else if (off & 4)
            r = (r & 0xFFFFFFFFull) | ((val & 0xFFFFFFFFull) << 32);
        else
            r = (r & ~0xFFFFFFFFull) | (val & 0xFFFFFFFFull);
        if (reg64_write(its, off & ~7u, r))
            return GICSIM_OK;
        goto wi;
    }
    if (off == GICSIM_GITS_CTLR && size == 4) {
        ctlr_write(its, (uint32_t)val);
        return GICSIM_OK;
    }
wi:
    g->stats.raz_wi_writes++;
    return GICSIM_OK;
}

gicsim_status gicsim_its_msi(gicsim_gic *g, uint32_t device_id, uint32_t event_id)
{
    if (!g)
        return GICSIM_E_INVAL;
    if (!g->its)
        return GICSIM_E_UNSUPPORTED;
    enqueue_request(g->its, ITEM_MSI, device_id, event_id);
    return GICSIM_OK;
}

gicsim_status gicsim_its_submit(gicsim_gic *g, const gicsim_its_cmd *cmds, size_t n)
{
    if (!g || (!cmds && n))
        return GICSIM_E_INVAL;
    gic_its *its = g->its;
    if (!its)
        return GICSIM_E_UNSUPPORTED;
    if (!cq_valid(its))
        return GICSIM_E_STATE;
    uint64_t q = queue_bytes(its);
    uint64_t slots = q / CMD_SIZE;
    if (n > slots - 1 - cq_pending(its))
        return GICSIM_E_FULL;
    uint64_t base = its->cbaser & GICSIM_GITS_CBASER_PA_MASK;
    uint64_t w = its->cwriter;
    for (size_t i = 0; i < n; i++) {
        for (unsigned k = 0; k < 4; k++) {
            gicsim_status st = mem_write64(g->mem, base + w + 8u * k, cmds[i].dw[k]);
            if (st != GICSIM_OK)
                return st;
        }
        w = (w + CMD_SIZE) % q;
    }
    return gicsim_its_write(g, GICSIM_GITS_CWRITER, 8, w);
}

gicsim_status gicsim_its_get_stats(const gicsim_gic *g, gicsim_its_stats *out)
{
    if (!g || !out)
        return GICSIM_E_INVAL;
    if (!g->its)
        return GICSIM_E_UNSUPPORTED;
    *out = g->its->stats;
    return GICSIM_OK;
}