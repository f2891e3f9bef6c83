/* gicsim test support: the shared fixtures and helpers (fixtures.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "support/fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POISON 0xDEADBEEFull

/* ---- A GIC on its own engine -------------------------------------------------- */

void tf_gic_new(gicsim_engine **e, gicsim_gic **g, const gicsim_gic_config *cfg)
{
    gicsim_gic_config def;
    if (!cfg) {
        gicsim_gic_config_init(&def);
        cfg = &def;
    }
    assert_int_equal(gicsim_engine_create(e), GICSIM_OK);
    assert_int_equal(gicsim_gic_create(*e, cfg, g), GICSIM_OK);
}

void tf_gic_open(gicsim_engine **e, gicsim_gic **g, const gicsim_gic_config *cfg, bool os_init,
                 gicsim_gic_observer_fn obs, void *ctx)
{
    tf_gic_new(e, g, cfg);
    if (obs)
        assert_int_equal(gicsim_gic_add_observer(*g, obs, ctx), GICSIM_OK);
    if (os_init)
        gicsim_gic_os_init(*g);
    tf_settle(*e);
}

void tf_gic_free(gicsim_engine *e, gicsim_gic *g)
{
    gicsim_gic_destroy(g);
    gicsim_engine_destroy(e);
}

void tf_settle(gicsim_engine *e)
{
    gicsim_engine_run_for(e, GICSIM_US(1));
}

/* ---- The GIC's event log and line log ------------------------------------------- */

/* Room for one more element of `size` bytes in the array *v of *cap. */
static void grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return;
    *cap = *cap ? 2 * *cap : 256;
    *v = realloc(*v, *cap * size);
    assert_non_null(*v);
}

static void ev_log_observe(void *ctx, const gicsim_gic_event *ev)
{
    tf_ev_log *l = ctx;
    grow((void **)&l->v, &l->cap, l->n, sizeof *l->v);
    l->v[l->n++] = *ev;
}

void tf_ev_log_attach(tf_ev_log *l, gicsim_gic *g)
{
    assert_int_equal(gicsim_gic_add_observer(g, ev_log_observe, l), GICSIM_OK);
}

void tf_ev_log_free(tf_ev_log *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

static bool ev_matches(const gicsim_gic_event *ev, gicsim_gic_event_kind kind, uint32_t pe,
                       uint32_t intid)
{
    return ev->kind == kind && (pe == TF_ANY || ev->pe == pe) &&
           (intid == TF_ANY || ev->intid == intid);
}

/* Fails the test: no event of `kind` for `pe` and `intid`. */
static void no_event(gicsim_gic_event_kind kind, uint32_t pe, uint32_t intid)
{
    fail_msg("no %s event for INTID %u on PE %u", gicsim_gic_event_name(kind), (unsigned)intid,
             (unsigned)pe);
}

size_t tf_ev_find(const tf_ev_log *l, size_t from, gicsim_gic_event_kind kind, uint32_t pe,
                  uint32_t intid)
{
    for (size_t i = from; i < l->n; i++)
        if (ev_matches(&l->v[i], kind, pe, intid))
            return i;
    return SIZE_MAX;
}

const gicsim_gic_event *tf_ev_next(const tf_ev_log *l, size_t *from, gicsim_gic_event_kind kind,
                                   uint32_t pe, uint32_t intid)
{
    size_t i = tf_ev_find(l, *from, kind, pe, intid);
    if (i == SIZE_MAX)
        no_event(kind, pe, intid);
    *from = i + 1;
    return &l->v[i];
}

const gicsim_gic_event *tf_ev_last(const tf_ev_log *l, gicsim_gic_event_kind kind, uint32_t pe,
                                   uint32_t intid)
{
    for (size_t i = l->n; i-- > 0;)
        if (ev_matches(&l->v[i], kind, pe, intid))
            return &l->v[i];
    no_event(kind, pe, intid);
    return NULL;
}

size_t tf_ev_count(const tf_ev_log *l, gicsim_gic_event_kind kind, uint32_t pe, uint32_t intid)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += ev_matches(&l->v[i], kind, pe, intid);
    return n;
}

void tf_assert_ev_logs_equal(const tf_ev_log *a, const tf_ev_log *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->v[i].time, b->v[i].time);
        assert_int_equal(a->v[i].kind, b->v[i].kind);
        assert_int_equal(a->v[i].pe, b->v[i].pe);
        assert_int_equal(a->v[i].intid, b->v[i].intid);
    }
}

static void line_log_listen(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    tf_line_log *l = ctx;
    grow((void **)&l->v, &l->cap, l->n, sizeof *l->v);
    l->v[l->n++] = (tf_line_rec){gicsim_engine_now(l->e), pe, irq, fiq};
}

