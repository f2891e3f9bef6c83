/* gicsim: tests of the log-linear histograms (gicsim/histogram.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gicsim/histogram.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* splitmix64: a fixed-seed generator so that every run sees the same data. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Exact nearest-rank percentile of sorted[0..n-1] for `milli` thousandths of a
 * percent (milli = 99900 is p99.9), computed with integers only. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, uint64_t milli)
{
    uint64_t rank = (milli * (uint64_t)n + 99999) / 100000;
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static gicsim_histogram *new_hist(void)
{
    gicsim_histogram *h = NULL;
    assert_int_equal(gicsim_histogram_create(&h), GICSIM_OK);
    assert_non_null(h);
    return h;
}

/* Percentages exercised by the comparisons, in thousandths of a percent. */
static const uint64_t test_millis[] = {0,     1,     500,   1000,  5000,  10000, 25000,
                                       33333, 50000, 66667, 75000, 90000, 95000, 99000,
                                       99500, 99900, 99990, 99999, 100000};
#define N_MILLIS (sizeof test_millis / sizeof test_millis[0])

/* One bucket as seen by gicsim_histogram_foreach. */
typedef struct visit {
    uint64_t lo, hi, count, cumulative;
} visit;

typedef struct visit_log {
    visit *v;
    size_t n, cap;
    size_t stop_after; /* return false after this many visits; 0 = never */
} visit_log;

static bool log_visit(void *ctx, uint64_t lo, uint64_t hi, uint64_t count, uint64_t cumulative)
{
    visit_log *log = ctx;
    if (log->n == log->cap) {
        log->cap = log->cap ? 2 * log->cap : 64;
        log->v = realloc(log->v, log->cap * sizeof *log->v);
        assert_non_null(log->v);
    }
    log->v[log->n++] = (visit){lo, hi, count, cumulative};
    return log->stop_after == 0 || log->n < log->stop_after;
}

/* Asserts that two histograms are indistinguishable through the API. */
static void assert_same_hist(const gicsim_histogram *a, const gicsim_histogram *b)
{
    assert_int_equal(gicsim_histogram_count(a), gicsim_histogram_count(b));
    assert_int_equal(gicsim_histogram_min(a), gicsim_histogram_min(b));
    assert_int_equal(gicsim_histogram_max(a), gicsim_histogram_max(b));
    assert_true(gicsim_histogram_mean(a) == gicsim_histogram_mean(b));
    for (size_t i = 0; i < N_MILLIS; i++) {
        double p = (double)test_millis[i] / 1000.0;
        assert_int_equal(gicsim_histogram_percentile(a, p), gicsim_histogram_percentile(b, p));
    }
    visit_log la = {0}, lb = {0};
    gicsim_histogram_foreach(a, log_visit, &la);
    gicsim_histogram_foreach(b, log_visit, &lb);
    assert_int_equal(la.n, lb.n);
    for (size_t i = 0; i < la.n; i++)
        assert_memory_equal(&la.v[i], &lb.v[i], sizeof(visit));
    free(la.v);
    free(lb.v);
}

/* ---- lifecycle and empty histograms ---- */

static void test_create_and_null(void **state)
{
    (void)state;
    assert_int_equal(gicsim_histogram_create(NULL), GICSIM_E_INVAL);

    /* Every other call tolerates a NULL handle. */
    gicsim_histogram_destroy(NULL);
    gicsim_histogram_reset(NULL);
    gicsim_histogram_record(NULL, 5);
    gicsim_histogram_record_n(NULL, 5, 3);
    gicsim_histogram_merge(NULL, NULL);
    assert_int_equal(gicsim_histogram_count(NULL), 0);
    assert_int_equal(gicsim_histogram_min(NULL), 0);
    assert_int_equal(gicsim_histogram_max(NULL), 0);
    assert_true(gicsim_histogram_mean(NULL) == 0.0);
    assert_int_equal(gicsim_histogram_percentile(NULL, 50.0), 0);
    gicsim_summary s;
    memset(&s, 0xA5, sizeof s);
    gicsim_histogram_summary(NULL, &s);
    assert_int_equal(s.count, 0);
    assert_true(s.mean == 0.0);
    assert_int_equal(s.min, 0);
    assert_int_equal(s.p50, 0);
    assert_int_equal(s.max, 0);
    visit_log log = {0};
    gicsim_histogram_foreach(NULL, log_visit, &log);
    assert_int_equal(log.n, 0);

    gicsim_histogram *h = new_hist();
    gicsim_histogram_record(h, 7);
    gicsim_histogram_merge(h, NULL);
    gicsim_histogram_merge(NULL, h);
    gicsim_histogram_summary(h, NULL);
    gicsim_histogram_foreach(h, NULL, NULL);
    assert_int_equal(gicsim_histogram_count(h), 1);
    gicsim_histogram_destroy(h);
}

