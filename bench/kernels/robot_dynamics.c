/*
 * Inverse-dynamics residual of a 7-axis arm (a KUKA LBR iiwa 14-like kinematic chain,
 * standard Denavit-Hartenberg, a_i = 0; d = 0.36, 0, 0.42, 0, 0.4, 0, 0.126 m;
 * alpha = -90, 90, 90, -90, -90, 90, 0 deg, as in examples/robotics/arm_kernels.c), by the
 * recursive Newton-Euler algorithm (Siciliano et al., Robotics, sec. 7.5: all vectors in the
 * frame of the link, frame i at the distal joint of link i), with viscous and smooth
 * Coulomb joint friction and a payload wrench at the flange. This is the residual of
 * trajectory optimisation by direct collocation, of torque-based state estimation and of
 * identification, whose Newton/SQP steps need its Jacobian in (q, qd, qdd):
 *
 *   in  = (q[7] [rad], qd[7] [rad/s], qdd[7] [rad/s^2])
 *   p   = (tau_meas[7] [N m], f_tip[3] [N], n_tip[3] [N m]) (wrench applied by the
 *         environment on the flange, in the flange frame)
 *   out = tau(q, qd, qdd) + tau_friction(qd) - J^T-like payload terms - tau_meas  (7)
 *
 * Link masses, centres of mass and (diagonal, principal-axis) inertias are illustrative
 * values of the right order for a 30 kg arm, not identified parameters.
 * Rotations: R_i = Rz(q_i) Rx(alpha_i) maps frame-i vectors to frame i-1; with alpha in
 * {0, +-90 deg} the Rx factor is a signed permutation, applied without multiplications
 * (constant branches, unrolled by the tracer), as hand-written robotics code does.
 */
/* alphagrad-test-point: 0.3, -0.5, 0.2, 1.1, -0.4, 0.7, 0.1, 0.5, -0.3, 0.8, -0.6, 0.2, 0.4,
 * -0.9, 1.2, -0.7, 0.3, 0.9, -1.1, 0.6, 0.2 */
/* peers-test-params: 1.0, 2.0, -1.0, 0.5, 0.3, -0.2, 0.1, 5.0, -3.0, 10.0, 0.2, 0.1, -0.3 */
#include <math.h>

#define NJ 7

static const double G0 = 9.80665;
static const double DH_D[NJ] = {0.36, 0.0, 0.42, 0.0, 0.4, 0.0, 0.126};
static const double DH_SA[NJ] = {-1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 0.0}; /* sin(alpha) */
static const double MASS[NJ] = {3.95, 4.50, 2.45, 2.61, 3.41, 3.39, 0.35};
/* centre of mass of link i in frame i [m] */
static const double COM[NJ][3] = {
    {0.0, -0.032, 0.11},    {0.0003, 0.059, 0.042}, {0.0, 0.03, 0.13}, {0.0, 0.067, 0.034},
    {0.0001, 0.021, 0.076}, {0.0, 0.0006, 0.0004},  {0.0, 0.0, 0.02}};
/* principal moments of inertia about the centre of mass [kg m^2] */
static const double INERTIA[NJ][3] = {{0.0455, 0.0454, 0.00101}, {0.00032, 0.00010, 0.00042},
                                      {0.0455, 0.0454, 0.00101}, {0.00032, 0.00010, 0.00042},
                                      {0.0033, 0.0029, 0.0011},  {0.0021, 0.0019, 0.0012},
                                      {0.0001, 0.0001, 0.0002}};
/* viscous [N m s/rad] and Coulomb [N m] friction, Coulomb smoothing velocity [rad/s] */
static const double FV[NJ] = {0.24, 0.24, 0.18, 0.18, 0.12, 0.10, 0.06};
static const double FC[NJ] = {0.8, 0.8, 0.6, 0.6, 0.4, 0.3, 0.2};
static const double VSMOOTH = 0.02;

/* w = Rx(alpha)^T v for sin(alpha) = sa in {0, 1, -1} (cos alpha = 1 - |sa|) */
static void rx_t(double sa, const double *v, double *w) {
  w[0] = v[0];
  if (sa == 0.0) {
    w[1] = v[1];
    w[2] = v[2];
  } else if (sa > 0.0) {
    w[1] = v[2];
    w[2] = -v[1];
  } else {
    w[1] = -v[2];
    w[2] = v[1];
  }
}

/* w = Rx(alpha) v */
static void rx(double sa, const double *v, double *w) {
  w[0] = v[0];
  if (sa == 0.0) {
    w[1] = v[1];
    w[2] = v[2];
  } else if (sa > 0.0) {
    w[1] = -v[2];
    w[2] = v[1];
  } else {
    w[1] = v[2];
    w[2] = -v[1];
  }
}

/* w = R_i^T v = Rx^T Rz^T v (frame i-1 -> frame i) */
static void rot_t(double c, double s, double sa, const double *v, double *w) {
  double u[3] = {c * v[0] + s * v[1], c * v[1] - s * v[0], v[2]};
  rx_t(sa, u, w);
}

/* w = R_i v = Rz Rx v (frame i -> frame i-1) */
static void rot(double c, double s, double sa, const double *v, double *w) {
  double u[3];
  rx(sa, v, u);
  w[0] = c * u[0] - s * u[1];
  w[1] = s * u[0] + c * u[1];
  w[2] = u[2];
}

static void cross(const double *a, const double *b, double *c) {
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}

