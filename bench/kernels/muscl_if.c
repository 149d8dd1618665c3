/* MUSCL reconstruction (minmod) of 5 components at one face from 4 cells, and Harten's
   entropy fix of three wave speeds: written with branches and early returns (issue 18's
   benchmark; the same function as muscl_fmax.c, which is branch-free). in: 4 cells x 5,
   out: the left and right face states (10) and the three fixed |speeds|. */
#include <math.h>

static double minmod(double a, double b) {
  if (a * b <= 0) return 0.0;
  if (fabs(a) < fabs(b)) return a;
  return b;
}

static double harten(double l, double d) {
  double a = fabs(l);
  if (a < d) return (a * a + d * d) / (2.0 * d);
  return a;
}

void muscl_if(const double in[20], double out[13]) {
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