static void test_empty(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    for (int round = 0; round < 2; round++) {
        assert_int_equal(gicsim_histogram_count(h), 0);
        assert_int_equal(gicsim_histogram_min(h), 0);
        assert_int_equal(gicsim_histogram_max(h), 0);
        assert_true(gicsim_histogram_mean(h) == 0.0);
        assert_int_equal(gicsim_histogram_percentile(h, 0.0), 0);
        assert_int_equal(gicsim_histogram_percentile(h, 50.0), 0);
        assert_int_equal(gicsim_histogram_percentile(h, 100.0), 0);
        gicsim_summary s;
        memset(&s, 0xA5, sizeof s);
        gicsim_histogram_summary(h, &s);
        assert_int_equal(s.count, 0);
        assert_true(s.mean == 0.0);
        assert_int_equal(s.min, 0);
        assert_int_equal(s.p50, 0);
        assert_int_equal(s.p90, 0);
        assert_int_equal(s.p99, 0);
        assert_int_equal(s.p999, 0);
        assert_int_equal(s.max, 0);
        visit_log log = {0};
        gicsim_histogram_foreach(h, log_visit, &log);
        assert_int_equal(log.n, 0);
        /* After reset the histogram is empty again. */
        gicsim_histogram_record(h, 12345);
        gicsim_histogram_record(h, UINT64_MAX);
        assert_int_equal(gicsim_histogram_count(h), 2);
        gicsim_histogram_reset(h);
    }
    /* record_n with n == 0 records nothing. */
    gicsim_histogram_record_n(h, 99, 0);
    assert_int_equal(gicsim_histogram_count(h), 0);
    assert_int_equal(gicsim_histogram_min(h), 0);
    assert_int_equal(gicsim_histogram_max(h), 0);
    /* ... nor does it move min or max of a non-empty one. */
    gicsim_histogram_record(h, 50);
    gicsim_histogram_record_n(h, 1, 0);
    gicsim_histogram_record_n(h, 1000, 0);
    assert_int_equal(gicsim_histogram_count(h), 1);
    assert_int_equal(gicsim_histogram_min(h), 50);
    assert_int_equal(gicsim_histogram_max(h), 50);
    assert_true(gicsim_histogram_mean(h) == 50.0);
    gicsim_histogram_destroy(h);
}

/* ---- accuracy ---- */

static void test_small_values_exact(void **state)
{
    (void)state;
    /* Values 0..127, each recorded (v % 7) + 1 times, in a scrambled order. */
    enum { NV = 128 };
    uint64_t vals[NV * 7];
    size_t n = 0;
    for (uint64_t v = 0; v < NV; v++)
        for (uint64_t k = 0; k <= v % 7; k++)
            vals[n++] = v;
    uint64_t seed = 42;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(rng_next(&seed) % (i + 1));
        uint64_t t = vals[i];
        vals[i] = vals[j];
        vals[j] = t;
    }
    gicsim_histogram *h = new_hist();
    for (size_t i = 0; i < n; i++)
        gicsim_histogram_record(h, vals[i]);
    qsort(vals, n, sizeof vals[0], cmp_u64);

    assert_int_equal(gicsim_histogram_count(h), n);
    assert_int_equal(gicsim_histogram_min(h), 0);
    assert_int_equal(gicsim_histogram_max(h), 127);
    for (uint64_t milli = 0; milli <= 100000; milli += 250) {
        double p = (double)milli / 1000.0;
        assert_int_equal(gicsim_histogram_percentile(h, p), exact_percentile(vals, n, milli));
    }
    for (size_t i = 0; i < N_MILLIS; i++) {
        double p = (double)test_millis[i] / 1000.0;
        assert_int_equal(gicsim_histogram_percentile(h, p),
                         exact_percentile(vals, n, test_millis[i]));
    }
    /* Every small value has a bucket of its own. */
    visit_log log = {0};
    gicsim_histogram_foreach(h, log_visit, &log);
    assert_int_equal(log.n, NV);
    for (size_t i = 0; i < log.n; i++) {
        assert_int_equal(log.v[i].lo, i);
        assert_int_equal(log.v[i].hi, i);
        assert_int_equal(log.v[i].count, i % 7 + 1);
    }
    free(log.v);
    gicsim_histogram_destroy(h);
}

