// expect unsupported: 3: type 'float' is not supported
void k(const double *in, double *out) {
  float x = 2.0;
  out[0] = x * in[0];
}
