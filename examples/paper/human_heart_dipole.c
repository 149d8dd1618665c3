/*
 * HumanHeartDipole: residual of the MINPACK-2 human heart dipole problem
 * (dhhdfj), one of the scalar benchmark tasks of the AlphaGrad paper
 * (NI = 8, NV = 86, NO = 8).
 *
 * The problem recovers the position and moment of a dipole in the heart from
 * measured potentials.  With the unknowns
 *   in  = (x1, ..., x8) = (a, b, c, d, t, u, v, w)
 * and all measured sums sigma_mx, sigma_my, sigma_A, ..., sigma_D set to 1
 * (the benchmark's values), the residuals are
 *   out = (f1, ..., f8).
 *
 * Operations are written as in the benchmark: the cubic terms x557, x775,
 * x668, x886 recompute their squares instead of reusing x5*x5 etc. (no common
 * subexpression elimination), so the traced graph equals the reference DAG.
 */
/* alphagrad-test-point: 0.3, 0.6, 0.4, 0.7, 1.2, 0.9, -0.5, 0.8 */

#include <math.h>

/* measured sums, all 1 in the benchmark */
static const double sigma_mx = 1.0;
static const double sigma_my = 1.0;
static const double sigma_A = 1.0;
static const double sigma_B = 1.0;
static const double sigma_C = 1.0;
static const double sigma_D = 1.0;
static const double sigma_E = 1.0;
static const double sigma_F = 1.0;

void HumanHeartDipole(const double *in, double *out)
{
    const double x1 = in[0], x2 = in[1], x3 = in[2], x4 = in[3];
    const double x5 = in[4], x6 = in[5], x7 = in[6], x8 = in[7];

    /* total moments */
    out[0] = x1 + x2 - sigma_mx;
    out[1] = x3 + x4 - sigma_my;

    /* first-order potentials */
    out[2] = x5 * x1 + x6 * x2 - x7 * x3 - x8 * x4 - sigma_A;
    out[3] = x7 * x1 + x8 * x2 + x5 * x3 + x6 * x4 - sigma_B;

    /* second-order potentials */
    const double x57 = x5 * x5 - x7 * x7;
    const double x68 = x6 * x6 - x8 * x8;
    out[4] = x1 * x57 - 2.0 * x3 * x5 * x7 + x2 * x68 - 2.0 * x4 * x6 * x8 - sigma_C;
    out[5] = x3 * x57 - 2.0 * x1 * x5 * x7 + x4 * x68 - 2.0 * x2 * x6 * x8 - sigma_D;

    /* third-order potentials */
    const double x557 = x5 * (x5 * x5 - 3.0 * (x7 * x7));
    const double x775 = x7 * (x7 * x7 - 3.0 * (x5 * x5));
    const double x668 = x6 * (x6 * x6 - 3.0 * (x8 * x8));
    const double x886 = x8 * (x8 * x8 - 3.0 * (x6 * x6));
    out[6] = x1 * x557 + x3 * x775 + x2 * x668 + x4 * x886 - sigma_E;
    out[7] = x3 * x557 - x1 * x775 + x4 * x668 - x2 * x886 - sigma_F;
}
