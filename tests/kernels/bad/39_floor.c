// expect unsupported: 3: 'floor' is not supported: it is piecewise constant
void k(const double *in, double *out) {
  out[0] = in[0] - floor(in[0]);
}
