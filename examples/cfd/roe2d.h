/*
 * The 2-D Roe flux of the Euler equations (gamma = 1.4), shared by the kernel files
 * examples/cfd/wedge_kernels.c and bench/plugin/euler2d_kernels.c (read by the kernel front
 * end through `#include`, and compiled as plain C by the applications that include those
 * files). Conserved variables U = (rho, rho un, rho ut, E).
 *
 * Roe's flux with Harten's entropy fix on all four waves, branch-free:
 * |l|_fix = |l| + (d - min(|l|, d))^2 / (2 d), d = 0.2 a: continuously differentiable.
 */
#ifndef AG_ROE2D_H
#define AG_ROE2D_H

#include <math.h>

static const double GAM = 1.4;  /* ratio of specific heats */
static const double EFIX = 0.2; /* entropy-fix width, a fraction of the Roe sound speed */

static double roe2d_pressure(const double *u) {
  return (GAM - 1.0) * (u[3] - 0.5 * (u[1] * u[1] + u[2] * u[2]) / u[0]);
}

/* Harten's entropy fix of |l| with width d, branch-free */
static double roe2d_absfix(double l, double d) {
  double a = fabs(l);
  double m = fmin(a, d);
  return a + (d - m) * (d - m) / (2.0 * d);
}

/* x, times the face length s where `scaled` (a constant: unscaled, the graph holds no
   multiplication by 1) */
static double roe2d_scale(int scaled, double s, double x) {
  if (scaled) return s * x;
  return x;
}

/* Roe flux through a face whose normal is the first velocity component u[1]; the second,
   u[2], is tangential; times the face length s where `scaled`. f: the flux of
   (rho, rho un, rho ut, E). */
static void roe2d_flux(const double *ul, const double *ur, int scaled, double s, double *f) {
  double rl = ul[0], rr = ur[0];
  double unl = ul[1] / rl, utl = ul[2] / rl, unr = ur[1] / rr, utr = ur[2] / rr;
  double pl = roe2d_pressure(ul), pr = roe2d_pressure(ur);
  double hl = (ul[3] + pl) / rl, hr = (ur[3] + pr) / rr;
  double sl = sqrt(rl), sr = sqrt(rr);
  double rho = sl * sr;
  double un = (sl * unl + sr * unr) / (sl + sr);
  double ut = (sl * utl + sr * utr) / (sl + sr);
  double h = (sl * hl + sr * hr) / (sl + sr);
  double q2 = un * un + ut * ut;
  double a2 = (GAM - 1.0) * (h - 0.5 * q2);
  double a = sqrt(a2);
  double dr = rr - rl, dun = unr - unl, dut = utr - utl, dp = pr - pl;
  /* wave strengths */
  double al1 = (dp - rho * a * dun) / (2.0 * a2); /* un - a */
  double al2 = dr - dp / a2;                      /* un, entropy */
  double al3 = rho * dut;                         /* un, shear */
  double al4 = (dp + rho * a * dun) / (2.0 * a2); /* un + a */
  double d = EFIX * a;
  double l1 = roe2d_absfix(un - a, d), l2 = roe2d_absfix(un, d), l4 = roe2d_absfix(un + a, d);
  double w1 = l1 * al1, w2 = l2 * al2, w3 = l2 * al3, w4 = l4 * al4;
  f[0] = roe2d_scale(scaled, s, 0.5 * (ul[1] + ur[1]) - 0.5 * (w1 + w2 + w4));
  f[1] = roe2d_scale(scaled, s,
                     0.5 * (ul[1] * unl + pl + ur[1] * unr + pr) -
                         0.5 * (w1 * (un - a) + w2 * un + w4 * (un + a)));
  f[2] = roe2d_scale(scaled, s, 0.5 * (ul[1] * utl + ur[1] * utr) - 0.5 * ((w1 + w2 + w4) * ut + w3));
  f[3] = roe2d_scale(scaled, s,
                     0.5 * (unl * (ul[3] + pl) + unr * (ur[3] + pr)) -
                         0.5 * (w1 * (h - un * a) + w2 * 0.5 * q2 + w3 * ut + w4 * (h + un * a)));
}

/* The flux in y: the x flux of the states with the two velocity components swapped. */
static void roe2d_flux_y(const double *ul0, const double *ur0, int scaled, double s, double *out) {
  double ul[4] = {ul0[0], ul0[2], ul0[1], ul0[3]}, ur[4] = {ur0[0], ur0[2], ur0[1], ur0[3]}, f[4];
  roe2d_flux(ul, ur, scaled, s, f);
  out[0] = f[0];
  out[1] = f[2];
  out[2] = f[1];
  out[3] = f[3];
}

#endif
