/* gicsim: conformance-script steps for the simulated memory
 * (script_internal.h, gicsim/memory.h): raw little-endian reads and writes
 * of 1, 2, 4 or 8 bytes (mem_write, mem_read: table entries, queue slots),
 * an LPI's configuration byte in a property table (lpi_config: priority
 * [7:2], Enable [0], GICv3 5.1.1) and an LPI's bit in a pending table
 * (lpi_pending, expect_lpi_pending: bit INTID of the table, 5.1.2). Memory
 * the GIC caches (configuration bytes) takes effect only as the architecture
 * says: after an INV or INVALL, or when the table is first read. */
#include "script_internal.h"

#include <gicsim/memory.h>

#include <stdio.h>
#include <string.h>

#define PA_MAX 0x000FFFFFFFFFFFFFull /* 52-bit physical addresses */

static uint64_t le_get(const uint8_t *b, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void le_put(uint8_t *b, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* ---- Raw accesses ------------------------------------------------------------------------ */

static gicsim_status parse_mem(const step_kind *k, const yt_node *v, const char *path,
                               const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)sc;
    TRY(script_u64(v, path, "addr", true, 0, PA_MAX, &s->addr, NULL, d));
    TRY(script_size(v, path, 8, &s->size, d));
    uint64_t max = s->size == 8 ? UINT64_MAX : (1ull << (8 * s->size)) - 1;
    if (!strcmp(k->name, "mem_read"))
        TRY(script_expect_parse(v, path, max, &s->ex, d));
    else
        TRY(script_u64(v, path, "value", true, 0, max, &s->value, NULL, d));
    return script_status(v, path, s, d);
}

static bool exec_mem(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                     char *msg, size_t msize)
{
    const bool rd = !strcmp(k->name, "mem_read");
    uint8_t b[8] = {0};
    snprintf(what, wsize, "%s addr 0x%llx size %u", k->name, (unsigned long long)s->addr, s->size);
    if (!rd)
        le_put(b, s->value, s->size);
    gicsim_status st = rd ? gicsim_mem_read(r->gic, s->addr, b, s->size)
                          : gicsim_mem_write(r->gic, s->addr, b, s->size);
    if (!script_status_check(s, st, msg, msize))
        return false;
    return !rd || st != GICSIM_OK ||
           script_expect_check(&s->ex, le_get(b, s->size), true, msg, msize);
}

/* ---- LPI tables --------------------------------------------------------------------------- */

/* `table` and an LPI's `intid` (8192 .. 2^32 - 1). */
static gicsim_status parse_lpi(const yt_node *v, const char *path, step *s, gicsim_diag *d)
{
    uint64_t u = 0;
    TRY(script_u64(v, path, "table", true, 0, PA_MAX, &s->addr, NULL, d));
    TRY(script_u64(v, path, "intid", true, GICSIM_LPI_BASE, UINT32_MAX, &u, NULL, d));
    s->intid = (uint32_t)u;
    return GICSIM_OK;
}

/* The bool key `key` (default `def`) into s->level. */
static gicsim_status parse_flag(const yt_node *v, const char *path, const char *key, bool required,
                                bool def, step *s, gicsim_diag *d)
{
    const yt_node *n = yt_map_get(v, key);
    char kp[256];
    s->level = def;
    if (!n)
        return required ? script_req(v, path, key, &n, d) : GICSIM_OK;
    yt_path(kp, sizeof kp, path, key);
    return script_bool(n, kp, &s->level, d);
}

static gicsim_status parse_lpi_config(const step_kind *k, const yt_node *v, const char *path,
                                      const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)k;
    (void)sc;
    uint64_t prio = 0;
    TRY(parse_lpi(v, path, s, d));
    TRY(script_u64(v, path, "priority", true, 0, 0xFF, &prio, NULL, d));
    TRY(parse_flag(v, path, "enable", false, true, s, d));
    s->value = (prio & 0xFCu) | (s->level ? 1u : 0u);
    return GICSIM_OK;
}

static bool exec_lpi_config(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                            char *msg, size_t msize)
{
    (void)k;
    uint8_t b = (uint8_t)s->value;
    uint64_t pa = s->addr + (s->intid - GICSIM_LPI_BASE);
    snprintf(what, wsize, "lpi_config table 0x%llx intid %u", (unsigned long long)s->addr,
             (unsigned)s->intid);
    gicsim_status st = gicsim_mem_write(r->gic, pa, &b, 1);
    if (st == GICSIM_OK)
        return true;
    snprintf(msg, msize, "cannot write 0x%llx: %s", (unsigned long long)pa, gicsim_strerror(st));
    return false;
}

static gicsim_status parse_pending(const step_kind *k, const yt_node *v, const char *path,
                                   const gicsim_script *sc, step *s, gicsim_diag *d)
{
    (void)sc;
    TRY(parse_lpi(v, path, s, d));
    return parse_flag(v, path, "pending", !strcmp(k->name, "expect_lpi_pending"), true, s, d);
}

/* lpi_pending sets or clears the bit (read-modify-write of its byte);
 * expect_lpi_pending compares it. */
static bool exec_pending(run_ctx *r, const step_kind *k, const step *s, char *what, size_t wsize,
                         char *msg, size_t msize)
{
    const bool expect = !strcmp(k->name, "expect_lpi_pending");
    uint64_t pa = s->addr + s->intid / 8;
    uint8_t b = 0, bit = (uint8_t)(1u << (s->intid % 8));
    snprintf(what, wsize, "%s table 0x%llx intid %u", k->name, (unsigned long long)s->addr,
             (unsigned)s->intid);
    gicsim_status st = gicsim_mem_read(r->gic, pa, &b, 1);
    if (st == GICSIM_OK && !expect) {
        b = (uint8_t)(s->level ? b | bit : b & ~bit);
        st = gicsim_mem_write(r->gic, pa, &b, 1);
    }
    if (st != GICSIM_OK) {
        snprintf(msg, msize, "cannot access 0x%llx: %s", (unsigned long long)pa,
                 gicsim_strerror(st));
        return false;
    }
    if (!expect || !(b & bit) == !s->level)
        return true;
    snprintf(msg, msize, "expected %s, got %s", s->level ? "pending" : "not pending",
             s->level ? "not pending" : "pending");
    return false;
}

/* ---- The table ----------------------------------------------------------------------------- */

static const char *const k_mem_w[] = {"addr", "value", "size", "status", NULL};
static const char *const k_mem_r[] = {"addr", "size", "expect", "one_of", "mask", "status", NULL};
static const char *const k_config[] = {"table", "intid", "priority", "enable", NULL};
static const char *const k_pending[] = {"table", "intid", "pending", NULL};

const step_kind script_mem_kinds[] = {
    {"mem_write", k_mem_w, parse_mem, exec_mem},
    {"mem_read", k_mem_r, parse_mem, exec_mem},
    {"lpi_config", k_config, parse_lpi_config, exec_lpi_config},
    {"lpi_pending", k_pending, parse_pending, exec_pending},
    {"expect_lpi_pending", k_pending, parse_pending, exec_pending},
};
const size_t script_mem_kind_count = sizeof script_mem_kinds / sizeof script_mem_kinds[0];
