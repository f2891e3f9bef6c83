/* gicsim: tests of the GICv3 virtual CPU interface (ICH_*_EL2 and ICV_*_EL1):
 * list registers, virtual prioritization and preemption, acknowledge / EOI /
 * deactivate, HW=1 physical deactivation, the maintenance interrupt and its
 * conditions, the register fields and their errors.
 *
 * Every test starts from the Linux-like physical setup of gicsim_gic_os_init
 * on a default 4-PE GIC (5 priority bits: preemption levels of 8, minimum
 * VBPR0 2 and VBPR1 3; 4 list registers) and uses only the public API. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/gicsim.h>

#include "support/fixtures.h"

#define SPURIOUS GICSIM_INTID_SPURIOUS
#define PEND GICSIM_LR_STATE_PENDING
#define ACT GICSIM_LR_STATE_ACTIVE
#define INVALID GICSIM_LR_STATE_INVALID
#define LR(n) ((gicsim_ich_reg)(GICSIM_ICH_LR0 + (n)))
#define EOICOUNT(hcr) (((hcr) >> GICSIM_ICH_HCR_EOICOUNT_SHIFT) & 0x1Fu)
/* The usual guest setup, tf_vcpu_on(g, pe, VPMR_OPEN): En=1, VENG1=1,
 * VPMR=0xF8 (everything unmasked with 5 priority bits), binary points at
 * their minimum, VEOIM=0. */
#define VPMR_OPEN 0xF8

/* ---- fixture -------------------------------------------------------------- */

/* A GIC with an event log and a log of its vIRQ/vFIQ outputs
 * (support/fixtures.h). */
typedef tf_gic_fx fx;

/* ---- helpers ---------------------------------------------------------------- */

static unsigned lr_state_of(fx *f, uint32_t pe, unsigned n)
{
    return (unsigned)(tf_ich_rd(f->g, pe, LR(n)) >> GICSIM_LR_STATE_SHIFT) & 3u;
}

/* A Group 1 software interrupt (HW=0, EOI=0). */
static void lr_g1(fx *f, uint32_t pe, unsigned n, uint32_t vintid, uint8_t prio, uint64_t st)
{
    tf_ich_wr(f->g, pe, LR(n), gicsim_lr_value(vintid, prio, true, false, 0, st));
}

static void enable_ppi(fx *f, uint32_t pe, uint32_t intid)
{
    assert_int_equal(gicsim_gicr_write(f->g, pe, GICSIM_GICR_ISENABLER0, 4, 1u << intid),
                     GICSIM_OK);
}

/* ---- list register encoding --------------------------------------------------- */

static void test_lr_value_fields(void **state)
{
    fx *f = *state;
    uint64_t v = gicsim_lr_value(0x1234, 0xA8, true, false, 1, PEND);
    assert_int_equal(v & GICSIM_LR_VINTID_MASK, 0x1234);
    assert_int_equal((v >> GICSIM_LR_PRIORITY_SHIFT) & 0xFF, 0xA8);
    assert_true(v & GICSIM_LR_GROUP);
    assert_false(v & GICSIM_LR_HW);
    assert_true(v & GICSIM_LR_EOI);
    assert_int_equal(v >> GICSIM_LR_STATE_SHIFT, PEND);
    assert_int_equal(v & GICSIM_LR_PINTID_MASK & ~GICSIM_LR_EOI, 0);

    v = gicsim_lr_value(27, 0x10, false, true, 27, ACT);
    assert_true(v & GICSIM_LR_HW);
    assert_false(v & GICSIM_LR_GROUP);
    assert_int_equal((v & GICSIM_LR_PINTID_MASK) >> GICSIM_LR_PINTID_SHIFT, 27);
    assert_int_equal(v >> GICSIM_LR_STATE_SHIFT, ACT);

    /* HW=0 with EOI=0: bits [44:32] stay clear. */
    v = gicsim_lr_value(5, 0, false, false, 0, GICSIM_LR_STATE_PENDING_ACTIVE);
    assert_int_equal(v & GICSIM_LR_PINTID_MASK, 0);
    assert_int_equal(v >> GICSIM_LR_STATE_SHIFT, 3);

    /* Written values read back; the RES0 bits ([59:56], [47:45]) and the
     * vINTID bits above the 16 implemented ones do not. */
    uint64_t w = gicsim_lr_value(40, 0x80, true, true, 0x1FFF, PEND);
    tf_ich_wr(f->g, 0, LR(2), w | (0xFull << 56) | (7ull << 45) | 0xFFFF0000ull);
    assert_int_equal(tf_ich_rd(f->g, 0, LR(2)), w);
}

/* ---- signalling ------------------------------------------------------------------ */

/* A pending Group 1 list register raises vIRQ (not vFIQ, not the physical
 * IRQ), reports VSIGNAL once, and tells the vline listeners. */
static void test_lr_write_raises_virq(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 1, VPMR_OPEN);
    assert_false(gicsim_gic_virq_line(f->g, 1));
    assert_int_equal(f->lines.n, 0);

    lr_g1(f, 1, 0, 40, 0x80, PEND);
    assert_true(gicsim_gic_virq_line(f->g, 1));
    assert_false(gicsim_gic_vfiq_line(f->g, 1));
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_false(gicsim_gic_irq_line(f->g, 1));
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, 1, 40), 1);
    assert_int_equal(f->lines.n, 1);
    assert_int_equal(f->lines.v[0].pe, 1);
    assert_true(f->lines.v[0].irq);
    assert_false(f->lines.v[0].fiq);

    /* An unrelated change re-evaluates without a new VSIGNAL or line change. */
    lr_g1(f, 1, 1, 41, 0xC0, PEND);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, TF_ANY, TF_ANY), 1);
    assert_int_equal(f->lines.n, 1);

    /* A higher-priority one replaces the presented interrupt: new VSIGNAL. */
    lr_g1(f, 1, 2, 42, 0x40, PEND);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, 1, 42), 1);
    assert_int_equal(f->lines.n, 1);

    /* Emptying the list registers drops the line. */
    for (unsigned n = 0; n < 3; n++)
        tf_ich_wr(f->g, 1, LR(n), 0);
    assert_false(gicsim_gic_virq_line(f->g, 1));
    assert_int_equal(f->lines.n, 2);
    assert_false(f->lines.v[1].irq);
}

/* Group 0 is signalled as vFIQ and acknowledged through ICV_IAR0 only. */
static void test_group0_vfiq(void **state)
{
    fx *f = *state;
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR,
              GICSIM_ICH_VMCR_VENG0 | (0xF8ull << GICSIM_ICH_VMCR_VPMR_SHIFT));
    tf_ich_wr(f->g, 0, LR(0), gicsim_lr_value(20, 0x60, false, false, 0, PEND));
    assert_true(gicsim_gic_vfiq_line(f->g, 0));
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_HPPIR1), SPURIOUS);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_HPPIR0), 20);
    assert_int_equal(tf_viar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_gic_stats(f->g).v_spurious_acks, 1);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_IAR0), 20);
    /* Group 0 uses VBPR0+1 = 3: group priority 0x60, bit 0x60 >> 3 = 12. */
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP0R0), 1u << 12);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0), 0);
    assert_false(gicsim_gic_vfiq_line(f->g, 0));
    tf_icv_wr(f->g, 0, GICSIM_ICC_EOIR0, 20);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP0R0), 0);
    assert_int_equal(lr_state_of(f, 0, 0), INVALID);
}

