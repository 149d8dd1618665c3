/*
 * Kernels of the robotics examples (examples/robotics/README.md): two arms, their forward
 * kinematics as helper functions, and the residual kernels of ik_path.c and trajopt.c.
 * The applications #include this file and call the same functions (forward kinematics for
 * the targets and the reported errors; the kernels for nothing else), and alphagrad reads
 * the very same source for the exact Jacobians (the C subset of docs/kernels.md).
 *
 * Conventions of the plugin (include/alphagrad_petsc.h): a cell kernel with a star stencil of
 * width 1 on the 1-D waypoint DMDA gets in = (q_{i-1}, q_i, q_{i+1}), dof values each; the
 * boundary kernel (first and last waypoint) gets in = q_i; p = the constants set with
 * AGKernelSetParameters, then the auxiliary vector's values at the waypoint.
 *
 * Arms:
 *   arm6_fk  the paper's RobotArm_6DOF (examples/paper/robotarm_6dof.c, formulas copied
 *            unchanged): 6 joint angles -> (px, py, pz [mm], z, y', z'' [rad], z-y-z
 *            Tait-Bryan angles of the tool).
 *   iiwa_fk  a 7-axis KUKA LBR iiwa 14 R820-like arm, standard Denavit-Hartenberg chain
 *            (a_i = 0; d = 0.36, 0, 0.42, 0, 0.4, 0, 0.126 m; alpha = -90, 90, 90, -90,
 *            -90, 90, 0 deg): 7 joint angles -> flange position [m] and rotation matrix.
 */
/* alphagrad-test-point: 0.3, 0.5, -0.4, 0.7, 0.9, -0.6 */
#include <math.h>

/* ------------------------------------------------------------------------------------- */
/* RobotArm_6DOF (paper): Denavit-Hartenberg lengths in mm                               */
/* ------------------------------------------------------------------------------------- */
static const double arm6_a1 = 175.0;
static const double arm6_a2 = 890.0;
static const double arm6_a3 = 50.0;
static const double arm6_d1 = 575.0;
static const double arm6_d4 = 1035.0;
static const double arm6_d6 = 185.0;

/* The formulas of examples/paper/robotarm_6dof.c (RobotArm_6DOF), unchanged: every
   sub-expression recomputed where it is written, py with "+ c1*s4" as in the benchmark. */
static void arm6_fk(const double *in, double *out) {
  const double t1 = in[0], t2 = in[1], t3 = in[2];
  const double t4 = in[3], t5 = in[4], t6 = in[5];

  double c1 = cos(t1), c2 = cos(t2), c4 = cos(t4), c5 = cos(t5), c6 = cos(t6);
  double c23 = cos(t2) * cos(t3) - sin(t2) * sin(t3); /* cos(t2 + t3) */
  double s1 = sin(t1), s2 = sin(t2), s4 = sin(t4), s5 = sin(t5), s6 = sin(t6);
  double s23 = cos(t2) * sin(t3) + sin(t2) * cos(t3); /* sin(t2 + t3) */

  double ax = s5 * (c1 * c23 * c4 + s1 * s4) + c1 * s23 * c5;
  double ay = s5 * (s1 * c23 * c4 - c1 * s4) + s1 * s23 * c5;
  double az = s23 * c4 * s5 - c23 * c5;
  double nz = c6 * (c23 * s5 + s23 * c4 * c5) - s23 * s4 * s6;
  double oz = -s6 * (c23 * s5 + s23 * c4 * c5) - s23 * s4 * c6;

  double z = atan2(ay, ax);
  double y_ = atan2(sqrt(1.0 - az * az), az);
  double z__ = atan2(oz, -nz);

  double px = arm6_d6 * (s5 * (c1 * c23 * c4 + s1 * s4) + c1 * s23 * c5)
            + c1 * (arm6_a1 + arm6_a2 * c2 + arm6_a3 * c23 + arm6_d4 * s23);
  double py = arm6_d6 * (s5 * (s1 * c23 * c4 + c1 * s4) + s1 * s23 * c5)
            + s1 * (arm6_a1 + arm6_a2 * c2 + arm6_a3 * c23 + arm6_d4 * s23);
  double pz = arm6_a2 * s2 + arm6_d1 + arm6_a3 * s23 - arm6_d4 * c23
            + arm6_d6 * (s23 * c4 * s5 - c23 * c5);

  out[0] = px;
  out[1] = py;
  out[2] = pz;
  out[3] = z;
  out[4] = y_;
  out[5] = z__;
}

