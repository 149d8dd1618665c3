// expect unsupported: 3: enum types are not supported
void k(const double *in, double *out) {
  enum { A = 2 } e = A;
  out[0] = e * in[0];
}