/* ICV_IAR1 takes the highest priority (priorities compared on the
 * implemented bits), ties going to the lowest list register; the LR becomes
 * active and ICH_AP1R0 gets the bit of its group priority. */
static void test_iar_highest_priority_lowest_lr(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    lr_g1(f, 0, 0, 50, 0x90, PEND);
    lr_g1(f, 0, 1, 51, 0x47, PEND); /* 0x40 on the 5 implemented bits */
    lr_g1(f, 0, 2, 52, 0x40, PEND);
    lr_g1(f, 0, 3, 53, 0x48, PEND);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, 0, 51), 1);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_HPPIR1), 51);

    assert_int_equal(tf_viar1(f->g, 0), 51);
    assert_int_equal(lr_state_of(f, 0, 1), ACT);
    assert_int_equal(lr_state_of(f, 0, 2), PEND);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0), 1u << (0x40 >> 3));
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x40);
    assert_int_equal(tf_gic_stats(f->g).v_acks, 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VACK, 0, 51), 1);
    /* 52 has the same group priority: it cannot preempt. */
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), SPURIOUS);

    tf_veoi1(f->g, 0, 51);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, 0, 52), 1);
    assert_int_equal(tf_viar1(f->g, 0), 52);
    tf_veoi1(f->g, 0, 52);
    assert_int_equal(tf_viar1(f->g, 0), 53);
    tf_veoi1(f->g, 0, 53);
    assert_int_equal(tf_viar1(f->g, 0), 50);
    tf_veoi1(f->g, 0, 50);
    assert_int_equal(tf_viar1(f->g, 0), SPURIOUS);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.v_acks, 4);
    assert_int_equal(s.v_deactivations, 4);
    assert_int_equal(s.v_spurious_acks, 2);
}

/* Only priorities strictly higher than VPMR are signalled. */
static void test_vpmr_masks(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR,
              GICSIM_ICH_VMCR_VENG1 | (0x80ull << GICSIM_ICH_VMCR_VPMR_SHIFT));
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_gic_stats(f->g).v_spurious_acks, 1);
    assert_int_equal(lr_state_of(f, 0, 0), PEND);
    /* ICV_HPPIR is not masked by VPMR. */
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_HPPIR1), 40);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, TF_ANY, TF_ANY), 0);

    /* The guest's ICV_PMR is VPMR; unimplemented bits read as zero. */
    tf_icv_wr(f->g, 0, GICSIM_ICC_PMR, 0x8F);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_PMR), 0x88);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR) >> GICSIM_ICH_VMCR_VPMR_SHIFT, 0x88);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), 40);
}

/* VENG1=0: Group 1 list registers are neither signalled nor acknowledged. */
static void test_veng1_disabled(void **state)
{
    fx *f = *state;
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR, 0xF8ull << GICSIM_ICH_VMCR_VPMR_SHIFT);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_false(gicsim_gic_vfiq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), SPURIOUS);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_HPPIR1), SPURIOUS);
    assert_int_equal(lr_state_of(f, 0, 0), PEND);
    /* The guest enables Group 1 through ICV_IGRPEN1. */
    tf_icv_wr(f->g, 0, GICSIM_ICC_IGRPEN1, 1);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR) & GICSIM_ICH_VMCR_VENG1,
                     GICSIM_ICH_VMCR_VENG1);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    tf_icv_wr(f->g, 0, GICSIM_ICC_IGRPEN1, 0);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_IGRPEN1), 0);
    assert_false(gicsim_gic_virq_line(f->g, 0));
}

/* Preemption compares group priorities: with VBPR1 = 7 (group priority is
 * bit 7 only) 0x20 cannot preempt an active 0x40 although its priority is
 * higher; with VBPR1 = 5 (bits [7:5]) it can. 0x50 never preempts 0x40. */
static void test_preemption_by_group_priority(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_icv_wr(f->g, 0, GICSIM_ICC_BPR1, 7);
    lr_g1(f, 0, 0, 40, 0x40, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x00);
    lr_g1(f, 0, 1, 41, 0x20, PEND);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), SPURIOUS);
    tf_veoi1(f->g, 0, 40);
    assert_int_equal(tf_viar1(f->g, 0), 41);
    tf_veoi1(f->g, 0, 41);

    tf_icv_wr(f->g, 0, GICSIM_ICC_BPR1, 5);
    lr_g1(f, 0, 0, 40, 0x40, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x40);
    lr_g1(f, 0, 2, 42, 0x50, PEND);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    lr_g1(f, 0, 1, 41, 0x20, PEND);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), 41);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x20);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0),
                     (1u << (0x40 >> 3)) | (1u << (0x20 >> 3)));
    assert_false(gicsim_gic_virq_line(f->g, 0));
    /* Dropping 41 returns to 40's running priority: 42 still waits. */
    tf_veoi1(f->g, 0, 41);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x40);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    tf_veoi1(f->g, 0, 40);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), 42);
}

/* VCBPR=1: Group 1 uses VBPR0's split (VBPR0+1). With VBPR0 = 4 the group
 * priority is bits [7:5], so 0x30 (group priority 0x20) preempts an active
 * 0x40, while with VCBPR=0 and VBPR1 = 7 it would not. */
static void test_vcbpr_preemption(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_icv_wr(f->g, 0, GICSIM_ICC_BPR1, 7);
    tf_icv_wr(f->g, 0, GICSIM_ICC_BPR0, 4);
    lr_g1(f, 0, 0, 40, 0x40, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x00);
    tf_veoi1(f->g, 0, 40);

    tf_icv_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_CBPR);
    assert_true(tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR) & GICSIM_ICH_VMCR_VCBPR);
    lr_g1(f, 0, 0, 40, 0x40, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x40);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0), 1u << (0x40 >> 3));
    lr_g1(f, 0, 1, 41, 0x30, PEND);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), 41);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x20);
}

/* ---- EOI and deactivation ---------------------------------------------------------- */

/* If several list registers hold the vINTID in an active state (which the
 * hypervisor should avoid), deactivation takes the highest-priority one,
 * then the lowest index. */
static void test_deactivate_picks_highest_priority_lr(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_icv_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE);
    lr_g1(f, 0, 0, 40, 0x90, ACT);
    lr_g1(f, 0, 1, 40, 0x50, ACT);
    lr_g1(f, 0, 2, 40, 0x50, GICSIM_LR_STATE_PENDING_ACTIVE);
    lr_g1(f, 0, 3, 40, 0x10, PEND); /* not active: never deactivated */
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 40);
    assert_int_equal(lr_state_of(f, 0, 1), INVALID);
    assert_int_equal(lr_state_of(f, 0, 0), ACT);
    assert_int_equal(lr_state_of(f, 0, 2), GICSIM_LR_STATE_PENDING_ACTIVE);
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 40);
    assert_int_equal(lr_state_of(f, 0, 2), PEND);
    assert_int_equal(lr_state_of(f, 0, 0), ACT);
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 40);
    assert_int_equal(lr_state_of(f, 0, 0), INVALID);
    assert_int_equal(lr_state_of(f, 0, 3), PEND);
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 40);
    assert_int_equal(tf_gic_stats(f->g).v_deactivations, 3);
    assert_int_equal(tf_gic_stats(f->g).v_eoicount, 1);
}

