/* gicsim: basic types shared by every part of the API. */
#ifndef GICSIM_COMMON_H
#define GICSIM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gicsim/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Simulated time: an integer count of picoseconds since the start of the run. */
typedef uint64_t gicsim_time_t;

/* Times from other units. An integer argument is converted exactly (and an
 * integer constant gives an integer constant expression, usable in case
 * labels and array sizes); a floating-point one is rounded to the nearest
 * picosecond, so GICSIM_US(1.5) is 1500000 ps and GICSIM_NS(0.5) 500 ps (a
 * constant one still gives an arithmetic constant expression, usable in
 * static initializers). Negative values are out of the domain. */
#define GICSIM_PS(x) GICSIM_TIME_SCALE_((x), 1u)
#define GICSIM_NS(x) GICSIM_TIME_SCALE_((x), 1000u)
#define GICSIM_US(x) GICSIM_TIME_SCALE_((x), 1000000u)
#define GICSIM_MS(x) GICSIM_TIME_SCALE_((x), 1000000000u)
/* Floating point: through long double, rounded to the nearest picosecond. */
#define GICSIM_TIME_FP_(x, ps) ((gicsim_time_t)((long double)(x) * (ps) + 0.5L))
#if !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define GICSIM_TIME_SCALE_(x, ps)                                                                  \
    _Generic((x), float                                                                            \
             : GICSIM_TIME_FP_(x, ps), double                                                      \
             : GICSIM_TIME_FP_(x, ps), long double                                                 \
             : GICSIM_TIME_FP_(x, ps), default                                                     \
             : (gicsim_time_t)(x) * (ps))
#else
/* C++ and C before C11 (no _Generic): every argument through long double,
 * exact for integers where long double has a 64-bit mantissa (x86, AArch64). */
#define GICSIM_TIME_SCALE_(x, ps) GICSIM_TIME_FP_(x, ps)
#endif
#define GICSIM_TIME_NEVER UINT64_MAX

/* Every fallible call returns one of these; GICSIM_OK is zero, errors are negative. */
typedef enum gicsim_status {
    GICSIM_OK = 0,
    GICSIM_E_INVAL = -1,       /* an argument is out of its documented domain */
    GICSIM_E_NOMEM = -2,       /* an allocation failed */
    GICSIM_E_RANGE = -3,       /* an index (PE, INTID, register) does not exist in this model */
    GICSIM_E_NOTFOUND = -4,    /* a name was looked up and is not registered */
    GICSIM_E_EXISTS = -5,      /* a name is already registered */
    GICSIM_E_FULL = -6,        /* a fixed-size table has no room left */
    GICSIM_E_STATE = -7,       /* the call is not valid in the object's current state */
    GICSIM_E_IO = -8,          /* reading or writing a file failed */
    GICSIM_E_PARSE = -9,       /* input data is malformed */
    GICSIM_E_UNSUPPORTED = -10 /* the configured GIC version lacks the feature */
} gicsim_status;

/* A static, human-readable description of a status code (never NULL). */
GICSIM_API const char *gicsim_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif
