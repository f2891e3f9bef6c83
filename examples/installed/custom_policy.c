/* A research tool built on the installed gicsim library: it describes a
 * system through the C API, registers its own hypervisor delivery policy
 * from outside the library, runs it, and reads the per-interrupt records.
 *
 * The policy, "split-and-count", completes each physical interrupt the way
 * eoi-split does (priority drop only, HW=1 list register) and counts what it
 * handles. Exit status 0 only if every interrupt raised was delivered. */
#include <gicsim/gicsim.h>

#include <inttypes.h>
#include <stdio.h>

static unsigned long handled;

static void split_and_count(gicsim_hyp *h, uint32_t intid, uint32_t vm, uint32_t vcpu)
{
    handled++;
    gicsim_hyp_icc_write(h, GICSIM_ICC_EOIR1, intid); /* EOImode=1: priority drop */
    gicsim_virq q = {.vintid = intid,
                     .level = gicsim_hyp_irq_is_level(h, intid),
                     .line = true,
                     .hw = true,
                     .pintid = intid};
    gicsim_hyp_inject(h, vm, vcpu, &q);
}

static const gicsim_hyp_policy my_policy = {
    .name = "split-and-count",
    .description = "eoi-split that counts the interrupts it handles",
    .host_eoimode = true,
    .phys_irq = split_and_count,
};

int main(void)
{
    if (gicsim_hyp_policy_register(&my_policy) != GICSIM_OK)
        return 1;
    gicsim_system_config cfg;
    gicsim_system_config_init(&cfg);
    cfg.gic.num_pes = 2;
    gicsim_system *sys;
    if (gicsim_system_create(&cfg, &sys) != GICSIM_OK ||
        gicsim_system_keep_records(sys) != GICSIM_OK) /* it reads them after the run */
        return 1;
    gicsim_vm_config vm;
    gicsim_vm_config_init(&vm);
    vm.policy = "split-and-count";
    vm.guest_busy = true;
    uint32_t vm_id;
    gicsim_source_config nic;
    gicsim_source_config_init(&nic);
    nic.kind = GICSIM_SRC_SPI_EDGE;
    nic.intid = 40;
    nic.arrival = GICSIM_ARRIVE_POISSON;
    nic.period = GICSIM_US(50);
    gicsim_source_config timer;
    gicsim_source_config_init(&timer);
    timer.kind = GICSIM_SRC_VTIMER;
    timer.period = GICSIM_US(200);
    if (gicsim_vm_add(sys, &vm, &vm_id) != GICSIM_OK || gicsim_source_add(sys, &nic, NULL) ||
        gicsim_source_add(sys, &timer, NULL))
        return 1;

    gicsim_system_run_for(sys, GICSIM_MS(10));
    gicsim_system_stop_sources(sys);
    gicsim_system_run_for(sys, GICSIM_MS(1)); /* let the last ones finish */

    uint64_t delivered = 0, exits = 0;
    gicsim_time_t worst = 0;
    for (size_t i = 0; i < gicsim_system_record_count(sys); i++) {
        const gicsim_irq_record *r = gicsim_system_record(sys, i);
        if (r->t_ack == GICSIM_TIME_NEVER)
            continue;
        delivered++;
        exits += r->exits[GICSIM_EXIT_IRQ] + r->exits[GICSIM_EXIT_MAINTENANCE];
        if (r->t_ack - r->t_assert > worst)
            worst = r->t_ack - r->t_assert;
    }
    gicsim_system_stats st;
    gicsim_system_get_stats(sys, &st);
    gicsim_summary s;
    gicsim_histogram_summary(gicsim_system_latency(sys, UINT32_MAX), &s);
    printf("policy %s handled %lu physical interrupts\n", my_policy.name, handled);
    printf("records: %zu, delivered %" PRIu64 ", merged %" PRIu64 ", exits %" PRIu64 "\n",
           gicsim_system_record_count(sys), delivered, st.merged, exits);
    printf("latency p50 %.1f ns, p99 %.1f ns, max %.1f ns\n", s.p50 / 1e3, s.p99 / 1e3,
           worst / 1e3);
    int ok = handled > 0 && delivered + st.merged == st.asserted && st.pending == 0;
    gicsim_system_destroy(sys);
    return ok ? 0 : 1;
}