/* VEOIM=0: EOIR drops the priority and deactivates (the LR becomes invalid). */
static void test_eoi_veoim0_deactivates(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    lr_g1(f, 0, 3, 40, 0x80, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    tf_veoi1(f->g, 0, 40);
    assert_int_equal(lr_state_of(f, 0, 3), INVALID);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0), 0);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VPRIO_DROP, 0, 40), 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VDEACTIVATE, 0, 40), 1);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.v_deactivations, 1);
    assert_int_equal(s.v_eoicount, 0);
    /* The special INTIDs are ignored. */
    tf_veoi1(f->g, 0, 1023);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, s.ignored_ops + 1);
    assert_int_equal(tf_gic_stats(f->g).v_eoicount, 0);
}

/* VEOIM=1: EOIR only drops the priority; DIR deactivates. */
static void test_eoi_veoim1_drop_then_dir(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_icv_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_CTLR) & 3u, GICSIM_ICC_CTLR_EOIMODE);
    assert_true(tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR) & GICSIM_ICH_VMCR_VEOIM);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    lr_g1(f, 0, 1, 41, 0x90, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    tf_veoi1(f->g, 0, 40);
    assert_int_equal(lr_state_of(f, 0, 0), ACT);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0), 0);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VDEACTIVATE, TF_ANY, TF_ANY), 0);
    /* The priority is dropped: 41 can be taken while 40 is still active. */
    assert_true(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), 41);
    tf_veoi1(f->g, 0, 41);
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 40);
    assert_int_equal(lr_state_of(f, 0, 0), INVALID);
    assert_int_equal(lr_state_of(f, 0, 1), ACT);
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 41);
    assert_int_equal(lr_state_of(f, 0, 1), INVALID);
    assert_int_equal(tf_gic_stats(f->g).v_deactivations, 2);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VDEACTIVATE, 0, 40), 1);
}

/* VEOIM=0: DIR is UNPREDICTABLE; the model ignores and counts it. */
static void test_dir_veoim0_ignored(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    uint64_t ignored = tf_gic_stats(f->g).ignored_ops;
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 40);
    assert_int_equal(lr_state_of(f, 0, 0), ACT);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, ignored + 1);
    assert_int_equal(tf_gic_stats(f->g).v_deactivations, 0);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 0);
}

/* TDIR=1: the DIR traps to EL2: GICSIM_E_STATE and no effect at all. */
static void test_dir_tdir_traps(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_TDIR);
    tf_icv_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    tf_veoi1(f->g, 0, 40);
    gicsim_gic_stats before = tf_gic_stats(f->g);
    assert_int_equal(gicsim_icv_write(f->g, 0, GICSIM_ICC_DIR, 40), GICSIM_E_STATE);
    /* Nor for a vINTID in no list register (no EOIcount increment). */
    assert_int_equal(gicsim_icv_write(f->g, 0, GICSIM_ICC_DIR, 77), GICSIM_E_STATE);
    assert_int_equal(lr_state_of(f, 0, 0), ACT);
    gicsim_gic_stats after = tf_gic_stats(f->g);
    assert_int_equal(after.v_deactivations, before.v_deactivations);
    assert_int_equal(after.v_eoicount, before.v_eoicount);
    assert_int_equal(after.ignored_ops, before.ignored_ops);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 0);
    /* Clearing TDIR lets it through. */
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN);
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 40);
    assert_int_equal(lr_state_of(f, 0, 0), INVALID);
}

/* HW=1: the guest's deactivation deactivates the physical interrupt. The
 * host takes PPI 27 with EOImode=1 and only drops its priority, so it stays
 * active, then hands it to the guest as vINTID 27 with pINTID 27. */
static void test_hw_deactivates_physical(void **state)
{
    fx *f = *state;
    const uint32_t pe = 2;
    enable_ppi(f, pe, GICSIM_PPI_VTIMER);
    assert_int_equal(gicsim_icc_write(f->g, pe, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE),
                     GICSIM_OK);
    assert_int_equal(gicsim_gic_set_line(f->g, pe, GICSIM_PPI_VTIMER, true), GICSIM_OK);
    tf_settle(f->e);
    uint64_t v;
    assert_int_equal(gicsim_icc_read(f->g, pe, GICSIM_ICC_IAR1, &v), GICSIM_OK);
    assert_int_equal(v, GICSIM_PPI_VTIMER);
    /* The timer condition goes away (the hypervisor masks the timer). */
    assert_int_equal(gicsim_gic_set_line(f->g, pe, GICSIM_PPI_VTIMER, false), GICSIM_OK);
    assert_int_equal(gicsim_icc_write(f->g, pe, GICSIM_ICC_EOIR1, GICSIM_PPI_VTIMER), GICSIM_OK);
    assert_int_equal(tf_irq_state(f->g, pe, GICSIM_PPI_VTIMER), GICSIM_IRQ_ACTIVE);

    tf_vcpu_on(f->g, pe, VPMR_OPEN);
    tf_ich_wr(f->g, pe, LR(0), gicsim_lr_value(27, 0xA0, true, true, GICSIM_PPI_VTIMER, PEND));
    assert_true(gicsim_gic_virq_line(f->g, pe));
    assert_int_equal(tf_viar1(f->g, pe), 27);
    assert_int_equal(tf_irq_state(f->g, pe, GICSIM_PPI_VTIMER), GICSIM_IRQ_ACTIVE);
    uint64_t deact = tf_gic_stats(f->g).deactivations;
    tf_veoi1(f->g, pe, 27);
    assert_int_equal(lr_state_of(f, pe, 0), INVALID);
    assert_int_equal(tf_irq_state(f->g, pe, GICSIM_PPI_VTIMER), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_gic_stats(f->g).deactivations, deact + 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_DEACTIVATE, pe, GICSIM_PPI_VTIMER), 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VDEACTIVATE, pe, 27), 1);
    /* HW=1 never asks for an EOI maintenance interrupt: the LR is empty. */
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_EISR), 0);
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_ELRSR) & 1u, 1u);
}

/* ---- maintenance ----------------------------------------------------------------- */

/* HW=0 EOI=1: after the deactivation the LR shows in EISR, MISR.EOI is set
 * and PPI 25 of that PE is asserted (level); clearing the LR removes it. */