/* acc += a x (L e_k): the cross product with a vector along one axis */
static void add_cross_axis(const double *a, int k, double L, double *acc) {
  int k1 = (k + 1) % 3, k2 = (k + 2) % 3;
  acc[k1] += a[k2] * L;
  acc[k2] -= a[k1] * L;
}

void robot_dynamics(const double in[21], double out[7], const double p[13]) {
  const double *q = in, *qd = in + NJ, *qdd = in + 2 * NJ;
  double c[NJ], s[NJ];
  double w[NJ][3], dw[NJ][3], ac[NJ][3]; /* omega, omega dot, acceleration of the COM */

  /* forward recursion: velocities and accelerations, base at rest, gravity as a base
     acceleration of G0 upwards */
  double wp[3] = {0.0, 0.0, 0.0}, dwp[3] = {0.0, 0.0, 0.0}, ap[3] = {0.0, 0.0, G0};
  for (int i = 0; i < NJ; i++) {
    c[i] = cos(q[i]);
    s[i] = sin(q[i]);
    /* axis: k_i = R_i^T z0 is the last row of R_i = (0, sa, ca) */
    double v[3] = {wp[0], wp[1], wp[2] + qd[i]};
    rot_t(c[i], s[i], DH_SA[i], v, w[i]);
    double dv[3] = {dwp[0] + qd[i] * wp[1], dwp[1] - qd[i] * wp[0], dwp[2] + qdd[i]};
    rot_t(c[i], s[i], DH_SA[i], dv, dw[i]);
    /* origin acceleration: R^T a_{i-1} + dw x r + w x (w x r), r = r_{i-1,i} in frame i,
       d (0, sa, ca): along one axis */
    double a[3];
    rot_t(c[i], s[i], DH_SA[i], ap, a);
    if (DH_D[i] != 0.0) {
      int k = DH_SA[i] == 0.0 ? 2 : 1;
      double L = DH_SA[i] == 0.0 ? DH_D[i] : DH_SA[i] * DH_D[i];
      double wr[3] = {0.0, 0.0, 0.0}, wwr[3];
      int k1 = (k + 1) % 3, k2 = (k + 2) % 3;
      wr[k1] = w[i][k2] * L; /* w x (L e_k) */
      wr[k2] = -w[i][k1] * L;
      wr[k] = 0.0;
      add_cross_axis(dw[i], k, L, a);
      cross(w[i], wr, wwr);
      for (int r = 0; r < 3; r++)
        a[r] += wwr[r];
    }
    /* centre-of-mass acceleration */
    double t1[3], t2[3], t3[3];
    cross(dw[i], COM[i], t1);
    cross(w[i], COM[i], t2);
    cross(w[i], t2, t3);
    for (int r = 0; r < 3; r++)
      ac[i][r] = a[r] + t1[r] + t3[r];
    for (int r = 0; r < 3; r++) {
      wp[r] = w[i][r];
      dwp[r] = dw[i][r];
      ap[r] = a[r];
    }
  }

  /* backward recursion: forces f and moments n on link i from link i-1, in frame i */
  double fn[3] = {-p[7], -p[8], -p[9]}, nn[3] = {-p[10], -p[11], -p[12]}; /* from link 8 */
  double cn = 1.0, sn = 0.0, san = 0.0; /* the flange frame is frame 7 */
  for (int i = NJ - 1; i >= 0; i--) {
    double Rf[3], Rn[3];
    if (i == NJ - 1) {
      for (int r = 0; r < 3; r++) {
        Rf[r] = fn[r];
        Rn[r] = nn[r];
      }
    } else {
      rot(cn, sn, san, fn, Rf);
      rot(cn, sn, san, nn, Rn);
    }
    const double *I = INERTIA[i];
    double f[3], n[3], Iw[3], Idw[3], wIw[3], t1[3], t2[3];
    for (int r = 0; r < 3; r++)
      f[r] = Rf[r] + MASS[i] * ac[i][r];
    /* n = -f x (r_i + r_Ci) + R n' + R f' x r_Ci + I dw + w x (I w) */
    double rr[3] = {COM[i][0], COM[i][1], COM[i][2]};
    if (DH_D[i] != 0.0) {
      int k = DH_SA[i] == 0.0 ? 2 : 1;
      rr[k] += DH_SA[i] == 0.0 ? DH_D[i] : DH_SA[i] * DH_D[i];
    }
    cross(rr, f, t1); /* -f x rr = rr x f */
    cross(Rf, COM[i], t2);
    for (int r = 0; r < 3; r++) {
      Iw[r] = I[r] * w[i][r];
      Idw[r] = I[r] * dw[i][r];
    }
    cross(w[i], Iw, wIw);
    for (int r = 0; r < 3; r++)
      n[r] = t1[r] + Rn[r] + t2[r] + Idw[r] + wIw[r];
    /* joint torque: n . (0, sa, ca) */
    double tau;
    if (DH_SA[i] == 0.0)
      tau = n[2];
    else if (DH_SA[i] > 0.0)
      tau = n[1];
    else
      tau = -n[1];
    tau += FV[i] * qd[i] + FC[i] * tanh(qd[i] / VSMOOTH);
    out[i] = tau - p[i];
    for (int r = 0; r < 3; r++) {
      fn[r] = f[r];
      nn[r] = n[r];
    }
    cn = c[i];
    sn = s[i];
    san = DH_SA[i];
  }
}