void tf_line_log_attach(tf_line_log *l, gicsim_gic *g, tf_lines which)
{
    l->e = gicsim_gic_engine(g);
    if (which == TF_LINES_PHYS)
        assert_int_equal(gicsim_gic_add_line_listener(g, line_log_listen, l), GICSIM_OK);
    else if (which == TF_LINES_VIRT)
        assert_int_equal(gicsim_gic_add_vline_listener(g, line_log_listen, l), GICSIM_OK);
}

void tf_line_log_free(tf_line_log *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- The usual GIC fixture --------------------------------------------------------- */

tf_gic_fx *tf_gic_fx_new(const gicsim_gic_config *cfg, bool os_init, tf_lines lines)
{
    tf_gic_fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tf_gic_open(&f->e, &f->g, cfg, os_init, ev_log_observe, &f->ev);
    tf_line_log_attach(&f->lines, f->g, lines);
    return f;
}

void tf_gic_fx_free(tf_gic_fx *f)
{
    tf_gic_free(f->e, f->g);
    tf_ev_log_free(&f->ev);
    tf_line_log_free(&f->lines);
    free(f);
}

int tf_setup_os_gic(void **state)
{
    *state = tf_gic_fx_new(NULL, true, TF_LINES_NONE);
    return 0;
}

int tf_setup_os_gic_lines(void **state)
{
    *state = tf_gic_fx_new(NULL, true, TF_LINES_PHYS);
    return 0;
}

int tf_setup_os_gic_vlines(void **state)
{
    *state = tf_gic_fx_new(NULL, true, TF_LINES_VIRT);
    return 0;
}

int tf_teardown_gic(void **state)
{
    tf_gic_fx_free(*state);
    return 0;
}

/* ---- Register access ---------------------------------------------------------------- */

uint64_t tf_gicd_rd(gicsim_gic *g, uint32_t off, unsigned size)
{
    uint64_t v = POISON;
    assert_int_equal(gicsim_gicd_read(g, off, size, &v), GICSIM_OK);
    return v;
}

void tf_gicd_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t v)
{
    assert_int_equal(gicsim_gicd_write(g, off, size, v), GICSIM_OK);
}

uint64_t tf_gicr_rd(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size)
{
    uint64_t v = POISON;
    assert_int_equal(gicsim_gicr_read(g, pe, off, size, &v), GICSIM_OK);
    return v;
}

void tf_gicr_wr(gicsim_gic *g, uint32_t pe, uint32_t off, unsigned size, uint64_t v)
{
    assert_int_equal(gicsim_gicr_write(g, pe, off, size, v), GICSIM_OK);
}

uint64_t tf_icc_rd(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg)
{
    uint64_t v = POISON;
    assert_int_equal(gicsim_icc_read(g, pe, reg, &v), GICSIM_OK);
    return v;
}

void tf_icc_wr(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t v)
{
    assert_int_equal(gicsim_icc_write(g, pe, reg, v), GICSIM_OK);
}

uint64_t tf_icv_rd(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg)
{
    uint64_t v = POISON;
    assert_int_equal(gicsim_icv_read(g, pe, reg, &v), GICSIM_OK);
    return v;
}

void tf_icv_wr(gicsim_gic *g, uint32_t pe, gicsim_icc_reg reg, uint64_t v)
{
    assert_int_equal(gicsim_icv_write(g, pe, reg, v), GICSIM_OK);
}

uint64_t tf_ich_rd(gicsim_gic *g, uint32_t pe, gicsim_ich_reg reg)
{
    uint64_t v = POISON;
    assert_int_equal(gicsim_ich_read(g, pe, reg, &v), GICSIM_OK);
    return v;
}

void tf_ich_wr(gicsim_gic *g, uint32_t pe, gicsim_ich_reg reg, uint64_t v)
{
    assert_int_equal(gicsim_ich_write(g, pe, reg, v), GICSIM_OK);
}

uint64_t tf_its_rd(gicsim_gic *g, uint32_t off, unsigned size)
{
    uint64_t v = POISON;
    assert_int_equal(gicsim_its_read(g, off, size, &v), GICSIM_OK);
    return v;
}

void tf_its_wr(gicsim_gic *g, uint32_t off, unsigned size, uint64_t v)
{
    assert_int_equal(gicsim_its_write(g, off, size, v), GICSIM_OK);
}

uint32_t tf_iar1(gicsim_gic *g, uint32_t pe)
{
    return (uint32_t)tf_icc_rd(g, pe, GICSIM_ICC_IAR1);
}

void tf_eoi1(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    tf_icc_wr(g, pe, GICSIM_ICC_EOIR1, intid);
}

void tf_ack_eoi1(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    assert_int_equal(tf_iar1(g, pe), intid);
    tf_eoi1(g, pe, intid);
}

