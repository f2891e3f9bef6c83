/* gicsim: the invariant checker's reports (engine/invariants.h), used by
 * every layer's checks; compiled with or without GICSIM_INVARIANTS. */
#include "invariants.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- reports ---------------------------------------------------------------------- */

void inv_report_reset(gicsim_invariant_report *r)
{
    memset(r, 0, sizeof *r);
    r->enabled = GICSIM_INV_ENABLED;
    r->time = GICSIM_TIME_NEVER;
}

void inv_fail(gicsim_invariant_report *r, gicsim_time_t now, const char *where, const char *fmt,
              ...)
{
    if (r->violations++)
        return;
    r->time = now;
    snprintf(r->where, sizeof r->where, "%s", where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->what, sizeof r->what, fmt, ap);
    va_end(ap);
}

void inv_report_merge(gicsim_invariant_report *into, const gicsim_invariant_report *from)
{
    if (from->violations &&
        (!into->violations || (from->time != GICSIM_TIME_NEVER && from->time < into->time))) {
        into->time = from->time;
        memcpy(into->where, from->where, sizeof into->where);
        memcpy(into->what, from->what, sizeof into->what);
    }
    into->checks += from->checks;
    into->violations += from->violations;
}

gicsim_status inv_report_status(const gicsim_invariant_report *r, char *msg, size_t len)
{
    if (!r->violations) {
        if (msg && len)
            snprintf(msg, len, "no violation (%llu checks%s)", (unsigned long long)r->checks,
                     r->enabled ? "" : ", checker compiled out");
        return GICSIM_OK;
    }
    if (msg && len)
        snprintf(msg, len, "%llu violation%s; first at %llu ps in %s: %s",
                 (unsigned long long)r->violations, r->violations == 1 ? "" : "s",
                 (unsigned long long)r->time, r->where, r->what);
    return GICSIM_E_STATE;
}

bool gicsim_invariants_enabled(void)
{
    return GICSIM_INV_ENABLED;
}
