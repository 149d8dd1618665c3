/* C semantics the tracer must reproduce: short-circuit && and ||, the type of ?: with an
   int and a double branch, octal literals, integer division and remainder of negative
   numbers, unsigned loop counters, (void) casts, a pointer to const moved along an array. */
void conversions(const double *in, double *out) {
  int n = 0, calls = 0;
  double a[2] = {in[0], in[1]};
  (void)n;
  if (n > 0 && a[n - 1] > 0) calls = 1; /* a[-1] is never read */
  int skipped = 0 && calls++;
  int k = 3;
  double half = (k > 0 ? k : 0.5) / 2;  /* 1.5: the int branch converts to double */
  double third = (k < 0 ? 0.5 : k) / 2; /* 1.5 */
  int ipart = (k > 0 ? k : 1) / 2;      /* 1 */
  out[0] = (half + third + ipart) * in[0];
  out[1] = (010 + calls + skipped) * a[1];
  out[2] = -7 / 2 * in[0] + -7 % 2 * in[1];
  const double *q = in;
  q = q + 1;
  out[3] = q[0] * q[-1];
  double s = 0.0;
  for (unsigned i = 0; i < 2u; i++)
    s += a[i];
  out[4] = s;
}
