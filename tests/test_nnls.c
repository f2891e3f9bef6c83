/* gicsim: tests of the internal least-squares tools (lib/calibrate/nnls.h) on problems
 * with known answers: Lawson-Hanson NNLS with no active constraint, with an
 * active one (the unconstrained optimum is negative), a zero column, a
 * consistent overdetermined system; random problems against a brute-force
 * search over every active set; the path the iteration takes (entering
 * variables, steps back); problems with fewer rows than columns or dependent
 * columns; the Householder least squares; the column rank with dependent and
 * zero columns; and the argument checks. */
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
        double sub[128], xs[8], x[8] = {0};
        size_t k = 0, idx[8];
        for (size_t j = 0; j < n; j++)
            if (mask & (1u << j))
                idx[k++] = j;
        /* An optimum with linearly independent columns exists (Caratheodory):
         * subsets of more than m columns need not be tried. */
        if (k > m)
            continue;
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

/* The trace is `outer` entering variables `entered`, `steps` steps back that
 * freed `n_left` variables `left`, in that order. */
static void assert_path(const nnls_trace *t, size_t outer, const size_t *entered, size_t steps,
                        size_t n_left, const size_t *left)
{
    assert_int_equal(t->outer, outer);
    for (size_t i = 0; i < outer; i++)
        assert_int_equal(t->entered[i], entered[i]);
    assert_int_equal(t->steps, steps);
    assert_int_equal(t->n_left, n_left);
    for (size_t i = 0; i < n_left; i++)
        assert_int_equal(t->left[i], left[i]);
}

/* The path of the algorithm, not only its result (a wrong entering variable
 * or step length still ends at the optimum, by another way): step 1 takes
 * the variable of largest gradient; step 3 steps back from x towards the
 * infeasible passive solution z only as far as the first variable to reach
 * 0 (the smallest x_j / (x_j - z_j)), and frees that one. */
static void test_nnls_path(void **state)
{
    (void)state;
    /* b = A (0, 1, 1): gradients at 0 are (5, 3, 4): 0 enters, then 2; the
     * solution on {0, 2} is infeasible only in 0 (z = (-1/3, ., 1)): 0 leaves;
     * then 1 enters and the fit is exact. */
    const double A[] = {1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1};
    const double b[] = {1, 1, 2, 1};
    double x[3], r;
    nnls_trace t;
    assert_int_equal(nnls_solve_traced(A, 4, 3, b, x, &r, &t), GICSIM_OK);
    assert_path(&t, 3, (const size_t[]){0, 2, 1}, 1, 1, (const size_t[]){0});
    assert_near(r, 0, 1e-12);
    /* Two steps back: entering 2, 1, 0 in that order (largest gradient
     * first), the first step back frees 1 (the first to reach 0), the second
     * frees 2; optimum x = (1.3, 0, 0). Taking the first positive gradient,
     * the smallest one, the full step, or the last variable to reach 0 each
     * changes this path. */
    const double P[] = {3, 2, 3, 3, 1, 3, 1, -2, 3, 1, 2, 0};
    const double q[] = {3, 5, 1, 1};
    assert_int_equal(nnls_solve_traced(P, 4, 3, q, x, &r, &t), GICSIM_OK);
    assert_path(&t, 3, (const size_t[]){2, 1, 0}, 2, 2, (const size_t[]){1, 2});
    assert_near(x[0], 1.3, TOL);
    assert_near(x[1], 0, 0);
    assert_near(x[2], 0, 0);
    assert_near(r, brute_force(P, 4, 3, q), TOL);
    /* The trace is optional and reset by every call. */
    assert_int_equal(nnls_solve_traced(P, 4, 3, q, x, NULL, NULL), GICSIM_OK);
    assert_int_equal(nnls_solve_traced(NULL, 4, 3, q, x, NULL, &t), GICSIM_E_INVAL);
    assert_int_equal(t.outer + t.steps + t.n_left, 0);
}

