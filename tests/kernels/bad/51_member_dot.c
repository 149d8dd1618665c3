// expect unsupported: 6: member access '.' is not supported
typedef double real2[2];
void k(const double *in, double *out) {
  double v[2];
  v[0] = in[0];
  out[0] = v.x;
}