/* The pose residual of the 6-DOF arm: position difference scaled by ws (1e-3: mm -> m),
   angle differences wrapped to (-pi, pi] with atan2(sin d, cos d) (smooth near d = 0, no
   jump where an angle crosses +-pi). t = target (px, py, pz, z, y', z''). */
static void arm6_pose_residual(const double *q, const double *t, double ws, double *r) {
  double pose[6];
  arm6_fk(q, pose);
  for (int k = 0; k < 3; k++) r[k] = ws * (pose[k] - t[k]);
  for (int k = 3; k < 6; k++) r[k] = atan2(sin(pose[k] - t[k]), cos(pose[k] - t[k]));
}

/* ------------------------------------------------------------------------------------- */
/* 7-DOF KUKA-iiwa-like arm, standard DH (Rz(theta) Tz(d) Tx(a) Rx(alpha)), a = 0, in m   */
/* ------------------------------------------------------------------------------------- */
static const double iiwa_d1 = 0.36, iiwa_d3 = 0.42, iiwa_d5 = 0.4, iiwa_d7 = 0.126;

/* One DH step on the frame (R row-major, p): p += d * z_{i-1}; R = R Rz(th) Rx(alpha). */
static void iiwa_step(double *R, double *p, double th, double d, int sa) {
  double c = cos(th), s = sin(th);
  if (d != 0.0)
    for (int r = 0; r < 3; r++) p[r] += d * R[3 * r + 2];
  for (int r = 0; r < 3; r++) {
    double x = R[3 * r + 0], y = R[3 * r + 1], zc = R[3 * r + 2];
    double x1 = c * x + s * y, y1 = c * y - s * x; /* R Rz(th): columns 0, 1 */
    R[3 * r + 0] = x1;
    if (sa == 0) { /* alpha = 0 */
      R[3 * r + 1] = y1;
      R[3 * r + 2] = zc;
    } else if (sa > 0) { /* alpha = +90 deg: (c0, c1, c2) -> (c0, c2, -c1) */
      R[3 * r + 1] = zc;
      R[3 * r + 2] = -y1;
    } else { /* alpha = -90 deg: (c0, c1, c2) -> (c0, -c2, c1) */
      R[3 * r + 1] = -zc;
      R[3 * r + 2] = y1;
    }
  }
}

/* flange position p[3] (m) and rotation R[9] (row-major: R[3 r + c], column c = axis c of
   the flange frame) of the joint angles q[7] */
static void iiwa_fk(const double *q, double *p, double *R) {
  double c1 = cos(q[0]), s1 = sin(q[0]);
  /* joint 1 from the base frame (R = I, p = 0), alpha_1 = -90 deg */
  R[0] = c1; R[1] = 0.0; R[2] = -s1;
  R[3] = s1; R[4] = 0.0; R[5] = c1;
  R[6] = 0.0; R[7] = -1.0; R[8] = 0.0;
  p[0] = 0.0; p[1] = 0.0; p[2] = iiwa_d1;
  /* joints 2-7: (theta, d, sin(alpha)) */
  iiwa_step(R, p, q[1], 0.0, 1);
  iiwa_step(R, p, q[2], iiwa_d3, 1);
  iiwa_step(R, p, q[3], 0.0, -1);
  iiwa_step(R, p, q[4], iiwa_d5, -1);
  iiwa_step(R, p, q[5], 0.0, 1);
  iiwa_step(R, p, q[6], iiwa_d7, 0);
}

