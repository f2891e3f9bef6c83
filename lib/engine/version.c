/* gicsim: version query. */
#include <gicsim/version.h>

const char *gicsim_version_string(void)
{
    return GICSIM_VERSION_STRING;
}
