/* gicsim: the table of hypervisor delivery policies.
 *
 * The built-in policies come first, in this order, each defined in its own
 * file of models/policies/ (the order is visible: gicsim_hyp_policy_at, and
 * the list of known policies a scenario's error message names);
 * gicsim_hyp_policy_register appends a caller's policy after them.
 *
 * MSIs that are not injected directly are completed and injected by the core
 * (models/gicv4.c), the same for every non-direct policy.
 */
#include "sys_internal.h"

#include "policies.h"

#include <string.h>

#define BUILTIN_POLICIES 11
#define MAX_POLICIES (BUILTIN_POLICIES + 32)

static const gicsim_hyp_policy *table[MAX_POLICIES] = {
    &policy_trap_inject,        &policy_trap_inject_nomask, &policy_eoi_split,
    &policy_gicv4_direct,       &policy_gicv41_vsgi,        &policy_did,
    &policy_vlpi_emulated,      &policy_direct_vtimer,      &policy_gicv5_direct,
    &policy_gicv5_wired_direct, &policy_gicv5_did};
static size_t table_len = BUILTIN_POLICIES;

gicsim_status gicsim_hyp_policy_register(const gicsim_hyp_policy *policy)
{
    if (!policy || !policy->name || !policy->name[0] || !policy->phys_irq ||
        (policy->direct_timer && !policy->direct_msi))
        return GICSIM_E_INVAL;
    gicsim_gic_version g = policy->gic;
    bool v5 = g == GICSIM_GICV5;
    if ((g && g != GICSIM_GICV3 && g != GICSIM_GICV4_0 && g != GICSIM_GICV4_1 && !v5) ||
        (v5 && (policy->direct_sgi || policy->direct_timer || policy->emulated_its)) ||
        (policy->direct_wired && !v5))
        return GICSIM_E_INVAL;
    if (gicsim_hyp_policy_find(policy->name))
        return GICSIM_E_EXISTS;
    if (table_len == MAX_POLICIES)
        return GICSIM_E_FULL;
    table[table_len++] = policy;
    return GICSIM_OK;
}

const gicsim_hyp_policy *gicsim_hyp_policy_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < table_len; i++)
        if (strcmp(table[i]->name, name) == 0)
            return table[i];
    return NULL;
}

size_t gicsim_hyp_policy_count(void)
{
    return table_len;
}

const gicsim_hyp_policy *gicsim_hyp_policy_at(size_t i)
{
    return i < table_len ? table[i] : NULL;
}
