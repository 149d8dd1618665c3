/*
 * RoeFlux_1d: Roe's approximate Riemann solver for the 1-D Euler equations,
 * one of the scalar benchmark tasks of the AlphaGrad paper
 * (NI = 6, NV = 101, NO = 3).
 *
 *   in  = (ul0, ul1, ul2, ur0, ur1, ur2)  conserved variables (density,
 *         momentum, total energy) of the left and right states
 *   out = (phi0, phi1, phi2)              numerical flux across the interface
 *
 *   phi = 1/2 (F(uL) + F(uR)) - 1/2 |A_Roe| (uR - uL)
 *
 * where |A_Roe| (uR - uL) is expanded in the three characteristic waves
 * (speeds u, u + a, u - a) of the Roe-averaged state.
 *
 * gamma = 0.5 is the value used by the benchmark code (a real gas would use
 * 1.4; with gamma < 1 the "pressure" (gamma-1)*(...) changes sign, which does
 * not matter for the graph).
 *
 * The kernel is written exactly as the benchmark: there is no common
 * subexpression elimination, so quantities written twice (sqrt(ul0), u1/u0,
 * c*c1, u*a, ...) are computed twice, and |u| is taken twice (once for the
 * entropy wave, once for the u - a wave).  The traced graph then equals the
 * reference DAG vertex by vertex.
 *
 * Test point: the benchmark's state; densities are positive and the Roe
 * averaged a^2 = 0.125 > 0 there.
 */
/* alphagrad-test-point: 0.01, 0.02, 0.02, 0.01, 0.03, 0.03 */

#include <math.h>

static const double gam = 0.5; /* ratio of specific heats (benchmark value) */

/* pressure p = (gamma - 1) (E - rho v^2 / 2) of a conserved state */
static double pressure(double u0, double u1, double u2)
{
    return (gam - 1.0) * (u2 - 0.5 * (u1 * u1) / u0);
}

/* total specific enthalpy H = (E + p) / rho */
static double enthalpy(double u0, double u2, double p)
{
    return (u2 + p) / u0;
}

/* physical flux F(u) = (rho v, p + rho v^2, v (E + p)) with v = u1 / u0;
   the first component is the momentum u1 itself and costs no operation */
static void flux(double u0, double u1, double u2, double p, double F[3])
{
    double v = u1 / u0;
    F[0] = u1;
    F[1] = p + u1 * v;
    F[2] = v * (p + u2);
}

void RoeFlux_1d(const double *in, double *out)
{
    const double ul0 = in[0], ul1 = in[1], ul2 = in[2];
    const double ur0 = in[3], ur1 = in[4], ur2 = in[5];

    /* jump in density, Roe-averaged density, weight of the Roe average */
    double du0 = ur0 - ul0;
    double ulr0 = sqrt(ul0 * ur0);
    double w1 = sqrt(ul0) + sqrt(ur0);

    /* primitive quantities of the left and right states */
    double vl = ul1 / ul0;
    double pl = pressure(ul0, ul1, ul2);
    double hl = enthalpy(ul0, ul2, pl);
    double vr = ur1 / ur0;
    double pr = pressure(ur0, ur1, ur2);
    double hr = enthalpy(ur0, ur2, pr);

    /* jumps in pressure and velocity */
    double dp = pr - pl;
    double dv = vr - vl;

    /* Roe averages of velocity and enthalpy, speed of sound */
    double u = (sqrt(ul0) * vl + sqrt(ur0) * vr) / w1;
    double h = (sqrt(ul0) * hl + sqrt(ur0) * hr) / w1;
    double q2 = u * u;
    double a2 = (gam - 1.0) * (h - 0.5 * q2);
    double a = sqrt(a2);

    /* absolute wave speeds of the waves u + a, u (entropy wave) and u - a;
       as in the benchmark, the u - a wave also uses |u| */
    double lp = fabs(u + a);
    double l = fabs(u);
    double ln = fabs(u);
    double n = a * ulr0;

    /* wave strengths times wave speeds */
    double c0 = (du0 - dp / a2) * l;
    double c1 = (dv + dp / n) * lp;
    double c2 = (dv - dp / n) * ln;

    /* central part: F(uL) + F(uR) */
    double FL[3], FR[3];
    flux(ul0, ul1, ul2, pl, FL);
    flux(ur0, ur1, ur2, pr, FR);
    double F0 = FL[0] + FR[0];
    double F1 = FL[1] + FR[1];
    double F2 = FL[2] + FR[2];

    /* common factor of the acoustic waves: rho_Roe / (2 a) */
    double c = 0.5 * ulr0 / a;

    /* upwind part: |A_Roe| (uR - uL) along the eigenvectors */
    double dF0 = c0 + c * c1 - c * c2;
    double dF1 = c0 * u + c * c1 * (u + a) - c * c2 * (u - a);
    double dF2 = c0 * 0.5 * q2 + c * c1 * (h + u * a) - c * c2 * (h - u * a);

    out[0] = 0.5 * (F0 - dF0);
    out[1] = 0.5 * (F1 - dF1);
    out[2] = 0.5 * (F2 - dF2);
}
