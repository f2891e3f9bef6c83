/* gicsim: log-linear (HDR-style) histograms (see gicsim/histogram.h).
 *
 * Layout, with b = the histogram's sub_bits (its precision). Bucket group 0
 * holds the values 0 .. 2^b - 1, one bucket each. A value v >= 2^b whose
 * leading one is bit k (b <= k <= 63) belongs to group g = k - b + 1, and
 * within it to sub-bucket (v >> (k - b)) & (2^b - 1): the b bits right below
 * the leading one. Every bucket of group g >= 1 therefore spans 2^(g-1)
 * values and starts at a value >= 2^b * 2^(g-1), so the width of a bucket is
 * at most 2^-b of any value in it. Groups 0 .. 64 - b cover the whole
 * uint64_t range; the last bucket ends at UINT64_MAX.
 */
#include <gicsim/histogram.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SIZEOF_INT128__)
typedef unsigned __int128 hist_sum_t;
#else
typedef long double hist_sum_t;
#endif

/* With b = sub_bits: 2^b buckets per group, 64 - b + 1 groups. */
struct gicsim_histogram {
    uint64_t count;    /* number of recorded values; must stay below 2^64 */
    uint64_t min;      /* UINT64_MAX while empty */
    uint64_t max;      /* 0 while empty */
    hist_sum_t sum;    /* exact total of the recorded values (with __int128) */
    unsigned sub_bits; /* GICSIM_HISTOGRAM_BITS_MIN .. _MAX */
    size_t n_buckets;
    uint64_t buckets[];
};

/* Position of the leading one of v; v must be non-zero. */
static unsigned top_bit(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return 63u - (unsigned)__builtin_clzll(v);
#else
    unsigned k = 0;
    while (v >>= 1)
        k++;
    return k;
#endif
}

/* Index in buckets[] of the bucket holding v (always < n_buckets). */
static size_t bucket_index(unsigned b, uint64_t v)
{
    uint64_t sub_count = UINT64_C(1) << b;
    if (v < sub_count)
        return (size_t)v;
    unsigned k = top_bit(v);
    size_t group = (size_t)(k - b + 1);
    size_t sub = (size_t)((v >> (k - b)) & (sub_count - 1));
    return (group << b) + sub;
}

/* Inclusive value range [*lo, *hi] of bucket i (i < n_buckets). */
static void bucket_range(unsigned b, size_t i, uint64_t *lo, uint64_t *hi)
{
    size_t group = i >> b;
    uint64_t sub_count = UINT64_C(1) << b;
    uint64_t sub = (uint64_t)i & (sub_count - 1);
    if (group == 0) {
        *lo = sub;
        *hi = sub;
        return;
    }
    unsigned shift = (unsigned)(group - 1);
    *lo = (sub_count + sub) << shift;
    *hi = *lo + ((UINT64_C(1) << shift) - 1); /* no overflow: the last hi is UINT64_MAX */
}

/* The value a percentile reports for bucket i: its midpoint, within [min, max]. */
static uint64_t bucket_mid(const gicsim_histogram *h, size_t i)
{
    uint64_t lo, hi;
    bucket_range(h->sub_bits, i, &lo, &hi);
    uint64_t mid = lo + (hi - lo) / 2;
    return mid < h->min ? h->min : mid > h->max ? h->max : mid;
}

/* Nearest rank (1 .. count) of `percent` for a non-empty histogram: the
 * smallest r with r >= percent / 100 * count. `percent` is clamped to
 * [0, 100] (NaN counts as 0). A product within a few double rounding steps
 * above an integer is taken as that integer, so that decimal percentages that
 * doubles cannot represent exactly (99.9) give the intended rank. */
static uint64_t nearest_rank(uint64_t count, double percent)
{
    if (!(percent > 0.0))
        return 1;
    if (percent >= 100.0)
        return count;
    long double x = (long double)percent * (long double)count / 100.0L;
    long double slack = x * (4.0L * (long double)DBL_EPSILON);
    long double r = ceill(x - slack);
    if (r < 1.0L)
        return 1;
    if (r >= (long double)count)
        return count;
    return (uint64_t)r;
}

gicsim_status gicsim_histogram_create_bits(unsigned sub_bits, gicsim_histogram **out)
{
    if (!out)
        return GICSIM_E_INVAL;
    *out = NULL;
    if (sub_bits < GICSIM_HISTOGRAM_BITS_MIN || sub_bits > GICSIM_HISTOGRAM_BITS_MAX)
        return GICSIM_E_INVAL;
    size_t n = (size_t)(64u - sub_bits + 1u) << sub_bits;
    gicsim_histogram *h = malloc(sizeof *h + n * sizeof h->buckets[0]);
    if (!h)
        return GICSIM_E_NOMEM;
    h->sub_bits = sub_bits;
    h->n_buckets = n;
    gicsim_histogram_reset(h);
    *out = h;
    return GICSIM_OK;
}

