/*
 * PropaneCombustion: residual of the MINPACK-2 propane combustion problem
 * (chemical equilibrium of propane burnt in air, 11 unknowns), one of the
 * scalar benchmark tasks of the AlphaGrad paper (NI = 11, NV = 62, NO = 11).
 *
 *   in  = (x1, ..., x11)   x1..x10: mole numbers of the products, x11: total moles
 *   out = (f1, ..., f11)   residuals (element balances and equilibrium relations)
 *
 * Parameters: pressure p = 40, air-fuel ratio R = 10.
 *
 * Operations are written exactly as in the benchmark: sub-expressions such as
 * x2*x4 are recomputed where they appear again (no common-subexpression
 * elimination), so the traced graph equals the reference DAG vertex by vertex.
 *
 * Test point: a positive state, so that every square root is defined.
 */
/* alphagrad-test-point: 0.9, 1.1, 1.3, 0.7, 1.2, 0.8, 1.4, 0.6, 1.5, 0.5, 11.0 */

#include <math.h>

static const double p = 40.0; /* pressure */
static const double R = 10.0; /* air-fuel ratio */

void PropaneCombustion(const double *in, double *out)
{
    const double x1 = in[0], x2 = in[1], x3 = in[2], x4 = in[3];
    const double x5 = in[4], x6 = in[5], x7 = in[6], x8 = in[7];
    const double x9 = in[8], x10 = in[9], x11 = in[10];

    /* common factor of the equilibrium relations */
    const double px11 = sqrt(p / x11);

    /* element balances (carbon, hydrogen, oxygen, nitrogen) */
    out[0] = x1 + x4 - 3.0;
    out[1] = 2.0 * x1 + x2 + x4 + x7 + x8 + x9 + 2.0 * x10 - R;
    out[2] = 2.0 * x2 + 2.0 * x5 + x6 + x7 - 8.0;
    out[3] = 2.0 * x3 + x9 - 4.0 * R;

    /* equilibrium relations */
    out[4] = x2 * x4 - x1 * x5;
    out[5] = sqrt(x2 * x4) - sqrt(x1) * px11 * x6;
    out[6] = sqrt(x1 * x2) - sqrt(x4) * x7 * px11;
    out[7] = x1 - x4 * x8 * p / x11;
    out[8] = x1 * sqrt(x3) - x4 * x9 * px11;
    out[9] = x1 * x1 - x4 * x4 * x10 * p / x11;

    /* total number of moles */
    out[10] = x11 - x1 - x2 - x3 - x4 - x5 - x6 - x7 - x8 - x9 - x10;
}