/* The pose residual of the iiwa: position difference (m) and the orientation error as the
   Gibbs (Rodrigues) vector of the rotation from the target to the reached orientation,
     g = tan(angle / 2) * axis = (sum_c Rt_c x R_c) / (1 + sum_c Rt_c . R_c)
   (columns c of the target and reached rotations; sum_c Rt_c x R_c = 2 sin(angle) axis,
   sum_c Rt_c . R_c = 1 + 2 cos(angle)). Smooth for angles below 180 degrees, zero only at
   R = Rt, with the identity as derivative there; unlike sin(angle) * axis it has no spurious
   zeros at 180 degrees (it grows without bound there instead, which keeps Newton away from
   flipped orientations). t = (pt[3], Rt[9] row-major). */
static void iiwa_pose_residual(const double *q, const double *t, double *r) {
  double p[3], R[9];
  const double *Rt = t + 3;
  iiwa_fk(q, p, R);
  for (int k = 0; k < 3; k++) r[k] = p[k] - t[k];
  double ex = 0.0, ey = 0.0, ez = 0.0, tr = 1.0;
  for (int c = 0; c < 3; c++) {
    double ux = Rt[c], uy = Rt[3 + c], uz = Rt[6 + c]; /* target column c */
    double vx = R[c], vy = R[3 + c], vz = R[6 + c];    /* reached column c */
    ex += uy * vz - uz * vy;
    ey += uz * vx - ux * vz;
    ez += ux * vy - uy * vx;
    tr += ux * vx + uy * vy + uz * vz;
  }
  r[3] = ex / tr;
  r[4] = ey / tr;
  r[5] = ez / tr;
}

/* ------------------------------------------------------------------------------------- */
/* ik_path.c kernels (1-D DMDA over the waypoints, star stencil width 1)                 */
/* ------------------------------------------------------------------------------------- */

/* ik6: dof 6. p = (mu, ws, target[6] from the auxiliary vector).
   R_i = pose_residual(q_i) + mu (2 q_i - q_{i-1} - q_{i+1}) */
void ik6_cell(const double *in, double *out, const double *p) {
  const double *qm = in, *q = in + 6, *qp = in + 12;
  arm6_pose_residual(q, p + 2, p[1], out);
  for (int k = 0; k < 6; k++) out[k] += p[0] * (2.0 * q[k] - qm[k] - qp[k]);
}
/* first and last waypoint: the pose residual alone */
void ik6_end(const double *in, double *out, const double *p) {
  arm6_pose_residual(in, p + 2, p[1], out);
}

/* ik7: dof 7. p = (mu, wn, target position[3], target rotation[9], q3ref) (13 values from the
   auxiliary vector). Rows 0-5: the pose residual plus mu (2 q_i - q_{i-1} - q_{i+1}) of the
   joints 1, 2, 4, 5, 6, 7; row 6, the redundancy: the null-space
   (upper-arm) joint 3 moves uniformly along the path, wn (2 q3_i - q3_{i-1} - q3_{i+1}) = 0,
   with its end values held at q3ref. */
void ik7_cell(const double *in, double *out, const double *p) {
  const double *qm = in, *q = in + 7, *qp = in + 14;
  iiwa_pose_residual(q, p + 2, out);
  for (int r = 0; r < 6; r++) {
    int k = r < 2 ? r : r + 1; /* joints 1, 2, 4, 5, 6, 7 */
    out[r] += p[0] * (2.0 * q[k] - qm[k] - qp[k]);
  }
  out[6] = p[1] * (2.0 * q[2] - qm[2] - qp[2]);
}
void ik7_end(const double *in, double *out, const double *p) {
  iiwa_pose_residual(in, p + 2, out);
  out[6] = p[1] * (in[2] - p[14]);
}

/* ik6 with soft joint limits (ik_path -joint_limit L): every joint k is kept in [-L, L] by a
   one-sided quadratic penalty, written as a robotics code writes it, with branches on the
   joint angle:
     R_i = pose_residual(q_i) + mu (2 q_i - q_{i-1} - q_{i+1}) + wl * lim(q_i)
   lim(q) = (q - L)^2 above the limit, -(q + L)^2 below, 0 inside (continuously
   differentiable). p = (mu, ws, wl, L, target[6] from the auxiliary vector). */
