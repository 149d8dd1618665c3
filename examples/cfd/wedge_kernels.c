/*
 * Kernels of examples/cfd/wedge.c: the 2-D Euler equations (gamma = 1.4), first-order
 * cell-centred finite volumes on a Cartesian grid (cells hx by hy), backward-Euler pseudo-time
 * stepping. Conserved variables per cell: U = (rho, rho u, rho v, E). The residual of cell
 * (i, j) is
 *   R = (U - U^old) hx hy / dt + hy (Fx(i+1/2) - Fx(i-1/2)) + hx (Fy(j+1/2) - Fy(j-1/2))
 * written as an alphagrad operator:
 *   wedge_time:     cell kernel, width 0: in = U, p = (hx hy/dt, U^old[0..3]) (the constant,
 *                   then the auxiliary vector)
 *   wedge_roe_x:    face kernel in x, width 1: in = (U_west, U_east), p = (hy);
 *                   out = hy * Roe flux in +x
 *   wedge_roe_y:    face kernel in y, width 1: in = (U_south, U_north), p = (hx);
 *                   out = hx * Roe flux in +y (the x flux with the velocities swapped)
 * boundary faces (in = the boundary cell):
 *   wedge_inflow_x: low x (left, supersonic inflow): hy * Roe flux between the freestream
 *                   state p[1..4] (outside, west) and the cell (east); p = (hy, U_inf[0..3])
 *   wedge_outflow_x: high x (right, supersonic outflow, transmissive): hy * Fx(U); p = (hy)
 *   wedge_wall_y:   low y (bottom, the reflecting wall): hx * (0, 0, p, 0) with the pressure
 *                   of the cell; p = (hx)
 *   wedge_farfield_y: high y (top, inflow of the freestream): hx * Roe flux between the cell
 *                   (south) and the freestream (north); p = (hx, U_inf[0..3])
 *
 * Roe's flux with Harten's entropy fix on all four waves, branch-free (as sod_kernels.c):
 * |l|_fix = |l| + (d - min(|l|, d))^2 / (2 d), d = 0.2 a: continuously differentiable.
 */
/* alphagrad-test-point: 1.0, 0.1, 0.05, 2.5, 0.9, 0.12, -0.03, 2.2 */
#include <math.h>

static const double GAM = 1.4;  /* ratio of specific heats */
static const double EFIX = 0.2; /* entropy-fix width, a fraction of the Roe sound speed */

static double wg_pressure(const double *u) {
  return (GAM - 1.0) * (u[3] - 0.5 * (u[1] * u[1] + u[2] * u[2]) / u[0]);
}

/* Harten's entropy fix of |l| with width d, branch-free */
static double wg_absfix(double l, double d) {
  double a = fabs(l);
  double m = fmin(a, d);
  return a + (d - m) * (d - m) / (2.0 * d);
}

/* Roe flux through a face whose normal is the first velocity component u[1]; the second,
   u[2], is tangential; multiplied by the face length s. f: flux of (rho, rho un, rho ut, E). */
static void wg_roe(const double *ul, const double *ur, double s, double *f) {
  double rl = ul[0], rr = ur[0];
  double unl = ul[1] / rl, utl = ul[2] / rl, unr = ur[1] / rr, utr = ur[2] / rr;
  double pl = wg_pressure(ul), pr = wg_pressure(ur);
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
  double al1 = (dp - rho * a * dun) / (2.0 * a2); /* un - a */
  double al2 = dr - dp / a2;                      /* un, entropy */
  double al3 = rho * dut;                         /* un, shear */
  double al4 = (dp + rho * a * dun) / (2.0 * a2); /* un + a */
  double d = EFIX * a;
  double l1 = wg_absfix(un - a, d), l2 = wg_absfix(un, d), l4 = wg_absfix(un + a, d);
  double w1 = l1 * al1, w2 = l2 * al2, w3 = l2 * al3, w4 = l4 * al4;
  f[0] = s * (0.5 * (ul[1] + ur[1]) - 0.5 * (w1 + w2 + w4));
  f[1] = s * (0.5 * (ul[1] * unl + pl + ur[1] * unr + pr) - 0.5 * (w1 * (un - a) + w2 * un + w4 * (un + a)));
  f[2] = s * (0.5 * (ul[1] * utl + ur[1] * utr) - 0.5 * ((w1 + w2 + w4) * ut + w3));
  f[3] = s * (0.5 * (unl * (ul[3] + pl) + unr * (ur[3] + pr)) -
              0.5 * (w1 * (h - un * a) + w2 * 0.5 * q2 + w3 * ut + w4 * (h + un * a)));
}

/* the y flux: the x flux of the states with the velocity components swapped */
static void wg_roe_y(const double *ul0, const double *ur0, double s, double *out) {
  double ul[4] = {ul0[0], ul0[2], ul0[1], ul0[3]}, ur[4] = {ur0[0], ur0[2], ur0[1], ur0[3]}, f[4];
  wg_roe(ul, ur, s, f);
  out[0] = f[0];
  out[1] = f[2];
  out[2] = f[1];
  out[3] = f[3];
}

void wedge_time(const double *in, double *out, const double *p) {
  for (int c = 0; c < 4; c++)
    out[c] = (in[c] - p[1 + c]) * p[0];
}

void wedge_roe_x(const double *in, double *out, const double *p) {
  wg_roe(in, in + 4, p[0], out);
}

void wedge_roe_y(const double *in, double *out, const double *p) {
  wg_roe_y(in, in + 4, p[0], out);
}

/* left boundary: the freestream enters from the west */
void wedge_inflow_x(const double *in, double *out, const double *p) {
  double uinf[4] = {p[1], p[2], p[3], p[4]};
  wg_roe(uinf, in, p[0], out);
}

/* right boundary: supersonic outflow, the physical flux of the cell */
void wedge_outflow_x(const double *in, double *out, const double *p) {
  double un = in[1] / in[0];
  double pr = wg_pressure(in);
  out[0] = p[0] * in[1];
  out[1] = p[0] * (in[1] * un + pr);
  out[2] = p[0] * in[2] * un;
  out[3] = p[0] * un * (in[3] + pr);
}

/* bottom boundary: the reflecting wall y = 0, no mass or energy through it, only pressure */
void wedge_wall_y(const double *in, double *out, const double *p) {
  out[0] = 0.0;
  out[1] = 0.0;
  out[2] = p[0] * wg_pressure(in);
  out[3] = 0.0;
}

/* top boundary: the freestream (north of the face) against the cell (south) */
void wedge_farfield_y(const double *in, double *out, const double *p) {
  double uinf[4] = {p[1], p[2], p[3], p[4]};
  wg_roe_y(in, uinf, p[0], out);
}