static void test_decimal_percent_ranks(void **state)
{
    (void)state;
    /* 250 distinct values with exact buckets (0..255 are exact): the rank
     * percent / 100 * 250 is an integer whenever percent is a multiple of 0.4,
     * which a double cannot hold exactly; the intended rank must still win. */
    enum { N = 250 };
    uint64_t vals[N];
    gicsim_histogram *h = new_hist();
    for (uint64_t v = 0; v < N; v++) {
        vals[v] = v;
        gicsim_histogram_record(h, N - 1 - v);
    }
    for (uint64_t milli = 0; milli <= 100000; milli += 10) {
        double p = (double)milli / 1000.0;
        uint64_t got = gicsim_histogram_percentile(h, p);
        uint64_t want = exact_percentile(vals, N, milli);
        if (got != want)
            fail_msg("p%.3f: got %llu, want %llu", p, (unsigned long long)got,
                     (unsigned long long)want);
    }
    gicsim_histogram_destroy(h);
}

static void test_percentile_midpoint_clamped(void **state)
{
    (void)state;
    /* 100000 lies in the bucket [99840, 100351], midpoint 100095. */
    gicsim_histogram *h = new_hist();
    gicsim_histogram_record(h, 1);
    gicsim_histogram_record_n(h, 100000, 10);
    gicsim_histogram_record(h, UINT64_C(1) << 40);
    visit_log log = {0};
    gicsim_histogram_foreach(h, log_visit, &log);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.v[1].lo, 99840);
    assert_int_equal(log.v[1].hi, 100351);
    free(log.v);
    assert_int_equal(gicsim_histogram_percentile(h, 50.0), 100095);
    assert_int_equal(gicsim_histogram_percentile(h, 0.0), 1);
    assert_int_equal(gicsim_histogram_percentile(h, 100.0), UINT64_C(1) << 40);

    /* Midpoint above max: clamped to max. */
    gicsim_histogram_reset(h);
    gicsim_histogram_record(h, 99841);
    gicsim_histogram_record(h, 99842);
    gicsim_histogram_record(h, 99843);
    assert_int_equal(gicsim_histogram_percentile(h, 50.0), 99843);

    /* Midpoint below min: clamped to min. */
    gicsim_histogram_reset(h);
    gicsim_histogram_record(h, 100300);
    gicsim_histogram_record(h, 100350);
    gicsim_histogram_record(h, 100351);
    assert_int_equal(gicsim_histogram_percentile(h, 50.0), 100300);

    /* p0 and p100 are min and max exactly even when the midpoints are not. */
    gicsim_histogram_reset(h);
    gicsim_histogram_record(h, 99841);
    gicsim_histogram_record(h, 500000);
    gicsim_histogram_record(h, 1000001);
    assert_int_equal(gicsim_histogram_percentile(h, 0.0), 99841);
    assert_int_equal(gicsim_histogram_percentile(h, 33.0), 99841);
    assert_int_equal(gicsim_histogram_percentile(h, 100.0), 1000001);
    assert_int_equal(gicsim_histogram_percentile(h, 99.0), 1000001);
    gicsim_histogram_destroy(h);
}

/* Asserts |got - want| <= want / 128 (the bucket resolution). */
static void assert_within_resolution(uint64_t got, uint64_t want)
{
    uint64_t diff = got > want ? got - want : want - got;
    if (diff > want / 128)
        fail_msg("got %llu, want %llu (within 1/128)", (unsigned long long)got,
                 (unsigned long long)want);
}

