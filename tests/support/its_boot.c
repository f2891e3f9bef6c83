/* gicsim test support: the ITS boot (its_boot.h). */
#include "support/its_boot.h"

/* One register write of the boot. */
typedef struct reg_write {
    uint32_t off;
    unsigned size;
    uint64_t v;
} reg_write;

gicsim_status tf_its_boot(gicsim_gic *g, const tf_its_boot_opts *o)
{
    gicsim_status st = GICSIM_OK;
    for (uint32_t pe = 0; pe < o->num_pes && st == GICSIM_OK; pe++) {
        uint64_t ptz = (o->ptz_pes >> pe) & 1u ? GICSIM_GICR_PENDBASER_PTZ : 0;
        const reg_write gicr[] = {
            {GICSIM_GICR_PROPBASER, 8, PROP_BASE | 15u},
            {GICSIM_GICR_PENDBASER, 8, PEND_BASE(pe) | ptz},
            {GICSIM_GICR_CTLR, 4, GICSIM_GICR_CTLR_ENABLE_LPIS},
        };
        for (size_t i = 0; i < sizeof gicr / sizeof gicr[0] && st == GICSIM_OK; i++)
            st = gicsim_gicr_write(g, pe, gicr[i].off, gicr[i].size, gicr[i].v);
    }
    uint64_t dt = GICSIM_GITS_BASER_VALID | DT_BASE | GICSIM_GITS_BASER_PAGE_4K;
    if (o->indirect_dt)
        dt |= GICSIM_GITS_BASER_INDIRECT;
    reg_write gits[6];
    size_t n = 0;
    gits[n++] = (reg_write){GICSIM_GITS_BASER(GICSIM_GITS_BASER_DEVICES_INDEX), 8, dt};
    gits[n++] = (reg_write){GICSIM_GITS_BASER(GICSIM_GITS_BASER_COLLECTIONS_INDEX), 8,
                            GICSIM_GITS_BASER_VALID | CT_BASE};
    if (o->version >= GICSIM_GICV4_0)
        gits[n++] = (reg_write){GICSIM_GITS_BASER(GICSIM_GITS_BASER_VPES_INDEX), 8,
                                GICSIM_GITS_BASER_VALID | VPET_BASE};
    gits[n++] = (reg_write){GICSIM_GITS_CBASER, 8, GICSIM_GITS_BASER_VALID | CQ_BASE};
    gits[n++] = (reg_write){GICSIM_GITS_CWRITER, 8, 0};
    gits[n++] = (reg_write){GICSIM_GITS_CTLR, 4, GICSIM_GITS_CTLR_ENABLED};
    for (size_t i = 0; i < n && st == GICSIM_OK; i++)
        st = gicsim_its_write(g, gits[i].off, gits[i].size, gits[i].v);
    for (uint32_t pe = 0; pe < o->num_pes && st == GICSIM_OK; pe++) {
        gicsim_its_cmd mapc = gicsim_its_cmd_mapc((uint16_t)pe, pe, true);
        st = gicsim_its_submit(g, &mapc, 1);
    }
    if (st != GICSIM_OK)
        return st;
    gicsim_its_cmd sync = gicsim_its_cmd_sync(0);
    return gicsim_its_submit(g, &sync, 1);
}
