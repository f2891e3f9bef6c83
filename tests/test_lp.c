/* gicsim: tests of the calibration's internal dense tools on problems solved
 * by hand: the bounded-variable simplex (lib/calibrate/lp.h) at an interior
 * vertex, with bounds active, from an infeasible start (phase 1), on an
 * equality written as two rows, with fixed variables and no rows, on
 * degenerate problems (Beale's example, on which the textbook rule cycles;
 * repeated constraints), infeasible problems and bad arguments; and the
 * symmetric tools (lib/calibrate/linalg.h): the Cholesky inverse and the
 * Jacobi eigen-decomposition. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "calibrate/linalg.h"
#include "calibrate/lp.h"

#include <math.h>
#include <string.h>

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, expected %.17g (+-%g)", got, want, tol);
}

static void test_lp_vertex(void **state)
{
    (void)state;
    /* max x + y, x + 2y <= 4, 3x + y <= 6, 0 <= x, y <= 10: the rows meet
     * at (8/5, 6/5), value 14/5; the minimum is the origin. */
    const double A[] = {1, 2, 3, 1}, b[] = {4, 6}, lo[] = {0, 0}, hi[] = {10, 10}, c[] = {1, 1};
    double x[2], v;
    assert_int_equal(lp_solve(A, 2, 2, b, lo, hi, c, true, x, &v), GICSIM_OK);
    assert_near(x[0], 1.6, 1e-12);
    assert_near(x[1], 1.2, 1e-12);
    assert_near(v, 2.8, 1e-12);
    assert_int_equal(lp_solve(A, 2, 2, b, lo, hi, c, false, x, &v), GICSIM_OK);
    assert_near(v, 0, 0);
    /* Negative objective coefficients: max -x + y -> x = 0, y = 2. */
    const double c2[] = {-1, 1};
    assert_int_equal(lp_solve(A, 2, 2, b, lo, hi, c2, true, x, &v), GICSIM_OK);
    assert_near(x[0], 0, 1e-12);
    assert_near(x[1], 2, 1e-12);
    assert_near(v, 2, 1e-12);
}

static void test_lp_bounds(void **state)
{
    (void)state;
    /* max 2x + y, x + y <= 3.5, 0 <= x <= 1, 0 <= y <= 3: x at its upper
     * bound (a bound flip, no pivot), y = 2.5; value 4.5. */
    const double A[] = {1, 1}, b[] = {3.5}, lo[] = {0, 0}, hi[] = {1, 3}, c[] = {2, 1};
    double x[2], v;
    assert_int_equal(lp_solve(A, 1, 2, b, lo, hi, c, true, x, &v), GICSIM_OK);
    assert_near(x[0], 1, 1e-12);
    assert_near(x[1], 2.5, 1e-12);
    assert_near(v, 4.5, 1e-12);
    /* Shifted bounds: x in [-2, -1], y in [3, 7], x + y <= 5:
     * max x + y = 5 (on the row), min = 1 (both lower bounds). */
    const double lo2[] = {-2, 3}, hi2[] = {-1, 7}, b2[] = {5}, c2[] = {1, 1};
    assert_int_equal(lp_solve(A, 1, 2, b2, lo2, hi2, c2, true, x, &v), GICSIM_OK);
    assert_near(v, 5, 1e-12);
    assert_near(x[0] + x[1], 5, 1e-12);
    assert_int_equal(lp_solve(A, 1, 2, b2, lo2, hi2, c2, false, x, &v), GICSIM_OK);
    assert_near(v, 1, 1e-12);
}