/* Solves the problem, checks that x is feasible and optimal (against the
 * brute force) and that *rnorm is its residual. */
static void check_optimal(const double *A, size_t m, size_t n, const double *b)
{
    double x[8], r = -1;
    gicsim_status st = nnls_solve(A, m, n, b, x, &r);
    if (st != GICSIM_OK)
        fail_msg("%zu x %zu problem: status %d", m, n, st);
    for (size_t j = 0; j < n; j++)
        assert_true(x[j] >= 0);
    assert_near(r, residual(A, m, n, b, x), 1e-12);
    double best = brute_force(A, m, n, b);
    if (r > best * (1 + 1e-9) + 1e-12)
        fail_msg("%zu x %zu problem: NNLS residual %.17g, optimum %.17g", m, n, r, best);
}

/* Problems with fewer rows than columns or with dependent columns are well
 * posed too; rounding must not make the solver take more than m columns or
 * give up (it returned GICSIM_E_STATE on these two, found by the random
 * sweep below). */
static void test_nnls_rank_deficient(void **state)
{
    (void)state;
    /* 2 x 4, column 3 = 2 * column 0. */
    const double A[] = {-0.97384516146163436, -0.87520629581089082, 0.57979150220223641,
                        -1.9476903229232687,  0.74613674276497211,  0.78223434922987245,
                        -0.51153982613537696, 1.4922734855299442};
    const double b[] = {0.8186155329806506, 0.36587758242158741};
    check_optimal(A, 2, 4, b);
    /* 2 x 4 of full row rank: an exact fit. */
    const double B[] = {0.057442540768380956, -0.12949856886030187, 0.94858681847020221,
                        0.019607199300739397, -0.41500393485379594, 0.90432973864350696,
                        0.35014579069093421,  0.80134651641811838};
    const double c[] = {-0.93721979479585427, -0.82695216371023084};
    check_optimal(B, 2, 4, c);
    /* Random shapes, 1..10 rows and 1..8 columns, every third with a
     * dependent last column. */
    for (int trial = 0; trial < 3000; trial++) {
        size_t n = 1 + (size_t)((rnd() + 1) * 4), m = 1 + (size_t)((rnd() + 1) * 5);
        double R[80], s[10];
        for (size_t i = 0; i < m * n; i++)
            R[i] = rnd();
        if (trial % 3 == 1 && n > 1)
            for (size_t i = 0; i < m; i++)
                R[i * n + n - 1] = 2 * R[i * n];
        for (size_t i = 0; i < m; i++)
            s[i] = rnd();
        check_optimal(R, m, n, s);
    }
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
    assert_int_equal(nnls_column_rank(A, 1, 2, 0.1, NULL, &dep, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_column_rank(A, 1, 2, 0.1, &rank, NULL, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_column_rank(NULL, 1, 2, 0.1, &rank, &dep, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_column_rank(A, 0, 2, 0.1, &rank, &dep, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_column_rank(A, 1, 0, 0.1, &rank, &dep, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_column_rank(A, 1, 2, NAN, &rank, &dep, NULL, NULL), GICSIM_E_INVAL);
    assert_int_equal(nnls_lstsq(NULL, 1, 1, b, x), GICSIM_E_INVAL);
    assert_int_equal(nnls_lstsq(A, 1, 1, NULL, x), GICSIM_E_INVAL);
    assert_int_equal(nnls_lstsq(A, 1, 1, b, NULL), GICSIM_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nnls_unconstrained),
        cmocka_unit_test(test_nnls_active_constraint),
        cmocka_unit_test(test_nnls_zero_column),
        cmocka_unit_test(test_nnls_random_vs_brute_force),
        cmocka_unit_test(test_nnls_path),
        cmocka_unit_test(test_nnls_rank_deficient),
        cmocka_unit_test(test_lstsq),
        cmocka_unit_test(test_column_rank),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
