// expect format: 5: array index has type double
void k(const double *in, double *out) {
  double a[2] = {in[0], in[1]};
  const double i = 1.0;
  out[0] = a[i];
}