static void test_lp_phase1(void **state)
{
    (void)state;
    /* x + y >= 2 written -x - y <= -2: the start (0, 0) violates it.
     * 0 <= x, y <= 5: min x + 2y = 2 at (2, 0); max = 15 at (5, 5). */
    const double A[] = {-1, -1}, b[] = {-2}, lo[] = {0, 0}, hi[] = {5, 5}, c[] = {1, 2};
    double x[2], v;
    assert_int_equal(lp_solve(A, 1, 2, b, lo, hi, c, false, x, &v), GICSIM_OK);
    assert_near(x[0], 2, 1e-12);
    assert_near(x[1], 0, 1e-12);
    assert_near(v, 2, 1e-12);
    assert_int_equal(lp_solve(A, 1, 2, b, lo, hi, c, true, x, &v), GICSIM_OK);
    assert_near(v, 15, 1e-12);
    /* An equality as two rows: x + y = 1, min x - y over [0, 1]^2 = -1. */
    const double Ae[] = {1, 1, -1, -1}, be[] = {1, -1}, ue[] = {1, 1}, ce[] = {1, -1};
    assert_int_equal(lp_solve(Ae, 2, 2, be, lo, ue, ce, false, x, &v), GICSIM_OK);
    assert_near(x[0], 0, 1e-12);
    assert_near(x[1], 1, 1e-12);
    assert_near(v, -1, 1e-12);
    /* The interval shape calibrate solves: |2a + b - 10| <= 1 with
     * a in [0, 3], b in [0, 8]; g = a - b ranges over [-8 + 0.5, 3 - 3]:
     * min: b = 8, a = 0.5 (2a + 8 >= 9); max: a = 3, b = 3 (6 + b >= 9). */
    const double Ai[] = {2, 1, -2, -1}, bi[] = {11, -9}, li[] = {0, 0}, hi3[] = {3, 8},
                 ci[] = {1, -1};
    assert_int_equal(lp_solve(Ai, 2, 2, bi, li, hi3, ci, false, x, &v), GICSIM_OK);
    assert_near(v, -7.5, 1e-12);
    assert_int_equal(lp_solve(Ai, 2, 2, bi, li, hi3, ci, true, x, &v), GICSIM_OK);
    assert_near(v, 0, 1e-12);
    assert_near(x[0], 3, 1e-12);
    assert_near(x[1], 3, 1e-12);
}

static void test_lp_fixed_and_no_rows(void **state)
{
    (void)state;
    /* No rows: each variable at the bound its coefficient favours; a fixed
     * variable stays. max 3x - y - 0z, x in [1, 2], y = 0.5, z in [0, 9]. */
    const double lo[] = {1, 0.5, 0}, hi[] = {2, 0.5, 9}, c[] = {3, -1, 0};
    double x[3], v;
    assert_int_equal(lp_solve(NULL, 0, 3, NULL, lo, hi, c, true, x, &v), GICSIM_OK);
    assert_near(x[0], 2, 0);
    assert_near(x[1], 0.5, 0);
    assert_near(v, 5.5, 1e-12);
    assert_int_equal(lp_solve(NULL, 0, 3, NULL, lo, hi, c, false, NULL, &v), GICSIM_OK);
    assert_near(v, 2.5, 1e-12);
    /* A row no variable moves: 0 <= 1 holds, 0 <= -1 never does. */
    const double Az[] = {0, 5, 0}, bz[] = {3.5};
    assert_int_equal(lp_solve(Az, 1, 3, bz, lo, hi, c, true, x, &v), GICSIM_OK);
    assert_near(v, 5.5, 1e-12);
    const double Az2[] = {0, 0, 0}, bz2[] = {-1};
    assert_int_equal(lp_solve(Az2, 1, 3, bz2, lo, hi, c, true, x, &v), GICSIM_E_STATE);
}

