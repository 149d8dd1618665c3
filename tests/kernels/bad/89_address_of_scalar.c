// expect unsupported: 4: taking the address of a scalar variable
void k(const double *in, double *out) {
  double x = in[0];
  double *p = &x;
  out[0] = p[0];
}