static void test_uniform(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    for (uint64_t v = 1; v <= 100000; v++)
        gicsim_histogram_record(h, v);
    assert_int_equal(gicsim_histogram_count(h), 100000);
    assert_int_equal(gicsim_histogram_min(h), 1);
    assert_int_equal(gicsim_histogram_max(h), 100000);
    assert_int_equal(gicsim_histogram_percentile(h, 0.0), 1);
    assert_int_equal(gicsim_histogram_percentile(h, 100.0), 100000);
    uint64_t p50 = gicsim_histogram_percentile(h, 50.0);
    uint64_t p99 = gicsim_histogram_percentile(h, 99.0);
    assert_in_range(p50, 50000 - 400, 50000 + 400);
    assert_in_range(p99, 99000 - 792, 99000 + 792);
    /* Every nearest-rank percentile within the resolution: value at rank r is r. */
    for (uint64_t milli = 0; milli <= 100000; milli += 100) {
        uint64_t want = (milli * 100000 + 99999) / 100000;
        if (want < 1)
            want = 1;
        assert_within_resolution(gicsim_histogram_percentile(h, (double)milli / 1000.0), want);
    }
    assert_true(gicsim_histogram_mean(h) == 50000.5);
    gicsim_histogram_destroy(h);
}

static void test_relative_error_random(void **state)
{
    (void)state;
    enum { N = 200000 };
    uint64_t *vals = malloc(N * sizeof *vals);
    assert_non_null(vals);
    gicsim_histogram *h = new_hist();
    uint64_t seed = UINT64_C(0x1234567887654321);
    for (size_t i = 0; i < N; i++) {
        /* Spread over every magnitude: a random 64-bit value shifted right by 0..63. */
        uint64_t r = rng_next(&seed);
        uint64_t v = r >> (rng_next(&seed) % 64);
        vals[i] = v;
        gicsim_histogram_record(h, v);
    }
    qsort(vals, N, sizeof *vals, cmp_u64);
    assert_int_equal(gicsim_histogram_min(h), vals[0]);
    assert_int_equal(gicsim_histogram_max(h), vals[N - 1]);
    for (size_t i = 0; i < N_MILLIS; i++) {
        double p = (double)test_millis[i] / 1000.0;
        assert_within_resolution(gicsim_histogram_percentile(h, p),
                                 exact_percentile(vals, N, test_millis[i]));
    }
    for (uint64_t milli = 0; milli <= 100000; milli += 125) {
        double p = (double)milli / 1000.0;
        assert_within_resolution(gicsim_histogram_percentile(h, p),
                                 exact_percentile(vals, N, milli));
    }
    gicsim_histogram_destroy(h);
    free(vals);
}

/* One value alone: its bucket must contain it and be at most value/128 wide. */
static void check_bucket_of(gicsim_histogram *h, uint64_t v)
{
    gicsim_histogram_reset(h);
    gicsim_histogram_record(h, v);
    visit_log log = {0};
    gicsim_histogram_foreach(h, log_visit, &log);
    assert_int_equal(log.n, 1);
    uint64_t lo = log.v[0].lo, hi = log.v[0].hi;
    free(log.v);
    if (lo > v || v > hi)
        fail_msg("value %llu outside its bucket [%llu, %llu]", (unsigned long long)v,
                 (unsigned long long)lo, (unsigned long long)hi);
    uint64_t width_m1 = hi - lo; /* width - 1, cannot overflow */
    if (lo < 128)
        assert_int_equal(width_m1, 0);
    else if (width_m1 >= lo / 128)
        fail_msg("bucket [%llu, %llu] too wide", (unsigned long long)lo, (unsigned long long)hi);
    /* Buckets are aligned to their width (a power of two). */
    uint64_t width = width_m1 + 1;
    if (width != 0) {
        assert_int_equal(width & width_m1, 0);
        assert_int_equal(lo % width, 0);
    }
    assert_int_equal(gicsim_histogram_percentile(h, 50.0), v);
}

