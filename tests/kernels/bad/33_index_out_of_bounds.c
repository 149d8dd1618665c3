// expect format: 6: index 3 is out of bounds
void k(const double *in, double *out) {
  double a[3] = {1.0, 2.0, 3.0};
  out[0] = in[0];
  for (int i = 0; i <= 3; i++)
    out[0] += a[i] * in[0];
}