static void test_eoi_maintenance(void **state)
{
    fx *f = *state;
    const uint32_t pe = 1;
    tf_vcpu_on(f->g, pe, VPMR_OPEN);
    tf_ich_wr(f->g, pe, LR(1), gicsim_lr_value(40, 0x80, true, false, 1, PEND));
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_EISR), 0);
    assert_int_equal(tf_viar1(f->g, pe), 40);
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_MISR), 0);
    tf_veoi1(f->g, pe, 40);
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_EISR), 1u << 1);
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_ELRSR), 0xDu); /* LRs 0, 2, 3 */
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_MISR), GICSIM_ICH_MISR_EOI);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_MAINTENANCE, pe, GICSIM_ICH_MISR_EOI), 1);
    assert_int_equal(tf_irq_state(f->g, pe, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_PENDING);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);

    /* With PPI 25 enabled the physical IRQ rises after the hops. */
    enable_ppi(f, pe, GICSIM_PPI_MAINTENANCE);
    assert_false(gicsim_gic_irq_line(f->g, pe));
    tf_settle(f->e);
    assert_true(gicsim_gic_irq_line(f->g, pe));
    uint64_t v;
    assert_int_equal(gicsim_icc_read(f->g, pe, GICSIM_ICC_HPPIR1, &v), GICSIM_OK);
    assert_int_equal(v, GICSIM_PPI_MAINTENANCE);

    /* The hypervisor handles it: clearing the LR drops the level. */
    tf_ich_wr(f->g, pe, LR(1), 0);
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_EISR), 0);
    assert_int_equal(tf_ich_rd(f->g, pe, GICSIM_ICH_MISR), 0);
    assert_int_equal(tf_irq_state(f->g, pe, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);
    tf_settle(f->e);
    assert_false(gicsim_gic_irq_line(f->g, pe));
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 1);
}

/* A hypervisor model that handles the maintenance interrupt synchronously,
 * from the observer callback, by emptying the list registers in EISR. */
typedef struct sync_hyp {
    gicsim_gic *g;
    unsigned calls;
} sync_hyp;

static void sync_hyp_observe(void *ctx, const gicsim_gic_event *ev)
{
    sync_hyp *h = ctx;
    if (ev->kind != GICSIM_GEV_MAINTENANCE)
        return;
    h->calls++;
    uint64_t eisr = 0;
    assert_int_equal(gicsim_ich_read(h->g, ev->pe, GICSIM_ICH_EISR, &eisr), GICSIM_OK);
    for (unsigned n = 0; n < 4; n++)
        if (eisr & (1u << n))
            assert_int_equal(gicsim_ich_write(h->g, ev->pe, LR(n), 0), GICSIM_OK);
}

/* The model may be reentered from an observer: the maintenance line ends at
 * the level of the final state. */
static void test_reentrant_maintenance_handler(void **state)
{
    fx *f = *state;
    sync_hyp h = {f->g, 0};
    assert_int_equal(gicsim_gic_add_observer(f->g, sync_hyp_observe, &h), GICSIM_OK);
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_ich_wr(f->g, 0, LR(0), gicsim_lr_value(40, 0x80, true, false, 1, PEND));
    assert_int_equal(tf_viar1(f->g, 0), 40);
    tf_veoi1(f->g, 0, 40);
    assert_int_equal(h.calls, 1);
    assert_int_equal(tf_ich_rd(f->g, 0, LR(0)), 0);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 1);
}

/* U: UIE and at most one valid list register. */
static void test_underflow(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    lr_g1(f, 0, 2, 42, 0x80, ACT);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_UIE);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR) & GICSIM_ICH_MISR_U, 0);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 0);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);

    tf_ich_wr(f->g, 0, LR(2), 0); /* one valid */
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_U);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 1);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_MAINTENANCE, 0, GICSIM_ICH_MISR_U), 1);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_PENDING);

    tf_ich_wr(f->g, 0, LR(0), 0); /* none valid: still U, no new edge */
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_U);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 1);

    lr_g1(f, 0, 0, 40, 0x80, PEND);
    lr_g1(f, 0, 1, 41, 0x80, PEND); /* two valid */
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);

    /* Without UIE there is no U. */
    tf_ich_wr(f->g, 0, LR(1), 0);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 2);
}

/* NP: NPIE and no list register in the pending state. */
static void test_no_pending(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_NPIE);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_NP);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 1);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);
    /* Acknowledged (active, not pending): NP again. */
    assert_int_equal(tf_viar1(f->g, 0), 40);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_NP);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 2);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_PENDING);
    /* Pending and active counts as not pending. */
    lr_g1(f, 0, 0, 40, 0x80, GICSIM_LR_STATE_PENDING_ACTIVE);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_NP);
}

/* LRENP: an EOI for a vINTID in no list register increments EOIcount
 * (written back by the hypervisor), and LRENPIE turns that into maintenance. */
static void test_eoicount_lrenp(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_LRENPIE);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    assert_int_equal(tf_viar1(f->g, 0), 40);
    /* The hypervisor evicts the active interrupt, keeping ICH_AP1R0. */
    tf_ich_wr(f->g, 0, LR(0), 0);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    tf_veoi1(f->g, 0, 40);
    uint64_t hcr = tf_ich_rd(f->g, 0, GICSIM_ICH_HCR);
    assert_int_equal(EOICOUNT(hcr), 1);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0), 0); /* the priority was dropped */
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_LRENP);
    gicsim_gic_stats s = tf_gic_stats(f->g);
    assert_int_equal(s.v_eoicount, 1);
    assert_int_equal(s.v_deactivations, 0);
    assert_int_equal(s.maintenance_irqs, 1);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_PENDING);

    /* The hypervisor consumes the count. */
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, hcr & ~(0x1Full << GICSIM_ICH_HCR_EOICOUNT_SHIFT));
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);

    /* The 5-bit field wraps. Without LRENPIE a nonzero count is no
     * maintenance condition. */
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR,
              GICSIM_ICH_HCR_EN | (31ull << GICSIM_ICH_HCR_EOICOUNT_SHIFT));
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 31);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    tf_veoi1(f->g, 0, 41);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 0);

    /* DIR with VEOIM=1 for an absent vINTID counts too. */
    tf_icv_wr(f->g, 0, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE);
    tf_icv_wr(f->g, 0, GICSIM_ICC_DIR, 42);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 1);
    /* EOIR with VEOIM=1 does not. */
    tf_veoi1(f->g, 0, 43);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 1);
    assert_int_equal(tf_gic_stats(f->g).v_eoicount, 3);
}

/* EOIcount is 5 bits: counting goes on past 15 (16, 17, ...) and wraps
 * only from 31 to 0. */
static void test_eoicount_past_15(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    for (uint32_t k = 1; k <= 17; k++) {
        tf_veoi1(f->g, 0, 40); /* in no list register */
        assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), k);
    }
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR,
              GICSIM_ICH_HCR_EN | (15ull << GICSIM_ICH_HCR_EOICOUNT_SHIFT));
    tf_veoi1(f->g, 0, 40);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 16);
    assert_int_equal(tf_gic_stats(f->g).v_eoicount, 18);
}

/* GICv4.1 ICH_HCR.vSGIEOICount: the EOI of an SGI (vINTID 0..15) that is in
 * no list register is not counted; vINTID 16, a PPI, still is. */
static void test_vsgieoicount_limit(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = GICSIM_GICV4_1;
    tf_gic_fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_NONE);
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_VSGIEOICOUNT);
    tf_veoi1(f->g, 0, 0);
    tf_veoi1(f->g, 0, 15);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 0);
    tf_veoi1(f->g, 0, 16);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 1);
    /* Without it, SGIs count like the others. */
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN);
    tf_veoi1(f->g, 0, 15);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 1);
    assert_int_equal(tf_gic_stats(f->g).v_eoicount, 2);
    tf_gic_fx_free(f);
}

