/* gicsim: tests of the internal least-squares tools (lib/calibrate/nnls.h) on problems
 * with known answers: Lawson-Hanson NNLS with no active constraint, with an
 * active one (the unconstrained optimum is negative), a zero column, a
 * consistent overdetermined system; random problems against a brute-force
 * search over every active set; the Householder least squares; the column
 * rank with dependent and zero columns; and the argument checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "calibrate/nnls.h"

#include <math.h>
#include <string.h>

#define TOL 1e-9

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, expected %.17g (+-%g)", got, want, tol);
}

static void test_nnls_unconstrained(void **state)
{
    (void)state;
    /* Consistent overdetermined system, positive solution (2, 3). */
    const double A[] = {1, 0, 0, 1, 1, 1, 2, -1};
    const double b[] = {2, 3, 5, 1};
    double x[2], r = -1;
    assert_int_equal(nnls_solve(A, 4, 2, b, x, &r), GICSIM_OK);
    assert_near(x[0], 2, TOL);
    assert_near(x[1], 3, TOL);
    assert_near(r, 0, TOL);
    /* A classic: [[1,0],[1,0],[0,1]] x = [2,1,1] -> (1.5, 1), residual 1/sqrt(2). */
    const double A2[] = {1, 0, 1, 0, 0, 1};
    const double b2[] = {2, 1, 1};
    assert_int_equal(nnls_solve(A2, 3, 2, b2, x, &r), GICSIM_OK);
    assert_near(x[0], 1.5, TOL);
    assert_near(x[1], 1, TOL);
    assert_near(r, sqrt(0.5), TOL);
}

static void test_nnls_active_constraint(void **state)
{
    (void)state;
    /* Unconstrained: x = (-1, 1) fits exactly. With x >= 0 the first
     * variable is held at 0 and the second is the one-column fit
     * (A2 . b) / (A2 . A2) = 12 / 56; residual sqrt(3/7). */
    const double A[] = {1, 2, 3, 4, 5, 6};
    const double b[] = {1, 1, 1};
    double x[2], r;
    assert_int_equal(nnls_solve(A, 3, 2, b, x, &r), GICSIM_OK);
    assert_near(x[0], 0, 0);
    assert_near(x[1], 12.0 / 56.0, TOL);
    assert_near(r, sqrt(3.0 / 7.0), TOL);
    /* Identity with a negative target: that component is 0. */
    const double I[] = {1, 0, 0, 1};
    const double b2[] = {1, -1};
    assert_int_equal(nnls_solve(I, 2, 2, b2, x, &r), GICSIM_OK);
    assert_near(x[0], 1, TOL);
    assert_near(x[1], 0, 0);
    assert_near(r, 1, TOL);
    /* Every target negative: x = 0, residual |b|. */
    const double b3[] = {-3, -4};
    assert_int_equal(nnls_solve(I, 2, 2, b3, x, &r), GICSIM_OK);
    assert_near(x[0], 0, 0);
    assert_near(x[1], 0, 0);
    assert_near(r, 5, TOL);
    /* A variable enters, then leaves again when a third one enters:
     * b = A (0, 1, 1) exactly, but the first column is picked first. */
    const double A4[] = {1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1};
    const double b4[] = {1, 1, 2, 1};
    double x4[3];
    assert_int_equal(nnls_solve(A4, 4, 3, b4, x4, &r), GICSIM_OK);
    double res[4];
    for (int i = 0; i < 4; i++)
        res[i] = A4[i * 3] * x4[0] + A4[i * 3 + 1] * x4[1] + A4[i * 3 + 2] * x4[2] - b4[i];
    for (int j = 0; j < 3; j++)
        assert_true(x4[j] >= 0);
    assert_near(r, sqrt(res[0] * res[0] + res[1] * res[1] + res[2] * res[2] + res[3] * res[3]),
                TOL);
    assert_near(r, 0, 1e-9);
    assert_near(x4[0], 0, 1e-9);
    assert_near(x4[1], 1, 1e-9);
    assert_near(x4[2], 1, 1e-9);
}

static void test_nnls_zero_column(void **state)
{
    (void)state;
    const double A[] = {1, 0, 2, 0, 3, 0};
    const double b[] = {2, 4, 6};
    double x[2], r;
    assert_int_equal(nnls_solve(A, 3, 2, b, x, &r), GICSIM_OK);
    assert_near(x[0], 2, TOL);
    assert_near(x[1], 0, 0);
    assert_near(r, 0, TOL);
}

/* A small deterministic generator (xorshift). */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static double residual(const double *A, size_t m, size_t n, const double *b, const double *x)
{
    double s = 0;
    for (size_t i = 0; i < m; i++) {
        double d = -b[i];
        for (size_t j = 0; j < n; j++)
            d += A[i * n + j] * x[j];
        s += d * d;
    }
    return sqrt(s);
}

/* The optimum by brute force: the best least-squares fit over every subset
 * of columns whose solution is non-negative. */
