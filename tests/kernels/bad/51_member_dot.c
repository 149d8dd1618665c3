// expect format: 6: the left side of '.' is not a struct
typedef double real2[2];
void k(const double *in, double *out) {
  double v[2];
  v[0] = in[0];
  out[0] = v.x;
}
