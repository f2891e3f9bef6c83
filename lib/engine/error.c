/* gicsim: status codes to text. */
#include <gicsim/common.h>

const char *gicsim_strerror(int status)
{
    switch (status) {
    case GICSIM_OK:
        return "success";
    case GICSIM_E_INVAL:
        return "invalid argument";
    case GICSIM_E_NOMEM:
        return "out of memory";
    case GICSIM_E_RANGE:
        return "index out of range";
    case GICSIM_E_NOTFOUND:
        return "not found";
    case GICSIM_E_EXISTS:
        return "already exists";
    case GICSIM_E_FULL:
        return "table full";
    case GICSIM_E_STATE:
        return "invalid in the current state";
    case GICSIM_E_IO:
        return "input/output error";
    case GICSIM_E_PARSE:
        return "malformed input";
    case GICSIM_E_UNSUPPORTED:
        return "not supported by the configured GIC version";
    default:
        return "unknown error";
    }
}