static double brute_force(const double *A, size_t m, size_t n, const double *b)
{
    double best = residual(A, m, n, b, (double[8]){0});
    for (unsigned mask = 1; mask < (1u << n); mask++) {
        double sub[64], xs[8], x[8] = {0};
        size_t k = 0, idx[8];
        for (size_t j = 0; j < n; j++)
            if (mask & (1u << j))
                idx[k++] = j;
        for (size_t i = 0; i < m; i++)
            for (size_t c = 0; c < k; c++)
                sub[i * k + c] = A[i * n + idx[c]];
        assert_int_equal(nnls_lstsq(sub, m, k, b, xs), GICSIM_OK);
        bool ok = true;
        for (size_t c = 0; c < k; c++) {
            ok &= xs[c] >= 0;
            x[idx[c]] = xs[c];
        }
        if (ok) {
            double r = residual(A, m, n, b, x);
            if (r < best)
                best = r;
        }
    }
    return best;
}

static void test_nnls_random_vs_brute_force(void **state)
{
    (void)state;
    int active = 0;
    for (int trial = 0; trial < 200; trial++) {
        const size_t m = 6, n = 4;
        double A[24], b[6], x[4], r;
        for (size_t i = 0; i < m * n; i++)
            A[i] = rnd();
        for (size_t i = 0; i < m; i++)
            b[i] = rnd();
        assert_int_equal(nnls_solve(A, m, n, b, x, &r), GICSIM_OK);
        for (size_t j = 0; j < n; j++) {
            assert_true(x[j] >= 0);
            active += x[j] == 0;
        }
        assert_near(r, residual(A, m, n, b, x), 1e-12);
        double best = brute_force(A, m, n, b);
        if (r > best * (1 + 1e-9) + 1e-12)
            fail_msg("trial %d: NNLS residual %.17g, optimum %.17g", trial, r, best);
    }
    /* The random problems exercise the constraint. */
    assert_true(active > 100);
}

static void test_lstsq(void **state)
{
    (void)state;
    /* Regression line through (0,1), (1,3), (2,5.5): slope 2.25, intercept 0.916... */
    const double A[] = {1, 0, 1, 1, 1, 2};
    const double b[] = {1, 3, 5.5};
    double x[2];
    assert_int_equal(nnls_lstsq(A, 3, 2, b, x), GICSIM_OK);
    assert_near(x[1], 2.25, TOL);
    assert_near(x[0], 9.5 / 3 - 2.25, TOL);
    assert_int_equal(nnls_lstsq(A, 1, 2, b, x), GICSIM_E_INVAL); /* m < n */
    assert_int_equal(nnls_lstsq(A, 3, 0, b, x), GICSIM_E_INVAL);
}

static void test_column_rank(void **state)
{
    (void)state;
    size_t rank, dep;
    bool combo[4], zero;
    /* Full rank. */
    const double A[] = {1, 0, 0, 1, 1, 1};
    assert_int_equal(nnls_column_rank(A, 3, 2, 1e-2, &rank, &dep, combo, &zero), GICSIM_OK);
    assert_int_equal(rank, 2);
    assert_int_equal(dep, 2);
    /* Column 2 = 3 * column 0 (up to 0.1% noise): dependent on column 0 only. */
    const double B[] = {1, 0, 3.003, 2, 1, 6, 0, 1, 0};
    assert_int_equal(nnls_column_rank(B, 3, 3, 1e-2, &rank, &dep, combo, &zero), GICSIM_OK);
    assert_int_equal(rank, 2);
    assert_int_equal(dep, 2);
    assert_false(zero);
    assert_true(combo[0]);
    assert_false(combo[1]);
    /* Column 2 = column 0 + column 1. */
    const double C[] = {1, 0, 1, 0, 1, 1, 1, 1, 2, 2, 0, 2};
    assert_int_equal(nnls_column_rank(C, 4, 3, 1e-2, &rank, &dep, combo, &zero), GICSIM_OK);
    assert_int_equal(rank, 2);
    assert_int_equal(dep, 2);
    assert_true(combo[0] && combo[1]);
    /* A zero column. */
    const double D[] = {1, 0, 2, 0};
    assert_int_equal(nnls_column_rank(D, 2, 2, 1e-2, &rank, &dep, combo, &zero), GICSIM_OK);
    assert_int_equal(rank, 1);
    assert_int_equal(dep, 1);
    assert_true(zero);
    /* 5% independent is independent at 1% tolerance, dependent at 10%. */
    const double E[] = {1, 1, 0, 0.05};
    assert_int_equal(nnls_column_rank(E, 2, 2, 1e-2, &rank, &dep, NULL, NULL), GICSIM_OK);
    assert_int_equal(rank, 2);
    assert_int_equal(nnls_column_rank(E, 2, 2, 1e-1, &rank, &dep, NULL, NULL), GICSIM_OK);
    assert_int_equal(rank, 1);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const double A[] = {1, 2};
    const double b[] = {1, NAN};
    double x[2];
    assert_int_equal(nnls_solve(A, 0, 2, b, x, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_solve(A, 1, 0, b, x, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_solve(NULL, 1, 2, b, x, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_solve(A, 2, 1, b, x, NULL), GICSIM_E_INVAL); /* NaN in b */
    size_t rank, dep;
    assert_int_equal(nnls_column_rank(A, 1, 2, -1, &rank, &dep, NULL, NULL), GICSIM_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nnls_unconstrained),
        cmocka_unit_test(test_nnls_active_constraint),
        cmocka_unit_test(test_nnls_zero_column),
        cmocka_unit_test(test_nnls_random_vs_brute_force),
        cmocka_unit_test(test_lstsq),
        cmocka_unit_test(test_column_rank),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
