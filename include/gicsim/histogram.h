/* gicsim: log-linear (HDR-style) histograms for latency distributions.
 *
 * Values are unsigned 64-bit (picoseconds, cycles, counts). Buckets are exact
 * for values below 2^b and then split every power of two into 2^b equal
 * sub-buckets, so any recorded value is represented within a relative error
 * below 2^-b, where b is the histogram's precision in bits (default 7: under
 * 0.8%; 10: under 0.1%; 12: under 0.025%). Memory is fixed, (65 - b) * 2^b * 8
 * bytes (b = 7: 58 KiB; 10: 440 KiB; 12: 1.7 MiB), and recording is O(1).
 *
 * Percentiles use the nearest-rank definition over the recorded values and
 * report the representative of the bucket that holds that rank (the bucket's
 * midpoint, clamped to [min, max] of the recorded values), so p100 == max and
 * p0 == min exactly. Everything is deterministic.
 */
#ifndef GICSIM_HISTOGRAM_H
#define GICSIM_HISTOGRAM_H

#include <gicsim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gicsim_histogram gicsim_histogram;

typedef struct gicsim_summary {
    uint64_t count;
    double
        mean; /* exact mean of the recorded values (sum kept as a 128-bit or long double total) */
    uint64_t min, p50, p90, p99, p999, max; /* 0 when count == 0 */
} gicsim_summary;

#define GICSIM_HISTOGRAM_BITS_MIN 1
#define GICSIM_HISTOGRAM_BITS_MAX 12
#define GICSIM_HISTOGRAM_BITS_DEFAULT 7

/* A histogram of the default precision (GICSIM_HISTOGRAM_BITS_DEFAULT). */
GICSIM_API gicsim_status gicsim_histogram_create(gicsim_histogram **out);
/* A histogram of precision `sub_bits` (GICSIM_HISTOGRAM_BITS_MIN .. _MAX,
 * else GICSIM_E_INVAL): relative error below 2^-sub_bits. */
GICSIM_API gicsim_status gicsim_histogram_create_bits(unsigned sub_bits, gicsim_histogram **out);
/* The precision of `h` in bits (0 for NULL). */
GICSIM_API unsigned gicsim_histogram_bits(const gicsim_histogram *h);
GICSIM_API void gicsim_histogram_destroy(gicsim_histogram *h);
GICSIM_API void gicsim_histogram_reset(gicsim_histogram *h);
GICSIM_API void gicsim_histogram_record(gicsim_histogram *h, uint64_t value);
/* Record `value` `n` times. */
GICSIM_API void gicsim_histogram_record_n(gicsim_histogram *h, uint64_t value, uint64_t n);
/* dst += src. Of another precision, each bucket of src counts where its
 * representative value (as a percentile reports it) falls in dst; count,
 * sum, min and max stay exact. */
GICSIM_API void gicsim_histogram_merge(gicsim_histogram *dst, const gicsim_histogram *src);

GICSIM_API uint64_t gicsim_histogram_count(const gicsim_histogram *h);
GICSIM_API uint64_t gicsim_histogram_min(const gicsim_histogram *h);
GICSIM_API uint64_t gicsim_histogram_max(const gicsim_histogram *h);
GICSIM_API double gicsim_histogram_mean(const gicsim_histogram *h);
/* `percent` in [0, 100]; 0 when the histogram is empty. */
GICSIM_API uint64_t gicsim_histogram_percentile(const gicsim_histogram *h, double percent);
GICSIM_API void gicsim_histogram_summary(const gicsim_histogram *h, gicsim_summary *out);

/* CDF walk for plots: visits each non-empty bucket in increasing order.
 * `lo`/`hi` are the bucket's inclusive value range, `count` its count and
 * `cumulative` the count of values <= hi. Returning false stops the walk. */
typedef bool (*gicsim_histogram_visit_fn)(void *ctx, uint64_t lo, uint64_t hi, uint64_t count,
                                          uint64_t cumulative);
GICSIM_API void gicsim_histogram_foreach(const gicsim_histogram *h, gicsim_histogram_visit_fn fn,
                                         void *ctx);

#ifdef __cplusplus
}
#endif

#endif
