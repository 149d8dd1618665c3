// range: -2 2
/* Branches on data in loops and nested helpers: accumulation under a condition, nested ifs
   with returns in a double helper called in a loop, a struct-returning helper with an early
   return, a void helper that returns early after writing through its pointer, ?: whose
   sides assign, and ?: between two struct results of calls. */
#include <math.h>

typedef struct {
  double lo, hi;
} Pair;

static double clip(double x, double a, double b) {
  if (x < a) {
    if (x < 2 * a) return 2 * a - x; /* reflect far below */
    return a;
  } else if (x > b) {
    return b;
  }
  return x;
}

static Pair order2(double x, double y) {
  Pair p = {x, y};
  if (x <= y) return p;
  p.lo = y;
  p.hi = x;
  return p;
}

static void scale_pos(double *v, double s) {
  v[0] *= s;
  if (v[0] < 0) return; /* negative: leave v[1] as it is */
  v[1] *= s * s;
}

void nested(const double in[4], double out[7]) {
  double s = 0.0, m = 1.0;
  for (int i = 0; i < 4; i++) {
    if (in[i] > 0)
      s += in[i] * in[i];
    else
      m *= 1.0 + 0.1 * in[i];
    s += clip(in[i], -1.0, 1.5) * (i + 1);
  }
  out[0] = s;
  out[1] = m;
  Pair p = order2(in[0] * in[1], in[2] - in[3]);
  out[2] = p.lo + 2.0 * p.hi;
  double v[2] = {in[1] - 0.3, in[2]};
  scale_pos(v, in[3] + 2.5);
  out[3] = v[0] + v[1];
  double t;
  out[4] = in[0] > in[3] ? (t = in[0] * in[2]) : (t = in[1]);
  out[5] = t * in[3];
  Pair q = in[0] > 0 ? order2(in[0], in[1]) : order2(in[1] * in[3], in[2]);
  out[6] = q.lo * q.hi;
}
