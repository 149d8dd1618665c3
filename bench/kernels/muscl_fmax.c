/* The function of muscl_if.c written branch-free with fabs/fmin/fmax/copysign, as kernels
   had to be before branches on data were supported (issue 18's benchmark baseline). */
#include <math.h>

static double minmod(double a, double b) {
  /* 0 when the signs differ, else the smaller in magnitude */
  return 0.5 * (copysign(1.0, a) + copysign(1.0, b)) * fmin(fabs(a), fabs(b));
}

static double harten(double l, double d) {
  double a = fabs(l);
  double m = fmin(a, d);
  return a + (d - m) * (d - m) / (2.0 * d);
}

void muscl_fmax(const double in[20], double out[13]) {
  for (int c = 0; c < 5; c++) {
    double q0 = in[c], q1 = in[5 + c], q2 = in[10 + c], q3 = in[15 + c];
    out[c] = q1 + 0.5 * minmod(q1 - q0, q2 - q1);
    out[5 + c] = q2 - 0.5 * minmod(q2 - q1, q3 - q2);
  }
  double u = 0.5 * (out[1] + out[6]), a = 0.5 * (out[4] + out[9]), d = 0.2 * fabs(a);
  out[10] = harten(u - a, d);
  out[11] = harten(u, d);
  out[12] = harten(u + a, d);
}