/* A HW=0 list register's deactivation stays virtual: the bits where a HW=1
 * entry keeps its pINTID hold nothing to deactivate (here they read 0, and
 * physical SGI 0 of the PE is active). */
static void test_hw0_deactivation_stays_virtual(void **state)
{
    fx *f = *state;
    const uint32_t pe = 1;
    assert_int_equal(gicsim_icc_write(f->g, pe, GICSIM_ICC_CTLR, GICSIM_ICC_CTLR_EOIMODE),
                     GICSIM_OK);
    tf_icc_wr(f->g, 0, GICSIM_ICC_SGI1R, gicsim_icc_sgir_value(0, 1u << pe, 0, 0, 0, 0, false));
    tf_settle(f->e);
    assert_int_equal(tf_iar1(f->g, pe), 0);
    tf_eoi1(f->g, pe, 0); /* EOImode 1: a priority drop, SGI 0 stays active */
    assert_int_equal(tf_irq_state(f->g, pe, 0), GICSIM_IRQ_ACTIVE);
    tf_vcpu_on(f->g, pe, VPMR_OPEN);
    lr_g1(f, pe, 0, 40, 0x80, PEND);
    assert_int_equal(tf_viar1(f->g, pe), 40);
    uint64_t deact = tf_gic_stats(f->g).deactivations;
    tf_veoi1(f->g, pe, 40);
    assert_int_equal(lr_state_of(f, pe, 0), INVALID);
    assert_int_equal(tf_irq_state(f->g, pe, 0), GICSIM_IRQ_ACTIVE);
    assert_int_equal(tf_gic_stats(f->g).deactivations, deact);
}

/* vLPIs have no active state: acknowledging one leaves its LR invalid, and
 * the EOI of an LPI never counts in EOIcount. */
static void test_vlpi_no_active_state(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    lr_g1(f, 0, 0, GICSIM_LPI_BASE + 5, 0x80, PEND);
    assert_int_equal(tf_viar1(f->g, 0), GICSIM_LPI_BASE + 5);
    assert_int_equal(lr_state_of(f, 0, 0), INVALID);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x80);
    tf_veoi1(f->g, 0, GICSIM_LPI_BASE + 5);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0xFF);
    assert_int_equal(EOICOUNT(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR)), 0);
    assert_int_equal(tf_gic_stats(f->g).v_eoicount, 0);
    assert_int_equal(tf_gic_stats(f->g).v_acks, 1);
}

/* VGrp0E/VGrp0D/VGrp1E/VGrp1D follow VENG0/VENG1 under their enables. */
static void test_vgrp_conditions(void **state)
{
    fx *f = *state;
    const uint32_t all = GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_VGRP0EIE | GICSIM_ICH_HCR_VGRP0DIE |
                         GICSIM_ICH_HCR_VGRP1EIE | GICSIM_ICH_HCR_VGRP1DIE;
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, all);
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR, 0);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR),
                     GICSIM_ICH_MISR_VGRP0D | GICSIM_ICH_MISR_VGRP1D);
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR, GICSIM_ICH_VMCR_VENG0);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR),
                     GICSIM_ICH_MISR_VGRP0E | GICSIM_ICH_MISR_VGRP1D);
    tf_icv_wr(f->g, 0, GICSIM_ICC_IGRPEN1, 1);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR),
                     GICSIM_ICH_MISR_VGRP0E | GICSIM_ICH_MISR_VGRP1E);
    tf_icv_wr(f->g, 0, GICSIM_ICC_IGRPEN0, 0);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR),
                     GICSIM_ICH_MISR_VGRP0D | GICSIM_ICH_MISR_VGRP1E);
    /* Each condition needs its own enable. */
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_VGRP1EIE);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_VGRP1E);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_VGRP0EIE);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_VGRP0DIE);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_VGRP0D);
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_VGRP1DIE);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), 0);
    /* Rising edges of the maintenance line: the first HCR write (the line
     * then stays high through the VMCR changes), and VGrp0DIE after the
     * VGrp0EIE write took it low. */
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 2);
}

/* ELRSR and EISR partition the invalid list registers. */
static void test_elrsr_eisr(void **state)
{
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.num_lrs = 8;
    fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_VIRT);
    (void)state;
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_ELRSR), 0xFF);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_EISR), 0);
    tf_ich_wr(f->g, 0, LR(0), gicsim_lr_value(40, 0x80, true, false, 1, INVALID)); /* EOI owed */
    tf_ich_wr(f->g, 0, LR(1),
              gicsim_lr_value(41, 0x80, true, true, 0x200, INVALID)); /* HW, bit 41 */
    tf_ich_wr(f->g, 0, LR(2), gicsim_lr_value(42, 0x80, true, false, 1, PEND));
    tf_ich_wr(f->g, 0, LR(3), gicsim_lr_value(43, 0x80, true, false, 0, ACT));
    tf_ich_wr(f->g, 0, LR(4), gicsim_lr_value(44, 0x80, true, false, 0, INVALID));
    tf_ich_wr(f->g, 0, LR(5), gicsim_lr_value(45, 0x80, true, false, 1, INVALID)); /* EOI owed */
    tf_ich_wr(f->g, 0, LR(6),
              gicsim_lr_value(46, 0x80, false, false, 1, GICSIM_LR_STATE_PENDING_ACTIVE));
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_EISR), (1u << 0) | (1u << 5));
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_ELRSR), (1u << 1) | (1u << 4) | (1u << 7));
    /* En=0: MISR.EOI reads set, but no maintenance interrupt. */
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_EOI);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 0);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);
    tf_gic_fx_free(f);
}

/* En=0: nothing is signalled or acknowledged and the maintenance interrupt
 * stays low; setting En presents both. */
static void test_en0_disables(void **state)
{
    fx *f = *state;
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR,
              GICSIM_ICH_VMCR_VENG1 | (0xF8ull << GICSIM_ICH_VMCR_VPMR_SHIFT));
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_UIE);
    lr_g1(f, 0, 0, 40, 0x80, PEND);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_viar1(f->g, 0), SPURIOUS);
    assert_int_equal(lr_state_of(f, 0, 0), PEND);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_MISR), GICSIM_ICH_MISR_U);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 0);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, TF_ANY, TF_ANY), 0);
    assert_int_equal(f->lines.n, 0);

    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_UIE | GICSIM_ICH_HCR_EN);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_ev_count(&f->ev, GICSIM_GEV_VSIGNAL, 0, 40), 1);
    assert_int_equal(tf_gic_stats(f->g).maintenance_irqs, 1);
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_PENDING);

    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, GICSIM_ICH_HCR_UIE);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE), GICSIM_IRQ_INACTIVE);
}

/* ---- registers --------------------------------------------------------------------- */

static uint64_t vtr_of(gicsim_gic_version version, uint32_t num_lrs, uint8_t priority_bits)
{
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    cfg.version = version;
    cfg.num_lrs = num_lrs;
    cfg.priority_bits = priority_bits;
    fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_VIRT);
    uint64_t v = tf_ich_rd(f->g, 0, GICSIM_ICH_VTR);
    tf_gic_fx_free(f);
    return v;
}

