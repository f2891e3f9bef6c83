/* gicsim: symbol export control.
 *
 * The library is compiled with hidden visibility by default; only the
 * declarations marked GICSIM_API are exported from the shared object.
 */
#ifndef GICSIM_EXPORT_H
#define GICSIM_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define GICSIM_API __attribute__((visibility("default")))
#else
#define GICSIM_API
#endif

#endif
