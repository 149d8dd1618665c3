// expect unsupported: 4: 'switch' is not supported
void k(const double *in, double *out) {
  int m = 1;
  switch (m) {
  case 1: out[0] = in[0]; break;
  default: out[0] = 2.0 * in[0];
  }
}
