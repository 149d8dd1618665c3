// range: -1 1
/* MUSCL reconstruction at the face between cells i and i+1 from four cell values, with the
   limiters written as people write them: branches and early returns. */
#include <math.h>

static double minmod(double a, double b) {
  if (a * b <= 0)
    return 0.0;
  if (fabs(a) < fabs(b))
    return a;
  return b;
}

static double vanleer(double a, double b) {
  if (a * b <= 0)
    return 0.0;
  return 2 * a * b / (a + b);
}

static double superbee(double a, double b) {
  if (a * b <= 0) return 0.0;
  double s = a > 0 ? 1.0 : -1.0;
  a = fabs(a);
  b = fabs(b);
  double m1 = a < 2 * b ? a : 2 * b;
  double m2 = 2 * a < b ? 2 * a : b;
  return s * (m1 > m2 ? m1 : m2);
}

void limiters(const double *in, double *out) {
  double q0 = in[0], q1 = in[1], q2 = in[2], q3 = in[3];
  double dl = q1 - q0, dc = q2 - q1, dr = q3 - q2;
  out[0] = q1 + 0.5 * minmod(dl, dc);
  out[1] = q2 - 0.5 * minmod(dc, dr);
  out[2] = q1 + 0.5 * vanleer(dl, dc);
  out[3] = q2 - 0.5 * superbee(dc, dr);
  /* the smoothness ratio r = dl/dc, guarded: dc may be 0 where the branch is not taken */
  double phi;
  if (dl * dc > 0) {
    double r = dl / dc;
    phi = (r * r + r) / (1 + r * r);
  } else {
    phi = 0;
  }
  out[4] = q1 + 0.5 * phi * dc;
}