static void test_bucket_bounds_full_range(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    for (uint64_t v = 0; v < 1024; v++)
        check_bucket_of(h, v);
    for (unsigned k = 0; k < 64; k++) {
        uint64_t p = UINT64_C(1) << k;
        check_bucket_of(h, p);
        check_bucket_of(h, p - 1);
        check_bucket_of(h, p + 1);
        check_bucket_of(h, p | (p >> 1));
        check_bucket_of(h, p + (p - 1)); /* all ones up to bit k */
    }
    check_bucket_of(h, UINT64_MAX);
    check_bucket_of(h, UINT64_MAX - 1);
    uint64_t seed = 7;
    for (int i = 0; i < 20000; i++)
        check_bucket_of(h, rng_next(&seed) >> (i % 64));

    /* Consecutive buckets of every group meet without gaps or overlaps: record
     * the first value of every bucket (lo of one sub-bucket step) up to the top. */
    gicsim_histogram_reset(h);
    for (uint64_t v = 0; v < 128; v++)
        gicsim_histogram_record(h, v);
    for (unsigned k = 7; k < 64; k++)
        for (uint64_t sub = 0; sub < 128; sub++)
            gicsim_histogram_record(h, (128 + sub) << (k - 7));
    visit_log log = {0};
    gicsim_histogram_foreach(h, log_visit, &log);
    assert_int_equal(log.n, 58 * 128);
    assert_int_equal(log.v[0].lo, 0);
    for (size_t i = 1; i < log.n; i++)
        assert_int_equal(log.v[i].lo, log.v[i - 1].hi + 1);
    assert_int_equal(log.v[log.n - 1].hi, UINT64_MAX);
    free(log.v);
    gicsim_histogram_destroy(h);
}

static void test_extremes(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    gicsim_histogram_record(h, UINT64_MAX);
    gicsim_histogram_record(h, 0);
    assert_int_equal(gicsim_histogram_count(h), 2);
    assert_int_equal(gicsim_histogram_min(h), 0);
    assert_int_equal(gicsim_histogram_max(h), UINT64_MAX);
    assert_int_equal(gicsim_histogram_percentile(h, 0.0), 0);
    assert_int_equal(gicsim_histogram_percentile(h, 50.0), 0);
    assert_int_equal(gicsim_histogram_percentile(h, 50.1), UINT64_MAX);
    assert_int_equal(gicsim_histogram_percentile(h, 100.0), UINT64_MAX);
    /* Out-of-domain percentages are clamped. */
    assert_int_equal(gicsim_histogram_percentile(h, -5.0), 0);
    assert_int_equal(gicsim_histogram_percentile(h, 250.0), UINT64_MAX);
    assert_int_equal(gicsim_histogram_percentile(h, (double)NAN), 0);
    assert_int_equal(gicsim_histogram_percentile(h, -(double)INFINITY), 0);
    assert_int_equal(gicsim_histogram_percentile(h, (double)INFINITY), UINT64_MAX);
    /* (2^64 - 1) / 2 as a double. */
    assert_true(gicsim_histogram_mean(h) == 9223372036854775807.5);

    visit_log log = {0};
    gicsim_histogram_foreach(h, log_visit, &log);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.v[0].lo, 0);
    assert_int_equal(log.v[0].hi, 0);
    assert_int_equal(log.v[1].hi, UINT64_MAX);
    assert_int_equal(log.v[1].lo, UINT64_C(255) << 56);
    assert_int_equal(log.v[1].cumulative, 2);
    free(log.v);

    /* Three values in the top group: the middle one within the resolution. */
    gicsim_histogram_reset(h);
    uint64_t top = UINT64_C(1) << 63;
    gicsim_histogram_record(h, top);
    gicsim_histogram_record(h, top + (top >> 1));
    gicsim_histogram_record(h, UINT64_MAX);
    assert_int_equal(gicsim_histogram_percentile(h, 0.0), top);
    assert_within_resolution(gicsim_histogram_percentile(h, 50.0), top + (top >> 1));
    assert_int_equal(gicsim_histogram_percentile(h, 100.0), UINT64_MAX);

    /* Many copies of UINT64_MAX at once. */
    gicsim_histogram_reset(h);
    gicsim_histogram_record_n(h, UINT64_MAX, UINT64_C(1) << 40);
    assert_int_equal(gicsim_histogram_count(h), UINT64_C(1) << 40);
    assert_true(gicsim_histogram_mean(h) == 18446744073709551615.0);
    assert_int_equal(gicsim_histogram_percentile(h, 50.0), UINT64_MAX);
    gicsim_histogram_destroy(h);
}

