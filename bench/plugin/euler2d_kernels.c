/*
 * Kernels of the 2-D compressible Euler equations (gamma = 1.4) for the plugin benchmark
 * bench/plugin/bench_euler2d.c: first-order cell-centred finite volumes on a uniform grid
 * (h = dx = dy), backward-Euler (pseudo-)time stepping. Conserved variables per cell:
 * U = (rho, rho u, rho v, E). The residual of cell (i, j), divided by h, is
 *   R = (U - U^old) h/dt + Fx(i+1/2) - Fx(i-1/2) + Fy(j+1/2) - Fy(j-1/2)
 *
 *   euler2d_time:  cell kernel, stencil width 0: in = U, p = (h/dt, U^old[0..3])
 *   euler2d_roe_x: face kernel in x, width 1: in = (U_west, U_east), out = Roe flux in +x
 *   euler2d_roe_y: face kernel in y, width 1: in = (U_south, U_north), out = Roe flux in +y:
 *                  the x flux with the two velocity components swapped
 *
 * Roe's flux with Harten's entropy fix on all four waves, branch-free (as in
 * tests/plugin/euler1d_kernels.c): |l|_fix = |l| + (d - min(|l|, d))^2 / (2 d), d = 0.2 a.
 * The application #includes this file for its own residual.
 */
/* alphagrad-test-point: 1.0, 0.1, 0.05, 2.5, 0.9, 0.12, -0.03, 2.2 */
#include <math.h>

static const double GAM = 1.4;  /* ratio of specific heats */
static const double EFIX = 0.2; /* entropy-fix width, a fraction of the Roe sound speed */

static double e2_pressure(const double *u) {
  return (GAM - 1.0) * (u[3] - 0.5 * (u[1] * u[1] + u[2] * u[2]) / u[0]);
}

/* Harten's entropy fix of |l| with width d, branch-free */
static double e2_absfix(double l, double d) {
  double a = fabs(l);
  double m = fmin(a, d);
  return a + (d - m) * (d - m) / (2.0 * d);
}

/* Roe flux through a face whose normal is the first velocity component u[1]; the second,
   u[2], is tangential. f: the flux of (rho, rho un, rho ut, E). */
static void e2_roe(const double *ul, const double *ur, double *f) {
  double rl = ul[0], rr = ur[0];
  double unl = ul[1] / rl, utl = ul[2] / rl, unr = ur[1] / rr, utr = ur[2] / rr;
  double pl = e2_pressure(ul), pr = e2_pressure(ur);
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
  double l1 = e2_absfix(un - a, d), l2 = e2_absfix(un, d), l4 = e2_absfix(un + a, d);
  double w1 = l1 * al1, w2 = l2 * al2, w3 = l2 * al3, w4 = l4 * al4;
  f[0] = 0.5 * (ul[1] + ur[1]) - 0.5 * (w1 + w2 + w4);
  f[1] = 0.5 * (ul[1] * unl + pl + ur[1] * unr + pr) - 0.5 * (w1 * (un - a) + w2 * un + w4 * (un + a));
  f[2] = 0.5 * (ul[1] * utl + ur[1] * utr) - 0.5 * ((w1 + w2 + w4) * ut + w3);
  f[3] = 0.5 * (unl * (ul[3] + pl) + unr * (ur[3] + pr)) -
         0.5 * (w1 * (h - un * a) + w2 * 0.5 * q2 + w3 * ut + w4 * (h + un * a));
}

void euler2d_time(const double *in, double *out, const double *p) {
  for (int c = 0; c < 4; c++)
    out[c] = (in[c] - p[1 + c]) * p[0];
}

void euler2d_roe_x(const double *in, double *out, const double *p) {
  (void)p;
  e2_roe(in, in + 4, out);
}

void euler2d_roe_y(const double *in, double *out, const double *p) {
  (void)p;
  double ul[4] = {in[0], in[2], in[1], in[3]}, ur[4] = {in[4], in[6], in[5], in[7]}, f[4];
  e2_roe(ul, ur, f);
  out[0] = f[0];
  out[1] = f[2];
  out[2] = f[1];
  out[3] = f[3];
}
