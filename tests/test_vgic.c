/* gicsim: tests of the hypervisor's software pending list and list
 * registers (models/vgic.c, KVM's vgic_flush_lr_state and
 * vgic_fold_lr_state) on states built directly, which a running system
 * reaches only rarely: the order of the software pending list when it does
 * not fit in the list registers (pending and not active first, then
 * priority, then active HW interrupts before others), what spills and the
 * ICH_HCR maintenance enables that follow, and the EOIcount handling of a
 * fold (the host deactivates the highest-priority spilled active interrupt
 * for each count, as KVM does). The vCPU is marked loaded on its PE by hand;
 * the system never runs. Includes models/sys_internal.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"
#include "sys_internal.h"

/* A GICv3 system of one PE with `nlr` list registers and one trap-inject VM
 * of one vCPU, loaded (by hand) on PE 0. */
typedef struct vfx {
    gicsim_system *s;
    sys_pe *pe;
    sys_vcpu *v;
} vfx;

static vfx vfx_new(uint32_t nlr)
{
    gicsim_system_config c = tf_system_config(GICSIM_GICV3, 1);
    c.gic.num_lrs = nlr;
    vfx f = {.s = tf_system_new(&c)};
    tf_vm_on_pe(f.s, "trap-inject", 0, true, true);
    f.pe = &f.s->pes[0];
    f.v = &f.s->vms[0]->vcpus[0];
    f.pe->vcpu = f.v;
    f.v->pe = f.pe;
    return f;
}

static void vfx_free(vfx *f)
{
    f->pe->vcpu = NULL;
    gicsim_system_destroy(f->s);
}

/* Queue SPI `vintid` of the VM on the vCPU, pending (an edge) or active. */
static vgic_irq *queue(vfx *f, uint32_t vintid, uint8_t prio, bool pending, bool active, bool hw)
{
    vgic_irq *q = vcpu_irq(f->s, f->v, vintid);
    assert_non_null(q);
    q->prio = prio;
    q->latch = pending;
    q->active = active;
    q->hw = hw;
    q->pintid = hw ? vintid : 0;
    q->rec_pending = q->rec_active = SYS_NONE;
    assert_true(vgic_ap_add(f->s, f->v, q));
    return q;
}

static uint64_t ich(vfx *f, gicsim_ich_reg r)
{
    uint64_t v = 0;
    assert_int_equal(gicsim_ich_read(f->s->gic, 0, r, &v), GICSIM_OK);
    return v;
}

/* The guest ended `n` interrupts that were in no list register: ICH_HCR's
 * EOIcount, as the virtual CPU interface counts them. */
static void guest_ended(vfx *f, uint32_t n)
{
    uint64_t hcr = ich(f, GICSIM_ICH_HCR);
    assert_int_equal(gicsim_ich_write(f->s->gic, 0, GICSIM_ICH_HCR,
                                      hcr | ((uint64_t)n << GICSIM_ICH_HCR_EOICOUNT_SHIFT)),
                     GICSIM_OK);
}

static uint32_t lr_vintid(vfx *f, unsigned n)
{
    return (uint32_t)(ich(f, (gicsim_ich_reg)(GICSIM_ICH_LR0 + n)) & GICSIM_LR_VINTID_MASK);
}

/* Four list registers, five interrupts: the two pending ones first (by
 * priority, although the active ones have higher priorities), then the
 * pending-and-active one (highest priority), then of the two active ones of
 * equal priority the HW one, although its vINTID is higher. The other
 * active one spills, which sets LRENPIE only. */