static void test_vtr_fields(void **state)
{
    (void)state;
    /* ListRegs[4:0], nV4[20], PREbits[28:26], PRIbits[31:29]; IDbits 0. */
    assert_int_equal(vtr_of(GICSIM_GICV3, 4, 5), 3u | (1u << 20) | (4u << 26) | (4u << 29));
    assert_int_equal(vtr_of(GICSIM_GICV3, 16, 5), 15u | (1u << 20) | (4u << 26) | (4u << 29));
    assert_int_equal(vtr_of(GICSIM_GICV4_0, 16, 8), 15u | (6u << 26) | (7u << 29));
    assert_int_equal(vtr_of(GICSIM_GICV4_1, 1, 6), 0u | (5u << 26) | (5u << 29));
}

static void test_read_only_and_ranges(void **state)
{
    fx *f = *state;
    uint64_t v;
    uint64_t vtr = tf_ich_rd(f->g, 0, GICSIM_ICH_VTR);
    uint64_t wi = tf_gic_stats(f->g).raz_wi_writes;
    tf_ich_wr(f->g, 0, GICSIM_ICH_VTR, 0);
    tf_ich_wr(f->g, 0, GICSIM_ICH_MISR, 0xFF);
    tf_ich_wr(f->g, 0, GICSIM_ICH_EISR, 0xF);
    tf_ich_wr(f->g, 0, GICSIM_ICH_ELRSR, 0);
    assert_int_equal(tf_gic_stats(f->g).raz_wi_writes, wi + 4);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_VTR), vtr);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_ELRSR), 0xF);

    /* 4 list registers: LR4..LR15 do not exist. */
    assert_int_equal(gicsim_ich_read(f->g, 0, LR(4), &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_ich_write(f->g, 0, LR(4), 0), GICSIM_E_RANGE);
    assert_int_equal(gicsim_ich_write(f->g, 0, LR(15), 0), GICSIM_E_RANGE);
    assert_int_equal(gicsim_ich_read(f->g, 0, LR(3), &v), GICSIM_OK);
    assert_int_equal(gicsim_ich_read(f->g, 4, GICSIM_ICH_HCR, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_ich_write(f->g, 4, GICSIM_ICH_HCR, 0), GICSIM_E_RANGE);
    assert_int_equal(gicsim_ich_read(f->g, 0, GICSIM_ICH__COUNT, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_ich_read(f->g, 0, GICSIM_ICH_HCR, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_ich_read(NULL, 0, GICSIM_ICH_HCR, &v), GICSIM_E_INVAL);

    /* Guest side: SGI generation and SRE are not virtualized. */
    const gicsim_icc_reg notv[] = {GICSIM_ICC_SGI0R, GICSIM_ICC_SGI1R, GICSIM_ICC_ASGI1R,
                                   GICSIM_ICC_SRE};
    for (size_t i = 0; i < sizeof notv / sizeof notv[0]; i++) {
        assert_int_equal(gicsim_icv_read(f->g, 0, notv[i], &v), GICSIM_E_INVAL);
        assert_int_equal(gicsim_icv_write(f->g, 0, notv[i], 0), GICSIM_E_INVAL);
    }
    assert_int_equal(gicsim_icv_read(f->g, 4, GICSIM_ICC_IAR1, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_icv_write(f->g, 0, GICSIM_ICC__COUNT, 0), GICSIM_E_RANGE);
    /* Each bound on its own: a valid register of a PE that does not exist,
     * an unknown register of one that does. */
    assert_int_equal(gicsim_icv_read(f->g, 0, GICSIM_ICC__COUNT, &v), GICSIM_E_RANGE);
    assert_int_equal(gicsim_icv_write(f->g, 4, GICSIM_ICC_PMR, 0), GICSIM_E_RANGE);
    assert_int_equal(gicsim_ich_write(f->g, 0, GICSIM_ICH__COUNT, 0), GICSIM_E_RANGE);

    /* Read-only ICV registers ignore writes; write-only ones read 0. */
    wi = tf_gic_stats(f->g).raz_wi_writes;
    tf_icv_wr(f->g, 0, GICSIM_ICC_IAR1, 0);
    tf_icv_wr(f->g, 0, GICSIM_ICC_RPR, 0);
    assert_int_equal(tf_gic_stats(f->g).raz_wi_writes, wi + 2);
    uint64_t ign = tf_gic_stats(f->g).ignored_ops;
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_EOIR1), 0);
    assert_int_equal(tf_gic_stats(f->g).ignored_ops, ign + 1);

    assert_string_equal(gicsim_ich_reg_name(GICSIM_ICH_HCR), "ICH_HCR_EL2");
    assert_string_equal(gicsim_ich_reg_name(GICSIM_ICH_AP1R2), "ICH_AP1R2_EL2");
    assert_string_equal(gicsim_ich_reg_name(LR(15)), "ICH_LR15_EL2");
    assert_null(gicsim_ich_reg_name(GICSIM_ICH__COUNT));
}

/* ICH_HCR keeps its defined fields; ICH_VMCR clamps the binary points,
 * masks VPMR, and reads VFIQEn as one; the ICV views agree. */
static void test_hcr_vmcr_fields(void **state)
{
    fx *f = *state;
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR), 0);
    /* Reset: VPMR 0, groups off, binary points at their minimum (2, 3). */
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR), (1u << 3) | (3u << 18) | (2u << 21));
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, 0xFFFFFFFFFFFFFFFFull);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_HCR), 0xF80040FFu);

    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR, 0); /* below the minimum binary points */
    uint64_t vmcr = tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR);
    assert_int_equal((vmcr >> 21) & 7u, 2);
    assert_int_equal((vmcr >> 18) & 7u, 3);
    assert_int_equal(vmcr & (1u << 3), 1u << 3);
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR,
              (0xFFull << 24) | (5u << 21) | (6u << 18) | (1u << 9) | (1u << 4) | 3u);
    vmcr = tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR);
    assert_int_equal(vmcr, (0xF8ull << 24) | (5u << 21) | (6u << 18) | (1u << 9) | (1u << 4) |
                               (1u << 3) | 3u);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_PMR), 0xF8);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_BPR0), 5);
    /* VCBPR=1: ICV_BPR1 reads VBPR0+1 and ignores writes. */
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_BPR1), 6);
    uint64_t wi = tf_gic_stats(f->g).raz_wi_writes;
    tf_icv_wr(f->g, 0, GICSIM_ICC_BPR1, 7);
    assert_int_equal(tf_gic_stats(f->g).raz_wi_writes, wi + 1);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_CTLR), 0x403u); /* CBPR, EOImode, PRIbits 4 */
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_IGRPEN0), 1);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_IGRPEN1), 1);
    tf_icv_wr(f->g, 0, GICSIM_ICC_CTLR, 0x700u); /* PRIbits is read-only */
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_CTLR), 0x400u);
    tf_icv_wr(f->g, 0, GICSIM_ICC_BPR1, 0);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_BPR1), 3);
    tf_icv_wr(f->g, 0, GICSIM_ICC_BPR0, 1);
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_BPR0), 2);
    assert_int_equal((tf_ich_rd(f->g, 0, GICSIM_ICH_VMCR) >> 21) & 7u, 2);
}

/* One ICH_AP<g>R<n> per 32 preemption levels: 1 for 5 bits, 2 for 6, 4 for
 * 7 (priority_bits 7 or 8). Missing ones are RAZ/WI. */
