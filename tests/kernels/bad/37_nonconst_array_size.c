// expect unsupported: 3: array size depends on the kernel's inputs
void k(const double *in, double *out) {
  double a[in[0]];
  a[0] = in[1];
  out[0] = a[0];
}
