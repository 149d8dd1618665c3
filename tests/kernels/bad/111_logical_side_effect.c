// expect unsupported: 4: the right operand of '&&' assigns
void k(const double *in, double *out) {
  double t = 0.0;
  if (in[0] > 0 && (t = in[1]) > 0)
    out[0] = t;
  else
    out[0] = in[0];
}
