// expect format: 6: element 2 of 'a' is used before it is assigned
void k(const double *in, double *out) {
  double a[3];
  a[0] = in[0];
  a[1] = in[1];
  out[0] = a[0] + a[2];
}
