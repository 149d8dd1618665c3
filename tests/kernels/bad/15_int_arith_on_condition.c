// expect unsupported: 3: int arithmetic '/' on a value that depends on data
void k(const double *in, double *out) {
  out[0] = in[1] * ((in[0] > 0 ? 3 : 1) / 2);
}
