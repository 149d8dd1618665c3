// expect format: 4: index 2 is out of bounds
void k(const double *in, double *out) {
  double m[2][2] = {{1, 2}, {3, 4}};
  out[0] = m[0][2] * in[0];
}