uint32_t tf_viar1(gicsim_gic *g, uint32_t pe)
{
    return (uint32_t)tf_icv_rd(g, pe, GICSIM_ICC_IAR1);
}

void tf_veoi1(gicsim_gic *g, uint32_t pe, uint32_t vintid)
{
    tf_icv_wr(g, pe, GICSIM_ICC_EOIR1, vintid);
}

void tf_vcpu_on(gicsim_gic *g, uint32_t pe, uint8_t vpmr)
{
    tf_ich_wr(g, pe, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN);
    tf_ich_wr(g, pe, GICSIM_ICH_VMCR,
              GICSIM_ICH_VMCR_VENG1 | ((uint64_t)vpmr << GICSIM_ICH_VMCR_VPMR_SHIFT));
}

void tf_spi_enable(gicsim_gic *g, uint32_t intid)
{
    tf_gicd_wr(g, GICSIM_GICD_ISENABLER + 4u * (intid / 32u), 4, 1ull << (intid % 32u));
}

void tf_spi_set_edge(gicsim_gic *g, uint32_t intid, bool edge)
{
    uint32_t off = GICSIM_GICD_ICFGR + 4u * (intid / 16u);
    uint64_t bit = 1ull << (2u * (intid % 16u) + 1u);
    uint64_t v = tf_gicd_rd(g, off, 4);
    tf_gicd_wr(g, off, 4, edge ? v | bit : v & ~bit);
}

void tf_lpi_config(gicsim_gic *g, uint64_t table, uint32_t intid, uint8_t prio, bool enable)
{
    uint8_t b = (uint8_t)((prio & 0xFCu) | (enable ? 1u : 0u));
    assert_int_equal(gicsim_mem_write(g, table + (intid - GICSIM_LPI_BASE), &b, 1), GICSIM_OK);
}

gicsim_gic_stats tf_gic_stats(const gicsim_gic *g)
{
    gicsim_gic_stats s;
    gicsim_gic_get_stats(g, &s);
    return s;
}

gicsim_irq_state tf_irq_state(gicsim_gic *g, uint32_t pe, uint32_t intid)
{
    gicsim_irq_state s;
    assert_int_equal(gicsim_gic_irq_state(g, pe, intid, &s), GICSIM_OK);
    return s;
}

void tf_assert_gic_accounting(const gicsim_gic *g)
{
    gicsim_gic_stats s = tf_gic_stats(g);
    assert_int_equal(s.raised, s.acknowledged + s.withdrawn + s.pending_now);
}

/* ---- Other helpers ------------------------------------------------------------------- */

uint64_t tf_xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

gicsim_time_t tf_cost_ps(gicsim_cost_id id)
{
    gicsim_timing t;
    gicsim_timing_init(&t);
    return gicsim_timing_ps(&t, id);
}

/* ---- A virtualized system ------------------------------------------------------------- */

gicsim_system_config tf_system_config(gicsim_gic_version version, uint32_t num_pes)
{
    gicsim_system_config c;
    gicsim_system_config_init(&c);
    c.gic.version = version;
    c.gic.num_pes = num_pes;
    return c;
}

gicsim_system *tf_system_new(const gicsim_system_config *c)
{
    gicsim_system *s = NULL;
    assert_int_equal(gicsim_system_create(c, &s), GICSIM_OK);
    assert_non_null(s);
    assert_int_equal(gicsim_system_keep_records(s), GICSIM_OK); /* the tests read them */
    return s;
}

gicsim_system *tf_system(gicsim_gic_version version, uint32_t num_pes)
{
    gicsim_system_config c = tf_system_config(version, num_pes);
    return tf_system_new(&c);
}

char *tf_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

gicsim_vm_config tf_vm_config(const char *policy, uint32_t vcpus, bool busy, bool wfi_trap)
{
    gicsim_vm_config vc;
    gicsim_vm_config_init(&vc);
    vc.policy = policy;
    vc.num_vcpus = vcpus;
    vc.guest_busy = busy;
    vc.wfi_trap = wfi_trap;
    return vc;
}

uint32_t tf_vm_add(gicsim_system *s, const gicsim_vm_config *vc)
{
    uint32_t vm = UINT32_MAX;
    assert_int_equal(gicsim_vm_add(s, vc, &vm), GICSIM_OK);
    return vm;
}

uint32_t tf_vm(gicsim_system *s, const char *policy, uint32_t vcpus, bool busy, bool wfi_trap)
{
    gicsim_vm_config vc = tf_vm_config(policy, vcpus, busy, wfi_trap);
    return tf_vm_add(s, &vc);
}

