// expect unsupported: 3: 10000000000 does not fit in int
void k(const double *in, double *out) {
  int k = 1e10;
  out[0] = in[0] * k;
}
