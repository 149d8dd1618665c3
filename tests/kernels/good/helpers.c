/* Helpers: static functions returning double or int, void helpers writing through
   pointers, helpers with loops, an output that is an input. */
#include <math.h>

static double sq(double x) { return x * x; }

static double power(double x, int n) {
  double r = 1.0;
  for (int i = 0; i < n; i++)
    r *= x;
  return r;
}

static void rotate(const double *v, double angle, double *w) {
  double c = cos(angle), s = sin(angle);
  w[0] = c * v[0] - s * v[1];
  w[1] = s * v[0] + c * v[1];
}

static int clamp_index(int i, int n) { return i < 0 ? 0 : i >= n ? n - 1 : i; }

static void accumulate(double *acc, double x) { acc[0] += x; }

void helpers(const double *in, double *out) {
  double w[2];
  rotate(in, 0.5, w);
  out[0] = w[0];
  out[1] = w[1];
  out[2] = sq(in[2]) + power(in[0], 3);
  out[3] = in[clamp_index(7, 3)];
  accumulate(out, in[1]);
}