static void test_lp_degenerate(void **state)
{
    (void)state;
    /* Beale (1955): with the largest-coefficient rule the simplex cycles
     * at the degenerate origin; the optimum is -5/4 at (1, 0, 1, 0) (the
     * multipliers 1.5 and 1.25 of the second and third rows prove it).
     * Bounds [0, 1000] are not active at the optimum. */
    const double A[] = {0.25, -8, -1, 9, 0.5, -12, -0.5, 3, 0, 0, 1, 0};
    const double b[] = {0, 0, 1}, lo[] = {0, 0, 0, 0}, hi[] = {1000, 1000, 1000, 1000};
    const double c[] = {-0.75, 20, -0.5, 6};
    double x[4], v;
    assert_int_equal(lp_solve(A, 3, 4, b, lo, hi, c, false, x, &v), GICSIM_OK);
    assert_near(v, -1.25, 1e-12);
    assert_near(x[0], 1, 1e-12);
    assert_near(x[1], 0, 1e-12);
    assert_near(x[2], 1, 1e-12);
    assert_near(x[3], 0, 1e-12);
    /* Chvatal's cycling example (Linear Programming, 1983, ch. 3): max
     * 10x1 - 57x2 - 9x3 - 24x4, optimum 1 at (1, 0, 1, 0) (multipliers 18
     * and 1). */
    const double Ac[] = {0.5, -5.5, -2.5, 9, 0.5, -1.5, -0.5, 1, 1, 0, 0, 0};
    const double cc[] = {10, -57, -9, -24};
    assert_int_equal(lp_solve(Ac, 3, 4, b, lo, hi, cc, true, x, &v), GICSIM_OK);
    assert_near(v, 1, 1e-12);
    assert_near(x[0], 1, 1e-12);
    assert_near(x[2], 1, 1e-12);
    /* The same row three times and a row through the optimum's vertex:
     * max x + y, x + y <= 1 (x3), x <= 1, y <= 1 -> 1. */
    const double Ar[] = {1, 1, 1, 1, 1, 1, 1, 0}, br[] = {1, 1, 1, 1}, l2[] = {0, 0}, h2[] = {2, 2},
                 c2[] = {1, 1};
    assert_int_equal(lp_solve(Ar, 4, 2, br, l2, h2, c2, true, x, &v), GICSIM_OK);
    assert_near(v, 1, 1e-12);
    /* Degenerate phase 1: x + y >= 1 and x + y <= 1 at the corner of the
     * box [0, 1]^2 (every vertex of the feasible segment is degenerate). */
    const double Ad[] = {-1, -1, 1, 1}, bd[] = {-1, 1}, hd[] = {1, 1}, cd[] = {2, 1};
    assert_int_equal(lp_solve(Ad, 2, 2, bd, l2, hd, cd, true, x, &v), GICSIM_OK);
    assert_near(v, 2, 1e-12);
    assert_int_equal(lp_solve(Ad, 2, 2, bd, l2, hd, cd, false, x, &v), GICSIM_OK);
    assert_near(v, 1, 1e-12);
}

static void test_lp_infeasible_and_errors(void **state)
{
    (void)state;
    /* x <= 1 and x >= 2. */
    const double A[] = {1, -1}, b[] = {1, -2}, lo[] = {0}, hi[] = {5}, c[] = {1};
    double x[1], v;
    assert_int_equal(lp_solve(A, 2, 1, b, lo, hi, c, false, x, &v), GICSIM_E_STATE);
    /* x >= 6 with x <= 5 by its bound. */
    const double b2[] = {10, -6};
    assert_int_equal(lp_solve(A, 2, 1, b2, lo, hi, c, true, x, &v), GICSIM_E_STATE);
    const double bad_lo[] = {6}, nan_c[] = {NAN};
    assert_int_equal(lp_solve(A, 2, 1, b, bad_lo, hi, c, false, x, &v), GICSIM_E_INVAL);
    assert_int_equal(lp_solve(A, 2, 1, b, lo, hi, nan_c, false, x, &v), GICSIM_E_INVAL);
    assert_int_equal(lp_solve(A, 2, 0, b, lo, hi, c, false, x, &v), GICSIM_E_INVAL);
    assert_int_equal(lp_solve(NULL, 2, 1, b, lo, hi, c, false, x, &v), GICSIM_E_INVAL);
    const double inf_hi[] = {INFINITY};
    assert_int_equal(lp_solve(A, 2, 1, b, lo, inf_hi, c, false, x, &v), GICSIM_E_INVAL);
}

