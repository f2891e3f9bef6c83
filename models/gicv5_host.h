/* gicsim: the private state of the host on a GICv5, shared by gicv5_host.c (numbering,
 * injection, residency, events, records and invariants) and gicv5_host_setup.c (the boot
 * queue and the creation of the host, its VMs and its sources). docs/gicv5.md, "The host". */
#ifndef GICSIM_GICV5_HOST_H
#define GICSIM_GICV5_HOST_H

#include "sys_internal.h"

#include <stdlib.h>

#define MEM_BASE 0x80000000ull
#define HOST_PRIO 31u     /* Linux: every interrupt at the lowest priority, PCR 31 */
#define IPI_IDS 16u       /* a VM's IPI LPIs per vCPU */
#define WIRE_VLPI 4096u   /* a VM's LPI for IWB wire n handed to it: 4096 + n */
#define MSI_EVENT_BITS 5u /* each device: EventIDs 0..31, as on the GICv3 host */
#define VMT_ENTRY 32u     /* an L2 VM table entry */
#define VPED_SIZE 32u     /* a vPE descriptor */
#define BOOT_POLL GICSIM_NS(10)
#define PPI_BIT(n) (1ull << ((n) % 64u))
#define V5_PPI(n) GICSIM_GICV5_INTID(GICSIM_GICV5_PPI, (n))
#define V5_SPI(n) GICSIM_GICV5_INTID(GICSIM_GICV5_SPI, (n))
#define V5_LPI(n) GICSIM_GICV5_INTID(GICSIM_GICV5_LPI, (n))
#define NO_LPI UINT32_MAX

/* What a host LPI is. */
enum { HL_KICK = 1, HL_DOORBELL, HL_WIRE };
typedef struct host_lpi {
    uint8_t kind;
    uint32_t a, b; /* kick: the PE; doorbell: the VM and vCPU; wire: the wire */
} host_lpi;

/* A register write of the boot queue: done when `wait` (a STATUSR offset of `block`, 0 for
 * none) reads IDLE. BOOT_READY makes VM `val`'s vCPUs runnable. */
enum { BOOT_IRS, BOOT_READY };
typedef struct boot_op {
    uint8_t block;
    unsigned size;
    uint32_t off, wait;
    uint64_t val;
} boot_op;

typedef struct v5_vm {
    uint64_t lpi_ist, spi_ist;
    unsigned lpi_bits;
    bool ready; /* the IRS made it and its vPEs valid */
    /* [num_spis]: the records in flight to its SPI n (a VDPEND, the line of an SPI handed to
     * it, an IWB wire's vLPI); an IWB wire's host LPI has its source's own queue. */
    flight_fifo *spi_flight;
} v5_vm;

typedef struct msi_map {
    uint32_t vm, id, src;
} msi_map;

typedef struct dev_itt {
    uint32_t dev;
    uint64_t itt;
} dev_itt;

/* A level SPI injected with an EOI request, not yet seen deactivated: its vINTID and when the
 * guest's CDDI of it reaches the IRS (GICSIM_TIME_NEVER until the guest issues it). */
typedef struct {
    uint32_t vintid;
    gicsim_time_t cddi_lands;
} resample_ent;

/* A vCPU's vPE as KVM keeps it between its residencies (struct vgic_v5_cpu_if). */
struct gicv5_vcpu {
    uint64_t vmcr, apr;
    uint64_t en[2], act[2], pend[2], dvir[2], pri[16];
    uint64_t flushed[2]; /* the pending bits the last flush wrote */
    uint32_t db_lpi;
    bool db_fired;            /* its doorbell rang since the last load */
    bool resident;            /* ICH_CONTEXTR_EL2.V written for it (vgic_v5_load) */
    bool in_hw;               /* its PPI state in the PE's registers: from the flush to the fold */
    flight_fifo ipi[IPI_IDS]; /* records of the IPIs sent to it, per SGI */
    resample_ent *resample;   /* the SPIs injected with an EOI request, not yet deactivated */
    uint32_t n_resample, cap_resample;
};

struct gicv5_host {
    uint64_t next_pa;
    uint64_t ist, vmt, dt;
    host_lpi *lpi;
    uint32_t n_lpi, cap_lpi;
    uint32_t *wire_lpi; /* [num_spis]: the host LPI of IWB wire n, NO_LPI when none */
    v5_vm *vm;
    uint32_t n_vm;
    msi_map *msi;
    uint32_t n_msi, cap_msi;
    dev_itt *itt;
    uint32_t n_itt, cap_itt;
    boot_op *q;
    uint32_t head, len, cap;
    gicsim_event_id boot_ev;
    struct gicv5_vcpu **vcpu; /* every vCPU's state, to free (the VMs may be gone first) */
    uint32_t n_vcpu, cap_vcpu;
};

/* Room for element n of *v (doubling *cap): false when out of memory. */
static inline bool grow(void **v, uint32_t *cap, uint32_t n, size_t size)
{
    if (n < *cap)
        return true;
    uint32_t c = *cap ? *cap * 2 : 16;
    void *nv = realloc(*v, c * size);
    if (!nv)
        return false;
    *v = nv;
    *cap = c;
    return true;
}

/* PE pe's GICv5 system register `reg`, written and read as the host does. */
static inline void wr(gicsim_system *s, uint32_t pe, gicsim_gicv5_sysreg reg, uint64_t val)
{
    gicsim_gicv5_sysreg_write(s->gic, pe, reg, val);
}

static inline uint64_t rd(gicsim_system *s, uint32_t pe, gicsim_gicv5_sysreg reg)
{
    uint64_t v = 0;
    gicsim_gicv5_sysreg_read(s->gic, pe, reg, &v);
    return v;
}

#endif