static void test_ap_register_count(void **state)
{
    (void)state;
    const struct {
        uint8_t bits;
        unsigned regs;
    } cases[] = {{4, 1}, {5, 1}, {6, 2}, {7, 4}, {8, 4}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gicsim_gic_config cfg;
        gicsim_gic_config_init(&cfg);
        cfg.priority_bits = cases[i].bits;
        fx *f = tf_gic_fx_new(&cfg, true, TF_LINES_VIRT);
        for (unsigned n = 0; n < 4; n++) {
            uint64_t before = tf_gic_stats(f->g).raz_wi_reads;
            tf_ich_wr(f->g, 0, (gicsim_ich_reg)(GICSIM_ICH_AP1R0 + n), 1);
            uint64_t v = tf_ich_rd(f->g, 0, (gicsim_ich_reg)(GICSIM_ICH_AP1R0 + n));
            assert_int_equal(v, n < cases[i].regs ? 1 : 0);
            assert_int_equal(tf_gic_stats(f->g).raz_wi_reads, before + (n < cases[i].regs ? 0 : 1));
            assert_int_equal(tf_icv_rd(f->g, 0, (gicsim_icc_reg)(GICSIM_ICC_AP1R0 + n)), v);
        }
        /* With 4 bits only 16 levels exist. */
        tf_ich_wr(f->g, 0, GICSIM_ICH_AP0R0, 0xFFFFFFFFu);
        assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP0R0),
                         cases[i].bits == 4 ? 0xFFFFu : 0xFFFFFFFFu);
        tf_gic_fx_free(f);
    }
}

/* The active-priority registers the hypervisor restores set the running
 * priority seen by the guest. */
static void test_ap_restore_sets_running_priority(void **state)
{
    fx *f = *state;
    tf_vcpu_on(f->g, 0, VPMR_OPEN);
    tf_ich_wr(f->g, 0, GICSIM_ICH_AP0R0, 1u << (0x30 >> 3));
    assert_int_equal(tf_icv_rd(f->g, 0, GICSIM_ICC_RPR), 0x30);
    lr_g1(f, 0, 0, 40, 0x30, PEND);
    assert_false(gicsim_gic_virq_line(f->g, 0));
    lr_g1(f, 0, 0, 40, 0x28, PEND);
    assert_true(gicsim_gic_virq_line(f->g, 0));
    /* An EOIR1 drops Group 1's priorities only. */
    assert_int_equal(tf_viar1(f->g, 0), 40);
    tf_veoi1(f->g, 0, 40);
    assert_int_equal(tf_ich_rd(f->g, 0, GICSIM_ICH_AP0R0), 1u << (0x30 >> 3));
}

static void nop_listener(void *ctx, uint32_t pe, bool irq, bool fiq)
{
    (void)ctx;
    (void)pe;
    (void)irq;
    (void)fiq;
}

static void test_vline_listener_limit(void **state)
{
    fx *f = *state;
    for (int i = 1; i < 8; i++)
        assert_int_equal(gicsim_gic_add_vline_listener(f->g, nop_listener, NULL), GICSIM_OK);
    assert_int_equal(gicsim_gic_add_vline_listener(f->g, nop_listener, NULL), GICSIM_E_FULL);
    assert_int_equal(gicsim_gic_add_vline_listener(f->g, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_gic_add_vline_listener(NULL, nop_listener, NULL), GICSIM_E_INVAL);
    assert_false(gicsim_gic_virq_line(f->g, 99));
    assert_false(gicsim_gic_vfiq_line(NULL, 0));
}

/* ---- randomized ------------------------------------------------------------------ */

typedef struct rng {
    uint64_t s;
} rng;

static uint32_t rnd(rng *r, uint32_t n)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(r->s >> 33) % n;
}

/* A reference for "the interface signals something": the highest-priority
 * pending LR of an enabled group passes VPMR and preempts. */
static bool expect_signal(fx *f, uint32_t pe, unsigned nlr, bool *group1)
{
    uint64_t hcr = tf_ich_rd(f->g, pe, GICSIM_ICH_HCR), vmcr = tf_ich_rd(f->g, pe, GICSIM_ICH_VMCR);
    int best = -1;
    unsigned bp = 0x100;
    for (unsigned n = 0; n < nlr; n++) {
        uint64_t lr = tf_ich_rd(f->g, pe, LR(n));
        bool g1 = lr & GICSIM_LR_GROUP;
        if ((lr >> GICSIM_LR_STATE_SHIFT) != PEND || !(vmcr & (g1 ? 2u : 1u)))
            continue;
        unsigned p = (unsigned)(lr >> GICSIM_LR_PRIORITY_SHIFT) & 0xF8u;
        if (p < bp) {
            bp = p;
            best = (int)n;
            *group1 = g1;
        }
    }
    if (!(hcr & GICSIM_ICH_HCR_EN) || best < 0 || bp >= (vmcr >> 24))
        return false;
    unsigned point =
        (!*group1 || (vmcr & GICSIM_ICH_VMCR_VCBPR)) ? ((vmcr >> 21) & 7u) + 1u : (vmcr >> 18) & 7u;
    unsigned rpr = (unsigned)tf_icv_rd(f->g, pe, GICSIM_ICC_RPR);
    return (bp & (0xFFu << point) & 0xFFu) < rpr;
}

#define RUN_STEPS 3000

/* Run a seeded sequence of hypervisor LR writes and guest acknowledges,
 * EOIs and DIRs on PE 0 and check the invariants after each step. */
