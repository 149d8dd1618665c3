// range: -1.5 1.5
/* A planar two-link leg: foot position by forward kinematics, a unilateral ground contact
   (a spring-damper that acts only below the ground) and soft joint limits. */
#include <math.h>

static double limit_torque(double q, double lo, double hi, double k) {
  if (q < lo) return k * (lo - q);
  if (q > hi) return -k * (q - hi);
  return 0.0;
}

void joints(const double *in, double *out) {
  double q1 = in[0], q2 = in[1], dq1 = in[2], dq2 = in[3];
  const double l1 = 0.5, l2 = 0.4, hip = 0.6;
  double x = l1 * sin(q1) + l2 * sin(q1 + q2);
  double z = hip - l1 * cos(q1) - l2 * cos(q1 + q2);
  double vz = l1 * sin(q1) * dq1 + l2 * sin(q1 + q2) * (dq1 + dq2);
  double fz = 0.0, fx = 0.0;
  if (z < 0) {
    fz = -2000.0 * z - 50.0 * vz;
    if (fz < 0) fz = 0.0; /* the ground only pushes */
    double vx = l1 * cos(q1) * dq1 + l2 * cos(q1 + q2) * (dq1 + dq2);
    fx = -0.8 * fz * tanh(10.0 * vx);
  }
  out[0] = x;
  out[1] = z;
  out[2] = fx;
  out[3] = fz;
  out[4] = limit_torque(q1, -1.0, 1.0, 100.0);
  out[5] = limit_torque(q2, -0.2, 1.2, 80.0);
}