static double arm_limit_penalty(double q, double lim) {
  if (q > lim) return (q - lim) * (q - lim);
  if (q < -lim) return -(q + lim) * (q + lim);
  return 0.0;
}
void ik6_lim_cell(const double *in, double *out, const double *p) {
  const double *qm = in, *q = in + 6, *qp = in + 12;
  arm6_pose_residual(q, p + 4, p[1], out);
  for (int k = 0; k < 6; k++)
    out[k] += p[0] * (2.0 * q[k] - qm[k] - qp[k]) + p[2] * arm_limit_penalty(q[k], p[3]);
}
void ik6_lim_end(const double *in, double *out, const double *p) {
  arm6_pose_residual(in, p + 4, p[1], out);
  for (int k = 0; k < 6; k++)
    out[k] += p[2] * arm_limit_penalty(in[k], p[3]);
}

/* ------------------------------------------------------------------------------------- */
/* trajopt.c kernels: implicit collocation of simplified arm dynamics (6-DOF paper arm)  */
/* ------------------------------------------------------------------------------------- */
/* Point masses at the elbow (end of link 2), the wrist centre and the tool centre point,
   constant diagonal joint inertia, viscous joint damping, no Coriolis terms:
     J q'' + b q' + G(q) = 0,    G = grad_q V,  V = g (m_e z_e + m_w z_w + m_t z_t)
   with the heights (m) of the three masses from the paper arm's formulas:
     z_e = (d1 + a2 s2) / 1000, z_w = z_e + (a3 s23 - d4 c23) / 1000,
     z_t = pz / 1000 = z_w + d6 (s23 c4 s5 - c23 c5) / 1000. */
static void traj_gravity(const double *q, const double *p, double *G) {
  /* p = (h, g, m_e, m_w, m_t, ...) */
  double c2 = cos(q[1]), s23 = sin(q[1] + q[2]), c23 = cos(q[1] + q[2]);
  double c4 = cos(q[3]), s4 = sin(q[3]), c5 = cos(q[4]), s5 = sin(q[4]);
  double g = p[1] * 1e-3, me = p[2], mw = p[3], mt = p[4];
  double dze2 = arm6_a2 * c2;                               /* d z_e / d q2 (mm) */
  double dzw23 = arm6_a3 * c23 + arm6_d4 * s23;             /* d z_w / d q3, z_w - z_e part */
  double dtool23 = arm6_d6 * (c23 * c4 * s5 + s23 * c5);    /* tool offset, d / d q2, q3 */
  double dtool4 = -arm6_d6 * s23 * s4 * s5;
  double dtool5 = arm6_d6 * (s23 * c4 * c5 + c23 * s5);
  G[0] = 0.0;
  G[1] = g * ((me + mw + mt) * dze2 + (mw + mt) * dzw23 + mt * dtool23);
  G[2] = g * ((mw + mt) * dzw23 + mt * dtool23);
  G[3] = g * mt * dtool4;
  G[4] = g * mt * dtool5;
  G[5] = 0.0;
}

/* Interior waypoint, dof 6, central differences with step h, multiplied by h^2:
     R_i = J_k (q_{i+1} - 2 q_i + q_{i-1}) + h b_k / 2 (q_{i+1} - q_{i-1}) + h^2 G(q_i)
   p = (h, g, m_e, m_w, m_t, I[6], b[6], then 7 auxiliary values: flag, c[6]) */
void traj_cell(const double *in, double *out, const double *p) {
  const double *qm = in, *q = in + 6, *qp = in + 12;
  const double *J = p + 5, *b = p + 11;
  double G[6];
  double h = p[0];
  traj_gravity(q, p, G);
  for (int k = 0; k < 6; k++)
    out[k] = J[k] * (qp[k] - 2.0 * q[k] + qm[k]) + 0.5 * h * b[k] * (qp[k] - qm[k]) +
             h * h * G[k];
}

/* First and last waypoint. The auxiliary vector holds (flag, c[6]): flag 1 at the first
   waypoint, R = q - c (the start configuration); flag 0 at the last waypoint,
   R = pose residual against the target pose c (position in m, wrapped angles). */
void traj_end(const double *in, double *out, const double *p) {
  double r[6];
  double f = p[17];
  arm6_pose_residual(in, p + 18, 1e-3, r);
  for (int k = 0; k < 6; k++) out[k] = f * (in[k] - p[18 + k]) + (1.0 - f) * r[k];
}
