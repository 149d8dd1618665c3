// expect unsupported: 3: comparison '>' of input-dependent values
void k(const double *in, double *out) {
  out[0] = in[0] > 0 ? in[0] : -in[0];
}