gicsim_status gicsim_histogram_create(gicsim_histogram **out)
{
    return gicsim_histogram_create_bits(GICSIM_HISTOGRAM_BITS_DEFAULT, out);
}

unsigned gicsim_histogram_bits(const gicsim_histogram *h)
{
    return h ? h->sub_bits : 0;
}

void gicsim_histogram_destroy(gicsim_histogram *h)
{
    free(h);
}

void gicsim_histogram_reset(gicsim_histogram *h)
{
    if (!h)
        return;
    memset(h->buckets, 0, h->n_buckets * sizeof h->buckets[0]);
    h->count = 0;
    h->min = UINT64_MAX;
    h->max = 0;
    h->sum = 0;
}

void gicsim_histogram_record(gicsim_histogram *h, uint64_t value)
{
    gicsim_histogram_record_n(h, value, 1);
}

void gicsim_histogram_record_n(gicsim_histogram *h, uint64_t value, uint64_t n)
{
    if (!h || n == 0)
        return;
    h->buckets[bucket_index(h->sub_bits, value)] += n;
    h->count += n;
    h->sum += (hist_sum_t)value * (hist_sum_t)n;
    if (value < h->min)
        h->min = value;
    if (value > h->max)
        h->max = value;
}

void gicsim_histogram_merge(gicsim_histogram *dst, const gicsim_histogram *src)
{
    if (!dst || !src || src->count == 0)
        return;
    /* Read every field of src before writing dst: they may be the same object. */
    uint64_t count = src->count, min = src->min, max = src->max;
    hist_sum_t sum = src->sum;
    if (dst->sub_bits == src->sub_bits) {
        for (size_t i = 0; i < dst->n_buckets; i++)
            dst->buckets[i] += src->buckets[i];
    } else {
        /* Another precision: each bucket's count goes where its
         * representative value falls. */
        for (size_t i = 0; i < src->n_buckets; i++)
            if (src->buckets[i])
                dst->buckets[bucket_index(dst->sub_bits, bucket_mid(src, i))] += src->buckets[i];
    }
    dst->count += count;
    dst->sum += sum;
    if (min < dst->min)
        dst->min = min;
    if (max > dst->max)
        dst->max = max;
}

uint64_t gicsim_histogram_count(const gicsim_histogram *h)
{
    return h ? h->count : 0;
}

uint64_t gicsim_histogram_min(const gicsim_histogram *h)
{
    return h && h->count ? h->min : 0;
}

uint64_t gicsim_histogram_max(const gicsim_histogram *h)
{
    return h && h->count ? h->max : 0;
}

double gicsim_histogram_mean(const gicsim_histogram *h)
{
    if (!h || h->count == 0)
        return 0.0;
#if defined(__SIZEOF_INT128__)
    /* Whole part and remainder of the exact quotient, each converted on its
     * own: the result is within about one unit in the last place of a double. */
    hist_sum_t q = h->sum / h->count;
    uint64_t rem = (uint64_t)(h->sum % h->count);
    return (double)q + (double)rem / (double)h->count;
#else
    return (double)(h->sum / (long double)h->count);
#endif
}

uint64_t gicsim_histogram_percentile(const gicsim_histogram *h, double percent)
{
    if (!h || h->count == 0)
        return 0;
    uint64_t rank = nearest_rank(h->count, percent);
    /* The smallest and largest values are known exactly. */
    if (rank == 1)
        return h->min;
    if (rank == h->count)
        return h->max;
    uint64_t seen = 0;
    for (size_t i = 0; i < h->n_buckets; i++) {
        seen += h->buckets[i];
        if (seen >= rank)
            return bucket_mid(h, i);
    }
    return h->max; /* not reached: the buckets add up to count */
}

void gicsim_histogram_summary(const gicsim_histogram *h, gicsim_summary *out)
{
    if (!out)
        return;
    out->count = gicsim_histogram_count(h);
    out->mean = gicsim_histogram_mean(h);
    out->min = gicsim_histogram_min(h);
    out->p50 = gicsim_histogram_percentile(h, 50.0);
    out->p90 = gicsim_histogram_percentile(h, 90.0);
    out->p99 = gicsim_histogram_percentile(h, 99.0);
    out->p999 = gicsim_histogram_percentile(h, 99.9);
    out->max = gicsim_histogram_max(h);
}

void gicsim_histogram_foreach(const gicsim_histogram *h, gicsim_histogram_visit_fn fn, void *ctx)
{
    if (!h || !fn)
        return;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h->n_buckets && cumulative < h->count; i++) {
        if (h->buckets[i] == 0)
            continue;
        cumulative += h->buckets[i];
        uint64_t lo, hi;
        bucket_range(h->sub_bits, i, &lo, &hi);
        if (!fn(ctx, lo, hi, h->buckets[i], cumulative))
            return;
    }
}