static void test_flush_order(void **state)
{
    (void)state;
    vfx f = vfx_new(4);
    queue(&f, 41, 0x40, false, true, false);                 /* active, HW=0 */
    queue(&f, 50, 0x40, false, true, true);                  /* active, HW=1 */
    queue(&f, 42, 0xA0, true, false, false);                 /* pending */
    queue(&f, 45, 0x80, true, false, false);                 /* pending, higher priority */
    vgic_irq *both = queue(&f, 47, 0x20, true, true, false); /* pending and active */
    vgic_flush(f.s, f.pe, f.v);
    assert_int_equal(lr_vintid(&f, 0), 45);
    assert_int_equal(lr_vintid(&f, 1), 42);
    assert_int_equal(lr_vintid(&f, 2), 47);
    assert_int_equal(lr_vintid(&f, 3), 50);
    assert_int_equal(both->lr, 2);
    assert_int_equal(vcpu_irq(f.s, f.v, 41)->lr, -1);
    uint64_t hcr = ich(&f, GICSIM_ICH_HCR);
    assert_true(hcr & GICSIM_ICH_HCR_LRENPIE);
    assert_false(hcr & (GICSIM_ICH_HCR_UIE | GICSIM_ICH_HCR_NPIE));
    assert_int_equal(f.s->st.lr_spills, 1);
    vgic_fold_result out = {0};
    vgic_fold(f.s, f.pe, f.v, &out);
    vfx_free(&f);
}

/* A spilled pending interrupt sets UIE (with two list registers or more)
 * and NPIE. */
static void test_flush_spilled_pending(void **state)
{
    (void)state;
    vfx f = vfx_new(2);
    queue(&f, 40, 0x80, true, false, false);
    queue(&f, 41, 0x90, true, false, false);
    queue(&f, 42, 0xA0, true, false, false);
    vgic_flush(f.s, f.pe, f.v);
    assert_int_equal(lr_vintid(&f, 0), 40);
    assert_int_equal(lr_vintid(&f, 1), 41);
    uint64_t hcr = ich(&f, GICSIM_ICH_HCR);
    assert_true(hcr & GICSIM_ICH_HCR_UIE);
    assert_true(hcr & GICSIM_ICH_HCR_NPIE);
    assert_false(hcr & GICSIM_ICH_HCR_LRENPIE);
    vgic_fold_result out = {0};
    vgic_fold(f.s, f.pe, f.v, &out);
    vfx_free(&f);
}

/* EOIcount at a fold: for each count the host deactivates the spilled
 * active interrupt of highest priority (wherever it is in the list), and
 * only spilled ones: an active interrupt in a list register was the
 * guest's to end there. */
static void test_fold_eoicount_deactivates_highest_priority(void **state)
{
    (void)state;
    vfx f = vfx_new(1);
    vgic_irq *in_lr = queue(&f, 39, 0x10, false, true, false);
    vgic_irq *a = queue(&f, 40, 0xC0, false, true, false);
    vgic_irq *b = queue(&f, 41, 0x60, false, true, false);
    vgic_irq *c = queue(&f, 42, 0xA0, false, true, false);
    vgic_flush(f.s, f.pe, f.v);
    assert_int_equal(in_lr->lr, 0);
    guest_ended(&f, 1);
    vgic_fold_result out = {0};
    vgic_fold(f.s, f.pe, f.v, &out);
    assert_false(b->active);
    assert_true(a->active && c->active && in_lr->active);
    assert_int_equal(ich(&f, GICSIM_ICH_HCR), 0); /* disabled, the count consumed */
    /* Two more: 42 (0xA0), then 40 (0xC0); the one in the list register stays. */
    vgic_flush(f.s, f.pe, f.v);
    guest_ended(&f, 2);
    vgic_fold(f.s, f.pe, f.v, &out);
    assert_false(a->active || c->active);
    assert_true(in_lr->active);
    /* A count with nothing spilled deactivates nothing. */
    vgic_flush(f.s, f.pe, f.v);
    guest_ended(&f, 3);
    vgic_fold(f.s, f.pe, f.v, &out);
    assert_true(in_lr->active);
    vfx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flush_order),
        cmocka_unit_test(test_flush_spilled_pending),
        cmocka_unit_test(test_fold_eoicount_deactivates_highest_priority),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