uint32_t tf_vm_on_pe(gicsim_system *s, const char *policy, uint32_t pe, bool busy, bool wfi_trap)
{
    gicsim_vm_config vc = tf_vm_config(policy, 1, busy, wfi_trap);
    vc.pe_first = pe;
    vc.pe_count = 1;
    return tf_vm_add(s, &vc);
}

gicsim_source_config tf_source_config(gicsim_source_kind kind, uint32_t vm, uint32_t vcpu,
                                      uint32_t intid)
{
    gicsim_source_config sc;
    gicsim_source_config_init(&sc);
    sc.kind = kind;
    sc.vm = vm;
    sc.vcpu = vcpu;
    sc.intid = intid;
    return sc;
}

uint32_t tf_source_add(gicsim_system *s, const gicsim_source_config *sc)
{
    uint32_t id = UINT32_MAX;
    assert_int_equal(gicsim_source_add(s, sc, &id), GICSIM_OK);
    return id;
}

gicsim_system_stats tf_system_stats(const gicsim_system *s)
{
    gicsim_system_stats st;
    memset(&st, 0xA5, sizeof st);
    gicsim_system_get_stats(s, &st);
    return st;
}

const gicsim_irq_record *tf_record(const gicsim_system *s, size_t i)
{
    const gicsim_irq_record *r = gicsim_system_record(s, i);
    assert_non_null(r);
    return r;
}

uint32_t tf_record_exits(const gicsim_irq_record *r)
{
    uint32_t n = 0;
    for (int k = 0; k < GICSIM_EXIT__COUNT; k++)
        n += r->exits[k];
    return n;
}

/* asserted <= signalled <= acknowledged <= ended <= deactivated. */
static void check_order(const gicsim_irq_record *r)
{
    assert_true(r->t_assert <= r->t_signal);
    assert_true(r->t_signal <= r->t_ack);
    assert_true(r->t_ack <= r->t_eoi);
    assert_true(r->t_eoi <= r->t_deact);
}

void tf_check_accounting(const gicsim_system *s)
{
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(gicsim_system_check_invariants((gicsim_system *)s, NULL, 0), GICSIM_OK);
    size_t n = gicsim_system_record_count(s);
    uint64_t merged = 0, delivered = 0, pending = 0;
    for (size_t i = 0; i < n; i++) {
        const gicsim_irq_record *r = tf_record(s, i);
        assert_true(r->t_assert != GICSIM_TIME_NEVER);
        if (r->merged) {
            merged++;
            assert_true(r->t_ack == GICSIM_TIME_NEVER);
            assert_true(r->t_deact == GICSIM_TIME_NEVER);
        } else if (r->t_ack != GICSIM_TIME_NEVER) {
            delivered++;
            check_order(r);
            assert_true(r->t_ack <= st.sim_time);
            assert_true(r->t_deact == GICSIM_TIME_NEVER || r->t_deact <= st.sim_time);
        } else {
            pending++;
            assert_true(r->t_eoi == GICSIM_TIME_NEVER);
            assert_true(r->t_deact == GICSIM_TIME_NEVER);
        }
    }
    assert_int_equal(st.asserted, n);
    assert_int_equal(st.merged, merged);
    assert_int_equal(st.delivered, delivered);
    assert_int_equal(st.pending, pending);
    assert_int_equal(st.asserted, st.delivered + st.merged + st.pending);
    assert_int_equal(gicsim_histogram_count(gicsim_system_latency(s, UINT32_MAX)), delivered);
    uint64_t sum = 0;
    for (uint32_t i = 0; gicsim_system_latency(s, i); i++)
        sum += gicsim_histogram_count(gicsim_system_latency(s, i));
    assert_int_equal(sum, delivered);
    uint64_t exits = 0;
    for (int e = 0; e < GICSIM_EXIT__COUNT; e++)
        exits += st.exits[e];
    assert_int_equal(st.exits_total, exits);
}

void tf_check_all_completed(const gicsim_system *s, uint64_t n)
{
    gicsim_system_stats st = tf_system_stats(s);
    assert_int_equal(gicsim_system_check_invariants((gicsim_system *)s, NULL, 0), GICSIM_OK);
    assert_int_equal(gicsim_system_record_count(s), n);
    assert_int_equal(st.asserted, n);
    assert_int_equal(st.delivered, n);
    assert_int_equal(st.merged, 0);
    assert_int_equal(st.pending, 0);
    for (size_t i = 0; i < n; i++) {
        const gicsim_irq_record *r = tf_record(s, i);
        assert_false(r->merged);
        check_order(r);
        assert_true(r->t_deact != GICSIM_TIME_NEVER);
    }
}

void tf_drain(gicsim_system *s, gicsim_time_t t)
{
    gicsim_system_stop_sources(s);
    gicsim_system_run_for(s, t);
    tf_check_accounting(s);
}