static void test_mean_exact(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    for (uint64_t v = 1; v <= 4; v++)
        gicsim_histogram_record(h, v);
    assert_true(gicsim_histogram_mean(h) == 2.5);

    /* A 64-bit total would overflow: 1000 x (2^64 - 1) and 1000 x 1 average to 2^63. */
    gicsim_histogram_reset(h);
    for (int i = 0; i < 1000; i++) {
        gicsim_histogram_record(h, UINT64_MAX);
        gicsim_histogram_record(h, 1);
    }
    assert_true(gicsim_histogram_mean(h) == 9223372036854775808.0);

    /* A double total would lose the small values: {2^53, 1, 1}. */
    gicsim_histogram_reset(h);
    uint64_t big = UINT64_C(1) << 53;
    gicsim_histogram_record(h, big);
    gicsim_histogram_record(h, 1);
    gicsim_histogram_record(h, 1);
    double want = (double)((long double)(big + 2) / 3.0L);
    double naive = (double)big / 3.0;
    assert_true(want != naive);
    assert_true(gicsim_histogram_mean(h) == want);

    /* The mean is of the values, not of the bucket representatives. */
    gicsim_histogram_reset(h);
    gicsim_histogram_record(h, 1000001);
    gicsim_histogram_record(h, 1000002);
    assert_true(gicsim_histogram_mean(h) == 1000001.5);
    gicsim_histogram_destroy(h);
}

/* ---- record_n, merge ---- */

static void test_record_n(void **state)
{
    (void)state;
    gicsim_histogram *a = new_hist();
    gicsim_histogram *b = new_hist();
    uint64_t seed = 99;
    for (int i = 0; i < 300; i++) {
        uint64_t v = rng_next(&seed) >> (rng_next(&seed) % 64);
        uint64_t n = rng_next(&seed) % 20;
        gicsim_histogram_record_n(a, v, n);
        for (uint64_t k = 0; k < n; k++)
            gicsim_histogram_record(b, v);
    }
    assert_true(gicsim_histogram_count(a) > 0);
    assert_same_hist(a, b);
    gicsim_histogram_destroy(a);
    gicsim_histogram_destroy(b);
}

static void test_merge(void **state)
{
    (void)state;
    gicsim_histogram *a = new_hist();
    gicsim_histogram *b = new_hist();
    gicsim_histogram *both = new_hist();
    gicsim_histogram *empty = new_hist();
    uint64_t seed = 2024;
    /* Stream a covers small values, stream b large ones, so min and max come
     * from different sides. */
    for (int i = 0; i < 5000; i++) {
        uint64_t va = 10 + rng_next(&seed) % 100000;
        uint64_t vb = rng_next(&seed) >> (rng_next(&seed) % 32);
        gicsim_histogram_record(a, va);
        gicsim_histogram_record(both, va);
        gicsim_histogram_record(b, vb);
        gicsim_histogram_record(both, vb);
    }
    gicsim_histogram_merge(a, b);
    assert_same_hist(a, both);

    /* Merging an empty histogram changes nothing (in particular not min). */
    gicsim_histogram_merge(a, empty);
    assert_same_hist(a, both);
    /* Merging into an empty one copies. */
    gicsim_histogram_merge(empty, both);
    assert_same_hist(empty, both);

    /* Self-merge doubles every count. */
    gicsim_histogram_merge(both, both);
    gicsim_histogram_merge(a, a);
    assert_same_hist(a, both);
    assert_int_equal(gicsim_histogram_count(a), 20000);
    assert_int_equal(gicsim_histogram_min(a), gicsim_histogram_min(empty));
    assert_true(gicsim_histogram_mean(a) == gicsim_histogram_mean(empty));

    gicsim_histogram_destroy(a);
    gicsim_histogram_destroy(b);
    gicsim_histogram_destroy(both);
    gicsim_histogram_destroy(empty);
}

