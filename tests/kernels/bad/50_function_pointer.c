// expect unsupported: 3: function pointers are not supported
void k(const double *in, double *out) {
  double (*f)(double) = sin;
  out[0] = f(in[0]);
}
