// expect unsupported: 3: 'rint' is not supported (it depends on the rounding mode
void k(const double *in, double *out) {
  out[0] = in[0] - rint(in[0]);
}
