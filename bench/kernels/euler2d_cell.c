/*
 * Cell residual of a first-order finite-volume scheme for the 2-D compressible Euler
 * equations (ideal gas, gamma = 1.4) on a uniform Cartesian grid, the kind of kernel a
 * user writes for a matrix-free or colored-Jacobian Newton-Krylov solver: one call per
 * cell, a 5-point star stencil.
 *
 *   in  = (U_C, U_W, U_E, U_S, U_N), U = (rho, rho u, rho v, E) of the centre cell and of
 *         its west, east, south and north neighbours (20 values)
 *   p   = (1/dx, 1/dy)
 *   out = R_C = (F(C, E) - F(W, C)) / dx + (G(C, N) - G(S, C)) / dy  (4 values)
 *
 * F and G are Roe's approximate Riemann fluxes in x and y, written for a face with unit
 * normal along one coordinate axis (`dir` = 0: x, 1: y, a constant: the tracer unrolls
 * it). Harten's entropy fix on the acoustic waves and on the contact/shear waves is
 * branch-free: |l|_fix = max(|l|, (l^2 + d^2) / (2 d)) for |l| < d is written as
 * |l| + (d - min(|l|, d))^2 / (2 d), d = EFIX * a (continuously differentiable). The
 * squared Roe sound speed is floored (fmax) as a positivity guard, as production codes do.
 * No branch depends on the data: alphagrad traces the same graph for every state.
 */
/* alphagrad-test-point: 1.0, 0.1, 0.05, 2.5, 0.95, 0.08, 0.04, 2.3, 1.05, 0.12, 0.06, 2.6, 0.9,
 * 0.09, 0.02, 2.2, 1.1, 0.11, 0.07, 2.7 */
/* peers-test-params: 10.0, 10.0 */
#include <math.h>

static const double GAMMA = 1.4;
static const double EFIX = 0.1;    /* entropy-fix width, a fraction of the Roe sound speed */
static const double A2MIN = 1e-10; /* floor of the squared Roe sound speed */

/* pressure of a conserved state */
static double eu_pressure(const double *u) {
  return (GAMMA - 1.0) * (u[3] - 0.5 * (u[1] * u[1] + u[2] * u[2]) / u[0]);
}

/* Harten's entropy fix of |l| with width d */
static double eu_absfix(double l, double d) {
  double a = fabs(l);
  double m = fmin(a, d);
  return a + (d - m) * (d - m) / (2.0 * d);
}

/* physical flux of state u along axis dir (0: x, 1: y), given its pressure */
static void eu_phys_flux(const double *u, double pr, int dir, double *f) {
  double vn = u[1 + dir] / u[0];
  f[0] = u[1 + dir];
  f[1] = u[1] * vn;
  f[2] = u[2] * vn;
  f[1 + dir] += pr;
  f[3] = vn * (u[3] + pr);
}

/* Roe flux through a face with normal along axis dir, left state ul, right state ur */
static void eu_roe_flux(const double *ul, const double *ur, int dir, double *f) {
  const int n = 1 + dir, t = 2 - dir; /* normal and tangential momentum components */
  double pl = eu_pressure(ul), pr = eu_pressure(ur);
  double fl[4], fr[4];
  eu_phys_flux(ul, pl, dir, fl);
  eu_phys_flux(ur, pr, dir, fr);

  /* Roe averages */
  double sl = sqrt(ul[0]), sr = sqrt(ur[0]);
  double wl = sl / (sl + sr), wr = sr / (sl + sr);
  double rho = sl * sr;
  double un = wl * ul[n] / ul[0] + wr * ur[n] / ur[0];
  double ut = wl * ul[t] / ul[0] + wr * ur[t] / ur[0];
  double h = wl * (ul[3] + pl) / ul[0] + wr * (ur[3] + pr) / ur[0];
  double q2 = un * un + ut * ut;
  double a2 = fmax((GAMMA - 1.0) * (h - 0.5 * q2), A2MIN);
  double a = sqrt(a2);

  /* jumps and wave strengths */
  double dr = ur[0] - ul[0];
  double dun = ur[n] / ur[0] - ul[n] / ul[0];
  double dut = ur[t] / ur[0] - ul[t] / ul[0];
  double dp = pr - pl;
  double al1 = (dp - rho * a * dun) / (2.0 * a2);
  double al2 = dr - dp / a2;
  double al3 = rho * dut;
  double al4 = (dp + rho * a * dun) / (2.0 * a2);

  /* wave speeds with the entropy fix */
  double d = EFIX * a;
  double l1 = eu_absfix(un - a, d);
  double l2 = eu_absfix(un, d);
  double l4 = eu_absfix(un + a, d);

  /* right eigenvectors in (rho, m_n, m_t, E) */
  double r1[4] = {1.0, un - a, ut, h - un * a};
  double r2[4] = {1.0, un, ut, 0.5 * q2};
  double r4[4] = {1.0, un + a, ut, h + un * a};

  double diss[4];
  for (int k = 0; k < 4; k++)
    diss[k] = l1 * al1 * r1[k] + l2 * al2 * r2[k] + l4 * al4 * r4[k];
  /* the shear wave has no density or normal-momentum component */
  double w3 = l2 * al3;
  diss[2] += w3;
  diss[3] += w3 * ut;

  /* back from (normal, tangential) to (x, y) momentum */
  double dxy[4] = {diss[0], diss[1], diss[2], diss[3]};
  if (dir == 1) {
    dxy[1] = diss[2];
    dxy[2] = diss[1];
  }
  for (int k = 0; k < 4; k++)
    f[k] = 0.5 * (fl[k] + fr[k]) - 0.5 * dxy[k];
}

void euler2d_cell(const double in[20], double out[4], const double p[2]) {
  const double *uc = in, *uw = in + 4, *ue = in + 8, *us = in + 12, *un = in + 16;
  double fw[4], fe[4], gs[4], gn[4];
  eu_roe_flux(uw, uc, 0, fw);
  eu_roe_flux(uc, ue, 0, fe);
  eu_roe_flux(us, uc, 1, gs);
  eu_roe_flux(uc, un, 1, gn);
  for (int k = 0; k < 4; k++)
    out[k] = (fe[k] - fw[k]) * p[0] + (gn[k] - gs[k]) * p[1];
}