static void random_run(fx *f, uint64_t seed)
{
    rng r = {seed};
    const unsigned nlr = 4;
    uint32_t stack[64];
    bool stack_g1[64];
    unsigned depth = 0;
    uint64_t pend_to_active = 0;
    tf_ich_wr(f->g, 0, GICSIM_ICH_HCR,
              GICSIM_ICH_HCR_EN | GICSIM_ICH_HCR_UIE | GICSIM_ICH_HCR_NPIE |
                  GICSIM_ICH_HCR_LRENPIE);
    tf_ich_wr(f->g, 0, GICSIM_ICH_VMCR,
              GICSIM_ICH_VMCR_VENG0 | GICSIM_ICH_VMCR_VENG1 |
                  (0xF0ull << GICSIM_ICH_VMCR_VPMR_SHIFT) | (4u << 18));
    for (int step = 0; step < RUN_STEPS; step++) {
        uint32_t op = rnd(&r, 10);
        if (op < 4) {
            /* Refill an empty list register; vINTIDs are unique per LR. */
            uint32_t elrsr = (uint32_t)tf_ich_rd(f->g, 0, GICSIM_ICH_ELRSR) |
                             (uint32_t)tf_ich_rd(f->g, 0, GICSIM_ICH_EISR);
            if (elrsr) {
                unsigned n = (unsigned)__builtin_ctz(elrsr);
                tf_ich_wr(f->g, 0, LR(n),
                          gicsim_lr_value(64 + 8 * n + rnd(&r, 8), (uint8_t)(rnd(&r, 32) << 3),
                                          rnd(&r, 4) != 0, false, rnd(&r, 2), PEND));
            }
        } else if (op < 7) {
            uint64_t before[4];
            for (unsigned n = 0; n < nlr; n++)
                before[n] = tf_ich_rd(f->g, 0, LR(n));
            bool g1 = rnd(&r, 4) != 0;
            uint32_t id = (uint32_t)tf_icv_rd(f->g, 0, g1 ? GICSIM_ICC_IAR1 : GICSIM_ICC_IAR0);
            unsigned changed = 0;
            for (unsigned n = 0; n < nlr; n++) {
                uint64_t now = tf_ich_rd(f->g, 0, LR(n));
                if (now != before[n]) {
                    changed++;
                    assert_int_equal(before[n] >> GICSIM_LR_STATE_SHIFT, PEND);
                    assert_int_equal(now >> GICSIM_LR_STATE_SHIFT, ACT);
                    assert_int_equal(now & GICSIM_LR_VINTID_MASK, id);
                    pend_to_active++;
                }
            }
            assert_int_equal(changed, id == SPURIOUS ? 0 : 1);
            if (id != SPURIOUS) {
                assert_true(depth < 64);
                stack_g1[depth] = g1;
                stack[depth++] = id;
            }
        } else if (op < 9) {
            if (depth) {
                depth--;
                tf_icv_wr(f->g, 0, stack_g1[depth] ? GICSIM_ICC_EOIR1 : GICSIM_ICC_EOIR0,
                          stack[depth]);
            }
        } else {
            /* The hypervisor consumes maintenance state, and sometimes
             * evicts an interrupt (pending ones it will re-inject later,
             * active ones end in EOIcount). */
            uint32_t eisr = (uint32_t)tf_ich_rd(f->g, 0, GICSIM_ICH_EISR);
            for (unsigned n = 0; n < nlr; n++)
                if (eisr & (1u << n))
                    tf_ich_wr(f->g, 0, LR(n), 0);
            if (rnd(&r, 2))
                tf_ich_wr(f->g, 0, LR(rnd(&r, nlr)), 0);
            uint64_t hcr = tf_ich_rd(f->g, 0, GICSIM_ICH_HCR);
            tf_ich_wr(f->g, 0, GICSIM_ICH_HCR, hcr & ~(0x1Full << GICSIM_ICH_HCR_EOICOUNT_SHIFT));
            gicsim_engine_run_for(f->e, GICSIM_NS(50 + rnd(&r, 100)));
        }

        /* Invariants. */
        bool g1 = false;
        bool sig = expect_signal(f, 0, nlr, &g1);
        assert_int_equal(gicsim_gic_virq_line(f->g, 0), sig && g1);
        assert_int_equal(gicsim_gic_vfiq_line(f->g, 0), sig && !g1);
        uint32_t eisr = (uint32_t)tf_ich_rd(f->g, 0, GICSIM_ICH_EISR);
        uint32_t elrsr = (uint32_t)tf_ich_rd(f->g, 0, GICSIM_ICH_ELRSR);
        uint32_t invalid = 0;
        for (unsigned n = 0; n < nlr; n++)
            if (lr_state_of(f, 0, n) == INVALID)
                invalid |= 1u << n;
        assert_int_equal(eisr & elrsr, 0);
        assert_int_equal(eisr | elrsr, invalid);
        bool maint = tf_ich_rd(f->g, 0, GICSIM_ICH_MISR) != 0;
        assert_int_equal(tf_irq_state(f->g, 0, GICSIM_PPI_MAINTENANCE) != GICSIM_IRQ_INACTIVE,
                         maint);
        gicsim_gic_stats s = tf_gic_stats(f->g);
        assert_int_equal(s.v_acks, pend_to_active);
        assert_int_equal(s.v_acks, tf_ev_count(&f->ev, GICSIM_GEV_VACK, TF_ANY, TF_ANY));
        assert_int_equal(s.v_deactivations,
                         tf_ev_count(&f->ev, GICSIM_GEV_VDEACTIVATE, TF_ANY, TF_ANY));
        assert_int_equal(s.maintenance_irqs,
                         tf_ev_count(&f->ev, GICSIM_GEV_MAINTENANCE, TF_ANY, TF_ANY));
        /* One active priority per acknowledged, not yet EOId interrupt
         * (preemption needs a strictly higher group priority, so they are
         * distinct). */
        uint32_t ap =
            (uint32_t)(tf_ich_rd(f->g, 0, GICSIM_ICH_AP0R0) | tf_ich_rd(f->g, 0, GICSIM_ICH_AP1R0));
        assert_int_equal((unsigned)__builtin_popcount(ap), depth);
    }
}

static void test_randomized_invariants_and_determinism(void **state)
{
    (void)state;
    gicsim_gic_config cfg;
    gicsim_gic_config_init(&cfg);
    fx *a = tf_gic_fx_new(&cfg, true, TF_LINES_VIRT);
    fx *b = tf_gic_fx_new(&cfg, true, TF_LINES_VIRT);
    random_run(a, 0x5EED1234u);
    random_run(b, 0x5EED1234u);
    gicsim_gic_stats sa = tf_gic_stats(a->g);
    assert_true(sa.v_acks > 100);
    assert_true(sa.v_deactivations > 50);
    assert_true(sa.maintenance_irqs > 10);
    assert_true(sa.v_eoicount > 0);
    tf_assert_ev_logs_equal(&a->ev, &b->ev);
    assert_int_equal(a->lines.n, b->lines.n);
    for (size_t i = 0; i < a->lines.n; i++) {
        assert_int_equal(a->lines.v[i].pe, b->lines.v[i].pe);
        assert_int_equal(a->lines.v[i].irq, b->lines.v[i].irq);
        assert_int_equal(a->lines.v[i].fiq, b->lines.v[i].fiq);
    }
    tf_gic_fx_free(a);
    tf_gic_fx_free(b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tf_setup_os_gic_vlines, tf_teardown_gic)
    const struct CMUnitTest tests[] = {
        T(test_lr_value_fields),
        T(test_lr_write_raises_virq),
        T(test_group0_vfiq),
        T(test_iar_highest_priority_lowest_lr),
        T(test_vpmr_masks),
        T(test_veng1_disabled),
        T(test_preemption_by_group_priority),
        T(test_vcbpr_preemption),
        T(test_deactivate_picks_highest_priority_lr),
        T(test_eoi_veoim0_deactivates),
        T(test_eoi_veoim1_drop_then_dir),
        T(test_dir_veoim0_ignored),
        T(test_dir_tdir_traps),
        T(test_hw_deactivates_physical),
        T(test_eoi_maintenance),
        T(test_reentrant_maintenance_handler),
        T(test_underflow),
        T(test_no_pending),
        T(test_eoicount_lrenp),
        T(test_eoicount_past_15),
        cmocka_unit_test(test_vsgieoicount_limit),
        T(test_hw0_deactivation_stays_virtual),
        T(test_vlpi_no_active_state),
        T(test_vgrp_conditions),
        cmocka_unit_test(test_elrsr_eisr),
        T(test_en0_disables),
        cmocka_unit_test(test_vtr_fields),
        T(test_read_only_and_ranges),
        T(test_hcr_vmcr_fields),
        cmocka_unit_test(test_ap_register_count),
        T(test_ap_restore_sets_running_priority),
        T(test_vline_listener_limit),
        cmocka_unit_test(test_randomized_invariants_and_determinism),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
