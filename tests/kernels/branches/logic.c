// range: -2 2
/* Conditions built from comparisons and && || !, comparisons used as numbers, nested ?:,
   the truth of a double (if (x)), and a condition on a parameter. */
void logic(const double *in, double *out, const double *p) {
  double x = in[0], y = in[1], z = in[2];
  double inside = (x > -1 && x < 1) ? 1.0 : 0.0;
  out[0] = inside * y * y + (1 - inside) * y;
  if (!(y > 0) || z > x)
    out[1] = x * z;
  else
    out[1] = y - z;
  out[2] = (x > 0) * x * y + (double)(y <= z) * z;
  out[3] = x > y ? (y > z ? x * y : x * z) : (x > z ? y : y * z);
  double w = x - 0.5;
  if (w)
    out[4] = w * y;
  else
    out[4] = y;
  if (p[0] > 0)
    out[5] = p[0] * x * z;
  else
    out[5] = x + z;
}
