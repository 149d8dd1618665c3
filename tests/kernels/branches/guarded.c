// range: -1 1
/* Branches whose untaken side is singular where it is not taken: division by zero, log and
   sqrt of negative numbers. The Jacobian must stay finite (a select's masked zero times the
   untaken side's infinite partial is zero, not NaN). */
#include <math.h>

void guarded(const double *in, double *out) {
  double a = in[0], b = in[1], c = in[2];
  double r;
  if (fabs(b) > 1e-300)
    r = a / b;
  else
    r = 0.0;
  out[0] = r * c;
  out[1] = c > 0 ? sqrt(c) * a : -c * a;
  double l;
  if (a > 0)
    l = log(a) * b;
  else
    l = a * b;
  out[2] = l + c;
  out[3] = (a * b <= 0) ? 0.0 : (a / b) * (a / b) / (1 + (a / b) * (a / b));
}
