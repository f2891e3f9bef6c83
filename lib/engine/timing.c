/* gicsim: clock domains and the named cost table (see gicsim/timing.h). */
#include <gicsim/timing.h>

#include <string.h>

typedef struct cost_info {
    const char *name;
    const char *desc;
    gicsim_clock_domain domain;
    uint64_t def;
    uint64_t lo, hi; /* the prior: plausible range in cycles */
} cost_info;

static const cost_info costs[GICSIM_COST__COUNT] = {
#define COST_INFO_(id, dom, def, lo, hi, name, desc)                                               \
    [GICSIM_COST_##id] = {name, desc, GICSIM_CLK_##dom, def, lo, hi},
    GICSIM_COST_LIST_PRIORS(COST_INFO_)
#undef COST_INFO_
};

static const char *const clock_names[GICSIM_CLK__COUNT] = {
    [GICSIM_CLK_CPU] = "cpu",
    [GICSIM_CLK_GIC] = "gic",
};

static const uint64_t clock_defaults[GICSIM_CLK__COUNT] = {
    [GICSIM_CLK_CPU] = 3000000000ull,
    [GICSIM_CLK_GIC] = 1000000000ull,
};

void gicsim_timing_init(gicsim_timing *t)
{
    if (!t)
        return;
    for (int d = 0; d < GICSIM_CLK__COUNT; d++)
        t->clock_hz[d] = clock_defaults[d];
    for (int i = 0; i < GICSIM_COST__COUNT; i++)
        t->cycles[i] = costs[i].def;
}

gicsim_time_t gicsim_cycles_to_ps(uint64_t cycles, uint64_t hz)
{
    if (hz == 0)
        return 0;
    /* cycles * 1e12 / hz, rounded to nearest, without overflowing 64 bits:
     * split cycles into whole seconds and a remainder below hz. */
    const uint64_t ps_per_s = 1000000000000ull;
    uint64_t whole = cycles / hz;
    uint64_t rem = cycles % hz;
#if defined(__SIZEOF_INT128__)
    unsigned __int128 frac = ((unsigned __int128)rem * ps_per_s + hz / 2) / hz;
    return whole * ps_per_s + (uint64_t)frac;
#else
    long double frac = (long double)rem * (long double)ps_per_s / (long double)hz;
    return whole * ps_per_s + (uint64_t)(frac + 0.5L);
#endif
}

gicsim_time_t gicsim_timing_ps(const gicsim_timing *t, gicsim_cost_id id)
{
    if (!t || (unsigned)id >= GICSIM_COST__COUNT)
        return 0;
    return gicsim_cycles_to_ps(t->cycles[id], t->clock_hz[costs[id].domain]);
}

const char *gicsim_cost_name(gicsim_cost_id id)
{
    return (unsigned)id < GICSIM_COST__COUNT ? costs[id].name : NULL;
}

const char *gicsim_cost_description(gicsim_cost_id id)
{
    return (unsigned)id < GICSIM_COST__COUNT ? costs[id].desc : NULL;
}

gicsim_clock_domain gicsim_cost_domain(gicsim_cost_id id)
{
    return (unsigned)id < GICSIM_COST__COUNT ? costs[id].domain : GICSIM_CLK_CPU;
}

uint64_t gicsim_cost_default_cycles(gicsim_cost_id id)
{
    return (unsigned)id < GICSIM_COST__COUNT ? costs[id].def : 0;
}

gicsim_status gicsim_cost_prior(gicsim_cost_id id, uint64_t *lo, uint64_t *hi)
{
    if ((unsigned)id >= GICSIM_COST__COUNT)
        return GICSIM_E_INVAL;
    if (lo)
        *lo = costs[id].lo;
    if (hi)
        *hi = costs[id].hi;
    return GICSIM_OK;
}

gicsim_status gicsim_cost_lookup(const char *name, gicsim_cost_id *out)
{
    if (!name)
        return GICSIM_E_INVAL;
    for (int i = 0; i < GICSIM_COST__COUNT; i++) {
        if (strcmp(costs[i].name, name) == 0) {
            if (out)
                *out = (gicsim_cost_id)i;
            return GICSIM_OK;
        }
    }
    return GICSIM_E_NOTFOUND;
}

const char *gicsim_clock_name(gicsim_clock_domain d)
{
    return (unsigned)d < GICSIM_CLK__COUNT ? clock_names[d] : NULL;
}

gicsim_status gicsim_clock_lookup(const char *name, gicsim_clock_domain *out)
{
    if (!name)
        return GICSIM_E_INVAL;
    for (int d = 0; d < GICSIM_CLK__COUNT; d++) {
        if (strcmp(clock_names[d], name) == 0) {
            if (out)
                *out = (gicsim_clock_domain)d;
            return GICSIM_OK;
        }
    }
    return GICSIM_E_NOTFOUND;
}
