/* math.h functions the front end differentiates. */
#include <math.h>

#ifndef M_PI /* not in strict C11; the front end knows it */
#define M_PI 3.14159265358979323846
#endif

void mathfns(const double *in, double *out) {
  double x = in[0], y = in[1];
  out[0] = sqrt(x) + exp(y) + log(x);
  out[1] = sin(x) * cos(y) - tan(x);
  out[2] = asin(x) + acos(y) + atan(x);
  out[3] = atan2(y, x) + sinh(x) + cosh(y) + tanh(x);
  out[4] = pow(x, y) + pow(x, 3.0) + fabs(x - y);
  out[5] = fmax(x, y) + fmin(x, 2.0 * y);
  out[6] = hypot(x, y) + cbrt(x) + log10(y) + log2(x);
  out[7] = exp2(x) + expm1(y) + log1p(x) + erf(x) + erfc(y) + M_PI * x;
}
