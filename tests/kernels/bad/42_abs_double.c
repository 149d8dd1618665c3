// expect unsupported: 3: abs() converts its argument to int; use fabs()
void k(const double *in, double *out) {
  out[0] = abs(in[0]);
}
