/* A tiny program using an installed gicsim: raise SPI 40 and acknowledge it
 * on PE 0. Exits 0 only if the acknowledge returns INTID 40. */
#include <gicsim/gicsim.h>

#include <inttypes.h>
#include <stdio.h>

int main(void)
{
    gicsim_engine *e = NULL;
    gicsim_gic *gic = NULL;
    gicsim_gic_config cfg;
    uint64_t v = GICSIM_INTID_SPURIOUS;
    int st;

    printf("gicsim %s\n", gicsim_version_string());

    st = gicsim_engine_create(&e);
    if (st != GICSIM_OK) {
        fprintf(stderr, "gicsim_engine_create: %s\n", gicsim_strerror(st));
        return 1;
    }
    gicsim_gic_config_init(&cfg);
    cfg.num_pes = 2;
    st = gicsim_gic_create(e, &cfg, &gic);
    if (st != GICSIM_OK) {
        fprintf(stderr, "gicsim_gic_create: %s\n", gicsim_strerror(st));
        gicsim_engine_destroy(e);
        return 1;
    }
    gicsim_gic_os_init(gic);

    /* Enable SPI 40: bit 40 % 32 = 8 of the second GICD_ISENABLER word. */
    gicsim_gicd_write(gic, GICSIM_GICD_ISENABLER + 4, 4, 1u << 8);
    gicsim_gic_set_line(gic, 0, 40, true);
    gicsim_engine_run_for(e, GICSIM_US(1));
    gicsim_icc_read(gic, 0, GICSIM_ICC_IAR1, &v);
    printf("acknowledged INTID %" PRIu64 "\n", v);

    gicsim_gic_destroy(gic);
    gicsim_engine_destroy(e);
    return v == 40 ? 0 : 1;
}
