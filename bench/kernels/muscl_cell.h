/*
 * Cell residual of a second-order (MUSCL) finite-volume scheme for the compressible Euler
 * equations (ideal gas, gamma = 1.4) in NDIM dimensions on a uniform Cartesian grid: the
 * kernel behind muscl2d_cell.c and muscl3d_cell.c, which define NDIM and include this file.
 *
 * Stencil: the centre cell and two neighbours on each side along every axis (1 + 4 NDIM
 * cells), conserved variables U = (rho, rho u_1 .. rho u_NDIM, E), in the order
 *   in = U_C, then per axis d: U_{-2}, U_{-1}, U_{+1}, U_{+2}.
 * Each cell's primitive variables (rho, u, p) are computed once and shared by the faces
 * that use them. On each of the 2 NDIM faces the primitive variables are reconstructed
 * from both sides with van Albada's smooth limiter (no branch, differentiable), and Roe's
 * flux with Harten's entropy fix (written branch-free, as in euler2d_cell.c) is taken
 * between the two reconstructed states.
 *   p   = (1/dx_1 .. 1/dx_NDIM)
 *   out = sum_d (F_d(+1/2) - F_d(-1/2)) / dx_d   (NDIM + 2 values)
 */
#include <math.h>

#define NV    (NDIM + 2)
#define NCELL (1 + 4 * NDIM)

static const double GAMMA = 1.4;
static const double EFIX = 0.1;
static const double A2MIN = 1e-10;
static const double VA_EPS = 1e-12; /* van Albada's smoothing of 0/0 */

/* primitive variables (rho, u_1 .. u_NDIM, p) of a conserved state */
static void mu_primitive(const double *u, double *w) {
  double ke = 0.0;
  w[0] = u[0];
  for (int k = 0; k < NDIM; k++) {
    w[1 + k] = u[1 + k] / u[0];
    ke += u[1 + k] * w[1 + k];
  }
  w[NV - 1] = (GAMMA - 1.0) * (u[NV - 1] - 0.5 * ke);
}

/* van Albada's limited slope from the one-sided differences a and b */
static double mu_albada(double a, double b) {
  return (a * (b * b + VA_EPS) + b * (a * a + VA_EPS)) / (a * a + b * b + 2.0 * VA_EPS);
}

static double mu_absfix(double l, double d) {
  double a = fabs(l);
  double m = fmin(a, d);
  return a + (d - m) * (d - m) / (2.0 * d);
}

/* physical flux along axis dir of the primitive state w */
static void mu_phys_flux(const double *w, int dir, double *f) {
  double q2 = 0.0;
  for (int k = 0; k < NDIM; k++)
    q2 += w[1 + k] * w[1 + k];
  double e = w[NV - 1] / (GAMMA - 1.0) + 0.5 * w[0] * q2;
  double mn = w[0] * w[1 + dir];
  f[0] = mn;
  for (int k = 0; k < NDIM; k++)
    f[1 + k] = mn * w[1 + k];
  f[1 + dir] += w[NV - 1];
  f[NV - 1] = w[1 + dir] * (e + w[NV - 1]);
}

/* Roe flux along axis dir between the primitive states wl and wr */
static void mu_roe_flux(const double *wl, const double *wr, int dir, double *f) {
  double fl[NV], fr[NV];
  mu_phys_flux(wl, dir, fl);
  mu_phys_flux(wr, dir, fr);
  double ql = 0.0, qr = 0.0;
  for (int k = 0; k < NDIM; k++) {
    ql += wl[1 + k] * wl[1 + k];
    qr += wr[1 + k] * wr[1 + k];
  }
  double hl = GAMMA / (GAMMA - 1.0) * wl[NV - 1] / wl[0] + 0.5 * ql;
  double hr = GAMMA / (GAMMA - 1.0) * wr[NV - 1] / wr[0] + 0.5 * qr;
  double sl = sqrt(wl[0]), sr = sqrt(wr[0]);
  double al = sl / (sl + sr), ar = sr / (sl + sr);
  double rho = sl * sr;
  double vel[NDIM];
  double q2 = 0.0;
  for (int k = 0; k < NDIM; k++) {
    vel[k] = al * wl[1 + k] + ar * wr[1 + k];
    q2 += vel[k] * vel[k];
  }
  double h = al * hl + ar * hr;
  double a2 = fmax((GAMMA - 1.0) * (h - 0.5 * q2), A2MIN);
  double a = sqrt(a2);
  double un = vel[dir];

  double dr = wr[0] - wl[0], dp = wr[NV - 1] - wl[NV - 1];
  double dun = wr[1 + dir] - wl[1 + dir];
  double al1 = (dp - rho * a * dun) / (2.0 * a2);
  double al2 = dr - dp / a2;
  double al4 = (dp + rho * a * dun) / (2.0 * a2);
  double d = EFIX * a;
  double l1 = mu_absfix(un - a, d), l2 = mu_absfix(un, d), l4 = mu_absfix(un + a, d);

  double diss[NV];
  diss[0] = l1 * al1 + l2 * al2 + l4 * al4;
  for (int k = 0; k < NDIM; k++)
    diss[1 + k] = l1 * al1 * vel[k] + l2 * al2 * vel[k] + l4 * al4 * vel[k];
  diss[1 + dir] += a * (l4 * al4 - l1 * al1);
  diss[NV - 1] = l1 * al1 * (h - un * a) + l2 * al2 * 0.5 * q2 + l4 * al4 * (h + un * a);
  /* shear waves: the jumps of the tangential velocities */
  for (int k = 0; k < NDIM; k++)
    if (k != dir) {
      double s = l2 * rho * (wr[1 + k] - wl[1 + k]);
      diss[1 + k] += s;
      diss[NV - 1] += s * vel[k];
    }
  for (int k = 0; k < NV; k++)
    f[k] = 0.5 * (fl[k] + fr[k]) - 0.5 * diss[k];
}

/* MUSCL states on the face between cells b and c (a before b, d after c) */
static void mu_reconstruct(const double *a, const double *b, const double *c, const double *d,
                           double *wl, double *wr) {
  for (int k = 0; k < NV; k++) {
    double dm = b[k] - a[k], d0 = c[k] - b[k], dp = d[k] - c[k];
    wl[k] = b[k] + 0.5 * mu_albada(dm, d0);
    wr[k] = c[k] - 0.5 * mu_albada(d0, dp);
  }
}

static void muscl_cell_residual(const double *in, double *out, const double *p) {
  double w[NCELL][NV];
  for (int c = 0; c < NCELL; c++)
    mu_primitive(in + c * NV, w[c]);
  for (int k = 0; k < NV; k++)
    out[k] = 0.0;
  for (int dir = 0; dir < NDIM; dir++) {
    const double *wmm = w[1 + 4 * dir], *wm = w[2 + 4 * dir];
    const double *wp = w[3 + 4 * dir], *wpp = w[4 + 4 * dir];
    double wl[NV], wr[NV], fm[NV], fp[NV];
    mu_reconstruct(wmm, wm, w[0], wp, wl, wr);
    mu_roe_flux(wl, wr, dir, fm);
    mu_reconstruct(wm, w[0], wp, wpp, wl, wr);
    mu_roe_flux(wl, wr, dir, fp);
    for (int k = 0; k < NV; k++)
      out[k] += (fp[k] - fm[k]) * p[dir];
  }
}