static void test_spd_inverse(void **state)
{
    (void)state;
    /* [[4, 2], [2, 3]]^-1 = [[3, -2], [-2, 4]] / 8. */
    const double S[] = {4, 2, 2, 3};
    double inv[4];
    assert_int_equal(la_spd_inverse(S, 2, inv), GICSIM_OK);
    assert_near(inv[0], 3.0 / 8, 1e-15);
    assert_near(inv[1], -2.0 / 8, 1e-15);
    assert_near(inv[2], -2.0 / 8, 1e-15);
    assert_near(inv[3], 4.0 / 8, 1e-15);
    /* A 3x3: S inv = I. */
    const double S3[] = {6, 2, 1, 2, 5, 2, 1, 2, 4};
    double i3[9];
    assert_int_equal(la_spd_inverse(S3, 3, i3), GICSIM_OK);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += S3[r * 3 + k] * i3[k * 3 + c];
            assert_near(s, r == c ? 1 : 0, 1e-14);
        }
    /* Singular and indefinite matrices are refused. */
    const double sing[] = {1, 1, 1, 1}, indef[] = {1, 2, 2, 1}, nan1[] = {NAN};
    assert_int_equal(la_spd_inverse(sing, 2, inv), GICSIM_E_STATE);
    assert_int_equal(la_spd_inverse(indef, 2, inv), GICSIM_E_STATE);
    assert_int_equal(la_spd_inverse(nan1, 1, inv), GICSIM_E_INVAL);
    assert_int_equal(la_spd_inverse(S, 0, inv), GICSIM_E_INVAL);
}

static void test_sym_eigen(void **state)
{
    (void)state;
    /* [[2, 1], [1, 2]]: 3 along (1, 1), 1 along (1, -1). */
    const double S[] = {2, 1, 1, 2};
    double ev[2], V[4];
    assert_int_equal(la_sym_eigen(S, 2, ev, V), GICSIM_OK);
    assert_near(ev[0], 3, 1e-14);
    assert_near(ev[1], 1, 1e-14);
    assert_near(fabs(V[0 * 2 + 0]), sqrt(0.5), 1e-14);
    assert_near(V[0 * 2 + 0], V[1 * 2 + 0], 1e-14);
    assert_near(V[0 * 2 + 1], -V[1 * 2 + 1], 1e-14);
    /* A 4x4 of rank 2 (u u' + w w'): eigenvalues |u|^2 and |w|^2 for
     * orthogonal u, w, then two zeros; S v = lambda v for each pair. */
    const double u[] = {1, 2, 0, 2}, w[] = {2, -1, 1, 0};
    double S4[16], e4[4], V4[16];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            S4[r * 4 + c] = u[r] * u[c] + w[r] * w[c];
    assert_int_equal(la_sym_eigen(S4, 4, e4, V4), GICSIM_OK);
    assert_near(e4[0], 9, 1e-13);
    assert_near(e4[1], 6, 1e-13);
    assert_near(e4[2], 0, 1e-13);
    assert_near(e4[3], 0, 1e-13);
    for (int k = 0; k < 4; k++)
        for (int r = 0; r < 4; r++) {
            double s = 0;
            for (int c = 0; c < 4; c++)
                s += S4[r * 4 + c] * V4[c * 4 + k];
            assert_near(s, e4[k] * V4[r * 4 + k], 1e-12);
        }
    /* Only the upper triangle is read. */
    const double upper[] = {2, 1, 99, 2};
    assert_int_equal(la_sym_eigen(upper, 2, ev, NULL), GICSIM_OK);
    assert_near(ev[0], 3, 1e-14);
    assert_int_equal(la_sym_eigen(S, 0, ev, V), GICSIM_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lp_vertex),     cmocka_unit_test(test_lp_bounds),
        cmocka_unit_test(test_lp_phase1),     cmocka_unit_test(test_lp_fixed_and_no_rows),
        cmocka_unit_test(test_lp_degenerate), cmocka_unit_test(test_lp_infeasible_and_errors),
        cmocka_unit_test(test_spd_inverse),   cmocka_unit_test(test_sym_eigen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