/* ---- foreach, summary, determinism ---- */

static void test_foreach(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    uint64_t seed = 5;
    for (int i = 0; i < 10000; i++)
        gicsim_histogram_record(h, rng_next(&seed) >> (rng_next(&seed) % 64));
    gicsim_histogram_record_n(h, 3, 17);

    visit_log log = {0};
    gicsim_histogram_foreach(h, log_visit, &log);
    assert_true(log.n > 10);
    uint64_t cum = 0;
    for (size_t i = 0; i < log.n; i++) {
        const visit *v = &log.v[i];
        assert_true(v->lo <= v->hi);
        assert_true(v->count > 0);
        if (i > 0)
            assert_true(v->lo > log.v[i - 1].hi);
        cum += v->count;
        assert_int_equal(v->cumulative, cum);
    }
    assert_int_equal(cum, gicsim_histogram_count(h));
    assert_true(log.v[0].lo <= gicsim_histogram_min(h) && gicsim_histogram_min(h) <= log.v[0].hi);
    assert_true(log.v[log.n - 1].lo <= gicsim_histogram_max(h));
    assert_true(gicsim_histogram_max(h) <= log.v[log.n - 1].hi);
    /* The bucket of 3 holds exactly the 17 copies plus any random 3s. */
    int found3 = 0;
    for (size_t i = 0; i < log.n; i++)
        if (log.v[i].lo == 3) {
            assert_int_equal(log.v[i].hi, 3);
            assert_true(log.v[i].count >= 17);
            found3 = 1;
        }
    assert_true(found3);

    /* Returning false stops the walk right there. */
    visit_log stop = {.stop_after = 3};
    gicsim_histogram_foreach(h, log_visit, &stop);
    assert_int_equal(stop.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_memory_equal(&stop.v[i], &log.v[i], sizeof(visit));
    visit_log one = {.stop_after = 1};
    gicsim_histogram_foreach(h, log_visit, &one);
    assert_int_equal(one.n, 1);
    free(log.v);
    free(stop.v);
    free(one.v);
    gicsim_histogram_destroy(h);
}

static void test_summary(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    uint64_t seed = 77;
    for (int i = 0; i < 50000; i++)
        gicsim_histogram_record(h, 1000 + rng_next(&seed) % 1000000);
    gicsim_summary s;
    memset(&s, 0xA5, sizeof s);
    gicsim_histogram_summary(h, &s);
    assert_int_equal(s.count, gicsim_histogram_count(h));
    assert_true(s.mean == gicsim_histogram_mean(h));
    assert_int_equal(s.min, gicsim_histogram_min(h));
    assert_int_equal(s.p50, gicsim_histogram_percentile(h, 50.0));
    assert_int_equal(s.p90, gicsim_histogram_percentile(h, 90.0));
    assert_int_equal(s.p99, gicsim_histogram_percentile(h, 99.0));
    assert_int_equal(s.p999, gicsim_histogram_percentile(h, 99.9));
    assert_int_equal(s.max, gicsim_histogram_max(h));
    assert_true(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99);
    assert_true(s.p99 <= s.p999 && s.p999 <= s.max);
    assert_true(s.p50 != s.p90 && s.p90 != s.p99);
    gicsim_histogram_destroy(h);
}

static void test_percentile_monotonic(void **state)
{
    (void)state;
    gicsim_histogram *h = new_hist();
    uint64_t seed = 31337;
    for (int i = 0; i < 20000; i++)
        gicsim_histogram_record(h, rng_next(&seed) >> (rng_next(&seed) % 64));
    uint64_t prev = 0;
    for (int i = 0; i <= 10000; i++) {
        uint64_t p = gicsim_histogram_percentile(h, (double)i / 100.0);
        assert_true(p >= prev);
        prev = p;
    }
    assert_int_equal(prev, gicsim_histogram_max(h));
    gicsim_histogram_destroy(h);
}

/* Every precision: each value's bucket is at most 2^-bits of it wide and the
 * percentiles are within that of the exact ones; the default is 7 bits; a
 * merge across precisions keeps the exact count, sum, min and max. */
static void test_precision(void **state)
{
    (void)state;
    gicsim_histogram *h = NULL;
    assert_int_equal(gicsim_histogram_create_bits(0, &h), GICSIM_E_INVAL);
    assert_int_equal(gicsim_histogram_create_bits(GICSIM_HISTOGRAM_BITS_MAX + 1, &h),
                     GICSIM_E_INVAL);
    assert_null(h);
    assert_int_equal(gicsim_histogram_create_bits(1, NULL), GICSIM_E_INVAL);
    assert_int_equal(gicsim_histogram_bits(NULL), 0);
    h = new_hist();
    assert_int_equal(gicsim_histogram_bits(h), GICSIM_HISTOGRAM_BITS_DEFAULT);
    assert_int_equal(GICSIM_HISTOGRAM_BITS_DEFAULT, 7);
    enum { N = 20000 };
    uint64_t *vals = malloc(N * sizeof *vals);
    assert_non_null(vals);
    for (unsigned b = GICSIM_HISTOGRAM_BITS_MIN; b <= GICSIM_HISTOGRAM_BITS_MAX; b++) {
        gicsim_histogram *p = NULL;
        assert_int_equal(gicsim_histogram_create_bits(b, &p), GICSIM_OK);
        assert_int_equal(gicsim_histogram_bits(p), b);
        uint64_t seed = 42 + b;
        for (size_t i = 0; i < N; i++) {
            vals[i] = rng_next(&seed) >> (rng_next(&seed) % 64);
            gicsim_histogram_record(p, vals[i]);
        }
        qsort(vals, N, sizeof *vals, cmp_u64);
        for (size_t i = 0; i < N_MILLIS; i++) {
            uint64_t got = gicsim_histogram_percentile(p, (double)test_millis[i] / 1000.0);
            uint64_t want = exact_percentile(vals, N, test_millis[i]);
            uint64_t err = got > want ? got - want : want - got;
            if (err > (want >> b))
                fail_msg("%u bits, p%g: %llu for %llu", b, (double)test_millis[i] / 1000.0,
                         (unsigned long long)got, (unsigned long long)want);
        }
        /* Merged into the default precision: the exact figures survive. */
        gicsim_histogram *d = new_hist();
        gicsim_histogram_record(d, 5);
        gicsim_histogram_merge(d, p);
        assert_int_equal(gicsim_histogram_count(d), N + 1);
        assert_int_equal(gicsim_histogram_min(d), vals[0] < 5 ? vals[0] : 5);
        assert_int_equal(gicsim_histogram_max(d), vals[N - 1]);
        uint64_t total = 0;
        visit_log log = {0};
        gicsim_histogram_foreach(d, log_visit, &log);
        for (size_t i = 0; i < log.n; i++)
            total += log.v[i].count;
        assert_int_equal(total, N + 1);
        free(log.v);
        gicsim_histogram_destroy(d);
        gicsim_histogram_destroy(p);
    }
    free(vals);
    gicsim_histogram_destroy(h);
}

static void test_determinism(void **state)
{
    (void)state;
    gicsim_histogram *a = new_hist();
    gicsim_histogram *b = new_hist();
    uint64_t sa = 11, sb = 11;
    for (int i = 0; i < 30000; i++) {
        gicsim_histogram_record(a, rng_next(&sa) >> (rng_next(&sa) % 48));
        gicsim_histogram_record(b, rng_next(&sb) >> (rng_next(&sb) % 48));
    }
    assert_same_hist(a, b);
    gicsim_summary s1, s2;
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0xFF, sizeof s2);
    gicsim_histogram_summary(a, &s1);
    gicsim_histogram_summary(a, &s2);
    assert_memory_equal(&s1, &s2, sizeof s1);
    gicsim_histogram_summary(b, &s2);
    assert_memory_equal(&s1, &s2, sizeof s1);
    gicsim_histogram_destroy(a);
    gicsim_histogram_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_null),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_decimal_percent_ranks),
        cmocka_unit_test(test_percentile_midpoint_clamped),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_relative_error_random),
        cmocka_unit_test(test_bucket_bounds_full_range),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_mean_exact),
        cmocka_unit_test(test_record_n),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_foreach),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_percentile_monotonic),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_precision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
